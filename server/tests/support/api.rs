//! Driving the JSON API and FHIR like a script: a registry with a token per role, and requests
//! with a bearer token, JSON in and out.

use std::sync::Arc;

use app::accounts::{Email, NewUser};
use app::model::ClinicId;
use app::policy::Role;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{Days, NaiveDate};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::web::{app_for, body_text};

/// One hash of [`PASSWORD`] for every test user (hashing is slow in a debug build).
fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| tandem_server::password::hash(PASSWORD).expect("hash"))
        .clone()
}

pub const PASSWORD: &str = "synthetic pass phrase";

pub struct World {
    pub app: Router,
    pub store: SharedStore,
    pub clinic: ClinicId,
    pub other_clinic: ClinicId,
    /// Tokens by role: care manager, consultant, lead, admin, and a care manager of the other
    /// clinic.
    pub cm: String,
    pub psy: String,
    pub lead: String,
    pub admin: String,
    pub other_cm: String,
    _dir: tempfile::TempDir,
}

async fn user(store: &SharedStore, email: &str, role: Role, clinics: Vec<ClinicId>) -> String {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: format!("Synthetic {}", role.label()),
            role,
            clinics,
            password_hash: password_hash(),
        })
        .await
        .expect("user");
    let (_, token) = tandem_server::tokens::create(store.as_ref(), email, "test script")
        .await
        .expect("token");
    token
}

pub async fn world() -> World {
    let (store, dir) = super::sqlite_store().await;
    let store: SharedStore = Arc::new(store);
    let clinic = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let other = store
        .create_clinic("Other Clinic")
        .await
        .expect("clinic")
        .id;
    World {
        cm: user(
            &store,
            "cm@synthetic.example",
            Role::CareManager,
            vec![clinic],
        )
        .await,
        psy: user(
            &store,
            "psy@synthetic.example",
            Role::PsychiatricConsultant,
            vec![clinic],
        )
        .await,
        lead: user(
            &store,
            "lead@synthetic.example",
            Role::ClinicLead,
            vec![clinic],
        )
        .await,
        admin: user(&store, "admin@synthetic.example", Role::Admin, vec![]).await,
        other_cm: user(&store, "cm@other.example", Role::CareManager, vec![other]).await,
        app: app_for(store.clone()),
        store,
        clinic,
        other_clinic: other,
        _dir: dir,
    }
}

impl World {
    /// The SQLite file the world's store writes.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("test.db")
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A request as a script sends it: a bearer token, JSON in and out, no cookies, no origin.
pub async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let text = body_text(res).await;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn post(app: &Router, path: &str, token: &str, body: Value) -> Answer {
    call(
        app,
        Method::POST,
        path,
        Some(token),
        Some(&body.to_string()),
    )
    .await
}

pub async fn get(app: &Router, path: &str, token: &str) -> Answer {
    call(app, Method::GET, path, Some(token), None).await
}

pub fn today() -> NaiveDate {
    app::model::today()
}

pub fn days_ago(n: u64) -> String {
    (today() - Days::new(n)).to_string()
}

/// Enrolls a synthetic patient through the API and returns its id.
pub async fn enroll(w: &World, mrn: &str, enrolled_days_ago: u64) -> i64 {
    let a = post(
        &w.app,
        "/api/v1/patients",
        &w.cm,
        json!({
            "clinic_id": w.clinic.0, "mrn": mrn, "given_name": "Sam", "family_name": "Synthetic",
            "birth_date": "1980-02-29", "enrolled_on": days_ago(enrolled_days_ago)
        }),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body["id"].as_i64().expect("id")
}
