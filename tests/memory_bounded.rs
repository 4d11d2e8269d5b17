//! A check's memory stays flat however many records it reads, on several threads too: the
//! records of a batch handed on are freed while later batches are read, never all kept to the end.
//!
//! 100,000 generated records of the benchmark's heavy mix (half of them breaking a rule, 92 MB of
//! JSON Lines) are checked on 2 threads by the `precept` binary in a process of its own, whose
//! peak resident memory `wait4` reports. Kept whole, their values alone would take several
//! hundred MiB; a check that frees each batch takes a few dozen (64 MiB for a million records in
//! `cargo bench --bench check`). A change that made the worker pool starve the jobs freeing them
//! (they waited behind the next chunks' parsing until the end) took 1.4 GiB there.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

#[path = "../benches/support/generate.rs"]
mod generate;
#[path = "../benches/support/reap.rs"]
mod reap;

use std::process::{Command, Stdio};

/// Records generated; their values, kept, would pass [`LIMIT_MIB`] several times over.
const RECORDS: usize = 100_000;
/// The most the check may hold at once: it takes 42 to 44 MiB in a debug build; the change
/// described above took 165 to 183 MiB here.
const LIMIT_MIB: f64 = 80.0;

#[test]
fn many_records_on_two_threads_take_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("heavy.jsonl");
    generate::generate(RECORDS, &records, false, generate::Mix::Heavy);
    let root = env!("CARGO_MANIFEST_DIR");
    let child = Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(["check", "--no-config", "--roles", "fixtures/org", "--policies", "policies"])
        .args(["--policies", "benches/policy", "--threads", "2", "--quiet", "--output"])
        .arg(format!("json={}", dir.path().join("report.json").display()))
        .arg(&records)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (status, usage) = reap::reap(child);
    // Findings fail the run: status 1.
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1, "status {status:#x}");
    let report = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(report.contains("\"records\": 100018"), "every record (and the role files') checked");
    // `ru_maxrss` is in KiB on Linux.
    let peak_mib = usage.ru_maxrss as f64 / 1024.0;
    assert!(peak_mib < LIMIT_MIB, "peak {peak_mib:.1} MiB for {RECORDS} records, over {LIMIT_MIB} MiB");
    eprintln!("peak {peak_mib:.1} MiB for {RECORDS} records on 2 threads");
}
