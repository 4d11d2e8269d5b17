//! Named values (`let` in a rule or code) and definitions (`define` in a code).
//!
//! - Parsing and lowering: what the syntax tree holds.
//! - The shared-clock fixture (`fixtures/shared-clock/`, six FCA DISP rules on one clock written
//!   once) gives exactly the findings of the same code written out by hand, message for message.
//! - Overrides are judged on what the names stand for: a stricter override written with a `let`
//!   passes; a more lenient one written with a `let` or a code's definition is reported unless it
//!   says `relaxes`; a child code may redefine a definition for its own rules only.
//! - A property test: random rules written with lets and definitions give the same verdicts and
//!   messages over random records as the same rules written out by hand (the independent model).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Parsing and lowering.

#[test]
fn lets_and_definitions_are_lowered_as_written() {
    let text = r#"
      schema t { identified by id  id: text  at: datetime }
      code "C" {
        level organisational
        let start = record.at
        define due(from, days) = from + days days
        rule r {
          for t
          let deadline = due(start, 3)
          let late = now > deadline
          require not late
        }
      }"#;
    let file = precept::source::SourceFile::new("c.precept", text);
    let (tree, diags) = precept::syntax::parse(&file);
    assert!(diags.is_empty(), "{diags:?}");
    let tree = tree.unwrap();
    let code = &tree.codes[0];
    let defs: Vec<(&str, Option<Vec<&str>>)> = code
        .definitions
        .iter()
        .map(|d| (d.name.text.as_str(), d.params.as_ref().map(|ps| ps.iter().map(|p| p.text.as_str()).collect())))
        .collect();
    assert_eq!(defs, [("start", None), ("due", Some(vec!["from", "days"]))]);
    assert_eq!(file.slice(code.definitions[1].value.span), "from + days days");
    let lets: Vec<&str> = code.rules[0].lets.iter().map(|l| l.name.text.as_str()).collect();
    assert_eq!(lets, ["deadline", "late"]);
    assert_eq!(file.slice(code.rules[0].lets[0].span), "let deadline = due(start, 3)");
}

#[test]
fn a_let_is_usable_in_where_require_message_and_group_keys() {
    let engine = common::engine(
        r#"
        schema t { identified by id  id: text  team: text  waited: integer  limit: integer? }
        code "C" {
          level organisational
          define over(x, by) = x > by
          rule short {
            for t where not over(record.waited, 1000)
            let allowed = record.limit otherwise 10
            let excess = record.waited - allowed
            require excess <= 0
            message "{record.id} waited {excess} too long (allowed {allowed})"
          }
          rule few-long {
            for t
            let long = record.waited > 20
            group by record.team
            require count(long) <= 1
            message "team {group.team}: {count(long)} long waits"
          }
        }"#,
    );
    assert!(engine.warnings().is_empty(), "{}", common::rendered(engine.warnings()));
    let recs = "{\"id\":\"A\",\"team\":\"x\",\"waited\":25,\"limit\":30}\n{\"id\":\"B\",\"team\":\"x\",\"waited\":25}\n{\"id\":\"C\",\"team\":\"x\",\"waited\":2000}\n";
    let (_, findings) = common::check(&engine, &[("t.jsonl", recs)]);
    let got: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
    assert_eq!(got, ["B waited 15 too long (allowed 10)", "team x: 3 long waits"]);
}

// ---------------------------------------------------------------------------------------------
// The shared-clock fixture.

/// `(record id, rule id, message)` of every finding of the policies under `dir` on the fixture's
/// records.
fn findings_of(dir: &str) -> Vec<(String, String, String)> {
    let root = common::root().join("fixtures/shared-clock");
    let (program, diags) = precept::workspace::load_policies(&[root.join(dir)]);
    assert!(diags.is_empty(), "{}", common::rendered(&diags));
    let program = program.unwrap();
    let (outcome, findings) =
        precept::pipeline::check_paths(&program, None, &[root.join("records")], &Default::default());
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| (f.record_id.clone().unwrap_or_default(), f.rule_id().to_string(), f.message.clone()))
        .collect();
    out.sort();
    out
}

#[test]
fn six_rules_on_one_clock_find_what_the_code_written_out_finds() {
    let named = findings_of("policies");
    let written_out = findings_of("written-out");
    assert_eq!(named, written_out);
    // Some records break rules and some do not (the exact list is `tests/expectations.rs`'s).
    let broken: BTreeSet<&str> = named.iter().map(|f| f.0.as_str()).collect();
    assert!(broken.len() > 3 && broken.len() < 13, "{broken:?}");
    let rules: BTreeSet<&str> = named.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(rules.len(), 6, "every rule of the six finds something: {rules:?}");
}

