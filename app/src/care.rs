//! From stored records to what the rules and screens need: an episode's `EpisodeData`, and the
//! caseload rows with their filters, sort orders and pages. Pure functions, no I/O, so the
//! caseload's behaviour is unit-tested here and the server function stays thin.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::flags::FlagContext;
use crate::domain::{next_contact_due, FlagKind, FlagRules, Instrument, IntensityFacts, Score};
use crate::model::{
    CaseloadEpisode, CaseloadRow, EpisodeHistory, EpisodeRecord, EpisodeStatus, Page, PatientFacts,
};

/// The rules' view of one stored episode.
pub fn episode_data(
    record: &EpisodeRecord,
    history: &EpisodeHistory,
) -> crate::domain::EpisodeData {
    let e = &record.episode;
    let mut data = crate::domain::EpisodeData::new(e.patient_id, e.id, e.enrolled_on);
    data.status = e.status;
    data.discharged_on = e.discharged_on;
    data.targets = record.details.targets.clone();
    data.scores = history.measurements.iter().map(Score::from).collect();
    for c in &history.contacts {
        data.record_contact(crate::domain::Contact {
            on: c.occurred_on,
            kind: c.kind,
            minutes: c.minutes,
            by_care_manager: c.by_care_manager,
        });
    }
    data.hospital_discharges = history
        .hospital_events
        .iter()
        .map(crate::model::HospitalEvent::discharge)
        .collect();
    data.treatment_changes = history
        .treatment_changes
        .iter()
        .map(|t| t.changed_on)
        .collect();
    data.psychiatric_reviews
        .extend(history.reviews.iter().map(|r| r.reviewed_on));
    data.review_mark = history
        .review_mark
        .as_ref()
        .map(|m| crate::domain::ReviewMark {
            marked_on: m.marked_on,
            reason: m.reason.clone(),
        });
    data
}

/// The care-intensity triage's facts: the patient's recorded facts and their hospital stays
/// (emergency visits are not hospitalizations).
pub fn intensity_facts(facts: &PatientFacts, history: &EpisodeHistory) -> IntensityFacts {
    IntensityFacts {
        active_chronic_conditions: u32::try_from(facts.chronic_conditions.len())
            .unwrap_or(u32::MAX),
        hospitalizations: history
            .hospital_events
            .iter()
            .filter(|h| h.setting == crate::domain::DischargeSetting::Hospital)
            .map(|h| h.discharged_at.date())
            .collect(),
        social_needs: facts.social_needs.clone(),
        substance_use_disorder: facts.substance_use_disorder,
        serious_mental_illness: facts.serious_mental_illness,
        long_term_care_decision: facts.long_term_care_decision,
    }
}

/// One caseload row, every number from the domain module.
pub fn caseload_row(item: &CaseloadEpisode, rules: &FlagRules, as_of: NaiveDate) -> CaseloadRow {
    let cx = FlagContext::new(&item.data, rules, as_of);
    let phq9 = item.data.course(Instrument::Phq9, as_of);
    let gad7 = item.data.course(Instrument::Gad7, as_of);
    let baseline = phq9.baseline().map(|s| s.total);
    let latest = phq9.latest();
    let percent_change = phq9.percent_change();
    CaseloadRow {
        patient_id: item.patient.id,
        name: format!("{}, {}", item.patient.family_name, item.patient.given_name),
        mrn: item.patient.mrn.clone(),
        status: item.data.status,
        care_manager_name: item.care_manager_name.clone(),
        weeks_in_treatment: cx.metrics.weeks_in_treatment,
        baseline_phq9: baseline,
        latest_phq9: latest.map(|s| s.total),
        latest_phq9_on: latest.map(|s| s.taken_on),
        percent_change,
        latest_gad7: gad7.latest().map(|s| s.total),
        self_report_on: None,
        last_contact_on: cx.metrics.last_contact_on,
        next_contact_due: next_contact_due(&cx),
        flags: crate::domain::flags::evaluate(&cx),
    }
}

