//! Instruments: PHQ-9, PHQ-2 and GAD-7 (DOMAIN.md §1).
//!
//! A [`Responses`] value can only be made through its validated constructors, so every total and
//! severity band that Tandem shows was computed from a checked set of answers. LOINC codes for these
//! instruments live in one table, in [`super::loinc`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// A standardised questionnaire that Tandem records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Instrument {
    #[serde(rename = "PHQ-9")]
    Phq9,
    #[serde(rename = "PHQ-2")]
    Phq2,
    #[serde(rename = "GAD-7")]
    Gad7,
}

/// The four answers shared by the PHQ and GAD items, scored 0–3.
pub const ANSWERS: [&str; 4] = [
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
];

/// PHQ-9 item wording (Kroenke, Spitzer & Williams 2001), asked about "the last 2 weeks".
pub const PHQ9_ITEMS: [&str; 9] = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so \
     fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
];

/// GAD-7 item wording (Spitzer et al. 2006), asked about "the last 2 weeks".
pub const GAD7_ITEMS: [&str; 7] = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
];

impl Instrument {
    /// Every instrument, in the order forms and tables list them.
    pub const ALL: [Instrument; 3] = [Instrument::Phq9, Instrument::Gad7, Instrument::Phq2];

    /// The name clinicians use, which is also the stored code.
    pub fn code(self) -> &'static str {
        match self {
            Instrument::Phq9 => "PHQ-9",
            Instrument::Phq2 => "PHQ-2",
            Instrument::Gad7 => "GAD-7",
        }
    }

    /// Parses the stored code ("PHQ-9", "PHQ-2", "GAD-7").
    pub fn from_code(code: &str) -> Result<Self, InstrumentError> {
        Instrument::ALL
            .into_iter()
            .find(|i| i.code() == code)
            .ok_or_else(|| InstrumentError::UnknownInstrument(code.to_owned()))
    }

    /// Number of scored items.
    pub fn item_count(self) -> usize {
        match self {
            Instrument::Phq9 => 9,
            Instrument::Phq2 => 2,
            Instrument::Gad7 => 7,
        }
    }

    /// Highest possible total: three points per scored item.
    pub fn max_total(self) -> u8 {
        // item_count is at most 9, so this cannot overflow.
        3 * self.item_count() as u8
    }

    /// The wording of the scored items.
    pub fn items(self) -> &'static [&'static str] {
        match self {
            Instrument::Phq9 => &PHQ9_ITEMS,
            Instrument::Phq2 => &PHQ9_ITEMS[..2],
            Instrument::Gad7 => &GAD7_ITEMS,
        }
    }
}

impl fmt::Display for Instrument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The unscored 10th PHQ-9 item: "If you checked off any problems, how difficult have these problems
/// made it for you to do your work, take care of things at home, or get along with other people?"
/// It is recorded but never added to the total (DOMAIN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    NotDifficult,
    Somewhat,
    Very,
    Extremely,
}

impl Difficulty {
    pub const ALL: [Difficulty; 4] = [
        Difficulty::NotDifficult,
        Difficulty::Somewhat,
        Difficulty::Very,
        Difficulty::Extremely,
    ];

    /// The wording of the question.
    pub const QUESTION: &'static str = "If you checked off any problems, how difficult have these \
        problems made it for you to do your work, take care of things at home, or get along with \
        other people?";

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Difficulty::NotDifficult => "not_difficult",
            Difficulty::Somewhat => "somewhat",
            Difficulty::Very => "very",
            Difficulty::Extremely => "extremely",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Difficulty::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Difficulty::NotDifficult => "Not difficult at all",
            Difficulty::Somewhat => "Somewhat difficult",
            Difficulty::Very => "Very difficult",
            Difficulty::Extremely => "Extremely difficult",
        }
    }
}

/// The lowest item-9 answer that needs a suicide-risk assessment: any answer above "Not at all".
pub const ITEM9_ALERT_FROM: u8 = 1;

/// Why a set of answers was refused. Every variant names the instrument and, where there is one,
/// the 1-based item number, so that a form or an import can point at the exact field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum InstrumentError {
    #[error("unknown instrument \"{0}\"; expected PHQ-9, PHQ-2 or GAD-7")]
    UnknownInstrument(String),
    #[error("{instrument} needs {expected} item answers, but {got} were given")]
    WrongItemCount {
        instrument: Instrument,
        expected: usize,
        got: usize,
    },
    #[error("{instrument} item {item} is missing an answer")]
    MissingItem { instrument: Instrument, item: usize },
    #[error("{instrument} item {item} must be 0–3, not {value}")]
    ItemOutOfRange {
        instrument: Instrument,
        item: usize,
        value: i64,
    },
    #[error("{instrument} total must be 0–{max}, not {value}")]
    TotalOutOfRange {
        instrument: Instrument,
        max: u8,
        value: i64,
    },
    #[error("{instrument} has no difficulty item; only the PHQ-9 records one")]
    NoDifficultyItem { instrument: Instrument },
}

