//! Exact numbers, end to end: random arithmetic and comparisons over decimals, integers and money
//! (huge and tiny values, division, mixed integer and decimal) are written as policy text, run by
//! the real engine over records in memory (read as files are), and their verdicts compared with a
//! small independent model here: unbounded rationals (`num_rational::BigRational`) plus the
//! documented bounds (an integer result outside 64 bits, a decimal or money result whose lowest
//! terms need 2^127 or more, and division by zero have no answer).
//!
//! Each rule is written twice: `require C` (holds only when C is true) and `require (C) or not (C)`
//! (holds exactly when C has an answer), so the engine's three outcomes (true, false, no answer)
//! are all observed and compared.

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
  g: text
  a: decimal
  b: decimal
  c: decimal
  i: integer
  j: integer
  m: money GBP
  k: money GBP
}
"#;

// ------------------------------------------------------------------------------------------ model

/// The static kind of an expression, as the language types it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum K {
    Int,
    Dec,
    Money,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
        }
    }
}

/// A numeric expression.
#[derive(Clone, Debug)]
enum E {
    Field(&'static str, K),
    /// Literal text and its value.
    Lit(String, K, BigRational),
    Neg(Box<E>),
    Bin(Op, Box<E>, Box<E>),
}

/// A record's values by field name.
#[derive(Clone, Debug)]
struct Rec {
    id: String,
    group: u8,
    dec: [Dec; 3],
    int: [i64; 2],
    money: [Dec; 2],
}

/// A decimal as mantissa and places.
#[derive(Clone, Copy, Debug)]
struct Dec {
    mantissa: i128,
    scale: u32,
}

impl Dec {
    fn text(self) -> String {
        let digits = self.mantissa.unsigned_abs().to_string();
        let p = self.scale as usize;
        let sign = if self.mantissa < 0 { "-" } else { "" };
        if p == 0 {
            return format!("{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = p + 1);
        let (int, frac) = padded.split_at(padded.len() - p);
        format!("{sign}{int}.{frac}")
    }

    fn value(self) -> BigRational {
        BigRational::new(BigInt::from(self.mantissa), BigInt::from(10).pow(self.scale))
    }
}

fn int(i: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(i))
}

impl E {
    fn kind(&self) -> K {
        match self {
            E::Field(_, k) | E::Lit(_, k, _) => *k,
            E::Neg(x) => x.kind(),
            E::Bin(op, a, b) => match (op, a.kind(), b.kind()) {
                (Op::Add | Op::Sub | Op::Mul, K::Int, K::Int) => K::Int,
                (Op::Div, K::Money, K::Money) => K::Dec,
                (_, K::Money, _) | (_, _, K::Money) => K::Money,
                _ => K::Dec,
            },
        }
    }

    fn text(&self) -> String {
        match self {
            E::Field(name, _) => format!("record.{name}"),
            E::Lit(t, _, _) => t.clone(),
            E::Neg(x) => format!("-({})", x.text()),
            E::Bin(op, a, b) => format!("({} {} {})", a.text(), op.text(), b.text()),
        }
    }

