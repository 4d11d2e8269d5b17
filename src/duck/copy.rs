//! The records of a JSON Lines or CSV file as the native reader reads them, written once to a
//! normalized JSON Lines copy in the run's temporary folder, which DuckDB reads instead of the
//! file.
//!
//! DuckDB's own readers are not the native reader: they take lines it refuses (a trailing comma,
//! `NaN`, a key twice), refuse files it reads (a byte-order mark, a CSV cell `"re"d`, lines ended
//! by a lone carriage return), and read values it reads otherwise (`1.5h`, a number padded with a
//! tab). So the native reader alone decides, in one streamed pass, which records there are, what
//! their values are and what is wrong with them (its diagnostics are the file's); DuckDB reads
//! only its answer. Each line of the copy is one record the native reader accepted, with:
//!
//! - `precept_row`: where the record is, [`row`] of its line and its position, so that a finding
//!   is placed at its line and ordered in the file's order whatever DuckDB's scan order;
//! - `precept_unread` (absent when empty): the columns (dotted paths, as the table names them) holding a value the
//!   native reader could not read, or one the table's types cannot hold (a decimal of more than
//!   10 places, a duration beyond ±292,000 years): such records are judged by the native engine
//!   (`super`) and left out of the rules over groups that read those columns;
//! - `precept_unheld` (absent when empty): those of the record's own fields (not inside an object
//!   or a list) whose value the native reader read but the table cannot hold, so that a case's
//!   message does not show them `(unreadable)` as a value the native reader could not read is;
//! - each field's value present (an absent one, or one no rule reads, has no key) in one canonical spelling that DuckDB reads exactly ([`column_type`]):
//!   decimals and amounts as exact text, dates as days since 1970-01-01, datetimes as UTC
//!   microseconds with their offset (seconds) in a sibling key `name.offset` (a list of
//!   datetimes: the list of their offsets there), durations as microseconds.
//!
//! A record the native reader skips (a line that is not JSON, a required value absent) is not in
//! the copy. The pass holds one batch of records at a time; the copy's size is counted against
//! the run's temporary space. The copy is written in parts of about [`PART_BYTES`], in the file's
//! order, which the rules over single records read one at a time (the rules over groups read them
//! all together).

use std::io::Write as _;

use crate::diagnostics::Diag;
use crate::engine::types::Ty;
use crate::engine::value::Value;
use crate::engine::Program;
use crate::sql::dialect::Dialect;

/// A record's line goes above this many bits of its `precept_row`, its position below.
const LINE_SHIFT: u32 = 31;

/// The `precept_row` of the record at `ordinal` (from 0) starting on `line` (from 1): ordered as
/// the records are in the file (both grow together), and both recovered by [`place`]. `None`
/// past 2^31 records or 2^32 lines in a file.
pub fn row(ordinal: usize, line: usize) -> Option<i64> {
    let ordinal = i64::try_from(ordinal).ok().filter(|&o| o < (1 << LINE_SHIFT))?;
    let line = i64::try_from(line).ok().filter(|&l| l < (1 << 32))?;
    Some((line << LINE_SHIFT) | ordinal)
}

/// The position (from 0) and line of a record of a copy, from its `precept_row`.
pub fn place(row: i64) -> (usize, usize) {
    let ordinal = usize::try_from(row & ((1 << LINE_SHIFT) - 1)).unwrap_or(0);
    let line = usize::try_from(row >> LINE_SHIFT).unwrap_or(1).max(1);
    (ordinal, line)
}

/// The most bytes of records in one part of a copy before the next part starts. The rules over
/// single records run over one part at a time, so that what DuckDB holds for one query (the part's
/// findings while they are sorted, and the rows a rule over a list's elements keeps while it
/// joins them back to their records) is bounded by a part, never by the file: over a whole
/// 1,000,000-record file they took 3 GB of temporary space beyond DuckDB's 512 MB of memory.
pub const PART_BYTES: u64 = 64 << 20;

