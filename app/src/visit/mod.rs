//! The collector's visit flow on the device: today's route in visiting order, the check-in
//! guarded by the contact rules and the geofence, the visit questionnaire, and completion.
//! Every step is one local transaction writing its rows and its events; the rules are the
//! shared crate's, so the server re-judges the same evidence the same way.

pub mod checkin;
pub mod complete;
pub mod form;
pub mod route;
pub(crate) mod target;

#[cfg(test)]
mod tests;

pub use target::Target;
