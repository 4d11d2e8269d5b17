//! Record files: finding them, reading their records into typed slots, and pointing back into them.
//!
//! This is the input step of the pipeline. [`discover()`] walks the paths given on the command line and
//! assigns each record file to a schema (a [`RecordFile`] may as well hold its records in memory,
//! [`RecordFile::from_bytes`], its schema chosen by name with [`SchemaGlobs`]); [`read_file`] streams
//! a file's records, already converted to [`Value`]s in the slots the checker resolved, to the engine
//! in batches; a [`Locator`] is the slow path run only for a record that broke a rule, turning a field
//! path back into the text to show and a byte span in it. The rest of the pipeline knows no format.
//!
//! Formats are chosen by extension: `.toml`, `.json`, `.jsonl` / `.ndjson` and `.csv`. Every problem
//! with an input is a [`Diag`] with a `precept::input::*` code. A record that cannot be used at all
//! (not an object, a syntax error, a key twice, a CSV row of the wrong length, a required field
//! absent, too large) is reported and skipped; a value that cannot be read (a datetime without an
//! offset, a value outside its enumeration, `"maybe"` for a boolean) is reported too, but costs only
//! the verdicts that depend on it: the record is kept with [`Value::Unreadable`] in the value's place
//! and its [`Unreadable`] note in [`ReadRecord::unreadable`]. The rest of a file is always read.

mod convert;
mod csv;
mod declare;
mod diags;
mod discover;
mod excerpt;
mod json;
mod locate;
pub(crate) mod locator;
pub(crate) mod origin;
pub(crate) mod scan;
mod select;
mod toml;

#[cfg(test)]
mod testing;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diag;
use crate::engine::blame::Step;
use crate::engine::types::Field;
use crate::engine::value::Value;
use crate::engine::Program;
use rayon::prelude::*;

/// A value as quoted in a diagnostic: clipped, escaped, its backquotes replaced.
#[cfg(feature = "duckdb")]
pub(crate) use convert::clip as clip_value;
/// What a value of a type must be, in a diagnostic (`a whole number`).
#[cfg(feature = "duckdb")]
pub(crate) use convert::expected as expected_type;
pub use discover::{discover, is_parquet, SchemaGlobs};
pub use locator::{Located, Locator};
pub use origin::Origin;
pub use select::Select;

/// Stable diagnostic codes of the input step.
pub(crate) mod codes {
    /// A path given on the command line does not exist.
    pub const NOT_FOUND: &str = "precept::input::not-found";
    /// A file given explicitly has an extension that is not a record format.
    pub const UNKNOWN_FORMAT: &str = "precept::input::unknown-format";
    /// A Parquet file, which only `--engine duckdb` reads.
    pub const PARQUET: &str = "precept::input::parquet";
    /// No schema's `files` globs match a record file.
    pub const NO_SCHEMA: &str = "precept::input::no-schema";
    /// A file or directory could not be read.
    pub const UNREADABLE: &str = "precept::input::unreadable";
    /// A record file is not valid UTF-8.
    pub const INVALID_UTF8: &str = "precept::input::invalid-utf8";
    /// A JSON or JSON Lines syntax error.
    pub const JSON: &str = "precept::input::json";
    /// A TOML syntax error.
    pub const TOML: &str = "precept::input::toml";
    /// A CSV error other than a row length.
    pub const CSV: &str = "precept::input::csv";
    /// A CSV row with a different number of fields than the header.
    pub const CSV_ROW_LENGTH: &str = "precept::input::csv-row-length";
    /// A column a rule needs is not in a CSV file's header.
    pub const CSV_MISSING_COLUMN: &str = "precept::input::csv-missing-column";
    /// A required field is absent from a record.
    pub const MISSING_FIELD: &str = "precept::input::missing-field";
    /// A value does not have its field's type.
    pub const INVALID_VALUE: &str = "precept::input::invalid-value";
    /// A JSON object in a record has the same key twice.
    pub const DUPLICATE_KEY: &str = "precept::input::duplicate-key";
    /// A CSV header names the same column twice.
    pub const DUPLICATE_COLUMN: &str = "precept::input::duplicate-column";
    /// A record file is empty (a warning).
    pub const EMPTY_FILE: &str = "precept::input::empty-file";
    /// More problems in one file than are shown.
    pub const MORE_PROBLEMS: &str = "precept::input::more-problems";
    /// A `.json` file holds its records under a key its schema does not name (`records at`).
    pub const RECORDS_UNDER_KEY: &str = "precept::input::records-under-key";
    /// A `.json` file has no array at the key its schema's `records at` names.
    pub const RECORDS_NOT_FOUND: &str = "precept::input::records-not-found";
}

