//! The `terreno` command line: the device core for scripts, tests and a collector on a laptop.
//! Every command takes `--data DIR`, `--json` (machine-readable output) and `--now RFC3339` (a
//! simulated clock). Exit codes: 0 done, 1 failed, 2 bad usage, 3 refused by the rules (with
//! the reasons). Errors are one sentence on stderr.

mod output;
mod track;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use terreno_shared::model::Outcome;

use crate::config::{Clock, CoreConfig};
use crate::core::Core;
use crate::error::Error;
use output::Out;

/// Exit code of a refusal by the rules.
pub const EXIT_REFUSED: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "terreno",
    version,
    about = "Terreno collector app: offline route, check-ins, visits and sync"
)]
struct Cli {
    /// The device's data directory [default: $TERRENO_DATA, else ~/.local/share/terreno].
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    /// Simulated clock for this command (RFC 3339, e.g. 2026-11-24T13:30:00Z).
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_time)]
    now: Option<DateTime<Utc>>,
    /// Days data the server acknowledged stays on this device.
    #[arg(long, global = true, value_name = "DAYS", default_value_t = crate::config::DEFAULT_RETENTION_DAYS)]
    retention_days: u32,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Log in and enroll this device (password read from stdin).
    Login {
        /// Server URL (http://host:port).
        #[arg(long)]
        server: String,
        /// Login name.
        #[arg(long)]
        user: String,
        /// A name for this device.
        #[arg(long, default_value = "terreno CLI")]
        label: String,
    },
    /// Push recorded events and pull the route and its changes.
    Sync,
    /// The route of a day in visiting order.
    Route {
        /// The day (default: today in the organization's time zone).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Start or end the collector's shift (GPS is recorded only during one).
    Shift {
        #[arg(value_enum)]
        action: ShiftAction,
    },
    /// GPS track files.
    Track {
        #[command(subcommand)]
        command: TrackCommand,
    },
    /// Check in at a stop (stop id or debtor external id).
    Checkin {
        /// Stop id or external id.
        stop: String,
    },
    /// The visit questionnaire.
    Visit {
        #[command(subcommand)]
        command: VisitCommand,
    },
    /// Pending events, last sync, last fix, battery.
    Status,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ShiftAction {
    Start,
    End,
}

#[derive(Debug, Subcommand)]
enum TrackCommand {
    /// Feed the recorder with a .jsonl or .gpx file's fixes.
    Import {
        /// The file.
        file: PathBuf,
        /// Only fixes up to this time.
        #[arg(long, value_parser = parse_time)]
        until: Option<DateTime<Utc>>,
        /// Replay at the fixes' own pace (else at once).
        #[arg(long)]
        realtime: bool,
        /// With --realtime: replay this many times faster.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
}

#[derive(Debug, Subcommand)]
enum VisitCommand {
    /// Answer questions: QUESTION=VALUE ... (paths inside groups and repeats: rep[2]/q=VALUE;
    /// file questions take a file path)
    Answer {
        /// Stop id or external id.
        stop: String,
        /// Answers.
        #[arg(required = true)]
        answers: Vec<String>,
    },
    /// Complete the visit with an outcome.
    Complete {
        /// Stop id or external id.
        stop: String,
        /// paid, promise_to_pay, contacted, third_party, nobody_home, wrong_address, refused.
        #[arg(long, value_parser = parse_outcome)]
        outcome: Outcome,
    },
    /// The visit's questions with their state (relevant, answered, missing, refused).
    Form {
        /// Stop id or external id.
        stop: String,
    },
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time like 2026-11-24T13:30:00Z: {e}"))
}

fn parse_outcome(s: &str) -> Result<Outcome, String> {
    s.parse::<Outcome>().map_err(|_| {
        let all: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
        format!("{s:?} is not an outcome (one of {})", all.join(", "))
    })
}

/// Runs the command line; the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let out = Out { json: cli.json };
    match run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => out.error(&e),
    }
}

fn data_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("TERRENO_DATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/terreno")))
        .unwrap_or_else(|| PathBuf::from("terreno-data"))
}

// Long: one match arm per command, each a call into Core.
fn run(cli: Cli, out: &Out) -> Result<(), Error> {
    let mut config = CoreConfig::new(data_dir(cli.data));
    config.retention_days = cli.retention_days;
    if let Some(t) = cli.now {
        config.clock = Clock::Fixed(t);
    }
    let core = Core::open(config)?;
    match cli.command {
        Command::Login {
            server,
            user,
            label,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| Error::Invalid(format!("reading the password from stdin: {e}")))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let enrolled = core.login(&server, &user, password, &label)?;
            out.login(&enrolled);
        }
        Command::Sync => {
            let report = output::with_sync_progress(out, |p| core.sync(p))?;
            out.sync(&report);
        }
        Command::Route { date } => out.route(&core.route(date)?),
        Command::Shift {
            action: ShiftAction::Start,
        } => out.shift("started", core.shift_start()?),
        Command::Shift {
            action: ShiftAction::End,
        } => out.shift("ended", core.shift_end()?),
        Command::Track {
            command:
                TrackCommand::Import {
                    file,
                    until,
                    realtime,
                    speed,
                },
        } => {
            let report = track::import(&core, &file, until, realtime.then_some(speed))?;
            out.track(&report);
        }
        Command::Checkin { stop } => out.checkin(&core.check_in(&stop)?),
        Command::Visit {
            command: VisitCommand::Answer { stop, answers },
        } => {
            let n = core.answer(&stop, &answers)?;
            out.answered(&stop, n);
        }
        Command::Visit {
            command: VisitCommand::Complete { stop, outcome },
        } => out.completed(&core.complete(&stop, outcome)?),
        Command::Visit {
            command: VisitCommand::Form { stop },
        } => out.form(&core.visit_form(&stop)?),
        Command::Status => out.status(&core.status()?),
    }
    Ok(())
}
