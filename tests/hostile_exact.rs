//! Hostile input that must never change a value silently: duplicate JSON keys and CSV columns,
//! numbers a type cannot hold exactly, and globs that cannot compile. Each class is generated over
//! many cases; every run asserts the exit status, the code, the place (and the related place where
//! one is owed), that the other records and files were still checked, and that no input changed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

const POLICY: &str = r#"schema s {
  id: text identified by id
  n: integer
  d: decimal?
  m: money GBP?
  t: duration?
}
code "C" {
  level industry
  rule r { for s require record.n > 0  message "n of {record.id}" }
  rule dd { for s where record.d is present require record.d == 0  message "d of {record.id} is {record.d}" }
  rule mm { for s where record.m is present require record.m == 0 GBP  message "m of {record.id} is {record.m}" }
  rule tt { for s where record.t is present require record.t == 0s  message "t of {record.id}" }
}
"#;

struct Case {
    dir: PathBuf,
}

impl Case {
    fn new(name: &str) -> Case {
        // files on disk: each case runs the binary, which writes a SARIF report to a file.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile_exact").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        std::fs::create_dir_all(dir.join("records")).unwrap();
        std::fs::create_dir_all(dir.join("out")).unwrap();
        std::fs::write(dir.join("policies/p.precept"), POLICY).unwrap();
        Case { dir }
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.dir.join(rel), bytes).unwrap();
    }

    /// Run `check` with a JSON report on stdout and a SARIF report in `out/`, asserting no panic and
    /// that the inputs are unchanged; returns the exit status, the JSON report and the SARIF report.
    /// The settings file is read only when `extra` names it (the project's own is further up).
    fn run(&self, extra: &[&str]) -> (i32, Json, Json) {
        let (code, json, sarif, _) = self.run_full(extra);
        (code, json, sarif)
    }

    fn run_full(&self, extra: &[&str]) -> (i32, Json, Json, String) {
        let inputs = |d: &Path| [common::tree_checksum(&d.join("policies")), common::tree_checksum(&d.join("records"))];
        let before = inputs(&self.dir);
        let settings_before = std::fs::read(self.dir.join("precept.toml")).ok();
        let waivers_before = std::fs::read(self.dir.join("waivers.toml")).ok();
        let mut args = vec!["check", "--policies", "policies", "--output", "json", "--output", "sarif=out/r.sarif"];
        if !extra.contains(&"--config") {
            args.push("--no-config");
        }
        args.extend_from_slice(extra);
        args.push("records");
        let out = Command::new(env!("CARGO_BIN_EXE_precept"))
            .args(&args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        let code = out.status.code().unwrap_or(-1);
        assert!(matches!(code, 0..=2), "exit {code}: {stderr}");
        assert_eq!(inputs(&self.dir), before, "an input changed");
        assert_eq!(std::fs::read(self.dir.join("precept.toml")).ok(), settings_before);
        assert_eq!(std::fs::read(self.dir.join("waivers.toml")).ok(), waivers_before);
        // A run stopped by its settings writes no report (yet): the diagnostics are on stderr.
        let json: Json = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
        let sarif: Json = std::fs::read(self.dir.join("out/r.sarif"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Json::Null);
        (code, json, sarif, stderr.into_owned())
    }
}

/// The diagnostics of a JSON report with `code`, as (file, line, column, related (line, column)s).
type Place = (String, u64, u64, Vec<(u64, u64)>);

fn diags(json: &Json, code: &str) -> Vec<Place> {
    let mut out: Vec<Place> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            let related = d["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_u64().unwrap()))
                .collect();
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
                related,
            )
        })
        .collect();
    out.sort();
    out
}

