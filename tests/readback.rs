//! `precept check --findings` and `precept baseline --findings`: the rows of `precept sql`'s
//! `precept_findings`, exported from a warehouse as CSV or JSON Lines, give `check`'s reports,
//! waivers, baselines and exit statuses.
//!
//! `fixtures/warehouse-findings/bundled.{csv,jsonl}` are the rows DuckDB gives for the bundled
//! example (policies/ over fixtures/records), exported as docs/warehouse.md says; with
//! `--features duckdb` a test requires they still are (and `PRECEPT_WRITE_ROWS=1` writes them
//! again). Findings are compared through the JSON report, less where each is placed (the rows
//! file and its line, not the record's file and text) and what the rows do not carry
//! (docs/warehouse.md, "Reading findings back").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;
#[cfg(feature = "duckdb")]
mod sql_diff;

use common::{precept, root, Run};
use serde_json::Value;

/// The committed rows of the bundled example.
const ROWS: &str = "fixtures/warehouse-findings";

/// Keys of a finding in the JSON report that say where it was found or that the rows do not
/// carry: its place, the record's text, the evidence, the help with values filled in, the day,
/// and a group's sample records.
const PLACE: [&str; 10] =
    ["file", "line", "column", "end_line", "end_column", "excerpt", "record_index", "evidence", "help", "samples"];

/// The findings of a JSON report, each without [`PLACE`], sorted; only those of `rules`.
fn findings(run: &Run, rules: &[String]) -> Vec<Value> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    let mut out: Vec<Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.iter().any(|r| f["rule"] == r.as_str()))
        .map(|f| {
            let mut f = f.clone();
            let o = f.as_object_mut().unwrap();
            for key in PLACE {
                o.remove(key);
            }
            if let Some(g) = o.get_mut("group").and_then(Value::as_object_mut) {
                g.remove("samples");
            }
            f
        })
        .collect();
    out.sort_by_key(|f| f.to_string());
    out
}

/// The codes of a JSON report's diagnostics, in order.
fn codes(run: &Run) -> Vec<String> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

