//! Locating a value in a record file: the slow path, run only for a record that broke a rule or could
//! not be read, turning a field path back into the byte span the user should look at.
//!
//! Records are read without spans (that is what keeps reading fast); this module finds the record again
//! in the file's text by its line (JSON Lines, CSV) or its position in the file (JSON arrays, TOML
//! `[[record]]` tables) and walks the path through the text. [`super::Locator`] decides which text
//! that is and keeps what is worth keeping between findings ([`Index`]).

use super::scan;
use super::{Format, RecordFile};
use crate::engine::blame::Step;
use crate::engine::types::Ty;
use crate::engine::Program;
use crate::source::Span;

/// What locating in one whole file (JSON, TOML) keeps between its findings: where its records are,
/// found on first need, so many findings in one large file cost one scan of it, not one each.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// The start of each element of a JSON file's top-level array.
    json: Option<Vec<usize>>,
    /// The span of each `[[record]]` table of a TOML file (empty for a file of one record).
    toml: Option<Vec<Span>>,
}

/// Find the byte span in the file's full `text` of the value at `path` of the record `ordinal`, which
/// starts at 1-based `line`; `index` is what earlier calls on the same text kept.
///
/// When the value is absent, the span is that of the key of the nearest enclosing object that is
/// present, or of the record itself. For CSV it is the cell of the field's column on the record's line
/// (or the whole line). Never panics; when the file no longer matches, it falls back to the record's
/// line.
pub(crate) fn locate(
    file: &RecordFile,
    text: &str,
    program: &Program,
    ordinal: usize,
    line: usize,
    path: &[Step],
    index: &mut Index,
) -> Span {
    // The record's line, found by counting lines from the start: only when needed, since for a
    // whole-file format that count per finding would make many findings in one file quadratic.
    let fallback = || scan::line_span(text, line);
    let Some(schema) = program.schemas.get(file.schema) else { return fallback() };
    let shape = schema.shape;
    let found = match file.format {
        Format::Jsonl => Some(jsonl_span(text, fallback().start, program, shape, path, &[], &mut Scanned::default())),
        Format::Json => json_record_start(text, ordinal, &schema.records_at, index)
            .map(|start| json_value_span(text, start, program, shape, path)),
        Format::Toml => super::toml::locate(text, program, shape, ordinal, path, &mut index.toml),
        Format::Csv => csv_span(text, text, scan::line_start(text, line), program, shape, path),
    };
    found.unwrap_or_else(fallback).clamp(text.len())
}

/// What placing several findings in one JSON record keeps between them: the record's extent and
/// its members, each found by one scan of the record, not one per finding.
#[derive(Default)]
pub(crate) struct Scanned<'t> {
    record: Option<Option<Span>>,
    members: Option<Vec<scan::Member<'t>>>,
}

/// The span of the value at `path` in the JSON Lines record whose line starts at byte `start`.
/// `keys_at` is where the parse found each top-level key (see [`crate::data::RawText`]; empty if
/// unknown): with it, the value is found without scanning the record.
pub(crate) fn jsonl_span<'t>(
    text: &'t str,
    start: usize,
    program: &Program,
    shape: usize,
    path: &[Step],
    keys_at: &[u32],
    scanned: &mut Scanned<'t>,
) -> Span {
    let start = scan::skip_ws(text.as_bytes(), start);
    let start = if text.get(start..).is_some_and(|t| t.starts_with('\u{feff}')) { start + 3 } else { start };
    if let Some(span) = from_keys(text, start, program, shape, path, keys_at) {
        return span;
    }
    value_span(text, start, program, shape, path, scanned)
}

