//! Deadlines read from the data, end to end (parse, type check, compile, read records, evaluate):
//! counts taken from fields (`record.opened + record.n business days`, `+ record.n months`,
//! `record.n days`), durations from fields, and in case rules `within record.n business days`,
//! `within record.agreed_time`, `within ... until record.extended_to` and `by record.due_at`, with
//! records on both sides of every deadline; missing, negative and absurd counts; and property tests
//! against an independent model (a day-by-day walk over a Monday-to-Friday week, and the
//! end-of-month clamp written out by hand).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use proptest::prelude::*;

const CALENDAR: &str = r#"
calendar week {
  zone "UTC"
  working mon, tue, wed, thu, fri
}
"#;

const SCHEMA: &str = r#"
schema s {
  identified by id
  id: text
  opened: datetime
  resolved: datetime
  day: date
  n: integer
  m: integer?
  neg: integer
  huge: integer
  agreed: duration
}
"#;

/// Opened Friday 1 March 2024 at noon UTC and resolved the next Wednesday at noon; `n` is 3, `m`
/// missing, `neg` -1, `huge` beyond any count; `agreed` 5 days; `day` 31 January 2024.
const RECORD: &str = r#"{"id": "r", "opened": "2024-03-01T12:00:00Z", "resolved": "2024-03-06T12:00:00Z",
 "day": "2024-01-31", "n": 3, "m": null, "neg": -1, "huge": 9223372036854775807, "agreed": "5d"}"#;

/// (expression, holds)
const CASES: &[(&str, bool)] = &[
    // a count of business days from a field is the literal count
    ("record.opened + record.n business days == record.opened + 3 business days", true),
    ("record.opened + record.n business days > 2024-03-06T23:59:59Z", true),
    ("record.opened + record.n business days < 2024-03-07T00:00:00Z", true),
    ("record.resolved <= record.opened + record.n business days", true),
    ("record.resolved <= record.opened + (record.n - 1) business days", false),
    ("record.resolved <= record.opened + (record.n - 2) business days", false),
    ("record.opened + (record.n + 1) business days == record.opened + 4 business days", true),
    ("record.opened + record.n business day == record.opened + 3 business days", true),
    // months and years from a field, with the end-of-month rule
    ("record.day + record.n months == 2024-04-30", true),
    ("record.day + record.n months == record.day + 3 months", true),
    ("record.day - record.n months == 2023-10-31", true),
    ("record.day + record.n years == 2027-01-31", true),
    ("record.opened + record.n months == 2024-06-01T12:00:00Z", true),
    // durations from a field, and counted from one
    ("record.resolved - record.opened <= record.agreed", true),
    ("record.resolved - record.opened <= record.agreed - 1d", false),
    ("record.resolved - record.opened <= record.n days", false),
    ("record.resolved - record.opened <= (record.n + 2) days", true),
    ("record.n hours == 3h", true),
    ("record.n minutes == 180s", true),
    ("record.n weeks == 21 days", true),
    // a missing count must be handled: a default, or a test
    ("record.opened + (record.m otherwise 2) business days == record.opened + 2 business days", true),
    ("record.opened + record.m business days otherwise 2 business days == record.opened + 2 business days", true),
    ("record.m is missing or record.opened + record.m business days > record.opened", true),
    ("record.day + (record.m months otherwise 1 month) == 2024-02-29", true),
    ("(record.m otherwise 1) days == 1d", true),
    // a count below zero or beyond range has no answer: no condition holds of it
    ("record.opened + record.neg business days > record.opened", false),
    ("record.opened + record.neg business days <= record.opened", false),
    ("record.opened + record.neg business days > record.opened or record.n == 3", true),
    ("record.opened + record.huge business days > record.opened", false),
    ("record.day + record.huge months > record.day", false),
    ("record.day + record.neg months < record.day", false),
    ("record.huge days > 0s", false),
    ("record.neg days < 0s", false),
    ("record.huge business days > 0", false),
];

