//! JSON and JSON Lines records, each deserialized straight into slots (see [`seed`]).
//!
//! JSON Lines are read line by line into one reused buffer, in chunks parsed across threads. A JSON
//! file is read whole, checked for syntax, and then each element of a top-level array is parsed on
//! its own, so that every record knows its line and a bad record never hides the ones after it.

mod seed;

pub(crate) use seed::NOT_AT;

use rayon::prelude::*;
use std::io::BufRead;

use serde::de::IgnoredAny;

use super::diags::{FileDiags, Problem, ProblemKind};
use super::{codes, locate, scan, Batcher, ReadRecord, RecordFile};
use crate::engine::types::ShapeId;
use crate::engine::Program;
use crate::source::{SourceFile, Span};
use seed::{parse_record, Ctx};

const JSON_HELP: &str = "a `.json` file holds one record object, or an array of record objects";
const JSONL_HELP: &str = "each line of a `.jsonl` file must be one complete JSON object";

/// Lines read per chunk before they are parsed in parallel.
const JSONL_CHUNK: usize = 1024;
/// The most bytes of whole lines gathered for one parallel chunk (plus at most one line).
const JSONL_CHUNK_BYTES: usize = 8 << 20;

/// One non-blank line of a JSON Lines file, as bytes in the chunk buffer.
struct RawLine {
    line: usize,
    ordinal: usize,
    /// Bytes of a leading byte-order mark skipped on the first line.
    bom: usize,
    start: usize,
    end: usize,
}

/// Reads a JSON Lines file's non-blank lines in chunks, counting lines and records as it goes.
struct Chunks<'f> {
    reader: super::origin::Lines<'f>,
    recycler: super::Recycler,
    line: usize,
    ordinal: usize,
    /// Whether any record (or over-long line) was met.
    any: bool,
    /// The end was reached, or reading failed.
    done: bool,
}

/// One chunk of lines, and what reading it met besides them, to report in file order.
struct LineChunk {
    /// Its bytes, checked to be UTF-8 where they are read (see [`super::Chunk::checked`]).
    chunk: super::Chunk,
    lines: Vec<RawLine>,
    /// Lines over the `record-line` limit, by number, dropped unread.
    too_long: Vec<usize>,
    /// The error that ended reading.
    error: Option<std::io::Error>,
}

impl Chunks<'_> {
    /// The next chunk: at most [`JSONL_CHUNK`] lines and [`JSONL_CHUNK_BYTES`] bytes (plus one line).
    fn next(&mut self) -> LineChunk {
        let mut chunk = LineChunk {
            chunk: super::Chunk::new(Vec::new(), None),
            lines: Vec::with_capacity(JSONL_CHUNK),
            too_long: Vec::new(),
            error: None,
        };
        let mut buffer = self.recycler.buffer();
        let bytes = &mut buffer;
        while !self.done && chunk.lines.len() < JSONL_CHUNK && bytes.len() < JSONL_CHUNK_BYTES {
            let start = bytes.len();
            let read = self.reader.read_until(b'\n', bytes);
            for long in self.reader.get_mut().take_too_long() {
                self.any = true;
                self.ordinal += 1;
                chunk.too_long.push(long);
            }
            match read {
                Ok(0) => {
                    self.done = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    chunk.error = Some(e);
                    self.done = true;
                    break;
                }
            }
            self.line += 1;
            let mut bom = 0;
            if self.line == 1 && bytes.get(start..).is_some_and(|b| b.starts_with(b"\xEF\xBB\xBF")) {
                bom = 3;
            }
            if bytes.get(start + bom..).unwrap_or(&[]).iter().all(u8::is_ascii_whitespace) {
                bytes.truncate(start);
                continue;
            }
            self.any = true;
            chunk.lines.push(RawLine {
                line: self.line,
                ordinal: self.ordinal,
                bom,
                start: start + bom,
                end: bytes.len(),
            });
            self.ordinal += 1;
        }
        chunk.chunk = super::Chunk::checked(buffer);
        chunk
    }
}

/// What parsing one line gave, with the work done on its record.
enum Parsed<W> {
    Record(ReadRecord, W),
    /// Problems to report; and the record, when they cost only values (see [`Ctx::usable`]).
    Problems(Option<(ReadRecord, W)>, Vec<Problem>, usize),
    Syntax(serde_json::Error),
    Utf8(usize),
}

