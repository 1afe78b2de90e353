//! File downloads that are not pages: the audit log and the case-review agenda as CSV. Both
//! downloads are audited as exports.

use app::accounts::{ClientIp, CurrentUser};
use app::audit::{AuditEntry, AuditOutcome, AuditQuery};
use app::policy::{authorize, Action};
use app::spreadsheet::cell;
use axum::extract::{Query, State};
use axum::http::StatusCode;
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
    csv_response(result, out, "tandem-audit.csv")
}

/// The finished CSV as a download, or a 500 when writing it failed.
fn csv_response(result: csv::Result<()>, out: csv::Writer<Vec<u8>>, filename: &str) -> Response {
    match (result, out.into_inner()) {
        (Ok(()), Ok(bytes)) => crate::transfer::csv_download(bytes, filename),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "The export failed.").into_response(),
    }
}

/// The case-review agenda's query: the clinic, and the meeting day (the next meeting by default).
#[derive(Debug, Deserialize)]
pub struct AgendaQuery {
    clinic: Option<String>,
    date: Option<String>,
}

/// `GET /review/agenda.csv?clinic=&date=`: a meeting's review list with the least PHI a meeting
/// needs (name, MRN, reasons, scores, weeks, carried weeks), for the clinic's care managers and
/// consultants. Audited as an export, refusals included.
pub async fn review_agenda_csv(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Query(q): Query<AgendaQuery>,
) -> Response {
    let clinic = match export_clinic(
        &state,
        current,
        ip,
        q.clinic.as_ref(),
        Action::ViewReviewList,
        "review.export_csv",
    )
    .await
    {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let today = app::model::today();
    let meets_on = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => match app::api::review::meeting_day(raw, today) {
            Ok(d) => d,
            Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        },
        None => match state.store.clinic_settings(clinic).await {
            Ok(s) => s.next_meeting_on(today),
            Err(e) => return app_error(e.into()),
        },
    };
    let board =
        match app::api::review::load::board(state.store.as_ref(), clinic, meets_on, today).await {
            Ok((board, _)) => board,
            Err(e) => return app_error(e),
        };
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut result = out.write_record([
        "meeting_date",
        "order",
        "patient",
        "mrn",
        "top_reason",
        "reasons",
        "weeks_in_treatment",
        "weeks_on_current_plan",
        "phq9_baseline",
        "phq9_latest",
        "percent_change",
        "carried_weeks",
        "reviewed_at_meeting",
    ]);
    for (i, r) in board.rows.iter().enumerate() {
        if result.is_err() {
            break;
        }
        let reasons: Vec<&str> = r.entry.reasons.iter().map(|f| f.kind.code()).collect();
        result = out.write_record([
            meets_on.to_string(),
            (i + 1).to_string(),
            cell(&r.name),
            cell(&r.mrn),
            r.entry.top.code().to_owned(),
            reasons.join(";"),
            r.entry.weeks_in_treatment.to_string(),
            r.entry.weeks_on_current_plan.to_string(),
            r.baseline_phq9.map(|v| v.to_string()).unwrap_or_default(),
            r.latest_phq9.map(|v| v.to_string()).unwrap_or_default(),
            r.percent_change
                .map(|p| format!("{p:.0}"))
                .unwrap_or_default(),
            r.carried_weeks.to_string(),
            if r.reviewed_here.is_some() {
                "yes"
            } else {
                "no"
            }
            .to_owned(),
        ]);
    }
    csv_response(result, out, &format!("tandem-review-{meets_on}.csv"))
}

/// An application error as a plain-text answer with its status.
fn app_error(e: app::error::AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}

/// The clinic of an export's query; a 400 answer when it is missing or not a number.
fn required_clinic(raw: Option<&String>) -> Result<app::model::ClinicId, (StatusCode, String)> {
    match parse::<i64>("clinic", raw) {
        Ok(Some(c)) => Ok(app::model::ClinicId(c)),
        Ok(None) => Err((StatusCode::BAD_REQUEST, "clinic is required".to_owned())),
        Err(message) => Err((StatusCode::BAD_REQUEST, message)),
    }
}

