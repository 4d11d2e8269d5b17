//! A bad value costs one verdict, not a record. For every reader (JSON Lines, JSON, CSV, TOML) and
//! many kinds of value that cannot be read (a datetime without an offset or out of the calendar, a
//! value outside its enumeration, `"maybe"` for a boolean, a number that is not one or cannot be
//! held, an amount in another currency, a list element of the wrong type), each record is judged by
//! many rules: those whose outcome depends on the bad value *cannot be determined* (reported at the
//! input diagnostic's line and column, which is still reported, exit status 2), the others give
//! their finding or hold, exactly as for a record without the bad value. Group rules leave such a
//! record out and say how many they left out. A property test compares verdicts with a small
//! independent model of the three outcomes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

use precept::pipeline::{Finding, Outcome, Standing};
use proptest::prelude::*;

const POLICY: &str = r#"
schema s {
  identified by id
  id: text
  status: enum { open, closed }
  at: datetime
  ok: boolean
  n: integer
  d: decimal
  m: money GBP
  tags: list of text
  team: text
}
code "Unreadable" {
  level industry
  rule r-status { for s require record.status == open message "status" }
  rule r-at { for s require record.at > record.at - 1h message "at" }
  rule r-ok { for s require record.ok message "ok" }
  rule r-n { for s require record.n > 0 message "n" }
  rule r-d { for s require record.d >= 0 message "d" }
  rule r-m { for s require record.m >= 0 GBP message "m" }
  rule r-tags { for s require all(t in record.tags: t != "x") message "tags" }
  rule r-and { for s require record.n > 100 and record.ok message "and" }
  rule r-or { for s require record.n > 0 or record.ok message "or" }
  rule r-where { for s where record.status == closed require record.n > 100 message "where" }
  rule r-present { for s require record.at is present and record.status is present message "present" }
  rule r-id { for s require record.id starts with "Z" message "id" }
  rule g-team {
    for s
    group by record.team
    require count() > 100
    message "team {group.team} has {count()} records"
  }
  rule g-sum {
    for s
    group by record.team
    require sum(record.n) > 1000000
    message "team {group.team} sums to {sum(record.n)}"
  }
}
"#;

/// The rules over single records.
const RULES: &[&str] =
    &["r-status", "r-at", "r-ok", "r-n", "r-d", "r-m", "r-tags", "r-and", "r-or", "r-where", "r-present", "r-id"];

/// The three outcomes of a rule for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Holds,
    Broken,
    Open,
}
use Verdict::*;

/// What each rule gives for the good record (status open, ok true, n 5, ...) with `bad` (a field)
/// unreadable: written from the rules' meaning, not from the engine.
fn want(rule: &str, bad: Option<&str>) -> Verdict {
    let is = |f: &str| bad == Some(f);
    match rule {
        "r-status" if is("status") => Open,
        "r-at" if is("at") => Open,
        "r-ok" if is("ok") => Open,
        "r-n" if is("n") => Open,
        "r-d" if is("d") => Open,
        "r-m" if is("m") => Open,
        "r-tags" if is("tags") => Open,
        // `n > 100` is false whatever `ok` is: decided; with `n` unreadable, `ok` true leaves it open.
        "r-and" if is("n") => Open,
        "r-and" => Broken,
        // `n > 0` is true whatever `ok` is; with `n` unreadable, `ok` true decides it.
        "r-or" => Holds,
        // The `where` cannot be read and the requirement is broken: whether the rule applies decides.
        "r-where" if is("status") => Open,
        // An unreadable value is there: present.
        "r-present" => Holds,
        "r-id" => Broken,
        _ => Holds,
    }
}

/// A bad value: the field, and how it is written in JSON (also TOML, unless given) and in CSV
/// (`None`: not expressible in that format, e.g. a list element of the wrong type in a cell).
struct Bad {
    field: &'static str,
    json: &'static str,
    toml: Option<&'static str>,
    csv: Option<&'static str>,
}

const fn bad(field: &'static str, json: &'static str, toml: Option<&'static str>, csv: Option<&'static str>) -> Bad {
    Bad { field, json, toml, csv }
}

