//! The caseload in a large registry: a care manager with 100 open episodes among 100,000 patients
//! in 50 clinics (SQLite, synthetic data). Measures the store read with the rules (the server
//! function's work) and the whole server-side render of `GET /caseload` through the router,
//! signed in. Target: ≤ 20 ms for the page.
//!
//! It also measures the weekly review list of clinic 1 (about 2,100 open episodes, all but about
//! 40 of them already reviewed once): the store's candidate read through the review queue plus the
//! rules. Target: ≤ 5 ms, in proportion to the flagged patients rather than the registry.
//!
//! Seeding takes about a minute; `TANDEM_BENCH_PATIENTS` changes the registry size.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use app::accounts::{Email, NewUser};
use app::care::caseload_row;
use app::model::{CaseloadScope, ClinicId};
use app::policy::Role;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request};
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use tandem_server::db::SqliteStore;
use tower::ServiceExt;

const CLINICS: i64 = 50;
const CASELOAD: i64 = 100;
const SCORES_PER_EPISODE: i64 = 6;
const PASSWORD: &str = "synthetic bench phrase";

struct Registry {
    store: SharedStore,
    sqlite: SqliteStore,
    care_manager: i64,
    _dir: tempfile::TempDir,
}

/// A synthetic registry: `patients` patients spread over the clinics, each with one open episode
/// and weekly PHQ-9s; the first `CASELOAD` patients of clinic 1 belong to the benchmarked care
/// manager, every other episode to nobody in particular.
async fn seed(patients: i64) -> Registry {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open(&dir.path().join("bench.db"))
        .await
        .expect("open");
    sqlite.migrate().await.expect("migrate");
    let store: SharedStore = Arc::new(sqlite.clone());
    for c in 1..=CLINICS {
        store
            .create_clinic(&format!("Synthetic Clinic {c:02}"))
            .await
            .expect("clinic");
    }
    let care_manager = store
        .create_user(&NewUser {
            email: Email::parse("cm@synthetic.example").expect("email"),
            display_name: "Casey Synthetic".to_owned(),
            role: Role::CareManager,
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
            clinics: vec![ClinicId(1)],
        })
        .await
        .expect("user")
        .id;
    let now = chrono::Utc::now();
    let today = chrono::Local::now().date_naive();
    let mut tx = sqlite.write_pool().begin().await.expect("tx");
    for p in 1..=patients {
        let clinic = if p <= CASELOAD { 1 } else { (p % CLINICS) + 1 };
        sqlx::query(
            "INSERT INTO patients (id, clinic_id, mrn, given_name, family_name, birth_date, created_at, updated_at) \
             VALUES ($1, $2, $3, 'Synthetic', $4, '1970-01-01', $5, $5)",
        )
        .bind(p)
        .bind(clinic)
        .bind(format!("SYN-{p:06}"))
        .bind(format!("Patient{p:06}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("patient");
        let enrolled = today - chrono::Days::new(u64::try_from(7 * (p % 30) + 14).unwrap_or(14));
        let cm = (p <= CASELOAD).then_some(care_manager);
        sqlx::query(
            "INSERT INTO episodes (id, patient_id, enrolled_on, status, created_at, care_manager_id) \
             VALUES ($1, $1, $2, 'active', $3, $4)",
        )
        .bind(p)
        .bind(enrolled)
        .bind(now)
        .bind(cm)
        .execute(&mut *tx)
        .await
        .expect("episode");
        for w in 0..SCORES_PER_EPISODE {
            let total = (18 - 2 * w + p % 3).clamp(0, 27);
            sqlx::query(
                "INSERT INTO measurements (episode_id, instrument, taken_on, items, total, source, entered_at) \
                 VALUES ($1, 'PHQ-9', $2, NULL, $3, 'import', $4)",
            )
            .bind(p)
            .bind(enrolled + chrono::Days::new(u64::try_from(w * 7).unwrap_or(0)))
            .bind(total)
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("score");
        }
        sqlx::query(
            "INSERT INTO contacts (episode_id, occurred_on, kind, minutes, note, by_care_manager, entered_at) \
             VALUES ($1, $2, 'phone', 20, '', 1, $3)",
        )
        .bind(p)
        .bind(enrolled + chrono::Days::new(7))
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("contact");
    }
    // One past meeting per clinic at which every patient but one in 53 was reviewed; those are
    // still waiting for a first review (`no_consult`): about 40 in clinic 1, a full weekly list.
    for c in 1..=CLINICS {
        sqlx::query(
            "INSERT INTO review_meetings (id, clinic_id, meets_on, attendees, started_at) \
             VALUES ($1, $1, $2, '', $3)",
        )
        .bind(c)
        .bind(today - chrono::Days::new(7))
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("meeting");
    }
    for p in (1..=patients).filter(|p| p % 53 != 0) {
        let clinic = if p <= CASELOAD { 1 } else { (p % CLINICS) + 1 };
        sqlx::query(
            "INSERT INTO case_reviews (meeting_id, episode_id, reviewed_on, note, created_at) \
             VALUES ($1, $2, $3, '', $4)",
        )
        .bind(clinic)
        .bind(p)
        .bind(today - chrono::Days::new(7))
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("review");
    }
    tx.commit().await.expect("commit");
    sqlx::query("ANALYZE")
        .execute(sqlite.write_pool())
        .await
        .expect("analyze");
    Registry {
        store,
        sqlite,
        care_manager,
        _dir: dir,
    }
}

/// A benchmark reports to the terminal, as criterion itself does.
#[allow(clippy::print_stderr)]
fn report_seeding(patients: i64, scores: i64, seconds: f64) {
    eprintln!("seeded {patients} patients, {scores} scores in {seconds:.1} s");
}

/// The binds of a candidate statement: clinic and days for the first, eight episode ids for the
/// rest.
fn bind_plan_args(
    sql: &str,
    first: bool,
    day: chrono::NaiveDate,
) -> sqlx::query::Query<'_, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'_>> {
    let q = sqlx::query(sql);
    if first {
        q.bind(1_i64).bind(day).bind(day)
    } else {
        (1..=8_i64).fold(q, |q, id| q.bind(id))
    }
}

/// With `TANDEM_BENCH_PLANS` set: each candidate statement's SQLite plan and one timed run.
#[allow(clippy::print_stderr)]
async fn report_plans(sqlite: &SqliteStore, day: chrono::NaiveDate) {
    use sqlx::Row;
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM review_queue WHERE clinic_id = 1), \
         (SELECT COUNT(*) FROM review_queue WHERE clinic_id = 1 AND due_on <= $1), \
         (SELECT COUNT(*) FROM review_queue WHERE clinic_id = 1 AND stale)",
    )
    .bind(day)
    .fetch_one(sqlite.write_pool())
    .await
    .expect("counts");
    eprintln!("clinic 1 queue rows, due by the meeting, stale: {counts:?}");
    let started = Instant::now();
    for _ in 0..20 {
        sqlx::query("SELECT 1")
            .fetch_all(sqlite.write_pool())
            .await
            .expect("select 1");
    }
    eprintln!(
        "{:>8.3} ms  SELECT 1 (the cost of a round trip)",
        started.elapsed().as_secs_f64() * 1000.0 / 20.0
    );
    let (ids, per_id) = tandem_server::db::review_candidate_statements();
    for (i, sql) in std::iter::once(ids).chain(per_id).enumerate() {
        let bind = |sql| bind_plan_args(sql, i == 0, day);
        let text = format!("EXPLAIN QUERY PLAN {sql}");
        let plan: Vec<String> = bind(&text)
            .fetch_all(sqlite.write_pool())
            .await
            .expect("plan")
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
        let mut rows = 0;
        let mut started = Instant::now();
        for n in 0..21 {
            if n == 1 {
                started = Instant::now();
            }
            rows = bind(sql)
                .fetch_all(sqlite.write_pool())
                .await
                .expect("run")
                .len();
        }
        eprintln!(
            "{:>8.3} ms {rows:>6} rows  {}\n    {}",
            started.elapsed().as_secs_f64() * 1000.0 / 20.0,
            &sql[..sql.len().min(90)],
            plan.join("\n    ")
        );
    }
}

