-- A token that enrolled a device speaks for that device from then on: once the device is
-- revoked, every request with the token answers 403 `device_revoked` (wipe), whatever the
-- endpoint. Null for tokens that never enrolled a device (the dashboard's, an admin's).
alter table tokens add column device_id text references devices(id);
