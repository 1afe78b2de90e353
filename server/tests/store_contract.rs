//! The store contract: every test here runs against SQLite and against PostgreSQL
//! (`sqlite::name` and `postgres::name`), so both backends behave the same.

mod support;

use app::accounts::{Email, NewApiToken, NewSession, NewUser};
use app::audit::{AuditEntry, AuditOutcome, AuditQuery};
use app::domain::TargetCondition;
use app::domain::{Instrument, Mrn, PersonName, Responses};
use app::model::{
    ClinicId, EnrollPatient, Enrollment, Episode, EpisodeDetails, EpisodeId, EpisodeStatus,
    ImportedEnrollment, MeasurementSource, NewEpisode, NewMeasurement, NewPatient, PatientQuery,
};
use app::policy::Role;
use app::ports::{Store, StoreError};
use app::settings::ClinicSettings;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn new_patient(clinic: ClinicId, mrn: &str, given: &str, family: &str) -> NewPatient {
    NewPatient {
        clinic_id: clinic,
        mrn: Mrn::parse(mrn).expect("mrn"),
        given_name: PersonName::parse("given name", given).expect("given"),
        family_name: PersonName::parse("family name", family).expect("family"),
        birth_date: date("1970-01-15"),
    }
}

fn phq9(items: [i64; 9]) -> Responses {
    let answers: Vec<Option<i64>> = items.iter().copied().map(Some).collect();
    Responses::from_items(Instrument::Phq9, &answers).expect("valid PHQ-9")
}

fn measurement(episode: EpisodeId, on: &str, responses: Responses) -> NewMeasurement {
    NewMeasurement {
        episode_id: episode,
        taken_on: date(on),
        responses,
        source: MeasurementSource::Clinician,
        entered_by: None,
    }
}

async fn clinic(store: &dyn Store, name: &str) -> ClinicId {
    store.create_clinic(name).await.expect("clinic").id
}

/// A patient of a new clinic with one open episode enrolled on `on`.
async fn enrolled_patient(store: &dyn Store, on: &str) -> Episode {
    let c = clinic(store, "Oak Street Clinic").await;
    let p = store
        .create_patient(&new_patient(c, "1", "Ann", "Test"))
        .await
        .expect("patient");
    store
        .open_episode(&NewEpisode {
            patient_id: p.id,
            enrolled_on: date(on),
        })
        .await
        .expect("episode")
}

async fn a_healthy_store_answers_ping(store: &dyn Store) {
    store.ping().await.expect("ping");
}

async fn a_new_registry_has_no_patients(store: &dyn Store) {
    let page = store
        .list_patients(&PatientQuery::default())
        .await
        .expect("list");
    assert_eq!(page.total, 0);
    assert!(page.rows.is_empty());
}

async fn clinics_are_listed_by_name(store: &dyn Store) {
    clinic(store, "Riverside Family Medicine").await;
    clinic(store, "Oak Street Clinic").await;
    let names: Vec<String> = store
        .list_clinics()
        .await
        .expect("clinics")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Oak Street Clinic", "Riverside Family Medicine"]);
}

async fn a_duplicate_clinic_name_is_a_conflict(store: &dyn Store) {
    clinic(store, "Oak Street Clinic").await;
    let err = store
        .create_clinic("Oak Street Clinic")
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn a_blank_clinic_name_is_refused(store: &dyn Store) {
    let err = store
        .create_clinic("   ")
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(store.list_clinics().await.expect("clinics").is_empty());
}

async fn a_patient_reads_back_exactly_as_enrolled(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    let mut input = new_patient(c, "SYN-0001", "Zoë", "Ñúñez-Test");
    input.birth_date = date("1952-02-29");
    let created = store.create_patient(&input).await.expect("create");
    let read = store
        .get_patient(created.id)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(read, created);
    assert_eq!(read.given_name, "Zoë");
    assert_eq!(read.family_name, "Ñúñez-Test");
    assert_eq!(read.mrn, "SYN-0001");
    assert_eq!(read.birth_date, date("1952-02-29"));
    assert_eq!(read.clinic_id, c);
}

async fn a_missing_patient_reads_as_none(store: &dyn Store) {
    let missing = store
        .get_patient(app::model::PatientId(987_654))
        .await
        .expect("get");
    assert_eq!(missing, None);
}

async fn an_mrn_is_unique_within_a_clinic(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    store
        .create_patient(&new_patient(c, "SYN-1", "Ann", "Test"))
        .await
        .expect("first");
    let err = store
        .create_patient(&new_patient(c, "SYN-1", "Bea", "Other"))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        store
            .list_patients(&PatientQuery::default())
            .await
            .expect("list")
            .total,
        1
    );
}

