//! The authorization matrix: every role (and an anonymous visitor) against every server function
//! and data route, in the user's own clinic and in another clinic. Each cell states the expected
//! outcome; a denial never reveals whether another clinic's record exists (404, or 403 for a role
//! that may not do the thing anywhere).
//!
//! Add a row here whenever an endpoint is added.

mod support;

use std::sync::Arc;

use app::accounts::{Email, NewUser};
use app::api::admin::{
    CreateClinic, CreateUser, GetClinicSettings, ListDirectory, RenameClinic, ResetPassword,
    SaveClinicSettings, SearchAudit, SetUserActive, UpdateUser,
};
use app::api::patients::ListPatients;
use app::api::reports::{GetBilling, GetOutcomes, GetQuality};
use app::api::review::{GetReviewBoard, GetTasks};
use app::api::self_report::{
    AcknowledgeSafetyNotice, CreateSelfReportLink, GetSelfReport, RevokeSelfReportLink,
};
use app::api::summary::{GetSummary, RecordSummaryCopy};
use app::model::ClinicId;
use app::policy::Role;
use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::server_fn::ServerFn;
use support::web::{app_for, form_post, sign_in_cookie};
use tower::ServiceExt;

const PASSWORD: &str = "synthetic pass phrase";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    As(Role),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Unauthenticated,
    Denied,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Own,
    Other,
}

struct Fixture {
    app: Router,
    own: ClinicId,
    other: ClinicId,
    spare_user: i64,
}

async fn fixture(store: SharedStore) -> Fixture {
    let own = store.create_clinic("Own Clinic").await.expect("clinic").id;
    let other = store
        .create_clinic("Other Clinic")
        .await
        .expect("clinic")
        .id;
    let hash = tandem_server::password::hash(PASSWORD).expect("hash");
    for role in Role::ALL {
        store
            .create_user(&NewUser {
                email: Email::parse(&format!("{}@own.example", role.code())).expect("email"),
                display_name: format!("Synthetic {}", role.label()),
                role,
                clinics: vec![own],
                password_hash: hash.clone(),
            })
            .await
            .expect("user");
    }
    let spare = store
        .create_user(&NewUser {
            email: Email::parse("spare@own.example").expect("email"),
            display_name: "Spare".to_owned(),
            role: Role::CareManager,
            clinics: vec![own],
            password_hash: hash,
        })
        .await
        .expect("spare");
    let app = app_for(store);
    Fixture {
        app,
        own,
        other,
        spare_user: spare.id,
    }
}

async fn status(app: &Router, req: Request<Body>) -> StatusCode {
    app.clone().oneshot(req).await.expect("response").status()
}

async fn cookie_for(app: &Router, role: Role) -> String {
    sign_in_cookie(app, &format!("{}@own.example", role.code()), PASSWORD).await
}

/// What a role may do (the README role table), per endpoint.
fn admin_only(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::Admin) => Expect::Allowed,
        Who::As(_) => Expect::Denied,
    }
}

fn list_patients_rule(who: Who, scope: Scope) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::CareManager | Role::PsychiatricConsultant) if scope == Scope::Own => {
            Expect::Allowed
        }
        Who::As(_) => Expect::Denied,
    }
}

/// Aggregate reports: clinic leads of the clinic.
fn reports_rule(who: Who, scope: Scope) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::ClinicLead) if scope == Scope::Own => Expect::Allowed,
        Who::As(_) => Expect::Denied,
    }
}

/// Patient-level exports (billing, measure lists): care managers and clinic leads of the clinic.
fn export_rule(who: Who, scope: Scope) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::ClinicLead | Role::CareManager) if scope == Scope::Own => Expect::Allowed,
        Who::As(_) => Expect::Denied,
    }
}

fn get(uri: String, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).expect("request")
}

const SETTINGS: &str = "settings[target_caseload]=80&settings[review_weekday]=3&settings[flag_rules][item9_threshold]=1\
&settings[flag_rules][not_improving_weeks]=10&settings[flag_rules][worsening_points]=5\
&settings[flag_rules][no_consult_after_days]=0&settings[flag_rules][early_phase_weeks]=12\
&settings[flag_rules][contact_limit_early_days]=14&settings[flag_rules][contact_limit_later_days]=30\
&settings[flag_rules][contact_limit_relapse_prevention_days]=30\
&settings[flag_rules][post_discharge_target_hours]=72&settings[flag_rules][post_discharge_clear_days]=30\
&settings[flag_rules][review_kinds][]=safety&settings[flag_rules][review_kinds][]=not_improving";

