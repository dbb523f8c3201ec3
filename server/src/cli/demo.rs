//! `terreno-server demo`: creates (or reuses) a local database with the demo organization,
//! users and debtors, then serves it and prints the URL and the demo credentials on stdout.
//! Everything it loads is embedded, so it runs from any directory. Demo only.

use anyhow::Context;

use super::serve::shutdown_signal;
use super::{Cli, DemoArgs};
use crate::config::Config;
use crate::db::demo::{DEMO_ORG, DEMO_PASSWORD, DEMO_USERS};
use crate::mail::{MailConfig, Sender, Transport};
use crate::state::AppState;

/// The demo's database unless `--db` or `TERRENO_DB` names another.
pub const DEMO_DB: &str = "terreno-demo.db";

/// The demo supervisor's email address (a reserved domain: nothing is ever sent there).
pub const DEMO_SUPERVISOR_EMAIL: &str = "supervisor@demo.invalid";

/// Loads the demo data, binds `--listen` (port 0 picks a free port) and serves until Ctrl-C.
pub async fn run(cli: &Cli, args: &DemoArgs) -> anyhow::Result<()> {
    let url = cli.db_url(DEMO_DB)?;
    let db = crate::db::Db::connect(&url).await?;
    let org = db
        .orgs()
        .resolve(cli.org.as_deref(), DEMO_ORG, chrono_tz::America::Bogota)
        .await
        .context("choosing the demo organization")?;
    // A demo database made before visit forms existed gets the shipped one.
    db.visits().ensure_forms().await?;
    let summary = db.portfolio().load_demo(org.id).await?;
    tracing::info!(org = %org.name, ?summary, "demo data ready");
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let mut config = Config::new(url, addr);
    config.public_url = format!("http://{addr}");
    config.set_tiles(args.tile_url.as_deref(), args.tile_attribution.as_deref());
    println!("Terreno demo serving on http://{addr}");
    println!("Demo users (password {DEMO_PASSWORD:?} for all; demo only):");
    for (name, role, _) in DEMO_USERS {
        println!("  {name:<16} {}", role.as_str());
    }
    // The demo needs no mail server: visit emails go to .eml files the user can open.
    db.users()
        .set_email(org.id, "supervisor", Some(DEMO_SUPERVISOR_EMAIL))
        .await?;
    let mail = MailConfig::new(
        Transport::Files(args.mail_dir.clone()),
        "Terreno demo <terreno@demo.invalid>",
        &config.public_url,
    )?;
    let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
    let sender = tokio::spawn(Sender::new(db.clone(), mail)?.run(mail_stopped));
    println!(
        "Visit emails to {DEMO_SUPERVISOR_EMAIL} are written to {}/",
        args.mail_dir.display()
    );
    println!("Press Ctrl-C to stop.");
    let state = AppState::new(db.clone(), config);
    crate::live::start(&state);
    crate::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_mail.send(true);
    let _ = sender.await;
    db.close().await;
    Ok(())
}
