//! Enrollment: a new patient (or a discharged patient's new episode) with the care team, target
//! conditions and optional baseline PHQ-9 and GAD-7, all stored together or not at all.

// Form-backed server functions take one argument per form field; the `server` macro generates
// the client functions from them, so the allowance has to be module-wide.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::StaffMember;
use crate::error::AppError;
use crate::forms::AnswerFields;
use crate::model::{Clinic, Enrolled, Patient};

/// What the enrollment form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentForm {
    pub clinics: Vec<Clinic>,
    pub clinic: Clinic,
    pub staff: Vec<StaffMember>,
    /// The signed-in user, preselected as care manager when they are one.
    pub me: i64,
    /// Re-enrollment: the known patient (whose last episode is discharged).
    pub patient: Option<Patient>,
    #[serde(with = "crate::wire_dates")]
    pub today: chrono::NaiveDate,
}

#[server(GetEnrollmentForm, "/api/fn", output = crate::api::Wire)]
pub async fn get_enrollment_form(
    clinic: Option<i64>,
    patient: Option<i64>,
) -> Result<EnrollmentForm, AppError> {
    use crate::model::{today, ClinicId, PatientId};
    use crate::policy::Action;
    let store = super::context::store()?;
    let (principal, known, clinic) = match patient {
        Some(id) => {
            let (principal, record) = super::context::require_patient(
                Action::EditPatient,
                PatientId(id),
                "enrollment.view",
            )
            .await?;
            let clinic = record.patient.clinic_id;
            (principal, Some(record.patient), clinic)
        }
        None => {
            let current = super::context::current_user().ok_or(AppError::Unauthenticated)?;
            let clinic = clinic
                .map(ClinicId)
                .or_else(|| current.user.clinics.first().copied());
            let principal = super::context::require(
                Action::EditPatient,
                clinic,
                "enrollment.view",
                clinic.map(|c| ("clinic", c.0)),
            )
            .await?;
            let clinic = clinic.ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
            (principal, None, clinic)
        }
    };
    let (clinics, this) = super::context::member_clinics(&principal, clinic).await?;
    Ok(EnrollmentForm {
        clinics,
        clinic: this,
        staff: store.clinic_staff(clinic).await?,
        me: principal.user_id,
        patient: known,
        today: today(),
    })
}

/// Enrolls a patient. For a new patient every identity field is required; for re-enrollment
/// (`patient` set) they are ignored and the known patient gets a new episode.
#[server(Enroll, "/api/fn", output = crate::api::Wire)]
pub async fn enroll(
    clinic: i64,
    patient: Option<i64>,
    given_name: Option<String>,
    family_name: Option<String>,
    mrn: Option<String>,
    birth_date: Option<String>,
    pcp: String,
    care_manager: Option<String>,
    consultant: Option<String>,
    enrolled_on: String,
    targets: Option<Vec<String>>,
    phq9: Option<AnswerFields>,
    gad7: Option<AnswerFields>,
) -> Result<Enrolled, AppError> {
    use super::records::checks;
    use crate::domain::patient::check_birth_date;
    use crate::domain::{Instrument, Mrn, PersonName};
    use crate::forms::{any_answer, past_date, responses};
    use crate::model::{today, ClinicId, EnrollPatient, Enrollment, NewPatient, PatientId};
    use crate::policy::Action;

    let store = super::context::store()?;
    let (principal, who, clinic) = match patient {
        Some(id) => {
            let (principal, record) = super::context::require_patient(
                Action::EditPatient,
                PatientId(id),
                "patient.enroll",
            )
            .await?;
            let clinic = record.patient.clinic_id;
            (principal, None, clinic)
        }
        None => {
            let principal = super::context::require(
                Action::EditPatient,
                Some(ClinicId(clinic)),
                "patient.enroll",
                Some(("clinic", clinic)),
            )
            .await?;
            (principal, Some(()), ClinicId(clinic))
        }
    };
    let today = today();
    let result = async {
        let enroll_patient = match (who, patient) {
            (Some(()), _) => {
                let field = |v: &Option<String>| v.clone().unwrap_or_default();
                let given = PersonName::parse("given name", &field(&given_name))
                    .map_err(|e| AppError::invalid("given_name", e.to_string()))?;
                let family = PersonName::parse("family name", &field(&family_name))
                    .map_err(|e| AppError::invalid("family_name", e.to_string()))?;
                let mrn = Mrn::parse(&field(&mrn))
                    .map_err(|e| AppError::invalid("mrn", e.to_string()))?;
                let birth = past_date("birth_date", "birth date", &field(&birth_date), today)?;
                check_birth_date(birth, today)
                    .map_err(|e| AppError::invalid("birth_date", e.to_string()))?;
                EnrollPatient::New(NewPatient {
                    clinic_id: clinic,
                    mrn,
                    given_name: given,
                    family_name: family,
                    birth_date: birth,
                })
            }
            (None, Some(id)) => EnrollPatient::Existing(PatientId(id)),
            (None, None) => return Err(AppError::Internal),
        };
        let staff = store.clinic_staff(clinic).await?;
        let details = checks::details(
            &staff,
            care_manager.as_deref(),
            consultant.as_deref(),
            &pcp,
            targets.as_deref(),
        )?;
        let enrolled_on = past_date("enrolled_on", "enrollment date", &enrolled_on, today)?;
        let mut baselines = Vec::new();
        for (prefix, instrument, answers) in [
            ("phq9", Instrument::Phq9, phq9.unwrap_or_default()),
            ("gad7", Instrument::Gad7, gad7.unwrap_or_default()),
        ] {
            if any_answer(&answers) {
                baselines.push(responses(prefix, instrument, &answers)?);
            }
        }
        let enrolled = store
            .enroll(&Enrollment {
                patient: enroll_patient,
                enrolled_on,
                details,
                baselines,
                by_user: Some(principal.user_id),
            })
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(m) if m.contains("MRN") => AppError::invalid("mrn", m),
                other => other,
            })?;
        Ok(enrolled)
    }
    .await;
    let entity = patient.map_or(("clinic", clinic.0), |p| ("patient", p));
    let result = super::context::audited(&principal, "patient.enroll", entity, result).await?;
    tracing::info!(
        patient = result.patient_id.0,
        episode = result.episode_id.0,
        "enrolled"
    );
    Ok(result)
}
