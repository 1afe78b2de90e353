//! The JSON API (`/api/v1`) over HTTP with API tokens: the whole care workflow driven by a script,
//! tokens refused when missing, wrong, revoked or of a deactivated user (and the browser session
//! never accepted), and a bad-input matrix where every case gets its status and message and
//! changes nothing.

mod support;

use app::accounts::Email;
use app::audit::AuditQuery;
use app::model::PatientId;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::Days;
use serde_json::json;
use support::api::{call, days_ago, enroll, get, post, today, world, World, PASSWORD};
use support::web::sign_in_cookie;
use tower::ServiceExt;

#[tokio::test]
async fn a_token_drives_the_whole_care_workflow() {
    let w = world().await;
    let clinics = get(&w.app, "/api/v1/clinics", &w.cm).await;
    assert_eq!(clinics.status, StatusCode::OK);
    assert_eq!(
        clinics.body,
        json!([{"id": w.clinic.0, "name": "Synthetic Clinic"}])
    );
    let all = get(&w.app, "/api/v1/clinics", &w.admin).await;
    assert_eq!(all.body.as_array().map(Vec::len), Some(2));
    let made = post(
        &w.app,
        "/api/v1/clinics",
        &w.admin,
        json!({"name": "Third Clinic"}),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["name"], "Third Clinic");

    let created = post(
        &w.app,
        "/api/v1/patients",
        &w.cm,
        json!({
            "clinic_id": w.clinic.0, "mrn": "SYN-001", "given_name": "Ada", "family_name": "Synthetic",
            "birth_date": "1975-06-01", "enrolled_on": days_ago(84), "targets": ["depression", "anxiety"]
        }),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_i64().expect("id");
    let episode = created.body["episode_id"].as_i64().expect("episode");
    let base = format!("/api/v1/patients/{id}");

    let baseline = post(
        &w.app,
        &format!("{base}/measurements"),
        &w.cm,
        json!({"instrument": "PHQ-9", "taken_on": days_ago(84), "items": [2,2,2,2,2,2,2,2,0], "difficulty": "very"}),
    )
    .await;
    assert_eq!(baseline.status, StatusCode::CREATED, "{}", baseline.body);
    assert_eq!(baseline.body["total"], 16);
    assert_eq!(baseline.body["severity"], "moderately severe");
    assert_eq!(baseline.body["safety"], false);
    let follow_up = post(
        &w.app,
        &format!("{base}/measurements"),
        &w.cm,
        json!({"instrument": "PHQ-9", "taken_on": days_ago(7), "items": [1,1,1,1,1,1,0,0,1]}),
    )
    .await;
    assert_eq!(follow_up.status, StatusCode::CREATED, "{}", follow_up.body);
    assert_eq!(follow_up.body["total"], 7);
    assert_eq!(follow_up.body["safety"], true);
    let gad = post(
        &w.app,
        &format!("{base}/measurements"),
        &w.cm,
        json!({"instrument": "GAD-7", "taken_on": days_ago(7), "items": [1,1,1,1,1,1,1]}),
    )
    .await;
    assert_eq!(
        (gad.status, &gad.body["total"]),
        (StatusCode::CREATED, &json!(7))
    );

    for (path, body) in [
        (
            "contacts",
            json!({"occurred_on": days_ago(7), "kind": "phone", "minutes": 35, "note": "weekly call"}),
        ),
        (
            "events",
            json!({"kind": "emergency_department", "discharged_at": format!("{}T14:30", days_ago(3))}),
        ),
        (
            "treatment-changes",
            json!({"changed_on": days_ago(30), "description": "Sertraline 50 mg to 100 mg"}),
        ),
        (
            "discuss",
            json!({"reason": "Item 9 answered; discuss safety plan"}),
        ),
    ] {
        let a = post(&w.app, &format!("{base}/{path}"), &w.cm, body).await;
        assert_eq!(a.status, StatusCode::CREATED, "{path}: {}", a.body);
        assert_eq!(a.body["episode_id"], episode, "{path}");
    }
    let review = post(
        &w.app,
        &format!("{base}/reviews"),
        &w.psy,
        json!({"reviewed_on": days_ago(1), "kind": "increase_dose", "text": "Sertraline to 150 mg"}),
    )
    .await;
    assert_eq!(review.status, StatusCode::CREATED, "{}", review.body);

    let chart = get(&w.app, &base, &w.cm).await;
    assert_eq!(chart.status, StatusCode::OK, "{}", chart.body);
    let c = &chart.body;
    assert_eq!(c["mrn"], "SYN-001");
    assert_eq!(c["clinic_id"], w.clinic.0);
    assert_eq!(c["episode"]["id"], episode);
    assert_eq!(c["episode"]["status"], "active");
    assert_eq!(c["metrics"]["instrument"], "PHQ-9");
    assert_eq!(c["metrics"]["baseline"]["total"], 16);
    assert_eq!(c["metrics"]["latest"]["total"], 7);
    assert_eq!(c["metrics"]["percent_change"], -56.3);
    assert_eq!(c["metrics"]["weeks_in_treatment"], 12);
    assert_eq!(c["metrics"]["response"], true);
    assert_eq!(c["metrics"]["remission"], false);
    let kinds: Vec<&str> = c["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    for expected in ["safety", "post_discharge_followup", "manual"] {
        assert!(
            kinds.contains(&expected),
            "{expected} missing from {kinds:?}"
        );
    }
    assert!(c["flags"][0]["explanation"]
        .as_str()
        .is_some_and(|e| !e.is_empty()));

    let list = get(
        &w.app,
        &format!(
            "/api/v1/clinics/{}/review-list?as_of={}",
            w.clinic.0,
            today()
        ),
        &w.psy,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["as_of"], today().to_string());
    let entry = &list.body["entries"][0];
    assert_eq!(
        (entry["patient_id"].as_i64(), entry["rank"].as_i64()),
        (Some(id), Some(1))
    );
    assert_eq!(entry["flags"][0]["kind"], "safety");

    let month = today().format("%Y-%m").to_string();
    let bill = get(
        &w.app,
        &format!("/api/v1/clinics/{}/billing?month={month}", w.clinic.0),
        &w.lead,
    )
    .await;
    assert_eq!(bill.status, StatusCode::OK, "{}", bill.body);
    assert_eq!(bill.body["month"], month);
    assert!(bill.body["rows"]
        .as_array()
        .is_some_and(|rows| rows.iter().any(|r| r["patient_id"] == id)));

    let status = post(
        &w.app,
        &format!("{base}/status"),
        &w.cm,
        json!({"status": "discharged", "on": today().to_string(), "reason": "referred_specialty"}),
    )
    .await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    let after = get(&w.app, &base, &w.cm).await;
    assert_eq!(after.body["episode"]["status"], "discharged");
    assert_eq!(after.body["episode"]["discharged_on"], today().to_string());
}

#[tokio::test]
async fn tokens_are_required_revocable_and_audited_and_the_session_is_not_taken() {
    let w = world().await;
    let path = "/api/v1/clinics";
    let none = call(&w.app, Method::GET, path, None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["error"]["code"], "unauthenticated");
    let wrong = call(&w.app, Method::GET, path, Some("tandem_0000"), None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // A signed-in browser's cookie does not open the API.
    let cookie = sign_in_cookie(&w.app, "cm@synthetic.example", PASSWORD).await;
    let req = Request::get(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let res = w.app.clone().oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(get(&w.app, path, &w.cm).await.status, StatusCode::OK);
    let tokens = w.store.list_api_tokens().await.expect("tokens");
    let cm_token = tokens
        .iter()
        .find(|t| t.user_email == "cm@synthetic.example")
        .expect("cm token");
    assert!(cm_token.last_used_at.is_some());
    w.store
        .revoke_api_token(cm_token.id, chrono::Utc::now())
        .await
        .expect("revoke");
    assert_eq!(
        get(&w.app, path, &w.cm).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A deactivated user's token stops working too.
    let (lead, _) = w
        .store
        .find_user_by_email(&Email::parse("lead@synthetic.example").expect("email"))
        .await
        .expect("find")
        .expect("lead");
    assert_eq!(get(&w.app, path, &w.lead).await.status, StatusCode::OK);
    w.store
        .set_user_active(lead.id, false)
        .await
        .expect("deactivate");
    assert_eq!(
        get(&w.app, path, &w.lead).await.status,
        StatusCode::UNAUTHORIZED
    );

    let uses = w
        .store
        .list_audit(&AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "api_token.use")
        .collect::<Vec<_>>();
    let ok = uses.iter().filter(|e| e.outcome.code() == "ok").count();
    let failed = uses.iter().filter(|e| e.outcome.code() == "failed").count();
    assert_eq!((ok, failed), (2, 3), "{uses:?}");
    assert!(
        uses.iter()
            .any(|e| e.entity_type.as_deref() == Some("api_token")
                && e.entity_id == Some(cm_token.id))
    );
}

/// A bad-input case: method, path, token, body, status, error code, field, words in the message.
type Case<'a> = (
    Method,
    String,
    &'a str,
    String,
    u16,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// What the registry holds for a patient, to show that a refused request changed nothing.
async fn fingerprint(w: &World, patient: i64) -> String {
    let episodes = w
        .store
        .episode_records(PatientId(patient))
        .await
        .expect("episodes");
    let mut out = format!("{:?}", w.store.list_clinics().await.expect("clinics"));
    out.push_str(&format!(
        "{:?}",
        w.store
            .list_patients(&Default::default())
            .await
            .expect("patients")
            .total
    ));
    for e in episodes {
        let h = w
            .store
            .episode_history(e.episode.id)
            .await
            .expect("history");
        out.push_str(&format!("{:?}{:?}", e, h));
    }
    out
}

#[tokio::test]
async fn bad_input_is_refused_with_its_status_and_field_and_changes_nothing() {
    let w = world().await;
    let id = enroll(&w, "SYN-100", 30).await;
    let other = {
        let a = post(
            &w.app,
            "/api/v1/patients",
            &w.other_cm,
            json!({"clinic_id": w.other_clinic.0, "mrn": "OTH-1", "given_name": "Oli", "family_name": "Other",
                   "birth_date": "1990-01-01", "enrolled_on": days_ago(10)}),
        )
        .await;
        a.body["id"].as_i64().expect("id")
    };
    let m = format!("/api/v1/patients/{id}/measurements");
    let future = (today() + Days::new(3)).to_string();
    let huge = format!("{{\"reason\":\"{}\"}}", "x".repeat(300 * 1024));
    // (method, path, token, body, status, error code, field, words in the message)
    let cases: Vec<Case<'_>> = vec![
        (Method::POST, m.clone(), &w.cm, "not json".into(), 400, "bad_request", None, "not valid JSON"),
        (Method::POST, m.clone(), &w.cm, "".into(), 400, "bad_request", None, "needs a JSON body"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1)}).to_string(), 400, "bad_request", Some("items"), "missing field"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": "all zero"}).to_string(), 400, "bad_request", Some("items"), "invalid type"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": [0,0,0,0,0,0,0,0,0], "score": 3}).to_string(), 400, "bad_request", Some("score"), "unknown field"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": [0,0,0,0,0,0,0,0,4]}).to_string(), 422, "invalid", Some("items"), "0"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": [0,0,0,0,0,0,0,0]}).to_string(), 422, "invalid", Some("items"), "9 items"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "BDI", "taken_on": days_ago(1), "items": [0]}).to_string(), 422, "invalid", Some("instrument"), "PHQ-9 or the GAD-7"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": future, "items": [0,0,0,0,0,0,0,0,0]}).to_string(), 422, "invalid", Some("taken_on"), "future"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": "14/03/2026", "items": [0,0,0,0,0,0,0,0,0]}).to_string(), 422, "invalid", Some("taken_on"), "real date"),
        (Method::POST, m.clone(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(200), "items": [0,0,0,0,0,0,0,0,0]}).to_string(), 422, "invalid", Some("taken_on"), "episode"),
        (Method::POST, m.clone(), &w.psy, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": [0,0,0,0,0,0,0,0,0]}).to_string(), 403, "forbidden", None, "access"),
        (Method::POST, format!("/api/v1/patients/{other}/measurements"), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": [0,0,0,0,0,0,0,0,0]}).to_string(), 404, "not_found", None, "not found"),
        (Method::POST, "/api/v1/patients/999999/measurements".into(), &w.cm, json!({"instrument": "PHQ-9", "taken_on": days_ago(1), "items": [0,0,0,0,0,0,0,0,0]}).to_string(), 404, "not_found", None, "not found"),
        (Method::GET, format!("/api/v1/patients/{other}"), &w.cm, String::new(), 404, "not_found", None, "not found"),
        (Method::GET, "/api/v1/patients/abc".into(), &w.cm, String::new(), 400, "bad_request", None, "Invalid URL"),
        (Method::POST, "/api/v1/patients".into(), &w.cm, json!({"clinic_id": w.clinic.0, "mrn": "SYN-100", "given_name": "Dup", "family_name": "Licate", "birth_date": "1980-01-01", "enrolled_on": days_ago(1)}).to_string(), 409, "conflict", Some("mrn"), "already registered"),
        (Method::POST, "/api/v1/patients".into(), &w.cm, json!({"clinic_id": w.other_clinic.0, "mrn": "X-1", "given_name": "A", "family_name": "B", "birth_date": "1980-01-01", "enrolled_on": days_ago(1)}).to_string(), 404, "not_found", None, "not found"),
        (Method::POST, "/api/v1/patients".into(), &w.cm, json!({"clinic_id": w.clinic.0, "mrn": "X-2", "given_name": "<script>", "family_name": "B", "birth_date": "2999-01-01", "enrolled_on": days_ago(1)}).to_string(), 422, "invalid", Some("birth_date"), "future"),
        (Method::POST, "/api/v1/clinics".into(), &w.cm, json!({"name": "Sneaky Clinic"}).to_string(), 403, "forbidden", None, "access"),
        (Method::POST, "/api/v1/clinics".into(), &w.admin, json!({"name": "Synthetic Clinic"}).to_string(), 409, "conflict", None, "already exists"),
        (Method::POST, format!("/api/v1/patients/{id}/contacts"), &w.cm, json!({"occurred_on": days_ago(1), "kind": "telepathy", "minutes": 10}).to_string(), 422, "invalid", Some("kind"), "type of contact"),
        (Method::POST, format!("/api/v1/patients/{id}/contacts"), &w.cm, json!({"occurred_on": days_ago(1), "kind": "phone", "minutes": -5}).to_string(), 422, "invalid", Some("minutes"), "minutes"),
        (Method::POST, format!("/api/v1/patients/{id}/events"), &w.cm, json!({"kind": "hospital", "discharged_at": "yesterday"}).to_string(), 422, "invalid", Some("discharged_at"), "date and time"),
        (Method::POST, format!("/api/v1/patients/{id}/discuss"), &w.cm, huge, 413, "payload_too_large", None, "larger"),
        (Method::POST, format!("/api/v1/patients/{id}/reviews"), &w.cm, json!({"reviewed_on": days_ago(1), "kind": "continue"}).to_string(), 403, "forbidden", None, "access"),
        (Method::POST, format!("/api/v1/patients/{id}/reviews"), &w.psy, json!({"reviewed_on": days_ago(1), "kind": "hope"}).to_string(), 422, "invalid", Some("kind"), "recommendation types"),
        (Method::POST, format!("/api/v1/patients/{id}/status"), &w.cm, json!({"status": "discharged", "on": days_ago(1), "reason": "referred_specialty", "version": 99}).to_string(), 409, "conflict", None, "changed"),
        (Method::POST, format!("/api/v1/patients/{id}/status"), &w.cm, json!({"status": "sleeping", "on": days_ago(1), "reason": "improved"}).to_string(), 422, "invalid", Some("status"), "status"),
        (Method::GET, format!("/api/v1/clinics/{}/review-list?as_of=2026-02-30", w.clinic.0), &w.cm, String::new(), 422, "invalid", Some("as_of"), "as_of"),
        (Method::GET, format!("/api/v1/clinics/{}/billing?month=2026-13", w.clinic.0), &w.lead, String::new(), 422, "invalid", Some("month"), "month"),
        (Method::GET, format!("/api/v1/clinics/{}/billing", w.clinic.0), &w.psy, String::new(), 403, "forbidden", None, "access"),
        (Method::DELETE, format!("/api/v1/patients/{id}"), &w.cm, String::new(), 405, "method_not_allowed", None, "not allowed"),
        (Method::GET, "/api/v1/nothing-here".into(), &w.cm, String::new(), 404, "not_found", None, "No such endpoint"),
    ];
    assert!(cases.len() >= 15);
    let before = fingerprint(&w, id).await;
    for (method, path, token, body, status, code, field, words) in cases {
        let body = (!body.is_empty()).then_some(body.as_str());
        let body = if method == Method::POST && body.is_none() {
            Some("")
        } else {
            body
        };
        let a = call(&w.app, method.clone(), &path, Some(token), body).await;
        let case = format!("{method} {path}");
        assert_eq!(a.status.as_u16(), status, "{case}: {}", a.body);
        let err = &a.body["error"];
        assert_eq!(err["code"], code, "{case}: {}", a.body);
        assert_eq!(err["field"].as_str(), field, "{case}: {}", a.body);
        let message = err["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{case}: no message");
        assert!(
            message.to_lowercase().contains(&words.to_lowercase()),
            "{case}: {message:?} does not say {words:?}"
        );
        assert_eq!(
            a.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{case}"
        );
        assert_eq!(
            fingerprint(&w, id).await,
            before,
            "{case} changed the registry"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let w = world().await;
    let a = call(&w.app, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    let paths = a.body["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/clinics",
        "/api/v1/clinics/{id}/review-list",
        "/api/v1/clinics/{id}/billing",
        "/api/v1/patients",
        "/api/v1/patients/{id}",
        "/api/v1/patients/{id}/measurements",
        "/api/v1/patients/{id}/contacts",
        "/api/v1/patients/{id}/events",
        "/api/v1/patients/{id}/treatment-changes",
        "/api/v1/patients/{id}/discuss",
        "/api/v1/patients/{id}/reviews",
        "/api/v1/patients/{id}/status",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert_eq!(
        a.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
