//! The entry points of the fuzz targets in `fuzz/`, kept here so that the corpus replay test
//! (`server/tests/fuzz_corpus.rs`) runs exactly what the fuzzers ran. Each takes arbitrary bytes,
//! must never panic, and checks the invariants of whatever it accepts.

use std::collections::HashSet;

use app::domain::{Instrument, Responses};
use chrono::NaiveDate;

use crate::api_v1::handlers;
use crate::api_v1::parse_json;

/// A fixed "today", so a corpus entry means the same thing on every day it is replayed.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
}

/// Checks what the measurement rules promise of any score they accept.
fn check_responses(r: &Responses) {
    let instrument = r.instrument();
    assert!(
        r.total() <= instrument.max_total(),
        "total over the maximum"
    );
    if let Some(items) = r.items() {
        assert_eq!(items.len(), instrument.item_count(), "item count");
        assert!(items.iter().all(|a| *a <= 3), "item answer over 3");
        assert_eq!(
            items.iter().map(|a| u32::from(*a)).sum::<u32>(),
            u32::from(r.total())
        );
    }
}

/// The CSV importer: a whole file read into an import plan.
pub fn csv_import(data: &[u8]) {
    let existing: HashSet<String> = ["SYN-EXISTING".to_owned()].into_iter().collect();
    let plan = app::spreadsheet::plan(data, &existing, today());
    for p in &plan.patients {
        assert!(p.row >= 2, "the header is row 1");
        assert!(p.enrolled_on <= today(), "enrolled in the future");
        assert!(
            !existing.contains(p.mrn.as_str()),
            "an existing MRN was planned again"
        );
        for (taken_on, responses) in &p.scores {
            assert!(*taken_on <= today(), "a score from the future");
            check_responses(responses);
        }
    }
    for e in &plan.errors {
        assert!(!e.message.is_empty(), "an error without a message");
    }
}

/// The FHIR QuestionnaireResponse importer: JSON, then the resource's shape, then the same
/// measurement rules as any other score.
pub fn fhir_questionnaire_response(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(answers) = crate::fhir::resources::read_questionnaire_response(&value) else {
        return;
    };
    let mut items = vec![None; answers.instrument.item_count()];
    for (number, score) in &answers.items {
        if let Some(slot) = number.checked_sub(1).and_then(|i| items.get_mut(i)) {
            *slot = Some(i64::from(*score));
        }
    }
    if let Ok(r) = Responses::from_items(answers.instrument, &items) {
        check_responses(&r);
    }
}

/// The JSON API's request bodies: the first byte picks the body type, the rest is the body.
/// A measurement body that parses goes on through the same answer rules as a form.
pub fn api_bodies(data: &[u8]) {
    let Some((kind, body)) = data.split_first() else {
        return;
    };
    match kind % 9 {
        0 => drop(parse_json::<handlers::NewClinicIn>(body)),
        1 => drop(parse_json::<handlers::NewPatientIn>(body)),
        2 => {
            if let Ok(m) = parse_json::<handlers::MeasurementIn>(body) {
                measurement_body(&m);
            }
        }
        3 => drop(parse_json::<handlers::ContactIn>(body)),
        4 => drop(parse_json::<handlers::EventIn>(body)),
        5 => drop(parse_json::<handlers::TreatmentChangeIn>(body)),
        6 => drop(parse_json::<handlers::DiscussIn>(body)),
        7 => drop(parse_json::<handlers::ReviewIn>(body)),
        _ => drop(parse_json::<handlers::StatusIn>(body)),
    }
}

fn measurement_body(m: &handlers::MeasurementIn) {
    let Ok(fields) =
        handlers::answer_fields(m.instrument.trim(), &m.items, m.difficulty.as_deref())
    else {
        return;
    };
    let Ok(instrument) = Instrument::from_code(m.instrument.trim()) else {
        return;
    };
    if let Ok(r) = app::forms::responses("answers", instrument, &fields) {
        check_responses(&r);
        assert_eq!(r.items().map(<[u8]>::len), Some(m.items.len()));
    }
}

/// The measurement constructor: the first byte picks the instrument and the kind of score, the
/// rest are item answers (a byte over 200 is an unanswered item; others are read as signed).
pub fn measurement(data: &[u8]) {
    let Some((head, rest)) = data.split_first() else {
        return;
    };
    let instrument = if head & 1 == 0 {
        Instrument::Phq9
    } else {
        Instrument::Gad7
    };
    if head & 2 == 0 {
        let answers: Vec<Option<i64>> = rest
            .iter()
            .map(|b| (*b <= 200).then(|| i64::from(*b as i8)))
            .collect();
        if let Ok(r) = Responses::from_items(instrument, &answers) {
            check_responses(&r);
            assert!(answers.iter().all(|a| matches!(a, Some(0..=3))));
        }
    } else {
        let total = rest.iter().take(8).fold(0i64, |acc, b| {
            acc.wrapping_mul(256).wrapping_add(i64::from(*b))
        });
        let total = if head & 4 == 0 {
            total
        } else {
            total.wrapping_neg()
        };
        if let Ok(r) = Responses::total_only(instrument, total) {
            check_responses(&r);
            assert_eq!(i64::from(r.total()), total);
            assert!(r.is_total_only());
        }
    }
}