/// [`jsonl_span`] from where the parse found the record's top-level keys: the record is the line
/// the parse read whole (so it ends at its last `}`), a top-level field's value follows its key,
/// and only that value is scanned (its end, and the rest of `path` inside it). `None` where the
/// keys do not tell (not known, a custom field, text that does not match them): the record is
/// then scanned.
fn from_keys(
    text: &str,
    start: usize,
    program: &Program,
    shape: usize,
    path: &[Step],
    keys_at: &[u32],
) -> Option<Span> {
    if keys_at.is_empty() {
        return None;
    }
    let b = text.as_bytes();
    // Only JSON whitespace can follow a record the parse read.
    let end = text.trim_end_matches([' ', '\t', '\n', '\r']).len();
    if b.get(start) != Some(&b'{') || end <= start || b.get(end - 1) != Some(&b'}') {
        return None;
    }
    let record = Span::new(start, end);
    let Some((first, rest)) = path.split_first() else { return Some(record) };
    let Step::Field(i) = *first else { return None };
    let field = program.shapes.get(shape)?.fields.get(usize::from(i))?;
    // Only the keys of fields some rule reads are matched while parsing; a custom field has none.
    if !field.used || field.custom().is_some() {
        return None;
    }
    let at = *keys_at.get(usize::from(i))?;
    if at == crate::data::json::NOT_AT {
        // Absent: shown at the record, as when it is scanned.
        return Some(record);
    }
    let at = usize::try_from(at).ok()?;
    // The key as written, without an escape (else it would not be known): the field's name.
    let key = Span::new(at, at + field.name.len() + 2);
    if b.get(key.start) != Some(&b'"') || b.get(key.end - 1) != Some(&b'"') {
        return None;
    }
    let colon = scan::skip_ws(b, key.end);
    if b.get(colon) != Some(&b':') {
        return None;
    }
    let value_start = scan::skip_ws(b, colon + 1);
    let value = Span::new(value_start, scan::skip_value(b, value_start)?);
    Some(walk(text, program, (value, key, &field.ty), rest, None))
}

/// The span of the value at `path` in the JSON record starting at byte `start` of `text`.
pub(crate) fn json_value_span(text: &str, start: usize, program: &Program, shape: usize, path: &[Step]) -> Span {
    value_span(text, start, program, shape, path, &mut Scanned::default())
}

/// [`json_value_span`], with what earlier calls on the same record found in `scanned`.
fn value_span<'t>(
    text: &'t str,
    start: usize,
    program: &Program,
    shape: usize,
    path: &[Step],
    scanned: &mut Scanned<'t>,
) -> Span {
    let b = text.as_bytes();
    let start = scan::skip_ws(b, start);
    if scanned.record.is_none() && b.get(start) == Some(&b'{') {
        // An object record's members and end in one pass; the end by [`scan::skip_value`] only
        // where that pass stopped early.
        let (members, end) = scan::object_scan(text, start);
        let end = end.or_else(|| scan::skip_value(b, start));
        scanned.record = Some(end.map(|end| Span::new(start, end)));
        scanned.members = Some(members);
    }
    let end = *scanned.record.get_or_insert_with(|| scan::skip_value(b, start).map(|end| Span::new(start, end)));
    let Some(record) = end else { return scan::line_span(text, 1 + count_lines(b, start)) };
    let members = match path.first() {
        Some(Step::Field(_)) => {
            Some(&**scanned.members.get_or_insert_with(|| scan::object_members(text, record.start)))
        }
        _ => None,
    };
    walk(text, program, (record, record, &Ty::Object(shape)), path, members)
}

