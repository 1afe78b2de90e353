//! Administration: users, clinics, clinic settings and the audit log. Every function requires
//! the administrator role and is audited.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::User;
use crate::audit::AuditRecord;
use crate::error::AppError;
use crate::model::Clinic;
use crate::settings::ClinicSettings;

/// Users and clinics, for the administration screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub users: Vec<User>,
    pub clinics: Vec<Clinic>,
}

#[cfg(feature = "ssr")]
mod guard {
    use crate::error::AppError;
    use crate::policy::Action;

    /// Requires an administrator and audits the request under `action`.
    pub async fn admin(
        action: Action,
        audit_action: &str,
        entity: Option<(&str, i64)>,
    ) -> Result<(), AppError> {
        crate::api::context::require(action, None, audit_action, entity)
            .await
            .map(|_| ())
    }

    pub fn clinic_ids(ids: Option<Vec<i64>>) -> Vec<crate::model::ClinicId> {
        ids.unwrap_or_default()
            .into_iter()
            .map(crate::model::ClinicId)
            .collect()
    }

    pub fn role(code: &str) -> Result<crate::policy::Role, AppError> {
        crate::policy::Role::from_code(code.trim())
            .ok_or_else(|| AppError::invalid("role", "choose a role"))
    }
}

#[server(ListDirectory, "/api/fn", output = crate::api::Wire)]
pub async fn list_directory() -> Result<Directory, AppError> {
    guard::admin(crate::policy::Action::ManageUsers, "user.list", None).await?;
    let store = super::context::store()?;
    Ok(Directory {
        users: store.list_users().await?,
        clinics: store.list_clinics().await?,
    })
}

#[server(CreateUser, "/api/fn", output = crate::api::Wire)]
pub async fn create_user(
    email: String,
    name: String,
    role: String,
    clinics: Option<Vec<i64>>,
    password: String,
) -> Result<User, AppError> {
    use crate::accounts::{display_name, Email, NewUser};
    guard::admin(crate::policy::Action::ManageUsers, "user.create", None).await?;
    let email = Email::parse(&email).map_err(|e| AppError::invalid("email", e.to_string()))?;
    let display_name = display_name(&name).map_err(|e| AppError::invalid("name", e.to_string()))?;
    let role = guard::role(&role)?;
    let clinics = guard::clinic_ids(clinics);
    if role != crate::policy::Role::Admin && clinics.is_empty() {
        return Err(AppError::invalid("clinics", "choose at least one clinic"));
    }
    let password_hash = super::context::auth()?.hash_new_password(&password).await?;
    let user = super::context::store()?
        .create_user(&NewUser {
            email,
            display_name,
            role,
            clinics,
            password_hash,
        })
        .await?;
    Ok(user)
}

#[server(UpdateUser, "/api/fn", output = crate::api::Wire)]
pub async fn update_user(
    id: i64,
    name: String,
    role: String,
    clinics: Option<Vec<i64>>,
) -> Result<User, AppError> {
    guard::admin(
        crate::policy::Action::ManageUsers,
        "user.update",
        Some(("user", id)),
    )
    .await?;
    let display_name = crate::accounts::display_name(&name)
        .map_err(|e| AppError::invalid("name", e.to_string()))?;
    let role = guard::role(&role)?;
    let clinics = guard::clinic_ids(clinics);
    if role != crate::policy::Role::Admin && clinics.is_empty() {
        return Err(AppError::invalid("clinics", "choose at least one clinic"));
    }
    let store = super::context::store()?;
    let user = store.update_user(id, &display_name, role, &clinics).await?;
    // A changed role or clinic list takes effect at once: the user signs in again.
    store.delete_user_sessions(id).await?;
    Ok(user)
}

#[server(SetUserActive, "/api/fn", output = crate::api::Wire)]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    let action = if active {
        "user.reactivate"
    } else {
        "user.deactivate"
    };
    guard::admin(
        crate::policy::Action::ManageUsers,
        action,
        Some(("user", id)),
    )
    .await?;
    if !active && super::context::current_user().is_some_and(|c| c.user.id == id) {
        return Err(AppError::Conflict(
            "you cannot deactivate your own account".to_owned(),
        ));
    }
    let store = super::context::store()?;
    store.set_user_active(id, active).await?;
    if !active {
        store.delete_user_sessions(id).await?;
    }
    Ok(())
}

