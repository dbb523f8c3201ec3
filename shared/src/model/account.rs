//! Portfolios and debtor accounts: what a creditor hands the agency to collect, one row of the
//! import sheet per account. Money, people and delinquency have their own files (re-exported
//! here): [`money`], [`person`], [`delinquency`].
//!
//! This module owns the account's invariants (non-negative balance, bucket derived from the
//! days, clean address). It must not parse spreadsheet locales or check uniqueness across rows:
//! the importer and storage do that.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::position::GeoPoint;
use super::text::{MAX_ADDRESS_CHARS, MAX_NAME_CHARS, multi_line, one_line, optional_line};
use crate::ValidationError;
use crate::contact::LocalWindow;
use crate::ids::{AccountId, OrgId, PersonId, PortfolioId};

pub use super::delinquency::{DaysPastDue, DelinquencyBucket};
pub use super::money::{Currency, Money, MoneyError};
pub use super::person::{DocumentKind, NationalId, Person, Phone, RawNationalId, RawPerson};

/// A creditor's portfolio (cartera). Its currency is the one the import sheet's balances are
/// in, since sheets carry bare numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPortfolio", into = "RawPortfolio")]
pub struct Portfolio {
    id: PortfolioId,
    org: OrgId,
    name: String,
    currency: Currency,
}

/// The unvalidated JSON shape of a [`Portfolio`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortfolio {
    /// Portfolio id.
    pub id: PortfolioId,
    /// Owning organization.
    pub org: OrgId,
    /// Display name (`Banco X - consumo 2026`).
    pub name: String,
    /// Currency of its balances.
    pub currency: Currency,
}