#[test]
fn the_shared_clock_fixture_defines_its_clock_once() {
    let text = std::fs::read_to_string(common::root().join("fixtures/shared-clock/policies/disp.precept")).unwrap();
    assert_eq!(text.matches("record.received_at").count(), 1, "the clock is read once, by its definition");
    assert_eq!(text.lines().filter(|l| l.trim_start().starts_with("rule ")).count(), 6);
}

// ---------------------------------------------------------------------------------------------
// Overrides.

const PARENT: &str = r#"
  calendar uk { zone "Europe/London" working mon, tue, wed, thu, fri }
  schema complaint { identified by id  dated by received_at  id: text  received_at: datetime  answered_at: datetime }
  code "Sector" {
    level industry
    calendar uk
    let received = record.received_at
    define after_receipt(n) = received + n business days
    rule answered {
      for complaint
      let due = after_receipt(5)
      require record.answered_at <= due
    }
  }
"#;

fn with_child(child: &str) -> Result<precept::Engine, Vec<precept::Diagnostic>> {
    let text =
        format!("{PARENT}\ncode \"House\" {{ level organisational  extends \"Sector\"  calendar uk\n{child}\n}}");
    precept::Engine::from_sources([("p.precept", text.as_str())])
}

fn codes(r: &Result<precept::Engine, Vec<precept::Diagnostic>>) -> Vec<String> {
    match r {
        Ok(e) => e.warnings().iter().map(|d| d.code.to_string()).collect(),
        Err(diags) => diags.iter().map(|d| d.code.to_string()).collect(),
    }
}

#[test]
fn a_stricter_override_written_with_a_let_passes() {
    for child in [
        "rule answered { for complaint  let due = after_receipt(3)  require record.answered_at <= due }",
        "rule answered { for complaint  let due = received + 4 business days  require record.answered_at <= due }",
        "rule answered { for complaint  require record.answered_at <= record.received_at + 5 business days }",
    ] {
        let r = with_child(child);
        assert!(r.is_ok() && codes(&r).is_empty(), "{child}: {:?}", codes(&r));
    }
}

#[test]
fn a_more_lenient_override_through_a_name_is_reported_unless_it_says_relaxes() {
    for child in [
        "rule answered { for complaint  let due = after_receipt(8)  require record.answered_at <= due }",
        "rule answered { for complaint  require record.answered_at <= after_receipt(6) }",
        "let late_by = record.received_at + 10 business days\nrule answered { for complaint  require record.answered_at <= late_by }",
    ] {
        let r = with_child(child);
        assert_eq!(codes(&r), ["precept::rule::relaxed-override"], "{child}");
        let relaxed = child.replacen("for complaint", "relaxes \"our customers agreed\"  for complaint", 1);
        let r = with_child(&relaxed);
        assert!(r.is_ok() && codes(&r).is_empty(), "{relaxed}: {:?}", codes(&r));
    }
}

#[test]
fn an_override_adding_to_a_named_deadline_is_more_lenient() {
    // The override's `due` is the inherited one plus an hour: seen through the names, an hour more.
    let r = with_child(
        "rule answered { for complaint  let due = after_receipt(5) + 1h  require record.answered_at <= due }",
    );
    assert!(codes(&r).contains(&"precept::rule::relaxed-override".to_string()), "{:?}", codes(&r));
}

#[test]
fn a_child_code_may_redefine_a_definition_for_its_own_rules() {
    // The child's `after_receipt` counts weeks; its own rule uses it, the inherited rule keeps the
    // parent's meaning (five business days).
    let engine = with_child(
        "define after_receipt(n) = received + n weeks\nrule reopened { for complaint  require record.answered_at <= after_receipt(1) }",
    )
    .unwrap_or_else(|d| panic!("{}", common::rendered(&d)));
    // All received Monday 5 January 10:00: five business days end Monday 12 January 17:00, a week
    // Monday 12 January 10:00.
    let recs = "{\"id\":\"A\",\"received_at\":\"2026-01-05T10:00:00Z\",\"answered_at\":\"2026-01-12T09:00:00Z\"}\n{\"id\":\"B\",\"received_at\":\"2026-01-05T10:00:00Z\",\"answered_at\":\"2026-01-13T09:00:00Z\"}\n{\"id\":\"C\",\"received_at\":\"2026-01-05T10:00:00Z\",\"answered_at\":\"2026-01-12T16:00:00Z\"}\n";
    let (_, findings) = common::check(&engine, &[("c.jsonl", recs)]);
    let mut got: Vec<(String, String)> =
        findings.iter().map(|f| (f.record_id.clone().unwrap(), f.rule_id().to_string())).collect();
    got.sort();
    // A answered within both; B after both; C within five business days, but after a week.
    let want = [("B", "answered"), ("B", "reopened"), ("C", "reopened")];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
}

