//! The throughput benchmark: the `precept` binary's `check` against a parse-only pass over the same
//! file, on records where few break a rule and on records where half do.
//!
//! `cargo bench --bench check` generates seeded service records for the bundled schema (see
//! `benches/support/generate.rs`) in two mixes, `light` (about 3% of records break a rule) and
//! `heavy` (about half do), as JSON Lines and as the helpdesk's CSV export, into
//! `target/bench-data/{light,heavy}-N.{jsonl,csv}` (kept between runs; delete them to regenerate).
//! Then, for each size, format and mix, it times each case in a child process of its own, so that
//! peak memory and CPU time are the case's alone:
//! - `parse floor`: serde_json parses every line into a `serde_json::Value` (CSV: the csv crate
//!   reads every row, without typing a cell), the floor no checker can beat;
//! - `check json T=2`: `precept check` with the bundled policies plus `benches/policy/` and the
//!   bundled organisation (`fixtures/org`) as role files, the JSON report only, on 2 threads;
//! - `check all T=1`, `check all T=2`: the same with every report format written to a file (human,
//!   json, sarif, junit, github), on 1 and on 2 threads.
//!
//! Every check runs with `--no-config`, so `precept.toml` (its redaction, its record folder) does not
//! change what is measured. Each row gives wall seconds, records/s, findings/s, the ratio to the
//! parse floor of the same file, peak memory (the child's maximum resident set) and CPU seconds
//! (user + system). Below each table: per mix, the share of records with a finding, and the
//! 2-thread speed-up (all formats, time on 1 thread / time on 2); then the CPU cost per finding
//! (see [`per_finding`]). Then the ratio to the floor of `check json T=2`, the speed-up and the
//! CPU per finding again, paired (see [`print_paired`]): each taken within one round, where the
//! runs it compares are seconds apart, and the median over the rounds, with the lowest and
//! highest, which drift between rounds does not skew. A `groups` line times the bundled policies
//! plus the rules over groups in `benches/groups/` on the light mix (JSON report, 2 threads).
//!
//! Last, the memory case: the check policy set over the heavy JSON Lines file of 1,000,000 records
//! (or the largest size run, if 1,000,000 is not among them), JSON report only, on 2 threads, with
//! its rules counted and its peak memory set against the 100 MiB target (see [`memory_case`]).
//!
//! Sizes default to 100,000 and 1,000,000 records; `PRECEPT_BENCH_SIZES=20000,100000` changes them.
//! `PRECEPT_BENCH_RUNS=5` runs every case five times, in rounds (each round every case of both mixes
//! once), and shows each case's median run.
//! `cargo bench --bench check -- --generate heavy 200000 PATH` only writes a record file (CSV when
//! PATH ends in `.csv`, else JSON Lines), for other benchmarks to read. Not run in CI; Unix only
//! (children are reaped with `wait4`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/generate.rs"]
mod generate;
#[path = "support/reap.rs"]
mod reap;

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use generate::Mix;

