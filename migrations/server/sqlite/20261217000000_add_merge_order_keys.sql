-- The merge order as one sortable key per row, so the projection's upserts compare one column
-- and the order is written only in `terreno_shared::sync::stamp`. `visits.status_key` is the
-- status cell's place in the lattice; `field_values.stamp_key`, `deletions.stamp_key` and
-- `visit_attachments.added_key` a write's stamp: fixed-width lowercase hex of `(epoch, rank,
-- hlc with its sign bit flipped, device id, seq)` or `(hlc, device id, seq)`, compared as text.
-- `''` is the bottom (a visit nobody set a status for: `status_device` is `''`; an attachment
-- only ever removed: `added_device` is null). The columns beside the key stay for reading. Existing rows
-- are backfilled with the same encoding (a test compares it with the shared one).
alter table visits add column status_key text not null default '';
alter table field_values add column stamp_key text not null default '';
alter table deletions add column stamp_key text not null default '';
alter table visit_attachments add column added_key text not null default '';

update visits set status_key =
    printf('%08x%02x%016x', status_epoch, status_rank,
        case when status_hlc >= 0 then status_hlc | (1 << 63)
             else status_hlc & ~(1 << 63) end)
    || replace(lower(status_device), '-', '')
    || printf('%016x', status_seq)
where status_device <> '';

update field_values set stamp_key =
    printf('%016x', case when hlc >= 0 then hlc | (1 << 63) else hlc & ~(1 << 63) end)
    || replace(lower(device_id), '-', '')
    || printf('%016x', seq);

update deletions set stamp_key =
    printf('%016x', case when hlc >= 0 then hlc | (1 << 63) else hlc & ~(1 << 63) end)
    || replace(lower(device_id), '-', '')
    || printf('%016x', seq);

update visit_attachments set added_key =
    printf('%016x', case when added_hlc >= 0 then added_hlc | (1 << 63)
                         else added_hlc & ~(1 << 63) end)
    || replace(lower(added_device), '-', '')
    || printf('%016x', added_seq)
where added_device is not null;
