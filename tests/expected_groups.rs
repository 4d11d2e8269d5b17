//! Presence rules that name the groups they expect (`for each team in "a", "b"` / `in roles`): a
//! group with no record at all is reported for every period of the range; the range is the whole
//! data's or the one written. And the records group findings show: those that count against the
//! comparison that failed, for each kind of aggregate. A property test compares the missing
//! (group, period) pairs with a small independent model.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use precept::pipeline::Finding;
use proptest::prelude::*;

const SCHEMA: &str = r#"
schema briefing {
  identified by id
  id: text
  team: text
  region: text
  held_at: date
}
"#;

fn policy(rules: &str) -> String {
    format!("{SCHEMA}\ncode \"House\" {{\n  level organisational\n{rules}\n}}\n")
}

fn line(id: &str, team: Option<&str>, day: &str) -> String {
    let team = team.map(|t| format!(", \"team\": \"{t}\"")).unwrap_or_default();
    format!("{{\"id\": \"{id}\"{team}, \"region\": \"North\", \"held_at\": \"{day}\"}}")
}

fn fact<'a>(f: &'a Finding, name: &str) -> Option<&'a str> {
    f.evidence.iter().find_map(|e| e.facts.iter().find(|(k, _)| *k == name)).map(|(_, v)| v.as_str())
}

/// (key as shown, missing period) of each finding, in report order.
fn missing(findings: &[Finding]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| {
            let key =
                f.group.as_ref().unwrap().key.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
            (key, fact(f, "missing").unwrap_or("-").to_string())
        })
        .collect()
}

/// The findings on `records` (one file, possibly empty: an empty file is reported as having no
/// records, and the rules still judge what they can).
fn check(policy: &str, records: &str) -> Vec<Finding> {
    let engine = common::engine(policy);
    let (outcome, findings) = common::check(&engine, &[("b.jsonl", records)]);
    let empty = ["precept::input::no-records", "precept::input::empty-file"];
    let other = outcome.diagnostics.iter().filter(|d| !(records.is_empty() && empty.contains(&d.code.as_ref())));
    assert_eq!(other.count(), 0, "{:#?}", outcome.diagnostics);
    findings
}

const WEEKLY: &str = r#"
  rule weekly {
    for briefing
    group by record.team
    expect every week of record.held_at for each team in "Alpha", "Beta", "Gamma"
    message "team {group.team} held no briefing in the week of {group.period}"
  }
"#;