async fn the_same_mrn_may_be_used_in_another_clinic(store: &dyn Store) {
    let a = clinic(store, "Clinic A").await;
    let b = clinic(store, "Clinic B").await;
    store
        .create_patient(&new_patient(a, "SYN-1", "Ann", "Test"))
        .await
        .expect("a");
    store
        .create_patient(&new_patient(b, "SYN-1", "Ann", "Test"))
        .await
        .expect("b");
}

async fn a_patient_of_a_missing_clinic_is_refused(store: &dyn Store) {
    let err = store
        .create_patient(&new_patient(ClinicId(424_242), "SYN-1", "Ann", "Test"))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
}

async fn the_patient_list_is_ordered_by_family_then_given_name(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    for (mrn, given, family) in [
        ("1", "Cara", "Baker"),
        ("2", "Abe", "Young"),
        ("3", "Abe", "Baker"),
        ("4", "Dee", "Adams"),
    ] {
        store
            .create_patient(&new_patient(c, mrn, given, family))
            .await
            .expect("create");
    }
    let page = store
        .list_patients(&PatientQuery::default())
        .await
        .expect("list");
    let names: Vec<String> = page
        .rows
        .iter()
        .map(|r| format!("{} {}", r.given_name, r.family_name))
        .collect();
    assert_eq!(names, ["Dee Adams", "Abe Baker", "Cara Baker", "Abe Young"]);
    assert!(page
        .rows
        .iter()
        .all(|r| r.clinic_name == "Oak Street Clinic"));
}

async fn the_patient_list_is_paginated_with_a_total(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    for i in 0..7 {
        store
            .create_patient(&new_patient(
                c,
                &format!("M{i}"),
                "Pat",
                &format!("Test{i}"),
            ))
            .await
            .expect("create");
    }
    let query = |offset| PatientQuery {
        clinic_id: None,
        limit: 3,
        offset,
    };
    let first = store.list_patients(&query(0)).await.expect("page 1");
    let third = store.list_patients(&query(6)).await.expect("page 3");
    let beyond = store.list_patients(&query(30)).await.expect("beyond");
    assert_eq!(first.total, 7);
    assert_eq!(first.rows.len(), 3);
    assert_eq!(first.rows[0].family_name, "Test0");
    assert_eq!(third.rows.len(), 1);
    assert_eq!(third.rows[0].family_name, "Test6");
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, 7);
}

async fn a_page_size_over_the_maximum_is_capped(store: &dyn Store) {
    let page = store
        .list_patients(&PatientQuery {
            clinic_id: None,
            limit: 1_000_000,
            offset: 0,
        })
        .await
        .expect("list");
    assert_eq!(page.limit, PatientQuery::MAX_LIMIT);
}

