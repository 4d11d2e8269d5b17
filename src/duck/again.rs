//! The records of a Parquet file that DuckDB cannot judge, read again as the native engine's
//! records: a record holding a value that did not convert has, in the native engine, outcomes
//! that depend on that value (it *cannot be determined*, or a rule breaks whatever the value is),
//! which the SQL, where the value is NULL, cannot tell from a missing value. So such a record is
//! judged natively, as a JSON Lines or CSV record with an unreadable value is; no native reader
//! reads Parquet, so its values are taken from DuckDB's conversion ([`super::load::view`]), and
//! each value that did not convert is [`Value::Unreadable`] with the message of its diagnostic.

use std::collections::HashMap;

use duckdb::types::{TimeUnit, Value as Duck};

use super::load::{Col, Leaf};
use crate::data::{ReadRecord, Unreadable};
use crate::diagnostics::Diag;
use crate::engine::blame::Step;
use crate::engine::types::{Field, Ty};
use crate::engine::value::Value;
use crate::engine::Program;

/// What the query gives for one leaf of a record.
#[derive(Default)]
struct Cell {
    /// The value as converted (NULL where it did not convert).
    value: Option<Duck>,
    /// A datetime's offset in seconds (a list of datetimes': the list of each one's).
    offset: Option<Duck>,
    /// The value's text before conversion (a list's elements each), where it may not convert.
    raw: Option<Duck>,
    /// Whether the record has the object (for a presence column).
    present: Option<bool>,
}

/// The records one query reads, one at a time as the caller asks for them by row, read on a
/// thread of their own at most a batch ahead (so memory stays bounded however many there are).
pub(super) struct Reader<'s> {
    batches: super::Batches,
    thread: std::thread::ScopedJoinHandle<'s, Result<(), Diag>>,
}

impl<'s> Reader<'s> {
    /// Start reading the records of `again` (of schema `schema`) on `conn`, a connection of the
    /// run's own.
    pub(super) fn start<'e>(
        scope: &'s std::thread::Scope<'s, 'e>,
        conn: duckdb::Connection,
        (program, schema): (&'e Program, usize),
        again: &'e super::load::Again,
        (what, settings): (String, &'e super::Settings),
    ) -> Reader<'s> {
        let (send, batches) = std::sync::mpsc::sync_channel(1);
        let thread = scope.spawn(move || {
            let leaves = super::load::leaves(program, schema);
            let mut batch = Vec::new();
            super::stream(&conn, &again.select, &what, settings, |row| {
                batch.push(record(program, schema, &leaves, &again.layout, row)?);
                if batch.len() >= crate::pipeline::BATCH {
                    // Once the receiver is gone, nothing more is wanted.
                    let _ = send.send(std::mem::take(&mut batch));
                }
                Ok(())
            })?;
            let _ = send.send(batch);
            Ok(())
        });
        Reader { batches: super::Batches::new(batches), thread }
    }

    /// The record at `row` (from 1), skipping those before it; `None` when there is none.
    pub(super) fn take(&mut self, row: usize) -> Option<ReadRecord> {
        self.batches.take(|rec| rec.line, row)
    }

    /// DuckDB's failure, if the query failed.
    pub(super) fn finish(self) -> Option<Diag> {
        drop(self.batches);
        match self.thread.join() {
            Ok(done) => done.err(),
            Err(_) => Some(
                Diag::error("precept::engine::duckdb", "reading a Parquet file's records again stopped unexpectedly")
                    .help("check the file with the native engine (`--engine native`) after converting it"),
            ),
        }
    }
}

