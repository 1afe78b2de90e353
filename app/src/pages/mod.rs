//! Screens, one module each, and what the screens drawn on the server share.

pub mod admin;
pub mod caseload;
pub mod chart;
pub mod enroll;
pub mod import;
pub mod login;
pub mod measure;
pub mod meeting;
pub mod not_found;
pub mod patients;
pub mod reports;
pub mod review;
pub mod self_report;
pub mod summary;
pub mod tasks;

use leptos::prelude::*;

use crate::components::markup::{Markup, ServerMarkup};
use crate::error::AppError;
use crate::pages::patients::SignInPrompt;

/// A screen the server draws whole: its markup once loaded, or the error in its place.
pub fn markup_page(
    title: &'static str,
    loading: &'static str,
    data: crate::api::Loaded<Markup>,
) -> impl IntoView {
    view! {
        <Suspense fallback=move || view! { <p class="loading">{loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(markup) => view! { <ServerMarkup markup /> }.into_any(),
                    Err(err) => page_error(title, err),
                }
            })}
        </Suspense>
    }
}

/// An error in place of the page, with a sign-in prompt when that is what is missing.
pub fn page_error(title: &'static str, err: AppError) -> AnyView {
    match err {
        AppError::Unauthenticated => view! { <h1>{title}</h1> <SignInPrompt /> }.into_any(),
        err => view! {
            <h1>{title}</h1>
            <div class="error-summary" role="alert">
                <h2>"This page could not be shown"</h2>
                <p>{err.to_string()}</p>
            </div>
        }
        .into_any(),
    }
}
