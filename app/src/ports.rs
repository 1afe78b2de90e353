//! The store port: what the application needs from persistence. The server implements it once for
//! SQLite and once for PostgreSQL, and one contract test suite runs against both.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::accounts::{Email, NewSession, NewUser, SessionRecord, StaffMember, User};
use crate::audit::{AuditEntry, AuditQuery, AuditRecord};
use crate::case_review::{
    CaseReview, Deferral, Meeting, MeetingEntry, MeetingId, MeetingRecord, MeetingSummary,
    NewCaseReview, NewDeferral, NewMeeting, NewReviewMark, NewReviewPrep, QueueUpdate,
    Recommendation, RecommendationId, ReviewCandidates, ReviewMarkRecord, ReviewPrep, ReviewScope,
    Task, TaskScope, TaskUpdate,
};
use crate::model::{
    CaseloadEpisode, CaseloadScope, Clinic, ClinicId, ContactRecord, Enrolled, Enrollment, Episode,
    EpisodeHistory, EpisodeId, EpisodeRecord, EpisodeUpdate, HospitalEvent, Measurement,
    MeasurementDeletion, MeasurementEdit, MeasurementId, NewContact, NewEpisode, NewHospitalEvent,
    NewMeasurement, NewPatient, NewTreatmentChange, Owner, Page, Patient, PatientFacts, PatientId,
    PatientListRow, PatientQuery, PatientRecord, StatusChangeRequest, TreatmentChange,
};

/// Which database engine backs a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Errors from the store. The messages are safe to show; the underlying database error stays in
/// `source` for the logs and never reaches a user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the database is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    #[error("database error")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// How a store error reaches a user: its own message for refusals, a generic sentence (and a log
/// line with the cause) for failures.
impl From<StoreError> for crate::error::AppError {
    fn from(err: StoreError) -> Self {
        use crate::error::AppError;
        match err {
            StoreError::NotFound(what) => AppError::NotFound(what.to_owned()),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => AppError::Invalid {
                field: None,
                message: m,
            },
            StoreError::Unavailable(source) => {
                tracing::error!(error = %source, "store unavailable");
                AppError::Unavailable
            }
            StoreError::Corrupt(m) => {
                tracing::error!(detail = %m, "stored data could not be read");
                AppError::Internal
            }
            StoreError::Database(source) => {
                tracing::error!(error = %source, "store error");
                AppError::Internal
            }
        }
    }
}

