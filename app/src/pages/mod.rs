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
                    Err(err) => review::page_error(title, err),
                }
            })}
        </Suspense>
    }
}
