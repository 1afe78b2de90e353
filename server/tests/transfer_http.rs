//! CSV and FHIR in and out over HTTP: a clinic's records made through the API, exported as CSV and
//! imported into an empty registry, read back identical; the same through FHIR; a dry run that
//! stores nothing; and a bad-input matrix of files, each refused with its row, column and message
//! and nothing stored.

mod support;

use app::model::ClinicId;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use support::api::{call, days_ago, get, post, world, World};
use tower::ServiceExt;

/// A CSV body posted as a script would, with the token.
async fn upload(
    w: &World,
    clinic: ClinicId,
    token: &str,
    csv: &[u8],
    dry_run: bool,
) -> (StatusCode, Value) {
    let uri = format!(
        "/api/v1/clinics/{}/import{}",
        clinic.0,
        if dry_run { "?dry_run=true" } else { "" }
    );
    let req = Request::post(uri)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_vec()))
        .expect("request");
    let res = w.app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let text = support::web::body_text(res).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn export(w: &World, clinic: ClinicId, kind: &str) -> String {
    let a = get(
        &w.app,
        &format!("/api/v1/clinics/{}/export/{kind}.csv", clinic.0),
        &w.cm,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{kind}: {}", a.body);
    assert!(a.headers[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/csv")));
    a.body.as_str().expect("csv text").to_owned()
}

/// Two patients with item-level PHQ-9s, a GAD-7 and a contact, made through the JSON API.
async fn records_through_the_api(w: &World) -> Vec<i64> {
    let mut ids = Vec::new();
    for (mrn, given, family) in [
        ("RT-1", "Rowan", "Synthetic"),
        ("RT-2", "=Quinn", "O'Synthetic"),
    ] {
        let a = post(
            &w.app,
            "/api/v1/patients",
            &w.cm,
            json!({"clinic_id": w.clinic.0, "mrn": mrn, "given_name": given, "family_name": family,
                   "birth_date": "1979-12-31", "enrolled_on": days_ago(90)}),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let id = a.body["id"].as_i64().expect("id");
        for (days, instrument, items, difficulty) in [
            (
                90,
                "PHQ-9",
                json!([3, 3, 2, 2, 2, 2, 1, 1, 1]),
                Some("very"),
            ),
            (60, "GAD-7", json!([2, 2, 2, 1, 1, 1, 0]), None),
            (30, "PHQ-9", json!([1, 1, 1, 1, 1, 0, 0, 0, 0]), None),
        ] {
            let mut body =
                json!({"instrument": instrument, "taken_on": days_ago(days), "items": items});
            if let Some(d) = difficulty {
                body["difficulty"] = json!(d);
            }
            let m = post(
                &w.app,
                &format!("/api/v1/patients/{id}/measurements"),
                &w.cm,
                body,
            )
            .await;
            assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
        }
        let c = post(
            &w.app,
            &format!("/api/v1/patients/{id}/contacts"),
            &w.cm,
            json!({"occurred_on": days_ago(30), "kind": "phone", "minutes": 25, "note": "+ call back"}),
        )
        .await;
        assert_eq!(c.status, StatusCode::CREATED);
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn records_exported_as_csv_import_into_an_empty_registry_identically() {
    let a = world().await;
    records_through_the_api(&a).await;
    let measurements = export(&a, a.clinic, "measurements").await;
    assert_eq!(measurements.lines().count(), 1 + 6, "{measurements}");
    assert!(measurements.starts_with(
        "mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,item1,"
    ));
    // A name a spreadsheet would run as a formula is defused.
    assert!(measurements.contains("'=Quinn"), "{measurements}");
    let contacts = export(&a, a.clinic, "contacts").await;
    assert!(contacts.contains(",phone,25,yes,"), "{contacts}");
    assert!(contacts.contains("'+ call back"), "{contacts}");
    let caseload = export(&a, a.clinic, "caseload").await;
    assert_eq!(caseload.lines().count(), 3, "{caseload}");
    assert!(caseload.contains("RT-1"));

    let b = world().await;
    let (status, dry) = upload(&b, b.clinic, &b.cm, measurements.as_bytes(), true).await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(
        (dry["patients"].as_u64(), dry["scores"].as_u64()),
        (Some(2), Some(6))
    );
    assert_eq!(dry["committed"], false);
    assert_eq!(
        export(&b, b.clinic, "measurements").await.lines().count(),
        1,
        "a dry run stores nothing"
    );
    let (status, done) = upload(&b, b.clinic, &b.cm, measurements.as_bytes(), false).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["committed"], true);
    assert_eq!(export(&b, b.clinic, "measurements").await, measurements);
    // The defused name is stored as it was typed.
    let records = b.store.clinic_records(b.clinic).await.expect("records");
    assert!(records.patients.iter().any(|p| p.given_name == "=Quinn"));
}

#[tokio::test]
async fn scores_read_as_fhir_and_posted_to_an_empty_registry_read_back_identically() {
    let a = world().await;
    let ids = records_through_the_api(&a).await;
    let b = world().await;
    for id in ids {
        let source = get(
            &a.app,
            &format!("/fhir/r4/QuestionnaireResponse?patient={id}"),
            &a.cm,
        )
        .await;
        assert_eq!(source.body["total"], 3);
        let patient = get(&a.app, &format!("/fhir/r4/Patient/{id}"), &a.cm)
            .await
            .body;
        let copy = post(
            &b.app,
            "/api/v1/patients",
            &b.cm,
            json!({"clinic_id": b.clinic.0, "mrn": patient["identifier"][0]["value"],
                   "given_name": patient["name"][0]["given"][0], "family_name": patient["name"][0]["family"],
                   "birth_date": patient["birthDate"], "enrolled_on": days_ago(90)}),
        )
        .await;
        assert_eq!(copy.status, StatusCode::CREATED, "{}", copy.body);
        let new_id = copy.body["id"].as_i64().expect("id");
        for entry in source.body["entry"].as_array().expect("entries") {
            let mut r = entry["resource"].clone();
            r.as_object_mut().expect("object").remove("id");
            r["subject"]["reference"] = json!(format!("Patient/{new_id}"));
            let stored = post(&b.app, "/fhir/r4/QuestionnaireResponse", &b.cm, r).await;
            assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
        }
        let copied = get(
            &b.app,
            &format!("/fhir/r4/QuestionnaireResponse?patient={new_id}"),
            &b.cm,
        )
        .await;
        let view = |bundle: &Value| -> Vec<(Value, Value, Value)> {
            bundle["entry"]
                .as_array()
                .expect("entries")
                .iter()
                .map(|e| {
                    let r = &e["resource"];
                    (
                        r["questionnaire"].clone(),
                        r["authored"].clone(),
                        r["item"].clone(),
                    )
                })
                .collect()
        };
        assert_eq!(view(&copied.body), view(&source.body));
        let o = |app, pid, token| async move {
            let b = get(app, &format!("/fhir/r4/Observation?patient={pid}"), token)
                .await
                .body;
            b["entry"]
                .as_array()
                .expect("entries")
                .iter()
                .map(|e| {
                    (
                        e["resource"]["code"].clone(),
                        e["resource"]["valueInteger"].clone(),
                        e["resource"]["effectiveDateTime"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(o(&b.app, new_id, &b.cm).await, o(&a.app, id, &a.cm).await);
    }
}

const LONG: &str = "mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,total";

#[tokio::test]
async fn bad_files_are_refused_with_row_column_and_message_and_store_nothing() {
    let w = world().await;
    let existing = post(
        &w.app,
        "/api/v1/patients",
        &w.cm,
        json!({"clinic_id": w.clinic.0, "mrn": "HAVE-1", "given_name": "Hal", "family_name": "Have",
               "birth_date": "1970-01-01", "enrolled_on": days_ago(20)}),
    )
    .await;
    assert_eq!(existing.status, StatusCode::CREATED);
    let d = days_ago(10);
    let ok_row = format!("N-1,Nia,New,1980-01-01,{d},PHQ-9,{d},9");
    let mut huge = String::from(LONG);
    while huge.len() < 1_100_000 {
        huge.push_str(&format!("\n{ok_row}"));
    }
    // (file, status, row, column, words)
    let cases: Vec<(Vec<u8>, u16, usize, &str, &str)> = vec![
        (b"".to_vec(), 422, 1, "", "empty"),
        (format!("{LONG}\n").into_bytes(), 422, 2, "", "no data rows"),
        (b"name,score\nA,1\n".to_vec(), 422, 1, "", "instrument"),
        (format!("mrn,given_name,birth_date,enrolled_on,instrument,taken_on,total\n{ok_row}").into_bytes(), 422, 1, "family_name", "missing"),
        (format!("{LONG},colour\n{ok_row},blue").into_bytes(), 422, 1, "colour", "Unknown column"),
        (format!("{LONG}\nN-1,Nia,New,01/02/1980,{d},PHQ-9,{d},9").into_bytes(), 422, 2, "birth_date", "YYYY-MM-DD"),
        (format!("{LONG}\nN-1,Nia,New,1980-01-01,{d},PHQ-9,14.03.2026,9").into_bytes(), 422, 2, "taken_on", "ISO date"),
        (format!("{LONG}\nN-1,Nia,New,1980-01-01,2999-01-01,PHQ-9,{d},9").into_bytes(), 422, 2, "enrolled_on", "future"),
        (format!("{LONG}\nN-1,Nia,New,1980-01-01,{d},PHQ-9,{d},28").into_bytes(), 422, 2, "total", "0 to 27"),
        (format!("{LONG}\nN-1,Nia,New,1980-01-01,{d},PHQ-9,{d},nine").into_bytes(), 422, 2, "total", "whole number"),
        (format!("{LONG}\nN-1,Nia,New,1980-01-01,{d},HAM-D,{d},9").into_bytes(), 422, 2, "instrument", "PHQ-9 or GAD-7"),
        (format!("{LONG}\nHAVE-1,Hal,Have,1970-01-01,{d},PHQ-9,{d},9").into_bytes(), 422, 2, "mrn", "already registered"),
        (format!("{LONG}\n{ok_row}\nN-1,Nina,New,1980-01-01,{d},PHQ-9,{d},9").into_bytes(), 422, 3, "mrn", "another name"),
        (format!("{LONG}\n{ok_row}\nN-2,,New,1980-01-01,{d},PHQ-9,{d},9").into_bytes(), 422, 3, "given_name", "given name"),
        (format!("{LONG}\n{ok_row}\nN-3,Ned,New,1980-01-01,{d},PHQ-9").into_bytes(), 422, 3, "", "cells"),
        (format!("{LONG}\nN-1,N\u{0}ia,New,1980-01-01,{d},PHQ-9,{d},9").into_bytes(), 422, 2, "given_name", ""),
        ([format!("{LONG}\nN-1,").into_bytes(), vec![0xff, 0xfe], format!(",New,1980-01-01,{d},PHQ-9,{d},9").into_bytes()].concat(), 422, 2, "", "UTF-8"),
        (format!("mrn;given_name;family_name;birth_date;enrolled_on;baseline_phq9;followup_1_date;followup_1_phq9\nW-1;Wyn;Wide;1980-01-01;{d};12;{};8", days_ago(20)).into_bytes(), 422, 2, "followup_1_date", "before the enrollment"),
        (huge.into_bytes(), 413, 0, "", "too large"),
    ];
    assert!(cases.len() >= 15);
    let before = export(&w, w.clinic, "measurements").await;
    let mrns = w.store.clinic_mrns(w.clinic).await.expect("mrns").len();
    for (i, (file, status, row, column, words)) in cases.into_iter().enumerate() {
        let (got, body) = upload(&w, w.clinic, &w.cm, &file, false).await;
        assert_eq!(got.as_u16(), status, "case {i}: {body}");
        if status == 422 {
            assert_eq!(body["committed"], false, "case {i}");
            let e = &body["errors"][0];
            assert_eq!(
                (e["row"].as_u64(), e["column"].as_str()),
                (Some(row as u64), Some(column)),
                "case {i}: {body}"
            );
            let message = e["message"].as_str().unwrap_or_default();
            assert!(!message.is_empty(), "case {i}");
            assert!(
                message.to_lowercase().contains(&words.to_lowercase()),
                "case {i}: {message:?} lacks {words:?}"
            );
        } else {
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(words),
                "case {i}: {body}"
            );
        }
        assert_eq!(
            export(&w, w.clinic, "measurements").await,
            before,
            "case {i} stored scores"
        );
        assert_eq!(
            w.store.clinic_mrns(w.clinic).await.expect("mrns").len(),
            mrns,
            "case {i} stored patients"
        );
    }
    // Who may import: care managers of the clinic.
    let file = format!("{LONG}\n{ok_row}");
    let (psy, _) = upload(&w, w.clinic, &w.psy, file.as_bytes(), false).await;
    assert_eq!(psy, StatusCode::FORBIDDEN);
    let (other, _) = upload(&w, w.other_clinic, &w.cm, file.as_bytes(), false).await;
    assert_eq!(other, StatusCode::NOT_FOUND);
    let no_token = call(
        &w.app,
        Method::POST,
        &format!("/api/v1/clinics/{}/import", w.clinic.0),
        None,
        Some(&file),
    )
    .await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    let (ok, done) = upload(&w, w.clinic, &w.cm, file.as_bytes(), false).await;
    assert_eq!(ok, StatusCode::CREATED, "{done}");
}
