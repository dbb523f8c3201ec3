//! SQLite group commit: one task owns the queue of verified batches. Each round it takes every
//! batch waiting (up to [`MAX_GROUP_EVENTS`] events), runs them in one `begin immediate`
//! transaction with a savepoint per batch (a batch that fails rolls back alone), commits once
//! — one fsync for the whole group — and only then answers each batch.
//!
//! The task holds a clone of the one-connection write pool, so other writers interleave
//! between rounds; it ends when the [`Writer`] (kept by the `Db`) is dropped.

use sqlx::{Connection, SqlitePool};
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
async fn commit_group(
    pool: &SqlitePool,
    batches: &[PreparedBatch],
) -> Vec<Result<PushAck, PushError>> {
    let mut tx = match pool.begin_with("begin immediate").await {
        Ok(tx) => tx,
        Err(e) => return batches.iter().map(|_| Err(failed(&e))).collect(),
    };
    let mut results = Vec::with_capacity(batches.len());
    for batch in batches {
        let result = match tx.begin().await {
            Ok(mut sp) => match apply(&mut *sp, batch).await {
                Ok(ack) => sp.commit().await.map(|()| ack).map_err(PushError::from),
                Err(e) => {
                    // Rolling back to the savepoint undoes this batch only.
                    let _ = sp.rollback().await;
                    Err(e)
                }
            },
            Err(e) => Err(e.into()),
        };
        results.push(result);
    }
    if let Err(e) = tx.commit().await {
        return results
            .into_iter()
            .map(|r| r.and_then(|_| Err(failed(&e))))
            .collect();
    }
    results
}

fn failed(e: &sqlx::Error) -> PushError {
    PushError::Internal(anyhow::anyhow!("committing a group of push batches: {e}"))
}
