//! Meeting mode: one patient at a time for the consultant and the care manager, with keyboard
//! next/previous, a progress count and an optional timer; the recommendation form; the meeting
//! record; a clinic's past meetings; and the consultant's home.
//!
//! What these screens show is drawn on the server (`sections`); the browser holds the code of the
//! navigation, the timer and the forms.

#[cfg(feature = "ssr")]
pub mod sections;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::form::{FormAction, PostForm};
use crate::api::review::{
    get_consultant_home, get_meeting, get_meeting_record, get_meetings, EndMeeting, MeetingPatient,
    MeetingScreen, RecordReview,
};
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::markup::ServerMarkup;
use crate::domain::RecommendationKind;
use crate::pages::markup_page;
use crate::pages::page_error;

fn meeting_param() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|v| v.parse().ok()))
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let id = meeting_param();
    let query = use_query_map();
    let at = Memo::new(move |_| {
        query
            .read()
            .get("at")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1)
    });
    let record = FormAction::<RecordReview>::new();
    let end = FormAction::<EndMeeting>::new();
    let data = crate::api::load(
        move || (id.get(), record.version().get()),
        |(id, _)| async move { get_meeting(id.unwrap_or_default()).await },
    );
    view! {
        <Title text="Meeting mode" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the meeting…"</p> }>
            {move || {
                // Moving to another patient changes only the query: re-render, no refetch.
                let position = at.get();
                Suspend::new(async move {
                    match data.await {
                        Ok(screen) => view! { <Meeting screen position record end /> }.into_any(),
                        Err(err) => page_error("Meeting mode", err),
                    }
                })
            }}
        </Suspense>
    }
}

/// Next and previous by keyboard (→/← or n/p) when no field has the focus.
fn keyboard_navigation(prev: Option<String>, next: Option<String>) {
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let typing = document().active_element().is_some_and(|el| {
                matches!(
                    el.tag_name().to_ascii_lowercase().as_str(),
                    "input" | "textarea" | "select"
                )
            });
            if typing {
                return;
            }
            let target = match ev.key().as_str() {
                "ArrowRight" | "n" => next.clone(),
                "ArrowLeft" | "p" => prev.clone(),
                _ => None,
            };
            if let Some(href) = target {
                ev.prevent_default();
                navigate(&href, Default::default());
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (prev, next);
}

/// An optional meeting timer: elapsed minutes and seconds since it was started.
#[component]
fn MeetingTimer() -> impl IntoView {
    let started = RwSignal::new(None::<chrono::DateTime<chrono::Utc>>);
    let now = RwSignal::new(chrono::Utc::now());
    let start = move |_| {
        started.set(Some(chrono::Utc::now()));
        now.set(chrono::Utc::now());
        #[cfg(feature = "hydrate")]
        set_interval(
            move || now.set(chrono::Utc::now()),
            std::time::Duration::from_secs(1),
        );
    };
    view! {
        <span class="timer" aria-live="off">
            {move || match started.get() {
                None => view! { <button type="button" class="link-button" on:click=start>"Start timer"</button> }.into_any(),
                Some(t) => {
                    let secs = (now.get() - t).num_seconds().max(0);
                    view! { <span class="timer__value">{format!("⏱ {:02}:{:02}", secs / 60, secs % 60)}</span> }.into_any()
                }
            }}
        </span>
    }
}

#[component]
fn Meeting(
    screen: MeetingScreen,
    position: usize,
    record: FormAction<RecordReview>,
    end: FormAction<EndMeeting>,
) -> impl IntoView {
    let id = screen.meeting;
    let total = screen.patients.len();
    let position = position.clamp(1, total.max(1));
    let href = |n: usize| format!("/meetings/{id}?at={n}");
    let prev = (position > 1).then(|| href(position - 1));
    let next = (position < total).then(|| href(position + 1));
    keyboard_navigation(prev.clone(), next.clone());
    let reviewed = screen.patients.iter().filter(|p| p.reviewed).count();
    let end_err = last_error(end);
    let ended = screen.ended;
    let meets_on = screen.meets_on;
    let clinic = screen.clinic;
    let nav = screen
        .patients
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let here = i + 1 == position;
            let class = if p.reviewed { "meeting-nav__done" } else { "" };
            view! {
                <li class=class>
                    <a href=href(i + 1) aria-current=here.then_some("step")>
                        {p.name.clone()}{p.reviewed.then_some(" ✓")}
                    </a>
                </li>
            }
        })
        .collect_view();
    let patient = screen.patients.get(position - 1).cloned();
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Meeting · {} · {}", screen.clinic_name, meets_on)}</h1>
                <p>
                    <strong class="progress">{if total == 0 { "No patients on the list".to_owned() } else { format!("{position} of {total}") }}</strong>
                    {format!(" · {reviewed} reviewed{}", if ended { " · meeting ended" } else { "" })}
                    " · "
                    <MeetingTimer />
                </p>
            </div>
            <div class="actions">
                {prev.clone().map(|h| view! { <a class="button button--secondary" href=h rel="prev">"← Previous"</a> })}
                {next.clone().map(|h| view! { <a class="button button--secondary" href=h rel="next">"Next →"</a> })}
                <a href=format!("/review?clinic={clinic}&date={meets_on}")>"List"</a>
                {(screen.can_plan && !ended).then(|| view! {
                    <PostForm action=end attr:class="inline-form">
                        <input type="hidden" name="meeting" value=id.to_string() />
                        <button type="submit" class="button button--secondary">"End meeting"</button>
                    </PostForm>
                })}
            </div>
        </div>
        <ErrorSummary error=end_err />
        <p class="muted no-print">"Keys: → or n for the next patient, ← or p for the previous one."</p>
        <div class="meeting">
            <nav class="meeting-nav" aria-label="Patients on the list"><ol>{nav}</ol></nav>
            {match patient {
                Some(patient) => view! { <PatientReview patient meeting=id can_record=screen.can_record record /> }.into_any(),
                None => view! { <p class="empty-state">"No patient is on this meeting's list."</p> }.into_any(),
            }}
        </div>
    }
}

