//! The throughput benchmark: `precept check` against a parse-only pass over the same file.
//!
//! `cargo bench` generates seeded, realistic service records (JSON Lines and CSV) for the bundled
//! schema, then times, in separate child processes so that peak memory is each phase's own:
//! - `parse`: serde_json parses every line into a `serde_json::Value` (CSV: the csv crate reads every
//!   row), the floor no checker can beat;
//! - `check`: the full check with the bundled policies plus `benches/policy/` (about 30 rules, among
//!   them the bundled rules over groups and cases);
//! - `groups`: the bundled policies plus the rules over groups in `benches/groups/` (one group per
//!   customer, per advisor and day, per team and week, and a presence rule per team).
//!
//! Sizes default to 100,000 and 1,000,000 records; set `PRECEPT_BENCH_SIZES=10000,50000` to change.
//! Not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

// The same allocator as the `precept` binary, so the check phase measures what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KINDS: [&str; 7] = ["enquiry", "complaint", "refund_request", "order", "callback", "appointment", "delivery"];
const CHANNELS: [&str; 5] = ["phone", "email", "web_chat", "store", "self_service"];
/// Customer advisors of the bundled organisation (fixtures/org) throughout 2024, so the scope rules
/// look up real roles; their team leaders approve and take referrals.
const ADVISORS: [&str; 5] = ["amara.okafor", "ellie.murphy", "chloe.davies", "dev.patel", "ben.hughes"];
const ACTIONS: [&str; 6] = ["refund", "replacement", "alternative", "shortfall_report", "apology", "goodwill"];
const TEAMS: [&str; 12] = [
    "Returns",
    "Home Delivery",
    "Click and Collect",
    "Store Services",
    "Online Orders",
    "Repairs",
    "Installations",
    "Business Accounts",
    "Credit",
    "Loyalty",
    "Web Chat",
    "Telephone",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        let phase = args.get(i + 1).expect("phase name");
        let file = PathBuf::from(args.get(i + 2).expect("file"));
        child(phase, &file);
        return;
    }
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("PRECEPT_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "{:>9} {:>6} {:>7} {:>9} {:>12} {:>9} {:>10} {:>7}",
        "records", "format", "phase", "seconds", "records/s", "MB/s", "peak MiB", "ratio"
    );
    for &n in &sizes {
        for format in ["jsonl", "csv"] {
            let file = dir.join(format!("records-{n}.{format}"));
            if !file.exists() {
                generate(n, &file, format == "csv");
            }
            let bytes = std::fs::metadata(&file).unwrap().len() as f64;
            let parse = run_child("parse", &file);
            let check = run_child("check", &file);
            let groups = run_child("groups", &file);
            for (name, r) in [("parse", &parse), ("check", &check), ("groups", &groups)] {
                let ratio = r.seconds / parse.seconds;
                println!(
                    "{:>9} {:>6} {:>7} {:>9.3} {:>12.0} {:>9.1} {:>10.1} {:>7.2}",
                    n,
                    format,
                    name,
                    r.seconds,
                    n as f64 / r.seconds,
                    bytes / r.seconds / 1e6,
                    r.peak_kib as f64 / 1024.0,
                    ratio
                );
            }
            println!("{:>9} {:>6} findings: check {}, groups {}", n, format, check.findings, groups.findings);
        }
    }
}

struct Measured {
    seconds: f64,
    peak_kib: u64,
    findings: usize,
}