// ---------------------------------------------------------------------------------------------
// The property: names change nothing.

/// An integer expression over the record's fields, the rule's lets and the definition's call.
#[derive(Debug, Clone)]
enum E {
    Field(&'static str),
    Const(i64),
    Let(usize),
    Call(Box<E>, Box<E>),
    Bin(&'static str, Box<E>, Box<E>),
}

/// A condition.
#[derive(Debug, Clone)]
enum C {
    Cmp(&'static str, E, E),
    And(Box<C>, Box<C>),
    Or(Box<C>, Box<C>),
    Not(Box<C>),
    Any(E),
}

/// `def(x, y)`'s body: over its parameters and the record.
#[derive(Debug, Clone)]
enum B {
    X,
    Y,
    Field(&'static str),
    Bin(&'static str, Box<B>, Box<B>),
}

const FIELDS: [&str; 3] = ["record.a", "record.b", "(record.c otherwise 7)"];

fn leaf(lets: usize) -> BoxedStrategy<E> {
    let mut options =
        vec![prop::sample::select(&FIELDS[..]).prop_map(E::Field).boxed(), (-5i64..20).prop_map(E::Const).boxed()];
    if lets > 0 {
        options.push((0..lets).prop_map(E::Let).boxed());
    }
    prop::strategy::Union::new(options).boxed()
}

fn expr(lets: usize) -> BoxedStrategy<E> {
    leaf(lets)
        .prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                (prop::sample::select(&["+", "-", "*"][..]), inner.clone(), inner.clone())
                    .prop_map(|(o, a, b)| E::Bin(o, Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| E::Call(Box::new(a), Box::new(b))),
            ]
        })
        .boxed()
}

fn cond(lets: usize) -> BoxedStrategy<C> {
    let base = prop_oneof![
        (prop::sample::select(&["<", "<=", ">", ">=", "==", "!="][..]), expr(lets), expr(lets))
            .prop_map(|(o, a, b)| C::Cmp(o, a, b)),
        expr(lets).prop_map(C::Any),
    ];
    base.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| C::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| C::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| C::Not(Box::new(a))),
        ]
    })
    .boxed()
}

fn body() -> BoxedStrategy<B> {
    prop_oneof![Just(B::X), Just(B::Y), prop::sample::select(&FIELDS[..]).prop_map(B::Field)]
        .prop_recursive(1, 3, 2, |inner| {
            (prop::sample::select(&["+", "-", "*"][..]), inner.clone(), inner)
                .prop_map(|(o, a, b)| B::Bin(o, Box::new(a), Box::new(b)))
        })
        .boxed()
}

/// A rule: its lets (each over the lets before it), the definition's body, the condition.
#[derive(Debug, Clone)]
struct Case {
    lets: Vec<E>,
    def: B,
    cond: C,
    records: Vec<(i64, i64, Option<i64>, Vec<i64>)>,
}

fn case() -> impl Strategy<Value = Case> {
    let lets = (expr(0), expr(1), expr(2)).prop_map(|(a, b, c)| vec![a, b, c]);
    let record = (-10i64..10, -10i64..10, prop::option::of(-10i64..10), prop::collection::vec(-10i64..10, 0..3));
    (lets, body(), cond(3), prop::collection::vec(record, 1..8)).prop_map(|(lets, def, cond, records)| Case {
        lets,
        def,
        cond,
        records,
    })
}

/// How an expression is written: with names, or (`Some(lets)`) written out.
fn write_e(e: &E, out: Option<&[E]>, def: &B) -> String {
    match e {
        E::Field(f) => (*f).to_string(),
        E::Const(n) if *n < 0 => format!("(0 - {})", -n),
        E::Const(n) => n.to_string(),
        E::Let(i) => match out {
            None => format!("l{i}"),
            Some(lets) => write_e(&lets[*i], out, def),
        },
        E::Call(a, b) => {
            let (a, b) = (write_e(a, out, def), write_e(b, out, def));
            match out {
                None => format!("def({a}, {b})"),
                Some(_) => write_b(def, &a, &b),
            }
        }
        E::Bin(o, a, b) => format!("({} {o} {})", write_e(a, out, def), write_e(b, out, def)),
    }
}

