//! `precept fmt`'s promises over every policy file in the repository: the formatted text parses to
//! the same tree (up to spans), keeps every comment in order, and formatting it again changes
//! nothing. Files that do not parse (the malformed fixtures) are skipped, and counted, so the test
//! cannot pass by skipping everything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::path::Path;

use precept::formatter::verify::check_promises;
use precept::source::SourceFile;

fn policy_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["policies", "examples", "fixtures", "benches", "tests", "docs"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name().into_iter().flatten() {
            if entry.path().extension().is_some_and(|e| e == "precept") {
                out.push(entry.into_path());
            }
        }
    }
    out
}

#[test]
fn every_policy_in_the_repository_formats_to_the_same_tree_with_its_comments_and_idempotently() {
    let mut formatted = 0;
    let mut refused = Vec::new();
    let mut failures = Vec::new();
    for path in policy_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile::new(path.display().to_string(), text);
        match check_promises(&file) {
            Ok(Some(_)) => formatted += 1,
            Ok(None) => refused.push(path),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(formatted > 100, "only {formatted} files formatted");
    // Only the deliberately malformed fixtures are refused.
    for path in &refused {
        assert!(path.to_string_lossy().contains("fixtures/parse/err/"), "{} does not parse", path.display());
    }
}

/// The bundled policies, examples and fixtures are kept formatted (`.ci/run` checks the same with
/// `precept fmt --check`); the malformed parse fixtures are left as they are written, on purpose.
#[test]
fn the_bundled_policies_examples_and_fixtures_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut unformatted = Vec::new();
    for path in policy_files() {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let bundled = ["policies/", "examples/", "fixtures/"].iter().any(|d| rel.starts_with(d));
        if !bundled || rel.starts_with("fixtures/parse/err/") {
            continue;
        }
        let file = SourceFile::new(rel.clone(), std::fs::read_to_string(&path).unwrap());
        if precept::formatter::format_text(&file).unwrap() != *file.text {
            unformatted.push(rel);
        }
    }
    assert!(unformatted.is_empty(), "run `precept fmt` on: {unformatted:?}");
}

/// The layout of every construct, from a file written untidily on purpose (with comments in
/// every kind of place): reviewed by eye, then kept.
#[test]
fn every_construct_has_one_layout() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt/every-construct.precept");
    let file = SourceFile::new("every-construct.precept", std::fs::read_to_string(path).unwrap());
    let formatted = check_promises(&file).unwrap().expect("the file parses");
    assert_ne!(formatted, *file.text, "the file is meant to need formatting");
    insta::assert_snapshot!("every_construct", formatted);
}

#[test]
fn a_file_that_does_not_parse_is_refused_with_its_diagnostics() {
    let file = SourceFile::new("bad.precept", "code \"c\" {\n  level industry\n  rule r { for s require a and }\n}\n");
    let diags = precept::formatter::format_text(&file).unwrap_err();
    assert_eq!(diags.iter().map(|d| d.code.as_ref()).collect::<Vec<_>>(), ["precept::parse::syntax"]);
}

#[test]
fn blank_lines_are_kept_up_to_one_inside_bodies_and_made_one_between_declarations() {
    let text = "// head\n\n\n\nschema s {\n\n  id: text\n\n\n\n  // about n\n  n: integer\n\n}\ncode \"c\" { level industry }\n";
    let formatted = precept::formatter::format_text(&SourceFile::new("p.precept", text)).unwrap();
    assert_eq!(
        formatted,
        "// head\n\nschema s {\n  id: text\n\n  // about n\n  n: integer\n}\n\ncode \"c\" {\n  level industry\n}\n"
    );
}

#[test]
fn a_long_list_breaks_one_item_per_line_under_its_clause() {
    let holidays: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}-01")).collect();
    let text = format!("calendar uk {{ holidays {} }}\n", holidays.join(", "));
    let formatted = precept::formatter::format_text(&SourceFile::new("p.precept", text)).unwrap();
    let lines: Vec<&str> = formatted.lines().collect();
    assert_eq!(lines[1], "  holidays 2026-01-01,");
    assert_eq!(lines[2], "    2026-02-01,");
    assert_eq!(lines[12], "    2026-12-01");
    assert!(formatted.lines().all(|l| l.len() <= precept::formatter::doc::WIDTH));
}

