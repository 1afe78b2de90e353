//! SQL for the clinic-lead reports, shared by both backends. The outcome figures are computed by
//! the domain functions over a population loaded with the caseload's statements; counts and
//! minute sums the database aggregates itself.

use std::sync::LazyLock;

use super::care_sql::{caseload_sql_with, CaseloadSql};

/// A report's episodes: `$1` clinic, `$2` care manager or NULL, `$3`–`$4` the enrollment
/// period, `$5` the first day an episode must still have been open. Reached through
/// `patients_by_clinic_name` and then `episodes_by_patient`, so a clinic's report reads that
/// clinic's rows only.
const POPULATION_FILTER: &str = "p.clinic_id = $1 AND ($2 IS NULL OR e.care_manager_id = $2) \
     AND e.enrolled_on >= $3 AND e.enrolled_on <= $4 \
     AND (e.discharged_on IS NULL OR e.discharged_on >= $5)";

/// The episodes of a report's scope, named inside `IN (…)`.
static POPULATION_IDS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT e.id FROM episodes e JOIN patients p ON p.id = e.patient_id \
         WHERE {POPULATION_FILTER}"
    )
});

/// The caseload's statements for a report's scope; a report reads their episodes and reviews.
pub static POPULATION: LazyLock<CaseloadSql> =
    LazyLock::new(|| caseload_sql_with(POPULATION_FILTER, POPULATION_IDS.clone()));

/// Each episode's PHQ-9 scores packed into one text, `id:date:total` comma-separated in any order
/// (the reader sorts). A clinic's report reads one row per episode instead of one per score:
/// reading rows, not the database's work, is what costs most (`server/benches/reports.rs`).
pub static PACKED_SCORES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT m.episode_id, string_agg(CAST(m.id AS TEXT) || ':' || CAST(m.taken_on AS TEXT) \
         || ':' || CAST(m.total AS TEXT), ',') AS packed \
         FROM measurements m WHERE m.deleted_at IS NULL AND m.instrument = 'PHQ-9' \
         AND m.episode_id IN ({}) GROUP BY m.episode_id",
        POPULATION_IDS.as_str()
    )
});

/// Each episode's contacts packed into one text, `date:kind:minutes:by_care_manager` (1 or 0),
/// comma-separated.
pub static PACKED_CONTACTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT c.episode_id, string_agg(CAST(c.occurred_on AS TEXT) || ':' || c.kind || ':' \
         || CAST(c.minutes AS TEXT) || ':' || CASE WHEN c.by_care_manager THEN '1' ELSE '0' END, \
         ',') AS packed \
         FROM contacts c WHERE c.episode_id IN ({}) GROUP BY c.episode_id",
        POPULATION_IDS.as_str()
    )
});

/// Episodes per row of [`OUTCOME_EPISODES`].
pub const EPISODES_PER_ROW: i64 = 256;

/// A report's episodes as the outcome figures read them, without patient identity: each
/// episode packed into one text, `id|patient|enrolled|discharged|status|targets|scores|contacts|
/// reviews` (scores and contacts as in [`PACKED_SCORES`] and [`PACKED_CONTACTS`], review days
/// comma-separated), and [`EPISODES_PER_ROW`] episodes per row, `;`-separated. `$6` (0 or 1)
/// picks the even or the odd rows, so the two halves are read side by side. Reading a row
/// costs more than the database's work here, so a 10,000-patient clinic comes back in about 40
/// rows (`server/benches/reports.rs`).
pub static OUTCOME_EPISODES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT x.chunk, string_agg(x.packed, ';') AS packed FROM ( \
         SELECT e.id / {EPISODES_PER_ROW} AS chunk, \
         CAST(e.id AS TEXT) || '|' || CAST(e.patient_id AS TEXT) || '|' \
         || CAST(e.enrolled_on AS TEXT) || '|' || COALESCE(CAST(e.discharged_on AS TEXT), '') \
         || '|' || e.status || '|' || e.targets || '|' \
         || COALESCE((SELECT string_agg(CAST(m.id AS TEXT) || ':' || CAST(m.taken_on AS TEXT) \
              || ':' || CAST(m.total AS TEXT), ',') \
              FROM measurements m WHERE m.episode_id = e.id AND m.instrument = 'PHQ-9' \
              AND m.deleted_at IS NULL), '') || '|' \
         || COALESCE((SELECT string_agg(CAST(c.occurred_on AS TEXT) || ':' || c.kind || ':' \
              || CAST(c.minutes AS TEXT) || ':' \
              || CASE WHEN c.by_care_manager THEN '1' ELSE '0' END, ',') \
              FROM contacts c WHERE c.episode_id = e.id), '') || '|' \
         || COALESCE((SELECT string_agg(CAST(r.reviewed_on AS TEXT), ',') \
              FROM case_reviews r WHERE r.episode_id = e.id), '') AS packed \
         FROM episodes e JOIN patients p ON p.id = e.patient_id WHERE {POPULATION_FILTER} \
         AND (e.id / {EPISODES_PER_ROW}) % 2 = $6 \
         ) x GROUP BY x.chunk ORDER BY x.chunk"
    )
});

/// Open episodes per care manager and status: `$1` clinic, `$2` care manager or NULL, `$3` a
/// target condition code or '' for all. An episode with no recorded target treats depression.
pub const CASELOAD_COUNTS: &str = "SELECT e.care_manager_id, u.display_name AS care_manager_name, \
     e.status, COUNT(*) AS patients \
     FROM episodes e JOIN patients p ON p.id = e.patient_id \
     LEFT JOIN users u ON u.id = e.care_manager_id \
     WHERE p.clinic_id = $1 AND e.discharged_on IS NULL \
     AND ($2 IS NULL OR e.care_manager_id = $2) \
     AND ($3 = '' OR (',' || e.targets || ',') LIKE ('%,' || $3 || ',%') \
          OR ($3 = 'depression' AND e.targets = '')) \
     GROUP BY e.care_manager_id, u.display_name, e.status";

/// Every episode of clinic `$1` open on a day from `$2` to `$3` (a calendar month), with the
/// minutes care managers recorded in that month.
pub const BILLING_MINUTES: &str = "SELECT p.id AS patient_id, e.id AS episode_id, p.family_name, \
     p.given_name, p.mrn, e.enrolled_on, e.pcp, u.display_name AS care_manager_name, \
     CAST(COALESCE(SUM(c.minutes), 0) AS BIGINT) AS minutes \
     FROM episodes e JOIN patients p ON p.id = e.patient_id \
     LEFT JOIN users u ON u.id = e.care_manager_id \
     LEFT JOIN contacts c ON c.episode_id = e.id AND c.by_care_manager = TRUE \
          AND c.occurred_on >= $2 AND c.occurred_on <= $3 \
     WHERE p.clinic_id = $1 AND e.enrolled_on <= $3 \
     AND (e.discharged_on IS NULL OR e.discharged_on >= $2) \
     GROUP BY p.id, e.id, p.family_name, p.given_name, p.mrn, e.enrolled_on, e.pcp, u.display_name";

/// Patients of clinic `$1` with a recorded measure exclusion.
pub const MEASURE_EXCLUSIONS: &str = "SELECT id, birth_date, measure_exclusions FROM patients \
     WHERE clinic_id = $1 AND measure_exclusions <> ''";
