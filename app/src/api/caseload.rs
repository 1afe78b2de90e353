//! The caseload: a care manager's open episodes (or the whole clinic's), with flags.

// Form-backed server functions take one argument per form field; the `server` macro generates
// the client functions from them, so the allowance has to be module-wide.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::StaffMember;
use crate::care::CaseloadPage;
use crate::error::AppError;
use crate::model::Clinic;

/// What the caseload screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadView {
    pub clinic: Clinic,
    /// The clinics the user can switch between.
    pub clinics: Vec<Clinic>,
    pub staff: Vec<StaffMember>,
    /// Whether the list is the signed-in care manager's own patients.
    pub mine: bool,
    pub viewer_is_care_manager: bool,
    pub care_manager: Option<i64>,
    pub data: CaseloadPage,
    /// Patients who answered PHQ-9 item 9 above 0 in a self-report, until marked seen.
    #[serde(default)]
    pub safety_notices: Vec<CaseloadNotice>,
}

/// A safety notice as the caseload shows it. The time of the answer is in the registry's local
/// time (the server's, as every date Tandem shows) and is converted on the server, so the page
/// shows the same time when it is rendered and after the browser renders it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadNotice {
    pub link_id: i64,
    pub patient_id: crate::model::PatientId,
    pub patient_name: String,
    #[serde(with = "crate::wire_dates")]
    pub answered: chrono::NaiveDateTime,
}

/// One page of the caseload. Every argument is optional and refused with a clear message when it
/// is not one of the allowed values.
#[server(GetCaseload, "/api/fn", output = crate::api::Wire)]
pub async fn get_caseload(
    clinic: Option<i64>,
    scope: Option<String>,
    status: Option<String>,
    flag: Option<String>,
    care_manager: Option<i64>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<u32>,
) -> Result<CaseloadView, AppError> {
    use crate::care::{caseload_page, caseload_row, CaseloadFilter, SortKey};
    use crate::domain::FlagKind;
    use crate::model::{today, CaseloadScope, ClinicId, EpisodeStatus};
    use crate::policy::{Action, Role};

    let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
    let clinic = clinic
        .map(ClinicId)
        .or_else(|| current.user.clinics.first().copied());
    let principal = super::context::require(
        Action::ListPatients,
        clinic,
        "caseload.view",
        clinic.map(|c| ("clinic", c.0)),
    )
    .await?;
    let clinic = clinic.ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
    let non_empty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let status = match non_empty(&status) {
        None => None,
        Some(code) => Some(
            EpisodeStatus::from_code(&code)
                .filter(|s| *s != EpisodeStatus::Discharged)
                .ok_or_else(|| {
                    AppError::invalid("status", "Choose active treatment or relapse prevention.")
                })?,
        ),
    };
    let flag = match non_empty(&flag) {
        None => None,
        Some(code) => Some(
            FlagKind::from_code(&code)
                .ok_or_else(|| AppError::invalid("flag", "Choose one of the listed flags."))?,
        ),
    };
    let sort = match non_empty(&sort) {
        None => SortKey::default(),
        Some(code) => SortKey::from_code(&code)
            .ok_or_else(|| AppError::invalid("sort", "Choose one of the caseload's columns."))?,
    };
    let search = non_empty(&q);
    if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::invalid("q", "Search for at most 100 characters."));
    }
    let viewer_is_care_manager = principal.role == Role::CareManager;
    let mine = match non_empty(&scope).as_deref() {
        Some("mine") => true,
        Some("clinic") => false,
        None => viewer_is_care_manager && care_manager.is_none(),
        Some(_) => {
            return Err(AppError::invalid(
                "scope",
                "Choose my patients or the whole clinic.",
            ))
        }
    };
    let care_manager = if mine {
        Some(principal.user_id)
    } else {
        care_manager
    };

    let store = super::context::store()?;
    let settings = store.clinic_settings(clinic).await?;
    let as_of = today();
    let episodes = store
        .caseload(&CaseloadScope {
            clinic_id: clinic,
            care_manager_id: care_manager,
            search,
        })
        .await?;
    let self_report = store.self_report_caseload(clinic, care_manager).await?;
    let received: std::collections::HashMap<_, _> = self_report.received.into_iter().collect();
    let rows = episodes
        .iter()
        .map(|e| {
            let mut row = caseload_row(e, &settings.flag_rules, as_of);
            row.self_report_on = received
                .get(&e.data.episode_id)
                .map(|at| at.with_timezone(&chrono::Local).date_naive())
                .filter(|on| {
                    crate::domain::self_report::awaiting_follow_up(*on, row.last_contact_on)
                });
            row
        })
        .collect();
    let filter = CaseloadFilter {
        status,
        flag,
        sort,
        descending: dir.as_deref() == Some("desc"),
        page: page.unwrap_or(1),
    };
    let (clinics, this) = super::context::member_clinics(&principal, clinic).await?;
    Ok(CaseloadView {
        clinic: this,
        clinics,
        staff: store.clinic_staff(clinic).await?,
        mine,
        viewer_is_care_manager,
        care_manager,
        data: caseload_page(rows, &filter, as_of),
        safety_notices: self_report
            .notices
            .into_iter()
            .map(|n| CaseloadNotice {
                link_id: n.link_id,
                patient_id: n.patient_id,
                patient_name: n.patient_name,
                answered: n.answered_at.with_timezone(&chrono::Local).naive_local(),
            })
            .collect(),
    })
}
