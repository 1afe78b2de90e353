//! Tandem: a collaborative-care registry for behavioral health integration in primary care.
//!
//! This crate is compiled twice: with `ssr` into the server, and with `hydrate` into the wasm
//! bundle that makes the server-rendered pages interactive.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod care;
pub mod case_review;
#[cfg(feature = "ssr")]
pub mod charts;
pub mod components;
pub mod domain;
pub mod error;
pub mod forms;
pub mod model;
pub mod pages;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod reports;
pub mod routes;
pub mod self_report;
pub mod settings;
pub mod spreadsheet;
pub mod summary;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};

pub use routes::App;

/// The product name, shown in the header and the page titles.
pub const PRODUCT: &str = "Tandem";

/// The Content-Security-Policy of every page: scripts only with this response's nonce (the
/// hydration script, which then loads the bundle), wasm compilation, and everything else from
/// this site alone; no framing.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let nonce = leptos::nonce::use_nonce();
        let response = use_context::<leptos_axum::ResponseOptions>();
        if let (Some(nonce), Some(response)) = (nonce, response) {
            if let Ok(value) =
                http::HeaderValue::from_str(&content_security_policy(nonce.as_inner()))
            {
                response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
            }
        }
    }
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
        // The empty text keeps "Tandem" as the title while a screen's own title is not in place
        // yet (its code is still loading, or it is still hydrating), instead of no title at all.
        <Title text="" formatter=|page: String| {
            let title = if page.is_empty() {
                PRODUCT.to_owned()
            } else {
                format!("{page} · {PRODUCT}")
            };
            // The server writes the <title> element's text as it is given, so a patient's name
            // in it must be escaped there; the browser sets `document.title`, which is text.
            #[cfg(feature = "ssr")]
            let title = escape_title(&title);
            title
        } />
        <App />
    }
}

/// `text` made safe as the content of the server-rendered `<title>` element.
#[cfg(feature = "ssr")]
pub fn escape_title(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The wasm entry point: hydrates the server-rendered body.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(Root);
}