fn write_b(b: &B, x: &str, y: &str) -> String {
    match b {
        B::X => x.to_string(),
        B::Y => y.to_string(),
        B::Field(f) => (*f).to_string(),
        B::Bin(o, a, c) => format!("({} {o} {})", write_b(a, x, y), write_b(c, x, y)),
    }
}

fn write_c(c: &C, out: Option<&[E]>, def: &B) -> String {
    match c {
        C::Cmp(o, a, b) => format!("({} {o} {})", write_e(a, out, def), write_e(b, out, def)),
        C::And(a, b) => format!("({} and {})", write_c(a, out, def), write_c(b, out, def)),
        C::Or(a, b) => format!("({} or {})", write_c(a, out, def), write_c(b, out, def)),
        C::Not(a) => format!("(not {})", write_c(a, out, def)),
        C::Any(e) => format!("any(v in record.xs: v > {})", write_e(e, out, def)),
    }
}

const SCHEMA: &str =
    "schema r { identified by id  id: text  a: integer  b: integer  c: integer?  xs: list of integer }";

fn policies(c: &Case) -> (String, String) {
    let named_lets: Vec<String> =
        c.lets.iter().enumerate().map(|(i, e)| format!("let l{i} = {}", write_e(e, None, &c.def))).collect();
    let named = format!(
        "{SCHEMA}\ncode \"P\" {{ level organisational\n define def(x, y) = {}\n rule t {{ for r\n {}\n require {}\n message \"{{record.id}} {{l0}}\" }} }}",
        write_b(&c.def, "x", "y"),
        named_lets.join("\n "),
        write_c(&c.cond, None, &c.def),
    );
    let out = Some(c.lets.as_slice());
    let written = format!(
        "{SCHEMA}\ncode \"P\" {{ level organisational\n rule t {{ for r\n require {}\n message \"{{record.id}} {}\" }} }}",
        write_c(&c.cond, out, &c.def),
        format_args!("{{{}}}", write_e(&E::Let(0), out, &c.def)),
    );
    (named, written)
}

