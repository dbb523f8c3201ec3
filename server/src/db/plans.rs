//! Query plans of the scoped reads (issue 16): the reads a device or a supervisor makes must be
//! led by an index on the caller's scope, never by a scan of the organization's big tables, on
//! both backends. Test-only: each read module lends its SQL text; this module binds values of
//! the right types, asks the backend for the plan and lists the scans it finds.
//!
//! SQLite: `EXPLAIN QUERY PLAN`; a `SCAN` of a big table (whole table or whole index) fails.
//! PostgreSQL: `EXPLAIN (FORMAT JSON)` with `enable_seqscan` off (on a near-empty database the
//! planner would rightly prefer a sequential scan, so the check asks what it does when it must
//! avoid one); a `Seq Scan` of a big table, or an index scan with no index condition (a whole
//! index read in order), fails.

use anyhow::Context;
use serde_json::Value;
use sqlx::Arguments;

use super::Db;

/// Tables that grow with the organization: accounts and what hangs off them.
pub(crate) const BIG_TABLES: [&str; 11] = [
    "accounts",
    "persons",
    "stops",
    "routes",
    "changes",
    "visits",
    "field_values",
    "checkins",
    "visit_attachments",
    "fixes",
    "events",
];

/// A value to bind, typed as the read binds it.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(Option<String>),
    Int(Option<i64>),
}

impl Bind {
    pub(crate) fn text(s: &str) -> Bind {
        Bind::Text(Some(s.to_owned()))
    }

    /// `$1`..`$4` of every scoped read: `who`'s organization, role, team and user.
    pub(crate) fn scope(who: &crate::db::sessions::Session) -> [Bind; 4] {
        let (org, role, team, user) = crate::db::scope::scope_binds(who);
        [
            Bind::Text(Some(org)),
            Bind::text(role),
            Bind::Text(team),
            Bind::Text(Some(user)),
        ]
    }
}

/// One read: a name for messages, its SQL and its binds.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub(crate) name: String,
    pub(crate) sql: String,
    pub(crate) binds: Vec<Bind>,
}

impl Db {
    /// The plan of `read`, one line per step (SQLite's details; PostgreSQL's nodes, as
    /// `Node Type on relation [index] (cond|no cond)`).
    pub(crate) async fn explain(&self, read: &Read) -> anyhow::Result<Vec<String>> {
        match self {
            Db::Sqlite(s) => {
                let mut args = sqlx::sqlite::SqliteArguments::default();
                for b in &read.binds {
                    match b {
                        Bind::Text(v) => args.add(v.clone()),
                        Bind::Int(v) => args.add(*v),
                    }
                    .map_err(|e| anyhow::anyhow!("binding: {e}"))?;
                }
                let sql = format!("explain query plan {}", read.sql);
                let rows: Vec<(i64, i64, i64, String)> =
                    sqlx::query_as_with(sqlx::AssertSqlSafe(sql), args)
                        .fetch_all(&s.read)
                        .await
                        .with_context(|| format!("explaining {}", read.name))?;
                Ok(rows.into_iter().map(|r| r.3).collect())
            }
            Db::Postgres(p) => {
                let mut args = sqlx::postgres::PgArguments::default();
                for b in &read.binds {
                    match b {
                        Bind::Text(v) => args.add(v.clone()),
                        Bind::Int(v) => args.add(*v),
                    }
                    .map_err(|e| anyhow::anyhow!("binding: {e}"))?;
                }
                let mut tx = p.begin().await?;
                sqlx::query("set local enable_seqscan = off")
                    .execute(&mut *tx)
                    .await?;
                let sql = format!("explain (format json) {}", read.sql);
                let plan: Value = sqlx::query_scalar_with(sqlx::AssertSqlSafe(sql), args)
                    .fetch_one(&mut *tx)
                    .await
                    .with_context(|| format!("explaining {}", read.name))?;
                let mut lines = Vec::new();
                pg_nodes(&plan[0]["Plan"], None, &mut lines);
                Ok(lines)
            }
        }
    }
}

