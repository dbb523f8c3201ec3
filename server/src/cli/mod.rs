//! The `terreno-server` command line. Every command takes `--db` (default `TERRENO_DB`) and
//! migrates the database before it acts, so any command works on an empty database. Exit codes:
//! 0 done, 1 failed (one clear sentence on stderr), 2 bad usage (clap's own). Every command also
//! takes `--now` (default `TERRENO_NOW`): the instant the server's clock starts at.

use std::net::SocketAddr;

use anyhow::Context;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};

use crate::db::orgs::Org;
use crate::db::{Db, DbUrl};

mod debtors;
mod demo;
mod devices;
mod email;
mod forms;
mod import;
mod payments;
mod progress;
mod serve;
mod users;

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
    /// Start the server's clock at this RFC 3339 instant and let it run on from there (tests
    /// and demos of what time decides); default: the system clock.
    #[arg(long, env = "TERRENO_NOW", global = true, value_parser = crate::clock::parse_instant)]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (production; configuration from flags and TERRENO_* variables).
    Serve(ServeArgs),
    /// Create (or reuse) a demo database with a team, a supervisor, 4 collectors and 20
    /// debtors, and serve it.
    Demo(DemoArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Import a route spreadsheet (CSV or XLSX): debtors, their collectors and routes.
    ImportRoutes(import::ImportArgs),
    /// Import a creditor's payment file (CSV or XLSX): payments by account and reference, all
    /// or nothing; importing it again changes nothing.
    ImportPayments(payments::ImportPaymentsArgs),
    /// Look at the imported accounts.
    #[command(subcommand)]
    Debtors(DebtorsCommand),
    /// Look at the visit-email outbox.
    #[command(subcommand)]
    Email(EmailCommand),
    /// Import and list questionnaires (XLSForm).
    #[command(subcommand)]
    Form(FormCommand),
}

