//! Configuration from flags and the environment (clap), resolved into typed values.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::error::StartupError;

/// Tandem: a collaborative-care registry for behavioral health integration in primary care.
#[derive(Debug, Parser)]
#[command(name = "tandem", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,
    /// Log lines as text, or as one JSON object per line for a log collector.
    #[arg(long, env = "TANDEM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default when no command is given).
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage user accounts (create the first admin with `user create --role admin`).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage clinics.
    #[command(subcommand)]
    Clinic(ClinicCommand),
    /// Manage API tokens for the JSON API and FHIR endpoints.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import patients and their historical scores from a CSV file (all or nothing).
    Import(ImportArgs),
    /// Write the whole registry (`--all`) or one clinic's records to a new directory as CSV and
    /// FHIR (NDJSON), for leaving Tandem or handing the records to another system.
    Export(ExportArgs),
    /// Copy the whole registry to a new file while the server runs (SQLite: `VACUUM INTO`;
    /// PostgreSQL: `pg_dump --format=custom`).
    Backup(BackupArgs),
    /// Replace the registry with a backup (stop the server first). Refuses to replace a
    /// registry that holds data unless `--force` is given.
    Restore(RestoreArgs),
    /// Fill an empty registry with synthetic clinics, staff and patients, for demonstrations
    /// and benchmarks. Every name, record number and score it writes is made up.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["all", "clinic"])))]
pub struct ExportArgs {
    /// Every clinic.
    #[arg(long)]
    pub all: bool,
    /// One clinic, by id or exact name.
    #[arg(long)]
    pub clinic: Option<String>,
    /// The directory to write; it must not exist yet or be empty.
    #[arg(long)]
    pub to: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long)]
    pub to: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `tandem backup`.
    #[arg(long)]
    pub from: std::path::PathBuf,
    /// Replace a registry that holds data.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many patients to make (each with one episode, its scores, contacts and reviews).
    #[arg(long)]
    pub patients: u32,
    /// How many clinics to spread them over [default: one per 2,000 patients].
    #[arg(long)]
    pub clinics: Option<u32>,
    /// The random seed: the same seed (and day) gives the same registry.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The registry's "today" (YYYY-MM-DD) [default: today].
    #[arg(long)]
    pub as_of: Option<String>,
    /// The password of every synthetic user [default: a random one, printed once].
    #[arg(long, env = "TANDEM_SEED_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The clinic to enroll the patients in, by id or exact name.
    #[arg(long)]
    pub clinic: String,
    /// The CSV file: a row per score (long) or a row per patient (wide); see the README.
    #[arg(long)]
    pub file: PathBuf,
    /// Check the file and report what would be imported, storing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user and print it once. It acts with the user's role and clinics.
    Create {
        /// Email address of the user the token acts for.
        #[arg(long)]
        user: String,
        /// A label that says what the token is for, like "EHR interface".
        #[arg(long)]
        name: String,
    },
    /// Revoke a token: it stops working at once.
    Revoke {
        /// The token's id, as `token list` shows it.
        #[arg(long)]
        id: i64,
    },
    /// List tokens (never the tokens themselves).
    List,
}

/// Passwords are read from a prompt, or from the first line of standard input with
/// `--password-stdin`; never from the command line, where other users could see them.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account.
    Create {
        /// Sign-in email address.
        #[arg(long)]
        email: String,
        /// Name shown to colleagues.
        #[arg(long)]
        name: String,
        /// care_manager, psychiatric_consultant, clinic_lead or admin.
        #[arg(long)]
        role: String,
        /// A clinic the user works in, by id or exact name. Repeat for several.
        #[arg(long = "clinic")]
        clinics: Vec<String>,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for a user.
    SetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a user: they can no longer sign in. Their history stays.
    Deactivate {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClinicCommand {
    /// Create a clinic.
    Create {
        #[arg(long)]
        name: String,
    },
    /// List clinics with their ids.
    List,
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database to use: `postgres://user@host:port/db` for PostgreSQL, or `sqlite://path` for a
    /// SQLite file. When unset, Tandem uses the SQLite file `tandem.db` in the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Directory for Tandem's own files, including the default SQLite database.
    #[arg(long, env = "TANDEM_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on, as host:port.
    #[arg(long, env = "TANDEM_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,

    /// Directory holding the built site (the wasm bundle, styles and static files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Minutes of inactivity after which a session ends (automatic logoff).
    #[arg(long, env = "TANDEM_SESSION_IDLE_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,

    /// Hours after sign-in at which a session ends, active or not.
    #[arg(long, env = "TANDEM_SESSION_MAX_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=168))]
    pub session_max_hours: u32,

    /// Mark the session cookie `Secure`; set this when Tandem is reached over HTTPS.
    #[arg(long, env = "TANDEM_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Seconds between sweeps that bring every clinic's review queue up to date (0: never).
    /// With several instances on one database, one of them sweeps at a time.
    #[arg(long, env = "TANDEM_SWEEP_SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(0..=86_400))]
    pub sweep_seconds: u32,
}

impl ServeArgs {
    pub fn session_config(&self) -> crate::session::SessionConfig {
        crate::session::SessionConfig {
            idle: chrono::Duration::minutes(i64::from(self.session_idle_minutes)),
            absolute: chrono::Duration::hours(i64::from(self.session_max_hours)),
            secure_cookie: self.secure_cookies,
        }
    }
}

/// Where the registry is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite {
        path: PathBuf,
    },
    Postgres {
        url: String,
        /// The URL without its password, for messages and logs.
        display: String,
    },
}

