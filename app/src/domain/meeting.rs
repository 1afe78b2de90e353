//! The weekly case-review meeting (DOMAIN.md §4 and the review issue): recommendation types, the
//! follow-through tasks they become, carry-forward of patients not reached, deferral, and the
//! meeting calendar. DOMAIN.md is silent on the task deadline, the deferral limits and the
//! meeting day; the choices are written next to each rule and in docs/DOMAIN-NOTES.md. Deferral
//! reads a review entry's flags, so it lives with the list in `review.rs`.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// An enum with a stored code and a label for people, both written once.
macro_rules! coded {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.code() == code)
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

coded! {
    /// What the consulting psychiatrist recommends for a patient.
    pub enum RecommendationKind {
        Continue = ("continue", "Continue current treatment"),
        IncreaseDose = ("increase_dose", "Increase dose"),
        SwitchMedication = ("switch_medication", "Switch medication"),
        Augment = ("augment", "Augment"),
        Psychotherapy = ("psychotherapy", "Add or refer psychotherapy"),
        SpecialtyReferral = ("specialty_referral", "Refer to specialty care"),
        SafetyPlan = ("safety_plan", "Safety plan"),
        DiagnosticClarification = ("diagnostic_clarification", "Diagnostic clarification"),
        Other = ("other", "Other"),
    }
}

impl RecommendationKind {
    /// Whether acting on the recommendation changes the treatment plan, so that completing it
    /// records a treatment change (DOMAIN.md §2: "usually a psychiatric recommendation that was
    /// acted on") and restarts the weeks on the current plan.
    pub fn changes_plan(self) -> bool {
        matches!(
            self,
            RecommendationKind::IncreaseDose
                | RecommendationKind::SwitchMedication
                | RecommendationKind::Augment
                | RecommendationKind::Psychotherapy
        )
    }

    /// Whether the recommendation needs words: "other" means nothing without them.
    pub fn needs_details(self) -> bool {
        self == RecommendationKind::Other
    }
}

coded! {
    /// Where a recommendation stands. It is the care manager's task while it is open.
    pub enum TaskStatus {
        Open = ("open", "Open"),
        Communicated = ("communicated", "Communicated to PCP"),
        Done = ("done", "Done"),
    }
}

coded! {
    /// What happened to a listed patient at a meeting.
    pub enum MeetingOutcome {
        Reviewed = ("reviewed", "Reviewed"),
        Deferred = ("deferred", "Deferred one week"),
        NotReached = ("not_reached", "Not reached"),
    }
}

/// `date` plus `days`, saturating at the end of the calendar (like `episode::add_days`; this module
/// stands apart from the episode records so that stored records can name its types).
fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(chrono::Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// Days a care manager has to act on a recommendation. Choice (DOMAIN.md is silent): one week,
/// so that every task is settled before the next weekly meeting.
pub const TASK_DUE_DAYS: u64 = 7;

/// The day a recommendation made on `recommended_on` is due.
pub fn task_due(recommended_on: NaiveDate) -> NaiveDate {
    add_days(recommended_on, TASK_DUE_DAYS)
}

/// An open task is overdue after its due day; a communicated or done one never is.
pub fn task_overdue(status: TaskStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == TaskStatus::Open && today > due_on
}

/// How many meetings a patient has been carried into the one being prepared, from their entry
/// at the previous meeting: one more than they had then if they were deferred or not reached,
/// none if they were reviewed or not on that list.
pub fn carried_weeks(previous: Option<(MeetingOutcome, u32)>) -> u32 {
    match previous {
        Some((MeetingOutcome::Deferred | MeetingOutcome::NotReached, carried)) => {
            carried.saturating_add(1)
        }
        Some((MeetingOutcome::Reviewed, _)) | None => 0,
    }
}

/// The clinic's next meeting: the first `weekday` on or after `today`.
pub fn next_meeting_on(weekday: Weekday, today: NaiveDate) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    add_days(today, u64::from(ahead))
}