// The same allocator as the `precept` binary, so the parse floor is measured on equal terms.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The `precept` binary `cargo bench` builds for this run.
const PRECEPT: &str = env!("CARGO_BIN_EXE_precept");
/// Every report format, each written to a file.
const ALL_FORMATS: [&str; 5] = ["human", "json", "sarif", "junit", "github"];
/// The memory target for record rules (issue 15).
const MEMORY_TARGET_MIB: f64 = 100.0;
/// The memory case's size, as the issue names it.
const MEMORY_CASE_RECORDS: usize = 1_000_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        let phase = args.get(i + 1).expect("phase name");
        let file = PathBuf::from(args.get(i + 2).expect("file"));
        assert_eq!(phase, "parse", "the only phase run in-process is `parse`");
        parse_floor(&file);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let usage = "usage: --generate light|heavy N PATH";
        let mix = Mix::parse(args.get(i + 1).expect(usage)).expect(usage);
        let n: usize = args.get(i + 2).and_then(|n| n.parse().ok()).expect(usage);
        let path = PathBuf::from(args.get(i + 3).expect(usage));
        generate::generate(n, &path, path.extension().is_some_and(|e| e == "csv"), mix);
        return;
    }
    // `cargo test` runs bench targets with `--test`, and tools list them with `--list`: do nothing.
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("PRECEPT_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    // The memory case is the heavy JSON Lines run of 1,000,000 records, or of the largest size.
    let memory_size =
        if sizes.contains(&MEMORY_CASE_RECORDS) { Some(MEMORY_CASE_RECORDS) } else { sizes.iter().max().copied() };
    let mut memory: Option<Measured> = None;
    for &n in &sizes {
        for csv in [false, true] {
            let files = Mix::ALL.map(|mix| {
                let file = dir.join(mix.file_name(n, csv));
                if !file.exists() {
                    // Written beside and renamed, so an interrupted run leaves no short file to reuse.
                    let partial = file.with_extension("partial");
                    generate::generate(n, &partial, csv, mix);
                    std::fs::rename(&partial, &file).unwrap();
                }
                file
            });
            let rounds = rounds(&files);
            let runs = [0, 1].map(|mix| MixRuns::median_of(rounds.iter().map(|r| &r[mix])));
            print_table(n, csv, &files, &runs);
            print_paired(&rounds);
            let groups = check(&files[0], &["policies", "benches/groups"], 2, &["json"]);
            println!(
                "groups (light, benches/groups, json T=2): {:.3} s, {} findings, peak {:.1} MiB, CPU {:.2} s\n",
                groups.seconds,
                groups.findings,
                groups.peak_mib(),
                groups.cpu
            );
            if !csv && Some(n) == memory_size {
                let [_, heavy] = runs;
                memory = Some(heavy.json_t2);
            }
        }
    }
    if let (Some(n), Some(run)) = (memory_size, memory) {
        memory_case(n, &run);
    }
}

/// One child's measurements.
#[derive(Clone, Debug)]
struct Measured {
    /// Wall time from spawning the child to reaping it.
    seconds: f64,
    /// User plus system CPU time of the child (and any children it waited for).
    cpu: f64,
    /// The child's peak resident set, in KiB (`ru_maxrss`).
    peak_kib: i64,
    /// Findings in the JSON report's summary (0 for the parse floor).
    findings: u64,
    /// Records with at least one finding, from the same summary.
    records_with_findings: u64,
    /// Records checked, from the same summary.
    records: u64,
    /// Rules in the run, from the same summary.
    rules: u64,
}

impl Measured {
    fn peak_mib(&self) -> f64 {
        self.peak_kib as f64 / 1024.0
    }
}

/// The four cases of one mix on one file.
struct MixRuns {
    parse: Measured,
    json_t2: Measured,
    all_t1: Measured,
    all_t2: Measured,
}

const POLICIES: [&str; 2] = ["policies", "benches/policy"];

/// Runs of each case (`PRECEPT_BENCH_RUNS`, 1 by default, at most 99): on a shared machine one
/// run can be off by half, so the figures of several are worth their time.
fn runs_per_case() -> usize {
    std::env::var("PRECEPT_BENCH_RUNS").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(1).clamp(1, 99)
}

/// The run of median wall time among `all` (the lower of the two middle ones for an even count),
/// whole: its CPU time and peak memory are that run's.
fn median(mut all: Vec<Measured>) -> Measured {
    all.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    all.swap_remove((all.len() - 1) / 2)
}

/// [`runs_per_case`] rounds, each running every case of both mixes once, light then heavy: the
/// machine's drift (a shared machine's speed has moved by a fifth within a quarter of an hour)
/// touches the cases of a round alike, so ratios taken within a round ([`print_paired`]) hold
/// where ratios of medians taken minutes apart may not.
fn rounds(files: &[PathBuf; 2]) -> Vec<[MixRuns; 2]> {
    (0..runs_per_case()).map(|_| [MixRuns::once(&files[0]), MixRuns::once(&files[1])]).collect()
}

impl MixRuns {
    /// Each case's median run over `rounds`.
    fn median_of<'r>(rounds: impl Iterator<Item = &'r MixRuns> + Clone) -> MixRuns {
        let pick = |case: fn(&MixRuns) -> &Measured| median(rounds.clone().map(|r| case(r).clone()).collect());
        MixRuns {
            parse: pick(|r| &r.parse),
            json_t2: pick(|r| &r.json_t2),
            all_t1: pick(|r| &r.all_t1),
            all_t2: pick(|r| &r.all_t2),
        }
    }

    fn once(file: &Path) -> MixRuns {
        let exe = std::env::current_exe().unwrap();
        let mut parse = Command::new(exe);
        parse.arg("--phase").arg("parse").arg(file);
        let dir = scratch("parse");
        let parse = run(parse, &dir, &[0]);
        std::fs::remove_dir_all(&dir).unwrap();
        MixRuns {
            parse,
            json_t2: check(file, &POLICIES, 2, &["json"]),
            all_t1: check(file, &POLICIES, 1, &ALL_FORMATS),
            all_t2: check(file, &POLICIES, 2, &ALL_FORMATS),
        }
    }
}

