//! `precept sql`: the policies' rules as SQL for a warehouse, on standard output or in a file.
//!
//! The compiling is [`crate::sql`]'s; this reads the policies, guards the output (written
//! atomically, never over a file the run reads) and maps the outcome to an exit status: 0 when
//! every rule compiled, 1 when some were left out (each with `precept::sql::unsupported`; the SQL
//! for the others is still written), 2 when the policies cannot be loaded or the SQL not written.

use std::path::PathBuf;

use super::check::Stderr;
use super::{Out, Status};
use crate::diagnostics::Diag;
use crate::sql::{calendar::Range, compile_with_roles, Dialect, Options};

/// `--dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum DialectArg {
    /// DuckDB.
    Duckdb,
    /// Spark SQL (with `spark.sql.session.timeZone` set to UTC).
    Spark,
    /// PostgreSQL.
    Postgres,
}

/// Arguments of `precept sql`.
#[derive(Debug, clap::Args)]
pub(super) struct SqlArgs {
    /// The SQL dialect to write.
    #[arg(long, value_enum)]
    dialect: DialectArg,
    /// Where to find rules; default: `policies`.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Role files (as `precept check --roles`): their tables are written with the SQL, so that
    /// questions about staff and roles compile against them.
    #[arg(long = "roles", value_name = "DIR")]
    roles: Vec<PathBuf>,
    /// The evaluation time (as `precept check --as-of`): what `now` stands for in the SQL, and the
    /// end of the data for case rules; without it (or `as_of` in the settings), rules that use
    /// `now` are left out.
    #[arg(long = "as-of", value_name = "DATE|DATETIME")]
    as_of: Option<String>,
    /// Write the SQL to this file (replaced atomically) instead of standard output.
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// The first day of the calendar table (default: 2000-01-01).
    #[arg(long = "calendar-from", value_name = "YYYY-MM-DD")]
    calendar_from: Option<String>,
    /// The last day of the calendar table (default: 2049-12-31).
    #[arg(long = "calendar-until", value_name = "YYYY-MM-DD")]
    calendar_until: Option<String>,
    /// Read settings from this file instead of the nearest `precept.toml`.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any `precept.toml`.
    #[arg(long = "no-config")]
    no_config: bool,
}

/// `precept sql`.
pub(super) fn sql(args: SqlArgs) -> Status {
    run(&args, &mut Stderr::open())
}

fn usage(message: String, help: &str) -> Diag {
    Diag::error("precept::usage::calendar-range", message).help(help.to_string())
}

fn day(text: Option<&str>, default: jiff::civil::Date, flag: &str) -> Result<jiff::civil::Date, Diag> {
    match text {
        None => Ok(default),
        Some(t) => t.parse().map_err(|_| {
            usage(format!("`{flag} {t}` is not a date"), "give a day as YYYY-MM-DD, for example 2024-01-01")
        }),
    }
}

