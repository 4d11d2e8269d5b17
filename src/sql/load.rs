//! Records as `INSERT` statements into their schema's table, in the mapping of [`super::tables`]:
//! how the differential tests put the engine's own reading of a fixture into a database, and a way
//! to load a few records by hand. Warehouses load their data with their own tools; this is not the
//! way to load millions of rows.

use super::dialect::Dialect;
use crate::engine::types::Ty;
use crate::engine::value::Value;
use crate::engine::Program;

/// A value that has no literal in the mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoLiteral(pub String);

/// `INSERT INTO <schema> VALUES (...)` for `records` (one slice of values per record, in the
/// schema's slots), or nothing when there are none.
///
/// # Errors
///
/// [`NoLiteral`] for a value the mapping cannot hold: a decimal with more than 10 places, an
/// instant or duration finer than a microsecond, or a value that could not be read.
pub fn insert(program: &Program, schema: usize, records: &[&[Value]], dialect: Dialect) -> Result<String, NoLiteral> {
    let Some(info) = program.schemas.get(schema) else { return Err(NoLiteral("no such schema".into())) };
    let mut rows = Vec::new();
    for values in records {
        let mut cells = Vec::new();
        flatten(program, info.shape, Some(values), false, dialect, &mut cells)?;
        rows.push(format!("({})", cells.join(", ")));
    }
    if rows.is_empty() {
        return Ok(String::new());
    }
    Ok(format!("INSERT INTO {} VALUES\n  {};\n", dialect.ident(&info.name), rows.join(",\n  ")))
}

/// `nullable`: the object of `shape` is optional or inside one that is.
fn flatten(
    program: &Program,
    shape: usize,
    values: Option<&[Value]>,
    nullable: bool,
    dialect: Dialect,
    out: &mut Vec<String>,
) -> Result<(), NoLiteral> {
    let Some(shape) = program.shapes.get(shape) else { return Ok(()) };
    for (slot, f) in shape.fields.iter().enumerate() {
        let v = values.and_then(|vs| vs.get(slot)).unwrap_or(&Value::Missing);
        match &f.ty {
            Ty::Object(inner) => {
                let inner_values = match v {
                    Value::Object(slots) => Some(slots.as_ref()),
                    _ => None,
                };
                if super::tables::has_presence_column(program, f, nullable || f.optional) {
                    out.push(if inner_values.is_some() { "TRUE" } else { "FALSE" }.into());
                }
                flatten(program, *inner, inner_values, nullable || f.optional, dialect, out)?;
            }
            ty => {
                if super::tables::scalar(ty).is_some() || matches!(ty, Ty::List(_)) {
                    out.push(literal(program, ty, v, dialect)?);
                }
                if super::tables::offsets_of(ty, dialect).is_some() {
                    out.push(offset_literal(v, dialect));
                }
            }
        }
    }
    Ok(())
}

/// The literal of a datetime's offset column ([`super::tables::offset_column`]): the seconds east
/// of UTC it was written with; of a list of datetimes', the list of each one's; NULL for a missing
/// value.
fn offset_literal(v: &Value, dialect: Dialect) -> String {
    match v {
        Value::DateTime(_, off) => format!("CAST({off} AS {})", super::tables::OFFSET_TYPE),
        Value::List(items) => {
            let offs: Vec<String> = items.iter().map(|i| offset_literal(i, dialect)).collect();
            let t = super::tables::offsets_type(dialect);
            match dialect {
                Dialect::DuckDb => format!("CAST([{}] AS {t})", offs.join(", ")),
                Dialect::Postgres => format!("CAST(ARRAY[{}] AS {t})", offs.join(", ")),
                Dialect::Spark => format!("CAST(array({}) AS {t})", offs.join(", ")),
            }
        }
        _ => "NULL".to_string(),
    }
}

