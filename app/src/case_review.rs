//! The weekly case review as stored and as shown: meetings, case reviews, recommendations (the
//! care manager's tasks), review marks, "ready" summaries and deferrals; and the pure glue that
//! turns the store's candidates into a meeting's review board. No I/O, so the board's behaviour
//! is unit-tested here and the server functions stay thin.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::meeting::carried_weeks;
use crate::domain::review::{review_entry, review_from, review_order, ReviewCandidate};
use crate::domain::{
    FlagKind, FlagRules, Instrument, MeetingOutcome, RecommendationKind, ReviewEntry, TaskStatus,
};
pub use crate::model::{CaseReview, MeetingId, Recommendation, RecommendationId, ReviewMarkRecord};
use crate::model::{CaseloadEpisode, ClinicId, EpisodeId, PatientId};

/// A clinic's weekly meeting, from the moment it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub clinic_id: ClinicId,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub attendees: String,
    pub started_by_name: Option<String>,
    #[serde(with = "crate::wire_dates")]
    pub started_at: DateTime<Utc>,
    #[serde(default, with = "crate::wire_dates")]
    pub ended_at: Option<DateTime<Utc>>,
}

/// The care manager's short case summary: the patient is ready for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPrep {
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub prepared_on: NaiveDate,
    pub summary: String,
    pub prepared_by_name: Option<String>,
}

/// A patient deferred one week at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferral {
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub reason: String,
    pub deferred_by_name: Option<String>,
}

/// Who was on a meeting's list and what happened to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingEntry {
    pub episode_id: EpisodeId,
    pub outcome: MeetingOutcome,
    /// Meetings the patient had been carried into this one.
    pub carried_weeks: u32,
}

/// An episode's row in the review queue (the index behind the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueState {
    pub episode_id: EpisodeId,
    pub version: i64,
    pub stale: bool,
    #[serde(default, with = "crate::wire_dates")]
    pub due_on: Option<NaiveDate>,
}

/// A fresh first-listed day for an episode, written only if its queue row is still at `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueUpdate {
    pub episode_id: EpisodeId,
    pub version: i64,
    #[serde(default, with = "crate::wire_dates")]
    pub due_on: Option<NaiveDate>,
}

/// Which list to build: a clinic's meeting on `meets_on`, with the rules evaluated on `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewScope {
    pub clinic_id: ClinicId,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
}

/// What the store returns for a review list: the episodes that may be on it (stale or due by
/// `as_of`, reviewed or deferred at this meeting) with their records, and the review facts
/// around them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReviewCandidates {
    pub episodes: Vec<CaseloadEpisode>,
    /// Each candidate's care plan text.
    pub care_plans: Vec<(EpisodeId, String)>,
    /// The latest treatment change of each candidate that has one.
    #[serde(with = "crate::wire_dates")]
    pub last_changes: Vec<(EpisodeId, NaiveDate, String)>,
    pub queue: Vec<QueueState>,
    /// Every case review of the candidates, oldest first, with recommendations.
    pub reviews: Vec<CaseReview>,
    /// The latest "ready" summary of each candidate that has one.
    pub preps: Vec<ReviewPrep>,
    /// Deferrals at this meeting.
    pub deferrals: Vec<Deferral>,
    pub meeting: Option<Meeting>,
    /// The entries of the clinic's previous meeting, for carry-forward.
    pub previous: Vec<MeetingEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReviewMark {
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub marked_on: NaiveDate,
    pub reason: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReviewPrep {
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub prepared_on: NaiveDate,
    pub summary: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDeferral {
    pub episode_id: EpisodeId,
    pub clinic_id: ClinicId,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub reason: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMeeting {
    pub clinic_id: ClinicId,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub attendees: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecommendation {
    pub kind: RecommendationKind,
    pub details: String,
    #[serde(with = "crate::wire_dates")]
    pub due_on: NaiveDate,
}

/// Marks a patient reviewed at a meeting (once; a second call adds to the same review) and
/// records a recommendation if one is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseReview {
    pub meeting_id: MeetingId,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub reviewed_on: NaiveDate,
    pub note: String,
    pub user_id: i64,
    /// Carried weeks of the patient at this meeting, kept on its entry.
    pub carried_weeks: u32,
    pub recommendation: Option<NewRecommendation>,
}

/// Settles a task. A plan-changing recommendation acted on records a treatment change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskUpdate {
    pub id: RecommendationId,
    pub expected_version: i64,
    pub status: TaskStatus,
    pub user_id: i64,
    #[serde(default, with = "crate::wire_dates")]
    pub treatment_change: Option<(NaiveDate, String)>,
}

/// Whose tasks: a clinic's, or one care manager's there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskScope {
    pub clinic_id: ClinicId,
    pub care_manager_id: Option<i64>,
}

/// An open recommendation with the patient it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub recommendation: Recommendation,
    pub patient_id: PatientId,
    pub patient_name: String,
    pub mrn: String,
    pub care_manager_name: Option<String>,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
}

