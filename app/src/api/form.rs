//! Forms that post to a server function: [`FormAction`] holds a form's last result, and
//! [`PostForm`] sends the form.
//!
//! The browser posts a form's fields as the URL-encoded body a browser without the wasm sends,
//! and the server reads them into the server function's arguments. The framework's own form
//! first reads the fields into the argument type in the browser and then writes them out again,
//! which put a URL-form decoder and an encoder for every argument type into the wasm; here the
//! browser decodes only the result (in the [`Wire`](super::Wire) encoding).
//!
//! Without the wasm, the form is an ordinary `POST` to the server function's URL: the server
//! redirects back, naming a refusal in the address, and [`FormAction::new`] shows it.

use std::marker::PhantomData;
use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::{Http, ServerFn};

use super::Wire;
use crate::error::AppError;

/// What a [`PostForm`] needs of its server function: a URL-encoded form in, a [`Wire`] result
/// out, and [`AppError`] for a refusal.
pub trait FormFn:
    ServerFn<
        Protocol = Http<PostUrl, Wire>,
        Error = AppError,
        Output: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    > + 'static
{
}

impl<S> FormFn for S where
    S: ServerFn<
            Protocol = Http<PostUrl, Wire>,
            Error = AppError,
            Output: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
        > + 'static
{
}

/// The state of a form that posts to the server function `S`: the last result, how many
/// submissions have finished (a page's resources refetch when it changes) and whether one is
/// under way.
///
/// Only [`value`](Self::value) knows `S`'s result type: the state keeps a result as the bytes
/// the server sent, so the code that sends a form and keeps its state is the same for every
/// form, and the wasm holds one copy of it rather than one per server function.
pub struct FormAction<S> {
    state: FormState,
    server_fn: PhantomData<fn() -> S>,
}

impl<S> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for FormAction<S> {}

impl<S: FormFn> Default for FormAction<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: FormFn> FormAction<S> {
    /// A form with no result yet, unless the page's address carries this server function's
    /// refusal of a post made without the wasm.
    pub fn new() -> Self {
        Self {
            state: FormState::new(S::PATH),
            server_fn: PhantomData,
        }
    }

    /// The result of the last finished submission (a tracked read).
    pub fn value(&self) -> Option<Result<S::Output, AppError>> {
        self.state
            .result
            .get()
            .map(|result| result.and_then(|bytes| super::from_wire(&bytes)))
    }
}

impl<S> FormAction<S> {
    /// The refusal of the last finished submission, if it was refused (a tracked read).
    pub fn error(&self) -> Option<AppError> {
        self.state
            .result
            .with(|r| r.as_ref().and_then(|r| r.as_ref().err().cloned()))
    }

    /// How many submissions have finished; a resource that reads it loads again after each.
    pub fn version(&self) -> ReadSignal<usize> {
        self.state.version.read_only()
    }

    /// Whether a submission is under way (a tracked read).
    pub fn pending(&self) -> bool {
        self.state.in_flight.get() > 0
    }
}

/// What every form keeps, whatever its server function: the last result as the server sent it.
#[derive(Clone, Copy)]
struct FormState {
    url: &'static str,
    result: RwSignal<Option<Result<Arc<[u8]>, AppError>>>,
    version: RwSignal<usize>,
    in_flight: RwSignal<usize>,
}

impl FormState {
    fn new(url: &'static str) -> Self {
        let refused = use_context::<ServerActionError>().and_then(|error| {
            (error.path() == url)
                .then(|| Err(ServerFnUrlError::<AppError>::decode_err(error.err())))
        });
        Self {
            url,
            result: RwSignal::new(refused),
            version: RwSignal::new(0),
            in_flight: RwSignal::new(0),
        }
    }

    /// Sends the submitted form's fields, instead of the browser's own navigation.
    #[cfg(feature = "hydrate")]
    fn submit(self, ev: leptos::ev::SubmitEvent) {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        let body = match form_body(&ev) {
            Ok(body) => body,
            Err(refused) => return self.finish(Err(refused)),
        };
        self.in_flight.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            let result = post(self.url, body).await;
            self.in_flight.try_update(|n| *n = n.saturating_sub(1));
            self.finish(result);
        });
    }

    #[cfg(feature = "hydrate")]
    fn finish(self, result: Result<Arc<[u8]>, AppError>) {
        self.result.try_set(Some(result));
        self.version.try_update(|n| *n += 1);
    }
}

/// The submitted form's fields (with the button that submitted it) as a URL-encoded body, or
/// the refusal to show when the browser cannot read them.
#[cfg(feature = "hydrate")]
pub(crate) fn form_body(ev: &leptos::ev::SubmitEvent) -> Result<String, AppError> {
    leptos::form::form_data_from_event(ev)
        .ok()
        .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
        .and_then(|params| params.to_string().as_string())
        .ok_or_else(|| AppError::Invalid {
            field: None,
            message: "the form could not be read".to_owned(),
        })
}

/// Posts a URL-encoded form to a server function and returns the body of its result; a refusal
/// is decoded into its [`AppError`]. A redirect the server function asked for is followed.
#[cfg(feature = "hydrate")]
pub(crate) async fn post(url: &str, body: String) -> Result<Arc<[u8]>, AppError> {
    use leptos::server_fn::client::{browser::BrowserClient, Client};
    use leptos::server_fn::request::ClientReq;
    use leptos::server_fn::response::ClientRes;

    let request = <BrowserClient as Client<AppError>>::Request::try_new_post(
        url,
        <PostUrl as leptos::server_fn::ContentType>::CONTENT_TYPE,
        super::WIRE_CONTENT_TYPE,
        body,
    )?;
    let response = <BrowserClient as Client<AppError>>::send(request).await?;
    let status = ClientRes::<AppError>::status(&response);
    let location = ClientRes::<AppError>::location(&response);
    let redirect = ClientRes::<AppError>::has_redirect(&response);
    let bytes = ClientRes::<AppError>::try_into_bytes(response).await?;
    if (400..=599).contains(&status) {
        return Err(<AppError as FromServerFnError>::de(bytes));
    }
    if (300..=399).contains(&status) || redirect {
        leptos::server_fn::redirect::call_redirect_hook(&location);
    }
    Ok(Arc::from(&bytes[..]))
}

/// A `<form>` that posts to `action`'s server function: through the wasm when it has loaded,
/// and as a plain form post before (or without) it.
#[component]
pub fn PostForm<S: 'static>(
    /// The form's state.
    action: FormAction<S>,
    /// Where to keep the `<form>` element (to reset it after a submission, say).
    #[prop(optional)]
    node_ref: Option<NodeRef<leptos::html::Form>>,
    /// The form's fields and buttons.
    children: Children,
) -> impl IntoView {
    form_view(action.state, node_ref, children)
}

fn form_view(
    state: FormState,
    node_ref: Option<NodeRef<leptos::html::Form>>,
    children: Children,
) -> impl IntoView {
    let form = leptos::html::form()
        .action(state.url)
        .method("post")
        .on(leptos::ev::submit, move |ev| {
            #[cfg(feature = "hydrate")]
            state.submit(ev);
            #[cfg(not(feature = "hydrate"))]
            let _ = (ev, state);
        })
        .child(children());
    match node_ref {
        Some(node_ref) => Either::Left(form.node_ref(node_ref)),
        None => Either::Right(form),
    }
}
