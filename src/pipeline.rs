//! The whole `check` job as a library call: find record files, stream them through the engine, and
//! turn hits into located [`Finding`]s.
//!
//! Records are evaluated in parallel batches; findings keep file order, then record order, then
//! rule order, so reports are byte-identical whatever the thread count.

use std::path::PathBuf;
use std::sync::Arc;

use crate::ast::{CodeLevel, Severity};
use crate::data::{self, RecordFile};
use crate::diagnostics::Diag;
use crate::engine::blame::Step;
use crate::engine::run::check_batch;
use crate::engine::Program;
use crate::source::{line_col, SourceFile, Span};

/// Records per parallel batch: large enough to keep every core busy, small enough to stream.
pub const BATCH: usize = 4096;

/// One rule broken by one record, located in the record file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Index of the rule in [`Program::rules`].
    pub rule: usize,
    /// The rule's id.
    pub rule_id: String,
    /// The code of practice it belongs to.
    pub code_name: String,
    /// That code's level.
    pub level: CodeLevel,
    /// The rule's severity.
    pub severity: Severity,
    /// The record file, with its text (shared by all findings in the file).
    pub file: SourceFile,
    /// The offending field's place in the record file.
    pub span: Span,
    /// 1-based line of `span`.
    pub line: usize,
    /// 1-based column of `span`.
    pub column: usize,
    /// 0-based position of the record in its file.
    pub record_index: usize,
    /// The record's id, where the schema names one.
    pub record_id: Option<String>,
    /// The message with the record's values.
    pub message: String,
}

/// What a check run found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings in file, record, rule order.
    pub findings: Vec<Finding>,
    /// Problems with the input files.
    pub diagnostics: Vec<Diag>,
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
}

struct Pending {
    rule: usize,
    ordinal: usize,
    line: usize,
    record_id: Option<String>,
    message: String,
    blame: Vec<Step>,
}

/// Check every record file under `paths` (skipping anything inside `exclude`, such as the policy
/// folders themselves) against `program`.
pub fn check_paths(program: &Program, paths: &[PathBuf], exclude: &[PathBuf]) -> Outcome {
    let (mut files, diagnostics) = data::discover(paths, program);
    files.retain(|f| !exclude.iter().any(|x| !x.as_os_str().is_empty() && f.path.starts_with(x)));
    let mut out = Outcome { diagnostics, files: files.len(), ..Outcome::default() };
    for file in &files {
        check_file(program, file, &mut out);
    }
    if out.records == 0 && !out.diagnostics.iter().any(Diag::is_error) {
        // Nothing could be checked: that is not a clean run.
        let message = if out.files == 0 {
            "no record files found".to_string()
        } else {
            format!("no records found in {} record files", out.files)
        };
        out.diagnostics.push(
            Diag::error("precept::input::no-records", message)
                .help("pass files or folders holding `.jsonl`, `.json`, `.toml` or `.csv` records"),
        );
    }
    crate::diagnostics::sort(&mut out.diagnostics);
    out
}

fn check_file(program: &Program, file: &RecordFile, out: &mut Outcome) {
    let mut pending: Vec<Pending> = Vec::new();
    let mut records = 0usize;
    let mut diags = data::read_file(file, program, BATCH, &mut |batch| {
        records += batch.len();
        let values: Vec<&[crate::engine::value::Value]> = batch.iter().map(|r| &*r.values).collect();
        for hit in check_batch(program, file.schema, &values) {
            let Some(rec) = batch.get(hit.record) else { continue };
            pending.push(Pending {
                rule: hit.rule,
                ordinal: rec.ordinal,
                line: rec.line,
                record_id: data::record_id(program, file.schema, &rec.values),
                message: hit.message,
                blame: hit.blame,
            });
        }
    });
    out.records += records;
    out.diagnostics.append(&mut diags);
    if pending.is_empty() {
        return;
    }
    let text: Arc<str> = match data::read_text(&file.path) {
        Ok(t) => t.into(),
        Err(_) => Arc::from(""),
    };
    let source = SourceFile { name: file.name.as_str().into(), text: text.clone() };
    for p in pending {
        let Some(rule) = program.rules.get(p.rule) else { continue };
        let span = data::locate(file, &text, program, p.ordinal, p.line, &p.blame).clamp(text.len());
        let (line, column) = line_col(&text, span.start);
        let code = program.codes.get(rule.code);
        out.findings.push(Finding {
            rule: p.rule,
            rule_id: rule.id.clone(),
            code_name: code.map(|c| c.name.clone()).unwrap_or_default(),
            level: code.map_or(CodeLevel::Organisational, |c| c.level),
            severity: rule.severity,
            file: source.clone(),
            span,
            line,
            column,
            record_index: p.ordinal,
            record_id: p.record_id,
            message: p.message,
        });
    }
}
