//! The clinic lead's reports over HTTP: the numbers of a small, hand-worked population on the
//! rendered pages and in the CSV downloads, bad filters refused with 400, and every report and
//! export in the audit log.

mod support;

use std::sync::Arc;

use app::accounts::{Email, NewUser};
use app::api::admin::SaveClinicSettings;
use app::domain::{Instrument, Mrn, PersonName, Responses, TargetCondition};
use app::model::{
    ClinicId, EnrollPatient, Enrollment, EpisodeDetails, MeasurementSource, NewContact,
    NewMeasurement, NewPatient,
};
use app::policy::Role;
use app::ports::SharedStore;
use axum::http::StatusCode;
use axum::Router;
use chrono::{Days, NaiveDate};
use leptos::server_fn::ServerFn;
use support::web::{app_for, body_text, form_post, get_with, sign_in_cookie};
use tower::ServiceExt;

const PASSWORD: &str = "synthetic pass phrase";

async fn staff(store: &SharedStore, email: &str, name: &str, role: Role, clinic: ClinicId) -> i64 {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: name.to_owned(),
            role,
            clinics: vec![clinic],
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
        })
        .await
        .expect("user")
        .id
}

fn phq9(total: u8) -> Responses {
    let mut left = total;
    let items: Vec<Option<i64>> = (0..9)
        .map(|i| {
            let v = if i == 8 { 0 } else { left.min(3) };
            left -= v;
            Some(i64::from(v))
        })
        .collect();
    Responses::from_items(Instrument::Phq9, &items).expect("phq9")
}

struct World {
    app: Router,
    store: SharedStore,
    cookie: String,
    clinic: ClinicId,
    _dir: tempfile::TempDir,
}

/// Two patients enrolled 91 days (13 weeks) ago with a PHQ-9 of 16, scored again 7 days ago (week
/// 12): A at 6 (a response), B at 12. So the mean is 16.0 at week 0 and 9.0 at week 12, both
/// with n = 2; 1 of 2 responded by week 12 (50%); 2 open patients with one care manager.
async fn world() -> World {
    let (store, dir) = support::sqlite_store().await;
    let store: SharedStore = Arc::new(store);
    let clinic = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = staff(
        &store,
        "cm@synthetic.example",
        "Casey Synthetic",
        Role::CareManager,
        clinic,
    )
    .await;
    staff(
        &store,
        "lead@synthetic.example",
        "Lee Synthetic",
        Role::ClinicLead,
        clinic,
    )
    .await;
    store
        .create_user(&NewUser {
            email: Email::parse("admin@synthetic.example").expect("email"),
            display_name: "Alex Synthetic".to_owned(),
            role: Role::Admin,
            clinics: vec![],
            password_hash: tandem_server::password::hash(PASSWORD).expect("hash"),
        })
        .await
        .expect("admin");
    let today = app::model::today();
    let enrolled = today - Days::new(91);
    for (mrn, later) in [("A-1", 6), ("B-2", 12)] {
        let e = store
            .enroll(&Enrollment {
                patient: EnrollPatient::New(NewPatient {
                    clinic_id: clinic,
                    mrn: Mrn::parse(mrn).expect("mrn"),
                    given_name: PersonName::parse("given name", "Sam").expect("given"),
                    family_name: PersonName::parse("family name", &format!("Lead{mrn}"))
                        .expect("family"),
                    birth_date: NaiveDate::from_ymd_opt(1980, 2, 2).expect("date"),
                }),
                enrolled_on: enrolled,
                details: EpisodeDetails {
                    care_manager_id: Some(cm),
                    targets: vec![TargetCondition::Depression],
                    ..EpisodeDetails::default()
                },
                baselines: vec![phq9(16)],
                by_user: Some(cm),
            })
            .await
            .expect("enroll");
        store
            .add_measurement(&NewMeasurement {
                episode_id: e.episode_id,
                taken_on: today - Days::new(7),
                responses: phq9(later),
                source: MeasurementSource::Clinician,
                entered_by: Some(cm),
            })
            .await
            .expect("score");
        if mrn == "A-1" {
            store
                .add_contact(&NewContact {
                    episode_id: e.episode_id,
                    occurred_on: today,
                    kind: app::domain::ContactKind::Video,
                    minutes: 40,
                    note: String::new(),
                    user_id: cm,
                    by_care_manager: true,
                })
                .await
                .expect("contact");
        }
    }
    let app = app_for(store.clone());
    let cookie = sign_in_cookie(&app, "lead@synthetic.example", PASSWORD).await;
    World {
        app,
        store,
        cookie,
        clinic,
        _dir: dir,
    }
}

async fn get(w: &World, uri: &str) -> (StatusCode, String) {
    let res = w
        .app
        .clone()
        .oneshot(get_with(uri, &w.cookie))
        .await
        .expect("response");
    let status = res.status();
    (status, body_text(res).await)
}

