//! The router end to end, without a socket: pages render on the server from the store, the health
//! check reports the backend, and cross-site writes are refused.

mod support;

use app::accounts::{Email, NewUser};
use app::api::auth::{SignIn, SignOut};
use app::api::patients::ListPatients;
use app::domain::{Mrn, PersonName};
use app::error::AppError;
use app::model::{ClinicId, NewPatient, Page, PatientListRow};
use app::policy::Role;
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

const PASSWORD: &str = "synthetic pass phrase";

/// Creates a user of `role` in `clinics` with [`PASSWORD`].
async fn user(store: &SharedStore, email: &str, role: Role, clinics: Vec<ClinicId>) {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: "Synthetic Staff".to_owned(),
            role,
            clinics,
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
        })
        .await
        .expect("user");
}

fn form_post(path: &str, body: String, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    req.body(Body::from(body)).expect("request")
}

/// Signs in through the server function and returns the status and the `Set-Cookie` header.
async fn sign_in(
    app: &Router,
    email: &str,
    password: &str,
) -> (StatusCode, Option<String>, String) {
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let (status, headers, text) = send(app.clone(), form_post(SignIn::PATH, body, None)).await;
    let cookie = headers
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().expect("ascii").to_owned());
    (status, cookie, text)
}

/// The `name=value` part of a `Set-Cookie` header, to send back.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().expect("pair").to_owned()
}

async fn signed_in_app(role: Role) -> (Router, SharedStore, String, tempfile::TempDir) {
    let (store, dir) = sqlite().await;
    let clinic = store
        .create_clinic("Oak Street Clinic")
        .await
        .expect("clinic");
    user(&store, "staff@clinic.example", role, vec![clinic.id]).await;
    let app = app(store.clone());
    let (status, cookie, body) = sign_in(&app, "staff@clinic.example", PASSWORD).await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status}: {body}"
    );
    let cookie = cookie_pair(&cookie.expect("session cookie"));
    (app, store, cookie, dir)
}

fn get_with(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
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
async fn readyz_is_200_while_serving_and_503_when_draining_or_the_database_is_gone() {
    let (store, _dir) = support::sqlite_store().await;
    let store: SharedStore = Arc::new(store);
    let ready = tandem_server::http::Readiness::default();
    let routed = tandem_server::router_full(
        store,
        tandem_server::leptos_options(
            std::path::Path::new("target/site"),
            "127.0.0.1:3000".parse().expect("addr"),
        ),
        tandem_server::session::SessionConfig::default(),
        ready.clone(),
    );
    let (status, _, body) = send(routed.clone(), get("/readyz")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"status": "ready", "database": "sqlite"})
    );

    ready.drain();
    let (status, _, body) = send(routed.clone(), get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("shutting down"), "{body}");
    // Liveness is unaffected by draining.
    let (status, _, _) = send(routed, get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);

    let (store, _dir) = support::sqlite_store().await;
    store.close().await;
    let (status, _, body) = send(app(Arc::new(store)), get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("database unavailable"), "{body}");
}

