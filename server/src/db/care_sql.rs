//! SQL for the records of care (enrollment, episodes, scores, contacts, events), shared by both
//! backends. Only `$n` binds and portable SQL.

use std::sync::LazyLock;

pub const EPISODE_RECORD_COLUMNS: &str = "e.id, e.patient_id, e.enrolled_on, e.discharged_on, \
     e.status, e.care_manager_id, e.consultant_id, e.pcp, e.targets, e.care_plan, e.relapse_plan, \
     e.version, cm.display_name AS care_manager_name, cs.display_name AS consultant_name";

const EPISODE_RECORD_FROM: &str = "FROM episodes e \
     LEFT JOIN users cm ON cm.id = e.care_manager_id \
     LEFT JOIN users cs ON cs.id = e.consultant_id";

pub static EPISODE_RECORDS_FOR_PATIENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {EPISODE_RECORD_COLUMNS} {EPISODE_RECORD_FROM} WHERE e.patient_id = $1 \
         ORDER BY e.enrolled_on DESC, e.id DESC"
    )
});

pub static EPISODE_RECORD: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {EPISODE_RECORD_COLUMNS} {EPISODE_RECORD_FROM} WHERE e.id = $1")
});

pub const INSERT_EPISODE: &str = "INSERT INTO episodes \
     (patient_id, enrolled_on, status, created_at, care_manager_id, consultant_id, pcp, targets) \
     VALUES ($1, $2, 'active', $3, $4, $5, $6, $7) RETURNING id";

pub const UPDATE_EPISODE: &str = "UPDATE episodes SET care_manager_id = $3, consultant_id = $4, \
     pcp = $5, targets = $6, care_plan = $7, relapse_plan = $8, version = version + 1 \
     WHERE id = $1 AND version = $2";

pub const SET_EPISODE_STATUS: &str = "UPDATE episodes SET status = $3, discharged_on = $4, \
     version = version + 1 WHERE id = $1 AND version = $2";

pub const INSERT_STATUS_CHANGE: &str = "INSERT INTO status_changes \
     (episode_id, changed_on, from_status, to_status, reason, note, user_id, entered_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

pub const EPISODE_OWNER: &str = "SELECT e.patient_id, p.clinic_id, e.id AS episode_id \
     FROM episodes e JOIN patients p ON p.id = e.patient_id WHERE e.id = $1";

pub const EPISODE_BOUNDS: &str = "SELECT enrolled_on, discharged_on FROM episodes WHERE id = $1";

const PATIENT_RECORD_COLUMNS: &str = "id, clinic_id, mrn, given_name, family_name, birth_date, \
     chronic_conditions, social_needs, substance_use_disorder, serious_mental_illness, \
     long_term_care_decision, measure_exclusions, version";

pub static PATIENT_RECORD: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {PATIENT_RECORD_COLUMNS} FROM patients WHERE id = $1"));

pub const UPDATE_PATIENT_FACTS: &str = "UPDATE patients SET chronic_conditions = $3, \
     social_needs = $4, substance_use_disorder = $5, serious_mental_illness = $6, \
     long_term_care_decision = $7, updated_at = $8, measure_exclusions = $9, \
     version = version + 1 \
     WHERE id = $1 AND version = $2";

pub const MEASUREMENT_COLUMNS: &str = "m.id, m.episode_id, m.instrument, m.taken_on, m.items, \
     m.total, m.source, m.entered_at, m.difficulty, m.version";

pub const INSERT_MEASUREMENT: &str = "INSERT INTO measurements \
     (episode_id, instrument, taken_on, items, total, source, entered_at, difficulty, entered_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

pub static MEASUREMENT_WITH_OWNER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MEASUREMENT_COLUMNS}, e.patient_id, p.clinic_id \
         FROM measurements m JOIN episodes e ON e.id = m.episode_id \
         JOIN patients p ON p.id = e.patient_id \
         WHERE m.id = $1 AND m.deleted_at IS NULL"
    )
});

