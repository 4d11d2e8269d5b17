//! The command line: argument parsing and the mapping from outcomes to output and exit status.
//!
//! Findings and the summary go to stdout, diagnostics to stderr. Exit status never changes meaning
//! with flags: 0 no error-severity findings, 1 at least one, 2 the tool could not do its job.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod check;
pub mod config;
mod diff;
mod engine;
mod explain;
mod fmt;
mod generate;
mod guard;
mod output;
mod progress;
mod readback;
mod sql;
pub mod terminal;
mod test;

use crate::ast::Severity;
use crate::diagnostics::render::{render, Style};
use crate::diagnostics::Diag;
use crate::report;

/// Exit statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No findings at error severity.
    Clean = 0,
    /// At least one finding at error severity.
    Findings = 1,
    /// The tool could not do its job: bad policy, unreadable input, bad usage.
    Failed = 2,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

/// Precept checks service records against codes of practice written as typed policies.
#[derive(Debug, Parser)]
#[command(name = "precept", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour human output: `auto` (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces
    /// it), `always` or `never`.
    #[arg(long, value_enum, value_name = "WHEN", global = true, default_value = "auto")]
    color: terminal::Color,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check record files against the policies.
    Check(CheckArgs),
    /// Record the current findings as the baseline, so later checks fail only on new ones.
    Baseline(BaselineArgs),
    /// Explain a rule (its code, clause, text and help) or a diagnostic code.
    Explain(ExplainArgs),
    /// Run the tests beside the policies (`*.test.toml`) and report rule coverage.
    Test(TestArgs),
    /// Lint role and staff definitions: references, escalation paths, scope, assignments, qualifications.
    Lint(LintArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    Completions(generate::CompletionsArgs),
    /// Print the manual page (roff) to standard output, or write one per subcommand with `--out DIR`.
    Man(generate::ManArgs),
    /// Run the language server on stdin and stdout, for editors (see README, "Language server").
    Lsp(LspArgs),
    /// Rewrite policy files in the canonical layout (`--check`: only list those that would change).
    Fmt(fmt::FmtArgs),
    /// Check the same records with the base policies and the changed ones, and show the findings
    /// that appear, disappear or change, by rule.
    Diff(diff::DiffArgs),
    /// Write the rules as SQL that returns their findings as rows, for a warehouse (docs/warehouse.md).
    Sql(sql::SqlArgs),
}

#[derive(Debug, clap::Args)]
struct LspArgs {
    /// Talk over stdin and stdout. The server always does; the flag is accepted because editor
    /// clients (VS Code's `vscode-languageclient` among them) add it to the command they start.
    #[arg(long)]
    stdio: bool,
}

#[derive(Debug, clap::Args)]
struct LintArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// The date open-ended role assignments must hold their qualifications until (default: today).
    #[arg(long = "as-of", value_name = "YYYY-MM-DD")]
    as_of: Option<String>,
    /// Role and staff `.toml` files, or folders of them.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// miette reports and a summary line.
    Human,
    /// A JSON document (see docs/json-report.md).
    Json,
}

