-- Photos and files attached to visits. The bytes live in the data directory's `blobs/`, one
-- file per content hash, encrypted (AES-256-GCM, key derived from the database key), never in
-- plaintext. `uploaded_ms` is set once the server holds the whole blob; the `attachment_added`
-- event that references it is in `events`.
create table attachments (
    attachment_id text primary key,
    visit_id text not null,
    sha256 text not null,
    media_type text not null,
    bytes integer not null,
    role text not null,
    created_ms integer not null,
    uploaded_ms integer
);
create index attachments_to_upload on attachments (created_ms) where uploaded_ms is null;

-- Pulled changes this build could not read (a newer server's shapes): kept with the reason so
-- the pull can go on, and re-read after an upgrade.
create table skipped_changes (
    id integer primary key,
    entity_type text not null,
    entity_id text not null,
    reason text not null,
    body text not null,
    skipped_ms integer not null
);
