//! The bundled real code, `examples/fca-disp/`: FCA DISP 1 over a Zendesk CSV export.
//!
//! Every row of the export declares, in its `Expect` column, the rules it breaks (ids separated by
//! `;`, empty when compliant). This test reads those declarations with the `csv` crate, runs the
//! command the example's README gives (judged as of the export, 2026-11-30), and compares them
//! with the findings of the JSON report, row by row. It also checks that the run has no
//! diagnostics, that every rule of the code is broken by some row (so no check is dead) and that
//! judging at another time changes exactly the rows whose verdict depends on it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

const POLICIES: &str = "examples/fca-disp/policies";
const RECORDS: &str = "examples/fca-disp/records/zendesk-complaints.csv";
const RULES: [&str; 8] = [
    "complaint-acknowledged",
    "response-within-eight-weeks",
    "payment-services-response",
    "summary-resolution-communication",
    "final-response-content",
    "holding-response-content",
    "complaint-record-kept",
    "redress-paid-promptly",
];

/// Row id -> the rule ids it declares, sorted.
fn declared() -> BTreeMap<String, Vec<String>> {
    let mut r = csv::Reader::from_path(common::root().join(RECORDS)).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, expect) = (col("Id"), col("Expect"));
    r.records()
        .map(|row| {
            let row = row.unwrap();
            let mut rules: Vec<String> =
                row[expect].split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
            rules.sort();
            (row[id].to_string(), rules)
        })
        .collect()
}

/// Row id -> the rule ids of its findings, from a JSON report of the example judged at `as_of`.
fn found(as_of: &str) -> BTreeMap<String, Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let run = common::precept(&[
        "check",
        "--no-config",
        "--policies",
        POLICIES,
        "--as-of",
        as_of,
        "--output",
        &format!("json={}", report.display()),
        RECORDS,
    ]);
    assert_eq!(run.code, 1, "findings of severity error exit 1:\n{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(0), "no diagnostics: {:#}", doc["diagnostics"]);
    let mut out: BTreeMap<String, Vec<String>> = declared().keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in doc["findings"].as_array().unwrap() {
        let id = f["record"].as_str().expect("every finding names its row").to_string();
        out.entry(id).or_default().push(f["rule"].as_str().unwrap().to_string());
    }
    for rules in out.values_mut() {
        rules.sort();
    }
    out
}

#[test]
fn each_row_breaks_exactly_the_rules_it_declares() {
    let declared = declared();
    assert_eq!(declared.len(), 35, "the export's rows");
    let found = found("2026-11-30");
    let wrong: Vec<String> = declared
        .iter()
        .filter(|(id, want)| found.get(*id) != Some(want))
        .map(|(id, want)| format!("row {id}: declared {want:?}, found {:?}", found.get(id)))
        .chain(found.keys().filter(|id| !declared.contains_key(*id)).map(|id| format!("finding on unknown row {id}")))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for rule in RULES {
        assert!(declared.values().any(|rules| rules.iter().any(|r| r == rule)), "no row breaks `{rule}`");
    }
}

#[test]
fn rows_still_open_are_judged_at_the_evaluation_time() {
    // Judged on 2026-12-31 instead: complaint 2028's eight weeks (to 28 December) and the redress
    // on 2029 (due 11 December) have run out; nothing else changes.
    let mut want = declared();
    want.get_mut("2028").unwrap().push("response-within-eight-weeks".into());
    want.get_mut("2029").unwrap().push("redress-paid-promptly".into());
    assert_eq!(found("2026-12-31"), want);
    // Judged at the end of 2026-10-26, the day before the last of complaint 2027's eight weeks,
    // neither it nor the unpaid redress on 2030 (accepted 2 November, later) is overdue yet; at the
    // end of 2026-10-27, the last day itself, the eight weeks are over.
    let mut want = declared();
    want.get_mut("2027").unwrap().clear();
    want.get_mut("2030").unwrap().clear();
    assert_eq!(found("2026-10-26"), want);
    want.get_mut("2027").unwrap().push("response-within-eight-weeks".into());
    assert_eq!(found("2026-10-27"), want);
}

#[test]
fn the_human_report_of_the_example() {
    // The command of the example's README, as a compliance officer would read its output: every
    // time in London (the export's zone and the calendar's), whole-day deadlines as dates, each
    // finding on its row's cell and its rule's version.
    let run = common::precept(&[
        "check",
        "--no-config",
        "--policies",
        POLICIES,
        "--as-of",
        "2026-11-30",
        "examples/fca-disp/records",
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.snapshot());
}
