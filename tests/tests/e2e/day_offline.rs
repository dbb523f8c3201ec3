//! Scenario 1: a collector's day with the server down. The route syncs, the real afternoon track
//! is replayed, check-ins during each dwell are allowed and one from the mock-location fixes is
//! refused and recorded; visits are answered with the organization's visit form and completed
//! offline; once the server is back a sync brings exactly those visits, the server accepts every
//! completion its own check of the form re-judges, and its verdicts agree with the device's.

use chrono::NaiveDate;
use terreno_app::Error;
use terreno_shared::model::Outcome;
use terreno_tests::device::t;
use terreno_tests::{TestDevice, TestServer, samples};

use crate::{both, feed, refusal, track_day};

struct Visit {
    stop: &'static str,
    check_in: &'static str,
    answers: &'static [&'static str],
    outcome: Outcome,
}

const VISITS: &[Visit] = &[
    Visit {
        stop: "CL-100000",
        check_in: "2026-11-24T13:03:00Z",
        answers: &[
            "contact_result=debtor",
            "person_contacted=José González",
            "promise_amount=250000",
            "promise_date=2026-12-05",
        ],
        outcome: Outcome::PromiseToPay,
    },
    Visit {
        stop: "CL-100004",
        check_in: "2026-11-24T13:47:00Z",
        answers: &[
            "contact_result=debtor",
            "person_contacted=Fabián González",
            "payment_amount=120000.50",
            "payment_method=cash",
            "payment_receipt=R-778",
        ],
        outcome: Outcome::Paid,
    },
    Visit {
        stop: "CL-100008",
        check_in: "2026-11-24T14:40:00Z",
        answers: &[
            "contact_result=third_party",
            "person_contacted=Hermana",
            "relationship=sibling",
            "comment=deja razón",
        ],
        outcome: Outcome::ThirdParty,
    },
    Visit {
        stop: "CL-100012",
        check_in: "2026-11-24T15:07:00Z",
        // The form asks for a photo of the façade when nobody is home.
        answers: &["contact_result=nobody_home", "photo=FACADE"],
        outcome: Outcome::NobodyHome,
    },
    Visit {
        stop: "CL-100016",
        check_in: "2026-11-24T15:59:00Z",
        answers: &["contact_result=refused", "non_payment_reason=disputes_debt"],
        outcome: Outcome::Refused,
    },
];

both!(
    a_collectors_offline_day_reaches_the_server_with_the_same_verdicts,
    |backend| {
        let fx = samples();
        let Some(mut server) = TestServer::spawn(backend) else {
            return;
        };
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
        server.seed(&fx.join("route_basic.csv"), day);
        let track = track_day(&fx);

        let phone = TestDevice::login(&server.url(), "gestor.ramirez", t("2026-11-24T12:50:00Z"));
        phone.sync_until_visit_form("CL-100000");
        let route = phone.core.route(Some(day)).expect("the route");
        let names: Vec<&str> = route.iter().map(|r| r.external_id.as_str()).collect();
        assert!(
            names.contains(&"CL-100000") && names.contains(&"CL-100012"),
            "{names:?}"
        );
        assert!(route.iter().all(|r| r.status == "planned"));
        phone
            .at(t("2026-11-24T12:59:00Z"))
            .shift_start()
            .expect("a shift");

        let facade = phone.dir.0.join("facade.jpg");
        std::fs::write(&facade, b"\xff\xd8\xff\xe0 the closed door of Calle 6").expect("a photo");
        server.stop();
        for (i, v) in VISITS.iter().enumerate() {
            let at = t(v.check_in);
            feed(phone.at(at), &track, at);
            let checked = phone
                .core
                .check_in(v.stop)
                .unwrap_or_else(|e| panic!("check-in at {}: {e}", v.stop));
            assert!(checked.verdict.is_accepted());
            phone
                .at(at + chrono::TimeDelta::minutes(3))
                .answer(
                    v.stop,
                    &v.answers
                        .iter()
                        .map(|s| s.replace("FACADE", &facade.display().to_string()))
                        .collect::<Vec<_>>(),
                )
                .expect("answers");
            let done = phone
                .at(at + chrono::TimeDelta::minutes(5))
                .complete(v.stop, v.outcome)
                .expect("completing");
            assert_eq!(done.outcome, v.outcome);
            let again = phone.core.complete(v.stop, v.outcome);
            assert!(
                matches!(again, Err(Error::Refused { .. })),
                "a visit completes once: {again:?}"
            );
            if i == 2 {
                // Right after the third stop a mock-location app reports a position 3 km away.
                let mock_at = t("2026-11-24T14:48:30Z");
                feed(phone.at(mock_at), &track, mock_at);
                let (message, details) = refusal(phone.core.check_in("CL-100012"));
                assert!(message.contains("mock"), "{message}");
                assert!(
                    details["seq"].as_u64().is_some(),
                    "the refused attempt is recorded: {details}"
                );
            }
        }
        feed(
            phone.at(t("2026-11-24T16:06:35Z")),
            &track,
            t("2026-11-24T16:06:35Z"),
        );
        phone.core.shift_end().expect("ending the shift");
        let offline = phone.core.sync(&mut |_| {});
        assert!(matches!(offline, Err(Error::Offline { .. })), "{offline:?}");
        let pending = phone.core.status().expect("status").pending_events;
        assert!(
            pending > 2_000,
            "fixes and visits wait in the outbox: {pending}"
        );

        server.start();
        let report = phone.sync();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        let status = phone.core.status().expect("status");
        assert_eq!(
            (status.pending_events, status.server_head),
            (0, status.last_seq)
        );

        let visits = server.query(
        "select a.external_id, v.status, v.outcome from visits v join accounts a on a.id = v.account_id \
         join users u on u.id = v.collector_id where u.username = $1 order by a.external_id",
        "gestor.ramirez",
    );
        let expected: Vec<Vec<Option<String>>> = VISITS
            .iter()
            .map(|v| {
                vec![
                    Some(v.stop.into()),
                    Some(v.outcome.final_status().as_str().into()),
                    Some(v.outcome.as_str().into()),
                ]
            })
            .collect();
        assert_eq!(
            visits, expected,
            "the server holds exactly the day's visits"
        );

        let checkins = server.query(
        "select a.external_id, cast(c.device_allowed as text), cast(c.server_allowed as text), c.device_verdict \
         from checkins c join accounts a on a.id = c.account_id join devices d on d.id = c.device_id \
         join users u on u.id = d.user_id where u.username = $1 order by c.at_ms",
        "gestor.ramirez",
    );
        assert_eq!(checkins.len(), VISITS.len() + 1, "{checkins:?}");
        for c in &checkins {
            assert_eq!(
                truthy(&c[1]),
                truthy(&c[2]),
                "device and server agree: {c:?}"
            );
        }
        let refused: Vec<_> = checkins.iter().filter(|c| !truthy(&c[1])).collect();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0][0].as_deref(), Some("CL-100012"));
        assert!(
            refused[0][3]
                .as_deref()
                .unwrap_or_default()
                .contains("mock_provider")
        );

        let route = phone
            .core
            .route(Some(day))
            .expect("the route after the day");
        for v in VISITS {
            let stop = route
                .iter()
                .find(|r| r.external_id == v.stop)
                .unwrap_or_else(|| panic!("{} in the day's route", v.stop));
            assert_eq!(
                stop.status,
                if v.outcome.final_status().as_str() == "done" {
                    "done"
                } else {
                    "not_done"
                }
            );
        }
    }
);

fn truthy(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "true" | "t"))
}
