//! A JSON record deserialized straight into slots by a seed driven by the schema's shape.
//!
//! There is no intermediate `serde_json::Value`: keys are matched to field slots as they are parsed,
//! fields no rule reads are skipped (their objects still checked for duplicate keys, see [`KeyCheck`]),
//! and only text is allocated. A value of the
//! wrong type does not stop the parse: it is noted as a [`Problem`] with its field path, the value
//! becomes [`Value::Unreadable`], and the rest of the record is still read (so every problem in it is
//! reported). A record with only such problems is kept, so rules that do not depend on them still
//! judge it; a record that is unusable as a whole (not an object, a key twice, a required field
//! absent, too large) is skipped. Problems are placed afterwards by scanning the record's text for
//! the path (see [`crate::data::Locator`]).

use jiff::tz::TimeZone;
use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::data::convert::{self, Raw};
use crate::data::diags::{Problem, ProblemKind};
use crate::data::{field_step, scan, Marks, MAX_DIAGNOSTICS_PER_FILE};
use crate::engine::blame::Step;
use crate::engine::types::{Field, ShapeId, Spelling, Ty};
use crate::engine::value::{Value, NOT_KEPT};
use crate::engine::Program;

/// State shared by the seeds while one record is read.
pub(crate) struct Ctx<'p> {
    program: &'p Program,
    /// The path to the value being read.
    path: Vec<Step>,
    /// Problems found in the current record.
    pub problems: Vec<Problem>,
    /// Problems found in this record, kept or not: past [`MAX_DIAGNOSTICS_PER_FILE`] they
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
    /// The keys of each shape, made once per file (see [`Keys`]).
    lookup: &'p Keys,
    /// The items of the lists being read, innermost last: each list's items are gathered here and
    /// moved into one allocation of exactly their number, instead of a vector that grows, is
    /// reallocated and then shrunk for every list of every record.
    items: Vec<Value>,
    /// The record's text, as an address range, so that a key borrowed from it is placed by its
    /// address (see [`Ctx::keys_at`]).
    text: std::ops::Range<usize>,
    /// Where each top-level field's key starts in the record's text (its opening quote), by slot;
    /// [`NOT_AT`] for a field absent. Emptied when a top-level key was written with an escape (it
    /// is then not the text's own bytes, and cannot be placed by address).
    keys_at: Vec<u32>,
    /// The order of keys last met in an object of each shape (see [`KeyOrder`]).
    order: KeyOrder,
}

/// What the seeds look keys up in, made once per file and shared by the contexts of every thread
/// (a context is made for each piece of a chunk a worker takes, and making these took as long as
/// reading a record).
pub(crate) struct Keys {
    /// Each shape's keys by hash (see [`KeyTable`]).
    tables: Vec<KeyTable>,
    /// Some field of the program is a `custom field`: only then is a key no field has looked for
    /// among the custom fields' arrays, so other schemas pay nothing for them.
    customs: bool,
}

impl Keys {
    pub(crate) fn of(program: &Program) -> Keys {
        Keys {
            tables: program.shapes.iter().map(|s| KeyTable::new(&s.fields)).collect(),
            customs: program.shapes.iter().any(|s| s.fields.iter().any(|f| f.custom().is_some())),
        }
    }
}

/// A field whose key is not in the record: [`Ctx::keys_at`] of an absent field.
pub(crate) const NOT_AT: u32 = u32::MAX;

/// A record may take at most this many bytes once decoded: eight times the `record-line` limit.
/// Text as short as `{}` can become an object of many slots, so without it a 10 MB line of empty
/// objects would take a gigabyte.
pub(crate) fn decoded_budget() -> usize {
    usize::try_from(crate::input::limit(crate::input::Kind::RecordLine)).unwrap_or(usize::MAX).saturating_mul(8)
}

