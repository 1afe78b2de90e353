//! The bad-input matrix: one table of hostile and mistaken inputs across every way in (the
//! browser's server functions, the JSON API, FHIR, CSV import and the command line). Each case
//! must get a 4xx status (or, on the command line, a non-zero exit with one clear line), a
//! message that says what was wrong, and must leave the database exactly as it was: every
//! table's rows are digested before and after each case.
//!
//! Left out of the comparison on purpose: `audit_log`, which records refused attempts by design
//! (it is append-only; a refusal is written there and nowhere else), a session's last-seen
//! time, which moves with every signed-in request, and an API token's `last_used_at`.

mod support;

use std::process::Stdio;

use app::api::enroll::Enroll;
use app::api::records::{AddContact, RecordMeasurement};
use axum::http::{header, Method, Request, StatusCode};
use leptos::server_fn::ServerFn;
use serde_json::json;
use support::api::{call, days_ago, enroll, world, World, PASSWORD};
use support::web::{body_text, form_post, sign_in_cookie};
use tower::ServiceExt;

/// One way in, with what it sends.
enum Input {
    /// A JSON API or FHIR call with the care manager's token (or `None` for no token).
    Api {
        method: Method,
        path: String,
        body: Option<String>,
        token: Token,
    },
    /// A CSV file posted to the clinic's import endpoint.
    Csv(Vec<u8>),
    /// A server function posted as a browser form, with the signed-in care manager's cookie.
    Form { path: &'static str, body: String },
    /// A server function posted from another site.
    CrossSite { path: &'static str, body: String },
    /// `tandem` with these arguments and this standard input, on the same database.
    Cli { args: Vec<String>, stdin: String },
}

#[derive(Clone, Copy)]
enum Token {
    CareManager,
    Consultant,
    Admin,
    None,
}

struct Case {
    name: &'static str,
    input: Input,
    /// The status expected; for the command line, any non-zero exit (written as 1 here).
    status: u16,
    /// Words the message must contain (case-insensitive).
    words: &'static str,
}

fn api(
    name: &'static str,
    method: Method,
    path: String,
    body: &str,
    status: u16,
    words: &'static str,
) -> Case {
    Case {
        name,
        input: Input::Api {
            method,
            path,
            body: (!body.is_empty()).then(|| body.to_owned()),
            token: Token::CareManager,
        },
        status,
        words,
    }
}

fn as_token(mut case: Case, token: Token) -> Case {
    if let Input::Api { token: t, .. } = &mut case.input {
        *t = token;
    }
    case
}

fn form(
    name: &'static str,
    path: &'static str,
    body: String,
    status: u16,
    words: &'static str,
) -> Case {
    Case {
        name,
        input: Input::Form { path, body },
        status,
        words,
    }
}

fn csv(name: &'static str, file: impl Into<Vec<u8>>, words: &'static str) -> Case {
    Case {
        name,
        input: Input::Csv(file.into()),
        status: 422,
        words,
    }
}

fn cli(name: &'static str, args: &[&str], stdin: &str, words: &'static str) -> Case {
    Case {
        name,
        input: Input::Cli {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            stdin: stdin.to_owned(),
        },
        status: 1,
        words,
    }
}

fn answers(values: &[&str]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("answers%5Bi{}%5D={v}", i + 1))
        .collect::<Vec<_>>()
        .join("&")
}

fn phq9_response(patient: &str, on: &str, first: serde_json::Value) -> String {
    let codes = [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
        "44260-8",
    ];
    let mut items: Vec<serde_json::Value> = codes
        .iter()
        .map(|c| json!({"linkId": c, "answer": [{"valueInteger": 1}]}))
        .collect();
    items[0]["answer"][0] = first;
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://loinc.org/q/44249-1",
        "status": "completed",
        "subject": {"reference": patient},
        "authored": format!("{on}T10:00:00Z"),
        "item": items,
    })
    .to_string()
}

