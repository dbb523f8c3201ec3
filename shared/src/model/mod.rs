//! Validated domain types. One file per aggregate; every type is built through `parse`,
//! `new` (when it cannot fail) or `TryFrom`, so a value that exists is a valid value.

pub mod account;
pub mod delinquency;
pub mod device;
pub mod money;
pub mod org;
pub mod person;
pub mod phone;
pub mod position;
pub mod route;
pub mod submission;
pub(crate) mod text;
pub mod username;
pub mod visit;

pub use account::{AccountStatus, DebtorAccount, ExternalId, Portfolio};
pub use delinquency::{DaysPastDue, DelinquencyBucket};
pub use device::Device;
pub use money::{Currency, Money};
pub use org::{Organization, Role, Team, User};
pub use person::{DocumentKind, NationalId, Person};
pub use phone::Phone;
pub use position::{BatteryLevel, Fix, GeoPoint, Provider, RawFix};
pub use route::{NewStop, Route, Stop};
pub use submission::{CheckInRecord, Payment, PromiseToPay, Submission};
pub use username::Username;
pub use visit::{Outcome, VisitStatus};
