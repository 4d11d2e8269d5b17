//! `precept diff` over `fixtures/diff/`: a policy change that adds, removes and changes findings.
//! Each record there declares the rules it breaks under each side (`expect_base`,
//! `expect_change`); the findings that appear and disappear are derived from those declarations
//! (plain CSV reading, independent of Precept) and compared with the JSON report, which is also
//! checked against its schema (`docs/diff-report.schema.json`). The human and Markdown forms are
//! snapshotted; `--fail-on-new-errors` and a broken side are checked by exit status and message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

const BASE: &str = "fixtures/diff/base";
const CHANGE: &str = "fixtures/diff/change";
const RECORDS: &str = "fixtures/diff/records";

fn diff(extra: &[&str]) -> common::Run {
    let mut args = vec!["diff", "--no-config", "--base-policies", BASE, "--policies", CHANGE];
    args.extend_from_slice(extra);
    args.push(RECORDS);
    common::precept(&args)
}

/// Rules broken, each with the record that breaks it.
type Broken = BTreeSet<(String, String)>;

/// What each side's declarations say is broken: (base, change).
fn declared() -> (Broken, Broken) {
    let text = std::fs::read_to_string(common::root().join(RECORDS).join("tickets.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, base, change) = (col("id"), col("expect_base"), col("expect_change"));
    let (mut b, mut c) = (BTreeSet::new(), BTreeSet::new());
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for (set, at) in [(&mut b, base), (&mut c, change)] {
            for rule in cells[at].split(';').filter(|r| !r.is_empty()) {
                set.insert((rule.to_string(), cells[id].to_string()));
            }
        }
    }
    (b, c)
}

fn pairs(doc: &serde_json::Value, key: &str) -> Broken {
    doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r[key].as_array().unwrap().iter())
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["record"].as_str().unwrap().to_string()))
        .collect()
}

fn schema_errors(doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/diff-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path)).collect()
}

