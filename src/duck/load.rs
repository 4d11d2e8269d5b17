//! The record files as DuckDB views in `precept sql`'s table mapping (docs/warehouse.md): one view
//! per file, read by DuckDB's own scanners (`read_json` of a JSON Lines or CSV file's normalized
//! copy, `read_parquet`) so that DuckDB streams them, never loads them; each schema's table is the
//! `UNION ALL` of its files' views.
//!
//! Every view adds the columns findings are placed by: `precept_file` (the file's index) and
//! `precept_row` (the record's row from 1 in Parquet; its line and position in a copy, see
//! [`super::copy::row`]), and the record's staff member, team and day (`precept_staff`,
//! `precept_team`, `precept_day`) that waivers and reports read.
//!
//! A JSON Lines or CSV file is read by the native reader, which writes what it accepted to a
//! copy ([`super::copy`]): its values are the native reader's, and the view only types them.
//! Parquet holds typed columns already, named and typed as the mapping says; they are cast to the
//! mapping's types, and one that does not convert is NULL, never an error, so that it costs its
//! record and not the run. Each view says per record whether a value present did not convert (or,
//! in a copy, was not read; `precept_bad`) and whether a required one is absent (`precept_lacks`):
//! such records are judged by the native engine instead (JSON Lines, CSV) or reported at their
//! row (Parquet), see [`super`].

use super::Source;
use crate::engine::types::{Field, Ty};
use crate::engine::Program;
use crate::sql::dialect::Dialect;
use crate::sql::tables::{offset_column, offsets_of, OFFSET_TYPE};

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
pub(super) struct Leaf<'p> {
    /// The dotted path (the column's name).
    pub(super) name: String,
    /// The field.
    pub(super) field: &'p Field,
    /// The object keys leading to it from the record, for JSON.
    keys: Vec<String>,
    /// Whether a rule reads it (or it names the record's id, staff, team or day).
    pub(super) needed: bool,
    /// Whether it may be missing (it or an object it is in is optional).
    optional: bool,
    /// The `BOOLEAN` column telling whether the record has object `field`
    /// ([`crate::sql::tables::has_presence_column`]), rather than a value's.
    pub(super) presence: bool,
}

/// The columns of `schema`'s table, depth first in the order its fields are declared.
pub(super) fn leaves<'p>(program: &'p Program, schema: usize) -> Vec<Leaf<'p>> {
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
            if crate::sql::tables::has_presence_column(program, f, optional) {
                let name = keys.join(".");
                out.push(Leaf { name, field: f, keys: keys.clone(), needed, optional, presence: true });
            }
            for g in program.shapes.get(*inner).map_or(&[][..], |s| s.fields.as_slice()) {
                walk(program, g, keys.clone(), needed && g.used, optional, out);
            }
        }
        _ => out.push(Leaf { name: keys.join("."), field: f, keys, needed, optional, presence: false }),
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

/// The columns of schema `schema`'s table a rule that follows cases reads to make a record one of
/// its events, as the native engine's: for each event clause of that schema, its condition
/// (`when`), its time and its case key, and on the rule's own records its `where` and the date a
/// `version by` reads. A record holding a value among them that did not convert is left out of
/// the rule's cases, as the native engine leaves it out.
pub fn case_reads(program: &Program, rule: &crate::engine::program::CompiledRule, schema: usize) -> Vec<String> {
    use crate::engine::program::VersionDate;
    let Some(spec) = &rule.group else { return Vec::new() };
    let Some(seq) = &spec.sequence else { return Vec::new() };
    let mut exprs: Vec<&crate::engine::program::CExpr> = Vec::new();
    for ev in seq.events.iter().filter(|e| e.schema == schema) {
        exprs.extend(ev.when.as_ref());
        exprs.push(&ev.at);
        exprs.extend(ev.key.as_ref().or(spec.keys.first().map(|k| &k.expr)));
    }
    if schema == rule.schema {
        exprs.extend(rule.filter.as_ref());
        let own = seq.events.iter().any(|e| e.schema == schema && e.key.is_none());
        if let (VersionDate::Field(e), true) = (&seq.version, own) {
            exprs.push(e);
        }
    }
    reads_in(program, schema, exprs, false)
}

