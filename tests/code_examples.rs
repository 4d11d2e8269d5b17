//! Every diagnostic code's example (docs/codes/, shown by `precept explain CODE`) really provokes
//! its code, and its fix really makes the code go away: each is written to a folder of its own and
//! its command run with the binary, before and after the fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use precept::diagnostics::examples::{self, Example, File};

/// Codes with no example, each with the reason it cannot be provoked cheaply by files written
/// from a page of text.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "precept::findings::columns",
        "needs a findings file exported from a warehouse; tests/readback.rs provokes it over fixtures/warehouse-findings/no-values.csv and snapshots it",
    ),
    (
        "precept::findings::duplicate-row",
        "needs a findings file exported from a warehouse; tests/readback.rs provokes it with fixtures/warehouse-findings/few.csv's rows given twice",
    ),
    (
        "precept::findings::unnamed-period",
        "needs a findings file exported from a warehouse; tests/readback.rs provokes it over a presence rule whose message does not show the period and snapshots it",
    ),
    (
        "precept::findings::invalid-row",
        "needs a findings file exported from a warehouse; tests/readback.rs provokes each kind over fixtures/warehouse-findings/bad.csv and bad.jsonl and snapshots them",
    ),
    (
        "precept::findings::unknown-rule",
        "needs a findings file exported from a warehouse; tests/readback.rs provokes it over fixtures/warehouse-findings/bad.csv and snapshots it",
    ),
    (
        "precept::input::csv",
        "the CSV reader is flexible and reads any UTF-8 text: rows of the wrong length are csv-row-length, bytes that are not UTF-8 invalid-utf8; this code is left for a reader error no file provokes",
    ),
    ("precept::input::invalid-utf8", "needs bytes that are not UTF-8, which a page of text cannot hold"),
    ("precept::input::unreadable", "needs a file the user cannot read, and tests may run as root, who reads every file"),
    ("precept::lsp::large-folder", "needs a folder of more than 20,000 entries, opened by an editor through the language server"),
    ("precept::output::truncated", "needs more than 25,000 findings in one SARIF report"),
    ("precept::engine::duckdb", "needs a build with the `duckdb` feature (tests/check_duckdb.rs provokes it)"),
    ("precept::engine::not-run", "needs a build with the `duckdb` feature (tests/check_duckdb.rs provokes it)"),
    ("precept::engine::rule-stopped", "needs a build with the `duckdb` feature (tests/check_duckdb.rs provokes it)"),
    ("precept::engine::unreadable-file", "needs a build with the `duckdb` feature (tests/check_duckdb.rs provokes it)"),
    ("precept::engine::unsupported-file", "needs a build with the `duckdb` feature (tests/check_duckdb.rs provokes it)"),
];

/// Codes whose example is not written yet. Kept exact by the test below: writing an example means
/// taking its code off this list.
const NOT_YET: &[&str] = &[];

fn write(dir: &std::path::Path, files: &[File]) {
    for f in files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path).unwrap();
        }
        match f.link() {
            #[cfg(unix)]
            Some(target) => std::os::unix::fs::symlink(target, &path).unwrap(),
            #[cfg(not(unix))]
            Some(_) => panic!("symbolic links in examples need unix"),
            None => std::fs::write(&path, &f.text).unwrap(),
        }
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
    // A binary built with DuckDB runs `--engine duckdb`: the example of its absence cannot be
    // provoked there.
    let runnable = |e: &&Example| !(cfg!(feature = "duckdb") && e.code == "precept::usage::engine");
    let failures: Vec<String> = all.iter().filter(runnable).filter_map(|e| check(e).err()).collect();
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
