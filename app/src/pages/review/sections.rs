//! The review list's read-only parts, drawn on the server ([`Markup`]): the heading and filters,
//! the meeting notice, each patient's row, the deferred patients, and the printable agenda. The
//! page places the care manager's forms beside them (`super::Board`).

use leptos::prelude::*;

use crate::api::review::{ReviewBoardView, ReviewRowScreen, ReviewScreen, RowForms};
use crate::case_review::BoardRow;
use crate::components::flags::FlagChips;
use crate::components::markup::Markup;
use crate::components::sparkline::Sparkline;
use crate::domain::episode::format_percent;
use crate::domain::FlagKind;

/// "12 → 9 (−25%)", or what is known.
pub fn score_line(row: &BoardRow) -> String {
    match (row.baseline_phq9, row.latest_phq9) {
        (Some(b), Some(l)) => match row.percent_change {
            Some(p) => format!("PHQ-9 {b} → {l} ({})", format_percent(p)),
            None => format!("PHQ-9 baseline {b}"),
        },
        (None, Some(l)) => format!("PHQ-9 latest {l}"),
        _ => "No PHQ-9 yet".to_owned(),
    }
}

/// The review list screen from the board of a clinic's meeting.
pub fn board_screen(view: ReviewBoardView) -> ReviewScreen {
    let clinic = view.clinic.id.0;
    let date = view.meets_on;
    let near = (date - view.today).num_days().abs() <= 7;
    let meeting = view.meeting.as_ref().map(|m| {
        let listed = view.board.rows.len();
        let reviewed = view.board.reviewed();
        let started = format!(
            "Meeting started{} · {reviewed} of {listed} reviewed{}. ",
            m.started_by_name
                .as_ref()
                .map(|n| format!(" by {n}"))
                .unwrap_or_default(),
            if m.ended_at.is_some() {
                " · ended"
            } else {
                ""
            }
        );
        let id = m.id.0;
        Markup::render(move || {
            view! {
                <p class="notice">
                    {started}
                    <a class="button" href=format!("/meetings/{id}")>"Open meeting mode"</a>
                    " "
                    <a href=format!("/meetings/{id}/record")>"Meeting record"</a>
                </p>
            }
        })
    });
    let rows = view
        .board
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| ReviewRowScreen {
            episode: row.entry.episode_id.0,
            urgent: row.has(FlagKind::Safety),
            markup: Markup::render(|| row_markup(row, i + 1)),
            forms: (view.can_plan && row.reviewed_here.is_none()).then(|| RowForms {
                can_defer: !row.has(FlagKind::Safety),
                manual: row.manual_reason.is_some(),
            }),
        })
        .collect();
    ReviewScreen {
        heading: Markup::render(|| heading(&view)),
        clinic,
        meets_on: date,
        can_start: view.meeting.is_none() && view.can_plan && near,
        meeting,
        rows,
        deferred: Markup::render(|| deferred(&view.board.deferred)),
    }
}

/// The heading with the counts and links, and the clinic and date filter (a plain GET form).
fn heading(view: &ReviewBoardView) -> impl IntoView + use<> {
    let clinic = view.clinic.id.0;
    let date = view.meets_on;
    let week = |days: i64| {
        let d = date + chrono::Duration::days(days);
        format!("/review?clinic={clinic}&date={d}")
    };
    let listed = view.board.rows.len();
    let carried = view.board.carried();
    let deferred = view.board.deferred.len();
    let clinics = crate::components::forms::clinic_select(&view.clinics, clinic, "r-clinic");
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Case review · {} · {}", view.clinic.name, crate::dates::long_date(date))}</h1>
                <p class="muted">
                    {format!("{listed} to review · {carried} carried forward · {deferred} deferred")}
                </p>
            </div>
            <div class="actions no-print">
                <a class="button button--secondary" href=format!("/review/agenda?clinic={clinic}&date={date}")>"Printable agenda"</a>
                <a class="button button--secondary" href=format!("/review/agenda.csv?clinic={clinic}&date={date}")>"Download CSV"</a>
                <a href=format!("/meetings?clinic={clinic}")>"Past meetings"</a>
            </div>
        </div>
        <form method="get" action="/review" class="filters no-print">
            {clinics}
            <label for="r-date">"Meeting date"</label>
            <input id="r-date" type="date" name="date" value=date.to_string() />
            <button type="submit" class="button button--secondary">"Show"</button>
            <a href=week(-7)>"← Previous week"</a>
            <a href=format!("/review?clinic={clinic}&date={}", view.next_meeting_on)>"Next meeting"</a>
            <a href=week(7)>"Following week →"</a>
        </form>
    }
}

