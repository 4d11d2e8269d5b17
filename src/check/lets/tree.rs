//! Walks over expression trees for [`super`]: their children, the names they read, their size
//! and depth, placing them elsewhere, and reading counts given literals as literals.

use std::collections::HashSet;

use crate::ast::{Expr, ExprKind};
use crate::engine::program::MAX_COUNT;
use crate::source::Span;

/// The expressions directly inside `k` (not through a binder: quantifiers and counts are walked
/// on their own).
pub(super) fn children_mut(k: &mut ExprKind) -> Vec<&mut Expr> {
    match k {
        ExprKind::BusinessDaysOf(x, _)
        | ExprKind::MonthsOf(x, _)
        | ExprKind::DurationOf(x, _)
        | ExprKind::Unary(_, x)
        | ExprKind::Presence(x, _) => vec![&mut **x],
        ExprKind::Binary(_, a, b) | ExprKind::Otherwise(a, b) | ExprKind::BusinessBetween(a, b, _) => {
            vec![&mut **a, &mut **b]
        }
        ExprKind::If(a, b, c) => vec![&mut **a, &mut **b, &mut **c],
        ExprKind::Set(xs) | ExprKind::Call(_, xs) => xs.iter_mut().collect(),
        ExprKind::Quantifier(_, _, a, b) => vec![&mut **a, &mut **b],
        ExprKind::Count(_, a, b) => std::iter::once(&mut **a).chain(b.as_deref_mut()).collect(),
        ExprKind::Path(_)
        | ExprKind::Integer(_)
        | ExprKind::Decimal(_)
        | ExprKind::Money(..)
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::Date(_)
        | ExprKind::DateTime(_)
        | ExprKind::Duration(_)
        | ExprKind::BusinessDays(..)
        | ExprKind::Months(_)
        | ExprKind::CountAll
        | ExprKind::Percent(_)
        | ExprKind::Now => Vec::new(),
    }
}

/// The expressions directly inside `e`.
pub(super) fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::BusinessDaysOf(a, _)
        | ExprKind::MonthsOf(a, _)
        | ExprKind::DurationOf(a, _)
        | ExprKind::Unary(_, a)
        | ExprKind::Presence(a, _) => vec![&**a],
        ExprKind::Binary(_, a, b)
        | ExprKind::Otherwise(a, b)
        | ExprKind::BusinessBetween(a, b, _)
        | ExprKind::Quantifier(_, _, a, b) => vec![&**a, &**b],
        ExprKind::If(a, b, c) => vec![&**a, &**b, &**c],
        ExprKind::Set(xs) | ExprKind::Call(_, xs) => xs.iter().collect(),
        ExprKind::Count(_, a, b) => std::iter::once(&**a).chain(b.as_deref()).collect(),
        _ => Vec::new(),
    }
}

/// Call `f` on every node of `e`.
pub(super) fn visit<'e>(e: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        f(x);
        stack.extend(children(x));
    }
}

/// The names an expression reads (first names of paths and called names), bound or not: to find
/// which definitions a definition uses.
pub(super) fn names_used(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    visit(e, &mut |x| match &x.kind {
        ExprKind::Path(names) => out.extend(names.first().map(|n| n.text.clone())),
        ExprKind::Call(f, _) => out.push(f.text.clone()),
        _ => {}
    });
    out
}

/// The first names of paths in `e` not bound by a quantifier inside it: what it reads from where
/// it is placed.
pub(super) fn free_names(e: &Expr) -> HashSet<String> {
    fn go(e: &Expr, bound: &mut Vec<String>, out: &mut HashSet<String>) {
        match &e.kind {
            ExprKind::Path(names) => {
                if let Some(n) = names.first().filter(|n| !bound.contains(&n.text)) {
                    out.insert(n.text.clone());
                }
            }
            ExprKind::Quantifier(_, v, list, cond) | ExprKind::Count(Some(v), list, Some(cond)) => {
                go(list, bound, out);
                bound.push(v.text.clone());
                go(cond, bound, out);
                bound.pop();
            }
            _ => {
                for c in children(e) {
                    go(c, bound, out);
                }
            }
        }
    }
    let mut out = HashSet::new();
    go(e, &mut Vec::new(), &mut out);
    out
}

/// How many nodes `e` has.
pub(super) fn size(e: &Expr) -> usize {
    let mut n = 0;
    visit(e, &mut |_| n += 1);
    n
}

/// How deep `e` nests.
pub(super) fn depth(e: &Expr) -> usize {
    1 + children(e).into_iter().map(depth).max().unwrap_or(0)
}

/// Place every part of `e` at `at`.
pub(super) fn respan(e: &mut Expr, at: Span) {
    e.span = at;
    match &mut e.kind {
        ExprKind::Path(names) => names.iter_mut().for_each(|n| n.span = at),
        ExprKind::Quantifier(_, v, ..) | ExprKind::Count(Some(v), ..) => v.span = at,
        ExprKind::Call(f, _) => f.span = at,
        ExprKind::Money(_, c) => c.span = at,
        ExprKind::BusinessDays(_, Some(c))
        | ExprKind::BusinessDaysOf(_, Some(c))
        | ExprKind::BusinessBetween(_, _, Some(c)) => c.span = at,
        _ => {}
    }
    for c in children_mut(&mut e.kind) {
        respan(c, at);
    }
}

/// Write a count of units given a literal argument as the literal it now is: `n business days`
/// with `n` replaced by `5` is `5 business days`, as if written so. The meaning is the same (within
/// [`MAX_COUNT`]); the form matters to the strictness check of overrides, which compares a literal
/// with a literal.
pub(super) fn fold_counts(e: &mut Expr) {
    let folded = match &e.kind {
        ExprKind::BusinessDaysOf(x, cal) => match x.kind {
            ExprKind::Integer(n) if (0..=MAX_COUNT).contains(&n) => Some(ExprKind::BusinessDays(n, cal.clone())),
            _ => None,
        },
        ExprKind::MonthsOf(x, years) => match x.kind {
            ExprKind::Integer(n) if (0..=MAX_COUNT).contains(&n) => {
                Some(ExprKind::Months(if *years { n * 12 } else { n }))
            }
            _ => None,
        },
        ExprKind::DurationOf(x, per) => match x.kind {
            ExprKind::Integer(n) if (0..=MAX_COUNT).contains(&n) => n.checked_mul(*per).map(ExprKind::Duration),
            _ => None,
        },
        _ => None,
    };
    match folded {
        Some(k) => e.kind = k,
        None => {
            for c in children_mut(&mut e.kind) {
                fold_counts(c);
            }
        }
    }
}
