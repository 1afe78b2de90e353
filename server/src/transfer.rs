//! CSV import and export of a clinic's records, for the browser (`/exports/…`), the JSON API
//! (`/api/v1/clinics/{id}/import`, `/api/v1/clinics/{id}/export/…`) and the command line. The
//! layouts are in `app::spreadsheet`. Imports are all-or-nothing: a file with any error stores
//! nothing, and one without is stored in a single transaction. Every import and export is audited.

use std::collections::HashMap;
use std::net::IpAddr;

use app::accounts::{ClientIp, CurrentUser};
use app::audit::{AuditEntry, AuditOutcome};
use app::error::AppError;
use app::model::{ClinicId, ClinicRecords};
use app::policy::{authorize, Action, Denied};
use app::ports::Store;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::AppState;
use app::spreadsheet::{cell, MEASUREMENT_HEADER};

/// The exports a clinic offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Caseload,
    Measurements,
    Contacts,
}

impl Export {
    pub fn from_name(name: &str) -> Option<Export> {
        match name.trim_end_matches(".csv") {
            "caseload" => Some(Export::Caseload),
            "measurements" => Some(Export::Measurements),
            "contacts" => Some(Export::Contacts),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Export::Caseload => "caseload",
            Export::Measurements => "measurements",
            Export::Contacts => "contacts",
        }
    }
}

fn write(rows: Vec<Vec<String>>) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for r in rows {
        out.write_record(&r).map_err(|_| AppError::Internal)?;
    }
    out.into_inner().map_err(|_| AppError::Internal)
}

/// A clinic's export as CSV bytes.
pub async fn export(
    store: &dyn Store,
    clinic: ClinicId,
    kind: Export,
    today: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    match kind {
        Export::Caseload => caseload(store, clinic, today).await,
        Export::Measurements | Export::Contacts => {
            let records = store.clinic_records(clinic).await?;
            records_csv(&records, kind)
        }
    }
}

/// The measurements export (`kind` Measurements) or the contacts export (any other) of a clinic's
/// records already read.
pub fn records_csv(records: &ClinicRecords, kind: Export) -> Result<Vec<u8>, AppError> {
    let patients: HashMap<_, _> = records.patients.iter().map(|p| (p.id, p)).collect();
    let episodes: HashMap<_, _> = records.episodes.iter().map(|e| (e.id, e)).collect();
    let who = |episode| {
        let e = episodes.get(&episode)?;
        let p = patients.get(&e.patient_id)?;
        Some(vec![
            cell(&p.mrn),
            cell(&p.given_name),
            cell(&p.family_name),
            p.birth_date.to_string(),
            e.enrolled_on.to_string(),
        ])
    };
    let mut rows = Vec::new();
    if kind == Export::Measurements {
        rows.push(MEASUREMENT_HEADER.iter().map(|h| (*h).to_owned()).collect());
        for m in &records.measurements {
            let Some(mut row) = who(m.episode_id) else {
                continue;
            };
            let r = &m.responses;
            row.push(m.instrument().code().to_owned());
            row.push(m.taken_on.to_string());
            for n in 1..=9 {
                row.push(r.item(n).map(|v| v.to_string()).unwrap_or_default());
            }
            row.push(
                r.difficulty()
                    .map(|d| d.code().to_owned())
                    .unwrap_or_default(),
            );
            row.push(r.total().to_string());
            rows.push(row);
        }
    } else {
        rows.push(
            [
                "mrn",
                "given_name",
                "family_name",
                "birth_date",
                "enrolled_on",
                "occurred_on",
                "kind",
                "minutes",
                "by_care_manager",
                "recorded_by",
                "note",
            ]
            .iter()
            .map(|h| (*h).to_owned())
            .collect(),
        );
        for c in &records.contacts {
            let Some(mut row) = who(c.episode_id) else {
                continue;
            };
            row.push(c.occurred_on.to_string());
            row.push(c.kind.code().to_owned());
            row.push(c.minutes.to_string());
            row.push(if c.by_care_manager { "yes" } else { "no" }.to_owned());
            row.push(cell(c.user_name.as_deref().unwrap_or_default()));
            row.push(cell(&c.note));
            rows.push(row);
        }
    }
    write(rows)
}

