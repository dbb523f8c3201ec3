//! The permission matrix: every route the router serves, called by ten principals (anonymous;
//! in organization `acme` two collectors of team north, one of team south, a supervisor of
//! each team and the admin; in organization `other` an admin, a supervisor and a collector).
//!
//! The routes come from the router itself (`terreno_server::routes::paths()`), and every
//! method each path answers (anything but 405) must have an entry in [`table`]: a route added
//! later without one fails this test. Each entry names who may act on data of collector
//! `gestor.marcado` (team north of `acme`); everyone else must be refused (401, 403 or 404) or,
//! where a list answers everyone with their own scope, must not see that collector's data (the
//! markers).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use terreno_shared::model::Role;
use terreno_shared::sync::DeviceKey;

use crate::both;
use crate::harness::{Resp, TestApp};
use crate::pull::settle;
use crate::reads::{Who, exec, user};

/// Text only data of `gestor.marcado`'s scope holds: their debtor's name, their username,
/// their phone's label and their photo's bytes.
const MARKERS: [&str; 4] = [
    "Marcador Uno",
    "gestor.marcado",
    "telefono-marcado",
    "FOTO-MARCADA",
];
const DAY: &str = "2026-11-24";
const ACCOUNT: &str = "00000000-0000-7000-8000-00000000a001";
const VISIT: &str = "00000000-0000-7000-8000-00000000b001";
const DEVICE: &str = "00000000-0000-7000-8000-00000000d001";
const TRACKER: &str = "marcado-tracker";

/// The principals, in the order of [`Principal::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Principal {
    Anonymous,
    /// `gestor.marcado`: the collector whose data every entry is about (team north).
    Owner,
    /// Another collector of team north.
    Teammate,
    /// A collector of team south.
    SouthCollector,
    NorthSupervisor,
    SouthSupervisor,
    Admin,
    OtherAdmin,
    OtherSupervisor,
    OtherCollector,
}

use Principal::*;

impl Principal {
    const ALL: [Principal; 10] = [
        Anonymous,
        Owner,
        Teammate,
        SouthCollector,
        NorthSupervisor,
        SouthSupervisor,
        Admin,
        OtherAdmin,
        OtherSupervisor,
        OtherCollector,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).expect("listed")
    }
}

/// Who may act, for an entry.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Everyone, logged in or not, gets what anonymous gets.
    Public,
    /// Any logged-in user, each within their own scope.
    LoggedIn,
    /// The owner, their team's supervisor and their organization's admin.
    OwnerAndManagers,
    /// Their team's supervisor and their organization's admin.
    Managers,
    /// Their organization's admin.
    Admin,
    /// Every supervisor and admin, each within their own scope.
    AnyManager,
    /// The supervisors and admin of the owner's organization.
    OrgManagers,
    /// Every user of the owner's organization (its devices read what its forms need).
    OrgMembers,
    /// The owner alone (their own device).
    OwnerOnly,
}

impl Access {
    fn allows(self, p: Principal) -> bool {
        match self {
            Access::Public => true,
            Access::LoggedIn => p != Anonymous,
            Access::OwnerAndManagers => matches!(p, Owner | NorthSupervisor | Admin),
            Access::Managers => matches!(p, NorthSupervisor | Admin),
            Access::Admin => p == Admin,
            Access::AnyManager => matches!(
                p,
                NorthSupervisor | SouthSupervisor | Admin | OtherAdmin | OtherSupervisor
            ),
            Access::OrgManagers => matches!(p, NorthSupervisor | SouthSupervisor | Admin),
            Access::OrgMembers => matches!(
                p,
                Owner | Teammate | SouthCollector | NorthSupervisor | SouthSupervisor | Admin
            ),
            Access::OwnerOnly => p == Owner,
        }
    }

