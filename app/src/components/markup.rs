//! Read-only sections drawn on the server and sent to the browser as HTML.
//!
//! A screen's tables, lists and facts change only when its data does, and then the server sends
//! them again. Rendering them on the server (with the same view code, escaped by the view layer)
//! and placing the HTML in the page means the browser's wasm carries none of that code: only the
//! forms and controls are hydrated. Links inside the markup are ordinary links, which the router
//! follows in the browser as it does every other link.
//!
//! Forms can be part of the markup too ([`LiveMarkup`]): each is an ordinary form that posts to
//! its server function (and works as such before the wasm has loaded). Once it has, one listener
//! for the whole markup sends a form as [`PostForm`](crate::api::form::PostForm) does, shows a
//! refusal in that form, and on success lets the page load its markup again.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The HTML of a read-only section, rendered on the server.
///
/// It travels as the HTML itself, with one exception: the copy of a screen that the server's
/// render writes into the page for hydration ([`crate::api::load`]) leaves it out, because the
/// page already holds it as nodes, and hydration keeps those as they are. That makes a
/// server-drawn page a third to a half lighter. Markup the browser draws again from the same value (meeting mode
/// moves between its patients without loading again) is marked [`redrawn`](Self::redrawn) and
/// always travels whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markup {
    html: String,
    redrawn: bool,
}

impl Markup {
    /// Renders a view to HTML. Text and attribute values are escaped as on any page.
    #[cfg(feature = "ssr")]
    pub fn render<V: IntoView + 'static>(view: impl FnOnce() -> V) -> Self {
        let owner = Owner::new();
        Markup {
            html: owner.with(|| view().to_html()),
            redrawn: false,
        }
    }

    /// Marks markup that the browser draws again from the value it hydrated, so that the page's
    /// copy carries it.
    pub fn redrawn(self) -> Self {
        Markup {
            redrawn: true,
            ..self
        }
    }

    /// The HTML itself.
    pub fn as_str(&self) -> &str {
        &self.html
    }
}

impl Serialize for Markup {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "ssr")]
        if !self.redrawn && page_copy::active() {
            return serializer.serialize_str("");
        }
        serializer.serialize_str(&self.html)
    }
}

impl<'de> Deserialize<'de> for Markup {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|html| Markup {
            html,
            redrawn: false,
        })
    }
}

/// While a screen is encoded for the page's hydration copy, markup is left out (see [`Markup`]).
#[cfg(feature = "ssr")]
pub(crate) mod page_copy {
    use std::cell::Cell;

    thread_local! {
        static ACTIVE: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `encode` (synchronous, so on this thread alone) as the page's copy.
    pub(crate) fn encode<R>(encode: impl FnOnce() -> R) -> R {
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                ACTIVE.with(|a| a.set(self.0));
            }
        }
        let _reset = Reset(ACTIVE.with(|a| a.replace(true)));
        encode()
    }

    pub(super) fn active() -> bool {
        ACTIVE.with(Cell::get)
    }
}

/// Places server-rendered markup in the page. Its wrapper takes no box of its own
/// (`display: contents`), so the markup lays out as if it were written in place. Hydration keeps
/// the server's nodes as they are; a new value replaces them. A button marked `data-print` in the
/// markup prints the page.
#[component]
pub fn ServerMarkup(markup: Markup) -> impl IntoView {
    view! { <div class="markup" inner_html=markup.html on:click=print_on_request></div> }
}

/// Prints the page when the click was on a `data-print` button.
fn print_on_request(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let asked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-print]").ok().flatten())
            .is_some();
        if asked {
            let _ = window().print();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Server-rendered markup whose `method="post"` forms post through the wasm. A refusal shows in
/// the form that was sent: its summary at the top of the form, and the field's message in the
/// form's slot for it (`{field}-error`, as [`FieldMessage`](super::forms::FieldMessage) makes it).
/// A success resets the form and counts in `saved`, which the page's resource reads to load again.
#[component]
pub fn LiveMarkup(markup: Markup, saved: RwSignal<usize>) -> impl IntoView {
    view! {
        <div class="markup" inner_html=markup.html on:submit=move |ev| {
            #[cfg(feature = "hydrate")]
            live::submit(ev, saved);
            #[cfg(not(feature = "hydrate"))]
            let _ = (ev, saved);
        }></div>
    }
}

#[cfg(feature = "hydrate")]
mod live {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlFormElement};

    use crate::components::forms::{message_slot, summary_heading};
    use crate::error::AppError;

    /// Sends a form of the markup to its server function, in place of the browser's navigation.
    pub(super) fn submit(ev: leptos::ev::SubmitEvent, saved: RwSignal<usize>) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        // A filter (`method="get"`) navigates as usual.
        let Some(url) = form
            .get_attribute("action")
            .filter(|_| form.method().eq_ignore_ascii_case("post"))
        else {
            return;
        };
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        let body = match crate::api::form::form_body(&ev) {
            Ok(body) => body,
            Err(refused) => return show(&form, Some(&refused)),
        };
        leptos::task::spawn_local(async move {
            let result = crate::api::form::post(&url, body).await;
            show(&form, result.as_ref().err());
            if result.is_ok() {
                form.reset();
                saved.try_update(|n| *n += 1);
            }
        });
    }

    /// Shows the refusal of a form's last submission in the form, or clears it.
    fn show(form: &HtmlFormElement, error: Option<&AppError>) {
        if let Ok(Some(old)) = form.query_selector(":scope > .error-summary") {
            old.remove();
        }
        if let Ok(slots) = form.query_selector_all(".field-error") {
            for i in 0..slots.length() {
                if let Some(slot) = slots.item(i) {
                    slot.set_text_content(None);
                }
            }
        }
        let Some(error) = error else {
            return;
        };
        let summary = element("div", None);
        summary.set_class_name("error-summary");
        let _ = summary.set_attribute("role", "alert");
        let _ = summary.append_with_node_1(&element("h2", Some(summary_heading(error))));
        let _ = summary.append_with_node_1(&element("p", Some(&error.to_string())));
        let _ = form.prepend_with_node_1(&summary);
        if let AppError::Invalid {
            field: Some(field),
            message,
        } = error
        {
            let slot = form
                .query_selector(&format!("[id=\"{}-error\"]", message_slot(field)))
                .ok()
                .flatten();
            if let Some(slot) = slot {
                let _ = slot.append_with_node_1(&element("span", Some("Error: ")));
                let _ = slot.append_with_str_1(message);
            }
        }
    }

    /// A new element with `text` (as text, never as markup).
    fn element(tag: &str, text: Option<&str>) -> Element {
        let el = document()
            .create_element(tag)
            .expect("an element of a known tag is always created");
        el.set_text_content(text);
        el
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_and_links_kept() {
        let name = "<script>alert(1)</script> & \"Ann\"".to_owned();
        let markup = Markup::render(move || {
            view! { <p title=name.clone()><a href="/patients/7">{name.clone()}</a></p> }
        });
        assert_eq!(
            markup.as_str(),
            "<p title=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ann&quot;\">\
             <a href=\"/patients/7\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"Ann\"</a></p>"
        );
    }

    #[test]
    fn markup_travels_as_the_html_itself() {
        let markup = Markup::render(|| view! { <p>"Scores"</p> });
        let json = serde_json::to_string(&markup).expect("serializes");
        assert_eq!(
            json,
            serde_json::to_string(markup.as_str()).expect("serializes")
        );
        assert_eq!(
            serde_json::from_str::<Markup>(&json).expect("reads"),
            markup
        );
    }
}
