//! Episodes of care and their metrics (DOMAIN.md §2).
//!
//! [`EpisodeData`] is the plain input every rule reads: one episode with its scores, contacts,
//! reviews, plan changes, discharges, safety concerns and review mark. [`episode_metrics`] turns it
//! into the numbers on the registry row for any evaluation date `as_of`; data dated after `as_of`
//! is ignored, so a metric can be replayed for any past date.

use chrono::{Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::instrument::{Instrument, Responses};
use crate::model::{EpisodeId, EpisodeStatus, Measurement, MeasurementId, PatientId};

/// A condition the episode treats. It decides the primary measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCondition {
    Depression,
    Anxiety,
    /// Any other target (e.g. PTSD, chronic pain); it has no measure of its own in Tandem.
    Other,
}

impl TargetCondition {
    pub const ALL: [TargetCondition; 3] = [
        TargetCondition::Depression,
        TargetCondition::Anxiety,
        TargetCondition::Other,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            TargetCondition::Depression => "depression",
            TargetCondition::Anxiety => "anxiety",
            TargetCondition::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        TargetCondition::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetCondition::Depression => "Depression",
            TargetCondition::Anxiety => "Anxiety",
            TargetCondition::Other => "Other (e.g. PTSD, chronic pain)",
        }
    }
}

/// The billing programme an episode runs under (DOMAIN.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Program {
    /// Psychiatric Collaborative Care (CoCM: 99492/99493/99494).
    #[default]
    CollaborativeCare,
    /// General behavioral health integration (99484).
    GeneralBhi,
}

/// How a contact with the patient happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    InPerson,
    Phone,
    Video,
    /// A secure message or letter that reached the patient.
    Message,
    Group,
    /// A call or message that did not reach the patient.
    AttemptNoAnswer,
    NoShow,
    /// The patient was seen by the consulting psychiatrist (in person or by video). It is a
    /// completed contact and counts as a psychiatric review of the episode.
    PsychiatricConsultation,
}

impl ContactKind {
    pub const ALL: [ContactKind; 8] = [
        ContactKind::InPerson,
        ContactKind::Phone,
        ContactKind::Video,
        ContactKind::Message,
        ContactKind::Group,
        ContactKind::AttemptNoAnswer,
        ContactKind::NoShow,
        ContactKind::PsychiatricConsultation,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ContactKind::InPerson => "in_person",
            ContactKind::Phone => "phone",
            ContactKind::Video => "video",
            ContactKind::Message => "message",
            ContactKind::Group => "group",
            ContactKind::AttemptNoAnswer => "attempt_no_answer",
            ContactKind::NoShow => "no_show",
            ContactKind::PsychiatricConsultation => "psychiatric_consultation",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        ContactKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ContactKind::InPerson => "In person",
            ContactKind::Phone => "Phone",
            ContactKind::Video => "Video",
            ContactKind::Message => "Message",
            ContactKind::Group => "Group",
            ContactKind::AttemptNoAnswer => "Attempt, no answer",
            ContactKind::NoShow => "No-show",
            ContactKind::PsychiatricConsultation => "Psychiatric consultation",
        }
    }

    /// "Completed contact" means any contact type except "attempt, no answer" and "no-show"
    /// (DOMAIN.md §3).
    pub fn is_completed(self) -> bool {
        !matches!(self, ContactKind::AttemptNoAnswer | ContactKind::NoShow)
    }
}

/// One contact with the patient. Contacts carry a date, not a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(with = "crate::wire_dates")]
    pub on: NaiveDate,
    pub kind: ContactKind,
    pub minutes: u32,
    /// Recorded by a user with the care-manager role; only these minutes are billable.
    pub by_care_manager: bool,
}

/// One recorded score, reduced to what the rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Ids grow in entry order, so the id breaks ties between scores taken on the same day.
    pub id: MeasurementId,
    #[serde(with = "crate::wire_dates")]
    pub taken_on: NaiveDate,
    pub instrument: Instrument,
    pub total: u8,
    /// The PHQ-9 item-9 answer; `None` for other instruments and "total only" imports.
    pub item9: Option<u8>,
}

impl Score {
    pub fn new(id: MeasurementId, taken_on: NaiveDate, responses: &Responses) -> Self {
        Score {
            id,
            taken_on,
            instrument: responses.instrument(),
            total: responses.total(),
            item9: responses.item9(),
        }
    }

