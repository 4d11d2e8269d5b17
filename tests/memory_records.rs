//! Records in memory are read, reported and located exactly as the same bytes in a file are.
//!
//! Every case checks one input twice, from a file on disk and from memory
//! ([`RecordFile::from_bytes`]), through the whole check (`check_files`), and asserts the same
//! diagnostics and the same findings, byte for byte (their `Debug` forms: codes, messages, the text
//! shown, spans, lines). The inputs are the awkward ones: byte-order marks, CRLF line ends, quoted CSV
//! cells with line breaks, lines past the `record-line` limit, files past the `record-file` limit,
//! bytes that are not UTF-8, empty input, JSON arrays and TOML `[[record]]` tables. Each case also
//! says which diagnostic codes it must give, so that two equal empty answers cannot pass.
//!
//! A property test then locates findings with a [`Locator`] in random small JSON Lines and CSV
//! inputs, from disk and from memory, and compares both with a small model of the text a finding
//! shows (the record's own lines, without their line ends) and its first line.
//!
//! The limits are process-wide, so this file sets them once, small, for all its tests: a record
//! line may be 200 bytes, a record file 4 KiB.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::sync::OnceLock;

use precept::data::{self, Format, Locator, RecordFile, SchemaGlobs};
use precept::diagnostics::Diag;
use precept::engine::blame::Step;
use precept::engine::Program;
use precept::input::{self, Kind};
use proptest::prelude::*;

const POLICY: &str = r#"
schema ticket {
  files "tickets/*.jsonl", "*.tickets.csv"
  identified by id
  id: text
  n: integer
  note: text?
  tags: list of text
  customer: { kind: text  name: text? }?
}

schema call {
  files "calls/*"
  identified by id
  id: text
}

code "Memory" {
  level industry
  rule positive { for ticket require record.n > 0 message "n is {record.n}" }
  rule starts-t { for ticket require record.id starts with "T" message "id is {record.id}" }
  rule no-x { for ticket require all(t in record.tags: t != "x") message "a tag is x" }
  rule retail {
    for ticket
    where record.customer is present
    require record.customer.kind == "retail"
    message "kind is {record.customer.kind}"
  }
}
"#;

const RECORD_LINE: u64 = 200;
const RECORD_FILE: u64 = 4096;

/// The program, and the limits set once for every test of this file.
fn program() -> &'static Program {
    static ENGINE: OnceLock<precept::Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            input::set_limit(Kind::RecordLine, RECORD_LINE);
            input::set_limit(Kind::RecordFile, RECORD_FILE);
            precept::Engine::from_sources([("p.precept", POLICY)])
                .unwrap_or_else(|diags| panic!("the policy checks: {diags:?}"))
        })
        .program()
}

fn ticket() -> usize {
    program().schemas.iter().position(|s| s.name == "ticket").unwrap()
}

/// What a check of one file gave: its diagnostics and its findings, as text to compare.
#[derive(Debug, PartialEq)]
struct Checked {
    diags: Vec<Diag>,
    findings: Vec<String>,
    records: usize,
}

fn check(file: RecordFile) -> Checked {
    let mut findings = Vec::new();
    let outcome = precept::pipeline::check_files(program(), None, vec![file], Vec::new(), &mut |f| {
        findings.push(format!("{f:?}"))
    });
    Checked { diags: outcome.diagnostics, findings, records: outcome.records }
}

/// `bytes` as a file named `name` in a new folder (kept by the returned value), shown as `name`.
fn on_disk(name: &str, format: Format, bytes: &[u8]) -> (tempfile::TempDir, RecordFile) {
    // files on disk: this compares reading a file with reading the same bytes in memory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut file = RecordFile::from_path(path, format, ticket());
    file.name = name.to_string();
    (dir, file)
}

