//! The staging table of an import: every row read goes here first, in chunks, so an import of
//! any size holds only a chunk in memory. It is keyed by external id, which gives "the last
//! row of an id wins, in the place of the first" for free, and it lists every id the file
//! names (a bad row whose id is readable leaves a marker with no row), which is what
//! `--close-missing` keeps open.
//!
//! A temporary table of the import's own transaction: SQLite's lives in a temporary file (the
//! write connection sets `temp_store = file`) and is dropped before commit; PostgreSQL's is
//! dropped at commit. A rolled-back import leaves nothing behind either way.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::AssertSqlSafe;

use super::super::json_rows::{self, Ty};
use super::super::tx::WriteTx;
use crate::on_tx;

/// The table's name, for statements that join it.
pub const TABLE: &str = "import_rows";

/// A row to stage.
#[derive(Debug, Clone)]
pub struct StageRow {
    /// External id as stored.
    pub external_id: String,
    /// Position of the row in the file (from 1).
    pub seq: u64,
    /// Line in the file.
    pub line: u64,
    /// The collector's login name.
    pub collector: Option<String>,
    /// Visit date, `YYYY-MM-DD`.
    pub visit_date: Option<String>,
    /// The validated account as JSON; none for a bad row (a marker).
    pub row: Option<String>,
}

/// A staged good row.
#[derive(Debug, sqlx::FromRow)]
pub struct Staged {
    /// Position of the id's first row.
    pub seq: i64,
    /// Line of the row that won.
    pub line: i64,
    /// The collector's login name.
    pub collector: Option<String>,
    /// The account as JSON.
    pub row: String,
}

impl WriteTx {
    /// Creates the (empty) staging table.
    pub async fn create_staging(&mut self) -> anyhow::Result<()> {
        let pg = self.is_pg();
        on_tx!(self, |c| {
            if !pg {
                sqlx::query("drop table if exists temp.import_rows")
                    .execute(&mut **c)
                    .await
                    .context("clearing the staging table")?;
            }
            let on_commit = if pg { " on commit drop" } else { "" };
            sqlx::query(AssertSqlSafe(format!(
                "create temporary table import_rows (external_id text primary key,
                     seq bigint not null, line bigint not null, collector text,
                     visit_date text, row text){on_commit}"
            )))
            .execute(&mut **c)
            .await
            .context("creating the staging table")?;
            sqlx::query("create unique index import_rows_by_seq on import_rows (seq)")
                .execute(&mut **c)
                .await
                .context("indexing the staging table")?;
            sqlx::query("create index import_rows_by_collector on import_rows (collector)")
                .execute(&mut **c)
                .await
                .context("indexing the staging table")?;
        });
        Ok(())
    }

    /// Drops the staging table (before commit, so SQLite's connection is left clean).
    pub async fn drop_staging(&mut self) -> anyhow::Result<()> {
        on_tx!(self, |c| {
            sqlx::query("drop table import_rows")
                .execute(&mut **c)
                .await
                .context("dropping the staging table")?;
        });
        Ok(())
    }

    /// Stages rows in file order: a later good row of an id replaces the staged one but keeps
    /// its place (the place of the id's first good row); a bad row replaces nothing.
    // Long: one statement per backend, written out with its binds.
    pub async fn stage(&mut self, rows: &[StageRow]) -> anyhow::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // One row per id: PostgreSQL refuses to update a row twice in one statement.
        // `merged`: the row whose place the id takes (its first good row, else its first);
        // `winner`: the row whose values it keeps (its last good row, else its first).
        let mut merged: Vec<&StageRow> = Vec::with_capacity(rows.len());
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut winner: Vec<&StageRow> = Vec::with_capacity(rows.len());
        for r in rows {
            match at.get(r.external_id.as_str()) {
                Some(&i) if r.row.is_some() => {
                    if winner[i].row.is_none() {
                        merged[i] = r;
                    }
                    winner[i] = r;
                }
                Some(_) => {}
                None => {
                    at.insert(&r.external_id, merged.len());
                    merged.push(r);
                    winner.push(r);
                }
            }
        }
        let values: Vec<_> = merged
            .iter()
            .zip(&winner)
            .map(|(first, last)| {
                (
                    &first.external_id,
                    first.seq,
                    last.line,
                    &last.collector,
                    &last.visit_date,
                    &last.row,
                )
            })
            .collect();
        let cols = [
            ("external_id", Ty::Text),
            ("seq", Ty::Int),
            ("line", Ty::Int),
            ("collector", Ty::Text),
            ("visit_date", Ty::Text),
            ("row", Ty::Text),
        ];
        let sql = format!(
            "insert into import_rows (external_id, seq, line, collector, visit_date, row)
             select r.external_id, r.seq, r.line, r.collector, r.visit_date, r.row
             from {} where true
             on conflict (external_id) do update set line = excluded.line,
                 collector = excluded.collector, visit_date = excluded.visit_date,
                 row = excluded.row,
                 seq = case when import_rows.row is null then excluded.seq
                            else import_rows.seq end
             where excluded.row is not null",
            json_rows::table(self.is_pg(), 1, &cols, "r")
        );
        let param = json_rows::param(&values);
        on_tx!(self, |c| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(&param)
                .execute(&mut **c)
                .await
                .context("staging rows")?;
        });
        Ok(())
    }

    /// Each collector of the staged good rows with the earliest visit date of their rows, in
    /// the order the file first names them (with that position).
    pub async fn staged_collectors(
        &mut self,
    ) -> anyhow::Result<Vec<(String, Option<String>, i64)>> {
        Ok(on_tx!(self, |c| {
            sqlx::query_as(
                "select collector, min(visit_date), cast(min(seq) as bigint) from import_rows
                 where row is not null and collector is not null
                 group by collector order by min(seq)",
            )
            .fetch_all(&mut **c)
            .await
            .context("reading the staged collectors")?
        }))
    }

    /// How many staged good rows are assigned to `collector`, and the first `limit` of their
    /// lines.
    pub async fn staged_lines_of(
        &mut self,
        collector: &str,
        limit: usize,
    ) -> anyhow::Result<(u64, Vec<i64>)> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(on_tx!(self, |c| {
            let count: i64 = sqlx::query_scalar(
                "select cast(count(*) as bigint) from import_rows
                 where row is not null and collector = $1",
            )
            .bind(collector)
            .fetch_one(&mut **c)
            .await
            .context("counting staged lines")?;
            let lines = sqlx::query_scalar(
                "select line from import_rows
                 where row is not null and collector = $1 order by line limit $2",
            )
            .bind(collector)
            .bind(limit)
            .fetch_all(&mut **c)
            .await
            .context("reading staged lines")?;
            (count.unsigned_abs(), lines)
        }))
    }

    /// How many good rows are staged.
    pub async fn staged_count(&mut self) -> anyhow::Result<u64> {
        let n: i64 = on_tx!(self, |c| {
            sqlx::query_scalar(
                "select cast(count(*) as bigint) from import_rows where row is not null",
            )
            .fetch_one(&mut **c)
            .await
            .context("counting staged rows")?
        });
        Ok(n.unsigned_abs())
    }

    /// Up to `limit` staged good rows after position `seq`, in file order.
    pub async fn staged_after(&mut self, seq: i64, limit: usize) -> anyhow::Result<Vec<Staged>> {
        Ok(on_tx!(self, |c| {
            sqlx::query_as(
                "select seq, line, collector, row from import_rows
                 where seq > $1 and row is not null order by seq limit $2",
            )
            .bind(seq)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut **c)
            .await
            .context("reading staged rows")?
        }))
    }
}

