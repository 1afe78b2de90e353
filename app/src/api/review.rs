//! The weekly case review: the review board of a clinic's meeting, marks, "ready" summaries and
//! deferrals, meeting mode (start, record reviews and recommendations, end), the care manager's
//! tasks, meeting records, and the consultant's home.

// Form-backed server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::case_review::{Board, Meeting, MeetingRecord, MeetingSummary, Task};
use crate::components::markup::Markup;
use crate::error::AppError;
use crate::model::Clinic;

/// What the review list screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewBoardView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    /// The clinic's next meeting day, for the "this week" link.
    #[serde(with = "crate::wire_dates")]
    pub next_meeting_on: NaiveDate,
    #[serde(with = "crate::wire_dates")]
    pub today: NaiveDate,
    pub meeting: Option<Meeting>,
    pub board: Board,
    pub can_plan: bool,
    pub can_record: bool,
}

/// The review list as it travels: its read-only parts drawn on the server, and what its forms
/// need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewScreen {
    /// The heading, counts, links and the clinic and date filter.
    pub heading: Markup,
    pub clinic: i64,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    /// The notice of the meeting, once it has started.
    pub meeting: Option<Markup>,
    /// Whether the viewer may start the meeting now (none started, the day within a week).
    pub can_start: bool,
    pub rows: Vec<ReviewRowScreen>,
    /// The patients deferred to the next meeting; empty when there are none.
    pub deferred: Markup,
}

/// One patient on the review list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRowScreen {
    pub episode: i64,
    /// A positive safety item: the row is marked urgent.
    pub urgent: bool,
    pub markup: Markup,
    /// The care manager's forms, while the patient is not reviewed and the viewer may plan.
    pub forms: Option<RowForms>,
}

/// Which of a row's forms apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowForms {
    /// Deferral is refused for a positive safety item.
    pub can_defer: bool,
    /// The care manager added the patient ("discuss at review"), so may remove the entry.
    pub manual: bool,
}

/// Meeting mode as it travels: each patient's page drawn on the server, and what the navigation
/// and the forms need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingScreen {
    pub meeting: i64,
    pub clinic: i64,
    pub clinic_name: String,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub ended: bool,
    pub can_record: bool,
    pub can_plan: bool,
    pub patients: Vec<MeetingPatient>,
}

/// One patient of meeting mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingPatient {
    pub name: String,
    pub episode: i64,
    pub reviewed: bool,
    /// Scores, reasons, summary, plan, past reviews and this meeting's review.
    pub markup: Markup,
}

/// Meeting mode: the meeting and its board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingView {
    pub clinic: Clinic,
    pub meeting: Meeting,
    pub board: Board,
    #[serde(with = "crate::wire_dates")]
    pub today: NaiveDate,
    pub can_record: bool,
    pub can_plan: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TasksView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    pub mine: bool,
    #[serde(with = "crate::wire_dates")]
    pub today: NaiveDate,
    pub tasks: Vec<Task>,
    pub can_update: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingRecordView {
    pub clinic: Clinic,
    pub record: MeetingRecord,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingsView {
    pub clinic: Clinic,
    pub clinics: Vec<Clinic>,
    pub meetings: Vec<MeetingSummary>,
}

/// One clinic's next meeting on the consultant's home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpcomingMeeting {
    pub clinic: Clinic,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub flagged: usize,
    pub carried: usize,
    pub reviewed: usize,
    pub meeting: Option<Meeting>,
}

/// A meeting day from a form or link: a valid date no more than a year back or eight weeks ahead.
pub fn meeting_day(raw: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("date", "Enter the meeting date as YYYY-MM-DD."))?;
    let earliest = today - chrono::Days::new(365);
    let latest = today + chrono::Days::new(56);
    if day < earliest || day > latest {
        return Err(AppError::invalid(
            "date",
            "Choose a meeting date within the last year or the next eight weeks.",
        ));
    }
    Ok(day)
}

#[cfg(feature = "ssr")]
pub mod load {
    //! The board as every review screen and export builds it.

    use chrono::NaiveDate;

    use crate::case_review::{build_board, Board, Meeting, ReviewScope};
    use crate::error::AppError;
    use crate::model::ClinicId;
    use crate::ports::Store;

