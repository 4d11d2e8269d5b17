//! `precept lint`: every failing case in `fixtures/lint/err/` gives the diagnostic it declares
//! (reviewed snapshots), and the realistic organisation in `fixtures/org/` lints clean.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::Path;

use precept::diagnostics::render::{render, Style};

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 22)
}

/// Lint `path` (a file or a folder), returning the rendered problems and their codes.
fn lint(path: &Path) -> (String, Vec<String>) {
    let rel = common::rel(path);
    let (org, _, input) = precept::workspace::load_org(&[rel]);
    let problems = precept::roles::lint::lint(&org, as_of());
    let mut out = String::new();
    for d in input.iter().chain(&problems) {
        out.push_str(&render(d, Style::plain()));
    }
    (out, input.iter().chain(&problems).map(|d| d.code.to_string()).collect())
}

fn expectation(path: &Path) -> String {
    if path.is_dir() {
        let mut text = String::new();
        for e in walkdir::WalkDir::new(path).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if e.file_type().is_file() {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        text
    } else {
        std::fs::read_to_string(path).unwrap()
    }
}

#[test]
fn every_lint_case_gives_exactly_what_it_declares() {
    let dir = common::root().join("fixtures/lint/err");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).map(|e| e.path()).collect();
    cases.retain(|p| p.is_dir() || p.extension().is_some_and(|x| x == "toml"));
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let (rendered, codes) = lint(&case);
        let expected = common::expected_codes(&expectation(&case));
        assert!(!expected.is_empty(), "{} does not say what it expects", case.display());
        let mut got = codes.clone();
        got.sort();
        got.dedup();
        let mut want = expected.clone();
        want.sort();
        want.dedup();
        assert_eq!(got, want, "{}:\n{rendered}", case.display());
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(format!("lint_err@{name}"), rendered);
    }
}

#[test]
fn the_bundled_organisation_lints_clean() {
    let (rendered, _) = lint(&common::root().join("fixtures/org"));
    assert_eq!(rendered, "", "fixtures/org should lint clean");
    let (rendered, _) = lint(&common::root().join("fixtures/clean/org"));
    assert_eq!(rendered, "", "fixtures/clean/org should lint clean");
    let (org, files, _) = precept::workspace::load_org(&[common::root().join("fixtures/org")]);
    assert!(files >= 2);
    assert!(org.roles.len() >= 8, "at least 8 roles");
    assert!(org.staff.len() >= 20, "at least 20 staff");
}

