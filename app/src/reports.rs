//! Clinic-lead reports as numbers and tables: the outcomes dashboard, the headline numbers of the
//! lead's home, the quality measures and the monthly CoCM billing report. Pure glue between the
//! store's rows and the domain functions ([`crate::domain::outcomes`],
//! [`crate::domain::programme`], [`crate::domain::quality`], [`crate::domain::billing`]): no I/O,
//! so every figure is unit-tested here and the server functions and charts stay thin.
//!
//! Every chart of the dashboard has a [`DataTable`]: the numbers drawn, shown under the chart as
//! "show data" and downloaded as CSV, so the picture, the table and the file always agree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decimals::{fixed, percent};
use crate::domain::billing::{bill_month, format_codes, is_first_month, BillingSettings};
use crate::domain::episode::format_percent;
use crate::domain::outcomes::{
    outcomes_in_window, percent_change_distribution, scores_by_week, time_to_response, ChangeBin,
    ResponsePoint, WeekStats, WeekWindow,
};
use crate::domain::programme::{
    contact_rate_by_month, is_small, months_between, period_and_previous, period_summary,
    reviewed_within_8_weeks, MonthContacts, PeriodSummary, Quarter,
};
use crate::domain::quality::{
    phq9_utilization, remission_at_12_months, response_and_remission_at_follow_up, DateRange,
    PatientFacts, QualityMeasure, Subject,
};
use crate::domain::{EpisodeData, Instrument, Program, TargetCondition, YearMonth};
use crate::model::{CaseloadEpisode, ClinicId, EpisodeId, EpisodeStatus, PatientId};

/// Weeks in treatment the mean-score chart covers.
pub const DASHBOARD_WEEKS: u32 = 24;
/// Weeks the time-to-response curve covers.
pub const RESPONSE_CURVE_WEEKS: u32 = 24;
/// Calendar months the contact-rate chart covers, the latest kept.
pub const CONTACT_MONTHS: usize = 12;
/// Days of the lead's headline period.
pub const HEADLINE_DAYS: u64 = 90;
/// The longest enrollment period a dashboard may cover (10 years).
pub const MAX_PERIOD_DAYS: i64 = 3653;

/// The earliest enrollment day a report asks the store about; "from the beginning" means this.
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// What the dashboard shows: one clinic, optionally one care manager, the episodes enrolled in a
/// period, optionally only those treating one target condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeFilter {
    pub clinic: ClinicId,
    pub care_manager: Option<i64>,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_from: NaiveDate,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_to: NaiveDate,
    pub target: Option<TargetCondition>,
}

impl OutcomeFilter {
    /// The store's scope for this filter (the target condition is applied on the rows).
    pub fn scope(&self) -> PopulationScope {
        PopulationScope {
            clinic: self.clinic,
            care_manager: self.care_manager,
            enrolled_from: self.enrolled_from,
            enrolled_to: self.enrolled_to,
            open_since: None,
        }
    }

    pub fn admits(&self, e: &EpisodeData) -> bool {
        match self.target {
            None => true,
            Some(TargetCondition::Depression) => e.treats_depression(),
            Some(t) => e.targets.contains(&t),
        }
    }
}

/// Episodes of a clinic the store loads for a report: enrolled in `[enrolled_from, enrolled_to]`,
/// and, with `open_since`, not discharged before that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationScope {
    pub clinic: ClinicId,
    pub care_manager: Option<i64>,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_from: NaiveDate,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_to: NaiveDate,
    #[serde(default, with = "crate::wire_dates")]
    pub open_since: Option<NaiveDate>,
}

/// Open episodes of one care manager and status: one bar segment of the caseload chart, counted
/// by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadCount {
    pub care_manager_id: Option<i64>,
    pub care_manager_name: Option<String>,
    pub status: EpisodeStatus,
    pub patients: u64,
}

/// One care manager's bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadBar {
    pub name: String,
    pub active: u64,
    pub relapse_prevention: u64,
}

impl CaseloadBar {
    pub fn total(&self) -> u64 {
        self.active + self.relapse_prevention
    }
}

