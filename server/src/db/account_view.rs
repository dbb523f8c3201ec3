//! An account as devices and supervisors see it ([`AccountView`]): one row shape and one
//! mapping, shared by the scoped read and the sync snapshot so the two can never disagree.

use anyhow::Context;
use terreno_shared::api::v1::views::AccountView;
use terreno_shared::model::{DaysPastDue, DelinquencyBucket};

/// An account row joined with its portfolio name and its person's document number.
#[derive(sqlx::FromRow)]
pub(crate) struct AccountViewRow {
    id: String,
    portfolio_id: String,
    portfolio_name: String,
    external_id: String,
    person_id: Option<String>,
    doc_number: Option<String>,
    debtor_name: String,
    address: String,
    neighbourhood: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    phones: String,
    balance_minor: i64,
    currency: String,
    days_past_due: i64,
    contact_window: Option<String>,
    collector_id: Option<String>,
    version: i64,
}

impl AccountViewRow {
    /// The view devices and supervisors see; the bucket is derived, never stored.
    pub(crate) fn into_view(self) -> anyhow::Result<AccountView> {
        let r = self;
        let days = DaysPastDue::parse(r.days_past_due).context("stored days past due")?;
        Ok(AccountView {
            id: r.id.parse().context("stored account id")?,
            portfolio: r.portfolio_id.parse().context("stored portfolio id")?,
            portfolio_name: r.portfolio_name,
            external_id: r.external_id,
            person: r
                .person_id
                .map(|p| p.parse())
                .transpose()
                .context("stored person id")?,
            national_id: r.doc_number,
            name: r.debtor_name,
            address: r.address,
            neighbourhood: r.neighbourhood,
            lat: r.lat,
            lon: r.lon,
            phones: serde_json::from_str(&r.phones).context("stored phones")?,
            balance_minor: r.balance_minor,
            currency: r.currency,
            days_past_due: u32::try_from(r.days_past_due).context("stored days past due")?,
            bucket: DelinquencyBucket::from_days(days).label().to_owned(),
            contact_window: r.contact_window,
            collector: r
                .collector_id
                .map(|c| c.parse())
                .transpose()
                .context("stored collector id")?,
            version: r.version,
        })
    }
}
