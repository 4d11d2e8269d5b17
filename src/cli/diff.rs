//! `precept diff`: the impact of a policy change. The same records are checked with the base
//! policies (`--base-policies`, say the main branch's) and with the changed ones (`--policies`,
//! say a pull request's), and the findings that appear, disappear or change are shown by rule
//! ([`crate::report::diff`]).
//!
//! Everything else a check reads (settings, roles, waivers, `--as-of`, limits) is the same for
//! both sides, so only the policies differ. A problem found on one side only says which side it
//! is on; one found on both is shown once.

use std::path::PathBuf;

use clap::ValueEnum;

use super::check::{self, Loaded, Stderr};
use super::{Inputs, Out, Status};
use crate::diagnostics::Diag;
use crate::report::diff::{self as compare, Diff, Seen};

#[derive(Debug, clap::Args)]
pub(super) struct DiffArgs {
    /// The base policies (a folder or file of `.precept` policies, as `--policies` takes; may be
    /// given more than once): what the change is compared against, e.g. the main branch's.
    #[arg(long = "base-policies", value_name = "DIR", required = true)]
    base_policies: Vec<PathBuf>,
    /// The changed policies are `--policies` (default: `policies`); everything else is read once
    /// and used for both sides.
    #[command(flatten)]
    inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: DiffFormat,
    /// Exit with status 1 when the change adds active error findings: new ones, or findings that
    /// become active errors (from a lower severity, or from waived).
    #[arg(long = "fail-on-new-errors")]
    fail_on_new_errors: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Findings by rule with `+`, `-` and `~`, and each side's counts.
    Human,
    /// A JSON document (see docs/diff.md).
    Json,
    /// A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
}

/// Which policies a run used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Base,
    Change,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Change => "changed",
        }
    }
}

/// One side's findings, counts and problems with the records.
struct Checked {
    seen: Vec<Seen>,
    records: usize,
    files: usize,
    diagnostics: Vec<Diag>,
}

/// `roots` as the report names them.
fn names(roots: &[PathBuf]) -> Vec<String> {
    roots.iter().map(|p| crate::text::name(p)).collect()
}

/// The policy roots of a side, as the run reads them (flags, else the settings, else `policies`).
fn policy_roots(inputs: &Inputs, config: Option<&super::config::Config>) -> Vec<PathBuf> {
    if !inputs.policies.is_empty() {
        return inputs.policies.clone();
    }
    match config.map(|c| &c.policies).filter(|p| !p.is_empty()) {
        Some(p) => p.clone(),
        None => vec![PathBuf::from("policies")],
    }
}

/// The problem that stops the diff when one side's policies cannot be loaded.
fn side_failed(side: Side, roots: &[PathBuf], problems: usize) -> Diag {
    Diag::error(
        "precept::diff::policies",
        format!(
            "the {} policies ({}) cannot be loaded: {} above",
            side.name(),
            names(roots).iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
            if problems == 1 { "1 problem".to_string() } else { format!("{problems} problems") }
        ),
    )
    .help(match side {
        Side::Base => {
            "fix the base policies, or compare against a revision whose policies load (`--base-policies DIR`)"
        }
        Side::Change => "fix the changed policies (`--policies DIR`): `precept check` shows the same problems",
    })
}

/// `diag`, said to be found with one side's policies only.
fn on_one_side(mut d: Diag, side: Side) -> Diag {
    d.message = format!("{} (with the {} policies only)", d.message, side.name());
    d
}

/// Load one side and check the records with it.
fn check_side(
    inputs: &Inputs,
    config: Option<&super::config::Config>,
    other_roots: &[PathBuf],
    err: &mut Stderr,
) -> Result<Checked, check::Stop> {
    let Loaded { engine, policy_diags, mut rest } = check::load(inputs, config, err, None)?;
    // The other side's policy folder is never read as records (its `*.test.toml` files would be).
    let skip = crate::data::Select { skip: other_roots.to_vec(), include: Vec::new(), exclude: Vec::new() };
    rest.files.retain(|f| skip.keeps(f.place(), &f.name));
    let mut seen = Vec::new();
    let outcome = engine.check_files_with(
        std::mem::take(&mut rest.files),
        std::mem::take(&mut rest.found_diags),
        &|_| Vec::new(),
        &mut |f, _| seen.push(Seen::of(&f)),
    );
    let mut diagnostics = policy_diags.into_iter().filter(Diag::is_error).collect::<Vec<_>>();
    diagnostics.extend(outcome.diagnostics);
    diagnostics.retain(|d| config.is_none_or(|c| c.shows(d)));
    Ok(Checked { seen, records: outcome.records, files: outcome.files, diagnostics })
}

/// `precept diff`.
pub(super) fn diff(args: DiffArgs) -> Status {
    let mut err = Stderr::open();
    let config = match check::config(&args.inputs) {
        Ok(c) => c,
        Err(stop) => {
            stop.show(&mut err);
            return stop.status;
        }
    };
    let change_roots = policy_roots(&args.inputs, config.as_ref());
    let base_inputs = Inputs { policies: args.base_policies.clone(), ..args.inputs.clone() };
    let base = check_side(&base_inputs, config.as_ref(), &change_roots, &mut err);
    let change = check_side(&args.inputs, config.as_ref(), &args.base_policies, &mut err);
    let (base, change) = match (base, change) {
        (Ok(b), Ok(c)) => (b, c),
        (b, c) => {
            for (side, roots, result) in
                [(Side::Base, &args.base_policies, b.err()), (Side::Change, &change_roots, c.err())]
            {
                if let Some(stop) = result {
                    stop.show(&mut err);
                    err.diag(&side_failed(side, roots, stop.diags.len()));
                }
            }
            return Status::Failed;
        }
    };
    // A problem with the records found by both sides is shown once; one side's own says so.
    let mut diagnostics: Vec<Diag> = Vec::new();
    for d in &change.diagnostics {
        let both = base.diagnostics.iter().any(|b| same(b, d));
        diagnostics.push(if both { d.clone() } else { on_one_side(d.clone(), Side::Change) });
    }
    for d in &base.diagnostics {
        if !change.diagnostics.iter().any(|c| same(c, d)) {
            diagnostics.push(on_one_side(d.clone(), Side::Base));
        }
    }
    for d in &diagnostics {
        err.diag(d);
    }
    let mut diff = Diff::compare(base.seen, change.seen);
    diff.base.policies = names(&args.base_policies);
    diff.change.policies = names(&change_roots);
    (diff.records, diff.files) = (change.records.max(base.records), change.files.max(base.files));
    let text = match args.format {
        DiffFormat::Human => compare::human(&diff),
        DiffFormat::Json => compare::json(&diff, &diagnostics),
        DiffFormat::Markdown => compare::markdown(&diff, &diagnostics),
    };
    let mut out = Out::new(std::io::stdout().lock());
    out.put(&text);
    let status = if diagnostics.iter().any(Diag::is_error) {
        Status::Failed
    } else if args.fail_on_new_errors && diff.totals().new_errors > 0 {
        Status::Findings
    } else {
        Status::Clean
    };
    super::finish_stdout(&mut out, &mut err.out, err.style, status)
}

/// Whether two problems are the same one (found by both sides).
fn same(a: &Diag, b: &Diag) -> bool {
    a.code == b.code && a.message == b.message && a.location() == b.location()
}
