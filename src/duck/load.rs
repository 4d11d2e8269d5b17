//! The record files as DuckDB views in `precept sql`'s table mapping (docs/warehouse.md): one view
//! per file, read by DuckDB's own scanners (`read_json`, `read_csv`, `read_parquet`) so that DuckDB
//! streams them, never loads them; each schema's table is the `UNION ALL` of its files' views.
//!
//! Every view adds the columns findings are placed by: `precept_file` (the file's index) and
//! `precept_row` (the record's position in it, from 1), and the record's staff member, team and
//! day (`precept_staff`, `precept_team`, `precept_day`) that waivers and reports read.
//!
//! JSON Lines and CSV hold text: each value the rules read is converted to its column's type here,
//! and a value that does not convert stops the query with an error naming the file and field (the
//! native engine would report the one record as undetermined). Parquet holds typed columns already,
//! named and typed as the mapping says; they are cast to the mapping's types.

use super::Source;
use crate::engine::types::{Field, Ty};
use crate::engine::Program;
use crate::sql::dialect::Dialect;
use crate::sql::tables::offset_column;

/// The columns every view adds, passed through each rule's findings.
pub const CARRY: [&str; 5] = ["precept_file", "precept_row", "precept_staff", "precept_team", "precept_day"];

/// How a file stores its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One JSON object per line.
    Jsonl,
    /// A header row, then one record per row; every value is text.
    Csv,
    /// Typed columns named by the fields' dotted paths.
    Parquet,
}

/// One scalar or list column of a schema's table, with where it comes from.
struct Leaf<'p> {
    /// The dotted path (the column's name).
    name: String,
    /// The field.
    field: &'p Field,
    /// The object keys leading to it from the record, for JSON.
    keys: Vec<String>,
    /// Whether a rule reads it (or it names the record's id, staff, team or day).
    needed: bool,
    /// Whether it may be missing (it or an object it is in is optional).
    optional: bool,
}

fn leaves<'p>(program: &'p Program, schema: usize) -> Vec<Leaf<'p>> {
    let mut out = Vec::new();
    let Some(info) = program.schemas.get(schema) else { return out };
    let named: Vec<usize> =
        [info.id_field, info.date_field, info.staff_field, info.team_field].into_iter().flatten().collect();
    let Some(shape) = program.shapes.get(info.shape) else { return out };
    for (slot, f) in shape.fields.iter().enumerate() {
        walk(program, f, Vec::new(), f.used || named.contains(&slot), false, &mut out);
    }
    out
}

fn walk<'p>(
    program: &'p Program,
    f: &'p Field,
    mut keys: Vec<String>,
    needed: bool,
    optional: bool,
    out: &mut Vec<Leaf<'p>>,
) {
    keys.push(f.name.clone());
    let optional = optional || f.optional;
    match &f.ty {
        Ty::Object(inner) => {
            for g in program.shapes.get(*inner).map_or(&[][..], |s| s.fields.as_slice()) {
                walk(program, g, keys.clone(), needed && g.used, optional, out);
            }
        }
        _ => out.push(Leaf { name: keys.join("."), field: f, keys, needed, optional }),
    }
}

/// The columns of `schema`'s table that every record must hold: fields a rule reads (or that name
/// the record's id, staff, team or day) that are not optional, nor inside an optional object, nor
/// lists (an absent list is empty). A record lacking one is an input error in the native engine.
pub fn required(program: &Program, schema: usize) -> Vec<String> {
    leaves(program, schema)
        .into_iter()
        .filter(|l| l.needed && !l.optional && !matches!(l.field.ty, Ty::List(_)))
        .map(|l| l.name)
        .collect()
}

/// Whether DuckDB reads `source` as the native engine would: a JSON Lines or CSV file of a
/// schema whose fields declare export spellings (`accept`, codes, `custom field`, `separated by`)
/// or zones for datetimes without an offset is not (those are the native readers'); `Err` says
/// which field.
pub fn readable(program: &Program, source: &Source) -> Result<(), String> {
    if source.kind == Kind::Parquet {
        return Ok(());
    }
    for leaf in leaves(program, source.schema) {
        if !leaf.needed {
            continue;
        }
        if leaf.field.spelling.is_some() {
            return Err(format!("field `{}` declares how an export spells its values", leaf.name));
        }
        if leaf.field.zone.is_some() {
            return Err(format!("field `{}` declares a zone for datetimes without an offset", leaf.name));
        }
        if source.kind == Kind::Csv
            && matches!(&leaf.field.ty, Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)))
        {
            // Never in a CSV file: the native reader reads such a list as empty.
            continue;
        }
    }
    Ok(())
}

