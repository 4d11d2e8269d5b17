//! Locating a value in a TOML record file: the record's own part of the file is parsed again, with
//! spans, and the path walked through it.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{record_tables, records};
use crate::engine::blame::Step;
use crate::engine::types::{ShapeId, Ty};
use crate::engine::Program;
use crate::source::Span;

/// The span of the value at `path` in TOML record `ordinal` (see [`crate::data::Locator`]).
///
/// Parsing the whole file again for every finding made a file of 5,000 `[[record]]` tables take
/// over a minute; the record spans of the file are kept in `spans` (by the file's
/// [`crate::data::Locator`]), and only the record's own part of the file (from its `[[record]]` to the
/// next) is parsed, falling back to the whole file when that part does not read on its own as one
/// record.
pub(crate) fn locate(
    text: &str,
    program: &Program,
    shape: ShapeId,
    ordinal: usize,
    path: &[Step],
    spans: &mut Option<Vec<Span>>,
) -> Option<Span> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..)?;
    if let Some((region, record)) = record_region(body, program, shape, ordinal, spans) {
        let part = body.get(region.start..region.end)?;
        if let Ok(doc) = DeTable::parse(part) {
            if let Some(items) = record_tables(program, shape, doc.get_ref()) {
                if let (1, Some(table)) = (items.len(), items.first().and_then(|i| i.get_ref().as_table())) {
                    return walk(table, record, bom + region.start, program, shape, path, bom);
                }
            }
        }
    }
    locate_by_parsing_all(text, program, shape, ordinal, path)
}

/// [`locate`] by parsing the whole file: for a file of one record, or a part that does not read alone.
pub(super) fn locate_by_parsing_all(
    text: &str,
    program: &Program,
    shape: ShapeId,
    ordinal: usize,
    path: &[Step],
) -> Option<Span> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..)?;
    let doc = DeTable::parse(body).ok()?;
    let (table, record) = records(program, shape, &doc, body).into_iter().nth(ordinal)?;
    walk(table, record, bom, program, shape, path, bom)
}

/// The part of `body` holding `[[record]]` table `ordinal` (up to the next one) and the record's
/// own span, from the spans of the file's record tables (found on first need, kept in `spans`);
/// `None` for a file of one record.
fn record_region(
    body: &str,
    program: &Program,
    shape: ShapeId,
    ordinal: usize,
    spans: &mut Option<Vec<Span>>,
) -> Option<(Span, Span)> {
    let spans = spans.get_or_insert_with(|| {
        let Ok(doc) = DeTable::parse(body) else { return Vec::new() };
        record_tables(program, shape, doc.get_ref())
            .map(|items| items.iter().map(|i| Span::new(i.span().start, i.span().end)).collect())
            .unwrap_or_default()
    });
    let record = *spans.get(ordinal)?;
    let end = spans.get(ordinal + 1).map_or(body.len(), |next| next.start);
    (record.start <= end).then_some((Span::new(record.start, end), record))
}

/// Walk `path` from a record's `table` (whose spans are `shift` bytes into the file; `record` is
/// the record's span in the body, which starts `bom` bytes into the file).
fn walk(
    table: &DeTable<'_>,
    record: Span,
    shift: usize,
    program: &Program,
    shape: ShapeId,
    path: &[Step],
    bom: usize,
) -> Option<Span> {
    let mut table = table;
    let shift = |r: std::ops::Range<usize>| Span::new(r.start + shift, r.end + shift);
    let mut owner = Span::new(record.start + bom, record.end + bom);
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    let mut ty = Ty::Object(shape);
    for step in path {
        match (*step, &ty) {
            (Step::Field(i), Ty::Object(s)) => {
                if let Some(v) = current {
                    match v.get_ref().as_table() {
                        Some(t) => table = t,
                        None => return Some(shift(v.span())),
                    }
                }
                let field = program.shapes.get(*s)?.fields.get(usize::from(i))?;
                let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == field.name) else {
                    return Some(owner);
                };
                owner = shift(key.span());
                current = Some(value);
                ty = field.ty.clone();
            }
            (Step::Index(i), Ty::List(inner)) => {
                let v = current?;
                let Some(item) = v.get_ref().as_array().and_then(|a| a.get(usize::try_from(i).ok()?)) else {
                    return Some(owner);
                };
                current = Some(item);
                owner = shift(item.span());
                ty = (**inner).clone();
            }
            _ => break,
        }
    }
    Some(current.map_or(owner, |v| shift(v.span())))
}
