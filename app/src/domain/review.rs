//! The caseload review list (DOMAIN.md §4): who is on it, in which order, and why.
//!
//! Patients not reviewed at a meeting carry forward by construction: their flags stay raised
//! (a `manual` mark clears only on review), so the next evaluation lists them again.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::episode::{add_days, EpisodeData};
use super::flags::{evaluate, Flag, FlagContext, FlagKind, FlagRules};
use crate::model::{EpisodeId, EpisodeStatus, PatientId};

/// One episode's flags and the week counts that order the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCandidate {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
    pub status: EpisodeStatus,
    pub weeks_in_treatment: i64,
    pub weeks_on_current_plan: i64,
    pub flags: Vec<Flag>,
}

impl ReviewCandidate {
    /// Evaluates every flag of an episode on `as_of`.
    pub fn evaluate(episode: &EpisodeData, rules: &FlagRules, as_of: NaiveDate) -> Self {
        let cx = FlagContext::new(episode, rules, as_of);
        ReviewCandidate {
            patient_id: episode.patient_id,
            episode_id: episode.episode_id,
            status: episode.status,
            weeks_in_treatment: cx.metrics.weeks_in_treatment,
            weeks_on_current_plan: cx.metrics.weeks_on_current_plan,
            flags: evaluate(&cx),
        }
    }
}

/// A patient on the review list, with every reason (list flags first, then work items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEntry {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
    /// The highest-ranked flag that put the patient on the list.
    pub top: FlagKind,
    pub weeks_in_treatment: i64,
    pub weeks_on_current_plan: i64,
    /// All flags of the episode in priority order, work items included.
    pub reasons: Vec<Flag>,
}

impl ReviewEntry {
    /// The week count that orders entries of the same top flag: weeks on the current plan for
    /// `not_improving`, weeks in treatment for the others.
    pub fn ordering_weeks(&self) -> i64 {
        match self.top {
            FlagKind::NotImproving => self.weeks_on_current_plan,
            _ => self.weeks_in_treatment,
        }
    }
}

/// Whether an episode status can be on the list: active or relapse prevention.
pub fn status_is_reviewable(status: EpisodeStatus) -> bool {
    matches!(
        status,
        EpisodeStatus::Active | EpisodeStatus::RelapsePrevention
    )
}

/// The entry for a candidate, or `None` when it is not on the list: the status is not reviewable,
/// or none of its flags is of a kind in `rules.review_kinds`.
pub fn review_entry(candidate: &ReviewCandidate, rules: &FlagRules) -> Option<ReviewEntry> {
    if !status_is_reviewable(candidate.status) {
        return None;
    }
    let top = candidate
        .flags
        .iter()
        .map(|f| f.kind)
        .filter(|k| rules.puts_on_review_list(*k))
        .min()?;
    let mut reasons = candidate.flags.clone();
    reasons.sort_by_key(|f| f.kind);
    Some(ReviewEntry {
        patient_id: candidate.patient_id,
        episode_id: candidate.episode_id,
        top,
        weeks_in_treatment: candidate.weeks_in_treatment,
        weeks_on_current_plan: candidate.weeks_on_current_plan,
        reasons,
    })
}

/// The list order: highest-ranked flag (safety > not_improving > worsening > manual >
/// no_consult), then more weeks first (on the current plan for not_improving, in treatment for
/// the others), then patient id, then episode id. Choice: the episode id settles the (invalid)
/// case of one patient listed twice, which makes this a total order on distinct entries.
pub fn review_order(a: &ReviewEntry, b: &ReviewEntry) -> Ordering {
    a.top
        .cmp(&b.top)
        .then_with(|| b.ordering_weeks().cmp(&a.ordering_weeks()))
        .then_with(|| a.patient_id.cmp(&b.patient_id))
        .then_with(|| a.episode_id.cmp(&b.episode_id))
}

