//! FHIR R4 under `/fhir/r4`: the CapabilityStatement, Patient read and identifier search, PHQ-9
//! and GAD-7 totals as Observations, item answers as QuestionnaireResponses, and a
//! QuestionnaireResponse posted by an EHR stored as a score after the same checks as any other.
//! Requests carry an API token, as for the JSON API; errors are OperationOutcomes and every body
//! is `application/fhir+json`.

pub mod resources;

use app::error::AppError;
use app::forms::AnswerFields;
use axum::extract::{Path, Query, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::Value;

use crate::api_v1::{ApiError, Caller};
use crate::AppState;

pub const CONTENT_TYPE: &str = "application/fhir+json; charset=utf-8";

/// The FHIR routes, to be nested under `/fhir/r4`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/metadata", get(metadata))
        .route("/Patient", get(search_patients))
        .route("/Patient/{id}", get(read_patient))
        .route("/Observation", get(search_observations))
        .route("/Observation/{id}", get(read_observation))
        .route(
            "/QuestionnaireResponse",
            get(search_questionnaire_responses).post(create_questionnaire_response),
        )
        .route(
            "/QuestionnaireResponse/{id}",
            get(read_questionnaire_response),
        )
        .fallback(|| async {
            FhirError::new(
                StatusCode::NOT_FOUND,
                "not-supported",
                "This resource or interaction is not supported; see /fhir/r4/metadata.",
            )
        })
}

/// A FHIR answer: the status and the resource.
pub fn fhir(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
        body.to_string(),
    )
        .into_response()
}

/// An error as an OperationOutcome.
#[derive(Debug)]
pub struct FhirError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub expression: Option<String>,
}

impl FhirError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        FhirError {
            status,
            code,
            message: message.into(),
            expression: None,
        }
    }
}

impl From<ApiError> for FhirError {
    fn from(e: ApiError) -> Self {
        let code = match e.status.as_u16() {
            400 => "structure",
            401 => "login",
            403 => "forbidden",
            404 => "not-found",
            405 => "not-supported",
            409 => "conflict",
            413 => "too-costly",
            422 => "invalid",
            429 => "throttled",
            503 => "transient",
            _ => "exception",
        };
        FhirError {
            status: e.status,
            code,
            message: e.message,
            expression: e.field,
        }
    }
}

impl From<AppError> for FhirError {
    fn from(e: AppError) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        fhir(
            self.status,
            &resources::operation_outcome(self.code, &self.message, self.expression.as_deref()),
        )
    }
}

type FhirResult = Result<Response, FhirError>;

/// The caller, or the OperationOutcome for a request without a valid token.
fn signed_in(caller: Result<Caller, ApiError>) -> Result<Caller, FhirError> {
    caller.map_err(FhirError::from)
}

/// The base URL of this FHIR endpoint as the client reached it, for full URLs in bundles.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}/fhir/r4")
}

/// `GET /fhir/r4/metadata`: the CapabilityStatement (no token needed).
pub async fn metadata(headers: HeaderMap) -> Response {
    fhir(
        StatusCode::OK,
        &resources::capability_statement(&base_url(&headers), app::model::today()),
    )
}

fn patient_id(raw: &str, expression: &str) -> Result<i64, FhirError> {
    let raw = raw.trim();
    let raw = raw.strip_prefix("Patient/").unwrap_or(raw);
    raw.parse::<i64>().map_err(|_| FhirError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid",
        message: format!("{raw:?} is not a patient id."),
        expression: Some(expression.to_owned()),
    })
}

/// `GET /fhir/r4/Patient/{id}`.
pub async fn read_patient(caller: Result<Caller, ApiError>, Path(id): Path<String>) -> FhirResult {
    let caller = signed_in(caller)?;
    let id = patient_id(&id, "Patient.id")?;
    let scores = caller
        .run(move || app::api::patients::get_patient_scores(id))
        .await?;
    Ok(fhir(StatusCode::OK, &resources::patient(&scores.patient)))
}

#[derive(Debug, Deserialize)]
pub struct PatientSearch {
    identifier: Option<String>,
}

