//! Programme outcomes over a population of episodes (DOMAIN.md §2 definitions, issue 4 §6):
//! response and remission in a week window, scores by week in treatment, the distribution of %
//! change, and time to response.
//!
//! Every function takes the instrument to report on (normally the PHQ-9) and evaluates each
//! episode's scores of that instrument up to `as_of`, with the episode definitions of
//! [`super::episode`]: the baseline is the first score, follow-ups are dated after its day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::episode::{
    add_days, is_remission, is_response, percent_change, weeks_between, EpisodeData, Score,
};
use super::instrument::Instrument;
use crate::model::EpisodeId;

/// Weeks in treatment `center ± half_width`, inclusive: 12 ± 4 is weeks 8 to 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekWindow {
    pub center: u32,
    pub half_width: u32,
}

impl WeekWindow {
    pub const WEEK_12: WeekWindow = WeekWindow {
        center: 12,
        half_width: 4,
    };
    pub const WEEK_24: WeekWindow = WeekWindow {
        center: 24,
        half_width: 4,
    };

    pub fn first_week(self) -> i64 {
        i64::from(self.center.saturating_sub(self.half_width))
    }

    pub fn last_week(self) -> i64 {
        i64::from(self.center) + i64::from(self.half_width)
    }

    pub fn contains(self, week: i64) -> bool {
        (self.first_week()..=self.last_week()).contains(&week)
    }
}

/// Response and remission of the episodes measured in a week window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowOutcomes {
    pub window: WeekWindow,
    pub instrument: Instrument,
    /// Episodes with a baseline and a follow-up score in the window: the denominator.
    pub measured: Vec<EpisodeId>,
    /// The last score in the window is ≤ 50% of the baseline.
    pub responders: Vec<EpisodeId>,
    /// The last score in the window is < 5.
    pub remitters: Vec<EpisodeId>,
    /// The window has passed (or the episode ended) without a score in it.
    pub not_measured: Vec<EpisodeId>,
    /// The window is still open and has no score yet.
    pub pending: Vec<EpisodeId>,
    pub response_rate: Option<f64>,
    pub remission_rate: Option<f64>,
}

/// The share `part / whole`, or `None` for an empty whole.
pub fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The day after which an episode can have no more scores: `as_of`, or the discharge if earlier.
fn end_of_follow_up(episode: &EpisodeData, as_of: NaiveDate) -> NaiveDate {
    episode.discharged_on.map_or(as_of, |d| d.min(as_of))
}

/// Response and remission at a week window (e.g. 12 ± 4 weeks): for each episode, the last
/// follow-up score whose week in treatment falls in the window is compared with the baseline.
/// Episodes without a baseline of `instrument` are left out.
pub fn outcomes_in_window(
    episodes: &[EpisodeData],
    instrument: Instrument,
    window: WeekWindow,
    as_of: NaiveDate,
) -> WindowOutcomes {
    let mut out = WindowOutcomes {
        window,
        instrument,
        measured: Vec::new(),
        responders: Vec::new(),
        remitters: Vec::new(),
        not_measured: Vec::new(),
        pending: Vec::new(),
        response_rate: None,
        remission_rate: None,
    };
    for e in episodes {
        let end = end_of_follow_up(e, as_of);
        let course = e.course(instrument, end);
        let Some(baseline) = course.baseline() else {
            continue;
        };
        let in_window = course
            .follow_ups()
            .filter(|s| window.contains(weeks_between(e.enrolled_on, s.taken_on)))
            .last();
        let id = e.episode_id;
        match in_window {
            Some(s) => {
                out.measured.push(id);
                if is_response(baseline.total, s.total) {
                    out.responders.push(id);
                }
                if is_remission(s.total) {
                    out.remitters.push(id);
                }
            }
            None => {
                let window_end =
                    add_days(e.enrolled_on, (window.last_week().unsigned_abs() + 1) * 7);
                let closed = end >= window_end || end < as_of;
                if closed {
                    out.not_measured.push(id);
                } else {
                    out.pending.push(id);
                }
            }
        }
    }
    out.response_rate = rate(out.responders.len(), out.measured.len());
    out.remission_rate = rate(out.remitters.len(), out.measured.len());
    out
}

/// The longest span, in weeks, that the by-week reports cover (10 years); larger requests are cut
/// to it so that no input can make a report allocate without bound.
pub const MAX_REPORT_WEEKS: u32 = 520;

