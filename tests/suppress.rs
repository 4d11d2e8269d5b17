//! Waivers and baselines: what they cover, what they say in the reports, and that only active
//! findings fail a run. What waivers and baselines mean is checked through the library
//! (`precept::Engine`, everything in memory); the command line's flags, the baseline it writes and
//! the reports it writes to files, through the binary over a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::Path;

const POLICY: &str = r#"
schema ticket {
  identified by id
  staff by agent
  team by team
  id: text
  agent: text
  team: text
  waited: duration
}
code "House rules" {
  level organisational
  rule answered-quickly {
    for ticket
    require record.waited <= 5m
    message "ticket {record.id} waited {record.waited}"
  }
}
code "Pledge" {
  level ethical
  not waivable
  rule never-an-hour {
    severity warning
    for ticket
    require record.waited < 60m
    message "ticket {record.id} waited an hour or more"
  }
}
"#;

fn ticket(id: &str, agent: &str, team: &str, waited: &str) -> String {
    format!("{{\"id\": \"{id}\", \"agent\": \"{agent}\", \"team\": \"{team}\", \"waited\": \"{waited}\"}}\n")
}

/// The records as `records/tickets.jsonl` (as the command line shows them, run from the folder
/// holding `records`).
const RECORDS: &str = "records/tickets.jsonl";

/// An engine over the policy, with `waivers` (named `waivers.toml`) if given, judging waivers on
/// `as_of`.
fn engine(waivers: Option<&str>, as_of: &str) -> precept::Engine {
    let engine = common::engine(POLICY)
        .with_options(precept::Options { as_of: Some(as_of.parse().unwrap()), ..precept::Options::default() });
    match waivers {
        Some(w) => engine.with_waivers("waivers.toml", w),
        None => engine,
    }
}

/// Check `records` with `engine`: the run's status, its JSON report and its diagnostics as the
/// command line shows them.
fn json(engine: &precept::Engine, records: &str) -> (precept::Status, serde_json::Value, String) {
    let run = engine.check(common::records(&[(RECORDS, records)]));
    let doc = serde_json::from_str(&run.report("json", "2026-06-01T00:00:00").unwrap()).unwrap();
    (run.status(), doc, common::rendered(&run.diagnostics))
}

/// A folder with the policy in `policies/`, the records in `records/tickets.jsonl` and the waivers,
/// if any, in `waivers.toml`, for tests of the command line.
fn setup(records: &str, waivers: Option<&str>) -> tempfile::TempDir {
    // files on disk: these tests run the binary, which reads its inputs from files and writes its
    // baseline and reports to files.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/p.precept"), POLICY).unwrap();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/tickets.jsonl"), records).unwrap();
    if let Some(w) = waivers {
        std::fs::write(dir.path().join("waivers.toml"), w).unwrap();
    }
    dir
}

/// Run `precept check --format json` in `dir` (as of 2026-06-01 unless `extra` says).
fn cli_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["check", "--format", "json"];
    if !extra.contains(&"--as-of") {
        args.extend(["--as-of", "2026-06-01"]);
    }
    args.extend_from_slice(extra);
    args.push("records");
    let run = common::precept_in(dir, &args);
    let doc = serde_json::from_str(&run.stdout).unwrap_or(serde_json::Value::Null);
    (run.code, doc, run.stderr)
}

