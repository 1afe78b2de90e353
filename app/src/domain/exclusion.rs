//! Recorded reasons that remove a patient from the depression quality measures (DOMAIN.md §8).
//! Kept apart from [`super::quality`] so that the stored patient facts can name them without
//! depending on the measures.

use serde::{Deserialize, Serialize};

/// A recorded reason that removes a patient from the depression measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureExclusion {
    BipolarDisorder,
    PersonalityDisorder,
    PsychoticDisorder,
    PervasiveDevelopmentalDisorder,
    Death,
    Hospice,
}

impl MeasureExclusion {
    pub const ALL: [MeasureExclusion; 6] = [
        MeasureExclusion::BipolarDisorder,
        MeasureExclusion::PersonalityDisorder,
        MeasureExclusion::PsychoticDisorder,
        MeasureExclusion::PervasiveDevelopmentalDisorder,
        MeasureExclusion::Death,
        MeasureExclusion::Hospice,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            MeasureExclusion::BipolarDisorder => "bipolar_disorder",
            MeasureExclusion::PersonalityDisorder => "personality_disorder",
            MeasureExclusion::PsychoticDisorder => "psychotic_disorder",
            MeasureExclusion::PervasiveDevelopmentalDisorder => "pervasive_developmental_disorder",
            MeasureExclusion::Death => "death",
            MeasureExclusion::Hospice => "hospice",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        MeasureExclusion::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            MeasureExclusion::BipolarDisorder => "Bipolar disorder",
            MeasureExclusion::PersonalityDisorder => "Personality disorder",
            MeasureExclusion::PsychoticDisorder => "Psychotic disorder",
            MeasureExclusion::PervasiveDevelopmentalDisorder => "Pervasive developmental disorder",
            MeasureExclusion::Death => "Died",
            MeasureExclusion::Hospice => "In hospice",
        }
    }
}
