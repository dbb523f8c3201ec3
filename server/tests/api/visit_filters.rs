//! The visits list's team and delinquency-bucket filters.

use crate::both;
use crate::harness::TestApp;
use crate::reads::world;

/// The ids of the visits a filtered list shows.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/visits?{query}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    r.body["visits"]
        .as_array()
        .expect("visits")
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect()
}

both!(
    visits_are_filtered_by_the_owners_team_and_the_accounts_bucket,
    |app: TestApp| async move {
        let w = world(&app).await;
        let visit = "00000000-0000-7000-8000-0000000000b1";

        let in_team = listed(&app, &w.admin.token, "team=A").await;
        let other_team = listed(&app, &w.admin.token, "team=B").await;
        let in_bucket = listed(&app, &w.admin.token, "bucket=d181_360").await;
        let other_bucket = listed(&app, &w.admin.token, "bucket=d361_plus&team=").await;

        assert_eq!(in_team, [visit]);
        assert_eq!(other_team, Vec::<String>::new());
        assert_eq!(in_bucket, [visit]);
        assert_eq!(other_bucket, Vec::<String>::new());
        let r = app
            .get("/api/v1/visits?bucket=late", Some(&w.admin.token))
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(r.body["message"].as_str().unwrap().contains("d0_30"));
    }
);