/// A fresh folder for one child's reports and output, under the system's temporary folder.
fn scratch(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("precept-bench-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `precept check` over `file` with `policies`, the bundled organisation as role files,
/// `threads` threads and a report file per format in `formats`, then reads the JSON report's
/// summary. Exit status 1 (findings that fail the run) is a success here.
fn check(file: &Path, policies: &[&str], threads: usize, formats: &[&str]) -> Measured {
    let dir = scratch(&format!("check-{threads}-{}", formats.len()));
    let mut cmd = Command::new(PRECEPT);
    cmd.args(["check", "--no-config", "--roles", "fixtures/org", "--threads"]).arg(threads.to_string());
    for p in policies {
        cmd.args(["--policies", p]);
    }
    for format in formats {
        let mut out = std::ffi::OsString::from(format!("{format}="));
        out.push(dir.join(format!("report.{format}")));
        cmd.arg("--output").arg(out);
    }
    cmd.arg(file);
    let mut measured = run(cmd, &dir, &[0, 1]);
    let summary = summary(&dir.join("report.json"));
    let count = |path: &[&str]| -> u64 {
        let mut v = &summary;
        for key in path {
            v = &v[*key];
        }
        v.as_u64().unwrap_or_else(|| panic!("no {path:?} in the JSON report's summary: {summary}"))
    };
    measured.findings = count(&["findings"]);
    measured.records = count(&["records"]);
    measured.rules = count(&["rules"]);
    measured.records_with_findings = count(&["records_outcome", "with_findings"]);
    std::fs::remove_dir_all(&dir).unwrap();
    measured
}

/// Spawns `cmd` from the crate's folder with its output to files in `dir`, waits for it with
/// `wait4` to read its own resource usage (peak memory and CPU time are those of this child, not of
/// the benchmark or of earlier children), and checks its exit status is one of `ok`.
fn run(mut cmd: Command, dir: &Path, ok: &[i32]) -> Measured {
    let stdout = std::fs::File::create(dir.join("stdout")).unwrap();
    let stderr = std::fs::File::create(dir.join("stderr")).unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).stdin(Stdio::null()).stdout(stdout).stderr(stderr);
    let start = Instant::now();
    let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let (status, usage) = reap::reap(child);
    let seconds = start.elapsed().as_secs_f64();
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    if !ok.contains(&code) {
        let err = std::fs::read_to_string(dir.join("stderr")).unwrap_or_default();
        panic!("{cmd:?} ended with status {status:#x}:\n{err}");
    }
    let time = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Measured {
        seconds,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux gives `ru_maxrss` in KiB, macOS in bytes.
        peak_kib: if cfg!(target_os = "macos") { usage.ru_maxrss / 1024 } else { usage.ru_maxrss },
        findings: 0,
        records_with_findings: 0,
        records: 0,
        rules: 0,
    }
}

/// The `summary` object at the end of a JSON report, read from the report's tail so that a report
/// of a million findings is not parsed whole.
fn summary(report: &Path) -> serde_json::Value {
    let mut f = std::fs::File::open(report).unwrap();
    let len = f.metadata().unwrap().len();
    let tail_len = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - tail_len)).unwrap();
    let mut tail = Vec::new();
    f.read_to_end(&mut tail).unwrap();
    let tail = String::from_utf8_lossy(&tail);
    let key = "\"summary\":";
    let at = tail.rfind(key).unwrap_or_else(|| panic!("no summary at the end of {}", report.display()));
    let mut values = serde_json::Deserializer::from_str(&tail[at + key.len()..]).into_iter::<serde_json::Value>();
    values.next().expect("a summary").unwrap()
}

