//! The care-manager server functions over HTTP, as the forms post them: validation with
//! field-level messages and 4xx statuses, nothing stored on refusal, stale edits refused with 409,
//! and another clinic's records reading as not found.

mod support;

use std::sync::Arc;

use app::accounts::{Email, NewUser};
use app::api::caseload::GetCaseload;
use app::api::enroll::Enroll;
use app::api::records::{AddContact, EditMeasurement, RecordMeasurement, SavedScore};
use app::api::review::{DeferReview, MarkForReview, RecordReview};
use app::model::{ClinicId, Enrolled, EpisodeId, PatientId};
use app::policy::Role;
use app::ports::SharedStore;
use axum::http::StatusCode;
use axum::Router;
use leptos::server_fn::ServerFn;
use support::web::{app_for, body_text, call, form_post, get_with, reply_text, sign_in_cookie};
use tower::ServiceExt;

const PASSWORD: &str = "synthetic pass phrase";

async fn staff(store: &SharedStore, email: &str, role: Role, clinic: ClinicId) -> i64 {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: "Synthetic Staff".to_owned(),
            role,
            clinics: vec![clinic],
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
        })
        .await
        .expect("user")
        .id
}

struct World {
    app: Router,
    store: SharedStore,
    cookie: String,
    clinic: ClinicId,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let (store, dir) = support::sqlite_store().await;
    let store: SharedStore = Arc::new(store);
    let clinic = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    staff(&store, "cm@synthetic.example", Role::CareManager, clinic).await;
    let app = app_for(store.clone());
    let cookie = sign_in_cookie(&app, "cm@synthetic.example", PASSWORD).await;
    World {
        app,
        store,
        cookie,
        clinic,
        _dir: dir,
    }
}

async fn post(w: &World, path: &str, body: &str) -> (StatusCode, String) {
    let res = w
        .app
        .clone()
        .oneshot(form_post(path, body.to_owned(), Some(&w.cookie)))
        .await
        .expect("response");
    let status = res.status();
    (status, reply_text(res).await)
}

fn answers(prefix: &str, values: &[u8]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{prefix}%5Bi{}%5D={v}", i + 1))
        .collect::<Vec<_>>()
        .join("&")
}

fn enroll_body(w: &World, mrn: &str, extra: &str) -> String {
    format!(
        "clinic={}&given_name=Pat&family_name=Synthetic&mrn={mrn}&birth_date=1980-04-02&pcp=&enrolled_on=2026-01-05&targets%5B%5D=depression&{extra}",
        w.clinic.0
    )
}

async fn enrolled(w: &World) -> (PatientId, EpisodeId) {
    let body = enroll_body(w, "SYN-1", &answers("phq9", &[2, 2, 2, 2, 2, 2, 2, 2, 0]));
    let enrolled: Enrolled = call(&w.app, Enroll::PATH, body, &w.cookie).await;
    (enrolled.patient_id, enrolled.episode_id)
}

