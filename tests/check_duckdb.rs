//! `precept check --engine duckdb` (feature `duckdb`): the same findings, reports and exit status
//! as the native engine, over JSON Lines, CSV and Parquet; rules the SQL leaves out never vanish.
//!
//! Findings are compared through the JSON report, less what docs/warehouse.md names as the DuckDB
//! engine's own: the column (always 1), the evidence (but a missing period's and a case's) and the
//! help with values filled in; a group's or case's sample records are compared, and so are the
//! problems with the records (`precept::input::*`), each at its line, the closings with nothing
//! open (`precept::case::*`), and the obligations pending and left out.

#![cfg(feature = "duckdb")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;
mod sql_diff;

use std::path::Path;

use common::{precept_in, root, Run};
use serde_json::Value;

/// `precept check --no-config --format json --policies policies` and `args` in `dir`.
fn check_json(dir: &Path, args: &[&str]) -> Run {
    precept_in(dir, &[&["check", "--no-config", "--format", "json", "--policies", "policies"], args].concat())
}

/// [`findings`] without the file each is in (the same records read from two files).
fn without_files(run: &Run) -> Vec<Value> {
    findings(run, &[])
        .into_iter()
        .map(|mut f| {
            f.as_object_mut().unwrap().remove("file");
            f
        })
        .collect()
}

/// A project in a fresh temporary folder: `policies/{name}` holding `policy`, and an empty
/// `records` folder.
fn policy_project(name: &str, policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("policies").join(name), policy).unwrap();
    dir
}

/// The rows of `with` written to Parquet file `path` in `dir`, and those of `without` to
/// `utc.parquet` there (to be renamed over it later), instants read in UTC.
fn parquet_with_and_without(dir: &Path, with: &str, without: &str, path: &str) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "SET TimeZone = 'UTC';
         COPY ({with}) TO '{}' (FORMAT parquet);
         COPY ({without}) TO '{}' (FORMAT parquet);",
        dir.join(path).display(),
        dir.join("utc.parquet").display()
    ))
    .unwrap();
}

/// The findings of a JSON report, each without the fields the engines differ in, sorted.
fn findings(run: &Run, drop_rules: &[String]) -> Vec<Value> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    let mut out: Vec<Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !drop_rules.iter().any(|r| f["rule"] == r.as_str()))
        .map(|f| {
            let mut f = f.clone();
            // A missing period's evidence is the engine's own, fact for fact (the period is part
            // of the fingerprint), and so is a case's (when it opened, was due, closed); other
            // evidence is left out.
            let presence = f["evidence"].as_array().is_some_and(|e| {
                e.iter().any(|e| e["facts"]["missing"].is_string() || e["facts"]["opened"].is_string())
            });
            for key in ["column", "evidence", "help"] {
                if !(key == "evidence" && presence) {
                    f.as_object_mut().unwrap().remove(key);
                }
            }
            f
        })
        .collect();
    out.sort_by_key(|f| f.to_string());
    out
}

/// The findings of a JSON report in its order, as `(rule, record or group key, message)`.
fn in_order(run: &Run) -> Vec<(String, String, String)> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (text(&f["rule"]), text(&f["record"]), text(&f["message"])))
        .collect()
}

/// The rules a DuckDB run says it did not run (`precept::engine::not-run`), by id.
fn not_run(run: &Run) -> Vec<String> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut ids = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        if d["code"] == "precept::engine::not-run" {
            let message = d["message"].as_str().unwrap();
            let id = message.split('`').nth(1).unwrap();
            ids.push(id.to_string());
        }
    }
    ids
}

/// Run `check` natively and on DuckDB with `args`, and require the same findings of the rules
/// DuckDB runs and the same exit status; the number of findings compared.
/// (`--config FILE` among `args` reads those settings instead of none.)
fn same_as_native(dir: &Path, args: &[&str]) -> usize {
    let config: &[&str] = if args.contains(&"--config") { &[] } else { &["--no-config"] };
    let native = precept_in(dir, &[&["check", "--format", "json"], config, args].concat());
    let duck = precept_in(dir, &[&["check", "--format", "json", "--engine", "duckdb"], config, args].concat());
    assert_eq!(native.code, duck.code, "native:\n{}\nduckdb:\n{}", native.stderr, duck.snapshot());
    let left_out = not_run(&duck);
    let (want, got) = (findings(&native, &left_out), findings(&duck, &left_out));
    if want != got {
        // (As text in sets: a generated project has thousands of findings.)
        let text = |v: &[Value]| {
            v.iter().map(|f| serde_json::to_string_pretty(f).unwrap()).collect::<std::collections::BTreeSet<_>>()
        };
        let (want, got) = (text(&want), text(&got));
        let missing: Vec<&String> = want.difference(&got).take(3).collect();
        let extra: Vec<&String> = got.difference(&want).take(3).collect();
        panic!(
            "the findings differ in {}\nonly native (first 3 of {}):\n{}\nonly duckdb (first 3 of {}):\n{}",
            dir.display(),
            want.difference(&got).count(),
            missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
            got.difference(&want).count(),
            extra.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
        );
    }
    // And in the same order: by file, record and rule, then the groups by rule, key and period.
    let order = |run: &Run| -> Vec<(String, String, String)> {
        in_order(run).into_iter().filter(|(rule, _, _)| !left_out.contains(rule)).collect()
    };
    assert_eq!(order(&native), order(&duck), "the findings are in another order");
    // And the same problems with the records, each at the same place, the same closings with
    // nothing open, and the same obligations pending and left out.
    // (The closings with nothing open of a rule DuckDB did not run are the native engine's only.)
    let ran = |d: &Value| !left_out.iter().any(|r| d["message"].as_str().unwrap().contains(&format!("rule `{r}`")));
    let (mut wanted, got) = (input_diagnostics(&native), input_diagnostics(&duck));
    wanted.retain(ran);
    if wanted != got {
        let only = |a: &[Value], b: &[Value]| a.iter().filter(|d| !b.contains(d)).take(3).cloned().collect::<Vec<_>>();
        panic!("the diagnostics differ\nonly native: {:#?}\nonly duckdb: {:#?}", only(&want, &got), only(&got, &want));
    }
    assert_eq!(counted(&native, &left_out), counted(&duck, &left_out), "{}", duck.stderr);
    want.len()
}

/// The obligations pending and the records and obligations left out, by rule (those of the rules in
/// `left_out` aside), from a JSON report's summary.
fn counted(run: &Run, left_out: &[String]) -> Vec<(String, String, u64)> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut out = Vec::new();
    for what in ["pending", "left_out"] {
        for (rule, n) in report["summary"][what]["by_rule"].as_object().unwrap() {
            if !left_out.contains(rule) {
                out.push((what.to_string(), rule.clone(), n.as_u64().unwrap()));
            }
        }
    }
    out
}

/// The diagnostics of a JSON report about the records (`precept::input::*`) and the closings with
/// nothing open (`precept::case::*`), sorted.
fn input_diagnostics(run: &Run) -> Vec<Value> {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    let mut out: Vec<Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            let code = d["code"].as_str().unwrap();
            code.starts_with("precept::input::") || code.starts_with("precept::case::")
        })
        .cloned()
        .collect();
    out.sort_by_key(|d| d.to_string());
    out
}

#[test]
fn the_bundled_example_gives_the_native_findings_and_exit_status() {
    let root = root();
    let files = [
        "fixtures/records/complaints-2024.jsonl",
        "fixtures/records/complaints-2025-26.jsonl",
        "fixtures/records/complaints-by-team-2026.jsonl",
        "fixtures/records/service-desk.jsonl",
    ];
    let n = same_as_native(&root, &[&["--policies", "policies", "--as-of", "2026-06-30"][..], &files].concat());
    assert!(n > 5, "only {n} findings compared");
}

/// Rules over groups: the bundled example's monthly shares of a team's complaints and daily
/// briefings on business days (its briefings export in a folder of its own, as `files
/// "briefings/*.csv"` finds it), and weekly briefings with groups expected by name and a share
/// (`fixtures/expected-groups`).
#[test]
fn rules_over_groups_give_the_native_findings_in_the_native_order() {
    let root = root();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("records/briefings")).unwrap();
    for file in ["complaints-by-team-2026.jsonl", "briefings/briefings-2026-02.csv"] {
        std::fs::copy(root.join("fixtures/records").join(file), dir.path().join("records").join(file)).unwrap();
    }
    let policies = root.join("policies");
    let args = ["--policies", policies.to_str().unwrap(), "--as-of", "2026-06-30", "records"];
    let n = same_as_native(dir.path(), &args);
    assert!(n >= 2, "only {n} findings compared");
    let expected = root.join("fixtures/expected-groups");
    let n = same_as_native(&expected, &["--policies", "policies", "records"]);
    assert!(n >= 3, "only {n} findings compared");
    // Group findings were compared, not only left out.
    for (dir, args, rule) in [
        (dir.path(), &args[..], "daily-briefing"),
        (dir.path(), &args[..], "complaint-escalation-share"),
        (&expected, &["--policies", "policies", "records"][..], "weekly-briefing"),
    ] {
        let duck =
            precept_in(dir, &[&["check", "--no-config", "--format", "json", "--engine", "duckdb"][..], args].concat());
        assert!(in_order(&duck).iter().any(|(r, _, _)| r == rule), "no finding of `{rule}`: {}", duck.snapshot());
    }
}

/// Rules over groups whose findings show records of every kind the engine keeps: the worst values
/// of a `max` (largest first) and an `avg` compared from below (smallest first), the earlier read
/// first among equals; the records a `count(c)` counts against; the group's first records for a
/// `count()` and a missing period; and, for a `require` of two comparisons, the records against
/// the first that does not hold; the least of quotients by a constant below zero (the largest
/// scores first); the greatest of quotients by a value of the record.
const SAMPLES_POLICY: &str = r#"schema call {
  identified by id
  id: text
  team: text
  at: date
  wait: duration
  score: integer
  escalated: boolean
}

code "Call standard" {
  level organisational

  rule short-waits {
    title "Waits stay short"
    for call
    group by record.team
    require max(record.wait) <= 10m
    message "team {group.team} waited up to {max(record.wait)}"
  }

  rule good-scores {
    title "Scores are good on average"
    for call
    group by record.team
    require avg(record.score) >= 3
    message "team {group.team} scored {avg(record.score)}"
  }

  rule few-escalations {
    title "Few escalations"
    for call
    group by record.team
    require count(record.escalated) <= 1
    message "team {group.team} escalated {count(record.escalated)}"
  }

  rule enough-calls {
    title "Enough calls"
    for call
    group by record.team
    require count() >= 6
    message "team {group.team} took {count()} calls"
  }

  rule both {
    title "Waits and scores"
    for call where record.wait > 1m
    group by record.team
    require max(record.wait) <= 30m and min(record.score) >= 2
    message "team {group.team}"
  }

  rule halved-scores {
    title "Scores halved, or quartered below zero, stay small"
    for call
    group by record.team
    require min(-(record.score / 2)) >= -1 and avg(record.score / -4) >= -0.5
    message "team {group.team} {min(-(record.score / 2))} {avg(record.score / -4)}"
  }

  rule score-ratios {
    title "Scores over twice less one stay above three fifths"
    for call
    group by record.team
    require min(record.score / (record.score * 2 - 1)) > 0.6 and sum(record.score / (record.score * 2 - 1)) < 3
    message "team {group.team} {min(record.score / (record.score * 2 - 1))} {sum(record.score / (record.score * 2 - 1))}"
  }

  rule daily {
    title "Calls every day"
    severity warning
    for call
    group by record.team
    expect every day of record.at
    message "team {group.team} took no call on {group.period}"
  }
}
"#;

/// The calls of [`SAMPLES_POLICY`], in a CSV file read first (its records a line after their
/// position) and a JSON Lines file.
const SAMPLES_CSV: &str = "id,team,at,wait,score,escalated\nC-01,red,2026-03-02,20m,1,true\nC-02,red,2026-03-02,5m,4,false\nC-03,blue,2026-03-03,40m,2,true\nC-04,red,2026-03-05,20m,1,true\n";
const SAMPLES_JSONL: &str = r#"{"id":"J-01","team":"blue","at":"2026-03-02","wait":"45m","score":1,"escalated":true}
{"id":"J-02","team":"red","at":"2026-03-03","wait":"20m","score":5,"escalated":false}
{"id":"J-03","team":"blue","at":"2026-03-02","wait":"45m","score":3,"escalated":true}
{"id":"J-04","team":"red","at":"2026-03-06","wait":"25m","score":1,"escalated":true}
{"id":"J-05","team":"blue","at":"2026-03-06","wait":"2m","score":1,"escalated":false}
"#;

#[test]
fn group_findings_show_the_native_sample_records() {
    let dir = policy_project("calls.precept", SAMPLES_POLICY);
    std::fs::write(dir.path().join("records/a-calls.csv"), SAMPLES_CSV).unwrap();
    std::fs::write(dir.path().join("records/b-calls.jsonl"), SAMPLES_JSONL).unwrap();
    // `same_as_native` compares the samples with the rest of each finding, in order.
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n >= 14, "only {n} findings compared");
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--engine", "duckdb", "--policies", "policies", "records"],
    );
    assert_eq!(not_run(&duck), Vec::<String>::new(), "{}", duck.stderr);
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    // The least of the halved scores, negated: a group's largest scores.
    let halved: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "halved-scores").collect();
    assert_eq!(halved.len(), 2, "{halved:#?}");
    let red = halved.iter().find(|f| f["group"]["key"]["team"] == "red").unwrap();
    assert_eq!(red["message"], "team red -2.5 -0.6", "{red}");
    assert_eq!(red["group"]["samples"][0]["record"], "J-02", "{red}");
    // The least of quotients by a value of the record, exact: team red's 5/9 (J-02), past 0.6,
    // and team blue's 3/5 (J-03), exactly on it; and their sums (red's 1 + 4/7 + 1 + 5/9 + 1 =
    // 260/63, blue's 49/15). The records shown are the least first (5/9, 4/7, then the first 1
    // read), as the engine shows them: in the order of the values, not of their numerators.
    let ratios: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "score-ratios").collect();
    assert_eq!(ratios.len(), 2, "{ratios:#?}");
    for (team, message, records) in [
        ("red", "team red ≈0.5555555556 ≈4.1269841270", ["J-02", "C-02", "C-01"]),
        ("blue", "team blue 0.6 ≈3.2666666667", ["J-03", "C-03", "J-01"]),
    ] {
        let f = ratios.iter().find(|f| f["group"]["key"]["team"] == team).unwrap();
        assert_eq!(f["message"], message, "{f}");
        let shown: Vec<&Value> = f["group"]["samples"].as_array().unwrap().iter().map(|s| &s["record"]).collect();
        assert_eq!(shown, records.map(Value::from).iter().collect::<Vec<_>>(), "{f}");
    }
    for f in report["findings"].as_array().unwrap() {
        let samples = f["group"]["samples"].as_array().unwrap();
        assert!(!samples.is_empty(), "no samples: {f}");
    }
    // A record holding values that do not convert is left out of the groups of the rules that read
    // them, and counted, as in the native engine; the rules that do not read them count it.
    let bad = r#"{"id":"J-06","team":"red","at":"2026-03-04","wait":"forever","score":"x","escalated":true}"#;
    std::fs::write(dir.path().join("records/b-calls.jsonl"), format!("{SAMPLES_JSONL}{bad}\n")).unwrap();
    same_as_native(dir.path(), &["--policies", "policies", "records"]);
    let args = ["check", "--no-config", "--format", "json", "--policies", "policies", "records"];
    let native: Value = serde_json::from_str(&precept_in(dir.path(), &args).stdout).unwrap();
    let duck = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb"]].concat());
    let duck: Value = serde_json::from_str(&duck.stdout).unwrap();
    assert_eq!(native["summary"]["left_out"], duck["summary"]["left_out"]);
    // (The five rules that read the score or the wait.)
    assert_eq!(native["summary"]["left_out"]["total"], 5, "{}", native["summary"]);
    let left_out = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["evidence"].as_array().unwrap().iter())
            .filter(|e| e["facts"]["left_out"].is_string())
            .map(Value::to_string)
            .collect()
    };
    assert_eq!(left_out(&native), left_out(&duck));
}

/// The findings of `check` with `args` in `dir` (the engine's flags among them), by standing.
fn standings(dir: &Path, args: &[&str]) -> (Run, Vec<(String, String)>) {
    let run = precept_in(dir, &[&["check", "--no-config", "--format", "json"][..], args].concat());
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.snapshot()));
    let each = report["findings"].as_array().unwrap().iter();
    let found = each.map(|f| (f["rule"].as_str().unwrap().to_string(), f["standing"].as_str().unwrap().to_string()));
    (run, found.collect())
}

