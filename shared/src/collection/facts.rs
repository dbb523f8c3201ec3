//! The facts of an account that the collection loop decides from: promises, agreements,
//! payments, visits' outcomes, the creditor's balance and whether the account left the portfolio.
//!
//! Owns the validated inputs ([`Promise`], [`Agreement`], [`ReceivedPayment`], [`Balance`],
//! [`VisitFact`]), the snapshot [`AccountFacts`] and the timed [`Fact`] that the history replays.
//! Must not decide anything: states are [`super::follow_up`]'s and [`super::assess`]'s.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::schedule::Installment;
use crate::ValidationError;
use crate::ids::VisitId;
use crate::model::money::Money;
use crate::model::submission::{Payment, PaymentMethod, PromiseToPay};
use crate::model::visit::Outcome;

/// A promise to pay, as recorded by a visit (a visit records at most one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    /// The visit that recorded it: the promise's identity.
    pub visit: VisitId,
    /// When it was made; its local date is the first day payments count towards it.
    pub made_at: DateTime<Utc>,
    /// When the deciding side learned of it: `made_at` on the phone, the upload's arrival on the
    /// server. Only a follow-up of a later day can break it (see [`crate::collection`]).
    pub known_at: DateTime<Utc>,
    /// Amount and due date (positive amount, checked by [`PromiseToPay::new`]).
    pub terms: PromiseToPay,
}

impl Promise {
    /// A promise known from the moment it was made (`known_at` = `made_at`).
    pub fn new(visit: VisitId, made_at: DateTime<Utc>, terms: PromiseToPay) -> Self {
        Self {
            visit,
            made_at,
            known_at: made_at,
            terms,
        }
    }

    /// The same promise, learned of at `known_at` (never before it was made).
    pub fn with_known_at(self, known_at: DateTime<Utc>) -> Self {
        Self {
            known_at: known_at.max(self.made_at),
            ..self
        }
    }
}

/// A payment agreement (acuerdo de pago), with its schedule as computed when it was made.
///
/// The schedule is kept, not recomputed, so a holiday decreed later does not move dates the
/// debtor agreed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawAgreement")]
pub struct Agreement {
    visit: VisitId,
    made_at: DateTime<Utc>,
    known_at: DateTime<Utc>,
    installments: Vec<Installment>,
}

impl Agreement {
    /// An agreement recorded by `visit` at `made_at`. The instalments must be numbered 1, 2, ...
    /// in order, with strictly increasing due dates, positive amounts in one currency (what
    /// [`super::schedule`] produces).
    pub fn new(
        visit: VisitId,
        made_at: DateTime<Utc>,
        installments: Vec<Installment>,
    ) -> Result<Self, ValidationError> {
        let refuse = |why: String| Err(ValidationError::new("agreement", why));
        let Some(first) = installments.first() else {
            return refuse("has no instalments".to_owned());
        };
        for (i, inst) in installments.iter().enumerate() {
            if usize::try_from(inst.n).ok() != Some(i + 1) {
                return refuse(format!("instalment {} is numbered {}", i + 1, inst.n));
            }
            if inst.amount.minor_units() <= 0 || inst.amount.currency() != first.amount.currency() {
                return refuse(format!("instalment {} has amount {}", inst.n, inst.amount));
            }
            if i > 0 && inst.due <= installments[i - 1].due {
                return refuse(format!(
                    "instalment {} is not due after the one before",
                    inst.n
                ));
            }
        }
        Ok(Self {
            visit,
            made_at,
            known_at: made_at,
            installments,
        })
    }

    /// The same agreement, learned of at `known_at` (never before it was made); by default it is
    /// known from the moment it was made.
    pub fn with_known_at(self, known_at: DateTime<Utc>) -> Self {
        Self {
            known_at: known_at.max(self.made_at),
            ..self
        }
    }
    /// The visit that recorded it: the agreement's identity.
    pub fn visit(&self) -> VisitId {
        self.visit
    }
    /// When it was made.
    pub fn made_at(&self) -> DateTime<Utc> {
        self.made_at
    }
    /// When the deciding side learned of it.
    pub fn known_at(&self) -> DateTime<Utc> {
        self.known_at
    }
    /// Its instalments, in order.
    pub fn installments(&self) -> &[Installment] {
        &self.installments
    }
}

/// The JSON shape of an [`Agreement`], checked on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgreement {
    visit: VisitId,
    made_at: DateTime<Utc>,
    #[serde(default)]
    known_at: Option<DateTime<Utc>>,
    installments: Vec<Installment>,
}

impl TryFrom<RawAgreement> for Agreement {
    type Error = ValidationError;
    fn try_from(raw: RawAgreement) -> Result<Self, ValidationError> {
        let agreement = Agreement::new(raw.visit, raw.made_at, raw.installments)?;
        Ok(match raw.known_at {
            Some(at) => agreement.with_known_at(at),
            None => agreement,
        })
    }
}

