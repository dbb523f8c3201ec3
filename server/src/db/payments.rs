//! The payment import use case shared by `terreno-server import-payments` and
//! `POST /api/v1/imports/payments`: the rows of a creditor's payment file become `payments`
//! rows (source `file`) and `payment` changes of the pull feed, in ONE write transaction, all
//! or nothing: a payment file is a ledger, and half of one would settle some promises and
//! leave others to break. Fixing the file and importing it again is safe: rows are keyed by
//! (account, reference) and a stored key is never written twice (see [`plan`]).
//!
//! Visit payments stay in the visits that recorded them: a file row with the reference of a
//! visit's receipt is the same payment, and readers count the two once by the shared rule
//! (`ReceivedPayment::dedup_key`), which the device applies to the same facts anyway (it
//! holds its visit's payment before any pull brings the file's row).
//!
//! A new payment of an open, assigned account reaches its collector's devices (and the team's
//! supervisors) through the feed. Gap: a later reassignment does not carry the account's past
//! payments to the new collector, and the resync snapshot does not list payments.
//!
//! It must not parse files (`import::payments` does) or print.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::AssertSqlSafe;
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::api::v1::views::PaymentView;
use terreno_shared::ids::{AccountId, OrgId, PaymentId, TeamId, UserId};
use terreno_shared::model::Currency;
use uuid::Uuid;

use super::changes::NewChange;
use super::import::{MAX_REPORTED, Rejected};
use super::json_rows::{self, Ty};
use super::now_ms;
use super::tx::WriteTx;
use crate::import::RowError;
use crate::import::payments::{PaymentField, PaymentReader, PaymentRow};
use crate::{on_read, on_tx};

pub mod plan;

use plan::{AccountRef, Columns, NewPayment, Stored};

/// How a payment import treats its rows.
#[derive(Debug, Clone)]
pub struct PaymentSetup<'a> {
    /// The organization.
    pub org: OrgId,
    /// Only this portfolio's accounts (by name); all of the organization's when `None`.
    pub portfolio: Option<&'a str>,
    /// A supervisor's import: only accounts not held by another team's collector.
    pub only_team: Option<TeamId>,
    /// The file's name, kept with each row.
    pub file_name: Option<&'a str>,
}

/// What a payment import did (or, when `written` is false, what kept it from writing).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PaymentSummary {
    /// Whether the import was committed (false: nothing was stored).
    pub written: bool,
    /// Data rows read.
    pub rows_read: u64,
    /// Payments stored by this import.
    pub payments_new: usize,
    /// Rows whose payment was already stored, or repeated a row above them.
    pub payments_unchanged: usize,
    /// Bad rows, by line (the first 10,000).
    pub rows_rejected: Vec<Rejected>,
    /// How many rows are bad.
    pub rows_rejected_count: u64,
}

area! {
    /// Importing payment files.
    Payments, payments
}

impl Payments<'_> {
    /// Imports the rows of `reader` (see the module docs).
    pub async fn import(
        &self,
        reader: PaymentReader,
        setup: &PaymentSetup<'_>,
    ) -> anyhow::Result<PaymentSummary> {
        let columns = Columns {
            account: reader.header(PaymentField::Account).map(str::to_owned),
            amount: reader.header(PaymentField::Amount).map(str::to_owned),
            reference: reader.header(PaymentField::Reference).map(str::to_owned),
        };
        let mut summary = PaymentSummary::default();
        let (mut good, mut rejected): (Vec<PaymentRow>, Vec<Rejected>) = (vec![], vec![]);
        for row in reader {
            summary.rows_read += 1;
            match row {
                Ok(r) => good.push(r),
                Err(e) => rejected.push(refused(e)),
            }
        }
        let mut tx = self.begin_write().await?;
        let accounts = tx.payment_accounts(setup, &good).await?;
        let matched = plan::match_rows(good, &accounts, setup.portfolio, setup.only_team, &columns);
        rejected.extend(matched.rejected);
        let stored = tx.stored_payments(&matched.rows).await?;
        let (fresh, unchanged, conflicts) = plan::against_stored(matched.rows, &stored, &columns);
        rejected.extend(conflicts);
        summary.payments_unchanged = unchanged + matched.repeated;
        if !rejected.is_empty() {
            rejected.sort_by_key(|r| r.line);
            summary.rows_rejected_count = rejected.len() as u64;
            rejected.truncate(MAX_REPORTED);
            summary.rows_rejected = rejected;
            summary.payments_unchanged = 0;
            // Dropping `tx` rolls back: nothing is stored.
            return Ok(summary);
        }
        tx.insert_payments(setup, &fresh).await?;
        tx.commit().await.context("committing the payments")?;
        summary.payments_new = fresh.len();
        summary.written = true;
        Ok(summary)
    }
}