    /// The exact value, or `None` for no answer.
    fn eval(&self, r: &Rec) -> Option<BigRational> {
        let v = match self {
            E::Field(name, _) => match *name {
                "a" => r.dec[0].value(),
                "b" => r.dec[1].value(),
                "c" => r.dec[2].value(),
                "i" => int(r.int[0]),
                "j" => int(r.int[1]),
                "m" => r.money[0].value(),
                "k" => r.money[1].value(),
                other => panic!("no field {other}"),
            },
            E::Lit(_, _, v) => v.clone(),
            E::Neg(x) => -x.eval(r)?,
            E::Bin(op, a, b) => {
                let (x, y) = (a.eval(r)?, b.eval(r)?);
                match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                    Op::Div if y == int(0) => return None,
                    Op::Div => x / y,
                }
            }
        };
        fits(self.kind(), &v).then_some(v)
    }
}

/// The documented bounds: integers are 64-bit; a decimal or an amount is a fraction in lowest terms
/// whose numerator and denominator are below 2^127.
fn fits(k: K, v: &BigRational) -> bool {
    match k {
        K::Int => v.is_integer() && i64::try_from(v.numer()).is_ok(),
        K::Dec | K::Money => {
            let bound = BigInt::from(1) << 127;
            let n = v.numer();
            let n = if *n < BigInt::from(0) { -n } else { n.clone() };
            n < bound && *v.denom() < bound
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    Holds,
    Fails,
    NoAnswer,
}

#[derive(Clone, Debug)]
struct Cmp {
    op: &'static str,
    l: E,
    r: E,
}

impl Cmp {
    fn text(&self) -> String {
        format!("{} {} {}", self.l.text(), self.op, self.r.text())
    }

    fn verdict(&self, rec: &Rec) -> Verdict {
        let (Some(l), Some(r)) = (self.l.eval(rec), self.r.eval(rec)) else { return Verdict::NoAnswer };
        let holds = match self.op {
            "==" => l == r,
            "!=" => l != r,
            "<" => l < r,
            "<=" => l <= r,
            ">" => l > r,
            _ => l >= r,
        };
        if holds {
            Verdict::Holds
        } else {
            Verdict::Fails
        }
    }
}

// ------------------------------------------------------------------------------------- strategies

/// Decimal values a record may hold: small, money-like, huge (28 digits), tiny (28 places), and
/// near the 64-bit integer limits.
fn record_dec() -> impl Strategy<Value = Dec> {
    prop_oneof![
        (-10_000i128..10_000, 0u32..4).prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
        (-1_000_000i128..1_000_000, Just(2u32)).prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
        (-(10i128.pow(28) - 1)..10i128.pow(28), 0u32..=28).prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
        (-999i128..1000, 15u32..=28).prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
        (prop_oneof![Just(i128::from(i64::MAX)), Just(i128::from(i64::MIN)), Just(1i128), Just(0i128)], 0u32..2)
            .prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
    ]
}

/// Amounts in GBP: at most two places.
fn record_money() -> impl Strategy<Value = Dec> {
    prop_oneof![
        (-100_000i128..100_000, 0u32..=2).prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
        (-(10i128.pow(28) - 1)..10i128.pow(28), 0u32..=2).prop_map(|(mantissa, scale)| Dec { mantissa, scale }),
    ]
}

fn record_int() -> impl Strategy<Value = i64> {
    prop_oneof![-1000i64..1000, any::<i64>(), Just(i64::MAX), Just(i64::MIN), Just(0)]
}

/// A record (its id is given by its place, see [`numbered`]). Boxed, and built from small tuples:
/// a deep nest of strategies overflows a test thread's stack while generating, in a debug build.
fn record() -> BoxedStrategy<Rec> {
    let dec = (record_dec(), record_dec(), record_dec()).prop_map(|(a, b, c)| [a, b, c]).boxed();
    let int = (record_int(), record_int()).prop_map(|(a, b)| [a, b]).boxed();
    let money = (record_money(), record_money()).prop_map(|(a, b)| [a, b]).boxed();
    (0u8..2, dec, int, money)
        .prop_map(|(group, dec, int, money)| Rec { id: String::new(), group, dec, int, money })
        .boxed()
}

/// Ids by place: `r0`, `r1`, ...
fn numbered(recs: Vec<Rec>) -> Vec<Rec> {
    recs.into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.id = format!("r{i}");
            r
        })
        .collect()
}

fn dec_lit() -> impl Strategy<Value = E> {
    // A decimal literal is `digits.digits`: a positive value with at least one place.
    prop_oneof![
        (1i128..10_000, 1u32..4),
        (1i128..10i128.pow(30), 1u32..=30),
        (1i128..1000, 10u32..=37),
        (Just(1i128), 1u32..=37),
    ]
    .prop_map(|(mantissa, scale)| {
        let d = Dec { mantissa, scale };
        E::Lit(d.text(), K::Dec, d.value())
    })
}

fn int_lit() -> impl Strategy<Value = E> {
    prop_oneof![0i64..20, Just(3), Just(i64::MAX), 0i64..i64::MAX].prop_map(|i| E::Lit(i.to_string(), K::Int, int(i)))
}

fn money_lit() -> impl Strategy<Value = E> {
    (0i128..100_000, 0u32..=2).prop_map(|(mantissa, scale)| {
        let d = Dec { mantissa, scale };
        E::Lit(format!("{} GBP", d.text()), K::Money, d.value())
    })
}

fn op(ops: &'static [Op]) -> impl Strategy<Value = Op> {
    proptest::sample::select(ops)
}

fn bin(op: Op, a: E, b: E) -> E {
    E::Bin(op, Box::new(a), Box::new(b))
}

fn int_expr() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![Just(E::Field("i", K::Int)), Just(E::Field("j", K::Int)), int_lit()];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (op(&[Op::Add, Op::Sub, Op::Mul]), inner.clone(), inner.clone()).prop_map(|(o, a, b)| bin(o, a, b)),
            inner.prop_map(|x| E::Neg(Box::new(x))),
        ]
    })
}