/// Read a JSON Lines file, one record per non-blank line, streaming: lines are read in chunks and
/// each chunk is parsed across threads, then handed on in file order.
pub(crate) fn read_jsonl<W: Send>(file: &RecordFile, program: &Program, out: &mut Batcher<'_, W>) -> Vec<super::Diag> {
    let mut diags = FileDiags::new(file);
    let Some(schema) = program.schemas.get(file.schema) else { return diags.finish() };
    let shape = schema.shape;
    // Through the file layer: a regular file only, and no line longer than the `record-line`
    // limit is ever held (such a line reads as blank and is reported below).
    let reader = match file.lines() {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return diags.finish();
        }
    };
    let keys = seed::Keys::of(program);
    let mut chunks =
        Chunks { reader, recycler: super::Recycler::default(), line: 0, ordinal: 0, any: false, done: false };
    let mut current = chunks.next();
    loop {
        // What reading the chunk met, in file order after everything before it.
        for long in current.too_long.drain(..) {
            diags.push(crate::input::too_large(crate::input::Kind::RecordLine, &file.name, Some(long)));
        }
        if let Some(e) = current.error.take() {
            diags.unreadable(&e);
        }
        // The chunk's bytes are kept, shared by its records, for placing their findings; the next
        // chunk is read into a buffer of its own.
        let shared = chunks.recycler.share(current.chunk);
        let lines = current.lines;
        let work = out.work();
        let record = |raw: &RawLine, values, unreadable, keys_at: &[u32]| {
            let rec = ReadRecord {
                ordinal: raw.ordinal,
                line: raw.line,
                values,
                unreadable,
                raw: Some(super::RawText::new(&shared, raw.start, raw.end).with_keys(keys_at)),
            };
            let done = work(&rec);
            (rec, done)
        };
        let parse = || -> Vec<Parsed<W>> {
            lines
                .par_iter()
                // Pieces of at most 64 records: a worker done with its share of a chunk takes more
                // from the other's, rather than wait up to a quarter of the chunk for it.
                .with_max_len(64)
                .map_init(
                    || Ctx::new(program, &keys),
                    |ctx, raw| match shared.text(raw.start, raw.end) {
                        Err(e) => Parsed::Utf8(e.valid_up_to()),
                        Ok(text) => match parse_record(ctx, shape, text) {
                            Ok(values) if ctx.problems.is_empty() => {
                                let (rec, done) = record(raw, values, Vec::new(), ctx.keys_at());
                                Parsed::Record(rec, done)
                            }
                            Ok(values) => {
                                let dropped = ctx.dropped();
                                let usable = ctx.usable();
                                let problems = std::mem::take(&mut ctx.problems);
                                let kept = usable.then(|| {
                                    let unreadable = super::diags::unreadable_notes(program, shape, problems.iter());
                                    record(raw, values, unreadable, ctx.keys_at())
                                });
                                Parsed::Problems(kept, problems, dropped)
                            }
                            Err(e) => Parsed::Syntax(e),
                        },
                    },
                )
                .collect()
        };
        // While this chunk is parsed and checked across the worker threads, the next one is read
        // (on one of them): reading never leaves the others idle.
        let (parsed, next) = if chunks.done {
            (parse(), None)
        } else {
            let (parsed, next) = rayon::join(parse, || chunks.next());
            (parsed, Some(next))
        };
        hand_on(program, shape, (&lines, &shared, parsed), &mut diags, out);
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    if !chunks.any {
        diags.empty();
    }
    diags.finish()
}