/// Where a comment may go: after each token, words written as one literal (`3 business days`,
/// `50.00 GBP`, a message template) counting as one token.
fn comment_points(node: &precept::syntax::tree::Node, out: &mut Vec<usize>) {
    use precept::syntax::tree::Rule;
    let whole = matches!(
        node.rule,
        Rule::business_lit
            | Rule::money_lit
            | Rule::duration_lit
            | Rule::calendar_lit
            | Rule::percent_lit
            | Rule::string
            | Rule::template
    );
    if whole || node.children.is_empty() {
        out.push(node.span.end);
    } else {
        for c in &node.children {
            comment_points(c, out);
        }
    }
}

/// Every file of the bundled policies and the every-construct file, with a comment after every
/// token (at the end of its line, then on a line of its own): all of them survive, in place.
#[test]
fn a_comment_after_any_token_stays_after_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for path in policy_files() {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        if !(rel.starts_with("policies/") || rel.starts_with("tests/fmt/")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = precept::syntax::tree::concrete(&SourceFile::new("x", text.clone())).unwrap();
        let mut points = Vec::new();
        comment_points(&tree, &mut points);
        for (style, comment) in [("trailing", " // t\n"), ("own-line", "\n// o\n")] {
            let mut with = String::new();
            let mut from = 0;
            for &at in points.iter().filter(|&&p| p > 0) {
                with.push_str(&text[from..at]);
                with.push_str(comment);
                from = at;
            }
            with.push_str(&text[from..]);
            let file = SourceFile::new(format!("{rel} ({style})"), with);
            match check_promises(&file) {
                Ok(Some(_)) => checked += 1,
                Ok(None) => panic!("{rel} ({style}) does not parse with its comments"),
                Err(e) => panic!("{rel} ({style}): {e}"),
            }
        }
    }
    assert!(checked >= 12, "{checked}");
}

mod generated {
    //! Policies generated from a small grammar of expressions, printed with random whitespace and
    //! comments between their tokens: formatting keeps the tree and the comments, and is idempotent.

    use proptest::prelude::*;

    use precept::formatter::verify::check_promises;
    use precept::source::SourceFile;

    fn leaf() -> impl Strategy<Value = Vec<String>> {
        prop::sample::select(vec![
            "record.a",
            "record.customer.kind",
            "x",
            "42",
            "2.5",
            "\"text\"",
            "30m",
            "2 days",
            "3 business days",
            "1 business day in uk",
            "1 month",
            "50.00 GBP",
            "5%",
            "2024-03-01",
            "2024-03-01T09:30:00Z",
            "true",
            "now",
            "count()",
        ])
        .prop_map(|s| vec![s.to_string()])
    }

