//! Findings as SARIF 2.1.0, the static-analysis format GitHub code scanning and other dashboards
//! read: one run, every rule described, every finding a result at a full region with a stable
//! fingerprint, and problems with the input as tool execution notifications rather than dropped.
//!
//! Beyond the schema, code scanning accepts at most 25,000 results per run: past that the run
//! carries the first 25,000 and says how many it left out.
//!
//! Results are written as they come, and the rest of the run after them (JSON members have no
//! order), so the report holds counts, never findings.
//!
//! Code scanning places a result by a `uri` relative to the repository root. A file named by a
//! relative path is written as a path from the source root when it is inside it (so a run from a
//! subfolder names files as code scanning does), else as given. A file named by an absolute path inside the source root
//! ([`source_root`]: the nearest folder holding `.git` at or above the current folder, else the
//! current folder) is written relative to it, with `uriBaseId` `%SRCROOT%`, and the run's
//! `originalUriBaseIds` says where `%SRCROOT%` is. An absolute path outside it stays absolute, as a
//! `file://` URI.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::ast::Severity;
use crate::diagnostics::{Diag, Level};
use crate::findings::{Finding, RuleInfo, Standing, Summary};

/// Results per run that code scanning accepts.
pub const MAX_RESULTS: usize = 25_000;

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// What the run judged the data at (`--as-of`): SARIF has no place of its own for it.
#[derive(Serialize)]
struct RunProperties {
    evaluation: super::json::EvaluationOut,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<RuleOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Config,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
    #[serde(rename = "codeOfPractice")]
    code_of_practice: &'a str,
    cite: Option<&'a str>,
}

#[derive(Serialize)]
struct Config {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    /// `review` for a rule that cannot be determined (absent, meaning `fail`, for a finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    level: &'static str,
    message: TextRef<'a>,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties<'a>,
}

/// A message's text, borrowed from the finding.
#[derive(Serialize)]
struct TextRef<'a> {
    text: &'a str,
}

/// A waiver, as SARIF records an accepted exception.
#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "precept/v1")]
    precept: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    record: Option<&'a str>,
    subject: &'static str,
    #[serde(serialize_with = "summaries")]
    evidence: &'a [crate::engine::authority::Evidence],
    /// The rule's help filled in for this result, when it has holes: SARIF has no place of its
    /// own for it (the rule's descriptor carries the help as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// Each piece of evidence by its summary.
fn summaries<S: serde::Serializer>(evidence: &&[crate::engine::authority::Evidence], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(evidence.iter().map(|e| &e.summary))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// The base id of the source root in `originalUriBaseIds` (the name code scanning expects).
pub const SRCROOT: &str = "%SRCROOT%";

/// The source root of the current folder: the nearest folder at or above it holding `.git` (a
/// folder, or the file a worktree or submodule has), else the current folder itself; `None` when
/// the current folder cannot be known.
pub fn source_root() -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let found = cwd.ancestors().find(|d| d.join(".git").exists()).map(std::path::Path::to_path_buf);
    Some(found.unwrap_or(cwd))
}

/// Where files are, for SARIF: paths inside `root` relative to it (a relative path read from the
/// current folder), others as given.
#[derive(Debug, Clone, Default)]
pub struct Places {
    root: Option<std::path::PathBuf>,
    /// The current folder, which relative paths are relative to.
    cwd: Option<std::path::PathBuf>,
}

impl Places {
    /// Places relative to `root` (`None`: every path as given).
    pub fn new(root: Option<std::path::PathBuf>) -> Places {
        let cwd = root.as_ref().and_then(|_| std::env::current_dir().ok());
        Places { root, cwd }
    }

    /// A relative `name` as a path from the root, when it stays inside it: code scanning reads a
    /// uri from the repository root, so `records/x.jsonl` given in `fixtures/` is
    /// `fixtures/records/x.jsonl`. Resolved by its components alone (`..` drops the folder before
    /// it), never by reading the disk.
    fn within_root(&self, name: &str) -> Option<String> {
        let (root, cwd) = (self.root.as_deref()?, self.cwd.as_deref()?);
        let mut path = std::path::PathBuf::new();
        for part in cwd.join(name).components() {
            match part {
                std::path::Component::ParentDir => {
                    path.pop();
                }
                std::path::Component::CurDir => {}
                other => path.push(other),
            }
        }
        let rel = path.strip_prefix(root).ok()?;
        let plain = rel.components().all(|c| matches!(c, std::path::Component::Normal(_)));
        (plain && !rel.as_os_str().is_empty()).then(|| crate::text::name(rel))
    }

