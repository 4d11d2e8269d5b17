//! JSON and JSON Lines records, deserialized straight into slots by a seed driven by the schema's shape.
//!
//! There is no intermediate `serde_json::Value`: keys are matched to field slots as they are parsed,
//! fields no rule reads are skipped (their objects still checked for duplicate keys, see [`KeyCheck`]),
//! and only text is allocated. A value of the
//! wrong type does not stop the parse: it is noted as a [`Problem`] with its field path, the value
//! becomes [`Value::Unreadable`], and the rest of the record is still read (so every problem in it is
//! reported). A record with only such problems is kept, so rules that do not depend on them still
//! judge it; a record that is unusable as a whole (not an object, a key twice, a required field
//! absent, too large) is skipped. Problems are placed afterwards by scanning the record's text for
//! the path (see [`super::locate`]).
//!
//! JSON Lines are read line by line into one reused buffer. A JSON file is read whole, checked for
//! syntax, and then each element of a top-level array is parsed on its own, so that every record knows
//! its line and a bad record never hides the ones after it.

use std::fmt;

use rayon::prelude::*;
use std::io::BufRead;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::convert::{self, Raw};
use super::diags::{FileDiags, Problem, ProblemKind};
use super::{codes, locate, scan, Batcher, ReadRecord, RecordFile};
use crate::engine::blame::Step;
use crate::engine::types::{Field, ShapeId, Ty};
use crate::engine::value::{Value, NOT_KEPT};
use crate::engine::Program;
use crate::source::{SourceFile, Span};

const JSON_HELP: &str = "a `.json` file holds one record object, or an array of record objects";
const JSONL_HELP: &str = "each line of a `.jsonl` file must be one complete JSON object";

/// State shared by the seeds while one record is read.
pub(crate) struct Ctx<'p> {
    program: &'p Program,
    /// The path to the value being read.
    path: Vec<Step>,
    /// Problems found in the current record.
    pub problems: Vec<Problem>,
    /// Problems found in this record, kept or not: past [`super::MAX_DIAGNOSTICS_PER_FILE`] they
    /// are only counted.
    pub found: usize,
    /// Whether any problem found (kept or not) makes the record unusable as a whole, rather than
    /// costing one value (see [`ProblemKind::is_bad_value`]).
    pub unusable: bool,
    /// Hashes of the keys of the objects being read, innermost object last (see [`KeyCheck`]).
    keys: Vec<u64>,
    /// Two keys of one object hashed alike: the record is scanned for exact duplicates after parsing.
    maybe_duplicate: bool,
    /// How deep [`Skip`] is inside a value no rule reads.
    skip_depth: usize,
    /// Bytes of values built for this record so far, against `budget`.
    spent: usize,
    /// [`decoded_budget`], read once per record rather than per value.
    budget: usize,
}

/// A record may take at most this many bytes once decoded: eight times the `record-line` limit.
/// Text as short as `{}` can become an object of many slots, so without it a 10 MB line of empty
/// objects would take a gigabyte.
pub(crate) fn decoded_budget() -> usize {
    usize::try_from(crate::input::limit(crate::input::Kind::RecordLine)).unwrap_or(usize::MAX).saturating_mul(8)
}