/// Everything Tandem persists. Methods take validated domain values, so an implementation only
/// enforces what the database must (uniqueness, foreign keys, atomicity).
#[async_trait]
pub trait Store:
    CareStore
    + ReviewStore
    + ReportStore
    + TokenStore
    + InteropStore
    + SharedStateStore
    + SelfReportStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// A cheap round trip that proves the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_clinic(&self, name: &str) -> StoreResult<Clinic>;
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>>;

    /// Fails with `Conflict` when the MRN is already used in that clinic.
    async fn create_patient(&self, patient: &NewPatient) -> StoreResult<Patient>;
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>>;
    /// The patient with this MRN in the clinic (MRNs are unique per clinic).
    async fn patient_by_mrn(&self, clinic: ClinicId, mrn: &str) -> StoreResult<Option<Patient>>;
    /// One page of patients ordered by family name, given name and id, each with its current
    /// episode and latest PHQ-9, in a single query.
    async fn list_patients(&self, query: &PatientQuery) -> StoreResult<Page<PatientListRow>>;

    /// Opens an episode. Fails with `Conflict` when the patient already has an open one.
    async fn open_episode(&self, episode: &NewEpisode) -> StoreResult<Episode>;
    /// Ends an open episode on the given date.
    async fn discharge_episode(&self, id: EpisodeId, on: NaiveDate) -> StoreResult<Episode>;
    /// A patient's episodes, newest enrollment first.
    async fn episodes_for_patient(&self, patient: PatientId) -> StoreResult<Vec<Episode>>;

    /// Records a measurement in an episode. The date must fall inside the episode.
    async fn add_measurement(&self, measurement: &NewMeasurement) -> StoreResult<Measurement>;
    /// An episode's measurements in `taken_on` order, ties in entry order.
    async fn measurements_for_episode(&self, episode: EpisodeId) -> StoreResult<Vec<Measurement>>;

    /// Clinic lookup used by forms and the API.
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>>;

    async fn rename_clinic(&self, id: ClinicId, name: &str) -> StoreResult<Clinic>;
    /// The clinic's settings, or the defaults when none were saved.
    async fn clinic_settings(&self, id: ClinicId) -> StoreResult<crate::settings::ClinicSettings>;
    /// Saves already-validated settings.
    async fn save_clinic_settings(
        &self,
        id: ClinicId,
        settings: &crate::settings::ClinicSettings,
    ) -> StoreResult<()>;

    /// Every user with their clinics, by display name (two queries, whatever the count).
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Replaces a user's name, role and clinics atomically.
    async fn update_user(
        &self,
        id: i64,
        display_name: &str,
        role: crate::policy::Role,
        clinics: &[ClinicId],
    ) -> StoreResult<User>;

    /// How many user accounts exist (active or not). Zero means first run.
    async fn count_users(&self) -> StoreResult<u64>;
    /// Creates a user with their clinic memberships, atomically. `Conflict` when the email is
    /// taken, `Invalid` when a clinic does not exist.
    async fn create_user(&self, user: &NewUser) -> StoreResult<User>;
    async fn get_user(&self, id: i64) -> StoreResult<Option<User>>;
    /// The user and their password hash, for sign-in and the CLI.
    async fn find_user_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>>;
    async fn set_password_hash(&self, user_id: i64, password_hash: &str) -> StoreResult<()>;
    async fn set_user_active(&self, user_id: i64, active: bool) -> StoreResult<()>;

    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The session with this token hash and its user, if it exists (expired or not).
    async fn get_session(&self, id_hash: &str) -> StoreResult<Option<SessionRecord>>;
    /// Records activity on a session (for the idle timeout).
    async fn touch_session(&self, id_hash: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Ends one session. Ending a session that does not exist is not an error.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Ends every session of a user (deactivation, password change).
    async fn delete_user_sessions(&self, user_id: i64) -> StoreResult<()>;

    /// Appends to the audit log. The log cannot be updated or deleted, by the database's rule.
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<AuditRecord>;
    /// Reads the audit log, newest first.
    async fn list_audit(&self, query: &AuditQuery) -> StoreResult<Vec<AuditRecord>>;
}

/// The records of care: enrollment, episodes and their plans, scores, contacts and events. Part of
/// [`Store`]; kept apart so that each half stays readable.
#[async_trait]
pub trait CareStore: Send + Sync + 'static {
    /// Enrolls a patient: creates the patient (or takes a known one with no open episode), opens
    /// an episode with its team and targets, records the "started" status change and the baseline
    /// scores, all in one transaction. `Conflict` for a taken MRN or an open episode.
    async fn enroll(&self, enrollment: &Enrollment) -> StoreResult<Enrolled>;
    /// The patient with their care-intensity facts and version.
    async fn patient_record(&self, id: PatientId) -> StoreResult<Option<PatientRecord>>;
    /// Replaces the care-intensity facts if the record is still at `expected_version`
    /// (`Conflict` with [`crate::model::STALE_EDIT`] otherwise).
    async fn save_patient_facts(
        &self,
        id: PatientId,
        expected_version: i64,
        facts: &PatientFacts,
    ) -> StoreResult<PatientRecord>;
    /// A patient's episodes with team, plans and versions, newest enrollment first.
    async fn episode_records(&self, patient: PatientId) -> StoreResult<Vec<EpisodeRecord>>;
    /// Saves an episode's team and plans if it is still at the expected version.
    async fn update_episode(&self, update: &EpisodeUpdate) -> StoreResult<EpisodeRecord>;
    /// Changes an episode's status (already checked by the domain) if it is still at the expected
    /// version; a discharge also closes the episode on that date.
    async fn change_status(&self, change: &StatusChangeRequest) -> StoreResult<EpisodeRecord>;
    /// Everything recorded in one episode (with its case reviews and review mark), in nine
    /// queries whatever its size.
    async fn episode_history(&self, episode: EpisodeId) -> StoreResult<EpisodeHistory>;
    /// The patient and clinic an episode belongs to.
    async fn episode_owner(&self, episode: EpisodeId) -> StoreResult<Option<Owner>>;
    /// A live (not deleted) measurement with its owner.
    async fn get_measurement(&self, id: MeasurementId)
        -> StoreResult<Option<(Measurement, Owner)>>;
    /// Replaces a score's date and answers, keeping the old values and the reason.
    async fn update_measurement(&self, edit: &MeasurementEdit) -> StoreResult<Measurement>;
    /// Deletes a score (it stays stored, hidden from every reader) with the reason.
    async fn delete_measurement(&self, deletion: &MeasurementDeletion) -> StoreResult<()>;
    /// Records a contact. The date must fall inside the episode.
    async fn add_contact(&self, contact: &NewContact) -> StoreResult<ContactRecord>;
    async fn add_hospital_event(&self, event: &NewHospitalEvent) -> StoreResult<HospitalEvent>;
    async fn add_treatment_change(
        &self,
        change: &NewTreatmentChange,
    ) -> StoreResult<TreatmentChange>;
    /// The open episodes of a caseload with every score, contact, hospital event and treatment
    /// change the rules read: seven queries, whatever the number of patients.
    async fn caseload(&self, scope: &CaseloadScope) -> StoreResult<Vec<CaseloadEpisode>>;
    /// Active users of a clinic who can care for its patients (care managers and consultants).
    async fn clinic_staff(&self, clinic: ClinicId) -> StoreResult<Vec<StaffMember>>;
}

