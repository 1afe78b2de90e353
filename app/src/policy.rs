//! Who may do what: the one place where Tandem's access rules are written down.
//!
//! Every server function and route asks [`authorize`] before it touches data; the user interface
//! may use the same function to hide what a user cannot do, but hiding is never the control.
//! The README's role table is this module in words, and `policy::tests` checks every cell.

use serde::{Deserialize, Serialize};

use crate::model::ClinicId;

/// A user's role. A user has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Follows a caseload: enrolls patients, records scores and contacts.
    CareManager,
    /// The consulting psychiatrist: reviews patients and records recommendations.
    PsychiatricConsultant,
    /// Watches the programme: outcomes, quality and billing reports; may view charts.
    ClinicLead,
    /// Manages users, clinics and clinic settings. Sees no patient data.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::CareManager,
        Role::PsychiatricConsultant,
        Role::ClinicLead,
        Role::Admin,
    ];

    /// The stored code, also used on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::CareManager => "care_manager",
            Role::PsychiatricConsultant => "psychiatric_consultant",
            Role::ClinicLead => "clinic_lead",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CareManager => "Care manager",
            Role::PsychiatricConsultant => "Psychiatric consultant",
            Role::ClinicLead => "Clinic lead",
            Role::Admin => "Administrator",
        }
    }
}

/// Something a user asks to do. Patient-level actions are checked against the patient's clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See the list of patients (names, MRNs) of a clinic.
    ListPatients,
    /// Open one patient's chart: scores, contacts, flags, history.
    ViewChart,
    /// Enroll, edit, discharge or re-enroll a patient.
    EditPatient,
    /// Record a PHQ-9/GAD-7 score or a contact.
    RecordCare,
    /// See the weekly case-review list of a clinic.
    ViewReviewList,
    /// Prepare and run the case review: add a patient to the list, mark one ready, defer one,
    /// start or end a meeting.
    PlanReview,
    /// Record a psychiatric recommendation and mark a patient reviewed.
    RecordRecommendation,
    /// Aggregate outcomes, quality measures and billing reports of a clinic.
    ViewReports,
    /// Export patient-level data (CSV, FHIR) of a clinic.
    ExportData,
    /// Create, edit and deactivate users.
    ManageUsers,
    /// Create and edit clinics and their flag settings.
    ManageClinics,
    /// Read the audit log.
    ViewAudit,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::ListPatients,
        Action::ViewChart,
        Action::EditPatient,
        Action::RecordCare,
        Action::ViewReviewList,
        Action::PlanReview,
        Action::RecordRecommendation,
        Action::ViewReports,
        Action::ExportData,
        Action::ManageUsers,
        Action::ManageClinics,
        Action::ViewAudit,
    ];

    /// Whether the action concerns one clinic's data, so the user must belong to that clinic.
    pub fn is_clinic_scoped(self) -> bool {
        !matches!(
            self,
            Action::ManageUsers | Action::ManageClinics | Action::ViewAudit
        )
    }
}

/// The signed-in user as the policy sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub role: Role,
    pub clinics: Vec<ClinicId>,
}

/// Why a request was refused. `NotFound` is used where saying "forbidden" would reveal that a
/// record exists in another clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Denied {
    #[error("your role does not allow this")]
    Role,
    #[error("not found")]
    OtherClinic,
}

/// Whether `role` may perform `action` at all, in its own clinics. This is the role table.
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::CareManager => matches!(
            action,
            ListPatients
                | ViewChart
                | EditPatient
                | RecordCare
                | ViewReviewList
                | PlanReview
                | ExportData
        ),
        Role::PsychiatricConsultant => matches!(
            action,
            ListPatients | ViewChart | ViewReviewList | PlanReview | RecordRecommendation
        ),
        Role::ClinicLead => matches!(action, ViewChart | ViewReports | ExportData),
        Role::Admin => matches!(action, ManageUsers | ManageClinics | ViewAudit),
    }
}

/// The access decision. For a clinic-scoped action `clinic` is the clinic that owns the data;
/// a user outside that clinic gets `OtherClinic`, which the server reports as "not found".
pub fn authorize(who: &Principal, action: Action, clinic: Option<ClinicId>) -> Result<(), Denied> {
    if !role_allows(who.role, action) {
        return Err(Denied::Role);
    }
    if action.is_clinic_scoped() {
        match clinic {
            Some(c) if who.clinics.contains(&c) => {}
            _ => return Err(Denied::OtherClinic),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: ClinicId = ClinicId(1);
    const OTHER: ClinicId = ClinicId(2);

    fn user(role: Role) -> Principal {
        Principal {
            user_id: 7,
            role,
            clinics: vec![OWN],
        }
    }

    /// The README role table, cell by cell: (action, care manager, consultant, lead, admin).
    const TABLE: [(Action, [bool; 4]); 12] = [
        (Action::ListPatients, [true, true, false, false]),
        (Action::ViewChart, [true, true, true, false]),
        (Action::EditPatient, [true, false, false, false]),
        (Action::RecordCare, [true, false, false, false]),
        (Action::ViewReviewList, [true, true, false, false]),
        (Action::PlanReview, [true, true, false, false]),
        (Action::RecordRecommendation, [false, true, false, false]),
        (Action::ViewReports, [false, false, true, false]),
        (Action::ExportData, [true, false, true, false]),
        (Action::ManageUsers, [false, false, false, true]),
        (Action::ManageClinics, [false, false, false, true]),
        (Action::ViewAudit, [false, false, false, true]),
    ];

    #[test]
    fn the_role_table_covers_every_action() {
        for action in Action::ALL {
            assert!(TABLE.iter().any(|(a, _)| *a == action), "{action:?}");
        }
    }

    #[test]
    fn every_role_and_action_in_the_own_clinic_follows_the_table() {
        for (action, allowed) in TABLE {
            for (role, expected) in Role::ALL.into_iter().zip(allowed) {
                let result = authorize(&user(role), action, Some(OWN));
                assert_eq!(result.is_ok(), expected, "{role:?} {action:?}");
                if !expected {
                    assert_eq!(result, Err(Denied::Role), "{role:?} {action:?}");
                }
            }
        }
    }

    #[test]
    fn nobody_reaches_another_clinics_patients() {
        for action in Action::ALL.into_iter().filter(|a| a.is_clinic_scoped()) {
            for role in Role::ALL {
                assert!(
                    authorize(&user(role), action, Some(OTHER)).is_err(),
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn another_clinics_record_is_reported_as_not_found_to_an_allowed_role() {
        assert_eq!(
            authorize(&user(Role::CareManager), Action::ViewChart, Some(OTHER)),
            Err(Denied::OtherClinic)
        );
    }

    #[test]
    fn a_clinic_scoped_action_without_a_clinic_is_refused() {
        assert_eq!(
            authorize(&user(Role::CareManager), Action::ListPatients, None),
            Err(Denied::OtherClinic)
        );
    }

    #[test]
    fn an_admin_manages_users_without_belonging_to_a_clinic() {
        let admin = Principal {
            user_id: 1,
            role: Role::Admin,
            clinics: vec![],
        };
        assert_eq!(authorize(&admin, Action::ManageUsers, None), Ok(()));
        assert_eq!(
            authorize(&admin, Action::ViewChart, Some(OWN)),
            Err(Denied::Role)
        );
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("superuser"), None);
    }
}
