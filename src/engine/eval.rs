//! Evaluation of compiled expressions over one record: the hot path.
//!
//! Nothing here allocates: values borrow from the record and the program, variables live in a fixed
//! array. Logic is three-valued: a condition is true, false, or unknown. Unknown comes from a
//! missing operand ([`V::Missing`]) or from a computation without an answer (division by zero,
//! overflow, a date out of range: [`V::NoAnswer`]); the two are kept apart, since `otherwise` and
//! `is missing` are about missing values only. An unknown never satisfies a condition, and decides
//! nothing where the outcome does not depend on it (`true or unknown` is true, `all` over a false
//! element is false); where it does, the outcome is unknown too, and no answer wins over missing
//! so the finding can say which computation failed.

use std::cmp::Ordering;

use jiff::{SignedDuration, ToSpan};

use std::cell::RefCell;

use super::authority::{Authority, Evidence};
use super::builtins;
use super::num::Num;
use super::program::{Arith, CExpr, CmpOp, CountUnit, Kind, Quant, Root, TextOp, MAX_COUNT, MAX_VARS};
use super::value::{Value, Why, V};
use crate::calendar::Calendar;

/// How a date key (`week(x)`, a presence rule's period) is found, kept here under its old name.
pub use super::builtins::period_start;

/// Quantifier variables in scope.
pub type Vars<'a> = [V<'a>; MAX_VARS];

/// Fresh, empty variables.
pub fn vars<'a>() -> Vars<'a> {
    [V::Missing; MAX_VARS]
}

/// Follow a slot path from an object.
///
/// The path is walked over the record's own values and only the value at its end is viewed: a
/// [`V`] is 40 bytes, and one rebuilt at every step was stored in pieces and read back whole,
/// which stalled the processor on every field read (a seventh of evaluation's time).
#[inline]
pub fn follow<'a>(cur: V<'a>, steps: &[u16]) -> V<'a> {
    match cur {
        _ if steps.is_empty() => cur,
        V::Object(slots) => slot_at(slots, steps).map_or(V::Missing, Value::view),
        _ => V::Missing,
    }
}

/// The value at a non-empty slot path from an object's `slots`, if every step but the last is an
/// object.
#[inline]
fn slot_at<'a>(mut slots: &'a [Value], steps: &[u16]) -> Option<&'a Value> {
    let (last, through) = steps.split_last()?;
    for &s in through {
        match slots.get(s as usize)? {
            Value::Object(o) => slots = o,
            _ => return None,
        }
    }
    slots.get(*last as usize)
}

/// What evaluation may consult besides the record: calendars, the answers about staff and roles,
/// and (only when explaining a finding) where to note the evidence behind each such answer.
#[derive(Clone, Copy)]
pub struct Cx<'a, 't> {
    /// Business calendars, by index.
    pub cals: &'a [Calendar],
    /// Who answers questions about staff and roles; without one, such questions have no answer.
    pub authority: Option<&'a dyn Authority>,
    /// Evidence for each question asked, when explaining a record that broke a rule.
    pub trace: Option<&'t RefCell<Vec<Evidence>>>,
    /// What `now` stands for: the evaluation time and the offset it is shown at. `None` outside a
    /// run with an as-of; such a run never reaches a rule that uses `now` (the engine refuses it
    /// with `precept::usage::no-as-of`), so there `now` is missing.
    pub now: Option<(jiff::Timestamp, i32)>,
}

impl<'a> Cx<'a, 'static> {
    /// Calendars only.
    pub fn new(cals: &'a [Calendar]) -> Self {
        Cx { cals, authority: None, trace: None, now: None }
    }

    /// Calendars and an authority on roles.
    pub fn with(cals: &'a [Calendar], authority: Option<&'a dyn Authority>) -> Self {
        Cx { cals, authority, trace: None, now: None }
    }

    /// The program's calendars and evaluation time, and an authority on roles.
    pub fn of(program: &'a super::Program, authority: Option<&'a dyn Authority>) -> Self {
        let now = program.evaluation.as_ref().map(|e| (e.at, e.offset));
        Cx { cals: program.calendars.as_slice(), authority, trace: None, now }
    }
}

/// Evaluate an operand: a constant or a field path (of the record or of a variable) is read right
/// here, in the caller, and anything else is evaluated. Most operands of a comparison, a test or
/// a question are such leaves, and each call of [`eval`] for one cost a frame set up and torn
/// down and a dispatch, as much as the reading itself.
#[inline(always)]
pub(crate) fn operand<'a>(e: &'a CExpr, record: &'a [Value], cx: &Cx<'a, '_>, vars: &mut Vars<'a>) -> V<'a> {
    match e {
        CExpr::Const(v) => v.view(),
        CExpr::Field(Root::Record, steps) => follow(V::Object(record), steps),
        CExpr::Field(Root::Var(i), steps) => follow(vars.get(*i as usize).copied().unwrap_or(V::Missing), steps),
        _ => eval(e, record, cx, vars),
    }
}

