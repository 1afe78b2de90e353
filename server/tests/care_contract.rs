//! The store contract for the records of care: enrollment, episodes and plans, scores with edits
//! and deletions, contacts, events, status changes and the caseload read. Every test runs against
//! SQLite and PostgreSQL (`sqlite::name`, `postgres::name`).

mod support;

use app::accounts::{Email, NewUser};
use app::domain::{
    ContactKind, DischargeSetting, Instrument, Mrn, PersonName, Responses, SocialNeed,
    StatusReason, TargetCondition,
};
use app::model::{
    CaseloadScope, ClinicId, EnrollPatient, Enrolled, Enrollment, EpisodeDetails, EpisodeStatus,
    EpisodeUpdate, MeasurementDeletion, MeasurementEdit, MeasurementSource, NewContact,
    NewHospitalEvent, NewMeasurement, NewPatient, NewTreatmentChange, PatientFacts,
    StatusChangeRequest, STALE_EDIT,
};
use app::policy::Role;
use app::ports::{Store, StoreError};
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn phq9(total_per_item: i64) -> Responses {
    let answers = vec![Some(total_per_item); 9];
    Responses::from_items(Instrument::Phq9, &answers).expect("valid PHQ-9")
}

fn gad7(v: i64) -> Responses {
    Responses::from_items(Instrument::Gad7, &[Some(v); 7]).expect("valid GAD-7")
}

async fn care_manager(store: &dyn Store, clinic: ClinicId, email: &str) -> i64 {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: "Casey Synthetic".to_owned(),
            role: Role::CareManager,
            password_hash: "$argon2id$not-a-real-hash".to_owned(),
            clinics: vec![clinic],
        })
        .await
        .expect("user")
        .id
}

fn new_patient(clinic: ClinicId, mrn: &str, family: &str) -> NewPatient {
    NewPatient {
        clinic_id: clinic,
        mrn: Mrn::parse(mrn).expect("mrn"),
        given_name: PersonName::parse("given name", "Sam").expect("given"),
        family_name: PersonName::parse("family name", family).expect("family"),
        birth_date: date("1975-06-01"),
    }
}

async fn enroll(
    store: &dyn Store,
    clinic: ClinicId,
    mrn: &str,
    family: &str,
    cm: Option<i64>,
    on: &str,
    baselines: Vec<Responses>,
) -> Enrolled {
    store
        .enroll(&Enrollment {
            patient: EnrollPatient::New(new_patient(clinic, mrn, family)),
            enrolled_on: date(on),
            details: EpisodeDetails {
                care_manager_id: cm,
                consultant_id: None,
                pcp: "Dr. Synthetic".to_owned(),
                targets: vec![TargetCondition::Depression, TargetCondition::Anxiety],
            },
            baselines,
            by_user: cm,
        })
        .await
        .expect("enroll")
}

async fn enrollment_stores_patient_episode_team_and_baselines_together(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = care_manager(store, c, "cm@synthetic.example").await;
    let e = enroll(
        store,
        c,
        "A1",
        "Doe",
        Some(cm),
        "2026-01-05",
        vec![phq9(2), gad7(1)],
    )
    .await;
    let records = store.episode_records(e.patient_id).await.expect("episodes");
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.episode.id, e.episode_id);
    assert_eq!(r.episode.status, EpisodeStatus::Active);
    assert_eq!(r.details.care_manager_id, Some(cm));
    assert_eq!(r.care_manager_name.as_deref(), Some("Casey Synthetic"));
    assert_eq!(
        r.details.targets,
        vec![TargetCondition::Depression, TargetCondition::Anxiety]
    );
    assert_eq!(r.details.pcp, "Dr. Synthetic");
    let history = store.episode_history(e.episode_id).await.expect("history");
    assert_eq!(history.measurements.len(), 2);
    assert!(history
        .measurements
        .iter()
        .all(|m| m.taken_on == date("2026-01-05")));
    assert_eq!(history.status_changes.len(), 1);
    assert_eq!(history.status_changes[0].reason, StatusReason::Started);
    assert_eq!(history.status_changes[0].from, None);
}

