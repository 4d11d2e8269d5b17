//! `precept check` and `precept baseline`: load the policies, roles, waivers and baseline, run the
//! pipeline, mark each finding's standing, and hand findings to the reports.
//!
//! Before anything is written, no output may be a file the run reads ([`super::guard`]): the
//! files known up front are compared first, the record files as soon as they are found and before
//! any is read.

use std::path::{Path, PathBuf};

use super::config::Config;
use super::{guard, output, BaselineArgs, CheckArgs, Inputs, Out, Status};
use crate::diagnostics::render::{render, Style};
use crate::diagnostics::Diag;
use crate::input::Kind;
use crate::pipeline::{Finding, Outcome};
use crate::source::SourceFile;
use crate::text::escape;

/// Everything loaded before records are read.
pub(super) struct Loaded {
    /// The policies, roles, waivers and baseline, ready to check records.
    pub(super) engine: crate::Engine,
    pub(super) policy_diags: Vec<Diag>,
    pub(super) rest: Rest,
}

/// The record files found (not read yet), and the problems finding them.
pub(super) struct Rest {
    pub(super) files: Vec<crate::data::RecordFile>,
    pub(super) found_diags: Vec<Diag>,
}

/// Where every command shows its diagnostics, styled for a terminal or not.
pub(super) struct Stderr {
    pub(super) out: Out<std::io::Stderr>,
    pub(super) style: Style,
}

impl Stderr {
    pub(super) fn open() -> Stderr {
        Stderr { out: Out::stderr(), style: super::style_for(super::terminal::Stream::Stderr) }
    }

    pub(super) fn diag(&mut self, d: &Diag) {
        let text = render(d, self.style);
        self.out.put(&text);
    }
}

/// Why a run stopped before checking anything: the problems, the exit status, and whether the
/// problems were shown already (those with the policies are shown as they are found).
pub(super) struct Stop {
    pub(super) diags: Vec<Diag>,
    pub(super) status: Status,
    shown: bool,
}

impl Stop {
    fn new(diags: Vec<Diag>) -> Stop {
        Stop { diags, status: Status::Failed, shown: false }
    }

    /// Show what was not shown yet.
    pub(super) fn show(&self, err: &mut Stderr) {
        if !self.shown {
            for d in &self.diags {
                err.diag(d);
            }
        }
    }
}

/// The project's `precept.toml` (or `--config`), if any; its problems stop the run.
pub(super) fn config(inputs: &Inputs) -> Result<Option<Config>, Stop> {
    // Flags first, so they bound the settings file itself; then the settings' `[limits]`, then the
    // flags again, since flags win.
    crate::input::set_limits(&inputs.limits);
    if inputs.no_config {
        return Ok(None);
    }
    let config = super::config::load(inputs.config.as_deref()).map_err(Stop::new)?;
    if let Some(c) = &config {
        crate::input::set_limits(&c.limits);
        crate::input::set_limits(&inputs.limits);
    }
    Ok(config)
}

/// Load what a run needs, from the flags and then the config (flags win); `Err` carries the
/// problems that stop it.
pub(super) fn load(
    inputs: &Inputs,
    config: Option<&Config>,
    err: &mut Stderr,
    baseline: Option<&Path>,
) -> Result<Loaded, Stop> {
    load_for(inputs, config, err, baseline, true)
}

