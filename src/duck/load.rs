//! The record files as DuckDB views in `precept sql`'s table mapping (docs/warehouse.md): one view
//! per file, read by DuckDB's own scanners (`read_json`, `read_csv`, `read_parquet`) so that DuckDB
//! streams them, never loads them; each schema's table is the `UNION ALL` of its files' views.
//!
//! Every view adds the columns findings are placed by: `precept_file` (the file's index) and
//! `precept_row` (the record's position in it, from 1), and the record's staff member, team and
//! day (`precept_staff`, `precept_team`, `precept_day`) that waivers and reports read.
//!
//! JSON Lines and CSV hold text (JSON values, whose kind is checked as the native reader checks
//! it): each value the rules read is converted to its column's type here, and one that does not
//! convert is NULL, never an error, so that it costs its record and not the run. Parquet holds
//! typed columns already, named and typed as the mapping says; they are cast to the mapping's
//! types the same way. Each view says per record whether a value present did not convert
//! (`precept_bad`) and whether a required one is absent (`precept_lacks`): such records are judged
//! by the native engine instead (JSON Lines, CSV) or reported at their row (Parquet), see
//! [`super`].

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

/// The columns of its schema's table a rule over groups reads to place a record in a group or fold
/// it in (its key parts, the values it aggregates, a presence rule's day), to decide whether the
/// record is in its scope (its `where`), and its schema's day when the rule has versions: a record
/// holding a value among them that did not convert is left out of the rule's groups, as the native
/// engine leaves it out.
pub fn group_reads(program: &Program, rule: &crate::engine::program::CompiledRule) -> Vec<String> {
    let Some(spec) = &rule.group else { return Vec::new() };
    let mut exprs: Vec<&crate::engine::program::CExpr> = spec.keys.iter().map(|k| &k.expr).collect();
    exprs.extend(spec.aggs.iter().filter_map(|a| a.arg.as_ref()));
    exprs.extend(spec.presence.as_ref().map(|p| &p.on));
    exprs.extend(rule.filter.as_ref());
    reads(program, rule, exprs)
}

/// The columns of its schema's table a rule over single records reads to judge a record (its
/// `where` and `require`s, and its schema's day when it has versions): in a Parquet file, a record
/// holding a value among them that did not convert is not judged by the rule.
pub fn record_reads(program: &Program, rule: &crate::engine::program::CompiledRule) -> Vec<String> {
    let mut exprs: Vec<&crate::engine::program::CExpr> = rule.requires.iter().collect();
    exprs.extend(rule.filter.as_ref());
    reads(program, rule, exprs)
}

