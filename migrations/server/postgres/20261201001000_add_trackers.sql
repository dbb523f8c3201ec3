-- OsmAnd senders (Traccar Client): devices with no key, registered by the identifier they send.
-- Their positions are stored as an unsigned server-side log (no batch_signatures rows).
alter table devices add column tracker_ident text;
create unique index devices_by_tracker_ident on devices (tracker_ident);
