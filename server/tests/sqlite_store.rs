//! SQLite-only guarantees: durability settings and the query plans of list screens.

mod support;

use sqlx::Row;

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys() {
    let (store, _dir) = support::sqlite_store().await;
    let pool = store.write_pool();
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("journal_mode");
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .expect("synchronous");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .expect("foreign_keys");
    let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .expect("busy_timeout");
    assert_eq!(journal, "wal");
    assert_eq!(synchronous, 2, "2 is FULL");
    assert_eq!(foreign_keys, 1);
    assert!(busy_timeout >= 5_000, "busy timeout {busy_timeout} ms");
}

/// Another process holding the write lock past the busy timeout does not turn a write into an
/// error: the transaction's start is retried, with a growing pause, until the lock is free.
#[tokio::test]
async fn a_write_waits_out_a_lock_held_past_the_busy_timeout() {
    use app::ports::Store;
    use sqlx::ConnectOptions;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("busy.db");
    let store = tandem_server::db::SqliteStore::open_with_busy_timeout(
        &path,
        std::time::Duration::from_millis(100),
    )
    .await
    .expect("open");
    store.migrate().await.expect("migrate");
    let mut other = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .expect("second connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("take the write lock");
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        sqlx::query("COMMIT")
            .execute(&mut other)
            .await
            .expect("release");
        other
    });
    let started = std::time::Instant::now();
    let clinic = store.create_clinic("Synthetic Busy Clinic").await;
    let waited = started.elapsed();
    let _other = release.await.expect("released");
    assert!(clinic.is_ok(), "{clinic:?}");
    assert!(
        waited >= std::time::Duration::from_millis(300),
        "the write went through while the lock was held ({waited:?})"
    );
}

/// The query plan of the patient-list statement, one line per step.
async fn patient_list_plan(by_clinic: bool) -> String {
    let (store, _dir) = support::sqlite_store().await;
    let sql = format!(
        "EXPLAIN QUERY PLAN {}",
        tandem_server::db::list_patients_sql(by_clinic)
    );
    let mut query = sqlx::query(&sql);
    if by_clinic {
        query = query.bind(1_i64);
    }
    query
        .bind(50_i64)
        .bind(0_i64)
        .fetch_all(store.write_pool())
        .await
        .expect("plan")
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The patient list must read through its indices, not scan and sort the whole registry.
#[tokio::test]
async fn the_patient_list_query_uses_its_indices() {
    let plan = patient_list_plan(false).await;
    assert!(plan.contains("patients_by_name"), "{plan}");
    assert!(plan.contains("episodes_by_patient"), "{plan}");
    assert!(plan.contains("COVERING INDEX measurements_live"), "{plan}");
    assert!(
        !plan.contains("SCAN measurements") && !plan.contains("SCAN episodes"),
        "{plan}"
    );
}

#[tokio::test]
async fn the_clinic_filtered_patient_list_uses_the_clinic_index() {
    let plan = patient_list_plan(true).await;
    assert!(plan.contains("patients_by_clinic_name"), "{plan}");
}

/// The caseload's statements, planned by SQLite. Binds: clinic, care manager (or NULL), search.
async fn caseload_plans(mine: bool) -> Vec<String> {
    let (store, _dir) = support::sqlite_store().await;
    let mut plans = Vec::new();
    for sql in tandem_server::db::caseload_statements(mine) {
        let cm: Option<i64> = mine.then_some(7);
        let plan = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
            .bind(1_i64)
            .bind(cm)
            .bind("")
            .fetch_all(store.write_pool())
            .await
            .expect("plan")
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect::<Vec<_>>()
            .join("\n");
        plans.push(plan);
    }
    plans
}

/// The caseload's self-report notices and markers start from the clinic's (or the care manager's)
/// open episodes and look each one's links up by index: their cost follows the caseload, not the
/// number of links ever made.
#[tokio::test]
async fn the_caseload_reads_self_reports_through_their_indices() {
    let (store, _dir) = support::sqlite_store().await;
    for mine in [false, true] {
        let [notices, received] = tandem_server::db::self_report_caseload_statements(mine);
        for (sql, index) in [
            (notices, "self_report_links_unseen"),
            (received, "self_report_links_by_episode"),
        ] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query(&explain).bind(1_i64);
            if mine {
                query = query.bind(7_i64);
            }
            let plan = query
                .fetch_all(store.write_pool())
                .await
                .expect("plan")
                .iter()
                .map(|r| r.get::<String, _>("detail"))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(plan.contains(&format!("INDEX {index}")), "{plan}");
            assert!(!plan.contains("SCAN"), "{plan}");
            let start = if mine {
                "episodes_by_care_manager"
            } else {
                "patients_by_clinic"
            };
            assert!(
                plan.contains(start) || plan.contains("autoindex_patients"),
                "{plan}"
            );
        }
    }
}

