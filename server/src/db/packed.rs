//! Records packed by the database into one text per episode (`string_agg`), and their reading:
//! handing over a row costs more than the database's work for it, so the caseload, the review
//! list and the reports read an episode's scores, contacts and review days as one row each.
//!
//! The texts come in whatever order the database aggregated them (`string_agg` without `ORDER
//! BY`: sorting inside every aggregate cost SQLite a quarter of the reports' read), and each
//! reader here puts them in date order: scores by day and id, contacts and days by day.

use app::domain::{Contact, ContactKind, Instrument, Responses, Score};
use app::model::MeasurementId;
use app::ports::StoreError;
use chrono::NaiveDate;

/// One episode's records packed into a text by the database (`report_sql::PACKED_*`).
#[derive(Debug, sqlx::FromRow)]
pub struct PackedRow {
    pub episode_id: i64,
    pub packed: String,
}

pub(crate) fn corrupt(episode: i64, what: &str) -> StoreError {
    StoreError::Corrupt(format!("episode {episode}: unreadable packed {what}"))
}

/// A `YYYY-MM-DD` day, read without a format string: reports read a few hundred thousand.
pub(crate) fn day(raw: &str) -> Option<NaiveDate> {
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

/// Scores in date and entry order, as the rules and figures read them (first, latest).
fn by_day(mut scores: Vec<Score>) -> Vec<Score> {
    scores.sort_by_key(|s| (s.taken_on, s.id));
    scores
}

/// The PHQ-9 scores of one episode's packed text, in date and entry order.
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
        .collect::<Result<Vec<_>, _>>()
        .map(by_day)
}

/// Every score of one episode's packed text, `id:instrument:day:items:total` separated by `;`
/// (`care_sql::caseload_sql_with`), with the item answers the rules read (item 9), in date and
/// entry order.
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
        .collect::<Result<Vec<_>, _>>()
        .map(by_day)
}

/// Comma-separated `YYYY-MM-DD` days of one episode (psychiatric reviews), earliest first.
pub fn unpack_days(episode_id: i64, packed: &str) -> Result<Vec<NaiveDate>, StoreError> {
    packed
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| day(d).ok_or_else(|| corrupt(episode_id, "review days")))
        .collect::<Result<Vec<_>, _>>()
        .map(|mut days| {
            days.sort_unstable();
            days
        })
}

/// The contacts of one episode's packed text, by day (a day's contacts in the order given).
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
        .collect::<Result<Vec<_>, _>>()
        .map(|mut contacts| {
            contacts.sort_by_key(|c| c.on);
            contacts
        })
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
    fn packed_records_in_any_order_are_read_in_date_order() {
        let scores = unpack_scores(7, "9:2026-02-02:8,4:2026-01-05:12,3:2026-01-05:16").expect("s");
        let order: Vec<(i64, u8)> = scores.iter().map(|s| (s.id.0, s.total)).collect();
        assert_eq!(order, [(3, 16), (4, 12), (9, 8)]);
        let rules = unpack_rule_scores(7, "5:PHQ-9:2026-02-02::8;4:GAD-7:2026-01-05::12")
            .expect("rule scores");
        assert_eq!(rules[0].instrument, Instrument::Gad7);
        let contacts =
            unpack_contacts(7, "2026-02-10:phone:20:1,2026-01-12:video:30:1").expect("contacts");
        assert_eq!(contacts[0].kind, ContactKind::Video);
        let days = unpack_days(7, "2026-03-04,2026-01-07").expect("days");
        assert!(days[0] < days[1]);
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

    #[test]
    fn packed_rule_scores_keep_instrument_items_and_item9() {
        let scores = unpack_rule_scores(
            7,
            "3:PHQ-9:2026-01-05:2,2,2,2,2,2,2,2,1:17;4:GAD-7:2026-01-05::12;5:PHQ-9:2026-02-02::8",
        )
        .expect("scores");
        assert_eq!(scores.len(), 3);
        assert_eq!(
            (scores[0].instrument, scores[0].total, scores[0].item9),
            (Instrument::Phq9, 17, Some(1))
        );
        assert_eq!(
            (scores[1].instrument, scores[1].total),
            (Instrument::Gad7, 12)
        );
        assert_eq!((scores[2].id, scores[2].item9), (MeasurementId(5), None));
        for bad in [
            "3:PHQ-9:2026-01-05:2,2,2,2,2,2,2,2,1:18",
            "3:PHQ-8:2026-01-05::10",
            "3:PHQ-9:2026-01-05::28",
            "3:PHQ-9:2026-01-05:2,2:4",
            "3:PHQ-9:2026-01-05::10:1",
        ] {
            assert!(unpack_rule_scores(7, bad).is_err(), "{bad}");
        }
        assert_eq!(
            unpack_days(7, "2026-01-07,2026-02-04").expect("days").len(),
            2
        );
        assert!(unpack_days(7, "2026-01-07,yesterday").is_err());
    }
}
