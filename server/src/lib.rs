//! The Tandem server: configuration, the HTTP router around the Leptos app, and the stores.

pub mod admin_cli;
pub mod api_v1;
pub mod backup;
pub mod config;
pub mod db;
pub mod error;
pub mod export_all;
pub mod exports;
pub mod fhir;
pub mod fuzzing;
pub mod http;
pub mod password;
pub mod request_owner;
pub mod seed;
pub mod self_report;
pub mod session;
pub mod sweep;
pub mod tokens;
pub mod transfer;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::OnceLock;

use app::ports::{SharedAuth, SharedStore};
use app::{shell, Root};
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// The largest request body accepted (forms and API calls); larger ones get 413.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

use crate::config::{parse_addr, Cli, Command, Database, ServeArgs};
use crate::error::StartupError;
use crate::session::{SessionConfig, Sessions};

/// State shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub store: SharedStore,
    /// Cleared when shutdown begins (`/readyz`).
    pub ready: http::Readiness,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Leptos options for a site served from `site_root` on `addr`. These match the
/// `[[workspace.metadata.leptos]]` settings, so the binary also runs outside cargo-leptos.
///
/// A release build names the site's files by their content (`tandem.<hash>.wasm`) and lists the
/// hashes in `hash.txt`, which `make build` puts in the site root: pages then link those names.
pub fn leptos_options(site_root: &Path, addr: SocketAddr) -> LeptosOptions {
    let mut options = LeptosOptions::builder()
        .output_name("tandem")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(leptos::config::Env::PROD)
        .build();
    let hash_file = site_root.join(HASH_FILE);
    if hash_file.is_file() {
        // The view layer reads the file relative to the executable; an absolute name is kept.
        if let Ok(absolute) = std::path::absolute(&hash_file) {
            options.hash_files = true;
            options.hash_file = absolute.display().to_string().into();
        }
    }
    options
}

/// The file in the site root that lists a release build's file hashes.
pub const HASH_FILE: &str = "hash.txt";

/// The whole application as an axum router, with default session settings.
pub fn router(store: SharedStore, leptos: LeptosOptions) -> Router {
    router_with(store, leptos, SessionConfig::default())
}

/// The whole application as an axum router.
pub fn router_with(store: SharedStore, leptos: LeptosOptions, sessions: SessionConfig) -> Router {
    router_full(store, leptos, sessions, http::Readiness::default())
}

/// The screens' routes, as the view layer lists them by rendering the app once.
///
/// While it renders the app for this, the view layer holds back all data loading in the process,
/// not only the app's: a page on another thread whose data started loading in that moment would
/// never get it, and its request would wait forever. So the list is made once per process, before
/// the first router exists, and every router (tests build many side by side) reuses it.
pub fn screen_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(Root)).clone()
}

/// The whole application as an axum router whose `/readyz` follows `ready`.
pub fn router_full(
    store: SharedStore,
    leptos: LeptosOptions,
    sessions: SessionConfig,
    ready: http::Readiness,
) -> Router {
    let routes = screen_routes();
    let stylesheet = app::stylesheet_href(&leptos);
    let patient_pages =
        self_report::router(store.clone(), sessions.secure_cookie, stylesheet.clone());
    let sessions = Sessions::new(store.clone(), sessions);
    let auth: SharedAuth = sessions.clone();
    let state = AppState {
        leptos: leptos.clone(),
        store: store.clone(),
        ready,
    };
    let context = move || {
        provide_context(store.clone());
        provide_context(auth.clone());
    };
    Router::new()
        .route("/healthz", get(http::healthz))
        .route("/readyz", get(http::readyz))
        .route("/admin/audit.csv", get(exports::audit_csv))
        .route("/review/agenda.csv", get(exports::review_agenda_csv))
        .route("/reports/outcomes.csv", get(exports::outcomes_csv))
        .route("/reports/quality.csv", get(exports::quality_csv))
        .route("/reports/billing.csv", get(exports::billing_csv))
        .route("/exports/{kind}", get(transfer::browser_export))
        .nest("/api/v1", api_v1::router())
        .nest("/fhir/r4", fhir::router())
        .nest_service("/r", patient_pages)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let stylesheet = stylesheet.clone();
            move || shell(leptos.clone(), stylesheet.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, move |options| {
            shell(options, stylesheet.clone())
        }))
        .with_state(state)
        .layer(axum::middleware::from_fn(http::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            sessions,
            session::load_session,
        ))
        .layer(axum::middleware::from_fn(http::same_origin_writes))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(http::api_error_bodies))
        .layer(axum::middleware::from_fn(http::security_headers))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(http::log_requests))
        .layer(request_owner::RequestOwnerLayer)
}

