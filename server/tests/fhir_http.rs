//! FHIR R4 over HTTP: the CapabilityStatement, Patient read and search, scores as Observations
//! and QuestionnaireResponses, a QuestionnaireResponse from an EHR stored as a score and read back
//! identically, and a bad-input matrix answered with OperationOutcomes that change nothing.

mod support;

use axum::http::{header, Method, StatusCode};
use chrono::Days;
use serde_json::{json, Value};
use support::api::{self as api, call, days_ago, enroll, get, post, world};

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// A PHQ-9 as an EHR sends it: the LOINC panel, item codes as link ids, LOINC answer codes.
fn phq9_response(patient: i64, on: &str, scores: [u8; 9]) -> Value {
    let codes = [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
        "44260-8",
    ];
    let answers = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"];
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "subject": {"reference": format!("Patient/{patient}")},
        "authored": format!("{on}T10:15:00Z"),
        "item": codes.iter().zip(scores).map(|(c, s)| json!({
            "linkId": c,
            "answer": [{"valueCoding": {"system": "http://loinc.org", "code": answers[usize::from(s)]}}]
        })).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn an_ehr_questionnaire_response_is_stored_and_read_back_as_fhir() {
    let w = world().await;
    let id = enroll(&w, "FHIR-1", 60).await;
    let meta = call(&w.app, Method::GET, "/fhir/r4/metadata", None, None).await;
    assert_eq!(meta.status, StatusCode::OK);
    assert_eq!(meta.headers[header::CONTENT_TYPE], FHIR_JSON);
    assert_eq!(meta.body["resourceType"], "CapabilityStatement");
    assert_eq!(meta.body["fhirVersion"], "4.0.1");

    let sent = phq9_response(id, &days_ago(56), [2, 2, 2, 2, 2, 1, 1, 1, 1]);
    let created = post(
        &w.app,
        "/fhir/r4/QuestionnaireResponse",
        &w.cm,
        sent.clone(),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.headers[header::CONTENT_TYPE], FHIR_JSON);
    let qr_id = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created.headers[header::LOCATION],
        format!("QuestionnaireResponse/{qr_id}").as_str()
    );
    // A GAD-7 by the JSON API, to show the code search tells them apart.
    let gad = post(
        &w.app,
        &format!("/api/v1/patients/{id}/measurements"),
        &w.cm,
        json!({"instrument": "GAD-7", "taken_on": days_ago(50), "items": [0,1,2,3,0,1,2]}),
    )
    .await;
    assert_eq!(gad.status, StatusCode::CREATED);

    let phq = get(
        &w.app,
        &format!("/fhir/r4/Observation?patient={id}&code=http://loinc.org|44261-6"),
        &w.cm,
    )
    .await;
    assert_eq!(phq.status, StatusCode::OK, "{}", phq.body);
    assert_eq!(phq.body["resourceType"], "Bundle");
    assert_eq!(phq.body["type"], "searchset");
    assert_eq!(phq.body["total"], 1);
    let o = &phq.body["entry"][0]["resource"];
    assert_eq!(
        o["code"]["coding"][0],
        json!({"system": "http://loinc.org", "code": "44261-6"})
    );
    assert_eq!(o["valueInteger"], 14);
    assert_eq!(o["effectiveDateTime"], days_ago(56));
    assert_eq!(o["category"][0]["coding"][0]["code"], "survey");
    assert_eq!(o["subject"]["reference"], format!("Patient/{id}"));
    assert!(phq.body["entry"][0]["fullUrl"]
        .as_str()
        .is_some_and(|u| u.starts_with("http://127.0.0.1:3000/fhir/r4/Observation/")));
    // The full URL of an entry reads the same resource.
    let url = phq.body["entry"][0]["fullUrl"].as_str().expect("url");
    let path = url.trim_start_matches("http://127.0.0.1:3000");
    let read = get(&w.app, path, &w.cm).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(&read.body, o);
    let qr_read = get(
        &w.app,
        &format!("/fhir/r4/QuestionnaireResponse/{qr_id}"),
        &w.cm,
    )
    .await;
    assert_eq!(qr_read.body, created.body);
    let all = get(&w.app, &format!("/fhir/r4/Observation?patient={id}"), &w.cm).await;
    assert_eq!(all.body["total"], 2);
    let gad_only = get(
        &w.app,
        &format!("/fhir/r4/Observation?patient={id}&code=http://loinc.org|70274-6"),
        &w.cm,
    )
    .await;
    assert_eq!(gad_only.body["entry"][0]["resource"]["valueInteger"], 9);

    let qrs = get(
        &w.app,
        &format!("/fhir/r4/QuestionnaireResponse?patient={id}"),
        &w.cm,
    )
    .await;
    assert_eq!(qrs.body["total"], 2);
    let stored = &qrs.body["entry"][0]["resource"];
    assert_eq!(stored["questionnaire"], "http://loinc.org/q/44249-1");
    assert_eq!(stored["authored"], days_ago(56));
    // Item by item, the answers read back as they were sent.
    for (i, item) in sent["item"].as_array().expect("items").iter().enumerate() {
        assert_eq!(stored["item"][i]["linkId"], item["linkId"]);
        assert_eq!(
            stored["item"][i]["answer"][0]["valueCoding"]["code"],
            item["answer"][0]["valueCoding"]["code"]
        );
    }
    assert_eq!(stored["item"][9]["linkId"], "44261-6");
    assert_eq!(stored["item"][9]["answer"][0]["valueInteger"], 14);

    // Sending back what was read stores the same answers again (a round trip).
    let mut again = stored.clone();
    again.as_object_mut().expect("object").remove("id");
    again["authored"] = json!(days_ago(28));
    let second = post(&w.app, "/fhir/r4/QuestionnaireResponse", &w.cm, again).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["item"], stored["item"]);

    let patient = get(&w.app, &format!("/fhir/r4/Patient/{id}"), &w.cm).await;
    assert_eq!(patient.status, StatusCode::OK);
    assert_eq!(patient.body["resourceType"], "Patient");
    assert_eq!(patient.body["birthDate"], "1980-02-29");
    let system = patient.body["identifier"][0]["system"]
        .as_str()
        .expect("system")
        .to_owned();
    assert_eq!(system, format!("urn:tandem:clinic:{}:mrn", w.clinic.0));
    let found = get(
        &w.app,
        &format!("/fhir/r4/Patient?identifier={system}|FHIR-1"),
        &w.cm,
    )
    .await;
    assert_eq!(found.body["total"], 1, "{}", found.body);
    assert_eq!(found.body["entry"][0]["resource"]["id"], id.to_string());
    let none = get(
        &w.app,
        &format!("/fhir/r4/Patient?identifier={system}|NOPE"),
        &w.cm,
    )
    .await;
    assert_eq!(
        (none.status, &none.body["total"]),
        (StatusCode::OK, &json!(0))
    );
    // Another clinic's care manager finds nothing by the same identifier.
    let other = get(
        &w.app,
        &format!("/fhir/r4/Patient?identifier={system}|FHIR-1"),
        &w.other_cm,
    )
    .await;
    assert_eq!(other.body["total"], 0);
}

