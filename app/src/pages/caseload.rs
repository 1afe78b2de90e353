//! The caseload: the care manager's home. Who needs attention, at a glance, with every flag's
//! reason one click away. Filters are a plain GET form, so every view has a URL.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::caseload::{get_caseload, CaseloadView};
use crate::api::form::{FormAction, PostForm};
use crate::api::self_report::AcknowledgeSafetyNotice;
use crate::care::SortKey;
use crate::components::empty_state::EmptyState;
use crate::components::flags::FlagChips;
use crate::domain::episode::format_percent;
use crate::domain::FlagKind;
use crate::error::AppError;
use crate::model::{CaseloadRow, EpisodeStatus};
use crate::pages::patients::SignInPrompt;

/// The query of the current view, to build sort and page links that keep the filters.
#[derive(Clone, Debug, Default, PartialEq)]
struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn with(&self, changes: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (k, v) in changes {
            if !v.is_empty() {
                pairs.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        let qs: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        format!("/caseload?{}", qs.join("&"))
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const KEYS: [&str; 9] = [
    "clinic", "scope", "status", "flag", "cm", "q", "sort", "dir", "page",
];

#[component]
pub fn CaseloadPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let map = params.read();
        Query(
            KEYS.iter()
                .filter_map(|k| {
                    map.get(k)
                        .filter(|v| !v.is_empty())
                        .map(|v| ((*k).to_owned(), v))
                })
                .collect(),
        )
    });
    let seen = FormAction::<AcknowledgeSafetyNotice>::new();
    let data = crate::api::load(
        move || (query.get(), seen.version().get()),
        |(q, _)| {
            let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
            get_caseload(
                num("clinic"),
                q.get("scope"),
                q.get("status"),
                q.get("flag"),
                num("cm"),
                q.get("q"),
                q.get("sort"),
                q.get("dir"),
                q.get("page").and_then(|p| p.parse().ok()),
            )
        },
    );
    view! {
        <Title text="Caseload" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the caseload…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Caseload view query=query.get_untracked() seen /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! {
                        <h1>"Caseload"</h1>
                        <SignInPrompt />
                    }.into_any(),
                    Err(AppError::Forbidden) => view! {
                        <h1>"Caseload"</h1>
                        <section class="notice">
                            <h2>"No caseload for your role"</h2>
                            <p>
                                "Caseloads belong to care managers and psychiatric consultants. Patient charts "
                                "open from the links you are given; clinic reports are on their own pages."
                            </p>
                        </section>
                    }.into_any(),
                    Err(err) => view! {
                        <h1>"Caseload"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"The caseload could not be loaded"</h2>
                            <p>{err.to_string()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Caseload(
    view: CaseloadView,
    query: Query,
    seen: FormAction<AcknowledgeSafetyNotice>,
) -> impl IntoView {
    let heading = if view.mine {
        "My caseload".to_owned()
    } else {
        format!("Caseload · {}", view.clinic.name)
    };
    let data = view.data;
    let counts = data.flag_counts.clone();
    let page = data.page;
    let urgent = page.rows.iter().filter(|r| r.is_urgent()).count();
    let first = u64::from(page.offset) + 1;
    let last = u64::from(page.offset) + page.rows.len() as u64;
    let current = page.offset / page.limit.max(1) + 1;
    let has_next = last < page.total;
    let summary = if page.total == 0 {
        "No patients match".to_owned()
    } else {
        format!(
            "Showing {first}–{last} of {} open episodes, as of {}",
            page.total, data.as_of
        )
    };
    let sort = query
        .get("sort")
        .and_then(|s| SortKey::from_code(&s))
        .unwrap_or_default();
    let desc = query.get("dir").as_deref() == Some("desc");
    let q_prev = query.with(&[("page", &(current.saturating_sub(1)).to_string())]);
    let q_next = query.with(&[("page", &(current + 1).to_string())]);
    let header = {
        let query = query.clone();
        move |key: SortKey, label: &'static str, numeric: bool| {
            let active = key == sort;
            let next_dir = if active && !desc { "desc" } else { "asc" };
            let href = query.with(&[("sort", key.code()), ("dir", next_dir), ("page", "")]);
            let aria = active.then_some(if desc { "descending" } else { "ascending" });
            let arrow = if active {
                if desc {
                    " ▼"
                } else {
                    " ▲"
                }
            } else {
                ""
            };
            view! {
                <th scope="col" class:num=numeric aria-sort=aria>
                    <a href=href>{label}<span aria-hidden="true">{arrow}</span></a>
                </th>
            }
        }
    };
    let flag_options = FlagKind::ALL
        .into_iter()
        .map(|k| {
            let n = counts.iter().find(|(c, _)| *c == k).map_or(0, |(_, n)| *n);
            let selected = query.get("flag").as_deref() == Some(k.code());
            view! { <option value=k.code() selected=selected>{format!("{} ({n})", k.label())}</option> }
        })
        .collect_view();
    let status_selected = query.get("status");
    let cm_selected = view.care_manager;
    let care_managers = view
        .staff
        .iter()
        .filter(|s| s.role == crate::policy::Role::CareManager)
        .map(|s| view! { <option value=s.id.to_string() selected=cm_selected == Some(s.id)>{s.name.clone()}</option> })
        .collect_view();
    let clinic_choice = (view.clinics.len() > 1).then(|| {
        let chosen = view.clinic.id;
        view! {
            <div class="field field--inline">
                <label for="f-clinic">"Clinic"</label>
                <select id="f-clinic" name="clinic">
                    {view.clinics.iter().map(|c| view! { <option value=c.id.0.to_string() selected=c.id == chosen>{c.name.clone()}</option> }).collect_view()}
                </select>
            </div>
        }
    });
    let scope_choice = view.viewer_is_care_manager.then(|| {
        let mine = view.mine;
        view! {
            <div class="field field--inline">
                <label for="f-scope">"Show"</label>
                <select id="f-scope" name="scope">
                    <option value="mine" selected=mine>"My patients"</option>
                    <option value="clinic" selected=!mine>"Whole clinic"</option>
                </select>
            </div>
        }
    });
    let notices = (!view.safety_notices.is_empty()).then(|| {
        let items = view
            .safety_notices
            .clone()
            .into_iter()
            .map(|n| {
                let when = crate::dates::date_time(n.answered);
                view! {
                    <li>
                        <a href=format!("/patients/{}", n.patient_id)>{n.patient_name}</a>
                        {format!(" answered PHQ-9 item 9 above 0 in a self-report ({when}). Assess suicide risk now. ")}
                        <PostForm action=seen attr:class="inline-form">
                            <input type="hidden" name="link" value=n.link_id.to_string() />
                            <button type="submit" class="button button--small button--secondary">"Mark seen"</button>
                        </PostForm>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="safety-notices" role="alert" aria-labelledby="safety-notices-h" data-testid="safety-notices">
                <h2 id="safety-notices-h">"⚠ Safety: self-reported thoughts of self-harm"</h2>
                <ul>{items}</ul>
            </section>
        }
    });
    let search = query.get("q").unwrap_or_default();
    let empty = page.rows.is_empty();
    let rows = page.rows;
    view! {
        {notices}
        <div class="page-heading">
            <h1>{heading}</h1>
            {view.viewer_is_care_manager.then(|| view! {
                <span class="page-actions">
                    <a class="button" href="/patients/new">"Enroll a patient"</a>
                    " "
                    <a class="button secondary" href="/patients/import">"Import or export"</a>
                </span>
            })}
        </div>
        <form class="filters" method="get" action="/caseload" role="search" aria-label="Filter the caseload">
            {clinic_choice}
            {scope_choice}
            <div class="field field--inline">
                <label for="f-status">"Status"</label>
                <select id="f-status" name="status">
                    <option value="">"Active and relapse prevention"</option>
                    <option value="active" selected=status_selected.as_deref() == Some("active")>{EpisodeStatus::Active.label()}</option>
                    <option value="relapse_prevention" selected=status_selected.as_deref() == Some("relapse_prevention")>{EpisodeStatus::RelapsePrevention.label()}</option>
                </select>
            </div>
            <div class="field field--inline">
                <label for="f-flag">"Flag"</label>
                <select id="f-flag" name="flag">
                    <option value="">"Any"</option>
                    {flag_options}
                </select>
            </div>
            <div class="field field--inline">
                <label for="f-cm">"Care manager"</label>
                <select id="f-cm" name="cm">
                    <option value="">"Any"</option>
                    {care_managers}
                </select>
            </div>
            <div class="field field--inline">
                <label for="f-q">"Name or MRN"</label>
                <input id="f-q" name="q" type="search" value=search maxlength="100" />
            </div>
            <button type="submit" class="button button--secondary">"Apply"</button>
            <a class="link" href="/caseload">"Reset"</a>
        </form>
        <p class="table-summary" id="caseload-summary">
            {summary}
            {(urgent > 0).then(|| view! { <strong class="urgent-count">{format!(" · {urgent} need attention now (safety or overdue)")}</strong> })}
        </p>
        {if empty {
            view! {
                <EmptyState title="No patients here">
                    <p>"No open episode matches this view. Change the filters, or enroll a patient."</p>
                </EmptyState>
            }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Caseload">
                    <table class="data-table caseload" aria-describedby="caseload-summary">
                        <thead>
                            <tr>
                                {header(SortKey::Name, "Name", false)}
                                {header(SortKey::Mrn, "MRN", false)}
                                {header(SortKey::Status, "Status", false)}
                                {header(SortKey::Weeks, "Weeks", true)}
                                {header(SortKey::Baseline, "PHQ-9 baseline", true)}
                                {header(SortKey::Latest, "PHQ-9 latest", true)}
                                {header(SortKey::Change, "Change", true)}
                                {header(SortKey::Gad7, "GAD-7", true)}
                                {header(SortKey::LastContact, "Last contact", false)}
                                {header(SortKey::NextDue, "Next due", false)}
                                {header(SortKey::Attention, "Flags", false)}
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! { <CaseloadTableRow row /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <nav class="pagination" aria-label="Pages">
                    {(current > 1).then(|| view! { <a rel="prev" href=q_prev.clone()>"← Previous"</a> })}
                    <span class="pagination__current">{format!("Page {current}")}</span>
                    {has_next.then(|| view! { <a rel="next" href=q_next.clone()>"Next →"</a> })}
                </nav>
            }.into_any()
        }}
    }
}

fn score(v: Option<u8>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

#[component]
fn CaseloadTableRow(row: CaseloadRow) -> impl IntoView {
    use crate::domain::FlagKind;
    let safety = row.has(FlagKind::Safety);
    let overdue = row.has(FlagKind::OverdueContact);
    let marker = match (safety, overdue) {
        (true, _) => Some(("row-marker row-marker--safety", "⚠ Safety")),
        (false, true) => Some(("row-marker row-marker--overdue", "◔ Overdue")),
        _ => None,
    };
    let href = format!("/patients/{}", row.patient_id);
    let self_report = row.self_report_on.map(|on| {
        view! { <span class="row-marker row-marker--self-report" title=format!("Self-report received {on}")>"✉ Self-report received"</span>" " }
    });
    let change = row
        .percent_change
        .map_or_else(|| "—".to_owned(), format_percent);
    let last = row
        .last_contact_on
        .map_or_else(|| "none yet".to_owned(), |d| d.to_string());
    let due = row
        .next_contact_due
        .map(|d| d.to_string())
        .unwrap_or_default();
    view! {
        <tr class:row--safety=safety class:row--overdue=overdue && !safety>
            <th scope="row">
                {marker.map(|(class, text)| view! { <span class=class>{text}</span>" " })}
                {self_report}
                <a href=href>{row.name}</a>
            </th>
            <td>{row.mrn}</td>
            <td>{row.status.label()}</td>
            <td class="num">{row.weeks_in_treatment}</td>
            <td class="num">{score(row.baseline_phq9)}</td>
            <td class="num">{score(row.latest_phq9)}</td>
            <td class="num">{change}</td>
            <td class="num">{score(row.latest_gad7)}</td>
            <td>{last}</td>
            <td class:overdue=overdue>{due}{overdue.then_some(" (overdue)")}</td>
            <td><FlagChips flags=row.flags /></td>
        </tr>
    }
}
