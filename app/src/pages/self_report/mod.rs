//! A patient's self-report links: make a link (shown once, with its QR code, to send through the
//! clinic's own messaging), and every link's status: sent, opened, completed, expired, revoked or
//! locked.
//!
//! The heading and the links are drawn on the server (`sections`); the browser holds the code of
//! the form that makes a link and of the panel that shows it once.

#[cfg(feature = "ssr")]
pub mod sections;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::form::{FormAction, PostForm};
use crate::api::self_report::{get_self_report, CreateSelfReportLink, NewLink, SelfReportScreen};
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::markup::{LiveMarkup, ServerMarkup};
use crate::domain::self_report::SELF_REPORT_INSTRUMENTS;
use crate::error::AppError;

#[component]
pub fn SelfReportPage() -> impl IntoView {
    let params = use_params_map();
    let patient = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let create = FormAction::<CreateSelfReportLink>::new();
    let saved = RwSignal::new(0_usize);
    let loaded = crate::api::load(
        move || (patient(), create.version().get(), saved.get()),
        |(patient, _, _)| async move {
            match patient {
                Some(p) => get_self_report(p).await,
                None => Err(AppError::NotFound("the patient".to_owned())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(screen) => view! { <SelfReport screen create saved /> }.into_any(),
                    Err(err) => view! {
                        <Title text="Self-report" />
                        <h1>"Self-report"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"The page could not be loaded"</h2>
                            <p>{err.to_string()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A moment in UTC, or a dash.
pub(crate) fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |t| format!("{} UTC", crate::dates::date_time(t.naive_utc())),
    )
}

#[component]
fn SelfReport(
    screen: SelfReportScreen,
    create: FormAction<CreateSelfReportLink>,
    saved: RwSignal<usize>,
) -> impl IntoView {
    let patient_id = screen.patient_id;
    let error = last_error(create);
    let days = screen.link_days;
    let form = screen.can_create.then(|| {
        let boxes = SELF_REPORT_INSTRUMENTS
            .into_iter()
            .map(|i| {
                let id = format!("instrument-{}", i.code().to_ascii_lowercase());
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=id.clone() name="instruments[]" value=i.code() checked=true aria-describedby="instruments-error" />
                        <label for=id>{i.code()}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <PostForm action=create attr:class="form narrow">
                <input type="hidden" name="patient" value=patient_id.to_string() />
                <fieldset class="field">
                    <legend>"Questionnaires to send"</legend>
                    <span class="hint">{format!("The link works once and expires after {days} days (a clinic setting). Tandem sends no email or text message: copy the link or show the QR code.")}</span>
                    <FieldMessage id="instruments" message=field_error(error, "instruments") />
                    {boxes}
                </fieldset>
                <button type="submit" class="button">"Create link"</button>
            </PostForm>
        }
    });
    let closed = screen.closed.then(|| {
        view! { <p class="muted">"Links are made for patients in treatment; this patient has no open episode."</p> }
    });
    view! {
        <Title text=screen.title />
        <ServerMarkup markup=screen.heading />
        <ErrorSummary error=move || error().filter(|e| !matches!(e, AppError::Invalid { field: Some(_), .. })) />
        {move || create.value().and_then(Result::ok).map(|link| view! { <LinkReady link /> })}
        {form}
        {closed}
        <LiveMarkup markup=screen.links saved />
    }
}

#[component]
fn LinkReady(link: NewLink) -> impl IntoView {
    view! {
        <section class="panel link-ready" aria-labelledby="link-ready-h" role="status">
            <h2 id="link-ready-h">"Link ready"</h2>
            <p>
                {format!("{} · works once · expires {}. ", link.instruments, when(Some(link.expires_at)))}
                <strong>"This is the only time the link is shown."</strong>
                " Send it through the clinic's own messaging, or let the patient scan the code."
            </p>
            <div class="field">
                <label for="self-report-url">"Link for the patient"</label>
                <input id="self-report-url" type="text" readonly value=link.url data-testid="self-report-url" />
            </div>
            <figure class="qr" aria-label="QR code of the link" inner_html=link.qr_svg></figure>
        </section>
    }
}
