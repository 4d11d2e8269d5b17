//! Every diagnostic code's example (docs/codes/, shown by `precept explain CODE`) really provokes
//! its code, and its fix really makes the code go away: each is written to a folder of its own and
//! its command run with the binary, before and after the fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use precept::diagnostics::examples::{self, Example, File};

/// Codes with no example, each with the reason it cannot be provoked cheaply by files written
/// from a page of text.
const EXCEPTIONS: &[(&str, &str)] = &[];

/// Codes whose example is not written yet. Kept exact by the test below: writing an example means
/// taking its code off this list.
const NOT_YET: &[&str] = &[
    "precept::baseline::invalid",
    "precept::baseline::not-written",
    "precept::baseline::stale",
    "precept::case::close-before-open",
    "precept::config::invalid",
    "precept::fmt::not-written",
    "precept::input::csv",
    "precept::input::csv-missing-column",
    "precept::input::csv-row-length",
    "precept::input::duplicate-column",
    "precept::input::duplicate-key",
    "precept::input::empty-file",
    "precept::input::invalid-utf8",
    "precept::input::invalid-value",
    "precept::input::json",
    "precept::input::missing-field",
    "precept::input::more-problems",
    "precept::input::no-records",
    "precept::input::no-rules",
    "precept::input::no-schema",
    "precept::input::not-a-file",
    "precept::input::not-found",
    "precept::input::records-not-found",
    "precept::input::records-under-key",
    "precept::input::skipped-link",
    "precept::input::toml",
    "precept::input::too-large",
    "precept::input::unknown-format",
    "precept::input::unreadable",
    "precept::lsp::large-folder",
    "precept::output::truncated",
    "precept::parse::too-deep",
    "precept::role::assignment-gap",
    "precept::role::assignment-overlap",
    "precept::role::duplicate-id",
    "precept::role::escalation-cycle",
    "precept::role::invalid-definition",
    "precept::role::no-route-to-top",
    "precept::role::qualification-expired",
    "precept::role::qualification-missing",
    "precept::role::scope-inversion",
    "precept::role::unheld-role",
    "precept::role::unknown-reference",
    "precept::test::coverage",
    "precept::test::invalid",
    "precept::usage::as-of",
    "precept::usage::explain",
    "precept::usage::min-coverage",
    "precept::usage::no-as-of",
    "precept::usage::no-roles",
    "precept::usage::output",
    "precept::usage::output-is-input",
    "precept::usage::threads",
    "precept::waiver::invalid",
    "precept::waiver::not-waivable",
    "precept::waiver::unknown-rule",
    "precept::waiver::unused",
];

fn write(dir: &std::path::Path, files: &[File]) {
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, &f.text).unwrap();
    }
}

/// stdout and stderr of `run` (less its leading `precept`) in `dir`.
fn output(dir: &std::path::Path, run: &[String]) -> String {
    let args: Vec<&str> = run.iter().skip(1).map(String::as_str).collect();
    let r = common::precept_in(dir, &args);
    format!("exit {}\n{}{}", r.code, r.stdout, r.stderr)
}

fn check(e: &Example) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &e.files);
    let before = output(dir.path(), &e.run);
    if !before.contains(&e.code) {
        return Err(format!("{}: the example does not provoke it:\n{before}", e.code));
    }
    write(dir.path(), &e.fix);
    let after = output(dir.path(), e.fixed_run());
    if after.contains(&e.code) {
        return Err(format!("{}: the fix leaves it:\n{after}", e.code));
    }
    // A fix that swaps one problem for another that stops the run is no fix.
    if after.starts_with("exit 2") {
        return Err(format!("{}: after the fix the run still cannot do its job:\n{after}", e.code));
    }
    Ok(())
}

#[test]
fn every_example_provokes_its_code_and_its_fix_removes_it() {
    let all = examples::all();
    assert!(!all.is_empty());
    let failures: Vec<String> = all.iter().filter_map(|e| check(e).err()).collect();
    assert!(failures.is_empty(), "{} of {} examples fail:\n\n{}", failures.len(), all.len(), failures.join("\n\n"));
}

#[test]
fn every_code_has_an_example_or_says_why_not() {
    let all = examples::all();
    let mut missing = Vec::new();
    for c in precept::diagnostics::registry::CODES {
        let has = all.iter().any(|e| e.code == c.code);
        let excused = EXCEPTIONS.iter().any(|(x, _)| *x == c.code);
        let pending = NOT_YET.contains(&c.code);
        assert!(!(has && (excused || pending)), "{} has an example: take it off the lists", c.code);
        assert!(!(excused && pending), "{} is on both lists", c.code);
        if !has && !excused && !pending {
            missing.push(c.code);
        }
    }
    assert!(missing.is_empty(), "codes with no example and no reason: {missing:?}");
    for (code, why) in EXCEPTIONS {
        assert!(precept::diagnostics::registry::lookup(code).is_some() && !why.is_empty(), "{code}");
    }
}
