//! Terreno's sync server: the API collectors' devices sync with and supervisors work from.
//!
//! - [`router`] builds the whole HTTP API over an [`AppState`]; [`serve`] runs it on a bound
//!   listener until a shutdown signal (tests bind port 0 and pass the listener in).
//! - [`db`] holds all SQL, for SQLite and PostgreSQL (transactions and queries only);
//!   [`routes`] one module per resource; [`sync`] the push use case; [`live`] the feed.
//! - docs/ARCHITECTURE.md maps the modules and the import directions `scripts/check-imports`
//!   enforces.
//! - [`import`] reads route and payment spreadsheets and [`forms`] XLSForm questionnaires;
//!   neither writes.
//! - [`clock`] is the server's one clock (the system's, or one started at `TERRENO_NOW`).
//! - [`cli`] is the `terreno-server` command line; [`trace`] is what the request log shows.
//! - [`ui`] is the supervisor dashboard, built by `scripts/build-ui` and embedded; it is served
//!   at `/` by `routes::ui`, the fallback of every path the API does not answer.
//!
//! Merge rules, verdicts and wire types come from `terreno-shared`; nothing here re-decides them.
#![forbid(unsafe_code)]

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod export;
pub mod extract;
pub mod forms;
pub mod import;
pub mod live;
pub mod mail;
pub mod osmand;
pub mod routes;
pub mod schemas;
pub mod state;
pub mod sync;
pub mod trace;
pub mod ui;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use db::Db;
pub use state::AppState;

/// The whole HTTP API. Bodies are limited twice: as sent (compressed) and once decompressed,
/// so a zip bomb stops at the decompressed limit instead of filling memory.
pub fn router(state: AppState) -> Router {
    let cfg = state.config.clone();
    routes::router()
        .with_state(state)
        .layer(DefaultBodyLimit::max(cfg.max_decompressed_bytes))
        .layer(RequestBodyLimitLayer::new(cfg.max_decompressed_bytes))
        .layer(RequestDecompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(cfg.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::map_response(error::json_error_bodies))
        .layer(TraceLayer::new_for_http().make_span_with(trace::request_span::<axum::body::Body>))
}

/// Serves OsmAnd reports at `/` (a dedicated listener, as Traccar's port 5055) until
/// `shutdown` completes.
pub async fn serve_osmand(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cfg = state.config.clone();
    let app = routes::osmand::listener_router()
        .with_state(state)
        .layer(DefaultBodyLimit::max(cfg.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::map_response(error::json_error_bodies))
        .layer(TraceLayer::new_for_http().make_span_with(trace::request_span::<axum::body::Body>));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves the API on `listener` until `shutdown` completes, then stops: no new connections,
/// live feeds closed at once, and requests still running given `config.shutdown_grace` to
/// finish; after it the server returns without them (their futures are dropped with the
/// runtime, which interrupts their SQLite reads; see `db::cancel`). Each request knows its
/// peer's address (`ConnectInfo`), which the failed-login limit counts by.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = state.config.shutdown_grace;
    let stopping = state.stopping.clone();
    let mut stopped = state.stopping.subscribe();
    let signal = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    tokio::select! {
        served = server.into_future() => served,
        () = async move {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(?grace, "requests still running after the shutdown grace: stopped without them");
            Ok(())
        }
    }
}
