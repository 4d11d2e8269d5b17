//! The table mapping: which table and columns hold a schema's records in the warehouse.
//!
//! One table per schema, named as the schema. One column per scalar field, named by its dotted path
//! from the record (`customer.kind`) so that a column is named exactly as findings name the field
//! they blame; nested objects are flattened into such columns. A list of scalars is an array column;
//! a list of objects an array of structs (a `JSONB` column in PostgreSQL). A datetime column holds
//! the instant in UTC, and its companion column [`offset_column`] the offset it was written with,
//! which the engine reads a datetime's day at (a list of datetimes: a list of offsets, element by
//! element, [`offsets_type`]). An object that may be missing and has no field
//! whose column tells it present has a `BOOLEAN` column of its own ([`has_presence_column`]).
//! docs/warehouse.md gives the reasons.

use super::dialect::{Dialect, SqlType};
use crate::engine::types::{Field, ShapeId, Ty};
use crate::engine::Program;

/// One column of a schema's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name: the field's dotted path (`customer.kind`).
    pub name: String,
    /// Its SQL type, as the dialect writes it.
    pub ty: String,
    /// The field (or an object it is inside) may be missing, so the column may hold NULL.
    pub nullable: bool,
    /// How deep its lists go: 0 for a single value (an offsets column too), 1 for a list (an array,
    /// or PostgreSQL's `JSONB` of objects or lists) whose elements are never NULL, 2 for a list of
    /// lists of them, ...
    pub depth: usize,
    /// The column holds the offsets a datetime, or a list of datetimes, was written with
    /// ([`offset_column`]), not a field of its own.
    pub offset: bool,
}

/// The SQL type that holds a scalar Precept type, if it is one.
pub fn scalar(ty: &Ty) -> Option<SqlType> {
    Some(match ty {
        Ty::Text | Ty::Enum(_) => SqlType::Text,
        Ty::Int | Ty::Duration => SqlType::Int,
        Ty::Dec | Ty::Money(_) => SqlType::Decimal,
        Ty::Bool => SqlType::Bool,
        Ty::Date => SqlType::Date,
        Ty::DateTime => SqlType::Timestamp,
        Ty::BusinessDays | Ty::List(_) | Ty::Object(_) | Ty::Set(_) => return None,
    })
}

/// The columns of schema `schema`'s table, in the order its fields are declared.
pub fn columns(program: &Program, schema: usize, dialect: Dialect) -> Vec<Column> {
    let mut out = Vec::new();
    if let Some(info) = program.schemas.get(schema) {
        flatten(program, info.shape, "", false, dialect, &mut out);
    }
    out
}

fn flatten(program: &Program, shape: usize, prefix: &str, nullable: bool, dialect: Dialect, out: &mut Vec<Column>) {
    let Some(shape) = program.shapes.get(shape) else { return };
    for f in &shape.fields {
        let name = if prefix.is_empty() { f.name.clone() } else { format!("{prefix}.{}", f.name) };
        let nullable = nullable || f.optional;
        match &f.ty {
            Ty::Object(inner) => {
                if has_presence_column(program, f, nullable) {
                    out.push(Column {
                        name: name.clone(),
                        ty: dialect.ty(SqlType::Bool).into(),
                        nullable: true,
                        depth: 0,
                        offset: false,
                    });
                }
                flatten(program, *inner, &name, nullable, dialect, out)
            }
            ty => {
                if let Some(sql) = type_name(program, ty, dialect) {
                    out.push(Column { name: name.clone(), ty: sql, nullable, depth: depth(ty), offset: false });
                    if let Some(t) = offsets_of(ty, dialect) {
                        // NULL is UTC, so the column may always be left empty (docs/warehouse.md).
                        out.push(Column { name: offset_column(&name), ty: t, nullable: true, depth: 0, offset: true });
                    }
                }
            }
        }
    }
}

/// How many lists deep a value of type `ty` is: 0 for a single value, 1 for a list, 2 for a list
/// of lists, ...
fn depth(ty: &Ty) -> usize {
    match ty {
        Ty::List(inner) => 1 + depth(inner),
        _ => 0,
    }
}

/// Whether object field `f` (`nullable`: it or an object it is inside is optional) has a
/// `BOOLEAN` column of its own, named by its dotted path (`claim`), TRUE where the record has the
/// object. Only an object that may be missing and has no field that tells it present needs one
/// (see [`presence_leaf`]), and only when a rule reads it. No field can be both an object and a
/// value, so the name never collides with a field's column.
pub fn has_presence_column(program: &Program, f: &Field, nullable: bool) -> bool {
    match f.ty {
        Ty::Object(inner) => nullable && f.used && !presence_leaf(program, inner, &mut Vec::new()),
        _ => false,
    }
}