/// The leaf columns `exprs` (of `rule`) read from the record, and its schema's day when the rule
/// has versions.
fn reads<'p>(
    program: &'p Program,
    rule: &'p crate::engine::program::CompiledRule,
    exprs: Vec<&'p crate::engine::program::CExpr>,
) -> Vec<String> {
    reads_in(program, rule.schema, exprs, rule.in_force.is_some() || !rule.suspended.is_empty())
}

/// The leaf columns `exprs` read from a record of schema `schema`, and its day when `dated`.
fn reads_in<'p>(
    program: &'p Program,
    schema: usize,
    mut exprs: Vec<&'p crate::engine::program::CExpr>,
    dated: bool,
) -> Vec<String> {
    use crate::engine::program::{CExpr, Root};
    let mut paths: Vec<&[u16]> = Vec::new();
    while let Some(e) = exprs.pop() {
        if let CExpr::Field(Root::Record, path) = e {
            paths.push(path);
        }
        exprs.extend(e.children());
    }
    let leaves = leaves(program, schema);
    let mut out: Vec<String> = Vec::new();
    let mut add = |prefix: &str| {
        for l in leaves.iter().filter(|l| l.name == prefix || l.name.starts_with(&format!("{prefix}."))) {
            if !out.contains(&l.name) {
                out.push(l.name.clone());
            }
        }
    };
    let info = program.schemas.get(schema);
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
    if dated {
        let day = info.and_then(|i| Some(program.shapes.get(i.shape)?.fields.get(i.date_field?)?.name.clone()));
        if let Some(day) = day {
            add(&day);
        }
    }
    out
}

