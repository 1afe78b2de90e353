//! The chart page, drawn on the server ([`Markup`]): the heading, flags, care intensity, metrics
//! and trajectory; the reviews; the scores; the contact log; the team and plans; conditions and
//! needs; discharges; the status history; and the forms to record care, which post through the
//! page's [`LiveMarkup`](crate::components::markup::LiveMarkup). The browser carries none of
//! this code.

use leptos::prelude::*;

use super::{checkbox, target_checkboxes};
use crate::accounts::StaffMember;
use crate::api::chart::{ChartScreen, ChartView};
use crate::api::form::{FormAction, PostForm};
use crate::api::records::{
    AddContact, AddHospitalEvent, AddTreatmentChange, ChangeStatus, SaveEpisodePlan,
    SavePatientFacts,
};
use crate::api::review::{MarkForReview, RemoveReviewMark};
use crate::components::flags::FlagList;
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::markup::Markup;
use crate::domain::episode::format_percent;
use crate::domain::quality::MeasureExclusion;
use crate::domain::{
    CareIntensity, ContactKind, DischargeSetting, EpisodeMetrics, SocialNeed, StatusReason,
};
use crate::model::{EpisodeHistory, EpisodeRecord, EpisodeStatus, PatientFacts, ReviewMarkRecord};
use crate::pages::meeting::sections::review_summary;
use crate::policy::Role;

/// The chart page from everything the chart shows.
pub fn screen(view: ChartView) -> ChartScreen {
    let p = &view.patient.patient;
    ChartScreen {
        title: format!("{}, {} · chart", p.family_name, p.given_name),
        markup: Markup::render(|| page(&view)),
    }
}

/// Whether the episode shown is still open (not discharged).
fn open(view: &ChartView) -> bool {
    view.episode
        .as_ref()
        .is_some_and(|e| e.episode.status != EpisodeStatus::Discharged)
}

/// The "discuss at review" mark, while no review since has answered it.
fn review_mark(view: &ChartView) -> Option<ReviewMarkRecord> {
    let history = &view.history;
    history
        .review_mark
        .clone()
        .filter(|m| !history.reviews.iter().any(|r| r.reviewed_on >= m.marked_on))
}

fn page(view: &ChartView) -> impl IntoView + use<> {
    let editable = view.can_edit && open(view);
    let history = &view.history;
    let episode_id = view
        .episode
        .as_ref()
        .map(|e| e.episode.id.0)
        .unwrap_or_default();
    let reviews_section = view.episode.as_ref().map(|e| {
        view! {
            <section class="panel" aria-labelledby="reviews-h">
                <h2 id="reviews-h">"Psychiatric case review"</h2>
                {review_forms(view, e.episode.id.0)}
                {reviews(history)}
            </section>
        }
    });
    let plans_section = view.episode.as_ref().map(|e| {
        view! {
            <section class="panel" aria-labelledby="plan-h">
                <h2 id="plan-h">"Care team and plans"</h2>
                {plans(e, history)}
                {editable.then(|| plan_forms(view, e))}
            </section>
        }
    });
    let status_section = view.episode.as_ref().map(|e| {
        let changeable = view.can_edit && e.episode.status != EpisodeStatus::Discharged;
        view! {
            <section class="panel" aria-labelledby="status-h">
                <h2 id="status-h">"Status history"</h2>
                {status(history)}
                {changeable.then(|| status_form(view, e))}
            </section>
        }
    });
    view! {
        {overview(view)}
        {reviews_section}
        {scores(history, view.can_edit)}
        <section class="panel" aria-labelledby="contacts-h">
            <h2 id="contacts-h">"Contacts"</h2>
            {editable.then(|| contact_form(view, episode_id))}
            {contacts(history)}
        </section>
        {plans_section}
        <section class="panel" aria-labelledby="facts-h">
            <h2 id="facts-h">"Chronic conditions and social needs"</h2>
            {facts(&view.patient.facts)}
            {view.can_edit.then(|| facts_form(view))}
        </section>
        <section class="panel" aria-labelledby="events-h">
            <h2 id="events-h">"Hospital and ED discharges"</h2>
            {events(history)}
            {editable.then(|| event_form(episode_id))}
        </section>
        {status_section}
    }
}

