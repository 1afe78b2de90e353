//! Flags (DOMAIN.md §3): seven small rules, each a pure function of an episode, the clinic's
//! [`FlagRules`] and an evaluation date, returning an explained [`Flag`] or nothing.
//!
//! Every rule reads a [`FlagContext`], which computes the episode metrics once. Discharged
//! episodes (and episodes not yet enrolled on `as_of`) raise no flags.

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::episode::{
    add_days, days_between, episode_metrics, format_percent, ContactKind, EpisodeData,
    EpisodeMetrics, HospitalDischarge,
};
use super::instrument::{Instrument, ANSWERS, ITEM9_ALERT_FROM};
use crate::model::EpisodeStatus;

/// The kinds of flag, declared in review-list priority order: safety > not_improving > worsening
/// > manual > no_consult, then the two care-manager work items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    Safety,
    NotImproving,
    Worsening,
    Manual,
    NoConsult,
    PostDischargeFollowup,
    OverdueContact,
}

impl FlagKind {
    /// Every kind, highest priority first.
    pub const ALL: [FlagKind; 7] = [
        FlagKind::Safety,
        FlagKind::NotImproving,
        FlagKind::Worsening,
        FlagKind::Manual,
        FlagKind::NoConsult,
        FlagKind::PostDischargeFollowup,
        FlagKind::OverdueContact,
    ];

    /// The stored and serialized code, as in DOMAIN.md.
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::Safety => "safety",
            FlagKind::NotImproving => "not_improving",
            FlagKind::Worsening => "worsening",
            FlagKind::Manual => "manual",
            FlagKind::NoConsult => "no_consult",
            FlagKind::PostDischargeFollowup => "post_discharge_followup",
            FlagKind::OverdueContact => "overdue_contact",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        FlagKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The chip text (never colour alone).
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::Safety => "Safety",
            FlagKind::NotImproving => "Not improving",
            FlagKind::Worsening => "Worsening",
            FlagKind::Manual => "Discuss",
            FlagKind::NoConsult => "No consult yet",
            FlagKind::PostDischargeFollowup => "Post-discharge follow-up",
            FlagKind::OverdueContact => "Contact overdue",
        }
    }
}

/// A raised flag with the numbers and dates that triggered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub explanation: String,
}

impl Flag {
    fn new(kind: FlagKind, explanation: String) -> Self {
        Flag { kind, explanation }
    }
}

/// The clinic-configurable thresholds of every flag rule, with DOMAIN.md's defaults. Missing
/// fields deserialize to their defaults, so a clinic stores only what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlagRules {
    /// `safety`: the lowest PHQ-9 item-9 answer that raises the flag (default 1; 0 is read as 1).
    pub item9_threshold: u8,
    /// `not_improving`: weeks on the current plan without response or remission (default 10).
    pub not_improving_weeks: u32,
    /// `worsening`: points above the lowest earlier score (default 5).
    pub worsening_points: u8,
    /// `no_consult`: days after enrollment before a missing psychiatric review flags (default 0).
    pub no_consult_after_days: u32,
    /// `overdue_contact`: the early phase lasts while weeks in treatment are below this (default 12).
    pub early_phase_weeks: u32,
    /// `overdue_contact`: limit in days during the early phase (default 14).
    pub contact_limit_early_days: u32,
    /// `overdue_contact`: limit in days after the early phase (default 30).
    pub contact_limit_later_days: u32,
    /// `overdue_contact`: limit in days in relapse prevention (default 30).
    pub contact_limit_relapse_prevention_days: u32,
    /// `post_discharge_followup`: hours within which a contact is expected (default 72).
    pub post_discharge_target_hours: u32,
    /// `post_discharge_followup`: the flag clears this many days after the discharge (default 30).
    pub post_discharge_clear_days: u32,
    /// The kinds that put a patient on the caseload review list (DOMAIN.md §4). The others are
    /// care-manager work items.
    pub review_kinds: Vec<FlagKind>,
}

impl Default for FlagRules {
    fn default() -> Self {
        FlagRules {
            item9_threshold: ITEM9_ALERT_FROM,
            not_improving_weeks: 10,
            worsening_points: 5,
            no_consult_after_days: 0,
            early_phase_weeks: 12,
            contact_limit_early_days: 14,
            contact_limit_later_days: 30,
            contact_limit_relapse_prevention_days: 30,
            post_discharge_target_hours: 72,
            post_discharge_clear_days: 30,
            review_kinds: vec![
                FlagKind::Safety,
                FlagKind::NotImproving,
                FlagKind::Worsening,
                FlagKind::NoConsult,
                FlagKind::Manual,
            ],
        }
    }
}