/// A stored payment as listed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct PaymentListing {
    /// The account's external id.
    pub external_id: String,
    /// Its portfolio.
    pub portfolio: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// Local date paid, `YYYY-MM-DD`.
    pub paid_on: String,
    /// Voucher number.
    pub reference: String,
    /// Channel, if given.
    pub channel: Option<String>,
    /// `file` (or `visit`).
    pub source: String,
}

impl Payments<'_> {
    /// The organization's stored payments, by date, portfolio, account and reference.
    pub async fn list(&self, org: OrgId) -> anyhow::Result<Vec<PaymentListing>> {
        Ok(on_read!(self, |pool| {
            sqlx::query_as(
                "select a.external_id, p.name as portfolio,
                        cast(y.amount_minor as bigint) as amount_minor, y.currency, y.paid_on,
                        y.reference, y.channel, y.source
                 from payments y join accounts a on a.id = y.account_id
                 join portfolios p on p.id = a.portfolio_id
                 where y.org_id = $1
                 order by y.paid_on, p.name, a.external_id, y.reference_key",
            )
            .bind(org.to_string())
            .fetch_all(pool)
            .await
            .context("listing payments")?
        }))
    }
}

fn refused(e: RowError) -> Rejected {
    Rejected {
        line: e.line,
        column: e.column,
        reason: e.reason,
    }
}

type AccountLine = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);
type StoredLine = (String, String, i64, String);

impl WriteTx {
    /// The accounts the rows' external ids name in the organization (or the portfolio).
    async fn payment_accounts(
        &mut self,
        setup: &PaymentSetup<'_>,
        rows: &[PaymentRow],
    ) -> anyhow::Result<HashMap<String, Vec<AccountRef>>> {
        let mut ids: Vec<(&str,)> = rows.iter().map(|r| (r.account.as_str(),)).collect();
        ids.sort_unstable();
        ids.dedup();
        let portfolio = match setup.portfolio {
            Some(_) => " and p.name = $3",
            None => " and $3 = $3",
        };
        let sql = format!(
            "select a.external_id, a.id, p.name, a.currency, a.collector_id, u.team_id, a.status
             from accounts a join portfolios p on p.id = a.portfolio_id
             left join users u on u.id = a.collector_id
             where p.org_id = $1{portfolio}
               and a.external_id in (select r.id from {})",
            json_rows::table(self.is_pg(), 2, &[("id", Ty::Text)], "r")
        );
        let param = json_rows::param(&ids);
        let found: Vec<AccountLine> = on_tx!(self, |c| {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(setup.org.to_string())
                .bind(&param)
                .bind(setup.portfolio.unwrap_or(""))
                .fetch_all(&mut **c)
                .await
                .context("finding the payments' accounts")?
        });
        let mut by_id: HashMap<String, Vec<AccountRef>> = HashMap::new();
        for (external_id, id, portfolio, currency, collector, team, status) in found {
            let account = AccountRef {
                id: id.parse().context("stored account id")?,
                portfolio,
                currency: Currency::parse(&currency).context("stored currency")?,
                collector: collector
                    .map(|c| c.parse())
                    .transpose()
                    .context("stored user id")?,
                team: team
                    .map(|t| t.parse())
                    .transpose()
                    .context("stored team id")?,
                open: status == "open",
            };
            by_id.entry(external_id).or_default().push(account);
        }
        for accounts in by_id.values_mut() {
            accounts.sort_by(|a, b| a.portfolio.cmp(&b.portfolio));
        }
        Ok(by_id)
    }