fn bads() -> Vec<Bad> {
    vec![
        bad("status", r#""opne""#, None, Some("opne")),
        bad("status", r#""OPEN""#, None, Some("OPEN")),
        bad("status", "3", None, Some("3")),
        bad("status", "true", None, Some("shut")),
        bad("at", r#""2024-03-01T09:00:00""#, Some("2024-03-01T09:00:00"), Some("2024-03-01T09:00:00")),
        bad("at", r#""2024-13-01T09:00:00Z""#, None, Some("2024-13-01T09:00:00Z")),
        bad("at", r#""yesterday""#, None, Some("yesterday")),
        bad("at", "17", None, Some("17")),
        bad(
            "at",
            r#""2024-03-01T09:00:00+05:00[Europe/London]""#,
            None,
            Some("2024-03-01T09:00:00+05:00[Europe/London]"),
        ),
        bad("ok", r#""maybe""#, None, Some("maybe")),
        bad("ok", r#""true""#, None, Some("2")),
        bad("ok", "1", None, Some("sure")),
        bad("n", r#""two""#, None, Some("two")),
        bad("n", "1.5", None, Some("1.5")),
        bad("n", "99999999999999999999", None, Some("99999999999999999999")),
        bad("n", "[1]", None, None),
        bad("d", r#""abc""#, None, Some("abc")),
        bad("d", r#""1.2.3""#, None, Some("1.2.3")),
        bad("d", r#""1.00000000000000000000000000001""#, None, Some("1.00000000000000000000000000001")),
        bad("m", r#""3.00 EUR""#, None, Some("3.00 EUR")),
        bad("m", r#""0.001 GBP""#, None, Some("0.001 GBP")),
        bad("m", r#""lots""#, None, Some("lots")),
        bad("tags", r#"["a", 3]"#, None, None),
        bad("tags", r#"["a", null]"#, Some(r#"["a", 4.5]"#), None),
        bad("tags", r#""a""#, None, None),
    ]
}

const FIELDS: &[&str] = &["id", "status", "at", "ok", "n", "d", "m", "tags", "team"];

/// The good record's fields as JSON, TOML and CSV text.
fn good(field: &str, id: &str) -> (String, String, String) {
    let (json, csv) = match field {
        "id" => (format!("\"{id}\""), id.to_string()),
        "status" => ("\"open\"".into(), "open".into()),
        "at" => ("\"2024-03-01T09:00:00Z\"".into(), "2024-03-01T09:00:00Z".into()),
        "ok" => ("true".into(), "true".into()),
        "n" => ("5".into(), "5".into()),
        "d" => ("1.5".into(), "1.5".into()),
        "m" => ("\"3.00 GBP\"".into(), "3.00 GBP".into()),
        "tags" => ("[\"a\", \"b\"]".into(), "a;b".into()),
        _ => ("\"t\"".into(), "t".into()),
    };
    let toml = if field == "at" { "2024-03-01T09:00:00Z".to_string() } else { json.clone() };
    (json, toml, csv)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fmt {
    Jsonl,
    Json,
    Csv,
    Toml,
}

/// `records` (id, the bad value if any) as one file of `fmt`: its name (as a file in a folder
/// `records` would be shown) and its text.
fn record_file(fmt: Fmt, records: &[(String, Option<&Bad>)]) -> (String, String) {
    let cell = |f: &str, id: &str, b: Option<&Bad>, which: Fmt| -> Option<String> {
        let (j, t, c) = good(f, id);
        match b.filter(|b| b.field == f) {
            None => Some(match which {
                Fmt::Csv => c,
                Fmt::Toml => t,
                _ => j,
            }),
            Some(b) => match which {
                Fmt::Csv => b.csv.map(str::to_string),
                Fmt::Toml => Some(b.toml.unwrap_or(b.json).to_string()),
                _ => Some(b.json.to_string()),
            },
        }
    };
    let (name, text) = match fmt {
        Fmt::Jsonl | Fmt::Json => {
            let lines: Vec<String> = records
                .iter()
                .map(|(id, b)| {
                    let parts: Vec<String> =
                        FIELDS.iter().map(|f| format!("\"{f}\": {}", cell(f, id, *b, Fmt::Json).unwrap())).collect();
                    format!("{{{}}}", parts.join(", "))
                })
                .collect();
            if fmt == Fmt::Jsonl {
                ("r.jsonl", lines.join("\n") + "\n")
            } else {
                ("r.json", format!("[\n{}\n]\n", lines.join(",\n")))
            }
        }
        Fmt::Toml => {
            let mut out = String::new();
            for (id, b) in records {
                out.push_str("[[record]]\n");
                for f in FIELDS {
                    out.push_str(&format!("{f} = {}\n", cell(f, id, *b, Fmt::Toml).unwrap()));
                }
                out.push('\n');
            }
            ("r.toml", out)
        }
        Fmt::Csv => {
            let mut out = FIELDS.join(",") + "\n";
            for (id, b) in records {
                let cells: Vec<String> = FIELDS
                    .iter()
                    .map(|f| {
                        let c = cell(f, id, *b, Fmt::Csv).unwrap();
                        if c.contains(',') || c.contains('"') {
                            format!("\"{}\"", c.replace('"', "\"\""))
                        } else {
                            c
                        }
                    })
                    .collect();
                out.push_str(&cells.join(","));
                out.push('\n');
            }
            ("r.csv", out)
        }
    };
    (format!("records/{name}"), text)
}

fn verdicts(findings: &[Finding]) -> BTreeMap<(String, String), (Verdict, usize, usize)> {
    findings
        .iter()
        .filter(|f| f.subject == precept::findings::Subject::Record)
        .map(|f| {
            let v = if f.standing.is_undetermined() { Open } else { Broken };
            ((f.record_id.clone().unwrap_or_default(), f.rule_id().to_string()), (v, f.line, f.column))
        })
        .collect()
}

#[test]
fn each_reader_keeps_a_record_with_a_bad_value_for_the_rules_that_do_not_depend_on_it() {
    for fmt in [Fmt::Jsonl, Fmt::Json, Fmt::Csv, Fmt::Toml] {
        let engine = common::engine(POLICY);
        let all = bads();
        let usable: Vec<&Bad> = all
            .iter()
            .filter(|b| match fmt {
                Fmt::Csv => b.csv.is_some(),
                _ => true,
            })
            .collect();
        // A good record between bad ones: nothing of one record leaks into the next.
        let mut records: Vec<(String, Option<&Bad>)> = Vec::new();
        for (k, b) in usable.iter().enumerate() {
            records.push((format!("good-{k}"), None));
            records.push((format!("bad-{k}"), Some(*b)));
        }
        let (file, text) = record_file(fmt, &records);
        let (outcome, findings) = common::check(&engine, &[(&file, text)]);
        assert_eq!(outcome.records, records.len(), "{fmt:?}: every record is kept");
        // One input diagnostic per bad value, each located.
        let diags: Vec<(usize, usize)> = outcome
            .diagnostics
            .iter()
            .filter(|d| &*d.code == "precept::input::invalid-value")
            .map(|d| {
                let (f, l, c) = d.location().unwrap_or_else(|| panic!("{fmt:?}: {} has no place", d.message));
                assert!(f.ends_with(&file), "{f} is not {file}");
                (l, c)
            })
            .collect();
        assert_eq!(diags.len(), usable.len(), "{fmt:?}: {:#?}", outcome.diagnostics);
        assert!(outcome.diagnostics.iter().all(|d| &*d.code == "precept::input::invalid-value"), "{fmt:?}");
        let got = verdicts(&findings);
        let mut wrong = Vec::new();
        let mut open = 0;
        for (id, b) in &records {
            for rule in RULES {
                let want = want(rule, b.map(|b| b.field));
                let (v, line, column) = got.get(&(id.clone(), rule.to_string())).copied().unwrap_or((Holds, 0, 0));
                if v != want {
                    wrong.push(format!("{fmt:?} {id} ({:?}) {rule}: want {want:?}, got {v:?}", b.map(|b| b.json)));
                }
                if v == Open {
                    open += 1;
                    // Placed exactly where the input diagnostic about the value is.
                    if !diags.contains(&(line, column)) {
                        wrong
                            .push(format!("{fmt:?} {id} {rule}: undetermined at {line}:{column}, no diagnostic there"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(open >= usable.len(), "{fmt:?}: every bad value leaves at least one rule undetermined");
        // Counted apart: findings, outcomes that cannot be determined, clean records.
        assert_eq!(outcome.tally.undetermined, open, "{fmt:?}");
        assert_eq!(outcome.findings(), findings.iter().filter(|f| !f.standing.is_undetermined()).count());
        assert_eq!(outcome.tally.records_with_findings, records.len(), "{fmt:?}: `r-id` breaks for every record");
        // Group rules: a record whose aggregated value (`n`) cannot be read is left out of `g-sum`;
        // `g-team` reads nothing that can be bad, and counts every record.
        let left: BTreeMap<&str, usize> = outcome.left_out.iter().map(|(r, n)| (r.as_str(), *n)).collect();
        let bad_n = usable.iter().filter(|b| b.field == "n").count();
        assert_eq!(left.get("g-sum").copied(), Some(bad_n), "{fmt:?}: {left:?}");
        assert_eq!(left.get("g-team"), None, "{fmt:?}");
        let sum = findings.iter().find(|f| f.rule_id() == "g-sum").expect("the group is broken");
        assert!(
            sum.evidence.iter().any(|e| e.facts.iter().any(|(k, v)| *k == "left_out" && *v == bad_n.to_string())),
            "{fmt:?}: {:?}",
            sum.evidence
        );
        let team = findings.iter().find(|f| f.rule_id() == "g-team").expect("the group is broken");
        assert!(team.message.contains(&format!("has {} records", records.len())), "{}", team.message);
    }
}

#[test]
fn a_structurally_unusable_record_is_still_skipped_whole() {
    let engine = common::engine(POLICY);
    let (j, _, _) = good("status", "x");
    let line = |id: &str| {
        let parts: Vec<String> = FIELDS.iter().map(|f| format!("\"{f}\": {}", good(f, id).0)).collect();
        format!("{{{}}}", parts.join(", "))
    };
    let text = [
        line("ok-1"),
        // A key twice, with a bad value too: unusable, not a record with an unreadable value.
        line("dup").replacen("{", &format!("{{\"status\": {j}, \"n\": \"two\", "), 1),
        "[1, 2]".to_string(),
        "{\"id\": \"x\",".to_string(),
        // A required field absent, with a bad value too.
        line("absent").replace("\"team\": \"t\"", "\"zz\": 1").replace("\"n\": 5", "\"n\": \"two\""),
        line("ok-2"),
    ]
    .join("\n");
    let (outcome, findings) = common::check(&engine, &[("records/r.jsonl", text + "\n")]);
    assert_eq!(outcome.records, 2, "{:#?}", outcome.diagnostics);
    let ids: std::collections::BTreeSet<&str> = findings.iter().filter_map(|f| f.record_id.as_deref()).collect();
    assert!(ids.contains("ok-1") && ids.contains("ok-2") && !ids.contains("dup") && !ids.contains("absent"), "{ids:?}");
    assert_eq!(outcome.tally.undetermined, 0);
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| &*d.code).collect();
    for code in ["precept::input::duplicate-key", "precept::input::json", "precept::input::missing-field"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
}

#[test]
fn reports_show_outcomes_that_cannot_be_determined() {
    let fixture = common::root().join("fixtures/unreadable");
    let before = common::tree_checksum(&fixture);
    let human = common::precept_in(&fixture, &["check", "--no-config", "--policies", "policies", "records"]);
    assert_eq!(human.code, 2, "{}", human.snapshot());
    assert!(human.stdout.contains("cannot determine `sla-acknowledged`"), "{}", human.stdout);
    insta::assert_snapshot!("unreadable_human", human.snapshot());
    let json = common::precept_in(
        &fixture,
        &["check", "--no-config", "--policies", "policies", "records", "--format", "json"],
    );
    assert_eq!(json.code, 2);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let open: Vec<&serde_json::Value> =
        doc["findings"].as_array().unwrap().iter().filter(|f| f["standing"] == "cannot_determine").collect();
    assert!(!open.is_empty());
    for f in &open {
        let note = &f["cannot_determine"];
        assert_eq!(note["code"], "precept::input::invalid-value");
        assert_eq!((&note["line"], &note["column"]), (&f["line"], &f["column"]));
        // The input diagnostic at the same place is in the report too.
        assert!(doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["line"] == f["line"] && d["column"] == f["column"] && d["message"] == note["message"]));
    }
    assert_eq!(doc["summary"]["cannot_determine"], open.len());
    let r = &doc["summary"]["records_outcome"];
    assert_eq!(
        r["with_findings"].as_u64().unwrap() + r["cannot_determine"].as_u64().unwrap() + r["clean"].as_u64().unwrap(),
        doc["summary"]["records"].as_u64().unwrap()
    );
    insta::assert_snapshot!("unreadable_json", json.stdout);
    // The JSON report against its own published schema, with the new standing and summary fields.
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/json-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // SARIF: a result of kind `review`, level `none`, valid against the SARIF 2.1.0 schema.
    let sarif = common::precept_in(
        &fixture,
        &["check", "--no-config", "--policies", "policies", "records", "--output", "sarif"],
    );
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let reviews: Vec<&serde_json::Value> =
        doc["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r["kind"] == "review").collect();
    assert_eq!(reviews.len(), open.len());
    assert!(reviews.iter().all(|r| r["level"] == "none"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // JUnit: a rule with no failing finding but an outcome that cannot be determined is skipped.
    // files on disk: this tests the command line writing a report to a file.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.xml");
    let run = common::precept_in(
        &fixture,
        &["check", "--no-config", "--policies", "policies", "records", "--output", &format!("junit={}", out.display())],
    );
    assert_eq!(run.code, 2);
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("<skipped message=\"cannot be determined for 1 record"), "{xml}");
    assert_eq!(common::tree_checksum(&fixture), before, "a fixture file changed");
}

// ---- The property: verdicts against an independent model of three outcomes. ----

/// A value in the model: known, missing (absent optional field) or unreadable.
#[derive(Debug, Clone, Copy, PartialEq)]
enum M {
    Bool(bool),
    Int(i64),
    Missing,
    /// A computation with no answer (division by zero).
    NoAnswer,
    Unreadable,
}

/// A field's value as generated: a value, absent, or a bad value of the given text.
#[derive(Debug, Clone)]
enum Gen {
    Val(i64),
    Absent,
    Bad(&'static str),
}

const BOOL_FIELDS: &[&str] = &["a", "b"];
const INT_FIELDS: &[&str] = &["x", "y"];

#[derive(Debug, Clone)]
enum E {
    BoolField(usize),
    Gt(usize, i64),
    GtFields(usize, usize),
    Present(usize),
    /// `record.a / record.b > record.c` over the integer fields (`a`, `b`, `c` as indices).
    DivGt(usize, usize, usize),
    Not(Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
    Implies(Box<E>, Box<E>),
}

fn expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![
        (0..2usize).prop_map(E::BoolField),
        (0..2usize, -2..3i64).prop_map(|(f, k)| E::Gt(f, k)),
        (0..2usize, 0..2usize).prop_map(|(a, b)| E::GtFields(a, b)),
        (0..4usize).prop_map(E::Present),
        (0..2usize, 0..2usize, 0..2usize).prop_map(|(a, b, c)| E::DivGt(a, b, c)),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| E::Not(Box::new(e))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| E::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| E::Or(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| E::Implies(Box::new(a), Box::new(b))),
        ]
    })
}

fn text(e: &E) -> String {
    match e {
        E::BoolField(i) => format!("(record.{} == true)", BOOL_FIELDS[*i]),
        E::Gt(i, k) => format!("(record.{} > {k})", INT_FIELDS[*i]),
        E::GtFields(a, b) => format!("(record.{} > record.{})", INT_FIELDS[*a], INT_FIELDS[*b]),
        E::Present(i) => format!("(record.{} is present)", ["a", "b", "o", "p"][*i]),
        E::DivGt(a, b, c) => {
            format!("(record.{} / record.{} > record.{})", INT_FIELDS[*a], INT_FIELDS[*b], INT_FIELDS[*c])
        }
        E::Not(x) => format!("(not {})", text(x)),
        E::And(a, b) => format!("({} and {})", text(a), text(b)),
        E::Or(a, b) => format!("({} or {})", text(a), text(b)),
        E::Implies(a, b) => format!("({} implies {})", text(a), text(b)),
    }
}

/// The model: Kleene logic whose unknown says why. An operator that needs both values is decided
/// by a missing one whatever the unreadable one held; a connective left open by its known sides is
/// unreadable if either side is.
fn model(e: &E, rec: &[M; 6]) -> M {
    let open = |l: M, r: M| match (l, r) {
        (M::Unreadable, _) | (_, M::Unreadable) => M::Unreadable,
        (M::NoAnswer, _) | (_, M::NoAnswer) => M::NoAnswer,
        _ => M::Missing,
    };
    match e {
        E::BoolField(i) => rec[*i],
        E::Gt(i, k) => match rec[2 + i] {
            M::Int(v) => M::Bool(v > *k),
            other => other,
        },
        E::GtFields(a, b) => match (rec[2 + a], rec[2 + b]) {
            (M::Int(x), M::Int(y)) => M::Bool(x > y),
            (M::Missing, _) | (_, M::Missing) => M::Missing,
            _ => M::Unreadable,
        },
        E::DivGt(a, b, c) => {
            // The quotient first: no answer for a zero divisor with both operands known.
            let quotient = match (rec[2 + a], rec[2 + b]) {
                (M::Int(_), M::Int(0)) => Err(M::NoAnswer),
                (M::Int(x), M::Int(y)) => Ok((x, y)),
                _ => Err(M::Unreadable),
            };
            match (quotient, rec[2 + c]) {
                // No answer decides the comparison whatever the other side.
                (Err(M::NoAnswer), _) => M::NoAnswer,
                // x / y > z, exactly, without dividing.
                (Ok((x, y)), M::Int(z)) => M::Bool(if y > 0 { x > z * y } else { x < z * y }),
                _ => M::Unreadable,
            }
        }
        E::Present(i) => M::Bool(rec[if *i < 2 { *i } else { *i + 2 }] != M::Missing),
        E::Not(x) => match model(x, rec) {
            M::Bool(b) => M::Bool(!b),
            other => other,
        },
        E::And(a, b) => match (model(a, rec), model(b, rec)) {
            (M::Bool(false), _) | (_, M::Bool(false)) => M::Bool(false),
            (M::Bool(true), M::Bool(true)) => M::Bool(true),
            (l, r) => open(l, r),
        },
        E::Or(a, b) => match (model(a, rec), model(b, rec)) {
            (M::Bool(true), _) | (_, M::Bool(true)) => M::Bool(true),
            (M::Bool(false), M::Bool(false)) => M::Bool(false),
            (l, r) => open(l, r),
        },
        E::Implies(a, b) => match (model(a, rec), model(b, rec)) {
            (M::Bool(false), _) | (_, M::Bool(true)) => M::Bool(true),
            (M::Bool(true), M::Bool(false)) => M::Bool(false),
            (l, r) => open(l, r),
        },
    }
}

/// A rule's verdict in the model, with an optional `where`.
fn model_verdict(filter: Option<&E>, require: &E, rec: &[M; 6]) -> Verdict {
    let req = model(require, rec);
    let broken_or_open = match req {
        M::Bool(true) => return Holds,
        M::Unreadable => Open,
        _ => Broken,
    };
    match filter.map(|f| model(f, rec)) {
        None | Some(M::Bool(true)) => broken_or_open,
        Some(M::Unreadable) => Open,
        Some(_) => Holds,
    }
}

/// A required field's value: a value or a bad value (an absent required field skips the record).
fn required() -> impl Strategy<Value = Gen> {
    prop_oneof![
        3 => (-2..3i64).prop_map(Gen::Val),
        2 => prop_oneof![Just("\"maybe\""), Just("\"two\""), Just("1.5"), Just("[1]"), Just("{}")].prop_map(Gen::Bad),
    ]
}

fn field() -> impl Strategy<Value = Gen> {
    prop_oneof![
        3 => (-2..3i64).prop_map(Gen::Val),
        1 => Just(Gen::Absent),
        2 => prop_oneof![Just("\"maybe\""), Just("\"two\""), Just("1.5"), Just("[1]"), Just("{}")].prop_map(Gen::Bad),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn verdicts_agree_with_an_independent_model_of_three_outcomes(
        rules in proptest::collection::vec((proptest::option::of(expr()), expr()), 1..8),
        records in proptest::collection::vec((proptest::array::uniform4(required()), proptest::array::uniform2(field())), 1..12),
    ) {
        let mut policy = String::from(
            "schema s {\n  identified by id\n  id: text\n  a: boolean\n  b: boolean\n  x: integer\n  y: integer\n  o: integer?\n  p: integer?\n}\ncode \"P\" {\n  level industry\n",
        );
        for (i, (filter, req)) in rules.iter().enumerate() {
            let filter = filter.as_ref().map(|f| format!(" where {}", text(f))).unwrap_or_default();
            policy.push_str(&format!("  rule p-{i} {{ for s{filter} require {} message \"p\" }}\n", text(req)));
        }
        policy.push_str("}\n");
        let engine = common::engine(&policy);
        let mut lines = Vec::new();
        let mut models = Vec::new();
        for (r, (req, opt)) in records.iter().enumerate() {
            let mut parts = vec![format!("\"id\": \"r{r}\"")];
            let mut m = [M::Missing; 6];
            for (k, g) in req.iter().chain(opt.iter()).enumerate() {
                let name = ["a", "b", "x", "y", "o", "p"][k];
                match g {
                    Gen::Absent => {}
                    Gen::Bad(t) => {
                        parts.push(format!("\"{name}\": {t}"));
                        m[k] = M::Unreadable;
                    }
                    Gen::Val(v) if k < 2 => {
                        parts.push(format!("\"{name}\": {}", *v > 0));
                        m[k] = M::Bool(*v > 0);
                    }
                    Gen::Val(v) => {
                        parts.push(format!("\"{name}\": {v}"));
                        m[k] = M::Int(*v);
                    }
                }
            }
            lines.push(format!("{{{}}}", parts.join(", ")));
            models.push(m);
        }
        let (outcome, findings) = common::check(&engine, &[("records/r.jsonl", lines.join("\n") + "\n")]);
        prop_assert_eq!(outcome.records, records.len());
        let got = verdicts(&findings);
        for (r, m) in models.iter().enumerate() {
            for (i, (filter, req)) in rules.iter().enumerate() {
                let want = model_verdict(filter.as_ref(), req, m);
                let v = got.get(&(format!("r{r}"), format!("p-{i}"))).map_or(Holds, |g| g.0);
                prop_assert_eq!(v, want, "record r{} {:?}: rule p-{} where {:?} require {}", r, m, i, filter.as_ref().map(text), text(req));
            }
        }
        let open = got.values().filter(|v| v.0 == Open).count();
        prop_assert_eq!(outcome.tally.undetermined, open);
        prop_assert!(findings.iter().filter(|f| f.standing.is_undetermined()).all(|f| matches!(f.standing, Standing::Undetermined(_))));
        let _ = Outcome::default();
    }
}

#[test]
fn a_case_rule_leaves_out_an_event_whose_time_or_kind_cannot_be_read_and_says_how_many() {
    let policy = r#"
schema ev {
  identified by id
  id: text
  case: text
  status: enum { received, answered }
  at: datetime
}
code "Cases" {
  level industry
  rule answered-in-a-day {
    for ev
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within 1d
    message "case {group.case} was answered late"
  }
}
"#;
    // Case A: its closing's time cannot be read, so the closing is left out: still open at the end
    // of the data (case B's last event), past its deadline: a finding that says one event was left
    // out. Case B: an event of unreadable kind is left out; its own events close it in time.
    let bad_events = [
        (r#""answered""#, r#""2024-03-01T09:00:00""#),
        (r#""answered""#, r#""2024-03-01T25:00:00Z""#),
        (r#""shut""#, r#""2024-03-01T10:00:00Z""#),
        (r#"7"#, r#""2024-03-01T10:00:00Z""#),
    ];
    for fmt_bad in bad_events.iter().enumerate() {
        let (k, (status, at)) = fmt_bad;
        let engine = common::engine(policy);
        let lines = [
            r#"{"id": "e1", "case": "A", "status": "received", "at": "2024-03-01T08:00:00Z"}"#.to_string(),
            format!(r#"{{"id": "e2", "case": "A", "status": {status}, "at": {at}}}"#),
            r#"{"id": "e3", "case": "B", "status": "received", "at": "2024-03-05T08:00:00Z"}"#.to_string(),
            r#"{"id": "e4", "case": "B", "status": "answered", "at": "2024-03-05T09:00:00Z"}"#.to_string(),
        ];
        let (outcome, findings) = common::check(&engine, &[("records/e.jsonl", lines.join("\n") + "\n")]);
        assert_eq!(outcome.records, 4, "case {k}: the record with the bad value is kept");
        assert_eq!(outcome.left_out, vec![("answered-in-a-day".to_string(), 1)], "case {k}");
        let late: Vec<&Finding> = findings.iter().filter(|f| f.rule_id() == "answered-in-a-day").collect();
        assert_eq!(late.len(), 1, "case {k}: {late:#?}");
        assert_eq!(late[0].record_id.as_deref(), Some("A"));
        assert!(
            late[0].evidence.iter().any(|e| e.facts.contains(&("left_out", "1".to_string()))),
            "{:?}",
            late[0].evidence
        );
        assert!(outcome
            .diagnostics
            .iter()
            .any(|d| &*d.code == "precept::input::invalid-value" && d.location().is_some_and(|l| l.1 == 2)));
    }
}