/// Summary of the scores in one week in treatment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekStats {
    pub week: i64,
    /// Episodes with a score that week (each counted once, with its last score of the week).
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation; `None` below two scores.
    pub sd: Option<f64>,
    /// Normal-approximation 95% confidence interval of the mean, mean ± 1.96·sd/√n.
    pub ci95: Option<(f64, f64)>,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
}

/// Mean score by week in treatment, weeks 0 to `max_week` (at most [`MAX_REPORT_WEEKS`]), with counts and bands. Weeks without
/// a score are left out. Scores dated before enrollment count in week 0.
pub fn scores_by_week(
    episodes: &[EpisodeData],
    instrument: Instrument,
    as_of: NaiveDate,
    max_week: u32,
) -> Vec<WeekStats> {
    let weeks = usize::try_from(max_week.min(MAX_REPORT_WEEKS)).unwrap_or(0) + 1;
    let mut by_week: Vec<Vec<f64>> = vec![Vec::new(); weeks];
    for e in episodes {
        let course = e.course(instrument, as_of);
        let mut last_week: Option<(usize, &Score)> = None;
        for s in course.scores() {
            let week = usize::try_from(weeks_between(e.enrolled_on, s.taken_on)).unwrap_or(0);
            if let Some((w, prev)) = last_week.filter(|(w, _)| *w != week) {
                push_week(&mut by_week, w, prev);
            }
            last_week = Some((week, s));
        }
        if let Some((w, s)) = last_week {
            push_week(&mut by_week, w, s);
        }
    }
    by_week
        .into_iter()
        .zip(0i64..)
        .filter_map(|(values, week)| summarize(week, values))
        .collect()
}

fn push_week(by_week: &mut [Vec<f64>], week: usize, s: &Score) {
    if let Some(v) = by_week.get_mut(week) {
        v.push(f64::from(s.total));
    }
}

fn summarize(week: i64, mut values: Vec<f64>) -> Option<WeekStats> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let sd = (n >= 2).then(|| {
        let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        (ss / (nf - 1.0)).sqrt()
    });
    let ci95 = sd.map(|sd| {
        let half = 1.96 * sd / nf.sqrt();
        (mean - half, mean + half)
    });
    Some(WeekStats {
        week,
        n,
        mean,
        sd,
        ci95,
        q1: quantile(&values, 0.25),
        median: quantile(&values, 0.5),
        q3: quantile(&values, 0.75),
    })
}

/// Linear-interpolation quantile (R type 7) of sorted values; 0 for an empty slice.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let pos = q.clamp(0.0, 1.0) * last as f64;
    let lo = pos.floor() as usize;
    let frac = pos - pos.floor();
    let at = |i: usize| sorted.get(i.min(last)).copied().unwrap_or(0.0);
    at(lo) + (at(lo + 1) - at(lo)) * frac
}

/// One bar of the % change histogram: `above < change ≤ up_to`, with open ends as `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeBin {
    pub label: String,
    pub above: Option<f64>,
    pub up_to: Option<f64>,
    pub count: usize,
}

/// The distribution of % change from baseline to the latest follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeDistribution {
    /// Each episode's % change, in ascending order (most improved first).
    pub changes: Vec<(EpisodeId, f64)>,
    pub bins: Vec<ChangeBin>,
    pub median: Option<f64>,
    /// Episodes with a baseline whose % change is undefined: no follow-up, or a baseline of 0.
    pub undefined: Vec<EpisodeId>,
}

/// Histogram edges in %. Bins close on the right so that exactly −50% (a response) falls in the
/// "−75% to −50%" bar.
pub const CHANGE_BIN_EDGES: [f64; 6] = [-75.0, -50.0, -25.0, 0.0, 25.0, 50.0];

/// The distribution of % change over a population.
pub fn percent_change_distribution(
    episodes: &[EpisodeData],
    instrument: Instrument,
    as_of: NaiveDate,
) -> ChangeDistribution {
    let mut changes = Vec::new();
    let mut undefined = Vec::new();
    for e in episodes {
        let course = e.course(instrument, as_of);
        let Some(baseline) = course.baseline() else {
            continue;
        };
        let change = course
            .follow_ups()
            .last()
            .and_then(|l| percent_change(baseline.total, l.total));
        match change {
            Some(p) => changes.push((e.episode_id, p)),
            None => undefined.push(e.episode_id),
        }
    }
    changes.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let values: Vec<f64> = changes.iter().map(|c| c.1).collect();
    let bins = change_bins(&values);
    ChangeDistribution {
        median: (!values.is_empty()).then(|| quantile(&values, 0.5)),
        changes,
        bins,
        undefined,
    }
}

