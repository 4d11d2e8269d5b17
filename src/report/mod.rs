//! Findings and diagnostics to output, one [`Report`] per format, all listed in [`FORMATS`]:
//! `human` (miette reports and a summary line), `json` (a stable document), `sarif` (for code
//! scanning), `junit` (for test dashboards), `github` (workflow annotations), `markdown` (a
//! pull-request or job summary) and `html` (one self-contained page for people who read a run).
//!
//! Reports are pure functions of the findings and the run's [`Summary`]: no clocks (JUnit's
//! required timestamp comes from the caller), no paths of this machine beyond those the user gave,
//! no thread-dependent order. [`Run::report`](crate::Run::report) renders a whole run in one call;
//! the trait is for writing a report as findings arrive, or for a format of one's own.

// Each format's own module is reached through `FORMATS`; their other items serve the command line
// and carry no stability promise.
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod github;
#[doc(hidden)]
pub mod html;
#[doc(hidden)]
pub mod human;
#[doc(hidden)]
pub mod json;
#[doc(hidden)]
pub mod junit;
#[doc(hidden)]
pub mod markdown;
#[doc(hidden)]
pub mod sarif;

use crate::ast::Severity;
/// How text reports are drawn (colour, width), named by [`Options`].
pub use crate::diagnostics::render::Style;
use crate::diagnostics::Diag;
use crate::findings::Finding;

/// One report of a run, written a piece at a time: [`Report::start`], then [`Report::finding`] for
/// each finding as it is found, then [`Report::finish`]; or [`Report::failed`] alone when the run
/// stopped before checking anything. Each call returns the text to append to the output.
///
/// A format whose document puts something that depends on every finding before them keeps only
/// what it needs of each, with bounded memory: SARIF writes its results as they come and its rules
/// after them; JUnit keeps counts and the first few lines of each rule; the Markdown summary keeps
/// one row of counts per rule and the lines of its first findings.
///
/// A format of one's own, driven as [`Run::report`](crate::Run::report) drives the built-in ones:
///
/// ```
/// use std::collections::BTreeMap;
/// use precept::report::{End, Report};
/// use precept::Finding;
///
/// /// Findings counted by rule, one line each.
/// #[derive(Default)]
/// struct Counts(BTreeMap<String, usize>);
///
/// impl Report for Counts {
///     fn finding(&mut self, f: &Finding) -> String {
///         *self.0.entry(f.rule_id().to_string()).or_default() += 1;
///         String::new()
///     }
///     fn finish(&mut self, end: &End<'_>) -> String {
///         let counts: String = self.0.iter().map(|(rule, n)| format!("{rule}: {n}\n")).collect();
///         format!("{counts}{} records checked\n", end.summary.records)
///     }
///     fn failed(&mut self, end: &End<'_>) -> String {
///         format!("not checked: {} problems\n", end.diagnostics.len())
///     }
/// }
///
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,2h\nT-2,3h\nT-3,5m\n")]);
/// let mut report = Counts::default();
/// let mut out = report.start();
/// for f in &run.findings {
///     out.push_str(&report.finding(f));
/// }
/// let end = End {
///     summary: &run.summary,
///     diagnostics: &run.diagnostics,
///     fail_on: run.fail_on,
///     timestamp: "2026-01-01T00:00:00",
///     baseline: false,
/// };
/// out.push_str(&report.finish(&end));
/// assert_eq!(out, "answered-quickly: 2\n3 records checked\n");
/// ```
pub trait Report: Send {
    /// The opening of the report (nothing, unless the format says otherwise).
    ///
    /// ```
    /// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
    /// let mut json = (precept::report::format("json").expect("built in").make)(&options);
    /// assert!(json.start().starts_with("{\n  \"version\": "));
    /// ```
    fn start(&mut self) -> String {
        String::new()
    }

    /// One finding, in file, record and rule order (at any standing).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
    /// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
    /// let mut github = (precept::report::format("github").expect("built in").make)(&options);
    /// let line = github.finding(&run.findings[0]);
    /// assert!(line.starts_with("::error file=tickets.csv,line=3,"));
    /// ```
    fn finding(&mut self, f: &Finding) -> String;