    /// Ordering key: by date, then by entry order.
    fn key(&self) -> (NaiveDate, MeasurementId) {
        (self.taken_on, self.id)
    }
}

impl From<&Measurement> for Score {
    fn from(m: &Measurement) -> Self {
        Score::new(m.id, m.taken_on, &m.responses)
    }
}

/// Where the patient was discharged from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DischargeSetting {
    Hospital,
    EmergencyDepartment,
}

impl DischargeSetting {
    pub const ALL: [DischargeSetting; 2] = [
        DischargeSetting::Hospital,
        DischargeSetting::EmergencyDepartment,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            DischargeSetting::Hospital => "hospital",
            DischargeSetting::EmergencyDepartment => "emergency_department",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        DischargeSetting::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DischargeSetting::Hospital => "Hospital",
            DischargeSetting::EmergencyDepartment => "ED",
        }
    }
}

/// A hospital or emergency-department discharge, in clinic-local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HospitalDischarge {
    #[serde(with = "crate::wire_dates")]
    pub at: NaiveDateTime,
    pub setting: DischargeSetting,
}

/// A safety concern recorded by staff (e.g. after a suicide-risk assessment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyConcern {
    #[serde(with = "crate::wire_dates")]
    pub raised_on: NaiveDate,
    #[serde(default, with = "crate::wire_dates")]
    pub resolved_on: Option<NaiveDate>,
    pub note: String,
}

impl SafetyConcern {
    /// Recorded on or before `as_of` and not resolved by then.
    pub fn is_open_on(&self, as_of: NaiveDate) -> bool {
        self.raised_on <= as_of && self.resolved_on.is_none_or(|r| r > as_of)
    }
}

/// The care manager's "discuss at review" mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewMark {
    #[serde(with = "crate::wire_dates")]
    pub marked_on: NaiveDate,
    pub reason: String,
}

/// Everything the rules know about one episode of care.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpisodeData {
    pub patient_id: PatientId,
    pub episode_id: EpisodeId,
    #[serde(with = "crate::wire_dates")]
    pub enrolled_on: NaiveDate,
    pub status: EpisodeStatus,
    #[serde(default, with = "crate::wire_dates")]
    pub discharged_on: Option<NaiveDate>,
    pub program: Program,
    /// Empty means depression (the default target of collaborative care).
    pub targets: Vec<TargetCondition>,
    /// Every score of the episode, in any order.
    pub scores: Vec<Score>,
    pub contacts: Vec<Contact>,
    /// Dates of psychiatric case reviews of this patient.
    #[serde(with = "crate::wire_dates")]
    pub psychiatric_reviews: Vec<NaiveDate>,
    /// Dates of recorded treatment-plan changes.
    #[serde(with = "crate::wire_dates")]
    pub treatment_changes: Vec<NaiveDate>,
    pub hospital_discharges: Vec<HospitalDischarge>,
    pub safety_concerns: Vec<SafetyConcern>,
    pub review_mark: Option<ReviewMark>,
}

impl EpisodeData {
    /// An active collaborative-care episode for depression with nothing recorded yet.
    pub fn new(patient_id: PatientId, episode_id: EpisodeId, enrolled_on: NaiveDate) -> Self {
        EpisodeData {
            patient_id,
            episode_id,
            enrolled_on,
            status: EpisodeStatus::Active,
            discharged_on: None,
            program: Program::CollaborativeCare,
            targets: vec![TargetCondition::Depression],
            scores: Vec::new(),
            contacts: Vec::new(),
            psychiatric_reviews: Vec::new(),
            treatment_changes: Vec::new(),
            hospital_discharges: Vec::new(),
            safety_concerns: Vec::new(),
            review_mark: None,
        }
    }

    /// The primary measure is the PHQ-9, or the GAD-7 when anxiety is the only target condition.
    ///
    /// Choice: targets without a measure of their own ([`TargetCondition::Other`]) are ignored, so
    /// "anxiety + other" is measured with the GAD-7 and "depression + anxiety" with the PHQ-9.
    pub fn primary_measure(&self) -> Instrument {
        let anxiety = self.targets.contains(&TargetCondition::Anxiety);
        let depression = self.targets.contains(&TargetCondition::Depression);
        if anxiety && !depression {
            Instrument::Gad7
        } else {
            Instrument::Phq9
        }
    }