async fn a_failed_enrollment_stores_nothing(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    enroll(store, c, "A1", "Doe", None, "2026-01-05", vec![]).await;
    // Same MRN: the whole enrollment is refused and no second episode or score appears.
    let err = store
        .enroll(&Enrollment {
            patient: EnrollPatient::New(new_patient(c, "A1", "Other")),
            enrolled_on: date("2026-01-06"),
            details: EpisodeDetails {
                targets: vec![TargetCondition::Depression],
                ..EpisodeDetails::default()
            },
            baselines: vec![phq9(1)],
            by_user: None,
        })
        .await
        .expect_err("duplicate MRN");
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("MRN")),
        "{err:?}"
    );
    let page = store
        .list_patients(&Default::default())
        .await
        .expect("list");
    assert_eq!(page.total, 1);
}

async fn re_enrollment_opens_a_new_episode_and_keeps_the_old(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let first = enroll(store, c, "A1", "Doe", None, "2025-01-06", vec![phq9(2)]).await;
    let again = Enrollment {
        patient: EnrollPatient::Existing(first.patient_id),
        enrolled_on: date("2026-01-05"),
        details: EpisodeDetails {
            targets: vec![TargetCondition::Depression],
            ..EpisodeDetails::default()
        },
        baselines: vec![phq9(1)],
        by_user: None,
    };
    let err = store.enroll(&again).await.expect_err("still open");
    assert!(matches!(err, StoreError::Conflict(_)));
    let record = &store
        .episode_records(first.patient_id)
        .await
        .expect("episodes")[0];
    store
        .change_status(&StatusChangeRequest {
            episode_id: first.episode_id,
            expected_version: record.version,
            to: EpisodeStatus::Discharged,
            on: date("2025-06-01"),
            reason: StatusReason::RemissionMet,
            note: String::new(),
            user_id: care_manager(store, c, "cm@synthetic.example").await,
        })
        .await
        .expect("discharge");
    let second = store.enroll(&again).await.expect("re-enroll");
    assert_eq!(second.patient_id, first.patient_id);
    let records = store
        .episode_records(first.patient_id)
        .await
        .expect("episodes");
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].episode.id, second.episode_id, "newest first");
    assert_eq!(records[1].episode.discharged_on, Some(date("2025-06-01")));
    // Metrics are per episode: each history holds its own scores.
    let old = store.episode_history(first.episode_id).await.expect("old");
    let new = store.episode_history(second.episode_id).await.expect("new");
    assert_eq!(old.measurements[0].responses.total(), 18);
    assert_eq!(new.measurements[0].responses.total(), 9);
}

async fn status_changes_follow_the_rules_and_the_version(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = care_manager(store, c, "cm@synthetic.example").await;
    let e = enroll(store, c, "A1", "Doe", Some(cm), "2026-01-05", vec![]).await;
    let v1 = store.episode_records(e.patient_id).await.expect("r")[0].version;
    let change = StatusChangeRequest {
        episode_id: e.episode_id,
        expected_version: v1,
        to: EpisodeStatus::RelapsePrevention,
        on: date("2026-04-01"),
        reason: StatusReason::Improved,
        note: String::new(),
        user_id: cm,
    };
    let r = store
        .change_status(&change)
        .await
        .expect("to relapse prevention");
    assert_eq!(r.episode.status, EpisodeStatus::RelapsePrevention);
    assert_eq!(r.version, v1 + 1);
    // The same change again is stale.
    let err = store.change_status(&change).await.expect_err("stale");
    assert!(matches!(err, StoreError::Conflict(ref m) if m == STALE_EDIT));
    // A wrong reason is refused.
    let err = store
        .change_status(&StatusChangeRequest {
            expected_version: r.version,
            to: EpisodeStatus::Discharged,
            reason: StatusReason::Relapse,
            ..change.clone()
        })
        .await
        .expect_err("wrong reason");
    assert!(matches!(err, StoreError::Invalid(_)));
    let history = store.episode_history(e.episode_id).await.expect("history");
    assert_eq!(history.status_changes.len(), 2);
    assert_eq!(history.status_changes[1].from, Some(EpisodeStatus::Active));
    assert_eq!(
        history.status_changes[1].to,
        EpisodeStatus::RelapsePrevention
    );
}

