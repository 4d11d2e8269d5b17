//! Rules over groups, presence rules, case rules and layered codes, end to end on small inline
//! policies and records: the figures, the periods, the deadlines and the overrides.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use precept::pipeline::{Finding, Outcome};

const CALENDAR: &str = r#"
calendar uk {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2026-04-03, 2026-04-06
}
"#;

/// Check `records` (file name, text) against `policy`, both in memory; the policy must load
/// without diagnostics.
fn run(policy: &str, records: &[(&str, &str)]) -> (Outcome, Vec<Finding>) {
    let engine = common::engine(&format!("{CALENDAR}\n{policy}"));
    // The shared schemas declare fields some tests do not read.
    let diags = engine.warnings();
    assert!(diags.iter().all(|d| d.code == "precept::type::unused-field"), "{diags:#?}");
    let (outcome, findings) = common::check(&engine, records);
    // A closing with nothing open is a warning of its own, which the test that has one checks.
    let unexpected = outcome.diagnostics.iter().filter(|d| d.code != "precept::case::close-before-open");
    assert!(unexpected.count() == 0, "{:#?}", outcome.diagnostics);
    (outcome, findings)
}

fn fact<'a>(f: &'a Finding, name: &str) -> &'a str {
    f.evidence.iter().find_map(|e| e.facts.iter().find(|(k, _)| *k == name)).map_or("", |(_, v)| v.as_str())
}

const TICKETS: &str = r#"
schema ticket {
  identified by id
  id: text
  team: text
  opened_at: datetime
  wait: duration?
  refund: money GBP?
  escalated: boolean
}
"#;