/// [`load`], finding the record files only when `records` (not when findings exported from a
/// warehouse are read instead).
fn load_for(
    inputs: &Inputs,
    config: Option<&Config>,
    err: &mut Stderr,
    baseline: Option<&Path>,
    records: bool,
) -> Result<Loaded, Stop> {
    threads(inputs.threads).map_err(|d| Stop::new(vec![d]))?;
    // Given (the flag, else the settings) or not: never defaulted here. Without one the engine
    // judges waivers on today's date and nothing else on the clock (see `Options::as_of`).
    let as_of = match as_of(inputs, config) {
        Ok(a) => a,
        Err(d) => return Err(Stop::new(vec![d])),
    };
    let Roots { policies, roles, paths } = roots(inputs, config);
    let calendars = config.map(|c| c.calendars.clone()).unwrap_or_default();
    let (program, mut policy_diags) = crate::workspace::load_policies_with(&policies, &calendars);
    // Warnings the settings allow (`allow = [...]`) are not reported anywhere.
    policy_diags.retain(|d| config.is_none_or(|c| c.shows(d)));
    for d in &policy_diags {
        err.diag(d);
    }
    let Some(mut program) = program else {
        return Err(Stop { diags: policy_diags, status: Status::Failed, shown: true });
    };
    if let Some(c) = config.filter(|c| !c.redact.is_empty()) {
        let unknown = program.redact(&c.redact);
        if !unknown.is_empty() {
            let fields: Vec<String> = program
                .schemas
                .iter()
                .filter(|s| !s.builtin)
                .flat_map(|s| crate::engine::redact::field_paths(&program, s.shape))
                .collect();
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            let diags = unknown
                .iter()
                .map(|u| {
                    Diag::error("precept::config::invalid", format!("`redact` names `{u}`, which no schema has"))
                        .help(crate::diagnostics::suggest::help(u, &fields, "field"))
                })
                .collect();
            return Err(Stop::new(diags));
        }
    }
    let select = |skip: Vec<PathBuf>| crate::data::Select {
        skip,
        include: config.map(|c| c.include.clone()).unwrap_or_default(),
        exclude: config.map(|c| c.exclude.clone()).unwrap_or_default(),
    };
    let mut engine = crate::Engine::from_program(program, Vec::new())
        .with_options(crate::Options { as_of, ..crate::Options::default() });
    // An as-of that cannot be placed in time, or rules that use `now` without one: nothing is read.
    if let Err(d) = engine.evaluation_time() {
        return Err(Stop::new(vec![d]));
    }
    if !roles.is_empty() {
        // `include` names record files (`*.jsonl`): it would leave no role file; `exclude` applies.
        let roles_select = crate::data::Select { include: Vec::new(), ..select(Vec::new()) };
        let (org, _, diags) = crate::workspace::load_org_selected(&roles, &roles_select);
        engine = engine.with_org(org).with_input_problems(diags);
    }
    let waivers_file = inputs.waivers.clone().or_else(|| config.and_then(|c| c.waivers.clone()));
    if let Some(path) = &waivers_file {
        engine = match read_text(path, Kind::Waivers) {
            Ok(file) => engine.with_waivers_file(file),
            Err(d) => engine.with_input_problems([d]),
        };
    }
    if let Some(path) = baseline {
        engine = match read_text(path, Kind::Baseline) {
            Ok(file) => engine.with_baseline_file(&file),
            Err(d) => engine.with_input_problems([d]),
        };
    }
    // Precept's own inputs are never records: the settings, waivers, baseline and calendars.
    // Outputs are not skipped: one found here is a record file it must not replace, unless it is
    // a report an earlier run left (`Reports::forbid_records`).
    let mut skip = policies;
    skip.extend(roles);
    skip.extend(config.map(|c| c.path.clone()));
    skip.extend(waivers_file.iter().cloned());
    skip.extend(baseline.map(Path::to_path_buf));
    skip.extend(calendars.iter().map(|(_, p)| p.clone()));
    let select = select(skip);
    let (mut files, found_diags) =
        if records { crate::data::discover(&paths, engine.program()) } else { (Vec::new(), Vec::new()) };
    files.retain(|f| select.keeps(f.place(), &f.name));
    Ok(Loaded { engine, policy_diags, rest: Rest { files, found_diags } })
}

/// The evaluation time given by `--as-of`, else by `as_of` in the settings; `None` when neither
/// gives one. `Err` is `precept::usage::as-of` for text that is not a date or a datetime.
fn as_of(inputs: &Inputs, config: Option<&Config>) -> Result<Option<crate::engine::as_of::AsOf>, Diag> {
    as_of_given(inputs.as_of.as_ref(), config.and_then(|c| c.as_of.as_ref()))
}

