use proptest::prelude::*;

use super::*;

#[test]
fn cursors_encode_as_compact_lower_case_hex() {
    let c = Cursor {
        epoch: 1,
        xid: 0x2f4,
        pos: 255,
    };
    assert_eq!(c.to_string(), "v1.1.2f4.ff");
    assert_eq!(Cursor::start(3).to_string(), "v1.3.0.0");
    assert_eq!("v1.1.2f4.ff".parse::<Cursor>(), Ok(c));
}

#[test]
fn the_empty_token_means_from_the_start() {
    assert_eq!(Cursor::parse_optional(""), Ok(None));
    assert_eq!(Cursor::parse_optional("  "), Ok(None));
    assert_eq!(
        Cursor::parse_optional("v1.2.0.a"),
        Ok(Some(Cursor {
            epoch: 2,
            xid: 0,
            pos: 10
        }))
    );
}

#[test]
fn garbage_cursors_are_refused_with_a_reason() {
    let cases = [
        ("x", "expected v1.EPOCH.XID.POS"),
        ("v2.1.0.0", "expected v1.EPOCH.XID.POS"),
        ("v1.1.0", "expected v1.EPOCH.XID.POS"),
        ("v1.1.0.0.0", "expected v1.EPOCH.XID.POS"),
        ("v1..0.0", "epoch is empty"),
        ("v1.1.0.FF", "not lower-case hexadecimal"),
        ("v1.1.0.-1", "not lower-case hexadecimal"),
        ("v1.1.0.+1", "not lower-case hexadecimal"),
        ("v1.1.00.1", "leading zero"),
        ("v1.100000000.0.1", "more than 8 digits"),
        ("v1.1.0.10000000000000000", "more than 16 digits"),
        ("v1.1.0.1 ", "not lower-case hexadecimal"),
    ];
    for (token, why) in cases {
        let err = token.parse::<Cursor>().expect_err(token);
        assert_eq!(err.field, "cursor", "{token}");
        assert!(err.reason.contains(why), "{token}: {}", err.reason);
    }
}

#[test]
fn snapshot_tokens_carry_the_feed_cursor_section_and_key() {
    let t = SnapshotCursor {
        feed: Cursor {
            epoch: 1,
            xid: 9,
            pos: 16,
        },
        section: SnapshotSection::Fields,
        after: "ab/é".into(),
    };
    assert_eq!(t.to_string(), "s1.1.9.10.f.61622fc3a9");
    assert_eq!(t.to_string().parse::<SnapshotCursor>(), Ok(t));
    let first = SnapshotCursor::first(Cursor::start(1));
    assert_eq!(first.to_string(), "s1.1.0.0.a.");
}

#[test]
fn garbage_snapshot_tokens_are_refused_with_a_reason() {
    let cases = [
        ("v1.1.0.0", "expected s1."),
        ("s1.1.0.0.a", "expected s1."),
        ("s1.1.0.0.x.", "unknown section"),
        ("s1.1.0.0.a.6", "odd number"),
        ("s1.1.0.0.a.6G", "not a lower-case hex byte"),
        ("s1.1.0.0.a.ff", "not UTF-8"),
        ("s1.1.00.0.a.", "leading zero"),
    ];
    for (token, why) in cases {
        let err = token.parse::<SnapshotCursor>().expect_err(token);
        assert_eq!(err.field, "snapshot cursor", "{token}");
        assert!(err.reason.contains(why), "{token}: {}", err.reason);
    }
}

#[test]
fn snapshot_sections_are_read_in_order() {
    let mut order = vec![SnapshotSection::Accounts];
    while let Some(next) = order.last().and_then(|s| s.next()) {
        order.push(next);
    }
    assert_eq!(order, SnapshotSection::ALL);
}

fn any_section() -> impl Strategy<Value = SnapshotSection> {
    prop::sample::select(SnapshotSection::ALL.to_vec())
}

proptest! {
    #[test]
    fn every_cursor_round_trips(epoch: u32, xid: u64, pos: u64) {
        let c = Cursor { epoch, xid, pos };
        prop_assert_eq!(c.to_string().parse::<Cursor>(), Ok(c));
    }

    #[test]
    fn a_parsed_cursor_has_exactly_one_spelling(token in "v1\\.[0-9a-f]{1,8}\\.[0-9a-f]{1,16}\\.[0-9a-f]{1,16}") {
        if let Ok(c) = token.parse::<Cursor>() {
            prop_assert_eq!(c.to_string(), token);
        }
    }

    #[test]
    fn arbitrary_text_never_panics_and_only_canonical_text_parses(token in ".{0,40}") {
        if let Ok(c) = token.parse::<Cursor>() {
            prop_assert_eq!(c.to_string(), token.clone());
        }
        if let Ok(t) = token.parse::<SnapshotCursor>() {
            prop_assert_eq!(t.to_string(), token);
        }
    }

    #[test]
    fn every_snapshot_token_round_trips(
        epoch: u32, xid: u64, pos: u64, section in any_section(), after in ".{0,40}",
    ) {
        let t = SnapshotCursor { feed: Cursor { epoch, xid, pos }, section, after };
        prop_assert_eq!(t.to_string().parse::<SnapshotCursor>(), Ok(t));
    }
}