fn tickets() -> String {
    let mut out = String::new();
    // Team A: waits 10..=100 minutes, refunds on even tickets, 3 of 10 escalated.
    for i in 1..=10 {
        let refund = if i % 2 == 0 { format!(r#", "refund": "{}.50 GBP""#, i) } else { String::new() };
        out.push_str(&format!(
            r#"{{"id": "A-{i}", "team": "A", "opened_at": "2026-02-{:02}T10:00:00Z", "wait": "{}m"{refund}, "escalated": {}}}"#,
            i + 1,
            i * 10,
            i <= 3
        ));
        out.push('\n');
    }
    // Team B: two tickets only, both escalated, no waits recorded.
    for i in 1..=2 {
        out.push_str(&format!(
            r#"{{"id": "B-{i}", "team": "B", "opened_at": "2026-02-0{i}T10:00:00Z", "escalated": true}}"#
        ));
        out.push('\n');
    }
    out
}

#[test]
fn aggregates_are_exact_and_small_groups_are_not_judged() {
    let policy = format!(
        r#"{TICKETS}
code "House rules" {{
  level organisational
  rule figures {{
    for ticket
    group by record.team
    minimum 5 records
    require share(record.escalated) <= 20%
    require sum(record.refund otherwise 0.00 GBP) <= 10.00 GBP
    require avg(record.wait) is present and avg(record.wait) <= 30m
    require (percentile(record.wait, 90) otherwise 0m) <= 60m
    require max(record.wait) is present and max(record.wait) < 100m
    require min(record.opened_at) > 2026-02-02T00:00:00Z
    message "team {{group.team}}: {{share(record.escalated)}} escalated of {{count()}}"
  }}
}}
"#
    );
    let (_, findings) = run(&policy, &[("t.jsonl", &tickets())]);
    // Team B has two tickets: below the minimum, never judged. Team A breaks the first require.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.message, "team A: 30% escalated of 10");
    assert_eq!(fact(f, "numerator"), "3");
    assert_eq!(fact(f, "denominator"), "10");
    assert_eq!(fact(f, "rate"), "30%");
    assert_eq!(f.group.as_ref().unwrap().key, vec![("team".to_string(), "A".to_string())]);
    // The samples count against `share(...) <= 20%`: records the condition held for.
    let samples: Vec<_> = f.group.as_ref().unwrap().samples.iter().map(|s| s.record.clone().unwrap()).collect();
    assert_eq!(samples, ["A-1", "A-2", "A-3"]);

    // Each later requirement, on its own, with the figure it is judged on.
    for (require, figure) in [
        ("sum(record.refund otherwise 0.00 GBP) <= 10.00 GBP", "32.50 GBP"),
        ("avg(record.wait) is present and avg(record.wait) <= 30m", "55m"),
        ("(percentile(record.wait, 90) otherwise 0m) <= 60m", "1h 30m"),
        ("max(record.wait) is present and max(record.wait) < 100m", "1h 40m"),
    ] {
        let policy = format!(
            r#"{TICKETS}
code "House rules" {{
  level organisational
  rule figures {{
    for ticket
    group by record.team
    minimum 5 records
    require {require}
  }}
}}
"#
        );
        let (_, findings) = run(&policy, &[("t.jsonl", &tickets())]);
        assert_eq!(findings.len(), 1, "{require}: {findings:#?}");
        assert_eq!(fact(&findings[0], "value"), figure, "{require}");
    }
}

/// The nearest rank is counted exactly whatever the places of `p`: 9 times 88.888...889% is 8
/// and a little over, so the rank is the 9th value. (In 28-digit decimals the product was rounded
/// to 8 and the 8th value taken.)
#[test]
fn a_percentile_rank_just_past_a_whole_number_takes_the_next_value() {
    let policy = format!(
        r#"{TICKETS}
code "House rules" {{
  level organisational
  rule slowest {{
    for ticket
    group by record.team
    require (percentile(record.wait, 88.88888888888888888888888889) otherwise 0m) <= 8m
  }}
}}
"#
    );
    let records: String = (1..=9)
        .map(|i| format!(r#"{{"id": "C-{i}", "team": "C", "opened_at": "2026-02-02T10:00:00Z", "wait": "{i}m", "escalated": false}}"#) + "\n")
        .collect();
    let (_, findings) = run(&policy, &[("t.jsonl", &records)]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(fact(&findings[0], "value"), "9m");
}

#[test]
fn groups_are_reported_in_key_order_whatever_the_file_order() {
    let policy = format!(
        r#"{TICKETS}
code "House rules" {{
  level organisational
  rule busy {{
    for ticket
    group by record.team, month(record.opened_at)
    require count() < 1
  }}
}}
"#
    );
    let a = r#"{"id": "1", "team": "Zeta", "opened_at": "2026-03-01T10:00:00Z", "escalated": false}
{"id": "2", "team": "Alpha", "opened_at": "2026-03-01T10:00:00Z", "escalated": false}"#;
    let b = r#"{"id": "3", "team": "Alpha", "opened_at": "2026-01-31T23:30:00-01:00", "escalated": false}"#;
    let (_, findings) = run(&policy, &[("a.jsonl", a), ("b.jsonl", b)]);
    let keys: Vec<String> = findings.iter().map(|f| f.record_id.clone().unwrap()).collect();
    // 23:30 at -01:00 on 31 January is 00:30 on 1 February in London, the zone of the code's calendar:
    // the month is the one the business saw, February (tests/local_days.rs has the rule without a
    // calendar, where the month is the one written).
    assert_eq!(keys, ["team Alpha, month 2026-02", "team Alpha, month 2026-03", "team Zeta, month 2026-03"]);
}

#[test]
fn presence_counts_business_days_weeks_and_explicit_ranges() {
    let policy = r#"
schema briefing {
  identified by id
  id: text
  team: text
  held_at: datetime
}
code "House rules" {
  level organisational
  rule daily {
    for briefing
    group by record.team
    expect every business day of record.held_at
    message "{group.team} missed {group.period}"
  }
  rule weekly {
    for briefing
    group by record.team
    expect every week of record.held_at from 2026-03-30 until 2026-04-19
    message "{group.team} missed the week of {group.period}"
  }
}
"#;
    // Thursday 2 April, then Tuesday 7 April (Good Friday and Easter Monday are holidays), then
    // Thursday 9 and Saturday 11 April: Wednesday 8 and Friday 10 April are missing (the Saturday
    // does not stand in for them), and of the three weeks asked for, the week from 13 April.
    let records = r#"{"id": "1", "team": "T", "held_at": "2026-04-02T08:30:00+01:00"}
{"id": "2", "team": "T", "held_at": "2026-04-07T08:30:00+01:00"}
{"id": "3", "team": "T", "held_at": "2026-04-11T08:30:00+01:00"}
{"id": "4", "team": "T", "held_at": "2026-04-09T08:30:00+01:00"}"#;
    let (_, findings) = run(policy, &[("b.jsonl", records)]);
    let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.rule_id(), f.message.as_str())).collect();
    assert_eq!(
        got,
        [
            ("daily", "T missed 2026-04-08"),
            ("daily", "T missed 2026-04-10"),
            ("weekly", "T missed the week of 2026-W16")
        ],
        "{findings:#?}"
    );
}

const EVENTS: &str = r#"
schema event {
  identified by id
  id: text
  case: text
  status: enum { received, waiting, replied, answered }
  at: datetime
}
"#;

fn case_policy(within: &str) -> String {
    format!(
        r#"{EVENTS}
code "House rules" {{
  level organisational
  calendar uk
  rule answered {{
    for event
    case by record.case
    opens when record.status == received at record.at
    pauses when record.status == waiting at record.at
    resumes when record.status == replied at record.at
    closes when record.status == answered at record.at
    within {within}
    message "case {{group.case}} opened {{group.opened}} due {{group.deadline}}"
  }}
}}
"#
    )
}

#[test]
fn cases_pause_their_clock_and_open_ones_are_pending_until_due() {
    // Files in an order that is not time order; events of one case split across them.
    let late = r#"{"id": "1", "case": "LATE", "status": "answered", "at": "2026-03-20T10:00:00Z"}
{"id": "2", "case": "PAUSED", "status": "answered", "at": "2026-03-20T10:00:00Z"}
{"id": "3", "case": "END", "status": "received", "at": "2026-03-25T10:00:00Z"}"#;
    let early = r#"{"id": "4", "case": "LATE", "status": "received", "at": "2026-03-02T10:00:00Z"}
{"id": "5", "case": "PAUSED", "status": "received", "at": "2026-03-02T10:00:00Z"}
{"id": "6", "case": "PAUSED", "status": "waiting", "at": "2026-03-05T10:00:00Z"}
{"id": "7", "case": "PAUSED", "status": "replied", "at": "2026-03-12T10:00:00Z"}
{"id": "8", "case": "OVERDUE", "status": "received", "at": "2026-03-02T10:00:00Z"}
{"id": "9", "case": "STRAY", "status": "answered", "at": "2026-03-01T10:00:00Z"}"#;
    let (outcome, findings) = run(&case_policy("14 days"), &[("a.jsonl", late), ("b.jsonl", early)]);
    let got: Vec<(&str, &str, &str)> =
        findings.iter().map(|f| (f.record_id.as_deref().unwrap(), fact(f, "deadline"), fact(f, "late_by"))).collect();
    // LATE: due 16 March, answered 20 March. OVERDUE: due 16 March, open when the data ends (25
    // March). PAUSED waited a week, so it is due 23 March and answered in time. END is open but not
    // due until 8 April: pending. A close with nothing open (STRAY) judges nothing, and is a warning.
    assert_eq!(
        got,
        [("LATE", "2026-03-16T10:00:00+00:00", "4d"), ("OVERDUE", "2026-03-16T10:00:00+00:00", "9d")],
        "{findings:#?}"
    );
    assert_eq!(findings[0].subject.as_str(), "case");
    assert_eq!(findings[0].message, "case LATE opened 2026-03-02T10:00:00+00:00 due 2026-03-16T10:00:00+00:00");
    assert_eq!(outcome.pending, [("answered".to_string(), 1)]);
    let strays: Vec<&str> = outcome.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        strays,
        ["case STRAY of rule `answered` is closed at 2026-03-01T10:00:00+00:00 (b.jsonl line 6), but never opened"]
    );
}

#[test]
fn business_day_deadlines_skip_weekends_holidays_and_paused_days() {
    // Received Wednesday 1 April 2026 (British Summer Time): 3 business days skips Good Friday and
    // Easter Monday, so it is due at 17:00 on Wednesday 8 April. P waited on the customer from
    // Tuesday morning to Friday morning: the two working days wholly inside the pause (Wednesday
    // and Thursday) move its deadline to Friday 10 April. Q's pause from Tuesday 16:00 to
    // Wednesday 09:00 holds no whole working day, so it moves nothing.
    let records = r#"{"id": "1", "case": "C", "status": "received", "at": "2026-04-01T10:00:00+01:00"}
{"id": "2", "case": "C", "status": "answered", "at": "2026-04-08T17:30:00+01:00"}
{"id": "3", "case": "P", "status": "received", "at": "2026-04-01T10:00:00+01:00"}
{"id": "4", "case": "P", "status": "waiting", "at": "2026-04-07T10:00:00+01:00"}
{"id": "5", "case": "P", "status": "replied", "at": "2026-04-10T10:00:00+01:00"}
{"id": "6", "case": "P", "status": "answered", "at": "2026-04-10T16:00:00+01:00"}
{"id": "7", "case": "Q", "status": "received", "at": "2026-04-01T10:00:00+01:00"}
{"id": "8", "case": "Q", "status": "waiting", "at": "2026-04-07T16:00:00+01:00"}
{"id": "9", "case": "Q", "status": "replied", "at": "2026-04-08T09:00:00+01:00"}
{"id": "10", "case": "Q", "status": "answered", "at": "2026-04-08T17:30:00+01:00"}"#;
    let (_, findings) = run(&case_policy("3 business days"), &[("e.jsonl", records)]);
    let got: Vec<(&str, &str)> =
        findings.iter().map(|f| (f.record_id.as_deref().unwrap(), fact(f, "deadline"))).collect();
    assert_eq!(got, [("C", "2026-04-08T17:00:00+01:00"), ("Q", "2026-04-08T17:00:00+01:00")], "{findings:#?}");
}

#[test]
fn a_case_can_be_closed_by_records_of_another_schema() {
    let events_schema = EVENTS.replace("identified by id", "identified by id\n  files \"events/*.jsonl\"");
    let policy = format!(
        r#"{TICKETS}{events_schema}
code "House rules" {{
  level organisational
  rule logged {{
    for ticket where record.escalated == true
    case by record.id
    opens at record.opened_at
    closes on event when record.status == received at record.at case record.case
    within 1 day
  }}
}}
"#
    );
    let tickets = r#"{"id": "T1", "team": "A", "opened_at": "2026-02-02T10:00:00Z", "escalated": true}
{"id": "T2", "team": "A", "opened_at": "2026-02-02T10:00:00Z", "escalated": true}
{"id": "T3", "team": "A", "opened_at": "2026-02-02T10:00:00Z", "escalated": false}
{"id": "T4", "team": "A", "opened_at": "2026-02-02T10:00:00Z", "escalated": true}"#;
    let events = r#"{"id": "E1", "case": "T1", "status": "received", "at": "2026-02-02T12:00:00Z"}
{"id": "E2", "case": "T2", "status": "received", "at": "2026-02-04T12:00:00Z"}"#;
    let (_, findings) = run(&policy, &[("events/e.jsonl", events), ("t.jsonl", tickets)]);
    let got: Vec<&str> = findings.iter().map(|f| f.record_id.as_deref().unwrap()).collect();
    // T2 was logged two days later; T4 never (T3 is not escalated, so not in scope).
    assert_eq!(got, ["T2", "T4"], "{findings:#?}");
}

#[test]
fn an_override_judges_only_on_its_own_days() {
    let policy = format!(
        r#"{TICKETS}
code "Sector code" {{
  level industry
  rule few-escalations {{
    for ticket
    require record.escalated == false
    message "sector: {{record.id}}"
  }}
}}
code "House rules" {{
  level organisational
  extends "Sector code"
  rule few-escalations {{
    effective from 2026-02-05
    for ticket
    require record.escalated == false and record.id != "A-5"
    message "house: {{record.id}}"
  }}
}}
"#
    )
    .replace("schema ticket {\n  identified by id", "schema ticket {\n  identified by id\n  dated by opened_at");
    let (_, findings) = run(&policy, &[("t.jsonl", &tickets())]);
    let got: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    // Tickets opened before 5 February are judged by the sector code, the rest by the house rules.
    assert_eq!(
        got,
        ["sector: A-1", "sector: A-2", "sector: A-3", "house: A-5", "sector: B-1", "sector: B-2"],
        "{findings:#?}"
    );
}

#[test]
fn a_range_written_far_too_wide_is_summed_up_not_listed() {
    let policy = r#"
schema briefing {
  identified by id
  id: text
  team: text
  held_at: datetime
}
code "House rules" {
  level organisational
  rule daily {
    for briefing
    group by record.team
    expect every day of record.held_at from 1900-01-01 until 2099-12-31
  }
}
"#;
    let records = r#"{"id": "1", "team": "T", "held_at": "2026-04-02T08:30:00+01:00"}"#;
    // Two centuries of days, for many groups, would be slow to walk: past the listed ones, the
    // rest is counted.
    let started = std::time::Instant::now();
    let (_, findings) = run(policy, &[("b.jsonl", records)]);
    assert_eq!(findings.len(), precept::engine::group::MAX_MISSING_SHOWN);
    let last = findings.last().unwrap();
    assert_eq!(fact(last, "more_missing"), (73_049 - 1 - precept::engine::group::MAX_MISSING_SHOWN).to_string());
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
}

#[test]
fn a_case_is_judged_by_the_version_in_force_when_it_opened() {
    let parent = case_policy("14 days");
    let policy = format!(
        r#"{parent}
code "Stricter house rules" {{
  level organisational
  extends "House rules"
  rule answered {{
    effective from 2026-03-10
    for event
    case by record.case
    opens when record.status == received at record.at
    pauses when record.status == waiting at record.at
    resumes when record.status == replied at record.at
    closes when record.status == answered at record.at
    within 7 days
  }}
}}
"#
    )
    .replace("schema event {\n  identified by id", "schema event {\n  identified by id\n  dated by at");
    // OLD opened before the stricter rules and closed after them: judged by the 14 days in force
    // when it opened. NEW opened after: 7 days.
    let records = r#"{"id": "1", "case": "OLD", "status": "received", "at": "2026-03-02T10:00:00Z"}
{"id": "2", "case": "OLD", "status": "answered", "at": "2026-03-15T10:00:00Z"}
{"id": "3", "case": "NEW", "status": "received", "at": "2026-03-11T10:00:00Z"}
{"id": "4", "case": "NEW", "status": "answered", "at": "2026-03-20T10:00:00Z"}"#;
    let (_, findings) = run(&policy, &[("e.jsonl", records)]);
    let got: Vec<(&str, &str, &str)> =
        findings.iter().map(|f| (f.code_name(), f.record_id.as_deref().unwrap(), fact(f, "deadline"))).collect();
    assert_eq!(got, [("Stricter house rules", "NEW", "2026-03-18T10:00:00+00:00")], "{findings:#?}");
}

#[test]
fn rules_over_groups_of_staff_are_judged_on_the_role_files() {
    let engine = precept::Engine::from_sources([(
        "p.precept",
        r#"
code "House rules" {
  level organisational
  rule small-teams {
    for staff where record.team is present
    group by record.team
    require count() <= 2
    message "team {group.team} has {count()} staff"
  }
}
"#,
    )])
    .unwrap();
    assert!(engine.warnings().is_empty(), "{:#?}", engine.warnings());
    let (org, _, role_diags) = precept::workspace::load_org(&[precept_root().join("fixtures/org")]);
    assert!(role_diags.is_empty(), "{role_diags:#?}");
    // Only the role files are checked: no record is given, which is all a run may say.
    let run = engine.with_org(org.clone()).check([]);
    let codes: Vec<&str> = run.diagnostics.iter().map(|d| &*d.code).collect();
    assert_eq!(codes, ["precept::input::no-records"], "{:#?}", run.diagnostics);
    let findings = run.findings;
    // Count the teams with more than two staff straight from the model.
    let mut teams = std::collections::BTreeMap::new();
    for s in &org.staff {
        if let Some(t) = &s.team {
            *teams.entry(t.clone()).or_insert(0usize) += 1;
        }
    }
    let want: Vec<String> =
        teams.iter().filter(|(_, n)| **n > 2).map(|(t, n)| format!("team {t} has {n} staff")).collect();
    let got: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
    assert!(!want.is_empty(), "the bundled organisation has teams of more than two");
    assert_eq!(got, want);
    let samples = &findings[0].group.as_ref().unwrap().samples;
    assert!(samples.iter().all(|s| s.file.ends_with("staff.toml") && s.line > 0), "{samples:?}");
}

fn precept_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A whole-number default (or branch) of a decimal is a decimal: a group's key `(record.b
/// otherwise 0)` is one group for a missing `b` and a `b` of 0.0 (it was two, both shown `0`),
/// and a sum or average of `record.b otherwise 0` adds it (it had no answer, "overflow").
#[test]
fn a_whole_default_of_a_decimal_is_a_decimal_in_keys_and_totals() {
    let policy = r#"
schema row {
  identified by id
  id: text
  b: decimal?
  i: integer
}
code "Defaults" {
  level organisational
  rule by-default {
    title "t"
    for row
    group by (record.b otherwise 0) as b
    require count() > 9
    message "{group.b}: {count()}"
  }
  rule totals {
    title "t"
    for row
    group by record.i
    require count() > 9
    message "{sum(record.b otherwise 0)} {avg(record.b otherwise 1)} {sum(if record.b is present then record.b else 2)}"
  }
}
"#;
    let records = r#"{"id": "1", "b": "0.5", "i": 1}
{"id": "2", "i": 1}
{"id": "3", "b": "12.25", "i": 1}
{"id": "4", "b": "0.0", "i": 1}
"#;
    let (_, findings) = run(policy, &[("rows.jsonl", records)]);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["0: 2", "0.5: 1", "12.25: 1", "12.75 3.4375 14.75"], "{findings:#?}");
}
