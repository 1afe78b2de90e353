//! What a synthetic registry holds, generated without I/O.
//!
//! Every patient is drawn from their own random stream, keyed by the seed, their clinic and their
//! place in it. So the same seed gives the same patients whatever else is asked for, and clinic 1
//! of a 10,000-patient registry is clinic 1 of a 100,000-patient one: benchmarks at both sizes
//! compare the same work on screen in registries of different sizes.
//!
//! The course of an episode follows the collaborative-care literature loosely: about half the
//! patients who stay long enough respond (a 50% drop of the PHQ-9) by week 6–24 and some of them
//! remit (below 5); a quarter improve only partly; some worsen first; about one in six drop out.
//! Scores come every two weeks for the first 24 weeks and then monthly, each with a contact;
//! patients are reviewed at the clinic's weekly meeting after enrollment, when they are not
//! improving after 10 weeks on a plan (with a recommendation and a treatment change), and after an
//! answer above 0 to item 9.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How big a registry to make, and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub patients: u32,
    pub clinics: u32,
    pub seed: u64,
    /// The day the registry is "now": every date is on or before it.
    pub as_of: NaiveDate,
    /// The clinics' case-review weekday.
    pub meeting_day: Weekday,
}

/// Patients per clinic when `--clinics` is not given: a large primary-care practice.
pub const PATIENTS_PER_CLINIC: u32 = 2_000;
/// Enrollments reach back this many days before `as_of`.
pub const HISTORY_DAYS: u32 = 730;
/// Patients per care manager in a clinic (enrolled over the two years; about a quarter of them
/// are open at a time, a caseload of about 70).
pub const PATIENTS_PER_CARE_MANAGER: u32 = 300;

impl Shape {
    /// The clinics for `patients` when none are asked for: one per 2,000 patients.
    pub fn default_clinics(patients: u32) -> u32 {
        patients.div_ceil(PATIENTS_PER_CLINIC).max(1)
    }

    /// Patients in each clinic (the last clinic takes what is left).
    pub fn per_clinic(&self) -> u32 {
        self.patients.div_ceil(self.clinics.max(1))
    }

    /// How many patients clinic `c` (0-based) has.
    pub fn clinic_size(&self, c: u32) -> u32 {
        let per = self.per_clinic();
        self.patients.saturating_sub(c * per).min(per)
    }

    /// Care managers in clinic `c`.
    pub fn care_managers(&self, c: u32) -> u32 {
        self.clinic_size(c)
            .div_ceil(PATIENTS_PER_CARE_MANAGER)
            .max(1)
    }

    /// The clinics' meeting days before `as_of`, oldest first, over the registry's history.
    pub fn meeting_days(&self) -> Vec<NaiveDate> {
        let start = self.as_of - Days::new(u64::from(HISTORY_DAYS) + 7);
        let offset = (7 + self.meeting_day.num_days_from_monday()
            - start.weekday().num_days_from_monday())
            % 7;
        let mut day = start + Days::new(u64::from(offset));
        let mut days = Vec::new();
        while day < self.as_of {
            days.push(day);
            day = day + Days::new(7);
        }
        days
    }
}

/// A PHQ-9 or GAD-7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrument {
    Phq9,
    Gad7,
}

