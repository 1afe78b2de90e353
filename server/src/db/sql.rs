//! SQL shared by both backends. Only `$n` binds and portable SQL are used here; anything
//! engine-specific lives in that engine's module.

use std::sync::LazyLock;

pub const PING: &str = "SELECT 1";

pub const INSERT_CLINIC: &str =
    "INSERT INTO clinics (name, created_at) VALUES ($1, $2) RETURNING id, name";
pub const LIST_CLINICS: &str = "SELECT id, name FROM clinics ORDER BY name, id";
pub const GET_CLINIC: &str = "SELECT id, name FROM clinics WHERE id = $1";

pub const PATIENT_COLUMNS: &str = "id, clinic_id, mrn, given_name, family_name, birth_date";

pub fn insert_patient() -> String {
    format!(
        "INSERT INTO patients (clinic_id, mrn, given_name, family_name, birth_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {PATIENT_COLUMNS}"
    )
}

pub fn get_patient() -> String {
    format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE id = $1")
}

/// A patient by clinic and MRN (the unique index `patients (clinic_id, mrn)`).
pub fn patient_by_mrn() -> String {
    format!("SELECT {PATIENT_COLUMNS} FROM patients WHERE clinic_id = $1 AND mrn = $2")
}

/// One page of the patient list with each patient's current (most recent) episode and that
/// episode's latest PHQ-9, in one statement. The page is cut from `patients_by_name` (or
/// `patients_by_clinic_name` when `$1` names a clinic) before the joins, and the correlated
/// subqueries are index lookups (`episodes_by_patient`, `measurements_live`) for the rows
/// of the page only. Binds: `$1` clinic id (only when filtered), then limit and offset.
pub fn list_patients(by_clinic: bool) -> &'static str {
    static ALL: LazyLock<String> = LazyLock::new(|| list_patients_sql(false));
    static BY_CLINIC: LazyLock<String> = LazyLock::new(|| list_patients_sql(true));
    if by_clinic {
        &BY_CLINIC
    } else {
        &ALL
    }
}

fn list_patients_sql(by_clinic: bool) -> String {
    let (filter, limit, offset) = if by_clinic {
        ("WHERE clinic_id = $1", "$2", "$3")
    } else {
        ("", "$1", "$2")
    };
    format!(
        "SELECT p.id, c.name AS clinic_name, p.mrn, p.given_name, p.family_name, p.birth_date,
       e.status, e.enrolled_on, m.total AS latest_phq9, m.taken_on AS latest_phq9_on
FROM (
    SELECT id, clinic_id, mrn, given_name, family_name, birth_date
    FROM patients {filter}
    ORDER BY family_name, given_name, id
    LIMIT {limit} OFFSET {offset}
) p
JOIN clinics c ON c.id = p.clinic_id
LEFT JOIN episodes e ON e.id = (
    SELECT e2.id FROM episodes e2 WHERE e2.patient_id = p.id
    ORDER BY e2.enrolled_on DESC, e2.id DESC LIMIT 1
)
LEFT JOIN measurements m ON m.id = (
    SELECT m2.id FROM measurements m2 WHERE m2.episode_id = e.id AND m2.instrument = 'PHQ-9'
      AND m2.deleted_at IS NULL
    ORDER BY m2.taken_on DESC, m2.id DESC LIMIT 1
)
ORDER BY p.family_name, p.given_name, p.id"
    )
}

pub const COUNT_PATIENTS: &str = "SELECT COUNT(*) FROM patients";
pub const COUNT_PATIENTS_BY_CLINIC: &str = "SELECT COUNT(*) FROM patients WHERE clinic_id = $1";

const EPISODE_COLUMNS: &str = "id, patient_id, enrolled_on, discharged_on, status";

pub fn insert_episode() -> String {
    format!(
        "INSERT INTO episodes (patient_id, enrolled_on, status, created_at) \
         VALUES ($1, $2, 'active', $3) RETURNING {EPISODE_COLUMNS}"
    )
}

pub fn get_episode() -> String {
    format!("SELECT {EPISODE_COLUMNS} FROM episodes WHERE id = $1")
}

pub fn discharge_episode() -> String {
    format!(
        "UPDATE episodes SET discharged_on = $2, status = 'discharged' \
         WHERE id = $1 AND discharged_on IS NULL RETURNING {EPISODE_COLUMNS}"
    )
}

pub fn episodes_for_patient() -> String {
    format!(
        "SELECT {EPISODE_COLUMNS} FROM episodes WHERE patient_id = $1 \
         ORDER BY enrolled_on DESC, id DESC"
    )
}

pub const COUNT_USERS: &str = "SELECT COUNT(*) FROM users";

const USER_COLUMNS: &str = "id, email, display_name, role, password_hash, active";

pub fn insert_user() -> String {
    format!(
        "INSERT INTO users (email, display_name, role, password_hash, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $5) RETURNING {USER_COLUMNS}"
    )
}

pub const INSERT_USER_CLINIC: &str =
    "INSERT INTO user_clinics (user_id, clinic_id) VALUES ($1, $2)";

pub fn get_user() -> String {
    format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")
}

pub fn find_user_by_email() -> String {
    format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1")
}

pub const USER_CLINICS: &str =
    "SELECT clinic_id FROM user_clinics WHERE user_id = $1 ORDER BY clinic_id";

pub const SET_PASSWORD_HASH: &str =
    "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";

pub const SET_USER_ACTIVE: &str = "UPDATE users SET active = $2, updated_at = $3 WHERE id = $1";

pub const AUDIT_COLUMNS: &str = "id, at, user_id, action, entity_type, entity_id, ip, outcome";

pub fn insert_audit() -> String {
    format!(
        "INSERT INTO audit_log (at, user_id, action, entity_type, entity_id, ip, outcome) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {AUDIT_COLUMNS}"
    )
}

pub const INSERT_SESSION: &str =
    "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) \
     VALUES ($1, $2, $3, $3, $4)";
/// A session with its user in one statement: every signed-in request runs it.
pub const GET_SESSION: &str = "SELECT u.id, u.email, u.display_name, u.role, u.password_hash, \
     u.active, s.created_at AS session_created_at, s.last_seen_at, s.expires_at \
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1";
pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
pub const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";
pub const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = $1";

pub const RENAME_CLINIC: &str = "UPDATE clinics SET name = $2 WHERE id = $1 RETURNING id, name";

pub const GET_CLINIC_SETTINGS: &str = "SELECT settings FROM clinic_settings WHERE clinic_id = $1";
pub const UPSERT_CLINIC_SETTINGS: &str =
    "INSERT INTO clinic_settings (clinic_id, settings, updated_at) \
     VALUES ($1, $2, $3) ON CONFLICT (clinic_id) \
     DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at";

pub fn list_users() -> String {
    format!("SELECT {USER_COLUMNS} FROM users ORDER BY display_name, id")
}

pub const ALL_MEMBERSHIPS: &str =
    "SELECT user_id, clinic_id FROM user_clinics ORDER BY user_id, clinic_id";

pub fn update_user() -> String {
    format!(
        "UPDATE users SET display_name = $2, role = $3, updated_at = $4 WHERE id = $1 \
         RETURNING {USER_COLUMNS}"
    )
}

pub const DELETE_MEMBERSHIPS: &str = "DELETE FROM user_clinics WHERE user_id = $1";
