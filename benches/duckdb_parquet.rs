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
//! benchmark prints the wall time, the peak resident memory, the report's size and the machine's
//! load average before and after.
//!
//! `PRECEPT_BENCH_RECORDS` (default 10000000) sizes the file. Needs a build with DuckDB and GNU
//! time: `DUCKDB_LIB_DIR=DIR LD_LIBRARY_PATH=DIR cargo bench --features duckdb --bench
//! duckdb_parquet` (or `--features duckdb-bundled`). Not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const POLICY: &str = r#"
calendar london from "london.toml"

schema ticket {
  identified by id
  dated by opened_at
  staff by agent
  id: text
  agent: text
  opened_at: datetime
  answered_at: datetime?
  waited: duration
  urgent: boolean
  refund: money GBP?
  customer: { kind: enum { retail, business } }
}

code "House rules" {
  level organisational
  calendar london

  rule answered-in-two-business-days {
    title "Answered by the end of the second business day"
    for ticket where record.answered_at is present
    require record.answered_at <= record.opened_at + 2 business days
    message "{record.id} opened {record.opened_at}, answered {record.answered_at}, due {record.opened_at + 2 business days}"
  }

  rule urgent-waits {
    title "Urgent tickets wait under an hour"
    severity warning
    for ticket where record.urgent
    require record.waited < 1h
    message "{record.id} ({record.customer.kind}) waited {record.waited}"
  }

  rule refunds-are-small {
    title "Refunds under 500 GBP"
    for ticket where record.refund is present
    require record.refund < 500 GBP
    message "{record.id} refunded {record.refund}"
  }

  rule business-agents {
    title "Business customers are served by named agents"
    severity info
    for ticket where record.customer.kind == business
    require not (record.agent starts with "temp-")
    message "{record.id} was served by {record.agent}"
  }
}
"#;

const CALENDAR: &str = r#"
zone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
cutoff = "17:00"
holidays = [2024-03-29, 2024-04-01, 2024-05-06, 2024-08-26, 2024-12-25, 2024-12-26, 2025-01-01]
"#;

fn generate(path: &Path, n: u64) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let sql = format!(
        "SET TimeZone = 'UTC';
         COPY (
           SELECT 'T-' || i AS id,
                  CASE WHEN i % 97 = 0 THEN 'temp-' || (i % 13) ELSE 'agent-' || (i % 211) END AS agent,
                  TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 37) AS opened_at,
                  CASE WHEN i % 10 = 9 THEN NULL
                       ELSE TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 37 + CASE WHEN i % 50 = 0 THEN 400000 ELSE (i * 7919) % 90000 END)
                  END AS answered_at,
                  CAST(((i * 104729) % 4000) AS BIGINT) * 1000000 AS waited,
                  i % 7 = 0 AS urgent,
                  CASE WHEN i % 20 = 0 THEN CAST((i % 700) AS DECIMAL(38, 10)) + 0.5 ELSE NULL END AS refund,
                  CASE WHEN i % 3 = 0 THEN 'business' ELSE 'retail' END AS \"customer.kind\"
           FROM range({n}) AS t(i)
         ) TO '{}' (FORMAT parquet, ROW_GROUP_SIZE 122880);",
        path.display()
    );
    conn.execute_batch(&sql).unwrap();
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
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_precept"))
        .args(["check", "--no-config", "--quiet", "--policies"])
        .arg(dir.path().join("policies"))
        .args(["--engine", "duckdb", "--output"])
        .arg(format!("json={}", report.display()))
        .arg(&parquet)
        .output()
        .expect("GNU time at /usr/bin/time runs");
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
    println!("load average:   {before} before, {after} after");
    if out.status.code() == Some(2) {
        println!("{stderr}");
    }
}