/// One patient in a meeting's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingPatient {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
    pub name: String,
    pub outcome: MeetingOutcome,
    pub carried_weeks: u32,
    pub review: Option<CaseReview>,
}

/// A meeting as it happened: date, attendees, the patients on its list and what was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub patients: Vec<MeetingPatient>,
}

/// A meeting in a clinic's list of meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub meeting: Meeting,
    pub reviewed: u32,
    pub recommendations: u32,
    pub carried: u32,
}

/// A PHQ-9 point of a sparkline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SparkPoint {
    #[serde(with = "crate::wire_dates")]
    pub on: NaiveDate,
    pub total: u8,
}

/// One patient on the review board, with everything the list row and meeting mode show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardRow {
    pub entry: ReviewEntry,
    pub name: String,
    pub mrn: String,
    pub care_manager_name: Option<String>,
    pub baseline_phq9: Option<u8>,
    pub latest_phq9: Option<u8>,
    pub percent_change: Option<f64>,
    pub phq9: Vec<SparkPoint>,
    pub care_plan: String,
    #[serde(default, with = "crate::wire_dates")]
    pub last_change: Option<(NaiveDate, String)>,
    /// Reviews at earlier meetings, oldest first.
    pub past_reviews: Vec<CaseReview>,
    /// The review at this meeting, once the patient has been reviewed.
    pub reviewed_here: Option<CaseReview>,
    pub open_recommendations: Vec<Recommendation>,
    pub prep: Option<ReviewPrep>,
    pub manual_reason: Option<String>,
    pub carried_weeks: u32,
    pub deferral: Option<Deferral>,
}

impl BoardRow {
    pub fn last_review(&self) -> Option<&CaseReview> {
        self.past_reviews.last()
    }

    pub fn has(&self, kind: FlagKind) -> bool {
        self.entry.reasons.iter().any(|f| f.kind == kind)
    }
}

/// A meeting's review board: the list in review order, the patients deferred from it, and the
/// queue rows to write back.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Board {
    pub rows: Vec<BoardRow>,
    pub deferred: Vec<BoardRow>,
    pub refresh: Vec<QueueUpdate>,
}

impl Board {
    pub fn reviewed(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.reviewed_here.is_some())
            .count()
    }

    pub fn carried(&self) -> usize {
        self.rows.iter().filter(|r| r.carried_weeks > 0).count()
    }

    /// What the meeting records for each patient on the board: reviewed, deferred or not
    /// reached, with the weeks each had been carried.
    pub fn entries(&self) -> Vec<MeetingEntry> {
        let listed = self.rows.iter().map(|r| {
            let outcome = if r.reviewed_here.is_some() {
                MeetingOutcome::Reviewed
            } else {
                MeetingOutcome::NotReached
            };
            (r, outcome)
        });
        let deferred = self.deferred.iter().map(|r| (r, MeetingOutcome::Deferred));
        listed
            .chain(deferred)
            .map(|(r, outcome)| MeetingEntry {
                episode_id: r.entry.episode_id,
                outcome,
                carried_weeks: r.carried_weeks,
            })
            .collect()
    }
}