/// Hand a parsed chunk's records on in file order, with its lines' problems as diagnostics.
fn hand_on<W: Send>(
    program: &Program,
    shape: usize,
    (lines, chunk, parsed): (&[RawLine], &super::Chunk, Vec<Parsed<W>>),
    diags: &mut FileDiags<'_>,
    out: &mut Batcher<'_, W>,
) {
    for (raw, result) in lines.iter().zip(parsed) {
        match result {
            Parsed::Record(rec, done) => out.push_done(rec, done),
            Parsed::Utf8(at) => diags.invalid_utf8_at_line(raw.line, raw.bom + at),
            Parsed::Problems(kept, problems, dropped) => {
                if let Some((rec, done)) = kept {
                    out.push_done(rec, done);
                }
                // Only the problems that will be shown are located.
                let shown = problems.len().min(diags.room());
                diags.skip(dropped + problems.len() - shown);
                if shown == 0 {
                    continue;
                }
                let text = chunk.text(raw.start, raw.end).unwrap_or("");
                let (source, start) = diags.at_line(raw.line);
                let base = start + raw.bom;
                let mut found: Vec<(Span, &Problem)> = problems
                    .iter()
                    .take(shown)
                    .map(|p| {
                        let span = problem_span(text, 0, program, shape, p);
                        (Span::new(span.start + base, span.end + base), p)
                    })
                    .collect();
                found.sort_by_key(|(s, _)| (s.start, s.end));
                for (span, p) in found {
                    diags.push(p.diag(program, shape, &source, span, JSONL_HELP));
                }
            }
            Parsed::Syntax(e) => {
                let (source, start) = diags.at_line(raw.line);
                let at = start + raw.bom + e.column().saturating_sub(1);
                syntax_error(diags, &source, &e, at, JSONL_HELP);
            }
        }
    }
}

/// Read a JSON file: one record object, or an array of them.
pub(crate) fn read_json<W: Send>(file: &RecordFile, program: &Program, out: &mut Batcher<'_, W>) -> Vec<super::Diag> {
    let mut diags = FileDiags::new(file);
    let Some(schema) = program.schemas.get(file.schema) else { return diags.finish() };
    let shape = schema.shape;
    let Some(bytes) = diags.read_utf8() else { return diags.finish() };
    // INVARIANT: `read_utf8` checked the bytes.
    let text = std::str::from_utf8(&bytes).unwrap_or("");
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..).unwrap_or("");
    if body.trim().is_empty() {
        diags.set_text(text);
        diags.empty();
        return diags.finish();
    }
    // Syntax first, without recursion and without building anything, so that a broken file gets one
    // diagnostic with serde_json's own place and no records.
    if let Err(e) = serde_json::from_str::<IgnoredAny>(body) {
        diags.set_text(text);
        let at = bom + scan::json_error_offset(body, e.line(), e.column());
        let source = diags.source();
        syntax_error(&mut diags, &source, &e, at, JSON_HELP);
        return diags.finish();
    }
    let b = body.as_bytes();
    let first = scan::skip_ws(b, 0);
    let Some(array) = records_array(&mut diags, text, bom, program, file.schema) else { return diags.finish() };
    let elements = match array {
        Some(at) => scan::array_elements(b, at).unwrap_or_default(),
        None => vec![(first, b.len())],
    };
    let keys = seed::Keys::of(program);
    let mut ctx = Ctx::new(program, &keys);
    let (mut line, mut counted) = (1usize, 0usize);
    for (ordinal, &(start, end)) in elements.iter().enumerate() {
        line += b.get(counted..start).map_or(0, |s| s.iter().filter(|&&c| c == b'\n').count());
        counted = start;
        let element = body.get(start..end).unwrap_or("");
        match parse_record(&mut ctx, shape, element) {
            Ok(values) if ctx.problems.is_empty() => {
                out.push(ReadRecord { ordinal, line, values, unreadable: Vec::new(), raw: None })
            }
            Ok(values) => {
                if ctx.usable() {
                    let unreadable = super::diags::unreadable_notes(program, shape, ctx.problems.iter());
                    out.push(ReadRecord { ordinal, line, values, unreadable, raw: None });
                }
                // Only the problems that will be shown are located.
                let shown = ctx.problems.len().min(diags.room());
                diags.skip(ctx.dropped() + ctx.problems.len() - shown);
                if shown == 0 {
                    continue;
                }
                diags.set_text(text);
                let source = diags.source();
                let mut found: Vec<(Span, &Problem)> = ctx
                    .problems
                    .iter()
                    .take(shown)
                    .map(|p| {
                        let span = problem_span(body, start, program, shape, p);
                        (Span::new(span.start + bom, span.end + bom), p)
                    })
                    .collect();
                found.sort_by_key(|(s, _)| (s.start, s.end));
                for (span, p) in found {
                    diags.push(p.diag(program, shape, &source, span, JSON_HELP));
                }
            }
            Err(e) => {
                diags.set_text(text);
                let at = bom + start + scan::json_error_offset(element, e.line(), e.column());
                let source = diags.source();
                syntax_error(&mut diags, &source, &e, at, JSON_HELP);
            }
        }
    }
    diags.finish()
}