/// The caseload's cost follows the caseload, not the registry: a care manager's caseload starts
/// from `episodes_by_care_manager`, and every score, contact, event and treatment change is an
/// index lookup per episode (scores and contacts from covering indices, without the table). No
/// statement scans a table of records of care.
#[tokio::test]
async fn the_caseload_reads_through_its_indices() {
    let plans = caseload_plans(true).await;
    assert!(
        plans[0].contains("episodes_by_care_manager"),
        "{}",
        plans[0]
    );
    for (plan, index) in plans.iter().skip(1).zip([
        "COVERING INDEX measurements_live",
        "COVERING INDEX contacts_covering",
        "hospital_events_by_episode",
        "treatment_changes_by_episode",
        "case_reviews_by_episode",
        "review_marks_by_episode",
    ]) {
        assert!(plan.contains(index), "{plan}");
        assert!(plan.contains("episodes_by_care_manager"), "{plan}");
    }
    assert_no_scans(&plans);
    let clinic = caseload_plans(false).await;
    assert!(
        clinic[0].contains("patients_by_clinic_name"),
        "{}",
        clinic[0]
    );
}

/// No plan line reads a whole table of patients or records of care.
fn assert_no_scans(plans: &[String]) {
    for plan in plans {
        for table in [
            "measurements",
            "contacts",
            "episodes",
            "patients",
            "hospital_events",
            "treatment_changes",
            "case_reviews",
            "review_marks",
            "review_queue",
            "recommendations",
        ] {
            assert!(
                !plan
                    .lines()
                    .any(|l| l.trim_start_matches(['|', '-', '`', ' ']) == format!("SCAN {table}")),
                "{plan}"
            );
        }
    }
}

/// The review list's cost follows the flagged patients, not the registry: its candidates come
/// from range scans of the review queue (due by the date, or stale) and of this meeting's
/// reviews and deferrals, and every record of those candidates is then an index lookup by
/// episode id.
#[tokio::test]
async fn the_review_list_reads_its_candidates_through_the_queue_indices() {
    let (store, _dir) = support::sqlite_store().await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let (ids, per_id) = tandem_server::db::review_candidate_statements();
    let plan = |sql: String, binds: Vec<i64>, with_days: bool| {
        let pool = store.write_pool().clone();
        async move {
            let text = format!("EXPLAIN QUERY PLAN {sql}");
            let mut q = sqlx::query(&text);
            if with_days {
                q = q.bind(binds[0]).bind(day).bind(day);
            } else {
                for b in binds {
                    q = q.bind(b);
                }
            }
            q.fetch_all(&pool)
                .await
                .expect("plan")
                .iter()
                .map(|r| r.get::<String, _>("detail"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let first = plan(ids.to_owned(), vec![1], true).await;
    assert!(first.contains("review_queue_due"), "{first}");
    assert!(first.contains("review_queue_stale"), "{first}");
    let mut plans = vec![first];
    for sql in per_id {
        plans.push(plan(sql.to_owned(), (1..=8).collect(), false).await);
    }
    for (plan, index) in plans.iter().skip(2).zip([
        "COVERING INDEX measurements_live",
        "COVERING INDEX contacts_covering",
        "hospital_events_by_episode",
        "treatment_changes_by_episode",
        "case_reviews_by_episode",
        "review_marks_by_episode",
    ]) {
        assert!(plan.contains(index), "{plan}");
    }
    assert_no_scans(&plans);
}
