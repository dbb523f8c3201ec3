//! Harness of the end-to-end tests: a real `terreno-server` on `127.0.0.1:0` over a fresh
//! database (a temporary SQLite file always; a uniquely named PostgreSQL database when
//! `DATABASE_URL` is set, dropped afterwards), which can be stopped and started again on the
//! same port, and collector devices running the real app core in their own data directories.

#![allow(clippy::missing_panics_doc)]

pub mod device;
pub mod server;

pub use device::TestDevice;
pub use server::{Backend, Seeded, TestServer};

/// The repository's `samples/` folder: the demo route, the sample track and the other small
/// inputs every clone has (the large corpora of `../shared/fixtures` are read elsewhere).
pub fn samples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// Creates it.
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("terreno-e2e-{tag}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&p).expect("creating a temporary directory");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