    /// Whether depression is a target: listed, or no target recorded (collaborative care's default).
    pub fn treats_depression(&self) -> bool {
        self.targets.is_empty() || self.targets.contains(&TargetCondition::Depression)
    }

    /// Whether the episode is open on `as_of`: enrolled by then, and not discharged by then.
    ///
    /// Choice: a discharged episode without a discharge date counts as closed on every date, and
    /// one with a date counts as open before it, so past dates can be replayed.
    pub fn is_open_on(&self, as_of: NaiveDate) -> bool {
        let discharged = match (self.status, self.discharged_on) {
            (_, Some(on)) => on <= as_of,
            (EpisodeStatus::Discharged, None) => true,
            _ => false,
        };
        self.enrolled_on <= as_of && !discharged
    }

    /// The scores of one instrument taken on or before `as_of`, by date and then entry order.
    pub fn course(&self, instrument: Instrument, as_of: NaiveDate) -> Course<'_> {
        let mut scores: Vec<&Score> = self
            .scores
            .iter()
            .filter(|s| s.instrument == instrument && s.taken_on <= as_of)
            .collect();
        scores.sort_unstable_by_key(|s| s.key());
        Course { scores }
    }

    /// Completed contacts dated on or before `as_of`.
    /// Adds a recorded contact. A psychiatric consultation with the patient also counts as a
    /// psychiatric review of the episode (for `no_consult` and `manual`).
    pub fn record_contact(&mut self, contact: Contact) {
        if contact.kind == ContactKind::PsychiatricConsultation {
            self.psychiatric_reviews.push(contact.on);
        }
        self.contacts.push(contact);
    }

    pub fn completed_contacts(&self, as_of: NaiveDate) -> impl Iterator<Item = &Contact> + '_ {
        self.contacts
            .iter()
            .filter(move |c| c.kind.is_completed() && c.on <= as_of)
    }
}

/// Whole weeks from `from` to `to`: floor(days / 7), and 0 when `to` is before `from`.
/// "Weeks in treatment" and every other week count come from this one function.
pub fn weeks_between(from: NaiveDate, to: NaiveDate) -> i64 {
    days_between(from, to).div_euclid(7).max(0)
}

/// Days from `from` to `to`, negative when `to` is earlier.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// `date` plus `days`, saturating at the end of the calendar.
pub fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// Response: the score is at most 50% of the baseline, `2 × score ≤ baseline` in integers.
/// Exactly 50% counts. Choice: a baseline of 0 has nothing to halve, so it never gives a response.
pub fn is_response(baseline: u8, score: u8) -> bool {
    baseline > 0 && 2 * u16::from(score) <= u16::from(baseline)
}

/// Remission: a PHQ-9 (or GAD-7 for a GAD-7 primary measure) below this.
pub const REMISSION_BELOW: u8 = 5;

/// Remission: score < 5.
pub fn is_remission(score: u8) -> bool {
    score < REMISSION_BELOW
}

/// % change = (latest − baseline) / baseline × 100; negative when the patient improves and `None`
/// when the baseline is 0.
pub fn percent_change(baseline: u8, latest: u8) -> Option<f64> {
    (baseline > 0).then(|| (f64::from(latest) - f64::from(baseline)) / f64::from(baseline) * 100.0)
}

/// A % change as clinicians write it, rounded to a whole percent: "−22%", "+10%", "0%".
///
/// The rounded value is written as an integer, so the browser's code holds no float formatting
/// for it (the cast saturates; a % change of scores 0–27 is at most 2,600%).
pub fn format_percent(pct: f64) -> String {
    let rounded = pct.round();
    let whole = rounded as i64;
    if rounded < 0.0 {
        format!("\u{2212}{}%", whole.unsigned_abs())
    } else if rounded > 0.0 {
        format!("+{whole}%")
    } else {
        "0%".to_owned()
    }
}

/// Sustained remission needs the latest run of scores below 5 to span at least this many days
/// and hold at least two scores. DOMAIN.md names the metric without defining it; see
/// [`EpisodeMetrics::sustained_remission`].
pub const SUSTAINED_REMISSION_DAYS: i64 = 28;

