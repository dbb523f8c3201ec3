//! The statements projection runs ([`ProjectStore`]) and the rows they read and write. The SQL
//! itself is in `queries`, written once and compiled for both connection types.

use std::future::Future;

use terreno_shared::sync::{Hlc, Stamp};

use crate::db::changes::NewChange;
pub(crate) use crate::db::push::to_i64 as i;

/// An account as the permission check and the geofence need it.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub collector_id: Option<String>,
    pub collector_team: Option<String>,
    pub org_id: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A visit with its collector's team and organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub id: String,
    pub account_id: String,
    pub collector_id: String,
    pub collector_team: Option<String>,
    pub org_id: String,
    pub stop_id: Option<String>,
    pub status: String,
    pub status_epoch: i64,
    pub status_rank: i64,
    pub status_hlc: i64,
    pub status_device: String,
    pub status_seq: i64,
    pub outcome: Option<String>,
    pub completed_ms: Option<i64>,
    pub submission: Option<String>,
    pub flagged: bool,
    /// A deletion cell exists: the visit stays deleted (SYNC.md: no resurrection).
    pub deleted: bool,
}

/// The stamp of a register's current value.
#[derive(Debug, sqlx::FromRow)]
pub struct RegisterRow {
    pub hlc: i64,
    pub device_id: String,
    pub seq: i64,
    pub base_hlc: Option<i64>,
}

impl RegisterRow {
    /// The stored write's stamp.
    pub fn stamp(&self) -> sqlx::Result<Stamp> {
        Ok(Stamp {
            hlc: Hlc::from_raw(self.hlc),
            device_id: self
                .device_id
                .parse()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            seq: u64::try_from(self.seq).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        })
    }
}

/// An attachment cell.
#[derive(Debug, sqlx::FromRow)]
pub struct AttachmentRow {
    pub sha256: Option<String>,
    pub media_type: Option<String>,
    pub bytes: Option<i64>,
    pub role: Option<String>,
    pub removed: bool,
}

/// A status lattice cell to write.
#[derive(Debug, Clone, Copy)]
pub struct StatusWrite<'a> {
    pub status: &'a str,
    pub epoch: i64,
    pub rank: i64,
    pub hlc: i64,
    pub device: &'a str,
    pub seq: i64,
    /// The cell's lattice key (`terreno_shared::sync::stamp::status_key`).
    pub key: &'a str,
}

/// A register write.
#[derive(Debug, Clone, Copy)]
pub struct RegisterWrite<'a> {
    pub entity: &'a str,
    pub field: &'a str,
    pub value: &'a str,
    pub hlc: i64,
    pub device: &'a str,
    pub seq: i64,
    pub base_hlc: Option<i64>,
    /// The write's stamp key (`terreno_shared::sync::Stamp::order_key`).
    pub key: &'a str,
}

/// A write's stamp as its columns and its key (`terreno_shared::sync::Stamp::order_key`).
#[derive(Debug, Clone, Copy)]
pub struct StampCols<'a> {
    pub hlc: i64,
    pub device: &'a str,
    pub seq: i64,
    pub key: &'a str,
}

/// A check-in row.
#[derive(Debug, Clone)]
pub struct CheckInRow {
    pub device: String,
    pub seq: i64,
    pub visit: String,
    pub account: String,
    pub at_ms: i64,
    pub device_verdict: String,
    pub server_verdict: String,
    pub device_allowed: bool,
    pub server_allowed: bool,
    pub flagged: bool,
}

/// A GPS fix row.
#[derive(Debug, Clone)]
pub struct FixRow {
    pub seq: i64,
    pub t_ms: i64,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    pub speed_ms: Option<f64>,
    pub heading_deg: Option<f64>,
    pub altitude_m: Option<f64>,
    pub battery: Option<f64>,
    pub charging: Option<bool>,
    pub mock: bool,
}

/// Projection's statements.
pub trait ProjectStore {
    fn find_account(
        &mut self,
        id: &str,
    ) -> impl Future<Output = sqlx::Result<Option<AccountRow>>> + Send;
    fn find_visit(
        &mut self,
        id: &str,
    ) -> impl Future<Output = sqlx::Result<Option<VisitRow>>> + Send;
    fn insert_visit(
        &mut self,
        id: &str,
        account: &str,
        collector: &str,
        stop: Option<&str>,
        now_ms: i64,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Writes the status cell when it is above the stored one in the lattice.
    fn write_status(
        &mut self,
        visit: &str,
        w: StatusWrite<'_>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send;
    fn complete_visit(
        &mut self,
        visit: &str,
        outcome: &str,
        completed_ms: i64,
        submission: &str,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Queues the email of a visit's completion (once per completion: a replay adds nothing).
    fn enqueue_email(
        &mut self,
        visit: &str,
        completed_ms: i64,
        now_ms: i64,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    fn flag_visit(&mut self, visit: &str) -> impl Future<Output = sqlx::Result<()>> + Send;
    fn insert_checkin(&mut self, r: &CheckInRow) -> impl Future<Output = sqlx::Result<()>> + Send;
    fn find_register(
        &mut self,
        entity: &str,
        field: &str,
    ) -> impl Future<Output = sqlx::Result<Option<RegisterRow>>> + Send;
    /// Writes the register when the new stamp is greater; rows changed.
    fn upsert_register(
        &mut self,
        w: RegisterWrite<'_>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send;
    fn insert_conflict(
        &mut self,
        entity: &str,
        field: &str,
        lost: (&str, i64),
        won: (&str, i64),
        now_ms: i64,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Adds (or re-adds with a greater stamp) an attachment; rows changed.
    fn add_attachment(
        &mut self,
        visit: &str,
        attachment: &str,
        blob: (&str, &str, i64, &str),
        by: StampCols<'_>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send;
    /// Marks an attachment removed; rows changed.
    fn remove_attachment(
        &mut self,
        visit: &str,
        attachment: &str,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send;
    fn find_attachment(
        &mut self,
        visit: &str,
        attachment: &str,
    ) -> impl Future<Output = sqlx::Result<Option<AttachmentRow>>> + Send;
    /// Records a deletion, keeping the first one; rows changed.
    fn insert_deletion(
        &mut self,
        entity: &str,
        by: StampCols<'_>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send;
    fn insert_fixes(
        &mut self,
        device: &str,
        user: &str,
        rows: &[FixRow],
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Moves the device's last position when the fix is newer.
    fn upsert_last_position(
        &mut self,
        device: &str,
        user: &str,
        fix: &FixRow,
        now_ms: i64,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    fn org_policy(
        &mut self,
        org: &str,
    ) -> impl Future<Output = sqlx::Result<Option<String>>> + Send;
    /// The organization's time zone and visit form (its id, when it has one).
    fn org_forms(
        &mut self,
        org: &str,
    ) -> impl Future<Output = sqlx::Result<(String, Option<String>)>> + Send;
    /// A form version of the organization: its `version` and definition (JSON).
    fn find_form(
        &mut self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = sqlx::Result<Option<(String, String)>>> + Send;
    /// The data files (CSV, XML, GeoJSON) of form version `id` of `org`, as `(name, bytes)`.
    fn find_form_data(
        &mut self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = sqlx::Result<Vec<(String, Vec<u8>)>>> + Send;
    fn begin_feed(&mut self) -> impl Future<Output = sqlx::Result<i64>> + Send;
    fn record(
        &mut self,
        txn: i64,
        change: &NewChange,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
}
