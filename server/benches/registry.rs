//! The screens' work in registries of 10,000 and 100,000 patients made by `tandem seed` (clinics
//! of 2,000 patients, so clinic 1 is the same clinic at both sizes): the weekly review list, the
//! care manager's caseload, a patient's chart and the clinic's outcome dashboard, each as the
//! store reads with the rules, and the pages as `GET` through the router, signed in.
//!
//! Targets: the review list ≤ 5 ms at 100,000 patients and ≤ 1.5× its time at 10,000; the
//! caseload page ≤ 20 ms. The run ends with a table of medians and the 100k/10k ratios.
//!
//! SQLite by default; with `DATABASE_URL=postgres://…` every registry is a throwaway database on
//! that server. `TANDEM_BENCH_SIZES=2000,10000` changes the sizes.

mod common;

use std::hint::black_box;

use app::care::caseload_row;
use app::model::{CaseloadScope, ClinicId, PatientId};
use criterion::{criterion_group, criterion_main, Criterion};

/// Medians of one registry size, for the summary.
struct Figures {
    patients: u32,
    listed: usize,
    caseload: usize,
    review_list: f64,
    caseload_rules: f64,
    chart_store: f64,
    dashboard: f64,
    review_page: f64,
    caseload_page: f64,
    chart_page: f64,
    chart_svg: f64,
}

#[allow(clippy::too_many_lines)]
fn measure(c: &mut Criterion, rt: &tokio::runtime::Runtime, patients: u32) -> Figures {
    let registry = rt.block_on(common::seeded(patients, None));
    let store = registry.store.clone();
    let clinic = ClinicId(registry.summary.clinic_ids[0]);
    let today = app::model::today();
    let settings = rt
        .block_on(store.clinic_settings(clinic))
        .expect("settings");
    let rules = settings.flag_rules.clone();
    let meets_on = settings.next_meeting_on(today);
    let email =
        app::accounts::Email::parse(&tandem_server::seed::care_manager_email(1, 1)).expect("email");
    let (cm, _) = rt
        .block_on(store.find_user_by_email(&email))
        .expect("find")
        .expect("care manager");
    let scope = CaseloadScope {
        clinic_id: clinic,
        care_manager_id: Some(cm.id),
        search: None,
    };
    let caseload = rt.block_on(store.caseload(&scope)).expect("caseload");
    let patient = caseload
        .iter()
        .max_by_key(|e| e.data.scores.len())
        .map(|e| e.patient.id)
        .expect("a patient");
    let (board, _) = rt
        .block_on(app::api::review::load::board(
            store.as_ref(),
            clinic,
            meets_on,
            today,
        ))
        .expect("board");
    let listed = board.rows.len();
    let filter =
        app::api::reports::outcome_filter(clinic, None, None, None, None, today).expect("filter");

    let review_list = || {
        rt.block_on(async {
            let (b, _) = app::api::review::load::board(store.as_ref(), clinic, meets_on, today)
                .await
                .expect("board");
            assert_eq!(b.rows.len(), listed);
            black_box(b);
        });
    };
    let caseload_rules = || {
        rt.block_on(async {
            let episodes = store.caseload(&scope).await.expect("caseload");
            let rows: Vec<_> = episodes
                .iter()
                .map(|e| caseload_row(e, &rules, today))
                .collect();
            black_box(rows);
        });
    };
    let chart_store = || {
        rt.block_on(async {
            let episodes = store
                .episode_records(PatientId(patient.0))
                .await
                .expect("episodes");
            let history = store
                .episode_history(episodes[0].episode.id)
                .await
                .expect("history");
            black_box((episodes, history));
        });
    };
    let dashboard = || {
        rt.block_on(async {
            let d = app::api::reports::load::dashboard(store.as_ref(), &filter, today)
                .await
                .expect("dashboard");
            black_box(d);
        });
    };

    let _runtime = rt.enter();
    let router = registry.router();
    let cm_cookie = rt.block_on(common::sign_in(
        &router,
        &tandem_server::seed::care_manager_email(1, 1),
    ));
    let psychiatrist = rt.block_on(common::sign_in(
        &router,
        &tandem_server::seed::psychiatrist_email(1),
    ));
    let page = |path: String, cookie: String, at_least: usize| {
        let router = router.clone();
        move || {
            rt.block_on(async {
                let body = common::get(&router, &path, &cookie).await;
                assert!(body.len() > at_least, "{path}: {} bytes", body.len());
                black_box(body);
            });
        }
    };
    let review_page = page(format!("/review?clinic={}", clinic.0), psychiatrist, 20_000);
    let caseload_page = page("/caseload".to_owned(), cm_cookie.clone(), 10_000);
    let chart_page = page(format!("/patients/{}", patient.0), cm_cookie, 10_000);

    // The chart's trajectory drawn with plotters, from the patient's scores.
    let history = rt
        .block_on(async {
            let episodes = store.episode_records(PatientId(patient.0)).await?;
            store.episode_history(episodes[0].episode.id).await
        })
        .expect("history");
    let series = |i: app::domain::Instrument| -> Vec<app::charts::Point> {
        history
            .measurements
            .iter()
            .filter(|m| m.instrument() == i)
            .map(|m| app::charts::Point {
                taken_on: m.taken_on,
                total: m.responses.total(),
            })
            .collect()
    };
    let trajectory = app::charts::Trajectory {
        enrolled_on: history.measurements.first().map_or(today, |m| m.taken_on),
        baseline: None,
        phq9: series(app::domain::Instrument::Phq9),
        gad7: series(app::domain::Instrument::Gad7),
    };
    let draw = || {
        black_box(app::charts::trajectory_svg(&trajectory).expect("svg"));
    };

    let mut group = c.benchmark_group(format!("{}_{patients}_patients", registry.backend));
    group.sample_size(30);
    group.bench_function("review_list_clinic_1", |b| b.iter(review_list));
    group.bench_function("caseload_store_and_rules", |b| b.iter(caseload_rules));
    group.bench_function("patient_chart_store", |b| b.iter(chart_store));
    group.bench_function("dashboard_clinic_1_store_and_figures", |b| {
        b.iter(dashboard)
    });
    group.bench_function("ssr_get_review_page", |b| b.iter(review_page.clone()));
    group.bench_function("ssr_get_caseload_page", |b| b.iter(caseload_page.clone()));
    group.bench_function("ssr_get_patient_chart", |b| b.iter(chart_page.clone()));
    group.bench_function("trajectory_svg_chart", |b| b.iter(draw));
    group.finish();

    let figures = Figures {
        patients,
        listed,
        caseload: caseload.len(),
        review_list: common::ms(common::median(51, review_list)),
        caseload_rules: common::ms(common::median(51, caseload_rules)),
        chart_store: common::ms(common::median(51, chart_store)),
        dashboard: common::ms(common::median(11, dashboard)),
        review_page: common::ms(common::median(51, review_page)),
        caseload_page: common::ms(common::median(51, caseload_page)),
        chart_page: common::ms(common::median(51, chart_page)),
        chart_svg: common::ms(common::median(51, draw)),
    };
    drop(router);
    rt.block_on(registry.finish());
    figures
}

