//! The patient self-report pages over HTTP: the birth-date gate that reveals nothing, lockout and
//! rate limits, one answer per screen, tampered answers, missing items, replay, expiry and
//! revocation, the crisis resources, and what the care manager then sees.

mod support;

use std::sync::Arc;

use app::accounts::{Email, NewUser};
use app::api::caseload::{CaseloadView, GetCaseload};
use app::api::self_report::{CreateSelfReportLink, NewLink, RevokeSelfReportLink};
use app::audit::AuditQuery;
use app::domain::self_report::MAX_BIRTH_DATE_ATTEMPTS;
use app::domain::{FlagKind, Instrument, Mrn, PersonName};
use app::model::{ClinicId, EpisodeDetails, EpisodeId, MeasurementSource, NewPatient, PatientId};
use app::policy::Role;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::server_fn::ServerFn;
use support::web::{app_for, body_text, call, form_post, sign_in_cookie};
use tower::ServiceExt;

const PASSWORD: &str = "synthetic pass phrase";
const BIRTH: &str = "day=27&month=3&year=1980";

struct World {
    app: Router,
    store: SharedStore,
    staff_cookie: String,
    patient: PatientId,
    episode: EpisodeId,
    _dir: tempfile::TempDir,
}

async fn staff(store: &SharedStore, email: &str, clinic: ClinicId) -> i64 {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: "Casey Synthetic".to_owned(),
            role: Role::CareManager,
            clinics: vec![clinic],
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
        })
        .await
        .expect("user")
        .id
}

async fn world() -> World {
    let (store, dir) = support::sqlite_store().await;
    let store: SharedStore = Arc::new(store);
    let clinic = store
        .create_clinic("Birch Clinic")
        .await
        .expect("clinic")
        .id;
    let user = staff(&store, "cm@synthetic.example", clinic).await;
    let enrolled = store
        .enroll(&app::model::Enrollment {
            patient: app::model::EnrollPatient::New(NewPatient {
                clinic_id: clinic,
                mrn: Mrn::parse("SYN-77").expect("mrn"),
                given_name: PersonName::parse("given name", "Robin").expect("given"),
                family_name: PersonName::parse("family name", "Sample").expect("family"),
                birth_date: chrono::NaiveDate::from_ymd_opt(1980, 3, 27).expect("date"),
            }),
            enrolled_on: app::model::today() - chrono::Duration::days(21),
            details: EpisodeDetails {
                care_manager_id: Some(user),
                consultant_id: None,
                pcp: String::new(),
                targets: vec![app::domain::TargetCondition::Depression],
            },
            baselines: vec![],
            by_user: Some(user),
        })
        .await
        .expect("enroll");
    let app = app_for(store.clone());
    let staff_cookie = sign_in_cookie(&app, "cm@synthetic.example", PASSWORD).await;
    World {
        app,
        store,
        staff_cookie,
        patient: enrolled.patient_id,
        episode: enrolled.episode_id,
        _dir: dir,
    }
}

async fn send(w: &World, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let res = w.app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = body_text(res).await;
    (status, cookie.or(location), body)
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::get(uri).header(header::HOST, "127.0.0.1:3000");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::empty()).expect("request")
}

/// A link made by the care manager through the server function; returns the token.
async fn new_link(w: &World, instruments: &str) -> String {
    let body = format!("patient={}&{instruments}", w.patient.0);
    let link: NewLink = call(&w.app, CreateSelfReportLink::PATH, body, &w.staff_cookie).await;
    assert!(
        link.url.starts_with("http://127.0.0.1:3000/r/"),
        "{}",
        link.url
    );
    assert!(link.qr_svg.starts_with("<?xml") || link.qr_svg.contains("<svg"));
    link.url.rsplit('/').next().expect("token").to_owned()
}

const BOTH: &str = "instruments%5B%5D=PHQ-9&instruments%5B%5D=GAD-7";

