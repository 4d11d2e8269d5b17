//! Where reports go: `--output FORMAT[=PATH]`, any number of them, at most one on stdout.
//!
//! Human, JSON, GitHub and SARIF reports are written as findings arrive (SARIF's rules after its
//! results); JUnit's counts come before its cases, so it keeps counts and the first lines of each
//! rule until the end. Each finding's text can be made on the check's worker threads
//! ([`Reports::preparers`]) and written here in order ([`Reports::prepared`]). A report
//! for a file is written to a temporary file beside it and renamed into place once complete, so a
//! reader never sees half a report and a failed run leaves the old one; a device or FIFO is written
//! in place (see [`crate::output_file`]). No report replaces a file the run reads
//! ([`super::guard`]). When the run stops early, every report that can be written still is,
//! holding the problems, so a CI job that uploads it shows why.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use crate::ast::Severity;
use crate::diagnostics::render::Style;
use crate::diagnostics::Diag;
use crate::findings::{Finding, Outcome};
use crate::report;

/// `FORMAT` (to stdout) or `FORMAT=PATH`; the formats are [`report::FORMATS`].
#[derive(Debug, Clone, Copy)]
pub struct Kind(pub &'static report::Format);

impl Kind {
    /// The format's name.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The format named `name`, which must be one of [`report::FORMATS`].
    pub fn named(name: &str) -> Option<Kind> {
        report::format(name).map(Kind)
    }

    /// `--format NAME`: a format to standard output, with the same message as `--output` for a name
    /// that is not one.
    pub fn parse(name: &str) -> Result<Kind, String> {
        match name.parse::<Spec>()? {
            Spec { kind, path: None } => Ok(kind),
            Spec { path: Some(_), .. } => {
                Err("`--format` writes to standard output: use `--output FORMAT=PATH` for a file".to_string())
            }
        }
    }
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Kind {}

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
        let kind = Kind::named(name).ok_or_else(|| {
            let names: Vec<&str> = report::FORMATS.iter().map(|f| f.name).collect();
            let near = crate::diagnostics::suggest::closest(name, names.iter().copied());
            let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            format!("unknown format `{name}`: one of {}{hint}", names.join(", "))
        })?;
        Ok(Spec { kind, path })
    }
}

enum Sink {
    Stdout(std::io::StdoutLock<'static>),
    /// Boxed: a report file being written is 128 bytes (its buffer, temporary file and
    /// writeback), and an enum is as large as its largest variant (clippy's `large_enum_variant`).
    File(Box<crate::output_file::OutputFile>, super::guard::Output),
}

struct Output {
    report: Box<dyn report::Report>,
    /// How `report` was made, to make it again once the run knows more (a baseline).
    format: &'static report::Format,
    options: report::Options,
    sink: Sink,
    /// Nothing more is written: the reader went away (`precept check | head`, quietly) or a write
    /// failed (`failed` says why).
    closed: bool,
    /// Writing failed: a report file is not put in place, and the run fails.
    failed: Option<String>,
}

impl Output {
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
            // A reader going away from stdout is quiet; a full disk or a file that cannot be
            // written is not.
            if matches!(self.sink, Sink::File(..)) || e.kind() != std::io::ErrorKind::BrokenPipe {
                self.failed = Some(crate::output_file::reason(&e));
            }
        }
    }
}

/// The preparers of a run's open reports ([`Reports::preparers`]), one per report in order:
/// shared by the worker threads, which make each finding's texts with [`Preparers::prepare`].
pub struct Preparers(Vec<Option<Box<dyn report::Prepare>>>);

// The check shares one `Preparers` among its worker threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Preparers>();
};

impl Preparers {
    fn of(reports: &[Output]) -> Preparers {
        Preparers(reports.iter().map(|r| r.report.preparer()).collect())
    }

