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

/// How many findings the bundled rows hold: one per line of `bundled.jsonl`.
fn bundled_findings() -> usize {
    std::fs::read_to_string(root().join(ROWS).join("bundled.jsonl")).unwrap().lines().count()
}

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

/// How many rules of the bundled policies run.
fn native_rules_run() -> usize {
    let (program, diags) = precept::workspace::load_policies(&[root().join("policies")]);
    program.unwrap_or_else(|| panic!("{diags:?}")).rules_in_run()
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
    // The rules the SQL leaves out are said not to have run, one warning each.
    let compiled = compiled_rules();
    let running = native_rules_run();
    let not_run = codes(&rows);
    assert!(not_run.iter().all(|c| c == "precept::engine::not-run"), "{}", rows.snapshot());
    assert_eq!(not_run.len(), running - compiled.len(), "{}", rows.snapshot());
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
    let n = bundled_findings();
    assert!(wrote.stdout.starts_with(&format!("wrote {n} findings to ")), "{}", wrote.stdout);
    // Read back from either export, every finding is known; the run fails only because the
    // rules the SQL leaves out were not run.
    for file in ["bundled.csv", "bundled.jsonl"] {
        let run = check_rows(file, &["--baseline", b]);
        assert_eq!(run.code, 1, "{}", run.snapshot());
        assert!(codes(&run).iter().all(|c| c == "precept::engine::not-run"), "{}", run.snapshot());
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(report["summary"]["baselined"], n, "{file}");
        assert_eq!(report["summary"]["findings"], n, "{file}");
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
    // With the role files, so that the baseline holds findings of rules the SQL leaves out.
    let wrote = precept(&[
        "baseline",
        "--no-config",
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "fixtures/records",
        "--file",
        b,
    ]);
    assert_eq!(wrote.code, 0, "{}", wrote.snapshot());
    let run = check_rows("bundled.csv", &["--baseline", b]);
    // Record findings by record id, group findings by key, the missing day of a presence rule's;
    // the run fails only because the rules the SQL leaves out were not run.
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["baselined"], bundled_findings());
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
    // The rows' cases were judged at the end of the data (`precept sql` takes no evaluation
    // time), where `check --as-of` judges them at that time: compared without them.
    let (program, _) = precept::workspace::load_policies(&[root().join("policies")]);
    let program = program.unwrap();
    let compiled: Vec<String> = compiled_rules()
        .into_iter()
        .filter(|id| {
            !program.rules.iter().any(|r| &r.id == id && r.group.as_ref().is_some_and(|g| g.sequence.is_some()))
        })
        .collect();
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

/// A policy of one presence rule (of `severity`) whose message shows `message`, every rule of
/// which compiles to SQL, written into `dir`; its folder.
fn house(dir: &std::path::Path, severity: &str, message: &str) -> String {
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("house.precept"),
        format!(
            "schema briefing {{ identified by id  dated by held_on  id: text  team: text  held_on: date }}\n\
             code \"House rules\" {{ level organisational\n\
             rule weekly-briefing {{ title \"Each team holds a briefing every week\" severity {severity} for briefing\n\
             group by record.team\n expect every week of record.held_on\n message \"{message}\" }} }}\n"
        ),
    )
    .unwrap();
    policies.to_str().unwrap().to_string()
}