    /// `name` inside the root, relative to it: `None` for a relative name, one outside the root,
    /// or one that climbs out of it with `..`.
    fn inside(&self, name: &str) -> Option<String> {
        let path = std::path::Path::new(name);
        if !path.is_absolute() {
            return None;
        }
        let rel = path.strip_prefix(self.root.as_deref()?).ok()?;
        let plain = rel.components().all(|c| matches!(c, std::path::Component::Normal(_)));
        (plain && !rel.as_os_str().is_empty()).then(|| crate::text::name(rel))
    }

    /// The artifact location of the file `name`.
    fn artifact(&self, name: &str) -> Artifact {
        match self.inside(name) {
            Some(rel) => Artifact { uri: uri(&rel), uri_base_id: Some(SRCROOT) },
            None if std::path::Path::new(name).is_absolute() => {
                let slash = if name.starts_with('/') { "" } else { "/" };
                Artifact { uri: format!("file://{slash}{}", uri(name)), uri_base_id: None }
            }
            None => {
                Artifact { uri: uri(&self.within_root(name).unwrap_or_else(|| name.to_string())), uri_base_id: None }
            }
        }
    }

    /// `originalUriBaseIds`, when any file was placed in the root.
    fn base_ids(&self) -> Option<BaseIds> {
        let root = self.root.as_deref()?;
        let mut text = uri(&crate::text::name(root));
        if !text.starts_with('/') {
            text.insert(0, '/');
        }
        if !text.ends_with('/') {
            text.push('/');
        }
        Some(BaseIds { srcroot: BaseUri { uri: format!("file://{text}") } })
    }
}

#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    srcroot: BaseUri,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference: `/` separators, and anything but unreserved characters and
/// `/` percent-encoded (a file name with a space or `#` is still one file).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let b = if b == b'\\' { b'/' } else { b };
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The SARIF document for a run: `findings` in report order, `diagnostics` as notifications.
pub fn document(summary: &Summary, findings: &[Finding], diagnostics: &[Diag], baseline: bool) -> String {
    document_at(summary, findings, diagnostics, baseline, Places::new(source_root()))
}

/// [`document`], with files placed by `places`.
pub fn document_at(
    summary: &Summary,
    findings: &[Finding],
    diagnostics: &[Diag],
    baseline: bool,
    places: Places,
) -> String {
    let mut report = Stream::new(baseline, places);
    let mut out = report.start();
    for f in findings {
        out.push_str(&report.finding(f));
    }
    out.push_str(&report.end(summary, diagnostics));
    out
}

/// Where a result's `{` starts: inside `runs[0].results`, four levels into the document.
const RESULT_INDENT: &[u8] = b"        ";
/// Where a member of the run starts.
const RUN_INDENT: &[u8] = b"      ";

/// The document up to the first result: the run's other members come after its results, once
/// every finding is known (JSON objects are unordered, so SARIF readers take them in any order).
fn opening() -> String {
    format!("{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"results\": [")
}

/// `value` pretty-printed onto `out`, every line after the first indented by `pad`: a value
/// pretty-printed on its own, placed where the document nests it, reads as if the whole document
/// were printed at once. Printed whole first, then copied a line at a time: serde_json writes a
/// token per call, and indenting as it writes cost more than the printing. Line breaks inside JSON
/// strings are escaped, so every one printed is the printer's own.
fn pretty<T: Serialize>(out: &mut Vec<u8>, value: &T, pad: &'static [u8]) {
    let mut printed = Vec::with_capacity(2048);
    if serde_json::to_writer_pretty(&mut printed, value).is_err() {
        out.extend_from_slice(b"{}");
        return;
    }
    let mut from = 0;
    for i in memchr::memchr_iter(b'\n', &printed) {
        out.extend_from_slice(printed.get(from..=i).unwrap_or_default());
        out.extend_from_slice(pad);
        from = i + 1;
    }
    out.extend_from_slice(printed.get(from..).unwrap_or_default());
}

