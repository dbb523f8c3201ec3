-- Terreno device store, version 6: payments received towards the accounts of the device's scope
-- (issue 19), pulled as `payment` changes (`terreno_shared::api::v1::views::PaymentView`).
--
-- Facts from the creditor's payment files: stored once, never changed; deleted with their
-- account when it leaves the scope. A payment the collector recorded in a visit stays in that
-- visit's answers; a row here with the same reference is the same payment, and the collection
-- rules count the two once (`ReceivedPayment::dedup_key`).
-- `amount_minor` > 0 in `currency`; `paid_on` the local date (YYYY-MM-DD); `body` the record
-- as pulled; `snapshot_gen` as for accounts (a resync sweeps what it did not bring).
create table payments (
    id text primary key,
    account_id text not null,
    amount_minor integer not null,
    currency text not null,
    paid_on text not null,
    reference text not null,
    channel text,
    body text not null,
    snapshot_gen integer not null default 0
);
create index payments_by_account on payments (account_id, paid_on);
