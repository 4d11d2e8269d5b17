//! Which version of a case rule judges a case, and closings with nothing open, end to end.
//!
//! Two versions of one rule, the old one in force until 31 December 2025 (its clock opens at
//! receipt) and the new one from 1 January 2026 (its clock opens at acknowledgement): a complaint
//! received in 2025 and acknowledged in 2026 opens both clocks, one on each side of the change,
//! and must be judged once, never twice. Cases on both sides of the change date, by the default
//! (the case's first event), `version by receipt` and `version by record.received_at`; and the
//! warning for a closing that comes before the opening, after the obligation was closed, or in a
//! case never opened.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

const HEAD: &str = r#"
calendar london {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
}
schema complaint {
  identified by id
  dated by at
  id: text
  case: text
  status: enum { received, acknowledged, answered }
  at: datetime
  received_at: datetime
}
"#;

/// The two versions, each with `version` (a `version by` clause, or nothing) written in.
fn policy(version: &str) -> String {
    format!(
        r#"{HEAD}
code "Complaints" {{
  level industry
  calendar london
  rule answered {{
    effective until 2025-12-31
    for complaint
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within 8 weeks
    {version}
    message "old rule: case {{group.case}} due {{group.deadline}}"
  }}
  rule answered {{
    effective from 2026-01-01
    for complaint
    case by record.case
    opens when record.status == acknowledged at record.at
    closes when record.status == answered at record.at
    within 15 business days
    {version}
    message "new rule: case {{group.case}} due {{group.deadline}}"
  }}
}}
"#
    )
}

