//! The OpenAPI 3.1 document of the JSON API, generated from the handlers and their types, served
//! at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{files, handlers};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tandem JSON API",
        description = "The collaborative-care registry's API for scripts and interfaces. Every \
            request carries an API token (`Authorization: Bearer <token>`, made with `tandem token \
            create`) and acts with its user's role and clinics. Errors are \
            `{\"error\":{\"code\",\"message\",\"field\"}}`: 400 malformed body, 401 no valid \
            token, 403 role, 404 unknown or another clinic's record, 409 conflict, 422 refused \
            value.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        handlers::list_clinics,
        handlers::create_clinic,
        handlers::review_list,
        handlers::billing,
        files::api_import,
        files::api_export,
        handlers::create_patient,
        handlers::get_patient,
        handlers::add_measurement,
        handlers::add_contact,
        handlers::add_event,
        handlers::add_treatment_change,
        handlers::discuss,
        handlers::add_review,
        handlers::change_status,
    ),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    tags(
        (name = "clinics", description = "Clinics, their review list and billing"),
        (name = "patients", description = "Enrollment and the patient's current state"),
        (name = "care", description = "Recording care in the patient's current episode"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `tandem token create`."))
                    .build(),
            ),
        );
    }
}

/// `GET /api/v1/openapi.json` (no token needed).
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
