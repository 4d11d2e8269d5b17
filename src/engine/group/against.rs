//! Which records count against a group's requirement, to show with its finding: for
//! `share(c) >= 70%` the records where `c` is false, for `count(c) <= 5` those where it is true,
//! for `avg(x) <= 30m` or `max(x) <= 30m` the records with the largest `x`.
//!
//! Separate from the fold in [`super`] because it is decided from the shape of the rule's
//! `require`s (which way each aggregate is compared), once per rule, and at the end from which
//! comparison failed. What is kept stays bounded: per group, [`MAX_SAMPLES`] records for each
//! aggregate and way some `require` compares it in.

use std::cmp::Ordering;

use super::keys::owned;
use super::MAX_SAMPLES;
use crate::engine::eval::{compare, eval, vars, Cx};
use crate::engine::program::{AggKind, CExpr, CmpOp, GroupSpec, Root};
use crate::engine::value::{Value, V};
use crate::engine::verdict::Sample;

/// Which way an aggregate goes against a requirement: `High` when it may be at most something
/// (`<=`, `<`), `Low` when it must be at least something (`>=`, `>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    High,
    Low,
}

/// The records a group keeps for one aggregate and way: for a condition (`share`, `count(cond)`),
/// the first ones that count against it in the order read; for a value, the worst ones (largest
/// for `High`, smallest for `Low`), worst first, the earlier read first among equals. Either way
/// the result does not depend on how many threads ran: groups are folded on one thread, in file
/// and record order.
#[derive(Debug, Default)]
pub(super) struct Kept {
    records: Vec<(Value, Sample)>,
}

impl Kept {
    /// The records kept, worst (or first) first.
    pub(super) fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.records.iter().map(|(_, s)| s)
    }

    /// Offer one record's value of `kind`'s argument; `sample` names it and is called only when
    /// the record is kept.
    pub(super) fn offer(&mut self, kind: AggKind, way: Way, v: V<'_>, sample: &mut dyn FnMut() -> Sample) {
        match kind {
            AggKind::Share | AggKind::CountWhere => {
                let against = match (v, way) {
                    (V::Bool(b), Way::High) => b,
                    (V::Bool(b), Way::Low) => !b,
                    _ => false,
                };
                if against && self.records.len() < MAX_SAMPLES {
                    self.records.push((Value::Missing, sample()));
                }
            }
            AggKind::Count => {}
            AggKind::Sum(_) | AggKind::Avg(_) | AggKind::Min(_) | AggKind::Max(_) | AggKind::Percentile(..) => {
                if matches!(v, V::Missing | V::NoAnswer(_) | V::Unreadable(_)) {
                    return;
                }
                let worse = |kept: &Value| {
                    let o = compare(v, kept.view());
                    match way {
                        Way::High => o == Some(Ordering::Greater),
                        Way::Low => o == Some(Ordering::Less),
                    }
                };
                // Worst first; a value equal to one kept goes after it (the earlier read stays).
                let at = self.records.iter().position(|(k, _)| worse(k)).unwrap_or(self.records.len());
                if at < MAX_SAMPLES {
                    self.records.insert(at, (owned(v), sample()));
                    self.records.truncate(MAX_SAMPLES);
                }
            }
        }
    }
}

/// The aggregate a side of a comparison reads directly (through `otherwise` or a widening to a
/// decimal), by index into the rule's aggregates.
fn aggregate(e: &CExpr, first: usize, spec: &GroupSpec) -> Option<usize> {
    match e {
        CExpr::Otherwise(x, _) | CExpr::ToDec(x) => aggregate(x, first, spec),
        CExpr::Field(Root::Record, path) => match path.as_ref() {
            [slot] => {
                let i = usize::from(*slot).checked_sub(first)?;
                spec.aggs.get(i).filter(|a| a.kind != AggKind::Count).map(|_| i)
            }
            _ => None,
        },
        _ => None,
    }
}

/// A comparison of an aggregate in a `require`: the aggregate, the way against it, the comparison,
/// and whether it sits under a `not` (or the left of `implies`), where it must not hold.
pub(crate) struct Pull<'a> {
    pub(crate) agg: usize,
    pub(crate) way: Way,
    pub(crate) cmp: &'a CExpr,
    pub(crate) negated: bool,
}

/// The comparisons of aggregates in `require`, in the order written. `first` is the slot of the
/// first aggregate in the group's record.
pub(crate) fn pulls<'a>(require: &'a CExpr, first: usize, spec: &GroupSpec) -> Vec<Pull<'a>> {
    let mut out = Vec::new();
    walk(require, first, spec, false, &mut out);
    out
}

fn walk<'a>(e: &'a CExpr, first: usize, spec: &GroupSpec, negated: bool, out: &mut Vec<Pull<'a>>) {
    match e {
        CExpr::Not(x) => walk(x, first, spec, !negated, out),
        CExpr::And(a, b) | CExpr::Or(a, b) => {
            walk(a, first, spec, negated, out);
            walk(b, first, spec, negated, out);
        }
        CExpr::Implies(a, b) => {
            walk(a, first, spec, !negated, out);
            walk(b, first, spec, negated, out);
        }
        CExpr::Cmp(op, _, a, b) => {
            let high = match op {
                CmpOp::Lt | CmpOp::Le => true,
                CmpOp::Gt | CmpOp::Ge => false,
                CmpOp::Eq | CmpOp::Ne => return,
            };
            let sides = [(aggregate(a, first, spec), high), (aggregate(b, first, spec), !high)];
            for (agg, high) in sides {
                let Some(agg) = agg else { continue };
                // Under a `not`, the comparison must fail: the other way counts against it.
                let way = if high != negated { Way::High } else { Way::Low };
                out.push(Pull { agg, way, cmp: e, negated });
            }
        }
        _ => {}
    }
}

/// Every aggregate and way some `require` of the rule compares, each once, in the order written:
/// what each group keeps records for.
pub(crate) fn wants(requires: &[CExpr], first: usize, spec: &GroupSpec) -> Vec<(usize, Way)> {
    let mut out: Vec<(usize, Way)> = Vec::new();
    for p in requires.iter().flat_map(|r| pulls(r, first, spec)) {
        if !out.contains(&(p.agg, p.way)) {
            out.push((p.agg, p.way));
        }
    }
    out
}

/// Of the comparisons in the failing `require`, the first that does not hold over the group's
/// `values` (else the first there is): which aggregate and way the records shown go against.
pub(super) fn failed(
    require: &CExpr,
    first: usize,
    spec: &GroupSpec,
    values: &[Value],
    cx: &Cx<'_, '_>,
) -> Option<(usize, Way)> {
    let all = pulls(require, first, spec);
    let mut vs = vars();
    let broke = all.iter().find(|p| eval(p.cmp, values, cx, &mut vs).is_true() == p.negated);
    broke.or(all.first()).map(|p| (p.agg, p.way))
}
