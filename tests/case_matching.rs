//! Case rules that match in any order (`in any order`) and messages that read the opening record
//! (`opening.<field>`), end to end.
//!
//! - The fixture `fixtures/cases/`: its report, snapshotted, the same at one and two threads.
//! - A property test against a small model written here: sets of refunds (X) and approvals (Y)
//!   with order keys and times, `in any order within N minutes` or with no deadline, at the end of
//!   the data or at an evaluation time; which refunds are findings and how many are pending.
//! - Findings do not depend on the order of the records in their files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use precept::api::{AsOf, Records};
use proptest::prelude::*;

#[test]
fn the_fixture_report_is_as_reviewed_and_the_same_at_any_thread_count() {
    let run = |threads: &str| {
        common::precept(&[
            "check",
            "--no-config",
            "--threads",
            threads,
            "--policies",
            "fixtures/cases/cases.precept",
            "fixtures/cases/records",
        ])
    };
    let one = run("1");
    assert_eq!(one.code, 1, "{}", one.stderr);
    for _ in 0..3 {
        let two = run("2");
        assert_eq!((two.stdout.as_str(), two.stderr.as_str()), (one.stdout.as_str(), one.stderr.as_str()));
    }
    insta::assert_snapshot!(format!("{}{}", one.stdout, one.stderr));
}

/// The policy of the model: refunds must each have an approval of their order, in any order,
/// within `within` (or, without it, at all).
fn policy(within: Option<&str>) -> String {
    format!(
        r#"
schema refund {{ files "refunds*.jsonl" identified by id  id: text  order: text  at: datetime }}
schema approval {{ files "approvals*.jsonl" identified by id  id: text  order: text  at: datetime }}
code "Shop" {{
  level organisational
  rule refund-approved {{
    for refund
    case by record.order
    opens at record.at
    closes on approval at record.at case record.order
    in any order
    {}
    message "{{opening.id}}"
  }}
}}
"#,
        within.map_or(String::new(), |w| format!("within {w}"))
    )
}

/// The instant minute 0 of the model stands for.
const START: i64 = 1_772_000_000;

/// A record as one JSON line: a refund or approval `id` of `order` at `minute` minutes past a
/// fixed instant.
fn line(id: &str, order: u8, minute: i64) -> String {
    let at = jiff::Timestamp::from_second(START + minute * 60).unwrap();
    format!("{{\"id\": \"{id}\", \"order\": \"O-{order}\", \"at\": \"{at}\"}}\n")
}

/// The two files, each only when it has a record (an empty file is a problem of its own).
fn inputs(refunds: &[String], approvals: &[String]) -> Vec<Records> {
    [("refunds.jsonl", refunds), ("approvals.jsonl", approvals)]
        .into_iter()
        .filter(|(_, lines)| !lines.is_empty())
        .map(|(name, lines)| Records::bytes(name, lines.concat()))
        .collect()
}

/// The refunds found (by id, from the message) and the number pending.
fn judged(engine: &precept::Engine, refunds: &[String], approvals: &[String]) -> (BTreeSet<String>, usize) {
    if refunds.is_empty() && approvals.is_empty() {
        return (BTreeSet::new(), 0);
    }
    let run = engine.check(inputs(refunds, approvals));
    assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
    let found = run.findings.iter().map(|f| f.message.clone()).collect::<BTreeSet<_>>();
    assert_eq!(found.len(), run.findings.len(), "one finding per refund");
    let pending = run.summary.pending.iter().map(|(_, n)| n).sum();
    (found, pending)
}

/// The model: a refund is matched by an approval of its order at most `within` minutes before or
/// after it (any approval of its order when there is no deadline). One not matched is a finding
/// when an approval of its order came after it, or when the data (the latest record of either
/// kind) ends past its deadline; else it is pending. Without a deadline, one not matched is a
/// finding.
///
/// With an evaluation time (`as_of`, in minutes), records after it are not judged, and the data
/// ends at it.
fn model(
    refunds: &[(u8, i64)],
    approvals: &[(u8, i64)],
    within: Option<i64>,
    as_of: Option<i64>,
) -> (BTreeSet<String>, usize) {
    let seen = |at: i64| as_of.is_none_or(|t| at <= t);
    let approvals: Vec<(u8, i64)> = approvals.iter().copied().filter(|a| seen(a.1)).collect();
    let end = as_of.unwrap_or_else(|| refunds.iter().chain(&approvals).map(|r| r.1).max().unwrap_or(0));
    let mut found = BTreeSet::new();
    let mut pending = 0;
    for (i, &(order, at)) in refunds.iter().enumerate().filter(|(_, r)| seen(r.1)) {
        let mine: Vec<i64> = approvals.iter().filter(|a| a.0 == order).map(|a| a.1).collect();
        let matched = match within {
            None => !mine.is_empty(),
            Some(w) => mine.iter().any(|&y| (y - at).abs() <= w),
        };
        if matched {
            continue;
        }
        let later = mine.iter().any(|&y| y >= at);
        match within {
            Some(w) if !later && end <= at + w => pending += 1,
            _ => {
                found.insert(format!("R-{i}"));
            }
        }
    }
    (found, pending)
}

