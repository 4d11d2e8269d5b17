//! Everyday command-line behaviour: `--color`, the width of human output (`COLUMNS`), the progress
//! indicator never reaching a stderr that is not a terminal, and `--output` making missing folders
//! and naming the path asked for when it cannot write.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::Path;
use std::process::Command;

/// `precept` from the project root with `env` set and every colour, width and CI variable of the
/// environment running the tests removed first; stdout and stderr are pipes, not terminals.
fn run(args: &[&str], env: &[(&str, &str)]) -> common::Run {
    run_in(&common::root(), args, env)
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_precept"));
    cmd.args(args).current_dir(dir);
    for v in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "COLUMNS", "CI", "TERM"] {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const CHECK: &[&str] = &["check", "--no-config", "--policies", "policies", "fixtures/records"];

fn with<'a>(before: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
    before.iter().chain(args).copied().collect()
}

/// The longest line of `text`, in characters.
fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn color_auto_is_plain_into_a_pipe_and_always_and_clicolor_force_colour_it() {
    let esc = "\u{1b}[";
    let plain = run(CHECK, &[]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);
    assert!(!plain.stdout.contains(esc) && !plain.stderr.contains(esc));
    let always = run(&with(&["--color", "always"], CHECK), &[]);
    assert!(always.stdout.contains(esc), "findings coloured");
    assert!(always.stderr.contains(esc), "diagnostics coloured");
    // The flag works after the subcommand too, and wins over NO_COLOR.
    let after = run(&with(CHECK, &["--color", "always"]), &[("NO_COLOR", "1")]);
    assert!(after.stdout.contains(esc));
    let forced = run(CHECK, &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stdout.contains(esc), "CLICOLOR_FORCE colours a pipe");
    let forced_but_no = run(CHECK, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!forced_but_no.stdout.contains(esc), "NO_COLOR wins over CLICOLOR_FORCE");
    let never = run(&with(&["--color", "never"], CHECK), &[("CLICOLOR_FORCE", "1")]);
    assert!(!never.stdout.contains(esc) && !never.stderr.contains(esc));
    // Colour changes nothing else: without the escapes, the reports are the same.
    assert_eq!(strip_ansi(&always.stdout), plain.stdout);
    let bad = run(&with(&["--color", "sometimes"], CHECK), &[]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("possible values: auto, always, never"), "{}", bad.stderr);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn columns_sets_the_width_of_human_output_and_an_invalid_one_is_ignored() {
    let default = run(CHECK, &[]);
    // Help text wraps at the width; source lines are excerpts and may be longer, so compare the
    // lines miette wraps (messages and helps).
    let wrapped = |r: &common::Run| {
        widest(
            &r.stdout
                .lines()
                .filter(|l| l.trim_start().starts_with("help:") || l.trim_start().starts_with('×'))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    };
    assert!(wrapped(&default) <= 80 && wrapped(&default) > 60, "80 columns by default: {}", wrapped(&default));
    let narrow = run(CHECK, &[("COLUMNS", "50")]);
    assert!(wrapped(&narrow) <= 50, "{}", wrapped(&narrow));
    let wide = run(CHECK, &[("COLUMNS", "200")]);
    assert!(wrapped(&wide) > 80, "{}", wrapped(&wide));
    for invalid in ["0", "wide", "5", "100000"] {
        let r = run(CHECK, &[("COLUMNS", invalid)]);
        assert_eq!(r.stdout, default.stdout, "COLUMNS={invalid} is ignored");
    }
    // The JSON report has no width.
    let json = |cols: &str| run(&with(CHECK, &["--format", "json"]), &[("COLUMNS", cols), ("SOURCE_DATE_EPOCH", "0")]);
    assert_eq!(json("50").stdout, json("200").stdout);
}

/// A folder with a policy and `n` records in `r.jsonl`, none with a finding.
fn many_records(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/p.precept"),
        "schema t { files \"*.jsonl\" identified by id  id: text  n: integer }\n\
         code \"C\" { level organisational\n\
           rule small { title \"n is small\" for t require record.n < 1000000000 message \"{record.id}\" } }\n",
    )
    .unwrap();
    let mut text = String::with_capacity(n * 28);
    for i in 0..n {
        text.push_str(&format!("{{\"id\": \"r{i}\", \"n\": {i}}}\n"));
    }
    std::fs::write(dir.path().join("r.jsonl"), text).unwrap();
    dir
}

const LONG: &[&str] = &["check", "--no-config", "--policies", "p", "r.jsonl"];

/// Records enough for a check to outlast the indicator's two seconds on this machine: doubled
/// until one does (a debug build needs far fewer than an optimised one).
fn long_check() -> (tempfile::TempDir, common::Run) {
    let mut n = 200_000;
    loop {
        let dir = many_records(n);
        let began = std::time::Instant::now();
        let run = run_in(dir.path(), LONG, &[]);
        if began.elapsed().as_secs_f64() > 2.5 || n >= 6_400_000 {
            assert!(began.elapsed().as_secs_f64() > 2.5, "no check outlasted the indicator's delay");
            return (dir, run);
        }
        n *= 2;
    }
}

/// A check long enough for the indicator writes not one byte of it to a stderr that is a pipe:
/// stderr is the same as with `--quiet`, and empty.
#[test]
fn no_progress_reaches_a_stderr_that_is_not_a_terminal() {
    let (dir, loud) = long_check();
    assert_eq!(loud.code, 0, "{}", loud.stderr);
    assert_eq!(loud.stderr, "", "nothing on a stderr that is a pipe");
    let quiet = run_in(dir.path(), &with(LONG, &["--quiet"]), &[]);
    assert_eq!((quiet.stdout, quiet.stderr), (loud.stdout, loud.stderr));
}

/// On a terminal (a pseudo-terminal made by `script`), a long check shows its progress unless
/// `--quiet` or `CI` says not to; the report is the same either way.
#[cfg(unix)]
#[test]
fn a_long_check_on_a_terminal_shows_progress_unless_quiet_or_ci() {
    if !common::have_tool("script", "util-linux") {
        return;
    }
    let on_terminal = |dir: &Path, extra: &str, env: &[(&str, &str)]| {
        let command = format!("'{}' {} {extra}", env!("CARGO_BIN_EXE_precept"), LONG.join(" "));
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"]).current_dir(dir);
        for v in ["CI", "NO_COLOR", "CLICOLOR_FORCE", "COLUMNS"] {
            cmd.env_remove(v);
        }
        cmd.envs(env.iter().copied());
        let began = std::time::Instant::now();
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        (String::from_utf8_lossy(&out.stdout).into_owned(), began.elapsed().as_secs_f64())
    };
    // The run on the terminal must itself outlast the indicator's delay: on a machine whose load
    // falls between runs, a size found long enough once may not be the next time.
    let (mut dir, _) = long_check();
    let mut n = std::fs::read_to_string(dir.path().join("r.jsonl")).map_or(0, |t| t.lines().count());
    let shown = loop {
        let (shown, took) = on_terminal(dir.path(), "", &[]);
        if took > 2.5 || n >= 6_400_000 {
            assert!(took > 2.5, "no check on the terminal outlasted the indicator's delay");
            break shown;
        }
        n *= 2;
        dir = many_records(n);
    };
    let dir = dir.path();
    assert!(shown.contains("records/s") && shown.contains("of 1 file"), "{shown:?}");
    assert!(shown.contains("no findings"), "the report is still written: {shown:?}");
    for (extra, env) in [("--quiet", &[][..]), ("", &[("CI", "true")][..])] {
        let (hidden, _) = on_terminal(dir, extra, env);
        assert!(!hidden.contains("records/s"), "{extra} {env:?}: {hidden:?}");
        assert!(hidden.contains("no findings"), "{hidden:?}");
    }
}

#[test]
fn output_makes_missing_folders_and_names_the_path_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("reports/2026/run.json");
    let target = format!("json={}", report.display());
    let r = run(&with(CHECK, &["--output", &target]), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(std::fs::read_to_string(&report).unwrap().contains("\"findings\""));
    // A file where a folder should be: the report's path is named, and no temporary file.
    std::fs::write(dir.path().join("plain"), "x").unwrap();
    let blocked = dir.path().join("plain/run.sarif");
    let r = run(&with(CHECK, &["--output", &format!("sarif={}", blocked.display())]), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("precept::usage::output"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("`{}`", blocked.display())), "{}", r.stderr);
    assert!(r.stderr.contains("is not a folder"), "{}", r.stderr);
    assert!(!r.stderr.contains(".precept-"), "{}", r.stderr);
    // The baseline is written the same way.
    let baseline = dir.path().join("known/baseline.json");
    let r = run(
        &[
            "baseline",
            "--no-config",
            "--policies",
            "policies",
            "--file",
            &baseline.display().to_string(),
            "fixtures/records",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(baseline.is_file());
}

#[cfg(unix)]
#[test]
fn output_never_makes_folders_through_a_link_that_leads_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("out")).unwrap();
    let asked = dir.path().join("out/sub/r.json");
    let r = run(&with(CHECK, &["--output", &format!("json={}", asked.display())]), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("leads nowhere"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("`{}`", asked.display())), "{}", r.stderr);
    assert!(!elsewhere.exists());
}

#[test]
fn explain_reads_every_spelling_of_a_code_and_shows_its_example_and_fix() {
    let full = common::precept(&["explain", "precept::type::unknown-field"]);
    assert_eq!(full.code, 0, "{}", full.stderr);
    assert_eq!(common::precept(&["explain", "type::unknown-field"]).stdout, full.stdout);
    assert!(full.stdout.contains("\n    $ precept test --policies policies\n"), "{}", full.stdout);
    assert!(full.stdout.contains("record.acknowleged_at") && full.stdout.contains("\nFix:\n"), "{}", full.stdout);
    insta::assert_snapshot!(full.stdout);
    // A code of the `rule` family is a diagnostic code even though it reads like a finding's.
    let dup = common::precept(&["explain", "rule::duplicate-id"]);
    assert!(dup.stdout.starts_with("precept::rule::duplicate-id\n\nTwo rules share an id."), "{}", dup.stdout);
    // A bare code name is not a rule; the help names the code.
    let bare = common::precept(&["explain", "unknown-field"]);
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("`precept::type::unknown-field`"), "{}", bare.stderr);
    let not_a_code = common::precept(&["explain", "type::unknown-feild"]);
    assert_eq!(not_a_code.code, 2);
    assert!(not_a_code.stderr.contains("did you mean `precept::type::unknown-field`?"), "{}", not_a_code.stderr);
}