    /// A formatter the check can run on its worker threads, for formats whose text of one finding
    /// depends on no other finding (None: `finding` does all the work, in order).
    ///
    /// Formatting a finding (laying out an excerpt, escaping, serialising) costs far more than
    /// writing it, so a run with many findings keeps one thread busy writing unless that work is
    /// spread: the preparer does it anywhere, [`Report::prepared`] adds what depends on order.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,2h\nT-2,3h\n")]);
    /// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
    /// let mut json = (precept::report::format("json").expect("built in").make)(&options);
    /// let preparer = json.preparer().expect("JSON findings are independent");
    /// // Made on any thread, in any order...
    /// let texts: Vec<String> = run.findings.iter().rev().map(|f| preparer.prepare(f)).collect();
    /// // ...and written in order.
    /// let mut out = json.start();
    /// for (f, text) in run.findings.iter().zip(texts.into_iter().rev()) {
    ///     out.push_str(&json.prepared(f, text));
    /// }
    /// assert_eq!(out.matches("\"rule\":\"answered-quickly\"").count(), 2);
    /// ```
    fn preparer(&self) -> Option<Box<dyn Prepare>> {
        None
    }

    /// One finding, in order, with the text this report's preparer made for it (an empty string
    /// when it has none); returns the text to append, as `finding` does.
    ///
    /// For every finding `f`, `finding(f)` is `prepared(f, preparer.prepare(f))`, byte for byte:
    /// a report says the same whether its findings were formatted in order or on other threads.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,2h\nT-2,3h\n")]);
    /// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
    /// let github = || (precept::report::format("github").expect("built in").make)(&options);
    /// let (mut one, mut other) = (github(), github());
    /// let preparer = other.preparer().expect("annotations are independent");
    /// for f in &run.findings {
    ///     assert_eq!(one.finding(f), other.prepared(f, preparer.prepare(f)));
    /// }
    /// ```
    fn prepared(&mut self, f: &Finding, text: String) -> String {
        let _ = text;
        self.finding(f)
    }