async fn the_patient_list_filters_by_clinic(store: &dyn Store) {
    let a = clinic(store, "Clinic A").await;
    let b = clinic(store, "Clinic B").await;
    store
        .create_patient(&new_patient(a, "1", "Ann", "Alpha"))
        .await
        .expect("a");
    store
        .create_patient(&new_patient(b, "2", "Bob", "Beta"))
        .await
        .expect("b");
    let only_b = store
        .list_patients(&PatientQuery {
            clinic_id: Some(b),
            ..PatientQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(only_b.total, 1);
    assert_eq!(only_b.rows[0].family_name, "Beta");
    assert_eq!(only_b.rows[0].clinic_name, "Clinic B");
}

async fn the_patient_list_shows_the_current_episode_and_its_latest_phq9(store: &dyn Store) {
    let e = enrolled_patient(store, "2026-01-05").await;
    // Entered out of order: the latest by date is the 2026-03-02 score of 9, not the last entered.
    for (on, items) in [
        ("2026-01-05", [2, 2, 2, 2, 2, 2, 2, 2, 0]),
        ("2026-03-02", [1, 1, 1, 1, 1, 1, 1, 1, 1]),
        ("2026-02-02", [2, 2, 2, 1, 1, 1, 1, 1, 0]),
    ] {
        store
            .add_measurement(&measurement(e.id, on, phq9(items)))
            .await
            .expect("measurement");
    }
    // A later GAD-7 is not a PHQ-9 and must not show as one.
    let gad7 = Responses::from_items(Instrument::Gad7, &[Some(3); 7]).expect("gad7");
    store
        .add_measurement(&measurement(e.id, "2026-03-09", gad7))
        .await
        .expect("gad7");
    let row = store
        .list_patients(&PatientQuery::default())
        .await
        .expect("list")
        .rows
        .remove(0);
    assert_eq!(row.status, Some(EpisodeStatus::Active));
    assert_eq!(row.enrolled_on, Some(date("2026-01-05")));
    assert_eq!(row.latest_phq9, Some(9));
    assert_eq!(row.latest_phq9_on, Some(date("2026-03-02")));
}

async fn a_patient_without_an_episode_lists_as_not_enrolled(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    store
        .create_patient(&new_patient(c, "1", "Ann", "Test"))
        .await
        .expect("patient");
    let row = store
        .list_patients(&PatientQuery::default())
        .await
        .expect("list")
        .rows
        .remove(0);
    assert_eq!(row.status, None);
    assert_eq!(row.latest_phq9, None);
}

async fn a_patient_has_at_most_one_open_episode(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    let p = store
        .create_patient(&new_patient(c, "1", "Ann", "Test"))
        .await
        .expect("patient");
    let enroll = |on| NewEpisode {
        patient_id: p.id,
        enrolled_on: date(on),
    };
    store
        .open_episode(&enroll("2026-01-05"))
        .await
        .expect("first");
    let err = store
        .open_episode(&enroll("2026-02-05"))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn re_enrolling_after_discharge_opens_a_new_episode(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    let p = store
        .create_patient(&new_patient(c, "1", "Ann", "Test"))
        .await
        .expect("patient");
    let first = store
        .open_episode(&NewEpisode {
            patient_id: p.id,
            enrolled_on: date("2025-03-01"),
        })
        .await
        .expect("first");
    store
        .add_measurement(&measurement(first.id, "2025-03-01", phq9([3; 9])))
        .await
        .expect("old score");
    let discharged = store
        .discharge_episode(first.id, date("2025-09-01"))
        .await
        .expect("discharge");
    assert_eq!(discharged.status, EpisodeStatus::Discharged);
    assert_eq!(discharged.discharged_on, Some(date("2025-09-01")));
    let second = store
        .open_episode(&NewEpisode {
            patient_id: p.id,
            enrolled_on: date("2026-02-01"),
        })
        .await
        .expect("second");
    let episodes = store.episodes_for_patient(p.id).await.expect("episodes");
    assert_eq!(
        episodes.iter().map(|e| e.id).collect::<Vec<_>>(),
        [second.id, first.id]
    );
    // The list shows the new episode, whose PHQ-9 history starts empty.
    let row = store
        .list_patients(&PatientQuery::default())
        .await
        .expect("list")
        .rows
        .remove(0);
    assert_eq!(row.status, Some(EpisodeStatus::Active));
    assert_eq!(row.enrolled_on, Some(date("2026-02-01")));
    assert_eq!(row.latest_phq9, None);
}

async fn a_discharge_before_enrollment_is_refused(store: &dyn Store) {
    let e = enrolled_patient(store, "2026-03-01").await;
    let err = store
        .discharge_episode(e.id, date("2026-02-28"))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    store
        .discharge_episode(e.id, date("2026-03-01"))
        .await
        .expect("same-day discharge");
    let again = store
        .discharge_episode(e.id, date("2026-03-02"))
        .await
        .expect_err("must be refused");
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
}

async fn measurements_keep_their_items_totals_and_source(store: &dyn Store) {
    let e = enrolled_patient(store, "2026-01-05").await;
    let items = phq9([0, 1, 2, 3, 0, 1, 2, 3, 1]);
    let saved = store
        .add_measurement(&measurement(e.id, "2026-01-05", items.clone()))
        .await
        .expect("items");
    let mut historical = measurement(
        e.id,
        "2026-01-12",
        Responses::total_only(Instrument::Phq9, 17).expect("total only"),
    );
    historical.source = MeasurementSource::Import;
    store
        .add_measurement(&historical)
        .await
        .expect("historical");
    let all = store.measurements_for_episode(e.id).await.expect("read");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], saved);
    assert_eq!(all[0].responses, items);
    assert_eq!(all[0].responses.total(), 13);
    assert_eq!(
        all[0].responses.items(),
        Some(&[0, 1, 2, 3, 0, 1, 2, 3, 1][..])
    );
    assert!(all[1].responses.is_total_only());
    assert_eq!(all[1].responses.total(), 17);
    assert_eq!(all[1].source, MeasurementSource::Import);
    assert_eq!(all[1].instrument(), Instrument::Phq9);
}

async fn measurements_are_in_date_order_with_ties_in_entry_order(store: &dyn Store) {
    let e = enrolled_patient(store, "2026-01-05").await;
    let totals = [("2026-02-01", 5), ("2026-01-05", 20), ("2026-02-01", 7)];
    for (on, total) in totals {
        store
            .add_measurement(&measurement(
                e.id,
                on,
                Responses::total_only(Instrument::Phq9, total).expect("total"),
            ))
            .await
            .expect("add");
    }
    let order: Vec<u8> = store
        .measurements_for_episode(e.id)
        .await
        .expect("read")
        .iter()
        .map(|m| m.responses.total())
        .collect();
    assert_eq!(order, [20, 5, 7]);
}

async fn a_measurement_outside_its_episode_is_refused(store: &dyn Store) {
    let e = enrolled_patient(store, "2026-01-05").await;
    let before = store
        .add_measurement(&measurement(e.id, "2026-01-04", phq9([1; 9])))
        .await
        .expect_err("must be refused");
    assert!(matches!(before, StoreError::Invalid(_)), "{before:?}");
    store
        .discharge_episode(e.id, date("2026-04-01"))
        .await
        .expect("discharge");
    let after = store
        .add_measurement(&measurement(e.id, "2026-04-02", phq9([1; 9])))
        .await
        .expect_err("must be refused");
    assert!(matches!(after, StoreError::Invalid(_)), "{after:?}");
    assert!(store
        .measurements_for_episode(e.id)
        .await
        .expect("read")
        .is_empty());
}

async fn a_measurement_for_a_missing_episode_is_not_found(store: &dyn Store) {
    let err = store
        .add_measurement(&measurement(EpisodeId(999_999), "2026-01-05", phq9([0; 9])))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::NotFound("episode")), "{err:?}");
}

