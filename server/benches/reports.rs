//! The clinic lead's outcomes dashboard for one large clinic: 10,000 patients made by `tandem
//! seed --clinics 1` (enrolled over two years, PHQ-9s and GAD-7s every two weeks then monthly,
//! about 190,000 scores and 130,000 contacts).
//! Measures the store read with every figure (what the server function computes), the seven SVG
//! charts, and the whole server-side render of `GET /reports/outcomes` through the router,
//! signed in as a clinic lead. Target: ≤ 200 ms server time for the page.
//!
//! Also measures the lead's home (the last 180 days of the clinic) and the monthly billing report
//! (minutes summed in the database).
//!
//! `TANDEM_BENCH_PATIENTS` changes the clinic's size; with `DATABASE_URL=postgres://…` the clinic
//! is a throwaway database on that server.

mod common;

use std::hint::black_box;
use std::time::Instant;

use app::model::ClinicId;
use criterion::{criterion_group, criterion_main, Criterion};
use tandem_server::db::{EngineKind, SqliteStore};

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
    let patients: u32 = std::env::var("TANDEM_BENCH_PATIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let clinic = rt.block_on(common::seeded(patients, Some(1)));
    let today = app::model::today();
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
    if let (Some(_), EngineKind::Sqlite(sqlite)) =
        (std::env::var_os("TANDEM_BENCH_PLANS"), &clinic.engine.kind)
    {
        rt.block_on(report_plans(
            sqlite,
            filter.enrolled_from,
            filter.enrolled_to,
        ));
    }
    let mut group = c.benchmark_group(format!("reports_{}_{patients}_patients", clinic.backend));
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
    let router = clinic.router();
    let cookie = rt.block_on(common::sign_in(
        &router,
        &tandem_server::seed::lead_email(1),
    ));
    group.bench_function("ssr_get_outcomes_page", |b| {
        b.iter(|| {
            rt.block_on(async {
                let body = common::get(&router, "/reports/outcomes?clinic=1", &cookie).await;
                assert!(body.len() > 50_000, "a full dashboard page");
                black_box(body)
            })
        });
    });
    group.finish();
    let page = common::median(21, || {
        rt.block_on(common::get(&router, "/reports/outcomes?clinic=1", &cookie));
    });
    eprintln!(
        "\n{}: GET /reports/outcomes for a clinic of {patients} patients: median {:.1} ms \
         (target ≤ 200 ms)",
        clinic.backend,
        common::ms(page)
    );
    drop(router);
    rt.block_on(clinic.finish());
}

criterion_group!(benches, bench);
criterion_main!(benches);