/// Folds the store's counts into one bar per care manager, by name; unassigned last.
pub fn caseload_bars(counts: &[CaseloadCount]) -> Vec<CaseloadBar> {
    let mut bars: Vec<(Option<i64>, CaseloadBar)> = Vec::new();
    for c in counts {
        let i = match bars.iter().position(|(id, _)| *id == c.care_manager_id) {
            Some(i) => i,
            None => {
                let name = match (&c.care_manager_id, &c.care_manager_name) {
                    (Some(_), Some(n)) => n.clone(),
                    (Some(id), None) => format!("User {id}"),
                    (None, _) => "Unassigned".to_owned(),
                };
                bars.push((
                    c.care_manager_id,
                    CaseloadBar {
                        name,
                        active: 0,
                        relapse_prevention: 0,
                    },
                ));
                bars.len() - 1
            }
        };
        let bar = &mut bars[i].1;
        match c.status {
            EpisodeStatus::Active => bar.active += c.patients,
            EpisodeStatus::RelapsePrevention => bar.relapse_prevention += c.patients,
            EpisodeStatus::Discharged => {}
        }
    }
    bars.sort_by(|a, b| {
        a.0.is_none()
            .cmp(&b.0.is_none())
            .then_with(|| a.1.name.cmp(&b.1.name))
    });
    bars.into_iter().map(|(_, b)| b).collect()
}

/// Response and remission of one window, as counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowRate {
    pub measured: usize,
    pub responders: usize,
    pub remitters: usize,
    pub not_measured: usize,
    pub pending: usize,
    pub response_rate: Option<f64>,
    pub remission_rate: Option<f64>,
}

/// The outcomes of the patients enrolled in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterOutcome {
    pub quarter: Quarter,
    pub enrolled: usize,
    pub week12: WindowRate,
    pub week24: WindowRate,
}

/// The % change distribution without the per-patient list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSummary {
    pub bins: Vec<ChangeBin>,
    pub median: Option<f64>,
    /// Patients with a baseline and a follow-up: the histogram's total.
    pub with_follow_up: usize,
    /// Patients with a baseline but no follow-up (or a baseline of 0).
    pub without_follow_up: usize,
}

/// The psychiatric-review timeliness, as counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewShare {
    pub eligible: usize,
    pub reviewed: usize,
    pub pending: usize,
    pub rate: Option<f64>,
}

/// Everything the outcomes dashboard draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filter: OutcomeFilter,
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
    /// Episodes in the cohort (after the target filter).
    pub episodes: usize,
    /// Of those, with a PHQ-9 baseline.
    pub with_baseline: usize,
    pub by_week: Vec<WeekStats>,
    pub quarters: Vec<QuarterOutcome>,
    pub change: ChangeSummary,
    pub caseload: Vec<CaseloadBar>,
    pub target_caseload: u32,
    pub contacts: Vec<MonthContacts>,
    pub review: ReviewShare,
    pub time_to_response: Vec<ResponsePoint>,
}

fn window_rate(episodes: &[EpisodeData], window: WeekWindow, as_of: NaiveDate) -> WindowRate {
    let o = outcomes_in_window(episodes, Instrument::Phq9, window, as_of);
    WindowRate {
        measured: o.measured.len(),
        responders: o.responders.len(),
        remitters: o.remitters.len(),
        not_measured: o.not_measured.len(),
        pending: o.pending.len(),
        response_rate: o.response_rate,
        remission_rate: o.remission_rate,
    }
}

