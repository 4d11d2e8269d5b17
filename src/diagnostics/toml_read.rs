//! Reading Precept's own TOML files (settings, waivers, role files) with serde, without losing what
//! walking the parsed tree by hand gave: every problem in a file is reported, not only the first;
//! each at its exact place; and an unknown key is named at its place with "did you mean".
//!
//! A file is described by structs whose values are [`Field`]s (`Option<Spanned<Loose<T>>>`): a
//! value of the wrong shape does not fail the file, it reads as `Loose(None)` with its span, for the
//! reader to report in its own words and go on. A struct read as a [`Table`] keeps the keys it does
//! not have, with their places. Plain serde cannot do either: `#[serde(deny_unknown_fields)]` and a
//! wrongly typed field stop at the first problem with serde's wording, and the keys that
//! `#[serde(flatten)]` collects are buffered without their spans.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use toml::Spanned;

use crate::source::Span;

/// A value read as `T`, or `None` when it has another shape (the reader says why, in its words).
///
/// The value is consumed either way, so a wrong one leaves the rest of the file readable. `T`
/// should be a value (text, a number, a list, a map), not a struct of spanned fields: a struct goes
/// in a [`Table`], which also reports its unknown keys.
#[derive(Debug)]
pub struct Loose<T>(pub Option<T>);

impl<T> Loose<T> {
    /// The value, if it had the shape `T`.
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Loose<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Loose(T::deserialize(d).ok()))
    }
}

/// A key that may be absent; when present, its value (of the shape `T` or not) and its place.
pub type Field<T> = Option<Spanned<Loose<T>>>;

/// An array of tables (`[[waiver]]`, `roles = [{ ... }]`), each read into the struct `T`.
pub type Tables<T> = Field<Vec<Spanned<Table<T>>>>;

/// A table of entries by name (`[actions]`, `[limits]`), each name with its place, in key order.
pub type Keyed<V> = BTreeMap<Spanned<String>, V>;

/// A table read into the struct `T`, and the keys of it `T` does not have.
///
/// `T`'s fields should all be optional and lenient ([`Field`], [`Table`], `Option<IgnoredAny>`),
/// so that reading it cannot fail on any input; its field order is the order "did you mean" lists
/// the keys in.
#[derive(Debug)]
pub struct Table<T> {
    /// The struct, or `None` when the value is not a table.
    pub fields: Option<T>,
    /// The keys `T` does not have.
    pub unknown: UnknownKeys,
}

/// The keys of a table its struct does not have, and those it has (for "did you mean").
#[derive(Debug)]
pub struct UnknownKeys {
    /// Each unknown key with its place, in the file's key order.
    pub keys: Vec<Spanned<String>>,
    /// The keys the struct has, in its field order.
    pub known: &'static [&'static str],
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let known = fields_of::<T>();
        let mut keys = Vec::new();
        let fields = d.deserialize_any(TableVisitor { known, unknown: &mut keys, t: PhantomData }).ok().flatten();
        Ok(Table { fields, unknown: UnknownKeys { keys, known } })
    }
}

struct TableVisitor<'a, T> {
    known: &'static [&'static str],
    unknown: &'a mut Vec<Spanned<String>>,
    t: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for TableVisitor<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a table")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        let keys = Sorting { map, known: self.known, unknown: self.unknown };
        // A TOML datetime also arrives as a map (of one private key): it fails here, as not a table.
        Ok(T::deserialize(de::value::MapAccessDeserializer::new(keys)).ok())
    }
}

/// Hands `T` only the keys it has; the others are put aside with their places (read as
/// `Spanned<String>`, which the toml deserializer gives every key) and their values skipped.
struct Sorting<'a, A> {
    map: A,
    known: &'static [&'static str],
    unknown: &'a mut Vec<Spanned<String>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Sorting<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<Spanned<KeyText>>()? {
            if let Some(&name) = self.known.iter().find(|k| k.as_bytes() == key.get_ref().bytes()) {
                return seed.deserialize(de::value::BorrowedStrDeserializer::new(name)).map(Some);
            }
            self.map.next_value::<IgnoredAny>()?;
            let span = key.span();
            self.unknown.push(Spanned::new(span, key.into_inner().into_string()));
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A key's text, held inline when short (as keys are), so that reading a table's known keys
/// allocates nothing.
enum KeyText {
    Short(u8, [u8; 31]),
    Long(String),
}

impl KeyText {
    fn bytes(&self) -> &[u8] {
        match self {
            KeyText::Short(len, buf) => buf.get(..usize::from(*len)).unwrap_or_default(),
            KeyText::Long(s) => s.as_bytes(),
        }
    }