/// The evaluation time given by `--as-of` (`flag`), else by `as_of` in the settings (`setting`),
/// for every command that reads one (`check`, `sql`); `Err` is `precept::usage::as-of` for text
/// that is not a date or datetime.
pub(super) fn as_of_given(
    flag: Option<&String>,
    setting: Option<&String>,
) -> Result<Option<crate::engine::as_of::AsOf>, Diag> {
    let (text, from) = match (flag, setting) {
        (Some(t), _) => (t, "--as-of"),
        (None, Some(t)) => (t, "as_of"),
        (None, None) => return Ok(None),
    };
    text.parse::<crate::engine::as_of::AsOf>().map(Some).map_err(|why| {
        Diag::error("precept::usage::as-of", format!("{why} (given by `{from}`)")).help(
            "write a date as `YYYY-MM-DD` (the data is complete through that day) or a datetime as `2026-06-30T17:00:00+01:00`",
        )
    })
}

/// `--threads`: at least 1 and at most [`super::MAX_THREADS`]; the pool is started here.
fn threads(n: Option<usize>) -> Result<(), Diag> {
    let Some(n) = n else { return Ok(()) };
    if n == 0 || n > super::MAX_THREADS {
        let message = if n == 0 {
            "`--threads` must be at least 1".to_string()
        } else {
            format!("`--threads {n}` is more than the {} allowed", super::MAX_THREADS)
        };
        return Err(Diag::error("precept::usage::threads", message)
            .help(format!("give 1 to {}, or leave it out to use one thread per core", super::MAX_THREADS)));
    }
    // Only fails if a global pool already exists (then that pool is used) or the threads cannot
    // be started (then rayon's own pool is tried when first needed).
    let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    Ok(())
}

/// The policy, role and record roots of a run: flags, else the settings, else the defaults.
struct Roots {
    policies: Vec<PathBuf>,
    roles: Vec<PathBuf>,
    paths: Vec<PathBuf>,
}

/// The policy tests beside the policies (`*.test.toml`), by the rules they expect findings of,
/// for reports that trace clauses to tests. A test file that cannot be read or has problems is
/// left out here: `precept test` reports it.
fn policy_tests(
    policies: &[PathBuf],
    program: &crate::engine::Program,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut ignored = Vec::new();
    let mut cases = Vec::new();
    for path in crate::policytest::discover(policies) {
        if let Ok(file) = read_text(&path, crate::input::Kind::Test) {
            cases.extend(crate::policytest::read(&file, &path, program, &mut ignored));
        }
    }
    crate::policytest::covering(&cases)
}

fn roots(inputs: &Inputs, config: Option<&Config>) -> Roots {
    let pick = |flag: &[PathBuf], set: Option<&Vec<PathBuf>>, default: &str| -> Vec<PathBuf> {
        match (flag.is_empty(), set.filter(|s| !s.is_empty())) {
            (false, _) => flag.to_vec(),
            (true, Some(s)) => s.clone(),
            (true, None) if default.is_empty() => Vec::new(),
            (true, None) => vec![PathBuf::from(default)],
        }
    };
    Roots {
        policies: pick(&inputs.policies, config.map(|c| &c.policies), "policies"),
        roles: pick(&inputs.roles, config.map(|c| &c.roles), ""),
        paths: pick(&inputs.paths, config.map(|c| &c.records), "."),
    }
}

