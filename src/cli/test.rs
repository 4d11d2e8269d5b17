//! `precept test`: the policies' own tests (`*.test.toml` beside them), their failures as the
//! difference between expected and found, rule coverage, and an optional JUnit report.
//!
//! Separate from [`super::check`] because it checks each test's inline records and roles rather
//! than the record files; it shares that command's stderr, report naming and timestamp.

use std::path::PathBuf;

use super::check::{cannot_write_report, read_text, timestamp, Stderr};
use super::{guard, output, Out, Status};
use crate::diagnostics::Diag;
use crate::input::Kind;
use crate::text::{escape, escape_lines, guard};

/// `precept test`: run every `*.test.toml` beside the policies, show failures as the difference
/// between expected and found, and report which rules no test exercises.
pub(super) fn test(args: super::TestArgs) -> Status {
    let mut err = Stderr::open();
    let mut out = Out::new(std::io::stdout().lock());
    let status = test_to(&args, &mut out, &mut err);
    super::finish_stdout(&mut out, &mut err.out, err.style, status)
}

fn test_to(args: &super::TestArgs, out: &mut Out<std::io::StdoutLock<'static>>, err: &mut Stderr) -> Status {
    if let Some(spec) = &args.output {
        if spec.kind != output::Kind(&crate::report::junit::FORMAT) || spec.path.is_none() {
            err.diag(
                &Diag::error("precept::usage::output", "`precept test` writes only a JUnit report to a file")
                    .help("write `--output junit=PATH`"),
            );
            return Status::Failed;
        }
    }
    let policies = if args.policies.is_empty() { vec![PathBuf::from("policies")] } else { args.policies.clone() };
    let junit = args.output.as_ref().and_then(|s| s.path.as_deref());
    if let Some(path) = junit {
        // The tests, calendars and policies are all read from the policy folders.
        let mut known = guard::Inputs::default();
        known.policy_roots(&policies);
        let target = guard::Output::new(path, "the junit report's output", guard::Holds::Junit);
        let mut problems: Vec<Diag> =
            known.against(std::slice::from_ref(&target)).into_iter().map(|(_, d)| d).collect();
        if let Err(e) = crate::output_file::plan(path) {
            problems.push(cannot_write_report(path, &e));
        }
        if !problems.is_empty() {
            for d in &problems {
                err.diag(d);
            }
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
    let (program, policy_diags) = crate::workspace::load_policies(&policies);
    for d in &policy_diags {
        err.diag(d);
    }
    let Some(program) = program else {
        // The JUnit report still says why nothing was tested, for the CI job that uploads it.
        if let Some(path) = junit {
            let doc = crate::report::junit::document(
                &crate::report::Summary::default(),
                &[],
                &policy_diags,
                crate::ast::Severity::Error,
                &timestamp(),
            );
            if let Err(e) = crate::output_file::write_output(path, doc.as_bytes()) {
                err.diag(&cannot_write_report(path, &e));
            }
        }
        return Status::Failed;
    };
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
    let engine = crate::Engine::from_program(program, Vec::new());
    let program = engine.program();
    let outcomes: Vec<crate::policytest::Outcome> = cases.iter().map(|c| crate::policytest::run(&engine, c)).collect();
    let mut text = String::new();
    for o in outcomes.iter().filter(|o| !o.passed()) {
        let explained = crate::policytest::explain(o);
        text.push_str(&format!("FAIL {}: {}\n{}\n", escape(&o.place), escape(&o.name), escape_lines(&explained)));
    }
    let coverage = crate::policytest::coverage(program, &cases);
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
        text.push_str(&format!("rules no test exercises: {}\n", escape(&missing.join(", "))));
    }
    out.put(&guard(&text, false));
    if let Some(path) = junit {
        let doc = crate::policytest::junit(&outcomes, &timestamp());
        if let Err(e) = crate::output_file::write_output(path, doc.as_bytes()) {
            err.diag(&cannot_write_report(path, &e));
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
