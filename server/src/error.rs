//! Start-up and command errors. Each prints as one clear line; `main` exits non-zero with it.

use sqlx::migrate::{MigrateError, Migrator};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("invalid DATABASE_URL: {0}")]
    InvalidDatabaseUrl(String),
    #[error("data directory {path} is not usable: {reason}")]
    DataDir { path: String, reason: String },
    #[error("cannot open the SQLite database {path}: {reason}")]
    SqliteOpen { path: String, reason: String },
    #[error("cannot connect to PostgreSQL at {target}: {reason}")]
    PostgresConnect { target: String, reason: String },
    #[error(
        "the database schema (version {applied}) is newer than this tandem binary knows (up to \
         {known}); upgrade tandem or restore a backup made by this version"
    )]
    SchemaNewer { applied: i64, known: i64 },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("invalid address {0:?}: expected host:port, for example 127.0.0.1:3000")]
    InvalidAddr(String),
    #[error("server error: {0}")]
    Serve(String),
    /// A command-line command was refused (bad input, unknown user, conflict).
    #[error("{0}")]
    Command(String),
}

impl StartupError {
    pub fn from_migrate(err: MigrateError, migrator: &Migrator) -> Self {
        let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        match err {
            MigrateError::VersionMissing(applied) => StartupError::SchemaNewer { applied, known },
            MigrateError::VersionMismatch(v) => StartupError::Migrate(format!(
                "migration {v} was applied from a different file than this binary embeds"
            )),
            MigrateError::Dirty(v) => StartupError::Migrate(format!(
                "migration {v} was left partially applied; restore from backup"
            )),
            other => StartupError::Migrate(one_line(&other.to_string())),
        }
    }
}

/// Keeps error text on one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
