//! What the fuzz targets share: the bundled policies and role files, compiled once per process; a
//! scratch file for the one reader that only takes a path; and one function that renders every
//! report format from a run's findings and checks the machine-readable ones are well formed.
//!
//! Record inputs are checked in memory ([`RecordFile::from_bytes`]), read by the very code that reads
//! record files, so no record is written anywhere. Only the settings loader
//! (`precept::cli::config::load`) still reads from a path (it resolves the paths a `precept.toml`
//! names against the file's own folder), so the `settings` target writes each input to one scratch
//! file in a per-process folder (under `/dev/shm` where it exists, else the system temp folder) and
//! loads it from there.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use precept::ast::Severity;
use precept::data::{Format, RecordFile};
use precept::diagnostics::render::{render, Style};
use precept::diagnostics::Diag;
use precept::engine::Program;
use precept::findings::{Catalogue, Finding, Outcome};
use precept::report;
use precept::roles::authority::Directory;
use precept::roles::Org;

/// The project's root (the parent of `fuzz/`).
pub fn project() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::canonicalize(&here).unwrap_or(here)
}

/// The bundled policies (`policies/`), with their warnings; compiled once per process.
pub fn program() -> &'static (Program, Vec<Diag>) {
    static PROGRAM: OnceLock<(Program, Vec<Diag>)> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let (program, diags) = precept::workspace::load_policies(&[project().join("policies")]);
        match program {
            Some(p) => (p, diags),
            None => {
                for d in &diags {
                    eprintln!("{}", render(d, Style::plain()));
                }
                // The harness cannot run without its policies: stop loudly, not by fuzzing nothing.
                std::process::abort()
            }
        }
    })
}

/// The bundled role files (`fixtures/org`) and the authority built from them; read once.
pub fn org() -> &'static (Org, Directory) {
    static ORG: OnceLock<(Org, Directory)> = OnceLock::new();
    ORG.get_or_init(|| {
        let (org, _, _) = precept::workspace::load_org(&[project().join("fixtures/org")]);
        let dir = Directory::new(&org);
        (org, dir)
    })
}

/// The day waivers and role lint are judged on: fixed, so a run is reproducible.
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 3, 1)
}

/// A scratch file named `name` in this process's own folder; the folder is made on first use. Only
/// the settings target needs one: `precept::cli::config::load` takes a path.
pub fn scratch(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        let dir = base.join(format!("precept-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        dir
    });
    dir.join(name)
}

/// Write `data` to the scratch file `name` and return its path.
pub fn write_scratch(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch(name);
    if let Err(e) = std::fs::write(&path, data) {
        eprintln!("cannot write the scratch file {}: {e}", path.display());
        std::process::abort();
    }
    path
}

/// Check `data`, as a record file in `format` held in memory, against every schema of the bundled
/// policies (with the bundled role files as the authority), then render every report once for all
/// of them.
pub fn check_records(format: Format, ext: &str, data: &[u8]) {
    let (program, policy_diags) = program();
    let (_, authority) = org();
    // One copy of the input, shared by the record file of every schema.
    let bytes: Arc<[u8]> = Arc::from(data);
    let mut findings = Vec::new();
    let mut all = Outcome::default();
    for (schema, info) in program.schemas.iter().enumerate() {
        if info.builtin {
            continue;
        }
        let file = RecordFile::from_bytes(format!("records.{ext}"), format, schema, Arc::clone(&bytes));
        let outcome =
            precept::pipeline::check_files(program, Some(authority), vec![file], Vec::new(), &mut |f| findings.push(f));
        all.files += outcome.files;
        all.records += outcome.records;
        all.diagnostics.extend(outcome.diagnostics);
    }
    for f in &findings {
        all.count(f);
    }
    reports(program, policy_diags, &findings, &all);
}

/// Render every report format for a run, as `precept check --output ...` would, and check that
/// what must be JSON is JSON and that a baseline written from the findings knows every finding.
pub fn reports(program: &Program, policy_diags: &[Diag], findings: &[Finding], outcome: &Outcome) {
    let diags: Vec<Diag> = policy_diags.iter().chain(outcome.diagnostics.iter()).cloned().collect();
    for d in &outcome.diagnostics {
        std::hint::black_box(render(d, Style::plain()));
    }
    let summary = report::Summary::of(std::sync::Arc::new(Catalogue::of(program, true)), outcome);
    let end = report::End {
        summary: &summary,
        diagnostics: &diags,
        fail_on: Severity::Error,
        timestamp: "2026-03-01T00:00:00",
        baseline: false,
    };
    // Every format, through the one interface the command line uses; the human one plain and
    // coloured. (Drawing is most of a run's time, and colour changes nothing about the layout.)
    for format in report::FORMATS {
        let styles: &[Style] = if format.name == "human" {
            &[Style::plain(), Style { color: true, width: 100 }]
        } else {
            &[Style::plain()]
        };
        for &style in styles {
            let mut r = (format.make)(&report::Options { style, to_stdout: false, baseline: false });
            let mut text = r.start();
            for f in findings {
                text.push_str(&r.finding(f));
            }
            text.push_str(&r.finish(&end));
            let failed = (format.make)(&report::Options { style, to_stdout: false, baseline: false }).failed(&end);
            match format.holds {
                report::Holds::JsonDocument | report::Holds::Sarif => {
                    must_be_json(format.name, &text);
                    must_be_json(format.name, &failed);
                }
                _ if format.name == "github" => {
                    for line in text.split('\n').filter(|l| !l.is_empty()) {
                        // Every line is one whole workflow command: no text can break a line and
                        // start another.
                        assert!(line.starts_with("::"), "a github annotation was split: {line:?}");
                    }
                }
                _ => {}
            }
            std::hint::black_box((text, failed));
        }
    }

    // A baseline written from these findings reads back and knows each of them.
    let written = precept::suppress::baseline::write(findings);
    let file = precept::source::SourceFile::new("baseline.json", written);
    match precept::suppress::baseline::Baseline::read(&file) {
        Ok(baseline) => {
            for f in findings {
                assert!(baseline.contains(f), "a baseline written from a finding does not know it");
            }
        }
        Err(d) => panic!("a baseline written by Precept does not read back: {}", d.message),
    }
}

fn must_be_json(what: &str, text: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("the {what} report is not JSON: {e}\n{text}");
    }
}

/// Findings from checking the bundled record fixtures (`fixtures/records`) with the bundled
/// policies and roles, two per rule so that reports stay quick; computed once per process.
pub fn fixture_findings() -> &'static (Vec<Finding>, Outcome) {
    static FINDINGS: OnceLock<(Vec<Finding>, Outcome)> = OnceLock::new();
    FINDINGS.get_or_init(|| {
        let (program, _) = program();
        let (_, authority) = org();
        let root = project().join("fixtures/records");
        let select = precept::pipeline::Select::default();
        let (outcome, all) = precept::pipeline::check_paths(program, Some(authority), &[root], &select);
        let mut per_rule = std::collections::HashMap::<String, usize>::new();
        let kept = all
            .into_iter()
            .filter(|f| {
                let n = per_rule.entry(f.rule_id().to_string()).or_insert(0);
                *n += 1;
                *n <= 2
            })
            .collect();
        (kept, outcome)
    })
}
