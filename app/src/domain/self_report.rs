//! Patient self-report links: the rules of a link's life (expiry, single use, revocation, the
//! birth-date gate's lockout) and of the answers a patient gives through it, one question per
//! screen. Pure: the server stores links and keeps time; this module decides.
//!
//! DOMAIN.md is silent on self-report. The choices here are listed in `docs/DOMAIN-NOTES.md`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::instrument::{Difficulty, Instrument, InstrumentError, Responses, ITEM9_ALERT_FROM};

/// Wrong birth dates a link accepts before it locks. A locked link never opens again; the care
/// team makes a new one.
pub const MAX_BIRTH_DATE_ATTEMPTS: u32 = 5;

/// How long a patient stays through the birth-date gate on one device.
pub const VISIT_MINUTES: i64 = 60;

/// The instruments a patient may answer by link.
pub const SELF_REPORT_INSTRUMENTS: [Instrument; 2] = [Instrument::Phq9, Instrument::Gad7];

/// Where a link stands, as the care manager sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Made and handed to the patient; not opened yet.
    Sent,
    /// The patient got through the birth-date gate.
    Opened,
    /// The answers were sent and recorded.
    Completed,
    /// Not completed within its lifetime.
    Expired,
    /// Withdrawn by the care team.
    Revoked,
    /// Too many wrong birth dates.
    Locked,
}

impl LinkStatus {
    pub fn label(self) -> &'static str {
        match self {
            LinkStatus::Sent => "Sent",
            LinkStatus::Opened => "Opened",
            LinkStatus::Completed => "Completed",
            LinkStatus::Expired => "Expired",
            LinkStatus::Revoked => "Revoked",
            LinkStatus::Locked => "Locked (wrong birth dates)",
        }
    }

    /// Whether the link can still be answered.
    pub fn is_outstanding(self) -> bool {
        matches!(self, LinkStatus::Sent | LinkStatus::Opened)
    }
}

/// A self-report link's life, as stored. The token itself is never kept, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkLife {
    #[serde(with = "crate::wire_dates")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::wire_dates")]
    pub expires_at: DateTime<Utc>,
    #[serde(default, with = "crate::wire_dates")]
    pub opened_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::wire_dates")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::wire_dates")]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(default, with = "crate::wire_dates")]
    pub locked_at: Option<DateTime<Utc>>,
    pub failed_attempts: u32,
}

/// Why a link cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("this link has expired")]
    Expired,
    #[error("these answers have already been sent")]
    Used,
    #[error("this link was withdrawn by the care team")]
    Revoked,
    #[error("this link is locked after too many wrong dates of birth")]
    Locked,
}

impl LinkLife {
    /// A new link made at `now` that lasts `days`.
    pub fn new(now: DateTime<Utc>, days: u32) -> Self {
        LinkLife {
            created_at: now,
            expires_at: now + Duration::days(i64::from(days)),
            opened_at: None,
            completed_at: None,
            revoked_at: None,
            locked_at: None,
            failed_attempts: 0,
        }
    }

    /// The status at `now`. A completed link stays completed after its expiry; a revoked or
    /// locked one stays so.
    pub fn status(&self, now: DateTime<Utc>) -> LinkStatus {
        if self.completed_at.is_some() {
            LinkStatus::Completed
        } else if self.revoked_at.is_some() {
            LinkStatus::Revoked
        } else if self.locked_at.is_some() {
            LinkStatus::Locked
        } else if now >= self.expires_at {
            LinkStatus::Expired
        } else if self.opened_at.is_some() {
            LinkStatus::Opened
        } else {
            LinkStatus::Sent
        }
    }

    /// Whether a patient may answer through the link at `now`.
    pub fn usable(&self, now: DateTime<Utc>) -> Result<(), Unusable> {
        match self.status(now) {
            LinkStatus::Sent | LinkStatus::Opened => Ok(()),
            LinkStatus::Completed => Err(Unusable::Used),
            LinkStatus::Revoked => Err(Unusable::Revoked),
            LinkStatus::Locked => Err(Unusable::Locked),
            LinkStatus::Expired => Err(Unusable::Expired),
        }
    }

