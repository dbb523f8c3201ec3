//! Server configuration: one [`Config`], read once in `main` from flags and `TERRENO_*`
//! environment variables, built as a literal in tests. Secrets never appear in `Debug`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::db::DbUrl;
use crate::import::bounds::WorkbookLimits;

/// Everything the server needs to know at start.
#[derive(Clone)]
pub struct Config {
    /// The database.
    pub db: DbUrl,
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    /// Where uploaded attachments are kept (server-generated names only).
    pub blob_dir: PathBuf,
    /// How long a login token lasts. Collectors work offline for days, so this is long.
    pub token_ttl: Duration,
    /// Largest request body as sent (compressed).
    pub max_body_bytes: usize,
    /// Largest request body once decompressed (zip-bomb guard).
    pub max_decompressed_bytes: usize,
    /// Largest number of events in one push batch.
    pub max_events_per_batch: usize,
    /// Limits of uploaded workbooks (route imports and forms): what each XLSX part may
    /// inflate to, the guard against zip bombs inside the file.
    pub workbook: WorkbookLimits,
    /// Largest attachment.
    pub max_blob_bytes: u64,
    /// Failed logins per account per minute before further attempts are refused (except one
    /// try from each address that has not failed: see `auth::limit`).
    pub max_failed_logins_per_minute: u32,
    /// Failed logins per client address per minute, over all accounts, before further
    /// attempts from it are refused.
    pub max_failed_logins_per_address_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (exact addresses); empty: the
    /// header is ignored and the TCP peer is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Password hashes computed at once (each takes ~19 MiB and one core).
    pub password_hash_workers: usize,
    /// Password checks waiting for a worker before further ones are answered 503.
    pub password_hash_queue: usize,
    /// The URL people reach the server at (links in emails).
    pub public_url: String,
    /// Battery fraction below which the live feed sends `low_battery`.
    pub low_battery: f64,
    /// Silence after which the live feed sends `device_offline`.
    pub offline_after: Duration,
    /// On shutdown, how long requests still running may finish before the server stops
    /// without them (live feeds are closed at once).
    pub shutdown_grace: Duration,
    /// Silence after which the dashboard shows a collector as late rather than live (silent
    /// from `offline_after` on).
    pub late_after: Duration,
    /// The dashboard map's tile URL template (`{z}/{x}/{y}`, Leaflet's syntax); `None` draws the
    /// map on a plain background (no network needed).
    pub tile_url: Option<String>,
    /// The credit the tile server requires, shown on the map.
    pub tile_attribution: String,
}

/// OpenStreetMap's standard tiles, the dashboard's default.
pub const OSM_TILE_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
/// The credit OpenStreetMap's tile usage policy asks for.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";

impl Config {
    /// Defaults for a database, listening on `listen`.
    pub fn new(db: DbUrl, listen: SocketAddr) -> Config {
        let blob_dir = match &db {
            DbUrl::Sqlite(path) => {
                let mut p = path.clone().into_os_string();
                p.push(".blobs");
                PathBuf::from(p)
            }
            DbUrl::Postgres(_) => PathBuf::from("terreno-blobs"),
        };
        Config {
            db,
            listen,
            blob_dir,
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_body_bytes: 16 * 1024 * 1024,
            max_decompressed_bytes: 64 * 1024 * 1024,
            max_events_per_batch: terreno_shared::sync::batch::MAX_EVENTS_PER_BATCH,
            workbook: WorkbookLimits::default(),
            max_blob_bytes: 25 * 1024 * 1024,
            max_failed_logins_per_minute: 10,
            max_failed_logins_per_address_per_minute: 30,
            trusted_proxies: Vec::new(),
            password_hash_workers: crate::auth::hasher::cores(),
            // About half a second of waiting at most, at tens of milliseconds a hash.
            password_hash_queue: 16 * crate::auth::hasher::cores(),
            public_url: format!("http://{listen}"),
            low_battery: 0.15,
            offline_after: Duration::from_secs(10 * 60),
            shutdown_grace: Duration::from_secs(8),
            late_after: Duration::from_secs(2 * 60),
            tile_url: Some(OSM_TILE_URL.to_owned()),
            tile_attribution: OSM_ATTRIBUTION.to_owned(),
        }
    }

    /// Sets the dashboard's tiles from `--tile-url` and `--tile-attribution`: no URL keeps
    /// OpenStreetMap, an empty one means no tiles; no attribution keeps the current one.
    pub fn set_tiles(&mut self, url: Option<&str>, attribution: Option<&str>) {
        if let Some(url) = url {
            let url = url.trim();
            self.tile_url = (!url.is_empty()).then(|| url.to_owned());
        }
        if let Some(credit) = attribution {
            self.tile_attribution = credit.to_owned();
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let db = match &self.db {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(url) => redact_url(url),
        };
        f.debug_struct("Config")
            .field("db", &db)
            .field("listen", &self.listen)
            .field("blob_dir", &self.blob_dir)
            .field("token_ttl", &self.token_ttl)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_decompressed_bytes", &self.max_decompressed_bytes)
            .field("max_events_per_batch", &self.max_events_per_batch)
            .field("workbook", &self.workbook)
            .field("max_blob_bytes", &self.max_blob_bytes)
            .field("public_url", &self.public_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("password_hash_workers", &self.password_hash_workers)
            .field("tile_url", &self.tile_url)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/terreno"),
            "postgres://app:***@db:5432/terreno"
        );
        assert_eq!(redact_url("postgres://app@db/t"), "postgres://app@db/t");
        let c = Config::new(
            DbUrl::Postgres("postgres://a:pw@h/d".into()),
            "127.0.0.1:0".parse().unwrap(),
        );
        assert!(!format!("{c:?}").contains("pw"));
    }

    #[test]
    fn an_empty_tile_url_means_no_tiles_and_none_keeps_openstreetmap() {
        let mut c = Config::new(DbUrl::Sqlite("t.db".into()), "127.0.0.1:0".parse().unwrap());
        c.set_tiles(None, None);
        assert_eq!(c.tile_url.as_deref(), Some(OSM_TILE_URL));

        c.set_tiles(
            Some("https://tiles.example/{z}/{x}/{y}.png"),
            Some("© Example"),
        );
        assert_eq!(
            c.tile_url.as_deref(),
            Some("https://tiles.example/{z}/{x}/{y}.png")
        );
        assert_eq!(c.tile_attribution, "© Example");

        c.set_tiles(Some(" "), None);
        assert_eq!(c.tile_url, None);
    }
}