/// The rule ids the rows file holds findings of.
fn rules_in(report: &Run) -> Vec<String> {
    let report: Value = serde_json::from_str(&report.stdout).unwrap();
    let mut ids: Vec<String> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The rule ids `precept sql` compiles for the bundled policies.
fn compiled_rules() -> Vec<String> {
    let (program, diags) = precept::workspace::load_policies(&[root().join("policies")]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let range =
        precept::sql::calendar::Range { from: jiff::civil::date(2022, 1, 1), until: jiff::civil::date(2028, 12, 31) };
    let sql = precept::sql::compile(&program, &precept::sql::Options { dialect: precept::sql::Dialect::DuckDb, range });
    sql.compiled
}

fn check_native(extra: &[&str]) -> Run {
    precept(
        &[&["check", "--no-config", "--policies", "policies", "--format", "json", "fixtures/records"], extra].concat(),
    )
}

fn check_rows(file: &str, extra: &[&str]) -> Run {
    let path = format!("{ROWS}/{file}");
    precept(
        &[&["check", "--no-config", "--policies", "policies", "--format", "json", "--findings", &path], extra].concat(),
    )
}

/// The read-back findings equal `check`'s of every rule the SQL compiles, with the same exit
/// status.
fn same_as_check(file: &str) {
    let native = check_native(&[]);
    let rows = check_rows(file, &[]);
    assert_eq!(native.code, rows.code, "native:\n{}\nrows:\n{}", native.stderr, rows.snapshot());
    // `check` warns that the rules asking about roles were not checked; the rows hold none.
    assert_eq!(codes(&native), ["precept::usage::no-roles"]);
    assert_eq!(codes(&rows), Vec::<String>::new(), "{}", rows.snapshot());
    let compiled = compiled_rules();
    let (want, got) = (findings(&native, &compiled), findings(&rows, &compiled));
    if want != got {
        let missing: Vec<&Value> = want.iter().filter(|f| !got.contains(f)).collect();
        let extra: Vec<&Value> = got.iter().filter(|f| !want.contains(f)).collect();
        panic!("{file}: the findings differ\nonly check's: {missing:#?}\nonly the rows': {extra:#?}");
    }
    assert!(want.len() > 5, "only {} findings compared", want.len());
    // Rows of every rule the SQL writes, none of a rule it leaves out.
    assert!(rules_in(&rows).iter().all(|r| compiled.contains(r)));
    // Groups among them.
    assert!(got.iter().any(|f| f["group"].is_object()), "no group finding compared");
}

#[test]
fn csv_rows_give_checks_findings_and_exit_status() {
    same_as_check("bundled.csv");
}

#[test]
fn json_lines_rows_give_checks_findings_and_exit_status() {
    same_as_check("bundled.jsonl");
}

/// The rows DuckDB gives for the bundled example, exported as docs/warehouse.md says: `(csv,
/// jsonl)`.
#[cfg(feature = "duckdb")]
fn duckdb_rows() -> (String, String) {
    let (program, diags) = precept::workspace::load_policies(&[root().join("policies")]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let d = precept::sql::Dialect::DuckDb;
    let sql = precept::sql::compile(&program, &precept::sql::Options { dialect: d, range: sql_diff::FIXTURE_DAYS });
    let records = sql_diff::read(&program, &[root().join("fixtures/records")]);
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&sql_diff::tables(&program, d)).unwrap();
    conn.execute_batch(&sql.text).unwrap();
    conn.execute_batch(&sql_diff::inserts(&program, &records, d)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (csv, jsonl) = (dir.path().join("rows.csv"), dir.path().join("rows.jsonl"));
    let quote = |p: &std::path::Path| p.to_string_lossy().replace('\'', "''");
    conn.execute_batch(&format!(
        "COPY (SELECT * REPLACE (to_json(message_values) AS message_values) FROM precept_findings ORDER BY ALL) \
         TO '{}' (HEADER);\n\
         COPY (SELECT * FROM precept_findings ORDER BY ALL) TO '{}' (FORMAT json);",
        quote(&csv),
        quote(&jsonl)
    ))
    .unwrap();
    (std::fs::read_to_string(csv).unwrap(), std::fs::read_to_string(jsonl).unwrap())
}

/// The committed rows are what DuckDB gives today (`PRECEPT_WRITE_ROWS=1` writes them again).
#[cfg(feature = "duckdb")]
#[test]
fn the_committed_rows_are_what_duckdb_gives() {
    let (csv, jsonl) = duckdb_rows();
    for (name, fresh) in [("bundled.csv", csv), ("bundled.jsonl", jsonl)] {
        let path = root().join(ROWS).join(name);
        if std::env::var_os("PRECEPT_WRITE_ROWS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{name} is not what DuckDB gives for the bundled example: write it again with \
             `PRECEPT_WRITE_ROWS=1 cargo test --features duckdb --test readback`"
        );
    }
}

/// `(rule, record, standing)` of each finding of a JSON report, sorted.
fn standings(run: &Run, rules: &[String]) -> Vec<(String, String, String)> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    let mut out: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.iter().any(|r| f["rule"] == r.as_str()))
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (text("rule"), text("record"), text("standing"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_baseline_written_from_rows_knows_every_finding_of_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let wrote = precept(&[
        "baseline",
        "--no-config",
        "--policies",
        "policies",
        "--findings",
        &format!("{ROWS}/bundled.csv"),
        "--file",
        b,
    ]);
    assert_eq!(wrote.code, 0, "{}", wrote.snapshot());
    assert!(wrote.stdout.starts_with("wrote 47 findings to "), "{}", wrote.stdout);
    // Read back from either export, every finding is known and the run passes.
    for file in ["bundled.csv", "bundled.jsonl"] {
        let run = check_rows(file, &["--baseline", b]);
        assert_eq!(run.code, 0, "{}", run.snapshot());
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(report["summary"]["baselined"], 47, "{file}");
        assert_eq!(report["summary"]["findings"], 47, "{file}");
        assert!(!run.stderr.contains("precept::baseline::stale"), "{}", run.stderr);
    }
    // A finding that is not in it fails the run: the baseline of the few rows knows only them.
    let few = dir.path().join("few.json");
    let f = few.to_str().unwrap();
    let wrote = precept(&[
        "baseline",
        "--no-config",
        "--policies",
        "policies",
        "--findings",
        &format!("{ROWS}/few.csv"),
        "--file",
        f,
    ]);
    assert_eq!(wrote.code, 0, "{}", wrote.snapshot());
    let run = check_rows("bundled.csv", &["--baseline", f]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["baselined"], 4);
}

#[test]
fn a_baseline_written_by_check_knows_the_same_findings_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let wrote = precept(&["baseline", "--no-config", "--policies", "policies", "fixtures/records", "--file", b]);
    assert_eq!(wrote.code, 0, "{}", wrote.snapshot());
    let run = check_rows("bundled.csv", &["--baseline", b]);
    // Record findings by record id, group findings by key, the missing day of a presence rule's.
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["baselined"], 47);
    // The baseline's findings of rules the SQL leaves out are not in the rows: said, not hidden.
    assert!(run.stderr.contains("precept::baseline::stale"), "{}", run.stderr);
}

#[test]
fn waivers_cover_the_same_findings_read_back_as_checked() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        r#"
[[waiver]]
rule = "answered-promptly"
record = "CS-1021"
justification = "INC-1"
approver = "Head of Service"
expires = 2027-01-31

[[waiver]]
rule = "complaint-escalation-share"
team = "Returns"
justification = "INC-2"
approver = "Head of Service"
expires = 2027-01-31

[[waiver]]
rule = "daily-briefing"
record = "team Home Delivery"
justification = "INC-3"
approver = "Head of Service"
expires = 2027-01-31

[[waiver]]
rule = "needs-identified"
justification = "INC-4"
approver = "Head of Service"
expires = 2027-01-31
"#,
    )
    .unwrap();
    let w = waivers.to_str().unwrap();
    let args = ["--waivers", w, "--as-of", "2026-12-01"];
    let native = check_native(&args);
    let rows = check_rows("bundled.csv", &args);
    let compiled = compiled_rules();
    let (want, got) = (standings(&native, &compiled), standings(&rows, &compiled));
    assert_eq!(want, got);
    let waived: Vec<&(String, String, String)> = got.iter().filter(|(_, _, s)| s == "waived").collect();
    assert!(waived.len() >= 4, "{waived:?}");
    assert!(!rows.stderr.contains("precept::waiver::unused"), "{}", rows.stderr);
    // Once expired, a waiver is a finding of its own, as in `check`.
    let late = check_rows("bundled.csv", &["--waivers", w, "--as-of", "2027-02-01"]);
    assert_eq!(late.code, 1);
    let report: Value = serde_json::from_str(&late.stdout).unwrap();
    let expired = report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "expired-waiver").count();
    assert_eq!(expired, 4);
}