/// `SELECT` of one file's records as its schema's table, with the carried columns. `header` is a
/// CSV file's header (its column names, trimmed); `present` the columns a Parquet file has.
pub fn view(program: &Program, index: usize, source: &Source, header: &[String]) -> Result<String, String> {
    let d = Dialect::DuckDb;
    let Some(info) = program.schemas.get(source.schema) else { return Err("no such schema".into()) };
    let path = literal(&source.path.to_string_lossy());
    let file = literal(&source.name);
    let mut cols = Vec::new();
    let mut json_columns = Vec::new();
    if let Some(shape) = program.shapes.get(info.shape) {
        for f in &shape.fields {
            json_columns.push(format!("{}: {}", literal(&f.name), literal(&json_type(program, &f.ty))));
        }
    }
    for leaf in leaves(program, source.schema) {
        let ty = crate::sql::tables::columns_type_without_offsets(program, &leaf.field.ty, d)
            .unwrap_or_else(|| "VARCHAR".into());
        let name = d.ident(&leaf.name);
        // A column with no value, and a datetime's offset column with none either.
        let mut null = format!("CAST(NULL AS {ty}) AS {name}");
        if matches!(leaf.field.ty, Ty::DateTime) {
            null.push_str(&format!(", CAST(NULL AS INTEGER) AS {}", d.ident(&offset_column(&leaf.name))));
        }
        if !leaf.needed {
            cols.push(null);
            continue;
        }
        // The value's SQL, and for JSON Lines and CSV the text it was converted from.
        let (expr, text) = match source.kind {
            Kind::Parquet => {
                if !header.contains(&leaf.name) {
                    if leaf.optional {
                        cols.push(null);
                        continue;
                    }
                    return Err(format!("it has no column `{}`, which the schema requires", leaf.name));
                }
                (format!("CAST({name} AS {ty})"), None)
            }
            Kind::Jsonl => {
                let mut access = d.ident(&leaf.keys[0]);
                for k in &leaf.keys[1..] {
                    access = format!("struct_extract({access}, {})", literal(k));
                }
                (convert(program, &leaf.field.ty, &access, &file, &leaf.name, false), Some(access))
            }
            Kind::Csv => {
                if matches!(&leaf.field.ty, Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_))) {
                    cols.push(null);
                    continue;
                }
                match header.iter().position(|h| *h == leaf.field.column) {
                    None if leaf.optional || matches!(leaf.field.ty, Ty::List(_)) => {
                        cols.push(null);
                        continue;
                    }
                    None => {
                        return Err(format!(
                            "it has no column `{}` (for field `{}`), which the schema requires",
                            leaf.field.column, leaf.name
                        ))
                    }
                    Some(i) => {
                        // Columns are read by position, as the header's names may repeat once trimmed.
                        let cell = format!("NULLIF(trim(column{i:05}), '')");
                        (convert(program, &leaf.field.ty, &cell, &file, &leaf.name, true), Some(cell))
                    }
                }
            }
        };
        cols.push(format!("{expr} AS {name}"));
        if matches!(leaf.field.ty, Ty::DateTime) {
            cols.push(offset(&leaf.name, text.as_deref(), header));
        }
    }
    let text = |slot: Option<usize>| -> String {
        let leaf = slot.and_then(|s| program.shapes.get(info.shape)?.fields.get(s)).map(|f| d.ident(&f.name));
        match leaf {
            Some(c) => format!("CAST({c} AS VARCHAR)"),
            None => "CAST(NULL AS VARCHAR)".into(),
        }
    };
    let day = match info.date_field.and_then(|s| program.shapes.get(info.shape)?.fields.get(s)) {
        // The record's day at the offset its datetime was written with, as the native engine's.
        Some(f) if matches!(f.ty, Ty::DateTime) => format!(
            "CAST(make_timestamp(epoch_us({}) + CAST(COALESCE({}, 0) AS BIGINT) * 1000000) AS DATE)",
            d.ident(&f.name),
            d.ident(&offset_column(&f.name))
        ),
        Some(f) => format!("CAST({} AS DATE)", d.ident(&f.name)),
        None => "CAST(NULL AS DATE)".into(),
    };
    let (scan, row) = match source.kind {
        Kind::Parquet => (format!("read_parquet({path}, file_row_number = true)"), "file_row_number + 1".to_string()),
        Kind::Jsonl => (
            format!(
                "read_json({path}, format = 'newline_delimited', records = true, columns = {{{}}}, maximum_object_size = 16777216)",
                json_columns.join(", ")
            ),
            "row_number() OVER ()".to_string(),
        ),
        Kind::Csv => {
            let columns: Vec<String> =
                (0..header.len()).map(|i| format!("'column{i:05}': 'VARCHAR'")).collect();
            (
                format!(
                    "read_csv({path}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {{{}}})",
                    columns.join(", ")
                ),
                "row_number() OVER ()".to_string(),
            )
        }
    };
    // The typed columns first, then the carried ones computed from them.
    Ok(format!(
        "SELECT *, {} AS precept_staff, {} AS precept_team, {day} AS precept_day FROM (SELECT CAST({index} AS BIGINT) AS precept_file, CAST({row} AS BIGINT) AS precept_row, {} FROM {scan})",
        text(info.staff_field),
        text(info.team_field),
        cols.join(", "),
    ))
}