fn change_bins(values: &[f64]) -> Vec<ChangeBin> {
    let pct = |v: f64| super::episode::format_percent(v);
    let lowers = std::iter::once(None).chain(CHANGE_BIN_EDGES.iter().copied().map(Some));
    let uppers = CHANGE_BIN_EDGES
        .iter()
        .copied()
        .map(Some)
        .chain(std::iter::once(None));
    lowers
        .zip(uppers)
        .map(|(above, up_to)| {
            let label = match (above, up_to) {
                (None, Some(u)) => format!("\u{2264} {}", pct(u)),
                (Some(a), Some(u)) => format!("{} to {}", pct(a), pct(u)),
                (Some(a), None) => format!("> {}", pct(a)),
                (None, None) => String::new(),
            };
            let count = values
                .iter()
                .filter(|v| above.is_none_or(|a| **v > a) && up_to.is_none_or(|u| **v <= u))
                .count();
            ChangeBin {
                label,
                above,
                up_to,
                count,
            }
        })
        .collect()
}

/// One week of the time-to-response curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponsePoint {
    pub week: i64,
    /// Episodes still followed and not yet responded at the start of the week.
    pub at_risk: usize,
    /// First responses in this week.
    pub responded: usize,
    /// First responses up to and including this week.
    pub cumulative: usize,
    /// The cumulative share responded by the end of this week (Kaplan–Meier, 1 − S(week)).
    pub share: f64,
}

