//! Tests for policies: `*.test.toml` files beside the policies give small records inline (and role
//! definitions, inline or by folder) and the findings each test expects; [`run`] checks them and
//! says which rules no test exercises.
//!
//! ```toml
//! [[test]]
//! name = "a complaint acknowledged at 17:00 the next business day is on time"
//! schema = "service_record"          # optional: the records' schema (default: the one without `files`)
//! org = "../../fixtures/org"         # optional: role files for rules about staff and roles
//! records = [
//!   { id = "T-1", kind = "complaint", opened_at = 2024-11-05T10:00:00Z, acknowledged_at = 2024-11-06T17:00:00Z },
//! ]
//! expect = []                        # rule ids, once per finding (`rule@record` names the record too)
//! as_of = 2024-11-30                 # optional: the evaluation time (a date or datetime), as `--as-of`
//!
//! [test.also]                        # optional: records of other schemas, by schema
//! case_event = [ { event = "E-1", case = "T-1", status = "received", at = 2024-11-05T10:00:00Z } ]
//! ```
//!
//! `org` may also be a table written like a role file (`org = { role = [...], staff = [...] }`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{suggest, Diag};
use crate::engine::Program;
use crate::source::SourceFile;

const INVALID: &str = "precept::test::invalid";

/// The keys of a `[[test]]`.
const KEYS: [&str; 7] = ["name", "schema", "org", "records", "also", "expect", "as_of"];

/// One test, read.
#[derive(Debug)]
pub struct Case {
    /// Its name.
    pub name: String,
    /// The file it is in, as shown.
    pub file: String,
    /// The line of its `[[test]]`.
    pub line: usize,
    schema: usize,
    records: toml::Value,
    also: Vec<(usize, toml::Value)>,
    org: Option<Org>,
    /// The evaluation time the test's records are judged at (`as_of`), for rules that use `now`
    /// and open obligations of case rules.
    as_of: Option<crate::engine::as_of::AsOf>,
    /// The findings expected: `rule` or `rule@record`, sorted.
    pub expect: Vec<String>,
}

#[derive(Debug)]
enum Org {
    Folder(PathBuf),
    Inline(toml::Table),
}

/// What became of one test.
#[derive(Debug)]
pub struct Outcome {
    /// The test.
    pub name: String,
    /// Its file and line, as shown.
    pub place: String,
    /// Expected findings missing from the run.
    pub missing: Vec<String>,
    /// Findings the test did not expect, with their messages.
    pub unexpected: Vec<(String, String)>,
    /// Problems reading the test's records or roles.
    pub problems: Vec<String>,
}

impl Outcome {
    /// The test passed.
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.problems.is_empty()
    }
}

