//! Calendar months and years end to end (parse, type check, compile, read records, evaluate):
//! `x + N months`, `x - N years`, `months_between(a, b)`, on both sides of month ends and leap days,
//! for dates and datetimes; and a property test against an independent model (a hand-written
//! days-in-month and leap-year rule) for addition of months and years and for counting months.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use proptest::prelude::*;

const SCHEMA: &str = r#"
schema s {
  identified by id
  id: text
  a: date
  b: date
  c: date?
  leap: date
  t: datetime
  u: datetime
}
"#;

/// `a` is 31 January 2023 (not a leap year), `b` 28 February 2023, `leap` 29 February 2024, `t`
/// 31 January 2024 at 23:30 in Paris (+01:00), `u` 29 February 2024 at 23:30 at +01:00 (22:30 UTC).
const RECORD: &str = r#"{"id": "r", "a": "2023-01-31", "b": "2023-02-28", "c": null, "leap": "2024-02-29",
 "t": "2024-01-31T23:30:00+01:00", "u": "2024-02-29T23:30:00+01:00"}"#;

/// (expression, holds)
const CASES: &[(&str, bool)] = &[
    // the end of the month: the day is kept, or the month's last day when it is too short
    ("record.a + 1 month == 2023-02-28", true),
    ("record.a + 1 month == record.b", true),
    ("record.a + 2 months == 2023-03-31", true),
    ("record.a + 13 months == 2024-02-29", true),
    ("record.a + 1 year == 2024-01-31", true),
    ("record.leap + 1 year == 2025-02-28", true),
    ("record.leap + 4 years == 2028-02-29", true),
    ("record.leap - 1 year == 2023-02-28", true),
    ("record.leap - 1 month == 2024-01-29", true),
    ("2024-03-31 - 1 month == record.leap", true),
    ("record.b - 1 month == 2023-01-28", true),
    // both sides of a deadline one month on
    ("record.b <= record.a + 1 month", true),
    ("2023-03-01 <= record.a + 1 month", false),
    ("record.a + 1 month < record.b", false),
    // datetimes keep their wall-clock time and offset; the date moves at that offset
    ("record.t + 1 month == record.u", true),
    ("record.t + 1 month == 2024-02-29T22:30:00Z", true),
    ("record.t + 1 month == 2024-03-01T23:30:00+01:00", false),
    ("record.u - 1 month == 2024-01-29T23:30:00+01:00", true),
    ("record.u <= record.t + 1 month", true),
    ("record.u + 1s <= record.t + 1 month", false),
    // whole months between two days, agreeing with addition
    ("months_between(record.a, record.b) == 1", true),
    ("months_between(record.a, 2023-02-27) == 0", true),
    // backwards, whole months are counted from the start too: 28 February - 1 month is 28 January,
    // which passes 31 January, so no whole month lies between them that way
    ("months_between(record.b, record.a) == 0", true),
    ("months_between(record.b, 2023-01-28) == -1", true),
    ("months_between(record.a, 2022-12-31) == -1", true),
    ("months_between(record.leap, 2025-02-28) == 12", true),
    ("months_between(record.leap, 2025-02-27) == 11", true),
    ("months_between(record.t, record.u) == 1", true),
    ("months_between(record.a, record.a) == 0", true),
    // a missing operand must be handled first; out of range is no answer
    ("record.c is missing or record.c + 1 month > record.a", true),
    ("(record.c otherwise record.a) + 1 month == record.b", true),
    ("record.a + 100000 years > record.a", false),
    ("record.a + 100000 years > record.a or record.a < record.b", true),
];

fn check(lines: &[String], rules: &str) -> (precept::findings::Outcome, Vec<precept::Finding>) {
    let engine = common::engine(&format!("{SCHEMA}\ncode \"Months\" {{\n  level industry\n{rules}}}\n"));
    let other: Vec<_> = engine.warnings().iter().filter(|d| d.code != "precept::type::unused-field").collect();
    assert!(other.is_empty(), "{:?}", other.iter().map(|d| &d.message).collect::<Vec<_>>());
    common::check(&engine, &[("r.jsonl", lines.join("\n") + "\n")])
}