/// Follow `path` from `value` (of type `ty`, in the object whose key, or whole value, is `owner`):
/// the span of the value reached, or of the key of the nearest enclosing object present where it
/// is absent. `members` are `value`'s own, where already scanned.
fn walk<'t, 'p>(
    text: &'t str,
    program: &'p Program,
    (mut value, mut owner, mut ty): (Span, Span, &'p Ty),
    path: &[Step],
    members: Option<&[scan::Member<'t>]>,
) -> Span {
    let b = text.as_bytes();
    let start = value;
    for step in path {
        match (*step, ty) {
            (Step::Field(i), Ty::Object(s)) => {
                let Some(field) = program.shapes.get(*s).and_then(|sh| sh.fields.get(usize::from(i))) else {
                    return owner;
                };
                // The last occurrence wins, as when the record was read.
                let fresh;
                let members: &[scan::Member<'t>] = match members {
                    Some(m) if value == start => m,
                    _ => {
                        fresh = scan::object_members(text, value.start);
                        &fresh
                    }
                };
                if let Some(c) = field.custom() {
                    // The `value` of the element with the field's id in the `{id, value}` array.
                    let Some(m) = members.iter().rev().find(|m| *m.name == *c.key) else { return owner };
                    owner = m.key;
                    let Some((element, v)) = custom_value(text, m.value.start, &c.id) else { return owner };
                    match v {
                        Some(v) => {
                            value = v;
                            owner = element;
                        }
                        None => return element,
                    }
                    ty = &field.ty;
                    continue;
                }
                let Some(m) = members.iter().rev().find(|m| m.name == field.name.as_str()) else { return owner };
                value = m.value;
                owner = m.key;
                ty = &field.ty;
            }
            (Step::Index(i), Ty::List(inner)) => {
                let Some(element) = usize::try_from(i).ok().and_then(|i| scan::array_element(b, value.start, i)) else {
                    return owner;
                };
                value = element;
                // An element has no key: a value absent from it is shown at the element.
                owner = element;
                ty = inner;
            }
            _ => return value,
        }
    }
    value
}

/// In the `{id, value}` array starting at `pos`, the last element whose `id` is `id` (a string's
/// value or a number's text; the last, so that an id given twice is shown at its second), and its
/// `value`'s span if it has one.
fn custom_value(text: &str, pos: usize, id: &str) -> Option<(Span, Option<Span>)> {
    let b = text.as_bytes();
    let elements = scan::array_elements(b, pos)?;
    elements.into_iter().rev().find_map(|(start, end)| {
        let members = scan::object_members(text, start);
        let given = members.iter().rev().find(|m| m.name == "id")?;
        let raw = text.get(given.value.start..given.value.end)?;
        let matches = match raw.strip_prefix('"') {
            Some(_) => serde_json::from_str::<String>(raw).is_ok_and(|s| s == id),
            None => raw == id,
        };
        let value = members.iter().rev().find(|m| m.name == "value").map(|m| m.value);
        matches.then_some((Span::new(start, end), value))
    })
}

fn count_lines(b: &[u8], upto: usize) -> usize {
    b.get(..upto).map_or(0, |s| s.iter().filter(|&&c| c == b'\n').count())
}

/// Where record `ordinal` of a JSON file starts (below the schema's `records at` keys). The element offsets are kept in `index`, so locating
/// many records of one large file scans it once.
fn json_record_start(text: &str, ordinal: usize, records_at: &[String], index: &mut Index) -> Option<usize> {
    let b = text.as_bytes();
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut first = scan::skip_ws(b, bom);
    if b.get(first) == Some(&b'{') && !records_at.is_empty() {
        // The records are the elements of the array the schema's `records at` names.
        first = scan::json_path(text, first, records_at)?.start;
    }
    if b.get(first) != Some(&b'[') {
        return (ordinal == 0).then_some(first);
    }
    let starts = index.json.get_or_insert_with(|| {
        scan::array_elements(b, first).unwrap_or_default().into_iter().map(|(s, _)| s).collect()
    });
    starts.get(ordinal).copied()
}

/// The span of the cell of the field at `path` in the CSV record starting at byte `at` of `record`,
/// its column found by name in the first row of `header` (the same text, for a whole file).
pub(crate) fn csv_span(
    header: &str,
    record: &str,
    at: usize,
    program: &Program,
    shape: usize,
    path: &[Step],
) -> Option<Span> {
    // The column: the leaf field the path reaches (list items share their list's cell).
    let top = Ty::Object(shape);
    let mut ty = &top;
    let mut column = None;
    for step in path {
        match (*step, ty) {
            (Step::Field(i), Ty::Object(s)) => {
                let field = program.shapes.get(*s)?.fields.get(usize::from(i))?;
                column = Some(field.column.as_str());
                ty = &field.ty;
            }
            _ => break,
        }
    }
    if matches!(ty, Ty::Object(_)) {
        return None;
    }
    let column = column?;
    let bom = if header.starts_with('\u{feff}') { 3 } else { 0 };
    let (names, _) = scan::csv_cells(header, bom);
    let index =
        names.iter().position(|s| header.get(s.start..s.end).is_some_and(|c| scan::csv_unquote(c).trim() == column))?;
    let (cells, _) = scan::csv_cells(record, at);
    cells.get(index).copied()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::data::testing::*;
    use crate::engine::blame::Step::{Field as F, Index as I};

    fn shapes() -> Program {
        let mut p = program(
            vec![
                vec![
                    field("id", Ty::Text),
                    field("customer", Ty::Object(1)),
                    field("items", Ty::List(Box::new(Ty::Object(2)))),
                    field("tags", Ty::List(Box::new(Ty::Text))),
                ],
                vec![field("kind", Ty::Text), field("name", Ty::Text)],
                vec![field("sku", Ty::Text), field("qty", Ty::Int)],
            ],
            vec![],
        );
        p.shapes[1].fields[0].column = "customer type".into();
        p
    }

    fn at<'t>(format: Format, text: &'t str, ordinal: usize, line: usize, path: &[Step]) -> &'t str {
        let p = shapes();
        let file = RecordFile::from_bytes("x", format, 0, text.as_bytes().to_vec());
        let s = locate(&file, text, &p, ordinal, line, path, &mut Index::default());
        &text[s.start..s.end]
    }

    #[test]
    fn json_nested_fields_and_list_elements() {
        let text = "[\n {\"id\": \"a\", \"customer\": {\"kind\": \"x\"}},\n {\"id\": \"b\",\n  \"customer\": {\"name\": \"N\", \"kind\": \"retail\"},\n  \"items\": [{\"sku\": \"s1\"}, {\"sku\": \"s2\", \"qty\": 3}], \"tags\": [\"t0\", \"t1\"]}\n]";
        assert_eq!(at(Format::Json, text, 1, 3, &[F(1), F(0)]), "\"retail\"");
        assert_eq!(at(Format::Json, text, 0, 2, &[F(1), F(0)]), "\"x\"");
        assert_eq!(at(Format::Json, text, 1, 3, &[F(2), I(1), F(1)]), "3");
        assert_eq!(at(Format::Json, text, 1, 3, &[F(3), I(1)]), "\"t1\"");
        // Absent values: the nearest enclosing key, or the record.
        assert_eq!(at(Format::Json, text, 1, 3, &[F(2), I(0), F(1)]), "{\"sku\": \"s1\"}");
        assert_eq!(at(Format::Json, text, 1, 3, &[F(2), I(5), F(1)]), "\"items\"");
        assert_eq!(at(Format::Json, text, 0, 2, &[F(1), F(1)]), "\"customer\"");
        assert_eq!(at(Format::Json, text, 0, 2, &[F(2)]), "{\"id\": \"a\", \"customer\": {\"kind\": \"x\"}}");
        // Asked again, and for a record that is not there.
        assert_eq!(at(Format::Json, text, 1, 3, &[F(0)]), "\"b\"");
        assert_eq!(at(Format::Json, text, 7, 2, &[F(0)]), " {\"id\": \"a\", \"customer\": {\"kind\": \"x\"}},");
        let single = "\u{feff}{\"id\": \"only\"}";
        assert_eq!(at(Format::Json, single, 0, 1, &[F(0)]), "\"only\"");
    }

    #[test]
    fn jsonl_uses_the_line() {
        let text = "{\"id\": \"a\"}\n\n{\"id\": \"b\", \"customer\": {\"kind\": \"k\", \"name\": \"n\"}}\r\n";
        assert_eq!(at(Format::Jsonl, text, 1, 3, &[F(1), F(1)]), "\"n\"");
        assert_eq!(
            at(Format::Jsonl, text, 1, 3, &[]),
            "{\"id\": \"b\", \"customer\": {\"kind\": \"k\", \"name\": \"n\"}}"
        );
        assert_eq!(at(Format::Jsonl, text, 0, 1, &[F(1), F(0)]), "{\"id\": \"a\"}");
    }

    #[test]
    fn csv_cells_by_column() {
        let text = "id,customer type,customer.name,tags\nA,retail,\"Smith, J\",x;y\n\"B\",business,,z\n";
        assert_eq!(at(Format::Csv, text, 0, 2, &[F(1), F(1)]), "\"Smith, J\"");
        assert_eq!(at(Format::Csv, text, 1, 3, &[F(1), F(0)]), "business");
        assert_eq!(at(Format::Csv, text, 1, 3, &[F(3), I(0)]), "z");
        assert_eq!(at(Format::Csv, text, 1, 3, &[F(0)]), "\"B\"");
        // An object, or a column that is not in the header: the whole line.
        assert_eq!(at(Format::Csv, text, 1, 3, &[F(1)]), "\"B\",business,,z");
        assert_eq!(at(Format::Csv, text, 1, 3, &[F(2)]), "\"B\",business,,z");
    }

    #[test]
    fn never_panics_on_nonsense() {
        let p = shapes();
        for format in [Format::Json, Format::Jsonl, Format::Toml, Format::Csv] {
            let file = RecordFile::from_bytes("nonsense", format, 0, Vec::new());
            for text in ["", "{", "[{\"id\": ", "é\"\"\"", "[[[[", "a,b\n\"unclosed"] {
                for line in [0, 1, 5] {
                    let s = locate(&file, text, &p, 3, line, &[F(1), F(0), I(9), F(7)], &mut Index::default());
                    assert!(s.end <= text.len());
                }
            }
            let other = RecordFile { schema: 9, ..file };
            let s = locate(&other, "x", &p, 0, 1, &[], &mut Index::default());
            assert_eq!(s, Span::new(0, 1));
        }
    }
}
