//! Rows of the report statements and their conversion to the report types.

use app::domain::quality::PatientFacts;
use app::domain::{Contact, ContactKind, Instrument, Responses, Score, TargetCondition};
use app::model::{EpisodeId, MeasurementId, PatientId};
use app::ports::StoreError;
use app::reports::{BillingMinutes, CaseloadCount};
use chrono::NaiveDate;

use super::rows::status;

#[derive(Debug, sqlx::FromRow)]
pub struct CaseloadCountRow {
    pub care_manager_id: Option<i64>,
    pub care_manager_name: Option<String>,
    pub status: String,
    pub patients: i64,
}

impl TryFrom<CaseloadCountRow> for CaseloadCount {
    type Error = StoreError;
    fn try_from(r: CaseloadCountRow) -> Result<Self, StoreError> {
        Ok(CaseloadCount {
            care_manager_id: r.care_manager_id,
            care_manager_name: r.care_manager_name,
            status: status(&r.status)?,
            patients: u64::try_from(r.patients).unwrap_or(0),
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct BillingMinutesRow {
    pub patient_id: i64,
    pub episode_id: i64,
    pub family_name: String,
    pub given_name: String,
    pub mrn: String,
    pub enrolled_on: NaiveDate,
    pub pcp: String,
    pub care_manager_name: Option<String>,
    pub minutes: i64,
}

impl TryFrom<BillingMinutesRow> for BillingMinutes {
    type Error = StoreError;
    fn try_from(r: BillingMinutesRow) -> Result<Self, StoreError> {
        Ok(BillingMinutes {
            patient_id: PatientId(r.patient_id),
            episode_id: EpisodeId(r.episode_id),
            name: format!("{}, {}", r.family_name, r.given_name),
            mrn: r.mrn,
            enrolled_on: r.enrolled_on,
            pcp: r.pcp,
            care_manager_name: r.care_manager_name,
            minutes: u32::try_from(r.minutes).map_err(|_| {
                StoreError::Corrupt(format!("episode {}: minutes out of range", r.episode_id))
            })?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ExclusionRow {
    pub id: i64,
    pub birth_date: NaiveDate,
    pub measure_exclusions: String,
}

impl TryFrom<ExclusionRow> for PatientFacts {
    type Error = StoreError;
    fn try_from(r: ExclusionRow) -> Result<Self, StoreError> {
        Ok(PatientFacts {
            patient_id: PatientId(r.id),
            birth_date: r.birth_date,
            exclusions: super::care_rows::decode_exclusions(&r.measure_exclusions)?,
        })
    }
}

/// The code a target condition filter binds: '' for all.
pub fn target_code(target: Option<TargetCondition>) -> String {
    target.map_or_else(String::new, |t| t.code().to_owned())
}

/// One episode's records packed into a text by the database (`report_sql::PACKED_*`).
#[derive(Debug, sqlx::FromRow)]
pub struct PackedRow {
    pub episode_id: i64,
    pub packed: String,
}

fn corrupt(episode: i64, what: &str) -> StoreError {
    StoreError::Corrupt(format!("episode {episode}: unreadable packed {what}"))
}

/// A `YYYY-MM-DD` day, read without a format string: reports read a few hundred thousand.
fn day(raw: &str) -> Option<NaiveDate> {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse::<u32>().ok())?
    };
    let year = i32::try_from(num(raw.get(0..4)?)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(raw.get(5..7)?)?, num(raw.get(8..10)?)?)
}

/// The PHQ-9 scores of one episode's packed text.
pub fn unpack_scores(episode_id: i64, packed: &str) -> Result<Vec<Score>, StoreError> {
    packed
        .split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut parts = item.split(':');
            let id = parts.next().and_then(|v| v.parse::<i64>().ok());
            let taken_on = parts.next().and_then(day);
            let total = parts.next().and_then(|v| v.parse::<u8>().ok());
            match (id, taken_on, total, parts.next()) {
                (Some(id), Some(taken_on), Some(total), None) if total <= 27 => Ok(Score {
                    id: MeasurementId(id),
                    taken_on,
                    instrument: Instrument::Phq9,
                    total,
                    item9: None,
                }),
                _ => Err(corrupt(episode_id, "scores")),
            }
        })
        .collect()
}

/// Every score of one episode's packed text, `id:instrument:day:items:total` separated by `;`
/// (`care_sql::caseload_sql_with`), with the item answers the rules read (item 9).
pub fn unpack_rule_scores(episode_id: i64, packed: &str) -> Result<Vec<Score>, StoreError> {
    packed
        .split(';')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let bad = || corrupt(episode_id, "scores");
            let mut parts = item.split(':');
            let id = parts.next().and_then(|v| v.parse::<i64>().ok());
            let instrument = parts.next().and_then(|v| Instrument::from_code(v).ok());
            let taken_on = parts.next().and_then(day);
            let items = parts.next();
            let total = parts.next().and_then(|v| v.parse::<i64>().ok());
            let (Some(id), Some(instrument), Some(taken_on), Some(items), Some(total), None) =
                (id, instrument, taken_on, items, total, parts.next())
            else {
                return Err(bad());
            };
            let responses = if items.is_empty() {
                Responses::total_only(instrument, total).map_err(|_| bad())?
            } else {
                let answers: Vec<Option<i64>> =
                    items.split(',').map(|s| s.parse::<i64>().ok()).collect();
                let responses = Responses::from_items(instrument, &answers).map_err(|_| bad())?;
                if i64::from(responses.total()) != total {
                    return Err(bad());
                }
                responses
            };
            Ok(Score::new(MeasurementId(id), taken_on, &responses))
        })
        .collect()
}

/// Comma-separated `YYYY-MM-DD` days of one episode (psychiatric reviews).
pub fn unpack_days(episode_id: i64, packed: &str) -> Result<Vec<NaiveDate>, StoreError> {
    packed
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| day(d).ok_or_else(|| corrupt(episode_id, "review days")))
        .collect()
}

/// The contacts of one episode's packed text.
pub fn unpack_contacts(episode_id: i64, packed: &str) -> Result<Vec<Contact>, StoreError> {
    packed
        .split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut parts = item.split(':');
            let on = parts.next().and_then(day);
            let kind = parts.next().and_then(ContactKind::from_code);
            let minutes = parts.next().and_then(|v| v.parse::<u32>().ok());
            let by_care_manager = match parts.next() {
                Some("1") => Some(true),
                Some("0") => Some(false),
                _ => None,
            };
            match (on, kind, minutes, by_care_manager, parts.next()) {
                (Some(on), Some(kind), Some(minutes), Some(by_care_manager), None) => Ok(Contact {
                    on,
                    kind,
                    minutes,
                    by_care_manager,
                }),
                _ => Err(corrupt(episode_id, "contacts")),
            }
        })
        .collect()
}

