//! Visit emails: the outbox row written with the completion, and the sender delivering it to a
//! real SMTP server on loopback (aiosmtpd, `tests/smtp_sink.py`, installed by scripts/test):
//! recipients, subject, Message-ID and content; a 451 retried into exactly one delivery; a
//! sender stopped mid-queue losing nothing; no recipient given up visibly.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use terreno_server::db::users::NewUser;
use terreno_server::mail::{MailConfig, Sender, Transport};
use terreno_shared::ids::VisitId;
use terreno_shared::model::Role;

use crate::both;
use crate::harness::TestApp;
use crate::push::helpers::{World, complete_visit, count, push};

/// The SMTP sink process: its port and its mail directory. Killed when dropped.
struct Sink {
    child: Child,
    port: u16,
    dir: tempdir::Dir,
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Sink {
    fn start(args: &[&str]) -> Sink {
        let dir = std::env::temp_dir().join(format!("terreno-smtp-{}", uuid::Uuid::now_v7()));
        // Debian's python3 has python3-aiosmtpd (scripts/test installs it); a pyenv first on
        // PATH would not.
        let python = std::env::var("TERRENO_PYTHON").unwrap_or_else(|_| {
            if Path::new("/usr/bin/python3").exists() {
                "/usr/bin/python3".into()
            } else {
                "python3".into()
            }
        });
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg("--dir")
            .arg(&dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {python} {}: {e}", script.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sink's port");
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("the SMTP sink did not start (is aiosmtpd installed?): {line:?}")
        });
        Sink {
            child,
            port,
            dir: tempdir::Dir(dir),
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The received messages, in arrival order, quoted-printable bodies decoded.
    fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir.0)
            .map(|d| d.map(|e| e.expect("entry").path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        files
            .iter()
            .map(|p| quoted_printable(&std::fs::read(p).expect("a message")))
            .collect()
    }
}

/// Decodes quoted-printable soft line breaks and `=XX` escapes (enough to read the bodies).
fn quoted_printable(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            let rest = &raw[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            let hex = std::str::from_utf8(rest.get(..2).unwrap_or_default()).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A supervisor of the collectors' team (the first team) with an address.
async fn supervisor(app: &TestApp, world: &World, name: &str, email: Option<&str>) {
    let new = NewUser {
        username: name,
        role: Role::Supervisor,
        team: None,
        display_name: Some("Sofía Supervisora"),
    };
    app.db()
        .users()
        .insert(world.org, &new)
        .await
        .expect("supervisor");
    app.db()
        .users()
        .set_email(world.org, name, email)
        .await
        .expect("email");
}

/// Ana checks in and completes a visit with `outcome`; returns the visit.
async fn complete(app: &TestApp, world: &mut World, outcome: &str) -> VisitId {
    let (visit, seqs) = complete_visit(&mut world.ana, world.form, world.ana_account, outcome);
    let r = push(app, &world.ana, &world.ana.phone.batch(seqs)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    visit
}

fn config(sink_url: String) -> MailConfig {
    let mut c = MailConfig::new(
        Transport::Smtp(sink_url),
        "Terreno <terreno@example.org>",
        "https://terreno.example.org",
    )
    .expect("a valid configuration");
    c.retry_base = Duration::from_millis(1);
    c.poll = Duration::from_millis(20);
    c.lease = Duration::from_millis(500);
    c
}

/// Runs sender rounds until `done` holds (at most 15 s).
async fn rounds_until(sender: &Sender, done: impl AsyncFn() -> bool) {
    for _ in 0..1500 {
        sender.round().await.expect("a round");
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the outbox did not drain");
}

/// Waits (at most 15 s) until `done` holds, while something else does the work.
async fn until(done: impl AsyncFn() -> bool) {
    for _ in 0..1500 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the condition did not hold within 15 s");
}

async fn sent(app: &TestApp) -> i64 {
    terreno_server::on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar::<_, i64>(
            "select cast(count(*) as bigint) from email_outbox where sent_ms is not null",
        )
        .fetch_one(pool)
        .await
        .expect("count")
    })
}

both!(
    a_completed_visit_queues_one_email_with_it_and_a_replay_queues_none,
    |app: TestApp| async move {
        let mut world = World::new(&app).await;

        complete(&app, &mut world, "nobody_home").await;
        let replay = push(&app, &world.ana, &world.ana.phone.batch(1..=2)).await;

        assert_eq!(replay.status, 200, "{}", replay.text);
        assert_eq!(count(&app, "email_outbox").await, 1);
    }
);

both!(
    the_sender_delivers_the_email_to_the_team_supervisor_through_smtp,
    |app: TestApp| async move {
        let sink = Sink::start(&[]);
        let mut world = World::new(&app).await;
        supervisor(&app, &world, "sofia", Some("sofia@example.org")).await;
        let visit = complete(&app, &mut world, "nobody_home").await;
        let sender = Sender::new(app.db().clone(), config(sink.url())).expect("a sender");

        rounds_until(&sender, async || sent(&app).await == 1).await;

        let messages = sink.messages();
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert!(m.contains("X-Envelope-To: sofia@example.org"), "{m}");
        assert!(m.contains("Subject: "), "{m}");
        let completed: i64 = terreno_server::on_read_pool!(app.db(), |pool| {
            sqlx::query_scalar("select completed_ms from visits where id = $1")
                .bind(visit.to_string())
                .fetch_one(pool)
                .await
                .expect("visit")
        });
        assert!(
            m.contains(&format!("Message-ID: <{visit}.{completed}@example.org>")),
            "{m}"
        );
        assert!(m.contains("Deudor: Debtor (cuenta "), "the debtor: {m}");
        assert!(m.contains("Resultado: No había nadie"), "the outcome: {m}");
        assert!(
            m.contains("servidor: aceptado a 0 m de la dirección"),
            "the check-in verdicts: {m}"
        );
        assert!(m.contains("text/html"), "an HTML part: {m}");
        assert!(
            m.contains(&format!("https://terreno.example.org/visits/{visit}")),
            "a link to the visit: {m}"
        );
    }
);

both!(
    a_451_is_retried_and_the_email_delivered_exactly_once,
    |app: TestApp| async move {
        let sink = Sink::start(&["--fail-first", "1"]);
        let mut world = World::new(&app).await;
        supervisor(&app, &world, "sofia", Some("sofia@example.org")).await;
        complete(&app, &mut world, "nobody_home").await;
        let sender = Sender::new(app.db().clone(), config(sink.url())).expect("a sender");

        rounds_until(&sender, async || sent(&app).await == 1).await;
        for _ in 0..5 {
            sender.round().await.expect("a round");
        }

        assert_eq!(sink.messages().len(), 1, "delivered once");
        let listed = app.db().outbox().list(false).await.expect("listing");
        assert_eq!((listed[0].attempts, listed[0].state.as_str()), (2, "sent"));
    }
);

both!(
    a_sender_stopped_mid_queue_loses_nothing,
    |app: TestApp| async move {
        let sink = Sink::start(&["--delay", "0.2"]);
        let mut world = World::new(&app).await;
        supervisor(&app, &world, "sofia", Some("sofia@example.org")).await;
        let mut visits = Vec::new();
        for _ in 0..5 {
            visits.push(complete(&app, &mut world, "nobody_home").await);
        }
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let first = Sender::new(app.db().clone(), config(sink.url())).expect("a sender");
        let task = tokio::spawn(first.run(stopped.clone()));
        // Stop it once the first email went out (the sink takes 0.2 s over each one).
        until(async || sent(&app).await >= 1).await;
        task.abort(); // as a crash: no cleanup, claimed rows keep their lease
        let _ = task.await;
        assert!(sent(&app).await < 5, "stopped mid-queue");

        let second = Sender::new(app.db().clone(), config(sink.url())).expect("a sender");
        rounds_until(&second, async || sent(&app).await == 5).await;

        let messages = sink.messages();
        for v in &visits {
            let copies = messages
                .iter()
                .filter(|m| m.contains(&format!("<{v}.")))
                .count();
            assert!((1..=2).contains(&copies), "visit {v}: {copies} copies");
        }
        assert!(
            messages.len() <= 6,
            "at most one duplicate: {}",
            messages.len()
        );
    }
);

both!(
    with_nobody_to_send_to_the_email_is_given_up_visibly,
    |app: TestApp| async move {
        let sink = Sink::start(&[]);
        let mut world = World::new(&app).await;
        complete(&app, &mut world, "nobody_home").await;
        let sender = Sender::new(app.db().clone(), config(sink.url())).expect("a sender");

        sender.round().await.expect("a round");

        let failed = app.db().outbox().list(true).await.expect("listing");
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("nobody to send it to")),
            "{failed:?}"
        );
        assert!(sink.messages().is_empty());
    }
);

both!(
    a_team_without_a_supervisor_mails_the_admins,
    |app: TestApp| async move {
        let sink = Sink::start(&[]);
        let mut world = World::new(&app).await;
        let admin = NewUser {
            username: "root",
            role: Role::Admin,
            team: None,
            display_name: None,
        };
        app.db()
            .users()
            .insert(world.org, &admin)
            .await
            .expect("admin");
        app.db()
            .users()
            .set_email(world.org, "root", Some("root@example.org"))
            .await
            .expect("email");
        complete(&app, &mut world, "nobody_home").await;
        let sender = Sender::new(app.db().clone(), config(sink.url())).expect("a sender");

        rounds_until(&sender, async || sent(&app).await == 1).await;

        assert!(sink.messages()[0].contains("X-Envelope-To: root@example.org"));
    }
);