/// The record ids of findings of `rule`, sorted.
fn found(json: &Json, rule: &str) -> Vec<String> {
    let mut ids: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["standing"] != "cannot_determine")
        .map(|f| f["record"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    ids
}

/// The records for which `rule` cannot be determined (a value it depends on could not be read).
fn undetermined(json: &Json, rule: &str) -> Vec<String> {
    let mut ids: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["standing"] == "cannot_determine")
        .map(|f| f["record"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    ids
}

/// Bad records written to one file (the report shows at most 50 diagnostics a file).
const PER_FILE: usize = 40;

/// Assert two lists are equal, showing only what differs.
#[track_caller]
fn same<T: std::fmt::Debug + PartialEq>(got: &[T], want: &[T]) {
    let extra: Vec<&T> = got.iter().filter(|g| !want.contains(g)).collect();
    let missing: Vec<&T> = want.iter().filter(|w| !got.contains(w)).collect();
    assert!(extra.is_empty() && missing.is_empty() && got.len() == want.len(), "extra {extra:?}\nmissing {missing:?}");
}

/// 1-based column of byte `offset` in an ASCII line.
fn col(offset: usize) -> u64 {
    offset as u64 + 1
}

/// The `n`-th (0-based) occurrence of `needle` in `hay`.
fn nth(hay: &str, needle: &str, n: usize) -> usize {
    hay.match_indices(needle).nth(n).map(|(i, _)| i).unwrap_or_else(|| panic!("no {n}th `{needle}` in {hay}"))
}

/// A record with a duplicate key: `(line, first key offset, second key offset)`.
struct Dup {
    text: String,
    first: usize,
    second: usize,
}

/// Records (one line each) whose key appears twice in one object, at depth 0..=12, in arrays of
/// objects, in objects past the linear-comparison size, spelt plainly and with escapes.
fn duplicate_records() -> Vec<Dup> {
    let mut out = Vec::new();
    let spellings = [("\"k\"", "\"k\""), ("\"k\"", "\"\\u006b\""), ("\"\\u006B\"", "\"k\""), ("\"k\"", "\"\\u006B\"")];
    // Shallow, around the depth where skipping hands over to serde_json (32), and far deeper than
    // serde_json's recursion limit (128).
    for depth in (0..=12usize).chain([30, 31, 32, 33, 34, 40, 127, 128, 129, 500, 2000]) {
        for (si, (a, b)) in spellings.iter().enumerate() {
            let id = format!("dup-{depth}-{si}");
            let inner = format!("{{{a}: 1, \"other\": 2, {b}: 3}}");
            let mut value = inner.clone();
            for _ in 0..depth {
                value = format!("{{\"x\": {value}}}");
            }
            let text = format!("{{\"id\": \"{id}\", \"n\": 0, \"deep\": {value}}}");
            let at = text.find(&inner).unwrap();
            out.push(Dup { first: at + 1, second: at + inner.rfind(b).unwrap(), text });
        }
    }
    // A field the rules read, twice at the top level (which value wins must not be guessed).
    let text = r#"{"id": "dup-top", "n": 0, "n": 5}"#.to_string();
    out.push(Dup { first: nth(&text, "\"n\"", 0), second: nth(&text, "\"n\"", 1), text });
    // In the second of an array of objects.
    for len in 1..6 {
        let items: Vec<String> = (0..len).map(|i| format!("{{\"a\": {i}}}")).collect();
        let text = format!(
            "{{\"id\": \"dup-arr-{len}\", \"n\": 0, \"list\": [{}, {{\"a\": 1, \"b\": 2, \"a\": 3}}]}}",
            items.join(", ")
        );
        let tail = text.rfind("{\"a\": 1, \"b\"").unwrap();
        out.push(Dup { first: tail + 1, second: tail + nth(&text[tail..], "\"a\"", 1), text });
    }
    // Large objects (past 32 keys a hash set is used): the duplicate at many positions, on both
    // sides of that size.
    for size in [17usize, 20, 32, 33, 40, 200] {
        for pos in [0, 5, size - 1] {
            let mut keys: Vec<String> = (0..size).map(|i| format!("\"k{i}\": {i}")).collect();
            keys.push(format!("\"k{pos}\": 0"));
            let obj = format!("{{{}}}", keys.join(", "));
            let text = format!("{{\"id\": \"dup-big-{size}-{pos}\", \"n\": 0, \"big\": {obj}}}");
            let key = format!("\"k{pos}\"");
            let base = text.find(&obj).unwrap();
            let first = base + obj.find(&format!("{key}:")).unwrap();
            let second = base + obj.rfind(&format!("{key}:")).unwrap();
            out.push(Dup { first, second, text });
        }
    }
    out
}

/// Records that look like duplicates but are not: the same key in sibling objects, keys that differ
/// only after the 8th byte, a key equal to a value, and large objects of distinct keys.
fn lookalike_records() -> Vec<String> {
    let mut out = vec![
        r#"{"id": "ok-siblings", "n": 0, "a": {"k": 1}, "b": {"k": 1}, "c": [{"k": 1}, {"k": 2}]}"#.to_string(),
        r#"{"id": "ok-long", "n": 0, "x": {"abcdefgh1": 1, "abcdefgh2": 2, "abcdefgh": 3}}"#.to_string(),
        r#"{"id": "ok-value", "n": 0, "x": {"k": "k", "j": "k"}}"#.to_string(),
        r#"{"id": "ok-escape", "n": 0, "x": {"\u006b": 1, "K": 2, "k\u0000": 3}}"#.to_string(),
    ];
    for size in [16usize, 17, 32, 33, 300] {
        let keys: Vec<String> = (0..size).map(|i| format!("\"k{i}\": {{\"k{i}\": {i}}}")).collect();
        out.push(format!("{{\"id\": \"ok-big-{size}\", \"n\": 0, \"big\": {{{}}}}}", keys.join(", ")));
    }
    out
}

#[test]
fn duplicate_json_keys_are_errors_with_both_places_in_jsonl_and_json() {
    let c = Case::new("dup-json");
    let dups = duplicate_records();
    let fine = lookalike_records();
    let mut want = Vec::new();
    let mut good = Vec::new();
    // At most PER_FILE bad records a file, so that no diagnostic is cut by the per-file limit.
    for (k, chunk) in dups.chunks(PER_FILE).enumerate() {
        // JSON Lines: a good record (n = 0, so a finding) between every bad one.
        let name = format!("records/a{k}.jsonl");
        let mut lines = Vec::new();
        for (i, d) in chunk.iter().enumerate() {
            let id = format!("good-{k}-{i}");
            lines.push(format!("{{\"id\": \"{id}\", \"n\": 0}}"));
            good.push(id);
            lines.push(d.text.clone());
            let line = lines.len() as u64;
            want.push((name.clone(), line, col(d.second), vec![(line, col(d.first))]));
        }
        c.write(&name, lines.join("\n") + "\n");
        // A JSON array of the same records, one per line after the `[`.
        let name = format!("records/b{k}.json");
        let mut body = String::from("[\n");
        for (i, d) in chunk.iter().enumerate() {
            body.push_str(&d.text);
            body.push_str(",\n");
            want.push((name.clone(), i as u64 + 2, col(d.second), vec![(i as u64 + 2, col(d.first))]));
        }
        body.push_str(&format!("{{\"id\": \"json-good-{k}\", \"n\": 0}}\n]\n"));
        good.push(format!("json-good-{k}"));
        c.write(&name, &body);
    }
    let mut lines = Vec::new();
    for f in &fine {
        lines.push(f.clone());
        good.push(serde_json::from_str::<Json>(f).unwrap()["id"].as_str().unwrap().to_string());
    }
    c.write("records/fine.jsonl", lines.join("\n") + "\n");
    // One whole-file object with a duplicate: the file's only record is skipped.
    c.write("records/c.json", "{\"id\": \"whole\",\n \"n\": 0,\n \"n\": 1}\n");
    want.push(("records/c.json".to_string(), 3, 2, vec![(2, 2)]));
    want.sort();

    let (code, json, sarif) = c.run(&[]);
    assert_eq!(code, 2);
    same(&diags(&json, "precept::input::duplicate-key"), &want);
    good.sort();
    assert_eq!(found(&json, "r"), good, "every other record is checked, no duplicate record is");
    // SARIF carries the first place too: each notification has two locations.
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    let dup_notes: Vec<&Json> =
        notes.iter().filter(|n| n["descriptor"]["id"] == "precept::input::duplicate-key").collect();
    assert_eq!(dup_notes.len(), want.len());
    for n in dup_notes {
        let locs = n["locations"].as_array().unwrap();
        assert_eq!(locs.len(), 2, "{n}");
        assert!(locs[1]["message"]["text"].as_str().unwrap().starts_with("first `"), "{n}");
    }
}

#[test]
fn duplicate_csv_headers_in_every_position() {
    let c = Case::new("dup-csv");
    let mut want = Vec::new();
    let mut checked = Vec::new();
    let mut file = 0;
    for width in 3..=7usize {
        for first in 0..width {
            for second in first + 1..width {
                // The duplicated column is `n` (read by a rule: the file is not read) or `z` (not read:
                // the records are), with and without spaces around the second.
                for (dup, read) in [("n", true), ("z", false), (" z ", false)] {
                    let mut names: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
                    names[first] = dup.trim().to_string();
                    names[second] = dup.to_string();
                    let (id_col, n_col) = match (0..width).filter(|i| *i != first && *i != second).collect::<Vec<_>>()[..]
                    {
                        [a, b, ..] => (a, b),
                        _ => continue,
                    };
                    if dup.trim() == "n" {
                        names[id_col] = "id".into();
                    } else {
                        names[id_col] = "id".into();
                        names[n_col] = "n".into();
                    }
                    let header = names.join(",");
                    let id = format!("csv-{file}");
                    let row: Vec<String> =
                        (0..width).map(|i| if i == id_col { id.clone() } else { "0".to_string() }).collect();
                    let name = format!("records/f{file}.csv");
                    c.write(&name, format!("{header}\n{}\n", row.join(",")));
                    let off = |i: usize| header.split(',').take(i).map(|s| s.len() + 1).sum::<usize>();
                    want.push((name, 1u64, col(off(second)), vec![(1u64, col(off(first)))]));
                    if !read {
                        checked.push(id);
                    }
                    file += 1;
                }
            }
        }
    }
    c.write("records/zz-good.csv", "id,n\nplain,0\n");
    checked.push("plain".to_string());
    // A byte-order mark before the first header does not make `id` a different name.
    c.write("records/bom.csv", "\u{feff}id,n,id\nbom,0,x\n");
    // (The mark is dropped, so columns are those of the file without it.)
    want.push(("records/bom.csv".to_string(), 1, 6, vec![(1, 1)]));
    want.sort();
    checked.sort();
    let (code, json, _) = c.run(&[]);
    assert_eq!(code, 2);
    same(&diags(&json, "precept::input::duplicate-column"), &want);
    assert_eq!(found(&json, "r"), checked);
}

/// (field, JSON value text, CSV cell text) that no field type can hold exactly.
fn inexact_numbers() -> Vec<(&'static str, String, bool)> {
    let mut v: Vec<(&'static str, String, bool)> = Vec::new();
    for f in ["d", "m"] {
        for t in [
            "79228162514264337593543950336",
            "1.00000000000000000000000000001",
            "0.00000000000000000000000000001",
            "123456789012345678901234567890",
            "1e-400",
            "1e400",
            "-1e400",
            "1e29",
            "1.5e-29",
            "\"1e-400\"",
        ] {
            v.push((f, t.to_string(), true));
        }
        for digits in 30..=40 {
            v.push((f, format!("1.{}", "3".repeat(digits)), true));
            v.push((f, "9".repeat(digits), true));
        }
    }
    for t in ["\"0.001 GBP\"", "0.001", "\"12.505\"", "1.999", "\"0.0000001 GBP\""] {
        v.push(("m", t.to_string(), true));
    }
    for t in ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "3.0", "1e2", "1.5", "-0.0"] {
        v.push(("n", t.to_string(), true));
    }
    for t in ["9223372036854775808", "1.5", "1e3"] {
        v.push(("t", t.to_string(), true));
    }
    v
}

/// (field, JSON value text, the value as the finding's message must show it).
fn exact_numbers() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("d", "1.234567890123456789012345678", "1.234567890123456789012345678"),
        ("d", "7922816251426433759354395033.5", "7922816251426433759354395033.5"),
        ("d", "1234567890123456789012345678", "1234567890123456789012345678"),
        ("d", "0.0000000000000000000000000001", "0.0000000000000000000000000001"),
        ("d", "1.5e3", "1500"),
        ("d", "125E-2", "1.25"),
        ("d", "\"12.50\"", "12.50"),
        ("m", "18446744073709551616", "18446744073709551616"),
        ("m", "\"0.100 GBP\"", "0.1"),
        ("m", "\"123456789012345678901234567.89 GBP\"", "123456789012345678901234567.89"),
    ]
}

