use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::layout::MarkHydrated;

/// Shown for any path that no route matches, with a 404 status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Page not found" />
        <h1>"Page not found"</h1>
        <p>"If you typed the web address, check it is correct."</p>
        <p>
            <a href="/">"Go to the patient list"</a>
        </p>
        <MarkHydrated />
    }
}
