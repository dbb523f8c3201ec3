//! `terreno-server device list|revoke`: the organization's enrolled devices.
//!
//! Times are shown in the organization's time zone in the table and as RFC 3339 UTC in `--json`.

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use terreno_shared::api::v1::auth::DeviceInfo;
use terreno_shared::ids::DeviceId;

use super::users::{print, table};
use super::{Cli, DEFAULT_DB, DeviceCommand};
use crate::db::Db;
use crate::db::devices::DeviceScope;
use crate::db::orgs::Org;

/// Runs the command.
pub async fn run(cli: &Cli, cmd: &DeviceCommand) -> anyhow::Result<()> {
    let (db, org) = cli.open(DEFAULT_DB).await?;
    let result = match cmd {
        DeviceCommand::List { json } => list(&db, &org, *json).await,
        DeviceCommand::Revoke { id } => revoke(&db, &org, id).await,
        DeviceCommand::AddTracker { user, id } => add_tracker(&db, &org, user, id).await,
    };
    db.close().await;
    result
}

async fn add_tracker(db: &Db, org: &Org, user: &str, ident: &str) -> anyhow::Result<()> {
    let username = terreno_shared::model::Username::parse(user)?;
    let id = db.trackers().add(org.id, &username, ident, None).await?;
    print(&format!(
        "tracker {:?} registered for {username} as device {id}\n",
        ident.trim()
    ))
}

async fn list(db: &Db, org: &Org, json: bool) -> anyhow::Result<()> {
    let devices = db.devices().list(DeviceScope::Org(org.id)).await?;
    if json {
        let items: Vec<_> = devices.iter().map(device_json).collect();
        return print(&format!("{}\n", serde_json::to_string_pretty(&items)?));
    }
    let tz = org.time_zone;
    let rows = devices.iter().map(|d| {
        vec![
            d.id.to_string(),
            d.username.clone(),
            d.label.clone(),
            local(tz, Some(d.enrolled_at)),
            local(tz, d.revoked_at),
            local(tz, d.last_seen_at),
            d.head.to_string(),
        ]
    });
    let headers = [
        "ID",
        "USER",
        "LABEL",
        "ENROLLED",
        "REVOKED",
        "LAST SEEN",
        "HEAD",
    ];
    print(&table(&headers, rows))
}

async fn revoke(db: &Db, org: &Org, id: &str) -> anyhow::Result<()> {
    let device: DeviceId = id
        .trim()
        .parse()
        .with_context(|| format!("{id:?} is not a device id (a UUID)"))?;
    let info = db
        .devices()
        .revoke(DeviceScope::Org(org.id), device)
        .await?
        .with_context(|| format!("there is no device {device} in {}", org.name))?;
    print(&format!(
        "revoked device {} ({}, of {}): its next request is refused and it will wipe its data\n",
        info.id, info.label, info.username
    ))
}

fn device_json(d: &DeviceInfo) -> serde_json::Value {
    json!({
        "id": d.id,
        "user": d.username,
        "label": d.label,
        "enrolled_at": d.enrolled_at,
        "revoked_at": d.revoked_at,
        "last_seen_at": d.last_seen_at,
        "head": d.head,
    })
}

fn local(tz: Tz, t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
    )
}
