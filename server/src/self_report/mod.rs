//! The patient's side of a self-report link, at `/r/{token}`: a birth-date gate, one question per
//! screen, a check of the answers, and sending them. No account and no JavaScript: every screen is
//! a plain HTML form rendered here, and the pages load no script at all.
//!
//! What a stranger holding a wrong or dead link learns is nothing: the gate looks the same for
//! every token, and every failure before the right birth date reads the same. Attempts are limited
//! per link and per address (in the database, so every instance counts together), and the link
//! locks after [`MAX_BIRTH_DATE_ATTEMPTS`] wrong birth dates. Opening, each wrong birth date and
//! sending are audited under the link's id.

mod pages;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use app::accounts::ClientIp;
use app::audit::{AuditEntry, AuditOutcome};
use app::domain::self_report::{
    birth_date_matches, parse_birth_date, steps, Unusable, MAX_BIRTH_DATE_ATTEMPTS, VISIT_MINUTES,
};
use app::model::{today, MeasurementSource, NewMeasurement};
use app::ports::{SharedStore, StoreError};
use app::self_report::LinkVisit;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};

use app::accounts::hash_token;

pub use pages::CRISIS_HEADING;

/// The cookie that carries a device past the birth-date gate, scoped to its link's path.
pub const VISIT_COOKIE: &str = "tandem_self_report";

/// Birth-date attempts allowed per link, and per client address, in [`WINDOW_SECONDS`].
pub const MAX_ATTEMPTS_PER_LINK: u64 = 10;
pub const MAX_ATTEMPTS_PER_ADDRESS: u64 = 30;
const WINDOW_SECONDS: i64 = 15 * 60;

/// Hex digits in a link's token (160 bits; see [`app::api::self_report::new_token`]).
const TOKEN_HEX_DIGITS: usize = 40;

/// Whether `token` has the shape of a link token. Anything else is looked up as nothing.
fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_HEX_DIGITS && token.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Clone)]
struct PatientState {
    store: SharedStore,
    secure_cookie: bool,
    /// The stylesheet's address ([`app::stylesheet_href`]).
    stylesheet: Arc<str>,
}

/// The patient pages, to nest at `/r`.
pub fn router(store: SharedStore, secure_cookie: bool, stylesheet: String) -> Router {
    Router::new()
        .route("/{token}", get(gate).post(enter_birth_date))
        .route("/{token}/q/{step}", get(question).post(answer))
        .route("/{token}/check", get(check))
        .route("/{token}/send", post(send))
        .with_state(PatientState {
            store,
            secure_cookie,
            stylesheet: stylesheet.into(),
        })
}

type Fields = Form<HashMap<String, String>>;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", String::as_str)
}

impl PatientState {
    /// A page with the patient pages' headers: no script may run, nothing is cached.
    fn page(&self, status: StatusCode, page: pages::Document) -> Response {
        let mut res = (status, axum::response::Html(page.html(&self.stylesheet))).into_response();
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                 base-uri 'none'; frame-ancestors 'none'",
            ),
        );
        res
    }

    /// A 303 to `to`. Paths are built from the token in the URL, which a visitor may fill with
    /// anything (`%0A` included); one that cannot be a header is answered as an unknown page.
    fn see_other(&self, to: &str) -> Response {
        match HeaderValue::from_str(to) {
            Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
            Err(_) => self.page(StatusCode::NOT_FOUND, pages::no_such_question("")),
        }
    }

    fn unavailable(&self) -> Response {
        self.page(StatusCode::SERVICE_UNAVAILABLE, pages::problem())
    }
}

async fn audit(store: &SharedStore, action: &str, link: Option<i64>, ip: Option<IpAddr>, ok: bool) {
    let outcome = if ok {
        AuditOutcome::Ok
    } else {
        AuditOutcome::Failed
    };
    let entry = AuditEntry::new(
        action,
        None,
        link.map(|id| ("self_report_link", id)),
        ip,
        outcome,
    );
    if let Err(e) = store.append_audit(&entry).await {
        tracing::error!(error = %e, action, "could not write the audit entry");
    }
}

