//! What the benchmarks share: a registry made by `tandem seed` (SQLite in a temporary file, or a
//! throwaway database on the PostgreSQL server that `DATABASE_URL` names), the router signed in
//! as one of its synthetic users, and medians measured outside criterion for the summary tables.
#![allow(dead_code, clippy::print_stderr)]

use std::time::{Duration, Instant};

use app::ports::SharedStore;
use axum::body::{Body, Bytes};
use axum::http::{header, Request};
use axum::Router;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use sqlx::Executor;
use tandem_server::config::Database;
use tandem_server::db::{Engine, EngineKind};
use tandem_server::seed::{self, Summary};
use tower::ServiceExt;

pub const PASSWORD: &str = "synthetic bench phrase";

/// A seeded registry; its database is removed when it is dropped (PostgreSQL: by [`finish`]).
pub struct Registry {
    pub engine: Engine,
    pub store: SharedStore,
    pub summary: Summary,
    pub backend: &'static str,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

fn postgres_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// The URL of database `name` on the server of `url`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Seeds `patients` patients in `clinics` clinics (default: one per 2,000) on the benchmark's
/// backend and reports how long it took.
pub async fn seeded(patients: u32, clinics: Option<u32>) -> Registry {
    let dir = tempfile::tempdir().expect("temp dir");
    let (database, pg, backend) = match postgres_url() {
        Some(admin) => {
            let name = format!("tandem_bench_{}_{patients}", std::process::id());
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(&admin)
                .await
                .expect("connect to the PostgreSQL server of DATABASE_URL");
            pool.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .expect("drop");
            pool.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create");
            pool.close().await;
            let url = with_database(&admin, &name);
            (
                Database::Postgres {
                    url: url.clone(),
                    display: name.clone(),
                },
                Some((admin, name)),
                "postgres",
            )
        }
        None => (
            Database::Sqlite {
                path: dir.path().join("bench.db"),
            },
            None,
            "sqlite",
        ),
    };
    let engine = Engine::open_and_migrate(&database).await.expect("open");
    let options = seed::Options {
        patients,
        clinics,
        seed: 1,
        as_of: app::model::today(),
        password: PASSWORD.to_owned(),
    };
    let summary = seed::seed(&engine, &options, |_, _| {})
        .await
        .expect("seed");
    eprintln!(
        "{backend}: seeded {} patients in {} clinics ({} scores, {} contacts, {} case reviews) in \
         {:.1} s",
        summary.counts.patients,
        summary.shape.clinics,
        summary.counts.measurements,
        summary.counts.contacts,
        summary.counts.reviews,
        summary.seconds
    );
    let store = engine.shared();
    Registry {
        engine,
        store,
        summary,
        backend,
        pg,
        _dir: dir,
    }
}

impl Registry {
    /// Closes the pools and drops a PostgreSQL benchmark database.
    pub async fn finish(self) {
        match &self.engine.kind {
            EngineKind::Sqlite(s) => s.close().await,
            EngineKind::Postgres(s) => s.close().await,
        }
        if let Some((admin, name)) = &self.pg {
            if let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(admin)
                .await
            {
                let _ = pool
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                pool.close().await;
            }
        }
    }

    /// The router over this registry, as `tandem serve` builds it.
    pub fn router(&self) -> Router {
        tandem_server::router(
            self.store.clone(),
            tandem_server::leptos_options(
                std::path::Path::new("target/site"),
                "127.0.0.1:3000".parse().expect("addr"),
            ),
        )
    }
}

/// Signs in through the sign-in server function and returns the cookie to send back.
pub async fn sign_in(router: &Router, email: &str) -> String {
    let res = router
        .clone()
        .oneshot(
            Request::post(app::api::auth::SignIn::PATH)
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(format!(
                    "email={}&password={}",
                    email.replace('@', "%40"),
                    PASSWORD.replace(' ', "+")
                )))
                .expect("request"),
        )
        .await
        .expect("sign in");
    assert!(res.status().is_success(), "sign-in of {email}");
    res.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}

/// A page rendered through the router for a signed-in user.
pub async fn get(router: &Router, path: &str, cookie: &str) -> Bytes {
    let res = router
        .clone()
        .oneshot(
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert!(res.status().is_success(), "GET {path}: {}", res.status());
    res.into_body().collect().await.expect("body").to_bytes()
}

/// The median time of `runs` runs of `f` (after one warm-up run).
pub fn median<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Registry sizes to measure: `TANDEM_BENCH_SIZES` (comma-separated) or the given default.
pub fn sizes(default: &[u32]) -> Vec<u32> {
    std::env::var("TANDEM_BENCH_SIZES")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect::<Vec<u32>>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}