/// Evaluate `e` for `record`.
///
/// The arms every rule runs (fields, logic, comparisons) are here; the rest live in `eval_rest`,
/// `quantify` and `count`, kept out of line so that this function's stack frame, set up on
/// every one of the millions of calls a run makes, holds only what the common arms need.
pub fn eval<'a>(e: &'a CExpr, record: &'a [Value], cx: &Cx<'a, '_>, vars: &mut Vars<'a>) -> V<'a> {
    match e {
        // Leaves are read by `operand`, which never comes back here for them.
        CExpr::Const(_) | CExpr::Field(..) => operand(e, record, cx, vars),
        CExpr::Var(i) => vars.get(*i as usize).copied().unwrap_or(V::Missing),
        CExpr::Not(x) => match eval(x, record, cx, vars) {
            V::Bool(b) => V::Bool(!b),
            other => other.or_missing(),
        },
        // Three-valued logic: a side with no answer decides nothing, so the result does not depend on
        // the order of the operands (`missing or true` holds like `true or missing`).
        CExpr::And(a, b) => match eval(a, record, cx, vars) {
            V::Bool(false) => V::Bool(false),
            l => match (l, eval(b, record, cx, vars)) {
                (_, V::Bool(false)) => V::Bool(false),
                (V::Bool(true), V::Bool(true)) => V::Bool(true),
                (l, r) => l.open(r),
            },
        },
        CExpr::Or(a, b) => match eval(a, record, cx, vars) {
            V::Bool(true) => V::Bool(true),
            l => match (l, eval(b, record, cx, vars)) {
                (_, V::Bool(true)) => V::Bool(true),
                (V::Bool(false), V::Bool(false)) => V::Bool(false),
                (l, r) => l.open(r),
            },
        },
        CExpr::Implies(a, b) => match eval(a, record, cx, vars) {
            V::Bool(false) => V::Bool(true),
            l => match (l, eval(b, record, cx, vars)) {
                (_, V::Bool(true)) => V::Bool(true),
                (V::Bool(true), V::Bool(false)) => V::Bool(false),
                (l, r) => l.open(r),
            },
        },
        CExpr::Cmp(op, _, a, b) => {
            let l = operand(a, record, cx, vars);
            let r = operand(b, record, cx, vars);
            match compare(l, r) {
                Some(ord) => V::Bool(cmp_holds(*op, ord)),
                None => l.unknown(r),
            }
        }
        CExpr::ToDec(x) => match operand(x, record, cx, vars) {
            V::Int(i) => V::Dec(Num::from(i)),
            other => other,
        },
        CExpr::InSet(_, x, set, negate) => {
            let v = operand(x, record, cx, vars);
            if !v.is_value() {
                return v;
            }
            let found = set.iter().any(|c| compare(v, operand(c, record, cx, vars)) == Some(Ordering::Equal));
            V::Bool(found != *negate)
        }
        CExpr::InList(_, x, list, negate) => {
            let v = operand(x, record, cx, vars);
            match (v, operand(list, record, cx, vars)) {
                (v, V::List(items)) if v.is_value() => {
                    let found = items.iter().any(|i| compare(v, i.view()) == Some(Ordering::Equal));
                    V::Bool(found != *negate)
                }
                (v, l) => v.unknown(l),
            }
        }
        CExpr::Text(op, a, b) => match (operand(a, record, cx, vars), operand(b, record, cx, vars)) {
            (V::Text(h), V::Text(n)) => V::Bool(match op {
                TextOp::Contains => h.contains(n),
                TextOp::StartsWith => h.starts_with(n),
                TextOp::EndsWith => h.ends_with(n),
            }),
            (l, r) => l.unknown(r),
        },
        CExpr::Matches(x, re) => match operand(x, record, cx, vars) {
            V::Text(t) => V::Bool(re.is_match(t)),
            other => other.or_missing(),
        },
        // A computation with no answer is neither present nor missing: the test has no answer. A
        // value that could not be read was there, so it is present.
        CExpr::Present(x, want) => match operand(x, record, cx, vars) {
            V::NoAnswer(w) => V::NoAnswer(w),
            V::Unreadable(_) => V::Bool(*want),
            v => V::Bool((v != V::Missing) == *want),
        },
        // `otherwise` supplies a default for a missing value only, never for a failed computation.
        CExpr::Otherwise(x, d) => match operand(x, record, cx, vars) {
            V::Missing => operand(d, record, cx, vars),
            v => v,
        },
        CExpr::If(c, a, b) => match eval(c, record, cx, vars) {
            V::Bool(true) => eval(a, record, cx, vars),
            V::Bool(false) => eval(b, record, cx, vars),
            other => other.or_missing(),
        },
        CExpr::EnumText(names, x) => match operand(x, record, cx, vars) {
            V::Enum(i) => names.get(i as usize).map_or(V::Missing, |n| V::Text(n)),
            other => other,
        },
        CExpr::Scope(f, args) => builtins::ask(*f, args, record, cx, vars),
        CExpr::Call(f, args) => builtins::call(f, args, record, cx, vars),
        CExpr::Now => cx.now.map_or(V::Missing, |(ts, off)| V::DateTime(ts, off)),
        CExpr::Quant(q, var, list, cond) => quantify(q, var, list, cond, record, cx, vars),
        CExpr::Count(list, cond) => count(list, cond.as_ref(), record, cx, vars),
        CExpr::Neg(..)
        | CExpr::Arith(..)
        | CExpr::AddBusinessDays(..)
        | CExpr::AddMonths(..)
        | CExpr::Counted(..)
        | CExpr::AddBusinessDaysBy(..)
        | CExpr::AddMonthsBy(..)
        | CExpr::BusinessBetween(..)
        | CExpr::DatePart(..) => eval_rest(e, record, cx, vars),
    }
}

