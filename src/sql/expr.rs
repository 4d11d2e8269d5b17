//! Compiling one checked expression to one SQL expression over a schema's table (alias `r`).
//!
//! Missing values are SQL's NULL, and the engine's three-valued logic is SQL's: `and`, `or` and
//! `not` over true, false and unknown agree value for value (`false and unknown` is false, `true or
//! unknown` is true), comparisons and arithmetic with a missing operand are unknown, and a `where`
//! or `require` holds only when it is true (`IS TRUE`). The one place the two differ is that the
//! engine tells a missing value from a computation with no answer (division by zero, overflow),
//! where SQL has only NULL; so the constructs that tell them apart, `is present`, `is missing` and
//! `otherwise`, compile only over expressions that cannot fail, or whose lack of an answer the SQL
//! computes beside their value (`Compiler::no_answer`: a division by zero, a count read from the
//! record out of range), and the rest is reported as unsupported rather than compiled to something
//! that answers differently.
//!
//! Every construct this file does not compile is an [`Unsupported`] naming it: the rule is then left
//! out with `precept::sql::unsupported`, never compiled in part.

mod over_constant;
// Public for tests/sql_duckdb.rs, which holds its comparison of fractions to the exact order;
// no stability promise.
#[doc(hidden)]
pub mod over_field;
mod spark_whole;

use std::collections::BTreeSet;

pub use over_constant::OverConstant;

use super::calendar::TABLE;
use super::dialect::{Dialect, SqlType};
use super::tables::scalar;
use crate::engine::program::{
    Arith, CExpr, CmpOp, CountUnit, DateUnit, HiddenAs, Kind, MsgPart, Quant, Root, MAX_COUNT,
};
use crate::engine::types::{EnumId, ShapeId, Ty};
use crate::engine::value::Value;
use crate::engine::Program;

/// Microseconds in a day: durations are whole microseconds in SQL.
const DAY_US: i64 = 86_400_000_000;

/// The days from 1970-01-01 to the first and last dates the engine holds (jiff's `Date::MIN`,
/// -9999-01-01, and `Date::MAX`, 9999-12-31): a date computed past them has no answer there,
/// where SQL would give one.
const DAYS_HELD: (i64, i64) = (-4_371_587, 2_932_896);

/// The months (`year * 12 + month - 1`) of the first and last dates the engine holds.
const MONTHS_HELD: (i64, i64) = (-9999 * 12, 9999 * 12 + 11);

/// What a requirement is left out for when it has no answer (a division by zero, a count out of
/// range) inside a construct whose lack of an answer the SQL does not follow (a quantifier, a
/// function, a question about roles).
const NO_ANSWER_INSIDE: &str =
    "a division, a count read from the record or a date moved past the last held inside this expression (which computation has no answer)";

/// What a rule is left out for when a duration, instant or date is computed from a fraction whose
/// denominator may be below zero (which the fractions of durations never are: they divide by
/// 1000), so that its whole days or microseconds could not be truncated as the engine does.
/// Why quotients nested too deep for DuckDB are left out: each quotient of decimals there is of
/// `DECIMAL(38, 10)`s, and a product's places are the sum of its operands', so a third quotient
/// with one nested, or a product of decimals or an average beside it, would take a product past
/// the 38 places DuckDB allows when it binds the SQL, which would stop every rule's query.
const DEEP_QUOTIENTS: &str = "in DuckDB, more than two quotients of numbers or money with one divided again, or one beside a product of decimals or a group's average of decimals (`a / b / c / d`, `a / b / c <= d * e`; their places would pass the 38 DuckDB holds)";

/// Why a quotient of a product of decimals (`record.rate * record.hours / record.n`, held at
/// its 20 places) is left out in DuckDB beside another quotient or another value of more than 10
/// places: a product across would need 40 places, past the 38 DuckDB allows when it binds the
/// SQL, which would stop every rule's query.
const FINE_QUOTIENTS: &str = "in DuckDB, a quotient with a product of decimals in it beside another quotient or another product of decimals or group's average of decimals (`a * b / c <= d * e`, `a * b / c < d / e`; their places would pass the 38 DuckDB holds)";

/// The quotients of numbers or money (`/`) in `e`.
fn quotients(e: &CExpr) -> u32 {
    let own = u32::from(matches!(e, CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, _, _)));
    own + e.children().map(quotients).sum::<u32>()
}

/// Whether `e` divides a quotient of numbers or money again, or divides by one.
fn nests_quotients(e: &CExpr) -> bool {
    let own = matches!(e, CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) if quotients(a) + quotients(b) > 0);
    own || e.children().any(nests_quotients)
}

const MOVED_BY_A_FRACTION: &str =
    "a duration, instant or date computed from a fraction whose denominator's sign cannot be told";

/// What a rule is left out for when a divided duration, or an instant moved by one, is read
/// other than compared, shown or moving a date: it may fall between microseconds.
const SHOWN_BETWEEN_MICROSECONDS: &str = "a divided duration, or an instant moved by one, other than compared, shown or moving a date (its day or business days taken, a value in a set: it may fall between the microseconds SQL keeps, where the engine keeps nanoseconds)";

/// A list a quantifier or count ranges over, as [`Compiler::each_element`] bound its elements.
struct Elements {
    /// The list's SQL.
    list: String,
    /// Whether it is a PostgreSQL `JSONB` list ([`Dialect::jsonb`]).
    jsonb: bool,
    /// The alias each element is bound as.
    alias: String,
    /// The path of the element bound (`actions[2]`) as SQL text, or `NULL`.
    path: String,
    /// The list's own path as SQL text, or `NULL` (`NULL` too when paths were not asked for).
    list_path: String,
}

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
        /// Places the numerator is scaled by: the fraction is `num / (den * 10^scale)`. Not 0
        /// only in Spark, for a sum or average of decimals made whole ([`Compiler::summand`]).
        scale: u32,
    },
}

/// A number of business days added: a constant, or a whole number the SQL computes (read from
/// the record) that is 0 or more, or known to be above 0.
#[derive(Clone, Copy)]
enum Count<'s> {
    Known(i64),
    Read(&'s str),
    Positive(&'s str),
}

/// An exact fraction compiled: `num / (den * 10^scale)`, whether the denominator is known to be
/// above zero, and whether the numerator and the denominator are whole numbers in SQL.
///
/// Why wholeness matters: fractions are compared and combined by multiplying across, and Spark
/// keeps only 6 places of a product of decimals that passes 38 digits (`DECIMAL(38, 10)` times
/// anything does) and 9 of such a sum, so in Spark a fraction of decimals is first made whole
/// (see [`Compiler::integral`]); products of whole numbers keep every digit or overflow. The
/// power of ten is kept apart (`scale`) so that decimals made whole are summed and compared at
/// the places they have, not multiplied by each other's 10^10: a sum of three products of
/// decimals would pass 38 digits otherwise. `scale` is 0 but in Spark.
struct Fraction {
    num: String,
    den: String,
    positive: bool,
    num_whole: bool,
    den_whole: bool,
    scale: u32,
}

impl Fraction {
    /// `num / den`, of no scale, its numerator and denominator whole or not alike.
    fn of(num: String, den: String, positive: bool, whole: bool) -> Fraction {
        Fraction { num, den, positive, num_whole: whole, den_whole: whole, scale: 0 }
    }

    fn whole(&self) -> bool {
        self.num_whole && self.den_whole
    }

    /// The numerator's and the denominator's texts, each written as the whole number or the
    /// decimal it is, which is how `check` writes the operands of a value it shows.
    fn texts(&self, d: Dialect) -> (String, String) {
        let ty = |whole| if whole { SqlType::Int } else { SqlType::Decimal };
        (d.to_text(&self.num, ty(self.num_whole)), d.to_text(&self.den, ty(self.den_whole)))
    }

    /// The numerator over `den * 10^s`, for `s` at least `self.scale`.
    fn num_at(&self, s: u32) -> String {
        debug_assert!(s >= self.scale, "a fraction is only ever raised to more places");
        match s.checked_sub(self.scale) {
            Some(0) | None => self.num.clone(),
            Some(k) => format!("({}) * {}", self.num, ten_to(k)),
        }
    }

    /// The same fraction of no scale, for what reads its denominator as one value (a message's
    /// text, a quotient of it).
    fn flat(self) -> Fraction {
        if self.scale == 0 {
            return self;
        }
        Fraction { den: format!("({}) * {}", self.den, ten_to(self.scale)), scale: 0, ..self }
    }
}

/// 10^`k` as a whole `DECIMAL(38, 0)`.
fn ten_to(k: u32) -> String {
    format!("CAST(1{} AS DECIMAL(38, 0))", "0".repeat(k as usize))
}

/// The most places DuckDB's `DECIMAL` holds.
const DUCK_MAX_SCALE: u32 = 38;

/// Why a product past [`DUCK_MAX_SCALE`] places is left out (in every dialect: Spark's bound is
/// lower still).
const DUCK_PLACES: &str = "a product of decimals with more than 38 decimal places (four decimals of 10 places multiplied: DuckDB refuses such a query, and the engine's exact value passes its 128 bits)";

/// Places a fraction may have in Spark: a product of two decimals (10 each) or of a decimal and
/// a constant. Each place is a digit fewer of the 38 a `DECIMAL(38, 0)` holds, so a product of
/// two decimals of 10^18 or more stops the query (as DuckDB's `DECIMAL(38, 20)` product does);
/// more would leave too few digits for ordinary values, and such a rule is left out.
const MAX_SCALE: u32 = 20;

/// Places a group's or case's key that multiplies decimals is held at ([`Compiler::key`]): a
/// product of two decimals of 10 places has at most 20.
pub const FINE_KEY_PLACES: u32 = 20;

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
    /// The offset each variable bound to an element of a list of datetimes was written with, where
    /// the list is read with its offsets ([`Compiler::each_element`]).
    var_offsets: Vec<Option<String>>,
    /// The variable whose element's offset was asked for while it was bound without one, so that
    /// its list is read again with its offsets.
    offset_wanted: Option<u8>,
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
    /// Slots of a case's group record that may stand for whole days (an event written as a date,
    /// or a deadline counted from one in whole days or months), each with its SQL date, NULL when
    /// it is an instant: a message hole reading the slot itself shows the date, as the engine
    /// shows it; any other reading (a computation, a redacted hole) sees the instant.
    pub whole_days: Vec<(u16, String)>,
    /// Slots of a case's group record that are datetimes, each with the SQL of the offset the
    /// engine keeps with it (the opening's for `opened` and `deadline`, the closing's for
    /// `closed`), so that a message shows them as written ([`Compiler::written_in_messages`]).
    pub group_offsets: Vec<(u16, String)>,
    /// Slots of a group's record holding an aggregate that may have no answer (a division by
    /// zero in a member, a total past 128 bits), each with the SQL condition, never unknown, that
    /// it has none, so that `otherwise`, `is present` and `is missing` tell that from a missing
    /// value as the engine does; and why it has none, as SQL text (`r.v0`), where a redacted
    /// value reads it and shows `(no answer: ...)` as the engine does (else `NULL`).
    pub group_unanswered: Vec<(u16, String, String)>,
    /// In a case rule's message, the record that opened the obligation (`opening.<field>`), read
    /// from columns of the judged row ([`super::case`]).
    pub opening: Option<OpeningColumns>,
    /// Slots of a group's or case's record holding a key or an aggregate that multiplies
    /// decimals (`group by record.rate * record.hours`, `sum(record.rate * record.hours)`), of up
    /// to 20 places (DuckDB and PostgreSQL): each counts as two decimals multiplied
    /// (`Compiler::decimal_factors`).
    pub fine_slots: Vec<usize>,
    /// The places DuckDB types each aggregate of a group record with, by slot (see
    /// `Compiler::duck_places`).
    pub slot_places: Vec<(usize, u32)>,
}

