//! `precept check --engine duckdb` over one large Parquet file (issue 18: 10,000,000 records under
//! 1 GiB of peak memory), run through the `precept` binary as users run it.
//!
//! The file is generated once with DuckDB's `COPY` from generated rows into
//! `target/bench-data/tickets-N.parquet` (delete it to regenerate): tickets opened every 37 seconds
//! from 2024 on, in the table mapping of docs/warehouse.md (UTC `TIMESTAMP`s, durations in
//! microseconds, a dotted `customer.kind` column), about 2% answered late, a few urgent ones
//! waiting too long, some refunds too large. The policy (four rules: business days in a London
//! calendar with a cut-off, a duration, money, an enumeration) is written into a temporary folder.
//! The check runs under `/usr/bin/time -v`, its JSON report written to a file in that folder; the
//! benchmark prints the wall time, the peak resident memory, the report's size, the most the run's
//! temporary folder held (DuckDB spills there) and the machine's load average before and after.
//!
//! `PRECEPT_BENCH_RECORDS` (default 10000000) sizes the file. Needs a build with DuckDB and GNU
//! time: `DUCKDB_LIB_DIR=DIR LD_LIBRARY_PATH=DIR cargo bench --features duckdb --bench
//! duckdb_parquet` (or `--features duckdb-bundled`). Not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The policy, its calendar and the records' `SELECT` (`{records}` rows), shared with
/// `tests/check_duckdb.rs`, which checks the same records against the native engine.
const POLICY: &str = include_str!("tickets/house.precept");
const CALENDAR: &str = include_str!("tickets/london.toml");
const TICKETS: &str = include_str!("tickets/tickets.sql");

fn generate(path: &Path, n: u64) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let sql = format!(
        "SET TimeZone = 'UTC'; COPY ({}) TO '{}' (FORMAT parquet, ROW_GROUP_SIZE 122880);",
        TICKETS.replace("{records}", &n.to_string()),
        path.display()
    );
    conn.execute_batch(&sql).unwrap();
}

/// The bytes of the files under `dir`.
fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => size_of(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    // `cargo test` runs bench targets without `--bench`: return at once.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: u64 = std::env::var("PRECEPT_BENCH_RECORDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000_000);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&data).unwrap();
    let parquet = data.join(format!("tickets-{n}.parquet"));
    if !parquet.exists() {
        let t = Instant::now();
        let part = data.join(format!("tickets-{n}.parquet.part"));
        generate(&part, n);
        std::fs::rename(&part, &parquet).unwrap();
        println!("generated {} ({n} records) in {:.1}s", parquet.display(), t.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(&parquet).unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/house.precept"), POLICY).unwrap();
    std::fs::write(dir.path().join("policies/london.toml"), CALENDAR).unwrap();
    let report = dir.path().join("report.json");
    let before = load();
    let t = Instant::now();
    // The run's temporary folders (DuckDB spills to one) in a folder of the benchmark's own,
    // whose size is sampled while the check runs.
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_precept"))
        .args(["check", "--no-config", "--quiet", "--policies"])
        .arg(dir.path().join("policies"))
        .args(["--engine", "duckdb", "--output"])
        .arg(format!("json={}", report.display()))
        .arg(&parquet)
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("GNU time at /usr/bin/time runs");
    let mut temp_peak = 0u64;
    while child.try_wait().unwrap().is_none() {
        temp_peak = temp_peak.max(size_of(&tmp));
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let out = child.wait_with_output().unwrap();
    let wall = t.elapsed().as_secs_f64();
    let after = load();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| {
        stderr.lines().find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string())).unwrap_or_default()
    };
    let rss_kib: u64 = field("Maximum resident set size (kbytes):").parse().unwrap_or(0);
    let findings = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["findings"].as_array().map(Vec::len))
        .unwrap_or(0);
    println!("records:        {n} ({:.0} MiB of Parquet)", size as f64 / 1048576.0);
    println!("exit status:    {:?}", out.status.code());
    println!(
        "wall time:      {wall:.1}s (user {}s, system {}s)",
        field("User time (seconds):"),
        field("System time (seconds):")
    );
    println!("peak RSS:       {:.0} MiB (target: under 1024 MiB)", rss_kib as f64 / 1024.0);
    println!(
        "findings:       {findings} ({} MiB of JSON report)",
        std::fs::metadata(&report).map_or(0, |m| m.len()) / 1048576
    );
    println!("temporary use:  {:.0} MiB at most (sampled every 250 ms)", temp_peak as f64 / 1048576.0);
    println!("load average:   {before} before, {after} after");
    if out.status.code() == Some(2) {
        println!("{stderr}");
    }
}