/// Push onto `path` the names down to a field of an object of `shape` whose column is not NULL
/// wherever the object is present, and say whether there is one: a required single value some
/// rule reads, through required nested objects, depth first. The engine skips a record whose
/// object lacks such a field, but a required field no rule reads is never looked for, and a
/// required list reads as empty when absent, so neither tells.
pub fn presence_leaf(program: &Program, shape: ShapeId, path: &mut Vec<String>) -> bool {
    let Some(sh) = program.shapes.get(shape) else { return false };
    for f in sh.fields.iter().filter(|f| !f.optional && f.used) {
        path.push(f.name.clone());
        let found = match f.ty {
            Ty::Object(inner) => presence_leaf(program, inner, path),
            ref t => scalar(t).is_some(),
        };
        if found {
            return true;
        }
        path.pop();
    }
    false
}

/// The SQL type of an offset column: seconds east of UTC (`3600` for `+01:00`).
pub const OFFSET_TYPE: &str = "INTEGER";

/// The SQL type of the offsets of a list of datetimes: a list of [`OFFSET_TYPE`], the offset of
/// each datetime at its position. A NULL list, a NULL element or a list shorter than the
/// datetimes' is UTC where it holds none, as a NULL offset column is, so that a warehouse that
/// kept only the instants may leave it out.
pub fn offsets_type(dialect: Dialect) -> String {
    match dialect {
        Dialect::Spark => format!("ARRAY<{OFFSET_TYPE}>"),
        Dialect::DuckDb | Dialect::Postgres => format!("{OFFSET_TYPE}[]"),
    }
}

/// The type of the offsets column (or struct field) beside a field of type `ty`: a datetime's
/// ([`OFFSET_TYPE`]), a list of datetimes' ([`offsets_type`]), `None` for others.
pub fn offsets_of(ty: &Ty, dialect: Dialect) -> Option<String> {
    match ty {
        Ty::DateTime => Some(OFFSET_TYPE.into()),
        Ty::List(inner) if matches!(**inner, Ty::DateTime) => Some(offsets_type(dialect)),
        _ => None,
    }
}

/// The column holding the offset the datetime at dotted path `path` was written with, in seconds
/// east of UTC: `opened_at.offset`. No field can be both an object (whose fields would be
/// `opened_at.*`) and a datetime, so the name never collides with a field's column. The engine
/// takes a datetime's day at that offset (role questions, `day(x)` without a calendar, months
/// added), which the instant alone does not tell: `2024-03-01T00:30:00+01:00` is 1 March there
/// and 29 February in UTC.
pub fn offset_column(path: &str) -> String {
    format!("{path}.offset")
}