fn engine(rules: &str) -> precept::Engine {
    let engine = common::engine(&format!(
        "{CALENDAR}{SCHEMA}\ncode \"Data\" {{\n  level industry\n  calendar week\n{rules}}}\n"
    ));
    let other: Vec<_> = engine.warnings().iter().filter(|d| d.code != "precept::type::unused-field").collect();
    assert!(other.is_empty(), "{:?}", other.iter().map(|d| &d.message).collect::<Vec<_>>());
    engine
}

#[test]
fn every_case_holds_exactly_when_expected() {
    let mut rules = String::new();
    for (i, (expr, _)) in CASES.iter().enumerate() {
        rules.push_str(&format!("  rule case-{i} {{ for s require {expr} message \"case {i}\" }}\n"));
    }
    let (outcome, findings) = common::check(&engine(&rules), &[("r.jsonl", RECORD.replace('\n', "") + "\n")]);
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
fn a_count_with_no_answer_is_named_in_the_finding() {
    let rules =
        "  rule neg { for s require record.resolved <= record.opened + record.neg business days message \"late\" }\n";
    let (_, findings) = common::check(&engine(rules), &[("r.jsonl", RECORD.replace('\n', "") + "\n")]);
    assert_eq!(findings.len(), 1);
    let summaries: Vec<&str> = findings[0].evidence.iter().map(|e| e.summary.as_str()).collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("`record.neg business days` has no answer (count below zero or too large)")),
        "{summaries:?}"
    );
}

#[test]
fn counts_and_spans_of_the_wrong_kind_are_rejected() {
    for (expr, code) in [
        // a duration is not a count
        ("record.opened + record.agreed business days > record.opened", "precept::type::mismatch"),
        // a missing count must say what missing means
        ("record.opened + record.m business days > record.opened", "precept::type::unhandled-missing"),
        ("record.day + record.m months > record.day", "precept::type::unhandled-missing"),
        // months counted from a field are still not a length of time
        ("record.resolved - record.opened <= record.n months", "precept::type::calendar-span"),
        ("record.day + (record.m months otherwise 3 days) > record.day", "precept::type::calendar-span"),
    ] {
        let policy = format!(
            "{CALENDAR}{SCHEMA}\ncode \"Data\" {{\n  level industry\n  calendar week\n  rule r {{ for s require {expr} }}\n}}\n"
        );
        match precept::Engine::from_sources([("p.precept", policy.as_str())]) {
            Ok(_) => panic!("`{expr}` was accepted"),
            Err(diags) => assert!(diags.iter().any(|d| d.code == code), "`{expr}`: {}", common::rendered(&diags)),
        }
    }
}

// ------------------------------------------------------------------ case rules

const CASE_POLICY: &str = r#"
calendar london {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  holidays 2024-03-29, 2024-04-01
}
schema event {
  identified by id
  id: text
  case: text
  status: enum { received, answered }
  at: datetime
  agreed_days: integer?
  months: integer?
  agreed_time: duration?
  extended_to: date?
  due_at: datetime?
}
code "Data" {
  level industry
  calendar london
  rule agreed-days {
    for event where record.case starts with "D"
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within (record.agreed_days otherwise 3) business days
  }
  rule agreed-months {
    for event where record.case starts with "M"
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within record.months months otherwise 1 month
  }
  rule agreed-time {
    for event where record.case starts with "T"
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within record.agreed_time otherwise 2 days
  }
  rule extended {
    for event where record.case starts with "X"
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within 8 weeks until record.extended_to
  }
  rule due-by {
    for event where record.case starts with "B"
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    by record.due_at otherwise (record.at + 10 days)
  }
}
"#;

fn case_outcome(recs: &str) -> (precept::findings::Outcome, Vec<(String, String, String)>) {
    let engine = common::engine(CASE_POLICY);
    let (outcome, findings) = common::check(&engine, &[("e.jsonl", recs)]);
    let fact = |f: &precept::Finding, k: &str| {
        f.evidence
            .iter()
            .find_map(|e| e.facts.iter().find(|(n, _)| *n == k))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let got = findings
        .iter()
        .map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default(), fact(f, "deadline")))
        .collect();
    (outcome, got)
}

