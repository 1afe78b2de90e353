//! SQL of the weekly case review, shared by both backends (`$n` placeholders work in both).

use std::sync::LazyLock;

use super::care_sql::{caseload_sql_with, placeholders, CaseloadSql, MARK_COLUMNS};

const CASE_REVIEW_FROM: &str = "FROM case_reviews r JOIN review_meetings m ON m.id = r.meeting_id \
     LEFT JOIN users u ON u.id = r.reviewer_id";

pub const RECOMMENDATION_FROM: &str = "FROM recommendations x \
     JOIN case_reviews cr ON cr.id = x.case_review_id \
     LEFT JOIN users ru ON ru.id = x.recorded_by LEFT JOIN users su ON su.id = x.status_by";

/// How an engine spells JSON aggregation, the one thing the packed case reviews need that the two
/// engines name differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Json {
    /// `json_group_array(json_object(…))`
    Sqlite,
    /// `json_agg(json_build_object(…))`
    Postgres,
}

impl Json {
    /// `[{…}, …]` of the named columns, one object per row of the group, as text.
    fn array_of(self, fields: &[(&str, &str)]) -> String {
        let pairs = fields
            .iter()
            .map(|(name, column)| format!("'{name}', {column}"))
            .collect::<Vec<_>>()
            .join(", ");
        match self {
            Json::Sqlite => format!("CAST(json_group_array(json_object({pairs})) AS TEXT)"),
            Json::Postgres => format!("CAST(json_agg(json_build_object({pairs})) AS TEXT)"),
        }
    }
}

/// The engine behind a store's `sqlx` database type.
pub trait Dialect {
    const JSON: Json;
}

impl Dialect for sqlx::Sqlite {
    const JSON: Json = Json::Sqlite;
}

impl Dialect for sqlx::Postgres {
    const JSON: Json = Json::Postgres;
}

/// The fields of a case review, named as `review_rows::CaseReviewRow`'s, read as rows or packed.
const CASE_REVIEW_FIELDS: [(&str, &str); 7] = [
    ("id", "r.id"),
    ("meeting_id", "r.meeting_id"),
    ("meets_on", "m.meets_on"),
    ("episode_id", "r.episode_id"),
    ("reviewed_on", "r.reviewed_on"),
    ("reviewer_name", "u.display_name"),
    ("note", "r.note"),
];

/// The fields of a recommendation, named as `review_rows::RecommendationRow`'s, read as rows or
/// packed.
const RECOMMENDATION_FIELDS: [(&str, &str); 12] = [
    ("id", "x.id"),
    ("case_review_id", "x.case_review_id"),
    ("episode_id", "x.episode_id"),
    ("kind", "x.kind"),
    ("details", "x.details"),
    ("status", "x.status"),
    ("due_on", "x.due_on"),
    ("version", "x.version"),
    ("recorded_on", "cr.reviewed_on"),
    ("recorded_by_name", "ru.display_name"),
    ("status_changed_at", "x.status_changed_at"),
    ("status_by_name", "su.display_name"),
];

