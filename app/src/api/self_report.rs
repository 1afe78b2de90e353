//! Self-report links from the care manager's side: make one for a patient's open episode (shown
//! once, with a QR code), see every link's status, withdraw one, and mark a patient's positive
//! item-9 answer seen.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::markup::Markup;
use crate::domain::self_report::LinkStatus;
use crate::error::AppError;

/// One link as the care manager's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRow {
    pub id: i64,
    pub instruments: String,
    pub status: LinkStatus,
    #[serde(with = "crate::wire_dates")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    #[serde(with = "crate::wire_dates")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "crate::wire_dates")]
    pub opened_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::wire_dates")]
    pub completed_at: Option<DateTime<Utc>>,
    pub failed_attempts: u32,
}

/// The self-report screen of one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfReportView {
    pub patient_id: i64,
    pub patient_name: String,
    /// The open episode links are made for; none when the patient is not in treatment.
    pub open_episode: Option<i64>,
    pub links: Vec<LinkRow>,
    /// Days a new link lasts (the clinic's setting).
    pub link_days: u32,
    pub can_edit: bool,
}

/// The self-report page as it travels: the heading and the links drawn on the server, and what the
/// form that makes a link needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfReportScreen {
    pub title: String,
    pub heading: Markup,
    pub patient_id: i64,
    /// Whether the viewer may make a link now (the patient has an open episode).
    pub can_create: bool,
    /// The viewer could make links, but the patient is not in treatment.
    pub closed: bool,
    /// Days a new link lasts (the clinic's setting).
    pub link_days: u32,
    /// Every link with its status, and a form to revoke each outstanding one.
    pub links: Markup,
}

/// A link just made: the only time its address is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLink {
    pub id: i64,
    pub url: String,
    /// The address as a QR code (SVG markup made on the server from the address alone).
    pub qr_svg: String,
    pub instruments: String,
    #[serde(with = "crate::wire_dates")]
    pub expires_at: DateTime<Utc>,
}

#[server(GetSelfReport, "/api/fn", output = crate::api::Wire)]
pub async fn get_self_report(patient: i64) -> Result<SelfReportScreen, AppError> {
    Ok(crate::pages::self_report::sections::screen(
        self_report_view(patient).await?,
    ))
}

/// Everything the self-report screen shows.
#[cfg(feature = "ssr")]
async fn self_report_view(patient: i64) -> Result<SelfReportView, AppError> {
    use crate::model::PatientId;
    use crate::policy::{authorize, Action};

    let (principal, record) =
        super::context::require_patient(Action::ViewChart, PatientId(patient), "self_report.view")
            .await?;
    let store = super::context::store()?;
    let clinic = record.patient.clinic_id;
    let open_episode = open_episode(&store, record.patient.id)
        .await?
        .map(|id| id.0);
    let now = Utc::now();
    let links = store
        .self_report_links(record.patient.id)
        .await?
        .into_iter()
        .map(|l| LinkRow {
            id: l.id,
            instruments: l.instruments_label(),
            status: l.status(now),
            created_at: l.life.created_at,
            created_by: l.created_by_name,
            expires_at: l.life.expires_at,
            opened_at: l.life.opened_at,
            completed_at: l.life.completed_at,
            failed_attempts: l.life.failed_attempts,
        })
        .collect();
    let settings = store.clinic_settings(clinic).await?;
    Ok(SelfReportView {
        patient_id: patient,
        patient_name: record.patient.list_name(),
        open_episode,
        links,
        link_days: settings.self_report.link_days,
        can_edit: authorize(&principal, Action::RecordCare, Some(clinic)).is_ok(),
    })
}

/// The patient's open episode, which links are made for.
#[cfg(feature = "ssr")]
async fn open_episode(
    store: &crate::ports::SharedStore,
    patient: crate::model::PatientId,
) -> Result<Option<crate::model::EpisodeId>, AppError> {
    use crate::model::EpisodeStatus;
    Ok(store
        .episodes_for_patient(patient)
        .await?
        .into_iter()
        .find(|e| e.status != EpisodeStatus::Discharged)
        .map(|e| e.id))
}

/// The signed-in user allowed to do `action` with the link's clinic (audited as `audit_action`),
/// and the store. An unknown link reads like one of another clinic: not found.
#[cfg(feature = "ssr")]
async fn require_link(
    action: crate::policy::Action,
    link: i64,
    audit_action: &str,
) -> Result<(crate::policy::Principal, crate::ports::SharedStore), AppError> {
    let store = super::context::store()?;
    let found = store.self_report_link(link).await?;
    let principal = super::context::require(
        action,
        found.as_ref().map(|(_, o)| o.clinic_id),
        audit_action,
        Some(("self_report_link", link)),
    )
    .await?;
    if found.is_none() {
        return Err(AppError::NotFound("the link".to_owned()));
    }
    Ok((principal, store))
}

