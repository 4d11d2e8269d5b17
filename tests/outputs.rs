//! The machine-readable reports: SARIF against the published SARIF 2.1.0 schema and what GitHub
//! code scanning needs beyond it, JUnit against both common JUnit schemas (with `xmllint`, which
//! `.ci/run` installs), GitHub annotations that record text cannot break out of, several reports at
//! once, and `--fail-on`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::Path;

/// The team's shared schemas when this checkout sits beside them, else the copies in
/// `tests/schemas`.
fn schemas() -> std::path::PathBuf {
    let shared = common::root().join("../shared/schemas");
    if shared.join("sarif-schema-2.1.0.json").is_file() {
        shared
    } else {
        common::root().join("tests/schemas")
    }
}

#[test]
fn the_copied_schemas_match_the_shared_ones() {
    let shared = common::root().join("../shared/schemas");
    if !shared.is_dir() {
        return; // a clone on its own has only the copies
    }
    for name in ["sarif-schema-2.1.0.json", "jenkins-junit.xsd", "ant-junit-windyroad.xsd"] {
        let copy = std::fs::read(common::root().join("tests/schemas").join(name)).unwrap();
        assert_eq!(
            copy,
            std::fs::read(shared.join(name)).unwrap(),
            "tests/schemas/{name} differs from ../shared/schemas"
        );
    }
}

fn sarif_errors(doc: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schemas().join("sarif-schema-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
    validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect()
}

fn xsd_errors(file: &Path) -> Vec<String> {
    xml_errors(&std::fs::read_to_string(file).unwrap())
}

/// What `xmllint` finds wrong with a JUnit report (given on its standard input) against each schema.
fn xml_errors(xml: &str) -> Vec<String> {
    use std::io::Write;
    let mut out = Vec::new();
    if !common::have_tool("xmllint", "apt-get install libxml2-utils") {
        return out;
    }
    for xsd in ["jenkins-junit.xsd", "ant-junit-windyroad.xsd"] {
        let mut child = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(schemas().join(xsd))
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("xmllint runs");
        child.stdin.take().unwrap().write_all(xml.as_bytes()).unwrap();
        let run = child.wait_with_output().unwrap();
        if !run.status.success() {
            out.push(format!("{xsd}: {}", String::from_utf8_lossy(&run.stderr)));
        }
    }
    out
}

/// The bundled example with every report at once; paths of the temporary folder filtered out.
#[test]
fn every_format_at_once_on_the_bundled_example() {
    // files on disk: this tests the command line writing several reports to files at once.
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let (sarif, junit, json) = (at("precept.sarif"), at("precept.xml"), at("precept.json"));
    let run = common::precept(&[
        "check",
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "--output",
        &format!("sarif={sarif}"),
        "--output",
        &format!("junit={junit}"),
        "--output",
        &format!("json={json}"),
        "--output",
        "github",
        "fixtures/records",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    // No temporary files are left beside the reports.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 3, "{left:?}");

    let sarif_text = std::fs::read_to_string(&sarif).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&sarif_text).unwrap();
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    // What code scanning needs beyond the schema.
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run0 = &runs[0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for r in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(!r[key]["text"].as_str().unwrap().is_empty(), "rule {} lacks {key}", r["id"]);
        }
    }
    let results = run0["results"].as_array().unwrap();
    let json_doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(results.len(), json_doc["findings"].as_array().unwrap().len());
    let mut prints = std::collections::BTreeSet::new();
    for r in results {
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{r}");
        }
        // Results are written before the rules are known, so they name their rule by id alone.
        assert!(r.get("ruleIndex").is_none(), "{r}");
        assert!(rules.iter().any(|rule| rule["id"] == r["ruleId"]), "{r}");
        assert!(
            prints.insert(r["partialFingerprints"]["precept/v1"].as_str().unwrap().to_string()),
            "duplicate fingerprint: {r}"
        );
    }
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "rule ids are unique");
    insta::assert_snapshot!("sarif", sarif_text);

    let junit_text = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xsd_errors(Path::new(&junit)), Vec::<String>::new());
    insta::assert_snapshot!("junit", junit_text);
    insta::assert_snapshot!("github", run.stdout);
}

