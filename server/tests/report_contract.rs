//! The store contract for the clinic-lead reports, on SQLite and PostgreSQL: the populations the
//! outcome and quality figures are computed from, the caseload counts and billing minutes the
//! database aggregates, and a small population whose every figure is worked out by hand.

mod support;

use app::accounts::{Email, NewUser};
use app::api::reports::load;
use app::domain::quality::DateRange;
use app::domain::{
    ContactKind, Instrument, Mrn, PersonName, Responses, TargetCondition, YearMonth,
};
use app::model::{
    ClinicId, EnrollPatient, Enrolled, Enrollment, EpisodeDetails, EpisodeStatus,
    MeasurementSource, NewContact, NewMeasurement, NewPatient, StatusChangeRequest,
};
use app::policy::Role;
use app::ports::Store;
use app::reports::{dashboard_chart, OutcomeFilter, PopulationScope};
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

async fn user(store: &dyn Store, clinic: ClinicId, email: &str, name: &str, role: Role) -> i64 {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: name.to_owned(),
            role,
            password_hash: "$argon2id$not-a-real-hash".to_owned(),
            clinics: vec![clinic],
        })
        .await
        .expect("user")
        .id
}

/// PHQ-9 answers adding up to `total` (item 9 always 0).
fn phq9(total: u8) -> Responses {
    let mut left = total;
    let items: Vec<Option<i64>> = (0..9)
        .map(|i| {
            let v = if i == 8 { 0 } else { left.min(3) };
            left -= v;
            Some(i64::from(v))
        })
        .collect();
    assert_eq!(left, 0, "a PHQ-9 total above 24 needs item 9");
    Responses::from_items(Instrument::Phq9, &items).expect("phq9")
}

async fn enroll(
    store: &dyn Store,
    clinic: ClinicId,
    mrn: &str,
    cm: i64,
    on: &str,
    targets: Vec<TargetCondition>,
) -> Enrolled {
    store
        .enroll(&Enrollment {
            patient: EnrollPatient::New(NewPatient {
                clinic_id: clinic,
                mrn: Mrn::parse(mrn).expect("mrn"),
                given_name: PersonName::parse("given name", "Sam").expect("given"),
                family_name: PersonName::parse("family name", &format!("Report{mrn}"))
                    .expect("family"),
                birth_date: date("1980-02-02"),
            }),
            enrolled_on: date(on),
            details: EpisodeDetails {
                care_manager_id: Some(cm),
                pcp: "Dr. Synthetic".to_owned(),
                targets,
                ..EpisodeDetails::default()
            },
            baselines: vec![phq9(16)],
            by_user: Some(cm),
        })
        .await
        .expect("enroll")
}

async fn score(store: &dyn Store, e: &Enrolled, on: &str, total: u8, by: i64) {
    store
        .add_measurement(&NewMeasurement {
            episode_id: e.episode_id,
            taken_on: date(on),
            responses: phq9(total),
            source: MeasurementSource::Clinician,
            entered_by: Some(by),
        })
        .await
        .expect("score");
}

async fn contact(
    store: &dyn Store,
    e: &Enrolled,
    on: &str,
    kind: ContactKind,
    minutes: u32,
    by: i64,
    cm: bool,
) {
    store
        .add_contact(&NewContact {
            episode_id: e.episode_id,
            occurred_on: date(on),
            kind,
            minutes,
            note: String::new(),
            user_id: by,
            by_care_manager: cm,
        })
        .await
        .expect("contact");
}

struct Small {
    clinic: ClinicId,
    cm: i64,
}

