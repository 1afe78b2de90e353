//! Plain data that crosses the wire between server and browser: ids, rows and pages.
//! Shared by the store (server only) and the pages (both sides).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use chrono::NaiveDateTime;

use crate::domain::{
    ContactKind, DischargeSetting, Flag, Instrument, Mrn, PersonName, Responses, SocialNeed,
    StatusReason, TargetCondition,
};

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
    /// One contact with a patient.
    ContactId,
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
    #[serde(with = "crate::wire_dates")]
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub clinic_id: ClinicId,
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    #[serde(with = "crate::wire_dates")]
    pub birth_date: NaiveDate,
}

impl Patient {
    /// "Family, Given", as lists show a patient.
    pub fn list_name(&self) -> String {
        format!("{}, {}", self.family_name, self.given_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEpisode {
    pub patient_id: PatientId,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    pub id: EpisodeId,
    pub patient_id: PatientId,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_on: NaiveDate,
    #[serde(default, with = "crate::wire_dates")]
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

    /// How the chart names the source.
    pub fn label(self) -> &'static str {
        match self {
            MeasurementSource::Clinician => "Clinician",
            MeasurementSource::Import => "Import",
            MeasurementSource::SelfReport => "Patient self-report",
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
    #[serde(with = "crate::wire_dates")]
    pub taken_on: NaiveDate,
    pub responses: Responses,
    pub source: MeasurementSource,
    /// The user who entered it (none for imports and the console).
    pub entered_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    pub id: MeasurementId,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub taken_on: NaiveDate,
    pub responses: Responses,
    pub source: MeasurementSource,
    #[serde(with = "crate::wire_dates")]
    pub entered_at: DateTime<Utc>,
    /// Grows by one on every edit; an edit must name the version it started from.
    pub version: i64,
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
    #[serde(with = "crate::wire_dates")]
    pub birth_date: NaiveDate,
    pub status: Option<EpisodeStatus>,
    #[serde(default, with = "crate::wire_dates")]
    pub enrolled_on: Option<NaiveDate>,
    pub latest_phq9: Option<u8>,
    #[serde(default, with = "crate::wire_dates")]
    pub latest_phq9_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
}

/// The message every stale edit gets (optimistic concurrency).
pub const STALE_EDIT: &str = "This record was changed by someone else since you opened it. \
    Review the current values and try again.";

/// The care team and targets of an episode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EpisodeDetails {
    pub care_manager_id: Option<i64>,
    pub consultant_id: Option<i64>,
    /// The primary-care provider, as free text (PCPs are usually not Tandem users).
    pub pcp: String,
    pub targets: Vec<TargetCondition>,
}

/// Who is enrolled: a new patient, or a known patient whose earlier episode was discharged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnrollPatient {
    New(NewPatient),
    Existing(PatientId),
}

/// Enrollment: the patient, a new episode, and optional baseline scores taken on the enrollment
/// date, stored all together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    pub patient: EnrollPatient,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_on: NaiveDate,
    pub details: EpisodeDetails,
    pub baselines: Vec<Responses>,
    pub by_user: Option<i64>,
}

/// An enrollment brought in from another system (a spreadsheet, an EHR), with its historical
/// scores, which are stored with the source "import".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedEnrollment {
    pub enrollment: Enrollment,
    #[serde(with = "crate::wire_dates")]
    pub measurements: Vec<(NaiveDate, Responses)>,
}

/// Everything a clinic holds, for exports: patients by name, their episodes, live scores and
/// contacts, each list in a stable order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClinicRecords {
    pub patients: Vec<Patient>,
    pub episodes: Vec<Episode>,
    pub measurements: Vec<Measurement>,
    pub contacts: Vec<ContactRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
}

/// An episode with its team, plans and version, as the chart shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeRecord {
    pub episode: Episode,
    pub details: EpisodeDetails,
    pub care_manager_name: Option<String>,
    pub consultant_name: Option<String>,
    pub care_plan: String,
    pub relapse_plan: String,
    pub version: i64,
}

/// An edit of an episode's team and plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeUpdate {
    pub episode_id: EpisodeId,
    pub expected_version: i64,
    pub details: EpisodeDetails,
    pub care_plan: String,
    pub relapse_plan: String,
}