#[test]
fn findings_that_appear_disappear_and_change_by_rule() {
    let run = diff(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "both sides' policies are clean");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    let (base, change) = declared();
    let appeared: BTreeSet<_> = change.difference(&base).cloned().collect();
    let disappeared: BTreeSet<_> = base.difference(&change).cloned().collect();
    assert_eq!(pairs(&doc, "appeared"), appeared);
    assert_eq!(pairs(&doc, "disappeared"), disappeared);
    // Those in both are matched one to one: changed (message or severity, as README.md says) or not.
    let changed: Vec<(String, String, Vec<String>)> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["changed"].as_array().unwrap().iter())
        .map(|c| {
            assert_eq!(c["before"]["fingerprint"], c["after"]["fingerprint"]);
            (
                c["after"]["rule"].as_str().unwrap().to_string(),
                c["after"]["record"].as_str().unwrap().to_string(),
                c["changes"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        changed,
        [
            (s("answered-quickly"), s("T-3"), vec![s("message")]),
            (s("answered-quickly"), s("T-4"), vec![s("message")]),
            (s("no-long-waits"), s("T-4"), vec![s("severity")]),
        ]
    );
    let both = base.intersection(&change).count();
    let summary = &doc["summary"];
    assert_eq!(summary["changed"].as_u64().unwrap() + summary["unchanged"].as_u64().unwrap(), both as u64);
    // T-2 appears as an error, and T-4's long wait becomes one.
    assert_eq!(summary["new_errors"], 2);
    assert_eq!((doc["base"]["findings"].as_u64(), doc["change"]["findings"].as_u64()), (Some(5), Some(4)));
    assert_eq!(doc["base"]["policies"], serde_json::json!([BASE]));
}

#[test]
fn human_and_markdown_forms() {
    let human = diff(&[]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    insta::assert_snapshot!("human", human.stdout);
    let markdown = diff(&["--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{}", markdown.stderr);
    assert!(markdown.stdout.starts_with("## Precept diff: 1 finding appears, 2 disappear, 3 change"));
    insta::assert_snapshot!("markdown", markdown.stdout);
}

#[test]
fn fail_on_new_errors_fails_only_when_the_change_adds_errors() {
    assert_eq!(diff(&["--fail-on-new-errors"]).code, 1);
    // The change undone adds no error: the `logged` warnings come back, T-2's error goes.
    let undone = common::precept(&[
        "diff",
        "--no-config",
        "--base-policies",
        CHANGE,
        "--policies",
        BASE,
        "--fail-on-new-errors",
        "--format",
        "json",
        RECORDS,
    ]);
    assert_eq!(undone.code, 0, "{}", undone.stderr);
    let doc: serde_json::Value = serde_json::from_str(&undone.stdout).unwrap();
    assert_eq!(doc["summary"]["new_errors"], 0);
    assert_eq!(doc["summary"]["appeared"], 2);
    // Against itself, nothing changes.
    let same = common::precept(&[
        "diff",
        "--no-config",
        "--base-policies",
        BASE,
        "--policies",
        BASE,
        "--fail-on-new-errors",
        RECORDS,
    ]);
    assert_eq!(same.code, 0);
    assert!(same.stdout.contains("no finding appears, disappears or changes (5 unchanged)"), "{}", same.stdout);
}

#[test]
fn a_side_that_cannot_be_loaded_is_named() {
    // files on disk: broken policy folders, given to the command line.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("broken")).unwrap();
    std::fs::write(dir.path().join("broken/p.precept"), "code {").unwrap();
    let broken = dir.path().join("broken");
    let broken = broken.to_str().unwrap();
    for (base, change, side) in [(broken, CHANGE, "base"), (BASE, broken, "changed")] {
        let run = common::precept(&[
            "diff",
            "--no-config",
            "--base-policies",
            base,
            "--policies",
            change,
            "--format",
            "json",
            RECORDS,
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(run.stderr.contains("precept::parse::"), "{}", run.stderr);
        assert!(run.stderr.contains("precept::diff::policies"), "{}", run.stderr);
        assert!(run.stderr.contains(&format!("the {side} policies (`{broken}`) cannot be loaded")), "{}", run.stderr);
    }
}

#[test]
fn a_record_problem_of_one_side_says_which() {
    // files on disk: two policy folders whose schemas read a value differently.
    let dir = tempfile::tempdir().unwrap();
    let policy = |ty: &str| {
        format!(
            "schema ticket {{\n  identified by id\n  id: text\n  waited: {ty}\n}}\ncode \"House rules\" {{\n  level organisational\n  rule answered {{\n    for ticket\n    require record.waited != \"\"\n    message \"ticket {{record.id}}\"\n  }}\n}}\n"
        )
    };
    std::fs::create_dir_all(dir.path().join("old")).unwrap();
    // The base reads `soon` as text, which breaks its rule; the change reads a duration, which
    // `soon` is not, so its rule cannot be determined: the same finding changes standing.
    std::fs::write(dir.path().join("old/p.precept"), policy("text").replace("!= \"\"", "== \"\"")).unwrap();
    std::fs::create_dir_all(dir.path().join("new")).unwrap();
    std::fs::write(
        dir.path().join("new/p.precept"),
        policy("duration").replace("record.waited != \"\"", "record.waited <= 1h"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/t.csv"), "id,waited\nT-1,soon\n").unwrap();
    let run = common::precept_in(
        dir.path(),
        &["diff", "--no-config", "--base-policies", "old", "--policies", "new", "--format", "json", "records"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("(with the changed policies only)"), "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert!(doc["diagnostics"][0]["message"].as_str().unwrap().ends_with("(with the changed policies only)"));
    assert_eq!(doc["change"]["cannot_determine"], 1);
    let changed = &doc["rules"][0]["changed"][0];
    assert_eq!(changed["changes"], serde_json::json!(["message", "standing"]), "{doc}");
    assert_eq!(
        (changed["before"]["standing"].as_str(), changed["after"]["standing"].as_str()),
        (Some("active"), Some("cannot_determine"))
    );
}

fn seen(fp: u8, rule: u8, severity: u8, standing: u8, message: u8) -> precept::report::diff::Seen {
    precept::report::diff::Seen {
        fingerprint: format!("fp{fp}"),
        rule: format!("rule-{rule}"),
        title: format!("Rule {rule}"),
        severity: ["error", "warning", "info"][usize::from(severity % 3)],
        standing: ["active", "waived", "baselined", "cannot_determine"][usize::from(standing % 4)],
        file: "f.csv".into(),
        line: usize::from(fp) + 2,
        column: 1,
        subject: "record",
        record: Some(format!("R-{fp}")),
        message: format!("m{message}"),
    }
}

proptest::proptest! {
    /// Against a small model: per fingerprint, the n-th finding of one run is matched with the
    /// n-th of the other; the rest of the longer list appears or disappears. Every finding is
    /// accounted for exactly once, and new errors are those the model counts.
    #[test]
    fn the_diff_matches_a_model_of_one_to_one_matching(
        base in proptest::collection::vec((0u8..6, 0u8..3, 0u8..3, 0u8..4, 0u8..2), 0..24),
        change in proptest::collection::vec((0u8..6, 0u8..3, 0u8..3, 0u8..4, 0u8..2), 0..24),
    ) {
        // A fingerprint belongs to one rule, as a real one does (the rule id is part of it).
        let make = |v: &[(u8, u8, u8, u8, u8)]| -> Vec<precept::report::diff::Seen> {
            v.iter().map(|&(fp, _, sev, st, m)| seen(fp, fp % 3, sev, st, m)).collect()
        };
        let (b, c) = (make(&base), make(&change));
        let diff = precept::report::diff::Diff::compare(b.clone(), c.clone());
        let t = diff.totals();
        let (mut appeared, mut disappeared, mut changed, mut unchanged, mut new_errors) = (0, 0, 0, 0, 0);
        let active_error = |s: &precept::report::diff::Seen| s.severity == "error" && s.standing == "active";
        for fp in 0u8..6 {
            let key = format!("fp{fp}");
            let bs: Vec<_> = b.iter().filter(|s| s.fingerprint == key).collect();
            let cs: Vec<_> = c.iter().filter(|s| s.fingerprint == key).collect();
            for (x, y) in bs.iter().zip(&cs) {
                let same = x.message == y.message && x.severity == y.severity && x.standing == y.standing;
                if same { unchanged += 1 } else { changed += 1 }
                if active_error(y) && !active_error(x) && !same { new_errors += 1 }
            }
            appeared += cs.len().saturating_sub(bs.len());
            disappeared += bs.len().saturating_sub(cs.len());
            new_errors += cs.iter().skip(bs.len()).filter(|s| active_error(s)).count();
        }
        proptest::prop_assert_eq!(
            (t.appeared, t.disappeared, t.changed, t.unchanged, t.new_errors),
            (appeared, disappeared, changed, unchanged, new_errors)
        );
        proptest::prop_assert_eq!(t.appeared + t.changed + t.unchanged, c.len());
        proptest::prop_assert_eq!(t.disappeared + t.changed + t.unchanged, b.len());
        // Grouped by rule, in rule order, every entry under its own rule.
        let ids: Vec<&str> = diff.rules.iter().map(|r| r.rule.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        proptest::prop_assert_eq!(&ids, &sorted);
        for r in &diff.rules {
            proptest::prop_assert!(r.appeared.iter().chain(&r.disappeared).all(|s| s.rule == r.rule));
            proptest::prop_assert!(r.changed.iter().all(|c| c.after.rule == r.rule && !c.changes.is_empty()));
        }
    }
}

#[test]
fn the_markdown_form_stays_bounded() {
    let long = "<|>".repeat(400);
    let change: Vec<_> = (0..5_000u32)
        .map(|i| {
            let mut s = seen(0, 0, 0, 0, 0);
            s.fingerprint = format!("fp{i}");
            s.rule = format!("rule-{}", i % 200);
            s.message = format!("{i} {long}");
            s
        })
        .collect();
    let diff = precept::report::diff::Diff::compare(Vec::new(), change);
    let md = precept::report::diff::markdown(&diff, &[]);
    assert!(md.chars().count() <= precept::report::markdown::MAX_CHARS, "{}", md.chars().count());
    let listed = md.lines().filter(|l| l.starts_with("- **appears**")).count();
    assert!(listed <= precept::report::diff::MAX_MARKDOWN_ENTRIES, "{listed}");
    assert!(
        md.contains(&format!("{} more differences not shown", 5_000 - listed)) || md.contains("was cut"),
        "{}",
        &md[md.len() - 400..]
    );
}

/// Thousands of problems found by both sides are each shown once (they are matched by hash; the
/// speed of that is tested in `src/cli/diff.rs`).
#[test]
fn thousands_of_problems_found_by_both_sides_are_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let policy = "schema ticket {\n  identified by id\n  id: text\n  waited: duration\n}\ncode \"House rules\" {\n  level organisational\n  rule answered {\n    for ticket\n    require record.waited <= 1h\n    message \"ticket {record.id}\"\n  }\n}\n";
    for side in ["old", "new"] {
        std::fs::create_dir_all(dir.path().join(side)).unwrap();
        std::fs::write(dir.path().join(side).join("p.precept"), policy).unwrap();
    }
    // The change's rule is stricter, so both sides find the same problems and different findings.
    std::fs::write(dir.path().join("new/p.precept"), policy.replace("<= 1h", "<= 30m")).unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    // At most 50 problems of a file are listed (and one says how many more): 60 files of 60.
    let (files, per_file) = (60, 60);
    for f in 0..files {
        let mut csv = String::from("id,waited\n");
        for i in 0..per_file {
            csv.push_str(&format!("T-{f}-{i},soon {i}\nU-{f}-{i},45m\n"));
        }
        std::fs::write(dir.path().join(format!("records/t{f}.csv")), csv).unwrap();
    }
    let run = common::precept_in(
        dir.path(),
        &["diff", "--no-config", "--base-policies", "old", "--policies", "new", "--format", "json", "records"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let problems = doc["diagnostics"].as_array().unwrap();
    assert_eq!(problems.len(), files * 51, "each found by both sides, shown once");
    assert!(problems.iter().all(|p| !p["message"].as_str().unwrap().contains("policies only")));
    assert_eq!(doc["rules"][0]["appeared"].as_array().map(Vec::len), Some(files * per_file), "{}", doc["rules"][0]);
}
