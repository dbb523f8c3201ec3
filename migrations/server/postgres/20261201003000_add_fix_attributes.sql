-- Keys an OsmAnd sender reports beyond the protocol's (Traccar keeps them as attributes), as JSON.
alter table fixes add column attributes text;