#[allow(clippy::print_stderr)]
fn report_list(flagged: usize) {
    eprintln!("review list of clinic 1: {flagged} patients flagged");
}

fn bench(c: &mut Criterion) {
    let patients: i64 = std::env::var("TANDEM_BENCH_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let registry = rt.block_on(seed(patients));
    report_seeding(
        patients,
        patients * SCORES_PER_EPISODE,
        started.elapsed().as_secs_f64(),
    );
    let rules = app::settings::ClinicSettings::default().flag_rules;
    let today = chrono::Local::now().date_naive();
    let scope = CaseloadScope {
        clinic_id: ClinicId(1),
        care_manager_id: Some(registry.care_manager),
        search: None,
    };
    let mut group = c.benchmark_group(format!("caseload_{patients}_patients"));
    group.sample_size(50);
    group.bench_function("store_and_rules_100_episodes", |b| {
        b.iter(|| {
            rt.block_on(async {
                let episodes = registry.store.caseload(&scope).await.expect("caseload");
                assert_eq!(episodes.len(), usize::try_from(CASELOAD).unwrap_or(0));
                let rows: Vec<_> = episodes
                    .iter()
                    .map(|e| caseload_row(e, &rules, today))
                    .collect();
                black_box(rows)
            })
        });
    });

    // The review list of clinic 1's next meeting. The first build evaluates every stale queue
    // row of the clinic once (as after a migration or a settings change) and writes the rows
    // back; the measured builds read only what is due.
    let meets_on = today + chrono::Days::new(2);
    let first = rt
        .block_on(app::api::review::load::board(
            registry.store.as_ref(),
            ClinicId(1),
            meets_on,
            today,
        ))
        .expect("board")
        .0;
    report_list(first.rows.len());
    if std::env::var_os("TANDEM_BENCH_PLANS").is_some() {
        rt.block_on(report_plans(&registry.sqlite, meets_on));
    }
    let review_scope = app::case_review::ReviewScope {
        clinic_id: ClinicId(1),
        meets_on,
        as_of: meets_on,
    };
    group.bench_function("review_candidates_store_only", |b| {
        b.iter(|| {
            rt.block_on(async {
                let c = registry
                    .store
                    .review_candidates(&review_scope)
                    .await
                    .expect("candidates");
                black_box(c)
            })
        });
    });
    group.bench_function("review_list_clinic_1", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (board, _) = app::api::review::load::board(
                    registry.store.as_ref(),
                    ClinicId(1),
                    meets_on,
                    today,
                )
                .await
                .expect("board");
                assert_eq!(board.rows.len(), first.rows.len());
                black_box(board)
            })
        });
    });

    // Building the router renders the route list, which needs the runtime.
    let _runtime = rt.enter();
    let router = tandem_server::router(
        registry.store.clone(),
        tandem_server::leptos_options(
            std::path::Path::new("target/site"),
            "127.0.0.1:3000".parse().expect("addr"),
        ),
    );
    let cookie = rt.block_on(async {
        let res = router
            .clone()
            .oneshot(
                Request::post(app::api::auth::SignIn::PATH)
                    .header(header::HOST, "127.0.0.1:3000")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/json")
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::from(format!(
                        "email=cm%40synthetic.example&password={}",
                        PASSWORD.replace(' ', "+")
                    )))
                    .expect("request"),
            )
            .await
            .expect("sign in");
        res.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("pair")
            .to_owned()
    });
    group.bench_function("ssr_get_caseload_page", |b| {
        b.iter(|| {
            rt.block_on(async {
                let res = router
                    .clone()
                    .oneshot(
                        Request::get("/caseload")
                            .header(header::COOKIE, &cookie)
                            .body(Body::empty())
                            .expect("request"),
                    )
                    .await
                    .expect("response");
                assert!(res.status().is_success());
                let body = res.into_body().collect().await.expect("body").to_bytes();
                assert!(body.len() > 10_000, "a full caseload page");
                black_box(body)
            })
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