/// Where the array of records of a JSON file starts in `text` after its byte-order mark
/// (`Some(None)`: the file is one record). A top-level array is always the records; an object is
/// followed down the schema's `records at` keys. `None` when it cannot be read (reported): the
/// keys lead nowhere, or, without `records at`, the object holds no field of the schema but does
/// hold an array of objects, which is then suggested, rather than read as one record lacking
/// every field.
fn records_array(
    diags: &mut FileDiags<'_>,
    text: &str,
    bom: usize,
    program: &Program,
    schema: usize,
) -> Option<Option<usize>> {
    let body = text.get(bom..).unwrap_or("");
    let b = body.as_bytes();
    let first = scan::skip_ws(b, 0);
    if b.get(first) != Some(&b'{') {
        return Some((b.get(first) == Some(&b'[')).then_some(first));
    }
    let info = program.schemas.get(schema)?;
    let name = crate::data::convert::clip(&info.name);
    let at = |s: Span| Span::new(s.start + bom, s.end + bom);
    if info.records_at.is_empty() {
        let fields = program.shapes.get(info.shape).map_or(&[][..], |s| s.fields.as_slice());
        let members = scan::object_members(body, first);
        let own = members
            .iter()
            .any(|m| fields.iter().any(|f| f.name == m.name.as_ref() || f.custom().is_some_and(|c| *c.key == *m.name)));
        if own {
            return Some(None);
        }
        let Some((keys, key)) = scan::wrapped_records(body, first) else { return Some(None) };
        let path = crate::data::convert::clip(&keys.join("."));
        diags.set_text(text);
        let source = diags.source();
        diags.error(
            &source,
            codes::RECORDS_UNDER_KEY,
            format!("the records of this file seem to be under `{path}`, which schema `{name}` does not name"),
            at(key),
            "an array of objects",
            format!(
                "add `records at \"{path}\"` to schema `{name}` to read the elements of `{path}` as records; \
                 without it a `.json` file is one record, or an array of records; no records of this file were read"
            ),
        );
        return None;
    }
    let found = scan::json_path(body, first, &info.records_at);
    if let Some(s) = found.filter(|s| b.get(s.start) == Some(&b'[')) {
        return Some(Some(s.start));
    }
    let path = crate::data::convert::clip(&info.records_at.join("."));
    let (span, label) = match found {
        Some(s) => (s, "not an array"),
        None => (Span::new(first, first + 1), "no such key"),
    };
    let hint = match scan::wrapped_records(body, first) {
        Some((keys, _)) => {
            format!("this file has an array of objects at `{}`; ", crate::data::convert::clip(&keys.join(".")))
        }
        None => String::new(),
    };
    diags.set_text(text);
    let source = diags.source();
    diags.error(
        &source,
        codes::RECORDS_NOT_FOUND,
        format!("no array of records at `{path}`, where schema `{name}` reads them"),
        at(span),
        label,
        format!("{hint}check `records at` in schema `{name}`, or the file; no records of this file were read"),
    );
    None
}

/// Where a problem of the record at `start` in `text` is: a duplicate key's second place, or the value
/// at the problem's path.
fn problem_span(text: &str, start: usize, program: &Program, shape: ShapeId, p: &Problem) -> Span {
    match &p.kind {
        ProblemKind::DuplicateKey { second, .. } => Span::new(second.start + start, second.end + start),
        _ => locate::json_value_span(text, start, program, shape, &p.path),
    }
}

