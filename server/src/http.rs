//! HTTP plumbing around the Leptos app: the health check, same-origin protection for
//! state-changing requests, security headers and request logging without PHI.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use app::error::AppError;

use crate::AppState;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub version: &'static str,
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = state.store.backend().name();
    let version = env!("CARGO_PKG_VERSION");
    match state.store.ping().await {
        Ok(()) => Json(Health {
            status: "ok",
            database,
            version,
        })
        .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                    version,
                }),
            )
                .into_response()
        }
    }
}

/// Whether this instance should get traffic: cleared when shutdown begins, so a load balancer
/// polling `/readyz` stops sending new requests while in-flight ones finish.
#[derive(Clone, Debug)]
pub struct Readiness(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Default for Readiness {
    fn default() -> Self {
        Readiness(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
            true,
        )))
    }
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Marks the instance as draining; `/readyz` answers 503 from now on.
    pub fn drain(&self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// How long `/readyz` waits for the database before calling it unavailable.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Debug, Serialize)]
pub struct Ready {
    pub status: &'static str,
    pub database: &'static str,
    /// Why the instance is not ready, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// `GET /readyz`: 200 when this instance should take traffic: its schema is migrated (it would
/// not have started otherwise), the database answers within two seconds and it is not shutting
/// down. 503 with the reason otherwise. `/healthz` stays the liveness check.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.store.backend().name();
    let reason = if !state.ready.is_ready() {
        Some("shutting down")
    } else {
        match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
            Ok(Ok(())) => None,
            Ok(Err(err)) => {
                tracing::error!(error = %err, "readiness check failed");
                Some("database unavailable")
            }
            Err(_) => {
                tracing::error!("readiness check timed out");
                Some("database did not answer in time")
            }
        }
    };
    let status = if reason.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let body = Ready {
        status: if reason.is_some() {
            "unavailable"
        } else {
            "ready"
        },
        database,
        reason,
    };
    (status, Json(body)).into_response()
}

/// Refuses cross-site state-changing requests. Leptos server functions do no origin checking of
/// their own, so any POST/PUT/PATCH/DELETE must come from this site: `Sec-Fetch-Site` must be
/// `same-origin` or `none` when the browser sends it (and then decides), and otherwise `Origin`,
/// when present, must match `Host`. A browser that sends `Sec-Fetch-Site` may send `Origin: null`
/// for a plain form post from a page with `Referrer-Policy: no-referrer` (a self-report link's
/// pages), so the origin is only consulted when the fetch metadata is missing.
pub async fn same_origin_writes(req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return forbidden();
        }
        return next.run(req).await;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, h)| h.trim_end_matches('/'));
        if origin_host.is_none() || origin_host != host {
            return forbidden();
        }
    }
    next.run(req).await
}

/// Whether a file's name carries its content's hash, as a release build names the bundle's files
/// (`tandem.<hash>.wasm`, `split_chart_area_3.<hash>.wasm`): 22 characters of unpadded base64url
/// before the extension. An unhashed split build's loader keeps a placeholder of underscores there.
fn content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let (Some(_extension), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && hash.bytes().any(|b| b != b'_')
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "Cross-site requests are not accepted. Reload Tandem and try again.",
    )
        .into_response()
}

/// Headers every response carries. Everything except the static bundle is `no-store`, so pages
/// and data holding PHI are never kept by the browser or a proxy (the back button after sign-out
/// shows nothing). A bundle file named by its content's hash never changes, so it may be kept for
/// a year without asking again; a missing one is not kept, as it may exist a moment later (one
/// instance of several still serving the previous build).
pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    let bundle = path.starts_with("/pkg/") || path == "/favicon.ico";
    let hashed = path.starts_with("/pkg/") && content_hashed(path);
    let referrer_policy = referrer_policy(path);
    let mut res = next.run(req).await;
    let found = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let h = res.headers_mut();
    if hashed && found {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    } else if !bundle || !found {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Pages set their own policy with a script nonce; everything else may run nothing.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(referrer_policy),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    res
}