/// A baseline written from one engine's findings knows every finding of the other: findings are
/// fingerprinted alike, a presence rule's by the period missing.
fn baseline_round_trip(dir: &Path, args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let native_baseline = tmp.path().join("native.json");
    let wrote = precept_in(
        dir,
        &[&["baseline", "--no-config", "--file", native_baseline.to_str().unwrap()][..], args].concat(),
    );
    assert_eq!(wrote.code, 0, "{}", wrote.snapshot());
    // Native baseline, DuckDB check: every finding known, none of the rules it runs stale.
    let (duck, found) =
        standings(dir, &[&["--engine", "duckdb", "--baseline", native_baseline.to_str().unwrap()][..], args].concat());
    assert!(found.iter().any(|(r, _)| r.contains("briefing")), "no group finding: {}", duck.snapshot());
    assert!(found.iter().all(|(_, s)| s == "baselined"), "{found:?}\n{}", duck.stderr);
    let left_out = not_run(&duck);
    // DuckDB's findings as a baseline (their fingerprints, from its SARIF report), native check:
    // every finding of the rules DuckDB runs is known, and none of DuckDB's is stale.
    let sarif =
        precept_in(dir, &[&["check", "--no-config", "--format", "sarif", "--engine", "duckdb"][..], args].concat());
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap_or_else(|e| panic!("{e}\n{}", sarif.snapshot()));
    let entries: Vec<Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::json!({"fingerprint": r["partialFingerprints"]["precept/v1"], "rule": r["ruleId"], "record": null}))
        .collect();
    assert_eq!(entries.len(), found.len());
    let duck_baseline = tmp.path().join("duckdb.json");
    let document = serde_json::json!({"version": 1, "findings": entries});
    std::fs::write(&duck_baseline, document.to_string()).unwrap();
    let (native, found) = standings(dir, &[&["--baseline", duck_baseline.to_str().unwrap()][..], args].concat());
    let ran: Vec<&(String, String)> = found.iter().filter(|(r, _)| !left_out.contains(r)).collect();
    assert!(ran.iter().all(|(_, s)| s == "baselined"), "{ran:?}\n{}", native.stderr);
    assert!(!native.stderr.contains("precept::baseline::stale"), "{}", native.stderr);
}

#[test]
fn a_baseline_written_by_either_engine_knows_the_others_group_findings() {
    let root = root();
    let expected = root.join("fixtures/expected-groups");
    baseline_round_trip(&expected, &["--policies", "policies", "--roles", "org", "--as-of", "2026-03-31", "records"]);
    // Daily briefings on business days, and monthly shares of a team's complaints.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("records/briefings")).unwrap();
    for file in ["complaints-by-team-2026.jsonl", "briefings/briefings-2026-02.csv"] {
        std::fs::copy(root.join("fixtures/records").join(file), dir.path().join("records").join(file)).unwrap();
    }
    let policies = root.join("policies");
    baseline_round_trip(dir.path(), &["--policies", policies.to_str().unwrap(), "--as-of", "2026-06-30", "records"]);
}

/// Group rules over redacted fields: their keys and aggregates shown as hashes, the same as the
/// native engine's, with the same sample records.
#[test]
fn aggregates_of_redacted_fields_give_the_native_findings() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["policies", "records"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    std::fs::write(
        dir.path().join("policies/calls.precept"),
        r#"schema call {
  identified by id
  id: text
  team: text
  wait: duration
  score: integer
  amount: money GBP?
  name: text?
}

code "Call standard" {
  level organisational

  rule short-waits {
    title "Waits stay short"
    for call
    group by record.team
    require max(record.wait) <= 10m
    message "team {group.team} waited up to {max(record.wait)}"
  }

  rule good-scores {
    title "Scores are good"
    for call
    group by record.team
    require sum(record.score) >= 9 and min(record.score) >= 2
    message "team {group.team} scored {sum(record.score)}, the least {min(record.score)}"
  }

  rule small-amounts {
    title "Amounts stay small"
    for call
    group by record.team
    require sum(record.amount otherwise 0 GBP) <= 20 GBP
    message "team {group.team} paid {sum(record.amount otherwise 0 GBP)}"
  }

  rule one-call-each {
    title "One call each"
    for call where record.name is present
    group by record.name
    require count() <= 1
    message "{group.name} called {count()} times"
  }
}
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("precept.toml"), "redact = [\"wait\", \"score\", \"amount\", \"name\"]\n").unwrap();
    std::fs::write(
        dir.path().join("records/call.jsonl"),
        r#"{"id":"J-01","team":"blue","wait":"45m","score":1,"amount":"12.50 GBP","name":"Ann"}
{"id":"J-02","team":"red","wait":"20m","score":5,"name":"Bo"}
{"id":"J-03","team":"blue","wait":"45m","score":3,"amount":"9 GBP","name":"Ann"}
{"id":"J-04","team":"red","wait":"25m","score":1}
{"id":"J-05","team":"blue","wait":"2m","score":1,"amount":"0.01 GBP"}
"#,
    )
    .unwrap();
    let args = ["--config", "precept.toml", "--policies", "policies", "records"];
    assert_eq!(same_as_native(dir.path(), &args), 6);
    let duck = precept_in(dir.path(), &[&["check", "--format", "json", "--engine", "duckdb"][..], &args].concat());
    assert!(not_run(&duck).is_empty(), "{}", duck.stderr);
    let found = in_order(&duck);
    assert!(found.iter().all(|(_, _, m)| m.contains("redacted:")), "{found:#?}");
    assert!(!duck.stdout.contains("45m") && !duck.stdout.contains("Ann"), "{}", duck.stdout);
}

#[test]
fn fixtures_with_their_own_policies_give_the_native_findings() {
    let root = root();
    let dir = root.join("fixtures/shared-clock");
    let n = same_as_native(&dir, &["--policies", "policies", "--as-of", "2026-06-30", "records"]);
    assert!(n > 0, "no findings compared");
}

/// A policy over every kind of column: text, enumerations, whole numbers, decimals, money,
/// booleans, dates, datetimes, durations, nested objects and lists, with a business calendar.
const POLICY: &str = r#"
calendar london from "london.toml"

schema ticket {
  identified by id
  dated by opened_at
  staff by agent
  id: text
  agent: text
  opened_at: datetime
  answered_at: datetime?
  waited: duration
  refund: money GBP?
  score: decimal?
  replies: integer
  urgent: boolean
  customer: { kind: enum { retail, business }, since: date? }
  tags: list of text?
}

code "House rules" {
  level organisational
  calendar london

  rule answered-in-two-business-days {
    title "Answered by the end of the second business day"
    for ticket where record.answered_at is present
    require record.answered_at <= record.opened_at + 2 business days
    message "{record.id} opened {record.opened_at}, answered {record.answered_at}, due {record.opened_at + 2 business days}"
  }

  rule short-waits {
    title "Urgent tickets wait under an hour"
    severity warning
    for ticket where record.urgent
    require record.waited < 1h
    message "{record.id} ({record.customer.kind}) waited {record.waited}"
  }

  rule refunds-are-small {
    title "Refunds under 100 GBP, scores at least 2.5"
    for ticket where record.refund is present
    require record.refund < 100 GBP and (record.score is missing or record.score >= 2.5)
    message "{record.id} refunded {record.refund}, scored {record.score}, {record.replies} replies"
  }

  rule tagged {
    title "Business customers' tickets are tagged"
    for ticket where record.customer.kind == business
    require record.tags is present and count(record.tags) >= 1
    message "{record.id} has no tags; customer since {record.customer.since}"
  }

  rule weighted-refunds {
    title "Refunds with their fee are each given once"
    for ticket where record.refund is present
    group by record.refund * 1.015 as weighted
    require count() < 1
    message "{group.weighted}: {count()}"
  }
}
"#;

const CALENDAR: &str = r#"
zone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
cutoff = "17:00"
holidays = [2024-12-25, 2024-12-26, 2025-01-01]
"#;

/// Records that break each rule, and some that keep them all.
fn records() -> Vec<Value> {
    let mut out = Vec::new();
    let kinds = ["retail", "business"];
    for i in 0..40 {
        let kind = kinds[i as usize % 2];
        let opened = jiff::Timestamp::from_second(1_733_000_000 + i64::from(i) * 37_000).unwrap();
        let answered = opened + jiff::SignedDuration::from_hours(i64::from(i % 7) * 13);
        let agent = ["amara", "ben", "chloe"][i as usize % 3];
        let waited = ["30m", "1h 30m", "45m", "PT2H", "3599"][i as usize % 5];
        let mut r = serde_json::json!({
            "id": format!("T-{i:03}"),
            "agent": agent,
            "opened_at": opened.to_string(),
            "waited": waited,
            "replies": i % 4,
            "urgent": i % 3 == 0,
            "customer": {"kind": kind},
        });
        let o = r.as_object_mut().unwrap();
        if i % 4 != 3 {
            o.insert("answered_at".into(), Value::String(answered.to_string()));
        }
        if i % 5 == 1 {
            o.insert("refund".into(), serde_json::json!(format!("{}.50", 60 + i * 3)));
            if i % 2 == 0 {
                o.insert("score".into(), serde_json::json!(2.25 + f64::from(i % 3)));
            }
        }
        if i % 6 == 1 {
            o.insert("tags".into(), serde_json::json!(["vip"]));
        } else if i % 6 == 3 {
            o.insert("tags".into(), serde_json::json!([]));
        }
        if i % 4 == 1 {
            o.get_mut("customer")
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert("since".into(), Value::String("2019-04-01".into()));
        }
        out.push(r);
    }
    out
}

fn project() -> tempfile::TempDir {
    let dir = policy_project("house.precept", POLICY);
    std::fs::write(dir.path().join("policies/london.toml"), CALENDAR).unwrap();
    let text: String = records().iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(dir.path().join("records/tickets.jsonl"), text).unwrap();
    dir
}

#[test]
fn json_lines_of_every_type_give_the_native_findings() {
    let dir = project();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n > 20, "only {n} findings compared");
}

/// The records as a Parquet file in the table mapping, written by DuckDB's `COPY` from the JSON
/// Lines file: dotted column names, datetimes as UTC `TIMESTAMP`, durations in microseconds.
fn write_parquet(dir: &Path) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let jsonl = dir.join("records/tickets.jsonl");
    let parquet = dir.join("parquet/tickets.parquet");
    std::fs::create_dir_all(parquet.parent().unwrap()).unwrap();
    let micros = |c: &str| {
        format!(
            "CASE {c} WHEN '30m' THEN 1800 WHEN '1h 30m' THEN 5400 WHEN '45m' THEN 2700 WHEN 'PT2H' THEN 7200 ELSE 3599 END * CAST(1000000 AS BIGINT)"
        )
    };
    let sql = format!(
        "SET TimeZone = 'UTC';
         COPY (SELECT id, agent, CAST(CAST(opened_at AS TIMESTAMPTZ) AS TIMESTAMP) AS opened_at,
                      CAST(CAST(answered_at AS TIMESTAMPTZ) AS TIMESTAMP) AS answered_at,
                      CAST({} AS BIGINT) AS waited,
                      CAST(refund AS DECIMAL(38, 10)) AS refund, CAST(score AS DECIMAL(38, 10)) AS score,
                      CAST(replies AS BIGINT) AS replies, urgent,
                      customer.kind AS \"customer.kind\", CAST(customer.since AS DATE) AS \"customer.since\", tags
               FROM read_json('{}', format = 'newline_delimited', columns = {{
                 'id': 'VARCHAR', 'agent': 'VARCHAR', 'opened_at': 'VARCHAR', 'answered_at': 'VARCHAR',
                 'waited': 'VARCHAR', 'refund': 'VARCHAR', 'score': 'VARCHAR', 'replies': 'BIGINT',
                 'urgent': 'BOOLEAN', 'customer': 'STRUCT(kind VARCHAR, since VARCHAR)', 'tags': 'VARCHAR[]'}}))
         TO '{}' (FORMAT parquet);",
        micros("waited"),
        jsonl.display(),
        parquet.display()
    );
    conn.execute_batch(&sql).unwrap();
}

#[test]
fn a_parquet_file_gives_the_findings_of_the_same_records_as_json_lines() {
    let dir = project();
    write_parquet(dir.path());
    let (native, duck) = records_natively_and_parquet_on_duckdb(dir.path());
    let (want, got) = (elsewhere(&native), elsewhere(&duck));
    assert!(want.len() > 20, "only {} findings", want.len());
    assert_eq!(want, got, "{}", duck.stderr);
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    assert_eq!(report["findings"][0]["file"], "parquet/tickets.parquet");
}

#[test]
fn csv_records_give_the_native_findings() {
    let dir = project();
    let mut csv =
        String::from("id,agent,opened_at,answered_at,waited,refund,score,replies,urgent,customer.kind,tags\n");
    for r in records() {
        let s = |k: &str| r.get(k).map(|v| v.as_str().map_or(v.to_string(), str::to_string)).unwrap_or_default();
        let tags = r
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(";"));
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            s("id"),
            s("agent"),
            s("opened_at"),
            s("answered_at"),
            s("waited"),
            s("refund"),
            s("score"),
            s("replies"),
            s("urgent"),
            r["customer"]["kind"].as_str().unwrap(),
            tags.unwrap_or_default()
        ));
    }
    std::fs::remove_file(dir.path().join("records/tickets.jsonl")).unwrap();
    std::fs::write(dir.path().join("records/tickets.csv"), &csv).unwrap();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n > 20, "only {n} findings compared");
    // A column no rule reads, twice: reported, and the records read all the same, in both.
    let twice = csv.replacen("\n", ",note,note\n", 1).replace("\n", ",,\n").replacen(",,\n", "\n", 1);
    std::fs::write(dir.path().join("records/tickets.csv"), twice).unwrap();
    assert_eq!(same_as_native(dir.path(), &["--policies", "policies", "records"]), n);
}

#[test]
fn every_report_format_is_written_with_the_native_exit_status() {
    let dir = project();
    for format in ["human", "json", "sarif", "junit", "github", "markdown", "html"] {
        let run = precept_in(
            dir.path(),
            &["check", "--no-config", "--policies", "policies", "--engine", "duckdb", "--format", format, "records"],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.snapshot());
        assert!(run.stdout.contains("T-003"), "{format}: {}", run.stdout);
    }
}

#[test]
fn a_rule_that_does_not_compile_is_reported_as_not_run_and_the_run_is_not_clean() {
    let dir = project();
    let policy = POLICY.replace(
        "code \"House rules\" {\n  level organisational\n  calendar london\n",
        "code \"House rules\" {\n  level organisational\n  calendar london\n\n  rule replies-halved {\n    title \"Half the wait after opening, within a day of it\"\n    for ticket\n    require record.opened_at + record.waited / 2 < record.opened_at + 1d\n    message \"{record.id} half way on {day(record.opened_at + record.waited / 2)}\"\n  }\n",
    );
    std::fs::write(dir.path().join("policies/house.precept"), policy).unwrap();
    // Every record kept, so only the rule left out keeps the run from being clean.
    let clean = r#"{"id": "T-1", "agent": "amara", "opened_at": "2024-12-02T10:00:00Z", "waited": "5m", "replies": 1, "urgent": false, "customer": {"kind": "retail"}}"#;
    std::fs::write(dir.path().join("records/tickets.jsonl"), format!("{clean}\n")).unwrap();
    let args = ["check", "--no-config", "--as-of", "2026-06-30", "--policies", "policies"];
    let native = precept_in(dir.path(), &[&args[..], &["records"]].concat());
    assert_eq!(native.code, 0, "{}", native.snapshot());
    let duck = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb", "records"]].concat());
    assert_eq!(duck.code, 1, "{}", duck.snapshot());
    assert!(duck.stderr.contains("precept::engine::not-run"), "{}", duck.snapshot());
    assert!(duck.stderr.contains("replies-halved"), "{}", duck.snapshot());
    // In the report too, not only on the terminal.
    let json = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb", "--format", "json", "records"]].concat());
    assert_eq!(not_run(&json), ["replies-halved"]);
}

/// A CSV file of one column with blank lines (no records to the native reader, a record of one
/// NULL to DuckDB's) and a quoted empty cell: the same records and findings, in the same order
/// (each at its record's position, not its line, as with any blank line: docs/warehouse.md).
#[test]
fn a_csv_file_of_one_column_with_blank_lines_gives_the_native_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    let policy = r#"schema tag {
  identified by id
  id: text
  score: integer?
}

code "Tags" {
  level organisational
  rule short {
    title "t"
    for tag
    require record.id != "B"
    message "tag {record.id}"
  }
  rule scored {
    title "t"
    for tag
    require record.score is present
    message "tag {record.id} has no score"
  }
}
"#;
    std::fs::write(dir.path().join("policies/tags.precept"), policy).unwrap();
    std::fs::write(dir.path().join("records/tags.csv"), "id\nA\n\nB\n\n\nC\n\"\"\nD\n").unwrap();
    let args = ["check", "--no-config", "--format", "json", "--policies", "policies", "records"];
    let native = precept_in(dir.path(), &args);
    let duck = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb"]].concat());
    // The quoted empty id is a required value missing, to both: exit status 2.
    assert_eq!((native.code, duck.code), (2, 2), "{}", duck.snapshot());
    let codes = |run: &Run| input_diagnostics(run).iter().map(|d| d["code"].clone()).collect::<Vec<_>>();
    assert_eq!(codes(&native), codes(&duck));
    assert!(!codes(&native).is_empty());
    let (want, got) = (in_order(&native), in_order(&duck));
    assert_eq!(want, got);
    assert!(want.len() >= 5, "only {} findings compared", want.len());
    let records = |run: &Run| serde_json::from_str::<Value>(&run.stdout).unwrap()["summary"]["records"].clone();
    assert_eq!(records(&native), records(&duck));
}