    /// The link after a wrong birth date at `now`: one more failure, and locked at the limit.
    pub fn after_wrong_birth_date(&self, now: DateTime<Utc>) -> LinkLife {
        let failed_attempts = self.failed_attempts.saturating_add(1);
        LinkLife {
            failed_attempts,
            locked_at: self
                .locked_at
                .or_else(|| (failed_attempts >= MAX_BIRTH_DATE_ATTEMPTS).then_some(now)),
            ..self.clone()
        }
    }

    /// The link after the right birth date at `now`: opened (the first time only).
    pub fn after_opening(&self, now: DateTime<Utc>) -> LinkLife {
        LinkLife {
            opened_at: self.opened_at.or(Some(now)),
            ..self.clone()
        }
    }
}

/// Whether the birth date a patient typed is the one on record.
pub fn birth_date_matches(recorded: NaiveDate, typed: NaiveDate) -> bool {
    recorded == typed
}

/// A date of birth typed as day, month and year (the three boxes of the gate), or why not.
pub fn parse_birth_date(day: &str, month: &str, year: &str) -> Result<NaiveDate, &'static str> {
    let number = |s: &str| s.trim().parse::<u32>().ok();
    let (Some(d), Some(m), Some(y)) = (number(day), number(month), number(year)) else {
        return Err("Enter your date of birth as numbers: day, month and year.");
    };
    if !(1900..=2100).contains(&y) {
        return Err("Enter the year of your birth with four digits, for example 1980.");
    }
    let year = i32::try_from(y).map_err(|_| "Enter a real date of birth.")?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or("Enter a real date of birth.")
}

/// Which instruments a link asks for: one or both of PHQ-9 and GAD-7, in that order.
pub fn link_instruments(codes: &[String]) -> Result<Vec<Instrument>, &'static str> {
    let mut out = Vec::new();
    for code in codes {
        let instrument = Instrument::from_code(code.trim())
            .ok()
            .filter(|i| SELF_REPORT_INSTRUMENTS.contains(i))
            .ok_or("Choose the PHQ-9, the GAD-7 or both.")?;
        if !out.contains(&instrument) {
            out.push(instrument);
        }
    }
    if out.is_empty() {
        return Err("Choose at least one questionnaire.");
    }
    out.sort_by_key(|i| SELF_REPORT_INSTRUMENTS.iter().position(|x| x == i));
    Ok(out)
}

/// The stored form of a link's instruments: "PHQ-9,GAD-7".
pub fn encode_instruments(instruments: &[Instrument]) -> String {
    instruments
        .iter()
        .map(|i| i.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads [`encode_instruments`]' form back.
pub fn decode_instruments(stored: &str) -> Result<Vec<Instrument>, InstrumentError> {
    stored.split(',').map(Instrument::from_code).collect()
}

/// One screen of the questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A scored item: the instrument and its 1-based item number.
    Item(Instrument, usize),
    /// The unscored PHQ-9 difficulty question, which the patient may skip.
    Difficulty,
}

/// The screens for a link's instruments, in order: each instrument's items, and the PHQ-9's
/// difficulty question after its ninth item.
pub fn steps(instruments: &[Instrument]) -> Vec<Step> {
    let mut out = Vec::new();
    for &instrument in instruments {
        out.extend((1..=instrument.item_count()).map(|item| Step::Item(instrument, item)));
        if instrument == Instrument::Phq9 {
            out.push(Step::Difficulty);
        }
    }
    out
}

/// Why an answer to one screen was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("There is no question {0} in this questionnaire.")]
    NoSuchStep(usize),
    #[error("Choose one of the answers.")]
    NoAnswer,
    #[error("Choose one of the answers shown.")]
    NotAnAnswer,
}