async fn episode_plans_are_versioned(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let e = enroll(store, c, "A1", "Doe", None, "2026-01-05", vec![]).await;
    let r = store
        .episode_records(e.patient_id)
        .await
        .expect("r")
        .remove(0);
    let update = EpisodeUpdate {
        episode_id: e.episode_id,
        expected_version: r.version,
        details: EpisodeDetails {
            targets: vec![TargetCondition::Anxiety],
            ..r.details.clone()
        },
        care_plan: "Sertraline 50 mg; behavioral activation".to_owned(),
        relapse_plan: String::new(),
    };
    let saved = store.update_episode(&update).await.expect("save");
    assert_eq!(saved.care_plan, "Sertraline 50 mg; behavioral activation");
    assert_eq!(saved.details.targets, vec![TargetCondition::Anxiety]);
    let err = store.update_episode(&update).await.expect_err("stale");
    assert!(matches!(err, StoreError::Conflict(ref m) if m == STALE_EDIT));
    let unchanged = store
        .episode_records(e.patient_id)
        .await
        .expect("r")
        .remove(0);
    assert_eq!(unchanged.version, saved.version, "nothing overwritten");
}

async fn patient_facts_round_trip_and_are_versioned(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let e = enroll(store, c, "A1", "Doe", None, "2026-01-05", vec![]).await;
    let r = store
        .patient_record(e.patient_id)
        .await
        .expect("get")
        .expect("some");
    assert_eq!(r.facts, PatientFacts::default());
    let facts = PatientFacts {
        chronic_conditions: vec!["Diabetes".into(), "COPD".into()],
        social_needs: vec![SocialNeed::Transportation],
        substance_use_disorder: true,
        serious_mental_illness: false,
        long_term_care_decision: false,
        measure_exclusions: vec![app::domain::quality::MeasureExclusion::Hospice],
    };
    let saved = store
        .save_patient_facts(e.patient_id, r.version, &facts)
        .await
        .expect("save");
    assert_eq!(saved.facts, facts);
    let err = store
        .save_patient_facts(e.patient_id, r.version, &facts)
        .await
        .expect_err("stale");
    assert!(matches!(err, StoreError::Conflict(_)));
}