/// The least severe finding that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Only errors.
    Error,
    /// Errors and warnings.
    Warning,
    /// Any finding.
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// What a check reads: policies, roles, records, waivers.
#[derive(Debug, Clone, clap::Args)]
struct Inputs {
    /// The settings file (default: the first `precept.toml` found walking up from here).
    #[arg(long = "config", value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no settings file, only the flags given.
    #[arg(long = "no-config")]
    no_config: bool,
    /// A folder (or file) of `.precept` policies; may be given more than once. Default: `policies`.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// A folder (or file) of role and staff definitions, for rules written `for role` or `for staff`.
    #[arg(long = "roles", value_name = "DIR")]
    roles: Vec<PathBuf>,
    /// A waivers file (TOML): findings accepted for a time, each with a justification, an
    /// approver and an expiry date (see docs/waivers.md).
    #[arg(long = "waivers", value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// The evaluation time: a date (the data is complete through that day) or a datetime
    /// (`2026-06-30T17:00:00+01:00`). Open case obligations are judged at it, rules read it as
    /// `now`, and waivers are judged on its day. Without it, cases are judged at the end of the
    /// data, rules that use `now` cannot run, and waivers are judged on today's date (UTC).
    #[arg(long = "as-of", value_name = "DATE|DATETIME")]
    as_of: Option<String>,
    /// Worker threads for evaluation, 1 to 256 (default: one per core). Output is the same for
    /// any value.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// An input size limit, `KIND=SIZE` (e.g. `record-line=64MiB`); may be given more than once.
    /// Kinds: record-line, record-file, policy, role, waivers, baseline, settings, calendar, test
    /// (defaults in docs/config.md). Wins over `[limits]` in the settings.
    #[arg(long = "limit", value_name = "KIND=SIZE", value_parser = parse_limit)]
    limits: Vec<(crate::input::Kind, u64)>,
    /// Show no progress indicator. It is drawn on stderr only when that is a terminal, outside CI
    /// (`CI` set), once a check has run for two seconds; diagnostics are shown either way.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Record files or folders to check (default: the current folder).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// A `--limit KIND=SIZE` value.
fn parse_limit(text: &str) -> Result<(crate::input::Kind, u64), String> {
    let keys: Vec<&str> = crate::input::KINDS.iter().map(|(_, k, _)| *k).collect();
    let (key, size) =
        text.split_once('=').ok_or_else(|| format!("write `KIND=SIZE`, where KIND is one of {}", keys.join(", ")))?;
    let kind = crate::input::Kind::from_key(key.trim()).ok_or_else(|| {
        format!("unknown kind `{key}`; {}", crate::diagnostics::suggest::help(key.trim(), &keys, "kind"))
    })?;
    let bytes = crate::input::parse_size(size).ok_or_else(|| {
        format!("`{size}` is not a size; write e.g. `64MiB` (units: KiB, MiB, GiB) or a number of bytes")
    })?;
    Ok((kind, bytes))
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// The report on standard output, by format (`human`, the default, `json`, `sarif`, `junit`,
    /// `github`, `markdown` or `html`): the same as `--output FORMAT`.
    #[arg(long, value_name = "FORMAT", value_parser = output::Kind::parse, conflicts_with = "outputs")]
    format: Option<output::Kind>,
    /// A report to write: `FORMAT` (to standard output) or `FORMAT=PATH`; FORMAT is human, json,
    /// sarif, junit, github, markdown or html. May be given more than once; at most one goes to
    /// standard output. Missing folders in PATH are created.
    #[arg(long = "output", value_name = "FORMAT[=PATH]", id = "outputs")]
    outputs: Vec<output::Spec>,
    /// The least severe finding that fails the run (exit status 1); default `error`.
    #[arg(long = "fail-on", value_enum)]
    fail_on: Option<FailOn>,
    /// A baseline written by `precept baseline`: its findings are reported as known and do not
    /// fail the run; those that no longer occur are named so the file can shrink.
    #[arg(long = "baseline", value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// The engine that checks the records: `native` (the default; every rule, every format but
    /// Parquet) or `duckdb` (embedded DuckDB, in a build with the `duckdb` feature: the rules that
    /// compile to SQL, over JSON Lines, CSV and Parquet files, out of core).
    #[arg(long, value_enum, default_value = "native")]
    engine: engine::EngineArg,
    /// Report findings exported from a warehouse instead of checking record files: the rows of
    /// `precept sql`'s `precept_findings`, as CSV with a header or JSON Lines (docs/warehouse.md,
    /// "Reading findings back"). May be given more than once.
    #[arg(long = "findings", value_name = "FILE", conflicts_with_all = ["paths", "engine"])]
    findings: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct TestArgs {
    /// Policy folders (and their tests); default: `policies`.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// A JUnit report of the tests, one test case per test: `junit=PATH`.
    #[arg(long = "output", value_name = "junit=PATH")]
    output: Option<output::Spec>,
    /// Fail (exit 1) when fewer than this percentage of the rules are exercised by a test.
    #[arg(long = "min-coverage", value_name = "PERCENT")]
    min_coverage: Option<f64>,
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    /// A rule id (`complaint-acknowledged`, or `precept::rule::complaint-acknowledged` as findings
    /// name it) or a diagnostic code (`precept::type::unknown-field`, or `type::unknown-field`).
    #[arg(value_name = "RULE-OR-CODE")]
    what: String,
    /// Output format: `json` is described in docs/reports.md, "precept explain --format json".
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Where to find rules; default: `policies`.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct BaselineArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Where to write the baseline (replaced atomically).
    #[arg(long = "file", value_name = "FILE", default_value = "precept-baseline.json")]
    file: PathBuf,
    /// Write the baseline from findings exported from a warehouse instead of checking record
    /// files (as `precept check --findings`). May be given more than once.
    #[arg(long = "findings", value_name = "FILE", conflicts_with = "paths")]
    findings: Vec<PathBuf>,
}

/// The most `--threads` may ask for: far more than any machine Precept runs on has cores, and few
/// enough that a typo (`--threads 100000`) cannot start a machine-wide storm of threads.
pub const MAX_THREADS: usize = 256;

/// Parse the arguments and run; the binary's `main` is only this.
pub fn main() -> ExitCode {
    // A report in progress is removed, not left half-written, when the run is interrupted.
    crate::output_file::remove_temporary_files_on_signal();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Clap quotes the arguments it could not use: escaped and guarded like all human output.
            let text = e.render().to_string();
            let shown = crate::text::guard(&crate::text::escape_lines(&text), false).into_owned();
            let written = if e.use_stderr() {
                std::io::stderr().write_all(shown.as_bytes())
            } else {
                let mut out = std::io::stdout().lock();
                out.write_all(shown.as_bytes()).and_then(|()| out.flush())
            };
            // Help or a version that did not arrive (`--help > /dev/full`) is a failure; a reader
            // that stopped early (`--help | head`) is not.
            if let Some(w) = written.err().filter(|w| w.kind() != std::io::ErrorKind::BrokenPipe) {
                let d = output::text_stdout_failed(&crate::input::io_reason(&w));
                let _ = std::io::stderr().write_all(render(&d, style_for(terminal::Stream::Stderr)).as_bytes());
                return Status::Failed.into();
            }
            return if e.use_stderr() { Status::Failed.into() } else { Status::Clean.into() };
        }
    };
    let status = run(cli);
    if STDERR_LOST.load(std::sync::atomic::Ordering::Relaxed) {
        return Status::Failed.into();
    }
    status.into()
}

