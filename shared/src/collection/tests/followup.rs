//! The follow-up decision: kept, broken, pending and superseded; how payments are counted and
//! allocated.

use super::*;
use CommitmentState::{Broken, Kept, Pending, Superseded};

fn decide(
    promises: &[Promise],
    agreements: &[Agreement],
    payments: &[ReceivedPayment],
    as_of: NaiveDate,
) -> FollowUp {
    follow_up(promises, agreements, payments, &rules(), as_of).expect("decides")
}

fn promise_states(f: &FollowUp) -> Vec<CommitmentState> {
    f.promises.iter().map(|p| p.state).collect()
}

fn installment_states(f: &FollowUp) -> Vec<Vec<CommitmentState>> {
    f.agreements
        .iter()
        .map(|a| a.installments.iter().map(|i| i.state).collect())
        .collect()
}

// Long: one table of payment timings against one promise, read row by row.
#[test]
fn one_promise_is_kept_broken_or_pending_by_payments_and_the_day() {
    // Promise of $250.000 made 20/11, due Thursday 26/11; grace 1 day: deadline 27/11.
    let p = [promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))];
    let cases: [(&str, Vec<ReceivedPayment>, NaiveDate, CommitmentState, i64); 9] = [
        (
            "nothing paid, before the due date",
            vec![],
            d(2026, 11, 25),
            Pending,
            0,
        ),
        (
            "nothing paid, in grace",
            vec![],
            d(2026, 11, 27),
            Pending,
            0,
        ),
        (
            "nothing paid, the day after grace",
            vec![],
            d(2026, 11, 28),
            Broken,
            0,
        ),
        (
            "paid on the due date",
            vec![pay(250_000, d(2026, 11, 26), None)],
            d(2026, 11, 28),
            Kept,
            250_000,
        ),
        (
            "paid in grace",
            vec![pay(250_000, d(2026, 11, 27), None)],
            d(2026, 11, 30),
            Kept,
            250_000,
        ),
        (
            "kept as soon as paid, before the due date",
            vec![pay(300_000, d(2026, 11, 21), None)],
            d(2026, 11, 21),
            Kept,
            250_000,
        ),
        (
            "paid too late",
            vec![pay(250_000, d(2026, 11, 28), None)],
            d(2026, 11, 28),
            Broken,
            0,
        ),
        (
            "paid before the promise was made",
            vec![pay(250_000, d(2026, 11, 19), None)],
            d(2026, 11, 28),
            Broken,
            0,
        ),
        (
            "two partial payments add up",
            vec![
                pay(100_000, d(2026, 11, 22), None),
                pay(150_000, d(2026, 11, 27), None),
            ],
            d(2026, 12, 1),
            Kept,
            250_000,
        ),
    ];
    for (name, payments, as_of, state, paid) in cases {
        let f = decide(&p, &[], &payments, as_of);
        assert_eq!(f.promises[0].state, state, "{name}");
        assert_eq!(f.promises[0].paid, cop(paid), "{name}");
    }
}

#[test]
fn a_partial_payment_counts_but_does_not_keep_the_promise() {
    let p = [promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))];
    let f = decide(
        &p,
        &[],
        &[pay(100_000, d(2026, 11, 24), None)],
        d(2026, 11, 28),
    );
    let c = f.promises[0];
    assert_eq!(
        (c.state, c.paid, c.outstanding()),
        (Broken, cop(100_000), cop(150_000))
    );
    assert_eq!(c.deadline, d(2026, 11, 27));
    assert_eq!(c.broken_on(), Some(d(2026, 11, 28)));
    assert_eq!(f.unallocated, Some(cop(0)));
}

#[test]
fn the_same_payment_recorded_twice_by_reference_counts_once() {
    let p = [promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))];
    // The visit's receipt and the bank file's row name the same voucher; two payments without
    // reference are two payments.
    let payments = [
        pay(125_000, d(2026, 11, 24), Some("RC-001")),
        pay(125_000, d(2026, 11, 25), Some(" rc-001 ")),
    ];
    let f = decide(&p, &[], &payments, d(2026, 11, 28));
    assert_eq!((f.promises[0].state, f.payments.len()), (Broken, 1));
    assert_eq!(
        f.payments[0].date(),
        d(2026, 11, 24),
        "the earliest record is kept"
    );
    let unreferenced = [
        pay(125_000, d(2026, 11, 24), None),
        pay(125_000, d(2026, 11, 24), None),
    ];
    let f = decide(&p, &[], &unreferenced, d(2026, 11, 28));
    assert_eq!((f.promises[0].state, f.payments.len()), (Kept, 2));
}