/// `SELECT` of one Parquet file's records as its schema's table, with the carried columns.
/// `header` the columns the file has.
pub fn view(program: &Program, index: usize, source: &Source, header: &[String]) -> Result<View, String> {
    let d = Dialect::DuckDb;
    let Some(info) = program.schemas.get(source.schema) else { return Err("no such schema".into()) };
    let path = literal(&source.path.to_string_lossy());
    let mut cols = Vec::new();
    // Per record: whether a value did not convert, and whether a required one is absent.
    let mut bads = Vec::new();
    let mut lacks = Vec::new();
    let mut shown = Vec::new();
    // The records DuckDB cannot judge, for the native engine: their values as converted, and the
    // text of each that may not have converted.
    let mut again = Vec::new();
    let mut layout = Vec::new();
    // Per datetime field with an offset the engine cannot hold: the field and when, and the
    // problems' rows ([`unheld_offsets`]).
    let mut unheld_fields = Vec::new();
    let mut unheld_rows = Vec::new();
    let all = leaves(program, source.schema);
    for (k, leaf) in all.iter().enumerate() {
        let name = d.ident(&leaf.name);
        if leaf.presence {
            cols.push(format!("{} AS {name}", parquet_presence(leaf, &all, header)));
            if leaf.needed {
                again.push(parquet_presence(leaf, &all, header));
                layout.push((k, Col::Presence));
            }
            continue;
        }
        // A list of objects with the offset fields of the mapping beside its datetimes: a
        // Parquet struct without them is cast to one with them NULL, which is UTC.
        let ty = crate::sql::tables::columns_type(program, &leaf.field.ty, d).unwrap_or_else(|| "VARCHAR".into());
        if !leaf.needed || !header.contains(&leaf.name) {
            if leaf.needed && !leaf.optional {
                return Err(format!("it has no column `{}`, which the schema requires", leaf.name));
            }
            cols.push(null_column(leaf, &ty));
            continue;
        }
        let expr = parquet_value(program, &leaf.field.ty, &name, &ty);
        let deep = matches!(&leaf.field.ty, Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)));
        let checked = fallible(&leaf.field.ty) && !deep;
        if checked {
            bads.push(bad(&leaf.field.ty, &name, &expr));
            shown.push((leaf.name.clone(), name.clone(), bad(&leaf.field.ty, &name, &expr)));
        }
        again.push(expr.clone());
        let offsets = offsets_of(&leaf.field.ty, d);
        if let Some(t) = &offsets {
            again.push(offset_text(&leaf.name, t, header));
            // An offset the engine cannot hold (past ±25:59:59) makes its datetime one that did
            // not convert, as such an offset written in JSON does not parse: the record is
            // reported at its row and judged as the native engine judges it ([`super::again`]).
            if let Some(u) = unheld_offsets(&leaf.name, &leaf.field.ty, &expr, header) {
                bads.push(u.bad.clone());
                unheld_fields.push((leaf.name.clone(), u.bad));
                unheld_rows.push(u.rows);
            }
        }
        if checked {
            // A list's elements each as text, so that the one that did not convert is quoted.
            again.push(match &leaf.field.ty {
                Ty::List(_) => format!("CAST({name} AS VARCHAR[])"),
                _ => format!("CAST({name} AS VARCHAR)"),
            });
        }
        layout.push((k, Col::Value { offset: offsets.is_some(), raw: checked }));
        if !leaf.optional && !matches!(leaf.field.ty, Ty::List(_)) {
            lacks.push(format!("{name} IS NULL"));
        }
        cols.push(format!("{expr} AS {name}"));
        if let Some(t) = &offsets {
            cols.push(offset(&leaf.name, t, header));
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
    let named: Vec<String> = shown
        .iter()
        .map(|(field, _, bad)| (field, bad))
        .chain(unheld_fields.iter().map(|(field, bad)| (field, bad)))
        .map(|(field, bad)| format!("CASE WHEN {bad} THEN {} END", literal(field)))
        .collect();
    cols.push(if named.is_empty() {
        "CAST([] AS VARCHAR[]) AS precept_bad_fields".to_string()
    } else {
        format!("list_filter([{}], lambda precept_f: precept_f IS NOT NULL) AS precept_bad_fields", named.join(", "))
    });
    // (A Parquet value that did not convert is one the native reader could not read either.)
    cols.push("CAST([] AS VARCHAR[]) AS precept_unheld_fields".to_string());
    cols.push(format!("{} AS precept_lacks", any(&lacks)));
    let scan = format!("read_parquet({path}, file_row_number = true)");
    let row = "file_row_number + 1";
    // The values that did not convert, and those missing, one row each.
    let mut parts: Vec<String> = shown
        .iter()
        .map(|(field, raw, bad)| {
            format!(
                "SELECT CAST({row} AS BIGINT) AS precept_row, {} AS field, CAST({raw} AS VARCHAR) AS value FROM {scan} WHERE {bad}",
                literal(field)
            )
        })
        .collect();
    parts.extend(unheld_rows.iter().map(|rows| rows.replace("{row}", row).replace("{scan}", &scan)));
    parts.extend(required(program, source.schema).iter().filter(|c| header.contains(c)).map(|c| {
        format!(
            "SELECT CAST({row} AS BIGINT) AS precept_row, {} AS field, CAST(NULL AS VARCHAR) AS value FROM {scan} WHERE {} IS NULL",
            literal(c),
            d.ident(c)
        )
    }));
    let problems = if parts.is_empty() {
        None
    } else {
        Some(format!("SELECT * FROM ({}) ORDER BY precept_row", parts.join(" UNION ALL ")))
    };
    let select = carried(program, info, index, row, &cols, &scan);
    let judge = (!bads.is_empty()).then(|| Again {
        select: format!(
            "SELECT CAST({row} AS BIGINT) AS precept_row{} FROM {scan} WHERE {} AND NOT {} ORDER BY precept_row",
            again.iter().map(|c| format!(", {c}")).collect::<String>(),
            any(&bads),
            any(&lacks)
        ),
        layout,
    });
    Ok(View { select, problems, again: judge })
}

