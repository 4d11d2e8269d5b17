//! TOML records: a document is one record, or holds many as an array of tables named `record`.
//!
//! The file is parsed once with `toml`'s spanned document parser (which its serde deserializer builds
//! anyway), then converted by walking the schema's shape over it, so every problem has the exact span
//! of its value. A document holds many records when its `record` key is an array of tables and the
//! schema has no field of that name.

mod locate;

use jiff::tz::TimeZone;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::convert::{self, Raw};
use super::diags::{FileDiags, Problem, ProblemKind};
use super::{codes, Batcher, ReadRecord, RecordFile};
use crate::diagnostics::Diag;
use crate::engine::blame::Step;
use crate::engine::types::{Field, ShapeId, Ty};
use crate::engine::value::Value;
use crate::engine::Program;
use crate::source::Span;
pub(crate) use locate::locate;

const TOML_HELP: &str = "a `.toml` file holds one record, or many as `[[record]]` tables";

/// Read a TOML record file.
pub(crate) fn read_toml<W: Send>(file: &RecordFile, program: &Program, out: &mut Batcher<'_, W>) -> Vec<Diag> {
    let mut diags = FileDiags::new(file);
    let Some(schema) = program.schemas.get(file.schema) else { return diags.finish() };
    let shape = schema.shape;
    let Some(bytes) = diags.read_utf8() else { return diags.finish() };
    // INVARIANT: `read_utf8` checked the bytes.
    let text = std::str::from_utf8(&bytes).unwrap_or("");
    diags.set_text(text);
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = text.get(bom..).unwrap_or("");
    if body.trim().is_empty() {
        diags.empty();
        return diags.finish();
    }
    // The document tree can be a hundred times the text (`[{},{},...]`): refused before it is built.
    if let Some(d) = crate::input::toml_too_large(crate::input::Kind::RecordFile, &diags.source()) {
        diags.push(d);
        return diags.finish();
    }
    let doc = match DeTable::parse(body) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span().map_or(Span::new(0, 0), |r| Span::new(r.start + bom, r.end + bom));
            let message = e.message().lines().next().unwrap_or("").trim_end_matches('.').to_string();
            let source = diags.source();
            diags.error(
                &source,
                codes::TOML,
                format!("invalid TOML: {message}"),
                span,
                "here",
                "fix the TOML syntax; see https://toml.io".into(),
            );
            return diags.finish();
        }
    };
    let records = records(program, shape, &doc, body);
    if records.is_empty() {
        diags.empty();
        return diags.finish();
    }
    let source = diags.source();
    let mut cx = Cx { program, bom, path: Vec::new(), problems: Vec::new(), found: 0, unusable: false };
    let (mut line, mut counted) = (1usize, 0usize);
    for (ordinal, (table, span)) in records.into_iter().enumerate() {
        let start = span.start.min(body.len());
        line += body.as_bytes().get(counted..start).map_or(0, |s| s.iter().filter(|&&c| c == b'\n').count());
        counted = counted.max(start);
        cx.path.clear();
        cx.problems.clear();
        cx.found = 0;
        cx.unusable = false;
        let values = cx.object(shape, table, Span::new(span.start + bom, span.end + bom));
        if cx.problems.is_empty() {
            out.push(ReadRecord { ordinal, line, values, unreadable: Vec::new(), raw: None });
        } else {
            // Values that could not be read cost the verdicts that depend on them, not the record;
            // the notes are taken before the problems are sorted, since values index them.
            if !cx.unusable {
                let unreadable = super::diags::unreadable_notes(program, shape, cx.problems.iter().map(|(p, _)| p));
                out.push(ReadRecord { ordinal, line, values, unreadable, raw: None });
            }
            // Tables iterate in key order; report in file order.
            cx.problems.sort_by_key(|(_, at)| (at.start, at.end));
            let shown = cx.problems.len().min(diags.room());
            diags.skip(cx.found - shown);
            for (p, at) in cx.problems.iter().take(shown) {
                diags.push(p.diag(program, shape, &source, *at, TOML_HELP));
            }
        }
    }
    diags.finish()
}