fn new_user(email: &str, role: Role, clinics: Vec<ClinicId>) -> NewUser {
    NewUser {
        email: Email::parse(email).expect("email"),
        display_name: "Synthetic User".to_owned(),
        role,
        clinics,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".to_owned(),
    }
}

async fn a_new_registry_has_no_users(store: &dyn Store) {
    assert_eq!(store.count_users().await.expect("count"), 0);
}

async fn a_user_reads_back_with_role_clinics_and_hash(store: &dyn Store) {
    let a = clinic(store, "Clinic A").await;
    let b = clinic(store, "Clinic B").await;
    let created = store
        .create_user(&new_user(
            "CM@Clinic.Example",
            Role::CareManager,
            vec![b, a, b],
        ))
        .await
        .expect("create");
    assert_eq!(created.email, "cm@clinic.example");
    assert_eq!(created.clinics, vec![a, b]);
    assert!(created.active);
    let (found, hash) = store
        .find_user_by_email(&Email::parse("cm@CLINIC.example").expect("email"))
        .await
        .expect("find")
        .expect("present");
    assert_eq!(found, created);
    assert!(hash.starts_with("$argon2id$"));
    assert_eq!(
        store.get_user(created.id).await.expect("get"),
        Some(created)
    );
    assert_eq!(store.count_users().await.expect("count"), 1);
}

