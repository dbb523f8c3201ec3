//! The SQL of projection: each statement written once in `project_store!` and compiled for
//! both connection types. The status and register upserts compare one sortable key column
//! (`status_key`, `stamp_key`), which the caller computes with the shared order
//! (`terreno_shared::sync::stamp`), so a stale write is a no-op whatever order events arrive in
//! and the order is spelled nowhere here; only the bulk fix insert differs per backend
//! (`crate::db::push::bulk`).

use super::sql::{
    AccountRow, AttachmentRow, CheckInRow, FixRow, ProjectStore, RegisterRow, RegisterWrite,
    StampCols, StatusWrite, VisitRow,
};
use crate::db::changes::NewChange;
use crate::{begin_feed, record_change};

// The owner is the account's current collector: a reassigned debtor's visits go with it.
const VISIT_SELECT: &str =
    "select v.id, v.account_id, u.id as collector_id, u.team_id as collector_team,
        u.org_id, v.stop_id, v.status, v.status_epoch, v.status_rank, v.status_hlc,
        v.status_device, v.status_seq, v.outcome, v.completed_ms, v.submission, v.flagged,
        exists (select 1 from deletions d where d.entity = v.id) as deleted
    from visits v join accounts a on a.id = v.account_id
    join users u on u.id = coalesce(a.collector_id, v.collector_id) where v.id = $1";