/// `form` subcommands.
#[derive(Debug, Subcommand)]
pub enum FormCommand {
    /// Import an XLSForm (XLSX or XLS workbook, or a CSV of the survey sheet) as a new form
    /// version; a form with problems is refused whole, listing every one (exit 1).
    Add {
        /// The file (its kind is read from its content, not its extension).
        file: std::path::PathBuf,
        /// Fill new visits with this version (a new version of the current visit form is
        /// used for visits anyway).
        #[arg(long)]
        use_for_visits: bool,
        /// Media files of the version (repeatable, or several after one flag): CSV, XML and
        /// GeoJSON files the form reads with pulldata, instance() and select_one_from_file,
        /// and images, audio and video it shows; each at most 10 MiB.
        #[arg(long, num_args = 1.., value_name = "PATH")]
        media: Vec<std::path::PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the organization's form versions, marking the one new visits are filled with.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `debtors` subcommands.
#[derive(Debug, Subcommand)]
pub enum DebtorsCommand {
    /// List the accounts as stored.
    List {
        /// Only this portfolio.
        #[arg(long)]
        portfolio: Option<String>,
        /// Print JSON (an array of objects) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Flags of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "TERRENO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where visit emails are written (as .eml files).
    #[arg(long, env = "TERRENO_MAIL_DIR", default_value = "terreno-demo-mail")]
    pub mail_dir: std::path::PathBuf,
    /// Map tiles of the dashboard: a URL template with {z}, {x}, {y} (default OpenStreetMap's);
    /// an empty value draws the map on a plain background, with no tile requests.
    #[arg(long, env = "TERRENO_TILE_URL")]
    pub tile_url: Option<String>,
    /// The credit the tile server requires, shown on the map (with --tile-url).
    #[arg(long, env = "TERRENO_TILE_ATTRIBUTION")]
    pub tile_attribution: Option<String>,
    /// A reverse proxy in front of the server (its exact address; repeat, or separate with
    /// commas): for requests from it, the client address that the failed-login limit counts is
    /// the one it appends to X-Forwarded-For. Without it the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "TERRENO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (invited: no password until `user passwd`).
    Add {
        /// Login name (lower-case letters, digits, `.`, `_`, `-`).
        name: String,
        /// admin, supervisor or collector.
        #[arg(long, value_parser = parse_role)]
        role: terreno_shared::model::Role,
        /// Team (collectors and supervisors; default: the organization's first team).
        #[arg(long)]
        team: Option<String>,
        /// Name shown in the UI (default: the login name).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Set a user's password, read as one line from standard input.
    Passwd {
        /// Login name.
        name: String,
    },
    /// List the organization's users.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: their tokens stop working and they cannot log in.
    Disable {
        /// Login name.
        name: String,
    },
    /// Set where a user gets visit emails (supervisors; admins when a team has no
    /// supervisor); without an address, clear it.
    Email {
        /// Login name.
        name: String,
        /// Email address.
        address: Option<String>,
    },
}

/// `email` subcommands.
#[derive(Debug, Subcommand)]
pub enum EmailCommand {
    /// List the visit-email outbox, newest first.
    List {
        /// Only the emails given up (with their error).
        #[arg(long)]
        failed: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `device` subcommands.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List the organization's devices.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device: its next request is refused and it is told to wipe its data.
    Revoke {
        /// Device id.
        id: String,
    },
    /// Register an OsmAnd sender (Traccar Client) by the identifier it reports, for a collector.
    AddTracker {
        /// The collector it reports for.
        #[arg(long)]
        user: String,
        /// The identifier the sender reports (Traccar Client's "device identifier").
        #[arg(long)]
        id: String,
    },
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
    /// SMTP server for visit emails: `smtp://[user:pass@]host[:port][?tls=required]` or
    /// `smtps://…`; without it (and without --mail-dir) emails wait in the outbox.
    #[arg(long, env = "TERRENO_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Write visit emails as .eml files into this directory instead of sending them.
    #[arg(long, env = "TERRENO_MAIL_DIR", conflicts_with = "smtp_url")]
    pub mail_dir: Option<std::path::PathBuf>,
    /// The From address of visit emails.
    #[arg(
        long,
        env = "TERRENO_MAIL_FROM",
        default_value = "Terreno <terreno@localhost>"
    )]
    pub mail_from: String,
    /// Give a visit email up after this many hours of failed attempts.
    #[arg(long, env = "TERRENO_MAIL_GIVE_UP_HOURS", default_value_t = 96)]
    pub mail_give_up_hours: u64,
    /// The live feed reports a device offline after this many minutes of silence.
    #[arg(long, env = "TERRENO_OFFLINE_MINUTES", default_value_t = 10)]
    pub offline_minutes: u64,
    /// A statement running longer is stopped (SQLite: reads; PostgreSQL: every statement, by
    /// the server's `statement_timeout`); 0: no limit.
    #[arg(long, env = "TERRENO_STATEMENT_TIMEOUT_SECS", default_value_t = 30)]
    pub statement_timeout_secs: u64,
    /// On SIGTERM or Ctrl-C, seconds requests still running may take to finish before the
    /// server exits without them.
    #[arg(long, env = "TERRENO_SHUTDOWN_GRACE_SECS", default_value_t = 8)]
    pub shutdown_grace_secs: u64,
    /// The live feed reports a low battery below this percentage.
    #[arg(long, env = "TERRENO_LOW_BATTERY_PERCENT", default_value_t = 15)]
    pub low_battery_percent: u8,
    /// Most MiB one part of an uploaded XLSX (route or form) may inflate to: the guard
    /// against zip bombs inside a workbook; all parts together may take four times this.
    #[arg(long, env = "TERRENO_WORKBOOK_PART_MIB", default_value_t = 64)]
    pub workbook_part_mib: u64,
    /// Also accept OsmAnd reports at `/` on this address (Traccar's port is 5055); they are
    /// always accepted at `/osmand` on the main listener.
    #[arg(long, env = "TERRENO_OSMAND_LISTEN")]
    pub osmand_listen: Option<SocketAddr>,
    /// Map tiles of the dashboard: a URL template with {z}, {x}, {y} (default OpenStreetMap's);
    /// an empty value draws the map on a plain background, with no tile requests.
    #[arg(long, env = "TERRENO_TILE_URL")]
    pub tile_url: Option<String>,
    /// The credit the tile server requires, shown on the map (with --tile-url).
    #[arg(long, env = "TERRENO_TILE_ATTRIBUTION")]
    pub tile_attribution: Option<String>,
    /// A reverse proxy in front of the server (its exact address; repeat, or separate with
    /// commas): for requests from it, the client address that the failed-login limit counts is
    /// the one it appends to X-Forwarded-For. Without it the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "TERRENO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(instant) = cli.now {
        crate::clock::start_at(instant);
    }
    match &cli.command {
        Command::Serve(args) => serve::run(&cli, args).await,
        Command::Demo(args) => demo::run(&cli, args).await,
        Command::User(cmd) => users::run(&cli, cmd).await,
        Command::Device(cmd) => devices::run(&cli, cmd).await,
        Command::ImportRoutes(args) => import::run(&cli, args).await,
        Command::ImportPayments(args) => payments::run(&cli, args).await,
        Command::Debtors(cmd) => debtors::run(&cli, cmd).await,
        Command::Email(cmd) => email::run(&cli, cmd).await,
        Command::Form(cmd) => forms::run(&cli, cmd).await,
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
        self.open_with(default_db, std::time::Duration::ZERO).await
    }

    /// [`Cli::open`] with statements stopped after `statement_timeout` (see
    /// [`Db::connect_with`]).
    pub async fn open_with(
        &self,
        default_db: &str,
        statement_timeout: std::time::Duration,
    ) -> anyhow::Result<(Db, Org)> {
        let url = self.db_url(default_db)?;
        let db = Db::connect_with(&url, statement_timeout).await?;
        let org = db
            .orgs()
            .resolve(self.org.as_deref(), "default", self.time_zone()?)
            .await
            .context("choosing the organization")?;
        Ok((db, org))
    }
}

/// A role flag, refused as bad usage (exit 2) before any database is opened.
fn parse_role(s: &str) -> Result<terreno_shared::model::Role, String> {
    s.parse()
        .map_err(|e: terreno_shared::ValidationError| e.reason)
}

/// The default database of production commands.
pub const DEFAULT_DB: &str = "terreno.db";