/// The leaf columns `exprs` (of `rule`) read from the record.
fn reads<'p>(
    program: &'p Program,
    rule: &'p crate::engine::program::CompiledRule,
    mut exprs: Vec<&'p crate::engine::program::CExpr>,
) -> Vec<String> {
    use crate::engine::program::{CExpr, Root};
    let mut paths: Vec<&[u16]> = Vec::new();
    while let Some(e) = exprs.pop() {
        if let CExpr::Field(Root::Record, path) = e {
            paths.push(path);
        }
        exprs.extend(e.children());
    }
    let leaves = leaves(program, rule.schema);
    let mut out: Vec<String> = Vec::new();
    let mut add = |prefix: &str| {
        for l in leaves.iter().filter(|l| l.name == prefix || l.name.starts_with(&format!("{prefix}."))) {
            if !out.contains(&l.name) {
                out.push(l.name.clone());
            }
        }
    };
    let info = program.schemas.get(rule.schema);
    for path in paths {
        let mut names = Vec::new();
        let mut shape = info.map(|i| i.shape);
        for slot in path.iter() {
            let Some(f) = shape.and_then(|s| program.shapes.get(s)).and_then(|s| s.fields.get(usize::from(*slot)))
            else {
                break;
            };
            names.push(f.name.clone());
            shape = match f.ty {
                Ty::Object(inner) => Some(inner),
                _ => None,
            };
        }
        if !names.is_empty() {
            add(&names.join("."));
        }
    }
    if rule.in_force.is_some() || !rule.suspended.is_empty() {
        let day = info.and_then(|i| Some(program.shapes.get(i.shape)?.fields.get(i.date_field?)?.name.clone()));
        if let Some(day) = day {
            add(&day);
        }
    }
    out
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
pub fn view(program: &Program, index: usize, source: &Source, header: &[String]) -> Result<View, String> {
    let d = Dialect::DuckDb;
    let Some(info) = program.schemas.get(source.schema) else { return Err("no such schema".into()) };
    let path = literal(&source.path.to_string_lossy());
    let mut cols = Vec::new();
    // Per record: whether a value did not convert, and whether a required one is absent.
    let mut bads = Vec::new();
    let mut lacks = Vec::new();
    let mut shown = Vec::new();
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
                (parquet_value(program, &leaf.field.ty, &name, &ty), None)
            }
            Kind::Jsonl => {
                let mut access = d.ident(&leaf.keys[0]);
                for k in &leaf.keys[1..] {
                    access = format!("struct_extract({access}, {})", literal(k));
                }
                (json_convert(program, &leaf.field.ty, &access), Some(access))
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
                        (convert(program, &leaf.field.ty, &cell, true), Some(cell))
                    }
                }
            }
        };
        // What the value was read from: the text (JSON in JSON Lines), or the Parquet column.
        let raw = text.clone().unwrap_or_else(|| name.clone());
        let csv = source.kind == Kind::Csv;
        let deep = matches!(&leaf.field.ty, Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)));
        if fallible(&leaf.field.ty, source.kind) && !deep {
            bads.push(bad(&leaf.field.ty, &raw, &expr, csv));
            shown.push((leaf.name.clone(), raw.clone(), bad(&leaf.field.ty, &raw, &expr, csv)));
        }
        if leaf.needed && !leaf.optional && !matches!(leaf.field.ty, Ty::List(_)) {
            lacks.push(format!("{raw} IS NULL"));
        }
        cols.push(format!("{expr} AS {name}"));
        if matches!(leaf.field.ty, Ty::DateTime) {
            // The offset is read from the text the instant was converted from.
            let written = match source.kind {
                Kind::Jsonl => Some(format!("({raw} ->> '$')")),
                Kind::Csv | Kind::Parquet => text.clone(),
            };
            cols.push(offset(&leaf.name, written.as_deref(), header));
        }
    }
    let any = |parts: &[String]| {
        if parts.is_empty() {
            "FALSE".to_string()
        } else {
            format!("COALESCE({}, FALSE)", parts.join(" OR "))
        }
    };
    cols.push(format!("{} AS precept_bad", any(&bads)));
    // Which fields did not convert, for the rules over groups that read them.
    let named: Vec<String> =
        shown.iter().map(|(field, _, bad)| format!("CASE WHEN {bad} THEN {} END", literal(field))).collect();
    cols.push(if named.is_empty() {
        "CAST([] AS VARCHAR[]) AS precept_bad_fields".to_string()
    } else {
        format!("list_filter([{}], precept_f -> precept_f IS NOT NULL) AS precept_bad_fields", named.join(", "))
    });
    cols.push(format!("{} AS precept_lacks", any(&lacks)));
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
            let read = format!(
                "read_csv({path}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {{{}}}{})",
                columns.join(", "),
                if header.len() == 1 { ", allow_quoted_nulls = false" } else { "" }
            );
            // With one column, DuckDB reads a blank line as a record of one NULL, where the native
            // reader skips it: dropped here, before records are numbered (a quoted `""` is a
            // record to both, read as empty text, not NULL).
            let scan = if header.len() == 1 { format!("(SELECT * FROM {read} WHERE column00000 IS NOT NULL)") } else { read };
            (scan, "row_number() OVER ()".to_string())
        }
    };
    // The values that did not convert, and those missing, one row each: only for Parquet, whose row
    // number does not depend on the rows kept (the native reader reports those of the other files).
    let problems = match source.kind {
        Kind::Parquet => {
            let mut parts: Vec<String> = shown
                .iter()
                .map(|(field, raw, bad)| {
                    format!(
                        "SELECT CAST({row} AS BIGINT) AS precept_row, {} AS field, CAST({raw} AS VARCHAR) AS value FROM {scan} WHERE {bad}",
                        literal(field)
                    )
                })
                .collect();
            parts.extend(required(program, source.schema).iter().filter(|c| header.contains(c)).map(|c| {
                format!(
                    "SELECT CAST({row} AS BIGINT) AS precept_row, {} AS field, CAST(NULL AS VARCHAR) AS value FROM {scan} WHERE {} IS NULL",
                    literal(c),
                    d.ident(c)
                )
            }));
            if parts.is_empty() {
                None
            } else {
                Some(format!("SELECT * FROM ({}) ORDER BY precept_row", parts.join(" UNION ALL ")))
            }
        }
        Kind::Jsonl | Kind::Csv => None,
    };
    // The typed columns first, then the carried ones computed from them.
    let select = format!(
        "SELECT *, {} AS precept_staff, {} AS precept_team, {day} AS precept_day FROM (SELECT CAST({index} AS BIGINT) AS precept_file, CAST({row} AS BIGINT) AS precept_row, {} FROM {scan})",
        text(info.staff_field),
        text(info.team_field),
        cols.join(", "),
    );
    Ok(View { select, problems })
}

