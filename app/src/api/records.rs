//! Recording care on a chart: scores (with edits and deletions), contacts, hospital/ED
//! discharges, treatment changes, the care team and plans, care-intensity facts, and status
//! changes. Each function authorizes against the record's clinic, validates every field with a
//! field-level message, and audits the outcome.

// Form-backed server functions take one argument per form field; the `server` macro generates
// the client functions from them, so the allowance has to be module-wide.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::forms::AnswerFields;
use crate::model::{Measurement, PatientId};

/// What the measurement form shows after saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedScore {
    pub id: i64,
    pub total: u8,
    pub severity: String,
    /// Item 9 answered above 0: the safety flag is raised.
    pub safety: bool,
}

#[cfg(feature = "ssr")]
pub(crate) mod checks {
    use crate::accounts::StaffMember;
    use crate::domain::TargetCondition;
    use crate::error::AppError;
    use crate::policy::Role;

    /// An optional user id from a select, which must be a clinic member with `role`.
    pub fn staff(
        field: &str,
        raw: Option<&str>,
        role: Role,
        staff: &[StaffMember],
    ) -> Result<Option<i64>, AppError> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let id = raw.parse::<i64>().ok();
        staff
            .iter()
            .find(|s| Some(s.id) == id && s.role == role)
            .map(|s| Some(s.id))
            .ok_or_else(|| {
                AppError::invalid(
                    field,
                    format!("Choose a {} of this clinic.", role.label().to_lowercase()),
                )
            })
    }

    /// The care team and targets from the enrollment or plan form.
    pub fn details(
        staff_list: &[StaffMember],
        care_manager: Option<&str>,
        consultant: Option<&str>,
        pcp: &str,
        target_codes: Option<&[String]>,
    ) -> Result<crate::model::EpisodeDetails, AppError> {
        Ok(crate::model::EpisodeDetails {
            care_manager_id: staff("care_manager", care_manager, Role::CareManager, staff_list)?,
            consultant_id: staff(
                "consultant",
                consultant,
                Role::PsychiatricConsultant,
                staff_list,
            )?,
            pcp: crate::forms::text("pcp", "primary-care provider", pcp, 100, false)?,
            targets: targets(target_codes)?,
        })
    }

    /// Target conditions from checkboxes: at least one.
    pub fn targets(raw: Option<&[String]>) -> Result<Vec<TargetCondition>, AppError> {
        let mut out = Vec::new();
        for code in raw.unwrap_or_default() {
            let t = TargetCondition::from_code(code.trim()).ok_or_else(|| {
                AppError::invalid("targets", "Choose target conditions from the list.")
            })?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            return Err(AppError::invalid(
                "targets",
                "Choose at least one target condition.",
            ));
        }
        out.sort();
        Ok(out)
    }
}

/// Records a PHQ-9 or GAD-7 for the patient's episode.
#[server(RecordMeasurement, "/api/fn", output = crate::api::Wire)]
pub async fn record_measurement(
    patient: i64,
    episode: i64,
    instrument: String,
    taken_on: String,
    answers: Option<AnswerFields>,
) -> Result<SavedScore, AppError> {
    use crate::domain::Instrument;
    use crate::forms::{past_date, responses};
    use crate::model::{today, EpisodeId, MeasurementSource, NewMeasurement};
    use crate::policy::Action;

    let (principal, owner) = super::context::require_episode(
        Action::RecordCare,
        EpisodeId(episode),
        "measurement.create",
    )
    .await?;
    if owner.patient_id != PatientId(patient) {
        return Err(AppError::NotFound("the episode".to_owned()));
    }
    let result = async {
        let instrument = match instrument.as_str() {
            "PHQ-9" => Instrument::Phq9,
            "GAD-7" => Instrument::Gad7,
            _ => {
                return Err(AppError::invalid(
                    "instrument",
                    "Choose the PHQ-9 or the GAD-7.",
                ))
            }
        };
        let taken_on = past_date("taken_on", "date", &taken_on, today())?;
        let responses = responses("answers", instrument, &answers.unwrap_or_default())?;
        let m = super::context::store()?
            .add_measurement(&NewMeasurement {
                episode_id: owner.episode_id,
                taken_on,
                responses,
                source: MeasurementSource::Clinician,
                entered_by: Some(principal.user_id),
            })
            .await
            .map_err(|e| with_field(e.into(), "taken_on"))?;
        Ok(saved(&m))
    }
    .await;
    super::context::audited(
        &principal,
        "measurement.create",
        ("episode", episode),
        result,
    )
    .await
}

