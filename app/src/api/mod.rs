//! Thin server functions: authorize, call the store and the domain, map errors.

pub mod patients;

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

    /// Sets the HTTP status of the response to match an error, then returns the error.
    pub fn fail(err: impl Into<AppError>) -> AppError {
        let err = err.into();
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = http::StatusCode::from_u16(err.status()) {
                opts.set_status(code);
            }
        }
        err
    }

}
