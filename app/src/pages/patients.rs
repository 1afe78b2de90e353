//! The patient list: every enrolled patient with their current episode and latest PHQ-9.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::has_users;
use crate::api::patients::list_patients;
use crate::components::empty_state::EmptyState;
use crate::domain::{Instrument, Severity};
use crate::error::AppError;
use crate::model::{Page, PatientListRow};
use crate::pages::login::FirstRun;

#[component]
pub fn PatientsPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let clinic = move || {
        query
            .read()
            .get("clinic")
            .and_then(|c| c.parse::<i64>().ok())
    };
    let patients = crate::api::load(
        move || (page(), clinic()),
        |(page, clinic)| list_patients(page, clinic),
    );

    view! {
        <Title text="Patients" />
        <div class="page-heading">
            <h1>"Patients"</h1>
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading patients…"</p> }>
            {move || Suspend::new(async move {
                match patients.await {
                    Ok(page) if page.total == 0 => view! { <NoPatients /> }.into_any(),
                    Ok(page) => view! { <PatientTable page /> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInPrompt /> }.into_any(),
                    Err(err) => view! {
                        <div class="error-summary" role="alert">
                            <h2>"The patient list could not be loaded"</h2>
                            <p>{err.to_string()}</p>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// Shown instead of patient data to a visitor who is not signed in.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    let has_users = crate::api::load(|| (), |_| has_users());
    view! {
        <section class="notice">
            <h2>"Please sign in"</h2>
            <p>"Patient information is shown only to signed-in staff of the patient's clinic."</p>
            <p>
                <a class="button" href="/login">"Sign in"</a>
            </p>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                (has_users.await == Ok(false)).then(|| view! { <FirstRun /> })
            })}
        </Suspense>
    }
}

#[component]
fn NoPatients() -> impl IntoView {
    view! {
        <EmptyState title="No patients enrolled yet">
            <p>
                "When a care manager enrolls a patient in collaborative care, the patient appears here "
                "with their current episode and latest PHQ-9."
            </p>
        </EmptyState>
    }
}

#[component]
fn PatientTable(page: Page<PatientListRow>) -> impl IntoView {
    let first = u64::from(page.offset) + 1;
    let last = u64::from(page.offset) + page.rows.len() as u64;
    let current = page.offset / page.limit.max(1) + 1;
    let has_next = last < page.total;
    let summary = format!("Showing {first}–{last} of {} patients", page.total);
    view! {
        <p class="table-summary" id="patients-summary">{summary}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Patients">
            <table class="data-table" aria-describedby="patients-summary">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"MRN"</th>
                        <th scope="col">"Clinic"</th>
                        <th scope="col">"Birth date"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Enrolled"</th>
                        <th scope="col" class="num">"Latest PHQ-9"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|row| view! { <PatientRow row /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pagination" aria-label="Pages">
            {(current > 1).then(|| view! {
                <a rel="prev" href=format!("?page={}", current - 1)>"← Previous"</a>
            })}
            <span class="pagination__current">{format!("Page {current}")}</span>
            {has_next.then(|| view! {
                <a rel="next" href=format!("?page={}", current + 1)>"Next →"</a>
            })}
        </nav>
    }
}

#[component]
fn PatientRow(row: PatientListRow) -> impl IntoView {
    let name = format!("{}, {}", row.family_name, row.given_name);
    let status = row.status.map(|s| s.label()).unwrap_or("Not enrolled");
    let enrolled = row.enrolled_on.map(|d| d.to_string()).unwrap_or_default();
    let latest = match (row.latest_phq9, row.latest_phq9_on) {
        (Some(score), Some(on)) => {
            let band = Severity::of(Instrument::Phq9, score).label();
            view! {
                <span class="score">{score}</span>
                " "
                <span class="band">{band}</span>
                <span class="muted">{format!(" on {on}")}</span>
            }
            .into_any()
        }
        _ => view! { <span class="muted">"none yet"</span> }.into_any(),
    };
    let href = format!("/patients/{}", row.id);
    view! {
        <tr>
            <th scope="row"><a href=href>{name}</a></th>
            <td>{row.mrn}</td>
            <td>{row.clinic_name}</td>
            <td>{row.birth_date.to_string()}</td>
            <td>{status}</td>
            <td>{enrolled}</td>
            <td class="num">{latest}</td>
        </tr>
    }
}
