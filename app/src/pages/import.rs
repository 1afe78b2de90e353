//! Moving records in and out from a spreadsheet: a CSV file (or cells pasted from the
//! spreadsheet) is checked whole, every problem shown with its row and column, and only a clean
//! file can be imported, in one go. The clinic's CSV exports are offered on the same page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::enroll::get_enrollment_form;
use crate::api::form::{FormAction, PostForm};
use crate::api::import::ImportPatients;
use crate::components::forms::{clinic_select, last_error, ErrorSummary};
use crate::error::AppError;
use crate::spreadsheet::ImportOutcome;

/// Reads the chosen file into the text area (with JavaScript; without it, cells are pasted).
#[cfg(feature = "hydrate")]
fn read_file(ev: leptos::ev::Event, text: RwSignal<String>) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    let promise = file.text();
    leptos::task::spawn_local(async move {
        if let Ok(v) = wasm_bindgen_futures::JsFuture::from(promise).await {
            if let Some(s) = v.as_string() {
                text.set(s);
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn read_file(_ev: leptos::ev::Event, _text: RwSignal<String>) {}

#[component]
pub fn ImportPage() -> impl IntoView {
    let check = FormAction::<ImportPatients>::new();
    let import = FormAction::<ImportPatients>::new();
    let form = crate::api::load(|| (), |_| get_enrollment_form(None, None));
    let text = RwSignal::new(String::new());
    view! {
        <Title text="Import and export" />
        <h1>"Import and export"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(f) => {
                        let clinic = f.clinic.id.0;
                        let chooser = clinic_select(&f.clinics, clinic, "import-clinic");
                        let single = (f.clinics.len() <= 1)
                            .then(|| view! { <input type="hidden" name="clinic" value=clinic /> });
                        view! {
                            <section aria-labelledby="import-heading">
                                <h2 id="import-heading">"Import patients from a spreadsheet"</h2>
                                <p>
                                    "Each patient is enrolled with their historical PHQ-9 and GAD-7 scores. Use one row per score "
                                    "(" <code>"mrn, given_name, family_name, birth_date, enrolled_on, instrument, taken_on, item1 … item9 or total"</code> ") "
                                    "or one row per patient, as in a tracking spreadsheet ("
                                    <code>"mrn, given_name, family_name, birth_date, enrolled_on, baseline_phq9, followup_1_date, followup_1_phq9, …"</code> "). "
                                    "Dates are written YYYY-MM-DD. Nothing is stored until the whole file is free of errors."
                                </p>
                                <ErrorSummary error=last_error(check) />
                                <PostForm action=check attr:class="form">
                                    {chooser}
                                    {single}
                                    <div class="field">
                                        <label for="import-file">"CSV file"</label>
                                        <input id="import-file" type="file" accept=".csv,text/csv,text/plain"
                                            on:change=move |ev| read_file(ev, text) />
                                    </div>
                                    <div class="field">
                                        <label for="import-csv">"The file's contents, or cells pasted from the spreadsheet (header row first)"</label>
                                        <textarea id="import-csv" name="csv" rows="10" spellcheck="false" class="csv-input"
                                            prop:value=move || text.get()
                                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                                    </div>
                                    <input type="hidden" name="commit" value="false" />
                                    <button type="submit" class="button">"Check the file"</button>
                                </PostForm>
                                {move || check.value().and_then(Result::ok).map(|outcome| {
                                    view! { <CheckResult outcome clinic import text /> }
                                })}
                            </section>
                            <section aria-labelledby="export-heading">
                                <h2 id="export-heading">"Export"</h2>
                                <p>"CSV files of " {f.clinic.name.clone()} " for a spreadsheet; each download is recorded in the audit log."</p>
                                <ul class="export-links">
                                    <li><a href=format!("/exports/caseload.csv?clinic={clinic}") download>"Caseload (open episodes with flags)"</a></li>
                                    <li><a href=format!("/exports/measurements.csv?clinic={clinic}") download>"Every PHQ-9 and GAD-7 (one row per score; imports back)"</a></li>
                                    <li><a href=format!("/exports/contacts.csv?clinic={clinic}") download>"Contacts"</a></li>
                                </ul>
                            </section>
                        }
                        .into_any()
                    }
                    Err(AppError::Unauthenticated) => view! {
                        <p>"Please " <a href="/login">"sign in"</a> "."</p>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <div class="error-summary" role="alert">
                            <h2>"This page could not be loaded"</h2>
                            <p>{e.to_string()}</p>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The outcome of a check: every error, or what would be imported and the button to import it.
#[component]
fn CheckResult(
    outcome: ImportOutcome,
    clinic: i64,
    import: FormAction<ImportPatients>,
    text: RwSignal<String>,
) -> impl IntoView {
    if !outcome.errors.is_empty() {
        let count = outcome.errors.len();
        let rows = outcome
            .errors
            .into_iter()
            .map(|e| {
                view! {
                    <tr>
                        <td>{e.row}</td>
                        <td>{if e.column.is_empty() { "—".to_owned() } else { e.column }}</td>
                        <td>{e.message}</td>
                    </tr>
                }
            })
            .collect_view();
        return view! {
            <div class="error-summary" role="alert">
                <h3>{format!("{count} problem{} to fix; nothing was imported", if count == 1 { "" } else { "s" })}</h3>
                <table class="data-table">
                    <caption class="visually-hidden">"Problems in the file"</caption>
                    <thead><tr><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any();
    }
    let layout = outcome.layout.map(|l| l.label()).unwrap_or_default();
    let summary = format!(
        "{} patient{} with {} score{} ({layout}), from {} row{}.",
        outcome.patients,
        if outcome.patients == 1 { "" } else { "s" },
        outcome.scores,
        if outcome.scores == 1 { "" } else { "s" },
        outcome.rows,
        if outcome.rows == 1 { "" } else { "s" },
    );
    let preview = outcome
        .preview
        .into_iter()
        .map(|p| {
            view! {
                <tr><td>{p.row}</td><td>{p.mrn}</td><td>{p.enrolled_on}</td><td>{p.scores}</td></tr>
            }
        })
        .collect_view();
    let patients = outcome.patients;
    view! {
        <div class="import-preview">
            <h3>"Ready to import"</h3>
            <p role="status">{summary}</p>
            <table class="data-table">
                <caption class="visually-hidden">"Patients the file enrolls"</caption>
                <thead><tr><th scope="col">"Row"</th><th scope="col">"MRN"</th><th scope="col">"Enrolled"</th><th scope="col">"Scores"</th></tr></thead>
                <tbody>{preview}</tbody>
            </table>
            <ErrorSummary error=last_error(import) />
            {move || match import.value() {
                Some(Ok(done)) if done.committed => view! {
                    <p class="success" role="status">
                        {format!("Imported {} patient{} with {} score{}. ", done.patients, if done.patients == 1 { "" } else { "s" }, done.scores, if done.scores == 1 { "" } else { "s" })}
                        <a href="/patients">"See the patients"</a>
                    </p>
                }
                .into_any(),
                _ => view! {
                    <PostForm action=import>
                        <input type="hidden" name="clinic" value=clinic />
                        <input type="hidden" name="csv" prop:value=move || text.get() />
                        <input type="hidden" name="commit" value="true" />
                        <button type="submit" class="button">{format!("Import {patients} patient{}", if patients == 1 { "" } else { "s" })}</button>
                    </PostForm>
                }
                .into_any(),
            }}
        </div>
    }
    .into_any()
}
