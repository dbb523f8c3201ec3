//! Payments pulled from the server (`payment` changes): facts from the creditor's payment files
//! towards the accounts of the device's scope. Stored once (a repeated change is a no-op),
//! deleted with their account, read back for the collection rules.

use rusqlite::{Connection, params};
use terreno_shared::api::v1::views::PaymentView;

use crate::error::{Context, Result};

/// Stores a pulled payment; `generation` tags a resync's rows (see `mirror`).
pub(crate) fn upsert(conn: &Connection, p: &PaymentView, generation: Option<i64>) -> Result<()> {
    conn.execute(
        "insert into payments (id, account_id, amount_minor, currency, paid_on, reference, channel, body, snapshot_gen) \
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?9, 0)) \
         on conflict (id) do update set snapshot_gen = max(payments.snapshot_gen, excluded.snapshot_gen)",
        params![
            p.id.to_string(),
            p.account.to_string(),
            p.amount_minor,
            p.currency,
            p.date.to_string(),
            p.reference,
            p.channel,
            serde_json::to_string(p).unwrap_or_default(),
            generation,
        ],
    )
    .context("storing a pulled payment")?;
    Ok(())
}

/// The payments of an account, oldest first.
pub(crate) fn of_account(conn: &Connection, account: &str) -> Result<Vec<PaymentView>> {
    let bodies: Vec<String> = conn
        .prepare("select body from payments where account_id = ?1 order by paid_on, id")
        .and_then(|mut s| s.query_map([account], |r| r.get(0))?.collect())
        .context("reading an account's payments")?;
    bodies
        .iter()
        .map(|b| {
            serde_json::from_str(b).map_err(|e| {
                crate::error::Error::Invalid(format!("a stored payment cannot be read: {e}"))
            })
        })
        .collect()
}
