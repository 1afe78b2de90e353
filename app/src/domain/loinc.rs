//! LOINC codes for the instruments, their items, answers and totals (DOMAIN.md §1), kept in one
//! table. FHIR export, import and the QuestionnaireResponse mapping all read [`TABLE`] through the
//! lookup functions below, so a code is written down exactly once.

use super::instrument::{Difficulty, Instrument};
use serde::{Deserialize, Serialize};

/// What a LOINC code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concept {
    /// The whole questionnaire (a FHIR `Questionnaire` / panel observation).
    Panel(Instrument),
    /// A scored item, 1-based.
    Item(Instrument, u8),
    /// The total score (a FHIR `Observation` with `valueInteger`).
    Total(Instrument),
    /// The unscored PHQ-9 difficulty question.
    DifficultyItem,
    /// One of the four frequency answers, by score 0–3.
    Answer(u8),
    /// One of the four difficulty answers.
    DifficultyAnswer(Difficulty),
}

/// One row of the LOINC table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoincCode {
    pub code: &'static str,
    pub concept: Concept,
}

const fn row(code: &'static str, concept: Concept) -> LoincCode {
    LoincCode { code, concept }
}

use Concept::{Answer, DifficultyAnswer, Item, Panel, Total};
use Instrument::{Gad7, Phq2, Phq9};

/// Every LOINC code Tandem uses.
pub const TABLE: [LoincCode; 33] = [
    row("44249-1", Panel(Phq9)),
    row("44250-9", Item(Phq9, 1)),
    row("44255-8", Item(Phq9, 2)),
    row("44259-0", Item(Phq9, 3)),
    row("44254-1", Item(Phq9, 4)),
    row("44251-7", Item(Phq9, 5)),
    row("44258-2", Item(Phq9, 6)),
    row("44252-5", Item(Phq9, 7)),
    row("44253-3", Item(Phq9, 8)),
    row("44260-8", Item(Phq9, 9)),
    row("69722-7", Concept::DifficultyItem),
    row("44261-6", Total(Phq9)),
    row("55757-9", Panel(Phq2)),
    row("55758-7", Total(Phq2)),
    row("69737-5", Panel(Gad7)),
    row("69725-0", Item(Gad7, 1)),
    row("68509-9", Item(Gad7, 2)),
    row("69733-4", Item(Gad7, 3)),
    row("69734-2", Item(Gad7, 4)),
    row("69735-9", Item(Gad7, 5)),
    row("69689-8", Item(Gad7, 6)),
    row("69736-7", Item(Gad7, 7)),
    row("70274-6", Total(Gad7)),
    row("LA6568-5", Answer(0)),
    row("LA6569-3", Answer(1)),
    row("LA6570-1", Answer(2)),
    row("LA6571-9", Answer(3)),
    // Difficulty answers as published in the HL7 FHIR SDC / Argonaut PHQ-9 questionnaire; they
    // are not in DOMAIN.md's table.
    row("LA6572-7", DifficultyAnswer(Difficulty::NotDifficult)),
    row("LA6573-5", DifficultyAnswer(Difficulty::Somewhat)),
    row("LA6575-0", DifficultyAnswer(Difficulty::Very)),
    row("LA6574-3", DifficultyAnswer(Difficulty::Extremely)),
    // PHQ-2 items are PHQ-9 items 1–2 and reuse their codes.
    row("44250-9", Item(Phq2, 1)),
    row("44255-8", Item(Phq2, 2)),
];

/// The FHIR canonical of the LOINC questionnaire that item answers are recorded against.
pub fn questionnaire_url(instrument: Instrument) -> &'static str {
    match instrument {
        Phq9 => "http://loinc.org/q/44249-1",
        Phq2 => "http://loinc.org/q/55757-9",
        Gad7 => "http://loinc.org/q/69737-5",
    }
}

