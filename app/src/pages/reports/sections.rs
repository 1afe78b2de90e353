//! The clinic lead's screens drawn on the server ([`Markup`]): the home with headline numbers, the
//! outcomes dashboard, the quality measures and their patient lists, and the monthly CoCM billing
//! report. They have no form but their filters (plain GET forms) and a print button, so the
//! browser carries none of this code.

use leptos::prelude::*;

use crate::api::reports::{
    BillingView, ChartView, LeadHomeView, MeasureListView, MeasureView, OutcomesView, QualityView,
};
use crate::components::forms::clinic_select;
use crate::components::markup::Markup;
use crate::domain::TargetCondition;
use crate::reports::{pct, DataTable, MeasureList};

/// The lead's home.
pub fn lead_home(view: LeadHomeView) -> Markup {
    Markup::render(move || view! { <LeadHome view /> })
}

/// The outcomes dashboard.
pub fn outcomes(view: OutcomesView) -> Markup {
    Markup::render(move || view! { <Outcomes view /> })
}

/// The quality measures of a year.
pub fn quality(view: QualityView) -> Markup {
    Markup::render(move || view! { <Quality view /> })
}

/// The patients behind one number of a measure.
pub fn measure_list(view: MeasureListView) -> Markup {
    Markup::render(move || view! { <MeasurePatients view /> })
}

/// The monthly CoCM billing report.
pub fn billing(view: BillingView) -> Markup {
    Markup::render(move || view! { <Billing view /> })
}