impl Database {
    /// Resolves the database from `DATABASE_URL` (if given) or the data directory.
    pub fn resolve(args: &DbArgs) -> Result<Database, StartupError> {
        let Some(url) = args.database_url.as_deref().map(str::trim) else {
            return Ok(Database::Sqlite {
                path: args.data_dir.join("tandem.db"),
            });
        };
        if url.is_empty() {
            return Err(StartupError::InvalidDatabaseUrl(
                "it is set but empty; unset it to use SQLite in the data directory".to_owned(),
            ));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let display = redact_password(url)?;
            return Ok(Database::Postgres {
                url: url.to_owned(),
                display,
            });
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(StartupError::InvalidDatabaseUrl(
                    "a SQLite URL needs a file path, for example sqlite://data/tandem.db"
                        .to_owned(),
                ));
            }
            return Ok(Database::Sqlite {
                path: Path::new(path).to_path_buf(),
            });
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StartupError::InvalidDatabaseUrl(format!(
            "unsupported scheme {scheme:?}; use postgres://… or sqlite://…"
        )))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Database::Sqlite { .. } => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }
}

/// Checks the shape of a PostgreSQL URL and returns it with any password replaced by `***`.
fn redact_password(url: &str) -> Result<String, StartupError> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host_part = authority.rsplit('@').next().unwrap_or_default();
    if host_part.is_empty() || host_part.contains(char::is_whitespace) {
        return Err(StartupError::InvalidDatabaseUrl(
            "a PostgreSQL URL needs a host, for example postgres://postgres@127.0.0.1:5432/tandem"
                .to_owned(),
        ));
    }
    if let Some((_, port)) = host_part.rsplit_once(':') {
        if !port.is_empty() && !host_part.ends_with(']') && port.parse::<u16>().is_err() {
            return Err(StartupError::InvalidDatabaseUrl(format!(
                "port {port:?} is not a number from 0 to 65535"
            )));
        }
    }
    let redacted = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{user}:***@{host}")
            } else {
                format!("{user}@{host}")
            }
        }
        None => authority.to_owned(),
    };
    Ok(format!("{scheme}://{redacted}{tail}"))
}

/// Parses the listen address.
pub fn parse_addr(addr: &str) -> Result<SocketAddr, StartupError> {
    let addr = addr.trim();
    if let Ok(a) = addr.parse::<SocketAddr>() {
        return Ok(a);
    }
    // Allow `localhost:3000`.
    if let Some(port) = addr.strip_prefix("localhost:") {
        if let Ok(port) = port.parse::<u16>() {
            return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
        }
    }
    Err(StartupError::InvalidAddr(addr.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>) -> DbArgs {
        DbArgs {
            database_url: url.map(str::to_owned),
            data_dir: PathBuf::from("/var/lib/tandem"),
        }
    }

    #[test]
    fn without_database_url_sqlite_lives_in_the_data_dir() {
        assert_eq!(
            Database::resolve(&args(None)).ok(),
            Some(Database::Sqlite {
                path: PathBuf::from("/var/lib/tandem/tandem.db")
            })
        );
    }

    #[test]
    fn a_postgres_url_hides_its_password_in_messages() {
        let db = Database::resolve(&args(Some("postgres://tandem:s3cret@db.local:5432/reg")))
            .expect("valid");
        match db {
            Database::Postgres { display, .. } => {
                assert_eq!(display, "postgres://tandem:***@db.local:5432/reg");
            }
            other => panic!("expected postgres, got {other:?}"),
        }
    }

    #[test]
    fn a_mysql_url_is_refused_with_its_scheme_named() {
        let err = Database::resolve(&args(Some("mysql://root@localhost/x"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid DATABASE_URL: unsupported scheme \"mysql\"; use postgres://… or sqlite://…"
        );
    }

    #[test]
    fn a_postgres_url_with_a_bad_port_is_refused() {
        let err = Database::resolve(&args(Some("postgres://u@h:99999/db"))).unwrap_err();
        assert!(err.to_string().contains("port \"99999\""), "{err}");
    }

    #[test]
    fn a_sqlite_url_names_a_file() {
        assert_eq!(
            Database::resolve(&args(Some("sqlite://data/x.db"))).ok(),
            Some(Database::Sqlite {
                path: PathBuf::from("data/x.db")
            })
        );
    }

    #[test]
    fn localhost_is_accepted_as_a_listen_host() {
        assert_eq!(
            parse_addr("localhost:8080").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 8080)))
        );
        assert!(parse_addr("nowhere").is_err());
    }
}