/// A sum or difference of amounts (no further nesting), for ratios inside decimal expressions.
fn money_leafy() -> impl Strategy<Value = E> {
    let leaf = prop_oneof![Just(E::Field("m", K::Money)), Just(E::Field("k", K::Money)), money_lit()];
    prop_oneof![leaf.clone(), (op(&[Op::Add, Op::Sub]), leaf.clone(), leaf).prop_map(|(o, a, b)| bin(o, a, b)),]
}

fn dec_expr() -> BoxedStrategy<E> {
    let leaf = prop_oneof![
        3 => prop_oneof![
            Just(E::Field("a", K::Dec)),
            Just(E::Field("b", K::Dec)),
            Just(E::Field("c", K::Dec)),
        ],
        2 => dec_lit(),
        2 => int_expr(),
        1 => (money_leafy(), money_leafy()).prop_map(|(a, b)| bin(Op::Div, a, b)),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            4 => (op(&[Op::Add, Op::Sub, Op::Mul, Op::Div]), inner.clone(), inner.clone())
                .prop_map(|(o, a, b)| bin(o, a, b)),
            1 => inner.prop_map(|x| E::Neg(Box::new(x))),
        ]
    })
    .boxed()
}

fn money_expr() -> BoxedStrategy<E> {
    let leaf = prop_oneof![Just(E::Field("m", K::Money)), Just(E::Field("k", K::Money)), money_lit()];
    let number = prop_oneof![
        Just(E::Field("a", K::Dec)),
        Just(E::Field("i", K::Int)),
        dec_lit(),
        int_lit(),
        (dec_lit(), int_lit()).prop_map(|(a, b)| bin(Op::Div, a, b)),
    ];
    leaf.prop_recursive(3, 10, 2, move |inner| {
        prop_oneof![
            (op(&[Op::Add, Op::Sub]), inner.clone(), inner.clone()).prop_map(|(o, a, b)| bin(o, a, b)),
            (inner.clone(), number.clone()).prop_map(|(a, b)| bin(Op::Mul, a, b)),
            (number.clone(), inner.clone()).prop_map(|(a, b)| bin(Op::Mul, a, b)),
            (inner.clone(), number.clone()).prop_map(|(a, b)| bin(Op::Div, a, b)),
            inner.prop_map(|x| E::Neg(Box::new(x))),
        ]
    })
    .boxed()
}

fn cmp_op() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(&["==", "!=", "<", "<=", ">", ">="][..])
}

fn number_cmp() -> impl Strategy<Value = Cmp> {
    (cmp_op(), dec_expr(), dec_expr()).prop_map(|(op, l, r)| Cmp { op, l, r })
}

fn money_cmp() -> impl Strategy<Value = Cmp> {
    (cmp_op(), money_expr(), money_expr()).prop_map(|(op, l, r)| Cmp { op, l, r })
}

