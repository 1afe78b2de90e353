//! Row structs for the records of care, and their conversion into domain values. As in `rows.rs`,
//! stored codes are parsed back through the domain, so a corrupt row is reported, never trusted.

use app::accounts::StaffMember;
use app::domain::{
    ContactKind, DischargeSetting, EpisodeData, SocialNeed, StatusReason, TargetCondition,
};
use app::model::{
    ClinicId, ContactId, ContactRecord, Episode, EpisodeDetails, EpisodeId, EpisodeRecord,
    HospitalEvent, Owner, Patient, PatientFacts, PatientId, PatientRecord, StatusChange,
    TreatmentChange,
};
use app::policy::Role;
use app::ports::StoreError;
use chrono::{NaiveDate, NaiveDateTime};

use super::rows::status;

/// Target conditions as stored: "depression,anxiety".
pub fn encode_targets(targets: &[TargetCondition]) -> String {
    targets
        .iter()
        .map(|t| t.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn decode_targets(raw: &str) -> Result<Vec<TargetCondition>, StoreError> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|code| {
            TargetCondition::from_code(code)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown target condition {code:?}")))
        })
        .collect()
}

pub fn encode_social_needs(needs: &[SocialNeed]) -> String {
    needs.iter().map(|n| n.code()).collect::<Vec<_>>().join(",")
}

fn decode_social_needs(raw: &str) -> Result<Vec<SocialNeed>, StoreError> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|code| {
            SocialNeed::from_code(code)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown social need {code:?}")))
        })
        .collect()
}

fn contact_kind(code: &str) -> Result<ContactKind, StoreError> {
    ContactKind::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown contact kind {code:?}")))
}

fn setting(code: &str) -> Result<DischargeSetting, StoreError> {
    DischargeSetting::from_code(code)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown discharge setting {code:?}")))
}

fn minutes(m: i64) -> Result<u32, StoreError> {
    u32::try_from(m).map_err(|_| StoreError::Corrupt(format!("contact minutes {m} out of range")))
}

#[derive(Debug, sqlx::FromRow)]
pub struct EpisodeRecordRow {
    pub id: i64,
    pub patient_id: i64,
    pub enrolled_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub status: String,
    pub care_manager_id: Option<i64>,
    pub consultant_id: Option<i64>,
    pub pcp: String,
    pub targets: String,
    pub care_plan: String,
    pub relapse_plan: String,
    pub version: i64,
    pub care_manager_name: Option<String>,
    pub consultant_name: Option<String>,
}

