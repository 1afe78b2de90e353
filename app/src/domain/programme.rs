//! Programme measures a clinic lead watches beside the outcomes of [`super::outcomes`]: how often
//! patients are contacted, whether new patients reach the psychiatric review in time, the caseload
//! against its target, and the headline numbers of a period with their trend.
//!
//! Choices (DOMAIN.md names these measures in the issue but does not define them; each is listed
//! in `docs/DOMAIN-NOTES.md`):
//! - a *contact* is a completed contact ([`ContactKind::is_completed`]) by anyone, psychiatric
//!   consultations included; attempts and no-shows are not contacts;
//! - a patient is *active in a month* when the episode is open on at least one day of it;
//! - the psychiatric review "within 8 weeks" means a case review or consultation dated no later
//!   than 56 days after enrollment.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::billing::YearMonth;
use super::episode::{
    add_days, days_between, is_remission, is_response, weeks_between, EpisodeData,
};
use super::instrument::Instrument;
use super::outcomes::{quantile, rate};
use super::quality::DateRange;
use crate::model::{EpisodeId, EpisodeStatus};

/// Below this many patients a rate is marked "small numbers" on every chart and table.
pub const SMALL_COUNT: usize = 10;

/// Whether a denominator is too small for its rate to mean much.
pub fn is_small(n: usize) -> bool {
    n < SMALL_COUNT
}

/// A calendar quarter, the unit of the enrollment cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub quarter: u32,
}

impl Quarter {
    pub fn of(date: NaiveDate) -> Self {
        Quarter {
            year: date.year(),
            quarter: date.month0() / 3 + 1,
        }
    }

    /// "2026 Q1".
    pub fn label(self) -> String {
        format!("{} Q{}", self.year, self.quarter)
    }
}

/// The first day of a month, and the last.
pub fn month_bounds(month: YearMonth) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).unwrap_or(NaiveDate::MIN);
    let next = next_month(month);
    let last = NaiveDate::from_ymd_opt(next.year(), next.month(), 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX);
    (first, last)
}

/// The month after `month`.
pub fn next_month(month: YearMonth) -> YearMonth {
    let (y, m) = if month.month() == 12 {
        (month.year() + 1, 1)
    } else {
        (month.year(), month.month() + 1)
    };
    YearMonth::new(y, m).unwrap_or(month)
}

/// The calendar months from the one holding `from` to the one holding `to`, at most `limit`
/// (the latest kept).
pub fn months_between(from: NaiveDate, to: NaiveDate, limit: usize) -> Vec<YearMonth> {
    let mut months = Vec::new();
    let mut m = YearMonth::of(from);
    let last = YearMonth::of(to);
    while m <= last {
        months.push(m);
        let next = next_month(m);
        if next == m {
            break;
        }
        m = next;
    }
    let skip = months.len().saturating_sub(limit);
    months.split_off(skip)
}

/// Whether the episode was open on at least one day of `range`.
pub fn open_during(e: &EpisodeData, range: DateRange) -> bool {
    e.enrolled_on <= range.end()
        && match e.discharged_on {
            Some(d) => d >= range.start(),
            None => e.status != EpisodeStatus::Discharged,
        }
}

/// Contacts per active patient in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthContacts {
    pub month: YearMonth,
    /// Episodes open on at least one day of the month.
    pub active: usize,
    /// Completed contacts in the month with those episodes.
    pub contacts: usize,
    /// contacts / active.
    pub per_patient: Option<f64>,
}

/// The contact rate by calendar month: completed contacts per patient active in the month.
/// Months after `as_of` are not reported; the month of `as_of` counts up to that day.
pub fn contact_rate_by_month(
    episodes: &[EpisodeData],
    months: &[YearMonth],
    as_of: NaiveDate,
) -> Vec<MonthContacts> {
    months
        .iter()
        .filter_map(|&month| {
            let (first, last) = month_bounds(month);
            let range = DateRange::new(first, last.min(as_of))?;
            let active: Vec<&EpisodeData> =
                episodes.iter().filter(|e| open_during(e, range)).collect();
            let contacts = active
                .iter()
                .flat_map(|e| e.contacts.iter())
                .filter(|c| c.kind.is_completed() && range.contains(c.on))
                .count();
            Some(MonthContacts {
                month,
                active: active.len(),
                contacts,
                per_patient: (!active.is_empty()).then(|| contacts as f64 / active.len() as f64),
            })
        })
        .collect()
}

/// Days after enrollment by which a new patient should have had a psychiatric review.
pub const REVIEW_WITHIN_DAYS: i64 = 56;

/// The share of patients with a psychiatric review within 8 weeks of enrollment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewTimeliness {
    /// Episodes enrolled at least 8 weeks before `as_of`, or reviewed already: the denominator.
    pub eligible: Vec<EpisodeId>,
    /// Reviewed within 56 days of enrollment.
    pub reviewed: Vec<EpisodeId>,
    /// Enrolled less than 8 weeks ago and not reviewed yet: not counted either way.
    pub pending: Vec<EpisodeId>,
    pub rate: Option<f64>,
}

