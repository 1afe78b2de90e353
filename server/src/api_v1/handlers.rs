//! The endpoints of the JSON API. Each reads its input, finds the patient's current episode when
//! it needs one, and calls the server function the screens use.

use app::error::AppError;
use app::forms::AnswerFields;
use app::policy::Role;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{created, ApiError, ApiResult, Body, Caller, ErrorBody};

/// The MRN-taken message of the store, which the API answers with 409.
const MRN_TAKEN: &str = "this MRN is already registered in this clinic";

#[derive(Debug, Serialize, ToSchema)]
pub struct ClinicOut {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClinicIn {
    /// 1–200 characters, unique.
    pub name: String,
}

/// The clinics the caller works in (every clinic for an administrator).
#[utoipa::path(get, path = "/api/v1/clinics", tag = "clinics",
    responses((status = 200, body = [ClinicOut]), (status = 401, body = ErrorBody)))]
pub async fn list_clinics(caller: Caller) -> ApiResult<Json<Vec<ClinicOut>>> {
    let user = &caller.user.user;
    let clinics = caller
        .store()
        .list_clinics()
        .await
        .map_err(AppError::from)?;
    Ok(Json(
        clinics
            .into_iter()
            .filter(|c| user.role == Role::Admin || user.clinics.contains(&c.id))
            .map(|c| ClinicOut {
                id: c.id.0,
                name: c.name,
            })
            .collect(),
    ))
}