/// The record of one row of [`super::load::Again::select`].
fn record(
    program: &Program,
    schema: usize,
    leaves: &[Leaf<'_>],
    layout: &[(usize, Col)],
    row: &duckdb::Row<'_>,
) -> Result<ReadRecord, duckdb::Error> {
    let at: i64 = row.get(0)?;
    let mut cells: HashMap<&str, Cell> = HashMap::new();
    let mut column = 1;
    let mut next = || -> Result<Duck, duckdb::Error> {
        let v = row.get::<_, Duck>(column);
        column += 1;
        v
    };
    for (k, col) in layout {
        let Some(leaf) = leaves.get(*k) else { continue };
        let cell = match col {
            Col::Presence => Cell { present: Some(matches!(next()?, Duck::Boolean(true))), ..Cell::default() },
            Col::Value { offset, raw } => Cell {
                value: some(next()?),
                offset: if *offset { some(next()?) } else { None },
                raw: if *raw { some(next()?) } else { None },
                present: None,
            },
        };
        cells.insert(leaf.name.as_str(), cell);
    }
    let line = usize::try_from(at).unwrap_or(1).max(1);
    let mut build = Build { program, cells: &cells, unreadable: Vec::new(), path: Vec::new() };
    let shape = program.schemas.get(schema).map_or(0, |s| s.shape);
    let values = build.object(shape, "");
    Ok(ReadRecord { ordinal: line - 1, line, values: values.into(), unreadable: build.unreadable, raw: None })
}

fn some(v: Duck) -> Option<Duck> {
    (v != Duck::Null).then_some(v)
}

/// A record's values built from its cells.
struct Build<'a> {
    program: &'a Program,
    cells: &'a HashMap<&'a str, Cell>,
    unreadable: Vec<Unreadable>,
    /// The slots and indices to the value being built.
    path: Vec<Step>,
}

impl Build<'_> {
    /// The slots of an object of shape `shape` whose fields' columns are named from `prefix`.
    fn object(&mut self, shape: usize, prefix: &str) -> Vec<Value> {
        let fields: &[Field] = self.program.shapes.get(shape).map_or(&[], |s| s.fields.as_slice());
        let mut slots = Vec::with_capacity(fields.len());
        for (slot, f) in fields.iter().enumerate() {
            let name = if prefix.is_empty() { f.name.clone() } else { format!("{prefix}.{}", f.name) };
            self.path.push(Step::Field(u16::try_from(slot).unwrap_or(u16::MAX)));
            let v = match &f.ty {
                Ty::Object(inner) => {
                    if !f.optional || self.present(*inner, &name) {
                        Value::Object(self.object(*inner, &name).into())
                    } else {
                        Value::Missing
                    }
                }
                ty => match self.cells.get(name.as_str()) {
                    Some(cell) => self.leaf(f, ty, &name, cell),
                    None => absent(f),
                },
            };
            self.path.pop();
            slots.push(v);
        }
        slots
    }

    /// Whether the record has object `name` (of shape `shape`), as the SQL tells it: by the
    /// value of a required field inside it (one that did not convert counts, as in JSON), else by
    /// its presence column; an object no rule reads is absent.
    fn present(&self, shape: usize, name: &str) -> bool {
        let mut path = Vec::new();
        if crate::sql::tables::presence_leaf(self.program, shape, &mut path) {
            let leaf = format!("{name}.{}", path.join("."));
            return self.cells.get(leaf.as_str()).is_some_and(|c| c.value.is_some() || c.raw.is_some());
        }
        self.cells.get(name).and_then(|c| c.present).unwrap_or(false)
    }

    /// The value of leaf field `f` (type `ty`, column `name`).
    fn leaf(&mut self, f: &Field, ty: &Ty, name: &str, cell: &Cell) -> Value {
        match (ty, &cell.value) {
            (Ty::List(inner), Some(Duck::List(items))) => {
                let raws = match &cell.raw {
                    Some(Duck::List(raws)) => raws.as_slice(),
                    _ => &[],
                };
                // A list of datetimes' offsets, each at its datetime's position.
                let offsets = match &cell.offset {
                    Some(Duck::List(offsets)) => offsets.as_slice(),
                    _ => &[],
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Step::Index(u32::try_from(i).unwrap_or(u32::MAX)));
                    let shown = format!("{name}[{i}]");
                    let v = match item {
                        Duck::Null => {
                            let message = match raws.get(i) {
                                Some(Duck::Text(t)) => bad_value(&shown, inner, t),
                                _ => format!("`{shown}` is null, not {}", crate::data::expected_type(inner)),
                            };
                            self.unreadable(message)
                        }
                        item => {
                            let raw = match raws.get(i) {
                                Some(Duck::Text(t)) => Some(t.as_str()),
                                _ => None,
                            };
                            self.scalar(inner, item, offsets.get(i), &shown, raw)
                        }
                    };
                    self.path.pop();
                    out.push(v);
                }
                Value::List(out.into())
            }
            (_, None) => match &cell.raw {
                Some(Duck::Text(t)) => {
                    let message = bad_value(name, ty, t);
                    self.unreadable(message)
                }
                Some(Duck::List(raws)) => {
                    let texts: Vec<&str> =
                        raws.iter().map(|r| if let Duck::Text(t) = r { t.as_str() } else { "null" }).collect();
                    let message = bad_value(name, ty, &format!("[{}]", texts.join(", ")));
                    self.unreadable(message)
                }
                _ => absent(f),
            },
            (ty, Some(v)) => {
                let raw = match &cell.raw {
                    Some(Duck::Text(t)) => Some(t.as_str()),
                    _ => None,
                };
                self.scalar(ty, v, cell.offset.as_ref(), name, raw)
            }
        }
    }

    /// A converted value `v` of type `ty` (`offset` for a datetime; `raw` its text, to quote).
    fn scalar(&mut self, ty: &Ty, v: &Duck, offset: Option<&Duck>, name: &str, raw: Option<&str>) -> Value {
        match value(self.program, ty, v, offset) {
            Some(v) => v,
            None => {
                let mut text = raw.map_or_else(|| shown(v), str::to_string);
                // (As the row's diagnostic quotes it: the offset the engine cannot hold.)
                if let (Ty::DateTime, Some(o), None) = (ty, offset, held_offset(offset)) {
                    text.push_str(&format!(" at offset {} seconds", shown(o)));
                }
                let message = bad_value(name, ty, &text);
                self.unreadable(message)
            }
        }
    }

    fn unreadable(&mut self, message: String) -> Value {
        let i = u32::try_from(self.unreadable.len()).unwrap_or(crate::engine::value::NOT_KEPT);
        self.unreadable.push(Unreadable { path: self.path.clone(), message });
        Value::Unreadable(i)
    }
}