#[test]
fn the_human_report_names_the_rows_file_and_line() {
    let run = precept(&["check", "--no-config", "--policies", "policies", "--findings", &format!("{ROWS}/few.csv")]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn every_report_reads_back() {
    for format in ["sarif", "junit", "github", "markdown", "html"] {
        let other = precept(&[
            "check",
            "--no-config",
            "--policies",
            "policies",
            "--format",
            format,
            "--findings",
            &format!("{ROWS}/few.csv"),
        ]);
        assert_eq!(other.code, 1, "{format}: {}", other.snapshot());
        assert!(other.stdout.contains("CS-1021") && other.stdout.contains("Home Delivery"), "{format}");
    }
}

#[test]
fn fail_on_and_exit_statuses_are_checks() {
    // Warnings only: they fail the run only with `--fail-on warning`.
    let run = check_rows("warnings.csv", &[]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    let run = check_rows("warnings.csv", &["--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    // No rows: a clean run, not a run that found nothing to read.
    let none = precept(&["check", "--no-config", "--policies", "policies", "--findings", &format!("{ROWS}/empty.csv")]);
    assert_eq!(none.code, 0, "{}", none.snapshot());
    assert!(none.stdout.contains(": no findings"), "{}", none.stdout);
}

#[test]
fn rows_that_cannot_be_read_are_diagnostics_and_the_rest_are_read() {
    let csv = precept(&["check", "--no-config", "--policies", "policies", "--findings", &format!("{ROWS}/bad.csv")]);
    assert_eq!(csv.code, 2);
    insta::assert_snapshot!("bad_csv", csv.snapshot());
    // One diagnostic per row left out; the good row is still reported.
    assert_eq!(csv.stderr.matches("precept::findings::unknown-rule").count(), 1);
    assert_eq!(csv.stderr.matches("precept::findings::invalid-row").count(), 4);
    assert!(csv.stdout.contains("1 finding"));
    let jsonl =
        precept(&["check", "--no-config", "--policies", "policies", "--findings", &format!("{ROWS}/bad.jsonl")]);
    assert_eq!(jsonl.code, 2);
    insta::assert_snapshot!("bad_jsonl", jsonl.snapshot());
    let columns =
        precept(&["check", "--no-config", "--policies", "policies", "--findings", &format!("{ROWS}/no-values.csv")]);
    assert_eq!(columns.code, 2);
    insta::assert_snapshot!("no_values_csv", columns.snapshot());
    assert!(columns.stderr.contains("precept::findings::columns"));
}

#[test]
fn findings_are_never_read_with_record_files_or_another_engine() {
    let run = precept(&["check", "--no-config", "--findings", &format!("{ROWS}/few.csv"), "fixtures/records"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    let run = precept(&["check", "--no-config", "--findings", &format!("{ROWS}/few.csv"), "--engine", "duckdb"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    // A report is never written over a findings file read.
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.csv");
    std::fs::copy(root().join(ROWS).join("few.csv"), &rows).unwrap();
    let r = rows.to_str().unwrap();
    let run =
        precept(&["check", "--no-config", "--policies", "policies", "--findings", r, "--output", &format!("json={r}")]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::usage::output-is-input"), "{}", run.stderr);
    assert!(std::fs::read_to_string(&rows).unwrap().starts_with("rule_id,"));
}
