//! Which computation had no answer: the slow path run only when a requirement (or an aggregate's
//! member) came out as [`V::NoAnswer`], so the finding can name the division by zero, the overflow
//! or the date out of range it depended on rather than just say the rule was broken.
//!
//! The walk follows no answer down from the expression: at each node it goes into the first child
//! (in the order evaluation reads them) that had no answer, binding quantifier variables to the
//! element whose condition had none, until it reaches a computation whose operands all had answers.
//! That computation is shown as written, with quantifier variables replaced by the list element
//! they stood for (`record.items[1].q / record.y`), so the reader sees which element too.

use super::authority::Evidence;
use super::blame::{path_text, Step};
use super::eval::{eval, Cx, Vars};
use super::program::{Arith, CExpr, CountUnit, Root, MAX_VARS};
use super::types::ShapeId;
use super::value::{Value, Why, V};
use super::Program;

/// The computation a result with no answer depended on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Culprit {
    /// As written, with quantifier variables replaced by their list element.
    pub text: String,
    /// Why it had no answer.
    pub why: Why,
    /// The field most to blame (a divisor for a division by zero), as a path from the record.
    pub path: Option<Vec<Step>>,
}

impl Culprit {
    /// The evidence a finding carries for it: which computation had no answer, and why.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            summary: format!("`{}` has no answer ({}), so the requirement does not hold", self.text, self.why.as_str()),
            facts: vec![("no_answer", self.text.clone()), ("reason", self.why.as_str().to_string())],
        }
    }
}

struct Walk<'a> {
    program: &'a Program,
    shape: ShapeId,
    record: &'a [Value],
    cx: Cx<'a, 'static>,
    /// Where each bound variable's element sits in the record.
    var_paths: [Option<Vec<Step>>; MAX_VARS],
}

/// The computation `e` had no answer from, for `record` of shape `shape`; `None` when `e` has an
/// answer (or is merely missing).
pub fn find<'a>(
    program: &'a Program,
    shape: ShapeId,
    e: &'a CExpr,
    record: &'a [Value],
    cx: Cx<'a, 'static>,
) -> Option<Culprit> {
    let mut w = Walk { program, shape, record, cx, var_paths: Default::default() };
    let mut vars = super::eval::vars();
    w.origin(e, &mut vars)
}

impl<'a> Walk<'a> {
    fn no_answer(&self, e: &'a CExpr, vars: &mut Vars<'a>) -> Option<Why> {
        match eval(e, self.record, &self.cx, vars) {
            V::NoAnswer(w) => Some(w),
            _ => None,
        }
    }