#[test]
fn files_duckdb_does_not_read_are_errors() {
    let dir = project();
    std::fs::write(dir.path().join("records/more.toml"), "id = \"T-9\"\n").unwrap();
    let run =
        precept_in(dir.path(), &["check", "--no-config", "--policies", "policies", "--engine", "duckdb", "records"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::engine::unsupported-file"), "{}", run.snapshot());
    assert!(run.stderr.contains("more.toml"), "{}", run.snapshot());
    // The other files were checked.
    assert!(run.stdout.contains("T-003"), "{}", run.snapshot());
}

/// A record of [`POLICY`]'s tickets with `fields` (JSON, after a comma) besides the ones every
/// ticket has.
fn ticket(id: &str, fields: &str) -> String {
    format!(
        r#"{{"id": "{id}", "agent": "amara", "waited": "2h", "urgent": true, "customer": {{"kind": "business"}}, "answered_at": "2024-12-20T10:00:00Z", "refund": "150.00", {fields}}}"#
    )
}

/// Records holding a value of every kind that does not convert, each breaking every rule it can
/// besides, among records that convert: what each rule reading such a value makes of it is
/// the native engine's (cannot be determined, or judged where the value does not matter), and so
/// is each diagnostic, at its line.
fn bad_values() -> Vec<String> {
    let ok = r#""opened_at": "2024-12-02T10:00:00Z", "replies": 1"#;
    vec![
        ticket("B-01", r#""opened_at": "2024-12-02T10:00:00", "replies": 1"#),
        ticket("B-02", r#""opened_at": "2024-12-02T10:00:00Z", "replies": "abc""#),
        ticket("B-03", r#""opened_at": "2024-12-02T10:00:00Z", "replies": 12.7"#),
        ticket("B-04", ok).replace(r#""kind": "business""#, r#""kind": "corporate""#),
        ticket("B-05", ok).replace(r#""urgent": true"#, r#""urgent": "maybe""#),
        ticket("B-06", ok).replace(r#""waited": "2h""#, r#""waited": "forever""#),
        ticket("B-07", ok).replace(r#""refund": "150.00""#, r#""refund": "150.00 USD""#),
        ticket("B-08", &format!(r#"{ok}, "score": 2.49999999999"#)).replace(r#""150.00""#, r#""50.00""#),
        ticket("B-09", ok).replace(r#""kind": "business""#, r#""kind": "business", "since": "2019-13-45""#),
        ticket("B-10", ok).replace(r#""2024-12-20T10:00:00Z""#, r#""yesterday""#),
        ticket("B-11", r#""opened_at": "2024-03-15", "replies": 1"#),
        // A required value absent: the record is reported and skipped.
        ticket("B-12", r#""opened_at": "2024-12-02T10:00:00Z""#),
        ticket("B-13", r#""opened_at": null, "replies": 1"#),
        // A whole number the native reader reads from text.
        ticket("B-14", r#""opened_at": "2024-12-02T10:00:00Z", "replies": "7""#),
        ticket("B-15", &format!(r#"{ok}, "tags": ["vip", 3]"#)),
        // Values DuckDB's own casts would read but the native reader refuses.
        ticket("B-16", ok).replace(r#""kind": "business""#, r#""kind": "business", "since": "2019-3-2""#),
        ticket("B-17", ok).replace(r#""kind": "business""#, r#""kind": "business", "since": "19-03-04""#),
        ticket("B-18", ok).replace(r#""refund": "150.00""#, r#""refund": "150.005""#),
        ticket("B-19", ok).replace(r#""refund": "150.00""#, r#""refund": "150.00GBP""#),
        ticket("B-20", ok).replace(r#""waited": "2h""#, r#""waited": "1m 2h""#),
        ticket("B-21", ok).replace(r#""waited": "2h""#, r#""waited": "1h1h""#),
        ticket("B-22", r#""opened_at": "2024-12-02T24:00:00Z", "replies": 1"#),
        ticket("B-23", ok).replace(r#""waited": "2h""#, r#""waited": "P1DT""#),
    ]
}

/// The project's records with [`bad_values`] among them, as JSON Lines: every third record is one.
fn with_bad_values(dir: &Path) -> String {
    let good = std::fs::read_to_string(dir.join("records/tickets.jsonl")).unwrap();
    let mut bad = bad_values().into_iter();
    let mut text = String::new();
    for (i, line) in good.lines().enumerate() {
        text.push_str(line);
        text.push('\n');
        if i % 3 == 1 {
            if let Some(b) = bad.next() {
                text.push_str(&b);
                text.push('\n');
            }
        }
    }
    for b in bad {
        text.push_str(&b);
        text.push('\n');
    }
    text
}

/// A value that does not convert costs its record's rules that depend on it, as in the native
/// engine, never the run: the same findings (those that cannot be determined among them), the
/// same diagnostics at the same lines, the same summary and exit status; a decimal of more than
/// ten places, which DuckDB's table would round, is judged by the native engine too.
#[test]
fn values_that_do_not_convert_cost_their_records_as_in_the_native_engine() {
    let dir = project();
    let text = with_bad_values(dir.path());
    std::fs::write(dir.path().join("records/tickets.jsonl"), &text).unwrap();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n > 20, "only {n} findings compared");
    let args = ["check", "--no-config", "--format", "json", "--policies", "policies", "records"];
    let native = precept_in(dir.path(), &args);
    let duck = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb"]].concat());
    assert_eq!(native.code, 2, "{}", native.snapshot());
    let report = |run: &Run| -> Value { serde_json::from_str(&run.stdout).unwrap() };
    let (want, got) = (report(&native), report(&duck));
    // Outcomes that cannot be determined were compared, not only findings.
    let undetermined = want["findings"].as_array().unwrap().iter().filter(|f| f["standing"] == "cannot_determine");
    assert!(undetermined.count() >= 5, "{}", native.stdout);
    for key in ["records", "findings", "cannot_determine", "records_outcome"] {
        assert_eq!(want["summary"][key], got["summary"][key], "summary.{key}");
    }
    let inputs = input_diagnostics(&native);
    for id in [
        "B-01", "B-02", "B-03", "B-04", "B-05", "B-06", "B-07", "B-09", "B-10", "B-11", "B-12", "B-13", "B-16", "B-17",
        "B-18", "B-19", "B-20", "B-21", "B-22", "B-23",
    ] {
        let line = text.lines().position(|l| l.contains(&format!("\"{id}\""))).unwrap() + 1;
        assert!(inputs.iter().any(|d| d["line"] == line), "no diagnostic at line {line} ({id}): {inputs:#?}");
    }
    // The same records as CSV (the nested object's fields by their dotted paths), with a column
    // misspelt (`customer.sinc`), which the native reader warns of once.
    let mut csv = String::from(
        "id,agent,opened_at,answered_at,waited,refund,score,replies,urgent,customer.kind,customer.sinc,tags\n",
    );
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let s = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(t) => t.clone(),
            Value::Array(items) => {
                items.iter().map(|i| i.as_str().map_or(i.to_string(), str::to_string)).collect::<Vec<_>>().join(";")
            }
            other => other.to_string(),
        };
        let cells: Vec<String> =
            ["id", "agent", "opened_at", "answered_at", "waited", "refund", "score", "replies", "urgent"]
                .iter()
                .map(|k| s(&r[*k]))
                .chain([s(&r["customer"]["kind"]), s(&r["customer"]["since"]), s(&r["tags"])])
                .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    std::fs::remove_file(dir.path().join("records/tickets.jsonl")).unwrap();
    std::fs::write(dir.path().join("records/tickets.csv"), csv).unwrap();
    let m = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(m > 20, "only {m} findings compared");
    let native = precept_in(dir.path(), &args);
    assert_eq!(native.code, 2, "{}", native.snapshot());
    assert!(input_diagnostics(&native).len() >= 10, "{}", native.stdout);
}

/// A JSON Lines or CSV file DuckDB cannot read (a line that is not JSON, one that is not an
/// object, a row of the wrong length) is read by the native engine, which reports each problem
/// where it is and checks the rest of the file; the other files are checked by DuckDB.
#[test]
fn a_file_duckdb_cannot_read_among_good_ones_is_checked_as_natively() {
    let dir = project();
    let good = ticket("G-01", r#""opened_at": "2024-12-02T10:00:00Z", "replies": 1"#);
    let broken = format!(
        "{good}\n{{\"id\": \"X-2\", \"agent\": \n[1, 2]\n\n{}\n",
        ticket("G-02", r#""opened_at": "2024-12-02T10:00:00", "replies": 1"#)
    );
    std::fs::write(dir.path().join("records/broken.jsonl"), broken).unwrap();
    std::fs::write(
        dir.path().join("records/broken.csv"),
        "id,agent,opened_at,waited,replies,urgent,customer.kind\nC-1,amara,2024-12-02T10:00:00Z,2h,1,true,retail\nC-2,ben\nC-3,ben,2024-12-02T10:00:00Z,3h,x,true,retail\n",
    )
    .unwrap();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n > 20, "only {n} findings compared");
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--policies", "policies", "--engine", "duckdb", "records"],
    );
    assert_eq!(duck.code, 2, "{}", duck.snapshot());
    let inputs = input_diagnostics(&duck);
    for (file, line) in [("records/broken.jsonl", 2), ("records/broken.jsonl", 3), ("records/broken.csv", 3)] {
        assert!(inputs.iter().any(|d| d["file"] == file && d["line"] == line), "{file}:{line}: {inputs:#?}");
    }
    let found = findings(&duck, &[]);
    for record in ["G-01", "C-1", "T-003"] {
        assert!(found.iter().any(|f| f["record"] == record), "no finding of {record}: {}", duck.stdout);
    }
}

/// A Parquet file DuckDB cannot read (not Parquet at all, or a column whose type does not convert
/// to its field's) is an error naming it, and the other files are still checked; a value of a
/// Parquet file that does not convert (a fraction in a whole number, a text outside an
/// enumeration) is an error at its row, and the file's other records are still judged.
#[test]
fn parquet_files_and_values_duckdb_cannot_read_are_errors_at_the_file_or_row() {
    let dir = project();
    write_parquet(dir.path());
    let parquet = dir.path().join("parquet");
    std::fs::write(parquet.join("garbage.parquet"), "not parquet").unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "COPY (SELECT 'W-1' AS id, 'amara' AS agent, TIMESTAMP '2024-12-02 10:00:00' AS opened_at, CAST(60000000 AS BIGINT) AS waited,
                      {{'n': 1}} AS replies, true AS urgent, 'retail' AS \"customer.kind\")
         TO '{}' (FORMAT parquet);
         COPY (SELECT * REPLACE (CASE WHEN id = 'T-001' THEN 12.7 ELSE replies END AS replies,
                                 CASE WHEN id = 'T-003' THEN 'corporate' ELSE \"customer.kind\" END AS \"customer.kind\")
               FROM read_parquet('{p}/tickets.parquet'))
         TO '{p}/values.parquet' (FORMAT parquet);",
        parquet.join("wrong-type.parquet").display(),
        p = parquet.display()
    ))
    .unwrap();
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--policies", "policies", "--engine", "duckdb", "parquet"],
    );
    assert_eq!(duck.code, 2, "{}", duck.snapshot());
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    let diags = report["diagnostics"].as_array().unwrap();
    for file in ["garbage.parquet", "wrong-type.parquet"] {
        assert!(
            diags
                .iter()
                .any(|d| d["code"] == "precept::engine::unreadable-file"
                    && d["message"].as_str().unwrap().contains(file)),
            "{file}: {diags:#?}"
        );
    }
    for (row, field) in [(2, "replies"), (4, "customer.kind")] {
        assert!(
            diags.iter().any(|d| d["code"] == "precept::input::invalid-value"
                && d["file"] == "parquet/values.parquet"
                && d["line"] == row
                && d["message"].as_str().unwrap().contains(&format!("`{field}`"))),
            "row {row}: {diags:#?}"
        );
    }
    // The good file, and the other records of the one with bad values, were judged.
    let found = findings(&duck, &[]);
    let of = |file: &str| found.iter().filter(|f| f["file"] == file).count();
    assert!(of("parquet/tickets.parquet") > 20, "{}", duck.stdout);
    assert!(of("parquet/values.parquet") > 20, "{}", duck.stdout);
    // A record holding a value that did not convert is judged as natively: `T-003`'s kind decides
    // whether `tagged` applies, and its tags break it, so it cannot be determined; the rules that
    // do not read the kind judge the record, and show it `(unreadable)`.
    let of = |file: &str| -> Vec<(String, String)> {
        let of = found.iter().filter(|f| f["file"] == file && f["record"] == "T-003");
        let mut rules: Vec<(String, String)> = of
            .map(|f| (f["rule"].as_str().unwrap().to_string(), f["standing"].as_str().unwrap().to_string()))
            .collect();
        rules.sort();
        rules
    };
    let all = of("parquet/tickets.parquet");
    assert!(all.contains(&("tagged".to_string(), "active".to_string())) && all.len() >= 2, "{all:?}");
    let judged: Vec<(String, String)> = all
        .into_iter()
        .map(|(r, s)| if r == "tagged" { (r, "cannot_determine".to_string()) } else { (r, s) })
        .collect();
    assert_eq!(of("parquet/values.parquet"), judged);
    let shown = found
        .iter()
        .find(|f| f["file"] == "parquet/values.parquet" && f["rule"] == "short-waits" && f["record"] == "T-003");
    assert!(shown.is_some_and(|f| f["message"].as_str().unwrap().contains("(unreadable)")), "{shown:?}");
}

/// The findings of `run` as [`findings`] gives them, without their file: the same records, at
/// the same lines (a Parquet row stands for a line), in another file. An outcome that cannot be
/// determined points at its value's row, at no column in Parquet; a group's sample records are
/// in the other file too. Sorted, since reports order findings by file, and a group's finding
/// (in the policy's file) sorts before `records/` but after `parquet/`.
fn elsewhere(run: &Run) -> Vec<Value> {
    let mut all: Vec<Value> = findings(run, &[])
        .into_iter()
        .map(|mut f| {
            let o = f.as_object_mut().unwrap();
            o.remove("file");
            if let Some(why) = o.get_mut("cannot_determine").and_then(Value::as_object_mut) {
                why.remove("file");
                why.remove("column");
            }
            let samples = o.get_mut("group").and_then(|g| g.get_mut("samples")).and_then(Value::as_array_mut);
            for sample in samples.into_iter().flatten() {
                sample.as_object_mut().unwrap().remove("file");
            }
            f
        })
        .collect();
    all.sort_by_key(|f| f.to_string());
    all
}

/// `check` of `dir`'s `records` natively and of its `parquet` on DuckDB, as JSON reports, with
/// the same exit status; then the summaries' counts must agree too (`same_summary`).
fn records_natively_and_parquet_on_duckdb(dir: &Path) -> (Run, Run) {
    let native = precept_in(dir, &["check", "--no-config", "--format", "json", "--policies", "policies", "records"]);
    let duck = precept_in(
        dir,
        &["check", "--no-config", "--format", "json", "--policies", "policies", "--engine", "duckdb", "parquet"],
    );
    assert_eq!(native.code, duck.code, "{}", duck.snapshot());
    (native, duck)
}

/// The two JSON reports' counts of records, findings, findings that cannot be determined and
/// records' outcomes agree.
fn same_summary(native: &Run, duck: &Run) {
    let report = |run: &Run| -> Value { serde_json::from_str(&run.stdout).unwrap() };
    let (want, got) = (report(native), report(duck));
    for key in ["records", "findings", "cannot_determine", "records_outcome"] {
        assert_eq!(want["summary"][key], got["summary"][key], "summary.{key}");
    }
}

/// A Parquet record holding values that did not convert, of every type a column can fail to
/// convert to, has the native engine's outcomes over the same values in JSON Lines: findings,
/// outcomes that cannot be determined (naming the value), messages showing `(unreadable)`, the
/// summary and the exit status.
#[test]
fn a_parquet_record_holding_a_value_that_did_not_convert_is_judged_as_natively() {
    let dir = project();
    write_parquet(dir.path());
    let parquet = dir.path().join("parquet");
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "SET TimeZone = 'UTC';
         COPY (SELECT * REPLACE (CASE WHEN id = 'T-001' THEN 12.7 ELSE replies END AS replies,
                                 CASE WHEN id = 'T-003' THEN 'corporate' ELSE \"customer.kind\" END AS \"customer.kind\",
                                 CASE WHEN id = 'T-005' THEN 'maybe' ELSE CAST(urgent AS VARCHAR) END AS urgent,
                                 CASE WHEN id = 'T-006' THEN 'abc' ELSE CAST(refund AS VARCHAR) END AS refund,
                                 CASE WHEN id = 'T-009' THEN '2019-13-45' ELSE CAST(\"customer.since\" AS VARCHAR) END AS \"customer.since\",
                                 CASE WHEN id = 'T-010' THEN 'yesterday' ELSE CAST(answered_at AS VARCHAR) END AS answered_at)
               FROM read_parquet('{p}/tickets.parquet'))
         TO '{p}/values.parquet' (FORMAT parquet);",
        p = parquet.display()
    ))
    .unwrap();
    std::fs::remove_file(parquet.join("tickets.parquet")).unwrap();
    // The same values in JSON Lines, for the native engine.
    let mut records = records();
    let set = |records: &mut Vec<Value>, id: &str, path: &[&str], v: Value| {
        let r = records.iter_mut().find(|r| r["id"] == id).unwrap();
        let mut at = r;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = v;
    };
    set(&mut records, "T-001", &["replies"], serde_json::json!(12.7));
    set(&mut records, "T-003", &["customer", "kind"], serde_json::json!("corporate"));
    set(&mut records, "T-005", &["urgent"], serde_json::json!("maybe"));
    set(&mut records, "T-006", &["refund"], serde_json::json!("abc"));
    set(&mut records, "T-009", &["customer", "since"], serde_json::json!("2019-13-45"));
    set(&mut records, "T-010", &["answered_at"], serde_json::json!("yesterday"));
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(dir.path().join("records/tickets.jsonl"), text).unwrap();
    let (native, duck) = records_natively_and_parquet_on_duckdb(dir.path());
    let (want, got) = (elsewhere(&native), elsewhere(&duck));
    let undetermined = want.iter().filter(|f| f["standing"] == "cannot_determine").count();
    assert!(undetermined >= 2, "only {undetermined}: {}", native.stdout);
    assert!(want.iter().any(|f| f["message"].as_str().is_some_and(|m| m.contains("(unreadable)"))), "{want:#?}");
    assert_eq!(want, got, "{}", duck.stderr);
    same_summary(&native, &duck);
    let got: Value = serde_json::from_str(&duck.stdout).unwrap();
    let messages: Vec<&str> = got["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["standing"] == "cannot_determine")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for quoted in
        ["`answered_at` is not a datetime: `yesterday`", "`customer.kind` is not one of its values: `corporate`"]
    {
        assert!(messages.iter().any(|m| m.contains(quoted)), "{quoted}: {messages:#?}");
    }
}

/// A Parquet list whose element does not convert (a whole number, an enumeration's value), beside
/// a list of objects with offsets, judged as natively: the element alone is unreadable, so a rule
/// over the list is decided by the other elements where they decide it, and cannot be determined
/// where they do not. The file's instants are `TIMESTAMP WITH TIME ZONE`, read in UTC whatever
/// the machine's zone.
#[test]
fn a_parquet_list_with_an_element_that_did_not_convert_is_judged_as_natively() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("policies")).unwrap();
    std::fs::create_dir_all(d.join("records")).unwrap();
    std::fs::create_dir_all(d.join("parquet")).unwrap();
    std::fs::write(
        d.join("policies/visits.precept"),
        r#"
schema visit {
  identified by id
  id: text
  counts: list of integer
  at: datetime?
  steps: list of { at: datetime, n: integer }?
  labels: list of enum { red, blue }?
}

code "Visits" {
  level organisational

  rule counted {
    title "Counts stay under five"
    for visit
    require all(c in record.counts: c < 5)
    message "{record.id} counted {count(record.counts)} at {record.at}"
  }

  rule stepped {
    title "Steps stay under three"
    for visit
    require record.steps is missing or all(s in record.steps: s.n < 3 or s.at < 2024-03-01T07:00:00Z)
    message "{record.id} stepped at {record.at}"
  }

  rule labelled {
    title "Nothing is blue"
    for visit
    require record.labels is missing or all(l in record.labels: l != blue)
    message "{record.id} labelled {count(record.labels)} at {record.at}"
  }
}
"#,
    )
    .unwrap();
    let jsonl = [
        r#"{"id": "V-1", "counts": [1, "x", 3], "at": "2024-03-01T10:00:00+01:00", "steps": [{"at": "2024-03-01T09:00:00+01:00", "n": 4}]}"#,
        r#"{"id": "V-2", "counts": [1, 7], "at": "2024-03-01T10:00:00Z", "labels": ["red", "green"]}"#,
        r#"{"id": "V-3", "counts": [9, "x"], "at": "2024-03-01T10:00:00-05:00", "steps": [{"at": "2024-03-01T09:00:00Z", "n": 1}], "labels": ["blue", "green"]}"#,
        r#"{"id": "V-4", "counts": [2], "steps": [], "labels": ["red"]}"#,
    ];
    std::fs::write(d.join("records/visits.jsonl"), jsonl.join("\n") + "\n").unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let step = "STRUCT(\"at\" TIMESTAMP, \"at.offset\" INTEGER, n BIGINT)[]";
    conn.execute_batch(&format!(
        "COPY (SELECT * FROM (VALUES
            ('V-1', ['1', 'x', '3'], TIMESTAMPTZ '2024-03-01 09:00:00+00', 3600,
             CAST([{{'at': TIMESTAMP '2024-03-01 08:00:00', 'at.offset': 3600, 'n': 4}}] AS {step}), NULL),
            ('V-2', ['1', '7'], TIMESTAMPTZ '2024-03-01 10:00:00+00', NULL, CAST(NULL AS {step}), ['red', 'green']),
            ('V-3', ['9', 'x'], TIMESTAMPTZ '2024-03-01 15:00:00+00', -18000,
             CAST([{{'at': TIMESTAMP '2024-03-01 09:00:00', 'at.offset': NULL, 'n': 1}}] AS {step}), ['blue', 'green']),
            ('V-4', ['2'], NULL, NULL, CAST([] AS {step}), ['red']))
          AS t(id, counts, \"at\", \"at.offset\", steps, labels))
         TO '{}' (FORMAT parquet);",
        d.join("parquet/visits.parquet").display()
    ))
    .unwrap();
    let native = precept_in(d, &["check", "--no-config", "--format", "json", "--policies", "policies", "records"]);
    let duck = common::precept_in_env(
        d,
        &["check", "--no-config", "--format", "json", "--policies", "policies", "--engine", "duckdb", "parquet"],
        &[("TZ", "America/New_York")],
    );
    assert_eq!(native.code, duck.code, "{}", duck.snapshot());
    let (want, got) = (elsewhere(&native), elsewhere(&duck));
    let outcome = |id: &str, rule: &str| -> String {
        let f = want.iter().find(|f| f["record"] == id && f["rule"] == rule);
        f.map_or("none".to_string(), |f| f["standing"].as_str().unwrap().to_string())
    };
    // V-1's other counts hold: whether it breaks the rule depends on the one that did not convert.
    // V-3's first count breaks it, whatever the other is.
    // V-2's other label holds: it depends on the one outside the enumeration; V-3's first breaks it.
    assert_eq!(
        [
            outcome("V-1", "counted"),
            outcome("V-2", "counted"),
            outcome("V-3", "counted"),
            outcome("V-1", "stepped"),
            outcome("V-2", "labelled"),
            outcome("V-3", "labelled"),
        ],
        ["cannot_determine", "active", "active", "active", "cannot_determine", "active"],
        "{want:#?}"
    );
    assert_eq!(want, got, "{}", duck.stderr);
}

/// A report is never written over a Parquet file the run reads (the native reader never lists
/// them, so the command line checks them itself).
#[test]
fn a_report_over_a_parquet_input_is_refused() {
    let dir = project();
    write_parquet(dir.path());
    let parquet = dir.path().join("parquet/tickets.parquet");
    let before = std::fs::read(&parquet).unwrap();
    let out = format!("json={}", parquet.display());
    let run = precept_in(
        dir.path(),
        &["check", "--no-config", "--policies", "policies", "--engine", "duckdb", "--output", &out, "parquet"],
    );
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::usage::output-is-input"), "{}", run.snapshot());
    assert_eq!(std::fs::read(&parquet).unwrap(), before, "the Parquet file was changed");
}

#[test]
fn the_native_engine_names_the_engine_that_reads_parquet() {
    let dir = project();
    write_parquet(dir.path());
    let run = precept_in(dir.path(), &["check", "--no-config", "--policies", "policies", "parquet/tickets.parquet"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::input::parquet"), "{}", run.snapshot());
    assert!(run.stderr.contains("--engine duckdb"), "{}", run.snapshot());
}

/// 100,000 of the benchmark's records (benches/duckdb_parquet.rs, which checks 10,000,000 of them
/// for memory): as Parquet on DuckDB, they give the findings the native engine gives for the same
/// records as JSON Lines, line for line.
#[test]
fn a_sample_of_the_benchmark_gives_the_native_findings() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("policies/house.precept", include_str!("../benches/tickets/house.precept")),
        ("policies/london.toml", include_str!("../benches/tickets/london.toml")),
    ] {
        std::fs::create_dir_all(dir.path().join(name).parent().unwrap()).unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    let parquet = dir.path().join("parquet/tickets.parquet");
    let jsonl = dir.path().join("records/tickets.jsonl");
    let tickets = include_str!("../benches/tickets/tickets.sql").replace("{records}", "100000");
    // The JSON Lines as the native reader reads them: instants with `Z`, durations in seconds,
    // amounts as text, the customer an object.
    let sql = format!(
        "SET TimeZone = 'UTC';
         COPY ({tickets}) TO '{p}' (FORMAT parquet);
         COPY (SELECT id, agent, strftime(opened_at, '%Y-%m-%dT%H:%M:%SZ') AS opened_at,
                      strftime(answered_at, '%Y-%m-%dT%H:%M:%SZ') AS answered_at,
                      CAST(waited // 1000000 AS VARCHAR) AS waited, urgent, CAST(refund AS VARCHAR) AS refund,
                      {{'kind': \"customer.kind\"}} AS customer
               FROM read_parquet('{p}', file_row_number = true) ORDER BY file_row_number)
         TO '{j}' (FORMAT json);",
        p = parquet.display(),
        j = jsonl.display()
    );
    duckdb::Connection::open_in_memory().unwrap().execute_batch(&sql).unwrap();
    let (native, duck) = records_natively_and_parquet_on_duckdb(dir.path());
    let (want, got) = (without_files(&native), without_files(&duck));
    assert!(want.len() > 4000, "only {} findings", want.len());
    if want != got {
        let missing: Vec<&Value> = want.iter().filter(|f| !got.contains(f)).take(5).collect();
        let extra: Vec<&Value> = got.iter().filter(|f| !want.contains(f)).take(5).collect();
        panic!(
            "{} native, {} duckdb findings\nonly native: {missing:#?}\nonly duckdb: {extra:#?}",
            want.len(),
            got.len()
        );
    }
}

/// Datetimes read at the offset they were written with (no calendar): the day of each, months
/// added, `months_between`, and the record's day (`dated by`, which a report's month reads).
const OFFSET_POLICY: &str = r#"
schema stamp {
  identified by id
  dated by at
  id: text
  at: datetime
  until: datetime?
}

code "Offsets" {
  level organisational

  rule not-on-leap-day {
    title "Nothing on 29 February"
    for stamp
    require day(record.at) != 2024-02-29 and month(record.at) != 2024-01-01
    message "{record.id} on {day(record.at)}, week of {week(record.at)}"
  }

  rule within-a-month {
    title "Closed within a month"
    for stamp where record.until is present
    require record.until <= record.at + 1 month and months_between(record.at, record.until) < 1
    message "{record.id}: {months_between(record.at, record.until)} months from {record.at} to {record.until}"
  }
}
"#;

/// The instants of the stamps: half an hour either side of midnight at `+01:00` and `-05:00`,
/// around 29 February, 1 March and the end of January.
const OFFSET_STAMPS: [&str; 8] = [
    "2024-03-01T00:30:00+01:00",
    "2024-02-29T23:30:00-05:00",
    "2024-02-29T00:30:00+01:00",
    "2024-02-28T23:30:00-0500",
    "2024-01-31T23:30:00-05:00",
    "2024-02-01T00:30:00+01",
    "2024-02-29T12:00:00Z",
    "2024-03-31T23:30:00-05:00",
];

/// A project of stamps, every pair of [`OFFSET_STAMPS`] (and each alone), as JSON Lines.
fn offset_project() -> tempfile::TempDir {
    let dir = policy_project("offsets.precept", OFFSET_POLICY);
    let mut text = String::new();
    let mut n = 0;
    for at in OFFSET_STAMPS {
        for until in OFFSET_STAMPS.iter().map(Some).chain([None]) {
            n += 1;
            let mut r = serde_json::json!({"id": format!("S-{n:03}"), "at": at});
            if let Some(u) = until {
                r["until"] = serde_json::json!(u);
            }
            text.push_str(&format!("{r}\n"));
        }
    }
    std::fs::write(dir.path().join("records/stamps.jsonl"), text).unwrap();
    dir
}

/// [`same_as_native`] leaves out the rules DuckDB did not run: here every rule of
/// [`OFFSET_POLICY`] must run on DuckDB and find something, or the comparison shows nothing.
fn every_offset_rule_runs_on_duckdb(dir: &Path) {
    let duck = precept_in(
        dir,
        &["check", "--no-config", "--format", "json", "--engine", "duckdb", "--policies", "policies", "records"],
    );
    assert_eq!(not_run(&duck), Vec::<String>::new(), "rules DuckDB did not run\n{}", duck.stderr);
    let found = findings(&duck, &[]);
    for id in ["not-on-leap-day", "within-a-month"] {
        assert!(found.iter().any(|f| f["rule"] == id), "no finding of {id} on DuckDB\n{}", duck.stderr);
    }
}

#[test]
fn datetimes_are_read_at_their_written_offset_in_json_lines_and_csv() {
    let dir = offset_project();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n > 20, "only {n} findings compared");
    every_offset_rule_runs_on_duckdb(dir.path());
    let jsonl = std::fs::read_to_string(dir.path().join("records/stamps.jsonl")).unwrap();
    let mut csv = String::from("id,at,until\n");
    for line in jsonl.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        csv.push_str(&format!("{},{},{}\n", s("id"), s("at"), s("until")));
    }
    std::fs::remove_file(dir.path().join("records/stamps.jsonl")).unwrap();
    std::fs::write(dir.path().join("records/stamps.csv"), csv).unwrap();
    let m = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert_eq!(n, m, "CSV and JSON Lines gave different numbers of findings");
    every_offset_rule_runs_on_duckdb(dir.path());
}

/// A Parquet timestamp keeps no offset: with an `at.offset` column the stamps are read as written;
/// without one, as UTC, which is what the native engine finds for the same instants written `Z`.
#[test]
fn a_parquet_file_reads_offsets_from_its_offset_columns_else_utc() {
    let dir = offset_project();
    let jsonl = dir.path().join("records/stamps.jsonl");
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    let offset = |c: &str| {
        format!(
            "CASE WHEN {c} IS NULL THEN NULL WHEN {c} LIKE '%Z' THEN 0 WHEN {c} LIKE '%+01:00' OR {c} LIKE '%+01' THEN 3600 ELSE -18000 END"
        )
    };
    let select = |with_offsets: bool| {
        format!(
            "SELECT id, CAST(CAST(\"at\" AS TIMESTAMPTZ) AS TIMESTAMP) AS \"at\", CAST(CAST(\"until\" AS TIMESTAMPTZ) AS TIMESTAMP) AS \"until\"{} FROM read_json('{}', format = 'newline_delimited', columns = {{'id': 'VARCHAR', 'at': 'VARCHAR', 'until': 'VARCHAR'}})",
            if with_offsets {
                format!(", CAST({} AS INTEGER) AS \"at.offset\", CAST({} AS INTEGER) AS \"until.offset\"", offset("\"at\""), offset("\"until\""))
            } else {
                String::new()
            },
            jsonl.display()
        )
    };
    parquet_with_and_without(dir.path(), &select(true), &select(false), "parquet/stamps.parquet");
    let check = |args: &[&str]| check_json(dir.path(), args);
    let native = check(&["records"]);
    let duck = check(&["--engine", "duckdb", "parquet"]);
    assert_eq!(native.code, duck.code, "{}", duck.snapshot());
    let want = without_files(&native);
    assert!(want.len() > 20, "only {} findings", want.len());
    assert_eq!(want, without_files(&duck), "{}", duck.stderr);
    // Without offset columns: the same instants in UTC, as JSON Lines written with `Z`.
    let utc: String = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|line| {
            let mut r: Value = serde_json::from_str(line).unwrap();
            for k in ["at", "until"] {
                if let Some(t) = r.get(k).and_then(Value::as_str) {
                    let instant: jiff::Timestamp = t.parse().unwrap();
                    r[k] = Value::String(instant.to_string());
                }
            }
            format!("{r}\n")
        })
        .collect();
    std::fs::write(&jsonl, utc).unwrap();
    std::fs::remove_dir_all(dir.path().join("parquet")).unwrap();
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    std::fs::rename(dir.path().join("utc.parquet"), dir.path().join("parquet/stamps.parquet")).unwrap();
    let native = check(&["records"]);
    let duck = check(&["--engine", "duckdb", "parquet"]);
    assert_eq!(native.code, duck.code, "{}", duck.snapshot());
    let want_utc = without_files(&native);
    assert_ne!(want, want_utc, "the offsets changed no finding: the test shows nothing");
    assert_eq!(want_utc, without_files(&duck), "{}", duck.stderr);
}

/// Calls judged one by one and in groups, for the files DuckDB's own readers read otherwise than
/// the native reader: every record and value either engine reads must be the native reader's,
/// in the rules over single records and over groups (their findings, samples, lines and the
/// records left out), with the same diagnostics and exit status.
const READER_POLICY: &str = r#"schema call {
  identified by id
  id: text
  team: text
  at: date
  wait: duration
  score: integer
  escalated: boolean
  note: text?
}

code "Call reading" {
  level organisational

  rule quick {
    title "Quick, good calls"
    for call
    require record.wait < 30m and record.score >= 2
    message "{record.id} waited {record.wait}, scored {record.score}"
  }

  rule short-waits {
    title "Waits stay short"
    for call
    group by record.team
    require max(record.wait) <= 10m
    message "team {group.team} waited up to {max(record.wait)}"
  }

  rule good-scores {
    title "Scores are good on average"
    for call
    group by record.team
    require avg(record.score) >= 3
    message "team {group.team} scored {avg(record.score)}"
  }

  rule enough-calls {
    title "Enough calls"
    for call
    group by record.team
    require count() >= 9
    message "team {group.team} took {count()} calls"
  }
}
"#;

/// Good calls of [`READER_POLICY`] as JSON Lines, one a line.
fn good_calls(prefix: &str) -> Vec<String> {
    (1..=6)
        .map(|i| {
            let team = ["red", "blue"][i % 2];
            let wait = ["5m", "20m", "45m"][i % 3];
            format!(
                r#"{{"id":"{prefix}-{i:02}","team":"{team}","at":"2026-03-0{i}","wait":"{wait}","score":{},"escalated":{}}}"#,
                i % 5,
                i % 2 == 0
            )
        })
        .collect()
}

/// Run both engines over [`READER_POLICY`] and `files` (name and bytes, under `records/`): the
/// same findings (lines, samples and order included), diagnostics, summary and exit status; no
/// file is left to the native engine alone (`precept::engine::unreadable-file`). The native run.
fn reads_as_natively(files: &[(&str, Vec<u8>)]) -> Run {
    let dir = policy_project("calls.precept", READER_POLICY);
    for (name, bytes) in files {
        std::fs::write(dir.path().join("records").join(name), bytes).unwrap();
    }
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n >= 5, "only {n} findings compared");
    let args = ["check", "--no-config", "--format", "json", "--policies", "policies", "records"];
    let native = precept_in(dir.path(), &args);
    let duck = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb"]].concat());
    let report = |run: &Run| -> Value { serde_json::from_str(&run.stdout).unwrap() };
    let (want, got) = (report(&native), report(&duck));
    for key in ["records", "findings", "cannot_determine", "records_outcome", "left_out"] {
        assert_eq!(want["summary"][key], got["summary"][key], "summary.{key}\n{}", duck.stdout);
    }
    let codes: Vec<&str> = got["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(!codes.contains(&"precept::engine::unreadable-file"), "{}", duck.snapshot());
    // Group findings were compared, not only the records'.
    assert!(in_order(&duck).iter().any(|(r, _, _)| r == "short-waits"), "{}", duck.stdout);
    native
}

/// Lines the native reader refuses (a trailing comma, `NaN`, a key twice), which DuckDB's JSON
/// reader would take: reported and skipped by both engines, in no rule, exit status 2.
#[test]
fn json_lines_the_native_reader_refuses_are_reported_and_skipped() {
    let mut lines = good_calls("J");
    lines.push(r#"{"id":"J-07","team":"red","at":"2026-03-07","wait":"50m","score":1,"escalated":true,}"#.into());
    lines.push(r#"{"id":"J-08","team":"red","at":"2026-03-08","wait":"55m","score":NaN,"escalated":true}"#.into());
    lines.push(
        r#"{"id":"J-09","team":"red","team":"blue","at":"2026-03-09","wait":"5m","score":4,"escalated":false}"#.into(),
    );
    lines.extend(good_calls("K"));
    let native = reads_as_natively(&[("calls.jsonl", format!("{}\n", lines.join("\n")).into_bytes())]);
    assert_eq!(native.code, 2, "{}", native.snapshot());
    let inputs = input_diagnostics(&native);
    for line in [7, 8, 9] {
        assert!(inputs.iter().any(|d| d["line"] == line), "no diagnostic at line {line}: {inputs:#?}");
    }
}

/// Files the native reader reads and DuckDB's readers refuse: JSON Lines starting with a
/// byte-order mark, a CSV cell `"re"d` (read as `red`), CSV lines ended by a lone carriage return. Their
/// records are judged by every rule, over groups too, as natively.
#[test]
fn files_duckdb_would_refuse_are_read_as_natively() {
    let bom = [&b"\xEF\xBB\xBF"[..], good_calls("J").join("\n").as_bytes(), b"\n"].concat();
    let csv = "id,team,at,wait,score,escalated\nC-01,\"re\"d,2026-03-02,20m,1,true\nC-02,blue,2026-03-03,5m,4,false\n";
    let cr = "id,team,at,wait,score,escalated\rR-04,red,2026-03-04,45m,1,true\rR-05,red,2026-03-05,5m,3,false\r";
    let native =
        reads_as_natively(&[("a.jsonl", bom), ("b.csv", csv.as_bytes().to_vec()), ("c.csv", cr.as_bytes().to_vec())]);
    assert!(native.stdout.contains("\"C-01\""), "{}", native.stdout);
    assert!(native.stdout.contains("\"R-04\""), "{}", native.stdout);
}

/// Values the native reader reads that DuckDB's conversions would not (`1.5h`, a number padded
/// with a tab in a CSV cell, a duration padded with one): in the groups, as natively.
#[test]
fn values_duckdb_would_not_convert_are_in_the_groups_as_natively() {
    let mut lines = good_calls("J");
    lines.push(r#"{"id":"J-07","team":"red","at":"2026-03-07","wait":"1.5h","score":4,"escalated":true}"#.into());
    lines.push(r#"{"id":"J-08","team":"blue","at":"2026-03-08","wait":"\t2h","score":4,"escalated":true}"#.into());
    let csv =
        "id,team,at,wait,score,escalated\nC-01,red,2026-03-02,1.5h,\t9,true\nC-02,blue,2026-03-03, 5m\t,4\t,false\n";
    let native = reads_as_natively(&[
        ("a.jsonl", format!("{}\n", lines.join("\n")).into_bytes()),
        ("b.csv", csv.as_bytes().to_vec()),
    ]);
    assert!(native.stdout.contains("1h 30m"), "{}", native.stdout);
}

/// A finding is placed at its record's line, which is not its position when a JSON Lines file
/// has blank lines or a CSV cell holds a line break: in the rules over single records and in a
/// group finding's sample records.
#[test]
fn findings_are_at_the_records_lines() {
    let lines = good_calls("J");
    let jsonl = format!("\n{}\n\n\n{}\n", lines[..3].join("\n\n"), lines[3..].join("\n"));
    let csv = "id,team,at,wait,score,escalated,note\nC-01,red,2026-03-02,20m,1,true,\"two\nlines\"\nC-02,blue,2026-03-03,45m,4,false,\n\nC-03,red,2026-03-04,50m,1,true,\"a\n\nb\"\nC-04,red,2026-03-05,5m,0,false,\n";
    let native = reads_as_natively(&[("a.jsonl", jsonl.into_bytes()), ("b.csv", csv.as_bytes().to_vec())]);
    let report: Value = serde_json::from_str(&native.stdout).unwrap();
    let at = |file: &str, line: u64| {
        report["findings"].as_array().unwrap().iter().any(|f| f["file"] == file && f["line"] == line)
    };
    // J-05, the fifth record, is on line 10; C-03, the third, starts on line 6.
    assert!(at("records/a.jsonl", 10) && at("records/b.csv", 6), "{}", native.stdout);
}

/// A CSV export whose schema declares how it spells its values (local times in a `zone`, a list
/// `separated by` spaces, `accept` spellings of booleans): read by the native reader, so judged by
/// DuckDB as natively (`fixtures/exports`).
#[test]
fn an_export_with_its_own_spellings_gives_the_native_findings() {
    let root = root();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::create_dir_all(dir.path().join("records/zendesk-csv")).unwrap();
    let exports = root.join("fixtures/exports");
    std::fs::copy(exports.join("policies/exports.precept"), dir.path().join("policies/exports.precept")).unwrap();
    std::fs::copy(exports.join("records/zendesk-csv/tickets.csv"), dir.path().join("records/zendesk-csv/tickets.csv"))
        .unwrap();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n >= 3, "only {n} findings compared");
}

/// Objects no field of which tells them present (none is required and read), read by their own
/// presence column: `extra.code` is required but no rule reads it.
const OBJECTS_POLICY: &str = r#"schema visit {
  identified by id
  id: text
  survey: { score: integer?, note: text? }?
  extra: { code: text, memo: text? }?
}

code "Objects" {
  level organisational

  rule surveyed {
    title "The visit has a survey"
    for visit
    require record.survey is present
    message "{record.id} has no survey"
  }
  rule scored {
    title "A survey is scored"
    for visit where record.survey is present
    require record.survey.score is present
    message "{record.id} survey has no score"
  }
  rule no-extra {
    title "No extra"
    for visit
    require record.extra is missing
    message "{record.id} has an extra"
  }
}
"#;

/// Each object absent, `null`, empty, and holding a field read or only fields no rule reads.
const OBJECT_VISITS: &str = r#"{"id": "V-1"}
{"id": "V-2", "survey": null, "extra": null}
{"id": "V-3", "survey": {}, "extra": {}}
{"id": "V-4", "survey": {"score": 3}, "extra": {"code": "c"}}
{"id": "V-5", "survey": {"note": "n"}, "extra": {"memo": "m"}}
{"id": "V-6", "survey": {"score": null, "note": null}, "extra": {"code": "c", "memo": null}}
"#;

fn objects_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["policies", "records", "csv", "parquet"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join("policies/objects.precept"), OBJECTS_POLICY).unwrap();
    std::fs::write(dir.path().join("records/visits.jsonl"), OBJECT_VISITS).unwrap();
    dir
}

/// The findings of `run` as `(rule, record)`, sorted.
fn rule_and_record(run: &Run) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings(run, &[])
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().to_string(), f["record"].as_str().unwrap().to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn objects_told_present_by_their_own_column_give_the_native_findings() {
    let dir = objects_project();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    let native =
        precept_in(dir.path(), &["check", "--no-config", "--format", "json", "--policies", "policies", "records"]);
    let got = rule_and_record(&native);
    let want: Vec<(String, String)> = [
        ("no-extra", "V-3"),
        ("no-extra", "V-4"),
        ("no-extra", "V-5"),
        ("no-extra", "V-6"),
        ("scored", "V-3"),
        ("scored", "V-5"),
        ("scored", "V-6"),
        ("surveyed", "V-1"),
        ("surveyed", "V-2"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(n, want.len());

    // CSV: an object is present where a cell of its is not empty, whether or not a rule reads
    // that field (`survey.note`, `extra.memo` and `extra.code` are read by none).
    let csv = "id,survey.score,survey.note,extra.code,extra.memo\nV-1,,,,\nV-4,3,,c,\nV-5,,n,,m\n";
    std::fs::write(dir.path().join("csv/visits.csv"), csv).unwrap();
    assert_eq!(same_as_native(dir.path(), &["--policies", "policies", "csv"]), 4);
    let native = precept_in(dir.path(), &["check", "--no-config", "--format", "json", "--policies", "policies", "csv"]);
    let csv_want: Vec<(String, String)> =
        [("no-extra", "V-4"), ("no-extra", "V-5"), ("scored", "V-5"), ("surveyed", "V-1")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    assert_eq!(rule_and_record(&native), csv_want);

    // Parquet with the presence columns of the mapping: the JSON Lines records' findings.
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let jsonl = dir.path().join("records/visits.jsonl");
    let columns = "columns = {'id': 'VARCHAR', 'survey': 'STRUCT(score BIGINT, note VARCHAR)', 'extra': 'STRUCT(code VARCHAR, memo VARCHAR)'}";
    let select = |extra_column: bool| {
        format!(
            "SELECT id, survey IS NOT NULL AS survey, survey.score AS \"survey.score\", survey.note AS \"survey.note\",{} extra.code AS \"extra.code\", extra.memo AS \"extra.memo\" FROM read_json('{}', format = 'newline_delimited', {columns})",
            if extra_column { " extra IS NOT NULL AS extra," } else { "" },
            jsonl.display()
        )
    };
    let with = dir.path().join("parquet/with.parquet");
    conn.execute_batch(&format!("COPY ({}) TO '{}' (FORMAT parquet);", select(true), with.display())).unwrap();
    let args = ["check", "--no-config", "--format", "json", "--policies", "policies", "--engine", "duckdb"];
    let duck = precept_in(dir.path(), &[&args[..], &["parquet/with.parquet"]].concat());
    assert_eq!(rule_and_record(&duck), want, "{}", duck.stderr);

    // Without `extra`'s column, it is present where one of its columns holds a value: the
    // empty `extra` of V-3 reads as missing.
    let without = dir.path().join("parquet/without.parquet");
    conn.execute_batch(&format!("COPY ({}) TO '{}' (FORMAT parquet);", select(false), without.display())).unwrap();
    let duck = precept_in(dir.path(), &[&args[..], &["parquet/without.parquet"]].concat());
    let but_v3: Vec<(String, String)> =
        want.iter().filter(|(r, id)| !(r == "no-extra" && id == "V-3")).cloned().collect();
    assert_eq!(rule_and_record(&duck), but_v3, "{}", duck.stderr);

    // A presence column that is not a boolean (here the object as a struct) makes its file
    // unreadable, named, with what the column should be; the file beside it is still checked.
    let wrong = dir.path().join("parquet/wrong.parquet");
    let select = format!(
        "SELECT id, survey, survey.score AS \"survey.score\" FROM read_json('{}', format = 'newline_delimited', {columns})",
        jsonl.display()
    );
    conn.execute_batch(&format!("COPY ({select}) TO '{}' (FORMAT parquet);", wrong.display())).unwrap();
    std::fs::remove_file(&without).unwrap();
    let duck = precept_in(dir.path(), &[&args[..], &["parquet"]].concat());
    assert_eq!(duck.code, 2, "{}", duck.snapshot());
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    let said = report["diagnostics"].as_array().unwrap().iter().any(|d| {
        let m = d["message"].as_str().unwrap_or_default();
        d["code"] == "precept::engine::unreadable-file"
            && m.contains("wrong.parquet")
            && m.contains("does not say whether the record has the object")
    });
    assert!(said, "{}", duck.snapshot());
    assert_eq!(rule_and_record(&duck), want, "{}", duck.stderr);
}

/// Questions about staff and roles run on DuckDB against the role tables `precept sql --roles`
/// writes, made from the role files: on datetimes at the offset they were written with, a
/// list of objects' too (the offset beside each in the copy); the findings are the native
/// engine's, and only the rules over the role files' own roles and staff (which the native engine
/// checks with the role files) are not DuckDB's.
#[test]
fn questions_about_staff_and_roles_give_the_native_findings() {
    let dir = tempfile::tempdir().unwrap();
    sql_diff::role_project(dir.path());
    let args = ["--roles", "org", "--policies", "policies", "records"];
    let n = same_as_native(dir.path(), &args);
    let duck = precept_in(
        dir.path(),
        &[&["check", "--no-config", "--format", "json", "--engine", "duckdb"][..], &args].concat(),
    );
    assert_eq!(not_run(&duck), Vec::<String>::new(), "{}", duck.stderr);
    let asked: std::collections::BTreeSet<String> =
        findings(&duck, &[]).iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
    for id in ["may-on-a-datetime", "qualified-at-the-time", "each-step-qualified"] {
        assert!(asked.contains(id), "no finding of {id}: {asked:?}");
    }
    assert!(n > 30, "only {n} findings compared");
}

/// A list of objects holding datetimes, whose day is read at the offset each was written with.
const STEPS_POLICY: &str = r#"schema visit {
  identified by id
  id: text
  steps: list of { by: text, at: datetime }
}

code "Steps" {
  level organisational

  rule same-day {
    title "Every step on the first of March"
    for visit
    require all(s in record.steps: day(s.at) == 2024-03-01)
    message "{record.id} has a step on another day"
  }
}
"#;

/// In Parquet, a list of objects is a list of structs: an offset field beside a datetime
/// (`"at.offset"`) gives the offset it was written with, and without one it is UTC, as in JSON
/// Lines written with `Z`.
#[test]
fn a_parquet_list_of_objects_reads_offsets_beside_its_datetimes_else_utc() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["policies", "zoned", "utc", "parquet"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join("policies/steps.precept"), STEPS_POLICY).unwrap();
    // Near midnight east and west of UTC: the written day is not the UTC day.
    let zoned = [
        ("V-1", ["2024-03-01T23:30:00Z", "2024-03-01T00:10:00+01:00"]),
        ("V-2", ["2024-03-01T23:30:00-05:00", "2024-03-01T12:00:00Z"]),
        ("V-3", ["2024-03-02T00:30:00+02:00", "2024-02-29T23:30:00-01:00"]),
    ];
    let line = |id: &str, ats: [&str; 2]| {
        serde_json::json!({"id": id, "steps": [{"by": "a", "at": ats[0]}, {"by": "b", "at": ats[1]}]}).to_string()
    };
    let utc_of = |t: &str| t.parse::<jiff::Timestamp>().unwrap().to_string();
    let zoned_text: String = zoned.iter().map(|(id, ats)| line(id, *ats) + "\n").collect();
    let utc_text: String = zoned.iter().map(|(id, ats)| line(id, [&utc_of(ats[0]), &utc_of(ats[1])]) + "\n").collect();
    std::fs::write(dir.path().join("zoned/visits.jsonl"), &zoned_text).unwrap();
    std::fs::write(dir.path().join("utc/visits.jsonl"), &utc_text).unwrap();
    let offset = |c: &str| {
        format!("CASE WHEN {c} LIKE '%Z' THEN 0 ELSE (CASE WHEN substr({c}, 20, 1) = '-' THEN -1 ELSE 1 END) * CAST(substr({c}, 21, 2) AS INTEGER) * 3600 END")
    };
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let source = |with_offsets: bool| {
        let fields = if with_offsets {
            format!("'by': s.\"by\", 'at': CAST(CAST(s.\"at\" AS TIMESTAMPTZ) AS TIMESTAMP), 'at.offset': CAST({} AS INTEGER)", offset("s.\"at\""))
        } else {
            "'by': s.\"by\", 'at': CAST(CAST(s.\"at\" AS TIMESTAMPTZ) AS TIMESTAMP)".to_string()
        };
        format!(
            "SELECT id, list_transform(steps, s -> {{{fields}}}) AS steps FROM read_json('{}', format = 'newline_delimited', columns = {{'id': 'VARCHAR', 'steps': 'STRUCT(\"by\" VARCHAR, \"at\" VARCHAR)[]'}})",
            dir.path().join("zoned/visits.jsonl").display()
        )
    };
    conn.execute_batch(&format!(
        "SET TimeZone = 'UTC';
         COPY ({}) TO '{}' (FORMAT parquet);
         COPY ({}) TO '{}' (FORMAT parquet);",
        source(true),
        dir.path().join("parquet/zoned.parquet").display(),
        source(false),
        dir.path().join("parquet/utc.parquet").display()
    ))
    .unwrap();
    let check = |args: &[&str]| {
        let run = precept_in(
            dir.path(),
            &[&["check", "--no-config", "--format", "json", "--policies", "policies"], args].concat(),
        );
        let mut ids: Vec<String> =
            findings(&run, &[]).iter().map(|f| f["record"].as_str().unwrap().to_string()).collect();
        ids.sort();
        (run, ids)
    };
    let (_, zoned_native) = check(&["zoned"]);
    let (_, utc_native) = check(&["utc"]);
    // The written days differ from the UTC days, so the two readings are told apart.
    assert_eq!(zoned_native, ["V-3"]);
    assert_eq!(utc_native, ["V-1", "V-2"]);
    assert_eq!(same_as_native(dir.path(), &["--policies", "policies", "zoned"]), 1);
    let (run, ids) = check(&["--engine", "duckdb", "parquet/zoned.parquet"]);
    assert_eq!(ids, zoned_native, "{}", run.stderr);
    let (run, ids) = check(&["--engine", "duckdb", "parquet/utc.parquet"]);
    assert_eq!(ids, utc_native, "{}", run.stderr);
}

/// Values with no answer in a message: a division by zero, a date moved past 9999-12-31, a count
/// read from the record out of range.
const NO_ANSWER_POLICY: &str = r#"schema deal {
  identified by id
  id: text
  until: date
  paid: decimal
  parts: decimal
  n: integer
}

code "No answer" {
  level organisational

  rule shown {
    title "t"
    for deal
    require record.id == "none"
    message "{record.id}: {record.paid / record.parts} until {record.until + 30d}, {record.n days}, {record.until + 1 month}"
  }
}
"#;

/// A project of one policy file and one JSON Lines file (`policies/NAME.precept`,
/// `records/NAME.jsonl`) in a temporary folder; checked by both engines alike, with the messages
/// of `check --engine duckdb`'s findings, in order.
fn no_answer_messages(name: &str, policy: &str, records: &[&str], findings: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["policies", "records"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join(format!("policies/{name}.precept")), policy).unwrap();
    std::fs::write(dir.path().join(format!("records/{name}.jsonl")), records.join("\n") + "\n").unwrap();
    assert_eq!(same_as_native(dir.path(), &["--policies", "policies", "records"]), findings);
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--engine", "duckdb", "--policies", "policies", "records"],
    );
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    report["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap().to_string()).collect()
}

#[test]
fn values_with_no_answer_are_shown_in_messages_as_natively() {
    let records = [
        r#"{"id": "D-1", "until": "2024-05-01", "paid": 10, "parts": 4, "n": 3}"#,
        r#"{"id": "D-2", "until": "9999-12-31", "paid": 10, "parts": 0, "n": -1}"#,
        r#"{"id": "D-3", "until": "9999-12-15", "paid": 0, "parts": 3, "n": 2000000}"#,
    ];
    let messages = no_answer_messages("deals", NO_ANSWER_POLICY, &records, 3);
    assert!(messages.iter().any(|m| m.contains("(no answer: division by zero)")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("(no answer: date out of range)")), "{messages:?}");
}

/// Aggregates with no answer in a group's message: a member's division by zero or date moved
/// past 9999-12-31, a sum of quotients past the engine's 128 bits, and arithmetic (a date moved
/// and days between too) on them; the
/// record with no answer is shown first, once however many aggregates it leaves without one; a
/// presence rule expecting a group by name that has no record.
const NO_ANSWER_GROUP_POLICY: &str = r#"schema deal {
  identified by id
  id: text
  team: text
  until: date
  paid: decimal
  parts: decimal
  n: integer
}

code "No answer in groups" {
  level organisational

  rule per-team {
    title "t"
    for deal
    group by record.team
    require sum(record.paid / record.parts) < 100
    require count() > 100
    message "{group.team}: {sum(record.paid / record.parts)} {sum(record.paid / record.parts) * 2 + 1} {max(record.until + 30d)} {avg(record.paid / record.n)} {count()} {max(record.until + 30d) + 1d} {max(record.until + 30d) - 2024-01-01}"
  }

  rule both {
    title "t"
    for deal
    group by record.team
    require sum(record.paid / record.parts) + avg(record.paid / record.parts) < 100
    message "{group.team} both"
  }

  rule monthly {
    title "t"
    for deal
    group by record.team
    expect every month of record.until for each team in "a", "z" from 2024-05-01 until 2024-07-31
    message "{group.team} {group.period} {sum(record.paid / record.parts)}"
  }

  rule defaults {
    title "t"
    for deal
    group by record.team
    require (max(record.until + 30d) otherwise 2000-01-01) < 2000-01-02
    message "{group.team} {max(record.until + 30d) otherwise 2000-01-01} {avg(record.paid / record.n) is present} {sum(record.paid / record.parts) is missing}"
  }
}
"#;

#[test]
fn aggregates_with_no_answer_are_shown_in_group_messages_as_natively() {
    let deal = |id: &str, team: &str, until: &str, paid: &str, parts: &str, n: i64| {
        format!(r#"{{"id": "{id}", "team": "{team}", "until": "{until}", "paid": {paid}, "parts": {parts}, "n": {n}}}"#)
    };
    let records = [
        // Team a: a division by zero in its sum, on its second record (shown first).
        deal("A-1", "a", "2024-05-01", "10", "4", 3),
        deal("A-2", "a", "2024-06-01", "10", "0", 2),
        deal("A-3", "a", "2024-07-01", "1", "2", 2),
        // Team b: a date moved past 9999-12-31 in its greatest.
        deal("B-1", "b", "2024-05-01", "1", "1", 1),
        deal("B-2", "b", "9999-12-15", "1", "1", 1),
        // Team c: a sum whose lowest terms pass the engine's 128 bits.
        deal("C-1", "c", "2024-05-01", "1", "0.1234567891", 1),
        deal("C-2", "c", "2024-05-01", "1", "0.2345678917", 1),
        deal("C-3", "c", "2024-05-01", "1", "0.3456789013", 1),
        deal("C-4", "c", "2024-05-01", "1", "0.4567890127", 1),
        deal("C-5", "c", "2024-05-01", "1", "0.5678901233", 1),
        // Team d: a division by zero in its average.
        deal("D-1", "d", "2024-05-01", "1", "1", 0),
    ];
    let records: Vec<&str> = records.iter().map(String::as_str).collect();
    let messages = no_answer_messages("deals", NO_ANSWER_GROUP_POLICY, &records, 19);
    assert_eq!(
        messages,
        [
            "a: (no answer: division by zero) (no answer: division by zero) 2024-07-31 ≈2.9444444444 3 2024-08-01 212d",
            "b: 2 5 (no answer: date out of range) 1 2 (no answer: date out of range) (no answer: date out of range)",
            "c: (no answer: overflow) (no answer: overflow) 2024-05-31 1 5 2024-06-01 151d",
            "d: 1 3 2024-05-31 (no answer: division by zero) 1 2024-06-01 151d",
            "a both",
            "c both",
            "b 2024-06 2",
            "b 2024-07 2",
            "c 2024-06 (no answer: overflow)",
            "c 2024-07 (no answer: overflow)",
            "d 2024-06 1",
            "d 2024-07 1",
            "z 2024-05 0",
            "z 2024-06 0",
            "z 2024-07 0",
            // A default stands only for a missing value, and `is present` has no answer where
            // its operand has none.
            "a 2024-07-31 true (no answer: division by zero)",
            "b (no answer: date out of range) true false",
            "c 2024-05-31 true (no answer: overflow)",
            "d 2024-05-31 (no answer: division by zero) false",
        ]
    );
}

const NO_ANSWER_LIST_POLICY: &str = r#"schema basket {
  identified by id
  id: text
  lines: list of { qty: integer?, price: money GBP? }?
}

code "Baskets" {
  level organisational

  rule unit-prices {
    title "t"
    for basket where record.lines is present
    require all(l in record.lines: l.qty is missing or (l.price otherwise 0.00 GBP) / l.qty <= 5.00 GBP)
    message "{record.id}: {count(l in record.lines: l.qty is present and (l.price otherwise 0.00 GBP) / l.qty > 1.00 GBP)} dear"
  }
}
"#;

/// A division inside a quantifier or a count: an element's condition with no answer leaves
/// `all` without one unless another element decides it, and makes a count have none, whose
/// message value shows why, as natively. (The field blamed, the divisor of the element with no
/// answer, is compared row for row in tests/sql_diff's lists.)
#[test]
fn quantifiers_over_elements_with_no_answer_are_judged_as_natively() {
    let records = [
        // Broken by the second line (9.00 a piece).
        r#"{"id": "B-1", "lines": [{"qty": 2, "price": "4.00 GBP"}, {"qty": 1, "price": "9.00 GBP"}]}"#,
        // No answer from the first line, which no other line decides against.
        r#"{"id": "B-2", "lines": [{"qty": 0, "price": "3.00 GBP"}, {"qty": 1, "price": "1.00 GBP"}]}"#,
        // No answer from the first line, but the second decides: broken.
        r#"{"id": "B-3", "lines": [{"qty": 0, "price": "3.00 GBP"}, {"qty": 1, "price": "9.00 GBP"}]}"#,
        // Held, with a missing quantity and a missing price; and an empty list.
        r#"{"id": "B-4", "lines": [{"qty": 2, "price": "2.00 GBP"}, {"price": "80.00 GBP"}, {"qty": 3}]}"#,
        r#"{"id": "B-5", "lines": []}"#,
        // The second line has no answer, after a line that holds.
        r#"{"id": "B-6", "lines": [{"qty": 1, "price": "1.00 GBP"}, {"qty": 0}]}"#,
    ];
    let shown = no_answer_messages("baskets", NO_ANSWER_LIST_POLICY, &records, 4);
    let want = [
        "B-1: 2 dear",
        "B-2: (no answer: division by zero) dear",
        "B-3: (no answer: division by zero) dear",
        "B-6: (no answer: division by zero) dear",
    ];
    assert_eq!(shown, want);
}

/// The generated projects of tests/sql_diff checked by `check` on both engines (and their SQL on
/// DuckDB, as tests/sql_duckdb.rs compares it).
struct Embedded;

impl sql_diff::Engine for Embedded {
    fn dialect(&self) -> precept::sql::Dialect {
        precept::sql::Dialect::DuckDb
    }

    fn findings(&self, label: &str, tables: &str, script: &str, inserts: &str) -> Vec<sql_diff::Row> {
        sql_diff::duck::DuckDb.findings(label, tables, script, inserts)
    }

    fn project(&self, policies: &Path, records: &[std::path::PathBuf]) {
        let mut args = vec!["--policies".to_string(), policies.display().to_string()];
        args.extend(records.iter().map(|r| r.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = policies.parent().unwrap();
        let n = same_as_native(dir, &args);
        assert!(n > 0, "no finding compared in {}", policies.display());
    }
}

/// Rules that follow cases: the findings (with their evidence and sample records), the obligations
/// pending and left out, and the closings with nothing open are the native engine's, over cases at
/// the edges of business days, DST changes and month ends in several zones, with pauses, in any
/// order, with deadlines read from the opening record, written as dates and at offsets, and
/// messages reading the opening record.
#[test]
fn rules_that_follow_cases_give_the_native_findings_evidence_and_counts() {
    sql_diff::generated_cases(&Embedded, &sql_diff::ALL_ZONES);
    sql_diff::generated_due_cases(&Embedded, &sql_diff::ALL_ZONES);
    sql_diff::generated_opened_cases(&Embedded, &["london", "sydney"]);
    sql_diff::generated_cases_written(&Embedded);
    sql_diff::generated_date_cases(&Embedded, &sql_diff::ALL_ZONES);
}

/// The bundled case fixtures (`fixtures/cases`: a rule in any order over two schemas, a message
/// reading the opening record, an obligation pending) on both engines.
#[test]
fn the_case_fixtures_give_the_native_findings_and_evidence() {
    let root = root();
    let n = same_as_native(&root, &["--policies", "fixtures/cases/cases.precept", "fixtures/cases/records"]);
    assert_eq!(n, 6, "the fixtures' README says 6 findings");
    let duck = precept_in(
        &root,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--engine",
            "duckdb",
            "--policies",
            "fixtures/cases/cases.precept",
            "fixtures/cases/records",
        ],
    );
    assert!(not_run(&duck).is_empty(), "{}", duck.snapshot());
}

/// The policy of [`case_records_with_bad_values`]: a rule in order with pauses and no calendar
/// whose message reads the opening record (a datetime at its written offset among it), and one in
/// any order over two schemas in business days, with a `where`.
const BAD_CASE_POLICY: &str = r#"
calendar office {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
}

// A second calendar, so that a code naming none has none.
calendar tokyo {
  zone "Asia/Tokyo"
  working mon, tue, wed, thu, fri
}

schema event {
  files "events.*"
  identified by id
  id: text
  ticket: integer
  status: enum { received, waiting, replied, answered }
  at: datetime
  priority: integer?
  amount: money GBP?
  noted: datetime?
  score: integer? allow unused
}

schema callback {
  files "callbacks.*"
  identified by id
  id: text
  ticket: integer
  at: datetime
}

code "Bad values" {
  level organisational

  rule answered-in-time {
    for event
    case by record.ticket
    opens when record.status == received at record.at
    pauses when record.status == waiting at record.at
    resumes when record.status == replied at record.at
    closes when record.status == answered at record.at
    within 4h
    message "{opening.id}: ticket {group.case} for {opening.amount} noted {opening.noted}, opened {group.opened}, due {group.deadline}"
  }
}

code "Bad values, in business days" {
  level organisational
  calendar office

  rule called-back {
    for event where (record.priority otherwise 0) < 9
    case by record.ticket
    opens when record.status == received at record.at
    closes on callback at record.at case record.ticket
    in any order
    within 1 business days
    message "{opening.id}: ticket {group.case} had no call-back by {group.deadline}"
  }
}
"#;

/// Case rules over records holding values that do not convert (the case key, the time, the
/// event's condition, the `where`, a field of the opening record the message reads, a field no
/// rule reads), in JSON Lines and in CSV: each such record is reported at its line and left out of
/// the rules that needed the value, counted as the native engine counts it, and the cases around
/// it give the native findings, evidence, pending obligations and closings with nothing open.
#[test]
fn case_records_with_bad_values_are_left_out_as_natively() {
    let dir = policy_project("bad.precept", BAD_CASE_POLICY);
    let mut events = Vec::new();
    let mut callbacks = Vec::new();
    let mut n = 0;
    let mut event = |ticket: &str, status: &str, at: &str, extra: &str| {
        n += 1;
        events.push(format!(r#"{{"id": "E-{n:03}", "ticket": {ticket}, "status": "{status}", "at": "{at}"{extra}}}"#));
    };
    for t in 1..=30 {
        let day = 2 + t % 20;
        let opened = format!("2024-12-{day:02}T09:00:00+01:00");
        let extra = format!(r#", "amount": "{t}.50 GBP", "noted": "2024-12-{day:02}T08:{t:02}:00-05:00""#);
        // The bad value, on the opening or on a later event, by ticket.
        match t % 10 {
            1 => event(r#""abc""#, "received", &opened, &extra),
            2 => event(&t.to_string(), "received", "tomorrow", &extra),
            3 => event(&t.to_string(), "recieved", &opened, &extra),
            4 => event(&t.to_string(), "received", &opened, r#", "priority": "urgent""#),
            5 => event(&t.to_string(), "received", &opened, r#", "amount": "12 EUR""#),
            6 => event(&t.to_string(), "received", &opened, r#", "noted": "2024-12-02T25:00:00Z""#),
            7 => event(&t.to_string(), "received", &opened, r#", "score": "high""#),
            _ => event(&t.to_string(), "received", &opened, &extra),
        }
        if t % 3 == 0 {
            event(&t.to_string(), "waiting", &format!("2024-12-{day:02}T10:00:00Z"), "");
            let at = if t % 9 == 0 { "noon" } else { "2024-12-{day:02}T12:00:00Z" };
            event(&t.to_string(), "replied", &at.replace("{day:02}", &format!("{day:02}")), "");
        }
        // Answered on time, late by a minute, or never (pending or late at the end).
        match t % 4 {
            0 => event(&t.to_string(), "answered", &format!("2024-12-{day:02}T12:00:00+01:00"), ""),
            1 | 2 => event(&t.to_string(), "answered", &format!("2024-12-{day:02}T13:01:00+01:00"), ""),
            _ => {}
        }
        if t % 5 != 0 {
            let ticket = if t % 7 == 0 { r#""seven""#.to_string() } else { t.to_string() };
            let at = format!("2024-12-{:02}T10:00:00Z", day + 1 + t % 3);
            callbacks.push(format!(r#"{{"id": "C-{t:03}", "ticket": {ticket}, "at": "{at}"}}"#));
        }
    }
    // A closing with nothing open, and one at a time that does not convert.
    callbacks.push(r#"{"id": "C-900", "ticket": 900, "at": "2024-12-03T10:00:00Z"}"#.into());
    callbacks.push(r#"{"id": "C-901", "ticket": 901, "at": "2024-12-03 10:00"}"#.into());
    let write = |name: &str, lines: &[String]| {
        std::fs::write(dir.path().join("records").join(name), format!("{}\n", lines.join("\n"))).unwrap()
    };
    write("events.jsonl", &events);
    write("callbacks.jsonl", &callbacks);
    let args = ["--policies", "policies", "records"];
    let n = same_as_native(dir.path(), &args);
    assert!(n >= 10, "only {n} findings compared");
    let native =
        precept_in(dir.path(), &["check", "--no-config", "--format", "json", "--policies", "policies", "records"]);
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--engine", "duckdb", "--policies", "policies", "records"],
    );
    assert_eq!(native.code, 2, "{}", native.snapshot());
    assert!(not_run(&duck).is_empty(), "{}", duck.snapshot());
    // Every bad value reported at its record's line.
    let inputs = input_diagnostics(&native);
    let text = std::fs::read_to_string(dir.path().join("records/events.jsonl")).unwrap();
    for bad in [r#""abc""#, "tomorrow", "recieved", "urgent", "12 EUR", "T25:00", "noon"] {
        let line = text.lines().position(|l| l.contains(bad)).unwrap() + 1;
        assert!(
            inputs.iter().any(|d| d["line"] == line && d["code"].as_str().unwrap().starts_with("precept::input::")),
            "no diagnostic at line {line} ({bad}): {inputs:#?}"
        );
    }
    // A field no rule reads is not converted, so its value is no problem (on both engines: the
    // diagnostics are compared above).
    let line = text.lines().position(|l| l.contains(r#""high""#)).unwrap() + 1;
    let at = |d: &&Value| d["file"] == "records/events.jsonl" && d["line"] == line;
    assert!(!inputs.iter().any(|d| at(&d)), "a diagnostic at line {line}: {inputs:#?}");
    // Left out and pending as counted, on both rules, and a closing with nothing open.
    let counts = counted(&native, &[]);
    for (what, rule) in [("left_out", "answered-in-time"), ("left_out", "called-back"), ("pending", "answered-in-time")]
    {
        assert!(counts.iter().any(|(w, r, k)| w == what && r == rule && *k > 0), "no {what} for {rule}: {counts:?}");
    }
    assert!(inputs.iter().any(|d| d["code"] == "precept::case::close-before-open"), "{inputs:#?}");
    // The opening datetime shown at the offset it was written with, on both engines.
    assert!(duck.stdout.contains("-05:00"), "{}", duck.stdout);
    // A field of the opening record that did not convert, shown as the engine shows it.
    assert!(duck.stdout.contains("(unreadable)"), "{}", duck.stdout);
    // The same records as CSV.
    for (name, fields) in [
        ("events", &["id", "ticket", "status", "at", "priority", "amount", "noted", "score"][..]),
        ("callbacks", &["id", "ticket", "at"][..]),
    ] {
        let path = dir.path().join(format!("records/{name}.jsonl"));
        let mut csv = format!("{}\n", fields.join(","));
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let r: Value = serde_json::from_str(line).unwrap();
            let cells: Vec<String> = fields
                .iter()
                .map(|k| match &r[*k] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::write(dir.path().join(format!("records/{name}.csv")), csv).unwrap();
    }
    let m = same_as_native(dir.path(), &args);
    assert_eq!(m, n, "the same records as CSV give as many findings");
    // A message testing whether such a field is present (it is, to the engine: it was there) is
    // not followed in SQL, where it is NULL: that rule is left out, named, and the other runs.
    let policy = BAD_CASE_POLICY.replace("noted {opening.noted}", "noted {opening.noted is present}");
    assert_ne!(policy, BAD_CASE_POLICY);
    std::fs::write(dir.path().join("policies/bad.precept"), policy).unwrap();
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--engine", "duckdb", "--policies", "policies", "records"],
    );
    assert_eq!(not_run(&duck), ["answered-in-time"], "{}", duck.snapshot());
    assert!(duck.stdout.contains("`is present`"), "{}", duck.stdout);
    assert!(same_as_native(dir.path(), &args) > 0);
}

const STOPPING: &str = r#"
schema ticket {
  identified by id
  id: text
  score: decimal
  n: integer
  note: text?
}

code "Scaled" {
  level organisational

  rule scaled {
    title "Scores scaled stay under 3 x 10^27"
    for ticket
    require record.score * 1000000000000000000 * 100000000000 < 1000000000000000000.0 * 3000000000
    message "{record.id} scaled {record.score * 1000000000000000000 * 100000000000}"
  }

  rule small {
    title "Small counts"
    for ticket
    require record.n < 2
    message "{record.id} counted {record.n}"
  }

  rule noted {
    title "Notes are not y"
    for ticket
    require (record.note otherwise "") != "y"
    message "{record.id}"
  }

  rule totals {
    title "Scaled totals"
    for ticket
    group by record.n as n
    require sum(record.score * 1000000000000000000 * 100000000000) < 1
    message "{group.n}"
  }

  rule counted {
    title "Few of each count"
    for ticket
    group by record.n as n
    require count() < 20
    message "{group.n}: {count()}"
  }
}
"#;

/// A rule whose values pass DuckDB's 38 digits (where the engine's exact numbers still hold
/// them) stops DuckDB's query: it costs that rule's findings, from the part of the file where it
/// stopped, and never another rule's or another file's (`precept::engine::rule-stopped`, an
/// error, as its findings may be missing). `big.jsonl` is two parts of its copy, its notes a
/// mebibyte each ([`precept::duck::copy::PART_BYTES`]): the rule stops only in the second.
#[test]
fn a_rule_duckdb_stops_on_costs_only_its_own_findings() {
    let dir = policy_project("scaled.precept", STOPPING);
    let note = "x".repeat(1 << 20);
    let big: String = (0..70)
        .map(|i| {
            // 0.05 scaled is a finding; 2.5 scaled passes 38 digits (the last record, in the
            // second part); 0.01 keeps the rule.
            let score = if i == 69 {
                "2.5"
            } else if i % 10 == 0 {
                "0.05"
            } else {
                "0.01"
            };
            format!("{{\"id\": \"B-{i}\", \"score\": \"{score}\", \"n\": {}, \"note\": \"{note}\"}}\n", i % 3)
        })
        .collect();
    std::fs::write(dir.path().join("records/big.jsonl"), big).unwrap();
    // The rule stops on its first record: not judged on this file at all.
    std::fs::write(
        dir.path().join("records/small.jsonl"),
        "{\"id\": \"S-1\", \"score\": \"3\", \"n\": 5}\n{\"id\": \"S-2\", \"score\": \"0.05\", \"n\": 1}\n",
    )
    .unwrap();
    let args = ["check", "--no-config", "--format", "json", "--policies", "policies", "records"];
    let native = precept_in(dir.path(), &args);
    assert_eq!(native.code, 1, "{}", native.snapshot());
    let duck = precept_in(dir.path(), &[&args[..], &["--engine", "duckdb"]].concat());
    assert_eq!(duck.code, 2, "{}", duck.snapshot());
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    let stopped: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "precept::engine::rule-stopped")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(stopped.len(), 3, "{stopped:#?}");
    let on = |what: &str| stopped.iter().find(|m| m.contains(what)).unwrap_or_else(|| panic!("{what}: {stopped:#?}"));
    let big_part = on("rule `scaled` on `records/big.jsonl` at the part from line ");
    assert!(big_part.contains("Out of Range Error"), "{big_part}");
    let from: usize = big_part.split("from line ").nth(1).unwrap().split(':').next().unwrap().parse().unwrap();
    assert!((2..=70).contains(&from), "{big_part}");
    on("rule `scaled` on `records/small.jsonl`, and did not judge it there: Out of Range Error");
    on("rule `totals`, and did not judge its groups: Out of Range Error");
    // Every other rule: the native findings, on both files.
    let others = findings(&duck, &["scaled".into(), "totals".into()]);
    assert_eq!(others, findings(&native, &["scaled".into(), "totals".into()]));
    assert!(others.iter().any(|f| f["rule"] == "small" && f["file"] == "records/small.jsonl"), "{others:#?}");
    assert!(others.iter().any(|f| f["rule"] == "counted"), "{others:#?}");
    // The stopped rule: the native findings of the part before it stopped, none after.
    let scaled = |run: &Run, before: usize| -> Vec<Value> {
        findings(run, &["small".into(), "noted".into(), "totals".into(), "counted".into()])
            .into_iter()
            .filter(|f| f["file"] == "records/big.jsonl" && f["line"].as_u64().unwrap() < before as u64)
            .collect()
    };
    let kept = scaled(&duck, usize::MAX);
    assert!(!kept.is_empty());
    assert_eq!(kept, scaled(&native, from));
    assert!(scaled(&native, usize::MAX).len() > kept.len());
}

/// Lists of datetimes, at the record, in an object and in a list's objects, each datetime shown
/// at the offset it was written with.
const LIST_STAMPS_POLICY: &str = r#"
schema visit {
  identified by id
  id: text
  n: integer?
  stamps: list of datetime?
  place: { name: text?, seen: list of datetime? }?
  calls: list of { who: text?, seen: list of datetime? }?
}

code "Lists of datetimes" {
  level organisational

  rule stamps-shown {
    title "Stamps shown"
    for visit
    require record.stamps is missing or count(record.stamps) == 0
    message "{record.id}: {record.stamps} {record.place.seen} {record.n}"
  }

  rule calls-seen-once {
    title "Each call seen once at most"
    for visit
    require record.calls is missing or all(c in record.calls: c.seen is missing or count(c.seen) < 2)
    message "{record.id}: {count(c in record.calls: count(c.seen) > 1)}"
  }
}
"#;

/// Datetimes at offsets of both signs, with and without fractions of a second.
const LIST_STAMPS: [&str; 5] = [
    "2024-03-01T00:30:00+01:00",
    "2024-02-29T23:30:00.25-05:00",
    "2024-03-31T00:15:00+05:45",
    "2024-12-31T23:59:59Z",
    "2024-06-30T23:59:59.000001+14:00",
];

/// The offsets [`LIST_STAMPS`] are written with, in seconds.
const LIST_OFFSETS: [i32; 5] = [3600, -18000, 20700, 0, 50400];

/// A project of visits whose lists hold [`LIST_STAMPS`] in turn, some empty or missing.
fn list_stamps_project() -> tempfile::TempDir {
    let dir = policy_project("stamps.precept", LIST_STAMPS_POLICY);
    let pick = |k: usize, n: usize| -> Vec<&str> { (0..n).map(|i| LIST_STAMPS[(i + k) % LIST_STAMPS.len()]).collect() };
    let mut text = String::new();
    for k in 0..8 {
        // A number that is not one: the record's values are read again for the native engine.
        let mut r = serde_json::json!({"id": format!("V-{k}"), "n": if k == 6 { serde_json::json!("six") } else { serde_json::json!(6) }});
        if k % 4 != 3 {
            r["stamps"] = serde_json::json!(pick(k, k % 4 * 2));
        }
        if k % 3 != 2 {
            r["place"] = serde_json::json!({"name": "desk", "seen": pick(k + 1, k % 3)});
        }
        r["calls"] = serde_json::json!([{"who": "a", "seen": pick(k, k % 3)}, {"who": "b"}, {"seen": pick(k + 2, 1)}]);
        text.push_str(&format!("{r}\n"));
    }
    std::fs::write(dir.path().join("records/visits.jsonl"), text).unwrap();
    dir
}

#[test]
fn lists_of_datetimes_are_shown_at_their_written_offsets_in_json_lines_and_parquet() {
    let dir = list_stamps_project();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert_eq!(n, 6, "findings compared");
    let duck = precept_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "--engine", "duckdb", "--policies", "policies", "records"],
    );
    assert_eq!(not_run(&duck), Vec::<String>::new(), "rules DuckDB did not run\n{}", duck.stderr);
    let messages: Vec<String> =
        findings(&duck, &[]).iter().map(|f| f["message"].as_str().unwrap().to_string()).collect();
    assert!(
        messages.contains(
            &"V-1: [2024-02-29T23:30:00.25-05:00, 2024-03-31T00:15:00+05:45] [2024-03-31T00:15:00+05:45] 6".to_string()
        ),
        "{messages:#?}"
    );
    // (V-6's number is judged by the native engine in both.)
    assert!(
        messages.iter().any(|m| m.starts_with("V-6: [2024-02-29T23:30:00.25-05:00, 2024-03-31T00:15:00+05:45")
            && m.ends_with("(unreadable)")),
        "{messages:#?}"
    );
    // The same records in Parquet, the offsets in list columns beside the datetimes (a list's
    // object holds its own); without them, every datetime is UTC.
    let jsonl = dir.path().join("records/visits.jsonl");
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    let offsets = |l: &str| {
        format!(
            "list_transform({l}, lambda s: CASE WHEN s LIKE '%Z' THEN 0 ELSE (CASE WHEN s[-6] = '-' THEN -1 ELSE 1 END) * (CAST(s[-5:-4] AS INTEGER) * 3600 + CAST(s[-2:] AS INTEGER) * 60) END)"
        )
    };
    let instants = |l: &str| format!("list_transform({l}, lambda s: CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP))");
    let call = |with: bool| {
        let off = if with { format!(", 'seen.offset': {}", offsets("c.seen")) } else { String::new() };
        format!("list_transform(calls, lambda c: {{'who': c.who, 'seen': {}{off}}})", instants("c.seen"))
    };
    let with_offsets = |with: bool, l: &str, name: &str| {
        if with {
            format!(", {} AS \"{name}.offset\"", offsets(l))
        } else {
            String::new()
        }
    };
    let select = |with: bool| {
        format!(
            "SELECT id, n, {} AS stamps{}, place.name AS \"place.name\", {} AS \"place.seen\"{}, {} AS calls FROM read_json('{}', format = 'newline_delimited', columns = {{'id': 'VARCHAR', 'n': 'VARCHAR', 'stamps': 'VARCHAR[]', 'place': 'STRUCT(name VARCHAR, seen VARCHAR[])', 'calls': 'STRUCT(who VARCHAR, seen VARCHAR[])[]'}})",
            instants("stamps"),
            with_offsets(with, "stamps", "stamps"),
            instants("place.seen"),
            with_offsets(with, "place.seen", "place.seen"),
            call(with),
            jsonl.display()
        )
    };
    parquet_with_and_without(dir.path(), &select(true), &select(false), "parquet/visits.parquet");
    let check = |args: &[&str]| check_json(dir.path(), args);
    let shown = |run: &Run| -> Vec<String> {
        findings(run, &[]).iter().map(|f| f["message"].as_str().unwrap().to_string()).collect()
    };
    let native = check(&["records"]);
    let duck = check(&["--engine", "duckdb", "parquet"]);
    assert_eq!(native.code, duck.code, "{}", duck.snapshot());
    let want = shown(&native);
    assert_eq!(want, shown(&duck), "{}", duck.stderr);
    let without = dir.path().join("parquet/visits.parquet");
    std::fs::rename(dir.path().join("utc.parquet"), &without).unwrap();
    let duck = check(&["--engine", "duckdb", "parquet"]);
    let want_utc: Vec<String> = shown(&native).iter().map(|m| utc(m)).collect();
    assert_ne!(want, want_utc, "the offsets changed no message: the test shows nothing");
    assert_eq!(want_utc, shown(&duck), "{}", duck.stderr);
    assert_eq!(without_files(&native).len(), without_files(&duck).len());
}

/// Every datetime of [`LIST_STAMPS`] in `text`, as the engine shows it at its offset, shown at
/// `+00:00` instead.
fn utc(text: &str) -> String {
    let mut out = text.to_string();
    for (stamp, offset) in LIST_STAMPS.iter().zip(LIST_OFFSETS) {
        let t: jiff::Timestamp = stamp.parse().unwrap();
        let written = t.display_with_offset(jiff::tz::Offset::from_seconds(offset).unwrap()).to_string();
        out = out.replace(&written, &t.display_with_offset(jiff::tz::Offset::UTC).to_string());
    }
    out
}

/// Instants moved by a share of a duration, shown to the nanosecond at the offset written and in
/// a calendar's zone.
const SHARES_POLICY: &str = r#"
calendar london from "london.toml"
calendar paris from "paris.toml"

schema ticket {
  identified by id
  id: text
  at: datetime
  waited: duration
  n: integer
}

code "Shares" {
  level organisational

  rule shown-as-written {
    title "t"
    for ticket
    require record.n < 0
    message "{record.id} at {record.at + record.waited / record.n}"
  }
}

code "Shares in London" {
  level organisational
  calendar london

  rule shown-in-london {
    title "t"
    for ticket
    require record.n < 0
    message "{record.id} at {record.at + record.waited / record.n}"
  }
}
"#;

#[test]
fn instants_moved_by_a_share_are_shown_to_the_nanosecond() {
    let dir = policy_project("shares.precept", SHARES_POLICY);
    for (name, zone) in [("london", "Europe/London"), ("paris", "Europe/Paris")] {
        let toml = format!(
            "zone = \"{zone}\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\ncutoff = \"17:00\"\n"
        );
        std::fs::write(dir.path().join(format!("policies/{name}.toml")), toml).unwrap();
    }
    let mut text = String::new();
    for (i, (at, waited, n)) in [
        ("2024-02-29T12:00:00+01:00", "PT0.000003S", 2),
        ("2024-07-01T00:00:00-05:00", "-PT0.000001S", 2),
        ("2024-03-31T00:30:00Z", "PT1H", 7),
        ("2024-03-31T00:30:00Z", "PT1H", 0),
        ("2024-10-27T00:59:59.999999Z", "PT0.000001S", 3),
    ]
    .into_iter()
    .enumerate()
    {
        text.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": format!("S-{i}"), "at": at, "waited": waited, "n": n})
        ));
    }
    std::fs::write(dir.path().join("records/tickets.jsonl"), text).unwrap();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert_eq!(n, 10, "findings compared");
    let duck = check_json(dir.path(), &["--engine", "duckdb", "records"]);
    assert_eq!(not_run(&duck), Vec::<String>::new(), "{}", duck.stderr);
    let messages: Vec<String> =
        findings(&duck, &[]).iter().map(|f| f["message"].as_str().unwrap().to_string()).collect();
    for want in [
        "S-0 at 2024-02-29T12:00:00.0000015+01:00",
        "S-1 at 2024-06-30T23:59:59.9999995-05:00",
        "S-1 at 2024-07-01T05:59:59.9999995+01:00",
        "S-2 at 2024-03-31T00:38:34.285714285+00:00",
        "S-3 at (no answer: division by zero)",
        // (London's summer time ends at 01:00 UTC that day.)
        "S-4 at 2024-10-27T01:59:59.999999333+01:00",
        "S-4 at 2024-10-27T00:59:59.999999333+00:00",
    ] {
        assert!(messages.iter().any(|m| m == want), "no `{want}` in {messages:#?}");
    }
}

/// Lists of lists, of values and of objects, read from JSON Lines and from Parquet.
const GRID_POLICY: &str = r#"
schema sheet {
  identified by id
  id: text
  grid: list of list of integer?
  crates: list of list of { code: text? }?
}

code "Grids" {
  level organisational

  rule rows-short {
    title "Rows of two at most, none negative"
    for sheet where record.grid is present
    require all(row in record.grid: count(row) < 3 and all(x in row: x >= 0))
    message "{record.id}: {record.grid} {count(row in record.grid: 0 in row)}"
  }

  rule no-b-crates {
    title "No crate of B"
    for sheet where record.crates is present
    require none(c in record.crates: any(b in c: b.code is present and b.code == "B"))
    message "{record.id}: {record.crates}"
  }
}
"#;

#[test]
fn lists_of_lists_give_the_native_findings_from_json_lines_and_parquet() {
    let dir = policy_project("grids.precept", GRID_POLICY);
    let grids = [
        serde_json::json!([[1, 2], [], [0, 3]]),
        serde_json::json!([[1, 2, 3]]),
        serde_json::json!([[-1]]),
        serde_json::json!([]),
    ];
    let crates =
        [serde_json::json!([[{"code": "A"}, {}], []]), serde_json::json!([[{"code": "B"}]]), serde_json::json!([])];
    let mut text = String::new();
    for k in 0..12 {
        let mut r = serde_json::json!({"id": format!("G-{k}")});
        if k % 5 != 4 {
            r["grid"] = grids[k % grids.len()].clone();
        }
        if k % 7 != 6 {
            r["crates"] = crates[k % crates.len()].clone();
        }
        text.push_str(&format!("{r}\n"));
    }
    std::fs::write(dir.path().join("records/sheets.jsonl"), text).unwrap();
    let n = same_as_native(dir.path(), &["--policies", "policies", "records"]);
    assert!(n >= 6, "only {n} findings compared");
    let duck = check_json(dir.path(), &["--engine", "duckdb", "records"]);
    assert_eq!(not_run(&duck), Vec::<String>::new(), "{}", duck.stderr);
    let messages: Vec<String> =
        findings(&duck, &[]).iter().map(|f| f["message"].as_str().unwrap().to_string()).collect();
    assert!(messages.iter().any(|m| m == "G-1: [[1, 2, 3]] 0"), "{messages:#?}");
    assert!(messages.iter().any(|m| m == "G-1: [[(object)]]"), "{messages:#?}");
    // The same records in Parquet, typed as the table mapping has them.
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    let jsonl = dir.path().join("records/sheets.jsonl");
    let select = format!(
        "SELECT * FROM read_json('{}', format = 'newline_delimited', columns = {{'id': 'VARCHAR', 'grid': 'BIGINT[][]', 'crates': 'STRUCT(code VARCHAR)[][]'}})",
        jsonl.display()
    );
    parquet_with_and_without(dir.path(), &select, &select, "parquet/sheets.parquet");
    let native = check_json(dir.path(), &["records"]);
    let duck = check_json(dir.path(), &["--engine", "duckdb", "parquet"]);
    assert_eq!(native.code, duck.code, "{}", duck.snapshot());
    assert_eq!(without_files(&native), without_files(&duck), "{}", duck.stderr);
}

/// A Parquet file whose list of offsets does not hold whole numbers (`"stamps.offset"` as text) is
/// an error naming the file and the column, and the other files are still checked.
#[test]
fn a_parquet_list_of_offsets_that_does_not_convert_is_an_error_and_other_files_are_checked() {
    let dir = list_stamps_project();
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    let select =
        "SELECT 'P-1' AS id, [TIMESTAMP '2024-03-01 00:00:00'] AS stamps, ['an hour east'] AS \"stamps.offset\"";
    parquet_with_and_without(dir.path(), select, select, "parquet/bad.parquet");
    std::fs::copy(dir.path().join("records/visits.jsonl"), dir.path().join("parquet/visits.jsonl")).unwrap();
    let duck = check_json(dir.path(), &["--engine", "duckdb", "parquet"]);
    assert_eq!(duck.code, 2, "{}", duck.snapshot());
    let report: Value = serde_json::from_str(&duck.stdout).unwrap();
    let errors: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "precept::engine::unreadable-file")
        .collect();
    assert_eq!(errors.len(), 1, "{}", duck.stdout);
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("bad.parquet") && message.contains("`stamps.offset` is VARCHAR[]"), "{message}");
    let found = findings(&duck, &[]);
    assert!(found.iter().any(|f| f["record"] == "V-1"), "the JSON Lines file was not checked: {}", duck.stdout);
    assert!(!found.iter().any(|f| f["record"] == "P-1"), "{}", duck.stdout);
}

/// A group's least and greatest datetimes, over two files holding equal instants written at
/// different offsets.
const EXTREMES_POLICY: &str = r#"
schema stamp {
  identified by id
  id: text
  team: text
  at: datetime
}

code "Extremes" {
  level organisational

  rule spans {
    title "t"
    for stamp
    group by record.team
    require count() < 0
    message "{group.team} {min(record.at)} {max(record.at)} {day(min(record.at))} {day(max(record.at + 1 month))}"
  }
  rule first-on-the-leap-day {
    title "t"
    for stamp
    group by record.team
    require day(min(record.at)) == 2024-02-29
    message "{group.team}"
  }
}
"#;

/// The engine keeps, of equal instants, the first in file and record order, with the offset it
/// was written with: `check --engine duckdb` shows each group's least and greatest datetimes at
/// that offset, and reads their day there.
#[test]
fn group_least_and_greatest_datetimes_keep_the_offset_of_the_first_record_taken() {
    let dir = policy_project("extremes.precept", EXTREMES_POLICY);
    let stamps = |rows: &[(&str, &str, &str)]| -> String {
        rows.iter()
            .map(|(id, team, at)| format!("{}\n", serde_json::json!({"id": id, "team": team, "at": at})))
            .collect()
    };
    // 2024-02-29T23:30:00Z written three ways, and 2024-03-01T11:00:00Z two ways, in each
    // team in another order.
    let a = stamps(&[
        ("1", "x", "2024-03-01T00:30:00+01:00"),
        ("2", "y", "2024-02-29T23:30:00Z"),
        ("3", "z", "2024-02-29T18:30:00-05:00"),
        ("4", "x", "2024-03-01T12:00:00+01:00"),
    ]);
    let b = stamps(&[
        ("5", "x", "2024-02-29T23:30:00Z"),
        ("6", "y", "2024-03-01T00:30:00+01:00"),
        ("7", "z", "2024-03-01T00:30:00+01:00"),
        ("8", "x", "2024-03-01T06:00:00-05:00"),
        ("9", "y", "2024-03-01T11:00:00Z"),
        ("10", "y", "2024-03-01T12:00:00+01:00"),
    ]);
    std::fs::write(dir.path().join("records/a.jsonl"), a).unwrap();
    std::fs::write(dir.path().join("records/b.jsonl"), b).unwrap();
    let args = ["--policies", "policies", "records"];
    assert_eq!(same_as_native(dir.path(), &args), 4, "findings compared");
    let duck = check_json(dir.path(), &["--engine", "duckdb", "records"]);
    assert_eq!(not_run(&duck), Vec::<String>::new(), "{}", duck.stderr);
    let messages: Vec<String> =
        without_files(&duck).iter().map(|f| f["message"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(
        messages,
        [
            "x 2024-03-01T00:30:00+01:00 2024-03-01T12:00:00+01:00 2024-03-01 2024-04-01",
            "x",
            "y 2024-02-29T23:30:00+00:00 2024-03-01T11:00:00+00:00 2024-02-29 2024-04-01",
            // A month on from 2024-02-29T18:30:00-05:00 is 29 March there, and from
            // 2024-03-01T00:30:00+01:00 (the same instant) 1 April there, the later instant.
            "z 2024-02-29T18:30:00-05:00 2024-02-29T18:30:00-05:00 2024-02-29 2024-04-01",
        ],
        "{}",
        duck.stderr
    );
}

/// Offsets a Parquet file holds beside its datetimes, some past what the engine holds.
const UNHELD_OFFSETS_POLICY: &str = r#"
schema stamp {
  identified by id
  id: text
  at: datetime
  stamps: list of datetime?
}

code "Offsets held" {
  level organisational

  rule not-on-the-leap-day {
    title "t"
    for stamp
    require day(record.at) != 2024-02-29
    message "{record.id} {record.at}"
  }
  rule stamps-off-the-leap-day {
    title "t"
    for stamp where record.stamps is present
    require all(s in record.stamps: day(s) != 2024-02-29)
    message "{record.id} {record.stamps}"
  }
  rule per-day {
    title "t"
    for stamp
    group by day(record.at)
    require count() < 0
    message "{group.day} {count()}"
  }
}
"#;

/// An offset past ±25:59:59 in a Parquet file's offset column (alone, or in a list) makes its
/// datetime one that did not convert, as the same offset written in JSON Lines does not parse:
/// the row is reported, and its record judged as the native engine judges the JSON record; the
/// other records, and the other files, are checked as before.
#[test]
fn a_parquet_offset_the_engine_cannot_hold_is_a_value_that_did_not_convert() {
    let dir = policy_project("held.precept", UNHELD_OFFSETS_POLICY);
    std::fs::create_dir_all(dir.path().join("parquet")).unwrap();
    // (id, at in UTC, its offset, stamps in UTC, their offsets, the same as JSON text)
    type Row<'a> = (&'a str, &'a str, i64, &'a [&'a str], &'a [i64], &'a str);
    let rows: [Row; 5] = [
        (
            "S-1",
            "2024-02-29 22:30:00",
            3600,
            &["2024-02-29 10:00:00"],
            &[0],
            r#"{"id": "S-1", "at": "2024-02-29T23:30:00+01:00", "stamps": ["2024-02-29T10:00:00Z"]}"#,
        ),
        ("S-2", "2024-02-28 20:30:00", 93600, &[], &[], r#"{"id": "S-2", "at": "2024-02-29T22:30:00+26:00"}"#),
        (
            "S-3",
            "2024-02-29 17:00:00",
            -18000,
            &["2024-02-29 12:00:00", "2024-02-29 22:13:20"],
            &[0, 100000],
            r#"{"id": "S-3", "at": "2024-02-29T12:00:00-05:00", "stamps": ["2024-02-29T12:00:00Z", "2024-03-02T02:00:00+27:46:40"]}"#,
        ),
        (
            "S-4",
            "2024-03-01 01:00:00",
            -93540,
            &["2024-03-01 01:00:00"],
            &[93540],
            r#"{"id": "S-4", "at": "2024-02-28T23:01:00-25:59", "stamps": ["2024-03-02T02:59:00+25:59"]}"#,
        ),
        ("S-5", "2024-03-02 12:00:00", 0, &[], &[], r#"{"id": "S-5", "at": "2024-03-02T12:00:00Z"}"#),
    ];
    let list = |v: Vec<String>| if v.is_empty() { "NULL".to_string() } else { format!("[{}]", v.join(", ")) };
    let values: Vec<String> = rows
        .iter()
        .map(|(id, at, off, stamps, offs, _)| {
            format!(
                "('{id}', TIMESTAMP '{at}', CAST({off} AS BIGINT), CAST({} AS TIMESTAMP[]), CAST({} AS BIGINT[]))",
                list(stamps.iter().map(|s| format!("TIMESTAMP '{s}'")).collect()),
                list(offs.iter().map(i64::to_string).collect()),
            )
        })
        .collect();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "COPY (SELECT * FROM (VALUES {}) AS t(id, \"at\", \"at.offset\", stamps, \"stamps.offset\")) TO '{}' (FORMAT parquet);",
        values.join(", "),
        dir.path().join("parquet/stamps.parquet").display()
    ))
    .unwrap();
    let jsonl: String = rows.iter().map(|r| format!("{}\n", r.5)).collect();
    std::fs::write(dir.path().join("records/stamps.jsonl"), jsonl).unwrap();

    let (native, duck) = records_natively_and_parquet_on_duckdb(dir.path());
    assert_eq!(not_run(&duck), Vec::<String>::new(), "{}", duck.stderr);
    // The same findings, but for how each quotes the value that did not convert (S-3's list,
    // decided by its first element, shows the other as `(unreadable)`).
    let quoted = [(
        "`at` is not a datetime: `2024-02-29T22:30:00+26:00`",
        "`at` is not a datetime: `2024-02-28 20:30:00 at offset 93600 seconds`",
    )];
    let mut want = serde_json::to_string_pretty(&elsewhere(&native)).unwrap();
    for (json, parquet) in quoted {
        assert!(want.contains(json), "{json}: {want}");
        want = want.replace(json, parquet);
    }
    let got = serde_json::to_string_pretty(&elsewhere(&duck)).unwrap();
    assert_eq!(want, got, "{}", duck.stderr);
    same_summary(&native, &duck);
    // Each row is reported, at its row, quoting the value and its offsets.
    let reported: Vec<(String, String)> = input_diagnostics(&duck)
        .iter()
        .map(|d| (d["message"].as_str().unwrap_or_default().to_string(), d["line"].to_string()))
        .collect();
    assert_eq!(
        reported,
        [
            ("`at` is not a datetime: `2024-02-28 20:30:00 at offset 93600 seconds`".to_string(), "2".to_string()),
            (
                "`stamps[1]` is not a datetime: `2024-02-29 22:13:20 at offset 100000 seconds`".to_string(),
                "3".to_string()
            ),
        ],
        "{}",
        duck.stderr
    );
}