/// The numbers of a chart or report as a table.
#[component]
pub fn NumbersTable(table: DataTable, caption: String) -> impl IntoView {
    let head = table
        .headers
        .iter()
        .map(|h| view! { <th scope="col">{h.clone()}</th> })
        .collect_view();
    let body = table
        .rows
        .iter()
        .map(|r| {
            let cells = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        view! { <th scope="row">{c.clone()}</th> }.into_any()
                    } else {
                        view! { <td>{c.clone()}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>{head}</tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

fn reports_nav(clinic: i64, here: &'static str) -> impl IntoView {
    let link = move |href: &'static str, label: &'static str| {
        let current = (href == here).then_some("page");
        view! { <a href=format!("{href}?clinic={clinic}") aria-current=current>{label}</a> }
    };
    view! {
        <nav class="report-nav no-print" aria-label="Reports">
            {link("/reports", "Overview")}
            {link("/reports/outcomes", "Outcomes")}
            {link("/reports/quality", "Quality measures")}
            {link("/reports/billing", "Billing")}
        </nav>
    }
}

// --- The lead's home ---------------------------------------------------------------------------

#[component]
fn LeadHome(view: LeadHomeView) -> impl IntoView {
    let clinic = view.clinic.id.0;
    let r = view.home.current.range;
    let p = view.home.previous.range;
    let cards = view
        .home
        .headlines
        .iter()
        .map(|h| {
            let trend = h.trend.arrow();
            view! {
                <div class="headline">
                    <dt>{h.label.clone()}</dt>
                    <dd>
                        <span class="headline__value">{h.value.clone()}</span>
                        <span class="headline__trend" title="Change from the previous 90 days">
                            {format!("{trend} previous 90 days: {}", h.previous)}
                        </span>
                        <span class="headline__explanation">{h.explanation.clone()}</span>
                    </dd>
                </div>
            }
        })
        .collect_view();
    let clinics = clinic_select(&view.clinics, clinic, "h-clinic");
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Programme overview · {}", view.clinic.name)}</h1>
                <p class="muted">{format!("The last 90 days ({} to {}) against the 90 before ({} to {}).", r.start(), r.end(), p.start(), p.end())}</p>
            </div>
        </div>
        {reports_nav(clinic, "/reports")}
        {clinics.map(|c| view! {
            <form method="get" action="/reports" class="filters no-print">
                {c}
                <button type="submit" class="button button--secondary">"Show"</button>
            </form>
        })}
        <dl class="headlines">{cards}</dl>
        <p>
            <a class="button" href=format!("/reports/outcomes?clinic={clinic}")>"Outcome charts"</a>" "
            <a class="button button--secondary" href=format!("/reports/quality?clinic={clinic}")>"Quality measures"</a>" "
            <a class="button button--secondary" href=format!("/reports/billing?clinic={clinic}")>"Billing report"</a>
        </p>
    }
}

// --- The outcomes dashboard --------------------------------------------------------------------

#[component]
fn Outcomes(view: OutcomesView) -> impl IntoView {
    let clinic = view.clinic.id.0;
    let d = &view.dashboard;
    let f = &d.filter;
    let cm_options = view
        .care_managers
        .iter()
        .map(|s| {
            let selected = f.care_manager == Some(s.id);
            view! { <option value=s.id.to_string() selected=selected>{s.name.clone()}</option> }
        })
        .collect_view();
    let target_options = TargetCondition::ALL
        .iter()
        .map(|t| {
            let selected = f.target == Some(*t);
            view! { <option value=t.code() selected=selected>{t.label()}</option> }
        })
        .collect_view();
    let clinics = clinic_select(&view.clinics, clinic, "o-clinic");
    let query = view.query.clone();
    let charts = view
        .charts
        .iter()
        .map(|c| view! { <DashboardChart chart=c.clone() query=query.clone() /> })
        .collect_view();
    let selection = format!(
        "{} enrolled {} to {}{}{}; {} with a PHQ-9 baseline. Figures as of {}.",
        if d.episodes == 1 {
            "1 patient".to_owned()
        } else {
            format!("{} patients", d.episodes)
        },
        f.enrolled_from,
        f.enrolled_to,
        f.care_manager
            .and_then(|id| view.care_managers.iter().find(|s| s.id == id))
            .map(|s| format!(", care manager {}", s.name))
            .unwrap_or_default(),
        f.target
            .map(|t| format!(", treated for {}", t.label().to_lowercase()))
            .unwrap_or_default(),
        d.with_baseline,
        d.as_of
    );
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Outcomes · {}", view.clinic.name)}</h1>
                <p class="muted" id="selection">{selection}</p>
            </div>
            <div class="actions no-print">
                <button type="button" class="button button--secondary" data-print="">"Print"</button>
            </div>
        </div>
        {reports_nav(clinic, "/reports/outcomes")}
        <form method="get" action="/reports/outcomes" class="filters no-print" aria-label="Filter the charts">
            {clinics}
            <label for="o-cm">"Care manager"</label>
            <select id="o-cm" name="cm">
                <option value="">"All care managers"</option>
                {cm_options}
            </select>
            <label for="o-from">"Enrolled from"</label>
            <input id="o-from" type="date" name="from" value=f.enrolled_from.to_string() />
            <label for="o-to">"to"</label>
            <input id="o-to" type="date" name="to" value=f.enrolled_to.to_string() />
            <label for="o-target">"Target condition"</label>
            <select id="o-target" name="target">
                <option value="">"All"</option>
                {target_options}
            </select>
            <button type="submit" class="button">"Update charts"</button>
        </form>
        <div class="dashboard">{charts}</div>
    }
}

#[component]
fn DashboardChart(chart: ChartView, query: String) -> impl IntoView {
    let d = chart.data;
    let heading = format!("{}-h", d.id);
    let labelled_by = heading.clone();
    let section_id = d.id.clone();
    let csv = format!("/reports/outcomes.csv?chart={}&{query}", d.id);
    let caption = d.title.clone();
    view! {
        <section class="panel chart-panel" aria-labelledby=labelled_by id=section_id>
            <h2 id=heading>{d.title.clone()}</h2>
            {match chart.svg {
                Some(svg) => view! { <figure class="dashboard-chart" inner_html=svg></figure> }.into_any(),
                None => view! { <p class="muted">"The chart could not be drawn; the numbers are below."</p> }.into_any(),
            }}
            <p class="chart-summary">{d.summary.clone()}</p>
            {d.note.clone().map(|n| view! { <p class="chart-note">{n}</p> })}
            <details class="chart-data">
                <summary>"Show data"</summary>
                <NumbersTable table=d.table.clone() caption />
            </details>
            <p class="no-print"><a href=csv download="">"Download CSV"</a></p>
        </section>
    }
}

// --- Quality measures --------------------------------------------------------------------------

#[component]
fn Quality(view: QualityView) -> impl IntoView {
    let clinic = view.clinic.id.0;
    let year = view.year;
    let clinics = clinic_select(&view.clinics, clinic, "q-clinic");
    let measures = view
        .measures
        .iter()
        .map(|m| view! { <MeasureCard m=m.clone() clinic year /> })
        .collect_view();
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Quality measures · {} · {year}", view.clinic.name)}</h1>
                <p class="muted">{format!("Index PHQ-9s from 1 January to 31 December {year}; outcomes as recorded by {}.", view.as_of)}</p>
            </div>
            <div class="actions no-print">
                <a class="button button--secondary" href=format!("/reports/quality.csv?clinic={clinic}&year={year}") download="">"Download CSV"</a>
            </div>
        </div>
        {reports_nav(clinic, "/reports/quality")}
        <form method="get" action="/reports/quality" class="filters no-print">
            {clinics}
            <label for="q-year">"Year"</label>
            <input id="q-year" type="number" name="year" min="2000" max=chrono::Datelike::year(&view.as_of).to_string() value=year.to_string() />
            <button type="submit" class="button button--secondary">"Show"</button>
        </form>
        <p class="muted">
            "Rates are numerator ÷ (denominator − exclusions). Patients whose follow-up window is still open are pending and not counted. "
            "The patient lists are patient-level data: opening or downloading one is recorded in the audit log."
        </p>
        <div class="measures">{measures}</div>
    }
}

#[component]
fn MeasureCard(m: MeasureView, clinic: i64, year: i32) -> impl IntoView {
    let measure_id = m.id.clone();
    let link = move |list: MeasureList, n: usize| {
        let href = format!(
            "/reports/quality/{}/{}?clinic={clinic}&year={year}",
            measure_id,
            list.code()
        );
        view! { <a href=href>{n.to_string()}</a> }
    };
    let counted = m.denominator.saturating_sub(m.exclusions);
    view! {
        <section class="panel measure" id=m.id.clone()>
            <h2>{m.title.clone()}<span class="muted">{format!(" · {}", m.id)}</span></h2>
            <p class="measure__rate">
                <strong>{pct(m.rate)}</strong>
                {format!(" ({} of {counted})", m.numerator)}
                {(counted > 0 && crate::domain::programme::is_small(counted))
                    .then(|| view! { <span class="badge">"Small numbers"</span> })}
            </p>
            <dl class="measure__counts">
                <div><dt>"Numerator"</dt><dd>{link(MeasureList::Numerator, m.numerator)}</dd></div>
                <div><dt>"Denominator"</dt><dd>{link(MeasureList::Denominator, m.denominator)}</dd></div>
                <div><dt>"Exclusions"</dt><dd>{link(MeasureList::Exclusions, m.exclusions)}</dd></div>
                <div><dt>"Pending"</dt><dd>{link(MeasureList::Pending, m.pending)}</dd></div>
            </dl>
            <p class="measure__definition">{m.definition.clone()}</p>
        </section>
    }
}

#[component]
fn MeasurePatients(view: MeasureListView) -> impl IntoView {
    let clinic = view.clinic.id.0;
    let year = view.year;
    let m = view.measure.clone();
    let csv = format!(
        "/reports/quality.csv?clinic={clinic}&year={year}&measure={}&list={}",
        m.id,
        view.list.code()
    );
    let empty = view.patients.is_empty();
    let rows = view
        .patients
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row"><a href=format!("/patients/{}", p.patient_id.0)>{p.name.clone()}</a></th>
                    <td>{p.mrn.clone()}</td>
                    <td>{p.enrolled_on.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("{} · {} · {year}", m.title, view.list.code())}</h1>
                <p class="muted">{format!("{} patients · {}", view.patients.len(), view.clinic.name)}</p>
            </div>
            <div class="actions no-print">
                <a class="button button--secondary" href=csv download="">"Download CSV"</a>
                <a href=format!("/reports/quality?clinic={clinic}&year={year}")>"Back to the measures"</a>
            </div>
        </div>
        <p class="measure__definition">{m.definition.clone()}</p>
        {if empty {
            view! { <p class="empty-state">"No patients in this list."</p> }.into_any()
        } else {
            view! {
                <table class="data-table">
                    <thead><tr><th scope="col">"Patient"</th><th scope="col">"MRN"</th><th scope="col">"Enrolled"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }.into_any()
        }}
    }
}

