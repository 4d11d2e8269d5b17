//! CSV records: a header row, then one record per row, streamed.
//!
//! Each leaf field is read from its own column ([`Field::column`], which defaults to the dotted path
//! such as `customer.kind`). The header is matched against the schema once, into a [`Plan`] of column
//! indexes, so reading a row is a walk over the plan with no name look-ups. Lists of scalars are one
//! cell with items separated by `;` (or the field's `separated by`); lists of objects cannot be
//! written in CSV and read as empty.

mod header;

use super::convert::{self, Raw};
use super::diags::{self, FileDiags, Problem, ProblemKind};
use super::{codes, scan, Batcher, ReadRecord, RecordFile};
use crate::diagnostics::Diag;
use crate::engine::blame::Step;
use crate::engine::types::{Field, Spelling, Ty};
use crate::engine::value::Value;
use crate::engine::Program;
use crate::source::Span;
use header::{duplicate_columns, missing_column, plan, Plan};
use jiff::tz::TimeZone;

const CSV_HELP: &str = "a `.csv` file has a header row naming the columns, then one record per row";

/// Read a CSV record file.
pub(crate) fn read_csv(file: &RecordFile, program: &Program, out: &mut Batcher<'_>) -> Vec<Diag> {
    let mut diags = FileDiags::new(file);
    let Some(schema) = program.schemas.get(file.schema) else { return diags.finish() };
    let shape = schema.shape;
    match diags::is_blank(file) {
        Ok(true) => {
            diags.empty();
            return diags.finish();
        }
        Ok(false) => {}
        Err(e) => {
            diags.unreadable(&e);
            return diags.finish();
        }
    }
    // Through the file layer: a regular file only, and no line longer than the `record-line`
    // limit is ever held (such a line reads as blank, which the csv crate skips, and is reported).
    let handle = match file.lines() {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return diags.finish();
        }
    };
    // The csv crate's line numbers are off after a `\r\n` or a blank line; its byte offsets are
    // right, so lines are counted from those, over the same bounded lines the parser reads.
    let mut lines = LineCounter::open(file);
    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(handle);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            report_error(&mut diags, &e, &mut lines);
            return diags.finish();
        }
    };
    let mut absent = Vec::new();
    let plan = plan(program, shape, &header, &mut Vec::new(), true, &mut absent);
    let mut fatal = duplicate_columns(&mut diags, &header, &plan);
    for a in &absent {
        fatal |= a.required;
        // An export may leave out optional fields (CSV cannot hold lists of objects, and a helpdesk
        // has no column for what it does not record); only a near miss is worth a warning, as a
        // likely misspelt header.
        let near = convert::did_you_mean(&a.column, header.iter().map(String::as_str)).is_some();
        if a.required || near {
            missing_column(&mut diags, &header, a);
        }
    }
    if fatal {
        return diags.finish();
    }
    let fields: &[Field] = program.shapes.get(shape).map_or(&[], |s| s.fields.as_slice());
    let mut row = Row { program, path: Vec::new(), problems: Vec::new() };
    let mut record = ::csv::StringRecord::new();
    let mut ordinal = 0;
    loop {
        let read = reader.read_record(&mut record);
        for long in reader.get_mut().get_mut().take_too_long() {
            ordinal += 1;
            diags.push(crate::input::too_large(crate::input::Kind::RecordLine, &file.name, Some(long)));
        }
        match read {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                ordinal += 1;
                if !report_error(&mut diags, &e, &mut lines) {
                    break;
                }
                continue;
            }
        }
        let this = ordinal;
        ordinal += 1;
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.len() != header.len() {
            let (source, span) = diags.line_span(line);
            let (n, m) = (record.len(), header.len());
            diags.error(
                &source,
                codes::CSV_ROW_LENGTH,
                format!("row has {n} field{} but the header has {m}", if n == 1 { "" } else { "s" }),
                span,
                &format!("{n} field{}", if n == 1 { "" } else { "s" }),
                "every row needs one value per column; quote values that contain a `,`; the row was skipped".into(),
            );
            continue;
        }
        row.path.clear();
        row.problems.clear();
        let (values, _) = row.object(fields, &plan, &record, true);
        if row.problems.is_empty() {
            out.push(ReadRecord { ordinal: this, line, values, unreadable: Vec::new() });
            continue;
        }
        // Cells that could not be read cost the verdicts that depend on them, not the record.
        if row.problems.iter().all(|(p, _)| p.kind.is_bad_value()) {
            let unreadable = diags::unreadable_notes(program, shape, row.problems.iter().map(|(p, _)| p));
            out.push(ReadRecord { ordinal: this, line, values, unreadable });
        }
        let (source, whole) = diags.line_span(line);
        let (cells, _) = scan::csv_cells(&source.text, whole.start);
        let mut found: Vec<(Span, &Problem)> = row
            .problems
            .iter()
            .map(|(p, column)| (column.and_then(|c| cells.get(c).copied()).unwrap_or(whole), p))
            .collect();
        found.sort_by_key(|(s, _)| (s.start, s.end));
        for (span, p) in found {
            diags.push(p.diag(program, shape, &source, span, CSV_HELP));
        }
    }
    diags.finish()
}