/// How deeply brackets nest in `text`: a written-out rule may nest deeper than a policy may
/// (which is one reason to name things), and such cases are not comparable.
fn nesting(text: &str) -> usize {
    let (mut depth, mut most) = (0usize, 0usize);
    for ch in text.chars() {
        match ch {
            '(' | '{' => {
                depth += 1;
                most = most.max(depth);
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    most
}

fn verdicts(policy: &str, records: &str) -> Vec<(String, String)> {
    let engine = precept::Engine::from_sources([("p.precept", policy)])
        .unwrap_or_else(|d| panic!("{policy}\n{}", common::rendered(&d)));
    let (_, findings) = common::check(&engine, &[("r.jsonl", records)]);
    findings.iter().map(|f| (f.record_id.clone().unwrap_or_default(), f.message.clone())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn rules_with_names_judge_as_written_out(c in case()) {
        let (named, written) = policies(&c);
        prop_assume!(nesting(&written) <= precept::syntax::MAX_NESTING);
        let mut lines = String::new();
        for (i, (a, b, cc, xs)) in c.records.iter().enumerate() {
            let cc = cc.map_or(String::new(), |v| format!(",\"c\":{v}"));
            lines.push_str(&format!("{{\"id\":\"R{i}\",\"a\":{a},\"b\":{b}{cc},\"xs\":{xs:?}}}\n"));
        }
        prop_assert_eq!(verdicts(&named, &lines), verdicts(&written, &lines), "{}\n---\n{}", named, written);
    }
}

#[test]
fn fields_are_read_through_a_let_that_names_a_path() {
    let engine = common::engine(
        r#"
        schema t { identified by id  id: text  customer: { kind: enum { retail, business }  name: text? } }
        code "C" {
          level organisational
          let customer = record.customer
          rule named {
            for t where customer.kind == business
            require customer.name is present
            message "{record.id}: business customer without a name"
          }
        }"#,
    );
    let recs = "{\"id\":\"A\",\"customer\":{\"kind\":\"business\"}}\n{\"id\":\"B\",\"customer\":{\"kind\":\"retail\"}}\n{\"id\":\"C\",\"customer\":{\"kind\":\"business\",\"name\":\"X\"}}\n";
    let (_, findings) = common::check(&engine, &[("t.jsonl", recs)]);
    let got: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(got, ["A: business customer without a name"]);
    // Blame points at the record's field, as if written out.
    assert_eq!(findings[0].field, "customer.name");
}

#[test]
fn a_definition_from_another_file_is_placed_at_its_use() {
    let parent = r#"
      schema complaint { files "complaints.jsonl"  identified by id  id: text  received_at: datetime  answered_at: datetime }
      schema callback { files "callbacks.jsonl"  identified by id  id: text  requested_at: datetime  called_at: datetime }
      code "Sector" {
        level industry
        let received = record.received_at
        rule answered { for complaint  require record.answered_at <= received + 24h }
      }"#;
    // Fine over complaints, from another file.
    let child = r#"
      code "House" {
        level organisational
        extends "Sector"
        rule answered-soon { for complaint  require record.answered_at <= received + 12h }
      }"#;
    let engine = common::engine_from(&[("a.precept", parent), ("b.precept", child)]);
    let recs = "{\"id\":\"A\",\"received_at\":\"2026-01-05T10:00:00Z\",\"answered_at\":\"2026-01-05T23:00:00Z\"}\n";
    let (outcome, findings) = common::check(&engine, &[("complaints.jsonl", recs)]);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let got: Vec<&str> = findings.iter().map(|f| f.rule_id()).collect();
    assert_eq!(got, ["answered-soon"]);
    // Wrong over callbacks: reported in the child's file, at the use.
    let child = r#"
      code "House" {
        level organisational
        extends "Sector"
        rule called { for callback  require record.called_at <= received + 4h }
      }"#;
    let diags = precept::Engine::from_sources([("a.precept", parent), ("b.precept", child)]).err().unwrap();
    let d = diags.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.code, "precept::type::unknown-field", "{}", common::rendered(&diags));
    let (file, line, _) = d.location().unwrap();
    assert_eq!((file, line), ("b.precept", 5), "{}", common::rendered(&diags));
}

#[test]
fn lets_work_in_case_rules_and_group_keys() {
    let engine = common::engine(
        r#"
        schema ev { identified by id  id: text  case_id: text  status: enum { received, resolved }  at: datetime }
        code "C" {
          level organisational
          let case_of = record.case_id
          rule resolved-in-time {
            for ev
            let is_received = record.status == received
            case by case_of
            opens when is_received at record.at
            closes when record.status == resolved at record.at
            within 2 days
            message "case {group.case} not resolved in time"
          }
          rule one-receipt-per-case {
            for ev where record.status == received
            let received_on = day(record.at)
            group by case_of, received_on
            require count() <= 1
            message "case {group.case_of}: {count()} receipts on {group.received_on}"
          }
        }"#,
    );
    let recs = "{\"id\":\"1\",\"case_id\":\"K1\",\"status\":\"received\",\"at\":\"2026-01-05T10:00:00Z\"}\n{\"id\":\"2\",\"case_id\":\"K1\",\"status\":\"resolved\",\"at\":\"2026-01-09T10:00:00Z\"}\n{\"id\":\"3\",\"case_id\":\"K2\",\"status\":\"received\",\"at\":\"2026-01-05T10:00:00Z\"}\n{\"id\":\"4\",\"case_id\":\"K2\",\"status\":\"received\",\"at\":\"2026-01-05T11:00:00Z\"}\n{\"id\":\"5\",\"case_id\":\"K2\",\"status\":\"resolved\",\"at\":\"2026-01-06T10:00:00Z\"}\n";
    let (_, findings) = common::check(&engine, &[("ev.jsonl", recs)]);
    let mut got: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
    got.sort();
    assert_eq!(got, ["case K1 not resolved in time", "case K2: 2 receipts on 2026-01-05"]);
}

#[test]
fn long_chains_of_names_and_codes_are_reported_not_a_crash() {
    // Five thousand lets each naming the next, in a code at the end of 300 `extends`.
    let mut text =
        String::from("schema t { identified by id  id: text  a: integer }\ncode \"C\" { level organisational\n");
    for k in 0..5000 {
        text.push_str(&format!("let a{k} = a{}\n", k + 1));
    }
    text.push_str("let a5000 = record.a\nrule r { for t  require a0 > 1 } }\n");
    for k in 0..300 {
        let parent = if k == 0 { "C".to_string() } else { format!("K{}", k - 1) };
        text.push_str(&format!("code \"K{k}\" {{ level organisational  extends \"{parent}\" }}\n"));
    }
    let diags = precept::Engine::from_sources([("p.precept", text.as_str())]).err().unwrap();
    assert!(diags.iter().any(|d| d.code == "precept::rule::expansion-too-large"), "{}", common::rendered(&diags));
}
