//! Arrange helpers of the push tests: an organization with two collectors, each with an
//! account, and phones that write signed device logs and seal them into push batches.
//! Completions name the organization's visit form (the shipped one) and answer it validly.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use terreno_server::db::users::NewUser;
use terreno_server::{Db, on_read_pool, on_write};
use terreno_shared::api::v1::auth::UserInfo;
use terreno_shared::ids::{AccountId, DeviceId, FormId, OrgId, VisitId};
use terreno_shared::model::Role;
use terreno_shared::sync::{DeviceKey, Draft, Event, EventKind, Hlc, LogHead, PushBatch};
use uuid::Uuid;

use crate::harness::{Resp, TestApp};

pub const PUSH: &str = "/api/v1/sync/push";

/// Where the debtors live (Bogotá); fixes "at the door" are here.
pub const HOME: (f64, f64) = (4.6076527, -74.1218349);

/// A phone: its key and its log of events, sealed into batches on demand.
pub struct Phone {
    pub id: DeviceId,
    pub key: DeviceKey,
    pub log: LogHead,
    pub events: Vec<Event>,
}

impl Phone {
    pub fn new(seed: u8) -> Phone {
        let id = DeviceId::from_uuid(Uuid::now_v7());
        Phone {
            id,
            key: DeviceKey::from_seed(&[seed; 32]).expect("a valid seed"),
            log: LogHead::new(id),
            events: Vec::new(),
        }
    }

    /// Appends an event stamped now.
    pub fn add(&mut self, d: Draft) -> Event {
        self.add_at(d, Utc::now().timestamp_millis())
    }

    /// Appends an event stamped at wall time `ms`.
    pub fn add_at(&mut self, d: Draft, ms: i64) -> Event {
        let e = self.log.append(d, ms).expect("a valid draft");
        self.events.push(e.clone());
        e
    }

    /// The signed batch of events `range` (seqs from 1), as JSON.
    pub fn batch(&self, range: RangeInclusive<u64>) -> Value {
        self.batch_signed(range, &self.key)
    }

    pub fn batch_signed(&self, range: RangeInclusive<u64>, key: &DeviceKey) -> Value {
        let events = &self.events[(*range.start() - 1) as usize..*range.end() as usize];
        serde_json::to_value(PushBatch::seal(events, key).expect("contiguous events"))
            .expect("json")
    }
}

/// A logged-in user with one enrolled phone.
pub struct Person {
    pub user: UserInfo,
    pub token: String,
    pub phone: Phone,
}

/// The shipped visit form's version string.
pub const VISIT_FORM_VERSION: &str = "2026120601";

/// Each account's balance in major units, as the visit form's `balance` holds it (100000
/// minor units of COP, which has two decimal digits).
pub const BALANCE: &str = "1000";

/// An organization with two collectors, each assigned one account at [`HOME`].
pub struct World {
    pub org: OrgId,
    /// The organization's visit form (the shipped one).
    pub form: FormId,
    pub ana: Person,
    pub ana_account: AccountId,
    pub bob: Person,
    pub bob_account: AccountId,
}

impl World {
    pub async fn new(app: &TestApp) -> World {
        let db = app.db();
        let org = db
            .orgs()
            .insert("test", chrono_tz::America::Bogota)
            .await
            .expect("org")
            .id;
        let ana = person(db, org, "ana", 1).await;
        let bob = person(db, org, "bob", 2).await;
        let portfolio = Uuid::now_v7().to_string();
        on_write!(db, |pool| {
            sqlx::query(
                "insert into portfolios (id, org_id, name, currency) values ($1, $2, 'p', 'COP')",
            )
            .bind(&portfolio)
            .bind(org.to_string())
            .execute(pool)
            .await
            .expect("portfolio");
        });
        let ana_account = account(db, &portfolio, &ana.user).await;
        let bob_account = account(db, &portfolio, &bob.user).await;
        let form = db
            .visits()
            .find_form(org)
            .await
            .expect("visit form")
            .expect("every organization has a visit form");
        World {
            org,
            form,
            ana,
            ana_account,
            bob,
            bob_account,
        }
    }
}

/// A collector with a token and an enrolled phone.
pub async fn person(db: &Db, org: OrgId, name: &str, seed: u8) -> Person {
    let new = NewUser {
        username: name,
        role: Role::Collector,
        team: None,
        display_name: None,
    };
    let user = db.users().insert(org, &new).await.expect("user");
    let token = terreno_server::auth::new_token().expect("token");
    let expires = Utc::now().timestamp_millis() + 3_600_000;
    db.users()
        .insert_token(user.id, &terreno_server::auth::token_hash(&token), expires)
        .await
        .expect("token stored");
    let phone = Phone::new(seed);
    enroll(db, &user, &phone).await;
    Person { user, token, phone }
}

pub async fn enroll(db: &Db, user: &UserInfo, phone: &Phone) {
    db.devices()
        .enroll(user.id, phone.id, phone.key.public_key(), "phone")
        .await
        .expect("enrolled");
}

async fn account(db: &Db, portfolio: &str, collector: &UserInfo) -> AccountId {
    let id = AccountId::from_uuid(Uuid::now_v7());
    on_write!(db, |pool| {
        sqlx::query(
            "insert into accounts (id, portfolio_id, external_id, debtor_name, address, lat, lon,
                balance_minor, currency, days_past_due, collector_id, updated_ms)
             values ($1, $2, $3, 'Debtor', 'Calle 1', $4, $5, 100000, 'COP', 40, $6, 0)",
        )
        .bind(id.to_string())
        .bind(portfolio)
        .bind(id.to_string())
        .bind(HOME.0)
        .bind(HOME.1)
        .bind(collector.id.to_string())
        .execute(pool)
        .await
        .expect("account");
    });
    id
}