/// A validated set of answers to one instrument: either every scored item, or — for historical
/// imports only — a total without items ("total only").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responses {
    instrument: Instrument,
    items: Option<Vec<u8>>,
    total: u8,
    /// The unscored PHQ-9 difficulty item, when it was answered.
    #[serde(default)]
    difficulty: Option<Difficulty>,
}

impl Responses {
    /// Item-level answers. `answers[i]` is item `i + 1`; `None` is an unanswered item.
    pub fn from_items(
        instrument: Instrument,
        answers: &[Option<i64>],
    ) -> Result<Self, InstrumentError> {
        if answers.len() != instrument.item_count() {
            return Err(InstrumentError::WrongItemCount {
                instrument,
                expected: instrument.item_count(),
                got: answers.len(),
            });
        }
        let mut items = Vec::with_capacity(answers.len());
        for (index, answer) in answers.iter().enumerate() {
            let item = index + 1;
            let value = answer.ok_or(InstrumentError::MissingItem { instrument, item })?;
            let score = u8::try_from(value).ok().filter(|v| *v <= 3).ok_or(
                InstrumentError::ItemOutOfRange {
                    instrument,
                    item,
                    value,
                },
            )?;
            items.push(score);
        }
        let total = items.iter().sum();
        Ok(Responses {
            instrument,
            items: Some(items),
            total,
            difficulty: None,
        })
    }

    /// A total without item answers, for historical imports. It carries no item-9 information.
    pub fn total_only(instrument: Instrument, total: i64) -> Result<Self, InstrumentError> {
        let max = instrument.max_total();
        let total = u8::try_from(total).ok().filter(|t| *t <= max).ok_or(
            InstrumentError::TotalOutOfRange {
                instrument,
                max,
                value: total,
            },
        )?;
        Ok(Responses {
            instrument,
            items: None,
            total,
            difficulty: None,
        })
    }

    /// Records the unscored difficulty item (PHQ-9 only). The total does not change.
    pub fn with_difficulty(mut self, difficulty: Difficulty) -> Result<Self, InstrumentError> {
        if self.instrument != Instrument::Phq9 {
            return Err(InstrumentError::NoDifficultyItem {
                instrument: self.instrument,
            });
        }
        self.difficulty = Some(difficulty);
        Ok(self)
    }

    pub fn difficulty(&self) -> Option<Difficulty> {
        self.difficulty
    }

    /// The answer to a 1-based item, or `None` for a "total only" entry or an item the instrument
    /// does not have.
    pub fn item(&self, item: usize) -> Option<u8> {
        let index = item.checked_sub(1)?;
        self.items()?.get(index).copied()
    }

    /// The PHQ-9 item-9 answer, or `None` for another instrument or a "total only" import, which
    /// carries no item-9 information.
    pub fn item9(&self) -> Option<u8> {
        match self.instrument {
            Instrument::Phq9 => self.item(9),
            Instrument::Phq2 | Instrument::Gad7 => None,
        }
    }

    /// Item-9 safety rule (DOMAIN.md §1): any item-9 answer ≥ 1 needs a suicide-risk assessment,
    /// whatever the total.
    pub fn needs_suicide_risk_assessment(&self) -> bool {
        self.item9().is_some_and(|a| a >= ITEM9_ALERT_FROM)
    }

    /// The PHQ-2 contained in an item-level PHQ-9 (its items 1–2). `None` for a "total only"
    /// entry or another instrument.
    pub fn phq2(&self) -> Option<Responses> {
        if self.instrument != Instrument::Phq9 {
            return None;
        }
        let first_two = self.items()?.get(..2)?;
        Some(Responses {
            instrument: Instrument::Phq2,
            items: Some(first_two.to_vec()),
            total: first_two.iter().sum(),
            difficulty: None,
        })
    }

    pub fn instrument(&self) -> Instrument {
        self.instrument
    }

    /// The item answers, or `None` for a "total only" entry.
    pub fn items(&self) -> Option<&[u8]> {
        self.items.as_deref()
    }

    /// The sum of the scored items (PHQ-9: items 1–9, 0–27).
    pub fn total(&self) -> u8 {
        self.total
    }

