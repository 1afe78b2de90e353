//! The weekly case-review list of a clinic's meeting, and its printable agenda. Every patient on
//! the list says why, with the numbers behind it; care managers prepare it (ready summaries,
//! deferrals, manual entries) and the meeting starts from here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::form::{FormAction, PostForm};
use crate::api::review::{
    get_review_agenda, get_review_board, DeferReview, MarkForReview, MarkReady, RemoveReviewMark,
    ReviewBoardView, StartMeeting,
};
use crate::case_review::BoardRow;
use crate::components::flags::FlagChips;
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::sparkline::Sparkline;
use crate::domain::episode::format_percent;
use crate::domain::FlagKind;
use crate::error::AppError;
use crate::model::EpisodeHistory;
use crate::pages::patients::SignInPrompt;

/// The clinic and date of the page's query.
fn clinic_and_date() -> Memo<(Option<i64>, Option<String>)> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        (
            q.get("clinic").and_then(|v| v.parse().ok()),
            q.get("date").filter(|d| !d.is_empty()),
        )
    })
}

/// An error in place of the page, with a sign-in prompt when that is what is missing.
pub fn page_error(title: &'static str, err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => view! { <h1>{title}</h1> <SignInPrompt /> }.into_any(),
        err => view! {
            <h1>{title}</h1>
            <div class="error-summary" role="alert">
                <h2>"This page could not be shown"</h2>
                <p>{err.to_string()}</p>
            </div>
        }
        .into_any(),
    }
}