/// The clinic-lead reports: the populations the outcome and quality figures are computed from,
/// and the counts and sums the database aggregates itself. Part of [`Store`].
#[async_trait]
pub trait ReportStore: Send + Sync + 'static {
    /// The episodes (open or discharged) of a report's scope, each with its PHQ-9 scores,
    /// contacts and psychiatric reviews: four queries, whatever the number of episodes, with the
    /// scores and contacts packed into one row per episode by the database.
    async fn report_population(
        &self,
        scope: &crate::reports::PopulationScope,
    ) -> StoreResult<Vec<CaseloadEpisode>>;
    /// The same episodes as [`ReportStore::report_population`] without patient identity, as the
    /// outcome figures read them, handed over in a few packed rows.
    async fn outcome_episodes(
        &self,
        scope: &crate::reports::PopulationScope,
    ) -> StoreResult<Vec<crate::domain::EpisodeData>>;
    /// Open episodes of a clinic counted per care manager and status, counted in the database.
    async fn caseload_counts(
        &self,
        clinic: ClinicId,
        care_manager: Option<i64>,
        target: Option<crate::domain::TargetCondition>,
    ) -> StoreResult<Vec<crate::reports::CaseloadCount>>;
    /// Every episode of a clinic open on some day of `month`, with its care-manager minutes in
    /// that month summed in the database.
    async fn billing_minutes(
        &self,
        clinic: ClinicId,
        month: crate::domain::YearMonth,
    ) -> StoreResult<Vec<crate::reports::BillingMinutes>>;
    /// Patients of a clinic with a recorded quality-measure exclusion.
    async fn measure_exclusions(
        &self,
        clinic: ClinicId,
    ) -> StoreResult<Vec<crate::domain::quality::PatientFacts>>;
}

