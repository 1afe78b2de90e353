//! Web hardening: the content-security policy, body limits, the audit export and settings
//! validation.

mod support;

use std::sync::Arc;

use app::accounts::{Email, NewUser};
use app::api::admin::SaveClinicSettings;
use app::api::patients::ListPatients;
use app::model::ClinicId;
use app::policy::Role;
use app::ports::SharedStore;
use axum::http::{header, StatusCode};
use axum::Router;
use leptos::server_fn::ServerFn;
use support::web::{app_for, body_text, form_post, get_with, sign_in_cookie};
use tower::ServiceExt;

const PASSWORD: &str = "synthetic pass phrase";

async fn setup(role: Role) -> (Router, SharedStore, ClinicId, String, tempfile::TempDir) {
    let (store, dir) = support::sqlite_store().await;
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
            role,
            clinics: vec![clinic],
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
        })
        .await
        .expect("user");
    let app = app_for(store.clone());
    let cookie = sign_in_cookie(&app, "staff@clinic.example", PASSWORD).await;
    (app, store, clinic, cookie, dir)
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_that_matches_their_scripts() {
    let (app, _store, _clinic, cookie, _dir) = setup(Role::CareManager).await;
    let res = app.oneshot(get_with("/", &cookie)).await.expect("page");
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body = body_text(res).await;
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "script nonce matches"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");
}

#[tokio::test]
async fn a_request_body_over_one_mebibyte_is_refused_with_413() {
    let (app, _store, _clinic, cookie, _dir) = setup(Role::CareManager).await;
    let huge = format!("page=1&x={}", "a".repeat(2 * 1024 * 1024));
    let mut req = form_post(ListPatients::PATH, huge.clone(), Some(&cookie));
    // As every HTTP client sends it.
    req.headers_mut().insert(
        header::CONTENT_LENGTH,
        huge.len().to_string().parse().expect("header"),
    );
    let res = app.oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_audit_log_exports_as_csv_and_records_the_export() {
    let (app, store, _clinic, cookie, _dir) = setup(Role::Admin).await;
    let res = app
        .clone()
        .oneshot(get_with("/admin/audit.csv", &cookie))
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let csv = body_text(res).await;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,at_utc,user_id,action,entity_type,entity_id,ip,outcome")
    );
    assert!(csv.contains("session.sign_in"), "{csv}");
    assert!(
        csv.contains("audit.export"),
        "the export audits itself: {csv}"
    );
    let bad = app
        .oneshot(get_with("/admin/audit.csv?from=yesterday", &cookie))
        .await
        .expect("csv");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let exports = store
        .list_audit(&app::audit::AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .filter(|r| r.action == "audit.export")
        .count();
    assert_eq!(exports, 2);
}

#[tokio::test]
async fn invalid_clinic_settings_are_refused_by_field_and_nothing_is_saved() {
    let (app, store, clinic, cookie, _dir) = setup(Role::Admin).await;
    let body = format!(
        "id={clinic}&settings[target_caseload]=5&settings[flag_rules][not_improving_weeks]=99\
         &settings[flag_rules][review_kinds][]=safety"
    );
    let res = app
        .oneshot(form_post(SaveClinicSettings::PATH, body, Some(&cookie)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = body_text(res).await;
    assert!(
        text.contains("target_caseload: must be 10–300 patients"),
        "{text}"
    );
    assert!(
        text.contains("not_improving_weeks: must be 4–52 weeks"),
        "{text}"
    );
    assert_eq!(
        store.clinic_settings(clinic).await.expect("settings"),
        app::settings::ClinicSettings::default()
    );
}