/// What one pass of the native reader made of a file.
pub struct Copy {
    /// The parts of the copy, in the file's order (each at most about [`PART_BYTES`]; at least one).
    pub parts: Vec<std::path::PathBuf>,
    /// The records in the copy (those the native reader accepted).
    pub records: usize,
    /// Those of them holding a value in `precept_unread`, judged by the native engine.
    pub unread: usize,
    /// The native reader's diagnostics for the file, as `precept check` reports them.
    pub diagnostics: Vec<Diag>,
    /// The copy's longest line, in bytes (DuckDB's `maximum_object_size` must hold it).
    pub longest: usize,
}

/// Why a copy was not made.
pub enum Failed {
    /// The copies would need more than the run's temporary space (`budget`).
    Space,
    /// The file has more records or lines than a `precept_row` holds.
    TooLong,
    /// The copy could not be written: the error's text.
    Write(String),
}

/// Read `file` with the native reader and write the records it accepts to the copy's parts, part
/// `k` at `to(k)` (a new one after each [`PART_BYTES`]), adding the bytes written to `used`, which
/// must stay within `budget`.
pub fn write(
    program: &Program,
    file: &crate::data::RecordFile,
    to: &dyn Fn(usize) -> std::path::PathBuf,
    (used, budget): (&mut u64, u64),
) -> Result<Copy, Failed> {
    let create = |path: &std::path::Path| -> Result<std::io::BufWriter<std::fs::File>, Failed> {
        let out = std::fs::File::create(path).map_err(|e| Failed::Write(e.to_string()))?;
        Ok(std::io::BufWriter::with_capacity(1 << 20, out))
    };
    let first = to(0);
    let mut out = create(&first)?;
    let mut copy = Copy { parts: vec![first], records: 0, unread: 0, diagnostics: Vec::new(), longest: 0 };
    let Some(info) = program.schemas.get(file.schema) else {
        return Ok(copy);
    };
    let shape = info.shape;
    // The bytes written to the current part.
    let mut part = 0u64;
    let mut failed: Option<Failed> = None;
    // Each record's line is written where it is parsed (in parallel), and the lines in order here.
    let line = |rec: &crate::data::ReadRecord| -> Option<(Vec<u8>, bool)> {
        let at = row(rec.ordinal, rec.line)?;
        Some(record_line(program, shape, rec, at))
    };
    let diagnostics = crate::data::read_file_with(file, program, crate::pipeline::BATCH, &line, &mut |_, lines| {
        for l in lines {
            if failed.is_some() {
                return;
            }
            let Some((bytes, unread)) = l else {
                failed = Some(Failed::TooLong);
                return;
            };
            let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            if used.saturating_add(len) > budget {
                failed = Some(Failed::Space);
                return;
            }
            if part > 0 && part.saturating_add(len) > PART_BYTES {
                // The part is full: the record starts the next one.
                let next = to(copy.parts.len());
                let started = out.flush().map_err(|e| Failed::Write(e.to_string())).and_then(|()| create(&next));
                match started {
                    Ok(o) => out = o,
                    Err(f) => {
                        failed = Some(f);
                        return;
                    }
                }
                copy.parts.push(next);
                part = 0;
            }
            if let Err(e) = out.write_all(&bytes) {
                failed = Some(Failed::Write(e.to_string()));
                return;
            }
            *used += len;
            part += len;
            copy.records += 1;
            copy.unread += usize::from(unread);
            copy.longest = copy.longest.max(bytes.len());
        }
    });
    if let Some(f) = failed {
        return Err(f);
    }
    out.flush().map_err(|e| Failed::Write(e.to_string()))?;
    copy.diagnostics = diagnostics;
    Ok(copy)
}

