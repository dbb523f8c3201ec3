//! The rule table: one Bogotá decision per row, each with its refusing rules and next moment.

use std::num::NonZeroU32;

use super::*;

/// One decision in Bogotá: policy, debtor window, history and asked instant, all local.
struct Case {
    name: &'static str,
    policy: ContactPolicy,
    debtor_window: Option<&'static str>,
    history: &'static [&'static str],
    at: &'static str,
    rules: &'static [&'static str],
    next_allowed: Option<&'static str>,
}

fn run(case: &Case) -> Decision {
    let holidays = colombia();
    let history: Vec<_> = case.history.iter().map(|h| at_local(BOGOTA, h)).collect();
    let ctx = ContactContext {
        time_zone: BOGOTA,
        policy: &case.policy,
        holidays: &holidays,
        debtor_window: case.debtor_window.map(window),
        history: &history,
    };
    ctx.decide(at_local(BOGOTA, case.at))
}

#[test]
// Long: a table of every contact rule, one row each; split, the table would no longer read as one.
fn each_rule_refuses_with_its_reason_and_the_next_moment_every_rule_allows() {
    let law = ContactPolicy::colombia_ley_2300;
    let company = ContactPolicy::default_company;
    let cases = [
        Case {
            name: "the fixture day's first stop at 08:00 is allowed for a 08:00-12:00 debtor",
            policy: company(),
            debtor_window: Some("08:00-12:00"),
            history: &[],
            at: "2026-11-24 08:00",
            rules: &[],
            next_allowed: None,
        },
        Case {
            name: "the fixture day's last stop at 11:06 is allowed",
            policy: company(),
            debtor_window: Some("08:00-12:00"),
            history: &[],
            at: "2026-11-24 11:06",
            rules: &[],
            next_allowed: None,
        },
        Case {
            name: "13:30 is past the debtor's window: next morning at 08:00",
            policy: company(),
            debtor_window: Some("08:00-12:00"),
            history: &[],
            at: "2026-11-24 13:30",
            rules: &["outside_debtor_window"],
            next_allowed: Some("2026-11-25 08:00"),
        },
        Case {
            name: "before opening on a weekday waits for 07:00 the same day",
            policy: law(),
            debtor_window: None,
            history: &[],
            at: "2026-11-24 06:30",
            rules: &["outside_hours"],
            next_allowed: Some("2026-11-24 07:00"),
        },
        Case {
            name: "19:00 on a weekday is closed: next day at 07:00",
            policy: law(),
            debtor_window: None,
            history: &[],
            at: "2026-11-24 19:00",
            rules: &["outside_hours"],
            next_allowed: Some("2026-11-25 07:00"),
        },
        Case {
            name: "Saturday 14:59 is still open",
            policy: law(),
            debtor_window: None,
            history: &[],
            at: "2026-11-28 14:59",
            rules: &[],
            next_allowed: None,
        },
        Case {
            name: "Saturday 15:00 is closed: past Sunday to Monday 07:00",
            policy: law(),
            debtor_window: None,
            history: &[],
            at: "2026-11-28 15:00",
            rules: &["outside_hours"],
            next_allowed: Some("2026-11-30 07:00"),
        },
        Case {
            name: "Sunday is closed all day",
            policy: law(),
            debtor_window: None,
            history: &[],
            at: "2026-11-29 10:00",
            rules: &["closed_day"],
            next_allowed: Some("2026-11-30 07:00"),
        },
        Case {
            name: "a second contact on the same day waits for tomorrow",
            policy: law(),
            debtor_window: None,
            history: &["2026-11-24 08:15"],
            at: "2026-11-24 10:00",
            rules: &["daily_limit"],
            next_allowed: Some("2026-11-25 07:00"),
        },
        Case {
            name: "a contact synced later for this afternoon already uses up the day",
            policy: law(),
            debtor_window: None,
            history: &["2026-11-24 16:00"],
            at: "2026-11-24 09:00",
            rules: &["daily_limit"],
            next_allowed: Some("2026-11-25 07:00"),
        },
        Case {
            name: "yesterday evening's contact does not block this morning under the law alone",
            policy: law(),
            debtor_window: None,
            history: &["2026-11-23 18:55"],
            at: "2026-11-24 07:00",
            rules: &[],
            next_allowed: None,
        },
        Case {
            name: "eight days are calendar days: the 2nd at 18:00 allows the 10th at opening",
            policy: company(),
            debtor_window: None,
            history: &["2026-11-02 18:00"],
            at: "2026-11-09 18:00",
            rules: &["too_soon"],
            next_allowed: Some("2026-11-10 07:00"),
        },
        Case {
            name: "a later contact also keeps visits eight days apart",
            policy: company(),
            debtor_window: None,
            history: &["2026-11-12 10:00"],
            at: "2026-11-06 10:00",
            rules: &["too_soon"],
            next_allowed: Some("2026-11-20 07:00"),
        },
        Case {
            name: "Holy Thursday and Good Friday close until Saturday's opening",
            policy: law(),
            debtor_window: None,
            history: &[],
            at: "2026-04-02 10:00",
            rules: &["holiday"],
            next_allowed: Some("2026-04-04 08:00"),
        },
        Case {
            name: "all refusing rules are listed, widest first",
            policy: company(),
            debtor_window: Some("08:00-12:00"),
            history: &["2026-11-12 09:00"],
            at: "2026-11-16 13:00",
            rules: &["holiday", "too_soon", "outside_debtor_window"],
            next_allowed: Some("2026-11-20 08:00"),
        },
        Case {
            name: "a weekly limit waits for next Monday",
            policy: ContactPolicy::unrestricted().with_max_per_week(NonZeroU32::new(2)),
            debtor_window: None,
            history: &["2026-11-23 09:00", "2026-11-24 09:00"],
            at: "2026-11-26 09:00",
            rules: &["weekly_limit"],
            next_allowed: Some("2026-11-30 00:00"),
        },
        Case {
            name: "a debtor window outside legal hours can never be met",
            policy: law(),
            debtor_window: Some("20:00-22:00"),
            history: &[],
            at: "2026-11-24 20:30",
            rules: &["outside_hours"],
            next_allowed: None,
        },
    ];
    for case in &cases {
        let decision = run(case);
        let rules: Vec<_> = decision.rules().into_iter().map(rule_name).collect();
        assert_eq!(rules, case.rules, "{}: {decision}", case.name);
        if let Decision::Refused { next_allowed, .. } = &decision {
            let expected = case.next_allowed.map(|t| at_local(BOGOTA, t));
            assert_eq!(*next_allowed, expected, "{}", case.name);
        }
    }
}
