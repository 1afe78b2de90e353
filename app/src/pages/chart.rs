//! The patient chart: header with age, status, weeks and flags; the care-intensity indicator; the
//! trajectory chart (server-drawn SVG with a data table); scores, contacts, plans, care-intensity
//! facts, hospital/ED events, treatment changes and status history; and the forms to record care.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::accounts::StaffMember;
use crate::api::chart::{get_chart, ChartView};
use crate::api::form::{FormAction, PostForm};
use crate::api::records::{
    AddContact, AddHospitalEvent, AddTreatmentChange, ChangeStatus, SaveEpisodePlan,
    SavePatientFacts,
};
use crate::api::review::{MarkForReview, RemoveReviewMark};
use crate::components::flags::FlagList;
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::domain::episode::format_percent;
use crate::domain::quality::MeasureExclusion;
use crate::domain::{
    CareIntensity, ContactKind, DischargeSetting, EpisodeMetrics, SocialNeed, StatusReason,
    TargetCondition,
};
use crate::error::AppError;
use crate::model::{EpisodeRecord, EpisodeStatus};
use crate::pages::review::ChartReviews;
use crate::policy::Role;

#[component]
pub fn ChartPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let patient = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let episode = move || {
        query
            .read()
            .get("episode")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let contact = FormAction::<AddContact>::new();
    let event = FormAction::<AddHospitalEvent>::new();
    let change = FormAction::<AddTreatmentChange>::new();
    let plan = FormAction::<SaveEpisodePlan>::new();
    let facts = FormAction::<SavePatientFacts>::new();
    let status = FormAction::<ChangeStatus>::new();
    let mark = FormAction::<MarkForReview>::new();
    let unmark = FormAction::<RemoveReviewMark>::new();
    let saved = move || {
        (
            mark.version().get(),
            unmark.version().get(),
            contact.version().get(),
            event.version().get(),
            change.version().get(),
            plan.version().get(),
            facts.version().get(),
            status.version().get(),
        )
    };
    let chart = crate::api::load(
        move || (patient(), episode(), saved()),
        |(patient, episode, _)| async move {
            match patient {
                Some(p) => get_chart(p, episode).await,
                None => Err(AppError::NotFound("the patient".to_owned())),
            }
        },
    );
    let actions = Actions {
        contact,
        event,
        change,
        plan,
        facts,
        status,
        mark,
        unmark,
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the chart…"</p> }>
            {move || Suspend::new(async move {
                match chart.await {
                    Ok(view) => view! { <Chart view actions /> }.into_any(),
                    Err(err) => view! {
                        <Title text="Patient chart" />
                        <h1>"Patient chart"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"The chart could not be loaded"</h2>
                            <p>{err.to_string()}</p>
                            {(err == AppError::Unauthenticated).then(|| view! { <p><a class="button" href="/login">"Sign in"</a></p> })}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    contact: FormAction<AddContact>,
    event: FormAction<AddHospitalEvent>,
    change: FormAction<AddTreatmentChange>,
    plan: FormAction<SaveEpisodePlan>,
    facts: FormAction<SavePatientFacts>,
    status: FormAction<ChangeStatus>,
    mark: FormAction<MarkForReview>,
    unmark: FormAction<RemoveReviewMark>,
}

#[component]
fn Chart(view: ChartView, actions: Actions) -> impl IntoView {
    let p = &view.patient.patient;
    let name = format!("{}, {}", p.family_name, p.given_name);
    let patient_id = p.id.0;
    let title = format!("{name} · chart");
    let episode = view.episode.clone();
    let header_facts = match (&episode, &view.metrics) {
        (Some(e), Some(m)) => {
            let status = e.episode.status.label();
            let weeks = m.weeks_in_treatment;
            let due = view
                .next_contact_due
                .map(|d| format!("next contact due {d}"))
                .unwrap_or_default();
            format!(
                "{status} · week {weeks} since enrollment on {} {}",
                e.episode.enrolled_on,
                if due.is_empty() {
                    String::new()
                } else {
                    format!("· {due}")
                }
            )
        }
        _ => "Not enrolled".to_owned(),
    };
    let intensity = view.intensity.clone();
    let intensity_label = match intensity.level {
        CareIntensity::CaseManagement => "Case management (higher intensity)",
        CareIntensity::RoutineCoordination => "Routine care coordination",
    };
    let reasons = intensity
        .reasons
        .iter()
        .map(|r| view! { <li>{r.describe()}</li> })
        .collect_view();
    let can_edit = view.can_edit;
    let open = episode
        .as_ref()
        .is_some_and(|e| e.episode.status != EpisodeStatus::Discharged);
    let episodes_nav = (view.episodes.len() > 1).then(|| {
        let selected = episode.as_ref().map(|e| e.episode.id);
        view! {
            <nav class="episode-nav" aria-label="Episodes">
                <span>"Episodes: "</span>
                {view.episodes.iter().map(|e| {
                    let here = Some(e.episode.id) == selected;
                    let label = format!("{} – {}", e.episode.enrolled_on, e.episode.discharged_on.map_or_else(|| "open".to_owned(), |d| d.to_string()));
                    view! {
                        <a href=format!("/patients/{patient_id}?episode={}", e.episode.id) aria-current=here.then_some("page")>{label}</a>
                        " "
                    }
                }).collect_view()}
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
    view! {
        <Title text=title />
        <div class="page-heading chart-heading">
            <div>
                <h1>{name.clone()}</h1>
                <p class="chart-facts">
                    {format!("Age {} · MRN {} · {}", view.age, p.mrn, view.clinic_name)}
                    <br />
                    <strong>{header_facts}</strong>
                </p>
            </div>
            <div class="actions">
                {record_links}
                {reenroll}
                {episode.is_some().then(|| view! {
                    <a class="button button--secondary" href=format!("/patients/{patient_id}/summary")>"EHR summary"</a>
                })}
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
                <p class=format!("intensity intensity--{}", if intensity.level == CareIntensity::CaseManagement { "high" } else { "routine" })>
                    <strong>{intensity_label}</strong>
                </p>
                {if intensity.reasons.is_empty() {
                    view! { <p class="muted">"No criterion for case management is met."</p> }.into_any()
                } else {
                    view! { <ul>{reasons}</ul> }.into_any()
                }}
            </section>
        </div>
        {view.metrics.clone().map(|m| view! { <Metrics m /> })}
        <section class="panel" aria-labelledby="trajectory-h">
            <h2 id="trajectory-h">"Trajectory"</h2>
            {match view.trajectory_svg.clone() {
                Some(svg) => view! { <figure class="trajectory" inner_html=svg></figure> }.into_any(),
                None => view! { <p class="muted">"No chart: no scores recorded in this episode yet."</p> }.into_any(),
            }}
            <p class="chart-summary">{view.trajectory_summary.clone()}</p>
        </section>
        {episode.clone().map(|e| view! {
            <ChartReviews
                episode=e.episode.id.0
                open
                can_plan=view.can_plan_review
                history=view.history.clone()
                mark=actions.mark
                unmark=actions.unmark
            />
        })}
        <Scores view=view.clone() />
        <Contacts view=view.clone() actions open />
        {episode.clone().map(|e| view! { <Plans view=view.clone() episode=e actions open /> })}
        <Facts view=view.clone() actions />
        <Events view=view.clone() actions open />
        {episode.map(|e| view! { <Status view=view.clone() episode=e actions /> })}
    }
}

#[component]
fn Metrics(m: EpisodeMetrics) -> impl IntoView {
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

#[component]
fn Scores(view: ChartView) -> impl IntoView {
    let rows = view.history.measurements.clone();
    let can_edit = view.can_edit;
    let changes = view.history.score_changes.clone();
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
    view! {
        <section class="panel" aria-labelledby="scores-h">
            <h2 id="scores-h">"Scores"</h2>
            {if rows.is_empty() {
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
            }}
            {corrections}
        </section>
    }
}

#[component]
fn Contacts(view: ChartView, actions: Actions, open: bool) -> impl IntoView {
    let action = actions.contact;
    let err = last_error(action);
    let contacts = view.history.contacts.clone();
    let episode = view.episode.as_ref().map(|e| e.episode.id.0);
    let form = (view.can_edit && open).then(|| view! {
        <PostForm action attr:class="stacked-form" attr:aria-labelledby="contact-form-h">
            <h3 id="contact-form-h">"Log a contact"</h3>
            <ErrorSummary error=err />
            <input type="hidden" name="episode" value=episode.unwrap_or_default().to_string() />
            <div class="form-row">
                <div class="field">
                    <label for="c-date">"Date"</label>
                    <input id="c-date" name="occurred_on" type="date" required value=view.today.to_string() max=view.today.to_string() aria-describedby="occurred_on-error" />
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
    });
    view! {
        <section class="panel" aria-labelledby="contacts-h">
            <h2 id="contacts-h">"Contacts"</h2>
            {form}
            {if contacts.is_empty() {
                view! { <p class="muted">"No contacts logged in this episode yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Contact log">
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col" class="num">"Minutes"</th>
                                <th scope="col">"By"</th><th scope="col">"Note"</th>
                            </tr></thead>
                            <tbody>
                                {contacts.into_iter().map(|c| view! {
                                    <tr>
                                        <td>{c.occurred_on.to_string()}</td>
                                        <td>{c.kind.label()}</td>
                                        <td class="num">{c.minutes}</td>
                                        <td>{c.user_name.unwrap_or_default()}</td>
                                        <td>{c.note}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
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

/// One checkbox of a list posted as `name[]`; its id is `{prefix}-{code}`.
fn checkbox(
    prefix: &str,
    name: &'static str,
    code: &'static str,
    label: &'static str,
    checked: bool,
) -> impl IntoView {
    let id = format!("{prefix}-{code}");
    view! {
        <div class="checkbox">
            <input type="checkbox" id=id.clone() name=name value=code checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

/// Target-condition checkboxes.
pub fn target_checkboxes(chosen: &[TargetCondition]) -> impl IntoView {
    TargetCondition::ALL
        .into_iter()
        .map(|t| {
            checkbox(
                "target",
                "targets[]",
                t.code(),
                t.label(),
                chosen.contains(&t),
            )
        })
        .collect_view()
}

#[component]
fn Plans(view: ChartView, episode: EpisodeRecord, actions: Actions, open: bool) -> impl IntoView {
    let action = actions.plan;
    let err = last_error(action);
    let d = episode.details.clone();
    let team = format!(
        "Care manager: {} · Psychiatric consultant: {} · PCP: {}",
        episode
            .care_manager_name
            .clone()
            .unwrap_or_else(|| "not assigned".to_owned()),
        episode
            .consultant_name
            .clone()
            .unwrap_or_else(|| "not assigned".to_owned()),
        if d.pcp.is_empty() {
            "not recorded".to_owned()
        } else {
            d.pcp.clone()
        },
    );
    let targets = d
        .targets
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ");
    let changes = view.history.treatment_changes.clone();
    let change_err = last_error(actions.change);
    let editable = view.can_edit && open;
    view! {
        <section class="panel" aria-labelledby="plan-h">
            <h2 id="plan-h">"Care team and plans"</h2>
            <p>{team}</p>
            <p>{format!("Target conditions: {targets}")}</p>
            <h3>"Treatment and care plan"</h3>
            <p class="prewrap">{if episode.care_plan.is_empty() { "None recorded.".to_owned() } else { episode.care_plan.clone() }}</p>
            <h3>"Relapse-prevention plan"</h3>
            <p class="prewrap">{if episode.relapse_plan.is_empty() { "None recorded.".to_owned() } else { episode.relapse_plan.clone() }}</p>
            <h3>"Treatment changes"</h3>
            {if changes.is_empty() {
                view! { <p class="muted">"None recorded. The not-improving rule counts weeks from enrollment."</p> }.into_any()
            } else {
                view! { <ul>{changes.into_iter().map(|c| view! { <li>{format!("{}: {}", c.changed_on, c.description)}</li> }).collect_view()}</ul> }.into_any()
            }}
            {editable.then(|| view! {
                <details class="edit-block">
                    <summary>"Edit team and plans"</summary>
                    <PostForm action attr:class="stacked-form">
                        <ErrorSummary error=err />
                        <input type="hidden" name="episode" value=episode.episode.id.0.to_string() />
                        <input type="hidden" name="version" value=episode.version.to_string() />
                        <div class="form-row">
                            <div class="field">
                                <label for="p-cm">"Care manager"</label>
                                {staff_select("p-cm", "care_manager", &view.staff, Role::CareManager, d.care_manager_id)}
                            </div>
                            <div class="field">
                                <label for="p-cs">"Psychiatric consultant"</label>
                                {staff_select("p-cs", "consultant", &view.staff, Role::PsychiatricConsultant, d.consultant_id)}
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
                            <textarea id="p-plan" name="care_plan" rows="4" maxlength="4000">{episode.care_plan.clone()}</textarea>
                        </div>
                        <div class="field">
                            <label for="p-relapse">"Relapse-prevention plan"</label>
                            <textarea id="p-relapse" name="relapse_plan" rows="4" maxlength="4000">{episode.relapse_plan.clone()}</textarea>
                        </div>
                        <button type="submit" class="button">"Save team and plans"</button>
                    </PostForm>
                </details>
                <details class="edit-block">
                    <summary>"Record a treatment change"</summary>
                    <PostForm action=actions.change attr:class="stacked-form">
                        <ErrorSummary error=change_err />
                        <input type="hidden" name="episode" value=episode.episode.id.0.to_string() />
                        <div class="field">
                            <label for="t-date">"Date of the change"</label>
                            <input id="t-date" name="changed_on" type="date" required value=view.today.to_string() max=view.today.to_string() />
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
            })}
        </section>
    }
}

#[component]
fn Facts(view: ChartView, actions: Actions) -> impl IntoView {
    let action = actions.facts;
    let err = last_error(action);
    let f = view.patient.facts.clone();
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
        <section class="panel" aria-labelledby="facts-h">
            <h2 id="facts-h">"Chronic conditions and social needs"</h2>
            <p>{format!("Chronic conditions: {conditions}")}</p>
            <p>{format!("Social needs: {needs}")}</p>
            {(!f.measure_exclusions.is_empty()).then(|| view! {
                <p>{format!("Excluded from the quality measures: {}", f.measure_exclusions.iter().map(|e| e.label()).collect::<Vec<_>>().join(", "))}</p>
            })}
            {view.can_edit.then(|| view! {
                <details class="edit-block">
                    <summary>"Edit conditions and needs"</summary>
                    <PostForm action attr:class="stacked-form">
                        <ErrorSummary error=err />
                        <input type="hidden" name="patient" value=view.patient.patient.id.0.to_string() />
                        <input type="hidden" name="version" value=view.patient.version.to_string() />
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
            })}
        </section>
    }
}

#[component]
fn Events(view: ChartView, actions: Actions, open: bool) -> impl IntoView {
    let action = actions.event;
    let err = last_error(action);
    let events = view.history.hospital_events.clone();
    let episode = view
        .episode
        .as_ref()
        .map(|e| e.episode.id.0)
        .unwrap_or_default();
    view! {
        <section class="panel" aria-labelledby="events-h">
            <h2 id="events-h">"Hospital and ED discharges"</h2>
            {if events.is_empty() {
                view! { <p class="muted">"None recorded in this episode."</p> }.into_any()
            } else {
                view! { <ul>{events.into_iter().map(|e| view! { <li>{format!("{} discharge {}", e.setting.label(), crate::dates::date_time(e.discharged_at))}</li> }).collect_view()}</ul> }.into_any()
            }}
            {(view.can_edit && open).then(|| view! {
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
            })}
        </section>
    }
}

#[component]
fn Status(view: ChartView, episode: EpisodeRecord, actions: Actions) -> impl IntoView {
    let action = actions.status;
    let err = last_error(action);
    let history = view.history.status_changes.clone();
    let current = episode.episode.status;
    let targets: Vec<EpisodeStatus> = EpisodeStatus::ALL
        .into_iter()
        .filter(|s| *s != current)
        .collect();
    let reasons: Vec<StatusReason> = StatusReason::ALL
        .into_iter()
        .filter(|r| *r != StatusReason::Started)
        .collect();
    view! {
        <section class="panel" aria-labelledby="status-h">
            <h2 id="status-h">"Status history"</h2>
            <ol class="status-history">
                {history.into_iter().map(|s| view! {
                    <li>{format!("{}: {} ({}){}{}", s.changed_on, s.to.label(), s.reason.label(),
                        if s.note.is_empty() { String::new() } else { format!(" — {}", s.note) },
                        s.user_name.map(|u| format!(", by {u}")).unwrap_or_default())}</li>
                }).collect_view()}
            </ol>
            {(view.can_edit && current != EpisodeStatus::Discharged).then(|| view! {
                <details class="edit-block">
                    <summary>"Change status"</summary>
                    <PostForm action attr:class="stacked-form">
                        <ErrorSummary error=err />
                        <input type="hidden" name="episode" value=episode.episode.id.0.to_string() />
                        <input type="hidden" name="version" value=episode.version.to_string() />
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
                                <input id="s-on" name="on" type="date" required value=view.today.to_string() max=view.today.to_string() />
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
            })}
        </section>
    }
}
