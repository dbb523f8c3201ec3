//! A visit's history as the server knows it, newest first: its reviews, every `field_set` event
//! naming it (which device and user, the device's hybrid-logical time, the value before and
//! after), and the recorded conflicts (an edit overwritten by one whose author had not seen it).
//!
//! The value before an edit is derived, not stored: it is the value of the previous applied edit
//! of the same field in merge order (`merge_hlc`, device, seq), the order the register folds
//! them in. The caller checks the scope first; this module reads by visit id only.

use std::collections::HashMap;
use terreno_shared::api::v1::sync::EventState;

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;

use super::scope::{SCOPE, VISIT_OWNER, scope_binds};
use super::sessions::Session;
use super::visit_list::Visits;
use super::visit_reviews::VisitReview;
use crate::on_read;

/// One entry of a visit's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryEntry {
    /// A supervisor's or admin's review.
    Review(VisitReview),
    /// A field or answer written by a device.
    Edit(FieldEdit),
    /// An edit overwritten by another whose author had not seen it.
    Conflict(FieldConflict),
}

impl HistoryEntry {
    fn at_ms(&self) -> i64 {
        match self {
            HistoryEntry::Review(r) => r.at_ms,
            HistoryEntry::Edit(e) => e.at_ms,
            HistoryEntry::Conflict(c) => c.at_ms,
        }
    }
}

/// A `field_set` event of the visit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldEdit {
    /// The field or answer path.
    pub field: String,
    /// The device's clock when it was made (Unix ms, from its hybrid logical time).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// The hybrid logical time itself.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub hlc: i64,
    /// The device.
    pub device_id: String,
    /// The device's label.
    pub device_label: String,
    /// Whose device it is (username).
    pub username: String,
    /// Their display name.
    pub user_name: String,
    /// The value before (the previous applied edit of the field); null when none is known.
    #[schema(value_type = terreno_shared::openapi::AnswerValue)]
    pub old_value: Option<Value>,
    /// The value written (null clears the field).
    #[schema(value_type = terreno_shared::openapi::AnswerValue)]
    pub new_value: Value,
    /// applied, rejected, pending or deferred.
    pub state: EventState,
    /// Why the server rejected it, when it did.
    pub reason: Option<String>,
}

/// An edit that lost to another.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldConflict {
    /// The field or answer path.
    pub field: String,
    /// When the server recorded it (Unix ms).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_ms: i64,
    /// The overwritten value.
    #[schema(value_type = terreno_shared::openapi::AnswerValue)]
    pub lost_value: Option<Value>,
    /// Who wrote it (username).
    pub lost_username: Option<String>,
    /// The value that won.
    #[schema(value_type = terreno_shared::openapi::AnswerValue)]
    pub won_value: Option<Value>,
    /// Who wrote that (username).
    pub won_username: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EditRow {
    device_id: String,
    seq: i64,
    hlc: i64,
    field: Option<String>,
    payload: String,
    #[sqlx(try_from = "String")]
    state: EventState,
    reason: Option<String>,
    device_label: String,
    username: String,
    user_name: String,
}

#[derive(sqlx::FromRow)]
struct ConflictRow {
    field: String,
    recorded_ms: i64,
    lost_payload: Option<String>,
    lost_username: Option<String>,
    won_payload: Option<String>,
    won_username: Option<String>,
}

/// The bits of a hybrid logical time that hold the counter (SYNC.md "Clock").
const HLC_COUNTER_BITS: u32 = 16;

