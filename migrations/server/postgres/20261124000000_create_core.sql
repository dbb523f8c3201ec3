-- Terreno server schema, PostgreSQL flavour (the SQLite file of the same name mirrors it).
-- Conventions: ids are text UUIDs; times are integer milliseconds UTC (`*_ms`); JSON is text;
-- money is integer minor units. `changes` is read by (xid, pos) below the oldest transaction in
-- progress: a sequence alone is not commit-ordered (SYNC.md).

-- Tenants. `geofence_policy` and `contact_policy` are the shared crate's policies as JSON
-- (`{}` = defaults; a null contact policy = the default company policy).
create table orgs (
    id text primary key,
    name text not null unique,
    time_zone text not null,
    geofence_policy text not null default '{}',
    contact_policy text,
    created_ms bigint not null
);

create table teams (
    id text primary key,
    org_id text not null references orgs(id),
    name text not null,
    unique (org_id, name)
);

-- Usernames are global (login names a user without naming the organization). An invited user
-- has no password_hash and cannot log in until an admin sets one.
create table users (
    id text primary key,
    org_id text not null references orgs(id),
    team_id text references teams(id),
    username text not null unique,
    display_name text not null,
    role text not null check (role in ('admin', 'supervisor', 'collector')),
    password_hash text,
    active boolean not null default true,
    created_ms bigint not null
);

-- Bearer tokens: only the SHA-256 of the 256-bit token is stored.
create table tokens (
    hash bytea primary key,
    user_id text not null references users(id),
    created_ms bigint not null,
    expires_ms bigint not null,
    revoked_ms bigint
);
create index tokens_by_user on tokens (user_id);

-- Failed logins per username, for the per-account rate limit (rows older than the window are
-- deleted as new ones arrive).
create table login_failures (
    username text not null,
    at_ms bigint not null
);
create index login_failures_by_name on login_failures (username, at_ms);

-- Enrolled devices. `head_seq`/`head_hash`: the contiguous prefix of the device's log the server
-- holds; `max_seen`: the highest seq stored (beyond a gap when > head_seq).
create table devices (
    id text primary key,
    user_id text not null references users(id),
    public_key text not null,
    label text not null,
    enrolled_ms bigint not null,
    revoked_ms bigint,
    last_seen_ms bigint,
    head_seq bigint not null default 0,
    head_hash text,
    max_seen bigint not null default 0
);
create index devices_by_user on devices (user_id);

-- Every event ever accepted, keyed by (device_id, seq), with the canonical payload.
-- state: pending (stored beyond a gap, not yet projected), applied, rejected (kept as
-- evidence; `reason` says why), deferred (a newer kind or version: kept, not projected).
create table events (
    device_id text not null references devices(id),
    seq bigint not null,
    hlc bigint not null,
    merge_hlc bigint not null,
    kind text not null,
    v bigint not null,
    entity text,
    field text,
    base_hlc bigint,
    prev_hash text not null,
    hash text not null,
    payload text not null,
    state text not null check (state in ('pending', 'applied', 'rejected', 'deferred')),
    reason text,
    clock_suspect boolean not null default false,
    received_ms bigint not null,
    primary key (device_id, seq)
);

-- The signed heads of accepted batches: proof that no event up to `seq` was altered.
create table batch_signatures (
    device_id text not null references devices(id),
    seq bigint not null,
    hash text not null,
    signature text not null,
    primary key (device_id, seq)
);

create table portfolios (
    id text primary key,
    org_id text not null references orgs(id),
    name text not null,
    currency text not null,
    unique (org_id, name)
);

-- Debtors as people, by national id document within an organization.
create table persons (
    id text primary key,
    org_id text not null references orgs(id),
    doc_kind text not null,
    doc_number text not null,
    name text not null,
    unique (org_id, doc_kind, doc_number)
);

-- Debt accounts (server-authored: reach devices as whole records with `version`).
create table accounts (
    id text primary key,
    portfolio_id text not null references portfolios(id),
    external_id text not null,
    person_id text references persons(id),
    debtor_name text not null,
    address text not null,
    neighbourhood text,
    lat double precision,
    lon double precision,
    phones text not null default '[]',
    balance_minor bigint not null,
    currency text not null,
    days_past_due bigint not null,
    contact_window text,
    status text not null default 'open' check (status in ('open', 'closed')),
    collector_id text references users(id),
    version bigint not null default 1,
    updated_ms bigint not null,
    unique (portfolio_id, external_id)
);
create index accounts_by_collector on accounts (collector_id);

-- A collector's route for a date, and its ordered stops.
create table routes (
    id text primary key,
    collector_id text not null references users(id),
    route_date text not null,
    unique (collector_id, route_date)
);