/// The weeks in which a 50% improvement is expected: the "week-12 date" is enrollment + 12 weeks.
pub const RESPONSE_EXPECTED_BY_WEEK: u64 = 12;

/// The ordered scores of one instrument in an episode, up to an evaluation date.
#[derive(Debug, Clone, PartialEq)]
pub struct Course<'a> {
    scores: Vec<&'a Score>,
}

impl<'a> Course<'a> {
    pub fn scores(&self) -> &[&'a Score] {
        &self.scores
    }

    /// The first score by date; ties go to the earliest entered.
    pub fn baseline(&self) -> Option<&'a Score> {
        self.scores.first().copied()
    }

    /// The most recent score: the last by date, and the last entered on that date.
    pub fn latest(&self) -> Option<&'a Score> {
        self.scores.last().copied()
    }

    /// Scores dated after the baseline's day. Choice: further scores on the baseline day are
    /// intake re-tests, not follow-ups.
    pub fn follow_ups(&self) -> impl Iterator<Item = &'a Score> + '_ {
        let baseline_day = self.baseline().map(|b| b.taken_on);
        self.scores
            .iter()
            .copied()
            .filter(move |s| baseline_day.is_some_and(|d| s.taken_on > d))
    }

    /// % change from the baseline to the latest score, once there is a follow-up; `None` before
    /// that or for a baseline of 0.
    pub fn percent_change(&self) -> Option<f64> {
        self.follow_ups().next()?;
        percent_change(self.baseline()?.total, self.latest()?.total)
    }

    /// The first follow-up meeting the response definition.
    pub fn first_response(&self) -> Option<&'a Score> {
        let baseline = self.baseline()?.total;
        self.follow_ups().find(|s| is_response(baseline, s.total))
    }

    /// The first follow-up meeting the remission definition.
    pub fn first_remission(&self) -> Option<&'a Score> {
        self.follow_ups().find(|s| is_remission(s.total))
    }

    /// The lowest score, the earliest one on a tie.
    pub fn lowest(&self) -> Option<&'a Score> {
        lowest(&self.scores)
    }

    /// The lowest score before the latest one.
    pub fn lowest_before_latest(&self) -> Option<&'a Score> {
        lowest(self.scores.split_last().map_or(&[], |(_, rest)| rest))
    }
}

fn lowest<'a>(scores: &[&'a Score]) -> Option<&'a Score> {
    scores
        .iter()
        .copied()
        .reduce(|low, s| if s.total < low.total { s } else { low })
}

/// A score as shown on the registry row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorePoint {
    pub id: MeasurementId,
    #[serde(with = "crate::wire_dates")]
    pub taken_on: NaiveDate,
    pub total: u8,
}

impl From<&Score> for ScorePoint {
    fn from(s: &Score) -> Self {
        ScorePoint {
            id: s.id,
            taken_on: s.taken_on,
            total: s.total,
        }
    }
}

/// The registry-row numbers of one episode on one date (DOMAIN.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpisodeMetrics {
    #[serde(with = "crate::wire_dates")]
    pub as_of: NaiveDate,
    /// The measure all the score metrics below use.
    pub primary: Instrument,
    /// Number of primary-measure scores up to `as_of`.
    pub score_count: usize,
    pub baseline: Option<ScorePoint>,
    pub latest: Option<ScorePoint>,
    /// The lowest score so far, baseline included.
    pub lowest: Option<ScorePoint>,
    /// The lowest score before the latest one (what "worsening" compares against).
    pub lowest_before_latest: Option<ScorePoint>,
    /// Whether there is a score dated after the baseline's day.
    pub has_follow_up: bool,
    /// floor((as_of − enrollment) / 7), never negative.
    pub weeks_in_treatment: i64,
    /// `None` with no follow-up score or a baseline of 0.
    pub percent_change: Option<f64>,
    /// The latest follow-up is ≤ 50% of the baseline. False without a follow-up.
    pub response: bool,
    /// The latest follow-up is < 5. False without a follow-up.
    pub remission: bool,
    /// Choice (DOMAIN.md is silent): the latest run of consecutive follow-ups below 5 holds at
    /// least two scores spanning at least [`SUSTAINED_REMISSION_DAYS`] days.
    pub sustained_remission: bool,
    #[serde(default, with = "crate::wire_dates")]
    pub first_response_on: Option<NaiveDate>,
    #[serde(default, with = "crate::wire_dates")]
    pub first_remission_on: Option<NaiveDate>,
    /// Whole weeks from enrollment to the first response.
    pub weeks_to_response: Option<i64>,
    pub weeks_to_remission: Option<i64>,
    /// Completed contacts from enrollment through the day of the first remission.
    pub contacts_to_remission: Option<usize>,
    /// Enrollment + 12 weeks: the date by which a 50% improvement is expected.
    #[serde(with = "crate::wire_dates")]
    pub week12_on: NaiveDate,
    /// The later of enrollment and the last treatment change on or before `as_of`.
    #[serde(with = "crate::wire_dates")]
    pub current_plan_since: NaiveDate,
    #[serde(default, with = "crate::wire_dates")]
    pub last_treatment_change: Option<NaiveDate>,
    pub weeks_on_current_plan: i64,
    /// The last completed contact on or before `as_of`.
    #[serde(default, with = "crate::wire_dates")]
    pub last_contact_on: Option<NaiveDate>,
    pub days_since_last_contact: Option<i64>,
    pub completed_contacts: usize,
    /// No-shows on or before `as_of`: shown because a run of them is a reason to discuss.
    pub no_shows: usize,
}