#[test]
fn numbers_that_cannot_be_held_exactly_are_errors_at_the_value() {
    let c = Case::new("numbers");
    let mut lines = Vec::new();
    let mut want = Vec::new();
    let mut good = Vec::new();
    // Records whose `n` cannot be read: `r` cannot be determined for them; a record with another
    // bad value is still judged by `r` (and breaks it, with `n` 0).
    let mut open = Vec::new();
    let mut name = String::new();
    for (i, (field, text, _)) in inexact_numbers().iter().enumerate() {
        if i % PER_FILE == 0 {
            if !lines.is_empty() {
                c.write(&name, lines.join("\n") + "\n");
            }
            lines.clear();
            name = format!("records/a{}.jsonl", i / PER_FILE);
        }
        let id = format!("ok-{i}");
        lines.push(format!("{{\"id\": \"{id}\", \"n\": 0}}"));
        good.push(id);
        let n = if *field == "n" { text.clone() } else { "0".to_string() };
        let mut rec = format!("{{\"id\": \"bad-{i}\", \"n\": {n}");
        if *field != "n" {
            rec.push_str(&format!(", \"{field}\": {text}"));
        }
        rec.push('}');
        let at = rec.rfind(text.as_str()).unwrap();
        if *field == "n" { &mut open } else { &mut good }.push(format!("bad-{i}"));
        lines.push(rec);
        want.push((name.clone(), lines.len() as u64, col(at), vec![]));
    }
    c.write(&name, lines.join("\n") + "\n");
    let mut lines = Vec::new();
    let exact = exact_numbers();
    // One rule per exact value, that breaks only if the value read equals the literal exactly
    // (messages round decimals for people, so the comparison is the proof).
    let mut rules = String::new();
    let mut equal = Vec::new();
    for (i, (field, text, value)) in exact.iter().enumerate() {
        let id = format!("exact-{i}");
        lines.push(format!("{{\"id\": \"{id}\", \"n\": 0, \"{field}\": {text}}}"));
        good.push(id.clone());
        // (Whole literals in a policy are 64-bit; `.0` makes a large one a decimal.)
        let value = if value.contains('.') { value.to_string() } else { format!("{value}.0") };
        let literal = if *field == "m" { format!("{value} GBP") } else { value };
        rules.push_str(&format!(
            "  rule e{i} {{ for s where record.id == \"{id}\" and record.{field} is present require record.{field} != {literal} }}\n"
        ));
        equal.push((format!("e{i}"), id));
    }
    let policy = POLICY.trim_end().strip_suffix('}').unwrap().to_string() + &rules + "}\n";
    c.write("policies/p.precept", policy);
    c.write("records/exact.jsonl", lines.join("\n") + "\n");
    // The same values as CSV cells (strings lose their quotes: a cell is text).
    let mut csv = String::new();
    let mut line = 1;
    for (i, (field, text, _)) in inexact_numbers().iter().enumerate() {
        if i % PER_FILE == 0 {
            if !csv.is_empty() {
                c.write(&name, &csv);
            }
            csv = String::from("id,n,d,m,t\n");
            line = 1;
            name = format!("records/b{}.csv", i / PER_FILE);
        }
        let cell = text.trim_matches('"');
        let cells = ["csv-bad", "0", "", "", ""];
        let mut cells: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        cells[0] = format!("csv-bad-{i}");
        let k = ["id", "n", "d", "m", "t"].iter().position(|f| f == field).unwrap();
        cells[k] = cell.to_string();
        if *field == "n" { &mut open } else { &mut good }.push(format!("csv-bad-{i}"));
        let row = cells.join(",");
        let at = cells.iter().take(k).map(|c| c.len() + 1).sum::<usize>();
        line += 1;
        csv.push_str(&row);
        csv.push('\n');
        want.push((name.clone(), line, col(at), vec![]));
        csv.push_str(&format!("csv-ok-{i},0,,,\n"));
        line += 1;
        good.push(format!("csv-ok-{i}"));
    }
    c.write(&name, &csv);
    want.sort();

    let (code, json, _) = c.run(&[]);
    assert_eq!(code, 2);
    same(&diags(&json, "precept::input::invalid-value"), &want);
    good.sort();
    assert_eq!(
        found(&json, "r"),
        good,
        "the other records are checked, and the inexact ones by rules not reading the value"
    );
    // A value that cannot be held exactly costs the verdicts that depend on it, not the record.
    open.sort();
    assert!(!open.is_empty());
    assert_eq!(undetermined(&json, "r"), open, "`r` cannot be determined where `n` cannot be read");
    for (rule, id) in equal {
        assert_eq!(found(&json, &rule), vec![id], "{rule}");
    }
}