#[tokio::test]
async fn the_dashboard_page_shows_the_hand_worked_numbers_and_its_csv_agrees() {
    let w = world().await;
    let c = w.clinic.0;
    let (status, page) = get(&w, &format!("/reports/outcomes?clinic={c}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        "Mean PHQ-9 16.0 at week 0 (n = 2) and 9.0 at week 12 (n = 2)",
        "2 open patients across 1 caseloads",
        "role=\"img\"",
        "Show data",
        "Download CSV",
    ] {
        assert!(page.contains(expected), "missing {expected:?}");
    }
    let (status, csv) = get(
        &w,
        &format!("/reports/outcomes.csv?chart=mean-by-week&clinic={c}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "Week,Patients,Mean PHQ-9,95% CI low,95% CI high,Q1,Median,Q3"
    );
    assert!(lines[1].starts_with("0,2,16.0,"), "{csv}");
    assert!(lines[2].starts_with("12,2,9.0,"), "{csv}");

    let (status, home) = get(&w, &format!("/reports?clinic={c}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("50% of 2"),
        "response rate on the home: {home}"
    );

    let (status, billing) = get(&w, &format!("/reports/billing.csv?clinic={c}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(billing.starts_with("Patient,MRN,Month"), "{billing}");

    let audit = w
        .store
        .list_audit(&app::audit::AuditQuery {
            user_id: None,
            entity_type: None,
            entity_id: None,
            from: None,
            to: None,
            limit: 1000,
        })
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for action in [
        "outcomes.view",
        "outcomes.export_csv",
        "reports.home",
        "billing.export_csv",
    ] {
        assert!(
            actions.contains(&action),
            "{action} not audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn bad_report_input_is_refused_with_400() {
    let w = world().await;
    let c = w.clinic.0;
    for uri in [
        format!("/reports/outcomes.csv?chart=pie&clinic={c}"),
        format!("/reports/outcomes.csv?chart=caseload&clinic={c}&from=2026-02-30"),
        format!("/reports/outcomes.csv?chart=caseload&clinic={c}&from=2026-06-01&to=2026-01-01"),
        format!("/reports/billing.csv?clinic={c}&month=2026-13"),
        format!("/reports/billing.csv?clinic={c}&month=9999-01"),
        format!("/reports/quality.csv?clinic={c}&year=1999"),
        format!("/reports/quality.csv?clinic={c}&measure=DRR-E-1&list=everyone"),
        "/reports/billing.csv?clinic=x".to_owned(),
    ] {
        let (status, body) = get(&w, &uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(!body.is_empty(), "{uri}: the refusal says why");
    }
    let (status, _) = get(
        &w,
        &format!("/reports/quality.csv?clinic={c}&measure=NOPE&list=numerator"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_clinic_billing_settings_map_the_codes_of_the_billing_report() {
    let w = world().await;
    let c = w.clinic.0;
    let month = app::domain::YearMonth::of(app::model::today());
    let uri = format!("/reports/billing.csv?clinic={c}&month={month}");
    // A: 40 care-manager minutes this month, a subsequent month: 99493.
    let (_, before) = get(&w, &uri).await;
    assert!(before.contains(",40,99493,"), "{before}");

    let admin = sign_in_cookie(&w.app, "admin@synthetic.example", PASSWORD).await;
    let settings = "settings[target_caseload]=80&settings[review_weekday]=3\
&settings[billing][g2214]=false&settings[billing][apcm]=true&settings[flag_rules][item9_threshold]=1\
&settings[flag_rules][not_improving_weeks]=10&settings[flag_rules][worsening_points]=5\
&settings[flag_rules][no_consult_after_days]=0&settings[flag_rules][early_phase_weeks]=12\
&settings[flag_rules][contact_limit_early_days]=14&settings[flag_rules][contact_limit_later_days]=30\
&settings[flag_rules][contact_limit_relapse_prevention_days]=30\
&settings[flag_rules][post_discharge_target_hours]=72&settings[flag_rules][post_discharge_clear_days]=30\
&settings[flag_rules][review_kinds][]=safety";
    let res = w
        .app
        .clone()
        .oneshot(form_post(
            SaveClinicSettings::PATH,
            format!("id={c}&{settings}"),
            Some(&admin),
        ))
        .await
        .expect("response");
    assert!(res.status().is_success(), "{}", body_text(res).await);
    let saved = w.store.clinic_settings(w.clinic).await.expect("settings");
    assert!(saved.billing.apcm && !saved.billing.g2214);

    let (_, after) = get(&w, &uri).await;
    assert!(
        after.contains(",40,G0569,"),
        "APCM reports 99493 as G0569: {after}"
    );
    assert!(
        after.contains("0 of 31 minutes for G0569"),
        "B's shortfall names the reported code, with no G2214: {after}"
    );
}
