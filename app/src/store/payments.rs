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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::mirror::{self, PageCursor};
    use crate::store::test_support::{ACCOUNT, change, with_route};

    #[test]
    fn a_pulled_payment_is_stored_once_and_leaves_with_its_account() {
        let mut store = with_route("collector", None);
        let account = uuid::Uuid::from_u128(ACCOUNT).to_string();
        let id = "0193a000-0000-7000-8000-0000000000p1".replace('p', "f");
        let body = json!({"id": id, "account": account, "amount_minor": 25_000_000,
            "currency": "COP", "date": "2026-11-26", "reference": "R-77", "channel": "PSE"});
        let payment = change("payment", id.clone(), "upsert", body);

        let page = [payment.clone(), payment];
        mirror::apply_page(&mut store.conn, &page, PageCursor::Feed("c2"), 0).expect("a page");
        let held = of_account(&store.conn, &account).expect("reading");
        let removal = change("account", account.clone(), "remove", json!(null));
        mirror::apply_page(&mut store.conn, &[removal], PageCursor::Feed("c3"), 0)
            .expect("a removal");

        assert_eq!(held.len(), 1);
        assert_eq!(held[0].amount_minor, 25_000_000);
        assert_eq!(held[0].reference, "R-77");
        let received = held[0].to_received().expect("a payment the rules take");
        assert_eq!(received.dedup_key().as_deref(), Some("R-77"));
        assert!(
            of_account(&store.conn, &account)
                .expect("reading")
                .is_empty()
        );
    }
}
