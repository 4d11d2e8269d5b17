//! Type checking of expressions, producing compiled expressions with slot paths.
//!
//! Missing values are handled by flow: `x is present and <uses x>`, `x is missing or <uses x>`,
//! `x is present implies <uses x>`, `if x is present then <uses x> else ...`, a rule's `where`
//! condition and earlier `require` clauses all prove `x` present where it is used. Anywhere else an
//! optional value must be given a default with `otherwise`, or it is an error.
//!
//! This file holds the checker's state and the walk over expressions; names and paths
//! ([`names`]), the infix operators ([`operators`]) and calls of built-in functions ([`call`]) are
//! checked in files of their own.

mod call;
mod names;
mod once;
mod operators;

pub(super) use once::About;

pub(crate) use operators::month_like;

use crate::engine::num::Num;
use jiff::{SignedDuration, Timestamp};

use crate::ast::{Expr, ExprKind, Name, Quantifier, UnaryOp};
use crate::diagnostics::Diag;
use crate::engine::eval;
use crate::engine::program::{Aggregate, CExpr, CountUnit, DateUnit, Kind, Quant, Root, MAX_VARS};
use crate::engine::types::{Currency, EnumDef, Shape, ShapeId, Ty};
use crate::engine::value::{Value, V};
use crate::source::{SourceFile, Span};

/// A field path proven present: where it starts and its slots.
pub type Key = (Root, Vec<u16>);

/// A typed, compiled expression and what it proves.
pub(super) struct T {
    pub(super) e: CExpr,
    pub(super) ty: Ty,
    pub(super) optional: bool,
    /// The field path it reads, when it is one.
    pub(super) key: Option<Key>,
    /// Paths proven present when it is true.
    pub(super) t: Vec<Key>,
    /// Paths proven present when it is false.
    pub(super) f: Vec<Key>,
}

impl T {
    pub(super) fn new(e: CExpr, ty: Ty) -> T {
        T { e, ty, optional: false, key: None, t: Vec::new(), f: Vec::new() }
    }
}

/// Where a group rule's expressions stand.
pub struct GroupScope {
    /// The group shape (`group.<key>`, then aggregates).
    pub shape: ShapeId,
    /// Aggregates met so far, in slot order after the keys.
    pub aggs: Vec<Aggregate>,
    /// The number of key parts (and any `period` slot) before the first aggregate.
    pub fixed: usize,
    /// What the `where` proves present on every record, for aggregate arguments.
    pub record_present: Vec<Key>,
    /// Checking an aggregate's argument: `record` is each record of the group.
    pub inside: bool,
    /// Key parts shown as a week or a month, by slot.
    pub periods: Vec<(u16, DateUnit)>,
    /// Aggregates read since [`TypeCheck::aggregates_read`] last asked, by index.
    pub read: Vec<usize>,
    /// A case rule's scope: it has its case's figures (`group.opened`, ...) but no aggregates.
    pub case: bool,
    /// The slots of aggregates that have no value where no record gives their argument one,
    /// though the argument needs no default inside an aggregate (`max(record.a / record.b)`, `b`
    /// optional): a default or presence test of one is not reported as never used.
    pub may_be_missing: Vec<usize>,
}

/// Type checker for the expressions of one rule.
pub struct TypeCheck<'c> {
    pub(super) file: &'c SourceFile,
    pub(super) shapes: &'c mut Vec<Shape>,
    pub(super) enums: &'c [EnumDef],
    pub(super) record: ShapeId,
    calendar: Option<usize>,
    pub(super) diags: &'c mut Vec<Diag>,
    pub(super) vars: Vec<(String, Ty)>,
    pub(super) present: Vec<Key>,
    /// In a group rule's `require` and `message`: what `group` names and the aggregates met so far.
    pub(super) group: Option<GroupScope>,
    /// In message holes a missing value is shown, not an error.
    pub(super) lenient: bool,
    /// While `lenient`: some optional value was used where a value is needed, so the expression
    /// may be missing where it reads one ([`GroupScope::may_be_missing`]).
    pub(super) missing_let_through: bool,
    /// Some expression asks about staff and roles.
    pub uses_roles: bool,
    /// Some expression reads `now`, the evaluation time.
    pub uses_now: bool,
    /// The calendars a call may name (`in nsw`, `day(x, nsw)`), and where an IANA zone named in a
    /// call becomes a calendar of its own; `None` in checks that name none.
    pub(super) calendars: Option<Calendars<'c>>,
    /// Problems already reported in this rule, so that each is reported once (see [`once`]).
    reported: Vec<once::Reported>,
}

