//! Precept as a library: build an [`Engine`] from policies given as text or found in a folder, give
//! it role files, waivers and a baseline, and check records given as bytes, JSON values or files;
//! get back a [`Run`]: typed [`Finding`]s, cannot-determine outcomes, [`Diagnostic`]s as values and
//! the [`Summary`], which any report format can render.
//!
//! The shape follows the engines it learnt from: policies are added and compiled once (regorus'
//! `Engine::add_policy`, Cedar's `PolicySet`), then evaluated many times against data; reports are
//! one interface with a registry of formats (conftest's outputters, here [`crate::report::FORMATS`]).
//! The command line is a client of this module.
//!
//! The file is over 600 lines because every public method carries a runnable example (the
//! engine's code is about 300 of them); what a check returns is in `api/run.rs`.

mod policies;
mod records;
mod run;

use std::sync::Arc;

pub use crate::engine::as_of::{AsOf, EvaluationTime};
pub use policies::PolicySource;
pub use records::Records;
pub use run::{Run, Status};

use crate::ast::Severity;
use crate::diagnostics::Diag;
use crate::engine::authority::Authority;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding, Outcome, Summary};
use crate::roles::authority::Directory;
use crate::roles::Org;
use crate::source::SourceFile;
use crate::suppress::Suppressor;

/// A problem found at any step, as a value: its stable code (`precept::input::json`), message,
/// level, the file and the labelled places it points at (spans into that file's text) and help.
/// The same type as [`crate::Diagnostic`]. Its rendered form, for people, is part of the `human`
/// report of a run ([`Run::report`]).
///
/// ```
/// let problems = precept::Engine::from_sources([("house.precept", r#"
/// schema ticket { identified by id  id: text  waited: duration }
/// code "House rules" { level organisational
///   rule answered-quickly { title "Answered within an hour" for ticket require record.waitd <= 1h } }
/// "#)])
/// .expect_err("tickets have no `waitd`");
/// let d: &precept::api::Diagnostic = &problems[0];
/// assert_eq!(d.code, "precept::type::unknown-field");
/// assert!(d.is_error());
/// assert_eq!(d.location(), Some(("house.precept", 4, 85)));
/// assert!(d.help.as_deref().is_some_and(|help| help.contains("waited")));
/// ```
pub use crate::diagnostics::Diag as Diagnostic;

/// Settings of an engine that apply to every run ([`Engine::with_options`]).
///
/// ```
/// use precept::{Options, Severity};
///
/// let options = Options::default();
/// assert_eq!((options.as_of, options.fail_on), (None, Severity::Error));
/// // Judge the data as complete through 1 March 2026, and fail a run on warnings too.
/// let options = Options { as_of: Some(jiff::civil::date(2026, 3, 1).into()), fail_on: Severity::Warning };
/// assert!(options.fail_on > Severity::Error);
/// // Or at an instant.
/// let options = Options { as_of: Some("2026-03-01T09:30:00Z".parse().unwrap()), ..Options::default() };
/// assert_eq!(options.as_of.map(|a| a.date()), Some(jiff::civil::date(2026, 3, 1)));
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    /// The evaluation time ([`AsOf`]): open obligations of case rules are judged at it, `now` in
    /// rules stands for it, and waivers are judged on its day. `None`: case rules judge open
    /// obligations at the end of the data, a rule that uses `now` cannot run (the run fails with
    /// `precept::usage::no-as-of`), and waivers are judged on today's date in UTC, the only use
    /// of the clock.
    pub as_of: Option<AsOf>,
    /// The least severe active finding that fails a run ([`Status::Findings`]).
    pub fail_on: Severity,
}

impl Default for Options {
    fn default() -> Options {
        Options { as_of: None, fail_on: Severity::Error }
    }
}

