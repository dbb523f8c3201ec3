//! Tests of media files: the readers (`parsers`: CSV, XML, GeoJSON, names) and the lookups the
//! runtime makes with them (`lookups`: `pulldata`, `instance()`, `select_one_from_file`, missing
//! files).

mod lookups;
mod parsers;