/// Psychiatric review within 8 weeks of enrollment (case reviews and consultations count).
pub fn reviewed_within_8_weeks(episodes: &[EpisodeData], as_of: NaiveDate) -> ReviewTimeliness {
    let mut out = ReviewTimeliness {
        eligible: Vec::new(),
        reviewed: Vec::new(),
        pending: Vec::new(),
        rate: None,
    };
    for e in episodes.iter().filter(|e| e.enrolled_on <= as_of) {
        let in_time = e.psychiatric_reviews.iter().any(|d| {
            *d <= as_of && (0..=REVIEW_WITHIN_DAYS).contains(&days_between(e.enrolled_on, *d))
        });
        if in_time {
            out.eligible.push(e.episode_id);
            out.reviewed.push(e.episode_id);
        } else if days_between(e.enrolled_on, as_of) > REVIEW_WITHIN_DAYS {
            out.eligible.push(e.episode_id);
        } else {
            out.pending.push(e.episode_id);
        }
    }
    out.rate = rate(out.reviewed.len(), out.eligible.len());
    out
}

/// The headline numbers of one period (normally the last 90 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodSummary {
    pub range: DateRange,
    /// Episodes enrolled in the period.
    pub enrolled: usize,
    /// Episodes open on the last day of the period.
    pub active: usize,
    /// Episodes with a PHQ-9 baseline above 0 and a follow-up PHQ-9 in the period.
    pub followed: usize,
    /// Of those, the last follow-up in the period is at most half the baseline.
    pub responders: usize,
    /// Of those, the last follow-up in the period is below 5.
    pub remitters: usize,
    pub response_rate: Option<f64>,
    pub remission_rate: Option<f64>,
    /// Median weeks from enrollment to the first response, over first responses dated in the
    /// period.
    pub median_weeks_to_response: Option<f64>,
    /// Episodes open at some time in the period and enrolled at least 8 weeks before its end.
    pub review_eligible: usize,
    /// Of those, the share with a psychiatric review by the end of the period.
    pub reviewed: usize,
    pub share_reviewed: Option<f64>,
}

/// The headline numbers of `range`, read from the PHQ-9 scores, reviews and episode dates.
pub fn period_summary(episodes: &[EpisodeData], range: DateRange) -> PeriodSummary {
    let end = range.end();
    let mut s = PeriodSummary {
        range,
        enrolled: 0,
        active: 0,
        followed: 0,
        responders: 0,
        remitters: 0,
        response_rate: None,
        remission_rate: None,
        median_weeks_to_response: None,
        review_eligible: 0,
        reviewed: 0,
        share_reviewed: None,
    };
    let mut weeks_to_response = Vec::new();
    for e in episodes {
        if range.contains(e.enrolled_on) {
            s.enrolled += 1;
        }
        if e.is_open_on(end) {
            s.active += 1;
        }
        if !open_during(e, range) {
            continue;
        }
        let course = e.course(Instrument::Phq9, end);
        if let Some(baseline) = course.baseline().filter(|b| b.total > 0) {
            if let Some(last) = course
                .follow_ups()
                .filter(|f| range.contains(f.taken_on))
                .last()
            {
                s.followed += 1;
                s.responders += usize::from(is_response(baseline.total, last.total));
                s.remitters += usize::from(is_remission(last.total));
            }
            if let Some(first) = course
                .first_response()
                .filter(|f| range.contains(f.taken_on))
            {
                weeks_to_response.push(weeks_between(e.enrolled_on, first.taken_on) as f64);
            }
        }
        if add_days(e.enrolled_on, REVIEW_WITHIN_DAYS.unsigned_abs()) <= end {
            s.review_eligible += 1;
            if e.psychiatric_reviews.iter().any(|d| *d <= end) {
                s.reviewed += 1;
            }
        }
    }
    weeks_to_response.sort_by(f64::total_cmp);
    s.median_weeks_to_response =
        (!weeks_to_response.is_empty()).then(|| quantile(&weeks_to_response, 0.5));
    s.response_rate = rate(s.responders, s.followed);
    s.remission_rate = rate(s.remitters, s.followed);
    s.share_reviewed = rate(s.reviewed, s.review_eligible);
    s
}

