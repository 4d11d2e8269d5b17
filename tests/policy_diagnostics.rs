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

/// One mistake, one diagnostic (issue 14, item 11): each rule in `fixtures/type/once/` makes one
/// mistake, used several times or with consequences further on, and gets exactly the one
/// diagnostic it declares; later uses are labels "also here" on it, not diagnostics of their own.
#[test]
fn one_mistake_gives_one_diagnostic() {
    insta::glob!("../fixtures/type/once", "*.precept", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let rendered = check_fixture(path, &text);
        let (_, codes) = diagnose(path);
        assert_eq!(codes, common::expected_codes(&text), "{}: {rendered}", path.display());
        insta::assert_snapshot!(rendered);
    });
}

/// The help of an unknown function names every function of the registry (so it cannot go out of
/// date when one is added), after the closest spelling when there is one.
#[test]
fn an_unknown_function_lists_every_builtin() {
    for (called, closest) in [("may_do", Some("may")), ("lenght", None), ("month_between", Some("months_between"))] {
        let policy = format!(
            "schema t {{ identified by id  id: text }}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t require {called}(record.id) message \"x\" }} }}"
        );
        let Err(diags) = precept::Engine::from_sources([("p.precept", policy.as_str())]) else { panic!("compiles") };
        assert_eq!(diags.len(), 1, "{diags:#?}");
        let help = diags[0].help.clone().unwrap_or_default();
        for name in precept::engine::builtins::names() {
            assert!(help.contains(&format!("`{name}`")) || help.contains(&format!("`{name}(...)`")), "{name}: {help}");
        }
        match closest {
            Some(near) => assert!(help.starts_with(&format!("did you mean `{near}`?")), "{help}"),
            None => assert!(help.starts_with("the functions are"), "{help}"),
        }
    }
}

/// `precept::type::never-missing` is about fields the schema never leaves missing: a field tested
/// for presence earlier in the rule is never missing because of that test, and testing it again (or
/// giving it a default) is not reported. A required field still is.
#[test]
fn never_missing_is_not_reported_after_a_presence_test() {
    let rules = [
        ("and", "require record.x is present and record.x > 3", false),
        ("where then require", "where record.x is present require record.x is present and record.x > 3", false),
        ("where then otherwise", "where record.x is present require (record.x otherwise 0) > 3", false),
        ("an object tested", "where record.c is present require record.c.d is present", false),
        ("earlier require", "require record.x is present require record.x is missing or record.x > 3", false),
        ("a required field", "require record.y is present", true),
        ("a required field with a default", "require (record.y otherwise 0) > 3", true),
    ];
    for (what, clauses, warned) in rules {
        let policy = format!(
            "schema t {{ identified by id  id: text  x: integer?  y: integer  c: {{ d: text }}? }}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t {clauses} message \"{{record.x}} {{record.y}} {{record.c.d}}\" }} }}"
        );
        assert_never_missing_warned(what, policy, warned);
    }
}

/// An aggregate of arithmetic on an optional field (`max(record.refund / record.pieces)`) has no
/// value in a group where no record has the field, though the argument needs no default inside
/// the aggregate: a default or presence test of it is used, and not reported as never used. A sum
/// (zero over no values) and an aggregate of required fields still are.
#[test]
fn never_missing_is_not_reported_for_an_aggregate_that_may_have_no_value() {
    let rules = [
        (
            "the greatest quotient by an optional field",
            "require (max(record.refund / record.pieces) otherwise 0) < 5",
            false,
        ),
        ("its average, tested", "require avg(record.n * record.pieces) is present", false),
        ("in arithmetic", "require ((min(record.refund / record.pieces) * 2) otherwise 0) < 5", false),
        (
            "a choice on an optional field",
            "require (max(if record.pieces > 1 then record.n else 0) otherwise 0) < 5",
            false,
        ),
        ("the field itself", "require (max(record.pieces) otherwise 0) < 5", false),
        ("a sum", "require (sum(record.refund / record.pieces) otherwise 0) < 5", true),
        ("required fields", "require (avg(record.refund / record.n) otherwise 0) < 5", true),
    ];
    for (what, clauses, warned) in rules {
        let policy = format!(
            "schema t {{ identified by id  id: text  team: text  refund: decimal  n: integer  pieces: decimal? }}\ncode \"C\" {{ level organisational\n  rule r {{ title \"t\" for t group by record.team {clauses} message \"{{group.team}}\" }} }}"
        );
        assert_never_missing_warned(what, policy, warned);
    }
}