/// The code for a concept, or `None` when Tandem has none (e.g. item 10 of a GAD-7).
pub fn code_of(concept: Concept) -> Option<&'static str> {
    TABLE.iter().find(|r| r.concept == concept).map(|r| r.code)
}

/// The concept for a code. A code shared by PHQ-9 and PHQ-2 items resolves to the PHQ-9 item.
pub fn concept_of(code: &str) -> Option<Concept> {
    TABLE
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
        .map(|r| r.concept)
}

/// The panel code of an instrument.
pub fn panel(instrument: Instrument) -> &'static str {
    code_of(Panel(instrument)).unwrap_or_default()
}

/// The total-score code of an instrument.
pub fn total(instrument: Instrument) -> &'static str {
    code_of(Total(instrument)).unwrap_or_default()
}

/// The code of a 1-based item, or `None` when the instrument has no such item.
pub fn item(instrument: Instrument, item: usize) -> Option<&'static str> {
    u8::try_from(item)
        .ok()
        .and_then(|n| code_of(Item(instrument, n)))
}

/// The answer code for an item score 0–3.
pub fn answer(score: u8) -> Option<&'static str> {
    code_of(Answer(score))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LOINC's mod-10 check digit (the Luhn scheme) over the digits before the hyphen.
    fn check_digit_ok(code: &str) -> bool {
        let Some((body, check)) = code.split_once('-') else {
            return false;
        };
        let sum: u32 = body
            .chars()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = c.to_digit(10).expect("digit");
                if i % 2 == 0 {
                    let x = d * 2;
                    x / 10 + x % 10
                } else {
                    d
                }
            })
            .sum();
        check.parse::<u32>().expect("check digit") == (10 - sum % 10) % 10
    }

    #[test]
    fn every_numeric_loinc_code_has_a_valid_check_digit() {
        for r in TABLE.iter().filter(|r| !r.code.starts_with("LA")) {
            assert!(check_digit_ok(r.code), "{} fails its check digit", r.code);
        }
    }

    #[test]
    fn every_instrument_has_a_panel_a_total_and_a_code_per_item() {
        for i in Instrument::ALL {
            assert!(!panel(i).is_empty(), "{i} panel");
            assert!(!total(i).is_empty(), "{i} total");
            for n in 1..=i.item_count() {
                assert!(item(i, n).is_some(), "{i} item {n}");
            }
            assert_eq!(item(i, i.item_count() + 1), None);
            assert_eq!(item(i, 0), None);
        }
    }

    #[test]
    fn phq9_item_codes_follow_domain_md_order() {
        let codes: Vec<_> = (1..=9).filter_map(|n| item(Phq9, n)).collect();
        assert_eq!(
            codes,
            [
                "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
                "44253-3", "44260-8"
            ]
        );
        assert_eq!(total(Phq9), "44261-6");
        assert_eq!(total(Gad7), "70274-6");
        assert_eq!(answer(0), Some("LA6568-5"));
        assert_eq!(answer(3), Some("LA6571-9"));
        assert_eq!(answer(4), None);
    }

    #[test]
    fn a_code_maps_back_to_its_concept() {
        assert_eq!(concept_of("44260-8"), Some(Item(Phq9, 9)));
        assert_eq!(concept_of("70274-6"), Some(Total(Gad7)));
        assert_eq!(
            concept_of("LA6574-3"),
            Some(DifficultyAnswer(Difficulty::Extremely))
        );
        assert_eq!(concept_of("12345-6"), None);
        for r in &TABLE {
            let back = concept_of(r.code).expect("known");
            assert_eq!(code_of(back), Some(r.code));
        }
    }

    #[test]
    fn the_phq9_questionnaire_is_the_loinc_panel() {
        assert_eq!(questionnaire_url(Phq9), "http://loinc.org/q/44249-1");
        assert_eq!(questionnaire_url(Gad7), "http://loinc.org/q/69737-5");
    }
}
