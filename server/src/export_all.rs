//! `tandem export`: the whole registry (or one clinic) written to a new directory as CSV and
//! FHIR, for leaving Tandem or handing the records to another system.
//!
//! The directory holds `clinics.csv`; per clinic `clinic-<id>/measurements.csv`, `contacts.csv`
//! and `caseload.csv` (the layouts of the clinic's own exports, so the measurements import back
//! as they are); and `fhir/Patient.ndjson`, `Observation.ndjson` and
//! `QuestionnaireResponse.ndjson` (one resource per line, as FHIR bulk data is exchanged). The
//! files are written to a staging directory that is renamed into place at the end, so a failed
//! export leaves nothing behind. Each exported clinic is audited.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use app::model::Clinic;
use app::ports::Store;
use chrono::NaiveDate;

use crate::admin_cli::{audit, find_clinic, out, refuse};
use crate::error::StartupError;
use crate::fhir::resources;
use crate::transfer::{export, records_csv, Export};

/// What an export wrote, for the summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub clinics: usize,
    pub patients: usize,
    pub measurements: usize,
    pub contacts: usize,
}

/// Exports `clinic` (or every clinic when `None`) into `to`, which must not exist or be empty.
pub async fn command(
    store: &dyn Store,
    clinic: Option<&str>,
    to: &Path,
) -> Result<(), StartupError> {
    let clinics = store
        .list_clinics()
        .await
        .map_err(|e| refuse(e.to_string()))?;
    let chosen: Vec<Clinic> = match clinic {
        None => clinics,
        Some(wanted) => vec![find_clinic(&clinics, wanted)?.clone()],
    };
    let written = write_registry(store, &chosen, to, app::model::today()).await?;
    for c in &chosen {
        audit(store, "registry.export", Some(("clinic", c.id.0))).await;
    }
    out(&format!(
        "exported {} clinic(s), {} patient(s), {} score(s) and {} contact(s) to {}",
        written.clinics,
        written.patients,
        written.measurements,
        written.contacts,
        to.display()
    ));
    Ok(())
}

fn io_error(what: &Path, e: std::io::Error) -> StartupError {
    refuse(format!("cannot write {}: {e}", what.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StartupError> {
    let mut f = std::fs::File::create(path).map_err(|e| io_error(path, e))?;
    f.write_all(bytes).map_err(|e| io_error(path, e))?;
    f.sync_all().map_err(|e| io_error(path, e))
}

fn staging_for(to: &Path) -> PathBuf {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_owned());
    to.with_file_name(format!(".{name}.partial"))
}

/// Writes the chosen clinics' records under `to` (staged, then renamed into place).
pub async fn write_registry(
    store: &dyn Store,
    clinics: &[Clinic],
    to: &Path,
    today: NaiveDate,
) -> Result<Written, StartupError> {
    if to.exists() {
        let empty = std::fs::read_dir(to)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(refuse(format!(
                "{} already exists and is not empty; choose a new directory",
                to.display()
            )));
        }
    }
    let staging = staging_for(to);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| io_error(&staging, e))?;
    }
    let result = fill(store, clinics, &staging, today).await;
    match result {
        Ok(written) => {
            if to.exists() {
                std::fs::remove_dir(to).map_err(|e| io_error(to, e))?;
            }
            std::fs::rename(&staging, to).map_err(|e| io_error(to, e))?;
            Ok(written)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

async fn fill(
    store: &dyn Store,
    clinics: &[Clinic],
    dir: &Path,
    today: NaiveDate,
) -> Result<Written, StartupError> {
    let fhir = dir.join("fhir");
    std::fs::create_dir_all(&fhir).map_err(|e| io_error(&fhir, e))?;
    let mut written = Written::default();
    let mut listing = csv::Writer::from_writer(Vec::new());
    let mut patients = Vec::new();
    let mut observations = Vec::new();
    let mut responses = Vec::new();
    let csv_failed = |e: csv::Error| refuse(format!("cannot write clinics.csv: {e}"));
    listing.write_record(["id", "name"]).map_err(csv_failed)?;
    for clinic in clinics {
        listing
            .write_record([
                clinic.id.0.to_string(),
                app::spreadsheet::cell(&clinic.name),
            ])
            .map_err(csv_failed)?;
        let folder = dir.join(format!("clinic-{}", clinic.id.0));
        std::fs::create_dir_all(&folder).map_err(|e| io_error(&folder, e))?;
        // One read of the clinic's records serves both CSV files and the FHIR resources.
        let records = store
            .clinic_records(clinic.id)
            .await
            .map_err(|e| refuse(e.to_string()))?;
        for kind in [Export::Measurements, Export::Contacts, Export::Caseload] {
            let bytes = match kind {
                Export::Caseload => export(store, clinic.id, kind, today).await,
                _ => records_csv(&records, kind),
            }
            .map_err(|e| refuse(e.to_string()))?;
            write_file(&folder.join(format!("{}.csv", kind.name())), &bytes)?;
        }
        let patient_of: HashMap<_, _> = records
            .episodes
            .iter()
            .map(|e| (e.id, e.patient_id.0))
            .collect();
        for p in &records.patients {
            ndjson_line(&mut patients, &resources::patient(p));
        }
        for m in &records.measurements {
            let Some(patient) = patient_of.get(&m.episode_id) else {
                continue;
            };
            ndjson_line(&mut observations, &resources::observation(m, *patient));
            if let Some(qr) = resources::questionnaire_response(m, *patient) {
                ndjson_line(&mut responses, &qr);
            }
        }
        written.clinics += 1;
        written.patients += records.patients.len();
        written.measurements += records.measurements.len();
        written.contacts += records.contacts.len();
    }
    let listing = listing
        .into_inner()
        .map_err(|e| refuse(format!("cannot write clinics.csv: {e}")))?;
    write_file(&dir.join("clinics.csv"), &listing)?;
    write_file(&fhir.join("Patient.ndjson"), &patients)?;
    write_file(&fhir.join("Observation.ndjson"), &observations)?;
    write_file(&fhir.join("QuestionnaireResponse.ndjson"), &responses)?;
    Ok(written)
}

fn ndjson_line(buf: &mut Vec<u8>, resource: &serde_json::Value) {
    // Serializing a `Value` into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, resource);
    buf.push(b'\n');
}
