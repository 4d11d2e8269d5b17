//! Where reports go: `--output FORMAT[=PATH]`, any number of them, at most one on stdout.
//!
//! Human, JSON and GitHub reports are written as findings arrive; SARIF and JUnit need every finding
//! first (their rules and counts come before the results), so findings are kept for them. A report
//! for a file is written to a temporary file beside it and renamed into place once complete, so a
//! reader never sees half a report and a failed run leaves the old one.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use crate::ast::Severity;
use crate::diagnostics::render::Style;
use crate::diagnostics::Diag;
use crate::engine::Program;
use crate::pipeline::{Finding, Outcome};
use crate::report;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// miette reports and a summary line.
    Human,
    /// A JSON document (see docs/json-report.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, one test case per rule.
    Junit,
    /// GitHub Actions workflow annotations.
    Github,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Human => "human",
            Kind::Json => "json",
            Kind::Sarif => "sarif",
            Kind::Junit => "junit",
            Kind::Github => "github",
        }
    }
}

/// `FORMAT` (to stdout) or `FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The format.
    pub kind: Kind,
    /// The file, or stdout.
    pub path: Option<PathBuf>,
}

impl FromStr for Spec {
    type Err = String;

    fn from_str(s: &str) -> Result<Spec, String> {
        let (name, path) = match s.split_once('=') {
            Some((n, "")) => return Err(format!("`{n}=` needs a file after `=`")),
            Some((n, p)) => (n, Some(PathBuf::from(p))),
            None => (s, None),
        };
        let kind = <Kind as clap::ValueEnum>::from_str(name, true).map_err(|_| {
            let names = ["human", "json", "sarif", "junit", "github"];
            let near = crate::diagnostics::suggest::closest(name, names.iter().copied());
            let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            format!("unknown format `{name}`: one of human, json, sarif, junit, github{hint}")
        })?;
        Ok(Spec { kind, path })
    }
}

enum State {
    Human(Style),
    Json(report::json::Stream),
    Github(report::github::Annotations),
    /// SARIF and JUnit: written at the end from the findings kept.
    Whole,
}

enum Sink {
    Stdout(std::io::StdoutLock<'static>),
    File(crate::workspace::AtomicFile, PathBuf),
}

struct Report {
    kind: Kind,
    state: State,
    sink: Sink,
    /// The reader went away (`precept check | head`): stop writing, quietly.
    closed: bool,
    /// Writing a report file failed: it is not put in place.
    failed: Option<String>,
}

impl Report {
    fn put(&mut self, s: &str) {
        if self.closed || s.is_empty() {
            return;
        }
        let ok = match &mut self.sink {
            Sink::Stdout(w) => w.write_all(s.as_bytes()),
            Sink::File(w, _) => w.write_all(s.as_bytes()),
        };
        if let Err(e) = ok {
            self.closed = true;
            // A reader going away from stdout is quiet; a file that cannot be written is not.
            if matches!(self.sink, Sink::File(..)) {
                self.failed = Some(e.to_string());
            }
        }
    }
}

/// Every report of a run.
pub struct Reports {
    reports: Vec<Report>,
    /// Kept for SARIF and JUnit.
    kept: Vec<Finding>,
    keep: bool,
    /// A baseline was given: SARIF says which results are new.
    baseline: bool,
}

fn usage(message: String, help: &str) -> Diag {
    Diag::error("precept::usage::output", message).help(help)
}

impl Reports {
    /// Open every report: at most one on stdout, and a temporary file beside each file named.
    pub fn open(specs: &[Spec], stdout_style: Style) -> Result<Reports, Diag> {
        let on_stdout: Vec<&Spec> = specs.iter().filter(|s| s.path.is_none()).collect();
        if on_stdout.len() > 1 {
            let names: Vec<&str> = on_stdout.iter().map(|s| s.kind.name()).collect();
            return Err(usage(
                format!("{} reports would go to standard output at once: {}", on_stdout.len(), names.join(", ")),
                "send all but one to files: `--output sarif=precept.sarif`",
            ));
        }
        let mut reports = Vec::new();
        for spec in specs {
            let sink = match &spec.path {
                None => Sink::Stdout(std::io::stdout().lock()),
                Some(path) => Sink::File(
                    crate::workspace::AtomicFile::create(path).map_err(|e| {
                        usage(
                            format!("cannot write a report to `{}`: {e}", path.display()),
                            "name a file in a folder that exists and can be written to",
                        )
                    })?,
                    path.clone(),
                ),
            };
            let state = match spec.kind {
                Kind::Human => Human(if spec.path.is_none() { stdout_style } else { Style::plain() }),
                Kind::Json => State::Json(report::json::Stream::default()),
                Kind::Github => State::Github(report::github::Annotations::default()),
                Kind::Sarif | Kind::Junit => State::Whole,
            };
            reports.push(Report { kind: spec.kind, state, sink, closed: false, failed: None });
        }
        let keep = reports.iter().any(|r| matches!(r.state, State::Whole));
        Ok(Reports { reports, kept: Vec::new(), keep, baseline: false })
    }