/// One file's records as a view, and how its problems are found.
pub struct View {
    /// The `SELECT` of its records in the table mapping, with the carried columns, `precept_bad`
    /// (a value the record holds did not convert) and `precept_lacks` (a value its schema requires
    /// is absent).
    pub select: String,
    /// For a Parquet file, whose records no native reader reads again: each value that did not
    /// convert (`precept_row`, `field`, `value` as text) and each required one absent (`value`
    /// NULL), by row. `None` for JSON Lines and CSV, and where nothing can fail.
    pub problems: Option<String>,
}

/// Why a Parquet file's `columns` (name and DuckDB type) cannot hold `schema`'s values: the first
/// column a rule reads whose type is not one the field's values convert from (a `STRUCT` for a
/// whole number, a `DATE` for a datetime); `None` when every one can.
pub fn wrong_types(program: &Program, schema: usize, columns: &[(String, String)]) -> Option<String> {
    for leaf in leaves(program, schema) {
        if !leaf.needed {
            continue;
        }
        let Some((_, found)) = columns.iter().find(|(name, _)| *name == leaf.name) else { continue };
        if !holds(&leaf.field.ty, found) {
            return Some(format!(
                "its column `{}` is {found}, which does not hold the field's values ({})",
                leaf.name,
                crate::data::expected_type(&leaf.field.ty)
            ));
        }
    }
    None
}

/// Whether a Parquet column of DuckDB type `found` holds values of type `ty`.
fn holds(ty: &Ty, found: &str) -> bool {
    let t = found.to_ascii_uppercase();
    let numeric = [
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
        "FLOAT",
        "DOUBLE",
    ]
    .contains(&t.as_str())
        || t.starts_with("DECIMAL");
    let text = t == "VARCHAR";
    match ty {
        Ty::List(inner) => {
            t.ends_with("[]") && holds(inner, t.trim_end_matches("[]"))
                || matches!(**inner, Ty::Object(_) | Ty::List(_))
        }
        _ if t.ends_with("[]") || t.starts_with("STRUCT") || t.starts_with("MAP") => false,
        Ty::Text => text || t.starts_with("ENUM"),
        Ty::Enum(_) => text || t.starts_with("ENUM"),
        Ty::Int | Ty::Dec | Ty::Money(_) | Ty::Duration => numeric || text,
        Ty::Bool => t == "BOOLEAN" || text,
        Ty::Date => t == "DATE" || text,
        Ty::DateTime => t.starts_with("TIMESTAMP") || text,
        Ty::BusinessDays | Ty::Object(_) | Ty::Set(_) => true,
    }
}

