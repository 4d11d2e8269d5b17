//! Helps that are templates (`help "call {record.customer_name} by {deadline}"`), over
//! `fixtures/help/`: filled in per finding from a rule's `let`, the record's fields, a group's key
//! and aggregates, and a case's opening record; shown so in every report; redacted like messages;
//! and a help with no holes shared by every finding as the rule's one text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

const POLICY: &str = "fixtures/help/help.precept";
const RECORDS: &str = "fixtures/help/records";

fn run(format: &str) -> common::Run {
    common::precept(&["check", "--no-config", "--format", format, "--policies", POLICY, RECORDS])
}

fn engine() -> precept::Engine {
    let text = std::fs::read_to_string(common::root().join(POLICY)).unwrap();
    common::engine_from(&[("help.precept", &text)])
}

fn records() -> Vec<(String, String)> {
    ["complaints.jsonl", "answers.jsonl"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read_to_string(common::root().join(RECORDS).join(n)).unwrap()))
        .collect()
}

fn check(engine: &precept::Engine) -> (precept::findings::Outcome, Vec<precept::Finding>) {
    let recs = records();
    let recs: Vec<(&str, &str)> = recs.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    common::check(engine, &recs)
}

/// The policy compiles with no diagnostic at all: in particular, `escalate_after`, a `let` read
/// only by the help, is used (no `precept::rule::unused-let`).
#[test]
fn the_help_fixture_policy_has_no_diagnostics() {
    std::env::set_current_dir(common::root()).unwrap();
    let (program, diags) = precept::workspace::load_policies(&[POLICY.into()]);
    assert!(program.is_some());
    assert!(diags.is_empty(), "{}", common::rendered(&diags));
}

/// A `let` read only by a help with holes counts as used; one read nowhere is still reported.
#[test]
fn a_let_read_only_by_the_help_is_used() {
    let policy = |help: &str| {
        format!(
            "schema t {{ identified by id  id: text  at: datetime }}\n\
             code \"C\" {{ level organisational\n\
               rule r {{ for t  let later = record.at + 1 day  require record.id != \"\"  help \"{help}\" }} }}\n"
        )
    };
    let unused = |help: &str| {
        let engine = common::engine(&policy(help));
        engine.warnings().iter().filter(|d| d.code == "precept::rule::unused-let").count()
    };
    assert_eq!(unused("chase after {later}"), 0);
    assert_eq!(unused("chase after {{later}}"), 1);
    assert_eq!(unused("chase tomorrow"), 1);
}

/// Every complaint declares the record and case rules it breaks (`expect`); the one group rule's
/// finding is asserted on its own.
#[test]
fn findings_on_the_help_fixture_are_exactly_the_declared_ones() {
    let (outcome, findings) = check(&engine());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let text = &records()[0].1;
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut ids: Vec<String> = v["expect"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().into()).collect();
        ids.sort();
        declared.insert(v["id"].as_str().unwrap().to_string(), ids);
    }
    let mut found: BTreeMap<String, Vec<String>> = declared.keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in findings.iter().filter(|f| f.rule_id() != "few-unacknowledged") {
        found.entry(f.record_id.clone().unwrap()).or_default().push(f.rule_id().to_string());
    }
    found.values_mut().for_each(|l| l.sort());
    assert_eq!(found, declared);
    let groups: Vec<_> = findings.iter().filter(|f| f.rule_id() == "few-unacknowledged").collect();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].record_id.as_deref(), Some("team Returns"));
}