/// A field the record does not hold: a list the schema requires is empty, as the native reader
/// reads one absent.
fn absent(f: &Field) -> Value {
    if f.used && !f.optional && matches!(f.ty, Ty::List(_)) {
        Value::List(Box::default())
    } else {
        Value::Missing
    }
}

/// As the file's diagnostic says it: "`replies` is not a whole number: `12.7`".
fn bad_value(name: &str, ty: &Ty, text: &str) -> String {
    format!("`{name}` is not {}: `{}`", super::what_a_value_is(ty), crate::data::clip_value(text))
}

/// DuckDB's value `v`, in the table mapping's type for `ty`, as the engine's; `None` where it is
/// not one (an enumeration's text outside it).
fn value(program: &Program, ty: &Ty, v: &Duck, offset: Option<&Duck>) -> Option<Value> {
    Some(match (ty, v) {
        (Ty::Text, Duck::Text(t)) => Value::Text(t.as_str().into()),
        (Ty::Enum(e), Duck::Text(t) | Duck::Enum(t)) => {
            let variants = &program.enums.get(*e)?.variants;
            Value::Enum(u32::try_from(variants.iter().position(|x| x == t)?).ok()?)
        }
        (Ty::Int, v) => Value::Int(whole(v)?),
        (Ty::Duration, v) => Value::Duration(jiff::SignedDuration::from_micros(whole(v)?)),
        (Ty::Dec, Duck::Decimal(d)) => Value::Dec(decimal(*d)?),
        (Ty::Money(_), Duck::Decimal(d)) => Value::Money(decimal(*d)?),
        (Ty::Bool, Duck::Boolean(b)) => Value::Bool(*b),
        (Ty::Date, Duck::Date32(days)) => Value::Date(
            jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().try_days(i64::from(*days)).ok()?).ok()?,
        ),
        (Ty::DateTime, Duck::Timestamp(unit, n)) => {
            let micros = match unit {
                TimeUnit::Second => n.checked_mul(1_000_000)?,
                TimeUnit::Millisecond => n.checked_mul(1_000)?,
                TimeUnit::Microsecond => *n,
                TimeUnit::Nanosecond => n / 1_000,
            };
            let at = jiff::Timestamp::from_microsecond(micros).ok()?;
            Value::DateTime(at, held_offset(offset)?)
        }
        (Ty::Object(shape), Duck::Struct(fields)) => {
            let shape_fields: &[Field] = program.shapes.get(*shape).map_or(&[], |s| s.fields.as_slice());
            let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            let mut slots = Vec::with_capacity(shape_fields.len());
            for f in shape_fields {
                // (A value here is not checked when the file is read: one that is not of its
                // field's type reads as missing, as the SQL's struct holds none.)
                let v = match get(&f.name) {
                    None | Some(Duck::Null) => None,
                    Some(v) => value(program, &f.ty, v, get(&crate::sql::tables::offset_column(&f.name))),
                };
                slots.push(v.unwrap_or_else(|| absent(f)));
            }
            Value::Object(slots.into())
        }
        (Ty::List(inner), Duck::List(items)) => {
            // A list of datetimes' offsets, each at its datetime's position (none is UTC).
            let offsets = match offset {
                Some(Duck::List(offsets)) => offsets.as_slice(),
                _ => &[],
            };
            let items: Option<Vec<Value>> =
                items.iter().enumerate().map(|(i, x)| value(program, inner, x, offsets.get(i))).collect();
            Value::List(items?.into())
        }
        _ => return None,
    })
}

