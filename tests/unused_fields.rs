//! Unused-field warnings (`precept::type::unused-field`) turned off where a field is declared on
//! purpose (issue 14, item 13): per field (`allow unused` after its type), per schema (`allow
//! unused fields`), and in the settings (`allow = ["precept::type::unused-field"]` in
//! `precept.toml`, for any warning's code). Without these the warning is given as before.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use precept::diagnostics::render::{render, Style};

/// A schema whose `notes`, `customer.segment` and `agent` no rule reads; `extra` is spliced into
/// the schema (a clause, or a suffix of `notes`).
fn policy(schema_clause: &str, notes_suffix: &str, customer_suffix: &str) -> String {
    format!(
        r#"
schema ticket {{
  identified by id
  {schema_clause}
  id: text
  waited: duration
  notes: text? {notes_suffix}
  customer: {{ kind: text, segment: text? }} {customer_suffix}
  agent: text?
}}
code "House rules" {{
  level organisational
  rule answered-quickly {{ for ticket require record.waited <= 5m message "{{record.id}} {{record.customer.kind}}" }}
}}
"#
    )
}

/// The fields an unused-field warning is about, in order.
fn warned(text: &str) -> Vec<String> {
    let engine = precept::Engine::from_sources([("p.precept", text)]).unwrap_or_else(|e| panic!("{e:#?}"));
    let w = engine.warnings();
    assert!(w.iter().all(|d| d.code == "precept::type::unused-field"), "{w:#?}");
    w.iter().map(|d| d.message.split('`').nth(1).unwrap_or("").to_string()).collect()
}

#[test]
fn unused_fields_are_warned_unless_allowed_per_field_or_per_schema() {
    assert_eq!(warned(&policy("", "", "")), ["notes", "customer.segment", "agent"]);
    assert_eq!(warned(&policy("", "allow unused", "")), ["customer.segment", "agent"]);
    // On an object field: the fields inside it too.
    assert_eq!(warned(&policy("", "allow unused", "allow unused")), ["agent"]);
    assert_eq!(warned(&policy("allow unused fields", "", "")), Vec::<String>::new());
    // With other suffixes, in any order; and a field named `allow` is still a field.
    let text = policy("", "column \"Notes\" allow unused", "")
        .replace("agent: text?", "agent: text? allow unused\n  allow: text? allow unused");
    assert_eq!(warned(&text), ["customer.segment"]);
}

#[test]
fn allow_given_twice_is_a_duplicate_clause() {
    let mut out = String::new();
    for text in
        [policy("allow unused fields\n  allow unused fields", "", ""), policy("", "allow unused allow unused", "")]
    {
        let Err(diags) = precept::Engine::from_sources([("p.precept", text.as_str())]) else { panic!("compiles") };
        assert_eq!(diags.iter().map(|d| &*d.code).collect::<Vec<_>>(), ["precept::parse::duplicate-clause"]);
        out.push_str(&render(&diags[0], Style::plain()));
    }
    insta::assert_snapshot!(out);
}

/// The warning's help names both declarations.
#[test]
fn the_warning_says_how_to_keep_a_field() {
    let engine = precept::Engine::from_sources([("p.precept", policy("", "", "allow unused").as_str())]).unwrap();
    let shown: String = engine.warnings().iter().map(|d| render(d, Style::plain())).collect();
    insta::assert_snapshot!(shown);
}

/// `allow` in the settings names warnings not to report, by code: here the unused fields; an
/// unknown code is refused with "did you mean"; errors are never allowed away.
#[test]
fn settings_allow_warnings_by_code() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("policies")).unwrap();
    std::fs::create_dir_all(root.join("records")).unwrap();
    std::fs::write(root.join("policies/p.precept"), policy("", "", "")).unwrap();
    std::fs::write(
        root.join("records/t.jsonl"),
        "{\"id\": \"T-1\", \"waited\": \"10m\", \"customer\": {\"kind\": \"retail\"}}\n",
    )
    .unwrap();
    let toml = |allow: &str| {
        std::fs::write(
            root.join("precept.toml"),
            format!("policies = [\"policies\"]\nrecords = [\"records\"]\n{allow}"),
        )
        .unwrap();
        common::precept_in(root, &["check"])
    };
    let warned = toml("");
    assert_eq!(warned.code, 1, "{}", warned.stderr);
    assert_eq!(warned.stderr.matches("precept::type::unused-field").count(), 3, "{}", warned.stderr);
    let allowed = toml("allow = [\"precept::type::unused-field\"]\n");
    assert_eq!(allowed.code, 1, "{}", allowed.stderr);
    assert!(!allowed.stderr.contains("unused-field"), "{}", allowed.stderr);
    assert!(allowed.stdout.contains("answered-quickly"), "the findings are still reported: {}", allowed.stdout);
    // `--fail-on warning` is not failed by an allowed warning.
    let run = common::precept_in(root, &["check", "--fail-on", "warning", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(doc["diagnostics"].as_array().is_none_or(|d| d.is_empty()), "{}", run.stdout);
    let misspelt = toml("allow = [\"precept::type::unused-feild\"]\n");
    assert_eq!(misspelt.code, 2);
    insta::assert_snapshot!(misspelt.snapshot());
    // An error of an allowed code's family is still an error.
    std::fs::write(root.join("policies/p.precept"), policy("", "", "").replace("record.waited", "record.waitd"))
        .unwrap();
    let broken = toml("allow = [\"precept::type::unknown-field\"]\n");
    assert_eq!(broken.code, 2);
    assert!(broken.stderr.contains("precept::type::unknown-field"), "{}", broken.stderr);
}