/// The address patients open: `TANDEM_PUBLIC_URL` when the operator set it (behind a proxy),
/// otherwise this request's host.
#[cfg(feature = "ssr")]
fn public_base() -> Result<String, AppError> {
    if let Ok(url) = std::env::var("TANDEM_PUBLIC_URL") {
        let url = url.trim().trim_end_matches('/').to_owned();
        if url.starts_with("https://") || url.starts_with("http://") {
            return Ok(url);
        }
        tracing::error!("TANDEM_PUBLIC_URL must start with http:// or https://");
        return Err(AppError::Internal);
    }
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .ok_or_else(|| AppError::invalid("host", "The request names no valid host."))?;
    let https = parts
        .headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p.as_bytes() == b"https");
    Ok(format!("{}://{host}", if https { "https" } else { "http" }))
}

/// Makes a link for the patient's open episode. `instruments` are "PHQ-9" and/or "GAD-7".
#[server(CreateSelfReportLink, "/api/fn", output = crate::api::Wire)]
pub async fn create_self_report_link(
    patient: i64,
    instruments: Option<Vec<String>>,
) -> Result<NewLink, AppError> {
    use crate::domain::self_report::{link_instruments, LinkLife};
    use crate::model::PatientId;
    use crate::policy::Action;
    use crate::self_report::NewSelfReportLink;

    let (principal, record) = super::context::require_patient(
        Action::RecordCare,
        PatientId(patient),
        "self_report.create",
    )
    .await?;
    let result = async {
        let instruments = link_instruments(&instruments.unwrap_or_default())
            .map_err(|m| AppError::invalid("instruments", m))?;
        let store = super::context::store()?;
        let episode = open_episode(&store, record.patient.id)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "instruments",
                    "The patient has no open episode; enroll them before sending a questionnaire.",
                )
            })?;
        let settings = store.clinic_settings(record.patient.clinic_id).await?;
        let base = public_base()?;
        let (token_hash, token) = new_token()?;
        let link = store
            .create_self_report_link(&NewSelfReportLink {
                episode_id: episode,
                token_hash,
                instruments,
                created_by: principal.user_id,
                life: LinkLife::new(Utc::now(), settings.self_report.link_days),
            })
            .await?;
        let url = format!("{base}/r/{token}");
        Ok(NewLink {
            id: link.id,
            qr_svg: qr_svg(&url)?,
            url,
            instruments: link.instruments_label(),
            expires_at: link.life.expires_at,
        })
    }
    .await;
    super::context::audited(
        &principal,
        "self_report.create",
        ("patient", patient),
        result,
    )
    .await
}

/// A new link token (160 random bits as 40 hex digits) and its SHA-256 hash, which is all the
/// database keeps. The patient pages use the same for their visit cookie.
#[cfg(feature = "ssr")]
pub fn new_token() -> Result<(String, String), AppError> {
    let token = crate::accounts::random_hex(20, "a self-report link")?;
    Ok((crate::accounts::hash_token(&token), token))
}

/// The address as a QR code in SVG.
#[cfg(feature = "ssr")]
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| {
            tracing::error!("the link does not fit a QR code");
            AppError::Internal
        })?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// Withdraws a link; the patient can no longer open it.
#[server(RevokeSelfReportLink, "/api/fn", output = crate::api::Wire)]
pub async fn revoke_self_report_link(id: i64) -> Result<(), AppError> {
    let (principal, store) =
        require_link(crate::policy::Action::RecordCare, id, "self_report.revoke").await?;
    let result = store
        .revoke_self_report_link(id, Utc::now())
        .await
        .map(|_| ())
        .map_err(AppError::from);
    super::context::audited(
        &principal,
        "self_report.revoke",
        ("self_report_link", id),
        result,
    )
    .await
}

/// Marks a patient's positive item-9 self-report seen, which clears its caseload notice. The
/// safety flag itself follows the scores, as always.
#[server(AcknowledgeSafetyNotice, "/api/fn", output = crate::api::Wire)]
pub async fn acknowledge_safety_notice(link: i64) -> Result<(), AppError> {
    let (principal, store) = require_link(
        crate::policy::Action::RecordCare,
        link,
        "self_report.notice_seen",
    )
    .await?;
    let result = store
        .acknowledge_safety_notice(link, principal.user_id, Utc::now())
        .await
        .map_err(AppError::from);
    super::context::audited(
        &principal,
        "self_report.notice_seen",
        ("self_report_link", link),
        result,
    )
    .await
}