/// The arms of [`eval`] that arithmetic and dates need: out of line, with their larger locals.
#[inline(never)]
fn eval_rest<'a>(e: &'a CExpr, record: &'a [Value], cx: &Cx<'a, '_>, vars: &mut Vars<'a>) -> V<'a> {
    match e {
        CExpr::Neg(_, x) => match eval(x, record, cx, vars) {
            V::Int(i) => i.checked_neg().map_or(V::NoAnswer(Why::Overflow), V::Int),
            V::Dec(d) => V::Dec(-d),
            V::Money(m) => V::Money(-m),
            V::Duration(d) => d.checked_neg().map_or(V::NoAnswer(Why::Overflow), V::Duration),
            other => other.or_missing(),
        },
        CExpr::Arith(op, a, b) => {
            let l = eval(a, record, cx, vars);
            let r = eval(b, record, cx, vars);
            if !l.is_value() || !r.is_value() {
                return l.unknown(r);
            }
            match arith(*op, l, r) {
                // Both operands had values, so a result that cannot be made is no answer.
                V::Missing => V::NoAnswer(why(*op, r)),
                v => v,
            }
        }
        CExpr::AddBusinessDays(x, n, cal) => match (eval(x, record, cx, vars), cx.cals.get(*cal)) {
            (V::DateTime(ts, off), Some(c)) => {
                c.add_business_days(ts, *n).map_or(V::NoAnswer(Why::OutOfRange), |t| V::DateTime(t, off))
            }
            // A whole day: counted from the day itself, never from a receipt day.
            (V::Date(d), Some(c)) => c.business_days_after(d, *n).map_or(V::NoAnswer(Why::OutOfRange), V::Date),
            (other, _) => other.or_missing(),
        },
        CExpr::AddMonths(x, n) => match eval(x, record, cx, vars) {
            V::Date(d) => super::months::add_months(d, *n).map_or(V::NoAnswer(Why::OutOfRange), V::Date),
            V::DateTime(ts, off) => {
                super::months::add_months_at(ts, off, *n).map_or(V::NoAnswer(Why::OutOfRange), |t| V::DateTime(t, off))
            }
            other => other.or_missing(),
        },
        CExpr::Counted(unit, x) => match eval(x, record, cx, vars) {
            V::Int(n) if !(0..=MAX_COUNT).contains(&n) => V::NoAnswer(Why::BadCount),
            V::Int(n) => match unit {
                CountUnit::BusinessDays => V::Int(n),
                CountUnit::Months(k) => n.checked_mul(*k).map_or(V::NoAnswer(Why::BadCount), V::Int),
                CountUnit::Seconds(per) => n
                    .checked_mul(*per)
                    .map_or(V::NoAnswer(Why::Overflow), |s| V::Duration(SignedDuration::from_secs(s))),
            },
            other => other.or_missing(),
        },
        CExpr::AddBusinessDaysBy(x, n, cal) => {
            match (eval(x, record, cx, vars), eval(n, record, cx, vars), cx.cals.get(*cal)) {
                (V::DateTime(..) | V::Date(_), V::Int(n), _) if !(0..=MAX_COUNT).contains(&n) => {
                    V::NoAnswer(Why::BadCount)
                }
                (V::DateTime(ts, off), V::Int(n), Some(c)) => {
                    c.add_business_days(ts, n).map_or(V::NoAnswer(Why::OutOfRange), |t| V::DateTime(t, off))
                }
                // A whole day: counted from the day itself, as for a literal count.
                (V::Date(d), V::Int(n), Some(c)) => {
                    c.business_days_after(d, n).map_or(V::NoAnswer(Why::OutOfRange), V::Date)
                }
                (l, r, _) => l.unknown(r),
            }
        }
        CExpr::AddMonthsBy(x, n, sub) => {
            let (v, n) = (eval(x, record, cx, vars), eval(n, record, cx, vars));
            let months = match n {
                V::Int(n) if (0..=MAX_COUNT).contains(&n) => {
                    if *sub {
                        -n
                    } else {
                        n
                    }
                }
                V::Int(_) if v.is_value() => return V::NoAnswer(Why::BadCount),
                _ => return v.unknown(n),
            };
            match v {
                V::Date(d) => super::months::add_months(d, months).map_or(V::NoAnswer(Why::OutOfRange), V::Date),
                V::DateTime(ts, off) => super::months::add_months_at(ts, off, months)
                    .map_or(V::NoAnswer(Why::OutOfRange), |t| V::DateTime(t, off)),
                other => other.or_missing(),
            }
        }
        CExpr::BusinessBetween(a, b, cal) => {
            match (eval(a, record, cx, vars), eval(b, record, cx, vars), cx.cals.get(*cal)) {
                (V::DateTime(x, _), V::DateTime(y, _), Some(c)) => V::Int(c.business_days_between(x, y)),
                (l, r, _) => l.unknown(r),
            }
        }
        CExpr::DatePart(unit, zone, x) => {
            let v = eval(x, record, cx, vars);
            match period_start(*unit, *zone, v, cx.cals) {
                Some(d) => V::Date(d),
                // A date whose week (or business day) starts outside the range held.
                None if v.is_value() => V::NoAnswer(Why::OutOfRange),
                None => v.or_missing(),
            }
        }
        // [`eval`]'s own arms, which it never sends here; both matches list every variant, without a
        // wildcard, so that a new variant must be placed in one of the two.
        CExpr::Const(_)
        | CExpr::Field(..)
        | CExpr::Var(_)
        | CExpr::Not(_)
        | CExpr::And(..)
        | CExpr::Or(..)
        | CExpr::Implies(..)
        | CExpr::Cmp(..)
        | CExpr::ToDec(_)
        | CExpr::InSet(..)
        | CExpr::InList(..)
        | CExpr::Text(..)
        | CExpr::Matches(..)
        | CExpr::Present(..)
        | CExpr::Otherwise(..)
        | CExpr::If(..)
        | CExpr::Quant(..)
        | CExpr::Count(..)
        | CExpr::EnumText(..)
        | CExpr::Scope(..)
        | CExpr::Call(..)
        | CExpr::Now => eval(e, record, cx, vars),
    }
}

