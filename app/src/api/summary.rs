//! The EHR summary of a patient's episode: plain text to paste into the EHR note, with the
//! trajectory chart for the printed page. Reading it is audited like the chart; every copy is
//! audited as an export.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryView {
    pub patient_id: i64,
    pub patient_name: String,
    /// The summary text (as pasted into the EHR) and the trajectory chart, drawn on the server.
    pub article: crate::components::markup::Markup,
}

/// The summary of the patient's newest episode (or of `episode`), reporting the recommendation of
/// `review` when one is named (from a case review) and the latest otherwise.
#[server(GetSummary, "/api/fn", output = crate::api::Wire)]
pub async fn get_summary(
    patient: i64,
    episode: Option<i64>,
    review: Option<i64>,
) -> Result<SummaryView, AppError> {
    use crate::model::{today, PatientId};
    use crate::policy::Action;

    let (_, record) =
        super::context::require_patient(Action::ViewChart, PatientId(patient), "summary.view")
            .await?;
    let store = super::context::store()?;
    let episodes = store.episode_records(record.patient.id).await?;
    let chosen = match episode {
        Some(id) => episodes.iter().find(|e| e.episode.id.0 == id),
        None => episodes.first(),
    }
    .ok_or_else(|| AppError::NotFound("an episode of this patient".to_owned()))?;
    let history = store.episode_history(chosen.episode.id).await?;
    if let Some(id) = review {
        if !history.reviews.iter().any(|r| r.id == id) {
            return Err(AppError::NotFound(
                "that case review of this episode".to_owned(),
            ));
        }
    }
    let settings = store.clinic_settings(record.patient.clinic_id).await?;
    let clinic_name = store
        .get_clinic(record.patient.clinic_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let as_of = today();
    let text = crate::summary::episode_summary(
        &record.patient,
        &clinic_name,
        chosen,
        &history,
        &settings,
        review,
        as_of,
    );
    let data = crate::care::episode_data(chosen, &history);
    let (trajectory_svg, trajectory_summary) =
        super::chart::trajectory(chosen, &history, &data, as_of);
    let patient_name = record.patient.list_name();
    Ok(SummaryView {
        patient_id: patient,
        article: crate::pages::summary::article(
            &patient_name,
            text,
            trajectory_svg,
            trajectory_summary,
        ),
        patient_name,
    })
}

/// Records that the summary was copied for the EHR: an export of the patient's data. The page
/// copies only after this succeeds, so no copy goes unaudited.
#[server(RecordSummaryCopy, "/api/fn", output = crate::api::Wire)]
pub async fn record_summary_copy(patient: i64) -> Result<(), AppError> {
    use crate::model::PatientId;
    use crate::policy::Action;
    super::context::require_patient(Action::ViewChart, PatientId(patient), "summary.export")
        .await?;
    Ok(())
}
