-- Terreno device store, version 1 (applied by `PRAGMA user_version`; see app/src/store/schema.rs).
-- Conventions: ids are text UUIDs; times are integer milliseconds UTC (`*_ms`); JSON is text;
-- hashes are 32-byte blobs; money is integer minor units.

-- The enrolled device: identity, the head of its own log and the sync bookkeeping. One row.
-- `last_seq`/`last_hash`/`clock_hlc` are the LogHead, written in the same transaction as every
-- event. `server_head` is what the server last said it holds (informational: pushes always
-- resume from the server's answer, never from this). `pull_cursor` is the feed cursor of the
-- last applied page; `snapshot_cursor` is set while bootstrapping after a `409 resync`, and
-- `snapshot_gen` numbers the bootstraps (rows a bootstrap did not bring are swept at its end).
-- `public_key` is the enrolled key, checked against the key file on every open.
create table device (
    id integer primary key check (id = 1),
    device_id text not null,
    public_key text not null,
    server_url text not null,
    user_id text not null,
    username text not null,
    display_name text not null,
    role text not null,
    token text,
    token_expires_ms integer,
    last_seq integer not null default 0,
    last_hash blob not null,
    clock_hlc integer not null default 0,
    server_head integer not null default 0,
    pull_cursor text,
    snapshot_cursor text,
    snapshot_gen integer not null default 0,
    clock_offset_ms integer not null default 0,
    last_sync_ms integer,
    settings text
);

-- The device's own log (the outbox): gapless `seq` from 1, each row the sealed event and its
-- hash. Never updated except for `acked_ms` (the server's head reached it) and the parking of
-- an event the server rejected on its own (`rejected_*`: evidence, never re-sent). Rows whose
-- acknowledgement is older than the retention are deleted; the chain continues from
-- `device.last_hash`.
create table events (
    seq integer primary key,
    hlc integer not null,
    kind text not null,
    v integer not null,
    entity text,
    field text,
    base_hlc integer,
    prev_hash blob not null,
    hash blob not null,
    payload text not null,
    created_ms integer not null,
    acked_ms integer,
    rejected_code text,
    rejected_message text
);
create index events_unacked on events (seq) where acked_ms is null;

-- GPS fixes recorded during shifts. Each was written with its `fix` event (`seq`), which is
-- what syncs; the row keeps the whole fix, so the geofence and the route read it without
-- decoding payloads and it outlives its event (pruned after the retention, or re-sealed under
-- a new device id after a fork). `seq` is null once the event is gone.
create table fixes (
    id integer primary key,
    seq integer unique,
    t_ms integer not null,
    lat real not null,
    lon real not null,
    accuracy_m real not null,
    speed_ms real,
    heading_deg real,
    altitude_m real,
    battery real,
    charging integer,
    provider text not null,
    mock integer not null,
    flagged integer not null
);
create index fixes_by_time on fixes (t_ms);

-- Shifts the collector started and ended; fixes are recorded only inside one.
create table shifts (
    start_ms integer primary key,
    end_ms integer
);

-- Server-authored records of the device's scope, as pulled (the newest `version` wins).
-- `body` is the shared crate's AccountView / StopView JSON; `snapshot_gen` is the bootstrap
-- that last brought the row.
create table accounts (
    id text primary key,
    external_id text not null,
    person_id text,
    version integer not null,
    body text not null,
    snapshot_gen integer not null default 0
);
create index accounts_by_external_id on accounts (external_id);
create index accounts_by_person on accounts (person_id);

create table stops (
    id text primary key,
    account_id text not null,
    planned_date text not null,
    position integer not null,
    body text not null,
    snapshot_gen integer not null default 0
);
create index stops_by_account on stops (account_id);
create index stops_by_date on stops (planned_date);

-- Visits, from this device's own events and from pulled VisitViews, merged by the status
-- lattice: a local write climbs by `(status_epoch, rank, status_hlc)`; a pulled view at an equal
-- or higher `(status_epoch, rank)` is taken whole (the server settled ties and clamped stamps),
-- a lower one is a late page and ignored. `status_device`/`status_seq` name the local event that
-- set the status (null when it came from the server). `deleted` is kept forever.
create table visits (
    id text primary key,
    account_id text not null,
    stop_id text,
    status text not null,
    status_epoch integer not null,
    status_rank integer not null,
    status_hlc integer not null,
    status_device text,
    status_seq integer,
    outcome text,
    checked_in_ms integer,
    completed_ms integer,
    flagged integer not null default 0,
    deleted integer not null default 0
);
create index visits_by_account on visits (account_id);

-- Last-writer-wins registers (visit fields and questionnaire answers): the value with the
-- greatest `(hlc, device_id, seq)` wins, local edits and pulled FieldViews alike. A pulled view
-- of the stored write itself (same device and seq) replaces its stamp: the server may have
-- merged a write from a clock too far ahead with its own stamp, and later writes compare
-- against that.
create table fields (
    entity text not null,
    field text not null,
    value text not null,
    hlc integer not null,
    device_id text not null,
    seq integer not null,
    primary key (entity, field)
);

-- Check-in attempts (this device's and pulled ones), with both verdicts once the server judged.
create table checkins (
    device_id text not null,
    seq integer not null,
    visit_id text not null,
    account_id text not null,
    at_ms integer not null,
    device_verdict text not null,
    server_verdict text,
    flagged integer not null default 0,
    primary key (device_id, seq)
);
create index checkins_by_visit on checkins (visit_id);