/// What one column of [`Again::select`] after `precept_row` holds for a leaf of the schema's
/// table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    /// Whether the record has the object (one `BOOLEAN` column).
    Presence,
    /// The value as converted; then its offset when `offset` (a datetime; a list of datetimes'
    /// offsets), then its text (a list's elements each as text) when `raw` (a value that may not
    /// convert).
    Value { offset: bool, raw: bool },
}

/// How the records of a Parquet file that DuckDB cannot judge (a value did not convert, and none
/// required is absent) are read again for the native engine.
pub(super) struct Again {
    /// Their rows, in order: `precept_row`, then the columns of `layout`.
    pub(super) select: String,
    /// Each leaf read (its index in [`leaves`]) and what its columns hold.
    pub(super) layout: Vec<(usize, Col)>,
}

/// `SELECT` of the records of a JSON Lines or CSV file as its schema's table, with the carried
/// columns, from the parts of its normalized copy at `copy` (all of them, or one: [`super::copy`]),
/// whose longest line is `longest` bytes: every value is already the native reader's, so nothing is converted but types, and a
/// record holding a value the native reader could not read (or the table cannot hold) says so in
/// the copy's `precept_unread`.
pub fn copy_view(
    program: &Program,
    index: usize,
    source: &Source,
    copy: &[std::path::PathBuf],
    longest: usize,
) -> View {
    let d = Dialect::DuckDb;
    let paths: Vec<String> = copy.iter().map(|p| literal(&p.to_string_lossy())).collect();
    let path = format!("[{}]", paths.join(", "));
    let Some(info) = program.schemas.get(source.schema) else {
        return View { select: "SELECT NULL WHERE FALSE".into(), problems: None, again: None };
    };
    let mut json_columns = vec![
        "'precept_row': 'BIGINT'".to_string(),
        "'precept_unread': 'VARCHAR[]'".to_string(),
        "'precept_unheld': 'VARCHAR[]'".to_string(),
    ];
    for f in program.shapes.get(info.shape).map_or(&[][..], |s| s.fields.as_slice()) {
        json_columns.push(format!("{}: {}", literal(&f.name), literal(&super::copy::column_type(program, &f.ty))));
        if let Some(t) = offsets_of(&f.ty, d) {
            json_columns.push(format!("{}: {}", literal(&offset_column(&f.name)), literal(&t)));
        }
    }
    let mut cols = Vec::new();
    for leaf in leaves(program, source.schema) {
        let ty = match leaf.presence {
            true => "BOOLEAN".into(),
            false => crate::sql::tables::columns_type(program, &leaf.field.ty, d).unwrap_or_else(|| "VARCHAR".into()),
        };
        if !leaf.needed {
            cols.push(null_column(&leaf, &ty));
            continue;
        }
        let access = |last: &str| {
            let Some((first, rest)) = leaf.keys.split_first() else { return d.ident(last) };
            if rest.is_empty() {
                return d.ident(last);
            }
            let mut access = d.ident(first);
            for k in &rest[..rest.len() - 1] {
                access = format!("struct_extract({access}, {})", literal(k));
            }
            format!("struct_extract({access}, {})", literal(last))
        };
        let last = leaf.keys.last().cloned().unwrap_or_default();
        if leaf.presence {
            // The copy writes an object the record has as one, and a missing one as `null`.
            cols.push(format!("({} IS NOT NULL) AS {}", access(&last), d.ident(&leaf.name)));
            continue;
        }
        let value = super::copy::column_value(&leaf.field.ty, &access(&last), &ty);
        cols.push(format!("{value} AS {}", d.ident(&leaf.name)));
        if let Some(t) = offsets_of(&leaf.field.ty, d) {
            cols.push(format!(
                "CAST({} AS {t}) AS {}",
                access(&offset_column(&last)),
                d.ident(&offset_column(&leaf.name))
            ));
        }
    }
    cols.push("COALESCE(len(precept_unread) > 0, FALSE) AS precept_bad".into());
    cols.push("COALESCE(precept_unread, CAST([] AS VARCHAR[])) AS precept_bad_fields".into());
    cols.push("COALESCE(precept_unheld, CAST([] AS VARCHAR[])) AS precept_unheld_fields".into());
    cols.push("FALSE AS precept_lacks".into());
    let scan = format!(
        "read_json({path}, format = 'newline_delimited', records = true, columns = {{{}}}, maximum_object_size = {})",
        json_columns.join(", "),
        longest.max(16 << 20)
    );
    View { select: carried(program, info, index, "precept_row", &cols, &scan), problems: None, again: None }
}