/// Compiled policies, with what else a check needs: role files, waivers, a baseline, options.
/// Build it once and check as many batches of records as you like; it is `Sync`, so runs can share
/// it across threads.
///
/// ```
/// use precept::{Engine, Records};
///
/// let policy = r#"
/// schema ticket {
///   identified by id
///   id: text
///   waited: duration
/// }
/// code "House rules" {
///   level organisational
///   rule answered-quickly {
///     title "Tickets are answered within an hour"
///     for ticket
///     require record.waited <= 1h
///     message "ticket {record.id} waited {record.waited}"
///   }
/// }
/// "#;
/// let engine = Engine::from_sources([("house.precept", policy)]).expect("the policy compiles");
/// let run = engine.check([Records::bytes(
///     "tickets.jsonl",
///     "{\"id\": \"T-1\", \"waited\": \"20m\"}\n{\"id\": \"T-2\", \"waited\": \"3h\"}\n",
/// )]);
/// assert_eq!(run.findings.len(), 1);
/// assert_eq!(run.findings[0].rule_id(), "answered-quickly");
/// assert_eq!(run.findings[0].record_id.as_deref(), Some("T-2"));
/// assert_eq!((run.findings[0].line, run.findings[0].message.as_str()), (2, "ticket T-2 waited 3h"));
/// assert_eq!(run.status(), precept::Status::Findings);
/// ```
pub struct Engine {
    program: Arc<Program>,
    warnings: Vec<Diag>,
    org: Option<Org>,
    /// Problems with role, waiver and baseline files: reported with every run's input problems.
    input_diags: Vec<Diag>,
    waivers: Vec<SourceFile>,
    baseline: Option<crate::suppress::baseline::Baseline>,
    /// The folders and files this engine read its policies and roles from: never records, so
    /// [`Records::paths`] skips them.
    own: Vec<std::path::PathBuf>,
    options: Options,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.program.rules.len())
            .field("roles", &self.org.as_ref().map(|o| o.roles.len()))
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over an already compiled program and its warnings (for the command line, which
    /// compiles policies itself; the program is not part of the public API).
    #[doc(hidden)]
    pub fn from_program(program: Program, warnings: Vec<Diag>) -> Engine {
        Engine {
            program: Arc::new(program),
            warnings,
            org: None,
            input_diags: Vec::new(),
            waivers: Vec::new(),
            baseline: None,
            own: Vec::new(),
            options: Options::default(),
        }
    }

    /// Compile policies given as text, each with the name diagnostics show for it. A policy's
    /// `calendar ... from "file"` is looked up among the sources, relative to the policy's name.
    /// `Err` holds every problem when they do not compile (errors and warnings); the warnings of
    /// policies that do are in [`Engine::warnings`].
    ///
    /// ```
    /// let broken = precept::Engine::from_sources([("bad.precept", "code \"C\" level nonsense {}")]);
    /// let problems = broken.expect_err("this is not a policy");
    /// assert!(problems[0].code.starts_with("precept::parse::"));
    /// assert_eq!(problems[0].file.as_ref().map(|f| &*f.name), Some("bad.precept"));
    /// ```
    pub fn from_sources<I, S>(sources: I) -> Result<Engine, Vec<Diagnostic>>
    where
        I: IntoIterator<Item = S>,
        S: Into<PolicySource>,
    {
        let (program, diags) = policies::compile(sources.into_iter().map(Into::into).collect());
        match program {
            Some(p) => Ok(Engine::from_program(p, diags)),
            None => Err(diags),
        }
    }

    /// Compile every `.precept` file under `folder` (calendar files beside them are read from
    /// inside the folder only).
    ///
    /// ```
    /// let engine = precept::Engine::from_folder(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"))
    ///     .expect("the bundled policies compile");
    /// assert_eq!(engine.catalogue().codes.len(), 4);
    /// assert!(precept::Engine::from_folder("no/such/folder").is_err());
    /// ```
    pub fn from_folder(folder: impl AsRef<std::path::Path>) -> Result<Engine, Vec<Diagnostic>> {
        let (program, diags) = crate::workspace::load_policies(&[folder.as_ref().to_path_buf()]);
        match program {
            Some(p) => {
                let mut engine = Engine::from_program(p, diags);
                engine.own.push(folder.as_ref().to_path_buf());
                Ok(engine)
            }
            None => Err(diags),
        }
    }

    /// Compile every `.precept` file under several folders, with calendar files that replace the
    /// policies' own definition of a calendar, by name (a project's `[calendars]` setting): a name
    /// the policies do not declare is an error.
    ///
    /// ```
    /// let policies = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    /// let uk = std::path::PathBuf::from(policies).join("calendars/uk.toml");
    /// let engine = precept::Engine::from_folders(&[policies.into()], &[("uk".to_string(), uk.clone())]);
    /// assert!(engine.is_ok());
    /// let wrong = precept::Engine::from_folders(&[policies.into()], &[("mars".to_string(), uk)]);
    /// assert!(wrong.unwrap_err().iter().any(|d| d.message.contains("`mars`")));
    /// ```
    pub fn from_folders(
        folders: &[std::path::PathBuf],
        calendars: &[(String, std::path::PathBuf)],
    ) -> Result<Engine, Vec<Diagnostic>> {
        let (program, diags) = crate::workspace::load_policies_with(folders, calendars);
        match program {
            Some(p) => {
                let mut engine = Engine::from_program(p, diags);
                engine.own.extend(folders.iter().cloned());
                engine.own.extend(calendars.iter().map(|(_, p)| p.clone()));
                Ok(engine)
            }
            None => Err(diags),
        }
    }

    /// An engine over the same compiled policies (shared, not copied), with the same options but
    /// no roles, waivers or baseline: for checking many independent sets of records and roles.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let engine = engine.with_baseline("baseline.json", r#"{"version": 1, "findings": []}"#);
    /// assert!(engine.has_baseline());
    /// assert!(!engine.fresh().has_baseline());
    /// ```
    pub fn fresh(&self) -> Engine {
        Engine {
            program: Arc::clone(&self.program),
            warnings: self.warnings.clone(),
            org: None,
            input_diags: Vec::new(),
            waivers: Vec::new(),
            baseline: None,
            own: self.own.clone(),
            options: self.options.clone(),
        }
    }

    /// The policies' warnings (every run's diagnostics start with them).
    ///
    /// ```
    /// let engine = precept::Engine::from_sources([("house.precept", r#"
    ///   schema ticket { identified by id  id: text  waited: duration  note: text? }
    ///   code "House rules" { level organisational
    ///     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    ///       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// "#)]).expect("warnings do not stop policies compiling");
    /// // No rule reads `note`.
    /// assert_eq!(engine.warnings()[0].code, "precept::type::unused-field");
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\n")]);
    /// assert_eq!(run.diagnostics, engine.warnings());
    /// ```
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The compiled policies (for the command line; the program is not part of the public API).
    #[doc(hidden)]
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Use these settings for every run.
    ///
    /// ```
    /// use precept::{Options, Records, Status};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let waivers = r#"
    ///     [[waiver]]
    ///     rule = "answered-quickly"
    ///     justification = "the queue clock ran an hour fast in May (OPS-118)"
    ///     approver = "Head of Compliance"
    ///     expires = 2026-06-30
    /// "#;
    /// let on = |day| {
    ///     let options = Options { as_of: Some(precept::api::AsOf::Date(day)), ..Options::default() };
    ///     let engine = engine.fresh().with_options(options).with_waivers("waivers.toml", waivers);
    ///     engine.check([Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]).status()
    /// };
    /// assert_eq!(on(jiff::civil::date(2026, 6, 30)), Status::Clean);
    /// // The waiver has expired: the finding counts again, and so does the expired waiver.
    /// assert_eq!(on(jiff::civil::date(2026, 7, 1)), Status::Findings);
    /// ```
    pub fn with_options(mut self, options: Options) -> Engine {
        // The resolved time lives in the program, where case rules and `now` read it; a program
        // shared with another engine is copied first, so that one keeps its own.
        let evaluation = crate::engine::as_of::resolve(&self.program, options.as_of).ok().flatten();
        if self.program.evaluation != evaluation {
            Arc::make_mut(&mut self.program).evaluation = evaluation;
        }
        self.options = options;
        self
    }

    /// The settings of this engine's runs.
    #[doc(hidden)]
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The evaluation time of this engine's runs: `Ok(None)` without an as-of (case rules judge
    /// open obligations at the end of the data). `Err` is why no run can be made: an as-of that
    /// cannot be placed in time (`precept::usage::as-of`: a wall-clock time or a day with no zone
    /// to read it in), or rules that use `now` and no as-of (`precept::usage::no-as-of`); every
    /// run then fails with that diagnostic.
    ///
    /// ```
    /// use precept::{Engine, Options};
    /// let engine = Engine::from_sources([("house.precept", r#"
    ///   schema ticket { identified by id  id: text  opened_at: datetime  answered_at: datetime? }
    ///   code "House rules" { level organisational
    ///     rule answered { title "Tickets are answered within a day" for ticket
    ///       require record.answered_at is present or record.opened_at + 1 day > now } }
    /// "#)]).unwrap();
    /// assert_eq!(engine.evaluation_time().unwrap_err().code, "precept::usage::no-as-of");
    /// let engine = engine.with_options(Options { as_of: Some("2026-03-02".parse().unwrap()), ..Options::default() });
    /// let at = engine.evaluation_time().unwrap().unwrap();
    /// assert_eq!(at.to_string(), "2026-03-03T00:00:00+00:00");
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,opened_at,answered_at\nT-1,2026-03-01T09:00:00Z,\n")]);
    /// assert_eq!(run.findings.len(), 1);
    /// ```
    pub fn evaluation_time(&self) -> Result<Option<EvaluationTime>, Diagnostic> {
        let at = crate::engine::as_of::resolve(&self.program, self.options.as_of)?;
        match (at, crate::engine::as_of::no_as_of(&self.program)) {
            (None, Some(d)) => Err(d),
            (at, _) => Ok(at),
        }
    }

    /// Redact these fields (`customer.email`) in every report: their values never appear. `Err`
    /// names the fields no schema has. An engine made by [`Engine::fresh`] gets its own copy of the
    /// policies here, so the engine it came from is not redacted.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let engine = engine.redacting(&["id".to_string()]).expect("tickets have an id");
    /// let run = engine.check([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// assert!(run.findings[0].message.starts_with("ticket redacted:"));
    /// assert!(!run.report("json", "2026-01-01T00:00:00").expect("a known format").contains("T-2"));
    ///
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let unknown = engine.redacting(&["customer.email".to_string()]).expect_err("no customer field");
    /// assert_eq!(unknown, ["customer.email"]);
    /// ```
    pub fn redacting(mut self, fields: &[String]) -> Result<Engine, Vec<String>> {
        // Policies shared with another engine (`fresh`) are copied first: that one is not changed.
        let unknown = Arc::make_mut(&mut self.program).redact(fields);
        if unknown.is_empty() {
            Ok(self)
        } else {
            Err(unknown)
        }
    }

    /// Add role and staff definitions given as TOML text, each with its name for diagnostics,
    /// merged with roles already given. Their problems are reported with every run's input problems
    /// (as the command line does); the role-file size limit and the empty-file warning apply as to
    /// a file. No sources at all gives no roles (rules that ask about roles are then skipped).
    ///
    /// ```
    /// let engine = precept::Engine::from_sources([("roles.precept", r#"
    ///   code "House rules" { level organisational
    ///     rule role-in-department { title "Every role belongs to a department" for role
    ///       require record.department is present  message "role {record.id} has no department" } }
    /// "#)]).expect("the policy compiles");
    /// let engine = engine.with_roles([("roles.toml", "[[role]]\nid = \"agent\"\ntitle = \"Agent\"\n")]);
    /// let run = engine.check([]);
    /// assert_eq!(run.findings[0].subject, precept::Subject::Role);
    /// assert_eq!(run.findings[0].message, "role agent has no department");
    /// // No records were given: the run says so, as an error.
    /// assert!(run.diagnostics.iter().any(|d| d.code == "precept::input::no-records"));
    /// ```
    pub fn with_roles<I, N, T>(mut self, sources: I) -> Engine
    where
        I: IntoIterator<Item = (N, T)>,
        N: Into<String>,
        T: Into<String>,
    {
        for (name, text) in sources {
            let file = SourceFile::new(name.into(), text.into());
            let org = self.org.get_or_insert_with(Org::default);
            crate::workspace::read_roles(&file, org, &mut self.input_diags);
        }
        self
    }

    /// Add every role file (`.toml`) under `paths`, merged with roles already given; problems
    /// reading them are reported with every run's input problems.
    ///
    /// ```
    /// let dir = env!("CARGO_MANIFEST_DIR");
    /// let engine = precept::Engine::from_folder(format!("{dir}/policies")).expect("the bundled policies compile");
    /// // Without role files, the rules that ask about staff and roles cannot run.
    /// assert!(!engine.catalogue().skipped.is_empty());
    /// let engine = engine.with_roles_from(&[format!("{dir}/fixtures/org").into()]);
    /// assert!(engine.input_problems().is_empty());
    /// assert!(engine.catalogue().skipped.is_empty());
    /// ```
    pub fn with_roles_from(mut self, paths: &[std::path::PathBuf]) -> Engine {
        let org = self.org.get_or_insert_with(Org::default);
        crate::workspace::load_org_into(paths, &crate::data::Select::default(), org, &mut self.input_diags);
        self.own.extend(paths.iter().cloned());
        self
    }

    /// Use an organisation already read (for the command line, which reads role files itself; the
    /// organisation is not part of the public API).
    #[doc(hidden)]
    pub fn with_org(mut self, org: Org) -> Engine {
        self.org = Some(org);
        self
    }

    /// The organisation read from the role files, if any: `check --engine duckdb` writes it into
    /// its role tables.
    #[cfg(feature = "duckdb")]
    pub(crate) fn org(&self) -> Option<&Org> {
        self.org.as_ref()
    }

    /// Add a waivers file given as text (see `docs/waivers.md`).
    ///
    /// ```
    /// use precept::{Options, Records, Standing, Status};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let engine = engine
    ///     .with_options(Options { as_of: Some(jiff::civil::date(2026, 3, 1).into()), ..Options::default() })
    ///     .with_waivers("waivers.toml", r#"
    ///         [[waiver]]
    ///         rule = "answered-quickly"
    ///         record = "T-2"
    ///         justification = "the queue clock ran an hour fast in May (OPS-118)"
    ///         approver = "Head of Compliance"
    ///         expires = 2026-06-30
    ///     "#);
    /// let run = engine.check([Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")]);
    /// let Standing::Waived(note) = &run.findings[0].standing else { panic!("T-2 is waived") };
    /// assert_eq!((note.approver.as_str(), note.expires.as_str()), ("Head of Compliance", "2026-06-30"));
    /// assert_eq!(run.status(), Status::Clean);
    /// ```
    pub fn with_waivers(self, name: impl Into<String>, text: impl Into<String>) -> Engine {
        self.with_waivers_file(SourceFile::new(name.into(), text.into()))
    }

    /// [`Engine::with_waivers`] for a file already read.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let file = precept::SourceFile::new("waivers.toml", "[[waiver]]\nrule = \"answered-quicky\"\n");
    /// let tickets = precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\n");
    /// let run = engine.with_waivers_file(file).check([tickets]);
    /// // Waivers are read when a run starts; this one is missing its justification, approver and
    /// // expiry, and names a rule the policies do not have.
    /// assert!(run.diagnostics.iter().any(|d| d.code == "precept::waiver::unknown-rule"));
    /// assert_eq!(run.status(), precept::Status::Failed);
    /// ```
    pub fn with_waivers_file(mut self, file: SourceFile) -> Engine {
        self.waivers.push(file);
        self
    }

    /// Use a baseline given as text (as `precept baseline` writes it): findings in it are marked
    /// baselined and fail nothing.
    ///
    /// ```
    /// use precept::{Records, Standing, Status};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let records = || [Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")];
    /// let known = engine.check(records()).findings[0].fingerprint();
    /// let baseline =
    ///     format!(r#"{{"version": 1, "findings": [{{"fingerprint": "{known}", "rule": "answered-quickly"}}]}}"#);
    /// let run = engine.with_baseline("baseline.json", baseline).check(records());
    /// assert_eq!(run.findings[0].standing, Standing::Baselined);
    /// assert_eq!(run.status(), Status::Clean);
    /// ```
    pub fn with_baseline(self, name: impl Into<String>, text: impl Into<String>) -> Engine {
        self.with_baseline_file(&SourceFile::new(name.into(), text.into()))
    }

    /// [`Engine::with_baseline`] for a file already read. A file that is not a baseline is a
    /// problem reported with every run's input problems, and no finding is baselined.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let engine = engine.with_baseline_file(&precept::SourceFile::new("baseline.json", "[]"));
    /// assert!(!engine.has_baseline());
    /// assert_eq!(engine.input_problems()[0].code, "precept::baseline::invalid");
    /// ```
    pub fn with_baseline_file(mut self, file: &SourceFile) -> Engine {
        match crate::suppress::baseline::Baseline::read(file) {
            Ok(b) => self.baseline = Some(b),
            Err(d) => self.input_diags.push(d),
        }
        self
    }

    /// Whether a usable baseline was given (reports then say which findings are new).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// assert!(!engine.has_baseline());
    /// let engine = engine.with_baseline("baseline.json", r#"{"version": 1, "findings": []}"#);
    /// assert!(engine.has_baseline());
    /// ```
    pub fn has_baseline(&self) -> bool {
        self.baseline.is_some()
    }

    /// Add problems met reading this engine's inputs elsewhere (role, waiver or baseline files
    /// that could not be read): reported with every run's input problems.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let unreadable = precept::Diagnostic::error("precept::input::unreadable", "cannot read `roles.toml`");
    /// let tickets = precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\n");
    /// let run = engine.with_input_problems([unreadable]).check([tickets]);
    /// assert!(run.diagnostics.iter().any(|d| d.message == "cannot read `roles.toml`"));
    /// assert_eq!(run.status(), precept::Status::Failed);
    /// ```
    pub fn with_input_problems(mut self, problems: impl IntoIterator<Item = Diag>) -> Engine {
        self.input_diags.extend(problems);
        self
    }

    /// Problems with inputs given to this engine so far (role files, and problems reading them).
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let engine = engine.with_roles([("roles.toml", "[[role]\n")]);
    /// assert_eq!(engine.input_problems()[0].code, "precept::input::toml");
    /// ```
    pub fn input_problems(&self) -> &[Diagnostic] {
        &self.input_diags
    }

    /// Check records and collect what was found. Records that cannot be used (an unknown format, a
    /// malformed line) are diagnostics in the run; the rest are still checked.
    ///
    /// ```
    /// use precept::Records;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([
    ///     Records::bytes("monday.csv", "id,waited\nT-1,20m\nT-2,3h\n"),
    ///     Records::bytes("tuesday.jsonl", "{\"id\": \"T-3\", \"waited\": \"2h\"}\n"),
    ///     Records::bytes("notes.txt", "not records"),
    /// ]);
    /// let found: Vec<_> = run.findings.iter().map(|f| f.record_id.as_deref()).collect();
    /// assert_eq!(found, [Some("T-2"), Some("T-3")]);
    /// assert_eq!(run.diagnostics[0].code, "precept::input::unknown-format");
    /// assert_eq!(run.summary.files, 2);
    /// ```
    pub fn check<I>(&self, records: I) -> Run
    where
        I: IntoIterator<Item = Records>,
    {
        let mut findings = Vec::new();
        let outcome = self.check_each(records, &mut |f| findings.push(f));
        self.finish(findings, outcome)
    }

    /// Check JSON values as records of the schema whose `files` globs take `name` (a `.jsonl`
    /// name, say `tickets.jsonl`): a value that is not an object, or lacks a required field, is a
    /// diagnostic at its position, as a line of a JSON Lines file would be.
    ///
    /// ```
    /// use serde_json::json;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check_values("tickets.jsonl", &[
    ///     json!({"id": "T-1", "waited": "20m"}),
    ///     json!({"id": "T-2", "waited": "3h"}),
    ///     json!(["not", "an", "object"]),
    /// ]);
    /// assert_eq!(run.findings.len(), 1);
    /// assert_eq!(run.findings[0].line, 2);
    /// assert_eq!(run.diagnostics[0].location(), Some(("tickets.jsonl", 3, 1)));
    /// ```
    pub fn check_values(&self, name: &str, values: &[serde_json::Value]) -> Run {
        self.check([Records::values(name, values)])
    }

    /// Check records, handing each finding to `sink` as soon as it is found (so a run over many
    /// files never holds them all), and return the counts and problems.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let mut late = Vec::new();
    /// let tickets = precept::Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n");
    /// let outcome = engine.check_each([tickets], &mut |f| {
    ///     late.extend(f.record_id);
    /// });
    /// assert_eq!(late, ["T-2"]);
    /// assert_eq!((outcome.records, outcome.findings()), (2, 1));
    /// ```
    pub fn check_each<I>(&self, records: I, sink: &mut dyn FnMut(Finding)) -> Outcome
    where
        I: IntoIterator<Item = Records>,
    {
        let (files, diags) = records::resolve(&self.program, records, &crate::data::Select::skipping(&self.own));
        self.check_files(files, diags, sink)
    }

    /// Check record files already found (by [`crate::data::discover`] or made with
    /// [`crate::data::RecordFile`]'s constructors), with the problems met finding them. For the
    /// command line; record files are not part of the public API (give [`Records`] to
    /// [`Engine::check_each`]).
    #[doc(hidden)]
    pub fn check_files(
        &self,
        files: Vec<crate::data::RecordFile>,
        found: Vec<Diag>,
        sink: &mut dyn FnMut(Finding),
    ) -> Outcome {
        self.check_files_with(files, found, &|_| Vec::new(), &mut |f, _| sink(f))
    }

    /// Check record files already found, as [`Engine::check_files`], in two steps per finding:
    /// `prepare` on the worker thread that made it, once its standing is marked (to write its
    /// text in each report there), then `take`, in file, record and rule order, with what
    /// `prepare` returned. For the command line, whose reports are written this way.
    #[doc(hidden)]
    pub fn check_files_with(
        &self,
        files: Vec<crate::data::RecordFile>,
        found: Vec<Diag>,
        prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
        take: &mut dyn FnMut(Finding, Vec<String>),
    ) -> Outcome {
        self.check_by(files, found, prepare, take, None)
    }

    /// [`Engine::check_files_with`], with the records checked by `checker` (another engine, such as
    /// DuckDB's, handing its findings to the consumer) instead of the pipeline; waivers, the
    /// baseline, the role files and expired waivers are handled as for the pipeline.
    #[doc(hidden)]
    pub fn check_files_by(
        &self,
        found: Vec<Diag>,
        prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
        take: &mut dyn FnMut(Finding, Vec<String>),
        checker: &mut Checker<'_>,
    ) -> Outcome {
        self.check_by(Vec::new(), found, prepare, take, Some(checker))
    }

    fn check_by(
        &self,
        files: Vec<crate::data::RecordFile>,
        found: Vec<Diag>,
        prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
        take: &mut dyn FnMut(Finding, Vec<String>),
        checker: Option<&mut Checker<'_>>,
    ) -> Outcome {
        let program = &*self.program;
        if let Err(d) = self.evaluation_time() {
            // Nothing can be judged without a time to judge it at.
            let mut diagnostics = found;
            diagnostics.push(d);
            crate::diagnostics::sort(&mut diagnostics);
            return Outcome { diagnostics, files: files.len(), ..Outcome::default() };
        }
        let mut input_diags = self.input_diags.clone();
        // Waivers are judged on the as-of's day; without one, on today's date in UTC: the one
        // place the clock is read, and never for judging records (see `Options::as_of`).
        let today = match self.options.as_of {
            Some(given) => given.date(),
            None => jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date(),
        };
        let mut waivers = Vec::new();
        for file in &self.waivers {
            waivers.extend(crate::suppress::waivers::read(file, program, &mut input_diags));
        }
        let mut suppressor = Suppressor::new(waivers, self.baseline.clone(), today);
        suppressor.redacting = program.redacting;
        let directory = self.org.as_ref().map(Directory::new);
        let authority = directory.as_ref().map(|d| d as &dyn Authority);
        let suppressor = &suppressor;
        // Marked where the finding is made, so that its text is written there with its standing
        // (and counted with it).
        let marked = |f: &mut Finding| {
            suppressor.mark(f);
            prepare(f)
        };
        let mut consumer = crate::pipeline::Consumer { prepare: &marked, take };
        let mut outcome = match checker {
            Some(check) => check(program, authority, found, &mut consumer),
            None => crate::pipeline::check_files_with(program, authority, files, found, &mut consumer),
        };
        if let Some(org) = &self.org {
            crate::pipeline::check_org_with(program, org, authority, &mut outcome, &mut consumer);
        }
        let (expired, diags) = suppressor.finish();
        outcome.waivers = suppressor.entries(program);
        for f in expired {
            let texts = prepare(&f);
            outcome.count(&f);
            take(f, texts);
        }
        outcome.diagnostics.append(&mut input_diags);
        outcome.diagnostics.extend(diags);
        for d in &mut outcome.diagnostics {
            crate::engine::redact::diagnostic(program, d);
        }
        crate::diagnostics::sort(&mut outcome.diagnostics);
        outcome
    }

    /// What reports list about this engine's policies: each rule's metadata, the codes, and the
    /// rules skipped for want of role files.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let catalogue = engine.catalogue();
    /// assert_eq!(catalogue.rules[0].title, "Tickets are answered within an hour");
    /// assert_eq!(catalogue.codes[0].name, "House rules");
    /// assert!(catalogue.skipped.is_empty());
    /// ```
    pub fn catalogue(&self) -> Catalogue {
        Catalogue::of(&self.program, self.org.is_some())
    }

    /// The summary of a run's outcome (from [`Engine::check_each`]), as [`Engine::check`] makes it.
    ///
    /// ```
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let outcome = engine.check_each([precept::Records::bytes("tickets.csv", "id,waited\nT-2,3h\n")], &mut |_| {});
    /// let summary = engine.summary(&outcome);
    /// assert_eq!((summary.files, summary.records, summary.rules, summary.findings()), (1, 1, 1, 1));
    /// ```
    pub fn summary(&self, outcome: &Outcome) -> Summary {
        Summary::of(Arc::new(self.catalogue()), outcome)
    }

    fn finish(&self, findings: Vec<Finding>, outcome: Outcome) -> Run {
        let summary = self.summary(&outcome);
        let diagnostics = self.warnings.iter().cloned().chain(outcome.diagnostics).collect();
        Run { findings, diagnostics, summary, fail_on: self.options.fail_on, baseline: self.has_baseline() }
    }
}

