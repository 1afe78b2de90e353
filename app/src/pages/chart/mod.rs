//! The patient chart: header with age, status, weeks and flags; the care-intensity indicator; the
//! trajectory chart (server-drawn SVG with a data table); scores, contacts, plans, care-intensity
//! facts, hospital/ED events, treatment changes and status history; and the forms to record care.
//!
//! The server draws the whole chart, forms included (`sections`); the page shows it as
//! [`LiveMarkup`], whose forms post through the wasm and load the chart again once saved.

#[cfg(feature = "ssr")]
pub mod sections;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::chart::get_chart_screen;
use crate::components::markup::LiveMarkup;
use crate::domain::TargetCondition;
use crate::error::AppError;

#[component]
pub fn ChartPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let patient = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let episode = move || {
        query
            .read()
            .get("episode")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let saved = RwSignal::new(0_usize);
    let chart = crate::api::load(
        move || (patient(), episode(), saved.get()),
        |(patient, episode, _)| async move {
            match patient {
                Some(p) => get_chart_screen(p, episode).await,
                None => Err(AppError::NotFound("the patient".to_owned())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the chart…"</p> }>
            {move || Suspend::new(async move {
                match chart.await {
                    Ok(screen) => view! {
                        <Title text=screen.title />
                        <LiveMarkup markup=screen.markup saved />
                    }.into_any(),
                    Err(err) => view! {
                        <Title text="Patient chart" />
                        <h1>"Patient chart"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"The chart could not be loaded"</h2>
                            <p>{err.to_string()}</p>
                            {(err == AppError::Unauthenticated).then(|| view! { <p><a class="button" href="/login">"Sign in"</a></p> })}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One checkbox of a list posted as `name[]`; its id is `{prefix}-{code}`.
pub(crate) fn checkbox(
    prefix: &str,
    name: &'static str,
    code: &'static str,
    label: &'static str,
    checked: bool,
) -> impl IntoView {
    let id = format!("{prefix}-{code}");
    view! {
        <div class="checkbox">
            <input type="checkbox" id=id.clone() name=name value=code checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

/// Target-condition checkboxes.
pub fn target_checkboxes(chosen: &[TargetCondition]) -> impl IntoView {
    TargetCondition::ALL
        .into_iter()
        .map(|t| {
            checkbox(
                "target",
                "targets[]",
                t.code(),
                t.label(),
                chosen.contains(&t),
            )
        })
        .collect_view()
}
