//! Thin server functions: authorize, call the store and the domain, map errors.
//!
//! A server function returns `Result<T, AppError>`. The server sets the HTTP status of an error
//! response from `AppError::status` (see the server's `server_fn_status` middleware), so a refused
//! input is a 4xx and never a 500.

pub mod patients;

/// The URL prefix of every server function.
pub const SERVER_FN_PREFIX: &str = "/api/fn";

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::error::AppError;
    use crate::ports::SharedStore;
    use leptos::prelude::use_context;

    /// The store provided by the server for this request.
    pub fn store() -> Result<SharedStore, AppError> {
        use_context::<SharedStore>().ok_or_else(|| {
            tracing::error!("store missing from the request context");
            AppError::Internal
        })
    }
}
