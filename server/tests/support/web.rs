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

/// A GET with a session cookie.
pub fn get_with(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
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