async fn an_email_is_unique_whatever_its_case(store: &dyn Store) {
    store
        .create_user(&new_user("lead@clinic.example", Role::ClinicLead, vec![]))
        .await
        .expect("first");
    let err = store
        .create_user(&new_user("LEAD@clinic.example", Role::Admin, vec![]))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn a_user_in_a_missing_clinic_is_not_created(store: &dyn Store) {
    let err = store
        .create_user(&new_user(
            "cm@clinic.example",
            Role::CareManager,
            vec![ClinicId(999)],
        ))
        .await
        .expect_err("must be refused");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(
        store.count_users().await.expect("count"),
        0,
        "all or nothing"
    );
}

async fn a_password_can_be_reset_and_a_user_deactivated(store: &dyn Store) {
    let user = store
        .create_user(&new_user("cm@clinic.example", Role::CareManager, vec![]))
        .await
        .expect("create");
    store
        .set_password_hash(user.id, "$argon2id$v=19$new")
        .await
        .expect("reset");
    store
        .set_user_active(user.id, false)
        .await
        .expect("deactivate");
    let (found, hash) = store
        .find_user_by_email(&Email::parse("cm@clinic.example").expect("email"))
        .await
        .expect("find")
        .expect("present");
    assert_eq!(hash, "$argon2id$v=19$new");
    assert!(!found.active);
    let missing = store
        .set_user_active(424_242, false)
        .await
        .expect_err("must be refused");
    assert!(
        matches!(missing, StoreError::NotFound("user")),
        "{missing:?}"
    );
}

async fn api_tokens_are_found_by_hash_listed_touched_and_revoked(store: &dyn Store) {
    let c = clinic(store, "Token Clinic").await;
    let user = store
        .create_user(&new_user("api@clinic.example", Role::CareManager, vec![c]))
        .await
        .expect("user");
    let made = chrono::DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
        .expect("instant")
        .with_timezone(&chrono::Utc);
    let hash = "a".repeat(64);
    let token = store
        .create_api_token(&NewApiToken {
            user_id: user.id,
            name: "EHR interface".to_owned(),
            token_hash: hash.clone(),
            prefix: "0123abcd".to_owned(),
            created_at: made,
        })
        .await
        .expect("token");
    assert_eq!(token.user_email, "api@clinic.example");
    assert_eq!(token.name, "EHR interface");
    assert_eq!(token.created_at, made);
    assert_eq!((token.last_used_at, token.revoked_at), (None, None));
    let (found, found_user) = store
        .api_token_by_hash(&hash)
        .await
        .expect("lookup")
        .expect("present");
    assert_eq!(found, token);
    assert_eq!(found_user.id, user.id);
    assert_eq!(found_user.clinics, vec![c]);
    assert!(store
        .api_token_by_hash(&"b".repeat(64))
        .await
        .expect("lookup")
        .is_none());
    let duplicate = store
        .create_api_token(&NewApiToken {
            user_id: user.id,
            name: "again".to_owned(),
            token_hash: hash.clone(),
            prefix: "0123abcd".to_owned(),
            created_at: made,
        })
        .await
        .expect_err("same hash");
    assert!(
        matches!(duplicate, StoreError::Conflict(_)),
        "{duplicate:?}"
    );
    let used = made + chrono::Duration::minutes(5);
    store.touch_api_token(token.id, used).await.expect("touch");
    let revoked_at = made + chrono::Duration::hours(1);
    let revoked = store
        .revoke_api_token(token.id, revoked_at)
        .await
        .expect("revoke");
    assert_eq!(revoked.last_used_at, Some(used));
    assert_eq!(revoked.revoked_at, Some(revoked_at));
    // Revoking again keeps the first time.
    let again = store
        .revoke_api_token(token.id, revoked_at + chrono::Duration::hours(1))
        .await
        .expect("revoke again");
    assert_eq!(again.revoked_at, Some(revoked_at));
    assert_eq!(store.list_api_tokens().await.expect("list"), vec![again]);
    let missing = store
        .revoke_api_token(424_242, revoked_at)
        .await
        .expect_err("no such token");
    assert!(
        matches!(missing, StoreError::NotFound("token")),
        "{missing:?}"
    );
}

fn imported(
    clinic: ClinicId,
    mrn: &str,
    on: &str,
    scores: Vec<(&str, Responses)>,
) -> ImportedEnrollment {
    ImportedEnrollment {
        enrollment: Enrollment {
            patient: EnrollPatient::New(new_patient(clinic, mrn, "Ima", "Import")),
            enrolled_on: date(on),
            details: EpisodeDetails {
                targets: vec![TargetCondition::Depression],
                ..EpisodeDetails::default()
            },
            baselines: vec![],
            by_user: None,
        },
        measurements: scores.into_iter().map(|(d, r)| (date(d), r)).collect(),
    }
}

async fn an_import_stores_every_patient_or_none(store: &dyn Store) {
    let c = clinic(store, "Import Clinic").await;
    let total_only = Responses::total_only(Instrument::Phq9, 12).expect("total");
    let done = store
        .import_enrollments(&[
            imported(
                c,
                "I-1",
                "2026-01-05",
                vec![
                    ("2026-01-05", phq9([2, 2, 2, 2, 2, 2, 2, 0, 0])),
                    ("2026-02-05", total_only.clone()),
                ],
            ),
            imported(c, "I-2", "2026-01-06", vec![]),
        ])
        .await
        .expect("import");
    assert_eq!(done.len(), 2);
    let mut mrns = store.clinic_mrns(c).await.expect("mrns");
    mrns.sort();
    assert_eq!(mrns, vec!["I-1", "I-2"]);
    let records = store.clinic_records(c).await.expect("records");
    assert_eq!(records.patients.len(), 2);
    assert_eq!(records.episodes.len(), 2);
    let totals: Vec<(u8, MeasurementSource, bool)> = records
        .measurements
        .iter()
        .map(|m| (m.responses.total(), m.source, m.responses.is_total_only()))
        .collect();
    assert_eq!(
        totals,
        vec![
            (14, MeasurementSource::Import, false),
            (12, MeasurementSource::Import, true)
        ]
    );
    // A later patient whose score falls outside the episode undoes the whole file.
    let refused = store
        .import_enrollments(&[
            imported(c, "I-3", "2026-01-05", vec![]),
            imported(
                c,
                "I-4",
                "2026-03-01",
                vec![("2026-02-01", total_only.clone())],
            ),
        ])
        .await
        .expect_err("score before enrollment");
    assert!(matches!(refused, StoreError::Invalid(_)), "{refused:?}");
    let taken = store
        .import_enrollments(&[
            imported(c, "I-5", "2026-01-05", vec![]),
            imported(c, "I-1", "2026-01-05", vec![]),
        ])
        .await
        .expect_err("taken MRN");
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken:?}");
    assert_eq!(store.clinic_mrns(c).await.expect("mrns").len(), 2);
    assert_eq!(store.clinic_records(c).await.expect("records"), records);
}

