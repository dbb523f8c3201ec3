//! A device's life beyond the day: a photo reaches the server byte for byte, a second login on
//! the same phone starts clean, and a revoked phone forgets everything.

use chrono::{TimeDelta, Utc};
use terreno_app::Error;
use terreno_shared::model::{Fix, GeoPoint};
use terreno_tests::{TempDir, TestDevice, TestServer};

use crate::both;

const ROUTE: &str = "external_id,debtor_name,address,latitude,longitude,balance,days_past_due,collector,visit_date\n\
    L-1,Ana Pérez,Calle 1 # 2-3,4.60,-74.10,100000,40,gestor.uno,2026-11-24\n\
    L-2,Luis Gómez,Calle 9 # 8-7,4.61,-74.11,200000,70,gestor.dos,2026-11-24\n";

fn server_with_route(
    backend: terreno_tests::Backend,
) -> Option<(TestServer, terreno_tests::Seeded, TempDir)> {
    let server = TestServer::spawn(backend)?;
    let dir = TempDir::new("route");
    let route = dir.0.join("route.csv");
    std::fs::write(&route, ROUTE).expect("writing a route");
    let seeded = server.seed(
        &route,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
    );
    server.allow_contact_any_time(seeded.org);
    Some((server, seeded, dir))
}

/// Checks in at L-1 on the real clock (standing at the door for two minutes).
fn check_in_at_l1(phone: &TestDevice) {
    let now = Utc::now();
    phone
        .at(now - TimeDelta::minutes(5))
        .shift_start()
        .expect("a shift");
    let door: Vec<Fix> = (0..24)
        .map(|i| {
            Fix::new(
                now - TimeDelta::seconds(5 * (23 - i)),
                GeoPoint::parse(4.60, -74.10).expect("p"),
                5.0,
            )
            .expect("fix")
        })
        .collect();
    phone.at(now).record_fixes(&door).expect("fixes");
    phone.core.check_in("L-1").expect("checking in");
}

both!(a_photo_reaches_the_server_byte_for_byte, |backend| {
    let Some((server, _seeded, dir)) = server_with_route(backend) else {
        return;
    };
    let phone = TestDevice::login(&server.url(), "gestor.uno", Utc::now());
    phone.sync_until_debtor("L-1");
    check_in_at_l1(&phone);
    let photo = dir.0.join("fachada.jpg");
    let bytes: Vec<u8> = (0..1_300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&photo, &bytes).expect("a photo file");
    phone
        .core
        .answer("L-1", &[format!("photo={}", photo.display())])
        .expect("attaching");
    assert_eq!(phone.core.status().expect("status").pending_attachments, 1);
    let report = phone.sync();
    assert_eq!(report.uploaded, 1);
    assert_eq!(phone.core.status().expect("status").pending_attachments, 0);
    let sha = phone.core.visit("L-1").expect("the visit").answers["photo"]["sha256"]
        .as_str()
        .expect("a hash")
        .to_owned();
    let rows = server.query(
        "select cast(bytes as text), cast(complete as text) from blobs where sha256 = $1",
        &sha,
    );
    assert_eq!(rows.len(), 1, "the server holds the blob");
    assert_eq!(rows[0][0].as_deref(), Some("1300000"));
    assert!(
        matches!(rows[0][1].as_deref(), Some("1" | "true")),
        "complete: {rows:?}"
    );
    let on_disk =
        std::fs::read(phone.core.data_dir().join("blobs").join(&sha)).expect("the local copy");
    assert!(
        on_disk.len() > bytes.len() && !on_disk.starts_with(&bytes[..64]),
        "stored encrypted on the phone"
    );
    let bad = phone.core.answer("L-1", &["photo=/etc/hostname".into()]);
    assert!(
        matches!(bad, Err(Error::Invalid(ref m)) if m.contains(".jpg")),
        "{bad:?}"
    );
});

both!(
    a_second_login_on_a_phone_starts_from_a_clean_device,
    |backend| {
        let Some((server, _seeded, _dir)) = server_with_route(backend) else {
            return;
        };
        let phone = TestDevice::login(&server.url(), "gestor.uno", Utc::now());
        phone.sync_until_debtor("L-1");
        assert_eq!(phone.core.route(None).expect("route").len(), 1);
        let first = phone.core.status().expect("status").device_id;
        phone.at(Utc::now()).shift_start().expect("a shift");
        phone
            .core
            .record_fixes(&[
                Fix::new(Utc::now(), GeoPoint::parse(4.6, -74.1).expect("p"), 5.0).expect("fix"),
            ])
            .expect("a fix");
        let refused = phone.core.login(
            &server.url(),
            "gestor.dos",
            terreno_tests::server::PASSWORD,
            "phone",
        );
        assert!(
            matches!(refused, Err(Error::Conflict(ref m)) if m.contains("gestor.uno")),
            "unsynced events block a switch: {refused:?}"
        );
        phone.sync();
        let second = phone
            .core
            .login(
                &format!("{}/", server.url()),
                "gestor.dos",
                terreno_tests::server::PASSWORD,
                "phone",
            )
            .expect("switching user");
        assert!(second.new_device && second.device_id != first);
        assert!(
            phone.core.route(None).expect("route").is_empty(),
            "gestor.uno's debtors are gone"
        );
        phone.sync_until_debtor("L-2");
        let route = phone
            .core
            .route(Some(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("a date"),
            ))
            .expect("route");
        assert_eq!(
            route
                .iter()
                .map(|r| r.external_id.as_str())
                .collect::<Vec<_>>(),
            ["L-2"]
        );
        let again = phone
            .core
            .login(
                &server.url(),
                "gestor.dos",
                terreno_tests::server::PASSWORD,
                "phone",
            )
            .expect("logging in again");
        assert!(
            !again.new_device,
            "the same user on the same server keeps the device"
        );
    }
);

both!(a_revoked_phone_forgets_everything, |backend| {
    let Some((server, seeded, _dir)) = server_with_route(backend) else {
        return;
    };
    let phone = TestDevice::login(&server.url(), "gestor.uno", Utc::now());
    phone.sync_until_debtor("L-1");
    check_in_at_l1(&phone);
    phone.sync();
    let id = phone.core.status().expect("status").device_id;
    server.revoke(seeded.org, &id);
    let result = phone.core.sync(&mut |_| {});
    assert!(matches!(result, Err(Error::Revoked)), "{result:?}");
    assert!(matches!(phone.core.status(), Err(Error::NotEnrolled)));
    assert!(
        !phone.core.data_dir().join("device.key").exists(),
        "the key is gone"
    );
    let db = std::fs::read(phone.core.database_path()).expect("the database file");
    assert!(
        !db.windows(9).any(|w| w == b"Ana P\xc3\xa9r"),
        "no debtor data left, and none readable anyway"
    );
});
