-- The live map and the reports read a day at a time: stops by planned day, a stop's visits,
-- check-ins by time. Without these each read scans the whole history.
create index stops_by_planned_date on stops (planned_date);
create index visits_by_stop on visits (stop_id, created_ms);
create index checkins_by_time on checkins (at_ms);
