//! The account and clinic commands of the `tandem` binary. Every change is written to the audit
//! log with no user id (the operator at the console) and no PHI.

use std::io::{BufRead, IsTerminal, Write};

use app::accounts::{check_password, display_name, Email, NewUser};
use app::audit::{AuditEntry, AuditOutcome};
use app::model::ClinicId;
use app::policy::Role;
use app::ports::Store;

use crate::config::{ClinicCommand, ImportArgs, TokenCommand, UserCommand};
use crate::error::StartupError;
use crate::password;

pub(crate) fn refuse(message: impl Into<String>) -> StartupError {
    StartupError::Command(message.into())
}

pub(crate) fn out(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Reads a new password from stdin (first line) or from the terminal, asked twice.
fn read_password(from_stdin: bool) -> Result<String, StartupError> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| refuse(format!("cannot read the password from standard input: {e}")))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(refuse(
                "no terminal to ask for a password; pipe it in with --password-stdin",
            ));
        }
        let first = rpassword::prompt_password("New password: ")
            .map_err(|e| refuse(format!("cannot read the password: {e}")))?;
        let again = rpassword::prompt_password("Repeat the password: ")
            .map_err(|e| refuse(format!("cannot read the password: {e}")))?;
        if first != again {
            return Err(refuse("the two passwords differ; nothing was changed"));
        }
        first
    };
    check_password(&password).map_err(|e| refuse(e.to_string()))?;
    Ok(password)
}

pub(crate) async fn audit(store: &dyn Store, action: &str, entity: Option<(&str, i64)>) {
    let entry = AuditEntry::new(action, None, entity, None, AuditOutcome::Ok);
    if let Err(e) = store.append_audit(&entry).await {
        tracing::error!(error = %e, action, "could not write the audit entry");
    }
}

/// Resolves `--clinic` values (ids or exact names) against the stored clinics.
async fn resolve_clinics(
    store: &dyn Store,
    wanted: &[String],
) -> Result<Vec<ClinicId>, StartupError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let clinics = store
        .list_clinics()
        .await
        .map_err(|e| refuse(e.to_string()))?;
    wanted
        .iter()
        .map(|w| find_clinic(&clinics, w).map(|c| c.id))
        .collect()
}

/// The clinic whose id or exact name is `wanted`.
pub(crate) fn find_clinic<'a>(
    clinics: &'a [app::model::Clinic],
    wanted: &str,
) -> Result<&'a app::model::Clinic, StartupError> {
    let w = wanted.trim();
    clinics
        .iter()
        .find(|c| c.name == w || c.id.0.to_string() == w)
        .ok_or_else(|| {
            refuse(format!(
                "no clinic with id or name {w:?}; see `tandem clinic list`"
            ))
        })
}

async fn user_id_by_email(store: &dyn Store, email: &str) -> Result<i64, StartupError> {
    let email = Email::parse(email).map_err(|e| refuse(e.to_string()))?;
    match store.find_user_by_email(&email).await {
        Ok(Some((user, _))) => Ok(user.id),
        Ok(None) => Err(refuse(format!("no user with email {}", email.as_str()))),
        Err(e) => Err(refuse(e.to_string())),
    }
}

pub async fn user(store: &dyn Store, command: UserCommand) -> Result<(), StartupError> {
    match command {
        UserCommand::Create {
            email,
            name,
            role,
            clinics,
            password_stdin,
        } => {
            let email = Email::parse(&email).map_err(|e| refuse(e.to_string()))?;
            let display_name = display_name(&name).map_err(|e| refuse(e.to_string()))?;
            let role = Role::from_code(role.trim()).ok_or_else(|| {
                refuse(format!(
                    "unknown role {role:?}; expected care_manager, psychiatric_consultant, clinic_lead or admin"
                ))
            })?;
            let clinics = resolve_clinics(store, &clinics).await?;
            if role != Role::Admin && clinics.is_empty() {
                return Err(refuse(format!(
                    "a {} needs at least one --clinic",
                    role.code()
                )));
            }
            let password = read_password(password_stdin)?;
            let password_hash = password::hash(&password).map_err(|e| refuse(e.to_string()))?;
            let user = store
                .create_user(&NewUser {
                    email,
                    display_name,
                    role,
                    clinics,
                    password_hash,
                })
                .await
                .map_err(|e| refuse(e.to_string()))?;
            audit(store, "user.create", Some(("user", user.id))).await;
            out(&format!(
                "created user {} ({}) {}",
                user.id,
                user.role.code(),
                user.email
            ));
            Ok(())
        }
        UserCommand::SetPassword {
            email,
            password_stdin,
        } => {
            let id = user_id_by_email(store, &email).await?;
            let password = read_password(password_stdin)?;
            let password_hash = password::hash(&password).map_err(|e| refuse(e.to_string()))?;
            store
                .set_password_hash(id, &password_hash)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            store
                .delete_user_sessions(id)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            audit(store, "user.set_password", Some(("user", id))).await;
            out(&format!("password changed for user {id}"));
            Ok(())
        }
        UserCommand::Deactivate { email } => {
            let id = user_id_by_email(store, &email).await?;
            store
                .set_user_active(id, false)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            store
                .delete_user_sessions(id)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            audit(store, "user.deactivate", Some(("user", id))).await;
            out(&format!("deactivated user {id}"));
            Ok(())
        }
    }
}

