//! Scenario 2: a collector and a supervisor edit the same visit while both are offline. After
//! both sync, both see the same answers, the later edit wins per field, and the edit that was
//! overwritten without its author having seen the winner is recorded for review.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::{TestDevice, TestServer, samples};

use crate::both;

/// Three minutes of fixes standing at CL-100003's door, ending at `end`.
fn standing_at_the_door(end: DateTime<Utc>) -> Vec<Fix> {
    (0..36)
        .map(|i| {
            let p = GeoPoint::parse(4.678562, -74.08043).expect("a point");
            Fix::new(end - TimeDelta::seconds(5 * (35 - i)), p, 6.0).expect("a fix")
        })
        .collect()
}

both!(
    offline_edits_of_one_visit_converge_and_the_loser_is_recorded,
    |backend| {
        let fx = samples();
        let Some(mut server) = TestServer::spawn(backend) else {
            return;
        };
        let seeded = server.seed(
            &fx.join("route_basic.csv"),
            NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
        );
        // Merge order follows hybrid clocks that every sync advances to the server's real time, so
        // this scenario runs on the real clock (and any hour of the day).
        server.allow_contact_any_time(seeded.org);
        let now = Utc::now();
        let t = |secs: i64| now + TimeDelta::seconds(secs);

        let collector = TestDevice::login(&server.url(), "gestor.nunez", t(-400));
        collector.sync_until_debtor("CL-100003");
        collector.at(t(-300)).shift_start().expect("a shift");
        collector
            .at(t(0))
            .record_fixes(&standing_at_the_door(t(0)))
            .expect("recording fixes");
        collector.core.check_in("CL-100003").expect("checking in");
        collector
            .at(t(1))
            .answer("CL-100003", &["comment=first note".into()])
            .expect("an answer");
        collector.sync();

        let supervisor = TestDevice::login(&server.url(), &seeded.supervisor, Utc::now());
        supervisor.sync_until("the collector's visit", |c| {
            c.visit("CL-100003")
                .is_ok_and(|v| v.answers.contains_key("comment"))
        });
        assert_eq!(
            supervisor
                .core
                .visit("CL-100003")
                .expect("the supervisor sees the visit")
                .answers["comment"],
            "first note"
        );

        server.stop();
        // Offline, each edits both fields; the supervisor's comment and the collector's person are
        // the later writes.
        let later = (Utc::now() - now).num_seconds() + 1;
        supervisor
            .at(t(later + 60))
            .answer("CL-100003", &["person_contacted=Supervisor's guess".into()])
            .expect("an edit");
        collector
            .at(t(later + 120))
            .answer("CL-100003", &["comment=collector's note".into()])
            .expect("an edit");
        collector
            .at(t(later + 180))
            .answer("CL-100003", &["person_contacted=Mrs. González".into()])
            .expect("an edit");
        supervisor
            .at(t(later + 240))
            .answer("CL-100003", &["comment=supervisor's correction".into()])
            .expect("an edit");

        server.start();
        // The devices' clocks stay at their last edit (minutes ahead of the server, within its
        // ten-minute bound), as phones would after the edits.
        let converged = |c: &terreno_app::Core| {
            c.visit("CL-100003").is_ok_and(|v| {
                v.answers.get("comment").and_then(|x| x.as_str()) == Some("supervisor's correction")
                    && v.answers.get("person_contacted").and_then(|x| x.as_str())
                        == Some("Mrs. González")
            })
        };
        collector.sync();
        supervisor.sync_until("the supervisor's copy to converge", converged);
        collector.sync_until("the collector's copy to converge", converged);
        let seen_by_collector = collector.core.visit("CL-100003").expect("the visit");
        let seen_by_supervisor = supervisor.core.visit("CL-100003").expect("the visit");
        assert_eq!(
            seen_by_collector.answers, seen_by_supervisor.answers,
            "both converge"
        );
        assert_eq!(
            seen_by_collector.answers["comment"],
            "supervisor's correction"
        );
        assert_eq!(
            seen_by_collector.answers["person_contacted"],
            "Mrs. González"
        );

        let conflicts = server.query(
            "select field, lost_device from conflicts where entity = $1 order by field",
            &seen_by_collector.visit_id,
        );
        let fields: Vec<_> = conflicts.iter().filter_map(|c| c[0].clone()).collect();
        assert_eq!(
            fields,
            ["comment", "person_contacted"],
            "both overwritten edits are recorded: {conflicts:?}"
        );
        let collector_id = collector.core.status().expect("status").device_id;
        assert_eq!(
            conflicts[0][1].as_deref(),
            Some(collector_id.as_str()),
            "the collector's comment lost"
        );
    }
);
