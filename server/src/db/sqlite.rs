//! The embedded SQLite store: one file, WAL journal, `synchronous=FULL`, foreign keys on.
//!
//! Writes go through a pool of one connection and start with `BEGIN IMMEDIATE`, so a write
//! transaction takes the database lock up front (and waits on the busy timeout) instead of
//! failing when a deferred transaction tries to upgrade. Should the lock still be busy when the
//! timeout ends (another process, such as a maintenance command, holding it), the start is retried
//! a bounded number of times before the error reaches the user. Reads use a separate pool and
//! run concurrently with the writer under WAL.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use app::ports::{Backend, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use super::care::impl_care_store;
use super::common::{impl_store, map_err};
use super::interop::impl_interop_store;
use super::report::impl_report_store;
use super::review::impl_review_store;
use super::self_report::impl_self_report_store;
use super::shared_state::impl_shared_state_store;
use super::token::impl_token_store;

/// How long a connection waits for another's lock before reporting busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many more times a write transaction's start is tried after SQLite reports the database
/// busy or locked, and the pause before the first retry (doubled each time).
const BUSY_RETRIES: u32 = 4;
const BUSY_BACKOFF: Duration = Duration::from_millis(50);

/// Whether SQLite reported the database busy or locked (primary result codes 5 and 6, whatever
/// the extended code).
fn is_busy(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    db.code()
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`. Does not migrate.
    pub async fn open(path: &Path) -> Result<Self, sqlx::Error> {
        Self::open_with_busy_timeout(path, BUSY_TIMEOUT).await
    }

    /// [`SqliteStore::open`] with another busy timeout (tests use a short one).
    pub async fn open_with_busy_timeout(path: &Path, busy: Duration) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .busy_timeout(busy);
        Self::open_with(options).await
    }

    /// Opens a `sqlite:` URL (for example `sqlite://data/tandem.db` or `sqlite::memory:`).
    pub async fn open_url(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT);
        Self::open_with(options).await
    }

    async fn open_with(options: SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        // A local file does not go stale: skip the ping before every checkout (it doubled the
        // cost of short reads).
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(SqliteStore { read, write })
    }

    /// Applies the embedded migrations on the write connection.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.write).await
    }

    pub(crate) fn read_pool(&self) -> &SqlitePool {
        &self.read
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        let mut pause = BUSY_BACKOFF;
        let mut retry = 0;
        loop {
            match self.write.begin_with("BEGIN IMMEDIATE").await {
                Err(e) if is_busy(&e) && retry < BUSY_RETRIES => {
                    retry += 1;
                    tracing::warn!(retry, "database busy; retrying the write");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                other => return other.map_err(map_err),
            }
        }
    }

    /// The write pool, for maintenance commands and tests.
    pub fn write_pool(&self) -> &SqlitePool {
        &self.write
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

impl_store!(SqliteStore, sqlx::Sqlite, Backend::Sqlite);
impl_care_store!(SqliteStore, sqlx::Sqlite);
impl_review_store!(SqliteStore, sqlx::Sqlite);
impl_report_store!(SqliteStore, sqlx::Sqlite);
impl_token_store!(SqliteStore, sqlx::Sqlite);
impl_interop_store!(SqliteStore, sqlx::Sqlite);
impl_shared_state_store!(SqliteStore, sqlx::Sqlite);
impl_self_report_store!(SqliteStore, sqlx::Sqlite);