/// A self-report link of the patient's episode whose patient answered item 9 above 0, made by the
/// clinic's first user; returns its id.
async fn link_of(store: &SharedStore, patient: i64, hash: char) -> i64 {
    use app::domain::self_report::{Draft, LinkLife};
    use app::domain::Instrument;
    use app::model::PatientId;
    let episode = store
        .episode_records(PatientId(patient))
        .await
        .expect("episodes")[0]
        .episode
        .id;
    let id = store
        .create_self_report_link(&app::self_report::NewSelfReportLink {
            episode_id: episode,
            token_hash: hash.to_string().repeat(64),
            instruments: vec![Instrument::Phq9],
            created_by: 1,
            life: LinkLife::new(chrono::Utc::now(), 7),
        })
        .await
        .expect("link")
        .id;
    let mut draft = Draft::default();
    draft
        .answer(&[Instrument::Phq9], 9, Some("1"))
        .expect("answer");
    store
        .save_self_report_draft(id, &draft, chrono::Utc::now())
        .await
        .expect("draft");
    id
}

async fn run_matrix(store: SharedStore) {
    let f = fixture(store.clone()).await;
    let own_patient = patient_in(&store, f.own, "OWN-1").await;
    let other_patient = patient_in(&store, f.other, "OTH-1").await;
    let own_link = link_of(&store, own_patient, 'a').await;
    let other_link = link_of(&store, other_patient, 'b').await;
    let mut cells = 0;
    let mut n = 0;
    let whos = [
        Who::Anonymous,
        Who::As(Role::CareManager),
        Who::As(Role::PsychiatricConsultant),
        Who::As(Role::ClinicLead),
        Who::As(Role::Admin),
    ];
    for who in whos {
        let cookie = match who {
            Who::Anonymous => None,
            Who::As(role) => Some(cookie_for(&f.app, role).await),
        };
        let cookie = cookie.as_deref();
        for scope in [Scope::Own, Scope::Other] {
            let clinic = if scope == Scope::Own { f.own } else { f.other };
            let (patient, link) = if scope == Scope::Own {
                (own_patient, own_link)
            } else {
                (other_patient, other_link)
            };
            n += 1;
            let calls: Vec<(&str, Request<Body>, Expect)> = vec![
                (
                    "GetSelfReport",
                    form_post(GetSelfReport::PATH, format!("patient={patient}"), cookie),
                    chart_rule(who, scope),
                ),
                (
                    "CreateSelfReportLink",
                    form_post(
                        CreateSelfReportLink::PATH,
                        format!("patient={patient}&instruments[]=PHQ-9"),
                        cookie,
                    ),
                    record_rule(who, scope),
                ),
                (
                    "RevokeSelfReportLink",
                    form_post(RevokeSelfReportLink::PATH, format!("id={link}"), cookie),
                    record_rule(who, scope),
                ),
                (
                    "AcknowledgeSafetyNotice",
                    form_post(AcknowledgeSafetyNotice::PATH, format!("link={link}"), cookie),
                    record_rule(who, scope),
                ),
                (
                    "GetSummary",
                    form_post(GetSummary::PATH, format!("patient={patient}"), cookie),
                    chart_rule(who, scope),
                ),
                (
                    "RecordSummaryCopy",
                    form_post(RecordSummaryCopy::PATH, format!("patient={patient}"), cookie),
                    chart_rule(who, scope),
                ),
                (
                    "ListPatients",
                    form_post(ListPatients::PATH, format!("page=1&clinic={clinic}"), cookie),
                    list_patients_rule(who, scope),
                ),
                (
                    "GetReviewBoard",
                    form_post(GetReviewBoard::PATH, format!("clinic={clinic}"), cookie),
                    list_patients_rule(who, scope),
                ),
                (
                    "GetTasks",
                    form_post(GetTasks::PATH, format!("clinic={clinic}"), cookie),
                    list_patients_rule(who, scope),
                ),
                (
                    "GET /review/agenda.csv",
                    {
                        let mut r = Request::get(format!("/review/agenda.csv?clinic={clinic}"));
                        if let Some(c) = cookie {
                            r = r.header(header::COOKIE, c);
                        }
                        r.body(Body::empty()).expect("request")
                    },
                    list_patients_rule(who, scope),
                ),
                ("GetOutcomes", form_post(GetOutcomes::PATH, format!("clinic={clinic}"), cookie), reports_rule(who, scope)),
                ("GetQuality", form_post(GetQuality::PATH, format!("clinic={clinic}"), cookie), reports_rule(who, scope)),
                ("GetBilling", form_post(GetBilling::PATH, format!("clinic={clinic}"), cookie), export_rule(who, scope)),
                (
                    "GET /reports/outcomes.csv",
                    get(format!("/reports/outcomes.csv?chart=caseload&clinic={clinic}"), cookie),
                    reports_rule(who, scope),
                ),
                (
                    "GET /exports/measurements.csv",
                    get(format!("/exports/measurements.csv?clinic={clinic}"), cookie),
                    export_rule(who, scope),
                ),
                (
                    "GET /reports/billing.csv",
                    get(format!("/reports/billing.csv?clinic={clinic}"), cookie),
                    export_rule(who, scope),
                ),
                ("ListDirectory", form_post(ListDirectory::PATH, String::new(), cookie), admin_only(who)),
                (
                    "CreateUser",
                    form_post(
                        CreateUser::PATH,
                        format!(
                            "email=new{n}%40own.example&name=New&role=care_manager&clinics[]={clinic}&password=a+long+new+password"
                        ),
                        cookie,
                    ),
                    admin_only(who),
                ),
                (
                    "UpdateUser",
                    form_post(
                        UpdateUser::PATH,
                        format!("id={}&name=Spare&role=care_manager&clinics[]={clinic}", f.spare_user),
                        cookie,
                    ),
                    admin_only(who),
                ),
                (
                    "SetUserActive",
                    form_post(SetUserActive::PATH, format!("id={}&active=true", f.spare_user), cookie),
                    admin_only(who),
                ),
                (
                    "ResetPassword",
                    form_post(
                        ResetPassword::PATH,
                        format!("id={}&password=another+long+password", f.spare_user),
                        cookie,
                    ),
                    admin_only(who),
                ),
                ("CreateClinic", form_post(CreateClinic::PATH, format!("name=Clinic+{n}"), cookie), admin_only(who)),
                (
                    "RenameClinic",
                    form_post(RenameClinic::PATH, format!("id={clinic}&name=Renamed+{n}"), cookie),
                    admin_only(who),
                ),
                ("GetClinicSettings", form_post(GetClinicSettings::PATH, format!("id={clinic}"), cookie), admin_only(who)),
                (
                    "SaveClinicSettings",
                    form_post(SaveClinicSettings::PATH, format!("id={clinic}&{SETTINGS}"), cookie),
                    admin_only(who),
                ),
                ("SearchAudit", form_post(SearchAudit::PATH, String::new(), cookie), admin_only(who)),
                (
                    "GET /admin/audit.csv",
                    {
                        let mut r = Request::get("/admin/audit.csv");
                        if let Some(c) = cookie {
                            r = r.header(header::COOKIE, c);
                        }
                        r.body(Body::empty()).expect("request")
                    },
                    admin_only(who),
                ),
            ];
            for (name, req, expect) in calls {
                cells += 1;
                let got = status(&f.app, req).await;
                let ok = match expect {
                    Expect::Allowed => got.is_success(),
                    Expect::Unauthenticated => got == StatusCode::UNAUTHORIZED,
                    Expect::Denied => got == StatusCode::FORBIDDEN || got == StatusCode::NOT_FOUND,
                };
                assert!(
                    ok,
                    "{who:?} {name} ({scope:?} clinic): expected {expect:?}, got {got}"
                );
            }
        }
    }
    assert_eq!(
        cells,
        5 * 2 * 27,
        "every role × endpoint × clinic cell was checked"
    );
}