/// One patient: the page drawn on the server, and the recommendation form.
#[component]
fn PatientReview(
    patient: MeetingPatient,
    meeting: i64,
    can_record: bool,
    record: FormAction<RecordReview>,
) -> impl IntoView {
    let err = last_error(record);
    // The form empties after each recorded recommendation (and keeps its input after a refusal),
    // so a second click cannot record the same one twice by accident.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(record.value(), Some(Ok(()))) {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
    let kinds = RecommendationKind::ALL
        .iter()
        .map(|k| view! { <option value=k.code()>{k.label()}</option> })
        .collect_view();
    view! {
        <article class="meeting-patient" aria-labelledby="mp-name">
            <ServerMarkup markup=patient.markup />
            {can_record.then(|| view! {
                <PostForm action=record node_ref=form attr:class="stacked-form recommendation-form">
                    <h3>{if patient.reviewed { "Add another recommendation" } else { "Recommendation" }}</h3>
                    <ErrorSummary error=err />
                    <input type="hidden" name="meeting" value=meeting.to_string() />
                    <input type="hidden" name="episode" value=patient.episode.to_string() />
                    <div class="field">
                        <label for="rec-kind">"Type"</label>
                        <select id="rec-kind" name="kind">
                            <option value="">"No recommendation (mark reviewed)"</option>
                            {kinds}
                        </select>
                        <FieldMessage id="kind" message=field_error(err, "kind") />
                    </div>
                    <div class="field">
                        <label for="rec-details">"Details"</label>
                        <textarea id="rec-details" name="details" rows="3" maxlength="2000"></textarea>
                        <FieldMessage id="details" message=field_error(err, "details") />
                    </div>
                    <div class="field">
                        <label for="rec-note">"Note for the record (optional)"</label>
                        <textarea id="rec-note" name="note" rows="2" maxlength="2000"></textarea>
                    </div>
                    <button type="submit" class="button">"Record and mark reviewed"</button>
                </PostForm>
            })}
        </article>
    }
}

/// A meeting as it happened: date, attendees, who was reviewed and what was recommended, and
/// who was carried forward.
#[component]
pub fn MeetingRecordPage() -> impl IntoView {
    let id = meeting_param();
    let data = crate::api::load(
        move || id.get(),
        |id| get_meeting_record(id.unwrap_or_default()),
    );
    view! {
        <Title text="Meeting record" />
        {markup_page("Meeting record", "Loading…", data)}
    }
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let query = use_query_map();
    let clinic = Memo::new(move |_| query.read().get("clinic").and_then(|v| v.parse().ok()));
    let data = crate::api::load(move || clinic.get(), get_meetings);
    view! {
        <Title text="Meetings" />
        {markup_page("Meetings", "Loading…", data)}
    }
}

/// The psychiatric consultant's home: each clinic's next meeting, how many patients are flagged
/// and how many were carried forward.
#[component]
pub fn ConsultantHome() -> impl IntoView {
    let data = crate::api::load(|| (), |_| get_consultant_home());
    view! {
        <Title text="Upcoming case reviews" />
        <h1>"Upcoming case reviews"</h1>
        {markup_page("Upcoming case reviews", "Loading…", data)}
    }
}
