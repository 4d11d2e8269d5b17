//! Three-valued logic end to end: a computation with no answer (division by zero, overflow, a date
//! out of range) inside quantifiers, counts and group aggregates never lets a `require` hold when its
//! outcome depends on it, and the finding names the computation; where the outcome does not depend
//! on it (`any` with a true element, `all` with a false one), it decides nothing. Missing is not no
//! answer: `is missing` and `otherwise` are about missing values only. An optional JSON list that is
//! absent or `null` is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use precept::pipeline::{Finding, Outcome};

/// Check `records` (file name, text) against `policy`, both in memory; the policy must load
/// without errors (warnings are returned).
fn run(policy: &str, records: &[(&str, &str)]) -> (Outcome, Vec<Finding>, Vec<String>) {
    let engine = common::engine(policy);
    let codes: Vec<String> = engine.warnings().iter().map(|d| d.code.to_string()).collect();
    let (outcome, findings) = common::check(&engine, records);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    (outcome, findings, codes)
}

fn fact<'a>(f: &'a Finding, name: &str) -> Option<&'a str> {
    f.evidence.iter().find_map(|e| e.facts.iter().find(|(k, _)| *k == name)).map(|(_, v)| v.as_str())
}

/// What a case should give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    /// The requirement holds: no finding.
    Holds,
    /// A finding that owes nothing to a computation with no answer.
    Fails,
    /// A finding naming this computation, this reason and this blamed field.
    NoAnswer(&'static str, &'static str, &'static str),
}
use Want::*;

const SCHEMA: &str = r#"
schema s {
  identified by id
  id: text
  x: integer
  y: integer
  big: integer
  d: decimal
  z: decimal
  m: money GBP
  day: date
  at: datetime
  items: list of { q: integer }
  one: list of { q: integer }
  opt: integer?
}
"#;

const RECORD: &str = r#"{"id": "r", "x": 10, "y": 0, "big": 9223372036854775807, "d": "2.5", "z": "0", "m": "3.00 GBP", "day": "2024-01-01", "at": "2024-01-01T00:00:00Z", "items": [{"q": 1}, {"q": 0}], "one": [{"q": 1}]}"#;

const DIV: &str = "division by zero";
const OVER: &str = "overflow";
const RANGE: &str = "date out of range";

