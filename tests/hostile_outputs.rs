//! Outputs never destroy anything: one test per class of issue 10's "Outputs never destroy
//! anything", each over many cases, each asserting the exit status, the diagnostic code, that
//! no input changed and that no temporary report file was left behind.
//!
//! Nothing here writes through `/dev/null` or `/dev/full` by path: FIFOs and sockets are made in
//! temporary folders, and `/dev/full` is only ever a child's standard output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = r#"calendar office from "calendars/office.toml"
schema ticket {
  identified by id
  id: text
  opened_at: datetime
  answered_at: datetime
}
code "House rules" {
  level organisational
  calendar office
  rule answered-next-day {
    for ticket
    require record.answered_at <= record.opened_at + 1 business day
  }
}
"#;

const CALENDAR: &str = "zone = \"UTC\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n";

/// One late ticket per record file: `a.jsonl` holds T-1, `b.jsonl` T-2.
fn ticket(id: &str) -> String {
    format!(
        "{{\"id\": \"{id}\", \"opened_at\": \"2026-03-02T10:00:00Z\", \"answered_at\": \"2026-03-09T10:00:00Z\"}}\n"
    )
}

/// A project that reads a file in every role: settings, a policy and its calendar and test,
/// a calendar named by the settings, roles, waivers, a baseline and two record files; `out/` is
/// for reports.
fn project() -> tempfile::TempDir {
    // files on disk: this tests that outputs never replace or destroy files.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["policies/calendars", "site", "roles", "records", "out"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let files: [(&str, String); 10] = [
        ("policies/p.precept", POLICY.to_string()),
        ("policies/calendars/office.toml", CALENDAR.to_string()),
        ("site/office.toml", format!("{CALENDAR}holidays = [2026-03-03]\n")),
        (
            "policies/p.test.toml",
            "[[test]]\nname = \"late\"\nrecords = [{ id = \"T-9\", opened_at = 2026-03-02T10:00:00Z, answered_at = 2026-03-09T10:00:00Z }]\nexpect = [\"answered-next-day@T-9\"]\n".to_string(),
        ),
        ("roles/roles.toml", "[[role]]\nid = \"advisor\"\ntitle = \"Advisor\"\ndepartment = \"Service\"\n".to_string()),
        ("records/a.jsonl", ticket("T-1")),
        ("records/b.jsonl", ticket("T-2")),
        (
            "waivers.toml",
            "[[waiver]]\nrule = \"answered-next-day\"\nrecord = \"T-2\"\njustification = \"agreed\"\napprover = \"P\"\nexpires = 2099-12-31\n".to_string(),
        ),
        (
            "precept.toml",
            "policies = [\"policies\"]\nroles = [\"roles\"]\nrecords = [\"records\"]\nwaivers = \"waivers.toml\"\nbaseline = \"known.json\"\n\n[calendars]\noffice = \"site/office.toml\"\n".to_string(),
        ),
        ("README.md", "a project\n".to_string()),
    ];
    for (rel, text) in files {
        std::fs::write(root.join(rel), text).unwrap();
    }
    let base = common::precept_in(root, &["baseline", "--file", "known.json", "records/a.jsonl"]);
    assert_eq!(base.code, 0, "{}", base.snapshot());
    dir
}

/// Every input file of [`project`], with the words a message uses for its role.
const INPUTS: [(&str, &str); 9] = [
    ("records/a.jsonl", "a record file read"),
    ("records/b.jsonl", "a record file read"),
    ("policies/p.precept", "a policy file read"),
    ("policies/calendars/office.toml", "a file in the policy folder `policies`"),
    ("roles/roles.toml", "a role file read"),
    ("waivers.toml", "the waivers file read"),
    ("known.json", "the baseline read"),
    ("precept.toml", "the settings file read"),
    ("site/office.toml", "the file of calendar `office` read"),
];

const FORMATS: [&str; 5] = ["json", "sarif", "junit", "github", "human"];

/// The input files' checksums (reports in `out/` left aside).
fn inputs_checksum(dir: &Path) -> Vec<(PathBuf, u64)> {
    common::tree_checksum(dir).into_iter().filter(|(p, _)| !p.starts_with(dir.join("out"))).collect()
}

/// Every `.precept-*.tmp` under `dir`.
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy();
            n.starts_with(".precept-") && n.ends_with(".tmp")
        })
        .map(|e| e.into_path())
        .collect()
}

