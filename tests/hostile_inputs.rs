//! Hostile inputs at the file layer: things that are not regular files, files past their size
//! limits, byte-order marks, bytes that are not UTF-8, and links that leave the policy folder.
//!
//! Every case runs the binary with a timeout (a FIFO opened for a blocking read would hang the run),
//! asserts the exit status, the diagnostic code and the file it names, that a good record file was
//! still checked where the run goes on, and that no input changed.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = "schema s { id: text identified by id  n: integer }\n\
                      code \"C\" { level industry rule positive { for s require record.n > 0 } }\n";
const CALENDAR: &str = "zone = \"Europe/London\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n";
/// One record that breaks rule `positive`: its finding shows the file was checked.
const GOOD: &str = "{\"id\": \"a\", \"n\": 0}\n";

/// A fresh project in a temp folder: a policy, a calendar and a good record file.
struct Project {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// Kept open so a socket's listener lives as long as the test.
    _sockets: Vec<std::os::unix::net::UnixListener>,
}

impl Project {
    fn new() -> Project {
        // files on disk: this tests the file layer (FIFOs, links, devices, sizes, names).
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        for sub in ["policies", "records", "roles", "outside"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        std::fs::write(dir.join("policies/p.precept"), POLICY).unwrap();
        std::fs::write(dir.join("records/good.jsonl"), GOOD).unwrap();
        Project { _tmp: tmp, dir, _sockets: Vec::new() }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    /// Put a thing of `shape` at `rel`.
    fn make(&mut self, rel: &str, shape: Shape) {
        let p = self.path(rel);
        match shape {
            Shape::Fifo => mkfifo(&p),
            Shape::Socket => self._sockets.push(std::os::unix::net::UnixListener::bind(&p).unwrap()),
            Shape::LinkToFifo => {
                let target = self.path(&format!("outside/fifo-{}", self._sockets.len() + rel.len()));
                if !target.exists() {
                    mkfifo(&target);
                }
                std::os::unix::fs::symlink(&target, &p).unwrap();
            }
            Shape::DevZero => std::os::unix::fs::symlink("/dev/zero", &p).unwrap(),
            Shape::DevNull => std::os::unix::fs::symlink("/dev/null", &p).unwrap(),
        }
    }

    /// Run `precept` in the project with a timeout, never a hang.
    fn run(&self, args: &[&str]) -> common::Run {
        let before = common::tree_checksum(&self.dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_precept"))
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("`precept {}` did not finish in 30 s (blocked on an input?)", args.join(" "));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let run = common::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!says(&run.stderr, "panicked"), "{}", run.snapshot());
        assert_eq!(before, common::tree_checksum(&self.dir), "an input changed: {}", run.snapshot());
        run
    }
}

fn mkfifo(p: &Path) {
    common::mkfifo(p);
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Fifo,
    Socket,
    LinkToFifo,
    DevZero,
    DevNull,
}

const SHAPES: [Shape; 5] = [Shape::Fifo, Shape::Socket, Shape::LinkToFifo, Shape::DevZero, Shape::DevNull];

fn is_link(shape: Shape) -> bool {
    matches!(shape, Shape::LinkToFifo | Shape::DevZero | Shape::DevNull)
}

/// `text` is in `output`, however the renderer wrapped it (whitespace and frame characters are
/// left out of both).
fn says(output: &str, text: &str) -> bool {
    let norm = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace() && *c != '│').collect() };
    norm(output).contains(&norm(text))
}

/// The good record file was checked: its finding is in the report.
fn checked_good(run: &common::Run) -> bool {
    run.stdout.contains("good.jsonl") && run.stdout.contains("positive")
}

#[derive(Debug, Clone, Copy)]
enum Input {
    RecordsByName,
    RecordsInFolder,
    Policies,
    Roles,
    Waivers,
    Baseline,
    Settings,
    SettingsFound,
    CalendarFromPolicy,
    CalendarFromSettings,
}

const INPUTS: [Input; 10] = [
    Input::RecordsByName,
    Input::RecordsInFolder,
    Input::Policies,
    Input::Roles,
    Input::Waivers,
    Input::Baseline,
    Input::Settings,
    Input::SettingsFound,
    Input::CalendarFromPolicy,
    Input::CalendarFromSettings,
];

