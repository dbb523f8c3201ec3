//! The server's clock: the system clock, or, when `TERRENO_NOW` (or `--now`) gives an instant,
//! a clock started at that instant that runs on from there at the system clock's pace, for
//! tests and demos of what time decides (a promise falling due, the import day). The device's
//! `--now` does the same for the app.
//!
//! One clock per process, set once at startup by the command line before anything reads it:
//! every "now" of the server (receive stamps, `*_ms` columns, today's date in an organization's
//! zone) comes from [`now`] or [`now_ms`], so a set clock moves all of them together. Tests that
//! run several servers in one process never set it; they set it on the `terreno-server` binary.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};

/// Milliseconds added to the system clock (0: the system clock).
static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// Starts the process's clock at `instant`: from now on [`now`] answers `instant` plus the
/// time elapsed since this call.
pub fn start_at(instant: DateTime<Utc>) {
    OFFSET_MS.store(offset_ms(instant, Utc::now()), Ordering::Relaxed);
}

/// The server's current instant.
pub fn now() -> DateTime<Utc> {
    shifted(Utc::now(), OFFSET_MS.load(Ordering::Relaxed))
}

/// The server's current instant in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    now().timestamp_millis()
}

/// The offset that makes the system instant `system` read as `instant`.
fn offset_ms(instant: DateTime<Utc>, system: DateTime<Utc>) -> i64 {
    instant.timestamp_millis() - system.timestamp_millis()
}

fn shifted(system: DateTime<Utc>, offset_ms: i64) -> DateTime<Utc> {
    system + TimeDelta::milliseconds(offset_ms)
}

/// Reads an RFC 3339 instant (`2026-11-27T08:00:00-05:00`), as `TERRENO_NOW` takes it.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("{s:?} is not an RFC 3339 instant like 2026-11-27T08:00:00-05:00: {e}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_instant(s).expect("an instant")
    }

    #[test]
    fn a_started_clock_reads_its_start_then_runs_on() {
        let start = at("2026-11-27T08:00:00-05:00");
        let system = at("2030-01-01T00:00:00Z");
        let offset = offset_ms(start, system);
        assert_eq!(shifted(system, offset), start);
        let later = system + TimeDelta::seconds(90);
        assert_eq!(shifted(later, offset), start + TimeDelta::seconds(90));
    }

    #[test]
    fn an_unset_clock_is_the_system_clock() {
        let system = at("2026-01-02T03:04:05Z");
        assert_eq!(shifted(system, 0), system);
    }

    #[test]
    fn instants_need_a_zone() {
        assert_eq!(at("2026-11-27T08:00:00-05:00"), at("2026-11-27T13:00:00Z"));
        assert!(parse_instant("2026-11-27 08:00").is_err());
        assert!(parse_instant("2026-11-27").is_err());
    }
}
