//! The account state: precedence between the states, labels and wire names.

use super::*;
use crate::model::visit::Outcome::{self, *};
use AccountState as S;

fn visits(list: &[(NaiveDate, Outcome)]) -> Vec<VisitFact> {
    list.iter()
        .map(|&(day, outcome)| VisitFact {
            at: at(day, 10),
            outcome,
        })
        .collect()
}

fn state(facts: &AccountFacts, as_of: NaiveDate) -> AccountState {
    assess(facts, as_of, &rules()).expect("assesses").state
}

/// Name, visits (day, outcome), expected state.
type VisitCase = (&'static str, Vec<(NaiveDate, Outcome)>, AccountState);

// Long: one table of visit sequences, read row by row.
#[test]
fn visits_alone_give_new_contacted_refused_or_unreachable() {
    let day = |n| d(2026, 11, n);
    let cases: [VisitCase; 9] = [
        ("never visited", vec![], S::New),
        ("nobody home once", vec![(day(2), NobodyHome)], S::New),
        (
            "three times nobody home",
            vec![
                (day(2), NobodyHome),
                (day(10), NobodyHome),
                (day(18), NobodyHome),
            ],
            S::Unreachable,
        ),
        (
            "wrong address counts too",
            vec![
                (day(2), NobodyHome),
                (day(10), WrongAddress),
                (day(18), NobodyHome),
            ],
            S::Unreachable,
        ),
        (
            "a contact resets the count",
            vec![
                (day(2), NobodyHome),
                (day(10), Contacted),
                (day(18), NobodyHome),
                (day(19), NobodyHome),
            ],
            S::Contacted,
        ),
        (
            "found after being unreachable",
            vec![
                (day(2), NobodyHome),
                (day(3), NobodyHome),
                (day(4), NobodyHome),
                (day(18), ThirdParty),
            ],
            S::Contacted,
        ),
        (
            "the last contact refused",
            vec![
                (day(2), Contacted),
                (day(10), Refused),
                (day(18), NobodyHome),
            ],
            S::Refused,
        ),
        (
            "refused, then talked",
            vec![(day(2), Refused), (day(10), Contacted)],
            S::Contacted,
        ),
        (
            "paid something in a visit",
            vec![(day(2), Paid)],
            S::Contacted,
        ),
    ];
    for (name, list, want) in cases {
        let facts = AccountFacts {
            visits: visits(&list),
            ..AccountFacts::default()
        };
        assert_eq!(state(&facts, day(30)), want, "{name}");
    }
}

#[test]
fn unreachable_after_is_configurable() {
    let facts = AccountFacts {
        visits: visits(&[(d(2026, 11, 2), NobodyHome), (d(2026, 11, 3), WrongAddress)]),
        ..AccountFacts::default()
    };
    let two = CollectionRules {
        unreachable_after: 2,
        ..rules()
    };
    let a = assess(&facts, d(2026, 11, 4), &two).expect("assesses");
    assert_eq!((a.state, a.visits_without_contact), (S::Unreachable, 2));
    assert_eq!(state(&facts, d(2026, 11, 4)), S::New);
}

// Long: one table of every precedence case, read row by row.
#[test]
fn commitments_follow_the_documented_precedence() {
    let due = d(2026, 11, 26);
    let open = promise(1, d(2026, 11, 20), 250_000, due);
    let paid = pay(250_000, due, Some("P1"));
    let renewed = promise(2, d(2026, 12, 1), 250_000, d(2026, 12, 10));
    let running = agreement(
        3,
        d(2026, 11, 2),
        &[
            (d(2026, 11, 5), 100),
            (d(2026, 12, 7), 100),
            (d(2027, 1, 7), 100),
        ],
    );
    let first = pay(100, d(2026, 11, 5), Some("A1"));
    let refused_later = visits(&[(d(2026, 11, 22), Refused)]);
    let unreachable_later = visits(&[
        (d(2026, 11, 21), NobodyHome),
        (d(2026, 11, 22), NobodyHome),
        (d(2026, 11, 23), NobodyHome),
    ]);
    let f = |promises: Vec<Promise>,
             agreements: Vec<Agreement>,
             payments: Vec<ReceivedPayment>,
             visits: Vec<VisitFact>| AccountFacts {
        visits,
        promises,
        agreements,
        payments,
        ..AccountFacts::default()
    };
    let cases: Vec<(&str, AccountFacts, NaiveDate, AccountState)> = vec![
        (
            "a promise made",
            f(vec![open], vec![], vec![], vec![]),
            d(2026, 11, 21),
            S::PromiseActive,
        ),
        (
            "still in grace",
            f(vec![open], vec![], vec![], vec![]),
            d(2026, 11, 27),
            S::PromiseActive,
        ),
        (
            "the day after grace",
            f(vec![open], vec![], vec![], vec![]),
            d(2026, 11, 28),
            S::PromiseBroken,
        ),
        (
            "kept: back to contacted",
            f(vec![open], vec![], vec![paid.clone()], vec![]),
            d(2026, 11, 28),
            S::Contacted,
        ),
        (
            "a refusal does not end a pending promise",
            f(vec![open], vec![], vec![], refused_later.clone()),
            d(2026, 11, 23),
            S::PromiseActive,
        ),
        (
            "nor does being unreachable",
            f(vec![open], vec![], vec![], unreachable_later.clone()),
            d(2026, 11, 23),
            S::PromiseActive,
        ),
        (
            "kept, then refused",
            f(vec![open], vec![], vec![paid.clone()], refused_later),
            d(2026, 11, 28),
            S::Refused,
        ),
        (
            "kept, then unreachable",
            f(vec![open], vec![], vec![paid.clone()], unreachable_later),
            d(2026, 11, 28),
            S::Unreachable,
        ),
        (
            "broken, then a new promise",
            f(vec![open, renewed], vec![], vec![], vec![]),
            d(2026, 12, 2),
            S::PromiseActive,
        ),
        (
            "the new one broken too",
            f(vec![open, renewed], vec![], vec![], vec![]),
            d(2026, 12, 12),
            S::PromiseBroken,
        ),
        (
            "an agreement running",
            f(vec![], vec![running.clone()], vec![first.clone()], vec![]),
            d(2026, 11, 10),
            S::AgreementActive,
        ),
        (
            "an instalment unpaid",
            f(vec![], vec![running.clone()], vec![], vec![]),
            d(2026, 11, 10),
            S::AgreementBroken,
        ),
        (
            "a promise during the agreement leads while pending",
            f(
                vec![open],
                vec![running.clone()],
                vec![first.clone()],
                vec![],
            ),
            d(2026, 11, 21),
            S::PromiseActive,
        ),
        (
            "and once kept, the agreement shows",
            f(
                vec![open],
                vec![running.clone()],
                vec![first.clone(), paid.clone()],
                vec![],
            ),
            d(2026, 11, 28),
            S::AgreementActive,
        ),
        (
            "a broken promise during the agreement",
            f(
                vec![open],
                vec![running.clone()],
                vec![first.clone()],
                vec![],
            ),
            d(2026, 11, 28),
            S::PromiseBroken,
        ),
        (
            "the agreement breaking after the promise wins",
            f(
                vec![open],
                vec![running.clone()],
                vec![first.clone(), paid.clone()],
                vec![],
            ),
            d(2026, 12, 9),
            S::AgreementBroken,
        ),
        (
            "a promise renegotiating a broken agreement",
            f(vec![open], vec![running.clone()], vec![], vec![]),
            d(2026, 11, 21),
            S::PromiseActive,
        ),
        (
            "an agreement after a broken promise",
            f(
                vec![open],
                vec![agreement(4, d(2026, 12, 1), &[(d(2026, 12, 15), 100)])],
                vec![],
                vec![],
            ),
            d(2026, 12, 2),
            S::AgreementActive,
        ),
    ];
    for (name, facts, as_of, want) in cases {
        assert_eq!(state(&facts, as_of), want, "{name}");
    }
}

#[test]
fn paid_and_closed_override_everything() {
    let open = promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26));
    let balance = Balance {
        amount: cop(400_000),
        as_of: d(2026, 11, 1),
    };
    let mut facts = AccountFacts {
        promises: vec![open],
        payments: vec![
            pay(150_000, d(2026, 10, 30), None),
            pay(400_000, d(2026, 12, 1), None),
        ],
        balance: Some(balance),
        ..AccountFacts::default()
    };
    let a = assess(&facts, d(2026, 12, 2), &rules()).expect("assesses");
    assert_eq!((a.state, a.balance_due), (S::Paid, Some(cop(0))));
    // A payment dated on or before the file's date is taken as included in its balance.
    facts.payments[1] = pay(400_000, d(2026, 11, 1), None);
    let a = assess(&facts, d(2026, 12, 2), &rules()).expect("assesses");
    assert_eq!(
        (a.state, a.balance_due),
        (S::PromiseBroken, Some(cop(400_000)))
    );
    facts.closed = true;
    assert_eq!(state(&facts, d(2026, 12, 2)), S::Closed);
    facts.balance = Some(Balance {
        amount: cop(0),
        as_of: d(2026, 11, 1),
    });
    assert_eq!(state(&facts, d(2026, 12, 2)), S::Closed);
    facts.closed = false;
    assert_eq!(state(&facts, d(2026, 12, 2)), S::Paid);
}