/// The presence column of object `leaf` of a Parquet file with columns `header`: the file's own
/// column of that name where it has one (not TRUE is absent), else TRUE where one of the
/// object's columns in the file holds a value, the most the file tells.
fn parquet_presence(leaf: &Leaf<'_>, all: &[Leaf<'_>], header: &[String]) -> String {
    let d = Dialect::DuckDb;
    if !leaf.needed {
        return "CAST(NULL AS BOOLEAN)".into();
    }
    if header.contains(&leaf.name) {
        return format!("COALESCE(TRY_CAST({} AS BOOLEAN), FALSE)", d.ident(&leaf.name));
    }
    let inside = format!("{}.", leaf.name);
    let held: Vec<String> = all
        .iter()
        .filter(|l| !l.presence && l.name.starts_with(&inside) && header.contains(&l.name))
        .map(|l| format!("{} IS NOT NULL", d.ident(&l.name)))
        .collect();
    match held.is_empty() {
        true => "FALSE".into(),
        false => format!("({})", held.join(" OR ")),
    }
}

/// A column of `leaf` (SQL type `ty`) with no value, and a datetime's (or list of datetimes')
/// offset column with none either.
fn null_column(leaf: &Leaf<'_>, ty: &str) -> String {
    let d = Dialect::DuckDb;
    let mut null = format!("CAST(NULL AS {ty}) AS {}", d.ident(&leaf.name));
    if let Some(t) = offsets_of(&leaf.field.ty, d) {
        null.push_str(&format!(", CAST(NULL AS {t}) AS {}", d.ident(&offset_column(&leaf.name))));
    }
    null
}

/// The typed columns `cols` of `scan` first, then the carried ones computed from them; `row` is
/// the record's `precept_row`.
fn carried(
    program: &Program,
    info: &crate::engine::program::SchemaInfo,
    index: usize,
    row: &str,
    cols: &[String],
    scan: &str,
) -> String {
    let d = Dialect::DuckDb;
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
    format!(
        "SELECT *, {} AS precept_staff, {} AS precept_team, {day} AS precept_day FROM (SELECT CAST({index} AS BIGINT) AS precept_file, CAST({row} AS BIGINT) AS precept_row, {} FROM {scan})",
        text(info.staff_field),
        text(info.team_field),
        cols.join(", "),
    )
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
    /// For a Parquet file with values that may not convert: how the records holding one are read
    /// again, for the native engine to judge them. `None` for JSON Lines and CSV (read again by
    /// the native reader), and where nothing can fail.
    pub(super) again: Option<Again>,
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
        if leaf.presence {
            // The object's own column says whether the record has it (a `STRUCT` of its fields
            // is not the mapping's: those are columns of their own).
            if !holds(&Ty::Bool, found) {
                return Some(format!(
                    "its column `{}` is {found}, which does not say whether the record has the object (a boolean)",
                    leaf.name
                ));
            }
            continue;
        }
        if !holds(&leaf.field.ty, found) {
            return Some(format!(
                "its column `{}` is {found}, which does not hold the field's values ({})",
                leaf.name,
                crate::data::expected_type(&leaf.field.ty)
            ));
        }
        // The offsets beside a datetime or a list of them, where the file has them: whole
        // seconds, as the mapping's `INTEGER` (a text or a fraction would stop the rules reading
        // them, or be rounded).
        let offsets = offset_column(&leaf.name);
        let list = matches!(leaf.field.ty, Ty::List(_));
        if offsets_of(&leaf.field.ty, Dialect::DuckDb).is_some() {
            if let Some((_, found)) = columns.iter().find(|(name, _)| *name == offsets) {
                let t = found.to_ascii_uppercase();
                let element = if list { t.strip_suffix("[]") } else { Some(t.as_str()) };
                if !element.is_some_and(whole_seconds) {
                    let what = if list { "a list of offsets in whole seconds" } else { "an offset in whole seconds" };
                    return Some(format!("its column `{offsets}` is {found}, which does not hold {what}"));
                }
            }
        }
    }
    None
}

