//! How the built-in functions evaluate: pure functions through their bodies in [`super::table`],
//! questions about roles by the run's authority, date keys by the calendar.
//!
//! Called from [`crate::engine::eval::eval`] on the hot path: nothing here allocates.

use super::{Builtin, Family, MAX_ARGS};
use crate::calendar::Calendar;
use crate::engine::authority::{Amount, Query};
use crate::engine::eval::{day, eval, local_day, Cx, Vars};
use crate::engine::num::Num;
use crate::engine::program::{CExpr, DateUnit, ScopeFn};
use crate::engine::value::{Value, V};

/// A call of a pure function. Every argument is evaluated; if any is unknown, the call is unknown as
/// an operator's result is (no answer wins over missing, and an unreadable argument counts only
/// when it is the sole unknown, see [`V::unknown`]); else the function's body computes the value.
// Out of line: inlined into `eval`, its argument array and `ask`'s (160 bytes each) and their
// temporaries made every call of the evaluator set up a 1,048-byte stack frame (696 without);
// 1.4% less CPU apart.
#[inline(never)]
pub fn call<'a>(f: &'a Builtin, args: &'a [CExpr], record: &'a [Value], cx: &Cx<'a, '_>, vars: &mut Vars<'a>) -> V<'a> {
    let Family::Pure(body) = f.family else { return V::Missing };
    let mut vals = [V::Missing; MAX_ARGS];
    let mut unknown: Option<V<'a>> = None;
    for (slot, a) in vals.iter_mut().zip(args.iter()) {
        let v = eval(a, record, cx, vars);
        if !v.is_value() {
            unknown = Some(unknown.map_or(v, |u| u.unknown(v)));
        }
        *slot = v;
    }
    match (unknown, vals.get(..args.len())) {
        (Some(u), _) => u,
        (None, Some(vals)) => body(vals),
        // More arguments than a pure function may take: the registry's tests rule this out.
        (None, None) => V::Missing,
    }
}

/// The first day of the `unit` that a date or instant falls in: its own local day (in the zone of
/// calendar `zone`, or at the offset it was written with when `None`; a date is itself), the
/// business day it counts as received on, its week's Monday, its month's or its year's first day.
pub fn period_start(unit: DateUnit, zone: Option<usize>, v: V<'_>, cals: &[Calendar]) -> Option<jiff::civil::Date> {
    let day = |v| local_day(v, zone.and_then(|z| cals.get(z)));
    match unit {
        DateUnit::BusinessDay(cal) => {
            let cal = cals.get(cal)?;
            match v {
                V::DateTime(ts, _) => Some(cal.receipt_day(ts)),
                V::Date(d) => {
                    // A date has no time of day: it counts on itself when worked, else the next worked day.
                    let start = d.to_zoned(cal.zone().clone()).ok()?.timestamp();
                    Some(cal.receipt_day(start))
                }
                _ => None,
            }
        }
        DateUnit::Day => day(v),
        DateUnit::Week => {
            let d = day(v)?;
            let back = i64::from(d.weekday().to_monday_zero_offset());
            d.checked_sub(jiff::Span::new().days(back)).ok()
        }
        DateUnit::Month => day(v)?.first_of_month().into(),
        DateUnit::Year => day(v)?.first_of_year().into(),
    }
}

/// Put a question about staff and roles to the authority. Any argument without a value, or no
/// authority at all, leaves the question without an answer.
// Out of line for the same reason as `call`.
#[inline(never)]
pub fn ask<'a>(f: ScopeFn, args: &'a [CExpr], record: &'a [Value], cx: &Cx<'a, '_>, vars: &mut Vars<'a>) -> V<'a> {
    let Some(auth) = cx.authority else { return V::Missing };
    let mut vals = [V::Missing; MAX_ARGS];
    for (i, (slot, a)) in vals.iter_mut().zip(args.iter()).enumerate() {
        *slot = super::super::eval::operand(a, record, cx, vars);
        match *slot {
            // A question about a failed computation has no answer; one about a value that could
            // not be read cannot be determined.
            V::NoAnswer(_) | V::Unreadable(_) => return *slot,
            // Only a `may` question's amount (its third argument) may be missing.
            V::Missing if !(matches!(f, ScopeFn::May { amount: true, .. }) && i == 2) => return V::Missing,
            _ => {}
        }
    }
    let text = |v: V<'a>| match v {
        V::Text(t) => Some(t),
        _ => None,
    };
    let q = match (f, vals) {
        (ScopeFn::RoleOf, [s, on, ..]) => {
            let (Some(s), Some(on)) = (text(s), day(on)) else { return V::Missing };
            return auth.role_of(s, on).map_or(V::Missing, V::Text);
        }
        (ScopeFn::May { amount: false, .. }, [s, a, on, _]) => {
            let (Some(staff), Some(action), Some(on)) = (text(s), text(a), day(on)) else { return V::Missing };
            Query::May { staff, action, amount: None, on }
        }
        (ScopeFn::May { amount: true, currency }, [s, a, n, on]) => {
            let (Some(staff), Some(action), Some(on)) = (text(s), text(a), day(on)) else { return V::Missing };
            let amount = match n {
                V::Money(d) => currency.map(|c| Amount::Money(d, c)),
                V::Int(i) => Some(Amount::Number(Num::from(i))),
                V::Dec(d) => Some(Amount::Number(d)),
                V::Duration(d) => Some(Amount::Duration(d)),
                _ => None,
            };
            Query::May { staff, action, amount, on }
        }
        (ScopeFn::Outranks, [s, j, on, _]) => {
            let (Some(senior), Some(junior), Some(on)) = (text(s), text(j), day(on)) else { return V::Missing };
            Query::Outranks { senior, junior, on }
        }
        (ScopeFn::Qualified, [s, q, on, _]) => {
            let (Some(staff), Some(qualification), Some(on)) = (text(s), text(q), day(on)) else { return V::Missing };
            Query::Qualified { staff, qualification, on }
        }
        (ScopeFn::QualifiedFor, [s, a, on, _]) => {
            let (Some(staff), Some(area), Some(on)) = (text(s), text(a), day(on)) else { return V::Missing };
            Query::QualifiedFor { staff, area, on }
        }
    };
    if let Some(trace) = cx.trace {
        let ev = auth.explain(&q);
        let mut t = trace.borrow_mut();
        if !t.contains(&ev) {
            t.push(ev);
        }
    }
    V::Bool(auth.judge(&q))
}
