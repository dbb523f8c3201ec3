//! The key migration's backfill spells `terreno_shared::sync::stamp`'s encoding on both
//! backends: rows stored before the key existed (visits, field values, deletions, attachments)
//! get exactly the key the projection now writes.
//! The backfill statements (the migration after its `alter table`s) run against rows of the
//! old shape; `visits` is shadowed by a temporary table of the same columns so no account,
//! user or organization is needed.

use std::time::Duration;

use terreno_shared::ids::DeviceId;
use terreno_shared::model::VisitStatus;
use terreno_shared::sync::stamp::status_key;
use terreno_shared::sync::{Hlc, Stamp};

use crate::db::Db;
use crate::db::test_db::Fresh;

const SQLITE: &str =
    include_str!("../../../../migrations/server/sqlite/20261217000000_add_merge_order_keys.sql");
const POSTGRES: &str =
    include_str!("../../../../migrations/server/postgres/20261217000000_add_merge_order_keys.sql");

/// Rows of the old shape: `(epoch, status, hlc, author, seq)`; no author is a visit nobody set
/// a status for.
fn rows() -> Vec<(u32, VisitStatus, i64, Option<DeviceId>, u64)> {
    let d = DeviceId::from_uuid(uuid::Uuid::from_u128(
        0x0193_a000_0000_7000_8000_00ab_cdef_0001,
    ));
    vec![
        (0, VisitStatus::Planned, 0, None, 0),
        (0, VisitStatus::InProgress, 1 << 40, Some(d), 3),
        (2, VisitStatus::Done, -7, Some(d), u64::from(u32::MAX)),
        (7, VisitStatus::Cancelled, i64::MAX, Some(d), 1),
    ]
}

fn backfill(migration: &str) -> &str {
    let at = migration.find("update visits").expect("the backfill");
    &migration[at..]
}

/// The keys the backfill wrote, by visit id and by field entity, on one connection (either
/// backend: the statements are the same text).
macro_rules! backfilled {
    ($conn:expr, $migration:expr, $shadow:expr) => {{
        let conn = $conn;
        sqlx::query($shadow)
            .execute(&mut *conn)
            .await
            .expect("the shadow");
        for (i, (epoch, status, hlc, by, seq)) in rows().into_iter().enumerate() {
            let device = by.map(|d| d.to_string()).unwrap_or_default();
            sqlx::query(
                "insert into visits (id, account_id, collector_id, status, status_epoch,
                    status_rank, status_hlc, status_device, status_seq, flagged, created_ms,
                    status_key)
                 values ($1, 'a', 'u', $2, $3, $4, $5, $6, $7, $8, 0, '')",
            )
            .bind(i.to_string())
            .bind(status.as_str())
            .bind(i64::from(epoch))
            .bind(i64::from(status.rank()))
            .bind(hlc)
            .bind(&device)
            .bind(i64::try_from(seq).expect("a seq"))
            .bind(false)
            .execute(&mut *conn)
            .await
            .expect("a visit");
            if by.is_some() {
                for sql in [
                    "insert into field_values (entity, field, value, hlc, device_id, seq)
                     values ($1, 'f', '1', $2, $3, $4)",
                    "insert into deletions (entity, hlc, device_id, seq) values ($1, $2, $3, $4)",
                    "insert into visit_attachments (visit_id, attachment_id, added_hlc,
                        added_device, added_seq) values ($1, 'a', $2, $3, $4)",
                ] {
                    sqlx::query(sql)
                        .bind(i.to_string())
                        .bind(hlc)
                        .bind(&device)
                        .bind(i64::try_from(seq).expect("a seq"))
                        .execute(&mut *conn)
                        .await
                        .expect("a stamped row");
                }
            } else {
                // Only ever removed: no add, so the bottom key.
                sqlx::query(
                    "insert into visit_attachments (visit_id, attachment_id, removed)
                     values ($1, 'a', $2)",
                )
                .bind(i.to_string())
                .bind(true)
                .execute(&mut *conn)
                .await
                .expect("a removed attachment");
            }
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(backfill($migration)))
            .execute(&mut *conn)
            .await
            .expect("the backfill");
        let visits: Vec<(String, String)> =
            sqlx::query_as("select id, status_key from visits order by id")
                .fetch_all(&mut *conn)
                .await
                .expect("the visit keys");
        let mut stamps = Vec::new();
        for sql in [
            "select entity, stamp_key from field_values order by entity",
            "select entity, stamp_key from deletions order by entity",
            "select visit_id, added_key from visit_attachments order by visit_id",
        ] {
            let keys: Vec<(String, String)> = sqlx::query_as(sql)
                .fetch_all(&mut *conn)
                .await
                .expect("the keys");
            stamps.push(keys);
        }
        (visits, stamps)
    }};
}

async fn the_backfill_writes_the_shared_keys(fresh: Fresh) {
    let (visits, stamps) = match &fresh.db {
        Db::Sqlite(s) => {
            let mut conn = s.write.acquire().await.expect("a connection");
            let shadow = "create temp table visits as select * from main.visits where 0";
            backfilled!(&mut *conn, SQLITE, shadow)
        }
        Db::Postgres(p) => {
            let mut conn = p.acquire().await.expect("a connection");
            let shadow = "create temp table visits (like public.visits)";
            backfilled!(&mut *conn, POSTGRES, shadow)
        }
    };
    fresh.drop_it().await;

    let mut want_visits = Vec::new();
    let mut want_fields = Vec::new();
    let mut want_attachments = Vec::new();
    for (i, (epoch, status, hlc, by, seq)) in rows().into_iter().enumerate() {
        let Some(device_id) = by else {
            want_visits.push((i.to_string(), String::new()));
            want_attachments.push((i.to_string(), String::new()));
            continue;
        };
        let stamp = Stamp {
            hlc: Hlc::from_raw(hlc),
            device_id,
            seq,
        };
        want_visits.push((i.to_string(), status_key(epoch, status, &stamp)));
        want_fields.push((i.to_string(), stamp.order_key()));
        want_attachments.push((i.to_string(), stamp.order_key()));
    }
    assert_eq!(visits, want_visits, "visits");
    assert_eq!(stamps[0], want_fields, "field values");
    assert_eq!(stamps[1], want_fields, "deletions");
    assert_eq!(stamps[2], want_attachments, "attachments");
}

#[tokio::test]
async fn the_sqlite_backfill_writes_the_shared_keys() {
    the_backfill_writes_the_shared_keys(Fresh::sqlite(Duration::from_secs(5)).await).await;
}

#[tokio::test]
async fn the_postgres_backfill_writes_the_shared_keys() {
    if let Some(fresh) = Fresh::postgres(Duration::from_secs(5)).await {
        the_backfill_writes_the_shared_keys(fresh).await;
    }
}
