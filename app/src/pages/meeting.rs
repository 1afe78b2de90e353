//! Meeting mode: one patient at a time for the consultant and the care manager, with keyboard
//! next/previous, a progress count and an optional timer; the recommendation form; the meeting
//! record; a clinic's past meetings; and the consultant's home.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::form::{FormAction, PostForm};
use crate::api::review::{
    get_consultant_home, get_meeting, get_meeting_record, get_meetings, EndMeeting, MeetingView,
    RecordReview,
};
use crate::case_review::{BoardRow, CaseReview};
use crate::components::flags::FlagList;
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::sparkline::Sparkline;
use crate::domain::RecommendationKind;
use crate::pages::review::{page_error, score_line};

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
                        Ok(view) => view! { <Meeting view position record end /> }.into_any(),
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
    view: MeetingView,
    position: usize,
    record: FormAction<RecordReview>,
    end: FormAction<EndMeeting>,
) -> impl IntoView {
    let id = view.meeting.id.0;
    let total = view.board.rows.len();
    let position = position.clamp(1, total.max(1));
    let href = |n: usize| format!("/meetings/{id}?at={n}");
    let prev = (position > 1).then(|| href(position - 1));
    let next = (position < total).then(|| href(position + 1));
    keyboard_navigation(prev.clone(), next.clone());
    let reviewed = view.board.reviewed();
    let end_err = last_error(end);
    let ended = view.meeting.ended_at.is_some();
    let row = view.board.rows.get(position - 1).cloned();
    let meets_on = view.meeting.meets_on;
    let clinic = view.clinic.id.0;
    let nav = view
        .board
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let here = i + 1 == position;
            let class = if r.reviewed_here.is_some() {
                "meeting-nav__done"
            } else {
                ""
            };
            view! {
                <li class=class>
                    <a href=href(i + 1) aria-current=here.then_some("step")>
                        {r.name.clone()}{r.reviewed_here.is_some().then_some(" ✓")}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Meeting · {} · {}", view.clinic.name, meets_on)}</h1>
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
                {(view.can_plan && !ended).then(|| view! {
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
            {match row {
                Some(row) => view! { <PatientReview row meeting=id can_record=view.can_record record /> }.into_any(),
                None => view! { <p class="empty-state">"No patient is on this meeting's list."</p> }.into_any(),
            }}
        </div>
    }
}

fn review_summary(r: &CaseReview) -> impl IntoView + use<> {
    let recs = r
        .recommendations
        .iter()
        .map(|x| view! { <li>{format!("{} · {}", x.summary(), x.status.label())}</li> })
        .collect_view();
    view! {
        <li>
            <strong>{format!("{} — {}", r.reviewed_on, r.outcome())}</strong>
            {r.reviewer_name.clone().map(|n| format!(" ({n})"))}
            {(!r.note.is_empty()).then(|| view! { <p>{r.note.clone()}</p> })}
            <ul>{recs}</ul>
        </li>
    }
}

#[component]
fn PatientReview(
    row: BoardRow,
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
    let past = row
        .past_reviews
        .iter()
        .rev()
        .map(review_summary)
        .collect_view();
    let here = row.reviewed_here.as_ref().map(review_summary);
    let summary_link = row.reviewed_here.as_ref().map(|r| {
        format!(
            "/patients/{}/summary?review={}",
            row.entry.patient_id.0, r.id
        )
    });
    let kinds = RecommendationKind::ALL
        .iter()
        .map(|k| view! { <option value=k.code()>{k.label()}</option> })
        .collect_view();
    let treatment = row
        .last_change
        .as_ref()
        .map(|(on, what)| format!("{what} (changed {on})"));
    view! {
        <article class="meeting-patient" aria-labelledby="mp-name">
            <h2 id="mp-name">
                <a href=format!("/patients/{}", row.entry.patient_id.0)>{row.name.clone()}</a>
                <span class="muted">{format!(" · MRN {}", row.mrn)}</span>
            </h2>
            <p>
                {score_line(&row)}
                {format!(" · week {} in treatment · {} weeks on the current plan", row.entry.weeks_in_treatment, row.entry.weeks_on_current_plan)}
                {(row.carried_weeks > 0).then(|| format!(" · carried {} week(s)", row.carried_weeks))}
            </p>
            <Sparkline points=row.phq9.clone() width=360.0 height=90.0 />
            <section aria-labelledby="mp-flags"><h3 id="mp-flags">"Why on the list"</h3><FlagList flags=row.entry.reasons.clone() /></section>
            {row.prep.clone().map(|p| view! { <section><h3>"Case summary"</h3><p>{p.summary}</p></section> })}
            {row.manual_reason.clone().map(|r| view! { <section><h3>"Added by the care manager"</h3><p>{r}</p></section> })}
            <section>
                <h3>"Current plan"</h3>
                <p>{if row.care_plan.trim().is_empty() { "No care plan recorded.".to_owned() } else { row.care_plan.clone() }}</p>
                {treatment.map(|t| view! { <p>"Last treatment change: "{t}</p> })}
            </section>
            <section>
                <h3>"Past reviews and recommendations"</h3>
                {if row.past_reviews.is_empty() { view! { <p class="muted">"Never reviewed."</p> }.into_any() } else { view! { <ul>{past}</ul> }.into_any() }}
            </section>
            {here.map(|h| view! {
                <section class="notice">
                    <h3>"Reviewed at this meeting"</h3>
                    <ul>{h}</ul>
                    {summary_link.map(|href| view! { <p><a href=href>"EHR summary for the note"</a></p> })}
                </section>
            })}
            {can_record.then(|| view! {
                <PostForm action=record node_ref=form attr:class="stacked-form recommendation-form">
                    <h3>{if row.reviewed_here.is_some() { "Add another recommendation" } else { "Recommendation" }}</h3>
                    <ErrorSummary error=err />
                    <input type="hidden" name="meeting" value=meeting.to_string() />
                    <input type="hidden" name="episode" value=row.entry.episode_id.0.to_string() />
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => {
                        let m = view.record.meeting.clone();
                        let patients = view.record.patients.iter().map(|p| view! {
                            <tr>
                                <td><a href=format!("/patients/{}", p.patient_id.0)>{p.name.clone()}</a></td>
                                <td>{p.outcome.label()}</td>
                                <td>{p.carried_weeks}</td>
                                <td>{p.review.as_ref().map(|r| r.recommendations.iter().map(|x| x.summary()).collect::<Vec<_>>().join("; "))}</td>
                                <td>{p.review.as_ref().map(|r| view! {
                                    <a href=format!("/patients/{}/summary?review={}", p.patient_id.0, r.id)>"EHR summary"</a>
                                })}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <h1>{format!("Meeting record · {} · {}", view.clinic.name, m.meets_on)}</h1>
                            <p>
                                {format!("Attendees: {}", if m.attendees.is_empty() { "not recorded" } else { &m.attendees })}
                                <br />
                                {format!("Started{} · {}", m.started_by_name.map(|n| format!(" by {n}")).unwrap_or_default(),
                                    if m.ended_at.is_some() { "ended" } else { "in progress" })}
                            </p>
                            <p><a href=format!("/meetings/{}", m.id.0)>"Meeting mode"</a>" · "<a href=format!("/meetings?clinic={}", view.clinic.id.0)>"All meetings"</a></p>
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Patients of the meeting">
                                <table>
                                    <thead><tr><th scope="col">"Patient"</th><th scope="col">"Outcome"</th><th scope="col">"Weeks carried before"</th><th scope="col">"Recommendations"</th><th scope="col">"For the EHR"</th></tr></thead>
                                    <tbody>{patients}</tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                    Err(err) => page_error("Meeting record", err),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let query = use_query_map();
    let clinic = Memo::new(move |_| query.read().get("clinic").and_then(|v| v.parse().ok()));
    let data = crate::api::load(move || clinic.get(), get_meetings);
    view! {
        <Title text="Meetings" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => {
                        let rows = view.meetings.iter().map(|s| view! {
                            <tr>
                                <td><a href=format!("/meetings/{}/record", s.meeting.id.0)>{s.meeting.meets_on.to_string()}</a></td>
                                <td>{s.meeting.attendees.clone()}</td>
                                <td>{s.reviewed}</td>
                                <td>{s.recommendations}</td>
                                <td>{s.carried}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <h1>{format!("Meetings · {}", view.clinic.name)}</h1>
                            <p><a href=format!("/review?clinic={}", view.clinic.id.0)>"Next meeting's list"</a></p>
                            {if view.meetings.is_empty() {
                                view! { <p class="empty-state">"No meeting has been held yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table>
                                        <thead><tr><th scope="col">"Date"</th><th scope="col">"Attendees"</th><th scope="col">"Reviewed"</th><th scope="col">"Recommendations"</th><th scope="col">"Carried forward"</th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(err) => page_error("Meetings", err),
                }
            })}
        </Suspense>
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">"You belong to no clinic yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="upcoming">
                            {list.into_iter().map(|u| {
                                let clinic = u.clinic.id.0;
                                view! {
                                    <li class="panel">
                                        <h2>{format!("{} · {}", u.clinic.name, crate::dates::day_and_month(u.meets_on))}</h2>
                                        <p class="upcoming__counts">
                                            <strong>{format!("{} flagged", u.flagged)}</strong>
                                            {format!(" · {} carried forward · {} reviewed", u.carried, u.reviewed)}
                                        </p>
                                        <p>
                                            <a class="button" href=format!("/review?clinic={clinic}&date={}", u.meets_on)>"Open the list"</a>
                                            " "
                                            {u.meeting.map(|m| view! { <a class="button button--secondary" href=format!("/meetings/{}", m.id.0)>"Meeting mode"</a> })}
                                            " "
                                            <a href=format!("/meetings?clinic={clinic}")>"Past meetings"</a>
                                        </p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => page_error("Upcoming case reviews", err),
                }
            })}
        </Suspense>
    }
}