#[test]
fn lint_from_the_command_line() {
    let run = common::precept(&["lint", "--as-of", "2026-11-22", "fixtures/org"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(run.stdout.contains("no problems"));
    let run = common::precept(&[
        "lint",
        "--as-of",
        "2026-11-22",
        "--format",
        "json",
        "fixtures/lint/err/escalation-cycle.toml",
    ]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    insta::assert_snapshot!(run.stdout);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for f in doc["findings"].as_array().unwrap() {
        for key in ["rule", "severity", "file", "line", "column", "message"] {
            assert!(f.get(key).is_some(), "lint finding lacks `{key}`: {f}");
        }
    }
    let run = common::precept(&["lint", "--as-of", "2026-11-22", "fixtures/lint/err/invalid-missing-title.toml"]);
    assert_eq!(
        run.code,
        1,
        "a definition of the wrong shape is a problem found, not unusable input: {}",
        run.snapshot()
    );
    let run = common::precept(&["lint", "--as-of", "22/11/2026", "fixtures/org"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::usage::as-of"), "{}", run.stderr);
    let run = common::precept(&["lint", "no/such/org"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::input::not-found"), "{}", run.stderr);
}

#[test]
fn unusable_role_files_are_input_errors() {
    // files on disk: `precept lint` walks a folder of role files, one not UTF-8.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lint-hostile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bad-utf8.toml"), b"[[role]]\nid = \"caf\xe9\"\n").unwrap();
    std::fs::write(dir.join("broken.toml"), "[[role]\nid = \"x\"\n").unwrap();
    std::fs::write(dir.join("empty.toml"), "").unwrap();
    let deep = format!("x = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    std::fs::write(dir.join("deep.toml"), deep).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(["lint", "--as-of", "2026-11-22", "."])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for code in ["precept::input::invalid-utf8", "precept::input::toml", "precept::input::empty-file"] {
        assert!(stderr.contains(code), "expected {code}:\n{stderr}");
    }
    assert!(stderr.contains("bad-utf8.toml:2:"), "{stderr}");
}

/// Role files of one long chain `r0 -> r1 -> ...`; `last` is what the last role says about its senior.
fn chain_org(n: usize, last: &str) -> precept::roles::Org {
    let mut text = String::new();
    for i in 0..n {
        let senior = if i + 1 == n { last.to_string() } else { format!("escalates_to = \"r{}\"", i + 1) };
        text.push_str(&format!("[[role]]\nid = \"r{i}\"\ntitle = \"Role {i}\"\n{senior}\n\n"));
    }
    let mut org = precept::roles::Org::default();
    let mut diags = Vec::new();
    let file = precept::source::SourceFile::new("chain.toml", text);
    precept::roles::read::read_file(&file, &mut org, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    org
}

/// Escalation checks over chains thousands of roles long (walked iteratively, each role once):
/// a dead end counts every role below it, and a cycle anywhere along a chain is reported once,
/// naming each of its roles in order.
#[test]
fn long_escalation_chains_give_the_same_answers() {
    let n = 2_000;
    let codes = |problems: &[precept::diagnostics::Diag], code: &str| {
        problems.iter().filter(|d| d.code == code).cloned().collect::<Vec<_>>()
    };
    // A clean chain, and one whose last role is neither top nor escalates to anyone.
    let clean = precept::roles::lint::lint(&chain_org(n, "top = true"), as_of());
    assert!(codes(&clean, "precept::role::no-route-to-top").is_empty());
    assert!(codes(&clean, "precept::role::escalation-cycle").is_empty());
    let dead = precept::roles::lint::lint(&chain_org(n, ""), as_of());
    let ends = codes(&dead, "precept::role::no-route-to-top");
    assert_eq!(ends.len(), 1);
    assert_eq!(
        ends[0].message,
        format!("role `r{}` has no route up to a top role, nor do the {} roles that escalate to it", n - 1, n - 1)
    );
    // The last role escalates back into the chain at many places: one cycle each time, of the
    // roles from there up, named from the first by id, and no dead end.
    for back in [0, 1, 7, 999, n / 2, n - 2, n - 1] {
        let org = chain_org(n, &format!("escalates_to = \"r{back}\""));
        let problems = precept::roles::lint::lint(&org, as_of());
        let cycles = codes(&problems, "precept::role::escalation-cycle");
        assert_eq!(cycles.len(), 1, "back to r{back}");
        assert!(codes(&problems, "precept::role::no-route-to-top").is_empty(), "back to r{back}");
        let shown = cycles[0].message.trim_start_matches("roles escalate in a circle: ");
        assert!(cycles[0].message.chars().count() <= precept::text::MAX_MESSAGE + 1, "back to r{back}");
        // A long circle is named up to the bound every message has, then `…`; a short one whole.
        if let Some(cut) = shown.strip_suffix('…') {
            let names: Vec<&str> = cut.split(" -> ").collect();
            assert!(names.len() > 20, "back to r{back}: {shown}");
            let whole: Vec<String> = (back..n).map(|i| format!("r{i}")).collect();
            assert!(whole.join(" -> ").starts_with(cut), "back to r{back}: {shown}");
        } else {
            let names: Vec<&str> = shown.split(" -> ").collect();
            assert_eq!(names.len(), n - back + 1, "back to r{back}");
            assert_eq!(names.first(), names.last());
            let mut members: Vec<&str> = names[..names.len() - 1].to_vec();
            members.sort_unstable();
            members.dedup();
            assert_eq!(members.len(), n - back, "each role of the cycle once");
        }
        // Every hop of the circle is labelled.
        assert_eq!(cycles[0].labels.len(), n - back, "back to r{back}");
    }
}

/// `precept lint --format json` against its own published schema (`docs/lint-report.schema.json`):
/// every failing lint case, the clean organisation, and a role file that cannot be parsed (a
/// diagnostic rather than a finding).
#[test]
fn the_lint_json_report_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/lint-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    let check = |dir: &Path, args: &[&str]| -> serde_json::Value {
        let mut all = vec!["lint", "--as-of", "2026-11-22", "--format", "json"];
        all.extend_from_slice(args);
        let run = common::precept_in(dir, &all);
        let doc: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert_eq!(errors, Vec::<String>::new(), "{args:?}");
        doc
    };
    let clean = check(&common::root(), &["fixtures/org"]);
    assert_eq!(clean["findings"], serde_json::json!([]));
    let mut cases: Vec<_> = std::fs::read_dir(common::root().join("fixtures/lint/err"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    let mut with_findings = 0;
    for case in &cases {
        let rel = common::rel(case);
        let doc = check(&common::root(), &[rel.to_str().unwrap()]);
        with_findings += usize::from(!doc["findings"].as_array().unwrap().is_empty());
    }
    assert!(with_findings > 0);
    // files on disk: a role file that is not TOML, for the report's diagnostics.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("roles.toml"), "[[role]\nid = ").unwrap();
    let broken = check(dir.path(), &["roles.toml"]);
    assert!(!broken["diagnostics"].as_array().unwrap().is_empty(), "{broken}");
}