    /// The stored payments under the rows' keys.
    async fn stored_payments(
        &mut self,
        rows: &[NewPayment],
    ) -> anyhow::Result<HashMap<(AccountId, String), Stored>> {
        let keys: Vec<(String, &str)> = rows
            .iter()
            .map(|p| (p.account.id.to_string(), p.reference_key.as_str()))
            .collect();
        let sql = format!(
            "select p.account_id, p.reference_key, cast(p.amount_minor as bigint), p.paid_on
             from payments p join {} on k.account_id = p.account_id
                  and k.reference_key = p.reference_key",
            json_rows::table(
                self.is_pg(),
                1,
                &[("account_id", Ty::Text), ("reference_key", Ty::Text)],
                "k"
            )
        );
        let param = json_rows::param(&keys);
        let found: Vec<StoredLine> = on_tx!(self, |c| {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(&param)
                .fetch_all(&mut **c)
                .await
                .context("reading the stored payments")?
        });
        found
            .into_iter()
            .map(|(account, key, amount_minor, paid_on)| {
                let account: AccountId = account.parse().context("stored account id")?;
                Ok((
                    (account, key),
                    Stored {
                        amount_minor,
                        paid_on,
                    },
                ))
            })
            .collect()
    }

    /// Stores new payments and records the feed changes of those a collector holds.
    // Long: the views, the one set-based insert (its column list and SQL) and the feed changes are
    // built from the same rows in one place, inside the import's transaction.
    async fn insert_payments(
        &mut self,
        setup: &PaymentSetup<'_>,
        fresh: &[NewPayment],
    ) -> anyhow::Result<()> {
        if fresh.is_empty() {
            return Ok(());
        }
        let views: Vec<PaymentView> = fresh
            .iter()
            .map(|p| PaymentView {
                id: PaymentId::from_uuid(Uuid::now_v7()),
                account: p.account.id,
                amount_minor: p.amount.minor_units(),
                currency: p.account.currency.code().to_owned(),
                date: p.row.date,
                reference: p.row.reference.clone(),
                channel: p.row.channel.clone(),
            })
            .collect();
        let rows: Vec<_> = fresh
            .iter()
            .zip(&views)
            .map(|(p, v)| {
                (
                    v.id.to_string(),
                    v.account.to_string(),
                    v.amount_minor,
                    &v.currency,
                    v.date.to_string(),
                    &v.reference,
                    &p.reference_key,
                    v.channel.as_deref(),
                    p.row.line,
                )
            })
            .collect();
        let cols = [
            ("id", Ty::Text),
            ("account_id", Ty::Text),
            ("amount_minor", Ty::Int),
            ("currency", Ty::Text),
            ("paid_on", Ty::Text),
            ("reference", Ty::Text),
            ("reference_key", Ty::Text),
            ("channel", Ty::Text),
            ("line", Ty::Int),
        ];
        let sql = format!(
            "insert into payments (id, org_id, account_id, amount_minor, currency, paid_on,
                 reference, reference_key, channel, source, file_name, line, imported_ms)
             select r.id, $2, r.account_id, r.amount_minor, r.currency, r.paid_on, r.reference,
                 r.reference_key, r.channel, 'file', $3, r.line, $4
             from {} order by r.n",
            json_rows::table(self.is_pg(), 1, &cols, "r")
        );
        let param = json_rows::param(&rows);
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(&param)
                .bind(setup.org.to_string())
                .bind(setup.file_name)
                .bind(now_ms())
                .execute(&mut **c)
                .await
                .context("storing the payments")?;
        });
        let changes: Vec<NewChange> = fresh
            .iter()
            .zip(views)
            .filter_map(|(p, view)| feed_change(setup.org, &p.account, view))
            .collect();
        self.record_all(&changes).await
    }
}

/// The feed change of a new payment: for the collector holding the account (and the team's
/// supervisors). None for an unassigned or closed account: no device holds it, and a change
/// with no collector and no team would reach the whole organization.
fn feed_change(org: OrgId, account: &AccountRef, view: PaymentView) -> Option<NewChange> {
    let collector: UserId = account.collector.filter(|_| account.open)?;
    Some(NewChange {
        org_id: org,
        collector_id: Some(collector),
        team_id: account.team,
        change: Change::upsert(view.id.to_string(), Record::Payment(view)),
    })
}