impl Portfolio {
    /// Validates the name (trimmed, 1 to 200 characters).
    pub fn new(
        id: PortfolioId,
        org: OrgId,
        name: &str,
        currency: Currency,
    ) -> Result<Self, ValidationError> {
        let name = one_line("portfolio name", name, MAX_NAME_CHARS)?;
        Ok(Self {
            id,
            org,
            name,
            currency,
        })
    }
    /// The portfolio's id.
    pub fn id(&self) -> PortfolioId {
        self.id
    }
    /// The organization working it.
    pub fn org(&self) -> OrgId {
        self.org
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Currency of its balances.
    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl TryFrom<RawPortfolio> for Portfolio {
    type Error = ValidationError;
    fn try_from(r: RawPortfolio) -> Result<Self, ValidationError> {
        Self::new(r.id, r.org, &r.name, r.currency)
    }
}

impl From<Portfolio> for RawPortfolio {
    fn from(p: Portfolio) -> Self {
        RawPortfolio {
            id: p.id,
            org: p.org,
            name: p.name,
            currency: p.currency,
        }
    }
}

/// The creditor's code for an account (`CL-100000`): trimmed, 1 to 64 characters, no control
/// characters; inner spaces and case are kept as the creditor wrote them. Unique within a portfolio; storage enforces that, since only
/// it sees all the rows. Re-importing a sheet matches accounts by this code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    /// Longest code accepted, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Trims and validates a creditor's account code.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let code = raw.trim();
        let refuse = |why: &str| {
            Err(ValidationError::new(
                "external id",
                format!("{raw:?} {why}"),
            ))
        };
        if code.is_empty() {
            return refuse("is empty");
        }
        if code.chars().count() > Self::MAX_CHARS {
            return refuse("is longer than 64 characters");
        }
        if code.chars().any(char::is_control) {
            return refuse("contains a control character");
        }
        Ok(Self(code.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ExternalId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ExternalId {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, ValidationError> {
        Self::parse(&s)
    }
}

impl From<ExternalId> for String {
    fn from(e: ExternalId) -> String {
        e.0
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether an account is still being worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Being collected: shown on routes.
    #[default]
    Open,
    /// Paid, settled or withdrawn by the creditor: kept for history, off the routes.
    Closed,
}

/// One debt of one person in one portfolio, as the collector sees it on a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawDebtorAccount", into = "RawDebtorAccount")]
pub struct DebtorAccount {
    id: AccountId,
    portfolio: PortfolioId,
    external_id: ExternalId,
    person: PersonId,
    debtor_name: String,
    address: String,
    neighbourhood: Option<String>,
    location: Option<GeoPoint>,
    phones: Vec<Phone>,
    balance: Money,
    days_past_due: DaysPastDue,
    contact_window: Option<LocalWindow>,
    status: AccountStatus,
}

/// The unvalidated shape of a [`DebtorAccount`]: its JSON form and the argument of
/// `DebtorAccount::try_from`. The bucket is not here: it is derived from `days_past_due`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDebtorAccount {
    /// Account id.
    pub id: AccountId,
    /// Portfolio it belongs to.
    pub portfolio: PortfolioId,
    /// The creditor's code.
    pub external_id: ExternalId,
    /// The debtor.
    pub person: PersonId,
    /// Debtor's name as the creditor wrote it on this account.
    pub debtor_name: String,
    /// Street address; may span lines (`Torre 2` / `Interior 5`).
    pub address: String,
    /// Neighbourhood (barrio); blank means unknown.
    #[serde(default)]
    pub neighbourhood: Option<String>,
    /// Geocoded location; absent until someone captures it.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// Phones, in the creditor's order; duplicates are dropped.
    #[serde(default)]
    pub phones: Vec<Phone>,
    /// Outstanding balance, not negative.
    pub balance: Money,
    /// Days past due.
    pub days_past_due: DaysPastDue,
    /// The debtor's preferred contact window in local time (`"08:00-12:00"`), if any.
    #[serde(default)]
    pub contact_window: Option<LocalWindow>,
    /// Open or closed.
    #[serde(default)]
    pub status: AccountStatus,
}

impl TryFrom<RawDebtorAccount> for DebtorAccount {
    type Error = ValidationError;
    fn try_from(r: RawDebtorAccount) -> Result<Self, ValidationError> {
        if r.balance.is_negative() {
            return Err(ValidationError::new(
                "balance",
                format!("{} is negative", r.balance),
            ));
        }
        let mut phones: Vec<Phone> = Vec::with_capacity(r.phones.len());
        for p in r.phones {
            if !phones.contains(&p) {
                phones.push(p);
            }
        }
        Ok(DebtorAccount {
            id: r.id,
            portfolio: r.portfolio,
            external_id: r.external_id,
            person: r.person,
            debtor_name: one_line("debtor name", &r.debtor_name, MAX_NAME_CHARS)?,
            address: multi_line("address", &r.address, MAX_ADDRESS_CHARS)?,
            neighbourhood: optional_line(
                "neighbourhood",
                r.neighbourhood.as_deref(),
                MAX_NAME_CHARS,
            )?,
            location: r.location,
            phones,
            balance: r.balance,
            days_past_due: r.days_past_due,
            contact_window: r.contact_window,
            status: r.status,
        })
    }
}

impl From<DebtorAccount> for RawDebtorAccount {
    fn from(a: DebtorAccount) -> Self {
        RawDebtorAccount {
            id: a.id,
            portfolio: a.portfolio,
            external_id: a.external_id,
            person: a.person,
            debtor_name: a.debtor_name,
            address: a.address,
            neighbourhood: a.neighbourhood,
            location: a.location,
            phones: a.phones,
            balance: a.balance,
            days_past_due: a.days_past_due,
            contact_window: a.contact_window,
            status: a.status,
        }
    }
}

impl DebtorAccount {
    /// The same account with a (newly captured or corrected) location.
    pub fn with_location(mut self, location: Option<GeoPoint>) -> Self {
        self.location = location;
        self
    }

    /// The same account, opened or closed.
    pub fn with_status(mut self, status: AccountStatus) -> Self {
        self.status = status;
        self
    }

    /// Whether nobody has located the address yet: the geofence cannot check a visit here
    /// until a collector captures the location.
    pub fn needs_location(&self) -> bool {
        self.location.is_none()
    }

    /// The delinquency bucket, always derived from [`DebtorAccount::days_past_due`].
    pub fn bucket(&self) -> DelinquencyBucket {
        self.days_past_due.bucket()
    }

    /// The account's id.
    pub fn id(&self) -> AccountId {
        self.id
    }
    /// Portfolio it belongs to.
    pub fn portfolio(&self) -> PortfolioId {
        self.portfolio
    }
    /// The creditor's code.
    pub fn external_id(&self) -> &ExternalId {
        &self.external_id
    }
    /// The debtor.
    pub fn person(&self) -> PersonId {
        self.person
    }
    /// Debtor's name.
    pub fn debtor_name(&self) -> &str {
        &self.debtor_name
    }
    /// Street address (lines joined with `\n`).
    pub fn address(&self) -> &str {
        &self.address
    }
    /// Neighbourhood (barrio), when known.
    pub fn neighbourhood(&self) -> Option<&str> {
        self.neighbourhood.as_deref()
    }
    /// Location of the address, when known.
    pub fn location(&self) -> Option<GeoPoint> {
        self.location
    }
    /// Phones, without duplicates.
    pub fn phones(&self) -> &[Phone] {
        &self.phones
    }
    /// Outstanding balance (never negative).
    pub fn balance(&self) -> Money {
        self.balance
    }
    /// Days past due.
    pub fn days_past_due(&self) -> DaysPastDue {
        self.days_past_due
    }
    /// The debtor's contact window as written (`08:00-12:00`). Kept as text here:
    /// [`crate::contact`] parses and applies it, so a window it cannot read is reported there
    /// rather than failing the whole import.
    pub fn contact_window(&self) -> Option<LocalWindow> {
        self.contact_window
    }
    /// Open or closed.
    pub fn status(&self) -> AccountStatus {
        self.status
    }
}

#[cfg(test)]
mod tests;