/// A payment towards the account, from a visit or from the creditor's payment file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPayment")]
pub struct ReceivedPayment {
    amount: Money,
    date: NaiveDate,
    reference: Option<String>,
    channel: Option<String>,
}

impl ReceivedPayment {
    /// A positive payment made on `date` (local). `reference` (receipt, voucher number) and
    /// `channel` (bank, online, cash...) are trimmed; empty means none.
    pub fn new(
        amount: Money,
        date: NaiveDate,
        reference: Option<&str>,
        channel: Option<&str>,
    ) -> Result<Self, ValidationError> {
        if amount.minor_units() <= 0 {
            return Err(ValidationError::new(
                "payment amount",
                format!("{amount} must be positive"),
            ));
        }
        let clean = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Self {
            amount,
            date,
            reference: clean(reference),
            channel: clean(channel),
        })
    }

    /// The payment a visit recorded, made on the visit's local `date`; its receipt is the
    /// reference that matches the same payment in a creditor's file, and the channel is the
    /// method (`cash`, `transfer`...).
    pub fn from_visit(payment: &Payment, date: NaiveDate) -> Result<Self, ValidationError> {
        let channel = match payment.method() {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Card => "card",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Other => "other",
        };
        Self::new(payment.amount(), date, payment.receipt(), Some(channel))
    }
    /// The amount paid.
    pub fn amount(&self) -> Money {
        self.amount
    }
    /// The local date it was paid.
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    /// The receipt or voucher number, if any.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
    /// How it was paid, if known.
    pub fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }
    /// The key two records of the same payment share: the reference, trimmed and upper-cased
    /// (`ab-12` and ` AB-12` are one voucher). `None` for a payment without reference, which is
    /// never taken for another.
    pub fn dedup_key(&self) -> Option<String> {
        self.reference.as_deref().map(str::to_uppercase)
    }
}

/// The JSON shape of a [`ReceivedPayment`], checked on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayment {
    amount: Money,
    date: NaiveDate,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    channel: Option<String>,
}

impl TryFrom<RawPayment> for ReceivedPayment {
    type Error = ValidationError;
    fn try_from(raw: RawPayment) -> Result<Self, ValidationError> {
        let (reference, channel) = (raw.reference.as_deref(), raw.channel.as_deref());
        ReceivedPayment::new(raw.amount, raw.date, reference, channel)
    }
}

/// The creditor's balance of the account as of the route file's date: payments dated on or before
/// `as_of` are taken as included in it, later ones are subtracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// The balance (not negative).
    pub amount: Money,
    /// The file's date (local).
    pub as_of: NaiveDate,
}

/// A visit that ended with an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitFact {
    /// When the outcome was recorded.
    pub at: DateTime<Utc>,
    /// What happened.
    pub outcome: Outcome,
}

/// Everything known about one account, in no particular order: [`super::assess`] sorts what
/// it needs, so two stores listing the same facts differently get the same state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountFacts {
    /// Finished visits with their outcome.
    pub visits: Vec<VisitFact>,
    /// Promises to pay.
    pub promises: Vec<Promise>,
    /// Payment agreements.
    pub agreements: Vec<Agreement>,
    /// Payments, possibly the same one twice (a visit's receipt and the bank file's row).
    pub payments: Vec<ReceivedPayment>,
    /// The creditor's balance, when imported.
    pub balance: Option<Balance>,
    /// Whether the account left the portfolio.
    pub closed: bool,
}

impl AccountFacts {
    /// Adds one fact known at `at` (the history's fold). A promise or agreement is taken as
    /// learned of at `at` (or when made, if later).
    pub fn apply(&mut self, at: DateTime<Utc>, kind: &FactKind) {
        match kind {
            FactKind::Visit(outcome) => self.visits.push(VisitFact {
                at,
                outcome: *outcome,
            }),
            FactKind::Promise(p) => self.promises.push(p.with_known_at(at)),
            FactKind::Agreement(a) => self.agreements.push(a.clone().with_known_at(at)),
            FactKind::Payment(p) => self.payments.push(p.clone()),
            FactKind::Balance(b) => self.balance = Some(*b),
            FactKind::FollowUp(_) => {}
            FactKind::Closed => self.closed = true,
            FactKind::Reopened => self.closed = false,
        }
    }
}

/// A fact with the instant it became known, for [`super::state_history`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// When it became known: a visit's outcome time, a payment file's import, a follow-up run.
    pub at: DateTime<Utc>,
    /// What it is.
    pub kind: FactKind,
}

/// What a [`Fact`] says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum FactKind {
    /// A visit ended with this outcome.
    Visit(Outcome),
    /// A promise was recorded.
    Promise(Promise),
    /// An agreement was recorded.
    Agreement(Agreement),
    /// A payment became known.
    Payment(ReceivedPayment),
    /// A route file set the creditor's balance.
    Balance(Balance),
    /// The daily follow-up decided this local day.
    FollowUp(NaiveDate),
    /// The account left the portfolio.
    Closed,
    /// The account came back to the portfolio.
    Reopened,
}
