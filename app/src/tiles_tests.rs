//! Tile cache tests against a real HTTP tile server on `127.0.0.1:0` (std's `TcpListener`,
//! one thread), on an enrolled in-memory store.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use terreno_shared::api::v1::org::{MapTiles, OrgSettings};
use terreno_shared::contact::{ContactPolicy, HolidayCalendar};

use super::{DEFAULT_BUDGET_BYTES, STALE_AFTER_MS, Tile, TileId, Tiles};
use crate::store::test_support::enrolled;
use crate::store::{Store, device, tile_cache};
use crate::{Core, CoreConfig, Error};

/// 1x1 PNG images (pale green, pale blue): 69 bytes each.
const GREEN: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da633871e7040004dc026d1d9b13660000000049454e44ae426082";
const BLUE: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da635875e2190004780259d707a3d30000000049454e44ae426082";
const T0: i64 = 1_795_000_000_000;
const DAY_MS: i64 = 24 * 3600 * 1000;

fn png(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// What the tile server saw: request path and User-Agent.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A tile server: `GET /{z}/{x}/{y}.png` answers `body` as `image/png`; anything else is 404.
struct TileServer {
    addr: SocketAddr,
    body: Arc<Mutex<Vec<u8>>>,
    seen: Seen,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TileServer {
    fn start(body: Vec<u8>) -> TileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let body = Arc::new(Mutex::new(body));
        let seen: Seen = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (b, s, halt) = (Arc::clone(&body), Arc::clone(&seen), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    answer(stream, &b, &s);
                }
            }
        });
        TileServer {
            addr,
            body,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn template(&self) -> String {
        format!("http://{}/{{z}}/{{x}}/{{y}}.png", self.addr)
    }

    fn requests(&self) -> Vec<(String, String)> {
        self.seen.lock().expect("seen").clone()
    }

    /// Closes the port: later requests are refused, like a phone without signal.
    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2));
        if let Some(t) = self.thread.take() {
            t.join().expect("the tile server thread");
        }
    }
}

impl Drop for TileServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn answer(mut stream: TcpStream, body: &Mutex<Vec<u8>>, seen: &Mutex<Vec<(String, String)>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().expect("a stream clone"));
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut agent = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("user-agent")
        {
            agent = value.trim().to_owned();
        }
    }
    seen.lock().expect("seen").push((path.clone(), agent));
    let body = body.lock().expect("body").clone();
    let (status, kind, body) = if path.ends_with(".png") {
        ("200 OK", "image/png", body)
    } else {
        ("404 Not Found", "text/plain", b"no such tile".to_vec())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// An enrolled store whose organization names `template` as its tile server (or none).
fn store_with_tiles(template: Option<String>) -> Mutex<Store> {
    let store = enrolled("collector");
    let settings = OrgSettings {
        time_zone: "America/Bogota".into(),
        geofence_policy: Default::default(),
        contact_policy: ContactPolicy::default_company(),
        holidays: HolidayCalendar::new(),
        map_tiles: template.map(|url| MapTiles {
            url,
            attribution: "© OpenStreetMap contributors".into(),
        }),
    };
    device::set_settings(&store.conn, &settings).expect("storing the settings");
    Mutex::new(store)
}

fn id(z: u32, x: u32, y: u32) -> TileId {
    TileId::parse(z, x, y).expect("a valid tile address")
}

fn get(tiles: &Tiles, store: &Mutex<Store>, at: TileId, now_ms: i64) -> Option<Tile> {
    tiles.get(store, at, now_ms).expect("no storage error")
}

fn cached_bytes(store: &Mutex<Store>) -> u64 {
    tile_cache::total_bytes(&store.lock().expect("store").conn).expect("measuring")
}

#[test]
fn the_first_request_fetches_and_stores_the_tile_and_offline_the_cache_serves_it() {
    let mut server = TileServer::start(png(GREEN));
    let store = store_with_tiles(Some(server.template()));
    let tiles = Tiles::new(DEFAULT_BUDGET_BYTES);

    let first = get(&tiles, &store, id(17, 37_566, 63_280), T0);
    server.stop();
    let offline = get(&tiles, &store, id(17, 37_566, 63_280), T0 + DAY_MS);

    let expected = Tile {
        bytes: png(GREEN),
        content_type: "image/png".into(),
    };
    assert_eq!(first.as_ref(), Some(&expected));
    assert_eq!(offline, Some(expected));
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "fetched once: {requests:?}");
    assert_eq!(requests[0].0, "/17/37566/63280.png");
    assert!(requests[0].1.starts_with("Terreno/"), "{requests:?}");
    assert_eq!(cached_bytes(&store), 69);
}