/// `parent` is the relation of the node above: a `Bitmap Index Scan` names only its index, and
/// reads the relation of the `Bitmap Heap Scan` above it.
fn pg_nodes(node: &Value, parent: Option<&str>, out: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or("?");
    let mut line = kind.to_owned();
    let relation = node["Relation Name"]
        .as_str()
        .or(parent.filter(|_| kind == "Bitmap Index Scan"));
    if let Some(rel) = relation {
        line.push_str(&format!(" on {rel}"));
    }
    if let Some(index) = node["Index Name"].as_str() {
        line.push_str(&format!(" using {index}"));
    }
    if kind.starts_with("Index") || kind == "Bitmap Index Scan" {
        let cond = node["Index Cond"].as_str();
        line.push_str(&cond.map_or(" (no cond)".to_owned(), |c| format!(" ({c})")));
    }
    out.push(line);
    for child in node["Plans"].as_array().into_iter().flatten() {
        pg_nodes(child, node["Relation Name"].as_str(), out);
    }
}

/// Columns that name the organization or a stretch of its time, not a caller's scope: a big
/// table searched by these alone is read for the whole organization (a portfolio holds every
/// collector's accounts).
pub(crate) const ORG_WIDE_KEYS: [&str; 9] = [
    "portfolio_id",
    "org_id",
    "planned_date",
    "route_date",
    "status",
    // A range of time is the organization's rows of that time.
    "at_ms",
    "t_ms",
    "completed_ms",
    "created_ms",
];

/// The steps of `plan` that read a big table whole, or search it by organization-wide keys
/// only. SQLite names a table by its alias when it has one, so `aliases` maps the aliases the
/// read's SQL uses for big tables.
pub(crate) fn scans(plan: &[String], aliases: &[(&str, &str)]) -> Vec<String> {
    let big = |name: &str| {
        BIG_TABLES.contains(&name)
            || aliases
                .iter()
                .any(|(a, t)| *a == name && BIG_TABLES.contains(t))
    };
    plan.iter()
        .filter(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let on = |i: usize| words.get(i).is_some_and(|w| big(w));
            match words.as_slice() {
                // SQLite: `SCAN a`, `SCAN a USING INDEX i`, `SCAN accounts AS a`.
                ["SCAN", name, rest @ ..] => {
                    big(name) || matches!(rest, ["AS", alias, ..] if big(alias))
                }
                ["SEARCH", ..] => on(1) && org_wide(line),
                ["Seq", "Scan", "on", rel, ..] => big(rel),
                [kind, .., "(no", "cond)"] if kind.starts_with("Index") => words
                    .iter()
                    .position(|w| *w == "on")
                    .is_some_and(|i| on(i + 1)),
                [kind, ..] if kind.starts_with("Index") || kind.starts_with("Bitmap") => {
                    words
                        .iter()
                        .position(|w| *w == "on")
                        .is_some_and(|i| on(i + 1))
                        && org_wide(line)
                }
                _ => false,
            }
        })
        .cloned()
        .collect()
}

/// Columns that lead to one caller's rows (a user, a team, or one row by its key).
const SCOPE_KEYS: [&str; 10] = [
    "collector_id",
    "team_id",
    "user_id",
    "id",
    "account_id",
    "route_id",
    "visit_id",
    "stop_id",
    "entity",
    "device_id",
];

/// Whether the condition of a step (from its first parenthesis) names an organization-wide
/// column and no scope column.
fn org_wide(line: &str) -> bool {
    let Some(cond) = line.find(" (").map(|i| &line[i..]) else {
        return false;
    };
    let columns: Vec<&str> = cond
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(|w| w.rsplit('.').next().unwrap_or(w))
        .collect();
    columns.iter().any(|c| ORG_WIDE_KEYS.contains(c))
        && !columns.iter().any(|c| SCOPE_KEYS.contains(c))
}

/// The aliases the scoped reads give big tables, as `(alias, table)`.
pub(crate) const ALIASES: [(&str, &str); 13] = [
    ("a", "accounts"),
    ("owner_a", "accounts"),
    ("pe", "persons"),
    ("s", "stops"),
    ("r", "routes"),
    ("v", "visits"),
    ("p", "portfolios"),
    ("f", "field_values"),
    ("k", "checkins"),
    ("t", "visit_attachments"),
    ("d", "deletions"),
    ("fx", "fixes"),
    ("author", "users"),
];

mod tests;
