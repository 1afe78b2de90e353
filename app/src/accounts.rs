//! Accounts: validated email, display name and password rules, and user records.

use serde::{Deserialize, Serialize};

use crate::model::ClinicId;
use crate::policy::Role;

/// The hex SHA-256 of a secret token (a session's, an API token, a self-report link's), which is
/// all the database keeps of it.
#[cfg(feature = "ssr")]
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `bytes` bytes from the system's randomness as hex; `what` names the secret in the log when
/// there is none.
#[cfg(feature = "ssr")]
pub fn random_hex(bytes: usize, what: &str) -> Result<String, crate::error::AppError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|_| {
        tracing::error!(what, "no randomness for a secret token");
        crate::error::AppError::Internal
    })?;
    Ok(hex::encode(buf))
}

/// Shortest password accepted (OWASP ASVS 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted; long enough for passphrases, short enough to bound hashing work.
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AccountError {
    #[error("email address is required")]
    EmailEmpty,
    #[error("enter an email address in the right format, like name@example.org")]
    EmailFormat,
    #[error("display name must be 1–100 characters")]
    DisplayName,
    #[error("a token name must be 1–100 characters")]
    TokenName,
    #[error("password must be at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("password must be at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error(
        "unknown role \"{0}\"; expected care_manager, psychiatric_consultant, clinic_lead or admin"
    )]
    UnknownRole(String),
}

/// An email address, trimmed and lower-cased. Used as the sign-in name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, AccountError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(AccountError::EmailEmpty);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(AccountError::EmailFormat);
        };
        let well_formed = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(AccountError::EmailFormat);
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = AccountError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// Checks a display name: 1–100 characters after trimming, no control characters.
pub fn display_name(raw: &str) -> Result<String, AccountError> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(AccountError::DisplayName);
    }
    Ok(s.to_owned())
}

/// Checks a new password against the length rules. Any characters are allowed, spaces included.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooLong);
    }
    Ok(())
}

/// A user as stored, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub clinics: Vec<ClinicId>,
}

/// Input for creating a user. `password_hash` is a PHC string made by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub clinics: Vec<ClinicId>,
    pub password_hash: String,
}

/// The signed-in user of a request, put in the request's extensions by the server's session
/// layer. `session_hash` identifies the session for sign-out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub user: User,
    pub session_hash: String,
}

impl CurrentUser {
    pub fn principal(&self) -> crate::policy::Principal {
        crate::policy::Principal {
            user_id: self.user.id,
            role: self.user.role,
            clinics: self.user.clinics.clone(),
        }
    }
}

/// What the header shows about the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub display_name: String,
    pub role: Role,
}

/// The client's IP address as the server saw it, for rate limits and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

/// A session to store. `id_hash` is the hex SHA-256 of the token in the cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A stored session with its (active or not) user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: User,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// An API token as the admin screen and the CLI list it. The token itself is shown once, when it
/// is made; the store keeps only its hash and its first characters (`prefix`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub name: String,
    pub prefix: String,
    #[serde(with = "crate::wire_dates")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, with = "crate::wire_dates")]
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default, with = "crate::wire_dates")]
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ApiToken {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// A token to store: `token_hash` is the hex SHA-256 of the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A token's label: 1–100 characters, no control characters.
pub fn token_name(raw: &str) -> Result<String, AccountError> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(AccountError::TokenName);
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Care.Manager@Clinic.Example ").map(String::from),
            Ok("care.manager@clinic.example".to_owned())
        );
    }

    #[test]
    fn an_email_without_a_domain_is_refused() {
        for bad in [
            "nobody",
            "a@b",
            "@clinic.example",
            "a@.example",
            "a b@clinic.example",
        ] {
            assert_eq!(Email::parse(bad), Err(AccountError::EmailFormat), "{bad}");
        }
        assert_eq!(Email::parse("  "), Err(AccountError::EmailEmpty));
    }

    #[test]
    fn a_password_needs_twelve_characters() {
        assert_eq!(
            check_password("elevenchars"),
            Err(AccountError::PasswordTooShort)
        );
        assert_eq!(check_password("twelve chars"), Ok(()));
        assert_eq!(
            check_password(&"x".repeat(129)),
            Err(AccountError::PasswordTooLong)
        );
    }

    #[test]
    fn a_blank_display_name_is_refused() {
        assert_eq!(display_name(" \t "), Err(AccountError::DisplayName));
        assert_eq!(
            display_name(" Dr Synthetic "),
            Ok("Dr Synthetic".to_owned())
        );
    }

    proptest! {
        #[test]
        fn any_parsed_email_is_lower_case_with_one_at(raw in "\\PC{0,60}") {
            if let Ok(e) = Email::parse(&raw) {
                prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
            }
        }
    }
}

/// A user who can be chosen as care manager or consultant of an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub name: String,
    pub role: crate::policy::Role,
}