/// Store refusals about a date name the date field, so the form can point at it.
#[cfg(feature = "ssr")]
fn with_field(err: AppError, field: &str) -> AppError {
    match err {
        AppError::Invalid {
            field: None,
            message,
        } => AppError::Invalid {
            field: Some(field.to_owned()),
            message,
        },
        other => other,
    }
}

#[cfg(feature = "ssr")]
fn saved(m: &Measurement) -> SavedScore {
    SavedScore {
        id: m.id.0,
        total: m.responses.total(),
        severity: m.responses.severity().label().to_owned(),
        safety: m.responses.needs_suicide_risk_assessment(),
    }
}

/// A score with the patient it belongs to, for the edit form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementForEdit {
    pub measurement: Measurement,
    pub patient_id: PatientId,
    pub patient_name: String,
}

#[server(GetMeasurement, "/api/fn", output = crate::api::Wire)]
pub async fn get_measurement(id: i64) -> Result<MeasurementForEdit, AppError> {
    use crate::model::MeasurementId;
    use crate::policy::Action;
    let (_, measurement, owner) = super::context::require_measurement(
        Action::RecordCare,
        MeasurementId(id),
        "measurement.view",
    )
    .await?;
    let patient = super::context::store()?
        .get_patient(owner.patient_id)
        .await?
        .ok_or_else(|| AppError::NotFound("the patient".to_owned()))?;
    Ok(MeasurementForEdit {
        measurement,
        patient_id: owner.patient_id,
        patient_name: format!("{}, {}", patient.family_name, patient.given_name),
    })
}

/// Corrects a score's date or answers. The reason is required and kept with the old values.
#[server(EditMeasurement, "/api/fn", output = crate::api::Wire)]
pub async fn edit_measurement(
    id: i64,
    version: i64,
    taken_on: String,
    answers: Option<AnswerFields>,
    reason: String,
) -> Result<SavedScore, AppError> {
    use crate::forms::{past_date, responses, text};
    use crate::model::{today, MeasurementEdit, MeasurementId};
    use crate::policy::Action;
    let store = super::context::store()?;
    let (principal, current, _) = super::context::require_measurement(
        Action::RecordCare,
        MeasurementId(id),
        "measurement.edit",
    )
    .await?;
    let result = async {
        let taken_on = past_date("taken_on", "date", &taken_on, today())?;
        let responses = responses(
            "answers",
            current.instrument(),
            &answers.unwrap_or_default(),
        )?;
        let reason = text("reason", "reason for the change", &reason, 500, true)?;
        let m = store
            .update_measurement(&MeasurementEdit {
                id: MeasurementId(id),
                expected_version: version,
                taken_on,
                responses,
                reason,
                user_id: principal.user_id,
            })
            .await
            .map_err(|e| with_field(e.into(), "taken_on"))?;
        Ok(saved(&m))
    }
    .await;
    super::context::audited(&principal, "measurement.edit", ("measurement", id), result).await
}

/// Deletes a score; the reason is required. Returns the patient id, for going back to the chart.
#[server(DeleteMeasurement, "/api/fn", output = crate::api::Wire)]
pub async fn delete_measurement(id: i64, version: i64, reason: String) -> Result<i64, AppError> {
    use crate::forms::text;
    use crate::model::{MeasurementDeletion, MeasurementId};
    use crate::policy::Action;
    let store = super::context::store()?;
    let (principal, _, owner) = super::context::require_measurement(
        Action::RecordCare,
        MeasurementId(id),
        "measurement.delete",
    )
    .await?;
    let result = async {
        let reason = text("delete_reason", "reason for deleting", &reason, 500, true)?;
        store
            .delete_measurement(&MeasurementDeletion {
                id: MeasurementId(id),
                expected_version: version,
                reason,
                user_id: principal.user_id,
            })
            .await?;
        Ok(owner.patient_id.0)
    }
    .await;
    super::context::audited(
        &principal,
        "measurement.delete",
        ("measurement", id),
        result,
    )
    .await
}

/// Logs a contact, recorded by the signed-in user.
#[server(AddContact, "/api/fn", output = crate::api::Wire)]
pub async fn add_contact(
    episode: i64,
    occurred_on: String,
    kind: String,
    minutes: String,
    note: String,
) -> Result<i64, AppError> {
    use crate::domain::ContactKind;
    use crate::forms::{past_date, text};
    use crate::model::{today, EpisodeId, NewContact};
    use crate::policy::{Action, Role};
    let (principal, owner) =
        super::context::require_episode(Action::RecordCare, EpisodeId(episode), "contact.create")
            .await?;
    let result = async {
        let occurred_on = past_date("occurred_on", "contact date", &occurred_on, today())?;
        let kind = ContactKind::from_code(kind.trim())
            .ok_or_else(|| AppError::invalid("kind", "Choose the type of contact."))?;
        let minutes = crate::forms::minutes("minutes", &minutes)?;
        let note = text("note", "note", &note, 500, false)?;
        let saved = super::context::store()?
            .add_contact(&NewContact {
                episode_id: owner.episode_id,
                occurred_on,
                kind,
                minutes,
                note,
                user_id: principal.user_id,
                by_care_manager: principal.role == Role::CareManager,
            })
            .await
            .map_err(|e| with_field(e.into(), "occurred_on"))?;
        Ok(saved.id.0)
    }
    .await;
    super::context::audited(&principal, "contact.create", ("episode", episode), result).await
}