/// Find the `*.test.toml` files under `roots`, sorted.
pub fn discover(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        for e in walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(".test.toml") {
                out.push(e.into_path());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Read the tests in one file; problems are diagnostics (and such a test is left out).
pub fn read(file: &SourceFile, path: &Path, program: &Program, diags: &mut Vec<Diag>) -> Vec<Case> {
    let doc: toml::Table = match toml::from_str(&file.text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, 0));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for key in doc.keys().filter(|k| *k != "test") {
        diags.push(
            Diag::error(INVALID, format!("unknown table `{key}` in a test file"))
                .at(file, locate(file, key), "not a test")
                .help("write one `[[test]]` section per test"),
        );
    }
    let Some(tests) = doc.get("test").and_then(toml::Value::as_array) else {
        diags.push(
            Diag::error(INVALID, format!("`{}` has no `[[test]]` sections", file.name))
                .help("write one `[[test]]` section per test, each with a `name`, `records` and `expect`"),
        );
        return out;
    };
    // Where each `[[test]]` header is (a line of its own, spaces allowed, a comment after it).
    let mut headers: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("");
        let squeezed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if squeezed == "[[test]]" {
            headers.push(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    let catch_all = program.schemas.iter().position(|s| !s.builtin && s.files.is_empty());
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (i, t) in tests.iter().enumerate() {
        let at = headers.get(i).copied().unwrap_or(0);
        let line = file.line_col(at).0;
        let place = crate::source::Span::new(at, at + 8);
        let Some(t) = t.as_table() else { continue };
        let mut bad = |message: String, help: &str| {
            diags.push(Diag::error(INVALID, message).at(file, place, "this test").help(help.to_string()));
        };
        for k in t.keys() {
            if !KEYS.contains(&k.as_str()) {
                let help = suggest::help(k, &KEYS, "key");
                bad(format!("unknown key `{k}` in a test"), &help);
            }
        }
        let Some(name) = t.get("name").and_then(toml::Value::as_str) else {
            bad("this test has no `name`".into(), "write `name = \"...\"`: what the test shows");
            continue;
        };
        let schema_of = |n: &str, bad: &mut dyn FnMut(String, &str)| -> Option<usize> {
            let found = program.schemas.iter().position(|s| s.name == n && !s.builtin);
            if found.is_none() {
                let names: Vec<&str> = program.schemas.iter().filter(|s| !s.builtin).map(|s| s.name.as_str()).collect();
                bad(
                    format!("test `{name}` names schema `{n}`, which the policies do not have"),
                    &suggest::help(n, &names, "schema"),
                );
            }
            found
        };
        let schema = match t.get("schema").and_then(toml::Value::as_str) {
            Some(n) => schema_of(n, &mut bad),
            None => catch_all,
        };
        let Some(schema) = schema else {
            bad(format!("test `{name}` does not say its records' schema"), "write `schema = \"...\"`");
            continue;
        };
        let records = match t.get("records") {
            Some(v @ toml::Value::Array(_)) => v.clone(),
            None => toml::Value::Array(Vec::new()),
            Some(_) => {
                bad(
                    format!("test `{name}`: `records` must be a list of tables"),
                    "write `records = [ { id = \"T-1\", ... } ]`",
                );
                continue;
            }
        };
        let mut also = Vec::new();
        if let Some(a) = t.get("also").and_then(toml::Value::as_table) {
            for (n, v) in a {
                if let Some(s) = schema_of(n, &mut bad) {
                    also.push((s, v.clone()));
                }
            }
        }
        let org = match t.get("org") {
            None => None,
            Some(toml::Value::String(p)) => Some(Org::Folder(dir.join(p))),
            Some(toml::Value::Table(tab)) => Some(Org::Inline(tab.clone())),
            Some(_) => {
                bad(
                    format!("test `{name}`: `org` must be a folder of role files or a table"),
                    "write `org = \"../fixtures/org\"`",
                );
                continue;
            }
        };
        // A TOML date or datetime, or the same as text (`"2024-11-30T17:00:00"`).
        let as_of = match t.get("as_of") {
            None => None,
            Some(v) => {
                let text = match v {
                    toml::Value::Datetime(d) => d.to_string(),
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                match text.parse::<crate::engine::as_of::AsOf>() {
                    Ok(a) => Some(a),
                    Err(why) => {
                        bad(
                            format!("test `{name}`: `as_of` is not usable: {why}"),
                            "write `as_of = 2024-11-30` (the data is complete through that day) or `as_of = 2024-11-30T17:00:00Z`",
                        );
                        continue;
                    }
                }
            }
        };
        let Some(expect) = t.get("expect").and_then(toml::Value::as_array) else {
            bad(
                format!("test `{name}` has no `expect`"),
                "write `expect = []` for no findings, or the rule ids expected",
            );
            continue;
        };
        if expect.iter().any(|v| !v.is_str()) {
            bad(
                format!("test `{name}`: every `expect` entry is a rule id in quotes"),
                "write `expect = [\"rule-id\", \"rule-id@record\"]`",
            );
            continue;
        }
        let mut expect: Vec<String> = expect.iter().filter_map(|v| v.as_str().map(String::from)).collect();
        for e in &expect {
            let rule = e.split('@').next().unwrap_or_default();
            if !program.rules.iter().any(|r| r.id == rule) {
                let ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
                bad(
                    format!("test `{name}` expects rule `{rule}`, which the policies do not have"),
                    &suggest::help(rule, &ids, "rule"),
                );
            }
        }
        expect.sort();
        out.push(Case {
            name: name.to_string(),
            file: file.name.to_string(),
            line,
            schema,
            records,
            also,
            org,
            as_of,
            expect,
        });
    }
    out
}

/// The place of `key` in the text, for a diagnostic (its first occurrence).
fn locate(file: &SourceFile, key: &str) -> crate::source::Span {
    let at = file.text.find(key).unwrap_or(0);
    crate::source::Span::new(at, at + key.len())
}

/// Run one test: check its records (and roles), held in memory, with `engine`'s policies, and
/// compare the findings with those expected.
pub fn run(engine: &crate::Engine, case: &Case) -> Outcome {
    let program = engine.program();
    let mut outcome = Outcome {
        name: case.name.clone(),
        place: format!("{}:{}", case.file, case.line),
        missing: Vec::new(),
        unexpected: Vec::new(),
        problems: Vec::new(),
    };
    let mut files = Vec::new();
    let all = std::iter::once((case.schema, &case.records)).chain(case.also.iter().map(|(s, r)| (*s, r)));
    for (schema, records) in all {
        // A test of roles alone has no records.
        if records.as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let mut doc = toml::Table::new();
        doc.insert("record".into(), records.clone());
        let text = toml::to_string(&doc).unwrap_or_default();
        let name = program.schemas.get(schema).map_or_else(|| "records".to_string(), |s| s.name.clone());
        let file = crate::data::RecordFile::from_bytes(
            format!("{name} records"),
            crate::data::Format::Toml,
            schema,
            text.into_bytes(),
        );
        files.push(crate::Records::File(file));
    }
    let engine = match &case.org {
        None => engine.fresh(),
        Some(Org::Folder(p)) => engine.fresh().with_roles_from(std::slice::from_ref(p)),
        Some(Org::Inline(t)) => {
            engine.fresh().with_roles([(format!("{} roles", case.name), toml::to_string(t).unwrap_or_default())])
        }
    };
    let engine = match case.as_of {
        Some(as_of) => {
            let options = crate::Options { as_of: Some(as_of), ..engine.options().clone() };
            engine.with_options(options)
        }
        None => engine,
    };
    let role_problems = engine.input_problems().to_vec();
    outcome.problems.extend(role_problems.iter().map(|d| format!("role files: {}", d.message)));
    let mut found: Vec<(String, String)> = Vec::new();
    let mut sink = |f: crate::findings::Finding| {
        // Not a finding: the value it depends on could not be read, which is a problem already.
        if f.standing.is_undetermined() {
            return;
        }
        let key = match &f.record_id {
            Some(r) => format!("{}@{r}", f.rule_id()),
            None => f.rule_id().to_string(),
        };
        found.push((key, f.message));
    };
    let no_records = files.is_empty();
    let result = engine.check_each(files, &mut sink);
    outcome.problems.extend(
        result
            .diagnostics
            .iter()
            .filter(|d| !role_problems.contains(d))
            .filter(|d| d.is_error() || d.code.starts_with("precept::input"))
            .filter(|d| !(d.code == "precept::input::no-records" && no_records))
            .map(|d| format!("{}: {}", d.code, d.message)),
    );
    // Each expected finding takes one found finding: `rule@record` that record's, `rule` any.
    let mut left: Vec<Option<(String, String)>> = found.into_iter().map(Some).collect();
    let mut expect = case.expect.clone();
    expect.sort_by_key(|e| !e.contains('@'));
    for e in expect {
        let hit = left.iter().position(|f| {
            f.as_ref()
                .is_some_and(|(k, _)| if e.contains('@') { *k == e } else { k.split('@').next() == Some(e.as_str()) })
        });
        match hit {
            Some(i) => {
                if let Some(slot) = left.get_mut(i) {
                    *slot = None;
                }
            }
            None => outcome.missing.push(e),
        }
    }
    outcome.unexpected = left.into_iter().flatten().collect();
    outcome
}

/// Rules by id, and whether some test expects a finding of each: the coverage report.
pub fn coverage(program: &Program, cases: &[Case]) -> BTreeMap<String, bool> {
    let running = program.running();
    let mut out = BTreeMap::new();
    for (i, r) in program.rules.iter().enumerate().filter(|(i, _)| running.contains(i)) {
        let _ = i;
        let covered = cases.iter().any(|c| c.expect.iter().any(|e| e.split('@').next() == Some(r.id.as_str())));
        let entry = out.entry(r.id.clone()).or_insert(false);
        *entry |= covered;
    }
    out
}

/// The tests that expect findings of each rule, by rule id (each test once per rule, in the order
/// read): which tests cover a rule, for reports that trace clauses to tests.
pub fn covering(cases: &[Case]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cases {
        for e in &c.expect {
            let rule = e.split('@').next().unwrap_or(e);
            let names = out.entry(rule.to_string()).or_default();
            if !names.contains(&c.name) {
                names.push(c.name.clone());
            }
        }
    }
    out
}

/// A failed test, for people: what was missing, what was not expected, and any problems.
pub fn explain(o: &Outcome) -> String {
    let mut out = String::new();
    for m in &o.missing {
        out.push_str(&format!("  - expected {}, not found\n", crate::text::escape(&m.to_string())));
    }
    for (k, message) in &o.unexpected {
        let (k, message) = (crate::text::escape(&k.to_string()).into_owned(), crate::text::escape(message));
        out.push_str(&format!("  + found {k}, not expected: {message}\n"));
    }
    for p in &o.problems {
        out.push_str(&format!("  ! {}\n", crate::text::escape(&p.to_string())));
    }
    out
}

/// The JUnit document of `precept test`: one suite per test file, one test case per test, failed
/// with the difference between the findings expected and those found.
pub fn junit(outcomes: &[Outcome], timestamp: &str) -> String {
    use crate::report::junit::{escape, token};
    use std::fmt::Write as _;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    let mut files: Vec<&str> =
        outcomes.iter().map(|o| o.place.rsplit_once(':').map_or(o.place.as_str(), |p| p.0)).collect();
    files.dedup();
    for (id, file) in files.iter().enumerate() {
        let mine: Vec<&Outcome> =
            outcomes.iter().filter(|o| o.place.rsplit_once(':').map_or(o.place.as_str(), |p| p.0) == *file).collect();
        let failures = mine.iter().filter(|o| !o.passed()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" package=\"precept\" id=\"{id}\" timestamp=\"{timestamp}\" hostname=\"localhost\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n    <properties>\n      <property name=\"kind\" value=\"policy tests\"/>\n    </properties>",
            token(file),
            mine.len()
        );
        for o in mine {
            let _ = write!(out, "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"", token(&o.name), token(file));
            if o.passed() {
                out.push_str("/>\n");
            } else {
                let _ = write!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n    </testcase>\n",
                    escape(&format!("{} (at {})", o.name, o.place)),
                    escape(&explain(o))
                );
            }
        }
        out.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
