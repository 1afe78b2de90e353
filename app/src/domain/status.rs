//! Episode status changes: active treatment → relapse prevention → discharged, each with a reason.
//!
//! DOMAIN.md names the statuses but not the transitions; the choices here are listed in
//! `docs/DOMAIN-NOTES.md`.

use serde::{Deserialize, Serialize};

use crate::model::EpisodeStatus;

/// Why an episode's status changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusReason {
    /// Enrollment or re-enrollment (recorded by the system).
    Started,
    /// Improved enough to move to relapse prevention.
    Improved,
    RemissionMet,
    ReferredSpecialty,
    Declined,
    LostToFollowUp,
    Moved,
    /// Symptoms returned during relapse prevention: back to active treatment.
    Relapse,
    Other,
}

impl StatusReason {
    pub const ALL: [StatusReason; 9] = [
        StatusReason::Started,
        StatusReason::Improved,
        StatusReason::RemissionMet,
        StatusReason::ReferredSpecialty,
        StatusReason::Declined,
        StatusReason::LostToFollowUp,
        StatusReason::Moved,
        StatusReason::Relapse,
        StatusReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StatusReason::Started => "started",
            StatusReason::Improved => "improved",
            StatusReason::RemissionMet => "remission_met",
            StatusReason::ReferredSpecialty => "referred_specialty",
            StatusReason::Declined => "declined",
            StatusReason::LostToFollowUp => "lost_to_follow_up",
            StatusReason::Moved => "moved",
            StatusReason::Relapse => "relapse",
            StatusReason::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        StatusReason::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusReason::Started => "Enrolled",
            StatusReason::Improved => "Improved",
            StatusReason::RemissionMet => "Remission met",
            StatusReason::ReferredSpecialty => "Referred to specialty care",
            StatusReason::Declined => "Declined further care",
            StatusReason::LostToFollowUp => "Lost to follow-up",
            StatusReason::Moved => "Moved away",
            StatusReason::Relapse => "Relapse",
            StatusReason::Other => "Other",
        }
    }

    /// The reasons a user may choose for a change to `to` (never `Started`).
    pub fn choices(to: EpisodeStatus) -> &'static [StatusReason] {
        match to {
            EpisodeStatus::Active => &[StatusReason::Relapse, StatusReason::Other],
            EpisodeStatus::RelapsePrevention => &[
                StatusReason::Improved,
                StatusReason::RemissionMet,
                StatusReason::Other,
            ],
            EpisodeStatus::Discharged => &[
                StatusReason::RemissionMet,
                StatusReason::ReferredSpecialty,
                StatusReason::Declined,
                StatusReason::LostToFollowUp,
                StatusReason::Moved,
                StatusReason::Other,
            ],
        }
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StatusChangeError {
    #[error("the episode is already {}", .0.label().to_lowercase())]
    Unchanged(EpisodeStatus),
    #[error(
        "a discharged episode cannot change status; re-enroll the patient to open a new episode"
    )]
    FromDischarged,
    #[error("\u{201c}{}\u{201d} is not a reason for a change to {}", .reason.label(), .to.label().to_lowercase())]
    WrongReason {
        to: EpisodeStatus,
        reason: StatusReason,
    },
    #[error("the note is required when the reason is \u{201c}Other\u{201d}")]
    NoteRequired,
}

/// Checks a status change. Allowed: active ↔ relapse prevention, and either → discharged.
/// A discharged episode stays discharged (re-enrollment opens a new episode). "Other" needs a note.
pub fn check_status_change(
    from: EpisodeStatus,
    to: EpisodeStatus,
    reason: StatusReason,
    note: &str,
) -> Result<(), StatusChangeError> {
    if from == EpisodeStatus::Discharged {
        return Err(StatusChangeError::FromDischarged);
    }
    if from == to {
        return Err(StatusChangeError::Unchanged(from));
    }
    if !StatusReason::choices(to).contains(&reason) {
        return Err(StatusChangeError::WrongReason { to, reason });
    }
    if reason == StatusReason::Other && note.trim().is_empty() {
        return Err(StatusChangeError::NoteRequired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_status_change_follows_the_episode_course() {
        use EpisodeStatus::*;
        assert!(check_status_change(Active, RelapsePrevention, StatusReason::Improved, "").is_ok());
        assert!(check_status_change(RelapsePrevention, Active, StatusReason::Relapse, "").is_ok());
        assert!(check_status_change(Active, Discharged, StatusReason::LostToFollowUp, "").is_ok());
        assert_eq!(
            check_status_change(Discharged, Active, StatusReason::Relapse, ""),
            Err(StatusChangeError::FromDischarged)
        );
        assert_eq!(
            check_status_change(Active, Active, StatusReason::Other, "x"),
            Err(StatusChangeError::Unchanged(Active))
        );
        assert!(matches!(
            check_status_change(Active, Discharged, StatusReason::Relapse, ""),
            Err(StatusChangeError::WrongReason { .. })
        ));
        assert_eq!(
            check_status_change(Active, Discharged, StatusReason::Other, "  "),
            Err(StatusChangeError::NoteRequired)
        );
    }

    proptest! {
        /// Nothing leaves "discharged", nothing is a change to itself, and "started" is never a
        /// user's choice.
        #[test]
        fn status_changes_never_reopen_or_start(from in 0usize..3, to in 0usize..3, reason in 0usize..9) {
            let from = EpisodeStatus::ALL[from];
            let to = EpisodeStatus::ALL[to];
            let reason = StatusReason::ALL[reason];
            let ok = check_status_change(from, to, reason, "note").is_ok();
            if from == EpisodeStatus::Discharged || from == to || reason == StatusReason::Started {
                prop_assert!(!ok);
            }
            for code in StatusReason::ALL.map(StatusReason::code) {
                prop_assert_eq!(StatusReason::from_code(code).map(StatusReason::code), Some(code));
            }
        }
    }
}