/// Writes `r` onto `out` byte for byte as [`pretty`] prints it, every line after the first
/// indented by `pad`, by hand: printing a result through serde_json's pretty printer and then
/// indenting it was most of what each finding cost the SARIF report. A unit test (with the API's
/// findings) holds the two to the same bytes.
fn write_result(out: &mut Vec<u8>, r: &SarifResult<'_>, pad: &'static [u8]) -> serde_json::Result<()> {
    let mut w = Writer { out, pad };
    let top = &mut w.open(b'{');
    w.key(top, 1, "ruleId");
    w.string(r.rule_id)?;
    if let Some(kind) = r.kind {
        w.key(top, 1, "kind");
        w.string(kind)?;
    }
    w.key(top, 1, "level");
    w.string(r.level)?;
    w.key(top, 1, "message");
    w.text(2, r.message.text)?;
    w.key(top, 1, "locations");
    let list = &mut w.open(b'[');
    for location in &r.locations {
        w.item(list, 2);
        let l = &mut w.open(b'{');
        w.key(l, 3, "physicalLocation");
        let p = &mut w.open(b'{');
        w.key(p, 4, "artifactLocation");
        let a = &mut w.open(b'{');
        let artifact = &location.physical_location.artifact_location;
        w.key(a, 5, "uri");
        w.string(&artifact.uri)?;
        if let Some(base) = artifact.uri_base_id {
            w.key(a, 5, "uriBaseId");
            w.string(base)?;
        }
        w.close(4, b'}');
        if let Some(region) = &location.physical_location.region {
            w.key(p, 4, "region");
            let g = &mut w.open(b'{');
            for (name, n) in [
                ("startLine", region.start_line),
                ("startColumn", region.start_column),
                ("endLine", region.end_line),
                ("endColumn", region.end_column),
            ] {
                w.key(g, 5, name);
                w.number(n);
            }
            w.close(4, b'}');
        }
        w.close(3, b'}');
        if let Some(message) = &location.message {
            w.key(l, 3, "message");
            w.text(4, &message.text)?;
        }
        w.close(2, b'}');
    }
    w.close(1, b']');
    w.key(top, 1, "partialFingerprints");
    let f = &mut w.open(b'{');
    w.key(f, 2, "precept/v1");
    w.string(&r.partial_fingerprints.precept)?;
    w.close(1, b'}');
    if let Some(suppressions) = &r.suppressions {
        w.key(top, 1, "suppressions");
        let list = &mut w.open(b'[');
        for s in suppressions {
            w.item(list, 2);
            let o = &mut w.open(b'{');
            for (name, value) in [("kind", s.kind), ("status", s.status), ("justification", s.justification.as_str())] {
                w.key(o, 3, name);
                w.string(value)?;
            }
            w.close(2, b'}');
        }
        w.close(1, b']');
    }
    if let Some(state) = r.baseline_state {
        w.key(top, 1, "baselineState");
        w.string(state)?;
    }
    w.key(top, 1, "properties");
    let p = &mut w.open(b'{');
    w.key(p, 2, "record");
    match r.properties.record {
        Some(id) => w.string(id)?,
        None => w.out.extend_from_slice(b"null"),
    }
    w.key(p, 2, "subject");
    w.string(r.properties.subject)?;
    w.key(p, 2, "evidence");
    if r.properties.evidence.is_empty() {
        w.out.extend_from_slice(b"[]");
    } else {
        let list = &mut w.open(b'[');
        for e in r.properties.evidence {
            w.item(list, 3);
            w.string(&e.summary)?;
        }
        w.close(2, b']');
    }
    if let Some(help) = r.properties.help {
        w.key(p, 2, "help");
        w.string(help)?;
    }
    w.close(1, b'}');
    w.close(0, b'}');
    Ok(())
}

/// What [`write_result`] writes with: serde_json's pretty layout (two spaces a level, `"name": `),
/// each new line started with the pad.
struct Writer<'o> {
    out: &'o mut Vec<u8>,
    pad: &'static [u8],
}