/// Computes the registry-row metrics of an episode on `as_of`.
pub fn episode_metrics(episode: &EpisodeData, as_of: NaiveDate) -> EpisodeMetrics {
    let primary = episode.primary_measure();
    let course = episode.course(primary, as_of);
    let enrolled = episode.enrolled_on;
    let baseline = course.baseline();
    let latest = course.latest();
    let follow_up = course.follow_ups().last();
    let has_follow_up = follow_up.is_some();
    let pair = baseline.zip(follow_up);

    let first_response = course.first_response();
    let first_remission = course.first_remission();
    let weeks_to = |s: Option<&Score>| s.map(|s| weeks_between(enrolled, s.taken_on));

    let contacts_to_remission = first_remission.map(|r| {
        episode
            .completed_contacts(r.taken_on)
            .filter(|c| c.on >= enrolled)
            .count()
    });

    let last_treatment_change = episode
        .treatment_changes
        .iter()
        .copied()
        .filter(|d| *d <= as_of)
        .max();
    let current_plan_since = last_treatment_change.map_or(enrolled, |d| d.max(enrolled));

    let last_contact_on = episode.completed_contacts(as_of).map(|c| c.on).max();

    EpisodeMetrics {
        as_of,
        primary,
        score_count: course.scores().len(),
        baseline: baseline.map(ScorePoint::from),
        latest: latest.map(ScorePoint::from),
        lowest: course.lowest().map(ScorePoint::from),
        lowest_before_latest: course.lowest_before_latest().map(ScorePoint::from),
        has_follow_up,
        weeks_in_treatment: weeks_between(enrolled, as_of),
        percent_change: pair.and_then(|(b, l)| percent_change(b.total, l.total)),
        response: pair.is_some_and(|(b, l)| is_response(b.total, l.total)),
        remission: follow_up.is_some_and(|l| is_remission(l.total)),
        sustained_remission: sustained_remission(&course),
        first_response_on: first_response.map(|s| s.taken_on),
        first_remission_on: first_remission.map(|s| s.taken_on),
        weeks_to_response: weeks_to(first_response),
        weeks_to_remission: weeks_to(first_remission),
        contacts_to_remission,
        week12_on: add_days(enrolled, RESPONSE_EXPECTED_BY_WEEK * 7),
        current_plan_since,
        last_treatment_change,
        weeks_on_current_plan: weeks_between(current_plan_since, as_of),
        last_contact_on,
        days_since_last_contact: last_contact_on.map(|d| days_between(d, as_of)),
        completed_contacts: episode.completed_contacts(as_of).count(),
        no_shows: episode
            .contacts
            .iter()
            .filter(|c| c.kind == ContactKind::NoShow && c.on <= as_of)
            .count(),
    }
}

