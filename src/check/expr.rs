//! Type checking of expressions, producing compiled expressions with slot paths.
//!
//! Missing values are handled by flow: `x is present and <uses x>`, `x is missing or <uses x>`,
//! `x is present implies <uses x>`, `if x is present then <uses x> else ...`, a rule's `where`
//! condition and earlier `require` clauses all prove `x` present where it is used. Anywhere else an
//! optional value must be given a default with `otherwise`, or it is an error.

use crate::engine::num::Num;
use jiff::{SignedDuration, Timestamp};

use crate::ast::{BinaryOp, Expr, ExprKind, Name, Quantifier, UnaryOp};
use crate::diagnostics::suggest;
use crate::diagnostics::Diag;
use crate::engine::eval;
use crate::engine::program::{Aggregate, Arith, CExpr, CmpOp, DateUnit, Kind, Quant, Root, ScopeFn, TextOp, MAX_VARS};
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
    /// Some expression asks about staff and roles.
    pub uses_roles: bool,
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
            uses_roles: false,
            group: None,
        }
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
        if !t.optional || self.lenient {
            return true;
        }
        let s = self.src(e.span);
        self.err("precept::type::unhandled-missing", format!("`{s}` may be missing and this does not say what that means"), e.span, "may be missing")
            .with_help(format!("say what a missing value means: `{s} is present and ...`, `{s} is missing or ...`, or `{s} otherwise <default>`"));
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
            ExprKind::BusinessDays(n) => Some(T::new(CExpr::Const(Value::Int(*n)), Ty::BusinessDays)),
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
                if !t.optional {
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
                if !t.optional {
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
                Some(T::new(CExpr::Otherwise(Box::new(t.e), Box::new(dt.e)), ty))
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
                Some(T::new(CExpr::If(Box::new(ct.e), Box::new(at.e), Box::new(bt.e)), ty))
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
            ExprKind::BusinessBetween(a, b) => {
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
                let cal = self.need_calendar(e.span)?;
                Some(T::new(CExpr::BusinessBetween(Box::new(at.e), Box::new(bt.e), cal), Ty::Int))
            }
            ExprKind::Call(f, args) if self.is_group_function(&f.text) => self.group_call(f, args, e.span),
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

    // ------------------------------------------------------------ questions about staff and roles

    /// `role_of`, `may`, `outranks`, `qualified`, `qualified_for`: checked like any operator, compiled
    /// to a question the run's authority on roles answers.
    fn call(&mut self, f: &Name, args: &[Expr], span: Span) -> Option<T> {
        const SIGNATURES: [(&str, &str); 5] = [
            ("may", "may(staff, action, amount, on) or may(staff, action, on)"),
            ("outranks", "outranks(senior, junior, on)"),
            ("qualified", "qualified(staff, qualification, on)"),
            ("qualified_for", "qualified_for(staff, area, on)"),
            ("role_of", "role_of(staff, on)"),
        ];
        let Some(&(_, signature)) = SIGNATURES.iter().find(|(n, _)| *n == f.text) else {
            let names: Vec<&str> = SIGNATURES.iter().map(|(n, _)| *n).collect();
            let help = match suggest::closest(&f.text, names.iter().copied()) {
                Some(near) => {
                    let sig = SIGNATURES.iter().find(|(n, _)| *n == near).map_or("", |(_, s)| *s);
                    format!("did you mean `{near}`? It is written `{sig}`")
                }
                None => format!(
                    "the functions are {}; `count(...)` and `business days between(...)` are written as themselves",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            self.err(
                "precept::type::unknown-function",
                format!("unknown function `{}`", f.text),
                f.span,
                "no function of this name",
            )
            .with_help(help);
            for a in args {
                self.check(a, None);
            }
            return None;
        };
        let (func, arity): (ScopeFn, &[usize]) = match f.text.as_str() {
            "may" => (ScopeFn::May { amount: args.len() == 4, currency: None }, &[3, 4]),
            "outranks" => (ScopeFn::Outranks, &[3]),
            "qualified" => (ScopeFn::Qualified, &[3]),
            "qualified_for" => (ScopeFn::QualifiedFor, &[3]),
            _ => (ScopeFn::RoleOf, &[2]),
        };
        if !arity.contains(&args.len()) {
            self.err(
                "precept::type::wrong-arguments",
                format!(
                    "`{}` takes {} arguments, not {}",
                    f.text,
                    arity.iter().map(usize::to_string).collect::<Vec<_>>().join(" or "),
                    args.len()
                ),
                span,
                "wrong number of arguments",
            )
            .with_help(format!("write `{signature}`"));
            return None;
        }
        self.uses_roles = true;
        let last = args.len() - 1;
        let mut out = Vec::with_capacity(args.len());
        let mut func = func;
        let mut ok = true;
        for (i, a) in args.iter().enumerate() {
            let what = match (func, i) {
                (_, i) if i == last => "day",
                (ScopeFn::May { .. }, 1) => "action",
                (ScopeFn::May { .. }, 2) => "amount",
                (ScopeFn::Qualified, 1) => "qualification",
                (ScopeFn::QualifiedFor, 1) => "area",
                _ => "staff",
            };
            let t = if what == "amount" { self.check(a, None) } else { self.value(a, None) };
            let Some(t) = t else {
                ok = false;
                continue;
            };
            let fits = match (what, &t.ty) {
                ("day", Ty::Date | Ty::DateTime) => true,
                ("amount", Ty::Money(_) | Ty::Int | Ty::Dec | Ty::Duration) => true,
                ("action" | "area" | "qualification", Ty::Enum(_)) => true,
                (_, Ty::Text) => what != "day" && what != "amount",
                _ => false,
            };
            if !fits {
                let n = self.ty_name(&t.ty);
                let want = match what {
                    "day" => "a date or datetime",
                    "amount" => "money, a number or a duration",
                    "staff" => "text (a staff id)",
                    _ => "text or an enumeration value",
                };
                self.err(
                    "precept::type::mismatch",
                    format!("the {what} given to `{}` must be {want}, not {n}", f.text),
                    a.span,
                    format!("this is {n}"),
                )
                .with_help(format!("write `{signature}`"));
                ok = false;
                continue;
            }
            if let (ScopeFn::May { amount, .. }, Ty::Money(c)) = (func, &t.ty) {
                func = ScopeFn::May { amount, currency: Some(*c) };
            }
            let e = match &t.ty {
                Ty::Enum(id) => {
                    let names = self.enums.get(*id).map(|d| d.variants.iter().map(|v| v.as_str().into()).collect());
                    CExpr::EnumText(names.unwrap_or_default(), Box::new(t.e))
                }
                _ => t.e,
            };
            out.push(e);
        }
        if !ok {
            return None;
        }
        let mut t = T::new(
            CExpr::Scope(func, out.into_boxed_slice()),
            if func == ScopeFn::RoleOf { Ty::Text } else { Ty::Bool },
        );
        // Someone with no role that day has none: the rule must say what that means.
        t.optional = func == ScopeFn::RoleOf;
        Some(t)
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

    fn variant(&mut self, id: usize, name: &str, span: Span) -> Option<T> {
        let variants: Vec<&str> =
            self.enums.get(id).map(|e| e.variants.iter().map(String::as_str).collect()).unwrap_or_default();
        match variants.iter().position(|v| *v == name) {
            Some(i) => Some(T::new(CExpr::Const(Value::Enum(i as u32)), Ty::Enum(id))),
            None => {
                let help = suggest::help(name, &variants, "value");
                self.err(
                    "precept::type::unknown-variant",
                    format!("`{name}` is not a value of this enumeration, so this can never hold"),
                    span,
                    "no such value",
                )
                .with_help(help);
                None
            }
        }
    }

    fn path(&mut self, names: &[Name], span: Span, hint: Option<&Ty>) -> Option<T> {
        let first = names.first()?;
        let group_level = self.group.as_ref().filter(|g| !g.inside).map(|g| g.shape);
        let (root, mut ty) = if first.text == "record" && group_level.is_some() {
            self.err("precept::type::record-outside-aggregate", "a group rule judges groups, not single records", first.span, "which record?")
                .with_help("read records inside an aggregate (`count(...)`, `share(...)`, `sum(...)`, `avg(...)`, ...) and the group's key as `group.<name>`");
            return None;
        } else if let (Some(shape), "group") = (group_level, first.text.as_str()) {
            (Root::Record, Ty::Object(shape))
        } else if first.text == "record" {
            (Root::Record, Ty::Object(self.record))
        } else if let Some(slot) = self.vars.iter().rposition(|(n, _)| *n == first.text) {
            let ty = self.vars.get(slot).map(|v| v.1.clone())?;
            (Root::Var(u8::try_from(slot).ok()?), ty)
        } else if names.len() == 1 {
            if let Some(Ty::Enum(id)) = hint {
                return self.variant(*id, &first.text, span);
            }
            return self.unknown_name(first, true);
        } else {
            return self.unknown_name(first, false);
        };
        let mut steps: Vec<u16> = Vec::new();
        let mut optional = false;
        let mut prefix_end = first.span.end;
        for n in names.iter().skip(1) {
            let Ty::Object(shape) = ty else {
                let what = self.ty_name(&ty);
                let prefix = self.src(Span::new(span.start, prefix_end));
                self.err(
                    "precept::type::unknown-field",
                    format!("`{prefix}` is {what} and has no field `{}`", n.text),
                    n.span,
                    "no such field",
                )
                .with_help("only objects have fields");
                return None;
            };
            let Some(slot) = self.shapes.get(shape).and_then(|s| s.slot(&n.text)) else {
                let names: Vec<String> = self
                    .shapes
                    .get(shape)
                    .map(|s| s.fields.iter().map(|f| f.name.clone()).collect())
                    .unwrap_or_default();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let prefix = self.src(Span::new(span.start, prefix_end));
                let help = suggest::help(&n.text, &names, "field");
                self.err(
                    "precept::type::unknown-field",
                    format!("unknown field `{}` on `{prefix}`", n.text),
                    n.span,
                    "no such field",
                )
                .with_help(help);
                return None;
            };
            let field = self.shapes.get_mut(shape).and_then(|s| s.fields.get_mut(slot))?;
            field.used = true;
            ty = field.ty.clone();
            let field_optional = field.optional;
            steps.push(u16::try_from(slot).ok()?);
            if field_optional && !self.is_proven(&(root, steps.clone())) {
                optional = true;
            }
            prefix_end = n.span.end;
        }
        let key = (root, steps.clone());
        if self.is_proven(&key) {
            optional = false;
        }
        let e = match root {
            Root::Var(v) if steps.is_empty() && !matches!(ty, Ty::Object(_)) => CExpr::Var(v),
            _ => CExpr::Field(root, steps.into_boxed_slice()),
        };
        Some(T { e, ty, optional, key: Some(key), t: Vec::new(), f: Vec::new() })
    }

    /// Report a name that is neither `record`, a quantifier's element nor (where one is expected) an
    /// enumeration value; `bare` when it stands alone rather than starting a path.
    fn unknown_name(&mut self, first: &Name, bare: bool) -> Option<T> {
        let on_record = bare && self.shapes.get(self.record).and_then(|s| s.slot(&first.text)).is_some();
        let names = ["record"].into_iter().chain(self.vars.iter().map(|(n, _)| n.as_str()));
        let help = match (on_record, suggest::closest(&first.text, names)) {
            (true, _) => format!("did you mean `record.{}`?", first.text),
            (false, Some(c)) => format!("did you mean `{c}`?"),
            (false, None) if bare => "fields are read through `record` (`record.kind`); enumeration values are written bare only where an enumeration is expected".to_string(),
            (false, None) => "paths start with `record` or a quantifier's element name".to_string(),
        };
        self.err(
            "precept::type::unknown-name",
            format!("unknown name `{}`", first.text),
            first.span,
            "not defined here",
        )
        .with_help(help);
        None
    }

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

    fn binary(&mut self, op: BinaryOp, a: &Expr, b: &Expr, span: Span) -> Option<T> {
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
                let bt = self.value(b, Some(&Ty::Text));
                let (at, bt) = (at?, bt?);
                for (t, x) in [(&at, a), (&bt, b)] {
                    if t.ty != Ty::Text {
                        let n = self.ty_name(&t.ty);
                        self.err(
                            "precept::type::mismatch",
                            format!("`{}` works on text, not {n}", op.as_str()),
                            x.span,
                            format!("this is {n}"),
                        )
                        .with_help("for lists use `in` or `any(...)`; for enumerations use `==` or `in`");
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
                Some(T::new(CExpr::Matches(Box::new(at.e), re), Ty::Bool))
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
                    (Ty::DateTime, Ty::Date) | (Ty::Date, Ty::DateTime) => "a date is a whole day and a datetime an instant; compare like with like".to_string(),
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

    fn arithmetic(&mut self, op: BinaryOp, a: &Expr, b: &Expr, span: Span) -> Option<T> {
        let at = self.value(a, None);
        let bt = self.value(b, None);
        let (at, bt) = (at?, bt?);
        use Ty::*;
        let num = |t: &Ty| matches!(t, Int | Dec);
        let (arith, ty) = match (op, &at.ty, &bt.ty) {
            (BinaryOp::Add, DateTime, BusinessDays) => {
                let CExpr::Const(Value::Int(n)) = bt.e else { return None };
                let cal = self.need_calendar(b.span)?;
                return Some(T::new(CExpr::AddBusinessDays(Box::new(at.e), n, cal), DateTime));
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
                        "business days can only be added to a datetime: `record.opened_at + 3 business days`"
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
