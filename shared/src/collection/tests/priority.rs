//! A stop's priority and reason, and how amounts and dates are written in reasons.

use super::*;
use crate::model::delinquency::DelinquencyBucket as B;
use crate::model::visit::Outcome;

fn assessed(facts: &AccountFacts, as_of: NaiveDate) -> Assessment {
    assess(facts, as_of, &rules()).expect("assesses")
}

fn with_balance(promises: Vec<Promise>, payments: Vec<ReceivedPayment>) -> AccountFacts {
    AccountFacts {
        promises,
        payments,
        balance: Some(Balance {
            amount: cop(1_234_567),
            as_of: d(2026, 11, 1),
        }),
        ..AccountFacts::default()
    }
}

// Long: one table of every reason, in both languages, read row by row.
#[test]
fn reasons_say_why_the_stop_is_where_it_is() {
    let open = promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26));
    let partly = vec![pay(100_000, d(2026, 11, 24), None)];
    let plan = agreement(
        2,
        d(2026, 11, 2),
        &[(d(2026, 11, 5), 50_000), (d(2026, 12, 7), 50_000)],
    );
    let with_plan = AccountFacts {
        agreements: vec![plan],
        payments: vec![pay(50_000, d(2026, 11, 5), None)],
        ..with_balance(vec![], vec![])
    };
    let cases: [(&str, AccountFacts, NaiveDate, PriorityTier, &str, &str); 8] = [
        (
            "broken",
            with_balance(vec![open], vec![]),
            d(2026, 11, 28),
            PriorityTier::Broken,
            "promesa incumplida el 26/11: $250.000",
            "promise broken on 26/11: $250,000",
        ),
        (
            "broken, partly paid",
            with_balance(vec![open], partly.clone()),
            d(2026, 11, 28),
            PriorityTier::Broken,
            "promesa incumplida el 26/11: $250.000 (abonó $100.000)",
            "promise broken on 26/11: $250,000 ($100,000 paid)",
        ),
        (
            "due tomorrow",
            with_balance(vec![open], partly),
            d(2026, 11, 25),
            PriorityTier::Due,
            "promesa vence el 26/11: $150.000",
            "promise due 26/11: $150,000",
        ),
        (
            "in grace",
            with_balance(vec![open], vec![]),
            d(2026, 11, 27),
            PriorityTier::Due,
            "promesa venció el 26/11, en gracia: $250.000",
            "promise was due 26/11, in grace: $250,000",
        ),
        (
            "waiting",
            with_balance(vec![open], vec![]),
            d(2026, 11, 21),
            PriorityTier::Waiting,
            "promesa vigente, vence el 26/11: $250.000",
            "promise active, due 26/11: $250,000",
        ),
        (
            "agreement waiting",
            with_plan.clone(),
            d(2026, 11, 21),
            PriorityTier::Waiting,
            "acuerdo vigente, cuota 2 vence el 07/12: $50.000",
            "agreement active, instalment 2 due 07/12: $50,000",
        ),
        (
            "agreement broken",
            with_plan,
            d(2026, 12, 9),
            PriorityTier::Broken,
            "acuerdo incumplido, cuota 2 del 07/12: $50.000",
            "agreement broken, instalment 2 due 07/12: $50,000",
        ),
        (
            "never contacted",
            with_balance(vec![], vec![]),
            d(2026, 11, 21),
            PriorityTier::Regular,
            "sin gestión; mora 61-90 días; saldo $1.234.567; sin contacto",
            "not worked; 61-90 days past due; balance $1,234,567; never contacted",
        ),
    ];
    for (name, facts, today, tier, es, en) in cases {
        let a = assessed(&facts, today);
        let p = priority(&a, B::D61To90, today, Lang::Es);
        assert_eq!((p.tier, p.reason.as_str()), (tier, es), "{name}");
        assert_eq!(
            priority(&a, B::D61To90, today, Lang::En).reason,
            en,
            "{name}"
        );
    }
}