#[allow(clippy::print_stderr)]
fn report(backend: &str, all: &[Figures]) {
    eprintln!(
        "\n{backend}: medians in ms (clinic 1 of each registry: the same 2,000 patients)\n\
         {:<40}{}",
        "",
        all.iter()
            .map(|f| format!("{:>14}", format!("{} pts", f.patients)))
            .collect::<String>()
    );
    let row = |name: &str, value: &dyn Fn(&Figures) -> f64, target: &str| {
        let values: String = all.iter().map(|f| format!("{:>14.2}", value(f))).collect();
        let ratio = match (all.first(), all.last()) {
            (Some(a), Some(b)) if all.len() > 1 => format!("   ×{:.2}", value(b) / value(a)),
            _ => String::new(),
        };
        eprintln!("{name:<40}{values}{ratio}   {target}");
    };
    row(
        "review list, store and rules",
        &|f| f.review_list,
        "≤ 5 ms, ≤ ×1.5",
    );
    row("caseload, store and rules", &|f| f.caseload_rules, "");
    row("patient chart, store", &|f| f.chart_store, "");
    row("outcome dashboard of clinic 1", &|f| f.dashboard, "");
    row("GET /review (SSR)", &|f| f.review_page, "");
    row("GET /caseload (SSR)", &|f| f.caseload_page, "≤ 20 ms");
    row("GET /patients/{id} (SSR)", &|f| f.chart_page, "");
    row("trajectory chart (plotters SVG)", &|f| f.chart_svg, "");
    for f in all {
        eprintln!(
            "{} patients: {} on clinic 1's review list, {} in the care manager's caseload",
            f.patients, f.listed, f.caseload
        );
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let all: Vec<Figures> = common::sizes(&[10_000, 100_000])
        .into_iter()
        .map(|n| measure(c, &rt, n))
        .collect();
    let backend = if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        "postgres"
    } else {
        "sqlite"
    };
    report(backend, &all);
}

criterion_group!(benches, bench);
criterion_main!(benches);
