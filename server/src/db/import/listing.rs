//! The accounts as stored, for `debtors list`: read-only.

use anyhow::Context;
use terreno_shared::ids::OrgId;
use terreno_shared::model::{DaysPastDue, DelinquencyBucket};

use crate::db::import::Imports;
use crate::on_read;

/// An account as stored, for listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DebtorListing {
    /// The creditor's code.
    pub external_id: String,
    /// Portfolio name.
    pub portfolio: String,
    /// Debtor's name.
    pub name: String,
    /// Identity document number.
    pub national_id: Option<String>,
    /// Address.
    pub address: String,
    /// Neighbourhood.
    pub neighbourhood: Option<String>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
    /// Balance in minor units.
    pub balance_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// The day the balance is as of (the route file's `--as-of`), `YYYY-MM-DD`; none for
    /// accounts imported before balances were dated.
    pub balance_as_of: Option<String>,
    /// Days past due.
    pub days_past_due: i64,
    /// Delinquency bucket id (`d0_30`...).
    pub bucket: &'static str,
    /// Assigned collector's login name.
    pub collector: Option<String>,
    /// No location yet.
    pub needs_location: bool,
    /// `open` or `closed`.
    pub status: String,
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    external_id: String,
    portfolio: String,
    name: String,
    national_id: Option<String>,
    address: String,
    neighbourhood: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    balance_minor: i64,
    currency: String,
    balance_as_of: Option<String>,
    days_past_due: i64,
    collector: Option<String>,
    status: String,
}

impl Imports<'_> {
    /// The organization's accounts (of one portfolio when named), by portfolio and external id.
    pub async fn debtors(
        &self,
        org: OrgId,
        portfolio: Option<&str>,
    ) -> anyhow::Result<Vec<DebtorListing>> {
        let rows: Vec<ListingRow> = on_read!(self, |pool| {
            sqlx::query_as(
                "select a.external_id, p.name as portfolio, a.debtor_name as name,
                        n.doc_number as national_id, a.address, a.neighbourhood, a.lat, a.lon,
                        cast(a.balance_minor as bigint) as balance_minor, a.currency,
                        a.balance_as_of, cast(a.days_past_due as bigint) as days_past_due,
                        u.username as collector, a.status
                 from accounts a
                 join portfolios p on p.id = a.portfolio_id
                 left join persons n on n.id = a.person_id
                 left join users u on u.id = a.collector_id
                 where p.org_id = $1 and (cast($2 as text) is null or p.name = $2)
                 order by p.name, a.external_id",
            )
            .bind(org.to_string())
            .bind(portfolio)
            .fetch_all(pool)
            .await
            .context("listing accounts")?
        });
        rows.into_iter().map(DebtorListing::try_from).collect()
    }
}

impl TryFrom<ListingRow> for DebtorListing {
    type Error = anyhow::Error;
    fn try_from(r: ListingRow) -> anyhow::Result<DebtorListing> {
        let days = DaysPastDue::parse(r.days_past_due).context("stored days past due")?;
        Ok(DebtorListing {
            needs_location: r.lat.is_none() || r.lon.is_none(),
            bucket: DelinquencyBucket::from_days(days).as_str(),
            external_id: r.external_id,
            portfolio: r.portfolio,
            name: r.name,
            national_id: r.national_id,
            address: r.address,
            neighbourhood: r.neighbourhood,
            lat: r.lat,
            lon: r.lon,
            balance_minor: r.balance_minor,
            currency: r.currency,
            balance_as_of: r.balance_as_of,
            days_past_due: r.days_past_due,
            collector: r.collector,
            status: r.status,
        })
    }
}