/// Globs: (text, whether it compiles) over nesting depths 1..=300, lengths, and wide alternations.
fn globs() -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for depth in 1..=300usize {
        out.push((format!("{}a{}", "{".repeat(depth), "}".repeat(depth)), depth <= precept::glob::MAX_NESTING));
    }
    for depth in [2usize, 8, 16, 17, 64] {
        let mut g = String::from("*.jsonl");
        for i in 0..depth {
            g = format!("{{{g},x{i}/**}}");
        }
        out.push((g, depth <= precept::glob::MAX_NESTING));
    }
    for len in [10usize, 500, precept::glob::MAX_LEN, precept::glob::MAX_LEN + 1, 100_000] {
        out.push(("*".repeat(len), len <= precept::glob::MAX_LEN));
    }
    let wide = (0..100).map(|i| format!("n{i}")).collect::<Vec<_>>().join(",");
    out.push((format!("{{{wide}}}"), true));
    out.push(("{a,b".to_string(), false));
    out.push(("[z-a]".to_string(), false));
    out
}

fn toml_string(s: &str) -> String {
    format!("'{s}'")
}

#[test]
fn globs_that_cannot_compile_are_diagnostics_in_every_place() {
    let all = globs();
    let bad = all.iter().filter(|(_, ok)| !ok).count();
    // Settings: one `include` pattern a line; a bad one is a diagnostic on its line.
    let c = Case::new("globs-settings");
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 0}\n");
    let lines: Vec<String> = all.iter().map(|(g, _)| format!("  {},", toml_string(g))).collect();
    c.write("precept.toml", format!("include = [\n{}\n]\n", lines.join("\n")));
    // Settings that cannot be used stop the run before any record is read, so the places are read
    // from the diagnostics on stderr.
    let (code, _, _, stderr) = c.run_full(&["--config", "precept.toml"]);
    assert_eq!(code, 2);
    let want: Vec<String> =
        all.iter().enumerate().filter(|(_, (_, ok))| !ok).map(|(i, _)| format!("[precept.toml:{}:3]", i + 2)).collect();
    // A snippet header `[precept.toml:L:C]`, or `(at precept.toml:L:C)` for a line too long to show.
    let got: Vec<String> = stderr
        .split("precept.toml:")
        .skip(1)
        .map(|rest| {
            let place: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
            format!("[precept.toml:{place}]")
        })
        .collect();
    same(&got, &want);
    assert_eq!(stderr.matches("precept::config::invalid").count(), bad);
    // The good patterns alone are accepted, and the record is checked.
    let lines: Vec<String> = all.iter().filter(|(_, ok)| *ok).map(|(g, _)| format!("  {},", toml_string(g))).collect();
    c.write("precept.toml", format!("include = [\n{}\n]\n", lines.join("\n")));
    let (code, json, _) = c.run(&["--config", "precept.toml"]);
    assert_eq!((code, found(&json, "r")), (1, vec!["a".to_string()]), "{json}");

    // Waivers: one waiver per pattern; the bad ones are diagnostics at the pattern, the rest of the
    // run goes on (the record is still checked).
    let c = Case::new("globs-waivers");
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 0}\n");
    let mut text = String::new();
    let mut want = Vec::new();
    for (g, ok) in &all {
        text.push_str("[[waiver]]\nrule = \"r\"\nrecord = \"zz\"\njustification = \"j\"\napprover = \"a\"\nexpires = 2999-12-31\n");
        if !ok {
            want.push(text.lines().count() as u64 + 1);
        }
        text.push_str(&format!("files = {}\n", toml_string(g)));
    }
    c.write("waivers.toml", &text);
    let (code, json, _) = c.run(&["--waivers", "waivers.toml"]);
    assert_eq!(code, 2);
    let got = diags(&json, "precept::waiver::invalid");
    assert_eq!(got.iter().map(|d| d.1).collect::<Vec<_>>(), want, "{json}");
    assert!(got.iter().all(|d| d.0 == "waivers.toml" && d.2 == 9));
    assert_eq!(found(&json, "r"), vec!["a".to_string()]);
    assert_eq!(want.len(), bad);

    // Schema `files`: each pattern on its own line of one schema.
    let c = Case::new("globs-schema");
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 0}\n");
    let files: Vec<String> = all.iter().map(|(g, _)| format!("    \"{g}\"")).collect();
    let policy = POLICY.replacen("schema s {\n", &format!("schema s {{\n  files\n{}\n", files.join(",\n")), 1);
    c.write("policies/p.precept", &policy);
    let (code, json, _) = c.run(&[]);
    assert_eq!(code, 2);
    let got = diags(&json, "precept::type::invalid-glob");
    let want: Vec<u64> = all.iter().enumerate().filter(|(_, (_, ok))| !ok).map(|(i, _)| i as u64 + 3).collect();
    assert_eq!(got.iter().map(|d| d.1).collect::<Vec<_>>(), want);
    assert!(got.iter().all(|d| d.0 == "policies/p.precept" && d.2 == 5));
    // With only the good patterns (and one that takes the record), the record is checked.
    let files: Vec<String> =
        all.iter().filter(|(_, ok)| *ok).map(|(g, _)| format!("\"{g}\"")).chain(["\"a.jsonl\"".into()]).collect();
    let policy = POLICY.replacen("schema s {\n", &format!("schema s {{\n  files {}\n", files.join(", ")), 1);
    c.write("policies/p.precept", &policy);
    let (code, json, _) = c.run(&[]);
    assert_eq!((code, found(&json, "r")), (1, vec!["a".to_string()]), "{json}");
}