/// The hand-worked population (every patient's PHQ-9 baseline is 16, on the enrollment day):
///
/// | patient | enrolled   | later PHQ-9                        | contacts                                        |
/// |---------|------------|------------------------------------|-------------------------------------------------|
/// | A       | 2026-01-05 | 6 on 03-30 (wk 12), 4 on 06-22 (wk 24) | phone 30 min 01-12 (care manager); psychiatric consultation 02-10 (day 36, consultant) |
/// | B       | 2026-01-05 | 12 on 03-30 (wk 12)                 | —                                               |
/// | C       | 2026-04-06 | 10 on 05-04 (wk 4)                  | —                                               |
/// | D (other clinic) | 2026-01-05 | —                           | —                                               |
///
/// On 2026-06-30, for enrollments 2026-01-01 to 2026-06-30:
/// - mean PHQ-9 by week: wk 0 = 16 (n 3), wk 4 = 10 (n 1), wk 12 = 9 (n 2: 6 and 12), wk 24 = 4 (n 1);
/// - 2026 Q1 (A, B): at 12 ± 4 weeks 2 measured, 1 response (A: 6 ≤ 8), 0 remission; at 24 ± 4
///   weeks 1 measured (A: response and remission), B pending; 2026 Q2 (C): pending at 12 weeks;
/// - % change: A −75%, B −25%, C −37.5%; median −37.5%; 1 of 3 improved by 50% or more;
/// - caseload: 3 active with the care manager;
/// - psychiatric review within 8 weeks: A only, of 3 eligible (C was enrolled 85 days ago): 33%;
/// - time to response: at week 12, 3 followed and 1 first response: 33%;
/// - contacts: January 1 completed contact for 2 active patients (0.50), April none for 3;
/// - billing for January 2026: A 30 care-manager minutes in the first month → G2214; B 0 minutes
///   → "0 of 16 minutes for G2214; 0 of 36 minutes for 99492"; C not yet enrolled.
async fn small_population(store: &dyn Store) -> Small {
    let clinic = store
        .create_clinic("Report Clinic")
        .await
        .expect("clinic")
        .id;
    let other = store
        .create_clinic("Other Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = user(
        store,
        clinic,
        "cm@synthetic.example",
        "Casey Synthetic",
        Role::CareManager,
    )
    .await;
    let psy = user(
        store,
        clinic,
        "psy@synthetic.example",
        "Robin Synthetic",
        Role::PsychiatricConsultant,
    )
    .await;
    let cm2 = user(
        store,
        other,
        "cm2@synthetic.example",
        "Alex Synthetic",
        Role::CareManager,
    )
    .await;
    let depression = || vec![TargetCondition::Depression];
    let a = enroll(store, clinic, "A-1", cm, "2026-01-05", depression()).await;
    score(store, &a, "2026-03-30", 6, cm).await;
    score(store, &a, "2026-06-22", 4, cm).await;
    contact(store, &a, "2026-01-12", ContactKind::Phone, 30, cm, true).await;
    contact(
        store,
        &a,
        "2026-02-10",
        ContactKind::PsychiatricConsultation,
        30,
        psy,
        false,
    )
    .await;
    let b = enroll(store, clinic, "B-2", cm, "2026-01-05", depression()).await;
    score(store, &b, "2026-03-30", 12, cm).await;
    let c = enroll(
        store,
        clinic,
        "C-3",
        cm,
        "2026-04-06",
        vec![TargetCondition::Depression, TargetCondition::Anxiety],
    )
    .await;
    score(store, &c, "2026-05-04", 10, cm).await;
    let d = enroll(store, other, "D-4", cm2, "2026-01-05", depression()).await;
    score(store, &d, "2026-03-30", 2, cm2).await;
    Small { clinic, cm }
}

fn filter(s: &Small) -> OutcomeFilter {
    OutcomeFilter {
        clinic: s.clinic,
        care_manager: None,
        enrolled_from: date("2026-01-01"),
        enrolled_to: date("2026-06-30"),
        target: None,
    }
}

async fn the_dashboard_of_a_small_population_matches_the_hand_worked_figures(store: &dyn Store) {
    let s = small_population(store).await;
    let d = load::dashboard(store, &filter(&s), date("2026-06-30"))
        .await
        .expect("dashboard");
    assert_eq!((d.episodes, d.with_baseline), (3, 3));
    let weeks: Vec<(i64, usize, f64)> = d.by_week.iter().map(|w| (w.week, w.n, w.mean)).collect();
    assert_eq!(
        weeks,
        [(0, 3, 16.0), (4, 1, 10.0), (12, 2, 9.0), (24, 1, 4.0)]
    );

    let q: Vec<String> = d.quarters.iter().map(|q| q.quarter.label()).collect();
    assert_eq!(q, ["2026 Q1", "2026 Q2"]);
    let q1 = &d.quarters[0];
    assert_eq!(q1.enrolled, 2);
    assert_eq!(
        (
            q1.week12.measured,
            q1.week12.responders,
            q1.week12.remitters
        ),
        (2, 1, 0)
    );
    assert_eq!(
        (
            q1.week24.measured,
            q1.week24.responders,
            q1.week24.remitters
        ),
        (1, 1, 1)
    );
    assert_eq!(q1.week24.pending, 1);
    assert_eq!(
        (d.quarters[1].week12.measured, d.quarters[1].week12.pending),
        (0, 1)
    );

    assert_eq!(d.change.with_follow_up, 3);
    assert_eq!(d.change.median, Some(-37.5));
    let bins: Vec<(String, usize)> = d
        .change
        .bins
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| (b.label.clone(), b.count))
        .collect();
    assert_eq!(
        bins,
        [
            ("\u{2264} \u{2212}75%".to_owned(), 1),
            ("\u{2212}50% to \u{2212}25%".to_owned(), 2)
        ]
    );

    assert_eq!(d.caseload.len(), 1);
    assert_eq!(
        (
            d.caseload[0].name.as_str(),
            d.caseload[0].active,
            d.caseload[0].relapse_prevention
        ),
        ("Casey Synthetic", 3, 0)
    );
    assert_eq!(
        (d.review.eligible, d.review.reviewed, d.review.pending),
        (3, 1, 0)
    );

    let week12 = &d.time_to_response[12];
    assert_eq!(
        (week12.at_risk, week12.responded, week12.cumulative),
        (3, 1, 1)
    );
    assert!((week12.share - 1.0 / 3.0).abs() < 1e-9);

    let jan = d
        .contacts
        .iter()
        .find(|m| m.month.to_string() == "2026-01")
        .expect("jan");
    assert_eq!(
        (jan.active, jan.contacts, jan.per_patient),
        (2, 1, Some(0.5))
    );
    let apr = d
        .contacts
        .iter()
        .find(|m| m.month.to_string() == "2026-04")
        .expect("apr");
    assert_eq!((apr.active, apr.contacts), (3, 0));

    // The tables carry the same numbers.
    let review = dashboard_chart(&d, "review-within-8-weeks").expect("chart");
    assert!(
        review.summary.starts_with("1 of 3 patients"),
        "{}",
        review.summary
    );
    let quarters = dashboard_chart(&d, "response-by-quarter").expect("chart");
    assert_eq!(
        quarters.table.rows[0],
        ["2026 Q1", "2", "2", "50%", "0%", "1", "100%", "100%"]
    );
}

