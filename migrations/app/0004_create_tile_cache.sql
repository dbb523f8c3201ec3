-- Terreno device store, version 4: the stop map's tile cache.

-- Map tiles the device fetched from its organization's tile server (`OrgSettings.map_tiles`),
-- kept so the stop map shows streets offline wherever the collector has looked before. One row
-- per tile: `source` is the URL template it came from (tiles of a previous tile server are never
-- shown under the current one's credit), `z`/`x`/`y` the web-mercator tile address, `bytes` the
-- image as served (`size` its length) and `content_type` its media type. `fetched_ms` is when it
-- was fetched: past 30 days it is fetched again when the server answers, and served as it is
-- when not. `last_used_ms` is when the map last showed it. The table stays within a byte budget
-- (64 MiB by default): each insert evicts the least recently used tiles in its own transaction.
-- No prefetch: a row exists only because the map asked for that tile.
create table tile_cache (
    source text not null,
    z integer not null,
    x integer not null,
    y integer not null,
    bytes blob not null,
    size integer not null,
    content_type text not null,
    fetched_ms integer not null,
    last_used_ms integer not null,
    primary key (source, z, x, y)
);
create index tile_cache_by_use on tile_cache (last_used_ms);
