//! Exports read as the vendors write them (`fixtures/exports/`): records under a key (`records
//! at`), values spelled as strings, codes or `Y`/`N` (`accept`, enumeration codes), lists in one CSV
//! cell (`separated by`), custom fields as `{id, value}` pairs (`custom field`), and bounded
//! excerpts of wide CSV lines.
//!
//! The first test compares the findings on the fixtures with the rule ids each record declares in
//! an `expect` key (CSV: an `Expect` column), read here with plain serde/csv parsing, independently
//! of Precept's readers. The rest pin the diagnostics (snapshots), the table of what each format
//! accepts without a declaration (docs/language.md), and, by property, the spellings and list cells
//! against small models written here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

use precept::diagnostics::render::{render, Style};
use precept::{Engine, Format, Records};
use proptest::prelude::*;

type Key = (String, usize);

/// The records of a JSON document: itself if an array, else the first array (breadth first) of
/// objects that carry an `expect` key.
fn json_records(v: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut level = vec![v];
    while !level.is_empty() {
        let mut next = Vec::new();
        for v in level {
            match v {
                serde_json::Value::Array(items) if items.iter().all(|i| i.get("expect").is_some()) => {
                    return items.clone()
                }
                serde_json::Value::Object(m) => next.extend(m.values()),
                _ => {}
            }
        }
        level = next;
    }
    panic!("no records with `expect` in {v}");
}

