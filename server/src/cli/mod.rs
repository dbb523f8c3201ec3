//! The `terreno-server` command line. Every command takes `--db` (default `TERRENO_DB`) and
//! migrates the database before it acts, so any command works on an empty database. Exit codes:
//! 0 done, 1 failed (one clear sentence on stderr), 2 bad usage (clap's own).

use std::net::SocketAddr;

use anyhow::Context;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};

use crate::db::orgs::Org;
use crate::db::{Db, DbUrl};

mod serve;

/// Terreno's sync server and its administration commands.
#[derive(Debug, Parser)]
#[command(name = "terreno-server", version, about)]
pub struct Cli {
    /// Database: sqlite://PATH (created if absent), a file path, or postgres://USER@HOST/DB.
    #[arg(long, env = "TERRENO_DB", global = true)]
    pub db: Option<String>,
    /// Organization to act on; needed when the database holds several. On a new database,
    /// the name of the organization created.
    #[arg(long, env = "TERRENO_ORG", global = true)]
    pub org: Option<String>,
    /// IANA time zone of an organization created on a new database.
    #[arg(
        long,
        env = "TERRENO_TZ",
        default_value = "America/Bogota",
        global = true
    )]
    pub tz: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (production; configuration from flags and TERRENO_* variables).
    Serve(ServeArgs),
}

/// Flags of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TERRENO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory for uploaded attachments (default: beside the SQLite file).
    #[arg(long, env = "TERRENO_BLOB_DIR")]
    pub blob_dir: Option<std::path::PathBuf>,
    /// URL people reach the server at, for links in emails.
    #[arg(long, env = "TERRENO_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve(args) => serve::run(&cli, args).await,
    }
}

impl Cli {
    /// The database URL: `--db`, `TERRENO_DB`, or `default`.
    pub fn db_url(&self, default: &str) -> anyhow::Result<DbUrl> {
        self.db.as_deref().unwrap_or(default).parse()
    }

    /// The time zone for a new organization.
    pub fn time_zone(&self) -> anyhow::Result<Tz> {
        self.tz.parse().map_err(|_| {
            anyhow::anyhow!(
                "{:?} is not an IANA time zone such as America/Bogota",
                self.tz
            )
        })
    }

    /// Connects, migrates, and finds (or creates, on a new database) the organization to act on.
    pub async fn open(&self, default_db: &str) -> anyhow::Result<(Db, Org)> {
        let url = self.db_url(default_db)?;
        let db = Db::connect(&url).await?;
        let org = db
            .resolve_org(self.org.as_deref(), "default", self.time_zone()?)
            .await
            .context("choosing the organization")?;
        Ok((db, org))
    }
}

/// The default database of production commands.
pub const DEFAULT_DB: &str = "terreno.db";