/// (condition, what it must give). Each becomes a rule over the same record.
const CASES: &[(&str, Want)] = &[
    // The issue's record examples.
    ("none(a in record.one: record.x / record.y > 1)", NoAnswer("record.x / record.y", DIV, "y")),
    ("not any(a in record.one: record.x / record.y > 1)", NoAnswer("record.x / record.y", DIV, "y")),
    ("count(a in record.one: record.x / record.y > 1) == 0", NoAnswer("record.x / record.y", DIV, "y")),
    ("all(a in record.one: record.x / record.y > 1)", NoAnswer("record.x / record.y", DIV, "y")),
    ("any(a in record.one: record.x / record.y > 1)", NoAnswer("record.x / record.y", DIV, "y")),
    ("not none(a in record.one: record.x / record.y > 1)", NoAnswer("record.x / record.y", DIV, "y")),
    ("count(a in record.one: record.x / record.y > 1) != 1", NoAnswer("record.x / record.y", DIV, "y")),
    // Per element: the element with no answer is named.
    ("all(a in record.items: 10 / a.q > 5)", NoAnswer("10 / record.items[1].q", DIV, "items[1].q")),
    ("none(a in record.items: 10 / a.q > 50)", NoAnswer("10 / record.items[1].q", DIV, "items[1].q")),
    ("any(a in record.items: 10 / a.q > 50)", NoAnswer("10 / record.items[1].q", DIV, "items[1].q")),
    ("count(a in record.items: 10 / a.q > 5) >= 0", NoAnswer("10 / record.items[1].q", DIV, "items[1].q")),
    ("count(a in record.items: 10 / a.q > 5) == 1", NoAnswer("10 / record.items[1].q", DIV, "items[1].q")),
    ("not all(a in record.items: 10 / a.q > 5)", NoAnswer("10 / record.items[1].q", DIV, "items[1].q")),
    // The short circuit: a decisive element decides, whatever the element with no answer.
    ("any(a in record.items: 10 / a.q > 5)", Holds),
    ("not all(a in record.items: 10 / a.q < 5)", Holds),
    ("all(a in record.items: 10 / a.q < 5)", Fails),
    ("none(a in record.items: 10 / a.q > 5)", Fails),
    ("not none(a in record.items: 10 / a.q > 5)", Holds),
    ("record.x / record.y > 1 or true", Holds),
    ("true or record.x / record.y > 1", Holds),
    ("record.x / record.y > 1 and false", Fails),
    ("false implies record.x / record.y > 1", Holds),
    ("record.x / record.y > 1 implies true", Holds),
    ("count(a in record.one: record.x / record.y > 1) == 0 or record.x == 10", Holds),
    // Missing is not no answer.
    ("(record.x / record.y) is missing", NoAnswer("record.x / record.y", DIV, "y")),
    ("(record.x / record.y) is present", NoAnswer("record.x / record.y", DIV, "y")),
    ("((record.x / record.y) otherwise 0) == 0", NoAnswer("record.x / record.y", DIV, "y")),
    ("((record.x / record.y) otherwise 0) != 0", NoAnswer("record.x / record.y", DIV, "y")),
    ("(record.opt otherwise 0) == 0", Holds),
    ("record.opt is missing", Holds),
    // Other computations with no answer, in every place.
    ("record.big + 1 > 0", NoAnswer("record.big + 1", OVER, "big")),
    ("none(a in record.one: record.big * 2 > 0)", NoAnswer("record.big * 2", OVER, "big")),
    ("count(a in record.one: record.big + a.q > 0) == 0", NoAnswer("record.big + record.one[0].q", OVER, "big")),
    ("-(record.big + 1) < 0", NoAnswer("record.big + 1", OVER, "big")),
    ("record.d / record.z > 0", NoAnswer("record.d / record.z", DIV, "z")),
    ("not any(a in record.one: record.d / record.z > 0)", NoAnswer("record.d / record.z", DIV, "z")),
    ("record.m / 0 == 1.00 GBP", NoAnswer("record.m / 0", DIV, "m")),
    ("none(a in record.one: record.m / record.y > 1.00 GBP)", NoAnswer("record.m / record.y", DIV, "y")),
    ("record.day + 5000000 days > 2024-01-01", NoAnswer("record.day + 5000000d", RANGE, "day")),
    ("none(a in record.one: record.at + 5000000 days < record.at)", NoAnswer("record.at + 5000000d", RANGE, "at")),
    ("if record.x / record.y > 1 then true else true", NoAnswer("record.x / record.y", DIV, "y")),
    ("(record.x + 1) / (record.y * 2) > 0", NoAnswer("(record.x + 1) / (record.y * 2)", DIV, "x")),
    ("record.x / record.y in {1, 2}", NoAnswer("record.x / record.y", DIV, "y")),
    ("record.x / record.y not in {1, 2}", NoAnswer("record.x / record.y", DIV, "y")),
];