/// `policy` checks, with `precept::type::never-missing` among its diagnostics when `warned` and
/// no other (fields no rule reads aside).
fn assert_never_missing_warned(what: &str, policy: String, warned: bool) {
    let (program, diags) = precept::check::check(
        &[precept::syntax::parse(&precept::source::SourceFile::new("p.precept", policy)).0.unwrap()],
        &precept::check::NoFiles,
    );
    assert!(program.is_some(), "{what}: {diags:#?}");
    let codes: Vec<&str> = diags.iter().map(|d| &*d.code).filter(|c| *c != "precept::type::unused-field").collect();
    let want: &[&str] = if warned { &["precept::type::never-missing"] } else { &[] };
    assert_eq!(codes, want, "{what}");
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

/// Codes `C0..` each extending the one before (and `C{back}` extending the last, when given), each
/// overriding the inherited `ack` more strictly and adding a rule of its own.
fn extends_chain(n: usize, back: Option<usize>) -> Result<precept::Engine, Vec<precept::Diagnostic>> {
    let mut text = String::from(
        "schema ticket {\n  identified by id\n  dated by opened_at\n  id: text\n  opened_at: datetime\n  acknowledged_at: datetime\n}\n",
    );
    let rule = |id: &str, hours: usize| {
        format!("  rule {id} {{\n    for ticket\n    require record.acknowledged_at <= record.opened_at + {hours}h\n    message \"late\"\n  }}\n")
    };
    for i in 0..n {
        text.push_str(&format!("code \"C{i}\" {{\n  level industry\n"));
        match (i, back) {
            (i, Some(b)) if i == b => text.push_str(&format!("  extends \"C{}\"\n", n - 1)),
            (0, _) => {}
            (i, _) => text.push_str(&format!("  extends \"C{}\"\n", i - 1)),
        }
        text.push_str(&rule("ack", 10 * n - i));
        text.push_str(&rule(&format!("own{i}"), 24));
        text.push_str("}\n");
    }
    precept::Engine::from_sources([("p.precept", text)])
}

/// A chain of 2,000 codes checks as a short one does (and without recursion): each override
/// replaces the nearest inherited version, only the last `ack` runs, and a cycle anywhere along
/// the chain is reported once, from its first code, naming every code of it in order.
#[test]
fn long_extends_chains_give_the_same_answers() {
    let n = 2_000;
    let engine = extends_chain(n, None).unwrap_or_else(|diags| panic!("{}", common::rendered(&diags)));
    let diags = engine.warnings();
    assert!(!diags.iter().any(|d| d.is_error()), "{:?}", diags.iter().find(|d| d.is_error()));
    let program = engine.program();
    assert_eq!(program.rules.len(), 2 * n);
    let running: Vec<&str> = program.running().iter().map(|&i| program.rules[i].id.as_str()).collect();
    assert_eq!(running.len(), n + 1, "every own rule and the last `ack`");
    assert_eq!(running.iter().filter(|id| **id == "ack").count(), 1);
    for (i, r) in program.rules.iter().filter(|r| r.id == "ack").enumerate() {
        let parent = r.overrides.as_ref().map(|o| program.codes[o.code].name.clone());
        assert_eq!(parent, i.checked_sub(1).map(|p| format!("C{p}")), "the override in C{i}");
    }
    for back in [0, 1, 700, n - 1] {
        let diags = match extends_chain(n, Some(back)) {
            Ok(engine) => engine.warnings().to_vec(),
            Err(diags) => diags,
        };
        let cycles: Vec<_> = diags.iter().filter(|d| d.code == "precept::code::extension-cycle").collect();
        assert_eq!(cycles.len(), 1, "back at C{back}");
        let names = cycles[0].message.trim_start_matches("codes extend each other in a circle: ");
        let mut want: Vec<String> = vec![format!("`C{back}`")];
        want.extend((back..n).rev().map(|i| format!("`C{i}`")));
        // A long circle is named up to the bound every message has, then `…`.
        let whole = want.join(" extends ");
        let shown = names.strip_suffix('…').unwrap_or(names);
        assert!(whole.starts_with(shown) && (names == whole || shown.len() > 1000), "back at C{back}: {names}");
        assert_eq!(names == whole, whole.chars().count() + 40 <= precept::text::MAX_MESSAGE, "back at C{back}");
        assert!(cycles[0].message.chars().count() <= precept::text::MAX_MESSAGE + 1, "back at C{back}");
    }
}
