//! API tokens: random bearer tokens for the JSON API (`/api/v1`) and FHIR (`/fhir/r4`), shown once
//! and stored as SHA-256 hashes. A token acts with its user's role and clinics; it stops working
//! when revoked or when the user is deactivated. Every use is audited.

use std::net::IpAddr;

use app::accounts::{ApiToken, CurrentUser, Email, NewApiToken};
use app::audit::{AuditEntry, AuditOutcome};
use app::error::AppError;
use app::ports::Store;

pub use app::accounts::hash_token;

/// Every token starts with this, so that a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "tandem_";

/// How many characters of a token (after [`TOKEN_PREFIX`]) are kept to tell tokens apart.
const SHOWN_CHARS: usize = 8;

/// Paths that accept a bearer token and ignore the session cookie.
pub fn is_api_path(path: &str) -> bool {
    ["/api/v1", "/fhir/r4"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// A new random token (256 bits) and what the store keeps of it: its hash and its prefix.
pub fn new_token() -> Result<(String, String, String), AppError> {
    let token = format!(
        "{TOKEN_PREFIX}{}",
        app::accounts::random_hex(32, "an API token")?
    );
    let prefix = token[TOKEN_PREFIX.len()..TOKEN_PREFIX.len() + SHOWN_CHARS].to_owned();
    Ok((hash_token(&token), prefix, token))
}

/// Makes a token for the user with `email`; returns it with the token text, which is not stored.
pub async fn create(
    store: &dyn Store,
    email: &str,
    name: &str,
) -> Result<(ApiToken, String), AppError> {
    let email = Email::parse(email).map_err(|e| AppError::invalid("user", e.to_string()))?;
    let name =
        app::accounts::token_name(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
    let (user, _) = store
        .find_user_by_email(&email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("a user with email {}", email.as_str())))?;
    if !user.active {
        return Err(AppError::invalid(
            "user",
            "the user is deactivated; a token would not work",
        ));
    }
    let (token_hash, prefix, token) = new_token()?;
    let stored = store
        .create_api_token(&NewApiToken {
            user_id: user.id,
            name,
            token_hash,
            prefix,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok((stored, token))
}

/// The bearer token of an `Authorization` header value, if it is one.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The user a bearer token acts for, when the token is known, not revoked and its user active.
/// Each use is audited (`api_token.use`), failures included; the token itself is never logged.
pub async fn bearer_user(
    store: &dyn Store,
    token: &str,
    ip: Option<IpAddr>,
) -> Option<CurrentUser> {
    let found = match store.api_token_by_hash(&hash_token(token)).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            return None;
        }
    };
    let usable = found
        .as_ref()
        .is_some_and(|(t, user)| !t.is_revoked() && user.active);
    let entry = AuditEntry::new(
        "api_token.use",
        found.as_ref().filter(|_| usable).map(|(_, u)| u.id),
        found.as_ref().map(|(t, _)| ("api_token", t.id)),
        ip,
        if usable {
            AuditOutcome::Ok
        } else {
            AuditOutcome::Failed
        },
    );
    if let Err(e) = store.append_audit(&entry).await {
        // No request goes through unaudited.
        tracing::error!(error = %e, "could not audit a token use");
        return None;
    }
    let (token, user) = found.filter(|_| usable)?;
    let now = chrono::Utc::now();
    if token
        .last_used_at
        .is_none_or(|at| now - at >= chrono::Duration::minutes(1))
    {
        if let Err(e) = store.touch_api_token(token.id, now).await {
            tracing::warn!(error = %e, "could not record token use");
        }
    }
    Some(CurrentUser {
        user,
        session_hash: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_recognisable() {
        let (hash, prefix, token) = new_token().expect("token");
        assert!(token.starts_with(TOKEN_PREFIX));
        assert_eq!(token.len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(hash, hash_token(&token));
        assert_eq!(prefix.len(), 8);
        assert!(token[TOKEN_PREFIX.len()..].starts_with(&prefix));
        let (_, _, other) = new_token().expect("token");
        assert_ne!(token, other);
    }

    #[test]
    fn bearer_headers_are_read_case_insensitively() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn only_the_api_and_fhir_paths_take_tokens() {
        assert!(is_api_path("/api/v1/patients"));
        assert!(is_api_path("/fhir/r4/metadata"));
        assert!(is_api_path("/api/v1"));
        assert!(!is_api_path("/api/fn/GetChart"));
        assert!(!is_api_path("/api/v10"));
        assert!(!is_api_path("/caseload"));
    }
}
