//! The clinical rules of Tandem, as pure functions over plain data.
//!
//! Nothing in this module does I/O or depends on Leptos or sqlx, so the same code runs on the server
//! and in the browser. `shared/DOMAIN.md` is the source of truth for every rule here; each rule lives
//! in one function and has a test named after it. Where DOMAIN.md is silent or ambiguous, the choice
//! made is documented on the function and listed in `docs/DOMAIN-NOTES.md`.

pub mod billing;
pub mod caseload;
pub mod episode;
pub mod exclusion;
pub mod flags;
pub mod instrument;
pub mod intensity;
pub mod loinc;
pub mod meeting;
pub mod outcomes;
pub mod patient;
pub mod programme;
pub mod quality;
pub mod review;
pub mod self_report;
pub mod status;

pub use billing::{
    bill_episode_month, bill_month, BillingCode, BillingSettings, MonthBill, YearMonth,
};
pub use episode::{
    episode_metrics, Contact, ContactKind, DischargeSetting, EpisodeData, EpisodeMetrics,
    HospitalDischarge, Program, ReviewMark, Score, TargetCondition,
};
pub use flags::{evaluate_flags, next_contact_due, Flag, FlagContext, FlagKind, FlagRules};
pub use instrument::{Difficulty, Instrument, InstrumentError, Responses, Severity};
pub use intensity::{
    assess_intensity, CareIntensity, IntensityAssessment, IntensityFacts, IntensityReason,
    SocialNeed,
};
pub use meeting::{MeetingOutcome, RecommendationKind, TaskStatus};
pub use patient::{IdentityError, Mrn, PersonName};
pub use quality::QualityMeasure;
pub use review::{review_list, ReviewCandidate, ReviewEntry};
pub use status::{check_status_change, StatusChangeError, StatusReason};
