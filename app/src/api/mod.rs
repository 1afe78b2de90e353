//! Thin server functions: authorize, call the store and the domain, map errors.
//!
//! A server function returns `Result<T, AppError>`. The server sets the HTTP status of an error
//! response from `AppError::status` (see the server's `server_fn_status` middleware), so a refused
//! input is a 4xx and never a 500.

pub mod admin;
pub mod auth;
pub mod caseload;
pub mod chart;
pub mod enroll;
pub mod form;
pub mod import;
mod loaded;
pub mod patients;
pub mod records;
pub mod reports;
pub mod review;
pub mod self_report;
pub mod summary;

/// The URL prefix of every server function.
pub const SERVER_FN_PREFIX: &str = "/api/fn";

/// How a server function's result (and its [`AppError`](crate::error::AppError)) travels to the
/// browser: postcard, a compact binary form of the same serde types. The arguments still travel
/// as a URL-encoded form, so a form posts the same with or without the wasm.
///
/// Postcard rather than JSON keeps the wasm small: a JSON decoder per result type matches field
/// names and skips unknown ones, where postcard reads the fields in order. The browser decodes
/// each type with one decoder, since resources rendered on the server use the same encoding
/// ([`load`], [`Loaded`]). Postcard has no field names, so the types sent this way must not skip
/// fields when serializing (`skip_serializing_if`), and an old page and a new server must come
/// from the same build (which hashed file names and the reload on a missing module see to).
/// Dates and times in these types are marked `#[serde(with = "crate::wire_dates")]`: numbers in
/// postcard, chrono's text in JSON.
pub type Wire = leptos::server_fn::codec::Postcard;

/// The `Content-Type` of a [`Wire`] body, a result or an error.
pub const WIRE_CONTENT_TYPE: &str =
    <leptos::server_fn::codec::PostcardEncoding as leptos::server_fn::ContentType>::CONTENT_TYPE;

pub use loaded::{load, Loaded};