#[test]
fn the_assessment_names_the_commitment_behind_the_state_and_the_last_contact() {
    let open = promise(1, d(2026, 11, 20), 250_000, d(2026, 11, 26));
    let facts = AccountFacts {
        promises: vec![open],
        visits: visits(&[(d(2026, 11, 24), NobodyHome)]),
        ..AccountFacts::default()
    };
    let a = assess(&facts, d(2026, 11, 28), &rules()).expect("assesses");
    let because = a.because.expect("a broken promise");
    assert_eq!((because.visit, because.due), (visit(1), d(2026, 11, 26)));
    assert_eq!(a.last_contact_on, Some(d(2026, 11, 20)));
    assert_eq!(a.visits_without_contact, 1);
    assert_eq!(a.balance_due, None);
    let odd = AccountFacts {
        balance: Some(Balance {
            amount: Money::from_minor(5, Currency::USD),
            as_of: d(2026, 11, 1),
        }),
        promises: vec![open],
        ..AccountFacts::default()
    };
    assert!(matches!(
        assess(&odd, d(2026, 11, 28), &rules()),
        Err(CollectionError::MixedCurrencies { .. })
    ));
}

#[test]
fn states_have_spanish_and_english_labels_and_snake_case_wire_names() {
    let table = [
        (S::New, "new", "sin gestión", "not worked"),
        (S::Contacted, "contacted", "contactado", "contacted"),
        (
            S::PromiseActive,
            "promise_active",
            "promesa vigente",
            "promise active",
        ),
        (
            S::PromiseBroken,
            "promise_broken",
            "promesa incumplida",
            "promise broken",
        ),
        (
            S::AgreementActive,
            "agreement_active",
            "acuerdo vigente",
            "agreement active",
        ),
        (
            S::AgreementBroken,
            "agreement_broken",
            "acuerdo incumplido",
            "agreement broken",
        ),
        (S::Paid, "paid", "pagado", "paid"),
        (S::Unreachable, "unreachable", "ilocalizable", "unreachable"),
        (S::Refused, "refused", "renuente", "refused"),
        (S::Closed, "closed", "cerrado", "closed"),
    ];
    assert_eq!(table.len(), AccountState::ALL.len());
    for (state, wire, es, en) in table {
        assert_eq!(
            (state.as_str(), state.label(Lang::Es), state.label(Lang::En)),
            (wire, es, en)
        );
        assert_eq!(
            serde_json::to_string(&state).expect("serializes"),
            format!("\"{wire}\"")
        );
        let back: AccountState = serde_json::from_str(&format!("\"{wire}\"")).expect("parses");
        assert_eq!(back, state);
        assert_eq!(wire.parse::<AccountState>(), Ok(state));
        assert_eq!(state.to_string(), wire);
    }
    assert_eq!(
        "pagado".parse::<AccountState>().unwrap_err().field,
        "account state"
    );
    assert_eq!(
        serde_json::to_string(&Lang::Es).expect("serializes"),
        "\"es\""
    );
    let pending = serde_json::to_string(&CommitmentState::Superseded).expect("serializes");
    assert_eq!(pending, "\"superseded\"");
}
