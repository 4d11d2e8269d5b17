//! Compiling one checked expression to one SQL expression over a schema's table (alias `r`).
//!
//! Missing values are SQL's NULL, and the engine's three-valued logic is SQL's: `and`, `or` and
//! `not` over true, false and unknown agree value for value (`false and unknown` is false, `true or
//! unknown` is true), comparisons and arithmetic with a missing operand are unknown, and a `where`
//! or `require` holds only when it is true (`IS TRUE`). The one place the two differ is that the
//! engine tells a missing value from a computation with no answer (division by zero, overflow),
//! where SQL has only NULL; so the constructs that tell them apart, `is present`, `is missing` and
//! `otherwise`, compile only over expressions that cannot fail, and the rest is reported as
//! unsupported rather than compiled to something that answers differently.
//!
//! Every construct this file does not compile is an [`Unsupported`] naming it: the rule is then left
//! out with `precept::sql::unsupported`, never compiled in part.

use std::collections::BTreeSet;

use super::calendar::TABLE;
use super::dialect::{Dialect, SqlType};
use super::tables::scalar;
use crate::engine::program::{Arith, CExpr, CmpOp, DateUnit, Kind, MsgPart, Quant, Root};
use crate::engine::types::{EnumId, ShapeId, Ty};
use crate::engine::value::Value;
use crate::engine::Program;

/// Microseconds in a day: durations are whole microseconds in SQL.
const DAY_US: i64 = 86_400_000_000;

/// A construct that does not compile to SQL (yet), described as a policy author would name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

fn no<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

/// One slot of a group's record (keys, period, aggregates) as columns of the grouped row that a
/// group rule's `require` and `message` read (see [`super::group`]).
#[derive(Debug, Clone)]
pub enum Slot {
    /// A value: its SQL and its type.
    Value(String, Ty),
    /// An exact fraction, as the engine keeps `share(...)` and `avg(...)` of numbers: its
    /// numerator and denominator (never zero where the numerator has a value), and the
    /// numerator's type. It is never divided in SQL (which would round it): a comparison is made
    /// across the fraction, and a message shows it as `numerator/denominator`.
    Ratio {
        /// The numerator's SQL.
        num: String,
        /// The denominator's SQL, a whole number above zero.
        den: String,
        /// The numerator's type.
        num_ty: SqlType,
    },
}

/// An exact fraction compiled: numerator and denominator, and whether the denominator is known to
/// be above zero.
struct Fraction {
    num: String,
    den: String,
    positive: bool,
}

/// Compiles the expressions of one schema's rules.
#[derive(Clone)]
pub struct Compiler<'a> {
    /// The checked program.
    pub program: &'a Program,
    /// The dialect written.
    pub dialect: Dialect,
    /// The shape of the schema's records.
    pub shape: ShapeId,
    /// The calendars the compiled SQL reads from the calendar table, by index.
    pub calendars: BTreeSet<usize>,
    /// Aliases given to subqueries so far, so that nested ones never shadow.
    aliases: usize,
    /// The element each quantifier variable is bound to, by slot: its SQL and its type.
    vars: Vec<Option<(String, Ty)>>,
    /// While blaming inside `all` or `none`: the path of the element each variable is bound to, as
    /// a SQL text expression (`'items[' || ... || ']'`).
    var_paths: Vec<Option<String>>,
    /// For a group rule's `require` and `message`: the group record's slots, which its fields
    /// read in place of a record's columns.
    pub group: Option<Vec<Slot>>,
    /// The role tables are written with the rules (`--roles`), so questions about staff and roles
    /// compile against them ([`super::roles`]).
    pub roles: bool,
    /// How calendar lookups read the calendar table ([`super::lookup`]; Spark always reads lists).
    pub lookup: super::lookup::Lookup,
    /// A message's datetimes are shown at the offset they were written with (a rule over single
    /// records with no calendar, as the engine shows them), not as UTC instants.
    pub written_in_messages: bool,
}

impl<'a> Compiler<'a> {
    /// A compiler for records of `shape`.
    pub fn new(program: &'a Program, dialect: Dialect, shape: ShapeId) -> Compiler<'a> {
        Compiler {
            program,
            dialect,
            shape,
            calendars: BTreeSet::new(),
            aliases: 0,
            vars: Vec::new(),
            var_paths: Vec::new(),
            group: None,
            roles: false,
            lookup: super::lookup::Lookup::Table,
            written_in_messages: false,
        }
    }

    /// A field of the record: its column (qualified by the alias `r`), its dotted path and its type.
    pub fn field(&self, steps: &[u16]) -> Result<(String, String, Ty), Unsupported> {
        if self.group.is_some() {
            return match self.slot(steps) {
                Some(Slot::Value(sql, ty)) => Ok((sql.clone(), String::new(), ty.clone())),
                Some(Slot::Ratio { .. }) => {
                    no("a share or average computed with (SQL would round it; only comparisons and messages read it)")
                }
                None => no("a field the group does not have"),
            };
        }
        let mut shape = self.shape;
        let mut path = String::new();
        let mut ty = None;
        for &s in steps {
            if ty.is_some() {
                return no("a field inside a list");
            }
            let Some(f) = self.program.shapes.get(shape).and_then(|sh| sh.fields.get(usize::from(s))) else {
                return no("a field the schema does not have");
            };
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&f.name);
            match &f.ty {
                Ty::Object(inner) => shape = *inner,
                t => ty = Some(t.clone()),
            }
        }
        match ty {
            // A list of objects in `JSONB` holding JSON `null` is missing, as SQL NULL is.
            Some(ty) if self.dialect.jsonb(&ty) => {
                Ok((format!("NULLIF(r.{}, 'null')", self.dialect.ident(&path)), path, ty))
            }
            Some(ty) => Ok((format!("r.{}", self.dialect.ident(&path)), path, ty)),
            None => no(format!("the whole object `{path}` (its fields are columns of their own)")),
        }
    }

    /// The dotted path of a field of the record, whatever its type (`claim` for an object).
    fn record_path(&self, steps: &[u16]) -> Option<String> {
        let mut shape = self.shape;
        let mut names = Vec::new();
        for &s in steps {
            let f = self.program.shapes.get(shape)?.fields.get(usize::from(s))?;
            names.push(f.name.as_str());
            if let Ty::Object(inner) = f.ty {
                shape = inner;
            }
        }
        Some(names.join("."))
    }

