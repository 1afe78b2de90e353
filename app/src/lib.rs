//! Tandem: a collaborative-care registry for behavioral health integration in primary care.
//!
//! This crate is compiled twice: with `ssr` into the server, and with `hydrate` into the wasm
//! bundle that makes the server-rendered pages interactive.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod components;
pub mod domain;
pub mod error;
pub mod model;
pub mod pages;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod routes;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};

pub use routes::App;

/// The product name, shown in the header and the page titles.
pub const PRODUCT: &str = "Tandem";

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Tandem collaborative-care registry" />
                <link rel="icon" href="/favicon.ico" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <Root />
            </body>
        </html>
    }
}

/// Meta context, stylesheet and title around the routed app.
#[component]
pub fn Root() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="tandem-css" href="/pkg/tandem.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { PRODUCT.to_owned() } else { format!("{page} · {PRODUCT}") }
        } />
        <App />
    }
}

/// The wasm entry point: hydrates the server-rendered body.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(Root);
}
