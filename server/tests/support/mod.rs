//! Shared test support: throwaway SQLite and PostgreSQL stores.
//!
//! PostgreSQL tests create their own database on 127.0.0.1:5432 (user `postgres`, trust auth) and
//! drop it afterwards. When no server answers they print `SKIPPED: postgres not reachable` to the
//! terminal (bypassing the test harness's output capture) and return without asserting.
#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

pub mod api;
pub mod process;
pub mod web;

use futures::FutureExt;
use sqlx::postgres::PgPoolOptions;
use sqlx::Executor;
use tandem_server::db::{PgStore, SqliteStore};

/// The server that PostgreSQL tests use. `TANDEM_TEST_PG` overrides it.
pub fn pg_admin_url() -> String {
    std::env::var("TANDEM_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn pg_url_for(db: &str) -> String {
    let admin = pg_admin_url();
    let (scheme, rest) = admin
        .split_once("://")
        .unwrap_or(("postgres", admin.as_str()));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{authority}/{db}")
}

/// A fresh, migrated SQLite store in a temporary directory that lives as long as the guard.
pub async fn sqlite_store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("test.db"))
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

static PG_REACHABLE: OnceLock<bool> = OnceLock::new();

/// Whether the PostgreSQL server accepts TCP connections; decided once per test binary, and the
/// SKIPPED line is printed once.
async fn pg_reachable() -> bool {
    *PG_REACHABLE.get_or_init(|| {
        let admin = pg_admin_url();
        let rest = admin.split_once("://").map_or(admin.as_str(), |(_, r)| r);
        let authority = rest.split(['/', '?']).next().unwrap_or(rest);
        let host_port = authority.rsplit('@').next().unwrap_or(authority);
        let host_port = if host_port.contains(':') {
            host_port.to_owned()
        } else {
            format!("{host_port}:5432")
        };
        let ok = std::net::ToSocketAddrs::to_socket_addrs(&host_port)
            .ok()
            .and_then(|mut addrs| addrs.next())
            .is_some_and(|addr| {
                std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(3))
                    .is_ok()
            });
        if !ok {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: postgres not reachable at {admin} — PostgreSQL tests did not run"
            );
        }
        ok
    })
}

/// A throwaway PostgreSQL database: created empty, dropped by [`TempPgDb::drop_db`].
pub struct TempPgDb {
    pub name: String,
    pub url: String,
}

impl TempPgDb {
    /// Creates a new empty database, or `None` (after printing SKIPPED) when no server answers.
    pub async fn create() -> Option<TempPgDb> {
        if !pg_reachable().await {
            return None;
        }
        let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(&pg_admin_url())
            .await
            .expect("connect to postgres admin database");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        admin.close().await;
        Some(TempPgDb {
            url: pg_url_for(&name),
            name,
        })
    }

    pub async fn drop_db(&self) {
        if let Ok(admin) = PgPoolOptions::new()
            .max_connections(1)
            .connect(&pg_admin_url())
            .await
        {
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await;
            admin.close().await;
        }
    }
}

/// Runs `test` against a fresh, migrated PostgreSQL store, dropping the database afterwards even
/// when the test panics. Skips (loudly) when PostgreSQL is not reachable.
pub async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(PgStore) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(db) = TempPgDb::create().await else {
        return;
    };
    let store = PgStore::connect(&db.url).await.expect("connect test db");
    store.migrate().await.expect("migrate postgres");
    let result = AssertUnwindSafe(test(store.clone())).catch_unwind().await;
    store.close().await;
    db.drop_db().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Runs `test` against a fresh SQLite store.
pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(SqliteStore) -> Fut,
    Fut: Future<Output = ()>,
{
    let (store, _dir) = sqlite_store().await;
    test(store.clone()).await;
    store.close().await;
}

/// Declares each listed `async fn name(store: &dyn Store)` as two tests, `sqlite::name` and
/// `postgres::name`, so that both backends run exactly the same contract.
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::support::with_sqlite(|s| async move { super::$name(&s).await }).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::support::with_postgres(|s| async move { super::$name(&s).await }).await;
                }
            )*
        }
    };
}

/// Every table of a SQLite file: its name, row count and a digest of every row in rowid order.
pub async fn sqlite_table_digests(path: &std::path::Path) -> Vec<(String, i64, u64)> {
    sqlite_table_digests_without(path, &[]).await
}

/// [`sqlite_table_digests`] leaving out the named `(table, column)` pairs.
pub async fn sqlite_table_digests_without(
    path: &std::path::Path,
    skip: &[(&str, &str)],
) -> Vec<(String, i64, u64)> {
    use std::hash::{Hash, Hasher};
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&pool)
                .await
                .expect("columns");
        let row = columns
            .iter()
            .filter(|c| !skip.contains(&(table.as_str(), c.as_str())))
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\" ORDER BY rowid"))
                .fetch_all(&pool)
                .await
                .expect("rows");
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        rows.hash(&mut hasher);
        out.push((
            table,
            i64::try_from(rows.len()).expect("count"),
            hasher.finish(),
        ));
    }
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("check");
    assert_eq!(check, "ok", "{}", path.display());
    pool.close().await;
    out
}

/// Every table of a PostgreSQL database with its row count and a digest of its rows in key order.
pub async fn pg_table_digests(url: &str) -> Vec<(String, i64, String)> {
    let pool = sqlx::PgPool::connect(url).await.expect("connect");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    let mut out = Vec::new();
    for table in tables {
        let (n, digest): (i64, Option<String>) = sqlx::query_as(&format!(
            "SELECT COUNT(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM \"{table}\" t"
        ))
        .fetch_one(&pool)
        .await
        .expect("digest");
        out.push((table, n, digest.unwrap_or_default()));
    }
    pool.close().await;
    out
}

/// A PHQ-9 self-report link of `episode` whose token is `token`, made straight through the store
/// (by user 1), lasting `days` from `made_at`.
pub async fn self_report_link(
    store: &dyn app::ports::Store,
    episode: app::model::EpisodeId,
    token: &str,
    made_at: chrono::DateTime<chrono::Utc>,
    days: u32,
) -> i64 {
    store
        .create_self_report_link(&app::self_report::NewSelfReportLink {
            episode_id: episode,
            token_hash: tandem_server::tokens::hash_token(token),
            instruments: vec![app::domain::Instrument::Phq9],
            created_by: 1,
            life: app::domain::self_report::LinkLife::new(made_at, days),
        })
        .await
        .expect("self-report link")
        .id
}