#[tokio::test]
async fn enrollment_validates_every_field_and_stores_nothing_on_refusal() {
    let w = world().await;
    for (body, field) in [
        (enroll_body(&w, "", ""), "mrn"),
        (
            enroll_body(&w, "SYN-1", "").replace("birth_date=1980-04-02", "birth_date=1980-02-30"),
            "birth_date",
        ),
        (
            enroll_body(&w, "SYN-1", "")
                .replace("enrolled_on=2026-01-05", "enrolled_on=2999-01-01"),
            "enrolled_on",
        ),
        (
            enroll_body(&w, "SYN-1", "").replace("targets%5B%5D=depression", ""),
            "targets",
        ),
        (enroll_body(&w, "SYN-1", "care_manager=999"), "care_manager"),
        (
            enroll_body(&w, "SYN-1", &answers("phq9", &[1, 1, 1])),
            "phq9[i4]",
        ),
        (
            enroll_body(&w, "SYN-1", &answers("gad7", &[1, 1, 1, 1, 1, 1, 4])),
            "gad7",
        ),
    ] {
        let (status, text) = post(&w, Enroll::PATH, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {text}");
        assert!(
            text.contains(&format!("field: Some({field:?})")),
            "{field}: {text}"
        );
    }
    let page = w
        .store
        .list_patients(&Default::default())
        .await
        .expect("list");
    assert_eq!(page.total, 0, "nothing half-written");
    enrolled(&w).await;
    let (status, text) = post(&w, Enroll::PATH, &enroll_body(&w, "SYN-1", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(
        text.contains("field: Some(\"mrn\")"),
        "a taken MRN names the field: {text}"
    );
}

#[tokio::test]
async fn a_score_is_validated_on_the_server_and_the_safety_item_is_reported() {
    let w = world().await;
    let (patient, episode) = enrolled(&w).await;
    let base = format!(
        "patient={}&episode={}&instrument=PHQ-9",
        patient.0, episode.0
    );
    let (status, text) = post(
        &w,
        RecordMeasurement::PATH,
        &format!("{base}&taken_on=2999-01-01&{}", answers("answers", &[1; 9])),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("field: Some(\"taken_on\")") && text.contains("future"),
        "{text}"
    );
    let (status, text) = post(
        &w,
        RecordMeasurement::PATH,
        &format!("{base}&taken_on=2025-12-01&{}", answers("answers", &[1; 9])),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("outside the episode"), "{text}");
    let saved: SavedScore = call(
        &w.app,
        RecordMeasurement::PATH,
        format!(
            "{base}&taken_on=2026-02-02&{}",
            answers("answers", &[1, 1, 1, 1, 1, 1, 1, 1, 2])
        ),
        &w.cookie,
    )
    .await;
    assert_eq!(saved.total, 10);
    assert!(saved.safety);
    // The caseload shows the safety flag with its reason.
    let (status, text) = post(&w, GetCaseload::PATH, "scope=clinic").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("PHQ-9 item 9 answered 2"), "{text}");
}

#[tokio::test]
async fn a_stale_score_edit_is_refused_and_changes_nothing() {
    let w = world().await;
    let (_, episode) = enrolled(&w).await;
    let m = w
        .store
        .measurements_for_episode(episode)
        .await
        .expect("m")
        .remove(0);
    let edit = |version: i64, reason: &str| {
        format!(
            "id={}&version={version}&taken_on=2026-01-05&reason={reason}&{}",
            m.id.0,
            answers("answers", &[1; 9])
        )
    };
    let (status, text) = post(&w, EditMeasurement::PATH, &edit(m.version, "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        text.contains("field: Some(\"reason\")"),
        "a reason is required: {text}"
    );
    let (status, text) = post(&w, EditMeasurement::PATH, &edit(m.version, "wrong+answers")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) = post(&w, EditMeasurement::PATH, &edit(m.version, "again")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("changed by someone else"), "{text}");
    let now = w
        .store
        .measurements_for_episode(episode)
        .await
        .expect("m")
        .remove(0);
    assert_eq!(now.responses.total(), 9);
    assert_eq!(now.version, m.version + 1);
}

#[tokio::test]
async fn another_clinics_episode_reads_as_not_found_and_contacts_are_validated() {
    let w = world().await;
    let (_, episode) = enrolled(&w).await;
    let body = |minutes: &str| {
        format!(
            "episode={}&occurred_on=2026-01-12&kind=phone&minutes={minutes}&note=",
            episode.0
        )
    };
    let (status, text) = post(&w, AddContact::PATH, &body("999")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("field: Some(\"minutes\")"), "{text}");
    let (status, text) = post(&w, AddContact::PATH, &body("20")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    // A care manager of another clinic cannot see or write this episode.
    let other = w
        .store
        .create_clinic("Other Clinic")
        .await
        .expect("clinic")
        .id;
    staff(
        &w.store,
        "other@synthetic.example",
        Role::CareManager,
        other,
    )
    .await;
    let cookie = sign_in_cookie(&w.app, "other@synthetic.example", PASSWORD).await;
    let res = w
        .app
        .clone()
        .oneshot(form_post(AddContact::PATH, body("20"), Some(&cookie)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let history = w.store.episode_history(episode).await.expect("history");
    assert_eq!(history.contacts.len(), 1);
}

async fn get(w: &World, uri: &str) -> (StatusCode, String, String) {
    let res = w
        .app
        .clone()
        .oneshot(get_with(uri, &w.cookie))
        .await
        .expect("response");
    let status = res.status();
    let kind = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, body_text(res).await)
}

#[tokio::test]
async fn the_review_list_is_prepared_over_http_with_validation_and_audited_exports() {
    let w = world().await;
    let (_, episode) = enrolled(&w).await;
    // A manual entry needs a reason; a refused one stores nothing.
    let (status, text) = post(
        &w,
        MarkForReview::PATH,
        &format!("episode={}&reason=+", episode.0),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("Enter the reason for review"), "{text}");
    assert!(w
        .store
        .episode_history(episode)
        .await
        .expect("history")
        .review_mark
        .is_none());
    let (status, text) = post(
        &w,
        MarkForReview::PATH,
        &format!("episode={}&reason=Side+effects", episode.0),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    // A bad meeting date is refused by name.
    let (status, text) = post(
        &w,
        DeferReview::PATH,
        &format!("episode={}&date=next+week&reason=away", episode.0),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("YYYY-MM-DD"), "{text}");
    // Only the consultant records recommendations.
    let (status, _) = post(
        &w,
        RecordReview::PATH,
        &format!(
            "meeting=1&episode={}&kind=continue&details=&note=",
            episode.0
        ),
    )
    .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );

    // The list page arrives complete, with the patient and the care manager's reason.
    let (status, _, body) = get(&w, &format!("/review?clinic={}", w.clinic.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Case review"), "{body}");
    assert!(body.contains("Synthetic, Pat"), "{body}");
    assert!(body.contains("Side effects"), "{body}");
    assert!(!body.contains("Loading"), "{body}");

    // The CSV agenda and the printable agenda are exports, and audited as such.
    let (status, kind, csv) = get(&w, &format!("/review/agenda.csv?clinic={}", w.clinic.0)).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap_or_default()
        .starts_with("meeting_date,order,patient,mrn,top_reason"));
    let row = lines.next().unwrap_or_default();
    assert!(
        row.contains("\"Synthetic, Pat\",SYN-1,not_improving,not_improving;manual;no_consult"),
        "{row}"
    );
    assert!(!csv.contains("1980-04-02"), "no birth dates in the agenda");
    let (status, _, _) = get(
        &w,
        &format!("/review/agenda.csv?clinic={}&date=soon", w.clinic.0),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, body) = get(&w, &format!("/review/agenda?clinic={}", w.clinic.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Case review agenda"), "{body}");
    let audit = w
        .store
        .list_audit(&app::audit::AuditQuery {
            user_id: None,
            entity_type: None,
            entity_id: None,
            from: None,
            to: None,
            limit: 1000,
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"review.export_csv"), "{actions:?}");
    assert!(actions.contains(&"review.agenda_print"), "{actions:?}");
}

#[tokio::test]
async fn the_chart_is_drawn_with_its_forms_which_post_without_the_wasm_and_show_a_refusal() {
    // The server draws the whole chart, forms included: each form posts to its server function,
    // so it works before (or without) the wasm, and a refusal comes back in the page.
    let w = world().await;
    let (patient, episode) = enrolled(&w).await;
    let chart = format!("/patients/{}", patient.0);
    let (status, _, page) = get(&w, &chart).await;
    assert_eq!(status, StatusCode::OK);
    let contact_form = format!(r#"<form action="{}" method="post""#, AddContact::PATH);
    assert!(page.contains(&contact_form), "{page}");
    assert!(page.contains(r#"<h1>Synthetic, Pat</h1>"#), "{page}");
    let slot = page
        .find(r#"id="minutes-error""#)
        .map(|at| &page[at.saturating_sub(40)..at + 60]);
    assert!(
        slot.is_some_and(|s| s.contains(r#"class="field-error""#)),
        "{slot:?}"
    );

    let referer = format!("http://127.0.0.1:3000{chart}");
    let req = axum::http::Request::post(AddContact::PATH)
        .header(axum::http::header::HOST, "127.0.0.1:3000")
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(axum::http::header::ACCEPT, "text/html,*/*;q=0.8")
        .header("sec-fetch-site", "same-origin")
        .header(axum::http::header::ORIGIN, "http://127.0.0.1:3000")
        .header(axum::http::header::REFERER, &referer)
        .header(axum::http::header::COOKIE, &w.cookie)
        .body(axum::body::Body::from(format!(
            "episode={}&occurred_on=2026-01-06&kind=phone&minutes=999&note=",
            episode.0
        )))
        .expect("request");
    let res = w.app.clone().oneshot(req).await.expect("response");
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()[axum::http::header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let back = back.trim_start_matches("http://127.0.0.1:3000");
    assert!(back.starts_with(&chart), "{back}");
    let (status, _, page) = get(&w, back).await;
    assert_eq!(status, StatusCode::OK);
    let refused = page
        .split(&contact_form)
        .nth(1)
        .and_then(|form| form.split("</form>").next())
        .expect("the contact form");
    assert!(refused.contains("There is a problem"), "{refused}");
    assert!(
        refused.contains("Minutes must be a whole number from 0 to 480."),
        "{refused}"
    );
    let history = w.store.episode_history(episode).await.expect("history");
    assert!(history.contacts.is_empty(), "a refusal stores nothing");
}
