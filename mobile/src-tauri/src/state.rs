//! The shell's managed state: the core (one per app, shared by the command threads: it locks
//! its own store, so a long sync does not hold up a check-in) and the position the shell last
//! received. Every call into the core runs on the blocking pool, never on the async runtime
//! that serves the IPC.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use terreno_app::gps::recorder::Recorded;
use terreno_app::{Clock, Core, CoreConfig};
use terreno_shared::model::Fix;

use crate::battery;
use crate::error::{CommandError, CommandResult};
use crate::position::{self, LastFix, PositionView, Replay, Source};

/// What the shell starts with; the desktop build reads overrides from the environment.
#[derive(Debug, Clone)]
pub struct ShellConfig {
    /// The data directory (database, keys, photos).
    pub data_dir: PathBuf,
    /// A fixed clock (demos and tests replaying a past day), else the system's.
    pub clock: Clock,
    /// A track file to replay as the position source (desktop).
    pub track: Option<PathBuf>,
    /// How the device names itself when it enrolls.
    pub device_label: String,
}

impl ShellConfig {
    /// Defaults for a data directory: system clock, no replay.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        ShellConfig {
            data_dir: data_dir.into(),
            clock: Clock::System,
            track: None,
            device_label: format!("Terreno app ({})", std::env::consts::OS),
        }
    }

    /// `new(default_data_dir)` with the desktop's overrides: `TERRENO_DATA` (data directory),
    /// `TERRENO_TRACK` (a `.gpx`/`.jsonl` to replay), `TERRENO_NOW` (RFC 3339 start of a fixed
    /// clock, which the replay then moves).
    pub fn from_env(default_data_dir: PathBuf) -> Result<Self, String> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let mut config = ShellConfig::new(var("TERRENO_DATA").map_or(default_data_dir, Into::into));
        config.track = var("TERRENO_TRACK").map(PathBuf::from);
        if let Some(now) = var("TERRENO_NOW") {
            let text = now.to_string_lossy();
            let t = DateTime::parse_from_rfc3339(&text)
                .map_err(|e| format!("TERRENO_NOW={text:?} is not an RFC 3339 time: {e}"))?;
            config.clock = Clock::Fixed(t.with_timezone(&Utc));
        }
        Ok(config)
    }
}

/// The managed state (cheap to clone: everything is shared).
#[derive(Clone)]
pub struct Shell {
    core: Arc<Core>,
    live: Arc<Mutex<Live>>,
    data_dir: PathBuf,
    /// How this device names itself when it enrolls.
    pub device_label: String,
}

struct Live {
    source: Source,
    last: Option<LastFix>,
    replay: Option<Replay>,
}

impl Shell {
    /// Opens the core on the data directory and the replay, if any.
    pub fn open(config: ShellConfig) -> CommandResult<Shell> {
        let replay = config.track.as_deref().map(Replay::open).transpose()?;
        let mut core_config = CoreConfig::new(&config.data_dir);
        core_config.clock = config.clock;
        let core = Core::open(core_config)?;
        let source = match (&replay, cfg!(any(target_os = "android", target_os = "ios"))) {
            (Some(_), _) => Source::Replay,
            (None, true) => Source::Device,
            (None, false) => Source::None,
        };
        Ok(Shell {
            core: Arc::new(core),
            live: Arc::new(Mutex::new(Live {
                source,
                last: None,
                replay,
            })),
            data_dir: config.data_dir,
            device_label: config.device_label,
        })
    }

    /// Runs a core use case on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Core) -> terreno_app::Result<T> + Send + 'static,
    {
        let core = Arc::clone(&self.core);
        tauri::async_runtime::spawn_blocking(move || f(&core).map_err(CommandError::from))
            .await
            .map_err(|e| CommandError::new("internal", format!("a core call panicked: {e}")))?
    }

    /// Runs shell work that calls the core (several steps) on the blocking pool.
    pub async fn with<T, F>(&self, f: F) -> CommandResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Shell) -> CommandResult<T> + Send + 'static,
    {
        let shell = self.clone();
        tauri::async_runtime::spawn_blocking(move || f(&shell))
            .await
            .map_err(|e| CommandError::new("internal", format!("a shell call panicked: {e}")))?
    }

    /// The core, for synchronous steps inside [`Shell::with`].
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// The data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        // Every field is replaced whole, so a panic elsewhere leaves it consistent.
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands fixes to the recorder (stamped with the battery when they carry none) and keeps
    /// the newest as the live position.
    pub fn record(&self, fixes: Vec<Fix>) -> CommandResult<Recorded> {
        let fixes = position::with_battery(fixes, battery::read());
        let recorded = self.core.record_fixes(&fixes)?;
        if let Some(newest) = fixes.iter().max_by_key(|f| f.time()) {
            let mut live = self.live();
            if live.last.as_ref().is_none_or(|l| l.at <= newest.time()) {
                live.last = Some(LastFix::from(newest));
            }
        }
        Ok(recorded)
    }

    /// Moves the desktop replay (and the core's clock) to `at`, recording the fixes up to it.
    pub fn replay_to(&self, at: DateTime<Utc>) -> CommandResult<PositionView> {
        let fixes = {
            let mut live = self.live();
            let replay = live.replay.as_mut().ok_or_else(|| {
                CommandError::new(
                    "invalid",
                    "no track file is being replayed: start the app with TERRENO_TRACK=FILE",
                )
            })?;
            replay.advance_to(at)
        };
        self.core.set_clock(Clock::Fixed(at));
        self.record(fixes)?;
        Ok(self.position())
    }

    /// Position, battery and source now.
    pub fn position(&self) -> PositionView {
        let live = self.live();
        PositionView {
            source: live.source,
            last: live.last.clone(),
            battery: battery::read(),
            replay: live.replay.as_ref().map(Replay::info),
        }
    }
}
