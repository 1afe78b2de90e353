//! A friendly empty state: what is missing and what to do next.

use leptos::prelude::*;

#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="empty-state" aria-live="polite">
            <h2>{title}</h2>
            <div class="empty-state__body">{children()}</div>
        </section>
    }
}
