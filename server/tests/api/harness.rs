//! Test harness: a fresh database per test on each backend (a SQLite file in a temporary
//! directory always; a uniquely named PostgreSQL database when `DATABASE_URL` is set, dropped
//! afterwards), the real router, and typed request helpers.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use terreno_server::db::DbUrl;
use terreno_server::{AppState, Config, Db};
use tower::ServiceExt;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh database on the server of `DATABASE_URL`.
    Postgres,
}

/// Declares one async test per backend: `both!(name, |app| async move { ... })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::harness::TestApp::new($crate::harness::Backend::Sqlite)
                    .await
                    .expect("sqlite is always available");
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) =
                    $crate::harness::TestApp::new($crate::harness::Backend::Postgres).await
                else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

/// A database made for one test and removed after it.
pub struct TestDb {
    pub db: Db,
    pub url: DbUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh, migrated database; `None` (after a skip line) for PostgreSQL without
    /// `DATABASE_URL`.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir =
                    std::env::temp_dir().join(format!("terreno-test-{}", uuid::Uuid::now_v7()));
                std::fs::create_dir_all(&dir).expect("creating a temporary directory");
                let url = DbUrl::Sqlite(dir.join("t.db"));
                let db = Db::connect(&url)
                    .await
                    .expect("opening a temporary SQLite database");
                Some(TestDb {
                    db,
                    url,
                    cleanup: Cleanup::Dir(dir),
                })
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var("DATABASE_URL") else {
                    eprintln!("skipped: PostgreSQL case (set DATABASE_URL to run it)");
                    return None;
                };
                let name = format!("terreno_test_{}", uuid::Uuid::now_v7().simple());
                let admin = sqlx::PgPool::connect(&admin_url)
                    .await
                    .expect("connecting to DATABASE_URL");
                sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                    .execute(&admin)
                    .await
                    .expect("creating a test database");
                admin.close().await;
                let url = DbUrl::postgres_database(&admin_url, &name);
                let db = Db::connect(&url).await.expect("opening the test database");
                Some(TestDb {
                    db,
                    url,
                    cleanup: Cleanup::PgDatabase { admin_url, name },
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                let (admin_url, name, db) = (admin_url.clone(), name.clone(), self.db.clone());
                // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(rt) = rt {
                        rt.block_on(async move {
                            db.close().await;
                            if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                    "drop database if exists {name} with (force)"
                                )))
                                .execute(&admin)
                                .await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

/// The router over a fresh database.
pub struct TestApp {
    pub state: AppState,
    pub backend: Backend,
    pub test_db: Arc<TestDb>,
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

impl TestApp {
    pub async fn new(backend: Backend) -> Option<TestApp> {
        let test_db = TestDb::new(backend).await?;
        let mut config = Config::new(test_db.url.clone(), "127.0.0.1:0".parse().expect("addr"));
        if let DbUrl::Sqlite(p) = &test_db.url {
            config.blob_dir = p.with_extension("blobs");
        } else {
            config.blob_dir =
                std::env::temp_dir().join(format!("terreno-blobs-{}", uuid::Uuid::now_v7()));
        }
        let state = AppState::new(test_db.db.clone(), config);
        Some(TestApp {
            state,
            backend,
            test_db: Arc::new(test_db),
        })
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Sends a request through the real router.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = terreno_server::router(self.state.clone())
            .oneshot(req)
            .await
            .expect("the router never fails");
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("reading the body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, body, text }
    }

    /// A JSON request with an optional bearer token.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(serde_json::to_vec(b).expect("json"))),
            None => req.body(Body::empty()),
        };
        self.send(req.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.call(Method::POST, path, token, Some(body)).await
    }
}
