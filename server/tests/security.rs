//! Security checks that run in CI beside the authorization matrix (`authz_matrix.rs`), session
//! expiry and sign-out (`http.rs`), the same-origin check (`http.rs`, `bad_input.rs`) and the
//! log scan for PHI (`phi_logs.rs`):
//! - every route, page or not, signed in or not, answers with the security headers;
//! - a patient whose name is markup is shown as text on every page that names patients, inside
//!   the hydration data too, and CSV exports defuse a name a spreadsheet would run as a formula.

mod support;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request};
use axum::Router;
use leptos::server_fn::ServerFn;
use serde_json::json;
use support::api::{days_ago, enroll, post, world, PASSWORD};
use support::web::{body_text, sign_in_cookie};
use tower::ServiceExt;

/// A name that would run if it were ever written into a page unescaped, including inside the
/// `<title>` element or a `<script>` element of serialized data.
const SCRIPT_NAME: &str = "</title></script><script>alert(1)</script>";
/// A family name that a spreadsheet would run as a formula.
const FORMULA_NAME: &str = "=HYPERLINK(\"https://evil.example\")";
const NOTE: &str = "<img src=x onerror=alert(2)>";

async fn fetch(
    app: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
) -> (u16, HeaderMap, String) {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, "127.0.0.1:3000");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if method == Method::POST {
        req = req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, body_text(res).await)
}

fn assert_security_headers(uri: &str, status: u16, h: &HeaderMap) {
    let has = |name: &str, value: &str| {
        assert_eq!(
            h.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{uri} ({status}): {name}"
        );
    };
    has("x-content-type-options", "nosniff");
    has("x-frame-options", "DENY");
    // Tandem's pages name themselves to Tandem only; a self-report link's pages, whose path is
    // the link's secret, to no one.
    let referrer = if uri.starts_with("/r/") {
        "no-referrer"
    } else {
        "same-origin"
    };
    has("referrer-policy", referrer);
    let csp = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{uri} ({status}): content-security-policy {csp:?}"
    );
    if !uri.starts_with("/pkg/") {
        has("cache-control", "no-store");
    }
}