    /// The board of a clinic's meeting on `meets_on`, evaluated on the meeting day (or today,
    /// for a meeting whose day has passed), with fresh queue rows written back.
    pub async fn board(
        store: &dyn Store,
        clinic: ClinicId,
        meets_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(Board, Option<Meeting>), AppError> {
        let scope = ReviewScope {
            clinic_id: clinic,
            meets_on,
            as_of: meets_on.max(today),
        };
        let (settings, candidates) = futures::try_join!(
            store.clinic_settings(clinic),
            store.review_candidates(&scope)
        )?;
        let meeting = candidates.meeting.clone();
        let mut board = build_board(candidates, &settings.flag_rules, &scope, today);
        let refresh = std::mem::take(&mut board.refresh);
        // A failed write-back leaves the rows stale, which only costs the next list a little
        // more work; the list itself is complete either way.
        if let Err(e) = store.refresh_review_queue(&refresh).await {
            tracing::warn!(error = %e, clinic = clinic.0, "review queue not refreshed");
        }
        Ok((board, meeting))
    }
}

/// The default clinic and the clinic's next meeting day.
#[cfg(feature = "ssr")]
async fn clinic_and_day(
    clinic: Option<i64>,
    date: Option<String>,
    action: crate::policy::Action,
    audit: &str,
) -> Result<
    (
        crate::policy::Principal,
        crate::model::ClinicId,
        NaiveDate,
        NaiveDate,
    ),
    AppError,
> {
    use crate::model::{today, ClinicId};
    let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
    let clinic = clinic
        .map(ClinicId)
        .or_else(|| current.user.clinics.first().copied());
    let principal =
        super::context::require(action, clinic, audit, clinic.map(|c| ("clinic", c.0))).await?;
    let clinic = clinic.ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
    let today = today();
    let settings = super::context::store()?.clinic_settings(clinic).await?;
    let next = settings.next_meeting_on(today);
    let day = match date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => meeting_day(raw, today)?,
        None => next,
    };
    Ok((principal, clinic, day, next))
}

/// The board view for a clinic's meeting, after checking that the user may see the list; the
/// audit entry names the screen (the list, or the printable agenda, an export).
#[cfg(feature = "ssr")]
async fn board_view(
    clinic: Option<i64>,
    date: Option<String>,
    audit: &str,
    with_actions: bool,
) -> Result<ReviewBoardView, AppError> {
    use crate::model::today;
    use crate::policy::{authorize, Action};
    let (principal, clinic, meets_on, next) =
        clinic_and_day(clinic, date, Action::ViewReviewList, audit).await?;
    let store = super::context::store()?;
    let today = today();
    let (board, meeting) = load::board(store.as_ref(), clinic, meets_on, today).await?;
    let (clinics, this) = super::context::member_clinics(&principal, clinic).await?;
    let may = |action| with_actions && authorize(&principal, action, Some(clinic)).is_ok();
    Ok(ReviewBoardView {
        clinic: this,
        clinics,
        meets_on,
        next_meeting_on: next,
        today,
        meeting,
        board,
        can_plan: may(Action::PlanReview),
        can_record: may(Action::RecordRecommendation),
    })
}

/// The review list of a clinic's meeting (by default the next one).
#[server(GetReviewBoard, "/api/fn", output = crate::api::Wire)]
pub async fn get_review_board(
    clinic: Option<i64>,
    date: Option<String>,
) -> Result<ReviewScreen, AppError> {
    let view = board_view(clinic, date, "review.list", true).await?;
    Ok(crate::pages::review::sections::board_screen(view))
}

/// The printable agenda: the same list, audited as an export.
#[server(GetReviewAgenda, "/api/fn", output = crate::api::Wire)]
pub async fn get_review_agenda(
    clinic: Option<i64>,
    date: Option<String>,
) -> Result<Markup, AppError> {
    let view = board_view(clinic, date, "review.agenda_print", false).await?;
    Ok(crate::pages::review::sections::agenda(view))
}