/// "12 → 9 (−25%)", or what is known.
pub fn score_line(row: &BoardRow) -> String {
    match (row.baseline_phq9, row.latest_phq9) {
        (Some(b), Some(l)) => match row.percent_change {
            Some(p) => format!("PHQ-9 {b} → {l} ({})", format_percent(p)),
            None => format!("PHQ-9 baseline {b}"),
        },
        (None, Some(l)) => format!("PHQ-9 latest {l}"),
        _ => "No PHQ-9 yet".to_owned(),
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = clinic_and_date();
    let ready = FormAction::<MarkReady>::new();
    let defer = FormAction::<DeferReview>::new();
    let unmark = FormAction::<RemoveReviewMark>::new();
    let start = FormAction::<StartMeeting>::new();
    let data = crate::api::load(
        move || {
            (
                params.get(),
                ready.version().get(),
                defer.version().get(),
                unmark.version().get(),
            )
        },
        |((clinic, date), ..)| get_review_board(clinic, date),
    );
    let actions = BoardActions {
        ready,
        defer,
        unmark,
        start,
    };
    view! {
        <Title text="Case review" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the review list…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Board view actions /> }.into_any(),
                    Err(err) => page_error("Case review", err),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct BoardActions {
    ready: FormAction<MarkReady>,
    defer: FormAction<DeferReview>,
    unmark: FormAction<RemoveReviewMark>,
    start: FormAction<StartMeeting>,
}

#[component]
fn Board(view: ReviewBoardView, actions: BoardActions) -> impl IntoView {
    let clinic = view.clinic.id.0;
    let date = view.meets_on;
    let week = |days: i64| {
        let d = date + chrono::Duration::days(days);
        format!("/review?clinic={clinic}&date={d}")
    };
    let listed = view.board.rows.len();
    let reviewed = view.board.reviewed();
    let carried = view.board.carried();
    let deferred = view.board.deferred.len();
    let near = (date - view.today).num_days().abs() <= 7;
    let meeting = view.meeting.clone();
    let meeting_panel = match (&meeting, view.can_plan) {
        (Some(m), _) => view! {
            <p class="notice">
                {format!("Meeting started{} · {reviewed} of {listed} reviewed{}. ",
                    m.started_by_name.as_ref().map(|n| format!(" by {n}")).unwrap_or_default(),
                    if m.ended_at.is_some() { " · ended" } else { "" })}
                <a class="button" href=format!("/meetings/{}", m.id.0)>"Open meeting mode"</a>
                " "
                <a href=format!("/meetings/{}/record", m.id.0)>"Meeting record"</a>
            </p>
        }
        .into_any(),
        (None, true) if near => {
            let err = last_error(actions.start);
            view! {
                <PostForm action=actions.start attr:class="inline-form start-meeting">
                    <ErrorSummary error=err />
                    <input type="hidden" name="clinic" value=clinic.to_string() />
                    <input type="hidden" name="date" value=date.to_string() />
                    <label for="attendees">"Attendees"</label>
                    <input id="attendees" name="attendees" maxlength="500" placeholder="Consultant, care managers" />
                    <button type="submit" class="button">"Start meeting"</button>
                </PostForm>
            }
            .into_any()
        }
        _ => ().into_any(),
    };
    let clinics = crate::components::forms::clinic_select(&view.clinics, clinic, "r-clinic");
    let can_plan = view.can_plan;
    let rows = view
        .board
        .rows
        .iter()
        .enumerate()
        .map(
            |(i, row)| view! { <ReviewRow row=row.clone() position=i + 1 date can_plan actions /> },
        )
        .collect_view();
    let deferred_rows = view
        .board
        .deferred
        .iter()
        .map(|row| {
            let d = row.deferral.clone();
            view! {
                <li>
                    <a href=format!("/patients/{}", row.entry.patient_id.0)>{row.name.clone()}</a>
                    {d.map(|d| format!(" · {}{}", d.reason, d.deferred_by_name.map(|n| format!(" ({n})")).unwrap_or_default()))}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Case review · {} · {}", view.clinic.name, crate::dates::long_date(date))}</h1>
                <p class="muted">
                    {format!("{listed} to review · {carried} carried forward · {deferred} deferred")}
                </p>
            </div>
            <div class="actions no-print">
                <a class="button button--secondary" href=format!("/review/agenda?clinic={clinic}&date={date}")>"Printable agenda"</a>
                <a class="button button--secondary" href=format!("/review/agenda.csv?clinic={clinic}&date={date}")>"Download CSV"</a>
                <a href=format!("/meetings?clinic={clinic}")>"Past meetings"</a>
            </div>
        </div>
        <form method="get" action="/review" class="filters no-print">
            {clinics}
            <label for="r-date">"Meeting date"</label>
            <input id="r-date" type="date" name="date" value=date.to_string() />
            <button type="submit" class="button button--secondary">"Show"</button>
            <a href=week(-7)>"← Previous week"</a>
            <a href=format!("/review?clinic={clinic}&date={}", view.next_meeting_on)>"Next meeting"</a>
            <a href=week(7)>"Following week →"</a>
        </form>
        {meeting_panel}
        {if listed == 0 {
            view! { <p class="empty-state">"No patient is on the list for this meeting."</p> }.into_any()
        } else {
            view! { <ol class="review-list">{rows}</ol> }.into_any()
        }}
        {(deferred > 0).then(|| view! {
            <section class="panel" aria-labelledby="deferred-h">
                <h2 id="deferred-h">"Deferred to the next meeting"</h2>
                <ul>{deferred_rows}</ul>
            </section>
        })}
    }
}

#[component]
fn ReviewRow(
    row: BoardRow,
    position: usize,
    date: chrono::NaiveDate,
    can_plan: bool,
    actions: BoardActions,
) -> impl IntoView {
    let episode = row.entry.episode_id.0.to_string();
    let urgent = row.has(FlagKind::Safety);
    let class = if urgent {
        "review-row review-row--urgent"
    } else {
        "review-row"
    };
    let last = row.last_review().map(|r| {
        format!(
            "{} — {}{}",
            r.reviewed_on,
            r.outcome(),
            r.reviewer_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        )
    });
    let treatment = match (&row.last_change, row.care_plan.trim()) {
        (Some((on, what)), _) => format!("{what} (changed {on})"),
        (None, "") => "No plan recorded".to_owned(),
        (None, plan) => plan.to_owned(),
    };
    let open = row
        .open_recommendations
        .iter()
        .map(|r| view! { <li>{format!("{} (due {})", r.summary(), r.due_on)}</li> })
        .collect_view();
    let has_open = !row.open_recommendations.is_empty();
    let reviewed = row.reviewed_here.clone();
    let form_episode = episode.clone();
    let can_defer = !row.has(FlagKind::Safety);
    let manual = row.manual_reason.is_some();
    let plan_forms = (can_plan && reviewed.is_none()).then(move || {
        let episode = form_episode;
        let ready_err = last_error(actions.ready);
        let defer_err = last_error(actions.defer);
        let unmark_err = last_error(actions.unmark);
        let ready_id = format!("ready-{episode}");
        let defer_id = format!("defer-{episode}");
        let (defer_episode, unmark_episode) = (episode.clone(), episode.clone());
        view! {
            <div class="review-row__actions no-print">
                <details>
                    <summary>"Ready for review"</summary>
                    <PostForm action=actions.ready attr:class="stacked-form">
                        <ErrorSummary error=ready_err />
                        <input type="hidden" name="episode" value=episode.clone() />
                        <label for=ready_id.clone()>"Short case summary"</label>
                        <textarea id=ready_id name="summary" rows="3" maxlength="1000" required></textarea>
                        <button type="submit" class="button">"Mark ready"</button>
                    </PostForm>
                </details>
                {can_defer.then(move || view! {
                    <details>
                        <summary>"Defer one week"</summary>
                        <PostForm action=actions.defer attr:class="stacked-form">
                            <ErrorSummary error=defer_err />
                            <input type="hidden" name="episode" value=defer_episode />
                            <input type="hidden" name="date" value=date.to_string() />
                            <label for=defer_id.clone()>"Reason"</label>
                            <input id=defer_id name="reason" maxlength="500" required />
                            <button type="submit" class="button">"Defer"</button>
                        </PostForm>
                    </details>
                })}
                {manual.then(move || view! {
                    <PostForm action=actions.unmark attr:class="inline-form">
                        <ErrorSummary error=unmark_err />
                        <input type="hidden" name="episode" value=unmark_episode />
                        <button type="submit" class="link-button">"Remove manual entry"</button>
                    </PostForm>
                })}
            </div>
        }
    });
    view! {
        <li class=class data-episode=episode.clone()>
            <div class="review-row__head">
                <span class="review-row__pos">{position}"."</span>
                <a class="review-row__name" href=format!("/patients/{}", row.entry.patient_id.0)>{row.name.clone()}</a>
                <span class="muted">{format!(" · MRN {}", row.mrn)}</span>
                {row.care_manager_name.clone().map(|n| view! { <span class="muted">{format!(" · {n}")}</span> })}
                {urgent.then(|| view! { <strong class="badge badge--urgent">"Safety"</strong> })}
                {reviewed.as_ref().map(|r| view! { <strong class="badge badge--done">{format!("Reviewed: {}", r.outcome())}</strong> })}
                {(row.carried_weeks > 0).then(|| view! {
                    <strong class="badge badge--carried">{format!("Carried {} week{}", row.carried_weeks, if row.carried_weeks == 1 { "" } else { "s" })}</strong>
                })}
                {row.prep.is_some().then(|| view! { <strong class="badge">"Ready"</strong> })}
            </div>
            <FlagChips flags=row.entry.reasons.clone() />
            <div class="review-row__facts">
                <Sparkline points=row.phq9.clone() />
                <span>{score_line(&row)}</span>
                <span>{format!("Week {} in treatment · {} on the current plan", row.entry.weeks_in_treatment, row.entry.weeks_on_current_plan)}</span>
            </div>
            <dl class="review-row__details">
                <dt>"Current treatment"</dt><dd>{treatment}</dd>
                <dt>"Last review"</dt><dd>{last.unwrap_or_else(|| "Never reviewed".to_owned())}</dd>
                {row.manual_reason.clone().map(|r| view! { <dt>"Added by the care manager"</dt><dd>{r}</dd> })}
                {row.prep.clone().map(|p| view! { <dt>"Case summary"</dt><dd>{p.summary}</dd> })}
                {has_open.then(|| view! { <dt>"Open recommendations"</dt><dd><ul>{open}</ul></dd> })}
            </dl>
            {plan_forms}
        </li>
    }
}

/// The printable agenda: the list with the least PHI a meeting needs (name, MRN, reasons and
/// scores; no birth dates, notes or explanations), opened from the list and audited as an export.
#[component]
pub fn AgendaPage() -> impl IntoView {
    let params = clinic_and_date();
    let data = crate::api::load(
        move || params.get(),
        |(clinic, date)| get_review_agenda(clinic, date),
    );
    view! {
        <Title text="Case review agenda" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the agenda…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Agenda view /> }.into_any(),
                    Err(err) => page_error("Case review agenda", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Agenda(view: ReviewBoardView) -> impl IntoView {
    let rows = view
        .board
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let reasons = r
                .entry
                .reasons
                .iter()
                .map(|f| f.kind.label())
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr>
                    <td>{i + 1}</td>
                    <td>{r.name.clone()}</td>
                    <td>{r.mrn.clone()}</td>
                    <td>{reasons}</td>
                    <td>{score_line(r)}</td>
                    <td>{r.entry.weeks_in_treatment}</td>
                    <td>{(r.carried_weeks > 0).then(|| r.carried_weeks.to_string())}</td>
                    <td class="agenda__notes"></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="agenda">
            <h1>{format!("Case review agenda · {} · {}", view.clinic.name, view.meets_on)}</h1>
            <p class="no-print">
                <a href=format!("/review?clinic={}&date={}", view.clinic.id.0, view.meets_on)>"← Back to the list"</a>
                " · Use your browser's print command; this page prints without navigation."
            </p>
            <table class="agenda__table">
                <caption>{format!("{} patients · confidential: contains patient information", view.board.rows.len())}</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Patient"</th>
                        <th scope="col">"MRN"</th>
                        <th scope="col">"Reasons"</th>
                        <th scope="col">"PHQ-9"</th>
                        <th scope="col">"Weeks"</th>
                        <th scope="col">"Carried"</th>
                        <th scope="col">"Notes"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The chart's case-review section: the "discuss at review" mark (set or remove it) and every
/// review of the episode with its recommendations and their status.
#[component]
pub fn ChartReviews(
    episode: i64,
    open: bool,
    can_plan: bool,
    history: EpisodeHistory,
    mark: FormAction<MarkForReview>,
    unmark: FormAction<RemoveReviewMark>,
) -> impl IntoView {
    let err = last_error(mark);
    let unmark_err = last_error(unmark);
    let reviewed_since =
        |on: chrono::NaiveDate| history.reviews.iter().any(|r| r.reviewed_on >= on);
    let current = history
        .review_mark
        .clone()
        .filter(|m| !reviewed_since(m.marked_on));
    let reviews = history
        .reviews
        .iter()
        .rev()
        .map(|r| {
            let recs = r
                .recommendations
                .iter()
                .map(|x| view! { <li>{format!("{} · {}", x.summary(), x.status.label())}</li> })
                .collect_view();
            view! {
                <li>
                    <a href=format!("/meetings/{}/record", r.meeting_id.0)>{format!("{} — {}", r.reviewed_on, r.outcome())}</a>
                    {r.reviewer_name.clone().map(|n| format!(" ({n})"))}
                    {(!r.note.is_empty()).then(|| view! { <p>{r.note.clone()}</p> })}
                    <ul>{recs}</ul>
                </li>
            }
        })
        .collect_view();
    let empty = history.reviews.is_empty();
    view! {
        <section class="panel" aria-labelledby="reviews-h">
            <h2 id="reviews-h">"Psychiatric case review"</h2>
            {current.clone().map(|m| view! {
                <p class="notice">
                    {format!("To discuss at the next review (added {}): {}", m.marked_on, m.reason)}
                    {(can_plan && open).then(|| view! {
                        <PostForm action=unmark attr:class="inline-form">
                            <ErrorSummary error=unmark_err />
                            <input type="hidden" name="episode" value=episode.to_string() />
                            <button type="submit" class="link-button">"Remove"</button>
                        </PostForm>
                    })}
                </p>
            })}
            {(can_plan && open && current.is_none()).then(|| view! {
                <details class="edit-block">
                    <summary>"Discuss at the next review"</summary>
                    <PostForm action=mark attr:class="stacked-form">
                        <ErrorSummary error=err />
                        <input type="hidden" name="episode" value=episode.to_string() />
                        <div class="field">
                            <label for="mark-reason">"Reason"</label>
                            <input id="mark-reason" name="reason" maxlength="500" required />
                            <FieldMessage id="reason" message=field_error(err, "reason") />
                        </div>
                        <button type="submit" class="button">"Add to the review list"</button>
                    </PostForm>
                </details>
            })}
            {if empty {
                view! { <p class="muted">"Not reviewed yet in this episode."</p> }.into_any()
            } else {
                view! { <ul class="review-history">{reviews}</ul> }.into_any()
            }}
        </section>
    }
}
