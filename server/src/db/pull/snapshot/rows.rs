//! Snapshot rows and their change bodies: the same view types the writers record in the feed
//! (`db::portfolio` for accounts and stops, `db::project` for visits, fields, check-ins and
//! attachments, `db::forms` and `db::visit_form` for forms), so a device cannot tell a snapshot
//! upsert from a feed upsert.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use terreno_shared::api::v1::forms::{FormVersion, VISIT_FORM_ID, VisitForm};
use terreno_shared::api::v1::sync::{Change, Record};
use terreno_shared::api::v1::views::{AttachmentView, CheckInView, FieldView, StopView, VisitView};
use terreno_shared::sync::Hlc;

pub(super) use crate::db::account_view::AccountViewRow as AccountRow;

#[derive(sqlx::FromRow)]
pub(super) struct StopRow {
    id: String,
    route_id: String,
    collector_id: String,
    route_date: String,
    account_id: String,
    planned_date: String,
    position: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct VisitRow {
    id: String,
    account_id: String,
    collector_id: String,
    stop_id: Option<String>,
    status: String,
    status_epoch: i64,
    status_hlc: i64,
    status_device: String,
    status_seq: i64,
    outcome: Option<String>,
    completed_ms: Option<i64>,
    flagged: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct FieldRow {
    entity: String,
    field: String,
    value: String,
    hlc: i64,
    device_id: String,
    seq: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct CheckinRow {
    device_id: String,
    seq: i64,
    visit_id: String,
    account_id: String,
    at_ms: i64,
    device_verdict: String,
    server_verdict: String,
    flagged: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct AttachmentRow {
    visit_id: String,
    attachment_id: String,
    sha256: Option<String>,
    media_type: Option<String>,
    bytes: Option<i64>,
    role: Option<String>,
    removed: bool,
}

#[derive(sqlx::FromRow)]
pub(super) struct FormRow {
    id: String,
    form_id: String,
    version: String,
    title: String,
    created_ms: i64,
    definition: String,
    media: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct VisitFormRow {
    visit_form_id: String,
}

fn upsert(entity_id: String, record: Record) -> anyhow::Result<Change> {
    Ok(Change::upsert(entity_id, record))
}

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("stored date {s:?}"))
}

fn time(ms: i64) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).with_context(|| format!("stored time {ms} is out of range"))
}

impl AccountRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let view = self.into_view()?;
        upsert(view.id.to_string(), Record::Account(view))
    }
}

impl StopRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let view = StopView {
            id: self.id.parse().context("stored stop id")?,
            route: self.route_id.parse().context("stored route id")?,
            collector: self.collector_id.parse().context("stored collector id")?,
            route_date: date(&self.route_date)?,
            account: self.account_id.parse().context("stored account id")?,
            planned_date: date(&self.planned_date)?,
            position: u32::try_from(self.position).context("stored stop position")?,
        };
        upsert(self.id, Record::Stop(view))
    }
}

impl VisitRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let view = VisitView {
            id: self.id.parse().context("stored visit id")?,
            account: self.account_id.parse().context("stored account id")?,
            collector: self.collector_id.parse().context("stored collector id")?,
            stop: (self.stop_id.map(|s| s.parse()).transpose()).context("stored stop id")?,
            status: self.status.parse().context("stored visit status")?,
            status_epoch: u32::try_from(self.status_epoch).context("stored status epoch")?,
            status_hlc: Hlc::from_raw(self.status_hlc),
            status_device: (!self.status_device.is_empty())
                .then(|| self.status_device.parse())
                .transpose()
                .context("stored status device")?,
            status_seq: (!self.status_device.is_empty())
                .then(|| u64::try_from(self.status_seq))
                .transpose()
                .context("stored status seq")?,
            outcome: (self.outcome.map(|o| o.parse()).transpose()).context("stored outcome")?,
            completed_at: self.completed_ms.map(time).transpose()?,
            flagged: self.flagged,
        };
        upsert(self.id, Record::Visit(view))
    }
}

impl FieldRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let id = format!("{}/{}", self.entity, self.field);
        let view = FieldView {
            entity: self.entity.parse().context("stored field entity")?,
            field: self.field,
            value: serde_json::from_str(&self.value).context("stored field value")?,
            hlc: Hlc::from_raw(self.hlc),
            device: self.device_id.parse().context("stored device id")?,
            seq: u64::try_from(self.seq).context("stored seq")?,
        };
        upsert(id, Record::Field(view))
    }
}

impl CheckinRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let view = CheckInView {
            visit: self.visit_id.parse().context("stored visit id")?,
            account: self.account_id.parse().context("stored account id")?,
            at: time(self.at_ms)?,
            device_verdict: serde_json::from_str(&self.device_verdict)
                .context("stored device verdict")?,
            server_verdict: serde_json::from_str(&self.server_verdict)
                .context("stored server verdict")?,
            flagged: self.flagged,
        };
        upsert(
            format!("{}/{}", self.device_id, self.seq),
            Record::CheckIn(view),
        )
    }
}

impl AttachmentRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let id = format!("{}/{}", self.visit_id, self.attachment_id);
        let view = AttachmentView {
            visit: self.visit_id.parse().context("stored visit id")?,
            attachment: self.attachment_id.parse().context("stored attachment id")?,
            sha256: self.sha256,
            media_type: self.media_type,
            bytes: self
                .bytes
                .map(u64::try_from)
                .transpose()
                .context("stored size")?,
            role: self.role,
            removed: self.removed,
        };
        upsert(id, Record::Attachment(view))
    }
}

impl FormRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let view = FormVersion {
            id: self.id.parse().context("stored form id")?,
            form_id: self.form_id,
            version: self.version,
            title: self.title,
            created_ms: self.created_ms,
            definition: serde_json::from_str(&self.definition)
                .with_context(|| format!("stored definition of form {}", self.id))?,
            media: serde_json::from_str(&self.media)
                .with_context(|| format!("stored media list of form {}", self.id))?,
        };
        upsert(self.id, Record::Form(Box::new(view)))
    }
}

impl VisitFormRow {
    pub(super) fn into_change(self) -> anyhow::Result<Change> {
        let view = VisitForm {
            id: self.visit_form_id.parse().context("stored visit form id")?,
        };
        upsert(VISIT_FORM_ID.to_owned(), Record::VisitForm(view))
    }
}