/// Authorizes an export of a clinic's data and audits the decision, refusals included (see
/// [`crate::transfer::authorized`]). The error is the answer to send: 403 for the wrong role, 404
/// for another clinic, 503 when the audit log cannot be written (no export goes out unaudited).
async fn authorize_export(
    state: &AppState,
    current: &CurrentUser,
    ip: Option<Extension<ClientIp>>,
    action: Action,
    clinic: app::model::ClinicId,
    audit_action: &str,
) -> Result<(), Response> {
    let ip = ip.and_then(|Extension(ClientIp(ip))| ip);
    crate::transfer::authorized(
        state.store.as_ref(),
        Some(current),
        ip,
        action,
        clinic,
        audit_action,
    )
    .await
    .map(|_| ())
    .map_err(app_error)
}

/// A table as CSV: its headers, then its rows.
fn table_csv(table: &app::reports::DataTable, filename: &str) -> Response {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut result = out.write_record(&table.headers);
    for row in &table.rows {
        if result.is_err() {
            break;
        }
        result = out.write_record(row.iter().map(|v| text_cell(v)));
    }
    csv_response(result, out, filename)
}

/// A report cell for a spreadsheet: numbers (negative percentages included) as they are, any
/// other text guarded against being run as a formula.
fn text_cell(v: &str) -> String {
    if v.parse::<f64>().is_ok() {
        v.to_owned()
    } else {
        cell(v)
    }
}

/// What an export handler answers: the file, or the refusal to send instead.
type Answer = Result<Response, Response>;

fn answer(a: Answer) -> Response {
    a.unwrap_or_else(|refused| refused)
}

/// The clinic of an export: the signed-in user, the `clinic` of the query, and the decision,
/// audited as `audit_action`. The error is the answer to send (401, 400, 403, 404 or 503).
#[allow(clippy::result_large_err)] // the error is the HTTP answer itself
async fn export_clinic(
    state: &AppState,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    raw_clinic: Option<&String>,
    action: Action,
    audit_action: &str,
) -> Result<app::model::ClinicId, Response> {
    let Some(Extension(current)) = current else {
        return Err((StatusCode::UNAUTHORIZED, "Please sign in.").into_response());
    };
    let clinic = required_clinic(raw_clinic).map_err(IntoResponse::into_response)?;
    authorize_export(state, &current, ip, action, clinic, audit_action).await?;
    Ok(clinic)
}

/// The dashboard's query: the chart and the filter fields of `/reports/outcomes`.
#[derive(Debug, Deserialize)]
pub struct OutcomesQuery {
    chart: Option<String>,
    clinic: Option<String>,
    cm: Option<String>,
    from: Option<String>,
    to: Option<String>,
    target: Option<String>,
}

/// `GET /reports/outcomes.csv?chart=&clinic=&cm=&from=&to=&target=`: the numbers of one
/// dashboard chart, exactly as its "show data" table. Aggregates only; audited.
pub async fn outcomes_csv(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Query(q): Query<OutcomesQuery>,
) -> Response {
    answer(
        async {
            let clinic = export_clinic(
                &state,
                current,
                ip,
                q.clinic.as_ref(),
                Action::ViewReports,
                "outcomes.export_csv",
            )
            .await?;
            let chart = q.chart.as_deref().unwrap_or("").trim();
            if !app::reports::CHART_IDS.contains(&chart) {
                return Err((
                    StatusCode::BAD_REQUEST,
                    "chart is not one of the dashboard's charts",
                )
                    .into_response());
            }
            let today = app::model::today();
            let filter = app::api::reports::outcome_filter(
                clinic,
                q.cm.as_deref(),
                q.from.as_deref(),
                q.to.as_deref(),
                q.target.as_deref(),
                today,
            )
            .map_err(app_error)?;
            let dashboard =
                app::api::reports::load::dashboard(state.store.as_ref(), &filter, today)
                    .await
                    .map_err(app_error)?;
            let data = app::reports::dashboard_chart(&dashboard, chart)
                .ok_or_else(|| (StatusCode::NOT_FOUND, "Not found.").into_response())?;
            Ok(table_csv(
                &data.table,
                &format!("tandem-{chart}-{today}.csv"),
            ))
        }
        .await,
    )
}