fn run_child(phase: &str, file: &Path) -> Measured {
    let exe = std::env::current_exe().unwrap();
    let out =
        Command::new(exe).args(["--phase", phase]).arg(file).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let seconds: f64 = parts.next().unwrap().parse().unwrap();
    let peak_kib: u64 = parts.next().unwrap().parse().unwrap();
    let findings: usize = parts.next().unwrap().parse().unwrap();
    Measured { seconds, peak_kib, findings }
}

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn child(phase: &str, file: &Path) {
    let start = Instant::now();
    let findings = match phase {
        "parse" if file.extension().is_some_and(|e| e == "csv") => {
            let mut r = csv::Reader::from_path(file).unwrap();
            let mut rec = csv::StringRecord::new();
            let mut n = 0usize;
            while r.read_record(&mut rec).unwrap() {
                n += rec.len();
            }
            std::hint::black_box(n);
            0
        }
        "parse" => {
            let reader = BufReader::new(std::fs::File::open(file).unwrap());
            let mut n = 0usize;
            for line in reader.lines() {
                let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
                n += v.as_object().map_or(0, |o| o.len());
            }
            std::hint::black_box(n);
            0
        }
        _ => {
            let roots = match phase {
                "groups" => vec![PathBuf::from("policies"), PathBuf::from("benches/groups")],
                _ => vec![PathBuf::from("policies"), PathBuf::from("benches/policy")],
            };
            let (program, diags) = precept::workspace::load_policies(&roots);
            assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
            let program = program.unwrap();
            let (org, _, role_diags) = precept::workspace::load_org(&[PathBuf::from("fixtures/org")]);
            assert!(role_diags.is_empty(), "{role_diags:?}");
            let directory = precept::roles::authority::Directory::new(&org);
            // Findings are formatted and located as the CLI's JSON report would, then dropped.
            let mut json = precept::report::json::Stream::default();
            let mut bytes = 0usize;
            let outcome = precept::pipeline::check_paths_with(
                &program,
                Some(&directory),
                &[file.to_path_buf()],
                &precept::pipeline::Select::default(),
                &mut |f| {
                    bytes += json.finding(&f).len();
                },
            );
            assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics.first());
            std::hint::black_box(bytes);
            outcome.findings()
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    println!("{seconds} {} {findings}", peak_kib());
}

/// Seeded records: mostly compliant, with a realistic sprinkling of late, missing and wrong values.
fn generate(n: usize, path: &Path, csv: bool) {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut w = BufWriter::new(std::fs::File::create(path).unwrap());
    if csv {
        writeln!(w, "Ticket ID,Type,Channel,Customer Type,Customer ID,Department,Agent,Team,Status,Opened,Acknowledged,First Response,Promised For,Delivered,Resolved,Closed,Needs,Needs Confirmed,Outcome,Escalated,Ombudsman Ref,In Stock").unwrap();
    }
    // 2024-01-01T00:00:00Z
    let base: i64 = 1_704_067_200;
    let mut line = String::with_capacity(1024);
    for i in 0..n {
        line.clear();
        let kind = KINDS[rng.usize(..KINDS.len())];
        let channel = CHANNELS[rng.usize(..CHANNELS.len())];
        let internal = rng.u8(..10) == 0;
        let opened = base + rng.i64(0..360 * 86_400);
        let ts = |t: i64| jiff::Timestamp::from_second(t).unwrap().to_string();
        let late = rng.u8(..20) == 0;
        let ack = opened + rng.i64(60..(if late { 5 } else { 1 }) * 86_400);
        // About one record in fifty is late somewhere; the rest keep to every limit.
        let slow = rng.u8(..50) == 0;
        let first = opened + if slow { rng.i64(300..90_000) } else { rng.i64(30..280) };
        let promised = opened + 86_400;
        let delivered = promised - if slow { rng.i64(-3600..0) } else { rng.i64(0..3600) };
        let resolved = opened + rng.i64(3600..50 * 86_400);
        let closed = rng.bool();
        let confirmed = resolved - rng.i64(-60..3600);
        // The helpdesk CSV export has no actions, so a CSV record cannot show a refund or an
        // alternative offered: keep those cases to the JSON Lines file.
        let in_stock = csv || rng.u8(..10) != 0;
        let action = ACTIONS[rng.usize(..ACTIONS.len())];
        let outcome = match action {
            "refund" if !csv => "refunded",
            "replacement" => "replaced",
            _ if rng.u8(..10) == 0 => "unresolved",
            _ => "resolved",
        };
        let agent = ADVISORS[rng.usize(..ADVISORS.len())];
        let team = TEAMS[rng.usize(..TEAMS.len())];
        let escalated = rng.u8(..40) == 0;
        let id = format!("TK-{i}");
        let needs = "delivery;refund";
        if csv {
            write!(
                line,
                "{id},{kind},{channel},{},C-{},{},{agent},{team},{},{},{},{},{},{},{},{},{},{},{outcome},{escalated},{},{}",
                if internal { "internal" } else { "external" },
                rng.u32(..100_000),
                if internal { "Packaging" } else { "" },
                if closed { "closed" } else { "open" },
                ts(opened),
                if kind == "complaint" { ts(ack) } else { String::new() },
                ts(first),
                ts(promised),
                ts(delivered),
                ts(resolved),
                if closed { ts(resolved + 60) } else { String::new() },
                needs,
                ts(confirmed),
                if outcome == "unresolved" { format!("DL-{:06}", rng.u32(..1_000_000)) } else { String::new() },
                in_stock,
            )
            .unwrap();
        } else {
            let pounds = if action == "goodwill" { rng.u32(1..25) } else { rng.u32(1..80) };
            let amount = format!("{pounds}.{:02} GBP", rng.u32(..100));
            write!(
                line,
                r#"{{"id":"{id}","kind":"{kind}","channel":"{channel}","customer":{{"kind":"{}","id":"C-{}"{}}},"handled_by":"{agent}","team":"{team}","escalated":{escalated},"status":"{}","opened_at":"{}","acknowledged_at":"{}","first_response_at":"{}","promised_at":"{}","delivered_at":"{}","resolved_at":"{}"{},"needs":["delivery","refund"],"needs_confirmed_at":"{}","outcome":"{outcome}"{},"product_available":{in_stock},"actions":[{{"type":"{action}","amount":"{amount}","by":"{agent}","approved_by":"farah.khan"}},{{"type":"alternative","by":"{agent}"}},{{"type":"shortfall_report","by":"{agent}"}}],"referrals":[{{"to":"callum.reid","reason":"beyond scope"}}],"items":[{{"fair_trade":{},"supplier_certified":{}}}],"notes":"free text the schema does not declare is skipped"}}"#,
                if internal { "internal" } else { "external" },
                rng.u32(..100_000),
                if internal { r#","department":"Packaging""# } else { "" },
                if closed { "closed" } else { "open" },
                ts(opened),
                ts(ack),
                ts(first),
                ts(promised),
                ts(delivered),
                ts(resolved),
                if closed { format!(r#","closed_at":"{}""#, ts(resolved + 60)) } else { String::new() },
                ts(confirmed),
                if outcome == "unresolved" { format!(r#","ombudsman_ref":"DL-{:06}""#, rng.u32(..1_000_000)) } else { String::new() },
                rng.bool(),
                rng.u8(..50) != 0,
            )
            .unwrap();
        }
        writeln!(w, "{line}").unwrap();
    }
    w.flush().unwrap();
}