/// The offset column of datetime column `name`: in JSON Lines and CSV the offset as written in
/// `text` (`Z` is 0, `+01:00` 3600), the same text the instant is converted from (so NULL exactly
/// where the instant is, and checked by that conversion); in Parquet, whose `TIMESTAMP` keeps no
/// offset, the file's own `name.offset` column when it has one, else NULL, which the rules read
/// as UTC (docs/warehouse.md).
fn offset(name: &str, text: Option<&str>, header: &[String]) -> String {
    let d = Dialect::DuckDb;
    let col = offset_column(name);
    let ident = d.ident(&col);
    let expr = match text {
        Some(x) => format!("precept_offset({x})"),
        None if header.contains(&col) => format!("CAST({ident} AS INTEGER)"),
        None => "CAST(NULL AS INTEGER)".to_string(),
    };
    format!("{expr} AS {ident}")
}

/// The type `read_json` reads a field as: text for every value (converted afterwards, as the
/// native reader converts), structs for objects, lists of text for lists of values, and lists of
/// objects typed as the mapping says (DuckDB converts their values itself).
fn json_type(program: &Program, ty: &Ty) -> String {
    match ty {
        Ty::Object(inner) => {
            let fields: Vec<String> = program
                .shapes
                .get(*inner)
                .map(|s| {
                    s.fields
                        .iter()
                        .map(|f| format!("{} {}", Dialect::DuckDb.ident(&f.name), json_type(program, &f.ty)))
                        .collect()
                })
                .unwrap_or_default();
            format!("STRUCT({})", fields.join(", "))
        }
        Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)) => {
            crate::sql::tables::columns_type_without_offsets(program, ty, Dialect::DuckDb)
                .unwrap_or_else(|| "JSON".into())
        }
        Ty::List(_) => "VARCHAR[]".into(),
        _ => "VARCHAR".into(),
    }
}

/// `x` (text, or a list of text) as a value of type `ty`, or an error naming `file` and `field`.
fn convert(program: &Program, ty: &Ty, x: &str, file: &str, field: &str, csv: bool) -> String {
    let fail = |what: &str| {
        format!("error(concat({file}, {}, {x}, '`'))", literal(&format!(": field `{field}` is not {what}: `")))
    };
    match ty {
        Ty::Text => x.to_string(),
        Ty::Enum(e) => {
            let variants: Vec<String> =
                program.enums.get(*e).map(|d| d.variants.iter().map(|v| literal(v)).collect()).unwrap_or_default();
            format!(
                "CASE WHEN {x} IS NULL OR {x} IN ({}) THEN {x} ELSE {} END",
                variants.join(", "),
                fail("one of the enumeration's values")
            )
        }
        // DuckDB's cast would round `12.7` to 13: the native reader refuses a fraction or exponent.
        Ty::Int => format!(
            "CASE WHEN {x} IS NULL THEN NULL WHEN regexp_full_match(trim({x}), '[+-]?[0-9]+') THEN CAST(trim({x}) AS BIGINT) ELSE {} END",
            fail("a whole number")
        ),
        // The mapping keeps 10 places: a value with more would be rounded, so it is refused.
        Ty::Dec => at_most_ten_places(x, &format!("CAST({x} AS DECIMAL(38, 10))"), &fail("a decimal of at most 10 places (check it with the native engine)")),
        // `12.50 GBP`, or a plain number in the field's currency; another currency fails the cast.
        Ty::Money(c) => at_most_ten_places(
            x,
            &format!("CAST(regexp_replace({x}, '\\s*{c}$', '') AS DECIMAL(38, 10))"),
            &fail("an amount of at most 10 places (check it with the native engine)"),
        ),
        Ty::Bool => format!(
            "CASE WHEN {x} IS NULL THEN NULL WHEN {x} = 'true' THEN TRUE WHEN {x} = 'false' THEN FALSE ELSE {} END",
            fail("true or false")
        ),
        Ty::Date => format!("CAST({x} AS DATE)"),
        Ty::DateTime => format!(
            "CASE WHEN {x} IS NULL THEN NULL WHEN regexp_full_match(trim({x}), '(?i)[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[t ][0-9]{{2}}:[0-9]{{2}}.*(z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)') THEN CAST(CAST(trim({x}) AS TIMESTAMPTZ) AS TIMESTAMP) ELSE {} END",
            fail("a datetime with an offset")
        ),
        Ty::Duration => format!(
            "CASE WHEN {x} IS NULL THEN NULL WHEN precept_duration_ok({x}) THEN precept_duration({x}) ELSE {} END",
            fail("a duration")
        ),
        Ty::List(inner) => {
            let items = if csv { format!("string_split({x}, ';')") } else { x.to_string() };
            let each = convert(program, inner, if csv { "trim(precept_item)" } else { "precept_item" }, file, field, csv);
            format!("list_transform({items}, precept_item -> {each})")
        }
        Ty::BusinessDays | Ty::Object(_) | Ty::Set(_) => "NULL".to_string(),
    }
}

