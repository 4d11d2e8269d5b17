//! The findings rows' `message` and `message_values` read back: a rule's message filled in with
//! the values the SQL wrote, each formatted as the native engine formats it (durations, money,
//! decimals, instants in the zone of the rule's calendar, exact fractions of `share` and `avg`).
//!
//! One place for both readers of the rows: `precept check --engine duckdb` (`src/duck`) and
//! findings exported from a warehouse ([`crate::readback`]). Pure: no files, no database.

use crate::engine::format;
use crate::engine::num::Num;
use crate::engine::program::{CExpr, CompiledRule, DateUnit, MsgPart, Root};
use crate::engine::types::Ty;
use crate::engine::value::V;
use crate::engine::Program;

/// The rule's message as `precept sql` writes it in the `message` column: its text with literal
/// braces doubled and `{0}`, `{1}`, ... where its values go. Versions of one rule with different
/// messages are told apart by it.
pub fn template(rule: &CompiledRule) -> String {
    let mut out = String::new();
    let mut n = 0;
    for part in &rule.message {
        match part {
            MsgPart::Text(t) => out.push_str(&t.replace('{', "{{").replace('}', "}}")),
            _ => {
                out.push_str(&format!("{{{n}}}"));
                n += 1;
            }
        }
    }
    out
}

/// How many values the rule's message shows (the length of its `message_values`).
pub fn holes(rule: &CompiledRule) -> usize {
    rule.message.iter().filter(|p| !matches!(p, MsgPart::Text(_))).count()
}

/// The type each of the rule's message values is read as, in order.
fn hole_types(rule: &CompiledRule) -> impl Iterator<Item = Ty> + '_ {
    rule.message.iter().filter_map(|part| match part {
        MsgPart::Text(_) => None,
        MsgPart::Hole(_, ty) => Some(ty.clone()),
        // The hash, shown as the SQL wrote it.
        MsgPart::Redacted(..) => Some(Ty::Text),
        MsgPart::Percent(_) => Some(Ty::Dec),
        MsgPart::Period(..) => Some(Ty::Date),
    })
}

/// The 0-based positions of `values` that are not values of their hole's type (a missing value,
/// `None`, always is one): what [`message`] would show as written rather than formatted.
pub fn unreadable(program: &Program, rule: &CompiledRule, values: &[Option<String>]) -> Vec<usize> {
    hole_types(rule)
        .zip(values)
        .enumerate()
        // A list's or an object's value is its text as shown (see [`message`]), whatever it says.
        .filter(|(_, (ty, v))| {
            !matches!(ty, Ty::List(_) | Ty::Object(_)) && v.as_deref().is_some_and(|t| value(program, ty, t).is_none())
        })
        .map(|(i, _)| i)
        .collect()
}

/// The rule's message with `values` (the SQL's text of each value, in order) in its holes. A
/// value that is not one of its type is shown as the database wrote it.
pub fn message(program: &Program, rule: &CompiledRule, values: &[Option<String>]) -> String {
    let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
    let mut out = String::new();
    let mut next = values.iter();
    for part in &rule.message {
        let (ty, text) = match part {
            MsgPart::Text(t) => {
                out.push_str(t);
                continue;
            }
            MsgPart::Hole(_, ty) => (ty.clone(), next.next().cloned().flatten()),
            MsgPart::Redacted(..) => (Ty::Text, next.next().cloned().flatten()),
            MsgPart::Percent(_) => (Ty::Dec, next.next().cloned().flatten()),
            MsgPart::Period(..) => (Ty::Date, next.next().cloned().flatten()),
        };
        let v = text.as_deref().map_or(Some(V::Missing), |t| value(program, &ty, t));
        let v = match v {
            Some(v) => crate::engine::run::in_zone(v, zone),
            None => {
                // Not a value of its type: shown as the database wrote it.
                out.push_str(text.as_deref().unwrap_or_default());
                continue;
            }
        };
        match part {
            MsgPart::Percent(_) => format::percent(&mut out, v),
            MsgPart::Period(_, unit) => format::period(&mut out, *unit, v),
            _ => format::value(&mut out, program, &ty, v),
        }
    }
    out
}

