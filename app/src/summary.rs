//! The patient summary for the EHR note: plain text a care manager pastes after a contact or a
//! case review. Pure: the chart's numbers in, text out, so that it is snapshot-tested and always
//! agrees with the chart.

use chrono::NaiveDate;

use crate::domain::episode::format_percent;
use crate::domain::{EpisodeMetrics, Flag, Instrument, TaskStatus};
use crate::model::{CaseReview, EpisodeRecord, Measurement, MeasurementSource, Patient};

/// Everything the summary reads.
pub struct SummaryInput<'a> {
    pub patient: &'a Patient,
    pub clinic_name: &'a str,
    pub episode: &'a EpisodeRecord,
    pub metrics: &'a EpisodeMetrics,
    /// The episode's scores in date order.
    pub measurements: &'a [Measurement],
    pub flags: &'a [Flag],
    /// The episode's case reviews, oldest first.
    pub reviews: &'a [CaseReview],
    /// The review whose recommendation the summary reports (the latest when `None`).
    pub review_id: Option<i64>,
    pub next_contact_due: Option<NaiveDate>,
    /// The next case-review meeting, when a flag puts the patient on its list.
    pub next_review_on: Option<NaiveDate>,
    pub as_of: NaiveDate,
}

fn scores(out: &mut Vec<String>, input: &SummaryInput<'_>, instrument: Instrument, name: &str) {
    let list: Vec<&Measurement> = input
        .measurements
        .iter()
        .filter(|m| m.instrument() == instrument && m.taken_on <= input.as_of)
        .collect();
    if list.is_empty() {
        return;
    }
    out.push(String::new());
    out.push(format!("{} ({name})", instrument.code()));
    for (i, m) in list.iter().enumerate() {
        let mut notes = Vec::new();
        if i == 0 {
            notes.push("baseline");
        }
        if m.source == MeasurementSource::SelfReport {
            notes.push("patient self-report");
        }
        if m.responses.needs_suicide_risk_assessment() {
            notes.push("item 9 positive");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        out.push(format!(
            "  {}  {:>2}  {}{notes}",
            m.taken_on,
            m.responses.total(),
            m.responses.severity().label()
        ));
    }
}

fn yes_no(v: bool) -> &'static str {
    if v {
        "yes"
    } else {
        "no"
    }
}