fn records(refunds: &[(u8, i64)], approvals: &[(u8, i64)]) -> (Vec<String>, Vec<String>) {
    (
        refunds.iter().enumerate().map(|(i, &(o, m))| line(&format!("R-{i}"), o, m)).collect(),
        approvals.iter().enumerate().map(|(i, &(o, m))| line(&format!("A-{i}"), o, m)).collect(),
    )
}

fn events() -> impl Strategy<Value = Vec<(u8, i64)>> {
    // Few orders and a narrow span of minutes, so that matches, near misses and ties are common.
    prop::collection::vec((0u8..4, 0i64..400), 0..10)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn matching_in_any_order_agrees_with_the_model(
        refunds in events(),
        approvals in events(),
        deadline in prop::option::of(0i64..200),
        as_of in prop::option::of(0i64..450),
    ) {
        let within = deadline.map(|m| format!("{m}m"));
        let mut engine = precept::Engine::from_sources([("p.precept", policy(within.as_deref()))]).unwrap();
        if let Some(m) = as_of {
            let at = jiff::Timestamp::from_second(START + m * 60).unwrap();
            engine = engine.with_options(precept::Options { as_of: Some(AsOf::Instant(at, 0)), ..precept::Options::default() });
        }
        let (r, a) = records(&refunds, &approvals);
        prop_assert_eq!(judged(&engine, &r, &a), model(&refunds, &approvals, deadline, as_of));
    }

    #[test]
    fn findings_do_not_depend_on_the_order_of_the_records(
        (refunds, order_r) in events().prop_flat_map(|v| { let n = v.len(); (Just(v), Just((0..n).collect::<Vec<_>>()).prop_shuffle()) }),
        (approvals, order_a) in events().prop_flat_map(|v| { let n = v.len(); (Just(v), Just((0..n).collect::<Vec<_>>()).prop_shuffle()) }),
    ) {
        let engine = precept::Engine::from_sources([("p.precept", policy(Some("1h")))]).unwrap();
        let (r, a) = records(&refunds, &approvals);
        let shuffled = |lines: &[String], order: &[usize]| order.iter().map(|&i| lines[i].clone()).collect::<Vec<_>>();
        prop_assume!(!refunds.is_empty() || !approvals.is_empty());
        let report = |r: &[String], a: &[String]| {
            let run = engine.check(inputs(r, a));
            // Everything a finding says but where its records are (the lines move).
            let mut out: Vec<String> = run
                .findings
                .iter()
                .map(|f| {
                    let evidence: Vec<String> = f.evidence.iter().map(|e| e.summary.clone()).collect();
                    let key = f.group.as_ref().map(|g| g.key.clone()).unwrap_or_default();
                    format!("{} {key:?} {} {evidence:?}", f.rule_id(), f.message)
                })
                .collect();
            out.sort();
            (out, run.summary.pending.clone())
        };
        prop_assert_eq!(report(&r, &a), report(&shuffled(&r, &order_r), &shuffled(&a, &order_a)));
    }
}

#[test]
fn a_redacted_field_of_an_opening_record_is_a_hash_in_the_message() {
    let dir = common::root().join("fixtures/cases");
    let engine = precept::Engine::from_folders(&[dir.join("cases.precept")], &[])
        .unwrap()
        .redacting(&["customer_name".to_string()])
        .unwrap();
    let records = ["complaints.jsonl", "calls.jsonl", "answers.jsonl"]
        .map(|f| Records::bytes(f, std::fs::read(dir.join("records").join(f)).unwrap()));
    let run = engine.check(records);
    let messages: Vec<&str> = run.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    // CP-2 opened by a complaint, CP-3 by a call: both schemas' names are hidden.
    for (m, name) in messages.iter().zip(["Bob Bell", "Cy Cole"]) {
        assert!(m.contains("redacted:") && !m.contains(name), "{m}");
    }
}

#[test]
fn the_fixture_json_report_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/json-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    let run = common::precept(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--policies",
        "fixtures/cases/cases.precept",
        "fixtures/cases/records",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert_eq!(errors, Vec::<String>::new());
    // The in-any-order finding with an approval too long before it says when that approval was.
    let rf4 = doc["findings"].as_array().unwrap().iter().find(|f| f["message"].as_str().unwrap().starts_with("RF-4:"));
    let facts = &rf4.unwrap()["evidence"][1]["facts"];
    assert_eq!(
        (facts["closed_before"].as_str(), facts["before_by"].as_str()),
        (Some("2026-03-04T10:00:00+00:00"), Some("5d"))
    );
}