/// `GET /r/{token}`: the birth-date gate, the same for every token. A device already through the
/// gate goes on to its next question.
async fn gate(
    State(state): State<PatientState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(visit) = admitted(&state, &token, &headers).await {
        return state.see_other(&next_screen(&token, &visit));
    }
    state.page(StatusCode::OK, pages::gate(&token, None))
}

/// The link behind `token` when this request's visit cookie is its current one and the link can
/// still be answered.
async fn admitted(state: &PatientState, token: &str, headers: &HeaderMap) -> Option<LinkVisit> {
    if !well_formed(token) {
        return None;
    }
    let cookie = crate::session::cookie_value(headers, VISIT_COOKIE)?;
    let visit = match state.store.self_report_visit(&hash_token(token)).await {
        Ok(v) => v?,
        Err(e) => {
            tracing::error!(error = %e, "self-report lookup failed");
            return None;
        }
    };
    let now = Utc::now();
    (visit.admits(&hash_token(&cookie), now) && visit.link.life.usable(now).is_ok())
        .then_some(visit)
}

/// Where a patient who is through the gate goes next: the first unanswered question, or the
/// check of the answers.
pub(crate) fn next_screen(token: &str, visit: &LinkVisit) -> String {
    match visit.draft.next_step(&visit.link.instruments) {
        Some(step) => format!("/r/{token}/q/{step}"),
        None => format!("/r/{token}/check"),
    }
}