/// Runs the command line.
pub async fn run(cli: Cli) -> Result<(), StartupError> {
    let db = Database::resolve(&cli.db)?;
    match cli.command {
        Some(Command::Migrate) => {
            let opened = db::open_and_migrate(&db).await?;
            tracing::info!(
                database = db.backend_name(),
                location = %opened.location,
                "schema is up to date"
            );
            Ok(())
        }
        Some(Command::User(command)) => {
            let opened = db::open_and_migrate(&db).await?;
            admin_cli::user(opened.store.as_ref(), command).await
        }
        Some(Command::Clinic(command)) => {
            let opened = db::open_and_migrate(&db).await?;
            admin_cli::clinic(opened.store.as_ref(), command).await
        }
        Some(Command::Token(command)) => {
            let opened = db::open_and_migrate(&db).await?;
            admin_cli::token(opened.store.as_ref(), command).await
        }
        Some(Command::Import(args)) => {
            let opened = db::open_and_migrate(&db).await?;
            admin_cli::import(opened.store.as_ref(), args).await
        }
        Some(Command::Export(args)) => {
            let opened = db::open_and_migrate(&db).await?;
            export_all::command(opened.store.as_ref(), args.clinic.as_deref(), &args.to).await
        }
        Some(Command::Backup(args)) => backup::backup(&db, &args.to).await,
        Some(Command::Restore(args)) => backup::restore(&db, &args.from, args.force).await,
        Some(Command::Seed(args)) => {
            let engine = db::Engine::open_and_migrate(&db).await?;
            seed::command(&engine, &args).await
        }
        Some(Command::Serve(args)) => serve(&db, &args).await,
        None => serve(&db, &ServeArgs::from_env()).await,
    }
}

impl ServeArgs {
    /// Serve settings when `tandem` is run without a subcommand: flags do not apply, but the
    /// environment does.
    pub fn from_env() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::parse_from(["tandem"]).serve
    }
}

async fn serve(db: &Database, args: &ServeArgs) -> Result<(), StartupError> {
    let addr = parse_addr(&args.addr)?;
    let engine = db::Engine::open_and_migrate(db).await?;
    if !args.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "site root has no pkg/ directory; pages will render without styles or interactivity \
             (build with `make build`)"
        );
    } else if !args.site_root.join(HASH_FILE).is_file() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "site root has no {HASH_FILE}: its files keep their plain names, so a browser may \
             mix two builds' files after an upgrade (build with `make build`)"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| StartupError::Bind {
            addr: addr.to_string(),
            reason: e.to_string(),
        })?;
    let local = listener.local_addr().unwrap_or(addr);
    let store = engine.shared();
    let sweeper = (args.sweep_seconds > 0).then(|| {
        sweep::spawn(
            store.clone(),
            std::time::Duration::from_secs(u64::from(args.sweep_seconds)),
        )
    });
    let ready = http::Readiness::default();
    let app = router_full(
        store,
        leptos_options(&args.site_root, local),
        args.session_config(),
        ready.clone(),
    );
    tracing::info!(
        database = db.backend_name(),
        location = %engine.location,
        "Tandem {} listening on http://{local}",
        env!("CARGO_PKG_VERSION")
    );
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        ready.drain();
    })
    .await
    .map_err(|e| StartupError::Serve(e.to_string()));
    if let Some(task) = sweeper {
        task.abort();
    }
    // In-flight requests have finished; closing the pools checkpoints SQLite's WAL.
    engine.close().await;
    tracing::info!("database connections closed");
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
