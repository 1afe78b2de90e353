//! `tandem seed` on both backends: the synthetic registry is the same for the same seed, it reads
//! back through the screens' own store calls and rules (caseload, review list, chart, outcome
//! report), and its review queues are up to date when it finishes.

mod support;

use app::model::{CaseloadScope, ClinicId};
use chrono::NaiveDate;
use tandem_server::config::Database;
use tandem_server::db::{Engine, EngineKind};
use tandem_server::seed::{self, Options};

const PASSWORD: &str = "synthetic seed phrase";

fn options(patients: u32, clinics: Option<u32>) -> Options {
    Options {
        patients,
        clinics,
        seed: 42,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
        password: PASSWORD.to_owned(),
    }
}

/// A fingerprint of the seeded scores, contacts and reviews.
async fn fingerprint(engine: &Engine) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM measurements",
        "SELECT CAST(SUM(total * (episode_id % 97)) AS BIGINT) FROM measurements",
        "SELECT COUNT(*) FROM contacts",
        "SELECT CAST(SUM(minutes) AS BIGINT) FROM contacts",
        "SELECT COUNT(*) FROM case_reviews",
        "SELECT COUNT(*) FROM recommendations",
        "SELECT COUNT(*) FROM episodes WHERE discharged_on IS NULL",
    ] {
        out.push(engine.fetch_i64(sql).await.expect(sql));
    }
    out
}

async fn seeded_registry_reads_back(engine: &Engine) {
    let summary = seed::seed(engine, &options(700, Some(2)), |_, _| {})
        .await
        .expect("seed");
    let store = engine.shared();
    let c = summary.counts;
    assert_eq!(c.patients, 700);
    assert!(c.measurements > 700 * 8, "{c:?}");
    assert!(c.contacts >= c.measurements / 2 && c.reviews > 700, "{c:?}");
    assert_eq!(summary.shape.clinics, 2);
    assert_eq!(
        summary.users,
        2 * (2 + 2),
        "a lead, a psychiatrist, two care managers each"
    );

    // The caseload of the first care manager of clinic 1.
    let clinic = ClinicId(summary.clinic_ids[0]);
    let email = app::accounts::Email::parse(&seed::care_manager_email(1, 1)).expect("email");
    let (cm, _) = store
        .find_user_by_email(&email)
        .await
        .expect("find")
        .expect("seeded user");
    let caseload = store
        .caseload(&CaseloadScope {
            clinic_id: clinic,
            care_manager_id: Some(cm.id),
            search: None,
        })
        .await
        .expect("caseload");
    assert!(
        (20..=120).contains(&caseload.len()),
        "open episodes: {}",
        caseload.len()
    );
    // Its first patient's chart.
    let scores = store
        .measurements_for_episode(caseload[0].data.episode_id)
        .await
        .expect("scores");
    assert!(!scores.is_empty());

    // Every queue row was evaluated; the next meeting's list is a full one.
    assert_eq!(
        engine
            .fetch_i64("SELECT COUNT(*) FROM review_queue WHERE stale = TRUE")
            .await
            .expect("stale"),
        0
    );
    let today = options(1, None).as_of;
    let meets_on = app::settings::ClinicSettings::default().next_meeting_on(today);
    let (board, _) = app::api::review::load::board(store.as_ref(), clinic, meets_on, today)
        .await
        .expect("board");
    assert!(
        (5..=60).contains(&board.rows.len()),
        "review list of {}",
        board.rows.len()
    );

    // The seeded users sign in with the password given.
    let (_, hash) = store
        .find_user_by_email(&email)
        .await
        .expect("find")
        .expect("user");
    assert!(tandem_server::password::verify(PASSWORD, &hash));

    // A second run refuses: the registry has patients.
    let again = seed::seed(engine, &options(10, None), |_, _| {}).await;
    assert!(again
        .expect_err("refused")
        .to_string()
        .contains("already has 700 patients"));
}

async fn sqlite_engine(dir: &tempfile::TempDir, name: &str) -> Engine {
    Engine::open_and_migrate(&Database::Sqlite {
        path: dir.path().join(name),
    })
    .await
    .expect("open")
}

#[tokio::test]
async fn a_seeded_sqlite_registry_reads_back_and_the_same_seed_gives_the_same_registry() {
    let dir = tempfile::tempdir().expect("dir");
    let one = sqlite_engine(&dir, "one.db").await;
    seeded_registry_reads_back(&one).await;
    // The planner has each index's row counts, and no sampled keys: with samples, SQLite would
    // compile the screens' statements again on every run (this build gathers them).
    assert!(
        one.fetch_i64("SELECT COUNT(*) FROM sqlite_stat1")
            .await
            .expect("stat1")
            > 10
    );
    assert_eq!(
        one.fetch_i64("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'")
            .await
            .expect("schema"),
        1,
        "this SQLite gathers samples"
    );
    assert_eq!(
        one.fetch_i64("SELECT COUNT(*) FROM sqlite_stat4")
            .await
            .expect("stat4"),
        0
    );
    let two = sqlite_engine(&dir, "two.db").await;
    seed::seed(&two, &options(700, Some(2)), |_, _| {})
        .await
        .expect("seed");
    assert_eq!(fingerprint(&one).await, fingerprint(&two).await);
    let three = sqlite_engine(&dir, "three.db").await;
    let mut other = options(700, Some(2));
    other.seed = 43;
    seed::seed(&three, &other, |_, _| {}).await.expect("seed");
    assert_ne!(fingerprint(&one).await, fingerprint(&three).await);
}

#[tokio::test]
async fn a_seeded_postgres_registry_reads_back_like_sqlite() {
    let Some(db) = support::TempPgDb::create().await else {
        return;
    };
    let engine = Engine::open_and_migrate(&Database::Postgres {
        url: db.url.clone(),
        display: db.name.clone(),
    })
    .await
    .expect("open");
    seeded_registry_reads_back(&engine).await;
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = sqlite_engine(&dir, "same.db").await;
    seed::seed(&sqlite, &options(700, Some(2)), |_, _| {})
        .await
        .expect("seed");
    let same = fingerprint(&engine).await == fingerprint(&sqlite).await;
    // Identity sequences continue after the seeded ids.
    let next = engine
        .shared()
        .create_patient(&app::model::NewPatient {
            clinic_id: ClinicId(1),
            mrn: app::domain::Mrn::parse("AFTER-SEED").expect("mrn"),
            given_name: app::domain::PersonName::parse("given name", "Alex").expect("name"),
            family_name: app::domain::PersonName::parse("family name", "Synthetic").expect("name"),
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).expect("date"),
        })
        .await
        .map(|p| p.id.0);
    if let EngineKind::Postgres(s) = &engine.kind {
        s.close().await;
    }
    db.drop_db().await;
    assert!(same, "the same registry on both backends");
    assert!(matches!(next, Ok(id) if id > 700), "{next:?}");
}