#[test]
fn no_answer_inside_quantifiers_and_counts_never_lets_a_requirement_hold() {
    let mut policy = String::from(SCHEMA);
    policy.push_str("code \"Logic\" {\n  level industry\n");
    for (i, (expr, _)) in CASES.iter().enumerate() {
        policy.push_str(&format!("  rule case-{i} {{ for s require {expr} message \"case {i}\" }}\n"));
    }
    policy.push_str("}\n");
    // A second record where every computation has an answer, checked alongside.
    let fine = RECORD.replace(r#""y": 0"#, r#""y": 1"#).replace(r#""id": "r""#, r#""id": "fine""#);
    let (outcome, findings, _) = run(&policy, &[("r.jsonl", &format!("{RECORD}\n{fine}\n"))]);
    assert_eq!(outcome.records, 2, "both records are checked");
    let mut wrong = Vec::new();
    for (i, (expr, want)) in CASES.iter().enumerate() {
        let id = format!("case-{i}");
        let got: Vec<&Finding> =
            findings.iter().filter(|f| f.rule_id() == id && f.record_id.as_deref() == Some("r")).collect();
        let ok = match (want, got.as_slice()) {
            (Holds, []) => true,
            (Fails, [f]) => fact(f, "no_answer").is_none(),
            (NoAnswer(what, why, field), [f]) => {
                fact(f, "no_answer") == Some(*what) && fact(f, "reason") == Some(*why) && f.field == *field
            }
            _ => false,
        };
        if !ok {
            let shown: Vec<_> = got.iter().map(|f| (&f.field, &f.evidence)).collect();
            wrong.push(format!("case {i} `{expr}`: want {want:?}, got {shown:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

const GROUP_SCHEMA: &str = r#"
schema g {
  identified by id
  id: text
  team: text
  x: integer
  y: integer
  big: integer
}
"#;

/// The aggregates over `record.x / record.y` (or over its condition), each in a `require` that
/// holds for any group where every member has an answer and `y` is large.
const AGGREGATES: &[&str] = &[
    "count(record.x / record.y > 1) == 0",
    "share(record.x / record.y > 1) <= 10%",
    "sum(record.x / record.y) < 1",
    "(avg(record.x / record.y) otherwise 0) < 1",
    "(min(record.x / record.y) otherwise 0) < 1",
    "(max(record.x / record.y) otherwise 0) < 1",
    "(percentile(record.x / record.y, 50) otherwise 0) < 1",
    "(percentile(record.x / record.y, 100) otherwise 0) < 1",
    "count(record.x / record.y > 1) < count()",
    "not (share(record.x / record.y > 1) > 50%)",
    "sum(record.x / record.y) == sum(record.x / record.y)",
];

fn group_records(team: &str, ys: &[i64]) -> String {
    ys.iter()
        .enumerate()
        .map(|(i, y)| {
            format!(
                r#"{{"id": "{team}-{i}", "team": "{team}", "x": {}, "y": {y}, "big": 9223372036854775807}}"#,
                10 * (i + 1)
            ) + "\n"
        })
        .collect()
}

#[test]
fn an_aggregate_with_a_member_that_has_no_answer_has_no_answer() {
    let mut policy = String::from(GROUP_SCHEMA);
    policy.push_str("code \"Groups\" {\n  level industry\n");
    for (i, req) in AGGREGATES.iter().enumerate() {
        policy
            .push_str(&format!("  rule agg-{i} {{ for g group by record.team require {req} message \"agg {i}\" }}\n"));
    }
    // Where the outcome does not depend on the aggregate, it decides nothing.
    policy
        .push_str("  rule short { for g group by record.team require count() > 0 or sum(record.x / record.y) < 1 }\n");
    policy.push_str("  rule overflow { for g group by record.team require sum(record.big) > 0 }\n");
    policy.push_str("}\n");
    // Team `all`: the issue's group (every divisor zero). Team `last`: only its last member has a
    // zero divisor. Team `first`: only its first. Team `ok`: every divisor large, so every rule holds.
    let files = [
        ("all.jsonl", group_records("all", &[0, 0])),
        ("last.jsonl", group_records("last", &[1000, 1000, 1000, 0])),
        ("first.jsonl", group_records("first", &[0, 1000, 1000])),
        ("ok.jsonl", group_records("ok", &[1000, 1000, 1000])),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (outcome, findings, _) = run(&policy, &refs);
    assert_eq!(outcome.records, 12);
    let mut wrong = Vec::new();
    for (i, req) in AGGREGATES.iter().enumerate() {
        for (team, line) in [("all", 1), ("last", 4), ("first", 1)] {
            let got: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.rule_id() == format!("agg-{i}"))
                .filter(|f| f.group.as_ref().is_some_and(|g| g.key.iter().any(|(_, v)| v == team)))
                .collect();
            let ok = match got.as_slice() {
                [f] => {
                    let g = f.group.as_ref().unwrap();
                    fact(f, "no_answer") == Some("record.x / record.y")
                        && fact(f, "reason") == Some(DIV)
                        && fact(f, "line") == Some(line.to_string().as_str())
                        // The record with no answer is shown first, with its file and line.
                        && g.samples.first().is_some_and(|s| s.file.ends_with(&format!("{team}.jsonl")) && s.line == line)
                }
                _ => false,
            };
            if !ok {
                wrong.push(format!("agg {i} `{req}`, team {team}: {got:#?}"));
            }
        }
        let ok_team = findings
            .iter()
            .filter(|f| f.rule_id() == format!("agg-{i}"))
            .any(|f| f.group.as_ref().is_some_and(|g| g.key.iter().any(|(_, v)| v == "ok")));
        if ok_team {
            wrong.push(format!("agg {i} `{req}` broken by team `ok`, where every member has an answer"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(!findings.iter().any(|f| f.rule_id() == "short"), "`count() > 0 or ...` holds whatever the sum");
    let overflow: Vec<_> = findings.iter().filter(|f| f.rule_id() == "overflow").collect();
    assert_eq!(overflow.len(), 4, "a sum too large to hold has no answer, in every group");
    assert!(overflow
        .iter()
        .all(|f| f.message.contains("overflow") || f.evidence.iter().any(|e| e.summary.contains("overflow"))));
}

#[test]
fn an_optional_json_list_absent_or_null_is_missing() {
    let policy = r#"
schema s {
  identified by id
  id: text
  actions: list of text?
  tags: list of text
}
code "Lists" {
  level industry
  rule actions-missing { for s require record.actions is missing }
  rule actions-present { for s require record.actions is present }
  rule actions-empty { for s require (if record.actions is present then count(record.actions) else 99) == 0 }
  rule tags-empty { for s require count(record.tags) == 0 }
}
"#;
    // (record, actions missing, tags empty)
    let cases: &[(&str, bool, bool)] = &[
        (r#"{"id": "absent"}"#, true, true),
        (r#"{"id": "null", "actions": null}"#, true, true),
        (r#"{"id": "null-both", "actions": null, "tags": null}"#, true, true),
        (r#"{"id": "empty", "actions": []}"#, false, true),
        (r#"{"id": "one", "actions": ["a"], "tags": ["t"]}"#, false, false),
        (r#"{"id": "spaced",   "actions" :   null  }"#, true, true),
    ];
    let jsonl: String = cases.iter().map(|(r, _, _)| format!("{r}\n")).collect();
    let json = format!(
        "[{}]",
        cases.iter().map(|(r, _, _)| r.replace("\"id\": \"", "\"id\": \"j-")).collect::<Vec<_>>().join(",\n")
    );
    let (outcome, findings, _) = run(policy, &[("r.jsonl", &jsonl), ("r.json", &json)]);
    assert_eq!(outcome.records, 2 * cases.len());
    let broke =
        |rule: &str, id: &str| findings.iter().any(|f| f.rule_id() == rule && f.record_id.as_deref() == Some(id));
    for prefix in ["", "j-"] {
        for (record, missing, tags_empty) in cases {
            let id = format!("{prefix}{}", record.split('"').nth(3).unwrap());
            assert_eq!(broke("actions-missing", &id), !missing, "{id}: `is missing`");
            assert_eq!(broke("actions-present", &id), *missing, "{id}: `is present`");
            // A missing list counts as 99 here; an empty one as 0.
            assert_eq!(broke("actions-empty", &id), *missing || !record.contains("[]"), "{id}: count");
            assert_eq!(broke("tags-empty", &id), !tags_empty, "{id}: a required list absent or null is empty");
        }
    }
}

#[test]
fn the_checker_warns_that_a_computation_is_never_missing() {
    // `is missing` and `otherwise` on a computation whose operands are never missing: the warning
    // agrees with the run (the test never holds, the default is never used).
    let policy = format!(
        "{SCHEMA}code \"W\" {{\n  level industry\n  rule a {{ for s require (record.x / record.y) is missing }}\n  rule b {{ for s require ((record.x / record.y) otherwise 0) == 0 }}\n}}\n"
    );
    let (_, findings, codes) = run(&policy, &[("r.jsonl", RECORD)]);
    assert_eq!(codes.iter().filter(|c| *c == "precept::type::never-missing").count(), 2, "{codes:?}");
    assert_eq!(findings.iter().filter(|f| f.rule_id() == "a" || f.rule_id() == "b").count(), 2);
}