#[test]
fn payments_go_to_the_earliest_deadline_first_and_spill_over() {
    let a = [agreement(
        1,
        d(2026, 1, 10),
        &[
            (d(2026, 1, 15), 100),
            (d(2026, 2, 16), 100),
            (d(2026, 3, 16), 100),
        ],
    )];
    let payments = [
        pay(150, d(2026, 1, 14), None),
        pay(30, d(2026, 2, 10), None),
    ];
    let f = decide(&[], &a, &payments, d(2026, 2, 18));
    let i = &f.agreements[0].installments;
    assert_eq!(
        [
            (i[0].state, i[0].paid),
            (i[1].state, i[1].paid),
            (i[2].state, i[2].paid)
        ],
        [(Kept, cop(100)), (Broken, cop(80)), (Pending, cop(0))]
    );
    assert_eq!(i[0].settled_on, Some(d(2026, 1, 14)));
    assert_eq!(f.agreements[0].state, AgreementState::Broken);
    assert_eq!(
        f.agreements[0].first_broken().map(|c| c.installment),
        Some(Some(2))
    );
}

#[test]
fn agreements_are_active_broken_or_completed_from_their_instalments() {
    let a = [agreement(
        1,
        d(2026, 1, 10),
        &[
            (d(2026, 1, 15), 100),
            (d(2026, 2, 16), 100),
            (d(2026, 3, 16), 100),
        ],
    )];
    let first = [pay(100, d(2026, 1, 15), None)];
    let all = [
        pay(100, d(2026, 1, 15), None),
        pay(100, d(2026, 2, 17), None),
        pay(100, d(2026, 3, 1), None),
    ];
    let cases: [(&[ReceivedPayment], NaiveDate, AgreementState); 4] = [
        (&first, d(2026, 2, 17), AgreementState::Active),
        (&first, d(2026, 2, 18), AgreementState::Broken),
        (&all, d(2026, 2, 18), AgreementState::Completed),
        (&[], d(2026, 1, 16), AgreementState::Active),
    ];
    for (payments, as_of, state) in cases {
        assert_eq!(
            decide(&[], &a, payments, as_of).agreements[0].state,
            state,
            "{as_of}"
        );
    }
}

#[test]
fn a_new_commitment_supersedes_the_open_ones_it_renegotiates() {
    let old = promise(1, d(2026, 11, 2), 250_000, d(2026, 11, 30));
    let renegotiated = promise(2, d(2026, 11, 20), 250_000, d(2026, 12, 5));
    let f = decide(&[renegotiated, old], &[], &[], d(2026, 12, 10));
    assert_eq!(promise_states(&f), [Superseded, Broken]);
    assert_eq!(f.promises[0].superseded_on, Some(d(2026, 11, 20)));

    // A promise broken before the new one was made stays broken: it is history.
    let broken = promise(1, d(2026, 11, 2), 250_000, d(2026, 11, 10));
    let f = decide(&[broken, renegotiated], &[], &[], d(2026, 11, 25));
    assert_eq!(promise_states(&f), [Broken, Pending]);

    // A kept promise is not superseded.
    let kept = promise(1, d(2026, 11, 2), 100_000, d(2026, 11, 30));
    let f = decide(
        &[kept, renegotiated],
        &[],
        &[pay(100_000, d(2026, 11, 3), None)],
        d(2026, 11, 25),
    );
    assert_eq!(promise_states(&f), [Kept, Pending]);
}

#[test]
fn agreements_supersede_promises_but_promises_do_not_supersede_agreements() {
    let p = promise(1, d(2026, 1, 5), 100_000, d(2026, 1, 30));
    let a = agreement(
        2,
        d(2026, 1, 10),
        &[(d(2026, 1, 15), 100), (d(2026, 2, 16), 100)],
    );
    let f = decide(&[p], std::slice::from_ref(&a), &[], d(2026, 1, 12));
    assert_eq!(promise_states(&f), [Superseded]);
    assert_eq!(installment_states(&f), [vec![Pending, Pending]]);

    let later = promise(3, d(2026, 1, 12), 100, d(2026, 1, 14));
    let f = decide(&[later], std::slice::from_ref(&a), &[], d(2026, 1, 13));
    assert_eq!(installment_states(&f), [vec![Pending, Pending]]);

    // A newer agreement supersedes the older one's open instalments; broken ones stay broken.
    let newer = agreement(4, d(2026, 1, 20), &[(d(2026, 2, 2), 200)]);
    let f = decide(&[], &[newer, a], &[], d(2026, 2, 1));
    assert_eq!(
        installment_states(&f),
        [vec![Broken, Superseded], vec![Pending]]
    );
    assert_eq!(f.agreements[0].state, AgreementState::Broken);
}