/// The copy's line of record `rec` (of shape `shape`), and whether it holds a value in
/// `precept_unread`.
fn record_line(program: &Program, shape: usize, rec: &crate::data::ReadRecord, at: i64) -> (Vec<u8>, bool) {
    let mut w = Writer { program, unread: Vec::new(), unheld: Vec::new() };
    let mut body = Vec::with_capacity(256);
    if let Some(shape) = program.shapes.get(shape) {
        for (f, v) in shape.fields.iter().zip(rec.values.iter()) {
            // An absent value is an absent key (NULL to DuckDB): fields no rule reads cost nothing.
            if matches!(v, Value::Missing) {
                continue;
            }
            body.push(b',');
            key(&mut body, &f.name);
            w.value(&mut body, &f.ty, v, &f.name, false);
            if crate::sql::tables::offsets_of(&f.ty, Dialect::DuckDb).is_some() {
                body.push(b',');
                key(&mut body, &crate::sql::tables::offset_column(&f.name));
                offset(&mut body, v);
            }
        }
    }
    let mut line = Vec::with_capacity(body.len() + 64);
    let _ = write!(line, "{{\"precept_row\":{at}");
    names(&mut line, "precept_unread", &w.unread);
    names(&mut line, "precept_unheld", &w.unheld);
    line.extend_from_slice(&body);
    line.extend_from_slice(b"}\n");
    (line, !w.unread.is_empty())
}

/// `,"key":["a","b"]`, nothing when `names` is empty (the key is absent, NULL to DuckDB).
fn names(out: &mut Vec<u8>, key_name: &str, names: &[String]) {
    if names.is_empty() {
        return;
    }
    out.push(b',');
    key(out, key_name);
    array(out, names, |out, name| text(out, name));
}

/// `items` as a JSON array, each written by `each`.
fn array<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

/// `"name":`.
fn key(out: &mut Vec<u8>, name: &str) {
    text(out, name);
    out.push(b':');
}

/// `s` as a JSON string.
fn text(out: &mut Vec<u8>, s: &str) {
    // Writing to a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// The offset (seconds east of UTC) datetime `v` was written with, or `null`; for a list of
/// datetimes, the list of each one's.
fn offset(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::DateTime(_, off) => {
            let _ = write!(out, "{off}");
        }
        Value::List(items) => array(out, items, offset),
        _ => out.extend_from_slice(b"null"),
    }
}

/// Writes values, noting the columns whose value is not in the copy.
struct Writer<'p> {
    program: &'p Program,
    /// The columns (dotted paths) holding a value the native reader could not read or the table
    /// cannot hold, in the order met.
    unread: Vec<String>,
    /// Those of the record's own fields whose value is in `unread` for the table's sake only.
    unheld: Vec<String>,
}

