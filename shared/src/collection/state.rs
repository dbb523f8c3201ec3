//! An account's collection state ([`AccountState`]) with its wire names and its labels in Spanish
//! and English ([`Lang`]). Must not derive the state: that is [`super::assess`]'s.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// A language the labels and reasons are written in.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Spanish (Colombia): the field's language, the default.
    #[default]
    Es,
    /// English.
    En,
}

/// Where an account stands in the collection loop (estado de gestión).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Never worked: no contact yet (sin gestión).
    New,
    /// Someone was reached, with no commitment in force (contactado).
    Contacted,
    /// A promise to pay is pending (promesa vigente).
    PromiseActive,
    /// The latest promise was not kept (promesa incumplida).
    PromiseBroken,
    /// A payment agreement is running (acuerdo vigente).
    AgreementActive,
    /// An instalment of the agreement was not paid (acuerdo incumplido).
    AgreementBroken,
    /// The balance is settled (pagado).
    Paid,
    /// Too many visits in a row found nobody or a wrong address (ilocalizable).
    Unreachable,
    /// The debtor refused (renuente).
    Refused,
    /// The account left the portfolio (cerrado).
    Closed,
}

impl AccountState {
    /// Every state, in the order the loop usually moves through them.
    pub const ALL: [AccountState; 10] = [
        AccountState::New,
        AccountState::Contacted,
        AccountState::PromiseActive,
        AccountState::PromiseBroken,
        AccountState::AgreementActive,
        AccountState::AgreementBroken,
        AccountState::Paid,
        AccountState::Unreachable,
        AccountState::Refused,
        AccountState::Closed,
    ];

    /// The snake_case name used on the wire, in the CLI and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::New => "new",
            AccountState::Contacted => "contacted",
            AccountState::PromiseActive => "promise_active",
            AccountState::PromiseBroken => "promise_broken",
            AccountState::AgreementActive => "agreement_active",
            AccountState::AgreementBroken => "agreement_broken",
            AccountState::Paid => "paid",
            AccountState::Unreachable => "unreachable",
            AccountState::Refused => "refused",
            AccountState::Closed => "closed",
        }
    }

    /// The label people read, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Es => self.label_es(),
            Lang::En => self.label_en(),
        }
    }

    fn label_es(self) -> &'static str {
        match self {
            AccountState::New => "sin gestión",
            AccountState::Contacted => "contactado",
            AccountState::PromiseActive => "promesa vigente",
            AccountState::PromiseBroken => "promesa incumplida",
            AccountState::AgreementActive => "acuerdo vigente",
            AccountState::AgreementBroken => "acuerdo incumplido",
            AccountState::Paid => "pagado",
            AccountState::Unreachable => "ilocalizable",
            AccountState::Refused => "renuente",
            AccountState::Closed => "cerrado",
        }
    }

    fn label_en(self) -> &'static str {
        match self {
            AccountState::New => "not worked",
            AccountState::Contacted => "contacted",
            AccountState::PromiseActive => "promise active",
            AccountState::PromiseBroken => "promise broken",
            AccountState::AgreementActive => "agreement active",
            AccountState::AgreementBroken => "agreement broken",
            AccountState::Paid => "paid",
            AccountState::Unreachable => "unreachable",
            AccountState::Refused => "refused",
            AccountState::Closed => "closed",
        }
    }

    /// Whether a broken promise or agreement is behind the state: such stops go first.
    pub fn is_broken(self) -> bool {
        matches!(
            self,
            AccountState::PromiseBroken | AccountState::AgreementBroken
        )
    }

    /// Whether the account needs no more visits (paid or closed): it leaves the routes.
    pub fn is_settled(self) -> bool {
        matches!(self, AccountState::Paid | AccountState::Closed)
    }
}

impl fmt::Display for AccountState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountState {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        AccountState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = AccountState::ALL.iter().map(|s| s.as_str()).collect();
                ValidationError::new(
                    "account state",
                    format!("{s:?} is not one of {}", all.join(", ")),
                )
            })
    }
}
