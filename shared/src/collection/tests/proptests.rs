//! Property tests: schedules always add up and fall on working days; the follow-up and the
//! account state do not depend on the order of their inputs; time only breaks commitments.

use chrono::Days;
use proptest::prelude::*;

use super::*;

/// 1 January 2026 plus `days`.
fn day(days: u64) -> NaiveDate {
    d(2026, 1, 1) + Days::new(days)
}

fn any_frequency() -> impl Strategy<Value = Frequency> {
    prop::sample::select(Frequency::ALL.to_vec())
}

fn any_promise(n: u128) -> impl Strategy<Value = Promise> {
    (0u64..90, 0u64..20, 1i64..400, 0u64..10).prop_map(move |(made, wait, thousands, late)| {
        promise(n, day(made), thousands * 1000, day(made + wait))
            .with_known_at(at(day(made + late), 15))
    })
}

fn any_agreement(n: u128) -> impl Strategy<Value = Agreement> {
    (
        0u64..90,
        1u64..15,
        1u32..5,
        1i64..900,
        any_frequency(),
        0u64..10,
    )
        .prop_map(move |(made, wait, count, thousands, frequency, late)| {
            let plan = schedule(
                cop(thousands * 1000),
                count,
                day(made + wait),
                frequency,
                holidays(),
            )
            .expect("generated schedule is valid");
            Agreement::new(visit(n), at(day(made), 12), plan)
                .expect("schedule makes an agreement")
                .with_known_at(at(day(made + late), 15))
        })
}

fn any_payment() -> impl Strategy<Value = ReceivedPayment> {
    let reference = prop::option::of(prop::sample::select(vec!["R1", " r1", "R2", "R3"]));
    (0u64..150, 1i64..300, reference)
        .prop_map(|(date, thousands, reference)| pay(thousands * 1000, day(date), reference))
}

/// An account's promises, agreements and payments.
type Facts = (Vec<Promise>, Vec<Agreement>, Vec<ReceivedPayment>);

/// Promises with distinct visits (1..), agreements (100..) and payments.
fn any_facts() -> impl Strategy<Value = Facts> {
    let promises = (0usize..5).prop_flat_map(|n| {
        (0..n)
            .map(|i| any_promise(i as u128 + 1))
            .collect::<Vec<_>>()
    });
    let agreements = (0usize..3).prop_flat_map(|n| {
        (0..n)
            .map(|i| any_agreement(i as u128 + 100))
            .collect::<Vec<_>>()
    });
    (
        promises,
        agreements,
        prop::collection::vec(any_payment(), 0..8),
    )
}

/// The same facts twice, the second time shuffled.
fn facts_and_shuffled() -> impl Strategy<Value = (Facts, Facts)> {
    any_facts().prop_flat_map(|(p, a, m)| {
        let shuffled = (
            Just(p.clone()).prop_shuffle(),
            Just(a.clone()).prop_shuffle(),
            Just(m.clone()).prop_shuffle(),
        );
        (Just((p, a, m)), shuffled)
    })
}

fn states(f: &FollowUp) -> Vec<(Option<u32>, CommitmentState)> {
    let installments = f.agreements.iter().flat_map(|a| &a.installments);
    f.promises
        .iter()
        .chain(installments)
        .map(|c| (c.installment, c.state))
        .collect()
}