pub static MEASUREMENTS_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MEASUREMENT_COLUMNS} FROM measurements m \
         WHERE m.episode_id = $1 AND m.deleted_at IS NULL ORDER BY m.taken_on, m.id"
    )
});

pub const INSERT_MEASUREMENT_CHANGE: &str = "INSERT INTO measurement_changes \
     (measurement_id, kind, reason, previous_taken_on, previous_items, previous_total, user_id, \
     changed_at) SELECT id, $2, $3, taken_on, items, total, $4, $5 FROM measurements WHERE id = $1";

pub const UPDATE_MEASUREMENT: &str = "UPDATE measurements SET taken_on = $3, items = $4, \
     total = $5, difficulty = $6, version = version + 1 \
     WHERE id = $1 AND version = $2 AND deleted_at IS NULL";

pub const DELETE_MEASUREMENT: &str = "UPDATE measurements SET deleted_at = $3, \
     version = version + 1 WHERE id = $1 AND version = $2 AND deleted_at IS NULL";

pub const CONTACT_COLUMNS: &str = "c.id, c.episode_id, c.occurred_on, c.kind, c.minutes, c.note, \
     u.display_name AS user_name, c.by_care_manager";

pub const INSERT_CONTACT: &str = "INSERT INTO contacts \
     (episode_id, occurred_on, kind, minutes, note, user_id, by_care_manager, entered_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

pub static CONTACT_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts c LEFT JOIN users u ON u.id = c.user_id \
         WHERE c.id = $1"
    )
});

pub static CONTACTS_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CONTACT_COLUMNS} FROM contacts c LEFT JOIN users u ON u.id = c.user_id \
         WHERE c.episode_id = $1 ORDER BY c.occurred_on DESC, c.id DESC"
    )
});

const HOSPITAL_EVENT_COLUMNS: &str = "h.id, h.episode_id, h.setting, h.discharged_at";

pub static INSERT_HOSPITAL_EVENT: LazyLock<String> = LazyLock::new(|| {
    "INSERT INTO hospital_events (episode_id, setting, discharged_at, user_id, entered_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, episode_id, setting, discharged_at"
        .to_owned()
});

pub static HOSPITAL_EVENTS_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {HOSPITAL_EVENT_COLUMNS} FROM hospital_events h WHERE h.episode_id = $1 \
         ORDER BY h.discharged_at DESC, h.id DESC"
    )
});

const TREATMENT_CHANGE_COLUMNS: &str =
    "t.id, t.episode_id, t.changed_on, t.description, u.display_name AS user_name";

pub const INSERT_TREATMENT_CHANGE: &str = "INSERT INTO treatment_changes \
     (episode_id, changed_on, description, user_id, entered_at) VALUES ($1, $2, $3, $4, $5) \
     RETURNING id";

pub static TREATMENT_CHANGE_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {TREATMENT_CHANGE_COLUMNS} FROM treatment_changes t \
         LEFT JOIN users u ON u.id = t.user_id WHERE t.id = $1"
    )
});

pub static TREATMENT_CHANGES_OF_EPISODE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {TREATMENT_CHANGE_COLUMNS} FROM treatment_changes t \
         LEFT JOIN users u ON u.id = t.user_id WHERE t.episode_id = $1 \
         ORDER BY t.changed_on DESC, t.id DESC"
    )
});

pub const STATUS_CHANGES_OF_EPISODE: &str = "SELECT s.id, s.episode_id, s.changed_on, \
     s.from_status, s.to_status, s.reason, s.note, u.display_name AS user_name \
     FROM status_changes s LEFT JOIN users u ON u.id = s.user_id WHERE s.episode_id = $1 \
     ORDER BY s.id";

/// The corrections and deletions of an episode's scores, newest first.
pub const SCORE_CHANGES_OF_EPISODE: &str =
    "SELECT c.measurement_id, m.instrument, c.kind, c.reason, \
     c.previous_taken_on, c.previous_total, u.display_name AS user_name, c.changed_at \
     FROM measurement_changes c JOIN measurements m ON m.id = c.measurement_id \
     LEFT JOIN users u ON u.id = c.user_id WHERE m.episode_id = $1 ORDER BY c.id DESC";