/// The answers given so far through one link. Stored between screens as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// PHQ-9 answers by item (index 0 = item 1).
    #[serde(default)]
    pub phq9: Vec<Option<u8>>,
    #[serde(default)]
    pub gad7: Vec<Option<u8>>,
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
    /// Whether the difficulty screen was passed (answered or skipped).
    #[serde(default)]
    pub difficulty_seen: bool,
}

impl Draft {
    fn items_mut(&mut self, instrument: Instrument) -> &mut Vec<Option<u8>> {
        let items = match instrument {
            Instrument::Gad7 => &mut self.gad7,
            _ => &mut self.phq9,
        };
        items.resize(instrument.item_count(), None);
        items
    }

    fn items(&self, instrument: Instrument) -> &[Option<u8>] {
        match instrument {
            Instrument::Gad7 => &self.gad7,
            _ => &self.phq9,
        }
    }

    /// The answer given to a scored item, if any.
    pub fn item(&self, instrument: Instrument, item: usize) -> Option<u8> {
        self.items(instrument)
            .get(item.wrapping_sub(1))
            .copied()
            .flatten()
    }

    /// Records the answer to screen `step` (1-based) of `instruments`. A scored item takes "0"–"3";
    /// the difficulty question takes a difficulty code or nothing (it is not scored).
    pub fn answer(
        &mut self,
        instruments: &[Instrument],
        step: usize,
        value: Option<&str>,
    ) -> Result<(), AnswerError> {
        let steps = steps(instruments);
        let screen = step
            .checked_sub(1)
            .and_then(|i| steps.get(i))
            .ok_or(AnswerError::NoSuchStep(step))?;
        let value = value.map(str::trim).filter(|v| !v.is_empty());
        match *screen {
            Step::Item(instrument, item) => {
                let value = value.ok_or(AnswerError::NoAnswer)?;
                let score = value
                    .parse::<u8>()
                    .ok()
                    .filter(|v| *v <= 3)
                    .ok_or(AnswerError::NotAnAnswer)?;
                self.items_mut(instrument)[item - 1] = Some(score);
            }
            Step::Difficulty => {
                self.difficulty = match value {
                    None => None,
                    Some(code) => {
                        Some(Difficulty::from_code(code).ok_or(AnswerError::NotAnAnswer)?)
                    }
                };
                self.difficulty_seen = true;
            }
        }
        Ok(())
    }

    /// Whether PHQ-9 item 9 has been answered above 0 ("Not at all").
    pub fn item9_positive(&self) -> bool {
        self.item(Instrument::Phq9, 9)
            .is_some_and(|v| v >= ITEM9_ALERT_FROM)
    }

    /// The first screen (1-based) not yet answered, or `None` when every screen is done.
    pub fn next_step(&self, instruments: &[Instrument]) -> Option<usize> {
        steps(instruments)
            .iter()
            .position(|s| match *s {
                Step::Item(i, n) => self.item(i, n).is_none(),
                Step::Difficulty => !self.difficulty_seen,
            })
            .map(|i| i + 1)
    }

    /// The validated answer sets, one per instrument, or the first item missing. They pass the
    /// same checks as a score entered by staff.
    pub fn responses(&self, instruments: &[Instrument]) -> Result<Vec<Responses>, InstrumentError> {
        instruments
            .iter()
            .map(|&instrument| {
                let mut answers: Vec<Option<i64>> = self
                    .items(instrument)
                    .iter()
                    .map(|a| a.map(i64::from))
                    .collect();
                answers.resize(instrument.item_count(), None);
                let responses = Responses::from_items(instrument, &answers)?;
                match (instrument, self.difficulty) {
                    (Instrument::Phq9, Some(d)) => responses.with_difficulty(d),
                    _ => Ok(responses),
                }
            })
            .collect()
    }
}