#[test]
fn related_places_of_policy_diagnostics_reach_json_and_sarif() {
    let c = Case::new("related");
    let dir = common::root().join("fixtures/type/err/duplicate-rule");
    for f in ["a.precept", "b.precept"] {
        std::fs::copy(dir.join(f), c.dir.join("policies").join(f)).unwrap();
    }
    std::fs::remove_file(c.dir.join("policies/p.precept")).unwrap();
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 0}\n");
    let (code, json, sarif) = c.run(&[]);
    assert_eq!(code, 2);
    let with_related: Vec<&Json> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["related"].as_array().unwrap().is_empty())
        .collect();
    assert!(!with_related.is_empty(), "{json}");
    for d in &with_related {
        let (file, related) = (d["file"].as_str().unwrap(), d["related"][0]["file"].as_str().unwrap());
        assert_ne!(file, related, "the first definition is in the other file: {d}");
    }
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["locations"].as_array().is_some_and(|l| l.len() == 2)), "{sarif}");
}

/// A streamed file is never read whole for its diagnostics: each shows an excerpt of its own lines
/// (read back from the file past many checkpoints, CSV records over quoted line breaks included),
/// at the file's real line and column, however far into the file and in whatever mix.
#[test]
fn diagnostics_deep_in_streamed_files_keep_their_places() {
    let c = Case::new("deep-streamed");
    let mut rng = fastrand::Rng::with_seed(11);
    let mut want = Vec::new();
    let (mut jsonl, mut csv) = (Vec::new(), vec!["id,n,note".to_string()]);
    let mut csv_line = 1u64;
    let mut bad = 0;
    for i in 0..6000 {
        let broken = bad < PER_FILE && rng.usize(..150) == 0;
        let pad = " ".repeat(rng.usize(..5));
        if broken {
            bad += 1;
            let text = format!("{{\"id\": \"j{i}\",{pad} \"n\": \"x{i}\"}}");
            want.push(("records/a.jsonl".to_string(), i as u64 + 1, col(text.find("\"x").unwrap()), vec![]));
            jsonl.push(text);
        } else {
            jsonl.push(format!("{{\"id\": \"j{i}\",{pad} \"n\": 1}}"));
        }
        // Every 7th CSV record has a note over two lines.
        let note = if i % 7 == 0 { "\"two\nlines\"" } else { "plain" };
        csv_line += 1;
        if broken {
            let cell = format!("{pad}y{i}");
            let row = format!("c{i},{cell},{note}");
            want.push(("records/b.csv".to_string(), csv_line, col(row.find(&cell).unwrap()), vec![]));
            csv.push(row);
        } else {
            csv.push(format!("c{i},1,{note}"));
        }
        csv_line += u64::from(i % 7 == 0);
    }
    assert!(bad > 10, "{bad}");
    c.write("records/a.jsonl", jsonl.join("\n") + "\n");
    c.write("records/b.csv", csv.join("\n") + "\n");
    want.sort();
    let (code, json, _) = c.run(&[]);
    assert_eq!(code, 2);
    same(&diags(&json, "precept::input::invalid-value"), &want);
}

