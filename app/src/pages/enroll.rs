//! Enrollment: identity, care team, targets and optional baseline PHQ-9/GAD-7 in one step. With
//! `?patient=ID` it re-enrolls a discharged patient into a new episode.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::enroll::{get_enrollment_form, Enroll, EnrollmentForm};
use crate::api::form::{FormAction, PostForm};
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::components::questionnaire::Questionnaire;
use crate::domain::{Instrument, TargetCondition};
use crate::pages::chart::target_checkboxes;
use crate::policy::Role;

#[component]
pub fn EnrollPage() -> impl IntoView {
    let query = use_query_map();
    let clinic = move || {
        query
            .read()
            .get("clinic")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let patient = move || {
        query
            .read()
            .get("patient")
            .and_then(|v| v.parse::<i64>().ok())
    };
    let form = crate::api::load(
        move || (clinic(), patient()),
        |(c, p)| get_enrollment_form(c, p),
    );
    let action = FormAction::<Enroll>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(done)) = action.value() {
            navigate(
                &format!("/patients/{}", done.patient_id),
                Default::default(),
            );
        }
    });
    view! {
        <Title text="Enroll a patient" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(form) => view! { <EnrollForm form action /> }.into_any(),
                    Err(err) => view! {
                        <h1>"Enroll a patient"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"Enrollment is not available"</h2>
                            <p>{err.to_string()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EnrollForm(form: EnrollmentForm, action: FormAction<Enroll>) -> impl IntoView {
    let err = last_error(action);
    let reenroll = form.patient.clone();
    let heading = match &reenroll {
        Some(p) => format!("Re-enroll {}, {}", p.family_name, p.given_name),
        None => "Enroll a patient".to_owned(),
    };
    let me_is_cm = form
        .staff
        .iter()
        .any(|s| s.id == form.me && s.role == Role::CareManager);
    let today = form.today.to_string();
    let identity = match &reenroll {
        Some(p) => view! {
            <input type="hidden" name="patient" value=p.id.0.to_string() />
            <p>{format!("MRN {} · born {}. A new episode starts; earlier episodes stay on the chart.", p.mrn, p.birth_date)}</p>
        }.into_any(),
        None => view! {
            <fieldset>
                <legend>"Patient"</legend>
                <div class="form-row">
                    <div class="field">
                        <label for="e-given">"Given name"</label>
                        <input id="e-given" name="given_name" required maxlength="100" autocomplete="off" aria-describedby="given_name-error" />
                        <FieldMessage id="given_name" message=field_error(err, "given_name") />
                    </div>
                    <div class="field">
                        <label for="e-family">"Family name"</label>
                        <input id="e-family" name="family_name" required maxlength="100" autocomplete="off" aria-describedby="family_name-error" />
                        <FieldMessage id="family_name" message=field_error(err, "family_name") />
                    </div>
                </div>
                <div class="form-row">
                    <div class="field">
                        <label for="e-mrn">"MRN"</label>
                        <input id="e-mrn" name="mrn" required maxlength="32" autocomplete="off" aria-describedby="mrn-error" />
                        <FieldMessage id="mrn" message=field_error(err, "mrn") />
                    </div>
                    <div class="field">
                        <label for="e-birth">"Birth date"</label>
                        <input id="e-birth" name="birth_date" type="date" required max=today.clone() aria-describedby="birth_date-error" />
                        <FieldMessage id="birth_date" message=field_error(err, "birth_date") />
                    </div>
                </div>
            </fieldset>
        }.into_any(),
    };
    let staff = form.staff.clone();
    let options = move |role: Role, preselect: Option<i64>| {
        staff
            .iter()
            .filter(|s| s.role == role)
            .map(|s| view! { <option value=s.id.to_string() selected=preselect == Some(s.id)>{s.name.clone()}</option> })
            .collect_view()
    };
    let me = me_is_cm.then_some(form.me);
    view! {
        <h1>{heading}</h1>
        <PostForm action attr:class="stacked-form enroll-form">
            <ErrorSummary error=err />
            <input type="hidden" name="clinic" value=form.clinic.id.0.to_string() />
            <p class="muted">{format!("Clinic: {}", form.clinic.name)}</p>
            {identity}
            <fieldset>
                <legend>"Episode"</legend>
                <div class="form-row">
                    <div class="field">
                        <label for="e-enrolled">"Enrollment date"</label>
                        <input id="e-enrolled" name="enrolled_on" type="date" required value=today.clone() max=today.clone() aria-describedby="enrolled_on-error" />
                        <FieldMessage id="enrolled_on" message=field_error(err, "enrolled_on") />
                    </div>
                    <div class="field">
                        <label for="e-pcp">"Primary-care provider"</label>
                        <input id="e-pcp" name="pcp" maxlength="100" />
                    </div>
                </div>
                <div class="form-row">
                    <div class="field">
                        <label for="e-cm">"Care manager"</label>
                        <select id="e-cm" name="care_manager">
                            <option value="">"Not assigned"</option>
                            {options(Role::CareManager, me)}
                        </select>
                        <FieldMessage id="care_manager" message=field_error(err, "care_manager") />
                    </div>
                    <div class="field">
                        <label for="e-cs">"Psychiatric consultant"</label>
                        <select id="e-cs" name="consultant">
                            <option value="">"Not assigned"</option>
                            {options(Role::PsychiatricConsultant, None)}
                        </select>
                        <FieldMessage id="consultant" message=field_error(err, "consultant") />
                    </div>
                </div>
                <fieldset>
                    <legend>"Target conditions"</legend>
                    {target_checkboxes(&[TargetCondition::Depression])}
                    <FieldMessage id="targets" message=field_error(err, "targets") />
                </fieldset>
            </fieldset>
            <p class="hint">"Baseline scores are optional here and are dated on the enrollment date."</p>
            <Questionnaire instrument=Instrument::Phq9 prefix="phq9" optional=true />
            <FieldMessage id="phq9" message=field_error(err, "phq9") />
            <Questionnaire instrument=Instrument::Gad7 prefix="gad7" optional=true />
            <FieldMessage id="gad7" message=field_error(err, "gad7") />
            <button type="submit" class="button">"Enroll"</button>
        </PostForm>
    }
}
