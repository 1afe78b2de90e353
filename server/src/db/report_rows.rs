//! Rows of the report statements and their conversion to the report types.

use app::domain::quality::{MeasureExclusion, PatientFacts};
use app::domain::TargetCondition;
use app::model::{EpisodeId, PatientId};
use app::ports::StoreError;
use app::reports::{BillingMinutes, CaseloadCount};
use chrono::NaiveDate;

use super::rows::status;

#[derive(Debug, sqlx::FromRow)]
pub struct CaseloadCountRow {
    pub care_manager_id: Option<i64>,
    pub care_manager_name: Option<String>,
    pub status: String,
    pub patients: i64,
}

impl TryFrom<CaseloadCountRow> for CaseloadCount {
    type Error = StoreError;
    fn try_from(r: CaseloadCountRow) -> Result<Self, StoreError> {
        Ok(CaseloadCount {
            care_manager_id: r.care_manager_id,
            care_manager_name: r.care_manager_name,
            status: status(&r.status)?,
            patients: u64::try_from(r.patients).unwrap_or(0),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct BillingMinutesRow {
    pub patient_id: i64,
    pub episode_id: i64,
    pub family_name: String,
    pub given_name: String,
    pub mrn: String,
    pub enrolled_on: NaiveDate,
    pub pcp: String,
    pub care_manager_name: Option<String>,
    pub minutes: i64,
}

impl TryFrom<BillingMinutesRow> for BillingMinutes {
    type Error = StoreError;
    fn try_from(r: BillingMinutesRow) -> Result<Self, StoreError> {
        Ok(BillingMinutes {
            patient_id: PatientId(r.patient_id),
            episode_id: EpisodeId(r.episode_id),
            name: format!("{}, {}", r.family_name, r.given_name),
            mrn: r.mrn,
            enrolled_on: r.enrolled_on,
            pcp: r.pcp,
            care_manager_name: r.care_manager_name,
            minutes: u32::try_from(r.minutes).map_err(|_| {
                StoreError::Corrupt(format!("episode {}: minutes out of range", r.episode_id))
            })?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ExclusionRow {
    pub id: i64,
    pub birth_date: NaiveDate,
    pub measure_exclusions: String,
}

/// Exclusion codes as stored: "bipolar_disorder,hospice".
pub fn encode_exclusions(exclusions: &[MeasureExclusion]) -> String {
    exclusions
        .iter()
        .map(|e| e.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn decode_exclusions(raw: &str) -> Result<Vec<MeasureExclusion>, StoreError> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|code| {
            MeasureExclusion::from_code(code)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown measure exclusion {code:?}")))
        })
        .collect()
}

impl TryFrom<ExclusionRow> for PatientFacts {
    type Error = StoreError;
    fn try_from(r: ExclusionRow) -> Result<Self, StoreError> {
        Ok(PatientFacts {
            patient_id: PatientId(r.id),
            birth_date: r.birth_date,
            exclusions: decode_exclusions(&r.measure_exclusions)?,
        })
    }
}

/// The code a target condition filter binds: '' for all.
pub fn target_code(target: Option<TargetCondition>) -> String {
    target.map_or_else(String::new, |t| t.code().to_owned())
}
