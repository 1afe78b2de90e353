//! Patient list server functions.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Page, PatientListRow};

/// One page of the patient list of a clinic, ordered by family name. `page` is 1-based;
/// `clinic` defaults to the user's first clinic.
#[server(ListPatients, "/api/fn", output = crate::api::Wire)]
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

/// A patient with every episode and live score, for FHIR and the exports.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PatientScores {
    pub patient: crate::model::Patient,
    /// Newest enrollment first.
    pub episodes: Vec<crate::model::Episode>,
    /// Every live score of every episode, oldest first.
    pub measurements: Vec<crate::model::Measurement>,
}

/// A patient's record and scores as an interface reads them: patient-level data leaving Tandem,
/// so it needs the export permission, and it is audited as an export.
#[server(GetPatientScores, "/api/fn", output = crate::api::Wire)]
pub async fn get_patient_scores(patient: i64) -> Result<PatientScores, AppError> {
    use crate::model::PatientId;
    use crate::policy::Action;
    let (_, record) =
        super::context::require_patient(Action::ExportData, PatientId(patient), "patient.export")
            .await?;
    let store = super::context::store()?;
    let episodes = store.episodes_for_patient(record.patient.id).await?;
    let mut measurements = Vec::new();
    // A patient has a handful of episodes; one query each.
    for e in episodes.iter().rev() {
        measurements.extend(store.measurements_for_episode(e.id).await?);
    }
    Ok(PatientScores {
        patient: record.patient,
        episodes,
        measurements,
    })
}

/// The patient of a clinic with an MRN, for a FHIR identifier search. `None` when there is none;
/// the search itself is audited as an export of the clinic.
#[server(FindPatientByMrn, "/api/fn", output = crate::api::Wire)]
pub async fn find_patient_by_mrn(
    clinic: i64,
    mrn: String,
) -> Result<Option<crate::model::Patient>, AppError> {
    use crate::model::ClinicId;
    use crate::policy::Action;
    let clinic = ClinicId(clinic);
    super::context::require(
        Action::ExportData,
        Some(clinic),
        "patient.search",
        Some(("clinic", clinic.0)),
    )
    .await?;
    Ok(super::context::store()?
        .patient_by_mrn(clinic, mrn.trim())
        .await?)
}

/// One live score with the patient it belongs to, as an interface reads it (FHIR): an export,
/// audited as one.
#[server(GetScoreForExport, "/api/fn", output = crate::api::Wire)]
pub async fn get_score_for_export(
    measurement: i64,
) -> Result<(crate::model::Measurement, crate::model::PatientId), AppError> {
    use crate::model::MeasurementId;
    use crate::policy::Action;
    let (_, m, owner) = super::context::require_measurement(
        Action::ExportData,
        MeasurementId(measurement),
        "measurement.export",
    )
    .await?;
    Ok((m, owner.patient_id))
}
