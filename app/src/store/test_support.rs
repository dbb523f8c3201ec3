//! Test fixtures: an enrolled in-memory store with one debtor on the route.

use chrono::NaiveDate;
use serde_json::json;
use terreno_shared::api::v1::sync::Change;
use terreno_shared::ids::{AccountId, DeviceId, PersonId, RouteId, StopId, UserId};

use crate::store::{Store, device, mirror};

pub(crate) const DEVICE: u128 = 0xd1;
pub(crate) const ACCOUNT: u128 = 0xa1;
pub(crate) const STOP: u128 = 0x51;
pub(crate) const PERSON: u128 = 0x9e;

/// An in-memory store enrolled as collector `gestor.test`.
pub(crate) fn enrolled(role: &str) -> Store {
    let store = Store::open_in_memory().expect("an in-memory store");
    device::insert(
        &store.conn,
        &device::NewDevice {
            device_id: DeviceId::from_uuid(uuid::Uuid::from_u128(DEVICE)),
            public_key: "00",
            server_url: "http://127.0.0.1:9",
            user_id: UserId::from_uuid(uuid::Uuid::from_u128(0x11)),
            username: "gestor.test",
            display_name: "Gestor Test",
            role,
            token: "t",
        },
    )
    .expect("enrolling");
    store
}

/// The pulled account change of debtor `CL-1` at Bogotá's Plaza de Bolívar.
pub(crate) fn account_change(version: i64, window: Option<&str>) -> Change {
    let body = json!({
        "id": AccountId::from_uuid(uuid::Uuid::from_u128(ACCOUNT)),
        "portfolio": uuid::Uuid::from_u128(0xf0),
        "portfolio_name": "Cartera",
        "external_id": "CL-1",
        "person": PersonId::from_uuid(uuid::Uuid::from_u128(PERSON)),
        "national_id": null,
        "name": "Ana Pérez",
        "address": "Calle 10 # 7-50",
        "neighbourhood": null,
        "lat": 4.598056,
        "lon": -74.075833,
        "phones": [],
        "balance_minor": 150_000_000,
        "currency": "COP",
        "days_past_due": 95,
        "bucket": "91-180",
        "contact_window": window,
        "collector": UserId::from_uuid(uuid::Uuid::from_u128(0x11)),
        "version": version,
    });
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    change("account", id, "upsert", body)
}

/// The pulled stop of `CL-1` on 2026-11-24.
pub(crate) fn stop_change() -> Change {
    let body = json!({
        "id": StopId::from_uuid(uuid::Uuid::from_u128(STOP)),
        "route": RouteId::from_uuid(uuid::Uuid::from_u128(0x77)),
        "collector": UserId::from_uuid(uuid::Uuid::from_u128(0x11)),
        "route_date": NaiveDate::from_ymd_opt(2026, 11, 24),
        "account": AccountId::from_uuid(uuid::Uuid::from_u128(ACCOUNT)),
        "planned_date": NaiveDate::from_ymd_opt(2026, 11, 24),
        "position": 1,
    });
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    change("stop", id, "upsert", body)
}

/// An enrolled store with `CL-1` and its stop mirrored.
pub(crate) fn with_route(role: &str, window: Option<&str>) -> Store {
    let mut store = enrolled(role);
    mirror::apply_page(
        &mut store.conn,
        &[account_change(1, window), stop_change()],
        crate::store::mirror::PageCursor::Feed("c1"),
        0,
    )
    .expect("applying the route");
    store
}

/// A pulled change from its wire fields, read as the device reads a page.
pub(crate) fn change(
    entity_type: &str,
    entity_id: impl Into<String>,
    op: &str,
    body: serde_json::Value,
) -> Change {
    Change::from_raw(terreno_shared::api::v1::sync::RawChange {
        entity_type: entity_type.into(),
        entity_id: entity_id.into(),
        op: op.into(),
        body,
    })
}
