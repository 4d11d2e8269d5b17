//! `precept check` and `precept baseline`: load the policies, roles, waivers and baseline, run the
//! pipeline, mark each finding's standing, and hand findings to the reports.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::config::Config;
use super::{output, BaselineArgs, CheckArgs, Format, Inputs, Out, Status};
use crate::diagnostics::render::{render, Style};
use crate::diagnostics::Diag;
use crate::engine::authority::Authority;
use crate::engine::Program;
use crate::input::Kind;
use crate::pipeline::{Finding, Outcome};
use crate::roles::authority::Directory;
use crate::source::SourceFile;
use crate::suppress::{baseline::Baseline, waivers, Suppressor};

/// Everything loaded before records are read.
struct Loaded {
    program: Program,
    policy_diags: Vec<Diag>,
    rest: Rest,
}

/// What a run reads besides the policies.
struct Rest {
    org: Option<crate::roles::Org>,
    /// Problems with role, waiver and baseline files: reported with the record files'.
    input_diags: Vec<Diag>,
    select: crate::pipeline::Select,
    paths: Vec<PathBuf>,
    suppressor: Suppressor,
}

struct Stderr {
    out: Out<std::io::StderrLock<'static>>,
    style: Style,
}

impl Stderr {
    fn open() -> Stderr {
        Stderr {
            out: Out { w: std::io::stderr().lock(), closed: false },
            style: super::style_for(std::io::stderr().is_terminal()),
        }
    }

    fn diag(&mut self, d: &Diag) {
        let text = render(d, self.style);
        self.out.put(&text);
    }
}

/// Why a run stopped before checking anything: the problems, the exit status, and whether the
/// problems were shown already (those with the policies are shown as they are found).
struct Stop {
    diags: Vec<Diag>,
    status: Status,
    shown: bool,
}

impl Stop {
    fn new(diags: Vec<Diag>) -> Stop {
        Stop { diags, status: Status::Failed, shown: false }
    }

    /// Show what was not shown yet.
    fn show(&self, err: &mut Stderr) {
        if !self.shown {
            for d in &self.diags {
                err.diag(d);
            }
        }
    }
}

/// The project's `precept.toml` (or `--config`), if any; its problems stop the run.
fn config(inputs: &Inputs) -> Result<Option<Config>, Stop> {
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
fn load(
    inputs: &Inputs,
    config: Option<&Config>,
    err: &mut Stderr,
    baseline: Option<&Path>,
    own_files: &[PathBuf],
) -> Result<Loaded, Stop> {
    if let Some(n) = inputs.threads {
        if n == 0 {
            let d = Diag::error("precept::usage::threads", "`--threads` must be at least 1")
                .help("leave it out to use one thread per core");
            return Err(Stop::new(vec![d]));
        }
        // Only fails if a global pool already exists, in which case that pool is used.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    let pick = |flag: &[PathBuf], set: Option<&Vec<PathBuf>>, default: &str| -> Vec<PathBuf> {
        match (flag.is_empty(), set.filter(|s| !s.is_empty())) {
            (false, _) => flag.to_vec(),
            (true, Some(s)) => s.clone(),
            (true, None) if default.is_empty() => Vec::new(),
            (true, None) => vec![PathBuf::from(default)],
        }
    };
    let as_of = inputs.as_of.clone().or_else(|| config.and_then(|c| c.as_of.clone()));
    let today = match &as_of {
        None => jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date(),
        Some(s) => match s.parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                let d = Diag::error("precept::usage::as-of", format!("`--as-of {s}` is not a date"))
                    .help("write the day as `YYYY-MM-DD`");
                return Err(Stop::new(vec![d]));
            }
        },
    };
    let policies = pick(&inputs.policies, config.map(|c| &c.policies), "policies");
    let roles = pick(&inputs.roles, config.map(|c| &c.roles), "");
    let paths = pick(&inputs.paths, config.map(|c| &c.records), ".");
    let calendars = config.map(|c| c.calendars.clone()).unwrap_or_default();
    let (program, policy_diags) = crate::workspace::load_policies_with(&policies, &calendars);
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
    let select = |skip: Vec<PathBuf>| crate::pipeline::Select {
        skip,
        include: config.map(|c| c.include.clone()).unwrap_or_default(),
        exclude: config.map(|c| c.exclude.clone()).unwrap_or_default(),
    };
    let mut input_diags = Vec::new();
    let org = if roles.is_empty() {
        None
    } else {
        // `include` names record files (`*.jsonl`): it would leave no role file; `exclude` applies.
        let roles_select = crate::pipeline::Select { include: Vec::new(), ..select(Vec::new()) };
        let (org, _, diags) = crate::workspace::load_org_selected(&roles, &roles_select);
        input_diags.extend(diags);
        Some(org)
    };
    let waivers_file = inputs.waivers.clone().or_else(|| config.and_then(|c| c.waivers.clone()));
    let waivers = match &waivers_file {
        None => Vec::new(),
        Some(path) => match read_text(path, Kind::Waivers) {
            Ok(file) => waivers::read(&file, &program, &mut input_diags),
            Err(d) => {
                input_diags.push(d);
                Vec::new()
            }
        },
    };
    let baseline_read = match baseline {
        None => None,
        Some(path) => match read_text(path, Kind::Baseline).and_then(|f| Baseline::read(&f)) {
            Ok(b) => Some(b),
            Err(d) => {
                input_diags.push(d);
                None
            }
        },
    };
    // Precept's own files are never records: the settings, waivers, baseline, calendars and reports.
    let mut skip = policies;
    skip.extend(roles);
    skip.extend(own_files.iter().cloned());
    skip.extend(config.map(|c| c.path.clone()));
    skip.extend(waivers_file.iter().cloned());
    skip.extend(baseline.map(Path::to_path_buf));
    skip.extend(calendars.iter().map(|(_, p)| p.clone()));
    let mut suppressor = Suppressor::new(waivers, baseline_read, today);
    suppressor.redacting = program.redacting;
    Ok(Loaded { program, policy_diags, rest: Rest { org, input_diags, select: select(skip), paths, suppressor } })
}

