//! Sessions: random tokens in an `HttpOnly` cookie, stored server-side as SHA-256 hashes, with an
//! idle timeout (automatic logoff) and an absolute lifetime. Sign-in is rate-limited per account
//! and per client address, and every failure gets the same message.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::accounts::{ClientIp, CurrentUser, Email, NewSession};
use app::audit::{AuditEntry, AuditOutcome};
use app::error::AppError;
use app::ports::{Auth, SharedStore};
use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, Request};
use axum::middleware::Next;
use axum::response::Response;
use cookie::{Cookie, SameSite};

use crate::password;

pub const COOKIE: &str = "tandem_session";

/// Session settings, from flags and the environment.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Inactivity after which a session ends (automatic logoff).
    pub idle: chrono::Duration,
    /// Longest a session lasts, active or not.
    pub absolute: chrono::Duration,
    /// Mark the cookie `Secure` (serve over TLS, directly or behind a proxy).
    pub secure_cookie: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle: chrono::Duration::minutes(15),
            absolute: chrono::Duration::hours(12),
            secure_cookie: false,
        }
    }
}

use app::accounts::hash_token;

fn new_token() -> Result<String, AppError> {
    app::accounts::random_hex(32, "a session token")
}

/// Failed sign-ins are counted in the database (`SharedStateStore`), so that every instance
/// behind a load balancer sees the same count. Keys are hashed: the typed email address is never
/// stored.
const WINDOW_SECONDS: i64 = 15 * 60;

pub(crate) fn limit_key(kind: &str, value: &str) -> String {
    hash_token(&format!("{kind}:{value}"))
}

/// Failed sign-ins allowed per account, and per client address, in 15 minutes.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

const BAD_CREDENTIALS: &str = "The email address or password is incorrect.";
const TOO_MANY: &str = "Too many sign-in attempts. Wait 15 minutes and try again.";

/// The server's implementation of the sign-in port.
pub struct Sessions {
    store: SharedStore,
    config: SessionConfig,
}

impl Sessions {
    pub fn new(store: SharedStore, config: SessionConfig) -> Arc<Self> {
        Arc::new(Sessions { store, config })
    }

    fn cookie(&self, value: String, max_age: Option<chrono::Duration>) -> String {
        let mut c = Cookie::build((COOKIE, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.config.secure_cookie)
            .path("/");
        if let Some(age) = max_age {
            c = c.max_age(cookie::time::Duration::seconds(age.num_seconds()));
        }
        c.build().to_string()
    }

    async fn audit(&self, user_id: Option<i64>, action: &str, ip: Option<IpAddr>, ok: bool) {
        let outcome = if ok {
            AuditOutcome::Ok
        } else {
            AuditOutcome::Failed
        };
        let entry = AuditEntry::new(action, user_id, user_id.map(|id| ("user", id)), ip, outcome);
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!(error = %e, action, "could not write the audit entry");
        }
    }

    /// The signed-in user for a request's session token, ending sessions that have expired.
    pub async fn current_user(&self, token: &str) -> Option<CurrentUser> {
        let hash = hash_token(token);
        let record = match self.store.get_session(&hash).await {
            Ok(Some(r)) => r,
            Ok(None) => return None,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return None;
            }
        };
        let now = chrono::Utc::now();
        let expired = now >= record.expires_at || now - record.last_seen_at >= self.config.idle;
        if expired || !record.user.active {
            if let Err(e) = self.store.delete_session(&hash).await {
                tracing::error!(error = %e, "could not end an expired session");
            }
            return None;
        }
        // Record activity at most once a minute, to keep reads cheap.
        if now - record.last_seen_at >= chrono::Duration::minutes(1) {
            if let Err(e) = self.store.touch_session(&hash, now).await {
                tracing::warn!(error = %e, "could not record session activity");
            }
        }
        Some(CurrentUser {
            user: record.user,
            session_hash: hash,
        })
    }
}