    fn op() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "and",
            "or",
            "implies",
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "+",
            "-",
            "*",
            "/",
            "in",
            "not in",
            "contains",
            "matches",
            "starts with",
            "ends with",
        ])
    }

    fn cat(parts: Vec<Vec<String>>) -> Vec<String> {
        parts.into_iter().flatten().collect()
    }

    fn words(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    fn expr() -> impl Strategy<Value = Vec<String>> {
        leaf().prop_recursive(4, 40, 4, |inner| {
            prop_oneof![
                (inner.clone(), op(), inner.clone()).prop_map(|(a, o, b)| cat(vec![a, words(o), b])),
                inner.clone().prop_map(|a| cat(vec![words("("), a, words(")")])),
                inner.clone().prop_map(|a| cat(vec![words("not"), a])),
                inner.clone().prop_map(|a| cat(vec![words("-"), a])),
                inner.clone().prop_map(|a| cat(vec![words("("), a, words(")"), words("is"), words("present")])),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| cat(vec![
                    a,
                    words("otherwise"),
                    words("("),
                    b,
                    words(")")
                ])),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| cat(vec![
                    words("if"),
                    c,
                    words("then"),
                    a,
                    words("else"),
                    b
                ])),
                (inner.clone(), inner.clone()).prop_map(|(l, c)| cat(vec![
                    words("all"),
                    words("("),
                    words("t"),
                    words("in"),
                    l,
                    words(":"),
                    c,
                    words(")")
                ])),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| cat(vec![
                    words("f"),
                    words("("),
                    a,
                    words(","),
                    b,
                    words(")")
                ])),
                (inner.clone(), inner).prop_map(|(a, b)| cat(vec![words("{"), a, words(","), b, words("}")])),
            ]
        })
    }

    /// What goes between two tokens: whitespace, a trailing comment or a comment on its own line.
    fn gap() -> impl Strategy<Value = u8> {
        prop_oneof![6 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3), 1 => Just(4)]
    }

    fn write(tokens: &[String], gaps: &[u8], next_comment: &mut usize) -> String {
        let mut out = String::new();
        for (i, t) in tokens.iter().enumerate() {
            out.push_str(t);
            let gap = match gaps.get(i).copied().unwrap_or(0) {
                0 => " ".to_string(),
                1 => "\n      ".to_string(),
                2 => "\n\n".to_string(),
                3 => {
                    *next_comment += 1;
                    format!(" // c{next_comment}\n")
                }
                _ => {
                    *next_comment += 1;
                    format!("\n// c{next_comment}\n")
                }
            };
            out.push_str(&gap);
        }
        out
    }

    fn policy(exprs: &[Vec<String>], gaps: &[u8]) -> String {
        let mut n = 0;
        let mut rules = String::new();
        for (i, e) in exprs.iter().enumerate() {
            let body = write(e, gaps, &mut n);
            rules.push_str(&format!(
                "  rule r{i} {{ for s where {} require {body}message \"m {{ record.a }}\" }} // after r{i}\n",
                write(e, &gaps[gaps.len() / 2..], &mut n)
            ));
        }
        let lets = write(&exprs[0], &gaps[1..], &mut n);
        format!("// head\nschema s {{ a: text }}\ncode \"c\" {{\n  level industry\n  let l = {lets}\n{rules}}}\n")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn formatting_keeps_the_tree_and_the_comments_and_is_idempotent(
            exprs in prop::collection::vec(expr(), 1..4),
            gaps in prop::collection::vec(gap(), 64..65),
        ) {
            let text = policy(&exprs, &gaps);
            let file = SourceFile::new("generated.precept", text.clone());
            match check_promises(&file) {
                Ok(Some(_)) => {}
                Ok(None) => prop_assert!(false, "the generated policy does not parse:\n{text}"),
                Err(e) => prop_assert!(false, "{e}\n--- from\n{text}"),
            }
        }
    }
}

/// A number counted in days, months or business days with a tab or a line break before the unit
/// is not the literal `2 days` (literals allow spaces only): fmt keeps it a count, as `(2) days`,
/// so the tree (and the checks a literal gets, such as its range) stays the same.
#[test]
fn a_count_written_across_a_tab_or_a_line_stays_a_count() {
    let text = "schema s {\n  at: datetime\n}\n\ncode \"c\" {\n  level industry\n  rule r-one {\n    for s\n    require record.at + 2\tdays > now\n  }\n  rule r-two {\n    for s\n    require record.at + 3\n    business days > now\n  }\n  rule r-three {\n    for s\n    require record.at + 1\n    month > now\n  }\n}\n";
    let file = SourceFile::new("counts.precept", text);
    let formatted = check_promises(&file).unwrap().expect("it parses");
    assert!(formatted.contains("record.at + (2) days > now"), "{formatted}");
    assert!(formatted.contains("record.at + (3) business days > now"), "{formatted}");
    assert!(formatted.contains("record.at + (1) month > now"), "{formatted}");
}