fn standings(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["record"].as_str().unwrap_or("").to_string(), f["standing"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_waiver_covers_what_it_names_and_the_finding_is_still_reported() {
    let records = ticket("T-1", "amara.okafor", "Returns", "10m")
        + &ticket("T-2", "ben.hughes", "Returns", "10m")
        + &ticket("T-3", "ben.hughes", "Delivery", "10m")
        + &ticket("T-4", "chloe.davies", "Delivery", "10m");
    let waivers = r#"
[[waiver]]
rule = "answered-quickly"
record = "T-1"
justification = "the phone system was down on the day"
approver = "Priya Sharma"
expires = 2026-12-31

[[waiver]]
rule = "answered-quickly"
staff = "ben.hughes"
team = "Delivery"
justification = "Ben covered the Delivery queue alone during the strike"
approver = "Priya Sharma"
expires = 2026-06-01

[[waiver]]
rule = "answered-quickly"
files = "records/*.csv"
justification = "the CSV export has no answer times"
approver = "Priya Sharma"
expires = 2026-12-31
"#;
    let engine = engine(Some(waivers), "2026-06-01");
    let (status, doc, stderr) = json(&engine, &records);
    assert_eq!(status, precept::Status::Findings, "T-2 and T-4 are not waived: {stderr}");
    assert_eq!(
        standings(&doc),
        [("T-1", "waived"), ("T-2", "active"), ("T-3", "waived"), ("T-4", "active")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let w = &doc["findings"][0]["waiver"];
    assert_eq!(w["justification"], "the phone system was down on the day");
    assert_eq!(w["approver"], "Priya Sharma");
    assert_eq!(w["expires"], "2026-12-31");
    assert_eq!(w["place"], "waivers.toml:2");
    assert_eq!(doc["summary"]["waived"], 2);
    assert_eq!(doc["summary"]["active"]["error"], 2);
    // The third waiver matches nothing: a warning, so it can be removed.
    let unused = &doc["diagnostics"][0];
    assert_eq!(
        (unused["code"].as_str(), unused["file"].as_str(), unused["line"].as_u64()),
        (Some("precept::waiver::unused"), Some("waivers.toml"), Some(17)),
        "{stderr}"
    );
    // The human report shows the waiver on the finding, and the count in the summary.
    let human = engine.check(common::records(&[(RECORDS, &records)])).report("human", "").unwrap();
    assert!(human.contains("record `T-1` (waived): ticket T-1 waited 10m"), "{human}");
    assert!(human.contains("waived until 2026-12-31 by Priya Sharma: the phone system"), "{human}");
    assert!(human.contains("; 2 waived (counted above, failing nothing)"), "{human}");
}

#[test]
fn only_active_findings_fail_a_run() {
    let engine = engine(
        Some("[[waiver]]\nrule = \"answered-quickly\"\njustification = \"agreed\"\napprover = \"P\"\nexpires = 2026-12-31\n"),
        "2026-06-01",
    );
    let (status, doc, _) = json(&engine, &ticket("T-1", "amara.okafor", "Returns", "10m"));
    assert_eq!(status, precept::Status::Clean);
    assert_eq!(standings(&doc), [("T-1".to_string(), "waived".to_string())]);
}

#[test]
fn an_expired_waiver_waives_nothing_and_is_a_finding_itself() {
    let waivers =
        "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"agreed\"\napprover = \"P\"\nexpires = 2026-05-31\n";
    let records = ticket("T-1", "amara.okafor", "Returns", "10m");
    let (status, doc, _) = json(&engine(Some(waivers), "2026-06-01"), &records);
    assert_eq!(status, precept::Status::Findings);
    let f = doc["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["standing"], "active");
    assert_eq!(f[1]["rule"], "expired-waiver");
    assert_eq!(f[1]["file"], "waivers.toml");
    assert_eq!(f[1]["line"], 1);
    assert!(f[1]["message"].as_str().unwrap().contains("expired on 2026-05-31"), "{}", f[1]);
    // The day it expires is still covered.
    let (status, _, _) = json(&engine(Some(waivers), "2026-05-31"), &records);
    assert_eq!(status, precept::Status::Clean);
}

#[test]
fn waivers_must_say_why_who_and_until_when_and_may_not_cover_unwaivable_rules() {
    let waivers = r#"
[[waiver]]
rule = "answered-quickly"
approver = "P"
expires = "2026-12-31"
reason = "typo for justification"

[[waiver]]
rule = "never-an-hour"
justification = "x"
approver = "P"
expires = 2026-12-31

[[waiver]]
rule = "answred-quickly"
justification = "x"
approver = "P"
expires = 2026-12-31
"#;
    let (status, _, stderr) = json(&engine(Some(waivers), "2026-06-01"), &ticket("T-1", "a", "b", "10m"));
    assert_eq!(status, precept::Status::Failed, "a bad waivers file is unusable input");
    for expected in [
        "precept::waiver::invalid",
        "precept::waiver::unknown-rule",
        "this waiver has no `justification`",
        "a waiver's `expires` must be a date",
        "unknown key `reason` in a waiver",
        "precept::waiver::not-waivable",
        "rule `never-an-hour` may not be waived: its code, `Pledge`, says so",
        "did you mean `answered-quickly`?",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}` in:\n{stderr}");
    }
}

#[test]
fn a_baseline_fails_only_new_findings_and_names_the_ones_gone() {
    let before = ticket("T-1", "a", "x", "10m") + &ticket("T-2", "b", "x", "10m") + &ticket("T-3", "c", "x", "1m");
    let dir = setup(&before, None);
    let write = common::precept_in(dir.path(), &["baseline", "--file", "known.json", "records"]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert_eq!(write.stdout, "wrote 2 findings to known.json\n");
    let text = std::fs::read_to_string(dir.path().join("known.json")).unwrap();
    assert!(text.starts_with("{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\":"), "{text}");
    // Same records: nothing new, exit 0, both reported as known.
    let (code, doc, stderr) = cli_json(dir.path(), &["--baseline", "known.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        standings(&doc),
        [("T-1", "baselined"), ("T-2", "baselined")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(doc["summary"]["baselined"], 2);
    // Lines move (a new record first), T-1 is fixed, T-3 now breaks the rule: only T-3 is new,
    // T-2 keeps its fingerprint, and T-1's entry is named as gone.
    let after = ticket("T-0", "z", "x", "2m")
        + &ticket("T-3", "c", "x", "9m")
        + &ticket("T-2", "b", "x", "10m")
        + &ticket("T-1", "a", "x", "3m");
    std::fs::write(dir.path().join("records/tickets.jsonl"), after).unwrap();
    let (code, doc, stderr) = cli_json(dir.path(), &["--baseline", "known.json"]);
    assert_eq!(code, 1);
    assert_eq!(standings(&doc), [("T-3", "active"), ("T-2", "baselined")].map(|(a, b)| (a.to_string(), b.to_string())));
    let stale = &doc["diagnostics"][0];
    assert_eq!(stale["code"], "precept::baseline::stale", "{stderr}");
    assert_eq!(
        stale["message"],
        "1 of the findings in the baseline `known.json` no longer occur: `answered-quickly` on T-1"
    );
    // SARIF marks new and unchanged results, and is still valid.
    let run = common::precept_in(dir.path(), &["check", "--baseline", "known.json", "--output", "sarif", "records"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let states: Vec<&str> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states, ["new", "unchanged"]);
}

#[test]
fn a_baseline_that_is_not_one_is_an_input_error() {
    let dir = setup(&ticket("T-1", "a", "x", "10m"), None);
    std::fs::write(dir.path().join("known.json"), "{\"version\": 1, \"findings\": [{\"rule\": \"x\"}]}").unwrap();
    let run = common::precept_in(dir.path(), &["check", "--baseline", "known.json", "records"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("precept::baseline::invalid") && run.stderr.contains("missing field `fingerprint`"),
        "{}",
        run.stderr
    );
    let nowhere = common::precept_in(dir.path(), &["check", "--baseline", "missing.json", "records"]);
    assert_eq!(nowhere.code, 2);
    assert!(nowhere.stderr.contains("cannot read `missing.json`"), "{}", nowhere.stderr);
    let bad_day = common::precept_in(dir.path(), &["check", "--as-of", "2026-13-01", "records"]);
    assert_eq!(bad_day.code, 2);
    assert!(bad_day.stderr.contains("precept::usage::as-of"), "{}", bad_day.stderr);
}

#[test]
fn waived_findings_are_marked_in_sarif_junit_and_left_out_of_annotations() {
    let dir = setup(&(ticket("T-1", "a", "x", "10m") + &ticket("T-2", "b", "x", "10m")), Some(
        "[[waiver]]\nrule = \"answered-quickly\"\nrecord = \"T-1\"\njustification = \"agreed\"\napprover = \"P\"\nexpires = 2026-12-31\n",
    ));
    let run = common::precept_in(
        dir.path(),
        &[
            "check",
            "--as-of",
            "2026-06-01",
            "--waivers",
            "waivers.toml",
            "--output",
            "sarif=r.sarif",
            "--output",
            "junit=r.xml",
            "--output",
            "github",
            "records",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("T-2"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.sarif")).unwrap()).unwrap();
    let s = &sarif["runs"][0]["results"][0]["suppressions"][0];
    assert_eq!(s["kind"], "external");
    assert_eq!(s["status"], "accepted");
    assert!(s["justification"].as_str().unwrap().starts_with("agreed (approved by P, until 2026-12-31"));
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(xml.contains("<failure message=\"1 finding\""), "{xml}");
    assert!(xml.contains("[waived until 2026-12-31: agreed]"), "{xml}");
}

#[test]
fn no_baseline_is_written_from_a_run_that_could_not_read_everything() {
    let dir = setup(&(ticket("T-1", "a", "x", "10m") + "{not json\n"), None);
    let run = common::precept_in(dir.path(), &["baseline", "--file", "known.json", "records"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::baseline::not-written"), "{}", run.stderr);
    assert!(!dir.path().join("known.json").exists());
}

#[test]
fn precepts_own_files_are_never_read_as_records() {
    let dir = setup(&ticket("T-1", "a", "x", "10m"), Some(
        "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"agreed\"\napprover = \"P\"\nexpires = 2099-12-31\n",
    ));
    let write = common::precept_in(dir.path(), &["baseline", "--waivers", "waivers.toml", "--file", "known.json"]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    // The default records path is the folder itself, which holds the waivers, the baseline and the
    // last run's report: none of them is a record file.
    for _ in 0..2 {
        let run = common::precept_in(
            dir.path(),
            &["check", "--waivers", "waivers.toml", "--baseline", "known.json", "--output", "json=out.json"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap()).unwrap();
        assert_eq!(doc["summary"]["files"], 1);
    }
}

#[test]
fn a_waived_finding_keeps_its_baseline_entry() {
    let records = ticket("T-1", "a", "x", "10m");
    // The baseline as `precept baseline` writes it: the active findings of a run without waivers.
    let unwaived = engine(None, "2026-06-01").check(common::records(&[(RECORDS, &records)]));
    let active: Vec<precept::Finding> =
        unwaived.findings.into_iter().filter(|f| f.standing == precept::Standing::Active && f.rule.is_some()).collect();
    assert_eq!(active.len(), 1, "T-1 breaks the rule");
    let known = precept::suppress::baseline::write(&active);
    let waivers =
        "[[waiver]]\nrule = \"answered-quickly\"\njustification = \"agreed\"\napprover = \"P\"\nexpires = 2099-12-31\n";
    let engine = engine(Some(waivers), "2026-06-01").with_baseline("known.json", known);
    let (status, doc, stderr) = json(&engine, &records);
    assert_eq!(status, precept::Status::Clean, "{stderr}");
    assert_eq!(standings(&doc), [("T-1".to_string(), "waived".to_string())]);
    assert_eq!(doc["diagnostics"], serde_json::json!([]), "not reported as gone from the baseline");
}

/// Hundreds of waivers, matched by rule and record through an index: each finding is still waived
/// by the first waiver in force that covers it in file order (an expired one before it waives
/// nothing), its place names that waiver's line, and every waiver that covers nothing is reported
/// at its own line, once.
#[test]
fn many_waivers_keep_file_order_places_and_unused_warnings() {
    let teams = ["Returns", "Delivery"];
    let records: String = (0..60).map(|j| ticket(&format!("T-{j}"), "ann", teams[j % 2], "10m")).collect();
    /// A waiver's record, staff, team and expiry.
    type Spec = (Option<String>, Option<&'static str>, Option<&'static str>, &'static str);
    let mut specs: Vec<Spec> = Vec::new();
    for i in 0..400 {
        let j = (i / 5) % 90;
        specs.push(match i % 5 {
            0 => (Some(format!("T-{j}")), None, None, "2020-01-01"),
            1 => (Some(format!("T-{j}")), None, None, "2099-12-31"),
            2 => (None, Some("nobody"), None, "2099-12-31"),
            3 => (Some(format!("GONE-{i}")), None, None, "2099-12-31"),
            _ => (None, None, Some("Returns"), "2099-12-31"),
        });
    }
    let mut text = String::from("# waivers\n");
    let mut lines = Vec::new();
    for (i, (record, staff, team, expires)) in specs.iter().enumerate() {
        lines.push(text.lines().count() + 1);
        text.push_str("[[waiver]]\nrule = \"answered-quickly\"\n");
        for (key, value) in [("record", record.as_deref()), ("staff", *staff), ("team", *team)] {
            if let Some(v) = value {
                text.push_str(&format!("{key} = \"{v}\"\n"));
            }
        }
        text.push_str(&format!(
            "justification = \"accepted {i}\"\napprover = \"Priya Sharma\"\nexpires = {expires}\n\n"
        ));
    }
    let (status, doc, stderr) = json(&engine(Some(&text), "2026-06-01"), &records);
    assert_eq!(status, precept::Status::Findings, "the expired waivers are findings: {stderr}");
    // What each waiver covers, judged here the slow way: every finding against every waiver.
    let covers = |i: usize, j: usize| {
        let (record, staff, team, _) = &specs[i];
        record.as_ref().is_none_or(|r| *r == format!("T-{j}"))
            && staff.is_none_or(|s| s == "ann")
            && team.is_none_or(|t| t == teams[j % 2])
    };
    let mut used = vec![false; specs.len()];
    let findings = doc["findings"].as_array().unwrap();
    let mut seen = 0;
    for f in findings.iter().filter(|f| f["rule"] == "answered-quickly") {
        let j: usize = f["record"].as_str().unwrap().trim_start_matches("T-").parse().unwrap();
        seen += 1;
        let mut want = None;
        for i in (0..specs.len()).filter(|&i| covers(i, j)) {
            used[i] = true;
            if specs[i].3 != "2020-01-01" {
                want = Some(i);
                break;
            }
        }
        match want {
            Some(i) => {
                assert_eq!(f["standing"], "waived", "T-{j}");
                assert_eq!(f["waiver"]["place"], format!("waivers.toml:{}", lines[i]), "T-{j}");
                assert_eq!(f["waiver"]["justification"], format!("accepted {i}"), "T-{j}");
            }
            None => assert_eq!(f["standing"], "active", "T-{j}"),
        }
    }
    assert_eq!(seen, 60, "every record was checked");
    // Expired waivers are findings at their own lines; unused ones are warnings at theirs.
    let expired: Vec<u64> =
        findings.iter().filter(|f| f["rule"] == "expired-waiver").map(|f| f["line"].as_u64().unwrap()).collect();
    let want_expired: Vec<u64> =
        (0..specs.len()).filter(|&i| specs[i].3 == "2020-01-01").map(|i| lines[i] as u64).collect();
    let mut got_expired = expired.clone();
    got_expired.sort_unstable();
    assert_eq!(got_expired, want_expired);
    let mut unused: Vec<u64> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "precept::waiver::unused")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    unused.sort_unstable();
    let want_unused: Vec<u64> =
        (0..specs.len()).filter(|&i| !used[i] && specs[i].3 != "2020-01-01").map(|i| lines[i] as u64).collect();
    assert_eq!(unused, want_unused);
}