// --- Billing -----------------------------------------------------------------------------------

#[component]
fn Billing(view: BillingView) -> impl IntoView {
    let clinic = view.clinic.id.0;
    let r = &view.report;
    let month = r.month;
    let clinics = clinic_select(&view.clinics, clinic, "b-clinic");
    let totals = if r.totals.is_empty() {
        "no billable codes".to_owned()
    } else {
        r.totals
            .iter()
            .map(|t| format!("{} × {}", t.code, t.units))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let table = crate::reports::billing_table(r);
    let caption = format!("CoCM billing for {month}");
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("CoCM billing · {} · {month}", view.clinic.name)}</h1>
                <p class="muted">"Care-manager minutes per patient and calendar month, coded by the CPT midpoint rule. Consultant time is bundled and not counted."</p>
            </div>
            <div class="actions no-print">
                <a class="button button--secondary" href=format!("/reports/billing.csv?clinic={clinic}&month={month}") download="">"Download CSV"</a>
            </div>
        </div>
        {reports_nav(clinic, "/reports/billing")}
        <form method="get" action="/reports/billing" class="filters no-print">
            {clinics}
            <label for="b-month">"Month"</label>
            <input id="b-month" type="month" name="month" value=month.to_string() />
            <button type="submit" class="button button--secondary">"Show"</button>
            <a href=format!("/reports/billing?clinic={clinic}&month={}", view.previous)>"← Previous month"</a>
            {view.next.map(|n| view! { <a href=format!("/reports/billing?clinic={clinic}&month={n}")>"Next month →"</a> })}
        </form>
        <dl class="headlines billing-totals">
            <div class="headline"><dt>"Patients in care"</dt><dd><span class="headline__value">{r.patients.to_string()}</span></dd></div>
            <div class="headline"><dt>"Billable"</dt><dd><span class="headline__value">{r.billable.to_string()}</span></dd></div>
            <div class="headline"><dt>"Care-manager minutes"</dt><dd><span class="headline__value">{r.minutes.to_string()}</span></dd></div>
            <div class="headline"><dt>"Codes"</dt><dd><span class="headline__value headline__value--text">{totals}</span></dd></div>
        </dl>
        {if r.rows.is_empty() {
            view! { <p class="empty-state">"No patient was in care in this month."</p> }.into_any()
        } else {
            view! { <NumbersTable table caption /> }.into_any()
        }}
    }
}
