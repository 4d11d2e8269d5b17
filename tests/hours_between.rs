//! `hours_between(a, b)` end to end (parse, type check, compile, read records, evaluate, report):
//! exact hours, missing and unreadable arguments, arguments with no answer, the finding's message
//! and blamed field; and a property test against an independent model (nanoseconds and unbounded
//! rationals) over random instants written at random offsets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::prelude::*;

const SCHEMA: &str = r#"
schema s {
  identified by id
  id: text
  a: datetime
  b: datetime
  c: datetime?
  l: datetime
}
"#;

/// `a` at 09:00 UTC; `b` 20 minutes later, written at +01:00; `l` 73.5 hours after `a`; no `c`.
const RECORD: &str = r#"{"id": "r", "a": "2024-03-01T09:00:00Z", "b": "2024-03-01T10:20:00+01:00", "c": null,
 "l": "2024-03-04T10:30:00Z"}"#;

/// (expression, holds)
const CASES: &[(&str, bool)] = &[
    // exact: 20 minutes is one third of an hour, not 0.3333333333
    ("hours_between(record.a, record.b) * 3 == 1", true),
    ("hours_between(record.a, record.b) == 0.3333333333", false),
    ("hours_between(record.a, record.b) > 0.3333333333", true),
    ("hours_between(record.a, record.b) < 0.3333333334", true),
    ("hours_between(record.b, record.a) * 3 == -1", true),
    ("hours_between(record.a, record.a) == 0", true),
    ("hours_between(record.a, record.l) == 73.5", true),
    ("hours_between(record.a, record.l) <= 72", false),
    ("hours_between(record.a, record.l) == hours_between(record.a, record.b) + 73.5 - 1 / 3", true),
    ("hours_between(2024-03-01T09:00:00Z, 2024-03-01T10:00:00+01:00) == 0", true),
    // a missing argument must be handled first, as for any operator
    ("record.c is missing or hours_between(record.a, record.c) > 1", true),
    ("record.c is present and hours_between(record.a, record.c) > 1", false),
    ("hours_between(record.a, record.c otherwise record.l) == 73.5", true),
    ("(if record.c is present then hours_between(record.a, record.c) else 0) == 0", true),
    // an argument with no answer (a date out of range) leaves the call without one, which decides
    // nothing where the other side decides
    ("hours_between(record.a, record.a + 1000000 weeks) > 0", false),
    ("hours_between(record.a, record.a + 1000000 weeks) > 0 or record.a < record.b", true),
    ("hours_between(record.a, record.a + 1000000 weeks) > 0 and record.a > record.b", false),
];

/// Compile `rules` over the schema and check the records `lines` (one JSON Lines file), all in
/// memory.
fn check(lines: &[String], rules: &str) -> (precept::pipeline::Outcome, Vec<precept::pipeline::Finding>) {
    let engine = common::engine(&format!("{SCHEMA}\ncode \"Hours\" {{\n  level industry\n{rules}}}\n"));
    // Fields a test's rules do not read are warned about; nothing else is.
    let other: Vec<_> = engine.warnings().iter().filter(|d| d.code != "precept::type::unused-field").collect();
    assert!(other.is_empty(), "{:?}", other.iter().map(|d| &d.message).collect::<Vec<_>>());
    common::check(&engine, &[("r.jsonl", lines.join("\n") + "\n")])
}

#[test]
fn every_case_holds_exactly_when_expected() {
    let mut rules = String::new();
    for (i, (expr, _)) in CASES.iter().enumerate() {
        rules.push_str(&format!("  rule case-{i} {{ for s require {expr} message \"case {i}\" }}\n"));
    }
    let (outcome, findings) = check(&[RECORD.replace('\n', "")], &rules);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let failed: BTreeSet<usize> =
        findings.iter().map(|f| f.rule_id().trim_start_matches("case-").parse().unwrap()).collect();
    let wrong: Vec<String> = CASES
        .iter()
        .enumerate()
        .filter(|(i, (_, holds))| failed.contains(i) == *holds)
        .map(|(i, (expr, holds))| format!("case {i}: `{expr}` should {}hold", if *holds { "" } else { "not " }))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The call with no answer is named in the finding.
    let no_answer = findings.iter().find(|f| f.rule_id() == "case-14").unwrap();
    let facts: Vec<_> = no_answer.evidence.iter().flat_map(|e| e.facts.iter()).collect();
    assert!(facts.iter().any(|(k, v)| *k == "reason" && v == "date out of range"), "{facts:?}");
}

