//! What every handler shares: the database and the configuration.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;

/// Application state, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The configuration.
    pub config: Arc<Config>,
}