/// The fields of a case's opening record that its message reads, as columns carried with the
/// obligation: `opening` is a quantifier variable of the message whose fields are these columns.
#[derive(Clone, Debug)]
pub struct OpeningColumns {
    /// The variable the message reads `opening` as.
    pub var: u8,
    /// Its shape (the message's opening shape).
    pub shape: ShapeId,
    /// Per field read (its slot in that shape): the column holding its value and, for a datetime,
    /// the one holding the offset it was written with.
    pub columns: Vec<(u16, String, Option<String>)>,
    /// Per field read (its slot), in `check --engine duckdb` only: the column telling that its
    /// value did not convert (NULL in SQL, `(unreadable)` in the engine's message).
    pub unread: Vec<(u16, String)>,
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
            var_offsets: Vec::new(),
            offset_wanted: None,
            group: None,
            roles: false,
            lookup: super::lookup::Lookup::Table,
            written_in_messages: false,
            whole_days: Vec::new(),
            group_offsets: Vec::new(),
            group_unanswered: Vec::new(),
            opening: None,
            fine_slots: Vec::new(),
            slot_places: Vec::new(),
        }
    }

    /// A field of the record: its column (qualified by the alias `r`), its dotted path and its type.
    pub fn field(&self, steps: &[u16]) -> Result<(String, String, Ty), Unsupported> {
        if self.group.is_some() {
            return match self.slot(steps) {
                Some(Slot::Value(sql, ty)) => Ok((sql.clone(), String::new(), ty.clone())),
                Some(Slot::Ratio { .. }) => {
                    no("a share or average (in Spark, also a sum of decimal arithmetic, a least or greatest product of decimals, or a key that multiplies decimals) computed with (SQL would round it; only comparisons and messages read it)")
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

    /// For a field of the record that is an object (`record.claim`), a condition, never unknown,
    /// that holds exactly where the record has the object; `None` for a field that is not an
    /// object.
    ///
    /// An object has no column of its own (its fields are flattened into theirs), but a required
    /// field of it that some rule reads is present wherever the object is
    /// ([`super::tables::presence_leaf`]), so its column tells. An object with no such field that
    /// may be missing has a `BOOLEAN` column of its own ([`super::tables::has_presence_column`]);
    /// one that may not (it and the objects it is in are required, and a rule reads it) is
    /// present in every record the engine judges.
    fn object_presence(&self, steps: &[u16]) -> Result<Option<String>, Unsupported> {
        if self.group.is_some() {
            return Ok(None);
        }
        let mut shape = self.shape;
        let mut path = Vec::new();
        let mut nullable = false;
        let mut last = None;
        for &s in steps {
            let Some(f) = self.program.shapes.get(shape).and_then(|sh| sh.fields.get(usize::from(s))) else {
                return Ok(None);
            };
            let Ty::Object(inner) = f.ty else { return Ok(None) };
            nullable |= f.optional;
            path.push(f.name.clone());
            shape = inner;
            last = Some(f);
        }
        let Some(f) = last else { return Ok(None) };
        let object = path.join(".");
        if super::tables::presence_leaf(self.program, shape, &mut path) {
            return Ok(Some(format!("(r.{} IS NOT NULL)", self.dialect.ident(&path.join(".")))));
        }
        if super::tables::has_presence_column(self.program, f, nullable) {
            return Ok(Some(format!("(r.{} IS TRUE)", self.dialect.ident(&object))));
        }
        match nullable {
            false => Ok(Some("TRUE".into())),
            // Not read by any rule, so its column is not in the table (never so for a rule's own
            // field).
            true => no(format!("the presence of the object `{object}`, which no rule reads")),
        }
    }

    /// The group record's slot a field of it reads, in a group rule.
    fn slot(&self, steps: &[u16]) -> Option<&Slot> {
        match steps {
            [s] => self.group.as_ref()?.get(usize::from(*s)),
            _ => None,
        }
    }

    /// `e` as a fraction when it is a fraction slot.
    fn ratio(&self, e: &CExpr) -> Option<Fraction> {
        match e {
            CExpr::Field(Root::Record, steps) => match self.slot(steps) {
                Some(Slot::Ratio { num, den, num_ty, scale }) => Some(Fraction {
                    num: num.clone(),
                    den: den.clone(),
                    positive: true,
                    num_whole: *num_ty == SqlType::Int,
                    den_whole: true,
                    scale: *scale,
                }),
                _ => None,
            },
            CExpr::ToDec(x) => self.ratio(x),
            _ => None,
        }
    }

    /// In Spark, what a `sum` or `avg` of decimals or money (`e`, of that type) adds up for each
    /// record, when `e` is arithmetic on decimals: the whole number of its places and their number (the value is
    /// the number over 10 to it), so that the sum is of whole numbers and exact. Spark's own
    /// arithmetic would round a product (`record.rate * record.hours`, even `record.amount * 2`)
    /// to 6 places before summing it. `None` elsewhere: the value itself is summed (DuckDB and
    /// PostgreSQL multiply decimals exactly, and keep every place through `SUM`).
    pub fn summand(&mut self, e: &CExpr) -> Result<Option<(String, u32)>, Unsupported> {
        if self.dialect != Dialect::Spark {
            return Ok(None);
        }
        // A quotient is a fraction whose denominator is not 1 (and is not summed: `expr` leaves
        // it out); everything else a record's fraction is made of has a denominator of 1.
        if self.value_divides(e) {
            return Ok(None);
        }
        let Some(f) = self.fraction(e)? else { return Ok(None) };
        let f = self.integral(f)?;
        Ok(Some((f.num, f.scale)))
    }

    /// Whether the value of `e` is divided (its fraction, if [`Compiler::fraction`] makes one,
    /// has a denominator other than 1): a quotient, hours between two instants (microseconds
    /// over an hour's), a share or average, or arithmetic or a choice with one in it. A condition
    /// that divides (`if a / b > 1 then ...`) does not divide the value.
    fn value_divides(&self, e: &CExpr) -> bool {
        if let Some(f) = self.ratio(e) {
            return f.den != "1";
        }
        match e {
            CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, _, _) => true,
            CExpr::Call(f, _) => f.name == "hours_between",
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_) | Arith::Mul(_), a, b) | CExpr::Otherwise(a, b) => {
                self.value_divides(a) || self.value_divides(b)
            }
            CExpr::If(_, a, b) => self.value_divides(a) || self.value_divides(b),
            CExpr::Neg(_, x) | CExpr::ToDec(x) => self.value_divides(x),
            _ => false,
        }
    }

    /// `e` as a fraction, when it is one the engine keeps exact: a group's `share` or `avg` of
    /// numbers, or a quotient of numbers or money (`a / b`), whose denominator may be of any sign
    /// (zero: no answer). In PostgreSQL a sum, difference, product or quotient whose lowest terms
    /// pass the engine's 128 bits has a NULL numerator (no answer; [`Compiler::pg_past_held`]
    /// tells it), as `NUMERIC` holds it where the engine does not.
    fn fraction(&mut self, e: &CExpr) -> Result<Option<Fraction>, Unsupported> {
        let f = self.fraction_raw(e)?;
        let checked = pg_may_pass_held(e)
            || matches!(e, CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, ..));
        Ok(match f {
            Some(mut f) if self.dialect == Dialect::Postgres && checked => {
                f.num = format!("{}(CAST({} AS NUMERIC), CAST({} AS NUMERIC))", over_field::KEPT_FN, f.num, f.den);
                Some(f)
            }
            f => f,
        })
    }

    /// [`Compiler::fraction`] of `e`, its own numerator as computed (its operands' checked).
    fn fraction_raw(&mut self, e: &CExpr) -> Result<Option<Fraction>, Unsupported> {
        if let Some(f) = self.ratio(e) {
            return Ok(Some(f));
        }
        match e {
            CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
                // A quotient divided again, or divided by one (`record.paid / record.pieces / 2`,
                // `a / (b / c)`): `(p/q) / (r/s)` is `(p * s) / (q * r)`, exact, its denominator
                // zero (no answer) when any divisor is: `q`, `r`, and `s`, which moves into the
                // numerator and is kept in the denominator as a factor of 0 or 1 (else `a / (b /
                // 0)` would be 0 where the engine has no answer).
                let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
                let divides_a_quotient = fb.is_some();
                if fa.is_some() || fb.is_some() {
                    if self.dialect == Dialect::DuckDb && quotients(a) + quotients(b) > 1 {
                        return no(DEEP_QUOTIENTS);
                    }
                    // `(p/q) / (r/s)` is `(p * s) / (q * r)`.
                    self.duck_within(a, b, true)?;
                    let (x, y) = (self.over_one(fa, a)?, self.over_one(fb, b)?);
                    // (Spark: whole first, so that no product drops places.)
                    let (x, y) = (self.integral(x)?.flat(), self.integral(y)?.flat());
                    let held = if divides_a_quotient {
                        format!(" * CASE WHEN ({}) = 0 THEN 0 ELSE 1 END", y.den)
                    } else {
                        String::new()
                    };
                    return Ok(Some(Fraction {
                        num: format!("(({}) * ({}))", x.num, y.den),
                        den: format!("(({}) * ({}){held})", x.den, y.num),
                        positive: false,
                        num_whole: x.num_whole && y.den_whole,
                        den_whole: x.den_whole && y.num_whole,
                        scale: 0,
                    }));
                }
                let (num_whole, den_whole) = (self.whole(a), self.whole(b));
                let (a, b) = (self.quotient_operand(a)?, self.quotient_operand(b)?);
                Ok(Some(Fraction { num: a, den: b, positive: false, num_whole, den_whole, scale: 0 }))
            }
            // A duration divided by a whole number, as the engine divides it: to the nanosecond,
            // truncated toward zero (jiff's `SignedDuration::checked_div`), kept as nanoseconds
            // over 1000 so that it stays exact in microseconds, the unit a duration is in SQL.
            // No answer (NULL) for a zero divisor or one outside 32 bits, which the engine does
            // not divide by.
            CExpr::Arith(Arith::Div(Kind::Duration), a, b) => {
                let d = self.dialect;
                // Whole, so no places: products of them keep their scale at 0 (DuckDB stops
                // on a product of two decimals of 10 places past 38 digits).
                let dec = "DECIMAL(38, 0)";
                let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
                // (NULLIF: never divided by zero where the database would stop, even in a branch
                // not taken.)
                let y = format!("NULLIF({y}, 0)");
                let q = d.int_div(&x, &y);
                // The remainder, below the divisor, in nanoseconds over the divisor: no overflow.
                let rest = d.int_div(&format!("(({x}) - {q} * ({y})) * 1000"), &y);
                Ok(Some(Fraction::of(
                    format!(
                        "CASE WHEN {} THEN CAST({q} AS {dec}) * 1000 + CAST({rest} AS {dec}) END",
                        duration_divisor_held(&y)
                    ),
                    format!("CAST(1000 AS {dec})"),
                    true,
                    true,
                )))
            }
            CExpr::ToDec(x) => self.fraction(x),
            // A choice of fractions (or of a fraction and a value, over 1): the branch taken's.
            CExpr::If(c, a, b) => {
                let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
                if fa.is_none() && fb.is_none() {
                    return Ok(None);
                }
                let (fa, fb) = (self.over_one(fa, a)?, self.over_one(fb, b)?);
                // (Spark: whole first, so that raising a branch to the other's places is exact.)
                let (fa, fb) = (self.integral(fa)?, self.integral(fb)?);
                let c = self.expr(c, None)?;
                let d = self.dialect;
                // Both branches at the places of the finer.
                let scale = fa.scale.max(fb.scale);
                let (pa, pb) = (self.duck_parts(a), self.duck_parts(b));
                let (an, bn) = self.branches_alike(fa.num_at(scale), fb.num_at(scale), pa.0, pb.0);
                let (ad, bd) = self.branches_alike(fa.den.clone(), fb.den.clone(), pa.1, pb.1);
                Ok(Some(Fraction {
                    num: d.case_truth(&c, &an, &bn, None),
                    den: d.case_truth(&c, &ad, &bd, None),
                    positive: fa.positive && fb.positive,
                    num_whole: fa.num_whole && fb.num_whole,
                    den_whole: fa.den_whole && fb.den_whole,
                    scale,
                }))
            }
            // A fraction's default, read only when the fraction is missing (an operand missing),
            // never when it has no answer (a zero divisor), which stays without one; or a value's
            // default that is a fraction (`record.n otherwise record.m / 2`), the value over 1.
            CExpr::Otherwise(x, dflt) => {
                let (fx, fd) = (self.fraction(x)?, self.fraction(dflt)?);
                if fx.is_none() && fd.is_none() {
                    return Ok(None);
                }
                let fx = self.over_one(fx, x)?;
                let fd = self.over_one(fd, dflt)?;
                // (Spark: whole first, so that raising one to the other's places is exact.)
                let (fx, fd) = (self.integral(fx)?, self.integral(fd)?);
                let n = self.no_answer(x)?;
                let missing = format!("({} IS NULL OR {} IS NULL)", fx.num, fx.den);
                let scale = fx.scale.max(fd.scale);
                let (px, pd) = (self.duck_parts(x), self.duck_parts(dflt));
                let (xn, dn) = self.branches_alike(fx.num_at(scale), fd.num_at(scale), px.0, pd.0);
                let (xd, dd) = self.branches_alike(fx.den.clone(), fd.den.clone(), px.1, pd.1);
                Ok(Some(Fraction {
                    num: format!("CASE WHEN {n} THEN NULL WHEN {missing} THEN {dn} ELSE {xn} END"),
                    den: format!("CASE WHEN {n} THEN NULL WHEN {missing} THEN {dd} ELSE {xd} END"),
                    positive: fx.positive && fd.positive,
                    num_whole: fx.num_whole && fd.num_whole,
                    den_whole: fx.den_whole && fd.den_whole,
                    scale,
                }))
            }
            // Sums, differences and products of numbers or money with a fraction in them (a
            // group's `share` or `avg`: `share(...) * 100`), exact as the engine keeps them:
            // `a/b * c/d` is `(a * c)/(b * d)`, `a/b + c/d` is `(a * d + c * b)/(b * d)`. In Spark,
            // sums, differences and products of decimals or money are such fractions too, of
            // whole numbers (see [`Compiler::integral`]): Spark's `DECIMAL(38, 10)` sum keeps 9
            // places, and its product 6.
            CExpr::Arith(op @ (Arith::Add(k) | Arith::Sub(k) | Arith::Mul(k)), a, b)
                if matches!(k, Kind::Int | Kind::Dec | Kind::Money | Kind::Duration) =>
            {
                let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
                let spark_places = self.dialect == Dialect::Spark
                    && matches!(k, Kind::Dec | Kind::Money)
                    && !(self.whole(a) && self.whole(b));
                if fa.is_none() && fb.is_none() && !spark_places {
                    return Ok(None);
                }
                // (Spark: both made whole first, so that no product drops places.)
                let (x, y) = match op {
                    Arith::Mul(_) => (self.factor_over_one(fa, a)?, self.factor_over_one(fb, b)?),
                    _ => (self.over_one(fa, a)?, self.over_one(fb, b)?),
                };
                let (x, y) = (self.integral(x)?, self.integral(y)?);
                let positive = x.positive && y.positive;
                let (num_whole, den_whole) = (x.num_whole && y.num_whole, x.den_whole && y.den_whole);
                self.duck_within(a, b, !matches!(op, Arith::Mul(_)))?;
                let den = format!("(({}) * ({}))", x.den, y.den);
                if let Arith::Mul(_) = op {
                    let scale = x.scale + y.scale;
                    if scale > MAX_SCALE {
                        return no(format!(
                            "a product of decimals with more than {MAX_SCALE} decimal places in Spark (a product of three decimals)"
                        ));
                    }
                    let num = format!("(({}) * ({}))", x.num, y.num);
                    return Ok(Some(Fraction { num, den, positive, num_whole, den_whole, scale }));
                }
                // Summed at the places of the finer (a decimal made whole is over 10^10).
                let scale = x.scale.max(y.scale);
                let sign = if matches!(op, Arith::Add(_)) { "+" } else { "-" };
                let (xn, yn) = (x.num_at(scale), y.num_at(scale));
                // Over one denominator (two decimals made whole, in Spark): summed as they are.
                if self.dialect == Dialect::Spark && x.den == y.den {
                    let num = format!("(({xn}) {sign} ({yn}))");
                    return Ok(Some(Fraction { num, den: x.den, positive, num_whole, den_whole, scale }));
                }
                let num = format!("(({xn}) * ({}) {sign} ({yn}) * ({}))", y.den, x.den);
                Ok(Some(Fraction { num, den, positive, num_whole, den_whole, scale }))
            }
            // An instant moved by a divided duration (or by a duration computed from one), kept
            // as the engine keeps it, to the nanosecond: microseconds since 1970 as a fraction
            // (nanoseconds over 1000), compared across, never rounded to the microsecond SQL keeps.
            // No answer (NULL) past the first or last instant the engine holds, checked at each
            // move as the engine checks it.
            CExpr::Arith(op @ (Arith::Later | Arith::Earlier), a, b) => {
                let Some((_, held, raw)) = self.moved_fraction(*op, a, b)? else { return Ok(None) };
                Ok(Some(Fraction::of(format!("CASE WHEN {held} THEN {} END", raw.num), raw.den, true, true)))
            }
            // The time between two instants, one of them moved by a divided duration: its
            // microseconds as a fraction, exact.
            CExpr::Arith(Arith::Elapsed, a, b) => {
                let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
                if fa.is_none() && fb.is_none() {
                    return Ok(None);
                }
                let (x, y) = (self.instant_over_one(fa, a)?.flat(), self.instant_over_one(fb, b)?.flat());
                if !(x.positive && y.positive) {
                    return no(MOVED_BY_A_FRACTION);
                }
                Ok(Some(Fraction::of(
                    format!("(({}) * ({}) - ({}) * ({}))", x.num, y.den, y.num, x.den),
                    format!("(({}) * ({}))", x.den, y.den),
                    true,
                    true,
                )))
            }
            // A fraction negated, exactly (the engine's negation of a duration or a decimal).
            CExpr::Neg(_, x) => Ok(self.fraction(x)?.map(|f| Fraction { num: format!("(-({}))", f.num), ..f })),
            // The time between two instants in hours, exactly: microseconds over an hour's.
            CExpr::Call(f, args) if f.name == "hours_between" => {
                let [start, end] = args.as_ref() else { return no("`hours_between` without its two instants") };
                let (s, e) = (self.expr(start, None)?, self.expr(end, None)?);
                let d = self.dialect;
                Ok(Some(Fraction::of(
                    format!("({} - {})", d.epoch_us(&e), d.epoch_us(&s)),
                    "3600000000".into(),
                    true,
                    true,
                )))
            }
            _ => Ok(None),
        }
    }

    /// `f`, or instant `e` (not a fraction) as its microseconds since 1970 over 1.
    fn instant_over_one(&mut self, f: Option<Fraction>, e: &CExpr) -> Result<Fraction, Unsupported> {
        Ok(match f {
            Some(f) => f,
            None => {
                let t = self.expr(e, None)?;
                Fraction::of(self.dialect.epoch_us(&t), "1".into(), true, true)
            }
        })
    }

    /// For an instant moved by a duration (`a + b`, `a - b`: `op`) where either is a fraction (a
    /// duration divided, an instant moved by one): whether both operands have values, whether
    /// the instant reached is one the engine holds, and the instant reached in microseconds
    /// since 1970 as a fraction (whether held or not); `None` when neither is a fraction.
    fn moved_fraction(
        &mut self,
        op: Arith,
        a: &CExpr,
        b: &CExpr,
    ) -> Result<Option<(String, String, Fraction)>, Unsupported> {
        let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
        if fa.is_none() && fb.is_none() {
            return Ok(None);
        }
        let present = |f: &Fraction| format!("({} IS NOT NULL AND {} IS NOT NULL)", f.num, f.den);
        let (x, y) = (self.instant_over_one(fa, a)?.flat(), self.over_one(fb, b)?.flat());
        if !(x.positive && y.positive) {
            return no(MOVED_BY_A_FRACTION);
        }
        let sign = if op == Arith::Later { "+" } else { "-" };
        let num = format!("(({}) * ({}) {sign} ({}) * ({}))", x.num, y.den, y.num, x.den);
        let den = format!("(({}) * ({}))", x.den, y.den);
        // Whole microseconds from the first held to the last, and the nanoseconds of the last.
        let (lo, hi) = instants_held();
        let held = format!("(({num}) BETWEEN ({lo}) * ({den}) AND ({hi}) * ({den}) + ({den}) - 1)");
        let both = format!("({} AND {})", present(&x), present(&y));
        Ok(Some((both, held, Fraction::of(num, den, true, true))))
    }

    /// For a date moved by a divided duration (`a + b`, `a - b`: `op`, a date-moving one): whether
    /// both have values, the days moved (the duration's whole days, toward zero, as the engine
    /// takes them), and whether the date reached is one the engine holds; `None` when `b` is not
    /// a fraction.
    fn date_moved_fraction(
        &mut self,
        op: Arith,
        a: &CExpr,
        b: &CExpr,
    ) -> Result<Option<(String, String, String)>, Unsupported> {
        let Some(f) = self.fraction(b)?.map(Fraction::flat) else { return Ok(None) };
        if !f.positive {
            return no(MOVED_BY_A_FRACTION);
        }
        let d = self.dialect;
        let x = self.expr(a, None)?;
        let days = whole_quotient(d, &f.num, &format!("({}) * {DAY_US}", f.den));
        let days = if op == Arith::DateLater { days } else { format!("(-{days})") };
        let epoch_day = d.days_between(&x, "DATE '1970-01-01'");
        let (dlo, dhi) = DAYS_HELD;
        let held = format!("({epoch_day} + {days} BETWEEN {dlo} AND {dhi})");
        let both = format!("({x} IS NOT NULL AND {} IS NOT NULL AND {} IS NOT NULL)", f.num, f.den);
        Ok(Some((both, days, held)))
    }

    /// `f`, or `e` (not a fraction) as one over 1: an instant (a branch beside one moved by a
    /// divided duration) as its microseconds since 1970.
    fn over_one(&mut self, f: Option<Fraction>, e: &CExpr) -> Result<Fraction, Unsupported> {
        if f.is_none() && matches!(self.ty_of(e), Some(Ty::DateTime)) {
            return self.instant_over_one(None, e);
        }
        Ok(match f {
            Some(f) => f,
            None => self.value_over_one(e)?,
        })
    }

    /// [`Compiler::over_one`] for an operand of a product: a decimal constant over 1 at its own
    /// places in DuckDB ([`Compiler::factor`]).
    fn factor_over_one(&mut self, f: Option<Fraction>, e: &CExpr) -> Result<Fraction, Unsupported> {
        if f.is_none() && self.dialect == Dialect::DuckDb && matches!(e, CExpr::Const(Value::Dec(_) | Value::Money(_)))
        {
            let num_whole = self.whole(e);
            return Ok(Fraction {
                num: self.factor(e)?,
                den: "1".into(),
                positive: true,
                num_whole,
                den_whole: true,
                scale: 0,
            });
        }
        self.over_one(f, e)
    }

    /// `e` (not a fraction) over 1; in Spark, a constant decimal as the whole number of its
    /// places ([`Compiler::spark_constant`]).
    fn value_over_one(&mut self, e: &CExpr) -> Result<Fraction, Unsupported> {
        if let Some(c) = self.spark_constant(e) {
            return Ok(c);
        }
        let num_whole = self.whole(e);
        Ok(Fraction { num: self.expr(e, None)?, den: "1".into(), positive: true, num_whole, den_whole: true, scale: 0 })
    }

    /// In DuckDB, constant decimal or amount `e` as its fraction in lowest terms, of whole
    /// `DECIMAL(38, 0)`s (`0.25` is `1/4`), for a comparison with a fraction of whole numbers;
    /// `None` elsewhere, or where either part passes 38 digits.
    fn duck_constant(&self, e: &CExpr) -> Option<Fraction> {
        if self.dialect != Dialect::DuckDb {
            return None;
        }
        let n = match e {
            CExpr::ToDec(x) => return self.duck_constant(x),
            CExpr::Const(Value::Dec(n) | Value::Money(n)) => *n,
            _ => return None,
        };
        let fits = |v: i128| v.unsigned_abs() < 10u128.pow(38);
        (fits(n.numer()) && fits(n.denom())).then(|| {
            let whole = |v: i128| format!("CAST({v} AS DECIMAL(38, 0))");
            Fraction::of(whole(n.numer()), whole(n.denom()), true, true)
        })
    }

    /// In Spark, constant decimal `e` as the whole number of its places over 10 to their number
    /// (`33.33333333%` is `3333333333` at 10 places), ready to multiply across exactly (see
    /// [`Fraction`]) without the SQL that makes a decimal column whole.
    fn spark_constant(&self, e: &CExpr) -> Option<Fraction> {
        if self.dialect != Dialect::Spark {
            return None;
        }
        match e {
            CExpr::ToDec(x) => self.spark_constant(x),
            CExpr::Const(Value::Dec(n) | Value::Money(n)) => {
                let places = n.terminating_places().filter(|&p| p <= 10)?;
                let whole = n.checked_mul(crate::engine::num::Num::from(10i64.pow(places)))?.to_integer()?;
                // Within 38 digits, as a `DECIMAL(38, 0)` holds.
                (whole.unsigned_abs() < 10u128.pow(38)).then(|| Fraction {
                    num: format!("CAST({whole} AS DECIMAL(38, 0))"),
                    den: "1".into(),
                    positive: true,
                    num_whole: true,
                    den_whole: true,
                    scale: places,
                })
            }
            _ => None,
        }
    }

    /// `f` with a numerator and denominator that are whole, in Spark: a decimal one times 10^10
    /// (the places of a decimal in the tables, see [`SqlType::Decimal`]), the numerator's 10^10
    /// kept in `scale` (a denominator's taken off it), so the fraction is as it was and every
    /// later product of it exact (Spark rounds a product of decimals that passes 38 digits to 6
    /// places, see [`Fraction`]); other dialects multiply decimals exactly, and get `f` as it is.
    fn integral(&self, f: Fraction) -> Result<Fraction, Unsupported> {
        if self.dialect != Dialect::Spark || f.whole() {
            return Ok(f);
        }
        const PLACES: u32 = 10;
        let num = if f.num_whole { f.num.clone() } else { spark_unscaled(&f.num) };
        let den = if f.den_whole { f.den.clone() } else { spark_unscaled(&f.den) };
        let up = if f.num_whole { 0 } else { PLACES };
        let down = if f.den_whole { 0 } else { PLACES };
        // A whole numerator over a denominator made whole: the numerator takes the 10^10.
        let (num, scale) = match (f.scale + up).checked_sub(down) {
            Some(scale) => (num, scale),
            None => (format!("({num}) * {}", ten_to(down - f.scale - up)), 0),
        };
        if scale > MAX_SCALE {
            return no(format!(
                "a product of decimals with more than {MAX_SCALE} decimal places in Spark (a product of three decimals)"
            ));
        }
        Ok(Fraction { num, den, positive: f.positive, num_whole: true, den_whole: true, scale })
    }

    /// An operand of a quotient of numbers or money, as a decimal: at the tables' 10 places, or
    /// at 20 when it multiplies two decimals (`record.rate * record.hours / record.n`), whose
    /// product the engine keeps whole and the 10 would round (Spark never gets here: there a
    /// product of decimals is a fraction of whole numbers, see [`Compiler::integral`]). A
    /// product of three decimals (30 places) is left out.
    fn quotient_operand(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let x = self.expr(e, None)?;
        if !self.multiplies_places(e) {
            return Ok(format!("CAST({x} AS {})", self.dialect.ty(SqlType::Decimal)));
        }
        if self.decimal_factors(e) > 2 {
            return no("a quotient of a product of three decimals (it may have more than 20 decimal places)");
        }
        Ok(format!("CAST({x} AS DECIMAL(38, {FINE_KEY_PLACES}))"))
    }

    /// How many quotients of numbers or money in `e` have an operand of 20 places (see
    /// [`Compiler::quotient_operand`]).
    fn fine_quotients(&self, e: &CExpr) -> u32 {
        let own = match e {
            CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
                u32::from(self.multiplies_places(a) || self.multiplies_places(b))
            }
            _ => 0,
        };
        own + e.children().map(|c| self.fine_quotients(c)).sum::<u32>()
    }

    /// Whether `e` holds, outside its quotients, a value of more than 10 places in DuckDB (see
    /// [`Compiler::adds_places`]).
    fn places_beside_quotients(&self, e: &CExpr) -> bool {
        if matches!(e, CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, _, _)) {
            return false;
        }
        let own = match e {
            CExpr::Arith(Arith::Mul(Kind::Dec | Kind::Money), a, b) => !(self.whole(a) || self.whole(b)),
            _ => self.ratio(e).is_some_and(|f| !f.num_whole),
        };
        own || e.children().any(|c| self.places_beside_quotients(c))
    }

    /// In DuckDB, whether the quotients in `parts` (a comparison's sides, or a message value) would
    /// take a product across past 38 places: one of a product of decimals (20 places) beside
    /// another quotient or another value of more than 10 places ([`FINE_QUOTIENTS`]).
    fn fine_quotients_overflow(&self, parts: &[&CExpr]) -> bool {
        self.dialect == Dialect::DuckDb
            && parts.iter().map(|e| self.fine_quotients(e)).sum::<u32>() > 0
            && (parts.iter().map(|e| quotients(e)).sum::<u32>() > 1
                || parts.iter().any(|e| self.places_beside_quotients(e)))
    }

    /// Whether `e` multiplies two decimals (neither whole) somewhere, so that its value may have
    /// more places than the tables' 10: a group key that is one would be rounded to 10 places in
    /// SQL, and two keys the engine tells apart could fall together.
    pub fn multiplies_places(&self, e: &CExpr) -> bool {
        let own = match e {
            CExpr::Arith(Arith::Mul(Kind::Dec | Kind::Money), a, b) => !(self.whole(a) || self.whole(b)),
            _ => false,
        };
        own || e.children().any(|c| self.multiplies_places(c))
    }

    /// Whether `e` holds a value of more than 10 places in DuckDB, or makes one: a product of
    /// decimals, or a group's average or sum of decimals. Beside a quotient divided again (itself
    /// of 20 places), such a value would take a product across past the 38 places DuckDB allows
    /// ([`DEEP_QUOTIENTS`]).
    fn adds_places(&self, e: &CExpr) -> bool {
        let own = self.multiplies_places(e) || self.ratio(e).is_some_and(|f| !f.num_whole);
        own || e.children().any(|c| self.adds_places(c))
    }

    /// Whether `e` multiplies a decimal or an amount by anything but a whole number times a whole
    /// number: a product Spark would keep 6 places of (its sums and differences it keeps exact).
    pub fn multiplies_decimal(&self, e: &CExpr) -> bool {
        let own =
            matches!(e, CExpr::Arith(Arith::Mul(Kind::Dec | Kind::Money), a, b) if !(self.whole(a) && self.whole(b)));
        own || e.children().any(|c| self.multiplies_decimal(c))
    }

    /// How many decimals that are not whole `e` multiplies together at most: each brings up to
    /// 10 places, so the value has at most ten times as many. A key or an aggregate that
    /// multiplies decimals ([`Compiler::fine_slots`]) counts as two.
    fn decimal_factors(&self, e: &CExpr) -> u32 {
        if self.reads_fine_slot(e) && matches!(e, CExpr::Field(..)) {
            return 2;
        }
        match e {
            CExpr::Arith(Arith::Mul(_), a, b) => self.decimal_factors(a) + self.decimal_factors(b),
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_), a, b) | CExpr::Otherwise(a, b) | CExpr::If(_, a, b) => {
                self.decimal_factors(a).max(self.decimal_factors(b))
            }
            CExpr::Neg(_, x) | CExpr::ToDec(x) => self.decimal_factors(x),
            _ => u32::from(!self.whole(e)),
        }
    }

    /// Operand `e` of a product of decimals: in DuckDB a decimal constant at its own places
    /// (`1.5` as `DECIMAL(38, 1)`, not the 10 it has elsewhere), since DuckDB types a product with
    /// the sum of its operands' places and refuses a query past 38 (a value of 10 places times
    /// `1.5 * 2.5 * 3.5` would need 40). Only here: a choice or default between values of other
    /// places is cast to the finer ([`Compiler::same_places`]).
    fn factor(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        match e {
            CExpr::Const(Value::Dec(n) | Value::Money(n)) if self.dialect == Dialect::DuckDb => {
                match n.terminating_places() {
                    Some(p) if p <= 10 => Ok(format!("CAST('{}' AS DECIMAL(38, {p}))", n.to_decimal(0, 0, 0).0)),
                    _ => self.expr(e, None),
                }
            }
            _ => self.expr(e, None),
        }
    }

    /// Values `x` and `y` of `a` and `b`, decimals or money, at the same places in DuckDB, for a
    /// `CASE` or `COALESCE` between them: DuckDB types one by the operand with the most whole
    /// digits, so a product of 20 places beside a value of 10 (`(record.a * record.b) otherwise
    /// 1.5`) would be rounded to 10. Both are cast to the finer's places.
    fn same_places(&self, a: &CExpr, b: &CExpr, x: String, y: String) -> (String, String) {
        if self.dialect != Dialect::DuckDb || !(self.decimal_valued(a) || self.decimal_valued(b)) {
            return (x, y);
        }
        self.duck_alike(x, y, self.duck_places(a), self.duck_places(b))
    }

    /// The numerators (or denominators) `x` and `y` of two fractions one of which a choice takes
    /// (`if`, `otherwise`), made whole in Spark first ([`Compiler::integral`]), typed alike: in
    /// Spark both `DECIMAL(38, 0)`, since a `CASE` over a whole `DECIMAL(38, 0)` of 38 digits (a
    /// group's average of quotients) and a `DECIMAL(38, 10)` that is whole (a default of `1`)
    /// would be typed `DECIMAL(38, 10)` and stop the query; in DuckDB as [`Compiler::duck_alike`].
    fn branches_alike(&self, x: String, y: String, pa: u32, pb: u32) -> (String, String) {
        if self.dialect == Dialect::Spark {
            return (format!("CAST({x} AS DECIMAL(38, 0))"), format!("CAST({y} AS DECIMAL(38, 0))"));
        }
        self.duck_alike(x, y, pa, pb)
    }

    /// In DuckDB, SQL values `x` and `y` of `pa` and `pb` places both cast to the more places
    /// where they differ, for a `CASE` or `COALESCE` between them ([`Compiler::same_places`]).
    fn duck_alike(&self, x: String, y: String, pa: u32, pb: u32) -> (String, String) {
        if self.dialect != Dialect::DuckDb || pa == pb {
            return (x, y);
        }
        let p = pa.max(pb).min(DUCK_MAX_SCALE);
        (format!("CAST({x} AS DECIMAL(38, {p}))"), format!("CAST({y} AS DECIMAL(38, {p}))"))
    }

    /// The places DuckDB types the numerator and the denominator of the fraction
    /// [`Compiler::fraction`] makes of `e` with (a value that is not one over 1 of none), as
    /// [`Compiler::duck_places`] does a value's.
    fn duck_parts(&self, e: &CExpr) -> (u32, u32) {
        if let Some(f) = self.ratio(e) {
            let num = if let Some(p) = self.slot_places_of(e) {
                p
            } else if self.reads_fine_slot(e) {
                FINE_KEY_PLACES
            } else if f.num_whole {
                0
            } else {
                10
            };
            return (num, 0);
        }
        let divides = |x: &CExpr| self.value_divides(x);
        let part = |x: &CExpr| if divides(x) { self.duck_parts(x) } else { (self.duck_places(x), 0) };
        match e {
            CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
                if divides(a) || divides(b) {
                    let (x, y) = (part(a), part(b));
                    (x.0 + y.1, x.1 + y.0)
                } else {
                    let operand = |x: &CExpr| if self.multiplies_places(x) { FINE_KEY_PLACES } else { 10 };
                    (operand(a), operand(b))
                }
            }
            CExpr::Arith(Arith::Mul(_), a, b) => {
                let factor = |x: &CExpr| match x {
                    CExpr::Const(Value::Dec(n) | Value::Money(n)) => {
                        (n.terminating_places().map_or(10, |p| p.min(10)), 0)
                    }
                    x => part(x),
                };
                let (x, y) = (factor(a), factor(b));
                (x.0 + y.0, x.1 + y.1)
            }
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_), a, b) => {
                let (x, y) = (part(a), part(b));
                ((x.0 + y.1).max(y.0 + x.1), x.1 + y.1)
            }
            CExpr::If(_, a, b) | CExpr::Otherwise(a, b) => {
                let (x, y) = (part(a), part(b));
                (x.0.max(y.0), x.1.max(y.1))
            }
            CExpr::Neg(_, x) | CExpr::ToDec(x) => part(x),
            // Durations, instants and hours in whole microseconds (and nanoseconds over 1000).
            _ if divides(e) => (0, 0),
            _ => (self.duck_places(e), 0),
        }
    }

    /// The places DuckDB types the SQL of `e` with, a value that is not a fraction: 10 for a
    /// decimal column or constant, 20 for a key or aggregate that multiplies decimals, the sum of
    /// a product's (a constant there at its own places: [`Compiler::factor`]), the most of a
    /// sum's or a choice's, none for a whole number.
    pub(crate) fn duck_places(&self, e: &CExpr) -> u32 {
        if let Some(p) = self.slot_places_of(e) {
            return p;
        }
        // A decimal constant is written at 10 places, but at its own as a product's operand.
        let factor = |x: &CExpr| match x {
            CExpr::Const(Value::Dec(n) | Value::Money(n)) => n.terminating_places().map_or(10, |p| p.min(10)),
            x => self.duck_places(x),
        };
        match e {
            CExpr::Const(Value::Dec(_) | Value::Money(_)) => 10,
            CExpr::Const(_) => 0,
            CExpr::Arith(Arith::Mul(_), a, b) => factor(a) + factor(b),
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_), a, b) | CExpr::Otherwise(a, b) | CExpr::If(_, a, b) => {
                self.duck_places(a).max(self.duck_places(b))
            }
            CExpr::Neg(_, x) => self.duck_places(x),
            // A whole number made a decimal (a branch of a choice of decimals) is written as a
            // `DECIMAL(38, 10)`.
            CExpr::ToDec(x) => self.duck_places(x).max(10),
            _ if self.reads_fine_slot(e) => FINE_KEY_PLACES,
            _ if self.decimal_valued(e) && !self.whole(e) => 10,
            _ => 0,
        }
    }

    /// `Err` where combining fractions `a` and `b` would pass 38 places ([`DUCK_PLACES`]):
    /// multiplied straight (`a * b`: numerators together, denominators together) or across
    /// (`across`: each numerator by the other's denominator, as a sum, a quotient or a comparison
    /// of fractions does). DuckDB refuses to bind such a query; in PostgreSQL, whose `NUMERIC`
    /// would answer, the engine's exact value (over 10 to that many places) passes its 128 bits
    /// and has none. (Spark's bound is its own: [`Compiler::integral`].)
    fn duck_within(&self, a: &CExpr, b: &CExpr, across: bool) -> Result<(), Unsupported> {
        if self.dialect == Dialect::Spark {
            return Ok(());
        }
        let part = |x: &CExpr| if self.value_divides(x) { self.duck_parts(x) } else { (self.duck_places(x), 0) };
        let (x, y) = (part(a), part(b));
        let most = if across { (x.0 + y.1).max(y.0 + x.1).max(x.1 + y.1) } else { (x.0 + y.0).max(x.1 + y.1) };
        if most > DUCK_MAX_SCALE {
            return no(DUCK_PLACES);
        }
        Ok(())
    }

    /// The places of group record slot `e` an aggregate fills ([`Compiler::slot_places`]).
    fn slot_places_of(&self, e: &CExpr) -> Option<u32> {
        let CExpr::Field(Root::Record, steps) = e else { return None };
        let [s] = steps.as_ref() else { return None };
        self.group.as_ref()?;
        self.slot_places.iter().find(|(x, _)| *x == usize::from(*s)).map(|(_, p)| *p)
    }

    /// Whether `e` is a decimal or an amount (a column, a constant, arithmetic on them, a
    /// choice of them), which DuckDB types with places.
    fn decimal_valued(&self, e: &CExpr) -> bool {
        match e {
            CExpr::Arith(Arith::Add(k) | Arith::Sub(k) | Arith::Mul(k), _, _) => matches!(k, Kind::Dec | Kind::Money),
            CExpr::Const(v) => matches!(v, Value::Dec(_) | Value::Money(_)),
            CExpr::ToDec(_) => true,
            CExpr::Neg(_, x) => self.decimal_valued(x),
            CExpr::If(_, a, b) | CExpr::Otherwise(a, b) => self.decimal_valued(a) || self.decimal_valued(b),
            _ => matches!(self.ty_of(e), Some(Ty::Dec | Ty::Money(_))),
        }
    }

    /// Whether `e` reads a key or an aggregate of up to 20 places ([`Compiler::fine_slots`]).
    fn reads_fine_slot(&self, e: &CExpr) -> bool {
        let own = self.group.is_some()
            && matches!(e, CExpr::Field(Root::Record, steps) if matches!(&**steps, [s] if self.fine_slots.contains(&usize::from(*s))));
        own || e.children().any(|x| self.reads_fine_slot(x))
    }

    /// Group or case key `e` of type `ty` (`what`: "group" or "case") as the SQL holds it, and
    /// whether it is held at [`FINE_KEY_PLACES`] places. Keys are grouped by equality, so a key
    /// must keep every place the engine keeps, or two keys the engine tells apart would fall
    /// together. A decimal key is held at the tables' 10 places, but one that multiplies decimals
    /// (`record.rate * record.hours`) may have 20: DuckDB and PostgreSQL hold it as their own
    /// exact product at 20 places; Spark, which keeps 6 places of a product of decimals, holds
    /// any decimal arithmetic as the whole number of its places raised to 20 (see [`Fraction`]).
    /// A key of three decimals multiplied (30 places) is left out.
    pub fn key(&mut self, e: &CExpr, ty: &Ty, what: &str) -> Result<(String, bool), Unsupported> {
        let hint = match ty {
            Ty::Enum(id) => Some(*id),
            _ => None,
        };
        if !matches!(ty, Ty::Dec | Ty::Money(_)) {
            return Ok((self.expr(e, hint)?, false));
        }
        let d = self.dialect;
        if d == Dialect::Spark && self.multiplies_decimal(e) {
            if let Some((whole, places)) = self.summand(e)? {
                let Some(up) = FINE_KEY_PLACES.checked_sub(places) else {
                    return no(format!("a {what} key with more than {FINE_KEY_PLACES} decimal places"));
                };
                let raised = if up == 0 { whole } else { format!("({whole}) * {}", ten_to(up)) };
                return Ok((format!("CAST({raised} AS DECIMAL(38, 0))"), true));
            }
        } else if self.multiplies_places(e) {
            if self.decimal_factors(e) > 2 {
                return no(format!(
                    "a {what} key that multiplies three decimals (it may have more than {FINE_KEY_PLACES} places)"
                ));
            }
            return Ok((format!("CAST({} AS DECIMAL(38, {FINE_KEY_PLACES}))", self.expr(e, None)?), true));
        }
        // At the places its text is made from, whatever arithmetic made it.
        Ok((format!("CAST({} AS {})", self.expr(e, None)?, d.ty(SqlType::Decimal)), false))
    }

    /// Whether `e` is whole numbers all through: a whole number, or a share or average of whole
    /// numbers, or sums, differences and products of them. (Spark keeps at least 6 places of a
    /// decimal product that passes 38 digits: exact for these, whose products are whole.)
    fn whole(&self, e: &CExpr) -> bool {
        if let Some(f) = self.ratio(e) {
            return f.num_whole;
        }
        match e {
            CExpr::ToDec(x) => self.whole(x),
            // A whole number written where a decimal is wanted (`share(c) * 100`).
            CExpr::Const(Value::Dec(n)) => n.denom() == 1,
            CExpr::Const(Value::Int(_) | Value::Duration(_)) => true,
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_) | Arith::Mul(_), a, b) => self.whole(a) && self.whole(b),
            // Whole nanoseconds over 1000; instants moved by them, and the time between such.
            CExpr::Arith(Arith::Div(Kind::Duration) | Arith::Later | Arith::Earlier | Arith::Elapsed, _, _) => true,
            CExpr::Neg(_, x) => self.whole(x),
            // Whole microseconds.
            _ => matches!(self.ty_of(e), Some(Ty::Int | Ty::Duration)),
        }
    }

    /// A field of the element bound to quantifier variable `var` (the element itself for no steps):
    /// its SQL and its type.
    fn var_field(&self, var: u8, steps: &[u16]) -> Result<(String, Ty), Unsupported> {
        if let Some(o) = self.opening.as_ref().filter(|o| o.var == var) {
            return self.opening_field(o, steps).map(|(x, ty, _)| (x, ty));
        }
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
                .ok_or_else(|| Unsupported("a field of a type the table mapping does not hold".into()))?;
            ty = f.ty.clone();
        }
        Ok((x, ty))
    }

    /// A field of the opening record a case's message reads: its column, its type and, for a
    /// datetime, its offset's column. Only single values are carried with an opening.
    fn opening_field(&self, o: &OpeningColumns, steps: &[u16]) -> Result<(String, Ty, Option<String>), Unsupported> {
        let (Some(slot), 1) = (steps.first(), steps.len()) else {
            return no("the opening record, or a field of an object in it, in a case rule's message (`opening.<field>` of a single value compiles)");
        };
        let field = self.program.shapes.get(o.shape).and_then(|sh| sh.fields.get(usize::from(*slot)));
        let (Some(field), Some((_, col, off))) = (field, o.columns.iter().find(|(s, _, _)| s == slot)) else {
            return no("a field of the opening record that is not carried with it");
        };
        Ok((col.clone(), field.ty.clone(), off.clone()))
    }

    /// [`Compiler::var_field`] as a value: a whole element of a `JSONB` list ([`Dialect::jsonb`]),
    /// JSON `null` where the element is missing, made NULL, as SQL reads a missing value.
    fn var_value(&self, var: u8, steps: &[u16]) -> Result<String, Unsupported> {
        let (x, ty) = self.var_field(var, steps)?;
        // (A list of values in a `JSONB` list of lists is bound as an array:
        // [`Compiler::list_element`].)
        let array = matches!(&ty, Ty::List(_)) && !self.dialect.jsonb(&ty);
        Ok(if steps.is_empty() && self.dialect.jsonb(&Ty::List(Box::new(ty))) && !array {
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
        let (e, cond) = self.each_element(var, list, false, |c| c.expr(body, None))?;
        Ok((e.list, e.jsonb, e.alias, cond))
    }

    /// Compile `within` with quantifier variable `var` bound to each element of `list`, and, with
    /// `paths`, to the element's path (`actions[2]`) for what blames a field
    /// ([`first_path`]). The binding is undone whatever `within` gave. A list of datetimes whose
    /// elements' offsets `within` reads (`day(c)` with no calendar) is read zipped with its list of
    /// offsets ([`Compiler::zipped`]); only then, so that other quantifiers keep their SQL.
    fn each_element<T>(
        &mut self,
        var: u8,
        list: &CExpr,
        paths: bool,
        mut within: impl FnMut(&mut Self) -> Result<T, Unsupported>,
    ) -> Result<(Elements, T), Unsupported> {
        let wanted = self.offset_wanted.take();
        let first = self.each_element_read(var, list, paths, false, &mut within);
        let asked = self.offset_wanted.take();
        if first.is_err() && asked == Some(var) {
            self.offset_wanted = wanted;
            // A list that cannot be read with its offsets (not a field) keeps the first reason.
            if self.list_offsets(list).is_err() {
                return first;
            }
            return self.each_element_read(var, list, paths, true, &mut within);
        }
        // An outer quantifier's variable asked for is the outer one's to read again.
        self.offset_wanted = asked.or(wanted);
        first
    }

    /// [`Compiler::each_element`], the list zipped with its offsets when `zip`.
    fn each_element_read<T>(
        &mut self,
        var: u8,
        list: &CExpr,
        paths: bool,
        zip: bool,
        within: &mut impl FnMut(&mut Self) -> Result<T, Unsupported>,
    ) -> Result<(Elements, T), Unsupported> {
        let Some(Ty::List(inner)) = self.ty_of(list) else { return no("a list whose type cannot be told") };
        let d = self.dialect;
        let list_path = if paths { self.first_field(list)? } else { "NULL".to_string() };
        let l = self.expr(list, None)?;
        self.aliases += 1;
        let a = format!("u{}", self.aliases);
        let (l, jsonb, element, offset) = if zip {
            let (l, jsonb, element, offset) = self.zipped(list, &l, &a)?;
            (l, jsonb, element, Some(offset))
        } else {
            (l, d.jsonb(&Ty::List(inner.clone())), self.list_element(&d.element(&a), &inner)?, None)
        };
        let elem = if list_path == "NULL" {
            "NULL".to_string()
        } else {
            format!("({list_path} || '[' || CAST({} AS {}) || ']')", d.element_index(&a), d.ty(SqlType::Text))
        };
        let slot = usize::from(var);
        self.vars.resize(self.vars.len().max(slot + 1), None);
        self.var_paths.resize(self.var_paths.len().max(slot + 1), None);
        self.var_offsets.resize(self.var_offsets.len().max(slot + 1), None);
        let saved = (
            self.vars.get(slot).cloned().flatten(),
            self.var_paths.get(slot).cloned().flatten(),
            self.var_offsets.get(slot).cloned().flatten(),
        );
        if let Some(v) = self.vars.get_mut(slot) {
            *v = Some((element, *inner));
        }
        if let Some(v) = self.var_offsets.get_mut(slot) {
            *v = offset;
        }
        if paths {
            if let Some(v) = self.var_paths.get_mut(slot) {
                *v = Some(elem.clone());
            }
        }
        let got = within(self);
        if let Some(v) = self.vars.get_mut(slot) {
            *v = saved.0;
        }
        if let Some(v) = self.var_paths.get_mut(slot) {
            *v = saved.1;
        }
        if let Some(v) = self.var_offsets.get_mut(slot) {
            *v = saved.2;
        }
        // (In Spark the body becomes a lambda, whose calendar lookups the dialect reads as joined
        // columns: [`super::dialect::lambda`].)
        Ok((Elements { list: l, jsonb, alias: a, path: elem, list_path }, got?))
    }

    /// List of datetimes `list` (its SQL `l`) with each element paired with the offset it was
    /// written with ([`Compiler::list_offsets`]), for its elements bound as alias `a`: the zipped
    /// list's SQL, whether it is `JSONB`, and the SQL of an element's instant and of its offset. A
    /// list of structs `{e, o}` in DuckDB and Spark; in PostgreSQL, whose arrays of records would
    /// need a type declared, a `JSONB` array of such objects, the instant as its ISO text.
    fn zipped(&mut self, list: &CExpr, l: &str, a: &str) -> Result<(String, bool, String, String), Unsupported> {
        let d = self.dialect;
        let offsets = self.list_offsets(list)?;
        let x = d.element(a);
        Ok(match d {
            Dialect::DuckDb => (
                format!(
                    "list_transform({l}, lambda precept_x, precept_i: {{'e': precept_x, 'o': CAST(list_extract({offsets}, precept_i) AS BIGINT)}})"
                ),
                false,
                format!("struct_extract({x}, 'e')"),
                format!("CAST(COALESCE(struct_extract({x}, 'o'), 0) AS BIGINT)"),
            ),
            Dialect::Spark => (
                format!(
                    "transform({l}, (precept_x, precept_i) -> named_struct('e', precept_x, 'o', CAST(get({offsets}, precept_i) AS BIGINT)))"
                ),
                false,
                format!("{x}.e"),
                format!("CAST(COALESCE({x}.o, 0) AS BIGINT)"),
            ),
            Dialect::Postgres => (
                format!(
                    "CASE WHEN {l} IS NOT NULL THEN COALESCE((SELECT jsonb_agg(jsonb_build_object('e', z.x, 'o', ({offsets})[z.i]) ORDER BY z.i) FROM unnest({l}) WITH ORDINALITY AS z(x, i)), '[]') END"
                ),
                true,
                format!("CAST({x} ->> 'e' AS TIMESTAMP)"),
                format!("CAST(COALESCE(CAST({x} ->> 'o' AS BIGINT), 0) AS BIGINT)"),
            ),
        })
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
            CExpr::AddBusinessDays(x, _, _)
            | CExpr::AddMonths(x, _)
            | CExpr::AddBusinessDaysBy(x, _, _)
            | CExpr::AddMonthsBy(x, _, _) => self.ty_of(x),
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
                let hint = self.enum_of(x).or_else(|| set.iter().find_map(|c| self.enum_of(c)));
                let x = self.expr(x, hint)?;
                // A set with values read from the record, as the engine tests it: a member that
                // is missing (or has no answer) is no match, never an unknown, so the test is
                // unknown only when `x` is missing, as `x IN (...)` with a NULL member would not be.
                if set.iter().any(|c| !matches!(c, CExpr::Const(v) if *v != Value::Missing)) {
                    let mut matches = Vec::new();
                    for c in set.iter() {
                        matches.push(format!("COALESCE({x} = {}, FALSE)", self.expr(c, hint)?));
                    }
                    let found = format!("({})", matches.join(" OR "));
                    let found = if *negate { format!("(NOT {found})") } else { found };
                    return Ok(format!("CASE WHEN {x} IS NOT NULL THEN {found} END"));
                }
                let mut items = Vec::new();
                for c in set.iter() {
                    if let CExpr::Const(v) = c {
                        items.push(self.constant(v, hint)?);
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
            // The local date at the written offset moves; the wall-clock time and the offset stay,
            // so the instant moves by whole days of 24 hours (a fixed offset has no DST). NULL
            // past the dates the engine holds, where it has no answer.
            CExpr::AddMonths(x, n) => {
                let (held, moved) = self.months_by(x, &months(*n), *n < 0)?;
                format!("CASE WHEN {held} THEN {moved} END")
            }
            CExpr::BusinessBetween(a, b, cal) => {
                let (a, b) = (self.expr(a, None)?, self.expr(b, None)?);
                let (ra, rb) = (self.receipt_idx(&a, *cal), self.receipt_idx(&b, *cal));
                format!("({rb} - {ra})")
            }
            CExpr::Counted(unit, n) => self.counted(*unit, n)?,
            CExpr::AddBusinessDaysBy(x, n, cal) => {
                // The count is checked where it is read ([`CExpr::Counted`]), but a default or a
                // choice of counts (`record.n business days otherwise 3 business days`) is checked
                // here too, as the engine checks it.
                let n = self.expr(n, None)?;
                let moved = self.business_days(x, Count::Read(&n), *cal)?;
                format!("CASE WHEN {n} BETWEEN 0 AND {MAX_COUNT} THEN {moved} END")
            }
            CExpr::AddMonthsBy(x, m, sub) => {
                let (held, moved) = self.months_by(x, m, *sub)?;
                format!("CASE WHEN {held} THEN {moved} END")
            }
            CExpr::Present(x, want) => {
                if let Some(Fraction { num, .. }) = self.ratio(x) {
                    let test = format!("({num} IS {}NULL)", if *want { "NOT " } else { "" });
                    if self.lacks_answer(x) {
                        return Ok(format!("CASE WHEN {} THEN NULL ELSE {test} END", self.no_answer(x)?));
                    }
                    return Ok(test);
                }
                if may_fail(x) && !overflow_only(x) {
                    return no(
                        "`is present` or `is missing` of a computation that may have no answer where SQL gives one (a duration multiplied by a count read from the record)",
                    );
                }
                // A computation that divides, reads a count from the record or moves a date: no
                // answer is told from missing ([`Compiler::no_answer`]), and has no answer here
                // either, as in the engine. A fraction is missing when either side is. So is a
                // group's aggregate that may have none.
                if self.lacks_answer(x) {
                    let n = self.no_answer(x)?;
                    let test = match self.fraction(x)? {
                        Some(f) if *want => format!("({} IS NOT NULL AND {} IS NOT NULL)", f.num, f.den),
                        Some(f) => format!("({} IS NULL OR {} IS NULL)", f.num, f.den),
                        None => format!("({} IS {}NULL)", self.expr(x, None)?, if *want { "NOT " } else { "" }),
                    };
                    return Ok(format!("CASE WHEN {n} THEN NULL ELSE {test} END"));
                }
                if let CExpr::Field(Root::Record, steps) = x.as_ref() {
                    if let Some(present) = self.object_presence(steps)? {
                        return Ok(if *want { present } else { format!("(NOT {present})") });
                    }
                    self.field(steps)?;
                }
                let x = self.expr(x, None)?;
                format!("({x} IS {}NULL)", if *want { "NOT " } else { "" })
            }
            CExpr::Otherwise(x, dflt) => {
                let hint = hint.or_else(|| self.enum_of(x)).or_else(|| self.enum_of(dflt));
                // A computation that fails only by overflowing stops the query instead
                // (docs/warehouse.md, "Limits"), so where the SQL answers, NULL is missing.
                if may_fail(x) && !overflow_only(x) {
                    return no("`otherwise` after a computation that may have no answer where SQL gives one (a duration multiplied by a count read from the record)");
                }
                // The default stands only for a missing value, never for no answer.
                let (v, dv) = (self.expr(x, hint)?, self.expr(dflt, hint)?);
                let (v, dv) = self.same_places(x, dflt, v, dv);
                if self.lacks_answer(x) {
                    let n = self.no_answer(x)?;
                    return Ok(format!("CASE WHEN {n} THEN NULL ELSE COALESCE({v}, {dv}) END"));
                }
                format!("COALESCE({v}, {dv})")
            }
            CExpr::If(c, a, b) => {
                let hint = hint.or_else(|| self.enum_of(a)).or_else(|| self.enum_of(b));
                let c = self.expr(c, None)?;
                let (x, y) = (self.expr(a, hint)?, self.expr(b, hint)?);
                let (x, y) = self.same_places(a, b, x, y);
                d.case_truth(&c, &x, &y, None)
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
            // A question with an argument that has no answer has none (unknown), whatever the
            // role tables say: a `may` amount with none is not asked without it.
            CExpr::Scope(f, args) => {
                let answer = super::roles::question(self, *f, args)?;
                if args.iter().any(|a| self.lacks_answer(a)) {
                    format!("CASE WHEN {} THEN NULL ELSE {answer} END", self.no_answer(e)?)
                } else {
                    answer
                }
            }
            CExpr::DatePart(unit, zone, x) => self.date_part(*unit, *zone, x)?,
            CExpr::Call(f, args) if f.name == "months_between" => self.months_between(args)?,
            CExpr::Call(f, _) => return no(format!("the function `{}`", f.name)),
            // The evaluation time given (`--as-of`), a constant of the script.
            CExpr::Now => match &self.program.evaluation {
                Some(e) => self.constant(&Value::DateTime(e.at, e.offset), None)?,
                None => return no(super::NO_AS_OF),
            },
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
        if self.dialect == Dialect::DuckDb
            && (nests_quotients(a) || nests_quotients(b))
            && (quotients(a) + quotients(b) > 2 || self.adds_places(a) || self.adds_places(b))
        {
            return no(DEEP_QUOTIENTS);
        }
        if self.fine_quotients_overflow(&[a, b]) {
            return no(FINE_QUOTIENTS);
        }
        let (fa, fb) = (self.fraction(a)?, self.fraction(b)?);
        if fa.is_some() || fb.is_some() {
            // Compared across: each numerator times the other's denominator.
            self.duck_within(a, b, true)?;
            // Instants are compared by their microseconds since 1970 (an instant moved by a
            // divided duration is a fraction of them).
            let mut side = |f: Option<Fraction>, e: &CExpr| -> Result<Fraction, Unsupported> {
                Ok(match f {
                    Some(f) => f,
                    None if kind == Kind::DateTime => self.instant_over_one(None, e)?,
                    None => self.value_over_one(e)?,
                })
            };
            let (x, y) = (side(fa, a)?, side(fb, b)?);
            // A decimal constant against a fraction of whole numbers (a sum of quotients by a
            // field, in lowest terms: numbers of 30 digits) in DuckDB: a fraction of whole
            // numbers too, or the product across, typed with the constant's 10 places, would stop
            // past 10^28.
            let (x, y) = match (self.duck_constant(a), self.duck_constant(b)) {
                (Some(c), None) if y.whole() => (c, y),
                (None, Some(c)) if x.whole() => (x, c),
                _ => (x, y),
            };
            let (x, y) = (self.integral(x)?, self.integral(y)?);
            let times = |n: &str, den: &str| if den == "1" { format!("({n})") } else { format!("({n}) * ({den})") };
            // Across, at the places of the finer.
            let scale = x.scale.max(y.scale);
            let (l, r) = (times(&x.num_at(scale), &y.den), times(&y.num_at(scale), &x.den));
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
        let raw = self.arith_raw(op, a, b)?;
        // In PostgreSQL, NULL (no answer) past the engine's 128 bits ([`Compiler::pg_past_held`]).
        Ok(match op {
            Arith::Add(k) | Arith::Sub(k) | Arith::Mul(k)
                if self.dialect == Dialect::Postgres && matches!(k, Kind::Dec | Kind::Money) =>
            {
                format!("{}({raw})", over_field::KEPT_DECIMAL_FN)
            }
            _ => raw,
        })
    }

    /// [`Compiler::arith`] as computed, its operands' checked.
    fn arith_raw(&mut self, op: Arith, a: &CExpr, b: &CExpr) -> Result<String, Unsupported> {
        let d = self.dialect;
        // A date moved by a divided duration: by its whole days, and no answer (NULL) past the
        // first or last day the engine holds.
        if matches!(op, Arith::DateLater | Arith::DateEarlier) {
            if let Some((_, days, held)) = self.date_moved_fraction(op, a, b)? {
                let x = self.expr(a, None)?;
                return Ok(format!("CASE WHEN {held} THEN {} END", d.add_days(&x, &days)));
            }
        }
        let (x, y) = match op {
            Arith::Mul(Kind::Dec | Kind::Money) => (self.factor(a)?, self.factor(b)?),
            _ => (self.expr(a, None)?, self.expr(b, None)?),
        };
        // A move may take a date past the last one the engine holds (a count read from the
        // record of a million weeks; a constant from 9999-12-31), where it has no answer: the
        // value is NULL there, never computed.
        if let Some((held, moved)) = self.moved_in_time(op, &x, &y) {
            return Ok(format!("CASE WHEN {held} THEN {moved} END"));
        }
        Ok(match op {
            // Spark types a sum of two `DECIMAL(38, 10)`s as 39 digits and keeps 9 of its places:
            // one digit fewer each, and the sum is exact.
            Arith::Add(Kind::Dec | Kind::Money) | Arith::Sub(Kind::Dec | Kind::Money) if d == Dialect::Spark => {
                let sign = if matches!(op, Arith::Add(_)) { "+" } else { "-" };
                format!("(CAST({x} AS DECIMAL(37, 10)) {sign} CAST({y} AS DECIMAL(37, 10)))")
            }
            Arith::Add(_) => format!("({x} + {y})"),
            Arith::Sub(_) => format!("({x} - {y})"),
            // Spark keeps 6 places of a product of decimals past 38 digits (`DECIMAL(38, 10)`
            // times anything is one): compared, shown or summed it is a fraction of whole numbers
            // ([`Compiler::fraction`], [`Compiler::summand`]); elsewhere it would be rounded.
            Arith::Mul(Kind::Dec | Kind::Money) if d == Dialect::Spark && !(self.whole(a) && self.whole(b)) => {
                return no("a product of decimals in Spark other than compared, shown in a message or summed (Spark keeps 6 of its places)");
            }
            // DuckDB types a product of decimals with the sum of its operands' places, and
            // refuses the whole query when that passes 38 ("Needed scale 40"): such a rule is
            // left out rather than the view. In PostgreSQL too, so that the dialects compile
            // the same rules (its `NUMERIC` holds such a product, and one past the engine's 128
            // bits is NULL there: [`Compiler::pg_past_held`]).
            Arith::Mul(Kind::Dec | Kind::Money) if self.duck_places(a) + self.duck_places(b) > DUCK_MAX_SCALE => {
                return no(DUCK_PLACES);
            }
            Arith::Mul(_) => format!("({x} * {y})"),
            Arith::Div(Kind::Duration) => {
                return no(SHOWN_BETWEEN_MICROSECONDS);
            }
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
        self.business_days(x, Count::Known(n), cal)
    }

    /// `x + n business days` in calendar `cal`, for a constant count or one computed in SQL.
    fn business_days(&mut self, x: &CExpr, n: Count<'_>, cal: usize) -> Result<String, Unsupported> {
        let ty = self.ty_of(x);
        let t = self.expr(x, None)?;
        self.calendars.insert(cal);
        let table = self.dialect.ident(TABLE);
        // A date plus a count of 0 is the date itself, worked or not; the SQL below counts from 1.
        if let (Count::Read(k), Some(Ty::Date)) = (n, &ty) {
            let after = self.business_days(x, Count::Positive(k), cal)?;
            return Ok(format!("CASE WHEN {k} = 0 THEN {t} ELSE {after} END"));
        }
        let (k, sign) = match n {
            Count::Known(k) => (k.to_string(), k.signum()),
            Count::Read(k) | Count::Positive(k) => (k.to_string(), 1),
        };
        Ok(match ty {
            Some(Ty::DateTime) if self.lists() => {
                let r = self.receipt_idx(&t, cal);
                super::lookup::work_end(self.dialect, cal, &format!("{r} + {k}"))
            }
            // The end of the n-th working day after the receipt day.
            Some(Ty::DateTime) => {
                let r = self.receipt_idx(&t, cal);
                let c = self.alias();
                format!(
                    "(SELECT MIN({c}.day_end) FROM {table} {c} WHERE {c}.calendar = {cal} AND {c}.working AND {c}.idx = {r} + {k})"
                )
            }
            // The n-th working day strictly after the date (before it for a negative n).
            Some(Ty::Date) if sign == 0 => t,
            Some(Ty::Date) if self.lists() => {
                let idx = super::lookup::day_idx(self.dialect, cal, &t);
                let target = match n {
                    Count::Known(n) if n < 0 => {
                        format!("{idx} - {} + {}", super::lookup::day_worked(self.dialect, cal, &t), n + 1)
                    }
                    _ => format!("{idx} + {k}"),
                };
                super::lookup::work_day(self.dialect, cal, &target)
            }
            Some(Ty::Date) => {
                let (c, c0) = (self.alias(), self.alias());
                let target = match n {
                    Count::Known(n) if n < 0 => format!(
                        "(SELECT MIN({c0}.idx - CASE WHEN {c0}.working THEN 1 ELSE 0 END) FROM {table} {c0} WHERE {c0}.calendar = {cal} AND {c0}.day = {t}) + {}",
                        n + 1
                    ),
                    _ => format!(
                        "(SELECT MIN({c0}.idx) FROM {table} {c0} WHERE {c0}.calendar = {cal} AND {c0}.day = {t}) + {k}"
                    ),
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

    /// Instant `e`, kept as fraction `f` of microseconds since 1970 (moved by a divided duration:
    /// nanoseconds over 1000), as a message value: the microsecond it falls in, written as any
    /// instant is (at the offset written where [`Compiler::written_in_messages`]), with the
    /// nanoseconds past it as three more digits of the fraction of a second where there are any
    /// (`2024-03-01T00:30:00.000000333+01:00`), which the readers of the rows take as the engine's
    /// nanoseconds; NULL where it has no answer.
    fn instant_shown(&mut self, e: &CExpr, f: &Fraction) -> Result<String, Unsupported> {
        let d = self.dialect;
        if !f.positive {
            return no(MOVED_BY_A_FRACTION);
        }
        let off = if self.written_in_messages { self.offset_of(e)? } else { "CAST(0 AS BIGINT)".into() };
        self.aliases += 1;
        let v = format!("u{}", self.aliases);
        let (n, m) = (format!("{v}.n"), format!("{v}.m"));
        // Microseconds toward zero and what is left, then floored (an instant before 1970).
        let q = whole_quotient(d, &n, &m);
        let rest = format!("(({n}) - CAST({q} AS DECIMAL(38, 0)) * ({m}))");
        let below = format!("CASE WHEN {rest} < 0 THEN 1 ELSE 0 END");
        let us = format!("({q} - {below})");
        let nanos = whole_quotient(d, &format!("({rest} + {below} * ({m})) * 1000"), &m);
        let text = d.ty(SqlType::Text);
        let digits = format!("CASE WHEN {nanos} <> 0 THEN lpad(CAST({nanos} AS {text}), 3, '0') ELSE '' END");
        let t = d.from_epoch_us(&us);
        let body = if self.written_in_messages {
            d.written_text_finer(&t, &format!("{v}.o"), &digits)
        } else {
            let utc = d.to_text(&t, SqlType::Timestamp);
            format!("CASE WHEN {n} IS NOT NULL THEN substr({utc}, 1, 26) || {digits} || 'Z' END")
        };
        Ok(d.bind(&v, &[("n", f.num.clone()), ("m", f.den.clone()), ("o", off)], &body))
    }

    /// The offset datetime `e` was written with, in seconds east of UTC, as a SQL whole number:
    /// a field's offset column (NULL there is UTC: docs/warehouse.md), a constant's own, and
    /// through the computations that keep their operand's offset, as the engine keeps it (`+`
    /// and `-` of a duration, business days, months added, `if`, `otherwise`).
    pub fn offset_of(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        self.offsets(e, Offsets::One)
    }

    /// The offsets list of datetimes `e` was written with, element by element, as SQL: a field's
    /// offsets column (an object's in a list: its offsets field beside it), through `if` and
    /// `otherwise`. A NULL list, or a NULL where an offset would be, is UTC
    /// ([`super::tables::offsets_type`]).
    fn list_offsets(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        self.offsets(e, Offsets::List)
    }

    /// [`Compiler::offset_of`] or [`Compiler::list_offsets`], as `want` says.
    fn offsets(&mut self, e: &CExpr, want: Offsets) -> Result<String, Unsupported> {
        let d = self.dialect;
        let of = |ty: &Ty| match want {
            Offsets::One => matches!(ty, Ty::DateTime),
            Offsets::List => matches!(ty, Ty::List(inner) if matches!(**inner, Ty::DateTime)),
        };
        let not_of = || match want {
            Offsets::One => no("the offset of a value that is not a datetime"),
            Offsets::List => no("the offsets of a value that is not a list of datetimes"),
        };
        // A single offset is read as a whole number, UTC where there is none.
        let one = |x: &str| match want {
            Offsets::One => format!("CAST(COALESCE({x}, 0) AS BIGINT)"),
            Offsets::List => x.to_string(),
        };
        let single = want == Offsets::One;
        Ok(match e {
            CExpr::Const(Value::DateTime(_, off)) if single => format!("CAST({off} AS BIGINT)"),
            CExpr::Now if single => match &self.program.evaluation {
                Some(e) => format!("CAST({} AS BIGINT)", e.offset),
                None => return no(super::NO_AS_OF),
            },
            CExpr::Field(Root::Record, steps) if self.group.is_none() => {
                let (_, path, ty) = self.field(steps)?;
                if !of(&ty) {
                    return not_of();
                }
                one(&format!("r.{}", d.ident(&super::tables::offset_column(&path))))
            }
            // A case's opening, deadline or closing: the offset kept with it.
            CExpr::Field(Root::Record, steps) if single => {
                let off = match steps.as_ref() {
                    [slot] => self.group_offsets.iter().find(|(s, _)| s == slot).map(|(_, off)| off.clone()),
                    _ => None,
                };
                let Some(off) = off else { return no("the offset of a group's value other than the least or greatest of datetimes written with offsets the SQL follows") };
                one(&off)
            }
            // A datetime of the opening record in a case's message: carried with its offset.
            CExpr::Field(Root::Var(v), steps) if single && self.opening.as_ref().is_some_and(|o| o.var == *v) => {
                let Some(o) = self.opening.clone() else { return no("the opening record out of its scope") };
                match self.opening_field(&o, steps)? {
                    (_, Ty::DateTime, Some(off)) => one(&off),
                    _ => return not_of(),
                }
            }
            // An element of a list of datetimes, read with its offsets
            // ([`Compiler::each_element`]).
            CExpr::Var(v) | CExpr::Field(Root::Var(v), _)
                if single
                    && (matches!(e, CExpr::Var(_)) || matches!(e, CExpr::Field(_, s) if s.is_empty()))
                    && self.opening.as_ref().is_none_or(|o| o.var != *v) =>
            {
                match self.var_offsets.get(usize::from(*v)).cloned().flatten() {
                    Some(off) => off,
                    None => {
                        self.offset_wanted = Some(*v);
                        return no("the offset of an element of a list of datetimes that is not a field");
                    }
                }
            }
            // A field of an object in a list: its offset field beside it in the struct.
            CExpr::Field(Root::Var(v), steps)
                if !steps.is_empty() && self.opening.as_ref().is_none_or(|o| o.var != *v) =>
            {
                let (parent_steps, last) = steps.split_at(steps.len() - 1);
                let (parent, parent_ty) = self.var_field(*v, parent_steps)?;
                let field = match (&parent_ty, last) {
                    (Ty::Object(shape), [s]) => {
                        self.program.shapes.get(*shape).and_then(|sh| sh.fields.get(usize::from(*s)))
                    }
                    _ => None,
                };
                let Some(field) = field.filter(|f| of(&f.ty)) else { return not_of() };
                let ty = if single { Ty::Int } else { Ty::List(Box::new(Ty::Int)) };
                let Some(x) = d.struct_field(&parent, &super::tables::offset_column(&field.name), &ty) else {
                    return no("the offset of a datetime in a list of objects");
                };
                one(&x)
            }
            // The engine keeps the operand's offset through these, counts read from the record too.
            CExpr::Arith(Arith::Later | Arith::Earlier, x, _)
            | CExpr::AddBusinessDays(x, _, _)
            | CExpr::AddMonths(x, _)
            | CExpr::AddBusinessDaysBy(x, _, _)
            | CExpr::AddMonthsBy(x, _, _)
                if single =>
            {
                self.offset_of(x)?
            }
            CExpr::If(c, a, b) => {
                let c = self.expr(c, None)?;
                let (a, b) = (self.offsets(a, want)?, self.offsets(b, want)?);
                d.case_truth(&c, &a, &b, None)
            }
            CExpr::Otherwise(x, dflt) => {
                let v = self.expr(x, None)?;
                let (a, b) = (self.offsets(x, want)?, self.offsets(dflt, want)?);
                format!("CASE WHEN {v} IS NOT NULL THEN {a} ELSE {b} END")
            }
            _ if single => {
                return no(
                    "the day of a datetime at the offset it was written with, for a datetime that is not a field (a group's, or computed)",
                )
            }
            _ => {
                return no(
                    "a list of datetimes shown in a message that is not a field, `if` or `otherwise` of them (the offsets each was written with are not followed)",
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

    /// A count read from the record (`record.n days`) in its unit, as [`CExpr::Counted`] is
    /// evaluated: NULL (no answer: see [`Compiler::no_answer`]) below 0 or above [`MAX_COUNT`];
    /// business days and months as whole numbers (years as twelve months each), lengths of time
    /// in microseconds.
    fn counted(&mut self, unit: CountUnit, n: &CExpr) -> Result<String, Unsupported> {
        let x = self.expr(n, None)?;
        let per = match unit {
            CountUnit::BusinessDays => Some(1),
            CountUnit::Months(k) => Some(k),
            CountUnit::Seconds(s) => s.checked_mul(1_000_000),
        };
        // Every count held times its unit fits in 64 bits, so the SQL never overflows.
        let Some(per) = per.filter(|p| *p > 0 && p.checked_mul(MAX_COUNT).is_some()) else {
            return no("a count read from the record in a unit too long to count in microseconds");
        };
        let times = if per == 1 { String::new() } else { format!(" * CAST({per} AS BIGINT)") };
        Ok(format!("CASE WHEN {x} BETWEEN 0 AND {MAX_COUNT} THEN {x}{times} END"))
    }

    /// `x + m months` (`x - m months` when `sub`) for a count of months `m` computed in SQL (read
    /// from the record, or a constant's size): the condition under which the engine has an answer (`m` from 0 to
    /// [`MAX_COUNT`], the date moved to still one it holds) and the date or datetime moved, which
    /// is read only under that condition.
    fn months_by(&mut self, x: &CExpr, m: &CExpr, sub: bool) -> Result<(String, String), Unsupported> {
        let d = self.dialect;
        let ty = self.ty_of(x);
        let count = self.expr(m, None)?;
        let signed = if sub { format!("(-{count})") } else { count.clone() };
        let day = match ty {
            Some(Ty::Date) => self.expr(x, None)?,
            Some(Ty::DateTime) => self.written_day(x)?,
            _ => return no("months added to a value whose type cannot be told"),
        };
        let (lo, hi) = MONTHS_HELD;
        let month =
            format!("(CAST(EXTRACT(YEAR FROM {day}) AS BIGINT) * 12 + CAST(EXTRACT(MONTH FROM {day}) AS BIGINT) - 1)");
        let counted = format!("({count} BETWEEN 0 AND {MAX_COUNT} AND {month} + {signed} BETWEEN {lo} AND {hi})");
        let moved = d.add_months_by(&day, &signed);
        if !matches!(ty, Some(Ty::DateTime)) {
            return Ok((counted, moved));
        }
        // The local day moves; the wall-clock time and offset stay, so the instant moves by whole
        // days of 24 hours, and must still be one the engine holds.
        let t = self.expr(x, None)?;
        let us = format!("{} + {} * {DAY_US}", d.epoch_us(&t), d.days_between(&moved, &day));
        let (lo, hi) = instants_held();
        let held = format!("CASE WHEN {counted} THEN {us} BETWEEN {lo} AND {hi} ELSE FALSE END");
        Ok((held, d.from_epoch_us(&us)))
    }

    /// For a date or datetime moved by a duration (`x + d`, `x - d`: `op`), with `x` and `d` as
    /// SQL: the condition under which the engine has an answer (the date or instant reached is one
    /// it holds), and the value reached; `None` for any other operation.
    fn moved_in_time(&self, op: Arith, x: &str, y: &str) -> Option<(String, String)> {
        let d = self.dialect;
        let (lo, hi) = instants_held();
        let days = d.int_div(y, &DAY_US.to_string());
        let epoch_day = d.days_between(x, "DATE '1970-01-01'");
        let (dlo, dhi) = DAYS_HELD;
        Some(match op {
            Arith::Later | Arith::Earlier => {
                let sign = if op == Arith::Later { "+" } else { "-" };
                let us = format!("{} {sign} {y}", d.epoch_us(x));
                (format!("({us} BETWEEN {lo} AND {hi})"), d.from_epoch_us(&us))
            }
            Arith::DateLater => (format!("({epoch_day} + {days} BETWEEN {dlo} AND {dhi})"), d.add_days(x, &days)),
            Arith::DateEarlier => {
                (format!("({epoch_day} - {days} BETWEEN {dlo} AND {dhi})"), d.add_days(x, &format!("-{days}")))
            }
            _ => return None,
        })
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
        if !has_no_answer(self.dialect, e) {
            return Ok(blame);
        }
        let (n, culprit) = (self.no_answer(e)?, self.culprit(e)?);
        Ok(format!("COALESCE(CASE WHEN {n} THEN {culprit} END, {blame})"))
    }

    /// Whether `e` may have no answer in the engine: [`has_no_answer`], or, in a group's
    /// `require` or message, it reads an aggregate that may have none
    /// ([`Compiler::group_unanswered`]).
    fn lacks_answer(&self, e: &CExpr) -> bool {
        has_no_answer(self.dialect, e) || self.reads_unanswered_slot(e)
    }

    /// Whether `e`, in a group's `require` or message, reads an aggregate that may have no answer
    /// ([`Compiler::group_unanswered`]).
    fn reads_unanswered_slot(&self, e: &CExpr) -> bool {
        fn reads(e: &CExpr, slots: &[(u16, String, String)]) -> bool {
            matches!(e, CExpr::Field(Root::Record, steps) if matches!(steps.as_ref(), [s] if slots.iter().any(|(x, ..)| x == s)))
                || e.children().any(|c| reads(c, slots))
        }
        self.group.is_some() && reads(e, &self.group_unanswered)
    }

    /// The entry of [`Compiler::group_unanswered`] of `e` where it is a group's slot.
    fn unanswered_slot(&self, e: &CExpr) -> Option<&(u16, String, String)> {
        match e {
            CExpr::Field(Root::Record, steps) if self.group.is_some() => match steps.as_ref() {
                [slot] => self.group_unanswered.iter().find(|(s, ..)| s == slot),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether `e` has no answer in the engine (a division by zero below it, which decides it), as
    /// a SQL condition that is never unknown.
    pub(super) fn no_answer(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        if !self.lacks_answer(e) {
            return Ok("FALSE".into());
        }
        let d = self.dialect;
        Ok(match e {
            // A group's aggregate, told by the group's row.
            CExpr::Field(Root::Record, _) if self.group.is_some() => {
                self.unanswered_slot(e).map_or("FALSE".into(), |(_, n, _)| n.clone())
            }
            // A count read from the record below 0 or above the engine's limit.
            CExpr::Counted(_, n) => {
                let (nn, x) = (self.no_answer(n)?, self.expr(n, None)?);
                format!("({nn} OR ({x} IS NOT NULL AND NOT ({x} BETWEEN 0 AND {MAX_COUNT})))")
            }
            CExpr::AddBusinessDaysBy(x, n, _) => {
                let (nx, nn) = (self.no_answer(x)?, self.no_answer(n)?);
                let (xs, ns) = (self.expr(x, None)?, self.expr(n, None)?);
                format!("({nx} OR {nn} OR ({xs} IS NOT NULL AND {ns} IS NOT NULL AND NOT ({ns} BETWEEN 0 AND {MAX_COUNT})))")
            }
            CExpr::AddMonthsBy(x, m, sub) => {
                let (nx, nm) = (self.no_answer(x)?, self.no_answer(m)?);
                let (xs, ms) = (self.expr(x, None)?, self.expr(m, None)?);
                let (held, _) = self.months_by(x, m, *sub)?;
                format!("({nx} OR {nm} OR ({xs} IS NOT NULL AND {ms} IS NOT NULL AND NOT ({held})))")
            }
            CExpr::AddMonths(x, n) => {
                let (nx, xs) = (self.no_answer(x)?, self.expr(x, None)?);
                let (held, _) = self.months_by(x, &months(*n), *n < 0)?;
                format!("({nx} OR ({xs} IS NOT NULL AND NOT ({held})))")
            }
            // A date or instant moved past the last one the engine holds.
            CExpr::Arith(op @ (Arith::Later | Arith::Earlier | Arith::DateLater | Arith::DateEarlier), a, b) => {
                let (na, nb) = (self.no_answer(a)?, self.no_answer(b)?);
                // By a divided duration, or an instant moved by one: told from the fractions.
                let moved = match op {
                    Arith::Later | Arith::Earlier => {
                        self.moved_fraction(*op, a, b)?.map(|(both, held, _)| (both, held))
                    }
                    _ => self.date_moved_fraction(*op, a, b)?.map(|(both, _, held)| (both, held)),
                };
                if let Some((both, held)) = moved {
                    return Ok(format!("({na} OR {nb} OR ({both} AND NOT {held}))"));
                }
                let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
                let held = self.moved_in_time(*op, &x, &y).map_or_else(|| "TRUE".to_string(), |(h, _)| h);
                format!("({na} OR {nb} OR ({x} IS NOT NULL AND {y} IS NOT NULL AND NOT {held}))")
            }
            // In PostgreSQL, whose `NUMERIC` has no bound, a result past the engine's 128 bits.
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_) | Arith::Mul(_), a, b)
                if d == Dialect::Postgres && pg_may_pass_held(e) =>
            {
                let (na, nb, past) = (self.no_answer(a)?, self.no_answer(b)?, self.pg_past_held(e)?);
                format!("({na} OR {nb} OR {past})")
            }
            // Overflow stops the query with the database's error (docs/warehouse.md, "Limits").
            CExpr::Arith(Arith::Add(_) | Arith::Sub(_) | Arith::Mul(_) | Arith::Elapsed | Arith::DaysBetween, a, b)
            | CExpr::Text(_, a, b)
            | CExpr::InList(_, a, b, _) => format!("({} OR {})", self.no_answer(a)?, self.no_answer(b)?),
            CExpr::Neg(_, x)
            | CExpr::Present(x, _)
            | CExpr::EnumText(_, x)
            | CExpr::Matches(x, _)
            | CExpr::InSet(_, x, _, _)
            | CExpr::DatePart(_, _, x) => self.no_answer(x)?,
            // Past the calendar the engine has no answer either, which the SQL does not follow
            // (an operand's lack of one it does): see "The calendar table" in docs/warehouse.md.
            CExpr::AddBusinessDays(x, _, _) => self.no_answer(x)?,
            CExpr::BusinessBetween(a, b, _) => format!("({} OR {})", self.no_answer(a)?, self.no_answer(b)?),
            // Only the branch taken counts; an unknown condition passes on its own lack of answer.
            CExpr::If(c, a, b) => {
                let (nc, na, nb) = (self.no_answer(c)?, self.no_answer(a)?, self.no_answer(b)?);
                let c = self.expr(c, None)?;
                format!("({})", d.case_truth(&c, &na, &nb, Some(&nc)))
            }
            // The default is read only for a missing value, never for one with no answer.
            CExpr::Otherwise(x, dflt) => {
                let (nx, nd) = (self.no_answer(x)?, self.no_answer(dflt)?);
                let xs = self.expr(x, None)?;
                format!("({nx} OR ({xs} IS NULL AND {nd}))")
            }
            CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
                let (na, nb) = (self.no_answer(a)?, self.no_answer(b)?);
                // An operand that is itself a quotient has a value when both its parts have one,
                // and is zero when its numerator is (its denominator is not: `nb` says so).
                let (x, y) = (self.fraction(a)?, self.fraction(b)?);
                let present = |c: &mut Self, f: Option<Fraction>, e: &CExpr| -> Result<String, Unsupported> {
                    Ok(match f {
                        Some(f) => format!("({} IS NOT NULL AND {} IS NOT NULL)", f.num, f.den),
                        None => format!("{} IS NOT NULL", c.expr(e, None)?),
                    })
                };
                let zero = match &y {
                    Some(f) => format!("({}) = 0", f.num),
                    None => format!("{} = 0", self.expr(b, None)?),
                };
                let (px, py) = (present(self, x, a)?, present(self, y, b)?);
                // (In PostgreSQL, also a quotient past the engine's 128 bits.)
                let past =
                    if d == Dialect::Postgres { format!(" OR {}", self.pg_past_held(e)?) } else { String::new() };
                format!("({na} OR {nb} OR ({px} AND {py} AND {zero}){past})")
            }
            CExpr::Arith(Arith::Div(Kind::Duration), a, b) => {
                let (na, nb) = (self.no_answer(a)?, self.no_answer(b)?);
                let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
                let held = duration_divisor_held(&y);
                format!("({na} OR {nb} OR ({x} IS NOT NULL AND {y} IS NOT NULL AND NOT {held}))")
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
            // A question about staff and roles: the first argument with no answer, in order,
            // before any missing one (a `may` amount, its third, may be missing), as the engine
            // asks it.
            CExpr::Scope(f, args) => {
                let amount = matches!(f, crate::engine::program::ScopeFn::May { amount: true, .. });
                let mut arms = String::new();
                for (i, a) in args.iter().enumerate() {
                    let (n, x) = (self.no_answer(a)?, self.expr(a, None)?);
                    if n != "FALSE" {
                        arms.push_str(&format!("WHEN {n} THEN TRUE "));
                    }
                    if !(amount && i == 2) {
                        arms.push_str(&format!("WHEN {x} IS NULL THEN FALSE "));
                    }
                }
                format!("(CASE {arms}ELSE FALSE END)")
            }
            CExpr::Quant(q, var, list, body) => self.elements_no_answer(Some(*q), *var, list, body)?,
            CExpr::Count(list, Some((var, body))) => self.elements_no_answer(None, *var, list, body)?,
            // A function asked of a value with none has none, whatever its other arguments (no
            // answer wins over a missing one), as the engine calls it.
            CExpr::Call(_, args) => {
                let mut arms = Vec::new();
                for a in args {
                    arms.push(self.no_answer(a)?);
                }
                if arms.is_empty() {
                    "FALSE".to_string()
                } else {
                    format!("({})", arms.join(" OR "))
                }
            }
            _ => return no(NO_ANSWER_INSIDE),
        })
    }

    /// [`Compiler::no_answer`] of quantifier `q` (`None`: a count) over `list`: one no element
    /// decided, with an element whose condition has no answer (a missing one never hides it), as
    /// the engine leaves it open; a count with such an element, whatever the others.
    fn elements_no_answer(
        &mut self,
        q: Option<Quant>,
        var: u8,
        list: &CExpr,
        body: &CExpr,
    ) -> Result<String, Unsupported> {
        let d = self.dialect;
        let nl = self.no_answer(list)?;
        let (el, (cond, nb)) =
            self.each_element(var, list, false, |c| Ok((c.expr(body, None)?, c.no_answer(body)?)))?;
        let some = d.is_true(&d.any(&el.list, el.jsonb, &el.alias, &nb));
        let decisive = match q {
            Some(Quant::All) => d.is_false(&cond),
            Some(Quant::Any | Quant::None) => d.is_true(&cond),
            None => return Ok(format!("({nl} OR {some})")),
        };
        let decided = d.is_true(&d.any(&el.list, el.jsonb, &el.alias, &decisive));
        Ok(format!("({nl} OR ({some} AND NOT {decided}))"))
    }

    /// Why `e` has no answer where it has none (the engine's words, as SQL text), NULL where it has
    /// one; `None` when it always has one.
    pub(crate) fn no_answer_why(&mut self, e: &CExpr) -> Result<Option<String>, Unsupported> {
        if !has_no_answer(self.dialect, e) {
            return Ok(None);
        }
        let (n, why) = (self.no_answer(e)?, self.why(e)?);
        Ok(Some(format!("CASE WHEN {n} THEN {why} END")))
    }

    /// In PostgreSQL, SQL true where `e`, a sum, difference, product or quotient of numbers or
    /// money, has a value whose lowest terms pass the engine's 128 bits (it has no answer there;
    /// `NUMERIC`, of no bound, holds it): a quotient's fraction in lowest terms
    /// ([`over_field::past_held`]), else the decimal's ([`over_field::HELD_FN`]); never unknown.
    fn pg_past_held(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        Ok(match self.fraction_raw(e)? {
            Some(f) => over_field::past_held(Dialect::Postgres, &over_field::pg_pair(&f.num, &f.den))
                .unwrap_or_else(|| "FALSE".into()),
            None => {
                let CExpr::Arith(op, a, b) = e else { return Ok("FALSE".into()) };
                format!("COALESCE(NOT {}({}), FALSE)", over_field::HELD_FN, self.arith_raw(*op, a, b)?)
            }
        })
    }

    /// Why `e` has no answer, given that it has none, as the engine words it in a value it shows
    /// (`division by zero`: [`crate::engine::value::Why`]), as SQL text: the first operand with
    /// none (only the branch taken, under `if`; an operand's lack of an answer passes up before a
    /// missing one), down to the computation whose operands all had answers.
    fn why(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        use crate::engine::value::Why;
        if !self.lacks_answer(e) {
            return Ok("NULL".into());
        }
        // A group's aggregate: the reason its row carries.
        if let Some((_, _, why)) = self.unanswered_slot(e) {
            return Ok(why.clone());
        }
        let d = self.dialect;
        let text = |w: Why| d.text(w.as_str());
        // In PostgreSQL, where nothing in `e` but a value past 128 bits lacks an answer, that is
        // why, wherever it is: not looked for operand by operand, whose conditions written out
        // at every level made the SQL grow with the cube of the nesting.
        if d == Dialect::Postgres && !has_no_answer(Dialect::DuckDb, e) && !self.reads_unanswered_slot(e) {
            return Ok(text(Why::Overflow));
        }
        match e {
            // The first element whose condition has none, in list order, as the engine keeps it.
            CExpr::Quant(_, var, list, body) | CExpr::Count(list, Some((var, body))) => {
                return self.first_unanswered(*var, list, body, false, Self::why);
            }
            CExpr::Count(..) => return no(NO_ANSWER_INSIDE),
            CExpr::If(c, a, b) => {
                let (wc, wa, wb) = (self.why(c)?, self.why(a)?, self.why(b)?);
                let c = self.expr(c, None)?;
                return Ok(d.case_truth(&c, &wa, &wb, Some(&wc)));
            }
            _ => {}
        }
        let own = match e {
            CExpr::Arith(Arith::Div(Kind::Duration), _, b) => {
                let y = self.expr(b, None)?;
                format!("CASE WHEN {y} = 0 THEN {} ELSE {} END", text(Why::DivisionByZero), text(Why::Overflow))
            }
            // (In PostgreSQL a quotient past the engine's 128 bits overflows.)
            CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, _, _) if d == Dialect::Postgres => {
                format!(
                    "CASE WHEN {} THEN {} ELSE {} END",
                    self.pg_past_held(e)?,
                    text(Why::Overflow),
                    text(Why::DivisionByZero)
                )
            }
            CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, _, _) => text(Why::DivisionByZero),
            _ if d == Dialect::Postgres && pg_may_pass_held(e) => text(Why::Overflow),
            CExpr::Counted(..) | CExpr::AddBusinessDaysBy(..) => text(Why::BadCount),
            // Months read from the record: a count out of range, else the date reached out of
            // the range held ([`Compiler::months_by`]), as the engine tells them.
            CExpr::AddMonthsBy(_, m, _) => {
                let ms = self.expr(m, None)?;
                format!(
                    "CASE WHEN {ms} BETWEEN 0 AND {MAX_COUNT} THEN {} ELSE {} END",
                    text(Why::OutOfRange),
                    text(Why::BadCount)
                )
            }
            CExpr::Arith(Arith::Later | Arith::Earlier | Arith::DateLater | Arith::DateEarlier, _, _)
            | CExpr::AddMonths(..) => text(Why::OutOfRange),
            _ => "NULL".into(),
        };
        let mut arms = String::new();
        for x in e.children() {
            let n = self.no_answer(x)?;
            if n != "FALSE" {
                arms.push_str(&format!("WHEN {n} THEN {} ", self.why(x)?));
            }
        }
        Ok(if arms.is_empty() { own } else { format!("CASE {arms}ELSE {own} END") })
    }

    /// What `of` (why, or where from) gives of a quantifier or count over `list` that has no
    /// answer: of the list, when it has none, else of condition `body` in the first element
    /// whose condition has none, in list order (with `paths`, the variable standing for that
    /// element's path), as [`crate::engine::unanswered`] walks it.
    fn first_unanswered(
        &mut self,
        var: u8,
        list: &CExpr,
        body: &CExpr,
        paths: bool,
        of: fn(&mut Self, &CExpr) -> Result<String, Unsupported>,
    ) -> Result<String, Unsupported> {
        if self.no_answer(list)? != "FALSE" {
            return of(self, list);
        }
        let (el, (got, nb)) = self.each_element(var, list, paths, |c| Ok((of(c, body)?, c.no_answer(body)?)))?;
        let d = self.dialect;
        Ok(d.first_element(&el.list, el.jsonb, &el.alias, &got, &d.is_true(&nb)))
    }

    /// Where `e`'s lack of an answer comes from, given that it has none, as
    /// [`crate::engine::unanswered`] finds it: the first operand with none (only the branch
    /// taken, under `if`), down to the computation whose operands all had answers, which blames
    /// the divisor (else the dividend) of a division by zero when it is a field, and otherwise the
    /// first field it reads; NULL when there is none.
    fn culprit(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        // A field read directly (through a conversion to decimal): a quantifier's variable stands
        // for its element (`actions[2].qty`).
        fn field(c: &Compiler<'_>, x: &CExpr) -> Result<Option<String>, Unsupported> {
            match x {
                CExpr::Field(Root::Record, steps) => Ok(Some(c.dialect.text(&c.field(steps)?.1))),
                CExpr::Field(Root::Var(_), _) | CExpr::Var(_) => first_path(c, x),
                CExpr::ToDec(inner) => field(c, inner),
                _ => Ok(None),
            }
        }
        if !has_no_answer(self.dialect, e) {
            return Ok("NULL".into());
        }
        let d = self.dialect;
        // In PostgreSQL, arithmetic whose only lack of an answer is a value past 128 bits: the
        // first such computation in the order the engine's walk reaches it (after its operands,
        // left before right), each tested once, so the SQL grows with the square of the nesting
        // rather than its cube (asking each operand's own condition at every level).
        let mut nodes = Vec::new();
        if d == Dialect::Postgres && pg_arith_nodes(e, &mut nodes) {
            let mut arms = String::new();
            for n in nodes {
                let path = origin_path(self, n)?.unwrap_or_else(|| "NULL".into());
                arms.push_str(&format!("WHEN {} THEN {path} ", self.pg_past_held(n)?));
            }
            return Ok(format!("CASE {arms}END"));
        }
        match e {
            // Within the first element whose condition has none, the element standing for the
            // variable (`actions[2].amount`), as the engine walks it.
            CExpr::Quant(_, var, list, body) | CExpr::Count(list, Some((var, body))) => {
                return self.first_unanswered(*var, list, body, true, Self::culprit);
            }
            CExpr::Count(..) => return no(NO_ANSWER_INSIDE),
            CExpr::If(c, a, b) => {
                let (cc, ca, cb) = (self.culprit(c)?, self.culprit(a)?, self.culprit(b)?);
                let c = self.expr(c, None)?;
                return Ok(d.case_truth(&c, &ca, &cb, Some(&cc)));
            }
            _ => {}
        }
        let own = match e {
            // A divisor outside 32 bits overflows: the first field read is blamed, as for any
            // overflow; a zero divisor is a division by zero.
            CExpr::Arith(Arith::Div(Kind::Duration), a, b) => {
                let zero = field(self, b)?.or(field(self, a)?).unwrap_or_else(|| "NULL".into());
                let first = origin_path(self, e)?.unwrap_or_else(|| "NULL".into());
                let y = self.expr(b, None)?;
                format!("CASE WHEN {y} = 0 THEN {zero} ELSE {first} END")
            }
            CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, a, b) => {
                let zero = field(self, b)?.or(field(self, a)?).unwrap_or_else(|| "NULL".into());
                if d == Dialect::Postgres {
                    // A quotient past the engine's 128 bits overflows: the first field read.
                    let first = origin_path(self, e)?.unwrap_or_else(|| "NULL".into());
                    format!("CASE WHEN {} THEN {first} ELSE {zero} END", self.pg_past_held(e)?)
                } else {
                    zero
                }
            }
            _ => origin_path(self, e)?.unwrap_or_else(|| "NULL".into()),
        };
        let mut arms = String::new();
        for x in e.children() {
            let n = self.no_answer(x)?;
            if n != "FALSE" {
                arms.push_str(&format!("WHEN {n} THEN {} ", self.culprit(x)?));
            }
        }
        Ok(if arms.is_empty() { own } else { format!("CASE {arms}ELSE {own} END") })
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
                d.case_truth(&c, &ba, &bb, Some(&bc))
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
        let d = self.dialect;
        let (e, (inner, bad)) = self.each_element(var, list, true, |c| {
            let cond = c.expr(body, None)?;
            Ok(match q {
                Quant::None => (c.first_field(body)?, d.is_true(&cond)),
                _ => (c.blame(body)?, format!("NOT {}", d.is_true(&cond))),
            })
        })?;
        let sel = format!("COALESCE({inner}, {})", e.path);
        let first = d.first_element(&e.list, e.jsonb, &e.alias, &sel, &bad);
        Ok(format!("COALESCE({first}, {})", e.list_path))
    }

    /// The first field `e` reads (in the order [`crate::engine::blame`] searches), as a SQL text
    /// expression, or `NULL`.
    fn first_field(&self, e: &CExpr) -> Result<String, Unsupported> {
        Ok(first_path(self, e)?.unwrap_or_else(|| "NULL".to_string()))
    }

    /// A message part as its value's text, or `None` for literal text.
    pub fn message_value(&mut self, part: &MsgPart) -> Result<Option<String>, Unsupported> {
        let Some(e) = part_expr(part) else { return self.message_text(part) };
        let Some(unread) = self.opening_unread(e)? else { return self.message_text(part) };
        let Some(shown) = self.message_text(part)? else { return Ok(None) };
        let d = self.dialect;
        let unreadable = d.text("(unreadable)");
        let unreadable = match part {
            MsgPart::Redacted(..) => d.redacted(&unreadable),
            _ => unreadable,
        };
        Ok(Some(format!("CASE WHEN {unread} THEN {unreadable} ELSE {shown} END")))
    }

    /// Where a message's value `e` reads a field of a case's opening record whose value may not
    /// have converted (`check --engine duckdb`): the column telling that it did not, when `e` is
    /// then `(unreadable)` as the engine shows it. That is so when `e` reads that one field and
    /// constants, through operators that keep an unreadable operand's unknown (arithmetic,
    /// comparisons, functions, the left of `otherwise`); other readings leave the rule out.
    fn opening_unread(&self, e: &CExpr) -> Result<Option<String>, Unsupported> {
        let Some(o) = self.opening.as_ref().filter(|o| !o.unread.is_empty()) else { return Ok(None) };
        // Every value `e` reads: of the opening record, and any other (the case's times, a
        // quantifier's variable), which might be missing where the opening's is unreadable.
        let (mut opening, mut others) = (Vec::new(), 0usize);
        let mut todo = vec![e];
        while let Some(x) = todo.pop() {
            match x {
                CExpr::Field(Root::Var(v), steps) if *v == o.var => opening.push(steps.first().copied()),
                CExpr::Field(..) | CExpr::Var(_) | CExpr::Scope(..) => others += 1,
                _ => {}
            }
            todo.extend(x.children());
        }
        let (0, [Some(slot)]) = (others, opening.as_slice()) else {
            return match opening.is_empty() {
                true => Ok(None),
                false => no(UNREADABLE_OPENING),
            };
        };
        if !keeps_unreadable(self.dialect, e, o.var) {
            return no(UNREADABLE_OPENING);
        }
        Ok(o.unread.iter().find(|(s, _)| s == slot).map(|(_, col)| col.clone()))
    }

    /// The text `check` shows for quotient `e` of type `ty` (a decimal or money), its fraction
    /// `f`: the digits of the exact value where its expansion ends, else rounded and marked `≈`
    /// ([`super::quotient`]), what a redacted quotient, average or share is hashed from.
    fn quotient_text(&mut self, e: &CExpr, f: Fraction, ty: &Ty) -> Result<String, Unsupported> {
        let d = self.dialect;
        if d == Dialect::DuckDb && nests_quotients(e) && (quotients(e) > 2 || self.adds_places(e)) {
            return no(DEEP_QUOTIENTS);
        }
        if self.fine_quotients_overflow(&[e]) {
            return no(FINE_QUOTIENTS);
        }
        let (num, den) = f.flat().texts(d);
        // As `crate::engine::format` writes a decimal (10 places) and an amount (its currency's
        // smallest unit, 10 places for one without).
        let (min, places) = match ty {
            Ty::Money(c) => match crate::engine::types::minor_units(*c) {
                Some(p) => (p, p),
                None => (0, 10),
            },
            _ => (0, 10),
        };
        Ok(super::quotient::text(d, &num, &den, super::quotient::Shown { min, places, sig: places.max(1) }))
    }

    /// The text `check` shows for share `e` as a percentage (`20%`, `≈33.3%`): its exact value
    /// times 100, to one place where the expansion does not end ([`crate::engine::format::percent`]).
    fn percent_text(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let d = self.dialect;
        // A share's numerator and denominator are counts, so a hundred times it never passes
        // the engine's 128 bits, past which it would show the fraction itself.
        let Some(mut f) = self.ratio(e).map(Fraction::flat) else {
            return no("a redacted percentage of a value other than a share");
        };
        f.num = format!("({}) * 100", f.num);
        let (num, den) = f.texts(d);
        let shown = super::quotient::text(d, &num, &den, super::quotient::Shown { min: 0, places: 1, sig: 1 });
        Ok(format!("({shown} || '%')"))
    }

    /// [`Compiler::message_value`] as the SQL alone has it, where a value of the opening record
    /// that did not convert is NULL.
    fn message_text(&mut self, part: &MsgPart) -> Result<Option<String>, Unsupported> {
        let d = self.dialect;
        if let MsgPart::Hole(CExpr::Field(Root::Record, steps), _) = part {
            let day = match steps.as_ref() {
                [slot] => self.whole_days.iter().find(|(s, _)| s == slot).map(|(_, day)| day.clone()),
                _ => None,
            };
            if let Some(day) = day {
                let days = std::mem::take(&mut self.whole_days);
                let instant = self.message_value(part);
                self.whole_days = days;
                let Some(instant) = instant? else { return Ok(None) };
                return Ok(Some(format!("COALESCE({}, {instant})", d.to_text(&day, SqlType::Date))));
            }
        }
        // A duration divided, shown as the engine's duration is read in microseconds: truncated
        // toward zero, which is the whole-number quotient of the microseconds.
        if let MsgPart::Hole(CExpr::Arith(Arith::Div(Kind::Duration), a, b), Ty::Duration) = part {
            let (x, y) = (self.expr(a, None)?, self.expr(b, None)?);
            let q = format!(
                "CASE WHEN {} THEN {} END",
                duration_divisor_held(&y),
                d.int_div(&x, &format!("NULLIF({y}, 0)"))
            );
            return Ok(Some(d.to_text(&q, SqlType::Int)));
        }
        // A duration computed from a divided one (`record.waited / 3 + 1h`), a fraction of a
        // microsecond, shown as the engine's is read in microseconds: truncated toward zero.
        if let MsgPart::Hole(e, Ty::Duration) = part {
            if let Some(f) = self.fraction(e)?.map(Fraction::flat) {
                if !f.positive {
                    return no(MOVED_BY_A_FRACTION);
                }
                return Ok(Some(d.to_text(&whole_quotient(d, &f.num, &f.den), SqlType::Int)));
            }
        }
        // An instant moved by a divided duration may fall between microseconds: shown with its
        // nanoseconds, as the engine shows it.
        if let MsgPart::Hole(e, Ty::DateTime) = part {
            if let Some(f) = self.fraction(e)?.map(Fraction::flat) {
                return self.instant_shown(e, &f).map(Some);
            }
        }
        if let MsgPart::Hole(e, _) | MsgPart::Percent(e) = part {
            if let Some(f) = self.ratio(e).map(Fraction::flat) {
                // Exact, as the engine keeps it: `3/40`.
                let (n, den) = f.texts(d);
                return Ok(Some(format!("CASE WHEN ({}) <> 0 THEN ({n} || '/' || {den}) END", f.den)));
            }
            if self.dialect == Dialect::DuckDb && nests_quotients(e) && (quotients(e) > 2 || self.adds_places(e)) {
                return no(DEEP_QUOTIENTS);
            }
            if self.fine_quotients_overflow(&[e]) {
                return no(FINE_QUOTIENTS);
            }
            if let Some(f) = self.fraction(e)?.map(Fraction::flat) {
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
            MsgPart::Hole(e, Ty::List(inner)) => self.list_shown(e, inner)?,
            MsgPart::Hole(e, Ty::Object(_)) => self.object_shown(e)?,
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
            // A computation that divides or reads a count from the record may have no answer,
            // which the engine shows (and hashes) as `(no answer: division by zero)`: told from
            // missing as `is present` tells it ([`Compiler::no_answer`]). Other computations fail
            // only where the SQL stops with the database's error (an overflow: "Limits"), as a
            // hole that is not redacted.
            MsgPart::Redacted(e, how) => {
                // A share as a percentage (`≈33.3%`), a group's period as the key shows it
                // (`2024-03`), anything else as its type shows it.
                let ty = match how {
                    HiddenAs::Value(ty) => ty,
                    HiddenAs::Percent | HiddenAs::Period(_) => &Ty::Dec,
                };
                // A product of two decimals is shown from its 20 places (below); one of three
                // may have 30, more than the SQL's decimals hold.
                let fine = d != Dialect::Spark
                    && matches!(how, HiddenAs::Value(Ty::Dec | Ty::Money(_)))
                    && (self.multiplies_places(e) || self.reads_fine_slot(e));
                if fine && self.decimal_factors(e) > 2 {
                    return no("a redacted product of three decimals (it may have more than 20 places, more than the SQL's decimals hold)");
                }
                let failed = if self.lacks_answer(e) {
                    let (n, why) = (self.no_answer(e)?, self.why(e)?);
                    Some(format!("WHEN {n} THEN {} || {why} || ')'", d.text("(no answer: ")))
                } else {
                    None
                };
                let shown = match (how, ty) {
                    (HiddenAs::Percent, _) => self.percent_text(e)?,
                    (HiddenAs::Period(unit), _) => super::group::period_text(d, *unit, &self.expr(e, None)?),
                    (_, Ty::Text) => d.clipped(&self.expr(e, None)?, crate::text::MAX_QUOTED),
                    (_, Ty::Enum(id)) => self.expr(e, Some(*id))?,
                    (_, Ty::Int) => d.to_text(&self.expr(e, None)?, SqlType::Int),
                    (_, Ty::Bool) => d.to_text(&self.expr(e, None)?, SqlType::Bool),
                    (_, Ty::Date) => d.to_text(&self.expr(e, None)?, SqlType::Date),
                    (_, Ty::Dec | Ty::Money(_)) => {
                        let min = match ty {
                            Ty::Money(c) => crate::engine::types::minor_units(*c).unwrap_or(0),
                            _ => 0,
                        };
                        // In Spark, decimal arithmetic (and a sum of it: [`Compiler::summand`])
                        // is shown from the whole number of its places, as Spark would round a
                        // product; a value that divides is shown from its exact fraction.
                        let divides = self.value_divides(e);
                        let spark = d == Dialect::Spark && !divides;
                        let digits = match if spark || divides { self.fraction(e)? } else { None } {
                            Some(f) if divides => self.quotient_text(e, f, ty)?,
                            Some(f) => {
                                let f = self.integral(f)?;
                                scaled_text(d, &f.num, f.scale, min)
                            }
                            // DuckDB's and PostgreSQL's own exact product, at its 20 places.
                            None if fine => super::group::decimal_text(d, &self.expr(e, None)?, min, FINE_KEY_PLACES),
                            None => exact_text(d, &self.expr(e, None)?, min),
                        };
                        match ty {
                            Ty::Money(c) => format!("({digits} || {})", d.text(&format!(" {c}"))),
                            _ => digits,
                        }
                    }
                    // A duration computed from a divided one: its whole microseconds toward
                    // zero, whose whole seconds (toward zero) are the engine's.
                    (_, Ty::Duration) => match self.fraction(e)?.map(Fraction::flat) {
                        Some(f) if f.positive => duration_text(d, &whole_quotient(d, &f.num, &f.den)),
                        Some(_) => return no(MOVED_BY_A_FRACTION),
                        None => duration_text(d, &self.expr(e, None)?),
                    },
                    // At the offset it was written with, whatever the rule's calendar, as the
                    // engine hashes it: `2024-03-01T09:00:00.5+01:00`.
                    (_, Ty::DateTime) => {
                        let (t, off) = (self.expr(e, None)?, self.offset_of(e)?);
                        d.shown_at_offset(&t, &off)
                    }
                    // As shown unredacted, then hashed: `[a, b]`, `(object)`.
                    (_, Ty::List(inner)) => self.list_shown(e, inner)?,
                    (_, Ty::Object(_)) => self.object_shown(e)?,
                    (_, _) => return no("a redacted value of this type shown in a message"),
                };
                let shown = format!("COALESCE({shown}, '(missing)')");
                d.redacted(&match failed {
                    Some(arm) => format!("CASE {arm} ELSE {shown} END"),
                    None => shown,
                })
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

/// Whether whole number `y` (SQL) is a divisor the engine divides a duration by: not zero, and
/// within 32 bits (`SignedDuration::checked_div` takes an `i32`).
fn duration_divisor_held(y: &str) -> String {
    format!("(({y}) <> 0 AND ({y}) BETWEEN -2147483648 AND 2147483647)")
}

/// Decimal `x` (`DECIMAL(38, 10)` or narrower) times 10^10, exactly, as a whole `DECIMAL(38, 0)`, in
/// Spark. Multiplying it by 10^10 would not do: Spark types that product past 38 digits and keeps
/// 6 of its places. So the whole part below it (`FLOOR`, no places) and the places above that
/// (`x % 1` has Spark's type of 10 places and one digit, made 0 or more) are scaled apart. NULL
/// stays NULL.
fn spark_unscaled(x: &str) -> String {
    const TEN_TO_TEN: &str = "CAST(10000000000 AS DECIMAL(38, 0))";
    let x = format!("CAST({x} AS DECIMAL(38, 10))");
    format!(
        "(CAST(FLOOR({x}) AS DECIMAL(38, 0)) * {TEN_TO_TEN} + CAST(CAST(((({x}) % 1) + 1) % 1 AS DECIMAL(11, 10)) * CAST(10000000000 AS DECIMAL(11, 0)) AS DECIMAL(38, 0)))"
    )
}

/// The whole number `a / b` toward zero for whole numbers `a` and `b` (`b` above zero) that may
/// pass 64 bits (nanoseconds as `DECIMAL(38, 0)`), in each dialect's exact arithmetic, as a
/// `BIGINT` (a quotient past it, microseconds past 292,000 years, stops the query: "Limits").
pub(crate) fn whole_quotient(d: Dialect, a: &str, b: &str) -> String {
    let q = match d {
        Dialect::DuckDb => format!("(CAST({a} AS HUGEINT) // CAST({b} AS HUGEINT))"),
        Dialect::Postgres => format!("div(CAST({a} AS NUMERIC), CAST({b} AS NUMERIC))"),
        Dialect::Spark => format!("(CAST({a} AS DECIMAL(38, 0)) div CAST({b} AS DECIMAL(38, 0)))"),
    };
    format!("CAST({q} AS BIGINT)")
}

/// Whether `e` may be a computation with no answer where SQL would give NULL, so that `is present`
/// and `otherwise` would read it as missing: arithmetic (overflow, a date out of range), a count
/// read from the record.
fn may_fail(e: &CExpr) -> bool {
    matches!(
        e,
        CExpr::Arith(..)
            | CExpr::Neg(..)
            | CExpr::Counted(..)
            | CExpr::AddMonths(..)
            | CExpr::AddBusinessDaysBy(..)
            | CExpr::AddMonthsBy(..)
    ) || e.children().any(may_fail)
}

/// Whether every computation in `e` that may have no answer in the engine either fails only by
/// overflowing 64 bits or 38 digits, where the SQL stops the query with the database's error
/// (docs/warehouse.md, "Limits") rather than answer, or is one whose lack of an answer the SQL
/// tells ([`has_no_answer`]): so a NULL the SQL gives otherwise is a missing value, as `otherwise`
/// and `is present` read it. Not so for a duration multiplied by a whole number that is not a
/// constant within 32 bits (the engine multiplies by no other; the SQL does). (A move by business
/// days is NULL only past the calendar table's range, which must cover the data.)
fn overflow_only(e: &CExpr) -> bool {
    let own = match e {
        CExpr::Arith(Arith::Mul(Kind::Duration), a, b) => {
            // The whole number is a constant (a duration is never a `Value::Int`).
            let small = |x: &CExpr| matches!(x, CExpr::Const(Value::Int(i)) if i32::try_from(*i).is_ok());
            small(a) || small(b)
        }
        _ => true,
    };
    own && e.children().all(overflow_only)
}

/// Whether `e` divides, reads a count from the record or moves a date or instant somewhere (inside
/// a quantifier, a count or a function too): the computations that have no answer in the engine on
/// ordinary data (a zero divisor, a negative count, a date past 9999-12-31), which the SQL tells
/// from missing values with [`Compiler::no_answer`].
pub(crate) fn has_no_answer(d: Dialect, e: &CExpr) -> bool {
    matches!(
        e,
        CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, _, _)
            | CExpr::Counted(..)
            | CExpr::AddBusinessDaysBy(..)
            | CExpr::AddMonthsBy(..)
    ) || (d == Dialect::Postgres && pg_may_pass_held(e))
        || moves_out_of_range(e)
        || e.children().any(|x| has_no_answer(d, x))
}

/// Whether `e` is arithmetic of fields and constants (sums, differences, products, negations,
/// whole numbers made decimal) and nothing else, its sums, differences and products of numbers or
/// money ([`pg_may_pass_held`]) pushed to `out` in the order the engine's walk reaches them:
/// operands first, left before right.
fn pg_arith_nodes<'e>(e: &'e CExpr, out: &mut Vec<&'e CExpr>) -> bool {
    match e {
        CExpr::Field(..) | CExpr::Const(_) | CExpr::Var(_) => true,
        CExpr::Neg(_, x) | CExpr::ToDec(x) => pg_arith_nodes(x, out),
        CExpr::Arith(Arith::Add(_) | Arith::Sub(_) | Arith::Mul(_), a, b) => {
            let pure = pg_arith_nodes(a, out) && pg_arith_nodes(b, out);
            if pure && pg_may_pass_held(e) {
                out.push(e);
            }
            pure
        }
        _ => false,
    }
}

/// Whether `e` is a sum, difference or product of numbers or money, whose lowest terms may pass
/// the engine's 128 bits (no answer) where PostgreSQL's `NUMERIC`, of no bound, holds it
/// ([`Compiler::pg_past_held`]); DuckDB's and Spark's 38 digits stop the query there instead.
fn pg_may_pass_held(e: &CExpr) -> bool {
    matches!(e, CExpr::Arith(Arith::Add(k) | Arith::Sub(k) | Arith::Mul(k), _, _) if matches!(k, Kind::Dec | Kind::Money))
}

/// A decimal or an amount `x` (10 places at most) as the engine shows it
/// ([`crate::engine::format::number`]): every digit of its exact expansion, trailing zeros
/// dropped, at least `min` places (a currency's smallest unit: `3.00`), no point when there are
/// none. Cut from the text of `x` at 10 places, which every dialect writes in full and without an
/// exponent (`12.5000000000`), rather than from the whole number of its places, which passes 38
/// digits (and stops the query) for a value of 10^18 or more.
fn exact_text(d: Dialect, x: &str, min: u32) -> String {
    super::group::decimal_text(d, x, min, 10)
}

/// Whole number `u` over 10^`scale` as [`exact_text`] shows a decimal (Spark's decimal
/// arithmetic, made whole: [`Compiler::integral`]).
///
/// `u` is written as few times as the text allows (four at most), since a dialect has no way
/// to name a value inside an expression and `u` is often a large computation: written once per
/// use, a message of ten such values made a view Spark's analyser ran out of memory on. So the
/// digits are padded once to 39 (more than a DECIMAL(38, 0) has), and cut, trimmed and joined
/// from that one text.
pub(crate) fn scaled_text(d: Dialect, u: &str, scale: u32, min: u32) -> String {
    let text = d.ty(SqlType::Text);
    let sign = format!("CASE WHEN {u} < 0 THEN '-' ELSE '' END");
    if scale == 0 {
        let zeros = if min == 0 { String::new() } else { format!(" || '.{}'", "0".repeat(min as usize)) };
        return format!("({sign} || CAST(abs({u}) AS {text}){zeros})");
    }
    const WIDTH: u32 = 39;
    let padded = format!("lpad(CAST(abs({u}) AS {text}), {WIDTH}, '0')");
    let whole = format!(
        "COALESCE(NULLIF({}, ''), '0')",
        d.trim_leading(&format!("substr({padded}, 1, {})", WIDTH - scale), "0")
    );
    let first = WIDTH - scale + 1;
    if min == 0 {
        // No places: the point goes with them.
        let places = d.trim_trailing(&format!("substr({padded}, {first})"), "0");
        return format!("({sign} || {})", d.trim_trailing(&format!("{whole} || '.' || {places}"), "."));
    }
    let places = if min >= scale {
        format!("substr({padded}, {first}) || '{}'", "0".repeat((min - scale) as usize))
    } else {
        format!(
            "substr({padded}, {first}, {min}) || {}",
            d.trim_trailing(&format!("substr({padded}, {})", first + min), "0")
        )
    };
    format!("({sign} || {whole} || '.' || {places})")
}

/// A duration `x` (whole microseconds) as the engine shows it ([`crate::engine::format::duration`]):
/// `2d 3h 5m`, whole seconds (toward zero), its units largest first, seconds when there are some
/// or nothing else, `-` before a negative one. Each unit is written once (a zero one is NULL,
/// which `concat_ws` leaves out), so `x` appears six times, not eleven.
fn duration_text(d: Dialect, x: &str) -> String {
    let text = d.ty(SqlType::Text);
    let secs = d.int_div(&format!("abs({x})"), "1000000");
    let part = |n: String, unit: &str| format!("CAST(NULLIF({n}, 0) AS {text}) || '{unit}'");
    let parts = [
        part(d.int_div(&secs, "86400"), "d"),
        part(d.int_div(&format!("{secs} % 86400"), "3600"), "h"),
        part(d.int_div(&format!("{secs} % 3600"), "60"), "m"),
        part(format!("({secs} % 60)"), "s"),
    ];
    format!(
        "CASE WHEN {x} IS NOT NULL THEN CASE WHEN {x} <= -1000000 THEN '-' ELSE '' END || COALESCE(NULLIF(concat_ws(' ', {}), ''), '0s') END",
        parts.join(", ")
    )
}

impl Compiler<'_> {
    /// List `e` of `inner`s shown in a message as the engine shows it: its first elements'
    /// texts in brackets, each as a message shows a value of its type, and how many more
    /// ([`Dialect::list_text`]). The message values of a list are this text, not values to
    /// format again ([`super::message`]). A list of datetimes shows each at the offset it was
    /// written with, from the list of offsets beside it ([`Compiler::list_offsets`]); a list of
    /// lists shows each list inside it the same way ([`Compiler::list_text_of`]).
    fn list_shown(&mut self, e: &CExpr, inner: &Ty) -> Result<String, Unsupported> {
        let offsets = match inner {
            Ty::DateTime => Some(self.list_offsets(e)?),
            _ => None,
        };
        let l = self.expr(e, None)?;
        self.list_text_of(&l, inner, offsets.as_deref())
    }

    /// [`Compiler::list_shown`] of list `l` (SQL) of `inner`s, with the list of its datetimes'
    /// offsets where it is one of datetimes. A list inside it is shown the same way, in brackets.
    fn list_text_of(&mut self, l: &str, inner: &Ty, offsets: Option<&str>) -> Result<String, Unsupported> {
        let d = self.dialect;
        let jsonb = d.jsonb(&Ty::List(Box::new(inner.clone())));
        self.aliases += 1;
        let a = format!("u{}", self.aliases);
        let x = d.element(&a);
        let item = match inner {
            Ty::Text => d.clipped(&x, crate::text::MAX_QUOTED),
            // Enumerations are held by their names.
            Ty::Enum(_) => x,
            Ty::Int => d.to_text(&x, SqlType::Int),
            Ty::Bool => d.to_text(&x, SqlType::Bool),
            Ty::Date => d.to_text(&x, SqlType::Date),
            Ty::Dec => exact_text(d, &x, 0),
            Ty::Money(c) => {
                let min = crate::engine::types::minor_units(*c).unwrap_or(0);
                format!("({} || {})", exact_text(d, &x, min), d.text(&format!(" {c}")))
            }
            Ty::Duration => duration_text(d, &x),
            Ty::Object(_) => "'(object)'".to_string(),
            Ty::DateTime => {
                let Some(offsets) = offsets else {
                    return no("a list of lists of datetimes shown in a message (the offsets each was written with are not held)");
                };
                let off = format!("CAST(COALESCE({}, 0) AS BIGINT)", d.nth(offsets, &d.shown_position(&a)));
                d.shown_at_offset(&x, &off)
            }
            Ty::List(inner2) => {
                let element = self.list_element(&x, inner)?;
                self.list_text_of(&element, inner2, None)?
            }
            Ty::BusinessDays | Ty::Set(_) => return no("a list of values no field holds shown in a message"),
        };
        Ok(d.list_text(l, jsonb, &a, &item, crate::engine::format::MAX_LIST_SHOWN))
    }

    /// Element `x` of a list of `ty`s, as the SQL reads a value of its type: the element itself,
    /// but in PostgreSQL a list of values inside a `JSONB` list of lists, which becomes the array
    /// its column would be ([`Dialect::pg_array`]).
    fn list_element(&self, x: &str, ty: &Ty) -> Result<String, Unsupported> {
        let d = self.dialect;
        match ty {
            Ty::List(inner) if d.jsonb(&Ty::List(Box::new(ty.clone()))) && !d.jsonb(ty) => {
                d.pg_array(x, inner).ok_or_else(|| Unsupported("a list of values of no field's type".into()))
            }
            _ => Ok(x.to_string()),
        }
    }

    /// An object shown in a message, as the engine shows one: `(object)`, NULL when it is
    /// missing. Only an object field of the record, whose presence its columns tell
    /// ([`Compiler::object_presence`]).
    fn object_shown(&mut self, e: &CExpr) -> Result<String, Unsupported> {
        let present = match e {
            CExpr::Field(Root::Record, steps) => self.object_presence(steps)?,
            _ => None,
        };
        match present {
            Some(p) => Ok(format!("CASE WHEN {p} THEN '(object)' END")),
            None => no("an object shown in a message other than an object field of the record"),
        }
    }
}

/// What [`Compiler::offsets`] gives: the offset of a datetime, or the offsets of a list of
/// datetimes, element by element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offsets {
    One,
    List,
}

/// A constant count of months `n` as [`Compiler::months_by`] reads one: its size, the sign apart.
fn months(n: i64) -> CExpr {
    CExpr::Const(Value::Int(n.saturating_abs()))
}

/// Whether `e` itself moves a date or an instant by a span or by months, which has no answer in
/// the engine past the first or last it holds (a date past 9999-12-31, the sentinel some exports
/// write for "never"): the SQL holds the value to that range ([`Compiler::moved_in_time`],
/// [`Compiler::months_by`]), NULL past it, and tells that lack of an answer from a missing value.
fn moves_out_of_range(e: &CExpr) -> bool {
    matches!(
        e,
        CExpr::Arith(Arith::Later | Arith::Earlier | Arith::DateLater | Arith::DateEarlier, _, _)
            | CExpr::AddMonths(..)
    )
}

/// The first microsecond and the last the engine holds as instants (jiff's `Timestamp::MIN` and
/// `Timestamp::MAX`), since 1970-01-01T00:00:00Z.
fn instants_held() -> (i64, i64) {
    (jiff::Timestamp::MIN.as_microsecond(), jiff::Timestamp::MAX.as_microsecond())
}

/// The field [`crate::engine::unanswered`] blames for a computation with no answer whose operands
/// all had answers: the field it reads directly, else the first its operands read, in order.
fn origin_path(c: &Compiler<'_>, e: &CExpr) -> Result<Option<String>, Unsupported> {
    match e {
        CExpr::Field(..) | CExpr::Var(_) => first_path(c, e),
        _ => {
            for x in e.children() {
                if let Some(p) = origin_path(c, x)? {
                    return Ok(Some(p));
                }
            }
            Ok(None)
        }
    }
}

/// What `check --engine duckdb` leaves out of a case rule whose message reads a field of the
/// opening record other than as [`Compiler::opening_unread`] follows.
const UNREADABLE_OPENING: &str = "a message value reading a field of the opening record with other fields, or through `is present`, `if`, `and`, `or`, a quantifier or a count (a value of the opening record that did not convert is `(unreadable)` to the engine, NULL to the SQL), in `check --engine duckdb`";

/// The expression a message part shows, `None` for literal text.
fn part_expr(part: &MsgPart) -> Option<&CExpr> {
    match part {
        MsgPart::Text(_) => None,
        MsgPart::Hole(e, _) | MsgPart::Percent(e) | MsgPart::Period(e, _) | MsgPart::Redacted(e, _) => Some(e),
    }
}

/// Whether `e`, reading one field of the quantifier variable `var` and otherwise constants, is
/// unreadable whenever that field is, as the engine evaluates it ([`crate::engine::value::V::unknown`]):
/// every operator on the way to the read passes an unreadable operand's unknown on.
fn keeps_unreadable(d: Dialect, e: &CExpr, var: u8) -> bool {
    fn reads(x: &CExpr, var: u8) -> bool {
        let mut todo = vec![x];
        while let Some(y) = todo.pop() {
            if matches!(y, CExpr::Field(Root::Var(v), _) if *v == var) {
                return true;
            }
            todo.extend(y.children());
        }
        false
    }
    // An operand reading the field passes its unknown on, and no other operand can have no
    // answer (which would outrank it: `opening.n + 1 / 0` has none).
    let passes_on = |e: &CExpr| {
        e.children().any(|x| reads(x, var) && keeps_unreadable(d, x, var))
            && e.children().all(|x| reads(x, var) || !has_no_answer(d, x))
    };
    match e {
        CExpr::Field(Root::Var(v), _) => *v == var,
        CExpr::Const(_) | CExpr::Now => false,
        // `x otherwise d`: an unreadable `x` stays unreadable; `d` is read only when `x` is missing.
        CExpr::Otherwise(x, dflt) => !reads(dflt, var) && keeps_unreadable(d, x, var),
        // `x in {...}`: an unknown `x` is the result, the members unread; a member that is
        // unreadable matches nothing.
        CExpr::InSet(_, x, ..) | CExpr::InList(_, x, ..) => keeps_unreadable(d, x, var),
        CExpr::Not(_)
        | CExpr::Neg(..)
        | CExpr::Cmp(..)
        | CExpr::ToDec(_)
        | CExpr::Arith(..)
        | CExpr::Text(..)
        | CExpr::Matches(..)
        | CExpr::AddBusinessDays(..)
        | CExpr::AddMonths(..)
        | CExpr::BusinessBetween(..)
        | CExpr::Counted(..)
        | CExpr::AddBusinessDaysBy(..)
        | CExpr::AddMonthsBy(..)
        | CExpr::DatePart(..)
        | CExpr::EnumText(..) => passes_on(e),
        // A pure function's unknown argument makes the call unknown; other built-ins ask roles.
        CExpr::Call(f, _) if matches!(f.family, crate::engine::builtins::Family::Pure(_)) => passes_on(e),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{keeps_unreadable, DAYS_HELD, MONTHS_HELD};
    use crate::engine::program::{Arith, CExpr, CmpOp, Kind, Root};
    use crate::engine::value::Value;
    use jiff::civil::{date, Date};

    /// Shapes whose value, when the opening's field (variable 0, slot 0) is unreadable, the
    /// engine's `eval` (src/engine/eval.rs) gives as unreadable, and shapes where it gives
    /// something else (a verdict, no answer): `keeps_unreadable` tells them apart.
    #[test]
    fn an_unreadable_opening_field_is_followed_only_where_the_engine_passes_it_on() {
        let field = || Box::new(CExpr::Field(Root::Var(0), vec![0].into()));
        let one = || Box::new(CExpr::Const(Value::Int(1)));
        let zero = || Box::new(CExpr::Const(Value::Int(0)));
        let cases = [
            (CExpr::Field(Root::Var(0), vec![0].into()), true),
            (CExpr::Arith(Arith::Add(Kind::Int), field(), one()), true),
            (CExpr::Cmp(CmpOp::Lt, Kind::Int, one(), field()), true),
            (CExpr::Otherwise(field(), one()), true),
            (CExpr::InSet(Kind::Int, field(), vec![CExpr::Const(Value::Int(1))].into(), false), true),
            // The member is compared, never passed on: `1 in {x}` is false.
            (CExpr::InSet(Kind::Int, one(), vec![CExpr::Field(Root::Var(0), vec![0].into())].into(), false), false),
            // No answer outranks an unreadable operand.
            (
                CExpr::Arith(
                    Arith::Add(Kind::Int),
                    field(),
                    Box::new(CExpr::Arith(Arith::Div(Kind::Int), one(), zero())),
                ),
                false,
            ),
            // Present: it was there.
            (CExpr::Present(field(), true), false),
            // The default is read only for a missing value.
            (CExpr::Otherwise(one(), field()), false),
            // Another variable's field.
            (CExpr::Field(Root::Var(1), vec![0].into()), false),
        ];
        for (e, keeps) in cases {
            assert_eq!(keeps_unreadable(crate::sql::Dialect::DuckDb, &e, 0), keeps, "{e:?}");
        }
    }

    #[test]
    fn the_dates_held_are_the_engines() {
        let epoch = date(1970, 1, 1);
        let days = |d: Date| epoch.until(d).map(|s| i64::from(s.get_days()));
        assert_eq!((days(Date::MIN).ok(), days(Date::MAX).ok()), (Some(DAYS_HELD.0), Some(DAYS_HELD.1)));
        let month = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month()) - 1;
        assert_eq!((month(Date::MIN), month(Date::MAX)), MONTHS_HELD);
    }

    /// An instant moved by a divided duration is held from the first microsecond held to the
    /// last nanosecond of the last one ([`super::Compiler::moved_fraction`]).
    #[test]
    fn the_instants_held_are_whole_microseconds_to_the_last_nanosecond() {
        let (lo, hi) = super::instants_held();
        let ns = |t: jiff::Timestamp| t.as_nanosecond();
        assert_eq!(ns(jiff::Timestamp::MIN), i128::from(lo) * 1000);
        assert_eq!(ns(jiff::Timestamp::MAX), i128::from(hi) * 1000 + 999);
    }
}