/// The dashboard of a cohort, every figure from the domain functions. `population` is what the
/// store loaded for `filter.scope()` ([`crate::ports::ReportStore::outcome_episodes`]); the
/// target filter is applied here.
pub fn build_dashboard(
    filter: &OutcomeFilter,
    population: &[EpisodeData],
    caseload: &[CaseloadCount],
    target_caseload: u32,
    as_of: NaiveDate,
) -> Dashboard {
    let episodes: Vec<EpisodeData> = population
        .iter()
        .filter(|e| filter.admits(e))
        .cloned()
        .collect();
    let with_baseline = episodes
        .iter()
        .filter(|e| e.course(Instrument::Phq9, as_of).baseline().is_some())
        .count();
    let mut quarters: Vec<Quarter> = episodes
        .iter()
        .map(|e| Quarter::of(e.enrolled_on))
        .collect();
    quarters.sort();
    quarters.dedup();
    let quarters = quarters
        .into_iter()
        .map(|q| {
            let cohort: Vec<EpisodeData> = episodes
                .iter()
                .filter(|e| Quarter::of(e.enrolled_on) == q)
                .cloned()
                .collect();
            QuarterOutcome {
                quarter: q,
                enrolled: cohort.len(),
                week12: window_rate(&cohort, WeekWindow::WEEK_12, as_of),
                week24: window_rate(&cohort, WeekWindow::WEEK_24, as_of),
            }
        })
        .collect();
    let dist = percent_change_distribution(&episodes, Instrument::Phq9, as_of);
    let first_month = filter.enrolled_from.max(
        as_of
            .checked_sub_months(chrono::Months::new(CONTACT_MONTHS as u32 - 1))
            .unwrap_or(as_of),
    );
    let months = months_between(first_month, as_of, CONTACT_MONTHS);
    let review = reviewed_within_8_weeks(&episodes, as_of);
    Dashboard {
        filter: filter.clone(),
        as_of,
        episodes: episodes.len(),
        with_baseline,
        by_week: scores_by_week(&episodes, Instrument::Phq9, as_of, DASHBOARD_WEEKS),
        quarters,
        change: ChangeSummary {
            bins: dist.bins,
            median: dist.median,
            with_follow_up: dist.changes.len(),
            without_follow_up: dist.undefined.len(),
        },
        caseload: caseload_bars(caseload),
        target_caseload,
        contacts: contact_rate_by_month(&episodes, &months, as_of),
        review: ReviewShare {
            eligible: review.eligible.len(),
            reviewed: review.reviewed.len(),
            pending: review.pending.len(),
            rate: review.rate,
        },
        time_to_response: time_to_response(
            &episodes,
            Instrument::Phq9,
            as_of,
            RESPONSE_CURVE_WEEKS,
        ),
    }
}

/// The numbers of one chart, as a table: shown under the chart and downloaded as CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A dashboard chart's identity, text and numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartData {
    /// The chart's slug, used for its CSV file and element ids.
    pub id: String,
    pub title: String,
    /// What a screen reader hears instead of the picture.
    pub summary: String,
    /// A note shown under the chart, e.g. that some counts are small.
    pub note: Option<String>,
    pub table: DataTable,
}

/// The dashboard's charts, in page order.
pub const CHART_IDS: [&str; 7] = [
    "mean-by-week",
    "response-by-quarter",
    "change-distribution",
    "caseload",
    "contact-rate",
    "review-within-8-weeks",
    "time-to-response",
];

/// "45%" or "—".
pub fn pct(rate: Option<f64>) -> String {
    rate.map_or_else(|| "\u{2014}".to_owned(), percent)
}

fn one_decimal(v: f64) -> String {
    fixed(v, 1)
}

fn small_note(small: usize) -> Option<String> {
    (small > 0).then(|| {
        format!(
            "{small} point{} rest on fewer than {} patients (marked \u{2020}); read them with care.",
            if small == 1 { "" } else { "s" },
            crate::domain::programme::SMALL_COUNT
        )
    })
}

