//! The JSON API's CSV endpoints: a clinic's exports, and the import of a spreadsheet (checked
//! whole, stored in one transaction or not at all). The work is in [`crate::transfer`] and
//! `app::api::import`.

use app::accounts::{ClientIp, CurrentUser};
use app::model::ClinicId;
use app::policy::Action;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::ApiError;
use crate::transfer::{authorized, export_response};
use crate::AppState;

/// `GET /api/v1/clinics/{id}/export/{caseload|measurements|contacts}.csv` with an API token.
#[utoipa::path(get, path = "/api/v1/clinics/{id}/export/{kind}", tag = "clinics",
    params(("id" = i64, Path, description = "Clinic id"),
           ("kind" = String, Path, description = "caseload.csv, measurements.csv or contacts.csv")),
    responses((status = 200, description = "The CSV file", content_type = "text/csv"),
              (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody)))]
pub async fn api_export(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Path((clinic, kind)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let current = current.map(|Extension(c)| c);
    let ip = ip.and_then(|Extension(ClientIp(ip))| ip);
    Ok(export_response(&state, current.as_ref(), ip, ClinicId(clinic), &kind).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Check the file and report what would be stored, storing nothing.
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/v1/clinics/{id}/import[?dry_run=true]` with the CSV file as the body: enrolls new
/// patients with their historical scores, all or nothing. Answers 201 when stored, 200 for a clean
/// dry run, and 422 with every error (row, column, message) when the file has any.
#[utoipa::path(post, path = "/api/v1/clinics/{id}/import", tag = "clinics",
    params(("id" = i64, Path, description = "Clinic id"), ImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "The CSV file (long or wide layout, see the README)"),
    responses((status = 201, description = "Stored: {layout, rows, patients, scores, committed: true, preview: [{row, mrn, enrolled_on, scores}], errors: []}"),
              (status = 200, description = "A clean dry run: the same, with committed false"),
              (status = 422, description = "The file has errors: errors [{row, column, message}], nothing stored"),
              (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
              (status = 413, body = super::ErrorBody)))]
pub async fn api_import(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Path(clinic): Path<i64>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let current = current.map(|Extension(c)| c);
    let ip = ip.and_then(|Extension(ClientIp(ip))| ip);
    let clinic = ClinicId(clinic);
    let store = state.store.as_ref();
    let commit = !q.dry_run;
    let user = authorized(
        store,
        current.as_ref(),
        ip,
        Action::EditPatient,
        clinic,
        app::api::import::load::audit_action(commit),
    )
    .await?;
    let outcome = app::api::import::load::audited_import(
        store,
        clinic,
        &body,
        Some(user),
        ip,
        commit,
        app::model::today(),
    )
    .await?;
    let status = if !outcome.errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if outcome.committed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome)).into_response())
}
