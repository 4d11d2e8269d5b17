//! Every operator end to end (parse, type check, compile, read a record, evaluate), with edge cases:
//! boundaries, empty lists, missing values, overflow and division by zero.
//!
//! Each case becomes one rule over the same record; a case that should not hold must be reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

const SCHEMA: &str = r#"
calendar uk {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2024-12-25, 2024-12-26
}
schema s {
  identified by id
  id: text
  n: integer
  d: decimal
  m: money GBP
  t: text
  b: boolean
  day: date
  at: datetime
  later: datetime
  xmas: datetime
  dur: duration
  kind: enum { enquiry, complaint }
  tags: list of text
  empty: list of integer
  items: list of { q: integer, p: money GBP }
  opt: integer?
  nested: { inner: text? }?
}
"#;

const RECORD: &str = r#"{"id": "a", "n": 5, "d": "2.50", "m": "10.00 GBP", "t": "REF-123 urgent", "b": true,
 "day": "2024-03-01", "at": "2024-03-01T16:59:00Z", "later": "2024-03-04T17:00:00Z",
 "xmas": "2024-12-24T10:00:00Z", "dur": "90m", "kind": "complaint", "tags": ["x", "y"], "empty": [],
 "items": [{"q": 1, "p": "2.00 GBP"}, {"q": 3, "p": "0.50 GBP"}], "opt": null, "nested": {}}"#;

/// (expression, holds)
const CASES: &[(&str, bool)] = &[
    // integers and decimals
    ("record.n == 5", true),
    ("record.n < 5", false),
    ("record.n <= 5", true),
    ("record.n >= 5 and record.n > 4", true),
    ("record.n != 5", false),
    ("record.n + 1 == 6", true),
    ("record.n - 6 == -1", true),
    ("record.n * 2 == 10", true),
    ("record.n / 2 == 2.5", true),
    ("record.d * 2 == 5", true),
    ("record.d == 2.5", true),
    ("record.d < record.n", true),
    ("-record.n < 0", true),
    ("record.n * 9223372036854775807 > 0", false),
    ("record.n / 0 == 1", false),
    // a side with no answer (overflow) decides nothing, whichever side it is on
    ("record.n * 9223372036854775807 > 0 or record.n == 5", true),
    ("record.n == 5 or record.n * 9223372036854775807 > 0", true),
    ("record.n * 9223372036854775807 > 0 and record.n == 4", false),
    ("record.n * 9223372036854775807 > 0 or record.n == 4", false),
    // money
    ("record.m + 5.00 GBP == 15.00 GBP", true),
    ("record.m - 10.01 GBP < 0.00 GBP", true),
    ("record.m * 3 == 30.00 GBP", true),
    ("record.m / 4 == 2.50 GBP", true),
    ("record.m / 5.00 GBP == 2", true),
    ("record.m <= 10.00 GBP", true),
    ("record.m < 10.00 GBP", false),
    ("record.m / 0 == 1.00 GBP", false),
    // text
    ("record.t contains \"urgent\"", true),
    ("record.t starts with \"REF\"", true),
    ("record.t ends with \"urgent\"", true),
    ("record.t ends with \"REF\"", false),
    ("record.t matches \"^REF-[0-9]+ \"", true),
    ("record.t matches \"^[0-9]+$\"", false),
    ("not (record.t contains \"x\")", true),
    ("record.t == \"REF-123 urgent\"", true),
    // booleans and logic
    ("record.b", true),
    ("not record.b", false),
    ("record.b == true", true),
    ("record.b or record.n > 100", true),
    ("record.b implies record.n > 10", false),
    ("record.n > 10 implies false", true),
    ("(if record.n > 3 then 1 else 2) == 1", true),
    // dates, datetimes, durations
    ("record.day + 2 days == 2024-03-03", true),
    ("record.day - 2024-02-28 == 2 days", true),
    ("record.later - record.at == 3 days + 1m", true),
    ("record.later > record.at", true),
    ("record.at < 2024-03-01T17:00:00+00:00", true),
    ("record.at == 2024-03-01T16:59:00+00:00", true),
    ("record.dur == 90m", true),
    ("record.dur > 1h and record.dur < 2h", true),
    ("record.dur * 2 == 3h", true),
    ("record.at + record.dur == 2024-03-01T18:29:00Z", true),
    // business days (Friday 16:59 is received on Friday; the deadline is Monday 17:00)
    ("record.later <= record.at + 1 business day", true),
    ("record.later + 1m <= record.at + 1 business day", false),
    ("business days between(record.at, record.later) == 1", true),
    ("business days between(record.at, record.later + 1m) == 2", true),
    ("record.at + 0 business days == 2024-03-01T17:00:00Z", true),
    ("record.xmas + 1 business day == 2024-12-27T17:00:00Z", true),
    ("business days between(record.xmas, 2024-12-27T17:00:00Z) <= 1 business day", true),
    // enumerations and sets
    ("record.kind == complaint", true),
    ("record.kind != \"enquiry\"", true),
    ("record.kind in {enquiry, complaint}", true),
    ("record.kind not in {enquiry}", true),
    ("record.kind in {enquiry}", false),
    ("record.n in {1, 5, 9}", true),
    // lists and quantifiers
    ("\"x\" in record.tags", true),
    ("\"z\" in record.tags", false),
    ("count(record.tags) == 2", true),
    ("all(i in record.items: i.q >= 1)", true),
    ("all(i in record.items: i.q > 1)", false),
    ("any(i in record.items: i.q == 3)", true),
    ("none(i in record.items: i.q > 3)", true),
    ("none(i in record.items: i.q == 1)", false),
    ("count(i in record.items: i.p < 1.00 GBP) == 1", true),
    ("all(x in record.empty: x > 0)", true),
    ("any(x in record.empty: x > 0)", false),
    ("none(x in record.empty: x > 0)", true),
    ("count(record.empty) == 0", true),
    ("all(i in record.items: any(t in record.tags: t == \"y\" and i.q > 0))", true),
    // missing values
    ("record.opt is missing", true),
    ("record.opt is present", false),
    ("(record.opt otherwise 7) == 7", true),
    ("record.opt is missing or record.opt > 100", true),
    ("record.opt is present and record.opt > 1", false),
    ("record.opt is present implies record.opt > 1", true),
    ("if record.opt is present then record.opt > 0 else true", true),
    ("record.nested is present", true),
    ("record.nested is present and record.nested.inner is missing", true),
    ("(record.nested.inner otherwise \"none\") == \"none\"", true),
];

#[test]
fn every_operator_case_holds_exactly_when_expected() {
    let mut policy = String::from(SCHEMA);
    policy.push_str("code \"Operators\" {\n  level industry\n");
    for (i, (expr, _)) in CASES.iter().enumerate() {
        policy.push_str(&format!("  rule case-{i} {{ for s require {expr} message \"case {i}\" }}\n"));
    }
    policy.push_str("}\n");
    let engine = common::engine(&policy);
    let (outcome, findings) = common::check(&engine, &[("r.jsonl", RECORD.replace('\n', "") + "\n")]);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.records, 1);
    let failed: BTreeSet<usize> =
        findings.iter().map(|f| f.rule_id().trim_start_matches("case-").parse().unwrap()).collect();
    let mut wrong = Vec::new();
    for (i, (expr, holds)) in CASES.iter().enumerate() {
        if failed.contains(&i) == *holds {
            wrong.push(format!("case {i}: `{expr}` should {}hold", if *holds { "" } else { "not " }));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