#[test]
fn a_finding_shows_the_hours_and_blames_the_end_first() {
    let rules = "  rule late { for s require hours_between(record.a, record.l) <= 48 \
                 message \"{hours_between(record.a, record.l)} hours; {hours_between(record.a, record.b)}; {hours_between(record.l, record.a)}\" }\n  \
                 rule backwards { for s require hours_between(record.l, record.a) >= 0 message \"backwards\" }\n";
    let (outcome, findings) = check(&[RECORD.replace('\n', "")], rules);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let late = findings.iter().find(|f| f.rule_id() == "late").unwrap();
    assert_eq!(late.message, "73.5 hours; ≈0.3333333333; -73.5");
    assert_eq!(late.field, "l", "the end is blamed first");
    let backwards = findings.iter().find(|f| f.rule_id() == "backwards").unwrap();
    assert_eq!(backwards.field, "a", "the end is blamed first, whichever field it is");
}

#[test]
fn an_unreadable_argument_leaves_a_rule_that_depends_on_it_undetermined() {
    let bad = r#"{"id": "u", "a": "2024-03-01T09:00:00", "b": "2024-03-01T10:20:00+01:00", "c": null, "l": "2024-03-04T10:30:00Z"}"#;
    let rules = "  rule depends { for s require hours_between(record.a, record.b) <= 1 message \"m\" }\n  \
                 rule decided { for s require hours_between(record.a, record.b) <= 1 or record.b < record.l message \"m\" }\n  \
                 rule broken { for s require hours_between(record.a, record.b) <= 1 and record.b > record.l message \"m\" }\n  \
                 rule other { for s require hours_between(record.b, record.l) > 73 message \"m\" }\n";
    let (outcome, findings) = check(&[bad.to_string(), RECORD.replace('\n', "")], rules);
    assert_eq!(outcome.diagnostics.len(), 1, "the unreadable value is reported once");
    assert_eq!(outcome.diagnostics[0].code, "precept::input::invalid-value");
    let of = |rule: &str, id: &str| {
        findings
            .iter()
            .filter(|f| f.rule_id() == rule && f.record_id.as_deref() == Some(id))
            .map(|f| if f.standing.is_undetermined() { "undetermined" } else { "broken" })
            .collect::<Vec<_>>()
    };
    assert_eq!(of("depends", "u"), ["undetermined"]);
    assert_eq!(of("depends", "r"), Vec::<&str>::new());
    assert_eq!(of("decided", "u"), Vec::<&str>::new(), "the other side decides");
    assert_eq!(of("broken", "u"), ["broken"], "the other side decides");
    assert_eq!(of("other", "u"), Vec::<&str>::new(), "a rule that does not read it is judged");
}

/// Whether an override is at least as strict is judged through the registry's polarity of each
/// argument: a later start means fewer hours, so more records pass.
#[test]
fn an_override_that_starts_the_clock_later_is_more_lenient() {
    let verdict = |inherited: &str, over: &str| {
        let text = format!(
            "{SCHEMA}\ncode \"Sector\" {{\n  level industry\n  rule quick {{ for s require {inherited} message \"m\" }}\n}}\n\
             code \"House\" {{\n  level organisational\n  extends \"Sector\"\n  rule quick {{ for s require {over} message \"m\" }}\n}}\n"
        );
        let file = precept::source::SourceFile::new("p.precept", text.as_str());
        let (tree, _) = precept::syntax::parse(&file);
        let (_, diags) = precept::check::check(&tree.into_iter().collect::<Vec<_>>(), &precept::check::NoFiles);
        diags.iter().filter(|d| d.code.starts_with("precept::rule::")).map(|d| d.code.to_string()).collect::<Vec<_>>()
    };
    let rule = |start: &str, end: &str| format!("hours_between(record.a + {start}, record.b + {end}) <= 0");
    assert_eq!(verdict(&rule("24h", "0h"), &rule("48h", "0h")), ["precept::rule::relaxed-override"]);
    assert_eq!(verdict(&rule("24h", "0h"), &rule("12h", "0h")), Vec::<String>::new());
    assert_eq!(verdict(&rule("0h", "24h"), &rule("0h", "12h")), ["precept::rule::relaxed-override"]);
    assert_eq!(verdict(&rule("0h", "24h"), &rule("0h", "48h")), Vec::<String>::new());
}

