//! Role files as written: the shapes serde reads a role file into, before [`super::read`] checks
//! them. Every value is lenient and keeps its place, and each table keeps its unknown keys
//! ([`crate::diagnostics::toml_read`]), so that a file with many problems reports them all.
//! The field order of each struct is the order "did you mean" lists its keys in.

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::toml_read::{Field, Keyed, Loose, Table, Tables};

/// A role file, or a piece of one.
#[derive(Deserialize)]
pub(super) struct Written {
    pub(super) actions: Declared<ActionDecl>,
    pub(super) qualifications: Declared<QualificationDecl>,
    pub(super) areas: Declared<AreaDecl>,
    pub(super) role: Tables<RoleEntry>,
    pub(super) staff: Tables<StaffEntry>,
}

/// `[actions]`, `[qualifications]`, `[areas]`: one table per id.
pub(super) type Declared<T> = Field<Keyed<Spanned<Table<T>>>>;
/// A list of ids.
pub(super) type Refs = Field<Vec<Spanned<Loose<String>>>>;
/// A date: a TOML date or text in the form `2024-03-01` (checked when read).
pub(super) type DateField = Field<DateWritten>;

/// A date as written: a TOML local date, or text. A visitor rather than `#[serde(untagged)]`, which
/// would buffer every date of a file of 100,000 staff before reading it.
pub(super) enum DateWritten {
    Toml(toml::value::Date),
    Text(String),
}

impl<'de> Deserialize<'de> for DateWritten {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = DateWritten;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date")
            }
            fn visit_str<E>(self, s: &str) -> Result<DateWritten, E> {
                Ok(DateWritten::Text(s.to_string()))
            }
            // A TOML date, time or datetime arrives as a map of one private key; a table fails here.
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DateWritten, A::Error> {
                toml::value::Date::deserialize(MapAccessDeserializer::new(map)).map(DateWritten::Toml)
            }
        }
        d.deserialize_any(Either)
    }
}

#[derive(Deserialize)]
pub(super) struct ActionDecl {
    pub(super) limit: Field<String>,
    pub(super) currency: Field<String>,
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
}

#[derive(Deserialize)]
pub(super) struct QualificationDecl {
    #[serde(rename = "title")]
    _title: Option<IgnoredAny>,
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
}

/// Only an area can need qualifications: advice in it is regulated.
#[derive(Deserialize)]
pub(super) struct AreaDecl {
    #[serde(rename = "title")]
    _title: Option<IgnoredAny>,
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
    pub(super) requires: Refs,
}

#[derive(Deserialize)]
pub(super) struct RoleEntry {
    pub(super) id: Field<String>,
    pub(super) title: Field<String>,
    pub(super) department: Field<String>,
    pub(super) escalates_to: Field<String>,
    pub(super) top: Field<bool>,
    pub(super) requires: Refs,
    pub(super) trained_in: Refs,
    pub(super) may: Field<Keyed<Spanned<Loose<LimitWritten>>>>,
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
}

/// A limit as written: `true`/`false`, a count, or text such as `"50.00 GBP"`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum LimitWritten {
    Flag(bool),
    Count(i64),
    Text(String),
}

#[derive(Deserialize)]
pub(super) struct StaffEntry {
    pub(super) id: Field<String>,
    pub(super) name: Field<String>,
    pub(super) team: Field<String>,
    pub(super) employed: Option<Spanned<Table<Employment>>>,
    pub(super) roles: Tables<AssignmentEntry>,
    pub(super) qualifications: Tables<HeldEntry>,
    pub(super) training: Tables<TrainingEntry>,
}

#[derive(Deserialize)]
pub(super) struct Employment {
    pub(super) from: DateField,
    pub(super) until: DateField,
}

#[derive(Deserialize)]
pub(super) struct AssignmentEntry {
    pub(super) role: Field<String>,
    pub(super) from: DateField,
    pub(super) until: DateField,
}

#[derive(Deserialize)]
pub(super) struct HeldEntry {
    pub(super) id: Field<String>,
    pub(super) issued: DateField,
    pub(super) expires: DateField,
}

#[derive(Deserialize)]
pub(super) struct TrainingEntry {
    pub(super) area: Field<String>,
    pub(super) completed: DateField,
}