/// The settings file a run reads (or tried to): `--config`, else the first `precept.toml` up from
/// here, as `config::load` finds it.
fn settings_file(inputs: &Inputs) -> Option<PathBuf> {
    if inputs.no_config {
        return None;
    }
    if let Some(p) = &inputs.config {
        return Some(p.clone());
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().map(|d| d.join(super::config::FILE_NAME)).find(|p| p.is_file())
}

/// Every file a run reads that is known before any record is, with its role for messages.
fn known_inputs(inputs: &Inputs, config: Option<&Config>, baseline: Option<&Path>) -> guard::Inputs {
    let mut known = guard::Inputs::default();
    if let Some(p) = settings_file(inputs) {
        known.file(&p, "the settings file read");
    }
    let Roots { policies, roles, .. } = roots(inputs, config);
    known.policy_roots(&policies);
    known.role_roots(&roles);
    if let Some(w) = inputs.waivers.clone().or_else(|| config.and_then(|c| c.waivers.clone())) {
        known.file(&w, "the waivers file read");
    }
    if let Some(b) = baseline {
        known.file(b, "the baseline read");
    }
    for (name, p) in config.map(|c| c.calendars.as_slice()).unwrap_or_default() {
        known.file(p, format!("the file of calendar `{name}` read"));
    }
    known
}

/// A waivers, baseline or test file, named as given.
pub(super) fn read_text(path: &Path, kind: Kind) -> Result<SourceFile, Diag> {
    crate::workspace::read_source(path, &crate::text::name(path), kind)
}

/// Check the record files found: each finding's standing is marked and its report texts made by
/// `prepare` on the worker thread that found it, then `take` gets both, in order; expired waivers
/// come last, as findings of their own.
fn run(
    engine: &crate::Engine,
    rest: &mut Rest,
    prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
    take: &mut dyn FnMut(Finding, Vec<String>),
) -> Outcome {
    engine.check_files_with(std::mem::take(&mut rest.files), std::mem::take(&mut rest.found_diags), prepare, take)
}

/// The progress indicator for checking `rest`'s files (drawn only when allowed; see
/// [`super::progress`]).
fn progress(rest: &Rest, inputs: &Inputs) -> super::progress::Progress {
    super::progress::Progress::start(rest.files.len(), inputs.quiet)
}

/// The reports `precept check` was asked for: `--format`, else `--output`, else the settings'
/// `outputs`, else the human report on stdout.
fn specs(args: &CheckArgs, config: Option<&Config>) -> Vec<output::Spec> {
    match (&args.format, args.outputs.is_empty(), config.filter(|c| !c.outputs.is_empty())) {
        (Some(kind), _, _) => vec![output::Spec { kind: *kind, path: None }],
        (None, false, _) => args.outputs.clone(),
        (None, true, Some(c)) => c.outputs.clone(),
        (None, true, None) => vec![output::Spec { kind: output::Kind(&crate::report::human::FORMAT), path: None }],
    }
}

/// Write every report as a failure holding `diags`, and show any that cannot be written.
fn write_failed(reports: output::Reports, diags: &[Diag], fail_on: crate::ast::Severity, err: &mut Stderr) {
    for d in reports.failed(diags, fail_on, &timestamp()) {
        err.diag(&d);
    }
}

/// `precept check`.
pub(super) fn check(args: CheckArgs) -> Status {
    let mut err = Stderr::open();
    if let Err(d) = super::engine::available(args.engine) {
        err.diag(&d);
        return Status::Failed;
    }
    let out_style = super::style_for(super::terminal::Stream::Stdout);
    let flag_fail_on = args.fail_on.map(super::FailOn::severity);
    let config = match config(&args.inputs) {
        Ok(c) => c,
        Err(stop) => {
            stop.show(&mut err);
            // Settings that cannot be used name no reports we can trust; those given as flags still
            // get the problems, unless they would replace a file the run reads.
            let (mut reports, problems) = output::Reports::open(&specs(&args, None), out_style);
            let mut known = known_inputs(&args.inputs, None, args.baseline.as_deref());
            if let Some(p) = &args.inputs.waivers {
                known.file(p, "the waivers file read");
            }
            let problems: Vec<Diag> = problems.into_iter().chain(reports.forbid(&known)).collect();
            for d in &problems {
                err.diag(d);
            }
            let diags: Vec<Diag> = stop.diags.iter().chain(&problems).cloned().collect();
            write_failed(reports, &diags, flag_fail_on.unwrap_or(crate::ast::Severity::Error), &mut err);
            return stop.status;
        }
    };
    let specs = specs(&args, config.as_ref());
    let fail_on =
        flag_fail_on.or_else(|| config.as_ref().and_then(|c| c.fail_on)).unwrap_or(crate::ast::Severity::Error);
    let baseline_file = args.baseline.clone().or_else(|| config.as_ref().and_then(|c| c.baseline.clone()));
    let (mut reports, mut problems) = output::Reports::open(&specs, out_style);
    let mut known = known_inputs(&args.inputs, config.as_ref(), baseline_file.as_deref());
    for p in &args.findings {
        known.file(p, "a findings file read");
    }
    problems.extend(reports.forbid(&known));
    if !problems.is_empty() {
        for d in &problems {
            err.diag(d);
        }
        write_failed(reports, &problems, fail_on, &mut err);
        return Status::Failed;
    }
    let reading_findings = !args.findings.is_empty();
    let loaded = match load_for(&args.inputs, config.as_ref(), &mut err, baseline_file.as_deref(), !reading_findings) {
        Ok(l) => l,
        Err(stop) => {
            stop.show(&mut err);
            write_failed(reports, &stop.diags, fail_on, &mut err);
            return stop.status;
        }
    };
    let Loaded { engine, policy_diags, mut rest } = loaded;
    let clashes = reports.forbid_records(&mut rest.files);
    if !clashes.is_empty() {
        for d in &clashes {
            err.diag(d);
        }
        write_failed(reports, &clashes, fail_on, &mut err);
        return Status::Failed;
    }
    // `--engine duckdb` also reads Parquet files, which the native reader never lists.
    #[cfg(feature = "duckdb")]
    if matches!(args.engine, super::engine::EngineArg::Duckdb) {
        let parquet = crate::duck::parquet_files(&roots(&args.inputs, config.as_ref()).paths);
        let clashes = reports.forbid_paths(&parquet);
        if !clashes.is_empty() {
            for d in &clashes {
                err.diag(d);
            }
            write_failed(reports, &clashes, fail_on, &mut err);
            return Status::Failed;
        }
    }
    reports.set_baseline(engine.has_baseline());
    reports.start();
    // Each report's text of a finding is made on the worker threads; the reports append them here.
    let preparers = reports.preparers();
    let mut indicator = progress(&rest, &args.inputs);
    let prepare = |f: &Finding| preparers.prepare(f);
    let mut take = |f: Finding, texts: Vec<String>| {
        indicator.around_stdout(|| reports.prepared(&f, texts));
        if reports.abandoned() {
            indicator.finish();
            // Every report's reader went away (`precept check | head`) or its disk is full, and
            // no report file is being written: nothing more can be written, so stop at once
            // rather than check the rest for no one. The check did not finish: status 2.
            for d in reports.abandon() {
                err.diag(&d);
            }
            std::process::exit(Status::Failed as i32);
        }
    };
    let mut outcome = match args.engine {
        _ if reading_findings => super::readback::run(&engine, &args.findings, &prepare, &mut take),
        super::engine::EngineArg::Native => run(&engine, &mut rest, &prepare, &mut take),
        super::engine::EngineArg::Duckdb => {
            let select = crate::data::Select {
                skip: Vec::new(),
                include: config.as_ref().map(|c| c.include.clone()).unwrap_or_default(),
                exclude: config.as_ref().map(|c| c.exclude.clone()).unwrap_or_default(),
            };
            let paths = roots(&args.inputs, config.as_ref()).paths;
            super::engine::duckdb(&engine, &mut rest, &paths, &select, args.inputs.threads, &prepare, &mut take)
        }
    };
    indicator.finish();
    // Rules left out are never a clean run, whatever the settings allow to be shown.
    let left_out = super::engine::left_rules_out(&outcome);
    outcome.diagnostics.retain(|d| config.as_ref().is_none_or(|c| c.shows(d)));
    for d in &outcome.diagnostics {
        err.diag(d);
    }
    let mut catalogue = engine.catalogue();
    if specs.iter().any(|s| s.kind.name() == crate::report::html::FORMAT.name) {
        catalogue.tests = Some(policy_tests(&roots(&args.inputs, config.as_ref()).policies, engine.program()));
    }
    let catalogue = std::sync::Arc::new(catalogue);
    let run = output::Run { catalogue, policy_diags: &policy_diags, fail_on, timestamp: timestamp() };
    let written = reports.finish(&run, &outcome);
    if let Err(d) = &written {
        err.diag(d);
    }
    if written.is_err() || policy_diags.iter().chain(&outcome.diagnostics).any(Diag::is_error) {
        Status::Failed
    } else if outcome.fails_at(fail_on) || left_out {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// `precept baseline`: write the current findings (those no waiver covers) as the baseline.
pub(super) fn baseline(args: BaselineArgs) -> Status {
    let mut err = Stderr::open();
    let target = guard::Output::new(&args.file, "the baseline written", guard::Holds::JsonDocument);
    let config = match config(&args.inputs) {
        Ok(c) => c,
        Err(stop) => {
            stop.show(&mut err);
            return stop.status;
        }
    };
    let mut known = known_inputs(&args.inputs, config.as_ref(), None);
    for p in &args.findings {
        known.file(p, "a findings file read");
    }
    let mut problems: Vec<Diag> = known.against(std::slice::from_ref(&target)).into_iter().map(|(_, d)| d).collect();
    if let Err(e) = crate::output_file::plan(&args.file) {
        problems.push(cannot_write_baseline(&args.file, &e));
    }
    let loaded = match problems.is_empty() {
        true => load_for(&args.inputs, config.as_ref(), &mut err, None, args.findings.is_empty()),
        false => Err(Stop::new(problems)),
    };
    let Loaded { engine, policy_diags, mut rest } = match loaded {
        Ok(l) => l,
        Err(stop) => {
            stop.show(&mut err);
            return stop.status;
        }
    };
    let (clashes, earlier) = guard::records(std::slice::from_ref(&target), &rest.files);
    if !clashes.is_empty() {
        for (_, d) in &clashes {
            err.diag(d);
        }
        return Status::Failed;
    }
    let mut n = 0;
    rest.files.retain(|_| {
        n += 1;
        !earlier.contains(&(n - 1))
    });
    let mut findings: Vec<Finding> = Vec::new();
    let mut indicator = progress(&rest, &args.inputs);
    let mut keep = |f: Finding, _| {
        // A missed period the rows do not name cannot be told from the group's others: no
        // entry is written that would hide them all (`precept::findings::unnamed-period`).
        if f.standing == crate::pipeline::Standing::Active
            && f.rule.is_some()
            && !crate::readback::finding::unnamed_period(&f)
        {
            findings.push(f);
        }
    };
    let outcome = if args.findings.is_empty() {
        run(&engine, &mut rest, &|_| Vec::new(), &mut keep)
    } else {
        super::readback::run(&engine, &args.findings, &|_| Vec::new(), &mut keep)
    };
    indicator.finish();
    for d in &outcome.diagnostics {
        err.diag(d);
    }
    if outcome.diagnostics.iter().chain(&policy_diags).any(Diag::is_error) {
        // A baseline of a run that could not read everything would hide what it missed.
        err.diag(
            &Diag::error(
                "precept::baseline::not-written",
                format!("the baseline `{}` was not written", crate::text::path(&args.file)),
            )
            .help("fix the problems above first, so the baseline holds every finding"),
        );
        return Status::Failed;
    }
    let text = crate::suppress::baseline::write(&findings);
    if let Err(e) = crate::output_file::write_output(&args.file, text.as_bytes()) {
        err.diag(&cannot_write_baseline(&args.file, &e));
        return Status::Failed;
    }
    let mut out = Out::new(std::io::stdout().lock());
    out.put(&format!(
        "wrote {} finding{} to {}\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        escape(&crate::text::path(&args.file))
    ));
    super::finish_stdout(&mut out, &mut err.out, err.style, Status::Clean)
}

pub(super) fn cannot_write_report(path: &Path, reason: &str) -> Diag {
    Diag::error("precept::usage::output", format!("cannot write the report `{}`: {reason}", crate::text::path(path)))
        .help("name a file in a folder that can be written to (missing folders are created)")
}

fn cannot_write_baseline(path: &Path, reason: &str) -> Diag {
    Diag::error("precept::usage::output", format!("cannot write the baseline `{}`: {reason}", crate::text::path(path)))
        .help("name a file in a folder that can be written to (missing folders are created)")
}

/// When this run happened, for the JUnit report, in UTC without a zone: `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention) when set, so runs can be byte-identical, else the clock.
pub(super) fn timestamp() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
    let ts = fixed.and_then(|s| jiff::Timestamp::from_second(s).ok()).unwrap_or_else(jiff::Timestamp::now);
    ts.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}
