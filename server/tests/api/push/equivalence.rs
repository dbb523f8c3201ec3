//! The server's projection is the shared merge: random edits from three phones of one
//! collector, pushed in shuffled, sometimes out-of-order batches, leave in the database exactly
//! the field values and visit status that `terreno_shared::sync::State::fold` computes from the
//! same events. Seeds are fixed, so a failure reproduces.

use chrono::Utc;
use serde_json::Value;
use terreno_shared::sync::{Event, Hlc, State};

use super::helpers::*;
use crate::both;
use crate::harness::TestApp;

/// A small deterministic generator (xorshift64*), enough to shuffle and pick.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FIELDS: [&str; 3] = ["notes", "contact_result", "next_visit"];
const STATUSES: [&str; 4] = ["planned", "in_progress", "done", "not_done"];
const OUTCOMES: [&str; 3] = ["contacted", "nobody_home", "refused"];

both!(
    the_projection_equals_the_shared_fold_whatever_the_order,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        for seed in [7_u64, 42, 1_234_567] {
            let mut rng = Rng(seed);
            let visit = new_visit();
            let mut phones = vec![Phone::new(40), Phone::new(41)];
            for p in &phones {
                enroll(app.db(), &w.ana.user, p).await;
            }
            // The visit exists once the first phone checked in; that batch goes first.
            let opening = w
                .ana
                .phone
                .add(check_in(visit, w.ana_account, Utc::now(), 0.0));
            let first = w.ana.phone.events.len() as u64;
            push(&app, &w.ana, &w.ana.phone.batch(first..=first)).await;
            let mut all: Vec<Event> = vec![opening];
            let base_ms = Utc::now().timestamp_millis();
            for step in 0..40 {
                let which = rng.below(2) as usize;
                let skew = [0, -90_000][which]; // the second phone's clock is slow
                let seen: Option<Hlc> = match rng.below(3) {
                    0 => None,
                    _ => all
                        .get(rng.below(all.len() as u64) as usize)
                        .map(Event::hlc),
                };
                let draft = if rng.below(8) == 0 {
                    submit(
                        w.form,
                        visit,
                        w.ana_account,
                        OUTCOMES[rng.below(3) as usize],
                    )
                } else if rng.below(4) == 0 {
                    status(visit, STATUSES[rng.below(4) as usize], 0)
                } else {
                    let value = format!("v{seed}-{step}");
                    field(visit, FIELDS[rng.below(3) as usize], &value, seen)
                };
                let phone = &mut phones[which];
                if let Some(h) = seen {
                    phone.log.receive(h);
                }
                let e = phone.add_at(draft, base_ms + step * 1_000 + skew);
                all.push(e);
            }
            // Push each phone's events in random-sized batches, in a shuffled global order.
            let mut batches: Vec<(usize, u64, u64)> = Vec::new();
            for (p, phone) in phones.iter().enumerate() {
                let mut seq = 1;
                let last = phone.events.len() as u64;
                while seq <= last {
                    let end = (seq + rng.below(6)).min(last);
                    batches.push((p, seq, end));
                    seq = end + 1;
                }
            }
            for i in (1..batches.len()).rev() {
                batches.swap(i, rng.below(i as u64 + 1) as usize);
            }
            for (p, from, to) in batches {
                let who = Person {
                    user: w.ana.user.clone(),
                    token: w.ana.token.clone(),
                    phone: std::mem::replace(&mut phones[p], Phone::new(0)),
                };
                let r = push(&app, &who, &who.phone.batch(from..=to)).await;
                assert_eq!(r.status, 200, "{}", r.text);
                assert_eq!(r.body["rejected"], serde_json::json!([]), "{}", r.text);
                phones[p] = who.phone;
            }

            let expected = State::fold(&all);
            let key = visit.to_string();
            for f in FIELDS {
                let stored = text(
                    &app,
                    &format!("select value from field_values where entity = $1 and field = '{f}'"),
                    &key,
                )
                .await
                .map(|v| serde_json::from_str::<Value>(&v).expect("stored JSON"));
                let folded = expected
                    .register(*visit.as_uuid(), f)
                    .map(|r| r.value.clone());
                assert_eq!(stored, folded, "seed {seed}, field {f}");
            }
            let stored = text(&app, "select status from visits where id = $1", &key).await;
            let folded = expected.status(visit).map(|c| c.status.to_string());
            assert_eq!(stored, folded, "seed {seed}, status");
        }
    }
);

both!(
    an_event_about_a_deleted_visit_is_rejected_and_the_visit_stays_deleted,
    |app: TestApp| async move {
        let mut w = World::new(&app).await;
        let visit = new_visit();
        w.ana
            .phone
            .add(check_in(visit, w.ana_account, Utc::now(), 0.0));
        w.ana.phone.add(
            terreno_shared::sync::Draft::new(
                terreno_shared::sync::EventKind::Deleted,
                1,
                serde_json::json!({}),
            )
            .entity(*visit.as_uuid()),
        );
        w.ana.phone.add(field(visit, "notes", "late edit", None));

        let r = push(&app, &w.ana, &w.ana.phone.batch(1..=3)).await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["rejected"][0]["seq"], 3, "{}", r.text);
        assert_eq!(r.body["rejected"][0]["code"], "deleted", "{}", r.text);
        let key = visit.to_string();
        let stored = text(
            &app,
            "select value from field_values where entity = $1",
            &key,
        )
        .await;
        assert_eq!(stored, None, "nothing of the late edit was projected");
    }
);
