//! `contains` on lists (issue 14, item 3): `record.tags contains "vip"` holds when an element of
//! the list equals the value; on text it stays a substring test. Checked against a small model
//! written here (membership and `str::contains`), over JSON arrays and CSV cells read `separated
//! by " "`, with `not (...)` and a missing list; the type errors are snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::diagnostics::render::{render, Style};
use precept::{Engine, Records};
use proptest::prelude::*;

/// A schema of tags (a list, one CSV cell separated by spaces) and a note (text), and two rules
/// asking whether each contains `value`, one of them negated.
fn engine(value: &str) -> Engine {
    let policy = format!(
        r#"
schema t {{
  identified by id
  id: text
  tags: list of text separated by " "
  note: text
}}
code "C" {{
  level organisational
  rule in-tags {{ title "t" for t require record.tags contains {value:?} message "x" }}
  rule not-in-tags {{ title "t" for t require not (record.tags contains {value:?}) message "x" }}
  rule in-note {{ title "t" for t require record.note contains {value:?} message "x" }}
}}
"#
    );
    Engine::from_sources([("p.precept", policy.as_str())]).unwrap()
}

/// Which of the three rules hold for one record, as (in-tags, not-in-tags, in-note).
fn held(run: &precept::Run) -> (bool, bool, bool) {
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    let broken = |id: &str| run.findings.iter().any(|f| f.rule_id() == id);
    (!broken("in-tags"), !broken("not-in-tags"), !broken("in-note"))
}

fn tag() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "ab", "ba", "disp_psd", "disp_psd_review", "psd"]).prop_map(String::from)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn contains_is_membership_on_lists_and_a_substring_test_on_text(
        tags in prop::collection::vec(tag(), 0..5),
        value in tag(),
    ) {
        let engine = engine(&value);
        let note = tags.join(" ");
        let member = tags.contains(&value);
        let want = (member, !member, note.contains(value.as_str()));
        let json = serde_json::json!({"id": "a", "tags": tags, "note": note}).to_string();
        let run = engine.check([Records::bytes("t.json", json)]);
        prop_assert_eq!(held(&run), want, "JSON {:?} contains {:?}", tags, value);
        let csv = format!("id,tags,note\na,{note},{note}\n");
        // An empty CSV cell is a missing value, not an empty list or text: see the test below.
        if !note.is_empty() {
            let run = engine.check([Records::bytes("t.csv", csv)]);
            prop_assert_eq!(held(&run), want, "CSV {:?} contains {:?}", note, value);
        }
    }
}

/// A missing list leaves `contains` unknown, as for `in`: an optional list must be handled first,
/// and then reads as the presence test says.
#[test]
fn a_missing_list_is_handled_as_any_missing_value() {
    let policy = r#"
schema t { identified by id  id: text  tags: list of text? }
code "C" { level organisational
  rule missing-is-fine { title "t" for t require record.tags is missing or record.tags contains "vip" message "x" }
  rule must-have { title "t" for t require record.tags is present and record.tags contains "vip" message "x" }
  rule where-present { title "t" for t where record.tags is present require not (record.tags contains "spam") message "x" }
}
"#;
    let engine = Engine::from_sources([("p.precept", policy)]).unwrap();
    let run = engine.check([Records::bytes(
        "t.jsonl",
        "{\"id\": \"none\"}\n{\"id\": \"vip\", \"tags\": [\"vip\"]}\n{\"id\": \"spam\", \"tags\": [\"spam\"]}\n",
    )]);
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    let mut got: Vec<(String, String)> =
        run.findings.iter().map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default())).collect();
    got.sort();
    let want = [("missing-is-fine", "spam"), ("must-have", "none"), ("must-have", "spam"), ("where-present", "spam")];
    assert_eq!(got, want.map(|(r, i)| (r.to_string(), i.to_string())));
    // Unguarded, an optional list is reported as any optional value is.
    let unguarded = policy.replace("record.tags is missing or ", "");
    let Err(diags) = Engine::from_sources([("p.precept", unguarded.as_str())]) else { panic!("compiles") };
    assert_eq!(diags.iter().map(|d| &*d.code).collect::<Vec<_>>(), ["precept::type::unhandled-missing"]);
}

/// Lists of enumerations and numbers: the value is read as the element type (a bare name is an
/// enumeration value).
#[test]
fn the_value_is_read_as_the_element_type() {
    let policy = r#"
schema t { identified by id  id: text  kinds: list of enum { refund, apology }  scores: list of integer }
code "C" { level organisational
  rule r { title "t" for t require record.kinds contains refund and record.scores contains 3 message "x" } }
"#;
    let engine = Engine::from_sources([("p.precept", policy)]).unwrap();
    let run = engine.check([Records::bytes(
        "t.jsonl",
        "{\"id\": \"yes\", \"kinds\": [\"apology\", \"refund\"], \"scores\": [1, 3]}\n{\"id\": \"no\", \"kinds\": [\"apology\"], \"scores\": [3]}\n",
    )]);
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    let ids: Vec<_> = run.findings.iter().filter_map(|f| f.record_id.as_deref()).collect();
    assert_eq!(ids, ["no"]);
}

/// Each wrong use of `contains` is one type error that says what it needs.
#[test]
fn contains_of_the_wrong_type_is_a_type_error() {
    let cases = [
        ("an element of another type", "record.tags contains 3"),
        ("an unknown enumeration value", "record.kinds contains complant"),
        ("a list of objects", "record.actions contains \"refund\""),
        ("a list looked for in text", "record.note contains record.tags"),
        ("a number searched", "record.count contains 3"),
    ];
    let mut out = String::new();
    for (what, require) in cases {
        let policy = format!(
            r#"schema t {{
  identified by id
  id: text
  note: text
  count: integer
  tags: list of text
  kinds: list of enum {{ complaint, enquiry }}
  actions: list of {{ type: text }}
}}
code "C" {{ level organisational
  rule r {{ title "t" for t require {require} message "x" }} }}
"#
        );
        let Err(diags) = Engine::from_sources([("p.precept", policy.as_str())]) else { panic!("{what} compiles") };
        assert_eq!(diags.len(), 1, "{what}: {diags:#?}");
        out.push_str(&format!("--- {what}\n"));
        out.push_str(&render(&diags[0], Style::plain()));
    }
    insta::assert_snapshot!(out);
}