/// One patient's row: position, name, badges, reasons, scores, treatment, last review, the care
/// manager's notes and the open recommendations.
fn row_markup(row: &BoardRow, position: usize) -> impl IntoView + use<> {
    let urgent = row.has(FlagKind::Safety);
    let last = row.last_review().map(|r| {
        format!(
            "{} — {}{}",
            r.reviewed_on,
            r.outcome(),
            r.reviewer_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        )
    });
    let treatment = match (&row.last_change, row.care_plan.trim()) {
        (Some((on, what)), _) => format!("{what} (changed {on})"),
        (None, "") => "No plan recorded".to_owned(),
        (None, plan) => plan.to_owned(),
    };
    let open = (!row.open_recommendations.is_empty()).then(|| {
        let items = row
            .open_recommendations
            .iter()
            .map(|r| view! { <li>{format!("{} (due {})", r.summary(), r.due_on)}</li> })
            .collect_view();
        view! { <dt>"Open recommendations"</dt><dd><ul>{items}</ul></dd> }
    });
    let carried = (row.carried_weeks > 0).then(|| {
        let weeks = row.carried_weeks;
        view! {
            <strong class="badge badge--carried">{format!("Carried {weeks} week{}", if weeks == 1 { "" } else { "s" })}</strong>
        }
    });
    view! {
        <div class="review-row__head">
            <span class="review-row__pos">{position}"."</span>
            <a class="review-row__name" href=format!("/patients/{}", row.entry.patient_id.0)>{row.name.clone()}</a>
            <span class="muted">{format!(" · MRN {}", row.mrn)}</span>
            {row.care_manager_name.clone().map(|n| view! { <span class="muted">{format!(" · {n}")}</span> })}
            {urgent.then(|| view! { <strong class="badge badge--urgent">"Safety"</strong> })}
            {row.reviewed_here.as_ref().map(|r| view! { <strong class="badge badge--done">{format!("Reviewed: {}", r.outcome())}</strong> })}
            {carried}
            {row.prep.is_some().then(|| view! { <strong class="badge">"Ready"</strong> })}
        </div>
        <FlagChips flags=row.entry.reasons.clone() />
        <div class="review-row__facts">
            <Sparkline points=row.phq9.clone() />
            <span>{score_line(row)}</span>
            <span>{format!("Week {} in treatment · {} on the current plan", row.entry.weeks_in_treatment, row.entry.weeks_on_current_plan)}</span>
        </div>
        <dl class="review-row__details">
            <dt>"Current treatment"</dt><dd>{treatment}</dd>
            <dt>"Last review"</dt><dd>{last.unwrap_or_else(|| "Never reviewed".to_owned())}</dd>
            {row.manual_reason.clone().map(|r| view! { <dt>"Added by the care manager"</dt><dd>{r}</dd> })}
            {row.prep.clone().map(|p| view! { <dt>"Case summary"</dt><dd>{p.summary}</dd> })}
            {open}
        </dl>
    }
}

/// The patients deferred to the next meeting, with the reasons; nothing when there are none.
fn deferred(rows: &[BoardRow]) -> impl IntoView + use<> {
    (!rows.is_empty()).then(|| {
        let items = rows
            .iter()
            .map(|row| {
                let d = row.deferral.clone();
                view! {
                    <li>
                        <a href=format!("/patients/{}", row.entry.patient_id.0)>{row.name.clone()}</a>
                        {d.map(|d| format!(" · {}{}", d.reason, d.deferred_by_name.map(|n| format!(" ({n})")).unwrap_or_default()))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="panel" aria-labelledby="deferred-h">
                <h2 id="deferred-h">"Deferred to the next meeting"</h2>
                <ul>{items}</ul>
            </section>
        }
    })
}

/// The printable agenda: the list with the least PHI a meeting needs (name, MRN, reasons and
/// scores; no birth dates, notes or explanations).
pub fn agenda(view: ReviewBoardView) -> Markup {
    Markup::render(move || {
        let rows = view
            .board
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let reasons = r
                    .entry
                    .reasons
                    .iter()
                    .map(|f| f.kind.label())
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <tr>
                        <td>{i + 1}</td>
                        <td>{r.name.clone()}</td>
                        <td>{r.mrn.clone()}</td>
                        <td>{reasons}</td>
                        <td>{score_line(r)}</td>
                        <td>{r.entry.weeks_in_treatment}</td>
                        <td>{(r.carried_weeks > 0).then(|| r.carried_weeks.to_string())}</td>
                        <td class="agenda__notes"></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="agenda">
                <h1>{format!("Case review agenda · {} · {}", view.clinic.name, view.meets_on)}</h1>
                <p class="no-print">
                    <a href=format!("/review?clinic={}&date={}", view.clinic.id.0, view.meets_on)>"← Back to the list"</a>
                    " · Use your browser's print command; this page prints without navigation."
                </p>
                <table class="agenda__table">
                    <caption>{format!("{} patients · confidential: contains patient information", view.board.rows.len())}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"Patient"</th>
                            <th scope="col">"MRN"</th>
                            <th scope="col">"Reasons"</th>
                            <th scope="col">"PHQ-9"</th>
                            <th scope="col">"Weeks"</th>
                            <th scope="col">"Carried"</th>
                            <th scope="col">"Notes"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    })
}
