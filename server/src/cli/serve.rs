//! `terreno-server serve`: the production server.

use std::time::Duration;

use anyhow::Context;

use super::{Cli, DEFAULT_DB, ServeArgs};
use crate::config::Config;
use crate::mail::{MailConfig, Sender, Transport};
use crate::state::AppState;

/// Binds, then serves until Ctrl-C or SIGTERM.
// Long: the startup steps in order (open, migrate, state, feed, mail, listeners, serve).
pub async fn run(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let timeout = Duration::from_secs(args.statement_timeout_secs);
    let (db, org) = cli.open_with(DEFAULT_DB, timeout).await?;
    let given = db.visits().ensure_forms().await?;
    if given > 0 {
        tracing::info!(organizations = given, "gave the shipped visit form");
    }
    let mut config = Config::new(cli.db_url(DEFAULT_DB)?, args.listen);
    if let Some(dir) = &args.blob_dir {
        config.blob_dir = dir.clone();
    }
    // Before the configuration is logged below, so the log shows whom the server believes.
    config.trusted_proxies = args.trusted_proxies.clone();
    if let Some(url) = &args.public_url {
        config.public_url = url.trim_end_matches('/').to_owned();
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    tracing::info!(config = ?config, org = %org.name, "serving on http://{}", listener.local_addr()?);
    let transport = match (&args.smtp_url, &args.mail_dir) {
        (Some(url), _) => Some(Transport::Smtp(url.clone())),
        (None, Some(dir)) => Some(Transport::Files(dir.clone())),
        (None, None) => None,
    };
    let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
    let sender = match transport {
        Some(t) => {
            let mut mail = MailConfig::new(t, &args.mail_from, &config.public_url)?;
            mail.give_up_after = Duration::from_secs(args.mail_give_up_hours.saturating_mul(3600));
            let sender = Sender::new(db.clone(), mail)?;
            Some(tokio::spawn(sender.run(mail_stopped)))
        }
        None => {
            tracing::warn!("no SMTP server configured: visit emails wait in the outbox");
            None
        }
    };
    config.offline_after = Duration::from_secs(args.offline_minutes.saturating_mul(60));
    config.shutdown_grace = Duration::from_secs(args.shutdown_grace_secs);
    config.set_tiles(args.tile_url.as_deref(), args.tile_attribution.as_deref());
    config.low_battery = f64::from(args.low_battery_percent.min(100)) / 100.0;
    config.workbook.max_part_bytes = args.workbook_part_mib.max(1) << 20;
    let state = AppState::new(db.clone(), config);
    crate::live::start(&state);
    if let Some(addr) = args.osmand_listen {
        let osmand = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening for OsmAnd reports on {addr}"))?;
        tracing::info!("OsmAnd reports on http://{}/", osmand.local_addr()?);
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::serve_osmand(osmand, state, shutdown_signal()).await {
                tracing::error!(error = %e, "the OsmAnd listener stopped");
            }
        });
    }
    crate::serve(listener, state, shutdown_signal()).await?;
    // What is left after the grace gets a second each: a mail being sent, connections still
    // busy (PostgreSQL's end with the statement limit, after the process has gone).
    let _ = stop_mail.send(true);
    if let Some(task) = sender {
        let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
    }
    if tokio::time::timeout(Duration::from_secs(1), db.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still busy at exit: left to the statement limit");
    }
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
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