    /// For a field of the record that is an object (`record.claim`), a column that is NULL
    /// exactly where the object is missing; `None` for a field that is not an object.
    ///
    /// An object has no column of its own (its fields are flattened into theirs), but a required
    /// field of it that some rule reads is present wherever the object is: the engine skips a
    /// record whose object lacks one (a required field no rule reads is never looked for, so it
    /// cannot tell). A required list cannot tell either (it reads as empty when absent), so the
    /// column is a required single value some rule reads, through required nested objects. An
    /// object with no such field is left out.
    fn object_presence(&self, steps: &[u16]) -> Result<Option<String>, Unsupported> {
        if self.group.is_some() {
            return Ok(None);
        }
        let mut shape = self.shape;
        let mut path = Vec::new();
        for &s in steps {
            let Some(f) = self.program.shapes.get(shape).and_then(|sh| sh.fields.get(usize::from(s))) else {
                return Ok(None);
            };
            let Ty::Object(inner) = f.ty else { return Ok(None) };
            path.push(f.name.clone());
            shape = inner;
        }
        if path.is_empty() {
            return Ok(None);
        }
        let object = path.join(".");
        match self.required_leaf(shape, &mut path) {
            true => Ok(Some(format!("r.{}", self.dialect.ident(&path.join("."))))),
            false => no(format!(
                "the presence of the object `{object}`, which has no required field some rule reads to tell it by"
            )),
        }
    }

    /// Push onto `path` the names down to a required single value of `shape` that some rule
    /// reads (through required objects), depth first; whether there is one.
    fn required_leaf(&self, shape: ShapeId, path: &mut Vec<String>) -> bool {
        let Some(sh) = self.program.shapes.get(shape) else { return false };
        for f in sh.fields.iter().filter(|f| !f.optional && f.used) {
            path.push(f.name.clone());
            let found = match f.ty {
                Ty::Object(inner) => self.required_leaf(inner, path),
                ref t => scalar(t).is_some(),
            };
            if found {
                return true;
            }
            path.pop();
        }
        false
    }

    /// The group record's slot a field of it reads, in a group rule.
    fn slot(&self, steps: &[u16]) -> Option<&Slot> {
        match steps {
            [s] => self.group.as_ref()?.get(usize::from(*s)),
            _ => None,
        }
    }

    /// The numerator, denominator and numerator type of `e` when it is a fraction slot.
    fn ratio(&self, e: &CExpr) -> Option<(String, String, SqlType)> {
        match e {
            CExpr::Field(Root::Record, steps) => match self.slot(steps) {
                Some(Slot::Ratio { num, den, num_ty }) => Some((num.clone(), den.clone(), *num_ty)),
                _ => None,
            },
            CExpr::ToDec(x) => self.ratio(x),
            _ => None,
        }
    }