/// The review list: the entries of every candidate on it, in [`review_order`].
pub fn review_list(candidates: &[ReviewCandidate], rules: &FlagRules) -> Vec<ReviewEntry> {
    let mut entries: Vec<ReviewEntry> = candidates
        .iter()
        .filter_map(|c| review_entry(c, rules))
        .collect();
    entries.sort_by(review_order);
    entries
}

/// Why a patient cannot be deferred, if they cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeferralError {
    /// Choice (DOMAIN.md is silent): a safety concern is never postponed a week.
    #[error("a patient with a safety flag cannot be deferred; discuss them at this meeting")]
    Safety,
    #[error("the patient has already been reviewed at this meeting")]
    AlreadyReviewed,
}

/// Whether a listed patient may be deferred one week.
pub fn check_deferral(entry: &ReviewEntry, reviewed_here: bool) -> Result<(), DeferralError> {
    if entry.reasons.iter().any(|f| f.kind == FlagKind::Safety) {
        return Err(DeferralError::Safety);
    }
    if reviewed_here {
        return Err(DeferralError::AlreadyReviewed);
    }
    Ok(())
}

/// Whether the episode is on the review list on `as_of`.
pub fn is_listed(episode: &EpisodeData, rules: &FlagRules, as_of: NaiveDate) -> bool {
    review_entry(&ReviewCandidate::evaluate(episode, rules, as_of), rules).is_some()
}

