//! A row of the findings the SQL gives, as the [`Finding`] the native engine makes of the same
//! record: the message filled in with the SQL's values formatted as the engine formats them (a
//! time in the zone of the rule's calendar), placed at the record's line (its row in Parquet).

use std::sync::Arc;

use super::{Kind, Source};
use crate::engine::format;
use crate::engine::num::Num;
use crate::engine::program::MsgPart;
use crate::engine::types::Ty;
use crate::engine::value::V;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding, Standing, Subject};
use crate::source::{SourceFile, Span};

/// One finding as the query gives it.
pub struct Row {
    /// The rule's index in [`Program::rules`].
    pub rule: i64,
    /// The file's index among the sources.
    pub file: i64,
    /// The record's position in its file, from 1.
    pub row: i64,
    record_id: Option<String>,
    field: String,
    /// The message's values as a JSON array of text (or null).
    values: String,
    staff: Option<String>,
    team: Option<String>,
    day: Option<String>,
}

impl Row {
    /// The columns of one row of the findings query, in its order.
    ///
    /// # Errors
    ///
    /// DuckDB's, for a value of the wrong type.
    pub fn read(row: &duckdb::Row<'_>) -> Result<Row, duckdb::Error> {
        Ok(Row {
            rule: row.get(0)?,
            file: row.get(1)?,
            row: row.get(2)?,
            record_id: row.get(3)?,
            field: row.get(4)?,
            values: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
            staff: row.get(6)?,
            team: row.get(7)?,
            day: row.get(8)?,
        })
    }
}

/// The finding of row `r` of file `source`; `None` for a rule the program does not have.
pub fn finding(program: &Program, catalogue: &Catalogue, source: &Source, r: Row) -> Option<Finding> {
    let index = usize::try_from(r.rule).ok()?;
    let rule = program.rules.get(index)?;
    let info = catalogue.rule(index)?.clone();
    let values: Vec<Option<String>> = serde_json::from_str(&r.values).unwrap_or_default();
    let message = message(program, rule, &values);
    // A JSON Lines record is on its own line; a CSV record after the header line. Parquet has no
    // lines: its row stands in for one.
    let record = usize::try_from(r.row).unwrap_or(1).max(1);
    let line = match source.kind {
        Kind::Csv => record + 1,
        Kind::Jsonl | Kind::Parquet => record,
    };
    Some(Finding {
        rule: Some(info),
        subject: Subject::Record,
        file: SourceFile::excerpt(source.name.as_str(), Arc::<str>::from(""), line),
        span: Span::new(0, 0),
        line,
        column: 1,
        end: (line, 1),
        record_index: record - 1,
        record_id: r.record_id,
        help: None,
        message,
        field: r.field,
        staff: r.staff,
        team: r.team,
        day: r.day.and_then(|d| d.parse().ok()),
        standing: Standing::Active,
        evidence: Vec::new(),
        group: None,
    })
}

/// The rule's message with `values` (the SQL's text of each value, in order) in its holes.
pub(super) fn message(
    program: &Program,
    rule: &crate::engine::program::CompiledRule,
    values: &[Option<String>],
) -> String {
    let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
    let mut out = String::new();
    let mut next = values.iter();
    for part in &rule.message {
        let (ty, text) = match part {
            MsgPart::Text(t) => {
                out.push_str(t);
                continue;
            }
            MsgPart::Hole(_, ty) | MsgPart::Redacted(_, ty) => (ty.clone(), next.next().cloned().flatten()),
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

/// A number the SQL wrote: a decimal, or an exact quotient `numerator/denominator` (how a
/// division or `hours_between` is written, since SQL's division would round it).
fn number(t: &str) -> Option<Num> {
    match t.split_once('/') {
        Some((n, d)) => Num::parse(n)?.checked_div(Num::parse(d)?),
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
        Ty::DateTime => V::DateTime(t.parse().ok()?, 0),
        Ty::Duration => V::Duration(jiff::SignedDuration::from_micros(t.parse().ok()?)),
        Ty::BusinessDays | Ty::List(_) | Ty::Object(_) | Ty::Set(_) => return None,
    })
}