/// The quality export's query: without `measure`, every measure's counts; with `measure` and
/// `list`, that list's patients.
#[derive(Debug, Deserialize)]
pub struct QualityQuery {
    clinic: Option<String>,
    year: Option<String>,
    measure: Option<String>,
    list: Option<String>,
}

/// `GET /reports/quality.csv?clinic=&year=[&measure=&list=]`: the measures' rates and counts,
/// or the patients of one list. Patient-level, so it needs the export permission; audited.
pub async fn quality_csv(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Query(q): Query<QualityQuery>,
) -> Response {
    answer(
        async {
            let clinic = export_clinic(
                &state,
                current,
                ip,
                q.clinic.as_ref(),
                Action::ExportData,
                "quality.export_csv",
            )
            .await?;
            let today = app::model::today();
            let year =
                app::api::reports::quality_year(q.year.as_deref(), today).map_err(app_error)?;
            let period = app::api::reports::year_range(year)
                .ok_or_else(|| app_error(app::error::AppError::Internal))?;
            let (measures, population) =
                app::api::reports::load::quality(state.store.as_ref(), clinic, period, today)
                    .await
                    .map_err(app_error)?;
            let measure = q
                .measure
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty());
            let Some(measure) = measure else {
                let table = app::reports::measures_table(&measures);
                return Ok(table_csv(&table, &format!("tandem-quality-{year}.csv")));
            };
            let m = measures
                .iter()
                .find(|m| m.id == measure)
                .ok_or_else(|| (StatusCode::NOT_FOUND, "No such measure.").into_response())?;
            let list = q
                .list
                .as_deref()
                .and_then(|l| app::reports::MeasureList::from_code(l.trim()))
                .ok_or_else(|| {
                    (
                        StatusCode::BAD_REQUEST,
                        "list must be numerator, denominator, exclusions or pending",
                    )
                        .into_response()
                })?;
            let patients = app::reports::measure_patients(&population, list.ids(m));
            Ok(table_csv(
                &app::reports::patients_table(&patients),
                &format!("tandem-{}-{}-{year}.csv", m.id, list.code()),
            ))
        }
        .await,
    )
}

#[derive(Debug, Deserialize)]
pub struct BillingQuery {
    clinic: Option<String>,
    month: Option<String>,
}

/// `GET /reports/billing.csv?clinic=&month=YYYY-MM`: the monthly CoCM billing report, a row per
/// patient in care that month. Patient-level, so it needs the export permission; audited.
pub async fn billing_csv(
    State(state): State<AppState>,
    current: Option<Extension<CurrentUser>>,
    ip: Option<Extension<ClientIp>>,
    Query(q): Query<BillingQuery>,
) -> Response {
    answer(
        async {
            let clinic = export_clinic(
                &state,
                current,
                ip,
                q.clinic.as_ref(),
                Action::ExportData,
                "billing.export_csv",
            )
            .await?;
            let month = app::api::reports::billing_month(q.month.as_deref(), app::model::today())
                .map_err(app_error)?;
            let report = app::api::reports::load::billing(state.store.as_ref(), clinic, month)
                .await
                .map_err(app_error)?;
            Ok(table_csv(
                &app::reports::billing_table(&report),
                &format!("tandem-billing-{month}.csv"),
            ))
        }
        .await,
    )
}