impl<'p> Ctx<'p> {
    pub(crate) fn new(program: &'p Program) -> Ctx<'p> {
        Ctx {
            program,
            path: Vec::with_capacity(8),
            problems: Vec::new(),
            found: 0,
            unusable: false,
            keys: Vec::with_capacity(32),
            maybe_duplicate: false,
            skip_depth: 0,
            spent: 0,
            budget: decoded_budget(),
        }
    }

    /// Account for `bytes` more of decoded values; `false` (after reporting the record once as too
    /// large) if that passes the budget, and the value is then not built.
    fn spend(&mut self, bytes: usize) -> bool {
        let over = self.spent > self.budget;
        self.spent = self.spent.saturating_add(bytes);
        if self.spent <= self.budget {
            return true;
        }
        if !over {
            // The record is skipped as too large: what else is wrong with it no longer matters.
            self.problems.clear();
            self.problems.push(Problem { path: Vec::new(), kind: ProblemKind::TooLarge(self.budget) });
            self.found = 1;
            self.unusable = true;
        }
        false
    }

    fn problem(&mut self, kind: ProblemKind) {
        if self.spent > self.budget {
            return;
        }
        self.found += 1;
        self.unusable |= !kind.is_bad_value();
        if self.problems.len() < super::MAX_DIAGNOSTICS_PER_FILE {
            self.problems.push(Problem { path: self.path.clone(), kind });
        }
    }

    /// A value that could not be read: reported, and held as [`Value::Unreadable`] so the record is
    /// still judged by the rules that do not depend on it.
    fn bad(&mut self, bad: convert::Bad) -> Value {
        let index = match self.problems.len() < super::MAX_DIAGNOSTICS_PER_FILE {
            true => u32::try_from(self.problems.len()).unwrap_or(NOT_KEPT),
            false => NOT_KEPT,
        };
        self.problem(ProblemKind::Invalid(bad));
        Value::Unreadable(index)
    }

    /// Whether the record just read can be judged: it had no problem that makes it unusable.
    pub(crate) fn usable(&self) -> bool {
        !self.unusable && self.spent <= self.budget
    }

    /// A problem of the record as a whole.
    fn problem_at_top(&mut self, kind: ProblemKind) {
        let path = std::mem::take(&mut self.path);
        self.problem(kind);
        self.path = path;
    }

    /// Problems found in this record and not kept.
    pub(crate) fn dropped(&self) -> usize {
        self.found - self.problems.len()
    }

    fn reset(&mut self) {
        self.path.clear();
        self.problems.clear();
        self.found = 0;
        self.unusable = false;
        self.keys.clear();
        self.maybe_duplicate = false;
        self.skip_depth = 0;
        self.spent = 0;
        self.budget = decoded_budget();
    }
}

/// Parse one record (a whole JSON text) into the slots of `shape`. `Err` is a syntax error; conversion
/// problems are left in `ctx.problems`.
pub(crate) fn parse_record(ctx: &mut Ctx<'_>, shape: ShapeId, text: &str) -> Result<Box<[Value]>, serde_json::Error> {
    ctx.reset();
    let ty = Ty::Object(shape);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueSeed { ctx: &mut *ctx, ty: &ty, in_list: false }.deserialize(&mut de)?;
    de.end()?;
    if ctx.maybe_duplicate {
        // The slow path, for records that have (or hash as if they had) a key twice in one object:
        // the exact scan decides, and gives both places.
        for dup in scan::duplicate_keys(text) {
            ctx.problem_at_top(ProblemKind::DuplicateKey { name: dup.name, first: dup.first, second: dup.second });
        }
    }
    match value {
        Value::Object(slots) => Ok(slots),
        _ => {
            if ctx.found == 0 {
                ctx.problem(ProblemKind::NotObject("null"));
            }
            Ok(Box::default())
        }
    }
}

/// Reads a value of type `ty`.
struct ValueSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
    ty: &'c Ty,
    /// An element of a list (where null is not a missing value but a mistake).
    in_list: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        if matches!(self.ty, Ty::Int | Ty::Dec | Ty::Money(_) | Ty::Duration) {
            // A numeric field gets the value's text as written, so a number is typed exactly.
            let raw = <&'de serde_json::value::RawValue as serde::Deserialize<'de>>::deserialize(de)?;
            return Ok(self.raw(raw.get()));
        }
        de.deserialize_any(self)
    }
}

