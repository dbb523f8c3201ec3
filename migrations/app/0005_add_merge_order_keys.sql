-- Terreno device store, version 5: the merge order as one sortable key per row.

-- `visits.status_key` is the status cell's place in the lattice and `fields.stamp_key` a
-- register write's stamp, both as `terreno_shared::sync::stamp` encodes them: fixed-width
-- lowercase hex of `(epoch, rank, hlc with its sign bit flipped, device id, seq)` (the status)
-- or `(hlc, device id, seq)` (a register), so comparing the text compares the merge order.
-- Writes compare this column alone; `''` is the bottom (a visit nobody set a status for).
-- The columns beside it (`status_epoch`, `status_hlc`, `status_device`, `hlc`, ...) stay for
-- reading. A status pulled before this version has no author (`status_device` is null): its key
-- takes the nil device and seq 0, the lowest key of its `(epoch, rank, hlc)`, and the next view
-- of that visit (which names its author) settles it.
alter table visits add column status_key text not null default '';
alter table fields add column stamp_key text not null default '';

update visits set status_key =
    printf('%08x%02x%016x', status_epoch, status_rank,
        case when status_hlc >= 0 then status_hlc | (1 << 63)
             else status_hlc & ~(1 << 63) end)
    || case when status_device is null then '00000000000000000000000000000000'
            else replace(lower(status_device), '-', '') end
    || printf('%016x', coalesce(status_seq, 0))
where status_device is not null or status_rank > 0 or status_hlc <> 0 or status_epoch > 0;

update fields set stamp_key =
    printf('%016x', case when hlc >= 0 then hlc | (1 << 63) else hlc & ~(1 << 63) end)
    || replace(lower(device_id), '-', '')
    || printf('%016x', seq);