/// Puts a patient on the review list ("discuss at review") with a reason.
#[server(MarkForReview, "/api/fn", output = crate::api::Wire)]
pub async fn mark_for_review(episode: i64, reason: String) -> Result<(), AppError> {
    use crate::case_review::NewReviewMark;
    use crate::forms::text;
    use crate::model::{today, EpisodeId};
    use crate::policy::Action;
    let (principal, owner) =
        super::context::require_episode(Action::PlanReview, EpisodeId(episode), "review.mark")
            .await?;
    let result = async {
        let reason = text("reason", "reason for review", &reason, 500, true)?;
        super::context::store()?
            .mark_for_review(&NewReviewMark {
                episode_id: owner.episode_id,
                marked_on: today(),
                reason,
                user_id: principal.user_id,
            })
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "review.mark", ("episode", episode), result).await
}

/// Removes a manual "discuss at review" entry. Rule-based flags cannot be removed.
#[server(RemoveReviewMark, "/api/fn", output = crate::api::Wire)]
pub async fn remove_review_mark(episode: i64) -> Result<(), AppError> {
    use crate::model::EpisodeId;
    use crate::policy::Action;
    let (principal, owner) =
        super::context::require_episode(Action::PlanReview, EpisodeId(episode), "review.unmark")
            .await?;
    let result = async {
        super::context::store()?
            .remove_review_mark(owner.episode_id, principal.user_id)
            .await
            .map_err(|e| match e {
                crate::ports::StoreError::NotFound(_) => AppError::Conflict(
                    "This patient has no manual review entry to remove; flags raised by the rules \
                     clear only when their cause does."
                        .to_owned(),
                ),
                other => other.into(),
            })
    }
    .await;
    super::context::audited(&principal, "review.unmark", ("episode", episode), result).await
}

/// Marks a patient ready for review with a short case summary.
#[server(MarkReady, "/api/fn", output = crate::api::Wire)]
pub async fn mark_ready(episode: i64, summary: String) -> Result<(), AppError> {
    use crate::case_review::NewReviewPrep;
    use crate::forms::text;
    use crate::model::{today, EpisodeId};
    use crate::policy::Action;
    let (principal, owner) =
        super::context::require_episode(Action::PlanReview, EpisodeId(episode), "review.ready")
            .await?;
    let result = async {
        let summary = text("summary", "case summary", &summary, 1000, true)?;
        super::context::store()?
            .prepare_review(&NewReviewPrep {
                episode_id: owner.episode_id,
                prepared_on: today(),
                summary,
                user_id: principal.user_id,
            })
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "review.ready", ("episode", episode), result).await
}

/// Defers a listed patient from a meeting to the next one, with a reason.
#[server(DeferReview, "/api/fn", output = crate::api::Wire)]
pub async fn defer_review(episode: i64, date: String, reason: String) -> Result<(), AppError> {
    use crate::case_review::NewDeferral;
    use crate::domain::review::check_deferral;
    use crate::forms::text;
    use crate::model::{today, EpisodeId};
    use crate::policy::Action;
    let (principal, owner) =
        super::context::require_episode(Action::PlanReview, EpisodeId(episode), "review.defer")
            .await?;
    let result = async {
        let today = today();
        let meets_on = meeting_day(&date, today)?;
        let reason = text("reason", "reason for deferring", &reason, 500, true)?;
        let store = super::context::store()?;
        let (board, _) = load::board(store.as_ref(), owner.clinic_id, meets_on, today).await?;
        let row = board
            .rows
            .iter()
            .find(|r| r.entry.episode_id == owner.episode_id)
            .ok_or_else(|| {
                AppError::Conflict("This patient is not on this meeting's list.".to_owned())
            })?;
        check_deferral(&row.entry, row.reviewed_here.is_some())
            .map_err(|e| AppError::Conflict(format!("Not deferred: {e}.")))?;
        store
            .defer_review(&NewDeferral {
                episode_id: owner.episode_id,
                clinic_id: owner.clinic_id,
                meets_on,
                reason,
                user_id: principal.user_id,
            })
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "review.defer", ("episode", episode), result).await
}

