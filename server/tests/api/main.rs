//! The server's integration tests, in one test binary (it links once): the HTTP API, run on
//! SQLite always and on PostgreSQL when `DATABASE_URL` is set (`harness`); the command line run
//! as a process on a temporary SQLite file (`common`, `cli`, `demo_cli`, `import_cli`,
//! `forms_cli`); XLSForms against ODK's pyxform (`forms_pyxform`) and against a corpus of real
//! ones (`forms_corpus`); the form runtime against real forms (`forms_runtime`).

mod common;
mod harness;

mod cli;
mod demo_cli;
mod forms_cli;
mod forms_corpus;
mod forms_pyxform;
mod forms_runtime;
mod import_cli;

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