/// A staged row that names an account the importing supervisor's team does not hold.
#[derive(Debug, sqlx::FromRow)]
pub struct Foreign {
    /// Line of the row.
    pub line: i64,
    /// The account's external id (the file's own value, so reporting it reveals nothing).
    pub external_id: String,
}

/// Staged good rows naming an existing account of `portfolio` (by name, in `org`) that team
/// `team` does not hold: one assigned to a collector outside the team, or an unassigned one
/// with a visit by a collector outside it (its visits would move along with it).
const FOREIGN: &str = "from import_rows k
     join portfolios p on p.org_id = $1 and p.name = $2
     join accounts a on a.portfolio_id = p.id and a.external_id = k.external_id
     left join users owner on owner.id = a.collector_id
     where k.row is not null and (
       (a.collector_id is not null and (owner.team_id is null or owner.team_id <> $3))
       or (a.collector_id is null and exists (
         select 1 from visits v join users vc on vc.id = v.collector_id
         where v.account_id = a.id and (vc.team_id is null or vc.team_id <> $3))))";

impl WriteTx {
    /// Takes out of the load every staged row naming an account outside `team` (see
    /// [`FOREIGN`]), turning it into a marker; returns how many, and the first `limit` by line.
    pub async fn unstage_foreign(
        &mut self,
        org: &str,
        portfolio: &str,
        team: &str,
        limit: usize,
    ) -> anyhow::Result<(u64, Vec<Foreign>)> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let count_sql = format!("select cast(count(*) as bigint) {FOREIGN}");
        let list_sql = format!("select k.line, k.external_id {FOREIGN} order by k.line limit $4");
        let unstage_sql = format!(
            "update import_rows set row = null, collector = null
             where external_id in (select k.external_id {FOREIGN})"
        );
        Ok(on_tx!(self, |c| {
            let count: i64 = sqlx::query_scalar(AssertSqlSafe(count_sql.clone()))
                .bind(org)
                .bind(portfolio)
                .bind(team)
                .fetch_one(&mut **c)
                .await
                .context("finding rows of other teams' accounts")?;
            if count == 0 {
                (0, Vec::new())
            } else {
                let rows: Vec<Foreign> = sqlx::query_as(AssertSqlSafe(list_sql.clone()))
                    .bind(org)
                    .bind(portfolio)
                    .bind(team)
                    .bind(limit)
                    .fetch_all(&mut **c)
                    .await
                    .context("listing rows of other teams' accounts")?;
                sqlx::query(AssertSqlSafe(unstage_sql.clone()))
                    .bind(org)
                    .bind(portfolio)
                    .bind(team)
                    .execute(&mut **c)
                    .await
                    .context("taking rows of other teams' accounts out of the import")?;
                (count.unsigned_abs(), rows)
            }
        }))
    }
}