    /// The text of `f` for each report, in the order of the reports: empty for a report with no
    /// preparer (it formats the finding itself, in order).
    pub fn prepare(&self, f: &Finding) -> Vec<String> {
        self.0.iter().map(|p| p.as_ref().map_or_else(String::new, |p| p.prepare(f))).collect()
    }
}

/// Every report of a run.
pub struct Reports {
    reports: Vec<Output>,
    /// A baseline was given: SARIF says which results are new.
    baseline: bool,
}

fn usage(message: String, help: &str) -> Diag {
    Diag::error("precept::usage::output", message).help(help)
}

impl Reports {
    /// Open every report that can be: at most one on stdout, a temporary file beside each file
    /// named (or the device or FIFO itself). The problems are usage errors: reports that would go
    /// to stdout together, or to the same file, or that cannot be created; those reports are left
    /// out, and the caller writes the others with [`Reports::failed`].
    pub fn open(specs: &[Spec], stdout_style: Style) -> (Reports, Vec<Diag>) {
        let mut problems = Vec::new();
        let on_stdout: Vec<&Spec> = specs.iter().filter(|s| s.path.is_none()).collect();
        if on_stdout.len() > 1 {
            let names: Vec<&str> = on_stdout.iter().map(|s| s.kind.name()).collect();
            problems.push(usage(
                format!("{} reports would go to standard output at once: {}", on_stdout.len(), names.join(", ")),
                "send all but one to files: `--output sarif=precept.sarif`",
            ));
        }
        let files: Vec<(&Spec, super::guard::Output)> = specs
            .iter()
            .filter_map(|s| {
                let path = s.path.as_ref()?;
                Some((
                    s,
                    super::guard::Output::new(path, format!("the {} report's output", s.kind.name()), s.kind.0.holds),
                ))
            })
            .collect();
        let outputs: Vec<super::guard::Output> = files.iter().map(|(_, o)| o.clone()).collect();
        let (twice, problems_twice) = super::guard::duplicates(&outputs);
        problems.extend(problems_twice);
        let mut reports = Vec::new();
        for spec in on_stdout.iter().filter(|_| on_stdout.len() == 1) {
            reports.push(Output::new(spec, Sink::Stdout(std::io::stdout().lock()), stdout_style));
        }
        for (i, (spec, output)) in files.into_iter().enumerate() {
            if twice.contains(&i) {
                continue;
            }
            match crate::output_file::OutputFile::create(&output.path) {
                Ok(file) => reports.push(Output::new(spec, Sink::File(Box::new(file), output), stdout_style)),
                Err(e) => problems.push(usage(
                    format!("cannot write a report to `{}`: {e}", crate::text::path(&output.path)),
                    "name a file in a folder that can be written to (missing folders are created)",
                )),
            }
        }
        (Reports { reports, baseline: false }, problems)
    }

    /// Leave out every report whose file the run reads (`inputs`, known before any record is):
    /// the problems.
    pub fn forbid(&mut self, inputs: &super::guard::Inputs) -> Vec<Diag> {
        let hits = inputs.against(&self.outputs());
        self.leave_out(hits)
    }

    /// Leave out every report whose file is one of the record `files` found, with a problem; a
    /// record file that is instead a report an earlier run left there is taken out of `files`.
    pub fn forbid_records(&mut self, files: &mut Vec<crate::data::RecordFile>) -> Vec<Diag> {
        let (hits, earlier) = super::guard::records(&self.outputs(), files);
        let mut n = 0;
        files.retain(|_| {
            n += 1;
            !earlier.contains(&(n - 1))
        });
        self.leave_out(hits)
    }

    /// [`Self::forbid_records`] for record files read by path alone (`--engine duckdb`'s Parquet
    /// files): a report over one of them is refused and left out.
    #[cfg(feature = "duckdb")]
    pub fn forbid_paths(&mut self, paths: &[PathBuf]) -> Vec<Diag> {
        let hits = super::guard::paths(&self.outputs(), paths);
        self.leave_out(hits)
    }

