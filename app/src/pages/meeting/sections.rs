//! Meeting mode's read-only parts, drawn on the server ([`Markup`]): each patient's page, the
//! meeting record, a clinic's meetings and the consultant's home. The page adds the navigation,
//! the timer and the recommendation form (`super::Meeting`).

use leptos::prelude::*;

use crate::api::review::{
    MeetingPatient, MeetingRecordView, MeetingScreen, MeetingView, MeetingsView, UpcomingMeeting,
};
use crate::case_review::{BoardRow, CaseReview};
use crate::components::flags::FlagList;
use crate::components::markup::Markup;
use crate::components::sparkline::Sparkline;
use crate::pages::review::sections::score_line;

/// Meeting mode from the meeting and its board.
pub fn meeting_screen(view: MeetingView) -> MeetingScreen {
    let patients = view
        .board
        .rows
        .iter()
        .map(|row| MeetingPatient {
            name: row.name.clone(),
            episode: row.entry.episode_id.0,
            reviewed: row.reviewed_here.is_some(),
            markup: Markup::render(|| patient(row)).redrawn(),
        })
        .collect();
    MeetingScreen {
        meeting: view.meeting.id.0,
        clinic: view.clinic.id.0,
        clinic_name: view.clinic.name,
        meets_on: view.meeting.meets_on,
        ended: view.meeting.ended_at.is_some(),
        can_record: view.can_record,
        can_plan: view.can_plan,
        patients,
    }
}

/// One review with its recommendations and their status: headed by its date and outcome, as a
/// link to the meeting's record when `linked` (the chart), in bold otherwise (meeting mode).
pub(crate) fn review_summary(r: &CaseReview, linked: bool) -> impl IntoView + use<> {
    let recs = r
        .recommendations
        .iter()
        .map(|x| view! { <li>{format!("{} · {}", x.summary(), x.status.label())}</li> })
        .collect_view();
    let heading = format!("{} — {}", r.reviewed_on, r.outcome());
    let heading = if linked {
        view! { <a href=format!("/meetings/{}/record", r.meeting_id.0)>{heading}</a> }.into_any()
    } else {
        view! { <strong>{heading}</strong> }.into_any()
    };
    view! {
        <li>
            {heading}
            {r.reviewer_name.clone().map(|n| format!(" ({n})"))}
            {(!r.note.is_empty()).then(|| view! { <p>{r.note.clone()}</p> })}
            <ul>{recs}</ul>
        </li>
    }
}

/// One patient in meeting mode: scores, why on the list, the case summary, the plan, the past
/// reviews and this meeting's review.
fn patient(row: &BoardRow) -> impl IntoView + use<> {
    let past = if row.past_reviews.is_empty() {
        view! { <p class="muted">"Never reviewed."</p> }.into_any()
    } else {
        let items = row
            .past_reviews
            .iter()
            .rev()
            .map(|r| review_summary(r, false))
            .collect_view();
        view! { <ul>{items}</ul> }.into_any()
    };
    let here = row.reviewed_here.as_ref().map(|r| {
        let summary = format!(
            "/patients/{}/summary?review={}",
            row.entry.patient_id.0, r.id
        );
        view! {
            <section class="notice">
                <h3>"Reviewed at this meeting"</h3>
                <ul>{review_summary(r, false)}</ul>
                <p><a href=summary>"EHR summary for the note"</a></p>
            </section>
        }
    });
    let treatment = row
        .last_change
        .as_ref()
        .map(|(on, what)| format!("{what} (changed {on})"));
    let plan = if row.care_plan.trim().is_empty() {
        "No care plan recorded.".to_owned()
    } else {
        row.care_plan.clone()
    };
    view! {
        <h2 id="mp-name">
            <a href=format!("/patients/{}", row.entry.patient_id.0)>{row.name.clone()}</a>
            <span class="muted">{format!(" · MRN {}", row.mrn)}</span>
        </h2>
        <p>
            {score_line(row)}
            {format!(" · week {} in treatment · {} weeks on the current plan", row.entry.weeks_in_treatment, row.entry.weeks_on_current_plan)}
            {(row.carried_weeks > 0).then(|| format!(" · carried {} week(s)", row.carried_weeks))}
        </p>
        <Sparkline points=row.phq9.clone() width=360.0 height=90.0 />
        <section aria-labelledby="mp-flags"><h3 id="mp-flags">"Why on the list"</h3><FlagList flags=row.entry.reasons.clone() /></section>
        {row.prep.clone().map(|p| view! { <section><h3>"Case summary"</h3><p>{p.summary}</p></section> })}
        {row.manual_reason.clone().map(|r| view! { <section><h3>"Added by the care manager"</h3><p>{r}</p></section> })}
        <section>
            <h3>"Current plan"</h3>
            <p>{plan}</p>
            {treatment.map(|t| view! { <p>"Last treatment change: "{t}</p> })}
        </section>
        <section>
            <h3>"Past reviews and recommendations"</h3>
            {past}
        </section>
        {here}
    }
}

