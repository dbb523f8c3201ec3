//! HTTP resources, one module each; each exports `router()` and an OpenAPI fragment that
//! [`openapi`] merges into the document served at `/api/v1/openapi.json`.

use axum::Router;
use axum::routing::MethodRouter;

use crate::state::AppState;

pub mod auth;
pub mod blobs;
pub mod devices;
pub mod exports;
pub mod form_media;
pub mod form_preview;
pub mod forms;
pub mod health;
pub mod imports;
pub mod live;
pub mod map;
pub mod openapi;
pub mod org;
pub mod osmand;
pub mod payment_imports;
pub mod pull;
pub mod push;
pub mod reads;
pub mod reports;
pub mod reviews;
pub mod route_admin;
pub mod ui;
pub mod users;
pub mod visit_form;
pub mod visits;

/// All routes, before state and middleware.
pub fn router() -> Router<AppState> {
    table().router
}

/// Every path the main listener's router serves (templates as registered, such as
/// `/api/v1/visits/{id}`), taken from the same builder as [`router`], so the permission test
/// walks every route there is; the dashboard's fallback is listed as [`FALLBACK`].
pub fn paths() -> Vec<&'static str> {
    table().paths
}

/// The name [`paths`] gives the dashboard's fallback, which answers every other path.
pub const FALLBACK: &str = "/{*fallback}";

fn table() -> Routes {
    Routes::new()
        .merge(blobs::router())
        .merge(forms::router())
        .merge(form_media::router())
        .merge(form_preview::router())
        .merge(visit_form::router())
        .merge(health::router())
        .merge(imports::router())
        .merge(payment_imports::router())
        .merge(auth::router())
        .merge(devices::router())
        .merge(exports::router())
        .merge(live::router())
        .merge(map::router())
        .merge(openapi::router())
        .merge(org::router())
        .merge(osmand::router())
        .merge(pull::router())
        .merge(reads::router())
        .merge(reports::router())
        .merge(route_admin::router())
        .merge(reviews::router())
        .merge(push::router())
        .merge(ui::router())
        .merge(users::router())
        .merge(visits::router())
}

/// A module's routes and the paths they answer: each module builds its routes through this,
/// so the list of paths cannot leave one out.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Routes {
    /// No routes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `path` answered by `methods` (see [`Router::route`]).
    pub fn route(mut self, path: &'static str, methods: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, methods);
        self.paths.push(path);
        self
    }

    /// Adds another module's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Answers every path no route matches with `router`'s fallback (listed as [`FALLBACK`]).
    pub fn fallback(mut self, router: Router<AppState>) -> Self {
        self.router = self.router.merge(router);
        self.paths.push(FALLBACK);
        self
    }

    /// The routes as a router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
