//! The weekly case-review list of a clinic's meeting, and its printable agenda. Every patient on
//! the list says why, with the numbers behind it; care managers prepare it (ready summaries,
//! deferrals, manual entries) and the meeting starts from here.
//!
//! The list's read-only parts are drawn on the server (`sections`); the browser holds the code
//! of the forms alone.

#[cfg(feature = "ssr")]
pub mod sections;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::form::{FormAction, PostForm};
use crate::api::review::{
    get_review_agenda, get_review_board, DeferReview, MarkReady, RemoveReviewMark, ReviewRowScreen,
    ReviewScreen, StartMeeting,
};
use crate::components::forms::{last_error, ErrorSummary};
use crate::components::markup::ServerMarkup;
use crate::pages::{markup_page, page_error};

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
                    Ok(screen) => view! { <Board screen actions /> }.into_any(),
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
fn Board(screen: ReviewScreen, actions: BoardActions) -> impl IntoView {
    let ReviewScreen {
        heading,
        clinic,
        meets_on,
        meeting,
        can_start,
        rows,
        deferred,
    } = screen;
    let start = can_start.then(|| {
        let err = last_error(actions.start);
        view! {
            <PostForm action=actions.start attr:class="inline-form start-meeting">
                <ErrorSummary error=err />
                <input type="hidden" name="clinic" value=clinic.to_string() />
                <input type="hidden" name="date" value=meets_on.to_string() />
                <label for="attendees">"Attendees"</label>
                <input id="attendees" name="attendees" maxlength="500" placeholder="Consultant, care managers" />
                <button type="submit" class="button">"Start meeting"</button>
            </PostForm>
        }
    });
    let list = if rows.is_empty() {
        view! { <p class="empty-state">"No patient is on the list for this meeting."</p> }
            .into_any()
    } else {
        let rows = rows
            .into_iter()
            .map(|row| view! { <ReviewRow row date=meets_on actions /> })
            .collect_view();
        view! { <ol class="review-list">{rows}</ol> }.into_any()
    };
    view! {
        <ServerMarkup markup=heading />
        {meeting.map(|markup| view! { <ServerMarkup markup /> })}
        {start}
        {list}
        <ServerMarkup markup=deferred />
    }
}

/// One patient on the list: the row drawn on the server, and the care manager's forms (ready
/// for review, defer one week, remove a manual entry) while the patient is not yet reviewed.
#[component]
fn ReviewRow(
    row: ReviewRowScreen,
    date: chrono::NaiveDate,
    actions: BoardActions,
) -> impl IntoView {
    let episode = row.episode.to_string();
    let class = if row.urgent {
        "review-row review-row--urgent"
    } else {
        "review-row"
    };
    let plan_forms = row.forms.map(|forms| {
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
                {forms.can_defer.then(move || view! {
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
                {forms.manual.then(move || view! {
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
        <li class=class data-episode=row.episode.to_string()>
            <ServerMarkup markup=row.markup />
            {plan_forms}
        </li>
    }
}

/// The printable agenda (drawn on the server, `sections::agenda`), opened from the list and
/// audited as an export.
#[component]
pub fn AgendaPage() -> impl IntoView {
    let params = clinic_and_date();
    let data = crate::api::load(
        move || params.get(),
        |(clinic, date)| get_review_agenda(clinic, date),
    );
    view! {
        <Title text="Case review agenda" />
        {markup_page("Case review agenda", "Loading the agenda…", data)}
    }
}