/// Records a hospital or emergency-department discharge.
#[server(AddHospitalEvent, "/api/fn", output = crate::api::Wire)]
pub async fn add_hospital_event(
    episode: i64,
    setting: String,
    discharged_at: String,
) -> Result<i64, AppError> {
    use crate::domain::DischargeSetting;
    use crate::forms::past_datetime;
    use crate::model::{EpisodeId, NewHospitalEvent};
    use crate::policy::Action;
    let (principal, owner) = super::context::require_episode(
        Action::RecordCare,
        EpisodeId(episode),
        "hospital_event.create",
    )
    .await?;
    let result = async {
        let setting = DischargeSetting::from_code(setting.trim()).ok_or_else(|| {
            AppError::invalid("setting", "Choose hospital or emergency department.")
        })?;
        let now = chrono::Local::now().naive_local();
        let discharged_at = past_datetime("discharged_at", "discharge time", &discharged_at, now)?;
        let saved = super::context::store()?
            .add_hospital_event(&NewHospitalEvent {
                episode_id: owner.episode_id,
                setting,
                discharged_at,
                user_id: principal.user_id,
            })
            .await
            .map_err(|e| with_field(e.into(), "discharged_at"))?;
        Ok(saved.id)
    }
    .await;
    super::context::audited(
        &principal,
        "hospital_event.create",
        ("episode", episode),
        result,
    )
    .await
}

/// Records a change of treatment (medication, dose, psychotherapy); it restarts the "weeks on the
/// current plan" clock of the not-improving rule.
#[server(AddTreatmentChange, "/api/fn", output = crate::api::Wire)]
pub async fn add_treatment_change(
    episode: i64,
    changed_on: String,
    description: String,
) -> Result<i64, AppError> {
    use crate::forms::{past_date, text};
    use crate::model::{today, EpisodeId, NewTreatmentChange};
    use crate::policy::Action;
    let (principal, owner) = super::context::require_episode(
        Action::RecordCare,
        EpisodeId(episode),
        "treatment_change.create",
    )
    .await?;
    let result = async {
        let changed_on = past_date("changed_on", "date of the change", &changed_on, today())?;
        let description = text("description", "description", &description, 500, true)?;
        let saved = super::context::store()?
            .add_treatment_change(&NewTreatmentChange {
                episode_id: owner.episode_id,
                changed_on,
                description,
                user_id: principal.user_id,
            })
            .await
            .map_err(|e| with_field(e.into(), "changed_on"))?;
        Ok(saved.id)
    }
    .await;
    super::context::audited(
        &principal,
        "treatment_change.create",
        ("episode", episode),
        result,
    )
    .await
}

/// Saves the episode's care team, targets, care plan and relapse-prevention plan.
#[server(SaveEpisodePlan, "/api/fn", output = crate::api::Wire)]
pub async fn save_episode_plan(
    episode: i64,
    version: i64,
    care_manager: Option<String>,
    consultant: Option<String>,
    pcp: String,
    targets: Option<Vec<String>>,
    care_plan: String,
    relapse_plan: String,
) -> Result<(), AppError> {
    use crate::forms::text;
    use crate::model::{EpisodeId, EpisodeUpdate};
    use crate::policy::Action;
    let (principal, owner) =
        super::context::require_episode(Action::EditPatient, EpisodeId(episode), "episode.edit")
            .await?;
    let result = async {
        let store = super::context::store()?;
        let staff = store.clinic_staff(owner.clinic_id).await?;
        let details = checks::details(
            &staff,
            care_manager.as_deref(),
            consultant.as_deref(),
            &pcp,
            targets.as_deref(),
        )?;
        store
            .update_episode(&EpisodeUpdate {
                episode_id: owner.episode_id,
                expected_version: version,
                details,
                care_plan: text("care_plan", "care plan", &care_plan, 4000, false)?,
                relapse_plan: text(
                    "relapse_plan",
                    "relapse-prevention plan",
                    &relapse_plan,
                    4000,
                    false,
                )?,
            })
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "episode.edit", ("episode", episode), result).await
}

