//! The one error type that reaches users. Internal details (database messages, stack traces) are
//! logged on the server with ids only and replaced here by a clear sentence.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::PostcardEncoding;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The input was refused; the message says which field and why.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        message: String,
    },
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("you do not have access to this")]
    Forbidden,
    #[error("please sign in")]
    Unauthenticated,
    #[error("{0}")]
    TooManyRequests(String),
    #[error("the registry is temporarily unavailable; please try again")]
    Unavailable,
    #[error("something went wrong on the server; the problem has been logged")]
    Internal,
    /// The request never reached the function (network, encoding).
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// The HTTP status this error is sent with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 400,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::Forbidden => 403,
            AppError::Unauthenticated => 401,
            AppError::TooManyRequests(_) => 429,
            AppError::Unavailable => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// Reads an error from a server function's error response body, which is in the
    /// [`Wire`](crate::api::Wire) encoding; `None` when the body is not one.
    pub fn from_wire(body: &[u8]) -> Option<Self> {
        use leptos::server_fn::Decodes;
        <PostcardEncoding as Decodes<AppError>>::decode(body.to_vec().into()).ok()
    }
}

impl FromServerFnError for AppError {
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::Invalid {
                field: None,
                message: format!("the request was malformed: {m}"),
            },
            other => AppError::Transport(other.to_string()),
        }
    }
}