proptest! {
    #[test]
    fn schedules_add_up_and_fall_on_working_days(
        minor in 1i64..10_000_000_000,
        count in 1u32..=MAX_INSTALLMENTS,
        first in 0u64..3000,
        frequency in any_frequency(),
    ) {
        let total = Money::from_minor(minor, Currency::COP);
        prop_assume!(minor >= i64::from(count));
        let plan = schedule(total, count, day(first), frequency, holidays()).expect("valid input");
        prop_assert_eq!(plan.len(), count as usize);
        prop_assert_eq!(plan.iter().map(|i| i.amount.minor_units()).sum::<i64>(), minor);
        let base = plan[0].amount;
        for (k, inst) in plan.iter().enumerate() {
            prop_assert_eq!(inst.n as usize, k + 1);
            prop_assert!(is_working_day(inst.due, holidays()), "{}", inst.due);
            prop_assert!(inst.amount.minor_units() >= 1);
            if k + 1 < plan.len() {
                prop_assert_eq!(inst.amount, base);
                prop_assert!(plan[k + 1].due > inst.due);
            } else {
                prop_assert!(inst.amount.minor_units() >= base.minor_units());
            }
        }
        prop_assert!(plan[0].due >= day(first) && plan[0].due <= day(first) + Days::new(3));
    }

    #[test]
    fn the_order_of_promises_agreements_and_payments_does_not_matter(
        ((p, a, m), (p2, a2, m2)) in facts_and_shuffled(),
        as_of in 0u64..150,
    ) {
        let one = follow_up(&p, &a, &m, &rules(), day(as_of)).expect("decides");
        let other = follow_up(&p2, &a2, &m2, &rules(), day(as_of)).expect("decides");
        prop_assert_eq!(&one, &other);
        prop_assert_eq!(&one, &follow_up(&p, &a, &m, &rules(), day(as_of)).expect("decides"));
        let facts = |promises, agreements, payments| AccountFacts {
            promises, agreements, payments,
            balance: Some(Balance { amount: cop(500_000), as_of: day(30) }),
            ..AccountFacts::default()
        };
        let s1 = assess(&facts(p, a, m), day(as_of), &rules()).expect("assesses");
        let s2 = assess(&facts(p2, a2, m2), day(as_of), &rules()).expect("assesses");
        prop_assert_eq!(s1, s2);
    }

    #[test]
    fn time_only_moves_commitments_from_pending_to_broken(
        (p, a, m) in any_facts(),
        earlier in 0u64..150,
        later in 0u64..150,
    ) {
        let (earlier, later) = (earlier.min(later), earlier.max(later));
        let before = follow_up(&p, &a, &m, &rules(), day(earlier)).expect("decides");
        let after = follow_up(&p, &a, &m, &rules(), day(later)).expect("decides");
        for ((n, was), (_, is)) in states(&before).into_iter().zip(states(&after)) {
            let allowed = was == is || (was == CommitmentState::Pending && is == CommitmentState::Broken);
            prop_assert!(allowed, "instalment {:?}: {:?} became {:?}", n, was, is);
        }
    }

    #[test]
    fn payments_are_allocated_exactly_once(
        (p, a, m) in any_facts(),
        as_of in 0u64..150,
    ) {
        let f = follow_up(&p, &a, &m, &rules(), day(as_of)).expect("decides");
        let installments = f.agreements.iter().flat_map(|a| &a.installments);
        let mut allocated = 0i64;
        for c in f.promises.iter().chain(installments) {
            prop_assert!(c.paid.minor_units() >= 0 && c.paid.minor_units() <= c.amount.minor_units());
            prop_assert_eq!(c.state == CommitmentState::Kept, c.paid == c.amount);
            prop_assert_eq!(c.settled_on.is_some(), c.paid == c.amount);
            if let Some(settled) = c.settled_on {
                prop_assert!(c.made_on <= settled && settled <= c.deadline);
            }
            allocated += c.paid.minor_units();
        }
        let counted: i64 = f.payments.iter().map(|p| p.amount().minor_units()).sum();
        let left = f.unallocated.map_or(0, |u| u.minor_units());
        prop_assert_eq!(allocated + left, counted);
        let mut keys: Vec<_> = f.payments.iter().filter_map(|p| p.dedup_key()).collect();
        let all = keys.len();
        keys.dedup();
        prop_assert_eq!(keys.len(), all, "a reference counted twice");
    }

    #[test]
    fn the_history_ends_where_the_assessment_is_and_repeating_a_day_adds_nothing(
        (p, a, m) in any_facts(),
        runs in prop::collection::vec(0u64..150, 0..4),
    ) {
        let mut facts: Vec<Fact> = Vec::new();
        facts.extend(p.iter().map(|x| Fact { at: x.known_at, kind: FactKind::Promise(*x) }));
        facts.extend(a.iter().map(|x| Fact { at: x.known_at(), kind: FactKind::Agreement(x.clone()) }));
        facts.extend(m.iter().map(|x| Fact { at: at(x.date(), 18), kind: FactKind::Payment(x.clone()) }));
        let mut runs = runs;
        runs.sort_unstable();
        facts.extend(runs.iter().map(|&r| Fact { at: at(day(r), 1), kind: FactKind::FollowUp(day(r)) }));
        let history = state_history(&facts, &rules()).expect("replays");
        let mut doubled = facts.clone();
        doubled.extend(runs.iter().map(|&r| Fact { at: at(day(r), 1), kind: FactKind::FollowUp(day(r)) }));
        let again = state_history(&doubled, &rules()).expect("replays");
        prop_assert_eq!(&history.changes, &again.changes);
        for pair in history.changes.windows(2) {
            prop_assert_eq!(pair[0].to, pair[1].from);
            prop_assert!(pair[0].at <= pair[1].at);
        }
        if let Some(current) = history.current {
            let known = AccountFacts { promises: p, agreements: a, payments: m, ..AccountFacts::default() };
            let as_of = runs.last().map_or(NaiveDate::MIN, |&r| day(r));
            let direct = assess(&known, as_of, &rules()).expect("assesses");
            prop_assert_eq!(current.state, direct.state);
            let last = history.changes.last().map_or(AccountState::New, |c| c.to);
            prop_assert_eq!(last, current.state);
        }
    }

    #[test]
    fn with_the_same_facts_time_only_breaks_an_account(
        (p, a, m) in any_facts(),
        earlier in 0u64..150,
        later in 0u64..150,
        bucket in prop::sample::select(crate::model::delinquency::DelinquencyBucket::ALL.to_vec()),
    ) {
        let (earlier, later) = (earlier.min(later), earlier.max(later));
        let facts = AccountFacts {
            promises: p, agreements: a, payments: m,
            balance: Some(Balance { amount: cop(400_000), as_of: day(0) }),
            ..AccountFacts::default()
        };
        let before = assess(&facts, day(earlier), &rules()).expect("assesses");
        let after = assess(&facts, day(later), &rules()).expect("assesses");
        let (was, is) = (before.state, after.state);
        if was.is_broken() {
            prop_assert!(is.is_broken(), "{} became {}", was, is);
        } else if !matches!(was, AccountState::PromiseActive | AccountState::AgreementActive) {
            prop_assert_eq!(was, is);
        }
        // The priority's band follows the state, and the rank's top bits are the band.
        let stop = priority(&after, bucket, day(later), Lang::Es);
        prop_assert_eq!(stop.tier == PriorityTier::Broken, is.is_broken());
        prop_assert_eq!(stop.tier == PriorityTier::Settled, is.is_settled());
        prop_assert_eq!(stop.rank >> 61, stop.tier as u64);
        prop_assert!(!stop.reason.is_empty());
    }
}
