//! Persistence: the SQLite and PostgreSQL implementations of `app::ports::Store`, and opening and
//! migrating whichever one the configuration names.

pub(crate) mod care;
pub(crate) mod care_rows;
pub(crate) mod care_sql;
pub(crate) mod common;
pub(crate) mod interop;
pub(crate) mod packed;
pub mod postgres;
pub(crate) mod report;
pub(crate) mod report_rows;
pub(crate) mod report_sql;
pub(crate) mod review;
pub(crate) mod review_rows;
pub(crate) mod review_sql;
pub(crate) mod rows;
pub(crate) mod self_report;
pub(crate) mod shared_state;
pub(crate) mod sql;
pub mod sqlite;
pub(crate) mod token;

use std::path::PathBuf;
use std::sync::Arc;

use app::ports::SharedStore;

use crate::config::Database;
use crate::error::StartupError;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// The review list's candidate read on SQLite, exposed for query-plan tests and benchmarks: the
/// statement that selects the candidates with their queue rows (binds: clinic, evaluation day,
/// meeting day), and the statements that then read a list of 8 candidate ids (records for the
/// rules, reviews, recommendations, "ready" summaries).
pub fn review_candidate_statements() -> (&'static str, Vec<&'static str>) {
    let s = review_sql::candidates_for(8, review_sql::Json::Sqlite);
    let r = &s.records;
    (
        care_sql::CANDIDATES.as_str(),
        vec![
            &r.episodes,
            &r.measurements,
            &r.contacts,
            &r.hospital_events,
            &r.treatment_changes,
            &r.reviews,
            &r.marks,
            &s.reviews,
            &s.recommendations,
            &s.preps,
        ],
    )
}

/// The patient-list statement (all clinics, or one clinic), exposed for query-plan tests.
pub fn list_patients_sql(by_clinic: bool) -> &'static str {
    sql::list_patients(by_clinic)
}

/// The seven statements that load open episodes for the rules (episodes, scores, contacts,
/// events, treatment changes, reviews, marks), for a care manager's caseload (`mine`) or a whole
/// clinic; exposed for query-plan tests.
pub fn caseload_statements(mine: bool) -> [&'static str; 7] {
    let s = care_sql::caseload(mine);
    [
        &s.episodes,
        &s.measurements,
        &s.contacts,
        &s.hospital_events,
        &s.treatment_changes,
        &s.reviews,
        &s.marks,
    ]
}

/// The caseload's two self-report statements (unseen safety notices, received self-reports) for a
/// care manager's caseload (`mine`) or a whole clinic; exposed for query-plan tests.
pub fn self_report_caseload_statements(mine: bool) -> [String; 2] {
    [self_report::notices(mine), self_report::received(mine)]
}

/// The four statements that load a report's population (binds: clinic, care manager, enrollment
/// period start and end, open since), for plan checks and benchmarks.
pub fn report_population_statements() -> [&'static str; 4] {
    let s = &*report_sql::POPULATION;
    [
        &s.episodes,
        report_sql::PACKED_SCORES.as_str(),
        report_sql::PACKED_CONTACTS.as_str(),
        &s.reviews,
    ]
}

/// The one statement that hands over a report's episodes for the outcome figures.
pub fn outcome_episodes_statement() -> &'static str {
    report_sql::OUTCOME_EPISODES.as_str()
}

/// An opened, migrated store.
pub struct Opened {
    pub store: SharedStore,
    /// Where the data lives, for the start-up log line (never contains a password).
    pub location: String,
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_and_migrate(db: &Database) -> Result<Opened, StartupError> {
    let engine = Engine::open_and_migrate(db).await?;
    Ok(Opened {
        store: engine.shared(),
        location: engine.location,
    })
}

/// An opened, migrated store with its engine's own handle, for bulk work that the store trait
/// does not offer (`tandem seed`).
pub struct Engine {
    pub kind: EngineKind,
    /// Where the data lives (never contains a password).
    pub location: String,
}

pub enum EngineKind {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Engine {
    /// Opens the configured database and brings its schema up to date.
    pub async fn open_and_migrate(db: &Database) -> Result<Engine, StartupError> {
        match db {
            Database::Sqlite { path } => {
                prepare_data_dir(path)?;
                let store =
                    SqliteStore::open(path)
                        .await
                        .map_err(|e| StartupError::SqliteOpen {
                            path: path.display().to_string(),
                            reason: e.to_string(),
                        })?;
                store
                    .migrate()
                    .await
                    .map_err(|e| StartupError::from_migrate(e, &sqlite::MIGRATOR))?;
                Ok(Engine {
                    kind: EngineKind::Sqlite(store),
                    location: path.display().to_string(),
                })
            }
            Database::Postgres { url, display } => {
                let store =
                    PgStore::connect(url)
                        .await
                        .map_err(|e| StartupError::PostgresConnect {
                            target: display.clone(),
                            reason: e.to_string(),
                        })?;
                store
                    .migrate()
                    .await
                    .map_err(|e| StartupError::from_migrate(e, &postgres::MIGRATOR))?;
                Ok(Engine {
                    kind: EngineKind::Postgres(store),
                    location: display.clone(),
                })
            }
        }
    }