/// `text` written to `name` in `dir`; its path.
fn file(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const HEADER: &str = "rule_id,record_id,field,message_values,group_key\n";
const NORTH: &str = "weekly-briefing,,,\"[\"\"North\"\"]\",team North\n";

#[test]
fn fail_on_and_exit_statuses_are_checks() {
    let dir = tempfile::tempdir().unwrap();
    let policies = house(dir.path(), "warning", "team {group.team} held no briefing in {group.period}");
    let rows = file(
        dir.path(),
        "rows.csv",
        &format!("{HEADER}weekly-briefing,,,\"[\"\"North\"\",\"\"2024-03-04\"\"]\",team North\n"),
    );
    let check = |extra: &[&str]| {
        precept(&[&["check", "--no-config", "--policies", &policies, "--findings", &rows], extra].concat())
    };
    // Warnings only: they fail the run only with `--fail-on warning`.
    let run = check(&[]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(run.stdout.contains("1 finding"), "{}", run.snapshot());
    let run = check(&["--fail-on", "warning"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    // No rows: a clean run, not a run that found nothing to read.
    let empty = file(dir.path(), "empty.csv", HEADER);
    let none = precept(&["check", "--no-config", "--policies", &policies, "--findings", &empty]);
    assert_eq!(none.code, 0, "{}", none.snapshot());
    assert!(none.stdout.contains(": no findings"), "{}", none.stdout);
    // With the bundled policies, whose SQL leaves rules out, never a clean run.
    let run = precept(&["check", "--no-config", "--policies", "policies", "--findings", &format!("{ROWS}/empty.csv")]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::engine::not-run"), "{}", run.stderr);
}

#[test]
fn an_empty_file_is_a_failed_export_not_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let policies = house(dir.path(), "warning", "team {group.team} held no briefing in {group.period}");
    for (name, text) in [("zero.csv", ""), ("blank.jsonl", " \n\n")] {
        let rows = file(dir.path(), name, text);
        let run = precept(&["check", "--no-config", "--policies", &policies, "--findings", &rows]);
        assert_eq!(run.code, 2, "{name}: {}", run.snapshot());
        assert!(run.stderr.contains("precept::findings::columns"), "{}", run.stderr);
    }
}

#[test]
fn missed_periods_the_rows_do_not_name_are_never_hidden_by_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let policies = house(dir.path(), "error", "team {group.team} held no weekly briefing");
    let one = file(dir.path(), "one.csv", &format!("{HEADER}{NORTH}"));
    let three = file(dir.path(), "three.csv", &format!("{HEADER}{NORTH}{NORTH}{NORTH}"));
    let baseline = dir.path().join("baseline.json");
    let b = baseline.to_str().unwrap();
    let wrote = precept(&["baseline", "--no-config", "--policies", &policies, "--findings", &one, "--file", b]);
    assert_eq!(wrote.code, 0, "{}", wrote.snapshot());
    assert!(wrote.stdout.starts_with("wrote 0 findings"), "{}", wrote.snapshot());
    assert!(wrote.stderr.contains("precept::findings::unnamed-period"), "{}", wrote.stderr);
    let run = precept(&[
        "check",
        "--no-config",
        "--policies",
        &policies,
        "--findings",
        &three,
        "--baseline",
        b,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["findings"], 3);
    assert_eq!(report["summary"]["baselined"], 0);
    // One warning for the rule, not one per row.
    assert_eq!(codes(&run), ["precept::findings::unnamed-period"]);
    let human = precept(&["check", "--no-config", "--policies", &policies, "--findings", &three]);
    insta::assert_snapshot!("unnamed_period", human.stderr.replace(&*policies, "POLICIES").replace(&*three, "ROWS"));
}

#[test]
fn a_findings_history_exported_twice_gives_each_finding_once() {
    let dir = tempfile::tempdir().unwrap();
    let few = std::fs::read_to_string(root().join(ROWS).join("few.csv")).unwrap();
    let body: String = few.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let twice = file(dir.path(), "twice.csv", &format!("{few}{body}"));
    let once = check_rows("few.csv", &[]);
    let run = precept(&["check", "--no-config", "--policies", "policies", "--format", "json", "--findings", &twice]);
    assert_eq!(run.code, once.code, "{}", run.snapshot());
    let all: Vec<String> = compiled_rules();
    assert_eq!(findings(&run, &all), findings(&once, &all));
    let dup: Vec<String> = codes(&run).into_iter().filter(|c| c == "precept::findings::duplicate-row").collect();
    assert_eq!(dup.len(), 1, "{}", run.snapshot());
    let n = few.lines().count() - 1;
    assert!(run.stderr.contains(&format!("{n} rows of")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("the first at line {}", n + 2)), "{}", run.stderr);
}

#[test]
fn json_lines_keys_left_out_are_null_and_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let policies = house(dir.path(), "warning", "team {group.team} held no briefing in {group.period}");
    let rows = file(
        dir.path(),
        "rows.jsonl",
        "{\"RULE_ID\":\"weekly-briefing\",\"Group_Key\":\"team North\",\"message_values\":[\"North\",\"2024-03-04\"]}\n",
    );
    let run = precept(&["check", "--no-config", "--policies", &policies, "--format", "json", "--findings", &rows]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert_eq!(codes(&run), Vec::<String>::new());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["findings"], 1, "{}", run.stdout);
    // Without `rule_id` a row names no rule.
    let bad = file(dir.path(), "bad.jsonl", "{\"group_key\":\"team North\"}\n");
    let run = precept(&["check", "--no-config", "--policies", &policies, "--findings", &bad]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(
        run.stderr.contains("precept::findings::invalid-row") && run.stderr.contains("it has no"),
        "{}",
        run.stderr
    );
}

#[test]
fn rows_in_any_order_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(ROWS).join("bundled.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // Rows end at line ends here (no cell holds a line break).
    lines.reverse();
    let n = lines.len();
    lines.rotate_left(n / 3);
    let shuffled = file(dir.path(), "bundled.csv", &format!("{header}\n{}\n", lines.join("\n")));
    let report = |path: &str| {
        let run = precept(&["check", "--no-config", "--policies", "policies", "--format", "json", "--findings", path]);
        let mut v: Value = serde_json::from_str(&run.stdout).unwrap();
        // The rows' lines differ; the file is named the same in both.
        for f in v["findings"].as_array_mut().unwrap() {
            let o = f.as_object_mut().unwrap();
            for key in ["file", "line", "end_line", "record_index"] {
                o.remove(key);
            }
        }
        v.as_object_mut().unwrap().remove("timestamp");
        serde_json::to_string_pretty(&v).unwrap()
    };
    let dir2 = tempfile::tempdir().unwrap();
    let ordered = file(dir2.path(), "bundled.csv", &text);
    assert_eq!(report(&shuffled), report(&ordered));
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

/// A list or an object in a message is read back as the SQL wrote it, the text `check` shows: never refused as
/// a value not of its type, nor formatted again.
#[test]
fn a_list_shown_in_a_message_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("house.precept"),
        "schema parcel { identified by id  id: text  tags: list of text?  maker: { name: text? }? }\n\
         code \"House rules\" { level organisational\n\
         rule tagged { title \"t\" for parcel require record.tags is missing message \"{record.id} has {record.tags} by {record.maker}\" } }\n",
    )
    .unwrap();
    let rows = file(
        dir.path(),
        "rows.jsonl",
        "{\"rule_id\": \"tagged\", \"record_id\": \"P-1\", \"field\": \"tags\", \"message_values\": [\"P-1\", \"[a, b, c]\", \"(object)\"]}\n\
         {\"rule_id\": \"tagged\", \"record_id\": \"P-2\", \"field\": \"tags\", \"message_values\": [\"P-2\", null, null]}\n",
    );
    let run = precept(&[
        "check",
        "--no-config",
        "--policies",
        policies.to_str().unwrap(),
        "--findings",
        &rows,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let messages: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["P-1 has [a, b, c] by (object)", "P-2 has (missing) by (missing)"], "{}", run.snapshot());
}