/// Starts (or rejoins) a clinic's meeting and records its list; goes to meeting mode.
#[server(StartMeeting, "/api/fn", output = crate::api::Wire)]
pub async fn start_meeting(clinic: i64, date: String, attendees: String) -> Result<i64, AppError> {
    use crate::case_review::NewMeeting;
    use crate::forms::text;
    use crate::model::{today, ClinicId};
    use crate::policy::Action;
    let clinic = ClinicId(clinic);
    let principal = super::context::require(
        Action::PlanReview,
        Some(clinic),
        "meeting.start",
        Some(("clinic", clinic.0)),
    )
    .await?;
    let result = async {
        let today = today();
        let meets_on = meeting_day(&date, today)?;
        if (meets_on - today).num_days().abs() > 7 {
            return Err(AppError::invalid(
                "date",
                "A meeting can be started up to a week before or after its date.",
            ));
        }
        let attendees = text("attendees", "attendees", &attendees, 500, false)?;
        let store = super::context::store()?;
        let (board, _) = load::board(store.as_ref(), clinic, meets_on, today).await?;
        let meeting = store
            .start_meeting(
                &NewMeeting {
                    clinic_id: clinic,
                    meets_on,
                    attendees,
                    user_id: principal.user_id,
                },
                &board.entries(),
            )
            .await?;
        leptos_axum::redirect(&format!("/meetings/{}", meeting.id.0));
        Ok(meeting.id.0)
    }
    .await;
    super::context::audited(&principal, "meeting.start", ("clinic", clinic.0), result).await
}

/// The meeting and its clinic, after checking `action` there.
#[cfg(feature = "ssr")]
async fn require_meeting(
    action: crate::policy::Action,
    meeting: i64,
    audit: &str,
) -> Result<(crate::policy::Principal, Meeting), AppError> {
    use crate::case_review::MeetingId;
    let found = super::context::store()?.meeting(MeetingId(meeting)).await?;
    let clinic = found.as_ref().map(|m| m.clinic_id);
    let principal =
        super::context::require(action, clinic, audit, Some(("meeting", meeting))).await?;
    let found = found.ok_or_else(|| AppError::NotFound("the meeting".to_owned()))?;
    Ok((principal, found))
}

/// Meeting mode: the meeting and its board, each patient drawn on the server.
#[server(GetMeeting, "/api/fn", output = crate::api::Wire)]
pub async fn get_meeting(meeting: i64) -> Result<MeetingScreen, AppError> {
    Ok(crate::pages::meeting::sections::meeting_screen(
        meeting_view(meeting).await?,
    ))
}

/// Meeting mode's data: the meeting and its board.
#[cfg(feature = "ssr")]
async fn meeting_view(meeting: i64) -> Result<MeetingView, AppError> {
    use crate::model::today;
    use crate::policy::{authorize, Action};
    let (principal, meeting) =
        require_meeting(Action::ViewReviewList, meeting, "meeting.view").await?;
    let store = super::context::store()?;
    let today = today();
    let (board, _) =
        load::board(store.as_ref(), meeting.clinic_id, meeting.meets_on, today).await?;
    let (_, clinic) = super::context::member_clinics(&principal, meeting.clinic_id).await?;
    Ok(MeetingView {
        can_record: authorize(&principal, Action::RecordRecommendation, Some(clinic.id)).is_ok(),
        can_plan: authorize(&principal, Action::PlanReview, Some(clinic.id)).is_ok(),
        clinic,
        meeting,
        board,
        today,
    })
}