/// Record file formats, chosen by extension: `.toml`, `.json`, `.jsonl` / `.ndjson`, `.csv`.
///
/// ```
/// use precept::{Format, Records};
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// assert_eq!(Format::of(std::path::Path::new("tickets.csv")), Some(Format::Csv));
/// // Records in memory without a telling name are given their format.
/// let jsonl = "{\"id\": \"T-1\", \"waited\": \"20m\"}\n{\"id\": \"T-2\", \"waited\": \"3h\"}\n";
/// let run = engine.check([Records::bytes_as("from-the-api", Format::Jsonl, jsonl)]);
/// assert_eq!((run.summary.records, run.findings.len()), (2, 1));
/// assert_eq!(run.findings[0].line, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One record per document, or many as `[[record]]` tables.
    Toml,
    /// One object, or an array of objects.
    Json,
    /// One object per non-blank line (JSON Lines / NDJSON).
    Jsonl,
    /// A header row, then one record per row.
    Csv,
}

impl Format {
    /// The format of a path by its extension (case-insensitive), if it is a record format.
    ///
    /// ```
    /// use precept::data::Format;
    /// assert_eq!(Format::of(std::path::Path::new("a/tickets.ndjson")), Some(Format::Jsonl));
    /// assert_eq!(Format::of(std::path::Path::new("notes.txt")), None);
    /// ```
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One record file, on disk or in memory, with the format and the schema its records follow: found
/// by [`discover()`], or made by an embedding program with [`RecordFile::from_bytes`] and its kin.
/// Records in memory are read, reported and located exactly as the same bytes in a file would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFile {
    /// Where its content is.
    pub origin: Origin,
    /// Display name: the path as found, with `/` separators, or the name given to records in memory.
    pub name: String,
    /// Its format.
    pub format: Format,
    /// Index into [`Program::schemas`].
    pub schema: usize,
}

impl RecordFile {
    /// The file at `path`, shown by its path (with `/` separators).
    ///
    /// ```
    /// use precept::data::{Format, RecordFile};
    /// let file = RecordFile::from_path("records/t.jsonl", Format::Jsonl, 0);
    /// assert_eq!(file.name, "records/t.jsonl");
    /// ```
    pub fn from_path(path: impl Into<PathBuf>, format: Format, schema: usize) -> RecordFile {
        let path = path.into();
        RecordFile { name: crate::text::name(&path), origin: Origin::Path(path), format, schema }
    }

    /// Records in memory, shown in diagnostics and findings as `name`: read as a file holding
    /// `bytes` would be, with the same limits and diagnostics.
    ///
    /// ```
    /// use precept::data::{Format, RecordFile};
    /// let file = RecordFile::from_bytes("upload.csv", Format::Csv, 0, b"id,n\nT-1,3\n".to_vec());
    /// assert_eq!(file.path(), None);
    /// ```
    pub fn from_bytes(
        name: impl Into<String>,
        format: Format,
        schema: usize,
        bytes: impl Into<Arc<[u8]>>,
    ) -> RecordFile {
        RecordFile { origin: Origin::Bytes(bytes.into()), name: name.into(), format, schema }
    }

