-- Payments received towards an account, and the date a route file's balance is as of (issue 19).
--
-- `payments`: one row per payment the server knows from outside a visit: the creditor's payment
-- files (`source` 'file'). A payment recorded in a visit stays in the visit's submission and is
-- the same payment as a file row with the same reference: readers count them once by
-- `terreno_shared::collection::ReceivedPayment::dedup_key` (the reference trimmed and
-- upper-cased), the rule the device applies to the same facts. 'visit' is reserved for visit
-- payments copied here, which this version does not do.
-- - `amount_minor` > 0 in `currency` (the account's); `paid_on` the local date (YYYY-MM-DD)
--   in the organization's zone; `reference` as written, `reference_key` its dedup key;
--   `channel` as written (bank, PSE, cash...) or null.
-- - Idempotent: one row per (account, reference key). Re-importing a file changes nothing; a
--   row naming a known (account, reference) with other values is kept as first stored.
-- - `line` and `file_name`: where the row came from, for people reading it later.
create table payments (
    id text primary key,
    org_id text not null references orgs(id),
    account_id text not null references accounts(id),
    amount_minor bigint not null check (amount_minor > 0),
    currency text not null,
    paid_on text not null,
    reference text not null,
    reference_key text not null,
    channel text,
    source text not null check (source in ('file', 'visit')),
    file_name text,
    line bigint,
    imported_ms bigint not null,
    unique (account_id, reference_key)
);
create index payments_by_org_date on payments (org_id, paid_on);

-- The creditor's balance of an account is as of the route file's date (`import-routes
-- --as-of`, default the import day): payments dated after it lower it, earlier ones are taken
-- as included. Null for accounts imported before this column existed.
alter table accounts add column balance_as_of text;