/// Check `bytes` from disk and from memory; they must agree, and give at least the codes `want`.
fn same(format: Format, bytes: &[u8], want: &[&str]) -> Checked {
    let name = match format {
        Format::Jsonl => "records.jsonl",
        Format::Json => "records.json",
        Format::Toml => "records.toml",
        Format::Csv => "records.csv",
    };
    let (_dir, disk) = on_disk(name, format, bytes);
    let from_disk = check(disk);
    let from_memory = check(RecordFile::from_bytes(name, format, ticket(), bytes.to_vec()));
    assert_eq!(from_memory, from_disk, "{format:?} {:?}", String::from_utf8_lossy(bytes));
    let codes: Vec<&str> = from_disk.diags.iter().map(|d| &*d.code).collect();
    for code in want {
        assert!(codes.contains(code), "{format:?}: no {code} in {codes:?}\n{:?}", String::from_utf8_lossy(bytes));
    }
    from_disk
}

const GOOD: &str = r#"{"id": "T-1", "n": 3, "tags": ["a"]}"#;
const BROKEN: &str = r#"{"id": "X-2", "n": 0, "tags": ["x", "b"], "customer": {"kind": "business"}}"#;

#[test]
fn json_lines() {
    let out = same(Format::Jsonl, format!("{GOOD}\n{BROKEN}\n\n{GOOD}\n").as_bytes(), &[]);
    assert_eq!((out.records, out.findings.len()), (3, 4));
    let crlf = format!("\u{feff}{BROKEN}\r\n{{\"id\": \"T-3\", \"n\": \"two\", \"tags\": []}}\r\n\r\n{BROKEN}");
    let out = same(Format::Jsonl, crlf.as_bytes(), &["precept::input::invalid-value"]);
    assert!(out.findings.len() >= 8, "{:?}", out.findings);
    let long =
        format!("{GOOD}\n{{\"id\": \"T-9\", \"n\": 1, \"tags\": [], \"note\": \"{}\"}}\n{BROKEN}\n", "z".repeat(300));
    let out = same(Format::Jsonl, long.as_bytes(), &["precept::input::too-large"]);
    assert_eq!(out.records, 2);
    let mut bad = format!("{GOOD}\n").into_bytes();
    bad.extend_from_slice(b"{\"id\": \"T-\xff\", \"n\": 1, \"tags\": []}\r\n");
    bad.extend_from_slice(BROKEN.as_bytes());
    same(Format::Jsonl, &bad, &["precept::input::invalid-utf8"]);
    same(Format::Jsonl, b"", &["precept::input::empty-file"]);
    same(Format::Jsonl, b"\xEF\xBB\xBF \r\n\n", &["precept::input::empty-file"]);
    same(Format::Jsonl, format!("{GOOD}\n{{\"id\": ,}}\n[1]\n{BROKEN}").as_bytes(), &["precept::input::json"]);
}

#[test]
fn json() {
    let array =
        format!("\u{feff}[\r\n  {GOOD},\r\n  {BROKEN},\r\n  {{\"id\": \"T-4\", \"n\": \"x\", \"tags\": []}}\r\n]\r\n");
    let out = same(Format::Json, array.as_bytes(), &["precept::input::invalid-value"]);
    assert!(out.findings.len() >= 4, "{:?}", out.findings);
    let out = same(Format::Json, BROKEN.as_bytes(), &[]);
    assert_eq!(out.findings.len(), 4);
    same(Format::Json, b"[{\"id\": \"T-\xfe\", \"n\": 1, \"tags\": []}]", &["precept::input::invalid-utf8"]);
    same(Format::Json, b"", &["precept::input::empty-file"]);
    same(Format::Json, b"[]", &[]);
    same(Format::Json, format!("[{GOOD},\n {{\"id\": }}]").as_bytes(), &["precept::input::json"]);
    let big = format!("[{}]", vec![BROKEN; 60].join(",\n"));
    assert!(big.len() as u64 > RECORD_FILE);
    same(Format::Json, big.as_bytes(), &["precept::input::too-large"]);
}