// ------------------------------------------------------------------------------- property test

const NANOS: i128 = 1_000_000_000;

/// An instant (nanoseconds since 1970) written at an offset (minutes).
#[derive(Clone, Copy, Debug)]
struct At {
    nanos: i128,
    offset: i32,
}

impl At {
    fn text(self) -> String {
        let ts = jiff::Timestamp::from_nanosecond(self.nanos).unwrap();
        let offset = jiff::tz::Offset::from_seconds(self.offset * 60).unwrap();
        ts.display_with_offset(offset).to_string()
    }
}

#[derive(Clone, Debug)]
struct Rec {
    a: At,
    b: At,
    c: Option<At>,
}

/// Which instant an argument reads.
#[derive(Clone, Copy, Debug)]
enum Arg {
    A,
    B,
    /// `record.c otherwise record.b`.
    COrB,
}

impl Arg {
    fn text(self) -> &'static str {
        match self {
            Arg::A => "record.a",
            Arg::B => "record.b",
            Arg::COrB => "(record.c otherwise record.b)",
        }
    }

    fn of(self, r: &Rec) -> At {
        match self {
            Arg::A => r.a,
            Arg::B => r.b,
            Arg::COrB => r.c.unwrap_or(r.b),
        }
    }
}

/// The model: `end - start` in nanoseconds over the nanoseconds in an hour, unbounded.
fn hours(start: At, end: At) -> BigRational {
    BigRational::new(BigInt::from(end.nanos - start.nanos), BigInt::from(3600 * NANOS))
}

/// The right of a comparison: `times * bound` as written, or another call.
#[derive(Clone, Debug)]
enum Rhs {
    Bound(String, BigRational),
    Call(Arg, Arg),
}

/// A rule: `hours_between(x, y) * times <op> rhs`.
#[derive(Clone, Debug)]
struct Rule {
    call: (Arg, Arg),
    times: i64,
    op: &'static str,
    rhs: Rhs,
}

impl Rule {
    fn text(&self) -> String {
        let rhs = match &self.rhs {
            Rhs::Bound(text, _) => text.clone(),
            Rhs::Call(x, y) => format!("hours_between({}, {})", x.text(), y.text()),
        };
        format!("hours_between({}, {}) * {} {} {rhs}", self.call.0.text(), self.call.1.text(), self.times, self.op)
    }

    fn holds(&self, r: &Rec) -> bool {
        let l = hours(self.call.0.of(r), self.call.1.of(r)) * BigRational::from_integer(BigInt::from(self.times));
        let b = match &self.rhs {
            Rhs::Bound(_, v) => v.clone(),
            Rhs::Call(x, y) => hours(x.of(r), y.of(r)),
        };
        match self.op {
            "==" => l == b,
            "!=" => l != b,
            "<" => l < b,
            "<=" => l <= b,
            ">" => l > b,
            _ => l >= b,
        }
    }
}

/// An instant near `base`: minutes away (so thirds and sixtieths of an hour come up), seconds away,
/// or less than two seconds away to the nanosecond; at an offset on a quarter hour within ±14 hours.
fn at_near(base: i128) -> impl Strategy<Value = At> {
    let nanos = prop_oneof![
        (-5000i64..5000).prop_map(move |m| base + i128::from(m) * 60 * NANOS),
        (-400_000i64..400_000).prop_map(move |s| base + i128::from(s) * NANOS),
        (-2_000_000_000i64..2_000_000_000).prop_map(move |n| base + i128::from(n)),
    ];
    (nanos, (-56i32..=56).prop_map(|q| q * 15)).prop_map(|(nanos, offset)| At { nanos, offset })
}