    fn into_string(self) -> String {
        match self {
            KeyText::Short(..) => String::from_utf8_lossy(self.bytes()).into_owned(),
            KeyText::Long(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, s: &str) -> Result<KeyText, E> {
                let mut buf = [0; 31];
                match (u8::try_from(s.len()), buf.get_mut(..s.len())) {
                    (Ok(len), Some(short)) => {
                        short.copy_from_slice(s.as_bytes());
                        Ok(KeyText::Short(len, buf))
                    }
                    _ => Ok(KeyText::Long(s.to_string())),
                }
            }
        }
        d.deserialize_str(Text)
    }
}

/// The field names of the struct `T`, as its derived `Deserialize` declares them, so that the keys
/// "did you mean" offers cannot drift from the struct.
fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(FieldNames) {
        Err(Found(fields)) => fields,
        Ok(_) => &[],
    }
}

/// A deserializer that only asks for the struct's field names.
struct FieldNames;

#[derive(Debug)]
struct Found(&'static [&'static str]);

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fields: {:?}", self.0)
    }
}

impl std::error::Error for Found {}

impl de::Error for Found {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Found(&[])
    }
}

impl<'de> Deserializer<'de> for FieldNames {
    type Error = Found;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
        Err(Found(&[]))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Found> {
        Err(Found(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// Read a whole TOML text as the table `T`; `Err` only for a syntax error (a duplicate key is one).
pub fn parse<'de, T: Deserialize<'de>>(text: &'de str) -> Result<Table<T>, toml::de::Error> {
    Table::deserialize(toml::de::Deserializer::parse(text)?)
}

/// A TOML local date as a calendar date (every TOML date is one).
pub fn date(d: &toml::value::Date) -> Option<jiff::civil::Date> {
    jiff::civil::Date::new(i16::try_from(d.year).ok()?, i8::try_from(d.month).ok()?, i8::try_from(d.day).ok()?).ok()
}

/// The place of a spanned value in a file, `base` bytes in (where the parsed text starts).
pub fn span<T>(v: &Spanned<T>, base: usize) -> Span {
    let r = v.span();
    Span::new(r.start + base, r.end + base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        size: Field<u64>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Doc {
        name: Field<String>,
        inner: Option<Spanned<Table<Inner>>>,
        list: Field<Vec<Spanned<Loose<String>>>>,
    }

    fn text_at(text: &str, v: &Spanned<impl Sized>) -> String {
        text[v.span()].to_string()
    }

    #[test]
    fn wrong_values_and_unknown_keys_at_every_level_are_kept_with_their_places() {
        let text = "name = 5\nlist = [\"a\", 2]\nnmae = 1\n[inner]\nsize = \"big\"\nsise = 2\n";
        let doc = parse::<Doc>(text).unwrap();
        let fields = doc.fields.unwrap();
        let name = fields.name.unwrap();
        assert!(name.get_ref().get().is_none());
        assert_eq!(text_at(text, &name), "5");
        let list = fields.list.unwrap();
        let items = list.get_ref().get().unwrap();
        assert_eq!(items[0].get_ref().get().map(String::as_str), Some("a"));
        assert!(items[1].get_ref().get().is_none());
        assert_eq!(text_at(text, &items[1]), "2");
        let unknown: Vec<String> = doc.unknown.keys.iter().map(|k| text_at(text, k)).collect();
        assert_eq!(unknown, ["nmae"]);
        assert_eq!(doc.unknown.known, ["name", "inner", "list"]);
        let inner = fields.inner.unwrap();
        let inner = inner.get_ref();
        assert_eq!(inner.unknown.keys.iter().map(|k| k.get_ref().as_str()).collect::<Vec<_>>(), ["sise"]);
        let size = inner.fields.as_ref().unwrap().size.as_ref().unwrap();
        assert!(size.get_ref().get().is_none());
        assert_eq!(text_at(text, size), "\"big\"");
    }

    #[test]
    fn a_value_that_is_not_a_table_is_not_read_as_one() {
        for value in ["5", "2026-01-01", "[1]", "\"x\"", "10:00:00", "99999999999999999999999999999999999999999"] {
            let text = format!("inner = {value}\n");
            let doc = parse::<Doc>(&text).unwrap();
            let inner = doc.fields.unwrap().inner.unwrap();
            assert!(inner.get_ref().fields.is_none(), "{value}");
            assert_eq!(text_at(&text, &inner), value);
        }
    }

    #[test]
    fn empty_and_broken_texts() {
        let doc = parse::<Doc>("").unwrap();
        let fields = doc.fields.unwrap();
        assert!(
            fields.name.is_none() && fields.inner.is_none() && fields.list.is_none() && doc.unknown.keys.is_empty()
        );
        assert!(parse::<Doc>("name = 1\nname = 2\n").is_err(), "a duplicate key is a syntax error");
        assert!(parse::<Doc>("[inner\n").is_err());
    }
}