/// Whether a Parquet column of DuckDB type `t` (upper case) holds whole numbers only.
fn whole_seconds(t: &str) -> bool {
    ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"]
        .contains(&t)
}

/// Whether a Parquet column of DuckDB type `found` holds values of type `ty`.
fn holds(ty: &Ty, found: &str) -> bool {
    let t = found.to_ascii_uppercase();
    let numeric = whole_seconds(&t) || ["FLOAT", "DOUBLE"].contains(&t.as_str()) || t.starts_with("DECIMAL");
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
        Ty::Enum(e) => {
            let variants: Vec<String> =
                program.enums.get(*e).map(|d| d.variants.iter().map(|v| literal(v)).collect()).unwrap_or_default();
            if variants.is_empty() {
                return "CAST(NULL AS VARCHAR)".into();
            }
            format!("CASE WHEN CAST({col} AS VARCHAR) IN ({}) THEN CAST({col} AS VARCHAR) END", variants.join(", "))
        }
        // Each element of a list of an enumeration's values one of them, or NULL (so the list is
        // one that did not convert).
        Ty::List(inner) if matches!(**inner, Ty::Enum(_)) => {
            let Ty::Enum(e) = **inner else { return format!("TRY_CAST({col} AS {sql})") };
            let variants: Vec<String> =
                program.enums.get(e).map(|d| d.variants.iter().map(|v| literal(v)).collect()).unwrap_or_default();
            if variants.is_empty() {
                return format!("TRY_CAST({col} AS {sql})");
            }
            format!(
                "list_transform(TRY_CAST({col} AS VARCHAR[]), lambda precept_x: CASE WHEN precept_x IN ({}) THEN precept_x END)",
                variants.join(", ")
            )
        }
        _ => format!("TRY_CAST({col} AS {sql})"),
    }
}

/// The offset column (of SQL type `ty`: [`offsets_of`]) of datetime column `name` (or list of
/// datetimes) of a Parquet file, whose `TIMESTAMP` keeps no offset: the file's own `name.offset`
/// column when it has one, else NULL, which the rules read as UTC (docs/warehouse.md).
fn offset(name: &str, ty: &str, header: &[String]) -> String {
    format!("{} AS {}", offset_value(name, ty, header), Dialect::DuckDb.ident(&offset_column(name)))
}

/// The value of [`offset`]'s column: the file's offsets the engine holds; one it cannot is NULL
/// (its record is judged again: [`unheld_offsets`]).
fn offset_value(name: &str, ty: &str, header: &[String]) -> String {
    if !header.contains(&offset_column(name)) {
        return format!("CAST(NULL AS {ty})");
    }
    let o = Dialect::DuckDb.ident(&offset_column(name));
    if ty == OFFSET_TYPE {
        format!("CASE WHEN {} THEN NULL ELSE CAST({o} AS {ty}) END", unheld(&o))
    } else {
        format!(
            "list_transform({o}, lambda precept_o: CASE WHEN {} THEN NULL ELSE CAST(precept_o AS {OFFSET_TYPE}) END)",
            unheld("precept_o")
        )
    }
}

/// The file's offsets of datetime column `name` (or list of datetimes) as text, for the records
/// judged again ([`super::again`] reads them, and tells one the engine cannot hold), else NULL.
fn offset_text(name: &str, ty: &str, header: &[String]) -> String {
    let text = if ty == OFFSET_TYPE { "VARCHAR" } else { "VARCHAR[]" };
    if header.contains(&offset_column(name)) {
        format!("CAST({} AS {text})", Dialect::DuckDb.ident(&offset_column(name)))
    } else {
        format!("CAST(NULL AS {text})")
    }
}