/// A count with the small-numbers mark.
pub fn count_mark(n: usize) -> String {
    if is_small(n) {
        format!("{n}\u{2020}")
    } else {
        n.to_string()
    }
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> DataTable {
    DataTable {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    }
}

/// The text and numbers of every chart on the dashboard.
pub fn dashboard_charts(d: &Dashboard) -> Vec<ChartData> {
    vec![
        mean_by_week(d),
        response_by_quarter(d),
        change_distribution(d),
        caseload_chart(d),
        contact_rate(d),
        review_chart(d),
        response_curve(d),
    ]
}

/// One chart by id.
pub fn dashboard_chart(d: &Dashboard, id: &str) -> Option<ChartData> {
    dashboard_charts(d).into_iter().find(|c| c.id == id)
}

fn mean_by_week(d: &Dashboard) -> ChartData {
    let rows = d
        .by_week
        .iter()
        .map(|w| {
            let (lo, hi) = w.ci95.unwrap_or((w.mean, w.mean));
            vec![
                w.week.to_string(),
                w.n.to_string(),
                one_decimal(w.mean),
                one_decimal(lo),
                one_decimal(hi),
                one_decimal(w.q1),
                one_decimal(w.median),
                one_decimal(w.q3),
            ]
        })
        .collect();
    let summary = match (d.by_week.first(), d.by_week.last()) {
        (Some(first), Some(last)) if d.by_week.len() > 1 => format!(
            "Mean PHQ-9 {} at week {} (n = {}) and {} at week {} (n = {}), over {} weeks with scores.",
            one_decimal(first.mean), first.week, first.n, one_decimal(last.mean), last.week, last.n, d.by_week.len()
        ),
        (Some(only), _) => format!(
            "Mean PHQ-9 {} at week {} (n = {}); no later weeks have scores yet.",
            one_decimal(only.mean), only.week, only.n
        ),
        _ => "No PHQ-9 scores in this selection.".to_owned(),
    };
    ChartData {
        id: CHART_IDS[0].to_owned(),
        title: "Mean PHQ-9 by week in treatment".to_owned(),
        summary,
        note: small_note(d.by_week.iter().filter(|w| is_small(w.n)).count()),
        table: table(
            &[
                "Week",
                "Patients",
                "Mean PHQ-9",
                "95% CI low",
                "95% CI high",
                "Q1",
                "Median",
                "Q3",
            ],
            rows,
        ),
    }
}

fn response_by_quarter(d: &Dashboard) -> ChartData {
    let rows = d
        .quarters
        .iter()
        .map(|q| {
            vec![
                q.quarter.label(),
                q.enrolled.to_string(),
                q.week12.measured.to_string(),
                pct(q.week12.response_rate),
                pct(q.week12.remission_rate),
                q.week24.measured.to_string(),
                pct(q.week24.response_rate),
                pct(q.week24.remission_rate),
            ]
        })
        .collect();
    let measured12: usize = d.quarters.iter().map(|q| q.week12.measured).sum();
    let responders12: usize = d.quarters.iter().map(|q| q.week12.responders).sum();
    let measured24: usize = d.quarters.iter().map(|q| q.week24.measured).sum();
    let responders24: usize = d.quarters.iter().map(|q| q.week24.responders).sum();
    let small = d
        .quarters
        .iter()
        .flat_map(|q| [q.week12.measured, q.week24.measured])
        .filter(|n| *n > 0 && is_small(*n))
        .count();
    ChartData {
        id: CHART_IDS[1].to_owned(),
        title: "Response and remission at 12 and 24 weeks by enrollment quarter".to_owned(),
        summary: format!(
            "Over {} enrollment quarters: response {} of {} measured at 12 \u{b1} 4 weeks ({}), {} of {} at 24 \u{b1} 4 weeks ({}).",
            d.quarters.len(),
            responders12,
            measured12,
            pct(crate::domain::outcomes::rate(responders12, measured12)),
            responders24,
            measured24,
            pct(crate::domain::outcomes::rate(responders24, measured24)),
        ),
        note: small_note(small),
        table: table(
            &[
                "Quarter",
                "Enrolled",
                "Measured wk 12",
                "Response wk 12",
                "Remission wk 12",
                "Measured wk 24",
                "Response wk 24",
                "Remission wk 24",
            ],
            rows,
        ),
    }
}

fn change_distribution(d: &Dashboard) -> ChartData {
    let c = &d.change;
    let rows = c
        .bins
        .iter()
        .map(|b| {
            vec![
                b.label.clone(),
                b.count.to_string(),
                pct(crate::domain::outcomes::rate(b.count, c.with_follow_up)),
            ]
        })
        .collect();
    let improved: usize = c
        .bins
        .iter()
        .filter(|b| b.up_to.is_some_and(|u| u <= -50.0))
        .map(|b| b.count)
        .sum();
    ChartData {
        id: CHART_IDS[2].to_owned(),
        title: "Change in PHQ-9 from baseline to latest score".to_owned(),
        summary: match c.median {
            Some(m) => format!(
                "{} patients with a follow-up score; median change {}; {} ({}) improved by 50% or more. {} with a baseline have no follow-up yet.",
                c.with_follow_up,
                format_percent(m),
                improved,
                pct(crate::domain::outcomes::rate(improved, c.with_follow_up)),
                c.without_follow_up
            ),
            None => "No patient in this selection has a follow-up PHQ-9 yet.".to_owned(),
        },
        note: small_note(usize::from(c.with_follow_up > 0 && is_small(c.with_follow_up))),
        table: table(&["% change", "Patients", "Share"], rows),
    }
}

fn caseload_chart(d: &Dashboard) -> ChartData {
    let rows = d
        .caseload
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.active.to_string(),
                b.relapse_prevention.to_string(),
                b.total().to_string(),
                d.target_caseload.to_string(),
            ]
        })
        .collect();
    let over: Vec<&str> = d
        .caseload
        .iter()
        .filter(|b| b.total() > u64::from(d.target_caseload))
        .map(|b| b.name.as_str())
        .collect();
    let total: u64 = d.caseload.iter().map(CaseloadBar::total).sum();
    ChartData {
        id: CHART_IDS[3].to_owned(),
        title: "Current caseload per care manager".to_owned(),
        summary: format!(
            "{} open patients across {} caseloads; target {} per care manager; {}.",
            total,
            d.caseload.len(),
            d.target_caseload,
            if over.is_empty() {
                "no caseload is above target".to_owned()
            } else {
                format!("above target: {}", over.join(", "))
            }
        ),
        note: Some(
            "Open episodes today, whatever their enrollment date; the target condition filter applies."
                .to_owned(),
        ),
        table: table(
            &[
                "Care manager",
                "Active",
                "Relapse prevention",
                "Total",
                "Target",
            ],
            rows,
        ),
    }
}

