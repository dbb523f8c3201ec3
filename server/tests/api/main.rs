//! Integration tests of the server's HTTP API, run on SQLite always and on PostgreSQL when
//! `DATABASE_URL` is set. One test binary (it links once).

mod harness;

mod auth;
mod basics;
mod blobs;
mod demo;
mod devices;
mod email;
mod exports;
mod form_preview;
mod forms;
mod hostile;
mod imports;
mod live;
mod login_limits;
mod map;
mod openapi;
mod org;
mod osmand;
mod people;
mod permissions;
mod pull;
mod push;
mod reads;
mod reports;
mod reviews;
mod route_admin;
mod shutdown;
mod visit_filters;
mod visit_forms;
mod visits;