/// Parquet column `col` (a value of any type) as the mapping's type `ty` (SQL `sql`), or NULL
/// where it does not convert: a whole number must be whole (a `DOUBLE` of `12.7` is not rounded),
/// an enumeration's value one of its values.
fn parquet_value(program: &Program, ty: &Ty, col: &str, sql: &str) -> String {
    match ty {
        Ty::Int => format!(
            "CASE WHEN TRY_CAST({col} AS DECIMAL(38, 10)) = TRY_CAST(TRY_CAST({col} AS BIGINT) AS DECIMAL(38, 10)) THEN TRY_CAST({col} AS BIGINT) END"
        ),
        Ty::Enum(_) => convert(program, ty, &format!("CAST({col} AS VARCHAR)"), false),
        _ => format!("TRY_CAST({col} AS {sql})"),
    }
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

/// The type `read_json` reads a field as: JSON for every value (converted afterwards, as the
/// native reader converts, its JSON kind checked), structs for objects, lists of JSON for lists
/// of values, and lists of
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
        Ty::List(_) => "JSON[]".into(),
        _ => "JSON".into(),
    }
}

/// `x` (text, or a list of text) as a value of type `ty`, or NULL where it does not convert (an
/// element of a list that does not convert is a NULL element): a value that does not convert must
/// cost only its record, never the run, so nothing here raises an error. [`fallible`] says which
/// types may fail, and [`bad`] finds the values that did.
fn convert(program: &Program, ty: &Ty, x: &str, csv: bool) -> String {
    match ty {
        Ty::Text => x.to_string(),
        Ty::Enum(e) => {
            let variants: Vec<String> =
                program.enums.get(*e).map(|d| d.variants.iter().map(|v| literal(v)).collect()).unwrap_or_default();
            if variants.is_empty() {
                return "CAST(NULL AS VARCHAR)".into();
            }
            format!("CASE WHEN {x} IN ({}) THEN {x} END", variants.join(", "))
        }
        // DuckDB's cast would round `12.7` to 13: the native reader refuses a fraction or exponent.
        Ty::Int => format!(
            "CASE WHEN regexp_full_match(trim({x}), '[+-]?[0-9]+') THEN TRY_CAST(trim({x}) AS BIGINT) END"
        ),
        // The mapping keeps 10 places: a value with more would be rounded, so it does not convert
        // here (the native engine, which reads it exactly, judges its record).
        Ty::Dec => at_most_ten_places(x, &format!("TRY_CAST({x} AS DECIMAL(38, 10))")),
        // `12.50 GBP` (a space before the code), or a plain number in the field's currency; another
        // currency does not convert, nor an amount finer than the currency's smallest unit (a
        // nonzero digit past it), which the native reader refuses rather than rounds.
        Ty::Money(c) => {
            let amount = format!("regexp_replace(trim({x}), '\\s+{c}$', '')");
            let finer = match crate::engine::types::minor_units(*c) {
                Some(places) => format!("regexp_matches({amount}, '\\.[0-9]{{{places}}}0*[1-9]')"),
                None => "FALSE".into(),
            };
            let cast = format!("CASE WHEN NOT {finer} THEN TRY_CAST({amount} AS DECIMAL(38, 10)) END");
            at_most_ten_places(x, &cast)
        }
        // As the native reader reads a CSV cell (JSON Lines gives `true` or `false` only).
        Ty::Bool => format!(
            "CASE WHEN lower(trim({x})) IN ('true', 'yes') THEN TRUE WHEN lower(trim({x})) IN ('false', 'no') THEN FALSE END"
        ),
        // Only `YYYY-MM-DD`, as the native reader reads a date: DuckDB's cast would also take
        // `2024-3-2`, `24-03-02` (the year 24) or `2024/03/02`.
        Ty::Date => format!(
            "CASE WHEN regexp_full_match({x}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({x} AS DATE) END"
        ),
        Ty::DateTime => format!(
            "CASE WHEN regexp_full_match(trim({x}), '(?i)[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[t ]([01][0-9]|2[0-3]):[0-5][0-9].*(z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)') THEN TRY_CAST(TRY_CAST(trim({x}) AS TIMESTAMPTZ) AS TIMESTAMP) END"
        ),
        Ty::Duration => format!("CASE WHEN precept_duration_ok({x}) THEN TRY(precept_duration({x})) END"),
        Ty::List(inner) => {
            let items = if csv { format!("string_split({x}, ';')") } else { x.to_string() };
            let each = convert(program, inner, if csv { "trim(precept_item)" } else { "precept_item" }, csv);
            format!("list_transform({items}, precept_item -> {each})")
        }
        Ty::BusinessDays | Ty::Object(_) | Ty::Set(_) => "NULL".to_string(),
    }
}

