//! Importing patients and their historical scores from a spreadsheet: checked whole, then stored
//! in one transaction or not at all. The layouts are in [`crate::spreadsheet`]; the browser's import
//! page, the JSON API and the command line all run [`load::import`].

use leptos::prelude::*;

use crate::error::AppError;
use crate::spreadsheet::ImportOutcome;

#[cfg(feature = "ssr")]
pub mod load {
    use std::collections::HashSet;

    use chrono::NaiveDate;

    use crate::error::AppError;
    use crate::model::{
        ClinicId, EnrollPatient, Enrollment, EpisodeDetails, ImportedEnrollment, NewPatient,
    };
    use crate::ports::Store;
    use crate::spreadsheet::{plan, ImportOutcome, PreviewRow};

    /// Checks a file and, when `commit` is set and it has no errors, enrolls its patients with
    /// their scores in one transaction.
    pub async fn import(
        store: &dyn Store,
        clinic: ClinicId,
        bytes: &[u8],
        by_user: Option<i64>,
        commit: bool,
        today: NaiveDate,
    ) -> Result<ImportOutcome, AppError> {
        let existing: HashSet<String> = store.clinic_mrns(clinic).await?.into_iter().collect();
        let plan = plan(bytes, &existing, today);
        let mut outcome = ImportOutcome {
            layout: plan.layout,
            rows: plan.rows,
            patients: plan.patients.len(),
            scores: plan.scores(),
            committed: false,
            preview: plan
                .patients
                .iter()
                .map(|p| PreviewRow {
                    row: p.row,
                    mrn: p.mrn.as_str().to_owned(),
                    enrolled_on: p.enrolled_on.to_string(),
                    scores: p.scores.len(),
                })
                .collect(),
            errors: plan.errors.clone(),
        };
        if !commit || !plan.errors.is_empty() {
            return Ok(outcome);
        }
        let imports: Vec<ImportedEnrollment> = plan
            .patients
            .into_iter()
            .map(|p| ImportedEnrollment {
                enrollment: Enrollment {
                    patient: EnrollPatient::New(NewPatient {
                        clinic_id: clinic,
                        mrn: p.mrn,
                        given_name: p.given_name,
                        family_name: p.family_name,
                        birth_date: p.birth_date,
                    }),
                    enrolled_on: p.enrolled_on,
                    details: EpisodeDetails {
                        targets: p.targets,
                        ..EpisodeDetails::default()
                    },
                    baselines: Vec::new(),
                    by_user,
                },
                measurements: p.scores,
            })
            .collect();
        store.import_enrollments(&imports).await?;
        outcome.committed = true;
        Ok(outcome)
    }

    /// The audit action of an import (`commit`) or of a check.
    pub fn audit_action(commit: bool) -> &'static str {
        if commit {
            "patients.import"
        } else {
            "patients.import_check"
        }
    }

    /// [`import`] for `by_user` (`None` at the command line), the way every entry point runs it: a
    /// file with errors is a failed import or check in the audit log, like a refused form, and a
    /// stored import is logged by its counts.
    pub async fn audited_import(
        store: &dyn Store,
        clinic: ClinicId,
        bytes: &[u8],
        by_user: Option<i64>,
        ip: Option<std::net::IpAddr>,
        commit: bool,
        today: NaiveDate,
    ) -> Result<ImportOutcome, AppError> {
        let outcome = import(store, clinic, bytes, by_user, commit, today).await;
        if !matches!(&outcome, Ok(o) if o.errors.is_empty()) {
            let entry = crate::audit::AuditEntry::new(
                audit_action(commit),
                by_user,
                Some(("clinic", clinic.0)),
                ip,
                crate::audit::AuditOutcome::Failed,
            );
            store.append_audit(&entry).await?;
        }
        if let Ok(o) = &outcome {
            if o.committed {
                tracing::info!(clinic = clinic.0, patients = o.patients, "imported");
            }
        }
        outcome
    }
}

/// Checks pasted spreadsheet cells or CSV text (`commit` false), or imports it (`commit` true),
/// for a clinic the care manager works in. Audited either way, failures included.
#[server(ImportPatients, "/api/fn", output = crate::api::Wire)]
pub async fn import_patients(
    clinic: i64,
    csv: String,
    commit: Option<String>,
) -> Result<ImportOutcome, AppError> {
    use crate::model::{today, ClinicId};
    use crate::policy::Action;
    let commit = commit.as_deref() == Some("true");
    let principal = super::context::require(
        Action::EditPatient,
        Some(ClinicId(clinic)),
        load::audit_action(commit),
        Some(("clinic", clinic)),
    )
    .await?;
    if csv.trim().is_empty() {
        return Err(AppError::invalid(
            "csv",
            "Choose a CSV file or paste the spreadsheet's cells.",
        ));
    }
    let store = super::context::store()?;
    load::audited_import(
        store.as_ref(),
        ClinicId(clinic),
        csv.as_bytes(),
        Some(principal.user_id),
        super::context::client_ip(),
        commit,
        today(),
    )
    .await
}