#[test]
fn a_tile_never_seen_is_none_while_offline() {
    let mut server = TileServer::start(png(GREEN));
    let store = store_with_tiles(Some(server.template()));
    let tiles = Tiles::new(DEFAULT_BUDGET_BYTES);
    server.stop();

    let tile = get(&tiles, &store, id(16, 18_783, 31_640), T0);

    assert_eq!(tile, None);
    assert_eq!(cached_bytes(&store), 0);
}

#[test]
fn no_tile_server_or_an_answer_that_is_not_an_image_gives_no_tile() {
    let server = TileServer::start(png(GREEN));
    let none = store_with_tiles(None);
    let not_found = store_with_tiles(Some(format!("http://{}/{{z}}/{{x}}/{{y}}", server.addr)));
    let tiles = Tiles::new(DEFAULT_BUDGET_BYTES);

    assert_eq!(get(&tiles, &none, id(3, 1, 2), T0), None);
    assert_eq!(get(&tiles, &not_found, id(3, 1, 2), T0), None);

    assert_eq!(server.requests().len(), 1, "only the 404 was asked for");
    assert_eq!(cached_bytes(&not_found), 0);
}

#[test]
fn the_byte_budget_evicts_the_least_recently_used_tiles() {
    let mut server = TileServer::start(png(GREEN));
    let store = store_with_tiles(Some(server.template()));
    let tiles = Tiles::new(3 * 69);
    for (i, x) in [1, 2, 3].into_iter().enumerate() {
        assert!(get(&tiles, &store, id(4, x, 5), T0 + i as i64).is_some());
    }
    // Showing tile 1 again makes tile 2 the least recently used.
    assert!(get(&tiles, &store, id(4, 1, 5), T0 + 10).is_some());

    assert!(get(&tiles, &store, id(4, 4, 5), T0 + 20).is_some());
    server.stop();

    assert_eq!(cached_bytes(&store), 3 * 69);
    let kept: Vec<u32> = (1..=4)
        .filter(|&x| get(&tiles, &store, id(4, x, 5), T0 + 30).is_some())
        .collect();
    assert_eq!(kept, [1, 3, 4]);
}

#[test]
fn a_stale_tile_is_refreshed_when_online_and_served_as_it_is_when_not() {
    let mut server = TileServer::start(png(GREEN));
    let store = store_with_tiles(Some(server.template()));
    let tiles = Tiles::new(DEFAULT_BUDGET_BYTES);
    let at = id(12, 1_174, 1_977);
    get(&tiles, &store, at, T0);
    *server.body.lock().expect("body") = png(BLUE);

    let fresh = get(&tiles, &store, at, T0 + DAY_MS).expect("cached");
    let refreshed = get(&tiles, &store, at, T0 + STALE_AFTER_MS + DAY_MS).expect("fetched");
    server.stop();
    let stale = get(&tiles, &store, at, T0 + 2 * STALE_AFTER_MS + 2 * DAY_MS).expect("stale");

    assert_eq!(fresh.bytes, png(GREEN), "a fresh tile is not fetched again");
    assert_eq!(refreshed.bytes, png(BLUE));
    assert_eq!(stale.bytes, png(BLUE));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn an_address_outside_the_tile_pyramid_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("terreno-tiles-{}", uuid::Uuid::now_v7()));
    let core = Core::open_in_memory(CoreConfig::new(&dir)).expect("a core");

    let deep = core.map_tile(23, 0, 0).expect_err("zoom 23");
    let outside = core.map_tile(2, 4, 0).expect_err("x = 4 at zoom 2");
    let unenrolled = core.map_tile(2, 3, 3).expect("a valid address");

    assert!(matches!(deep, Error::Invalid(_)), "{deep:?}");
    assert_eq!(
        deep.to_string(),
        "map tile zoom 23 is out of range: it must be 0 to 22"
    );
    assert_eq!(
        outside.to_string(),
        "map tile 2/4/0 does not exist: at zoom 2, x and y must be 0 to 3"
    );
    assert_eq!(unenrolled, None, "no organization, no tile server");
    let _ = std::fs::remove_dir_all(&dir);
}
