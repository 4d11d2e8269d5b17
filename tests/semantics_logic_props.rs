//! Property tests of three-valued logic: random conditions (logic, comparisons, integer
//! arithmetic that may overflow, divisions that may be by zero, `is missing`, `otherwise`,
//! quantifiers, counts) over random records, and random group requirements over random groups
//! (`count`, `share`, `sum`, `avg`, `min`, `max`, `percentile`), are run through the real engine (a
//! policy text and records, in memory, through `precept::Engine`) and compared with a small
//! independent model written here.
//!
//! The model works on exact rationals in `i128` and four truth values: true, false, missing and
//! no answer. It agrees with the engine on each verdict, and on whether a finding names a
//! computation with no answer (exactly when the model's outcome is "no answer").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

// ---------------------------------------------------------------------------------------------
// The model.

/// A number: `num / den`, `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Q(i128, i128);

/// A value of the model.
#[derive(Debug, Clone, Copy, PartialEq)]
enum M {
    Num(Q),
    Bool(bool),
    Missing,
    NoAnswer,
}

/// Unknown from two sides: no answer wins over missing.
fn unk(a: M, b: M) -> M {
    if a == M::NoAnswer || b == M::NoAnswer {
        M::NoAnswer
    } else {
        M::Missing
    }
}

fn int(v: i128) -> M {
    if v < i128::from(i64::MIN) || v > i128::from(i64::MAX) {
        M::NoAnswer
    } else {
        M::Num(Q(v, 1))
    }
}

fn cmp_q(a: Q, b: Q) -> std::cmp::Ordering {
    (a.0 * b.1).cmp(&(b.0 * a.1))
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    fn text(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
        }
    }
    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Lt => o == Less,
            Cmp::Le => o != Greater,
            Cmp::Gt => o == Greater,
            Cmp::Ge => o != Less,
            Cmp::Eq => o == Equal,
            Cmp::Ne => o != Equal,
        }
    }
}

/// An integer expression (never missing: optional fields only appear under `otherwise`).
#[derive(Debug, Clone)]
enum N {
    Field(&'static str),
    Elem,
    ElemOr(i64),
    OptOr(i64),
    Lit(i64),
    Bin(Op, Box<N>, Box<N>),
}

/// A condition.
#[derive(Debug, Clone)]
enum B {
    Lit(bool),
    Cmp(Cmp, N, N),
    /// `(n / d) cmp k`: a decimal quotient.
    Div(Cmp, N, N, i64),
    /// `((n / d) otherwise k) cmp k2`.
    DivOr(N, N, i64, Cmp, i64),
    /// `(n / d) is missing` (or `is present`).
    DivMissing(N, N, bool),
    /// `record.opt is missing` (or `is present`).
    OptMissing(bool),
    Not(Box<B>),
    And(Box<B>, Box<B>),
    Or(Box<B>, Box<B>),
    Implies(Box<B>, Box<B>),
    If(Box<B>, Box<B>, Box<B>),
    /// 0 all, 1 any, 2 none.
    Quant(u8, Box<B>),
    Count(Box<B>, Cmp, i64),
}

#[derive(Debug, Clone)]
struct Item {
    q: i64,
    r: Option<i64>,
}

#[derive(Debug, Clone)]
struct Rec {
    x: i64,
    y: i64,
    z: i64,
    opt: Option<i64>,
    items: Vec<Item>,
}

impl N {
    fn text(&self) -> String {
        match self {
            N::Field(f) => format!("record.{f}"),
            N::Elem => "a.q".into(),
            N::ElemOr(k) => format!("(a.r otherwise {k})"),
            N::OptOr(k) => format!("(record.opt otherwise {k})"),
            N::Lit(k) => k.to_string(),
            N::Bin(op, a, b) => {
                let s = match op {
                    Op::Add => "+",
                    Op::Sub => "-",
                    Op::Mul => "*",
                };
                format!("({} {s} {})", a.text(), b.text())
            }
        }
    }

