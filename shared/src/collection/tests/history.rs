//! The state history: each change with its cause and time, replayed from the facts.

use super::*;
use crate::model::visit::Outcome;
use AccountState as S;

fn fact(day: NaiveDate, hour: u32, kind: FactKind) -> Fact {
    Fact {
        at: at(day, hour),
        kind,
    }
}

fn transitions(history: &History) -> Vec<(AccountState, AccountState, Cause)> {
    history
        .changes
        .iter()
        .map(|c| (c.from, c.to, c.cause.clone()))
        .collect()
}

/// The story: a promise made on a phone, no payment, the follow-up the day after its grace
/// breaks it; a payment file then settles the balance.
// Long: the end-to-end story, fact by fact, then its expected history.
#[test]
fn a_broken_promise_then_a_settling_payment_leaves_a_history_with_causes() {
    let due = d(2026, 11, 26);
    let settling = pay(400_000, d(2026, 12, 1), Some("BANCO-77"));
    let facts = vec![
        fact(
            d(2026, 11, 1),
            6,
            FactKind::Balance(Balance {
                amount: cop(400_000),
                as_of: d(2026, 11, 1),
            }),
        ),
        fact(d(2026, 11, 20), 10, FactKind::Visit(Outcome::PromiseToPay)),
        fact(
            d(2026, 11, 20),
            12,
            FactKind::Promise(promise(1, d(2026, 11, 20), 250_000, due)),
        ),
        fact(d(2026, 11, 27), 0, FactKind::FollowUp(d(2026, 11, 27))),
        fact(d(2026, 11, 28), 0, FactKind::FollowUp(d(2026, 11, 28))),
        fact(d(2026, 11, 28), 0, FactKind::FollowUp(d(2026, 11, 28))),
        fact(d(2026, 12, 2), 8, FactKind::Payment(settling.clone())),
        fact(d(2026, 12, 3), 8, FactKind::Payment(settling)),
    ];
    let history = state_history(&facts, &rules()).expect("replays");
    assert_eq!(
        transitions(&history),
        [
            (
                S::New,
                S::Contacted,
                Cause::Visit {
                    outcome: Outcome::PromiseToPay
                }
            ),
            (
                S::Contacted,
                S::PromiseActive,
                Cause::PromiseMade { visit: visit(1) }
            ),
            (
                S::PromiseActive,
                S::PromiseBroken,
                Cause::FollowUp {
                    as_of: d(2026, 11, 28)
                }
            ),
            (
                S::PromiseBroken,
                S::Paid,
                Cause::Payment {
                    amount: cop(400_000),
                    date: d(2026, 12, 1),
                    reference: Some("BANCO-77".to_owned())
                }
            ),
        ]
    );
    assert_eq!(history.changes[2].at, at(d(2026, 11, 28), 0));
    let current = history.current.expect("facts were replayed");
    assert_eq!(
        (current.state, current.follow_up.as_of),
        (S::Paid, d(2026, 11, 28))
    );
    let json = serde_json::to_value(&history.changes[2]).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({"from": "promise_active", "to": "promise_broken",
            "cause": {"kind": "follow_up", "as_of": "2026-11-28"}, "at": "2026-11-28T05:00:00Z"})
    );
}

#[test]
fn rerunning_an_earlier_day_does_not_undo_a_later_one() {
    let facts = vec![
        fact(
            d(2026, 11, 20),
            12,
            FactKind::Promise(promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))),
        ),
        fact(d(2026, 11, 29), 0, FactKind::FollowUp(d(2026, 11, 29))),
        fact(d(2026, 11, 30), 0, FactKind::FollowUp(d(2026, 11, 21))),
    ];
    let history = state_history(&facts, &rules()).expect("replays");
    assert_eq!(history.changes.len(), 2);
    assert_eq!(history.decided, Some(d(2026, 11, 29)));
    assert_eq!(history.current.map(|a| a.state), Some(S::PromiseBroken));
}

