//! Driving the router without a socket: requests as a browser sends them, and signing in.

use app::ports::SharedStore;
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use tower::ServiceExt;

/// The application on `store`, with default session settings.
pub fn app_for(store: SharedStore) -> Router {
    app_with(store, tandem_server::session::SessionConfig::default())
}

pub fn app_with(store: SharedStore, sessions: tandem_server::session::SessionConfig) -> Router {
    tandem_server::router_with(
        store,
        tandem_server::leptos_options(
            std::path::Path::new("target/site"),
            "127.0.0.1:3000".parse().expect("addr"),
        ),
        sessions,
    )
}

/// A same-origin form POST, as a page of the app sends it, optionally with a session cookie.
pub fn form_post(path: &str, body: impl Into<Body>, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(body.into()).expect("request")
}

/// Calls a server function as a page does and decodes its result, which travels in the wire
/// encoding (`app::api::Wire`). Panics unless the call succeeded.
pub async fn call<T: serde::de::DeserializeOwned>(
    app: &Router,
    path: &str,
    body: impl Into<Body>,
    cookie: &str,
) -> T {
    use leptos::server_fn::{codec::PostcardEncoding, Decodes};
    let res = app
        .clone()
        .oneshot(form_post(path, body, Some(cookie)))
        .await
        .expect("response");
    let status = res.status();
    let content_type = res.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some(app::api::WIRE_CONTENT_TYPE),
        "{path}"
    );
    <PostcardEncoding as Decodes<T>>::decode(bytes).expect("a result in the wire encoding")
}

/// A GET with a session cookie.
pub fn get_with(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

/// The body of a server function's reply as text: an error (in the wire encoding) as its
/// `AppError` in debug form, such as `Invalid { field: Some("mrn"), message: "…" }`, and
/// anything else as the body's text.
pub async fn reply_text(res: axum::response::Response) -> String {
    let failed = !res.status().is_success();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    match failed
        .then(|| app::error::AppError::from_wire(&bytes))
        .flatten()
    {
        Some(err) => format!("{err:?}"),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub async fn body_text(res: axum::response::Response) -> String {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Signs in through the server function and returns the `name=value` session cookie.
pub async fn sign_in_cookie(app: &Router, email: &str, password: &str) -> String {
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let res = app
        .clone()
        .oneshot(form_post(app::api::auth::SignIn::PATH, body, None))
        .await
        .expect("sign in");
    res.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned()
}