/// What the care-intensity triage reads about a patient, as recorded on the chart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PatientFacts {
    /// Active chronic conditions, one per entry.
    pub chronic_conditions: Vec<String>,
    pub social_needs: Vec<SocialNeed>,
    pub substance_use_disorder: bool,
    pub serious_mental_illness: bool,
    pub long_term_care_decision: bool,
    /// Recorded reasons that remove the patient from the depression quality measures.
    #[serde(default)]
    pub measure_exclusions: Vec<crate::domain::exclusion::MeasureExclusion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientRecord {
    pub patient: Patient,
    pub facts: PatientFacts,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContact {
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub occurred_on: NaiveDate,
    pub kind: ContactKind,
    pub minutes: u32,
    pub note: String,
    pub user_id: i64,
    /// Whether the recording user is a care manager: only their minutes are billable.
    pub by_care_manager: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    pub id: ContactId,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub occurred_on: NaiveDate,
    pub kind: ContactKind,
    pub minutes: u32,
    pub note: String,
    pub user_name: Option<String>,
    pub by_care_manager: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewHospitalEvent {
    pub episode_id: EpisodeId,
    pub setting: DischargeSetting,
    /// Clinic-local date and time of the discharge.
    #[serde(with = "crate::wire_dates")]
    pub discharged_at: NaiveDateTime,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HospitalEvent {
    pub id: i64,
    pub episode_id: EpisodeId,
    pub setting: DischargeSetting,
    #[serde(with = "crate::wire_dates")]
    pub discharged_at: NaiveDateTime,
}

impl HospitalEvent {
    /// The event as the rules read it.
    pub fn discharge(&self) -> crate::domain::HospitalDischarge {
        crate::domain::HospitalDischarge {
            at: self.discharged_at,
            setting: self.setting,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTreatmentChange {
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub changed_on: NaiveDate,
    pub description: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreatmentChange {
    pub id: i64,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub changed_on: NaiveDate,
    pub description: String,
    pub user_name: Option<String>,
}

/// A requested status change, already checked by `domain::check_status_change`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChangeRequest {
    pub episode_id: EpisodeId,
    pub expected_version: i64,
    pub to: EpisodeStatus,
    #[serde(with = "crate::wire_dates")]
    pub on: NaiveDate,
    pub reason: StatusReason,
    pub note: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub id: i64,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub changed_on: NaiveDate,
    pub from: Option<EpisodeStatus>,
    pub to: EpisodeStatus,
    pub reason: StatusReason,
    pub note: String,
    pub user_name: Option<String>,
}

/// An edit of a score: new date and answers, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementEdit {
    pub id: MeasurementId,
    pub expected_version: i64,
    #[serde(with = "crate::wire_dates")]
    pub taken_on: NaiveDate,
    pub responses: Responses,
    pub reason: String,
    pub user_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementDeletion {
    pub id: MeasurementId,
    pub expected_version: i64,
    pub reason: String,
    pub user_id: i64,
}

/// Where a measurement belongs, for access checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub patient_id: PatientId,
    pub clinic_id: ClinicId,
    pub episode_id: EpisodeId,
}

/// Everything recorded in one episode, read in one batch of queries.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EpisodeHistory {
    /// Scores in date order (deleted ones are not included).
    pub measurements: Vec<Measurement>,
    /// Contacts, newest first.
    pub contacts: Vec<ContactRecord>,
    pub hospital_events: Vec<HospitalEvent>,
    /// Treatment changes, newest first.
    pub treatment_changes: Vec<TreatmentChange>,
    /// Status changes, oldest first.
    pub status_changes: Vec<StatusChange>,
    /// Corrections and deletions of this episode's scores, newest first.
    pub score_changes: Vec<ScoreChange>,
    /// Psychiatric case reviews with their recommendations, oldest first.
    pub reviews: Vec<CaseReview>,
    /// The current "discuss at review" mark, if one is set.
    pub review_mark: Option<ReviewMarkRecord>,
}

/// A correction or deletion of a score: what it was before, who changed it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreChange {
    pub measurement_id: MeasurementId,
    pub instrument: Instrument,
    pub deleted: bool,
    pub reason: String,
    #[serde(with = "crate::wire_dates")]
    pub previous_taken_on: NaiveDate,
    pub previous_total: u8,
    pub user_name: Option<String>,
    #[serde(with = "crate::wire_dates")]
    pub changed_at: DateTime<Utc>,
}

/// Which open episodes a caseload reads: one clinic, optionally one care manager's, optionally
/// matching a name or MRN search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadScope {
    pub clinic_id: ClinicId,
    pub care_manager_id: Option<i64>,
    pub search: Option<String>,
}

/// One open episode with everything its caseload row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadEpisode {
    pub patient: Patient,
    pub care_manager_id: Option<i64>,
    pub care_manager_name: Option<String>,
    pub data: crate::domain::EpisodeData,
}

/// One row of the caseload screen: numbers from the domain module, flags with explanations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadRow {
    pub patient_id: PatientId,
    pub name: String,
    pub mrn: String,
    pub status: EpisodeStatus,
    pub care_manager_name: Option<String>,
    pub weeks_in_treatment: i64,
    pub baseline_phq9: Option<u8>,
    pub latest_phq9: Option<u8>,
    #[serde(default, with = "crate::wire_dates")]
    pub latest_phq9_on: Option<NaiveDate>,
    pub percent_change: Option<f64>,
    pub latest_gad7: Option<u8>,
    /// The day the patient's latest self-report arrived, while no contact has followed it.
    #[serde(default, with = "crate::wire_dates")]
    pub self_report_on: Option<NaiveDate>,
    #[serde(default, with = "crate::wire_dates")]
    pub last_contact_on: Option<NaiveDate>,
    #[serde(default, with = "crate::wire_dates")]
    pub next_contact_due: Option<NaiveDate>,
    pub flags: Vec<Flag>,
}