impl CaseloadRow {
    pub fn has(&self, kind: FlagKind) -> bool {
        self.flags.iter().any(|f| f.kind == kind)
    }

    /// Rows that need attention first: safety, or a contact overdue.
    pub fn is_urgent(&self) -> bool {
        self.has(FlagKind::Safety) || self.has(FlagKind::OverdueContact)
    }
}

/// A caseload column to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Safety first, then flag count, then name: who needs attention.
    #[default]
    Attention,
    Name,
    Mrn,
    Status,
    Weeks,
    Baseline,
    Latest,
    Change,
    Gad7,
    LastContact,
    NextDue,
    Flags,
}

impl SortKey {
    pub const ALL: [SortKey; 12] = [
        SortKey::Attention,
        SortKey::Name,
        SortKey::Mrn,
        SortKey::Status,
        SortKey::Weeks,
        SortKey::Baseline,
        SortKey::Latest,
        SortKey::Change,
        SortKey::Gad7,
        SortKey::LastContact,
        SortKey::NextDue,
        SortKey::Flags,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Attention => "attention",
            SortKey::Name => "name",
            SortKey::Mrn => "mrn",
            SortKey::Status => "status",
            SortKey::Weeks => "weeks",
            SortKey::Baseline => "baseline",
            SortKey::Latest => "latest",
            SortKey::Change => "change",
            SortKey::Gad7 => "gad7",
            SortKey::LastContact => "last_contact",
            SortKey::NextDue => "next_due",
            SortKey::Flags => "flags",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        SortKey::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// What the caseload screen asks for. Every field has a safe default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CaseloadFilter {
    pub status: Option<EpisodeStatus>,
    pub flag: Option<FlagKind>,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
}

pub const CASELOAD_PAGE_SIZE: u32 = 50;

fn status_rank(s: EpisodeStatus) -> u8 {
    match s {
        EpisodeStatus::Active => 0,
        EpisodeStatus::RelapsePrevention => 1,
        EpisodeStatus::Discharged => 2,
    }
}

/// Highest-priority flag first (FlagKind order), then more flags, then longer overdue.
fn attention_key(r: &CaseloadRow) -> (usize, std::cmp::Reverse<usize>) {
    let top = r
        .flags
        .iter()
        .map(|f| {
            FlagKind::ALL
                .iter()
                .position(|k| *k == f.kind)
                .unwrap_or(usize::MAX)
        })
        .min()
        .unwrap_or(usize::MAX);
    (top, std::cmp::Reverse(r.flags.len()))
}

/// Sorts rows by a column. Missing values sort last in either direction; ties go by name, then
/// patient id, so the order is total and pages never overlap.
pub fn sort_rows(rows: &mut [CaseloadRow], key: SortKey, descending: bool) {
    use std::cmp::Ordering;
    fn opt<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) if descending => b.cmp(&a),
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    fn dir(o: Ordering, descending: bool) -> Ordering {
        if descending {
            o.reverse()
        } else {
            o
        }
    }
    // Percent change in tenths of a percent, for a total order on f64.
    let pct = |r: &CaseloadRow| r.percent_change.map(|p| (p * 10.0).round() as i64);
    rows.sort_by(|a, b| {
        let primary = match key {
            SortKey::Attention => dir(attention_key(a).cmp(&attention_key(b)), descending),
            SortKey::Name => dir(
                a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                descending,
            ),
            SortKey::Mrn => dir(a.mrn.cmp(&b.mrn), descending),
            SortKey::Status => dir(
                status_rank(a.status).cmp(&status_rank(b.status)),
                descending,
            ),
            SortKey::Weeks => dir(a.weeks_in_treatment.cmp(&b.weeks_in_treatment), descending),
            SortKey::Baseline => opt(a.baseline_phq9, b.baseline_phq9, descending),
            SortKey::Latest => opt(a.latest_phq9, b.latest_phq9, descending),
            SortKey::Change => opt(pct(a), pct(b), descending),
            SortKey::Gad7 => opt(a.latest_gad7, b.latest_gad7, descending),
            SortKey::LastContact => opt(a.last_contact_on, b.last_contact_on, descending),
            SortKey::NextDue => opt(a.next_contact_due, b.next_contact_due, descending),
            SortKey::Flags => dir(a.flags.len().cmp(&b.flags.len()), descending),
        };
        primary
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.patient_id.cmp(&b.patient_id))
    });
}