/// The missing period of a presence rule's finding as the engine shows it in the finding's
/// evidence (`2024-02-05`, `2024-W05`, `2024-03`), from the value of the message's hole that shows
/// `group.period` (the group record's field `slot`), counted in `unit`; `None` when the message
/// shows no such hole or its value is not a date.
pub fn period(rule: &CompiledRule, slot: usize, unit: DateUnit, values: &[Option<String>]) -> Option<String> {
    let is_period = |e: &CExpr| matches!(e, CExpr::Field(Root::Record, steps) if steps.len() == 1 && steps.first().is_some_and(|s| usize::from(*s) == slot));
    let mut next = values.iter();
    for part in &rule.message {
        let e = match part {
            MsgPart::Text(_) => continue,
            MsgPart::Hole(e, _) | MsgPart::Percent(e) | MsgPart::Period(e, _) | MsgPart::Redacted(e, _) => e,
        };
        let value = next.next();
        if is_period(e) {
            let day: jiff::civil::Date = value?.as_deref()?.parse().ok()?;
            let mut out = String::new();
            format::period(&mut out, unit, V::Date(day));
            return Some(out);
        }
    }
    None
}

/// A number the SQL wrote: a decimal, or an exact quotient `numerator/denominator` (how a
/// division or `hours_between` is written, since SQL's division would round it).
fn number(t: &str) -> Option<Num> {
    match t.split_once('/') {
        Some((n, d)) => Num::parse_ratio(n, d),
        None => Num::parse(t),
    }
}

/// The value of type `ty` the SQL wrote as `t` (docs/warehouse.md, `message_values`).
fn value<'a>(program: &Program, ty: &Ty, t: &'a str) -> Option<V<'a>> {
    Some(match ty {
        Ty::Text => V::Text(t),
        Ty::Enum(e) => V::Enum(u32::try_from(program.enums.get(*e)?.variants.iter().position(|v| v == t)?).ok()?),
        Ty::Int => V::Int(t.parse().ok()?),
        Ty::Dec => V::Dec(number(t)?),
        Ty::Money(_) => V::Money(number(t)?),
        Ty::Bool => V::Bool(t.parse().ok()?),
        Ty::Date => V::Date(t.parse().ok()?),
        Ty::DateTime => V::DateTime(t.parse().ok()?, written_offset(t)?),
        Ty::Duration => V::Duration(jiff::SignedDuration::from_micros(t.parse().ok()?)),
        Ty::BusinessDays | Ty::List(_) | Ty::Object(_) | Ty::Set(_) => return None,
    })
}

/// The offset an instant the SQL wrote was written at, in seconds east of UTC: `Z` (UTC, how the
/// SQL writes an instant a calendar's zone shows) is 0, `+01:00` (a datetime of a rule with no
/// calendar, shown at the offset it was written with) 3600.
fn written_offset(t: &str) -> Option<i32> {
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    match Pieces::parse(t).ok()?.offset()? {
        PiecesOffset::Numeric(n) => Some(n.offset().seconds()),
        _ => Some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL writes a quotient's parts unreduced: `avg(record.a) * avg(record.b)` over
    /// three records can be a numerator of 39 digits over 9, past 128 bits, whose value the
    /// engine holds (`check --findings` could not read it back before 2026-12-06).
    #[test]
    fn a_quotient_whose_parts_pass_128_bits_is_read_as_the_engine_holds_it() {
        let written = number("8999999999999999993.40000000000000000057/9");
        assert_eq!(written.map(|n| n.to_string()), Some("999999999999999999.26666666666666666673".to_string()));
        assert_eq!(number("12.5000000000/3.0000000000"), Num::ratio(25, 6));
        assert_eq!(number("12.5"), Num::ratio(25, 2));
        assert_eq!(number("1/0"), None);
    }

    #[test]
    fn an_instant_keeps_the_offset_the_sql_wrote_it_at() {
        assert_eq!(written_offset("2024-03-01T00:30:00.000000+01:00"), Some(3600));
        assert_eq!(written_offset("2024-02-29T23:30:00.000000-05:00"), Some(-18000));
        assert_eq!(written_offset("2024-03-31T00:15:00.000000+05:45"), Some(20700));
        assert_eq!(written_offset("2024-02-29T23:30:00.000000Z"), Some(0));
        assert_eq!(written_offset("2024-02-29T23:30:00.000000+00:00"), Some(0));
        assert_eq!(written_offset("not an instant"), None);
    }

    /// An instant moved by a divided duration is written to the nanosecond, and read back as the
    /// engine's value, shown as `check` shows it.
    #[test]
    fn an_instant_to_the_nanosecond_is_read_as_the_engine_holds_it() {
        let program = Program::empty();
        let mut shown = String::new();
        let v = value(&program, &Ty::DateTime, "2024-02-29T12:00:00.000001500+01:00");
        assert!(matches!(v, Some(V::DateTime(ts, 3600)) if ts.subsec_nanosecond() == 1500));
        format::value(&mut shown, &program, &Ty::DateTime, v.unwrap_or(V::Missing));
        assert_eq!(shown, "2024-02-29T12:00:00.0000015+01:00");
    }
}