/// Builds a meeting's board from the store's candidates.
///
/// The list is evaluated on `scope.as_of` without the reviews made at this meeting, so that a
/// patient stays in place (and the "7 of 18" count holds) after being reviewed. Every candidate's
/// first listed day is recomputed from all its records on `today`, and written back where it
/// changed: that keeps the queue's index tight (the time-based sweep) without reading the
/// registry.
pub fn build_board(
    candidates: ReviewCandidates,
    rules: &FlagRules,
    scope: &ReviewScope,
    today: NaiveDate,
) -> Board {
    let meeting_id = candidates.meeting.as_ref().map(|m| m.id);
    let mut reviews: HashMap<EpisodeId, Vec<CaseReview>> = HashMap::new();
    for r in candidates.reviews {
        reviews.entry(r.episode_id).or_default().push(r);
    }
    let plans: HashMap<EpisodeId, String> = candidates.care_plans.into_iter().collect();
    let changes: HashMap<EpisodeId, (NaiveDate, String)> = candidates
        .last_changes
        .into_iter()
        .map(|(e, d, t)| (e, (d, t)))
        .collect();
    let preps: HashMap<EpisodeId, ReviewPrep> = candidates
        .preps
        .into_iter()
        .map(|p| (p.episode_id, p))
        .collect();
    let deferrals: HashMap<EpisodeId, Deferral> = candidates
        .deferrals
        .into_iter()
        .map(|d| (d.episode_id, d))
        .collect();
    let previous: HashMap<EpisodeId, MeetingEntry> = candidates
        .previous
        .into_iter()
        .map(|e| (e.episode_id, e))
        .collect();
    let queue: HashMap<EpisodeId, QueueState> = candidates
        .queue
        .into_iter()
        .map(|q| (q.episode_id, q))
        .collect();

    let mut board = Board::default();
    let mut seen = HashSet::new();
    for item in candidates.episodes {
        let id = item.data.episode_id;
        if !seen.insert(id) {
            continue;
        }
        let episode_reviews = reviews.remove(&id).unwrap_or_default();
        if let Some(q) = queue.get(&id) {
            let due_on = review_from(&item.data, rules, today);
            if q.stale || q.due_on != due_on {
                board.refresh.push(QueueUpdate {
                    episode_id: id,
                    version: q.version,
                    due_on,
                });
            }
        }
        let (here, earlier): (Vec<CaseReview>, Vec<CaseReview>) = episode_reviews
            .into_iter()
            .partition(|r| Some(r.meeting_id) == meeting_id);
        // The list as it stood when the meeting began: this meeting's reviews left out.
        let mut data = item.data.clone();
        for r in &here {
            if let Some(i) = data
                .psychiatric_reviews
                .iter()
                .position(|d| *d == r.reviewed_on)
            {
                data.psychiatric_reviews.remove(i);
            }
        }
        let candidate = ReviewCandidate::evaluate(&data, rules, scope.as_of);
        let Some(entry) = review_entry(&candidate, rules) else {
            continue;
        };
        let phq9 = data.course(Instrument::Phq9, scope.as_of);
        let baseline = phq9.baseline().map(|s| s.total);
        let latest = phq9.latest().map(|s| s.total);
        let percent_change = phq9.percent_change();
        let open_recommendations = earlier
            .iter()
            .chain(here.iter())
            .flat_map(|r| r.recommendations.iter())
            .filter(|r| r.status == TaskStatus::Open)
            .cloned()
            .collect();
        let row = BoardRow {
            name: item.patient.list_name(),
            mrn: item.patient.mrn.clone(),
            care_manager_name: item.care_manager_name.clone(),
            baseline_phq9: baseline,
            latest_phq9: latest,
            percent_change,
            phq9: phq9
                .scores()
                .iter()
                .map(|s| SparkPoint {
                    on: s.taken_on,
                    total: s.total,
                })
                .collect(),
            care_plan: plans.get(&id).cloned().unwrap_or_default(),
            last_change: changes.get(&id).cloned(),
            reviewed_here: here.into_iter().next(),
            open_recommendations,
            prep: preps
                .get(&id)
                .filter(|p| {
                    earlier
                        .last()
                        .is_none_or(|r| p.prepared_on >= r.reviewed_on)
                })
                .cloned(),
            past_reviews: earlier,
            manual_reason: data
                .review_mark
                .as_ref()
                .filter(|_| entry.reasons.iter().any(|f| f.kind == FlagKind::Manual))
                .map(|m| m.reason.clone()),
            carried_weeks: carried_weeks(previous.get(&id).map(|e| (e.outcome, e.carried_weeks))),
            deferral: deferrals.get(&id).cloned(),
            entry,
        };
        if row.deferral.is_some() && row.reviewed_here.is_none() {
            board.deferred.push(row);
        } else {
            board.rows.push(row);
        }
    }
    board.rows.sort_by(|a, b| review_order(&a.entry, &b.entry));
    board
        .deferred
        .sort_by(|a, b| review_order(&a.entry, &b.entry));
    board
}