/// The caseload screen's page: filtered, sorted, cut to one page, with how many rows carry each
/// flag before the flag filter (for the filter's counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseloadPage {
    pub page: Page<CaseloadRow>,
    pub flag_counts: Vec<(FlagKind, usize)>,
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
}

pub fn caseload_page(
    mut rows: Vec<CaseloadRow>,
    filter: &CaseloadFilter,
    as_of: NaiveDate,
) -> CaseloadPage {
    if let Some(status) = filter.status {
        rows.retain(|r| r.status == status);
    }
    let flag_counts = FlagKind::ALL
        .into_iter()
        .map(|k| (k, rows.iter().filter(|r| r.has(k)).count()))
        .collect();
    if let Some(flag) = filter.flag {
        rows.retain(|r| r.has(flag));
    }
    sort_rows(&mut rows, filter.sort, filter.descending);
    let total = rows.len() as u64;
    let page = filter.page.max(1);
    let offset = (page - 1).saturating_mul(CASELOAD_PAGE_SIZE);
    let rows = rows
        .into_iter()
        .skip(offset as usize)
        .take(CASELOAD_PAGE_SIZE as usize)
        .collect();
    CaseloadPage {
        page: Page {
            rows,
            total,
            offset,
            limit: CASELOAD_PAGE_SIZE,
        },
        flag_counts,
        as_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EpisodeData, Flag, Responses};
    use crate::model::{ClinicId, EpisodeId, MeasurementId, Patient, PatientId};
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn phq9(id: i64, on: &str, total: u8) -> Score {
        let mut items = vec![Some(0i64); 9];
        let mut left = total;
        for item in items.iter_mut().take(8) {
            let v = left.min(3);
            *item = Some(i64::from(v));
            left -= v;
        }
        let r = Responses::from_items(Instrument::Phq9, &items).expect("valid");
        Score::new(MeasurementId(id), date(on), &r)
    }

    fn item(id: i64, name: &str, scores: Vec<Score>) -> CaseloadEpisode {
        let mut data = EpisodeData::new(PatientId(id), EpisodeId(id), date("2026-01-05"));
        data.scores = scores;
        CaseloadEpisode {
            patient: Patient {
                id: PatientId(id),
                clinic_id: ClinicId(1),
                mrn: format!("MRN{id:03}"),
                given_name: "Test".to_owned(),
                family_name: name.to_owned(),
                birth_date: date("1980-01-01"),
            },
            care_manager_id: Some(1),
            care_manager_name: Some("Casey".to_owned()),
            data,
        }
    }

    #[test]
    fn caseload_row_takes_every_number_from_the_domain() {
        let rules = FlagRules::default();
        let e = item(
            1,
            "Doe",
            vec![phq9(1, "2026-01-05", 18), phq9(2, "2026-03-23", 12)],
        );
        let row = caseload_row(&e, &rules, date("2026-03-23"));
        assert_eq!(row.baseline_phq9, Some(18));
        assert_eq!(row.latest_phq9, Some(12));
        assert_eq!(row.weeks_in_treatment, 11);
        assert_eq!(row.percent_change.map(|p| p.round()), Some(-33.0));
        assert!(row.has(FlagKind::NotImproving), "{:?}", row.flags);
        assert!(row.has(FlagKind::OverdueContact));
        assert!(row.is_urgent());
        // No contact yet, and week 11 is still the early phase: due 14 days after enrollment.
        assert_eq!(row.next_contact_due, Some(date("2026-01-19")));
    }

    #[test]
    fn a_baseline_only_row_has_no_percent_change() {
        let rules = FlagRules::default();
        let e = item(1, "Doe", vec![phq9(1, "2026-01-05", 18)]);
        let row = caseload_row(&e, &rules, date("2026-01-06"));
        assert_eq!(row.percent_change, None);
        assert_eq!(row.latest_phq9, Some(18));
    }

    fn row(id: i64, name: &str, latest: Option<u8>, flags: &[FlagKind]) -> CaseloadRow {
        CaseloadRow {
            patient_id: PatientId(id),
            name: name.to_owned(),
            mrn: format!("M{id}"),
            status: EpisodeStatus::Active,
            care_manager_name: None,
            weeks_in_treatment: id,
            baseline_phq9: None,
            latest_phq9: latest,
            latest_phq9_on: None,
            percent_change: None,
            latest_gad7: None,
            self_report_on: None,
            last_contact_on: None,
            next_contact_due: None,
            flags: flags
                .iter()
                .map(|k| Flag {
                    kind: *k,
                    explanation: "why".to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn attention_puts_safety_first_and_missing_values_last() {
        let mut rows = vec![
            row(1, "A", Some(5), &[]),
            row(2, "B", None, &[FlagKind::OverdueContact]),
            row(3, "C", Some(20), &[FlagKind::Safety]),
        ];
        sort_rows(&mut rows, SortKey::Attention, false);
        assert_eq!(
            rows.iter().map(|r| r.patient_id.0).collect::<Vec<_>>(),
            [3, 2, 1]
        );
        sort_rows(&mut rows, SortKey::Latest, true);
        assert_eq!(
            rows.iter().map(|r| r.patient_id.0).collect::<Vec<_>>(),
            [3, 1, 2]
        );
        sort_rows(&mut rows, SortKey::Latest, false);
        assert_eq!(
            rows.iter().map(|r| r.patient_id.0).collect::<Vec<_>>(),
            [1, 3, 2]
        );
    }

    #[test]
    fn caseload_page_filters_counts_and_pages() {
        let rows: Vec<_> = (1..=120)
            .map(|i| {
                row(
                    i,
                    &format!("P{i:03}"),
                    None,
                    if i % 3 == 0 { &[FlagKind::Safety] } else { &[] },
                )
            })
            .collect();
        let filter = CaseloadFilter {
            flag: Some(FlagKind::Safety),
            sort: SortKey::Name,
            page: 1,
            ..CaseloadFilter::default()
        };
        let page = caseload_page(rows.clone(), &filter, date("2026-01-01"));
        assert_eq!(page.page.total, 40);
        assert_eq!(page.page.rows.len(), 40);
        assert!(page.flag_counts.contains(&(FlagKind::Safety, 40)));
        let second = caseload_page(
            rows,
            &CaseloadFilter {
                page: 3,
                ..CaseloadFilter::default()
            },
            date("2026-01-01"),
        );
        assert_eq!(second.page.total, 120);
        assert_eq!(second.page.rows.len(), 20);
        assert_eq!(second.page.offset, 100);
    }

    proptest! {
        /// Every sort is a permutation whose pages neither overlap nor skip a row.
        #[test]
        fn sorting_is_a_total_order(latest in proptest::collection::vec(proptest::option::of(0u8..28), 1..60), key in 0usize..12, desc in any::<bool>()) {
            let rows: Vec<_> = latest.iter().enumerate().map(|(i, l)| row(i as i64, "Same", *l, &[])).collect();
            let key = SortKey::ALL[key];
            let mut a = rows.clone();
            sort_rows(&mut a, key, desc);
            let mut b = rows.into_iter().rev().collect::<Vec<_>>();
            sort_rows(&mut b, key, desc);
            prop_assert_eq!(a, b);
        }
    }
}