#[test]
fn a_payment_made_the_day_of_a_renegotiation_counts_towards_the_new_commitment() {
    let old = promise(1, d(2026, 11, 2), 100_000, d(2026, 11, 30));
    let new = promise(2, d(2026, 11, 20), 100_000, d(2026, 11, 20));
    let f = decide(
        &[old, new],
        &[],
        &[pay(100_000, d(2026, 11, 20), None)],
        d(2026, 11, 22),
    );
    assert_eq!(promise_states(&f), [Superseded, Kept]);
}

#[test]
fn what_no_commitment_can_take_is_left_over() {
    let p = [promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))];
    let payments = [
        pay(300_000, d(2026, 11, 21), None),
        pay(50_000, d(2026, 12, 5), None),
    ];
    let f = decide(&p, &[], &payments, d(2026, 12, 5));
    assert_eq!(f.unallocated, Some(cop(100_000)));
    assert_eq!(decide(&p, &[], &[], d(2026, 12, 5)).unallocated, None);
}

#[test]
fn grace_days_come_from_the_rules() {
    let p = [promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))];
    let late = [pay(250_000, d(2026, 11, 29), None)];
    for (grace, state) in [(0, Broken), (1, Broken), (3, Kept)] {
        let rules = CollectionRules {
            grace_days: grace,
            ..rules()
        };
        let f = follow_up(&p, &[], &late, &rules, d(2026, 12, 1)).expect("decides");
        assert_eq!(f.promises[0].state, state, "grace {grace}");
    }
    let strict = CollectionRules {
        grace_days: 0,
        ..rules()
    };
    let f = follow_up(&p, &[], &[], &strict, d(2026, 11, 27)).expect("decides");
    assert_eq!(f.promises[0].state, Broken);
}

#[test]
fn bad_rules_and_mixed_currencies_are_refused() {
    let too_long = CollectionRules {
        grace_days: MAX_GRACE_DAYS + 1,
        ..rules()
    };
    assert!(matches!(
        follow_up(&[], &[], &[], &too_long, d(2026, 1, 1)),
        Err(CollectionError::Rules(_))
    ));
    let never = CollectionRules {
        unreachable_after: 0,
        ..rules()
    };
    assert!(never.validate().is_err());
    let p = [promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26))];
    let usd = ReceivedPayment::new(
        Money::from_minor(100, Currency::USD),
        d(2026, 11, 21),
        Some("X1"),
        None,
    )
    .expect("positive");
    let err = follow_up(&p, &[], &[usd], &rules(), d(2026, 11, 28)).unwrap_err();
    assert!(
        matches!(&err, CollectionError::MixedCurrencies { expected, found, .. }
            if *expected == Currency::COP && *found == Currency::USD),
        "{err}"
    );
    let late = [promise(1, d(2026, 11, 20), 1, NaiveDate::MAX)];
    assert_eq!(
        follow_up(&late, &[], &[], &rules(), d(2026, 1, 1)),
        Err(CollectionError::DateOutOfRange(NaiveDate::MAX))
    );
}

#[test]
fn a_run_reports_what_changed_since_the_day_before() {
    let p = [
        promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26)),
        promise(2, d(2026, 11, 20), 100_000, d(2026, 11, 27)),
    ];
    let a = [agreement(3, d(2026, 11, 2), &[(d(2026, 11, 5), 100)])];
    let payments = [pay(100, d(2026, 11, 5), None)];
    let yesterday = decide(&p, &a, &payments, d(2026, 11, 27));
    let today = decide(&p, &a, &payments, d(2026, 11, 28));
    let changes: Vec<_> = today
        .changes_since(&yesterday)
        .into_iter()
        .map(|c| (c.commitment.visit, c.from, c.commitment.state))
        .collect();
    assert_eq!(changes, [(visit(1), Pending, Broken)]);
    assert!(today.changes_since(&today).is_empty());
    let first_run = today.changes_since(&decide(&[], &[], &[], d(2026, 11, 27)));
    assert_eq!(
        first_run.len(),
        2,
        "the broken promise and the kept instalment"
    );
    assert_eq!(today.commitments().count(), 3);
}