/// Records with many problems each: the file shows the first 50 and counts the rest exactly, in
/// JSON Lines, a JSON array and TOML, however many a single record has; locating only the shown
/// ones keeps 40,000 bad list elements in one record linear (it took 75 s).
#[test]
fn problems_past_those_shown_are_counted_exactly() {
    let c = Case::new("many-problems");
    c.write(
        "policies/p.precept",
        "schema s { id: text identified by id  n: integer  items: list of { a: integer  b: text } }\n\
         code \"C\" { level industry rule r { for s require record.n > 0 and count(x in record.items: x.a > 0) >= 0 } }\n",
    );
    let mut rng = fastrand::Rng::with_seed(5);
    for round in 0..6 {
        // Records of `k` elements that each lack both fields, and elements with a bad `a`.
        let counts: Vec<usize> = (0..rng.usize(1..5)).map(|_| [0, 1, 3, 24, 25, 26, 40_000][rng.usize(..7)]).collect();
        let mut want = 0;
        let mut jsonl = Vec::new();
        let mut toml = String::new();
        for (i, &k) in counts.iter().enumerate() {
            let elements: Vec<&str> =
                (0..k).map(|j| if j % 2 == 0 { "{}" } else { "{\"a\": \"x\", \"b\": \"y\"}" }).collect();
            // Only `a` is read by a rule: an element lacks it or has it as text, one problem each.
            want += k;
            jsonl.push(format!("{{\"id\": \"r{i}\", \"n\": 1, \"items\": [{}]}}", elements.join(", ")));
            toml.push_str(&format!("[[record]]\nid = \"r{i}\"\nn = 1\n"));
            for j in 0..k {
                toml.push_str(if j % 2 == 0 {
                    "[[record.items]]\n"
                } else {
                    "[[record.items]]\na = \"x\"\nb = \"y\"\n"
                });
            }
        }
        jsonl.push("{\"id\": \"good\", \"n\": 0, \"items\": []}".to_string());
        toml.push_str("[[record]]\nid = \"good\"\nn = 0\nitems = []\n");
        let _ = std::fs::remove_dir_all(c.dir.join("records"));
        std::fs::create_dir_all(c.dir.join("records")).unwrap();
        c.write("records/a.jsonl", jsonl.join("\n") + "\n");
        c.write("records/b.json", format!("[{}]", jsonl.join(",\n")));
        c.write("records/c.toml", &toml);
        let (code, json, _) = c.run(&[]);
        assert_eq!(code, if want > 0 { 2 } else { 1 }, "round {round}");
        for file in ["records/a.jsonl", "records/b.json", "records/c.toml"] {
            let of_file: Vec<&Json> =
                json["diagnostics"].as_array().unwrap().iter().filter(|d| d["file"] == file).collect();
            let shown = of_file.iter().filter(|d| d["code"] != "precept::input::more-problems").count();
            assert_eq!(shown, want.min(50), "{file} round {round} counts {counts:?}");
            let more = json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == "precept::input::more-problems")
                .filter(|d| d["message"].as_str().unwrap().contains(&format!("`{file}`")))
                .map(|d| d["message"].as_str().unwrap().split(' ').next().unwrap().parse::<usize>().unwrap())
                .sum::<usize>();
            assert_eq!(more, want.saturating_sub(50), "{file} round {round} counts {counts:?}");
        }
        // Every file's good record was still checked.
        assert_eq!(found(&json, "r").len(), 3, "round {round}");
    }
}

