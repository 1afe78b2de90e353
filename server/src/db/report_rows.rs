//! Rows of the report statements and their conversion to the report types.

use app::domain::quality::PatientFacts;
use app::domain::TargetCondition;
use app::model::{EpisodeId, PatientId};
use app::ports::StoreError;
use app::reports::{BillingMinutes, CaseloadCount};
use chrono::NaiveDate;

use super::packed::{corrupt, day, unpack_contacts, unpack_days, unpack_scores, PackedRow};
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

impl TryFrom<ExclusionRow> for PatientFacts {
    type Error = StoreError;
    fn try_from(r: ExclusionRow) -> Result<Self, StoreError> {
        Ok(PatientFacts {
            patient_id: PatientId(r.id),
            birth_date: r.birth_date,
            exclusions: super::care_rows::decode_exclusions(&r.measure_exclusions)?,
        })
    }
}

/// The code a target condition filter binds: '' for all.
pub fn target_code(target: Option<TargetCondition>) -> String {
    target.map_or_else(String::new, |t| t.code().to_owned())
}

/// A row of [`super::report_sql::OUTCOME_EPISODES`].
#[derive(Debug, sqlx::FromRow)]
pub struct PackedChunkRow {
    pub packed: String,
}

/// The episodes of packed chunks, each with its PHQ-9 scores, contacts and review days.
pub fn unpack_episodes(
    rows: &[PackedChunkRow],
) -> Result<Vec<app::domain::EpisodeData>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        for item in row.packed.split(';').filter(|i| !i.is_empty()) {
            let f: Vec<&str> = item.split('|').collect();
            let [id, patient, enrolled, discharged, status_code, targets, scores, contacts, reviews] =
                f[..]
            else {
                return Err(StoreError::Corrupt("unreadable packed episode".to_owned()));
            };
            let episode_id = id
                .parse::<i64>()
                .map_err(|_| StoreError::Corrupt("unreadable packed episode id".to_owned()))?;
            let bad = || corrupt(episode_id, "episode");
            let mut data = app::domain::EpisodeData::new(
                PatientId(patient.parse().map_err(|_| bad())?),
                EpisodeId(episode_id),
                day(enrolled).ok_or_else(bad)?,
            );
            data.discharged_on = if discharged.is_empty() {
                None
            } else {
                Some(day(discharged).ok_or_else(bad)?)
            };
            data.status = status(status_code)?;
            data.targets = super::care_rows::decode_targets(targets)?;
            data.scores = unpack_scores(episode_id, scores)?;
            for contact in unpack_contacts(episode_id, contacts)? {
                data.record_contact(contact);
            }
            data.psychiatric_reviews
                .extend(unpack_days(episode_id, reviews)?);
            out.push(data);
        }
    }
    Ok(out)
}

/// A report's episodes with their PHQ-9 scores, contacts and psychiatric reviews (what the
/// outcome, programme and quality figures read; events, treatment changes and marks are not
/// loaded).
pub fn assemble_population(
    episodes: Vec<super::care_rows::CaseloadEpisodeRow>,
    scores: Vec<PackedRow>,
    contacts: Vec<PackedRow>,
    reviews: Vec<super::review_rows::ReviewDateRow>,
) -> Result<Vec<app::model::CaseloadEpisode>, StoreError> {
    let mut out = Vec::with_capacity(episodes.len());
    let mut index = std::collections::HashMap::with_capacity(episodes.len());
    for row in episodes {
        let (patient, data, care_manager_id, care_manager_name) = row.into_parts()?;
        index.insert(data.episode_id.0, out.len());
        out.push(app::model::CaseloadEpisode {
            patient,
            care_manager_id,
            care_manager_name,
            data,
        });
    }
    for row in &scores {
        if let Some(&i) = index.get(&row.episode_id) {
            out[i].data.scores = unpack_scores(row.episode_id, &row.packed)?;
        }
    }
    for row in &contacts {
        if let Some(&i) = index.get(&row.episode_id) {
            for contact in unpack_contacts(row.episode_id, &row.packed)? {
                out[i].data.record_contact(contact);
            }
        }
    }
    for row in reviews {
        if let Some(&i) = index.get(&row.episode_id) {
            out[i].data.psychiatric_reviews.push(row.reviewed_on);
        }
    }
    Ok(out)
}