fn line(id: usize, case: &str, status: &str, at: &str, received: &str) -> String {
    format!(r#"{{"id": "{id}", "case": "{case}", "status": "{status}", "at": "{at}", "received_at": "{received}"}}"#)
}

/// Findings' messages and the outcome, for records given as (case, status, at, received_at).
fn run(version: &str, recs: &[(&str, &str, &str, &str)]) -> (precept::findings::Outcome, Vec<String>) {
    let engine = common::engine(&policy(version));
    let lines: Vec<String> = recs.iter().enumerate().map(|(i, r)| line(i + 1, r.0, r.1, r.2, r.3)).collect();
    let (outcome, findings) = common::check(&engine, &[("c.jsonl", lines.join("\n") + "\n")]);
    let mut messages: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
    messages.sort();
    (outcome, messages)
}

const R: &str = "2025-12-30T10:00:00Z";

#[test]
fn a_case_straddling_the_change_is_judged_once_by_its_first_event() {
    // STRADDLE: received 30 December 2025 (old rule: due 24 February 2026), acknowledged 5 January
    // 2026 (the new rule's clock would make it due 26 January), answered 30 March: one finding,
    // the old rule's. OLD and NEW lie wholly on one side each; NEW is answered late by the new rule.
    let recs = [
        ("STRADDLE", "received", R, R),
        ("STRADDLE", "acknowledged", "2026-01-05T10:00:00Z", R),
        ("STRADDLE", "answered", "2026-03-30T10:00:00Z", R),
        ("OLD", "received", "2025-06-02T10:00:00Z", R),
        ("OLD", "answered", "2025-09-01T10:00:00Z", R),
        ("NEW", "received", "2026-01-02T10:00:00Z", R),
        ("NEW", "acknowledged", "2026-01-02T11:00:00Z", R),
        ("NEW", "answered", "2026-02-02T10:00:00Z", R),
    ];
    let (outcome, messages) = run("", &recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(
        messages,
        [
            "new rule: case NEW due 2026-01-23T23:59:59.999999999+00:00",
            "old rule: case OLD due 2025-07-28T11:00:00+01:00",
            "old rule: case STRADDLE due 2026-02-24T10:00:00+00:00",
        ]
    );
}

#[test]
fn an_open_case_straddling_the_change_is_pending_once_not_also_a_finding() {
    // The data ends 1 February 2026: by the new rule STRADDLE would be overdue (due 26 January),
    // by the old one it is not due until 24 February. The case is the old rule's: pending, once.
    let recs = [
        ("STRADDLE", "received", R, R),
        ("STRADDLE", "acknowledged", "2026-01-05T10:00:00Z", R),
        ("OTHER", "received", "2026-02-01T10:00:00Z", R),
    ];
    let (outcome, messages) = run("", &recs);
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(outcome.pending, [("answered".to_string(), 1)]);
}

#[test]
fn version_by_receipt_takes_the_first_opening_of_any_version() {
    // EARLY: a stray answer on 20 December 2025 (warned of), then received 2 January 2026. By its
    // first event the old rule would judge it; by its receipt the new one does, and its clock opens
    // at acknowledgement on 5 January: due 26 January, answered 27 January, late.
    let recs = [
        ("EARLY", "answered", "2025-12-20T10:00:00Z", R),
        ("EARLY", "received", "2026-01-02T10:00:00Z", R),
        ("EARLY", "acknowledged", "2026-01-05T10:00:00Z", R),
        ("EARLY", "answered", "2026-01-27T10:00:00Z", R),
        ("STRADDLE", "received", R, R),
        ("STRADDLE", "acknowledged", "2026-01-05T10:00:00Z", R),
        ("STRADDLE", "answered", "2026-03-30T10:00:00Z", R),
    ];
    let (outcome, messages) = run("version by receipt", &recs);
    assert_eq!(
        messages,
        [
            "new rule: case EARLY due 2026-01-26T23:59:59.999999999+00:00",
            "old rule: case STRADDLE due 2026-02-24T10:00:00+00:00",
        ]
    );
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| d.code.as_ref()).collect();
    assert_eq!(codes, ["precept::case::close-before-open"]);
    // By default, EARLY's first event (the stray answer of 2025) picks the old rule, which opens at
    // receipt on 2 January and is answered within 8 weeks: no finding.
    let (_, messages) = run("", &recs);
    assert_eq!(messages, ["old rule: case STRADDLE due 2026-02-24T10:00:00+00:00"]);
}

#[test]
fn version_by_a_field_takes_its_earliest_day_over_the_case() {
    // LOGGED-LATE was received on 31 December 2025 (its `received_at`) but logged in 2026: by the
    // field the old rule judges it (due 8 weeks after the logged receipt on 2 January: 27
    // February); by default the new rule would. EARLIEST: its records disagree on the receipt; the
    // earliest (2025) counts.
    let late = "2025-12-31T18:00:00Z";
    let recs = [
        ("LOGGED-LATE", "received", "2026-01-02T10:00:00Z", late),
        ("LOGGED-LATE", "acknowledged", "2026-01-02T11:00:00Z", late),
        ("LOGGED-LATE", "answered", "2026-03-02T10:00:00Z", late),
        ("EARLIEST", "received", "2026-01-02T10:00:00Z", "2026-01-02T10:00:00Z"),
        ("EARLIEST", "acknowledged", "2026-01-02T11:00:00Z", late),
        ("EARLIEST", "answered", "2026-03-02T10:00:00Z", "2026-01-02T10:00:00Z"),
    ];
    let (outcome, messages) = run("version by record.received_at", &recs);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(
        messages,
        [
            "old rule: case EARLIEST due 2026-02-27T10:00:00+00:00",
            "old rule: case LOGGED-LATE due 2026-02-27T10:00:00+00:00",
        ]
    );
    let (_, messages) = run("", &recs);
    assert_eq!(
        messages,
        [
            "new rule: case EARLIEST due 2026-01-23T23:59:59.999999999+00:00",
            "new rule: case LOGGED-LATE due 2026-01-23T23:59:59.999999999+00:00",
        ]
    );
}

#[test]
fn versions_naming_different_dates_are_warned_of() {
    let text =
        policy("").replacen("within 15 business days\n    \n", "within 15 business days\n    version by receipt\n", 1);
    assert!(text.contains("version by receipt"));
    let engine = common::engine(&text);
    let codes: Vec<&str> = engine.warnings().iter().map(|d| d.code.as_ref()).collect();
    assert!(codes.contains(&"precept::rule::version-date-differs"), "{codes:?}");
}

#[test]
fn closings_with_nothing_open_are_warned_of_per_case() {
    // BEFORE is answered a day before it is received; AGAIN is answered twice; NEVER is answered
    // and never received. Each is one warning naming the case and the records; the obligations
    // are judged as if the stray closing were not there (BEFORE stays open: pending).
    let recs = [
        ("BEFORE", "answered", "2026-02-01T10:00:00Z", R),
        ("BEFORE", "received", "2026-02-02T10:00:00Z", R),
        ("BEFORE", "acknowledged", "2026-02-02T11:00:00Z", R),
        ("AGAIN", "received", "2026-02-02T10:00:00Z", R),
        ("AGAIN", "acknowledged", "2026-02-02T11:00:00Z", R),
        ("AGAIN", "answered", "2026-02-03T10:00:00Z", R),
        ("AGAIN", "answered", "2026-02-04T10:00:00Z", R),
        ("NEVER", "answered", "2026-02-05T10:00:00Z", R),
    ];
    let (outcome, messages) = run("", &recs);
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(outcome.pending, [("answered".to_string(), 1)]);
    insta::assert_snapshot!(common::rendered(&outcome.diagnostics));
}

#[test]
fn many_closings_with_nothing_open_are_counted_after_the_first_twenty() {
    let recs: Vec<(String, &str, &str, &str)> =
        (0..25).map(|i| (format!("S{i:02}"), "answered", "2026-02-05T10:00:00Z", R)).collect();
    let recs: Vec<(&str, &str, &str, &str)> = recs.iter().map(|r| (r.0.as_str(), r.1, r.2, r.3)).collect();
    let (outcome, _) = run("", &recs);
    assert_eq!(outcome.diagnostics.len(), 21);
    assert_eq!(
        outcome
            .diagnostics
            .iter()
            .filter(|d| d.message == "5 more closings with nothing open in cases of rule `answered`")
            .count(),
        1
    );
}

#[test]
fn case_clauses_outside_case_rules_are_refused() {
    for (clause, word) in
        [("version by receipt", "`version by`"), ("by record.at", "`by`"), ("within record.n days", "`within`")]
    {
        let policy = format!(
            "schema s {{\n  identified by id\n  id: text\n  at: datetime\n  n: integer\n}}\ncode \"C\" {{\n  level industry\n  rule r {{ for s require record.n > 0 {clause} }}\n}}\n"
        );
        let Err(diags) = precept::Engine::from_sources([("p.precept", policy.as_str())]) else {
            panic!("`{clause}` outside a case rule was accepted")
        };
        assert!(
            diags.iter().any(|d| d.code == "precept::parse::missing-clause" && d.message.starts_with(word)),
            "{clause}: {}",
            common::rendered(&diags)
        );
    }
}
