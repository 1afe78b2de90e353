//! Periodic work that keeps the registry current between requests: every clinic's review queue
//! brought up to date (the rows that writes marked stale are evaluated again and their first
//! listed day stored), and sign-in failures older than the rate-limit window forgotten.
//!
//! With several `tandem serve` instances on one database, a lease in the database
//! (`SharedStateStore::try_lease`) lets one instance sweep at a time; the others skip that
//! round. A sweep that overlaps one another instance started after a lease ran out is still
//! correct: a queue row is only written when its version has not moved since it was read.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::error::AppError;
use app::ports::{SharedStore, Store};
use chrono::NaiveDate;

/// The lease's name in the `leases` table.
pub const LEASE: &str = "review-queue-sweep";
/// How long a lease lasts if its holder stops without giving it up.
pub const LEASE_SECONDS: i64 = 600;
/// Sign-in failures are forgotten after this many seconds (the rate limit's window).
const FAILURE_MEMORY_SECONDS: i64 = 15 * 60;

/// What a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub clinics: usize,
    /// Patients on the clinics' next review lists.
    pub listed: usize,
    pub forgotten_failures: u64,
}

/// A name for this instance in the lease table: process id and a random part.
pub fn instance_name() -> String {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    format!("pid-{}-{}", std::process::id(), hex::encode(bytes))
}

/// One sweep, if this instance gets the lease; `None` when another instance holds it.
pub async fn sweep_once(
    store: &dyn Store,
    holder: &str,
    today: NaiveDate,
) -> Result<Option<SweepReport>, AppError> {
    let now = chrono::Utc::now().timestamp();
    if !store
        .try_lease(LEASE, holder, now, now + LEASE_SECONDS)
        .await?
    {
        return Ok(None);
    }
    let result = sweep_clinics(store, today, now).await;
    if let Err(e) = store.release_lease(LEASE, holder).await {
        tracing::warn!(error = %e, "could not release the sweep lease; it runs out by itself");
    }
    result.map(Some)
}

async fn sweep_clinics(
    store: &dyn Store,
    today: NaiveDate,
    now: i64,
) -> Result<SweepReport, AppError> {
    let forgotten_failures = store
        .prune_sign_in_failures(now - FAILURE_MEMORY_SECONDS)
        .await?;
    let (clinics, listed) = refresh_review_queues(store, today).await?;
    Ok(SweepReport {
        clinics,
        listed,
        forgotten_failures,
    })
}

/// Builds every clinic's next review list on `today`, which evaluates the stale queue rows and
/// writes them back. Returns the clinics and the patients listed.
pub async fn refresh_review_queues(
    store: &dyn Store,
    today: NaiveDate,
) -> Result<(usize, usize), AppError> {
    let clinics = store.list_clinics().await?;
    let mut listed = 0;
    for clinic in &clinics {
        let settings = store.clinic_settings(clinic.id).await?;
        let meets_on = settings.next_meeting_on(today);
        let (board, _) = app::api::review::load::board(store, clinic.id, meets_on, today).await?;
        listed += board.rows.len();
    }
    Ok((clinics.len(), listed))
}

/// Sweeps now and then every `every`, until the task is aborted.
pub fn spawn(store: SharedStore, every: Duration) -> tokio::task::JoinHandle<()> {
    let holder = instance_name();
    tokio::spawn(async move {
        let store: Arc<dyn Store> = store;
        loop {
            let started = Instant::now();
            match sweep_once(store.as_ref(), &holder, app::model::today()).await {
                Ok(Some(r)) => tracing::info!(
                    clinics = r.clinics,
                    listed = r.listed,
                    forgotten_failures = r.forgotten_failures,
                    ms = started.elapsed().as_millis() as u64,
                    "review queues swept"
                ),
                Ok(None) => tracing::debug!("another instance holds the sweep lease"),
                Err(e) => tracing::warn!(error = %e, "review queue sweep failed"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