/// The parse-only floor, run in its own process: every JSON line into a `serde_json::Value`, or
/// every CSV row read by the csv crate.
fn parse_floor(file: &Path) {
    let mut n = 0usize;
    if file.extension().is_some_and(|e| e == "csv") {
        let mut r = csv::Reader::from_path(file).unwrap();
        let mut rec = csv::StringRecord::new();
        while r.read_record(&mut rec).unwrap() {
            n += rec.len();
        }
    } else {
        let reader = BufReader::new(std::fs::File::open(file).unwrap());
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            n += v.as_object().map_or(0, |o| o.len());
        }
    }
    std::hint::black_box(n);
}

fn print_table(n: usize, csv: bool, files: &[PathBuf; 2], runs: &[MixRuns; 2]) {
    let sizes: Vec<String> = Mix::ALL
        .iter()
        .zip(files)
        .map(|(mix, f)| format!("{} {:.1} MB", mix.name(), std::fs::metadata(f).unwrap().len() as f64 / 1e6))
        .collect();
    let median = match runs_per_case() {
        1 => String::new(),
        k => format!(", each case the median of {k} runs"),
    };
    println!("{n} records, {} ({}){median}", if csv { "CSV" } else { "JSON Lines" }, sizes.join(", "));
    println!(
        "{:<6} {:<16} {:>8} {:>11} {:>9} {:>11} {:>7} {:>9} {:>7}",
        "mix", "case", "seconds", "records/s", "findings", "findings/s", "xparse", "peak MiB", "CPU s"
    );
    for (mix, r) in Mix::ALL.iter().zip(runs) {
        for (case, m) in [
            ("parse floor", &r.parse),
            ("check json T=2", &r.json_t2),
            ("check all T=1", &r.all_t1),
            ("check all T=2", &r.all_t2),
        ] {
            println!(
                "{:<6} {:<16} {:>8.3} {:>11.0} {:>9} {:>11.0} {:>7.2} {:>9.1} {:>7.2}",
                mix.name(),
                case,
                m.seconds,
                n as f64 / m.seconds,
                m.findings,
                m.findings as f64 / m.seconds,
                m.seconds / r.parse.seconds,
                m.peak_mib(),
                m.cpu
            );
        }
    }
    for (mix, r) in Mix::ALL.iter().zip(runs) {
        let share = r.json_t2.records_with_findings as f64 / r.json_t2.records.max(1) as f64;
        println!(
            "{}: records with a finding {:.1}% ({} of {} checked, the role files' included); 2-thread speed-up (all formats) {:.2}x",
            mix.name(),
            share * 100.0,
            r.json_t2.records_with_findings,
            r.json_t2.records,
            r.all_t1.seconds / r.all_t2.seconds
        );
    }
    let [light, heavy] = runs;
    println!(
        "CPU per finding (heavy - light): json T=2 {}, all formats T=1 {}, all formats T=2 {}",
        per_finding(&light.json_t2, &heavy.json_t2),
        per_finding(&light.all_t1, &heavy.all_t1),
        per_finding(&light.all_t2, &heavy.all_t2)
    );
}

/// The ratios the targets are about, each taken within one round (the two runs it compares
/// a few seconds apart) and the median over the rounds given (the lower middle one for an even
/// count, as [`median`] takes), with the lowest and highest: the check with the JSON report on 2
/// threads over the parse floor, the 2-thread speed-up with every format, and the CPU per finding
/// (over the rounds whose heavy run had extra findings, all of them in practice).
fn print_paired(rounds: &[[MixRuns; 2]]) {
    let spread = |mut v: Vec<f64>, unit: &str| -> String {
        v.sort_by(f64::total_cmp);
        match (v.first(), v.get(v.len().saturating_sub(1) / 2), v.last()) {
            (Some(lo), Some(mid), Some(hi)) if v.len() > 1 => format!("{mid:.2}{unit} ({lo:.2} to {hi:.2})"),
            (_, Some(mid), _) => format!("{mid:.2}{unit}"),
            _ => "n/a".into(),
        }
    };
    let n = rounds.len();
    for (i, mix) in Mix::ALL.iter().enumerate() {
        let floor = rounds.iter().map(|r| r[i].json_t2.seconds / r[i].parse.seconds).collect();
        let speed_up = rounds.iter().map(|r| r[i].all_t1.seconds / r[i].all_t2.seconds).collect();
        println!(
            "paired, {} (median of {n} rounds): check json T=2 {} the floor; 2-thread speed-up (all formats) {}",
            mix.name(),
            spread(floor, "x"),
            spread(speed_up, "x")
        );
    }
    let per = |case: fn(&MixRuns) -> &Measured| -> String {
        let v: Vec<f64> =
            rounds.iter().filter_map(|[light, heavy]| cpu_per_finding(case(light), case(heavy))).collect();
        let of = if v.len() == n { String::new() } else { format!(" in {} rounds", v.len()) };
        spread(v.iter().map(|s| s * 1e6).collect(), " us") + &of
    };
    println!(
        "paired CPU per finding (median of {n} rounds): json T=2 {}, all formats T=1 {}, all formats T=2 {}\n",
        per(|r| &r.json_t2),
        per(|r| &r.all_t1),
        per(|r| &r.all_t2)
    );
}