impl Visits<'_> {
    /// Whether `who` may read visit `visit_id` (the scope of `GET /api/v1/visits/{id}`).
    pub async fn is_visible(&self, who: &Session, visit_id: &str) -> anyhow::Result<bool> {
        let (org, role, team, user) = scope_binds(who);
        let sql = format!("select v.id from visits v {VISIT_OWNER} where v.id = $1 and {SCOPE}");
        let found: Option<String> = on_read!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(visit_id)
                .bind(&org)
                .bind(role)
                .bind(&team)
                .bind(&user)
                .fetch_optional(pool)
                .await
                .context("checking a visit's scope")?
        });
        Ok(found.is_some())
    }

    /// The history of visit `visit_id`, newest first.
    pub async fn history(&self, visit_id: &str) -> anyhow::Result<Vec<HistoryEntry>> {
        let (edits, conflicts): (Vec<EditRow>, Vec<ConflictRow>) = on_read!(self, |pool| {
            // Only edits from devices of the visit's organization: an event naming a visit of
            // another organization is not part of its history.
            let edits = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "select e.device_id, e.seq, e.hlc, e.field, e.payload, e.state,
                        e.reason, d.label as device_label, u.username,
                        u.display_name as user_name
                 from events e join devices d on d.id = e.device_id
                 join users u on u.id = d.user_id
                 join visits v on v.id = e.entity {VISIT_OWNER}
                 where e.entity = $1 and e.kind = 'field_set' and u.org_id = c.org_id
                 order by e.merge_hlc, e.device_id, e.seq"
            )))
            .bind(visit_id)
            .fetch_all(&mut *pool)
            .await
            .context("reading a visit's edits")?;
            let conflicts = sqlx::query_as(
                "select k.field, k.recorded_ms, le.payload as lost_payload,
                        lu.username as lost_username, we.payload as won_payload,
                        wu.username as won_username
                 from conflicts k
                 left join events le on le.device_id = k.lost_device and le.seq = k.lost_seq
                 left join devices ld on ld.id = k.lost_device
                 left join users lu on lu.id = ld.user_id
                 left join events we on we.device_id = k.won_device and we.seq = k.won_seq
                 left join devices wd on wd.id = k.won_device
                 left join users wu on wu.id = wd.user_id
                 where k.entity = $1",
            )
            .bind(visit_id)
            .fetch_all(pool)
            .await
            .context("reading a visit's conflicts")?;
            (edits, conflicts)
        });
        // Newest first already, so edits within one millisecond keep their merge order when
        // the stable sort below interleaves them with reviews and conflicts.
        let mut entries: Vec<HistoryEntry> = fold_edits(edits)?
            .into_iter()
            .rev()
            .map(HistoryEntry::Edit)
            .collect();
        for c in conflicts {
            entries.push(HistoryEntry::Conflict(FieldConflict {
                field: c.field,
                at_ms: c.recorded_ms,
                lost_value: c.lost_payload.as_deref().map(value_of).transpose()?,
                lost_username: c.lost_username,
                won_value: c.won_payload.as_deref().map(value_of).transpose()?,
                won_username: c.won_username,
            }));
        }
        let reviews = self.reviews(visit_id).await?;
        entries.extend(reviews.into_iter().map(HistoryEntry::Review));
        entries.sort_by_key(|e| std::cmp::Reverse(e.at_ms()));
        Ok(entries)
    }
}

/// The edits with the value each replaced; `rows` come in merge order.
fn fold_edits(rows: Vec<EditRow>) -> anyhow::Result<Vec<FieldEdit>> {
    let mut current: HashMap<String, Value> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let field = r.field.unwrap_or_default();
        let new_value = value_of(&r.payload)
            .with_context(|| format!("event {}/{} of field {field}", r.device_id, r.seq))?;
        let old_value = current.get(&field).cloned();
        // Only an applied edit became the field's value: a rejected one changed nothing.
        if r.state == EventState::Applied {
            current.insert(field.clone(), new_value.clone());
        }
        out.push(FieldEdit {
            field,
            at_ms: r.hlc >> HLC_COUNTER_BITS,
            hlc: r.hlc,
            device_id: r.device_id,
            device_label: r.device_label,
            username: r.username,
            user_name: r.user_name,
            old_value,
            new_value,
            state: r.state,
            reason: r.reason,
        });
    }
    Ok(out)
}

/// The `value` of a stored `field_set` payload (`{"value": ...}`).
fn value_of(payload: &str) -> anyhow::Result<Value> {
    let v: Value = serde_json::from_str(payload).context("stored event payload")?;
    Ok(match v {
        Value::Object(mut m) => m.remove("value").unwrap_or(Value::Null),
        other => other,
    })
}
