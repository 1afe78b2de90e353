//! `tandem seed`: a deterministic synthetic registry for demonstrations and benchmarks.
//!
//! It writes into a registry without patients only: clinics named "Synthetic Clinic NN", their
//! staff (`lead.cNN@synthetic.example`, `psychiatrist.cNN@…`, `cmK.cNN@…`, all with one
//! password), and patients with record numbers `SYN…` and family names `Synthetic-…`, each with
//! one episode and its scores, contacts, reviews, recommendations, treatment changes, status
//! changes and the odd hospital discharge ([`plan`]). Patients go in groups of 2,000, each group
//! in one transaction of multi-row inserts ([`sql`]); then every clinic's review queue is brought
//! up to date and the planner's statistics refreshed.

pub mod plan;
pub mod sql;

use std::io::Write;
use std::time::Instant;

use app::accounts::{check_password, Email, NewUser};
use app::audit::{AuditEntry, AuditOutcome};
use app::model::ClinicId;
use app::policy::Role;
use app::ports::Store;
use chrono::NaiveDate;

use crate::config::SeedArgs;
use crate::db::Engine;
use crate::error::StartupError;
use plan::Shape;
use sql::{ClinicStaff, Counts, Layout};

/// Patients per transaction.
pub const GROUP: u32 = 2_000;
/// The most patients one run makes.
pub const MAX_PATIENTS: u32 = 1_000_000;

/// What to make.
#[derive(Debug, Clone)]
pub struct Options {
    pub patients: u32,
    pub clinics: Option<u32>,
    pub seed: u64,
    pub as_of: NaiveDate,
    pub password: String,
}

/// What was made.
#[derive(Debug, Clone)]
pub struct Summary {
    pub shape: Shape,
    pub users: u32,
    pub meetings: u64,
    pub counts: Counts,
    pub seconds: f64,
    /// The clinics' ids, in order.
    pub clinic_ids: Vec<i64>,
}

fn refuse(message: impl Into<String>) -> StartupError {
    StartupError::Command(message.into())
}

fn db_failed(what: &str) -> impl FnOnce(sqlx::Error) -> StartupError + '_ {
    move |e| refuse(format!("could not {what}: {e}"))
}

fn store_failed(what: &str) -> impl FnOnce(app::ports::StoreError) -> StartupError + '_ {
    move |e| refuse(format!("could not {what}: {e}"))
}

/// The synthetic staff emails of clinic `c` (1-based).
pub fn lead_email(c: u32) -> String {
    format!("lead.c{c:02}@synthetic.example")
}
pub fn psychiatrist_email(c: u32) -> String {
    format!("psychiatrist.c{c:02}@synthetic.example")
}
pub fn care_manager_email(c: u32, k: u32) -> String {
    format!("cm{k}.c{c:02}@synthetic.example")
}

async fn add_user(
    store: &dyn Store,
    email: String,
    name: String,
    role: Role,
    clinic: i64,
    hash: &str,
) -> Result<i64, StartupError> {
    let email = Email::parse(&email).map_err(|e| refuse(e.to_string()))?;
    let user = store
        .create_user(&NewUser {
            email,
            display_name: name,
            role,
            clinics: vec![ClinicId(clinic)],
            password_hash: hash.to_owned(),
        })
        .await
        .map_err(store_failed("create a synthetic user"))?;
    Ok(user.id)
}