/// The select list of named columns (`r.id AS id, …`), as a row struct reads them; the packed
/// form is [`Json::array_of`] of the same fields.
fn select_list(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, column)| format!("{column} AS {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statements that read a list of candidate episodes (`$1 … $n`, each an episode id): their
/// records for the rules, reviews, recommendations and "ready" summaries. One set is
/// built per list size, rounded up to a power of two (the list is padded by repeating its last
/// id), so that a few prepared statements serve every list.
///
/// Case reviews and recommendations come packed, one JSON array per episode (their notes are
/// free text, which the `string_agg` packing of scores and contacts cannot carry): a listed
/// patient has about ten reviews and eight recommendations, and handing over rows one by one cost
/// the list more than the database's work for them.
pub struct CandidateSql {
    pub records: CaseloadSql,
    pub reviews: String,
    pub recommendations: String,
    pub preps: String,
}

/// The most ids one statement takes (below SQLite's limit of 32,766 variables).
pub const MAX_IDS: usize = 4096;

/// The padded size of a list of `n` ids.
pub fn id_bucket(n: usize) -> usize {
    n.clamp(8, MAX_IDS).next_power_of_two()
}

fn candidate_sql(size: usize, json: Json) -> CandidateSql {
    let ids = placeholders(size);
    let reviews = json.array_of(&CASE_REVIEW_FIELDS);
    let recommendations = json.array_of(&RECOMMENDATION_FIELDS);
    CandidateSql {
        records: caseload_sql_with(&format!("e.id IN ({ids})"), ids.clone()),
        reviews: format!(
            "SELECT r.episode_id, {reviews} AS packed {CASE_REVIEW_FROM} \
             WHERE r.episode_id IN ({ids}) GROUP BY r.episode_id"
        ),
        recommendations: format!(
            "SELECT x.episode_id, {recommendations} AS packed {RECOMMENDATION_FROM} \
             WHERE x.episode_id IN ({ids}) GROUP BY x.episode_id"
        ),
        preps: format!(
            "SELECT rp.episode_id, rp.prepared_on, rp.summary, u.display_name AS prepared_by_name \
             FROM review_preps rp LEFT JOIN users u ON u.id = rp.prepared_by \
             WHERE rp.episode_id IN ({ids}) ORDER BY rp.id"
        ),
    }
}

/// The statements for a list of `size` ids (a power of two from 8 to [`MAX_IDS`]) on an engine,
/// built once.
pub fn candidates_for(size: usize, json: Json) -> &'static CandidateSql {
    fn buckets(json: Json) -> Vec<CandidateSql> {
        (3..=MAX_IDS.trailing_zeros())
            .map(|k| candidate_sql(1 << k, json))
            .collect()
    }
    static SQLITE: LazyLock<Vec<CandidateSql>> = LazyLock::new(|| buckets(Json::Sqlite));
    static POSTGRES: LazyLock<Vec<CandidateSql>> = LazyLock::new(|| buckets(Json::Postgres));
    let all = match json {
        Json::Sqlite => &*SQLITE,
        Json::Postgres => &*POSTGRES,
    };
    let k = id_bucket(size).trailing_zeros().saturating_sub(3);
    let k = usize::try_from(k).unwrap_or(0).min(all.len() - 1);
    &all[k]
}

/// Deferrals from a clinic's meeting: `$1` clinic, `$2` meeting day.
pub const DEFERRALS: &str = "SELECT d.episode_id, d.meets_on, d.reason, \
     u.display_name AS deferred_by_name FROM review_deferrals d \
     LEFT JOIN users u ON u.id = d.deferred_by WHERE d.clinic_id = $1 AND d.meets_on = $2";

const MEETING_COLUMNS: &str = "m.id, m.clinic_id, m.meets_on, m.attendees, \
     u.display_name AS started_by_name, m.started_at, m.ended_at";

pub static MEETING_ON: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MEETING_COLUMNS} FROM review_meetings m LEFT JOIN users u ON u.id = m.started_by \
         WHERE m.clinic_id = $1 AND m.meets_on = $2"
    )
});

pub static MEETING_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MEETING_COLUMNS} FROM review_meetings m LEFT JOIN users u ON u.id = m.started_by \
         WHERE m.id = $1"
    )
});

/// A clinic's meetings, newest first, with counts: `$1` clinic, `$2` limit.
pub static MEETINGS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MEETING_COLUMNS}, \
         (SELECT COUNT(*) FROM case_reviews r WHERE r.meeting_id = m.id) AS reviewed, \
         (SELECT COUNT(*) FROM recommendations x JOIN case_reviews r ON r.id = x.case_review_id \
          WHERE r.meeting_id = m.id) AS recommendations, \
         (SELECT COUNT(*) FROM meeting_entries me WHERE me.meeting_id = m.id \
          AND me.outcome <> 'reviewed') AS carried \
         FROM review_meetings m LEFT JOIN users u ON u.id = m.started_by \
         WHERE m.clinic_id = $1 ORDER BY m.meets_on DESC LIMIT $2"
    )
});