impl Writer<'_> {
    /// A new line at nesting `depth`.
    fn line(&mut self, depth: usize) {
        self.out.push(b'\n');
        self.out.extend_from_slice(self.pad);
        for _ in 0..depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// Opens an object or array that is not empty; the flag says whether its first member is still
    /// to come.
    fn open(&mut self, bracket: u8) -> bool {
        self.out.push(bracket);
        true
    }

    /// The next element of an array, at `depth`.
    fn item(&mut self, first: &mut bool, depth: usize) {
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        self.line(depth);
    }

    /// The next member's name, at `depth`; its value is written next.
    fn key(&mut self, first: &mut bool, depth: usize, name: &str) {
        self.item(first, depth);
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// Closes an object or array whose members were at `depth + 1`.
    fn close(&mut self, depth: usize, bracket: u8) {
        self.line(depth);
        self.out.push(bracket);
    }

    fn string(&mut self, s: &str) -> serde_json::Result<()> {
        super::json::string_bytes(self.out, s)
    }

    fn number(&mut self, n: usize) {
        self.out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// `{"text": ...}`, its member at `depth`.
    fn text(&mut self, depth: usize, text: &str) -> serde_json::Result<()> {
        let first = &mut self.open(b'{');
        self.key(first, depth, "text");
        self.string(text)?;
        self.close(depth.saturating_sub(1), b'}');
        Ok(())
    }
}

/// `bytes`, which serde_json wrote (always UTF-8), as text.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The result of one finding.
fn result<'a>(f: &'a Finding, baseline: bool, places: &Places) -> SarifResult<'a> {
    let (end_line, end_column) = f.end;
    let open = f.standing.is_undetermined();
    SarifResult {
        rule_id: f.rule_id(),
        // A rule that cannot be determined is a result of kind `review` (SARIF 2.1.0 §3.27.9: a
        // human must judge it), whose level must then be `none`: not a failure.
        kind: open.then_some("review"),
        level: if open { "none" } else { level(f.severity()) },
        message: TextRef { text: &f.message },
        locations: [Location {
            physical_location: Physical {
                artifact_location: places.artifact(&f.file.name),
                region: Some(Region { start_line: f.line, start_column: f.column, end_line, end_column }),
            },
            message: None,
        }],
        partial_fingerprints: Fingerprints { precept: f.fingerprint() },
        suppressions: match &f.standing {
            Standing::Waived(w) => Some([Suppression {
                kind: "external",
                status: "accepted",
                justification: format!(
                    "{} (approved by {}, until {}; {})",
                    w.justification, w.approver, w.expires, w.place
                ),
            }]),
            _ => None,
        },
        baseline_state: (baseline && !open).then_some(if f.standing == Standing::Baselined {
            "unchanged"
        } else {
            "new"
        }),
        properties: ResultProperties {
            record: f.record_id.as_deref(),
            subject: f.subject.as_str(),
            evidence: &f.evidence,
            help: f.help.as_deref(),
        },
    }
}

/// Writes one finding's result, on any thread: `,` and the result as it stands in the document
/// ([`Stream::prepared`] drops the comma of the first).
struct Results {
    /// A baseline was given: each result says whether it is new.
    baseline: bool,
    places: Places,
    /// Set by the report once it holds [`MAX_RESULTS`] results: every finding prepared after
    /// that comes later in order, and is only counted, so it is not formatted (a run with many
    /// findings would otherwise format hundreds of thousands of results to drop them).
    full: Arc<AtomicBool>,
}

impl super::Prepare for Results {
    fn prepare(&self, f: &Finding) -> String {
        if self.full.load(Ordering::Relaxed) {
            return String::new();
        }
        let mut out = Vec::with_capacity(1536);
        out.push(b',');
        out.push(b'\n');
        out.extend_from_slice(RESULT_INDENT);
        let start = out.len();
        let r = result(f, self.baseline, &self.places);
        if write_result(&mut out, &r, RESULT_INDENT).is_err() {
            out.truncate(start);
            pretty(&mut out, &r, RESULT_INDENT);
        }
        text(out)
    }
}

/// One finding's result as [`write_result`] writes it and as [`pretty`] prints it, with places
/// relative to `root` (`None`: as given), for the test that holds them to the same bytes.
#[cfg(test)]
pub(crate) fn written_and_printed(f: &Finding, baseline: bool, root: Option<std::path::PathBuf>) -> (String, String) {
    let r = result(f, baseline, &Places::new(root));
    let (mut written, mut printed) = (Vec::new(), Vec::new());
    let _ = write_result(&mut written, &r, RESULT_INDENT);
    pretty(&mut printed, &r, RESULT_INDENT);
    (text(written), text(printed))
}