macro_rules! project_store {
    ($conn:ty, $insert_fixes:path) => {
        impl ProjectStore for $conn {
            async fn find_account(&mut self, id: &str) -> sqlx::Result<Option<AccountRow>> {
                sqlx::query_as(
                    "select a.collector_id, u.team_id as collector_team, p.org_id, a.lat, a.lon
                     from accounts a join portfolios p on p.id = a.portfolio_id
                     left join users u on u.id = a.collector_id where a.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *self)
                .await
            }

            async fn find_visit(&mut self, id: &str) -> sqlx::Result<Option<VisitRow>> {
                sqlx::query_as(VISIT_SELECT)
                    .bind(id)
                    .fetch_optional(&mut *self)
                    .await
            }

            async fn insert_visit(
                &mut self,
                id: &str,
                account: &str,
                collector: &str,
                stop: Option<&str>,
                now_ms: i64,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "insert into visits (id, account_id, collector_id, stop_id, created_ms)
                     values ($1, $2, $3, $4, $5) on conflict do nothing",
                )
                .bind(id)
                .bind(account)
                .bind(collector)
                .bind(stop)
                .bind(now_ms)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn write_status(&mut self, visit: &str, w: StatusWrite<'_>) -> sqlx::Result<u64> {
                sqlx::query(
                    "update visits set status = $2, status_epoch = $3, status_rank = $4,
                        status_hlc = $5, status_device = $6, status_seq = $7, status_key = $8
                     where id = $1 and status_key < $8",
                )
                .bind(visit)
                .bind(w.status)
                .bind(w.epoch)
                .bind(w.rank)
                .bind(w.hlc)
                .bind(w.device)
                .bind(w.seq)
                .bind(w.key)
                .execute(&mut *self)
                .await
                .map(|r| r.rows_affected())
            }

            async fn complete_visit(
                &mut self,
                visit: &str,
                outcome: &str,
                completed_ms: i64,
                submission: &str,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "update visits set outcome = $2, completed_ms = $3, submission = $4
                     where id = $1",
                )
                .bind(visit)
                .bind(outcome)
                .bind(completed_ms)
                .bind(submission)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn enqueue_email(
                &mut self,
                visit: &str,
                completed_ms: i64,
                now_ms: i64,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "insert into email_outbox (id, visit_id, completed_ms, created_ms,
                        next_attempt_ms)
                     values ($1, $2, $3, $4, $4)
                     on conflict (visit_id, completed_ms) do nothing",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(visit)
                .bind(completed_ms)
                .bind(now_ms)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn flag_visit(&mut self, visit: &str) -> sqlx::Result<()> {
                sqlx::query("update visits set flagged = $2 where id = $1")
                    .bind(visit)
                    .bind(true)
                    .execute(&mut *self)
                    .await
                    .map(|_| ())
            }

            async fn insert_checkin(&mut self, r: &CheckInRow) -> sqlx::Result<()> {
                sqlx::query(
                    "insert into checkins (device_id, seq, visit_id, account_id, at_ms,
                        device_verdict, server_verdict, device_allowed, server_allowed, flagged)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict do nothing",
                )
                .bind(&r.device)
                .bind(r.seq)
                .bind(&r.visit)
                .bind(&r.account)
                .bind(r.at_ms)
                .bind(&r.device_verdict)
                .bind(&r.server_verdict)
                .bind(r.device_allowed)
                .bind(r.server_allowed)
                .bind(r.flagged)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn find_register(
                &mut self,
                entity: &str,
                field: &str,
            ) -> sqlx::Result<Option<RegisterRow>> {
                sqlx::query_as(
                    "select hlc, device_id, seq, base_hlc from field_values
                     where entity = $1 and field = $2",
                )
                .bind(entity)
                .bind(field)
                .fetch_optional(&mut *self)
                .await
            }

            async fn upsert_register(&mut self, w: RegisterWrite<'_>) -> sqlx::Result<u64> {
                sqlx::query(
                    "insert into field_values (entity, field, value, hlc, device_id, seq, base_hlc,
                        stamp_key)
                     values ($1, $2, $3, $4, $5, $6, $7, $8)
                     on conflict (entity, field) do update set value = excluded.value,
                        hlc = excluded.hlc, device_id = excluded.device_id, seq = excluded.seq,
                        base_hlc = excluded.base_hlc, stamp_key = excluded.stamp_key
                     where excluded.stamp_key > field_values.stamp_key",
                )
                .bind(w.entity)
                .bind(w.field)
                .bind(w.value)
                .bind(w.hlc)
                .bind(w.device)
                .bind(w.seq)
                .bind(w.base_hlc)
                .bind(w.key)
                .execute(&mut *self)
                .await
                .map(|r| r.rows_affected())
            }

            async fn insert_conflict(
                &mut self,
                entity: &str,
                field: &str,
                lost: (&str, i64),
                won: (&str, i64),
                now_ms: i64,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "insert into conflicts (entity, field, lost_device, lost_seq, won_device,
                        won_seq, recorded_ms)
                     values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
                )
                .bind(entity)
                .bind(field)
                .bind(lost.0)
                .bind(lost.1)
                .bind(won.0)
                .bind(won.1)
                .bind(now_ms)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn add_attachment(
                &mut self,
                visit: &str,
                attachment: &str,
                blob: (&str, &str, i64, &str),
                by: StampCols<'_>,
            ) -> sqlx::Result<u64> {
                sqlx::query(
                    "insert into visit_attachments (visit_id, attachment_id, sha256, media_type,
                        bytes, role, added_hlc, added_device, added_seq, added_key)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     on conflict (visit_id, attachment_id) do update set
                        sha256 = excluded.sha256, media_type = excluded.media_type,
                        bytes = excluded.bytes, role = excluded.role,
                        added_hlc = excluded.added_hlc, added_device = excluded.added_device,
                        added_seq = excluded.added_seq, added_key = excluded.added_key
                     where excluded.added_key > visit_attachments.added_key",
                )
                .bind(visit)
                .bind(attachment)
                .bind(blob.0)
                .bind(blob.1)
                .bind(blob.2)
                .bind(blob.3)
                .bind(by.hlc)
                .bind(by.device)
                .bind(by.seq)
                .bind(by.key)
                .execute(&mut *self)
                .await
                .map(|r| r.rows_affected())
            }

            async fn remove_attachment(
                &mut self,
                visit: &str,
                attachment: &str,
            ) -> sqlx::Result<u64> {
                sqlx::query(
                    "insert into visit_attachments (visit_id, attachment_id, removed)
                     values ($1, $2, $3)
                     on conflict (visit_id, attachment_id) do update set removed = excluded.removed
                     where not visit_attachments.removed",
                )
                .bind(visit)
                .bind(attachment)
                .bind(true)
                .execute(&mut *self)
                .await
                .map(|r| r.rows_affected())
            }

            async fn find_attachment(
                &mut self,
                visit: &str,
                attachment: &str,
            ) -> sqlx::Result<Option<AttachmentRow>> {
                sqlx::query_as(
                    "select sha256, media_type, bytes, role, removed from visit_attachments
                     where visit_id = $1 and attachment_id = $2",
                )
                .bind(visit)
                .bind(attachment)
                .fetch_optional(&mut *self)
                .await
            }

            async fn insert_deletion(&mut self, entity: &str, by: StampCols<'_>) -> sqlx::Result<u64> {
                sqlx::query(
                    "insert into deletions (entity, hlc, device_id, seq, stamp_key)
                     values ($1, $2, $3, $4, $5)
                     on conflict (entity) do update set hlc = excluded.hlc,
                        device_id = excluded.device_id, seq = excluded.seq,
                        stamp_key = excluded.stamp_key
                     where excluded.stamp_key < deletions.stamp_key",
                )
                .bind(entity)
                .bind(by.hlc)
                .bind(by.device)
                .bind(by.seq)
                .bind(by.key)
                .execute(&mut *self)
                .await
                .map(|r| r.rows_affected())
            }

            async fn insert_fixes(
                &mut self,
                device: &str,
                user: &str,
                rows: &[FixRow],
            ) -> sqlx::Result<()> {
                $insert_fixes(self, device, user, rows).await
            }

            async fn upsert_last_position(
                &mut self,
                device: &str,
                user: &str,
                f: &FixRow,
                now_ms: i64,
            ) -> sqlx::Result<()> {
                sqlx::query(
                    "insert into last_positions (device_id, user_id, t_ms, lat, lon, accuracy_m,
                        battery, charging, received_ms)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     on conflict (device_id) do update set user_id = excluded.user_id,
                        t_ms = excluded.t_ms, lat = excluded.lat, lon = excluded.lon,
                        accuracy_m = excluded.accuracy_m, battery = excluded.battery,
                        charging = excluded.charging, received_ms = excluded.received_ms
                     where excluded.t_ms > last_positions.t_ms",
                )
                .bind(device)
                .bind(user)
                .bind(f.t_ms)
                .bind(f.lat)
                .bind(f.lon)
                .bind(f.accuracy_m)
                .bind(f.battery)
                .bind(f.charging)
                .bind(now_ms)
                .execute(&mut *self)
                .await
                .map(|_| ())
            }

            async fn org_policy(&mut self, org: &str) -> sqlx::Result<Option<String>> {
                sqlx::query_scalar("select geofence_policy from orgs where id = $1")
                    .bind(org)
                    .fetch_optional(&mut *self)
                    .await
            }

            async fn org_forms(&mut self, org: &str) -> sqlx::Result<(String, Option<String>)> {
                sqlx::query_as("select time_zone, visit_form_id from orgs where id = $1")
                    .bind(org)
                    .fetch_one(&mut *self)
                    .await
            }

            async fn find_form(
                &mut self,
                org: &str,
                id: &str,
            ) -> sqlx::Result<Option<(String, String)>> {
                sqlx::query_as(
                    "select version, definition from forms where org_id = $1 and id = $2",
                )
                .bind(org)
                .bind(id)
                .fetch_optional(&mut *self)
                .await
            }

            async fn find_form_data(
                &mut self,
                org: &str,
                id: &str,
            ) -> sqlx::Result<Vec<(String, Vec<u8>)>> {
                let sql = $crate::db::form_media::data_files_sql();
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(org)
                    .bind(id)
                    .fetch_all(&mut *self)
                    .await
            }

            async fn begin_feed(&mut self) -> sqlx::Result<i64> {
                begin_feed!(&mut *self)
            }

            async fn record(&mut self, txn: i64, change: &NewChange) -> sqlx::Result<()> {
                record_change!(&mut *self, txn, change).map(|_| ())
            }
        }
    };
}

project_store!(
    sqlx::SqliteConnection,
    crate::db::push::bulk::sqlite_insert_fixes
);
project_store!(sqlx::PgConnection, crate::db::push::bulk::pg_insert_fixes);