/// The weekly case review: the review list's candidates and its index, marks, summaries,
/// deferrals, meetings, reviews and recommendations. Part of [`Store`].
#[async_trait]
pub trait ReviewStore: Send + Sync + 'static {
    /// The episodes that may be on a meeting's list, with everything the list shows: open
    /// episodes of the clinic whose queue row is stale or due by `as_of`, and those reviewed or
    /// deferred at the clinic's meeting on `meets_on`. Costs time in proportion to those
    /// episodes, not to the registry.
    async fn review_candidates(&self, scope: &ReviewScope) -> StoreResult<ReviewCandidates>;
    /// Writes fresh first-listed days to the queue; a row whose version moved is left stale.
    /// Returns the number of rows written.
    async fn refresh_review_queue(&self, updates: &[QueueUpdate]) -> StoreResult<u64>;
    /// Marks an episode "discuss at review" (replacing an earlier mark).
    async fn mark_for_review(&self, mark: &NewReviewMark) -> StoreResult<ReviewMarkRecord>;
    /// Removes the episode's current mark; `NotFound` when there is none.
    async fn remove_review_mark(&self, episode: EpisodeId, user_id: i64) -> StoreResult<()>;
    async fn prepare_review(&self, prep: &NewReviewPrep) -> StoreResult<ReviewPrep>;
    /// Defers an episode from one meeting; `Conflict` when it is already deferred from it.
    async fn defer_review(&self, deferral: &NewDeferral) -> StoreResult<Deferral>;
    /// Starts the clinic's meeting on a date, or returns it if it has started, and records the
    /// list as it stands (`entries` not already recorded are added).
    async fn start_meeting(
        &self,
        meeting: &NewMeeting,
        entries: &[MeetingEntry],
    ) -> StoreResult<Meeting>;
    /// Ends a meeting, recording any listed patient not yet recorded as not reached.
    async fn end_meeting(
        &self,
        meeting: MeetingId,
        entries: &[MeetingEntry],
    ) -> StoreResult<Meeting>;
    async fn meeting(&self, id: MeetingId) -> StoreResult<Option<Meeting>>;
    async fn meeting_on(&self, clinic: ClinicId, on: NaiveDate) -> StoreResult<Option<Meeting>>;
    /// A clinic's meetings, newest first, with counts.
    async fn meetings(&self, clinic: ClinicId, limit: u32) -> StoreResult<Vec<MeetingSummary>>;
    async fn meeting_record(&self, id: MeetingId) -> StoreResult<Option<MeetingRecord>>;
    /// Marks an episode reviewed at a meeting (once) and adds the recommendation, if any, in one
    /// transaction; the meeting's entry for the episode becomes "reviewed".
    async fn record_review(&self, review: &NewCaseReview) -> StoreResult<CaseReview>;
    /// Open recommendations of a clinic (or of one care manager's episodes there).
    async fn tasks(&self, scope: &TaskScope) -> StoreResult<Vec<Task>>;
    /// A recommendation with its owner.
    async fn recommendation(
        &self,
        id: RecommendationId,
    ) -> StoreResult<Option<(Recommendation, Owner)>>;
    /// Settles a task if it is still at the expected version, recording the treatment change
    /// in the same transaction when one is given.
    async fn update_task(&self, update: &TaskUpdate) -> StoreResult<Recommendation>;
}

/// API tokens for the JSON API and FHIR endpoints. Part of [`Store`].
#[async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// Stores a new token. `Invalid` when the user does not exist.
    async fn create_api_token(
        &self,
        token: &crate::accounts::NewApiToken,
    ) -> StoreResult<crate::accounts::ApiToken>;
    /// The token with this hash and its user (revoked or not), in one query plus the user's
    /// clinics.
    async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(crate::accounts::ApiToken, User)>>;
    /// Every token, newest first.
    async fn list_api_tokens(&self) -> StoreResult<Vec<crate::accounts::ApiToken>>;
    /// Revokes a token (revoking a revoked token keeps the first time). `NotFound` when there is
    /// no such token.
    async fn revoke_api_token(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<crate::accounts::ApiToken>;
    /// Records that a token was used.
    async fn touch_api_token(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()>;
}

/// What several server instances on one database must share: failed sign-ins (the rate limit)
/// and leases on periodic work (one instance sweeps at a time). Times are Unix seconds. Part of
/// [`Store`].
#[async_trait]
pub trait SharedStateStore: Send + Sync + 'static {
    /// Records one failed sign-in under each key (hashes of the account and of the address).
    async fn record_sign_in_failure(&self, keys: &[String], at: i64) -> StoreResult<()>;
    /// Failed sign-ins under `key` after `since`.
    async fn sign_in_failures_since(&self, key: &str, since: i64) -> StoreResult<u64>;
    /// Forgets the failures under `key` (after a successful sign-in).
    async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()>;
    /// Forgets failures from before `before`; returns how many.
    async fn prune_sign_in_failures(&self, before: i64) -> StoreResult<u64>;
    /// Takes (or renews) the lease `name` for `holder` until `until` when it is free, has run out
    /// by `now`, or is already `holder`'s. Whether `holder` now holds it.
    async fn try_lease(&self, name: &str, holder: &str, now: i64, until: i64) -> StoreResult<bool>;
    /// Gives up `holder`'s lease, so that any instance may take it at once.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
}