/// The heading (name, age, MRN, clinic, status, the links to record care), the episodes, the
/// flags, the care intensity, the episode's metrics and the trajectory chart.
fn overview(view: &ChartView) -> impl IntoView + use<> {
    let p = &view.patient.patient;
    let name = format!("{}, {}", p.family_name, p.given_name);
    let patient_id = p.id.0;
    let episode = view.episode.clone();
    let header_facts = match (&episode, &view.metrics) {
        (Some(e), Some(m)) => {
            let status = e.episode.status.label();
            let weeks = m.weeks_in_treatment;
            let due = view
                .next_contact_due
                .map(|d| format!(" · next contact due {d}"))
                .unwrap_or_default();
            format!(
                "{status} · week {weeks} since enrollment on {}{due}",
                e.episode.enrolled_on,
            )
        }
        _ => "Not enrolled".to_owned(),
    };
    let intensity = view.intensity.clone();
    let intensity_label = match intensity.level {
        CareIntensity::CaseManagement => "Case management (higher intensity)",
        CareIntensity::RoutineCoordination => "Routine care coordination",
    };
    let intensity_class = format!(
        "intensity intensity--{}",
        if intensity.level == CareIntensity::CaseManagement {
            "high"
        } else {
            "routine"
        }
    );
    let reasons = (!intensity.reasons.is_empty()).then(|| {
        let items = intensity
            .reasons
            .iter()
            .map(|r| view! { <li>{r.describe()}</li> })
            .collect_view();
        view! { <ul>{items}</ul> }
    });
    let no_reason = intensity
        .reasons
        .is_empty()
        .then(|| view! { <p class="muted">"No criterion for case management is met."</p> });
    let can_edit = view.can_edit;
    let open = open(view);
    let episodes_nav = (view.episodes.len() > 1).then(|| {
        let selected = episode.as_ref().map(|e| e.episode.id);
        let links = view
            .episodes
            .iter()
            .map(|e| {
                let here = Some(e.episode.id) == selected;
                let label = format!(
                    "{} – {}",
                    e.episode.enrolled_on,
                    e.episode
                        .discharged_on
                        .map_or_else(|| "open".to_owned(), |d| d.to_string())
                );
                view! {
                    <a href=format!("/patients/{patient_id}?episode={}", e.episode.id) aria-current=here.then_some("page")>{label}</a>
                    " "
                }
            })
            .collect_view();
        view! {
            <nav class="episode-nav" aria-label="Episodes">
                <span>"Episodes: "</span>
                {links}
            </nav>
        }
    });
    let reenroll = (can_edit && !open).then(|| view! {
        <a class="button" href=format!("/patients/new?patient={patient_id}")>"Re-enroll (new episode)"</a>
    });
    let record_links = (can_edit && open).then(|| {
        let e = episode.as_ref().map(|e| e.episode.id.0).unwrap_or_default();
        view! {
            <a class="button" href=format!("/patients/{patient_id}/measure?instrument=PHQ-9&episode={e}")>"Enter PHQ-9"</a>
            <a class="button button--secondary" href=format!("/patients/{patient_id}/measure?instrument=GAD-7&episode={e}")>"Enter GAD-7"</a>
            <a class="button button--secondary" href=format!("/patients/{patient_id}/self-report")>"Self-report link"</a>
        }
    });
    let summary_link = episode.is_some().then(|| view! {
        <a class="button button--secondary" href=format!("/patients/{patient_id}/summary")>"EHR summary"</a>
    });
    let trajectory = match view.trajectory_svg.clone() {
        Some(svg) => view! { <figure class="trajectory" inner_html=svg></figure> }.into_any(),
        None => view! { <p class="muted">"No chart: no scores recorded in this episode yet."</p> }
            .into_any(),
    };
    view! {
        <div class="page-heading chart-heading">
            <div>
                <h1>{name}</h1>
                <p class="chart-facts">
                    {format!("Age {} · MRN {} · {}", view.age, p.mrn, view.clinic_name)}
                    <br />
                    <strong>{header_facts}</strong>
                </p>
            </div>
            <div class="actions">
                {record_links}
                {reenroll}
                {summary_link}
            </div>
        </div>
        {episodes_nav}
        <div class="chart-grid">
            <section class="panel" aria-labelledby="flags-h">
                <h2 id="flags-h">"Flags"</h2>
                <FlagList flags=view.flags.clone() />
            </section>
            <section class="panel" aria-labelledby="intensity-h">
                <h2 id="intensity-h">"Care intensity"</h2>
                <p class=intensity_class>
                    <strong>{intensity_label}</strong>
                </p>
                {reasons}
                {no_reason}
            </section>
        </div>
        {view.metrics.clone().map(metrics)}
        <section class="panel" aria-labelledby="trajectory-h">
            <h2 id="trajectory-h">"Trajectory"</h2>
            {trajectory}
            <p class="chart-summary">{view.trajectory_summary.clone()}</p>
        </section>
    }
}