    /// The origin of `e`'s lack of an answer.
    fn origin(&mut self, e: &'a CExpr, vars: &mut Vars<'a>) -> Option<Culprit> {
        let why = self.no_answer(e, vars)?;
        match e {
            CExpr::Quant(_, var, list, cond) | CExpr::Count(list, Some((var, cond))) => {
                if self.no_answer(list, vars).is_some() {
                    return self.origin(list, vars);
                }
                let V::List(items) = eval(list, self.record, &self.cx, vars) else { return None };
                let list_path = self.path(list);
                let slot = usize::from(*var);
                let saved = vars.get(slot).copied().unwrap_or(V::Missing);
                let saved_path = self.var_paths.get(slot).cloned().flatten();
                let mut found = None;
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = vars.get_mut(slot) {
                        *s = item.view();
                    }
                    if self.no_answer(cond, vars).is_some() {
                        let elem = list_path.clone().map(|mut p| {
                            p.push(Step::Index(u32::try_from(i).unwrap_or(u32::MAX)));
                            p
                        });
                        if let Some(p) = self.var_paths.get_mut(slot) {
                            *p = elem;
                        }
                        found = self.origin(cond, vars);
                        break;
                    }
                }
                if let Some(s) = vars.get_mut(slot) {
                    *s = saved;
                }
                if let Some(p) = self.var_paths.get_mut(slot) {
                    *p = saved_path;
                }
                found
            }
            // Only the branch taken counts.
            CExpr::If(c, a, b) => match eval(c, self.record, &self.cx, vars) {
                V::Bool(true) => self.origin(a, vars),
                V::Bool(false) => self.origin(b, vars),
                _ => self.origin(c, vars),
            },
            _ => {
                for child in e.children() {
                    if self.no_answer(child, vars).is_some() {
                        return self.origin(child, vars);
                    }
                }
                // Every operand had an answer (or the node reads a group's aggregate that had none):
                // this is the computation that failed.
                let path = match (e, why) {
                    (CExpr::Arith(_, a, b), Why::DivisionByZero) => self.path(b).or_else(|| self.path(a)),
                    _ => self.first_path(e),
                };
                Some(Culprit { text: self.text(e), why, path })
            }
        }
    }

    /// The path of a field read directly (through whole-number-to-decimal conversion).
    fn path(&self, e: &CExpr) -> Option<Vec<Step>> {
        match e {
            CExpr::Field(root, steps) => {
                let mut base = match root {
                    Root::Record => Vec::new(),
                    Root::Var(i) => self.var_paths.get(usize::from(*i)).cloned().flatten()?,
                };
                base.extend(steps.iter().map(|&s| Step::Field(s)));
                Some(base)
            }
            CExpr::Var(i) => self.var_paths.get(usize::from(*i)).cloned().flatten(),
            CExpr::ToDec(x) | CExpr::EnumText(_, x) => self.path(x),
            _ => None,
        }
    }

    /// The first field `e` reads, in the order written.
    fn first_path(&self, e: &CExpr) -> Option<Vec<Step>> {
        self.path(e).or_else(|| e.children().find_map(|c| self.first_path(c)))
    }

    /// `e` as written, with variables replaced by their elements.
    fn text(&self, e: &CExpr) -> String {
        match e {
            CExpr::Field(..) | CExpr::Var(_) => match self.path(e) {
                Some(p) if p.is_empty() => "record".to_string(),
                Some(p) => format!("record.{}", path_text(self.program, self.shape, &p)),
                None => "…".to_string(),
            },
            CExpr::Const(v) => constant(v),
            CExpr::ToDec(x) | CExpr::EnumText(_, x) => self.text(x),
            CExpr::Neg(_, x) => format!("-{}", self.operand(x)),
            CExpr::Arith(op, a, b) => format!("{} {} {}", self.operand(a), symbol(*op), self.operand(b)),
            CExpr::AddBusinessDays(x, n, _) => {
                format!("{} + {n} business day{}", self.operand(x), if *n == 1 { "" } else { "s" })
            }
            CExpr::AddMonths(x, n) => {
                let (sign, k) = if *n < 0 { ("-", n.unsigned_abs()) } else { ("+", n.unsigned_abs()) };
                format!("{} {sign} {k} month{}", self.operand(x), if k == 1 { "" } else { "s" })
            }
            CExpr::BusinessBetween(a, b, _) => format!("business days between({}, {})", self.text(a), self.text(b)),
            CExpr::Counted(unit, x) => {
                let unit = match unit {
                    CountUnit::BusinessDays => "business days",
                    CountUnit::Months(12) => "years",
                    CountUnit::Months(_) => "months",
                    CountUnit::Seconds(86_400) => "days",
                    CountUnit::Seconds(3_600) => "hours",
                    CountUnit::Seconds(60) => "minutes",
                    CountUnit::Seconds(604_800) => "weeks",
                    CountUnit::Seconds(_) => "seconds",
                };
                format!("{} {unit}", self.operand(x))
            }
            CExpr::AddBusinessDaysBy(x, n, _) => format!("{} + {}", self.operand(x), self.count(n, "business days")),
            CExpr::AddMonthsBy(x, n, sub) => {
                format!("{} {} {}", self.operand(x), if *sub { "-" } else { "+" }, self.count(n, "months"))
            }
            CExpr::DatePart(unit, _, x) => {
                format!("{}({})", super::builtins::of_period(*unit).map_or("…", |b| b.name), self.text(x))
            }
            CExpr::Call(f, args) => {
                format!("{}({})", f.name, args.iter().map(|a| self.text(a)).collect::<Vec<_>>().join(", "))
            }
            CExpr::Count(list, None) => format!("count({})", self.text(list)),
            _ => "…".to_string(),
        }
    }

    /// The count of a span added to a date, as written: `record.n business days`.
    fn count(&self, n: &CExpr, unit: &str) -> String {
        match n {
            CExpr::Counted(..) => self.text(n),
            _ => format!("{} {unit}", self.operand(n)),
        }
    }

    /// An operand of an operator: bracketed when it is a computation itself.
    fn operand(&self, e: &CExpr) -> String {
        match e {
            CExpr::ToDec(x) => self.operand(x),
            CExpr::Arith(..)
            | CExpr::AddBusinessDays(..)
            | CExpr::AddMonths(..)
            | CExpr::AddBusinessDaysBy(..)
            | CExpr::AddMonthsBy(..) => format!("({})", self.text(e)),
            _ => self.text(e),
        }
    }
}

fn symbol(op: Arith) -> &'static str {
    match op {
        Arith::Add(_) | Arith::Later | Arith::DateLater => "+",
        Arith::Sub(_) | Arith::Elapsed | Arith::DaysBetween | Arith::Earlier | Arith::DateEarlier => "-",
        Arith::Mul(_) => "*",
        Arith::Div(_) | Arith::MoneyRatio => "/",
    }
}

fn constant(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Dec(d) | Value::Money(d) => d.to_string(),
        Value::Duration(d) => super::format::duration(*d),
        Value::Date(d) => d.to_string(),
        Value::DateTime(ts, _) => ts.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "…".to_string(),
    }
}
