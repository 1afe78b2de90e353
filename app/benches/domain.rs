//! Evaluating every flag for one patient with 50 measurements (issue 4 target: well under 10 µs).

use std::hint::black_box;

use app::domain::episode::{
    add_days, Contact, ContactKind, DischargeSetting, EpisodeData, HospitalDischarge, ReviewMark,
    SafetyConcern, Score,
};
use app::domain::flags::{evaluate_flags, FlagRules};
use app::domain::Instrument;
use app::model::{EpisodeId, MeasurementId, PatientId};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

fn patient_with_50_measurements() -> Option<(EpisodeData, NaiveDate)> {
    let enrolled = NaiveDate::from_ymd_opt(2025, 1, 6)?;
    let mut e = EpisodeData::new(PatientId(1), EpisodeId(1), enrolled);
    // Weekly PHQ-9s, entered out of order, slowly improving with noise.
    e.scores = (0..50u8)
        .rev()
        .map(|week| Score {
            id: MeasurementId(i64::from(week) + 1),
            taken_on: add_days(enrolled, u64::from(week) * 7),
            instrument: Instrument::Phq9,
            total: 22u8.saturating_sub(week / 4) ^ (week % 3),
            item9: Some(week % 5 / 4),
        })
        .collect();
    e.contacts = (0..60u64)
        .map(|i| Contact {
            on: add_days(enrolled, i * 6),
            kind: ContactKind::ALL
                .get(usize::try_from(i % 7).unwrap_or(0))
                .copied()
                .unwrap_or(ContactKind::Phone),
            minutes: 25,
            by_care_manager: true,
        })
        .collect();
    e.psychiatric_reviews = vec![add_days(enrolled, 10), add_days(enrolled, 120)];
    e.treatment_changes = vec![add_days(enrolled, 84), add_days(enrolled, 200)];
    e.hospital_discharges = vec![HospitalDischarge {
        at: add_days(enrolled, 340).and_hms_opt(14, 0, 0)?,
        setting: DischargeSetting::EmergencyDepartment,
    }];
    e.safety_concerns = vec![SafetyConcern {
        raised_on: add_days(enrolled, 30),
        resolved_on: Some(add_days(enrolled, 45)),
        note: "passive ideation".into(),
    }];
    e.review_mark = Some(ReviewMark {
        marked_on: add_days(enrolled, 330),
        reason: "side effects".into(),
    });
    Some((e, add_days(enrolled, 350)))
}

fn flags(c: &mut Criterion) {
    let Some((episode, as_of)) = patient_with_50_measurements() else {
        return;
    };
    let rules = FlagRules::default();
    c.bench_function("evaluate_flags, 1 patient, 50 measurements", |b| {
        b.iter(|| evaluate_flags(black_box(&episode), black_box(&rules), black_box(as_of)))
    });
}

criterion_group!(benches, flags);
criterion_main!(benches);