fn metrics(m: EpisodeMetrics) -> impl IntoView {
    let baseline = m.baseline.map_or_else(
        || "—".to_owned(),
        |s| format!("{} on {}", s.total, s.taken_on),
    );
    let latest = m.latest.map_or_else(
        || "—".to_owned(),
        |s| format!("{} on {}", s.total, s.taken_on),
    );
    let change = m
        .percent_change
        .map_or_else(|| "—".to_owned(), format_percent);
    let outcome = if m.remission {
        "Remission"
    } else if m.response {
        "Response (≥50% drop)"
    } else if m.has_follow_up {
        "Not yet responding"
    } else {
        "No follow-up score yet"
    };
    view! {
        <dl class="metrics">
            <div><dt>{format!("{} baseline", m.primary)}</dt><dd>{baseline}</dd></div>
            <div><dt>"Latest"</dt><dd>{latest}</dd></div>
            <div><dt>"Change"</dt><dd>{change}</dd></div>
            <div><dt>"Outcome"</dt><dd>{outcome}</dd></div>
            <div><dt>"Weeks on current plan"</dt><dd>{m.weeks_on_current_plan}</dd></div>
            <div><dt>"Completed contacts"</dt><dd>{m.completed_contacts}</dd></div>
        </dl>
    }
}

/// Every review of the episode, newest first, with its recommendations and their status.
fn reviews(history: &EpisodeHistory) -> impl IntoView + use<> {
    if history.reviews.is_empty() {
        return view! { <p class="muted">"Not reviewed yet in this episode."</p> }.into_any();
    }
    let items = history
        .reviews
        .iter()
        .rev()
        .map(|r| review_summary(r, true))
        .collect_view();
    view! { <ul class="review-history">{items}</ul> }.into_any()
}

