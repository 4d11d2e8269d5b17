//! A value spelled in a way its field does not read (issue 14, item 12): the diagnostic says which
//! spellings the format and the schema's declarations accept, and which declaration would read
//! the value as written (`accept "Yes"/"No"`, `accept numbers in strings`, `accept empty as
//! missing`, an enumeration code). Each suggested declaration is then checked to read the value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::diagnostics::render::{render, Style};
use precept::{Engine, Records};

fn engine(fields: &str) -> Engine {
    let policy = format!(
        "schema t {{\n  identified by id\n  id: text\n  {fields}\n}}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t require record.v is present or true message \"x\" }} }}\n"
    );
    Engine::from_sources([("p.precept", policy.as_str())]).unwrap_or_else(|e| panic!("{e:#?}"))
}

/// (what, field declaration, file name, file text, the declaration the help suggests, the field
/// declared with it)
const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "`\"Yes\"` for a boolean in JSON",
        "v: boolean?",
        "t.json",
        "{\"id\": \"a\", \"v\": \"Yes\"}",
        "`boolean accept \"Yes\"/\"No\"`",
        "v: boolean? accept \"Yes\"/\"No\"",
    ),
    (
        "`\"2\"` for an integer in JSON",
        "v: integer?",
        "t.json",
        "{\"id\": \"a\", \"v\": \"2\"}",
        "`accept numbers in strings`",
        "v: integer? accept numbers in strings",
    ),
    (
        "`N` in CSV",
        "v: boolean?",
        "t.csv",
        "id,v\na,N\n",
        "`boolean accept \"Y\"/\"N\"`",
        "v: boolean? accept \"Y\"/\"N\"",
    ),
    (
        "`1` (a JSON number) for a boolean",
        "v: boolean?",
        "t.json",
        "{\"id\": \"a\", \"v\": 1}",
        "`boolean accept \"1\"/\"0\"`",
        "v: boolean? accept \"1\"/\"0\"",
    ),
    (
        "`\"Yes\"` where `\"Y\"`/`\"N\"` are declared",
        "v: boolean? accept \"Y\"/\"N\"",
        "t.json",
        "{\"id\": \"a\", \"v\": \"Yes\"}",
        "several pairs may be given",
        "v: boolean? accept \"Y\"/\"N\", \"Yes\"/\"No\"",
    ),
    (
        "`\"\"` for a datetime in JSON",
        "v: datetime?",
        "t.json",
        "{\"id\": \"a\", \"v\": \"\"}",
        "`accept empty as missing`",
        "v: datetime? accept empty as missing",
    ),
    (
        "`\"Open\"` for an enumeration",
        "v: enum { open, closed }?",
        "t.json",
        "{\"id\": \"a\", \"v\": \"Open\"}",
        "`enum { open = \"Open\", ... }`",
        "v: enum { open = \"Open\", closed }?",
    ),
];

#[test]
fn a_value_not_read_says_what_is_accepted_and_how_to_declare_more() {
    let mut shown = String::new();
    for &(what, field, name, text, suggested, declared) in CASES {
        let run = engine(field).check([Records::bytes(name, text)]);
        assert_eq!(run.diagnostics.len(), 1, "{what}: {:#?}", run.diagnostics);
        let d = &run.diagnostics[0];
        assert_eq!(d.code, "precept::input::invalid-value", "{what}");
        let help = d.help.as_deref().unwrap_or("");
        assert!(help.contains(suggested), "{what}: {help}");
        shown.push_str(&format!("--- {what}\n{}", render(d, Style::plain())));
        // The declaration suggested reads the value.
        let run = engine(declared).check([Records::bytes(name, text)]);
        assert!(run.diagnostics.is_empty(), "{what}, declared `{declared}`: {:#?}", run.diagnostics);
    }
    insta::assert_snapshot!(shown);
}

/// Where no declaration would read the value, none is suggested.
#[test]
fn no_declaration_is_suggested_where_none_would_read_the_value() {
    for (field, text) in [
        ("v: datetime?", "{\"id\": \"a\", \"v\": \"soon\"}"),
        ("v: integer?", "{\"id\": \"a\", \"v\": \"two\"}"),
        ("v: integer? accept numbers in strings", "{\"id\": \"a\", \"v\": 2.5}"),
        ("v: datetime? accept empty as missing", "{\"id\": \"a\", \"v\": \"yesterday\"}"),
    ] {
        let run = engine(field).check([Records::bytes("t.json", text)]);
        assert_eq!(run.diagnostics.len(), 1, "{field} {text}: {:#?}", run.diagnostics);
        let help = run.diagnostics[0].help.as_deref().unwrap_or("");
        assert!(!help.contains("declare"), "{field} {text}: {help}");
    }
}