    fn eval(&self, r: &Rec, e: Option<&Item>) -> M {
        match self {
            N::Field(f) => int(i128::from(match *f {
                "x" => r.x,
                "y" => r.y,
                _ => r.z,
            })),
            N::Elem => e.map_or(M::Missing, |i| int(i128::from(i.q))),
            N::ElemOr(k) => int(i128::from(e.and_then(|i| i.r).unwrap_or(*k))),
            N::OptOr(k) => int(i128::from(r.opt.unwrap_or(*k))),
            N::Lit(k) => int(i128::from(*k)),
            N::Bin(op, a, b) => match (a.eval(r, e), b.eval(r, e)) {
                (M::Num(Q(x, 1)), M::Num(Q(y, 1))) => int(match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                }),
                (x, y) => unk(x, y),
            },
        }
    }
}

/// `n / d`: no answer for a zero divisor.
fn quotient(n: M, d: M) -> M {
    match (n, d) {
        (M::Num(Q(_, _)), M::Num(Q(0, _))) => M::NoAnswer,
        (M::Num(Q(a, 1)), M::Num(Q(b, 1))) => {
            if b < 0 {
                M::Num(Q(-a, -b))
            } else {
                M::Num(Q(a, b))
            }
        }
        (x, y) => unk(x, y),
    }
}

fn compare(c: Cmp, a: M, b: M) -> M {
    match (a, b) {
        (M::Num(x), M::Num(y)) => M::Bool(c.holds(cmp_q(x, y))),
        (x, y) => unk(x, y),
    }
}

fn and(a: M, b: M) -> M {
    match (a, b) {
        (M::Bool(false), _) | (_, M::Bool(false)) => M::Bool(false),
        (M::Bool(true), M::Bool(true)) => M::Bool(true),
        (x, y) => unk(x, y),
    }
}

fn not(a: M) -> M {
    match a {
        M::Bool(b) => M::Bool(!b),
        x => x,
    }
}

fn or(a: M, b: M) -> M {
    not(and(not(a), not(b)))
}

impl B {
    fn text(&self) -> String {
        match self {
            B::Lit(b) => b.to_string(),
            B::Cmp(c, a, b) => format!("({} {} {})", a.text(), c.text(), b.text()),
            B::Div(c, n, d, k) => format!("(({} / {}) {} {k})", n.text(), d.text(), c.text()),
            B::DivOr(n, d, k, c, k2) => format!("((({} / {}) otherwise {k}) {} {k2})", n.text(), d.text(), c.text()),
            B::DivMissing(n, d, want) => {
                format!("(({} / {}) is {})", n.text(), d.text(), if *want { "missing" } else { "present" })
            }
            B::OptMissing(want) => format!("(record.opt is {})", if *want { "missing" } else { "present" }),
            B::Not(x) => format!("(not {})", x.text()),
            B::And(a, b) => format!("({} and {})", a.text(), b.text()),
            B::Or(a, b) => format!("({} or {})", a.text(), b.text()),
            B::Implies(a, b) => format!("({} implies {})", a.text(), b.text()),
            B::If(c, a, b) => format!("(if {} then {} else {})", c.text(), a.text(), b.text()),
            B::Quant(q, x) => {
                let f = ["all", "any", "none"][usize::from(*q)];
                format!("{f}(a in record.items: {})", x.text())
            }
            B::Count(x, c, k) => format!("(count(a in record.items: {}) {} {k})", x.text(), c.text()),
        }
    }