fn declared() -> BTreeMap<Key, Vec<String>> {
    let mut out = BTreeMap::new();
    let dir = common::root().join("fixtures/exports/records");
    let mut paths: Vec<_> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    for path in paths {
        let name =
            path.strip_prefix(common::root().join("fixtures/exports")).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let lists: Vec<Vec<String>> = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
            "json" => json_records(&serde_json::from_str(&text).unwrap())
                .iter()
                .map(|r| r["expect"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect())
                .collect(),
            "csv" => {
                let mut r = csv::Reader::from_reader(text.as_bytes());
                let col = r.headers().unwrap().iter().position(|h| h == "Expect").expect("an Expect column");
                r.records()
                    .map(|rec| {
                        let rec = rec.unwrap();
                        rec.get(col)
                            .unwrap_or("")
                            .split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .collect()
            }
            other => panic!("unexpected fixture {name} ({other})"),
        };
        for (i, mut list) in lists.into_iter().enumerate() {
            list.sort();
            out.insert((name.clone(), i), list);
        }
    }
    out
}

/// The engine over `fixtures/exports/policies`, and the run over its records (paths relative to
/// `fixtures/exports`, so the repository's own `precept.toml` plays no part).
fn fixture_run() -> precept::Run {
    let dir = common::root().join("fixtures/exports");
    let engine = Engine::from_folder(dir.join("policies")).unwrap();
    assert!(engine.warnings().is_empty(), "{:?}", engine.warnings());
    std::env::set_current_dir(&dir).unwrap();
    engine.check([Records::paths(["records"])])
}

#[test]
fn findings_on_the_exports_are_exactly_the_declared_ones() {
    let run = fixture_run();
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    let declared = declared();
    assert_eq!(run.summary.records, declared.len(), "every record was read");
    let mut found: BTreeMap<Key, Vec<String>> = declared.keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in &run.findings {
        found.entry((f.file.name.to_string(), f.record_index)).or_default().push(f.rule_id().to_string());
    }
    for list in found.values_mut() {
        list.sort();
    }
    let wrong: Vec<String> = found
        .iter()
        .filter(|(k, got)| declared.get(*k) != Some(got))
        .map(|(k, got)| format!("{}#{}: declared {:?}, found {got:?}", k.0, k.1, declared.get(k)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every rule of the fixture is broken somewhere.
    for rule in ["fos-leaflet-enclosed", "vulnerable-reviewed", "incident-made-sla", "incident-close-code"] {
        assert!(run.findings.iter().any(|f| f.rule_id() == rule), "{rule}");
    }
}

#[test]
fn findings_on_custom_fields_point_at_their_value() {
    let run = fixture_run();
    let shown = |id: &str| {
        let f = run.findings.iter().find(|f| f.record_id.as_deref() == Some(id)).unwrap();
        (f.file.slice(f.span).to_string(), f.line)
    };
    // `{"value": false, "id": 360001}`: the value, though it comes before the id.
    assert_eq!(shown("35437"), ("false".to_string(), 17));
    // No element with the id: the array's key.
    assert_eq!(shown("35438"), ("\"custom_fields\"".to_string(), 22));
    // Records under `result`, `records`: found by their place in that array.
    assert_eq!(shown("INC0010002"), ("\"false\"".to_string(), 8));
    assert_eq!(shown("00001003"), ("false".to_string(), 14));
    // A list cell of the CSV: the cell.
    assert_eq!(shown("1004"), ("vulnerable-customer".to_string(), 5));
}

const ZENDESK: &str = r#"
schema ticket {
  identified by id
  id: integer
  status: enum { open, solved }
  leaflet: boolean? custom field 360001
}
code "C" { level organisational
  rule leaflet { title "t" for ticket where record.status == solved
    require record.leaflet otherwise false  message "ticket {record.id}" } }
"#;

fn rendered(run: &precept::Run) -> String {
    run.diagnostics.iter().map(|d| render(d, Style::plain())).collect()
}

/// Without `records at`, a wrapped export is one diagnostic that names the clause to add, not one
/// record lacking every field.
#[test]
fn a_wrapped_export_without_records_at_suggests_the_clause() {
    let engine = Engine::from_sources([("p.precept", ZENDESK)]).unwrap();
    let text = "{\n  \"tickets\": [\n    {\"id\": 1, \"status\": \"solved\"}\n  ],\n  \"count\": 1\n}\n";
    let run = engine.check([Records::bytes("tickets.json", text)]);
    assert_eq!(run.summary.records, 0);
    assert_eq!(run.diagnostics.len(), 1, "{:#?}", run.diagnostics);
    let d = &run.diagnostics[0];
    assert_eq!(d.code, "precept::input::records-under-key");
    assert!(d.help.as_deref().unwrap().contains("add `records at \"tickets\"` to schema `ticket`"), "{:?}", d.help);
    insta::assert_snapshot!(rendered(&run));
    // Deeper: the path is dotted.
    let deep = r#"{"meta": {"page": 1}, "data": {"items": [{"id": 1, "status": "open"}]}}"#;
    let run = engine.check([Records::bytes("t.json", deep)]);
    assert!(run.diagnostics[0].help.as_deref().unwrap().contains("`records at \"data.items\"`"));
    // A single record that has the schema's keys is still one record, lists of objects and all.
    let one = r#"{"id": 7, "status": "open", "history": [{"at": 1}]}"#;
    let run = engine.check([Records::bytes("t.json", one)]);
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    assert_eq!(run.summary.records, 1);
}

#[test]
fn records_at_reads_the_array_and_reports_a_path_that_is_not_there() {
    let policy = ZENDESK.replace("identified by id", "identified by id\n  records at \"data.items\"");
    let engine = Engine::from_sources([("p.precept", policy.as_str())]).unwrap();
    let text = "{\"data\": {\"total\": 2, \"items\": [\n{\"id\": 1, \"status\": \"solved\", \"custom_fields\": [{\"id\": 360001, \"value\": true}]},\n{\"id\": 2, \"status\": \"solved\"}\n]}}";
    let run = engine.check([Records::bytes("t.json", text)]);
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    assert_eq!(run.summary.records, 2);
    assert_eq!(run.findings.len(), 1);
    assert_eq!((run.findings[0].record_index, run.findings[0].line), (1, 3));
    // A top-level array is still the records.
    let run = engine.check([Records::bytes("t.json", r#"[{"id": 3, "status": "open"}]"#)]);
    assert_eq!((run.summary.records, run.diagnostics.len()), (1, 0));
    // The key is missing, or not an array.
    let run = engine.check([
        Records::bytes("a.json", r#"{"data": {"records": [{"id": 1, "status": "open"}]}}"#),
        Records::bytes("b.json", r#"{"data": {"items": {"id": 1}}}"#),
    ]);
    assert_eq!(run.summary.records, 0);
    let codes: Vec<&str> = run.diagnostics.iter().map(|d| &*d.code).collect();
    assert_eq!(codes, vec!["precept::input::records-not-found"; 2]);
    assert!(run.diagnostics[0].help.as_deref().unwrap().contains("an array of objects at `data.records`"));
    insta::assert_snapshot!(rendered(&run));
}

/// A custom field's problems are placed at the `value` of its element; an id given twice is
/// refused, not chosen; a `custom_fields` that is not a list costs the custom fields only.
#[test]
fn custom_field_problems_are_placed_at_the_value() {
    let engine = Engine::from_sources([("p.precept", ZENDESK)]).unwrap();
    let text = concat!(
        "{\"id\": 1, \"status\": \"solved\", \"custom_fields\": [{\"id\": 9, \"value\": \"x\"}, {\"id\": 360001, \"value\": \"maybe\"}]}\n",
        "{\"id\": 2, \"status\": \"solved\", \"custom_fields\": [{\"id\": 360001, \"value\": true}, {\"id\": 360001, \"value\": false}]}\n",
        "{\"id\": 3, \"status\": \"solved\", \"custom_fields\": {\"360001\": true}}\n",
        "{\"id\": 4, \"status\": \"solved\", \"custom_fields\": [{\"id\": \"360001\", \"value\": true, \"id\": 5}]}\n",
    );
    let run = engine.check([Records::bytes("t.jsonl", text)]);
    let mut got: Vec<(&str, &str, usize)> =
        run.diagnostics.iter().map(|d| (&*d.code, d.message.as_str(), d.location().unwrap().1)).collect();
    got.sort_by_key(|g| g.2);
    assert_eq!(
        got,
        vec![
            ("precept::input::invalid-value", "`leaflet` is not true or false: `maybe`", 1),
            ("precept::input::invalid-value", "`leaflet` is given twice in `custom_fields` (id `360001`)", 2),
            (
                "precept::input::invalid-value",
                "`leaflet` cannot be read: `custom_fields` is an object, not a list of `{id, value}` objects",
                3
            ),
            ("precept::input::duplicate-key", "key `id` appears twice in one object of a record", 4),
        ]
    );
    assert_eq!(run.summary.records, 3, "bad values cost only the verdicts that depend on them");
    insta::assert_snapshot!(rendered(&run));
}

/// Item 10 of issue 14: a problem on a wide CSV line (a Zendesk export of 600+ characters a line)
/// shows a window around its cell, not whole lines.
#[test]
fn a_wide_csv_line_shows_a_bounded_excerpt() {
    let policy = r#"
schema ticket { identified by id  id: integer column "Id"  reopens: integer column "Reopens" }
code "C" { level organisational
  rule r { title "t" for ticket require record.reopens <= 2 message "ticket {record.id}" } }
"#;
    let engine = Engine::from_sources([("p.precept", policy)]).unwrap();
    let columns: Vec<String> = (0..40).map(|i| format!("Custom column {i} [list]")).collect();
    let mut text = format!("Id,{},Reopens\n", columns.join(","));
    for (id, reopens) in [(1, "0"), (2, "two"), (3, "5")] {
        let cells: Vec<String> = (0..40).map(|i| format!("a value of cell {i:02}")).collect();
        text.push_str(&format!("{id},{},{reopens}\n", cells.join(",")));
    }
    assert!(text.lines().all(|l| l.len() > 600));
    let run = engine.check([Records::bytes("wide.csv", &text)]);
    assert_eq!(run.diagnostics.len(), 1);
    let shown = rendered(&run);
    let finding = run.findings.iter().find(|f| f.record_id.as_deref() == Some("3")).unwrap().file.text.len();
    assert!(finding < 1000, "a finding keeps only its record's line: {finding}");
    for line in shown.lines() {
        assert!(line.chars().count() < 200, "{line}");
    }
    assert!(shown.contains("a value of cell 39,two") && shown.contains(" │ …"), "{shown}");
    insta::assert_snapshot!(shown);
}

/// A declared spelling's error says what the schema accepts.
#[test]
fn declared_spellings_are_named_when_a_value_misses_them() {
    let policy = r#"
schema t {
  identified by id
  id: text
  active: boolean accept "Y"/"N"
  state: enum { open = 1, closed = 2 }
}
code "C" { level organisational
  rule r { title "t" for t where record.state == open require record.active message "x" } }
"#;
    let engine = Engine::from_sources([("p.precept", policy)]).unwrap();
    let run = engine.check([Records::bytes("t.csv", "id,active,state\nA,y,3\nB,Y,1\nC,N,open\n")]);
    assert_eq!(run.summary.records, 3);
    // A's state cannot be read (cannot determine); B is active; C's state is open by its name, and
    // C is not active.
    let ids: Vec<&str> = run.findings.iter().filter_map(|f| f.record_id.as_deref()).collect();
    assert_eq!(ids, vec!["A", "C"]);
    insta::assert_snapshot!(rendered(&run));
}

// ------------------------------------------------------------------ what each format accepts

/// One row of the table in docs/language.md ("What each format accepts"): a field type, a value
/// as written in each format, and whether it is read without a declaration.
fn accepted(ty: &str, format: Format, written: &str) -> bool {
    let policy = format!(
        "schema t {{ identified by id  id: text  v: {ty} }}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t require record.v is present message \"x\" }} }}"
    );
    let engine = Engine::from_sources([("p.precept", policy.as_str())]).unwrap();
    let (name, text) = match format {
        Format::Json => ("t.json", format!("{{\"id\": \"a\", \"v\": {written}}}")),
        Format::Csv => ("t.csv", format!("id,v\na,{written}\n")),
        Format::Toml => ("t.toml", format!("id = \"a\"\nv = {written}\n")),
        Format::Jsonl => unreachable!(),
    };
    let run = engine.check([Records::bytes(name, text)]);
    // (The rule's `is present` on a required field is a warning, not a problem of the record.)
    !run.diagnostics.iter().any(|d| d.is_error()) && run.findings.is_empty()
}

#[test]
fn what_each_format_accepts_without_a_declaration() {
    use Format::{Csv, Json, Toml};
    // (type, format, written, read)
    let rows: &[(&str, Format, &str, bool)] = &[
        // booleans: JSON and TOML take only their own `true`/`false`; CSV also `yes`/`no`, any case.
        ("boolean", Json, "true", true),
        ("boolean", Json, "\"true\"", false),
        ("boolean", Json, "1", false),
        ("boolean", Toml, "false", true),
        ("boolean", Toml, "\"false\"", false),
        ("boolean", Csv, "true", true),
        ("boolean", Csv, "True", true),
        ("boolean", Csv, "YES", true),
        ("boolean", Csv, "no", true),
        ("boolean", Csv, "Y", false),
        ("boolean", Csv, "1", false),
        // integers: a number; in JSON and TOML not a string.
        ("integer", Json, "2", true),
        ("integer", Json, "\"2\"", false),
        ("integer", Toml, "\"2\"", false),
        ("integer", Csv, "2", true),
        ("integer", Csv, "+2", true),
        ("integer", Csv, " 2 ", true),
        // decimals: a number, or (JSON, TOML) a string holding one.
        ("decimal", Json, "2.5", true),
        ("decimal", Json, "\"2.5\"", true),
        ("decimal", Toml, "\"2.5\"", true),
        ("decimal", Csv, "2.5", true),
        // money: a number, or a string with or without the currency.
        ("money GBP", Json, "50", true),
        ("money GBP", Json, "\"50.00\"", true),
        ("money GBP", Json, "\"50.00 GBP\"", true),
        ("money GBP", Toml, "\"50.00 GBP\"", true),
        ("money GBP", Toml, "50", true),
        ("money GBP", Csv, "50.00", true),
        ("money GBP", Csv, "50.00 GBP", true),
        // durations: text, or a whole number of seconds (also as a string).
        ("duration", Json, "\"30m\"", true),
        ("duration", Json, "600", true),
        ("duration", Json, "\"600\"", true),
        ("duration", Toml, "\"30m\"", true),
        ("duration", Toml, "600", true),
        ("duration", Csv, "30m", true),
        // enumerations: the value's name, exactly.
        ("enum { open, closed }", Json, "\"open\"", true),
        ("enum { open, closed }", Json, "\"Open\"", false),
        ("enum { open, closed }", Json, "2", false),
        ("enum { open, closed }", Toml, "\"open\"", true),
        ("enum { open, closed }", Csv, "open", true),
        ("enum { open, closed }", Csv, " open ", true),
        ("enum { open, closed }", Csv, "Open", false),
        // An empty string is not a missing value in JSON and TOML; an empty CSV cell is.
        ("datetime?", Json, "\"\"", false),
        ("text?", Json, "\"\"", true),
        ("text?", Toml, "\"\"", true),
        ("integer?", Toml, "\"\"", false),
    ];
    let wrong: Vec<String> = rows
        .iter()
        .filter(|(ty, format, written, want)| accepted(ty, *format, written) != *want)
        .map(|(ty, format, written, want)| format!("{ty} in {format:?} as {written}: expected read = {want}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // An empty CSV cell is a missing value (so a required field is reported missing).
    assert!(!accepted("integer", Csv, ""));
}

// ------------------------------------------------------------------ properties

/// The model of a declared spelling: what a value written as `text` reads as, for a boolean
/// field declaring `yes`/`no` and (JSON) as a string or a number.
fn model_bool(text: &str, yes: &str, no: &str, csv: bool) -> Option<bool> {
    let t = if csv { text.trim() } else { text };
    if t == yes {
        return Some(true);
    }
    if t == no {
        return Some(false);
    }
    if csv {
        match t.to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        }
    } else {
        None
    }
}

/// An engine over one schema with field `v` as declared, and a rule that `v` is true (or, for
/// an enumeration, `open`).
fn engine_for(field: &str) -> Engine {
    let require = if field.contains("enum") { "record.v == open" } else { "record.v" };
    let policy = format!(
        "schema t {{ identified by id  id: text  {field} }}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t require {require} message \"x\" }} }}"
    );
    Engine::from_sources([("p.precept", policy.as_str())]).unwrap()
}

/// What one record with `v` written as given reads as: `Some(b)` when read (and the rule's verdict
/// is `b`), `None` when the value was refused.
fn read_bool(engine: &Engine, format: Format, cell: &str) -> Option<bool> {
    let run = match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["id", "v"]).unwrap();
            w.write_record(["a", cell]).unwrap();
            engine.check([Records::bytes("t.csv", w.into_inner().unwrap())])
        }
        _ => engine.check([Records::bytes("t.json", format!("{{\"id\": \"a\", \"v\": {}}}", serde_json::json!(cell)))]),
    };
    if !run.diagnostics.is_empty() {
        return None;
    }
    Some(run.findings.is_empty())
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["Y", "N", "y", "yes", "no", "1", "0", "true", "False", "T", " Y", "x", ""])
        .prop_map(String::from)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `accept "<yes>"/"<no>"` reads exactly those texts, beside what the format reads anyway.
    #[test]
    fn boolean_spellings_match_the_model(yes in word(), no in word(), value in word()) {
        prop_assume!(yes != no && !yes.contains('"') && !no.contains('"'));
        let engine = engine_for(&format!("v: boolean accept {:?}/{:?}", yes, no));
        for (format, csv) in [(Format::Csv, true), (Format::Json, false)] {
            // An empty CSV cell is a missing value, reported as such: not a spelling.
            if csv && value.trim().is_empty() {
                continue;
            }
            let want = model_bool(&value, &yes, &no, csv);
            prop_assert_eq!(read_bool(&engine, format, &value), want, "{:?} in {:?}", value, format);
        }
    }

    /// A list cell `separated by` any separator holds the non-blank trimmed pieces, in order.
    #[test]
    fn list_cells_split_as_the_model(
        items in prop::collection::vec("[a-z]{0,3}( [a-z]{1,2})?", 0..6),
        sep in prop::sample::select(vec![" ", ",", ";", "|", " / ", "\t"]),
    ) {
        let policy = format!(
            "schema t {{ identified by id  id: text  tags: list of text separated by {:?} }}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t require count(record.tags) == 999 message \"{{count(record.tags)}}|{{record.tags}}\" }} }}",
            sep
        );
        let engine = Engine::from_sources([("p.precept", policy.as_str())]).unwrap();
        let cell = items.join(sep);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "tags"]).unwrap();
        w.write_record(["a", cell.as_str()]).unwrap();
        let run = engine.check([Records::bytes("t.csv", w.into_inner().unwrap())]);
        prop_assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
        let model: Vec<&str> = cell.split(sep).map(str::trim).filter(|s| !s.is_empty()).collect();
        let message = &run.findings[0].message;
        let count: usize = message.split('|').next().unwrap().parse().unwrap();
        prop_assert_eq!(count, model.len(), "{:?} split by {:?}: {}", cell, sep, message);
    }

    /// Enumeration codes: a code reads as its value, a name as itself, anything else is refused;
    /// a JSON number is read by its text as a code.
    #[test]
    fn enum_codes_match_the_model(value in prop::sample::select(vec!["1", "2", "3", "open", "closed", "Open", "01", " 1", ""])) {
        let engine = engine_for("v: enum { open = 1, closed = \"2\" }");
        let read = |written: String| {
            engine.check([Records::bytes("t.json", format!("{{\"id\": \"a\", \"v\": {written}}}"))]).diagnostics.is_empty()
        };
        let model = matches!(value, "1" | "2" | "open" | "closed");
        prop_assert_eq!(read(serde_json::json!(value).to_string()), model, "{:?}", value);
        if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() && !value.starts_with('0') {
            prop_assert_eq!(read(value.to_string()), model, "{} as a number", value);
        }
    }
}

/// Hostile shapes of the new reading never panic: custom fields of every wrong shape, deep
/// nesting under the records' key, paths through non-objects.
#[test]
fn hostile_exports_are_diagnostics_not_crashes() {
    let policy = ZENDESK.replace("identified by id", "identified by id\n  records at \"a.b\"");
    let engine = Engine::from_sources([("p.precept", policy.as_str())]).unwrap();
    let deep = format!(
        "{{\"a\": {{\"b\": [{{\"id\": 1, \"status\": \"open\", \"custom_fields\": {}{}}}]}}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let inputs = [
        deep,
        r#"{"a": 1}"#.to_string(),
        r#"{"a": {"b": null}}"#.to_string(),
        r#"{"a": {"b": [1, "x", null, [], {}]}}"#.to_string(),
        r#"{"a": {"b": [{"id": 1, "status": "open", "custom_fields": [1, null, "x", [], {"id": null}, {"value": 1}, {"id": {"x": 1}, "value": 2}, {"id": 360001}]}]}}"#.to_string(),
        r#"{"a": {"b": [{"id": 1, "status": "open", "custom_fields": "x"}]}}"#.to_string(),
        r#"{"a.b": [], "a": {"b": []}}"#.to_string(),
        format!("{{\"a\": {{\"b\": [{}]}}}}", vec![r#"{"id": 1, "status": "solved", "custom_fields": [{"id": 360001, "value": true}]}"#; 2000].join(",")),
    ];
    for text in &inputs {
        let run =
            engine.check([Records::bytes("t.json", text.as_str()), Records::bytes("t.jsonl", text.replace('\n', " "))]);
        let _ = rendered(&run);
    }
    // Without `records at`: deep or odd objects are read or reported, never a crash.
    let engine = Engine::from_sources([("p.precept", ZENDESK)]).unwrap();
    for text in [
        format!("{{\"x\": {}{}}}", "{\"y\": ".repeat(3000), "}".repeat(3000)),
        r#"{"": [{}], "a.b": [{}]}"#.to_string(),
    ] {
        let _ = rendered(&engine.check([Records::bytes("t.json", text.as_str())]));
    }
}
