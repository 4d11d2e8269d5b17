//! Types of checked policies: field types, record shapes and enumerations.
//!
//! Shapes and enumerations live in tables on the [`super::Program`] and are referred to by index, so a
//! record is a flat slice of values whose positions the checker has already resolved.

use std::fmt;

use crate::source::{SourceFile, Span};

/// An ISO 4217 currency code, stored inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(pub [u8; 3]);

impl Currency {
    /// The code from text, if it is three upper-case ASCII letters.
    pub fn parse(text: &str) -> Option<Currency> {
        let b = text.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_uppercase) {
            Some(Currency([b[0], b[1], b[2]]))
        } else {
            None
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Index of an enumeration in [`super::Program::enums`].
pub type EnumId = usize;
/// Index of a shape in [`super::Program::shapes`].
pub type ShapeId = usize;

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// Text.
    Text,
    /// Whole number.
    Int,
    /// Exact decimal.
    Dec,
    /// Exact amount in one currency.
    Money(Currency),
    /// True or false.
    Bool,
    /// A calendar date.
    Date,
    /// An instant with its offset.
    DateTime,
    /// An exact length of time.
    Duration,
    /// `N business days`, only meaningful added to a datetime.
    BusinessDays,
    /// One of an enumeration's variants.
    Enum(EnumId),
    /// A list of values.
    List(Box<Ty>),
    /// A nested object.
    Object(ShapeId),
    /// A literal set, for `in`.
    Set(Box<Ty>),
}

/// An enumeration's variants in declared order.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Variant names.
    pub variants: Vec<String>,
}

/// The fields of a record or nested object, in declared order (a field's index is its slot).
#[derive(Debug, Clone)]
pub struct Shape {
    /// Its fields.
    pub fields: Vec<Field>,
}

/// One declared field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name (the key in JSON and TOML).
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// May be missing.
    pub optional: bool,
    /// The CSV column it is read from.
    pub column: String,
    /// The zone its datetimes without an offset are read in (`zone "..."` on the field, an enclosing
    /// field or its schema), resolved once when the policy is checked so reading a value never looks
    /// a zone up. `None`: such values are an input error.
    pub zone: Option<jiff::tz::TimeZone>,
    /// Whether any rule reads it; fields no rule reads are skipped when records are read.
    pub used: bool,
    /// How the export spells its values beyond what the format accepts by default (`accept`,
    /// enumeration codes, `separated by`, `custom field`); `None` for the many fields that declare
    /// none of this, so reading them costs nothing more.
    pub spelling: Option<Box<Spelling>>,
    /// Where it was declared.
    pub file: SourceFile,
    /// Where it was declared.
    pub span: Span,
}

/// How one field's values are spelled in an export, as its schema declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spelling {
    /// Texts read as true (`"Y"`, `"1"`): a string, a CSV cell or a JSON number written so.
    pub truths: Vec<Box<str>>,
    /// Texts read as false.
    pub falsehoods: Vec<Box<str>>,
    /// Whole numbers (and durations in seconds) written as strings (`"2"`) are read as numbers.
    pub numbers_in_strings: bool,
    /// An empty string is a missing value.
    pub empty_is_missing: bool,
    /// Codes an export writes for enumeration values (`2` for `open`): code text, variant index.
    pub codes: Vec<(Box<str>, u32)>,
    /// The separator of a list's items in one CSV cell (`;` when `None`).
    pub separator: Option<Box<str>>,
    /// Read, in JSON, as the `value` of the element with this id in an `{id, value}` array.
    pub custom: Option<Custom>,
}

/// Where a custom field is: `custom field 360001 in "custom_fields"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custom {
    /// The key of the array in the record's object.
    pub key: Box<str>,
    /// The id, as text (a JSON number's text or a string's value).
    pub id: Box<str>,
}

impl Field {
    /// Its custom-field place, if it is read from an `{id, value}` array.
    pub fn custom(&self) -> Option<&Custom> {
        self.spelling.as_deref().and_then(|s| s.custom.as_ref())
    }
}

impl Shape {
    /// The slot of a field by name.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// The decimal places of a currency's smallest unit (ISO 4217 minor units); `None` for the codes
/// ISO gives no minor unit (precious metals, `XDR`, testing and "no currency" codes), which then hold
/// as many places as any decimal. Codes ISO does not list get the common 2.
pub fn minor_units(currency: Currency) -> Option<u32> {
    match currency.as_str() {
        "XAG" | "XAU" | "XBA" | "XBB" | "XBC" | "XBD" | "XDR" | "XPD" | "XPT" | "XSU" | "XTS" | "XUA" | "XXX" => None,
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => Some(0),
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => Some(3),
        "CLF" | "UYW" => Some(4),
        _ => Some(2),
    }
}
