//! The demo data set and the portfolio load beneath it: exact balances, idempotence, the feed
//! changes a reassignment records, and all-or-nothing loads.

use chrono::NaiveDate;
use terreno_server::db::demo::{DEMO_PASSWORD, DEMO_PORTFOLIO, demo_rows};
use terreno_server::db::orgs::Org;
use terreno_server::db::portfolio::AccountRow;
use terreno_server::on_read_pool;
use terreno_shared::model::{Currency, DaysPastDue, ExternalId, Money, Username};

use crate::both;
use crate::harness::TestApp;

async fn org(app: &TestApp) -> Org {
    app.db()
        .orgs()
        .resolve(None, "demo", chrono_tz::America::Bogota)
        .await
        .expect("the organization")
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    let sql = format!("select cast(count(*) as bigint) from {table}");
    on_read_pool!(app.db(), |pool| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .expect("counting")
    })
}

/// The feed as `(collector username, entity_type, op, external id or stop id)` rows, in order.
async fn feed(app: &TestApp) -> Vec<(Option<String>, String, String, String)> {
    on_read_pool!(app.db(), |pool| {
        sqlx::query_as(
            "select u.username, c.entity_type, c.op, c.entity_id from changes c
             left join users u on u.id = c.collector_id order by c.pos",
        )
        .fetch_all(pool)
        .await
        .expect("reading the feed")
    })
}

/// Accounts as `(external_id, id, version, balance_minor, collector username)`, by code.
async fn accounts(app: &TestApp) -> Vec<(String, String, i64, i64, Option<String>)> {
    on_read_pool!(app.db(), |pool| {
        sqlx::query_as(
            "select a.external_id, a.id, cast(a.version as bigint), cast(a.balance_minor as bigint),
                    u.username
             from accounts a left join users u on u.id = a.collector_id order by a.external_id",
        )
        .fetch_all(pool)
        .await
        .expect("reading accounts")
    })
}

/// Loads one account `T-1` for `collector` and answers its id (for tests that need one).
pub async fn one_account_of(app: &TestApp, collector: &str) -> String {
    let org = org(app).await;
    let portfolio = app
        .db()
        .portfolio()
        .ensure(org.id, "Pruebas", Currency::COP)
        .await
        .expect("a portfolio");
    let row = AccountRow {
        external_id: ExternalId::parse("T-1").unwrap(),
        national_id: None,
        debtor_name: "Ana Pérez".into(),
        address: "Calle 1 # 2-3".into(),
        neighbourhood: None,
        location: None,
        phones: vec![],
        balance: Money::from_decimal_str("1000.50", Currency::COP).unwrap(),
        days_past_due: DaysPastDue::parse(10).unwrap(),
        contact_window: None,
        collector: Some(Username::parse(collector).unwrap()),
        visit_date: NaiveDate::from_ymd_opt(2026, 11, 24),
    };
    app.db()
        .portfolio()
        .load_accounts(&portfolio, &[row])
        .await
        .expect("loading an account");
    accounts(app)
        .await
        .into_iter()
        .find(|a| a.0 == "T-1")
        .expect("the account")
        .1
}

both!(
    the_demo_load_creates_five_users_and_twenty_exact_accounts_on_four_routes,
    |app: TestApp| async move {
        let org = org(&app).await;

        let summary = app
            .db()
            .portfolio()
            .load_demo(org.id)
            .await
            .expect("the demo load");

        assert_eq!(summary.users_created, 5);
        assert_eq!(summary.accounts.accounts_created, 20);
        assert_eq!(count(&app, "users").await, 5);
        assert_eq!(count(&app, "accounts").await, 20);
        assert_eq!(count(&app, "routes").await, 4);
        assert_eq!(count(&app, "stops").await, 20);
        assert_eq!(
            count(&app, "changes").await,
            2 + 40,
            "the organization's visit form (its version and the choice), then an account and a \
             stop each"
        );
        let all = accounts(&app).await;
        assert_eq!(all[0].0, "CL-100000");
        assert_eq!(all[0].3, 188_590_728, "1885907.28 COP in centavos, exact");
        assert_eq!(all[0].4.as_deref(), Some("gestor.ramirez"));
        let (name, window, doc): (String, Option<String>, String) =
            on_read_pool!(app.db(), |pool| {
                sqlx::query_as(
                    "select a.debtor_name, a.contact_window, p.doc_number
                 from accounts a join persons p on p.id = a.person_id
                 where a.external_id = 'CL-100000'",
                )
                .fetch_one(pool)
                .await
                .unwrap()
            });
        assert_eq!(name, "José González Vargas");
        assert_eq!(
            (window.as_deref(), doc.as_str()),
            (Some("08:00-12:00"), "212142728")
        );
        let route: Vec<(String, String, String)> = on_read_pool!(app.db(), |pool| {
            sqlx::query_as(
                "select a.external_id, s.planned_date, r.route_date from stops s
                 join routes r on r.id = s.route_id join users u on u.id = r.collector_id
                 join accounts a on a.id = s.account_id
                 where u.username = 'gestor.ramirez' order by s.position",
            )
            .fetch_all(pool)
            .await
            .unwrap()
        });
        let order: Vec<&str> = route.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            order,
            [
                "CL-100000",
                "CL-100004",
                "CL-100008",
                "CL-100012",
                "CL-100016"
            ]
        );
        assert_eq!(
            (route[1].1.as_str(), route[1].2.as_str()),
            ("2026-11-25", "2026-11-24")
        );
        let ramirez = app
            .db()
            .users()
            .find_login(&Username::parse("gestor.ramirez").unwrap())
            .await
            .unwrap()
            .expect("gestor.ramirez");
        let ok = terreno_server::auth::verify_password(DEMO_PASSWORD.into(), ramirez.password_hash)
            .await
            .unwrap();
        assert!(ok, "the demo password works");
    }
);

