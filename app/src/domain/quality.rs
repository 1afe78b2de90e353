//! Quality measures (DOMAIN.md §8). Every measure returns its rate, its numerator, denominator and
//! exclusion id lists, and its definition in plain words.
//!
//! Measures are computed per episode and list [`EpisodeId`]s; the caller maps them to patients.
//! Choices common to all measures:
//! - The rate is numerator / (denominator − exclusions); excluded episodes stay in the
//!   denominator list and are also listed as exclusions, as MIPS reports them.
//! - An episode whose follow-up window has not closed on `as_of` is *pending*: listed apart and
//!   left out of the denominator, because its outcome is not known yet.
//! - The depression diagnosis the measures require is read from the episode's targets
//!   ([`EpisodeData::treats_depression`]); exclusion diagnoses come from [`PatientFacts`].
//! - Only PHQ-9 scores recorded on the episode count, "total only" imports included.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::episode::{add_days, is_remission, is_response, EpisodeData, Score};
use super::instrument::Instrument;
use super::outcomes::rate;
use crate::model::{EpisodeId, EpisodeStatus, PatientId};

pub use super::exclusion::MeasureExclusion;

/// What the measures need to know about the patient of an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientFacts {
    pub patient_id: PatientId,
    #[serde(with = "crate::wire_dates")]
    pub birth_date: NaiveDate,
    /// Exclusions recorded for the patient; the caller passes those that apply to the period.
    pub exclusions: Vec<MeasureExclusion>,
}

/// An episode with its patient, as the measures read it.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub patient: &'a PatientFacts,
    pub episode: &'a EpisodeData,
}

/// An inclusive range of dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    #[serde(with = "crate::wire_dates")]
    start: NaiveDate,
    #[serde(with = "crate::wire_dates")]
    end: NaiveDate,
}

impl DateRange {
    /// `None` when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        (start <= end).then_some(DateRange { start, end })
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    pub fn end(self) -> NaiveDate {
        self.end
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// A computed measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityMeasure {
    pub id: String,
    pub title: String,
    /// The definition in plain words.
    pub definition: String,
    pub denominator: Vec<EpisodeId>,
    pub exclusions: Vec<EpisodeId>,
    pub numerator: Vec<EpisodeId>,
    /// Qualifying episodes whose window is still open on `as_of`.
    pub pending: Vec<EpisodeId>,
    /// numerator / (denominator − exclusions); `None` when that is empty.
    pub rate: Option<f64>,
}

/// Patients must be at least this old on the index date (or the period start).
pub const MINIMUM_AGE: u32 = 12;

/// Days after the index PHQ-9 in which the outcome score is looked for, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DayWindow {
    from: u64,
    to: u64,
}

/// 12 months ± 60 days.
const TWELVE_MONTHS: DayWindow = DayWindow { from: 305, to: 425 };
/// 6 months ± 60 days.
const SIX_MONTHS: DayWindow = DayWindow { from: 120, to: 240 };

fn age_on(birth_date: NaiveDate, on: NaiveDate) -> u32 {
    on.years_since(birth_date).unwrap_or(0)
}

/// A denominator candidate: its index PHQ-9 and the PHQ-9s of its window.
struct Indexed<'a> {
    episode_id: EpisodeId,
    index: &'a Score,
    window: Vec<&'a Score>,
    excluded: bool,
    pending: bool,
}

impl Indexed<'_> {
    fn last_in_window(&self) -> Option<&Score> {
        self.window.last().copied()
    }
}