/// Whether a self-report received on `received_on` still waits for the care team: no contact
/// with the patient since. A contact on the same day counts as the follow-up.
pub fn awaiting_follow_up(received_on: NaiveDate, last_contact_on: Option<NaiveDate>) -> bool {
    last_contact_on.is_none_or(|contact| contact < received_on)
}

/// What a clinic tells patients and how long its links last (a clinic setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelfReportSettings {
    /// Days a link stays usable.
    pub link_days: u32,
    /// Shown to a patient at once when they answer PHQ-9 item 9 above 0.
    pub crisis_text: String,
    /// The crisis line's number, offered as a call link.
    pub crisis_phone: String,
}

pub const DEFAULT_LINK_DAYS: u32 = 7;

/// The 988 Suicide & Crisis Lifeline (United States). Clinics elsewhere change it.
pub const DEFAULT_CRISIS_TEXT: &str = "If you are thinking about suicide or hurting yourself, \
    you are not alone and help is available now. Call or text 988 to reach the 988 Suicide & \
    Crisis Lifeline, free and open 24 hours a day, or chat at 988lifeline.org. If you are in \
    immediate danger, call 911 or go to the nearest emergency department.";
pub const DEFAULT_CRISIS_PHONE: &str = "988";

impl Default for SelfReportSettings {
    fn default() -> Self {
        SelfReportSettings {
            link_days: DEFAULT_LINK_DAYS,
            crisis_text: DEFAULT_CRISIS_TEXT.to_owned(),
            crisis_phone: DEFAULT_CRISIS_PHONE.to_owned(),
        }
    }
}