#[server(ResetPassword, "/api/fn", output = crate::api::Wire)]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    guard::admin(
        crate::policy::Action::ManageUsers,
        "user.set_password",
        Some(("user", id)),
    )
    .await?;
    let hash = super::context::auth()?.hash_new_password(&password).await?;
    let store = super::context::store()?;
    store.set_password_hash(id, &hash).await?;
    store.delete_user_sessions(id).await?;
    Ok(())
}

/// Every API token (never the tokens themselves), newest first.
#[server(ListApiTokens, "/api/fn", output = crate::api::Wire)]
pub async fn list_api_tokens() -> Result<Vec<crate::accounts::ApiToken>, AppError> {
    guard::admin(crate::policy::Action::ManageUsers, "api_token.list", None).await?;
    Ok(super::context::store()?.list_api_tokens().await?)
}

/// Revokes an API token: it stops working at once.
#[server(RevokeApiToken, "/api/fn", output = crate::api::Wire)]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    guard::admin(
        crate::policy::Action::ManageUsers,
        "api_token.revoke",
        Some(("api_token", id)),
    )
    .await?;
    super::context::store()?
        .revoke_api_token(id, chrono::Utc::now())
        .await?;
    Ok(())
}

#[server(CreateClinic, "/api/fn", output = crate::api::Wire)]
pub async fn create_clinic(name: String) -> Result<Clinic, AppError> {
    guard::admin(crate::policy::Action::ManageClinics, "clinic.create", None).await?;
    Ok(super::context::store()?.create_clinic(&name).await?)
}

#[server(RenameClinic, "/api/fn", output = crate::api::Wire)]
pub async fn rename_clinic(id: i64, name: String) -> Result<Clinic, AppError> {
    guard::admin(
        crate::policy::Action::ManageClinics,
        "clinic.update",
        Some(("clinic", id)),
    )
    .await?;
    Ok(super::context::store()?
        .rename_clinic(crate::model::ClinicId(id), &name)
        .await?)
}

#[server(GetClinicSettings, "/api/fn", output = crate::api::Wire)]
pub async fn get_clinic_settings(id: i64) -> Result<(Clinic, ClinicSettings), AppError> {
    guard::admin(
        crate::policy::Action::ManageClinics,
        "clinic_settings.view",
        Some(("clinic", id)),
    )
    .await?;
    let store = super::context::store()?;
    let clinic = store
        .get_clinic(crate::model::ClinicId(id))
        .await?
        .ok_or_else(|| AppError::NotFound("the clinic".to_owned()))?;
    let settings = store.clinic_settings(clinic.id).await?;
    Ok((clinic, settings))
}

/// Saves a clinic's settings. Every field is checked; all problems come back at once, each
/// naming its field, and nothing is saved unless all pass.
#[server(SaveClinicSettings, "/api/fn", output = crate::api::Wire)]
pub async fn save_clinic_settings(id: i64, settings: ClinicSettings) -> Result<(), AppError> {
    guard::admin(
        crate::policy::Action::ManageClinics,
        "clinic_settings.update",
        Some(("clinic", id)),
    )
    .await?;
    if let Err(errors) = settings.validate() {
        let message = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(AppError::Invalid {
            field: errors.first().map(|e| e.field.clone()),
            message,
        });
    }
    let store = super::context::store()?;
    store
        .save_clinic_settings(crate::model::ClinicId(id), &settings)
        .await?;
    Ok(())
}

/// The audit log, newest first, filtered by user, patient and dates (inclusive).
#[server(SearchAudit, "/api/fn", output = crate::api::Wire)]
pub async fn search_audit(
    user_id: Option<i64>,
    patient_id: Option<i64>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<AuditRecord>, AppError> {
    guard::admin(crate::policy::Action::ViewAudit, "audit.view", None).await?;
    let query = crate::audit::AuditQuery {
        user_id,
        entity_type: patient_id.map(|_| "patient".to_owned()),
        entity_id: patient_id,
        from,
        to,
        limit: 500,
    };
    Ok(super::context::store()?.list_audit(&query).await?)
}
