//! The store contract for the weekly case review: the review queue kept current by the database,
//! marks, "ready" summaries, deferrals, meetings with their entries, reviews, recommendations and
//! tasks. Every test runs against SQLite and PostgreSQL.

mod support;

use app::accounts::{Email, NewUser};
use app::api::review::load;
use app::case_review::{
    Board, NewCaseReview, NewDeferral, NewMeeting, NewRecommendation, NewReviewMark, NewReviewPrep,
    ReviewScope, TaskScope, TaskUpdate,
};
use app::domain::{
    FlagKind, Instrument, MeetingOutcome, Mrn, PersonName, RecommendationKind, Responses,
    TargetCondition, TaskStatus,
};
use app::model::{
    ClinicId, EnrollPatient, Enrolled, Enrollment, EpisodeDetails, EpisodeId, EpisodeStatus,
    NewPatient, StatusChangeRequest, STALE_EDIT,
};
use app::policy::Role;
use app::ports::{Store, StoreError};
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

async fn user(store: &dyn Store, clinic: ClinicId, email: &str, role: Role) -> i64 {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: format!("Synthetic {}", role.label()),
            role,
            password_hash: "$argon2id$not-a-real-hash".to_owned(),
            clinics: vec![clinic],
        })
        .await
        .expect("user")
        .id
}

async fn enroll(store: &dyn Store, clinic: ClinicId, mrn: &str, cm: i64, on: &str) -> Enrolled {
    store
        .enroll(&Enrollment {
            patient: EnrollPatient::New(NewPatient {
                clinic_id: clinic,
                mrn: Mrn::parse(mrn).expect("mrn"),
                given_name: PersonName::parse("given name", "Sam").expect("given"),
                family_name: PersonName::parse("family name", &format!("Test{mrn}"))
                    .expect("family"),
                birth_date: date("1980-02-02"),
            }),
            enrolled_on: date(on),
            details: EpisodeDetails {
                care_manager_id: Some(cm),
                targets: vec![TargetCondition::Depression],
                ..EpisodeDetails::default()
            },
            // 16 points, none on item 9 (no safety flag).
            baselines: vec![Responses::from_items(
                Instrument::Phq9,
                &[
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(0),
                ],
            )
            .expect("phq")],
            by_user: Some(cm),
        })
        .await
        .expect("enroll")
}

async fn board(store: &dyn Store, clinic: ClinicId, day: &str) -> Board {
    load::board(store, clinic, date(day), date(day))
        .await
        .expect("board")
        .0
}

fn episodes(board: &Board) -> Vec<EpisodeId> {
    board.rows.iter().map(|r| r.entry.episode_id).collect()
}

async fn candidates(store: &dyn Store, clinic: ClinicId, day: &str) -> Vec<EpisodeId> {
    let mut ids: Vec<EpisodeId> = store
        .review_candidates(&ReviewScope {
            clinic_id: clinic,
            meets_on: date(day),
            as_of: date(day),
        })
        .await
        .expect("candidates")
        .episodes
        .iter()
        .map(|e| e.data.episode_id)
        .collect();
    ids.sort();
    ids
}

/// A clinic with a care manager, a consultant and three patients enrolled on 2026-01-05.
struct Setup {
    clinic: ClinicId,
    cm: i64,
    consultant: i64,
    patients: [Enrolled; 3],
}