/// The offset fields of objects in lists, as `(list column, offset field)`: `("actions",
/// "at.offset")` for a list `actions` of objects with a datetime (or a list of datetimes) `at`
/// (one level of lists: a list in a list's objects is not searched).
pub fn list_offsets(program: &Program, schema: usize) -> Vec<(String, String)> {
    fn walk(program: &Program, shape: usize, prefix: &str, out: &mut Vec<(String, String)>) {
        let Some(shape) = program.shapes.get(shape) else { return };
        for f in &shape.fields {
            let name = if prefix.is_empty() { f.name.clone() } else { format!("{prefix}.{}", f.name) };
            match &f.ty {
                Ty::Object(inner) => walk(program, *inner, &name, out),
                Ty::List(inner) => {
                    if let Ty::Object(el) = inner.as_ref() {
                        for g in program.shapes.get(*el).map_or(&[][..], |s| s.fields.as_slice()) {
                            if offsets_of(&g.ty, Dialect::DuckDb).is_some() {
                                out.push((name.clone(), offset_column(&g.name)));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Some(info) = program.schemas.get(schema) {
        walk(program, info.shape, "", &mut out);
    }
    out
}

/// The SQL type of a column holding values of type `ty` (a list's type, for an empty list literal):
/// an object in a list is a struct whose datetime fields (and lists of datetimes) each have their
/// offset field after them (`"at.offset"`, as [`offset_column`] names a column).
pub fn columns_type(program: &Program, ty: &Ty, dialect: Dialect) -> Option<String> {
    type_name(program, ty, dialect)
}

/// The fields of an object's struct type: `name TYPE` (`name: TYPE` in Spark), with each
/// datetime's (or list of datetimes') offset field after it.
fn struct_fields(program: &Program, shape: usize, dialect: Dialect) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for f in &program.shapes.get(shape)?.fields {
        let Some(t) = type_name(program, &f.ty, dialect) else { continue };
        let mut field = |name: &str, t: &str| {
            out.push(match dialect {
                Dialect::Spark => format!("{}: {t}", dialect.ident(name)),
                _ => format!("{} {t}", dialect.ident(name)),
            });
        };
        field(&f.name, &t);
        if let Some(o) = offsets_of(&f.ty, dialect) {
            field(&offset_column(&f.name), &o);
        }
    }
    Some(out)
}

/// The SQL type of a field of type `ty`, lists and objects in lists included.
fn type_name(program: &Program, ty: &Ty, dialect: Dialect) -> Option<String> {
    if let Some(s) = scalar(ty) {
        return Some(dialect.ty(s).to_string());
    }
    if dialect.jsonb(ty) {
        return Some("JSONB".to_string());
    }
    match ty {
        Ty::List(inner) => match (inner.as_ref(), dialect) {
            (Ty::Object(shape), _) => {
                let fields = struct_fields(program, *shape, dialect)?;
                Some(match dialect {
                    Dialect::Spark => format!("ARRAY<STRUCT<{}>>", fields.join(", ")),
                    _ => format!("STRUCT({})[]", fields.join(", ")),
                })
            }
            // A list of lists: an array of arrays (`JSONB` in PostgreSQL, above).
            (Ty::List(_), Dialect::Spark) => Some(format!("ARRAY<{}>", type_name(program, inner, dialect)?)),
            (Ty::List(_), _) => Some(format!("{}[]", type_name(program, inner, dialect)?)),
            (inner, _) => Some(dialect.list_ty(scalar(inner)?)),
        },
        Ty::Object(shape) => {
            // An object inside a list element is a struct of its own.
            let fields = struct_fields(program, *shape, dialect)?;
            Some(match dialect {
                Dialect::Spark => format!("STRUCT<{}>", fields.join(", ")),
                _ => format!("STRUCT({})", fields.join(", ")),
            })
        }
        _ => None,
    }
}

/// DuckDB's test that list `x`, of lists `depth` deep (1 for a list of values), holds no NULL,
/// nor does any list inside it: each level flattened in turn (a `CHECK` takes no lambda).
fn duck_no_null(x: &str, depth: usize) -> String {
    let mut level = x.to_string();
    let mut tests = Vec::new();
    for _ in 0..depth.max(1) {
        tests.push(format!("list_count({level}) = len({level})"));
        level = format!("flatten({level})");
    }
    tests.join(" AND ")
}

/// The most seconds an offset may be from UTC: jiff's ±25:59:59, the engine's.
pub const OFFSET_HELD: i32 = 25 * 3600 + 59 * 60 + 59;

/// The `CHECK` that offset column `x` (of SQL type `ty`: one offset, or a list of them) holds
/// only offsets the engine holds. No lambda: a `CHECK` takes none in DuckDB.
fn offsets_held(x: &str, ty: &str, dialect: Dialect) -> String {
    let m = OFFSET_HELD;
    match (ty == OFFSET_TYPE, dialect) {
        (true, _) => format!(" CHECK ({x} BETWEEN -{m} AND {m})"),
        (false, Dialect::DuckDb) => format!(" CHECK (list_min({x}) >= -{m} AND list_max({x}) <= {m})"),
        (false, _) => format!(" CHECK (-{m} <= ALL ({x}) AND {m} >= ALL ({x}))"),
    }
}

/// `CREATE TABLE` for schema `schema`'s table: the shape `precept sql`'s queries read. A list's
/// column refuses a NULL element where the dialect can say so: the engine cannot read a record
/// whose list holds a null (a rule reading it cannot be determined), which a query has no way to
/// say, so such a row is refused where it is loaded, as a value of the wrong type is.
pub fn create_table(program: &Program, schema: usize, dialect: Dialect) -> Option<String> {
    let info = program.schemas.get(schema)?;
    let cols: Vec<String> = columns(program, schema, dialect)
        .iter()
        .map(|c| {
            let ident = dialect.ident(&c.name);
            let required = if c.nullable { "" } else { " NOT NULL" };
            let check = match (c.depth > 0, dialect) {
                // An offset the engine cannot hold (past ±25:59:59) is refused where it is loaded,
                // as any value the engine could not read is.
                (false, Dialect::DuckDb | Dialect::Postgres) if c.offset => offsets_held(&ident, &c.ty, dialect),
                (false, _) | (true, Dialect::Spark) => String::new(),
                (true, Dialect::DuckDb) => format!(" CHECK ({})", duck_no_null(&ident, c.depth)),
                // (`lax`, so that a null at an outer level is found, not an error; JSON `null`
                // for the whole list is a missing one.)
                (true, Dialect::Postgres) if c.depth > 1 => format!(
                    " CHECK (jsonb_typeof({ident}) <> 'array' OR NOT jsonb_path_exists({ident}, 'lax ${} ? (@ == null)'))",
                    "[*]".repeat(c.depth)
                ),
                (true, Dialect::Postgres) if c.ty == "JSONB" => format!(" CHECK (NOT ({ident} @> '[null]'))"),
                (true, Dialect::Postgres) => format!(" CHECK (array_position({ident}, NULL) IS NULL)"),
            };
            format!("  {ident} {}{required}{check}", c.ty)
        })
        .collect();
    Some(format!("CREATE TABLE {} (\n{}\n);\n", dialect.ident(&info.name), cols.join(",\n")))
}