async fn scores_are_edited_and_deleted_with_reasons_never_silently(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = care_manager(store, c, "cm@synthetic.example").await;
    let e = enroll(store, c, "A1", "Doe", Some(cm), "2026-01-05", vec![phq9(2)]).await;
    let m = store
        .add_measurement(&NewMeasurement {
            episode_id: e.episode_id,
            taken_on: date("2026-02-02"),
            responses: phq9(1),
            source: MeasurementSource::Clinician,
            entered_by: Some(cm),
        })
        .await
        .expect("add");
    let (found, owner) = store
        .get_measurement(m.id)
        .await
        .expect("get")
        .expect("some");
    assert_eq!(found, m);
    assert_eq!((owner.clinic_id, owner.patient_id), (c, e.patient_id));
    let edit = MeasurementEdit {
        id: m.id,
        expected_version: m.version,
        taken_on: date("2026-02-03"),
        responses: phq9(3),
        reason: "entered the wrong answers".to_owned(),
        user_id: cm,
    };
    let edited = store.update_measurement(&edit).await.expect("edit");
    assert_eq!(edited.responses.total(), 27);
    assert_eq!(edited.taken_on, date("2026-02-03"));
    assert_eq!(edited.version, m.version + 1);
    let err = store.update_measurement(&edit).await.expect_err("stale");
    assert!(matches!(err, StoreError::Conflict(ref msg) if msg == STALE_EDIT));
    let err = store
        .update_measurement(&MeasurementEdit {
            expected_version: edited.version,
            responses: gad7(1),
            ..edit.clone()
        })
        .await
        .expect_err("instrument change");
    assert!(matches!(err, StoreError::Invalid(_)));
    let err = store
        .update_measurement(&MeasurementEdit {
            expected_version: edited.version,
            taken_on: date("2025-12-01"),
            ..edit.clone()
        })
        .await
        .expect_err("outside the episode");
    assert!(matches!(err, StoreError::Invalid(_)));
    store
        .delete_measurement(&MeasurementDeletion {
            id: m.id,
            expected_version: edited.version,
            reason: "duplicate entry".to_owned(),
            user_id: cm,
        })
        .await
        .expect("delete");
    assert!(store.get_measurement(m.id).await.expect("get").is_none());
    let history = store.episode_history(e.episode_id).await.expect("history");
    assert_eq!(history.measurements.len(), 1, "the deleted score is hidden");
    let changes = &history.score_changes;
    assert_eq!(changes.len(), 2, "the correction and the deletion are kept");
    assert!(changes[0].deleted && changes[0].reason == "duplicate entry");
    assert_eq!(
        changes[0].previous_total, 27,
        "the deletion keeps the corrected values"
    );
    assert!(!changes[1].deleted);
    assert_eq!(
        (changes[1].previous_total, changes[1].previous_taken_on),
        (9, date("2026-02-02"))
    );
    assert_eq!(changes[1].user_name.as_deref(), Some("Casey Synthetic"));
    assert_eq!(
        store
            .measurements_for_episode(e.episode_id)
            .await
            .expect("m")
            .len(),
        1
    );
}

async fn contacts_events_and_treatment_changes_are_recorded_in_the_episode(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = care_manager(store, c, "cm@synthetic.example").await;
    let e = enroll(store, c, "A1", "Doe", Some(cm), "2026-01-05", vec![]).await;
    let contact = store
        .add_contact(&NewContact {
            episode_id: e.episode_id,
            occurred_on: date("2026-01-12"),
            kind: ContactKind::Phone,
            minutes: 25,
            note: "check-in".to_owned(),
            user_id: cm,
            by_care_manager: true,
        })
        .await
        .expect("contact");
    assert_eq!(contact.minutes, 25);
    assert_eq!(contact.user_name.as_deref(), Some("Casey Synthetic"));
    let err = store
        .add_contact(&NewContact {
            occurred_on: date("2025-12-31"),
            note: String::new(),
            ..NewContact {
                episode_id: e.episode_id,
                occurred_on: date("2026-01-12"),
                kind: ContactKind::Phone,
                minutes: 5,
                note: String::new(),
                user_id: cm,
                by_care_manager: true,
            }
        })
        .await
        .expect_err("before enrollment");
    assert!(matches!(err, StoreError::Invalid(ref m) if m.contains("outside the episode")));
    let at = date("2026-01-20").and_hms_opt(14, 30, 0).expect("time");
    let event = store
        .add_hospital_event(&NewHospitalEvent {
            episode_id: e.episode_id,
            setting: DischargeSetting::EmergencyDepartment,
            discharged_at: at,
            user_id: cm,
        })
        .await
        .expect("event");
    assert_eq!(event.discharged_at, at);
    let change = store
        .add_treatment_change(&NewTreatmentChange {
            episode_id: e.episode_id,
            changed_on: date("2026-02-01"),
            description: "sertraline 50 → 100 mg".to_owned(),
            user_id: cm,
        })
        .await
        .expect("change");
    assert_eq!(change.description, "sertraline 50 → 100 mg");
    let h = store.episode_history(e.episode_id).await.expect("history");
    assert_eq!(h.contacts.len(), 1);
    assert_eq!(h.hospital_events.len(), 1);
    assert_eq!(h.treatment_changes.len(), 1);
    let owner = store
        .episode_owner(e.episode_id)
        .await
        .expect("owner")
        .expect("some");
    assert_eq!(owner.clinic_id, c);
}