both!(
    loading_the_demo_twice_leaves_the_same_rows_and_records_no_new_changes,
    |app: TestApp| async move {
        let org = org(&app).await;
        app.db()
            .portfolio()
            .load_demo(org.id)
            .await
            .expect("the first load");
        let (accounts_before, feed_before) = (accounts(&app).await, feed(&app).await);
        let users_before = app.db().users().list(org.id).await.unwrap();

        let second = app
            .db()
            .portfolio()
            .load_demo(org.id)
            .await
            .expect("the second load");

        assert_eq!(second.users_created, 0);
        assert_eq!(second.accounts.accounts_unchanged, 20);
        assert_eq!(
            second.accounts.stops_created + second.accounts.stops_updated,
            0
        );
        assert_eq!(accounts(&app).await, accounts_before);
        assert_eq!(feed(&app).await, feed_before);
        assert_eq!(app.db().users().list(org.id).await.unwrap(), users_before);
        assert_eq!(count(&app, "stops").await, 20);
        assert_eq!(
            count(&app, "feed_txns").await,
            2,
            "the organization's creation, then one transaction for the whole load"
        );
    }
);

both!(
    reassigning_an_account_removes_it_and_its_stop_from_the_old_collector,
    |app: TestApp| async move {
        let org = org(&app).await;
        app.db()
            .portfolio()
            .load_demo(org.id)
            .await
            .expect("the demo load");
        let portfolio = app
            .db()
            .portfolio()
            .ensure(org.id, DEMO_PORTFOLIO, Currency::COP)
            .await
            .unwrap();
        let mut row = demo_rows().unwrap().remove(0);
        row.collector = Some(Username::parse("gestor.ospina").unwrap());
        let before = feed(&app).await.len();
        let id = accounts(&app).await[0].1.clone();

        let summary = app
            .db()
            .portfolio()
            .load_accounts(&portfolio, &[row])
            .await
            .unwrap();

        assert_eq!((summary.accounts_updated, summary.stops_removed), (1, 1));
        let new: Vec<_> = feed(&app).await.split_off(before);
        let ops: Vec<_> = new
            .iter()
            .map(|(who, kind, op, _)| (who.as_deref().unwrap_or("-"), kind.as_str(), op.as_str()))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("gestor.ramirez", "account", "remove"),
                ("gestor.ospina", "account", "upsert"),
                ("gestor.ramirez", "stop", "remove"),
                ("gestor.ospina", "stop", "upsert"),
            ],
            "{new:?}"
        );
        assert!(new[..2].iter().all(|c| c.3 == id));
        let moved = &accounts(&app).await[0];
        assert_eq!((moved.2, moved.4.as_deref()), (2, Some("gestor.ospina")));
        assert_eq!(count(&app, "stops").await, 20);
    }
);

both!(
    a_load_naming_an_unknown_collector_fails_whole_and_writes_nothing,
    |app: TestApp| async move {
        let org = org(&app).await;
        app.db()
            .portfolio()
            .load_demo(org.id)
            .await
            .expect("the demo load");
        let portfolio = app
            .db()
            .portfolio()
            .ensure(org.id, DEMO_PORTFOLIO, Currency::COP)
            .await
            .unwrap();
        let mut rows = demo_rows().unwrap();
        rows[0].balance = Money::from_decimal_str("1.00", Currency::COP).unwrap();
        rows[5].collector = Some(Username::parse("gestor.nadie").unwrap());
        let (accounts_before, feed_before) = (accounts(&app).await, feed(&app).await);

        let err = app
            .db()
            .portfolio()
            .load_accounts(&portfolio, &rows)
            .await
            .unwrap_err();

        let text = format!("{err:#}");
        assert!(
            text.contains("row 6") && text.contains("gestor.nadie"),
            "{text}"
        );
        assert_eq!(
            accounts(&app).await,
            accounts_before,
            "row 1's change was rolled back"
        );
        assert_eq!(feed(&app).await, feed_before);
    }
);