#[test]
fn within_takes_a_count_of_business_days_from_the_opening_record() {
    // Received Wednesday 27 March 2024 at 10:00 (GMT). Five business days skip Good Friday (29
    // March), the weekend and Easter Monday (1 April): due at the end of Friday 5 April, London
    // time (British Summer Time from 31 March, so 22:59:59.999999999Z, shown at the opening's
    // offset). D-IN answers a second before; D-LATE a second after. D-DEFAULT agreed nothing: 3
    // business days, due at the end of 3 April.
    let recs = r#"{"id": "1", "case": "D-IN", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": 5}
{"id": "2", "case": "D-IN", "status": "answered", "at": "2024-04-05T22:59:59Z"}
{"id": "3", "case": "D-LATE", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": 5}
{"id": "4", "case": "D-LATE", "status": "answered", "at": "2024-04-05T23:00:00Z"}
{"id": "5", "case": "D-DEFAULT", "status": "received", "at": "2024-03-27T10:00:00Z"}
{"id": "6", "case": "D-DEFAULT", "status": "answered", "at": "2024-04-03T23:00:00Z"}
{"id": "7", "case": "D-AGREED-LATER", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": 0}
{"id": "8", "case": "D-AGREED-LATER", "status": "answered", "at": "2024-03-28T00:00:01Z", "agreed_days": 10}
"#;
    let (outcome, got) = case_outcome(recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    // The count is read from the record that opens the case, not from the one that closes it.
    assert_eq!(
        got,
        [
            ("agreed-days".into(), "D-AGREED-LATER".into(), "2024-03-27T23:59:59.999999999+00:00".into()),
            ("agreed-days".into(), "D-DEFAULT".into(), "2024-04-03T23:59:59.999999999+01:00".into()),
            ("agreed-days".into(), "D-LATE".into(), "2024-04-05T23:59:59.999999999+01:00".into()),
        ]
    );
}

#[test]
fn within_takes_months_and_durations_from_the_opening_record() {
    // M-IN agreed 2 months from 31 December: due 29 February 2024 (leap year) at the same time.
    // M-LATE answers a second after. M-DEFAULT agreed nothing: 1 month, due 31 January.
    // T-IN agreed 36 hours and answers at 35; T-LATE agreed 36 and answers at 37; T-DEFAULT is
    // given 2 days and answers after 49 hours.
    let recs = r#"{"id": "1", "case": "M-IN", "status": "received", "at": "2023-12-31T09:00:00Z", "months": 2}
{"id": "2", "case": "M-IN", "status": "answered", "at": "2024-02-29T09:00:00Z"}
{"id": "3", "case": "M-LATE", "status": "received", "at": "2023-12-31T09:00:00Z", "months": 2}
{"id": "4", "case": "M-LATE", "status": "answered", "at": "2024-02-29T09:00:01Z"}
{"id": "5", "case": "M-DEFAULT", "status": "received", "at": "2023-12-31T09:00:00Z"}
{"id": "6", "case": "M-DEFAULT", "status": "answered", "at": "2024-01-31T09:00:01Z"}
{"id": "7", "case": "T-IN", "status": "received", "at": "2024-01-01T00:00:00Z", "agreed_time": "36h"}
{"id": "8", "case": "T-IN", "status": "answered", "at": "2024-01-02T11:00:00Z"}
{"id": "9", "case": "T-LATE", "status": "received", "at": "2024-01-01T00:00:00Z", "agreed_time": "36h"}
{"id": "10", "case": "T-LATE", "status": "answered", "at": "2024-01-02T13:00:00Z"}
{"id": "11", "case": "T-DEFAULT", "status": "received", "at": "2024-01-01T00:00:00Z"}
{"id": "12", "case": "T-DEFAULT", "status": "answered", "at": "2024-01-03T01:00:00Z"}
"#;
    let (outcome, got) = case_outcome(recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(
        got,
        [
            ("agreed-months".into(), "M-DEFAULT".into(), "2024-01-31T09:00:00+00:00".into()),
            ("agreed-months".into(), "M-LATE".into(), "2024-02-29T09:00:00+00:00".into()),
            ("agreed-time".into(), "T-DEFAULT".into(), "2024-01-03T00:00:00+00:00".into()),
            ("agreed-time".into(), "T-LATE".into(), "2024-01-02T12:00:00+00:00".into()),
        ]
    );
}

#[test]
fn an_extension_to_a_date_runs_to_the_end_of_that_day_in_the_calendars_zone() {
    // Received 1 March 2024: 8 weeks is 26 April. X-EXT was extended to 10 May, which ends at
    // midnight London time (23:00 UTC, summer time): answered at 22:59:59Z it is in time, at
    // 23:00:00Z late. X-NONE has no extension: 8 weeks. X-EARLIER's extension (1 April) is before
    // the 8 weeks, which still apply.
    let recs = r#"{"id": "1", "case": "X-EXT", "status": "received", "at": "2024-03-01T10:00:00Z", "extended_to": "2024-05-10"}
{"id": "2", "case": "X-EXT", "status": "answered", "at": "2024-05-10T22:59:59Z"}
{"id": "3", "case": "X-EXT-LATE", "status": "received", "at": "2024-03-01T10:00:00Z", "extended_to": "2024-05-10"}
{"id": "4", "case": "X-EXT-LATE", "status": "answered", "at": "2024-05-10T23:00:00Z"}
{"id": "5", "case": "X-NONE", "status": "received", "at": "2024-03-01T10:00:00Z"}
{"id": "6", "case": "X-NONE", "status": "answered", "at": "2024-04-26T10:00:01Z"}
{"id": "7", "case": "X-EARLIER", "status": "received", "at": "2024-03-01T10:00:00Z", "extended_to": "2024-04-01"}
{"id": "8", "case": "X-EARLIER", "status": "answered", "at": "2024-04-26T10:00:00Z"}
"#;
    let (outcome, got) = case_outcome(recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(
        got,
        [
            ("extended".into(), "X-EXT-LATE".into(), "2024-05-10".into()),
            ("extended".into(), "X-NONE".into(), "2024-04-26T11:00:00+01:00".into()),
        ]
    );
}

#[test]
fn by_takes_an_absolute_deadline_and_its_default() {
    let recs = r#"{"id": "1", "case": "B-IN", "status": "received", "at": "2024-03-01T10:00:00Z", "due_at": "2024-03-20T17:00:00Z"}
{"id": "2", "case": "B-IN", "status": "answered", "at": "2024-03-20T17:00:00Z"}
{"id": "3", "case": "B-LATE", "status": "received", "at": "2024-03-01T10:00:00Z", "due_at": "2024-03-20T17:00:00Z"}
{"id": "4", "case": "B-LATE", "status": "answered", "at": "2024-03-20T17:00:01Z"}
{"id": "5", "case": "B-DEFAULT", "status": "received", "at": "2024-03-01T10:00:00Z"}
{"id": "6", "case": "B-DEFAULT", "status": "answered", "at": "2024-03-11T10:00:01Z"}
{"id": "7", "case": "B-OPEN", "status": "received", "at": "2024-03-25T10:00:00Z", "due_at": "2024-04-30T17:00:00Z"}
"#;
    let (outcome, got) = case_outcome(recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(
        got,
        [
            ("due-by".into(), "B-DEFAULT".into(), "2024-03-11T10:00:00+00:00".into()),
            ("due-by".into(), "B-LATE".into(), "2024-03-20T17:00:00+00:00".into()),
        ]
    );
    // B-OPEN is open when the data ends (25 March) and not due until 30 April.
    assert_eq!(outcome.pending, [("due-by".to_string(), 1)]);
}

#[test]
fn a_deadline_with_no_answer_leaves_the_obligation_out() {
    // A count below zero or beyond range gives no deadline: neither a finding nor pending, but
    // counted as left out, so the gap is never silent.
    let recs = r#"{"id": "1", "case": "D-NEG", "status": "received", "at": "2024-03-01T10:00:00Z", "agreed_days": -2}
{"id": "2", "case": "D-NEG", "status": "answered", "at": "2024-05-01T10:00:00Z"}
{"id": "3", "case": "D-HUGE", "status": "received", "at": "2024-03-01T10:00:00Z", "agreed_days": 99999999999}
{"id": "4", "case": "M-HUGE", "status": "received", "at": "2024-03-01T10:00:00Z", "months": 99999999999}
{"id": "5", "case": "D-LATE", "status": "received", "at": "2024-03-01T10:00:00Z", "agreed_days": 1}
{"id": "6", "case": "D-LATE", "status": "answered", "at": "2024-05-01T10:00:00Z"}
"#;
    let (outcome, got) = case_outcome(recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(got.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(), ["D-LATE"]);
    assert_eq!(outcome.left_out, [("agreed-days".to_string(), 2), ("agreed-months".to_string(), 1)]);
    assert!(outcome.pending.is_empty());
}

#[test]
fn tied_openings_give_one_verdict_whatever_order_the_records_come_in() {
    // Two records open D-TIE at one instant: one agreed 5 business days, the other 1. Which opens
    // the obligation is decided by what they carry, not by which was read first: the shorter span
    // (1 day, due at the end of Thursday 28 March), so the answer on 3 April is late. D-UNKNOWN's
    // tied openings agreed -2 (no answer) and 5: the known deadline opens it (due 5 April), so the
    // answer on 4 April is in time rather than the obligation being left out. X-TIE's tied
    // openings extend to 10 May and to nothing: no extension first, so 8 weeks apply. The same
    // records in every order, in one file or two, give the same findings and counts.
    let lines = [
        r#"{"id": "1", "case": "D-TIE", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": 5}"#,
        r#"{"id": "2", "case": "D-TIE", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": 1}"#,
        r#"{"id": "3", "case": "D-TIE", "status": "answered", "at": "2024-04-03T10:00:00Z"}"#,
        r#"{"id": "4", "case": "D-UNKNOWN", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": -2}"#,
        r#"{"id": "5", "case": "D-UNKNOWN", "status": "received", "at": "2024-03-27T10:00:00Z", "agreed_days": 5}"#,
        r#"{"id": "6", "case": "D-UNKNOWN", "status": "answered", "at": "2024-04-04T10:00:00Z"}"#,
        r#"{"id": "7", "case": "X-TIE", "status": "received", "at": "2024-03-01T10:00:00Z", "extended_to": "2024-05-10"}"#,
        r#"{"id": "8", "case": "X-TIE", "status": "received", "at": "2024-03-01T10:00:00Z"}"#,
        r#"{"id": "9", "case": "X-TIE", "status": "answered", "at": "2024-05-01T10:00:00Z"}"#,
    ];
    let engine = common::engine(CASE_POLICY);
    let run = |files: &[(&str, String)]| {
        let (outcome, findings) = common::check(&engine, files);
        assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
        let mut got: Vec<String> = findings
            .iter()
            .map(|f| {
                let evidence = f.evidence.iter().map(|e| e.summary.as_str()).collect::<Vec<_>>().join("; ");
                format!("{} {} {} {evidence}", f.rule_id(), f.record_id.clone().unwrap_or_default(), f.message)
            })
            .collect();
        got.sort();
        (got, outcome.left_out.clone(), outcome.pending.clone())
    };
    let join = |order: &[usize]| order.iter().map(|&i| format!("{}\n", lines[i])).collect::<String>();
    let forward: Vec<usize> = (0..lines.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    let want = run(&[("e.jsonl", join(&forward))]);
    assert_eq!(
        want.0.iter().map(|g| g.split(' ').take(2).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>(),
        ["agreed-days D-TIE", "extended X-TIE"],
        "{want:#?}"
    );
    assert!(want.1.is_empty() && want.2.is_empty(), "{want:#?}");
    for (i, files) in [
        vec![("e.jsonl", join(&backward))],
        vec![("e.jsonl", join(&[1, 0, 2, 4, 3, 5, 7, 6, 8]))],
        vec![("a.jsonl", join(&[1, 4, 7])), ("b.jsonl", join(&[0, 2, 3, 5, 6, 8]))],
        vec![("a.jsonl", join(&[0, 3, 6])), ("b.jsonl", join(&[8, 5, 2, 1, 4, 7]))],
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(run(files), want, "order {i}");
    }
}

// ------------------------------------------------------------------ an independent model

/// Days since 1 January 1970 of a civil date, written out by hand.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Monday is 0; 1 January 1970 was a Thursday.
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap();
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap();
    let y = i32::try_from(yoe + era * 400 + i64::from(m <= 2)).unwrap();
    (y, m, d)
}

/// The day (days since 1970) a deadline of `n` business days from a time on day `start` ends on,
/// Monday to Friday with no holidays and no cutoff: a weekend start counts from the Monday after,
/// then each weekday is walked one at a time.
fn model_business(start: i64, n: i64) -> i64 {
    let mut d = start;
    while weekday(d) >= 5 {
        d += 1;
    }
    let mut left = n;
    while left > 0 {
        d += 1;
        if weekday(d) < 5 {
            left -= 1;
        }
    }
    d
}

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

/// `(y, m, d) + n months`, clamped to the last day of a shorter month.
fn model_months((y, m, d): (i32, u32, u32), n: i64) -> (i32, u32, u32) {
    let total = i64::from(y) * 12 + i64::from(m - 1) + n;
    let y = i32::try_from(total.div_euclid(12)).unwrap();
    let m = u32::try_from(total.rem_euclid(12)).unwrap() + 1;
    (y, m, d.min(days_in(y, m)))
}

fn ymd((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

const MODEL_SCHEMA: &str = r#"
calendar week {
  zone "UTC"
  working mon, tue, wed, thu, fri
}
schema s {
  identified by id
  id: text
  opened: datetime
  answered: datetime
  opened_day: date
  answered_day: date
  n: integer
}
code "Model" {
  level industry
  calendar week
  rule business { for s require record.answered <= record.opened + record.n business days message "b" }
  rule months { for s require record.answered_day <= record.opened_day + record.n months message "m" }
  rule case-business {
    for s
    case by record.id
    opens at record.opened
    closes at record.answered
    within record.n business days
  }
}
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Each record is answered at the last second of the model's deadline, or the first second
    /// after it (`late`), counted in business days and, for its dates, in months.
    #[test]
    fn counts_from_the_data_agree_with_the_model(
        rows in proptest::collection::vec((0i64..20_000, 0u32..24, 0i64..80, any::<bool>()), 1..16),
    ) {
        let engine = common::engine(MODEL_SCHEMA);
        let mut lines = Vec::new();
        let mut want: BTreeSet<(String, String)> = BTreeSet::new();
        for (i, (day, hour, n, late)) in rows.iter().enumerate() {
            let start = days_from_civil(1990, 1, 1) + day;
            let opened = format!("{}T{hour:02}:00:00Z", ymd(civil_from_days(start)));
            let due = model_business(start, *n);
            let answered = if *late {
                format!("{}T00:00:00Z", ymd(civil_from_days(due + 1)))
            } else {
                format!("{}T23:59:59Z", ymd(civil_from_days(due)))
            };
            let opened_day = civil_from_days(start);
            let due_day = model_months(opened_day, *n);
            let answered_day = if *late {
                civil_from_days(days_from_civil(due_day.0, due_day.1, due_day.2) + 1)
            } else {
                due_day
            };
            if *late {
                want.insert(("business".into(), i.to_string()));
                want.insert(("case-business".into(), i.to_string()));
                want.insert(("months".into(), i.to_string()));
            }
            lines.push(format!(
                r#"{{"id": "{i}", "opened": "{opened}", "answered": "{answered}", "opened_day": "{}", "answered_day": "{}", "n": {n}}}"#,
                ymd(opened_day), ymd(answered_day),
            ));
        }
        let (outcome, findings) = common::check(&engine, &[("r.jsonl", lines.join("\n") + "\n")]);
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        let got: BTreeSet<(String, String)> =
            findings.iter().map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default())).collect();
        prop_assert_eq!(got, want, "{:#?}", lines);
    }
}

#[test]
fn the_model_walks_weekends() {
    // Friday 1 March 2024 + 3 business days is Wednesday 6 March; a Saturday start counts from
    // Monday, so 0 business days from Saturday 2 March is Monday 4 March.
    let fri = days_from_civil(2024, 3, 1);
    assert_eq!(weekday(fri), 4);
    assert_eq!(civil_from_days(model_business(fri, 3)), (2024, 3, 6));
    assert_eq!(civil_from_days(model_business(fri + 1, 0)), (2024, 3, 4));
    assert_eq!(model_months((2024, 1, 31), 1), (2024, 2, 29));
}

// ------------------------------------------------------------------ overrides

#[test]
fn an_override_with_a_deadline_from_the_data_is_not_taken_as_stricter() {
    let policy = |over: &str| {
        format!(
            r#"
calendar week {{ zone "UTC" working mon, tue, wed, thu, fri }}
schema event {{
  identified by id
  id: text
  case: text
  status: enum {{ received, answered }}
  at: datetime
  agreed_days: integer?
  extended_to: date?
}}
code "Industry" {{
  level industry
  calendar week
  rule answered {{
    for event
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within 15 business days
  }}
}}
code "Ours" {{
  level organisational
  extends "Industry"
  calendar week
  rule answered {{
    for event
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    {over}
  }}
}}
"#
        )
    };
    let codes = |over: &str| -> Vec<String> {
        let text = policy(over);
        match precept::Engine::from_sources([("p.precept", text.as_str())]) {
            Ok(e) => {
                e.warnings().iter().map(|d| d.code.to_string()).filter(|c| c != "precept::type::unused-field").collect()
            }
            Err(d) => d.iter().map(|d| d.code.to_string()).collect(),
        }
    };
    assert!(codes("within 10 business days").is_empty(), "a shorter literal is stricter");
    let data = codes("within (record.agreed_days otherwise 10) business days");
    assert_eq!(data, ["precept::rule::unverified-override"], "a count from the data is not provably stricter");
    let extended = codes("within 15 business days until record.extended_to");
    assert_eq!(extended, ["precept::rule::relaxed-override"], "an extension only moves the deadline later");
}

#[test]
fn the_examples_in_the_language_guide_compile() {
    let policy = r#"
calendar week { zone "Europe/London" working mon, tue, wed, thu, fri }
schema ticket {
  identified by id
  id: text
  opened_at: datetime
  resolved_at: datetime
  answered_at: datetime
  agreed_days: integer
  agreed_time: duration
  sla_hours: integer
}
schema contract {
  identified by id
  id: text
  signed_on: date
  renewed_on: date
  term_years: integer
}
schema case_event {
  identified by id
  id: text
  case: text
  status: enum { received, acknowledged, answered }
  at: datetime
  agreed_days: integer?
}
code "Guide" {
  level industry
  calendar week
  rule resolved-in-agreed-time {
    for ticket
    require record.resolved_at <= record.opened_at + record.agreed_days business days
  }
  rule renewed-in-time {
    for contract
    require record.renewed_on <= record.signed_on + record.term_years years
  }
  rule answered-within-agreed-time {
    for ticket
    require record.answered_at - record.opened_at <= record.agreed_time
    require record.answered_at - record.opened_at <= record.sla_hours hours
  }
  rule complaint-final-response {
    for case_event
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within (record.agreed_days otherwise 15) business days
    message "complaint {group.case} had no final response by {group.deadline}"
  }
}
"#;
    common::engine(policy);
}