/// Marks a patient reviewed at the meeting, with a recommendation when a type is chosen.
#[server(RecordReview, "/api/fn", output = crate::api::Wire)]
pub async fn record_review(
    meeting: i64,
    episode: i64,
    kind: String,
    details: String,
    note: String,
) -> Result<(), AppError> {
    use crate::case_review::{NewCaseReview, NewRecommendation};
    use crate::domain::meeting::task_due;
    use crate::domain::RecommendationKind;
    use crate::forms::text;
    use crate::model::{today, EpisodeId};
    use crate::policy::Action;
    let (principal, found) =
        require_meeting(Action::RecordRecommendation, meeting, "review.record").await?;
    let result = async {
        let today = today();
        let details = text("details", "recommendation", &details, 2000, false)?;
        let note = text("note", "note", &note, 2000, false)?;
        let kind = match kind.trim() {
            "" => None,
            code => Some(RecommendationKind::from_code(code).ok_or_else(|| {
                AppError::invalid("kind", "Choose one of the recommendation types.")
            })?),
        };
        if kind.is_some_and(RecommendationKind::needs_details) && details.is_empty() {
            return Err(AppError::invalid(
                "details",
                "Describe the recommendation when its type is \"Other\".",
            ));
        }
        if kind.is_none() && !details.is_empty() {
            return Err(AppError::invalid(
                "kind",
                "Choose the type of the recommendation you described.",
            ));
        }
        let store = super::context::store()?;
        let (board, _) =
            load::board(store.as_ref(), found.clinic_id, found.meets_on, today).await?;
        let row = board
            .rows
            .iter()
            .find(|r| r.entry.episode_id == EpisodeId(episode))
            .ok_or_else(|| AppError::NotFound("the patient on this meeting's list".to_owned()))?;
        store
            .record_review(&NewCaseReview {
                meeting_id: found.id,
                episode_id: row.entry.episode_id,
                reviewed_on: today,
                note,
                user_id: principal.user_id,
                carried_weeks: row.carried_weeks,
                recommendation: kind.map(|kind| NewRecommendation {
                    kind,
                    details,
                    due_on: task_due(today),
                }),
            })
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "review.record", ("episode", episode), result).await
}

/// Ends a meeting: every listed patient not reviewed is recorded as carried forward.
#[server(EndMeeting, "/api/fn", output = crate::api::Wire)]
pub async fn end_meeting(meeting: i64) -> Result<(), AppError> {
    use crate::model::today;
    use crate::policy::Action;
    let (principal, found) = require_meeting(Action::PlanReview, meeting, "meeting.end").await?;
    let result = async {
        let store = super::context::store()?;
        let (board, _) =
            load::board(store.as_ref(), found.clinic_id, found.meets_on, today()).await?;
        store.end_meeting(found.id, &board.entries()).await?;
        leptos_axum::redirect(&format!("/meetings/{}/record", found.id.0));
        Ok(())
    }
    .await;
    super::context::audited(&principal, "meeting.end", ("meeting", meeting), result).await
}

/// A meeting as it happened.
#[server(GetMeetingRecord, "/api/fn", output = crate::api::Wire)]
pub async fn get_meeting_record(meeting: i64) -> Result<Markup, AppError> {
    use crate::case_review::MeetingId;
    use crate::policy::Action;
    let (principal, found) =
        require_meeting(Action::ViewReviewList, meeting, "meeting.record").await?;
    let record = super::context::store()?
        .meeting_record(MeetingId(meeting))
        .await?
        .ok_or_else(|| AppError::NotFound("the meeting".to_owned()))?;
    let (_, clinic) = super::context::member_clinics(&principal, found.clinic_id).await?;
    Ok(crate::pages::meeting::sections::meeting_record(
        MeetingRecordView { clinic, record },
    ))
}

/// A clinic's past and current meetings, newest first.
#[server(GetMeetings, "/api/fn", output = crate::api::Wire)]
pub async fn get_meetings(clinic: Option<i64>) -> Result<Markup, AppError> {
    use crate::policy::Action;
    let (principal, clinic, _, _) =
        clinic_and_day(clinic, None, Action::ViewReviewList, "meeting.list").await?;
    let meetings = super::context::store()?.meetings(clinic, 104).await?;
    let (clinics, this) = super::context::member_clinics(&principal, clinic).await?;
    Ok(crate::pages::meeting::sections::meetings(MeetingsView {
        clinic: this,
        clinics,
        meetings,
    }))
}