/// Ways to name `rel` other than `rel`: through `..`, a symbolic link and a hard link (the
/// links are made in `out/`).
fn spellings(dir: &Path, rel: &str, n: usize) -> Vec<String> {
    let detour = match rel.split_once('/') {
        Some((first, _)) => format!("./{first}/../{rel}"),
        None => format!("./out/../{rel}"),
    };
    let mut out = vec![rel.to_string(), detour];
    #[cfg(unix)]
    {
        let link = format!("out/link-{n}");
        std::os::unix::fs::symlink(dir.join(rel), dir.join(&link)).unwrap();
        out.push(link);
    }
    let hard = format!("out/hard-{n}");
    std::fs::hard_link(dir.join(rel), dir.join(&hard)).unwrap();
    out.push(hard);
    out
}

fn assert_refused(run: &common::Run, input_role: &str, output_role: &str) {
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::usage::output-is-input"), "{}", run.stderr);
    let flat = run.stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(flat.contains(input_role), "expected `{input_role}`:\n{}", run.stderr);
    assert!(flat.contains(output_role), "expected `{output_role}`:\n{}", run.stderr);
}

/// Class 1: every input role x every way of writing an output x several spellings of the path.
/// The run stops with `output-is-input` naming both roles, the input is unchanged, and the other
/// report asked for is still written, holding the problem.
#[test]
fn no_output_replaces_a_file_the_run_reads() {
    let dir = project();
    let root = dir.path();
    let before = inputs_checksum(root);
    let mut n = 0;
    let mut cases = 0;
    for (rel, role) in INPUTS {
        // `records/a.jsonl` is named on the command line; `records/b.jsonl` is found in `records`.
        let records = if rel == "records/b.jsonl" { "records" } else { "records/a.jsonl" };
        for path in spellings(root, rel, n) {
            n += 1;
            for format in FORMATS {
                let other = if format == "sarif" { "json=out/ok.json" } else { "sarif=out/ok.sarif" };
                let _ = std::fs::remove_file(root.join("out/ok.json"));
                let _ = std::fs::remove_file(root.join("out/ok.sarif"));
                let spec = format!("{format}={path}");
                let run = common::precept_in(root, &["check", "--output", &spec, "--output", other, records]);
                assert_refused(&run, role, &format!("the {format} report's output"));
                let ok = std::fs::read_to_string(root.join(other.split_once('=').unwrap().1)).unwrap();
                assert!(ok.contains("precept::usage::output-is-input"), "the other report says why:\n{ok}");
                cases += 1;
            }
            if rel != "known.json" {
                // `precept baseline` reads no baseline; it may rewrite the one the settings name.
                let run = common::precept_in(root, &["baseline", "--file", &path, records]);
                assert_refused(&run, role, "the baseline written");
                cases += 1;
            }
            if rel.starts_with("policies/") {
                let spec = format!("junit={path}");
                let run = common::precept_in(root, &["test", "--output", &spec]);
                assert_refused(&run, role, "the junit report's output");
                cases += 1;
            }
            assert_eq!(inputs_checksum(root), before, "{path} changed");
            assert!(temporary_files(root).is_empty(), "{:?}", temporary_files(root));
        }
    }
    assert!(cases > 200, "{cases}");
    // Two reports to one file, however spelled, are refused too; neither is written.
    for (a, b) in [("out/r.json", "out/r.json"), ("out/r.json", "./out/../out/r.json"), ("out/r.json", "out/./r.json")]
    {
        for (fa, fb) in [("json", "sarif"), ("junit", "github"), ("human", "json")] {
            let run = common::precept_in(
                root,
                &["check", "--output", &format!("{fa}={a}"), "--output", &format!("{fb}={b}"), "records"],
            );
            assert_eq!(run.code, 2, "{}", run.snapshot());
            assert!(run.stderr.contains("precept::usage::output-is-input"), "{}", run.stderr);
            assert!(!root.join("out/r.json").exists());
        }
    }
    // The same project with outputs elsewhere: every input is read, and it runs clean (the one
    // finding is waived, the other known from the baseline).
    let fine = common::precept_in(root, &["check", "--output", "json=out/fine.json", "--output", "human"]);
    assert_eq!(fine.code, 0, "{}", fine.snapshot());
    assert!(
        fine.stdout.contains("2 records in 2 files") && fine.stdout.contains("1 waived, 1 known"),
        "{}",
        fine.stdout
    );
    assert_eq!(inputs_checksum(root), before);
}