/// `GET /fhir/r4/Patient?identifier=system|value`. A system that is not one of Tandem's MRN
/// systems, or an MRN of a clinic the caller does not work in, matches nothing.
pub async fn search_patients(
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Query(q): Query<PatientSearch>,
) -> FhirResult {
    let caller = signed_in(caller)?;
    let raw = q.identifier.unwrap_or_default();
    let Some((system, value)) = raw.split_once('|').filter(|(_, v)| !v.trim().is_empty()) else {
        return Err(FhirError::new(
            StatusCode::BAD_REQUEST,
            "required",
            "Search patients by identifier=system|value, like urn:tandem:clinic:1:mrn|MRN001.",
        ));
    };
    let self_link = format!("Patient?identifier={system}|{value}");
    let base = base_url(&headers);
    let Some(clinic) = resources::clinic_of_system(system.trim()) else {
        return Ok(fhir(
            StatusCode::OK,
            &resources::searchset(&base, &self_link, vec![]),
        ));
    };
    let mrn = value.trim().to_owned();
    let found = match caller
        .run(move || app::api::patients::find_patient_by_mrn(clinic, mrn))
        .await
    {
        Ok(found) => found,
        // Another clinic's MRNs are not searched, and saying so would reveal nothing either way.
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let entries = found.iter().map(resources::patient).collect();
    Ok(fhir(
        StatusCode::OK,
        &resources::searchset(&base, &self_link, entries),
    ))
}

/// A score by its id (the id of both its Observation and its QuestionnaireResponse), after the
/// export check.
async fn score(
    caller: Result<Caller, ApiError>,
    raw: &str,
    expression: &str,
) -> Result<(app::model::Measurement, i64), FhirError> {
    let caller = signed_in(caller)?;
    let id = raw.trim().parse::<i64>().map_err(|_| FhirError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid",
        message: format!("{raw:?} is not a resource id."),
        expression: Some(expression.to_owned()),
    })?;
    let (m, patient) = caller
        .run(move || app::api::patients::get_score_for_export(id))
        .await?;
    Ok((m, patient.0))
}

/// `GET /fhir/r4/Observation/{id}`: one total score.
pub async fn read_observation(
    caller: Result<Caller, ApiError>,
    Path(id): Path<String>,
) -> FhirResult {
    let (m, patient) = score(caller, &id, "Observation.id").await?;
    Ok(fhir(StatusCode::OK, &resources::observation(&m, patient)))
}

/// `GET /fhir/r4/QuestionnaireResponse/{id}`: one score's item answers (a total-only score has
/// none: not found).
pub async fn read_questionnaire_response(
    caller: Result<Caller, ApiError>,
    Path(id): Path<String>,
) -> FhirResult {
    let (m, patient) = score(caller, &id, "QuestionnaireResponse.id").await?;
    let resource = resources::questionnaire_response(&m, patient).ok_or_else(|| {
        FhirError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "This score was recorded as a total only; it has no item answers.",
        )
    })?;
    Ok(fhir(StatusCode::OK, &resource))
}

#[derive(Debug, Deserialize)]
pub struct ScoreSearch {
    patient: Option<String>,
    code: Option<String>,
}

/// The patient's scores, after the export check.
async fn scores(
    caller: &Caller,
    patient: Option<String>,
) -> Result<(i64, app::api::patients::PatientScores), FhirError> {
    let raw = patient.ok_or_else(|| {
        FhirError::new(
            StatusCode::BAD_REQUEST,
            "required",
            "Search with patient={id}.",
        )
    })?;
    let id = patient_id(&raw, "patient")?;
    let scores = caller
        .run(move || app::api::patients::get_patient_scores(id))
        .await?;
    Ok((id, scores))
}

/// Whether an Observation code search (`system|code` or `code`, comma-separated) matches `code`.
fn code_matches(search: Option<&str>, code: &str) -> bool {
    let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) else {
        return true;
    };
    search.split(',').any(|token| match token.split_once('|') {
        Some((system, c)) => (system.is_empty() || system == resources::LOINC) && c.trim() == code,
        None => token.trim() == code,
    })
}

/// `GET /fhir/r4/Observation?patient={id}[&code=http://loinc.org|44261-6]`: total scores.
pub async fn search_observations(
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Query(q): Query<ScoreSearch>,
) -> FhirResult {
    let caller = signed_in(caller)?;
    let (id, scores) = scores(&caller, q.patient).await?;
    let code = q.code.as_deref();
    let entries = scores
        .measurements
        .iter()
        .filter(|m| code_matches(code, app::domain::loinc::total(m.instrument())))
        .map(|m| resources::observation(m, id))
        .collect();
    let mut self_link = format!("Observation?patient={id}");
    if let Some(c) = code {
        self_link.push_str(&format!("&code={c}"));
    }
    Ok(fhir(
        StatusCode::OK,
        &resources::searchset(&base_url(&headers), &self_link, entries),
    ))
}

