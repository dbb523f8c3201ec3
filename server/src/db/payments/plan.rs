//! What a payment import writes, decided from what was read (no database): each good row's
//! account among those its external id names, its amount in the account's currency, and
//! whether it is new, already stored as is, or refused.
//!
//! Rules: an external id names one account of the organization (of `--portfolio` when given);
//! none or several (one per portfolio) refuse the row with its line. A supervisor's import
//! refuses accounts held by another team's collector. The idempotency key is (account,
//! reference key): a row whose key is already stored with the same amount and date is
//! unchanged, with another amount or date it is refused (a payment file never corrects a stored
//! payment); the same key twice in a file is one payment when the rows agree, refused otherwise.

use std::collections::HashMap;

use terreno_shared::ids::{AccountId, TeamId, UserId};
use terreno_shared::model::{Currency, Money};

use crate::db::import::Rejected;
use crate::import::payments::PaymentRow;

/// An account an external id may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRef {
    /// Id.
    pub id: AccountId,
    /// Its portfolio's name.
    pub portfolio: String,
    /// Currency of its balance.
    pub currency: Currency,
    /// Its collector, if assigned.
    pub collector: Option<UserId>,
    /// That collector's team.
    pub team: Option<TeamId>,
    /// Still open (a closed account's payment is stored, but no device holds the account).
    pub open: bool,
}

/// A payment already stored under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Local date, `YYYY-MM-DD`.
    pub paid_on: String,
}

/// A row ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// The file row.
    pub row: PaymentRow,
    /// Its account.
    pub account: AccountRef,
    /// Its amount.
    pub amount: Money,
    /// The idempotency key's second half.
    pub reference_key: String,
}

/// What the rows come to.
#[derive(Debug, Default)]
pub struct Matched {
    /// Rows with their account and amount, one per key, in file order.
    pub rows: Vec<NewPayment>,
    /// Rows repeating an earlier row of the file.
    pub repeated: usize,
    /// Refused rows.
    pub rejected: Vec<Rejected>,
}

/// Columns a refusal names.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// The account column's header.
    pub account: Option<String>,
    /// The amount column's header.
    pub amount: Option<String>,
    /// The reference column's header.
    pub reference: Option<String>,
}

/// The reference key two records of one payment share (see `ReceivedPayment::dedup_key`).
pub fn reference_key(reference: &str) -> String {
    reference.trim().to_uppercase()
}

/// Matches good rows to accounts (`accounts`: by external id) and converts their amounts.
pub fn match_rows(
    rows: Vec<PaymentRow>,
    accounts: &HashMap<String, Vec<AccountRef>>,
    portfolio: Option<&str>,
    only_team: Option<TeamId>,
    columns: &Columns,
) -> Matched {
    let mut out = Matched::default();
    let mut seen: HashMap<(AccountId, String), usize> = HashMap::new();
    for row in rows {
        let refuse = |column: &Option<String>, reason: String| Rejected {
            line: row.line,
            column: column.clone(),
            reason,
        };
        let account = match account_of(&row, accounts, portfolio, only_team) {
            Ok(a) => a.clone(),
            Err(why) => {
                out.rejected.push(refuse(&columns.account, why));
                continue;
            }
        };
        let amount = match Money::from_decimal_str(&row.amount, account.currency) {
            Ok(m) => m,
            Err(e) => {
                let why = format!("{} {}: {}", row.amount, account.currency.code(), e.reason);
                out.rejected.push(refuse(&columns.amount, why));
                continue;
            }
        };
        let key = reference_key(&row.reference);
        if let Some(&i) = seen.get(&(account.id, key.clone())) {
            let first: &NewPayment = &out.rows[i];
            if first.amount == amount && first.row.date == row.date {
                out.repeated += 1;
            } else {
                let why = format!(
                    "reference {:?} of account {} is also on line {} with another amount or date",
                    row.reference, row.account, first.row.line
                );
                out.rejected.push(refuse(&columns.reference, why));
            }
            continue;
        }
        seen.insert((account.id, key.clone()), out.rows.len());
        out.rows.push(NewPayment {
            row,
            account,
            amount,
            reference_key: key,
        });
    }
    out
}

fn account_of<'a>(
    row: &PaymentRow,
    accounts: &'a HashMap<String, Vec<AccountRef>>,
    portfolio: Option<&str>,
    only_team: Option<TeamId>,
) -> Result<&'a AccountRef, String> {
    let id = row.account.as_str();
    let found = accounts.get(id).map(Vec::as_slice).unwrap_or_default();
    let account = match (found, portfolio) {
        ([], Some(p)) => return Err(format!("no account {id:?} in portfolio {p:?}")),
        ([], None) => return Err(format!("no account {id:?} in the organization")),
        ([one], _) => one,
        (many, _) => {
            let names: Vec<&str> = many.iter().map(|a| a.portfolio.as_str()).collect();
            return Err(format!(
                "account {id:?} is in portfolios {}: name one (--portfolio)",
                names.join(", ")
            ));
        }
    };
    match (only_team, account.team) {
        (Some(mine), Some(theirs)) if mine != theirs => Err(format!(
            "account {id:?} is held by another team's collector"
        )),
        _ => Ok(account),
    }
}

/// Splits matched rows into new ones and the count already stored as they are; a stored key
/// with another amount or date refuses its row.
pub fn against_stored(
    rows: Vec<NewPayment>,
    stored: &HashMap<(AccountId, String), Stored>,
    columns: &Columns,
) -> (Vec<NewPayment>, usize, Vec<Rejected>) {
    let (mut fresh, mut unchanged, mut rejected) = (Vec::new(), 0, Vec::new());
    for p in rows {
        match stored.get(&(p.account.id, p.reference_key.clone())) {
            None => fresh.push(p),
            Some(s)
                if s.amount_minor == p.amount.minor_units()
                    && s.paid_on == p.row.date.to_string() =>
            {
                unchanged += 1
            }
            Some(s) => rejected.push(Rejected {
                line: p.row.line,
                column: columns.reference.clone(),
                reason: format!(
                    "reference {:?} of account {} is already stored with {} on {}",
                    p.row.reference,
                    p.row.account,
                    Money::from_minor(s.amount_minor, p.account.currency),
                    s.paid_on
                ),
            }),
        }
    }
    (fresh, unchanged, rejected)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
