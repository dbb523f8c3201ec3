//! The demo data set: a supervisor, the four collectors of `samples/route_basic.csv` (embedded, so
//! the binary runs from any directory) and its 20 debtors on their collectors' routes.
//!
//! Loading is idempotent: users that exist are kept (a password is set only where none is, so
//! a second run does not re-salt it), and the accounts go through [`Portfolio::load_accounts`], which
//! writes and records nothing for unchanged rows. Demo only: the password is public.

use anyhow::{Context, bail};
use terreno_shared::ids::OrgId;
use terreno_shared::model::{Currency, Role, Username};

use super::portfolio::Portfolio;
use super::portfolio::{AccountRow, LoadSummary};
use super::users::NewUser;
use crate::import::ImportOptions;

/// The route sheet of the demo (a copy of the shared `route_basic.csv` fixture).
pub const ROUTE_CSV: &str = include_str!("../../../samples/route_basic.csv");
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

/// The demo sheet as account rows, read by the route importer's reading layer (the same code
/// `import-routes` uses); an error names the line, column and reason.
pub fn demo_rows() -> anyhow::Result<Vec<AccountRow>> {
    let options = ImportOptions::new(Currency::COP);
    let reader = crate::import::open_text(ROUTE_CSV.as_bytes(), &options)
        .map_err(|e| anyhow::anyhow!("reading the demo sheet: {e}"))?;
    reader
        .map(|row| {
            row.map(|r| r.account)
                .map_err(|e| anyhow::anyhow!("demo sheet {e}"))
        })
        .collect()
}

impl Portfolio<'_> {
    /// Creates (or completes) the demo users and accounts in `org`.
    pub async fn load_demo(&self, org: OrgId) -> anyhow::Result<DemoSummary> {
        let rows = demo_rows()?;
        let mut users_created = 0;
        for (name, role, display_name) in DEMO_USERS {
            let username = Username::parse(name)?;
            let user = match self.users().find_login(&username).await? {
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
                    self.users().insert(org, &new).await?;
                    users_created += 1;
                    self.users()
                        .find_login(&username)
                        .await?
                        .with_context(|| format!("creating demo user {name:?}"))?
                }
            };
            if user.password_hash.is_none() {
                let hash = crate::auth::hash_password(DEMO_PASSWORD.to_owned()).await?;
                self.users().set_password_hash(org, name, &hash).await?;
            }
        }
        let portfolio = self.ensure(org, DEMO_PORTFOLIO, Currency::COP).await?;
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
