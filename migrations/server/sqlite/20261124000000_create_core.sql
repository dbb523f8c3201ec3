-- Terreno server schema, SQLite flavour (the PostgreSQL file of the same name mirrors it).
-- Conventions: ids are text UUIDs; times are integer milliseconds UTC (`*_ms`); JSON is text;
-- money is integer minor units. Written only inside write transactions, so the `changes.pos`
-- counter is commit-ordered (SQLite has one writer at a time).

-- Tenants. `geofence_policy` and `contact_policy` are the shared crate's policies as JSON
-- (`{}` = defaults; a null contact policy = the default company policy).
create table orgs (
    id text primary key,
    name text not null unique,
    time_zone text not null,
    geofence_policy text not null default '{}',
    contact_policy text,
    created_ms integer not null
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
    active integer not null default 1,
    created_ms integer not null
);

-- Bearer tokens: only the SHA-256 of the 256-bit token is stored.
create table tokens (
    hash blob primary key,
    user_id text not null references users(id),
    created_ms integer not null,
    expires_ms integer not null,
    revoked_ms integer
);
create index tokens_by_user on tokens (user_id);

-- Failed logins per username, for the per-account rate limit (rows older than the window are
-- deleted as new ones arrive).
create table login_failures (
    username text not null,
    at_ms integer not null
);
create index login_failures_by_name on login_failures (username, at_ms);

-- Enrolled devices. `head_seq`/`head_hash`: the contiguous prefix of the device's log the server
-- holds; `max_seen`: the highest seq stored (beyond a gap when > head_seq).
create table devices (
    id text primary key,
    user_id text not null references users(id),
    public_key text not null,
    label text not null,
    enrolled_ms integer not null,
    revoked_ms integer,
    last_seen_ms integer,
    head_seq integer not null default 0,
    head_hash text,
    max_seen integer not null default 0
);
create index devices_by_user on devices (user_id);

-- Every event ever accepted, keyed by (device_id, seq), with the canonical payload.
-- state: pending (stored beyond a gap, not yet projected), applied, rejected (kept as
-- evidence; `reason` says why), deferred (a newer kind or version: kept, not projected).
create table events (
    device_id text not null references devices(id),
    seq integer not null,
    hlc integer not null,
    merge_hlc integer not null,
    kind text not null,
    v integer not null,
    entity text,
    field text,
    base_hlc integer,
    prev_hash text not null,
    hash text not null,
    payload text not null,
    state text not null check (state in ('pending', 'applied', 'rejected', 'deferred')),
    reason text,
    clock_suspect integer not null default 0,
    received_ms integer not null,
    primary key (device_id, seq)
);

-- The signed heads of accepted batches: proof that no event up to `seq` was altered.
create table batch_signatures (
    device_id text not null references devices(id),
    seq integer not null,
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
    lat real,
    lon real,
    phones text not null default '[]',
    balance_minor integer not null,
    currency text not null,
    days_past_due integer not null,
    contact_window text,
    status text not null default 'open' check (status in ('open', 'closed')),
    collector_id text references users(id),
    version integer not null default 1,
    updated_ms integer not null,
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
    position integer not null,
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
    status_epoch integer not null default 0,
    status_rank integer not null default 0,
    status_hlc integer not null default 0,
    status_device text not null default '',
    status_seq integer not null default 0,
    outcome text,
    completed_ms integer,
    submission text,
    flagged integer not null default 0,
    created_ms integer not null
);
create index visits_by_collector on visits (collector_id);
create index visits_by_account on visits (account_id);

-- Last-writer-wins registers: the current value of (entity, field), ordered by
-- (hlc, device_id, seq).
create table field_values (
    entity text not null,
    field text not null,
    value text not null,
    hlc integer not null,
    device_id text not null,
    seq integer not null,
    base_hlc integer,
    primary key (entity, field)
);

-- Edits overwritten by one whose author had not seen them, for supervisors to review.
create table conflicts (
    entity text not null,
    field text not null,
    lost_device text not null,
    lost_seq integer not null,
    won_device text not null,
    won_seq integer not null,
    recorded_ms integer not null,
    primary key (entity, field, lost_device, lost_seq)
);

-- Check-in attempts with both verdicts; `flagged` when the device allowed what the server
-- refuses.
create table checkins (
    device_id text not null,
    seq integer not null,
    visit_id text not null,
    account_id text not null,
    at_ms integer not null,
    device_verdict text not null,
    server_verdict text not null,
    device_allowed integer not null,
    server_allowed integer not null,
    flagged integer not null,
    primary key (device_id, seq)
);
create index checkins_by_visit on checkins (visit_id);

-- Blobs, content-addressed; `received` grows as a resumable upload proceeds.
create table blobs (
    sha256 text primary key,
    bytes integer not null,
    received integer not null default 0,
    media_type text not null,
    stored_name text not null unique,
    complete integer not null default 0,
    created_ms integer not null
);

-- The attachment set of each visit (remove wins).
create table visit_attachments (
    visit_id text not null,
    attachment_id text not null,
    sha256 text,
    media_type text,
    bytes integer,
    role text,
    added_hlc integer,
    added_device text,
    added_seq integer,
    removed integer not null default 0,
    primary key (visit_id, attachment_id)
);

-- Deletion cells, kept forever.
create table deletions (
    entity text primary key,
    hlc integer not null,
    device_id text not null,
    seq integer not null
);

-- GPS fixes (facts) for tracks, and the last position of each device.
create table fixes (
    device_id text not null,
    seq integer not null,
    user_id text not null,
    t_ms integer not null,
    lat real not null,
    lon real not null,
    accuracy_m real not null,
    speed_ms real,
    heading_deg real,
    altitude_m real,
    battery real,
    charging integer,
    mock integer not null default 0,
    primary key (device_id, seq)
);
create index fixes_by_user_time on fixes (user_id, t_ms);

create table last_positions (
    device_id text primary key,
    user_id text not null,
    t_ms integer not null,
    lat real not null,
    lon real not null,
    accuracy_m real not null,
    battery real,
    charging integer,
    received_ms integer not null
);

-- Write transactions that touched the feed: every change row names the one it was made in, so
-- a pull page can end at a transaction boundary and never split one.
create table feed_txns (
    id integer primary key autoincrement,
    created_ms integer not null
);

-- The pull feed: one row per change a device may need, in commit order. `collector_id` is the
-- collector whose scope it belongs to (null: everyone in `team_id`, or the whole org when that
-- is null too). `op` remove tells devices to delete the entity.
create table changes (
    pos integer primary key autoincrement,
    org_id text not null,
    collector_id text,
    team_id text,
    entity_type text not null,
    entity_id text not null,
    op text not null check (op in ('upsert', 'remove')),
    body text not null,
    txn integer not null references feed_txns(id),
    changed_ms integer not null
);
create index changes_by_collector on changes (collector_id, pos);

-- Server-wide settings (`cursor_epoch`: bumped when the feed is compacted; cursors of an
-- older epoch get 409 resync).
create table server_meta (
    key text primary key,
    value text not null
);
insert into server_meta (key, value) values ('cursor_epoch', '1');