fn records() -> impl Strategy<Value = Vec<Rec>> {
    proptest::collection::vec(record(), 5).prop_map(numbered)
}

// ------------------------------------------------------------------------------------ the engine

/// Run the real check over the policy and records, given in memory; the rule ids and record ids
/// of every finding, and the findings themselves.
fn run(rules: &str, records: &[String]) -> (BTreeSet<(String, String)>, Vec<precept::pipeline::Finding>) {
    let policy = format!("{SCHEMA}\ncode \"Numbers\" {{\n  level industry\n{rules}}}\n");
    // The binary checks on its main thread (8 MiB of stack); a test thread has 2 MiB, too little for
    // parsing brackets nested a few deep in a debug build, so the check gets the binary's stack.
    let engine = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(s, || precept::Engine::from_sources([("p.precept", policy.as_str())]))
            .unwrap()
            .join()
            .unwrap()
    });
    let engine = engine.unwrap_or_else(|diags| panic!("{}", common::rendered(&diags)));
    let (outcome, findings) = common::check(&engine, &[("r.jsonl", records.join("\n") + "\n")]);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(outcome.records, records.len(), "every record is read");
    let hit = findings.iter().map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default())).collect();
    (hit, findings)
}

fn json(r: &Rec) -> String {
    format!(
        r#"{{"id":"{}","g":"g{}","a":"{}","b":"{}","c":"{}","i":{},"j":{},"m":"{} GBP","k":"{} GBP"}}"#,
        r.id,
        r.group,
        r.dec[0].text(),
        r.dec[1].text(),
        r.dec[2].text(),
        r.int[0],
        r.int[1],
        r.money[0].text(),
        r.money[1].text()
    )
}