/// Saves the patient's chronic conditions and social needs (the care-intensity facts).
#[server(SavePatientFacts, "/api/fn", output = crate::api::Wire)]
pub async fn save_patient_facts(
    patient: i64,
    version: i64,
    chronic_conditions: String,
    social_needs: Option<Vec<String>>,
    flags: Option<Vec<String>>,
    exclusions: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::domain::SocialNeed;
    use crate::model::PatientFacts;
    use crate::policy::Action;
    let (principal, _) =
        super::context::require_patient(Action::EditPatient, PatientId(patient), "patient.edit")
            .await?;
    let result = async {
        let conditions: Vec<String> = chronic_conditions
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if conditions.len() > 30 || conditions.iter().any(|c| c.chars().count() > 100) {
            return Err(AppError::invalid(
                "chronic_conditions",
                "List at most 30 conditions, one per line, each up to 100 characters.",
            ));
        }
        let mut needs = Vec::new();
        for code in social_needs.unwrap_or_default() {
            let need = SocialNeed::from_code(code.trim()).ok_or_else(|| {
                AppError::invalid("social_needs", "Choose social needs from the list.")
            })?;
            if !needs.contains(&need) {
                needs.push(need);
            }
        }
        let flags = flags.unwrap_or_default();
        for f in &flags {
            if ![
                "substance_use_disorder",
                "serious_mental_illness",
                "long_term_care_decision",
            ]
            .contains(&f.as_str())
            {
                return Err(AppError::invalid(
                    "flags",
                    "Choose conditions from the list.",
                ));
            }
        }
        let mut measure_exclusions = Vec::new();
        for code in exclusions.unwrap_or_default() {
            let e = crate::domain::quality::MeasureExclusion::from_code(code.trim()).ok_or_else(
                || AppError::invalid("exclusions", "Choose exclusions from the list."),
            )?;
            if !measure_exclusions.contains(&e) {
                measure_exclusions.push(e);
            }
        }
        let has = |code: &str| flags.iter().any(|f| f == code);
        super::context::store()?
            .save_patient_facts(
                PatientId(patient),
                version,
                &PatientFacts {
                    chronic_conditions: conditions,
                    social_needs: needs,
                    substance_use_disorder: has("substance_use_disorder"),
                    serious_mental_illness: has("serious_mental_illness"),
                    long_term_care_decision: has("long_term_care_decision"),
                    measure_exclusions,
                },
            )
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "patient.edit", ("patient", patient), result).await
}

/// Moves an episode between active treatment, relapse prevention and discharge, with a reason.
#[server(ChangeStatus, "/api/fn", output = crate::api::Wire)]
pub async fn change_status(
    episode: i64,
    version: i64,
    to: String,
    on: String,
    reason: String,
    note: String,
) -> Result<(), AppError> {
    use crate::domain::StatusReason;
    use crate::forms::{past_date, text};
    use crate::model::{today, EpisodeId, EpisodeStatus, StatusChangeRequest};
    use crate::policy::Action;
    let (principal, owner) =
        super::context::require_episode(Action::EditPatient, EpisodeId(episode), "episode.status")
            .await?;
    let result = async {
        let to = EpisodeStatus::from_code(to.trim())
            .ok_or_else(|| AppError::invalid("to", "Choose the new status."))?;
        let on = past_date("on", "date of the change", &on, today())?;
        let reason = StatusReason::from_code(reason.trim())
            .filter(|r| *r != StatusReason::Started)
            .ok_or_else(|| AppError::invalid("reason", "Choose a reason."))?;
        let note = text("status_note", "note", &note, 500, false)?;
        let store = super::context::store()?;
        let current = store
            .episode_records(owner.patient_id)
            .await?
            .into_iter()
            .find(|e| e.episode.id == owner.episode_id)
            .ok_or_else(|| AppError::NotFound("the episode".to_owned()))?;
        // The store checks the version inside its transaction; this check only names the field.
        crate::domain::check_status_change(current.episode.status, to, reason, &note).map_err(
            |e| {
                use crate::domain::StatusChangeError as E;
                let field = match e {
                    E::Unchanged(_) | E::FromDischarged => "to",
                    E::WrongReason { .. } => "reason",
                    E::NoteRequired => "status_note",
                };
                AppError::invalid(field, e.to_string())
            },
        )?;
        store
            .change_status(&StatusChangeRequest {
                episode_id: owner.episode_id,
                expected_version: version,
                to,
                on,
                reason,
                note,
                user_id: principal.user_id,
            })
            .await
            .map_err(|e| with_field(e.into(), "on"))?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "episode.status", ("episode", episode), result).await
}