#[tokio::test]
async fn every_role_and_endpoint_is_allowed_or_denied_as_the_role_table_says_on_sqlite() {
    let (store, _dir) = support::sqlite_store().await;
    run_matrix(Arc::new(store)).await;
}

#[tokio::test]
async fn every_role_and_endpoint_is_allowed_or_denied_as_the_role_table_says_on_postgres() {
    support::with_postgres(|store| async move { run_matrix(Arc::new(store)).await }).await;
}

/// A patient enrolled 30 days ago in `clinic`, straight through the store.
async fn patient_in(store: &SharedStore, clinic: ClinicId, mrn: &str) -> i64 {
    use app::domain::{Mrn, PersonName, TargetCondition};
    use app::model::{EnrollPatient, Enrollment, EpisodeDetails, NewPatient};
    store
        .enroll(&Enrollment {
            patient: EnrollPatient::New(NewPatient {
                clinic_id: clinic,
                mrn: Mrn::parse(mrn).expect("mrn"),
                given_name: PersonName::parse("given name", "Sam").expect("given"),
                family_name: PersonName::parse("family name", "Matrix").expect("family"),
                birth_date: chrono::NaiveDate::from_ymd_opt(1980, 2, 2).expect("date"),
            }),
            enrolled_on: app::model::today() - chrono::Days::new(30),
            details: EpisodeDetails {
                targets: vec![TargetCondition::Depression],
                ..EpisodeDetails::default()
            },
            baselines: vec![],
            by_user: None,
        })
        .await
        .expect("enroll")
        .patient_id
        .0
}