/// A waivers, baseline or test file, named as given.
fn read_text(path: &Path, kind: Kind) -> Result<SourceFile, Diag> {
    crate::workspace::read_source(path, &path.to_string_lossy().replace('\\', "/"), kind)
}

/// Run the pipeline over the records and roles, marking each finding's standing before `sink`
/// sees it; expired waivers come last, as findings of their own.
fn run(program: &Program, rest: &mut Rest, sink: &mut dyn FnMut(Finding)) -> Outcome {
    let directory = rest.org.as_ref().map(Directory::new);
    let authority = directory.as_ref().map(|d| d as &dyn Authority);
    let suppressor = &mut rest.suppressor;
    // The pipeline counts every finding as active; these were not.
    let mut not_active: Vec<(crate::ast::Severity, crate::pipeline::Standing)> = Vec::new();
    let mut marked = |mut f: Finding| {
        suppressor.mark(&mut f);
        if f.standing != crate::pipeline::Standing::Active {
            not_active.push((f.severity, f.standing.clone()));
        }
        sink(f);
    };
    let mut outcome = crate::pipeline::check_paths_with(program, authority, &rest.paths, &rest.select, &mut marked);
    if let Some(org) = &rest.org {
        crate::pipeline::check_org(program, org, authority, &mut outcome, &mut marked);
    }
    for (severity, standing) in &not_active {
        outcome.recount(*severity, standing);
    }
    let (expired, diags) = rest.suppressor.finish();
    for f in expired {
        outcome.count(&f);
        sink(f);
    }
    outcome.diagnostics.append(&mut rest.input_diags);
    outcome.diagnostics.extend(diags);
    for d in &mut outcome.diagnostics {
        crate::engine::redact::diagnostic(program, d);
    }
    crate::diagnostics::sort(&mut outcome.diagnostics);
    outcome
}