fn contact_rate(d: &Dashboard) -> ChartData {
    let rows = d
        .contacts
        .iter()
        .map(|m| {
            let partial = crate::domain::programme::month_bounds(m.month).1 > d.as_of;
            vec![
                if partial {
                    format!("{} (to {})", m.month, d.as_of)
                } else {
                    m.month.to_string()
                },
                m.active.to_string(),
                m.contacts.to_string(),
                m.per_patient.map_or_else(String::new, |r| fixed(r, 2)),
            ]
        })
        .collect();
    // The last complete month: the current one is still filling up.
    let complete =
        |m: &&MonthContacts| crate::domain::programme::month_bounds(m.month).1 <= d.as_of;
    let latest = d
        .contacts
        .iter()
        .rev()
        .find(|m| m.per_patient.is_some() && complete(m))
        .or_else(|| d.contacts.iter().rev().find(|m| m.per_patient.is_some()));
    ChartData {
        id: CHART_IDS[4].to_owned(),
        title: "Contacts per active patient per month".to_owned(),
        summary: match latest {
            Some(m) => format!(
                "{} completed contacts with {} active patients in {}: {} per patient. Guidance: about 2 a month in active treatment.",
                m.contacts,
                m.active,
                m.month,
                fixed(m.per_patient.unwrap_or_default(), 2)
            ),
            None => "No patients were active in these months.".to_owned(),
        },
        note: small_note(
            d.contacts
                .iter()
                .filter(|m| m.active > 0 && is_small(m.active))
                .count(),
        ),
        table: table(
            &["Month", "Active patients", "Completed contacts", "Per patient"],
            rows,
        ),
    }
}

fn review_chart(d: &Dashboard) -> ChartData {
    let r = &d.review;
    ChartData {
        id: CHART_IDS[5].to_owned(),
        title: "Psychiatric review within 8 weeks of enrollment".to_owned(),
        summary: format!(
            "{} of {} patients enrolled 8 weeks or more ago had a psychiatric review within 8 weeks ({}); {} enrolled more recently are not counted yet.",
            r.reviewed,
            r.eligible,
            pct(r.rate),
            r.pending
        ),
        note: small_note(usize::from(r.eligible > 0 && is_small(r.eligible))),
        table: table(
            &["Group", "Patients"],
            vec![
                vec!["Reviewed within 8 weeks".to_owned(), r.reviewed.to_string()],
                vec![
                    "Not reviewed within 8 weeks".to_owned(),
                    (r.eligible - r.reviewed.min(r.eligible)).to_string(),
                ],
                vec![
                    "Too recent to count (enrolled under 8 weeks ago, not yet reviewed)".to_owned(),
                    r.pending.to_string(),
                ],
            ],
        ),
    }
}

fn response_curve(d: &Dashboard) -> ChartData {
    let rows = d
        .time_to_response
        .iter()
        .map(|p| {
            vec![
                p.week.to_string(),
                p.at_risk.to_string(),
                p.responded.to_string(),
                p.cumulative.to_string(),
                format!("{}%", fixed(p.share * 100.0, 1)),
            ]
        })
        .collect();
    let half = d
        .time_to_response
        .iter()
        .find(|p| p.share >= 0.5)
        .map(|p| p.week);
    let at = |w: i64| {
        d.time_to_response
            .iter()
            .find(|p| p.week == w)
            .map(|p| p.share)
    };
    ChartData {
        id: CHART_IDS[6].to_owned(),
        title: "Time to response (Kaplan\u{2013}Meier)".to_owned(),
        summary: format!(
            "Estimated share responded by week 12: {}; by week 24: {}; {}.",
            pct(at(12)),
            pct(at(24)),
            match half {
                Some(w) => format!("half have responded by week {w}"),
                None => "fewer than half have responded by week 24".to_owned(),
            }
        ),
        note: small_note(usize::from(
            d.time_to_response
                .first()
                .is_some_and(|p| p.at_risk > 0 && is_small(p.at_risk)),
        )),
        table: table(
            &[
                "Week",
                "Followed, not yet responded",
                "First responses",
                "Responded so far",
                "Estimated share responded",
            ],
            rows,
        ),
    }
}