impl<'p> Ctx<'p> {
    pub(crate) fn new(program: &'p Program, keys: &'p Keys) -> Ctx<'p> {
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
            lookup: keys,
            items: Vec::new(),
            text: 0..0,
            keys_at: Vec::new(),
            order: KeyOrder::default(),
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
        if self.problems.len() < MAX_DIAGNOSTICS_PER_FILE {
            self.problems.push(Problem { path: self.path.clone(), kind });
        }
    }

    /// A value that could not be read: reported, and held as [`Value::Unreadable`] so the record is
    /// still judged by the rules that do not depend on it.
    fn bad(&mut self, bad: convert::Bad) -> Value {
        let index = match self.problems.len() < MAX_DIAGNOSTICS_PER_FILE {
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
        self.items.clear();
        self.keys_at.clear();
    }

    /// Where each top-level field's key starts in the text of the record just read, by slot
    /// ([`NOT_AT`]: absent); empty when that is not known. Kept with a streamed record's text, a
    /// finding is placed from it without scanning the record again.
    pub(crate) fn keys_at(&self) -> &[u32] {
        &self.keys_at
    }

    /// Note that the key of top-level field `slot`, at address `at`, was read: placed by its
    /// offset in the record's text, or, written with an escape (not the text's own bytes), every
    /// key is then placed by scanning.
    fn key_at(&mut self, slot: usize, at: usize) {
        let offset = at.checked_sub(1).filter(|a| self.text.contains(a)).map(|a| a - self.text.start);
        match (offset.and_then(|o| u32::try_from(o).ok()), self.keys_at.get_mut(slot)) {
            (Some(o), Some(k)) => *k = o,
            _ => self.keys_at.clear(),
        }
    }
}

/// Parse one record (a whole JSON text) into the slots of `shape`. `Err` is a syntax error; conversion
/// problems are left in `ctx.problems`.
pub(crate) fn parse_record(ctx: &mut Ctx<'_>, shape: ShapeId, text: &str) -> Result<Box<[Value]>, serde_json::Error> {
    ctx.reset();
    let start = text.as_ptr() as usize;
    ctx.text = start..start + text.len();
    let fields = ctx.program.shapes.get(shape).map_or(0, |s| s.fields.len());
    ctx.keys_at.resize(fields, NOT_AT);
    let ty = Ty::Object(shape);
    let mut de = serde_json::Deserializer::from_str(text);
    let mut value = Value::Missing;
    ValueSeed { ctx: &mut *ctx, ty: &ty, zone: None, spelling: None, in_list: false, out: &mut value }
        .deserialize(&mut de)?;
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

/// Reads a value of type `ty` into `out`.
struct ValueSeed<'c, 'p> {
    ctx: &'c mut Ctx<'p>,
    ty: &'c Ty,
    /// The field's declared zone, for datetimes written without an offset.
    zone: Option<&'c TimeZone>,
    /// How the field's values are spelled, where its schema says.
    spelling: Option<&'c Spelling>,
    /// An element of a list (where null is not a missing value but a mistake).
    in_list: bool,
    /// Where the value goes (its slot in the object being read, or a list item's place), written
    /// once. Returned instead, each value (40 bytes) was copied through every layer of
    /// serde_json's calls back up, in pieces the processor could not forward from the stores that
    /// wrote them: a stall that took over a quarter of the seed's own samples (`perf annotate`).
    out: &'c mut Value,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(mut self, de: D) -> Result<(), D::Error> {
        if matches!(self.ty, Ty::Int | Ty::Dec | Ty::Money(_) | Ty::Duration) {
            // A numeric field gets the value's text as written, so a number is typed exactly.
            let raw = <&'de serde_json::value::RawValue as serde::Deserialize<'de>>::deserialize(de)?;
            *self.out = self.raw(raw.get());
            return Ok(());
        }
        de.deserialize_any(self)
    }
}