/// Passes the gate; returns the visit cookie.
async fn open(w: &World, token: &str) -> String {
    let (status, cookie, body) = send(w, form_post(&format!("/r/{token}"), BIRTH, None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let cookie = cookie.expect("visit cookie");
    assert!(cookie.starts_with("tandem_self_report="), "{cookie}");
    cookie
}

async fn answer(
    w: &World,
    token: &str,
    cookie: &str,
    step: usize,
    value: &str,
) -> (StatusCode, Option<String>, String) {
    send(
        w,
        form_post(
            &format!("/r/{token}/q/{step}"),
            format!("answer={value}"),
            Some(cookie),
        ),
    )
    .await
}

async fn audit_count(w: &World, action: &str) -> usize {
    w.store
        .list_audit(&AuditQuery {
            limit: 10_000,
            ..AuditQuery::default()
        })
        .await
        .expect("audit")
        .iter()
        .filter(|a| a.action == action)
        .count()
}

#[tokio::test]
async fn the_gate_reads_the_same_for_a_real_link_and_a_made_up_one() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    let fake = "0".repeat(40);
    let (s1, _, real_page) = send(&w, get(&format!("/r/{token}"), None)).await;
    let (s2, _, fake_page) = send(&w, get(&format!("/r/{fake}"), None)).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(
        real_page.replace(&token, "T"),
        fake_page.replace(&fake, "T")
    );
    for secret in ["Robin", "Sample", "Birch Clinic", "SYN-77"] {
        assert!(!real_page.contains(secret), "the gate shows {secret}");
    }
    // A wrong date on the real link and any date on the made-up one get the same answer.
    let (s1, _, wrong) = send(
        &w,
        form_post(&format!("/r/{token}"), "day=1&month=1&year=1990", None),
    )
    .await;
    let (s2, _, unknown) = send(&w, form_post(&format!("/r/{fake}"), BIRTH, None)).await;
    assert_eq!((s1, s2), (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN));
    assert_eq!(wrong.replace(&token, "T"), unknown.replace(&fake, "T"));
    assert!(wrong.contains("could not open your questionnaire"));
    // A token made of anything, control characters included, is no different and breaks nothing.
    for path in [
        "/r/%0Abad/q/1",
        "/r/%0Abad/check",
        "/r/%22%3E%3Cb%3E/q/1",
        "/r/%0Abad",
    ] {
        let (status, _, page) = send(&w, get(path, None)).await;
        assert!(
            status.is_client_error() || status.is_success() || status == StatusCode::SEE_OTHER,
            "{path}: {status}"
        );
        assert!(!page.contains("\"><b>"), "{path}");
    }
    for path in ["/r/%0Abad/q/1", "/r/%0Abad/send", "/r/%0Abad"] {
        let (status, _, _) = send(
            &w,
            form_post(path, "answer=1&day=1&month=1&year=1980", None),
        )
        .await;
        assert!(status.is_client_error(), "{path}: {status}");
    }
    // A malformed token is no different.
    let (s3, _, odd) = send(&w, form_post("/r/not-a-token", BIRTH, None)).await;
    assert_eq!(s3, StatusCode::FORBIDDEN);
    assert!(odd.contains("could not open your questionnaire"));
}

#[tokio::test]
async fn the_patient_pages_load_no_script() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    let res = w
        .app
        .clone()
        .oneshot(get(&format!("/r/{token}"), None))
        .await
        .expect("gate");
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    let page = body_text(res).await;
    assert!(!page.contains("<script"), "{page}");
    let cookie = open(&w, &token).await;
    let (_, _, q1) = send(&w, get(&format!("/r/{token}/q/1"), Some(&cookie))).await;
    assert!(!q1.contains("<script"));
    assert!(
        q1.contains("Hello Robin"),
        "the first name shows after the gate"
    );
    assert!(q1.contains("Birch Clinic"));
    assert!(q1.contains("Little interest or pleasure in doing things"));
    assert!(q1.contains("Question 1 of 17"));
}

#[tokio::test]
async fn a_malformed_birth_date_is_a_400_with_a_message() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    for body in [
        "day=&month=3&year=1980",
        "day=31&month=2&year=1980",
        "day=27&month=3&year=80",
        "day=x",
    ] {
        let (status, _, page) = send(&w, form_post(&format!("/r/{token}"), body, None)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(page.contains("There is a problem"), "{body}");
    }
}

#[tokio::test]
async fn five_wrong_birth_dates_lock_the_link_for_good() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    for _ in 0..MAX_BIRTH_DATE_ATTEMPTS {
        let (status, _, _) = send(
            &w,
            form_post(&format!("/r/{token}"), "day=2&month=2&year=1990", None),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, cookie, page) = send(&w, form_post(&format!("/r/{token}"), BIRTH, None)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the right date no longer opens it"
    );
    assert!(cookie.is_none());
    assert!(page.contains("could not open your questionnaire"));
    assert_eq!(audit_count(&w, "self_report.birth_date").await, 6);
    let links = w.store.self_report_links(w.patient).await.expect("links");
    assert!(links[0].life.locked_at.is_some());
}

