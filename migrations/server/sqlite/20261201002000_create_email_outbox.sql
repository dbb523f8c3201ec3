-- Where a user gets visit emails (supervisors; admins when a team has no supervisor).
alter table users add column email text;

-- One row per completed visit, written in the transaction that completed it; a sender
-- delivers it (see server/src/mail). `claimed_until_ms` is a sender's lease, so several
-- servers on one PostgreSQL never send a row at the same time.
create table email_outbox (
    id text primary key,
    visit_id text not null references visits(id),
    completed_ms integer not null,
    created_ms integer not null,
    next_attempt_ms integer not null,
    attempts integer not null default 0,
    claimed_until_ms integer,
    sent_ms integer,
    gave_up_ms integer,
    last_error text,
    unique (visit_id, completed_ms)
);
create index email_outbox_due on email_outbox (next_attempt_ms)
    where sent_ms is null and gave_up_ms is null;
