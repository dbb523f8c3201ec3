//! The demo data set: a supervisor, the four collectors of `demo/route_basic.csv` (embedded, so
//! the binary runs from any directory) and its 20 debtors on their collectors' routes.
//!
//! Loading is idempotent: users that exist are kept (a password is set only where none is, so
//! a second run does not re-salt it), and the accounts go through [`Db::load_accounts`], which
//! writes and records nothing for unchanged rows. Demo only: the password is public.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use serde::Deserialize;
use terreno_shared::contact::LocalWindow;
use terreno_shared::ids::OrgId;
use terreno_shared::model::{
    Currency, DaysPastDue, DocumentKind, ExternalId, GeoPoint, Money, NationalId, Phone, Role,
    Username,
};

use super::Db;
use super::portfolio::{AccountRow, LoadSummary};
use super::users::NewUser;

/// The route sheet of the demo (a copy of the shared `route_basic.csv` fixture).
pub const ROUTE_CSV: &str = include_str!("../../demo/route_basic.csv");
/// Every demo user's password.
pub const DEMO_PASSWORD: &str = "terreno-demo";
/// The demo organization's name, when the demo creates the database.
pub const DEMO_ORG: &str = "demo";
/// The demo portfolio.
pub const DEMO_PORTFOLIO: &str = "Cartera demo";
/// The demo users: login name, role, display name.
pub const DEMO_USERS: [(&str, Role, &str); 5] = [
    ("supervisor", Role::Supervisor, "Supervisora demo"),
    ("gestor.ramirez", Role::Collector, "Gestor Ramírez"),
    ("gestor.ospina", Role::Collector, "Gestor Ospina"),
    ("gestor.beltran", Role::Collector, "Gestor Beltrán"),
    ("gestor.nunez", Role::Collector, "Gestor Núñez"),
];

/// What a demo load did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    /// Users created by this run.
    pub users_created: usize,
    /// The accounts' load.
    pub accounts: LoadSummary,
}

#[derive(Debug, Deserialize)]
struct SheetRow {
    external_id: String,
    debtor_name: String,
    document: String,
    address: String,
    neighborhood: String,
    latitude: f64,
    longitude: f64,
    phone: String,
    balance: String,
    days_past_due: i64,
    collector: String,
    visit_date: NaiveDate,
    contact_window: String,
}

/// The demo sheet as account rows; an error names the line and what is wrong.
pub fn demo_rows() -> anyhow::Result<Vec<AccountRow>> {
    let mut reader = csv::Reader::from_reader(ROUTE_CSV.as_bytes());
    let mut rows = Vec::new();
    for record in reader.deserialize::<SheetRow>() {
        let line = rows.len() + 2;
        let r = record.with_context(|| format!("demo sheet line {line}"))?;
        rows.push(account_row(r).with_context(|| format!("demo sheet line {line}"))?);
    }
    Ok(rows)
}

fn account_row(r: SheetRow) -> anyhow::Result<AccountRow> {
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    Ok(AccountRow {
        external_id: ExternalId::parse(&r.external_id)?,
        national_id: Some(NationalId::parse(DocumentKind::Cc, &r.document)?),
        debtor_name: r.debtor_name,
        address: r.address,
        neighbourhood: blank(&r.neighborhood),
        location: Some(GeoPoint::parse(r.latitude, r.longitude)?),
        phones: vec![Phone::parse(&r.phone)?],
        balance: Money::from_decimal_str(&r.balance, Currency::COP)?,
        days_past_due: DaysPastDue::parse(r.days_past_due)?,
        contact_window: blank(&r.contact_window)
            .map(|w| LocalWindow::parse(&w))
            .transpose()?,
        collector: Some(Username::parse(&r.collector)?),
        visit_date: Some(r.visit_date),
    })
}

impl Db {
    /// Creates (or completes) the demo users and accounts in `org`.
    pub async fn load_demo(&self, org: OrgId) -> anyhow::Result<DemoSummary> {
        let rows = demo_rows()?;
        let mut users_created = 0;
        for (name, role, display_name) in DEMO_USERS {
            let username = Username::parse(name)?;
            let user = match self.find_login_user(&username).await? {
                Some(u) if u.info.org != org => {
                    bail!("user {name:?} exists in another organization")
                }
                Some(u) => u,
                None => {
                    let new = NewUser {
                        username: name,
                        role,
                        team: None,
                        display_name: Some(display_name),
                    };
                    self.insert_user(org, &new).await?;
                    users_created += 1;
                    self.find_login_user(&username)
                        .await?
                        .with_context(|| format!("creating demo user {name:?}"))?
                }
            };
            if user.password_hash.is_none() {
                let hash = crate::auth::hash_password(DEMO_PASSWORD.to_owned()).await?;
                self.set_password_hash(org, name, &hash).await?;
            }
        }
        let portfolio = self
            .ensure_portfolio(org, DEMO_PORTFOLIO, Currency::COP)
            .await?;
        let accounts = self
            .load_accounts(&portfolio, &rows)
            .await
            .context("loading the demo accounts")?;
        Ok(DemoSummary {
            users_created,
            accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_sheet_parses_into_twenty_exact_rows() {
        let rows = demo_rows().unwrap();
        assert_eq!(rows.len(), 20);
        assert_eq!(rows[0].balance.minor_units(), 188_590_728);
        assert_eq!(rows[0].debtor_name, "José González Vargas");
        assert!(rows[3].contact_window.is_none(), "blank windows stay blank");
        assert_eq!(
            rows[0].contact_window.map(|w| w.to_string()).as_deref(),
            Some("08:00-12:00")
        );
    }
}
