//! File downloads that are not pages: the audit log as CSV.

use app::accounts::{ClientIp, CurrentUser};
use app::audit::{AuditEntry, AuditOutcome, AuditQuery};
use app::policy::{authorize, Action};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

use crate::AppState;

/// Filters, as the audit page's form sends them; blank fields are ignored.
#[derive(Debug, Deserialize)]
pub struct AuditFilter {
    user: Option<String>,
    patient: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Parses an optional filter field; the error is the message for a 400 answer.
fn parse<T: std::str::FromStr>(field: &str, v: Option<&String>) -> Result<Option<T>, String> {
    match v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| format!("{field} is not valid: {s:?}")),
    }
}

fn to_query(filter: &AuditFilter) -> Result<AuditQuery, String> {
    Ok(AuditQuery {
        user_id: parse("user", filter.user.as_ref())?,
        entity_type: filter
            .patient
            .as_ref()
            .filter(|p| !p.trim().is_empty())
            .map(|_| "patient".to_owned()),
        entity_id: parse("patient", filter.patient.as_ref())?,
        from: parse("from", filter.from.as_ref())?,
        to: parse("to", filter.to.as_ref())?,
        limit: 10_000,
    })
}

/// `GET /admin/audit.csv`: the filtered audit log, newest first, for administrators. The export
/// itself is audited.
pub async fn audit_csv(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let Some(Extension(current)) = current else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    let allowed = authorize(&current.principal(), Action::ViewAudit, None).is_ok();
    let outcome = if allowed {
        AuditOutcome::Ok
    } else {
        AuditOutcome::Denied
    };
    let ip = ip.and_then(|Extension(ClientIp(ip))| ip);
    let entry = AuditEntry::new("audit.export", Some(current.user.id), None, ip, outcome);
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(error = %e, "could not audit an export");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The audit log is unavailable.",
        )
            .into_response();
    }
    if !allowed {
        return (
            StatusCode::FORBIDDEN,
            "Only administrators can export the audit log.",
        )
            .into_response();
    }
    let query = match to_query(&filter) {
        Ok(q) => q,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let rows = match state.store.list_audit(&query).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "audit export failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The audit log is unavailable.",
            )
                .into_response();
        }
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let header_row = [
        "id",
        "at_utc",
        "user_id",
        "action",
        "entity_type",
        "entity_id",
        "ip",
        "outcome",
    ];
    let mut result = out.write_record(header_row);
    for r in &rows {
        if result.is_err() {
            break;
        }
        result = out.write_record([
            r.id.to_string(),
            r.at.to_rfc3339(),
            r.user_id.map(|u| u.to_string()).unwrap_or_default(),
            r.action.clone(),
            r.entity_type.clone().unwrap_or_default(),
            r.entity_id.map(|e| e.to_string()).unwrap_or_default(),
            r.ip.clone().unwrap_or_default(),
            r.outcome.code().to_owned(),
        ]);
    }
    match (result, out.into_inner()) {
        (Ok(()), Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"tandem-audit.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "The export failed.").into_response(),
    }
}