#[test]
fn a_clean_run_has_an_empty_results_array_and_passing_test_cases() {
    // files on disk: this tests the command line writing its reports to files.
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("clean.sarif");
    let junit = dir.path().join("clean.xml");
    let run = common::precept(&[
        "check",
        "--roles",
        "fixtures/clean/org",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("junit={}", junit.display()),
        "fixtures/clean",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no report on stdout: {}", run.stdout);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(!xml.contains("<failure"), "{xml}");
    assert_eq!(xsd_errors(&junit), Vec::<String>::new());
}

const HOSTILE_POLICY: &str = r#"
schema note {
  identified by id
  id: text
  text: text
}
code "House rules" {
  level organisational
  rule short-notes {
    severity warning
    for note
    require record.text starts with "ok"
    message "note {record.id} says: {record.text}"
  }
}
"#;

/// The records as the command line shows them, run from the folder holding `records`.
const NOTES: &str = "records/notes.jsonl";

/// A run of the hostile policy over `records` (as `records/notes.jsonl`), in memory.
fn hostile_run(records: &str) -> precept::Run {
    common::engine(HOSTILE_POLICY).check(common::records(&[(NOTES, records)]))
}

/// A folder with the hostile policy in `policies/` and `records/notes.jsonl`, for tests of the
/// command line.
fn hostile_dir(records: &str) -> tempfile::TempDir {
    // files on disk: the command line's flags, and the reports and baseline it writes to files.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/p.precept"), HOSTILE_POLICY).unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/notes.jsonl"), records).unwrap();
    dir
}

#[test]
fn record_text_cannot_inject_workflow_commands_or_break_xml() {
    let records = concat!(
        r#"{"id": "N-1", "text": "bad\n::error file=x.rs,line=1::injected\r\n::add-mask::secret 100%"}"#,
        "\n",
        r#"{"id": "N,2:x", "text": "bell \u0007 and <tag> & \"quotes\" \uffff"}"#,
        "\n"
    );
    let run = hostile_run(records);
    assert_eq!(run.status(), precept::Status::Clean, "warnings only: {}", common::rendered(&run.diagnostics));
    let github = run.report("github", "").unwrap();
    // Every line is one workflow command; nothing from a record starts a line of its own.
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 2, "{github}");
    for l in &lines {
        assert!(l.starts_with("::warning file=records/notes.jsonl,"), "{l}");
    }
    assert!(
        lines[0].contains("bad%0A::error file=x.rs,line=1::injected%0D%0A::add-mask::secret 100%25"),
        "{}",
        lines[0]
    );
    // A record id with `,` and `:` is escaped inside the message, and the title property is escaped.
    assert!(lines[1].contains("title=precept%3A short-notes::record N,2:x"), "{}", lines[1]);
    let xml = run.report("junit", "2026-01-01T00:00:00").unwrap();
    assert!(xml.contains("bell \u{FFFD} and &lt;tag&gt; &amp; &quot;quotes&quot; \u{FFFD}"), "{xml}");
    assert_eq!(xml_errors(&xml), Vec::<String>::new());
}

#[test]
fn annotations_stop_at_ten_per_severity_the_count_of_the_rest_included() {
    let notes = |n: usize| -> String { (0..n).map(|i| format!("{{\"id\": \"N-{i}\", \"text\": \"no\"}}\n")).collect() };
    // 25 warnings: nine annotations, then the tenth says how many more there are.
    let github = hostile_run(&notes(25)).report("github", "").unwrap();
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 10, "{github}");
    assert!(lines[..9].iter().all(|l| l.starts_with("::warning file=records/notes.jsonl,")), "{github}");
    assert_eq!(
        lines[9],
        "::warning title=precept::16 more warnings not shown as annotations (at most 10 of each kind are, this one included); see the full report"
    );
    // Exactly ten: all ten written, no count.
    let github = hostile_run(&notes(10)).report("github", "").unwrap();
    assert_eq!(github.lines().count(), 10, "{github}");
    assert!(github.lines().all(|l| l.starts_with("::warning file=records/notes.jsonl,")), "{github}");
    assert!(github.contains("record N-9:"), "the tenth, held back, is written at the end: {github}");
    // Eleven: nine, and a count of two.
    let github = hostile_run(&notes(11)).report("github", "").unwrap();
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 10, "{github}");
    assert!(lines[9].contains("2 more warnings"), "{github}");
}

#[test]
fn past_25000_results_sarif_says_how_many_it_left_out() {
    let records: String = (0..25_003).map(|i| format!("{{\"id\": \"N-{i}\", \"text\": \"no\"}}\n")).collect();
    let sarif = hostile_run(&records).report("sarif", "").unwrap();
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 25_000);
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["descriptor"]["id"] == "precept::output::truncated"
        && n["message"]["text"].as_str().unwrap().starts_with("3 findings are not in this report")));
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
}