/// The SARIF report, written as findings arrive: each result as it comes (up to
/// [`MAX_RESULTS`]), then the rest of the run (its rules, which depend on every finding since an
/// expired waiver adds one, the notifications, and the evaluation). It keeps counts only.
struct Stream {
    baseline: bool,
    places: Places,
    /// Whether any file was placed in the source root (the run then says where it is).
    rooted: bool,
    /// Findings seen.
    total: usize,
    /// Whether any was an expired waiver (its rule is then described).
    expired: bool,
    /// Shared with its preparers: it holds [`MAX_RESULTS`] results.
    full: Arc<AtomicBool>,
}

impl Stream {
    fn new(baseline: bool, places: Places) -> Stream {
        Stream { baseline, places, rooted: false, total: 0, expired: false, full: Arc::default() }
    }

    fn start(&self) -> String {
        opening()
    }

    fn finding(&mut self, f: &Finding) -> String {
        let text = super::Prepare::prepare(&self.results(), f);
        self.prepared(f, text)
    }

    /// What formats this report's results on any thread.
    fn results(&self) -> Results {
        Results { baseline: self.baseline, places: self.places.clone(), full: self.full.clone() }
    }

    /// `text`, `f`'s result from [`Results`], in order: counted, and written if within
    /// [`MAX_RESULTS`].
    fn prepared(&mut self, f: &Finding, mut text: String) -> String {
        self.total += 1;
        self.expired |= f.rule.is_none();
        self.rooted = self.rooted || (self.total <= MAX_RESULTS && self.places.inside(&f.file.name).is_some());
        if self.total >= MAX_RESULTS {
            self.full.store(true, Ordering::Relaxed);
        }
        if self.total > MAX_RESULTS {
            return String::new();
        }
        if self.total == 1 && text.starts_with(',') {
            text.remove(0);
        }
        text
    }

    /// The end of the results, and the rest of the run.
    fn end(&self, summary: &Summary, diagnostics: &[Diag]) -> String {
        let mut out: Vec<u8> = Vec::with_capacity(4096);
        out.extend_from_slice(if self.total == 0 { b"]" } else { b"\n      ]" });
        let tool = Tool {
            driver: Driver {
                name: "precept",
                version: env!("CARGO_PKG_VERSION"),
                semantic_version: env!("CARGO_PKG_VERSION"),
                rules: rules(summary, self.expired),
            },
        };
        member(&mut out, "tool", &tool);
        let invocations = [Invocation {
            execution_successful: !diagnostics.iter().any(Diag::is_error),
            tool_execution_notifications: notifications(diagnostics, self.total, &self.places),
        }];
        member(&mut out, "invocations", &invocations);
        let rooted = self.rooted
            || diagnostics.iter().any(|d| {
                d.location().is_some_and(|(file, _, _)| self.places.inside(file).is_some())
                    || super::json::related(d).iter().any(|r| self.places.inside(r.file).is_some())
            });
        if let Some(ids) = self.places.base_ids().filter(|_| rooted) {
            member(&mut out, "originalUriBaseIds", &ids);
        }
        member(&mut out, "columnKind", &"unicodeCodePoints");
        member(&mut out, "properties", &RunProperties { evaluation: super::json::evaluation(summary) });
        out.extend_from_slice(b"\n    }\n  ]\n}\n");
        text(out)
    }
}

/// `value` as the member `name` of the run, after the members before it.
fn member<T: Serialize>(out: &mut Vec<u8>, name: &str, value: &T) {
    out.extend_from_slice(b",\n");
    out.extend_from_slice(RUN_INDENT);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\": ");
    pretty(out, value, RUN_INDENT);
}

