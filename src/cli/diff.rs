//! `precept diff`: the impact of a policy change. The same records are checked with the base
//! policies (`--base-policies`, say the main branch's) and with the changed ones (`--policies`,
//! say a pull request's), and the findings that appear, disappear or change are shown by rule
//! ([`crate::report::diff`]).
//!
//! Everything else a check reads (settings, roles, waivers, `--as-of`, limits) is the same for
//! both sides, so only the policies differ. A problem found on one side only says which side it
//! is on; one found on both is shown once.

use std::collections::HashSet;
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
    let diagnostics = merged(&base.diagnostics, &change.diagnostics);
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

/// The problems of both sides: one found by both is shown once, one side's own says so. Looked up
/// by what makes two the same ([`same`]), so thousands of problems are not compared each with each.
fn merged(base: &[Diag], change: &[Diag]) -> Vec<Diag> {
    let in_base: HashSet<Same<'_>> = base.iter().map(same).collect();
    let in_change: HashSet<Same<'_>> = change.iter().map(same).collect();
    let mut out: Vec<Diag> = Vec::with_capacity(change.len());
    for d in change {
        let both = in_base.contains(&same(d));
        out.push(if both { d.clone() } else { on_one_side(d.clone(), Side::Change) });
    }
    for d in base {
        if !in_change.contains(&same(d)) {
            out.push(on_one_side(d.clone(), Side::Base));
        }
    }
    out
}

/// What makes two problems the same one (found by both sides): code, message and place.
type Same<'a> = (&'a str, &'a str, Option<(&'a str, usize, usize)>);

fn same(d: &Diag) -> Same<'_> {
    (&d.code, &d.message, d.location())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before, every problem of one side was compared with every problem of the other: 20,000 on
    /// each side took minutes. Matched by hash, they take milliseconds.
    #[test]
    fn twenty_thousand_problems_a_side_are_merged_quickly() {
        // Each problem of a record file carries its record's lines, as a streamed file's do.
        let problem = |i: usize| {
            let mut file = crate::source::SourceFile::new("t.csv", "x\n");
            file.first_line = i + 1;
            Diag::error("precept::input::invalid-value", "`waited` is not a duration").at(
                &file,
                crate::source::Span::new(0, 1),
                "here",
            )
        };
        // Lines 5,001 to 20,000 on both sides; 5,000 lines on each side only.
        let base: Vec<Diag> = (0..20_000).map(problem).collect();
        let change: Vec<Diag> = (5_000..25_000).map(problem).collect();
        let started = std::time::Instant::now();
        let all = merged(&base, &change);
        let took = started.elapsed();
        let one_side = |what: &str| all.iter().filter(|d| d.message.ends_with(what)).count();
        assert_eq!(all.len(), 25_000);
        assert_eq!(one_side("(with the base policies only)"), 5_000);
        assert_eq!(one_side("(with the changed policies only)"), 5_000);
        assert_eq!(all[0].location(), Some(("t.csv", 5_001, 1)), "the change's first, found by both");
        assert_eq!(all[0].message, "`waited` is not a duration");
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    }
}