    /// The end of the report: the run's problems and summary.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
    /// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
    /// # let end = precept::report::End {
    /// #     summary: &run.summary,
    /// #     diagnostics: &run.diagnostics,
    /// #     fail_on: run.fail_on,
    /// #     timestamp: "2026-01-01T00:00:00",
    /// #     baseline: false,
    /// # };
    /// let mut human = (precept::report::format("human").expect("built in").make)(&options);
    /// let end_of_report = human.finish(&end);
    /// assert!(end_of_report.starts_with("checked 2 records in 1 file against 1 rule from 1 code: 1 finding"));
    /// ```
    fn finish(&mut self, end: &End<'_>) -> String;

    /// The whole report of a run that stopped before checking (unusable settings, a broken policy,
    /// bad usage): no findings, only `diagnostics`.
    ///
    /// ```
    /// use precept::report::{format, End, Options, Style};
    ///
    /// let problems = precept::Engine::from_sources([("bad.precept", "code \"C\" level nonsense {}")])
    ///     .expect_err("not a policy");
    /// let end = End {
    ///     summary: &precept::Summary::default(),
    ///     diagnostics: &problems,
    ///     fail_on: precept::Severity::Error,
    ///     timestamp: "2026-01-01T00:00:00",
    ///     baseline: false,
    /// };
    /// let mut json = (format("json").expect("built in").make)(&Options { style: Style::plain(), to_stdout: false, baseline: false });
    /// let doc: serde_json::Value = serde_json::from_str(&json.failed(&end)).expect("JSON");
    /// assert_eq!(doc["findings"], serde_json::json!([]));
    /// assert!(doc["diagnostics"][0]["code"].as_str().is_some_and(|c| c.starts_with("precept::parse::")));
    /// ```
    fn failed(&mut self, end: &End<'_>) -> String;
}

/// Makes the text of one finding, on any thread.
///
/// The expensive part of a report (excerpts, escaping, serialising) depends only on the finding, so
/// a check with many findings makes it on its worker threads; the report then adds, in order, what
/// depends on the findings before (see [`Report::preparer`]). It holds nothing about earlier
/// findings, so its memory does not grow with them.
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,2h\nT-2,3h\n")]);
/// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
/// let sarif = (precept::report::format("sarif").expect("built in").make)(&options);
/// let preparer: Box<dyn precept::report::Prepare> = sarif.preparer().expect("results are independent");
/// // Shared by threads, each making the text of its own findings.
/// let texts: Vec<String> = std::thread::scope(|s| {
///     let handles: Vec<_> = run.findings.iter().map(|f| s.spawn(|| preparer.prepare(f))).collect();
///     handles.into_iter().map(|h| h.join().expect("prepared")).collect()
/// });
/// assert!(texts[1].contains("\"ruleId\": \"answered-quickly\""));
/// ```
pub trait Prepare: Send + Sync {
    /// The text of `f`, for [`Report::prepared`].
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// # let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,2h\nT-2,3h\n")]);
    /// # let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
    /// let human = (precept::report::format("human").expect("built in").make)(&options);
    /// let text = human.preparer().expect("findings are drawn apart").prepare(&run.findings[0]);
    /// assert!(text.contains("ticket T-1 waited 2h"));
    /// ```
    fn prepare(&self, f: &Finding) -> String;
}

/// What the end of a report needs.
///
/// ```
/// use precept::report::End;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
/// let end = End {
///     summary: &run.summary,
///     diagnostics: &run.diagnostics,
///     fail_on: run.fail_on,
///     timestamp: "2026-01-01T00:00:00",
///     baseline: false,
/// };
/// let options = precept::report::Options { style: precept::report::Style::plain(), to_stdout: false, baseline: false };
/// let mut junit = (precept::report::format("junit").expect("built in").make)(&options);
/// junit.finding(&run.findings[0]);
/// assert!(junit.finish(&end).contains("timestamp=\"2026-01-01T00:00:00\""));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct End<'a> {
    /// The run's counts and its policies' rules.
    pub summary: &'a Summary,
    /// Problems with the policies, then with the input.
    pub diagnostics: &'a [Diag],
    /// The least severe finding that fails the run.
    pub fail_on: Severity,
    /// When the run happened (`YYYY-MM-DDTHH:MM:SS`, UTC), for formats that must say.
    pub timestamp: &'a str,
    /// A baseline was given (as [`Options::baseline`] says too, for formats that must know before
    /// the end).
    pub baseline: bool,
}

/// How a report is to be made.
///
/// ```
/// use precept::report::{format, End, Options, Style};
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-3,soon\n")]);
/// let end = End {
///     summary: &run.summary,
///     diagnostics: &run.diagnostics,
///     fail_on: run.fail_on,
///     timestamp: "2026-01-01T00:00:00",
///     baseline: false,
/// };
/// let human = |options: &Options| (format("human").expect("built in").make)(options).finish(&end);
/// // A report written to a file holds the run's problems; on standard output they are left to
/// // standard error.
/// assert!(human(&Options { style: Style::plain(), to_stdout: false, baseline: false }).contains("precept::input::invalid-value"));
/// assert!(!human(&Options { style: Style::plain(), to_stdout: true, baseline: false }).contains("precept::input::invalid-value"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Colours and width, for text reports.
    pub style: Style,
    /// It goes to standard output, where the problems are already shown (on standard error).
    pub to_stdout: bool,
    /// A baseline was given: formats that can say which findings are new do. Known when the
    /// report is made, since SARIF says it in each result, and writes each as it comes.
    pub baseline: bool,
}

/// What a report file holds once written, so a report an earlier run left among the records is
/// known for what it is.
///
/// ```
/// use precept::report::{format, Holds};
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
/// let sarif = format("sarif").expect("built in");
/// assert_eq!(sarif.holds, Holds::Sarif);
/// let text = run.report("sarif", "2026-01-01T00:00:00").expect("built in");
/// assert!(Holds::Sarif.begins(text.as_bytes()));
/// assert!(!Holds::JsonDocument.begins(text.as_bytes()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// The JSON report, or a baseline (they open the same way).
    JsonDocument,
    /// A SARIF report.
    Sarif,
    /// A JUnit report.
    Junit,
    /// Human text or annotations: never taken for an earlier report.
    Text,
}

