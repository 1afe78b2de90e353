//! The patient chart: one patient, one episode, every number and flag from the domain module.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::StaffMember;
use crate::components::markup::Markup;
use crate::domain::{EpisodeMetrics, Flag, IntensityAssessment};
use crate::error::AppError;
use crate::model::{EpisodeHistory, EpisodeRecord, PatientRecord};

/// Everything the chart page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    pub patient: PatientRecord,
    pub clinic_name: String,
    pub age: u32,
    /// Every episode of the patient, newest first.
    pub episodes: Vec<EpisodeRecord>,
    /// The episode shown (the newest unless another was asked for); none before enrollment.
    pub episode: Option<EpisodeRecord>,
    pub history: EpisodeHistory,
    pub metrics: Option<EpisodeMetrics>,
    pub flags: Vec<Flag>,
    pub intensity: IntensityAssessment,
    #[serde(default, with = "crate::wire_dates")]
    pub next_contact_due: Option<NaiveDate>,
    /// The trajectory chart as SVG markup, drawn on the server.
    pub trajectory_svg: Option<String>,
    pub trajectory_summary: String,
    pub staff: Vec<StaffMember>,
    /// Whether the viewer may record care and edit the chart.
    pub can_edit: bool,
    /// Whether the viewer may put the patient on the review list.
    pub can_plan_review: bool,
    #[serde(with = "crate::wire_dates")]
    pub today: NaiveDate,
}

/// The chart page as it travels: drawn on the server, forms included. [`ChartView`] is the chart
/// as data (the JSON API sends it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartScreen {
    pub title: String,
    pub markup: Markup,
}

/// The chart page: the chart of [`get_chart`], drawn here.
#[server(GetChartScreen, "/api/fn", output = crate::api::Wire)]
pub async fn get_chart_screen(patient: i64, episode: Option<i64>) -> Result<ChartScreen, AppError> {
    Ok(crate::pages::chart::sections::screen(
        get_chart(patient, episode).await?,
    ))
}

/// Whole years from birth to `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(birth).unwrap_or(0)
}

#[server(GetChart, "/api/fn", output = crate::api::Wire)]
pub async fn get_chart(patient: i64, episode: Option<i64>) -> Result<ChartView, AppError> {
    use crate::care::{episode_data, intensity_facts};
    use crate::domain::flags::FlagContext;
    use crate::domain::{assess_intensity, next_contact_due};
    use crate::model::{today, PatientId};
    use crate::policy::{authorize, Action};

    let (principal, record) =
        super::context::require_patient(Action::ViewChart, PatientId(patient), "chart.view")
            .await?;
    let store = super::context::store()?;
    let clinic = record.patient.clinic_id;
    let episodes = store.episode_records(record.patient.id).await?;
    let selected = match episode {
        Some(id) => Some(
            episodes
                .iter()
                .find(|e| e.episode.id.0 == id)
                .cloned()
                .ok_or_else(|| AppError::NotFound("the episode".to_owned()))?,
        ),
        None => episodes.first().cloned(),
    };
    let as_of = today();
    let settings = store.clinic_settings(clinic).await?;
    let history = match &selected {
        Some(e) => store.episode_history(e.episode.id).await?,
        None => EpisodeHistory::default(),
    };
    let (metrics, flags, due, svg, summary) = match &selected {
        Some(e) => {
            let data = episode_data(e, &history);
            let cx = FlagContext::new(&data, &settings.flag_rules, as_of);
            let flags = crate::domain::flags::evaluate(&cx);
            let due = next_contact_due(&cx);
            let (svg, summary) = trajectory(e, &history, &data, as_of);
            (Some(cx.metrics), flags, due, svg, summary)
        }
        None => (None, Vec::new(), None, None, String::new()),
    };
    let intensity = assess_intensity(&intensity_facts(&record.facts, &history), as_of);
    let clinic_name = store
        .get_clinic(clinic)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let can_edit = authorize(&principal, Action::RecordCare, Some(clinic)).is_ok();
    let staff = if can_edit {
        store.clinic_staff(clinic).await?
    } else {
        Vec::new()
    };
    Ok(ChartView {
        age: age_on(record.patient.birth_date, as_of),
        patient: record,
        clinic_name,
        episodes,
        episode: selected,
        history,
        metrics,
        flags,
        intensity,
        next_contact_due: due,
        trajectory_svg: svg,
        trajectory_summary: summary,
        staff,
        can_edit,
        can_plan_review: authorize(&principal, Action::PlanReview, Some(clinic)).is_ok(),
        today: as_of,
    })
}

/// An episode's trajectory chart (SVG, or none if it could not be drawn) and its summary in words.
#[cfg(feature = "ssr")]
pub(crate) fn trajectory(
    e: &EpisodeRecord,
    history: &EpisodeHistory,
    data: &crate::domain::EpisodeData,
    as_of: NaiveDate,
) -> (Option<String>, String) {
    use crate::charts::{trajectory_summary, trajectory_svg, Point, Trajectory};
    use crate::domain::Instrument;
    let series = |i: Instrument| -> Vec<Point> {
        history
            .measurements
            .iter()
            .filter(|m| m.instrument() == i)
            .map(|m| Point {
                taken_on: m.taken_on,
                total: m.responses.total(),
            })
            .collect()
    };
    let trajectory = Trajectory {
        enrolled_on: e.episode.enrolled_on,
        baseline: data
            .course(Instrument::Phq9, as_of)
            .baseline()
            .map(|s| s.total),
        phq9: series(Instrument::Phq9),
        gad7: series(Instrument::Gad7),
    };
    let svg = match trajectory_svg(&trajectory) {
        Ok(svg) => Some(svg),
        Err(err) => {
            tracing::error!(episode = e.episode.id.0, error = %err, "trajectory chart failed");
            None
        }
    };
    (svg, trajectory_summary(&trajectory))
}