/// Makes the registry. `progress` hears patients written so far after each group.
pub async fn seed(
    engine: &Engine,
    options: &Options,
    mut progress: impl FnMut(u64, u64),
) -> Result<Summary, StartupError> {
    let started = Instant::now();
    if options.patients == 0 || options.patients > MAX_PATIENTS {
        return Err(refuse(format!(
            "--patients must be between 1 and {MAX_PATIENTS}"
        )));
    }
    check_password(&options.password).map_err(|e| refuse(e.to_string()))?;
    let clinics = options
        .clinics
        .unwrap_or_else(|| Shape::default_clinics(options.patients));
    if clinics == 0 || clinics > 999 || clinics > options.patients {
        return Err(refuse(
            "--clinics must be between 1 and 999, and no more than the patients",
        ));
    }
    let store = engine.shared();
    let existing = engine
        .fetch_i64("SELECT COUNT(*) FROM patients")
        .await
        .map_err(db_failed("read the registry"))?;
    if existing > 0 {
        return Err(refuse(format!(
            "the registry already has {existing} patients; seed an empty database (for example \
             a new --data-dir)"
        )));
    }
    let settings = app::settings::ClinicSettings::default();
    let shape = Shape {
        patients: options.patients,
        clinics,
        seed: options.seed,
        as_of: options.as_of,
        meeting_day: settings.review_weekday(),
    };

    // Clinics and staff, through the store like any other.
    let hash = tokio::task::spawn_blocking({
        let password = options.password.clone();
        move || crate::password::hash(&password)
    })
    .await
    .map_err(|_| refuse("could not hash the password"))?
    .map_err(|e| refuse(format!("could not hash the password: {e}")))?;
    let mut staff = Vec::new();
    let mut users = 0;
    for c in 1..=clinics {
        let clinic = store
            .create_clinic(&format!("Synthetic Clinic {c:02}"))
            .await
            .map_err(store_failed("create a synthetic clinic"))?;
        let id = clinic.id.0;
        add_user(
            store.as_ref(),
            lead_email(c),
            format!("Lead Synthetic {c:02}"),
            Role::ClinicLead,
            id,
            &hash,
        )
        .await?;
        let consultant = add_user(
            store.as_ref(),
            psychiatrist_email(c),
            format!("Psychiatrist Synthetic {c:02}"),
            Role::PsychiatricConsultant,
            id,
            &hash,
        )
        .await?;
        let mut care_managers = Vec::new();
        for k in 1..=shape.care_managers(c - 1) {
            care_managers.push(
                add_user(
                    store.as_ref(),
                    care_manager_email(c, k),
                    format!("Care Manager {k} Synthetic {c:02}"),
                    Role::CareManager,
                    id,
                    &hash,
                )
                .await?,
            );
        }
        users += 2 + care_managers.len();
        staff.push(ClinicStaff {
            clinic_id: id,
            care_managers,
            consultant,
        });
    }
    let next_id = |table: &'static str| async move {
        engine
            .fetch_i64(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))
            .await
            .map_err(db_failed("read the registry"))
    };
    let layout = Layout {
        first_patient: next_id("patients").await?.max(next_id("episodes").await?),
        first_meeting: next_id("review_meetings").await?,
        meeting_days: shape.meeting_days(),
        clinics: staff,
        postgres: engine.is_postgres(),
    };
    let mut next_review = next_id("case_reviews").await?;
    engine
        .execute_in_one_transaction(&sql::meetings(&layout))
        .await
        .map_err(db_failed("write the meetings"))?;

    // Patients, a group per transaction. The next group is planned while one is written.
    let total = u64::from(shape.patients);
    let places: Vec<(u32, u32)> = (0..clinics)
        .flat_map(|c| (0..shape.clinic_size(c)).map(move |j| (c, j)))
        .collect();
    let mut counts = Counts::default();
    let mut done = 0u64;
    let plan_group = |from: usize| {
        let group: Vec<(u32, u32)> = places
            .iter()
            .skip(from)
            .take(GROUP as usize)
            .copied()
            .collect();
        tokio::task::spawn_blocking(move || {
            group
                .into_iter()
                .map(|(c, j)| plan::patient(&shape, c, j))
                .collect::<Vec<_>>()
        })
    };
    let mut next = plan_group(0);
    while (done as usize) < places.len() {
        let plans = next
            .await
            .map_err(|_| refuse("could not plan the synthetic patients"))?;
        next = plan_group(done as usize + plans.len());
        let (statements, added) = sql::patients(&layout, done, &plans, &mut next_review);
        engine
            .execute_in_one_transaction(&statements)
            .await
            .map_err(db_failed("write the synthetic patients"))?;
        counts += added;
        done += added.patients;
        progress(done, total);
    }
    drop(next);

    finish(engine, store.as_ref(), &shape).await?;
    let meetings = u64::try_from(layout.meeting_days.len() * layout.clinics.len()).unwrap_or(0);
    let clinic_ids: Vec<i64> = layout.clinics.iter().map(|c| c.clinic_id).collect();
    let entry = AuditEntry::new("registry.seed", None, None, None, AuditOutcome::Ok);
    if let Err(e) = store.append_audit(&entry).await {
        tracing::error!(error = %e, "could not write the audit entry");
    }
    Ok(Summary {
        shape,
        users: u32::try_from(users).unwrap_or(u32::MAX),
        meetings,
        counts,
        seconds: started.elapsed().as_secs_f64(),
        clinic_ids,
    })
}

