//! The server side of the harness.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use terreno_server::db::DbUrl;
use terreno_server::db::import::Setup;
use terreno_server::db::users::NewUser;
use terreno_server::import::ImportOptions;
use terreno_server::{AppState, Config, Db};
use terreno_shared::ids::OrgId;
use terreno_shared::model::Role;
use terreno_shared::model::money::Currency;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

use crate::TempDir;

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A fresh database on the server of `DATABASE_URL`.
    Postgres,
}

/// The password every seeded user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A running (or stopped) server.
pub struct TestServer {
    /// The runtime the server and the test's database calls run on.
    pub rt: Runtime,
    /// Its database (the same pool the server uses).
    pub db: Db,
    url: DbUrl,
    addr: SocketAddr,
    dir: TempDir,
    running: Option<(
        oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    )>,
    pg: Option<(String, String)>,
}

/// What [`TestServer::seed`] created.
pub struct Seeded {
    /// The organization.
    pub org: OrgId,
    /// Login of the supervisor of the collectors' team.
    pub supervisor: String,
}

impl TestServer {
    /// Starts a server over a fresh database; `None` (after a skip line) for PostgreSQL without
    /// `DATABASE_URL`.
    pub fn spawn(backend: Backend) -> Option<TestServer> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let dir = TempDir::new("server");
        let (url, pg) = match backend {
            Backend::Sqlite => (DbUrl::Sqlite(dir.0.join("server.db")), None),
            Backend::Postgres => {
                let Ok(admin) = std::env::var("DATABASE_URL") else {
                    eprintln!("skipped: PostgreSQL case (set DATABASE_URL to run it)");
                    return None;
                };
                let name = format!("terreno_e2e_{}", uuid::Uuid::now_v7().simple());
                rt.block_on(async {
                    let pool = sqlx::PgPool::connect(&admin)
                        .await
                        .expect("connecting to DATABASE_URL");
                    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
                        .execute(&pool)
                        .await
                        .expect("creating a test database");
                    pool.close().await;
                });
                (DbUrl::postgres_database(&admin, &name), Some((admin, name)))
            }
        };
        let db = rt
            .block_on(Db::connect(&url))
            .expect("opening the test database");
        let mut server = TestServer {
            rt,
            db,
            url,
            addr: "127.0.0.1:0".parse().expect("addr"),
            dir,
            running: None,
            pg,
        };
        server.start();
        Some(server)
    }

    /// The base URL devices talk to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts serving (again, on the same port once it was bound).
    pub fn start(&mut self) {
        assert!(self.running.is_none(), "the server is already running");
        let mut config = Config::new(self.url.clone(), self.addr);
        config.blob_dir = self.dir.0.join("blobs");
        // Tests never reach for OpenStreetMap: the devices' maps stay plain.
        config.tile_url = None;
        let state = AppState::new(self.db.clone(), config);
        let listener = self
            .rt
            .block_on(tokio::net::TcpListener::bind(self.addr))
            .expect("binding the server port");
        self.addr = listener.local_addr().expect("the bound address");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = self
            .rt
            .spawn(terreno_server::serve(listener, state, async move {
                let _ = rx.await;
            }));
        self.running = Some((tx, handle));
    }

    /// Stops serving (the database stays); requests fail as unreachable until [`Self::start`].
    pub fn stop(&mut self) {
        if let Some((tx, handle)) = self.running.take() {
            let _ = tx.send(());
            let _ = self.rt.block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(10), handle).await
            });
        }
    }

    /// The SQLite file, for a copy/restore test.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.url {
            DbUrl::Sqlite(p) => Some(p),
            DbUrl::Postgres(_) => None,
        }
    }

    /// Backs the database up (SQLite only) with `VACUUM INTO`, as an operator would: a
    /// consistent copy taken while the server runs.
    pub fn backup_sqlite(&self, dest: &Path) {
        let path: PathBuf = self.sqlite_path().expect("a SQLite server").to_owned();
        self.rt.block_on(async {
            let pool = sqlx::SqlitePool::connect_with(
                sqlx::sqlite::SqliteConnectOptions::new().filename(&path),
            )
            .await
            .expect("opening the server's database");
            sqlx::query("vacuum into $1")
                .bind(dest.to_str().expect("a UTF-8 path"))
                .execute(&pool)
                .await
                .expect("backing up");
            pool.close().await;
        });
    }

    /// Replaces the database with `replacement` (SQLite only): stop, swap the file, reopen.
    pub fn restore_sqlite(&mut self, replacement: &Path) {
        // The server must not be writing while its file is swapped.
        self.stop();
        let path: PathBuf = self.sqlite_path().expect("a SQLite server").to_owned();
        self.rt.block_on(self.db.close());
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(path.with_extension(ext));
        }
        std::fs::copy(replacement, &path).expect("restoring the database file");
        self.db = self
            .rt
            .block_on(Db::connect(&self.url))
            .expect("reopening the database");
        self.start();
    }

    /// An organization (`America/Bogota`), a supervisor, and the collectors and routes of the
    /// CSV `route_file` (imported as that supervisor's admin would), all with [`PASSWORD`].
    pub fn seed(&self, route_file: &Path, route_date: chrono::NaiveDate) -> Seeded {
        self.rt.block_on(async {
            let org = self
                .db
                .orgs()
                .insert("Cobranzas Andinas", chrono_tz::America::Bogota)
                .await
                .expect("an organization");
            let sup = NewUser {
                username: "sup.garcia",
                display_name: Some("Laura García"),
                role: Role::Supervisor,
                team: None,
            };
            self.db
                .users()
                .insert(org.id, &sup)
                .await
                .expect("a supervisor");
            let reader =
                terreno_server::import::open_path(route_file, &ImportOptions::new(Currency::COP))
                    .expect("opening the route file");
            let setup = Setup {
                org: org.id,
                portfolio: "Cartera Bogotá",
                date: route_date,
                as_of: route_date,
                team: None,
                only_team: None,
                all_or_nothing: true,
                close_missing: false,
            };
            let summary = self
                .db
                .imports()
                .run(reader, &setup, &())
                .await
                .expect("importing the routes");
            assert!(summary.written, "the route file imports: {summary:?}");
            let hash = terreno_server::auth::hash_password(PASSWORD.to_owned())
                .await
                .expect("hashing");
            for u in self.db.users().list(org.id).await.expect("users") {
                self.db
                    .users()
                    .set_password_hash(org.id, &u.username, &hash)
                    .await
                    .expect("setting a password");
            }
            Seeded {
                org: org.id,
                supervisor: "sup.garcia".into(),
            }
        })
    }

    /// Revokes a device as an administrator of `org` would.
    pub fn revoke(&self, org: OrgId, device: &str) {
        let id = device.parse().expect("a device id");
        let done = self
            .rt
            .block_on(
                self.db
                    .devices()
                    .revoke(terreno_server::db::devices::DeviceScope::Org(org), id),
            )
            .expect("revoking");
        assert!(done.is_some(), "device {device} exists");
    }

    /// Lets collectors of `org` visit at any hour, for tests that must run on the real clock.
    pub fn allow_contact_any_time(&self, org: OrgId) {
        let policy = serde_json::to_string(&terreno_shared::contact::ContactPolicy::unrestricted())
            .expect("a policy");
        self.rt.block_on(async {
            let sql = "update orgs set contact_policy = $1 where id = $2";
            match &self.url {
                DbUrl::Sqlite(p) => {
                    let pool = sqlx::SqlitePool::connect_with(
                        sqlx::sqlite::SqliteConnectOptions::new().filename(p),
                    )
                    .await
                    .expect("opening");
                    sqlx::query(sql)
                        .bind(&policy)
                        .bind(org.to_string())
                        .execute(&pool)
                        .await
                        .expect("setting the policy");
                    pool.close().await;
                }
                DbUrl::Postgres(u) => {
                    let pool = sqlx::PgPool::connect(u).await.expect("connecting");
                    sqlx::query(sql)
                        .bind(&policy)
                        .bind(org.to_string())
                        .execute(&pool)
                        .await
                        .expect("setting the policy");
                    pool.close().await;
                }
            }
        });
    }

    /// Runs a query (one `$1` text parameter) on the server's database through a connection of
    /// its own; each row's columns cast to text by the query itself.
    pub fn query(&self, sql: &str, bind: &str) -> Vec<Vec<Option<String>>> {
        use sqlx::Row;
        self.rt.block_on(async {
            let rows: Vec<Vec<Option<String>>> = match &self.url {
                DbUrl::Sqlite(p) => {
                    let opts = sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(p)
                        .read_only(true);
                    let pool = sqlx::SqlitePool::connect_with(opts)
                        .await
                        .expect("opening the server's SQLite file");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                        .bind(bind)
                        .fetch_all(&pool)
                        .await
                        .expect("a test query");
                    let out = rows
                        .iter()
                        .map(|r| {
                            (0..r.len())
                                .map(|i| r.get::<Option<String>, _>(i))
                                .collect()
                        })
                        .collect();
                    pool.close().await;
                    out
                }
                DbUrl::Postgres(u) => {
                    let pool = sqlx::PgPool::connect(u)
                        .await
                        .expect("connecting to the server's database");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                        .bind(bind)
                        .fetch_all(&pool)
                        .await
                        .expect("a test query");
                    let out = rows
                        .iter()
                        .map(|r| {
                            (0..r.len())
                                .map(|i| r.get::<Option<String>, _>(i))
                                .collect()
                        })
                        .collect();
                    pool.close().await;
                    out
                }
            };
            rows
        })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
        self.rt.block_on(self.db.close());
        if let Some((admin, name)) = self.pg.take() {
            self.rt.block_on(async {
                if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "drop database if exists {name} with (force)"
                    )))
                    .execute(&pool)
                    .await;
                }
            });
        }
    }
}