/// The entries of the clinic's last meeting before a day: `$1` clinic, `$2` day.
pub const PREVIOUS_ENTRIES: &str = "SELECT me.episode_id, me.outcome, me.carried_weeks \
     FROM meeting_entries me WHERE me.meeting_id = (SELECT m.id FROM review_meetings m \
     WHERE m.clinic_id = $1 AND m.meets_on < $2 ORDER BY m.meets_on DESC LIMIT 1)";

pub const INSERT_MEETING: &str = "INSERT INTO review_meetings \
     (clinic_id, meets_on, attendees, started_by, started_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (clinic_id, meets_on) DO NOTHING";

pub const END_MEETING: &str =
    "UPDATE review_meetings SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL";

/// Records an entry unless the meeting already has one for the episode.
pub const INSERT_ENTRY: &str = "INSERT INTO meeting_entries \
     (meeting_id, episode_id, outcome, carried_weeks) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (meeting_id, episode_id) DO NOTHING";

/// Records an entry, replacing the outcome of an existing one.
pub const UPSERT_ENTRY: &str = "INSERT INTO meeting_entries \
     (meeting_id, episode_id, outcome, carried_weeks) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (meeting_id, episode_id) DO UPDATE SET outcome = excluded.outcome";

pub const UPDATE_QUEUE: &str = "UPDATE review_queue SET due_on = $3, stale = FALSE \
     WHERE episode_id = $1 AND version = $2";

pub const REMOVE_MARKS: &str = "UPDATE review_marks SET removed_at = $2, removed_by = $3 \
     WHERE episode_id = $1 AND removed_at IS NULL";

pub const INSERT_MARK: &str = "INSERT INTO review_marks \
     (episode_id, marked_on, reason, marked_by, created_at) VALUES ($1, $2, $3, $4, $5)";

pub static MARK_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MARK_COLUMNS} FROM review_marks k LEFT JOIN users u ON u.id = k.marked_by \
         WHERE k.episode_id = $1 AND k.removed_at IS NULL ORDER BY k.id DESC LIMIT 1"
    )
});

pub const INSERT_PREP: &str = "INSERT INTO review_preps \
     (episode_id, prepared_on, summary, prepared_by, created_at) VALUES ($1, $2, $3, $4, $5)";

pub const PREP_BY_EPISODE: &str = "SELECT rp.episode_id, rp.prepared_on, rp.summary, \
     u.display_name AS prepared_by_name FROM review_preps rp \
     LEFT JOIN users u ON u.id = rp.prepared_by WHERE rp.episode_id = $1 ORDER BY rp.id DESC LIMIT 1";

pub const INSERT_DEFERRAL: &str = "INSERT INTO review_deferrals \
     (episode_id, clinic_id, meets_on, reason, deferred_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";

/// A deferral after the meeting started: its recorded entry becomes "deferred".
pub const MARK_ENTRY_DEFERRED: &str = "UPDATE meeting_entries SET outcome = 'deferred' \
     WHERE episode_id = $1 AND meeting_id = \
     (SELECT m.id FROM review_meetings m WHERE m.clinic_id = $2 AND m.meets_on = $3)";

pub const DEFERRAL: &str = "SELECT d.episode_id, d.meets_on, d.reason, \
     u.display_name AS deferred_by_name FROM review_deferrals d \
     LEFT JOIN users u ON u.id = d.deferred_by WHERE d.episode_id = $1 AND d.meets_on = $2";

pub const CASE_REVIEW_ID: &str =
    "SELECT id FROM case_reviews WHERE meeting_id = $1 AND episode_id = $2";

pub const INSERT_CASE_REVIEW: &str = "INSERT INTO case_reviews \
     (meeting_id, episode_id, reviewed_on, reviewer_id, note, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

pub const SET_REVIEW_NOTE: &str = "UPDATE case_reviews SET note = $2 WHERE id = $1";

