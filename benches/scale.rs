//! The scale benchmark: inputs that once took super-linear time, at ten times the sizes that did
//! (issue 10), run through the `precept` binary as users run it.
//!
//! Each case is generated into a temporary folder, run once, and timed with its exit status, its
//! report's size and the time per item. The cases and the sizes the issue measured (the base):
//! - `toml-records`: one TOML file of `[[record]]` tables, half of them with a finding (5,000);
//! - `chain-check`: `check --roles` with one escalation chain of roles, records referred up and
//!   down it (20,000);
//! - `chain-lint`: `lint` of one chain (100,000), every role but the top one unheld (a warning each);
//! - `waivers`: a waivers file, nearly all of it unused (a warning each) (20,000);
//! - `extends-chain`: codes each extending the one before, each overriding one inherited rule and
//!   adding its own (10,000);
//! - `human-report`: the human report of many rules, each broken by every one of 25 records (1,200).
//!
//! `PRECEPT_SCALE_FACTOR` (default 10) multiplies every base size; `PRECEPT_SCALE_CASES=toml-records,waivers`
//! runs only some. `cargo bench --bench scale`; not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const SCHEMA: &str = "schema ticket {
  identified by id
  dated by opened_at
  staff by handled_by
  id: text
  opened_at: datetime
  acknowledged_at: datetime
  handled_by: text
  to: text
}
";

fn rule(id: &str, hours: usize) -> String {
    format!(
        "  rule {id} {{\n    for ticket\n    require record.acknowledged_at <= record.opened_at + {hours}h\n    message \"ticket {{record.id}} was acknowledged {{record.acknowledged_at}}\"\n  }}\n"
    )
}

fn one_code(rules: &str) -> String {
    format!("{SCHEMA}code \"C\" {{\n  level industry\n{rules}}}\n")
}