/// Sends a case's input and returns the status (1 for a failed command) and the message text.
async fn send(w: &World, cookie: &str, input: &Input) -> (u16, String) {
    match input {
        Input::Api {
            method,
            path,
            body,
            token,
        } => {
            let token = match token {
                Token::CareManager => Some(w.cm.as_str()),
                Token::Consultant => Some(w.psy.as_str()),
                Token::Admin => Some(w.admin.as_str()),
                Token::None => None,
            };
            let body = match (method, body) {
                (&Method::POST, None) => Some(""),
                (_, b) => b.as_deref(),
            };
            let a = call(&w.app, method.clone(), path, token, body).await;
            (a.status.as_u16(), a.body.to_string())
        }
        Input::Csv(file) => {
            let req = Request::post(format!("/api/v1/clinics/{}/import", w.clinic.0))
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::AUTHORIZATION, format!("Bearer {}", w.cm))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(axum::body::Body::from(file.clone()))
                .expect("request");
            let res = w.app.clone().oneshot(req).await.expect("response");
            (res.status().as_u16(), body_text(res).await)
        }
        Input::Form { path, body } => {
            let res = w
                .app
                .clone()
                .oneshot(form_post(path, body.clone(), Some(cookie)))
                .await
                .expect("response");
            (res.status().as_u16(), body_text(res).await)
        }
        Input::CrossSite { path, body } => {
            let req = Request::post(*path)
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::COOKIE, cookie)
                .body(axum::body::Body::from(body.clone()))
                .expect("request");
            let res = w.app.clone().oneshot(req).await.expect("response");
            (res.status().as_u16(), body_text(res).await)
        }
        Input::Cli { args, stdin } => {
            let url = format!("sqlite://{}", w.db_path().display());
            let (args, stdin) = (args.clone(), stdin.clone());
            tokio::task::spawn_blocking(move || {
                use std::io::Write;
                let mut child = support::process::tandem()
                    .args(&args)
                    .env("DATABASE_URL", url)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn tandem");
                let _ = child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(stdin.as_bytes());
                let out = child.wait_with_output().expect("tandem ran");
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
                (if out.status.success() { 0 } else { 1 }, err)
            })
            .await
            .expect("command")
        }
    }
}

async fn digest(w: &World) -> Vec<(String, i64, u64)> {
    support::sqlite_table_digests_without(
        &w.db_path(),
        &[("api_tokens", "last_used_at"), ("sessions", "last_seen_at")],
    )
    .await
    .into_iter()
    .filter(|(table, _, _)| table != "audit_log")
    .collect()
}