/// One refused setting: the field's name as stored, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingError {
    pub field: String,
    pub message: String,
}

impl FlagRules {
    /// Checks every threshold against a clinically sensible range. All problems are returned at
    /// once, each naming its field, so a settings form can show them together.
    ///
    /// Choice: `safety` can never be taken off the review list; a positive item 9 is always
    /// discussed with the psychiatrist, whatever else a clinic changes.
    pub fn validate(&self) -> Result<(), Vec<SettingError>> {
        let mut errors = Vec::new();
        let mut range = |field: &str, value: u32, lo: u32, hi: u32, unit: &str| {
            if value < lo || value > hi {
                errors.push(SettingError {
                    field: field.to_owned(),
                    message: format!("must be {lo}–{hi} {unit}"),
                });
            }
        };
        range(
            "item9_threshold",
            u32::from(self.item9_threshold),
            1,
            3,
            "(item-9 answer)",
        );
        range(
            "not_improving_weeks",
            self.not_improving_weeks,
            4,
            52,
            "weeks",
        );
        range(
            "worsening_points",
            u32::from(self.worsening_points),
            1,
            27,
            "points",
        );
        range(
            "no_consult_after_days",
            self.no_consult_after_days,
            0,
            180,
            "days",
        );
        range("early_phase_weeks", self.early_phase_weeks, 1, 52, "weeks");
        range(
            "contact_limit_early_days",
            self.contact_limit_early_days,
            1,
            90,
            "days",
        );
        range(
            "contact_limit_later_days",
            self.contact_limit_later_days,
            1,
            180,
            "days",
        );
        range(
            "contact_limit_relapse_prevention_days",
            self.contact_limit_relapse_prevention_days,
            1,
            365,
            "days",
        );
        range(
            "post_discharge_target_hours",
            self.post_discharge_target_hours,
            1,
            336,
            "hours",
        );
        range(
            "post_discharge_clear_days",
            self.post_discharge_clear_days,
            1,
            90,
            "days",
        );
        if !self.review_kinds.contains(&FlagKind::Safety) {
            errors.push(SettingError {
                field: "review_kinds".to_owned(),
                message: "safety must stay on the review list".to_owned(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Whether a flag of this kind puts a patient on the review list.
    pub fn puts_on_review_list(&self, kind: FlagKind) -> bool {
        self.review_kinds.contains(&kind)
    }

    /// The `overdue_contact` limit in days, and how the explanation names it.
    pub fn contact_limit(&self, status: EpisodeStatus, weeks_in_treatment: i64) -> (i64, String) {
        if status == EpisodeStatus::RelapsePrevention {
            let days = self.contact_limit_relapse_prevention_days;
            (
                i64::from(days),
                format!("{days} days in relapse prevention"),
            )
        } else if weeks_in_treatment < i64::from(self.early_phase_weeks) {
            let days = self.contact_limit_early_days;
            let weeks = self.early_phase_weeks;
            (
                i64::from(days),
                format!("{days} days in the first {weeks} weeks"),
            )
        } else {
            let days = self.contact_limit_later_days;
            let weeks = self.early_phase_weeks;
            (i64::from(days), format!("{days} days after week {weeks}"))
        }
    }
}

/// What every rule reads: the episode, its metrics on `as_of`, and the clinic's rules.
#[derive(Debug, Clone)]
pub struct FlagContext<'a> {
    pub episode: &'a EpisodeData,
    pub metrics: EpisodeMetrics,
    pub rules: &'a FlagRules,
}

impl<'a> FlagContext<'a> {
    pub fn new(episode: &'a EpisodeData, rules: &'a FlagRules, as_of: NaiveDate) -> Self {
        FlagContext {
            episode,
            metrics: episode_metrics(episode, as_of),
            rules,
        }
    }

    pub fn as_of(&self) -> NaiveDate {
        self.metrics.as_of
    }

    /// `Some(())` when the episode may raise flags: open on `as_of`.
    fn open(&self) -> Option<()> {
        self.episode.is_open_on(self.as_of()).then_some(())
    }
}

/// A flag rule.
pub type Rule = fn(&FlagContext<'_>) -> Option<Flag>;

/// The seven rules, in [`FlagKind`] order.
pub const RULES: [Rule; 7] = [
    safety,
    not_improving,
    worsening,
    manual,
    no_consult,
    post_discharge_followup,
    overdue_contact,
];

/// Runs every rule on one episode; the flags come out in priority order.
pub fn evaluate_flags(episode: &EpisodeData, rules: &FlagRules, as_of: NaiveDate) -> Vec<Flag> {
    evaluate(&FlagContext::new(episode, rules, as_of))
}

/// Runs every rule on a prepared context (when the caller also needs the metrics).
pub fn evaluate(cx: &FlagContext<'_>) -> Vec<Flag> {
    RULES.iter().filter_map(|rule| rule(cx)).collect()
}

/// `safety`: the latest PHQ-9 has item 9 at or above the threshold, or a safety concern was
/// recorded and is not resolved.
///
/// Choice: the latest PHQ-9 is taken whatever the primary measure. A "total only" latest PHQ-9
/// carries no item-9 answer, so it neither raises nor clears the item-9 part; an earlier item-level
/// PHQ-9 is not consulted.
pub fn safety(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let as_of = cx.as_of();
    let threshold = cx.rules.item9_threshold.max(1);
    let mut reasons = Vec::new();
    let latest_phq9 = cx
        .episode
        .scores
        .iter()
        .filter(|s| s.instrument == Instrument::Phq9 && s.taken_on <= as_of)
        .max_by_key(|s| (s.taken_on, s.id));
    if let Some((answer, on)) = latest_phq9
        .and_then(|s| s.item9.map(|a| (a, s.taken_on)))
        .filter(|(a, _)| *a >= threshold)
    {
        let wording = ANSWERS.get(usize::from(answer)).copied().unwrap_or("?");
        reasons.push(format!(
            "PHQ-9 item 9 answered {answer} (\u{201c}{wording}\u{201d}) on {on}; suicide-risk assessment needed"
        ));
    }
    for concern in cx
        .episode
        .safety_concerns
        .iter()
        .filter(|c| c.is_open_on(as_of))
    {
        let note = concern.note.trim();
        let sep = if note.is_empty() { "" } else { ": " };
        reasons.push(format!(
            "Safety concern recorded {}, not resolved{sep}{note}",
            concern.raised_on
        ));
    }
    (!reasons.is_empty()).then(|| Flag::new(FlagKind::Safety, reasons.join("; ")))
}

/// `not_improving`: weeks on the current plan ≥ N and neither response nor remission against the
/// episode baseline. A patient with only a baseline counts as not improving.
///
/// Choice: an episode with no primary-measure score at all does not raise it (there is nothing to
/// compare); `overdue_contact` and the missing measurement show instead.
pub fn not_improving(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let m = &cx.metrics;
    let weeks_limit = cx.rules.not_improving_weeks;
    let baseline = m.baseline?;
    if m.weeks_on_current_plan < i64::from(weeks_limit) || m.response || m.remission {
        return None;
    }
    let instrument = m.primary;
    let weeks = m.weeks_on_current_plan;
    let period = match m
        .last_treatment_change
        .filter(|d| *d >= cx.episode.enrolled_on)
    {
        Some(changed) => format!("{weeks} weeks on the current plan (changed {changed})"),
        None => format!("{weeks} weeks"),
    };
    let course = match m.latest.filter(|_| m.has_follow_up) {
        Some(latest) => {
            let change = m
                .percent_change
                .map(|p| format!(" ({})", format_percent(p)))
                .unwrap_or_default();
            format!(
                "{instrument} {} \u{2192} {}{change}",
                baseline.total, latest.total
            )
        }
        None => format!(
            "{instrument} baseline {} on {}, no follow-up score",
            baseline.total, baseline.taken_on
        ),
    };
    Some(Flag::new(
        FlagKind::NotImproving,
        format!("{course} after {period}; target \u{2265}50% by week {weeks_limit}"),
    ))
}

/// `worsening`: the latest score is at least P points above the lowest earlier score.
pub fn worsening(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let m = &cx.metrics;
    let latest = m.latest?;
    let low = m.lowest_before_latest?;
    let points = cx.rules.worsening_points;
    let rise = i32::from(latest.total) - i32::from(low.total);
    (rise >= i32::from(points)).then(|| {
        Flag::new(
            FlagKind::Worsening,
            format!(
                "{} {} on {}, up {rise} from a low of {} on {}; threshold +{points}",
                m.primary, latest.total, latest.taken_on, low.total, low.taken_on
            ),
        )
    })
}

/// `no_consult`: the episode has no psychiatric case review yet, counted from enrollment.
pub fn no_consult(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let as_of = cx.as_of();
    let enrolled = cx.episode.enrolled_on;
    let reviewed = cx
        .episode
        .psychiatric_reviews
        .iter()
        .any(|d| *d >= enrolled && *d <= as_of);
    let days = days_between(enrolled, as_of);
    (!reviewed && days >= i64::from(cx.rules.no_consult_after_days)).then(|| {
        Flag::new(
            FlagKind::NoConsult,
            format!("No psychiatric case review since enrollment on {enrolled} ({days} days)"),
        )
    })
}

/// `overdue_contact`: days since the last completed contact (or enrollment when there is none)
/// exceed the limit: 14 days while weeks in treatment < 12, then 30; 30 in relapse prevention.
/// No-shows since then are counted in the explanation.
pub fn overdue_contact(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let m = &cx.metrics;
    let enrolled = cx.episode.enrolled_on;
    let last = m.last_contact_on.filter(|d| *d >= enrolled);
    let since = last.unwrap_or(enrolled);
    let days = days_between(since, m.as_of);
    let (limit, limit_text) = cx
        .rules
        .contact_limit(cx.episode.status, m.weeks_in_treatment);
    if days <= limit {
        return None;
    }
    let what = match last {
        Some(on) => format!("{days} days since the last completed contact on {on}"),
        None => format!("{days} days since enrollment on {enrolled} with no completed contact"),
    };
    let no_shows = cx
        .episode
        .contacts
        .iter()
        .filter(|c| c.kind == ContactKind::NoShow && c.on >= since && c.on <= m.as_of)
        .count();
    let no_shows = match no_shows {
        0 => String::new(),
        1 => "; 1 no-show since".to_owned(),
        n => format!("; {n} no-shows since"),
    };
    Some(Flag::new(
        FlagKind::OverdueContact,
        format!("{what}; limit {limit_text}{no_shows}"),
    ))
}

/// The last day on which a completed contact keeps the episode off `overdue_contact`: the last
/// completed contact (or enrollment when there is none) plus the clinic's contact limit for the
/// episode's phase on `as_of`. `None` when the episode is not open on `as_of`.
///
/// The contact is overdue exactly when `as_of` is after this date, so the caseload's "next contact
/// due" and the flag can never disagree.
pub fn next_contact_due(cx: &FlagContext<'_>) -> Option<NaiveDate> {
    cx.open()?;
    let m = &cx.metrics;
    let enrolled = cx.episode.enrolled_on;
    let since = m
        .last_contact_on
        .filter(|d| *d >= enrolled)
        .unwrap_or(enrolled);
    let (limit, _) = cx
        .rules
        .contact_limit(cx.episode.status, m.weeks_in_treatment);
    Some(add_days(since, u64::try_from(limit).unwrap_or(0)))
}

/// `post_discharge_followup`: a hospital or ED discharge with no completed contact after it. It
/// clears on a contact or `post_discharge_clear_days` after the discharge, and the explanation
/// says whether the 72-hour mark is past.
///
/// Choices: contacts carry dates only, so a contact on the discharge day counts as after it. The
/// 72-hour mark is "past" once its calendar day is before `as_of`, and "due today" on that day.
/// With several open discharges the most recent is explained, and the others counted.
pub fn post_discharge_followup(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let as_of = cx.as_of();
    let clear_days = i64::from(cx.rules.post_discharge_clear_days);
    let open: Vec<&HospitalDischarge> = cx
        .episode
        .hospital_discharges
        .iter()
        .filter(|d| {
            let day = d.at.date();
            let age = days_between(day, as_of);
            (0..clear_days).contains(&age)
                && !cx.episode.completed_contacts(as_of).any(|c| c.on >= day)
        })
        .collect();
    let latest = open.iter().max_by_key(|d| d.at)?;
    let hours = cx.rules.post_discharge_target_hours;
    let mark = TimeDelta::try_hours(i64::from(hours))
        .and_then(|h| latest.at.checked_add_signed(h))
        .unwrap_or(latest.at);
    let mark_text = mark.format("%Y-%m-%d %H:%M");
    let status = match mark.date().cmp(&as_of) {
        std::cmp::Ordering::Less => format!("{hours} h mark passed {mark_text}"),
        std::cmp::Ordering::Equal => format!("{hours} h mark is today, {mark_text}"),
        std::cmp::Ordering::Greater => format!("contact due by {mark_text} ({hours} h)"),
    };
    let others = match open.len().saturating_sub(1) {
        0 => String::new(),
        n => format!("; {n} earlier discharge(s) also without follow-up"),
    };
    Some(Flag::new(
        FlagKind::PostDischargeFollowup,
        format!(
            "{} discharge {} with no completed contact since; {status}{others}",
            latest.setting.label(),
            latest.at.format("%Y-%m-%d %H:%M"),
        ),
    ))
}

/// `manual`: the care manager marked "discuss at review" with a reason. It clears when the patient
/// is reviewed. Choice: a review on the day of the mark or later clears it.
pub fn manual(cx: &FlagContext<'_>) -> Option<Flag> {
    cx.open()?;
    let as_of = cx.as_of();
    let mark = cx.episode.review_mark.as_ref()?;
    let reviewed = cx
        .episode
        .psychiatric_reviews
        .iter()
        .any(|d| *d >= mark.marked_on && *d <= as_of);
    (mark.marked_on <= as_of && !reviewed).then(|| {
        Flag::new(
            FlagKind::Manual,
            format!(
                "Marked for discussion on {}: {}",
                mark.marked_on,
                mark.reason.trim()
            ),
        )
    })
}

/// The date on which the `post_discharge_followup` flag of a discharge clears by itself.
pub fn post_discharge_clears_on(discharge: &HospitalDischarge, rules: &FlagRules) -> NaiveDate {
    add_days(
        discharge.at.date(),
        u64::from(rules.post_discharge_clear_days),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{contact, date, episode, score};

    #[test]
    fn next_contact_due_matches_overdue_contact() {
        let rules = FlagRules::default();
        let mut e = episode(&[]);
        e.contacts.push(contact("2026-01-10", ContactKind::Phone));
        let due = next_contact_due(&FlagContext::new(&e, &rules, date("2026-01-20")));
        assert_eq!(due, Some(date("2026-01-24")));
        for (day, overdue) in [("2026-01-24", false), ("2026-01-25", true)] {
            let flags = evaluate_flags(&e, &rules, date(day));
            assert_eq!(
                flags.iter().any(|f| f.kind == FlagKind::OverdueContact),
                overdue,
                "{day}"
            );
        }
        e.status = EpisodeStatus::Discharged;
        e.discharged_on = Some(date("2026-01-15"));
        assert_eq!(
            next_contact_due(&FlagContext::new(&e, &rules, date("2026-01-20"))),
            None
        );
    }

    proptest! {
        /// The due date and the flag agree on every day.
        #[test]
        fn next_contact_due_agrees_with_the_flag(
            contact_day in 0u64..200,
            as_of_day in 0u64..400,
        ) {
            let rules = FlagRules::default();
            let mut e = episode(&[]);
            e.contacts.push(contact(&add_days(date("2026-01-05"), contact_day).to_string(), ContactKind::Phone));
            let as_of = add_days(date("2026-01-05"), as_of_day);
            let cx = FlagContext::new(&e, &rules, as_of);
            let due = next_contact_due(&cx).expect("open episode");
            let flagged = overdue_contact(&cx).is_some();
            let last_contact_known = contact_day <= as_of_day;
            if last_contact_known {
                prop_assert_eq!(flagged, as_of > due);
            }
        }
    }
    use crate::domain::episode::{DischargeSetting, ReviewMark, SafetyConcern, Score};
    use chrono::NaiveDateTime;
    use proptest::prelude::*;

    fn run(rule: Rule, e: &EpisodeData, as_of: &str) -> Option<Flag> {
        let rules = FlagRules::default();
        rule(&FlagContext::new(e, &rules, date(as_of)))
    }

    fn explain(rule: Rule, e: &EpisodeData, as_of: &str) -> String {
        run(rule, e, as_of)
            .map(|f| f.explanation)
            .unwrap_or_default()
    }

    fn with_item9(mut e: EpisodeData, id: i64, on: &str, item9: Option<u8>) -> EpisodeData {
        e.scores.push(Score {
            item9,
            ..score(id, on, 12)
        });
        e
    }

    #[test]
    fn any_item9_answer_above_0_raises_a_safety_flag() {
        let e = with_item9(episode(&[]), 1, "2026-01-05", Some(1));
        assert_eq!(
            explain(safety, &e, "2026-01-06"),
            "PHQ-9 item 9 answered 1 (\u{201c}Several days\u{201d}) on 2026-01-05; \
             suicide-risk assessment needed"
        );
        let e = with_item9(episode(&[]), 1, "2026-01-05", Some(0));
        assert_eq!(run(safety, &e, "2026-01-06"), None);
    }

    #[test]
    fn only_the_latest_phq9_item9_counts_for_safety() {
        let e = with_item9(episode(&[]), 1, "2026-01-05", Some(2));
        let e = with_item9(e, 2, "2026-02-05", Some(0));
        assert_eq!(run(safety, &e, "2026-02-06"), None);
        assert!(
            run(safety, &e, "2026-02-04").is_some(),
            "replayed before the second score"
        );
    }

    #[test]
    fn a_total_only_phq9_carries_no_item9_alert() {
        let e = with_item9(episode(&[]), 1, "2026-01-05", None);
        assert_eq!(run(safety, &e, "2026-01-06"), None);
    }

    #[test]
    fn an_unresolved_safety_concern_raises_a_safety_flag_until_resolved() {
        let mut e = episode(&[]);
        e.safety_concerns.push(SafetyConcern {
            raised_on: date("2026-02-01"),
            resolved_on: Some(date("2026-02-10")),
            note: "passive ideation".into(),
        });
        assert_eq!(
            explain(safety, &e, "2026-02-05"),
            "Safety concern recorded 2026-02-01, not resolved: passive ideation"
        );
        assert_eq!(run(safety, &e, "2026-02-10"), None);
        assert_eq!(run(safety, &e, "2026-01-31"), None);
    }

    #[test]
    fn not_improving_after_11_weeks_explains_the_scores_and_target() {
        let e = episode(&[("2026-01-05", 18), ("2026-03-23", 14)]);
        assert_eq!(
            explain(not_improving, &e, "2026-03-23"),
            "PHQ-9 18 \u{2192} 14 (\u{2212}22%) after 11 weeks; target \u{2265}50% by week 10"
        );
    }

    #[test]
    fn not_improving_waits_until_week_10() {
        let e = episode(&[("2026-01-05", 18), ("2026-03-09", 14)]);
        assert_eq!(run(not_improving, &e, "2026-03-15"), None, "week 9");
        assert!(run(not_improving, &e, "2026-03-16").is_some(), "week 10");
    }

    #[test]
    fn a_patient_with_only_a_baseline_counts_as_not_improving() {
        let e = episode(&[("2026-01-05", 18)]);
        assert_eq!(
            explain(not_improving, &e, "2026-03-16"),
            "PHQ-9 baseline 18 on 2026-01-05, no follow-up score after 10 weeks; \
             target \u{2265}50% by week 10"
        );
    }

    #[test]
    fn a_responder_or_remitter_is_not_flagged_as_not_improving() {
        let e = episode(&[("2026-01-05", 18), ("2026-03-16", 9)]);
        assert_eq!(run(not_improving, &e, "2026-04-01"), None);
        let e = episode(&[("2026-01-05", 6), ("2026-03-16", 4)]);
        assert_eq!(run(not_improving, &e, "2026-04-01"), None);
    }

    #[test]
    fn the_not_improving_clock_restarts_at_a_treatment_change() {
        let mut e = episode(&[("2026-01-05", 18), ("2026-03-23", 14)]);
        e.treatment_changes.push(date("2026-03-02"));
        assert_eq!(run(not_improving, &e, "2026-04-01"), None);
        assert_eq!(
            explain(not_improving, &e, "2026-05-11"),
            "PHQ-9 18 \u{2192} 14 (\u{2212}22%) after 10 weeks on the current plan \
             (changed 2026-03-02); target \u{2265}50% by week 10"
        );
    }

    #[test]
    fn a_rise_of_5_points_above_the_lowest_earlier_score_is_worsening() {
        let e = episode(&[("2026-01-05", 18), ("2026-02-02", 10), ("2026-03-02", 15)]);
        assert_eq!(
            explain(worsening, &e, "2026-03-02"),
            "PHQ-9 15 on 2026-03-02, up 5 from a low of 10 on 2026-02-02; threshold +5"
        );
        let e = episode(&[("2026-01-05", 18), ("2026-02-02", 10), ("2026-03-02", 14)]);
        assert_eq!(run(worsening, &e, "2026-03-02"), None);
    }

    #[test]
    fn a_single_score_cannot_be_worsening() {
        assert_eq!(
            run(worsening, &episode(&[("2026-01-05", 27)]), "2026-03-02"),
            None
        );
    }

    #[test]
    fn a_new_patient_without_a_psychiatric_review_is_flagged_no_consult_from_day_0() {
        let mut e = episode(&[]);
        assert_eq!(
            explain(no_consult, &e, "2026-01-05"),
            "No psychiatric case review since enrollment on 2026-01-05 (0 days)"
        );
        e.psychiatric_reviews.push(date("2026-01-12"));
        assert!(run(no_consult, &e, "2026-01-11").is_some());
        assert_eq!(run(no_consult, &e, "2026-01-12"), None);
    }

    #[test]
    fn contact_is_overdue_after_more_than_14_days_in_the_first_12_weeks() {
        let mut e = episode(&[]);
        e.contacts.push(contact("2026-02-01", ContactKind::Phone));
        assert_eq!(
            run(overdue_contact, &e, "2026-02-15"),
            None,
            "14 days is not > 14"
        );
        assert_eq!(
            explain(overdue_contact, &e, "2026-02-16"),
            "15 days since the last completed contact on 2026-02-01; limit 14 days in the first 12 weeks"
        );
    }

    #[test]
    fn after_week_12_and_in_relapse_prevention_the_contact_limit_is_30_days() {
        let mut e = episode(&[]);
        e.contacts.push(contact("2026-04-01", ContactKind::Phone));
        assert_eq!(run(overdue_contact, &e, "2026-05-01"), None);
        assert_eq!(
            explain(overdue_contact, &e, "2026-05-02"),
            "31 days since the last completed contact on 2026-04-01; limit 30 days after week 12"
        );
        e.status = EpisodeStatus::RelapsePrevention;
        e.contacts = vec![contact("2026-01-20", ContactKind::Phone)];
        assert_eq!(run(overdue_contact, &e, "2026-02-10"), None);
        assert!(explain(overdue_contact, &e, "2026-02-20").ends_with("in relapse prevention"));
    }

    #[test]
    fn no_shows_do_not_count_as_contact_but_are_shown() {
        let mut e = episode(&[]);
        e.contacts = vec![
            contact("2026-01-05", ContactKind::InPerson),
            contact("2026-01-12", ContactKind::NoShow),
            contact("2026-01-19", ContactKind::AttemptNoAnswer),
            contact("2026-01-20", ContactKind::NoShow),
        ];
        assert_eq!(
            explain(overdue_contact, &e, "2026-01-25"),
            "20 days since the last completed contact on 2026-01-05; limit 14 days in the \
             first 12 weeks; 2 no-shows since"
        );
    }

    #[test]
    fn with_no_contact_the_overdue_clock_starts_at_enrollment() {
        let e = episode(&[]);
        assert_eq!(
            explain(overdue_contact, &e, "2026-01-20"),
            "15 days since enrollment on 2026-01-05 with no completed contact; limit 14 days \
             in the first 12 weeks"
        );
    }

    fn discharged(e: &mut EpisodeData, at: &str) {
        e.hospital_discharges.push(HospitalDischarge {
            at: NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").expect("time"),
            setting: DischargeSetting::EmergencyDepartment,
        });
    }

    #[test]
    fn a_discharge_without_contact_says_whether_the_72_hour_mark_is_past() {
        let mut e = episode(&[]);
        discharged(&mut e, "2026-03-03 14:00");
        assert_eq!(
            explain(post_discharge_followup, &e, "2026-03-04"),
            "ED discharge 2026-03-03 14:00 with no completed contact since; contact due by \
             2026-03-06 14:00 (72 h)"
        );
        assert!(explain(post_discharge_followup, &e, "2026-03-06")
            .ends_with("72 h mark is today, 2026-03-06 14:00"));
        assert!(explain(post_discharge_followup, &e, "2026-03-07")
            .ends_with("72 h mark passed 2026-03-06 14:00"));
        assert_eq!(
            run(post_discharge_followup, &e, "2026-03-02"),
            None,
            "before it"
        );
    }

    #[test]
    fn the_post_discharge_flag_clears_on_contact_or_after_30_days() {
        let mut e = episode(&[]);
        discharged(&mut e, "2026-03-03 14:00");
        assert!(run(post_discharge_followup, &e, "2026-04-01").is_some());
        assert_eq!(
            run(post_discharge_followup, &e, "2026-04-02"),
            None,
            "30 days"
        );
        assert_eq!(
            post_discharge_clears_on(&e.hospital_discharges[0], &FlagRules::default()),
            date("2026-04-02")
        );
        e.contacts
            .push(contact("2026-03-05", ContactKind::AttemptNoAnswer));
        assert!(run(post_discharge_followup, &e, "2026-03-06").is_some());
        e.contacts.push(contact("2026-03-05", ContactKind::Phone));
        assert_eq!(run(post_discharge_followup, &e, "2026-03-06"), None);
    }

    #[test]
    fn a_manual_mark_shows_its_reason_and_clears_when_the_patient_is_reviewed() {
        let mut e = episode(&[]);
        e.review_mark = Some(ReviewMark {
            marked_on: date("2026-02-03"),
            reason: "side effects on sertraline".into(),
        });
        e.psychiatric_reviews.push(date("2026-01-10"));
        assert_eq!(
            explain(manual, &e, "2026-02-04"),
            "Marked for discussion on 2026-02-03: side effects on sertraline"
        );
        e.psychiatric_reviews.push(date("2026-02-10"));
        assert!(run(manual, &e, "2026-02-09").is_some());
        assert_eq!(run(manual, &e, "2026-02-10"), None);
    }

    #[test]
    fn discharged_episodes_raise_no_flags() {
        let mut e = with_item9(episode(&[("2026-01-05", 20)]), 9, "2026-01-05", Some(3));
        e.review_mark = Some(ReviewMark {
            marked_on: date("2026-01-06"),
            reason: "x".into(),
        });
        discharged(&mut e, "2026-05-01 10:00");
        let rules = FlagRules::default();
        assert_eq!(evaluate_flags(&e, &rules, date("2026-05-02")).len(), 6);
        e.status = EpisodeStatus::Discharged;
        e.discharged_on = Some(date("2026-05-02"));
        assert!(evaluate_flags(&e, &rules, date("2026-05-02")).is_empty());
    }

    #[test]
    fn evaluate_flags_returns_them_in_priority_order() {
        let e = with_item9(episode(&[("2026-01-05", 20)]), 9, "2026-01-05", Some(3));
        let kinds: Vec<_> = evaluate_flags(&e, &FlagRules::default(), date("2026-04-01"))
            .into_iter()
            .map(|f| f.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                FlagKind::Safety,
                FlagKind::NotImproving,
                FlagKind::NoConsult,
                FlagKind::OverdueContact
            ]
        );
    }

    #[test]
    fn by_default_work_items_do_not_put_a_patient_on_the_review_list() {
        let rules = FlagRules::default();
        for kind in FlagKind::ALL {
            let work_item = matches!(
                kind,
                FlagKind::OverdueContact | FlagKind::PostDischargeFollowup
            );
            assert_eq!(rules.puts_on_review_list(kind), !work_item, "{kind:?}");
        }
    }

    #[test]
    fn flag_kind_codes_round_trip() {
        for k in FlagKind::ALL {
            assert_eq!(FlagKind::from_code(k.code()), Some(k));
        }
    }

    proptest! {
        #[test]
        fn no_input_makes_a_rule_panic(
            scores in proptest::collection::vec((0u64..400, 0u8..=255, proptest::option::of(0u8..=9)), 0..10),
            contacts in proptest::collection::vec((0u64..400, 0usize..7), 0..6),
            as_of in 0u64..500,
        ) {
            let mut e = episode(&[]);
            for (id, (day, total, item9)) in (1..).zip(scores) {
                e.scores.push(Score { taken_on: add_days(e.enrolled_on, day), item9, ..score(id, "2026-01-05", total) });
            }
            for (day, kind) in contacts {
                let kind = ContactKind::ALL.get(kind).copied().unwrap_or(ContactKind::Phone);
                e.contacts.push(contact("2026-01-05", kind));
                if let Some(c) = e.contacts.last_mut() { c.on = add_days(e.enrolled_on, day); }
            }
            discharged(&mut e, "2026-02-01 23:59");
            let flags = evaluate_flags(&e, &FlagRules::default(), add_days(e.enrolled_on, as_of));
            prop_assert!(flags.windows(2).all(|w| w[0].kind < w[1].kind));
        }
    }

    #[test]
    fn the_default_flag_rules_are_valid() {
        assert_eq!(FlagRules::default().validate(), Ok(()));
    }

    #[test]
    fn out_of_range_settings_are_all_reported_by_field() {
        let rules = FlagRules {
            item9_threshold: 0,
            not_improving_weeks: 100,
            review_kinds: vec![FlagKind::NotImproving],
            ..FlagRules::default()
        };
        let errors = rules.validate().expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["item9_threshold", "not_improving_weeks", "review_kinds"]
        );
    }
}
