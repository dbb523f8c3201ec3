-- A supervisor's (or admin's) review of a completed visit, append-only: a new decision is a new
-- row, never an update, so the visit's review history is the rows in order. The latest row
-- (by `created_ms`, then `id`, a time-ordered UUID) is the visit's review state; a visit with
-- no row is pending review.
--   decision     approved | rejected
--   comment      why; never empty for a rejection (the API refuses one without it)
--   reviewer_id  who decided, a supervisor of the visit's team or an admin of its organization
create table visit_reviews (
    id text primary key,
    visit_id text not null references visits(id),
    reviewer_id text not null references users(id),
    decision text not null check (decision in ('approved', 'rejected')),
    comment text not null,
    created_ms integer not null
);
create index visit_reviews_by_visit on visit_reviews (visit_id, created_ms);

-- A visit's edit history reads its `field_set` events by entity.
create index events_by_entity on events (entity, kind);