/// Whether a value of type `ty` in a file of `kind` may fail to convert (text from CSV or Parquet
/// never does, text from JSON Lines must be a JSON string; the types no record holds are never
/// read).
fn fallible(ty: &Ty, kind: Kind) -> bool {
    match ty {
        Ty::Text => kind == Kind::Jsonl,
        Ty::BusinessDays | Ty::Object(_) | Ty::Set(_) => false,
        Ty::List(inner) => fallible(inner, kind),
        _ => true,
    }
}

/// JSON value `x` (as `read_json` reads a `JSON` column: SQL NULL for `null`) as a value of type
/// `ty`, or NULL where the native reader would refuse it: of the wrong JSON kind (a number for
/// text, `"7"` for a whole number, `"true"` for a boolean), or text that does not convert.
fn json_convert(program: &Program, ty: &Ty, x: &str) -> String {
    let kinds = match ty {
        Ty::List(inner) if !matches!(**inner, Ty::Object(_) | Ty::List(_)) => {
            let each = json_convert(program, inner, "precept_item");
            return format!("list_transform({x}, precept_item -> {each})");
        }
        Ty::Text | Ty::Enum(_) | Ty::Date | Ty::DateTime => "'VARCHAR'",
        Ty::Int => "'BIGINT', 'UBIGINT', 'DOUBLE'",
        Ty::Dec | Ty::Money(_) | Ty::Duration => "'BIGINT', 'UBIGINT', 'DOUBLE', 'VARCHAR'",
        Ty::Bool => "'BOOLEAN'",
        Ty::List(_) | Ty::BusinessDays | Ty::Object(_) | Ty::Set(_) => return convert(program, ty, x, false),
    };
    format!("CASE WHEN json_type({x}) IN ({kinds}) THEN {} END", convert(program, ty, &format!("({x} ->> '$')"), false))
}

/// Whether text `x` (a list of text for a list in JSON Lines, the cell for a list in CSV) held a
/// value that `converted` (its [`convert`]) lost: present, but NULL once converted; for a list,
/// fewer elements once converted.
fn bad(ty: &Ty, x: &str, converted: &str, csv: bool) -> String {
    match ty {
        // A `null` element is refused too.
        Ty::List(_) => {
            let items = if csv { format!("string_split({x}, ';')") } else { x.to_string() };
            format!("COALESCE(len({items}) <> list_count({converted}), FALSE)")
        }
        _ => format!("({x} IS NOT NULL AND ({converted}) IS NULL)"),
    }
}

/// `cast` of text `x`, or NULL when `x` has more places than the mapping keeps: the native engine
/// reads them exactly, so they are not rounded here.
fn at_most_ten_places(x: &str, cast: &str) -> String {
    format!("CASE WHEN NOT regexp_matches({x}, '\\.[0-9]{{11,}}') THEN {cast} END")
}

/// The macros durations are read with: whole seconds, or days, hours, minutes and seconds written
/// `1h 30m`, `4m30s`, `2d`, `1w`, `90s` (units largest first, each once, as the native reader
/// takes them), or as ISO 8601 (`PT30M`, `P1D`); a leading `-` negates.
/// Microseconds, as the mapping holds durations.
pub const MACROS: &str = r"
CREATE MACRO precept_unit(x, re) AS COALESCE(CAST(NULLIF(regexp_extract(x, re, 1), '') AS BIGINT), 0);
CREATE MACRO precept_duration_ok(x) AS
  regexp_full_match(trim(x), '-?[0-9]+')
  OR (regexp_full_match(trim(x), '-?\s*([0-9]+\s*(w|wk|wks|week|weeks)\s*,?\s*)?([0-9]+\s*(d|day|days)\s*,?\s*)?([0-9]+\s*(h|hr|hrs|hour|hours)\s*,?\s*)?([0-9]+\s*(m|min|mins|minute|minutes)\s*,?\s*)?([0-9]+\s*(s|sec|secs|second|seconds)\s*,?\s*)?')
      AND regexp_matches(x, '[0-9]'))
  OR (regexp_full_match(trim(x), '-?P([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?') AND regexp_matches(x, '[0-9]')
      AND NOT regexp_matches(trim(x), 'T$'));
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