impl Holds {
    /// Whether `start` (a file's first bytes) is how this output begins. Human text and
    /// annotations ([`Holds::Text`]) are never recognised.
    ///
    /// ```
    /// use precept::report::Holds;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let json = run.report("json", "2026-01-01T00:00:00").expect("built in");
    /// assert!(Holds::JsonDocument.begins(&json.as_bytes()[..40]));
    /// assert!(!Holds::Junit.begins(json.as_bytes()));
    /// let human = run.report("human", "2026-01-01T00:00:00").expect("built in");
    /// assert!(!Holds::Text.begins(human.as_bytes()));
    /// ```
    pub fn begins(self, start: &[u8]) -> bool {
        let start = String::from_utf8_lossy(start);
        match self {
            Holds::JsonDocument => start
                .strip_prefix("{\n  \"version\": ")
                .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
                .is_some_and(|rest| rest.starts_with(",\n  \"findings\": [")),
            Holds::Sarif => start.starts_with("{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/"),
            Holds::Junit => start.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"),
            Holds::Text => false,
        }
    }
}

/// A report format: its name on the command line, what its files hold, and how to make one.
///
/// ```
/// use precept::report::{format, Holds, Options, Style};
///
/// let junit = format("junit").expect("built in");
/// assert_eq!((junit.name, junit.holds), ("junit", Holds::Junit));
/// let mut report = (junit.make)(&Options { style: Style::plain(), to_stdout: false, baseline: false });
/// assert_eq!(report.start(), "");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// The name after `--output`.
    pub name: &'static str,
    /// What a file of it holds.
    pub holds: Holds,
    /// Make one.
    pub make: fn(&Options) -> Box<dyn Report>,
}

/// Every report format. Adding one is a new file with its [`Report`] and one line here.
///
/// ```
/// let names: Vec<&str> = precept::report::FORMATS.iter().map(|f| f.name).collect();
/// assert_eq!(names, ["human", "json", "sarif", "junit", "github", "markdown", "html"]);
/// ```
pub const FORMATS: &[Format] =
    &[human::FORMAT, json::FORMAT, sarif::FORMAT, junit::FORMAT, github::FORMAT, markdown::FORMAT, html::FORMAT];

/// The format named `name` (case-insensitive).
///
/// ```
/// assert_eq!(precept::report::format("SARIF").map(|f| f.name), Some("sarif"));
/// assert!(precept::report::format("pdf").is_none());
/// ```
pub fn format(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

pub use crate::findings::Summary;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Counts for `precept lint` (for the command line: it counts role files, which are not part of
/// the public API).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintSummary {
    /// Role files read.
    pub files: usize,
    /// Roles defined.
    pub roles: usize,
    /// Staff defined.
    pub staff: usize,
    /// Problems at error level.
    pub errors: usize,
    /// Problems at warning level.
    pub warnings: usize,
}

impl LintSummary {
    /// Count a lint run.
    pub fn of(org: &crate::roles::Org, files: usize, problems: &[crate::diagnostics::Diag]) -> LintSummary {
        let errors = problems.iter().filter(|d| d.is_error()).count();
        LintSummary { files, roles: org.roles.len(), staff: org.staff.len(), errors, warnings: problems.len() - errors }
    }

    /// The one-line summary.
    pub fn line(&self) -> String {
        let head = format!(
            "linted {} and {} in {}",
            plural(self.roles, "role", "roles"),
            plural(self.staff, "staff member", "staff"),
            plural(self.files, "file", "files")
        );
        if self.errors + self.warnings == 0 {
            format!("{head}: no problems")
        } else {
            format!(
                "{head}: {}, {}",
                plural(self.errors, "error", "errors"),
                plural(self.warnings, "warning", "warnings")
            )
        }
    }
}