/// Class 1, the other side: a report an earlier run left among the records is not a record file,
/// so a second run may replace it (as before); and `precept baseline` may rewrite its baseline.
#[test]
fn a_report_an_earlier_run_left_among_the_records_is_replaced() {
    let dir = project();
    let root = dir.path();
    for format in ["json", "sarif", "junit"] {
        let spec = format!("{format}=records/last.json");
        for round in 0..3 {
            let run = common::precept_in(root, &["check", "--output", &spec, "records"]);
            assert_eq!(run.code, 0, "round {round}: {}", run.snapshot());
            assert!(!run.stderr.contains("output-is-input"), "{}", run.stderr);
        }
        std::fs::remove_file(root.join("records/last.json")).unwrap();
    }
    for round in 0..3 {
        let run = common::precept_in(root, &["baseline", "--file", "records/known.json", "records"]);
        assert_eq!(run.code, 0, "round {round}: {}", run.snapshot());
    }
    let again = common::precept_in(root, &["baseline", "--file", "known.json", "records/a.jsonl"]);
    assert_eq!(again.code, 0, "{}", again.snapshot());
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    common::mkfifo(path);
}

#[cfg(unix)]
fn file_type(path: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(path).unwrap().file_type()
}

/// Class 2: a FIFO (or a link to one) is written in place and stays a FIFO; a folder, a socket and
/// a link to nothing are refused; a link to a file stays a link and its file gets the report.
#[cfg(unix)]
#[test]
fn devices_and_fifos_are_written_in_place_never_renamed_over() {
    use std::os::unix::fs::FileTypeExt;
    let dir = project();
    let root = dir.path();
    let before = inputs_checksum(root);
    let mut n = 0;
    let mut commands: Vec<(String, Vec<String>)> = FORMATS
        .iter()
        .map(|f| {
            let args = ["check", "--no-config", "--output", &format!("{f}=PATH"), "records"];
            (f.to_string(), args.iter().map(|a| a.to_string()).collect())
        })
        .collect();
    commands
        .push(("baseline".into(), ["baseline", "--no-config", "--file", "PATH", "records"].map(String::from).to_vec()));
    commands.push(("test".into(), vec!["test".into(), "--output".into(), "junit=PATH".into()]));
    for (what, args) in &commands {
        for via_link in [false, true] {
            n += 1;
            let fifo = root.join(format!("out/fifo-{n}"));
            mkfifo(&fifo);
            let named = if via_link {
                let link = root.join(format!("out/to-fifo-{n}"));
                std::os::unix::fs::symlink(&fifo, &link).unwrap();
                link
            } else {
                fifo.clone()
            };
            let reader_path = fifo.clone();
            let reader = std::thread::spawn(move || {
                let mut text = String::new();
                std::fs::File::open(reader_path).unwrap().read_to_string(&mut text).unwrap();
                text
            });
            let args: Vec<String> = args.iter().map(|a| a.replace("PATH", &named.to_string_lossy())).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = common::precept_in(root, &args);
            // Should the run have ended without opening the FIFO, release the reader (a
            // non-blocking open fails harmlessly when the reader is gone already).
            {
                use std::os::unix::fs::OpenOptionsExt;
                const O_NONBLOCK: i32 = if cfg!(target_os = "linux") { 0o4000 } else { 0x0004 };
                let _ = std::fs::OpenOptions::new().write(true).custom_flags(O_NONBLOCK).open(&fifo);
            }
            let text = reader.join().unwrap();
            assert!([0, 1].contains(&run.code), "{what}: {}", run.snapshot());
            assert!(file_type(&fifo).is_fifo(), "{what}: the FIFO is still a FIFO");
            if via_link {
                assert!(file_type(&named).is_symlink(), "{what}: the link is still a link");
            }
            match what.as_str() {
                "json" | "sarif" | "baseline" => {
                    serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{what}: {e}\n{text}"));
                }
                "junit" | "test" => assert!(text.trim_end().ends_with("</testsuites>"), "{what}: {text}"),
                "github" => assert!(text.contains("::error") || text.contains("::warning"), "{what}: {text}"),
                _ => assert!(text.contains("checked 2 records"), "{what}: {text}"),
            }
        }
    }
    // Refused: a folder, a socket, links to them and a link to nothing; none is replaced.
    let socket = root.join("out/sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::fs::create_dir(root.join("out/folder")).unwrap();
    std::os::unix::fs::symlink(root.join("out/missing/x.json"), root.join("out/dangling")).unwrap();
    std::os::unix::fs::symlink(&socket, root.join("out/to-sock")).unwrap();
    std::os::unix::fs::symlink(root.join("out/folder"), root.join("out/to-folder")).unwrap();
    for (name, why) in [
        ("out/sock", "socket"),
        ("out/to-sock", "socket"),
        ("out/folder", "folder"),
        ("out/to-folder", "folder"),
        ("out/dangling", "does not exist"),
    ] {
        let mut runs = Vec::new();
        for format in FORMATS {
            runs.push(common::precept_in(root, &["check", "--output", &format!("{format}={name}"), "records"]));
        }
        runs.push(common::precept_in(root, &["baseline", "--file", name, "records"]));
        runs.push(common::precept_in(root, &["test", "--output", &format!("junit={name}")]));
        for run in runs {
            assert_eq!(run.code, 2, "{name}: {}", run.snapshot());
            let flat = run.stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
            assert!(flat.contains("precept::usage::output") && flat.contains(why), "{name}: {}", run.stderr);
        }
        assert!(file_type(&socket).is_socket() && file_type(&root.join("out/folder")).is_dir());
        assert!(file_type(&root.join("out/dangling")).is_symlink() && !root.join("out/missing").exists());
    }
    // A link to a regular file: the file gets the report, the link stays a link.
    for format in FORMATS {
        let target = root.join(format!("out/real-{format}"));
        std::fs::write(&target, "old").unwrap();
        let link = root.join(format!("out/link-to-{format}"));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let run = common::precept_in(root, &["check", "--output", &format!("{format}={}", link.display()), "records"]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
        assert!(file_type(&link).is_symlink());
        assert_ne!(std::fs::read_to_string(&target).unwrap(), "old");
    }
    assert_eq!(inputs_checksum(root), before);
    assert!(temporary_files(root).is_empty(), "{:?}", temporary_files(root));
}

/// Run `precept` in `dir` with `/dev/full` as its standard output (never written by path).
fn with_full_stdout(dir: &Path, args: &[&str]) -> common::Run {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Class 3, a full disk: every command that writes to standard output fails (exit 2) with
/// `precept::usage::output` when standard output cannot be written, never exit 0 with the report
/// lost; a report to a file is still written.
#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_an_error() {
    let dir = project();
    let root = dir.path();
    let before = inputs_checksum(root);
    let mut commands: Vec<Vec<&str>> = Vec::new();
    // Without the settings' waivers and baseline there are findings, so every format has
    // something to write.
    for format in FORMATS {
        commands.push(vec!["check", "--no-config", "--output", format, "records"]);
        commands.push(vec!["check", "--no-config", "--output", format, "--output", "sarif=out/kept.sarif", "records"]);
    }
    commands.push(vec!["check", "--format", "json", "records"]);
    commands.push(vec!["check"]);
    commands.push(vec!["lint", "roles"]);
    commands.push(vec!["lint", "--format", "json", "roles"]);
    commands.push(vec!["explain", "answered-next-day"]);
    commands.push(vec!["explain", "precept::usage::output"]);
    commands.push(vec!["test"]);
    commands.push(vec!["baseline", "--file", "out/b.json", "records/a.jsonl"]);
    commands.push(vec!["--help"]);
    commands.push(vec!["check", "--help"]);
    commands.push(vec!["--version"]);
    commands.push(vec!["man"]);
    commands.push(vec!["completions", "bash"]);
    commands.push(vec!["fmt", "--check", "--diff", "policies"]);
    for args in &commands {
        let _ = std::fs::remove_file(root.join("out/kept.sarif"));
        let run = with_full_stdout(root, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.snapshot());
        assert!(
            run.stderr.contains("precept::usage::output") && run.stderr.contains("cannot write to standard output"),
            "{args:?}: {}",
            run.stderr
        );
        if args.contains(&"sarif=out/kept.sarif") {
            assert!(root.join("out/kept.sarif").exists(), "{args:?}: the file report is still written");
        }
        // Only a check has an `--output` to send its report elsewhere.
        let reports = matches!(args.first(), Some(&"check")) && !args.contains(&"--help");
        assert_eq!(run.stderr.contains("--output"), reports, "{args:?}: {}", run.stderr);
    }
    assert_eq!(inputs_checksum(root), before);
    assert!(temporary_files(root).is_empty());
}

/// A folder of `n` one-line-record files' worth of tickets in one file: one in ten late.
fn big_project(n: usize) -> tempfile::TempDir {
    // files on disk: the binary writing to a closed pipe, and its report files, over a big input.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(
        dir.path().join("policies/p.precept"),
        "schema s { id: text identified by id  n: integer }\ncode \"C\" { level industry rule r { for s require record.n > 0 } }\n",
    )
    .unwrap();
    let mut text = String::with_capacity(n * 24);
    for i in 0..n {
        text.push_str(&format!("{{\"id\": \"r{i}\", \"n\": {}}}\n", usize::from(i % 10 != 0)));
    }
    std::fs::write(dir.path().join("records/r.jsonl"), text).unwrap();
    dir
}

/// Class 3, a closed pipe: when the reader of standard output goes away after a few bytes and no
/// report file is being written, the run stops at once and quietly (no message; status 2, as the
/// check did not finish). With a report file still being written, that report is finished.
#[test]
fn a_closed_pipe_stops_the_run_at_once() {
    let dir = big_project(200_000);
    let root = dir.path();
    let before = common::tree_checksum(root);
    // The whole run, for scale.
    let start = Instant::now();
    let whole = common::precept_in(root, &["check", "--no-config", "--output", "json=full.json", "records"]);
    let full_time = start.elapsed();
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    // Human and JSON reports stream: the reader leaving is noticed at the next finding. SARIF,
    // JUnit and the annotations (at most ten per severity) write nothing until the end, so their
    // reader can only leave then: the run is finished, and the closed pipe is quiet.
    for format in FORMATS {
        let streams = matches!(format, "human" | "json");
        let takes: &[usize] = if streams { &[1, 100, 10_000] } else { &[1] };
        for &take in takes {
            let start = Instant::now();
            let mut child = Command::new(env!("CARGO_BIN_EXE_precept"))
                .args(["check", "--no-config", "--output", format, "records"])
                .current_dir(root)
                .env("NO_COLOR", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdout = child.stdout.take().unwrap();
            let mut first = vec![0u8; take];
            stdout.read_exact(&mut first).unwrap();
            drop(stdout);
            let out = child.wait_with_output().unwrap();
            let took = start.elapsed();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.stderr.is_empty(), "{format}/{take}: quiet: {stderr}");
            if streams {
                assert_eq!(out.status.code(), Some(2), "{format}/{take}: {stderr}");
                // Generous, so a loaded machine cannot fail it: a run that rendered every finding
                // for no reader takes the whole run's time; one that stopped, a fraction of it.
                assert!(
                    took < full_time * 2 / 3 + Duration::from_millis(300),
                    "{format}/{take}: took {took:?}, the whole run {full_time:?}"
                );
            } else {
                // Whether the reader left before the last write (2: the run did not finish writing)
                // or after it (1: the findings) depends on timing; either way it is quiet.
                assert!(matches!(out.status.code(), Some(1) | Some(2)), "{format}/{take}: {stderr}");
            }
        }
    }
    // A report file keeps the run going to the end; the stdout reader leaving is still quiet.
    let mut child = Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(["check", "--no-config", "--output", "human", "--output", "json=kept.json", "records"])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("kept.json")).unwrap()).unwrap();
    assert_eq!(doc["summary"]["records"], 200_000);
    let after: Vec<_> = common::tree_checksum(root)
        .into_iter()
        .filter(|(p, _)| p.starts_with(root.join("records")) || p.starts_with(root.join("policies")))
        .collect();
    let before: Vec<_> = before
        .into_iter()
        .filter(|(p, _)| p.starts_with(root.join("records")) || p.starts_with(root.join("policies")))
        .collect();
    assert_eq!(after, before);
}