    /// The file outputs, in the order of `self.reports` less those on stdout.
    fn outputs(&self) -> Vec<super::guard::Output> {
        self.reports
            .iter()
            .filter_map(|r| match &r.sink {
                Sink::File(_, o) => Some(o.clone()),
                Sink::Stdout(_) => None,
            })
            .collect()
    }

    fn leave_out(&mut self, hits: Vec<(usize, Diag)>) -> Vec<Diag> {
        let mut file = 0;
        // Dropping a report's file removes its temporary file; a device is left as it is.
        self.reports.retain(|r| {
            if !matches!(r.sink, Sink::File(..)) {
                return true;
            }
            file += 1;
            !hits.iter().any(|(i, _)| *i == file - 1)
        });
        let mut problems: Vec<Diag> = Vec::new();
        for (_, d) in hits {
            if !problems.iter().any(|p| p.message == d.message) {
                problems.push(d);
            }
        }
        problems
    }

    /// Whether nothing is left to write to: every report's reader went away or failed (then the
    /// run can stop at once).
    pub fn abandoned(&self) -> bool {
        !self.reports.is_empty() && self.reports.iter().all(|r| r.closed)
    }

    /// Give up every report (they are all closed): the problems of those that failed.
    pub fn abandon(&mut self) -> Vec<Diag> {
        std::mem::take(&mut self.reports).into_iter().filter_map(|r| close(r).err()).collect()
    }

    /// Whether a baseline was given; before [`Reports::start`]. Each report is made again knowing
    /// it, since SARIF says in each result, as it writes it, whether it is new.
    pub fn set_baseline(&mut self, given: bool) {
        self.baseline = given;
        for r in &mut self.reports {
            if r.options.baseline != given {
                r.options.baseline = given;
                r.report = (r.format.make)(&r.options);
            }
        }
    }

    /// The start of every report.
    pub fn start(&mut self) {
        for r in &mut self.reports {
            let s = r.report.start();
            r.put(&s);
        }
    }

    /// What makes the text of a finding for every open report, in their order, for the check to
    /// run on its worker threads (after [`Reports::start`] and any [`Reports::set_baseline`]).
    pub fn preparers(&self) -> Preparers {
        Preparers::of(&self.reports)
    }

    /// One finding, to every report, in order, with `texts` from [`Preparers::prepare`] (one per
    /// report; a missing text is taken as empty, and the report makes its own).
    pub fn prepared(&mut self, f: &Finding, texts: Vec<String>) {
        let mut texts = texts.into_iter();
        for r in &mut self.reports {
            let text = texts.next().unwrap_or_default();
            if r.closed {
                continue;
            }
            let text = r.report.prepared(f, text);
            r.put(&text);
        }
    }

    /// Finish every report with the run's diagnostics and summary, and put the files in place.
    pub fn finish(self, run: &Run<'_>, outcome: &Outcome) -> Result<(), Diag> {
        let diags: Vec<Diag> = run.policy_diags.iter().chain(outcome.diagnostics.iter()).cloned().collect();
        let summary = report::Summary::of(run.catalogue.clone(), outcome);
        let end = report::End {
            summary: &summary,
            diagnostics: &diags,
            fail_on: run.fail_on,
            timestamp: &run.timestamp,
            baseline: self.baseline,
        };
        let mut result = Ok(());
        for mut r in self.reports {
            let text = r.report.finish(&end);
            r.put(&text);
            if let Err(d) = close(r) {
                result = result.and(Err(d));
            }
        }
        result
    }