#[test]
fn settled_and_contacted_accounts_read_their_state() {
    let paid = AccountFacts {
        payments: vec![pay(1_234_567, d(2026, 11, 3), None)],
        ..with_balance(vec![], vec![])
    };
    let p = priority(
        &assessed(&paid, d(2026, 11, 4)),
        B::D0To30,
        d(2026, 11, 4),
        Lang::Es,
    );
    assert_eq!(
        (p.tier, p.reason.as_str()),
        (PriorityTier::Settled, "pagado")
    );
    let talked = AccountFacts {
        visits: vec![VisitFact {
            at: at(d(2026, 11, 2), 10),
            outcome: Outcome::Contacted,
        }],
        ..AccountFacts::default()
    };
    let p = priority(
        &assessed(&talked, d(2026, 11, 14)),
        B::D0To30,
        d(2026, 11, 14),
        Lang::Es,
    );
    assert_eq!(
        p.reason,
        "contactado; mora 0-30 días; último contacto hace 12 días"
    );
}

#[test]
fn the_rank_orders_tier_then_bucket_then_balance_then_days() {
    let regular = |balance: i64, last_contact: Option<u32>| {
        let visits = last_contact
            .map(|day| VisitFact {
                at: at(d(2026, 11, day), 10),
                outcome: Outcome::Contacted,
            })
            .into_iter()
            .collect();
        AccountFacts {
            visits,
            balance: Some(Balance {
                amount: cop(balance),
                as_of: d(2026, 11, 1),
            }),
            ..AccountFacts::default()
        }
    };
    let today = d(2026, 11, 30);
    let rank = |facts: &AccountFacts, bucket| {
        priority(&assessed(facts, today), bucket, today, Lang::Es).rank
    };
    let broken = with_balance(
        vec![promise(1, d(2026, 11, 20), 1, d(2026, 11, 26))],
        vec![],
    );
    let due = with_balance(vec![promise(1, d(2026, 11, 20), 1, d(2026, 12, 1))], vec![]);
    let waiting = with_balance(
        vec![promise(1, d(2026, 11, 20), 1, d(2026, 12, 20))],
        vec![],
    );
    let ordered = [
        rank(&broken, B::D0To30),
        rank(&due, B::D0To30),
        rank(&regular(1, Some(29)), B::Over360),
        rank(&regular(1, Some(29)), B::D181To360),
        rank(&regular(2_000_000, Some(29)), B::D0To30),
        rank(&regular(1_000_000, None), B::D0To30),
        rank(&regular(1_000_000, Some(2)), B::D0To30),
        rank(&regular(1_000_000, Some(29)), B::D0To30),
        rank(&waiting, B::Over360),
        rank(&regular(0, None), B::Over360),
    ];
    for pair in ordered.windows(2) {
        assert!(
            pair[0] > pair[1],
            "{:x} should rank above {:x}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn money_and_days_are_written_as_collectors_read_them() {
    let clp = Currency::parse("CLP").expect("known");
    let cases = [
        (cop(250_000), "$250.000", "$250,000"),
        (cop(0), "$0", "$0"),
        (cop(999), "$999", "$999"),
        (cop(1_234_567_890), "$1.234.567.890", "$1,234,567,890"),
        (
            Money::from_minor(12_345_650, Currency::COP),
            "$123.456,50",
            "$123,456.50",
        ),
        (
            Money::from_minor(-500_000, Currency::COP),
            "-$5.000",
            "-$5,000",
        ),
        (
            Money::from_minor(123_405, Currency::USD),
            "USD 1.234,05",
            "USD 1,234.05",
        ),
        (Money::from_minor(15_000, clp), "CLP 15.000", "CLP 15,000"),
    ];
    for (amount, es, en) in cases {
        assert_eq!(
            (
                format_money(amount, Lang::Es).as_str(),
                format_money(amount, Lang::En).as_str()
            ),
            (es, en)
        );
    }
    assert_eq!(format_day(d(2026, 1, 5)), "05/01");
}

#[test]
fn a_fallen_agreement_gives_no_reminders_once_a_kept_promise_renegotiated_it() {
    // Instalment 1 broke; a promise made after it was kept; instalment 2 falls due tomorrow.
    let plan = agreement(
        2,
        d(2026, 11, 2),
        &[(d(2026, 11, 5), 100), (d(2026, 12, 1), 100)],
    );
    let facts = AccountFacts {
        agreements: vec![plan],
        promises: vec![promise(3, d(2026, 11, 20), 100, d(2026, 11, 26))],
        payments: vec![pay(100, d(2026, 11, 26), None)],
        ..AccountFacts::default()
    };
    let today = d(2026, 11, 30);
    let a = assessed(&facts, today);
    assert_eq!(a.state, AccountState::Contacted);
    assert_eq!(
        priority(&a, B::D0To30, today, Lang::Es).tier,
        PriorityTier::Regular
    );
}