impl TryFrom<EpisodeRecordRow> for EpisodeRecord {
    type Error = StoreError;
    fn try_from(r: EpisodeRecordRow) -> Result<Self, StoreError> {
        Ok(EpisodeRecord {
            episode: Episode {
                id: EpisodeId(r.id),
                patient_id: PatientId(r.patient_id),
                enrolled_on: r.enrolled_on,
                discharged_on: r.discharged_on,
                status: status(&r.status)?,
            },
            details: EpisodeDetails {
                care_manager_id: r.care_manager_id,
                consultant_id: r.consultant_id,
                pcp: r.pcp,
                targets: decode_targets(&r.targets)?,
            },
            care_manager_name: r.care_manager_name,
            consultant_name: r.consultant_name,
            care_plan: r.care_plan,
            relapse_plan: r.relapse_plan,
            version: r.version,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct PatientRecordRow {
    #[sqlx(flatten)]
    pub patient: super::rows::PatientRow,
    pub chronic_conditions: String,
    pub social_needs: String,
    pub substance_use_disorder: bool,
    pub serious_mental_illness: bool,
    pub long_term_care_decision: bool,
    pub measure_exclusions: String,
    pub version: i64,
}

impl TryFrom<PatientRecordRow> for PatientRecord {
    type Error = StoreError;
    fn try_from(r: PatientRecordRow) -> Result<Self, StoreError> {
        Ok(PatientRecord {
            patient: r.patient.into(),
            facts: PatientFacts {
                chronic_conditions: r
                    .chronic_conditions
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                social_needs: decode_social_needs(&r.social_needs)?,
                substance_use_disorder: r.substance_use_disorder,
                serious_mental_illness: r.serious_mental_illness,
                long_term_care_decision: r.long_term_care_decision,
                measure_exclusions: decode_exclusions(&r.measure_exclusions)?,
            },
            version: r.version,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct OwnerRow {
    pub patient_id: i64,
    pub clinic_id: i64,
    pub episode_id: i64,
}

impl From<OwnerRow> for Owner {
    fn from(r: OwnerRow) -> Self {
        Owner {
            patient_id: PatientId(r.patient_id),
            clinic_id: ClinicId(r.clinic_id),
            episode_id: EpisodeId(r.episode_id),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct EpisodeBoundsRow {
    pub enrolled_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub episode_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub minutes: i64,
    pub note: String,
    pub user_name: Option<String>,
    pub by_care_manager: bool,
}

impl TryFrom<ContactRow> for ContactRecord {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> Result<Self, StoreError> {
        Ok(ContactRecord {
            id: ContactId(r.id),
            episode_id: EpisodeId(r.episode_id),
            occurred_on: r.occurred_on,
            kind: contact_kind(&r.kind)?,
            minutes: minutes(r.minutes)?,
            note: r.note,
            user_name: r.user_name,
            by_care_manager: r.by_care_manager,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct HospitalEventRow {
    pub id: i64,
    pub episode_id: i64,
    pub setting: String,
    pub discharged_at: NaiveDateTime,
}

impl TryFrom<HospitalEventRow> for HospitalEvent {
    type Error = StoreError;
    fn try_from(r: HospitalEventRow) -> Result<Self, StoreError> {
        Ok(HospitalEvent {
            id: r.id,
            episode_id: EpisodeId(r.episode_id),
            setting: setting(&r.setting)?,
            discharged_at: r.discharged_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct TreatmentChangeRow {
    pub id: i64,
    pub episode_id: i64,
    pub changed_on: NaiveDate,
    pub description: String,
    pub user_name: Option<String>,
}

impl From<TreatmentChangeRow> for TreatmentChange {
    fn from(r: TreatmentChangeRow) -> Self {
        TreatmentChange {
            id: r.id,
            episode_id: EpisodeId(r.episode_id),
            changed_on: r.changed_on,
            description: r.description,
            user_name: r.user_name,
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct RuleTreatmentChangeRow {
    pub episode_id: i64,
    pub changed_on: NaiveDate,
    pub description: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct StatusChangeRow {
    pub id: i64,
    pub episode_id: i64,
    pub changed_on: NaiveDate,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    pub note: String,
    pub user_name: Option<String>,
}

impl TryFrom<StatusChangeRow> for StatusChange {
    type Error = StoreError;
    fn try_from(r: StatusChangeRow) -> Result<Self, StoreError> {
        Ok(StatusChange {
            id: r.id,
            episode_id: EpisodeId(r.episode_id),
            changed_on: r.changed_on,
            // Enrollment is recorded with an empty "from".
            from: if r.from_status.is_empty() {
                None
            } else {
                Some(status(&r.from_status)?)
            },
            to: status(&r.to_status)?,
            reason: StatusReason::from_code(&r.reason).ok_or_else(|| {
                StoreError::Corrupt(format!("unknown status reason {:?}", r.reason))
            })?,
            note: r.note,
            user_name: r.user_name,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub display_name: String,
    pub role: String,
}

impl TryFrom<StaffRow> for StaffMember {
    type Error = StoreError;
    fn try_from(r: StaffRow) -> Result<Self, StoreError> {
        Ok(StaffMember {
            id: r.id,
            name: r.display_name,
            role: Role::from_code(&r.role)
                .ok_or_else(|| StoreError::Corrupt(format!("user {}: unknown role", r.id)))?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct CaseloadEpisodeRow {
    pub patient_id: i64,
    pub clinic_id: i64,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub episode_id: i64,
    pub enrolled_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub status: String,
    pub targets: String,
    pub care_manager_id: Option<i64>,
    pub care_manager_name: Option<String>,
    pub care_plan: String,
}

impl CaseloadEpisodeRow {
    pub fn into_parts(
        self,
    ) -> Result<(Patient, EpisodeData, Option<i64>, Option<String>), StoreError> {
        let mut data = EpisodeData::new(
            PatientId(self.patient_id),
            EpisodeId(self.episode_id),
            self.enrolled_on,
        );
        data.status = status(&self.status)?;
        data.discharged_on = self.discharged_on;
        data.targets = decode_targets(&self.targets)?;
        let patient = Patient {
            id: PatientId(self.patient_id),
            clinic_id: ClinicId(self.clinic_id),
            mrn: self.mrn,
            given_name: self.given_name,
            family_name: self.family_name,
            birth_date: self.birth_date,
        };
        Ok((patient, data, self.care_manager_id, self.care_manager_name))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ScoreChangeRow {
    pub measurement_id: i64,
    pub instrument: String,
    pub kind: String,
    pub reason: String,
    pub previous_taken_on: NaiveDate,
    pub previous_total: i64,
    pub user_name: Option<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<ScoreChangeRow> for app::model::ScoreChange {
    type Error = StoreError;
    fn try_from(r: ScoreChangeRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| {
            StoreError::Corrupt(format!("score change of {}: {what}", r.measurement_id))
        };
        Ok(app::model::ScoreChange {
            measurement_id: app::model::MeasurementId(r.measurement_id),
            instrument: app::domain::Instrument::from_code(&r.instrument)
                .map_err(|_| corrupt("unknown instrument"))?,
            deleted: match r.kind.as_str() {
                "delete" => true,
                "edit" => false,
                _ => return Err(corrupt("unknown kind")),
            },
            reason: r.reason,
            previous_taken_on: r.previous_taken_on,
            previous_total: u8::try_from(r.previous_total)
                .map_err(|_| corrupt("total out of range"))?,
            user_name: r.user_name,
            changed_at: r.changed_at,
        })
    }
}

/// Open episodes as the rules read them, with what the review board shows beside them.
#[derive(Debug, Default)]
pub struct LoadedEpisodes {
    pub episodes: Vec<app::model::CaseloadEpisode>,
    pub care_plans: Vec<(EpisodeId, String)>,
    pub last_changes: Vec<(EpisodeId, NaiveDate, String)>,
}

/// Open episodes with their records, from the seven statements' rows.
pub fn assemble(
    episodes: Vec<CaseloadEpisodeRow>,
    measurements: Vec<super::packed::PackedRow>,
    contacts: Vec<super::packed::PackedRow>,
    events: Vec<HospitalEventRow>,
    changes: Vec<RuleTreatmentChangeRow>,
    reviews: Vec<super::packed::PackedRow>,
    marks: Vec<super::review_rows::MarkRow>,
) -> Result<LoadedEpisodes, StoreError> {
    let mut out = LoadedEpisodes::default();
    let mut index = std::collections::HashMap::with_capacity(episodes.len());
    for row in episodes {
        let care_plan = row.care_plan.clone();
        let (patient, data, care_manager_id, care_manager_name) = row.into_parts()?;
        index.insert(data.episode_id.0, out.episodes.len());
        out.care_plans.push((data.episode_id, care_plan));
        out.episodes.push(app::model::CaseloadEpisode {
            patient,
            care_manager_id,
            care_manager_name,
            data,
        });
    }
    let eps = &mut out.episodes;
    for row in measurements {
        if let Some(&i) = index.get(&row.episode_id) {
            eps[i].data.scores.extend(super::packed::unpack_rule_scores(
                row.episode_id,
                &row.packed,
            )?);
        }
    }
    for row in contacts {
        if let Some(&i) = index.get(&row.episode_id) {
            for contact in super::packed::unpack_contacts(row.episode_id, &row.packed)? {
                eps[i].data.record_contact(contact);
            }
        }
    }
    for row in events {
        let event: app::model::HospitalEvent = row.try_into()?;
        if let Some(&i) = index.get(&event.episode_id.0) {
            eps[i].data.hospital_discharges.push(event.discharge());
        }
    }
    let mut last_change = std::collections::HashMap::new();
    for row in changes {
        if let Some(&i) = index.get(&row.episode_id) {
            eps[i].data.treatment_changes.push(row.changed_on);
            last_change.insert(row.episode_id, (row.changed_on, row.description));
        }
    }
    out.last_changes = last_change
        .into_iter()
        .map(|(e, (d, t))| (EpisodeId(e), d, t))
        .collect();
    for row in reviews {
        if let Some(&i) = index.get(&row.episode_id) {
            eps[i]
                .data
                .psychiatric_reviews
                .extend(super::packed::unpack_days(row.episode_id, &row.packed)?);
        }
    }
    for row in marks {
        if let Some(&i) = index.get(&row.episode_id) {
            eps[i].data.review_mark = Some(app::domain::ReviewMark {
                marked_on: row.marked_on,
                reason: row.reason,
            });
        }
    }
    Ok(out)
}

/// Exclusion codes as stored: "bipolar_disorder,hospice".
pub fn encode_exclusions(exclusions: &[app::domain::quality::MeasureExclusion]) -> String {
    exclusions
        .iter()
        .map(|e| e.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn decode_exclusions(
    raw: &str,
) -> Result<Vec<app::domain::quality::MeasureExclusion>, StoreError> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|code| {
            app::domain::quality::MeasureExclusion::from_code(code)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown measure exclusion {code:?}")))
        })
        .collect()
}