impl ValueSeed<'_, '_> {
    /// A numeric field's value from its JSON text (already checked by serde_json).
    fn raw(&mut self, text: &str) -> Value {
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

    fn scalar(&mut self, raw: Raw<'_>) -> Value {
        if matches!(self.ty, Ty::Object(_)) && self.ctx.path.is_empty() {
            self.ctx.problem(ProblemKind::NotObject(found_scalar(raw)));
            return Value::Missing;
        }
        match convert::spelled(self.ctx.program, self.ty, self.zone, self.spelling, self.in_list, raw) {
            Ok(v) => v,
            Err(bad) => self.ctx.bad(bad),
        }
    }

    fn wrong_shape(&mut self, found: &'static str) -> Value {
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
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&convert::expected(self.ty))
    }

    fn visit_bool<E>(mut self, v: bool) -> Result<(), E> {
        *self.out = self.scalar(Raw::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(mut self, v: i64) -> Result<(), E> {
        *self.out = self.scalar(Raw::Int(i128::from(v)));
        Ok(())
    }

    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        *self.out = self.scalar(Raw::Int(i128::from(v)));
        Ok(())
    }

    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        *self.out = self.scalar(Raw::Float(v));
        Ok(())
    }

    fn visit_str<E>(mut self, v: &str) -> Result<(), E> {
        *self.out = match self.ctx.spend(v.len()) {
            true => self.scalar(Raw::Str(v)),
            false => Value::Missing,
        };
        Ok(())
    }