/// A PHQ-9 of 5 in the patient's episode, yesterday.
async fn score_of(store: &SharedStore, patient: i64) -> i64 {
    use app::domain::{Instrument, Responses};
    use app::model::{MeasurementSource, NewMeasurement, PatientId};
    let episode = store
        .episode_records(PatientId(patient))
        .await
        .expect("episodes")[0]
        .episode
        .id;
    let answers: Vec<Option<i64>> = [1, 1, 1, 1, 1, 0, 0, 0, 0].into_iter().map(Some).collect();
    store
        .add_measurement(&NewMeasurement {
            episode_id: episode,
            taken_on: app::model::today() - chrono::Days::new(1),
            responses: Responses::from_items(Instrument::Phq9, &answers).expect("phq9"),
            source: MeasurementSource::Clinician,
            entered_by: None,
        })
        .await
        .expect("score")
        .id
        .0
}

/// Roles that may record care (care managers of the clinic).
fn record_rule(who: Who, scope: Scope) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::CareManager) if scope == Scope::Own => Expect::Allowed,
        Who::As(_) => Expect::Denied,
    }
}

/// Roles that may open a chart.
fn chart_rule(who: Who, scope: Scope) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::Admin) => Expect::Denied,
        Who::As(_) if scope == Scope::Own => Expect::Allowed,
        Who::As(_) => Expect::Denied,
    }
}

fn consultant_rule(who: Who, scope: Scope) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(Role::PsychiatricConsultant) if scope == Scope::Own => Expect::Allowed,
        Who::As(_) => Expect::Denied,
    }
}

fn any_signed_in(who: Who) -> Expect {
    match who {
        Who::Anonymous => Expect::Unauthenticated,
        Who::As(_) => Expect::Allowed,
    }
}

/// A request as a script sends it, with the role's API token.
fn api(method: &str, uri: String, token: Option<&str>, body: Option<String>) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:3000");
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    r.header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, Body::from))
        .expect("request")
}