fn record() -> impl Strategy<Value = Rec> {
    // From 2000 to 2040, sometimes with nanoseconds of its own.
    let base = (946_684_800i64..2_208_988_800, prop_oneof![Just(0i64), 0i64..1_000_000_000])
        .prop_map(|(s, n)| i128::from(s) * NANOS + i128::from(n));
    base.prop_flat_map(|base| {
        (at_near(base), at_near(base), proptest::option::of(at_near(base))).prop_map(|(a, b, c)| Rec { a, b, c })
    })
}

fn arg() -> impl Strategy<Value = Arg> {
    prop_oneof![Just(Arg::A), Just(Arg::B), Just(Arg::COrB)]
}

/// A multiplier and a bound it can meet: a decimal with up to four places; a whole number (which
/// `* 3` or `* 60` can meet exactly); or nanoseconds (`* 3600000000000`, an hour's nanoseconds).
fn scaled() -> impl Strategy<Value = (i64, Rhs)> {
    let times = || proptest::sample::select(&[1i64, 3, 7, 60, 3600][..]);
    prop_oneof![
        (times(), -2_000_000i64..2_000_000).prop_map(|(t, n)| {
            let text = format!("{}{}.{:04}", if n < 0 { "-" } else { "" }, n.abs() / 10_000, n.abs() % 10_000);
            (t, Rhs::Bound(text, BigRational::new(BigInt::from(n), BigInt::from(10_000))))
        }),
        (times(), -400i64..400).prop_map(|(t, n)| (t, Rhs::Bound(n.to_string(), BigRational::from_integer(n.into())))),
        (-3_000_000_000i64..3_000_000_000)
            .prop_map(|n| (3_600_000_000_000, Rhs::Bound(n.to_string(), BigRational::from_integer(n.into())))),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    let op = proptest::sample::select(&["==", "!=", "<", "<=", ">", ">="][..]);
    let rhs = prop_oneof![
        3 => scaled(),
        1 => (arg(), arg()).prop_map(|(x, y)| (1, Rhs::Call(x, y))),
    ];
    ((arg(), arg()), op, rhs).prop_map(|(call, op, (times, rhs))| Rule { call, times, op, rhs })
}

fn json(id: usize, r: &Rec) -> String {
    let c = r.c.map_or("null".to_string(), |c| format!("\"{}\"", c.text()));
    format!(r#"{{"id": "r{id}", "a": "{}", "b": "{}", "c": {c}, "l": "2024-03-04T10:30:00Z"}}"#, r.a.text(), r.b.text())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every verdict agrees with the exact model, and every rule has an answer.
    #[test]
    fn verdicts_match_the_exact_model(
        rules in proptest::collection::vec(rule(), 16),
        recs in proptest::collection::vec(record(), 8),
    ) {
        let mut text = String::new();
        for (n, r) in rules.iter().enumerate() {
            text.push_str(&format!("  rule e{n} {{ for s require {} message \"e{n}\" }}\n", r.text()));
        }
        let (outcome, findings) = check(&recs.iter().enumerate().map(|(i, r)| json(i, r)).collect::<Vec<_>>(), &text);
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        prop_assert_eq!(outcome.records, recs.len());
        let hit: BTreeSet<(String, String)> =
            findings.iter().map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default())).collect();
        prop_assert!(findings.iter().all(|f| !f.standing.is_undetermined() && f.evidence.is_empty()));
        for (n, rule) in rules.iter().enumerate() {
            for (i, r) in recs.iter().enumerate() {
                let broken = hit.contains(&(format!("e{n}"), format!("r{i}")));
                prop_assert_eq!(!broken, rule.holds(r), "`{}` over {}", rule.text(), json(i, r));
            }
        }
    }
}