/// Turns the byte offsets the csv crate gives for records into 1-based line numbers, reading the
/// file a second time alongside the parser (forward only, so the whole file is read once more).
struct LineCounter<'f> {
    reader: Option<super::origin::Lines<'f>>,
    pos: u64,
    line: usize,
}

impl<'f> LineCounter<'f> {
    fn open(file: &'f RecordFile) -> LineCounter<'f> {
        LineCounter { reader: file.lines().ok(), pos: 0, line: 1 }
    }

    /// The line of the record starting at `byte`: newlines before it are counted, and so are the
    /// `\r`, `\n` and blank lines the csv crate puts at the start of a record.
    fn line_at(&mut self, byte: u64) -> usize {
        use std::io::BufRead;
        let Some(reader) = self.reader.as_mut() else { return self.line };
        while let Ok(buf) = reader.fill_buf() {
            if buf.is_empty() {
                break;
            }
            let want = usize::try_from(byte.saturating_sub(self.pos)).unwrap_or(usize::MAX);
            if want > 0 {
                let take = want.min(buf.len());
                self.line += buf.iter().take(take).filter(|&&b| b == b'\n').count();
                reader.consume(take);
                self.pos += take as u64;
                continue;
            }
            // At the record's offset: step over line breaks that belong before it.
            let skip = buf.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
            if skip == 0 {
                break;
            }
            self.line += buf.iter().take(skip).filter(|&&b| b == b'\n').count();
            reader.consume(skip);
            self.pos += skip as u64;
        }
        self.line
    }
}

/// Report a CSV reader error; returns whether reading can go on.
fn report_error(diags: &mut FileDiags<'_>, err: &::csv::Error, lines: &mut LineCounter<'_>) -> bool {
    match err.kind() {
        ::csv::ErrorKind::Utf8 { pos, err } => {
            let line = pos.as_ref().map_or(1, |p| lines.line_at(p.byte()));
            let (source, start) = diags.at_line(line);
            let (cells, _) = scan::csv_cells(&source.text, start);
            let offset = match cells.get(err.field()) {
                Some(cell) => {
                    let quoted = source.text.get(cell.start..).is_some_and(|t| t.starts_with('"'));
                    cell.start + usize::from(quoted) + err.valid_up_to()
                }
                None => start,
            };
            diags.invalid_utf8_in(&source, offset);
            true
        }
        ::csv::ErrorKind::Io(e) => {
            diags.unreadable(e);
            false
        }
        _ => {
            let line = err.position().map_or(1, |p| lines.line_at(p.byte()));
            let (source, start) = diags.at_line(line);
            let text = err.to_string();
            diags.push(
                Diag::error(codes::CSV, format!("invalid CSV: {text}"))
                    .at(&source, Span::new(start, start), "")
                    .help(CSV_HELP),
            );
            false
        }
    }
}

/// Converts one row, collecting problems with the column they are in.
struct Row<'p> {
    program: &'p Program,
    path: Vec<Step>,
    problems: Vec<(Problem, Option<usize>)>,
}