    /// `e` as a fraction, when it is one the engine keeps exact: a group's `share` or `avg` of
    /// numbers, or a quotient of numbers or money (`a / b`), whose denominator may be of any sign
    /// (zero: no answer).
    fn fraction(&mut self, e: &CExpr) -> Result<Option<Fraction>, Unsupported> {
        if let Some((num, den, _)) = self.ratio(e) {
            return Ok(Some(Fraction { num, den, positive: true }));
        }
        match e {
            CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
                let dec = self.dialect.ty(SqlType::Decimal);
                let (a, b) = (self.expr(a, None)?, self.expr(b, None)?);
                Ok(Some(Fraction {
                    num: format!("CAST({a} AS {dec})"),
                    den: format!("CAST({b} AS {dec})"),
                    positive: false,
                }))
            }
            CExpr::ToDec(x) => self.fraction(x),
            // The time between two instants in hours, exactly: microseconds over an hour's.
            CExpr::Call(f, args) if f.name == "hours_between" => {
                let [start, end] = args.as_ref() else { return no("`hours_between` without its two instants") };
                let (s, e) = (self.expr(start, None)?, self.expr(end, None)?);
                let d = self.dialect;
                Ok(Some(Fraction {
                    num: format!("({} - {})", d.epoch_us(&e), d.epoch_us(&s)),
                    den: "3600000000".into(),
                    positive: true,
                }))
            }
            _ => Ok(None),
        }
    }

    /// A field of the element bound to quantifier variable `var` (the element itself for no steps):
    /// its SQL and its type.
    fn var_field(&self, var: u8, steps: &[u16]) -> Result<(String, Ty), Unsupported> {
        let Some(Some((mut x, mut ty))) = self.vars.get(usize::from(var)).cloned() else {
            return no("a quantifier's variable out of its scope");
        };
        for &s in steps {
            let Ty::Object(shape) = ty else { return no("a field of a value that is not an object") };
            let Some(f) = self.program.shapes.get(shape).and_then(|sh| sh.fields.get(usize::from(s))) else {
                return no("a field the schema does not have");
            };
            x = self
                .dialect
                .struct_field(&x, &f.name, &f.ty)
                .ok_or_else(|| Unsupported("a list of lists in an object in a list".into()))?;
            ty = f.ty.clone();
        }
        Ok((x, ty))
    }

    /// [`Compiler::var_field`] as a value: a whole element of a `JSONB` list ([`Dialect::jsonb`]),
    /// JSON `null` where the element is missing, made NULL, as SQL reads a missing value.
    fn var_value(&self, var: u8, steps: &[u16]) -> Result<String, Unsupported> {
        let (x, ty) = self.var_field(var, steps)?;
        Ok(if steps.is_empty() && self.dialect.jsonb(&Ty::List(Box::new(ty))) {
            format!("NULLIF({x}, 'null')")
        } else {
            x
        })
    }

    /// The dotted names of `steps` from the element variable `var` is bound to (`amount`).
    fn var_names(&self, var: u8, steps: &[u16]) -> Result<String, Unsupported> {
        let Some(Some((_, mut ty))) = self.vars.get(usize::from(var)).cloned() else {
            return no("a quantifier's variable out of its scope");
        };
        let mut names = Vec::new();
        for &s in steps {
            let Ty::Object(shape) = ty else { return no("a field of a value that is not an object") };
            let Some(f) = self.program.shapes.get(shape).and_then(|sh| sh.fields.get(usize::from(s))) else {
                return no("a field the schema does not have");
            };
            names.push(f.name.clone());
            ty = f.ty.clone();
        }
        Ok(names.join("."))
    }

    /// Bind quantifier variable `var` to the elements of `list` while compiling `body`; the list's
    /// SQL, whether it is `JSONB` ([`Dialect::jsonb`]), the alias its elements are bound as, and
    /// the body's SQL.
    fn bound(&mut self, var: u8, list: &CExpr, body: &CExpr) -> Result<(String, bool, String, String), Unsupported> {
        let Some(Ty::List(inner)) = self.ty_of(list) else { return no("a list whose type cannot be told") };
        let jsonb = self.dialect.jsonb(&Ty::List(inner.clone()));
        let l = self.expr(list, None)?;
        let a = format!("u{}", {
            self.aliases += 1;
            self.aliases
        });
        let slot = usize::from(var);
        if self.vars.len() <= slot {
            self.vars.resize(slot + 1, None);
        }
        let saved = self.vars.get(slot).cloned().flatten();
        if let Some(v) = self.vars.get_mut(slot) {
            *v = Some((self.dialect.element(&a), *inner));
        }
        let cond = self.expr(body, None);
        if let Some(v) = self.vars.get_mut(slot) {
            *v = saved;
        }
        let cond = cond?;
        // Spark's higher-order functions take the body as a lambda, and a calendar lookup reads
        // its calendar with a subquery: Spark 4 (and Databricks) refuse any subquery in a lambda
        // unless a setting allows it, so one such rule would make the whole view fail.
        if self.dialect == Dialect::Spark
            && (cond.contains(super::lookup::LISTS) || cond.contains(&self.dialect.ident(TABLE)))
        {
            return no("a calendar lookup inside `any`, `all`, `none` or `count` in Spark (a subquery inside a higher-order function)");
        }
        Ok((l, jsonb, a, cond))
    }

    /// The type of `e`, where it is needed and can be told: enumerations (to write a variant's
    /// name) and dates against datetimes (which count days differently).
    pub fn ty_of(&self, e: &CExpr) -> Option<Ty> {
        match e {
            CExpr::Field(Root::Record, steps) => self.field(steps).ok().map(|(_, _, t)| t),
            CExpr::Field(Root::Var(v), steps) => self.var_field(*v, steps).ok().map(|(_, t)| t),
            CExpr::Var(v) => self.var_field(*v, &[]).ok().map(|(_, t)| t),
            CExpr::Const(Value::Date(_)) | CExpr::DatePart(..) => Some(Ty::Date),
            CExpr::Const(Value::DateTime(..)) | CExpr::Now => Some(Ty::DateTime),
            CExpr::Arith(Arith::Later | Arith::Earlier, _, _) => Some(Ty::DateTime),
            CExpr::Arith(Arith::DateLater | Arith::DateEarlier, _, _) => Some(Ty::Date),
            CExpr::If(_, a, b) | CExpr::Otherwise(a, b) => self.ty_of(a).or_else(|| self.ty_of(b)),
            CExpr::AddBusinessDays(x, _, _) | CExpr::AddMonths(x, _) => self.ty_of(x),
            _ => None,
        }
    }

    fn enum_of(&self, e: &CExpr) -> Option<EnumId> {
        match self.ty_of(e) {
            Some(Ty::Enum(id)) => Some(id),
            _ => None,
        }
    }

    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("c{}", self.aliases)
    }

    /// `e` as a SQL expression; `hint` is the enumeration a bare variant belongs to.
    pub fn expr(&mut self, e: &CExpr, hint: Option<EnumId>) -> Result<String, Unsupported> {
        let d = self.dialect;
        Ok(match e {
            CExpr::Const(v) => self.constant(v, hint)?,
            CExpr::Field(Root::Record, steps) => self.field(steps)?.0,
            CExpr::Field(Root::Var(v), steps) => self.var_value(*v, steps)?,
            CExpr::Var(v) => self.var_value(*v, &[])?,
            CExpr::Not(x) => format!("(NOT {})", self.expr(x, None)?),
            CExpr::Neg(_, x) => format!("(-{})", self.expr(x, None)?),
            CExpr::And(a, b) => format!("({} AND {})", self.expr(a, None)?, self.expr(b, None)?),
            CExpr::Or(a, b) => format!("({} OR {})", self.expr(a, None)?, self.expr(b, None)?),
            CExpr::Implies(a, b) => format!("((NOT {}) OR {})", self.expr(a, None)?, self.expr(b, None)?),
            CExpr::Cmp(op, kind, a, b) => self.compare(*op, *kind, a, b)?,
            CExpr::ToDec(x) => format!("CAST({} AS {})", self.expr(x, None)?, d.ty(SqlType::Decimal)),
            CExpr::Arith(op, a, b) => self.arith(*op, a, b)?,
            CExpr::InSet(_, x, set, negate) => {
                let hint = self.enum_of(x);
                let x = self.expr(x, hint)?;
                let mut items = Vec::new();
                for c in set.iter() {
                    match c {
                        CExpr::Const(v) if *v != Value::Missing => items.push(self.constant(v, hint)?),
                        _ => return no("a set of values that are not all constants"),
                    }
                }
                if items.is_empty() {
                    // `x in {}` holds for no value; the engine still leaves a missing `x` unknown.
                    let found = if *negate { "TRUE" } else { "FALSE" };
                    return Ok(format!("CASE WHEN {x} IS NOT NULL THEN {found} END"));
                }
                format!("({x} {}IN ({}))", if *negate { "NOT " } else { "" }, items.join(", "))
            }
            CExpr::InList(_, x, list, negate) => {
                let hint = self.enum_of(x).or_else(|| match self.ty_of(list) {
                    Some(Ty::List(inner)) => match *inner {
                        Ty::Enum(e) => Some(e),
                        _ => None,
                    },
                    _ => None,
                });
                let x = self.expr(x, hint)?;
                let l = self.expr(list, None)?;
                self.aliases += 1;
                let a = format!("u{}", self.aliases);
                d.in_list(&x, &l, &a, *negate)
            }
            CExpr::Text(op, a, b) => {
                let (a, b) = (self.expr(a, None)?, self.expr(b, None)?);
                d.text_test(*op, &a, &b)
            }
            CExpr::Matches(x, re) => {
                let x = self.expr(x, None)?;
                d.regex(&x, re.as_str())
            }
            CExpr::AddBusinessDays(x, n, cal) => self.add_business_days(x, *n, *cal)?,
            CExpr::AddMonths(x, n) => match self.ty_of(x) {
                Some(Ty::Date) => d.add_months(&self.expr(x, None)?, *n),
                // The local date at the written offset moves; the wall-clock time and the offset
                // stay, so the instant moves by whole days of 24 hours (a fixed offset has no DST).
                Some(Ty::DateTime) => {
                    let (t, day) = (self.expr(x, None)?, self.written_day(x)?);
                    let days = d.days_between(&d.add_months(&day, *n), &day);
                    d.from_epoch_us(&format!("{} + {days} * {DAY_US}", d.epoch_us(&t)))
                }
                _ => return no("months added to a value whose type cannot be told"),
            },
            CExpr::BusinessBetween(a, b, cal) => {
                let (a, b) = (self.expr(a, None)?, self.expr(b, None)?);
                let (ra, rb) = (self.receipt_idx(&a, *cal), self.receipt_idx(&b, *cal));
                format!("({rb} - {ra})")
            }
            CExpr::Counted(..) | CExpr::AddBusinessDaysBy(..) | CExpr::AddMonthsBy(..) => {
                return no("a number of days or months read from the record")
            }
            CExpr::Present(x, want) => {
                if let Some((num, _, _)) = self.ratio(x) {
                    return Ok(format!("({num} IS {}NULL)", if *want { "NOT " } else { "" }));
                }
                if may_fail(x) {
                    return no(
                        "`is present` or `is missing` of a computation (SQL cannot tell no answer from missing)",
                    );
                }
                if let CExpr::Field(Root::Record, steps) = x.as_ref() {
                    if let Some(col) = self.object_presence(steps)? {
                        return Ok(format!("({col} IS {}NULL)", if *want { "NOT " } else { "" }));
                    }
                    self.field(steps)?;
                }
                let x = self.expr(x, None)?;
                format!("({x} IS {}NULL)", if *want { "NOT " } else { "" })
            }
            CExpr::Otherwise(x, dflt) => {
                if may_fail(x) {
                    return no("`otherwise` after a computation (SQL cannot tell no answer from missing)");
                }
                let hint = hint.or_else(|| self.enum_of(x)).or_else(|| self.enum_of(dflt));
                format!("COALESCE({}, {})", self.expr(x, hint)?, self.expr(dflt, hint)?)
            }
            CExpr::If(c, a, b) => {
                let hint = hint.or_else(|| self.enum_of(a)).or_else(|| self.enum_of(b));
                let c = self.expr(c, None)?;
                let (a, b) = (self.expr(a, hint)?, self.expr(b, hint)?);
                format!("CASE WHEN {} THEN {a} WHEN {} THEN {b} END", d.is_true(&c), d.is_false(&c))
            }
            CExpr::Quant(q, var, list, body) => {
                let (l, jsonb, a, cond) = self.bound(*var, list, body)?;
                match q {
                    Quant::Any => d.any(&l, jsonb, &a, &cond),
                    Quant::All => d.all(&l, jsonb, &a, &cond),
                    Quant::None => format!("(NOT {})", d.any(&l, jsonb, &a, &cond)),
                }
            }
            CExpr::Count(list, None) => {
                let jsonb = self.ty_of(list).is_some_and(|t| d.jsonb(&t));
                d.len(&self.expr(list, None)?, jsonb)
            }
            CExpr::Count(list, Some((var, body))) => {
                let (l, jsonb, a, cond) = self.bound(*var, list, body)?;
                d.count_where(&l, jsonb, &a, &cond)
            }
            // An enumeration value asked about by its name, which is what its column holds.
            CExpr::EnumText(names, x) => match x.as_ref() {
                CExpr::Const(Value::Enum(i)) if names.get(*i as usize).is_some() => {
                    d.text(names.get(*i as usize).map_or("", |n| n.as_ref()))
                }
                _ => {
                    let hint = self.enum_of(x);
                    self.expr(x, hint)?
                }
            },
            CExpr::Scope(f, args) => super::roles::question(self, *f, args)?,
            CExpr::DatePart(unit, zone, x) => self.date_part(*unit, *zone, x)?,
            CExpr::Call(f, args) if f.name == "months_between" => self.months_between(args)?,
            CExpr::Call(f, _) => return no(format!("the function `{}`", f.name)),
            CExpr::Now => return no("`now`"),
        })
    }

    fn constant(&self, v: &Value, hint: Option<EnumId>) -> Result<String, Unsupported> {
        let d = self.dialect;
        Ok(match v {
            Value::Missing => "NULL".to_string(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Int(i) => format!("CAST({i} AS BIGINT)"),
            Value::Dec(n) | Value::Money(n) => match n.terminating_places() {
                Some(p) if p <= 10 => format!("CAST('{}' AS {})", n.to_decimal(0, 0, 0).0, d.ty(SqlType::Decimal)),
                _ => return no(format!("the number {n}, which has more than 10 decimal places")),
            },
            Value::Text(t) => d.text(t),
            Value::Enum(i) => {
                let name = hint
                    .and_then(|e| self.program.enums.get(e))
                    .and_then(|e| e.variants.get(*i as usize))
                    .ok_or_else(|| Unsupported("an enumeration value whose enumeration cannot be told".into()))?;
                d.text(name)
            }
            Value::Date(day) => format!("DATE '{day}'"),
            Value::DateTime(ts, _) => {
                if ts.subsec_nanosecond() % 1000 != 0 {
                    return no("an instant finer than a microsecond");
                }
                super::calendar::timestamp_literal(*ts)
            }
            Value::Duration(dur) => {
                if dur.subsec_nanos() % 1000 != 0 {
                    return no("a duration finer than a microsecond");
                }
                format!("CAST({} AS BIGINT)", dur.as_micros())
            }
            Value::List(_) | Value::Object(_) | Value::NoAnswer(_) | Value::Unreadable(_) => {
                return no("a constant list or object")
            }
        })
    }

    fn compare(&mut self, op: CmpOp, kind: Kind, a: &CExpr, b: &CExpr) -> Result<String, Unsupported> {
        let sym = match op {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        };
        // A fraction is compared across, never divided: `n/d < y` as `n < y * d` when `d` is above
        // zero, as `y * d < n` when it is below, and unknown when it is zero (no answer).
        let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
        if fa.is_some() || fb.is_some() {
            let mut side = |f: Option<Fraction>, e: &CExpr| -> Result<Fraction, Unsupported> {
                Ok(match f {
                    Some(f) => f,
                    None => Fraction { num: self.expr(e, None)?, den: "1".into(), positive: true },
                })
            };
            let (x, y) = (side(fa, a)?, side(fb, b)?);
            let times = |n: &str, den: &str| if den == "1" { format!("({n})") } else { format!("({n}) * ({den})") };
            let (l, r) = (times(&x.num, &y.den), times(&y.num, &x.den));
            if x.positive && y.positive {
                return Ok(format!("({l} {sym} {r})"));
            }
            return Ok(format!(
                "CASE WHEN ({xd}) = 0 OR ({yd}) = 0 THEN NULL WHEN (({xd}) > 0) = (({yd}) > 0) THEN ({l} {sym} {r}) ELSE ({r} {sym} {l}) END",
                xd = x.den,
                yd = y.den
            ));
        }
        let hint = self.enum_of(a).or_else(|| self.enum_of(b));
        let (x, y) = (self.expr(a, hint)?, self.expr(b, hint)?);
        let ordered = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        Ok(match kind {
            // Variants are ordered as declared, not by name.
            Kind::Enum if ordered => {
                let Some(def) = hint.and_then(|e| self.program.enums.get(e)) else {
                    return no("an ordering of enumeration values whose enumeration cannot be told");
                };
                let index = |x: &str| {
                    let arms: Vec<String> = def
                        .variants
                        .iter()
                        .enumerate()
                        .map(|(i, v)| format!("WHEN {} THEN {i}", self.dialect.text(v)))
                        .collect();
                    format!("CASE {x} {} END", arms.join(" "))
                };
                format!("({} {sym} {})", index(&x), index(&y))
            }
            Kind::Text if ordered => {
                format!("({} {sym} {})", self.dialect.bytewise(&x), self.dialect.bytewise(&y))
            }
            _ => format!("({x} {sym} {y})"),
        })
    }

    fn arith(&mut self, op: Arith, a: &CExpr, b: &CExpr) -> Result<String, Unsupported> {
        let d = self.dialect;
        let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
        Ok(match op {
            Arith::Add(_) => format!("({x} + {y})"),
            Arith::Sub(_) => format!("({x} - {y})"),
            Arith::Mul(_) => format!("({x} * {y})"),
            Arith::Div(_) | Arith::MoneyRatio => {
                return no("division other than compared or shown in a message (SQL would round the quotient the engine keeps exact)");
            }
            Arith::Elapsed => format!("({} - {})", d.epoch_us(&x), d.epoch_us(&y)),
            Arith::DaysBetween => format!("({} * {DAY_US})", d.days_between(&x, &y)),
            Arith::Later => d.from_epoch_us(&format!("{} + {y}", d.epoch_us(&x))),
            Arith::Earlier => d.from_epoch_us(&format!("{} - {y}", d.epoch_us(&x))),
            Arith::DateLater => d.add_days(&x, &d.int_div(&y, &DAY_US.to_string())),
            Arith::DateEarlier => d.add_days(&x, &format!("-{}", d.int_div(&y, &DAY_US.to_string()))),
        })
    }

    /// The working-day index of the day an instant `t` counts as received on in calendar `cal`:
    /// the first working day ending at or after it.
    fn receipt_idx(&mut self, t: &str, cal: usize) -> String {
        self.calendars.insert(cal);
        if self.lists() {
            return super::lookup::receipt_idx(self.dialect, cal, t);
        }
        let c = self.alias();
        let from = format!(
            "{} {c} WHERE {c}.calendar = {cal} AND {c}.working AND {c}.day_end >= {t}",
            self.dialect.ident(TABLE)
        );
        self.dialect.nearest(&format!("{c}.idx"), &format!("{c}.day_end"), false, &from)
    }

    fn add_business_days(&mut self, x: &CExpr, n: i64, cal: usize) -> Result<String, Unsupported> {
        let ty = self.ty_of(x);
        let t = self.expr(x, None)?;
        self.calendars.insert(cal);
        let table = self.dialect.ident(TABLE);
        Ok(match ty {
            Some(Ty::DateTime) if self.lists() => {
                let r = self.receipt_idx(&t, cal);
                super::lookup::work_end(self.dialect, cal, &format!("{r} + {n}"))
            }
            // The end of the n-th working day after the receipt day.
            Some(Ty::DateTime) => {
                let r = self.receipt_idx(&t, cal);
                let c = self.alias();
                format!(
                    "(SELECT MIN({c}.day_end) FROM {table} {c} WHERE {c}.calendar = {cal} AND {c}.working AND {c}.idx = {r} + {n})"
                )
            }
            // The n-th working day strictly after the date (before it for a negative n).
            Some(Ty::Date) if n == 0 => t,
            Some(Ty::Date) if self.lists() => {
                let idx = super::lookup::day_idx(self.dialect, cal, &t);
                let target = if n > 0 {
                    format!("{idx} + {n}")
                } else {
                    format!("{idx} - {} + {}", super::lookup::day_worked(self.dialect, cal, &t), n + 1)
                };
                super::lookup::work_day(self.dialect, cal, &target)
            }
            Some(Ty::Date) => {
                let (c, c0) = (self.alias(), self.alias());
                let target = if n > 0 {
                    format!(
                        "(SELECT MIN({c0}.idx) FROM {table} {c0} WHERE {c0}.calendar = {cal} AND {c0}.day = {t}) + {n}"
                    )
                } else {
                    format!(
                        "(SELECT MIN({c0}.idx - CASE WHEN {c0}.working THEN 1 ELSE 0 END) FROM {table} {c0} WHERE {c0}.calendar = {cal} AND {c0}.day = {t}) + {}",
                        n + 1
                    )
                };
                format!(
                    "(SELECT MIN({c}.day) FROM {table} {c} WHERE {c}.calendar = {cal} AND {c}.working AND {c}.idx = {target})"
                )
            }
            _ => return no("business days added to a value whose type cannot be told"),
        })
    }

    /// Whether calendar lookups read lists ([`super::lookup`]) rather than subqueries: always in
    /// Spark, in DuckDB when [`Compiler::lookup`] says so. A lookup by lists holds no correlated
    /// subquery, so in Spark too one may read a value computed with another.
    fn lists(&self) -> bool {
        super::lookup::lists(self.dialect, self.lookup)
    }

    fn date_part(&mut self, unit: DateUnit, zone: Option<usize>, x: &CExpr) -> Result<String, Unsupported> {
        let ty = self.ty_of(x);
        let t = self.expr(x, None)?;
        let table = self.dialect.ident(TABLE);
        if let DateUnit::BusinessDay(cal) = unit {
            self.calendars.insert(cal);
            if self.lists() {
                // The first working day ending at or after an instant, or on or after a date.
                let k = match ty {
                    Some(Ty::DateTime) => self.receipt_idx(&t, cal),
                    Some(Ty::Date) => {
                        format!(
                            "{} + 1 - {}",
                            super::lookup::day_idx(self.dialect, cal, &t),
                            super::lookup::day_worked(self.dialect, cal, &t)
                        )
                    }
                    _ => return no("`business_day` of a value whose type cannot be told"),
                };
                return Ok(super::lookup::work_day(self.dialect, cal, &k));
            }
            let c = self.alias();
            let from = match ty {
                Some(Ty::DateTime) => format!("{c}.day_end >= {t}"),
                Some(Ty::Date) => format!("{c}.day >= {t}"),
                _ => return no("`business_day` of a value whose type cannot be told"),
            };
            let key = match ty {
                Some(Ty::DateTime) => format!("{c}.day_end"),
                _ => format!("{c}.day"),
            };
            let from = format!("{table} {c} WHERE {c}.calendar = {cal} AND {c}.working AND {from}");
            return Ok(self.dialect.nearest(&format!("{c}.day"), &key, false, &from));
        }
        let day = match (ty, zone) {
            (Some(Ty::Date), _) => t,
            (Some(Ty::DateTime), Some(cal)) if self.lists() => {
                self.calendars.insert(cal);
                super::lookup::local_day(self.dialect, cal, &t)
            }
            (Some(Ty::DateTime), Some(cal)) => {
                self.calendars.insert(cal);
                let c = self.alias();
                let from = format!("{table} {c} WHERE {c}.calendar = {cal} AND {c}.day_start <= {t}");
                self.dialect.nearest(&format!("{c}.day"), &format!("{c}.day_start"), true, &from)
            }
            (Some(Ty::DateTime), None) => self.written_day(x)?,
            _ => return no("the day of a value whose type cannot be told"),
        };
        Ok(match unit {
            DateUnit::Day | DateUnit::BusinessDay(_) => day,
            DateUnit::Week => self.dialect.trunc_date("week", &day),
            DateUnit::Month => self.dialect.trunc_date("month", &day),
            DateUnit::Year => self.dialect.trunc_date("year", &day),
        })
    }

    /// The offset datetime `e` was written with, in seconds east of UTC, as a SQL whole number:
    /// a field's offset column (NULL there is UTC: docs/warehouse.md), a constant's own, and
    /// through the computations that keep their operand's offset, as the engine keeps it (`+`
    /// and `-` of a duration, business days, months added, `if`, `otherwise`).
    pub fn offset_of(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let d = self.dialect;
        Ok(match e {
            CExpr::Const(Value::DateTime(_, off)) => format!("CAST({off} AS BIGINT)"),
            CExpr::Field(Root::Record, steps) if self.group.is_none() => {
                let (_, path, ty) = self.field(steps)?;
                if !matches!(ty, Ty::DateTime) {
                    return no("the offset of a value that is not a datetime");
                }
                let col = d.ident(&super::tables::offset_column(&path));
                format!("CAST(COALESCE(r.{col}, 0) AS BIGINT)")
            }
            // A datetime field of an object in a list: its offset field beside it in the struct.
            CExpr::Field(Root::Var(v), steps) if !steps.is_empty() => {
                // The embedded engine's lists of objects are typed by DuckDB from the files, without
                // the offset fields (Spark's lists of the calendar are another matter).
                if self.lookup == super::lookup::Lookup::Lists {
                    return no("in `check --engine duckdb`, the day of a datetime in a list of objects at the offset it was written with");
                }
                let (parent_steps, last) = steps.split_at(steps.len() - 1);
                let (parent, parent_ty) = self.var_field(*v, parent_steps)?;
                let field = match (&parent_ty, last) {
                    (Ty::Object(shape), [s]) => {
                        self.program.shapes.get(*shape).and_then(|sh| sh.fields.get(usize::from(*s)))
                    }
                    _ => None,
                };
                let Some(field) = field.filter(|f| matches!(f.ty, Ty::DateTime)) else {
                    return no("the offset of a value that is not a datetime");
                };
                let Some(x) = d.struct_field(&parent, &super::tables::offset_column(&field.name), &Ty::Int) else {
                    return no("the offset of a datetime in a list of objects");
                };
                format!("CAST(COALESCE({x}, 0) AS BIGINT)")
            }
            CExpr::Arith(Arith::Later | Arith::Earlier, x, _) | CExpr::AddBusinessDays(x, _, _) | CExpr::AddMonths(x, _) => {
                self.offset_of(x)?
            }
            CExpr::If(c, a, b) => {
                let c = self.expr(c, None)?;
                let (a, b) = (self.offset_of(a)?, self.offset_of(b)?);
                format!("CASE WHEN {} THEN {a} WHEN {} THEN {b} END", d.is_true(&c), d.is_false(&c))
            }
            CExpr::Otherwise(x, dflt) => {
                let v = self.expr(x, None)?;
                let (a, b) = (self.offset_of(x)?, self.offset_of(dflt)?);
                format!("CASE WHEN {v} IS NOT NULL THEN {a} ELSE {b} END")
            }
            _ => {
                return no(
                    "the day of a datetime at the offset it was written with, for a datetime that is not a field (a list's element, a group's, or computed)",
                )
            }
        })
    }

    /// The civil day datetime `e` has at the offset it was written with, as the engine's `day`
    /// reads a datetime when no calendar gives a zone.
    pub fn written_day(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let d = self.dialect;
        let (t, off) = (self.expr(e, None)?, self.offset_of(e)?);
        Ok(format!("CAST({} AS DATE)", d.from_epoch_us(&format!("{} + ({off}) * 1000000", d.epoch_us(&t)))))
    }

    /// The day of a date (itself) or of a datetime at its written offset, as `months_between`
    /// reads its arguments.
    fn day_of(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        match self.ty_of(e) {
            Some(Ty::Date) => self.expr(e, None),
            Some(Ty::DateTime) => self.written_day(e),
            _ => no("`months_between` of a value whose type cannot be told"),
        }
    }

    /// `months_between(start, end)` as [`crate::engine::months::months_between`] counts it: the
    /// months' difference, one less where adding it to the start's day overshoots the end's day
    /// (one more going back).
    fn months_between(&mut self, args: &[CExpr]) -> Result<String, Unsupported> {
        let [start, end] = args else { return no("`months_between` without its two days") };
        let d = self.dialect;
        let (s, e) = (self.day_of(start)?, self.day_of(end)?);
        let index = |x: &str| {
            format!("(CAST(EXTRACT(YEAR FROM {x}) AS BIGINT) * 12 + CAST(EXTRACT(MONTH FROM {x}) AS BIGINT))")
        };
        let m = format!("({} - {})", index(&e), index(&s));
        let moved = d.add_months_by(&s, &m);
        Ok(format!(
            "(CASE WHEN {m} > 0 AND {moved} > {e} THEN {m} - 1 WHEN {m} < 0 AND {moved} < {e} THEN {m} + 1 ELSE {m} END)"
        ))
    }

    /// The local day of the record's `dated by` value in calendar `cal`'s zone, as the engine picks a
    /// rule's version by it.
    pub fn record_day(&mut self, slot: usize, cal: Option<usize>) -> Result<String, Unsupported> {
        let Ok(slot) = u16::try_from(slot) else { return no("a field the schema does not have") };
        let e = CExpr::DatePart(DateUnit::Day, cal, Box::new(CExpr::Field(Root::Record, Box::new([slot]))));
        self.expr(&e, None)
    }

    /// The field blamed when requirement `e` fails, as [`Compiler::blame`] gives it, except that a
    /// requirement that fails because a division by zero has no answer blames that division's
    /// divisor, as the engine does ([`crate::engine::unanswered`]).
    pub fn blame_requirement(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let blame = self.blame(e)?;
        if !has_division(e) {
            return Ok(blame);
        }
        let (n, culprit) = (self.no_answer(e)?, self.culprit(e)?);
        Ok(format!("COALESCE(CASE WHEN {n} THEN {culprit} END, {blame})"))
    }

    /// Whether `e` has no answer in the engine (a division by zero below it, which decides it), as
    /// a SQL condition that is never unknown.
    fn no_answer(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        if !has_division(e) {
            return Ok("FALSE".into());
        }
        let d = self.dialect;
        Ok(match e {
            CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
                let (na, nb) = (self.no_answer(a)?, self.no_answer(b)?);
                let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
                format!("({na} OR {nb} OR ({x} IS NOT NULL AND {y} IS NOT NULL AND {y} = 0))")
            }
            CExpr::ToDec(x) | CExpr::Not(x) => self.no_answer(x)?,
            CExpr::Cmp(_, _, a, b) => format!("({} OR {})", self.no_answer(a)?, self.no_answer(b)?),
            // A connective has no answer when neither side decides it and one side has none.
            CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Implies(a, b) => {
                let (na, nb) = (self.no_answer(a)?, self.no_answer(b)?);
                let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
                let (left, right) = match e {
                    CExpr::And(..) => (d.is_false(&x), d.is_false(&y)),
                    CExpr::Or(..) => (d.is_true(&x), d.is_true(&y)),
                    _ => (d.is_false(&x), d.is_true(&y)),
                };
                format!("(NOT {left} AND NOT {right} AND ({na} OR {nb}))")
            }
            _ => return no("division inside this expression (which computation has no answer)"),
        })
    }

    /// Where `e`'s lack of an answer comes from, given that it has none: the first operand with
    /// none, down to the division by zero, whose divisor (else dividend) is blamed when it is a
    /// field; NULL when it is not.
    fn culprit(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let field = |c: &Compiler<'_>, x: &CExpr| -> Result<Option<String>, Unsupported> {
            match x {
                CExpr::Field(Root::Record, steps) => Ok(Some(c.dialect.text(&c.field(steps)?.1))),
                CExpr::ToDec(inner) => match inner.as_ref() {
                    CExpr::Field(Root::Record, steps) => Ok(Some(c.dialect.text(&c.field(steps)?.1))),
                    _ => Ok(None),
                },
                _ => Ok(None),
            }
        };
        Ok(match e {
            CExpr::Arith(_, a, b) => {
                let (na, nb) = (self.no_answer(a)?, self.no_answer(b)?);
                let (ca, cb) = (self.culprit(a)?, self.culprit(b)?);
                let own = field(self, b)?.or(field(self, a)?).unwrap_or_else(|| "NULL".into());
                format!("CASE WHEN {na} THEN {ca} WHEN {nb} THEN {cb} ELSE {own} END")
            }
            CExpr::ToDec(x) | CExpr::Not(x) => self.culprit(x)?,
            CExpr::Cmp(_, _, a, b) | CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Implies(a, b) => {
                let na = self.no_answer(a)?;
                let (ca, cb) = (self.culprit(a)?, self.culprit(b)?);
                format!("CASE WHEN {na} THEN {ca} ELSE {cb} END")
            }
            _ if !has_division(e) => "NULL".into(),
            _ => return no("division inside this expression (which computation has no answer)"),
        })
    }

    /// The field blamed when requirement `e` fails, as a SQL text expression: the same choice as
    /// [`crate::engine::blame::blame`] makes, branch for branch.
    pub fn blame(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let d = self.dialect;
        Ok(match e {
            CExpr::And(a, b) => {
                let (ba, bb) = (self.blame(a)?, self.blame(b)?);
                if ba == bb {
                    ba
                } else {
                    format!("CASE WHEN {} THEN {bb} ELSE {ba} END", d.is_true(&self.expr(a, None)?))
                }
            }
            CExpr::Implies(_, b) => self.blame(b)?,
            CExpr::Or(a, b) => {
                let (ba, bb) = (self.blame(a)?, self.blame(b)?);
                if ba == "NULL" {
                    bb
                } else {
                    format!("COALESCE({ba}, {bb})")
                }
            }
            CExpr::If(c, a, b) => {
                let (ba, bb) = (self.blame(a)?, self.blame(b)?);
                let bc = self.first_field(c)?;
                let c = self.expr(c, None)?;
                format!("CASE WHEN {} THEN {ba} WHEN {} THEN {bb} ELSE {bc} END", d.is_true(&c), d.is_false(&c))
            }
            // `any` blames the list; `all` and `none` blame the element that went against them.
            CExpr::Quant(Quant::Any, _, list, _) => self.first_field(list)?,
            CExpr::Quant(q, var, list, body) => self.blame_element(*q, *var, list, body)?,
            _ => self.first_field(e)?,
        })
    }

    /// The blame of `all` or `none` that does not hold: the first element that went against it
    /// (under `all` one whose condition is not true, under `none` one whose condition is), blamed
    /// within (the field its condition failed on, or first reads) or as a whole (`items[2]`); the
    /// list itself when there is no such element.
    fn blame_element(&mut self, q: Quant, var: u8, list: &CExpr, body: &CExpr) -> Result<String, Unsupported> {
        let Some(Ty::List(inner)) = self.ty_of(list) else { return no("a list whose type cannot be told") };
        let d = self.dialect;
        let jsonb = d.jsonb(&Ty::List(inner.clone()));
        let list_path = self.first_field(list)?;
        let l = self.expr(list, None)?;
        self.aliases += 1;
        let a = format!("u{}", self.aliases);
        let text = d.ty(SqlType::Text);
        let elem = if list_path == "NULL" {
            "NULL".to_string()
        } else {
            format!("({list_path} || '[' || CAST({} AS {text}) || ']')", d.element_index(&a))
        };
        let slot = usize::from(var);
        if self.vars.len() <= slot {
            self.vars.resize(slot + 1, None);
        }
        if self.var_paths.len() <= slot {
            self.var_paths.resize(slot + 1, None);
        }
        let saved = (self.vars.get(slot).cloned().flatten(), self.var_paths.get(slot).cloned().flatten());
        if let Some(v) = self.vars.get_mut(slot) {
            *v = Some((d.element(&a), *inner));
        }
        if let Some(v) = self.var_paths.get_mut(slot) {
            *v = Some(elem.clone());
        }
        let within = (|| {
            let cond = self.expr(body, None)?;
            let (inner, bad) = match q {
                Quant::None => (self.first_field(body)?, d.is_true(&cond)),
                _ => (self.blame(body)?, format!("NOT {}", d.is_true(&cond))),
            };
            Ok::<_, Unsupported>((inner, bad))
        })();
        if let Some(v) = self.vars.get_mut(slot) {
            *v = saved.0;
        }
        if let Some(v) = self.var_paths.get_mut(slot) {
            *v = saved.1;
        }
        let (inner, bad) = within?;
        let sel = format!("COALESCE({inner}, {elem})");
        let first = d.first_element(&l, jsonb, &a, &sel, &bad);
        Ok(format!("COALESCE({first}, {list_path})"))
    }

    /// The first field `e` reads (in the order [`crate::engine::blame`] searches), as a SQL text
    /// expression, or `NULL`.
    fn first_field(&self, e: &CExpr) -> Result<String, Unsupported> {
        Ok(first_path(self, e)?.unwrap_or_else(|| "NULL".to_string()))
    }

    /// A message part as its value's text, or `None` for literal text.
    pub fn message_value(&mut self, part: &MsgPart) -> Result<Option<String>, Unsupported> {
        let d = self.dialect;
        if let MsgPart::Hole(e, _) | MsgPart::Percent(e) = part {
            if let Some((n, den, ty)) = self.ratio(e) {
                // Exact, as the engine keeps it: `3/40`.
                let text = format!("({} || '/' || {})", d.to_text(&n, ty), d.to_text(&den, SqlType::Int));
                return Ok(Some(format!("CASE WHEN ({den}) <> 0 THEN {text} END")));
            }
            if let Some(f) = self.fraction(e)? {
                // A quotient, exact: `12.5000000000/3.0000000000`; no answer (a zero divisor): NULL.
                let (n, den) = (d.to_text(&f.num, SqlType::Decimal), d.to_text(&f.den, SqlType::Decimal));
                return Ok(Some(format!("CASE WHEN ({}) <> 0 THEN ({n} || '/' || {den}) END", f.den)));
            }
        }
        Ok(Some(match part {
            MsgPart::Text(_) => return Ok(None),
            MsgPart::Hole(e, Ty::DateTime) if self.written_in_messages => {
                let t = self.expr(e, None)?;
                // A datetime whose offset is not followed (an element of a list of datetimes, a
                // computation) leaves the rule out: shown in UTC it would not be `check`'s text.
                let off = self.offset_of(e)?;
                d.written_text(&t, &off)
            }
            MsgPart::Hole(e, ty) => {
                let Some(st) = scalar(ty) else { return no("a list or object shown in a message") };
                let hint = match ty {
                    Ty::Enum(id) => Some(*id),
                    _ => None,
                };
                d.to_text(&self.expr(e, hint)?, st)
            }
            MsgPart::Percent(e) => d.to_text(&self.expr(e, None)?, SqlType::Decimal),
            MsgPart::Period(e, _) => d.to_text(&self.expr(e, None)?, SqlType::Date),
            // The engine shows the hash of the value's text as a message would show it, `(missing)`
            // for none: the SQL's text of a value is that text for these types only.
            MsgPart::Redacted(e, ty) => {
                if may_fail(e) {
                    return no("a redacted computation shown in a message (SQL cannot tell no answer from missing)");
                }
                let shown =
                    match ty {
                        Ty::Text => d.clipped(&self.expr(e, None)?, crate::text::MAX_QUOTED),
                        Ty::Enum(id) => self.expr(e, Some(*id))?,
                        Ty::Int => d.to_text(&self.expr(e, None)?, SqlType::Int),
                        Ty::Bool => d.to_text(&self.expr(e, None)?, SqlType::Bool),
                        Ty::Date => d.to_text(&self.expr(e, None)?, SqlType::Date),
                        _ => return no(
                            "a redacted value shown in a message that is not text, a whole number, a boolean or a date",
                        ),
                    };
                d.redacted(&format!("COALESCE({shown}, '(missing)')"))
            }
        }))
    }
}

