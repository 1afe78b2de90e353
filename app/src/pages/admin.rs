//! Administration screens: users, clinics with their settings, and the audit log. The server
//! functions behind them refuse anyone but an administrator; these pages only present them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::accounts::User;
use crate::api::admin::{
    get_clinic_settings, list_api_tokens, list_directory, search_audit, CreateClinic, CreateUser,
    RenameClinic, ResetPassword, RevokeApiToken, SaveClinicSettings, SetUserActive, UpdateUser,
};
use crate::api::form::{FormAction, PostForm};
use crate::domain::FlagKind;
use crate::error::AppError;
use crate::model::Clinic;
use crate::policy::Role;

/// Shows the error of the last submission of a form, if it failed, as an error summary.
fn action_error<S: 'static>(action: FormAction<S>) -> AnyView {
    use crate::components::forms::{error_summary, last_error};
    error_summary(Box::new(last_error(action)))
}

fn load_failed(err: AppError) -> AnyView {
    view! {
        <div class="error-summary" role="alert">
            <h2>"This page could not be loaded"</h2>
            <p>{err.to_string()}</p>
        </div>
    }
    .into_any()
}

fn role_options(selected: Option<Role>) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| {
            view! {
                <option value=r.code() selected=selected == Some(r)>
                    {r.label()}
                </option>
            }
        })
        .collect_view()
}

fn clinic_checkboxes(clinics: &[Clinic], chosen: &[i64], id_prefix: &str) -> impl IntoView {
    clinics
        .iter()
        .map(|c| {
            let id = format!("{id_prefix}-clinic-{}", c.id);
            view! {
                <div class="checkbox">
                    <input
                        type="checkbox"
                        id=id.clone()
                        name="clinics[]"
                        value=c.id.0.to_string()
                        checked=chosen.contains(&c.id.0)
                    />
                    <label for=id>{c.name.clone()}</label>
                </div>
            }
        })
        .collect_view()
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let create = FormAction::<CreateUser>::new();
    let update = FormAction::<UpdateUser>::new();
    let set_active = FormAction::<SetUserActive>::new();
    let reset = FormAction::<ResetPassword>::new();
    let directory = crate::api::load(
        move || {
            (
                create.version().get(),
                update.version().get(),
                set_active.version().get(),
            )
        },
        |_| list_directory(),
    );
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        {action_error(create)}
        {action_error(update)}
        {action_error(set_active)}
        {action_error(reset)}
        {move || {
            reset
                .value()
                .and_then(Result::ok)
                .map(|_| view! { <p class="success" role="status">"Password changed. The user's sessions were ended."</p> })
        }}
        <Suspense fallback=|| view! { <p class="loading">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match directory.await {
                    Ok(dir) => view! {
                        <UserTable users=dir.users.clone() clinics=dir.clinics.clone() update set_active reset />
                        <h2>"Create a user"</h2>
                        <PostForm action=create attr:class="form narrow">
                            <div class="field">
                                <label for="new-email">"Email address"</label>
                                <input id="new-email" name="email" type="email" required autocomplete="off" />
                            </div>
                            <div class="field">
                                <label for="new-name">"Name"</label>
                                <input id="new-name" name="name" type="text" required maxlength="100" />
                            </div>
                            <div class="field">
                                <label for="new-role">"Role"</label>
                                <select id="new-role" name="role">{role_options(None)}</select>
                            </div>
                            <fieldset class="field">
                                <legend>"Clinics"</legend>
                                {clinic_checkboxes(&dir.clinics, &[], "new")}
                            </fieldset>
                            <div class="field">
                                <label for="new-password">"Initial password (at least 12 characters)"</label>
                                <input id="new-password" name="password" type="password" required minlength="12" autocomplete="new-password" />
                            </div>
                            <button type="submit" class="button">"Create user"</button>
                        </PostForm>
                    }
                    .into_any(),
                    Err(err) => load_failed(err),
                }
            })}
        </Suspense>
        <ApiTokens />
    }
}