/// What a page tells the browser to send as `Referer`. Tandem's own pages send it to Tandem only
/// (`same-origin`), never to another site: a form posted before the wasm has taken over the page
/// then returns to that page instead of the home page, because a server function answers a plain
/// form post with a redirect to its `Referer`. A self-report link's pages send nothing at all,
/// because their path holds the link's secret.
fn referrer_policy(path: &str) -> &'static str {
    if path.starts_with("/r/") {
        "no-referrer"
    } else {
        "same-origin"
    }
}

/// The path as logged: a self-report link's token (a secret that opens a patient's questionnaire)
/// is replaced by `…`.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/r/") {
        Some(rest) => match rest.split_once('/') {
            Some((_, tail)) => format!("/r/…/{tail}"),
            None => "/r/…".to_owned(),
        },
        None => path.to_owned(),
    }
}

/// Logs method, path (never the query string, which may hold search terms, nor a self-report
/// token), status and time.
pub async fn log_requests(req: Request<Body>, next: Next) -> Response {
    let method = req.method().clone();
    let path = loggable_path(req.uri().path());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::info!(
        %method,
        path = %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    res
}

/// Gives server-function errors their proper status. Leptos answers every server-function error
/// with 500; the body is an [`AppError`] (in the [`app::api::Wire`] encoding), whose own status
/// (400, 404, 409, …) is applied here.
pub async fn server_fn_status(req: Request<Body>, next: Next) -> Response {
    if !req.uri().path().starts_with(app::api::SERVER_FN_PREFIX) {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    // An error the function returned is in the wire encoding; anything else keeps its 500.
    let wire = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == app::api::WIRE_CONTENT_TYPE.as_bytes());
    if !wire {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
    };
    if let Some(err) = AppError::from_wire(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Gives the API's and FHIR's error answers made outside their handlers (413 from the body limit,
/// 403 from the same-origin check, 400 for a malformed path or query, 405) the body those clients
/// read: `{"error":…}` for `/api/v1`, an OperationOutcome for `/fhir/r4`.
pub async fn api_error_bodies(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    let fhir = path == "/fhir/r4" || path.starts_with("/fhir/r4/");
    let api = path == "/api/v1" || path.starts_with("/api/v1/");
    let res = next.run(req).await;
    if !(fhir || api) || !(res.status().is_client_error() || res.status().is_server_error()) {
        return res;
    }
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if json {
        return res;
    }
    let status = res.status();
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let mut err = crate::api_v1::ApiError::for_status(status);
    // Plain-text rejections (a bad path or query) say what was wrong; keep their words.
    if status == StatusCode::BAD_REQUEST && !text.is_empty() && text.len() < 500 {
        err.message = text;
    }
    let mut out = if fhir {
        crate::fhir::FhirError::from(err).into_response()
    } else {
        err.into_response()
    };
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{content_hashed, loggable_path};

    #[test]
    fn only_names_carrying_a_content_hash_count_as_hashed() {
        let hash = "AbCdEfGhIjKlMnOpQrSt-_";
        for name in [
            format!("/pkg/tandem.{hash}.wasm"),
            format!("/pkg/split_chart_area_3.{hash}.wasm"),
            format!("/pkg/__wasm_split.{hash}.js"),
            format!("/pkg/tandem.min.{hash}.css"),
        ] {
            assert!(content_hashed(&name), "{name}");
        }
        for name in [
            "/pkg/tandem.wasm",
            "/pkg/tandem.css",
            "/pkg/__wasm_split.______________________.js",
            "/pkg/tandem.AbCdEfGhIjKlMnOpQrSt.wasm",
            "/pkg/tandem.AbCdEfGhIjKlMnOpQrSt-_x.wasm",
            "/pkg/AbCdEfGhIjKlMnOpQrSt-_.wasm",
            "/pkg/a.AbCdEfGhIjKlMnOp%2FQrS.wasm",
            "/pkg/",
        ] {
            assert!(!content_hashed(name), "{name}");
        }
    }

    #[test]
    fn self_report_tokens_never_reach_the_log() {
        let token = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(loggable_path(&format!("/r/{token}")), "/r/…");
        assert_eq!(loggable_path(&format!("/r/{token}/q/3")), "/r/…/q/3");
        assert_eq!(loggable_path("/patients/3"), "/patients/3");
    }
}