    /// The engine as the application's store.
    pub fn shared(&self) -> SharedStore {
        match &self.kind {
            EngineKind::Sqlite(s) => Arc::new(s.clone()),
            EngineKind::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Closes the engine's connections, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.kind {
            EngineKind::Sqlite(s) => s.close().await,
            EngineKind::Postgres(s) => s.close().await,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, EngineKind::Postgres(_))
    }

    /// Runs the statements in one transaction: all of them or none.
    pub async fn execute_in_one_transaction(
        &self,
        statements: &[String],
    ) -> Result<(), sqlx::Error> {
        match &self.kind {
            EngineKind::Sqlite(s) => {
                let mut tx = s.write_pool().begin().await?;
                for sql in statements {
                    sqlx::raw_sql(sql).execute(&mut *tx).await?;
                }
                tx.commit().await
            }
            EngineKind::Postgres(s) => {
                let mut tx = s.pool().begin().await?;
                for sql in statements {
                    sqlx::raw_sql(sql).execute(&mut *tx).await?;
                }
                tx.commit().await
            }
        }
    }

    /// Fresh planner statistics after a bulk load. On PostgreSQL also a vacuum, which marks
    /// the new pages all-visible so that the covering indices are read without the table
    /// (index-only scans); `VACUUM` cannot run inside a transaction.
    ///
    /// On SQLite the statistics are the per-index row counts (`sqlite_stat1`) alone: the
    /// sampled key values (`sqlite_stat4`, which this build of SQLite also gathers) are dropped.
    /// With samples, SQLite compiles a statement again on every run whose parameters it could
    /// plan differently for, which is every list and chart read here: 15 % of the server's time
    /// under load on the review page (docs/PERFORMANCE.md has the profile and the A/B).
    pub async fn refresh_statistics(&self) -> Result<(), sqlx::Error> {
        match &self.kind {
            EngineKind::Sqlite(s) => {
                let mut tx = s.write_pool().begin().await?;
                sqlx::raw_sql("ANALYZE").execute(&mut *tx).await?;
                let sample_tables: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'",
                )
                .fetch_one(&mut *tx)
                .await?;
                if sample_tables > 0 {
                    sqlx::raw_sql("DELETE FROM sqlite_stat4")
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await
            }
            EngineKind::Postgres(s) => sqlx::raw_sql("VACUUM (ANALYZE)")
                .execute(s.pool())
                .await
                .map(|_| ()),
        }
    }

    /// The one integer a statement returns (a count or a largest id).
    pub async fn fetch_i64(&self, sql: &str) -> Result<i64, sqlx::Error> {
        match &self.kind {
            EngineKind::Sqlite(s) => sqlx::query_scalar(sql).fetch_one(s.write_pool()).await,
            EngineKind::Postgres(s) => sqlx::query_scalar(sql).fetch_one(s.pool()).await,
        }
    }
}

/// Creates the SQLite file's directory and proves it is writable, so that a bad data directory is
/// reported as such rather than as an obscure SQLite error.
fn prepare_data_dir(path: &std::path::Path) -> Result<(), StartupError> {
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let unwritable = |e: std::io::Error| StartupError::DataDir {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(&dir).map_err(unwritable)?;
    let probe = dir.join(".tandem-write-check");
    std::fs::write(&probe, b"ok").map_err(unwritable)?;
    std::fs::remove_file(&probe).map_err(unwritable)?;
    Ok(())
}