/// The period of `days` days ending on `end`, and the one just before it.
pub fn period_and_previous(end: NaiveDate, days: u64) -> Option<(DateRange, DateRange)> {
    let span = i64::try_from(days).ok()?.checked_sub(1)?;
    let start = end.checked_sub_signed(chrono::Duration::days(span))?;
    let prev_end = start.pred_opt()?;
    let prev_start = prev_end.checked_sub_signed(chrono::Duration::days(span))?;
    Some((
        DateRange::new(start, end)?,
        DateRange::new(prev_start, prev_end)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{contact, date, episode};
    use crate::domain::episode::ContactKind;
    use proptest::prelude::*;

    fn with_id(mut e: EpisodeData, id: i64) -> EpisodeData {
        e.episode_id = EpisodeId(id);
        e
    }

    #[test]
    fn quarters_are_labelled_by_year_and_number() {
        assert_eq!(Quarter::of(date("2026-03-31")).label(), "2026 Q1");
        assert_eq!(Quarter::of(date("2026-04-01")).label(), "2026 Q2");
        assert_eq!(Quarter::of(date("2026-12-31")).label(), "2026 Q4");
    }

    #[test]
    fn months_between_cover_both_ends_and_keep_the_latest() {
        let m = months_between(date("2025-11-15"), date("2026-02-01"), 24);
        let labels: Vec<String> = m.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(
            months_between(date("2025-11-15"), date("2026-02-01"), 2).len(),
            2
        );
        assert_eq!(month_bounds(m[3]).1, date("2026-02-28"));
    }

    #[test]
    fn the_contact_rate_counts_completed_contacts_per_patient_active_in_the_month() {
        let mut a = with_id(episode(&[]), 1);
        a.record_contact(contact("2026-01-10", ContactKind::Phone));
        a.record_contact(contact("2026-01-20", ContactKind::NoShow));
        a.record_contact(contact("2026-02-03", ContactKind::Video));
        let mut b = with_id(episode(&[]), 2);
        b.enrolled_on = date("2026-01-25");
        b.record_contact(contact("2026-01-26", ContactKind::InPerson));
        let months = months_between(date("2026-01-01"), date("2026-02-10"), 12);
        let r = contact_rate_by_month(&[a, b], &months, date("2026-02-10"));
        assert_eq!(
            (r[0].active, r[0].contacts, r[0].per_patient),
            (2, 2, Some(1.0))
        );
        assert_eq!(
            (r[1].active, r[1].contacts, r[1].per_patient),
            (2, 1, Some(0.5))
        );
    }

    #[test]
    fn a_review_on_day_56_is_in_time_and_one_on_day_57_is_not() {
        let mut on_time = with_id(episode(&[]), 1);
        on_time
            .psychiatric_reviews
            .push(add_days(on_time.enrolled_on, 56));
        let mut late = with_id(episode(&[]), 2);
        late.psychiatric_reviews
            .push(add_days(late.enrolled_on, 57));
        let mut recent = with_id(episode(&[]), 3);
        recent.enrolled_on = date("2026-05-20");
        let r = reviewed_within_8_weeks(&[on_time, late, recent], date("2026-06-01"));
        assert_eq!(r.reviewed, [EpisodeId(1)]);
        assert_eq!(r.eligible, [EpisodeId(1), EpisodeId(2)]);
        assert_eq!(r.pending, [EpisodeId(3)]);
        assert_eq!(r.rate, Some(0.5));
    }

    #[test]
    fn the_period_summary_reads_the_last_follow_up_in_the_period() {
        // Enrolled 2026-01-05 (the helper's default).
        let responder = with_id(episode(&[("2026-01-05", 20), ("2026-03-02", 8)]), 1);
        let remitter = with_id(
            episode(&[("2026-01-05", 12), ("2026-02-02", 10), ("2026-03-16", 3)]),
            2,
        );
        let not_followed = with_id(episode(&[("2026-01-05", 15)]), 3);
        let range = DateRange::new(date("2026-02-15"), date("2026-03-31")).expect("range");
        let s = period_summary(&[responder, remitter, not_followed], range);
        assert_eq!((s.enrolled, s.active, s.followed), (0, 3, 2));
        assert_eq!((s.responders, s.remitters), (2, 1));
        assert_eq!(s.response_rate, Some(1.0));
        assert_eq!(s.remission_rate, Some(0.5));
        // First responses: week 8 (2026-03-02) and week 10 (2026-03-16).
        assert_eq!(s.median_weeks_to_response, Some(9.0));
        assert_eq!(
            (s.review_eligible, s.reviewed, s.share_reviewed),
            (3, 0, Some(0.0))
        );
    }

    #[test]
    fn the_previous_period_ends_the_day_before_the_current_one_starts() {
        let (now, before) = period_and_previous(date("2026-11-23"), 90).expect("periods");
        assert_eq!(now.start(), date("2026-08-26"));
        assert_eq!(before.end(), date("2026-08-25"));
        assert_eq!(days_between(before.start(), before.end()), 89);
    }

    proptest! {
        #[test]
        fn rates_stay_between_0_and_1(
            reviews in proptest::collection::vec(0u64..200, 0..6),
            enrolled in 0u64..400,
        ) {
            let mut e = episode(&[]);
            e.enrolled_on = add_days(date("2025-01-01"), enrolled);
            e.psychiatric_reviews = reviews.iter().map(|d| add_days(e.enrolled_on, *d)).collect();
            let r = reviewed_within_8_weeks(&[e], date("2026-03-01"));
            prop_assert!(r.rate.is_none_or(|v| (0.0..=1.0).contains(&v)));
            prop_assert_eq!(r.eligible.len() + r.pending.len(), 1);
            prop_assert!(r.reviewed.len() <= r.eligible.len());
        }
    }
}
