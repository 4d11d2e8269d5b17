//! A CSV file's header matched against the schema: once per file, into a [`Plan`] of column
//! indexes, with the problems of the header itself (a column twice, a column the schema needs
//! missing).

use crate::data::convert;
use crate::data::diags::FileDiags;
use crate::data::{codes, scan};
use crate::diagnostics::Diag;
use crate::engine::types::{Field, ShapeId, Ty};
use crate::engine::Program;
use crate::source::Span;

/// Where each field of a shape comes from.
#[derive(Debug)]
pub(super) enum Plan {
    /// No rule reads it.
    Skip,
    /// No rule reads it, but it is inside an object, which is present where a cell of its is not
    /// empty: this column's cell is looked at for that, never read as a value.
    Seen(usize),
    /// This column.
    Cell(usize),
    /// Its column is not in the header (already reported).
    NoColumn,
    /// A nested object, field by field.
    Object(Vec<Plan>),
    /// A list of objects: not expressible in CSV, always empty.
    Empty,
}

/// A column the schema needs that the header lacks.
pub(super) struct Absent {
    field: String,
    pub(super) column: String,
    pub(super) required: bool,
}

/// Report every header name that appears more than once (after trimming, as columns are matched),
/// with both places. Returns whether a field reads such a column: then which cell is its value cannot
/// be told, and no records of the file are read; otherwise the records are still read.
pub(super) fn duplicate_columns(diags: &mut FileDiags<'_>, header: &[String], plan: &[Plan]) -> bool {
    let mut fatal = false;
    let mut cells: Option<Vec<Span>> = None;
    // Once per file, and a header may have 100,000 columns: a map, not a comparison of each pair.
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::with_capacity(header.len());
    for (second, name) in header.iter().enumerate() {
        let first = *seen.entry(name.as_str()).or_insert(second);
        if first == second {
            continue;
        }
        let read = reads_column(plan, first);
        fatal |= read;
        let (source, whole) = diags.line_span(1);
        let cells = cells.get_or_insert_with(|| scan::csv_cells(&source.text, whole.start).0);
        let at = |i: usize| cells.get(i).copied().unwrap_or(whole);
        let shown = convert::clip(name);
        let help = if read {
            "rename or remove one of the columns; a rule reads this column, so no records of this file were read"
        } else {
            "rename or remove one of the columns; no rule reads this column, so the records were still read"
        };
        diags.push(
            Diag::error(codes::DUPLICATE_COLUMN, format!("column `{shown}` appears twice in the header"))
                .at(&source, at(second), format!("second `{shown}`"))
                .label(at(first), format!("first `{shown}` here"))
                .help(help),
        );
    }
    fatal
}

/// Whether any field of the plan reads column `column`.
fn reads_column(plan: &[Plan], column: usize) -> bool {
    plan.iter().any(|p| match p {
        Plan::Cell(c) => *c == column,
        Plan::Object(inner) => reads_column(inner, column),
        Plan::Skip | Plan::Seen(_) | Plan::NoColumn | Plan::Empty => false,
    })
}

/// Match the fields of `shape` to header columns. `required` says whether the enclosing object must be
/// present.
pub(super) fn plan(
    program: &Program,
    shape: ShapeId,
    header: &[String],
    path: &mut Vec<String>,
    required: bool,
    absent: &mut Vec<Absent>,
) -> Vec<Plan> {
    let fields: &[Field] = program.shapes.get(shape).map_or(&[], |s| s.fields.as_slice());
    fields
        .iter()
        .map(|f| {
            if !f.used {
                return seen(program, f, header, path.is_empty());
            }
            path.push(f.name.clone());
            let p = match &f.ty {
                Ty::Object(s) => Plan::Object(plan(program, *s, header, path, required && !f.optional, absent)),
                Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)) => Plan::Empty,
                ty => match header.iter().position(|h| *h == f.column) {
                    Some(i) => Plan::Cell(i),
                    None => {
                        let required = required && !f.optional && !matches!(ty, Ty::List(_));
                        absent.push(Absent { field: path.join("."), column: f.column.clone(), required });
                        Plan::NoColumn
                    }
                },
            };
            path.pop();
            p
        })
        .collect()
}

/// The plan of field `f`, which no rule reads: inside an object (not `top`), its column still
/// tells whether the object is present, as every column of an object does, whether or not a rule
/// reads it (`record.extra is present` reads none of `extra`'s fields).
fn seen(program: &Program, f: &Field, header: &[String], top: bool) -> Plan {
    if top {
        return Plan::Skip;
    }
    match &f.ty {
        Ty::Object(s) => Plan::Object(
            program
                .shapes
                .get(*s)
                .map_or(&[][..], |s| s.fields.as_slice())
                .iter()
                .map(|g| seen(program, g, header, false))
                .collect(),
        ),
        Ty::List(inner) if matches!(**inner, Ty::Object(_) | Ty::List(_)) => Plan::Skip,
        _ => header.iter().position(|h| *h == f.column).map_or(Plan::Skip, Plan::Seen),
    }
}

/// The diagnostic for a column the header lacks: an error when a required field needs it (the file is
/// then not read, since every record would lack it), else a warning (the field reads as missing; only
/// given when a header is close enough to be a misspelling of it).
pub(super) fn missing_column(diags: &mut FileDiags<'_>, header: &[String], a: &Absent) {
    let (source, span) = diags.line_span(1);
    let message = if a.field == a.column {
        format!("no column `{}` in the header", convert::clip(&a.column))
    } else {
        format!("no column `{}` (for field `{}`) in the header", convert::clip(&a.column), a.field)
    };
    let columns = convert::list(header.iter().map(String::as_str));
    let help = match convert::did_you_mean(&a.column, header.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`? the columns are {columns}"),
        None => format!(
            "add the column, or name the column the field is read from in the schema; the columns are {columns}"
        ),
    };
    let diag = if a.required {
        Diag::error(codes::CSV_MISSING_COLUMN, message)
            .at(&source, span, "header")
            .help(format!("{help}; no records of this file were read"))
    } else {
        Diag::warning(codes::CSV_MISSING_COLUMN, message)
            .at(&source, span, "header")
            .help(format!("{help}; the field reads as missing"))
    };
    diags.push(diag);
}
