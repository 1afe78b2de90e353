//! Entering a PHQ-9 or GAD-7, and correcting or deleting one (with a reason).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::form::{FormAction, PostForm};
use crate::api::records::{get_measurement, DeleteMeasurement, EditMeasurement, RecordMeasurement};
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::questionnaire::Questionnaire;
use crate::domain::Instrument;
use crate::model::today;

#[component]
pub fn MeasurePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let patient = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let episode = move || {
        query
            .read()
            .get("episode")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let instrument = move || match query.read().get("instrument").as_deref() {
        Some("GAD-7") => Instrument::Gad7,
        _ => Instrument::Phq9,
    };
    let action = FormAction::<RecordMeasurement>::new();
    let err = last_error(action);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value() {
            navigate(&format!("/patients/{}", patient()), Default::default());
        }
    });
    let day = today().to_string();
    view! {
        {move || {
            let instrument = instrument();
            let title = format!("Enter {instrument}");
            let day = day.clone();
            view! {
                <Title text=title.clone() />
                <h1>{title}</h1>
                <p><a href=format!("/patients/{}", patient())>"← Back to the chart"</a></p>
                <PostForm action attr:class="stacked-form measure-form">
                    <ErrorSummary error=err />
                    <input type="hidden" name="patient" value=patient().to_string() />
                    <input type="hidden" name="episode" value=episode().to_string() />
                    <input type="hidden" name="instrument" value=instrument.code() />
                    <div class="field">
                        <label for="m-date">"Date taken"</label>
                        <input id="m-date" name="taken_on" type="date" required value=day.clone() max=day aria-describedby="taken_on-error" />
                        <FieldMessage id="taken_on" message=field_error(err, "taken_on") />
                    </div>
                    <Questionnaire instrument prefix="answers" />
                    <FieldMessage id="answers" message=field_error(err, "answers") />
                    <button type="submit" class="button">{format!("Save {instrument}")}</button>
                </PostForm>
            }
        }}
    }
}

#[component]
pub fn EditMeasurementPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let found = crate::api::load(id, get_measurement);
    let edit = FormAction::<EditMeasurement>::new();
    let delete = FormAction::<DeleteMeasurement>::new();
    let navigate = use_navigate();
    let go = navigate.clone();
    Effect::new(move |_| {
        if let Some(Ok(patient)) = delete.value() {
            go(&format!("/patients/{patient}"), Default::default());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = edit.value() {
            if let Some(Ok(found)) = found.get_untracked() {
                navigate(
                    &format!("/patients/{}", found.patient_id),
                    Default::default(),
                );
            }
        }
    });
    let edit_err = last_error(edit);
    let delete_err = last_error(delete);
    view! {
        <Title text="Correct a score" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Err(err) => view! {
                        <h1>"Correct a score"</h1>
                        <div class="error-summary" role="alert"><p>{err.to_string()}</p></div>
                    }.into_any(),
                    Ok(f) => {
                        let m = f.measurement;
                        let instrument = m.instrument();
                        let initial = m.responses.items().map(<[u8]>::to_vec);
                        let difficulty = m.responses.difficulty();
                        let day = today().to_string();
                        view! {
                            <h1>{format!("Correct a {instrument} of {}", f.patient_name)}</h1>
                            <p><a href=format!("/patients/{}", f.patient_id)>"← Back to the chart"</a></p>
                            <PostForm action=edit attr:class="stacked-form measure-form">
                                <ErrorSummary error=edit_err />
                                <input type="hidden" name="id" value=m.id.0.to_string() />
                                <input type="hidden" name="version" value=m.version.to_string() />
                                <div class="field">
                                    <label for="m-date">"Date taken"</label>
                                    <input id="m-date" name="taken_on" type="date" required value=m.taken_on.to_string() max=day />
                                    <FieldMessage id="taken_on" message=field_error(edit_err, "taken_on") />
                                </div>
                                <Questionnaire instrument prefix="answers" initial initial_difficulty=difficulty />
                                <FieldMessage id="answers" message=field_error(edit_err, "answers") />
                                <div class="field">
                                    <label for="m-reason">"Reason for the correction (required)"</label>
                                    <input id="m-reason" name="reason" required maxlength="500" />
                                    <FieldMessage id="reason" message=field_error(edit_err, "reason") />
                                </div>
                                <button type="submit" class="button">"Save correction"</button>
                            </PostForm>
                            <PostForm action=delete attr:class="stacked-form danger-zone">
                                <h2>"Delete this score"</h2>
                                <ErrorSummary error=delete_err />
                                <input type="hidden" name="id" value=m.id.0.to_string() />
                                <input type="hidden" name="version" value=m.version.to_string() />
                                <div class="field">
                                    <label for="d-reason">"Reason for deleting (required)"</label>
                                    <input id="d-reason" name="reason" required maxlength="500" />
                                    <FieldMessage id="delete_reason" message=field_error(delete_err, "delete_reason") />
                                </div>
                                <button type="submit" class="button button--danger">"Delete score"</button>
                            </PostForm>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