/// API tokens with their state, each revocable. Tokens are made with `tandem token create`.
#[component]
fn ApiTokens() -> impl IntoView {
    let revoke = FormAction::<RevokeApiToken>::new();
    let tokens = crate::api::load(move || revoke.version().get(), |_| list_api_tokens());
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or_else(
            || "never".to_owned(),
            |at| format!("{} UTC", crate::dates::date_time(at.naive_utc())),
        )
    };
    view! {
        <h2 id="api-tokens">"API tokens"</h2>
        <p class="hint">
            "Tokens let scripts and the EHR use the JSON API and FHIR with a user's role and clinics. "
            "Create one with " <code>"tandem token create --user EMAIL --name LABEL"</code> "; it is shown once."
        </p>
        {action_error(revoke)}
        <Suspense fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p>"No API tokens yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data-table" aria-labelledby="api-tokens">
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"User"</th>
                                    <th scope="col">"Starts with"</th>
                                    <th scope="col">"Created"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col">"State"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|t| {
                                        let state = match t.revoked_at {
                                            Some(at) => format!("Revoked {}", when(Some(at))),
                                            None => "Active".to_owned(),
                                        };
                                        let revoked = t.is_revoked();
                                        let label = format!("Revoke token {}", t.name);
                                        view! {
                                            <tr>
                                                <td>{t.name.clone()}</td>
                                                <td>{t.user_email.clone()}</td>
                                                <td><code>{format!("tandem_{}…", t.prefix)}</code></td>
                                                <td>{when(Some(t.created_at))}</td>
                                                <td>{when(t.last_used_at)}</td>
                                                <td>{state}</td>
                                                <td>
                                                    {(!revoked).then(|| view! {
                                                        <PostForm action=revoke>
                                                            <input type="hidden" name="id" value=t.id />
                                                            <button type="submit" class="button secondary" aria-label=label>"Revoke"</button>
                                                        </PostForm>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
                    Err(err) => load_failed(err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(
    users: Vec<User>,
    clinics: Vec<Clinic>,
    update: FormAction<UpdateUser>,
    set_active: FormAction<SetUserActive>,
    reset: FormAction<ResetPassword>,
) -> impl IntoView {
    let rows = users
        .into_iter()
        .map(|u| {
            let names = u
                .clinics
                .iter()
                .filter_map(|id| clinics.iter().find(|c| c.id == *id).map(|c| c.name.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            let chosen: Vec<i64> = u.clinics.iter().map(|c| c.0).collect();
            let prefix = format!("user-{}", u.id);
            let boxes = clinic_checkboxes(&clinics, &chosen, &prefix);
            let (name_id, role_id, pw_id) = (
                format!("{prefix}-name"),
                format!("{prefix}-role"),
                format!("{prefix}-password"),
            );
            let status = if u.active { "Active" } else { "Deactivated" };
            view! {
                <tr class:inactive=!u.active>
                    <th scope="row">{u.display_name.clone()}</th>
                    <td>{u.email.clone()}</td>
                    <td>{u.role.label()}</td>
                    <td>{names}</td>
                    <td>{status}</td>
                    <td>
                        <details>
                            <summary>"Edit"<span class="visually-hidden">{format!(" {}", u.display_name)}</span></summary>
                            <PostForm action=update attr:class="form">
                                <input type="hidden" name="id" value=u.id.to_string() />
                                <div class="field">
                                    <label for=name_id.clone()>"Name"</label>
                                    <input id=name_id name="name" type="text" value=u.display_name.clone() required />
                                </div>
                                <div class="field">
                                    <label for=role_id.clone()>"Role"</label>
                                    <select id=role_id name="role">{role_options(Some(u.role))}</select>
                                </div>
                                <fieldset class="field">
                                    <legend>"Clinics"</legend>
                                    {boxes}
                                </fieldset>
                                <button type="submit" class="button">"Save changes"</button>
                            </PostForm>
                            <PostForm action=reset attr:class="form">
                                <input type="hidden" name="id" value=u.id.to_string() />
                                <div class="field">
                                    <label for=pw_id.clone()>"New password"</label>
                                    <input id=pw_id name="password" type="password" minlength="12" required autocomplete="new-password" />
                                </div>
                                <button type="submit" class="button button--secondary">"Set password"</button>
                            </PostForm>
                            <PostForm action=set_active>
                                <input type="hidden" name="id" value=u.id.to_string() />
                                <input type="hidden" name="active" value=(!u.active).to_string() />
                                <button type="submit" class="button button--warning">
                                    {if u.active { "Deactivate" } else { "Reactivate" }}
                                </button>
                            </PostForm>
                        </details>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Users">
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Clinics"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn AdminClinicsPage() -> impl IntoView {
    let create = FormAction::<CreateClinic>::new();
    let rename = FormAction::<RenameClinic>::new();
    let directory = crate::api::load(
        move || (create.version().get(), rename.version().get()),
        |_| list_directory(),
    );
    view! {
        <Title text="Clinics" />
        <h1>"Clinics"</h1>
        {action_error(create)}
        {action_error(rename)}
        <Suspense fallback=|| view! { <p class="loading">"Loading clinics…"</p> }>
            {move || Suspend::new(async move {
                match directory.await {
                    Ok(dir) => view! {
                        <ul class="plain-list">
                            {dir.clinics.into_iter().map(|c| view! {
                                <li>
                                    <a href=format!("/admin/clinics/{}", c.id)>{c.name.clone()}</a>
                                    <span class="muted">{format!(" · id {}", c.id)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(err) => load_failed(err),
                }
            })}
        </Suspense>
        <h2>"Add a clinic"</h2>
        <PostForm action=create attr:class="form narrow">
            <div class="field">
                <label for="clinic-name">"Clinic name"</label>
                <input id="clinic-name" name="name" type="text" required maxlength="200" />
            </div>
            <button type="submit" class="button">"Add clinic"</button>
        </PostForm>
    }
}

/// One numeric setting: label, field name under `settings[…]`, value, and hint.
fn number_field(
    label: &'static str,
    name: &'static str,
    value: u32,
    hint: &'static str,
) -> impl IntoView {
    let id = name.replace(['[', ']'], "-");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <span class="hint">{hint}</span>
            <input id=id name=format!("settings{name}") type="number" inputmode="numeric" value=value.to_string() required class="input--short" />
        </div>
    }
}

#[component]
pub fn ClinicSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let save = FormAction::<SaveClinicSettings>::new();
    let rename = FormAction::<RenameClinic>::new();
    let loaded = crate::api::load(
        move || (id(), save.version().get(), rename.version().get()),
        |(id, _, _)| get_clinic_settings(id),
    );
    view! {
        <Title text="Clinic settings" />
        {action_error(save)}
        {action_error(rename)}
        {move || {
            save.value()
                .and_then(Result::ok)
                .map(|_| view! { <p class="success" role="status">"Settings saved."</p> })
        }}
        <Suspense fallback=|| view! { <p class="loading">"Loading settings…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((clinic, s)) => {
                        let r = s.flag_rules.clone();
                        view! {
                            <h1>{clinic.name.clone()}</h1>
                            <PostForm action=rename attr:class="form narrow">
                                <input type="hidden" name="id" value=clinic.id.0.to_string() />
                                <div class="field">
                                    <label for="rename">"Clinic name"</label>
                                    <input id="rename" name="name" type="text" value=clinic.name.clone() required />
                                </div>
                                <button type="submit" class="button button--secondary">"Rename"</button>
                            </PostForm>
                            <h2>"Flags, caseload and billing"</h2>
                            <PostForm action=save attr:class="form narrow">
                                <input type="hidden" name="id" value=clinic.id.0.to_string() />
                                {number_field("Target caseload per 1.0 FTE care manager", "[target_caseload]", s.target_caseload, "AIMS Center guidance: 50–120 depending on payer mix. Default 80.")}
                                <div class="field">
                                    <label for="review-weekday">"Weekly case-review meeting"</label>
                                    <span class="hint">"The day the review list is prepared for. Default Wednesday."</span>
                                    <select id="review-weekday" name="settings[review_weekday]">
                                        {["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"].into_iter().zip(1u8..).map(|(day, n)| {
                                            view! { <option value=n.to_string() selected=n == s.review_weekday>{day}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="billing-g2214">"Short CoCM months (16–35 or 16–30 minutes)"</label>
                                    <span class="hint">"Whether the practice bills G2214 for them; some payers do not accept it. Default: bill G2214."</span>
                                    <select id="billing-g2214" name="settings[billing][g2214]">
                                        <option value="true" selected=s.billing.g2214>"Bill G2214"</option>
                                        <option value="false" selected=!s.billing.g2214>"Do not bill G2214"</option>
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="billing-apcm">"APCM billing"</label>
                                    <span class="hint">"Practices billing Advanced Primary Care Management report 99492, 99493 and 99484 as G0568, G0569 and G0570. Default: no."</span>
                                    <select id="billing-apcm" name="settings[billing][apcm]">
                                        <option value="false" selected=!s.billing.apcm>"No: report CPT codes"</option>
                                        <option value="true" selected=s.billing.apcm>"Yes: report G0568–G0570"</option>
                                    </select>
                                </div>
                                {number_field("Safety: item-9 answer that raises the flag", "[flag_rules][item9_threshold]", u32::from(r.item9_threshold), "1 = any answer other than \"Not at all\". Default 1.")}
                                {number_field("Not improving: weeks on the current plan", "[flag_rules][not_improving_weeks]", r.not_improving_weeks, "Weeks without a 50% drop from baseline. Default 10.")}
                                {number_field("Worsening: points above the lowest earlier score", "[flag_rules][worsening_points]", u32::from(r.worsening_points), "Default 5.")}
                                {number_field("No psychiatric consult: days after enrollment", "[flag_rules][no_consult_after_days]", r.no_consult_after_days, "0 = reviewed at the next meeting. Default 0.")}
                                {number_field("Early phase: weeks in treatment", "[flag_rules][early_phase_weeks]", r.early_phase_weeks, "Default 12.")}
                                {number_field("Overdue contact in the early phase: days", "[flag_rules][contact_limit_early_days]", r.contact_limit_early_days, "Default 14.")}
                                {number_field("Overdue contact after the early phase: days", "[flag_rules][contact_limit_later_days]", r.contact_limit_later_days, "Default 30.")}
                                {number_field("Overdue contact in relapse prevention: days", "[flag_rules][contact_limit_relapse_prevention_days]", r.contact_limit_relapse_prevention_days, "Default 30.")}
                                {number_field("Post-discharge follow-up: target hours", "[flag_rules][post_discharge_target_hours]", r.post_discharge_target_hours, "Default 72.")}
                                {number_field("Post-discharge follow-up: clears after days", "[flag_rules][post_discharge_clear_days]", r.post_discharge_clear_days, "Default 30.")}
                                <fieldset class="field">
                                    <legend>"Flags that put a patient on the review list"</legend>
                                    <input type="hidden" name="settings[flag_rules][review_kinds][]" value="safety" />
                                    {FlagKind::ALL.into_iter().map(|k| {
                                        let id = format!("kind-{}", k.code());
                                        let always = k == FlagKind::Safety;
                                        view! {
                                            <div class="checkbox">
                                                <input
                                                    type="checkbox"
                                                    id=id.clone()
                                                    name=(!always).then_some("settings[flag_rules][review_kinds][]")
                                                    value=k.code()
                                                    checked=r.review_kinds.contains(&k)
                                                    disabled=always
                                                />
                                                <label for=id>
                                                    {k.label()}
                                                    {always.then_some(" (always)")}
                                                </label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </fieldset>
                                <h3>"Patient self-report"</h3>
                                {number_field("Self-report links last (days)", "[self_report][link_days]", s.self_report.link_days, "1–30. A link works once and expires after this many days. Default 7.")}
                                <div class="field">
                                    <label for="crisis-text">"Crisis resources shown to patients"</label>
                                    <span class="hint">"Shown at once when a patient answers PHQ-9 item 9 above 0. Default: the 988 Suicide & Crisis Lifeline (United States)."</span>
                                    <textarea id="crisis-text" name="settings[self_report][crisis_text]" rows="4" maxlength="1000" required>{s.self_report.crisis_text.clone()}</textarea>
                                </div>
                                <div class="field">
                                    <label for="crisis-phone">"Crisis line number"</label>
                                    <span class="hint">"Offered to the patient as a call button. Default 988."</span>
                                    <input id="crisis-phone" name="settings[self_report][crisis_phone]" type="tel" value=s.self_report.crisis_phone.clone() required class="input--short" />
                                </div>
                                <button type="submit" class="button">"Save settings"</button>
                            </PostForm>
                        }
                        .into_any()
                    }
                    Err(err) => load_failed(err),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).filter(|v| !v.trim().is_empty());
    let filters = move || {
        (
            param("user").and_then(|v| v.trim().parse::<i64>().ok()),
            param("patient").and_then(|v| v.trim().parse::<i64>().ok()),
            param("from").and_then(|v| crate::dates::iso_date(&v)),
            param("to").and_then(|v| crate::dates::iso_date(&v)),
        )
    };
    let entries = crate::api::load(filters, |(user, patient, from, to)| {
        search_audit(user, patient, from, to)
    });
    let csv_href = move || {
        let q = query.read();
        let mut parts = Vec::new();
        for k in ["user", "patient", "from", "to"] {
            if let Some(v) = q.get(k).filter(|v| !v.trim().is_empty()) {
                parts.push(format!("{k}={}", v.trim()));
            }
        }
        format!("/admin/audit.csv?{}", parts.join("&"))
    };
    let value = move |k: &'static str| param(k).unwrap_or_default();
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <form method="get" action="/admin/audit" class="filters">
            <div class="field">
                <label for="f-user">"User id"</label>
                <input id="f-user" name="user" type="text" inputmode="numeric" value=move || value("user") class="input--short" />
            </div>
            <div class="field">
                <label for="f-patient">"Patient id"</label>
                <input id="f-patient" name="patient" type="text" inputmode="numeric" value=move || value("patient") class="input--short" />
            </div>
            <div class="field">
                <label for="f-from">"From"</label>
                <input id="f-from" name="from" type="date" value=move || value("from") />
            </div>
            <div class="field">
                <label for="f-to">"To"</label>
                <input id="f-to" name="to" type="date" value=move || value("to") />
            </div>
            <button type="submit" class="button">"Filter"</button>
            <a class="button button--secondary" href=csv_href download="tandem-audit.csv">"Download CSV"</a>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(rows) if rows.is_empty() => view! { <p>"No entries match."</p> }.into_any(),
                    Ok(rows) => view! {
                        <p class="table-summary">{format!("{} entries, newest first (at most 500; download the CSV for all)", rows.len())}</p>
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log entries">
                            <table class="data-table">
                                <thead>
                                    <tr>
                                        <th scope="col">"When (UTC)"</th>
                                        <th scope="col" class="num">"User"</th>
                                        <th scope="col">"Action"</th>
                                        <th scope="col">"Record"</th>
                                        <th scope="col">"From"</th>
                                        <th scope="col">"Outcome"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td>{crate::dates::date_time_seconds(r.at.naive_utc())}</td>
                                            <td class="num">{r.user_id.map(|u| u.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                                            <td>{r.action}</td>
                                            <td>{match (r.entity_type, r.entity_id) {
                                                (Some(t), Some(id)) => format!("{t} {id}"),
                                                (Some(t), None) => t,
                                                _ => String::new(),
                                            }}</td>
                                            <td>{r.ip.unwrap_or_default()}</td>
                                            <td>{r.outcome.code()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                    Err(err) => load_failed(err),
                }
            })}
        </Suspense>
    }
}