async fn setup(store: &dyn Store) -> Setup {
    let clinic = store
        .create_clinic("Review Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = user(store, clinic, "cm@review.example", Role::CareManager).await;
    let consultant = user(
        store,
        clinic,
        "psy@review.example",
        Role::PsychiatricConsultant,
    )
    .await;
    let patients = [
        enroll(store, clinic, "R1", cm, "2026-01-05").await,
        enroll(store, clinic, "R2", cm, "2026-01-05").await,
        enroll(store, clinic, "R3", cm, "2026-01-05").await,
    ];
    Setup {
        clinic,
        cm,
        consultant,
        patients,
    }
}

async fn start(store: &dyn Store, s: &Setup, day: &str) -> app::case_review::Meeting {
    let b = board(store, s.clinic, day).await;
    store
        .start_meeting(
            &NewMeeting {
                clinic_id: s.clinic,
                meets_on: date(day),
                attendees: "Consultant, care manager".to_owned(),
                user_id: s.consultant,
            },
            &b.entries(),
        )
        .await
        .expect("start")
}

/// Free text as a consultant writes it, with what a packed read must carry through unchanged:
/// quotes, separators, a backslash, a line break, non-Latin script.
const AWKWARD_NOTE: &str = "Sleep \"better\", mood flat; ↑ dose?\nRecheck | C:\\plan, 睡眠 ok";

async fn review(
    store: &dyn Store,
    s: &Setup,
    meeting: &app::case_review::Meeting,
    episode: EpisodeId,
    kind: Option<RecommendationKind>,
) -> app::case_review::CaseReview {
    store
        .record_review(&NewCaseReview {
            meeting_id: meeting.id,
            episode_id: episode,
            reviewed_on: meeting.meets_on,
            note: AWKWARD_NOTE.to_owned(),
            user_id: s.consultant,
            carried_weeks: 0,
            recommendation: kind.map(|kind| NewRecommendation {
                kind,
                details: "sertraline 50 → 100 mg".to_owned(),
                due_on: meeting.meets_on + chrono::Days::new(7),
            }),
        })
        .await
        .expect("review")
}

async fn the_queue_lists_new_patients_and_drops_them_once_reviewed(store: &dyn Store) {
    let s = setup(store).await;
    let other = store
        .create_clinic("Other Clinic")
        .await
        .expect("clinic")
        .id;
    let other_cm = user(store, other, "cm@other.example", Role::CareManager).await;
    enroll(store, other, "O1", other_cm, "2026-01-05").await;
    let [a, b, c] = &s.patients;
    // New patients have no psychiatric review yet: all three are on the first list, and only
    // this clinic's.
    let first = board(store, s.clinic, "2026-01-07").await;
    let mut listed = episodes(&first);
    listed.sort();
    assert_eq!(listed, [a.episode_id, b.episode_id, c.episode_id]);
    assert!(first
        .rows
        .iter()
        .all(|r| r.entry.top == FlagKind::NoConsult));
    // Reviewing A marks its queue row stale (a database trigger); once re-evaluated, A's next
    // listed day is week 10, so next week's candidates no longer include it.
    let meeting = start(store, &s, "2026-01-07").await;
    review(store, &s, &meeting, a.episode_id, None).await;
    let next = board(store, s.clinic, "2026-01-14").await;
    let mut listed = episodes(&next);
    listed.sort();
    assert_eq!(listed, [b.episode_id, c.episode_id]);
    assert_eq!(
        candidates(store, s.clinic, "2026-01-14").await,
        [b.episode_id, c.episode_id],
        "the reviewed patient is not even read"
    );
    // Not improving after ten weeks (baseline only): A is due again on 2026-03-16.
    assert!(!candidates(store, s.clinic, "2026-03-15")
        .await
        .contains(&a.episode_id));
    let week10 = board(store, s.clinic, "2026-03-16").await;
    let row = week10
        .rows
        .iter()
        .find(|r| r.entry.episode_id == a.episode_id)
        .expect("A is back at week 10");
    assert_eq!(row.entry.top, FlagKind::NotImproving);
    // A discharge takes the episode off the queue.
    store
        .change_status(&StatusChangeRequest {
            episode_id: b.episode_id,
            expected_version: 1,
            to: EpisodeStatus::Discharged,
            on: date("2026-01-20"),
            reason: app::domain::StatusReason::Moved,
            note: String::new(),
            user_id: s.cm,
        })
        .await
        .expect("discharge");
    assert!(!candidates(store, s.clinic, "2026-03-16")
        .await
        .contains(&b.episode_id));
}

async fn marks_summaries_and_deferrals_are_kept(store: &dyn Store) {
    let s = setup(store).await;
    let [a, b, _] = &s.patients;
    // A is reviewed first, so only the manual mark can put it back on the list.
    let meeting = start(store, &s, "2026-01-07").await;
    review(store, &s, &meeting, a.episode_id, None).await;
    assert!(!episodes(&board(store, s.clinic, "2026-01-14").await).contains(&a.episode_id));
    let mark = store
        .mark_for_review(&NewReviewMark {
            episode_id: a.episode_id,
            marked_on: date("2026-01-09"),
            reason: "side effects".to_owned(),
            user_id: s.cm,
        })
        .await
        .expect("mark");
    assert_eq!(mark.reason, "side effects");
    let listed = board(store, s.clinic, "2026-01-14").await;
    let row = listed
        .rows
        .iter()
        .find(|r| r.entry.episode_id == a.episode_id)
        .expect("manually added");
    assert_eq!(row.entry.top, FlagKind::Manual);
    assert_eq!(row.manual_reason.as_deref(), Some("side effects"));
    assert_eq!(
        store
            .episode_history(a.episode_id)
            .await
            .expect("history")
            .review_mark
            .map(|m| m.reason),
        Some("side effects".to_owned())
    );
    store
        .remove_review_mark(a.episode_id, s.cm)
        .await
        .expect("remove");
    assert!(matches!(
        store.remove_review_mark(a.episode_id, s.cm).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(!episodes(&board(store, s.clinic, "2026-01-14").await).contains(&a.episode_id));

    let prep = store
        .prepare_review(&NewReviewPrep {
            episode_id: b.episode_id,
            prepared_on: date("2026-01-12"),
            summary: "Sleep better, mood flat".to_owned(),
            user_id: s.cm,
        })
        .await
        .expect("prep");
    assert_eq!(prep.summary, "Sleep better, mood flat");
    let deferral = NewDeferral {
        episode_id: b.episode_id,
        clinic_id: s.clinic,
        meets_on: date("2026-01-14"),
        reason: "patient travelling".to_owned(),
        user_id: s.cm,
    };
    store.defer_review(&deferral).await.expect("defer");
    assert!(matches!(
        store.defer_review(&deferral).await,
        Err(StoreError::Conflict(_))
    ));
    let deferred = board(store, s.clinic, "2026-01-14").await;
    assert!(!episodes(&deferred).contains(&b.episode_id));
    assert_eq!(deferred.deferred.len(), 1);
    assert_eq!(
        deferred.deferred[0]
            .prep
            .as_ref()
            .map(|p| p.summary.as_str()),
        Some("Sleep better, mood flat")
    );
    // A discharged episode takes no new marks.
    store
        .change_status(&StatusChangeRequest {
            episode_id: b.episode_id,
            expected_version: 1,
            to: EpisodeStatus::Discharged,
            on: date("2026-01-20"),
            reason: app::domain::StatusReason::Moved,
            note: String::new(),
            user_id: s.cm,
        })
        .await
        .expect("discharge");
    assert!(matches!(
        store
            .mark_for_review(&NewReviewMark {
                episode_id: b.episode_id,
                marked_on: date("2026-01-21"),
                reason: "x".to_owned(),
                user_id: s.cm,
            })
            .await,
        Err(StoreError::Invalid(_))
    ));
}

async fn a_meeting_records_reviews_and_carries_the_rest_forward(store: &dyn Store) {
    let s = setup(store).await;
    let [a, b, c] = &s.patients;
    let meeting = start(store, &s, "2026-01-07").await;
    assert_eq!(
        start(store, &s, "2026-01-07").await.id,
        meeting.id,
        "starting again rejoins the same meeting"
    );
    let first = review(
        store,
        &s,
        &meeting,
        a.episode_id,
        Some(RecommendationKind::IncreaseDose),
    )
    .await;
    assert_eq!(first.recommendations.len(), 1);
    assert_eq!(first.recommendations[0].status, TaskStatus::Open);
    // A second recommendation joins the same review.
    let again = review(
        store,
        &s,
        &meeting,
        a.episode_id,
        Some(RecommendationKind::SafetyPlan),
    )
    .await;
    assert_eq!(again.id, first.id);
    assert_eq!(again.recommendations.len(), 2);
    review(
        store,
        &s,
        &meeting,
        b.episode_id,
        Some(RecommendationKind::Psychotherapy),
    )
    .await;
    // During the meeting the reviewed patients keep their place.
    let during = board(store, s.clinic, "2026-01-07").await;
    assert_eq!(during.rows.len(), 3);
    assert_eq!(during.reviewed(), 2);
    let ended = store
        .end_meeting(meeting.id, &during.entries())
        .await
        .expect("end");
    assert!(ended.ended_at.is_some());
    let record = store
        .meeting_record(meeting.id)
        .await
        .expect("record")
        .expect("found");
    assert_eq!(record.meeting.attendees, "Consultant, care manager");
    let outcome = |e: EpisodeId| {
        record
            .patients
            .iter()
            .find(|p| p.episode_id == e)
            .map(|p| p.outcome)
    };
    assert_eq!(outcome(a.episode_id), Some(MeetingOutcome::Reviewed));
    assert_eq!(outcome(c.episode_id), Some(MeetingOutcome::NotReached));
    // Next week: C is carried forward one week; A and B are not on the list.
    let next = board(store, s.clinic, "2026-01-14").await;
    assert_eq!(episodes(&next), [c.episode_id]);
    assert_eq!(next.rows[0].carried_weeks, 1);
    let summaries = store.meetings(s.clinic, 10).await.expect("meetings");
    assert_eq!(summaries.len(), 1);
    assert_eq!(
        (
            summaries[0].reviewed,
            summaries[0].recommendations,
            summaries[0].carried
        ),
        (2, 3, 1)
    );

    // Follow-through: three open tasks for the care manager.
    let tasks = store
        .tasks(&TaskScope {
            clinic_id: s.clinic,
            care_manager_id: Some(s.cm),
        })
        .await
        .expect("tasks");
    assert_eq!(tasks.len(), 3);
    let nobody = store
        .tasks(&TaskScope {
            clinic_id: s.clinic,
            care_manager_id: Some(s.consultant),
        })
        .await
        .expect("tasks");
    assert!(nobody.is_empty());
    let dose = tasks
        .iter()
        .find(|t| t.recommendation.kind == RecommendationKind::IncreaseDose)
        .expect("dose task")
        .recommendation
        .clone();
    let (_, owner) = store
        .recommendation(dose.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(owner.clinic_id, s.clinic);
    let stale = store
        .update_task(&TaskUpdate {
            id: dose.id,
            expected_version: dose.version + 1,
            status: TaskStatus::Done,
            user_id: s.cm,
            treatment_change: None,
        })
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(m)) if m == STALE_EDIT));
    let done = store
        .update_task(&TaskUpdate {
            id: dose.id,
            expected_version: dose.version,
            status: TaskStatus::Done,
            user_id: s.cm,
            treatment_change: Some((date("2026-01-09"), "sertraline 100 mg".to_owned())),
        })
        .await
        .expect("done");
    assert_eq!(done.status, TaskStatus::Done);
    let history = store.episode_history(a.episode_id).await.expect("history");
    assert_eq!(history.treatment_changes.len(), 1);
    assert_eq!(history.reviews.len(), 1);
    assert_eq!(history.reviews[0].recommendations.len(), 2);
    // Back on the list by a manual mark: the card carries the same reviews and recommendations
    // (the finished task with who finished it and when) as the episode's history reads them.
    store
        .mark_for_review(&NewReviewMark {
            episode_id: a.episode_id,
            marked_on: date("2026-01-10"),
            reason: "side effects".to_owned(),
            user_id: s.cm,
        })
        .await
        .expect("mark");
    let later = board(store, s.clinic, "2026-01-14").await;
    let row = later
        .rows
        .iter()
        .find(|r| r.entry.episode_id == a.episode_id)
        .expect("marked");
    assert_eq!(row.past_reviews, history.reviews);
    assert!(row.past_reviews[0].note.starts_with(AWKWARD_NOTE));
    assert!(row.past_reviews[0].reviewer_name.is_some());
    let finished = row.past_reviews[0]
        .recommendations
        .iter()
        .find(|r| r.id == dose.id)
        .expect("finished task");
    assert_eq!(finished.status, TaskStatus::Done);
    assert!(finished.status_changed_at.is_some());
    assert!(finished.status_by_name.is_some());
    assert_eq!(row.open_recommendations.len(), 1);
    let open = store
        .tasks(&TaskScope {
            clinic_id: s.clinic,
            care_manager_id: None,
        })
        .await
        .expect("tasks");
    assert_eq!(open.len(), 2);
}

async fn new_flag_settings_re_evaluate_the_clinic(store: &dyn Store) {
    let s = setup(store).await;
    let [a, ..] = &s.patients;
    let meeting = start(store, &s, "2026-01-07").await;
    for p in &s.patients {
        review(store, &s, &meeting, p.episode_id, None).await;
    }
    assert!(board(store, s.clinic, "2026-02-16").await.rows.is_empty());
    // Not improving after 6 weeks instead of 10: everyone is due on 2026-02-16.
    let mut settings = store.clinic_settings(s.clinic).await.expect("settings");
    settings.flag_rules.not_improving_weeks = 6;
    store
        .save_clinic_settings(s.clinic, &settings)
        .await
        .expect("save");
    let after = board(store, s.clinic, "2026-02-16").await;
    assert_eq!(after.rows.len(), 3);
    assert!(episodes(&after).contains(&a.episode_id));
}

contract_tests!(
    the_queue_lists_new_patients_and_drops_them_once_reviewed,
    marks_summaries_and_deferrals_are_kept,
    a_meeting_records_reviews_and_carries_the_rest_forward,
    new_flag_settings_re_evaluate_the_clinic,
);
