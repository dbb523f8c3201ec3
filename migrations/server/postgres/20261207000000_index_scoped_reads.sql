-- Every read a device or a supervisor makes is led by the caller's scope, not the
-- organization (issue 16):
-- - a collector's accounts in key order (the snapshot pages by id), replacing the index on
--   the collector alone;
-- - the feed's rows by team, and within a team the rows of no collector in feed order (a
--   collector's pull reads its team's and everyone's rows of no collector by this index; a
--   supervisor's pull reads their team's rows);
-- - a team's users (a supervisor's reads start from them).
create index accounts_by_collector_id on accounts (collector_id, id);
drop index accounts_by_collector;
create index changes_by_team on changes (team_id, collector_id, xid, pos);
create index users_by_team on users (team_id);