    /// Records in memory whose schema is chosen by `name`, as [`discover`] chooses one for a file
    /// it finds (see [`SchemaGlobs`]); `precept::input::no-schema` when no schema takes it. To
    /// assign many, make one [`SchemaGlobs`] and use [`RecordFile::from_bytes`].
    ///
    /// ```
    /// # fn demo(program: &precept::engine::Program) -> Result<(), precept::diagnostics::Diag> {
    /// use precept::data::{Format, RecordFile};
    /// let file = RecordFile::by_name(program, "tickets/today.jsonl", Format::Jsonl, b"{}\n".to_vec())?;
    /// # Ok(()) }
    /// ```
    pub fn by_name(
        program: &Program,
        name: impl Into<String>,
        format: Format,
        bytes: impl Into<Arc<[u8]>>,
    ) -> Result<RecordFile, Diag> {
        let name = name.into();
        let schema = SchemaGlobs::new(program).schema_for(&name)?;
        Ok(RecordFile::from_bytes(name, format, schema, bytes))
    }

    /// JSON values as a JSON Lines file in memory named `name`, one value a line, so that values an
    /// embedding program holds are checked, and their problems reported, as records are (a value
    /// that is not an object is `record is not an object`, at its line).
    ///
    /// ```
    /// use precept::data::{Format, RecordFile};
    /// let values = [serde_json::json!({"id": "T-1"}), serde_json::json!({"id": "T-2"})];
    /// let file = RecordFile::from_values("tickets", 0, &values);
    /// assert_eq!(file.format, Format::Jsonl);
    /// ```
    pub fn from_values(name: impl Into<String>, schema: usize, values: &[serde_json::Value]) -> RecordFile {
        RecordFile::from_bytes(name, Format::Jsonl, schema, jsonl_of(values))
    }

    /// Its path, for a file on disk.
    pub fn path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::Path(path) => Some(path),
            Origin::Bytes(_) => None,
        }
    }

    /// What include and exclude globs match it by: its path on disk, or the name of records in
    /// memory.
    pub fn place(&self) -> &Path {
        self.path().unwrap_or(Path::new(&self.name))
    }
}

/// One record, read and converted.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRecord {
    /// 0-based index of the record in its file (records that were skipped count too).
    pub ordinal: usize,
    /// 1-based line where the record starts.
    pub line: usize,
    /// One slot per field of the schema's shape; fields no rule reads are [`Value::Missing`].
    pub values: Box<[Value]>,
    /// The values of this record that could not be read, each reported as an input diagnostic:
    /// [`Value::Unreadable`]`(i)` in `values` stands for `unreadable[i]`. Empty for most records.
    pub unreadable: Vec<Unreadable>,
    /// The record's own text in a streamed file (JSON Lines, CSV), kept from reading so that a
    /// finding is placed without reading the file again; `None` for a file read whole (JSON, TOML),
    /// whose findings are placed in its whole text.
    pub raw: Option<RawText>,
}

/// A value of a record that could not be read: where it is, and the input diagnostic's message.
/// A rule whose outcome depends on it *cannot be determined* for the record, and says why with this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Where in the record (field slots and list indices from the top-level shape).
    pub path: Vec<Step>,
    /// The input diagnostic's message (``` `opened_at` has no offset: `2024-03-01T09:00:00` ```).
    pub message: String,
}

/// A streamed record's lines as read: a range of the chunk of the file it was read in (shared by
/// the chunk's records, so keeping it costs no copy), and a CSV file's header.
#[derive(Debug, Clone, PartialEq)]
pub struct RawText {
    chunk: Arc<Chunk>,
    start: usize,
    end: usize,
    /// A JSON Lines record's top-level keys, where each starts in its text, by field slot, as the
    /// parse found them (empty where unknown): a finding is placed from these without scanning the
    /// record again.
    keys_at: Box<[u32]>,
}

/// Bytes of a streamed file read in one go, whole records only.
#[derive(Debug, PartialEq)]
pub(crate) struct Chunk {
    body: Body,
    /// A CSV file's header line (its cells name the columns a finding is placed in).
    pub(crate) header: Option<Arc<str>>,
}

/// A chunk's bytes, as text when they were checked to be UTF-8 as a whole.
#[derive(Debug, PartialEq)]
enum Body {
    Text(String),
    Bytes(Vec<u8>),
}

impl Chunk {
    /// `bytes` as they are: each record's text is checked to be UTF-8 when it is read.
    pub(crate) fn new(bytes: Vec<u8>, header: Option<Arc<str>>) -> Chunk {
        Chunk { body: Body::Bytes(bytes), header }
    }