/// A fix `secs_ago` seconds before `at`, `north_m` metres north of [`HOME`].
pub fn fix_json(at: DateTime<Utc>, secs_ago: i64, north_m: f64) -> Value {
    json!({
        "t": (at - Duration::seconds(secs_ago)).to_rfc3339(),
        "lat": HOME.0 + north_m / 111_320.0,
        "lon": HOME.1,
        "accuracy_m": 5.0,
        "battery": 0.8,
        "charging": false,
    })
}

pub fn fix(at: DateTime<Utc>, secs_ago: i64) -> Draft {
    Draft::new(EventKind::Fix, 1, fix_json(at, secs_ago, 0.0))
}

/// A check-in the device allowed, with evidence `north_m` metres from the account.
pub fn check_in(visit: VisitId, account: AccountId, at: DateTime<Utc>, north_m: f64) -> Draft {
    let evidence: Vec<Value> = [30, 20, 10]
        .iter()
        .map(|s| fix_json(at, *s, north_m))
        .collect();
    let payload = json!({
        "account": account,
        "at": at.to_rfc3339(),
        "evidence": evidence,
        "device_verdict": {"verdict": "allowed", "distance_m": 3.0, "accuracy_m": 5.0,
            "fixes_used": 3, "dwell_secs": 20.0},
    });
    Draft::new(EventKind::CheckIn, 1, payload).entity(*visit.as_uuid())
}

/// A completion with `outcome`, filled in with `form` (the shipped visit form) validly.
pub fn submit(form: FormId, visit: VisitId, account: AccountId, outcome: &str) -> Draft {
    submit_answers(form, visit, account, outcome, answers_for(outcome))
}

/// A completion with `outcome` and exactly `answers`, naming version `form` of the visit form.
pub fn submit_answers(
    form: FormId,
    visit: VisitId,
    account: AccountId,
    outcome: &str,
    answers: Value,
) -> Draft {
    let payload = json!({
        "account": account,
        "outcome": outcome,
        "completed_at": Utc::now().to_rfc3339(),
        "form": {"id": form, "version": VISIT_FORM_VERSION},
        "answers": answers,
    });
    Draft::new(EventKind::VisitSubmitted, 1, payload).entity(*visit.as_uuid())
}

/// Answers of the shipped visit form that complete it for `outcome`.
pub fn answers_for(outcome: &str) -> Value {
    match outcome {
        "nobody_home" | "wrong_address" => json!({
            "balance": BALANCE,
            "contact_result": outcome,
            "photo": {"attachment_id": Uuid::now_v7(), "role": "photo"},
        }),
        "refused" => json!({"balance": BALANCE, "contact_result": "refused"}),
        "third_party" => json!({
            "balance": BALANCE,
            "contact_result": "third_party",
            "person_contacted": "Luis",
            "relationship": "sibling",
        }),
        _ => json!({
            "balance": BALANCE,
            "contact_result": "debtor",
            "person_contacted": "Debtor",
            "non_payment_reason": "no_funds",
        }),
    }
}

pub fn status(visit: VisitId, status: &str, epoch: u32) -> Draft {
    Draft::new(
        EventKind::StatusSet,
        1,
        json!({"status": status, "epoch": epoch}),
    )
    .entity(*visit.as_uuid())
}

pub fn field(visit: VisitId, name: &str, value: &str, base: Option<Hlc>) -> Draft {
    Draft::new(EventKind::FieldSet, 1, json!({"value": value}))
        .entity(*visit.as_uuid())
        .field(name)
        .base(base)
}

/// A new visit checked in at the door and submitted with `outcome` (filled in with `form`),
/// added to `who`'s log; the visit and the seqs of the two events.
pub fn complete_visit(
    who: &mut Person,
    form: FormId,
    account: AccountId,
    outcome: &str,
) -> (VisitId, RangeInclusive<u64>) {
    let visit = new_visit();
    let first = who.phone.events.len() as u64 + 1;
    who.phone.add(check_in(visit, account, Utc::now(), 0.0));
    who.phone.add(submit(form, visit, account, outcome));
    (visit, first..=first + 1)
}

pub fn new_visit() -> VisitId {
    VisitId::from_uuid(Uuid::now_v7())
}

pub async fn push(app: &TestApp, who: &Person, batch: &Value) -> Resp {
    app.post(PUSH, Some(&who.token), batch).await
}

/// Rows of a table (fixed names only).
pub async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("select cast(count(*) as bigint) from {table}");
    on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(pool)
            .await
            .expect("count")
    })
}

/// One text column of a query with one `$1` parameter.
pub async fn text(app: &TestApp, sql: &str, arg: &str) -> Option<String> {
    let sql = sql.to_owned();
    on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(arg)
            .fetch_optional(pool)
            .await
            .expect("query")
    })
}

/// Everything a push can write, to show a refused one changed nothing.
pub async fn stored(app: &TestApp) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in [
        "events",
        "batch_signatures",
        "visits",
        "checkins",
        "fixes",
        "field_values",
        "changes",
    ] {
        out.push((t.to_owned(), count(app, t).await));
    }
    let heads: i64 = on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar(
            "select cast(coalesce(sum(head_seq + max_seen), 0) as bigint) from devices",
        )
        .fetch_one(pool)
        .await
        .expect("heads")
    });
    out.push(("device heads".to_owned(), heads));
    out
}