#[test]
fn a_listed_group_with_no_record_is_reported_for_every_period_of_the_whole_datas_range() {
    // Alpha holds the first two weeks, Beta only the third; Gamma holds none. The range is the
    // whole data's (weeks 10 to 12), not each group's own.
    let records = [
        line("1", Some("Alpha"), "2026-03-02"),
        line("2", Some("Alpha"), "2026-03-09"),
        line("3", Some("Beta"), "2026-03-16"),
    ]
    .join("\n");
    let findings = check(&policy(WEEKLY), &records);
    let got = missing(&findings);
    let want: Vec<(String, String)> = [
        ("team=Alpha", "2026-W12"),
        ("team=Beta", "2026-W10"),
        ("team=Beta", "2026-W11"),
        ("team=Gamma", "2026-W10"),
        ("team=Gamma", "2026-W11"),
        ("team=Gamma", "2026-W12"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    let gamma = findings.iter().find(|f| f.message.contains("Gamma")).unwrap();
    assert_eq!(gamma.message, "team Gamma held no briefing in the week of 2026-W10");
    assert_eq!(fact(gamma, "expected_by"), Some("rule"));
    assert_eq!(fact(gamma, "records"), Some("0"));
    assert!(gamma.group.as_ref().unwrap().samples.is_empty());
    // A group with records says how many it has, and is not marked as expected.
    let alpha = &findings[0];
    assert_eq!(fact(alpha, "expected_by"), None);
    assert_eq!(fact(alpha, "records"), Some("2"));
}

#[test]
fn other_groups_records_widen_the_range_and_an_explicit_range_is_kept() {
    // Other's record is not of a listed team, but its week is part of the data: Alpha misses
    // week 11 because of it.
    let by_team = r#"
  rule by-team {
    for briefing
    group by record.team
    expect every week of record.held_at for each team in "Alpha"
  }
  rule fixed {
    for briefing
    group by record.team
    expect every month of record.held_at for each team in "Alpha", "Zeta" from 2026-01-01 until 2026-04-30
  }
"#;
    let records = [line("1", Some("Alpha"), "2026-03-02"), line("2", Some("Other"), "2026-03-10")].join("\n");
    let findings = check(&policy(by_team), &records);
    let got: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            let (k, m) = missing(std::slice::from_ref(f)).remove(0);
            (f.rule_id().to_string(), k, m)
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("by-team", "team=Alpha", "2026-W11"),
        ("by-team", "team=Other", "2026-W10"),
        ("fixed", "team=Alpha", "2026-01"),
        ("fixed", "team=Alpha", "2026-02"),
        ("fixed", "team=Alpha", "2026-04"),
        ("fixed", "team=Other", "2026-01"),
        ("fixed", "team=Other", "2026-02"),
        ("fixed", "team=Other", "2026-04"),
        ("fixed", "team=Zeta", "2026-01"),
        ("fixed", "team=Zeta", "2026-02"),
        ("fixed", "team=Zeta", "2026-03"),
        ("fixed", "team=Zeta", "2026-04"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn with_a_key_of_several_parts_an_absent_team_is_shown_by_its_team_alone() {
    let rules = r#"
  rule by-region {
    for briefing
    group by record.region, record.team
    expect every day of record.held_at for each team in "Alpha", "Beta" from 2026-03-02 until 2026-03-03
    message "{group.team} in {group.region} missed {group.period}"
  }
"#;
    let records = line("1", Some("Alpha"), "2026-03-02");
    let findings = check(&policy(rules), &records);
    let got = missing(&findings);
    assert_eq!(
        got,
        [
            ("region=North,team=Alpha".to_string(), "2026-03-03".to_string()),
            ("team=Beta".to_string(), "2026-03-02".to_string()),
            ("team=Beta".to_string(), "2026-03-03".to_string()),
        ]
    );
    // The region of an absent team has no value: it reads as missing in the message.
    assert!(findings[1].message.starts_with("Beta in "), "{}", findings[1].message);
}

#[test]
fn an_absent_group_across_ten_thousand_periods_is_bounded_like_any_long_gap() {
    let rules = r#"
  rule daily {
    for briefing
    group by record.team
    expect every day of record.held_at for each team in "Alpha", "Ghost" from 2000-01-01 until 2027-12-31
  }
"#;
    let records = [line("1", Some("Alpha"), "2026-03-02")].join("\n");
    let findings = check(&policy(rules), &records);
    let ghost: Vec<&Finding> =
        findings.iter().filter(|f| missing(std::slice::from_ref(f))[0].0 == "team=Ghost").collect();
    assert_eq!(ghost.len(), precept::engine::group::MAX_MISSING_SHOWN);
    let days = 10_227; // 2000-01-01 to 2027-12-31, both included.
    let more = fact(ghost.last().unwrap(), "more_missing").unwrap();
    assert_eq!(more.parse::<usize>().unwrap(), days - precept::engine::group::MAX_MISSING_SHOWN);
    assert_eq!(fact(ghost[0], "missing"), Some("2000-01-01"));
}

#[test]
fn an_absent_group_is_judged_on_presence_only_and_minimum_does_not_leave_it_out() {
    let rules = r#"
  rule daily {
    for briefing
    group by record.team
    minimum 2 records
    expect every day of record.held_at for each team in "Alpha", "Beta" from 2026-03-02 until 2026-03-02
    require count() >= 5
  }
"#;
    let records = [line("1", Some("Alpha"), "2026-03-02"), line("2", Some("Alpha"), "2026-03-02")].join("\n");
    let findings = check(&policy(rules), &records);
    // Alpha breaks `require count() >= 5`; Beta, with no record, misses the one day, and is not
    // judged by the `require` (nothing to count) nor left out by `minimum`.
    let got = missing(&findings);
    assert_eq!(got, [("team=Alpha".to_string(), "-".to_string()), ("team=Beta".to_string(), "2026-03-02".to_string())]);
    assert!(findings[0].evidence[0].summary.starts_with("count(): 2 records"), "{:#?}", findings[0].evidence);
}

const ORG: &str = r#"
[[role]]
id = "agent"
title = "Agent"

[[staff]]
id = "a"
name = "A"
team = "Alpha"
employed = { from = 2020-01-01 }
roles = [{ role = "agent", from = 2020-01-01 }]

[[staff]]
id = "b"
name = "B"
team = "Beta"
employed = { from = 2020-01-01, until = 2026-03-03 }
roles = [{ role = "agent", from = 2020-01-01, until = 2026-03-03 }]

[[staff]]
id = "c"
name = "C"
team = "Gone"
employed = { from = 2020-01-01, until = 2025-12-31 }
roles = [{ role = "agent", from = 2020-01-01, until = 2025-12-31 }]

[[staff]]
id = "d"
name = "D"
team = "Later"
employed = { from = 2026-04-01 }
roles = [{ role = "agent", from = 2026-04-01 }]

[[staff]]
id = "e"
name = "E"
employed = { from = 2020-01-01 }
roles = [{ role = "agent", from = 2020-01-01 }]
"#;

const FROM_ROLES: &str = r#"
  rule from-roles {
    for briefing
    group by record.team
    expect every day of record.held_at for each team in roles from 2026-03-02 until 2026-03-04
    message "team {group.team} missed {group.period}"
  }
"#;

#[test]
fn the_teams_of_the_role_files_are_those_with_staff_employed_in_the_range() {
    let engine = common::engine(&policy(FROM_ROLES)).with_roles([("staff.toml", ORG)]);
    assert!(engine.input_problems().is_empty(), "{:#?}", engine.input_problems());
    let records = [line("1", Some("Alpha"), "2026-03-02"), line("2", Some("Alpha"), "2026-03-03")].join("\n");
    let (outcome, findings) = common::check(&engine, &[("b.jsonl", records.as_str())]);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    // Beta's last member left on 3 March, inside the range: expected (every day of it). Gone left
    // before it and Later joins after it: not expected. A member with no team names none.
    let got = missing(&findings);
    let want: Vec<(String, String)> = [
        ("team=Alpha", "2026-03-04"),
        ("team=Beta", "2026-03-02"),
        ("team=Beta", "2026-03-03"),
        ("team=Beta", "2026-03-04"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(fact(&findings[1], "expected_by"), Some("roles"));
}

#[test]
fn without_role_files_a_rule_expecting_their_teams_is_not_run_and_says_so() {
    let engine = common::engine(&policy(FROM_ROLES));
    assert_eq!(engine.catalogue().skipped, ["from-roles"]);
    let records = line("1", Some("Alpha"), "2026-03-02");
    let (outcome, findings) = common::check(&engine, &[("b.jsonl", records.as_str())]);
    assert!(findings.is_empty(), "{findings:#?}");
    let codes: Vec<String> = outcome.diagnostics.iter().map(|d| d.code.to_string()).collect();
    assert_eq!(codes, ["precept::usage::no-roles"]);
    insta::assert_snapshot!("expected_groups_no_roles", common::rendered(&outcome.diagnostics));
}

// ---- Item 9: the records a group finding shows count against the comparison that failed. ----

const TICKETS: &str = r#"
schema ticket {
  identified by id
  id: text
  team: text
  ok: boolean
  wait: integer?
}
"#;

/// The ids of the records shown with the first finding of rule `rule` over `records`, each
/// `(id, ok, wait)`, all in team T.
fn shown(require: &str, records: &[(&str, bool, Option<i64>)]) -> Vec<String> {
    let policy = format!(
        "{TICKETS}\ncode \"C\" {{\n  level organisational\n  rule g {{ for ticket group by record.team require {require} }}\n}}\n"
    );
    let lines: Vec<String> = records
        .iter()
        .map(|(id, ok, wait)| {
            let wait = wait.map(|w| format!(", \"wait\": {w}")).unwrap_or_default();
            format!("{{\"id\": \"{id}\", \"team\": \"T\", \"ok\": {ok}{wait}}}")
        })
        .collect();
    let engine = common::engine(&policy);
    let (_, findings) = common::check(&engine, &[("t.jsonl", lines.join("\n").as_str())]);
    assert_eq!(findings.len(), 1, "{require}: {findings:#?}");
    findings[0].group.as_ref().unwrap().samples.iter().map(|s| s.record.clone().unwrap()).collect()
}

const SIX: &[(&str, bool, Option<i64>)] = &[
    ("r1", true, Some(5)),
    ("r2", false, Some(50)),
    ("r3", true, None),
    ("r4", false, Some(1)),
    ("r5", false, Some(50)),
    ("r6", true, Some(70)),
];

#[test]
fn shares_and_counts_show_the_records_on_the_wrong_side_of_their_condition() {
    assert_eq!(shown("share(record.ok) >= 70%", SIX), ["r2", "r4", "r5"]);
    assert_eq!(shown("share(record.ok) > 90%", SIX), ["r2", "r4", "r5"]);
    assert_eq!(shown("share(record.ok) <= 10%", SIX), ["r1", "r3", "r6"]);
    assert_eq!(shown("count(record.ok) <= 1", SIX), ["r1", "r3", "r6"]);
    assert_eq!(shown("count(record.ok) >= 4", SIX), ["r2", "r4", "r5"]);
    // Under `not`, the comparison must fail: the other side counts against it.
    assert_eq!(shown("not (share(record.ok) < 70%)", SIX), ["r2", "r4", "r5"]);
    // Of two comparisons, the one that failed decides.
    assert_eq!(shown("count(record.ok) >= 1 and share(record.ok) <= 10%", SIX), ["r1", "r3", "r6"]);
    assert_eq!(shown("share(record.ok) <= 90% and count(record.ok) >= 4", SIX), ["r2", "r4", "r5"]);
    // Only the records that count against it, however few.
    let one = &[("a", true, None), ("b", false, None), ("c", true, None), ("d", true, None), ("e", true, None)];
    assert_eq!(shown("share(record.ok) >= 90%", one), ["b"]);
}

#[test]
fn values_show_the_worst_records_worst_first_and_the_earlier_among_equals() {
    assert_eq!(shown("(avg(record.wait) otherwise 0) <= 10", SIX), ["r6", "r2", "r5"]);
    assert_eq!(shown("(max(record.wait) otherwise 0) <= 10", SIX), ["r6", "r2", "r5"]);
    assert_eq!(shown("sum(record.wait) <= 10", SIX), ["r6", "r2", "r5"]);
    assert_eq!(shown("(percentile(record.wait, 90) otherwise 0) <= 10", SIX), ["r6", "r2", "r5"]);
    assert_eq!(shown("(min(record.wait) otherwise 0) >= 10", SIX), ["r4", "r1", "r2"]);
    assert_eq!(shown("(avg(record.wait) otherwise 0) >= 100", SIX), ["r4", "r1", "r2"]);
    assert_eq!(shown("sum(record.wait) >= 1000", SIX), ["r4", "r1", "r2"]);
    // The aggregate on the right of the comparison goes the other way.
    assert_eq!(shown("10 >= (max(record.wait) otherwise 0)", SIX), ["r6", "r2", "r5"]);
}

#[test]
fn where_no_record_counts_against_it_the_groups_first_records_are_shown() {
    assert_eq!(shown("count() >= 10", SIX), ["r1", "r2", "r3"]);
    assert_eq!(shown("count(record.ok) == 1", SIX), ["r1", "r2", "r3"]);
}

#[test]
fn the_records_shown_do_not_depend_on_the_order_of_equal_values_or_the_thread_count() {
    // Many records, ties at the worst value: the first three read are shown, whatever the threads.
    let mut many = Vec::new();
    for i in 0..500 {
        let wait = if i % 7 == 3 { 99 } else { i % 50 };
        many.push(format!("{{\"id\": \"r{i}\", \"team\": \"T\", \"ok\": {}, \"wait\": {wait}}}", i % 3 == 0));
    }
    let policy = format!(
        "{TICKETS}\ncode \"C\" {{\n  level organisational\n  rule g {{ for ticket group by record.team require (max(record.wait) otherwise 0) <= 10 }}\n  rule s {{ for ticket group by record.team require share(record.ok) >= 90% }}\n}}\n"
    );
    let text = many.join("\n");
    let engine = common::engine(&policy);
    let (_, findings) = common::check(&engine, &[("t.jsonl", text.as_str())]);
    let samples: Vec<Vec<String>> = findings
        .iter()
        .map(|f| f.group.as_ref().unwrap().samples.iter().map(|s| s.record.clone().unwrap()).collect())
        .collect();
    assert_eq!(samples, [vec!["r3", "r10", "r17"], vec!["r1", "r2", "r4"]]);
    // The command line, with one thread and with three, in a folder of its own.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("p")).unwrap();
    std::fs::write(dir.path().join("p/p.precept"), &policy).unwrap();
    std::fs::write(dir.path().join("t.jsonl"), &text).unwrap();
    let reports: Vec<String> = ["1", "3"]
        .iter()
        .map(|n| {
            let args = ["check", "--no-config", "--policies", "p", "t.jsonl", "--format", "json", "--threads", n];
            common::precept_in(dir.path(), &args).stdout
        })
        .collect();
    assert!(reports[0].contains("\"r17\""), "{}", reports[0]);
    assert_eq!(reports[0], reports[1]);
}

// ---- The property: missing (group, period) pairs against an independent model. ----

const TEAMS: &[&str] = &["A", "B", "C", "D"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn missing_periods_agree_with_a_model_of_groups_times_periods(
        records in proptest::collection::vec((0usize..4, 0i16..20), 0..25),
        expected in proptest::collection::vec(0usize..4, 0..4),
        range in proptest::option::of((0i16..10, 10i16..25)),
    ) {
        let day = |d: i16| jiff::civil::date(2026, 3, 1).checked_add(jiff::Span::new().days(d)).unwrap();
        let listed: Vec<&str> = {
            let mut v: Vec<&str> = Vec::new();
            for e in &expected {
                if !v.contains(&TEAMS[*e]) {
                    v.push(TEAMS[*e]);
                }
            }
            v
        };
        let for_each = if listed.is_empty() {
            String::new()
        } else {
            format!(" for each team in {}", listed.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", "))
        };
        let written = range.map(|(a, b)| format!(" from {} until {}", day(a), day(b))).unwrap_or_default();
        let rules = format!("  rule p {{ for briefing group by record.team expect every day of record.held_at{for_each}{written} }}");
        let lines: Vec<String> =
            records.iter().enumerate().map(|(i, (t, d))| line(&format!("r{i}"), Some(TEAMS[*t]), &day(*d).to_string())).collect();
        let findings = check(&policy(&rules), &lines.join("\n"));
        let got: BTreeSet<(String, String)> = missing(&findings).into_iter().collect();
        prop_assert_eq!(got.len(), findings.len(), "a (group, period) reported twice");

        // The model: groups are the teams with records and those listed; periods are the days of
        // the range written, else from the first to the last record's day; a pair is missing when
        // no record of the team falls on the day.
        let had: BTreeSet<(usize, i16)> = records.iter().copied().collect();
        let span = match range {
            Some(r) => Some(r),
            None => records.iter().map(|r| r.1).min().zip(records.iter().map(|r| r.1).max()),
        };
        let mut want = BTreeSet::new();
        if let Some((a, b)) = span {
            for (ti, t) in TEAMS.iter().enumerate() {
                let in_data = records.iter().any(|r| r.0 == ti);
                if !in_data && !listed.contains(t) {
                    continue;
                }
                for d in a..=b {
                    if !had.contains(&(ti, d)) {
                        want.insert((format!("team={t}"), day(d).to_string()));
                    }
                }
            }
        }
        prop_assert_eq!(got, want);
    }
}

// ---- Reports: the fixture `fixtures/expected-groups` in every format. ----

fn fixture_run(format: &str) -> common::Run {
    let fixture = common::root().join("fixtures/expected-groups");
    let args = ["check", "--no-config", "--policies", "policies", "--roles", "org", "records", "--format", format];
    common::precept_in(&fixture, &args)
}

#[test]
fn every_report_format_counts_and_shows_the_findings_of_absent_groups() {
    let fixture = common::root().join("fixtures/expected-groups");
    let before = common::tree_checksum(&fixture);
    let human = fixture_run("human");
    assert_eq!(human.code, 1, "{}", human.snapshot());
    assert!(human.stdout.contains("6 findings (1 error, 5 warning, 0 info)"), "{}", human.stdout);
    insta::assert_snapshot!("expected_groups_human", human.snapshot());

    let json = fixture_run("json");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 6);
    assert_eq!(doc["summary"]["findings"], 6, "{}", doc["summary"]);
    let absent: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["evidence"].as_array().unwrap().iter().any(|e| e["facts"]["expected_by"].is_string()))
        .collect();
    assert_eq!(absent.len(), 4, "three weeks and one month of Click and Collect");
    insta::assert_snapshot!("expected_groups_json", json.stdout);

    let sarif = fixture_run("sarif");
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let prints: BTreeSet<&str> =
        results.iter().map(|r| r["partialFingerprints"]["precept/v1"].as_str().unwrap()).collect();
    assert_eq!(prints.len(), 6, "each missing period of an absent group has its own fingerprint");
    insta::assert_snapshot!("expected_groups_sarif", sarif.stdout);

    let junit = fixture_run("junit");
    // The error fails its test case; the warnings are listed in the suite's output.
    assert_eq!(junit.stdout.matches("<failure").count(), 1, "{}", junit.stdout);
    assert_eq!(junit.stdout.matches(": warning group team ").count(), 5, "{}", junit.stdout);
    insta::assert_snapshot!("expected_groups_junit", junit.stdout);

    let github = fixture_run("github");
    assert_eq!(github.stdout.lines().filter(|l| l.starts_with("::")).count(), 6, "{}", github.stdout);
    insta::assert_snapshot!("expected_groups_github", github.stdout);
    assert_eq!(common::tree_checksum(&fixture), before, "a fixture file changed");
}