// Three-valued, like a chain of `and`s (`all`), `or`s (`any`) or `not ... or` (`none`): an
// element whose condition is unknown decides nothing when another element decides the
// outcome, and makes the outcome unknown when none does.
#[inline(never)]
fn quantify<'a>(
    q: &Quant,
    var: &u8,
    list: &'a CExpr,
    cond: &'a CExpr,
    record: &'a [Value],
    cx: &Cx<'a, '_>,
    vars: &mut Vars<'a>,
) -> V<'a> {
    let items = match operand(list, record, cx, vars) {
        V::List(items) => items,
        other => return other.or_missing(),
    };
    let slot = *var as usize;
    let saved = vars.get(slot).copied().unwrap_or(V::Missing);
    let mut result = V::Bool(matches!(q, Quant::All | Quant::None));
    let mut unknown = None;
    for item in items.iter() {
        if let Some(s) = vars.get_mut(slot) {
            *s = item.view();
        }
        let mark = cx.trace.map(|t| t.borrow().len());
        let v = eval(cond, record, cx, vars);
        if !matches!(v, V::Bool(_)) {
            unknown = Some(unknown.map_or(v.or_missing(), |u: V<'a>| u.open(v)));
        }
        let holds = v.is_true();
        // Explaining a finding: an element that did not go against the quantifier (one that
        // holds under `all` or `any`, one that does not under `none`) is no part of why it
        // failed, so its evidence is dropped.
        if let (Some(t), Some(mark)) = (cx.trace, mark) {
            if holds != matches!(q, Quant::None) {
                t.borrow_mut().truncate(mark);
            }
        }
        // A decisive element decides, whatever the unknown ones before it.
        let decided = match (q, v) {
            (Quant::All, V::Bool(false)) | (Quant::None, V::Bool(true)) => Some(false),
            (Quant::Any, V::Bool(true)) => Some(true),
            _ => None,
        };
        if let Some(d) = decided {
            result = V::Bool(d);
            unknown = None;
            break;
        }
    }
    if let Some(s) = vars.get_mut(slot) {
        *s = saved;
    }
    unknown.unwrap_or(result)
}

// A count is known only when every element's condition is: an element whose condition is
// unknown might or might not count, so the count is unknown too (no answer where a
// computation failed), never a number that counted it as false.
#[inline(never)]
fn count<'a>(
    list: &'a CExpr,
    cond: Option<&'a (u8, Box<CExpr>)>,
    record: &'a [Value],
    cx: &Cx<'a, '_>,
    vars: &mut Vars<'a>,
) -> V<'a> {
    let items = match operand(list, record, cx, vars) {
        V::List(items) => items,
        other => return other.or_missing(),
    };
    match cond {
        None => V::Int(items.len() as i64),
        Some((var, cond)) => {
            let slot = *var as usize;
            let saved = vars.get(slot).copied().unwrap_or(V::Missing);
            let mut n = 0i64;
            let mut unknown: Option<V<'a>> = None;
            for item in items.iter() {
                if let Some(s) = vars.get_mut(slot) {
                    *s = item.view();
                }
                match eval(cond, record, cx, vars) {
                    V::Bool(true) => n += 1,
                    V::Bool(false) => {}
                    v => {
                        unknown = Some(unknown.map_or(v.or_missing(), |u| u.unknown(v)));
                        // No answer cannot be outdone; a later element changes nothing.
                        if matches!(unknown, Some(V::NoAnswer(_))) {
                            break;
                        }
                    }
                }
            }
            if let Some(s) = vars.get_mut(slot) {
                *s = saved;
            }
            unknown.unwrap_or(V::Int(n))
        }
    }
}