#[test]
fn facts_replay_in_time_order_and_closing_is_a_change_like_any_other() {
    // Given out of order: the history sorts by the instant each fact became known.
    let facts = vec![
        fact(d(2026, 11, 10), 9, FactKind::Reopened),
        fact(d(2026, 11, 2), 9, FactKind::Visit(Outcome::Refused)),
        fact(d(2026, 11, 5), 9, FactKind::Closed),
    ];
    let history = state_history(&facts, &rules()).expect("replays");
    assert_eq!(
        transitions(&history),
        [
            (
                S::New,
                S::Refused,
                Cause::Visit {
                    outcome: Outcome::Refused
                }
            ),
            (S::Refused, S::Closed, Cause::Closed),
            (S::Closed, S::Refused, Cause::Reopened),
        ]
    );
    let empty = state_history(&[], &rules()).expect("replays");
    assert!(empty.changes.is_empty() && empty.current.is_none());
    assert_eq!(history.decided, None);
}

#[test]
fn an_agreement_of_three_monthly_instalments_breaks_on_the_second() {
    let plan = schedule(
        cop(300_000),
        3,
        d(2026, 1, 15),
        Frequency::Monthly,
        holidays(),
    )
    .expect("valid schedule");
    let deal = Agreement::new(visit(7), at(d(2026, 1, 10), 11), plan).expect("valid agreement");
    let facts = vec![
        fact(d(2026, 1, 10), 11, FactKind::Agreement(deal)),
        fact(
            d(2026, 1, 15),
            16,
            FactKind::Payment(pay(100_000, d(2026, 1, 15), Some("C1"))),
        ),
        fact(d(2026, 1, 17), 0, FactKind::FollowUp(d(2026, 1, 17))),
        fact(d(2026, 2, 17), 0, FactKind::FollowUp(d(2026, 2, 17))),
        fact(d(2026, 2, 18), 0, FactKind::FollowUp(d(2026, 2, 18))),
    ];
    let history = state_history(&facts, &rules()).expect("replays");
    assert_eq!(
        transitions(&history),
        [
            (
                S::New,
                S::AgreementActive,
                Cause::AgreementMade { visit: visit(7) }
            ),
            (
                S::AgreementActive,
                S::AgreementBroken,
                Cause::FollowUp {
                    as_of: d(2026, 2, 18)
                }
            ),
        ]
    );
    let current = history.current.expect("replayed");
    assert_eq!(current.because.and_then(|c| c.installment), Some(2));
}

#[test]
fn a_promise_arriving_late_stays_active_until_the_next_run_decides_it() {
    // Made on the phone on 20/11, due 26/11, uploaded on 2/12 after the run for 2/12.
    let late = promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26));
    let facts = vec![
        fact(d(2026, 12, 1), 0, FactKind::FollowUp(d(2026, 12, 1))),
        fact(d(2026, 12, 2), 0, FactKind::FollowUp(d(2026, 12, 2))),
        fact(d(2026, 12, 2), 10, FactKind::Promise(late)),
        fact(d(2026, 12, 3), 0, FactKind::FollowUp(d(2026, 12, 3))),
    ];
    let history = state_history(&facts, &rules()).expect("replays");
    assert_eq!(
        transitions(&history),
        [
            (
                S::New,
                S::PromiseActive,
                Cause::PromiseMade { visit: visit(1) }
            ),
            (
                S::PromiseActive,
                S::PromiseBroken,
                Cause::FollowUp {
                    as_of: d(2026, 12, 3)
                }
            ),
        ]
    );
    let broken = history
        .current
        .and_then(|a| a.because)
        .expect("a broken promise");
    assert_eq!(
        (broken.known_on, broken.broken_on()),
        (d(2026, 12, 2), Some(d(2026, 12, 3)))
    );
    // On the phone, known when made, the same promise is broken by the first run after its grace.
    let on_phone = follow_up(&[late], &[], &[], &rules(), d(2026, 11, 28)).expect("decides");
    assert_eq!(on_phone.promises[0].state, CommitmentState::Broken);
    let uploaded = late.with_known_at(at(d(2026, 12, 2), 10));
    let on_server = follow_up(&[uploaded], &[], &[], &rules(), d(2026, 12, 2)).expect("decides");
    assert_eq!(on_server.promises[0].state, CommitmentState::Pending);
}