/// The index is the first PHQ-9 > 9 of the episode; it must fall in `period` and the patient must
/// be 12 or over on its date.
fn index_cohort<'a>(
    subjects: &[Subject<'a>],
    period: DateRange,
    window: DayWindow,
    as_of: NaiveDate,
) -> Vec<Indexed<'a>> {
    subjects
        .iter()
        .filter(|s| s.episode.treats_depression())
        .filter_map(|s| {
            let course = s.episode.course(Instrument::Phq9, as_of);
            let index = course.scores().iter().copied().find(|x| x.total > 9)?;
            let eligible = period.contains(index.taken_on)
                && age_on(s.patient.birth_date, index.taken_on) >= MINIMUM_AGE;
            let from = add_days(index.taken_on, window.from);
            let to = add_days(index.taken_on, window.to);
            eligible.then(|| Indexed {
                episode_id: s.episode.episode_id,
                index,
                window: course
                    .scores()
                    .iter()
                    .copied()
                    .filter(|x| from <= x.taken_on && x.taken_on <= to)
                    .collect(),
                excluded: !s.patient.exclusions.is_empty(),
                pending: as_of < to,
            })
        })
        .collect()
}

struct Definition {
    id: &'static str,
    title: &'static str,
    text: &'static str,
}

impl QualityMeasure {
    fn new(def: &Definition) -> Self {
        QualityMeasure {
            id: def.id.to_owned(),
            title: def.title.to_owned(),
            definition: def.text.to_owned(),
            denominator: Vec::new(),
            exclusions: Vec::new(),
            numerator: Vec::new(),
            pending: Vec::new(),
            rate: None,
        }
    }

    /// Adds a denominator episode: excluded, met, or not met.
    fn count(&mut self, id: EpisodeId, excluded: bool, met: impl FnOnce() -> bool) {
        self.denominator.push(id);
        if excluded {
            self.exclusions.push(id);
        } else if met() {
            self.numerator.push(id);
        }
    }

    fn finish(mut self) -> Self {
        self.rate = rate(
            self.numerator.len(),
            self.denominator.len().saturating_sub(self.exclusions.len()),
        );
        self
    }
}

