//! The clinic lead's outcomes dashboard for one large clinic: 10,000 patients enrolled over two
//! years with 20 PHQ-9s each (200,000 scores) and monthly contacts (SQLite, synthetic data).
//! Measures the store read with every figure (what the server function computes), the seven SVG
//! charts, and the whole server-side render of `GET /reports/outcomes` through the router,
//! signed in as a clinic lead. Target: ≤ 200 ms server time for the page.
//!
//! Also measures the lead's home (the last 180 days of the clinic) and the monthly billing report
//! (minutes summed in the database).
//!
//! `TANDEM_BENCH_PATIENTS` changes the clinic's size.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use app::accounts::{Email, NewUser};
use app::model::ClinicId;
use app::policy::Role;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request};
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use tandem_server::db::SqliteStore;
use tower::ServiceExt;

const SCORES_PER_EPISODE: i64 = 20;
const PASSWORD: &str = "synthetic bench phrase";

struct Clinic {
    store: SharedStore,
    sqlite: SqliteStore,
    _dir: tempfile::TempDir,
}

/// One clinic of `patients` patients in four care managers' caseloads. Enrollments spread over the
/// last two years; every fourth episode is discharged after its scores; PHQ-9s every two weeks
/// from 18 downwards at three speeds (some respond, some do not); a 20-minute contact every two
/// weeks.
async fn seed(patients: i64) -> Clinic {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open(&dir.path().join("bench.db"))
        .await
        .expect("open");
    sqlite.migrate().await.expect("migrate");
    let store: SharedStore = Arc::new(sqlite.clone());
    let clinic = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let mut care_managers = Vec::new();
    for i in 1..=4 {
        let id = store
            .create_user(&NewUser {
                email: Email::parse(&format!("cm{i}@synthetic.example")).expect("email"),
                display_name: format!("Care Manager {i}"),
                role: Role::CareManager,
                password_hash: "$argon2id$not-a-real-hash".to_owned(),
                clinics: vec![clinic],
            })
            .await
            .expect("user")
            .id;
        care_managers.push(id);
    }
    store
        .create_user(&NewUser {
            email: Email::parse("lead@synthetic.example").expect("email"),
            display_name: "Lee Synthetic".to_owned(),
            role: Role::ClinicLead,
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
            clinics: vec![clinic],
        })
        .await
        .expect("lead");
    let now = chrono::Utc::now();
    let today = chrono::Local::now().date_naive();
    let mut tx = sqlite.write_pool().begin().await.expect("tx");
    for p in 1..=patients {
        sqlx::query(
            "INSERT INTO patients (id, clinic_id, mrn, given_name, family_name, birth_date, created_at, updated_at) \
             VALUES ($1, $2, $3, 'Synthetic', $4, '1970-01-01', $5, $5)",
        )
        .bind(p)
        .bind(clinic.0)
        .bind(format!("SYN-{p:06}"))
        .bind(format!("Patient{p:06}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .expect("patient");
        let enrolled = today - chrono::Days::new(u64::try_from(p % 730).unwrap_or(0));
        let weeks_followed = ((today - enrolled).num_days() / 14).min(SCORES_PER_EPISODE - 1);
        let discharged = (p % 4 == 0 && weeks_followed > 6)
            .then(|| enrolled + chrono::Days::new(u64::try_from(weeks_followed * 14).unwrap_or(0)));
        let cm = care_managers[usize::try_from(p % 4).unwrap_or(0)];
        sqlx::query(
            "INSERT INTO episodes (id, patient_id, enrolled_on, discharged_on, status, created_at, care_manager_id) \
             VALUES ($1, $1, $2, $3, $4, $5, $6)",
        )
        .bind(p)
        .bind(enrolled)
        .bind(discharged)
        .bind(match (discharged, p % 5) {
            (Some(_), _) => "discharged",
            (None, 0) => "relapse_prevention",
            (None, _) => "active",
        })
        .bind(now)
        .bind(cm)
        .execute(&mut *tx)
        .await
        .expect("episode");
        for w in 0..=weeks_followed {
            let speed = 1 + p % 3;
            let total = (18 - speed * w / 2 + (p + w) % 3).clamp(0, 27);
            let on = enrolled + chrono::Days::new(u64::try_from(w * 14).unwrap_or(0));
            sqlx::query(
                "INSERT INTO measurements (episode_id, instrument, taken_on, items, total, source, entered_at) \
                 VALUES ($1, 'PHQ-9', $2, NULL, $3, 'import', $4)",
            )
            .bind(p)
            .bind(on)
            .bind(total)
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("score");
            sqlx::query(
                "INSERT INTO contacts (episode_id, occurred_on, kind, minutes, note, by_care_manager, entered_at) \
                 VALUES ($1, $2, 'phone', 20, '', 1, $3)",
            )
            .bind(p)
            .bind(on)
            .bind(now)
            .execute(&mut *tx)
            .await
            .expect("contact");
        }
    }
    tx.commit().await.expect("commit");
    sqlx::query("ANALYZE")
        .execute(sqlite.write_pool())
        .await
        .expect("analyze");
    Clinic {
        store,
        sqlite,
        _dir: dir,
    }
}

/// With `TANDEM_BENCH_PLANS` set: each population statement's SQLite plan and one timed run.
#[allow(clippy::print_stderr)]
async fn report_plans(sqlite: &SqliteStore, from: chrono::NaiveDate, to: chrono::NaiveDate) {
    use sqlx::Row;
    for sql in tandem_server::db::report_population_statements()
        .into_iter()
        .chain([tandem_server::db::outcome_episodes_statement()])
    {
        let halves = sql.contains("$6");
        let bind = |sql| {
            let q = sqlx::query(sql)
                .bind(1_i64)
                .bind(None::<i64>)
                .bind(from)
                .bind(to)
                .bind(from);
            if halves {
                q.bind(0_i64)
            } else {
                q
            }
        };
        let text = format!("EXPLAIN QUERY PLAN {sql}");
        let plan: Vec<String> = bind(&text)
            .fetch_all(sqlite.write_pool())
            .await
            .expect("plan")
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
        let started = Instant::now();
        let rows = bind(sql)
            .fetch_all(sqlite.write_pool())
            .await
            .expect("run")
            .len();
        eprintln!(
            "{:>8.3} ms {rows:>6} rows  {}\n    {}",
            started.elapsed().as_secs_f64() * 1000.0,
            &sql[..sql.len().min(90)],
            plan.join("\n    ")
        );
    }
}

/// A benchmark reports to the terminal, as criterion itself does.
#[allow(clippy::print_stderr)]
fn bench(c: &mut Criterion) {
    let patients: i64 = std::env::var("TANDEM_BENCH_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let clinic = rt.block_on(seed(patients));
    let today = chrono::Local::now().date_naive();
    let filter = app::api::reports::outcome_filter(ClinicId(1), None, None, None, None, today)
        .expect("filter");
    let first = rt
        .block_on(app::api::reports::load::dashboard(
            clinic.store.as_ref(),
            &filter,
            today,
        ))
        .expect("dashboard");
    let scores: usize = first.by_week.iter().map(|w| w.n).sum();
    eprintln!(
        "seeded one clinic of {patients} patients in {:.1} s; the dashboard covers {} episodes \
         ({} of them with scores in weeks 0–24: {scores} weekly points)",
        started.elapsed().as_secs_f64(),
        first.episodes,
        first.with_baseline,
    );
    if std::env::var_os("TANDEM_BENCH_PLANS").is_some() {
        rt.block_on(report_plans(
            &clinic.sqlite,
            filter.enrolled_from,
            filter.enrolled_to,
        ));
    }
    let mut group = c.benchmark_group(format!("reports_{patients}_patients"));
    group.sample_size(20);
    group.bench_function("dashboard_store_and_figures", |b| {
        b.iter(|| {
            rt.block_on(async {
                let d = app::api::reports::load::dashboard(clinic.store.as_ref(), &filter, today)
                    .await
                    .expect("dashboard");
                black_box(d)
            })
        });
    });
    let settings_target = 80;
    let population = rt
        .block_on(clinic.store.outcome_episodes(&filter.scope()))
        .expect("population");
    let counts = rt
        .block_on(clinic.store.caseload_counts(ClinicId(1), None, None))
        .expect("counts");
    group.bench_function("dashboard_store_only", |b| {
        b.iter(|| {
            rt.block_on(async {
                let p = clinic
                    .store
                    .outcome_episodes(&filter.scope())
                    .await
                    .expect("population");
                black_box(p)
            })
        });
    });
    group.bench_function("dashboard_figures_only", |b| {
        b.iter(|| {
            black_box(app::reports::build_dashboard(
                &filter,
                &population,
                &counts,
                settings_target,
                today,
            ))
        });
    });
    group.bench_function("dashboard_seven_svg_charts", |b| {
        b.iter(|| {
            let charts: Vec<String> = app::reports::dashboard_charts(&first)
                .iter()
                .filter_map(|c| app::charts::dashboard_svg(&first, c))
                .map(|r| r.expect("svg"))
                .collect();
            black_box(charts)
        });
    });
    group.bench_function("lead_home_last_180_days", |b| {
        b.iter(|| {
            rt.block_on(async {
                let h = app::api::reports::load::home(clinic.store.as_ref(), ClinicId(1), today)
                    .await
                    .expect("home");
                black_box(h)
            })
        });
    });
    let month = app::domain::YearMonth::of(today);
    group.bench_function("billing_month", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = app::api::reports::load::billing(clinic.store.as_ref(), ClinicId(1), month)
                    .await
                    .expect("billing");
                black_box(r)
            })
        });
    });

    let _runtime = rt.enter();
    let router = tandem_server::router(
        clinic.store.clone(),
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
                        "email=lead%40synthetic.example&password={}",
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
    group.bench_function("ssr_get_outcomes_page", |b| {
        b.iter(|| {
            rt.block_on(async {
                let res = router
                    .clone()
                    .oneshot(
                        Request::get("/reports/outcomes?clinic=1")
                            .header(header::COOKIE, &cookie)
                            .body(Body::empty())
                            .expect("request"),
                    )
                    .await
                    .expect("response");
                assert!(res.status().is_success());
                let body = res.into_body().collect().await.expect("body").to_bytes();
                assert!(body.len() > 50_000, "a full dashboard page");
                black_box(body)
            })
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