fn sustained_remission(course: &Course<'_>) -> bool {
    let follow_ups: Vec<&Score> = course.follow_ups().collect();
    let run_len = follow_ups
        .iter()
        .rev()
        .take_while(|s| is_remission(s.total))
        .count();
    let run = follow_ups.get(follow_ups.len().saturating_sub(run_len)..);
    match run {
        Some([first, .., last]) => {
            days_between(first.taken_on, last.taken_on) >= SUSTAINED_REMISSION_DAYS
        }
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    pub(crate) fn score(id: i64, on: &str, total: u8) -> Score {
        Score {
            id: MeasurementId(id),
            taken_on: date(on),
            instrument: Instrument::Phq9,
            total,
            item9: Some(0),
        }
    }

    pub(crate) fn contact(on: &str, kind: ContactKind) -> Contact {
        Contact {
            on: date(on),
            kind,
            minutes: 20,
            by_care_manager: true,
        }
    }

    /// An episode enrolled on 2026-01-05 with the given PHQ-9 scores (date, total).
    pub(crate) fn episode(scores: &[(&str, u8)]) -> EpisodeData {
        let mut e = EpisodeData::new(PatientId(1), EpisodeId(1), date("2026-01-05"));
        e.scores = scores
            .iter()
            .zip(1..)
            .map(|((on, t), id)| score(id, on, *t))
            .collect();
        e
    }

    #[test]
    fn a_psychiatric_consultation_is_a_contact_and_a_review() {
        let mut e = episode(&[]);
        e.record_contact(contact("2026-01-20", ContactKind::PsychiatricConsultation));
        e.record_contact(contact("2026-01-21", ContactKind::Phone));
        assert_eq!(e.contacts.len(), 2);
        assert_eq!(e.psychiatric_reviews, vec![date("2026-01-20")]);
        assert!(ContactKind::PsychiatricConsultation.is_completed());
    }

    #[test]
    fn the_baseline_is_the_first_phq9_by_date_even_when_entered_later() {
        let e = episode(&[("2026-02-02", 12), ("2026-01-05", 20)]);
        let m = episode_metrics(&e, date("2026-03-01"));
        assert_eq!(m.baseline.map(|b| b.total), Some(20));
        assert_eq!(m.latest.map(|b| b.total), Some(12));
    }

    #[test]
    fn on_a_tie_the_earliest_entered_score_is_the_baseline_and_the_last_entered_the_latest() {
        let e = episode(&[("2026-01-05", 18), ("2026-01-05", 16)]);
        let m = episode_metrics(&e, date("2026-01-05"));
        assert_eq!(m.baseline.map(|b| b.total), Some(18));
        assert_eq!(m.latest.map(|b| b.total), Some(16));
        // A same-day re-test is not a follow-up: no % change, no response.
        assert!(!m.has_follow_up);
        assert_eq!(m.percent_change, None);
        assert!(!m.response);
    }

    #[test]
    fn scores_after_as_of_are_ignored() {
        let e = episode(&[("2026-01-05", 20), ("2026-02-02", 15), ("2026-03-02", 4)]);
        let m = episode_metrics(&e, date("2026-03-01"));
        assert_eq!(m.latest.map(|b| b.total), Some(15));
        assert!(!m.remission);
        assert_eq!(m.score_count, 2);
        assert_eq!(m.first_remission_on, None);
    }

    #[test]
    fn a_single_measurement_has_no_change_response_or_remission() {
        let e = episode(&[("2026-01-05", 3)]);
        let m = episode_metrics(&e, date("2026-04-01"));
        assert_eq!(m.baseline, m.latest);
        assert_eq!(m.percent_change, None);
        assert!(!m.response && !m.remission && !m.sustained_remission);
    }

    #[test]
    fn a_baseline_of_0_has_no_percent_change_and_no_response() {
        let e = episode(&[("2026-01-05", 0), ("2026-02-05", 0)]);
        let m = episode_metrics(&e, date("2026-03-01"));
        assert_eq!(m.percent_change, None);
        assert!(!m.response);
        assert!(m.remission, "a follow-up below 5 is still remission");
    }

    #[test]
    fn exactly_50_percent_counts_as_a_response() {
        assert!(is_response(18, 9));
        assert!(!is_response(18, 10));
        assert!(is_response(17, 8));
        assert!(!is_response(17, 9), "9 is 53% of 17");
    }

    #[test]
    fn a_score_of_4_is_remission_and_5_is_not() {
        assert!(is_remission(4));
        assert!(!is_remission(5));
    }

    #[test]
    fn percent_change_is_negative_when_the_patient_improves() {
        let e = episode(&[("2026-01-05", 18), ("2026-03-23", 14)]);
        let m = episode_metrics(&e, date("2026-03-23"));
        let pct = m.percent_change.expect("defined");
        assert!((pct - (-22.222)).abs() < 0.01);
        assert_eq!(format_percent(pct), "\u{2212}22%");
        assert_eq!(format_percent(10.0), "+10%");
        assert_eq!(format_percent(-0.2), "0%");
    }

    #[test]
    fn weeks_in_treatment_round_down_to_whole_weeks() {
        let e = episode(&[]);
        assert_eq!(
            episode_metrics(&e, date("2026-01-11")).weeks_in_treatment,
            0
        );
        assert_eq!(
            episode_metrics(&e, date("2026-01-12")).weeks_in_treatment,
            1
        );
        assert_eq!(
            episode_metrics(&e, date("2025-12-01")).weeks_in_treatment,
            0
        );
    }

    #[test]
    fn the_week_12_date_is_84_days_after_enrollment() {
        let m = episode_metrics(&episode(&[]), date("2026-01-05"));
        assert_eq!(m.week12_on, date("2026-03-30"));
    }

    #[test]
    fn first_response_and_remission_are_dated_and_counted_in_weeks_and_contacts() {
        let mut e = episode(&[
            ("2026-01-05", 20),
            ("2026-02-02", 12),
            ("2026-02-16", 10),
            ("2026-03-16", 4),
            ("2026-04-13", 6),
        ]);
        e.contacts = vec![
            contact("2026-01-05", ContactKind::InPerson),
            contact("2026-01-20", ContactKind::Phone),
            contact("2026-02-01", ContactKind::NoShow),
            contact("2026-03-16", ContactKind::Phone),
            contact("2026-04-01", ContactKind::Phone),
        ];
        let m = episode_metrics(&e, date("2026-04-20"));
        assert_eq!(m.first_response_on, Some(date("2026-02-16")));
        assert_eq!(m.weeks_to_response, Some(6));
        assert_eq!(m.first_remission_on, Some(date("2026-03-16")));
        assert_eq!(m.weeks_to_remission, Some(10));
        assert_eq!(
            m.contacts_to_remission,
            Some(3),
            "the no-show is not counted"
        );
        assert!(!m.remission, "the latest score is 6");
        assert!(m.response, "6 is ≤ 50% of 20");
        assert_eq!(m.lowest.map(|l| l.total), Some(4));
        assert_eq!(m.no_shows, 1);
        assert_eq!(m.completed_contacts, 4);
        assert_eq!(m.last_contact_on, Some(date("2026-04-01")));
        assert_eq!(m.days_since_last_contact, Some(19));
    }

    #[test]
    fn weeks_on_current_plan_count_from_the_last_treatment_change() {
        let mut e = episode(&[]);
        e.treatment_changes = vec![date("2026-02-02"), date("2026-05-01")];
        let m = episode_metrics(&e, date("2026-03-02"));
        assert_eq!(m.current_plan_since, date("2026-02-02"));
        assert_eq!(m.weeks_on_current_plan, 4);
        assert_eq!(m.weeks_in_treatment, 8);
        e.treatment_changes = vec![date("2025-12-01")];
        let m = episode_metrics(&e, date("2026-03-02"));
        assert_eq!(m.current_plan_since, date("2026-01-05"));
    }

    #[test]
    fn remission_is_sustained_after_two_scores_below_5_four_weeks_apart() {
        let e = episode(&[("2026-01-05", 20), ("2026-03-02", 4), ("2026-03-23", 3)]);
        assert!(!episode_metrics(&e, date("2026-03-23")).sustained_remission);
        let e = episode(&[("2026-01-05", 20), ("2026-03-02", 4), ("2026-03-30", 3)]);
        assert!(episode_metrics(&e, date("2026-03-30")).sustained_remission);
        let e = episode(&[
            ("2026-01-05", 20),
            ("2026-03-02", 4),
            ("2026-03-30", 3),
            ("2026-04-27", 7),
        ]);
        assert!(!episode_metrics(&e, date("2026-04-30")).sustained_remission);
    }

    #[test]
    fn anxiety_alone_is_measured_with_the_gad7() {
        let mut e = episode(&[]);
        e.targets = vec![TargetCondition::Anxiety];
        assert_eq!(e.primary_measure(), Instrument::Gad7);
        e.targets = vec![TargetCondition::Anxiety, TargetCondition::Depression];
        assert_eq!(e.primary_measure(), Instrument::Phq9);
        e.targets = vec![];
        assert_eq!(e.primary_measure(), Instrument::Phq9);
    }

    #[test]
    fn a_gad7_primary_measure_ignores_phq9_scores() {
        let mut e = episode(&[("2026-01-05", 20), ("2026-02-05", 4)]);
        e.targets = vec![TargetCondition::Anxiety];
        e.scores.push(Score {
            instrument: Instrument::Gad7,
            ..score(10, "2026-01-06", 15)
        });
        let m = episode_metrics(&e, date("2026-03-01"));
        assert_eq!(m.primary, Instrument::Gad7);
        assert_eq!(m.baseline.map(|b| b.total), Some(15));
        assert!(!m.has_follow_up);
    }

    #[test]
    fn a_discharged_episode_is_open_only_before_its_discharge_date() {
        let mut e = episode(&[]);
        e.status = EpisodeStatus::Discharged;
        e.discharged_on = Some(date("2026-06-01"));
        assert!(e.is_open_on(date("2026-05-31")));
        assert!(!e.is_open_on(date("2026-06-01")));
        assert!(!e.is_open_on(date("2026-01-04")), "not yet enrolled");
        e.discharged_on = None;
        assert!(!e.is_open_on(date("2026-05-31")));
    }

    fn arb_scores() -> impl Strategy<Value = Vec<(u16, u8)>> {
        proptest::collection::vec((0u16..200, 0u8..=27), 0..12)
    }

    fn episode_from(raw: &[(u16, u8)]) -> EpisodeData {
        let mut e = episode(&[]);
        e.scores = raw
            .iter()
            .zip(1..)
            .map(|((day, total), id)| Score {
                taken_on: add_days(e.enrolled_on, u64::from(*day)),
                ..score(id, "2026-01-05", *total)
            })
            .collect();
        e
    }

    proptest! {
        #[test]
        fn a_percent_is_written_as_the_rounded_float_would_be(pct in -3000.0f64..3000.0) {
            let rounded = pct.round();
            let expected = if rounded < 0.0 {
                format!("\u{2212}{}%", -rounded)
            } else if rounded > 0.0 {
                format!("+{rounded}%")
            } else {
                "0%".to_owned()
            };
            prop_assert_eq!(format_percent(pct), expected);
        }

        #[test]
        fn percent_change_sign_matches_the_direction_of_change(b in 0u8..=27, l in 0u8..=27) {
            match percent_change(b, l) {
                None => prop_assert_eq!(b, 0),
                Some(p) => {
                    prop_assert_eq!(p < 0.0, l < b);
                    prop_assert_eq!(p > 0.0, l > b);
                    prop_assert!(p >= -100.0);
                }
            }
        }

        #[test]
        fn a_response_always_means_at_least_a_50_percent_drop(raw in arb_scores(), as_of in 0u64..250) {
            let e = episode_from(&raw);
            let m = episode_metrics(&e, add_days(e.enrolled_on, as_of));
            if m.response {
                let pct = m.percent_change.expect("a response has a % change");
                prop_assert!(pct <= -50.0);
            }
            if m.remission || m.response {
                prop_assert!(m.has_follow_up);
            }
        }

        #[test]
        fn metrics_do_not_depend_on_the_order_scores_were_listed_in(raw in arb_scores(), as_of in 0u64..250) {
            let e = episode_from(&raw);
            let mut reversed = e.clone();
            reversed.scores.reverse();
            let day = add_days(e.enrolled_on, as_of);
            prop_assert_eq!(episode_metrics(&e, day), episode_metrics(&reversed, day));
        }

        #[test]
        fn the_lowest_score_is_never_above_the_baseline_or_latest(raw in arb_scores()) {
            let e = episode_from(&raw);
            let m = episode_metrics(&e, date("2027-01-01"));
            if let (Some(low), Some(b), Some(l)) = (m.lowest, m.baseline, m.latest) {
                prop_assert!(low.total <= b.total && low.total <= l.total);
            }
        }
    }
}
