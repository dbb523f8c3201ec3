//! The organization's visit form on a phone that is offline: the device refuses a completion
//! the form does not accept with the form's own Spanish message, records nothing of it, and
//! once the collector corrects the answer the completion goes through, reaches the server and
//! passes the server's re-check of the same form.

use chrono::{NaiveDate, TimeDelta};
use terreno_shared::model::Outcome;
use terreno_tests::device::t;
use terreno_tests::{TestDevice, TestServer, samples};

use crate::{both, feed, refusal, track_day};

both!(
    a_promise_above_the_balance_is_refused_offline_and_accepted_once_corrected,
    |backend| {
        let fx = samples();
        let Some(mut server) = TestServer::spawn(backend) else {
            return;
        };
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date");
        server.seed(&fx.join("route_basic.csv"), day);
        let phone = TestDevice::login(&server.url(), "gestor.ramirez", t("2026-11-24T12:50:00Z"));
        phone.sync_until_visit_form("CL-100000");
        phone
            .at(t("2026-11-24T12:59:00Z"))
            .shift_start()
            .expect("a shift");

        server.stop();
        let at = t("2026-11-24T13:03:00Z");
        feed(phone.at(at), &track_day(&fx), at);
        phone.core.check_in("CL-100000").expect("checking in");
        let shown = phone.core.visit_form("CL-100000").expect("the form");
        assert_eq!(shown.form.form_id, "visita_cobranza");
        assert_eq!(shown.state.answers["balance"], "1885907.28", "prefilled");
        let answers = [
            "contact_result=debtor",
            "person_contacted=José González",
            "promise_amount=2000000",
            "promise_date=2026-12-05",
        ];
        let phone_at = phone.at(at + TimeDelta::minutes(3));
        phone_at
            .answer("CL-100000", &answers.map(String::from))
            .expect("answers");
        let pending = phone_at.status().expect("status").pending_events;
        let (message, details) = refusal(phone_at.complete("CL-100000", Outcome::PromiseToPay));
        assert!(
            message.contains(
                "promise_amount: El monto prometido debe ser mayor que cero y no superar el \
                 saldo de 1885907.28"
            ),
            "{message}"
        );
        assert_eq!(
            details["issues"].as_array().map(Vec::len),
            Some(1),
            "{details}"
        );
        assert_eq!(
            phone_at.status().expect("status").pending_events,
            pending,
            "a refused completion records nothing"
        );

        phone_at
            .answer("CL-100000", &["promise_amount=1885907.28".into()])
            .expect("the corrected amount");
        let done = phone
            .at(at + TimeDelta::minutes(5))
            .complete("CL-100000", Outcome::PromiseToPay)
            .expect("completing");
        assert_eq!(done.outcome, Outcome::PromiseToPay);

        server.start();
        let report = phone.sync();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        let visits = server.query(
            "select v.status, v.outcome from visits v join accounts a on a.id = v.account_id \
             where a.external_id = $1",
            "CL-100000",
        );
        assert_eq!(
            visits,
            vec![vec![Some("done".into()), Some("promise_to_pay".into())]],
            "the server accepted the completion"
        );
    }
);