/// Identity sequences past the explicit ids (PostgreSQL), fresh planner statistics, and every
/// clinic's review queue brought up to date.
async fn finish(engine: &Engine, store: &dyn Store, shape: &Shape) -> Result<(), StartupError> {
    if engine.is_postgres() {
        let statements: Vec<String> = ["patients", "episodes", "review_meetings", "case_reviews"]
            .iter()
            .map(|t| {
                format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                     (SELECT COALESCE(MAX(id), 1) FROM {t}))"
                )
            })
            .collect();
        engine
            .execute_in_one_transaction(&statements)
            .await
            .map_err(db_failed("move the id sequences"))?;
    }
    engine
        .refresh_statistics()
        .await
        .map_err(db_failed("refresh the statistics"))?;
    crate::sweep::refresh_review_queues(store, shape.as_of)
        .await
        .map_err(|e| refuse(format!("could not bring the review queues up to date: {e}")))?;
    Ok(())
}

fn out(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// A random password for the synthetic users when none is given.
fn random_password() -> Result<String, StartupError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|_| refuse("no randomness for a password"))?;
    Ok(hex::encode(bytes))
}

/// `tandem seed`.
pub async fn command(engine: &Engine, args: &SeedArgs) -> Result<(), StartupError> {
    let as_of = match args.as_of.as_deref() {
        Some(raw) => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
            refuse(format!(
                "--as-of must be a date like 2026-11-24, not {raw:?}"
            ))
        })?,
        None => app::model::today(),
    };
    let (password, printed) = match &args.password {
        Some(p) => (p.clone(), false),
        None => (random_password()?, true),
    };
    let options = Options {
        patients: args.patients,
        clinics: args.clinics,
        seed: args.seed,
        as_of,
        password: password.clone(),
    };
    let mut last_tenth = 0;
    let summary = seed(engine, &options, |done, total| {
        let tenth = done * 10 / total.max(1);
        if tenth > last_tenth {
            last_tenth = tenth;
            tracing::info!(done, total, "synthetic patients written");
        }
    })
    .await?;
    let c = &summary.counts;
    out(&format!(
        "Seeded a synthetic registry in {:.1} s ({}): {} clinics, {} users, {} patients with \
         one episode each, {} scores, {} contacts, {} meetings, {} case reviews, {} \
         recommendations, {} treatment changes, {} hospital discharges.",
        summary.seconds,
        engine.location,
        summary.shape.clinics,
        summary.users,
        c.patients,
        c.measurements,
        c.contacts,
        summary.meetings,
        c.reviews,
        c.recommendations,
        c.treatment_changes,
        c.hospital_events,
    ));
    out(&format!(
        "Sign in as {}, {} or {}.",
        care_manager_email(1, 1),
        psychiatrist_email(1),
        lead_email(1)
    ));
    if printed {
        out(&format!(
            "Every synthetic user's password is: {password}  (shown once; set it with \
             --password or TANDEM_SEED_PASSWORD)"
        ));
    }
    Ok(())
}