/// What the checker of a rule needs to resolve a calendar or zone named in an expression, once,
/// at compile time: evaluation then holds only an index.
pub struct Calendars<'c> {
    /// The declared calendars by name (index, where declared).
    pub names: &'c std::collections::HashMap<String, (usize, SourceFile, Span)>,
    /// Every calendar of the program; a zone named in a call is added here as a calendar that
    /// works every day (only its zone is ever read).
    pub list: &'c mut Vec<crate::calendar::Calendar>,
    /// Those zone calendars already added, by zone name, so each zone is added once.
    pub zones: &'c mut std::collections::HashMap<String, usize>,
}

impl<'c> TypeCheck<'c> {
    /// A checker for a rule over records of shape `record`, with the code's calendar.
    pub fn new(
        file: &'c SourceFile,
        shapes: &'c mut Vec<Shape>,
        enums: &'c [EnumDef],
        record: ShapeId,
        calendar: Option<usize>,
        diags: &'c mut Vec<Diag>,
    ) -> TypeCheck<'c> {
        TypeCheck {
            file,
            shapes,
            enums,
            record,
            calendar,
            diags,
            vars: Vec::new(),
            present: Vec::new(),
            lenient: false,
            missing_let_through: false,
            uses_roles: false,
            uses_now: false,
            group: None,
            calendars: None,
            reported: Vec::new(),
        }
    }

    /// The same checker, able to resolve calendars and zones named in expressions.
    pub fn with_calendars(mut self, calendars: Calendars<'c>) -> TypeCheck<'c> {
        self.calendars = Some(calendars);
        self
    }

    /// A condition (`where`, `require`): a boolean that is never missing. What it proves when true
    /// is assumed for what follows (later clauses run only when earlier ones held).
    pub fn condition(&mut self, e: &Expr, what: &str) -> Option<CExpr> {
        let t = self.check(e, None)?;
        if t.ty != Ty::Bool {
            self.err(
                "precept::type::mismatch",
                format!("{what} must be true or false, not {}", self.ty_name(&t.ty)),
                e.span,
                format!("this is {}", self.ty_name(&t.ty)),
            )
            .with_help("compare it with something, e.g. `record.amount <= 50.00 GBP`");
            return None;
        }
        if !self.need_value(&t, e) {
            return None;
        }
        self.present.extend(t.t);
        Some(t.e)
    }

    /// A message hole: any value; a missing one is shown as `(missing)`.
    pub fn display(&mut self, e: &Expr) -> Option<(CExpr, Ty)> {
        self.lenient = true;
        let t = self.check(e, None);
        self.lenient = false;
        let t = t?;
        if matches!(t.ty, Ty::Set(_)) {
            self.err("precept::type::mismatch", "a set cannot be shown in a message", e.span, "a set");
            return None;
        }
        Some((t.e, t.ty))
    }

    // ------------------------------------------------------------ reporting

    pub(super) fn err(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> &mut Diag {
        self.diags.push(Diag::error(code, message).at(self.file, span, label));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    pub(super) fn warn(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
        help: &str,
    ) {
        self.diags.push(Diag::warning(code, message).at(self.file, span, label).help(help));
    }

    pub(super) fn src(&self, span: Span) -> String {
        let s = self.file.slice(span);
        let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 60 {
            format!("{}...", one_line.chars().take(57).collect::<String>())
        } else {
            one_line
        }
    }

    pub(super) fn ty_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Text => "text".into(),
            Ty::Int => "an integer".into(),
            Ty::Dec => "a decimal".into(),
            Ty::Money(c) => format!("money in {c}"),
            Ty::Bool => "a boolean".into(),
            Ty::Date => "a date".into(),
            Ty::DateTime => "a datetime".into(),
            Ty::Duration => "a duration".into(),
            Ty::BusinessDays => "a number of business days".into(),
            Ty::Enum(e) => {
                let vs = self
                    .enums
                    .get(*e)
                    .map(|e| e.variants.iter().take(4).map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                format!(
                    "an enumeration ({vs}{})",
                    if self.enums.get(*e).is_some_and(|e| e.variants.len() > 4) { ", ..." } else { "" }
                )
            }
            Ty::List(inner) => {
                format!("a list of {}", self.ty_name(inner).trim_start_matches("an ").trim_start_matches("a "))
            }
            Ty::Object(_) => "an object".into(),
            Ty::Set(_) => "a set".into(),
        }
    }

    /// Report an optional value used where a value is needed; true when it is fine.
    pub(super) fn need_value(&mut self, t: &T, e: &Expr) -> bool {
        if !t.optional {
            return true;
        }
        if self.lenient {
            self.missing_let_through = true;
            return true;
        }
        let s = self.src(e.span);
        // By the whole expression as written (not `s`, which is cut for the message).
        let about = About::Missing(self.file.slice(e.span).split_whitespace().collect::<Vec<_>>().join(" "));
        if self.reported_before(&about, e.span) {
            return false;
        }
        self.err("precept::type::unhandled-missing", format!("`{s}` may be missing and this does not say what that means"), e.span, "may be missing")
            .with_help(format!("say what a missing value means: `{s} is present and ...`, `{s} is missing or ...`, or `{s} otherwise <default>`"));
        self.remember(about);
        false
    }

    pub(super) fn value(&mut self, e: &Expr, hint: Option<&Ty>) -> Option<T> {
        let t = self.check(e, hint)?;
        if self.need_value(&t, e) {
            Some(t)
        } else {
            None
        }
    }

    pub(super) fn is_proven(&self, key: &Key) -> bool {
        self.present.iter().any(|k| k == key)
    }

    /// Whether the path `t` reads (or one of the objects on it) was tested for presence earlier in
    /// the rule (`where x is present`, `x is present and ...`): then it is never missing *here*,
    /// and a second test or default is that first test's consequence, not a mistake about the
    /// schema, so `precept::type::never-missing` is not reported for it.
    /// Whether `t` reads an aggregate that may have no value though it is not optional
    /// ([`GroupScope::may_be_missing`]).
    fn reads_maybe_missing(&self, t: &T) -> bool {
        fn reads(e: &CExpr, slots: &[usize]) -> bool {
            matches!(e, CExpr::Field(Root::Record, steps) if matches!(steps.as_ref(), [s] if slots.contains(&usize::from(*s))))
                || e.children().any(|c| reads(c, slots))
        }
        self.group.as_ref().is_some_and(|g| reads(&t.e, &g.may_be_missing))
    }

    fn tested_earlier(&self, t: &T) -> bool {
        let Some((root, slots)) = &t.key else { return false };
        (1..=slots.len()).any(|n| slots.get(..n).is_some_and(|p| self.is_proven(&(*root, p.to_vec()))))
    }

    // ------------------------------------------------------------ expressions

    pub(super) fn check(&mut self, e: &Expr, hint: Option<&Ty>) -> Option<T> {
        match &e.kind {
            ExprKind::Path(names) => self.path(names, e.span, hint),
            ExprKind::Integer(n) => Some(T::new(CExpr::Const(Value::Int(*n)), Ty::Int)),
            ExprKind::Decimal(s) => match Num::parse(s) {
                Some(d) => Some(T::new(CExpr::Const(Value::Dec(d)), Ty::Dec)),
                None => {
                    self.err(
                        "precept::type::invalid-literal",
                        format!("`{s}` is not a decimal number"),
                        e.span,
                        "out of range",
                    )
                    .with_help(NUMBER_RANGE);
                    None
                }
            },
            ExprKind::Money(amount, cur) => {
                let d = Num::parse(amount);
                let c = Currency::parse(&cur.text);
                match (d, c) {
                    (Some(d), Some(c)) => Some(T::new(CExpr::Const(Value::Money(d)), Ty::Money(c))),
                    _ => {
                        self.err(
                            "precept::type::invalid-literal",
                            format!("`{}` is not an amount of money", self.src(e.span)),
                            e.span,
                            "not an amount",
                        )
                        .with_help("write money as `50.00 GBP`");
                        None
                    }
                }
            }
            ExprKind::Text(s) => match hint {
                Some(Ty::Enum(id)) => self.variant(*id, s, e.span),
                _ => Some(T::new(CExpr::Const(Value::Text(s.as_str().into())), Ty::Text)),
            },
            ExprKind::Bool(b) => Some(T::new(CExpr::Const(Value::Bool(*b)), Ty::Bool)),
            ExprKind::Now => {
                self.uses_now = true;
                Some(T::new(CExpr::Now, Ty::DateTime))
            }
            ExprKind::Date(s) => match s.parse::<jiff::civil::Date>() {
                Ok(d) => Some(T::new(CExpr::Const(Value::Date(d)), Ty::Date)),
                Err(_) => {
                    self.err(
                        "precept::type::invalid-literal",
                        format!("`{s}` is not a real date"),
                        e.span,
                        "no such date",
                    )
                    .with_help("write dates as `YYYY-MM-DD`");
                    None
                }
            },
            ExprKind::DateTime(s) => match parse_datetime(s) {
                Some((ts, off)) => Some(T::new(CExpr::Const(Value::DateTime(ts, off)), Ty::DateTime)),
                None => {
                    self.err("precept::type::invalid-literal", format!("`{s}` is not a datetime with an offset"), e.span, "not a datetime")
                        .with_help("write datetimes as `2024-03-01T09:00:00Z`, with `Z`, an offset like `+01:00`, or a zone like `[Europe/London]`");
                    None
                }
            },
            ExprKind::Duration(secs) => {
                Some(T::new(CExpr::Const(Value::Duration(SignedDuration::from_secs(*secs))), Ty::Duration))
            }
            ExprKind::BusinessDays(n, _) => Some(T::new(CExpr::Const(Value::Int(*n)), Ty::BusinessDays)),
            // Reached only where a span stands on its own (`x - y <= 1 month`, `1 month + x`): a month
            // has no fixed length, so comparing it with a duration has no exact meaning.
            ExprKind::Months(_) => {
                self.err(
                    "precept::type::calendar-span",
                    "months and years are not a length of time",
                    e.span,
                    "a calendar span",
                )
                .with_help(
                    "add it to the earlier date and compare dates: write `record.replied_at <= record.received_at + 1 month`, not `record.replied_at - record.received_at <= 1 month`",
                );
                None
            }
            ExprKind::BusinessDaysOf(x, _) => {
                let t = self.count_operand(x, "business days")?;
                let e = CExpr::Counted(CountUnit::BusinessDays, Box::new(t.e));
                Some(T { e, ty: Ty::BusinessDays, optional: t.optional, key: None, t: Vec::new(), f: Vec::new() })
            }
            ExprKind::DurationOf(x, per) => {
                let t = self.count_operand(x, "a length of time")?;
                let e = CExpr::Counted(CountUnit::Seconds(*per), Box::new(t.e));
                Some(T { e, ty: Ty::Duration, optional: t.optional, key: None, t: Vec::new(), f: Vec::new() })
            }
            // As for `N months` standing on its own: a month is not a length of time.
            ExprKind::MonthsOf(..) => {
                self.err(
                    "precept::type::calendar-span",
                    "months and years are not a length of time",
                    e.span,
                    "a calendar span",
                )
                .with_help(
                    "add it to the earlier date and compare dates: write `record.replied_at <= record.received_at + record.n months`",
                );
                None
            }
            ExprKind::Set(_) => {
                self.err("precept::type::mismatch", "a set can only follow `in` or `not in`", e.span, "a set here")
                    .with_help("write `record.channel in {phone, email}`");
                None
            }
            ExprKind::Unary(UnaryOp::Not, x) => {
                let t = self.bool_operand(x)?;
                Some(T { e: CExpr::Not(Box::new(t.e)), ty: Ty::Bool, optional: false, key: None, t: t.f, f: t.t })
            }
            ExprKind::Unary(UnaryOp::Neg, x) => {
                let t = self.value(x, hint)?;
                let kind = match t.ty {
                    Ty::Int => Kind::Int,
                    Ty::Dec => Kind::Dec,
                    Ty::Money(_) => Kind::Money,
                    Ty::Duration => Kind::Duration,
                    _ => {
                        let n = self.ty_name(&t.ty);
                        self.err(
                            "precept::type::mismatch",
                            format!("cannot negate {n}"),
                            x.span,
                            format!("this is {n}"),
                        )
                        .with_help("only numbers, money and durations can be negative");
                        return None;
                    }
                };
                let folded = match &t.e {
                    CExpr::Const(v) => {
                        let neg = CExpr::Neg(kind, Box::new(CExpr::Const(v.clone())));
                        const_value(&neg).map(CExpr::Const)
                    }
                    _ => None,
                };
                Some(T::new(folded.unwrap_or(CExpr::Neg(kind, Box::new(t.e))), t.ty))
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span),
            ExprKind::Presence(x, want) => {
                let t = self.check(x, None)?;
                if !t.optional && !self.tested_earlier(&t) && !self.reads_maybe_missing(&t) {
                    let s = self.src(x.span);
                    let (msg, label) = if *want {
                        (format!("`{s}` is always present, so this is always true"), "never missing")
                    } else {
                        (format!("`{s}` is never missing, so this can never hold"), "never missing")
                    };
                    self.warn(
                        "precept::type::never-missing",
                        msg,
                        e.span,
                        label,
                        &never_missing_help(x, "remove the test"),
                    );
                }
                let key = t.key.clone();
                let mut out = T::new(CExpr::Present(Box::new(t.e), *want), Ty::Bool);
                if let Some(k) = key {
                    if *want {
                        out.t.push(k);
                    } else {
                        out.f.push(k);
                    }
                }
                Some(out)
            }
            ExprKind::Otherwise(x, d) => {
                let t = self.check(x, hint);
                let Some(t) = t else {
                    self.value(d, hint);
                    return None;
                };
                if !t.optional && !self.tested_earlier(&t) && !self.reads_maybe_missing(&t) {
                    let s = self.src(x.span);
                    self.warn(
                        "precept::type::never-missing",
                        format!("`{s}` is never missing, so the default is never used"),
                        d.span,
                        "never used",
                        &never_missing_help(x, "remove `otherwise ...`"),
                    );
                }
                let dt = self.value(d, Some(&t.ty))?;
                let ty = self.unify(&t.ty, &dt.ty, d.span)?;
                let (x, d) = (widened(t.e, &t.ty, &ty), widened(dt.e, &dt.ty, &ty));
                Some(T::new(CExpr::Otherwise(Box::new(x), Box::new(d)), ty))
            }
            ExprKind::If(c, a, b) => {
                let ct = self.bool_operand(c);
                let mark = self.present.len();
                if let Some(ct) = &ct {
                    self.present.extend(ct.t.iter().cloned());
                }
                let at = self.value(a, hint);
                self.present.truncate(mark);
                if let Some(ct) = &ct {
                    self.present.extend(ct.f.iter().cloned());
                }
                let bt = self.value(b, at.as_ref().map(|t| &t.ty).or(hint));
                self.present.truncate(mark);
                let (ct, at, bt) = (ct?, at?, bt?);
                let ty = self.unify(&at.ty, &bt.ty, b.span)?;
                let (a, b) = (widened(at.e, &at.ty, &ty), widened(bt.e, &bt.ty, &ty));
                Some(T::new(CExpr::If(Box::new(ct.e), Box::new(a), Box::new(b)), ty))
            }
            ExprKind::Quantifier(q, var, list, cond) => {
                let (lt, elem) = self.list_operand(list)?;
                let slot = self.bind(var, elem)?;
                let mark = self.present.len();
                let ct = self.bool_operand(cond);
                self.present.truncate(mark);
                self.vars.pop();
                let q = match q {
                    Quantifier::All => Quant::All,
                    Quantifier::Any => Quant::Any,
                    Quantifier::None => Quant::None,
                };
                Some(T::new(CExpr::Quant(q, slot, Box::new(lt.e), Box::new(ct?.e)), Ty::Bool))
            }
            ExprKind::Count(None, x, None) if self.group.as_ref().is_some_and(|g| !g.inside) => {
                self.count_group(Some(x), e.span)
            }
            ExprKind::Count(var, list, cond) => {
                let (lt, elem) = self.list_operand(list)?;
                match (var, cond) {
                    (Some(var), Some(cond)) => {
                        let slot = self.bind(var, elem)?;
                        let mark = self.present.len();
                        let ct = self.bool_operand(cond);
                        self.present.truncate(mark);
                        self.vars.pop();
                        Some(T::new(CExpr::Count(Box::new(lt.e), Some((slot, Box::new(ct?.e)))), Ty::Int))
                    }
                    _ => Some(T::new(CExpr::Count(Box::new(lt.e), None), Ty::Int)),
                }
            }
            ExprKind::BusinessBetween(a, b, named) => {
                let at = self.value(a, Some(&Ty::DateTime));
                let bt = self.value(b, Some(&Ty::DateTime));
                let (at, bt) = (at?, bt?);
                for (t, x) in [(&at, a), (&bt, b)] {
                    if t.ty != Ty::DateTime {
                        let n = self.ty_name(&t.ty);
                        self.err("precept::type::mismatch", format!("`business days between` needs datetimes, not {n}"), x.span, format!("this is {n}"))
                            .with_help("pass two datetime fields, e.g. `business days between(record.opened_at, record.resolved_at)`");
                        return None;
                    }
                }
                let cal = self.calendar_for(named.as_ref(), e.span)?;
                Some(T::new(CExpr::BusinessBetween(Box::new(at.e), Box::new(bt.e), cal), Ty::Int))
            }
            ExprKind::Call(f, args) => self.call(f, args, e.span),
            ExprKind::CountAll => self.count_group(None, e.span),
            ExprKind::Percent(s) => match Num::parse(s).and_then(|d| d.checked_div(Num::from(100))) {
                Some(d) => Some(T::new(CExpr::Const(Value::Dec(d)), Ty::Dec)),
                None => {
                    self.err(
                        "precept::type::invalid-literal",
                        format!("`{s}%` is not a percentage"),
                        e.span,
                        "out of range",
                    )
                    .with_help("write shares as `5%` or `2.5%`");
                    None
                }
            },
        }
    }

    pub(super) fn bool_operand(&mut self, x: &Expr) -> Option<T> {
        let t = self.value(x, Some(&Ty::Bool))?;
        if t.ty != Ty::Bool {
            let n = self.ty_name(&t.ty);
            self.err("precept::type::mismatch", format!("expected true or false, found {n}"), x.span, format!("this is {n}"))
                .with_help("`and`, `or`, `not`, `implies`, `if` and quantifier bodies take conditions such as `record.paid == true`");
            return None;
        }
        Some(t)
    }

    fn list_operand(&mut self, x: &Expr) -> Option<(T, Ty)> {
        let t = self.value(x, None)?;
        match &t.ty {
            Ty::List(inner) => {
                let inner = (**inner).clone();
                Some((t, inner))
            }
            other => {
                let n = self.ty_name(other);
                self.err(
                    "precept::type::mismatch",
                    format!("expected a list, found {n}"),
                    x.span,
                    format!("this is {n}"),
                )
                .with_help("quantifiers and `count` range over list fields, e.g. `all(a in record.actions: ...)`");
                None
            }
        }
    }

    fn bind(&mut self, var: &Name, ty: Ty) -> Option<u8> {
        if var.text == "record" || self.vars.iter().any(|(n, _)| *n == var.text) {
            self.err(
                "precept::type::shadowed-name",
                format!("`{}` is already a name here", var.text),
                var.span,
                "already in use",
            )
            .with_help("choose another name for the element");
            return None;
        }
        if self.vars.len() >= MAX_VARS {
            self.err(
                "precept::parse::too-deep",
                format!("more than {MAX_VARS} nested quantifiers"),
                var.span,
                "too deep",
            )
            .with_help("split the condition into separate rules");
            return None;
        }
        self.vars.push((var.text.clone(), ty));
        u8::try_from(self.vars.len() - 1).ok()
    }

    /// The count before a unit (`record.agreed_days business days`): a whole number, which may be
    /// missing (the caller's `otherwise` or presence test says what that means).
    pub(crate) fn count_operand(&mut self, x: &Expr, unit: &str) -> Option<T> {
        let t = self.check(x, Some(&Ty::Int))?;
        if t.ty != Ty::Int {
            let n = self.ty_name(&t.ty);
            self.err(
                "precept::type::mismatch",
                format!("{unit} are counted from a whole number, not {n}"),
                x.span,
                format!("this is {n}"),
            )
            .with_help("count from an integer field, e.g. `record.agreed_days business days`");
            return None;
        }
        Some(t)
    }

    /// The rule's calendar, when it has a usable one (no error when it has none): also the zone its
    /// days are taken in (`None`: at the offset written).
    pub(crate) fn calendar(&self) -> Option<usize> {
        self.calendar.filter(|&c| c != super::UNKNOWN_CALENDAR)
    }

    pub(super) fn need_calendar(&mut self, span: Span) -> Option<usize> {
        if self.calendar == Some(super::UNKNOWN_CALENDAR) {
            // The code named a calendar that does not exist; that error is already reported.
            return None;
        }
        if self.calendar.is_none() {
            self.err("precept::type::no-calendar", "business days need a calendar, and this code has none", span, "which days are business days?")
                .with_help("declare a calendar (`calendar uk { ... }` or `calendar uk from \"uk.toml\"`) and name it in the code with `calendar uk`");
        }
        self.calendar
    }

    /// The calendar a number of business days `e` counts in, however it is written: `3 business
    /// days in nsw`, `record.n business days in nsw`, or either inside `if`/`otherwise`, whose
    /// branches must then agree; else the rule's. Branches naming different calendars (or one
    /// naming a calendar and another not) are reported: one count has one calendar.
    pub(super) fn calendar_of_count(&mut self, e: &Expr) -> Option<usize> {
        fn leaves<'e>(e: &'e Expr, out: &mut Vec<(Option<&'e Name>, Span)>) {
            match &e.kind {
                ExprKind::BusinessDays(_, named) | ExprKind::BusinessDaysOf(_, named) => {
                    out.push((named.as_ref(), e.span))
                }
                ExprKind::If(_, a, b) | ExprKind::Otherwise(a, b) => {
                    leaves(a, out);
                    leaves(b, out);
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        leaves(e, &mut found);
        fn text(n: Option<&Name>) -> Option<&str> {
            n.map(|n| n.text.as_str())
        }
        let first = found.first().map(|(n, _)| *n).unwrap_or(None);
        if let Some((other, at)) = found.iter().find(|(n, _)| text(*n) != text(first)) {
            let say = |n: Option<&Name>| n.map_or("the rule's calendar".to_string(), |n| format!("`{}`", n.text));
            self.err(
                "precept::type::mismatch",
                format!("these business days are counted in {} and in {}", say(first), say(*other)),
                *at,
                "another calendar than the first",
            )
            .with_help("one count of business days has one calendar: name the same calendar in every branch (`... business days in nsw`), or none");
            return None;
        }
        self.calendar_for(first, e.span)
    }

    /// The calendar business days are counted in: the one named (`in nsw`), else the rule's.
    pub(super) fn calendar_for(&mut self, named: Option<&Name>, span: Span) -> Option<usize> {
        match named {
            Some(n) => self.named_calendar(n),
            None => self.need_calendar(span),
        }
    }

    /// The calendar `n` names; reported (with the closest name) when none is declared by it.
    pub(super) fn named_calendar(&mut self, n: &Name) -> Option<usize> {
        let names = self.calendars.as_ref().map(|c| c.names);
        if let Some((i, _, _)) = names.and_then(|m| m.get(&n.text)) {
            // A calendar declared but broken is reported where it is declared.
            return (*i != super::UNKNOWN_CALENDAR).then_some(*i);
        }
        let mut known: Vec<&str> = names.map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        known.sort_unstable();
        let help = crate::diagnostics::suggest::help(&n.text, &known, "calendar");
        self.err(
            "precept::type::unknown-calendar",
            format!("unknown calendar `{}`", n.text),
            n.span,
            "no calendar of this name",
        )
        .with_help(help);
        None
    }

    /// A calendar standing for the IANA zone `zone` (written in a call), added once per zone;
    /// reported when the bundled database does not know the zone.
    pub(super) fn zone_named(&mut self, zone: &str, span: Span) -> Option<usize> {
        let cals = self.calendars.as_mut()?;
        if let Some(&i) = cals.zones.get(zone) {
            return Some(i);
        }
        const EVERY_DAY: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        match crate::calendar::Calendar::new(zone, &EVERY_DAY, None, &[]) {
            Ok(c) => {
                cals.list.push(c);
                let i = cals.list.len() - 1;
                cals.zones.insert(zone.to_owned(), i);
                Some(i)
            }
            Err(_) => {
                // The zone names are listed only here, on the error path.
                let names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
                let help = match crate::diagnostics::suggest::closest(zone, names.iter().map(String::as_str)) {
                    Some(near) => format!("did you mean `\"{near}\"`?"),
                    None => "name a declared calendar (`day(record.at, nsw)`) or an IANA time zone such as `\"Europe/London\"`, `\"Australia/Sydney\"` or `\"UTC\"`".to_owned(),
                };
                self.err(
                    "precept::type::unknown-zone",
                    format!("unknown time zone `{zone}`"),
                    span,
                    "not in the time zone database",
                )
                .with_help(help);
                None
            }
        }
    }

    fn unify(&mut self, a: &Ty, b: &Ty, at: Span) -> Option<Ty> {
        match (a, b) {
            _ if a == b => Some(a.clone()),
            (Ty::Int, Ty::Dec) | (Ty::Dec, Ty::Int) => Some(Ty::Dec),
            _ => {
                let (na, nb) = (self.ty_name(a), self.ty_name(b));
                self.err("precept::type::mismatch", format!("expected {na}, found {nb}"), at, format!("this is {nb}"))
                    .with_help("both alternatives must have the same type");
                None
            }
        }
    }
}

/// `e`, of type `from`, as a value of the unified type `to`: a whole number where a decimal is
/// expected (one branch of an `if` or an `otherwise` whose other is a decimal) is made one, so
/// that the choice always gives a decimal. Else its whole number reached a group's key (a group
/// `0` apart from the decimal `0`) or a sum of decimals (which took it for an overflow).
fn widened(e: CExpr, from: &Ty, to: &Ty) -> CExpr {
    match (from, to) {
        (Ty::Int, Ty::Dec) => CExpr::ToDec(Box::new(e)),
        _ => e,
    }
}

/// The help of `precept::type::never-missing`: for a computation, that one with no answer (division
/// by zero, overflow) is not missing either, so neither `is missing` nor `otherwise` is about it.
fn never_missing_help(x: &Expr, remove: &str) -> String {
    if matches!(x.kind, ExprKind::Path(_)) {
        format!("the field is not optional in the schema; {remove}, or mark the field optional with `?`")
    } else {
        format!(
            "its operands are never missing, and a computation with no answer (division by zero, overflow) is not missing either; {remove}, or say what no answer means with a test that avoids it (`record.y != 0 implies ...`)"
        )
    }
}

/// The help for a number literal that cannot be held: what the exact numbers hold (see
/// [`crate::engine::num`]).
const NUMBER_RANGE: &str =
    "numbers are held exactly as fractions whose numerator and denominator are below 2^127 (about 38 digits)";

/// Evaluate an expression that reads no record (constants only).
fn const_value(e: &CExpr) -> Option<Value> {
    let mut vars = eval::vars();
    let v = eval::eval(e, &[], &eval::Cx::new(&[]), &mut vars);
    match v {
        V::Missing => None,
        V::Bool(b) => Some(Value::Bool(b)),
        V::Int(i) => Some(Value::Int(i)),
        V::Dec(d) => Some(Value::Dec(d)),
        V::Money(m) => Some(Value::Money(m)),
        V::Duration(d) => Some(Value::Duration(d)),
        _ => None,
    }
}

/// A datetime literal with its display offset: `Z`, `+01:00`, or a bracketed zone.
pub fn parse_datetime(s: &str) -> Option<(Timestamp, i32)> {
    if s.contains('[') {
        let z: jiff::Zoned = s.parse().ok()?;
        return Some((z.timestamp(), z.offset().seconds()));
    }
    let ts: Timestamp = s.parse().ok()?;
    let off = if s.ends_with('Z') || s.ends_with('z') {
        0
    } else {
        let tail = s.get(s.len().saturating_sub(6)..)?;
        let sign = if tail.starts_with('-') { -1 } else { 1 };
        let h: i32 = tail.get(1..3)?.parse().ok()?;
        let m: i32 = tail.get(4..6)?.parse().ok()?;
        sign * (h * 3600 + m * 60)
    };
    Some((ts, off))
}
