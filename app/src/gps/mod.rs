//! GPS: reading track files ([`track_file`]) and recording fixes during shifts ([`recorder`]).

pub mod recorder;
pub mod track_file;