/// One headline number with its value in the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub label: String,
    pub value: String,
    pub previous: String,
    /// "up", "down" or "same", for the arrow.
    pub trend: Trend,
    /// Whether up is good (response rate) or neither (enrolled).
    pub explanation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trend {
    Up,
    Down,
    Same,
    Unknown,
}

impl Trend {
    fn of(now: Option<f64>, before: Option<f64>) -> Trend {
        match (now, before) {
            (Some(a), Some(b)) if (a - b).abs() < 1e-9 => Trend::Same,
            (Some(a), Some(b)) if a > b => Trend::Up,
            (Some(_), Some(_)) => Trend::Down,
            _ => Trend::Unknown,
        }
    }

    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Up => "\u{2191}",
            Trend::Down => "\u{2193}",
            Trend::Same => "\u{2192}",
            Trend::Unknown => "",
        }
    }
}

/// The lead's home: the last 90 days against the 90 before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadHome {
    pub current: PeriodSummary,
    pub previous: PeriodSummary,
    pub headlines: Vec<Headline>,
}

/// The scope the lead's home loads: every episode of the clinic open at some time in the last
/// 180 days.
pub fn headline_scope(clinic: ClinicId, today: NaiveDate) -> Option<PopulationScope> {
    let (_, previous) = period_and_previous(today, HEADLINE_DAYS)?;
    Some(PopulationScope {
        clinic,
        care_manager: None,
        enrolled_from: earliest_date(),
        enrolled_to: today,
        open_since: Some(previous.start()),
    })
}

/// The headline numbers of the last 90 days ending `today`, each with the 90 days before.
pub fn lead_home(episodes: &[EpisodeData], today: NaiveDate) -> Option<LeadHome> {
    let (now, before) = period_and_previous(today, HEADLINE_DAYS)?;
    let current = period_summary(episodes, now);
    let previous = period_summary(episodes, before);
    let count = |n: usize| Some(n as f64);
    let weeks =
        |w: Option<f64>| w.map_or_else(|| "\u{2014}".to_owned(), |w| format!("{} wk", fixed(w, 1)));
    let line =
        |label: &str, value: String, prev: String, trend: Trend, explanation: &str| Headline {
            label: label.to_owned(),
            value,
            previous: prev,
            trend,
            explanation: explanation.to_owned(),
        };
    let headlines = vec![
        line(
            "Enrolled",
            current.enrolled.to_string(),
            previous.enrolled.to_string(),
            Trend::of(count(current.enrolled), count(previous.enrolled)),
            "Episodes started in the period.",
        ),
        line(
            "Active",
            current.active.to_string(),
            previous.active.to_string(),
            Trend::of(count(current.active), count(previous.active)),
            "Open episodes on the last day of the period.",
        ),
        line(
            "Response rate",
            format!("{} of {}", pct(current.response_rate), current.followed),
            format!("{} of {}", pct(previous.response_rate), previous.followed),
            Trend::of(current.response_rate, previous.response_rate),
            "Of patients with a follow-up PHQ-9 in the period, the last one is at most half the baseline.",
        ),
        line(
            "Remission rate",
            format!("{} of {}", pct(current.remission_rate), current.followed),
            format!("{} of {}", pct(previous.remission_rate), previous.followed),
            Trend::of(current.remission_rate, previous.remission_rate),
            "Of patients with a follow-up PHQ-9 in the period, the last one is below 5.",
        ),
        line(
            "Median weeks to response",
            weeks(current.median_weeks_to_response),
            weeks(previous.median_weeks_to_response),
            Trend::of(
                current.median_weeks_to_response,
                previous.median_weeks_to_response,
            ),
            "Weeks from enrollment to the first 50% drop, for first responses in the period.",
        ),
        line(
            "Share reviewed",
            format!("{} of {}", pct(current.share_reviewed), current.review_eligible),
            format!("{} of {}", pct(previous.share_reviewed), previous.review_eligible),
            Trend::of(current.share_reviewed, previous.share_reviewed),
            "Of patients in care 8 weeks or more during the period, the share with a psychiatric case review.",
        ),
    ];
    Some(LeadHome {
        current,
        previous,
        headlines,
    })
}

