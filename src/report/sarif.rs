//! Findings as SARIF 2.1.0, the static-analysis format GitHub code scanning and other dashboards
//! read: one run, every rule described, every finding a result at a full region with a stable
//! fingerprint, and problems with the input as tool execution notifications rather than dropped.
//!
//! Beyond the schema, code scanning accepts at most 25,000 results per run: past that the run
//! carries the first 25,000 and says how many it left out.

use serde::Serialize;

use crate::ast::Severity;
use crate::diagnostics::{Diag, Level};
use crate::findings::{Finding, RuleInfo, Standing, Summary};

/// Results per run that code scanning accepts.
pub const MAX_RESULTS: usize = 25_000;

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

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
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    /// `review` for a rule that cannot be determined (absent, meaning `fail`, for a finding).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties,
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
struct ResultProperties {
    record: Option<String>,
    subject: &'static str,
    evidence: Vec<String>,
    /// The rule's help filled in for this result, when it has holes: SARIF has no place of its
    /// own for it (the rule's descriptor carries the help as written).
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
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
struct Artifact {
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
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF document for a run: `findings` in report order, `diagnostics` as notifications.
pub fn document(summary: &Summary, findings: &[Finding], diagnostics: &[Diag], baseline: bool) -> String {
    let expired = findings.iter().any(|f| f.rule.is_none());
    write(summary, findings, findings.len(), expired, diagnostics, baseline)
}

/// The document of `findings` (the first [`MAX_RESULTS`] are written) out of `total`; `expired`
/// says whether any of the `total` is an expired waiver (its rule is then described).
fn write(
    summary: &Summary,
    findings: &[Finding],
    total: usize,
    expired: bool,
    diagnostics: &[Diag],
    baseline: bool,
) -> String {
    // One descriptor per rule id of the rules that run (versions of a rule, and an override and
    // the rule it replaces on some days, share an id), in the program's order; the most derived
    // definition (an override comes after the rule it overrides) describes it.
    let mut chosen: Vec<&RuleInfo> = Vec::new();
    for r in summary.catalogue.running() {
        match chosen.iter_mut().find(|c| c.id == r.id) {
            Some(c) => *c = r,
            None => chosen.push(r),
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    for r in chosen {
        let code_name = r.code.as_str();
        let level_name = r.level.as_str();
        let cite = r.cite.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
        ids.push(&r.id);
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
        ids.push(crate::suppress::EXPIRED_WAIVER);
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
    let mut notifications: Vec<Notification> = diagnostics.iter().map(notification).collect();
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
    let results = findings
        .iter()
        .take(MAX_RESULTS)
        .map(|f| {
            let (end_line, end_column) = f.end;
            SarifResult {
                rule_id: f.rule_id().to_string(),
                rule_index: ids.iter().position(|i| *i == f.rule_id()).unwrap_or(0),
                // A rule that cannot be determined is a result of kind `review` (SARIF 2.1.0
                // §3.27.9: a human must judge it), whose level must then be `none`: not a failure.
                kind: f.standing.is_undetermined().then_some("review"),
                level: if f.standing.is_undetermined() { "none" } else { level(f.severity()) },
                message: Text { text: f.message.clone() },
                locations: vec![Location {
                    physical_location: Physical {
                        artifact_location: Artifact { uri: uri(&f.file.name) },
                        region: Some(Region { start_line: f.line, start_column: f.column, end_line, end_column }),
                    },
                    message: None,
                }],
                partial_fingerprints: Fingerprints { precept: f.fingerprint() },
                suppressions: match &f.standing {
                    Standing::Waived(w) => vec![Suppression {
                        kind: "external",
                        status: "accepted",
                        justification: format!(
                            "{} (approved by {}, until {}; {})",
                            w.justification, w.approver, w.expires, w.place
                        ),
                    }],
                    _ => Vec::new(),
                },
                baseline_state: (baseline && !f.standing.is_undetermined())
                    .then_some(if f.standing == Standing::Baselined { "unchanged" } else { "new" }),
                properties: ResultProperties {
                    record: f.record_id.clone(),
                    subject: f.subject.as_str(),
                    evidence: f.evidence.iter().map(|e| e.summary.clone()).collect(),
                    help: f.help.clone(),
                },
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "precept",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: !diagnostics.iter().any(Diag::is_error),
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties { evaluation: super::json::evaluation(summary) },
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    out.push('\n');
    out
}

/// `word` with its first letter in upper case.
pub fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn notification(d: &Diag) -> Notification {
    let locations = d
        .location()
        .map(|(file, line, column)| Location {
            physical_location: Physical {
                artifact_location: Artifact { uri: uri(file) },
                region: Some(Region { start_line: line, start_column: column, end_line: line, end_column: column }),
            },
            message: None,
        })
        .into_iter()
        // SARIF notifications have no `relatedLocations`; their `locations` are all the places relevant
        // to the notification, the primary one first, each related one with its own message.
        .chain(super::json::related(d).into_iter().map(|r| Location {
            physical_location: Physical {
                artifact_location: Artifact { uri: uri(r.file) },
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

/// The SARIF report: its rules and counts come before the results, so findings are kept until the
/// end; only the first [`MAX_RESULTS`], since no more are written, and the rest counted.
#[derive(Default)]
struct Whole {
    kept: Vec<Finding>,
    total: usize,
    expired: bool,
}

/// Make the SARIF report.
pub fn make(_: &super::Options) -> Box<dyn super::Report> {
    Box::new(Whole::default())
}

impl super::Report for Whole {
    fn finding(&mut self, f: &Finding) -> String {
        self.total += 1;
        self.expired |= f.rule.is_none();
        if self.kept.len() < MAX_RESULTS {
            self.kept.push(f.clone());
        }
        String::new()
    }

    fn finish(&mut self, end: &super::End<'_>) -> String {
        write(end.summary, &self.kept, self.total, self.expired, end.diagnostics, end.baseline)
    }

    fn failed(&mut self, end: &super::End<'_>) -> String {
        document(&Summary::default(), &[], end.diagnostics, false)
    }
}

/// The SARIF report, as `--output sarif`.
pub const FORMAT: super::Format = super::Format { name: "sarif", holds: super::Holds::Sarif, make };