/// Reads a value sent in the [`Wire`] encoding: a server function's result, or a resource's value.
/// Bytes that do not decode (from another build) are an internal error, not a stopped page.
pub fn from_wire<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, crate::error::AppError> {
    <codee::binary::PostcardCodec as codee::Decoder<T>>::decode(bytes)
        .map_err(|_| crate::error::AppError::Internal)
}

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::accounts::{ClientIp, CurrentUser};
    use crate::audit::{AuditEntry, AuditOutcome};
    use crate::error::AppError;
    use crate::policy::{authorize, Action, Denied, Principal};
    use crate::ports::{SharedAuth, SharedStore};
    use leptos::prelude::use_context;

    /// The sign-in service provided by the server.
    pub fn auth() -> Result<SharedAuth, AppError> {
        use_context::<SharedAuth>().ok_or_else(|| {
            tracing::error!("auth missing from the request context");
            AppError::Internal
        })
    }

    fn parts() -> Option<http::request::Parts> {
        use_context::<http::request::Parts>()
    }

    /// The signed-in user of this request, if any.
    pub fn current_user() -> Option<CurrentUser> {
        parts().and_then(|p| p.extensions.get::<CurrentUser>().cloned())
    }

    /// The client's address, for rate limits and the audit log.
    pub fn client_ip() -> Option<std::net::IpAddr> {
        parts().and_then(|p| p.extensions.get::<ClientIp>().and_then(|c| c.0))
    }

    /// Adds a `Set-Cookie` header to the response.
    pub fn set_cookie(value: &str) -> Result<(), AppError> {
        let opts = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        let value = http::HeaderValue::from_str(value).map_err(|_| AppError::Internal)?;
        opts.append_header(http::header::SET_COOKIE, value);
        Ok(())
    }

    /// The signed-in user allowed to do `action` in `clinic`, or the error to return. Every
    /// decision is audited: `entity` names what was asked for.
    pub async fn require(
        action: Action,
        clinic: Option<crate::model::ClinicId>,
        audit_action: &str,
        entity: Option<(&str, i64)>,
    ) -> Result<Principal, AppError> {
        let Some(current) = current_user() else {
            return Err(AppError::Unauthenticated);
        };
        let principal = current.principal();
        let decision = authorize(&principal, action, clinic);
        let outcome = if decision.is_ok() {
            AuditOutcome::Ok
        } else {
            AuditOutcome::Denied
        };
        let entry = AuditEntry::new(
            audit_action,
            Some(principal.user_id),
            entity,
            client_ip(),
            outcome,
        );
        store()?.append_audit(&entry).await?;
        match decision {
            Ok(()) => Ok(principal),
            Err(Denied::Role) => Err(AppError::Forbidden),
            Err(Denied::OtherClinic) => Err(AppError::NotFound("the record".to_owned())),
        }
    }

    /// The patient, after checking that the signed-in user may do `action` in the patient's
    /// clinic. An unknown patient and a patient of another clinic read the same: not found.
    pub async fn require_patient(
        action: Action,
        patient: crate::model::PatientId,
        audit_action: &str,
    ) -> Result<(Principal, crate::model::PatientRecord), AppError> {
        let record = store()?.patient_record(patient).await?;
        let clinic = record.as_ref().map(|r| r.patient.clinic_id);
        let principal = match clinic {
            Some(clinic) => {
                require(
                    action,
                    Some(clinic),
                    audit_action,
                    Some(("patient", patient.0)),
                )
                .await?
            }
            None => {
                // Audited as a refusal, and answered like a record of another clinic.
                require(action, None, audit_action, Some(("patient", patient.0))).await?;
                return Err(AppError::NotFound("the patient".to_owned()));
            }
        };
        let record = record.ok_or_else(|| AppError::NotFound("the patient".to_owned()))?;
        Ok((principal, record))
    }

    /// The episode's owner, after checking `action` in its clinic.
    pub async fn require_episode(
        action: Action,
        episode: crate::model::EpisodeId,
        audit_action: &str,
    ) -> Result<(Principal, crate::model::Owner), AppError> {
        let owner = store()?.episode_owner(episode).await?;
        let clinic = owner.map(|o| o.clinic_id);
        let principal = require(action, clinic, audit_action, Some(("episode", episode.0))).await?;
        let owner = owner.ok_or_else(|| AppError::NotFound("the episode".to_owned()))?;
        Ok((principal, owner))
    }

    /// The clinics `principal` belongs to, by name, and the one with id `clinic` among them.
    pub async fn member_clinics(
        principal: &Principal,
        clinic: crate::model::ClinicId,
    ) -> Result<(Vec<crate::model::Clinic>, crate::model::Clinic), AppError> {
        let clinics: Vec<crate::model::Clinic> = store()?
            .list_clinics()
            .await?
            .into_iter()
            .filter(|c| principal.clinics.contains(&c.id))
            .collect();
        let this = clinics
            .iter()
            .find(|c| c.id == clinic)
            .cloned()
            .ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
        Ok((clinics, this))
    }

    /// A live score and its owner, after checking `action` in its clinic.
    pub async fn require_measurement(
        action: Action,
        measurement: crate::model::MeasurementId,
        audit_action: &str,
    ) -> Result<(Principal, crate::model::Measurement, crate::model::Owner), AppError> {
        let found = store()?.get_measurement(measurement).await?;
        let clinic = found.as_ref().map(|(_, o)| o.clinic_id);
        let principal = require(
            action,
            clinic,
            audit_action,
            Some(("measurement", measurement.0)),
        )
        .await?;
        let (m, owner) = found.ok_or_else(|| AppError::NotFound("the score".to_owned()))?;
        Ok((principal, m, owner))
    }

    /// Appends a `failed` audit entry when a permitted write did not happen, and passes the
    /// result on.
    pub async fn audited<T>(
        principal: &Principal,
        audit_action: &str,
        entity: (&str, i64),
        result: Result<T, AppError>,
    ) -> Result<T, AppError> {
        if result.is_err() {
            let entry = AuditEntry::new(
                audit_action,
                Some(principal.user_id),
                Some(entity),
                client_ip(),
                AuditOutcome::Failed,
            );
            store()?.append_audit(&entry).await?;
        }
        result
    }

    /// The store provided by the server for this request.
    pub fn store() -> Result<SharedStore, AppError> {
        use_context::<SharedStore>().ok_or_else(|| {
            tracing::error!("store missing from the request context");
            AppError::Internal
        })
    }
}