impl Instrument {
    pub fn code(self) -> &'static str {
        match self {
            Instrument::Phq9 => "PHQ-9",
            Instrument::Gad7 => "GAD-7",
        }
    }
    fn items(self) -> usize {
        match self {
            Instrument::Phq9 => 9,
            Instrument::Gad7 => 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub instrument: Instrument,
    pub taken_on: NaiveDate,
    /// Item answers 0–3 in order; they add up to the total.
    pub items: Vec<u8>,
}

impl Score {
    pub fn total(&self) -> u32 {
        self.items.iter().map(|&i| u32::from(i)).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub on: NaiveDate,
    pub kind: &'static str,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub kind: &'static str,
    pub details: &'static str,
    pub status: &'static str,
    pub due_on: NaiveDate,
}

/// A review at the clinic's meeting on `on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub on: NaiveDate,
    pub note: &'static str,
    pub recommendation: Option<Recommendation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub on: NaiveDate,
    pub from: &'static str,
    pub to: &'static str,
    pub reason: &'static str,
}

/// How an episode goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Course {
    /// A 50% drop by `week`; `remits` when the scores settle below 5.
    Responds {
        week: u32,
        remits: bool,
    },
    Partial,
    Worsens,
    /// Stops coming after `week`.
    DropsOut {
        week: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientPlan {
    /// 0-based clinic and place in it.
    pub clinic: u32,
    pub local: u32,
    pub mrn: String,
    pub given_name: &'static str,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub enrolled_on: NaiveDate,
    pub course: Course,
    /// Status on `as_of`, and the discharge day when discharged.
    pub status: &'static str,
    pub discharged_on: Option<NaiveDate>,
    pub anxiety: bool,
    /// 0-based care manager of the clinic.
    pub care_manager: u32,
    pub scores: Vec<Score>,
    pub contacts: Vec<Contact>,
    pub reviews: Vec<Review>,
    pub treatment_changes: Vec<(NaiveDate, &'static str)>,
    pub status_changes: Vec<StatusChange>,
    /// A hospital or emergency-department discharge.
    pub hospital: Option<(&'static str, NaiveDateTime)>,
}

const GIVEN_NAMES: [&str; 16] = [
    "Alex", "Blair", "Casey", "Dana", "Emery", "Finley", "Gray", "Harper", "Indy", "Jordan", "Kai",
    "Logan", "Morgan", "Noel", "Parker", "Quinn",
];

const PLAN_CHANGES: [(&str, &str, &str); 4] = [
    (
        "increase_dose",
        "Increase the antidepressant dose one step; recheck the PHQ-9 in 4 weeks.",
        "Antidepressant dose increased one step (synthetic)",
    ),
    (
        "switch_medication",
        "Switch to another antidepressant class; cross-taper over 2 weeks.",
        "Switched antidepressant (synthetic)",
    ),
    (
        "augment",
        "Augment with a second agent; watch for side effects.",
        "Augmentation added (synthetic)",
    ),
    (
        "psychotherapy",
        "Add brief behavioral activation sessions with the care manager.",
        "Behavioral activation started (synthetic)",
    ),
];

/// A 64-bit mix of the seed and a patient's place (SplitMix64's finalizer).
fn stream_key(seed: u64, clinic: u32, local: u32) -> u64 {
    let mut z =
        seed ^ (u64::from(clinic) << 32 | u64::from(local)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn day(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(chrono::Duration::days(days))
        .unwrap_or(d)
}

/// The first meeting day on or after `from` and before `as_of`.
fn meeting_on_or_after(from: NaiveDate, shape: &Shape) -> Option<NaiveDate> {
    let offset =
        (7 + shape.meeting_day.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    let d = day(from, i64::from(offset));
    (d < shape.as_of).then_some(d)
}

/// Spreads `total` over `n` items of 0–3, keeping item 9 (the last PHQ-9 item) at `last`.
fn items_for(rng: &mut ChaCha8Rng, n: usize, total: u32, last: Option<u8>) -> Vec<u8> {
    let mut items = vec![0u8; n];
    let free = if let Some(l) = last {
        items[n - 1] = l;
        n - 1
    } else {
        n
    };
    let capacity = u32::try_from(free).unwrap_or(0) * 3;
    let mut left = total
        .saturating_sub(last.map_or(0, u32::from))
        .min(capacity);
    while left > 0 {
        let i = rng.random_range(0..free);
        if items[i] < 3 {
            items[i] += 1;
            left -= 1;
        }
    }
    items
}

/// The expected PHQ-9 in week `w` of a course from `baseline`.
fn expected(course: Course, baseline: f64, floor: f64, w: f64) -> f64 {
    match course {
        Course::Responds { week, .. } => {
            // An exponential fall to `floor` that crosses half the baseline in `week`.
            let half = baseline / 2.0;
            let k = -((half - floor) / (baseline - floor)).ln() / f64::from(week);
            floor + (baseline - floor) * (-k * w).exp()
        }
        Course::Partial | Course::DropsOut { .. } => {
            floor + (baseline - floor) * (-w * 3f64.ln() / 12.0).exp()
        }
        Course::Worsens => {
            if w < 8.0 {
                baseline + (floor - baseline) * w / 8.0
            } else {
                // `floor` is the peak here; a slow partial improvement after the plan changes.
                floor - (floor - baseline * 0.7) * (1.0 - (-(w - 8.0) / 10.0).exp())
            }
        }
    }
}

/// The weeks (since enrollment) of the scheduled contacts: every two weeks until week 24, then
/// every four.
fn schedule(last_week: u32) -> impl Iterator<Item = u32> {
    (0..=last_week).filter(|w| if *w <= 24 { w % 2 == 0 } else { w % 4 == 0 })
}

/// Whether the last PHQ-9 by `on` is at most half the first (a response) or below 5 (remission).
fn responded_by(scores: &[Score], on: NaiveDate) -> bool {
    let phq: Vec<&Score> = scores
        .iter()
        .filter(|s| s.instrument == Instrument::Phq9 && s.taken_on <= on)
        .collect();
    let (Some(first), Some(last)) = (phq.first(), phq.last()) else {
        return false;
    };
    last.total() * 2 <= first.total() || last.total() < 5
}

/// One patient of the registry.
pub fn patient(shape: &Shape, clinic: u32, local: u32) -> PatientPlan {
    let mut rng = ChaCha8Rng::seed_from_u64(stream_key(shape.seed, clinic, local));
    let as_of = shape.as_of;
    let enrolled_on = day(as_of, -i64::from(rng.random_range(0..HISTORY_DAYS)));
    let birth_date = day(
        NaiveDate::from_ymd_opt(1945, 1, 1).unwrap_or(as_of),
        rng.random_range(0..22_000),
    );
    let u: f64 = rng.random();
    let course = if u < 0.50 {
        Course::Responds {
            week: rng.random_range(6..=24),
            remits: rng.random_bool(0.45),
        }
    } else if u < 0.75 {
        Course::Partial
    } else if u < 0.83 {
        Course::Worsens
    } else {
        Course::DropsOut {
            week: rng.random_range(2..=14),
        }
    };
    let baseline = f64::from(rng.random_range(10u32..=24));
    let floor = match course {
        Course::Responds { remits: true, .. } => rng.random_range(1.0..4.0),
        Course::Responds { remits: false, .. } => baseline * rng.random_range(0.30..0.45),
        Course::Partial | Course::DropsOut { .. } => baseline * rng.random_range(0.60..0.90),
        Course::Worsens => (baseline + rng.random_range(5.0..9.0)).min(27.0),
    };
    let anxiety = rng.random_bool(0.6);
    let gad_baseline = f64::from(rng.random_range(8u32..=20));

    // The episode's planned end (weeks after enrollment), its reason, and any relapse-prevention
    // phase before it.
    let (end_week, reason, relapse_prevention_from) = match course {
        Course::Responds { week, remits: true } => (
            week + rng.random_range(16..=30),
            "remission_met",
            Some(week + 8),
        ),
        Course::Responds {
            week,
            remits: false,
        } => (week + rng.random_range(12..=24), "improved", None),
        Course::Partial => {
            if rng.random_bool(0.5) {
                (rng.random_range(24..=32), "referred_specialty", None)
            } else {
                (52, "other", None)
            }
        }
        Course::Worsens => (rng.random_range(30..=52), "referred_specialty", None),
        Course::DropsOut { week } => (week + 4, "lost_to_follow_up", None),
    };
    let weeks_so_far = u32::try_from((as_of - enrolled_on).num_days() / 7).unwrap_or(0);
    let ended = end_week <= weeks_so_far;
    let last_week = match course {
        Course::DropsOut { week } => week.min(weeks_so_far),
        _ => end_week.min(weeks_so_far),
    };
    let discharged_on = ended.then(|| day(enrolled_on, i64::from(end_week) * 7));
    let mut status_changes = vec![StatusChange {
        on: enrolled_on,
        from: "active",
        to: "active",
        reason: "started",
    }];
    let mut status = "active";
    if let Some(rp) = relapse_prevention_from.filter(|w| *w <= weeks_so_far && *w < end_week) {
        status_changes.push(StatusChange {
            on: day(enrolled_on, i64::from(rp) * 7),
            from: "active",
            to: "relapse_prevention",
            reason: "remission_met",
        });
        status = "relapse_prevention";
    }
    if let Some(on) = discharged_on {
        status_changes.push(StatusChange {
            on,
            from: status,
            to: "discharged",
            reason,
        });
        status = "discharged";
    }

    let mut scores = Vec::new();
    let mut contacts = Vec::new();
    let mut safety_days = Vec::new();
    for w in schedule(last_week) {
        let on = day(
            enrolled_on,
            i64::from(w) * 7 + i64::from(rng.random_range(0u32..=2)),
        );
        if on > as_of || discharged_on.is_some_and(|d| on > d) {
            break;
        }
        let noise: f64 = rng.random_range(-2.0..2.0);
        let phq = (expected(course, baseline, floor, f64::from(w)) + noise)
            .round()
            .clamp(0.0, 27.0);
        // Item 9 answers above 0 come with higher scores, rarely.
        let item9 = u8::from(phq >= 15.0 && rng.random_bool(0.06));
        if item9 > 0 {
            safety_days.push(on);
        }
        scores.push(Score {
            instrument: Instrument::Phq9,
            taken_on: on,
            items: items_for(&mut rng, Instrument::Phq9.items(), phq as u32, Some(item9)),
        });
        if anxiety {
            let gad = (gad_baseline * phq / baseline + rng.random_range(-2.0..2.0))
                .round()
                .clamp(0.0, 21.0);
            scores.push(Score {
                instrument: Instrument::Gad7,
                taken_on: on,
                items: items_for(&mut rng, Instrument::Gad7.items(), gad as u32, None),
            });
        }
        let kind = match rng.random_range(0..10) {
            0..=2 => "in_person",
            3..=7 => "phone",
            _ => "video",
        };
        contacts.push(Contact {
            on,
            kind,
            minutes: rng.random_range(15..=45),
        });
        if w > 0 && rng.random_bool(0.08) {
            contacts.push(Contact {
                on: day(on, -1),
                kind: "attempt_no_answer",
                minutes: 2,
            });
        }
    }

    // Reviews: the first meeting after enrollment, 10 weeks on a plan without response (with a
    // plan change), the meeting after a safety answer, and a "continue" at about week 12 for
    // those who respond.
    let mut reviews: Vec<Review> = Vec::new();
    let mut treatment_changes = Vec::new();
    let open_until = discharged_on.unwrap_or(as_of);
    let add_review = |reviews: &mut Vec<Review>, on: NaiveDate, note, rec| {
        if on <= open_until && !reviews.iter().any(|r| r.on == on) {
            reviews.push(Review {
                on,
                note,
                recommendation: rec,
            });
        }
    };
    let recommendation = |kind, details, on: NaiveDate| {
        let due_on = day(on, 14);
        Recommendation {
            kind,
            details,
            status: if due_on < day(as_of, -14) {
                "done"
            } else {
                "open"
            },
            due_on,
        }
    };
    if let Some(first) = meeting_on_or_after(day(enrolled_on, rng.random_range(0..=3)), shape) {
        add_review(&mut reviews, first, "Initial review (synthetic).", None);
    }
    let mut next_check = day(enrolled_on, 70);
    while let Some(meeting) = meeting_on_or_after(next_check, shape) {
        if meeting > open_until || meeting > day(enrolled_on, i64::from(last_week) * 7 + 14) {
            break;
        }
        if responded_by(&scores, meeting) {
            let rec = recommendation(
                "continue",
                "Continue the current plan; responding.",
                meeting,
            );
            add_review(&mut reviews, meeting, "Responding (synthetic).", Some(rec));
            // Checked again two weeks on: a response can slip.
            next_check = day(meeting, 14);
            continue;
        }
        // Not at half the baseline after 10 weeks on the plan: the plan changes.
        let (kind, details, change) = PLAN_CHANGES[rng.random_range(0..PLAN_CHANGES.len())];
        let rec = recommendation(kind, details, meeting);
        add_review(
            &mut reviews,
            meeting,
            "Not improving (synthetic).",
            Some(rec),
        );
        let changed_on = day(meeting, rng.random_range(1..=7));
        if changed_on <= open_until.min(as_of) {
            treatment_changes.push((changed_on, change));
            next_check = day(changed_on, 70);
        } else {
            break;
        }
    }
    for on in safety_days {
        if let Some(meeting) = meeting_on_or_after(day(on, 1), shape) {
            let rec = recommendation(
                "safety_plan",
                "Review the safety plan at the next contact.",
                meeting,
            );
            add_review(
                &mut reviews,
                meeting,
                "Safety answer (synthetic).",
                Some(rec),
            );
        }
    }
    reviews.sort_by_key(|r| r.on);
    treatment_changes.sort();

    let hospital = rng.random_bool(0.03).then(|| {
        let span = (open_until - enrolled_on).num_days().max(1);
        let on = day(enrolled_on, rng.random_range(0..span));
        let setting = if rng.random_bool(0.7) {
            "emergency_department"
        } else {
            "hospital"
        };
        if rng.random_bool(0.85) && day(on, 2) <= open_until {
            contacts.push(Contact {
                on: day(on, rng.random_range(1..=2)),
                kind: "phone",
                minutes: 20,
            });
        }
        let at =
            on.and_time(NaiveTime::from_hms_opt(rng.random_range(8..20), 0, 0).unwrap_or_default());
        (setting, at)
    });
    contacts.sort_by_key(|c| c.on);

    PatientPlan {
        clinic,
        local,
        mrn: format!("SYN{:02}{local:06}", clinic + 1),
        given_name: GIVEN_NAMES[rng.random_range(0..GIVEN_NAMES.len())],
        family_name: format!("Synthetic-{:02}{local:06}", clinic + 1),
        birth_date,
        enrolled_on,
        course,
        status,
        discharged_on,
        anxiety,
        care_manager: local % shape.care_managers(clinic),
        scores,
        contacts,
        reviews,
        treatment_changes,
        status_changes,
        hospital,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shape(patients: u32, seed: u64) -> Shape {
        Shape {
            patients,
            clinics: Shape::default_clinics(patients),
            seed,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
            meeting_day: Weekday::Wed,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_patient_and_another_seed_another() {
        let a = shape(10_000, 7);
        assert_eq!(patient(&a, 2, 17), patient(&a, 2, 17));
        assert_ne!(patient(&a, 2, 17), patient(&shape(10_000, 8), 2, 17));
        // A clinic's patients do not depend on the registry's size.
        assert_eq!(patient(&a, 0, 99), patient(&shape(100_000, 7), 0, 99));
    }

    #[test]
    fn clinics_split_the_patients_and_meetings_fall_on_the_meeting_day() {
        let s = shape(4_500, 1);
        assert_eq!(s.clinics, 3);
        assert_eq!((0..3).map(|c| s.clinic_size(c)).sum::<u32>(), 4_500);
        assert_eq!(s.care_managers(0), 5);
        let days = s.meeting_days();
        assert!(days
            .iter()
            .all(|d| d.weekday() == Weekday::Wed && *d < s.as_of));
        assert_eq!(days.len(), 105);
    }

    #[test]
    fn about_half_respond_some_remit_and_some_drop_out() {
        let s = shape(20_000, 3);
        let plans: Vec<_> = (0..4_000)
            .map(|i| patient(&s, i / 2_000, i % 2_000))
            .collect();
        let share = |f: &dyn Fn(&PatientPlan) -> bool| {
            plans.iter().filter(|p| f(p)).count() as f64 / plans.len() as f64
        };
        let responds = share(&|p| matches!(p.course, Course::Responds { .. }));
        let remits = share(&|p| matches!(p.course, Course::Responds { remits: true, .. }));
        let drops = share(&|p| matches!(p.course, Course::DropsOut { .. }));
        let open = share(&|p| p.discharged_on.is_none());
        assert!((0.45..0.55).contains(&responds), "{responds}");
        assert!((0.18..0.27).contains(&remits), "{remits}");
        assert!((0.13..0.21).contains(&drops), "{drops}");
        assert!((0.15..0.40).contains(&open), "{open}");
        // Those who respond, and have been followed long enough, are at half their baseline.
        for p in &plans {
            if let Course::Responds { week, .. } = p.course {
                let phq: Vec<_> = p
                    .scores
                    .iter()
                    .filter(|s| s.instrument == Instrument::Phq9)
                    .collect();
                let (Some(first), Some(last)) = (phq.first(), phq.last()) else {
                    continue;
                };
                if (last.taken_on - first.taken_on).num_weeks() >= i64::from(week) + 4 {
                    assert!(
                        last.total() * 2 <= first.total() + 4,
                        "{} → {} for {:?}",
                        first.total(),
                        last.total(),
                        p.course
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn every_record_is_valid_and_in_its_episode(seed in any::<u64>(), clinic in 0u32..50, local in 0u32..2_000) {
            let s = shape(100_000, seed);
            let p = patient(&s, clinic, local);
            let end = p.discharged_on.unwrap_or(s.as_of);
            prop_assert!(p.enrolled_on <= s.as_of && end <= s.as_of.max(p.enrolled_on + Days::new(400)));
            prop_assert_eq!(p.status == "discharged", p.discharged_on.is_some());
            for score in &p.scores {
                prop_assert!(score.items.iter().all(|i| *i <= 3));
                prop_assert_eq!(score.items.len(), score.instrument.items());
                prop_assert!(score.taken_on >= p.enrolled_on && score.taken_on <= s.as_of);
                prop_assert!(p.discharged_on.is_none_or(|d| score.taken_on <= d));
            }
            for c in &p.contacts {
                prop_assert!(c.on >= p.enrolled_on && c.on <= s.as_of);
                prop_assert!(c.minutes <= 480);
            }
            for r in &p.reviews {
                prop_assert!(r.on > p.enrolled_on.pred_opt().unwrap_or(p.enrolled_on) && r.on < s.as_of);
                prop_assert_eq!(r.on.weekday(), Weekday::Wed);
            }
            prop_assert!(p.reviews.windows(2).all(|w| w[0].on < w[1].on));
            for (on, _) in &p.treatment_changes {
                prop_assert!(*on >= p.enrolled_on && *on <= end);
            }
        }
    }
}
