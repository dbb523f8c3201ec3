//! Test databases for the `db` module's own tests: a fresh SQLite file always, a fresh
//! PostgreSQL database when `DATABASE_URL` is set (made here, dropped by [`Fresh::drop_it`]).

use std::time::Duration;

use super::{Db, DbUrl};

/// A fresh database of one backend, removed on drop.
pub(crate) struct Fresh {
    pub(crate) db: Db,
    dir: Option<std::path::PathBuf>,
    pg: Option<(String, String)>,
}

impl Fresh {
    pub(crate) async fn sqlite(timeout: Duration) -> Fresh {
        let dir = std::env::temp_dir().join(format!("terreno-plans-{}", uuid::Uuid::now_v7()));
        let db = Db::connect_with(&DbUrl::Sqlite(dir.join("t.db")), timeout)
            .await
            .expect("a SQLite database");
        Fresh {
            db,
            dir: Some(dir),
            pg: None,
        }
    }

    pub(crate) async fn postgres(timeout: Duration) -> Option<Fresh> {
        let Ok(admin_url) = std::env::var("DATABASE_URL") else {
            eprintln!("skipped: PostgreSQL case (set DATABASE_URL to run it)");
            return None;
        };
        let name = format!("terreno_plans_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&admin)
            .await
            .expect("a test database");
        admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').expect("a database URL");
        let db = Db::connect_with(&DbUrl::Postgres(format!("{base}/{name}")), timeout)
            .await
            .expect("the test database");
        Some(Fresh {
            db,
            dir: None,
            pg: Some((admin_url, name)),
        })
    }

    pub(crate) async fn drop_it(self) {
        self.db.close().await;
        if let Some(dir) = self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin_url, name)) = self.pg {
            let admin = sqlx::PgPool::connect(&admin_url).await.expect("PostgreSQL");
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "drop database if exists {name} with (force)"
            )))
            .execute(&admin)
            .await;
        }
    }
}