/// The CPU cost of one finding: `(CPU(heavy) - CPU(light)) / (findings(heavy) - findings(light))`,
/// for the same case (formats, threads) on the two mixes.
///
/// Why the difference isolates the findings: the heavy file is the light file's records with
/// breaches put in (same count, same kinds, channels, handlers and timestamps drawn from the same
/// seeded stream; a breach only moves a time, drops a field or misspells a value, so the two files
/// are within a few percent of each other's size). Reading, parsing and evaluating every rule cost
/// the same on both, so what the heavy run spends beyond the light one is what its extra findings
/// cost: building each, locating it in the file, formatting its message and writing it to every
/// report. CPU time rather than wall time, so that time spent waiting (on a thread, on the disk)
/// is not counted and the figure holds on any number of threads.
fn per_finding(light: &Measured, heavy: &Measured) -> String {
    match cpu_per_finding(light, heavy) {
        Some(s) => format!("{:.2} us", s * 1e6),
        None => "n/a (no extra findings)".to_string(),
    }
}

/// [`per_finding`]'s figure in seconds, if the heavy run has extra findings.
fn cpu_per_finding(light: &Measured, heavy: &Measured) -> Option<f64> {
    let extra = heavy.findings.saturating_sub(light.findings);
    (extra > 0).then(|| (heavy.cpu - light.cpu) / extra as f64)
}

/// The memory case of issue 15: the check policy set (bundled plus `benches/policy/`, with the
/// bundled organisation) over 1,000,000 heavy JSON Lines records, JSON report only, on 2 threads;
/// its peak memory should stay under 100 MiB for the record rules.
///
/// The command line cannot run a subset of the rules, so the run is the table's `check json T=2`
/// of that file, with every rule of the set; the rules over groups and cases among them hold state
/// per group only (the escalation share per team and month: at most 12 teams times 12 months; the
/// file has no case events or briefings, and the rule logging complaints as cases is in force only
/// from 2026, after these records), so the peak is the record rules'. Their count is printed, and whether it
/// reaches the 50 rules the issue names.
fn memory_case(n: usize, run: &Measured) {
    let (record_rules, other_rules) = rule_counts();
    println!(
        "memory case: {n} heavy JSON Lines records, json T=2: peak {:.1} MiB ({} the {MEMORY_TARGET_MIB} MiB target), {} findings",
        run.peak_mib(),
        if run.peak_mib() < MEMORY_TARGET_MIB { "under" } else { "OVER" },
        run.findings
    );
    println!(
        "  {} rules in the run: {record_rules} over each record (service records and roles), {other_rules} over groups or cases",
        run.rules
    );
    if run.rules < 50 {
        println!(
            "  note: fewer than the 50 rules the issue names; the bundled policies plus benches/policy/ hold {}",
            run.rules
        );
    }
    if n != MEMORY_CASE_RECORDS {
        println!("  note: run at {n} records, not 1000000 (add 1000000 to PRECEPT_BENCH_SIZES for the issue's case)");
    }
}

/// The check policy set's rules that run, as (over each record, over groups or cases).
fn rule_counts() -> (usize, usize) {
    let roots: Vec<PathBuf> = POLICIES.iter().map(|p| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)).collect();
    let (program, diags) = precept::workspace::load_policies(&roots);
    assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
    let program = program.expect("the check policies load");
    let record: std::collections::BTreeSet<usize> =
        program.schemas.iter().flat_map(|s| s.rules.iter().copied()).collect();
    let group: std::collections::BTreeSet<usize> =
        program.schemas.iter().flat_map(|s| s.group_rules.iter().copied()).collect();
    (record.len(), group.difference(&record).count())
}
