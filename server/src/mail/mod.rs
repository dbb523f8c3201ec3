//! Email per completed visit. The projection queues a row in `email_outbox` in the transaction
//! that completes the visit (`db::outbox`); the [`Sender`] started by `serve` claims due rows
//! with a lease, composes each message (`compose`) and delivers it through SMTP (lettre) or,
//! for the demo, into a directory of `.eml` files.
//!
//! Delivery rules: a transient failure (4xx, connection or timeout) is retried with
//! exponential backoff (30 s doubling, at most an hour apart, ±20 % jitter) until
//! `give_up_after` (default 4 days, as RFC 5321 suggests) has passed since the completion; a
//! permanent one (5xx) or no recipient at all is given up at once. Given-up rows keep their
//! error for admins (`terreno-server email list --failed`) and are logged as warnings. A row is
//! marked sent only after the server accepted the message, so a crash in between sends it once
//! more, with the same Message-ID.

pub mod compose;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};

use crate::db::Db;
use crate::db::outbox::OutboxItem;

/// Rows claimed per round: one, so a claim's lease covers a single SMTP conversation.
const BATCH: i64 = 1;
/// SMTP command timeout.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where emails go.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP server: `smtp://[user:pass@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://…` (implicit TLS), as lettre reads it.
    Smtp(String),
    /// `.eml` files in a directory (the demo).
    Files(PathBuf),
}

/// The sender's configuration.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// Where emails go.
    pub transport: Transport,
    /// The From address.
    pub from: Mailbox,
    /// Give a row up once this long has passed since the completion.
    pub give_up_after: Duration,
    /// The URL people reach the server at (links in emails).
    pub public_url: String,
    /// First retry delay (doubles each attempt, at most an hour).
    pub retry_base: Duration,
    /// How often the outbox is polled when idle.
    pub poll: Duration,
    /// How long a claim holds a row (longer than one SMTP conversation can take): a sender
    /// that dies holding rows delays them this long.
    pub lease: Duration,
}

impl MailConfig {
    /// Validates a configuration: the From address and the SMTP URL must parse.
    pub fn new(transport: Transport, from: &str, public_url: &str) -> anyhow::Result<MailConfig> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("the From address {from:?} is not valid: {e}"))?;
        if let Transport::Smtp(url) = &transport {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| anyhow::anyhow!("the SMTP URL is not valid: {e}"))?;
        }
        Ok(MailConfig {
            transport,
            from,
            give_up_after: Duration::from_secs(4 * 24 * 3600),
            public_url: public_url.to_owned(),
            retry_base: Duration::from_secs(30),
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(600),
        })
    }
}

enum Outlet {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// What an attempt came to.
enum Attempt {
    Sent,
    Transient(String),
    Permanent(String),
}

/// The outbox sender.
pub struct Sender {
    db: Db,
    config: MailConfig,
    outlet: Outlet,
}

impl Sender {
    /// A sender over `db` (the SMTP URL was validated by [`MailConfig::new`]).
    pub fn new(db: Db, config: MailConfig) -> anyhow::Result<Sender> {
        let outlet = match &config.transport {
            Transport::Smtp(url) => Outlet::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("the SMTP URL")?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            Transport::Files(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the mail directory {}", dir.display()))?;
                Outlet::Files(AsyncFileTransport::new(dir))
            }
        };
        Ok(Sender { db, config, outlet })
    }

    /// Sends due emails until `shutdown` completes (checked between messages).
    pub async fn run(self, shutdown: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let sent = match self.round().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), "the email outbox failed");
                    0
                }
            };
            if sent == 0 {
                let mut stop = shutdown.clone();
                tokio::select! {
                    () = tokio::time::sleep(self.config.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// One round: claims due rows and attempts each. Returns how many were claimed.
    pub async fn round(&self) -> anyhow::Result<usize> {
        let lease = i64::try_from(self.config.lease.as_millis()).unwrap_or(120_000);
        let items = self.db.outbox().claim(lease, BATCH).await?;
        for item in &items {
            self.attempt(item).await?;
        }
        Ok(items.len())
    }

    async fn attempt(&self, item: &OutboxItem) -> anyhow::Result<()> {
        let outcome = self.deliver(item).await;
        match outcome {
            Attempt::Sent => self.db.outbox().sent(&item.id).await,
            Attempt::Transient(why) => {
                let now = crate::db::now_ms();
                // From when the server queued it: the phone's clock does not decide.
                let deadline = item.created_ms.saturating_add(
                    i64::try_from(self.config.give_up_after.as_millis()).unwrap_or(i64::MAX),
                );
                let at = now + self.backoff_ms(item.attempts);
                if at > deadline {
                    let why = format!("gave up after {} attempts: {why}", item.attempts + 1);
                    tracing::warn!(visit = %item.visit_id, error = %why, "visit email given up");
                    self.db.outbox().gave_up(&item.id, &why).await
                } else {
                    tracing::info!(visit = %item.visit_id, error = %why, "visit email will be retried");
                    self.db.outbox().retry(&item.id, at, &why).await
                }
            }
            Attempt::Permanent(why) => {
                tracing::warn!(visit = %item.visit_id, error = %why, "visit email given up");
                self.db.outbox().gave_up(&item.id, &why).await
            }
        }
    }

    /// Exponential backoff with ±20 % jitter.
    fn backoff_ms(&self, attempts: i64) -> i64 {
        let base = i64::try_from(self.config.retry_base.as_millis()).unwrap_or(30_000);
        let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
        let delay = base.saturating_mul(1_i64 << exp).min(3_600_000);
        let jitter = delay / 5;
        let spread = if jitter > 0 {
            i64::from(rand_u32()) % (2 * jitter + 1) - jitter
        } else {
            0
        };
        (delay + spread).max(1)
    }

    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        // Reading can fail for a moment (a pool timeout, a reset): that is worth a retry.
        let email = match self.db.outbox().visit_email(&item.visit_id).await {
            Ok(e) => e,
            Err(e) => return Attempt::Transient(format!("{e:#}")),
        };
        if email.recipients.is_empty() {
            return Attempt::Permanent(
                "nobody to send it to: the collector's team has no supervisor with an email \
                 address and the organization no admin with one"
                    .to_owned(),
            );
        }
        let message = match compose::compose(
            &email,
            item.completed_ms,
            &self.config.from,
            &self.config.public_url,
        ) {
            Ok(m) => m,
            Err(e) => return Attempt::Permanent(format!("{e:#}")),
        };
        match &self.outlet {
            Outlet::Smtp(t) => match t.send(message).await {
                Ok(_) => Attempt::Sent,
                Err(e) if e.is_permanent() => Attempt::Permanent(e.to_string()),
                Err(e) => Attempt::Transient(e.to_string()),
            },
            Outlet::Files(t) => match t.send(message).await {
                Ok(_) => Attempt::Sent,
                Err(e) => Attempt::Transient(e.to_string()),
            },
        }
    }
}

/// A random number for jitter (ring's system RNG; no need for a generator crate).
fn rand_u32() -> u32 {
    use ring::rand::{SecureRandom, SystemRandom};
    let mut b = [0u8; 4];
    let _ = SystemRandom::new().fill(&mut b);
    u32::from_le_bytes(b)
}
