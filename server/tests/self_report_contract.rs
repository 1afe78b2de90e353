//! The store contract for self-report links: creation, the birth-date lockout, drafts, single use,
//! revocation and the caseload's notices. Every test runs against SQLite and PostgreSQL.

mod support;

use app::accounts::{Email, NewUser};
use app::domain::self_report::{Draft, LinkLife, LinkStatus, MAX_BIRTH_DATE_ATTEMPTS};
use app::domain::{Instrument, Mrn, PersonName, Responses};
use app::model::{
    ClinicId, EpisodeDetails, EpisodeId, EpisodeStatus, MeasurementSource, NewMeasurement,
    NewPatient, StatusChangeRequest,
};
use app::policy::Role;
use app::ports::{Store, StoreError};
use app::self_report::NewSelfReportLink;
use chrono::{Duration, NaiveDate, Utc};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

struct Fixture {
    clinic: ClinicId,
    user: i64,
    episode: EpisodeId,
}

/// A clinic with a care manager and one patient enrolled (as that care manager's) on 2026-11-02.
async fn fixture(store: &dyn Store, mrn: &str) -> Fixture {
    let clinic = store
        .create_clinic(&format!("Birch Clinic {mrn}"))
        .await
        .expect("clinic")
        .id;
    let user = store
        .create_user(&NewUser {
            email: Email::parse(&format!("cm{mrn}@example.test")).expect("email"),
            display_name: "Casey Synthetic".to_owned(),
            role: Role::CareManager,
            password_hash: "$argon2id$not-a-real-hash".to_owned(),
            clinics: vec![clinic],
        })
        .await
        .expect("user")
        .id;
    let enrolled = store
        .enroll(&app::model::Enrollment {
            patient: app::model::EnrollPatient::New(NewPatient {
                clinic_id: clinic,
                mrn: Mrn::parse(mrn).expect("mrn"),
                given_name: PersonName::parse("given name", "Robin").expect("given"),
                family_name: PersonName::parse("family name", "Sample").expect("family"),
                birth_date: date("1980-03-27"),
            }),
            enrolled_on: date("2026-11-02"),
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
    Fixture {
        clinic,
        user,
        episode: enrolled.episode_id,
    }
}

async fn link(store: &dyn Store, f: &Fixture, hash_char: char) -> i64 {
    store
        .create_self_report_link(&NewSelfReportLink {
            episode_id: f.episode,
            token_hash: hash_char.to_string().repeat(64),
            instruments: vec![Instrument::Phq9, Instrument::Gad7],
            created_by: f.user,
            life: LinkLife::new(Utc::now(), 7),
        })
        .await
        .expect("link")
        .id
}

fn scores(episode: EpisodeId, item9: i64) -> Vec<NewMeasurement> {
    let mut phq = vec![Some(1); 9];
    phq[8] = Some(item9);
    [
        Responses::from_items(Instrument::Phq9, &phq).expect("phq"),
        Responses::from_items(Instrument::Gad7, &[Some(2); 7]).expect("gad"),
    ]
    .into_iter()
    .map(|responses| NewMeasurement {
        episode_id: episode,
        taken_on: app::model::today(),
        responses,
        source: MeasurementSource::SelfReport,
        entered_by: None,
    })
    .collect()
}

async fn a_link_is_found_by_its_token_hash_with_what_the_patient_pages_need(store: &dyn Store) {
    let f = fixture(store, "SR1").await;
    let id = link(store, &f, 'a').await;
    let visit = store
        .self_report_visit(&"a".repeat(64))
        .await
        .expect("visit")
        .expect("found");
    assert_eq!(visit.link.id, id);
    assert_eq!(visit.given_name, "Robin");
    assert_eq!(visit.clinic_name, "Birch Clinic SR1");
    assert_eq!(visit.birth_date, date("1980-03-27"));
    assert_eq!(
        visit.link.instruments,
        vec![Instrument::Phq9, Instrument::Gad7]
    );
    assert_eq!(visit.draft, Draft::default());
    assert_eq!(visit.link.status(Utc::now()), LinkStatus::Sent);
    assert!(store
        .self_report_visit(&"b".repeat(64))
        .await
        .expect("lookup")
        .is_none());
    let listed = store
        .self_report_links(visit.link.patient_id)
        .await
        .expect("links");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].created_by_name, "Casey Synthetic");
    // Two links may not share a token.
    let again = store
        .create_self_report_link(&NewSelfReportLink {
            episode_id: f.episode,
            token_hash: "a".repeat(64),
            instruments: vec![Instrument::Gad7],
            created_by: f.user,
            life: LinkLife::new(Utc::now(), 7),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

async fn wrong_birth_dates_lock_the_link_at_the_limit(store: &dyn Store) {
    let f = fixture(store, "SR2").await;
    let id = link(store, &f, 'c').await;
    let now = Utc::now();
    for n in 1..=MAX_BIRTH_DATE_ATTEMPTS {
        let life = store
            .wrong_birth_date(id, now, MAX_BIRTH_DATE_ATTEMPTS)
            .await
            .expect("count");
        assert_eq!(life.failed_attempts, n);
        assert_eq!(life.locked_at.is_some(), n == MAX_BIRTH_DATE_ATTEMPTS);
    }
    let visit = store
        .self_report_visit(&"c".repeat(64))
        .await
        .expect("visit")
        .expect("found");
    assert_eq!(visit.link.status(now), LinkStatus::Locked);
    let saved = store
        .save_self_report_draft(id, &Draft::default(), now)
        .await;
    assert!(matches!(saved, Err(StoreError::Conflict(_))), "{saved:?}");
}

async fn a_link_records_its_scores_once_and_only_once(store: &dyn Store) {
    let f = fixture(store, "SR3").await;
    let id = link(store, &f, 'd').await;
    let now = Utc::now();
    store
        .open_self_report(id, now, &"e".repeat(64), now + Duration::minutes(60))
        .await
        .expect("open");
    let visit = store
        .self_report_visit(&"d".repeat(64))
        .await
        .expect("visit")
        .expect("found");
    assert!(visit.admits(&"e".repeat(64), now));
    assert!(!visit.admits(&"f".repeat(64), now));
    assert!(!visit.admits(&"e".repeat(64), now + Duration::minutes(61)));
    let saved = store
        .complete_self_report(id, &scores(f.episode, 0), now)
        .await
        .expect("complete");
    assert_eq!(saved.len(), 2);
    assert!(saved
        .iter()
        .all(|m| m.source == MeasurementSource::SelfReport));
    let again = store
        .complete_self_report(id, &scores(f.episode, 0), now)
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let stored = store
        .measurements_for_episode(f.episode)
        .await
        .expect("scores");
    assert_eq!(stored.len(), 2, "the replay recorded nothing");
    let visit = store
        .self_report_visit(&"d".repeat(64))
        .await
        .expect("visit")
        .expect("found");
    assert_eq!(visit.link.status(now), LinkStatus::Completed);
    assert!(
        !visit.admits(&"e".repeat(64), now),
        "the visit ends with the link"
    );
    // The caseload marks the episode's self-report as received.
    let caseload = store
        .self_report_caseload(f.clinic, None)
        .await
        .expect("caseload");
    assert_eq!(caseload.received.len(), 1);
    assert_eq!(caseload.received[0].0, f.episode);
}

async fn revoked_and_expired_links_take_nothing(store: &dyn Store) {
    let f = fixture(store, "SR4").await;
    let revoked = link(store, &f, '1').await;
    let now = Utc::now();
    let link_after = store
        .revoke_self_report_link(revoked, now)
        .await
        .expect("revoke");
    assert_eq!(link_after.status(now), LinkStatus::Revoked);
    let refused = store
        .complete_self_report(revoked, &scores(f.episode, 0), now)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let expired = link(store, &f, '2').await;
    let refused = store
        .complete_self_report(expired, &scores(f.episode, 0), now + Duration::days(8))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert!(store
        .measurements_for_episode(f.episode)
        .await
        .expect("scores")
        .is_empty());
    assert!(matches!(
        store.revoke_self_report_link(999_999, now).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn a_positive_item_9_heads_the_caseload_until_seen(store: &dyn Store) {
    let f = fixture(store, "SR5").await;
    let other = fixture(store, "SR6").await;
    let id = link(store, &f, '3').await;
    let now = Utc::now();
    let both = [Instrument::Phq9, Instrument::Gad7];
    let mut draft = Draft::default();
    for step in 1..=8 {
        draft.answer(&both, step, Some("0")).expect("answer");
    }
    store
        .save_self_report_draft(id, &draft, now)
        .await
        .expect("save");
    assert!(store
        .self_report_caseload(f.clinic, None)
        .await
        .expect("caseload")
        .notices
        .is_empty());
    draft.answer(&both, 9, Some("2")).expect("answer");
    store
        .save_self_report_draft(id, &draft, now)
        .await
        .expect("save");
    let caseload = store
        .self_report_caseload(f.clinic, Some(f.user))
        .await
        .expect("caseload");
    assert_eq!(caseload.notices.len(), 1);
    assert_eq!(caseload.notices[0].link_id, id);
    assert_eq!(caseload.notices[0].patient_name, "Sample, Robin");
    // Another care manager's caseload, and another clinic's, do not show it.
    assert!(store
        .self_report_caseload(f.clinic, Some(other.user))
        .await
        .expect("caseload")
        .notices
        .is_empty());
    assert!(store
        .self_report_caseload(other.clinic, None)
        .await
        .expect("caseload")
        .notices
        .is_empty());
    store
        .acknowledge_safety_notice(id, f.user, now)
        .await
        .expect("seen");
    assert!(store
        .self_report_caseload(f.clinic, None)
        .await
        .expect("caseload")
        .notices
        .is_empty());
    assert!(matches!(
        store.acknowledge_safety_notice(id, f.user, now).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn links_are_only_made_for_open_episodes(store: &dyn Store) {
    let f = fixture(store, "SR7").await;
    let record = store
        .episode_owner(f.episode)
        .await
        .expect("owner")
        .expect("found");
    let episodes = store
        .episode_records(record.patient_id)
        .await
        .expect("episodes");
    store
        .change_status(&StatusChangeRequest {
            episode_id: f.episode,
            expected_version: episodes[0].version,
            on: date("2026-11-20"),
            to: EpisodeStatus::Discharged,
            reason: app::domain::StatusReason::Moved,
            note: String::new(),
            user_id: f.user,
        })
        .await
        .expect("discharge");
    let refused = store
        .create_self_report_link(&NewSelfReportLink {
            episode_id: f.episode,
            token_hash: "9".repeat(64),
            instruments: vec![Instrument::Phq9],
            created_by: f.user,
            life: LinkLife::new(Utc::now(), 7),
        })
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
}

contract_tests!(
    a_link_is_found_by_its_token_hash_with_what_the_patient_pages_need,
    wrong_birth_dates_lock_the_link_at_the_limit,
    a_link_records_its_scores_once_and_only_once,
    revoked_and_expired_links_take_nothing,
    a_positive_item_9_heads_the_caseload_until_seen,
    links_are_only_made_for_open_episodes,
);
