//! The router end to end, without a socket: pages render on the server from the store, the health
//! check reports the backend, and cross-site writes are refused.

mod support;

use app::api::patients::ListPatients;
use app::domain::{Mrn, PersonName};
use app::model::NewPatient;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use std::sync::Arc;
use tower::ServiceExt;

fn app(store: SharedStore) -> Router {
    let site = std::path::Path::new("target/site");
    tandem_server::router(
        store,
        tandem_server::leptos_options(site, "127.0.0.1:3000".parse().expect("addr")),
    )
}

async fn send(app: Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

async fn sqlite() -> (SharedStore, tempfile::TempDir) {
    let (store, dir) = support::sqlite_store().await;
    (Arc::new(store), dir)
}

#[tokio::test]
async fn healthz_reports_ok_with_the_backend_and_version() {
    let (store, _dir) = sqlite().await;
    let (status, headers, body) = send(app(store), get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"status": "ok", "database": "sqlite", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test]
async fn healthz_reports_postgres_when_running_on_postgres() {
    support::with_postgres(|store| async move {
        let (status, _, body) = send(app(Arc::new(store)), get("/healthz")).await;
        assert_eq!(status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["database"], "postgres");
    })
    .await;
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_gone() {
    let (store, _dir) = support::sqlite_store().await;
    store.close().await;
    let (status, _, body) = send(app(Arc::new(store)), get("/healthz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("\"status\":\"unavailable\""), "{body}");
}

#[tokio::test]
async fn the_home_page_is_server_rendered_with_an_empty_state() {
    let (store, _dir) = sqlite().await;
    let (status, headers, body) = send(app(store), get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    assert!(body.contains("<title>Patients · Tandem</title>"), "{body}");
    assert!(body.contains("Tandem"));
    assert!(body.contains("No patients enrolled yet"), "{body}");
    assert!(body.contains("Skip to main content"));
    // The hydration script that loads the wasm bundle.
    assert!(body.contains("/pkg/tandem.js"));
}

#[tokio::test]
async fn the_patient_list_renders_patients_from_the_store() {
    let (store, _dir) = sqlite().await;
    let clinic = store
        .create_clinic("Oak Street Clinic")
        .await
        .expect("clinic");
    for (mrn, given, family) in [("SYN-2", "Ava", "Zimmer"), ("SYN-1", "Ben", "Adler")] {
        store
            .create_patient(&NewPatient {
                clinic_id: clinic.id,
                mrn: Mrn::parse(mrn).expect("mrn"),
                given_name: PersonName::parse("given name", given).expect("name"),
                family_name: PersonName::parse("family name", family).expect("name"),
                birth_date: NaiveDate::from_ymd_opt(1980, 5, 17).expect("date"),
            })
            .await
            .expect("patient");
    }
    let (status, _, body) = send(app(store), get("/patients")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("No patients enrolled yet"));
    assert!(body.contains("Showing 1–2 of 2 patients"), "{body}");
    let adler = body.find("Adler, Ben").expect("Adler listed");
    let zimmer = body.find("Zimmer, Ava").expect("Zimmer listed");
    assert!(adler < zimmer, "ordered by family name");
    assert!(body.contains("SYN-1") && body.contains("Oak Street Clinic"));
    assert!(body.contains("Not enrolled"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_a_way_back() {
    let (store, _dir) = sqlite().await;
    let (status, _, body) = send(app(store), get("/no/such/page")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"), "{body}");
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let (store, _dir) = sqlite().await;
    let (_, headers, _) = send(app(store), get("/")).await;
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
}

fn server_fn_call(site: Option<&str>, origin: Option<&str>) -> Request<Body> {
    let mut req = Request::post(ListPatients::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(site) = site {
        req = req.header("sec-fetch-site", site);
    }
    if let Some(origin) = origin {
        req = req.header(header::ORIGIN, origin);
    }
    req.body(Body::from("page=1")).expect("request")
}

#[tokio::test]
async fn a_same_origin_server_function_call_returns_the_page_as_json() {
    let (store, _dir) = sqlite().await;
    let req = server_fn_call(Some("same-origin"), Some("http://127.0.0.1:3000"));
    let (status, _, body) = send(app(store), req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["total"], 0);
}

#[tokio::test]
async fn a_cross_site_server_function_call_is_refused() {
    let (store, _dir) = sqlite().await;
    let req = server_fn_call(Some("cross-site"), Some("https://evil.example"));
    let (status, _, body) = send(app(store.clone()), req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Cross-site requests are not accepted"));
    // A foreign Origin alone (older browsers send no Sec-Fetch-Site) is refused too.
    let req = server_fn_call(None, Some("https://evil.example"));
    let (status, _, _) = send(app(store), req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_malformed_server_function_call_is_a_client_error() {
    let (store, _dir) = sqlite().await;
    let req = Request::post(ListPatients::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("page=minus-one"))
        .expect("request");
    let (status, _, body) = send(app(store), req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("the request was malformed"), "{body}");
}