/// The meeting day as an ISO weekday number (1 = Monday … 7 = Sunday), or `None` when out of range.
pub fn weekday_from_number(n: u8) -> Option<Weekday> {
    match n {
        1..=7 => Weekday::try_from(n - 1).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }
    use proptest::prelude::*;

    #[test]
    fn every_code_reads_back() {
        for k in RecommendationKind::ALL {
            assert_eq!(RecommendationKind::from_code(k.code()), Some(*k));
        }
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::from_code(s.code()), Some(*s));
        }
        for o in MeetingOutcome::ALL {
            assert_eq!(MeetingOutcome::from_code(o.code()), Some(*o));
        }
        assert_eq!(RecommendationKind::ALL.len(), 9);
        assert_eq!(RecommendationKind::from_code("lobotomy"), None);
    }

    #[test]
    fn medication_and_therapy_changes_change_the_plan_and_referrals_do_not() {
        assert!(RecommendationKind::IncreaseDose.changes_plan());
        assert!(RecommendationKind::Psychotherapy.changes_plan());
        assert!(!RecommendationKind::Continue.changes_plan());
        assert!(!RecommendationKind::SpecialtyReferral.changes_plan());
    }

    #[test]
    fn a_task_is_due_a_week_after_the_recommendation_and_overdue_the_day_after() {
        let due = task_due(date("2026-11-18"));
        assert_eq!(due, date("2026-11-25"));
        assert!(!task_overdue(TaskStatus::Open, due, due));
        assert!(task_overdue(TaskStatus::Open, due, date("2026-11-26")));
        assert!(!task_overdue(TaskStatus::Done, due, date("2026-12-26")));
        assert!(!task_overdue(
            TaskStatus::Communicated,
            due,
            date("2026-12-26")
        ));
    }

    #[test]
    fn the_next_meeting_is_today_on_the_meeting_day_and_otherwise_later_this_week() {
        // 2026-11-23 is a Monday.
        let monday = date("2026-11-23");
        assert_eq!(next_meeting_on(Weekday::Mon, monday), date("2026-11-23"));
        assert_eq!(next_meeting_on(Weekday::Wed, monday), date("2026-11-25"));
        assert_eq!(next_meeting_on(Weekday::Sun, monday), date("2026-11-29"));
        assert_eq!(weekday_from_number(3), Some(Weekday::Wed));
        assert_eq!(weekday_from_number(0), None);
        assert_eq!(weekday_from_number(8), None);
    }

    #[test]
    fn carried_weeks_count_up_while_not_reached_and_reset_on_review() {
        assert_eq!(carried_weeks(None), 0);
        assert_eq!(carried_weeks(Some((MeetingOutcome::NotReached, 0))), 1);
        assert_eq!(carried_weeks(Some((MeetingOutcome::Deferred, 2))), 3);
        assert_eq!(carried_weeks(Some((MeetingOutcome::Reviewed, 5))), 0);
    }

    fn arb_outcome() -> impl Strategy<Value = Option<MeetingOutcome>> {
        proptest::option::of(proptest::sample::select(MeetingOutcome::ALL))
    }

    proptest! {
        /// Over any run of weekly meetings (each either not listing the patient or listing them
        /// with an outcome), the count shown at the next meeting is the number of meetings since
        /// the patient was last reviewed or off the list.
        #[test]
        fn carried_weeks_is_the_unbroken_run_of_missed_meetings(
            history in proptest::collection::vec(arb_outcome(), 0..20)
        ) {
            let mut previous: Option<(MeetingOutcome, u32)> = None;
            for outcome in &history {
                let carried_in = carried_weeks(previous);
                previous = outcome.map(|o| (o, carried_in));
            }
            let missed = history
                .iter()
                .rev()
                .take_while(|o| matches!(o, Some(MeetingOutcome::NotReached | MeetingOutcome::Deferred)))
                .count();
            prop_assert_eq!(carried_weeks(previous) as usize, missed);
        }

        #[test]
        fn the_next_meeting_is_on_the_weekday_within_a_week(day in 0u64..3000, wd in 1u8..=7) {
            let today = add_days(date("2024-01-01"), day);
            let weekday = weekday_from_number(wd).unwrap_or(Weekday::Mon);
            let next = next_meeting_on(weekday, today);
            prop_assert_eq!(next.weekday(), weekday);
            prop_assert!(next >= today && next < add_days(today, 7));
        }
    }
}