    fn visit_string<E>(mut self, v: String) -> Result<(), E> {
        *self.out = if !self.ctx.spend(v.len()) {
            Value::Missing
        } else if matches!(self.ty, Ty::Text) && self.spelling.is_none() {
            Value::Text(v.into())
        } else {
            self.scalar(Raw::Str(&v))
        };
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        *self.out = match self.in_list {
            true => self.ctx.bad(convert::null_in_list(self.ty)),
            false => Value::Missing,
        };
        Ok(())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let Ty::List(inner) = self.ty else {
            while seq.next_element_seed(Skip(&mut *self.ctx))?.is_some() {}
            *self.out = self.wrong_shape("a list");
            return Ok(());
        };
        // This list's items go on the shared stack above `start`; an error or a budget overrun
        // leaves the stack as it was.
        let start = self.ctx.items.len();
        loop {
            if !self.ctx.spend(std::mem::size_of::<Value>()) {
                self.ctx.items.truncate(start);
                while seq.next_element_seed(Skip(&mut *self.ctx))?.is_some() {}
                *self.out = Value::Missing;
                return Ok(());
            }
            let index = self.ctx.items.len() - start;
            self.ctx.path.push(Step::Index(u32::try_from(index).unwrap_or(u32::MAX)));
            let mut item = Value::Missing;
            let next = seq.next_element_seed(ValueSeed {
                ctx: &mut *self.ctx,
                ty: inner,
                zone: self.zone,
                spelling: self.spelling,
                in_list: true,
                out: &mut item,
            });
            self.ctx.path.pop();
            match next {
                Ok(Some(())) => self.ctx.items.push(item),
                Ok(None) => break,
                Err(e) => {
                    self.ctx.items.truncate(start);
                    return Err(e);
                }
            }
        }
        // `drain` knows its length: one allocation of exactly the items' number.
        let items: Box<[Value]> = self.ctx.items.drain(start..).collect();
        *self.out = Value::List(items);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let Ty::Object(shape) = self.ty else {
            skip_map(self.ctx, &mut map)?;
            *self.out = self.wrong_shape("an object");
            return Ok(());
        };
        let program = self.ctx.program;
        let fields: &[Field] = program.shapes.get(*shape).map_or(&[], |s| s.fields.as_slice());
        if !self.ctx.spend(fields.len() * std::mem::size_of::<Value>()) {
            skip_map(self.ctx, &mut map)?;
            *self.out = Value::Missing;
            return Ok(());
        }
        // Made by writing each slot's tag, not by `vec![Value::Missing; n]`, which clones a
        // value per slot: that fill was a thirtieth of a findings-heavy run.
        let mut slots: Vec<Value> = std::iter::repeat_with(|| Value::Missing).take(fields.len()).collect();
        // Fields whose value was reported already, so that it is not reported again as missing.
        let mut reported = Marks::new(fields.len());
        let mut keys = KeyCheck::open(self.ctx);
        // Keys of fields are checked for duplicates by their slot (exactly: a name has one slot),
        // the others by hash.
        let mut seen = Marks::new(fields.len());
        let top = self.ctx.path.is_empty();
        let mut position = 0;
        while let Some((key, at)) = {
            let table = self.ctx.lookup.tables.get(*shape).unwrap_or(&EMPTY_TABLE);
            let expected = self.ctx.order.expected(*shape, position);
            map.next_key_seed(KeySeed { fields, table, customs: self.ctx.lookup.customs, expected })?
        } {
            self.ctx.order.learn(*shape, position, &key);
            position += 1;
            match key {
                Key::Field(i) => {
                    self.ctx.maybe_duplicate |= seen.get(i);
                    seen.mark(i, true);
                    if top && !self.ctx.keys_at.is_empty() {
                        self.ctx.key_at(i, at);
                    }
                    let Some(field) = fields.get(i) else {
                        map.next_value_seed(Skip(&mut *self.ctx))?;
                        continue;
                    };
                    self.ctx.path.push(field_step(i));
                    let before = self.ctx.found;
                    let mut spare = Value::Missing;
                    let v = map.next_value_seed(ValueSeed {
                        ctx: &mut *self.ctx,
                        ty: &field.ty,
                        zone: field.zone.as_ref(),
                        spelling: field.spelling.as_deref(),
                        in_list: false,
                        out: slots.get_mut(i).unwrap_or(&mut spare),
                    });
                    self.ctx.path.pop();
                    reported.mark(i, self.ctx.found > before);
                    v?;
                }
                Key::Custom(name, hash) => {
                    keys.add(self.ctx, hash);
                    map.next_value_seed(CustomSeed {
                        ctx: &mut *self.ctx,
                        fields,
                        key: name,
                        slots: &mut slots,
                        reported: &mut reported,
                    })?;
                }
                Key::Other(hash) => {
                    keys.add(self.ctx, hash);
                    map.next_value_seed(Skip(&mut *self.ctx))?;
                }
            }
        }
        keys.close(self.ctx);
        finish_object(self.ctx, fields, &mut slots, &reported);
        *self.out = Value::Object(slots.into_boxed_slice());
        Ok(())
    }
}

/// After an object is read: absent required lists become empty lists, absent required fields are problems.
/// An optional list (`list of T?`) that is absent or `null` stays missing, as in TOML and CSV.
fn finish_object(ctx: &mut Ctx<'_>, fields: &[Field], slots: &mut [Value], reported: &Marks) {
    super::super::fill_absent(fields, slots, reported, |i| {
        ctx.path.push(field_step(i));
        ctx.problem(ProblemKind::Missing);
        ctx.path.pop();
    });
}

/// What a key of an object is to its shape. A field's key is checked for duplicates by its slot;
/// the others carry their hash for [`KeyCheck`].
enum Key<'f> {
    /// The key of the field in this slot, which some rule reads.
    Field(usize),
    /// The key of an `{id, value}` array that fields some rule reads are custom fields of.
    Custom(&'f str, u64),
    /// Anything else: skipped.
    Other(u64),
}

/// Matches a key to the slot of a field some rule reads (or, when the program has custom fields,
/// to an array of them), and hashes it for [`KeyCheck`] when it is not a field's.
struct KeySeed<'f, 't> {
    fields: &'f [Field],
    table: &'t KeyTable,
    customs: bool,
    /// The slot this key's place held in the last object of the shape ([`KeyOrder`]): tried first.
    expected: Option<usize>,
}