/// The first day on or after `from` on which the episode is on the review list if nothing new is
/// recorded, or `None` when that never happens. Kept with each episode (and recomputed when it
/// changes), it lets a meeting's list read only the episodes due by the meeting date through an
/// index, then confirm each with the rules, so the list costs time in proportion to the flagged
/// patients rather than to the registry.
///
/// Between two records only time moves, and every rule changes its answer only on a few days that
/// can be computed from the data: a record's own date, N weeks on the current plan
/// (`not_improving`), N days after enrollment (`no_consult`), the end of the early phase and each
/// contact limit after a contact or enrollment (`overdue_contact`), and a discharge's follow-up
/// window. Evaluating the list on `from` and on each of those days after it finds the first listed
/// day exactly; `review_from_matches_a_day_by_day_search` checks this against a brute-force
/// search.
pub fn review_from(episode: &EpisodeData, rules: &FlagRules, from: NaiveDate) -> Option<NaiveDate> {
    let enrolled = episode.enrolled_on;
    let days = |d: NaiveDate, n: u64| add_days(d, n);
    let mut dates: Vec<NaiveDate> = vec![from, enrolled];
    dates.extend(episode.discharged_on);
    dates.extend(episode.scores.iter().map(|s| s.taken_on));
    dates.extend(episode.psychiatric_reviews.iter().copied());
    dates.extend(episode.treatment_changes.iter().copied());
    dates.extend(
        episode
            .safety_concerns
            .iter()
            .flat_map(|c| std::iter::once(c.raised_on).chain(c.resolved_on)),
    );
    dates.extend(episode.review_mark.as_ref().map(|m| m.marked_on));
    for d in &episode.hospital_discharges {
        let day = d.at.date();
        dates.push(day);
        dates.push(days(day, u64::from(rules.post_discharge_clear_days)));
    }
    // Plan starts: enrollment and every treatment change, each N weeks on.
    let weeks = u64::from(rules.not_improving_weeks) * 7;
    dates.push(days(enrolled, weeks));
    dates.extend(episode.treatment_changes.iter().map(|d| days(*d, weeks)));
    dates.push(days(enrolled, u64::from(rules.no_consult_after_days)));
    dates.push(days(enrolled, u64::from(rules.early_phase_weeks) * 7));
    let limits = [
        rules.contact_limit_early_days,
        rules.contact_limit_later_days,
        rules.contact_limit_relapse_prevention_days,
    ];
    let contact_days = std::iter::once(enrolled).chain(episode.contacts.iter().map(|c| c.on));
    for since in contact_days {
        dates.push(since);
        for limit in limits {
            dates.push(days(since, u64::from(limit) + 1));
        }
    }
    dates.retain(|d| *d >= from);
    dates.sort_unstable();
    dates.dedup();
    dates.into_iter().find(|d| is_listed(episode, rules, *d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flag(kind: FlagKind) -> Flag {
        Flag {
            kind,
            explanation: kind.code().to_owned(),
        }
    }

    fn candidate(id: i64, kinds: &[FlagKind], in_treatment: i64, on_plan: i64) -> ReviewCandidate {
        ReviewCandidate {
            patient_id: PatientId(id),
            episode_id: EpisodeId(id * 10),
            status: EpisodeStatus::Active,
            weeks_in_treatment: in_treatment,
            weeks_on_current_plan: on_plan,
            flags: kinds.iter().copied().map(flag).collect(),
        }
    }

    fn listed(kinds: &[FlagKind]) -> ReviewEntry {
        ReviewEntry {
            patient_id: PatientId(1),
            episode_id: EpisodeId(1),
            top: kinds[0],
            weeks_in_treatment: 3,
            weeks_on_current_plan: 3,
            reasons: kinds
                .iter()
                .map(|k| Flag {
                    kind: *k,
                    explanation: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_safety_flag_cannot_be_deferred_and_nor_can_a_reviewed_patient() {
        assert_eq!(
            check_deferral(&listed(&[FlagKind::Safety, FlagKind::NoConsult]), false),
            Err(DeferralError::Safety)
        );
        assert_eq!(
            check_deferral(&listed(&[FlagKind::NotImproving]), true),
            Err(DeferralError::AlreadyReviewed)
        );
        assert_eq!(
            check_deferral(&listed(&[FlagKind::NotImproving]), false),
            Ok(())
        );
    }

    fn ids(list: &[ReviewEntry]) -> Vec<i64> {
        list.iter().map(|e| e.patient_id.0).collect()
    }

    #[test]
    fn safety_comes_before_not_improving_before_worsening_before_manual_before_no_consult() {
        let c = [
            candidate(1, &[FlagKind::NoConsult], 30, 30),
            candidate(2, &[FlagKind::Manual], 1, 1),
            candidate(3, &[FlagKind::Worsening], 1, 1),
            candidate(4, &[FlagKind::NotImproving], 1, 1),
            candidate(5, &[FlagKind::Safety], 1, 1),
        ];
        assert_eq!(
            ids(&review_list(&c, &FlagRules::default())),
            [5, 4, 3, 2, 1]
        );
    }

    #[test]
    fn within_not_improving_more_weeks_on_the_current_plan_come_first() {
        let c = [
            candidate(1, &[FlagKind::NotImproving], 40, 10),
            candidate(2, &[FlagKind::NotImproving], 12, 12),
        ];
        assert_eq!(ids(&review_list(&c, &FlagRules::default())), [2, 1]);
    }

    #[test]
    fn within_other_flags_more_weeks_in_treatment_come_first_and_patient_id_breaks_ties() {
        let c = [
            candidate(3, &[FlagKind::Worsening], 8, 1),
            candidate(1, &[FlagKind::Worsening], 8, 8),
            candidate(2, &[FlagKind::Worsening], 9, 0),
        ];
        assert_eq!(ids(&review_list(&c, &FlagRules::default())), [2, 1, 3]);
    }

    #[test]
    fn work_items_alone_do_not_put_a_patient_on_the_list_but_show_on_an_entry() {
        let c = [
            candidate(1, &[FlagKind::OverdueContact], 5, 5),
            candidate(
                2,
                &[FlagKind::PostDischargeFollowup, FlagKind::NoConsult],
                5,
                5,
            ),
        ];
        let list = review_list(&c, &FlagRules::default());
        assert_eq!(ids(&list), [2]);
        let kinds: Vec<_> = list[0].reasons.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [FlagKind::NoConsult, FlagKind::PostDischargeFollowup]
        );
        assert_eq!(list[0].top, FlagKind::NoConsult);
    }

    #[test]
    fn a_clinic_can_put_overdue_contact_on_the_list() {
        let rules = FlagRules {
            review_kinds: vec![FlagKind::Safety, FlagKind::OverdueContact],
            ..FlagRules::default()
        };
        let c = [
            candidate(1, &[FlagKind::OverdueContact], 5, 5),
            candidate(2, &[FlagKind::NoConsult], 5, 5),
        ];
        assert_eq!(ids(&review_list(&c, &rules)), [1]);
    }

    #[test]
    fn discharged_patients_are_not_on_the_list_but_relapse_prevention_patients_are() {
        let mut d = candidate(1, &[FlagKind::Safety], 5, 5);
        d.status = EpisodeStatus::Discharged;
        let mut r = candidate(2, &[FlagKind::Safety], 5, 5);
        r.status = EpisodeStatus::RelapsePrevention;
        assert_eq!(ids(&review_list(&[d, r], &FlagRules::default())), [2]);
    }

    #[test]
    fn a_candidate_is_evaluated_from_its_episode() {
        use crate::domain::episode::tests::{date, episode};
        let e = episode(&[("2026-01-05", 18)]);
        let c = ReviewCandidate::evaluate(&e, &FlagRules::default(), date("2026-03-16"));
        assert_eq!(c.weeks_in_treatment, 10);
        let entry = review_entry(&c, &FlagRules::default()).expect("on the list");
        assert_eq!(entry.top, FlagKind::NotImproving);
    }

    fn arb_candidate() -> impl Strategy<Value = ReviewCandidate> {
        (
            0i64..20,
            proptest::collection::vec(0usize..7, 0..4),
            0i64..30,
            0i64..30,
            0usize..3,
        )
            .prop_map(|(id, kinds, wit, wop, status)| {
                let kinds: Vec<FlagKind> = kinds
                    .into_iter()
                    .filter_map(|k| FlagKind::ALL.get(k).copied())
                    .collect();
                let mut c = candidate(id, &kinds, wit, wop);
                c.episode_id = EpisodeId(id);
                c.status = EpisodeStatus::ALL
                    .get(status)
                    .copied()
                    .unwrap_or(EpisodeStatus::Active);
                c
            })
    }

    mod review_from_tests {
        use super::super::*;
        use crate::domain::episode::tests::{contact, date, episode, score};
        use crate::domain::episode::{
            ContactKind, DischargeSetting, HospitalDischarge, ReviewMark, Score,
        };
        use proptest::prelude::*;

        #[test]
        fn review_from_is_the_day_the_not_improving_rule_starts() {
            let rules = FlagRules::default();
            let mut e = episode(&[("2026-01-05", 18)]);
            // A review on day 1 keeps no_consult away; weekly contacts keep overdue away.
            e.psychiatric_reviews.push(date("2026-01-06"));
            // Enrolled 2026-01-05, baseline only: not improving from week 10 = 2026-03-16.
            assert_eq!(
                review_from(&e, &rules, date("2026-01-07")),
                Some(date("2026-03-16"))
            );
            // A response before then: never listed without new data.
            e.scores.push(score(2, "2026-02-02", 8));
            assert_eq!(review_from(&e, &rules, date("2026-02-03")), None);
            // Listed today when a flag is already raised.
            e.review_mark = Some(ReviewMark {
                marked_on: date("2026-02-03"),
                reason: "side effects".into(),
            });
            assert_eq!(
                review_from(&e, &rules, date("2026-02-04")),
                Some(date("2026-02-04"))
            );
        }

        proptest! {
            #[test]
            fn review_from_matches_a_day_by_day_search(
                scores in proptest::collection::vec((0u64..200, 0u8..=27, proptest::option::of(0u8..=3)), 0..6),
                contacts in proptest::collection::vec((0u64..200, 0usize..8), 0..5),
                reviews in proptest::collection::vec(0u64..200, 0..2),
                changes in proptest::collection::vec(0u64..200, 0..2),
                mark in proptest::option::of(0u64..200),
                relapse_prevention in any::<bool>(),
                work_items_on_list in any::<bool>(),
                no_consult_days in 0u32..120,
                discharge in proptest::option::of(0u64..200),
                from in 0u64..250,
            ) {
                let mut rules = FlagRules { no_consult_after_days: no_consult_days, ..FlagRules::default() };
                if work_items_on_list {
                    rules.review_kinds.push(FlagKind::OverdueContact);
                    rules.review_kinds.push(FlagKind::PostDischargeFollowup);
                }
                let mut e = episode(&[]);
                let start = e.enrolled_on;
                for (id, (day, total, item9)) in (1..).zip(scores) {
                    e.scores.push(Score { taken_on: add_days(start, day), item9, ..score(id, "2026-01-05", total) });
                }
                for (day, kind) in contacts {
                    let mut c = contact("2026-01-05", ContactKind::ALL[kind]);
                    c.on = add_days(start, day);
                    e.record_contact(c);
                }
                e.psychiatric_reviews.extend(reviews.into_iter().map(|d| add_days(start, d)));
                e.treatment_changes.extend(changes.into_iter().map(|d| add_days(start, d)));
                e.review_mark = mark.map(|d| ReviewMark { marked_on: add_days(start, d), reason: "x".into() });
                e.hospital_discharges.extend(discharge.map(|d| HospitalDischarge {
                    at: add_days(start, d).and_hms_opt(9, 30, 0).unwrap_or_default(),
                    setting: DischargeSetting::Hospital,
                }));
                if relapse_prevention {
                    e.status = EpisodeStatus::RelapsePrevention;
                }
                let from = add_days(start, from);
                let horizon = 450;
                let brute = (0..horizon).map(|d| add_days(from, d)).find(|d| is_listed(&e, &rules, *d));
                let fast = review_from(&e, &rules, from).filter(|d| *d < add_days(from, horizon));
                prop_assert_eq!(fast, brute);
            }
        }
    }

    proptest! {
        #[test]
        fn review_order_is_a_total_order(
            a in arb_candidate(), b in arb_candidate(), c in arb_candidate()
        ) {
            let rules = FlagRules::default();
            let entries: Vec<ReviewEntry> =
                [a, b, c].iter().filter_map(|x| review_entry(x, &rules)).collect();
            for x in &entries {
                prop_assert_eq!(review_order(x, x), Ordering::Equal);
                for y in &entries {
                    prop_assert_eq!(review_order(x, y), review_order(y, x).reverse());
                    if review_order(x, y) == Ordering::Equal {
                        prop_assert_eq!((x.patient_id, x.episode_id), (y.patient_id, y.episode_id));
                    }
                    for z in &entries {
                        if review_order(x, y).is_le() && review_order(y, z).is_le() {
                            prop_assert!(review_order(x, z).is_le());
                        }
                    }
                }
            }
        }

        #[test]
        fn the_list_does_not_depend_on_input_order(
            mut list in proptest::collection::vec(arb_candidate(), 0..12),
            seed in any::<u64>(),
        ) {
            // One candidate per patient, as the store provides.
            list.sort_by_key(|c| c.patient_id);
            list.dedup_by_key(|c| c.patient_id);
            let rules = FlagRules::default();
            let sorted = review_list(&list, &rules);
            let mut shuffled = list.clone();
            let len = shuffled.len();
            for i in 0..len {
                let j = usize::try_from((seed >> (i % 60)) % (len as u64)).unwrap_or(0);
                shuffled.swap(i, j);
            }
            prop_assert_eq!(review_list(&shuffled, &rules), sorted);
        }
    }
}
