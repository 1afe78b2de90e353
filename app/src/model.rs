//! Plain data that crosses the wire between server and browser: ids, rows and pages.
//! Shared by the store (server only) and the pages (both sides).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Instrument, Mrn, PersonName, Responses};

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type!(
    /// A clinic (practice site) that owns patients.
    ClinicId,
    /// A patient of one clinic.
    PatientId,
    /// One treatment episode: enrollment to discharge.
    EpisodeId,
    /// One recorded questionnaire.
    MeasurementId,
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clinic {
    pub id: ClinicId,
    pub name: String,
}

/// The status of a treatment episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeStatus {
    Active,
    RelapsePrevention,
    Discharged,
}

impl EpisodeStatus {
    pub const ALL: [EpisodeStatus; 3] = [
        EpisodeStatus::Active,
        EpisodeStatus::RelapsePrevention,
        EpisodeStatus::Discharged,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EpisodeStatus::Active => "active",
            EpisodeStatus::RelapsePrevention => "relapse_prevention",
            EpisodeStatus::Discharged => "discharged",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        EpisodeStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// How the status reads on screen.
    pub fn label(self) -> &'static str {
        match self {
            EpisodeStatus::Active => "Active",
            EpisodeStatus::RelapsePrevention => "Relapse prevention",
            EpisodeStatus::Discharged => "Discharged",
        }
    }
}

/// Input for enrolling a patient. Its fields are already validated domain values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPatient {
    pub clinic_id: ClinicId,
    pub mrn: Mrn,
    pub given_name: PersonName,
    pub family_name: PersonName,
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub clinic_id: ClinicId,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEpisode {
    pub patient_id: PatientId,
    pub enrolled_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    pub id: EpisodeId,
    pub patient_id: PatientId,
    pub enrolled_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    pub status: EpisodeStatus,
}

/// Where a measurement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasurementSource {
    /// Entered by staff during a contact.
    Clinician,
    /// Imported from another system.
    Import,
    /// Answered by the patient through a self-report link.
    SelfReport,
}

impl MeasurementSource {
    pub const ALL: [MeasurementSource; 3] = [
        MeasurementSource::Clinician,
        MeasurementSource::Import,
        MeasurementSource::SelfReport,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MeasurementSource::Clinician => "clinician",
            MeasurementSource::Import => "import",
            MeasurementSource::SelfReport => "self_report",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        MeasurementSource::ALL
            .into_iter()
            .find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMeasurement {
    pub episode_id: EpisodeId,
    pub taken_on: NaiveDate,
    pub responses: Responses,
    pub source: MeasurementSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    pub id: MeasurementId,
    pub episode_id: EpisodeId,
    pub taken_on: NaiveDate,
    pub responses: Responses,
    pub source: MeasurementSource,
    pub entered_at: DateTime<Utc>,
}

impl Measurement {
    pub fn instrument(&self) -> Instrument {
        self.responses.instrument()
    }
}

/// What the patient list asks the store for. Pages are 1-based on screen, offsets here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientQuery {
    pub clinic_id: Option<ClinicId>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for PatientQuery {
    fn default() -> Self {
        PatientQuery {
            clinic_id: None,
            limit: PatientQuery::PAGE_SIZE,
            offset: 0,
        }
    }
}

impl PatientQuery {
    pub const PAGE_SIZE: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;
}

/// One row of the patient list: the patient, their clinic and their current episode, with the
/// latest PHQ-9 of that episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientListRow {
    pub id: PatientId,
    pub clinic_name: String,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: NaiveDate,
    pub status: Option<EpisodeStatus>,
    pub enrolled_on: Option<NaiveDate>,
    pub latest_phq9: Option<u8>,
    pub latest_phq9_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
}