/// Today's date in the clinic's calendar. Tandem uses the server's local date until clinics carry
/// a time zone setting.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

// --- The weekly case review's records, read with an episode's history -------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MeetingId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecommendationId(pub i64);

/// A consultant's recommendation; the care manager's task while it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub id: RecommendationId,
    pub episode_id: EpisodeId,
    pub kind: crate::domain::RecommendationKind,
    pub details: String,
    pub status: crate::domain::TaskStatus,
    #[serde(with = "crate::wire_dates")]
    pub due_on: NaiveDate,
    pub version: i64,
    #[serde(with = "crate::wire_dates")]
    pub recorded_on: NaiveDate,
    pub recorded_by_name: Option<String>,
    #[serde(default, with = "crate::wire_dates")]
    pub status_changed_at: Option<DateTime<Utc>>,
    pub status_by_name: Option<String>,
}

impl Recommendation {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        crate::domain::meeting::task_overdue(self.status, self.due_on, today)
    }

    /// "Increase dose: sertraline 100 mg" or just the type.
    pub fn summary(&self) -> String {
        if self.details.trim().is_empty() {
            self.kind.label().to_owned()
        } else {
            format!("{}: {}", self.kind.label(), self.details.trim())
        }
    }
}

/// A patient reviewed at a meeting, with what was recommended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseReview {
    pub id: i64,
    pub meeting_id: MeetingId,
    #[serde(with = "crate::wire_dates")]
    pub meets_on: NaiveDate,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub reviewed_on: NaiveDate,
    pub reviewer_name: Option<String>,
    pub note: String,
    pub recommendations: Vec<Recommendation>,
}

impl CaseReview {
    /// The outcome in a few words: the recommendations, or that none was made.
    pub fn outcome(&self) -> String {
        if self.recommendations.is_empty() {
            "Reviewed, no recommendation".to_owned()
        } else {
            self.recommendations
                .iter()
                .map(|r| r.kind.label())
                .collect::<Vec<_>>()
                .join("; ")
        }
    }
}

/// "Discuss at review", with the reason (the `manual` flag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewMarkRecord {
    pub id: i64,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub marked_on: NaiveDate,
    pub reason: String,
    pub marked_by_name: Option<String>,
}