#[test]
fn each_finding_carries_its_help_filled_in_and_a_help_without_holes_stays_the_rules() {
    let (_, findings) = check(&engine());
    let help = |rule: &str, id: &str| {
        let f = findings
            .iter()
            .find(|f| f.rule_id() == rule && f.record_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no finding of {rule} for {id}"));
        (f.help.clone(), f.help().map(str::to_string))
    };
    // A rule's `let`s (one used only by the help) and the record's fields.
    let (own, shown) = help("complaint-acknowledged", "C-2");
    assert_eq!(
        shown.as_deref(),
        Some("call Bob Bell on 0161 496 0002 to acknowledge it; escalate to the team lead after 2026-03-07T11:00:00+00:00")
    );
    assert_eq!(own, shown);
    // The opening record of a case, `{{`/`}}` for braces, and the case's deadline.
    let (_, shown) = help("complaint-answered", "C-4");
    assert_eq!(
        shown.as_deref(),
        Some("write to Di Dunn ({team Returns}) today and apologise that the answer was due 2026-03-07T09:00:00+00:00")
    );
    // A group's key and an aggregate.
    let (_, shown) = help("few-unacknowledged", "team Returns");
    assert_eq!(shown.as_deref(), Some("review the 2 unacknowledged complaints of team Returns"));
    // No holes: nothing per finding, the rule's text shown.
    let (own, shown) = help("phone-given", "C-4");
    assert_eq!((own, shown.as_deref()), (None, Some("ask the customer for a phone number")));
    // The rule's own help is the template as written (lets by name, braces doubled).
    let rule = findings.iter().find(|f| f.rule_id() == "complaint-answered").unwrap().rule.clone().unwrap();
    assert_eq!(
        rule.help.as_deref(),
        Some("write to {opening.customer_name} ({{team {opening.team}}}) today and apologise that the answer was due {group.deadline}")
    );
}

/// A rule that cannot be determined for a record still says what to do about it: its help is
/// filled in, a value that could not be read shown as `(unreadable)`, as a message shows it.
#[test]
fn an_outcome_that_cannot_be_determined_has_its_help_filled_in() {
    let line = r#"{"id": "C-9", "team": "Returns", "customer_name": "Zed", "phone": "1", "received_at": "not a time", "acknowledged_at": "2026-03-03T09:00:00Z"}"#;
    let (_, findings) = common::check(&engine(), &[("complaints.jsonl", format!("{line}\n"))]);
    let f = findings.iter().find(|f| f.rule_id() == "complaint-acknowledged").unwrap();
    assert!(f.standing.is_undetermined(), "{f:?}");
    assert_eq!(f.help(), Some("call Zed on 1 to acknowledge it; escalate to the team lead after (unreadable)"));
}

#[test]
fn a_redacted_field_is_hashed_in_the_help_as_in_the_message() {
    let engine = engine().redacting(&["customer_name".to_string(), "team".to_string()]).unwrap();
    let (_, findings) = check(&engine);
    for f in &findings {
        let help = f.help().unwrap();
        for name in ["Ann Ames", "Bob Bell", "Cy Cole", "Di Dunn", "Ed Eve", "Returns", "Sales"] {
            assert!(!help.contains(name), "{help}");
        }
    }
    let f = findings.iter().find(|f| f.rule_id() == "complaint-answered").unwrap();
    assert!(f.help().unwrap().starts_with("write to redacted:"), "{:?}", f.help());
    let g = findings.iter().find(|f| f.rule_id() == "few-unacknowledged").unwrap();
    assert!(g.help().unwrap().contains("of team redacted:"), "{:?}", g.help());
}

#[test]
fn the_human_report_shows_each_help_filled_in() {
    let out = run("human");
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!(out.snapshot());
}

#[test]
fn the_json_report_carries_each_help_filled_in_and_matches_its_schema() {
    let out = run("json");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/json-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert_eq!(errors, Vec::<String>::new());
    let helps: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["record"].as_str().unwrap(), f["help"].as_str().unwrap()))
        .collect();
    assert!(helps.contains(&("C-3", "call Cy Cole on 0161 496 0003 to acknowledge it; escalate to the team lead after 2026-03-07T12:00:00+00:00")), "{helps:?}");
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn sarif_describes_the_help_as_written_and_gives_each_result_its_own() {
    let out = run("sarif");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let run = &doc["runs"][0];
    let rule = run["tool"]["driver"]["rules"].as_array().unwrap().iter().find(|r| r["id"] == "few-unacknowledged");
    assert_eq!(
        rule.unwrap()["help"]["text"],
        "review the {count(record.acknowledged_at is missing)} unacknowledged complaints of team {group.team}"
    );
    for r in run["results"].as_array().unwrap() {
        let own = &r["properties"]["help"];
        if r["ruleId"] == "phone-given" {
            assert!(own.is_null(), "a help without holes is the rule's: {r}");
        } else {
            assert!(own.as_str().is_some_and(|h| !h.contains('{') || h.contains("({team")), "{r}");
        }
    }
}

mod same_as_message {
    use proptest::prelude::*;

    /// Holes of every kind a help can have over a record: fields, an optional field (missing
    /// shows as `(missing)`), a `let`, arithmetic on times, a percentage, and escaped braces.
    const TEMPLATE: &str = "{{id}} {record.id}: waited {record.waited}, due {due}, note {record.note}, {record.share * 100%} at {record.at + record.waited}";

    fn engine() -> precept::Engine {
        super::common::engine(&format!(
            "schema t {{ identified by id  id: text  waited: duration  note: text?  share: decimal  at: datetime }}\n\
             code \"C\" {{ level organisational\n\
               rule r {{ for t  let due = record.at + 1h  require record.waited <= 1h\n\
                 message \"{TEMPLATE}\"  help \"{TEMPLATE}\" }} }}\n"
        ))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A help is filled in exactly as the message is: the same template gives the same text
        /// for every finding, whatever the record holds.
        #[test]
        fn a_help_written_as_the_message_reads_the_same(
            rows in prop::collection::vec(
                (0u32..300, prop::option::of("[a-z ]{0,8}"), 0u32..1000, 0u32..86_400),
                1..8,
            )
        ) {
            let mut csv = String::from("id,waited,note,share,at\n");
            for (i, (mins, note, permille, secs)) in rows.iter().enumerate() {
                let at = jiff::Timestamp::from_second(1_767_225_600 + i64::from(*secs)).unwrap();
                csv.push_str(&format!("T-{i},{mins}m,{},0.{permille:03},{at}\n", note.clone().unwrap_or_default()));
            }
            let run = engine().check([precept::Records::bytes("t.csv", csv)]);
            let broken = rows.iter().filter(|r| r.0 > 60).count();
            prop_assert_eq!(run.findings.len(), broken);
            for f in &run.findings {
                prop_assert_eq!(f.help(), Some(f.message.as_str()));
                prop_assert_eq!(f.help.as_deref(), Some(f.message.as_str()));
            }
        }
    }
}