/// The slots of the keys of the last object read of each shape, by place, so that the next
/// object's key at that place is first compared with that one field's name: an export writes its
/// keys in the same order in every record, and a comparison of two short texts is cheaper than
/// hashing the key and probing the [`KeyTable`] (a tenth of a findings-heavy check's time was in
/// matching keys). Only a guess: a key that is not the expected field's is looked up as before, so
/// the order changes speed, never an answer. Kept per context (a worker's piece of a chunk).
#[derive(Default)]
struct KeyOrder {
    /// Per shape, per place: a slot, or [`KeyOrder::NONE`] for a key no field has.
    slots: Vec<Vec<u32>>,
}

impl KeyOrder {
    const NONE: u32 = u32::MAX;
    /// Places remembered per shape: objects with more keys are matched as before past it.
    const PLACES: usize = 256;

    fn expected(&self, shape: ShapeId, place: usize) -> Option<usize> {
        let slot = *self.slots.get(shape)?.get(place)?;
        (slot != Self::NONE).then_some(slot as usize)
    }

    fn learn(&mut self, shape: ShapeId, place: usize, key: &Key<'_>) {
        if place >= Self::PLACES {
            return;
        }
        let slot = match key {
            Key::Field(i) => u32::try_from(*i).unwrap_or(Self::NONE),
            Key::Custom(..) | Key::Other(_) => Self::NONE,
        };
        if self.slots.len() <= shape {
            self.slots.resize_with(shape + 1, Vec::new);
        }
        let Some(places) = self.slots.get_mut(shape) else { return };
        if places.len() <= place {
            places.resize(place + 1, Self::NONE);
        }
        if let Some(p) = places.get_mut(place) {
            *p = slot;
        }
    }
}

/// The slots of a shape's fields that some rule reads (custom fields apart: they have no key of
/// their own), found by the key's [`key_hash`], which [`KeyCheck`] needs anyway: one probe and one
/// comparison per key, where a scan of the fields compared each key with every name before it.
/// Open addressing, at most half full, so a probe ends at an empty entry within a few steps.
struct KeyTable {
    /// `(hash, slot)` per entry; [`KeyTable::EMPTY`] as the slot of an unused entry.
    entries: Vec<(u64, u32)>,
    /// The number of entries less one (a power of two less one).
    mask: usize,
}

/// The table of a shape with no fields.
static EMPTY_TABLE: KeyTable = KeyTable { entries: Vec::new(), mask: 0 };

impl KeyTable {
    const EMPTY: u32 = u32::MAX;

    fn new(fields: &[Field]) -> KeyTable {
        let used = fields.iter().filter(|f| f.used && f.custom().is_none()).count();
        if used == 0 {
            return KeyTable { entries: Vec::new(), mask: 0 };
        }
        let size = (used * 2).next_power_of_two();
        let mut table = KeyTable { entries: vec![(0, Self::EMPTY); size], mask: size - 1 };
        for (slot, f) in fields.iter().enumerate() {
            let Ok(slot) = u32::try_from(slot) else { break };
            // The first field of a name wins, as a scan in order would find it.
            if f.used && f.custom().is_none() && table.find(fields, &f.name, key_hash(&f.name)).is_none() {
                let mut i = Self::start(table.mask, key_hash(&f.name));
                while let Some(e) = table.entries.get_mut(i) {
                    if e.1 == Self::EMPTY {
                        *e = (key_hash(&f.name), slot);
                        break;
                    }
                    i = (i + 1) & table.mask;
                }
            }
        }
        table
    }

    /// The first entry to probe: the hash's high bits, which FxHash's final multiply mixes best.
    fn start(mask: usize, hash: u64) -> usize {
        (hash >> 32) as usize & mask
    }

