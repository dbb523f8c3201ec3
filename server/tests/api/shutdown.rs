//! Shutdown under load (issue 16): with a live feed open and a request still running, the
//! server stops within its grace instead of waiting for them; the live feed is told why.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use terreno_server::db::users::NewUser;
use terreno_shared::model::Role;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;

use crate::both;
use crate::harness::TestApp;

async fn admin_token(app: &TestApp) -> String {
    let db = app.db();
    let org = db
        .orgs()
        .insert("test", chrono_tz::America::Bogota)
        .await
        .expect("an org")
        .id;
    let new = NewUser {
        username: "admin",
        role: Role::Admin,
        team: None,
        display_name: None,
    };
    let user = db.users().insert(org, &new).await.expect("a user");
    let token = terreno_server::auth::new_token().expect("a token");
    let expires = chrono::Utc::now().timestamp_millis() + 3_600_000;
    db.users()
        .insert_token(user.id, &terreno_server::auth::token_hash(&token), expires)
        .await
        .expect("a token");
    token
}

both!(
    shutdown_ends_live_feeds_and_stops_within_the_grace_while_a_request_runs,
    |app: TestApp| async move {
        let token = admin_token(&app).await;
        let mut state = app.state.clone();
        let mut config = (*state.config).clone();
        config.shutdown_grace = Duration::from_secs(1);
        state.config = std::sync::Arc::new(config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(terreno_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        // A live feed, past its first frame.
        let (mut live, _) =
            tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/live?token={token}"))
                .await
                .expect("a live feed");
        let first = tokio::time::timeout(Duration::from_secs(5), live.next()).await;
        assert!(matches!(first, Ok(Some(Ok(Message::Text(_))))), "{first:?}");
        // A request that will not finish: its body never arrives in full.
        let mut slow = tokio::net::TcpStream::connect(addr)
            .await
            .expect("a connection");
        slow.write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 1000\r\n\r\n{\"username\":",
        )
        .await
        .expect("a partial request");
        tokio::time::sleep(Duration::from_millis(100)).await;

        let started = Instant::now();
        stop.send(()).expect("the server listens for shutdown");
        let served = tokio::time::timeout(Duration::from_secs(10), server).await;
        let took = started.elapsed();

        assert!(served.is_ok(), "the server did not stop within 10 s");
        assert!(took < Duration::from_secs(3), "stopping took {took:?}");
        let mut closed = None;
        while let Ok(Some(Ok(msg))) =
            tokio::time::timeout(Duration::from_secs(2), live.next()).await
        {
            if let Message::Close(frame) = msg {
                closed = frame.map(|f| u16::from(f.code));
                break;
            }
        }
        assert_eq!(
            closed,
            Some(1001),
            "the live feed was told the server is going away"
        );
    }
);