#[test]
fn toml() {
    let tables = "\u{feff}[[record]]\r\nid = \"T-1\"\r\nn = 0\r\ntags = [\"x\"]\r\n\r\n[[record]]\r\nid = \"X-2\"\r\nn = \"two\"\r\ntags = []\r\n[record.customer]\r\nkind = \"business\"\r\n";
    let out = same(Format::Toml, tables.as_bytes(), &["precept::input::invalid-value"]);
    assert!(out.findings.len() >= 3, "{:?}", out.findings);
    let one = "id = \"X-1\"\nn = -1\ntags = [\"a\", \"x\"]\n";
    assert_eq!(same(Format::Toml, one.as_bytes(), &[]).findings.len(), 3);
    same(Format::Toml, b"id = \"T-\xff\"\nn = 1\ntags = []\n", &["precept::input::invalid-utf8"]);
    same(Format::Toml, b"", &["precept::input::empty-file"]);
    same(Format::Toml, b"id = \n", &["precept::input::toml"]);
    let big = "[[record]]\nid = \"T-1\"\nn = 1\ntags = []\n".repeat(120);
    same(Format::Toml, big.as_bytes(), &["precept::input::too-large"]);
}

#[test]
fn csv() {
    let header = "id,n,note,tags,customer.kind,customer.name\n";
    let rows = format!(
        "\u{feff}{header}T-1,3,,a,,\nX-2,0,\"two\nlines\",x;b,business,\"Smith, J\"\r\nT-3,1,\"a \"\"quoted\"\"\r\nbreak\",,retail,\nT-4,-1,,,,\n"
    );
    let out = same(Format::Csv, rows.as_bytes(), &[]);
    assert_eq!(out.records, 4);
    assert!(out.findings.len() >= 5, "{:?}", out.findings);
    let long = format!("{header}T-1,0,{},a,,\nX-2,0,,x,,\n", "z".repeat(300));
    let out = same(Format::Csv, long.as_bytes(), &["precept::input::too-large"]);
    assert_eq!(out.records, 1);
    let mut bad = header.as_bytes().to_vec();
    bad.extend_from_slice(b"T-1,0,\"Sm\xffth\",,,\nX-2,0,,,,\n");
    same(Format::Csv, &bad, &["precept::input::invalid-utf8"]);
    same(Format::Csv, b"", &["precept::input::empty-file"]);
    same(Format::Csv, format!("{header}X-1,0\nX-2,zero,,,,\n").as_bytes(), &["precept::input::csv-row-length"]);
    same(Format::Csv, b"id,note\nT-1,x\n", &["precept::input::csv-missing-column"]);
    same(Format::Csv, format!("{header}T-1,1,\"never closed,,,\n").as_bytes(), &[]);
}