impl ValueSeed<'_, '_> {
    /// A numeric field's value from its JSON text (already checked by serde_json).
    fn raw(self, text: &str) -> Value {
        match text.as_bytes().first() {
            Some(b'"') => match text.get(1..text.len().saturating_sub(1)) {
                Some(inner) if !inner.contains('\\') => self.scalar(Raw::Str(inner)),
                _ => {
                    let owned = serde_json::from_str::<String>(text).unwrap_or_default();
                    self.scalar(Raw::Str(&owned))
                }
            },
            Some(b'n') => {
                if self.in_list {
                    return self.ctx.bad(convert::null_in_list(self.ty));
                }
                Value::Missing
            }
            Some(b't') => self.scalar(Raw::Bool(true)),
            Some(b'f') => self.scalar(Raw::Bool(false)),
            Some(b'{') => self.wrong_shape("an object"),
            Some(b'[') => self.wrong_shape("a list"),
            _ => self.scalar(Raw::Num(text)),
        }
    }

    fn scalar(self, raw: Raw<'_>) -> Value {
        if matches!(self.ty, Ty::Object(_)) && self.ctx.path.is_empty() {
            self.ctx.problem(ProblemKind::NotObject(found_scalar(raw)));
            return Value::Missing;
        }
        match convert::scalar(self.ctx.program, self.ty, raw) {
            Ok(v) => v,
            Err(bad) => self.ctx.bad(bad),
        }
    }

    fn wrong_shape(self, found: &'static str) -> Value {
        if self.ctx.path.is_empty() {
            self.ctx.problem(ProblemKind::NotObject(found));
            return Value::Missing;
        }
        self.ctx.bad(convert::wrong_shape(self.ty, found))
    }
}

