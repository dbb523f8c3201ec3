//! The collector's visit flow on the device: today's route in visiting order, the check-in
//! guarded by the contact rules and the geofence, the visit questionnaire (the organization's
//! XLSForm, evaluated live by the shared engine), and completion.
//! Every step is one local transaction writing its rows and its events; the rules are the
//! shared crate's, so the server re-judges the same evidence the same way.

pub mod answer;
pub mod checkin;
pub mod complete;
pub mod detail;
pub mod form;
pub mod live;
pub mod route;
pub(crate) mod target;
pub(crate) mod typed;

#[cfg(test)]
mod form_tests;
#[cfg(test)]
pub(crate) mod test_forms;
#[cfg(test)]
mod tests;

pub use target::Target;
