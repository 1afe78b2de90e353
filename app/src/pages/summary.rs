//! The EHR summary: the text to paste into the EHR note, a copy button (each copy audited as an
//! export), and the same content with the trajectory chart as a one-page printout.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::summary::{get_summary, SummaryView};
use crate::components::markup::ServerMarkup;
use crate::error::AppError;

#[component]
pub fn SummaryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let patient = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let number = move |key: &str| query.read().get(key).and_then(|v| v.parse::<i64>().ok());
    let loaded = crate::api::load(
        move || (patient(), number("episode"), number("review")),
        |(patient, episode, review)| async move {
            match patient {
                Some(p) => get_summary(p, episode, review).await,
                None => Err(AppError::NotFound("the patient".to_owned())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the summary…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(view) => view! { <Summary view /> }.into_any(),
                    Err(err) => view! {
                        <Title text="EHR summary" />
                        <h1>"EHR summary"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"The summary could not be made"</h2>
                            <p>{err.to_string()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Summary(view: SummaryView) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let patient = view.patient_id;
    let copy = move |_| {
        leptos::task::spawn_local(async move {
            // Audited first: a copy that cannot be audited does not happen.
            match crate::api::summary::record_summary_copy(patient).await {
                Ok(()) => status.set(copy_to_clipboard().await),
                Err(e) => status.set(format!("Not copied: {e}")),
            }
        });
    };
    view! {
        <Title text=format!("{} · EHR summary", view.patient_name) />
        <div class="page-heading no-print">
            <div>
                <p><a href=format!("/patients/{patient}")>"← Back to the chart"</a></p>
                <h1>{format!("EHR summary · {}", view.patient_name)}</h1>
            </div>
            <div class="actions">
                <button type="button" class="button" on:click=copy data-testid="copy-summary">"Copy summary"</button>
            </div>
        </div>
        <p class="hint no-print">"Paste the text into the EHR note. Each copy is recorded in the audit log. Print this page for a one-page summary with the chart."</p>
        <p class="success no-print" role="status" aria-live="polite" data-testid="copy-status">{move || status.get()}</p>
        <ServerMarkup markup=view.article />
    }
}

/// Writes the summary text, as the page shows it, to the clipboard; what to tell the user.
#[cfg(feature = "hydrate")]
async fn copy_to_clipboard() -> String {
    let text = document()
        .query_selector("pre.ehr-text")
        .ok()
        .flatten()
        .and_then(|pre| pre.text_content())
        .unwrap_or_default();
    let clipboard = window().navigator().clipboard();
    match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await {
        Ok(_) => "Copied. Paste it into the EHR note.".to_owned(),
        Err(_) => "The browser did not allow copying; select the text and copy it.".to_owned(),
    }
}

#[cfg(not(feature = "hydrate"))]
async fn copy_to_clipboard() -> String {
    String::new()
}

/// The summary as the page and its printout show it: the text for the EHR note, the trajectory
/// chart and its summary in words, drawn on the server.
#[cfg(feature = "ssr")]
pub fn article(
    patient_name: &str,
    text: String,
    trajectory_svg: Option<String>,
    trajectory_summary: String,
) -> crate::components::markup::Markup {
    let heading = format!("Collaborative care summary · {patient_name}");
    crate::components::markup::Markup::render(move || {
        view! {
            <article class="print-summary" aria-labelledby="summary-h">
                <h2 id="summary-h" class="print-only">{heading}</h2>
                <pre class="ehr-text" data-testid="ehr-summary" tabindex="0">{text}</pre>
                {trajectory_svg.map(|svg| view! {
                    <figure class="trajectory trajectory--print" inner_html=svg></figure>
                })}
                <p class="chart-summary">{trajectory_summary}</p>
            </article>
        }
    })
}