/// Set up `input` as a thing of `shape`; returns the arguments, the name the diagnostic must show,
/// the code expected, whether the run fails (exit 2), and whether records are still checked.
fn setup(p: &mut Project, input: Input, shape: Shape) -> (Vec<String>, String, &'static str, bool, bool) {
    let base = |extra: &[&str]| -> Vec<String> {
        let mut a = vec!["check".to_string(), "--policies".into(), "policies".into()];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let not_a_file = "precept::input::not-a-file";
    // A skipped link is a note, shown with its message (the code is in the JSON report).
    let skipped = "skipped symbolic link";
    let calendar = "precept::type::invalid-calendar";
    match input {
        Input::RecordsByName => {
            p.make("bad.jsonl", shape);
            (base(&["--no-config", "records", "bad.jsonl"]), "bad.jsonl".into(), not_a_file, true, true)
        }
        Input::RecordsInFolder => {
            p.make("records/bad.jsonl", shape);
            let (code, fails) = if is_link(shape) { (skipped, false) } else { (not_a_file, true) };
            (base(&["--no-config", "records"]), "records/bad.jsonl".into(), code, fails, true)
        }
        Input::Policies => {
            p.make("policies/bad.precept", shape);
            let (code, fails) = if is_link(shape) { (skipped, false) } else { (not_a_file, true) };
            (base(&["--no-config", "records"]), "policies/bad.precept".into(), code, fails, !fails)
        }
        Input::Roles => {
            p.write("roles/ok.toml", "");
            p.make("roles/bad.toml", shape);
            (
                base(&["--no-config", "--roles", "roles/bad.toml", "records"]),
                "roles/bad.toml".into(),
                not_a_file,
                true,
                true,
            )
        }
        Input::Waivers => {
            p.make("waivers.toml", shape);
            (
                base(&["--no-config", "--waivers", "waivers.toml", "records"]),
                "waivers.toml".into(),
                not_a_file,
                true,
                true,
            )
        }
        Input::Baseline => {
            p.make("baseline.json", shape);
            (
                base(&["--no-config", "--baseline", "baseline.json", "records"]),
                "baseline.json".into(),
                not_a_file,
                true,
                true,
            )
        }
        Input::Settings => {
            p.make("settings.toml", shape);
            (base(&["--config", "settings.toml", "records"]), "settings.toml".into(), not_a_file, true, false)
        }
        Input::SettingsFound => {
            p.make("precept.toml", shape);
            (base(&["records"]), "precept.toml".into(), not_a_file, true, false)
        }
        Input::CalendarFromPolicy => {
            p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
            p.make("policies/uk.toml", shape);
            (base(&["--no-config", "records"]), "uk.toml".into(), calendar, true, false)
        }
        Input::CalendarFromSettings => {
            p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
            p.write("policies/uk.toml", CALENDAR);
            p.write("precept.toml", "[calendars]\nuk = \"cal.toml\"\n");
            p.make("cal.toml", shape);
            (base(&["records"]), "cal.toml".into(), calendar, true, false)
        }
    }
}

#[test]
fn nothing_but_regular_files_is_read_and_nothing_blocks() {
    for input in INPUTS {
        for shape in SHAPES {
            let mut p = Project::new();
            let (args, name, code, fails, checks) = setup(&mut p, input, shape);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = p.run(&args);
            let what = format!("{input:?} as {shape:?}:\n{}", run.snapshot());
            assert!(says(&run.stderr, code), "expected {code}: {what}");
            assert!(says(&run.stderr, &name), "expected `{name}` named: {what}");
            if fails {
                assert_eq!(run.code, 2, "{what}");
            } else {
                assert_eq!(run.code, 1, "{what}");
            }
            assert_eq!(checked_good(&run), checks, "good records checked? {what}");
            if code == "precept::input::not-a-file" {
                assert!(says(&run.stderr, "is not a regular file ("), "{what}");
            }
        }
    }
}

#[test]
fn links_in_folder_walks_are_noted_once_and_not_followed() {
    for target in ["records/good.jsonl", "outside/x.jsonl", "records", "outside", "/dev/zero", "missing"] {
        let p = Project::new();
        p.write("outside/x.jsonl", "{\"id\": \"x\", \"n\": 0}\n");
        p.write("records/sub/y.jsonl", "{\"id\": \"y\", \"n\": 1}\n");
        let to = if target.starts_with('/') { PathBuf::from(target) } else { p.path(target) };
        std::os::unix::fs::symlink(&to, p.path("records/sub/link.jsonl")).unwrap();
        // The folder given twice, and a folder inside it: the link is still noted once.
        let run = p.run(&[
            "check",
            "--no-config",
            "--format",
            "json",
            "--policies",
            "policies",
            "records",
            "records",
            "records/sub",
        ]);
        let what = format!("link to {target}:\n{}", run.snapshot());
        assert_eq!(run.code, 1, "{what}");
        assert_eq!(run.stdout.matches("precept::input::skipped-link").count(), 1, "{what}");
        assert!(run.stdout.contains("records/sub/link.jsonl"), "{what}");
        // The two real files were checked, each once; the link's target was not read through it.
        assert!(run.stdout.contains("\"files\": 2,") && run.stdout.contains("\"records\": 2,"), "{what}");
        assert!(run.stdout.contains("\"record\":\"a\""), "{what}");
        assert!(!run.stdout.contains("\"record\":\"x\""), "{what}");
    }
}

#[test]
fn calendar_links_out_of_the_policy_folder_are_not_followed() {
    // Whatever the link points at outside the folder (a calendar, a secret, a device), it is not
    // read, and its text never appears in the output.
    for target in ["outside/cal.toml", "outside/secret.txt", "/dev/null", "/dev/zero", "/etc/hostname"] {
        for link in ["uk.toml", "sub/uk.toml"] {
            let p = Project::new();
            p.write("outside/cal.toml", CALENDAR);
            p.write("outside/secret.txt", "TOP-SECRET-CONTENT = 1\n");
            p.write("policies/p.precept", format!("calendar uk from \"{link}\"\n{POLICY}"));
            let from = p.path(&format!("policies/{link}"));
            std::fs::create_dir_all(from.parent().unwrap()).unwrap();
            let to = if target.starts_with('/') { PathBuf::from(target) } else { p.path(target) };
            std::os::unix::fs::symlink(&to, &from).unwrap();
            let run = p.run(&["check", "--no-config", "--policies", "policies", "records"]);
            let what = format!("{link} -> {target}:\n{}", run.snapshot());
            assert_eq!(run.code, 2, "{what}");
            assert!(says(&run.stderr, "precept::type::invalid-calendar"), "{what}");
            assert!(says(&run.stderr, "outside the policy folder"), "{what}");
            assert!(says(&run.stderr, "p.precept:1:"), "{what}");
            assert!(!says(&run.stderr, "TOP-SECRET"), "{what}");
        }
    }
    // A link that stays inside the policy folder is followed.
    let p = Project::new();
    p.write("policies/cals/real.toml", CALENDAR);
    std::os::unix::fs::symlink(p.path("policies/cals/real.toml"), p.path("policies/uk.toml")).unwrap();
    p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
    let run = p.run(&["check", "--no-config", "--policies", "policies", "records"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(checked_good(&run), "{}", run.snapshot());
}

/// Each kind with a limit, how to make a file of it that is `size` bytes, and the arguments.
fn sized(p: &Project, key: &str, size: usize) -> (Vec<&'static str>, &'static str) {
    let pad = |head: &str, comment: &str| {
        let mut t = head.to_string();
        while t.len() < size {
            t.push_str(comment);
        }
        t
    };
    match key {
        "record-line" => {
            // A good line, an over-long line, a good line: reading goes on after it.
            let long = format!("{{\"id\": \"b\", \"n\": 0, \"pad\": \"{}\"}}", "x".repeat(size));
            p.write("records/long.jsonl", format!("{GOOD}{long}\n{{\"id\": \"c\", \"n\": 0}}\n"));
            (vec!["records"], "records/long.jsonl")
        }
        "record-file" => {
            p.write("records/big.json", pad("{\"id\": \"b\", \"n\": 0}", " "));
            (vec!["records"], "records/big.json")
        }
        "policy" => {
            p.write("policies/p.precept", pad(POLICY, "// padding\n"));
            (vec!["records"], "policies/p.precept")
        }
        "role" => {
            p.write("roles/r.toml", pad("", "# padding\n"));
            (vec!["--roles", "roles", "records"], "roles/r.toml")
        }
        "waivers" => {
            p.write("w.toml", pad("", "# padding\n"));
            (vec!["--waivers", "w.toml", "records"], "w.toml")
        }
        "baseline" => {
            p.write("b.json", pad("", " "));
            (vec!["--baseline", "b.json", "records"], "b.json")
        }
        "calendar" => {
            p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
            p.write("policies/uk.toml", pad(CALENDAR, "# padding\n"));
            (vec!["records"], "uk.toml")
        }
        _ => unreachable!(),
    }
}

#[test]
fn size_limits_per_kind_by_flag_and_by_setting() {
    let keys = ["record-line", "record-file", "policy", "role", "waivers", "baseline", "calendar"];
    for key in keys {
        for size in [2048usize, 5000] {
            for by_setting in [false, true] {
                let p = Project::new();
                let (extra, name) = sized(&p, key, size);
                let limit = format!("{key}=1KiB");
                let mut args = vec!["check", "--policies", "policies"];
                if by_setting {
                    p.write("precept.toml", format!("[limits]\n{key} = \"1KiB\"\n"));
                } else {
                    args.extend(["--no-config", "--limit", &limit]);
                }
                args.extend(extra.iter().copied());
                let run = p.run(&args);
                let what = format!("{key} {size} bytes, setting {by_setting}:\n{}", run.snapshot());
                assert_eq!(run.code, 2, "{what}");
                // A calendar's problems are the policy's (`invalid-calendar`), with the reason.
                let code =
                    if key == "calendar" { "precept::type::invalid-calendar" } else { "precept::input::too-large" };
                assert!(says(&run.stderr, code), "{what}");
                assert!(says(&run.stderr, "is larger than the") || key == "record-line", "{what}");
                assert!(says(&run.stderr, name), "{what}");
                assert!(says(&run.stderr, "1 KiB"), "{what}");
                assert!(says(&run.stderr, &format!("--limit {key}=SIZE")), "{what}");
                if key == "record-line" {
                    assert!(says(&run.stderr, "line 2 of"), "{what}");
                    // The lines either side were still read: both break the rule.
                    assert!(run.stdout.contains("long.jsonl:1:") && run.stdout.contains("long.jsonl:3:"), "{what}");
                }
                // Raised far enough, the same input is read.
                let mut args = vec!["check", "--policies", "policies", "--limit"];
                let raised = format!("{key}=1MiB");
                args.push(&raised);
                args.extend(extra.iter().copied());
                let run = p.run(&args);
                assert!(!says(&run.stderr, "limit of"), "raised: {what}\n{}", run.snapshot());
            }
        }
    }
    // The settings file itself: only the flag can bound it.
    let p = Project::new();
    p.write("precept.toml", format!("records = [\"records\"]\n{}", "# padding\n".repeat(300)));
    let run = p.run(&["check", "--limit", "settings=1KiB", "--policies", "policies"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(says(&run.stderr, "precept::input::too-large") && says(&run.stderr, "precept.toml"), "{}", run.snapshot());
}

#[test]
fn unknown_limits_and_bad_sizes_are_errors() {
    for (setting, want) in [
        ("record-lines = \"1MiB\"", "did you mean `record-line`?"),
        ("polcy = 1024", "did you mean `policy`?"),
        ("policy = \"lots\"", "must be a size"),
        ("policy = true", "must be a size"),
        ("policy = \"1.5MiB\"", "must be a size"),
    ] {
        let p = Project::new();
        p.write("precept.toml", format!("[limits]\n{setting}\n"));
        let run = p.run(&["check", "--policies", "policies", "records"]);
        assert_eq!(run.code, 2, "{setting}: {}", run.snapshot());
        assert!(says(&run.stderr, "precept::config::invalid"), "{}", run.snapshot());
        assert!(says(&run.stderr, want), "{setting}: {}", run.snapshot());
        assert!(says(&run.stderr, "precept.toml:2:"), "{setting}: {}", run.snapshot());
    }
    for flag in ["record-lines=1MiB", "policy", "policy=lots", "policy=-1"] {
        let p = Project::new();
        let run = p.run(&["check", "--no-config", "--limit", flag, "--policies", "policies", "records"]);
        assert_eq!(run.code, 2, "{flag}: {}", run.snapshot());
        assert!(says(&run.stderr, "--limit"), "{flag}: {}", run.snapshot());
    }
}

/// Run a check and keep only what is comparable between two projects: exit status, stdout and
/// stderr with the temp folder removed.
fn outcome(p: &Project, args: &[&str]) -> (i32, String, String) {
    let run = p.run(args);
    let dir = p.dir.to_string_lossy().to_string();
    (run.code, run.stdout.replace(&dir, "DIR"), run.stderr.replace(&dir, "DIR"))
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    const BOM: &str = "\u{feff}";
    // Each text kind, a content that gives findings or diagnostics with columns, and the args.
    let bad_policy = "schema s { id: text identified by id  n: integer }\n\
                      code \"C\" { level industry rule positive { for s require record.n > 0 } \
                      rule r2 { for s require record.nn > 0 } }\n";
    let roles = "[[role]]\nid = \"a\"\ntitle = \"A\"\nescalates_to = \"nobody\"\n";
    let waivers = "[[waiver]]\nrule = \"positive\"\nrecord = \"zz\"\nreason = 1\n";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("policies/p.precept", POLICY.to_string(), vec!["records"]),
        ("policies/p.precept", bad_policy.to_string(), vec!["records"]),
        ("records/good.jsonl", GOOD.to_string(), vec!["records"]),
        ("records/good.jsonl", "{\"id\": \"a\", \"n\": \"x\"}\n{\"id\": \"b\", \"n\": 0}\n".into(), vec!["records"]),
        ("records/t.json", "[{\"id\": \"a\", \"n\": 0}, {\"id\": \"b\", \"n\": \"x\"}]".into(), vec!["records"]),
        ("records/t.toml", "id = \"a\"\nn = 0\n".into(), vec!["records"]),
        ("records/t.toml", "id = \"a\"\nn = \"x\"\n".into(), vec!["records"]),
        ("records/t.csv", "id,n\na,0\nb,x\n".into(), vec!["records"]),
        ("roles/r.toml", roles.into(), vec!["--roles", "roles", "records"]),
        ("w.toml", waivers.into(), vec!["--waivers", "w.toml", "records"]),
        ("precept.toml", "records = [\"records\"]\nfail_onn = \"error\"\n".into(), vec![]),
        ("precept.toml", "records = [\"records\"]\n".into(), vec![]),
        ("policies/uk.toml", CALENDAR.into(), vec!["records"]),
        ("policies/uk.toml", "zone = \"Mars/Olympus\"\n".into(), vec!["records"]),
    ];
    for (rel, text, extra) in cases {
        let mut results = Vec::new();
        for with_bom in [false, true] {
            let p = Project::new();
            if rel == "policies/uk.toml" {
                p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
            }
            let body = if with_bom { format!("{BOM}{text}") } else { text.clone() };
            p.write(rel, body);
            let mut args = vec!["check", "--policies", "policies"];
            args.extend(extra.iter().copied());
            results.push(outcome(&p, &args));
        }
        assert_eq!(results[0], results[1], "{rel} with and without a BOM:\n{text}");
        assert!(!results[1].2.contains("precept::parse::syntax"), "{rel}: {:?}", results[1]);
    }
}

#[test]
fn bytes_that_are_not_utf8_are_placed_in_every_kind() {
    // (file, text with `@` where the bad byte goes, args)
    let cases: Vec<(&str, &str, Vec<&str>)> = vec![
        ("precept.toml", "records = [\"records\"]\n# note @ here\nfail_on = \"error\"\n", vec![]),
        ("precept.toml", "@records = [\"records\"]\n", vec![]),
        ("precept.toml", "records = [\"rec@ords\"]\n", vec![]),
        ("policies/p.precept", "schema s { id: text identified by id  n: integer }\n// @\n", vec!["records"]),
        ("roles/r.toml", "[[role]]\nid = \"a@\"\n", vec!["--roles", "roles", "records"]),
        ("w.toml", "# a\n\n  @\n", vec!["--waivers", "w.toml", "records"]),
        ("b.json", "{\n \"x\": \"@\"}\n", vec!["--baseline", "b.json", "records"]),
        ("policies/uk.toml", "zone = \"Europe/London\"\n# @\n", vec!["records"]),
    ];
    for (rel, template, extra) in cases {
        for bad in [&b"\xff"[..], b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80"] {
            let p = Project::new();
            if rel == "policies/uk.toml" {
                p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
            }
            let at = template.find('@').unwrap();
            let mut bytes = template.as_bytes()[..at].to_vec();
            bytes.extend_from_slice(bad);
            bytes.extend_from_slice(&template.as_bytes()[at + 1..]);
            p.write(rel, &bytes);
            let before = &template[..at];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
            let mut args = vec!["check", "--policies", "policies"];
            args.extend(extra.iter().copied());
            let run = p.run(&args);
            let what = format!("{rel} {bad:?}:\n{}", run.snapshot());
            assert_eq!(run.code, 2, "{what}");
            let want = format!("(line {line}, column {col})");
            if rel == "policies/uk.toml" {
                assert!(says(&run.stderr, "precept::type::invalid-calendar"), "{what}");
            } else {
                assert!(says(&run.stderr, "precept::input::invalid-utf8"), "{what}");
            }
            assert!(says(&run.stderr, &want), "expected {want}: {what}");
            assert!(says(&run.stderr, rel.rsplit('/').next().unwrap()), "{what}");
        }
    }
}

/// A TOML file within its size limit whose document tree would take more than four times the
/// limit once parsed (thousands of tiny values) is `too-large` before it is parsed, for every kind
/// of TOML input; the same file under a raised limit is parsed (and then has whatever other
/// problems it has), and the record file beside it is still checked where the run goes on.
#[test]
fn toml_inputs_that_expand_past_their_budget_are_refused_before_parsing() {
    // About 3.6 KiB of text, about 290 KiB once parsed; under a limit of 4 KiB.
    let tiny = format!("x = [{}]\n", vec!["{}"; 1200].join(","));
    for key in ["role", "waivers", "calendar", "record-file", "settings"] {
        for raised in [false, true] {
            let p = Project::new();
            let limit = format!("{key}={}", if raised { "1MiB" } else { "4KiB" });
            let mut args = vec!["check", "--policies", "policies", "--limit", &limit];
            let name = match key {
                "role" => {
                    p.write("roles/r.toml", &tiny);
                    args.extend(["--no-config", "--roles", "roles"]);
                    "roles/r.toml"
                }
                "waivers" => {
                    p.write("w.toml", &tiny);
                    args.extend(["--no-config", "--waivers", "w.toml"]);
                    "w.toml"
                }
                "calendar" => {
                    p.write("policies/p.precept", format!("calendar uk from \"uk.toml\"\n{POLICY}"));
                    p.write("policies/uk.toml", format!("{CALENDAR}{tiny}"));
                    args.push("--no-config");
                    "uk.toml"
                }
                "record-file" => {
                    p.write("records/t.toml", format!("id = \"t\"\nn = 0\n{tiny}"));
                    args.push("--no-config");
                    "records/t.toml"
                }
                _ => {
                    p.write("precept.toml", format!("records = [\"records\"]\n{tiny}"));
                    "precept.toml"
                }
            };
            args.push("records");
            let before = common::tree_checksum(&p.dir);
            let run = p.run(&args);
            let what = format!("{key} raised {raised}:\n{}", run.snapshot());
            assert_eq!(common::tree_checksum(&p.dir), before, "{what}");
            let refused = says(&run.stderr, "in memory once parsed");
            assert_eq!(refused, !raised, "{what}");
            if !raised {
                assert_eq!(run.code, 2, "{what}");
                assert!(says(&run.stderr, name) && says(&run.stderr, &format!("--limit {key}=SIZE")), "{what}");
                let code =
                    if key == "calendar" { "precept::type::invalid-calendar" } else { "precept::input::too-large" };
                assert!(says(&run.stderr, code), "{what}");
                if key == "record-file" || key == "role" || key == "waivers" {
                    // The run went on: the good record file was checked.
                    assert!(run.stdout.contains("good.jsonl:1:"), "{what}");
                }
            }
        }
    }
}
