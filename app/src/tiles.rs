//! Map tiles for the stop map: served from the encrypted store's `tile_cache` when the device
//! has shown them before, else fetched once from the organization's tile server
//! (`OrgSettings.map_tiles`) and kept. A tile the device cannot get is `None`, never an error:
//! the map is drawn plain without it. A cached tile older than [`STALE_AFTER_MS`] is fetched
//! again when the server answers and served as it is when not.
//!
//! Follows OpenStreetMap's tile usage policy: a User-Agent naming the app, one request per tile
//! the map actually shows (no prefetch, no bulk download), a local cache, and no retry storm
//! (after a transport failure no fetch is tried for [`OFFLINE_BACKOFF_MS`]).
//!
//! Must not: write SQL (that is `store::tile_cache`'s) or hold the store's lock while talking to
//! the network.

use std::io::Read;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::blocking::Client;
use serde::Serialize;
use terreno_shared::api::v1::org::MapTiles;

use crate::core::lock;
use crate::error::{Error, Result};
use crate::store::tile_cache::{self, TileKey};
use crate::store::{Store, device};

/// The cache's default size: a few weeks of one collector's stops at street zoom.
pub const DEFAULT_BUDGET_BYTES: u64 = 64 * 1024 * 1024;
/// Age after which a cached tile is fetched again when online (30 days).
pub const STALE_AFTER_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long fetching pauses after the tile server could not be reached.
pub const OFFLINE_BACKOFF_MS: i64 = 60 * 1000;
/// The deepest zoom asked for (tile servers stop around 19-20; 22 leaves room for others).
pub const MAX_ZOOM: u32 = 22;
/// A tile bigger than this is not an ordinary map tile and is not kept.
const MAX_TILE_BYTES: u64 = 1024 * 1024;
/// OpenStreetMap's policy asks every client to name itself.
const USER_AGENT: &str = concat!(
    "Terreno/",
    env!("CARGO_PKG_VERSION"),
    " (collector app stop map; terreno-app)"
);

/// A map tile's image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tile {
    /// The image as the tile server sent it.
    pub bytes: Vec<u8>,
    /// Its media type (`image/png`).
    pub content_type: String,
}

/// A valid web-mercator tile address: `z <= MAX_ZOOM`, `x` and `y` below `2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileId {
    z: u32,
    x: u32,
    y: u32,
}

impl TileId {
    /// Checks the ranges; an address outside them is [`Error::Invalid`].
    pub fn parse(z: u32, x: u32, y: u32) -> Result<TileId> {
        if z > MAX_ZOOM {
            return Err(Error::Invalid(format!(
                "map tile zoom {z} is out of range: it must be 0 to {MAX_ZOOM}"
            )));
        }
        let side = 1u32 << z;
        if x >= side || y >= side {
            return Err(Error::Invalid(format!(
                "map tile {z}/{x}/{y} does not exist: at zoom {z}, x and y must be 0 to {}",
                side - 1
            )));
        }
        Ok(TileId { z, x, y })
    }

    fn key(self, source: &str) -> TileKey<'_> {
        TileKey {
            source,
            z: self.z,
            x: self.x,
            y: self.y,
        }
    }

    /// The tile's URL from a template with `{z}`, `{x}`, `{y}` (and Leaflet's `{s}`, `{r}`).
    fn url(self, template: &str) -> String {
        template
            .replace("{z}", &self.z.to_string())
            .replace("{x}", &self.x.to_string())
            .replace("{y}", &self.y.to_string())
            .replace("{s}", "a")
            .replace("{r}", "")
    }
}

/// The tile cache's policy and its HTTP client (made on first use: most cores never fetch).
pub(crate) struct Tiles {
    budget_bytes: u64,
    http: OnceLock<Option<Client>>,
    /// Until when (core clock, ms) fetching is paused after an unreachable server.
    paused_until_ms: Mutex<i64>,
}

impl Tiles {
    pub(crate) fn new(budget_bytes: u64) -> Tiles {
        Tiles {
            budget_bytes,
            http: OnceLock::new(),
            paused_until_ms: Mutex::new(i64::MIN),
        }
    }

    /// The tile at `id` of the organization's tile server: cached, fetched, or `None` (no tile
    /// server, not enrolled, or neither cached nor reachable). Errors only for the store.
    pub(crate) fn get(
        &self,
        store: &Mutex<Store>,
        id: TileId,
        now_ms: i64,
    ) -> Result<Option<Tile>> {
        let (source, cached) = {
            let s = lock(store);
            let source = device::find(&s.conn)?
                .and_then(|d| d.settings)
                .and_then(|s| s.map_tiles);
            let Some(source) = source else {
                return Ok(None);
            };
            let cached = tile_cache::find(&s.conn, id.key(&source.url))?;
            (source, cached)
        };
        let key = id.key(&source.url);
        if let Some(c) = cached
            .as_ref()
            .filter(|c| now_ms - c.fetched_ms < STALE_AFTER_MS)
        {
            tile_cache::touch(&lock(store).conn, key, now_ms)?;
            return Ok(Some(Tile {
                bytes: c.bytes.clone(),
                content_type: c.content_type.clone(),
            }));
        }
        if let Some(tile) = self.fetch(&source, id, now_ms) {
            let mut s = lock(store);
            tile_cache::insert(
                &mut s.conn,
                key,
                &tile.bytes,
                &tile.content_type,
                now_ms,
                self.budget_bytes,
            )?;
            return Ok(Some(tile));
        }
        let Some(stale) = cached else {
            return Ok(None);
        };
        tile_cache::touch(&lock(store).conn, key, now_ms)?;
        Ok(Some(Tile {
            bytes: stale.bytes,
            content_type: stale.content_type,
        }))
    }

    /// One GET of the tile; `None` for anything but an image of a sane size. A transport
    /// failure pauses fetching for [`OFFLINE_BACKOFF_MS`], so an offline map costs one timeout.
    fn fetch(&self, source: &MapTiles, id: TileId, now_ms: i64) -> Option<Tile> {
        if now_ms < *lock(&self.paused_until_ms) {
            return None;
        }
        let http = self.http.get_or_init(|| {
            Client::builder()
                .user_agent(USER_AGENT)
                .connect_timeout(Duration::from_secs(4))
                .timeout(Duration::from_secs(8))
                .build()
                .ok()
        });
        let response = match http.as_ref()?.get(id.url(&source.url)).send() {
            Ok(r) => r,
            Err(_) => {
                *lock(&self.paused_until_ms) = now_ms.saturating_add(OFFLINE_BACKOFF_MS);
                return None;
            }
        };
        if !response.status().is_success() {
            return None;
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
            .filter(|v| v.starts_with("image/"))?;
        let mut bytes = Vec::new();
        response
            .take(MAX_TILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        let fits = !bytes.is_empty() && bytes.len() as u64 <= MAX_TILE_BYTES;
        fits.then_some(Tile {
            bytes,
            content_type,
        })
    }
}

#[cfg(test)]
#[path = "tiles_tests.rs"]
mod tests;
