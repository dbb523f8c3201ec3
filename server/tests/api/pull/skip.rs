//! PostgreSQL only: a transaction that takes a lower feed position but commits after one with a
//! higher position must not be skipped (SYNC.md). A sequence is not commit-ordered; reading by
//! `(xid, pos)` below the oldest transaction in progress is.

use terreno_server::{Db, begin_feed, record_change};

use super::{change, ids, pull_all, settle, world};
use crate::harness::{Backend, TestApp};

/// The positions a naive `pos > cursor` reader would return (of the test's own changes: the
/// organizations' visit forms are in the feed too).
async fn naive_read(pool: &sqlx::PgPool, after: i64) -> Vec<(String, i64)> {
    sqlx::query_as(
        "select entity_id, pos from changes where pos > $1 and entity_type = 'account'
         order by pos",
    )
    .bind(after)
    .fetch_all(pool)
    .await
    .expect("a naive read")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_committing_after_a_later_one_is_never_skipped_on_postgresql() {
    let Some(app) = TestApp::new(Backend::Postgres).await else {
        return;
    };
    let w = world(&app).await;
    let Db::Postgres(pool) = app.db().clone() else {
        panic!("a PostgreSQL test database");
    };

    // T1 writes first (lower position) but commits last; T2 writes and commits in between.
    let mut t1 = pool.begin().await.expect("T1");
    let txn1 = begin_feed!(&mut *t1).expect("T1 feed transaction");
    record_change!(&mut *t1, txn1, &change(w.org, None, None, "slow")).expect("T1 insert");
    let slow_pos: i64 = sqlx::query_scalar("select pos from changes where entity_id = 'slow'")
        .fetch_one(&mut *t1)
        .await
        .expect("T1's position");
    let mut t2 = pool.begin().await.expect("T2");
    let txn2 = begin_feed!(&mut *t2).expect("T2 feed transaction");
    record_change!(&mut *t2, txn2, &change(w.org, None, None, "fast")).expect("T2 insert");
    t2.commit().await.expect("T2 commits first");

    // Between the commits: the naive reader sees T2's row and would move its cursor past T1's
    // position — this is the bug the test reproduces.
    let naive = naive_read(&pool, 0).await;
    assert_eq!(
        naive.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["fast"]
    );
    let naive_cursor = naive[0].1;
    assert!(slow_pos < naive_cursor, "T1 holds the lower position");
    // The real pull returns nothing past the oldest open transaction (T1).
    let (pages, cursor) = pull_all(&app, &w.admin.token, "", 500).await;
    assert_eq!(
        pages.concat(),
        Vec::<String>::new(),
        "nothing at or above T1 is delivered yet"
    );

    t1.commit().await.expect("T1 commits last");
    settle(app.db()).await;

    // The naive reader skips T1's row forever.
    assert_eq!(
        naive_read(&pool, naive_cursor).await,
        Vec::<(String, i64)>::new()
    );
    // The pull, continuing from the cursor it gave between the commits, delivers both.
    let (pages, _) = pull_all(&app, &w.admin.token, &cursor, 500).await;
    assert_eq!(pages.concat(), ["slow", "fast"]);
    let full = app.get("/api/v1/sync/pull", Some(&w.admin.token)).await;
    assert_eq!(ids(&full.body), ["slow", "fast"]);
}
