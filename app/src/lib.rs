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
pub mod dates;
pub mod decimals;
pub mod domain;
pub mod error;
pub mod forms;
pub mod model;
pub mod pages;
pub mod policy;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(feature = "hydrate")]
mod recovery;
pub mod reports;
pub mod routes;
pub mod self_report;
pub mod settings;
pub mod spreadsheet;
pub mod summary;
pub mod wire_dates;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};

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

/// The HTML document around the app, rendered on the server only. `stylesheet` is the site's
/// [`stylesheet_href`], found once for the site rather than on every page.
pub fn shell(options: LeptosOptions, stylesheet: String) -> impl IntoView {
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
                <link rel="stylesheet" href=stylesheet />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <Root />
            </body>
        </html>
    }
}

/// The stylesheet's address. A release build gives the site's files content-hashed names, listed
/// in the hash file (`hash.txt` in the site root; the server finds it), so that a browser may keep
/// them for good and never mixes two builds' files; without one it is `/pkg/tandem.css`. It reads
/// the hash file, so it is called once per site, not per page.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let hashes = options
        .hash_files
        .then(|| {
            // Where the view layer looks for the same file (an absolute name is taken as it is).
            let dir = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
                .unwrap_or_default();
            std::fs::read_to_string(dir.join(options.hash_file.as_ref())).ok()
        })
        .flatten();
    let hash = hashes.as_deref().and_then(|text| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix("css:").map(str::trim))
    });
    let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
    match hash {
        Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
        None => format!("/{pkg}/{name}.css"),
    }
}

/// Meta context and title around the routed app.
#[component]
pub fn Root() -> impl IntoView {
    provide_meta_context();
    view! {
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

/// The wasm entry point: loads the code of the page's area of screens, then hydrates the
/// server-rendered body.
///
/// Hydration is synchronous throughout (the view layer is patched so, vendor/README.md): the
/// router finds the route's code already loaded and hydrates it at once, as in an unsplit build.
/// A page without an area (the not-found page) hydrates straight away. When the area's code
/// cannot be fetched, the loader panics and the panic hook reloads the page ([`recovery`]).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    recovery::install_panic_hook();
    let area = leptos::prelude::document()
        .query_selector("[data-area]")
        .ok()
        .flatten()
        .and_then(|marker| marker.get_attribute("data-area"));
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(area) = area {
            routes::preload_area(&area).await;
        }
        leptos::mount::hydrate_body(Root);
    });
}

/// Spare room in the wasm's constant data, which the split build needs to give every area its
/// own constants.
///
/// `cargo leptos build --split` moves each constant (a page's strings, its tables) into the
/// module of the one area that uses it, and lays each module's constants out again, aligned, in
/// the address range the linker gave them all. The new layout has more padding than the old;
/// when it no longer fits in that range, the splitter gives up and leaves every constant in the
/// main module (100 KB more in every first load, 43 KB gzipped, measured 5 December 2026),
/// without an error. This block lies in the same range and nothing uses it, so the splitter
/// moves it nowhere: its bytes are the room the new layout may take. It costs nothing in what
/// a browser downloads. `end2end/tests/split.spec.ts` checks that an area's constants stay
/// in the area's module.
#[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
#[used]
static SPLIT_DATA_ROOM: [u8; 16 * 1024] = [0xA5; 16 * 1024];
