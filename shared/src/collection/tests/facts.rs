//! The facts' own checks: invalid promises, agreements and payments cannot be built or read.

use super::*;

#[test]
fn inputs_are_validated_on_the_way_in() {
    assert!(ReceivedPayment::new(cop(0), d(2026, 1, 1), None, None).is_err());
    let p = ReceivedPayment::new(cop(5), d(2026, 1, 1), Some("  "), Some(" bank ")).expect("ok");
    assert_eq!((p.reference(), p.channel()), (None, Some("bank")));
    let made = at(d(2026, 1, 1), 9);
    let inst = |n, due, pesos| Installment {
        n,
        due,
        amount: cop(pesos),
    };
    for bad in [
        vec![],
        vec![inst(2, d(2026, 1, 5), 10)],
        vec![inst(1, d(2026, 1, 5), 0)],
        vec![inst(1, d(2026, 1, 5), 10), inst(2, d(2026, 1, 5), 10)],
    ] {
        assert!(Agreement::new(visit(1), made, bad).is_err());
    }
    let receipt = crate::model::submission::Payment::new(
        cop(50),
        crate::model::submission::PaymentMethod::Cash,
        Some("RC-9"),
    )
    .expect("valid payment");
    let from_visit = ReceivedPayment::from_visit(&receipt, d(2026, 1, 2)).expect("valid");
    assert_eq!(
        (
            from_visit.reference(),
            from_visit.channel(),
            from_visit.dedup_key()
        ),
        (Some("RC-9"), Some("cash"), Some("RC-9".to_owned()))
    );
}

#[test]
fn facts_read_back_from_json_are_checked_again() {
    let a = agreement(1, d(2026, 1, 10), &[(d(2026, 1, 15), 100)]);
    let late = a.clone().with_known_at(at(d(2026, 1, 12), 9));
    for agreement in [a, late] {
        let json = serde_json::to_string(&agreement).expect("serializes");
        let back: Agreement = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, agreement);
    }
    let p = pay(5, d(2026, 1, 2), Some("R-1"));
    let back: ReceivedPayment =
        serde_json::from_str(&serde_json::to_string(&p).expect("serializes")).expect("parses");
    assert_eq!(back, p);
    let negative = r#"{"amount":{"minor_units":-5,"currency":"COP"},"date":"2026-01-02"}"#;
    assert!(serde_json::from_str::<ReceivedPayment>(negative).is_err());
    let unnumbered = r#"{"visit":"00000000-0000-0000-0000-000000000001","made_at":"2026-01-10T17:00:00Z",
        "installments":[{"n":2,"due":"2026-01-15","amount":{"minor_units":5,"currency":"COP"}}]}"#;
    assert!(serde_json::from_str::<Agreement>(unnumbered).is_err());
    let facts = vec![
        Fact {
            at: at(d(2026, 1, 2), 9),
            kind: FactKind::Payment(p),
        },
        Fact {
            at: at(d(2026, 1, 3), 0),
            kind: FactKind::FollowUp(d(2026, 1, 3)),
        },
        Fact {
            at: at(d(2026, 1, 4), 9),
            kind: FactKind::Closed,
        },
    ];
    let json = serde_json::to_string(&facts).expect("serializes");
    assert!(
        json.contains(r#""kind":"follow_up","data":"2026-01-03""#),
        "{json}"
    );
    let back: Vec<Fact> = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, facts);
}
