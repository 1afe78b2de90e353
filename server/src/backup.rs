//! `tandem backup` and `tandem restore`: a consistent copy of the whole registry, taken while the
//! server runs, and its return. SQLite copies with `VACUUM INTO` (one read transaction, so the
//! copy is the database as it stood at one instant, compacted) and checks the copy with `PRAGMA
//! integrity_check`; PostgreSQL uses `pg_dump --format=custom` and `pg_restore` in one
//! transaction. A restore refuses to replace a registry that holds data unless forced.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::ConnectOptions;

use crate::admin_cli::{out, refuse};
use crate::config::Database;
use crate::error::StartupError;

/// The registry's tables, for the summary and the checks (no row content, only counts).
const TABLES_SQL: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite_%' ORDER BY name";

/// Opens an existing SQLite file (never creating one), or says why not. The live registry is
/// opened for writing: a connection to a database in WAL mode must be able to use its shared
/// memory file, and a copy (`VACUUM INTO`) only reads.
async fn open_existing(path: &Path, what: &str) -> Result<SqlitePool, StartupError> {
    if !path.is_file() {
        return Err(refuse(format!("{what} {} does not exist", path.display())));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(crate::db::sqlite::BUSY_TIMEOUT)
        .disable_statement_logging();
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| refuse(format!("cannot open {what} {}: {e}", path.display())))
}

/// `PRAGMA integrity_check` is "ok", and the file is a Tandem registry (it has the migration
/// table); returns the number of tables.
async fn check_registry(pool: &SqlitePool, path: &Path) -> Result<usize, StartupError> {
    let bad = |why: String| {
        refuse(format!(
            "{} is not a usable Tandem backup: {why}",
            path.display()
        ))
    };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .map_err(|e| bad(e.to_string()))?;
    if check != "ok" {
        return Err(bad(format!("integrity check says {check:?}")));
    }
    let tables: Vec<String> = sqlx::query_scalar(TABLES_SQL)
        .fetch_all(pool)
        .await
        .map_err(|e| bad(e.to_string()))?;
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(bad("it has no Tandem schema".to_owned()));
    }
    Ok(tables.len())
}