    /// `bytes`, checked to be UTF-8 once as a whole (on the thread that read them), so that
    /// neither parsing a record nor showing one with its findings checks its bytes again; a chunk
    /// with a line that is not UTF-8 is kept as bytes, and each line checked on its own.
    pub(crate) fn checked(bytes: Vec<u8>) -> Chunk {
        let body = match String::from_utf8(bytes) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Bytes(e.into_bytes()),
        };
        Chunk { body, header: None }
    }

    /// The text of bytes `start..end`, or where in them UTF-8 fails (out of range, or not on a
    /// character's edge in a chunk of text: empty).
    pub(crate) fn text(&self, start: usize, end: usize) -> Result<&str, std::str::Utf8Error> {
        match &self.body {
            Body::Text(t) => t.get(start..end).map_or_else(|| std::str::from_utf8(&[]), Ok),
            Body::Bytes(b) => std::str::from_utf8(b.get(start..end).unwrap_or(&[])),
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        match self.body {
            Body::Text(t) => t.into_bytes(),
            Body::Bytes(b) => b,
        }
    }
}

/// The chunks handed on most recently, so that the buffer of one whose records are all gone is
/// read into again: a new buffer per chunk would be megabytes grown from nothing and faulted in
/// from the system each time, a tenth of the time of a run with many findings.
#[derive(Default)]
pub(crate) struct Recycler {
    chunks: Vec<Arc<Chunk>>,
}

impl Recycler {
    /// At most this many chunks are watched: those of the batch being handed on, the one being
    /// checked, the one waiting, the one being filled, and two to spare (a batch may straddle two
    /// chunks).
    const WATCHED: usize = 6;

    /// Share `chunk` with its records, and watch it.
    pub(crate) fn share(&mut self, chunk: Chunk) -> Arc<Chunk> {
        let shared = Arc::new(chunk);
        if self.chunks.len() >= Self::WATCHED {
            self.chunks.remove(0);
        }
        self.chunks.push(shared.clone());
        shared
    }

    /// An empty buffer: that of a chunk no record holds any more, else a new one.
    pub(crate) fn buffer(&mut self) -> Vec<u8> {
        let free = self.chunks.iter().position(|c| Arc::strong_count(c) == 1);
        if let Some(chunk) = free.map(|i| self.chunks.remove(i)).and_then(|c| Arc::try_unwrap(c).ok()) {
            let mut bytes = chunk.into_bytes();
            bytes.clear();
            return bytes;
        }
        Vec::with_capacity(1 << 20)
    }
}

impl RawText {
    pub(crate) fn new(chunk: &Arc<Chunk>, start: usize, end: usize) -> RawText {
        RawText { chunk: chunk.clone(), start, end, keys_at: Box::default() }
    }

    /// With the places of its top-level keys, from the parse (see [`RawText::keys_at`]).
    pub(crate) fn with_keys(self, keys_at: &[u32]) -> RawText {
        RawText { keys_at: keys_at.into(), ..self }
    }

    /// Where each top-level field's key starts in [`RawText::text`], by slot (`u32::MAX` for a
    /// field absent); empty where the reader does not know.
    pub(crate) fn keys_at(&self) -> &[u32] {
        &self.keys_at
    }

    /// The record's text with its line endings (empty if it is not UTF-8, which a record that was
    /// read never is).
    pub fn text(&self) -> &str {
        self.chunk.text(self.start, self.end).unwrap_or("")
    }

    /// The CSV header line, for a CSV record.
    pub fn header(&self) -> Option<&str> {
        self.chunk.header.as_deref()
    }
}

impl ReadRecord {
    /// The note for unreadable value `index` ([`Value::Unreadable`]), if it was kept.
    pub fn unreadable(&self, index: u32) -> Option<&Unreadable> {
        self.unreadable.get(usize::try_from(index).ok()?)
    }
}

