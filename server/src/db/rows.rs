//! Row structs shared by both backends, and their conversion into domain values. Stored data is
//! parsed back through the same domain constructors, so a corrupt row is reported, never trusted.

use app::accounts::User;
use app::audit::{AuditOutcome, AuditRecord};
use app::domain::{Difficulty, Instrument, Responses};
use app::model::{
    Clinic, ClinicId, Episode, EpisodeId, EpisodeStatus, Measurement, MeasurementId,
    MeasurementSource, Patient, PatientId, PatientListRow,
};
use app::policy::Role;
use app::ports::StoreError;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, sqlx::FromRow)]
pub struct ClinicRow {
    pub id: i64,
    pub name: String,
}

impl From<ClinicRow> for Clinic {
    fn from(r: ClinicRow) -> Self {
        Clinic {
            id: ClinicId(r.id),
            name: r.name,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct PatientRow {
    pub id: i64,
    pub clinic_id: i64,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
}

impl From<PatientRow> for Patient {
    fn from(r: PatientRow) -> Self {
        Patient {
            id: PatientId(r.id),
            clinic_id: ClinicId(r.clinic_id),
            mrn: r.mrn,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
        }
    }
}

pub(crate) fn status(code: &str) -> Result<EpisodeStatus, StoreError> {
    EpisodeStatus::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown episode status {code:?}")))
}

#[derive(Debug, sqlx::FromRow)]
pub struct EpisodeRow {
    pub id: i64,
    pub patient_id: i64,
    pub enrolled_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub status: String,
}

impl TryFrom<EpisodeRow> for Episode {
    type Error = StoreError;
    fn try_from(r: EpisodeRow) -> Result<Self, StoreError> {
        Ok(Episode {
            id: EpisodeId(r.id),
            patient_id: PatientId(r.patient_id),
            enrolled_on: r.enrolled_on,
            discharged_on: r.discharged_on,
            status: status(&r.status)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct MeasurementRow {
    pub id: i64,
    pub episode_id: i64,
    pub instrument: String,
    pub taken_on: NaiveDate,
    pub items: Option<String>,
    pub total: i64,
    pub source: String,
    pub entered_at: DateTime<Utc>,
    pub difficulty: Option<String>,
    pub version: i64,
}

/// Item answers as stored: "1,0,3,…" in item order.
pub fn encode_items(items: &[u8]) -> String {
    items
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl TryFrom<MeasurementRow> for Measurement {
    type Error = StoreError;
    fn try_from(r: MeasurementRow) -> Result<Self, StoreError> {
        let corrupt = |what: String| StoreError::Corrupt(format!("measurement {}: {what}", r.id));
        let instrument =
            Instrument::from_code(&r.instrument).map_err(|e| corrupt(e.to_string()))?;
        let responses = match &r.items {
            Some(items) => {
                let answers = items
                    .split(',')
                    .map(|s| s.parse::<i64>().ok())
                    .collect::<Vec<_>>();
                let responses = Responses::from_items(instrument, &answers)
                    .map_err(|e| corrupt(e.to_string()))?;
                if i64::from(responses.total()) != r.total {
                    return Err(corrupt("stored total differs from its items".to_owned()));
                }
                responses
            }
            None => {
                Responses::total_only(instrument, r.total).map_err(|e| corrupt(e.to_string()))?
            }
        };
        let responses = match r.difficulty.as_deref() {
            None => responses,
            Some(code) => {
                let difficulty = Difficulty::from_code(code)
                    .ok_or_else(|| corrupt(format!("unknown difficulty {code:?}")))?;
                responses
                    .with_difficulty(difficulty)
                    .map_err(|e| corrupt(e.to_string()))?
            }
        };
        let source = MeasurementSource::from_code(&r.source)
            .ok_or_else(|| corrupt(format!("unknown source {:?}", r.source)))?;
        Ok(Measurement {
            id: MeasurementId(r.id),
            episode_id: EpisodeId(r.episode_id),
            taken_on: r.taken_on,
            responses,
            source,
            entered_at: r.entered_at,
            version: r.version,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct PatientListSqlRow {
    pub id: i64,
    pub clinic_name: String,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub status: Option<String>,
    pub enrolled_on: Option<NaiveDate>,
    pub latest_phq9: Option<i64>,
    pub latest_phq9_on: Option<NaiveDate>,
}

impl TryFrom<PatientListSqlRow> for PatientListRow {
    type Error = StoreError;
    fn try_from(r: PatientListSqlRow) -> Result<Self, StoreError> {
        let latest_phq9 = r
            .latest_phq9
            .map(|t| {
                u8::try_from(t)
                    .ok()
                    .filter(|t| *t <= 27)
                    .ok_or_else(|| StoreError::Corrupt(format!("PHQ-9 total {t} out of range")))
            })
            .transpose()?;
        Ok(PatientListRow {
            id: PatientId(r.id),
            clinic_name: r.clinic_name,
            mrn: r.mrn,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            status: r.status.as_deref().map(status).transpose()?,
            enrolled_on: r.enrolled_on,
            latest_phq9,
            latest_phq9_on: r.latest_phq9_on,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
}

impl UserRow {
    /// The user with their clinics, and the password hash kept apart.
    pub fn into_user(self, clinics: Vec<i64>) -> Result<(User, String), StoreError> {
        let role = Role::from_code(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("user {}: unknown role", self.id)))?;
        Ok((
            User {
                id: self.id,
                email: self.email,
                display_name: self.display_name,
                role,
                active: self.active,
                clinics: clinics.into_iter().map(ClinicId).collect(),
            },
            self.password_hash,
        ))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    pub ip: Option<String>,
    pub outcome: String,
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        let outcome = AuditOutcome::from_code(&r.outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("audit entry {}: unknown outcome", r.id)))?;
        Ok(AuditRecord {
            id: r.id,
            at: r.at,
            user_id: r.user_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            ip: r.ip,
            outcome,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub session_created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}