/// Writes to a stream, treating a closed pipe (`precept check | head`) as a quiet stop and any
/// other write error (a full disk) as a failure that [`Out::done`] reports.
struct Out<W: Write> {
    w: W,
    closed: bool,
    /// Why writing failed, when it was not a closed pipe.
    failed: Option<String>,
    /// This is standard error: a failure to write it sets [`STDERR_LOST`].
    is_stderr: bool,
}

/// Diagnostics were written to a standard error that could not take them (`2>/dev/full`): nothing
/// can say so, but the run must not then pass as clean, so the exit status becomes 2.
static STDERR_LOST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Out<std::io::Stderr> {
    /// Standard error, whose loss makes the run fail (see [`STDERR_LOST`]). Locked for each write
    /// only, never for the whole run: the progress indicator draws on it from its own thread.
    fn stderr() -> Self {
        Out { w: std::io::stderr(), closed: false, failed: None, is_stderr: true }
    }
}

impl<W: Write> Out<W> {
    fn new(w: W) -> Out<W> {
        Out { w, closed: false, failed: None, is_stderr: false }
    }

    fn put(&mut self, s: &str) {
        if self.closed {
            return;
        }
        if let Err(e) = self.w.write_all(s.as_bytes()) {
            self.fail(&e);
        }
    }

