//! SQLite group commit: one task owns the queue of verified batches. Each round it takes every
//! batch waiting (up to [`MAX_GROUP_EVENTS`] events), runs them in one `begin immediate`
//! transaction with a savepoint per batch (a batch that fails rolls back alone), commits once
//! — one fsync for the whole group — and only then answers each batch.
//!
//! The task holds a clone of the one-connection write pool, so other writers interleave
//! between rounds; it ends when the [`Writer`] (kept by the `Db`) is dropped. A round that fails
//! (a full disk, say) leaves no transaction behind, so the next round starts clean as soon as the
//! failure is gone (see [`commit_group`]).

use sqlx::{Executor, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::apply::apply;
use super::{PreparedBatch, PushAck, PushError};

/// Largest number of events committed in one round: keeps a round's latency bounded.
const MAX_GROUP_EVENTS: usize = 50_000;
/// Batches that may wait for the writer before pushers wait to enqueue (back pressure).
const QUEUE: usize = 512;

type Reply = oneshot::Sender<Result<PushAck, PushError>>;

/// The handle pushers enqueue batches through.
#[derive(Debug)]
pub struct Writer {
    queue: mpsc::Sender<(PreparedBatch, Reply)>,
}

impl Writer {
    /// Starts the writer task on the current runtime.
    pub fn start(pool: SqlitePool) -> Writer {
        let (queue, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, rx));
        Writer { queue }
    }

    /// Queues a batch and waits until its group committed (or it failed).
    pub async fn submit(&self, batch: PreparedBatch) -> Result<PushAck, PushError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || {
            PushError::Internal(anyhow::anyhow!(
                "the SQLite push writer stopped or failed on this batch's group"
            ))
        };
        self.queue
            .send((batch, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(pool: SqlitePool, mut rx: mpsc::Receiver<(PreparedBatch, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut events = first.0.events.len();
        let mut group = vec![first];
        while events < MAX_GROUP_EVENTS {
            match rx.try_recv() {
                Ok(job) => {
                    events += job.0.events.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let (batches, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
        // A panic inside one round (a bug) must not stop pushes for good: the round runs as a
        // task of its own, its pushers get an error, and the writer goes on with the next one.
        let round = tokio::spawn({
            let pool = pool.clone();
            async move { commit_group(&pool, &batches).await }
        });
        match round.await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    // A pusher that went away (client disconnected) needs no answer.
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a group of push batches failed; its pushers get an error")
            }
        }
    }
}

/// Runs the batches in one transaction, a savepoint each; the results in the same order.
///
/// The transaction is driven by plain statements, not sqlx's `Transaction`: on a full disk or
/// an I/O error SQLite may roll the whole transaction back by itself, and sqlx's count of open
/// transactions would then stay behind (every later `begin immediate` failing until a restart).
/// Here a failure of the transaction itself — a savepoint that cannot be opened, released or
/// rolled back to, or the commit — fails the whole round: nothing of it is committed, no batch
/// is acknowledged, and [`reset`] leaves the connection outside any transaction.
async fn commit_group(
    pool: &SqlitePool,
    batches: &[PreparedBatch],
) -> Vec<Result<PushAck, PushError>> {
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(e) => return fail_round(Vec::new(), batches.len(), &e),
    };
    let results = run_round(&mut conn, batches).await;
    if results.iter().any(Result::is_err) && !reset(&mut conn).await {
        tracing::error!(
            "the SQLite push writer could not leave a failed transaction: reconnecting"
        );
        conn.close_on_drop();
    }
    results
}

async fn run_round(
    conn: &mut SqliteConnection,
    batches: &[PreparedBatch],
) -> Vec<Result<PushAck, PushError>> {
    if let Err(e) = conn.execute("begin immediate").await {
        return fail_round(Vec::new(), batches.len(), &e);
    }
    let mut results = Vec::with_capacity(batches.len());
    for batch in batches {
        if let Err(e) = conn.execute("savepoint batch").await {
            return fail_round(results, batches.len(), &e);
        }
        match apply(&mut *conn, batch).await {
            Ok(ack) => results.push(Ok(ack)),
            Err(err) => {
                results.push(Err(err));
                // Undoes this batch only — unless SQLite already rolled the whole transaction
                // back (it may, on a full disk), which fails here and so fails the round.
                if let Err(e) = conn.execute("rollback to batch").await {
                    return fail_round(results, batches.len(), &e);
                }
            }
        }
        if let Err(e) = conn.execute("release batch").await {
            return fail_round(results, batches.len(), &e);
        }
    }
    match conn.execute("commit").await {
        Ok(_) => results,
        Err(e) => fail_round(results, batches.len(), &e),
    }
}

/// Leaves any transaction a failed round left open; whether the connection is usable again.
async fn reset(conn: &mut SqliteConnection) -> bool {
    if conn.execute("rollback").await.is_ok() {
        return true;
    }
    // No transaction was open (SQLite ended it itself), or the rollback failed: a new `begin`
    // succeeds only in the first case.
    conn.execute("begin").await.is_ok() && conn.execute("rollback").await.is_ok()
}

/// The answers of a round whose transaction failed with `e`: batches that failed on their own
/// keep their error; the others, and those not reached, get `e`.
fn fail_round(
    results: Vec<Result<PushAck, PushError>>,
    batches: usize,
    e: &sqlx::Error,
) -> Vec<Result<PushAck, PushError>> {
    let reached = results.len();
    results
        .into_iter()
        .map(|r| r.and_then(|_| Err(failed(e))))
        .chain((reached..batches).map(|_| Err(failed(e))))
        .collect()
}

/// The error each batch of a failed round gets: one database error answers several pushers, so
/// its text is copied, and a full disk stays recognizable (it answers 507, not 500).
fn failed(e: &sqlx::Error) -> PushError {
    let what = "committing a group of push batches";
    if crate::error::sqlx_storage_full(e) {
        let full = crate::error::StorageFull(e.to_string());
        PushError::Internal(anyhow::Error::new(full).context(what))
    } else {
        PushError::Internal(anyhow::anyhow!("{what}: {e}"))
    }
}