impl Writer<'_> {
    /// Column `name` (and, for an object, each column under it) holds a value not in the copy.
    fn unread(&mut self, ty: &Ty, name: &str) {
        match ty {
            Ty::Object(inner) => {
                let fields = self.program.shapes.get(*inner).map_or(&[][..], |s| s.fields.as_slice());
                for f in fields {
                    self.unread(&f.ty, &format!("{name}.{}", f.name));
                }
            }
            _ => {
                if !self.unread.iter().any(|u| u == name) {
                    self.unread.push(name.to_string());
                }
            }
        }
    }

    /// Value `v` of type `ty` in column `name` (the list's column for an element); `deep`: inside
    /// a list of objects or lists, which DuckDB reads as the table's own types.
    fn value(&mut self, out: &mut Vec<u8>, ty: &Ty, v: &Value, name: &str, deep: bool) {
        let start = out.len();
        if !self.scalar(out, ty, v, name, deep) {
            out.truncate(start);
            out.extend_from_slice(b"null");
            self.unread(ty, name);
            if !deep
                && !matches!(ty, Ty::List(_) | Ty::Object(_))
                && !matches!(v, Value::Unreadable(_) | Value::NoAnswer(_))
            {
                self.unheld.push(name.to_string());
            }
        }
    }

    /// Write `v`; `false` when it is not held (the caller writes `null` and notes the column).
    fn scalar(&mut self, out: &mut Vec<u8>, ty: &Ty, v: &Value, name: &str, deep: bool) -> bool {
        match (ty, v) {
            (_, Value::Missing) => out.extend_from_slice(b"null"),
            (_, Value::Unreadable(_) | Value::NoAnswer(_)) => return false,
            (_, Value::Text(s)) => text(out, s),
            (Ty::Enum(e), Value::Enum(i)) => {
                let variant =
                    self.program.enums.get(*e).and_then(|d| d.variants.get(usize::try_from(*i).unwrap_or(usize::MAX)));
                match variant {
                    Some(v) => text(out, v),
                    None => return false,
                }
            }
            (_, Value::Int(i)) => {
                let _ = write!(out, "{i}");
            }
            (_, Value::Bool(b)) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            (_, Value::Dec(n) | Value::Money(n)) => match decimal(*n) {
                Some(s) => text(out, &s),
                None => return false,
            },
            (_, Value::Date(d)) => {
                if deep {
                    text(out, &d.to_string());
                } else {
                    let days = (*d - jiff::civil::date(1970, 1, 1)).get_days();
                    let _ = write!(out, "{days}");
                }
            }
            (_, Value::DateTime(ts, _)) => {
                let us = ts.as_microsecond();
                if deep {
                    // The instant in UTC, as DuckDB reads a `TIMESTAMP`.
                    let utc = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
                    text(out, &utc.strftime("%Y-%m-%d %H:%M:%S%.6f").to_string());
                } else {
                    let _ = write!(out, "{us}");
                }
            }
            (_, Value::Duration(d)) => match i64::try_from(d.as_micros()) {
                Ok(us) => {
                    let _ = write!(out, "{us}");
                }
                Err(_) => return false,
            },
            (Ty::List(inner), Value::List(items)) => {
                let deep = deep || matches!(**inner, Ty::Object(_) | Ty::List(_));
                array(out, items, |out, item| {
                    let start = out.len();
                    if !self.scalar(out, inner, item, name, deep) {
                        // The element is not held: the list's column is noted, the element null.
                        out.truncate(start);
                        out.extend_from_slice(b"null");
                        self.unread(&Ty::List(inner.clone()), name);
                    }
                });
            }
            (Ty::Object(shape), Value::Object(slots)) => {
                let fields = self.program.shapes.get(*shape).map_or(&[][..], |s| s.fields.as_slice());
                out.push(b'{');
                let mut first = true;
                for (f, v) in fields.iter().zip(slots.iter()) {
                    if matches!(v, Value::Missing) {
                        continue;
                    }
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    key(out, &f.name);
                    // In a list, the element is the column: any value not held costs the list.
                    let column = if deep { name.to_string() } else { format!("{name}.{}", f.name) };
                    let start = out.len();
                    if !self.scalar(out, &f.ty, v, &column, deep) {
                        out.truncate(start);
                        out.extend_from_slice(b"null");
                        if deep {
                            return false;
                        }
                        self.unread(&f.ty, &column);
                    }
                    // The offset it was written with beside it, in a list's object too (a field
                    // of the struct, as the table mapping has it).
                    if crate::sql::tables::offsets_of(&f.ty, Dialect::DuckDb).is_some() {
                        out.push(b',');
                        key(out, &crate::sql::tables::offset_column(&f.name));
                        offset(out, v);
                    }
                }
                out.push(b'}');
            }
            // A value of another kind than its field's: readers never make one.
            _ => return false,
        }
        true
    }
}

