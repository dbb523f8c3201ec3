//! `terreno-server demo` as a user runs it: the real binary, started from a directory holding
//! nothing but its database, serves the demo data and lets a demo collector log in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the server when the test ends, passed or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A minimal HTTP/1.1 exchange over loopback: status code and body.
fn http(addr: &str, method: &str, path: &str, json: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connecting to the demo server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let body = json.unwrap_or("");
    let content_type = if json.is_some() {
        "Content-Type: application/json\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{content_type}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("sending a request");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("reading the answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
// Long: a scenario test read top to bottom.
fn the_demo_command_serves_the_demo_data_and_a_collector_logs_in() {
    let dir = std::env::temp_dir().join(format!("terreno-demo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let child = Command::new(env!("CARGO_BIN_EXE_terreno-server"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("TERRENO_DB")
        .env_remove("TERRENO_LISTEN")
        .env_remove("TERRENO_ORG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting terreno-server demo");
    let mut server = Server(child);
    let stdout = server.0.stdout.take().expect("the server's stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no URL printed; stdout so far: {printed:?}"));
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_owned();
        }
        printed.push(line);
    };
    // The credentials follow the URL line: the user list header and the five users.
    for _ in 0..6 {
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
            printed.push(line);
        }
    }
    let addr = url.trim_start_matches("http://").trim_end_matches('/');

    let health = http(addr, "GET", "/healthz", None);
    let login = http(
        addr,
        "POST",
        "/api/v1/auth/login",
        Some(r#"{"username":"gestor.ramirez","password":"terreno-demo"}"#),
    );

    assert!(!addr.ends_with(":0"), "the real port is printed: {url}");
    assert_eq!(health, (200, "ok".to_owned()));
    assert_eq!(login.0, 200, "{}", login.1);
    assert!(login.1.contains("\"token\""), "{}", login.1);
    let credentials = printed.join("\n");
    for user in [
        "supervisor",
        "gestor.ramirez",
        "gestor.ospina",
        "gestor.beltran",
        "gestor.nunez",
    ] {
        assert!(
            credentials.contains(user),
            "{user} is listed: {credentials}"
        );
    }
    assert!(credentials.contains("terreno-demo"), "{credentials}");
    assert!(
        dir.join("terreno-demo.db").exists(),
        "the default database is in the current directory"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