/// One descriptor per rule id of the rules that run (versions of a rule, and an override and the
/// rule it replaces on some days, share an id), in the program's order; the most derived definition
/// (an override comes after the rule it overrides) describes it. Then the expired waiver's, when
/// one was found.
fn rules(summary: &Summary, expired: bool) -> Vec<RuleOut<'_>> {
    let mut chosen: Vec<&RuleInfo> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in summary.catalogue.running() {
        match at.get(r.id.as_str()) {
            Some(&i) => chosen[i] = r,
            None => {
                at.insert(&r.id, chosen.len());
                chosen.push(r);
            }
        }
    }
    let mut rules = Vec::with_capacity(chosen.len() + 1);
    for r in chosen {
        let code_name = r.code.as_str();
        let level_name = r.level.as_str();
        let cite = r.cite.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
        rules.push(RuleOut {
            id: &r.id,
            name: r.id.split('-').map(capitalise).collect(),
            short_description: Text { text: r.title.clone() },
            full_description: Text { text: format!("{}. {code_name}, {level_name} code of practice{cite}.", r.title) },
            help: Text { text: r.help.clone().unwrap_or_else(|| r.title.clone()) },
            default_configuration: Config { level: level(r.severity) },
            properties: RuleProperties {
                tags: vec!["compliance", level_name],
                code_of_practice: code_name,
                cite: r.cite.as_deref(),
            },
        });
    }
    if expired {
        rules.push(RuleOut {
            id: crate::suppress::EXPIRED_WAIVER,
            name: "ExpiredWaiver".into(),
            short_description: Text { text: "A waiver has expired".into() },
            full_description: Text {
                text: "A waiver in the waivers file is past its expiry date, so it waives nothing and the findings it covered count again.".into(),
            },
            help: Text { text: "Renew the waiver with a new expiry date and a current justification, or fix what it covered and remove it.".into() },
            default_configuration: Config { level: "error" },
            properties: RuleProperties { tags: vec!["compliance", "waiver"], code_of_practice: "Precept waivers", cite: None },
        });
    }
    rules
}

/// The problems as notifications, and one saying how many findings were left out past
/// [`MAX_RESULTS`] of `total`.
fn notifications(diagnostics: &[Diag], total: usize, places: &Places) -> Vec<Notification> {
    let mut notifications: Vec<Notification> = diagnostics.iter().map(|d| notification(d, places)).collect();
    if total > MAX_RESULTS {
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{} findings are not in this report: SARIF consumers such as GitHub code scanning accept at most {MAX_RESULTS} results per run; the JSON report has them all",
                    total - MAX_RESULTS
                ),
            },
            descriptor: Descriptor { id: "precept::output::truncated".into() },
            locations: Vec::new(),
        });
    }
    notifications
}

/// `word` with its first letter in upper case.
pub fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn notification(d: &Diag, places: &Places) -> Notification {
    let locations = d
        .location()
        .map(|(file, line, column)| Location {
            physical_location: Physical {
                artifact_location: places.artifact(file),
                region: Some(Region { start_line: line, start_column: column, end_line: line, end_column: column }),
            },
            message: None,
        })
        .into_iter()
        // SARIF notifications have no `relatedLocations`; their `locations` are all the places relevant
        // to the notification, the primary one first, each related one with its own message.
        .chain(super::json::related(d).into_iter().map(|r| Location {
            physical_location: Physical {
                artifact_location: places.artifact(r.file),
                region: Some(Region {
                    start_line: r.line,
                    start_column: r.column,
                    end_line: r.line,
                    end_column: r.column,
                }),
            },
            message: Some(Text { text: r.message.to_string() }),
        }))
        .collect();
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(&format!(" ({help})"));
    }
    Notification {
        level: match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Advice => "note",
        },
        message: Text { text },
        descriptor: Descriptor { id: d.code.to_string() },
        locations,
    }
}

/// Make the SARIF report.
pub fn make(options: &super::Options) -> Box<dyn super::Report> {
    Box::new(Stream::new(options.baseline, Places::new(source_root())))
}

impl super::Report for Stream {
    fn start(&mut self) -> String {
        Stream::start(self)
    }

    fn finding(&mut self, f: &Finding) -> String {
        Stream::finding(self, f)
    }

    fn preparer(&self) -> Option<Box<dyn super::Prepare>> {
        Some(Box::new(self.results()))
    }

    fn prepared(&mut self, f: &Finding, text: String) -> String {
        // Not prepared: formatted here, unless it is past the results held (then only counted).
        if text.is_empty() && self.total < MAX_RESULTS {
            return Stream::finding(self, f);
        }
        Stream::prepared(self, f, text)
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        Stream::end(self, end.summary, end.diagnostics)
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        document_at(&Summary::default(), &[], end.diagnostics, false, self.places.clone())
    }
}

/// The SARIF report, as `--output sarif`.
pub const FORMAT: super::Format = super::Format { name: "sarif", holds: super::Holds::Sarif, make };
