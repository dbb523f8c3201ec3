-- Loads and closings look up an account's stops (unique (route_id, account_id) cannot serve that).
create index stops_by_account on stops (account_id);