/// The summary as plain text, lines joined by `\n`.
pub fn ehr_summary(input: &SummaryInput<'_>) -> String {
    let p = input.patient;
    let e = &input.episode.episode;
    let m = input.metrics;
    let mut out = vec![
        "Collaborative care (behavioral health) summary".to_owned(),
        format!(
            "Patient: {}, {} · MRN {} · {}",
            p.family_name, p.given_name, p.mrn, input.clinic_name
        ),
        format!(
            "Episode: enrolled {} · {} · week {} in treatment",
            e.enrolled_on,
            e.status.label(),
            m.weeks_in_treatment
        ),
    ];
    let team: Vec<String> = [
        input
            .episode
            .care_manager_name
            .as_ref()
            .map(|n| format!("care manager {n}")),
        input
            .episode
            .consultant_name
            .as_ref()
            .map(|n| format!("psychiatric consultant {n}")),
        (!input.episode.details.pcp.is_empty())
            .then(|| format!("PCP {}", input.episode.details.pcp)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !team.is_empty() {
        out.push(format!("Care team: {}", team.join(" · ")));
    }
    scores(&mut out, input, Instrument::Phq9, "depression");
    scores(&mut out, input, Instrument::Gad7, "anxiety");
    out.push(String::new());
    match (m.baseline, m.latest, m.percent_change) {
        (Some(b), Some(l), Some(pct)) if m.has_follow_up => out.push(format!(
            "Change in {} from baseline: {} ({} to {}). Response (50% or more lower): {}. Remission (below 5): {}.",
            m.primary.code(),
            format_percent(pct),
            b.total,
            l.total,
            yes_no(m.response),
            yes_no(m.remission)
        )),
        (Some(b), _, _) => out.push(format!(
            "Change in {} from baseline: no follow-up score yet (baseline {}).",
            m.primary.code(),
            b.total
        )),
        _ => out.push(format!("No {} recorded in this episode.", m.primary.code())),
    }
    out.push(String::new());
    out.push("Current flags:".to_owned());
    if input.flags.is_empty() {
        out.push("  none".to_owned());
    }
    for f in input.flags {
        out.push(format!("  - {}: {}", f.kind.label(), f.explanation));
    }
    out.push(String::new());
    let review = match input.review_id {
        Some(id) => input.reviews.iter().find(|r| r.id == id),
        None => input.reviews.last(),
    };
    match review {
        None => out.push("Psychiatric case review: not reviewed yet in this episode.".to_owned()),
        Some(r) => {
            out.push(format!(
                "Psychiatric case review {}{}:",
                r.reviewed_on,
                r.reviewer_name
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ));
            if r.recommendations.is_empty() {
                out.push("  no change recommended".to_owned());
            }
            for rec in &r.recommendations {
                out.push(format!(
                    "  - {} [{}; due {}]",
                    rec.summary(),
                    rec.status.label(),
                    rec.due_on
                ));
            }
            if !r.note.trim().is_empty() {
                out.push(format!("  Note: {}", r.note.trim()));
            }
        }
    }
    out.push(String::new());
    out.push("Next steps:".to_owned());
    let mut steps = Vec::new();
    if let Some(due) = input.next_contact_due {
        steps.push(format!("Next care-manager contact due {due}."));
    }
    for rec in input.reviews.iter().flat_map(|r| &r.recommendations) {
        if rec.status == TaskStatus::Open {
            let when = if rec.is_overdue(input.as_of) {
                format!("overdue since {}", rec.due_on)
            } else {
                format!("due {}", rec.due_on)
            };
            steps.push(format!("Act on: {} ({when}).", rec.summary()));
        }
    }
    if let Some(on) = input.next_review_on {
        steps.push(format!("Discuss at the psychiatric case review on {on}."));
    }
    if steps.is_empty() {
        steps.push("Continue the current plan.".to_owned());
    }
    out.extend(steps.into_iter().map(|s| format!("  - {s}")));
    out.push(String::new());
    out.push(format!(
        "Prepared {} from the Tandem registry.",
        input.as_of
    ));
    out.join("\n")
}

/// The summary of one episode as the chart computes it: the same rules, flags and due dates.
pub fn episode_summary(
    patient: &Patient,
    clinic_name: &str,
    episode: &EpisodeRecord,
    history: &crate::model::EpisodeHistory,
    settings: &crate::settings::ClinicSettings,
    review_id: Option<i64>,
    as_of: NaiveDate,
) -> String {
    use crate::domain::flags::{evaluate, FlagContext};
    let data = crate::care::episode_data(episode, history);
    let cx = FlagContext::new(&data, &settings.flag_rules, as_of);
    let flags = evaluate(&cx);
    let listed = history.review_mark.is_some()
        || flags
            .iter()
            .any(|f| settings.flag_rules.puts_on_review_list(f.kind));
    let open = episode.episode.discharged_on.is_none();
    ehr_summary(&SummaryInput {
        patient,
        clinic_name,
        episode,
        metrics: &cx.metrics,
        measurements: &history.measurements,
        flags: &flags,
        reviews: &history.reviews,
        review_id,
        next_contact_due: crate::domain::next_contact_due(&cx),
        next_review_on: (open && listed).then(|| settings.next_meeting_on(as_of)),
        as_of,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RecommendationKind, Responses, TargetCondition};
    use crate::model::{
        ClinicId, ContactId, ContactRecord, Episode, EpisodeDetails, EpisodeHistory, EpisodeId,
        EpisodeStatus, MeasurementId, MeetingId, PatientId, Recommendation, RecommendationId,
    };
    use crate::settings::ClinicSettings;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn score(
        id: i64,
        on: &str,
        instrument: Instrument,
        items: &[i64],
        source: MeasurementSource,
    ) -> Measurement {
        let answers: Vec<Option<i64>> = items.iter().copied().map(Some).collect();
        Measurement {
            id: MeasurementId(id),
            episode_id: EpisodeId(1),
            taken_on: date(on),
            responses: Responses::from_items(instrument, &answers).expect("valid"),
            source,
            entered_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("instant"),
            version: 1,
        }
    }

    /// A synthetic patient twelve weeks into treatment, partly better, with one review.
    fn fixture() -> (Patient, EpisodeRecord, EpisodeHistory) {
        let patient = Patient {
            id: PatientId(7),
            clinic_id: ClinicId(1),
            mrn: "SYN-0007".to_owned(),
            given_name: "Robin".to_owned(),
            family_name: "Sample".to_owned(),
            birth_date: date("1980-03-27"),
        };
        let episode = EpisodeRecord {
            episode: Episode {
                id: EpisodeId(1),
                patient_id: PatientId(7),
                enrolled_on: date("2026-09-07"),
                discharged_on: None,
                status: EpisodeStatus::Active,
            },
            details: EpisodeDetails {
                care_manager_id: Some(2),
                consultant_id: Some(3),
                pcp: "Dr Example".to_owned(),
                targets: vec![TargetCondition::Depression],
            },
            care_manager_name: Some("Casey Synthetic".to_owned()),
            consultant_name: Some("Dr Psych Synthetic".to_owned()),
            care_plan: String::new(),
            relapse_plan: String::new(),
            version: 1,
        };
        let clinician = MeasurementSource::Clinician;
        let measurements = vec![
            score(
                1,
                "2026-09-07",
                Instrument::Phq9,
                &[2, 2, 2, 2, 2, 2, 2, 2, 0],
                clinician,
            ),
            score(
                2,
                "2026-09-07",
                Instrument::Gad7,
                &[2, 2, 2, 1, 1, 1, 1],
                clinician,
            ),
            score(
                3,
                "2026-10-05",
                Instrument::Phq9,
                &[2, 2, 2, 2, 1, 1, 1, 1, 0],
                clinician,
            ),
            score(
                4,
                "2026-11-23",
                Instrument::Phq9,
                &[1, 1, 2, 1, 1, 1, 1, 1, 1],
                MeasurementSource::SelfReport,
            ),
            score(
                5,
                "2026-11-23",
                Instrument::Gad7,
                &[1, 1, 1, 1, 1, 0, 0],
                MeasurementSource::SelfReport,
            ),
        ];
        let review = CaseReview {
            id: 11,
            meeting_id: MeetingId(4),
            meets_on: date("2026-11-18"),
            episode_id: EpisodeId(1),
            reviewed_on: date("2026-11-18"),
            reviewer_name: Some("Dr Psych Synthetic".to_owned()),
            note: "Partial response at week 10.".to_owned(),
            recommendations: vec![Recommendation {
                id: RecommendationId(21),
                episode_id: EpisodeId(1),
                kind: RecommendationKind::IncreaseDose,
                details: "sertraline 100 mg".to_owned(),
                status: TaskStatus::Open,
                due_on: date("2026-11-25"),
                version: 1,
                recorded_on: date("2026-11-18"),
                recorded_by_name: Some("Dr Psych Synthetic".to_owned()),
                status_changed_at: None,
                status_by_name: None,
            }],
        };
        let contact = ContactRecord {
            id: ContactId(1),
            episode_id: EpisodeId(1),
            occurred_on: date("2026-11-20"),
            kind: crate::domain::ContactKind::Phone,
            minutes: 20,
            note: String::new(),
            user_name: Some("Casey Synthetic".to_owned()),
            by_care_manager: true,
        };
        let history = EpisodeHistory {
            measurements,
            contacts: vec![contact],
            reviews: vec![review],
            ..EpisodeHistory::default()
        };
        (patient, episode, history)
    }

    #[test]
    fn the_ehr_summary_of_a_partly_better_patient_reads_as_expected() {
        let (patient, episode, history) = fixture();
        let text = episode_summary(
            &patient,
            "Birch Clinic",
            &episode,
            &history,
            &ClinicSettings::default(),
            None,
            date("2026-12-01"),
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn the_summary_of_a_review_reports_that_review() {
        let (patient, episode, mut history) = fixture();
        let mut earlier = history.reviews[0].clone();
        earlier.id = 10;
        earlier.reviewed_on = date("2026-10-07");
        earlier.note = "Start sertraline.".to_owned();
        earlier.recommendations.clear();
        history.reviews.insert(0, earlier);
        let settings = ClinicSettings::default();
        let at = |review| {
            episode_summary(
                &patient,
                "Birch Clinic",
                &episode,
                &history,
                &settings,
                review,
                date("2026-12-01"),
            )
        };
        assert!(at(Some(10)).contains("Psychiatric case review 2026-10-07"));
        assert!(at(Some(10)).contains("no change recommended"));
        assert!(at(None).contains("Psychiatric case review 2026-11-18"));
    }
}