/// A patient as the measures and drill-down lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedPatient {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
    pub name: String,
    pub mrn: String,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_on: NaiveDate,
}

/// What the quality page loads: episodes enrolled by the period's end and not discharged before
/// its start (the 12-month window reaches 425 days past an index in the period, so every score
/// the store has is read).
pub fn quality_scope(clinic: ClinicId, period: DateRange) -> PopulationScope {
    PopulationScope {
        clinic,
        care_manager: None,
        enrolled_from: earliest_date(),
        enrolled_to: period.end(),
        open_since: Some(period.start()),
    }
}

/// The quality measures of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    pub period: DateRange,
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
    pub measures: Vec<QualityMeasure>,
}

/// MIPS #370-style remission at 12 months, the three DRR-E-style rates, and DMS-E-style PHQ-9
/// utilization for the periods of the year in which `period` ends.
pub fn quality_report(
    population: &[CaseloadEpisode],
    exclusions: &[PatientFacts],
    period: DateRange,
    as_of: NaiveDate,
) -> QualityReport {
    let facts: Vec<PatientFacts> = population
        .iter()
        .map(|c| {
            exclusions
                .iter()
                .find(|f| f.patient_id == c.patient.id)
                .cloned()
                .unwrap_or_else(|| PatientFacts {
                    patient_id: c.patient.id,
                    birth_date: c.patient.birth_date,
                    exclusions: Vec::new(),
                })
        })
        .collect();
    let subjects: Vec<Subject<'_>> = population
        .iter()
        .zip(&facts)
        .map(|(c, f)| Subject {
            patient: f,
            episode: &c.data,
        })
        .collect();
    let mut measures = vec![remission_at_12_months(&subjects, period, as_of)];
    let follow_up = response_and_remission_at_follow_up(&subjects, period, as_of);
    measures.extend([follow_up.follow_up, follow_up.response, follow_up.remission]);
    measures.extend(
        phq9_utilization(&subjects, chrono::Datelike::year(&period.end()), as_of)
            .into_iter()
            .filter(|p| p.range.start() <= as_of)
            .map(|p| {
                let mut m = p.measure;
                m.id = format!("{}-{}", m.id, p.range.start().format("%Y-%m"));
                m.title = format!("{} ({})", m.title, p.label);
                m
            }),
    );
    QualityReport {
        period,
        as_of,
        measures,
    }
}

/// Which list of a measure to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeasureList {
    Numerator,
    Denominator,
    Exclusions,
    Pending,
}

impl MeasureList {
    pub const ALL: [MeasureList; 4] = [
        MeasureList::Numerator,
        MeasureList::Denominator,
        MeasureList::Exclusions,
        MeasureList::Pending,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeasureList::Numerator => "numerator",
            MeasureList::Denominator => "denominator",
            MeasureList::Exclusions => "exclusions",
            MeasureList::Pending => "pending",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        MeasureList::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn ids(self, m: &QualityMeasure) -> &[EpisodeId] {
        match self {
            MeasureList::Numerator => &m.numerator,
            MeasureList::Denominator => &m.denominator,
            MeasureList::Exclusions => &m.exclusions,
            MeasureList::Pending => &m.pending,
        }
    }
}

/// The patients of one list of a measure, by name.
pub fn measure_patients(population: &[CaseloadEpisode], ids: &[EpisodeId]) -> Vec<ListedPatient> {
    let ids: std::collections::HashSet<EpisodeId> = ids.iter().copied().collect();
    let mut out: Vec<ListedPatient> = population
        .iter()
        .filter(|c| ids.contains(&c.data.episode_id))
        .map(|c| ListedPatient {
            patient_id: c.patient.id,
            episode_id: c.data.episode_id,
            name: c.patient.list_name(),
            mrn: c.patient.mrn.clone(),
            enrolled_on: c.data.enrolled_on,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.episode_id.cmp(&b.episode_id)));
    out
}

/// Care-manager minutes of one episode in one month, summed by the store, with what the billing
/// row shows about the patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingMinutes {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
    pub name: String,
    pub mrn: String,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_on: NaiveDate,
    /// The treating practitioner recorded on the episode (the billing practitioner).
    pub pcp: String,
    pub care_manager_name: Option<String>,
    pub minutes: u32,
}