/// Time to response: the cumulative share of episodes with a first response by each week,
/// weeks 0 to `max_week` (at most [`MAX_REPORT_WEEKS`]). Choice: a Kaplan–Meier estimate, so that episodes enrolled recently or
/// discharged early (censored at `as_of` or discharge) do not count as non-responders. Only
/// episodes with a baseline above 0 are included.
pub fn time_to_response(
    episodes: &[EpisodeData],
    instrument: Instrument,
    as_of: NaiveDate,
    max_week: u32,
) -> Vec<ResponsePoint> {
    // (week of first response, week followed up to)
    let followed: Vec<(Option<i64>, i64)> = episodes
        .iter()
        .filter_map(|e| {
            let end = end_of_follow_up(e, as_of);
            let course = e.course(instrument, end);
            course.baseline().filter(|b| b.total > 0)?;
            let censor = weeks_between(e.enrolled_on, end);
            let event = course
                .first_response()
                .map(|s| weeks_between(e.enrolled_on, s.taken_on))
                .filter(|w| *w <= censor);
            Some((event, censor))
        })
        .collect();
    let mut survival = 1.0;
    let mut cumulative = 0;
    (0..=i64::from(max_week.min(MAX_REPORT_WEEKS)))
        .map(|week| {
            let at_risk = followed
                .iter()
                .filter(|(event, censor)| event.map_or(*censor >= week, |w| w >= week))
                .count();
            let responded = followed.iter().filter(|(e, _)| *e == Some(week)).count();
            if at_risk > 0 {
                survival *= 1.0 - responded as f64 / at_risk as f64;
            }
            cumulative += responded;
            ResponsePoint {
                week,
                at_risk,
                responded,
                cumulative,
                share: 1.0 - survival,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{date, episode};
    use crate::model::EpisodeStatus;

    fn with_id(mut e: EpisodeData, id: i64) -> EpisodeData {
        e.episode_id = EpisodeId(id);
        e
    }

    fn population() -> Vec<EpisodeData> {
        vec![
            // Responds and remits by week 12.
            with_id(episode(&[("2026-01-05", 20), ("2026-03-30", 4)]), 1),
            // Exactly 50% at week 10: a response, not remission.
            with_id(episode(&[("2026-01-05", 18), ("2026-03-16", 9)]), 2),
            // Not improved at week 16; a later score outside the window is ignored.
            with_id(
                episode(&[("2026-01-05", 16), ("2026-04-27", 14), ("2026-05-04", 2)]),
                3,
            ),
            // Only measured at week 4.
            with_id(episode(&[("2026-01-05", 16), ("2026-02-02", 14)]), 4),
            // No baseline at all.
            with_id(episode(&[]), 5),
        ]
    }

    #[test]
    fn response_and_remission_at_12_plus_or_minus_4_weeks_use_the_last_score_in_the_window() {
        let o = outcomes_in_window(
            &population(),
            Instrument::Phq9,
            WeekWindow::WEEK_12,
            date("2026-06-01"),
        );
        let ids = |v: &[EpisodeId]| v.iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(ids(&o.measured), [1, 2, 3]);
        assert_eq!(ids(&o.responders), [1, 2]);
        assert_eq!(ids(&o.remitters), [1]);
        assert_eq!(ids(&o.not_measured), [4]);
        assert!(o.pending.is_empty());
        assert_eq!(o.response_rate, Some(2.0 / 3.0));
    }

    #[test]
    fn an_episode_whose_window_is_still_open_is_pending() {
        let o = outcomes_in_window(
            &population(),
            Instrument::Phq9,
            WeekWindow::WEEK_12,
            date("2026-03-01"),
        );
        assert_eq!(o.pending.len(), 4);
        assert_eq!(o.response_rate, None);
    }

    #[test]
    fn a_discharged_episode_without_a_score_in_the_window_is_not_measured() {
        let mut e = episode(&[("2026-01-05", 20)]);
        e.status = EpisodeStatus::Discharged;
        e.discharged_on = Some(date("2026-02-01"));
        let o = outcomes_in_window(
            &[e],
            Instrument::Phq9,
            WeekWindow::WEEK_12,
            date("2026-03-01"),
        );
        assert_eq!(o.not_measured.len(), 1);
    }

    #[test]
    fn scores_by_week_count_each_episode_once_per_week_with_its_last_score() {
        let pop = vec![
            with_id(episode(&[("2026-01-05", 20), ("2026-01-06", 10)]), 1),
            with_id(episode(&[("2026-01-05", 12), ("2026-01-19", 8)]), 2),
        ];
        let stats = scores_by_week(&pop, Instrument::Phq9, date("2026-06-01"), 20);
        assert_eq!(stats.len(), 2);
        let w0 = &stats[0];
        assert_eq!((w0.week, w0.n, w0.mean), (0, 2, 11.0));
        assert!((w0.sd.expect("sd") - 2f64.sqrt()).abs() < 1e-9);
        let (lo, hi) = w0.ci95.expect("ci");
        assert!(lo < 11.0 && hi > 11.0);
        assert_eq!((w0.q1, w0.median, w0.q3), (10.5, 11.0, 11.5));
        assert_eq!((stats[1].week, stats[1].n, stats[1].sd), (2, 1, None));
    }

    #[test]
    fn the_change_distribution_puts_exactly_minus_50_percent_with_the_responders() {
        let d = percent_change_distribution(&population(), Instrument::Phq9, date("2026-06-01"));
        assert_eq!(d.changes.first().map(|c| c.0), Some(EpisodeId(3)));
        assert_eq!(d.undefined, Vec::<EpisodeId>::new());
        let bin = |label: &str| d.bins.iter().find(|b| b.label == label).map(|b| b.count);
        assert_eq!(bin("\u{2264} \u{2212}75%"), Some(2), "−80% and −88%");
        assert_eq!(bin("\u{2212}75% to \u{2212}50%"), Some(1), "−50%");
        assert_eq!(bin("\u{2212}25% to 0%"), Some(1), "−12%");
        assert_eq!(d.bins.iter().map(|b| b.count).sum::<usize>(), 4);
    }

    #[test]
    fn time_to_response_is_a_cumulative_share_that_censors_recent_enrollees() {
        let mut late = episode(&[("2026-04-06", 20)]);
        late.enrolled_on = date("2026-04-06");
        late.episode_id = EpisodeId(9);
        let pop = vec![
            with_id(episode(&[("2026-01-05", 20), ("2026-02-02", 10)]), 1),
            with_id(episode(&[("2026-01-05", 20), ("2026-03-30", 10)]), 2),
            with_id(episode(&[("2026-01-05", 20), ("2026-03-30", 15)]), 3),
            late,
        ];
        let curve = time_to_response(&pop, Instrument::Phq9, date("2026-04-20"), 15);
        let at = |w: usize| &curve[w];
        // The late enrollee, followed for 2 weeks, is censored after week 2.
        assert_eq!((at(2).responded, at(2).at_risk), (0, 4));
        assert_eq!((at(4).responded, at(4).at_risk), (1, 3));
        assert!((at(4).share - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!((at(12).responded, at(12).at_risk), (1, 2));
        assert!((at(12).share - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(at(15).cumulative, 2);
        assert!(curve.windows(2).all(|w| w[0].share <= w[1].share));
    }

    #[test]
    fn quantiles_interpolate_between_sorted_values() {
        assert_eq!(quantile(&[], 0.5), 0.0);
        assert_eq!(quantile(&[3.0], 0.25), 3.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
    }
}