/// A checker of records other than the pipeline (see [`Engine::check_files_by`]): given the
/// program, the role files' authority, the problems found finding the files, and the consumer of
/// findings, it checks the records and returns the outcome.
#[doc(hidden)]
pub type Checker<'a> = dyn FnMut(&crate::engine::Program, Option<&dyn Authority>, Vec<Diag>, &mut crate::pipeline::Consumer<'_>) -> Outcome
    + 'a;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use crate::report::json::LineCheck;

    /// Each finding's line in the JSON report, its rule's members copied from the rule's text, is
    /// byte for byte the finding serialised whole, and its SARIF result written by hand is what
    /// serde_json's pretty printer prints: over the bundled example with its role files, where findings
    /// carry evidence, groups, cases, helps of their own, dates in force and waivers, and each
    /// rule's text is made on its first finding and copied into the rest.
    #[test]
    fn a_line_made_from_its_rules_text_is_the_finding_serialised_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let waivers = "[[waiver]]\nrule = \"needs-identified\"\njustification = \"INC-4\"\n\
                       approver = \"Head of Service\"\nexpires = 2027-01-31\n";
        let engine = crate::api::Engine::from_folder(root.join("policies"))
            .unwrap()
            .with_roles_from(&[root.join("fixtures/org")])
            .with_waivers("waivers.toml", waivers)
            .with_options(crate::api::Options {
                as_of: Some("2026-12-01".parse().unwrap()),
                ..crate::api::Options::default()
            });
        // And a help with holes, filled in per finding.
        let filled = crate::api::Engine::from_sources([(
            "house.precept",
            r#"schema ticket { identified by id  id: text  waited: duration }
               code "House rules" { level organisational
                 rule answered-quickly { title "Tickets are answered within an hour" for ticket
                   require record.waited <= 1h  message "ticket {record.id} waited {record.waited}"
                   help "Call the customer of \"{record.id}\" back today." } }"#,
        )])
        .unwrap();
        let lines = LineCheck::default();
        let (mut checked, mut own_help, mut waived, mut evidenced, mut open) = (0, 0, 0, 0, 0);
        let mut compare = |f: crate::findings::Finding| {
            let (line, whole) = lines.both(&f);
            assert_eq!(line, whole);
            // And its SARIF result, written by hand, as serde_json prints it.
            for (baseline, root) in [(false, None), (true, Some(root.to_path_buf()))] {
                let (written, printed) = crate::report::sarif::written_and_printed(&f, baseline, root);
                assert_eq!(written, printed);
            }
            checked += 1;
            own_help += usize::from(f.help.is_some());
            waived += usize::from(matches!(f.standing, crate::findings::Standing::Waived(_)));
            evidenced += usize::from(!f.evidence.is_empty());
            open += usize::from(f.standing.is_undetermined());
        };
        engine.check_each([crate::api::Records::paths([root.join("fixtures/records")])], &mut compare);
        // Texts that need escapes (a quote, a backslash, a control character) and some that do not,
        // and a wait that is no duration (whether it was too long cannot be determined).
        let tickets = crate::api::Records::bytes(
            "tickets.csv",
            "id,waited\nT-1,2h\nT-2,3h\n\"T-\"\"3\\\t\u{1}\u{7f}é\",4h\nT-4,soon\n",
        );
        filled.check_each([tickets], &mut compare);
        assert!(checked > 50, "only {checked} findings");
        assert!(own_help > 0 && waived > 0, "{own_help} with their own help, {waived} waived");
        assert!(evidenced > 0 && open > 0, "{evidenced} with evidence, {open} that cannot be determined");
        assert!(lines.rules() < checked, "no rule's text was copied");
    }
}