/// Class 4: SIGINT, SIGTERM and SIGHUP during a long run, for each report kind: no
/// `.precept-*.tmp` remains, the report is absent (the run never finishes this soon) or complete,
/// an earlier report at the same path is left as it was, and the process ends as the signal ends
/// it.
#[cfg(unix)]
#[test]
fn signals_leave_no_temporary_files() {
    use std::os::unix::process::ExitStatusExt;
    let dir = big_project(300_000);
    let root = dir.path();
    let before = common::tree_checksum(root.join("records").as_path());
    for (signal, name) in [(2, "INT"), (15, "TERM"), (1, "HUP")] {
        for format in ["json", "sarif", "junit", "github", "human"] {
            for earlier in [false, true] {
                let report = root.join(format!("out.{format}"));
                let _ = std::fs::remove_file(&report);
                if earlier {
                    std::fs::write(&report, "an earlier report").unwrap();
                }
                let mut child = Command::new(env!("CARGO_BIN_EXE_precept"))
                    .args(["check", "--no-config", "--output", &format!("{format}=out.{format}"), "records"])
                    .current_dir(root)
                    .env("NO_COLOR", "1")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                let start = Instant::now();
                while temporary_files(root).is_empty() {
                    assert!(start.elapsed() < Duration::from_secs(20), "no temporary file appeared");
                    std::thread::sleep(Duration::from_millis(5));
                }
                // SAFETY: signalling our own child process by its id.
                let sent = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
                assert_eq!(sent, 0, "kill -{name}");
                let status = child.wait().unwrap();
                let finished = status.code() == Some(1);
                assert!(finished || status.signal() == Some(signal), "SIG{name} {format}: ended with {status:?}");
                assert!(temporary_files(root).is_empty(), "SIG{name} {format}: {:?}", temporary_files(root));
                let text = std::fs::read_to_string(&report).unwrap_or_default();
                if finished {
                    assert!(!text.is_empty() && text != "an earlier report", "complete: {format}");
                } else if earlier {
                    assert_eq!(text, "an earlier report", "SIG{name} {format}");
                } else {
                    assert!(!report.exists(), "SIG{name} {format}: a report in progress never appears");
                }
            }
        }
    }
    assert_eq!(common::tree_checksum(root.join("records").as_path()), before);
}