/// Tasks in the order a care manager works them: overdue first, then by due day, then by id.
pub fn order_tasks(tasks: &mut [Task], today: NaiveDate) {
    tasks.sort_by_key(|t| {
        (
            !t.recommendation.is_overdue(today),
            t.recommendation.due_on,
            t.recommendation.id,
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{date, episode};
    use crate::domain::ReviewMark;
    use crate::model::Patient;

    fn item(id: i64, scores: &[(&str, u8)]) -> CaseloadEpisode {
        let mut data = episode(scores);
        data.patient_id = PatientId(id);
        data.episode_id = EpisodeId(id);
        CaseloadEpisode {
            patient: Patient {
                id: PatientId(id),
                clinic_id: ClinicId(1),
                mrn: format!("MRN{id}"),
                given_name: "Test".into(),
                family_name: format!("Patient{id}"),
                birth_date: date("1980-01-01"),
            },
            care_manager_id: None,
            care_manager_name: None,
            data,
        }
    }

    fn meeting(id: i64, on: &str) -> Meeting {
        Meeting {
            id: MeetingId(id),
            clinic_id: ClinicId(1),
            meets_on: date(on),
            attendees: String::new(),
            started_by_name: None,
            started_at: DateTime::<Utc>::UNIX_EPOCH,
            ended_at: None,
        }
    }

    fn review(episode: i64, meeting_id: i64, on: &str) -> CaseReview {
        CaseReview {
            id: episode * 100 + meeting_id,
            meeting_id: MeetingId(meeting_id),
            meets_on: date(on),
            episode_id: EpisodeId(episode),
            reviewed_on: date(on),
            reviewer_name: None,
            note: String::new(),
            recommendations: Vec::new(),
        }
    }

    fn scope(on: &str) -> ReviewScope {
        ReviewScope {
            clinic_id: ClinicId(1),
            meets_on: date(on),
            as_of: date(on),
        }
    }

    fn names(rows: &[BoardRow]) -> Vec<i64> {
        rows.iter().map(|r| r.entry.patient_id.0).collect()
    }

    #[test]
    fn a_patient_reviewed_at_this_meeting_keeps_their_place_and_leaves_next_weeks_list() {
        // Enrolled 2026-01-05 (a Monday), never reviewed: `no_consult` lists both patients.
        let mut first = item(1, &[("2026-01-05", 12)]);
        let second = item(2, &[("2026-01-05", 12)]);
        first.data.psychiatric_reviews.push(date("2026-01-14"));
        let mut c = ReviewCandidates {
            episodes: vec![first.clone(), second.clone()],
            reviews: vec![review(1, 7, "2026-01-14")],
            meeting: Some(meeting(7, "2026-01-14")),
            ..ReviewCandidates::default()
        };
        let rules = FlagRules::default();
        let board = build_board(c.clone(), &rules, &scope("2026-01-14"), date("2026-01-14"));
        assert_eq!(names(&board.rows), [1, 2]);
        assert!(board.rows[0].reviewed_here.is_some());
        assert_eq!(board.reviewed(), 1);
        let entries = board.entries();
        assert_eq!(entries[0].outcome, MeetingOutcome::Reviewed);
        assert_eq!(entries[1].outcome, MeetingOutcome::NotReached);

        // Next week: patient 1 is off the list, patient 2 is carried one week.
        c.meeting = Some(meeting(8, "2026-01-21"));
        c.previous = entries;
        let next = build_board(c, &rules, &scope("2026-01-21"), date("2026-01-21"));
        assert_eq!(names(&next.rows), [2]);
        assert_eq!(next.rows[0].carried_weeks, 1);
        assert_eq!(next.carried(), 1);
        assert_eq!(
            next.rows[0].last_review(),
            None,
            "patient 2 has never been reviewed"
        );
    }

    #[test]
    fn a_deferred_patient_is_set_apart_and_a_manual_mark_shows_its_reason() {
        let mut marked = item(1, &[("2026-01-05", 12)]);
        marked.data.psychiatric_reviews.push(date("2026-01-06"));
        marked.data.review_mark = Some(ReviewMark {
            marked_on: date("2026-01-10"),
            reason: "side effects".into(),
        });
        let deferred = item(2, &[("2026-01-05", 12)]);
        let c = ReviewCandidates {
            episodes: vec![marked, deferred],
            deferrals: vec![Deferral {
                episode_id: EpisodeId(2),
                meets_on: date("2026-01-14"),
                reason: "patient travelling".into(),
                deferred_by_name: None,
            }],
            ..ReviewCandidates::default()
        };
        let board = build_board(
            c,
            &FlagRules::default(),
            &scope("2026-01-14"),
            date("2026-01-14"),
        );
        assert_eq!(names(&board.rows), [1]);
        assert_eq!(board.rows[0].manual_reason.as_deref(), Some("side effects"));
        assert_eq!(names(&board.deferred), [2]);
        assert_eq!(board.entries()[1].outcome, MeetingOutcome::Deferred);
    }

    #[test]
    fn candidates_not_listed_are_left_out_and_their_queue_rows_refreshed() {
        let mut fine = item(1, &[("2026-01-05", 20), ("2026-01-26", 4)]);
        fine.data.psychiatric_reviews.push(date("2026-01-06"));
        let c = ReviewCandidates {
            episodes: vec![fine],
            queue: vec![QueueState {
                episode_id: EpisodeId(1),
                version: 3,
                stale: false,
                due_on: Some(date("2026-01-05")),
            }],
            ..ReviewCandidates::default()
        };
        let board = build_board(
            c,
            &FlagRules::default(),
            &scope("2026-02-04"),
            date("2026-02-02"),
        );
        assert!(board.rows.is_empty());
        assert_eq!(
            board.refresh,
            [QueueUpdate {
                episode_id: EpisodeId(1),
                version: 3,
                due_on: None
            }]
        );
    }

    #[test]
    fn overdue_tasks_come_first() {
        let task = |id: i64, due: &str| Task {
            recommendation: Recommendation {
                id: RecommendationId(id),
                episode_id: EpisodeId(1),
                kind: RecommendationKind::Continue,
                details: String::new(),
                status: TaskStatus::Open,
                due_on: date(due),
                version: 1,
                recorded_on: date("2026-01-01"),
                recorded_by_name: None,
                status_changed_at: None,
                status_by_name: None,
            },
            patient_id: PatientId(1),
            patient_name: String::new(),
            mrn: String::new(),
            care_manager_name: None,
            meets_on: date("2026-01-01"),
        };
        let mut tasks = vec![
            task(1, "2026-02-10"),
            task(2, "2026-01-20"),
            task(3, "2026-02-01"),
        ];
        order_tasks(&mut tasks, date("2026-02-05"));
        let ids: Vec<i64> = tasks.iter().map(|t| t.recommendation.id.0).collect();
        assert_eq!(ids, [2, 3, 1]);
    }
}