/// The local day of a date (itself) or of a datetime: its civil date in the zone of calendar `zone`,
/// or at the offset it was written with when there is no calendar.
///
/// Why the calendar's zone: a code counts days where the business is, so an export stamped in UTC
/// (23:30Z in British summer time is 00:30 the next day in London) must land on the day the
/// business saw. A jiff zone lookup allocates nothing.
#[inline]
pub fn local_day(v: V<'_>, zone: Option<&Calendar>) -> Option<jiff::civil::Date> {
    match (v, zone) {
        (V::DateTime(ts, _), Some(cal)) => Some(cal.zone().to_datetime(ts).date()),
        _ => day(v),
    }
}

/// The civil day of a date, or of a datetime at the offset it was written with.
pub fn day(v: V<'_>) -> Option<jiff::civil::Date> {
    match v {
        V::Date(d) => Some(d),
        V::DateTime(ts, off) => {
            let offset = jiff::tz::Offset::from_seconds(off).ok()?;
            Some(offset.to_datetime(ts).date())
        }
        _ => None,
    }
}

#[inline]
fn cmp_holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

/// Order two values of the same kind; `None` when either is missing or they are not comparable.
#[inline]
pub fn compare(l: V<'_>, r: V<'_>) -> Option<Ordering> {
    Some(match (l, r) {
        (V::Int(a), V::Int(b)) => a.cmp(&b),
        (V::Dec(a), V::Dec(b)) => a.cmp(&b),
        (V::Int(a), V::Dec(b)) => Num::from(a).cmp(&b),
        (V::Dec(a), V::Int(b)) => a.cmp(&Num::from(b)),
        (V::Money(a), V::Money(b)) => a.cmp(&b),
        (V::Text(a), V::Text(b)) => a.cmp(b),
        (V::Enum(a), V::Enum(b)) => a.cmp(&b),
        (V::Bool(a), V::Bool(b)) => a.cmp(&b),
        (V::Date(a), V::Date(b)) => a.cmp(&b),
        (V::DateTime(a, _), V::DateTime(b, _)) => a.cmp(&b),
        (V::Duration(a), V::Duration(b)) => a.cmp(&b),
        _ => return None,
    })
}

fn dec(v: V<'_>) -> Option<Num> {
    match v {
        V::Int(i) => Some(Num::from(i)),
        V::Dec(d) => Some(d),
        _ => None,
    }
}

fn small_int(v: V<'_>) -> Option<i32> {
    match v {
        V::Int(i) => i32::try_from(i).ok(),
        _ => None,
    }
}

