//! Form feedback: an error summary for the last submission, and a field's own message.

use leptos::prelude::*;

use crate::api::form::FormAction;
use crate::error::AppError;

/// The last result of an action as an error, if it failed.
pub fn last_error<S: 'static>(
    action: FormAction<S>,
) -> impl Fn() -> Option<AppError> + Copy + Send + Sync {
    move || action.error()
}

/// The message for one field, when the last submission failed on it.
pub fn field_error(
    error: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || match error() {
        Some(AppError::Invalid {
            field: Some(f),
            message,
        }) if message_slot(&f) == field => Some(message),
        _ => None,
    }
}

/// A field's message under its input, with the id the input's `aria-describedby` names.
#[component]
pub fn FieldMessage(
    id: &'static str,
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("{id}-error") aria-live="polite">
            {move || message().map(|m| view! { <span>"Error: "</span>{m} })}
        </p>
    }
}

/// The summary at the top of a form: what went wrong with the last submission.
#[component]
pub fn ErrorSummary(error: impl Fn() -> Option<AppError> + Send + Sync + 'static) -> impl IntoView {
    error_summary(Box::new(error))
}

/// The heading of an error summary.
pub fn summary_heading(error: &AppError) -> &'static str {
    match error {
        AppError::Conflict(_) => "Someone else changed this record",
        _ => "There is a problem",
    }
}

/// The id of the message slot ([`FieldMessage`]) that shows a refusal of `field`: a list's
/// field (`targets[]`, `answers[i3]`) shows under the list.
pub fn message_slot(field: &str) -> &str {
    field.split('[').next().unwrap_or(field)
}

/// [`ErrorSummary`]'s view, compiled once for every form rather than once per caller.
pub fn error_summary(error: Box<dyn Fn() -> Option<AppError> + Send + Sync>) -> AnyView {
    (move || {
        error().map(|e| {
            let heading = summary_heading(&e);
            view! {
                <div class="error-summary" role="alert">
                    <h2>{heading}</h2>
                    <p>{e.to_string()}</p>
                </div>
            }
        })
    })
    .into_any()
}

/// The clinic chooser of a filter form; nothing when the user belongs to one clinic.
pub fn clinic_select(
    clinics: &[crate::model::Clinic],
    current: i64,
    id: &'static str,
) -> Option<AnyView> {
    (clinics.len() > 1).then(|| {
        let options = clinics
            .iter()
            .map(|c| {
                let selected = c.id.0 == current;
                view! { <option value=c.id.0.to_string() selected=selected>{c.name.clone()}</option> }
            })
            .collect_view();
        view! {
            <label for=id>"Clinic"</label>
            <select id=id name="clinic">{options}</select>
        }
        .into_any()
    })
}