/// The open recommendations: a care manager's own patients by default, or the whole clinic.
#[server(GetTasks, "/api/fn", output = crate::api::Wire)]
pub async fn get_tasks(clinic: Option<i64>, scope: Option<String>) -> Result<TasksView, AppError> {
    use crate::case_review::{order_tasks, TaskScope};
    use crate::model::{today, ClinicId};
    use crate::policy::{authorize, Action, Role};
    let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
    let clinic = clinic
        .map(ClinicId)
        .or_else(|| current.user.clinics.first().copied());
    let principal = super::context::require(
        Action::ViewReviewList,
        clinic,
        "tasks.view",
        clinic.map(|c| ("clinic", c.0)),
    )
    .await?;
    let clinic = clinic.ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
    let mine = match scope.as_deref().map(str::trim) {
        Some("mine") => true,
        Some("clinic") => false,
        None | Some("") => principal.role == Role::CareManager,
        Some(_) => {
            return Err(AppError::invalid(
                "scope",
                "Choose my patients or the whole clinic.",
            ))
        }
    };
    let today = today();
    let mut tasks = super::context::store()?
        .tasks(&TaskScope {
            clinic_id: clinic,
            care_manager_id: mine.then_some(principal.user_id),
        })
        .await?;
    order_tasks(&mut tasks, today);
    let (clinics, this) = super::context::member_clinics(&principal, clinic).await?;
    Ok(TasksView {
        clinic: this,
        clinics,
        mine,
        today,
        tasks,
        can_update: authorize(&principal, Action::RecordCare, Some(clinic)).is_ok(),
    })
}

/// Settles a task: communicated to the PCP, or done. A non-empty `change` also records a
/// treatment change today (restarting the weeks on the current plan).
#[server(UpdateTask, "/api/fn", output = crate::api::Wire)]
pub async fn update_task(
    id: i64,
    version: i64,
    status: String,
    change: Option<String>,
) -> Result<(), AppError> {
    use crate::case_review::{RecommendationId, TaskUpdate};
    use crate::domain::TaskStatus;
    use crate::forms::text;
    use crate::model::today;
    use crate::policy::Action;
    let found = super::context::store()?
        .recommendation(RecommendationId(id))
        .await?;
    let clinic = found.as_ref().map(|(_, o)| o.clinic_id);
    let principal = super::context::require(
        Action::RecordCare,
        clinic,
        "task.update",
        Some(("recommendation", id)),
    )
    .await?;
    let (current, _) = found.ok_or_else(|| AppError::NotFound("the task".to_owned()))?;
    let result = async {
        let status = TaskStatus::from_code(status.trim())
            .filter(|s| *s != TaskStatus::Open)
            .ok_or_else(|| {
                AppError::invalid("status", "Choose \"Communicated to PCP\" or \"Done\".")
            })?;
        if current.status == TaskStatus::Done {
            return Err(AppError::Conflict("This task is already done.".to_owned()));
        }
        let change = text(
            "change",
            "treatment change",
            change.as_deref().unwrap_or(""),
            500,
            false,
        )?;
        super::context::store()?
            .update_task(&TaskUpdate {
                id: RecommendationId(id),
                expected_version: version,
                status,
                user_id: principal.user_id,
                treatment_change: (!change.is_empty()).then(|| (today(), change)),
            })
            .await?;
        Ok(())
    }
    .await;
    super::context::audited(&principal, "task.update", ("recommendation", id), result).await
}

/// The psychiatric consultant's home: each clinic's next meeting with the counts to prepare it.
#[server(GetConsultantHome, "/api/fn", output = crate::api::Wire)]
pub async fn get_consultant_home() -> Result<Markup, AppError> {
    use crate::model::today;
    use crate::policy::Action;
    let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
    let store = super::context::store()?;
    let today = today();
    let mut out = Vec::new();
    let clinics = store.list_clinics().await?;
    for clinic in clinics
        .into_iter()
        .filter(|c| current.user.clinics.contains(&c.id))
    {
        super::context::require(
            Action::ViewReviewList,
            Some(clinic.id),
            "review.upcoming",
            Some(("clinic", clinic.id.0)),
        )
        .await?;
        let settings = store.clinic_settings(clinic.id).await?;
        let meets_on = settings.next_meeting_on(today);
        let (board, meeting) = load::board(store.as_ref(), clinic.id, meets_on, today).await?;
        out.push(UpcomingMeeting {
            clinic,
            meets_on,
            flagged: board.rows.len(),
            carried: board.carried(),
            reviewed: board.reviewed(),
            meeting,
        });
    }
    Ok(crate::pages::meeting::sections::consultant_home(out))
}

/// The review list of a clinic as it stands on a day: who would be discussed, in order, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewListView {
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
    pub entries: Vec<crate::domain::ReviewEntry>,
}