    /// The slot of the field named `key` (of hash `hash`), if some rule reads it.
    fn find(&self, fields: &[Field], key: &str, hash: u64) -> Option<usize> {
        let mut i = Self::start(self.mask, hash);
        loop {
            let &(h, slot) = self.entries.get(i)?;
            if slot == Self::EMPTY {
                return None;
            }
            let slot = slot as usize;
            if h == hash && fields.get(slot).is_some_and(|f| f.name == key) {
                return Some(slot);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// A key read: what it is to the shape, and the address of its first character (in the record's
/// text when it was written without an escape).
type KeyRead<'f> = (Key<'f>, usize);

impl<'de, 'f> DeserializeSeed<'de> for KeySeed<'f, '_> {
    type Value = KeyRead<'f>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<KeyRead<'f>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de, 'f> Visitor<'de> for KeySeed<'f, '_> {
    type Value = KeyRead<'f>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<KeyRead<'f>, E> {
        // The expected field's slot is one the table gives for its name (learnt from it), so a
        // match is the answer the table would give.
        if let Some(i) = self.expected.filter(|&i| self.fields.get(i).is_some_and(|f| f.name == v)) {
            return Ok((Key::Field(i), v.as_ptr() as usize));
        }
        // A custom field is not found by its name: it has no key of its own.
        let hash = key_hash(v);
        let key = match self.table.find(self.fields, v, hash) {
            Some(i) => Key::Field(i),
            None if self.customs => {
                match self.fields.iter().find_map(|f| f.custom().filter(|c| f.used && *c.key == *v)) {
                    Some(c) => Key::Custom(&c.key, hash),
                    None => Key::Other(hash),
                }
            }
            None => Key::Other(hash),
        };
        Ok((key, v.as_ptr() as usize))
    }
}

/// Reads an `{id, value}` array (Zendesk's and Freshdesk's `custom_fields`) into the slots of the
/// fields declared `custom field <id>` with this array's key: each element's `value` is read with
/// its field's type, at the field's path, so its problems are placed at that `value`. Elements of
/// ids no rule reads are skipped; an id given twice is reported rather than one of them chosen.
struct CustomSeed<'c, 'p, 'f> {
    ctx: &'c mut Ctx<'p>,
    fields: &'f [Field],
    key: &'f str,
    slots: &'c mut [Value],
    reported: &'c mut Marks,
}

impl<'de> DeserializeSeed<'de> for CustomSeed<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CustomSeed<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of `{id, value}` objects")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_a_list("a boolean");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_a_list("a number");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_a_list("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_a_list("a number");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_a_list("a string");
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        skip_map(self.ctx, &mut map)?;
        self.not_a_list("an object");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut seen = vec![false; self.fields.len()];
        while let Some((id, value)) = seq.next_element_seed(ElementSeed(&mut *self.ctx))? {
            let (Some(id), Some(value)) = (id, value) else { continue };
            let id = raw_text(id.get());
            let found = self
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.used && f.custom().is_some_and(|c| *c.key == *self.key && *c.id == *id));
            let mut de = serde_json::Deserializer::from_str(value.get());
            let Some((i, field)) = found else {
                // Still refused if it names a key twice, as anywhere in a record.
                Skip(&mut *self.ctx).deserialize(&mut de).map_err(serde::de::Error::custom)?;
                continue;
            };
            self.ctx.path.push(field_step(i));
            let before = self.ctx.found;
            let mut value = Value::Missing;
            let v = if seen.get(i).copied().unwrap_or(false) {
                let bad = convert::Bad {
                    what: format!("is given twice in `{}` (id `{}`)", convert::clip(self.key), convert::clip(&id)),
                    label: "a second value".into(),
                    help: "give each custom field once; which of two values is meant cannot be told".into(),
                };
                value = self.ctx.bad(bad);
                Ok(())
            } else {
                ValueSeed {
                    ctx: &mut *self.ctx,
                    ty: &field.ty,
                    zone: field.zone.as_ref(),
                    spelling: field.spelling.as_deref(),
                    in_list: false,
                    out: &mut value,
                }
                .deserialize(&mut de)
            };
            self.ctx.path.pop();
            if let Some(s) = seen.get_mut(i) {
                *s = true;
            }
            self.reported.mark(i, self.ctx.found > before);
            v.map_err(serde::de::Error::custom)?;
            if let Some(slot) = self.slots.get_mut(i) {
                *slot = value;
            }
        }
        Ok(())
    }
}