/// The offset `o` a datetime was written with, in seconds east of UTC (a whole number, or its
/// text): none is UTC; `None` where the engine cannot hold it (past ±25:59:59), so that the
/// datetime is one that did not convert, as such an offset written in JSON does not parse.
fn held_offset(o: Option<&Duck>) -> Option<i32> {
    let n = match o {
        None | Some(Duck::Null) => return Some(0),
        Some(Duck::Text(t)) => t.trim().parse::<i64>().ok()?,
        Some(o) => whole(o)?,
    };
    i32::try_from(n).ok().filter(|n| n.abs() <= crate::sql::tables::OFFSET_HELD)
}

/// A value DuckDB converted but the engine cannot hold (a date beyond its range, an offset past
/// ±25:59:59), as text.
fn shown(v: &Duck) -> String {
    match v {
        Duck::Text(t) | Duck::Enum(t) => t.clone(),
        Duck::Int(n) => n.to_string(),
        Duck::BigInt(n) => n.to_string(),
        Duck::Date32(d) => format!("{d} days from 1970-01-01"),
        Duck::Timestamp(_, n) => format!("{n} from 1970-01-01T00:00:00Z"),
        other => format!("{other:?}"),
    }
}

/// DuckDB's decimal (its scaled integer and scale) as the engine's exact number.
fn decimal(d: duckdb::types::Decimal) -> Option<crate::engine::num::Num> {
    crate::engine::num::Num::ratio(d.value(), 10i128.checked_pow(u32::from(d.scale()))?)
}

/// A whole number of any of DuckDB's integer types.
fn whole(v: &Duck) -> Option<i64> {
    match v {
        Duck::TinyInt(n) => Some(i64::from(*n)),
        Duck::SmallInt(n) => Some(i64::from(*n)),
        Duck::Int(n) => Some(i64::from(*n)),
        Duck::BigInt(n) => Some(*n),
        Duck::HugeInt(n) => i64::try_from(*n).ok(),
        Duck::UTinyInt(n) => Some(i64::from(*n)),
        Duck::USmallInt(n) => Some(i64::from(*n)),
        Duck::UInt(n) => Some(i64::from(*n)),
        Duck::UBigInt(n) => i64::try_from(*n).ok(),
        _ => None,
    }
}
