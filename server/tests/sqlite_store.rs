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
    assert!(plan.contains("measurements_by_episode"), "{plan}");
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