/// SQL true where offset `o`, a whole number of seconds, is present and one the engine cannot
/// hold: past ±25:59:59, or past 64 bits.
fn unheld(o: &str) -> String {
    let m = crate::sql::tables::OFFSET_HELD;
    format!("({o} IS NOT NULL AND NOT COALESCE(TRY_CAST({o} AS BIGINT) BETWEEN -{m} AND {m}, FALSE))")
}

/// For a datetime leaf (or a list of datetimes) whose Parquet file has its offset column: when
/// an offset the engine cannot hold makes a record's value one that did not convert, and the
/// problems' rows that say so ([`unheld_offsets`]).
struct Unheld {
    /// SQL true where a datetime present has such an offset.
    bad: String,
    /// A `SELECT` of the rows (`precept_row`, `field`, `value`) each naming such a datetime, the
    /// element of a list by its index (`stamps[1]`), and quoting it with its offset; `{scan}`
    /// and `{row}` stand for the file's scan and its row number.
    rows: String,
}

/// [`Unheld`] for leaf `name` of type `ty`, converted by SQL `converted` (a datetime that did not
/// convert is reported as such, once); `None` where the file has no offset column for it.
fn unheld_offsets(name: &str, ty: &Ty, converted: &str, header: &[String]) -> Option<Unheld> {
    if !header.contains(&offset_column(name)) {
        return None;
    }
    let d = Dialect::DuckDb;
    let (x, o) = (d.ident(name), d.ident(&offset_column(name)));
    let quoted =
        |x: &str, o: &str| format!("CAST({x} AS VARCHAR) || ' at offset ' || CAST({o} AS VARCHAR) || ' seconds'");
    Some(match ty {
        Ty::List(_) => {
            let (xi, oi) = ("precept_x[precept_i]", "precept_o[precept_i]");
            Unheld {
                bad: format!(
                    "COALESCE(len(list_filter(({o})[1:len({x})], lambda precept_e: {})) > 0, FALSE)",
                    unheld("precept_e")
                ),
                rows: format!(
                    "SELECT CAST(precept_n AS BIGINT) AS precept_row, {} || CAST(precept_i - 1 AS VARCHAR) || ']' AS field, {} AS value \
                     FROM (SELECT {{row}} AS precept_n, {x} AS precept_x, {o} AS precept_o, unnest(range(1, len({x}) + 1)) AS precept_i FROM {{scan}}) \
                     WHERE {xi} IS NOT NULL AND {}",
                    literal(&format!("{name}[")),
                    quoted(xi, oi),
                    unheld(oi)
                ),
            }
        }
        _ => {
            let bad = format!("(({converted}) IS NOT NULL AND {})", unheld(&o));
            Unheld {
                rows: format!(
                    "SELECT CAST({{row}} AS BIGINT) AS precept_row, {} AS field, {} AS value FROM {{scan}} WHERE {bad}",
                    literal(name),
                    quoted(&x, &o)
                ),
                bad,
            }
        }
    })
}

/// Whether a Parquet value of type `ty` may fail to convert (text never does; the types no
/// record holds are never read).
fn fallible(ty: &Ty) -> bool {
    match ty {
        Ty::Text | Ty::BusinessDays | Ty::Object(_) | Ty::Set(_) => false,
        Ty::List(inner) => fallible(inner),
        _ => true,
    }
}

/// Whether Parquet column `x` held a value that `converted` (its [`parquet_value`]) lost: present,
/// but NULL once converted; for a list, fewer elements once converted.
fn bad(ty: &Ty, x: &str, converted: &str) -> String {
    match ty {
        // A `null` element is refused too.
        Ty::List(_) => format!("COALESCE(len({x}) <> list_count({converted}), FALSE)"),
        _ => format!("({x} IS NOT NULL AND ({converted}) IS NULL)"),
    }
}

/// A SQL text literal.
pub fn literal(s: &str) -> String {
    Dialect::DuckDb.text(s)
}