/// One row of the monthly billing report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingRow {
    pub patient_id: PatientId,
    pub name: String,
    pub mrn: String,
    pub pcp: String,
    pub care_manager_name: Option<String>,
    pub month: YearMonth,
    pub first_month: bool,
    pub minutes: u32,
    /// "99492, 99494 × 2", or empty.
    pub codes: String,
    /// Why the main code is not billed.
    pub reason: Option<String>,
}

/// Units per code over the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeTotal {
    pub code: String,
    pub units: u32,
}

/// The monthly report: a row per episode open in the month, and the clinic's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingReport {
    pub month: YearMonth,
    pub rows: Vec<BillingRow>,
    pub patients: usize,
    pub billable: usize,
    pub minutes: u64,
    pub totals: Vec<CodeTotal>,
}

/// The billing of each episode's month, by the domain's midpoint rule. Choice: every episode is
/// billed as collaborative care, since Tandem records no general-BHI programme on an episode yet.
pub fn billing_report(
    month: YearMonth,
    minutes: &[BillingMinutes],
    settings: &BillingSettings,
) -> BillingReport {
    let mut totals: Vec<CodeTotal> = Vec::new();
    let mut rows: Vec<BillingRow> = minutes
        .iter()
        .map(|m| {
            let first_month = is_first_month(m.enrolled_on, month);
            let bill = bill_month(m.minutes, first_month, Program::CollaborativeCare, settings);
            for c in &bill.codes {
                match totals.iter_mut().find(|t| t.code == c.code.code()) {
                    Some(t) => t.units += c.units,
                    None => totals.push(CodeTotal {
                        code: c.code.code().to_owned(),
                        units: c.units,
                    }),
                }
            }
            BillingRow {
                patient_id: m.patient_id,
                name: m.name.clone(),
                mrn: m.mrn.clone(),
                pcp: m.pcp.clone(),
                care_manager_name: m.care_manager_name.clone(),
                month,
                first_month,
                minutes: m.minutes,
                codes: format_codes(&bill.codes),
                reason: bill.shortfall,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.mrn.cmp(&b.mrn)));
    totals.sort_by(|a, b| a.code.cmp(&b.code));
    BillingReport {
        month,
        patients: rows.len(),
        billable: rows.iter().filter(|r| !r.codes.is_empty()).count(),
        minutes: rows.iter().map(|r| u64::from(r.minutes)).sum(),
        rows,
        totals,
    }
}

/// The billing report as a table (page and CSV).
pub fn billing_table(r: &BillingReport) -> DataTable {
    table(
        &[
            "Patient",
            "MRN",
            "Month",
            "Billing practitioner",
            "Care manager",
            "Month type",
            "Minutes",
            "Codes",
            "Not billable because",
        ],
        r.rows
            .iter()
            .map(|row| {
                vec![
                    row.name.clone(),
                    row.mrn.clone(),
                    row.month.to_string(),
                    row.pcp.clone(),
                    row.care_manager_name.clone().unwrap_or_default(),
                    if row.first_month {
                        "first"
                    } else {
                        "subsequent"
                    }
                    .to_owned(),
                    row.minutes.to_string(),
                    row.codes.clone(),
                    row.reason.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )
}

/// A measure's patient list as a table (CSV).
pub fn patients_table(patients: &[ListedPatient]) -> DataTable {
    table(
        &["Patient", "MRN", "Enrolled"],
        patients
            .iter()
            .map(|p| vec![p.name.clone(), p.mrn.clone(), p.enrolled_on.to_string()])
            .collect(),
    )
}

/// Every measure's rate and counts as a table (CSV).
pub fn measures_table(measures: &[QualityMeasure]) -> DataTable {
    table(
        &[
            "Measure",
            "Title",
            "Rate",
            "Numerator",
            "Denominator",
            "Exclusions",
            "Pending",
        ],
        measures
            .iter()
            .map(|m| {
                vec![
                    m.id.clone(),
                    m.title.clone(),
                    pct(m.rate),
                    m.numerator.len().to_string(),
                    m.denominator.len().to_string(),
                    m.exclusions.len().to_string(),
                    m.pending.len().to_string(),
                ]
            })
            .collect(),
    )
}