/// `precept check`.
pub(super) fn check(args: CheckArgs) -> Status {
    let mut err = Stderr::open();
    let config = match config(&args.inputs) {
        Ok(c) => c,
        Err(stop) => {
            stop.show(&mut err);
            return stop.status;
        }
    };
    let specs = match (&args.format, args.outputs.is_empty(), config.as_ref().filter(|c| !c.outputs.is_empty())) {
        (Some(Format::Json), _, _) => vec![output::Spec { kind: output::Kind::Json, path: None }],
        (Some(Format::Human), _, _) => vec![output::Spec { kind: output::Kind::Human, path: None }],
        (None, false, _) => args.outputs.clone(),
        (None, true, Some(c)) => c.outputs.clone(),
        (None, true, None) => vec![output::Spec { kind: output::Kind::Human, path: None }],
    };
    let out_style = super::style_for(std::io::stdout().is_terminal());
    let mut reports = match output::Reports::open(&specs, out_style) {
        Ok(r) => r,
        Err(d) => {
            err.diag(&d);
            return Status::Failed;
        }
    };
    let fail_on = args
        .fail_on
        .map(super::FailOn::severity)
        .or_else(|| config.as_ref().and_then(|c| c.fail_on))
        .unwrap_or(crate::ast::Severity::Error);
    let baseline_file = args.baseline.clone().or_else(|| config.as_ref().and_then(|c| c.baseline.clone()));
    let reports_written: Vec<PathBuf> = specs.iter().filter_map(|s| s.path.clone()).collect();
    let loaded = match load(&args.inputs, config.as_ref(), &mut err, baseline_file.as_deref(), &reports_written) {
        Ok(l) => l,
        Err(stop) => {
            stop.show(&mut err);
            if let Err(d) = reports.failed(&stop.diags, fail_on, &timestamp()) {
                err.diag(&d);
            }
            return stop.status;
        }
    };
    let Loaded { program, policy_diags, mut rest } = loaded;
    reports.set_baseline(rest.suppressor.has_baseline());
    reports.start();
    let outcome = run(&program, &mut rest, &mut |f| reports.finding(&program, f));
    for d in &outcome.diagnostics {
        err.diag(d);
    }
    let skipped: Vec<&str> = if rest.org.is_none() {
        program.rules.iter().filter(|r| r.uses_roles).map(|r| r.id.as_str()).collect()
    } else {
        Vec::new()
    };
    let run = output::Run { program: &program, policy_diags: &policy_diags, fail_on, timestamp: timestamp(), skipped };
    let written = reports.finish(&run, &outcome);
    if let Err(d) = &written {
        err.diag(d);
    }
    if written.is_err() || policy_diags.iter().chain(&outcome.diagnostics).any(Diag::is_error) {
        Status::Failed
    } else if outcome.fails_at(fail_on) {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// `precept baseline`: write the current findings (those no waiver covers) as the baseline.
pub(super) fn baseline(args: BaselineArgs) -> Status {
    let mut err = Stderr::open();
    let loaded = match config(&args.inputs)
        .and_then(|c| load(&args.inputs, c.as_ref(), &mut err, None, std::slice::from_ref(&args.file)))
    {
        Ok(l) => l,
        Err(stop) => {
            stop.show(&mut err);
            return stop.status;
        }
    };
    let Loaded { program, policy_diags, mut rest } = loaded;
    let mut findings: Vec<Finding> = Vec::new();
    let outcome = run(&program, &mut rest, &mut |f| {
        if f.standing == crate::pipeline::Standing::Active && f.rule != usize::MAX {
            findings.push(f);
        }
    });
    for d in &outcome.diagnostics {
        err.diag(d);
    }
    if outcome.diagnostics.iter().chain(&policy_diags).any(Diag::is_error) {
        // A baseline of a run that could not read everything would hide what it missed.
        err.diag(
            &Diag::error(
                "precept::baseline::not-written",
                format!("the baseline `{}` was not written", args.file.display()),
            )
            .help("fix the problems above first, so the baseline holds every finding"),
        );
        return Status::Failed;
    }
    let text = crate::suppress::baseline::write(&findings);
    if let Err(e) = crate::workspace::write_atomically(&args.file, text.as_bytes()) {
        err.diag(
            &Diag::error("precept::usage::output", format!("cannot write the baseline `{}`: {e}", args.file.display()))
                .help("name a file in a folder that exists and can be written to"),
        );
        return Status::Failed;
    }
    let mut out = Out { w: std::io::stdout().lock(), closed: false };
    out.put(&format!(
        "wrote {} finding{} to {}\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        args.file.display()
    ));
    Status::Clean
}

/// When this run happened, for the JUnit report, in UTC without a zone: `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention) when set, so runs can be byte-identical, else the clock.
fn timestamp() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
    let ts = fixed.and_then(|s| jiff::Timestamp::from_second(s).ok()).unwrap_or_else(jiff::Timestamp::now);
    ts.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `precept explain`: a rule (title, code, level, clause, days in force, the policy text, help) or
/// a diagnostic code (its summary and what its family is about).
pub(super) fn explain(args: super::ExplainArgs) -> Status {
    let mut err = Stderr::open();
    let mut out = Out { w: std::io::stdout().lock(), closed: false };
    let what = args.what.trim();
    if what.starts_with("precept::") {
        let codes = crate::diagnostics::registry::CODES;
        return match crate::diagnostics::registry::lookup(what) {
            Some(info) => {
                let family = crate::diagnostics::registry::family(info.code);
                out.put(&format!("{}\n\n{}.\n\n{family}\n", info.code, crate::report::sarif::capitalise(info.summary)));
                Status::Clean
            }
            None => {
                let names: Vec<&str> = codes.iter().map(|c| c.code).collect();
                err.diag(
                    &Diag::error("precept::usage::explain", format!("`{what}` is not a Precept diagnostic code"))
                        .help(crate::diagnostics::suggest::help(what, &names, "code")),
                );
                Status::Failed
            }
        };
    }
    let policies = if args.policies.is_empty() { vec![PathBuf::from("policies")] } else { args.policies.clone() };
    let (program, diags) = crate::workspace::load_policies(&policies);
    let Some(program) = program else {
        for d in &diags {
            err.diag(d);
        }
        return Status::Failed;
    };
    let versions: Vec<&crate::engine::program::CompiledRule> = program.rules.iter().filter(|r| r.id == what).collect();
    if versions.is_empty() {
        let mut ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        err.diag(
            &Diag::error(
                "precept::usage::explain",
                format!("no rule `{what}` in the policies, and it is not a diagnostic code"),
            )
            .help(crate::diagnostics::suggest::help(what, &ids, "rule")),
        );
        return Status::Failed;
    }
    let running = program.running();
    let mut text = String::new();
    for (n, r) in versions.iter().enumerate() {
        if n > 0 {
            text.push_str("\n---\n\n");
        }
        let code = program.codes.get(r.code);
        let index = program.rules.iter().position(|x| std::ptr::eq(x, *r)).unwrap_or(0);
        text.push_str(&format!("{}: {}\n\n", r.id, r.title));
        if let Some(c) = code {
            let version = c.version.as_ref().map(|v| format!(", version {v}")).unwrap_or_default();
            text.push_str(&format!("code:      {} ({} code{version})\n", c.name, c.level.as_str()));
        }
        if let Some(cite) = &r.cite {
            text.push_str(&format!("clause:    {cite}\n"));
        }
        text.push_str(&format!("severity:  {}\n", r.severity.as_str()));
        if let Some(range) = r.in_force {
            text.push_str(&format!("in force:  {}\n", crate::engine::format::in_force(range)));
        }
        if let Some(o) = &r.overrides {
            let parent = program.codes.get(o.code).map_or("", |c| c.name.as_str());
            match &o.relaxes {
                Some(why) => {
                    text.push_str(&format!("overrides: the rule of the same id in `{parent}`, relaxing it: {why}\n"))
                }
                None => {
                    text.push_str(&format!("overrides: the rule of the same id in `{parent}`, at least as strictly\n"))
                }
            }
        }
        if !running.contains(&index) {
            text.push_str("note:      an extending code overrides this rule on every day, so it does not run\n");
        }
        if code.is_some_and(|c| c.not_waivable) {
            text.push_str("waivers:   none allowed (the code is `not waivable`)\n");
        }
        let (line, _) = r.file.line_col(r.span.start);
        text.push_str(&format!("policy:    {}:{line}\n\n", r.file.name));
        // The rule as written, from the start of its first line, less that line's indent.
        let (_, column) = r.file.line_col(r.span.start);
        let indent = column.saturating_sub(1);
        for (i, l) in r.file.slice(r.span).lines().enumerate() {
            let l = if i == 0 { l } else { l.get(indent.min(l.len() - l.trim_start().len())..).unwrap_or(l) };
            text.push_str("    ");
            text.push_str(l);
            text.push('\n');
        }
        if let Some(help) = &r.help {
            text.push_str(&format!("\nhelp: {help}\n"));
        }
    }
    out.put(&text);
    Status::Clean
}

/// `precept test`: run every `*.test.toml` beside the policies, show failures as the difference
/// between expected and found, and report which rules no test exercises.
pub(super) fn test(args: super::TestArgs) -> Status {
    let mut err = Stderr::open();
    let mut out = Out { w: std::io::stdout().lock(), closed: false };
    if let Some(spec) = &args.output {
        if spec.kind != output::Kind::Junit || spec.path.is_none() {
            err.diag(
                &Diag::error("precept::usage::output", "`precept test` writes only a JUnit report to a file")
                    .help("write `--output junit=PATH`"),
            );
            return Status::Failed;
        }
    }
    if let Some(m) = args.min_coverage {
        if !(0.0..=100.0).contains(&m) {
            err.diag(
                &Diag::error("precept::usage::min-coverage", format!("`--min-coverage {m}` is not a percentage"))
                    .help("give a number from 0 to 100"),
            );
            return Status::Failed;
        }
    }
    let policies = if args.policies.is_empty() { vec![PathBuf::from("policies")] } else { args.policies.clone() };
    let (program, policy_diags) = crate::workspace::load_policies(&policies);
    for d in &policy_diags {
        err.diag(d);
    }
    let Some(program) = program else { return Status::Failed };
    let mut diags = Vec::new();
    let mut cases = Vec::new();
    for path in crate::policytest::discover(&policies) {
        match read_text(&path, Kind::Test) {
            Ok(file) => cases.extend(crate::policytest::read(&file, &path, &program, &mut diags)),
            Err(d) => diags.push(d),
        }
    }
    for d in &diags {
        err.diag(d);
    }
    if diags.iter().any(Diag::is_error) {
        return Status::Failed;
    }
    let outcomes: Vec<crate::policytest::Outcome> = cases.iter().map(|c| crate::policytest::run(&program, c)).collect();
    let mut text = String::new();
    for o in outcomes.iter().filter(|o| !o.passed()) {
        text.push_str(&format!("FAIL {}: {}\n{}\n", o.place, o.name, crate::policytest::explain(o)));
    }
    let coverage = crate::policytest::coverage(&program, &cases);
    let covered = coverage.values().filter(|c| **c).count();
    let percent = if coverage.is_empty() { 100.0 } else { covered as f64 * 100.0 / coverage.len() as f64 };
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    text.push_str(&format!(
        "ran {} test{}: {} passed, {failed} failed; rule coverage {covered} of {} ({percent:.0}%)\n",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        outcomes.len() - failed,
        coverage.len()
    ));
    let missing: Vec<&str> = coverage.iter().filter(|(_, c)| !**c).map(|(r, _)| r.as_str()).collect();
    if !missing.is_empty() {
        text.push_str(&format!("rules no test exercises: {}\n", missing.join(", ")));
    }
    out.put(&text);
    if let Some(path) = args.output.as_ref().and_then(|s| s.path.as_ref()) {
        let doc = crate::report::junit::tests_document(&outcomes, &timestamp());
        if let Err(e) = crate::workspace::write_atomically(path, doc.as_bytes()) {
            err.diag(
                &Diag::error("precept::usage::output", format!("cannot write the report `{}`: {e}", path.display()))
                    .help("name a file in a folder that exists and can be written to"),
            );
            return Status::Failed;
        }
    }
    let below = args.min_coverage.is_some_and(|m| percent + 1e-9 < m);
    if below {
        err.diag(
            &Diag::error(
                "precept::test::coverage",
                format!("rule coverage {percent:.0}% is below the {}% asked for", args.min_coverage.unwrap_or(0.0)),
            )
            .help("write a test that expects a finding of each rule listed as not exercised"),
        );
    }
    if failed > 0 || below {
        Status::Findings
    } else {
        Status::Clean
    }
}