#[test]
fn input_errors_are_tool_notifications_and_junit_errors() {
    let run = hostile_run("{\"id\": \"N-1\", \"text\": \"ok\"}\n{not json\n");
    assert_eq!(run.status(), precept::Status::Failed);
    let doc: serde_json::Value = serde_json::from_str(&run.report("sarif", "").unwrap()).unwrap();
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(note["descriptor"]["id"], "precept::input::json");
    assert_eq!(note["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    let xml = run.report("junit", "2026-01-01T00:00:00").unwrap();
    assert!(
        xml.contains("<testsuite name=\"input\"")
            && xml.contains("<error message=\"1 problem\" type=\"precept::input::json\">"),
        "{xml}"
    );
    assert_eq!(xml_errors(&xml), Vec::<String>::new());
}

#[test]
fn fail_on_sets_the_least_severe_finding_that_fails() {
    let dir = hostile_dir("{\"id\": \"N-1\", \"text\": \"no\"}\n");
    let at = |args: &[&str]| common::precept_in(dir.path(), args).code;
    assert_eq!(at(&["check", "records"]), 0, "a warning does not fail by default");
    assert_eq!(at(&["check", "--fail-on", "error", "records"]), 0);
    assert_eq!(at(&["check", "--fail-on", "warning", "records"]), 1);
    assert_eq!(at(&["check", "--fail-on", "info", "records"]), 1);
    assert_eq!(at(&["check", "--fail-on", "warnings", "records"]), 2, "a bad value is a usage error");
    // JUnit fails the rule's test case only at the fail level.
    common::precept_in(dir.path(), &["check", "--output", "junit=a.xml", "records"]);
    common::precept_in(dir.path(), &["check", "--fail-on", "warning", "--output", "junit=b.xml", "records"]);
    let a = std::fs::read_to_string(dir.path().join("a.xml")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("b.xml")).unwrap();
    assert!(!a.contains("<failure") && a.contains("<system-out>records/notes.jsonl:1:"), "{a}");
    assert!(b.contains("<failure message=\"1 finding\" type=\"warning\">"), "{b}");
}

#[test]
fn outputs_are_checked_before_anything_runs() {
    let dir = hostile_dir("{\"id\": \"N-1\", \"text\": \"no\"}\n");
    let two = common::precept_in(dir.path(), &["check", "--output", "json", "--output", "sarif", "records"]);
    assert_eq!(two.code, 2);
    assert!(
        two.stderr.contains("precept::usage::output") && two.stderr.contains("2 reports would go to standard output"),
        "{}",
        two.stderr
    );
    // Missing folders are made; a path through a file cannot be, and names the path asked for.
    let made = common::precept_in(dir.path(), &["check", "--output", "sarif=no/such/folder/x.sarif", "records"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    assert!(dir.path().join("no/such/folder/x.sarif").is_file());
    let nowhere =
        common::precept_in(dir.path(), &["check", "--output", "sarif=records/notes.jsonl/x.sarif", "records"]);
    assert_eq!(nowhere.code, 2);
    assert!(nowhere.stderr.contains("cannot write a report to `records/notes.jsonl/x.sarif`"), "{}", nowhere.stderr);
    assert!(nowhere.stderr.contains("`records/notes.jsonl` is not a folder"), "{}", nowhere.stderr);
    // Deeper below the file: still the file is named, not the folder below it that cannot be
    // read ("Not a directory").
    let deeper =
        common::precept_in(dir.path(), &["check", "--output", "sarif=records/notes.jsonl/deeper/x.sarif", "records"]);
    assert_eq!(deeper.code, 2);
    let words = deeper.stderr.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(
            "cannot write a report to `records/notes.jsonl/deeper/x.sarif`: `records/notes.jsonl` is not a folder"
        ),
        "{}",
        deeper.stderr
    );
    assert!(!deeper.stderr.contains("cannot be read"), "{}", deeper.stderr);
    let typo = common::precept_in(dir.path(), &["check", "--output", "sariff", "records"]);
    assert_eq!(typo.code, 2);
    assert!(typo.stderr.contains("did you mean `sarif`"), "{}", typo.stderr);
    let both = common::precept_in(dir.path(), &["check", "--format", "json", "--output", "sarif", "records"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}

#[test]
fn reports_are_the_same_whatever_the_thread_count() {
    // files on disk: this tests the command line (`--threads`) writing its reports to files.
    let dir = tempfile::tempdir().unwrap();
    let mut texts = Vec::new();
    for threads in ["1", "2", "4"] {
        let sarif = dir.path().join(format!("t{threads}.sarif"));
        let junit = dir.path().join(format!("t{threads}.xml"));
        let run = common::precept(&[
            "check",
            "--threads",
            threads,
            "--roles",
            "fixtures/org",
            "--output",
            &format!("sarif={}", sarif.display()),
            "--output",
            &format!("junit={}", junit.display()),
            "--output",
            "github",
            "fixtures/records",
        ]);
        texts.push((std::fs::read_to_string(&sarif).unwrap(), std::fs::read_to_string(&junit).unwrap(), run.stdout));
    }
    assert!(texts.windows(2).all(|w| w[0] == w[1]));
}

/// The JSON report against its own published schema (`docs/json-report.schema.json`): the bundled
/// example, a run with waived and baselined findings, and a run whose policies cannot be loaded.
#[test]
fn the_json_report_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/json-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    let check = |text: &str| {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert_eq!(errors, Vec::<String>::new());
        doc
    };
    let run = common::precept(&[
        "check",
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "--format",
        "json",
        "fixtures/records",
    ]);
    let doc = check(&run.stdout);
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| !f["group"].is_null()));
    let dir = hostile_dir("{\"id\": \"N-1\", \"text\": \"no\"}\n{\"id\": \"N-2\", \"text\": \"no\"}\n");
    std::fs::write(
        dir.path().join("w.toml"),
        "[[waiver]]\nrule = \"short-notes\"\nrecord = \"N-1\"\njustification = \"j\"\napprover = \"a\"\nexpires = 2099-01-01\n",
    )
    .unwrap();
    common::precept_in(dir.path(), &["baseline", "--file", "b.json", "records"]);
    let waived = common::precept_in(
        dir.path(),
        &["check", "--waivers", "w.toml", "--baseline", "b.json", "--format", "json", "records"],
    );
    let doc = check(&waived.stdout);
    let standings: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["standing"].as_str().unwrap()).collect();
    assert_eq!(standings, ["waived", "baselined"]);
    std::fs::write(dir.path().join("policies/p.precept"), "code {").unwrap();
    let failed = common::precept_in(dir.path(), &["check", "--format", "json", "records"]);
    assert_eq!(failed.code, 2);
    check(&failed.stdout);
}

/// Record files given by absolute paths inside the repository (the nearest folder with `.git` at
/// or above the current one) are placed relative to its root, with `%SRCROOT%`, as code scanning
/// needs; relative paths are written from the root, and absolute ones outside the root stay absolute.
#[test]
fn sarif_places_absolute_paths_relative_to_the_repository_root() {
    let repo = hostile_dir("{\"id\": \"N-1\", \"text\": \"no\"}\n");
    let root = repo.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let outside_file = outside.path().canonicalize().unwrap().join("more.jsonl");
    std::fs::write(&outside_file, "{\"id\": \"N-2\", \"text\": \"no\"}\n").unwrap();
    let records = root.join("records");
    let policies = root.join("policies");
    let run = common::precept_in(
        &root.join("sub"),
        &[
            "check",
            "--no-config",
            "--policies",
            policies.to_str().unwrap(),
            "--format",
            "sarif",
            records.to_str().unwrap(),
            outside_file.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    let the_run = &doc["runs"][0];
    let mut places: Vec<(&str, Option<&str>)> = the_run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (a["uri"].as_str().unwrap(), a["uriBaseId"].as_str())
        })
        .collect();
    let outside_uri = format!("file://{}", outside_file.to_str().unwrap());
    places.sort_unstable();
    let mut expected = [("records/notes.jsonl", Some("%SRCROOT%")), (outside_uri.as_str(), None)];
    expected.sort_unstable();
    assert_eq!(places, expected);
    let base = the_run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    assert_eq!(base, format!("file://{}/", root.to_str().unwrap()));
    // Given relative to the current folder, the same files are written as given, and no base is named.
    let relative = common::precept_in(&root, &["check", "--no-config", "--format", "sarif", "records"]);
    let doc: serde_json::Value = serde_json::from_str(&relative.stdout).unwrap();
    let a = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!((a["uri"].as_str(), a.get("uriBaseId")), (Some("records/notes.jsonl"), None));
    assert!(doc["runs"][0].get("originalUriBaseIds").is_none());
    // From a subfolder, a relative path is written from the root, as code scanning reads it (found
    // in review: `../records/notes.jsonl` was written as given).
    let sub = common::precept_in(
        &root.join("sub"),
        &["check", "--no-config", "--policies", "../policies", "--format", "sarif", "../records"],
    );
    let doc: serde_json::Value = serde_json::from_str(&sub.stdout).unwrap();
    let a = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!((a["uri"].as_str(), a.get("uriBaseId")), (Some("records/notes.jsonl"), None));
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
}

/// An annotation over several lines names its lines only; one on a line names its columns.
#[test]
fn multi_line_annotations_have_no_columns() {
    let run = common::precept(&[
        "check",
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "--format",
        "github",
        "fixtures/records",
    ]);
    let findings: Vec<&str> = run.stdout.lines().filter(|l| l.contains(" file=")).collect();
    let multi: Vec<&&str> = findings.iter().filter(|l| l.contains(",endLine=")).collect();
    assert!(!multi.is_empty(), "the bundled example has findings over several lines:\n{}", run.stdout);
    for l in &findings {
        let props = l.split("::").nth(1).unwrap();
        if props.contains(",endLine=") {
            assert!(!props.contains(",col=") && !props.contains(",endColumn="), "{l}");
        } else {
            assert!(props.contains(",col=") && props.contains(",endColumn="), "{l}");
        }
    }
}