    /// When the run stops before checking (unreadable settings, a broken policy, bad usage): each
    /// report says so in its own terms, with no findings. On stdout the human report adds nothing
    /// (the problems are on stderr already); in a file it holds them.
    ///
    /// The run stopped before every input was known (record files are found only once the
    /// policies load), so a report file that already exists as a regular file and is not a report
    /// Precept wrote could be a record file: it is left as it is, with a problem saying so.
    pub fn failed(self, policy_diags: &[Diag], fail_on: Severity, timestamp: &str) -> Vec<Diag> {
        let summary = report::Summary::default();
        let end = report::End { summary: &summary, diagnostics: policy_diags, fail_on, timestamp, baseline: false };
        let mut result = Vec::new();
        for mut r in self.reports {
            if let Sink::File(_, o) = &r.sink {
                let regular = std::fs::metadata(&o.path).is_ok_and(|m| m.is_file());
                if regular && !o.left_by_an_earlier_run(&o.path) {
                    result.push(
                        usage(
                            format!(
                                "`{}` was not written as {}: the run stopped before its inputs were known, and the file there is not a report Precept wrote",
                                crate::text::name(&o.path),
                                o.role
                            ),
                            "fix the problems above, or name a new file for the report",
                        ),
                    );
                    continue;
                }
            }
            let text = r.report.failed(&end);
            r.put(&text);
            if let Err(d) = close(r) {
                result.push(d);
            }
        }
        result
    }
}

impl Output {
    fn new(spec: &Spec, sink: Sink, stdout_style: Style) -> Output {
        let to_stdout = spec.path.is_none();
        let options = report::Options {
            style: if to_stdout { stdout_style } else { Style::plain() },
            to_stdout,
            baseline: false,
        };
        Output { report: (spec.kind.0.make)(&options), format: spec.kind.0, options, sink, closed: false, failed: None }
    }
}

/// What the end of a run's reports needs.
pub struct Run<'a> {
    /// The policies' rules and codes, as reports list them.
    pub catalogue: std::sync::Arc<crate::findings::Catalogue>,
    /// Problems with the policies (warnings; errors stop the run earlier).
    pub policy_diags: &'a [Diag],
    /// The least severe finding that fails the run.
    pub fail_on: Severity,
    /// When the run happened, for JUnit.
    pub timestamp: String,
}

fn close(r: Output) -> Result<(), Diag> {
    match r.sink {
        Sink::Stdout(mut w) => {
            let flushed = if r.closed { Ok(()) } else { w.flush() };
            let failed = match flushed {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Some(crate::input::io_reason(&e)),
                _ => r.failed,
            };
            match failed {
                Some(e) => Err(stdout_failed(&e)),
                None => Ok(()),
            }
        }
        Sink::File(file, output) => {
            let cannot = |e: String| {
                usage(
                    format!("cannot write the report `{}`: {e}", crate::text::path(&output.path)),
                    "check the folder can be written to",
                )
            };
            // A report that could not be written whole is dropped (with its temporary file).
            if let Some(e) = r.failed {
                return Err(cannot(e));
            }
            (*file).commit().map_err(|e| cannot(crate::output_file::reason(&e)))
        }
    }
}

/// Standard output could not be written (a full disk, `/dev/full`): the report is lost, so the
/// run has not done its job.
pub fn stdout_failed(reason: &str) -> Diag {
    usage(
        format!("cannot write to standard output: {reason}"),
        "make room on the disk standard output goes to, or send the report to a file with `--output FORMAT=PATH`",
    )
}

/// Standard output could not be written by a command other than a check's report (`explain`, `fmt
/// --diff`, `man`, `completions`...), where `--output` means nothing.
pub fn text_stdout_failed(reason: &str) -> Diag {
    usage(
        format!("cannot write to standard output: {reason}"),
        "make room on the disk standard output goes to, or redirect standard output to a file somewhere else",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_format_and_maybe_a_file() {
        assert_eq!("sarif".parse::<Spec>(), Ok(Spec { kind: Kind::named("sarif").unwrap(), path: None }));
        assert_eq!(
            "junit=out/report.xml".parse::<Spec>(),
            Ok(Spec { kind: Kind::named("junit").unwrap(), path: Some(PathBuf::from("out/report.xml")) })
        );
        assert!("sarif=".parse::<Spec>().is_err());
        let e = "sarrif=x".parse::<Spec>().unwrap_err();
        assert!(e.contains("did you mean `sarif`"), "{e}");
    }
}