/// The review list with its flags evaluated on `as_of` (today when absent), for the JSON API.
/// The queue index is written back only for today's list, so that asking about another day
/// changes nothing.
#[server(GetReviewList, "/api/fn", output = crate::api::Wire)]
pub async fn get_review_list(
    clinic: i64,
    as_of: Option<String>,
) -> Result<ReviewListView, AppError> {
    use crate::case_review::{build_board, ReviewScope};
    use crate::model::{today, ClinicId};
    use crate::policy::Action;
    let clinic = ClinicId(clinic);
    super::context::require(
        Action::ViewReviewList,
        Some(clinic),
        "review.list",
        Some(("clinic", clinic.0)),
    )
    .await?;
    let today = today();
    let as_of = match as_of.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => meeting_day(raw, today).map_err(|_| {
            AppError::invalid(
                "as_of",
                "as_of must be a date (YYYY-MM-DD) within the last year or the next eight weeks.",
            )
        })?,
        None => today,
    };
    let store = super::context::store()?;
    let scope = ReviewScope {
        clinic_id: clinic,
        meets_on: as_of,
        as_of,
    };
    let (settings, candidates) = futures::try_join!(
        store.clinic_settings(clinic),
        store.review_candidates(&scope)
    )?;
    let board = build_board(candidates, &settings.flag_rules, &scope, as_of);
    if as_of == today {
        if let Err(e) = store.refresh_review_queue(&board.refresh).await {
            tracing::warn!(error = %e, clinic = clinic.0, "review queue not refreshed");
        }
    }
    Ok(ReviewListView {
        as_of,
        entries: board.rows.into_iter().map(|r| r.entry).collect(),
    })
}

/// Records a psychiatric consultant's review of a patient with a recommendation, outside the
/// meeting screens (the JSON API). The review belongs to the clinic's meeting on `reviewed_on`,
/// which is started for the purpose when it was not. Returns the review's id.
#[server(RecordConsultation, "/api/fn", output = crate::api::Wire)]
pub async fn record_consultation(
    episode: i64,
    reviewed_on: String,
    kind: String,
    details: String,
) -> Result<i64, AppError> {
    use crate::case_review::{NewCaseReview, NewMeeting, NewRecommendation};
    use crate::domain::meeting::task_due;
    use crate::domain::RecommendationKind;
    use crate::forms::{past_date, text};
    use crate::model::{today, EpisodeId};
    use crate::policy::Action;
    let (principal, owner) = super::context::require_episode(
        Action::RecordRecommendation,
        EpisodeId(episode),
        "review.record",
    )
    .await?;
    let result = async {
        let reviewed_on = past_date("reviewed_on", "review date", &reviewed_on, today())?;
        let kind = RecommendationKind::from_code(kind.trim())
            .ok_or_else(|| AppError::invalid("kind", "Choose one of the recommendation types."))?;
        let details = text("text", "recommendation", &details, 2000, false)?;
        if kind.needs_details() && details.is_empty() {
            return Err(AppError::invalid(
                "text",
                "Describe the recommendation when its type is \"Other\".",
            ));
        }
        let store = super::context::store()?;
        let meeting = match store.meeting_on(owner.clinic_id, reviewed_on).await? {
            Some(m) => m,
            None => {
                store
                    .start_meeting(
                        &NewMeeting {
                            clinic_id: owner.clinic_id,
                            meets_on: reviewed_on,
                            attendees: String::new(),
                            user_id: principal.user_id,
                        },
                        &[],
                    )
                    .await?
            }
        };
        let review = store
            .record_review(&NewCaseReview {
                meeting_id: meeting.id,
                episode_id: owner.episode_id,
                reviewed_on,
                note: String::new(),
                user_id: principal.user_id,
                carried_weeks: 0,
                recommendation: Some(NewRecommendation {
                    kind,
                    details,
                    due_on: task_due(reviewed_on),
                }),
            })
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Invalid {
                    field: None,
                    message,
                } => AppError::Invalid {
                    field: Some("reviewed_on".to_owned()),
                    message,
                },
                other => other,
            })?;
        Ok(review.id)
    }
    .await;
    super::context::audited(&principal, "review.record", ("episode", episode), result).await
}