impl Row<'_> {
    fn problem(&mut self, kind: ProblemKind, column: Option<usize>) {
        self.problems.push((Problem { path: self.path.clone(), kind }, column));
    }

    /// The slots of an object, and whether any of its cells had a value.
    fn object(
        &mut self,
        fields: &[Field],
        plans: &[Plan],
        rec: &::csv::StringRecord,
        required: bool,
    ) -> (Box<[Value]>, bool) {
        let program = self.program;
        let mut any = false;
        let mut slots = Vec::with_capacity(fields.len());
        for (i, (field, plan)) in fields.iter().zip(plans).enumerate() {
            self.path.push(super::field_step(i));
            let (value, column) = match plan {
                Plan::Skip | Plan::NoColumn => (Value::Missing, None),
                // Lists of objects are not in CSV exports: absent (or empty, where the schema requires the list).
                Plan::Empty if field.optional => (Value::Missing, None),
                Plan::Empty => (Value::List(Box::default()), None),
                Plan::Cell(c) => {
                    let cell = rec.get(*c).unwrap_or("");
                    any |= !cell.trim().is_empty();
                    if field.optional && matches!(field.ty, Ty::List(_)) && cell.trim().is_empty() {
                        (Value::Missing, Some(*c))
                    } else {
                        (self.cell(field, cell, *c), Some(*c))
                    }
                }
                Plan::Object(inner) => {
                    let shape_fields: &[Field] = match &field.ty {
                        Ty::Object(s) => program.shapes.get(*s).map_or(&[], |s| s.fields.as_slice()),
                        _ => &[],
                    };
                    let before = self.problems.len();
                    let (slots, present) = self.object(shape_fields, inner, rec, required && !field.optional);
                    any |= present;
                    if present || (required && !field.optional) {
                        (Value::Object(slots), None)
                    } else {
                        // An optional object with no cells at all is absent, not incomplete.
                        self.problems.truncate(before);
                        (Value::Missing, None)
                    }
                }
            };
            let reported = || self.problems.iter().any(|(p, _)| p.path.starts_with(&self.path));
            if matches!(value, Value::Missing)
                && field.used
                && !field.optional
                && !matches!(plan, Plan::NoColumn)
                && !reported()
            {
                self.problem(ProblemKind::Missing, column);
            }
            slots.push(value);
            self.path.pop();
        }
        (slots.into_boxed_slice(), any)
    }

    /// The value of one cell for `field` (an empty cell is missing). A list's items are separated
    /// by `;`, or by the field's declared separator.
    fn cell(&mut self, field: &Field, cell: &str, column: usize) -> Value {
        let (ty, zone, spelling) = (&field.ty, field.zone.as_ref(), field.spelling.as_deref());
        if let Ty::List(inner) = ty {
            let separator = spelling.and_then(|s| s.separator.as_deref()).unwrap_or(";");
            let mut items = Vec::new();
            for (i, item) in cell.split(separator).map(str::trim).filter(|s| !s.is_empty()).enumerate() {
                self.path.push(Step::Index(u32::try_from(i).unwrap_or(u32::MAX)));
                items.push(self.scalar(inner, zone, spelling, true, item, column));
                self.path.pop();
            }
            return Value::List(items.into_boxed_slice());
        }
        let blank = if matches!(ty, Ty::Text) { cell.is_empty() } else { cell.trim().is_empty() };
        if blank {
            return Value::Missing;
        }
        self.scalar(ty, zone, spelling, false, cell, column)
    }

    fn scalar(
        &mut self,
        ty: &Ty,
        zone: Option<&TimeZone>,
        spelling: Option<&Spelling>,
        in_list: bool,
        text: &str,
        column: usize,
    ) -> Value {
        match convert::spelled(self.program, ty, zone, spelling, in_list, Raw::Cell(text)) {
            Ok(v) => v,
            Err(bad) => {
                // INVARIANT: `Value::Unreadable(i)` is `problems[i]`, which the reader keeps in order.
                let index = u32::try_from(self.problems.len()).unwrap_or(crate::engine::value::NOT_KEPT);
                self.problem(ProblemKind::Invalid(bad), Some(column));
                Value::Unreadable(index)
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::data::testing::*;
    use crate::data::Format;
    use crate::diagnostics::Level;
    use crate::engine::types::Currency;
    use rust_decimal::Decimal;

    fn tickets() -> Program {
        let mut p = program(
            vec![
                vec![
                    field("id", Ty::Text),
                    field("opened_at", Ty::DateTime),
                    opt(field("vip", Ty::Bool)),
                    field("customer", Ty::Object(1)),
                    field("tags", Ty::List(Box::new(Ty::Text))),
                    opt(field("refund", Ty::Money(Currency::parse("GBP").unwrap()))),
                    opt(field("items", Ty::List(Box::new(Ty::Object(2))))),
                    unused(field("notes", Ty::Text)),
                    opt(field("contact", Ty::Object(2))),
                ],
                vec![field("kind", Ty::Enum(0)), opt(field("name", Ty::Text))],
                vec![field("sku", Ty::Text), opt(field("qty", Ty::Int))],
            ],
            vec![vec!["retail", "business"]],
        );
        // Renamed columns.
        p.shapes[0].fields[1].column = "Opened".into();
        p.shapes[1].fields[0].column = "customer type".into();
        p.shapes[2].fields[0].column = "contact.sku".into();
        p
    }

    const HEADER: &str = "id,Opened,vip,customer type,customer.name,tags,refund,contact.sku,contact.qty\n";

    #[test]
    fn rows_with_renamed_columns() {
        let p = tickets();
        let text = format!("{HEADER}T-1,2024-03-01T09:00:00Z,Yes,retail,\"Smith, J\",a; b ;,12.50 GBP,,\nT-2,2024-03-01T09:00:00+01:00,,business,,,,S1,3\n");
        let (recs, diags) = read_str(&p, Format::Csv, &text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(0, 2), (1, 3)]);
        let v = &recs[0].values;
        assert_eq!(v[0], Value::Text("T-1".into()));
        assert_eq!(v[2], Value::Bool(true));
        assert_eq!(v[3], Value::Object(vec![Value::Enum(0), Value::Text("Smith, J".into())].into()));
        assert_eq!(v[4], Value::List(vec![Value::Text("a".into()), Value::Text("b".into())].into()));
        assert_eq!(v[5], Value::Money(Decimal::new(1250, 2).into()));
        assert_eq!(v[6], Value::Missing, "an optional list of objects is absent from CSV");
        assert_eq!(v[8], Value::Missing, "an optional object with no cells is absent");
        let v = &recs[1].values;
        assert_eq!(v[2], Value::Missing);
        assert_eq!(v[4], Value::List(Box::default()));
        assert_eq!(v[8], Value::Object(vec![Value::Text("S1".into()), Value::Int(3)].into()));
    }

    #[test]
    fn short_and_long_rows_are_skipped() {
        let p = tickets();
        let good = "T-1,2024-03-01T09:00:00Z,no,retail,,,,,\n";
        let text = format!(
            "{HEADER}{good}T-2,2024-03-01T09:00:00Z,no\n{good}T-4,2024-03-01T09:00:00Z,no,retail,,,,,,extra\n{good}"
        );
        let (recs, diags) = read_str(&p, Format::Csv, &text);
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(0, 2), (2, 4), (4, 6)]);
        let got: Vec<(&str, &str, Option<usize>)> =
            diags.iter().map(|d| (&*d.code, d.message.as_str(), d.location().map(|(_, l, _)| l))).collect();
        assert_eq!(
            got,
            vec![
                (codes::CSV_ROW_LENGTH, "row has 3 fields but the header has 9", Some(3)),
                (codes::CSV_ROW_LENGTH, "row has 10 fields but the header has 9", Some(5)),
            ]
        );
        assert_eq!(label_text(&diags[0]), "T-2,2024-03-01T09:00:00Z,no");
    }

    #[test]
    fn bad_cells_and_missing_values() {
        let p = tickets();
        let text = format!("{HEADER}T-1,2024-03-01T09:00:00,maybe,retial,,,3 EUR,,x\n,2024-03-01T09:00:00Z,,,,,,,\n");
        let (recs, diags) = read_str(&p, Format::Csv, &text);
        assert!(recs.is_empty());
        let got: Vec<(&str, String, (usize, usize))> = diags
            .iter()
            .map(|d| (d.message.as_str(), label_text(d), d.location().map(|(_, l, c)| (l, c)).unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("`opened_at` has no offset: `2024-03-01T09:00:00`", "2024-03-01T09:00:00".into(), (2, 5)),
                ("`vip` is not true or false: `maybe`", "maybe".into(), (2, 25)),
                ("`customer.kind` is not one of its values: `retial`", "retial".into(), (2, 31)),
                ("`refund` is in `EUR`, not `GBP`: `3 EUR`", "3 EUR".into(), (2, 40)),
                ("record is missing required field `contact.sku`", "".into(), (2, 46)),
                ("`contact.qty` is not a whole number: `x`", "x".into(), (2, 47)),
                ("record is missing required field `id`", "".into(), (3, 1)),
                ("record is missing required field `customer.kind`", "".into(), (3, 24)),
            ]
        );
        assert!(diags[1].help.as_deref().unwrap().contains("`yes`"));
        assert!(diags[2].help.as_deref().unwrap().starts_with("did you mean `retail`?"));
    }

    #[test]
    fn missing_columns() {
        let p = tickets();
        // A required column missing: one error, no records.
        let (recs, diags) =
            read_str(&p, Format::Csv, "id,opened,vip,customer type,tags\nT-1,2024-03-01T09:00:00Z,no,retail,\n");
        assert!(recs.is_empty());
        assert!(diags.iter().all(|d| d.code == *codes::CSV_MISSING_COLUMN));
        let errors: Vec<&Diag> = diags.iter().filter(|d| d.level == Level::Error).collect();
        assert_eq!(errors.len(), 1, "{diags:?}");
        assert_eq!(errors[0].message, "no column `Opened` (for field `opened_at`) in the header");
        assert!(errors[0].help.as_deref().unwrap().starts_with("did you mean `opened`?"), "{:?}", errors[0].help);
        assert!(errors[0].help.as_deref().unwrap().ends_with("no records of this file were read"));
        // Only optional columns missing: the records are read, and the fields read as missing. An
        // export may simply not carry them, so only a near-miss header (a likely typo) is warned of.
        let (recs, diags) =
            read_str(&p, Format::Csv, "id,Opened,customer type,tags\nT-1,2024-03-01T09:00:00Z,retail,\n");
        assert_eq!(recs.len(), 1);
        let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs, vec!["no column `customer.name` in the header"], "near `customer type`");
        let (recs, diags) = read_str(
            &p,
            Format::Csv,
            "id,Opened,customer type,customer.name,tags,vipp\nT-1,2024-03-01T09:00:00Z,retail,,,\n",
        );
        assert_eq!(recs.len(), 1);
        let msgs: Vec<(&str, Level)> = diags.iter().map(|d| (d.message.as_str(), d.level)).collect();
        assert_eq!(msgs, vec![("no column `vip` in the header", Level::Warning)]);
        assert!(diags[0].help.as_deref().unwrap().starts_with("did you mean `vipp`?"));
    }

    #[test]
    fn invalid_utf8_in_a_row() {
        let p = tickets();
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"T-1,2024-03-01T09:00:00Z,no,retail,\"Sm\xffth\",,,,\n");
        bytes.extend_from_slice(b"T-2,2024-03-01T09:00:00Z,no,retail,,,,,\n");
        let f = temp_bytes(Format::Csv, &bytes);
        let (recs, diags) = read_all(&f.file, &p);
        assert_eq!(recs.iter().map(|r| (r.ordinal, r.line)).collect::<Vec<_>>(), vec![(1, 3)]);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, *codes::INVALID_UTF8);
        assert_eq!(diags[0].location().map(|(_, l, c)| (l, c)), Some((2, 39)));
        assert_eq!(label_text(&diags[0]), "\u{fffd}");
    }

    #[test]
    fn empty_and_header_only_files() {
        let p = tickets();
        let (recs, diags) = read_str(&p, Format::Csv, " \n\n");
        assert!(recs.is_empty());
        assert_eq!((&*diags[0].code, diags[0].level), (codes::EMPTY_FILE, Level::Warning));
        let (recs, diags) = read_str(&p, Format::Csv, HEADER);
        assert!(recs.is_empty() && diags.is_empty(), "{diags:?}");
        let (recs, diags) =
            read_str(&p, Format::Csv, &format!("\u{feff}{HEADER}T-1,2024-03-01T09:00:00Z,,retail,,,,,\r\n"));
        assert_eq!(recs.len(), 1, "{diags:?}");
    }
}