/// A serde_json syntax error at byte `at`.
fn syntax_error(diags: &mut FileDiags<'_>, source: &SourceFile, err: &serde_json::Error, at: usize, help: &str) {
    let text = err.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text),
        None => &text,
    };
    diags.error(
        source,
        codes::JSON,
        format!("invalid JSON: {message}"),
        Span::new(at, at + 1),
        "here",
        help.to_string(),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::data::testing::*;
    use crate::data::Format;
    use crate::diagnostics::Level;
    use crate::engine::types::{Currency, Ty};
    use crate::engine::value::Value;
    use rust_decimal::Decimal;

    fn tickets() -> crate::engine::Program {
        program(
            vec![
                vec![
                    field("id", Ty::Text),
                    field("status", Ty::Enum(0)),
                    field("opened_at", Ty::DateTime),
                    opt(field("closed_at", Ty::DateTime)),
                    field("customer", Ty::Object(1)),
                    field("tags", Ty::List(Box::new(Ty::Text))),
                    opt(field("refund", Ty::Money(Currency::parse("GBP").unwrap()))),
                    unused(field("notes", Ty::Text)),
                    opt(field("items", Ty::List(Box::new(Ty::Object(2))))),
                ],
                vec![field("kind", Ty::Enum(1)), opt(field("name", Ty::Text))],
                vec![field("sku", Ty::Text), field("qty", Ty::Int)],
            ],
            vec![vec!["open", "closed"], vec!["retail", "business"]],
        )
    }

    const GOOD: &str = r#"{"id": "T-1", "status": "open", "opened_at": "2024-03-01T09:00:00Z", "customer": {"kind": "retail", "extra": [1, {"x": null}]}, "tags": ["a", "b"], "notes": 12, "unknown": {"deep": [1,2,3]}}"#;

    #[test]
    fn jsonl_reads_records_with_lines() {
        let p = tickets();
        let text = format!("{GOOD}\n\n   \n{GOOD}\n");
        let (recs, diags) = read_str(&p, Format::Jsonl, &text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[0].ordinal, recs[0].line), (0, 1));
        assert_eq!((recs[1].ordinal, recs[1].line), (1, 4));
        let v = &recs[0].values;
        assert_eq!(v[0], Value::Text("T-1".into()));
        assert_eq!(v[1], Value::Enum(0));
        assert_eq!(v[3], Value::Missing);
        assert_eq!(v[4], Value::Object(vec![Value::Enum(0), Value::Missing].into()));
        assert_eq!(v[5], Value::List(vec![Value::Text("a".into()), Value::Text("b".into())].into()));
        // Unused fields are not read at all, even when they have the wrong type.
        assert_eq!(v[7], Value::Missing);
        // An absent optional list is missing (as in TOML and CSV).
        assert_eq!(v[8], Value::Missing);
    }

    #[test]
    fn batches_are_at_most_the_batch_size() {
        let p = tickets();
        let text = format!("{GOOD}\n").repeat(7);
        let f = temp_file(Format::Jsonl, &text);
        let mut sizes = Vec::new();
        let diags = crate::data::read_file(&f.file, &p, 3, &mut |b| sizes.push(b.len()));
        assert!(diags.is_empty());
        assert_eq!(sizes, vec![3, 3, 1]);
    }

    #[test]
    fn escaped_strings_and_nulls() {
        let p = tickets();
        let line = r#"{"id": "T-\"1\"\u00e9", "status": "closed", "opened_at": "2024-03-01T09:00:00+01:00", "closed_at": null, "customer": {"kind": "business", "name": null}, "tags": null, "refund": 12.5}"#;
        let (recs, diags) = read_str(&p, Format::Jsonl, line);
        assert!(diags.is_empty(), "{diags:?}");
        let v = &recs[0].values;
        assert_eq!(v[0], Value::Text("T-\"1\"é".into()));
        assert_eq!(v[3], Value::Missing);
        assert_eq!(v[5], Value::List(Box::default()));
        assert_eq!(v[6], Value::Money(Decimal::new(125, 1).into()));
    }

    #[test]
    fn missing_required_fields_skip_the_record() {
        let p = tickets();
        let text = format!("{}\n{GOOD}\n", r#"{"id": "T-2", "status": "open", "customer": {"name": "x"}}"#);
        let (recs, diags) = read_str(&p, Format::Jsonl, &text);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].line, 2);
        let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec!["record is missing required field `opened_at`", "record is missing required field `customer.kind`"]
        );
        assert!(diags
            .iter()
            .all(|d| d.code == *codes::MISSING_FIELD && d.help.as_deref().unwrap_or("").contains("`?`")));
        // A missing top-level field points at the record; a missing nested one at its object's key.
        assert_eq!(label_text(&diags[0]), r#"{"id": "T-2", "status": "open", "customer": {"name": "x"}}"#);
        assert_eq!(label_text(&diags[1]), r#""customer""#);
        assert_eq!(diags[1].location().map(|(_, l, c)| (l, c)), Some((1, 33)));
    }

    #[test]
    fn wrong_types_are_reported_at_the_value() {
        let p = tickets();
        let line = r#"{"id": 7, "status": "opne", "opened_at": "2024-13-01", "customer": {"kind": "retail"}, "tags": ["a", 3, null], "refund": "3.00 EUR", "items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": "two"}]}"#;
        let (recs, diags) = read_str(&p, Format::Jsonl, &format!("{GOOD}\n{line}\n{GOOD}"));
        assert_eq!(recs.len(), 3, "the record with bad values is kept, its values marked unreadable");
        let kept = &recs[1];
        assert_eq!(kept.values[0], Value::Unreadable(0));
        assert_eq!(kept.values[1], Value::Unreadable(1));
        assert_eq!(
            kept.values[5],
            Value::List(vec![Value::Text("a".into()), Value::Unreadable(3), Value::Unreadable(4)].into())
        );
        assert_eq!(kept.unreadable(6).unwrap().message, "`items[1].qty` is not a whole number: `two`");
        assert_eq!(kept.unreadable.len(), 7);
        let got: Vec<(&str, String)> = diags.iter().map(|d| (d.message.as_str(), label_text(d))).collect();
        assert_eq!(
            got,
            vec![
                ("`id` is not text: `7`", "7".to_string()),
                ("`status` is not one of its values: `opne`", r#""opne""#.to_string()),
                ("`opened_at` is not a datetime: `2024-13-01`", r#""2024-13-01""#.to_string()),
                ("`tags[1]` is not text: `3`", "3".to_string()),
                ("`tags[2]` is null, not text", "null".to_string()),
                ("`refund` is in `EUR`, not `GBP`: `3.00 EUR`", r#""3.00 EUR""#.to_string()),
                ("`items[1].qty` is not a whole number: `two`", r#""two""#.to_string()),
            ]
        );
        assert!(diags.iter().all(|d| d.code == *codes::INVALID_VALUE && d.help.is_some()));
        assert!(diags[1].help.as_deref().unwrap().starts_with("did you mean `open`?"));
        assert!(diags.iter().all(|d| d.location().map(|(_, l, _)| l) == Some(2)));
    }

    #[test]
    fn objects_and_lists_of_the_wrong_shape() {
        let p = tickets();
        let line = r#"{"id": {"a": 1}, "status": "open", "opened_at": "2024-03-01T09:00:00Z", "customer": "retail", "tags": "a"}"#;
        let (recs, diags) = read_str(&p, Format::Jsonl, line);
        assert_eq!(recs.len(), 1, "values of the wrong shape cost only those values");
        assert_eq!(recs[0].values[0], Value::Unreadable(0));
        let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "`id` is not text: found an object",
                "`customer` is not an object: `retail`",
                "`tags` is not a list: `a`"
            ]
        );
    }

    #[test]
    fn syntax_errors_and_non_objects() {
        let p = tickets();
        let text = format!("{GOOD}\n{{\"id\": \"T-9\",, }}\n[1, 2]\n\"text\"\n{GOOD} extra\n{GOOD}\n");
        let (recs, diags) = read_str(&p, Format::Jsonl, &text);
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(0, 1), (5, 6)]);
        type Seen<'a> = (&'a str, &'a str, Option<(usize, usize)>);
        let got: Vec<Seen<'_>> =
            diags.iter().map(|d| (&*d.code, d.message.as_str(), d.location().map(|(_, l, c)| (l, c)))).collect();
        assert_eq!(
            got,
            vec![
                (codes::JSON, "invalid JSON: key must be a string", Some((2, 14))),
                (codes::INVALID_VALUE, "record is not an object: found a list", Some((3, 1))),
                (codes::INVALID_VALUE, "record is not an object: found a string", Some((4, 1))),
                (codes::JSON, "invalid JSON: trailing characters", Some((5, GOOD.len() + 2))),
            ]
        );
    }

    /// Keys are first compared with the field at their place in the last object of the shape
    /// (`seed::KeyOrder`): records whose keys come in other orders, escaped or not, after one
    /// another, read exactly as each does alone.
    #[test]
    fn key_order_of_earlier_records_changes_no_value() {
        let p = tickets();
        let orders = [
            GOOD,
            r#"{"tags": ["a", "b"], "customer": {"extra": [1, {"x": null}], "kind": "retail"}, "unknown": 2, "opened_at": "2024-03-01T09:00:00Z", "status": "open", "id": "T-1", "notes": 12}"#,
            r#"{"\u0069d": "T-1", "status": "open", "\u006fpened_at": "2024-03-01T09:00:00Z", "customer": {"\u006bind": "retail"}, "tags": ["a", "b"]}"#,
            r#"{"id": "T-1", "opened_at": "2024-03-01T09:00:00Z", "status": "open", "tags": ["a", "b"], "customer": {"kind": "retail"}, "items": null}"#,
            r#"{"notes": 1, "id": "T-1", "status": "open", "opened_at": "2024-03-01T09:00:00Z", "customer": {"name": null, "kind": "retail"}, "tags": ["a", "b"]}"#,
        ];
        let alone: Vec<_> = orders
            .iter()
            .map(|o| {
                let (recs, diags) = read_str(&p, Format::Jsonl, o);
                assert!(diags.is_empty(), "{o}: {diags:?}");
                recs[0].values.clone()
            })
            .collect();
        for v in &alone {
            assert_eq!(*v, alone[0]);
        }
        // Every order after every other.
        let mut lines = Vec::new();
        for a in orders {
            for b in orders {
                lines.extend([a, b]);
            }
        }
        let (recs, diags) = read_str(&p, Format::Jsonl, &lines.join("\n"));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(recs.len(), lines.len());
        for r in &recs {
            assert_eq!(r.values, alone[0], "line {}", r.line);
        }
    }

    /// A field's key given twice is found by its slot, whether or not the earlier records put it
    /// at that place, spelt plainly or escaped; each such record is refused, the others kept.
    #[test]
    fn a_field_key_twice_is_found_whatever_the_order_before() {
        let p = tickets();
        let twice = [
            r#"{"id": "T-1", "status": "open", "status": "closed", "opened_at": "2024-03-01T09:00:00Z", "customer": {"kind": "retail"}}"#,
            r#"{"id": "T-1", "id": "T-2", "status": "open", "opened_at": "2024-03-01T09:00:00Z", "customer": {"kind": "retail"}}"#,
            r#"{"id": "T-1", "status": "open", "opened_at": "2024-03-01T09:00:00Z", "customer": {"kind": "retail", "\u006bind": "business"}, "\u0069d": "T-2"}"#,
            r#"{"id": "T-1", "status": "open", "opened_at": "2024-03-01T09:00:00Z", "customer": {"kind": "retail"}, "tags": [], "id": "T-2"}"#,
        ];
        let mut lines = Vec::new();
        for t in twice {
            // The good record first, so the duplicate is read expecting its order, then the
            // duplicate twice over (expecting its own order, duplicate and all).
            lines.extend([GOOD, t, t, GOOD]);
        }
        let (recs, diags) = read_str(&p, Format::Jsonl, &lines.join("\n"));
        assert_eq!(
            recs.iter().map(|r| r.line).collect::<Vec<_>>(),
            (0..4).flat_map(|k| [4 * k + 1, 4 * k + 4]).collect::<Vec<_>>()
        );
        // (The third has two keys twice, `kind` and `id`: two diagnostics on its line.)
        let mut dup: Vec<usize> = diags
            .iter()
            .filter(|d| d.code == *codes::DUPLICATE_KEY)
            .filter_map(|d| d.location().map(|(_, l, _)| l))
            .collect();
        assert_eq!(dup.iter().filter(|&&l| l == 10).count(), 2);
        dup.dedup();
        assert_eq!(dup, (0..4).flat_map(|k| [4 * k + 2, 4 * k + 3]).collect::<Vec<_>>(), "{diags:?}");
    }

    #[test]
    fn invalid_utf8_in_jsonl_skips_the_line() {
        let p = tickets();
        let mut bytes = format!("{GOOD}\n").into_bytes();
        bytes.extend_from_slice(b"{\"id\": \"T-\xff\"}\n");
        bytes.extend_from_slice(format!("{GOOD}\n").as_bytes());
        let f = temp_bytes(Format::Jsonl, &bytes);
        let (recs, diags) = read_all(&f.file, &p);
        assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::INVALID_UTF8);
        assert_eq!(diags[0].location().map(|(_, l, c)| (l, c)), Some((2, 11)));
        assert_eq!(label_text(&diags[0]), "\u{fffd}");
    }

    #[test]
    fn json_arrays_and_single_objects() {
        let p = tickets();
        let text = format!("[\n  {GOOD},\n  {GOOD}, {GOOD}\n]\n");
        let (recs, diags) = read_str(&p, Format::Json, &text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(0, 2), (1, 3), (2, 3)]);
        let (recs, diags) = read_str(&p, Format::Json, &format!("\u{feff}\n{GOOD}"));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(0, 2)]);
        let (recs, diags) = read_str(&p, Format::Json, "[]");
        assert!(recs.is_empty() && diags.is_empty());
    }

    #[test]
    fn a_bad_element_does_not_hide_the_rest() {
        let p = tickets();
        let bad =
            r#"{"id": "T-2", "status": "shut", "opened_at": "2024-03-01T09:00:00Z", "customer": {"kind": "retail"}}"#;
        let text = format!("[{GOOD},\n{bad},\n{GOOD}]");
        let (recs, diags) = read_str(&p, Format::Json, &text);
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(0, 1), (1, 2), (2, 3)]);
        assert_eq!(recs[1].values[1], Value::Unreadable(0));
        assert_eq!(diags.len(), 1);
        assert_eq!(label_text(&diags[0]), r#""shut""#);
        assert_eq!(diags[0].location().map(|(_, l, c)| (l, c)), Some((2, 25)));
    }

    #[test]
    fn json_syntax_error_is_one_diagnostic() {
        let p = tickets();
        let (recs, diags) = read_str(&p, Format::Json, &format!("[{GOOD},\n {{\"id\": }}]"));
        assert!(recs.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::JSON);
        assert_eq!(diags[0].message, "invalid JSON: expected value");
        assert_eq!(diags[0].location().map(|(_, l, c)| (l, c)), Some((2, 9)));
        let (_, diags) = read_str(&p, Format::Json, "42");
        assert_eq!(diags[0].message, "record is not an object: found a number");
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_crash() {
        let p = tickets();
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (recs, diags) = read_str(&p, Format::Json, &deep);
        assert!(recs.is_empty());
        assert_eq!(diags.len(), 1);
        assert!(diags[0].is_error());
        let (_, diags) = read_str(&p, Format::Jsonl, &deep);
        assert_eq!(diags.len(), 1);
        let inner = format!(r#"{{"id": "x", "tags": {}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        let (_, diags) = read_str(&p, Format::Jsonl, &inner);
        assert!(!diags.is_empty());
        let unclosed = "[".repeat(10_000);
        let (_, diags) = read_str(&p, Format::Json, &unclosed);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::JSON);
    }

    #[test]
    fn empty_files_warn() {
        let p = tickets();
        for format in [Format::Json, Format::Jsonl] {
            let (recs, diags) = read_str(&p, format, "  \n\n ");
            assert!(recs.is_empty());
            assert_eq!(diags.len(), 1);
            assert_eq!((&*diags[0].code, diags[0].level), (codes::EMPTY_FILE, Level::Warning));
        }
    }

    #[test]
    fn unreadable_file() {
        let p = tickets();
        let mut file = crate::data::RecordFile::from_path("/definitely/not/here.jsonl", Format::Jsonl, 0);
        file.name = "here.jsonl".into();
        let (_, diags) = read_all(&file, &p);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::UNREADABLE);
        assert!(diags[0].message.starts_with("cannot read `here.jsonl`: "));
    }

    /// Not a test of correctness: `cargo test --release --lib data::json::tests::speed -- --ignored --nocapture`
    /// compares reading JSON Lines with a plain `serde_json::Value` parse of the same lines.
    #[test]
    #[ignore]
    fn speed() {
        let p = tickets();
        let line = r#"{"id": "T-1", "status": "open", "opened_at": "2024-03-01T09:00:00Z", "closed_at": "2024-03-02T10:30:00+01:00", "customer": {"kind": "retail", "name": "Ann"}, "tags": ["a", "b"], "refund": "12.50 GBP", "notes": "a longer free text note that no rule reads", "items": [{"sku": "A", "qty": 1}]}"#;
        let text = format!("{line}\n").repeat(200_000);
        let f = temp_file(Format::Jsonl, &text);
        let t = std::time::Instant::now();
        let mut n = 0;
        let diags = crate::data::read_file(&f.file, &p, 4096, &mut |b| n += b.len());
        let ours = t.elapsed();
        assert!(diags.is_empty());
        let t = std::time::Instant::now();
        let mut m = 0;
        for l in std::io::BufReader::new(std::fs::File::open(f.file.path().unwrap()).unwrap()).lines() {
            let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
            m += usize::from(v.is_object());
        }
        let plain = t.elapsed();
        assert_eq!(n, m);
        println!(
            "precept: {ours:?}, serde_json::Value: {plain:?}, ratio {:.2}",
            ours.as_secs_f64() / plain.as_secs_f64()
        );
    }
}
