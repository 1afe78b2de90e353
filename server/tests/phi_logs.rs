//! "No PHI in logs", checked on a full request cycle. This test has a binary of its own: tracing
//! caches which log sites are enabled process-wide, so it must not share its process with tests
//! that run without a subscriber.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use app::accounts::{Email, NewUser};
use app::api::patients::ListPatients;
use app::domain::{Mrn, PersonName};
use app::model::NewPatient;
use app::policy::Role;
use app::ports::SharedStore;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use support::web::{app_for, body_text, form_post, get_with, sign_in_cookie};
use tower::ServiceExt;

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
    let app = app_for(store.clone());
    let cookie = sign_in_cookie(&app, "staff@clinic.example", "synthetic pass phrase").await;
    let patient = store
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
        .oneshot(get_with("/patients?page=1", &cookie))
        .await
        .expect("page");
    let html = body_text(page).await;
    assert!(
        html.contains("Quuxley, Zebediah"),
        "the page does show the patient"
    );
    let call = app
        .clone()
        .oneshot(form_post(ListPatients::PATH, "page=1", Some(&cookie)))
        .await
        .expect("call");
    assert!(body_text(call).await.contains("PHI-TEST-0042"));
    let refused = app
        .oneshot(form_post(
            ListPatients::PATH,
            "page=1&clinic=999",
            Some(&cookie),
        ))
        .await
        .expect("call");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    // A self-report link's token is a secret: it opens the patient's questionnaire.
    let episode = store
        .open_episode(&app::model::NewEpisode {
            patient_id: patient.id,
            enrolled_on: app::model::today(),
        })
        .await
        .expect("episode");
    let token = "5eca1e7011c0ffee5eca1e7011c0ffee5eca1e70";
    support::self_report_link(store.as_ref(), episode.id, token, chrono::Utc::now(), 7).await;
    let gate = form_post(&format!("/r/{token}"), "day=19&month=7&year=1961", None);
    let opened = app_for(store.clone()).oneshot(gate).await.expect("gate");
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(
        !logs.contains(token),
        "a self-report token leaked into the logs:\n{logs}"
    );
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