    /// Whether those who may act on the owner's data see the markers in the answer.
    fn marked(self, p: Principal) -> bool {
        match self {
            Access::LoggedIn | Access::AnyManager => {
                matches!(p, Owner | NorthSupervisor | Admin)
            }
            _ => self.allows(p),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
enum Bodied {
    None,
    Json(Value),
    /// A multipart form with one `file` part holding this text.
    File(&'static str),
    Bytes(&'static [u8]),
}

/// One route and method, with a concrete request (`{p}` in the path becomes the caller's
/// index, for requests that consume their target) and who may make it.
struct Entry {
    method: Method,
    template: &'static str,
    uri: String,
    body: Bodied,
    access: Access,
    /// Whether those allowed must see the markers.
    shows: bool,
}

fn entry(method: Method, template: &'static str, uri: &str, access: Access) -> Entry {
    Entry {
        method,
        template,
        uri: uri.to_owned(),
        body: Bodied::None,
        access,
        shows: false,
    }
}

impl Entry {
    fn json(mut self, v: Value) -> Self {
        self.body = Bodied::Json(v);
        self
    }
    fn body(mut self, b: Bodied) -> Self {
        self.body = b;
        self
    }
    fn shows(mut self) -> Self {
        self.shows = true;
        self
    }
}

/// Every route and method the server answers, with a request of each.
// Long: the permission table: every route and role, one row each.
fn table(w: &World) -> Vec<Entry> {
    use Access::*;
    let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
    let sha = w.photo_sha.as_str();
    let form = w.form_version.as_str();
    let stop = w.stop.as_str();
    vec![
        entry(get.clone(), "/healthz", "/healthz", Public),
        entry(
            get.clone(),
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            Public,
        ),
        entry(get.clone(), terreno_server::routes::FALLBACK, "/", Public),
        entry(
            post.clone(),
            "/api/v1/auth/login",
            "/api/v1/auth/login",
            Public,
        )
        .json(json!({"username": "nobody.{p}", "password": "not-the-password"})),
        entry(
            post.clone(),
            "/api/v1/auth/logout",
            "/api/v1/auth/logout",
            LoggedIn,
        ),
        entry(get.clone(), "/api/v1/auth/me", "/api/v1/auth/me", LoggedIn),
        entry(
            get.clone(),
            "/api/v1/org/settings",
            "/api/v1/org/settings",
            LoggedIn,
        ),
        entry(
            put.clone(),
            "/api/v1/blobs/{sha256}",
            "/api/v1/blobs/2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
            LoggedIn,
        )
        .body(Bodied::Bytes(b"foo")),
        entry(
            get.clone(),
            "/api/v1/blobs/{sha256}/status",
            &format!("/api/v1/blobs/{sha}/status"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/blobs/{sha256}",
            &format!("/api/v1/blobs/{sha}"),
            OwnerAndManagers,
        )
        .shows(),
        entry(post.clone(), "/api/v1/devices", "/api/v1/devices", LoggedIn).json(json!({
            "device_id": "00000000-0000-7000-8000-0000000e000{p}",
            "public_key": "not a key", "label": "x"
        })),
        entry(get.clone(), "/api/v1/devices", "/api/v1/devices", LoggedIn).shows(),
        entry(
            post.clone(),
            "/api/v1/devices/{id}/revoke",
            "/api/v1/devices/00000000-0000-7000-8000-0000000f000{p}/revoke",
            Managers,
        ),
        entry(
            get.clone(),
            "/api/v1/exports/visits.csv",
            &format!("/api/v1/exports/visits.csv?from={DAY}&to={DAY}"),
            LoggedIn,
        )
        .shows(),
        entry(
            get.clone(),
            "/api/v1/exports/visits.xlsx",
            &format!("/api/v1/exports/visits.xlsx?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/exports/visits.geojson",
            &format!("/api/v1/exports/visits.geojson?from={DAY}&to={DAY}"),
            LoggedIn,
        )
        .shows(),
        entry(
            get.clone(),
            "/api/v1/exports/tracks.gpx",
            &format!("/api/v1/exports/tracks.gpx?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/exports/tracks.geojson",
            &format!("/api/v1/exports/tracks.geojson?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(get.clone(), "/api/v1/forms", "/api/v1/forms", LoggedIn),
        entry(post.clone(), "/api/v1/forms", "/api/v1/forms", AnyManager)
            .body(Bodied::File("not,a,form\n")),
        entry(
            post.clone(),
            "/api/v1/forms/versions/{id}/preview",
            &format!("/api/v1/forms/versions/{form}/preview"),
            OrgManagers,
        )
        .json(json!({})),
        entry(
            get.clone(),
            "/api/v1/forms/versions/{id}/media/{name}",
            &format!("/api/v1/forms/versions/{}/media/tramos.csv", w.media_form),
            OrgMembers,
        ),
        entry(
            put.clone(),
            "/api/v1/forms/visit-form",
            "/api/v1/forms/visit-form",
            Admin,
        )
        .json(json!({"id": form})),
        entry(
            post.clone(),
            "/api/v1/imports/routes",
            "/api/v1/imports/routes",
            AnyManager,
        )
        .body(Bodied::File("foo,bar\n1,2\n")),
        entry(
            post.clone(),
            "/api/v1/imports/payments",
            "/api/v1/imports/payments",
            AnyManager,
        )
        .body(Bodied::File("foo,bar\n1,2\n")),
        entry(get.clone(), "/api/v1/live", "/api/v1/live", AnyManager),
        entry(get.clone(), "/api/v1/map", "/api/v1/map", AnyManager).shows(),
        entry(
            get.clone(),
            "/osmand",
            &format!("/osmand?id={TRACKER}&lat=4.6&lon=-74.1&timestamp=1795532400"),
            Public,
        ),
        entry(
            post.clone(),
            "/osmand",
            &format!("/osmand?id={TRACKER}&lat=4.6&lon=-74.1&timestamp=1795532401"),
            Public,
        ),
        entry(
            post.clone(),
            "/api/v1/trackers",
            "/api/v1/trackers",
            Managers,
        )
        .json(json!({"ident": "tracker-{p}", "username": "gestor.marcado"})),
        entry(
            get.clone(),
            "/api/v1/sync/pull",
            "/api/v1/sync/pull",
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/sync/snapshot",
            "/api/v1/sync/snapshot",
            LoggedIn,
        ),
        entry(
            post.clone(),
            "/api/v1/sync/push",
            "/api/v1/sync/push",
            OwnerOnly,
        )
        .json(json!({
            "device_id": DEVICE, "events": [], "batch_signature": ""
        })),
        entry(
            get.clone(),
            "/api/v1/sync/status",
            &format!("/api/v1/sync/status?device_id={DEVICE}"),
            OwnerOnly,
        ),
        entry(
            get.clone(),
            "/api/v1/accounts/{id}",
            &format!("/api/v1/accounts/{ACCOUNT}"),
            OwnerAndManagers,
        )
        .shows(),
        entry(
            get.clone(),
            "/api/v1/visits/{id}",
            &format!("/api/v1/visits/{VISIT}"),
            OwnerAndManagers,
        ),
        entry(
            post.clone(),
            "/api/v1/visits/{id}/review",
            &format!("/api/v1/visits/{VISIT}/review"),
            Managers,
        )
        .json(json!({"decision": "approved", "comment": "ok"})),
        entry(
            get.clone(),
            "/api/v1/visits/{id}/history",
            &format!("/api/v1/visits/{VISIT}/history"),
            OwnerAndManagers,
        ),
        entry(
            get.clone(),
            "/api/v1/visits",
            &format!("/api/v1/visits?from={DAY}&to={DAY}"),
            LoggedIn,
        )
        .shows(),
        entry(
            get.clone(),
            "/api/v1/reports/contact-rate",
            &format!("/api/v1/reports/contact-rate?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/reports/promises",
            &format!("/api/v1/reports/promises?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/reports/visits-per-collector",
            &format!("/api/v1/reports/visits-per-collector?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/reports/refusal-reasons",
            &format!("/api/v1/reports/refusal-reasons?from={DAY}&to={DAY}"),
            LoggedIn,
        ),
        entry(
            get.clone(),
            "/api/v1/routes",
            &format!("/api/v1/routes?date={DAY}"),
            AnyManager,
        )
        .shows(),
        entry(
            post.clone(),
            "/api/v1/routes/stops/{id}/reassign",
            &format!("/api/v1/routes/stops/{stop}/reassign"),
            Managers,
        )
        .json(json!({"collector": "gestor.marcado"})),
        entry(
            put.clone(),
            "/api/v1/routes/{collector}/{date}/order",
            &format!("/api/v1/routes/gestor.marcado/{DAY}/order"),
            Managers,
        )
        .json(json!({"stops": [stop]})),
        entry(
            get.clone(),
            "/api/v1/location-captures",
            "/api/v1/location-captures",
            AnyManager,
        )
        .shows(),
        entry(
            post.clone(),
            "/api/v1/location-captures/{device}/{seq}/approve",
            &format!("/api/v1/location-captures/{DEVICE}/10{{p}}/approve"),
            Managers,
        )
        .json(json!({})),
        entry(
            post.clone(),
            "/api/v1/location-captures/{device}/{seq}/reject",
            &format!("/api/v1/location-captures/{DEVICE}/20{{p}}/reject"),
            Managers,
        )
        .json(json!({})),
        entry(get.clone(), "/api/v1/users", "/api/v1/users", AnyManager).shows(),
        entry(post.clone(), "/api/v1/users", "/api/v1/users", AnyManager).json(json!({
            "username": "nuevo.{p}", "display_name": "Nuevo", "role": "collector"
        })),
        entry(
            put.clone(),
            "/api/v1/users/{username}/password",
            "/api/v1/users/victima.{p}/password",
            Managers,
        )
        .json(json!({})),
        entry(
            post.clone(),
            "/api/v1/users/{username}/disable",
            "/api/v1/users/victima.{p}/disable",
            Managers,
        ),
    ]
}

/// What the entries refer to, and each principal's user (none for anonymous).
struct World {
    users: Vec<Option<Who>>,
    photo_sha: String,
    form_version: String,
    /// A form version of `acme` with the media file `tramos.csv`.
    media_form: String,
    stop: String,
}

/// Builds both organizations and the owner's data: an account with a stop on [`DAY`], a done
/// visit with a photo, a phone, a tracker, location captures to decide, and victims (north
/// collectors `victima.N` with a phone each) for the requests that consume their target.
// Long: the test world built step by step (orgs, teams, users, devices, data).
async fn world(app: &TestApp) -> World {
    let db = app.db();
    let tz = chrono_tz::America::Bogota;
    let acme = db.orgs().insert("acme", tz).await.expect("an org").id;
    let other = db.orgs().insert("other", tz).await.expect("an org").id;
    let mut users = vec![None];
    for (org, name, role, team) in [
        (acme, "gestor.marcado", Role::Collector, Some("north")),
        (acme, "a2", Role::Collector, Some("north")),
        (acme, "c1", Role::Collector, Some("south")),
        (acme, "sup.norte", Role::Supervisor, Some("north")),
        (acme, "sup.sur", Role::Supervisor, Some("south")),
        (acme, "boss", Role::Admin, None),
        (other, "intruso", Role::Admin, None),
        (other, "otro.sup", Role::Supervisor, Some("north")),
        (other, "otro.gestor", Role::Collector, Some("north")),
    ] {
        users.push(Some(user(db, org, name, role, team).await));
    }
    let owner = users[Owner.index()]
        .as_ref()
        .expect("the owner")
        .id
        .to_string();
    phone(app, DEVICE, &owner, "telefono-marcado").await;
    for p in 0..10 {
        let victim = user(
            db,
            acme,
            &format!("victima.{p}"),
            Role::Collector,
            Some("north"),
        )
        .await;
        let id = format!("00000000-0000-7000-8000-0000000f000{p}");
        phone(app, &id, &victim.id.to_string(), "phone").await;
    }
    let portfolio = "00000000-0000-7000-8000-00000000c001";
    exec(
        db,
        "insert into portfolios (id, org_id, name, currency) values ($1, $2, 'p', 'COP')",
        &[portfolio, &acme.to_string()],
    )
    .await;
    exec(
        db,
        "insert into accounts (id, portfolio_id, external_id, debtor_name, address, lat, lon,
             balance_minor, currency, days_past_due, collector_id, updated_ms)
         values ($1, $2, 'MK-1', 'Marcador Uno', 'Calle 1', 4.6, -74.1, 100000, 'COP', 40, $3,
             0)",
        &[ACCOUNT, portfolio, &owner],
    )
    .await;
    let route = "00000000-0000-7000-8000-00000000e001";
    let stop = "00000000-0000-7000-8000-00000000e002";
    exec(
        db,
        "insert into routes (id, collector_id, route_date) values ($1, $2, $3)",
        &[route, &owner, DAY],
    )
    .await;
    exec(
        db,
        "insert into stops (id, route_id, account_id, planned_date, position)
         values ($1, $2, $3, $4, 1)",
        &[stop, route, ACCOUNT, DAY],
    )
    .await;
    // 2026-11-24 10:00 in Bogotá.
    exec(
        db,
        "insert into visits (id, account_id, collector_id, stop_id, status, outcome, created_ms,
             completed_ms)
         values ($1, $2, $3, $4, 'done', null, 1795532400000, 1795532400000)",
        &[VISIT, ACCOUNT, &owner, stop],
    )
    .await;
    // Deciding a capture gives its debtor a location, which ends the debtor's other captures:
    // each principal decides captures of debtors of their own (`10N` approves, `20N` rejects).
    let verdict = r#"{"verdict":"location_capture","proposed":{"lat":4.62,"lon":-74.08},"accuracy_m":12.5,"fixes_used":5,"dwell_secs":90.0}"#;
    for p in 0..10 {
        for seq in [format!("10{p}"), format!("20{p}")] {
            let account = format!("00000000-0000-7000-8000-000000{seq}000");
            exec(
                db,
                "insert into accounts (id, portfolio_id, external_id, debtor_name, address,
                     balance_minor, currency, days_past_due, collector_id, updated_ms)
                 values ($1, $2, $3, 'Sin Ubicación', 'Calle 2', 1000, 'COP', 40, $4, 0)",
                &[&account, portfolio, &format!("MK-{seq}"), &owner],
            )
            .await;
            exec(
                db,
                "insert into checkins (device_id, seq, visit_id, account_id, at_ms,
                     device_verdict, server_verdict, device_allowed, server_allowed, flagged)
                 values ($1, cast($2 as integer), $3, $4, 1795532400000, $5, $5, true, true,
                     false)",
                &[DEVICE, &seq, VISIT, &account, verdict],
            )
            .await;
        }
    }
    let photo: &[u8] = b"FOTO-MARCADA";
    let photo_sha = hex_sha256(photo);
    let owner_token = &users[Owner.index()].as_ref().expect("the owner").token;
    let req = Request::builder()
        .method(Method::PUT)
        .uri(format!(
            "/api/v1/blobs/{photo_sha}?offset=0&total={}",
            photo.len()
        ))
        .header(header::AUTHORIZATION, format!("Bearer {owner_token}"))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(Body::from(photo))
        .expect("request");
    let r = app.send(req).await;
    assert!(r.status.is_success(), "uploading the photo: {}", r.text);
    exec(
        db,
        "insert into visit_attachments (visit_id, attachment_id, sha256, media_type, bytes,
             role, added_hlc, added_device, added_seq)
         values ($1, '00000000-0000-7000-8000-00000000f070', $2, 'image/jpeg', 12, 'photo', 1, $3, 1)",
        &[VISIT, &photo_sha, DEVICE],
    )
    .await;
    let username = "gestor.marcado".parse().expect("a username");
    db.trackers()
        .add(acme, &username, TRACKER, None)
        .await
        .expect("a tracker");
    let form_version = db
        .visits()
        .find_form(acme)
        .await
        .expect("the visit form")
        .expect("every organization has one")
        .to_string();
    let media_form = media_form(db, acme).await;
    settle(db).await;
    World {
        users,
        photo_sha,
        form_version,
        media_form,
        stop: stop.to_owned(),
    }
}

/// Stores a form version of `org` with one media file, `tramos.csv`; its id.
async fn media_form(db: &terreno_server::Db, org: terreno_shared::ids::OrgId) -> String {
    use terreno_server::forms::{self, media};
    let form = "type,name,label\nselect_one_from_file tramos.csv,tramo,Tramo\n";
    let read = forms::read(form.as_bytes(), Some("tarifas.csv")).expect("the form reads");
    let upload = media::MediaUpload {
        name: "tramos.csv".into(),
        bytes: b"name,label\nbajo,Bajo\n".to_vec(),
    };
    let (files, _) = media::check(&read.form, vec![upload]).expect("the file reads");
    let mut new = terreno_server::db::forms::NewForm::from_read(&read, None);
    new.media = &files;
    db.forms()
        .insert(org, &new, false)
        .await
        .expect("storing the form")
        .id
}

/// Enrolls phone `id` of `user`.
async fn phone(app: &TestApp, id: &str, user: &str, label: &str) {
    let key = DeviceKey::from_seed(&[7; 32]).expect("a key");
    let key = key.public_key().to_string();
    exec(
        app.db(),
        "insert into devices (id, user_id, public_key, label, enrolled_ms)
         values ($1, $2, $3, $4, 0)",
        &[id, user, &key, label],
    )
    .await;
}

fn hex_sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Sends `e` as principal `p`, with a token of its own (so a logout ends nothing else).
async fn send(app: &TestApp, w: &World, e: &Entry, p: Principal) -> Resp {
    let uri = e.uri.replace("{p}", &p.index().to_string());
    let mut req = Request::builder().method(e.method.clone()).uri(uri);
    if let Some(who) = &w.users[p.index()] {
        let token = terreno_server::auth::new_token().expect("a token");
        let hash = terreno_server::auth::token_hash(&token);
        app.db()
            .users()
            .insert_token(who.id, &hash, terreno_server::db::now_ms() + 3_600_000)
            .await
            .expect("a token");
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let index = p.index().to_string();
    let req = match &e.body {
        Bodied::None => req.body(Body::empty()),
        Bodied::Json(v) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string().replace("{p}", &index))),
        Bodied::Bytes(b) => req
            .header(header::CONTENT_TYPE, "image/jpeg")
            .body(Body::from(*b)),
        Bodied::File(text) => {
            let boundary = "terreno-permissions";
            let body = format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; \
                 filename=\"f.csv\"\r\ncontent-type: text/csv\r\n\r\n{text}\r\n--{boundary}--\r\n"
            );
            req.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
        }
    };
    app.send(req.expect("a request")).await
}

fn refused(status: StatusCode) -> bool {
    matches!(status.as_u16(), 401 | 403 | 404)
}

fn marked(text: &str) -> bool {
    MARKERS.iter().any(|m| text.contains(m))
}

/// What is wrong with `r`, the answer to `p` for `e` (`anonymous` the answer to anonymous).
fn verdict(e: &Entry, p: Principal, r: &Resp, anonymous: StatusCode) -> Option<String> {
    if r.status.is_server_error() {
        return Some(format!("{} (server error)", r.status));
    }
    if matches!(e.access, Access::Public) {
        return (r.status != anonymous)
            .then(|| format!("{} where anonymous gets {anonymous}", r.status));
    }
    if p == Anonymous {
        return (r.status != StatusCode::UNAUTHORIZED).then(|| format!("{} not 401", r.status));
    }
    if e.access.allows(p) {
        if refused(r.status) {
            return Some(format!("refused with {}", r.status));
        }
        if e.shows && e.access.marked(p) && !marked(&r.text) {
            return Some(format!("{}: the owner's data is missing", r.status));
        }
        return None;
    }
    if refused(r.status) {
        return None;
    }
    marked(&r.text).then(|| format!("{}: shows the owner's data", r.status))
}

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

both!(
    every_route_answers_each_principal_within_its_scope,
    |app: TestApp| async move {
        let w = world(&app).await;
        let entries = table(&w);
        let mut wrong: Vec<String> = Vec::new();
        for e in &entries {
            let anonymous = send(&app, &w, e, Anonymous).await.status;
            for p in Principal::ALL {
                let r = send(&app, &w, e, p).await;
                if let Some(why) = verdict(e, p, &r, anonymous) {
                    let body: String = r.text.chars().take(160).collect();
                    wrong.push(format!("{} {} as {p:?}: {why} — {body}", e.method, e.uri));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} wrong answers:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
);

both!(
    every_route_the_router_serves_has_an_entry_in_the_matrix,
    |app: TestApp| async move {
        let w = world(&app).await;
        let entries = table(&w);
        let paths = terreno_server::routes::paths();
        let mut missing: Vec<String> = Vec::new();
        for e in &entries {
            if !paths.contains(&e.template) {
                missing.push(format!(
                    "{} {}: no such route any more",
                    e.method, e.template
                ));
            }
        }
        for template in paths {
            let uri = entries
                .iter()
                .find(|e| e.template == template)
                .map(|e| e.uri.split('?').next().unwrap_or_default().to_owned())
                .unwrap_or_else(|| template.replace(['{', '}', '*'], ""));
            for method in METHODS {
                if entries
                    .iter()
                    .any(|e| e.template == template && e.method == method)
                {
                    continue;
                }
                let probe = entry(method.clone(), template, &uri, Access::Admin);
                let r = send(&app, &w, &probe, Admin).await;
                if !matches!(r.status.as_u16(), 404 | 405) {
                    missing.push(format!(
                        "{method} {template} answers {} but has no entry",
                        r.status
                    ));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }
);