fn arith<'a>(op: Arith, l: V<'a>, r: V<'a>) -> V<'a> {
    let out = match (op, l, r) {
        (Arith::Add(_), V::Int(a), V::Int(b)) => a.checked_add(b).map(V::Int),
        (Arith::Sub(_), V::Int(a), V::Int(b)) => a.checked_sub(b).map(V::Int),
        (Arith::Mul(Kind::Int), V::Int(a), V::Int(b)) => a.checked_mul(b).map(V::Int),
        (Arith::Add(Kind::Dec), a, b) => dec(a).zip(dec(b)).and_then(|(a, b)| a.checked_add(b)).map(V::Dec),
        (Arith::Sub(Kind::Dec), a, b) => dec(a).zip(dec(b)).and_then(|(a, b)| a.checked_sub(b)).map(V::Dec),
        (Arith::Mul(Kind::Dec), a, b) => dec(a).zip(dec(b)).and_then(|(a, b)| a.checked_mul(b)).map(V::Dec),
        (Arith::Div(Kind::Dec), a, b) => dec(a).zip(dec(b)).and_then(|(a, b)| a.checked_div(b)).map(V::Dec),
        (Arith::Add(_), V::Money(a), V::Money(b)) => a.checked_add(b).map(V::Money),
        (Arith::Sub(_), V::Money(a), V::Money(b)) => a.checked_sub(b).map(V::Money),
        (Arith::Mul(Kind::Money), V::Money(a), b) | (Arith::Mul(Kind::Money), b, V::Money(a)) => {
            dec(b).and_then(|b| a.checked_mul(b)).map(V::Money)
        }
        (Arith::Div(Kind::Money), V::Money(a), b) => dec(b).and_then(|b| a.checked_div(b)).map(V::Money),
        (Arith::MoneyRatio, V::Money(a), V::Money(b)) => a.checked_div(b).map(V::Dec),
        (Arith::Add(_), V::Duration(a), V::Duration(b)) => a.checked_add(b).map(V::Duration),
        (Arith::Sub(_), V::Duration(a), V::Duration(b)) => a.checked_sub(b).map(V::Duration),
        (Arith::Mul(Kind::Duration), V::Duration(a), b) | (Arith::Mul(Kind::Duration), b, V::Duration(a)) => {
            small_int(b).and_then(|b| a.checked_mul(b)).map(V::Duration)
        }
        (Arith::Div(Kind::Duration), V::Duration(a), b) => small_int(b).and_then(|b| a.checked_div(b)).map(V::Duration),
        (Arith::Elapsed, V::DateTime(a, _), V::DateTime(b, _)) => Some(V::Duration(a.duration_since(b))),
        (Arith::DaysBetween, V::Date(a), V::Date(b)) => Some(V::Duration(a.duration_since(b))),
        (Arith::Later, V::DateTime(t, o), V::Duration(d)) => t.checked_add(d).ok().map(|t| V::DateTime(t, o)),
        (Arith::Earlier, V::DateTime(t, o), V::Duration(d)) => t.checked_sub(d).ok().map(|t| V::DateTime(t, o)),
        (Arith::DateLater, V::Date(t), V::Duration(d)) => t.checked_add(whole_days(d).days()).ok().map(V::Date),
        (Arith::DateEarlier, V::Date(t), V::Duration(d)) => t.checked_sub(whole_days(d).days()).ok().map(V::Date),
        _ => None,
    };
    out.unwrap_or(V::Missing)
}

/// Why `op` had no answer for operands that both had values: a zero divisor, a date out of range,
/// or else a result too large to hold.
fn why(op: Arith, r: V<'_>) -> Why {
    let zero = match r {
        V::Int(i) => i == 0,
        V::Dec(d) | V::Money(d) => d.is_zero(),
        _ => false,
    };
    match op {
        Arith::Div(_) | Arith::MoneyRatio if zero => Why::DivisionByZero,
        Arith::Later | Arith::Earlier | Arith::DateLater | Arith::DateEarlier => Why::OutOfRange,
        _ => Why::Overflow,
    }
}

