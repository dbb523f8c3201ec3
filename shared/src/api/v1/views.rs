//! Records as devices receive them in pulled changes (`Change::body`). Server-authored records
//! (accounts, stops) arrive whole, with a version: the newest version wins on the device;
//! payments are facts, never changed once stored.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, PaymentId, PersonId, PortfolioId, RouteId, StopId, UserId};

/// A debtor account in a collector's scope (`entity_type` `account`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    /// Account id.
    pub id: AccountId,
    /// Portfolio.
    pub portfolio: PortfolioId,
    /// Portfolio name.
    pub portfolio_name: String,
    /// The creditor's code.
    pub external_id: String,
    /// The debtor as a person (contact rules count per person).
    pub person: Option<PersonId>,
    /// National id document number, when known.
    pub national_id: Option<String>,
    /// Debtor's name.
    pub name: String,
    /// Address text.
    pub address: String,
    /// Neighbourhood.
    pub neighbourhood: Option<String>,
    /// Latitude, when known.
    pub lat: Option<f64>,
    /// Longitude, when known.
    pub lon: Option<f64>,
    /// Phones.
    pub phones: Vec<String>,
    /// Balance in minor units.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub balance_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// Days past due.
    pub days_past_due: u32,
    /// Delinquency bucket label (`0-30` ... `>360`).
    pub bucket: String,
    /// Contact window in local time (`08:00-12:00`).
    pub contact_window: Option<String>,
    /// Assigned collector.
    pub collector: Option<UserId>,
    /// Record version: the newest wins.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

/// A stop of a collector's route (`entity_type` `stop`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopView {
    /// Stop id.
    pub id: StopId,
    /// Route.
    pub route: RouteId,
    /// Collector.
    pub collector: UserId,
    /// The route's date.
    pub route_date: NaiveDate,
    /// The account to visit.
    pub account: AccountId,
    /// Planned visit date.
    pub planned_date: NaiveDate,
    /// Order in the route (from 1).
    pub position: u32,
}

/// A visit as folded on the server from its events (`entity_type` `visit`): the status lattice
/// cell's visible part, the outcome once submitted, and whether a supervisor should review it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitView {
    /// Visit id (minted on the device).
    pub id: crate::ids::VisitId,
    /// The account visited.
    pub account: AccountId,
    /// The collector the visit belongs to.
    pub collector: UserId,
    /// The route stop, when the visit was planned.
    pub stop: Option<StopId>,
    /// Current status.
    pub status: crate::model::VisitStatus,
    /// Reopen generation of that status.
    pub status_epoch: u32,
    /// Stamp of the write that set the status.
    pub status_hlc: crate::sync::Hlc,
    /// Author of that write (none while nobody set a status): with `status_hlc` and
    /// `status_seq` the cell's full [`crate::sync::Stamp`], so a device merges the view by the
    /// same order as the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_device: Option<crate::ids::DeviceId>,
    /// The author's sequence number of that write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_seq: Option<u64>,
    /// The submitted outcome, once submitted.
    pub outcome: Option<crate::model::Outcome>,
    /// When the collector completed it.
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A check-in the device allowed was refused by the server's re-verification.
    pub flagged: bool,
}

/// The current value of one field or answer (`entity_type` `field`, entity id
/// `ENTITY/FIELD`): a last-writer-wins register.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldView {
    /// The entity (a visit).
    pub entity: uuid::Uuid,
    /// The field or question name.
    pub field: String,
    /// The value (`null` once cleared).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::AnswerValue))]
    pub value: serde_json::Value,
    /// Stamp of the winning write (apply it with the HLC receive rule).
    pub hlc: crate::sync::Hlc,
    /// Its author.
    pub device: crate::ids::DeviceId,
    /// Its author's sequence number.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
}

/// A check-in attempt with both verdicts (`entity_type` `checkin`, entity id `DEVICE/SEQ`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInView {
    /// The visit.
    pub visit: crate::ids::VisitId,
    /// The account.
    pub account: AccountId,
    /// When the collector asked to check in.
    pub at: chrono::DateTime<chrono::Utc>,
    /// What the device decided.
    pub device_verdict: crate::geofence::Verdict,
    /// What the server decided from the same evidence.
    pub server_verdict: crate::geofence::Verdict,
    /// The device allowed what the server refuses: kept, shown to supervisors.
    pub flagged: bool,
}

/// One attachment of a visit (`entity_type` `attachment`, entity id `VISIT/ATTACHMENT`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    /// The visit.
    pub visit: crate::ids::VisitId,
    /// The attachment.
    pub attachment: crate::ids::AttachmentId,
    /// The blob's content address, once an add arrived.
    pub sha256: Option<String>,
    /// MIME type.
    pub media_type: Option<String>,
    /// Blob size.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub bytes: Option<u64>,
    /// What it is for (`photo`, `signature`, `file`).
    pub role: Option<String>,
    /// Removed (remove wins over any add).
    pub removed: bool,
}

/// A payment received towards an account, as the creditor's payment file reported it
/// (`entity_type` `payment`). A fact: stored once, never changed. A payment the collector
/// recorded in a visit with the same reference is the same payment, counted once
/// ([`crate::collection::ReceivedPayment::dedup_key`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentView {
    /// Payment id.
    pub id: PaymentId,
    /// The account paid towards.
    pub account: AccountId,
    /// Amount in minor units (positive).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub amount_minor: i64,
    /// ISO 4217 currency (the account's).
    pub currency: String,
    /// The local date it was paid, in the organization's zone.
    pub date: NaiveDate,
    /// The voucher or receipt number.
    pub reference: String,
    /// How it was paid (bank, PSE, cash...), as the file says.
    pub channel: Option<String>,
}

impl PaymentView {
    /// The payment as the collection rules take it.
    pub fn to_received(
        &self,
    ) -> Result<crate::collection::ReceivedPayment, crate::ValidationError> {
        let currency = crate::model::Currency::parse(&self.currency)?;
        let amount = crate::model::Money::from_minor(self.amount_minor, currency);
        crate::collection::ReceivedPayment::new(
            amount,
            self.date,
            Some(&self.reference),
            self.channel.as_deref(),
        )
    }
}
