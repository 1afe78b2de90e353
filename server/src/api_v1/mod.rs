//! The JSON API, version 1, under `/api/v1`: scripts and interfaces act with an API token (bearer)
//! as the token's user. Every endpoint runs the same server function as the screens, so the
//! validation, the access rules and the audit log are the ones the screens have.
//!
//! Statuses: 400 for a body that is not JSON of the documented shape, 401 without a valid token,
//! 403 when the role does not allow the action, 404 for an unknown record or one of another
//! clinic, 409 for a conflict (a taken MRN, an open episode, a stale version), 422 for a value
//! that is refused (a future date, an answer out of range). Errors take the form
//! `{"error":{"code":"…","message":"…","field":"…"}}`.

mod files;
pub(crate) mod handlers;
pub mod openapi;

use std::future::Future;

use app::accounts::CurrentUser;
use app::error::AppError;
use app::ports::SharedStore;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::AppState;

/// The largest JSON body an endpoint reads.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The API's routes, to be nested under `/api/v1`.
pub fn router() -> Router<AppState> {
    use handlers as h;
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/clinics", get(h::list_clinics).post(h::create_clinic))
        .route("/clinics/{id}/review-list", get(h::review_list))
        .route("/clinics/{id}/billing", get(h::billing))
        .route("/clinics/{id}/import", post(files::api_import))
        .route("/clinics/{id}/export/{kind}", get(files::api_export))
        .route("/patients", post(h::create_patient))
        .route("/patients/{id}", get(h::get_patient))
        .route("/patients/{id}/measurements", post(h::add_measurement))
        .route("/patients/{id}/contacts", post(h::add_contact))
        .route("/patients/{id}/events", post(h::add_event))
        .route(
            "/patients/{id}/treatment-changes",
            post(h::add_treatment_change),
        )
        .route("/patients/{id}/discuss", post(h::discuss))
        .route("/patients/{id}/reviews", post(h::add_review))
        .route("/patients/{id}/status", post(h::change_status))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such endpoint.")
        })
}

/// An error as the API sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: bad_request, unauthenticated, forbidden, not_found, conflict, invalid,
    /// payload_too_large, too_many_requests, unavailable, internal.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The input field the error is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Send a valid API token as `Authorization: Bearer <token>`.",
        )
    }

    /// The code and default message for a status, for errors made outside the API's handlers.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "The request is malformed."),
            401 => return ApiError::unauthenticated(),
            403 => ("forbidden", "This request is not allowed."),
            404 => ("not_found", "Not found."),
            405 => ("method_not_allowed", "This method is not allowed here."),
            413 => ("payload_too_large", "The request body is too large."),
            429 => (
                "too_many_requests",
                "Too many requests; wait and try again.",
            ),
            503 => ("unavailable", "The registry is temporarily unavailable."),
            _ => ("internal", "Something went wrong on the server."),
        };
        ApiError::new(status, code, message)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let message = e.to_string();
        let (status, code) = match &e {
            AppError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::Unauthenticated => return ApiError::unauthenticated(),
            AppError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Internal | AppError::Transport(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let field = match e {
            AppError::Invalid { field, .. } => field,
            _ => None,
        };
        ApiError {
            status,
            code,
            message: capitalized(&message),
            field,
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: ErrorDetail {
                    code: self.code.to_owned(),
                    message: self.message,
                    field: self.field,
                },
            }),
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The caller: the token's user, with the request as the server functions read it.
pub struct Caller {
    pub user: CurrentUser,
    parts: Parts,
    store: SharedStore,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Caller {
            user,
            parts: parts.clone(),
            store: state.store.clone(),
        })
    }
}

impl Caller {
    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// The patient's current (newest) episode, for the endpoints that record in it. Access is
    /// checked by the server function that then records: a patient of another clinic reads as
    /// not found there, as an unknown patient does here.
    pub async fn current_episode(
        &self,
        patient: i64,
    ) -> Result<app::model::EpisodeRecord, AppError> {
        self.store
            .episode_records(app::model::PatientId(patient))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound("the patient".to_owned()))
    }

    /// Runs a server function (or any code that reads the request context) as this caller.
    pub async fn run<T, F, Fut>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>> + Send + 'static,
        T: Send + 'static,
    {
        let owner = Owner::new();
        let parts = self.parts.clone();
        let store = self.store.clone();
        let fut = owner.with(|| {
            provide_context(parts);
            provide_context(store);
            provide_context(leptos_axum::ResponseOptions::default());
            ScopedFuture::new(f())
        });
        fut.await
    }
}

/// A JSON body of type `T`. A body that is not JSON, or not of the documented shape, is a 400
/// naming the field; one over [`MAX_BODY_BYTES`] is a 413.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
                )
            })?;
        parse_json(&bytes).map(Body)
    }
}

/// Parses a JSON body, naming the field of a type error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The request needs a JSON body.",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut path = e.path().to_string();
        let inner = e.into_inner();
        let text = inner.to_string();
        // A missing field is reported at its parent; name the field itself.
        {
            if let Some(rest) = text.strip_prefix("missing field `") {
                let name = rest.split('`').next().unwrap_or_default();
                path = if path.is_empty() || path == "." {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                };
            }
        }
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("The body is not valid JSON: {inner}.")
        } else {
            format!("The body does not have the expected shape: {inner}.")
        };
        let err = ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message);
        if path.is_empty() || path == "." {
            err
        } else {
            err.with_field(path)
        }
    })
}

/// A 201 with a JSON body.
pub fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}
