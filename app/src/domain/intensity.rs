//! Care-intensity triage (DOMAIN.md §5): case management, the higher intensity, when any criterion
//! holds; otherwise routine care coordination. The criteria met are returned as reasons.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A recorded social-needs barrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialNeed {
    HousingInstability,
    FoodInsecurity,
    LimitedEnglishProficiency,
    Transportation,
}

impl SocialNeed {
    pub const ALL: [SocialNeed; 4] = [
        SocialNeed::HousingInstability,
        SocialNeed::FoodInsecurity,
        SocialNeed::LimitedEnglishProficiency,
        SocialNeed::Transportation,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            SocialNeed::HousingInstability => "housing_instability",
            SocialNeed::FoodInsecurity => "food_insecurity",
            SocialNeed::LimitedEnglishProficiency => "limited_english_proficiency",
            SocialNeed::Transportation => "transportation",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        SocialNeed::ALL.into_iter().find(|n| n.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            SocialNeed::HousingInstability => "housing instability",
            SocialNeed::FoodInsecurity => "food insecurity",
            SocialNeed::LimitedEnglishProficiency => "limited English proficiency",
            SocialNeed::Transportation => "transportation",
        }
    }
}

/// What the triage reads about a patient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IntensityFacts {
    pub active_chronic_conditions: u32,
    /// Admission (or discharge) dates of hospitalizations; those in the 12 months up to `as_of`
    /// count.
    #[serde(with = "crate::wire_dates")]
    pub hospitalizations: Vec<NaiveDate>,
    pub social_needs: Vec<SocialNeed>,
    pub substance_use_disorder: bool,
    pub serious_mental_illness: bool,
    pub long_term_care_decision: bool,
}

/// A criterion that was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntensityReason {
    ChronicConditions { count: u32 },
    Hospitalizations { count: usize },
    SocialNeed(SocialNeed),
    SubstanceUseDisorder,
    SeriousMentalIllness,
    LongTermCarePlacement,
}

impl IntensityReason {
    /// The reason in plain words.
    pub fn describe(&self) -> String {
        match self {
            IntensityReason::ChronicConditions { count } => {
                format!("{count} active chronic conditions (4 or more)")
            }
            IntensityReason::Hospitalizations { count } => {
                format!("{count} hospitalizations in the past 12 months (2 or more)")
            }
            IntensityReason::SocialNeed(need) => format!("social-needs barrier: {}", need.label()),
            IntensityReason::SubstanceUseDisorder => "concurrent substance use disorder".to_owned(),
            IntensityReason::SeriousMentalIllness => "concurrent serious mental illness".to_owned(),
            IntensityReason::LongTermCarePlacement => {
                "long-term-care placement decision".to_owned()
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareIntensity {
    RoutineCoordination,
    CaseManagement,
}

impl CareIntensity {
    pub fn label(self) -> &'static str {
        match self {
            CareIntensity::RoutineCoordination => "Routine care coordination",
            CareIntensity::CaseManagement => "Case management",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntensityAssessment {
    pub level: CareIntensity,
    /// Every criterion met; empty for routine care coordination.
    pub reasons: Vec<IntensityReason>,
}

/// 4 or more active chronic conditions indicate case management.
pub const CHRONIC_CONDITIONS_FROM: u32 = 4;
/// 2 or more hospitalizations in the past 12 months indicate case management.
pub const HOSPITALIZATIONS_FROM: usize = 2;

/// Triage on `as_of`. Choice: "past 12 months" is the dates after `as_of` minus 12 calendar
/// months, up to and including `as_of`.
pub fn assess_intensity(facts: &IntensityFacts, as_of: NaiveDate) -> IntensityAssessment {
    let mut reasons = Vec::new();
    if facts.active_chronic_conditions >= CHRONIC_CONDITIONS_FROM {
        reasons.push(IntensityReason::ChronicConditions {
            count: facts.active_chronic_conditions,
        });
    }
    let year_ago = as_of
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    let count = facts
        .hospitalizations
        .iter()
        .filter(|d| **d > year_ago && **d <= as_of)
        .count();
    if count >= HOSPITALIZATIONS_FROM {
        reasons.push(IntensityReason::Hospitalizations { count });
    }
    let mut needs = facts.social_needs.clone();
    needs.sort_unstable();
    needs.dedup();
    reasons.extend(needs.into_iter().map(IntensityReason::SocialNeed));
    let flags = [
        (
            facts.substance_use_disorder,
            IntensityReason::SubstanceUseDisorder,
        ),
        (
            facts.serious_mental_illness,
            IntensityReason::SeriousMentalIllness,
        ),
        (
            facts.long_term_care_decision,
            IntensityReason::LongTermCarePlacement,
        ),
    ];
    reasons.extend(flags.into_iter().filter(|(met, _)| *met).map(|(_, r)| r));
    let level = if reasons.is_empty() {
        CareIntensity::RoutineCoordination
    } else {
        CareIntensity::CaseManagement
    };
    IntensityAssessment { level, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::date;

    const AS_OF: &str = "2026-06-30";

    fn assess(facts: &IntensityFacts) -> IntensityAssessment {
        assess_intensity(facts, date(AS_OF))
    }

    #[test]
    fn a_patient_meeting_no_criterion_gets_routine_care_coordination() {
        let a = assess(&IntensityFacts {
            active_chronic_conditions: 3,
            hospitalizations: vec![date("2026-01-01")],
            ..IntensityFacts::default()
        });
        assert_eq!(a.level, CareIntensity::RoutineCoordination);
        assert!(a.reasons.is_empty());
    }

    #[test]
    fn four_chronic_conditions_indicate_case_management() {
        let a = assess(&IntensityFacts {
            active_chronic_conditions: 4,
            ..IntensityFacts::default()
        });
        assert_eq!(a.level, CareIntensity::CaseManagement);
        assert_eq!(
            a.reasons[0].describe(),
            "4 active chronic conditions (4 or more)"
        );
    }

    #[test]
    fn two_hospitalizations_count_only_within_the_past_12_months() {
        let mut facts = IntensityFacts {
            hospitalizations: vec![date("2025-06-30"), date("2026-03-01")],
            ..IntensityFacts::default()
        };
        assert_eq!(assess(&facts).level, CareIntensity::RoutineCoordination);
        facts.hospitalizations.push(date("2025-07-01"));
        assert_eq!(
            assess(&facts).reasons,
            [IntensityReason::Hospitalizations { count: 2 }]
        );
    }

    #[test]
    fn every_criterion_met_is_listed_as_a_reason() {
        let a = assess(&IntensityFacts {
            active_chronic_conditions: 5,
            hospitalizations: vec![],
            social_needs: vec![SocialNeed::Transportation, SocialNeed::HousingInstability],
            substance_use_disorder: true,
            serious_mental_illness: false,
            long_term_care_decision: true,
        });
        assert_eq!(
            a.reasons,
            [
                IntensityReason::ChronicConditions { count: 5 },
                IntensityReason::SocialNeed(SocialNeed::HousingInstability),
                IntensityReason::SocialNeed(SocialNeed::Transportation),
                IntensityReason::SubstanceUseDisorder,
                IntensityReason::LongTermCarePlacement,
            ]
        );
    }
}