/// Active care managers and consultants of a clinic, by name.
pub const CLINIC_STAFF: &str = "SELECT u.id, u.display_name, u.role FROM users u \
     JOIN user_clinics uc ON uc.user_id = u.id \
     WHERE uc.clinic_id = $1 AND u.active = TRUE \
     AND u.role IN ('care_manager', 'psychiatric_consultant') ORDER BY u.display_name, u.id";

/// The caseload's episodes: `$1` clinic, `$2` care manager (NULL in the clinic variant), `$3` a
/// lower-case LIKE pattern or '' for no search. Both variants take the same binds; they differ
/// in which index leads.
///
/// Query plan (SQLite, checked in `server/tests/sqlite_store.rs`): the care-manager variant starts
/// from `episodes_by_care_manager` (care_manager_id = ?, discharged_on IS NULL), the clinic
/// variant from `patients_by_clinic_name` and then `episodes_one_open_per_patient`; scores,
/// contacts, events, treatment changes, reviews and marks are then index lookups per episode
/// (`measurements_live` and `contacts_covering`, which hold every column read, then
/// `hospital_events_by_episode`, …). Nothing scans the registry.
fn caseload_filter(mine: bool) -> String {
    let (who, q) = if mine {
        ("e.care_manager_id = $2", "$3")
    } else {
        ("($2 IS NULL OR e.care_manager_id = $2)", "$3")
    };
    format!(
        "{who} AND e.discharged_on IS NULL AND p.clinic_id = $1 \
         AND ({q} = '' OR lower(p.family_name || ', ' || p.given_name) LIKE {q} ESCAPE '\\' \
              OR lower(p.given_name || ' ' || p.family_name) LIKE {q} ESCAPE '\\' \
              OR lower(p.mrn) LIKE {q} ESCAPE '\\')"
    )
}

/// The review list's candidates: `$1` clinic, `$2` the day the rules are evaluated, `$3` the
/// meeting day. Open episodes whose queue row is stale or due by `$2` (index range scans on
/// `review_queue_stale` and `review_queue_due`), and those reviewed or deferred at the meeting.
const CANDIDATE_FILTER: &str = "p.clinic_id = $1 AND e.discharged_on IS NULL AND e.id IN ( \
     SELECT q.episode_id FROM review_queue q WHERE q.clinic_id = $1 AND q.due_on <= $2 \
     UNION SELECT q.episode_id FROM review_queue q WHERE q.clinic_id = $1 AND q.stale = TRUE \
     UNION SELECT r.episode_id FROM case_reviews r JOIN review_meetings m ON m.id = r.meeting_id \
           WHERE m.clinic_id = $1 AND m.meets_on = $3 \
     UNION SELECT d.episode_id FROM review_deferrals d WHERE d.clinic_id = $1 AND d.meets_on = $3)";

/// The statements that load a set of open episodes with everything the rules read, for one
/// filter. Every statement takes the filter's binds.
pub struct CaseloadSql {
    pub episodes: String,
    pub measurements: String,
    pub contacts: String,
    pub hospital_events: String,
    pub treatment_changes: String,
    pub reviews: String,
    pub marks: String,
}

fn caseload_sql(filter: &str) -> CaseloadSql {
    let ids = format!(
        "SELECT e.id FROM episodes e JOIN patients p ON p.id = e.patient_id WHERE {filter}"
    );
    caseload_sql_with(filter, ids)
}