/// JSON values are checked as the JSON Lines file of their compact forms.
#[test]
fn values_are_checked_as_json_lines() {
    let values: Vec<serde_json::Value> = [GOOD, BROKEN, "[1, 2]", r#"{"id": "T-5", "n": "many", "tags": []}"#]
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    let lines: String = values.iter().map(|v| format!("{v}\n")).collect();
    let (_dir, disk) = on_disk("values.jsonl", Format::Jsonl, lines.as_bytes());
    let from_disk = check(disk);
    let from_values = check(RecordFile::from_values("values.jsonl", ticket(), &values));
    assert_eq!(from_values, from_disk);
    let codes: Vec<&str> = from_values.diags.iter().map(|d| &*d.code).collect();
    assert_eq!(codes, ["precept::input::invalid-value", "precept::input::invalid-value"]);
    assert_eq!(from_values.findings.len(), 5, "{:?}", from_values.findings);
}

/// A name chooses the schema as a path found in a folder does, with the same diagnostic when no
/// schema takes it.
#[test]
fn a_name_chooses_the_schema() {
    let p = program();
    let call = p.schemas.iter().position(|s| s.name == "call").unwrap();
    let globs = SchemaGlobs::new(p);
    assert_eq!(globs.schema_for("tickets/today.jsonl").ok(), Some(ticket()));
    assert_eq!(globs.schema_for("march.tickets.csv").ok(), Some(ticket()));
    assert_eq!(globs.schema_for("exports/march.tickets.csv").ok(), Some(ticket()), "by its last part");
    assert_eq!(globs.schema_for("calls/1.json").ok(), Some(call));
    let file = RecordFile::by_name(p, "calls/2.csv", Format::Csv, b"id\nC-1\n".to_vec()).unwrap();
    assert_eq!((file.schema, file.path()), (call, None));

    let no = globs.schema_for("other.jsonl").unwrap_err();
    // files on disk: the diagnostic of the walk (`discover`) is compared with the one by name.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.jsonl"), "{}\n").unwrap();
    let (files, found) = data::discover(&[dir.path().join("other.jsonl")], p);
    assert!(files.is_empty());
    let shown = precept::text::name(&dir.path().join("other.jsonl"));
    assert_eq!(found.len(), 1);
    assert_eq!((&found[0].code, &found[0].help), (&no.code, &no.help));
    assert_eq!(found[0].message.replace(&shown, "other.jsonl"), no.message);
    assert_eq!(no.code, "precept::input::no-schema");
}

/// One record line of a random JSON Lines file: a record, a blank line, or one that is not JSON.
fn jsonl_line() -> impl Strategy<Value = String> {
    let id = prop_oneof![Just("T-1"), Just("X-2"), Just("é\\\"")];
    let n = prop_oneof![Just("0"), Just("7"), Just("\"two\"")];
    let tags = prop_oneof![Just("[]"), Just("[\"x\"]"), Just("[\"a\", \"x\"]"), Just("[1]")];
    let customer = prop_oneof![Just(""), Just(", \"customer\": {\"kind\": \"business\"}"), Just(", \"customer\": {}")];
    let record = (id, n, tags, customer, "[ \t]{0,2}")
        .prop_map(|(id, n, tags, c, ws)| format!("{ws}{{\"id\": \"{id}\", \"n\": {n}, \"tags\": {tags}{c}}}"));
    prop_oneof![6 => record, 1 => Just(String::new()), 1 => Just("  ".to_string()), 1 => Just("{\"id\": ".to_string())]
}

/// One cell of a random CSV file, quoted ones with commas, quotes and line breaks among them.
fn csv_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zX0-9 ]{0,4}",
        1 => Just("\"a,b\"".to_string()),
        1 => Just("\"two\nlines\"".to_string()),
        1 => Just("\"three\r\nlines\nhere\"".to_string()),
        1 => Just("\"say \"\"hi\"\"\"".to_string()),
        1 => Just("x;y".to_string()),
    ]
}

fn csv_row() -> impl Strategy<Value = String> {
    prop::collection::vec(csv_cell(), 4..=7).prop_map(|cells| cells.join(","))
}

/// A random small file: its lines, optionally a byte-order mark and CRLF line ends.
fn input(format: Format) -> BoxedStrategy<Vec<u8>> {
    let lines = match format {
        Format::Csv => prop::collection::vec(csv_row(), 0..8)
            .prop_map(|rows| {
                let mut all = vec!["id,n,note,tags,customer.kind,customer.name".to_string()];
                all.extend(rows);
                all
            })
            .boxed(),
        _ => prop::collection::vec(jsonl_line(), 0..8).boxed(),
    };
    (lines, any::<bool>(), any::<bool>(), any::<bool>())
        .prop_map(|(lines, bom, crlf, last_break)| {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
            text.push_str(&lines.join(end));
            if last_break {
                text.push_str(end);
            }
            text.into_bytes()
        })
        .boxed()
}