/// Whether an existing SQLite registry holds any patient, user or clinic.
async fn holds_data(pool: &SqlitePool) -> Result<bool, StartupError> {
    let tables: Vec<String> = sqlx::query_scalar(TABLES_SQL)
        .fetch_all(pool)
        .await
        .map_err(|e| refuse(format!("cannot read the registry: {e}")))?;
    for table in ["patients", "users", "clinics"] {
        if tables.iter().any(|t| t == table) {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(pool)
                .await
                .map_err(|e| refuse(format!("cannot read the registry: {e}")))?;
            if n > 0 {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Refuses to write over an existing file.
fn fresh_target(to: &Path) -> Result<(), StartupError> {
    if to.exists() {
        return Err(refuse(format!(
            "{} already exists; choose a new file name (a backup never overwrites)",
            to.display()
        )));
    }
    Ok(())
}

/// A PostgreSQL URL without its password, and the password (percent-decoded), so that a tool
/// gets the password in its environment (`PGPASSWORD`) and not on its command line, where any
/// user of the machine could read it in the process list.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_owned(), None);
    };
    (
        format!("{scheme}://{user}@{host}{tail}"),
        Some(percent_decode(password)),
    )
}

/// `%XX` escapes of a URL part decoded (invalid escapes are kept as written).
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A PostgreSQL client tool pointed at `url`, the password passed in its environment.
fn pg_tool(tool: &str, url: &str) -> Command {
    let (url, password) = split_password(url);
    let mut cmd = Command::new(tool);
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    cmd.arg("--dbname").arg(url);
    cmd
}

/// Runs an external PostgreSQL tool, reporting its first error line.
fn run_tool(mut cmd: Command, tool: &str) -> Result<(), StartupError> {
    let out = cmd.output().map_err(|e| {
        refuse(format!(
            "cannot run {tool} (is the PostgreSQL client installed?): {e}"
        ))
    })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message");
    Err(refuse(format!("{tool} failed: {line}")))
}

/// `tandem backup --to <file>`.
pub async fn backup(db: &Database, to: &Path) -> Result<(), StartupError> {
    fresh_target(to)?;
    match db {
        Database::Sqlite { path } => {
            let pool = open_existing(path, "the registry").await?;
            check_registry(&pool, path).await?;
            sqlx::query("VACUUM INTO ?")
                .bind(to.to_string_lossy().into_owned())
                .execute(&pool)
                .await
                .map_err(|e| refuse(format!("the backup failed: {e}")))?;
            pool.close().await;
            let copy = open_existing(to, "the backup").await?;
            let tables = check_registry(&copy, to).await?;
            copy.close().await;
            out(&format!(
                "backed up {} to {} ({tables} tables, integrity ok)",
                path.display(),
                to.display()
            ));
        }
        Database::Postgres { url, display } => {
            let mut cmd = pg_tool("pg_dump", url);
            cmd.args(["--format=custom", "--no-owner", "--file"])
                .arg(to);
            run_tool(cmd, "pg_dump")?;
            out(&format!("backed up {display} to {}", to.display()));
        }
    }
    tracing::info!("backup written");
    Ok(())
}

/// The file beside `path` with `suffix` appended to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// `tandem restore --from <file> [--force]`. The server must be stopped first.
pub async fn restore(db: &Database, from: &Path, force: bool) -> Result<(), StartupError> {
    match db {
        Database::Sqlite { path } => {
            let source = open_existing(from, "the backup").await?;
            check_registry(&source, from).await?;
            source.close().await;
            if path.exists() {
                let target = open_existing(path, "the registry").await?;
                let occupied = holds_data(&target).await?;
                target.close().await;
                if occupied && !force {
                    return Err(refuse(format!(
                        "{} already holds a registry; stop the server and add --force to replace it",
                        path.display()
                    )));
                }
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| refuse(format!("cannot create {}: {e}", dir.display())))?;
            }
            // Copy beside the registry, make it durable, then swap it in with one rename; the
            // old registry's write-ahead log must not be replayed onto the restored file.
            let staged = beside(path, ".restoring");
            std::fs::copy(from, &staged)
                .and_then(|_| std::fs::File::open(&staged)?.sync_all())
                .map_err(|e| refuse(format!("cannot copy the backup: {e}")))?;
            for suffix in ["-wal", "-shm"] {
                let side = beside(path, suffix);
                if side.exists() {
                    std::fs::remove_file(&side)
                        .map_err(|e| refuse(format!("cannot remove {}: {e}", side.display())))?;
                }
            }
            std::fs::rename(&staged, path)
                .map_err(|e| refuse(format!("cannot put the backup in place: {e}")))?;
            out(&format!(
                "restored {} from {}",
                path.display(),
                from.display()
            ));
        }
        Database::Postgres { url, display } => {
            if !from.is_file() {
                return Err(refuse(format!(
                    "the backup {} does not exist",
                    from.display()
                )));
            }
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(|e| refuse(format!("cannot connect to {display}: {e}")))?;
            // As on SQLite: a registry holds data when it has a patient, a user or a clinic.
            let read = |e: sqlx::Error| refuse(format!("cannot read {display}: {e}"));
            let migrated: bool = sqlx::query_scalar("SELECT to_regclass('patients') IS NOT NULL")
                .fetch_one(&pool)
                .await
                .map_err(read)?;
            let occupied = migrated
                && sqlx::query_scalar::<_, bool>(
                    "SELECT EXISTS (SELECT 1 FROM patients) OR EXISTS (SELECT 1 FROM users) \
                     OR EXISTS (SELECT 1 FROM clinics)",
                )
                .fetch_one(&pool)
                .await
                .map_err(read)?;
            pool.close().await;
            if occupied && !force {
                return Err(refuse(format!(
                    "{display} already holds a registry; stop the server and add --force to replace it"
                )));
            }
            let mut cmd = pg_tool("pg_restore", url);
            cmd.args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
            ])
            .arg(from);
            run_tool(cmd, "pg_restore")?;
            out(&format!("restored {display} from {}", from.display()));
        }
    }
    tracing::info!("registry restored");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn a_postgres_password_leaves_the_command_line_for_the_environment() {
        assert_eq!(
            split_password("postgres://tandem:s%40cret:x@db.example:5432/reg?sslmode=require"),
            (
                "postgres://tandem@db.example:5432/reg?sslmode=require".to_owned(),
                Some("s@cret:x".to_owned())
            )
        );
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://127.0.0.1/test",
        ] {
            assert_eq!(split_password(url), (url.to_owned(), None));
        }
    }
}