/// Read and convert all records of a file, calling `sink` with batches of up to `batch` records in file
/// order.
///
/// JSON Lines and CSV are streamed line by line; JSON and TOML files are read whole. Returns the
/// diagnostics for this file: a bad record is reported and skipped and the rest of the file is still
/// read; a file that cannot be opened or parsed at all gets one diagnostic.
///
/// ```no_run
/// # fn demo(program: &precept::engine::Program, file: &precept::data::RecordFile) {
/// let mut count = 0;
/// let diags = precept::data::read_file(file, program, 1024, &mut |batch| count += batch.len());
/// # let _ = diags;
/// # }
/// ```
pub fn read_file(
    file: &RecordFile,
    program: &Program,
    batch: usize,
    sink: &mut dyn FnMut(Vec<ReadRecord>),
) -> Vec<Diag> {
    read_file_with(file, program, batch, &|_| (), &mut |records, _| sink(records))
}

/// [`read_file`], with `work` done on each record as soon as it is read, on the thread that
/// parsed it: its values are still in that core's cache, where a second pass over the batch would
/// find them evicted. The sink gets each batch's records with their works, in the same order.
pub(crate) fn read_file_with<W: Send>(
    file: &RecordFile,
    program: &Program,
    batch: usize,
    work: &(dyn Fn(&ReadRecord) -> W + Sync),
    sink: &mut dyn FnMut(Vec<ReadRecord>, Vec<W>),
) -> Vec<Diag> {
    let mut out = Batcher::new(batch, work, sink);
    let diags = match file.format {
        Format::Json => json::read_json(file, program, &mut out),
        Format::Jsonl => json::read_jsonl(file, program, &mut out),
        Format::Toml => toml::read_toml(file, program, &mut out),
        Format::Csv => csv::read_csv(file, program, &mut out),
    };
    out.flush();
    diags
}

/// The record's id text (the value of the schema's `id_field`) for reports, if the schema names one and
/// the record has it.
///
/// ```
/// # use precept::engine::Program;
/// # fn demo(program: &Program, values: &[precept::engine::value::Value]) {
/// if let Some(id) = precept::data::record_id(program, 0, values) {
///     println!("record {id}");
/// }
/// # }
/// ```
pub fn record_id(program: &Program, schema: usize, values: &[Value]) -> Option<String> {
    let info = program.schemas.get(schema)?;
    let id = field_text(program, schema, values, info.id_field?)?;
    Some(if info.id_redacted { crate::engine::redact::hash(&id) } else { id })
}

/// The member of staff and the team a record is about, where its schema says (`staff by`,
/// `team by`): what waivers can be limited to.
pub fn staff_and_team(program: &Program, schema: usize, values: &[Value]) -> (Option<String>, Option<String>) {
    let Some(info) = program.schemas.get(schema) else { return (None, None) };
    let text = |slot: Option<usize>| slot.and_then(|s| field_text(program, schema, values, s));
    (text(info.staff_field), text(info.team_field))
}

/// A top-level scalar field's value as text.
fn field_text(program: &Program, schema: usize, values: &[Value], slot: usize) -> Option<String> {
    let schema = program.schemas.get(schema)?;
    let field = program.shapes.get(schema.shape)?.fields.get(slot)?;
    let value = values.get(slot)?;
    match value {
        Value::Missing | Value::List(_) | Value::Object(_) => None,
        Value::Text(t) => Some(t.as_str().to_owned()),
        other => {
            let mut out = String::new();
            crate::engine::format::value(&mut out, program, &field.ty, other.view());
            Some(out)
        }
    }
}

/// Diagnostics shown per record file; the rest are counted in one more diagnostic. A record keeps
/// at most this many problems too, so a record of a million bad list elements costs a counter, not
/// a million located diagnostics.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 50;

/// Collects records into batches for the sink, each with the work done on it.
///
/// A reader that parses records in parallel does the work in the same parallel pass
/// ([`Batcher::work`], [`Batcher::push_done`]); one that reads records one after another
/// ([`Batcher::push`]) has the work done across threads when the batch is handed on.
pub(crate) struct Batcher<'s, W> {
    size: usize,
    work: &'s (dyn Fn(&ReadRecord) -> W + Sync),
    records: Vec<ReadRecord>,
    /// The works of the first `done.len()` records.
    done: Vec<W>,
    sink: &'s mut dyn FnMut(Vec<ReadRecord>, Vec<W>),
}