    fn eval(&self, r: &Rec, e: Option<&Item>) -> M {
        match self {
            B::Lit(b) => M::Bool(*b),
            B::Cmp(c, a, b) => compare(*c, a.eval(r, e), b.eval(r, e)),
            B::Div(c, n, d, k) => compare(*c, quotient(n.eval(r, e), d.eval(r, e)), M::Num(Q(i128::from(*k), 1))),
            B::DivOr(n, d, k, c, k2) => {
                let v = match quotient(n.eval(r, e), d.eval(r, e)) {
                    M::Missing => M::Num(Q(i128::from(*k), 1)),
                    v => v,
                };
                compare(*c, v, M::Num(Q(i128::from(*k2), 1)))
            }
            B::DivMissing(n, d, want) => match quotient(n.eval(r, e), d.eval(r, e)) {
                M::NoAnswer => M::NoAnswer,
                v => M::Bool((v == M::Missing) == *want),
            },
            B::OptMissing(want) => M::Bool(r.opt.is_none() == *want),
            B::Not(x) => not(x.eval(r, e)),
            B::And(a, b) => and(a.eval(r, e), b.eval(r, e)),
            B::Or(a, b) => or(a.eval(r, e), b.eval(r, e)),
            B::Implies(a, b) => or(not(a.eval(r, e)), b.eval(r, e)),
            B::If(c, a, b) => match c.eval(r, e) {
                M::Bool(true) => a.eval(r, e),
                M::Bool(false) => b.eval(r, e),
                x => x,
            },
            B::Quant(q, x) => {
                let vals: Vec<M> = r.items.iter().map(|i| x.eval(r, Some(i))).collect();
                // all = and of all; any = or of all; none = not any.
                let fold = |f: fn(M, M) -> M, start: bool| vals.iter().fold(M::Bool(start), |acc, v| f(acc, *v));
                match q {
                    0 => fold(and, true),
                    1 => fold(or, false),
                    _ => not(fold(or, false)),
                }
            }
            B::Count(x, c, k) => {
                let vals: Vec<M> = r.items.iter().map(|i| x.eval(r, Some(i))).collect();
                let count = if vals.contains(&M::NoAnswer) {
                    M::NoAnswer
                } else if vals.contains(&M::Missing) {
                    M::Missing
                } else {
                    M::Num(Q(vals.iter().filter(|v| **v == M::Bool(true)).count() as i128, 1))
                };
                compare(*c, count, M::Num(Q(i128::from(*k), 1)))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generators.

const BIG: i64 = i64::MAX;

fn value() -> impl Strategy<Value = i64> {
    prop_oneof![4 => Just(0i64), 4 => -3i64..=5, 1 => Just(BIG), 1 => Just(-BIG), 1 => Just(4_611_686_018_427_387_904)]
}

fn cmp() -> impl Strategy<Value = Cmp> {
    prop_oneof![Just(Cmp::Lt), Just(Cmp::Le), Just(Cmp::Gt), Just(Cmp::Ge), Just(Cmp::Eq), Just(Cmp::Ne)]
}

fn num(in_q: bool) -> BoxedStrategy<N> {
    let mut leaves: Vec<BoxedStrategy<N>> = vec![
        prop_oneof![Just("x"), Just("y"), Just("z")].prop_map(N::Field).boxed(),
        (0i64..=4).prop_map(N::Lit).boxed(),
        Just(N::Lit(BIG)).boxed(),
        (0i64..=3).prop_map(N::OptOr).boxed(),
    ];
    if in_q {
        leaves.push(Just(N::Elem).boxed());
        leaves.push((0i64..=3).prop_map(N::ElemOr).boxed());
    }
    let leaf = proptest::strategy::Union::new(leaves);
    leaf.prop_recursive(2, 6, 2, |inner| {
        (prop_oneof![Just(Op::Add), Just(Op::Sub), Just(Op::Mul)], inner.clone(), inner)
            .prop_map(|(op, a, b)| N::Bin(op, Box::new(a), Box::new(b)))
    })
    .boxed()
}

fn cond(in_q: bool) -> BoxedStrategy<B> {
    let n = || num(in_q);
    let leaf = prop_oneof![
        any::<bool>().prop_map(B::Lit),
        (cmp(), n(), n()).prop_map(|(c, a, b)| B::Cmp(c, a, b)),
        (cmp(), n(), n(), -2i64..=3).prop_map(|(c, a, b, k)| B::Div(c, a, b, k)),
        (n(), n(), 0i64..=2, cmp(), -1i64..=2).prop_map(|(a, b, k, c, k2)| B::DivOr(a, b, k, c, k2)),
        (n(), n(), any::<bool>()).prop_map(|(a, b, w)| B::DivMissing(a, b, w)),
        any::<bool>().prop_map(B::OptMissing),
    ];
    let tree = leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| B::Not(Box::new(x))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| B::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| B::Or(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| B::Implies(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| B::If(Box::new(c), Box::new(a), Box::new(b))),
        ]
    });
    if in_q {
        return tree.boxed();
    }
    // At the top, quantifiers and counts over conditions on each element.
    let quant = prop_oneof![
        (0u8..3, cond(true)).prop_map(|(q, x)| B::Quant(q, Box::new(x))),
        (cond(true), cmp(), 0i64..=3).prop_map(|(x, c, k)| B::Count(Box::new(x), c, k)),
    ];
    prop_oneof![
        2 => tree,
        2 => quant.clone(),
        1 => (quant.clone(), quant).prop_map(|(a, b)| B::Or(Box::new(a), Box::new(B::Not(Box::new(b))))),
    ]
    .boxed()
}

fn record() -> impl Strategy<Value = Rec> {
    let item = (value(), proptest::option::of(value())).prop_map(|(q, r)| Item { q, r });
    (value(), value(), value(), proptest::option::of(value()), proptest::collection::vec(item, 0..4))
        .prop_map(|(x, y, z, opt, items)| Rec { x, y, z, opt, items })
}

fn json(i: usize, team: &str, r: &Rec) -> String {
    let items: Vec<String> = r
        .items
        .iter()
        .map(|it| match it.r {
            Some(v) => format!(r#"{{"q": {}, "r": {v}}}"#, it.q),
            None => format!(r#"{{"q": {}}}"#, it.q),
        })
        .collect();
    let opt = r.opt.map(|v| format!(r#", "opt": {v}"#)).unwrap_or_default();
    format!(
        r#"{{"id": "r{i}", "team": "{team}", "x": {}, "y": {}, "z": {}{opt}, "items": [{}]}}"#,
        r.x,
        r.y,
        r.z,
        items.join(", ")
    )
}

const SCHEMA: &str = r#"
schema s {
  identified by id
  id: text
  team: text
  x: integer
  y: integer
  z: integer
  opt: integer?
  items: list of { q: integer, r: integer? }
}
"#;

/// Run `rules` (id, `require` text, group by team or not) over `records`; the findings as
/// (rule id, record id or group key, names a computation with no answer).
fn engine(rules: &[(String, String, bool)], records: &[(String, Rec)]) -> Vec<(String, String, bool)> {
    let mut policy = format!("{SCHEMA}code \"P\" {{\n  level industry\n");
    for (id, req, group) in rules {
        let by = if *group { "group by record.team " } else { "" };
        policy.push_str(&format!("  rule {id} {{ for s {by}require {req} }}\n"));
    }
    policy.push_str("}\n");
    let text: String = records.iter().enumerate().map(|(i, (team, r))| json(i, team, r) + "\n").collect();
    let engine = precept::Engine::from_sources([("p.precept", policy.as_str())])
        .unwrap_or_else(|diags| panic!("{policy}\n{}", common::rendered(&diags)));
    let (outcome, findings) = common::check(&engine, &[("r.jsonl", &text)]);
    assert!(outcome.diagnostics.is_empty(), "{:#?}", outcome.diagnostics);
    assert_eq!(outcome.records, records.len());
    findings
        .iter()
        .map(|f| {
            let who = match &f.group {
                Some(g) => g.key.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>().join(","),
                None => f.record_id.clone().unwrap_or_default(),
            };
            let named = f.evidence.iter().any(|e| e.facts.iter().any(|(k, _)| *k == "no_answer"));
            (f.rule_id().to_string(), who, named)
        })
        .collect()
}

#[test]
fn conditions_over_records_agree_with_the_model() {
    let mut runner = TestRunner::new(Config { cases: 48, failure_persistence: None, ..Config::default() });
    let strategy = (proptest::collection::vec(cond(false), 6), proptest::collection::vec(record(), 1..5));
    runner
        .run(&strategy, |(conds, recs)| {
            let rules: Vec<(String, String, bool)> =
                conds.iter().enumerate().map(|(i, c)| (format!("c{i}"), c.text(), false)).collect();
            let records: Vec<(String, Rec)> = recs.iter().map(|r| ("t".to_string(), r.clone())).collect();
            let got = engine(&rules, &records);
            for (i, c) in conds.iter().enumerate() {
                for (j, r) in recs.iter().enumerate() {
                    let want = c.eval(r, None);
                    let finding = got.iter().find(|(id, who, _)| *id == format!("c{i}") && *who == format!("r{j}"));
                    let holds = want == M::Bool(true);
                    prop_assert_eq!(
                        finding.is_none(),
                        holds,
                        "`{}` on {:?}: model {:?}, engine {:?}",
                        c.text(),
                        r,
                        want,
                        finding
                    );
                    if let Some((_, _, named)) = finding {
                        prop_assert_eq!(*named, want == M::NoAnswer, "`{}` on {:?}: model {:?}", c.text(), r, want);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Groups.

/// A value aggregated: an integer expression, an optional field (left out where missing), or an
/// integer over a divisor from `record.y` (kept to 0, ±1, ±2, ±4, 5 so quotients are exact).
#[derive(Debug, Clone)]
enum Arg {
    Int(N),
    Opt,
    Quot(N),
}

#[derive(Debug, Clone)]
enum G {
    CountAll(Cmp, i64),
    Count(B, Cmp, i64),
    Share(B, Cmp, i64),
    Sum(Arg, Cmp, i64),
    /// 0 min, 1 max, 2 avg, 3.. percentile (25, 50, 90, 100), with a default for no values.
    Value(u8, Arg, i64, Cmp, i64),
    Not(Box<G>),
    And(Box<G>, Box<G>),
    Or(Box<G>, Box<G>),
}

const PCTS: [i64; 4] = [25, 50, 90, 100];

impl Arg {
    fn text(&self) -> String {
        match self {
            Arg::Int(n) => n.text(),
            Arg::Opt => "record.opt".into(),
            Arg::Quot(n) => format!("{} / record.y", n.text()),
        }
    }
    fn eval(&self, r: &Rec) -> M {
        match self {
            Arg::Int(n) => n.eval(r, None),
            Arg::Opt => r.opt.map_or(M::Missing, |v| int(i128::from(v))),
            Arg::Quot(n) => quotient(n.eval(r, None), int(i128::from(r.y))),
        }
    }
}

impl G {
    fn text(&self) -> String {
        match self {
            G::CountAll(c, k) => format!("(count() {} {k})", c.text()),
            G::Count(b, c, k) => format!("(count({}) {} {k})", b.text(), c.text()),
            G::Share(b, c, k) => format!("(share({}) {} {k}%)", b.text(), c.text()),
            G::Sum(a, c, k) => format!("(sum({}) {} {k})", a.text(), c.text()),
            G::Value(f, a, d, c, k) => {
                let call = match f {
                    0 => format!("min({})", a.text()),
                    1 => format!("max({})", a.text()),
                    2 => format!("avg({})", a.text()),
                    p => format!("percentile({}, {})", a.text(), PCTS[usize::from(p - 3)]),
                };
                format!("(({call} otherwise {d}) {} {k})", c.text())
            }
            G::Not(x) => format!("(not {})", x.text()),
            G::And(a, b) => format!("({} and {})", a.text(), b.text()),
            G::Or(a, b) => format!("({} or {})", a.text(), b.text()),
        }
    }

    fn eval(&self, rs: &[&Rec]) -> M {
        let k = |k: i64| M::Num(Q(i128::from(k), 1));
        match self {
            G::CountAll(c, n) => compare(*c, k(rs.len() as i64), k(*n)),
            G::Count(b, c, n) | G::Share(b, c, n) => {
                let vals: Vec<M> = rs.iter().map(|r| b.eval(r, None)).collect();
                let count = if vals.contains(&M::NoAnswer) {
                    M::NoAnswer
                } else if vals.contains(&M::Missing) {
                    M::Missing
                } else {
                    let t = vals.iter().filter(|v| **v == M::Bool(true)).count() as i128;
                    match self {
                        G::Share(..) => M::Num(Q(t * 100, rs.len() as i128)),
                        _ => M::Num(Q(t, 1)),
                    }
                };
                // A share is compared in percent: `t/n <= k%` as `100 t / n <= k`.
                compare(*c, count, k(*n))
            }
            G::Sum(a, c, n) => {
                let vals: Vec<M> = rs.iter().map(|r| a.eval(r)).filter(|v| *v != M::Missing).collect();
                let sum = if vals.contains(&M::NoAnswer) {
                    M::NoAnswer
                } else {
                    let s = vals.iter().fold(Q(0, 1), |acc, v| match v {
                        M::Num(q) => Q(acc.0 * q.1 + q.0 * acc.1, acc.1 * q.1),
                        _ => acc,
                    });
                    // An integer total must fit an integer; a decimal one is far from its limit here.
                    if matches!(a, Arg::Quot(_)) {
                        M::Num(s)
                    } else {
                        int(s.0 / s.1)
                    }
                };
                compare(*c, sum, k(*n))
            }
            G::Value(f, a, d, c, n) => {
                let vals: Vec<M> = rs.iter().map(|r| a.eval(r)).filter(|v| *v != M::Missing).collect();
                let v = if vals.contains(&M::NoAnswer) {
                    M::NoAnswer
                } else {
                    let mut qs: Vec<Q> = vals
                        .iter()
                        .filter_map(|v| match v {
                            M::Num(q) => Some(*q),
                            _ => None,
                        })
                        .collect();
                    qs.sort_by(|a, b| cmp_q(*a, *b));
                    if qs.is_empty() {
                        k(*d)
                    } else {
                        match f {
                            0 => M::Num(qs[0]),
                            1 => M::Num(qs[qs.len() - 1]),
                            2 => {
                                let s = qs.iter().fold(Q(0, 1), |acc, q| Q(acc.0 * q.1 + q.0 * acc.1, acc.1 * q.1));
                                M::Num(Q(s.0, s.1 * qs.len() as i128))
                            }
                            p => {
                                // Nearest rank: ceil(p/100 * n), at least 1.
                                let p = i128::from(PCTS[usize::from(p - 3)]);
                                let n = qs.len() as i128;
                                let rank = ((p * n + 99) / 100).max(1) as usize;
                                M::Num(qs[rank.min(qs.len()) - 1])
                            }
                        }
                    }
                };
                compare(*c, v, k(*n))
            }
            G::Not(x) => not(x.eval(rs)),
            G::And(a, b) => and(a.eval(rs), b.eval(rs)),
            G::Or(a, b) => or(a.eval(rs), b.eval(rs)),
        }
    }
}

fn arg() -> impl Strategy<Value = Arg> {
    prop_oneof![num(false).prop_map(Arg::Int), Just(Arg::Opt), num(false).prop_map(Arg::Quot)]
}

fn group_req() -> impl Strategy<Value = G> {
    let leaf = prop_oneof![
        (cmp(), 0i64..=4).prop_map(|(c, k)| G::CountAll(c, k)),
        (cond(false), cmp(), 0i64..=3).prop_map(|(b, c, k)| G::Count(b, c, k)),
        (cond(false), cmp(), prop_oneof![Just(0i64), Just(10), Just(25), Just(50), Just(100)])
            .prop_map(|(b, c, k)| G::Share(b, c, k)),
        (arg(), cmp(), -3i64..=6).prop_map(|(a, c, k)| G::Sum(a, c, k)),
        (0u8..7, arg(), 0i64..=2, cmp(), -3i64..=6).prop_map(|(f, a, d, c, k)| G::Value(f, a, d, c, k)),
    ];
    leaf.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| G::Not(Box::new(x))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| G::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| G::Or(Box::new(a), Box::new(b))),
        ]
    })
}

#[test]
fn group_requirements_agree_with_the_model() {
    let mut runner = TestRunner::new(Config { cases: 40, failure_persistence: None, ..Config::default() });
    // Divisors in `record.y` that make exact decimal quotients.
    let y = prop_oneof![3 => Just(0i64), 1 => Just(1), 1 => Just(-1), 1 => Just(2), 1 => Just(-4), 1 => Just(5)];
    let rec = (record(), y).prop_map(|(mut r, y)| {
        r.y = y;
        r
    });
    let team = prop_oneof![Just("A".to_string()), Just("B".to_string()), Just("C".to_string())];
    let strategy = (proptest::collection::vec(group_req(), 5), proptest::collection::vec((team, rec), 1..9));
    runner
        .run(&strategy, |(reqs, records)| {
            let rules: Vec<(String, String, bool)> =
                reqs.iter().enumerate().map(|(i, g)| (format!("g{i}"), g.text(), true)).collect();
            let got = engine(&rules, &records);
            for team in ["A", "B", "C"] {
                let members: Vec<&Rec> = records.iter().filter(|(t, _)| t == team).map(|(_, r)| r).collect();
                if members.is_empty() {
                    continue;
                }
                for (i, g) in reqs.iter().enumerate() {
                    let want = g.eval(&members);
                    let finding = got.iter().find(|(id, who, _)| *id == format!("g{i}") && who == team);
                    prop_assert_eq!(
                        finding.is_none(),
                        want == M::Bool(true),
                        "`{}` on team {} {:?}: model {:?}, engine {:?}",
                        g.text(),
                        team,
                        members,
                        want,
                        finding
                    );
                    // A group that has no answer names the computation and the record.
                    if want == M::NoAnswer {
                        prop_assert!(finding.is_some_and(|f| f.2), "`{}` on team {}: not named", g.text(), team);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}
