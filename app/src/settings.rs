//! Per-clinic settings an administrator may change: the flag thresholds (DOMAIN.md §3–4) and the
//! target caseload (DOMAIN.md §6). Stored as one document per clinic; missing fields take their
//! documented defaults, so new settings can be added without a migration.

use serde::{Deserialize, Serialize};

use crate::domain::caseload::DEFAULT_TARGET_CASELOAD;
use crate::domain::flags::SettingError;
use crate::domain::FlagRules;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClinicSettings {
    /// Patients per 1.0 FTE care manager that the caseload chart measures against.
    pub target_caseload: u32,
    pub flag_rules: FlagRules,
    /// The weekday of the psychiatric case-review meeting, 1 = Monday … 7 = Sunday.
    pub review_weekday: u8,
    /// How CoCM months are coded (APCM mapping, G2214).
    pub billing: crate::domain::BillingSettings,
    /// Self-report links: how long they last and the crisis resources shown to patients.
    pub self_report: crate::domain::self_report::SelfReportSettings,
}

/// Wednesday. Choice: DOMAIN.md names no meeting day; clinics change it in their settings.
pub const DEFAULT_REVIEW_WEEKDAY: u8 = 3;

impl Default for ClinicSettings {
    fn default() -> Self {
        ClinicSettings {
            target_caseload: DEFAULT_TARGET_CASELOAD,
            flag_rules: FlagRules::default(),
            review_weekday: DEFAULT_REVIEW_WEEKDAY,
            billing: crate::domain::BillingSettings::default(),
            self_report: crate::domain::self_report::SelfReportSettings::default(),
        }
    }
}

impl ClinicSettings {
    /// The clinic's next case-review meeting: its weekday on or after `today`.
    pub fn next_meeting_on(&self, today: chrono::NaiveDate) -> chrono::NaiveDate {
        crate::domain::meeting::next_meeting_on(self.review_weekday(), today)
    }

    /// The weekday of the case-review meeting.
    pub fn review_weekday(&self) -> chrono::Weekday {
        crate::domain::meeting::weekday_from_number(self.review_weekday)
            .unwrap_or(chrono::Weekday::Wed)
    }

    /// Every out-of-range value, by field.
    pub fn validate(&self) -> Result<(), Vec<SettingError>> {
        let mut errors = self.flag_rules.validate().err().unwrap_or_default();
        if !(10..=300).contains(&self.target_caseload) {
            errors.insert(
                0,
                SettingError {
                    field: "target_caseload".to_owned(),
                    message: "must be 10–300 patients".to_owned(),
                },
            );
        }
        if crate::domain::meeting::weekday_from_number(self.review_weekday).is_none() {
            errors.push(SettingError {
                field: "review_weekday".to_owned(),
                message: "must be a weekday from 1 (Monday) to 7 (Sunday)".to_owned(),
            });
        }
        errors.extend(
            self.self_report
                .problems()
                .into_iter()
                .map(|(field, message)| SettingError {
                    field: field.to_owned(),
                    message: message.to_owned(),
                }),
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_target_caseload_is_80() {
        assert_eq!(ClinicSettings::default().target_caseload, 80);
        assert_eq!(ClinicSettings::default().validate(), Ok(()));
    }

    #[test]
    fn a_target_caseload_of_5_is_refused_by_name() {
        let settings = ClinicSettings {
            target_caseload: 5,
            ..ClinicSettings::default()
        };
        let errors = settings.validate().expect_err("invalid");
        assert_eq!(errors[0].field, "target_caseload");
    }
}