impl<'s, W: Send> Batcher<'s, W> {
    fn new(
        size: usize,
        work: &'s (dyn Fn(&ReadRecord) -> W + Sync),
        sink: &'s mut dyn FnMut(Vec<ReadRecord>, Vec<W>),
    ) -> Batcher<'s, W> {
        let size = size.max(1);
        Batcher { size, work, records: Vec::with_capacity(size.min(4096)), done: Vec::new(), sink }
    }

    /// The work to do on each record, for a reader to do it where it parses.
    pub(crate) fn work(&self) -> &'s (dyn Fn(&ReadRecord) -> W + Sync) {
        self.work
    }

    /// Add a record whose work is still to be done, handing a full batch to the sink.
    pub(crate) fn push(&mut self, record: ReadRecord) {
        self.records.push(record);
        if self.records.len() >= self.size {
            self.flush();
        }
    }

    /// Add a record with its work done, handing a full batch to the sink.
    pub(crate) fn push_done(&mut self, record: ReadRecord, work: W) {
        self.fill();
        self.records.push(record);
        self.done.push(work);
        if self.records.len() >= self.size {
            self.flush();
        }
    }

    /// Do the work of the records that still need it, across threads.
    fn fill(&mut self) {
        if let Some(todo) = self.records.get(self.done.len()..).filter(|t| !t.is_empty()) {
            let work = self.work;
            let mut done: Vec<W> = todo.par_iter().map(work).collect();
            self.done.append(&mut done);
        }
    }

    fn flush(&mut self) {
        self.fill();
        if !self.records.is_empty() {
            let records = std::mem::replace(&mut self.records, Vec::with_capacity(self.size.min(4096)));
            let done = std::mem::take(&mut self.done);
            (self.sink)(records, done);
        }
    }
}

/// The step for field slot `slot` (a shape never has more than `u16::MAX` fields; a larger slot
/// saturates and then simply locates nothing).
pub(crate) fn field_step(slot: usize) -> Step {
    Step::Field(u16::try_from(slot).unwrap_or(u16::MAX))
}

/// A mark per field of an object (whose value was reported already): bits of one word for the
/// objects of up to 128 fields that records have, so reading an object allocates only its slots;
/// a vector past that.
pub(crate) enum Marks {
    Few(u128),
    Many(Vec<bool>),
}

impl Marks {
    pub(crate) fn new(fields: usize) -> Marks {
        match fields <= 128 {
            true => Marks::Few(0),
            false => Marks::Many(vec![false; fields]),
        }
    }

    /// Marks field `i` when `on`; never unmarks.
    pub(crate) fn mark(&mut self, i: usize, on: bool) {
        match self {
            Marks::Few(bits) => {
                if on && i < 128 {
                    *bits |= 1 << i;
                }
            }
            Marks::Many(v) => {
                if let Some(m) = v.get_mut(i) {
                    *m |= on;
                }
            }
        }
    }

    pub(crate) fn get(&self, i: usize) -> bool {
        match self {
            Marks::Few(bits) => i < 128 && bits & (1 << i) != 0,
            Marks::Many(v) => v.get(i).copied().unwrap_or(false),
        }
    }
}

/// After an object is read, in every format: an absent required list becomes an empty list (an
/// optional one stays missing), and `missing(i)` reports each other absent required field `i` that
/// was not already reported as invalid (`reported`). Fields no rule reads are left alone.
pub(crate) fn fill_absent(fields: &[Field], slots: &mut [Value], reported: &Marks, mut missing: impl FnMut(usize)) {
    for (i, (field, slot)) in fields.iter().zip(slots.iter_mut()).enumerate() {
        if !field.used || !matches!(slot, Value::Missing) {
            continue;
        }
        if matches!(field.ty, crate::engine::types::Ty::List(_)) && !field.optional {
            *slot = Value::List(Box::default());
        } else if !field.optional && !reported.get(i) {
            missing(i);
        }
    }
}

/// JSON values as the text of a JSON Lines file: compact JSON never holds a line break, so each
/// value is one line, and a problem with one is placed at its line.
pub(crate) fn jsonl_of(values: &[serde_json::Value]) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut text = String::new();
    for value in values {
        // Writing to a `String` cannot fail.
        let _ = writeln!(text, "{value}");
    }
    text.into_bytes()
}