/// Moving records in and out of Tandem: CSV and FHIR imports and exports. Part of [`Store`].
#[async_trait]
pub trait InteropStore: Send + Sync + 'static {
    /// Enrolls every patient with their scores in one transaction: all of them or, on any
    /// refusal (`Conflict` for a taken MRN, `Invalid` for a score outside its episode), none.
    async fn import_enrollments(
        &self,
        imports: &[crate::model::ImportedEnrollment],
    ) -> StoreResult<Vec<Enrolled>>;
    /// The MRNs a clinic already uses (one index scan).
    async fn clinic_mrns(&self, clinic: ClinicId) -> StoreResult<Vec<String>>;
    /// A clinic's patients, episodes, live scores and contacts: four queries, whatever the size.
    async fn clinic_records(&self, clinic: ClinicId) -> StoreResult<crate::model::ClinicRecords>;
}

/// Patient self-report links and what they bring in. Part of [`Store`].
#[async_trait]
pub trait SelfReportStore: Send + Sync + 'static {
    /// Stores a new link. `Invalid` when the episode is not open.
    async fn create_self_report_link(
        &self,
        link: &crate::self_report::NewSelfReportLink,
    ) -> StoreResult<crate::self_report::SelfReportLink>;
    /// A patient's links, newest first.
    async fn self_report_links(
        &self,
        patient: PatientId,
    ) -> StoreResult<Vec<crate::self_report::SelfReportLink>>;
    /// One link with its owner.
    async fn self_report_link(
        &self,
        id: i64,
    ) -> StoreResult<Option<(crate::self_report::SelfReportLink, Owner)>>;
    /// The link whose token has this hash, with what the patient pages need.
    async fn self_report_visit(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<crate::self_report::LinkVisit>>;
    /// Counts a wrong birth date, locking the link (atomically) when the count reaches
    /// `lock_after`. Returns the link's life afterwards.
    async fn wrong_birth_date(
        &self,
        id: i64,
        at: DateTime<Utc>,
        lock_after: u32,
    ) -> StoreResult<crate::domain::self_report::LinkLife>;
    /// Records the right birth date: opened (the first time) and this device's visit.
    async fn open_self_report(
        &self,
        id: i64,
        at: DateTime<Utc>,
        visit_hash: &str,
        visit_until: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Saves the answers so far while the link is usable (`Conflict` otherwise), noting the
    /// first time item 9 was answered above 0.
    async fn save_self_report_draft(
        &self,
        id: i64,
        draft: &crate::domain::self_report::Draft,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Uses the link up and records its scores, in one transaction: `Conflict` when it was
    /// already used, revoked, locked or expired at `at`, and then nothing is recorded.
    async fn complete_self_report(
        &self,
        id: i64,
        scores: &[NewMeasurement],
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<Measurement>>;
    /// Withdraws a link (revoking twice keeps the first time).
    async fn revoke_self_report_link(
        &self,
        id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<crate::self_report::SelfReportLink>;
    /// The safety notices not yet seen and the latest self-report per open episode of a clinic
    /// (or of one care manager's episodes there): two queries.
    async fn self_report_caseload(
        &self,
        clinic: ClinicId,
        care_manager: Option<i64>,
    ) -> StoreResult<crate::self_report::SelfReportCaseload>;
    /// Marks a link's safety notice seen by `user`.
    async fn acknowledge_safety_notice(
        &self,
        link: i64,
        user: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// The store as the application holds it.
pub type SharedStore = Arc<dyn Store>;

/// Signing in and out: password checks, rate limits and session cookies live on the server; the
/// server functions reach them through this port.
#[async_trait]
pub trait Auth: Send + Sync + 'static {
    /// Checks the credentials (rate-limited per account and per address; one generic message for
    /// every failure), starts a new session and returns the `Set-Cookie` value that carries it,
    /// with the user's role.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: Option<std::net::IpAddr>,
    ) -> Result<(String, crate::policy::Role), crate::error::AppError>;
    /// Checks a new password against the rules and hashes it with argon2id.
    async fn hash_new_password(&self, password: &str) -> Result<String, crate::error::AppError>;
    /// Ends the session server-side and returns the `Set-Cookie` value that clears the cookie.
    async fn sign_out(
        &self,
        current: &crate::accounts::CurrentUser,
        ip: Option<std::net::IpAddr>,
    ) -> Result<String, crate::error::AppError>;
}

pub type SharedAuth = Arc<dyn Auth>;