#[tokio::test]
async fn the_home_page_asks_an_anonymous_visitor_to_sign_in() {
    let (store, _dir) = sqlite().await;
    let (status, headers, body) = send(app(store), get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    assert!(body.contains("<title>Caseload · Tandem</title>"), "{body}");
    assert!(body.contains("Please sign in"), "{body}");
    assert!(!body.contains("Loading"), "no streamed fallback: {body}");
    assert!(
        body.contains("No accounts yet"),
        "first run is explained: {body}"
    );
    assert!(body.contains("Skip to main content"));
    // The hydration script that loads the wasm bundle.
    assert!(body.contains("/pkg/tandem.js"));
}

#[tokio::test]
async fn the_sign_in_page_explains_first_run_setup_when_there_are_no_accounts() {
    let (store, _dir) = sqlite().await;
    let (status, _, body) = send(app(store.clone()), get("/login")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No accounts yet"), "{body}");
    assert!(body.contains("tandem user create"), "{body}");
    assert_eq!(
        store.count_users().await.expect("count"),
        0,
        "never auto-created"
    );
    user(&store, "admin@clinic.example", Role::Admin, vec![]).await;
    let (_, _, body) = send(app(store), get("/login")).await;
    assert!(!body.contains("No accounts yet"));
}

#[tokio::test]
async fn a_signed_in_care_manager_sees_the_empty_state() {
    let (app, _store, cookie, _dir) = signed_in_app(Role::CareManager).await;
    let (status, _, body) = send(app.clone(), get_with("/", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("My caseload"), "the caseload is home: {body}");
    assert!(
        !body.contains("Loading"),
        "the page arrives complete, with no fallback to fill in by script: {body}"
    );
    assert!(body.contains("No patients here"), "{body}");
    let (_, _, body) = send(app, get_with("/patients", &cookie)).await;
    assert!(body.contains("No patients enrolled yet"), "{body}");
    assert!(
        body.contains("Synthetic Staff"),
        "the header names the user: {body}"
    );
}

#[tokio::test]
async fn the_patient_list_renders_the_clinics_patients_from_the_store() {
    let (app, store, cookie, _dir) = signed_in_app(Role::CareManager).await;
    let clinic = store.list_clinics().await.expect("clinics")[0].clone();
    let other = store
        .create_clinic("Elsewhere Clinic")
        .await
        .expect("clinic");
    for (clinic_id, mrn, given, family) in [
        (clinic.id, "SYN-2", "Ava", "Zimmer"),
        (clinic.id, "SYN-1", "Ben", "Adler"),
        (other.id, "SYN-9", "Cy", "Hidden"),
    ] {
        store
            .create_patient(&NewPatient {
                clinic_id,
                mrn: Mrn::parse(mrn).expect("mrn"),
                given_name: PersonName::parse("given name", given).expect("name"),
                family_name: PersonName::parse("family name", family).expect("name"),
                birth_date: NaiveDate::from_ymd_opt(1980, 5, 17).expect("date"),
            })
            .await
            .expect("patient");
    }
    let (status, _, body) = send(app.clone(), get_with("/patients", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Showing 1–2 of 2 patients"), "{body}");
    let adler = body.find("Adler, Ben").expect("Adler listed");
    let zimmer = body.find("Zimmer, Ava").expect("Zimmer listed");
    assert!(adler < zimmer, "ordered by family name");
    assert!(body.contains("SYN-1") && body.contains("Oak Street Clinic"));
    assert!(
        !body.contains("Hidden"),
        "another clinic's patient must not show"
    );
    // Asking for the other clinic explicitly is refused as "not found".
    let req = form_post(
        ListPatients::PATH,
        format!("page=1&clinic={}", other.id),
        Some(&cookie),
    );
    let (status, _, body) = send(app, req).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!body.contains("Hidden"));
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
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
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
async fn an_anonymous_server_function_call_is_401() {
    let (store, _dir) = sqlite().await;
    let req = server_fn_call(Some("same-origin"), Some("http://127.0.0.1:3000"));
    let (status, _, body) = send(app(store), req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn a_signed_in_server_function_call_returns_the_page_in_the_wire_encoding() {
    let (app, _store, cookie, _dir) = signed_in_app(Role::CareManager).await;
    let page: Page<PatientListRow> =
        support::web::call(&app, ListPatients::PATH, "page=1", &cookie).await;
    assert_eq!(page.total, 0);
    assert!(page.rows.is_empty());
}

#[tokio::test]
async fn an_admin_may_not_list_patients() {
    let (app, _store, cookie, _dir) = signed_in_app(Role::Admin).await;
    let req = form_post(ListPatients::PATH, "page=1".to_owned(), Some(&cookie));
    let res = app.oneshot(req).await.expect("response");
    let status = res.status();
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        app::api::WIRE_CONTENT_TYPE
    );
    let body = res.into_body().collect().await.expect("body").to_bytes();
    // The error travels in the wire encoding, and its own status is the response's.
    let err = AppError::from_wire(&body).expect("an error in the wire encoding");
    assert!(
        matches!(err, AppError::Forbidden | AppError::NotFound(_)),
        "{err:?}"
    );
    assert_eq!(status.as_u16(), err.status());
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let (store, _dir) = sqlite().await;
    user(&store, "cm@clinic.example", Role::CareManager, vec![]).await;
    let (_, cookie, _) = sign_in(&app(store), "cm@clinic.example", PASSWORD).await;
    let cookie = cookie.expect("cookie");
    assert!(cookie.starts_with("tandem_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_message() {
    let (store, _dir) = sqlite().await;
    user(&store, "cm@clinic.example", Role::CareManager, vec![]).await;
    let app = app(store.clone());
    let (s1, c1, wrong_password) = sign_in(&app, "cm@clinic.example", "not the password").await;
    let (s2, c2, unknown_email) = sign_in(&app, "nobody@clinic.example", PASSWORD).await;
    assert_eq!(s1, StatusCode::BAD_REQUEST);
    assert_eq!(s2, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_password, unknown_email, "no user enumeration");
    assert!(wrong_password.contains("The email address or password is incorrect."));
    assert!(c1.is_none() && c2.is_none());
    let audit = store
        .list_audit(&app::audit::AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 2, "failed sign-ins are audited");
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account() {
    let (store, _dir) = sqlite().await;
    user(&store, "cm@clinic.example", Role::CareManager, vec![]).await;
    let app = app(store);
    for _ in 0..tandem_server::session::MAX_FAILURES_PER_ACCOUNT {
        let (status, _, _) = sign_in(&app, "cm@clinic.example", "guess guess guess").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // Even the right password is refused while the account is limited.
    let (status, cookie, body) = sign_in(&app, "cm@clinic.example", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(cookie.is_none());
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address_across_accounts() {
    let (store, _dir) = sqlite().await;
    user(&store, "cm@clinic.example", Role::CareManager, vec![]).await;
    let app = app(store);
    // Spraying one guess over many accounts from one address.
    for i in 0..tandem_server::session::MAX_FAILURES_PER_ADDRESS {
        let (status, _, _) = sign_in(
            &app,
            &format!("user{i}@clinic.example"),
            "guess guess guess",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, cookie, _) = sign_in(&app, "cm@clinic.example", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(cookie.is_none());
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in() {
    let (store, _dir) = sqlite().await;
    user(&store, "cm@clinic.example", Role::CareManager, vec![]).await;
    let (found, _) = store
        .find_user_by_email(&Email::parse("cm@clinic.example").expect("email"))
        .await
        .expect("find")
        .expect("user");
    store
        .set_user_active(found.id, false)
        .await
        .expect("deactivate");
    let (status, cookie, _) = sign_in(&app(store), "cm@clinic.example", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(cookie.is_none());
}

#[tokio::test]
async fn sign_in_issues_a_fresh_session_id_ignoring_any_presented_one() {
    let (store, _dir) = sqlite().await;
    user(&store, "cm@clinic.example", Role::CareManager, vec![]).await;
    let app = app(store);
    let planted = "tandem_session=attacker-chosen-value";
    let req = form_post(
        SignIn::PATH,
        format!(
            "email=cm%40clinic.example&password={}",
            PASSWORD.replace(' ', "+")
        ),
        Some(planted),
    );
    let (_, headers, _) = send(app.clone(), req).await;
    let issued = cookie_pair(headers[header::SET_COOKIE].to_str().expect("ascii"));
    assert_ne!(issued, planted);
    let (_, second, _) = sign_in(&app, "cm@clinic.example", PASSWORD).await;
    assert_ne!(
        cookie_pair(&second.expect("cookie")),
        issued,
        "every sign-in rotates"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let (app, _store, cookie, _dir) = signed_in_app(Role::CareManager).await;
    let (status, headers, _) = send(
        app.clone(),
        form_post(SignOut::PATH, String::new(), Some(&cookie)),
    )
    .await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let cleared = headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // The old cookie, replayed, no longer works.
    let req = form_post(ListPatients::PATH, "page=1".to_owned(), Some(&cookie));
    let (status, _, _) = send(app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let (store, _dir) = sqlite().await;
    let clinic = store
        .create_clinic("Oak Street Clinic")
        .await
        .expect("clinic");
    user(
        &store,
        "cm@clinic.example",
        Role::CareManager,
        vec![clinic.id],
    )
    .await;
    let config = tandem_server::session::SessionConfig {
        idle: chrono::Duration::milliseconds(300),
        ..Default::default()
    };
    let app = tandem_server::router_with(
        store,
        tandem_server::leptos_options(
            std::path::Path::new("target/site"),
            "127.0.0.1:3000".parse().expect("addr"),
        ),
        config,
    );
    let (_, cookie, _) = sign_in(&app, "cm@clinic.example", PASSWORD).await;
    let cookie = cookie_pair(&cookie.expect("cookie"));
    let fresh = form_post(ListPatients::PATH, "page=1".to_owned(), Some(&cookie));
    assert_eq!(send(app.clone(), fresh).await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let stale = form_post(ListPatients::PATH, "page=1".to_owned(), Some(&cookie));
    assert_eq!(send(app, stale).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_are_not_stored_by_the_browser_but_the_bundle_is() {
    let (store, _dir) = sqlite().await;
    let (_, headers, _) = send(app(store.clone()), get("/")).await;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    // A file of an unhashed build is left to the browser's own rules: not `no-store`, but not
    // kept for good either, since the next build reuses its name.
    let site = site_with_a_stylesheet();
    let app = tandem_server::router(
        store,
        tandem_server::leptos_options(site.path(), "127.0.0.1:3000".parse().expect("addr")),
    );
    let (status, headers, body) = send(app, get("/pkg/tandem.css")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.get(header::CACHE_CONTROL).is_none(), "{headers:?}");
}

const CSS_HASH: &str = "dGFuZGVtLWNzcy12MSEhIQ";
const JS_HASH: &str = "dGFuZGVtLWpzLXYxISEhIQ";
const WASM_HASH: &str = "dGFuZGVtLXdhc20tdjEhIQ";

/// A release build's site: its files named by their content's hash, listed in `hash.txt`.
fn hashed_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg");
    std::fs::write(
        site.path().join(format!("pkg/tandem.{CSS_HASH}.css")),
        "main { margin: 0 }",
    )
    .expect("css");
    std::fs::write(
        site.path().join(tandem_server::HASH_FILE),
        format!("js: {JS_HASH}\nwasm: {WASM_HASH}\ncss: {CSS_HASH}\n"),
    )
    .expect("hashes");
    site
}

// A page loaded before an upgrade asks for its own build's files later (a screen's code is
// loaded when it first opens). Named by their content, they are never confused with the new
// build's, and a browser keeps them without asking again.
#[tokio::test]
async fn a_release_build_is_linked_by_its_hashed_names_which_browsers_keep_for_good() {
    let (store, _dir) = sqlite().await;
    let site = hashed_site();
    let app = tandem_server::router(
        store,
        tandem_server::leptos_options(site.path(), "127.0.0.1:3000".parse().expect("addr")),
    );
    let stylesheet = format!("href=\"/pkg/tandem.{CSS_HASH}.css\"");
    let (status, headers, page) = send(app.clone(), get("/login")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(page.contains(&stylesheet), "{page}");
    assert!(
        page.contains(&format!("/pkg/tandem.{JS_HASH}.js")),
        "{page}"
    );
    assert!(
        page.contains(&format!("/pkg/tandem.{WASM_HASH}.wasm")),
        "{page}"
    );
    assert!(!page.contains("/pkg/tandem.css"), "{page}");

    let (status, headers, _) = send(app.clone(), get(&format!("/pkg/tandem.{CSS_HASH}.css"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    // Another build's file is not here, and its absence is not kept: behind a load balancer it
    // may be served by the next instance asked.
    let (status, headers, _) = send(
        app.clone(),
        get("/pkg/split_chart_area_3.dGFuZGVtLW9sZC12MCEhIQ.wasm"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");

    // The patient pages link the same stylesheet.
    let (status, _, page) = send(app, get(&format!("/r/{}", "ab".repeat(20)))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&stylesheet), "{page}");
}

#[tokio::test]
async fn a_cross_site_server_function_call_is_refused() {
    let (store, _dir) = sqlite().await;
    let req = server_fn_call(Some("cross-site"), Some("https://evil.example"));
    let (status, _, body) = send(app(store.clone()), req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Cross-site requests are not accepted"));
    // A foreign Origin alone (older browsers send no Sec-Fetch-Site) is refused too, and so is an
    // opaque one.
    for origin in ["https://evil.example", "null"] {
        let req = server_fn_call(None, Some(origin));
        let (status, _, _) = send(app(store.clone()), req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}");
    }
}

#[tokio::test]
async fn a_plain_form_post_from_a_tandem_page_is_accepted_with_an_opaque_origin() {
    // A self-report link's pages are served with `Referrer-Policy: no-referrer`, so a browser
    // posts their forms with `Origin: null`; its `Sec-Fetch-Site: same-origin` is what counts.
    let (store, _dir) = sqlite().await;
    let req = server_fn_call(Some("same-origin"), Some("null"));
    let (status, _, body) = send(app(store), req).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "reached the function: {body}"
    );
}

#[tokio::test]
async fn a_form_posted_before_the_wasm_has_loaded_returns_to_its_page() {
    // Until a screen's wasm has taken over, the browser posts an action's form itself. The server
    // function answers a browser's post with a redirect to the `Referer`, which Tandem's pages
    // send to Tandem (`same-origin`), so the user lands back on the page, not on the home page.
    let (app, _store, cookie, _dir) = signed_in_app(Role::CareManager).await;
    let (_, headers, _) = send(app.clone(), get_with("/patients", &cookie)).await;
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    let page = "http://127.0.0.1:3000/patients?page=2";
    let req = Request::post(ListPatients::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::REFERER, page)
        .header(header::COOKIE, &cookie)
        .body(Body::from("page=1"))
        .expect("request");
    let (status, headers, body) = send(app, req).await;
    assert!(status.is_redirection(), "{status}: {body}");
    assert_eq!(headers[header::LOCATION], page);
}

#[tokio::test]
async fn a_malformed_server_function_call_is_a_client_error() {
    let (store, _dir) = sqlite().await;
    let req = form_post(ListPatients::PATH, "page=minus-one".to_owned(), None);
    let (status, _, body) = send(app(store), req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("the request was malformed"), "{body}");
}

/// A site root with one stylesheet in it, as `cargo leptos build` leaves it.
fn site_with_a_stylesheet() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg");
    std::fs::write(site.path().join("pkg/tandem.css"), "main { margin: 0 }").expect("css");
    site
}

// Page renders and file requests interleave on one thread here, as they do on a server's worker
// threads. A page's reactive owner used to stay current on its thread while the page waited for
// its data, so a static file served meanwhile got an owner under the page's and took the page's
// pending response headers: the file went out with the page's nonce policy, and the page without
// any policy of its own, so its script was refused and it never became interactive.
#[tokio::test]
async fn a_file_served_while_pages_render_keeps_to_its_own_headers() {
    let (_, store, cookie, _dir) = signed_in_app(Role::CareManager).await;
    let site = site_with_a_stylesheet();
    let app = tandem_server::router(
        store,
        tandem_server::leptos_options(site.path(), "127.0.0.1:3000".parse().expect("addr")),
    );
    let csp = |headers: &axum::http::HeaderMap| {
        headers
            .get(header::CONTENT_SECURITY_POLICY)
            .map(|v| v.to_str().expect("ascii").to_owned())
            .unwrap_or_default()
    };
    let mut pages = Vec::new();
    let mut files = Vec::new();
    // A page takes about a millisecond to render here: files are asked for every 0.2 ms, and a
    // page every 0.8 ms, so that many files are served while some page is waiting for its data.
    for i in 0..200 {
        if i % 4 == 0 {
            pages.push(tokio::spawn(send(
                app.clone(),
                get_with("/patients", &cookie),
            )));
        }
        files.push(tokio::spawn(send(app.clone(), get("/pkg/tandem.css"))));
        tokio::time::sleep(std::time::Duration::from_micros(200)).await;
    }
    let mut wrong = Vec::new();
    for page in pages {
        let (status, headers, body) = page.await.expect("page");
        assert_eq!(status, StatusCode::OK, "{body}");
        if !csp(&headers).contains("script-src 'nonce-") {
            wrong.push(format!("a page went out with {:?}", csp(&headers)));
        }
    }
    for file in files {
        let (status, headers, body) = file.await.expect("file");
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "main { margin: 0 }")
        );
        if csp(&headers) != "default-src 'none'; frame-ancestors 'none'" {
            wrong.push(format!("a file went out with {:?}", csp(&headers)));
        }
    }
    assert!(wrong.is_empty(), "{} of 250 wrong: {wrong:?}", wrong.len());
}

// Building a router renders the app once to list its screens' routes, and while it does, the view
// layer holds back every page's data loading, process-wide. A page whose data started loading in
// that moment, on another thread, never loaded it: its request waited forever. Tests build many
// routers side by side, and so would a process serving several. Here one thread keeps building
// routers while another renders pages; every page must arrive.
#[test]
fn pages_render_while_other_routers_are_built() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    };
    let stop = Arc::new(AtomicBool::new(false));
    let builder = std::thread::spawn({
        let stop = stop.clone();
        let runtime = runtime();
        move || {
            let (store, _dir) = runtime.block_on(sqlite());
            let _context = runtime.enter();
            let mut built = 0_u32;
            while !stop.load(Ordering::Relaxed) {
                drop(app(store.clone()));
                built += 1;
            }
            built
        }
    });
    // A page renders in milliseconds; one still waiting after ten seconds was never going to arrive.
    let rendered = runtime().block_on(async {
        let (store, _dir) = sqlite().await;
        let app = app(store);
        let mut rendered = 0_u32;
        while rendered < 300 {
            let page = send(app.clone(), get("/login"));
            let Ok((status, _, body)) = tokio::time::timeout(Duration::from_secs(10), page).await
            else {
                break;
            };
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.contains("Sign in"), "{body}");
            rendered += 1;
        }
        rendered
    });
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().expect("builder");
    assert!(built > 0, "no router was built alongside the pages");
    assert_eq!(
        rendered, 300,
        "a page never arrived, after {rendered} did, with {built} routers built alongside"
    );
}