/// The open episodes of a clinic as the caseload page shows them, flags included.
async fn caseload(
    store: &dyn Store,
    clinic: ClinicId,
    today: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    let settings = store.clinic_settings(clinic).await?;
    let episodes = store
        .caseload(&app::model::CaseloadScope {
            clinic_id: clinic,
            care_manager_id: None,
            search: None,
        })
        .await?;
    let mut rows: Vec<Vec<String>> = vec![[
        "patient_id",
        "mrn",
        "name",
        "status",
        "care_manager",
        "weeks_in_treatment",
        "phq9_baseline",
        "phq9_latest",
        "phq9_latest_on",
        "percent_change",
        "gad7_latest",
        "last_contact_on",
        "next_contact_due",
        "flags",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect()];
    let opt = |v: Option<String>| v.unwrap_or_default();
    for item in &episodes {
        let r = app::care::caseload_row(item, &settings.flag_rules, today);
        rows.push(vec![
            r.patient_id.0.to_string(),
            cell(&r.mrn),
            cell(&r.name),
            r.status.code().to_owned(),
            cell(r.care_manager_name.as_deref().unwrap_or_default()),
            r.weeks_in_treatment.to_string(),
            opt(r.baseline_phq9.map(|v| v.to_string())),
            opt(r.latest_phq9.map(|v| v.to_string())),
            opt(r.latest_phq9_on.map(|v| v.to_string())),
            opt(r.percent_change.map(|p| format!("{p:.0}"))),
            opt(r.latest_gad7.map(|v| v.to_string())),
            opt(r.last_contact_on.map(|v| v.to_string())),
            opt(r.next_contact_due.map(|v| v.to_string())),
            r.flags
                .iter()
                .map(|f| f.kind.code())
                .collect::<Vec<_>>()
                .join(";"),
        ]);
    }
    write(rows)
}

/// Authorizes `action` in `clinic` for the signed-in user (session or token) and audits the
/// decision, refusals included.
pub async fn authorized(
    store: &dyn Store,
    current: Option<&CurrentUser>,
    ip: Option<IpAddr>,
    action: Action,
    clinic: ClinicId,
    audit_action: &str,
) -> Result<i64, AppError> {
    let Some(current) = current else {
        return Err(AppError::Unauthenticated);
    };
    let decision = authorize(&current.principal(), action, Some(clinic));
    let outcome = if decision.is_ok() {
        AuditOutcome::Ok
    } else {
        AuditOutcome::Denied
    };
    store
        .append_audit(&AuditEntry::new(
            audit_action,
            Some(current.user.id),
            Some(("clinic", clinic.0)),
            ip,
            outcome,
        ))
        .await?;
    match decision {
        Ok(()) => Ok(current.user.id),
        Err(Denied::Role) => Err(AppError::Forbidden),
        Err(Denied::OtherClinic) => Err(AppError::NotFound("the clinic".to_owned())),
    }
}

fn plain_error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}

pub(crate) async fn export_response(
    state: &AppState,
    current: Option<&CurrentUser>,
    ip: Option<IpAddr>,
    clinic: ClinicId,
    kind: &str,
) -> Result<Response, AppError> {
    let kind =
        Export::from_name(kind).ok_or_else(|| AppError::NotFound("that export".to_owned()))?;
    let action = format!("{}.export_csv", kind.name());
    authorized(
        state.store.as_ref(),
        current,
        ip,
        Action::ExportData,
        clinic,
        &action,
    )
    .await?;
    let today = app::model::today();
    let bytes = export(state.store.as_ref(), clinic, kind, today).await?;
    Ok(csv_download(
        bytes,
        &format!("tandem-{}-{}-{today}.csv", kind.name(), clinic.0),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ClinicQuery {
    clinic: Option<String>,
}

/// `GET /exports/{caseload|measurements|contacts}.csv?clinic=` for a signed-in browser.
pub async fn browser_export(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Path(kind): Path<String>,
    Query(q): Query<ClinicQuery>,
) -> Response {
    let Some(clinic) = q
        .clinic
        .as_deref()
        .and_then(|c| c.trim().parse::<i64>().ok())
    else {
        return (StatusCode::BAD_REQUEST, "clinic is required").into_response();
    };
    let current = current.map(|Extension(c)| c);
    let ip = ip.and_then(|Extension(ClientIp(ip))| ip);
    export_response(&state, current.as_ref(), ip, ClinicId(clinic), &kind)
        .await
        .unwrap_or_else(plain_error)
}

/// CSV bytes as a download named `filename`.
pub fn csv_download(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