fn jsonl(n: usize, late: bool, staff: impl Fn(usize) -> (String, String)) -> String {
    let ack = if late { "2024-03-03T09:00:00Z" } else { "2024-03-01T09:30:00Z" };
    let mut out = String::new();
    for i in 0..n {
        let (by, to) = staff(i);
        writeln!(out, r#"{{"id":"T-{i}","opened_at":"2024-03-01T09:00:00Z","acknowledged_at":"{ack}","handled_by":"{by}","to":"{to}"}}"#).unwrap();
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// One escalation chain of `n` roles, `r0` at the bottom; staff at the bottom, top and middle.
fn chain(dir: &Path, n: usize) {
    let mut t = String::from("[actions]\nrefund = { limit = \"money\", currency = \"GBP\" }\n\n");
    for i in 0..n {
        write!(t, "[[role]]\nid = \"r{i}\"\ntitle = \"Role {i}\"\n").unwrap();
        if i + 1 == n {
            t.push_str("top = true\n");
        } else {
            writeln!(t, "escalates_to = \"r{}\"", i + 1).unwrap();
        }
        writeln!(t, "[role.may]\nrefund = \"{}.00 GBP\"\n", i + 1).unwrap();
    }
    write(dir, "roles/roles.toml", &t);
    let mut s = String::new();
    for (k, r) in [(0, 0), (1, n - 1), (2, n / 2)] {
        write!(s, "[[staff]]\nid = \"s{k}\"\nname = \"Staff {k}\"\nemployed = {{ from = 2020-01-01 }}\nroles = [ {{ role = \"r{r}\", from = 2020-01-01 }} ]\n\n").unwrap();
    }
    write(dir, "roles/staff.toml", &s);
}

/// Generate case `name` of `n` items into `dir`; the arguments to run it with.
fn generate(name: &str, n: usize, dir: &Path) -> Vec<String> {
    let d = |p: &str| dir.join(p).display().to_string();
    let check = |extra: &[String]| {
        let mut args = vec!["check".to_string(), "--no-config".into(), "--policies".into(), d("policies")];
        args.extend_from_slice(extra);
        args.push(d("records"));
        args
    };
    match name {
        "toml-records" => {
            write(dir, "policies/p.precept", &one_code(&rule("ack", 24)));
            let mut t = String::new();
            for i in 0..n {
                let ack = if i % 2 == 0 { "2024-03-03T09:00:00Z" } else { "2024-03-01T10:00:00Z" };
                write!(t, "[[record]]\nid = \"T-{i}\"\nopened_at = 2024-03-01T09:00:00Z\nacknowledged_at = {ack}\nhandled_by = \"s0\"\nto = \"s1\"\n\n").unwrap();
            }
            write(dir, "records/tickets.toml", &t);
            check(&[])
        }
        "chain-check" => {
            chain(dir, n);
            let rules = "  rule referred-up {\n    for ticket\n    require outranks(record.to, record.handled_by, record.opened_at)\n    message \"ticket {record.id} referred sideways\"\n  }\n";
            write(dir, "policies/p.precept", &one_code(rules));
            let pairs = [("s0", "s1"), ("s1", "s0"), ("s0", "s2"), ("s2", "s0")];
            write(dir, "records/t.jsonl", &jsonl(20, false, |i| (pairs[i % 4].0.into(), pairs[i % 4].1.into())));
            check(&["--roles".into(), d("roles")])
        }
        "chain-lint" => {
            chain(dir, n);
            vec!["lint".into(), "--as-of".into(), "2026-01-01".into(), d("roles")]
        }
        "waivers" => {
            write(dir, "policies/p.precept", &one_code(&rule("ack", 24)));
            write(dir, "records/t.jsonl", &jsonl(100, true, |i| (format!("s{}", i % 50), "x".into())));
            let mut t = String::new();
            for i in 0..n {
                let record = if i < 50 { format!("T-{i}") } else { format!("GONE-{i}") };
                write!(t, "[[waiver]]\nrule = \"ack\"\nrecord = \"{record}\"\njustification = \"accepted {i}\"\napprover = \"Priya Sharma\"\nexpires = 2099-12-31\n\n").unwrap();
            }
            write(dir, "waivers.toml", &t);
            check(&["--waivers".into(), d("waivers.toml"), "--as-of".into(), "2026-01-01".into()])
        }
        "extends-chain" => {
            let mut t = String::from(SCHEMA);
            for i in 0..n {
                write!(t, "code \"C{i}\" {{\n  level industry\n").unwrap();
                if i > 0 {
                    writeln!(t, "  extends \"C{}\"", i - 1).unwrap();
                }
                // Each override is stricter than the rule it inherits.
                t.push_str(&rule("ack", (10 * n).saturating_sub(i).max(1)));
                t.push_str(&rule(&format!("own{i}"), 24));
                t.push_str("}\n\n");
            }
            write(dir, "policies/p.precept", &t);
            write(dir, "records/t.jsonl", &jsonl(10, false, |_| ("s0".into(), "x".into())));
            check(&[])
        }
        "human-report" => {
            let rules: String = (0..n).map(|i| rule(&format!("rule-{i}"), 24)).collect();
            write(dir, "policies/p.precept", &one_code(&rules));
            write(dir, "records/t.jsonl", &jsonl(25, true, |i| (format!("s{i}"), "x".into())));
            check(&[])
        }
        _ => panic!("no case {name}"),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let factor: usize = std::env::var("PRECEPT_SCALE_FACTOR").ok().and_then(|f| f.parse().ok()).unwrap_or(10);
    let only: Option<Vec<String>> =
        std::env::var("PRECEPT_SCALE_CASES").ok().map(|c| c.split(',').map(|s| s.trim().to_string()).collect());
    let cases: [(&str, usize, &str); 6] = [
        ("toml-records", 5_000, "records"),
        ("chain-check", 20_000, "roles"),
        ("chain-lint", 100_000, "roles"),
        ("waivers", 20_000, "waivers"),
        ("extends-chain", 10_000, "codes"),
        ("human-report", 1_200, "rules"),
    ];
    let exe = env!("CARGO_BIN_EXE_precept");
    println!(
        "{:<14} {:>9} {:>8} {:>5} {:>9} {:>12} {:>11}",
        "case", "items", "unit", "exit", "seconds", "µs per item", "report KiB"
    );
    for (name, base, unit) in cases {
        if only.as_ref().is_some_and(|o| !o.iter().any(|c| c == name)) {
            continue;
        }
        let n = base * factor;
        let dir = tempfile::tempdir().unwrap();
        let args = generate(name, n, dir.path());
        let report = std::fs::File::create(dir.path().join("report.txt")).unwrap();
        let errors = std::fs::File::create(dir.path().join("stderr.txt")).unwrap();
        let start = Instant::now();
        let status = Command::new(exe).args(&args).stdout(report).stderr(errors).status().unwrap();
        let seconds = start.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(dir.path().join("report.txt")).map_or(0, |m| m.len());
        // Findings (1), clean (0): anything else means the case did not run as meant.
        assert!(matches!(status.code(), Some(0 | 1)), "{name}: {status}");
        println!(
            "{:<14} {:>9} {:>8} {:>5} {:>9.3} {:>12.2} {:>11.0}",
            name,
            n,
            unit,
            status.code().unwrap_or(-1),
            seconds,
            seconds * 1e6 / n as f64,
            bytes as f64 / 1024.0
        );
    }
}
