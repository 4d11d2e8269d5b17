//! Clauses a code lists, against a small model of their meaning: a chain of codes, each extending
//! the one before, lists clauses and has rules citing them (or not, or a clause no code lists), and
//! rules of one id override the one before. The model says which lists are errors (a clause listed
//! twice, an inherited one included), which cites are warned about (a code that lists or inherits
//! any clause, cited a clause it does not), and which listed clauses are gaps (no running rule
//! implements them: at its own `cite`, or, for an override, at the cite of a rule it replaces).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;

use proptest::prelude::*;

const CLAUSES: &[&str] = &["c1", "c2", "c3", "c4"];
const IDS: &[&str] = &["r1", "r2", "r3"];

/// One code of the chain: the clauses it lists, in order (repeats allowed), and its rules by id
/// (each id once), each with the clause it cites.
#[derive(Debug, Clone)]
struct Code {
    clauses: Vec<usize>,
    rules: Vec<(usize, Option<usize>)>,
}

fn code() -> impl Strategy<Value = Code> {
    // A cite of index 4 names a clause no code lists.
    let cite = prop::option::of(0usize..5);
    (prop::collection::vec(0usize..4, 0..4), prop::collection::btree_map(0usize..3, cite, 0..3))
        .prop_map(|(clauses, rules)| Code { clauses, rules: rules.into_iter().collect() })
}

/// A chain of one to three codes. Most lists are kept free of repeats (a clause listed twice stops
/// the policy, and the rest would go untried); one chain in four keeps what was drawn.
fn chain() -> impl Strategy<Value = Vec<Code>> {
    (prop::collection::vec(code(), 1..4), prop::bool::weighted(0.25)).prop_map(|(mut codes, repeats)| {
        if !repeats {
            let mut seen = BTreeSet::new();
            for c in &mut codes {
                c.clauses.retain(|k| seen.insert(*k));
            }
        }
        codes
    })
}

fn cite_name(c: usize) -> &'static str {
    CLAUSES.get(c).copied().unwrap_or("x9")
}

fn policy(codes: &[Code]) -> String {
    let mut out = String::from("schema t {\n  identified by id\n  id: text\n  n: integer\n}\n");
    for (i, c) in codes.iter().enumerate() {
        out.push_str(&format!("code \"K{i}\" {{\n  level organisational\n"));
        if i > 0 {
            out.push_str(&format!("  extends \"K{}\"\n", i - 1));
        }
        for &k in &c.clauses {
            out.push_str(&format!("  clause \"{}\" \"title {k}\"\n", CLAUSES[k]));
        }
        for &(id, cite) in &c.rules {
            out.push_str(&format!("  rule {} {{\n", IDS[id]));
            if let Some(cite) = cite {
                out.push_str(&format!("    cite \"{}\"\n", cite_name(cite)));
            }
            out.push_str("    for t\n    require record.n <= 5\n    message \"n is {record.n}\"\n  }\n");
        }
        out.push_str("}\n");
    }
    // A code of its own, after the chain, so that the policy has a rule whatever the chain has.
    out.push_str("code \"Other\" {\n  level organisational\n  rule other {\n    for t\n    require record.n >= 0\n    message \"n is {record.n}\"\n  }\n}\n");
    out
}

/// What the model expects: the number of clauses listed twice, the (code, rule id) of each cite
/// warned about, and the gaps as (code, clause).
type Expected = (usize, BTreeSet<(usize, &'static str)>, BTreeSet<(usize, &'static str)>);

fn model(codes: &[Code]) -> Expected {
    let mut twice = 0;
    let mut own: Vec<Vec<usize>> = Vec::new();
    let mut effective: Vec<BTreeSet<usize>> = Vec::new();
    for c in codes {
        let mut all = effective.last().cloned().unwrap_or_default();
        let mut mine = Vec::new();
        for &k in &c.clauses {
            if all.insert(k) {
                mine.push(k);
            } else {
                twice += 1;
            }
        }
        own.push(mine);
        effective.push(all);
    }
    let mut warned = BTreeSet::new();
    for (i, c) in codes.iter().enumerate() {
        for &(id, cite) in &c.rules {
            if let Some(cite) = cite {
                if !effective[i].is_empty() && !effective[i].contains(&cite) {
                    warned.insert((i, IDS[id]));
                }
            }
        }
    }
    // The code a cite traces to: the nearest of the rule's code and those before it that lists it.
    let home = |i: usize, cite: usize| (0..=i).rev().find(|&k| own[k].contains(&cite)).unwrap_or(i);
    let mut covered = BTreeSet::new();
    for (i, c) in codes.iter().enumerate() {
        for &(id, cite) in &c.rules {
            // A rule runs unless a later code (one extending it) has a rule of its id.
            if codes[i + 1..].iter().any(|later| later.rules.iter().any(|r| r.0 == id)) {
                continue;
            }
            if let Some(cite) = cite {
                covered.insert((home(i, cite), cite));
            }
            // An override also implements what every rule of its id before it cites.
            for (j, earlier) in codes[..i].iter().enumerate() {
                for &(eid, ecite) in &earlier.rules {
                    if let (true, Some(ecite)) = (eid == id, ecite) {
                        covered.insert((home(j, ecite), ecite));
                    }
                }
            }
        }
    }
    let gaps = own
        .iter()
        .enumerate()
        .flat_map(|(k, list)| list.iter().map(move |&c| (k, c)))
        .filter(|g| !covered.contains(g))
        .map(|(k, c)| (k, CLAUSES[c]))
        .collect();
    (twice, warned, gaps)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn checks_and_gaps_follow_the_model(codes in chain()) {
        let text = policy(&codes);
        let (twice, warned, gaps) = model(&codes);
        match precept::Engine::from_sources([("p.precept", text.as_str())]) {
            Err(diags) => {
                let listed_twice = diags.iter().filter(|d| d.code == "precept::code::clause-listed-twice").count();
                prop_assert!(twice > 0, "{text}\n{}", common::rendered(&diags));
                prop_assert_eq!(listed_twice, twice, "{}\n{}", text, common::rendered(&diags));
            }
            Ok(engine) => {
                prop_assert_eq!(twice, 0, "{}", text);
                let found: BTreeSet<(usize, &str)> = engine
                    .warnings()
                    .iter()
                    .filter(|d| d.code == "precept::code::unlisted-clause")
                    .map(|d| {
                        let rule = IDS.iter().copied().find(|id| d.message.contains(&format!("rule `{id}`"))).unwrap();
                        let code = (0..codes.len()).find(|i| d.message.contains(&format!("code `K{i}`"))).unwrap();
                        (code, rule)
                    })
                    .collect();
                prop_assert_eq!(&found, &warned, "{}", text);
                let catalogue = engine.catalogue();
                let shown: BTreeSet<(usize, &str)> =
                    catalogue.uncited_clauses().iter().map(|(k, c)| (*k, c.id.as_str())).collect();
                let gaps: BTreeSet<(usize, &str)> = gaps.iter().copied().collect();
                prop_assert_eq!(shown, gaps, "{}", text);
            }
        }
    }
}

/// Without listed clauses nothing is checked: a policy written before codes could list clauses
/// gives no clause diagnostic, whatever it cites.
#[test]
fn codes_that_list_no_clause_are_not_checked() {
    let codes =
        [Code { clauses: vec![], rules: vec![(0, Some(4))] }, Code { clauses: vec![], rules: vec![(1, Some(0))] }];
    let engine = common::engine(&policy(&codes));
    assert!(engine.warnings().is_empty(), "{}", common::rendered(engine.warnings()));
    assert!(engine.catalogue().uncited_clauses().is_empty());
}