/// A record line within its limit that would take more than eight times the limit once read
/// (tiny text for large values) is `too-large` at the record alone, and the records around it are
/// checked.
#[test]
fn a_record_that_expands_past_its_budget_is_refused_alone() {
    let c = Case::new("expands");
    c.write(
        "policies/p.precept",
        "schema s { id: text identified by id  n: integer  items: list of { a: integer?  b: text?  c: text? } }\n\
         code \"C\" { level industry rule r { for s require record.n > 0 and count(x in record.items: (x.a otherwise 0) > 0 and x.b is present and x.c is present) >= 0 } }\n",
    );
    let fine = "{\"id\": \"fine\", \"n\": 0, \"items\": [{}]}";
    // Within the line limit (4 KiB) either way; only the second expands past 32 KiB.
    for (n, refused) in [(40usize, false), (1300, true)] {
        let items = vec!["{}"; n].join(",");
        let big = format!("{{\"id\": \"big\", \"n\": 0, \"items\": [{items}]}}");
        assert!(big.len() < 4096);
        c.write("records/a.jsonl", format!("{fine}\n{big}\n{fine}\n"));
        let (code, json, _) = c.run(&["--limit", "record-line=4KiB"]);
        let d = diags(&json, "precept::input::too-large");
        if refused {
            assert_eq!(code, 2);
            assert_eq!(d, vec![("records/a.jsonl".to_string(), 2, 1, vec![])]);
            let codes: Vec<&Json> = json["diagnostics"].as_array().unwrap().iter().map(|d| &d["code"]).collect();
            assert_eq!(codes, [&Json::from("precept::input::too-large")], "{json}");
            assert_eq!(found(&json, "r"), ["fine", "fine"]);
        } else {
            assert_eq!(code, 1);
            assert_eq!(found(&json, "r"), ["big", "fine", "fine"]);
        }
    }
}

