//! Self-report links as stored and shown: the records that cross between the store, the server's
//! patient pages and the care manager's screens. The rules live in
//! [`crate::domain::self_report`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::self_report::{Draft, LinkLife, LinkStatus};
use crate::domain::Instrument;
use crate::model::{ClinicId, EpisodeId, PatientId};

/// One link, without its token (which is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfReportLink {
    pub id: i64,
    pub episode_id: EpisodeId,
    pub patient_id: PatientId,
    pub instruments: Vec<Instrument>,
    pub created_by: i64,
    pub created_by_name: String,
    pub life: LinkLife,
}

impl SelfReportLink {
    pub fn status(&self, now: DateTime<Utc>) -> LinkStatus {
        self.life.status(now)
    }

    /// "PHQ-9 + GAD-7".
    pub fn instruments_label(&self) -> String {
        self.instruments
            .iter()
            .map(|i| i.code())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// A link to store: the hash of its token and its life from the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSelfReportLink {
    pub episode_id: EpisodeId,
    pub token_hash: String,
    pub instruments: Vec<Instrument>,
    pub created_by: i64,
    pub life: LinkLife,
}

/// A link as the patient pages need it: the link, whose it is, and the answers so far. Only the
/// server reads this; the patient sees the clinic and the first name after the birth-date gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkVisit {
    pub link: SelfReportLink,
    pub clinic_id: ClinicId,
    pub clinic_name: String,
    pub given_name: String,
    pub birth_date: NaiveDate,
    /// The hash of the visit cookie of the device that passed the gate, while it lasts.
    pub visit_hash: Option<String>,
    pub visit_expires_at: Option<DateTime<Utc>>,
    pub draft: Draft,
}

impl LinkVisit {
    /// Whether a visit cookie with this hash is this link's current one at `now`.
    pub fn admits(&self, cookie_hash: &str, now: DateTime<Utc>) -> bool {
        self.visit_hash.as_deref() == Some(cookie_hash)
            && self.visit_expires_at.is_some_and(|until| now < until)
    }
}

/// A patient's positive answer to PHQ-9 item 9 through a link, until a care manager marks it
/// seen. It heads the caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyNotice {
    pub link_id: i64,
    pub patient_id: PatientId,
    pub patient_name: String,
    #[serde(with = "crate::wire_dates")]
    pub answered_at: DateTime<Utc>,
}

/// What the caseload shows of self-report: the safety notices, and the episodes whose latest
/// self-report arrived (with when).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfReportCaseload {
    pub notices: Vec<SafetyNotice>,
    #[serde(with = "crate::wire_dates")]
    pub received: Vec<(EpisodeId, DateTime<Utc>)>,
}