pub const INSERT_RECOMMENDATION: &str = "INSERT INTO recommendations \
     (case_review_id, episode_id, kind, details, status, due_on, version, recorded_by, created_at) \
     VALUES ($1, $2, $3, $4, 'open', $5, 1, $6, $7)";

pub static CASE_REVIEW_BY_ID: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&CASE_REVIEW_FIELDS);
    format!("SELECT {columns} {CASE_REVIEW_FROM} WHERE r.id = $1")
});

pub static RECOMMENDATIONS_OF_REVIEW: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&RECOMMENDATION_FIELDS);
    format!("SELECT {columns} {RECOMMENDATION_FROM} WHERE x.case_review_id = $1 ORDER BY x.id")
});

/// An episode's case reviews, oldest first, and their recommendations.
pub static REVIEWS_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&CASE_REVIEW_FIELDS);
    format!(
        "SELECT {columns} {CASE_REVIEW_FROM} WHERE r.episode_id = $1 \
         ORDER BY r.reviewed_on, r.id"
    )
});

pub static RECOMMENDATIONS_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&RECOMMENDATION_FIELDS);
    format!("SELECT {columns} {RECOMMENDATION_FROM} WHERE x.episode_id = $1 ORDER BY x.id")
});

/// A meeting's reviews and recommendations: `$1` meeting.
pub static REVIEWS_OF_MEETING: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&CASE_REVIEW_FIELDS);
    format!("SELECT {columns} {CASE_REVIEW_FROM} WHERE r.meeting_id = $1 ORDER BY r.id")
});

pub static RECOMMENDATIONS_OF_MEETING: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&RECOMMENDATION_FIELDS);
    format!("SELECT {columns} {RECOMMENDATION_FROM} WHERE cr.meeting_id = $1 ORDER BY x.id")
});

/// A meeting's entries with the patients: `$1` meeting.
pub const ENTRIES_OF_MEETING: &str = "SELECT me.episode_id, me.outcome, me.carried_weeks, \
     p.id AS patient_id, p.given_name, p.family_name FROM meeting_entries me \
     JOIN episodes e ON e.id = me.episode_id JOIN patients p ON p.id = e.patient_id \
     WHERE me.meeting_id = $1 ORDER BY p.family_name, p.given_name, p.id";

/// Open recommendations of a clinic: `$1` clinic, `$2` care manager or NULL.
pub static TASKS: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&RECOMMENDATION_FIELDS);
    format!(
        "SELECT {columns}, p.id AS patient_id, p.given_name, p.family_name, p.mrn, \
         cm.display_name AS care_manager_name, mt.meets_on \
         {RECOMMENDATION_FROM} JOIN review_meetings mt ON mt.id = cr.meeting_id \
         JOIN episodes e ON e.id = x.episode_id JOIN patients p ON p.id = e.patient_id \
         LEFT JOIN users cm ON cm.id = e.care_manager_id \
         WHERE x.status = 'open' AND p.clinic_id = $1 AND ($2 IS NULL OR e.care_manager_id = $2) \
         ORDER BY x.due_on, x.id"
    )
});

pub static RECOMMENDATION_WITH_OWNER: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&RECOMMENDATION_FIELDS);
    format!(
        "SELECT {columns}, e.patient_id, p.clinic_id \
         {RECOMMENDATION_FROM} JOIN episodes e ON e.id = x.episode_id \
         JOIN patients p ON p.id = e.patient_id WHERE x.id = $1"
    )
});

pub const UPDATE_TASK: &str = "UPDATE recommendations SET status = $3, version = version + 1, \
     status_changed_at = $4, status_by = $5 WHERE id = $1 AND version = $2";

pub static RECOMMENDATION_BY_ID: LazyLock<String> = LazyLock::new(|| {
    let columns = select_list(&RECOMMENDATION_FIELDS);
    format!("SELECT {columns} {RECOMMENDATION_FROM} WHERE x.id = $1")
});
