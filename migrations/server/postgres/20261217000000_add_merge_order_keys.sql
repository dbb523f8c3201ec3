-- The merge order as one sortable key per row, so the projection's upserts compare one column
-- and the order is written only in `terreno_shared::sync::stamp`. `visits.status_key` is the
-- status cell's place in the lattice; `field_values.stamp_key`, `deletions.stamp_key` and
-- `visit_attachments.added_key` a write's stamp: fixed-width lowercase hex of `(epoch, rank,
-- hlc with its sign bit flipped, device id, seq)` or `(hlc, device id, seq)`, compared as text.
-- `''` is the bottom (a visit nobody set a status for: `status_device` is `''`; an attachment
-- only ever removed: `added_device` is null). The columns beside the key stay for reading. Existing rows
-- are backfilled with the same encoding (a test compares it with the shared one).
-- `collate "C"` compares bytes whatever the database's locale, as SQLite's `binary` does.
alter table visits add column status_key text collate "C" not null default '';
alter table field_values add column stamp_key text collate "C" not null default '';
alter table deletions add column stamp_key text collate "C" not null default '';
alter table visit_attachments add column added_key text collate "C" not null default '';

update visits set status_key =
    lpad(to_hex(status_epoch), 8, '0') || lpad(to_hex(status_rank), 2, '0')
    || lpad(to_hex(status_hlc # (1::bigint << 63)), 16, '0')
    || replace(lower(status_device), '-', '')
    || lpad(to_hex(status_seq), 16, '0')
where status_device <> '';

update field_values set stamp_key =
    lpad(to_hex(hlc # (1::bigint << 63)), 16, '0')
    || replace(lower(device_id), '-', '')
    || lpad(to_hex(seq), 16, '0');

update deletions set stamp_key =
    lpad(to_hex(hlc # (1::bigint << 63)), 16, '0')
    || replace(lower(device_id), '-', '')
    || lpad(to_hex(seq), 16, '0');

update visit_attachments set added_key =
    lpad(to_hex(added_hlc # (1::bigint << 63)), 16, '0')
    || replace(lower(added_device), '-', '')
    || lpad(to_hex(added_seq), 16, '0')
where added_device is not null;
