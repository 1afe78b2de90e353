//! Two `tandem serve` instances on one PostgreSQL database, as behind a load balancer: a session
//! begun on one is valid on the other, a write through one is read through the other, failed
//! sign-ins count across both, and the review-queue sweep runs under a lease that one instance
//! holds at a time. Skips (loudly) when PostgreSQL is not reachable.

mod support;

use app::accounts::{Email, NewUser};
use app::model::ClinicId;
use app::policy::Role;
use app::ports::Store;
use support::process::{
    bearer, free_port, http, serve_with, sign_in, wait_for_health, Reply, Server,
};
use tandem_server::db::PgStore;

const PASSWORD: &str = "synthetic scale phrase";

fn api(port: u16, method: &str, path: &str, token: &str, body: &str) -> Reply {
    bearer(port, method, path, token, body).expect("API answered")
}

struct Setup {
    clinic: ClinicId,
    token: String,
}

async fn set_up(url: &str) -> Setup {
    let store = PgStore::connect(url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let clinic = store
        .create_clinic("Synthetic Scale Clinic")
        .await
        .expect("clinic")
        .id;
    let hash = tandem_server::password::hash(PASSWORD).expect("hash");
    for email in ["cm@synthetic.example", "other@synthetic.example"] {
        store
            .create_user(&NewUser {
                email: Email::parse(email).expect("email"),
                display_name: "Casey Scale".to_owned(),
                role: Role::CareManager,
                clinics: vec![clinic],
                password_hash: hash.clone(),
            })
            .await
            .expect("user");
    }
    let (_, token) = tandem_server::tokens::create(&store, "cm@synthetic.example", "scale test")
        .await
        .expect("token");
    store.close().await;
    Setup { clinic, token }
}

/// Reads one value from the database.
async fn scalar(url: &str, sql: &str) -> i64 {
    let store = PgStore::connect(url).await.expect("connect");
    let v: i64 = sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .expect("query");
    store.close().await;
    v
}

#[tokio::test]
async fn two_instances_share_sessions_writes_the_rate_limit_and_the_sweep() {
    let Some(db) = support::TempPgDb::create().await else {
        return;
    };
    let setup = set_up(&db.url).await;
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (free_port(), free_port());
    let url = db.url.clone();
    let clinic = setup.clinic.0;
    let token = setup.token.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let sweep = ["--sweep-seconds", "1"];
        let mut one: Server = serve_with(dir.path(), a, Some(&url), &sweep);
        let mut two: Server = serve_with(dir.path(), b, Some(&url), &sweep);
        wait_for_health(a, &mut one);
        wait_for_health(b, &mut two);

        // A session begun on A is valid on B, and ends on both when signed out on B.
        let signed_in = sign_in(a, "cm@synthetic.example", PASSWORD);
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        let set_cookie = signed_in.header("set-cookie").expect("cookie");
        let cookie = set_cookie.split(';').next().expect("pair").to_owned();
        let page = http(b, "GET", "/caseload", &[("Cookie", cookie.as_str())], "").expect("B");
        assert_eq!(page.status, 200, "{}", page.head);
        assert!(page.body.contains("Casey Scale"), "the signed-in user's page on B");
        let anonymous = http(b, "GET", "/caseload", &[], "").expect("B");
        assert!(
            !anonymous.body.contains("Casey Scale"),
            "B knows the session, not just any request"
        );

        // A write through A is read through B.
        let created = api(
            a,
            "POST",
            "/api/v1/patients",
            &token,
            &format!(
                r#"{{"clinic_id":{clinic},"mrn":"SCALE-1","given_name":"Sam","family_name":"Synthetic","birth_date":"1980-02-29","enrolled_on":"{}"}}"#,
                chrono::Local::now().date_naive()
            ),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        let id: serde_json::Value = serde_json::from_str(&created.body).expect("json");
        let id = id["id"].as_i64().expect("id");
        let read = api(b, "GET", &format!("/api/v1/patients/{id}"), &token, "");
        assert_eq!(read.status, 200, "{}", read.body);
        assert!(read.body.contains("SCALE-1"), "{}", read.body);

        // Failed sign-ins on A and B count together: the account is limited on both.
        let max = tandem_server::session::MAX_FAILURES_PER_ACCOUNT;
        for i in 0..max {
            let port = if i % 2 == 0 { a } else { b };
            let r = sign_in(port, "other@synthetic.example", "guess guess guess");
            assert_eq!(r.status, 400, "{}", r.body);
        }
        for port in [a, b] {
            let r = sign_in(port, "other@synthetic.example", PASSWORD);
            assert_eq!(r.status, 429, "limited on {port}: {}", r.body);
        }
        (id, one, two)
    })
    .await;
    let (id, one, two) = checked.expect("the two-instance checks");

    // The new patient's queue row was marked stale by the write; a sweep (by whichever instance
    // held the lease) has evaluated it since.
    let mut swept = false;
    for _ in 0..50 {
        let stale = scalar(
            &db.url,
            &format!("SELECT COUNT(*) FROM review_queue WHERE episode_id IN (SELECT id FROM episodes WHERE patient_id = {id}) AND stale"),
        )
        .await;
        let runs = scalar(
            &db.url,
            "SELECT COALESCE(MAX(runs), 0) FROM leases WHERE name = 'review-queue-sweep'",
        )
        .await;
        if stale == 0 && runs >= 2 {
            swept = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    drop((one, two));
    db.drop_db().await;
    assert!(swept, "the sweep ran and brought the queue up to date");
}
