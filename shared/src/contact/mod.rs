//! Debt-collection contact rules: may a **person** be contacted (visited) at an instant, and if
//! not, which rule refuses and when the next allowed moment is.
//!
//! Owns the policies and their presets ([`ContactPolicy::colombia_ley_2300`],
//! [`ContactPolicy::default_company`]), local windows such as `08:00-12:00` ([`LocalWindow`]),
//! holiday calendars with Colombia's official holidays ([`colombia_holidays`]) and the decision
//! ([`ContactContext::decide`]). Must not read a clock, a file or the network: the instant, the
//! organization's zone, the holidays and the person's contact history are arguments, so the device
//! and the server reach the same verdict.
//!
//! # Semantics
//!
//! - **Local time.** Days, weeks and hours are those of the organization's IANA zone
//!   ([`ContactContext::time_zone`]). A week is the ISO week, Monday to Sunday. Windows are
//!   half-open: with Saturday hours `08:00-15:00`, 14:59:59 is allowed and 15:00:00 is not.
//!   Windows never cross midnight (parsing refuses them).
//! - **Per person.** The history is every contact with the person across all accounts and
//!   portfolios; the caller merges it. The law limits contacts per person, not per account.
//! - **Whole history, both directions.** A decision asks "would one more contact at `at` keep
//!   the person's history within the rules?". Contacts after `at` count too: a contact synced later
//!   from another device at 14:00 exhausts a one-per-day limit for a visit asked about at 09:00 the
//!   same day, because the day would otherwise hold two. To audit a recorded contact, pass the
//!   history without it (and, for a first-come reading, only the contacts before it).
//! - **Days between visits** are local calendar days, not elapsed hours: with 8 days, a visit on
//!   Monday 2 November at 18:00 allows the next one from Tuesday 10 November at opening, so a
//!   collector's morning route is not blocked by yesterday's evening visit. It is symmetric: a
//!   contact fewer than that many days before *or after* `at` refuses.
//! - **Daylight saving.** Local boundaries map to the instant the wall clock reaches them: a
//!   skipped start opens at the jump, a repeated one at its first pass.
//!
//! # Order of refusing rules
//!
//! A refusal lists every refusing rule; the first is reported as the main one. The order goes
//! from the rule that closes the widest span to the narrowest: the legal calendar
//! ([`Rule::Holiday`], [`Rule::ClosedDay`]), then the person's frequency ([`Rule::TooSoon`],
//! [`Rule::WeeklyLimit`], [`Rule::DailyLimit`]), then the hour of the day
//! ([`Rule::OutsideHours`], [`Rule::OutsideDebtorWindow`]).
//!
//! # Next allowed moment
//!
//! The earliest instant at or after the asked one at which every rule allows a contact, found day
//! by day over at most [`SEARCH_HORIZON_DAYS`] local days (`None` beyond). Deciding at that
//! instant is always [`Decision::Allowed`].

mod decide;
mod holidays;
mod local;
mod policy;
mod rule;
mod window;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use decide::{AllowedInterval, ContactContext, SEARCH_HORIZON_DAYS};
pub use holidays::{
    COLOMBIA_FIRST_YEAR, COLOMBIA_LAST_YEAR, HolidayCalendar, colombia_holidays, easter_sunday,
};
pub use policy::{ContactPolicy, DEFAULT_COMPANY_MIN_DAYS_BETWEEN};
pub use rule::{Decision, Rule};
pub use window::LocalWindow;