/// Creates a clinic (administrators only).
#[utoipa::path(post, path = "/api/v1/clinics", tag = "clinics", request_body = NewClinicIn,
    responses((status = 201, body = ClinicOut), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_clinic(caller: Caller, Body(input): Body<NewClinicIn>) -> ApiResult<Response> {
    let clinic = caller
        .run(move || app::api::admin::create_clinic(input.name))
        .await
        .map_err(|e| ApiError::from(e).named("name"))?;
    Ok(created(ClinicOut {
        id: clinic.id.0,
        name: clinic.name,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPatientIn {
    pub clinic_id: i64,
    /// The clinic's medical record number, unique in the clinic.
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    /// YYYY-MM-DD, not in the future.
    pub enrolled_on: String,
    /// Target conditions: depression, anxiety, other. Depression when absent.
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    /// A care manager of the clinic (user id).
    #[serde(default)]
    pub care_manager_id: Option<i64>,
    /// A psychiatric consultant of the clinic (user id).
    #[serde(default)]
    pub consultant_id: Option<i64>,
    /// The primary-care provider's name.
    #[serde(default)]
    pub pcp: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPatient {
    pub id: i64,
    pub episode_id: i64,
}

/// Enrolls a new patient: the patient and their first episode.
#[utoipa::path(post, path = "/api/v1/patients", tag = "patients", request_body = NewPatientIn,
    responses((status = 201, body = CreatedPatient), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_patient(caller: Caller, Body(p): Body<NewPatientIn>) -> ApiResult<Response> {
    let targets = p.targets.unwrap_or_else(|| vec!["depression".to_owned()]);
    let enrolled = caller
        .run(move || {
            app::api::enroll::enroll(
                p.clinic_id,
                None,
                Some(p.given_name),
                Some(p.family_name),
                Some(p.mrn),
                Some(p.birth_date),
                p.pcp.unwrap_or_default(),
                p.care_manager_id.map(|id| id.to_string()),
                p.consultant_id.map(|id| id.to_string()),
                p.enrolled_on,
                Some(targets),
                None,
                None,
            )
        })
        .await
        .map_err(|e| match e {
            AppError::Invalid { message, .. } if message == MRN_TAKEN => {
                ApiError::from(AppError::Conflict(message)).with_field("mrn")
            }
            other => ApiError::from(other).renamed(&[
                ("care_manager", "care_manager_id"),
                ("consultant", "consultant_id"),
            ]),
        })?;
    Ok(created(CreatedPatient {
        id: enrolled.patient_id.0,
        episode_id: enrolled.episode_id.0,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PatientOut {
    pub id: i64,
    pub clinic_id: i64,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    /// The current (newest) episode.
    pub episode: Option<EpisodeOut>,
    /// The current episode's figures, from the domain's rules, as of today.
    pub metrics: Option<MetricsOut>,
    /// The flags raised today, each with its explanation.
    pub flags: Vec<FlagOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeOut {
    pub id: i64,
    pub enrolled_on: String,
    /// active, relapse_prevention or discharged.
    pub status: String,
    pub discharged_on: Option<String>,
    /// The version to send with a status change.
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    pub measurement_id: i64,
    pub taken_on: String,
    pub total: u8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsOut {
    pub as_of: String,
    /// PHQ-9 (or GAD-7 for an anxiety-only episode).
    pub instrument: String,
    pub baseline: Option<ScoreOut>,
    pub latest: Option<ScoreOut>,
    /// Change of the latest follow-up from baseline, in percent (negative is better).
    pub percent_change: Option<f64>,
    pub weeks_in_treatment: i64,
    pub response: bool,
    pub remission: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOut {
    /// safety, post_discharge_followup, not_improving, worsening, overdue_contact, no_consult
    /// or manual.
    pub kind: String,
    pub explanation: String,
}

fn flag_out(f: &app::domain::Flag) -> FlagOut {
    FlagOut {
        kind: f.kind.code().to_owned(),
        explanation: f.explanation.clone(),
    }
}

fn score_out(s: &app::domain::episode::ScorePoint) -> ScoreOut {
    ScoreOut {
        measurement_id: s.id.0,
        taken_on: s.taken_on.to_string(),
        total: s.total,
    }
}

/// A patient with the current episode, its metrics and flags.
#[utoipa::path(get, path = "/api/v1/patients/{id}", tag = "patients",
    params(("id" = i64, Path, description = "Patient id")),
    responses((status = 200, body = PatientOut), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_patient(caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<PatientOut>> {
    let chart = caller
        .run(move || app::api::chart::get_chart(id, None))
        .await?;
    let p = &chart.patient.patient;
    Ok(Json(PatientOut {
        id: p.id.0,
        clinic_id: p.clinic_id.0,
        mrn: p.mrn.clone(),
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        birth_date: p.birth_date.to_string(),
        episode: chart.episode.as_ref().map(|e| EpisodeOut {
            id: e.episode.id.0,
            enrolled_on: e.episode.enrolled_on.to_string(),
            status: e.episode.status.code().to_owned(),
            discharged_on: e.episode.discharged_on.map(|d| d.to_string()),
            version: e.version,
        }),
        metrics: chart.metrics.as_ref().map(|m| MetricsOut {
            as_of: m.as_of.to_string(),
            instrument: m.primary.to_string(),
            baseline: m.baseline.as_ref().map(score_out),
            latest: m.latest.as_ref().map(score_out),
            percent_change: m.percent_change.map(|p| (p * 10.0).round() / 10.0),
            weeks_in_treatment: m.weeks_in_treatment,
            response: m.response,
            remission: m.remission,
        }),
        flags: chart.flags.iter().map(flag_out).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementIn {
    /// PHQ-9 or GAD-7.
    pub instrument: String,
    /// YYYY-MM-DD, inside the episode and not in the future.
    pub taken_on: String,
    /// The item answers in order, each 0–3: 9 for the PHQ-9, 7 for the GAD-7.
    pub items: Vec<i64>,
    /// PHQ-9 only: not_difficult, somewhat, very or extremely.
    #[serde(default)]
    pub difficulty: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedScoreOut {
    pub id: i64,
    pub total: u8,
    pub severity: String,
    /// Item 9 of the PHQ-9 above 0: the safety flag is raised.
    pub safety: bool,
}

/// The item answers as the form posts them (`i1` …), checked for their number.
pub fn answer_fields(
    instrument: &str,
    items: &[i64],
    difficulty: Option<&str>,
) -> ApiResult<AnswerFields> {
    let expected = match instrument {
        "PHQ-9" => 9,
        "GAD-7" => 7,
        _ => return Err(AppError::invalid("instrument", "Choose the PHQ-9 or the GAD-7.").into()),
    };
    if items.len() != expected {
        return Err(AppError::invalid(
            "items",
            format!(
                "The {instrument} has {expected} items; {} answers were sent.",
                items.len()
            ),
        )
        .into());
    }
    let mut fields: AnswerFields = items
        .iter()
        .enumerate()
        .map(|(i, v)| (app::forms::item_key(i + 1), v.to_string()))
        .collect();
    if let Some(d) = difficulty {
        fields.insert("difficulty".to_owned(), d.to_owned());
    }
    Ok(fields)
}

/// The form's item field names (`answers[i3]`) as the API names them (`items[2]`).
fn item_field(err: ApiError) -> ApiError {
    let Some(field) = err.field.as_deref() else {
        return err;
    };
    let renamed = if let Some(n) = field
        .strip_prefix("answers[i")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|n| n.parse::<usize>().ok())
    {
        format!("items[{}]", n.saturating_sub(1))
    } else {
        match field {
            "answers" => "items".to_owned(),
            "answers[difficulty]" => "difficulty".to_owned(),
            other => other.to_owned(),
        }
    };
    err.with_field(renamed)
}

/// Records a PHQ-9 or GAD-7 in the patient's current episode.
#[utoipa::path(post, path = "/api/v1/patients/{id}/measurements", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = MeasurementIn,
    responses((status = 201, body = SavedScoreOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_measurement(
    caller: Caller,
    Path(id): Path<i64>,
    Body(m): Body<MeasurementIn>,
) -> ApiResult<Response> {
    let fields = answer_fields(m.instrument.trim(), &m.items, m.difficulty.as_deref())?;
    let episode = caller.current_episode(id).await?;
    let saved = caller
        .run(move || {
            app::api::records::record_measurement(
                id,
                episode.episode.id.0,
                m.instrument,
                m.taken_on,
                Some(fields),
            )
        })
        .await
        .map_err(|e| item_field(e.into()))?;
    Ok(created(SavedScoreOut {
        id: saved.id,
        total: saved.total,
        severity: saved.severity,
        safety: saved.safety,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedRecord {
    pub id: i64,
    pub episode_id: i64,
}

/// Runs a recording server function on the patient's current episode and answers 201 with the
/// new record's id; `rename` maps the form's field names to the API's.
async fn record_in_episode<F, Fut>(
    caller: &Caller,
    patient: i64,
    rename: &[(&str, &str)],
    record: F,
) -> ApiResult<Response>
where
    F: FnOnce(i64) -> Fut,
    Fut: std::future::Future<Output = Result<i64, AppError>> + Send + 'static,
{
    let episode = caller.current_episode(patient).await?.episode.id.0;
    let id = caller
        .run(move || record(episode))
        .await
        .map_err(|e| ApiError::from(e).renamed(rename))?;
    Ok(created(CreatedRecord {
        id,
        episode_id: episode,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// YYYY-MM-DD, inside the episode and not in the future.
    pub occurred_on: String,
    /// in_person, phone, video, message, group, attempt_no_answer, no_show or
    /// psychiatric_consultation.
    pub kind: String,
    /// Minutes spent, 0–600.
    pub minutes: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// Logs a contact in the patient's current episode, by the token's user.
#[utoipa::path(post, path = "/api/v1/patients/{id}/contacts", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = ContactIn,
    responses((status = 201, body = CreatedRecord), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_contact(
    caller: Caller,
    Path(id): Path<i64>,
    Body(c): Body<ContactIn>,
) -> ApiResult<Response> {
    record_in_episode(&caller, id, &[], move |episode| {
        app::api::records::add_contact(
            episode,
            c.occurred_on,
            c.kind,
            c.minutes.to_string(),
            c.note.unwrap_or_default(),
        )
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    /// hospital or emergency_department.
    pub kind: String,
    /// Local date and time of the discharge, YYYY-MM-DDTHH:MM[:SS], not in the future.
    pub discharged_at: String,
}

/// Records a hospital or emergency-department discharge.
#[utoipa::path(post, path = "/api/v1/patients/{id}/events", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = EventIn,
    responses((status = 201, body = CreatedRecord), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_event(
    caller: Caller,
    Path(id): Path<i64>,
    Body(e): Body<EventIn>,
) -> ApiResult<Response> {
    record_in_episode(&caller, id, &[("setting", "kind")], move |episode| {
        app::api::records::add_hospital_event(episode, e.kind, e.discharged_at)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentChangeIn {
    /// YYYY-MM-DD.
    pub changed_on: String,
    /// What changed (up to 500 characters).
    pub description: String,
}

/// Records a change of treatment; it restarts the weeks on the current plan.
#[utoipa::path(post, path = "/api/v1/patients/{id}/treatment-changes", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = TreatmentChangeIn,
    responses((status = 201, body = CreatedRecord), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_treatment_change(
    caller: Caller,
    Path(id): Path<i64>,
    Body(t): Body<TreatmentChangeIn>,
) -> ApiResult<Response> {
    record_in_episode(&caller, id, &[], move |episode| {
        app::api::records::add_treatment_change(episode, t.changed_on, t.description)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscussIn {
    /// Why the patient should be discussed at the next case review.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeRef {
    pub episode_id: i64,
}

/// Raises the manual flag: the patient is discussed at the next case review.
#[utoipa::path(post, path = "/api/v1/patients/{id}/discuss", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = DiscussIn,
    responses((status = 201, body = EpisodeRef), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn discuss(
    caller: Caller,
    Path(id): Path<i64>,
    Body(d): Body<DiscussIn>,
) -> ApiResult<Response> {
    let episode = caller.current_episode(id).await?.episode.id.0;
    caller
        .run(move || app::api::review::mark_for_review(episode, d.reason))
        .await?;
    Ok(created(EpisodeRef {
        episode_id: episode,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// YYYY-MM-DD, inside the episode and not in the future.
    pub reviewed_on: String,
    /// continue, increase_dose, switch_medication, augment, psychotherapy, specialty_referral,
    /// safety_plan, diagnostic_clarification or other.
    pub kind: String,
    /// The recommendation in words (required for "other").
    #[serde(default)]
    pub text: String,
}

/// Records the consulting psychiatrist's review with a recommendation.
#[utoipa::path(post, path = "/api/v1/patients/{id}/reviews", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = ReviewIn,
    responses((status = 201, body = CreatedRecord), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_review(
    caller: Caller,
    Path(id): Path<i64>,
    Body(r): Body<ReviewIn>,
) -> ApiResult<Response> {
    record_in_episode(&caller, id, &[], move |episode| {
        app::api::review::record_consultation(episode, r.reviewed_on, r.kind, r.text)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// active, relapse_prevention or discharged.
    pub status: String,
    /// YYYY-MM-DD.
    pub on: String,
    /// improved, remission_met, referred_specialty, declined, lost_to_follow_up, moved,
    /// relapse or other.
    pub reason: String,
    /// Required with the reason "other".
    #[serde(default)]
    pub note: Option<String>,
    /// The episode version last read (GET /patients/{id}); a stale one is a 409. When absent, the
    /// current version is used.
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusOut {
    pub episode_id: i64,
    pub status: String,
}

/// Changes the current episode's status (discharge closes it).
#[utoipa::path(post, path = "/api/v1/patients/{id}/status", tag = "care",
    params(("id" = i64, Path, description = "Patient id")), request_body = StatusIn,
    responses((status = 200, body = StatusOut), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn change_status(
    caller: Caller,
    Path(id): Path<i64>,
    Body(s): Body<StatusIn>,
) -> ApiResult<Json<StatusOut>> {
    let current = caller.current_episode(id).await?;
    let episode = current.episode.id.0;
    let version = s.version.unwrap_or(current.version);
    let status = s.status.trim().to_owned();
    caller
        .run(move || {
            app::api::records::change_status(
                episode,
                version,
                s.status,
                s.on,
                s.reason,
                s.note.unwrap_or_default(),
            )
        })
        .await
        .map_err(|e| ApiError::from(e).renamed(&[("to", "status"), ("status_note", "note")]))?;
    Ok(Json(StatusOut {
        episode_id: episode,
        status,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AsOfQuery {
    /// The day to evaluate the flags on, YYYY-MM-DD (today when absent).
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewListOut {
    pub as_of: String,
    pub entries: Vec<ReviewListEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewListEntry {
    pub patient_id: i64,
    pub episode_id: i64,
    /// 1 for the first patient to discuss.
    pub rank: usize,
    /// Every flag of the episode, the one that listed it first.
    pub flags: Vec<FlagOut>,
}

/// The clinic's case-review list with flags evaluated on `as_of`, in the order to discuss.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/review-list", tag = "clinics",
    params(("id" = i64, Path, description = "Clinic id"), AsOfQuery),
    responses((status = 200, body = ReviewListOut), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn review_list(
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> ApiResult<Json<ReviewListOut>> {
    let list = caller
        .run(move || app::api::review::get_review_list(id, q.as_of))
        .await?;
    Ok(Json(ReviewListOut {
        as_of: list.as_of.to_string(),
        entries: list
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| ReviewListEntry {
                patient_id: e.patient_id.0,
                episode_id: e.episode_id.0,
                rank: i + 1,
                flags: e.reasons.iter().map(flag_out).collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// YYYY-MM (the previous month when absent).
    pub month: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingOut {
    pub month: String,
    pub patients: usize,
    pub billable: usize,
    pub minutes: u64,
    pub totals: Vec<CodeTotalOut>,
    pub rows: Vec<BillingRowOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeTotalOut {
    pub code: String,
    pub units: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingRowOut {
    pub patient_id: i64,
    pub mrn: String,
    /// Whether this is the episode's first calendar month.
    pub first_month: bool,
    /// Care-manager minutes in the month.
    pub minutes: u32,
    /// The codes and units, like "99492, 99494 × 2"; empty when nothing is billable.
    pub codes: String,
    /// Why the main code is not billed, when it is not.
    pub reason: Option<String>,
}

/// The clinic's monthly CoCM billing minutes and codes (patient-level: needs the export right).
#[utoipa::path(get, path = "/api/v1/clinics/{id}/billing", tag = "clinics",
    params(("id" = i64, Path, description = "Clinic id"), MonthQuery),
    responses((status = 200, body = BillingOut), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn billing(
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> ApiResult<Json<BillingOut>> {
    let view = caller
        .run(move || app::api::reports::get_billing(Some(id), q.month))
        .await?;
    let r = view.report;
    Ok(Json(BillingOut {
        month: r.month.to_string(),
        patients: r.patients,
        billable: r.billable,
        minutes: r.minutes,
        totals: r
            .totals
            .into_iter()
            .map(|t| CodeTotalOut {
                code: t.code,
                units: t.units,
            })
            .collect(),
        rows: r
            .rows
            .into_iter()
            .map(|row| BillingRowOut {
                patient_id: row.patient_id.0,
                mrn: row.mrn,
                first_month: row.first_month,
                minutes: row.minutes,
                codes: row.codes,
                reason: row.reason,
            })
            .collect(),
    }))
}

impl ApiError {
    /// Names the field of an error that has none.
    pub fn named(self, field: &str) -> Self {
        if self.field.is_none() && self.status == StatusCode::UNPROCESSABLE_ENTITY {
            self.with_field(field)
        } else {
            self
        }
    }

    /// Renames form field names to the API's.
    pub fn renamed(self, names: &[(&str, &str)]) -> Self {
        match self
            .field
            .as_deref()
            .and_then(|f| names.iter().find(|(from, _)| *from == f))
        {
            Some((_, to)) => {
                let to = (*to).to_owned();
                self.with_field(to)
            }
            None => self,
        }
    }
}
