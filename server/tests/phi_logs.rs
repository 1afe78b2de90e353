//! "No PHI in logs", checked on a full request cycle. This test has a binary of its own: tracing
//! caches which log sites are enabled process-wide, so it must not share its process with tests
//! that run without a subscriber.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use app::accounts::{Email, NewUser};
use app::api::auth::SignIn;
use app::api::patients::ListPatients;
use app::domain::{Mrn, PersonName};
use app::model::NewPatient;
use app::policy::Role;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use tower::ServiceExt;

fn post(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(body.to_owned())).expect("request")
}

async fn body_text(res: axum::response::Response) -> String {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A log sink that keeps everything written to it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// "No PHI in logs": a full cycle (sign-in, page render, server-function call, a refused call)
/// with a known synthetic patient, at debug level, leaves no name, MRN or birth date in the logs.
#[tokio::test]
async fn logs_of_a_full_request_cycle_carry_no_patient_identifiers() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (store, _dir) = support::sqlite_store().await;
    let store: SharedStore = Arc::new(store);
    let clinic = store
        .create_clinic("Oak Street Clinic")
        .await
        .expect("clinic")
        .id;
    store
        .create_user(&NewUser {
            email: Email::parse("staff@clinic.example").expect("email"),
            display_name: "Synthetic Staff".to_owned(),
            role: Role::CareManager,
            clinics: vec![clinic],
            password_hash: tandem_server::password::hash("synthetic pass phrase").expect("hash"),
        })
        .await
        .expect("user");
    let app = tandem_server::router(
        store.clone(),
        tandem_server::leptos_options(
            std::path::Path::new("target/site"),
            "127.0.0.1:3000".parse().expect("addr"),
        ),
    );
    let signed_in = app
        .clone()
        .oneshot(post(
            SignIn::PATH,
            "email=staff%40clinic.example&password=synthetic+pass+phrase",
            None,
        ))
        .await
        .expect("sign in");
    let cookie = signed_in.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    store
        .create_patient(&NewPatient {
            clinic_id: clinic,
            mrn: Mrn::parse("PHI-TEST-0042").expect("mrn"),
            given_name: PersonName::parse("given name", "Zebediah").expect("name"),
            family_name: PersonName::parse("family name", "Quuxley").expect("name"),
            birth_date: chrono::NaiveDate::from_ymd_opt(1961, 7, 19).expect("date"),
        })
        .await
        .expect("patient");
    let page = app
        .clone()
        .oneshot(
            Request::get("/patients?page=1")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("page");
    let html = body_text(page).await;
    assert!(
        html.contains("Quuxley, Zebediah"),
        "the page does show the patient"
    );
    let call = app
        .clone()
        .oneshot(post(ListPatients::PATH, "page=1", Some(&cookie)))
        .await
        .expect("call");
    assert!(body_text(call).await.contains("PHI-TEST-0042"));
    let refused = app
        .oneshot(post(ListPatients::PATH, "page=1&clinic=999", Some(&cookie)))
        .await
        .expect("call");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(logs.contains("request"), "the cycle was logged: {logs}");
    for phi in [
        "Zebediah",
        "Quuxley",
        "PHI-TEST-0042",
        "1961-07-19",
        "staff@clinic.example",
    ] {
        assert!(!logs.contains(phi), "{phi} leaked into the logs:\n{logs}");
    }
}