    fn fail(&mut self, e: &std::io::Error) {
        self.closed = true;
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            self.failed = Some(crate::input::io_reason(e));
            if self.is_stderr {
                STDERR_LOST.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    /// Flush; the problem if what was written did not all arrive (a closed pipe is not one).
    fn done(&mut self) -> Option<Diag> {
        if !self.closed {
            if let Err(e) = self.w.flush() {
                self.fail(&e);
            }
        }
        self.failed.as_deref().map(output::text_stdout_failed)
    }
}

/// Standard output's problem, if any, shown on `err`: the status then becomes a failure.
fn finish_stdout<W: Write, E: Write>(out: &mut Out<W>, err: &mut Out<E>, style: Style, status: Status) -> Status {
    match out.done() {
        Some(d) => {
            err.put(&render(&d, style));
            Status::Failed
        }
        None => status,
    }
}

/// How to draw human output on `stream`: `--color`, the colour conventions and the width (see
/// [`terminal`]).
fn style_for(stream: terminal::Stream) -> Style {
    terminal::style(stream)
}

fn run(cli: Cli) -> Status {
    terminal::choose(cli.color);
    match cli.command {
        Command::Check(args) => check::check(args),
        Command::Baseline(args) => check::baseline(args),
        Command::Explain(args) => explain::explain(args),
        Command::Test(args) => test::test(args),
        Command::Lint(args) => lint(args),
        Command::Completions(args) => generate::completions(&args),
        Command::Man(args) => generate::man(&args),
        // The protocol says a server that gets `exit` without `shutdown` first exits with 1.
        Command::Lsp(_) => {
            if crate::lsp::run() {
                Status::Clean
            } else {
                Status::Findings
            }
        }
        Command::Fmt(args) => fmt::fmt(args),
        Command::Diff(args) => diff::diff(args),
        Command::Sql(args) => sql::sql(args),
    }
}

fn lint(args: LintArgs) -> Status {
    let mut out = Out::new(std::io::stdout().lock());
    let mut err = Out::stderr();
    let out_style = style_for(terminal::Stream::Stdout);
    let err_style = style_for(terminal::Stream::Stderr);
    let as_of = match &args.as_of {
        None => jiff::Zoned::now().date(),
        Some(text) => match text.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                let d = Diag::error("precept::usage::as-of", format!("`{text}` is not a date"))
                    .help("write the date as `YYYY-MM-DD`, e.g. `--as-of 2026-11-22`");
                err.put(&render(&d, err_style));
                return Status::Failed;
            }
        },
    };
    let (org, files, read) = crate::workspace::load_org(&args.paths);
    // Definitions of the wrong shape are problems with the roles, reported like the lint's own;
    // files that cannot be read or parsed at all are input errors.
    let (mut problems, input): (Vec<Diag>, Vec<Diag>) =
        read.into_iter().partition(|d| d.code.starts_with("precept::role::"));
    for d in &input {
        err.put(&render(d, err_style));
    }
    problems.extend(crate::roles::lint::lint(&org, as_of));
    crate::diagnostics::sort(&mut problems);
    let summary = report::LintSummary::of(&org, files, &problems);
    match args.format {
        Format::Human => {
            for p in &problems {
                out.put(&render(p, out_style));
                out.put("\n");
            }
            out.put(&summary.line());
            out.put("\n");
        }
        Format::Json => out.put(&report::json::lint(&problems, &input, &summary)),
    }
    let status = lint_status(&input, &problems, files, &mut err, err_style);
    finish_stdout(&mut out, &mut err, err_style, status)
}

fn lint_status<E: Write>(
    input: &[Diag],
    problems: &[Diag],
    files: usize,
    err: &mut Out<E>,
    err_style: Style,
) -> Status {
    if input.iter().any(Diag::is_error) || files == 0 {
        if files == 0 && input.is_empty() {
            let d = Diag::error("precept::input::no-records", "no role files found")
                .help("pass files or folders holding role and staff `.toml` files");
            err.put(&render(&d, err_style));
        }
        Status::Failed
    } else if problems.iter().any(Diag::is_error) {
        Status::Findings
    } else {
        Status::Clean
    }
}