/// `cast` of text `x`, or `fail` when `x` has more places than the mapping keeps: the native engine reads them exactly, so they are refused rather than rounded.
fn at_most_ten_places(x: &str, cast: &str, fail: &str) -> String {
    format!("CASE WHEN regexp_matches({x}, '\\.[0-9]{{11,}}') THEN {fail} ELSE {cast} END")
}

/// The macros durations are read with: whole seconds, or days, hours, minutes and seconds written
/// `1h 30m`, `4m30s`, `2d`, `1w`, `90s`, or as ISO 8601 (`PT30M`, `P1D`); a leading `-` negates.
/// Microseconds, as the mapping holds durations.
pub const MACROS: &str = r"
CREATE MACRO precept_unit(x, re) AS COALESCE(CAST(NULLIF(regexp_extract(x, re, 1), '') AS BIGINT), 0);
CREATE MACRO precept_duration_ok(x) AS
  regexp_full_match(trim(x), '-?[0-9]+')
  OR regexp_full_match(trim(x), '-?\s*([0-9]+\s*(w|wk|wks|week|weeks|d|day|days|h|hr|hrs|hour|hours|m|min|mins|minute|minutes|s|sec|secs|second|seconds)\s*,?\s*)+')
  OR (regexp_full_match(trim(x), '-?P([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?') AND regexp_matches(x, '[0-9]'));
CREATE MACRO precept_offset(x) AS
  CASE WHEN x IS NULL THEN NULL WHEN regexp_matches(trim(x), '[zZ]$') THEN 0
  ELSE CAST((CASE WHEN regexp_extract(trim(x), '([+-])[0-9]{2}(:?[0-9]{2})?$', 1) = '-' THEN -1 ELSE 1 END)
    * (CAST(regexp_extract(trim(x), '[+-]([0-9]{2})(:?[0-9]{2})?$', 1) AS INTEGER) * 3600
       + COALESCE(CAST(NULLIF(regexp_extract(trim(x), '[+-][0-9]{2}:?([0-9]{2})$', 1), '') AS INTEGER), 0) * 60) AS INTEGER)
  END;
CREATE MACRO precept_duration(x) AS
  CASE WHEN regexp_full_match(trim(x), '-?[0-9]+') THEN CAST(trim(x) AS BIGINT) * 1000000
  ELSE (CASE WHEN starts_with(trim(x), '-') THEN -1 ELSE 1 END) * 1000000 * (
    CASE WHEN regexp_matches(x, 'P') THEN
      precept_unit(x, '([0-9]+)W') * 604800 + precept_unit(x, '([0-9]+)D') * 86400
      + precept_unit(x, 'T.*?([0-9]+)H') * 3600 + precept_unit(x, 'T.*?([0-9]+)M') * 60
      + precept_unit(x, 'T.*?([0-9]+)S')
    ELSE
      precept_unit(x, '([0-9]+)\s*(w|wk|wks|week|weeks)([^a-z]|$)') * 604800
      + precept_unit(x, '([0-9]+)\s*(d|day|days)([^a-z]|$)') * 86400
      + precept_unit(x, '([0-9]+)\s*(h|hr|hrs|hour|hours)([^a-z]|$)') * 3600
      + precept_unit(x, '([0-9]+)\s*(m|min|mins|minute|minutes)([^a-z]|$)') * 60
      + precept_unit(x, '([0-9]+)\s*(s|sec|secs|second|seconds)([^a-z]|$)')
    END)
  END;
";

/// A SQL text literal.
pub fn literal(s: &str) -> String {
    Dialect::DuckDb.text(s)
}