#[test]
fn explain_takes_a_findings_code_for_its_rule() {
    let bare = common::precept(&["explain", "complaint-escalation-share"]);
    assert_eq!(bare.code, 0, "{}", bare.stderr);
    for spelling in ["precept::rule::complaint-escalation-share", "rule::complaint-escalation-share"] {
        assert_eq!(common::precept(&["explain", spelling]).stdout, bare.stdout, "{spelling}");
    }
    let typo = common::precept(&["explain", "precept::rule::complaint-escalation-shar"]);
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("did you mean `complaint-escalation-share`?"), "{}", typo.stderr);
}

#[test]
fn explain_as_json_gives_a_rule_or_a_code_with_its_example() {
    let rule = common::precept(&["explain", "precept::rule::complaint-escalation-share", "--format", "json"]);
    assert_eq!(rule.code, 0, "{}", rule.stderr);
    let v: serde_json::Value = serde_json::from_str(&rule.stdout).unwrap();
    assert_eq!(v["kind"], "rule");
    assert_eq!(v["code"], "precept::rule::complaint-escalation-share");
    assert_eq!(v["versions"][0]["severity"], "warning");
    assert!(v["versions"][0]["text"].as_str().unwrap().starts_with("rule complaint-escalation-share {"));
    insta::assert_snapshot!("explain_rule_json", rule.stdout);
    // Every example shown by `explain` is the one the registry test runs.
    for e in precept::diagnostics::examples::all() {
        let short = e.code.trim_start_matches("precept::");
        let run = common::precept(&["explain", short, "--format", "json"]);
        assert_eq!(run.code, 0, "{}: {}", e.code, run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!((v["kind"].as_str(), v["code"].as_str()), (Some("code"), Some(e.code.as_str())));
        assert_eq!(v["example"]["run"], serde_json::json!(e.run), "{}", e.code);
        assert_eq!(v["example"]["fix"]["run"], serde_json::json!(e.fixed_run()), "{}", e.code);
        assert_eq!(v["example"]["files"].as_array().unwrap().len(), e.files.len(), "{}", e.code);
        assert_eq!(v["example"]["fix"]["files"].as_array().unwrap().len(), e.fix.len(), "{}", e.code);
    }
    // A code with no example says so with `null`.
    let none = common::precept(&["explain", "output::truncated", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&none.stdout).unwrap();
    assert!(v["example"].is_null() && v["summary"].as_str().unwrap().contains("25,000"));
}