#[test]
fn every_case_holds_exactly_when_expected() {
    let mut rules = String::new();
    for (i, (expr, _)) in CASES.iter().enumerate() {
        rules.push_str(&format!("  rule case-{i} {{ for s require {expr} message \"case {i}\" }}\n"));
    }
    let (outcome, findings) = check(&[RECORD.replace('\n', "")], &rules);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let failed: BTreeSet<usize> =
        findings.iter().map(|f| f.rule_id().trim_start_matches("case-").parse().unwrap()).collect();
    let wrong: Vec<String> = CASES
        .iter()
        .enumerate()
        .filter(|(i, (_, holds))| failed.contains(i) == *holds)
        .map(|(i, (expr, holds))| format!("case {i}: `{expr}` should {}hold", if *holds { "" } else { "not " }))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn within_one_calendar_month_of_receipt_is_one_line() {
    let schema =
        "schema request {\n  identified by id\n  id: text\n  received_at: datetime\n  replied_at: datetime\n}\n";
    let rule =
        "  rule art-12-3 { for request require record.replied_at <= record.received_at + 1 month message \"late\" }\n";
    let engine = common::engine(&format!("{schema}code \"GDPR\" {{\n  level industry\n{rule}}}\n"));
    let recs = [
        r#"{"id": "on-time", "received_at": "2024-01-31T10:00:00Z", "replied_at": "2024-02-29T10:00:00Z"}"#,
        r#"{"id": "late", "received_at": "2024-01-31T10:00:00Z", "replied_at": "2024-02-29T10:00:01Z"}"#,
        r#"{"id": "short-month", "received_at": "2023-01-31T10:00:00Z", "replied_at": "2023-03-01T09:00:00Z"}"#,
        r#"{"id": "same-day", "received_at": "2024-03-15T10:00:00Z", "replied_at": "2024-04-15T10:00:00Z"}"#,
    ];
    let (_, findings) = common::check(&engine, &[("r.jsonl", recs.join("\n") + "\n")]);
    let late: BTreeSet<String> = findings.iter().filter_map(|f| f.record_id.clone()).collect();
    assert_eq!(late, BTreeSet::from(["late".to_string(), "short-month".to_string()]));
}

#[test]
fn case_rules_take_months_in_within() {
    let policy = r#"
schema event {
  identified by id
  id: text
  case: text
  status: enum { received, waiting, replied, answered }
  at: datetime
}
code "GDPR" {
  level industry
  rule art-12-3 {
    for event
    case by record.case
    opens when record.status == received at record.at
    pauses when record.status == waiting at record.at
    resumes when record.status == replied at record.at
    closes when record.status == answered at record.at
    within 1 month
  }
}
"#;
    let engine = common::engine(policy);
    // A (received 31 January 2024) is due 29 February at the same time and answered a second late;
    // B (received 31 January 2023) is due 28 February 2023 and answered at the deadline; C waited
    // two days on the customer, so its deadline of 15 March moves to 17 March and it is in time; D
    // (received 30 March, due 30 April) is still open when the data ends on 20 April: pending.
    let recs = r#"{"id": "1", "case": "A", "status": "received", "at": "2024-01-31T10:00:00+01:00"}
{"id": "2", "case": "A", "status": "answered", "at": "2024-02-29T10:00:01+01:00"}
{"id": "3", "case": "B", "status": "received", "at": "2023-01-31T10:00:00Z"}
{"id": "4", "case": "B", "status": "answered", "at": "2023-02-28T10:00:00Z"}
{"id": "5", "case": "C", "status": "received", "at": "2024-02-15T10:00:00Z"}
{"id": "6", "case": "C", "status": "waiting", "at": "2024-02-20T10:00:00Z"}
{"id": "7", "case": "C", "status": "replied", "at": "2024-02-22T10:00:00Z"}
{"id": "8", "case": "C", "status": "answered", "at": "2024-03-16T10:00:00Z"}
{"id": "9", "case": "D", "status": "received", "at": "2024-03-30T10:00:00Z"}
{"id": "10", "case": "E", "status": "received", "at": "2024-04-20T10:00:00Z"}"#;
    let (outcome, findings) = common::check(&engine, &[("e.jsonl", recs)]);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let deadline = |f: &precept::Finding| {
        f.evidence.iter().find_map(|e| e.facts.iter().find(|(k, _)| *k == "deadline")).map(|(_, v)| v.clone())
    };
    let got: Vec<(String, Option<String>)> =
        findings.iter().map(|f| (f.record_id.clone().unwrap_or_default(), deadline(f))).collect();
    assert_eq!(got, [("A".to_string(), Some("2024-02-29T10:00:00+01:00".to_string()))], "{findings:#?}");
    assert_eq!(outcome.pending, [("art-12-3".to_string(), 2)]);
}

#[test]
fn months_and_years_that_have_no_exact_meaning_are_rejected() {
    for expr in [
        "record.t - record.u <= 1 month",
        "1 month + record.t > record.u",
        "record.t - 1 month <= 30 days",
        "record.t + 1 month - 1 month == record.t + 1d",
    ] {
        let policy =
            format!("{SCHEMA}\ncode \"Months\" {{\n  level industry\n  rule r {{ for s require {expr} }}\n}}\n");
        match precept::Engine::from_sources([("p.precept", policy.as_str())]) {
            Ok(_) if expr.contains("- 1 month ==") => {}
            Ok(_) if expr.contains("<= 30 days") => panic!("`{expr}` compares a datetime with a duration"),
            Ok(_) => panic!("`{expr}` was accepted"),
            Err(diags) => {
                if expr.contains("- 1 month ==") {
                    panic!("`{expr}` should compile: {}", common::rendered(&diags));
                }
            }
        }
    }
}

// ------------------------------------------------------------------ an independent model

fn leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

type Ymd = (i32, u32, u32);

fn model_add(d: Ymd, months: i64) -> Ymd {
    let total = i64::from(d.0) * 12 + i64::from(d.1 - 1) + months;
    let y = i32::try_from(total.div_euclid(12)).unwrap();
    let m = u32::try_from(total.rem_euclid(12)).unwrap() + 1;
    (y, m, d.2.min(days_in(y, m)))
}

/// Counted one month at a time from `a`: the most months that do not pass `b`.
fn model_between(a: Ymd, b: Ymd) -> i64 {
    let mut m = 0;
    if b >= a {
        while model_add(a, m + 1) <= b {
            m += 1;
        }
    } else {
        while model_add(a, m - 1) >= b {
            m -= 1;
        }
    }
    m
}

fn ymd() -> impl Strategy<Value = Ymd> {
    (1996i32..2032, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| (y, m, d.min(days_in(y, m))))
}

fn text((y, m, d): Ymd) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn months_and_years_agree_with_the_model(
        pairs in proptest::collection::vec((ymd(), ymd(), 0i64..60, 0i64..6), 1..12),
    ) {
        let mut rules = String::new();
        let mut lines = Vec::new();
        for (i, (a, b, n, y)) in pairs.iter().enumerate() {
            let (plus, minus) = (model_add(*a, *n), model_add(*a, -12 * y));
            let between = model_between(*a, *b);
            rules.push_str(&format!(
                "  rule p-{i} {{ for s require record.id != \"{i}\" or (record.a + {n} months == {} and record.a - {y} years == {} and months_between(record.a, record.b) == {between}) message \"{i}\" }}\n",
                text(plus), text(minus),
            ));
            lines.push(format!(
                r#"{{"id": "{i}", "a": "{}", "b": "{}", "c": null, "leap": "2024-02-29", "t": "2024-01-31T23:30:00+01:00", "u": "2024-01-31T23:30:00+01:00"}}"#,
                text(*a), text(*b),
            ));
        }
        let (outcome, findings) = check(&lines, &rules);
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        prop_assert!(findings.is_empty(), "{:?}", findings.iter().map(|f| f.rule_id().to_string()).collect::<Vec<_>>());
    }
}