/// A TOML record file within its limit whose document tree would take more than four times the
/// limit (tiny values) is `too-large` before it is parsed; a plain one under the same limit is read.
#[test]
fn a_toml_file_that_expands_past_its_budget_is_refused_before_parsing() {
    let c = Case::new("toml-expands");
    c.write(
        "policies/p.precept",
        "schema s { id: text identified by id  n: integer  items: list of { a: integer? } }\n\
         code \"C\" { level industry rule r { for s require record.n > 0 and count(x in record.items: (x.a otherwise 0) > 0) >= 0 } }\n",
    );
    for (n, shape) in [(1200usize, "{}"), (1000, "{a=1}"), (1300, "[]")] {
        let items = vec![shape; n].join(",");
        let big = format!("id = \"big\"\nn = 0\nitems = [{items}]\n");
        assert!(big.len() < 8192, "{}", big.len());
        c.write("records/big.toml", &big);
        c.write("records/plain.toml", "[[record]]\nid = \"plain\"\nn = 0\nitems = [{a = 1}, {}]\n");
        let (code, json, _) = c.run(&["--limit", "record-file=8KiB"]);
        assert_eq!(code, 2, "{shape}");
        assert_eq!(
            diags(&json, "precept::input::too-large"),
            vec![("records/big.toml".to_string(), 1, 1, vec![])],
            "{shape}"
        );
        assert_eq!(found(&json, "r"), ["plain"], "{shape}");
    }
}