async fn the_caseload_reads_open_episodes_with_everything_the_rules_need(store: &dyn Store) {
    let c = store
        .create_clinic("Synthetic Clinic")
        .await
        .expect("clinic")
        .id;
    let other = store
        .create_clinic("Other Clinic")
        .await
        .expect("clinic")
        .id;
    let cm = care_manager(store, c, "cm@synthetic.example").await;
    let cm2 = care_manager(store, c, "cm2@synthetic.example").await;
    let mine = enroll(
        store,
        c,
        "A1",
        "Zed",
        Some(cm),
        "2026-01-05",
        vec![phq9(2), gad7(1)],
    )
    .await;
    enroll(store, c, "A2", "Young", Some(cm2), "2026-01-05", vec![]).await;
    enroll(store, other, "A3", "Xu", None, "2026-01-05", vec![]).await;
    let closed = enroll(store, c, "A4", "Wu", Some(cm), "2026-01-05", vec![]).await;
    let v = store.episode_records(closed.patient_id).await.expect("r")[0].version;
    store
        .change_status(&StatusChangeRequest {
            episode_id: closed.episode_id,
            expected_version: v,
            to: EpisodeStatus::Discharged,
            on: date("2026-02-01"),
            reason: StatusReason::Moved,
            note: String::new(),
            user_id: cm,
        })
        .await
        .expect("discharge");
    store
        .add_contact(&NewContact {
            episode_id: mine.episode_id,
            occurred_on: date("2026-01-12"),
            kind: ContactKind::PsychiatricConsultation,
            minutes: 30,
            note: String::new(),
            user_id: cm,
            by_care_manager: true,
        })
        .await
        .expect("contact");
    store
        .add_treatment_change(&NewTreatmentChange {
            episode_id: mine.episode_id,
            changed_on: date("2026-02-01"),
            description: "dose up".to_owned(),
            user_id: cm,
        })
        .await
        .expect("change");
    let scope = |cm: Option<i64>, search: Option<&str>| CaseloadScope {
        clinic_id: c,
        care_manager_id: cm,
        search: search.map(str::to_owned),
    };
    let clinic = store.caseload(&scope(None, None)).await.expect("clinic");
    let names: Vec<_> = clinic
        .iter()
        .map(|e| e.patient.family_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Young", "Zed"],
        "open episodes of this clinic only, by name"
    );
    let own = store.caseload(&scope(Some(cm), None)).await.expect("mine");
    assert_eq!(own.len(), 1);
    let data = &own[0].data;
    assert_eq!(data.episode_id, mine.episode_id);
    assert_eq!(data.scores.len(), 2);
    assert_eq!(data.contacts.len(), 1);
    assert_eq!(data.psychiatric_reviews, vec![date("2026-01-12")]);
    assert_eq!(data.treatment_changes, vec![date("2026-02-01")]);
    assert_eq!(
        data.targets,
        vec![TargetCondition::Depression, TargetCondition::Anxiety]
    );
    assert_eq!(own[0].care_manager_name.as_deref(), Some("Casey Synthetic"));
    for (q, expected) in [
        ("zed", 1),
        ("SAM Z", 1),
        ("a2", 1),
        ("a", 2),
        ("100%", 0),
        ("_", 0),
    ] {
        let found = store.caseload(&scope(None, Some(q))).await.expect("search");
        assert_eq!(found.len(), expected, "search {q:?}");
    }
    let staff = store.clinic_staff(c).await.expect("staff");
    assert_eq!(staff.len(), 2);
    assert!(store.clinic_staff(other).await.expect("staff").is_empty());
}

contract_tests!(
    enrollment_stores_patient_episode_team_and_baselines_together,
    a_failed_enrollment_stores_nothing,
    re_enrollment_opens_a_new_episode_and_keeps_the_old,
    status_changes_follow_the_rules_and_the_version,
    episode_plans_are_versioned,
    patient_facts_round_trip_and_are_versioned,
    scores_are_edited_and_deleted_with_reasons_never_silently,
    contacts_events_and_treatment_changes_are_recorded_in_the_episode,
    the_caseload_reads_open_episodes_with_everything_the_rules_need,
);