/// Run every comparison over every record through the engine and compare each verdict with the model.
fn agree(cmps: &[Cmp], recs: &[Rec]) -> Result<(), TestCaseError> {
    let mut rules = String::new();
    for (n, c) in cmps.iter().enumerate() {
        let t = c.text();
        rules.push_str(&format!("  rule e{n} {{ for s require {t} message \"e{n}\" }}\n"));
        rules.push_str(&format!("  rule d{n} {{ for s require ({t}) or not ({t}) message \"d{n}\" }}\n"));
    }
    let lines: Vec<String> = recs.iter().map(json).collect();
    let (hit, _) = run(&rules, &lines);
    for (n, c) in cmps.iter().enumerate() {
        for r in recs {
            let e = hit.contains(&(format!("e{n}"), r.id.clone()));
            let d = hit.contains(&(format!("d{n}"), r.id.clone()));
            let engine = match (e, d) {
                (false, false) => Verdict::Holds,
                (true, false) => Verdict::Fails,
                (true, true) => Verdict::NoAnswer,
                (false, true) => panic!("`{}` held but had no answer", c.text()),
            };
            prop_assert_eq!(engine, c.verdict(r), "`{}` over {}", c.text(), json(r));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Decimals and integers mixed, with division, huge and tiny values: exact or no answer.
    #[test]
    fn decimal_verdicts_match_the_exact_model(
        cmps in proptest::collection::vec(number_cmp().boxed(), 20),
        recs in records(),
    ) {
        agree(&cmps, &recs)?;
    }

    /// Money plus and minus money, times and divided by numbers, compared with money.
    #[test]
    fn money_verdicts_match_the_exact_model(
        cmps in proptest::collection::vec(money_cmp().boxed(), 20),
        recs in records(),
    ) {
        agree(&cmps, &recs)?;
    }

    /// `avg` and `share` are compared as exact fractions: the group's verdict matches the model's
    /// exact average and share, for thresholds on either side and at them.
    #[test]
    fn averages_and_shares_are_compared_exactly(recs in proptest::collection::vec(record(), 1..12), pick in 0usize..64) {
        let recs = numbered(recs);
        let lines: Vec<String> = recs.iter().map(json).collect();
        let groups: BTreeSet<u8> = recs.iter().map(|r| r.group).collect();
        // Thresholds: the exact average and share of one group, written exactly where they end and as
        // the nearest decimals around them where they do not.
        let g0 = *groups.iter().nth(pick % groups.len()).unwrap();
        let members: Vec<&Rec> = recs.iter().filter(|r| r.group == g0).collect();
        let count = BigRational::from_integer(BigInt::from(members.len()));
        let avg = members.iter().map(|r| r.int[0]).map(int).fold(int(0), |x, y| x + y) / &count;
        let positive = members.iter().filter(|r| r.dec[0].value() > int(0)).count();
        let share = BigRational::from_integer(BigInt::from(positive)) / &count;
        let mut thresholds = Vec::new();
        for v in [&avg, &share] {
            for places in [0u32, 1, 2, 10, 30] {
                let scale = BigInt::from(10).pow(places);
                let down = (v * BigRational::from_integer(scale.clone())).floor();
                for m in [down.clone(), down + int(1)] {
                    // Literals of at most 37 digits.
                    if m.numer().magnitude() >= &num_bigint::BigUint::from(10u8).pow(37) {
                        continue;
                    }
                    let t = m / BigRational::from_integer(scale.clone());
                    thresholds.push(t);
                }
            }
        }
        let lit = |t: &BigRational| -> String {
            // A threshold as decimal text (every one here terminates), negative through `0 - x`.
            let neg = *t < int(0);
            let a = if neg { -t.clone() } else { t.clone() };
            let mut places = 0u32;
            while !(a.clone() * BigRational::from_integer(BigInt::from(10).pow(places))).is_integer() {
                places += 1;
            }
            let m = (a * BigRational::from_integer(BigInt::from(10).pow(places))).to_integer();
            let d = Dec { mantissa: i128::try_from(&m).unwrap(), scale: places };
            let text = if places == 0 { format!("{}.0", d.text()) } else { d.text() };
            if neg { format!("(0 - {text})") } else { text }
        };
        let mut rules = String::new();
        let mut expect = Vec::new();
        for (n, t) in thresholds.iter().enumerate() {
            for (w, op) in ["<", "<=", "==", ">=", ">"].iter().enumerate() {
                let id = format!("t{n}x{w}");
                rules.push_str(&format!(
                    "  rule a{id} {{ for s group by record.g require avg(record.i) {op} {} message \"m\" }}\n",
                    lit(t)
                ));
                rules.push_str(&format!(
                    "  rule s{id} {{ for s group by record.g require share(record.a > 0) {op} {} message \"m\" }}\n",
                    lit(t)
                ));
                expect.push((format!("a{id}"), *op, t.clone(), true));
                expect.push((format!("s{id}"), *op, t.clone(), false));
            }
        }
        let (_, findings) = run(&rules, &lines);
        for (id, op, t, is_avg) in expect {
            let v = if is_avg { &avg } else { &share };
            let holds = match op { "<" => *v < t, "<=" => *v <= t, "==" => *v == t, ">=" => *v >= t, _ => *v > t };
            let failed = findings.iter().any(|f| f.rule_id() == id && f.message == "m" && group_of(f) == format!("g{g0}"));
            prop_assert_eq!(!failed, holds, "{} {} {} for group g{}", if is_avg { "avg" } else { "share" }, op, t, g0);
        }
    }
}

/// The group a group finding is about, as its key value (`g0`).
fn group_of(f: &precept::pipeline::Finding) -> String {
    f.record_id.clone().unwrap_or_default().trim_start_matches("g ").to_string()
}

// -------------------------------------------------------------------------- fixed, named examples

/// Run one rule over one record; the finding's message, if it failed. The message shows the
/// comparison's left side.
fn one(expr: &str, record: &str) -> Option<String> {
    let left = ["==", "!=", "<=", ">=", "<", ">"]
        .iter()
        .filter_map(|op| expr.find(&format!(" {op} ")))
        .min()
        .map_or("record.id", |i| &expr[..i]);
    let left = if left.starts_with("not") { "record.id" } else { left };
    let rules = format!("  rule x {{ for s require {expr} message \"value {{{left}}}\" }}\n");
    let (_, findings) = run(&rules, &[record.to_string()]);
    findings.first().map(|f| f.message.clone())
}

const R: &str = r#"{"id":"r","g":"g","a":"1","b":"0","c":"0","i":0,"j":0,"m":"3.00 GBP","k":"1.00 GBP"}"#;

fn rec(a: &str) -> String {
    R.replace(r#""a":"1""#, &format!(r#""a":"{a}""#))
}

#[test]
fn the_issues_examples_hold_exactly() {
    for (a, expr) in [
        ("9223372036854775807", "record.a + 0.0000000001 != record.a"),
        ("9223372036854775807", "record.a + 0.0000000001 > record.a"),
        ("-9223372036854775808", "record.a - 0.0000000001 < record.a"),
        ("0.000000000000001", "record.a * record.a > 0"),
        ("0.000000000000001", "record.a * record.a == 0.000000000000000000000000000001"),
        ("1", "record.a / 3 * 3 == record.a"),
        ("2", "record.a / 3 * 3 == record.a"),
        ("1", "record.a / 7 / 7 / 7 * 343 == record.a"),
        ("7", "(record.a / 10000000000000000000000000000.0) / 10000000000 > 0"),
        ("7", "1 / (record.a / 10000000000000000000000000000.0 / 10000000000) > 0"),
        ("1", "2 / 3 > 0.6666666666666666666666666666"),
        ("1", "2 / 3 < 0.6666666666666666666666666667"),
        ("1", "record.a / 3 + record.a / 3 + record.a / 3 == 1"),
        ("79228162514264337593543950335", "record.a + record.a > record.a"),
        ("79228162514264337593543950335", "record.a * 1000000000 > record.a"),
    ] {
        assert_eq!(one(expr, &rec(a)), None, "`{expr}` with a = {a} must hold");
    }
}

#[test]
fn results_that_cannot_be_held_have_no_answer_and_are_reported() {
    for (a, expr) in [
        // 10^-40: a denominator of 2^127 or more.
        ("0.00000000000000000001", "record.a * record.a > 0"),
        ("0.00000000000000000001", "not (record.a * record.a > 0)"),
        ("0.0000000000000000000000000001", "record.a * record.a > 0"),
        ("0", "1 / record.a > 0"),
        ("0", "not (1 / record.a > 0)"),
        ("79228162514264337593543950335", "record.a * record.a * record.a > 0"),
        ("79228162514264337593543950335", "not (record.a * record.a * record.a > 0)"),
    ] {
        assert!(one(expr, &rec(a)).is_some(), "`{expr}` with a = {a} has no answer, so it must not hold");
    }
}

#[test]
fn messages_never_show_a_rounded_value_as_exact() {
    // (expression, record's a, message shown)
    for (expr, a, shown) in [
        ("record.m * 0.333 == 1.00 GBP", "1", "value 0.999 GBP"),
        ("record.m * 0.3333 == 1.00 GBP", "1", "value 0.9999 GBP"),
        ("record.m / 9 == 1.00 GBP", "1", "value ≈0.33 GBP"),
        ("record.m / 3 != 1.00 GBP", "1", "value 1.00 GBP"),
        ("record.m / 7 == 0.43 GBP", "1", "value ≈0.43 GBP"),
        ("record.a / 3 == 0.3333333333", "1", "value ≈0.3333333333"),
        ("record.a / 8 == 0", "1", "value 0.125"),
        ("record.a * record.a == 0", "0.000000000000001", "value 0.000000000000000000000000000001"),
        ("record.a / 3 == 0", "0.0000000000000000000001", "value ≈0.00000000000000000000003333333333"),
        ("record.a + 0.0000000001 == 0", "9223372036854775807", "value 9223372036854775807.0000000001"),
        ("-(record.a / 3) == 0", "2", "value ≈-0.6666666667"),
    ] {
        assert_eq!(one(expr, &rec(a)).as_deref(), Some(shown), "`{expr}` with a = {a}");
    }
}

#[test]
fn shares_show_as_percentages_marked_when_rounded() {
    // (records with a > 0 of 3 or 8, message shown)
    for (positive, of, shown) in [(1, 3, "≈33.3%"), (2, 3, "≈66.7%"), (1, 8, "12.5%"), (3, 8, "37.5%"), (0, 3, "0%")]
    {
        let lines: Vec<String> = (0..of)
            .map(|i| rec(if i < positive { "1" } else { "0" }).replace(r#""id":"r""#, &format!(r#""id":"r{i}""#)))
            .collect();
        let rules = "  rule x { for s group by record.g require share(record.a > 0) > 99% message \"share {share(record.a > 0)}\" }\n";
        let (_, findings) = run(rules, &lines);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, format!("share {shown}"), "{positive} of {of}");
    }
}

#[test]
fn averages_of_one_one_and_two_are_four_thirds() {
    let lines: Vec<String> = [1, 1, 2]
        .iter()
        .enumerate()
        .map(|(n, i)| R.replace(r#""i":0"#, &format!(r#""i":{i}"#)).replace(r#""id":"r""#, &format!(r#""id":"r{n}""#)))
        .collect();
    for (expr, holds) in [
        ("avg(record.i) * 3 == 4", true),
        ("avg(record.i) > 1.3333333333333333333333333333", true),
        ("avg(record.i) < 1.3333333333333333333333333334", true),
        ("avg(record.i) == 1.3333333333333333333333333333", false),
        ("avg(record.i) - 1 == 1 / 3", true),
    ] {
        let rules =
            format!("  rule x {{ for s group by record.g require {expr} message \"avg {{avg(record.i)}}\" }}\n");
        let (_, findings) = run(&rules, &lines);
        assert_eq!(findings.is_empty(), holds, "{expr}");
        if !holds {
            assert_eq!(findings[0].message, "avg ≈1.3333333333");
        }
    }
}

#[test]
fn money_times_money_has_its_own_code() {
    for (expr, currencies) in [
        ("record.m * record.k > 1.00 GBP", ("GBP", "GBP")),
        ("record.m * 2.00 GBP > 1.00 GBP", ("GBP", "GBP")),
        ("2.00 EUR * record.m > 1.00 GBP", ("EUR", "GBP")),
        ("(record.m + record.k) * (record.k - record.m) > 1.00 GBP", ("GBP", "GBP")),
        ("record.m * record.m == record.k", ("GBP", "GBP")),
    ] {
        let text = format!(
            "{SCHEMA}\ncode \"Numbers\" {{\n  level industry\n  rule x {{ for s require {expr} message \"x\" }}\n}}\n"
        );
        let diags = precept::Engine::from_sources([("p.precept", text)]).err().unwrap_or_else(|| panic!("{expr}"));
        let codes: Vec<&str> = diags.iter().map(|d| d.code.as_ref()).collect();
        assert_eq!(codes, ["precept::type::money-times-money"], "{expr}");
        let shown = precept::diagnostics::render::render(&diags[0], precept::diagnostics::render::Style::plain());
        let want = format!("cannot multiply money in {} by money in {}", currencies.0, currencies.1);
        assert!(shown.contains(&want), "{shown}");
        assert!(shown.contains("p.precept:"), "a location: {shown}");
    }
    // Not to be confused with mixed currencies, which keep their code.
    let text = format!("{SCHEMA}\ncode \"Numbers\" {{\n  level industry\n  rule x {{ for s require record.m + 1.00 EUR > 1.00 GBP message \"x\" }}\n}}\n");
    let diags = match precept::Engine::from_sources([("p.precept", text)]) {
        Ok(engine) => engine.warnings().to_vec(),
        Err(diags) => diags,
    };
    assert!(diags.iter().any(|d| d.code.as_ref() == "precept::type::mixed-currency"));
    assert!(!diags.iter().any(|d| d.code.as_ref() == "precept::type::money-times-money"));
}