fn found_scalar(raw: Raw<'_>) -> &'static str {
    match raw {
        Raw::Str(_) | Raw::Cell(_) | Raw::Moment(_) => "a string",
        Raw::Int(_) | Raw::Float(_) | Raw::Num(_) => "a number",
        Raw::Bool(_) => "a boolean",
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&convert::expected(self.ty))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(self.scalar(Raw::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(self.scalar(Raw::Int(i128::from(v))))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(self.scalar(Raw::Int(i128::from(v))))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(self.scalar(Raw::Float(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        if !self.ctx.spend(v.len()) {
            return Ok(Value::Missing);
        }
        Ok(self.scalar(Raw::Str(v)))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        if !self.ctx.spend(v.len()) {
            return Ok(Value::Missing);
        }
        if matches!(self.ty, Ty::Text) {
            return Ok(Value::Text(v.into_boxed_str()));
        }
        Ok(self.scalar(Raw::Str(&v)))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        if self.in_list {
            return Ok(self.ctx.bad(convert::null_in_list(self.ty)));
        }
        Ok(Value::Missing)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Ty::List(inner) = self.ty else {
            while seq.next_element_seed(Skip(&mut *self.ctx))?.is_some() {}
            return Ok(self.wrong_shape("a list"));
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        loop {
            if !self.ctx.spend(std::mem::size_of::<Value>()) {
                while seq.next_element_seed(Skip(&mut *self.ctx))?.is_some() {}
                return Ok(Value::Missing);
            }
            self.ctx.path.push(Step::Index(u32::try_from(items.len()).unwrap_or(u32::MAX)));
            let next = seq.next_element_seed(ValueSeed { ctx: &mut *self.ctx, ty: inner, in_list: true });
            self.ctx.path.pop();
            match next? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::List(items.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Ty::Object(shape) = self.ty else {
            skip_map(self.ctx, &mut map)?;
            return Ok(self.wrong_shape("an object"));
        };
        let program = self.ctx.program;
        let fields: &[Field] = program.shapes.get(*shape).map_or(&[], |s| s.fields.as_slice());
        if !self.ctx.spend(fields.len() * std::mem::size_of::<Value>()) {
            skip_map(self.ctx, &mut map)?;
            return Ok(Value::Missing);
        }
        let mut slots = vec![Value::Missing; fields.len()];
        // Fields whose value was reported already, so that it is not reported again as missing.
        let mut reported = vec![false; fields.len()];
        let mut keys = KeyCheck::open(self.ctx);
        while let Some((key, hash)) = map.next_key_seed(KeySeed(fields))? {
            keys.add(self.ctx, hash);
            match key.and_then(|i| Some((i, fields.get(i)?))) {
                Some((i, field)) => {
                    self.ctx.path.push(super::field_step(i));
                    let before = self.ctx.found;
                    let v = map.next_value_seed(ValueSeed { ctx: &mut *self.ctx, ty: &field.ty, in_list: false });
                    self.ctx.path.pop();
                    if let Some(r) = reported.get_mut(i) {
                        *r |= self.ctx.found > before;
                    }
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = v?;
                    }
                }
                None => {
                    map.next_value_seed(Skip(&mut *self.ctx))?;
                }
            }
        }
        keys.close(self.ctx);
        finish_object(self.ctx, fields, &mut slots, &reported);
        Ok(Value::Object(slots.into_boxed_slice()))
    }
}

/// After an object is read: absent required lists become empty lists, absent required fields are problems.
/// An optional list (`list of T?`) that is absent or `null` stays missing, as in TOML and CSV.
fn finish_object(ctx: &mut Ctx<'_>, fields: &[Field], slots: &mut [Value], reported: &[bool]) {
    for (i, (field, slot)) in fields.iter().zip(slots.iter_mut()).enumerate() {
        if !field.used || !matches!(slot, Value::Missing) {
            continue;
        }
        if matches!(field.ty, Ty::List(_)) && !field.optional {
            *slot = Value::List(Box::default());
        } else if !field.optional {
            // A value that was there but invalid has been reported already.
            if !reported.get(i).copied().unwrap_or(false) {
                ctx.path.push(super::field_step(i));
                ctx.problem(ProblemKind::Missing);
                ctx.path.pop();
            }
        }
    }
}

/// Matches a key to the slot of a field some rule reads, and hashes it for [`KeyCheck`].
struct KeySeed<'f>(&'f [Field]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = (Option<usize>, u64);

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(Option<usize>, u64), D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = (Option<usize>, u64);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<(Option<usize>, u64), E> {
        Ok((self.0.iter().position(|f| f.used && f.name == v), key_hash(v)))
    }
}

/// Duplicate keys, found cheaply while an object is read.
///
/// Every key of every object in a record is hashed (after unescaping, so `"a"` and `"\u0061"` agree)
/// onto a stack of hashes in [`Ctx`] shared by all objects of the record, so reading keys allocates
/// nothing per key or per object. A small object's new key is compared with the object's earlier
/// hashes one by one; past [`LINEAR_KEYS`] keys a hash set takes over, so a huge object stays linear.
/// Equal hashes only raise [`Ctx::maybe_duplicate`]: the exact answer, with both places, comes from
/// [`scan::duplicate_keys`] on the record's text, so a hash collision can never reject a record.
struct KeyCheck {
    /// Where this object's hashes start in `Ctx::keys`.
    base: usize,
    /// This object's hashes, once it has more than [`LINEAR_KEYS`].
    large: Option<std::collections::HashSet<u64>>,
}

/// Keys of one object compared one by one before a hash set is built.
const LINEAR_KEYS: usize = 16;

impl KeyCheck {
    fn open(ctx: &Ctx<'_>) -> KeyCheck {
        KeyCheck { base: ctx.keys.len(), large: None }
    }

    fn add(&mut self, ctx: &mut Ctx<'_>, hash: u64) {
        if let Some(set) = &mut self.large {
            ctx.maybe_duplicate |= !set.insert(hash);
            return;
        }
        let earlier = ctx.keys.get(self.base..).unwrap_or(&[]);
        let (seen, count) = (earlier.contains(&hash), earlier.len() + 1);
        ctx.maybe_duplicate |= seen;
        ctx.keys.push(hash);
        if count > LINEAR_KEYS {
            self.large = Some(ctx.keys.drain(self.base..).collect());
        }
    }

    fn close(self, ctx: &mut Ctx<'_>) {
        ctx.keys.truncate(self.base);
    }
}

/// A fast, fixed (so runs are reproducible) hash of a key: FxHash's mixing over 8-byte words.
fn key_hash(key: &str) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = key.len() as u64;
    let mut chunks = key.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    let mut w = [0u8; 8];
    let rest = chunks.remainder();
    if let Some(dst) = w.get_mut(..rest.len()) {
        dst.copy_from_slice(rest);
    }
    mix(h, u64::from_le_bytes(w))
}

/// Skips a value no rule reads, still checking its objects for duplicate keys (a record with a key
/// twice is refused wherever the key is: which of the two a later reader would take is not ours to
/// guess).
struct Skip<'c, 'p>(&'c mut Ctx<'p>);

/// Nesting inside a skipped value that [`Skip`] walks itself; deeper, serde_json's own iterative
/// skipping takes over (so a value nested 10,000 deep is no recursion and no error), and the record
/// goes to the exact scan for duplicates, which has no depth limit.
const SKIP_DEPTH: usize = 32;

impl<'de> DeserializeSeed<'de> for Skip<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        if self.0.skip_depth >= SKIP_DEPTH {
            self.0.maybe_duplicate = true;
            IgnoredAny::deserialize(de)?;
            return Ok(());
        }
        self.0.skip_depth += 1;
        let ctx = &mut *self.0;
        let result = de.deserialize_any(Skip(&mut *ctx));
        ctx.skip_depth -= 1;
        result
    }
}

impl<'de> Visitor<'de> for Skip<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        skip_map(self.0, &mut map)
    }
}

/// Skip the rest of an object, checking its keys.
fn skip_map<'de, A: MapAccess<'de>>(ctx: &mut Ctx<'_>, map: &mut A) -> Result<(), A::Error> {
    let mut keys = KeyCheck::open(ctx);
    while let Some((_, hash)) = map.next_key_seed(KeySeed(&[]))? {
        keys.add(ctx, hash);
        map.next_value_seed(Skip(&mut *ctx))?;
    }
    keys.close(ctx);
    Ok(())
}

/// Lines read per chunk before they are parsed in parallel.
const JSONL_CHUNK: usize = 4096;
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

/// What parsing one line gave.
enum Parsed {
    Record(Box<[Value]>),
    /// Problems to report; and the record, when they cost only values (see [`Ctx::usable`]).
    Problems(Option<Box<[Value]>>, Vec<Problem>, usize),
    Syntax(serde_json::Error),
    Utf8(usize),
}

/// Read a JSON Lines file, one record per non-blank line, streaming: lines are read in chunks and
/// each chunk is parsed across threads, then handed on in file order.
pub(crate) fn read_jsonl(file: &RecordFile, program: &Program, out: &mut Batcher<'_>) -> Vec<super::Diag> {
    let mut diags = FileDiags::new(file);
    let Some(schema) = program.schemas.get(file.schema) else { return diags.finish() };
    let shape = schema.shape;
    // Through the file layer: a regular file only, and no line longer than the `record-line`
    // limit is ever held (such a line reads as blank and is reported below).
    let mut reader = match file.lines() {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return diags.finish();
        }
    };
    let mut chunk: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut lines: Vec<RawLine> = Vec::with_capacity(JSONL_CHUNK);
    let (mut line, mut ordinal, mut any, mut done) = (0usize, 0usize, false, false);
    while !done {
        chunk.clear();
        lines.clear();
        // A chunk is bounded in bytes too, so that it holds at most this plus one line.
        while lines.len() < JSONL_CHUNK && chunk.len() < JSONL_CHUNK_BYTES {
            let start = chunk.len();
            let read = reader.read_until(b'\n', &mut chunk);
            for long in reader.get_mut().take_too_long() {
                any = true;
                ordinal += 1;
                diags.push(crate::input::too_large(crate::input::Kind::RecordLine, &file.name, Some(long)));
            }
            match read {
                Ok(0) => {
                    done = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    diags.unreadable(&e);
                    done = true;
                    break;
                }
            }
            line += 1;
            let mut bom = 0;
            if line == 1 && chunk.get(start..).is_some_and(|b| b.starts_with(b"\xEF\xBB\xBF")) {
                bom = 3;
            }
            let bytes = chunk.get(start + bom..).unwrap_or(&[]);
            if bytes.iter().all(u8::is_ascii_whitespace) {
                chunk.truncate(start);
                continue;
            }
            any = true;
            lines.push(RawLine { line, ordinal, bom, start: start + bom, end: chunk.len() });
            ordinal += 1;
        }
        let parsed: Vec<Parsed> = lines
            .par_iter()
            .map_init(
                || Ctx::new(program),
                |ctx, raw| {
                    let bytes = chunk.get(raw.start..raw.end).unwrap_or(&[]);
                    match std::str::from_utf8(bytes) {
                        Err(e) => Parsed::Utf8(e.valid_up_to()),
                        Ok(text) => match parse_record(ctx, shape, text) {
                            Ok(values) if ctx.problems.is_empty() => Parsed::Record(values),
                            Ok(values) => {
                                let dropped = ctx.dropped();
                                let kept = ctx.usable().then_some(values);
                                Parsed::Problems(kept, std::mem::take(&mut ctx.problems), dropped)
                            }
                            Err(e) => Parsed::Syntax(e),
                        },
                    }
                },
            )
            .collect();
        for (raw, result) in lines.iter().zip(parsed) {
            match result {
                Parsed::Record(values) => {
                    out.push(ReadRecord { ordinal: raw.ordinal, line: raw.line, values, unreadable: Vec::new() })
                }
                Parsed::Utf8(at) => diags.invalid_utf8_at_line(raw.line, raw.bom + at),
                Parsed::Problems(kept, problems, dropped) => {
                    if let Some(values) = kept {
                        let unreadable = super::diags::unreadable_notes(program, shape, problems.iter());
                        out.push(ReadRecord { ordinal: raw.ordinal, line: raw.line, values, unreadable });
                    }
                    // Only the problems that will be shown are located.
                    let shown = problems.len().min(diags.room());
                    diags.skip(dropped + problems.len() - shown);
                    if shown == 0 {
                        continue;
                    }
                    let text = chunk.get(raw.start..raw.end).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
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
                    syntax_error(&mut diags, &source, &e, at, JSONL_HELP);
                }
            }
        }
    }
    if !any {
        diags.empty();
    }
    diags.finish()
}

/// Read a JSON file: one record object, or an array of them.
pub(crate) fn read_json(file: &RecordFile, program: &Program, out: &mut Batcher<'_>) -> Vec<super::Diag> {
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
    let elements = match b.get(first) {
        Some(b'[') => scan::array_elements(b, first).unwrap_or_default(),
        _ => vec![(first, b.len())],
    };
    let mut ctx = Ctx::new(program);
    let (mut line, mut counted) = (1usize, 0usize);
    for (ordinal, &(start, end)) in elements.iter().enumerate() {
        line += b.get(counted..start).map_or(0, |s| s.iter().filter(|&&c| c == b'\n').count());
        counted = start;
        let element = body.get(start..end).unwrap_or("");
        match parse_record(&mut ctx, shape, element) {
            Ok(values) if ctx.problems.is_empty() => {
                out.push(ReadRecord { ordinal, line, values, unreadable: Vec::new() })
            }
            Ok(values) => {
                if ctx.usable() {
                    let unreadable = super::diags::unreadable_notes(program, shape, ctx.problems.iter());
                    out.push(ReadRecord { ordinal, line, values, unreadable });
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
    use crate::engine::types::Currency;
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
