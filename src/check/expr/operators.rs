//! The infix operators: logic, comparisons, membership, text tests, `matches` and arithmetic, each
//! typed by its operands (money only in one currency, dates and datetimes only as the language
//! defines them).

use super::{const_value, TypeCheck, T};
use crate::ast::{BinaryOp, Expr, ExprKind};
use crate::engine::program::{Arith, CExpr, CmpOp, CountUnit, Kind, TextOp};
use crate::engine::types::Ty;
use crate::engine::value::Value;
use crate::source::Span;

impl TypeCheck<'_> {
    /// Operands whose meaning depends on the other side (bare enum names, text, sets) are checked second.
    fn depends_on_other(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Path(names) => {
                names.len() == 1
                    && names.first().is_some_and(|n| n.text != "record" && !self.vars.iter().any(|(v, _)| *v == n.text))
            }
            ExprKind::Text(_) | ExprKind::Set(_) => true,
            _ => false,
        }
    }

    fn operands(&mut self, a: &Expr, b: &Expr) -> (Option<T>, Option<T>) {
        if self.depends_on_other(a) && !self.depends_on_other(b) {
            let bt = self.value(b, None);
            let at = self.value(a, bt.as_ref().map(|t| &t.ty));
            (at, bt)
        } else {
            let at = self.value(a, None);
            let bt = self.value(b, at.as_ref().map(|t| &t.ty));
            (at, bt)
        }
    }

    pub(super) fn binary(&mut self, op: BinaryOp, a: &Expr, b: &Expr, span: Span) -> Option<T> {
        match op {
            BinaryOp::And | BinaryOp::Or | BinaryOp::Implies => {
                let at = self.bool_operand(a);
                let mark = self.present.len();
                if let Some(at) = &at {
                    let facts = if op == BinaryOp::Or { &at.f } else { &at.t };
                    self.present.extend(facts.iter().cloned());
                }
                let bt = self.bool_operand(b);
                self.present.truncate(mark);
                let (at, bt) = (at?, bt?);
                let (e, t, f) = match op {
                    BinaryOp::And => (CExpr::And(Box::new(at.e), Box::new(bt.e)), [at.t, bt.t].concat(), Vec::new()),
                    BinaryOp::Or => (CExpr::Or(Box::new(at.e), Box::new(bt.e)), Vec::new(), [at.f, bt.f].concat()),
                    _ => (CExpr::Implies(Box::new(at.e), Box::new(bt.e)), Vec::new(), Vec::new()),
                };
                Some(T { e, ty: Ty::Bool, optional: false, key: None, t, f })
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                self.comparison(op, a, b, span)
            }
            BinaryOp::In | BinaryOp::NotIn => self.membership(op == BinaryOp::NotIn, a, b),
            BinaryOp::Contains | BinaryOp::StartsWith | BinaryOp::EndsWith => {
                let at = self.value(a, Some(&Ty::Text));
                if let (BinaryOp::Contains, Some(Ty::List(elem))) = (op, at.as_ref().map(|t| &t.ty)) {
                    let elem = (**elem).clone();
                    return self.list_contains(at?, elem, a, b);
                }
                let bt = self.value(b, Some(&Ty::Text));
                let (at, bt) = (at?, bt?);
                for (t, x) in [(&at, a), (&bt, b)] {
                    if t.ty != Ty::Text {
                        let n = self.ty_name(&t.ty);
                        let (message, help) = match op {
                            BinaryOp::Contains if std::ptr::eq(x, b) => (
                                format!("`contains` looks for text in text, not for {n}"),
                                "to ask whether a list holds a value, put the list first: `record.tags contains \"vip\"`",
                            ),
                            BinaryOp::Contains => (
                                format!("`contains` works on text and lists, not {n}"),
                                "`record.note contains \"refund\"` finds text in text, `record.tags contains \"vip\"` an element in a list; for enumerations use `==` or `in`",
                            ),
                            _ => (
                                format!("`{}` works on text, not {n}", op.as_str()),
                                "for lists use `in` or `any(...)`; for enumerations use `==` or `in`",
                            ),
                        };
                        self.err("precept::type::mismatch", message, x.span, format!("this is {n}")).with_help(help);
                        return None;
                    }
                }
                let top = match op {
                    BinaryOp::Contains => TextOp::Contains,
                    BinaryOp::StartsWith => TextOp::StartsWith,
                    _ => TextOp::EndsWith,
                };
                Some(T::new(CExpr::Text(top, Box::new(at.e), Box::new(bt.e)), Ty::Bool))
            }
            BinaryOp::Matches => {
                let at = self.value(a, Some(&Ty::Text));
                let ExprKind::Text(pattern) = &b.kind else {
                    self.err(
                        "precept::type::mismatch",
                        "`matches` needs a quoted regular expression",
                        b.span,
                        "not a string literal",
                    )
                    .with_help("write `record.reference matches \"^REF-[0-9]+$\"`");
                    return None;
                };
                let re = match regex::RegexBuilder::new(pattern).size_limit(1 << 20).build() {
                    Ok(re) => re,
                    Err(e) => {
                        let detail = e.to_string().lines().last().unwrap_or("").trim().to_string();
                        self.err(
                            "precept::type::invalid-regex",
                            format!("invalid regular expression `{pattern}`"),
                            b.span,
                            detail,
                        )
                        .with_help("see the regex crate's syntax; escape special characters with `\\\\`");
                        return None;
                    }
                };
                let at = at?;
                if at.ty != Ty::Text {
                    let n = self.ty_name(&at.ty);
                    self.err(
                        "precept::type::mismatch",
                        format!("`matches` works on text, not {n}"),
                        a.span,
                        format!("this is {n}"),
                    )
                    .with_help("match a text field");
                    return None;
                }
                Some(T::new(CExpr::Matches(Box::new(at.e), crate::engine::pattern::Pattern::new(re)), Ty::Bool))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => self.arithmetic(op, a, b, span),
        }
    }

    fn cmp_kind(&mut self, l: &Ty, r: &Ty, op: BinaryOp, a: &Expr, b: &Expr) -> Option<Kind> {
        let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::In | BinaryOp::NotIn);
        let kind = match (l, r) {
            (Ty::Int, Ty::Int) | (Ty::Int, Ty::BusinessDays) | (Ty::BusinessDays, Ty::Int) => Kind::Int,
            (Ty::Int | Ty::Dec, Ty::Int | Ty::Dec) => Kind::Dec,
            (Ty::Money(x), Ty::Money(y)) => {
                if x != y {
                    self.err(
                        "precept::type::mixed-currency",
                        format!("cannot compare money in {x} with money in {y}"),
                        b.span,
                        format!("this is in {y}"),
                    )
                    .with_label(a.span, format!("this is in {x}"))
                    .with_help(
                        "amounts in different currencies are never converted; compare amounts in the same currency",
                    );
                    return None;
                }
                Kind::Money
            }
            (Ty::Text, Ty::Text) => Kind::Text,
            (Ty::Enum(x), Ty::Enum(y)) if x == y => Kind::Enum,
            (Ty::Bool, Ty::Bool) => Kind::Bool,
            (Ty::Date, Ty::Date) => Kind::Date,
            (Ty::DateTime, Ty::DateTime) => Kind::DateTime,
            (Ty::Duration, Ty::Duration) => Kind::Duration,
            _ => {
                let (nl, nr) = (self.ty_name(l), self.ty_name(r));
                let help = match (l, r) {
                    (Ty::DateTime, Ty::Date) | (Ty::Date, Ty::DateTime) => {
                        let dt = if *l == Ty::DateTime { a } else { b };
                        format!(
                            "a date is a whole day and a datetime an instant; compare like with like: take the datetime's day with `day({})` (its local day in the rule's calendar's zone)",
                            self.src(dt.span)
                        )
                    }
                    (Ty::Duration, Ty::BusinessDays) | (Ty::BusinessDays, Ty::Duration) => {
                        "business days are counted with `business days between(a, b)` or added with `opened + 1 business day`".to_string()
                    }
                    _ => format!("both sides of `{}` must have the same type", op.as_str()),
                };
                self.err(
                    "precept::type::mismatch",
                    format!("cannot compare {nl} with {nr}"),
                    b.span,
                    format!("this is {nr}"),
                )
                .with_label(a.span, format!("this is {nl}"))
                .with_help(help);
                return None;
            }
        };
        if ordered && matches!(kind, Kind::Enum | Kind::Bool) {
            self.err(
                "precept::type::mismatch",
                format!("`{}` does not order {}", op.as_str(), self.ty_name(l)),
                a.span.to(b.span),
                "no order",
            )
            .with_help("compare these with `==`, `!=` or `in`");
            return None;
        }
        Some(kind)
    }

    fn comparison(&mut self, op: BinaryOp, a: &Expr, b: &Expr, span: Span) -> Option<T> {
        let (at, bt) = self.operands(a, b);
        let (at, bt) = (at?, bt?);
        let kind = self.cmp_kind(&at.ty, &bt.ty, op, a, b)?;
        let cop = match op {
            BinaryOp::Eq => CmpOp::Eq,
            BinaryOp::Ne => CmpOp::Ne,
            BinaryOp::Lt => CmpOp::Lt,
            BinaryOp::Le => CmpOp::Le,
            BinaryOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        // A count is never negative: `count(...) < 0` (or `<= -1`, `== -1`) can never hold.
        let count_below_zero = matches!(at.e, CExpr::Count(..))
            && match (&bt.e, cop) {
                (CExpr::Const(Value::Int(n)), CmpOp::Lt) => *n <= 0,
                (CExpr::Const(Value::Int(n)), CmpOp::Le | CmpOp::Eq) => *n < 0,
                _ => false,
            };
        let e = CExpr::Cmp(cop, kind, Box::new(at.e), Box::new(bt.e));
        let constant_false = matches!(&e, CExpr::Cmp(_, _, l, r) if matches!(**l, CExpr::Const(_)) && matches!(**r, CExpr::Const(_)))
            && const_value(&e) == Some(Value::Bool(false));
        if constant_false || count_below_zero {
            self.warn(
                "precept::type::never-holds",
                format!("`{}` can never hold", self.src(span)),
                span,
                "always false",
                "check the values and the operator; as written every record in scope breaks this rule",
            );
        }
        Some(T::new(e, Ty::Bool))
    }

    fn membership(&mut self, negate: bool, a: &Expr, b: &Expr) -> Option<T> {
        let op = if negate { BinaryOp::NotIn } else { BinaryOp::In };
        if let ExprKind::Set(items) = &b.kind {
            let at = self.value(a, None)?;
            let mut out = Vec::new();
            let mut kind = None;
            let mut ok = true;
            for item in items {
                match self.value(item, Some(&at.ty)) {
                    Some(it) => match self.cmp_kind(&at.ty, &it.ty, op, a, item) {
                        Some(k) => {
                            kind = Some(k);
                            out.push(it.e);
                        }
                        None => ok = false,
                    },
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            let kind = kind.unwrap_or(Kind::Text);
            return Some(T::new(CExpr::InSet(kind, Box::new(at.e), out.into_boxed_slice(), negate), Ty::Bool));
        }
        let bt = self.value(b, None)?;
        let Ty::List(elem) = &bt.ty else {
            let n = self.ty_name(&bt.ty);
            self.err(
                "precept::type::mismatch",
                format!("`in` needs a set or a list, found {n}"),
                b.span,
                format!("this is {n}"),
            )
            .with_help("write a set `{a, b}` or name a list field");
            return None;
        };
        let elem = (**elem).clone();
        let at = self.value(a, Some(&elem))?;
        let kind = self.cmp_kind(&at.ty, &elem, op, a, b)?;
        Some(T::new(CExpr::InList(kind, Box::new(at.e), Box::new(bt.e), negate), Ty::Bool))
    }

    /// `list contains x`: membership, as `x in list` (a missing list leaves it unknown). `x` must
    /// be of the list's element type; text `contains` (a substring) is checked in [`Self::binary`].
    fn list_contains(&mut self, at: T, elem: Ty, a: &Expr, b: &Expr) -> Option<T> {
        let bt = self.value(b, Some(&elem))?;
        let numbers = |t: &Ty| matches!(t, Ty::Int | Ty::Dec);
        let alike = bt.ty == elem
            || (numbers(&bt.ty) && numbers(&elem))
            || matches!((&bt.ty, &elem), (Ty::Money(_), Ty::Money(_)));
        if !alike || matches!(elem, Ty::Object(_) | Ty::List(_)) {
            let (list, want, found) = (self.ty_name(&at.ty), self.ty_name(&elem), self.ty_name(&bt.ty));
            let message = if matches!(elem, Ty::Object(_)) {
                format!("`{}` is a list of objects, so `contains` cannot look for {found} in it", self.src(a.span))
            } else {
                format!("`{}` is {list}, so `contains` needs {want}, not {found}", self.src(a.span))
            };
            self.err("precept::type::mismatch", message, b.span, format!("this is {found}"))
                .with_label(a.span, if matches!(elem, Ty::Object(_)) { "a list of objects".to_string() } else { list })
                .with_help(if matches!(elem, Ty::Object(_)) {
                    "a list of objects is searched with a condition: `any(a in record.actions: a.type == \"refund\")`"
                        .to_string()
                } else {
                    format!("`contains` on a list asks whether one of its elements equals the value; give {want}")
                });
            return None;
        }
        // Money in two currencies is reported as such.
        let kind = self.cmp_kind(&elem, &bt.ty, BinaryOp::Eq, a, b)?;
        Some(T::new(CExpr::InList(kind, Box::new(bt.e), Box::new(at.e), false), Ty::Bool))
    }

    fn arithmetic(&mut self, op: BinaryOp, a: &Expr, b: &Expr, span: Span) -> Option<T> {
        if let ExprKind::Months(n) = b.kind {
            if matches!(op, BinaryOp::Add | BinaryOp::Sub) && !matches!(a.kind, ExprKind::Months(_)) {
                return self.add_months(op, a, b, n);
            }
        }
        if matches!(op, BinaryOp::Add | BinaryOp::Sub) && month_like(b) && !month_like(a) {
            return self.add_months_by(op, a, b);
        }
        let at = self.value(a, None);
        let bt = self.value(b, None);
        let (at, bt) = (at?, bt?);
        use Ty::*;
        let num = |t: &Ty| matches!(t, Int | Dec);
        let (arith, ty) = match (op, &at.ty, &bt.ty) {
            // Of a datetime: from the day it counts as received on (a datetime). Of a date (`day(x)`):
            // the Nth working day after that very day, which is never counted (a date). A literal
            // count keeps its own form; one read from the data is checked as it is read.
            (BinaryOp::Add, DateTime | Date, BusinessDays) => {
                let cal = self.calendar_of_count(b)?;
                let ty = at.ty.clone();
                let e = match bt.e {
                    CExpr::Const(Value::Int(n)) => CExpr::AddBusinessDays(Box::new(at.e), n, cal),
                    count => CExpr::AddBusinessDaysBy(Box::new(at.e), Box::new(count), cal),
                };
                return Some(T::new(e, ty));
            }
            (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, Int, Int) => {
                let k = Kind::Int;
                (
                    if op == BinaryOp::Add {
                        Arith::Add(k)
                    } else if op == BinaryOp::Sub {
                        Arith::Sub(k)
                    } else {
                        Arith::Mul(k)
                    },
                    Int,
                )
            }
            (_, l, r) if num(l) && num(r) => {
                let k = Kind::Dec;
                let ar = match op {
                    BinaryOp::Add => Arith::Add(k),
                    BinaryOp::Sub => Arith::Sub(k),
                    BinaryOp::Mul => Arith::Mul(k),
                    _ => Arith::Div(k),
                };
                (ar, Dec)
            }
            (BinaryOp::Add | BinaryOp::Sub, Money(x), Money(y)) => {
                if x != y {
                    self.err(
                        "precept::type::mixed-currency",
                        format!(
                            "cannot {} money in {x} and money in {y}",
                            if op == BinaryOp::Add { "add" } else { "subtract" }
                        ),
                        b.span,
                        format!("this is in {y}"),
                    )
                    .with_label(a.span, format!("this is in {x}"))
                    .with_help("amounts in different currencies are never converted");
                    return None;
                }
                (if op == BinaryOp::Add { Arith::Add(Kind::Money) } else { Arith::Sub(Kind::Money) }, Money(*x))
            }
            (BinaryOp::Mul, Money(x), Money(y)) => {
                self.err(
                    "precept::type::money-times-money",
                    format!("cannot multiply money in {x} by money in {y}"),
                    b.span,
                    format!("this is money in {y}"),
                )
                .with_label(a.span, format!("this is money in {x}"))
                .with_help(
                    "an amount times an amount means nothing; multiply money by a number (`record.refund * 2`), or divide two amounts in one currency for their ratio",
                );
                return None;
            }
            (BinaryOp::Mul, Money(c), r) if num(r) => (Arith::Mul(Kind::Money), Money(*c)),
            (BinaryOp::Mul, l, Money(c)) if num(l) => (Arith::Mul(Kind::Money), Money(*c)),
            (BinaryOp::Div, Money(c), r) if num(r) => (Arith::Div(Kind::Money), Money(*c)),
            (BinaryOp::Div, Money(x), Money(y)) if x == y => (Arith::MoneyRatio, Dec),
            (BinaryOp::Sub, DateTime, DateTime) => (Arith::Elapsed, Duration),
            (BinaryOp::Add, DateTime, Duration) => (Arith::Later, DateTime),
            (BinaryOp::Sub, DateTime, Duration) => (Arith::Earlier, DateTime),
            (BinaryOp::Sub, Date, Date) => (Arith::DaysBetween, Duration),
            (BinaryOp::Add, Date, Duration) => (Arith::DateLater, Date),
            (BinaryOp::Sub, Date, Duration) => (Arith::DateEarlier, Date),
            (BinaryOp::Add, Duration, Duration) => (Arith::Add(Kind::Duration), Duration),
            (BinaryOp::Sub, Duration, Duration) => (Arith::Sub(Kind::Duration), Duration),
            (BinaryOp::Mul, Duration, Int) | (BinaryOp::Mul, Int, Duration) => (Arith::Mul(Kind::Duration), Duration),
            (BinaryOp::Div, Duration, Int) => (Arith::Div(Kind::Duration), Duration),
            (_, l, r) => {
                let (nl, nr) = (self.ty_name(l), self.ty_name(r));
                let help = match (l, r) {
                    (_, BusinessDays) | (BusinessDays, _) => {
                        "business days can only be added to a datetime (`record.opened_at + 3 business days`) or a date (`day(record.opened_at) + 3 business days`)"
                            .to_string()
                    }
                    (Money(_), Money(_)) => "amounts in different currencies are never converted".to_string(),
                    (Text, _) | (_, Text) => "text cannot be used in arithmetic".to_string(),
                    _ => "arithmetic works on numbers, money, dates, datetimes and durations of matching kinds"
                        .to_string(),
                };
                let code = if matches!((l, r), (Money(_), Money(_))) {
                    "precept::type::mixed-currency"
                } else {
                    "precept::type::mismatch"
                };
                self.err(
                    code,
                    format!("cannot use `{}` on {nl} and {nr}", op.as_str()),
                    span,
                    format!("{nl} {} {nr}", op.as_str()),
                )
                .with_help(help);
                return None;
            }
        };
        Some(T::new(CExpr::Arith(arith, Box::new(at.e), Box::new(bt.e)), ty))
    }

    /// `x + N months`, `x - N years`: calendar arithmetic on a date or datetime (see
    /// [`crate::engine::months`]). Nothing else takes a calendar span: it is not a length of time.
    fn add_months(&mut self, op: BinaryOp, a: &Expr, b: &Expr, n: i64) -> Option<T> {
        let at = self.value(a, None)?;
        if !self.months_added_to_a_date(&at, b, "1 month") {
            return None;
        }
        let n = if op == BinaryOp::Sub { n.checked_neg()? } else { n };
        let ty = at.ty.clone();
        Some(T::new(CExpr::AddMonths(Box::new(at.e), n), ty))
    }

    /// `x + record.n months` (or any span [`month_like`] that is not a literal): calendar months
    /// counted from the data, added to (or with `-` taken from) a date or datetime.
    fn add_months_by(&mut self, op: BinaryOp, a: &Expr, b: &Expr) -> Option<T> {
        let at = self.value(a, None);
        let nt = self.months_count(b);
        let (at, nt) = (at?, nt?);
        if !self.need_value(&nt, b) {
            return None;
        }
        if !self.months_added_to_a_date(&at, b, "record.n months") {
            return None;
        }
        let ty = at.ty.clone();
        Some(T::new(CExpr::AddMonthsBy(Box::new(at.e), Box::new(nt.e), op == BinaryOp::Sub), ty))
    }

    /// Whether `at`, which calendar months `b` are added to, is a date or datetime; reported (with
    /// `example` as the span in the help) when it is not.
    fn months_added_to_a_date(&mut self, at: &T, b: &Expr, example: &str) -> bool {
        if matches!(at.ty, Ty::Date | Ty::DateTime) {
            return true;
        }
        let found = self.ty_name(&at.ty);
        self.err(
            "precept::type::calendar-span",
            format!("months and years are added to a date or datetime, not to {found}"),
            b.span,
            "a calendar span",
        )
        .with_help(format!(
            "write `record.received_at + {example}`; a month has no fixed length, so it is not a duration"
        ));
        false
    }

    /// A calendar span as the number of months it counts (an integer, which may be missing):
    /// `3 months`, `record.n years`, `record.n months otherwise 1 month`, `if c then ... else ...`.
    pub(crate) fn months_count(&mut self, e: &Expr) -> Option<T> {
        match &e.kind {
            ExprKind::Months(n) => Some(T::new(CExpr::Const(Value::Int(*n)), Ty::Int)),
            ExprKind::MonthsOf(x, years) => {
                let t = self.count_operand(x, if *years { "years" } else { "months" })?;
                let unit = CountUnit::Months(if *years { 12 } else { 1 });
                let e = CExpr::Counted(unit, Box::new(t.e));
                Some(T { e, ty: Ty::Int, optional: t.optional, key: None, t: Vec::new(), f: Vec::new() })
            }
            ExprKind::Otherwise(x, d) => {
                let xt = self.months_count(x);
                let dt = self.months_count(d).filter(|t| self.need_value(t, d));
                let (xt, dt) = (xt?, dt?);
                Some(T::new(CExpr::Otherwise(Box::new(xt.e), Box::new(dt.e)), Ty::Int))
            }
            ExprKind::If(c, x, y) => {
                let ct = self.bool_operand(c);
                let mark = self.present.len();
                if let Some(ct) = &ct {
                    self.present.extend(ct.t.iter().cloned());
                }
                let xt = self.months_count(x).filter(|t| self.need_value(t, x));
                self.present.truncate(mark);
                if let Some(ct) = &ct {
                    self.present.extend(ct.f.iter().cloned());
                }
                let yt = self.months_count(y).filter(|t| self.need_value(t, y));
                self.present.truncate(mark);
                let (ct, xt, yt) = (ct?, xt?, yt?);
                Some(T::new(CExpr::If(Box::new(ct.e), Box::new(xt.e), Box::new(yt.e)), Ty::Int))
            }
            _ => {
                self.err(
                    "precept::type::calendar-span",
                    "expected months or years here",
                    e.span,
                    "not a calendar span",
                )
                .with_help(
                    "both sides of `otherwise` or `if` must be calendar spans: `record.n months otherwise 1 month`",
                );
                None
            }
        }
    }
}

/// A calendar span that is not a plain literal: `record.n months`, or a default or choice between
/// spans (`record.n months otherwise 1 month`). Literals alone keep the form they always had.
pub(crate) fn month_like(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::MonthsOf(..) => true,
        ExprKind::Otherwise(x, d) => {
            (month_like(x) || matches!(x.kind, ExprKind::Months(_)))
                && (month_like(d) || matches!(d.kind, ExprKind::Months(_)))
        }
        ExprKind::If(_, x, y) => {
            (month_like(x) || matches!(x.kind, ExprKind::Months(_)))
                && (month_like(y) || matches!(y.kind, ExprKind::Months(_)))
        }
        _ => false,
    }
}
