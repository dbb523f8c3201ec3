-- Supervisors' decisions on the locations check-ins proposed for debtors without one (a
-- `location_capture` server verdict in `checkins`). One row per decided check-in, keyed like the
-- check-in; a capture without a row is pending. `decision`: approved (the point became the
-- account's location, and the account's version grew) or rejected (the proposal is dropped).
create table capture_reviews (
    device_id text not null,
    seq integer not null,
    decision text not null check (decision in ('approved', 'rejected')),
    decided_by text not null references users(id),
    decided_ms integer not null,
    primary key (device_id, seq)
);
