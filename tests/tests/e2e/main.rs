//! End-to-end tests: a real `terreno-server` and real collector devices (the app core, and the
//! `terreno` CLI as a process), on SQLite always and on PostgreSQL when `DATABASE_URL` is set.

mod cli;
mod concurrent_edits;
mod day_offline;
mod device_life;
mod forked_device;
mod form_media;
mod full_disk;
mod killed_sync;
mod restored_server;
mod visit_form;

/// Declares one test per backend: `both!(name, |backend| { ... })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                ($body)(terreno_tests::Backend::Sqlite);
            }
            #[test]
            fn postgres() {
                ($body)(terreno_tests::Backend::Postgres);
            }
        }
    };
}

use terreno_app::gps::track_file::read_track_file;
use terreno_app::{Core, Error};
use terreno_shared::model::Fix;

/// The fixes of `track_day.jsonl`.
pub fn track_day(samples: &std::path::Path) -> Vec<Fix> {
    read_track_file(&samples.join("track_day.jsonl"))
        .expect("the fixture track reads")
        .fixes
}

/// Records the track's fixes up to `until` (those already stored are skipped by the recorder).
pub fn feed(core: &Core, track: &[Fix], until: chrono::DateTime<chrono::Utc>) {
    let upto: Vec<Fix> = track
        .iter()
        .filter(|f| f.time() <= until)
        .cloned()
        .collect();
    core.record_fixes(&upto).expect("recording fixes");
}

/// The reasons of a refusal, as the device reported them.
pub fn refusal(result: Result<impl std::fmt::Debug, Error>) -> (String, serde_json::Value) {
    match result {
        Err(Error::Refused { message, details }) => (message, details),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
