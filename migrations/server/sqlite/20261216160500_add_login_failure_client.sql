-- Login attempts also count per client address (the TCP peer, or the address a trusted proxy
-- reports; IPv6 by /64), so one address cannot lock every account out and a locked account
-- still lets its owner in from an address that has not failed. Rows made before this column
-- existed have client '' (an address no request has). A row is an attempt that failed or is
-- still being checked; a successful login deletes its own address's rows for that username.
alter table login_failures add column client text not null default '';
create index login_failures_by_client on login_failures (client, at_ms);