#[async_trait]
impl Auth for Sessions {
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: Option<IpAddr>,
    ) -> Result<(String, app::policy::Role), AppError> {
        let account_key = limit_key("account", &email.trim().to_lowercase());
        let ip_key = limit_key(
            "ip",
            &ip.map_or_else(|| "unknown".to_owned(), |i| i.to_string()),
        );
        let now = chrono::Utc::now().timestamp();
        let since = now - WINDOW_SECONDS;
        let by_account = self
            .store
            .sign_in_failures_since(&account_key, since)
            .await?;
        let by_address = self.store.sign_in_failures_since(&ip_key, since).await?;
        if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
            self.audit(None, "session.sign_in_limited", ip, false).await;
            return Err(AppError::TooManyRequests(TOO_MANY.to_owned()));
        }
        let found = match Email::parse(email) {
            Ok(e) => self.store.find_user_by_email(&e).await?,
            Err(_) => None,
        };
        let password = password.to_owned();
        let hash = found
            .as_ref()
            .map_or_else(|| password::dummy_hash().to_owned(), |(_, h)| h.clone());
        // Hashing takes tens of milliseconds of CPU: keep it off the async workers.
        let matches = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
            .await
            .unwrap_or(false);
        let user = match found {
            Some((user, _)) if matches && user.active => user,
            other => {
                self.store
                    .record_sign_in_failure(&[account_key, ip_key], now)
                    .await?;
                self.audit(other.map(|(u, _)| u.id), "session.sign_in", ip, false)
                    .await;
                return Err(AppError::Invalid {
                    field: None,
                    message: BAD_CREDENTIALS.to_owned(),
                });
            }
        };
        self.store.clear_sign_in_failures(&account_key).await?;
        // A new random token at every sign-in: a session id known before sign-in is never
        // promoted (no fixation).
        let token = new_token()?;
        let now = chrono::Utc::now();
        self.store
            .create_session(&NewSession {
                id_hash: hash_token(&token),
                user_id: user.id,
                created_at: now,
                expires_at: now + self.config.absolute,
            })
            .await?;
        self.audit(Some(user.id), "session.sign_in", ip, true).await;
        tracing::info!(user_id = user.id, "signed in");
        Ok((self.cookie(token, Some(self.config.absolute)), user.role))
    }

    async fn hash_new_password(&self, password: &str) -> Result<String, AppError> {
        app::accounts::check_password(password)
            .map_err(|e| AppError::invalid("password", e.to_string()))?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || password::hash(&password))
            .await
            .map_err(|_| AppError::Internal)?
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            })
    }

    async fn sign_out(
        &self,
        current: &CurrentUser,
        ip: Option<IpAddr>,
    ) -> Result<String, AppError> {
        self.store.delete_session(&current.session_hash).await?;
        self.audit(Some(current.user.id), "session.sign_out", ip, true)
            .await;
        Ok(self.cookie(String::new(), Some(chrono::Duration::zero())))
    }
}

/// The value of the request's cookie called `name`, if it sent one.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Puts the client address and, when the session cookie is valid, the signed-in user into the
/// request's extensions, where server functions and pages find them.
pub async fn load_session(
    State(sessions): State<Arc<Sessions>>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    req.extensions_mut().insert(ClientIp(ip));
    // The JSON API and FHIR take a bearer token and never the browser's session, so that a
    // cross-site request cannot ride on a signed-in browser.
    if crate::tokens::is_api_path(req.uri().path()) {
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::tokens::bearer)
            .map(str::to_owned);
        if let Some(token) = bearer {
            if let Some(current) =
                crate::tokens::bearer_user(sessions.store.as_ref(), &token, ip).await
            {
                req.extensions_mut().insert(current);
            }
        }
        return next.run(req).await;
    }
    let token = cookie_value(req.headers(), COOKIE);
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        if let Some(current) = sessions.current_user(&token).await {
            req.extensions_mut().insert(current);
        }
    }
    next.run(req).await
}