/// The scores of the episode, newest first (the trajectory's data), and their corrections.
fn scores(history: &EpisodeHistory, can_edit: bool) -> impl IntoView + use<> {
    let rows = history.measurements.clone();
    let changes = history.score_changes.clone();
    let corrections = (!changes.is_empty()).then(|| {
        view! {
            <h3>"Corrections and deletions"</h3>
            <ul class="corrections">
                {changes.into_iter().map(|c| {
                    let what = if c.deleted { "Deleted" } else { "Corrected" };
                    let who = c.user_name.map(|u| format!(" by {u}")).unwrap_or_default();
                    view! {
                        <li>{format!(
                            "{what} {} of {} (was {}){who} on {}: {}",
                            c.instrument, c.previous_taken_on, c.previous_total,
                            c.changed_at.date_naive(), c.reason
                        )}</li>
                    }
                }).collect_view()}
            </ul>
        }
    });
    let table = if rows.is_empty() {
        view! { <p class="muted">"No scores in this episode yet."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Score history">
                <table class="data-table">
                    <caption class="visually-hidden">"Scores of this episode, the data of the trajectory chart"</caption>
                    <thead><tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Instrument"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col">"Band"</th>
                        <th scope="col">"Item 9"</th>
                        <th scope="col">"Source"</th>
                        {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().rev().map(|m| {
                            let item9 = m.responses.item9().map_or_else(|| "—".to_owned(), |v| v.to_string());
                            let safety = m.responses.needs_suicide_risk_assessment();
                            view! {
                                <tr>
                                    <td>{m.taken_on.to_string()}</td>
                                    <td>{m.instrument().code()}</td>
                                    <td class="num">{m.responses.total()}</td>
                                    <td>{m.responses.severity().label()}</td>
                                    <td>{item9}{safety.then_some(" ⚠ positive")}</td>
                                    <td>{m.source.label()}</td>
                                    {can_edit.then(|| view! { <td><a href=format!("/measurements/{}", m.id)>"Edit or delete"</a></td> })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="scores-h">
            <h2 id="scores-h">"Scores"</h2>
            {table}
            {corrections}
        </section>
    }
}

/// The contact log of the episode, newest first.
fn contacts(history: &EpisodeHistory) -> impl IntoView + use<> {
    if history.contacts.is_empty() {
        return view! { <p class="muted">"No contacts logged in this episode yet."</p> }.into_any();
    }
    let rows = history
        .contacts
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td>{c.occurred_on.to_string()}</td>
                    <td>{c.kind.label()}</td>
                    <td class="num">{c.minutes}</td>
                    <td>{c.user_name.clone().unwrap_or_default()}</td>
                    <td>{c.note.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Contact log">
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col" class="num">"Minutes"</th>
                    <th scope="col">"By"</th><th scope="col">"Note"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The care team, the target conditions, the plans and the treatment changes of the episode.
fn plans(episode: &EpisodeRecord, history: &EpisodeHistory) -> impl IntoView + use<> {
    let d = &episode.details;
    let team = format!(
        "Care manager: {} · Psychiatric consultant: {} · PCP: {}",
        episode
            .care_manager_name
            .as_deref()
            .unwrap_or("not assigned"),
        episode.consultant_name.as_deref().unwrap_or("not assigned"),
        if d.pcp.is_empty() {
            "not recorded"
        } else {
            d.pcp.as_str()
        },
    );
    let targets = d
        .targets
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ");
    let or_none = |text: &str| {
        if text.is_empty() {
            "None recorded.".to_owned()
        } else {
            text.to_owned()
        }
    };
    let changes = if history.treatment_changes.is_empty() {
        view! { <p class="muted">"None recorded. The not-improving rule counts weeks from enrollment."</p> }.into_any()
    } else {
        let items = history
            .treatment_changes
            .iter()
            .map(|c| view! { <li>{format!("{}: {}", c.changed_on, c.description)}</li> })
            .collect_view();
        view! { <ul>{items}</ul> }.into_any()
    };
    view! {
        <p>{team}</p>
        <p>{format!("Target conditions: {targets}")}</p>
        <h3>"Treatment and care plan"</h3>
        <p class="prewrap">{or_none(&episode.care_plan)}</p>
        <h3>"Relapse-prevention plan"</h3>
        <p class="prewrap">{or_none(&episode.relapse_plan)}</p>
        <h3>"Treatment changes"</h3>
        {changes}
    }
}

/// The patient's chronic conditions, social needs and quality-measure exclusions.
fn facts(f: &PatientFacts) -> impl IntoView + use<> {
    let conditions = if f.chronic_conditions.is_empty() {
        "None recorded".to_owned()
    } else {
        f.chronic_conditions.join(", ")
    };
    let needs = if f.social_needs.is_empty() {
        "None recorded".to_owned()
    } else {
        f.social_needs
            .iter()
            .map(|n| n.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let exclusions = (!f.measure_exclusions.is_empty()).then(|| {
        let list = f
            .measure_exclusions
            .iter()
            .map(|e| e.label())
            .collect::<Vec<_>>()
            .join(", ");
        view! { <p>{format!("Excluded from the quality measures: {list}")}</p> }
    });
    view! {
        <p>{format!("Chronic conditions: {conditions}")}</p>
        <p>{format!("Social needs: {needs}")}</p>
        {exclusions}
    }
}

/// The hospital and ED discharges of the episode.
fn events(history: &EpisodeHistory) -> impl IntoView + use<> {
    if history.hospital_events.is_empty() {
        return view! { <p class="muted">"None recorded in this episode."</p> }.into_any();
    }
    let items = history
        .hospital_events
        .iter()
        .map(|e| view! { <li>{format!("{} discharge {}", e.setting.label(), crate::dates::date_time(e.discharged_at))}</li> })
        .collect_view();
    view! { <ul>{items}</ul> }.into_any()
}

/// The episode's status changes, oldest first, with reason, note and who made them.
fn status(history: &EpisodeHistory) -> impl IntoView + use<> {
    let items = history
        .status_changes
        .iter()
        .map(|s| {
            let note = if s.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", s.note)
            };
            let by = s
                .user_name
                .as_ref()
                .map(|u| format!(", by {u}"))
                .unwrap_or_default();
            view! {
                <li>{format!("{}: {} ({}){note}{by}", s.changed_on, s.to.label(), s.reason.label())}</li>
            }
        })
        .collect_view();
    view! { <ol class="status-history">{items}</ol> }
}

/// The "discuss at review" mark: the current one (with a form to remove it) or a form to set one.
fn review_forms(view: &ChartView, episode: i64) -> impl IntoView + use<> {
    let (mark, unmark) = (
        FormAction::<MarkForReview>::new(),
        FormAction::<RemoveReviewMark>::new(),
    );
    let err = last_error(mark);
    let unmark_err = last_error(unmark);
    let can_plan = view.can_plan_review && open(view);
    let current = review_mark(view);
    let set = (can_plan && current.is_none()).then(|| {
        view! {
            <details class="edit-block">
                <summary>"Discuss at the next review"</summary>
                <PostForm action=mark attr:class="stacked-form">
                    <ErrorSummary error=err />
                    <input type="hidden" name="episode" value=episode.to_string() />
                    <div class="field">
                        <label for="mark-reason">"Reason"</label>
                        <input id="mark-reason" name="reason" maxlength="500" required />
                        <FieldMessage id="reason" message=field_error(err, "reason") />
                    </div>
                    <button type="submit" class="button">"Add to the review list"</button>
                </PostForm>
            </details>
        }
    });
    view! {
        {current.map(|m| view! {
            <p class="notice">
                {format!("To discuss at the next review (added {}): {}", m.marked_on, m.reason)}
                {can_plan.then(|| view! {
                    <PostForm action=unmark attr:class="inline-form">
                        <ErrorSummary error=unmark_err />
                        <input type="hidden" name="episode" value=episode.to_string() />
                        <button type="submit" class="link-button">"Remove"</button>
                    </PostForm>
                })}
            </p>
        })}
        {set}
    }
}

fn contact_form(view: &ChartView, episode: i64) -> impl IntoView + use<> {
    let action = FormAction::<AddContact>::new();
    let err = last_error(action);
    let today = view.today.to_string();
    view! {
        <PostForm action attr:class="stacked-form" attr:aria-labelledby="contact-form-h">
            <h3 id="contact-form-h">"Log a contact"</h3>
            <ErrorSummary error=err />
            <input type="hidden" name="episode" value=episode.to_string() />
            <div class="form-row">
                <div class="field">
                    <label for="c-date">"Date"</label>
                    <input id="c-date" name="occurred_on" type="date" required value=today.clone() max=today aria-describedby="occurred_on-error" />
                    <FieldMessage id="occurred_on" message=field_error(err, "occurred_on") />
                </div>
                <div class="field">
                    <label for="c-kind">"Type"</label>
                    <select id="c-kind" name="kind">
                        {ContactKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="c-minutes">"Minutes"</label>
                    <input id="c-minutes" name="minutes" type="number" min="0" max="480" required value="20" inputmode="numeric" aria-describedby="minutes-error" />
                    <FieldMessage id="minutes" message=field_error(err, "minutes") />
                </div>
            </div>
            <div class="field">
                <label for="c-note">"Note (optional, 500 characters)"</label>
                <input id="c-note" name="note" type="text" maxlength="500" />
            </div>
            <button type="submit" class="button">"Log contact"</button>
        </PostForm>
    }
}

fn plan_forms(view: &ChartView, episode: &EpisodeRecord) -> impl IntoView + use<> {
    let action = FormAction::<SaveEpisodePlan>::new();
    let change = FormAction::<AddTreatmentChange>::new();
    let err = last_error(action);
    let change_err = last_error(change);
    let d = episode.details.clone();
    let today = view.today.to_string();
    let episode_id = episode.episode.id.0.to_string();
    let change_episode = episode_id.clone();
    let version = episode.version.to_string();
    let (care_plan, relapse_plan) = (episode.care_plan.clone(), episode.relapse_plan.clone());
    let care_managers = staff_select(
        "p-cm",
        "care_manager",
        &view.staff,
        Role::CareManager,
        d.care_manager_id,
    );
    let consultants = staff_select(
        "p-cs",
        "consultant",
        &view.staff,
        Role::PsychiatricConsultant,
        d.consultant_id,
    );
    view! {
        <details class="edit-block">
            <summary>"Edit team and plans"</summary>
            <PostForm action attr:class="stacked-form">
                <ErrorSummary error=err />
                <input type="hidden" name="episode" value=episode_id />
                <input type="hidden" name="version" value=version />
                <div class="form-row">
                    <div class="field">
                        <label for="p-cm">"Care manager"</label>
                        {care_managers}
                    </div>
                    <div class="field">
                        <label for="p-cs">"Psychiatric consultant"</label>
                        {consultants}
                    </div>
                    <div class="field">
                        <label for="p-pcp">"Primary-care provider"</label>
                        <input id="p-pcp" name="pcp" maxlength="100" value=d.pcp.clone() />
                    </div>
                </div>
                <fieldset>
                    <legend>"Target conditions"</legend>
                    {target_checkboxes(&d.targets)}
                    <FieldMessage id="targets" message=field_error(err, "targets") />
                </fieldset>
                <div class="field">
                    <label for="p-plan">"Treatment and care plan"</label>
                    <textarea id="p-plan" name="care_plan" rows="4" maxlength="4000">{care_plan}</textarea>
                </div>
                <div class="field">
                    <label for="p-relapse">"Relapse-prevention plan"</label>
                    <textarea id="p-relapse" name="relapse_plan" rows="4" maxlength="4000">{relapse_plan}</textarea>
                </div>
                <button type="submit" class="button">"Save team and plans"</button>
            </PostForm>
        </details>
        <details class="edit-block">
            <summary>"Record a treatment change"</summary>
            <PostForm action=change attr:class="stacked-form">
                <ErrorSummary error=change_err />
                <input type="hidden" name="episode" value=change_episode />
                <div class="field">
                    <label for="t-date">"Date of the change"</label>
                    <input id="t-date" name="changed_on" type="date" required value=today.clone() max=today />
                    <FieldMessage id="changed_on" message=field_error(change_err, "changed_on") />
                </div>
                <div class="field">
                    <label for="t-desc">"What changed (e.g. sertraline 50 → 100 mg)"</label>
                    <input id="t-desc" name="description" required maxlength="500" />
                    <FieldMessage id="description" message=field_error(change_err, "description") />
                </div>
                <button type="submit" class="button">"Record change"</button>
            </PostForm>
        </details>
    }
}

fn facts_form(view: &ChartView) -> impl IntoView + use<> {
    let action = FormAction::<SavePatientFacts>::new();
    let err = last_error(action);
    let f = view.patient.facts.clone();
    let patient_id = view.patient.patient.id.0.to_string();
    let version = view.patient.version.to_string();
    let checks = [
        (
            "substance_use_disorder",
            "Substance use disorder",
            f.substance_use_disorder,
        ),
        (
            "serious_mental_illness",
            "Serious mental illness",
            f.serious_mental_illness,
        ),
        (
            "long_term_care_decision",
            "Long-term care placement decision",
            f.long_term_care_decision,
        ),
    ];
    view! {
        <details class="edit-block">
            <summary>"Edit conditions and needs"</summary>
            <PostForm action attr:class="stacked-form">
                <ErrorSummary error=err />
                <input type="hidden" name="patient" value=patient_id />
                <input type="hidden" name="version" value=version />
                <div class="field">
                    <label for="f-cc">"Active chronic conditions, one per line"</label>
                    <textarea id="f-cc" name="chronic_conditions" rows="4">{f.chronic_conditions.join("\n")}</textarea>
                    <FieldMessage id="chronic_conditions" message=field_error(err, "chronic_conditions") />
                </div>
                <fieldset>
                    <legend>"Social needs"</legend>
                    {SocialNeed::ALL.into_iter().map(|n| checkbox("need", "social_needs[]", n.code(), n.label(), f.social_needs.contains(&n))).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Other criteria"</legend>
                    {checks.into_iter().map(|(code, label, on)| checkbox("fact", "flags[]", code, label, on)).collect_view()}
                </fieldset>
                <fieldset>
                    <legend>"Excluded from the depression quality measures"</legend>
                    {MeasureExclusion::ALL.into_iter().map(|e| checkbox("excl", "exclusions[]", e.code(), e.label(), f.measure_exclusions.contains(&e))).collect_view()}
                </fieldset>
                <button type="submit" class="button">"Save"</button>
            </PostForm>
        </details>
    }
}

fn event_form(episode: i64) -> impl IntoView + use<> {
    let action = FormAction::<AddHospitalEvent>::new();
    let err = last_error(action);
    view! {
        <details class="edit-block">
            <summary>"Record a discharge"</summary>
            <PostForm action attr:class="stacked-form">
                <ErrorSummary error=err />
                <input type="hidden" name="episode" value=episode.to_string() />
                <div class="form-row">
                    <div class="field">
                        <label for="h-setting">"From"</label>
                        <select id="h-setting" name="setting">
                            {DischargeSetting::ALL.into_iter().map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="h-at">"Discharged at"</label>
                        <input id="h-at" name="discharged_at" type="datetime-local" required />
                        <FieldMessage id="discharged_at" message=field_error(err, "discharged_at") />
                    </div>
                </div>
                <p class="hint">"A discharge raises the post-discharge follow-up flag (contact within 72 hours) until a contact is logged."</p>
                <button type="submit" class="button">"Record discharge"</button>
            </PostForm>
        </details>
    }
}

fn status_form(view: &ChartView, episode: &EpisodeRecord) -> impl IntoView + use<> {
    let action = FormAction::<ChangeStatus>::new();
    let err = last_error(action);
    let current = episode.episode.status;
    let episode_id = episode.episode.id.0.to_string();
    let version = episode.version.to_string();
    let targets: Vec<EpisodeStatus> = EpisodeStatus::ALL
        .into_iter()
        .filter(|s| *s != current)
        .collect();
    let reasons: Vec<StatusReason> = StatusReason::ALL
        .into_iter()
        .filter(|r| *r != StatusReason::Started)
        .collect();
    let today = view.today.to_string();
    view! {
        <details class="edit-block">
            <summary>"Change status"</summary>
            <PostForm action attr:class="stacked-form">
                <ErrorSummary error=err />
                <input type="hidden" name="episode" value=episode_id />
                <input type="hidden" name="version" value=version />
                <div class="form-row">
                    <div class="field">
                        <label for="s-to">"New status"</label>
                        <select id="s-to" name="to">
                            {targets.into_iter().map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                        </select>
                        <FieldMessage id="to" message=field_error(err, "to") />
                    </div>
                    <div class="field">
                        <label for="s-on">"Date"</label>
                        <input id="s-on" name="on" type="date" required value=today.clone() max=today />
                        <FieldMessage id="on" message=field_error(err, "on") />
                    </div>
                    <div class="field">
                        <label for="s-reason">"Reason"</label>
                        <select id="s-reason" name="reason">
                            {reasons.into_iter().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                        </select>
                        <FieldMessage id="reason" message=field_error(err, "reason") />
                    </div>
                </div>
                <div class="field">
                    <label for="s-note">"Note (required for “Other”)"</label>
                    <input id="s-note" name="note" maxlength="500" />
                    <FieldMessage id="status_note" message=field_error(err, "status_note") />
                </div>
                <button type="submit" class="button">"Change status"</button>
            </PostForm>
        </details>
    }
}

fn staff_select(
    id: &'static str,
    name: &'static str,
    staff: &[StaffMember],
    role: Role,
    chosen: Option<i64>,
) -> impl IntoView {
    view! {
        <select id=id name=name>
            <option value="">"Not assigned"</option>
            {staff.iter().filter(|s| s.role == role).map(|s| view! {
                <option value=s.id.to_string() selected=chosen == Some(s.id)>{s.name.clone()}</option>
            }).collect_view()}
        </select>
    }
}