/// `GET /fhir/r4/QuestionnaireResponse?patient={id}`: item-level answers.
pub async fn search_questionnaire_responses(
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Query(q): Query<ScoreSearch>,
) -> FhirResult {
    let caller = signed_in(caller)?;
    let (id, scores) = scores(&caller, q.patient).await?;
    let entries = scores
        .measurements
        .iter()
        .filter_map(|m| resources::questionnaire_response(m, id))
        .collect();
    Ok(fhir(
        StatusCode::OK,
        &resources::searchset(
            &base_url(&headers),
            &format!("QuestionnaireResponse?patient={id}"),
            entries,
        ),
    ))
}

/// `POST /fhir/r4/QuestionnaireResponse`: a PHQ-9 or GAD-7 coded by LOINC, stored as a score in
/// the patient's current episode after the same checks as any other. Answers 201 with the stored
/// response and its `Location`.
pub async fn create_questionnaire_response(
    caller: Result<Caller, ApiError>,
    req: Request,
) -> FhirResult {
    let caller = signed_in(caller)?;
    let bytes = axum::body::to_bytes(req.into_body(), crate::api_v1::MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            FhirError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-costly",
                "The resource is too large.",
            )
        })?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
        FhirError::new(
            StatusCode::BAD_REQUEST,
            "structure",
            format!("The body is not JSON: {e}."),
        )
    })?;
    let answers = resources::read_questionnaire_response(&body).map_err(|r| FhirError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid",
        message: r.message,
        expression: Some(r.expression),
    })?;
    let patient = answers.patient;
    let episode = caller.current_episode(patient).await?;
    let mut fields: AnswerFields = answers
        .items
        .iter()
        .map(|(n, v)| (app::forms::item_key(*n), v.to_string()))
        .collect();
    if let Some(d) = answers.difficulty {
        fields.insert("difficulty".to_owned(), d.code().to_owned());
    }
    let instrument = answers.instrument.code().to_owned();
    let taken_on = answers.taken_on.clone();
    let saved = caller
        .run(move || {
            app::api::records::record_measurement(
                patient,
                episode.episode.id.0,
                instrument,
                taken_on,
                Some(fields),
            )
        })
        .await
        .map_err(|e| {
            let mut err = FhirError::from(e);
            // The form names its fields; FHIR names the elements.
            err.expression = err.expression.map(|f| match f.as_str() {
                "taken_on" => "QuestionnaireResponse.authored".to_owned(),
                _ => "QuestionnaireResponse.item".to_owned(),
            });
            err
        })?;
    let stored = caller
        .store()
        .get_measurement(app::model::MeasurementId(saved.id))
        .await
        .map_err(AppError::from)?
        .map(|(m, _)| m)
        .ok_or(AppError::Internal)?;
    let resource = resources::questionnaire_response(&stored, patient).ok_or(AppError::Internal)?;
    let mut res = fhir(StatusCode::CREATED, &resource);
    if let Ok(location) = HeaderValue::from_str(&format!("QuestionnaireResponse/{}", saved.id)) {
        res.headers_mut().insert(header::LOCATION, location);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_searches_take_system_and_code_lists() {
        assert!(code_matches(None, "44261-6"));
        assert!(code_matches(Some("http://loinc.org|44261-6"), "44261-6"));
        assert!(code_matches(Some("44261-6"), "44261-6"));
        assert!(code_matches(Some("|44261-6"), "44261-6"));
        assert!(code_matches(
            Some("http://loinc.org|70274-6,http://loinc.org|44261-6"),
            "44261-6"
        ));
        assert!(!code_matches(Some("http://loinc.org|70274-6"), "44261-6"));
        assert!(!code_matches(
            Some("http://snomed.info/sct|44261-6"),
            "44261-6"
        ));
    }

    #[test]
    fn the_base_url_comes_from_a_plain_host_header() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:3000"));
        assert_eq!(base_url(&h), "http://127.0.0.1:3000/fhir/r4");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(base_url(&h), "https://127.0.0.1:3000/fhir/r4");
        h.insert(
            header::HOST,
            HeaderValue::from_static("evil.example/<script>"),
        );
        assert_eq!(base_url(&h), "https://localhost/fhir/r4");
    }
}