/// A bad-input case: method, path, token, body, status, issue code, expression, words.
type Case<'a> = (
    Method,
    String,
    Option<&'a str>,
    String,
    u16,
    &'static str,
    Option<&'static str>,
    &'static str,
);

#[tokio::test]
async fn bad_fhir_input_gets_an_operation_outcome_and_changes_nothing() {
    let w = world().await;
    let id = enroll(&w, "FHIR-2", 30).await;
    let other = {
        let a = post(
            &w.app,
            "/api/v1/patients",
            &w.other_cm,
            json!({"clinic_id": w.other_clinic.0, "mrn": "OTH-2", "given_name": "Oli", "family_name": "Other",
                   "birth_date": "1990-01-01", "enrolled_on": days_ago(10)}),
        )
        .await;
        a.body["id"].as_i64().expect("id")
    };
    let other_score = {
        let a = post(
            &w.app,
            &format!("/api/v1/patients/{other}/measurements"),
            &w.other_cm,
            json!({"instrument": "PHQ-9", "taken_on": days_ago(5), "items": [0,0,0,0,0,0,0,0,0]}),
        )
        .await;
        a.body["id"].as_i64().expect("score id")
    };
    let good = phq9_response(id, &days_ago(1), [0; 9]);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };
    let qr = "/fhir/r4/QuestionnaireResponse";
    let huge = format!(
        "{{\"resourceType\":\"QuestionnaireResponse\",\"x\":\"{}\"}}",
        "x".repeat(300 * 1024)
    );
    // (method, path, token, body, status, issue code, expression, words)
    let cases: Vec<Case<'_>> = vec![
        (
            Method::GET,
            format!("/fhir/r4/Patient/{id}"),
            None,
            String::new(),
            401,
            "login",
            None,
            "token",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            "{not json".into(),
            400,
            "structure",
            None,
            "not JSON",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            json!({"resourceType": "Observation"}).to_string(),
            422,
            "invalid",
            Some("resourceType"),
            "QuestionnaireResponse",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["status"] = json!("in-progress")),
            422,
            "invalid",
            Some("QuestionnaireResponse.status"),
            "completed",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["subject"] = json!({"reference": "Patient/abc"})),
            422,
            "invalid",
            Some("QuestionnaireResponse.subject"),
            "patient",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["authored"] = json!("03/14/2026")),
            422,
            "invalid",
            Some("QuestionnaireResponse.authored"),
            "date",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["item"][2]["linkId"] = json!("99999-9")),
            422,
            "invalid",
            Some("QuestionnaireResponse.item[2].linkId"),
            "99999-9",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| {
                v["item"][4]["answer"][0] =
                    json!({"valueCoding": {"system": "http://loinc.org", "code": "LA0000-0"}})
            }),
            422,
            "invalid",
            Some("QuestionnaireResponse.item[4].answer[0]"),
            "answer code",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["item"][4]["answer"][0] = json!({"valueInteger": 7})),
            422,
            "invalid",
            Some("QuestionnaireResponse.item"),
            "item 5 must be 0–3",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| {
                v["item"].as_array_mut().expect("items").pop();
            }),
            422,
            "invalid",
            Some("QuestionnaireResponse.item"),
            "item 9",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| {
                v["questionnaire"] = json!("http://example.org/q/other");
                v["item"] = json!([]);
            }),
            422,
            "invalid",
            Some("QuestionnaireResponse.questionnaire"),
            "which questionnaire",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["authored"] = json!((app::model::today() + Days::new(2)).to_string())),
            422,
            "invalid",
            Some("QuestionnaireResponse.authored"),
            "future",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["authored"] = json!(days_ago(300))),
            422,
            "invalid",
            Some("QuestionnaireResponse.authored"),
            "episode",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            with(&|v| v["subject"] = json!({"reference": format!("Patient/{other}")})),
            404,
            "not-found",
            None,
            "not found",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.lead),
            good.to_string(),
            403,
            "forbidden",
            None,
            "access",
        ),
        (
            Method::POST,
            qr.into(),
            Some(&w.cm),
            huge,
            413,
            "too-costly",
            None,
            "too large",
        ),
        (
            Method::GET,
            format!("/fhir/r4/Patient/{other}"),
            Some(&w.cm),
            String::new(),
            404,
            "not-found",
            None,
            "not found",
        ),
        (
            Method::GET,
            "/fhir/r4/Patient/xyz".into(),
            Some(&w.cm),
            String::new(),
            400,
            "invalid",
            Some("Patient.id"),
            "not a patient id",
        ),
        (
            Method::GET,
            format!("/fhir/r4/Patient/{id}"),
            Some(&w.psy),
            String::new(),
            403,
            "forbidden",
            None,
            "access",
        ),
        (
            Method::GET,
            "/fhir/r4/Patient".into(),
            Some(&w.cm),
            String::new(),
            400,
            "required",
            None,
            "identifier",
        ),
        (
            Method::GET,
            "/fhir/r4/Observation".into(),
            Some(&w.cm),
            String::new(),
            400,
            "required",
            None,
            "patient",
        ),
        (
            Method::GET,
            format!("/fhir/r4/Observation?patient={other}"),
            Some(&w.cm),
            String::new(),
            404,
            "not-found",
            None,
            "not found",
        ),
        (
            Method::GET,
            "/fhir/r4/Observation/abc".into(),
            Some(&w.cm),
            String::new(),
            400,
            "invalid",
            Some("Observation.id"),
            "not a resource id",
        ),
        (
            Method::GET,
            format!("/fhir/r4/Observation/{other_score}"),
            Some(&w.cm),
            String::new(),
            404,
            "not-found",
            None,
            "not found",
        ),
        (
            Method::GET,
            format!("/fhir/r4/QuestionnaireResponse/{other_score}"),
            Some(&w.cm),
            String::new(),
            404,
            "not-found",
            None,
            "not found",
        ),
        (
            Method::GET,
            "/fhir/r4/Encounter".into(),
            Some(&w.cm),
            String::new(),
            404,
            "not-supported",
            None,
            "not supported",
        ),
        (
            Method::DELETE,
            format!("/fhir/r4/Patient/{id}"),
            Some(&w.cm),
            String::new(),
            405,
            "not-supported",
            None,
            "not allowed",
        ),
    ];
    assert!(cases.len() >= 15);
    let count = |a: &api::Answer| a.body["total"].as_i64();
    let before = count(
        &get(
            &w.app,
            &format!("/fhir/r4/QuestionnaireResponse?patient={id}"),
            &w.cm,
        )
        .await,
    );
    assert_eq!(before, Some(0));
    for (method, path, token, body, status, code, expression, words) in cases {
        let body = (!body.is_empty()).then_some(body.as_str());
        let a = call(&w.app, method.clone(), &path, token, body).await;
        let case = format!("{method} {path}");
        assert_eq!(a.status.as_u16(), status, "{case}: {}", a.body);
        assert_eq!(a.headers[header::CONTENT_TYPE], FHIR_JSON, "{case}");
        assert_eq!(
            a.body["resourceType"], "OperationOutcome",
            "{case}: {}",
            a.body
        );
        let issue = &a.body["issue"][0];
        assert_eq!(issue["severity"], "error", "{case}");
        assert_eq!(issue["code"], code, "{case}: {}", a.body);
        assert_eq!(
            issue["expression"][0].as_str(),
            expression,
            "{case}: {}",
            a.body
        );
        let diagnostics = issue["diagnostics"].as_str().unwrap_or_default();
        assert!(
            diagnostics.to_lowercase().contains(&words.to_lowercase()),
            "{case}: {diagnostics:?} does not say {words:?}"
        );
        let after = count(
            &get(
                &w.app,
                &format!("/fhir/r4/QuestionnaireResponse?patient={id}"),
                &w.cm,
            )
            .await,
        );
        assert_eq!(after, before, "{case} stored something");
    }
}