/// The SQL literal of value `v` of type `ty`.
pub fn literal(program: &Program, ty: &Ty, v: &Value, dialect: Dialect) -> Result<String, NoLiteral> {
    Ok(match (ty, v) {
        (_, Value::Missing) => "NULL".to_string(),
        (_, Value::Unreadable(_) | Value::NoAnswer(_)) => {
            return Err(NoLiteral("a value that could not be read".into()))
        }
        (_, Value::Bool(b)) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        (_, Value::Int(i)) => format!("CAST({i} AS BIGINT)"),
        (_, Value::Dec(n) | Value::Money(n)) => match n.terminating_places() {
            Some(p) if p <= 10 => format!("CAST('{}' AS DECIMAL(38, 10))", n.to_decimal(0, 0, 0).0),
            _ => return Err(NoLiteral(format!("{n} has more than 10 decimal places"))),
        },
        (_, Value::Text(t)) => dialect.text(t),
        (Ty::Enum(e), Value::Enum(i)) => {
            let name = program.enums.get(*e).and_then(|d| d.variants.get(*i as usize));
            dialect.text(name.ok_or_else(|| NoLiteral("an enumeration value out of range".into()))?)
        }
        (_, Value::Date(d)) => format!("DATE '{d}'"),
        (_, Value::DateTime(ts, _)) if ts.subsec_nanosecond() % 1000 == 0 => super::calendar::timestamp_literal(*ts),
        (_, Value::Duration(d)) if d.subsec_nanos() % 1000 == 0 => format!("CAST({} AS BIGINT)", d.as_micros()),
        (Ty::List(inner), Value::List(items)) => {
            let items: Result<Vec<String>, NoLiteral> =
                items.iter().map(|i| literal(program, inner, i, dialect)).collect();
            let items = items?;
            match dialect {
                Dialect::DuckDb if items.is_empty() => {
                    let t = super::tables::columns_type(program, ty, dialect).unwrap_or_default();
                    format!("CAST([] AS {t})")
                }
                Dialect::DuckDb => format!("[{}]", items.join(", ")),
                Dialect::Postgres if dialect.jsonb(ty) => {
                    format!("CAST({} AS JSONB)", dialect.text(&json(program, ty, v)?.to_string()))
                }
                Dialect::Postgres => {
                    let t = super::tables::columns_type(program, ty, dialect).unwrap_or_default();
                    format!("CAST(ARRAY[{}] AS {t})", items.join(", "))
                }
                Dialect::Spark => format!("array({})", items.join(", ")),
            }
        }
        (Ty::Object(shape), Value::Object(slots)) => {
            let Some(sh) = program.shapes.get(*shape) else { return Err(NoLiteral("no such shape".into())) };
            let mut fields = Vec::new();
            for (f, v) in sh.fields.iter().zip(slots.iter()) {
                let mut field = |name: &str, lit: String| {
                    fields.push(match dialect {
                        Dialect::Spark => format!("{}, {lit}", dialect.text(name)),
                        _ => format!("{}: {lit}", dialect.text(name)),
                    });
                };
                field(&f.name, literal(program, &f.ty, v, dialect)?);
                if super::tables::offsets_of(&f.ty, dialect).is_some() {
                    field(&super::tables::offset_column(&f.name), offset_literal(v, dialect));
                }
            }
            match dialect {
                Dialect::Spark => format!("named_struct({})", fields.join(", ")),
                _ => format!("{{{}}}", fields.join(", ")),
            }
        }
        _ => return Err(NoLiteral("a value finer than a microsecond, or not of its field's type".into())),
    })
}

/// A list of objects or of lists as PostgreSQL's `JSONB` column holds it (docs/warehouse.md):
/// arrays of arrays, objects with their fields by name, a missing value `null`, text and
/// enumerations as strings, whole numbers as numbers, decimals as text (exactly), durations as
/// microseconds, dates `YYYY-MM-DD`, instants as UTC timestamps `YYYY-MM-DD HH:MM:SS.ffffff`: each
/// field's `->>` text casts to the SQL type the mapping gives it.
fn json(program: &Program, ty: &Ty, v: &Value) -> Result<serde_json::Value, NoLiteral> {
    use serde_json::Value as J;
    Ok(match (ty, v) {
        (_, Value::Missing) => J::Null,
        (_, Value::Unreadable(_) | Value::NoAnswer(_)) => {
            return Err(NoLiteral("a value that could not be read".into()))
        }
        (_, Value::Bool(b)) => J::Bool(*b),
        (_, Value::Int(i)) => J::from(*i),
        (_, Value::Dec(n) | Value::Money(n)) => match n.terminating_places() {
            // As text: a JSON number would go through a float on the way.
            Some(p) if p <= 10 => J::String(n.to_decimal(0, 0, 0).0),
            _ => return Err(NoLiteral(format!("{n} has more than 10 decimal places"))),
        },
        (_, Value::Text(t)) => J::String(t.to_string()),
        (Ty::Enum(e), Value::Enum(i)) => {
            let name = program.enums.get(*e).and_then(|d| d.variants.get(*i as usize));
            J::String(name.ok_or_else(|| NoLiteral("an enumeration value out of range".into()))?.clone())
        }
        (_, Value::Date(d)) => J::String(d.to_string()),
        (_, Value::DateTime(ts, _)) if ts.subsec_nanosecond() % 1000 == 0 => {
            J::String(ts.strftime("%Y-%m-%d %H:%M:%S%.6f").to_string())
        }
        (_, Value::Duration(d)) if d.subsec_nanos() % 1000 == 0 => {
            J::from(i64::try_from(d.as_micros()).map_err(|_| NoLiteral(format!("{d:?} is too long")))?)
        }
        (Ty::List(inner), Value::List(items)) => {
            J::Array(items.iter().map(|i| json(program, inner, i)).collect::<Result<_, _>>()?)
        }
        (Ty::Object(shape), Value::Object(slots)) => {
            let Some(sh) = program.shapes.get(*shape) else { return Err(NoLiteral("no such shape".into())) };
            let mut fields = serde_json::Map::new();
            for (f, v) in sh.fields.iter().zip(slots.iter()) {
                fields.insert(f.name.clone(), json(program, &f.ty, v)?);
                match (&f.ty, v) {
                    (Ty::DateTime, Value::DateTime(_, off)) => {
                        fields.insert(super::tables::offset_column(&f.name), J::from(*off));
                    }
                    // A list of datetimes: the offset of each, in order.
                    (Ty::List(inner), Value::List(items)) if matches!(**inner, Ty::DateTime) => {
                        let offs = items.iter().map(|i| match i {
                            Value::DateTime(_, off) => J::from(*off),
                            _ => J::Null,
                        });
                        fields.insert(super::tables::offset_column(&f.name), J::Array(offs.collect()));
                    }
                    _ => {}
                }
            }
            J::Object(fields)
        }
        _ => return Err(NoLiteral("a value finer than a microsecond, or not of its field's type".into())),
    })
}
