//! The registry of diagnostic codes and the code base agree both ways, and fixtures only expect
//! registered codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

fn codes_in(dir: &str, ext: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in walkdir::WalkDir::new(common::root().join(dir)).into_iter().filter_map(Result::ok) {
        if !e.file_type().is_file() || e.path().extension().is_none_or(|x| x != ext) {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("\"precept::") {
            let tail = &rest[i + 1..];
            let end = tail.find('"').unwrap_or(tail.len());
            let code = &tail[..end];
            if code.split("::").count() == 3 && !code.ends_with("::") && !code.contains('{') {
                out.insert(code.to_string());
            }
            rest = &tail[end..];
        }
    }
    out
}

#[test]
fn every_code_in_the_source_is_registered_and_every_registered_code_is_used() {
    let used = codes_in("src", "rs");
    let registered: BTreeSet<String> =
        precept::diagnostics::registry::CODES.iter().map(|c| c.code.to_string()).collect();
    let registry_file = codes_in("src/diagnostics", "rs");
    let unregistered: Vec<_> = used.difference(&registered).collect();
    assert!(unregistered.is_empty(), "used but not registered: {unregistered:?}");
    // Codes written anywhere outside the registry itself.
    let mut outside = BTreeSet::new();
    for e in walkdir::WalkDir::new(common::root().join("src")).into_iter().filter_map(Result::ok) {
        if e.path().ends_with("registry.rs") || !e.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        for c in &registered {
            if text.contains(&format!("\"{c}\"")) {
                outside.insert(c.clone());
            }
        }
    }
    let unused: Vec<_> = registered.difference(&outside).collect();
    assert!(unused.is_empty(), "registered but never emitted: {unused:?}");
    assert!(registry_file.is_superset(&registered));
}

#[test]
fn fixtures_expect_only_registered_codes() {
    for e in walkdir::WalkDir::new(common::root().join("fixtures")).into_iter().filter_map(Result::ok) {
        if !e.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        for code in common::expected_codes(&text) {
            assert!(
                precept::diagnostics::registry::lookup(&code).is_some(),
                "{}: {code} is not registered",
                e.path().display()
            );
        }
    }
}

/// Codes no test can provoke here, with the reason.
const NOT_PROVOKED: &[(&str, &str)] =
    &[("precept::input::unreadable", "needs a file the test user cannot read, and tests may run as root")];

#[test]
fn every_registered_code_is_provoked_by_a_fixture_or_a_test() {
    let mut text = String::new();
    for dir in ["fixtures", "tests"] {
        for e in walkdir::WalkDir::new(common::root().join(dir)).into_iter().filter_map(Result::ok) {
            if e.file_type().is_file() && !e.path().to_string_lossy().contains("snapshots") {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    let missing: Vec<&str> = precept::diagnostics::registry::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| !NOT_PROVOKED.iter().any(|(n, _)| n == c))
        .filter(|c| !text.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes no fixture or test provokes: {missing:?}");
}