#[tokio::test]
async fn attempts_are_limited_per_link() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    let limit = tandem_server::self_report::MAX_ATTEMPTS_PER_LINK;
    for _ in 0..limit {
        send(&w, form_post(&format!("/r/{token}"), "day=99", None)).await;
    }
    let (status, _, page) = send(&w, form_post(&format!("/r/{token}"), BIRTH, None)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("too many attempts"));
}

#[tokio::test]
async fn tampered_answers_are_refused_and_change_nothing() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    let cookie = open(&w, &token).await;
    for value in ["7", "-1", "3.0", "", "not_difficult"] {
        let (status, _, page) = answer(&w, &token, &cookie, 1, value).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{value}");
        assert!(page.contains("Choose one of the answers"), "{value}");
    }
    let (status, _, _) = answer(&w, &token, &cookie, 18, "1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = answer(&w, &token, &cookie, 0, "1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without the visit cookie (or with another one) nothing is taken.
    let (status, _, _) = answer(&w, &token, "tandem_self_report=forged", 1, "1").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let visit = w
        .store
        .self_report_visit(&tandem_server::tokens::hash_token(&token))
        .await
        .expect("visit")
        .expect("found");
    assert_eq!(visit.draft, app::domain::self_report::Draft::default());
}

#[tokio::test]
async fn answers_with_a_missing_item_are_not_sent() {
    let w = world().await;
    let token = new_link(&w, "instruments%5B%5D=PHQ-9").await;
    let cookie = open(&w, &token).await;
    for step in 1..=8 {
        let (status, next, _) = answer(&w, &token, &cookie, step, "1").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            next.as_deref(),
            Some(format!("/r/{token}/q/{}", step + 1).as_str())
        );
    }
    // The check page sends the patient back to the unanswered question.
    let (status, next, _) = send(&w, get(&format!("/r/{token}/check"), Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(next.as_deref(), Some(format!("/r/{token}/q/9").as_str()));
    let (status, _, page) = send(
        &w,
        form_post(&format!("/r/{token}/send"), "", Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("item 9 is missing an answer"), "{page}");
    assert!(w
        .store
        .measurements_for_episode(w.episode)
        .await
        .expect("scores")
        .is_empty());
}

/// Answers every screen of a PHQ-9 + GAD-7 link with `value`, item 9 with `item9`.
async fn answer_all(w: &World, token: &str, cookie: &str, value: &str, item9: &str) -> String {
    let mut last = String::new();
    for step in 1..=17 {
        let v = match step {
            9 => item9,
            10 => "somewhat",
            _ => value,
        };
        let (status, next, _) = answer(w, token, cookie, step, v).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "step {step}");
        let next = next.expect("next");
        if step == 9 {
            // The screen after item 9 opens with the crisis resources.
            let (_, _, page) = send(w, get(&next, Some(cookie))).await;
            last = page;
        }
        if step == 17 {
            assert_eq!(next, format!("/r/{token}/check"));
        }
    }
    last
}

#[tokio::test]
async fn item_9_shows_crisis_resources_and_raises_the_safety_flag_and_notice() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    let cookie = open(&w, &token).await;
    let after_item9 = answer_all(&w, &token, &cookie, "2", "1").await;
    assert!(
        after_item9.contains(tandem_server::self_report::CRISIS_HEADING),
        "{after_item9}"
    );
    assert!(after_item9.contains("988"));
    assert!(after_item9.contains("href=\"tel:988\""));
    // The notice is on the caseload before the answers are even sent.
    assert_eq!(caseload(&w).await.safety_notices.len(), 1);
    let (status, _, check) = send(&w, get(&format!("/r/{token}/check"), Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(check.contains("Send my answers"));
    let (status, _, thanks) = send(
        &w,
        form_post(&format!("/r/{token}/send"), "", Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{thanks}");
    assert!(thanks.contains("Your answers have been sent"));
    assert!(
        thanks.contains("988"),
        "the crisis resources stay on the last page"
    );
    let scores = w
        .store
        .measurements_for_episode(w.episode)
        .await
        .expect("scores");
    assert_eq!(scores.len(), 2);
    let phq = scores
        .iter()
        .find(|m| m.instrument() == Instrument::Phq9)
        .expect("phq");
    assert_eq!(phq.source, MeasurementSource::SelfReport);
    assert_eq!(phq.responses.total(), 8 * 2 + 1);
    assert_eq!(phq.responses.item9(), Some(1));
    assert_eq!(
        phq.responses.difficulty(),
        Some(app::domain::Difficulty::Somewhat)
    );
    let gad = scores
        .iter()
        .find(|m| m.instrument() == Instrument::Gad7)
        .expect("gad");
    assert_eq!(gad.responses.total(), 14);
    let view = caseload(&w).await;
    let row = &view.data.page.rows[0];
    assert!(row.has(FlagKind::Safety), "{:?}", row.flags);
    assert_eq!(row.self_report_on, Some(app::model::today()));
    assert_eq!(row.latest_phq9, Some(17));
    for action in [
        "self_report.create",
        "self_report.open",
        "self_report.submit",
    ] {
        assert_eq!(audit_count(&w, action).await, 1, "{action}");
    }
}

async fn caseload(w: &World) -> CaseloadView {
    call(&w.app, GetCaseload::PATH, "scope=clinic", &w.staff_cookie).await
}

#[tokio::test]
async fn a_link_cannot_be_replayed() {
    let w = world().await;
    let token = new_link(&w, BOTH).await;
    let cookie = open(&w, &token).await;
    answer_all(&w, &token, &cookie, "0", "0").await;
    let (status, _, _) = send(
        &w,
        form_post(&format!("/r/{token}/send"), "", Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The same device again, the same answers again, and the gate again.
    let (status, _, _) = send(
        &w,
        form_post(&format!("/r/{token}/send"), "", Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = answer(&w, &token, &cookie, 1, "3").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, cookie2, page) = send(&w, form_post(&format!("/r/{token}"), BIRTH, None)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(cookie2.is_none());
    assert!(page.contains("already sent your answers"));
    assert_eq!(
        w.store
            .measurements_for_episode(w.episode)
            .await
            .expect("scores")
            .len(),
        2
    );
    assert!(caseload(&w).await.safety_notices.is_empty(), "item 9 was 0");
}

#[tokio::test]
async fn expired_and_revoked_links_tell_only_the_patient_why() {
    let w = world().await;
    // A link made eight days ago with the default seven-day life.
    let expired_token = "e".repeat(40);
    let eight_days_ago = chrono::Utc::now() - chrono::Duration::days(8);
    support::self_report_link(
        w.store.as_ref(),
        w.episode,
        &expired_token,
        eight_days_ago,
        7,
    )
    .await;
    let (status, _, page) = send(
        &w,
        form_post(
            &format!("/r/{expired_token}"),
            "day=1&month=1&year=1990",
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong date learns nothing");
    assert!(!page.contains("expired"));
    let (status, _, page) = send(&w, form_post(&format!("/r/{expired_token}"), BIRTH, None)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("This link has expired"));

    let token = new_link(&w, BOTH).await;
    let cookie = open(&w, &token).await;
    let id = w.store.self_report_links(w.patient).await.expect("links")[0].id;
    let (status, _, body) = send(
        &w,
        form_post(
            RevokeSelfReportLink::PATH,
            format!("id={id}"),
            Some(&w.staff_cookie),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = answer(&w, &token, &cookie, 1, "1").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the open visit ends with the link"
    );
    let (status, _, page) = send(&w, form_post(&format!("/r/{token}"), BIRTH, None)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("no longer in use"));
}

#[tokio::test]
async fn links_are_refused_for_bad_choices_and_other_clinics() {
    let w = world().await;
    for (body, words) in [
        (
            format!("patient={}", w.patient.0),
            "at least one questionnaire",
        ),
        (
            format!("patient={}&instruments%5B%5D=PHQ-2", w.patient.0),
            "PHQ-9, the GAD-7 or both",
        ),
    ] {
        let (status, _, text) = send(
            &w,
            form_post(CreateSelfReportLink::PATH, body, Some(&w.staff_cookie)),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains(words), "{text}");
    }
    let other = w
        .store
        .create_clinic("Elm Clinic")
        .await
        .expect("clinic")
        .id;
    staff(&w.store, "other@synthetic.example", other).await;
    let other_cookie = sign_in_cookie(&w.app, "other@synthetic.example", PASSWORD).await;
    let (status, _, _) = send(
        &w,
        form_post(
            CreateSelfReportLink::PATH,
            format!("patient={}&{BOTH}", w.patient.0),
            Some(&other_cookie),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(w
        .store
        .self_report_links(w.patient)
        .await
        .expect("links")
        .is_empty());
    // Signed out: nothing.
    let (status, _, _) = send(
        &w,
        form_post(
            CreateSelfReportLink::PATH,
            format!("patient={}&{BOTH}", w.patient.0),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(w
        .store
        .self_report_links(w.patient)
        .await
        .expect("links")
        .is_empty());
}