impl CustomSeed<'_, '_, '_> {
    /// The array is something else: every custom field read from it is unreadable.
    fn not_a_list(self, found: &str) {
        for (i, f) in self.fields.iter().enumerate() {
            if !(f.used && f.custom().is_some_and(|c| *c.key == *self.key)) {
                continue;
            }
            self.ctx.path.push(field_step(i));
            let bad = convert::Bad {
                what: format!(
                    "cannot be read: `{}` is {found}, not a list of `{{id, value}}` objects",
                    convert::clip(self.key)
                ),
                label: "not a list".into(),
                help: format!(
                    "custom fields are read from a list such as `\"{}\": [{{\"id\": 1, \"value\": true}}]`",
                    convert::clip(self.key)
                ),
            };
            let v = self.ctx.bad(bad);
            self.ctx.path.pop();
            self.reported.mark(i, true);
            if let Some(slot) = self.slots.get_mut(i) {
                *slot = v;
            }
        }
    }
}

/// A JSON string's value or a number's text, from its raw JSON.
fn raw_text(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => std::borrow::Cow::Borrowed(inner),
        Some(_) => std::borrow::Cow::Owned(serde_json::from_str::<String>(raw).unwrap_or_default()),
        None => std::borrow::Cow::Borrowed(raw),
    }
}

/// One element of an `{id, value}` array: its `id` and `value` as written, in either order; other
/// keys are skipped, and an element that is not an object gives neither.
struct ElementSeed<'c, 'p>(&'c mut Ctx<'p>);

type Pair<'de> = (Option<&'de serde_json::value::RawValue>, Option<&'de serde_json::value::RawValue>);

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = Pair<'de>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Pair<'de>, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElementSeed<'_, '_> {
    type Value = Pair<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an `{id, value}` object")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Pair<'de>, E> {
        Ok((None, None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Pair<'de>, E> {
        Ok((None, None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Pair<'de>, E> {
        Ok((None, None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Pair<'de>, E> {
        Ok((None, None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Pair<'de>, E> {
        Ok((None, None))
    }
    fn visit_unit<E>(self) -> Result<Pair<'de>, E> {
        Ok((None, None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pair<'de>, A::Error> {
        while seq.next_element_seed(Skip(&mut *self.0))?.is_some() {}
        Ok((None, None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pair<'de>, A::Error> {
        let (mut id, mut value) = (None, None);
        let mut keys = KeyCheck::open(self.0);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            keys.add(self.0, key_hash(&key));
            match &*key {
                "id" => id = Some(map.next_value::<&'de serde_json::value::RawValue>()?),
                "value" => value = Some(map.next_value::<&'de serde_json::value::RawValue>()?),
                _ => map.next_value_seed(Skip(&mut *self.0))?,
            }
        }
        keys.close(self.0);
        Ok((id, value))
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

/// Keys of one object compared one by one before a hash set is built: comparing a new key with 32
/// hashes is cheaper than building a set for each record of an export with 20-odd top-level keys.
const LINEAR_KEYS: usize = 32;

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
    while let Some((key, _)) =
        map.next_key_seed(KeySeed { fields: &[], table: &EMPTY_TABLE, customs: false, expected: None })?
    {
        // (With no fields, every key is `Other`.)
        if let Key::Other(hash) | Key::Custom(_, hash) = key {
            keys.add(ctx, hash);
        }
        map.next_value_seed(Skip(&mut *ctx))?;
    }
    keys.close(ctx);
    Ok(())
}