fn whole_days(d: SignedDuration) -> i64 {
    d.as_secs() / 86_400
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn run(e: &CExpr) -> V<'_> {
        let mut vs = vars();
        eval(e, &[], &Cx::new(&[]), &mut vs)
    }

    fn c(v: Value) -> Box<CExpr> {
        Box::new(CExpr::Const(v))
    }

    #[test]
    fn missing_never_satisfies_and_short_circuits_stay_exact() {
        let and = CExpr::And(c(Value::Bool(false)), c(Value::Missing));
        assert_eq!(run(&and), V::Bool(false));
        let and = CExpr::And(c(Value::Bool(true)), c(Value::Missing));
        assert_eq!(run(&and), V::Missing);
        // Order does not matter: a decisive side decides.
        assert_eq!(run(&CExpr::Or(c(Value::Missing), c(Value::Bool(true)))), V::Bool(true));
        assert_eq!(run(&CExpr::And(c(Value::Missing), c(Value::Bool(false)))), V::Bool(false));
        assert_eq!(run(&CExpr::Implies(c(Value::Missing), c(Value::Bool(true)))), V::Bool(true));
        assert_eq!(run(&CExpr::Or(c(Value::Missing), c(Value::Bool(false)))), V::Missing);
        let imp = CExpr::Implies(c(Value::Bool(false)), c(Value::Missing));
        assert_eq!(run(&imp), V::Bool(true));
        let cmp = CExpr::Cmp(CmpOp::Ne, Kind::Int, c(Value::Missing), c(Value::Int(1)));
        assert!(!run(&cmp).is_true());
    }

    #[test]
    fn an_unreadable_value_is_an_unknown_that_connectives_keep_and_operators_yield_to() {
        let u = || c(Value::Unreadable(7));
        let m = || c(Value::Missing);
        let t = || c(Value::Bool(true));
        let f = || c(Value::Bool(false));
        // A decisive side decides, in either order.
        assert_eq!(run(&CExpr::And(u(), f())), V::Bool(false));
        assert_eq!(run(&CExpr::Or(t(), u())), V::Bool(true));
        assert_eq!(run(&CExpr::Implies(u(), t())), V::Bool(true));
        // Left open, a connective is unreadable, even beside a missing side.
        for e in [CExpr::And(t(), u()), CExpr::Or(m(), u()), CExpr::Or(u(), m()), CExpr::Implies(m(), u())] {
            assert_eq!(run(&e), V::Unreadable(7), "{e:?}");
        }
        assert_eq!(run(&CExpr::Not(u())), V::Unreadable(7));
        // An operator needing both values yields to a missing operand or one with no answer.
        let cmp = |a, b| CExpr::Cmp(CmpOp::Gt, Kind::Int, a, b);
        assert_eq!(run(&cmp(u(), c(Value::Int(1)))), V::Unreadable(7));
        assert_eq!(run(&cmp(u(), m())), V::Missing);
        let div = CExpr::Arith(Arith::Div(Kind::Dec), c(Value::Int(1)), c(Value::Int(0)));
        assert_eq!(run(&cmp(Box::new(div), u())), V::NoAnswer(Why::DivisionByZero));
        // It was there: present, not missing, and `otherwise` keeps it.
        assert_eq!(run(&CExpr::Present(u(), true)), V::Bool(true));
        assert_eq!(run(&CExpr::Present(u(), false)), V::Bool(false));
        assert_eq!(run(&CExpr::Otherwise(u(), c(Value::Int(0)))), V::Unreadable(7));
        // Quantifiers: a decisive element decides; else the unreadable element leaves it open.
        let list = |items: Vec<Value>| c(Value::List(items.into()));
        let var = || Box::new(CExpr::Var(0));
        let any = CExpr::Quant(Quant::Any, 0, list(vec![Value::Unreadable(1), Value::Bool(true)]), var());
        assert_eq!(run(&any), V::Bool(true));
        let all = CExpr::Quant(Quant::All, 0, list(vec![Value::Unreadable(1), Value::Bool(true)]), var());
        assert_eq!(run(&all), V::Unreadable(1));
        let count = CExpr::Count(list(vec![Value::Unreadable(1), Value::Missing]), Some((0, var())));
        assert_eq!(run(&count), V::Missing, "a count is decided unknown by a missing element");
    }

    #[test]
    fn integer_overflow_and_division_by_zero_have_no_answer() {
        let add = CExpr::Arith(Arith::Add(Kind::Int), c(Value::Int(i64::MAX)), c(Value::Int(1)));
        assert_eq!(run(&add), V::NoAnswer(Why::Overflow));
        let div = CExpr::Arith(Arith::Div(Kind::Dec), c(Value::Int(1)), c(Value::Int(0)));
        assert_eq!(run(&div), V::NoAnswer(Why::DivisionByZero));
        // A missing operand makes a missing result, not a failed computation.
        let div = CExpr::Arith(Arith::Div(Kind::Dec), c(Value::Missing), c(Value::Int(0)));
        assert_eq!(run(&div), V::Missing);
        let div = CExpr::Arith(Arith::Div(Kind::Dec), c(Value::Int(1)), c(Value::Int(4)));
        assert_eq!(run(&div), V::Dec(Decimal::new(25, 2).into()));
    }

    #[test]
    fn money_is_exact() {
        let a = Value::Money(Decimal::new(10, 2).into());
        let b = Value::Money(Decimal::new(20, 2).into());
        let sum = CExpr::Arith(Arith::Add(Kind::Money), c(a), c(b));
        let cmp = CExpr::Cmp(CmpOp::Eq, Kind::Money, Box::new(sum), c(Value::Money(Decimal::new(30, 2).into())));
        assert_eq!(run(&cmp), V::Bool(true));
        let times =
            CExpr::Arith(Arith::Mul(Kind::Money), c(Value::Money(Decimal::new(1999, 2).into())), c(Value::Int(3)));
        assert_eq!(run(&times), V::Money(Decimal::new(5997, 2).into()));
    }

    #[test]
    fn comparisons_at_the_boundary() {
        for (op, l, r, want) in [
            (CmpOp::Le, 5, 5, true),
            (CmpOp::Lt, 5, 5, false),
            (CmpOp::Ge, 5, 5, true),
            (CmpOp::Gt, 6, 5, true),
            (CmpOp::Ne, 5, 5, false),
            (CmpOp::Eq, -1, -1, true),
        ] {
            let e = CExpr::Cmp(op, Kind::Int, c(Value::Int(l)), c(Value::Int(r)));
            assert_eq!(run(&e), V::Bool(want), "{l} {op:?} {r}");
        }
    }

    #[test]
    fn elapsed_time_and_durations() {
        let t0: jiff::Timestamp = "2024-03-01T09:00:00Z".parse().unwrap_or_default();
        let t1: jiff::Timestamp = "2024-03-02T10:30:00Z".parse().unwrap_or_default();
        let e = CExpr::Arith(Arith::Elapsed, c(Value::DateTime(t1, 0)), c(Value::DateTime(t0, 0)));
        assert_eq!(run(&e), V::Duration(SignedDuration::from_secs(25 * 3600 + 1800)));
        let later =
            CExpr::Arith(Arith::Later, c(Value::DateTime(t0, 3600)), c(Value::Duration(SignedDuration::from_hours(2))));
        let want: jiff::Timestamp = "2024-03-01T11:00:00Z".parse().unwrap_or_default();
        assert_eq!(run(&later), V::DateTime(want, 3600));
    }

    #[test]
    fn a_datetime_is_on_its_local_day_in_the_calendars_zone_and_a_date_stays_itself() {
        let london = Calendar::new("Europe/London", &["mon"], None, &[]).unwrap_or_else(|_| unreachable!());
        let ts: jiff::Timestamp = "2024-06-30T23:30:00Z".parse().unwrap_or_default();
        let d = |y, m, dd| jiff::civil::date(y, m, dd);
        assert_eq!(local_day(V::DateTime(ts, 0), Some(&london)), Some(d(2024, 7, 1)));
        // Without a calendar, at the offset written.
        assert_eq!(local_day(V::DateTime(ts, 0), None), Some(d(2024, 6, 30)));
        assert_eq!(local_day(V::DateTime(ts, 3600), None), Some(d(2024, 7, 1)));
        assert_eq!(local_day(V::Date(d(2024, 6, 30)), Some(&london)), Some(d(2024, 6, 30)));
        assert_eq!(local_day(V::Missing, Some(&london)), None);
        // The year of an instant, in the zone of the calendar with that index.
        let sydney = Calendar::new("Australia/Sydney", &["mon"], None, &[]).unwrap_or_else(|_| unreachable!());
        let cals = [london, sydney];
        let eve: jiff::Timestamp = "2024-12-31T13:30:00Z".parse().unwrap_or_default();
        let year = |zone| period_start(crate::engine::program::DateUnit::Year, zone, V::DateTime(eve, 0), &cals);
        assert_eq!(year(Some(0)), Some(d(2024, 1, 1)));
        assert_eq!(year(Some(1)), Some(d(2025, 1, 1)));
    }

    #[test]
    fn quantifiers_over_empty_lists() {
        let list = Value::List(Box::new([]));
        let all = CExpr::Quant(Quant::All, 0, c(list.clone()), c(Value::Bool(false)));
        let any = CExpr::Quant(Quant::Any, 0, c(list.clone()), c(Value::Bool(true)));
        let none = CExpr::Quant(Quant::None, 0, c(list.clone()), c(Value::Bool(true)));
        let count = CExpr::Count(c(list), None);
        assert_eq!(run(&all), V::Bool(true));
        assert_eq!(run(&any), V::Bool(false));
        assert_eq!(run(&none), V::Bool(true));
        assert_eq!(run(&count), V::Int(0));
    }

    #[test]
    fn quantifier_binds_each_element() {
        let list = Value::List(Box::new([Value::Int(1), Value::Int(5), Value::Int(9)]));
        let cond = CExpr::Cmp(CmpOp::Gt, Kind::Int, Box::new(CExpr::Var(0)), c(Value::Int(4)));
        let count = CExpr::Count(c(list.clone()), Some((0, Box::new(cond))));
        assert_eq!(run(&count), V::Int(2));
        let cond = CExpr::Cmp(CmpOp::Gt, Kind::Int, Box::new(CExpr::Var(0)), c(Value::Int(0)));
        assert_eq!(run(&CExpr::Quant(Quant::All, 0, c(list), Box::new(cond))), V::Bool(true));
    }

    #[test]
    fn in_sets_and_text_tests() {
        let set: Box<[CExpr]> = Box::new([CExpr::Const(Value::Enum(1)), CExpr::Const(Value::Enum(3))]);
        let e = CExpr::InSet(Kind::Enum, c(Value::Enum(3)), set, false);
        assert_eq!(run(&e), V::Bool(true));
        let e = CExpr::InSet(Kind::Enum, c(Value::Missing), Box::new([]), true);
        assert_eq!(run(&e), V::Missing);
        let t = CExpr::Text(TextOp::StartsWith, c(Value::Text("REF-1".into())), c(Value::Text("REF".into())));
        assert_eq!(run(&t), V::Bool(true));
        let re = regex::Regex::new("^[A-Z]{3}-[0-9]+$")
            .unwrap_or_else(|_| regex::Regex::new("").unwrap_or_else(|_| unreachable!()));
        let re = crate::engine::pattern::Pattern::new(re);
        assert_eq!(run(&CExpr::Matches(c(Value::Text("REF-12".into())), re)), V::Bool(true));
    }
}
