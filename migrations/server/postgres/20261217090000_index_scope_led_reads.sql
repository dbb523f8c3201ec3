-- The map, the visit list, the reports and the exports are led by the caller's scope, not the
-- organization (issue 16): a supervisor's and a collector's reads start from their users and
-- reach their rows through these keys.
-- - a route's stops of one day (the map's day stops, through the users' routes);
-- - an account's check-ins by time, and a device's (the refusal report's two owner rules, the
--   map's refusals);
-- - a user's last positions (the map's and the live feed's, through the team's users).
create index stops_by_route_day on stops (route_id, planned_date);
create index checkins_by_account on checkins (account_id, at_ms);
create index checkins_by_device_time on checkins (device_id, at_ms);
create index last_positions_by_user on last_positions (user_id);