/// `POST /r/{token}`: the birth date. Every failure before the right date (an unknown, expired,
/// used, revoked or locked link, or a wrong date) gets the same answer.
async fn enter_birth_date(
    State(state): State<PatientState>,
    Path(token): Path<String>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(form): Fields,
) -> Response {
    let store = &state.store;
    let now = Utc::now();
    let token_hash = hash_token(&token);
    let keys = [
        crate::session::limit_key(
            "self_report.address",
            &ip.map(|i| i.to_string()).unwrap_or_default(),
        ),
        crate::session::limit_key("self_report.link", &token_hash),
    ];
    let since = now.timestamp() - WINDOW_SECONDS;
    for (key, max) in keys
        .iter()
        .zip([MAX_ATTEMPTS_PER_ADDRESS, MAX_ATTEMPTS_PER_LINK])
    {
        match store.sign_in_failures_since(key, since).await {
            Ok(n) if n >= max => {
                audit(store, "self_report.rate_limited", None, ip, false).await;
                return state.page(
                    StatusCode::TOO_MANY_REQUESTS,
                    pages::gate(&token, Some(pages::TOO_MANY)),
                );
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "self-report rate limit unavailable");
                return state.unavailable();
            }
        }
    }
    if let Err(e) = store.record_sign_in_failure(&keys, now.timestamp()).await {
        tracing::error!(error = %e, "could not count a self-report attempt");
        return state.unavailable();
    }
    let typed = match parse_birth_date(
        field(&form, "day"),
        field(&form, "month"),
        field(&form, "year"),
    ) {
        Ok(d) => d,
        Err(message) => {
            return state.page(StatusCode::BAD_REQUEST, pages::gate(&token, Some(message)))
        }
    };
    let visit = if well_formed(&token) {
        match store.self_report_visit(&token_hash).await {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "self-report lookup failed");
                return state.unavailable();
            }
        }
    } else {
        None
    };
    let refused = || {
        state.page(
            StatusCode::FORBIDDEN,
            pages::gate(&token, Some(pages::NOT_CONFIRMED)),
        )
    };
    let Some(visit) = visit else {
        audit(store, "self_report.birth_date", None, ip, false).await;
        return refused();
    };
    let link = visit.link.id;
    let usable = visit.link.life.usable(now);
    if usable == Err(Unusable::Locked) {
        audit(store, "self_report.birth_date", Some(link), ip, false).await;
        return refused();
    }
    if !birth_date_matches(visit.birth_date, typed) {
        audit(store, "self_report.birth_date", Some(link), ip, false).await;
        if usable.is_ok() {
            if let Err(e) = store
                .wrong_birth_date(link, now, MAX_BIRTH_DATE_ATTEMPTS)
                .await
            {
                tracing::error!(error = %e, link, "could not count a wrong birth date");
            }
        }
        return refused();
    }
    // The right person: they may now hear why a link cannot be used.
    if let Err(why) = usable {
        audit(store, "self_report.open", Some(link), ip, false).await;
        return state.page(StatusCode::GONE, pages::closed(&visit, why));
    }
    let (visit_hash, cookie_value) = match app::api::self_report::new_token() {
        Ok(pair) => pair,
        Err(_) => return state.unavailable(),
    };
    let until = now + chrono::Duration::minutes(VISIT_MINUTES);
    if let Err(e) = store.open_self_report(link, now, &visit_hash, until).await {
        tracing::error!(error = %e, link, "could not open a self-report link");
        return state.unavailable();
    }
    audit(store, "self_report.open", Some(link), ip, true).await;
    let cookie = Cookie::build((VISIT_COOKIE, cookie_value))
        .path(format!("/r/{token}"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookie)
        .max_age(cookie::time::Duration::minutes(VISIT_MINUTES))
        .build();
    let mut res = state.see_other(&next_screen(&token, &visit));
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

/// A question screen's number from the path, within the link's questions.
fn step_number(raw: &str, visit: &LinkVisit) -> Option<usize> {
    raw.parse::<usize>()
        .ok()
        .filter(|n| (1..=steps(&visit.link.instruments).len()).contains(n))
}

/// `GET /r/{token}/q/{step}`: one question. Without a current visit, back to the gate.
async fn question(
    State(state): State<PatientState>,
    Path((token, step)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(visit) = admitted(&state, &token, &headers).await else {
        return state.see_other(&format!("/r/{token}"));
    };
    let Some(step) = step_number(&step, &visit) else {
        return state.page(StatusCode::NOT_FOUND, pages::no_such_question(&token));
    };
    state.page(
        StatusCode::OK,
        pages::question(&token, &visit, step, state.settings(&visit).await, None),
    )
}

impl PatientState {
    async fn settings(&self, visit: &LinkVisit) -> app::domain::self_report::SelfReportSettings {
        match self.store.clinic_settings(visit.clinic_id).await {
            Ok(s) => s.self_report,
            Err(e) => {
                // The defaults still name a crisis line; never leave a patient without one.
                tracing::error!(error = %e, "clinic settings unavailable; using the defaults");
                app::domain::self_report::SelfReportSettings::default()
            }
        }
    }
}

/// `POST /r/{token}/q/{step}`: one answer, saved at once; then the next unanswered screen.
async fn answer(
    State(state): State<PatientState>,
    Path((token, step)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Fields,
) -> Response {
    let Some(mut visit) = admitted(&state, &token, &headers).await else {
        return state.page(StatusCode::FORBIDDEN, pages::visit_ended(&token));
    };
    let Some(step) = step_number(&step, &visit) else {
        return state.page(StatusCode::NOT_FOUND, pages::no_such_question(&token));
    };
    let value = form.get("answer").map(String::as_str);
    if let Err(e) = visit.draft.answer(&visit.link.instruments, step, value) {
        let settings = state.settings(&visit).await;
        return state.page(
            StatusCode::BAD_REQUEST,
            pages::question(&token, &visit, step, settings, Some(&e.to_string())),
        );
    }
    match state
        .store
        .save_self_report_draft(visit.link.id, &visit.draft, Utc::now())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return state.page(StatusCode::GONE, pages::visit_ended(&token))
        }
        Err(e) => {
            tracing::error!(error = %e, link = visit.link.id, "could not save a self-report answer");
            return state.unavailable();
        }
    }
    // Going back to change one answer returns to the check once everything is answered.
    state.see_other(&next_screen(&token, &visit))
}

/// `GET /r/{token}/check`: every answer, each with a link to change it, and the send button.
async fn check(
    State(state): State<PatientState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(visit) = admitted(&state, &token, &headers).await else {
        return state.see_other(&format!("/r/{token}"));
    };
    if visit.draft.next_step(&visit.link.instruments).is_some() {
        return state.see_other(&next_screen(&token, &visit));
    }
    let settings = state.settings(&visit).await;
    state.page(StatusCode::OK, pages::check(&token, &visit, &settings))
}

/// `POST /r/{token}/send`: the answers become scores with the source "patient self-report", after
/// the same validation as any other, and the link is used up, in one transaction.
async fn send(
    State(state): State<PatientState>,
    Path(token): Path<String>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
) -> Response {
    let store = &state.store;
    let Some(visit) = admitted(&state, &token, &headers).await else {
        return state.page(StatusCode::FORBIDDEN, pages::visit_ended(&token));
    };
    let link = visit.link.id;
    let responses = match visit.draft.responses(&visit.link.instruments) {
        Ok(r) => r,
        Err(e) => {
            audit(store, "self_report.submit", Some(link), ip, false).await;
            return state.page(
                StatusCode::BAD_REQUEST,
                pages::incomplete(&token, &visit, &e.to_string()),
            );
        }
    };
    let scores: Vec<NewMeasurement> = responses
        .into_iter()
        .map(|responses| NewMeasurement {
            episode_id: visit.link.episode_id,
            taken_on: today(),
            responses,
            source: MeasurementSource::SelfReport,
            entered_by: None,
        })
        .collect();
    let now: DateTime<Utc> = Utc::now();
    match store.complete_self_report(link, &scores, now).await {
        Ok(saved) => {
            audit(store, "self_report.submit", Some(link), ip, true).await;
            tracing::info!(link, scores = saved.len(), "self-report received");
            let settings = state.settings(&visit).await;
            let mut res = state.page(StatusCode::OK, pages::thanks(&visit, &settings));
            let gone = Cookie::build((VISIT_COOKIE, ""))
                .path(format!("/r/{token}"))
                .max_age(cookie::time::Duration::ZERO)
                .build();
            if let Ok(value) = HeaderValue::from_str(&gone.to_string()) {
                res.headers_mut().insert(header::SET_COOKIE, value);
            }
            res
        }
        Err(StoreError::Conflict(_)) => {
            audit(store, "self_report.submit", Some(link), ip, false).await;
            state.page(StatusCode::GONE, pages::closed(&visit, Unusable::Used))
        }
        Err(StoreError::Invalid(message)) => {
            // The episode was closed while the patient answered.
            audit(store, "self_report.submit", Some(link), ip, false).await;
            tracing::warn!(link, "self-report refused by the store");
            state.page(
                StatusCode::CONFLICT,
                pages::incomplete(&token, &visit, &message),
            )
        }
        Err(e) => {
            audit(store, "self_report.submit", Some(link), ip, false).await;
            tracing::error!(error = %e, link, "could not record a self-report");
            state.unavailable()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_carry_160_random_bits_and_only_their_hash_is_kept() {
        let (hash, token) = app::api::self_report::new_token().expect("token");
        assert_eq!(token.len(), 40);
        assert!(well_formed(&token));
        assert_eq!(hash, hash_token(&token));
        assert_ne!(hash, token);
        let (_, other) = app::api::self_report::new_token().expect("token");
        assert_ne!(token, other);
    }

    #[test]
    fn only_40_hex_digits_look_like_a_token() {
        assert!(!well_formed("abc"));
        assert!(!well_formed(&"g".repeat(40)));
        assert!(!well_formed(&"a".repeat(41)));
        assert!(well_formed(&"A".repeat(40)));
    }
}