fn measure<'a>(
    def: &Definition,
    cohort: &[Indexed<'a>],
    met: impl Fn(&Indexed<'a>) -> bool,
) -> QualityMeasure {
    let mut m = QualityMeasure::new(def);
    for c in cohort {
        if c.pending {
            m.pending.push(c.episode_id);
        } else {
            m.count(c.episode_id, c.excluded, || met(c));
        }
    }
    m.finish()
}

const REMISSION_12: Definition = Definition {
    id: "MIPS-370",
    title: "Depression remission at 12 months",
    text: "Patients aged 12 or over treated for depression whose first PHQ-9 above 9 in the \
        episode (the index) falls in the period. Met when the last PHQ-9 between 305 and 425 days \
        after the index (12 months \u{b1} 60 days) is below 5. Excluded: patients with bipolar, \
        personality, psychotic or pervasive developmental disorder, who died, or who are in \
        hospice.",
};

const REMISSION_6: Definition = Definition {
    id: "MIPS-411",
    title: "Depression remission at 6 months",
    text: "Patients aged 12 or over treated for depression whose first PHQ-9 above 9 in the \
        episode (the index) falls in the period. Met when the last PHQ-9 between 120 and 240 days \
        after the index (6 months \u{b1} 60 days) is below 5. Excluded: patients with bipolar, \
        personality, psychotic or pervasive developmental disorder, who died, or who are in \
        hospice.",
};

/// Depression remission at 12 months (MIPS #370 / CMS159-style).
pub fn remission_at_12_months(
    subjects: &[Subject<'_>],
    index_period: DateRange,
    as_of: NaiveDate,
) -> QualityMeasure {
    let cohort = index_cohort(subjects, index_period, TWELVE_MONTHS, as_of);
    measure(&REMISSION_12, &cohort, remitted)
}

/// Depression remission at 6 months (#411-style): the same as 12 months, with days 120–240.
pub fn remission_at_6_months(
    subjects: &[Subject<'_>],
    index_period: DateRange,
    as_of: NaiveDate,
) -> QualityMeasure {
    let cohort = index_cohort(subjects, index_period, SIX_MONTHS, as_of);
    measure(&REMISSION_6, &cohort, remitted)
}

fn remitted(c: &Indexed<'_>) -> bool {
    c.last_in_window().is_some_and(|s| is_remission(s.total))
}

/// The three HEDIS DRR-E-style rates, over one denominator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpMeasures {
    /// Rate 1: a follow-up PHQ-9 in days 120–240 after the index.
    pub follow_up: QualityMeasure,
    /// Rate 2: the last PHQ-9 in that window is below 5.
    pub remission: QualityMeasure,
    /// Rate 3: the last PHQ-9 in that window is ≤ 50% of the index.
    pub response: QualityMeasure,
}

const DRR_FOLLOW_UP: Definition = Definition {
    id: "DRR-E-1",
    title: "Depression follow-up PHQ-9",
    text: "Patients aged 12 or over treated for depression whose first PHQ-9 above 9 in the \
        episode (the index) falls in the period. Met when a PHQ-9 is recorded between 120 and 240 \
        days after the index. Exclusions as for remission.",
};

const DRR_REMISSION: Definition = Definition {
    id: "DRR-E-2",
    title: "Depression remission at follow-up",
    text: "Patients aged 12 or over treated for depression whose first PHQ-9 above 9 in the \
        episode (the index) falls in the period. Met when the last PHQ-9 between 120 and 240 days \
        after the index is below 5. Exclusions as for remission.",
};

const DRR_RESPONSE: Definition = Definition {
    id: "DRR-E-3",
    title: "Depression response at follow-up",
    text: "Patients aged 12 or over treated for depression whose first PHQ-9 above 9 in the \
        episode (the index) falls in the period. Met when the last PHQ-9 between 120 and 240 days \
        after the index is at most half the index score. Exclusions as for remission.",
};

/// Response and remission at follow-up (HEDIS DRR-E-style), index PHQ-9 > 9, window days 120–240.
pub fn response_and_remission_at_follow_up(
    subjects: &[Subject<'_>],
    index_period: DateRange,
    as_of: NaiveDate,
) -> FollowUpMeasures {
    let cohort = index_cohort(subjects, index_period, SIX_MONTHS, as_of);
    FollowUpMeasures {
        follow_up: measure(&DRR_FOLLOW_UP, &cohort, |c| !c.window.is_empty()),
        remission: measure(&DRR_REMISSION, &cohort, remitted),
        response: measure(&DRR_RESPONSE, &cohort, |c| {
            c.last_in_window()
                .is_some_and(|s| is_response(c.index.total, s.total))
        }),
    }
}

/// One 4-month period of PHQ-9 utilization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UtilizationPeriod {
    /// "Jan–Apr 2026", "May–Aug 2026" or "Sep–Dec 2026".
    pub label: String,
    pub range: DateRange,
    pub measure: QualityMeasure,
}

const UTILIZATION: Definition = Definition {
    id: "DMS-E",
    title: "PHQ-9 utilization",
    text: "Patients aged 12 or over treated for depression whose episode was open at some time in \
        the 4-month period. Met when a PHQ-9 is recorded in the period. Excluded: patients with \
        bipolar, personality, psychotic or pervasive developmental disorder, who died, or who are \
        in hospice.",
};

/// PHQ-9 utilization (HEDIS DMS-E-style): the share of active patients with a PHQ-9 in each
/// 4-month period of `year` (Jan–Apr, May–Aug, Sep–Dec). Choice: "active" means the episode was
/// open on at least one day of the period; a period still in progress on `as_of` is reported as
/// it stands, counting scores up to `as_of`.
pub fn phq9_utilization(
    subjects: &[Subject<'_>],
    year: i32,
    as_of: NaiveDate,
) -> Vec<UtilizationPeriod> {
    let periods = [
        (1, 4, "Jan\u{2013}Apr"),
        (5, 8, "May\u{2013}Aug"),
        (9, 12, "Sep\u{2013}Dec"),
    ];
    periods
        .iter()
        .filter_map(|(first, last, name)| {
            let start = NaiveDate::from_ymd_opt(year, *first, 1)?;
            let end = NaiveDate::from_ymd_opt(year, *last + 1, 1)
                .or_else(|| NaiveDate::from_ymd_opt(year + 1, 1, 1))?
                .pred_opt()?;
            let range = DateRange::new(start, end)?;
            Some(UtilizationPeriod {
                label: format!("{name} {}", start.year()),
                range,
                measure: utilization_in(subjects, range, as_of),
            })
        })
        .collect()
}

fn utilization_in(subjects: &[Subject<'_>], range: DateRange, as_of: NaiveDate) -> QualityMeasure {
    let mut m = QualityMeasure::new(&UTILIZATION);
    for s in subjects {
        let e = s.episode;
        let open = e.enrolled_on <= range.end()
            && match e.discharged_on {
                Some(d) => d >= range.start(),
                None => e.status != EpisodeStatus::Discharged,
            };
        if open
            && e.treats_depression()
            && age_on(s.patient.birth_date, range.start()) >= MINIMUM_AGE
        {
            m.count(e.episode_id, !s.patient.exclusions.is_empty(), || {
                e.scores.iter().any(|x| {
                    x.instrument == Instrument::Phq9
                        && range.contains(x.taken_on)
                        && x.taken_on <= as_of
                })
            });
        }
    }
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{date, score};

    fn ep(id: i64, enrolled: &str, scores: &[(&str, u8)]) -> EpisodeData {
        let mut e = EpisodeData::new(PatientId(id), EpisodeId(id), date(enrolled));
        e.scores = scores
            .iter()
            .zip(1..)
            .map(|((on, t), n)| score(id * 100 + n, on, *t))
            .collect();
        e
    }

    fn patient(id: i64, born: &str, exclusions: &[MeasureExclusion]) -> PatientFacts {
        PatientFacts {
            patient_id: PatientId(id),
            birth_date: date(born),
            exclusions: exclusions.to_vec(),
        }
    }

    fn ids(v: &[EpisodeId]) -> Vec<i64> {
        v.iter().map(|e| e.0).collect()
    }

    fn year_2025() -> DateRange {
        DateRange::new(date("2025-01-01"), date("2025-12-31")).expect("range")
    }

    struct Population {
        patients: Vec<PatientFacts>,
        episodes: Vec<EpisodeData>,
    }

    impl Population {
        fn subjects(&self) -> Vec<Subject<'_>> {
            self.patients
                .iter()
                .zip(&self.episodes)
                .map(|(patient, episode)| Subject { patient, episode })
                .collect()
        }
    }

    fn population() -> Population {
        Population {
            patients: vec![
                patient(1, "1980-01-01", &[]),
                patient(2, "2014-01-01", &[]),
                patient(3, "1970-01-01", &[MeasureExclusion::BipolarDisorder]),
                patient(4, "1990-06-01", &[]),
                patient(5, "1990-06-01", &[]),
                patient(6, "1990-06-01", &[]),
            ],
            episodes: vec![
                // Index 15 on 2025-01-20 (the 8 before it is not > 9). 6 months: 4 → remission
                // and response. 12 months: 3 then 6, and the last one counts → not remitted.
                ep(
                    1,
                    "2025-01-05",
                    &[
                        ("2025-01-05", 8),
                        ("2025-01-20", 15),
                        ("2025-07-01", 4),
                        ("2025-12-01", 3),
                        ("2026-01-20", 6),
                    ],
                ),
                // Aged 11 at the index.
                ep(2, "2025-02-01", &[("2025-02-01", 20), ("2026-01-01", 2)]),
                // Excluded, though remitted.
                ep(3, "2025-02-01", &[("2025-02-01", 20), ("2026-01-01", 2)]),
                // Remitted at 12 months, no score at 6 months.
                ep(4, "2025-03-01", &[("2025-03-01", 12), ("2026-02-01", 2)]),
                // Index before the period.
                ep(5, "2024-12-01", &[("2024-12-01", 12), ("2025-10-01", 2)]),
                // Window still open on as_of.
                ep(6, "2025-12-01", &[("2025-12-01", 12)]),
            ],
        }
    }

    #[test]
    fn remission_at_12_months_uses_the_last_phq9_in_days_305_to_425() {
        let pop = population();
        let m = remission_at_12_months(&pop.subjects(), year_2025(), date("2026-06-01"));
        assert_eq!(m.id, "MIPS-370");
        assert_eq!(ids(&m.denominator), [1, 3, 4]);
        assert_eq!(ids(&m.exclusions), [3]);
        assert_eq!(ids(&m.numerator), [4]);
        assert_eq!(ids(&m.pending), [6]);
        assert_eq!(m.rate, Some(0.5));
        assert!(m.definition.contains("305 and 425 days"));
    }

    #[test]
    fn remission_at_6_months_uses_days_120_to_240() {
        let pop = population();
        let m = remission_at_6_months(&pop.subjects(), year_2025(), date("2026-06-01"));
        assert_eq!(ids(&m.denominator), [1, 3, 4]);
        assert_eq!(ids(&m.numerator), [1]);
        assert_eq!(m.rate, Some(0.5));
    }

    #[test]
    fn drr_rates_share_one_denominator_and_compare_with_the_index_score() {
        let pop = population();
        let f =
            response_and_remission_at_follow_up(&pop.subjects(), year_2025(), date("2026-06-01"));
        assert_eq!(f.follow_up.denominator, f.response.denominator);
        assert_eq!(ids(&f.follow_up.numerator), [1]);
        assert_eq!(ids(&f.remission.numerator), [1]);
        assert_eq!(ids(&f.response.numerator), [1]);
    }

    #[test]
    fn the_index_is_the_first_phq9_above_9_so_a_later_one_in_the_period_does_not_qualify() {
        let pop = Population {
            patients: vec![patient(5, "1990-01-01", &[])],
            episodes: vec![ep(
                5,
                "2024-12-01",
                &[("2024-12-01", 12), ("2025-03-01", 14)],
            )],
        };
        let m = remission_at_12_months(&pop.subjects(), year_2025(), date("2026-12-31"));
        assert!(m.denominator.is_empty());
        assert_eq!(m.rate, None);
    }

    #[test]
    fn phq9_utilization_counts_open_episodes_with_a_phq9_in_each_4_month_period() {
        let mut b = ep(2, "2025-06-01", &[("2025-06-01", 14)]);
        b.status = EpisodeStatus::Discharged;
        b.discharged_on = Some(date("2025-07-15"));
        let pop = Population {
            patients: vec![
                patient(1, "1980-01-01", &[]),
                patient(2, "1980-01-01", &[]),
                patient(3, "1980-01-01", &[]),
            ],
            episodes: vec![
                ep(1, "2025-01-10", &[("2025-02-01", 14), ("2025-10-01", 9)]),
                b,
                ep(3, "2026-01-01", &[("2026-01-01", 14)]),
            ],
        };
        let periods = phq9_utilization(&pop.subjects(), 2025, date("2026-06-01"));
        let summary: Vec<(String, Vec<i64>, Vec<i64>)> = periods
            .iter()
            .map(|p| {
                (
                    p.label.clone(),
                    ids(&p.measure.denominator),
                    ids(&p.measure.numerator),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Jan\u{2013}Apr 2025".to_owned(), vec![1], vec![1]),
                ("May\u{2013}Aug 2025".to_owned(), vec![1, 2], vec![2]),
                ("Sep\u{2013}Dec 2025".to_owned(), vec![1], vec![1]),
            ]
        );
        assert_eq!(periods[2].range.end(), date("2025-12-31"));
        assert_eq!(periods[1].measure.rate, Some(0.5));
    }
}