async fn filters_narrow_the_population(store: &dyn Store) {
    let s = small_population(store).await;
    let today = date("2026-06-30");
    let anxiety = OutcomeFilter {
        target: Some(TargetCondition::Anxiety),
        ..filter(&s)
    };
    let d = load::dashboard(store, &anxiety, today)
        .await
        .expect("dashboard");
    assert_eq!(d.episodes, 1, "only C treats anxiety");
    assert_eq!(
        d.caseload[0].active, 1,
        "the caseload counts follow the target filter"
    );

    let q2 = OutcomeFilter {
        enrolled_from: date("2026-04-01"),
        ..filter(&s)
    };
    assert_eq!(
        load::dashboard(store, &q2, today)
            .await
            .expect("q2")
            .episodes,
        1
    );

    let nobody = OutcomeFilter {
        care_manager: Some(s.cm + 1000),
        ..filter(&s)
    };
    let d = load::dashboard(store, &nobody, today).await.expect("empty");
    assert_eq!((d.episodes, d.by_week.len(), d.caseload.len()), (0, 0, 0));
}

async fn the_population_includes_discharged_episodes_still_open_in_the_period(store: &dyn Store) {
    let s = small_population(store).await;
    let episodes = store
        .report_population(&PopulationScope {
            clinic: s.clinic,
            care_manager: None,
            enrolled_from: date("2026-01-01"),
            enrolled_to: date("2026-06-30"),
            open_since: None,
        })
        .await
        .expect("population");
    let a = episodes.iter().find(|e| e.patient.mrn == "A-1").expect("A");
    store
        .change_status(&StatusChangeRequest {
            episode_id: a.data.episode_id,
            expected_version: 1,
            to: EpisodeStatus::Discharged,
            on: date("2026-06-25"),
            reason: app::domain::StatusReason::RemissionMet,
            note: String::new(),
            user_id: s.cm,
        })
        .await
        .expect("discharge");
    let scope = |since: &str| PopulationScope {
        clinic: s.clinic,
        care_manager: None,
        enrolled_from: date("2026-01-01"),
        enrolled_to: date("2026-06-30"),
        open_since: Some(date(since)),
    };
    let open_late = store
        .report_population(&scope("2026-06-26"))
        .await
        .expect("population");
    assert_eq!(open_late.len(), 2, "A was discharged before the 26th");
    let open_early = store
        .report_population(&scope("2026-06-25"))
        .await
        .expect("population");
    assert_eq!(open_early.len(), 3);
    let a = open_early
        .iter()
        .find(|e| e.patient.mrn == "A-1")
        .expect("A");
    assert_eq!(a.data.status, EpisodeStatus::Discharged);
    assert_eq!(
        a.data.scores.len(),
        3,
        "every score of the episode is loaded"
    );
    assert_eq!(a.data.psychiatric_reviews, [date("2026-02-10")]);
    let counts = store
        .caseload_counts(s.clinic, None, None)
        .await
        .expect("counts");
    assert_eq!(
        counts.iter().map(|c| c.patients).sum::<u64>(),
        2,
        "discharged is not caseload"
    );
}

