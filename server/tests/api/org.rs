//! `GET /api/v1/org/settings`: the rules a device enforces offline, and the tile server its stop
//! map draws (the server's configuration, the same as the dashboard map's).

use terreno_server::AppState;

use crate::both;
use crate::harness::TestApp;
use crate::push::helpers::World;

both!(
    a_device_gets_its_organizations_rules_and_the_configured_tile_server,
    |app: TestApp| async move {
        let world = World::new(&app).await;

        let r = app
            .get("/api/v1/org/settings", Some(&world.ana.token))
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["time_zone"], "America/Bogota");
        assert_eq!(
            r.body["map_tiles"]["url"],
            terreno_server::config::OSM_TILE_URL
        );
        assert_eq!(
            r.body["map_tiles"]["attribution"],
            terreno_server::config::OSM_ATTRIBUTION
        );
        let settings: terreno_shared::api::v1::org::OrgSettings =
            serde_json::from_value(r.body.clone()).expect("the device reads what it is sent");
        assert!(settings.map_tiles.is_some());
    }
);

both!(
    a_server_without_tiles_sends_no_tile_server,
    |app: TestApp| async move {
        let world = World::new(&app).await;
        let mut config = (*app.state.config).clone();
        config.set_tiles(Some(""), None);
        let app = TestApp {
            state: AppState::new(app.db().clone(), config),
            ..app
        };

        let r = app
            .get("/api/v1/org/settings", Some(&world.ana.token))
            .await;

        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["map_tiles"], serde_json::Value::Null, "{}", r.body);
    }
);
