//! The audit log is append-only by the database's own rule: UPDATE and DELETE are rejected by a
//! trigger on both backends, whatever the application does.

mod support;

use app::audit::{AuditEntry, AuditOutcome};
use app::ports::Store;
use tandem_server::db::PgStore;

fn entry() -> AuditEntry {
    AuditEntry {
        user_id: None,
        action: "session.login".to_owned(),
        entity_type: None,
        entity_id: None,
        ip: None,
        outcome: AuditOutcome::Failed,
    }
}

#[tokio::test]
async fn sqlite_rejects_updating_or_deleting_audit_entries() {
    let (store, _dir) = support::sqlite_store().await;
    store.append_audit(&entry()).await.expect("append");
    let update = sqlx::query("UPDATE audit_log SET outcome = 'ok'")
        .execute(store.write_pool())
        .await
        .expect_err("update must fail");
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(store.write_pool())
        .await
        .expect_err("delete must fail");
    assert!(delete.to_string().contains("append-only"), "{delete}");
}

#[tokio::test]
async fn postgres_rejects_updating_deleting_or_truncating_audit_entries() {
    support::with_postgres(|store: PgStore| async move {
        store.append_audit(&entry()).await.expect("append");
        for statement in [
            "UPDATE audit_log SET outcome = 'ok'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ] {
            let err = sqlx::query(statement)
                .execute(store.pool())
                .await
                .expect_err("must fail");
            assert!(
                err.to_string().contains("append-only"),
                "{statement}: {err}"
            );
        }
    })
    .await;
}