/// A row of [`super::report_sql::OUTCOME_EPISODES`].
#[derive(Debug, sqlx::FromRow)]
pub struct PackedChunkRow {
    pub packed: String,
}

/// The episodes of packed chunks, each with its PHQ-9 scores, contacts and review days.
pub fn unpack_episodes(
    rows: &[PackedChunkRow],
) -> Result<Vec<app::domain::EpisodeData>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        for item in row.packed.split(';').filter(|i| !i.is_empty()) {
            let f: Vec<&str> = item.split('|').collect();
            let [id, patient, enrolled, discharged, status_code, targets, scores, contacts, reviews] =
                f[..]
            else {
                return Err(StoreError::Corrupt("unreadable packed episode".to_owned()));
            };
            let episode_id = id
                .parse::<i64>()
                .map_err(|_| StoreError::Corrupt("unreadable packed episode id".to_owned()))?;
            let bad = || corrupt(episode_id, "episode");
            let mut data = app::domain::EpisodeData::new(
                PatientId(patient.parse().map_err(|_| bad())?),
                EpisodeId(episode_id),
                day(enrolled).ok_or_else(bad)?,
            );
            data.discharged_on = if discharged.is_empty() {
                None
            } else {
                Some(day(discharged).ok_or_else(bad)?)
            };
            data.status = status(status_code)?;
            data.targets = super::care_rows::decode_targets(targets)?;
            data.scores = unpack_scores(episode_id, scores)?;
            for contact in unpack_contacts(episode_id, contacts)? {
                data.record_contact(contact);
            }
            for d in reviews.split(',').filter(|d| !d.is_empty()) {
                data.psychiatric_reviews.push(day(d).ok_or_else(bad)?);
            }
            out.push(data);
        }
    }
    Ok(out)
}

/// A report's episodes with their PHQ-9 scores, contacts and psychiatric reviews (what the
/// outcome, programme and quality figures read; events, treatment changes and marks are not
/// loaded).
pub fn assemble_population(
    episodes: Vec<super::care_rows::CaseloadEpisodeRow>,
    scores: Vec<PackedRow>,
    contacts: Vec<PackedRow>,
    reviews: Vec<super::review_rows::ReviewDateRow>,
) -> Result<Vec<app::model::CaseloadEpisode>, StoreError> {
    let mut out = Vec::with_capacity(episodes.len());
    let mut index = std::collections::HashMap::with_capacity(episodes.len());
    for row in episodes {
        let (patient, data, care_manager_id, care_manager_name) = row.into_parts()?;
        index.insert(data.episode_id.0, out.len());
        out.push(app::model::CaseloadEpisode {
            patient,
            care_manager_id,
            care_manager_name,
            data,
        });
    }
    for row in &scores {
        if let Some(&i) = index.get(&row.episode_id) {
            out[i].data.scores = unpack_scores(row.episode_id, &row.packed)?;
        }
    }
    for row in &contacts {
        if let Some(&i) = index.get(&row.episode_id) {
            for contact in unpack_contacts(row.episode_id, &row.packed)? {
                out[i].data.record_contact(contact);
            }
        }
    }
    for row in reviews {
        if let Some(&i) = index.get(&row.episode_id) {
            out[i].data.psychiatric_reviews.push(row.reviewed_on);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_scores_and_contacts_unpack_in_order() {
        let scores = unpack_scores(7, "3:2026-01-05:16,9:2026-02-02:8").expect("scores");
        assert_eq!(scores.len(), 2);
        assert_eq!((scores[1].id, scores[1].total), (MeasurementId(9), 8));
        let contacts = unpack_contacts(
            7,
            "2026-01-12:phone:30:1,2026-02-10:psychiatric_consultation:30:0",
        )
        .expect("contacts");
        assert_eq!(contacts[0].minutes, 30);
        assert!(contacts[0].by_care_manager && !contacts[1].by_care_manager);
        assert_eq!(contacts[1].kind, ContactKind::PsychiatricConsultation);
    }

    #[test]
    fn damaged_packed_text_is_reported_not_guessed() {
        for bad in [
            "3:2026-01-05",
            "x:2026-01-05:16",
            "3:2026-13-05:16",
            "3:2026-01-05:28",
            "3:2026-01-05:16:9",
        ] {
            assert!(unpack_scores(7, bad).is_err(), "{bad}");
        }
        for bad in [
            "2026-01-12:phone:30",
            "2026-01-12:fax:30:1",
            "2026-01-12:phone:30:2",
        ] {
            assert!(unpack_contacts(7, bad).is_err(), "{bad}");
        }
    }
}