/// The dotted path of the first field `e` reads, in [`crate::engine::blame`]'s order, as a SQL
/// text expression (a literal, or built from the element a variable is bound to).
pub(crate) fn first_path(c: &Compiler<'_>, e: &CExpr) -> Result<Option<String>, Unsupported> {
    match e {
        CExpr::Field(Root::Record, steps) => match c.object_presence(steps)? {
            // An object (`record.claim is present`) is blamed by its own path.
            Some(_) => Ok(c.record_path(steps).map(|p| c.dialect.text(&p))),
            None => Ok(Some(c.dialect.text(&c.field(steps)?.1))),
        },
        CExpr::Field(Root::Var(v), steps) => {
            let Some(Some(base)) = c.var_paths.get(usize::from(*v)) else { return Ok(None) };
            let names = c.var_names(*v, steps)?;
            Ok(Some(if names.is_empty() {
                base.clone()
            } else {
                format!("({base} || {})", c.dialect.text(&format!(".{names}")))
            }))
        }
        CExpr::Var(v) => Ok(c.var_paths.get(usize::from(*v)).cloned().flatten()),
        CExpr::InSet(_, x, _, _) => first_path(c, x),
        CExpr::If(cond, a, b) => {
            for x in [a, b, cond] {
                if let Some(p) = first_path(c, x)? {
                    return Ok(Some(p));
                }
            }
            Ok(None)
        }
        CExpr::Quant(_, _, list, _) | CExpr::Count(list, _) => first_path(c, list),
        CExpr::Scope(f, args) => super::roles::blame_path(c, *f, args),
        // The argument the answer turns on first, then the others in order, as the engine blames.
        CExpr::Call(f, args) if f.name == "hours_between" || f.name == "months_between" => {
            for x in std::iter::once(f.blame_first).chain(0..args.len()).filter_map(|i| args.get(i)) {
                if let Some(p) = first_path(c, x)? {
                    return Ok(Some(p));
                }
            }
            Ok(None)
        }
        CExpr::Call(f, _) => no(format!("the function `{}`", f.name)),
        _ => {
            for x in e.children() {
                if let Some(p) = first_path(c, x)? {
                    return Ok(Some(p));
                }
            }
            Ok(None)
        }
    }
}

/// Whether `e` may be a computation with no answer where SQL would give NULL, so that `is present`
/// and `otherwise` would read it as missing: arithmetic (overflow, a date out of range).
pub(crate) fn may_fail(e: &CExpr) -> bool {
    matches!(e, CExpr::Arith(..) | CExpr::Neg(..)) || e.children().into_iter().any(may_fail)
}

/// Whether `e` divides somewhere (a computation that may have no answer in the engine).
fn has_division(e: &CExpr) -> bool {
    matches!(e, CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, _, _)) || e.children().into_iter().any(has_division)
}