    pub fn is_total_only(&self) -> bool {
        self.items.is_none()
    }

    pub fn severity(&self) -> Severity {
        Severity::of(self.instrument, self.total)
    }
}

/// A severity band, derived from a total and never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    Minimal,
    Mild,
    Moderate,
    ModeratelySevere,
    Severe,
    /// PHQ-2 has no bands, only a screening threshold.
    Screen {
        positive: bool,
    },
}

impl Severity {
    /// PHQ-9: 0–4 none/minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe.
    /// GAD-7: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe. PHQ-2: positive at ≥ 3.
    pub fn of(instrument: Instrument, total: u8) -> Severity {
        match (instrument, total) {
            (Instrument::Phq2, t) => Severity::Screen { positive: t >= 3 },
            (_, 0..=4) => Severity::Minimal,
            (_, 5..=9) => Severity::Mild,
            (_, 10..=14) => Severity::Moderate,
            (Instrument::Phq9, 15..=19) => Severity::ModeratelySevere,
            _ => Severity::Severe,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Minimal => "minimal",
            Severity::Mild => "mild",
            Severity::Moderate => "moderate",
            Severity::ModeratelySevere => "moderately severe",
            Severity::Severe => "severe",
            Severity::Screen { positive: true } => "positive screen",
            Severity::Screen { positive: false } => "negative screen",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answers(v: &[i64]) -> Vec<Option<i64>> {
        v.iter().copied().map(Some).collect()
    }

    #[test]
    fn a_phq9_total_is_the_sum_of_its_nine_items() {
        let r = Responses::from_items(Instrument::Phq9, &answers(&[1, 2, 3, 0, 1, 2, 3, 0, 1]))
            .expect("valid");
        assert_eq!(r.total(), 13);
        assert_eq!(r.severity(), Severity::Moderate);
    }

    #[test]
    fn eight_answers_are_refused_for_a_phq9() {
        let err = Responses::from_items(Instrument::Phq9, &answers(&[0; 8])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PHQ-9 needs 9 item answers, but 8 were given"
        );
    }

    #[test]
    fn an_answer_of_4_is_refused_and_names_the_item() {
        let err =
            Responses::from_items(Instrument::Gad7, &answers(&[0, 0, 4, 0, 0, 0, 0])).unwrap_err();
        assert_eq!(err.to_string(), "GAD-7 item 3 must be 0–3, not 4");
    }

    #[test]
    fn a_missing_answer_is_refused_and_names_the_item() {
        let mut a = answers(&[1; 9]);
        a[8] = None;
        let err = Responses::from_items(Instrument::Phq9, &a).unwrap_err();
        assert_eq!(err.to_string(), "PHQ-9 item 9 is missing an answer");
    }

    #[test]
    fn a_total_only_phq9_of_28_is_refused() {
        let err = Responses::total_only(Instrument::Phq9, 28).unwrap_err();
        assert_eq!(err.to_string(), "PHQ-9 total must be 0–27, not 28");
        assert!(Responses::total_only(Instrument::Phq9, 27).is_ok());
    }

    #[test]
    fn phq9_band_boundaries_follow_the_published_cut_points() {
        let band = |t| Severity::of(Instrument::Phq9, t);
        assert_eq!(band(4), Severity::Minimal);
        assert_eq!(band(5), Severity::Mild);
        assert_eq!(band(9), Severity::Mild);
        assert_eq!(band(10), Severity::Moderate);
        assert_eq!(band(14), Severity::Moderate);
        assert_eq!(band(15), Severity::ModeratelySevere);
        assert_eq!(band(19), Severity::ModeratelySevere);
        assert_eq!(band(20), Severity::Severe);
    }

    #[test]
    fn gad7_has_no_moderately_severe_band() {
        assert_eq!(Severity::of(Instrument::Gad7, 15), Severity::Severe);
        assert_eq!(Severity::of(Instrument::Gad7, 14), Severity::Moderate);
    }

    #[test]
    fn a_phq2_screen_is_positive_from_3() {
        assert_eq!(
            Severity::of(Instrument::Phq2, 3),
            Severity::Screen { positive: true }
        );
        assert_eq!(
            Severity::of(Instrument::Phq2, 2),
            Severity::Screen { positive: false }
        );
    }

    #[test]
    fn instrument_codes_round_trip() {
        for i in Instrument::ALL {
            assert_eq!(Instrument::from_code(i.code()), Ok(i));
        }
        assert!(Instrument::from_code("PHQ9").is_err());
    }

    #[test]
    fn any_item9_answer_above_0_needs_a_suicide_risk_assessment_whatever_the_total() {
        let mut a = answers(&[0; 9]);
        a[8] = Some(1);
        let r = Responses::from_items(Instrument::Phq9, &a).expect("valid");
        assert_eq!(r.total(), 1);
        assert_eq!(r.item9(), Some(1));
        assert!(r.needs_suicide_risk_assessment());
        let r = Responses::from_items(Instrument::Phq9, &answers(&[3, 3, 3, 3, 3, 3, 3, 3, 0]))
            .expect("valid");
        assert!(!r.needs_suicide_risk_assessment());
    }

    #[test]
    fn a_total_only_import_has_no_item9_information() {
        let r = Responses::total_only(Instrument::Phq9, 20).expect("valid");
        assert!(r.is_total_only());
        assert_eq!(r.item9(), None);
        assert!(!r.needs_suicide_risk_assessment());
    }

    #[test]
    fn the_difficulty_item_is_recorded_but_not_scored() {
        let r = Responses::from_items(Instrument::Phq9, &answers(&[1; 9]))
            .and_then(|r| r.with_difficulty(Difficulty::Very))
            .expect("valid");
        assert_eq!(r.total(), 9);
        assert_eq!(r.difficulty(), Some(Difficulty::Very));
        let err = Responses::from_items(Instrument::Gad7, &answers(&[1; 7]))
            .and_then(|r| r.with_difficulty(Difficulty::Very))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "GAD-7 has no difficulty item; only the PHQ-9 records one"
        );
    }

    #[test]
    fn a_phq9_contains_a_phq2_of_its_first_two_items() {
        let r = Responses::from_items(Instrument::Phq9, &answers(&[2, 1, 3, 3, 3, 3, 3, 3, 3]))
            .expect("valid");
        let phq2 = r.phq2().expect("item-level");
        assert_eq!(phq2.total(), 3);
        assert_eq!(phq2.severity(), Severity::Screen { positive: true });
        assert_eq!(phq2.item9(), None);
        assert_eq!(r.item(0), None);
        assert_eq!(r.item(10), None);
    }

    fn band_rank(s: Severity) -> u8 {
        match s {
            Severity::Minimal | Severity::Screen { positive: false } => 0,
            Severity::Mild => 1,
            Severity::Moderate => 2,
            Severity::ModeratelySevere => 3,
            Severity::Severe | Severity::Screen { positive: true } => 4,
        }
    }

    proptest! {
        #[test]
        fn severity_bands_partition_the_range_in_order(i in 0usize..3, a in 0u8..=27, b in 0u8..=27) {
            let instrument = Instrument::ALL[i];
            let (lo, hi) = (a.min(b) % (instrument.max_total() + 1), a.max(b) % (instrument.max_total() + 1));
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            // Exactly one band per total, never decreasing as the total rises.
            prop_assert!(band_rank(Severity::of(instrument, lo)) <= band_rank(Severity::of(instrument, hi)));
            let bands: Vec<Severity> = (0..=instrument.max_total()).map(|t| Severity::of(instrument, t)).collect();
            // Each band is one contiguous run of totals.
            for w in bands.windows(2) {
                prop_assert!(band_rank(w[0]) <= band_rank(w[1]));
            }
            let mut distinct = bands.clone();
            distinct.dedup();
            let expected = match instrument { Instrument::Phq9 => 5, Instrument::Gad7 => 4, Instrument::Phq2 => 2 };
            prop_assert_eq!(distinct.len(), expected);
        }

        #[test]
        fn any_total_only_entry_in_range_is_accepted_and_any_other_refused(i in 0usize..3, t in -50i64..80) {
            let instrument = Instrument::ALL[i];
            let ok = (0..=i64::from(instrument.max_total())).contains(&t);
            prop_assert_eq!(Responses::total_only(instrument, t).is_ok(), ok);
        }

        #[test]
        fn any_valid_answer_set_totals_within_range(items in proptest::collection::vec(0i64..=3, 9)) {
            let r = Responses::from_items(Instrument::Phq9, &answers(&items)).expect("valid");
            prop_assert!(r.total() <= 27);
            prop_assert_eq!(i64::from(r.total()), items.iter().sum::<i64>());
        }

        #[test]
        fn any_out_of_range_answer_is_refused(pos in 0usize..7, bad in prop_oneof![-100i64..0, 4i64..100]) {
            let mut a = answers(&[0; 7]);
            a[pos] = Some(bad);
            let err = Responses::from_items(Instrument::Gad7, &a).unwrap_err();
            prop_assert_eq!(err, InstrumentError::ItemOutOfRange { instrument: Instrument::Gad7, item: pos + 1, value: bad });
        }
    }
}
