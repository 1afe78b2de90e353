//! Audit trail entries: who did what to which record, when, from where, and how it ended.
//! Entries hold ids and codes only, never PHI.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How an audited request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Done as asked.
    Ok,
    /// Refused by the access policy.
    Denied,
    /// Attempted but failed (bad input, wrong password, conflict).
    Failed,
}

impl AuditOutcome {
    pub fn code(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [AuditOutcome::Ok, AuditOutcome::Denied, AuditOutcome::Failed]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// One entry to append. `action` is a short code such as `patient.view` or `user.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub user_id: Option<i64>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    pub ip: Option<String>,
    pub outcome: AuditOutcome,
}

impl AuditEntry {
    /// An entry for `action` by `user_id` (none for the console or an unknown visitor) on an
    /// optional record `(type, id)`, from an optional address.
    pub fn new(
        action: &str,
        user_id: Option<i64>,
        entity: Option<(&str, i64)>,
        ip: Option<std::net::IpAddr>,
        outcome: AuditOutcome,
    ) -> Self {
        AuditEntry {
            user_id,
            action: action.to_owned(),
            entity_type: entity.map(|(t, _)| t.to_owned()),
            entity_id: entity.map(|(_, id)| id),
            ip: ip.map(|i| i.to_string()),
            outcome,
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    #[serde(with = "crate::wire_dates")]
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    pub ip: Option<String>,
    pub outcome: AuditOutcome,
}

/// Filters for reading the audit log, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub user_id: Option<i64>,
    pub entity_type: Option<String>,
    pub entity_id: Option<i64>,
    /// Inclusive UTC dates.
    #[serde(default, with = "crate::wire_dates")]
    pub from: Option<NaiveDate>,
    #[serde(default, with = "crate::wire_dates")]
    pub to: Option<NaiveDate>,
    pub limit: u32,
}