/// The record tables of a document with their spans: the `[[record]]` tables, or the whole document.
fn records<'d, 'i>(
    program: &Program,
    shape: ShapeId,
    doc: &'d Spanned<DeTable<'i>>,
    text: &str,
) -> Vec<(&'d DeTable<'i>, Span)> {
    if let Some(items) = record_tables(program, shape, doc.get_ref()) {
        return items
            .iter()
            .filter_map(|i| i.get_ref().as_table().map(|t| (t, Span::new(i.span().start, i.span().end))))
            .collect();
    }
    if doc.get_ref().is_empty() {
        return Vec::new();
    }
    // The record is the whole text.
    vec![(doc.get_ref(), Span::new(0, text.trim_end().len()))]
}

/// The `[[record]]` tables of a document, when it holds records that way (its `record` key is an
/// array of tables and the schema has no field of that name).
fn record_tables<'d, 'i>(
    program: &Program,
    shape: ShapeId,
    doc: &'d DeTable<'i>,
) -> Option<&'d [Spanned<DeValue<'i>>]> {
    let has_record_field = program.shapes.get(shape).is_some_and(|s| s.fields.iter().any(|f| f.name == "record"));
    match doc.get("record").map(Spanned::get_ref) {
        Some(DeValue::Array(items)) if !has_record_field && items.iter().all(|i| i.get_ref().is_table()) => {
            Some(&items[..])
        }
        _ => None,
    }
}

/// Converts one record, collecting problems with their spans.
struct Cx<'p> {
    program: &'p Program,
    /// Offset of the parsed text in the file (a byte order mark).
    bom: usize,
    path: Vec<Step>,
    problems: Vec<(Problem, Span)>,
    /// Problems found in this record, kept or not (past [`super::MAX_DIAGNOSTICS_PER_FILE`] they
    /// are only counted).
    found: usize,
    /// Whether a problem found makes the record unusable as a whole (not only a value).
    unusable: bool,
}

impl Cx<'_> {
    fn span<T>(&self, v: &Spanned<T>) -> Span {
        let r = v.span();
        Span::new(r.start + self.bom, r.end + self.bom)
    }

    fn problem(&mut self, kind: ProblemKind, at: Span) {
        self.found += 1;
        self.unusable |= !kind.is_bad_value();
        if self.problems.len() < super::MAX_DIAGNOSTICS_PER_FILE {
            self.problems.push((Problem { path: self.path.clone(), kind }, at));
        }
    }

    /// An object of `shape` from `table`; `owner` is where a missing field is reported.
    fn object(&mut self, shape: ShapeId, table: &DeTable<'_>, owner: Span) -> Box<[Value]> {
        let program = self.program;
        let fields: &[Field] = program.shapes.get(shape).map_or(&[], |s| s.fields.as_slice());
        let mut slots: Vec<Value> = std::iter::repeat_with(|| Value::Missing).take(fields.len()).collect();
        // Fields whose value was reported already, so that it is not reported again as missing.
        let mut reported = super::Marks::new(fields.len());
        for (key, value) in table.iter() {
            let Some(i) = fields.iter().position(|f| f.used && f.name == key.get_ref().as_ref()) else { continue };
            let (Some(field), Some(slot)) = (fields.get(i), slots.get_mut(i)) else { continue };
            self.path.push(super::field_step(i));
            let before = self.found;
            let read = Read { zone: field.zone.as_ref(), spelling: field.spelling.as_deref(), in_list: false };
            *slot = self.value(&field.ty, read, value, self.span(key));
            self.path.pop();
            reported.mark(i, self.found > before);
        }
        super::fill_absent(fields, &mut slots, &reported, |i| {
            self.path.push(super::field_step(i));
            self.problem(ProblemKind::Missing, owner);
            self.path.pop();
        });
        slots.into_boxed_slice()
    }

    /// A value of type `ty`, read as `read` says; `key` is the span of the key it was found under (or of the element).
    fn value(&mut self, ty: &Ty, read: Read<'_>, v: &Spanned<DeValue<'_>>, key: Span) -> Value {
        let at = self.span(v);
        let raw = match (ty, v.get_ref()) {
            (Ty::Object(shape), DeValue::Table(t)) => return Value::Object(self.object(*shape, t, key)),
            (Ty::List(inner), DeValue::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Step::Index(u32::try_from(i).unwrap_or(u32::MAX)));
                    // A value absent from an element is shown at the element.
                    let element = self.span(item);
                    out.push(self.value(inner, Read { in_list: true, ..read }, item, element));
                    self.path.pop();
                }
                return Value::List(out.into_boxed_slice());
            }
            (_, DeValue::Table(_)) => return self.wrong(ty, "a table", at),
            (_, DeValue::Array(_)) => return self.wrong(ty, "an array", at),
            (_, DeValue::String(s)) => Raw::Str(s.as_ref()),
            (_, DeValue::Boolean(b)) => Raw::Bool(*b),
            (_, DeValue::Integer(i)) => match i128::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Raw::Int(n),
                Err(_) => Raw::Num(i.as_str()),
            },
            (_, DeValue::Float(f)) => Raw::Num(f.as_str()),
            (_, DeValue::Datetime(d)) => {
                let text = d.to_string();
                return self.convert(ty, read, Raw::Moment(&text), at);
            }
        };
        self.convert(ty, read, raw, at)
    }

    fn convert(&mut self, ty: &Ty, read: Read<'_>, raw: Raw<'_>, at: Span) -> Value {
        match convert::spelled(self.program, ty, read.zone, read.spelling, read.in_list, raw) {
            Ok(v) => v,
            Err(bad) => self.bad(bad, at),
        }
    }

    fn wrong(&mut self, ty: &Ty, found: &str, at: Span) -> Value {
        self.bad(convert::wrong_shape(ty, found), at)
    }

    /// A value that could not be read: reported, and held as [`Value::Unreadable`] (indexing the
    /// problems in the order found) so the record is still judged by rules that do not need it.
    fn bad(&mut self, bad: convert::Bad, at: Span) -> Value {
        let index = match self.problems.len() < super::MAX_DIAGNOSTICS_PER_FILE {
            true => u32::try_from(self.problems.len()).unwrap_or(crate::engine::value::NOT_KEPT),
            false => crate::engine::value::NOT_KEPT,
        };
        self.problem(ProblemKind::Invalid(bad), at);
        Value::Unreadable(index)
    }
}