/// `n` as exact decimal text the table's `DECIMAL(38, 10)` holds: at most 10 places and 28 digits
/// before the point; `None` otherwise (the table would round it or fail).
fn decimal(n: crate::engine::num::Num) -> Option<String> {
    if n.denom() == 1 {
        let s = n.numer().to_string();
        return (s.trim_start_matches('-').len() <= 28).then_some(s);
    }
    if n.terminating_places()? > 10 {
        return None;
    }
    let (s, exact) = n.to_decimal(0, 10, 10);
    let whole = s.trim_start_matches('-').split('.').next().unwrap_or("");
    (exact && whole.len() <= 28).then_some(s)
}

/// The type `read_json` reads field type `ty` of a copy as: what the copy's `Writer` writes for it.
pub fn column_type(program: &Program, ty: &Ty) -> String {
    let d = Dialect::DuckDb;
    match ty {
        Ty::Text | Ty::Enum(_) | Ty::Dec | Ty::Money(_) => "VARCHAR".into(),
        Ty::Int | Ty::DateTime | Ty::Duration => "BIGINT".into(),
        Ty::Bool => "BOOLEAN".into(),
        Ty::Date => "INTEGER".into(),
        Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)) => {
            crate::sql::tables::columns_type(program, ty, d).unwrap_or_else(|| "JSON".into())
        }
        Ty::List(inner) => format!("{}[]", column_type(program, inner)),
        Ty::Object(inner) => {
            let mut fields = Vec::new();
            for f in program.shapes.get(*inner).map_or(&[][..], |s| s.fields.as_slice()) {
                fields.push(format!("{} {}", d.ident(&f.name), column_type(program, &f.ty)));
                if let Some(t) = crate::sql::tables::offsets_of(&f.ty, d) {
                    fields.push(format!("{} {t}", d.ident(&crate::sql::tables::offset_column(&f.name))));
                }
            }
            format!("STRUCT({})", fields.join(", "))
        }
        Ty::BusinessDays | Ty::Set(_) => "JSON".into(),
    }
}

/// Column `x` of a copy (of [`column_type`]) as the table's type `sql` for field type `ty`.
pub fn column_value(ty: &Ty, x: &str, sql: &str) -> String {
    match ty {
        Ty::Date => format!("CAST(DATE '1970-01-01' + {x} AS {sql})"),
        Ty::DateTime => format!("make_timestamp({x})"),
        Ty::List(inner) if matches!(**inner, Ty::Date | Ty::DateTime) => {
            let each = column_value(inner, "precept_item", "DATE");
            format!("list_transform({x}, lambda precept_item: {each})")
        }
        Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)) => x.to_string(),
        _ => format!("CAST({x} AS {sql})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::num::Num;

    #[test]
    fn a_row_keeps_the_line_and_position_in_file_order() {
        let rows: Vec<i64> = [(0, 1), (1, 3), (2, 3), (3, 10)].iter().filter_map(|&(o, l)| row(o, l)).collect();
        assert_eq!(rows.len(), 4);
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(rows.iter().map(|&r| place(r)).collect::<Vec<_>>(), vec![(0, 1), (1, 3), (2, 3), (3, 10)]);
        assert_eq!(place(row((1 << 31) - 1, (1 << 32) - 1).unwrap()), ((1 << 31) - 1, (1 << 32) - 1));
        assert_eq!(row(1 << 31, 1 << 31), None);
        assert_eq!(row(0, 1 << 32), None);
    }

    #[test]
    fn decimals_are_written_exactly_or_not_at_all() {
        let dec = |s: &str| decimal(Num::parse(s).unwrap());
        assert_eq!(dec("12.50").as_deref(), Some("12.5"));
        assert_eq!(dec("-0.0000000001").as_deref(), Some("-0.0000000001"));
        assert_eq!(dec("7").as_deref(), Some("7"));
        // More places than the table's 10, or more than 28 digits before the point.
        assert_eq!(dec("2.49999999999"), None);
        assert_eq!(dec(&"9".repeat(29)), None);
        assert_eq!(dec(&"9".repeat(28)).map(|s| s.len()), Some(28));
    }
}