fn run(args: &SqlArgs, err: &mut Stderr) -> Status {
    let dialect = match args.dialect {
        DialectArg::Duckdb => Dialect::DuckDb,
        DialectArg::Spark => Dialect::Spark,
        DialectArg::Postgres => Dialect::Postgres,
    };
    let default = Range::default();
    let range = match (
        day(args.calendar_from.as_deref(), default.from, "--calendar-from"),
        day(args.calendar_until.as_deref(), default.until, "--calendar-until"),
    ) {
        (Ok(from), Ok(until)) if from <= until => Range { from, until },
        (Ok(from), Ok(until)) => {
            err.diag(&usage(
                format!("the calendar table would be empty: {from} is after {until}"),
                "give `--calendar-from` a day before `--calendar-until`",
            ));
            return Status::Failed;
        }
        (Err(d), _) | (_, Err(d)) => {
            err.diag(&d);
            return Status::Failed;
        }
    };
    // The settings `check` reads: the policy folders, the calendars that replace the policies'
    // own, the warnings allowed, and the fields to redact; without them the SQL would judge by
    // other calendars than `check` does and show values `check` hides.
    let config = if args.no_config {
        None
    } else {
        match super::config::load(args.config.as_deref()) {
            Ok(c) => c,
            Err(diags) => {
                for d in &diags {
                    err.diag(d);
                }
                return Status::Failed;
            }
        }
    };
    let policies = match (args.policies.is_empty(), config.as_ref().filter(|c| !c.policies.is_empty())) {
        (false, _) => args.policies.clone(),
        (true, Some(c)) => c.policies.clone(),
        (true, None) => vec![PathBuf::from("policies")],
    };
    let roles = match (args.roles.is_empty(), config.as_ref().filter(|c| !c.roles.is_empty())) {
        (false, _) => args.roles.clone(),
        (true, Some(c)) => c.roles.clone(),
        (true, None) => Vec::new(),
    };
    if let Some(path) = &args.output {
        let mut inputs = super::guard::Inputs::default();
        inputs.policy_roots(&policies);
        inputs.role_roots(&roles);
        let output = super::guard::Output::new(path, "the SQL output", crate::report::Holds::Text);
        if let Some((_, d)) = inputs.against(std::slice::from_ref(&output)).into_iter().next() {
            err.diag(&d);
            return Status::Failed;
        }
    }
    let calendars = config.as_ref().map(|c| c.calendars.clone()).unwrap_or_default();
    let (program, mut diags) = crate::workspace::load_policies_with(&policies, &calendars);
    diags.retain(|d| config.as_ref().is_none_or(|c| c.shows(d)));
    for d in &diags {
        err.diag(d);
    }
    let Some(mut program) = program else { return Status::Failed };
    // The evaluation time as `check` places it (`--as-of`, else `as_of` in the settings), written
    // into the SQL as a constant: `now` and the end of the data of case rules.
    match super::check::as_of_given(args.as_of.as_ref(), config.as_ref().and_then(|c| c.as_of.as_ref()))
        .and_then(|given| crate::engine::as_of::resolve(&program, given))
    {
        Ok(evaluation) => program.evaluation = evaluation,
        Err(d) => {
            err.diag(&d);
            return Status::Failed;
        }
    }
    if let Some(c) = config.as_ref().filter(|c| !c.redact.is_empty()) {
        let unknown = program.redact(&c.redact);
        if !unknown.is_empty() {
            for u in unknown {
                err.diag(
                    &Diag::error("precept::config::invalid", format!("`redact` names `{u}`, which no schema has"))
                        .help("name a field of a schema, as `customer.email`"),
                );
            }
            return Status::Failed;
        }
    }
    // The role files as `check` reads them (`exclude` applies, `include` names record files); a
    // problem with them is the diagnostic `check` gives, and nothing is written.
    let org = if roles.is_empty() {
        None
    } else {
        let select = crate::data::Select {
            skip: Vec::new(),
            include: Vec::new(),
            exclude: config.as_ref().map(|c| c.exclude.clone()).unwrap_or_default(),
        };
        let (org, _, diags) = crate::workspace::load_org_selected(&roles, &select);
        for d in &diags {
            err.diag(d);
        }
        if diags.iter().any(Diag::is_error) {
            return Status::Failed;
        }
        Some(org)
    };
    // Every rule left out is said, whatever the settings allow: a rule is never dropped silently.
    let sql = compile_with_roles(&program, &Options { dialect, range }, org.as_ref());
    for d in &sql.diagnostics {
        err.diag(d);
    }
    match &args.output {
        Some(path) => {
            if let Err(reason) = crate::output_file::write_output(path, sql.text.as_bytes()) {
                err.diag(
                    &Diag::error(
                        "precept::usage::output",
                        format!("the SQL cannot be written to `{}`: {reason}", crate::text::path(path)),
                    )
                    .help("check that the folder exists and can be written"),
                );
                return Status::Failed;
            }
        }
        None => {
            let mut out = Out::new(std::io::stdout().lock());
            out.put(&sql.text);
            let status = if sql.diagnostics.is_empty() { Status::Clean } else { Status::Findings };
            return super::finish_stdout(&mut out, &mut err.out, err.style, status);
        }
    }
    if sql.diagnostics.is_empty() {
        Status::Clean
    } else {
        Status::Findings
    }
}
