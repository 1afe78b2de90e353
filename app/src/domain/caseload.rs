//! Caseload and contact guidance (DOMAIN.md §6, AIMS Center).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::episode::{add_days, EpisodeData};

/// The patient mix a care manager serves; it sets the recommended caseload range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseloadMix {
    /// Medicaid or uninsured, behavioral health only.
    PublicBehavioral,
    /// Medicaid or uninsured, with medical conditions.
    PublicWithMedical,
    /// Commercial, behavioral health only.
    CommercialBehavioral,
    /// Commercial, with medical conditions.
    CommercialWithMedical,
}

impl CaseloadMix {
    /// The recommended active caseload per 1.0 FTE care manager, inclusive.
    pub fn recommended_range(self) -> (u32, u32) {
        match self {
            CaseloadMix::PublicBehavioral => (60, 80),
            CaseloadMix::PublicWithMedical => (50, 75),
            CaseloadMix::CommercialBehavioral => (90, 120),
            CaseloadMix::CommercialWithMedical => (80, 100),
        }
    }
}

/// The clinic's target caseload per 1.0 FTE care manager *(clinic setting)*.
pub const DEFAULT_TARGET_CASELOAD: u32 = 80;

/// Psychiatric-consultant hours a week per full-time care manager.
pub const CONSULTANT_HOURS_PER_CARE_MANAGER_FTE: f64 = 3.0;

/// A care manager's load against the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadLoad {
    pub active: u32,
    pub fte: f64,
    /// Target scaled to the FTE, rounded down.
    pub target: u32,
    /// active / target; `None` for an FTE of 0.
    pub share_of_target: Option<f64>,
}

/// A care manager's active caseload against the clinic target scaled by FTE. Choice: an FTE that
/// is not a positive finite number has no target.
pub fn caseload_load(active: u32, fte: f64, target_per_fte: u32) -> CaseloadLoad {
    let fte_ok = fte.is_finite() && fte > 0.0;
    let target = if fte_ok {
        (f64::from(target_per_fte) * fte)
            .floor()
            .clamp(0.0, f64::from(u32::MAX)) as u32
    } else {
        0
    };
    CaseloadLoad {
        active,
        fte,
        target,
        share_of_target: (target > 0).then(|| f64::from(active) / f64::from(target)),
    }
}

/// Weekly psychiatric-consultant hours suggested for the care-manager FTE.
pub fn consultant_hours_per_week(care_manager_fte: f64) -> f64 {
    if care_manager_fte.is_finite() && care_manager_fte > 0.0 {
        care_manager_fte * CONSULTANT_HOURS_PER_CARE_MANAGER_FTE
    } else {
        0.0
    }
}

/// Days after the initial assessment within which a follow-up contact predicts improvement
/// (Bao et al. 2016: "within 4 weeks").
pub const EARLY_FOLLOW_UP_DAYS: u64 = 28;

/// Whether a completed contact followed the initial assessment within 4 weeks. Choice: the
/// initial assessment is the enrollment date, and the follow-up is a completed contact dated
/// after it, up to 28 days later.
pub fn followed_up_within_4_weeks(episode: &EpisodeData) -> bool {
    let start = episode.enrolled_on;
    let by = add_days(start, EARLY_FOLLOW_UP_DAYS);
    episode.completed_contacts(by).any(|c| c.on > start)
}

/// The date by which the early follow-up contact is due.
pub fn early_follow_up_due(enrolled_on: NaiveDate) -> NaiveDate {
    add_days(enrolled_on, EARLY_FOLLOW_UP_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::episode::tests::{contact, date, episode};
    use crate::domain::episode::ContactKind;

    #[test]
    fn recommended_caseloads_follow_the_aims_ranges() {
        assert_eq!(CaseloadMix::PublicBehavioral.recommended_range(), (60, 80));
        assert_eq!(
            CaseloadMix::CommercialBehavioral.recommended_range(),
            (90, 120)
        );
    }

    #[test]
    fn a_half_time_care_manager_has_half_the_target() {
        let load = caseload_load(50, 0.5, DEFAULT_TARGET_CASELOAD);
        assert_eq!(load.target, 40);
        assert_eq!(load.share_of_target, Some(1.25));
        assert_eq!(caseload_load(5, 0.0, 80).share_of_target, None);
        assert_eq!(caseload_load(5, f64::NAN, 80).target, 0);
    }

    #[test]
    fn the_consultant_gives_3_hours_a_week_per_full_time_care_manager() {
        assert_eq!(consultant_hours_per_week(2.0), 6.0);
        assert_eq!(consultant_hours_per_week(-1.0), 0.0);
    }

    #[test]
    fn a_completed_contact_within_28_days_of_enrollment_counts_as_early_follow_up() {
        let mut e = episode(&[]);
        e.contacts = vec![
            contact("2026-01-05", ContactKind::InPerson),
            contact("2026-01-20", ContactKind::NoShow),
        ];
        assert!(!followed_up_within_4_weeks(&e));
        e.contacts.push(contact("2026-02-02", ContactKind::Phone));
        assert!(followed_up_within_4_weeks(&e));
        assert_eq!(early_follow_up_due(e.enrolled_on), date("2026-02-02"));
    }
}