async fn billing_sums_care_manager_minutes_of_the_month(store: &dyn Store) {
    let s = small_population(store).await;
    let jan = YearMonth::new(2026, 1).expect("month");
    let minutes = store.billing_minutes(s.clinic, jan).await;
    assert!(minutes.is_ok(), "{minutes:?}");
    let report = load::billing(store, s.clinic, jan).await.expect("billing");
    assert_eq!(
        (report.patients, report.billable, report.minutes),
        (2, 1, 30)
    );
    let a = report.rows.iter().find(|r| r.mrn == "A-1").expect("A");
    assert_eq!(
        (a.minutes, a.codes.as_str(), a.first_month),
        (30, "G2214", true)
    );
    assert_eq!(a.pcp, "Dr. Synthetic");
    let b = report.rows.iter().find(|r| r.mrn == "B-2").expect("B");
    assert_eq!(b.codes, "");
    assert_eq!(
        b.reason.as_deref(),
        Some("0 of 16 minutes for G2214; 0 of 36 minutes for 99492")
    );
    assert_eq!(report.totals.len(), 1);
    assert_eq!(
        (report.totals[0].code.as_str(), report.totals[0].units),
        ("G2214", 1)
    );
    // The consultant's February minutes are bundled: nothing to bill for A in February.
    let feb = load::billing(store, s.clinic, YearMonth::new(2026, 2).expect("month"))
        .await
        .expect("billing");
    let a = feb.rows.iter().find(|r| r.mrn == "A-1").expect("A");
    assert_eq!((a.minutes, a.first_month), (0, false));
}

async fn quality_measures_read_the_clinic_population(store: &dyn Store) {
    let s = small_population(store).await;
    let period = DateRange::new(date("2026-01-01"), date("2026-12-31")).expect("range");
    let (measures, population) = load::quality(store, s.clinic, period, date("2026-11-23"))
        .await
        .expect("quality");
    assert_eq!(
        population.len(),
        3,
        "the other clinic's patient is not read"
    );
    let drr = measures
        .iter()
        .find(|m| m.id == "DRR-E-1")
        .expect("follow-up");
    // Indexes: A and B on 2026-01-05, C on 2026-04-06; follow-up window days 120–240. A has a
    // PHQ-9 on day 168 (06-22); B has none in its window, closed on 09-02; C's window runs to
    // 12-02, so C is pending on 11-23.
    assert_eq!(drr.denominator.len(), 2);
    assert_eq!(drr.numerator.len(), 1);
    assert_eq!(drr.pending.len(), 1);
    assert_eq!(drr.rate, Some(0.5));
    let utilization: Vec<&str> = measures
        .iter()
        .filter(|m| m.id.starts_with("DMS-E"))
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(
        utilization,
        ["DMS-E-2026-01", "DMS-E-2026-05", "DMS-E-2026-09"]
    );
    assert!(store
        .measure_exclusions(s.clinic)
        .await
        .expect("exclusions")
        .is_empty());
}

async fn the_packed_outcome_episodes_match_the_population_row_by_row(store: &dyn Store) {
    let s = small_population(store).await;
    let scope = PopulationScope {
        clinic: s.clinic,
        care_manager: None,
        enrolled_from: date("2026-01-01"),
        enrolled_to: date("2026-06-30"),
        open_since: None,
    };
    let mut full: Vec<app::domain::EpisodeData> = store
        .report_population(&scope)
        .await
        .expect("population")
        .into_iter()
        .map(|c| c.data)
        .collect();
    let mut packed = store.outcome_episodes(&scope).await.expect("packed");
    full.sort_by_key(|e| e.episode_id);
    packed.sort_by_key(|e| e.episode_id);
    assert_eq!(packed.len(), 3);
    assert_eq!(
        packed, full,
        "the same episodes, scores, contacts and reviews"
    );
    let a = packed.iter().find(|e| e.scores.len() == 3).expect("A");
    assert_eq!(a.contacts.len(), 2);
    assert_eq!(a.psychiatric_reviews, [date("2026-02-10")]);
    assert_eq!(a.targets, [TargetCondition::Depression]);
}

contract_tests!(
    the_packed_outcome_episodes_match_the_population_row_by_row,
    the_dashboard_of_a_small_population_matches_the_hand_worked_figures,
    filters_narrow_the_population,
    the_population_includes_discharged_episodes_still_open_in_the_period,
    billing_sums_care_manager_minutes_of_the_month,
    quality_measures_read_the_clinic_population,
);
