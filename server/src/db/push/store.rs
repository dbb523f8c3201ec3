//! The SQL of the push transaction: the device row (locked first), stored events, the signed
//! heads. Each statement is written once in [`push_store!`] and compiled for both connection
//! types; only the bulk event insert differs (a prepared statement in a loop on SQLite, one
//! `unnest` insert on PostgreSQL).

use std::future::Future;

use terreno_shared::api::v1::sync::EventState;

use super::batch::PreparedEvent;

/// The device's log position, read under the row lock.
#[derive(Debug, sqlx::FromRow)]
pub struct HeadRow {
    pub head_seq: i64,
    pub head_hash: Option<String>,
    pub max_seen: i64,
    pub revoked_ms: Option<i64>,
}

/// A stored event as the link and fork checks and the answer need it.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredRow {
    pub seq: i64,
    pub hash: String,
    pub prev_hash: String,
    pub merge_hlc: i64,
    #[sqlx(try_from = "String")]
    pub state: EventState,
    pub reason: Option<String>,
    pub clock_suspect: bool,
}

/// A stored event waiting beyond a gap, with what projecting it needs.
#[derive(Debug, sqlx::FromRow)]
pub struct PendingRow {
    pub seq: i64,
    pub merge_hlc: i64,
    pub kind: String,
    pub v: i64,
    pub entity: Option<String>,
    pub field: Option<String>,
    pub base_hlc: Option<i64>,
    pub hash: String,
    pub payload: String,
}

/// A new event row: the prepared event and the state projection gave it.
pub struct NewEventRow<'a> {
    pub event: &'a PreparedEvent,
    pub state: EventState,
    pub reason: Option<String>,
}

/// The push transaction's statements.
pub trait PushStore {
    /// Touches the device row (taking its lock on PostgreSQL) and reads its head.
    fn lock_device(
        &mut self,
        device: &str,
        now_ms: i64,
    ) -> impl Future<Output = sqlx::Result<Option<HeadRow>>> + Send;
    /// Stored events with `lo <= seq <= hi`.
    fn stored_range(
        &mut self,
        device: &str,
        lo: i64,
        hi: i64,
    ) -> impl Future<Output = sqlx::Result<Vec<StoredRow>>> + Send;
    /// Pending events after `seq`, in order.
    fn pending_after(
        &mut self,
        device: &str,
        seq: i64,
    ) -> impl Future<Output = sqlx::Result<Vec<PendingRow>>> + Send;
    /// Sets the state of a stored event once projected.
    fn set_event_state(
        &mut self,
        device: &str,
        seq: i64,
        state: EventState,
        reason: Option<&str>,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Inserts new events (`on conflict do nothing`).
    fn insert_events(
        &mut self,
        device: &str,
        received_ms: i64,
        rows: &[NewEventRow<'_>],
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Keeps a batch's signed head.
    fn insert_signature(
        &mut self,
        device: &str,
        seq: i64,
        hash: &str,
        signature: &str,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Moves the device's head.
    fn update_head(
        &mut self,
        device: &str,
        head_seq: i64,
        head_hash: Option<&str>,
        max_seen: i64,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
}

macro_rules! push_store {
    ($conn:ty, $insert_events:path) => {
        impl PushStore for $conn {
            async fn lock_device(
                &mut self,
                device: &str,
                now_ms: i64,
            ) -> sqlx::Result<Option<HeadRow>> {
                sqlx::query_as(
                    "update devices set last_seen_ms = $2 where id = $1
                     returning head_seq, head_hash, max_seen, revoked_ms",
                )
                .bind(device)
                .bind(now_ms)
                .fetch_optional(&mut *self)
                .await
            }

            async fn stored_range(
                &mut self,
                device: &str,
                lo: i64,
                hi: i64,
            ) -> sqlx::Result<Vec<StoredRow>> {
                sqlx::query_as(
                    "select seq, hash, prev_hash, merge_hlc, state, reason, clock_suspect
                     from events where device_id = $1 and seq between $2 and $3 order by seq",
                )
                .bind(device)
                .bind(lo)
                .bind(hi)
                .fetch_all(&mut *self)
                .await
            }

            async fn pending_after(
                &mut self,
                device: &str,
                seq: i64,
            ) -> sqlx::Result<Vec<PendingRow>> {
                sqlx::query_as(
                    "select seq, merge_hlc, kind, v, entity, field, base_hlc, hash, payload
                     from events where device_id = $1 and seq > $2 and state = 'pending'
                     order by seq",
                )
                .bind(device)
                .bind(seq)
                .fetch_all(&mut *self)
                .await
            }

            async fn set_event_state(
                &mut self,
                device: &str,
                seq: i64,
                state: EventState,
                reason: Option<&str>,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "update events set state = $3, reason = $4 where device_id = $1 and seq = $2",
                )
                .bind(device)
                .bind(seq)
                .bind(state.as_str())
                .bind(reason)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn insert_events(
                &mut self,
                device: &str,
                received_ms: i64,
                rows: &[NewEventRow<'_>],
            ) -> sqlx::Result<()> {
                $insert_events(self, device, received_ms, rows).await
            }

            async fn insert_signature(
                &mut self,
                device: &str,
                seq: i64,
                hash: &str,
                signature: &str,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "insert into batch_signatures (device_id, seq, hash, signature)
                     values ($1, $2, $3, $4) on conflict do nothing",
                )
                .bind(device)
                .bind(seq)
                .bind(hash)
                .bind(signature)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn update_head(
                &mut self,
                device: &str,
                head_seq: i64,
                head_hash: Option<&str>,
                max_seen: i64,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "update devices set head_seq = $2, head_hash = $3, max_seen = $4 where id = $1",
                )
                .bind(device)
                .bind(head_seq)
                .bind(head_hash)
                .bind(max_seen)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }
        }
    };
}

push_store!(sqlx::SqliteConnection, super::bulk::sqlite_insert_events);
push_store!(sqlx::PgConnection, super::bulk::pg_insert_events);
