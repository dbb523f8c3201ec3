//! Closing the accounts a portfolio's new file no longer lists (`import-routes
//! --close-missing`): each becomes `closed` (next version), leaves its collector's devices (a
//! `remove` for it and its stops) and its stops are deleted. Its visits and history stay.
//! A later file that lists it again reopens it (see `accounts`).

use anyhow::Context;
use sqlx::AssertSqlSafe;
use terreno_shared::api::v1::sync::EntityType;
use terreno_shared::ids::AccountId;

use super::super::changes::NewChange;
use super::super::json_rows::{self, Ty};
use super::super::now_ms;
use super::{PortfolioRef, WriteTx, removal};
use crate::on_tx;

/// Accounts closed per statement round.
const CHUNK: i64 = 1000;

/// What closing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Closed {
    /// Accounts closed.
    pub accounts: usize,
    /// Stops deleted with them.
    pub stops: usize,
}

impl WriteTx {
    /// Closes the open accounts of `portfolio` whose external id is not in table `keep` (a
    /// table of this transaction with an `external_id` column, such as an import's staging
    /// table).
    // Long: the close, its stops and its feed removals run in one transaction, statement after
    // statement.
    pub async fn close_accounts_not_in(
        &mut self,
        portfolio: &PortfolioRef,
        keep: &str,
    ) -> anyhow::Result<Closed> {
        let mut closed = Closed::default();
        let select = format!(
            "select a.id, a.external_id, a.collector_id, u.team_id from accounts a
             left join users u on u.id = a.collector_id
             where a.portfolio_id = $1 and a.external_id > $3 and a.status = 'open'
               and not exists (select 1 from {keep} k where k.external_id = a.external_id)
             order by a.external_id limit $2"
        );
        let update = format!(
            "update accounts set status = 'closed', version = version + 1, updated_ms = $1
             where id in (select r.id from {})",
            json_rows::table(self.is_pg(), 2, &[("id", Ty::Text)], "r")
        );
        // Keyset paging on the (portfolio, external id) index: each round starts after the last
        // account seen, so closing is one pass over the portfolio.
        let mut after = String::new();
        loop {
            let batch: Vec<(String, String, Option<String>, Option<String>)> = on_tx!(self, |c| {
                sqlx::query_as(AssertSqlSafe(select.clone()))
                    .bind(portfolio.id.to_string())
                    .bind(CHUNK)
                    .bind(&after)
                    .fetch_all(&mut **c)
                    .await
                    .context("finding accounts to close")?
            });
            let Some((_, last, ..)) = batch.last() else {
                return Ok(closed);
            };
            after = last.clone();
            let param = json_rows::param(&batch.iter().map(|(id, ..)| (id,)).collect::<Vec<_>>());
            on_tx!(self, |c| {
                sqlx::query(AssertSqlSafe(update.clone()))
                    .bind(now_ms())
                    .bind(&param)
                    .execute(&mut **c)
                    .await
                    .context("closing accounts")?;
            });
            let mut changes: Vec<NewChange> = Vec::new();
            for (id, _, collector, team) in &batch {
                if let Some(collector) = collector {
                    changes.push(removal(
                        portfolio.org,
                        EntityType::Account,
                        id,
                        collector,
                        team.as_deref(),
                    )?);
                }
            }
            let ids: Vec<AccountId> = batch
                .iter()
                .map(|(id, ..)| id.parse().context("stored account id"))
                .collect::<anyhow::Result<_>>()?;
            let stops = self.stops_of(&ids).await?;
            for s in &stops {
                let change = removal(
                    portfolio.org,
                    EntityType::Stop,
                    &s.id,
                    &s.collector_id,
                    s.team_id.as_deref(),
                )?;
                changes.push(change);
            }
            let gone: Vec<&str> = stops.iter().map(|s| s.id.as_str()).collect();
            self.delete_stops(&gone).await?;
            self.record_all(&changes).await?;
            closed.accounts += batch.len();
            closed.stops += stops.len();
        }
    }
}