fn audit(user: Option<i64>, action: &str, entity: Option<(&str, i64)>) -> AuditEntry {
    AuditEntry {
        user_id: user,
        action: action.to_owned(),
        entity_type: entity.map(|(t, _)| t.to_owned()),
        entity_id: entity.map(|(_, id)| id),
        ip: Some("127.0.0.1".to_owned()),
        outcome: AuditOutcome::Ok,
    }
}

async fn the_audit_log_is_read_newest_first_and_filtered(store: &dyn Store) {
    let user = store
        .create_user(&new_user("cm@clinic.example", Role::CareManager, vec![]))
        .await
        .expect("user");
    store
        .append_audit(&audit(Some(user.id), "patient.view", Some(("patient", 5))))
        .await
        .expect("append");
    store
        .append_audit(&audit(Some(user.id), "patient.view", Some(("patient", 6))))
        .await
        .expect("append");
    let mut failed = audit(None, "session.login", None);
    failed.outcome = AuditOutcome::Failed;
    store.append_audit(&failed).await.expect("append");

    let all = store
        .list_audit(&AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(
        all.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["session.login", "patient.view", "patient.view"]
    );
    assert_eq!(all[0].outcome, AuditOutcome::Failed);
    assert_eq!(all[0].user_id, None);

    let one_patient = store
        .list_audit(&AuditQuery {
            entity_type: Some("patient".to_owned()),
            entity_id: Some(6),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(one_patient.len(), 1);
    assert_eq!(one_patient[0].ip.as_deref(), Some("127.0.0.1"));

    let by_user = store
        .list_audit(&AuditQuery {
            user_id: Some(user.id),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(by_user.len(), 2);

    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("date");
    let before_today = store
        .list_audit(&AuditQuery {
            to: Some(yesterday),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert!(before_today.is_empty());
    let from_today = store
        .list_audit(&AuditQuery {
            from: Some(today),
            to: Some(today),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(from_today.len(), 3);
}

async fn clinic_settings_default_until_saved_then_round_trip(store: &dyn Store) {
    let c = clinic(store, "Oak Street Clinic").await;
    assert_eq!(
        store.clinic_settings(c).await.expect("read"),
        ClinicSettings::default()
    );
    let mut settings = ClinicSettings {
        target_caseload: 65,
        ..ClinicSettings::default()
    };
    settings.flag_rules.not_improving_weeks = 12;
    store
        .save_clinic_settings(c, &settings)
        .await
        .expect("save");
    settings.target_caseload = 70;
    store
        .save_clinic_settings(c, &settings)
        .await
        .expect("save again");
    assert_eq!(store.clinic_settings(c).await.expect("read"), settings);
    let missing = store
        .save_clinic_settings(ClinicId(999_999), &settings)
        .await
        .expect_err("must be refused");
    assert!(
        matches!(missing, StoreError::NotFound("clinic")),
        "{missing:?}"
    );
}

async fn a_clinic_can_be_renamed_but_not_to_a_taken_name(store: &dyn Store) {
    let a = clinic(store, "Clinic A").await;
    clinic(store, "Clinic B").await;
    let renamed = store
        .rename_clinic(a, " Clinic Alpha ")
        .await
        .expect("rename");
    assert_eq!(renamed.name, "Clinic Alpha");
    let taken = store
        .rename_clinic(a, "Clinic B")
        .await
        .expect_err("must be refused");
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken:?}");
}

async fn users_list_with_clinics_and_updates_replace_memberships(store: &dyn Store) {
    let a = clinic(store, "Clinic A").await;
    let b = clinic(store, "Clinic B").await;
    let cm = store
        .create_user(&new_user("cm@clinic.example", Role::CareManager, vec![a]))
        .await
        .expect("cm");
    store
        .create_user(&new_user("admin@clinic.example", Role::Admin, vec![]))
        .await
        .expect("admin");
    let updated = store
        .update_user(cm.id, "Renamed Person", Role::PsychiatricConsultant, &[b])
        .await
        .expect("update");
    assert_eq!(updated.role, Role::PsychiatricConsultant);
    assert_eq!(updated.clinics, vec![b]);
    let users = store.list_users().await.expect("list");
    assert_eq!(users.len(), 2);
    let listed = users.iter().find(|u| u.id == cm.id).expect("listed");
    assert_eq!(listed, &updated);
    assert_eq!(listed.display_name, "Renamed Person");
}

async fn sessions_are_stored_touched_and_ended(store: &dyn Store) {
    let user = store
        .create_user(&new_user("cm@clinic.example", Role::CareManager, vec![]))
        .await
        .expect("user");
    let now = chrono::Utc::now();
    let hash = "a".repeat(64);
    store
        .create_session(&NewSession {
            id_hash: hash.clone(),
            user_id: user.id,
            created_at: now,
            expires_at: now + chrono::Duration::hours(12),
        })
        .await
        .expect("create");
    let record = store
        .get_session(&hash)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(record.user.id, user.id);
    let later = now + chrono::Duration::minutes(5);
    store.touch_session(&hash, later).await.expect("touch");
    let touched = store
        .get_session(&hash)
        .await
        .expect("get")
        .expect("present");
    assert!(touched.last_seen_at > record.last_seen_at);
    store.delete_user_sessions(user.id).await.expect("end all");
    assert!(store.get_session(&hash).await.expect("get").is_none());
    store
        .delete_session(&hash)
        .await
        .expect("ending twice is fine");
}

async fn sign_in_failures_are_counted_per_key_in_a_window_cleared_and_pruned(store: &dyn Store) {
    let account = "a".repeat(64);
    let address = "b".repeat(64);
    for at in [100, 200, 300] {
        store
            .record_sign_in_failure(&[account.clone(), address.clone()], at)
            .await
            .expect("record");
    }
    store
        .record_sign_in_failure(std::slice::from_ref(&address), 400)
        .await
        .expect("record");
    assert_eq!(
        store
            .sign_in_failures_since(&account, 0)
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .sign_in_failures_since(&account, 150)
            .await
            .expect("count"),
        2
    );
    assert_eq!(
        store
            .sign_in_failures_since(&address, 150)
            .await
            .expect("count"),
        3
    );
    store.clear_sign_in_failures(&account).await.expect("clear");
    assert_eq!(
        store
            .sign_in_failures_since(&account, 0)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        store
            .sign_in_failures_since(&address, 0)
            .await
            .expect("count"),
        4
    );
    assert_eq!(store.prune_sign_in_failures(250).await.expect("prune"), 2);
    assert_eq!(
        store
            .sign_in_failures_since(&address, 0)
            .await
            .expect("count"),
        2
    );
}

async fn a_lease_has_one_holder_until_released_or_run_out(store: &dyn Store) {
    let lease = "review-queue-sweep";
    assert!(store
        .try_lease(lease, "one", 1_000, 1_600)
        .await
        .expect("take"));
    assert!(
        !store
            .try_lease(lease, "two", 1_001, 1_601)
            .await
            .expect("try"),
        "held by another"
    );
    assert!(
        store
            .try_lease(lease, "one", 1_100, 1_700)
            .await
            .expect("renew"),
        "the holder renews"
    );
    assert!(
        !store
            .try_lease(lease, "two", 1_699, 2_299)
            .await
            .expect("try"),
        "not yet run out"
    );
    assert!(
        store
            .try_lease(lease, "two", 1_700, 2_300)
            .await
            .expect("take over"),
        "run out"
    );
    store
        .release_lease(lease, "one")
        .await
        .expect("not the holder");
    assert!(!store
        .try_lease(lease, "one", 1_800, 2_400)
        .await
        .expect("try"));
    store.release_lease(lease, "two").await.expect("release");
    assert!(
        store
            .try_lease(lease, "one", 1_801, 2_401)
            .await
            .expect("take"),
        "released"
    );
    // Another lease is independent.
    assert!(store
        .try_lease("other", "two", 1_801, 2_401)
        .await
        .expect("take"));
}

contract_tests!(
    sign_in_failures_are_counted_per_key_in_a_window_cleared_and_pruned,
    a_lease_has_one_holder_until_released_or_run_out,
    a_healthy_store_answers_ping,
    a_new_registry_has_no_patients,
    clinics_are_listed_by_name,
    a_duplicate_clinic_name_is_a_conflict,
    a_blank_clinic_name_is_refused,
    a_patient_reads_back_exactly_as_enrolled,
    a_missing_patient_reads_as_none,
    an_mrn_is_unique_within_a_clinic,
    the_same_mrn_may_be_used_in_another_clinic,
    a_patient_of_a_missing_clinic_is_refused,
    the_patient_list_is_ordered_by_family_then_given_name,
    the_patient_list_is_paginated_with_a_total,
    a_page_size_over_the_maximum_is_capped,
    the_patient_list_filters_by_clinic,
    the_patient_list_shows_the_current_episode_and_its_latest_phq9,
    a_patient_without_an_episode_lists_as_not_enrolled,
    a_patient_has_at_most_one_open_episode,
    re_enrolling_after_discharge_opens_a_new_episode,
    a_discharge_before_enrollment_is_refused,
    measurements_keep_their_items_totals_and_source,
    measurements_are_in_date_order_with_ties_in_entry_order,
    a_measurement_outside_its_episode_is_refused,
    a_measurement_for_a_missing_episode_is_not_found,
    a_new_registry_has_no_users,
    a_user_reads_back_with_role_clinics_and_hash,
    an_email_is_unique_whatever_its_case,
    a_user_in_a_missing_clinic_is_not_created,
    a_password_can_be_reset_and_a_user_deactivated,
    the_audit_log_is_read_newest_first_and_filtered,
    clinic_settings_default_until_saved_then_round_trip,
    a_clinic_can_be_renamed_but_not_to_a_taken_name,
    users_list_with_clinics_and_updates_replace_memberships,
    sessions_are_stored_touched_and_ended,
    api_tokens_are_found_by_hash_listed_touched_and_revoked,
    an_import_stores_every_patient_or_none,
);