/// The statements for a filter on episodes (`e`) and patients (`p`), and `ids`, what goes inside
/// `IN (…)` to name the same episodes: a subquery, or a list of placeholders.
pub fn caseload_sql_with(filter: &str, ids: String) -> CaseloadSql {
    CaseloadSql {
        episodes: format!(
            "SELECT p.id AS patient_id, p.clinic_id, p.mrn, p.given_name, p.family_name, \
             p.birth_date, e.id AS episode_id, e.enrolled_on, e.discharged_on, e.status, \
             e.targets, e.care_manager_id, u.display_name AS care_manager_name, e.care_plan \
             FROM episodes e JOIN patients p ON p.id = e.patient_id \
             LEFT JOIN users u ON u.id = e.care_manager_id \
             WHERE {filter} ORDER BY p.family_name, p.given_name, p.id"
        ),
        // Scores and contacts come packed, one row per episode: with two years of care an
        // episode has about 40 scores and 25 contacts, and handing over a row costs more than
        // the database's work for it (`server/benches/registry.rs`). They come unsorted and
        // `db::packed` puts them in date order.
        measurements: format!(
            "SELECT m.episode_id, string_agg(CAST(m.id AS TEXT) || ':' || m.instrument || ':' \
             || CAST(m.taken_on AS TEXT) || ':' || COALESCE(m.items, '') || ':' \
             || CAST(m.total AS TEXT), ';') AS packed \
             FROM measurements m WHERE m.deleted_at IS NULL AND m.episode_id IN ({ids}) \
             GROUP BY m.episode_id"
        ),
        contacts: format!(
            "SELECT c.episode_id, string_agg(CAST(c.occurred_on AS TEXT) || ':' || c.kind || ':' \
             || CAST(c.minutes AS TEXT) || ':' || CASE WHEN c.by_care_manager THEN '1' ELSE '0' END, \
             ',') AS packed \
             FROM contacts c WHERE c.episode_id IN ({ids}) GROUP BY c.episode_id"
        ),
        hospital_events: format!(
            "SELECT {HOSPITAL_EVENT_COLUMNS} FROM hospital_events h WHERE h.episode_id IN ({ids})"
        ),
        treatment_changes: format!(
            "SELECT t.episode_id, t.changed_on, t.description FROM treatment_changes t \
             WHERE t.episode_id IN ({ids}) ORDER BY t.changed_on, t.id"
        ),
        reviews: format!(
            "SELECT r.episode_id, string_agg(CAST(r.reviewed_on AS TEXT), ',') AS packed \
             FROM case_reviews r WHERE r.episode_id IN ({ids}) GROUP BY r.episode_id"
        ),
        marks: format!(
            "SELECT {MARK_COLUMNS} FROM review_marks k LEFT JOIN users u ON u.id = k.marked_by \
             WHERE k.removed_at IS NULL AND k.episode_id IN ({ids}) ORDER BY k.id"
        ),
    }
}

pub fn caseload(mine: bool) -> &'static CaseloadSql {
    static MINE: LazyLock<CaseloadSql> = LazyLock::new(|| caseload_sql(&caseload_filter(true)));
    static CLINIC: LazyLock<CaseloadSql> = LazyLock::new(|| caseload_sql(&caseload_filter(false)));
    if mine {
        &MINE
    } else {
        &CLINIC
    }
}

/// The review list's candidate episodes with their queue rows (binds: clinic, evaluation day,
/// meeting day): one statement, whose ids the record statements then take as a list. The queue
/// rows are read with the selection, before the records, so that a write in between moves a
/// row's version and the list's write-back leaves that row stale.
pub static CANDIDATES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT e.id AS episode_id, rq.version, rq.stale, rq.due_on \
         FROM episodes e JOIN patients p ON p.id = e.patient_id \
         LEFT JOIN review_queue rq ON rq.episode_id = e.id \
         WHERE {CANDIDATE_FILTER}"
    )
});

/// `$1, $2, …, $n`.
pub fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns of a review mark, `k` joined to its author `u`.
pub const MARK_COLUMNS: &str =
    "k.id, k.episode_id, k.marked_on, k.reason, u.display_name AS marked_by_name";

/// A value bound to a statement.
#[derive(Debug, Clone)]
pub enum Bind {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    Date(chrono::NaiveDate),
}

/// A LIKE pattern matching `text` anywhere, lower-cased, with `\` escaping the wildcards.
pub fn contains_pattern(text: &str) -> String {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return String::new();
    }
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}