/// Every JSON API and FHIR endpoint, for every role's token (and none), on a patient and clinic
/// of the role's own clinic and of another.
async fn run_api_matrix(store: SharedStore) {
    let f = fixture(store.clone()).await;
    let own_patient = patient_in(&store, f.own, "OWN-1").await;
    let other_patient = patient_in(&store, f.other, "OTH-1").await;
    let own_score = score_of(&store, own_patient).await;
    let other_score = score_of(&store, other_patient).await;
    let mut tokens = std::collections::HashMap::new();
    for role in Role::ALL {
        let (_, token) = tandem_server::tokens::create(
            store.as_ref(),
            &format!("{}@own.example", role.code()),
            "matrix",
        )
        .await
        .expect("token");
        tokens.insert(role, token);
    }
    let day = (app::model::today() - chrono::Days::new(1)).to_string();
    let phq9 =
        format!(r#"{{"instrument":"PHQ-9","taken_on":"{day}","items":[1,1,1,1,1,1,1,1,0]}}"#);
    let mut cells = 0;
    let mut n = 0;
    let whos = [
        Who::Anonymous,
        Who::As(Role::CareManager),
        Who::As(Role::PsychiatricConsultant),
        Who::As(Role::ClinicLead),
        Who::As(Role::Admin),
    ];
    for who in whos {
        let token = match who {
            Who::Anonymous => None,
            Who::As(role) => tokens.get(&role).map(String::as_str),
        };
        for scope in [Scope::Own, Scope::Other] {
            n += 1;
            let (clinic, patient, score) = if scope == Scope::Own {
                (f.own, own_patient, own_score)
            } else {
                (f.other, other_patient, other_score)
            };
            let p = format!("/api/v1/patients/{patient}");
            let system = format!("urn:tandem:clinic:{clinic}:mrn");
            let mrn = if scope == Scope::Own {
                "OWN-1"
            } else {
                "OTH-1"
            };
            let qr = format!(
                r#"{{"resourceType":"QuestionnaireResponse","status":"completed","questionnaire":"http://loinc.org/q/69737-5",
                "subject":{{"reference":"Patient/{patient}"}},"authored":"{day}","item":[
                {{"linkId":"69725-0","answer":[{{"valueInteger":1}}]}},{{"linkId":"68509-9","answer":[{{"valueInteger":1}}]}},
                {{"linkId":"69733-4","answer":[{{"valueInteger":1}}]}},{{"linkId":"69734-2","answer":[{{"valueInteger":1}}]}},
                {{"linkId":"69735-9","answer":[{{"valueInteger":1}}]}},{{"linkId":"69689-8","answer":[{{"valueInteger":1}}]}},
                {{"linkId":"69736-7","answer":[{{"valueInteger":1}}]}}]}}"#
            );
            let public = Expect::Allowed;
            let calls: Vec<(&str, Request<Body>, Expect)> = vec![
                (
                    "GET /api/v1/openapi.json",
                    api("GET", "/api/v1/openapi.json".into(), token, None),
                    public,
                ),
                (
                    "GET /api/v1/clinics",
                    api("GET", "/api/v1/clinics".into(), token, None),
                    any_signed_in(who),
                ),
                (
                    "POST /api/v1/clinics",
                    api(
                        "POST",
                        "/api/v1/clinics".into(),
                        token,
                        Some(format!(r#"{{"name":"API Clinic {n}"}}"#)),
                    ),
                    admin_only(who),
                ),
                (
                    "POST /api/v1/patients",
                    api(
                        "POST",
                        "/api/v1/patients".into(),
                        token,
                        Some(format!(
                            r#"{{"clinic_id":{clinic},"mrn":"NEW-{n}","given_name":"New","family_name":"Patient","birth_date":"1980-01-01","enrolled_on":"{day}"}}"#
                        )),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "GET /api/v1/patients/{id}",
                    api("GET", p.clone(), token, None),
                    chart_rule(who, scope),
                ),
                (
                    "POST measurements",
                    api(
                        "POST",
                        format!("{p}/measurements"),
                        token,
                        Some(phq9.clone()),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "POST contacts",
                    api(
                        "POST",
                        format!("{p}/contacts"),
                        token,
                        Some(format!(
                            r#"{{"occurred_on":"{day}","kind":"phone","minutes":10}}"#
                        )),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "POST events",
                    api(
                        "POST",
                        format!("{p}/events"),
                        token,
                        Some(format!(
                            r#"{{"kind":"hospital","discharged_at":"{day}T08:00"}}"#
                        )),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "POST treatment-changes",
                    api(
                        "POST",
                        format!("{p}/treatment-changes"),
                        token,
                        Some(format!(
                            r#"{{"changed_on":"{day}","description":"Dose up"}}"#
                        )),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "POST discuss",
                    api(
                        "POST",
                        format!("{p}/discuss"),
                        token,
                        Some(r#"{"reason":"Not improving"}"#.to_owned()),
                    ),
                    // Planning the review: care managers and consultants of the clinic.
                    list_patients_rule(who, scope),
                ),
                (
                    "POST reviews",
                    api(
                        "POST",
                        format!("{p}/reviews"),
                        token,
                        Some(format!(r#"{{"reviewed_on":"{day}","kind":"continue"}}"#)),
                    ),
                    consultant_rule(who, scope),
                ),
                (
                    "POST status",
                    api(
                        "POST",
                        format!("{p}/status"),
                        token,
                        Some(format!(
                            r#"{{"status":"relapse_prevention","on":"{day}","reason":"improved"}}"#
                        )),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "GET review-list",
                    api(
                        "GET",
                        format!("/api/v1/clinics/{clinic}/review-list"),
                        token,
                        None,
                    ),
                    list_patients_rule(who, scope),
                ),
                (
                    "GET billing",
                    api(
                        "GET",
                        format!("/api/v1/clinics/{clinic}/billing"),
                        token,
                        None,
                    ),
                    export_rule(who, scope),
                ),
                (
                    "POST import (dry run)",
                    api(
                        "POST",
                        format!("/api/v1/clinics/{clinic}/import?dry_run=true"),
                        token,
                        Some(format!("mrn,given_name,family_name,birth_date,enrolled_on,baseline_phq9\nCSV-{n},Cee,Sv,1980-01-01,{day},9")),
                    ),
                    record_rule(who, scope),
                ),
                (
                    "GET export/measurements.csv",
                    api("GET", format!("/api/v1/clinics/{clinic}/export/measurements.csv"), token, None),
                    export_rule(who, scope),
                ),
                (
                    "GET /fhir/r4/metadata",
                    api("GET", "/fhir/r4/metadata".into(), token, None),
                    public,
                ),
                (
                    "GET /fhir/r4/Patient/{id}",
                    api("GET", format!("/fhir/r4/Patient/{patient}"), token, None),
                    export_rule(who, scope),
                ),
                (
                    "GET /fhir/r4/Patient?identifier",
                    api(
                        "GET",
                        format!("/fhir/r4/Patient?identifier={system}|{mrn}"),
                        token,
                        None,
                    ),
                    // Another clinic's identifiers match nothing (200, empty) for a role that may
                    // search at all.
                    match (who, export_rule(who, Scope::Own)) {
                        (Who::As(_), Expect::Allowed) => Expect::Allowed,
                        (_, e) => e,
                    },
                ),
                (
                    "GET /fhir/r4/Observation",
                    api(
                        "GET",
                        format!(
                            "/fhir/r4/Observation?patient={patient}&code=http://loinc.org|44261-6"
                        ),
                        token,
                        None,
                    ),
                    export_rule(who, scope),
                ),
                (
                    "GET /fhir/r4/Observation/{id}",
                    api("GET", format!("/fhir/r4/Observation/{score}"), token, None),
                    export_rule(who, scope),
                ),
                (
                    "GET /fhir/r4/QuestionnaireResponse/{id}",
                    api("GET", format!("/fhir/r4/QuestionnaireResponse/{score}"), token, None),
                    export_rule(who, scope),
                ),
                (
                    "GET /fhir/r4/QuestionnaireResponse",
                    api(
                        "GET",
                        format!("/fhir/r4/QuestionnaireResponse?patient={patient}"),
                        token,
                        None,
                    ),
                    export_rule(who, scope),
                ),
                (
                    "POST /fhir/r4/QuestionnaireResponse",
                    api(
                        "POST",
                        "/fhir/r4/QuestionnaireResponse".into(),
                        token,
                        Some(qr),
                    ),
                    record_rule(who, scope),
                ),
            ];
            for (name, req, expect) in calls {
                cells += 1;
                let got = status(&f.app, req).await;
                let ok = match expect {
                    Expect::Allowed => got.is_success(),
                    Expect::Unauthenticated => got == StatusCode::UNAUTHORIZED,
                    Expect::Denied => got == StatusCode::FORBIDDEN || got == StatusCode::NOT_FOUND,
                };
                assert!(
                    ok,
                    "{who:?} {name} ({scope:?} clinic): expected {expect:?}, got {got}"
                );
            }
        }
    }
    assert_eq!(
        cells,
        5 * 2 * 24,
        "every role × endpoint × clinic cell was checked"
    );
}

#[tokio::test]
async fn every_role_and_api_or_fhir_endpoint_is_allowed_or_denied_as_the_role_table_says_on_sqlite()
{
    let (store, _dir) = support::sqlite_store().await;
    run_api_matrix(Arc::new(store)).await;
}

#[tokio::test]
async fn every_role_and_api_or_fhir_endpoint_is_allowed_or_denied_as_the_role_table_says_on_postgres(
) {
    support::with_postgres(|store| async move { run_api_matrix(Arc::new(store)).await }).await;
}
