//! Patient list server functions.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Page, PatientListRow};

/// One page of the patient list, ordered by family name. `page` is 1-based.
#[server(ListPatients, "/api/fn")]
pub async fn list_patients(page: u32) -> Result<Page<PatientListRow>, AppError> {
    use crate::model::PatientQuery;
    let store = super::context::store()?;
    let page = page.max(1);
    let query = PatientQuery {
        clinic_id: None,
        limit: PatientQuery::PAGE_SIZE,
        offset: (page - 1).saturating_mul(PatientQuery::PAGE_SIZE),
    };
    Ok(store.list_patients(&query).await?)
}
