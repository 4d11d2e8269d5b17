//! Runtime values: what a record holds once read, and what expressions compute.
//!
//! [`Value`] owns its data and is what the readers in [`crate::data`] produce. [`V`] borrows from a
//! record or from the program, so evaluating a rule allocates nothing.

use jiff::{SignedDuration, Timestamp};

use super::num::Num;

/// A value held in a record slot.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The field was absent (or, in CSV, empty).
    Missing,
    /// True or false.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Exact decimal (a fraction in lowest terms, see [`Num`]).
    Dec(Num),
    /// Exact amount (a fraction in lowest terms); the currency is part of the field's type.
    Money(Num),
    /// Text; up to 24 bytes held inline, as most of a record's texts are (ids, names, references).
    Text(compact_str::CompactString),
    /// Enumeration variant index.
    Enum(u32),
    /// A calendar date.
    Date(jiff::civil::Date),
    /// An instant and the UTC offset (seconds) it was written with, kept for display.
    DateTime(Timestamp, i32),
    /// An exact length of time.
    Duration(SignedDuration),
    /// A list.
    List(Box<[Value]>),
    /// A nested object, slot per field of its shape.
    Object(Box<[Value]>),
    /// A computation that had no answer. Readers never produce it: it is what an aggregate of a
    /// group gives when one of its members had no answer (see [`V::NoAnswer`]).
    NoAnswer(Why),
    /// A value the record has but that could not be read (a datetime without an offset, a value
    /// outside its enumeration, `"maybe"` for a boolean): the input diagnostic says why. The number
    /// is its index in [`crate::data::ReadRecord::unreadable`] ([`NOT_KEPT`] past the problems a
    /// record keeps). Only readers produce it, in place of the value, so the record is still judged
    /// by every rule that does not depend on it (see [`V::Unreadable`]).
    Unreadable(u32),
}

/// The index of an unreadable value whose problem was counted but not kept.
pub const NOT_KEPT: u32 = u32::MAX;

/// Why a computation had no answer. Kept apart from a missing value: `otherwise` replaces a
/// missing value only, and `is missing` holds only for one, so a division by zero is never
/// mistaken for an absent field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// Division (of a number, money or a duration) by zero.
    DivisionByZero,
    /// A result too large (or too precise) to hold.
    Overflow,
    /// A date or datetime outside the range Precept can hold.
    OutOfRange,
    /// A count read from the data (`record.n business days`, `x + record.n months`) below zero or
    /// above [`crate::engine::program::MAX_COUNT`]: no deadline is counted from it.
    BadCount,
}

impl Why {
    /// As written in a finding: `division by zero`.
    pub fn as_str(self) -> &'static str {
        match self {
            Why::DivisionByZero => "division by zero",
            Why::Overflow => "overflow",
            Why::OutOfRange => "date out of range",
            Why::BadCount => "count below zero or too large",
        }
    }
}

/// A value during evaluation, borrowing from the record or the program.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum V<'a> {
    /// Absent: an optional field that is not there (or `null`, or in CSV empty).
    Missing,
    /// A computation that had no answer (division by zero, overflow, a date out of range). Not
    /// missing: it satisfies no condition, `is missing` and `is present` alike, and `otherwise`
    /// leaves it as it is.
    NoAnswer(Why),
    /// A value present in the record that could not be read (see [`Value::Unreadable`]). An
    /// unknown like the two above: it satisfies no condition and decides nothing where another
    /// operand decides, but a rule whose outcome depends on it *cannot be determined*: it is
    /// neither broken nor kept. It is present (`is present` holds, `otherwise` keeps it).
    Unreadable(u32),
    /// True or false.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Exact decimal (a fraction in lowest terms, see [`Num`]).
    Dec(Num),
    /// Exact amount (a fraction in lowest terms).
    Money(Num),
    /// Text.
    Text(&'a str),
    /// Enumeration variant index.
    Enum(u32),
    /// A calendar date.
    Date(jiff::civil::Date),
    /// An instant and its display offset in seconds.
    DateTime(Timestamp, i32),
    /// An exact length of time.
    Duration(SignedDuration),
    /// A list.
    List(&'a [Value]),
    /// A nested object.
    Object(&'a [Value]),
}

impl Value {
    /// Borrow for evaluation. Always inlined: the evaluator views a value at every field it
    /// reads and every element a quantifier visits, and the compiler kept it a call (2% less CPU
    /// inlined, 1,000,000 heavy records, six pairs).
    #[inline(always)]
    pub fn view(&self) -> V<'_> {
        match self {
            Value::Missing => V::Missing,
            Value::Bool(b) => V::Bool(*b),
            Value::Int(i) => V::Int(*i),
            Value::Dec(d) => V::Dec(*d),
            Value::Money(m) => V::Money(*m),
            Value::Text(t) => V::Text(t),
            Value::Enum(e) => V::Enum(*e),
            Value::Date(d) => V::Date(*d),
            Value::DateTime(t, o) => V::DateTime(*t, *o),
            Value::Duration(d) => V::Duration(*d),
            Value::List(l) => V::List(l),
            Value::Object(o) => V::Object(o),
            Value::NoAnswer(w) => V::NoAnswer(*w),
            Value::Unreadable(i) => V::Unreadable(*i),
        }
    }
}

impl<'a> V<'a> {
    /// True only for `Bool(true)`: a missing or non-boolean value never satisfies a condition.
    #[inline]
    pub fn is_true(self) -> bool {
        matches!(self, V::Bool(true))
    }

    /// A value that is neither missing, nor without an answer, nor unreadable.
    #[inline]
    pub fn is_value(self) -> bool {
        !matches!(self, V::Missing | V::NoAnswer(_) | V::Unreadable(_))
    }

    /// What the result of an operator that needs both operands' values (a comparison, arithmetic,
    /// a text test) is when it cannot be known from `self` and `other`: no answer if either had
    /// none (a missing value never hides a computation that failed), else missing if either is
    /// missing, else unreadable. A missing operand or one with no answer decides such a result
    /// whatever an unreadable operand held, so the unreadable one counts only when it is the sole
    /// unknown: then the result depends on it.
    #[inline]
    pub fn unknown(self, other: V<'a>) -> V<'a> {
        match (self, other) {
            (V::NoAnswer(w), _) | (_, V::NoAnswer(w)) => V::NoAnswer(w),
            (V::Missing, _) | (_, V::Missing) => V::Missing,
            (V::Unreadable(i), _) | (_, V::Unreadable(i)) => V::Unreadable(i),
            _ => V::Missing,
        }
    }

    /// `self` if it is an unknown (missing, no answer or unreadable), else missing: the result of
    /// an operator given one operand it cannot use.
    #[inline]
    pub fn or_missing(self) -> V<'a> {
        match self {
            V::NoAnswer(_) | V::Unreadable(_) => self,
            _ => V::Missing,
        }
    }

    /// What an unknown outcome of a connective (`and`, `or`, `implies`, a quantifier) is when its
    /// operands `self` and `other` left it open: unreadable if either is (a value that could not be
    /// read might have decided it, so it cannot be determined), else as [`V::unknown`].
    #[inline]
    pub fn open(self, other: V<'a>) -> V<'a> {
        match (self, other) {
            (V::Unreadable(i), _) | (_, V::Unreadable(i)) => V::Unreadable(i),
            (l, r) => l.unknown(r),
        }
    }
}