#[tokio::test]
async fn every_bad_input_is_refused_with_a_message_and_changes_nothing() {
    let w = world().await;
    let id = enroll(&w, "SYN-100", 30).await;
    let other = support::api::post(
        &w.app,
        "/api/v1/patients",
        &w.other_cm,
        json!({"clinic_id": w.other_clinic.0, "mrn": "OTH-1", "given_name": "Oli",
               "family_name": "Other", "birth_date": "1990-01-01", "enrolled_on": days_ago(10)}),
    )
    .await
    .body["id"]
        .as_i64()
        .expect("other clinic's patient");
    let chart = support::api::get(&w.app, &format!("/api/v1/patients/{id}"), &w.cm).await;
    let episode = chart.body["episode"]["id"].as_i64().expect("episode");
    let cookie = sign_in_cookie(&w.app, "cm@synthetic.example", PASSWORD).await;
    let csv_dir = tempfile::tempdir().expect("dir");
    let bad_csv = csv_dir.path().join("bad.csv");
    std::fs::write(
        &bad_csv,
        format!(
            "mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,total\n\
             CLI-1,Ada,Synthetic,1980-01-01,{d},PHQ-9,{d},9\n\
             CLI-2,Ben,Synthetic,31/12/1980,{d},PHQ-9,{d},9\n",
            d = days_ago(5)
        ),
    )
    .expect("write csv");
    let bad_csv = bad_csv.display().to_string();

    let m = format!("/api/v1/patients/{id}/measurements");
    let c = format!("/api/v1/patients/{id}/contacts");
    let p = "/api/v1/patients".to_owned();
    let qr = "/fhir/r4/QuestionnaireResponse".to_owned();
    let yesterday = days_ago(1);
    let phq = |items: &str| {
        format!(r#"{{"instrument":"PHQ-9","taken_on":"{yesterday}","items":{items}}}"#)
    };
    let patient = |given: &str, mrn: &str, birth: &str| {
        json!({"clinic_id": w.clinic.0, "mrn": mrn, "given_name": given, "family_name": "Synthetic",
               "birth_date": birth, "enrolled_on": days_ago(1)})
        .to_string()
    };
    let long_csv = "mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,total";
    let d = days_ago(3);
    let form_base = format!("patient={id}&episode={episode}&instrument=PHQ-9&taken_on={yesterday}");
    let contact = |minutes: &str, kind: &str, on: &str| {
        format!("episode={episode}&occurred_on={on}&kind={kind}&minutes={minutes}&note=")
    };
    let huge_note = "x".repeat(2 * 1024 * 1024);

    let cases: Vec<Case> = vec![
        // JSON API: wrong types and shapes.
        api("api: not JSON", Method::POST, m.clone(), "{items: [1,2", 400, "not valid JSON"),
        api("api: items as a string", Method::POST, m.clone(), &phq(r#""000000000""#), 400, "invalid type"),
        api("api: an item as a float", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,1.5]"), 400, "invalid type"),
        api("api: a number beyond 64 bits", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,100000000000000000000]"), 400, "expected shape"),
        api("api: an unknown field", Method::POST, m.clone(), &format!(r#"{{"instrument":"PHQ-9","taken_on":"{yesterday}","items":[0,0,0,0,0,0,0,0,0],"total":27}}"#), 400, "unknown field"),
        // Out of range.
        api("api: an item answered 4", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,4]"), 422, "0"),
        api("api: a negative item", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,-9223372036854775808]"), 422, "0"),
        api("api: ten items", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,0,0]"), 422, "9 items"),
        api("api: contact minutes out of range", Method::POST, c.clone(), &json!({"occurred_on": yesterday, "kind": "phone", "minutes": 100000}).to_string(), 422, "minutes"),
        api("api: a script tag as a contact kind", Method::POST, c.clone(), &json!({"occurred_on": yesterday, "kind": "<script>alert(1)</script>", "minutes": 5}).to_string(), 422, "type of contact"),
        // Dates.
        api("api: 30 February", Method::POST, m.clone(), r#"{"instrument":"PHQ-9","taken_on":"2026-02-30","items":[0,0,0,0,0,0,0,0,0]}"#, 422, "real date"),
        api("api: year 10000", Method::POST, m.clone(), r#"{"instrument":"PHQ-9","taken_on":"10000-01-01","items":[0,0,0,0,0,0,0,0,0]}"#, 422, "real date"),
        api("api: a birth date in 1066", Method::POST, p.clone(), &patient("Ada", "SYN-200", "1066-10-14"), 422, "birth"),
        api("api: a birth date in the future", Method::POST, p.clone(), &patient("Ada", "SYN-201", "2999-01-01"), 422, "future"),
        // Unicode, control characters, injection-looking and huge strings.
        api("api: a NUL in a name", Method::POST, p.clone(), &patient("A\u{0}da", "SYN-202", "1980-01-01"), 422, "control"),
        api("api: a bidi override in a name", Method::POST, p.clone(), &patient("Ada\u{202e}", "SYN-203", "1980-01-01"), 422, "control"),
        api("api: SQL in an MRN", Method::POST, p.clone(), &patient("Ada", "1'; DROP TABLE patients;--", "1980-01-01"), 422, "mrn"),
        api("api: a 10,000-character name", Method::POST, p.clone(), &patient(&"é".repeat(10_000), "SYN-204", "1980-01-01"), 422, "100"),
        api("api: a body over one mebibyte", Method::POST, format!("/api/v1/patients/{id}/discuss"), &json!({"reason": huge_note}).to_string(), 413, "larger"),
        as_token(api("api: an empty clinic name", Method::POST, "/api/v1/clinics".into(), r#"{"name":"   "}"#, 422, "1–200"), Token::Admin),
        // Unknown and foreign ids.
        api("api: an unknown patient", Method::POST, "/api/v1/patients/999999/measurements".into(), &phq("[0,0,0,0,0,0,0,0,0]"), 404, "not found"),
        api("api: another clinic's patient", Method::POST, format!("/api/v1/patients/{other}/measurements"), &phq("[0,0,0,0,0,0,0,0,0]"), 404, "not found"),
        api("api: an id beyond 64 bits", Method::GET, "/api/v1/patients/99999999999999999999".into(), "", 400, "invalid url"),
        api("api: a stale version", Method::POST, format!("/api/v1/patients/{id}/status"), &json!({"status": "discharged", "on": yesterday, "reason": "referred_specialty", "version": 99}).to_string(), 409, "changed"),
        as_token(api("api: no token", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,0]"), 401, "API token"), Token::None),
        as_token(api("api: a role that may not record", Method::POST, m.clone(), &phq("[0,0,0,0,0,0,0,0,0]"), 403, "access"), Token::Consultant),
        // FHIR.
        api("fhir: not JSON", Method::POST, qr.clone(), "<QuestionnaireResponse/>", 400, "json"),
        api("fhir: the wrong resource", Method::POST, qr.clone(), r#"{"resourceType":"Patient"}"#, 422, "QuestionnaireResponse"),
        api("fhir: an answer out of range", Method::POST, qr.clone(), &phq9_response(&format!("Patient/{id}"), &yesterday, json!({"valueInteger": 7})), 422, "0"),
        api("fhir: an unknown answer code", Method::POST, qr.clone(), &phq9_response(&format!("Patient/{id}"), &yesterday, json!({"valueCoding": {"system": "http://loinc.org", "code": "LA9999-9"}})), 422, "answer"),
        api("fhir: a subject that is not a patient id", Method::POST, qr.clone(), &phq9_response("Patient/abc'--", &yesterday, json!({"valueInteger": 1})), 422, "patient"),
        api("fhir: another clinic's patient", Method::POST, qr.clone(), &phq9_response(&format!("Patient/{other}"), &yesterday, json!({"valueInteger": 1})), 404, "not found"),
        api("fhir: a date before the episode", Method::POST, qr.clone(), &phq9_response(&format!("Patient/{id}"), "1999-01-01", json!({"valueInteger": 1})), 422, "episode"),
        // CSV import.
        csv("csv: an empty file", "", "empty"),
        csv("csv: a day-first date", format!("{long_csv}\nN-1,Nia,New,01/02/1980,{d},PHQ-9,{d},9"), "YYYY-MM-DD"),
        csv("csv: a total of 28", format!("{long_csv}\nN-1,Nia,New,1980-01-01,{d},PHQ-9,{d},28"), "0 to 27"),
        csv("csv: bytes that are not UTF-8", [format!("{long_csv}\nN-1,").into_bytes(), vec![0xff, 0xfe], format!(",New,1980-01-01,{d},PHQ-9,{d},9").into_bytes()].concat(), "UTF-8"),
        csv("csv: one good row and one bad", format!("{long_csv}\nN-1,Nia,New,1980-01-01,{d},PHQ-9,{d},9\nN-2,Ned,New,1980-01-01,{d},PHQ-9,{d},-1"), "0 to 27"),
        csv("csv: a control character in a name", format!("{long_csv}\nN-1,N\u{7}ia,New,1980-01-01,{d},PHQ-9,{d},9"), "control"),
        // Server functions, posted as the browser's forms.
        form("form: an item answered 7", RecordMeasurement::PATH, format!("{form_base}&{}", answers(&["1", "1", "1", "1", "1", "1", "1", "1", "7"])), 400, "0"),
        form("form: an item that is not a number", RecordMeasurement::PATH, format!("{form_base}&{}", answers(&["1", "1", "1", "1", "1", "1", "1", "1", "%3Cscript%3E"])), 400, "0"),
        form("form: a missing item", RecordMeasurement::PATH, format!("{form_base}&{}", answers(&["1", "1", "1", "1", "1", "1", "1", "1"])), 400, "item 9"),
        form("form: contact minutes that are not a number", AddContact::PATH, contact("ten", "phone", &yesterday), 400, "minutes"),
        form("form: a contact next year", AddContact::PATH, contact("10", "phone", "2999-01-01"), 400, "future"),
        form("form: an unknown episode", AddContact::PATH, contact("10", "phone", &yesterday).replace(&format!("episode={episode}"), "episode=987654"), 404, "the record"),
        form("form: an episode id that is not a number", AddContact::PATH, contact("10", "phone", &yesterday).replace(&format!("episode={episode}"), "episode=1%20OR%201%3D1"), 400, "malformed"),
        form("form: enrolling into another clinic", Enroll::PATH, format!("clinic={}&given_name=Ada&family_name=Synthetic&mrn=X-1&birth_date=1980-01-01&pcp=&enrolled_on={yesterday}", w.other_clinic.0), 404, "the record"),
        Case {
            name: "form: posted from another site",
            input: Input::CrossSite {
                path: AddContact::PATH,
                body: contact("10", "phone", &yesterday),
            },
            status: 403,
            words: "cross-site",
        },
        // The command line.
        cli("cli: an import with one bad row", &["import", "--clinic", "Synthetic Clinic", "--file", &bad_csv], "", "nothing was imported"),
        cli("cli: an import into an unknown clinic", &["import", "--clinic", "No Such Clinic", "--file", &bad_csv], "", "No Such Clinic"),
        cli("cli: a user with a bad email", &["user", "create", "--email", "not-an-email", "--name", "X", "--role", "care_manager", "--password-stdin"], "a long enough password\n", "email"),
        cli("cli: a user with an unknown role", &["user", "create", "--email", "x@synthetic.example", "--name", "X", "--role", "superuser", "--password-stdin"], "a long enough password\n", "superuser"),
        cli("cli: a clinic with an empty name", &["clinic", "create", "--name", " "], "", "1–200"),
        cli("cli: seeding a registry that has patients", &["seed", "--patients", "5"], "", "already has"),
        cli("cli: restoring over a registry without --force", &["restore", "--from", &bad_csv], "", "backup"),
    ];
    assert!(cases.len() >= 40, "{} cases", cases.len());

    let mut before = digest(&w).await;
    assert!(
        before.iter().any(|(t, n, _)| t == "patients" && *n == 2),
        "the registry under test holds the two patients: {before:?}"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let (status, message) = send(&w, &cookie, &case.input).await;
        if status != case.status || !(status == 1 || (400..500).contains(&status)) {
            failures.push(format!(
                "{}: status {status}, expected {}: {message}",
                case.name, case.status
            ));
        } else if !message.to_lowercase().contains(&case.words.to_lowercase()) {
            failures.push(format!(
                "{}: the message does not say {:?}: {message}",
                case.name, case.words
            ));
        }
        let after = digest(&w).await;
        if after != before {
            failures.push(format!("{} changed the registry", case.name));
        }
        before = after;
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The same inputs, made valid, do change it: the comparison can see a write.
    let ok = call(
        &w.app,
        Method::POST,
        &m,
        Some(&w.cm),
        Some(&phq("[0,0,0,0,0,0,0,0,1]")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_ne!(digest(&w).await, before);
}
