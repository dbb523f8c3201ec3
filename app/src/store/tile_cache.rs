//! The `tile_cache` table: map tiles the stop map showed, per tile server, within a byte
//! budget. Only SQL: fetching and freshness are `crate::tiles`'.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Context, Result};

/// A tile's address in one tile server's pyramid.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TileKey<'a> {
    /// The tile server's URL template.
    pub source: &'a str,
    pub z: u32,
    pub x: u32,
    pub y: u32,
}

/// A stored tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CachedTile {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub fetched_ms: i64,
}

pub(crate) fn find(conn: &Connection, key: TileKey<'_>) -> Result<Option<CachedTile>> {
    conn.query_row(
        "select bytes, content_type, fetched_ms from tile_cache \
         where source = ?1 and z = ?2 and x = ?3 and y = ?4",
        params![key.source, key.z, key.x, key.y],
        |r| {
            Ok(CachedTile {
                bytes: r.get(0)?,
                content_type: r.get(1)?,
                fetched_ms: r.get(2)?,
            })
        },
    )
    .optional()
    .context("reading a cached map tile")
}

/// Marks a tile as shown now (it moves to the back of the eviction order).
pub(crate) fn touch(conn: &Connection, key: TileKey<'_>, now_ms: i64) -> Result<()> {
    conn.execute(
        "update tile_cache set last_used_ms = ?5 \
         where source = ?1 and z = ?2 and x = ?3 and y = ?4",
        params![key.source, key.z, key.x, key.y, now_ms],
    )
    .context("marking a cached map tile as used")?;
    Ok(())
}

/// Stores (or replaces) a tile fetched now, then evicts the least recently used tiles until the
/// table holds at most `budget_bytes`, in one transaction. The new tile is the most recently
/// used, so it stays as long as it alone fits the budget.
pub(crate) fn insert(
    conn: &mut Connection,
    key: TileKey<'_>,
    bytes: &[u8],
    content_type: &str,
    now_ms: i64,
    budget_bytes: u64,
) -> Result<()> {
    let what = "storing a map tile";
    let tx = crate::store::write_tx(conn)?;
    tx.execute(
        "insert into tile_cache \
         (source, z, x, y, bytes, size, content_type, fetched_ms, last_used_ms) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) \
         on conflict (source, z, x, y) do update set bytes = excluded.bytes, \
         size = excluded.size, content_type = excluded.content_type, \
         fetched_ms = excluded.fetched_ms, last_used_ms = excluded.last_used_ms",
        params![
            key.source,
            key.z,
            key.x,
            key.y,
            bytes,
            i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            content_type,
            now_ms
        ],
    )
    .context(what)?;
    // Newest use first; a tile goes once the ones used after it fill the budget. Ties (same
    // millisecond) keep the later insert.
    tx.execute(
        "delete from tile_cache where rowid in (\
           select rowid from (\
             select rowid, sum(size) over (order by last_used_ms desc, rowid desc \
               rows unbounded preceding) as running from tile_cache) \
           where running > ?1)",
        [i64::try_from(budget_bytes).unwrap_or(i64::MAX)],
    )
    .context("evicting old map tiles")?;
    tx.commit().context(what)
}

/// Bytes of tile images held.
#[cfg(test)]
pub(crate) fn total_bytes(conn: &Connection) -> Result<u64> {
    let total: i64 = conn
        .query_row("select coalesce(sum(size), 0) from tile_cache", [], |r| {
            r.get(0)
        })
        .context("measuring the tile cache")?;
    Ok(u64::try_from(total).unwrap_or_default())
}