    /// Whether a baseline was given.
    pub fn set_baseline(&mut self, given: bool) {
        self.baseline = given;
    }

    /// The start of every report.
    pub fn start(&mut self) {
        for r in &mut self.reports {
            if let State::Json(stream) = &r.state {
                let s = stream.start();
                r.put(&s);
            }
        }
    }

    /// One finding, to every report.
    pub fn finding(&mut self, program: &Program, f: Finding) {
        for r in &mut self.reports {
            let text = match &mut r.state {
                // Known findings would be the wall of old findings a baseline is there to hide.
                Human(_) if f.standing == crate::pipeline::Standing::Baselined => String::new(),
                Human(style) => format!("{}\n", report::human::finding(program, &f, *style)),
                State::Json(stream) => stream.finding(program, &f),
                State::Github(a) => a.finding(&f),
                State::Whole => String::new(),
            };
            r.put(&text);
        }
        if self.keep {
            self.kept.push(f);
        }
    }

    /// Finish every report with the run's diagnostics and summary, and put the files in place.
    pub fn finish(self, run: &Run<'_>, outcome: &Outcome) -> Result<(), Diag> {
        let diags: Vec<Diag> = run.policy_diags.iter().chain(outcome.diagnostics.iter()).cloned().collect();
        let Reports { reports, kept, baseline, .. } = self;
        let mut result = Ok(());
        for mut r in reports {
            let text = match &mut r.state {
                Human(_) => {
                    let summary = report::Summary::of(run.program, outcome);
                    format!("{}{}\n", report::human::relaxations(run.program), report::human::summary_line(&summary))
                }
                State::Json(stream) => stream.finish(run.program, outcome, run.policy_diags),
                State::Github(a) => {
                    let mut s: String = diags.iter().map(|d| a.diagnostic(d)).collect();
                    s.push_str(&a.finish());
                    s
                }
                State::Whole if r.kind == Kind::Sarif => report::sarif::document(run.program, &kept, &diags, baseline),
                State::Whole => {
                    report::junit::document(run.program, &kept, &diags, run.fail_on, &run.timestamp, &run.skipped)
                }
            };
            r.put(&text);
            if let Err(d) = close(r) {
                result = result.and(Err(d));
            }
        }
        result
    }

    /// When the policies cannot be loaded: each report says so in its own terms, with no findings.
    pub fn failed(self, policy_diags: &[Diag], fail_on: Severity, timestamp: &str) -> Result<(), Diag> {
        let empty = Program::empty();
        let mut result = Ok(());
        for mut r in self.reports {
            let text = match &mut r.state {
                Human(_) => String::new(),
                State::Json(_) => report::json::failure(policy_diags),
                State::Github(a) => {
                    let mut s: String = policy_diags.iter().map(|d| a.diagnostic(d)).collect();
                    s.push_str(&a.finish());
                    s
                }
                State::Whole if r.kind == Kind::Sarif => report::sarif::document(&empty, &[], policy_diags, false),
                State::Whole => report::junit::document(&empty, &[], policy_diags, fail_on, timestamp, &[]),
            };
            r.put(&text);
            if let Err(d) = close(r) {
                result = result.and(Err(d));
            }
        }
        result
    }
}

use State::Human;

/// What the end of a run's reports needs.
pub struct Run<'a> {
    /// The compiled policies.
    pub program: &'a Program,
    /// Problems with the policies (warnings; errors stop the run earlier).
    pub policy_diags: &'a [Diag],
    /// The least severe finding that fails the run.
    pub fail_on: Severity,
    /// When the run happened, for JUnit.
    pub timestamp: String,
    /// Rules not run for want of role files.
    pub skipped: Vec<&'a str>,
}

fn close(r: Report) -> Result<(), Diag> {
    match r.sink {
        Sink::Stdout(mut w) => {
            let _ = w.flush();
            Ok(())
        }
        Sink::File(file, path) => {
            let cannot = |e: String| {
                usage(
                    format!("cannot write the report `{}`: {e}", path.display()),
                    "check the folder can be written to",
                )
            };
            // A report that could not be written whole is dropped (with its temporary file).
            if let Some(e) = r.failed {
                return Err(cannot(e));
            }
            file.commit().map_err(|e| cannot(e.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_format_and_maybe_a_file() {
        assert_eq!("sarif".parse::<Spec>(), Ok(Spec { kind: Kind::Sarif, path: None }));
        assert_eq!(
            "junit=out/report.xml".parse::<Spec>(),
            Ok(Spec { kind: Kind::Junit, path: Some(PathBuf::from("out/report.xml")) })
        );
        assert!("sarif=".parse::<Spec>().is_err());
        let e = "sarrif=x".parse::<Spec>().unwrap_err();
        assert!(e.contains("did you mean `sarif`"), "{e}");
    }
}
