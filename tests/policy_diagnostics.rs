//! Every malformed-policy fixture gives the diagnostics it declares, rendered as a reviewed snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use precept::diagnostics::render::{render, Style};

fn diagnose(path: &std::path::Path) -> (String, Vec<String>) {
    let rel = common::rel(path);
    let (program, diags) = precept::workspace::load_policies(&[rel]);
    let mut out = String::new();
    for d in &diags {
        out.push_str(&render(d, Style::plain()));
    }
    if program.is_some() && diags.iter().any(|d| d.is_error()) {
        out.push_str("BUG: a program was produced despite errors\n");
    }
    (out, diags.iter().map(|d| d.code.to_string()).collect())
}

fn check_fixture(path: &std::path::Path, expect_text: &str) -> String {
    let (rendered, codes) = diagnose(path);
    let expected = common::expected_codes(expect_text);
    assert!(!expected.is_empty(), "{} does not say what it expects", path.display());
    for code in &expected {
        assert!(codes.contains(code), "{}: expected {code}, got {codes:?}", path.display());
        assert!(precept::diagnostics::registry::lookup(code).is_some(), "{code} is not registered");
    }
    rendered
}

#[test]
fn parse_errors() {
    insta::glob!("../fixtures/parse/err", "*.precept", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(check_fixture(path, &text));
    });
}

#[test]
fn type_errors() {
    insta::glob!("../fixtures/type/err", "*.precept", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(check_fixture(path, &text));
    });
}

#[test]
fn duplicate_rule_ids_across_files_show_both_places() {
    let dir = common::root().join("fixtures/type/err/duplicate-rule");
    let mut expect = String::new();
    for f in ["a.precept", "b.precept"] {
        expect.push_str(&std::fs::read_to_string(dir.join(f)).unwrap());
    }
    let rendered = check_fixture(&dir, &expect);
    assert!(rendered.contains("a.precept") && rendered.contains("b.precept"), "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn the_bundled_policies_are_clean() {
    let (program, diags) = precept::workspace::load_policies(&[common::root().join("policies")]);
    let rendered: Vec<String> = diags.iter().map(|d| render(d, Style::plain())).collect();
    assert!(diags.is_empty(), "{}", rendered.join("\n"));
    let program = program.unwrap();
    let levels: std::collections::BTreeSet<_> = program.codes.iter().map(|c| c.level).collect();
    assert_eq!(levels.len(), 4, "one code per level");
}