create table stops (
    id text primary key,
    route_id text not null references routes(id),
    account_id text not null references accounts(id),
    planned_date text not null,
    position bigint not null,
    unique (route_id, account_id)
);

-- Visits as folded from events. The status columns hold the lattice cell
-- (epoch, rank, hlc, device, seq); `submission` is the submitted visit as JSON.
create table visits (
    id text primary key,
    account_id text not null references accounts(id),
    collector_id text not null references users(id),
    stop_id text,
    status text not null default 'planned',
    status_epoch bigint not null default 0,
    status_rank bigint not null default 0,
    status_hlc bigint not null default 0,
    status_device text not null default '',
    status_seq bigint not null default 0,
    outcome text,
    completed_ms bigint,
    submission text,
    flagged boolean not null default false,
    created_ms bigint not null
);
create index visits_by_collector on visits (collector_id);
create index visits_by_account on visits (account_id);

-- Last-writer-wins registers: the current value of (entity, field), ordered by
-- (hlc, device_id, seq).
create table field_values (
    entity text not null,
    field text not null,
    value text not null,
    hlc bigint not null,
    device_id text not null,
    seq bigint not null,
    base_hlc bigint,
    primary key (entity, field)
);

-- Edits overwritten by one whose author had not seen them, for supervisors to review.
create table conflicts (
    entity text not null,
    field text not null,
    lost_device text not null,
    lost_seq bigint not null,
    won_device text not null,
    won_seq bigint not null,
    recorded_ms bigint not null,
    primary key (entity, field, lost_device, lost_seq)
);

-- Check-in attempts with both verdicts; `flagged` when the device allowed what the server
-- refuses.
create table checkins (
    device_id text not null,
    seq bigint not null,
    visit_id text not null,
    account_id text not null,
    at_ms bigint not null,
    device_verdict text not null,
    server_verdict text not null,
    device_allowed boolean not null,
    server_allowed boolean not null,
    flagged boolean not null,
    primary key (device_id, seq)
);
create index checkins_by_visit on checkins (visit_id);

-- Blobs, content-addressed; `received` grows as a resumable upload proceeds.
create table blobs (
    sha256 text primary key,
    bytes bigint not null,
    received bigint not null default 0,
    media_type text not null,
    stored_name text not null unique,
    complete boolean not null default false,
    created_ms bigint not null
);

-- The attachment set of each visit (remove wins).
create table visit_attachments (
    visit_id text not null,
    attachment_id text not null,
    sha256 text,
    media_type text,
    bytes bigint,
    role text,
    added_hlc bigint,
    added_device text,
    added_seq bigint,
    removed boolean not null default false,
    primary key (visit_id, attachment_id)
);

-- Deletion cells, kept forever.
create table deletions (
    entity text primary key,
    hlc bigint not null,
    device_id text not null,
    seq bigint not null
);

-- GPS fixes (facts) for tracks, and the last position of each device.
create table fixes (
    device_id text not null,
    seq bigint not null,
    user_id text not null,
    t_ms bigint not null,
    lat double precision not null,
    lon double precision not null,
    accuracy_m double precision not null,
    speed_ms double precision,
    heading_deg double precision,
    altitude_m double precision,
    battery double precision,
    charging boolean,
    mock boolean not null default false,
    primary key (device_id, seq)
);
create index fixes_by_user_time on fixes (user_id, t_ms);

create table last_positions (
    device_id text primary key,
    user_id text not null,
    t_ms bigint not null,
    lat double precision not null,
    lon double precision not null,
    accuracy_m double precision not null,
    battery double precision,
    charging boolean,
    received_ms bigint not null
);

-- Write transactions that touched the feed: every change row names the one it was made in, so
-- a pull page can end at a transaction boundary and never split one.
create table feed_txns (
    id bigserial primary key,
    created_ms bigint not null
);

-- The pull feed: one row per change a device may need, in commit order. `collector_id` is the
-- collector whose scope it belongs to (null: everyone in `team_id`, or the whole org when that
-- is null too). `op` remove tells devices to delete the entity.
create table changes (
    pos bigserial primary key,
    xid xid8 not null default pg_current_xact_id(),
    org_id text not null,
    collector_id text,
    team_id text,
    entity_type text not null,
    entity_id text not null,
    op text not null check (op in ('upsert', 'remove')),
    body text not null,
    txn bigint not null references feed_txns(id),
    changed_ms bigint not null
);
create index changes_by_xid on changes (xid, pos);
create index changes_by_collector on changes (collector_id, xid, pos);

-- Server-wide settings (`cursor_epoch`: bumped when the feed is compacted; cursors of an
-- older epoch get 409 resync).
create table server_meta (
    key text primary key,
    value text not null
);
insert into server_meta (key, value) values ('cursor_epoch', '1');