impl SelfReportSettings {
    /// Out-of-range values as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if !(1..=30).contains(&self.link_days) {
            out.push(("self_report.link_days", "must be 1–30 days"));
        }
        let text = self.crisis_text.trim();
        if text.is_empty() || text.chars().count() > 1000 {
            out.push(("self_report.crisis_text", "must be 1–1000 characters"));
        }
        let phone = self.crisis_phone.trim();
        let dialable = phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
        if phone.is_empty()
            || phone.len() > 20
            || !dialable
            || !phone.chars().any(|c| c.is_ascii_digit())
        {
            out.push((
                "self_report.crisis_phone",
                "must be a phone number of digits, spaces, +, - or brackets",
            ));
        }
        out
    }

    /// The number as a `tel:` link target: digits and a leading plus only.
    pub fn tel_href(&self) -> String {
        let digits: String = self
            .crisis_phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        format!("tel:{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).expect("instant") + Duration::hours(hours)
    }

    #[test]
    fn a_new_link_is_sent_and_lasts_its_days() {
        let life = LinkLife::new(at(0), 7);
        assert_eq!(life.status(at(0)), LinkStatus::Sent);
        assert_eq!(life.status(at(7 * 24 - 1)), LinkStatus::Sent);
        assert_eq!(life.status(at(7 * 24)), LinkStatus::Expired);
        assert_eq!(life.usable(at(7 * 24)), Err(Unusable::Expired));
    }

    #[test]
    fn opening_a_link_keeps_the_first_time() {
        let life = LinkLife::new(at(0), 7)
            .after_opening(at(1))
            .after_opening(at(5));
        assert_eq!(life.opened_at, Some(at(1)));
        assert_eq!(life.status(at(6)), LinkStatus::Opened);
        assert_eq!(life.usable(at(6)), Ok(()));
    }

    #[test]
    fn a_completed_link_cannot_be_used_again_even_before_it_expires() {
        let mut life = LinkLife::new(at(0), 7).after_opening(at(1));
        life.completed_at = Some(at(2));
        assert_eq!(life.usable(at(3)), Err(Unusable::Used));
        // Completed stays completed after the expiry: the care manager sees what happened.
        assert_eq!(life.status(at(30 * 24)), LinkStatus::Completed);
    }

    #[test]
    fn a_revoked_link_cannot_be_used() {
        let mut life = LinkLife::new(at(0), 7);
        life.revoked_at = Some(at(1));
        assert_eq!(life.usable(at(2)), Err(Unusable::Revoked));
        assert_eq!(life.status(at(2)), LinkStatus::Revoked);
    }

    #[test]
    fn the_fifth_wrong_birth_date_locks_the_link() {
        let mut life = LinkLife::new(at(0), 7);
        for n in 1..MAX_BIRTH_DATE_ATTEMPTS {
            life = life.after_wrong_birth_date(at(1));
            assert_eq!(life.failed_attempts, n);
            assert_eq!(life.usable(at(1)), Ok(()), "still usable after {n}");
        }
        life = life.after_wrong_birth_date(at(2));
        assert_eq!(life.locked_at, Some(at(2)));
        assert_eq!(life.usable(at(3)), Err(Unusable::Locked));
        // The right date afterwards does not unlock it.
        assert_eq!(
            life.after_opening(at(4)).usable(at(4)),
            Err(Unusable::Locked)
        );
    }

    #[test]
    fn birth_dates_are_typed_as_three_numbers() {
        let d = NaiveDate::from_ymd_opt(1980, 3, 27).expect("date");
        assert_eq!(parse_birth_date("27", "3", "1980"), Ok(d));
        assert_eq!(parse_birth_date(" 27 ", "03", "1980"), Ok(d));
        assert!(parse_birth_date("31", "2", "1980").is_err());
        assert!(parse_birth_date("", "2", "1980").is_err());
        assert!(parse_birth_date("1", "2", "80").is_err());
        assert!(parse_birth_date("-1", "2", "1980").is_err());
        assert!(birth_date_matches(d, d));
        assert!(!birth_date_matches(d, d.succ_opt().expect("date")));
    }

    #[test]
    fn a_link_asks_for_the_phq9_before_the_gad7_and_nothing_else() {
        let codes = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            link_instruments(&codes(&["GAD-7", "PHQ-9", "GAD-7"])),
            Ok(vec![Instrument::Phq9, Instrument::Gad7])
        );
        assert!(link_instruments(&codes(&["PHQ-2"])).is_err());
        assert!(link_instruments(&[]).is_err());
        let both = [Instrument::Phq9, Instrument::Gad7];
        assert_eq!(
            decode_instruments(&encode_instruments(&both)),
            Ok(both.to_vec())
        );
    }

    #[test]
    fn the_phq9_and_gad7_take_seventeen_screens() {
        let all = steps(&[Instrument::Phq9, Instrument::Gad7]);
        assert_eq!(all.len(), 9 + 1 + 7);
        assert_eq!(all[9], Step::Difficulty);
        assert_eq!(all[10], Step::Item(Instrument::Gad7, 1));
        assert_eq!(steps(&[Instrument::Gad7]).len(), 7);
    }

    #[test]
    fn a_draft_refuses_answers_outside_its_questions() {
        let both = [Instrument::Phq9, Instrument::Gad7];
        let mut draft = Draft::default();
        assert_eq!(
            draft.answer(&both, 0, Some("1")),
            Err(AnswerError::NoSuchStep(0))
        );
        assert_eq!(
            draft.answer(&both, 18, Some("1")),
            Err(AnswerError::NoSuchStep(18))
        );
        assert_eq!(
            draft.answer(&both, 1, Some("4")),
            Err(AnswerError::NotAnAnswer)
        );
        assert_eq!(
            draft.answer(&both, 1, Some("-1")),
            Err(AnswerError::NotAnAnswer)
        );
        assert_eq!(draft.answer(&both, 1, None), Err(AnswerError::NoAnswer));
        assert_eq!(
            draft.answer(&both, 10, Some("3")),
            Err(AnswerError::NotAnAnswer)
        );
        assert_eq!(draft, Draft::default(), "refused answers change nothing");
        assert_eq!(
            draft.answer(&both, 10, None),
            Ok(()),
            "difficulty may be skipped"
        );
    }

    #[test]
    fn a_draft_with_a_missing_item_is_not_a_score() {
        let phq = [Instrument::Phq9];
        let mut draft = Draft::default();
        for step in 1..=8 {
            draft.answer(&phq, step, Some("1")).expect("answer");
        }
        assert_eq!(draft.next_step(&phq), Some(9));
        assert_eq!(
            draft.responses(&phq),
            Err(InstrumentError::MissingItem {
                instrument: Instrument::Phq9,
                item: 9
            })
        );
        draft.answer(&phq, 9, Some("2")).expect("answer");
        assert!(draft.item9_positive());
        draft.answer(&phq, 10, Some("very")).expect("answer");
        assert_eq!(draft.next_step(&phq), None);
        let r = draft.responses(&phq).expect("complete");
        assert_eq!(r[0].total(), 10);
        assert_eq!(r[0].difficulty(), Some(Difficulty::Very));
    }

    #[test]
    fn a_self_report_waits_until_a_contact_on_or_after_its_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
        assert!(awaiting_follow_up(day, None));
        assert!(awaiting_follow_up(day, day.pred_opt()));
        assert!(!awaiting_follow_up(day, Some(day)));
        assert!(!awaiting_follow_up(day, day.succ_opt()));
    }

    #[test]
    fn the_default_crisis_resources_name_988() {
        let s = SelfReportSettings::default();
        assert!(s.problems().is_empty());
        assert!(s.crisis_text.contains("988"));
        assert_eq!(s.tel_href(), "tel:988");
        let bad = SelfReportSettings {
            link_days: 0,
            crisis_text: " ".to_owned(),
            crisis_phone: "call me".to_owned(),
        };
        assert_eq!(bad.problems().len(), 3);
    }

    proptest! {
        /// Whatever happens to a link, it is usable exactly when its status is outstanding, and
        /// once locked, revoked or completed it never becomes usable again.
        #[test]
        fn usability_follows_the_status(
            events in proptest::collection::vec(0u8..4, 0..12),
            days in 1u32..30,
            later in 0i64..(40 * 24),
        ) {
            let mut life = LinkLife::new(at(0), days);
            let mut closed = false;
            for (hour, e) in events.iter().enumerate() {
                let now = at(i64::try_from(hour).unwrap_or(0));
                life = match e {
                    0 => life.after_wrong_birth_date(now),
                    1 => life.after_opening(now),
                    2 => LinkLife { revoked_at: life.revoked_at.or(Some(now)), ..life },
                    _ => LinkLife { completed_at: life.completed_at.or(Some(now)), ..life },
                };
                let status = life.status(now);
                closed |= matches!(status, LinkStatus::Locked | LinkStatus::Revoked | LinkStatus::Completed);
                if closed {
                    prop_assert!(life.usable(now).is_err());
                }
            }
            let now = at(later);
            prop_assert_eq!(life.usable(now).is_ok(), life.status(now).is_outstanding());
        }

        /// Any sequence of answers leaves a draft whose complete answer sets total the answers.
        #[test]
        fn completed_drafts_score_like_staff_entry(answers in proptest::collection::vec(0u8..4, 16)) {
            let both = [Instrument::Phq9, Instrument::Gad7];
            let mut draft = Draft::default();
            for (i, a) in answers.iter().enumerate() {
                let step = if i < 9 { i + 1 } else { i + 2 };
                draft.answer(&both, step, Some(&a.to_string())).expect("answer");
            }
            prop_assert_eq!(draft.next_step(&both), Some(10));
            draft.answer(&both, 10, None).expect("skip");
            let r = draft.responses(&both).expect("complete");
            let phq: u8 = answers[..9].iter().sum();
            let gad: u8 = answers[9..].iter().sum();
            prop_assert_eq!(r[0].total(), phq);
            prop_assert_eq!(r[1].total(), gad);
        }
    }
}
