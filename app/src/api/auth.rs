//! Sign-in, sign-out and "who am I" server functions.

use leptos::prelude::*;

use crate::accounts::UserSummary;
use crate::error::AppError;

/// Signs in with email and password, sets the session cookie and goes to the user's start page:
/// the patient list, or the user list for an administrator.
#[server(SignIn, "/api/fn", output = crate::api::Wire)]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let auth = super::context::auth()?;
    let ip = super::context::client_ip();
    let (cookie, role) = auth.sign_in(&email, &password, ip).await?;
    super::context::set_cookie(&cookie)?;
    leptos_axum::redirect(match role {
        crate::policy::Role::Admin => "/admin/users",
        crate::policy::Role::PsychiatricConsultant => "/upcoming",
        crate::policy::Role::ClinicLead => "/reports",
        crate::policy::Role::CareManager => "/",
    });
    Ok(())
}

/// Ends the session server-side, clears the cookie and goes to the sign-in page.
#[server(SignOut, "/api/fn", output = crate::api::Wire)]
pub async fn sign_out() -> Result<(), AppError> {
    let auth = super::context::auth()?;
    if let Some(current) = super::context::current_user() {
        let cookie = auth.sign_out(&current, super::context::client_ip()).await?;
        super::context::set_cookie(&cookie)?;
    }
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(WhoAmI, "/api/fn", output = crate::api::Wire)]
pub async fn who_am_i() -> Result<Option<UserSummary>, AppError> {
    Ok(super::context::current_user().map(|c| UserSummary {
        display_name: c.user.display_name,
        role: c.user.role,
    }))
}

/// Whether any account exists yet; the sign-in page explains first-run set-up when none does.
#[server(HasUsers, "/api/fn", output = crate::api::Wire)]
pub async fn has_users() -> Result<bool, AppError> {
    let store = super::context::store()?;
    Ok(store.count_users().await? > 0)
}
