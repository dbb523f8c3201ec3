//! Route import of a generated file, end to end: the real `terreno-server import-routes`
//! process on a fresh SQLite database, its wall time and peak RSS (VmHWM from /proc, polled),
//! beside the raw parse speed of the same file in this process (the ceiling: reading and
//! validating rows without the database).
//!
//! `cargo bench -p terreno-server --bench import` (1,000,000 rows); `-- --rows N` for another
//! size. The file is `;`-separated with Spanish headers and decimal-comma numbers, 200
//! collectors, a tenth of the rows without a location and 1% repeating an earlier id; it is
//! written once under the target directory and reused.
//!
//! Goals (issue 4): ≥ 100,000 rows/s end to end, peak RSS ≤ 150 MB.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use terreno_server::import::{self, ImportOptions};
use terreno_shared::model::Currency;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .map_or(1_000_000, |n| n.parse().expect("--rows N"));
    let dir = bench_dir();
    let file = dir.join(format!("route_{rows}.csv"));
    if !file.exists() {
        let started = Instant::now();
        generate(&file, rows);
        eprintln!(
            "generated {} ({} MB) in {:.1?}",
            file.display(),
            std::fs::metadata(&file).expect("file").len() / 1_000_000,
            started.elapsed()
        );
    }
    let size_mb = std::fs::metadata(&file).expect("file").len() as f64 / 1e6;

    let (parsed, parse_time) = parse(&file);
    assert_eq!(parsed, rows, "every generated row is good");
    let parse_rate = rows as f64 / parse_time.as_secs_f64();

    let db = dir.join("import.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let first = run_import(&db, &file);
    let again = run_import(&db, &file);

    let mut out = String::new();
    let _ = writeln!(out, "file: {rows} rows, {size_mb:.0} MB");
    let _ = writeln!(
        out,
        "raw parse (ceiling):      {:>9.0} rows/s  ({:.2?})",
        parse_rate, parse_time
    );
    for (name, run) in [
        ("import, new database:", &first),
        ("re-import, unchanged:", &again),
    ] {
        let _ = writeln!(
            out,
            "{name:<25} {:>9.0} rows/s  ({:.2?}), peak RSS {:.0} MB, {:.0}% of parse",
            rows as f64 / run.time.as_secs_f64(),
            run.time,
            run.peak_kb as f64 / 1024.0,
            100.0 * (rows as f64 / run.time.as_secs_f64()) / parse_rate
        );
    }
    print!("{out}");
}

/// Where generated files and the database go: under the target directory.
fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    let dir = target.join("bench-import");
    std::fs::create_dir_all(&dir).expect("creating the bench directory");
    dir
}

/// Writes `rows` data rows (deterministic: a linear congruential generator).
fn generate(path: &Path, rows: u64) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("creating the file"));
    writeln!(
        out,
        "Código;Nombre;Cédula;Dirección;Barrio;Latitud;Longitud;Celular;Saldo;Días mora;\
         Gestor asignado;Fecha visita"
    )
    .expect("writing");
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    let names = ["José", "María", "Óscar", "Lucía", "Andrés", "Sofía", "Iván"];
    let surnames = ["González", "Núñez", "Peña", "Díaz", "Zuluaga", "Agudelo"];
    let barrios = ["Fontibón", "Chapinero", "Engativá", "Suba", "Usaquén"];
    for i in 0..rows {
        // 1% of rows repeat an earlier id (the last row wins).
        let id = if i > 100 && next() % 100 == 0 {
            next() % i
        } else {
            i
        };
        let r = next();
        let name = format!(
            "{} {} {}",
            names[(r % 7) as usize],
            surnames[(r / 7 % 6) as usize],
            surnames[(r / 42 % 6) as usize]
        );
        let cedula = 10_000_000 + next() % 89_999_999;
        let (lat, lon) = if next() % 10 == 0 {
            (String::new(), String::new())
        } else {
            (
                format!("4,{:06}", 550_000 + next() % 200_000),
                format!("-74,{:06}", 50_000 + next() % 100_000),
            )
        };
        let balance = format!("{},{:02}", thousands(next() % 50_000_000), next() % 100);
        writeln!(
            out,
            "CL-{id:07};{name};{cedula};Calle {} # {}-{};{};{lat};{lon};3{:09};{balance};{};\
             gestor.b{:03};2026-12-{:02}",
            next() % 200,
            next() % 100,
            next() % 100,
            barrios[(next() % 5) as usize],
            next() % 1_000_000_000,
            next() % 400,
            id % 200,
            1 + next() % 5,
        )
        .expect("writing");
    }
    out.flush().expect("writing");
}

/// `1234567` as `1.234.567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// Reads and validates every row; the count of good rows and the time.
fn parse(file: &Path) -> (u64, Duration) {
    let started = Instant::now();
    let reader = import::open_path(file, &ImportOptions::new(Currency::COP)).expect("opening");
    let mut good = 0;
    for row in reader {
        match row {
            Ok(_) => good += 1,
            Err(e) => panic!("generated row refused: {e}"),
        }
    }
    (good, started.elapsed())
}

struct Run {
    time: Duration,
    peak_kb: u64,
}

/// Runs the import process, polling its peak RSS.
fn run_import(db: &Path, file: &Path) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_terreno-server"))
        .arg("--db")
        .arg(db)
        .args(["import-routes", "--date", "2026-12-01", "--json"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting terreno-server");
    // Read the summary beside the polling, so a long one cannot fill the pipe and stall.
    let mut stdout = child.stdout.take().expect("stdout");
    let summary = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            peak_kb = peak_kb.max(vm_hwm_kb(&text));
        }
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let time = started.elapsed();
    let stdout = summary
        .join()
        .expect("the reader thread")
        .expect("reading the summary");
    assert!(status.success(), "import failed: {stdout}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).expect("a JSON summary");
    eprintln!(
        "summary: read {}, created {}, updated {}, unchanged {}, rejected {}",
        summary["rows_read"],
        summary["debtors_created"],
        summary["debtors_updated"],
        summary["debtors_unchanged"],
        summary["rows_rejected_count"]
    );
    Run { time, peak_kb }
}

/// `VmHWM` (peak resident set) of a /proc status file, in kB.
fn vm_hwm_kb(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
