//! The password hasher: at most `workers` Argon2 computations at once (one per core by
//! default), each on the blocking pool with a buffer it reuses, and at most `queue` more
//! waiting for one; past that the caller is told [`HashError::Busy`] (the API answers 503).
//!
//! Why both bounds: each computation takes ~19 MiB and tens of milliseconds of one core, so
//! running more at once than there are cores only adds memory, and an unbounded wait list lets
//! a flood of logins hold connections open for minutes. With the buffers kept (never more than
//! `workers` of them), hashing memory is fixed however many logins arrive.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::Block;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::sync::Semaphore;

use super::{MAX_PASSWORD_BYTES, argon};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every worker is busy and the queue is full: try again shortly.
    #[error("the server is busy checking other passwords: try again in a second")]
    Busy,
    /// A bug or a damaged stored hash.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Bounded Argon2 hashing with reused memory; cheap to clone (clones share the bounds).
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    /// `workers + queue` permits: one is held from arrival to the end of the computation.
    admitted: Arc<Semaphore>,
    /// `workers` permits: one is held while computing.
    computing: Arc<Semaphore>,
    /// Buffers not in use. A buffer is taken only under a `computing` permit, so no more than
    /// `workers` ever exist.
    idle: Mutex<Vec<Vec<Block>>>,
    workers: usize,
    queue: usize,
    /// Computations running now, and the most seen at once.
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("workers", &self.inner.workers)
            .field("queue", &self.inner.queue)
            .finish()
    }
}

impl Hasher {
    /// A hasher running at most `workers` computations (at least one) with `queue` waiting.
    pub fn new(workers: usize, queue: usize) -> Hasher {
        let workers = workers.max(1);
        Hasher {
            inner: Arc::new(Inner {
                admitted: Arc::new(Semaphore::new(workers.saturating_add(queue))),
                computing: Arc::new(Semaphore::new(workers)),
                idle: Mutex::new(Vec::with_capacity(workers)),
                workers,
                queue,
                now: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
            }),
        }
    }

    /// The hasher of the command-line tools and tests (one per process): as many workers as
    /// cores and a long queue, since nothing there comes from the network.
    pub fn shared() -> &'static Hasher {
        static SHARED: OnceLock<Hasher> = OnceLock::new();
        SHARED.get_or_init(|| Hasher::new(cores(), 4096))
    }

    /// The argon2id PHC string of `password`, with a random salt.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let mut salt = [0u8; argon::SALT_BYTES];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
        self.run(move |memory| argon::hash(password.as_bytes(), &salt, memory))
            .await
    }

    /// Whether `password` matches the PHC string `stored`. Without one (unknown or invited
    /// user) the same work is done against nothing, so the answer takes as long either way and
    /// does not tell which accounts exist. An empty password, or one longer than
    /// [`MAX_PASSWORD_BYTES`] (none can be set), never matches.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(false);
        }
        self.run(move |memory| match stored {
            Some(stored) => {
                Ok(argon::verify(password.as_bytes(), &stored, memory)? && !password.is_empty())
            }
            None => argon::spend(password.as_bytes(), memory).map(|()| false),
        })
        .await
    }

    /// The most computations that ran at once so far (never more than the workers).
    pub fn peak_computing(&self) -> usize {
        self.inner.peak.load(Ordering::Relaxed)
    }

    /// Runs `job` with a buffer once admitted and a worker is free. The permits and the buffer
    /// go into the blocking task, so a caller that gives up (a closed connection) frees its
    /// worker only when the computation really ends: the bound holds even then.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Vec<Block>) -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashError> {
        let admitted = Arc::clone(&self.inner.admitted)
            .try_acquire_owned()
            .map_err(|_| HashError::Busy)?;
        let computing = Arc::clone(&self.inner.computing)
            .acquire_owned()
            .await
            .map_err(|_| anyhow::anyhow!("the password hasher was closed"))?;
        let inner = Arc::clone(&self.inner);
        let task = tokio::task::spawn_blocking(move || {
            let _permits = (admitted, computing);
            let mut memory = inner.take_buffer();
            let running = inner.now.fetch_add(1, Ordering::Relaxed) + 1;
            inner.peak.fetch_max(running, Ordering::Relaxed);
            let out = job(&mut memory);
            inner.now.fetch_sub(1, Ordering::Relaxed);
            inner.put_buffer(memory);
            out
        });
        let out = task
            .await
            .map_err(|e| anyhow::anyhow!("the password hashing task failed: {e}"))?;
        Ok(out?)
    }
}

impl Inner {
    fn take_buffer(&self) -> Vec<Block> {
        // A poisoned lock only means a hashing task panicked; the list is still valid.
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.pop()
            .unwrap_or_else(|| Vec::with_capacity(argon::DEFAULT_BLOCKS))
    }

    fn put_buffer(&self, memory: Vec<Block>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push(memory);
    }
}

/// The cores this process may use (two if that cannot be told).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_workers_and_the_queue_callers_are_told_busy_and_buffers_are_reused() {
        let hasher = Hasher::new(1, 2);
        let tries: Vec<_> = (0..12)
            .map(|i| {
                let h = hasher.clone();
                tokio::spawn(async move { h.verify(format!("guess-{i}"), None).await })
            })
            .collect();
        let (mut busy, mut checked) = (0, 0);
        for t in tries {
            match t.await.unwrap() {
                Err(HashError::Busy) => busy += 1,
                Ok(false) => checked += 1,
                other => panic!("{other:?}"),
            }
        }

        assert!(busy > 0, "no caller was turned away");
        assert!(
            checked >= 3,
            "the worker and the queue were served: {checked}"
        );
        assert_eq!(hasher.peak_computing(), 1);
        let idle = hasher.inner.idle.lock().unwrap();
        assert_eq!(idle.len(), 1, "one buffer for one worker");
        assert_eq!(idle[0].len(), argon::DEFAULT_BLOCKS);
    }
}