#[tokio::test]
async fn every_route_answers_with_the_security_headers_signed_in_or_not() {
    let w = world().await;
    let id = enroll(&w, "HDR-1", 20).await;
    let cookie = sign_in_cookie(&w.app, "cm@synthetic.example", PASSWORD).await;
    // Every page the app declares, with its parameters filled in.
    let mut uris: Vec<String> = tandem_server::screen_routes()
        .iter()
        .map(|r| {
            r.path()
                .split('/')
                .map(|seg| {
                    if seg.starts_with(':') {
                        id.to_string()
                    } else {
                        seg.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    assert!(uris.len() >= 25, "{uris:?}");
    for other in [
        "/healthz",
        "/readyz",
        "/no/such/page",
        "/pkg/tandem.css",
        "/admin/audit.csv",
        "/review/agenda.csv",
        "/reports/outcomes.csv",
        "/reports/quality.csv",
        "/reports/billing.csv",
        "/exports/caseload.csv",
        "/api/v1/clinics",
        "/api/v1/openapi.json",
        "/api/v1/nothing",
        "/fhir/r4/metadata",
        "/fhir/r4/Patient/1",
        "/r/0123456789abcdef0123456789abcdef01234567",
        "/r/0123456789abcdef0123456789abcdef01234567/q/1",
        "/r/0123456789abcdef0123456789abcdef01234567/check",
    ] {
        uris.push(other.to_owned());
    }
    for uri in &uris {
        for c in [None, Some(cookie.as_str())] {
            let (status, headers, _) = fetch(&w.app, Method::GET, uri, c).await;
            assert_security_headers(uri, status, &headers);
        }
    }
    // Server functions too, refused or not.
    for path in [
        app::api::patients::ListPatients::PATH,
        app::api::auth::SignOut::PATH,
    ] {
        let (status, headers, _) = fetch(&w.app, Method::POST, path, None).await;
        assert_security_headers(path, status, &headers);
    }
}

#[tokio::test]
async fn a_patient_named_with_markup_is_shown_as_text_everywhere_and_csv_defuses_formulas() {
    let w = world().await;
    let made = post(
        &w.app,
        "/api/v1/patients",
        &w.cm,
        json!({"clinic_id": w.clinic.0, "mrn": "XSS-1", "given_name": SCRIPT_NAME,
               "family_name": FORMULA_NAME, "birth_date": "1980-01-01",
               "enrolled_on": days_ago(90)}),
    )
    .await;
    assert_eq!(made.status.as_u16(), 201, "{}", made.body);
    let id = made.body["id"].as_i64().expect("id");
    for (path, body) in [
        (
            format!("/api/v1/patients/{id}/measurements"),
            json!({"instrument": "PHQ-9", "taken_on": days_ago(80), "items": [3,3,3,3,3,3,3,2,2]}),
        ),
        (
            format!("/api/v1/patients/{id}/measurements"),
            json!({"instrument": "PHQ-9", "taken_on": days_ago(2), "items": [3,3,3,3,3,3,2,2,1]}),
        ),
        (
            format!("/api/v1/patients/{id}/contacts"),
            json!({"occurred_on": days_ago(2), "kind": "phone", "minutes": 20, "note": NOTE}),
        ),
    ] {
        let a = post(&w.app, &path, &w.cm, body).await;
        assert_eq!(a.status.as_u16(), 201, "{path}: {}", a.body);
    }
    let cm = sign_in_cookie(&w.app, "cm@synthetic.example", PASSWORD).await;
    let psy = sign_in_cookie(&w.app, "psy@synthetic.example", PASSWORD).await;
    let lead = sign_in_cookie(&w.app, "lead@synthetic.example", PASSWORD).await;
    let clinic = w.clinic.0;
    // (who, page, whether the page names patients)
    let pages = [
        (cm.as_str(), "/caseload?scope=clinic".to_owned(), true),
        (cm.as_str(), "/patients".to_owned(), true),
        (cm.as_str(), format!("/patients/{id}"), true),
        (cm.as_str(), format!("/patients/{id}/measure"), false),
        (psy.as_str(), "/review".to_owned(), true),
        (psy.as_str(), "/review/agenda".to_owned(), true),
        (psy.as_str(), "/upcoming".to_owned(), false),
        (psy.as_str(), format!("/patients/{id}"), true),
        (lead.as_str(), "/reports/quality".to_owned(), false),
        (cm.as_str(), format!("/patients/{id}/self-report"), true),
        (cm.as_str(), format!("/patients/{id}/summary"), true),
    ];
    for (cookie, uri, names_patients) in &pages {
        let (status, _, html) = fetch(&w.app, Method::GET, uri, Some(cookie)).await;
        assert_eq!(status, 200, "{uri}");
        assert!(
            !html.contains("<script>alert(1)") && !html.contains("<img src=x"),
            "{uri} carries the name or note as markup"
        );
        if *names_patients {
            assert!(
                html.contains("&lt;/title&gt;&lt;/script&gt;&lt;script&gt;alert(1)"),
                "{uri} does not show the patient's name as text"
            );
        }
    }
    // The patient's own pages greet them by first name, as text.
    let episode = w
        .store
        .episode_records(app::model::PatientId(id))
        .await
        .expect("episodes")[0]
        .episode
        .id;
    let token = "0badc0de0badc0de0badc0de0badc0de0badc0de";
    support::self_report_link(w.store.as_ref(), episode, token, chrono::Utc::now(), 7).await;
    let opened = w
        .app
        .clone()
        .oneshot(support::web::form_post(
            &format!("/r/{token}"),
            "day=1&month=1&year=1980",
            None,
        ))
        .await
        .expect("gate");
    assert_eq!(opened.status(), 303);
    let visit = opened.headers()[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let (status, _, html) = fetch(
        &w.app,
        Method::GET,
        &format!("/r/{token}/q/1"),
        Some(&visit),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("<script>alert(1)"),
        "the greeting carries the name as markup"
    );
    assert!(
        html.contains("Hello &lt;/title&gt;&lt;/script&gt;&lt;script&gt;alert(1)"),
        "{html}"
    );
    for (cookie, uri) in [
        (
            cm.as_str(),
            format!("/exports/caseload.csv?clinic={clinic}"),
        ),
        (
            cm.as_str(),
            format!("/exports/measurements.csv?clinic={clinic}"),
        ),
        (
            cm.as_str(),
            format!("/exports/contacts.csv?clinic={clinic}"),
        ),
        (psy.as_str(), format!("/review/agenda.csv?clinic={clinic}")),
    ] {
        let (status, headers, text) = fetch(&w.app, Method::GET, &uri, Some(cookie)).await;
        assert_eq!(status, 200, "{uri}: {text}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|t| t.starts_with("text/csv")),
            "{uri}"
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut saw_name = false;
        for record in reader.records() {
            let record = record.expect("csv");
            for cell in &record {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']) || cell.parse::<f64>().is_ok(),
                    "{uri}: a cell a spreadsheet would run: {cell:?}"
                );
                saw_name |= cell.contains("HYPERLINK");
            }
        }
        assert!(saw_name, "{uri} does not list the patient: {text}");
    }
}