/// A meeting as it happened: date, attendees, who was reviewed and what was recommended, and
/// who was carried forward.
pub fn meeting_record(view: MeetingRecordView) -> Markup {
    Markup::render(move || {
        let m = view.record.meeting.clone();
        let patients = view.record.patients.iter().map(|p| view! {
            <tr>
                <td><a href=format!("/patients/{}", p.patient_id.0)>{p.name.clone()}</a></td>
                <td>{p.outcome.label()}</td>
                <td>{p.carried_weeks}</td>
                <td>{p.review.as_ref().map(|r| r.recommendations.iter().map(|x| x.summary()).collect::<Vec<_>>().join("; "))}</td>
                <td>{p.review.as_ref().map(|r| view! {
                    <a href=format!("/patients/{}/summary?review={}", p.patient_id.0, r.id)>"EHR summary"</a>
                })}</td>
            </tr>
        }).collect_view();
        let attendees = if m.attendees.is_empty() {
            "not recorded".to_owned()
        } else {
            m.attendees.clone()
        };
        view! {
            <h1>{format!("Meeting record · {} · {}", view.clinic.name, m.meets_on)}</h1>
            <p>
                {format!("Attendees: {attendees}")}
                <br />
                {format!("Started{} · {}", m.started_by_name.map(|n| format!(" by {n}")).unwrap_or_default(),
                    if m.ended_at.is_some() { "ended" } else { "in progress" })}
            </p>
            <p><a href=format!("/meetings/{}", m.id.0)>"Meeting mode"</a>" · "<a href=format!("/meetings?clinic={}", view.clinic.id.0)>"All meetings"</a></p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Patients of the meeting">
                <table>
                    <thead><tr><th scope="col">"Patient"</th><th scope="col">"Outcome"</th><th scope="col">"Weeks carried before"</th><th scope="col">"Recommendations"</th><th scope="col">"For the EHR"</th></tr></thead>
                    <tbody>{patients}</tbody>
                </table>
            </div>
        }
    })
}

/// A clinic's meetings, newest first.
pub fn meetings(view: MeetingsView) -> Markup {
    Markup::render(move || {
        let list = if view.meetings.is_empty() {
            view! { <p class="empty-state">"No meeting has been held yet."</p> }.into_any()
        } else {
            let rows = view.meetings.iter().map(|s| view! {
                <tr>
                    <td><a href=format!("/meetings/{}/record", s.meeting.id.0)>{s.meeting.meets_on.to_string()}</a></td>
                    <td>{s.meeting.attendees.clone()}</td>
                    <td>{s.reviewed}</td>
                    <td>{s.recommendations}</td>
                    <td>{s.carried}</td>
                </tr>
            }).collect_view();
            view! {
                <table>
                    <thead><tr><th scope="col">"Date"</th><th scope="col">"Attendees"</th><th scope="col">"Reviewed"</th><th scope="col">"Recommendations"</th><th scope="col">"Carried forward"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        };
        view! {
            <h1>{format!("Meetings · {}", view.clinic.name)}</h1>
            <p><a href=format!("/review?clinic={}", view.clinic.id.0)>"Next meeting's list"</a></p>
            {list}
        }
    })
}

/// Each of the consultant's clinics with its next meeting, how many patients are flagged and how
/// many were carried forward.
pub fn consultant_home(list: Vec<UpcomingMeeting>) -> Markup {
    Markup::render(move || {
        if list.is_empty() {
            return view! { <p class="empty-state">"You belong to no clinic yet."</p> }.into_any();
        }
        let items = list.into_iter().map(|u| {
            let clinic = u.clinic.id.0;
            view! {
                <li class="panel">
                    <h2>{format!("{} · {}", u.clinic.name, crate::dates::day_and_month(u.meets_on))}</h2>
                    <p class="upcoming__counts">
                        <strong>{format!("{} flagged", u.flagged)}</strong>
                        {format!(" · {} carried forward · {} reviewed", u.carried, u.reviewed)}
                    </p>
                    <p>
                        <a class="button" href=format!("/review?clinic={clinic}&date={}", u.meets_on)>"Open the list"</a>
                        " "
                        {u.meeting.map(|m| view! { <a class="button button--secondary" href=format!("/meetings/{}", m.id.0)>"Meeting mode"</a> })}
                        " "
                        <a href=format!("/meetings?clinic={clinic}")>"Past meetings"</a>
                    </p>
                </li>
            }
        }).collect_view();
        view! { <ul class="upcoming">{items}</ul> }.into_any()
    })
}