/// The model: the text a finding on the record starting at 1-based `line` shows: that line and,
/// in CSV, the lines that follow while its quotes are open; each without its line end.
fn model_text(bytes: &[u8], format: Format, line: usize) -> String {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let mut shown: Vec<&str> = Vec::new();
    for l in lines.iter().skip(line - 1) {
        shown.push(l);
        let quotes: usize = shown.iter().map(|s| s.matches('"').count()).sum();
        if format != Format::Csv || quotes.is_multiple_of(2) {
            break;
        }
    }
    shown.join("\n")
}

/// The blamed paths asked about for every record: the record, each field, a list element, a
/// nested field, and places that are not there.
fn paths() -> Vec<Vec<Step>> {
    use Step::{Field as F, Index as I};
    vec![
        vec![],
        vec![F(0)],
        vec![F(1)],
        vec![F(2)],
        vec![F(3)],
        vec![F(3), I(1)],
        vec![F(4), F(0)],
        vec![F(4), F(1)],
        vec![F(9)],
    ]
}

fn locate_both(format: Format, bytes: &[u8]) -> Result<(), TestCaseError> {
    let name = if format == Format::Csv { "p.csv" } else { "p.jsonl" };
    let (_dir, disk) = on_disk(name, format, bytes);
    let memory = RecordFile::from_bytes(name, format, ticket(), bytes.to_vec());
    let mut records = Vec::new();
    let diags = data::read_file(&memory, program(), 3, &mut |batch| records.extend(batch));
    let mut from_disk = Vec::new();
    let disk_diags = data::read_file(&disk, program(), 3, &mut |batch| from_disk.extend(batch));
    prop_assert_eq!(&diags, &disk_diags);
    prop_assert_eq!(&records, &from_disk);
    let (mut a, mut b) = (Locator::new(&memory), Locator::new(&disk));
    prop_assert!(a.streams());
    for r in &records {
        let want = model_text(bytes, format, r.line);
        for path in paths() {
            let here = a.locate(program(), r.ordinal, r.line, &path);
            prop_assert_eq!(&here, &b.locate(program(), r.ordinal, r.line, &path));
            prop_assert_eq!(&*here.file.text, want.as_str(), "line {} {:?}", r.line, path);
            prop_assert_eq!(here.first_line(), r.line);
            prop_assert!(here.span.end <= here.file.text.len());
            prop_assert!(here.file.text.is_char_boundary(here.span.start));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// JSON Lines: the locator finds the same place from memory as from disk, in the text the
    /// model says.
    #[test]
    fn jsonl_is_located_alike_from_memory_and_disk(bytes in input(Format::Jsonl)) {
        locate_both(Format::Jsonl, &bytes)?;
    }

    /// CSV, quoted line breaks and all: the same.
    #[test]
    fn csv_is_located_alike_from_memory_and_disk(bytes in input(Format::Csv)) {
        locate_both(Format::Csv, &bytes)?;
    }
}

/// A JSON or TOML file is read once for all its findings, and only when a finding is located.
#[test]
fn a_whole_file_is_located_in_its_whole_text() {
    let text = format!("[\n{GOOD},\n{BROKEN}\n]");
    let (_dir, disk) = on_disk("w.json", Format::Json, text.as_bytes());
    let memory = RecordFile::from_bytes("w.json", Format::Json, ticket(), text.as_bytes().to_vec());
    let (mut a, mut b) = (Locator::new(&memory), Locator::new(&disk));
    assert!(!a.streams());
    let at = a.locate(program(), 1, 3, &[Step::Field(4), Step::Field(0)]);
    assert_eq!(at, b.locate(program(), 1, 3, &[Step::Field(4), Step::Field(0)]));
    assert_eq!((&*at.file.text, at.first_line()), (text.as_str(), 1));
    assert_eq!(at.file.slice(at.span), "\"business\"");
    assert_eq!(at.file.line_col(at.span.start).0, 3);
}
