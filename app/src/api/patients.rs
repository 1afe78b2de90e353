//! Patient list server functions.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Page, PatientListRow};

/// One page of the patient list of a clinic, ordered by family name. `page` is 1-based;
/// `clinic` defaults to the user's first clinic.
#[server(ListPatients, "/api/fn")]
pub async fn list_patients(
    page: u32,
    clinic: Option<i64>,
) -> Result<Page<PatientListRow>, AppError> {
    use crate::model::{ClinicId, PatientQuery};
    use crate::policy::Action;
    let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
    let clinic = clinic
        .map(ClinicId)
        .or_else(|| current.user.clinics.first().copied());
    super::context::require(
        Action::ListPatients,
        clinic,
        "patient_list.view",
        clinic.map(|c| ("clinic", c.0)),
    )
    .await?;
    let store = super::context::store()?;
    let page = page.max(1);
    let query = PatientQuery {
        clinic_id: clinic,
        limit: PatientQuery::PAGE_SIZE,
        offset: (page - 1).saturating_mul(PatientQuery::PAGE_SIZE),
    };
    Ok(store.list_patients(&query).await?)
}