fn report_says(format: &str, text: &str, code: &str) {
    match format {
        "json" => {
            let doc: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let codes: Vec<&str> =
                doc["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
            assert!(codes.iter().any(|c| c.starts_with(code)), "json lacks {code}: {text}");
        }
        "sarif" => {
            let doc: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
            assert!(notes.contains(code), "sarif lacks {code} in its notifications: {text}");
            assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], false, "{text}");
        }
        "junit" => {
            assert!(text.contains(code) && (text.contains("<error") || text.contains("<failure")), "junit: {text}");
        }
        "github" => assert!(
            text.lines().any(|l| l.starts_with("::error") && l.contains(&code.replace("::", "%3A%3A"))),
            "github: {text}"
        ),
        _ => assert!(text.contains(code), "human: {text}"),
    }
}

/// Class 5: when the run stops early, every report asked for is still written and says why: broken
/// or unreadable settings (only reports given as flags are known then), a broken policy,
/// unreadable records, waivers or baselines, bad usage.
#[test]
fn reports_are_written_when_the_run_stops_early() {
    let dir = project();
    let root = dir.path();
    type Setup = fn(&Path);
    let cases: [(&str, Setup, &[&str], &str); 9] = [
        (
            "settings that are not TOML",
            |r| std::fs::write(r.join("precept.toml"), "policies = [\n").unwrap(),
            &[],
            "precept::input::toml",
        ),
        (
            "a setting of the wrong kind",
            |r| std::fs::write(r.join("precept.toml"), "fail_on = 3\n").unwrap(),
            &[],
            "precept::config::invalid",
        ),
        ("a missing --config", |_| {}, &["--config", "nowhere.toml"], "precept::input::not-found"),
        (
            "a broken policy",
            |r| std::fs::write(r.join("policies/p.precept"), "schema {").unwrap(),
            &[],
            "precept::parse::",
        ),
        ("a missing record file", |_| {}, &["records/none.jsonl"], "precept::input::not-found"),
        (
            "a record file that is not JSON",
            |r| std::fs::write(r.join("records/a.jsonl"), "{oops\n").unwrap(),
            &[],
            "precept::input::json",
        ),
        ("missing waivers", |_| {}, &["--waivers", "none.toml"], "precept::input::unreadable"),
        ("a date that is not one", |_| {}, &["--as-of", "tomorrow"], "precept::usage::as-of"),
        ("no threads", |_| {}, &["--threads", "0"], "precept::usage::threads"),
    ];
    let pristine: Vec<(String, Vec<u8>)> = ["precept.toml", "policies/p.precept", "records/a.jsonl"]
        .iter()
        .map(|p| (p.to_string(), std::fs::read(root.join(p)).unwrap()))
        .collect();
    for (what, setup, extra, code) in cases {
        for (p, bytes) in &pristine {
            std::fs::write(root.join(p), bytes).unwrap();
        }
        setup(root);
        let before = inputs_checksum(root);
        let mut args: Vec<String> = vec!["check".into()];
        for format in FORMATS {
            let _ = std::fs::remove_file(root.join(format!("out/r.{format}")));
            args.extend(["--output".into(), format!("{format}=out/r.{format}")]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = common::precept_in(root, &args);
        assert_eq!(run.code, 2, "{what}: {}", run.snapshot());
        assert!(run.stderr.contains(code), "{what}: {}", run.stderr);
        for format in FORMATS {
            let text = std::fs::read_to_string(root.join(format!("out/r.{format}")))
                .unwrap_or_else(|e| panic!("{what}: no {format} report: {e}"));
            report_says(format, &text, code);
        }
        assert_eq!(inputs_checksum(root), before, "{what}");
        assert!(temporary_files(root).is_empty(), "{what}");
        // The same stop with a report aimed at a record file of the folder walked: the run stops
        // before the record files are known, so a file that is not a report Precept wrote is
        // left as it is (and said so), never replaced by the report of the failure.
        if extra.iter().any(|a| a.starts_with("records/")) {
            continue;
        }
        for format in FORMATS {
            let keep = root.join("records/keep.jsonl");
            std::fs::write(&keep, ticket("K-1")).unwrap();
            let before = inputs_checksum(root);
            let target = format!("{format}=records/keep.jsonl");
            let mut args = vec!["check", "--output", target.as_str()];
            args.extend(extra.iter().copied());
            let run = common::precept_in(root, &args);
            assert_eq!(run.code, 2, "{what}/{format}: {}", run.snapshot());
            assert!(run.stderr.contains(code) || run.stderr.contains("precept::usage::output-is-input"), "{what}");
            assert!(run.stderr.contains("records/keep.jsonl"), "{what}/{format}: {}", run.stderr);
            assert_eq!(inputs_checksum(root), before, "{what}/{format}: the record file was replaced");
            assert!(temporary_files(root).is_empty(), "{what}/{format}");
            std::fs::remove_file(&keep).unwrap();
        }
    }
    // Settings that cannot be read name no reports; the settings' own reports are not written.
    std::fs::write(root.join("precept.toml"), "outputs = [\"json=out/from-settings.json\"]\nfail_on = 3\n").unwrap();
    let run = common::precept_in(root, &["check"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(!root.join("out/from-settings.json").exists());
    // A policy test run whose policies cannot be loaded still writes its JUnit report.
    std::fs::write(root.join("policies/p.precept"), "schema {").unwrap();
    let run = common::precept_in(root, &["test", "--output", "junit=out/tests.xml"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    report_says("junit", &std::fs::read_to_string(root.join("out/tests.xml")).unwrap(), "precept::parse::");
}

/// Class 6: `--threads` is 1 to 256: anything else is `precept::usage::threads` at once (today a
/// huge value starts threads until the machine gives out); every allowed value gives the same
/// report.
#[test]
fn threads_are_bounded() {
    let dir = project();
    let root = dir.path();
    let before = inputs_checksum(root);
    for n in ["0", "257", "1000", "65536", "100000", "4294967296", "18446744073709551615"] {
        let start = Instant::now();
        for command in ["check", "baseline"] {
            let run = common::precept_in(root, &[command, "--threads", n, "records/a.jsonl"]);
            assert_eq!(run.code, 2, "{n}: {}", run.snapshot());
            assert!(run.stderr.contains("precept::usage::threads"), "{n}: {}", run.stderr);
            assert!(run.stderr.contains("256"), "the message names the maximum: {}", run.stderr);
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{n}: {:?}", start.elapsed());
    }
    let mut reports = Vec::new();
    for n in ["1", "2", "7", "256"] {
        let run = common::precept_in(root, &["check", "--threads", n, "--format", "json"]);
        assert_eq!(run.code, 0, "{n}: {}", run.snapshot());
        reports.push(run.stdout);
    }
    assert!(reports.windows(2).all(|w| w[0] == w[1]));
    let help = common::precept_in(root, &["check", "--help"]);
    assert!(help.stdout.contains("1 to 256"), "{}", help.stdout);
    assert_eq!(inputs_checksum(root), before);
}

/// Class 2, no reader: a FIFO output that no process reads (even one inside the records folder,
/// which the walk also finds) is a usage error after a bounded wait, never a hang; the other
/// reports are still written, the FIFO stays a FIFO and no input changes.
#[cfg(unix)]
#[test]
fn a_fifo_output_with_no_reader_is_an_error_not_a_hang() {
    use std::os::unix::fs::FileTypeExt;
    let dir = project();
    let root = dir.path();
    mkfifo(&root.join("records/report.json"));
    mkfifo(&root.join("out/baseline.json"));
    for (i, args) in [
        &["check", "--no-config", "--output", "json=records/report.json", "--output", "junit=out/r.xml", "records"][..],
        &["baseline", "--no-config", "--file", "out/baseline.json", "records"][..],
    ]
    .into_iter()
    .enumerate()
    {
        if i == 1 {
            // A FIFO among the records stops a baseline before it is written (not a regular file).
            std::fs::remove_file(root.join("records/report.json")).unwrap();
        }
        let before = inputs_checksum(root);
        let start = std::time::Instant::now();
        let run = common::precept_in(root, args);
        let took = start.elapsed();
        assert_eq!(run.code, 2, "{args:?}: {}", run.snapshot());
        let flat = run.stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
        assert!(flat.contains("precept::usage::output") && flat.contains("no process read"), "{args:?}: {flat}");
        assert!(took < std::time::Duration::from_secs(60), "{args:?} took {took:?}");
        assert_eq!(inputs_checksum(root), before);
        if i == 0 {
            assert!(file_type(&root.join("records/report.json")).is_fifo());
        }
    }
    assert!(file_type(&root.join("out/baseline.json")).is_fifo());
    let junit = std::fs::read_to_string(root.join("out/r.xml")).unwrap();
    assert!(junit.contains("no process read"), "{junit}");
}

/// Class 3 on standard error: a run whose diagnostics, notes or usage errors could not be written
/// (`2>/dev/full`) never passes as clean or as an ordinary findings run: exit 2, where the same
/// run with a working standard error wrote something there; a run that writes nothing there is
/// unchanged. Reports to files are still written.
#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_error_fails_the_run() {
    let dir = project();
    let root = dir.path();
    std::fs::write(root.join("records/bad.jsonl"), "{not json\n").unwrap();
    let before = inputs_checksum(root);
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", "--no-config", "--output", "json", "--output", "sarif=out/kept.sarif", "records"],
        vec!["check", "--no-config", "--output", "json", "--output", "sarif=out/kept.sarif", "records/a.jsonl"],
        vec!["check", "--no-config", "records"],
        vec!["check", "--bogus-flag"],
        vec!["lint", "roles"],
        vec!["test"],
    ];
    let mut wrote = 0;
    for args in &commands {
        let plain = common::precept_in(root, args);
        let _ = std::fs::remove_file(root.join("out/kept.sarif"));
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_precept"))
            .args(args)
            .current_dir(root)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(full)
            .output()
            .unwrap();
        let want = if plain.stderr.is_empty() { plain.code } else { 2 };
        wrote += usize::from(!plain.stderr.is_empty());
        assert_eq!(out.status.code(), Some(want), "{args:?}: {}", plain.stderr);
        if args.contains(&"sarif=out/kept.sarif") {
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
            assert!(root.join("out/kept.sarif").exists(), "{args:?}: the file report is still written");
        }
    }
    assert!(wrote >= 3, "{wrote}");
    assert_eq!(inputs_checksum(root), before);
    assert!(temporary_files(root).is_empty());
}

/// A policy folder whose name is not UTF-8 (shown escaped) still finds the calendar its policy
/// names beside it: the file is found by its path on disk, not by the name shown.
#[cfg(unix)]
#[test]
fn a_policy_folder_named_in_bytes_that_are_not_utf8_finds_its_calendar() {
    use std::os::unix::ffi::OsStrExt;
    let dir = project();
    let root = dir.path();
    for (i, raw) in [&b"pol\xff"[..], b"\xc3(x", b"p\x1b[31m", b"ok"].iter().enumerate() {
        let folder = root.join(std::ffi::OsStr::from_bytes(raw));
        std::fs::create_dir_all(folder.join("calendars")).unwrap();
        std::fs::write(folder.join("p.precept"), POLICY).unwrap();
        std::fs::write(folder.join("calendars/office.toml"), CALENDAR).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_precept"))
            .arg("check")
            .arg("--no-config")
            .arg("--policies")
            .arg(&folder)
            .args(["--output", "json", "records"])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{i}: {stderr}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["findings"].as_array().unwrap().len(), 2, "{i}: {json}");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