/// How a field's values are read: the zone of its datetimes without an offset, its declared
/// spellings, and whether the value is an element of a list.
#[derive(Clone, Copy)]
struct Read<'f> {
    zone: Option<&'f TimeZone>,
    spelling: Option<&'f crate::engine::types::Spelling>,
    in_list: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::locate::locate_by_parsing_all;
    use super::*;
    use crate::data::testing::*;
    use crate::data::Format;
    use crate::diagnostics::Level;
    use crate::engine::blame::Step::{Field as F, Index as I};
    use crate::engine::types::Currency;
    use rust_decimal::Decimal;

    fn tickets() -> Program {
        program(
            vec![
                vec![
                    field("id", Ty::Text),
                    field("opened_at", Ty::DateTime),
                    opt(field("due", Ty::Date)),
                    field("customer", Ty::Object(1)),
                    field("tags", Ty::List(Box::new(Ty::Text))),
                    opt(field("amount", Ty::Dec)),
                    opt(field("count", Ty::Int)),
                    opt(field("refund", Ty::Money(Currency::parse("GBP").unwrap()))),
                    opt(field("wait", Ty::Duration)),
                ],
                vec![field("kind", Ty::Enum(0)), opt(field("vip", Ty::Bool))],
            ],
            vec![vec!["retail", "business"]],
        )
    }

    #[test]
    fn one_record_per_document() {
        let p = tickets();
        let text = "id = \"T-1\"\nopened_at = 2024-03-01T09:00:00+01:00\ndue = 2024-03-08\ntags = [\"a\"]\namount = 1_000.25\ncount = 0x10\nrefund = \"2.50 GBP\"\nwait = 90\nunknown = { a = 1 }\n\n[customer]\nkind = \"business\"\nvip = true\n";
        let (recs, diags) = read_str(&p, Format::Toml, text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(recs.len(), 1);
        let v = &recs[0].values;
        assert_eq!(v[1], Value::DateTime("2024-03-01T08:00:00Z".parse().unwrap(), 3600));
        assert_eq!(v[2], Value::Date(jiff::civil::date(2024, 3, 8)));
        assert_eq!(v[3], Value::Object(vec![Value::Enum(1), Value::Bool(true)].into()));
        assert_eq!(v[5], Value::Dec(Decimal::new(100025, 2).into()));
        assert_eq!(v[6], Value::Int(16));
        assert_eq!(v[7], Value::Money(Decimal::new(250, 2).into()));
        assert_eq!(v[8], Value::Duration(jiff::SignedDuration::from_secs(90)));
    }

    #[test]
    fn many_records_as_record_tables() {
        let p = tickets();
        let text = "# tickets\n[[record]]\nid = \"T-1\"\nopened_at = 2024-03-01T09:00:00Z\ncustomer = { kind = \"retail\" }\n\n[[record]]\nid = \"T-2\"\nopened_at = 2024-03-01T09:00:00\ncustomer.kind = \"retial\"\n\n[[record]]\nid = \"T-3\"\nopened_at = \"2024-03-02T10:00:00Z\"\n[record.customer]\nkind = \"business\"\n";
        let (recs, diags) = read_str(&p, Format::Toml, text);
        assert_eq!(
            recs.iter().map(|r| (r.ordinal, r.line, r.values[0].clone())).collect::<Vec<_>>(),
            vec![
                (0, 2, Value::Text("T-1".into())),
                (1, 7, Value::Text("T-2".into())),
                (2, 12, Value::Text("T-3".into()))
            ]
        );
        // Values that could not be read are marked, in the order found, and noted.
        assert!(recs[1].values.iter().any(|v| matches!(v, Value::Unreadable(_))));
        assert_eq!(recs[1].unreadable.len(), 2);
        type Seen<'a> = (&'a str, String, Option<(usize, usize)>);
        let got: Vec<Seen<'_>> =
            diags.iter().map(|d| (d.message.as_str(), label_text(d), d.location().map(|(_, l, c)| (l, c)))).collect();
        assert_eq!(
            got,
            vec![
                ("`opened_at` has no offset: `2024-03-01T09:00:00`", "2024-03-01T09:00:00".to_string(), Some((9, 13))),
                ("`customer.kind` is not one of its values: `retial`", "\"retial\"".to_string(), Some((10, 17))),
            ]
        );
        assert!(diags[1].help.as_deref().unwrap().starts_with("did you mean `retail`?"));
    }

    #[test]
    fn missing_and_wrong_types() {
        let p = tickets();
        let text = "id = 5\ntags = \"a\"\ncount = 1.5\n[customer]\nvip = \"yes\"\n";
        let (recs, diags) = read_str(&p, Format::Toml, text);
        assert!(recs.is_empty());
        let got: Vec<(&str, String)> = diags.iter().map(|d| (d.message.as_str(), label_text(d))).collect();
        assert_eq!(
            got,
            vec![
                ("record is missing required field `opened_at`", text.trim_end().to_string()),
                ("`id` is not text: `5`", "5".to_string()),
                ("`tags` is not a list: `a`", "\"a\"".to_string()),
                ("`count` is not a whole number: `1.5`", "1.5".to_string()),
                ("record is missing required field `customer.kind`", "customer".to_string()),
                ("`customer.vip` is not true or false: `yes`", "\"yes\"".to_string()),
            ]
        );
    }

    #[test]
    fn syntax_errors_and_empty_documents() {
        let p = tickets();
        let (recs, diags) = read_str(&p, Format::Toml, "id = \"T-1\"\nopened_at = \n");
        assert!(recs.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::TOML);
        assert!(diags[0].message.starts_with("invalid TOML: "), "{}", diags[0].message);
        assert_eq!(diags[0].location().map(|(_, l, _)| l), Some(2));
        for text in ["", "  \n", "# only a comment\n"] {
            let (_, diags) = read_str(&p, Format::Toml, text);
            assert_eq!(diags.len(), 1, "{text:?}");
            assert_eq!((&*diags[0].code, diags[0].level), (codes::EMPTY_FILE, Level::Warning));
        }
        let deep = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (_, diags) = read_str(&p, Format::Toml, &deep);
        assert_eq!(diags[0].code, *codes::TOML);
    }

    #[test]
    fn invalid_utf8_in_toml() {
        let p = tickets();
        let f = temp_bytes(Format::Toml, b"id = \"T-1\"\nname = \"\xc3\x28\"\n");
        let (recs, diags) = read_all(&f.file, &p);
        assert!(recs.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::INVALID_UTF8);
        assert_eq!(diags[0].location().map(|(_, l, c)| (l, c)), Some((2, 9)));
    }

    #[test]
    fn missing_inside_list_elements() {
        let p = program(
            vec![
                vec![field("id", Ty::Text), field("items", Ty::List(Box::new(Ty::Object(1))))],
                vec![field("sku", Ty::Text), field("qty", Ty::Int)],
            ],
            vec![],
        );
        let text = "[[record]]\nid = \"A\"\nitems = [{ sku = \"s1\", qty = 1 }, { sku = \"s2\" }]\n\n[[record]]\nid = \"B\"\n[[record.items]]\nqty = 2\n";
        let (recs, diags) = read_str(&p, Format::Toml, text);
        assert!(recs.is_empty());
        let got: Vec<(&str, String)> = diags.iter().map(|d| (d.message.as_str(), label_text(d))).collect();
        assert_eq!(
            got,
            vec![
                ("record is missing required field `items[1].qty`", "{ sku = \"s2\" }".to_string()),
                ("record is missing required field `items[0].sku`", "[[record.items]]".to_string()),
            ]
        );
        let s = locate(text, &p, 0, 0, &[F(1), I(1), F(1)], &mut None).unwrap();
        assert_eq!(&text[s.start..s.end], "{ sku = \"s2\" }");
    }

    #[test]
    fn locate_nested_values() {
        let p = tickets();
        let text = "[[record]]\nid = \"T-1\"\n\n[[record]]\nid = \"T-2\"\ntags = [\"x\", \"y\"]\n[record.customer]\nkind = \"retail\"\n";
        let mut spans = None;
        let mut at = |ordinal, path: &[Step]| {
            let s = locate(text, &p, 0, ordinal, path, &mut spans).unwrap();
            &text[s.start..s.end]
        };
        assert_eq!(at(1, &[F(3), F(0)]), "\"retail\"");
        assert_eq!(at(1, &[F(4), I(1)]), "\"y\"");
        assert_eq!(at(0, &[F(0)]), "\"T-1\"");
        assert_eq!(at(1, &[F(3), F(1)]), "customer");
        assert_eq!(at(1, &[F(4), I(5)]), "tags");
    }

    /// Locating in a record's own part of the file gives what parsing the whole file gives, for
    /// many shapes of `[[record]]` files: sub-tables, arrays of tables, inline tables, comments,
    /// other tables between records, CRLF line ends and a byte order mark.
    #[test]
    fn locating_in_a_part_agrees_with_parsing_the_whole_file() {
        let p = program(
            vec![
                vec![
                    field("id", Ty::Text),
                    field("customer", Ty::Object(1)),
                    field("items", Ty::List(Box::new(Ty::Object(2)))),
                    field("tags", Ty::List(Box::new(Ty::Text))),
                ],
                vec![field("kind", Ty::Text), opt(field("vip", Ty::Bool))],
                vec![field("sku", Ty::Text), field("qty", Ty::Int)],
            ],
            vec![],
        );
        let paths: Vec<Vec<Step>> = vec![
            vec![],
            vec![F(0)],
            vec![F(1)],
            vec![F(1), F(0)],
            vec![F(1), F(1)],
            vec![F(2), I(0), F(1)],
            vec![F(2), I(1), F(0)],
            vec![F(2), I(3)],
            vec![F(3), I(1)],
            vec![F(3), F(0)],
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for doc in 0..60 {
            let mut text = String::new();
            if doc % 5 == 0 {
                text.push('\u{feff}');
            }
            text.push_str("# tickets\n");
            let n = 1 + rng.usize(..12);
            for i in 0..n {
                text.push_str(&format!("[[record]]\nid = \"T-{doc}-{i}\"\n"));
                match rng.u8(..4) {
                    0 => text.push_str("customer = { kind = \"retail\", vip = true }\n"),
                    1 => text.push_str("customer.kind = \"business\"\n"),
                    2 => {}
                    _ => text.push_str("tags = [\"a\", \"b\"]\n"),
                }
                if rng.bool() {
                    text.push_str("items = [{ sku = \"s1\", qty = 1 }, { sku = \"s2\" }]\n");
                }
                if rng.u8(..3) == 0 {
                    text.push_str("\n# a comment\n[record.customer]\nkind = \"retail\"\n");
                }
                if rng.u8(..3) == 0 {
                    text.push_str("[[record.items]]\nsku = \"x\"\nqty = 2\n[[record.items]]\nqty = 3\n");
                }
                if rng.u8(..6) == 0 {
                    text.push_str(&format!("[other{i}]\nnote = \"between records\"\n"));
                }
                text.push('\n');
            }
            if doc % 3 == 0 {
                text = text.replace('\n', "\r\n");
            }
            let mut spans = None;
            for ordinal in 0..n + 1 {
                for path in &paths {
                    let want = locate_by_parsing_all(&text, &p, 0, ordinal, path);
                    assert_eq!(
                        locate(&text, &p, 0, ordinal, path, &mut spans),
                        want,
                        "doc {doc} record {ordinal} {path:?}\n{text}"
                    );
                }
            }
        }
    }
}