pub async fn clinic(store: &dyn Store, command: ClinicCommand) -> Result<(), StartupError> {
    match command {
        ClinicCommand::Create { name } => {
            let clinic = store
                .create_clinic(&name)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            audit(store, "clinic.create", Some(("clinic", clinic.id.0))).await;
            out(&format!("created clinic {} {}", clinic.id, clinic.name));
            Ok(())
        }
        ClinicCommand::List => {
            for c in store
                .list_clinics()
                .await
                .map_err(|e| refuse(e.to_string()))?
            {
                out(&format!("{}\t{}", c.id, c.name));
            }
            Ok(())
        }
    }
}

pub async fn token(store: &dyn Store, command: TokenCommand) -> Result<(), StartupError> {
    match command {
        TokenCommand::Create { user, name } => {
            let (token, secret) = crate::tokens::create(store, &user, &name)
                .await
                .map_err(|e| refuse(e.to_string()))?;
            audit(store, "api_token.create", Some(("api_token", token.id))).await;
            out(&secret);
            let _ = writeln!(
                std::io::stderr(),
                "created token {} \"{}\" for {}; it is shown only now",
                token.id,
                token.name,
                token.user_email
            );
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            let token = store
                .revoke_api_token(id, chrono::Utc::now())
                .await
                .map_err(|e| refuse(e.to_string()))?;
            audit(store, "api_token.revoke", Some(("api_token", token.id))).await;
            out(&format!("revoked token {} \"{}\"", token.id, token.name));
            Ok(())
        }
        TokenCommand::List => {
            for t in store
                .list_api_tokens()
                .await
                .map_err(|e| refuse(e.to_string()))?
            {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    None => "active".to_owned(),
                };
                let used = t.last_used_at.map_or_else(
                    || "never used".to_owned(),
                    |at| format!("used {}", at.format("%Y-%m-%d %H:%M")),
                );
                out(&format!(
                    "{}\t{}…\t{}\t{}\t{}\t{}",
                    t.id, t.prefix, t.user_email, t.name, state, used
                ));
            }
            Ok(())
        }
    }
}

/// `tandem import`: checks the file, prints every error with its row and column, and stores the
/// patients with their scores only when there is none (and `--dry-run` is not given).
pub async fn import(store: &dyn Store, args: ImportArgs) -> Result<(), StartupError> {
    let clinic = *resolve_clinics(store, std::slice::from_ref(&args.clinic))
        .await?
        .first()
        .ok_or_else(|| refuse("a clinic is required"))?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| refuse(format!("cannot read {}: {e}", args.file.display())))?;
    let outcome = app::api::import::load::audited_import(
        store,
        clinic,
        &bytes,
        None,
        None,
        !args.dry_run,
        app::model::today(),
    )
    .await
    .map_err(|e| refuse(e.to_string()))?;
    for e in &outcome.errors {
        let column = if e.column.is_empty() {
            String::new()
        } else {
            format!(", column {}", e.column)
        };
        let _ = writeln!(std::io::stderr(), "row {}{column}: {}", e.row, e.message);
    }
    if !outcome.errors.is_empty() {
        return Err(refuse(format!(
            "{} error(s) in {}; nothing was imported",
            outcome.errors.len(),
            args.file.display()
        )));
    }
    let verb = if outcome.committed {
        audit(store, "patients.import", Some(("clinic", clinic.0))).await;
        "imported"
    } else {
        "would import"
    };
    out(&format!(
        "{verb} {} patient(s) with {} score(s) from {} row(s)",
        outcome.patients, outcome.scores, outcome.rows
    ));
    Ok(())
}
