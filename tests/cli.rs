//! The command line end to end: exit status, stdout and stderr, snapshotted together.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use common::precept;

#[test]
fn bundled_example_finds_findings_and_no_diagnostics() {
    let run = precept(&["check", "--policies", "policies", "--roles", "fixtures/org", "fixtures/records"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert_eq!(run.stderr, "", "the bundled example has no diagnostics");
    assert!(run.stdout.contains("precept::rule::"));
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn bundled_example_as_json() {
    let run = json_check_with_roles("fixtures/records");
    assert_eq!(run.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        for key in ["rule", "code_of_practice", "level", "severity", "file", "line", "column", "record", "message"] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
    }
    assert_eq!(doc["summary"]["findings"].as_u64().unwrap() as usize, findings.len());
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let roles = ["--roles", "fixtures/org"];
    let one = precept(&[&["check", "--threads", "1", "--format", "json"][..], &roles, &["fixtures/records"]].concat());
    let two = precept(&[&["check", "--threads", "2", "--format", "json"][..], &roles, &["fixtures/records"]].concat());
    let many = precept(&[&["check", "--threads", "7"][..], &roles, &["fixtures/records"]].concat());
    let many_again = precept(&[&["check", "--threads", "1"][..], &roles, &["fixtures/records"]].concat());
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(many.stdout, many_again.stdout);
}

#[test]
fn a_clean_record_set_exits_zero() {
    let run = precept(&["check", "--policies", "policies", "--roles", "fixtures/clean/org", "fixtures/clean"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn bad_usage_exits_two() {
    let run = precept(&["check", "--format", "yaml", "fixtures/records"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("yaml"));
    let run = precept(&["check", "--threads", "0", "fixtures/records"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::usage::threads"), "{}", run.stderr);
    let run = precept(&["frobnicate"]);
    assert_eq!(run.code, 2);
}

#[test]
fn missing_paths_are_diagnostics() {
    let run = precept(&["check", "--policies", "no/such/policies", "fixtures/records"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::input::not-found"), "{}", run.stderr);
    let run = precept(&["check", "no/such/records"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("precept::input::not-found"), "{}", run.stderr);
}

#[test]
fn a_bad_policy_stops_the_run_with_exit_two() {
    let run = precept(&["check", "--policies", "fixtures/type/err/unknown-field.precept", "fixtures/records"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn input_errors_are_reported_and_other_files_still_checked() {
    let run = precept(&["check", "--no-config", "--policies", "policies", "fixtures/input/err"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    for code in [
        "precept::input::invalid-value",
        "precept::input::json",
        "precept::input::toml",
        "precept::input::missing-field",
        "precept::input::csv-row-length",
        "precept::input::csv-missing-column",
    ] {
        assert!(run.stderr.contains(code), "missing {code} in\n{}", run.stderr);
    }
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn a_closed_pipe_is_a_quiet_exit() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(["check", "fixtures/records"])
        .current_dir(common::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close our end: the rest of the output hits a closed pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    let _ = stdout.read(&mut one);
    drop(stdout);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(status.code(), Some(0..=2)), "{status:?}");
}

#[test]
fn rules_about_roles_are_named_when_no_role_files_are_given() {
    // Without `--roles` the scope rules cannot be judged: a warning names each, the run goes on.
    let run = precept(&["check", "--no-config", "--policies", "policies", "fixtures/records/scope.toml"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::usage::no-roles"), "{}", run.stderr);
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn scope_findings_show_the_staff_member_role_limit_amount_and_path() {
    let run = precept(&["check", "--policies", "policies", "--roles", "fixtures/org", "fixtures/records/scope.toml"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    insta::assert_snapshot!(run.snapshot());
    let json = json_check_with_roles("fixtures/records/scope.toml");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let beyond =
        doc["findings"].as_array().unwrap().iter().find(|f| f["record"] == "SC-3008").expect("SC-3008 is a finding");
    // The evidence names the actor, their role that day, its limit, the amount and the path up;
    // then the approver's.
    let facts = &beyond["evidence"][0]["facts"];
    assert_eq!(facts["staff"], "chloe.davies");
    assert_eq!(facts["on"], "2025-05-06");
    assert_eq!(facts["role"], "customer-advisor");
    assert_eq!(facts["limit"], "up to 50.00 GBP");
    assert_eq!(facts["amount"], "800.00 GBP");
    assert_eq!(facts["escalation_path"], "customer-advisor → team-leader → service-manager → head-of-customer-service");
    assert!(beyond["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["facts"]["staff"] == "farah.khan" && e["facts"]["limit"] == "up to 500.00 GBP"));
    // Of three actions only the one beyond the limit is to blame: the evidence is about it alone.
    let several = doc["findings"].as_array().unwrap().iter().find(|f| f["record"] == "SC-3024").unwrap();
    let evidence = several["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 1, "{evidence:?}");
    assert_eq!(evidence[0]["facts"]["action"], "goodwill");
    assert_eq!(evidence[0]["facts"]["amount"], "45.00 GBP");
}

/// `check --format json` of `path` with the bundled policies and organisation.
fn json_check_with_roles(path: &str) -> common::Run {
    precept(&["check", "--policies", "policies", "--roles", "fixtures/org", "--format", "json", path])
}

#[test]
fn explain_a_rule_or_a_diagnostic_code() {
    let rule = common::precept(&["explain", "complaint-escalation-share"]);
    assert_eq!(rule.code, 0, "{}", rule.stderr);
    insta::assert_snapshot!(rule.stdout);
    let code = common::precept(&["explain", "precept::waiver::not-waivable"]);
    assert_eq!(code.code, 0);
    assert!(
        code.stdout.starts_with(
            "precept::waiver::not-waivable\n\nA waiver covers a rule whose code is marked `not waivable`."
        ),
        "{}",
        code.stdout
    );
    let typo = common::precept(&["explain", "complaint-acknowledgd"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("precept::usage::explain")
            && typo.stderr.contains("did you mean `complaint-acknowledged`?"),
        "{}",
        typo.stderr
    );
    let unknown_code = common::precept(&["explain", "precept::type::unknown-feild"]);
    assert_eq!(unknown_code.code, 2);
    assert!(unknown_code.stderr.contains("did you mean `precept::type::unknown-field`?"), "{}", unknown_code.stderr);
}

#[test]
fn the_bundled_policies_are_tested_at_full_rule_coverage() {
    let run = precept(&["test", "--min-coverage", "100"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(run.stdout.ends_with("rule coverage 24 of 24 (100%)\n"), "{}", run.stdout);
}

#[test]
fn failing_policy_tests_show_what_differs_and_coverage_can_fail_the_run() {
    // files on disk: `precept test` finds test files beside the policies and writes JUnit to a file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("policies/p.precept"),
        r#"
schema ticket {
  identified by id
  id: text
  waited: duration
}
code "House rules" {
  level organisational
  rule answered-quickly {
    for ticket
    require record.waited <= 5m
    message "ticket {record.id} waited {record.waited}"
  }
  rule answered-at-all {
    for ticket
    require record.waited < 24h
  }
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policies/p.test.toml"),
        r#"
[[test]]
name = "a slow ticket"
records = [{ id = "T-1", waited = "10m" }, { id = "T-2", waited = "2m" }]
expect = ["answered-quickly@T-2"]

[[test]]
name = "a quick ticket"
records = [{ id = "T-3", waited = "1m" }]
expect = []
"#,
    )
    .unwrap();
    let run = common::precept_in(dir.path(), &["test", "--output", "junit=tests.xml", "--min-coverage", "90"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("precept::test::coverage"), "{}", run.stderr);
    let percent = common::precept_in(dir.path(), &["test", "--min-coverage", "150"]);
    assert_eq!(percent.code, 2);
    assert!(percent.stderr.contains("precept::usage::min-coverage"), "{}", percent.stderr);
    insta::assert_snapshot!(run.snapshot());
    let xml = std::fs::read_to_string(dir.path().join("tests.xml")).unwrap();
    assert!(
        xml.contains("<testcase name=\"a slow ticket\"") && xml.contains("<testcase name=\"a quick ticket\""),
        "{xml}"
    );
    let xsds = if common::have_tool("xmllint", "apt-get install libxml2-utils") {
        &["jenkins-junit.xsd", "ant-junit-windyroad.xsd"][..]
    } else {
        &[][..]
    };
    for xsd in xsds {
        let check = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(common::root().join("tests/schemas").join(xsd))
            .arg(dir.path().join("tests.xml"))
            .output()
            .expect("xmllint runs");
        assert!(check.status.success(), "{xsd}: {}", String::from_utf8_lossy(&check.stderr));
    }
    std::fs::write(
        dir.path().join("policies/bad.test.toml"),
        "[[test]]\nname = \"x\"\nrecords = []\nexpect = [\"answered-quikly\"]\nexpcet = 1\n",
    )
    .unwrap();
    let bad = common::precept_in(dir.path(), &["test"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("precept::test::invalid") && bad.stderr.contains("did you mean `answered-quickly`?"),
        "{}",
        bad.stderr
    );
}
