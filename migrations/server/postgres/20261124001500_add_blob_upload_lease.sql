-- A lease on a blob's unfinished upload: the request that holds it is the only one writing the
-- partial file, so two concurrent chunks for the same hash never interleave (also across server
-- processes sharing one blob directory). A lease that outlives its request (a crash) expires
-- at `lease_until_ms` and the next chunk truncates the partial file back to `received`.
alter table blobs add column lease_id text;
alter table blobs add column lease_until_ms bigint;
