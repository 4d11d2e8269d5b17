//! Converting one raw value from a record into a typed [`Value`]: the rules every format shares.
//!
//! Each reader turns what its parser saw into a [`Raw`] and asks [`scalar`] for the value of a field's
//! type; a value of the wrong form comes back as a [`Bad`] that the reader reports at the value's place.
//! Lists and nested objects are walked by the readers themselves.
//!
//! The file is long because of its unit tests (`mod tests` at the end, a few per type); the
//! code itself is under 600 lines.

use std::fmt::Write as _;

use jiff::fmt::temporal::Pieces;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, SpanRelativeTo, Zoned};
use rust_decimal::Decimal;

use crate::engine::types::{minor_units, Currency, Spelling, Ty};
use crate::engine::value::Value;
use crate::engine::Program;

/// A value as a format's parser saw it, before it has a type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Raw<'a> {
    /// A quoted string (JSON, TOML).
    Str(&'a str),
    /// An integer (JSON, TOML); wide enough for both `i64` and `u64`.
    Int(i128),
    /// A JSON number with a fraction or exponent, read by serde_json as a float (only for fields that
    /// are not numbers, where it is an error anyway: numeric fields get [`Raw::Num`]).
    Float(f64),
    /// A number exactly as written: a JSON number read for a numeric field, a TOML float, a TOML
    /// integer too large for 64 bits. Never through a float, so nothing is rounded before it is typed.
    Num(&'a str),
    /// True or false (JSON, TOML).
    Bool(bool),
    /// A TOML date or datetime, as RFC 3339 text.
    Moment(&'a str),
    /// A non-empty CSV cell: everything is text, and types are read from it.
    Cell(&'a str),
}

/// Why a value could not be converted: the message tail after the field's name, a label and help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bad {
    /// Completes "`field` ...", e.g. "is not a datetime: `2024-13-01`".
    pub what: String,
    /// A short label for the value's place.
    pub label: String,
    /// What to write instead.
    pub help: String,
}

impl Bad {
    fn new(what: String, label: impl Into<String>, help: impl Into<String>) -> Bad {
        Bad { what, label: label.into(), help: help.into() }
    }
}

/// Convert one scalar value to field type `ty`; `zone` is the field's declared zone, in which a
/// datetime written without an offset is read (see [`datetime`]).
pub(crate) fn scalar(program: &Program, ty: &Ty, zone: Option<&TimeZone>, raw: Raw<'_>) -> Result<Value, Bad> {
    match ty {
        Ty::Text => match raw {
            Raw::Str(s) | Raw::Cell(s) => Ok(Value::Text(s.into())),
            _ => Err(not(ty, raw, "write it as a string in quotes")),
        },
        Ty::Int => int(ty, raw),
        Ty::Dec => match number(raw) {
            Some(Ok(d)) => Ok(Value::Dec(d.into())),
            Some(Err(())) => Err(out_of_range(ty, raw)),
            None => Err(not(ty, raw, help_for(ty, raw))),
        },
        Ty::Money(currency) => money(ty, *currency, raw),
        Ty::Bool => bool_value(ty, raw),
        Ty::Date => match text(raw) {
            Some(s) => date(s).ok_or_else(|| not(ty, raw, help_for(ty, raw))),
            None => Err(not(ty, raw, help_for(ty, raw))),
        },
        Ty::DateTime => match text(raw) {
            Some(s) => datetime(ty, zone, raw, s),
            None => Err(not(ty, raw, help_for(ty, raw))),
        },
        Ty::Duration => duration(ty, raw),
        Ty::Enum(e) => {
            let variants = program.enums.get(*e).map_or(&[][..], |d| d.variants.as_slice());
            enum_value(variants, raw)
        }
        Ty::List(_) | Ty::Object(_) => Err(not(ty, raw, help_for(ty, raw))),
        Ty::BusinessDays | Ty::Set(_) => Err(Bad::new(
            "cannot be read from a record".to_string(),
            "not a record field type",
            "declare the field with a type that records can hold",
        )),
    }
}

/// Convert one scalar value as [`scalar`] does, first trying the spellings the field declares
/// (`accept`, enumeration codes). `spelling` is `None` for fields that declare none, which then
/// cost nothing more than [`scalar`]. `in_list`: an element of a list, where `empty as missing`
/// does not apply (a list holds values, not gaps).
pub(crate) fn spelled(
    program: &Program,
    ty: &Ty,
    zone: Option<&TimeZone>,
    spelling: Option<&Spelling>,
    in_list: bool,
    raw: Raw<'_>,
) -> Result<Value, Bad> {
    let Some(sp) = spelling else {
        return scalar(program, ty, zone, raw).map_err(|bad| declare_more(program, ty, None, raw, bad));
    };
    let mut buf = StackText::<48>::new();
    let text: Option<&str> = match raw {
        Raw::Str(s) | Raw::Num(s) => Some(s),
        Raw::Cell(s) => Some(s.trim()),
        Raw::Int(i) => write!(buf, "{i}").ok().map(|()| buf.as_str()),
        Raw::Float(_) | Raw::Bool(_) | Raw::Moment(_) => None,
    };
    if let Some(t) = text {
        if sp.empty_is_missing && !in_list && t.is_empty() && matches!(raw, Raw::Str(_) | Raw::Cell(_)) {
            return Ok(Value::Missing);
        }
        match ty {
            Ty::Bool if sp.truths.iter().any(|x| **x == *t) => return Ok(Value::Bool(true)),
            Ty::Bool if sp.falsehoods.iter().any(|x| **x == *t) => return Ok(Value::Bool(false)),
            Ty::Enum(_) => {
                if let Some((_, i)) = sp.codes.iter().find(|(c, _)| **c == *t) {
                    return Ok(Value::Enum(*i));
                }
            }
            Ty::Int if sp.numbers_in_strings => {
                if let Raw::Str(s) = raw {
                    return scalar(program, ty, zone, Raw::Num(s.trim()));
                }
            }
            _ => {}
        }
    }
    scalar(program, ty, zone, raw).map_err(|mut bad| {
        // Say what the declaration accepts, beside what the format does.
        match ty {
            Ty::Bool if !sp.truths.is_empty() => {
                let yes = list(sp.truths.iter().map(|t| &**t));
                let no = list(sp.falsehoods.iter().map(|t| &**t));
                bad.help = format!("write {yes} for true or {no} for false, as the schema declares; or {}", bad.help);
            }
            Ty::Enum(e) if !sp.codes.is_empty() => {
                let names = program.enums.get(*e).map_or(&[][..], |d| d.variants.as_slice());
                let pairs: Vec<String> = sp
                    .codes
                    .iter()
                    .filter_map(|(c, i)| Some(format!("`{}` for `{}`", clip(c), names.get(usize::try_from(*i).ok()?)?)))
                    .collect();
                bad.help = format!(
                    "write one of the codes the schema declares ({}), or a value's name ({})",
                    pairs.join(", "),
                    list(names.iter().map(String::as_str))
                );
            }
            _ => {}
        }
        declare_more(program, ty, Some(sp), raw, bad)
    })
}

/// `bad` with, at the end of its help, the declaration that would read the value as written, if
/// one would (see [`super::declare`]).
fn declare_more(program: &Program, ty: &Ty, sp: Option<&Spelling>, raw: Raw<'_>, mut bad: Bad) -> Bad {
    if let Some(more) = super::declare::sentence(program, ty, sp, raw) {
        bad.help = format!("{}; {more}", bad.help);
    }
    bad
}

/// The error for a list or object found where `ty` was expected (`found` is "a list", "an object" or
/// "null").
pub(crate) fn wrong_shape(ty: &Ty, found: &str) -> Bad {
    Bad::new(
        format!("is not {}: found {found}", expected(ty)),
        format!("expected {}", expected(ty)),
        help_for(ty, Raw::Bool(false)),
    )
}

/// The error for a null element inside a list.
pub(crate) fn null_in_list(ty: &Ty) -> Bad {
    Bad::new(
        format!("is null, not {}", expected(ty)),
        "null in a list",
        "remove the null, or write a value of the list's element type",
    )
}

/// "text", "a whole number", ...: what a field of type `ty` holds, for messages.
pub(crate) fn expected(ty: &Ty) -> String {
    match ty {
        Ty::Text => "text".into(),
        Ty::Int => "a whole number".into(),
        Ty::Dec => "a decimal number".into(),
        Ty::Money(c) => format!("an amount in `{c}`"),
        Ty::Bool => "true or false".into(),
        Ty::Date => "a date".into(),
        Ty::DateTime => "a datetime".into(),
        Ty::Duration => "a duration".into(),
        Ty::BusinessDays => "a number of business days".into(),
        Ty::Enum(_) => "one of its enumeration's values".into(),
        Ty::List(_) | Ty::Set(_) => "a list".into(),
        Ty::Object(_) => "an object".into(),
    }
}

/// What to write for a field of type `ty`, in the format `raw` came from.
fn help_for(ty: &Ty, raw: Raw<'_>) -> String {
    let csv = matches!(raw, Raw::Cell(_));
    match ty {
        Ty::Text => "write it as a string in quotes".into(),
        Ty::Int if csv => "write a whole number such as `42`".into(),
        Ty::Int => "write a whole number such as `42`, without quotes".into(),
        Ty::Dec => "write a number such as `12.5`".into(),
        Ty::Money(c) => {
            format!("write an amount such as `12.50 {c}` or `12.50`; an amount without a currency is in `{c}`")
        }
        Ty::Bool if csv => "write `true`, `false`, `yes` or `no`".into(),
        Ty::Bool => "write `true` or `false`, without quotes".into(),
        Ty::Date => "write a date as `YYYY-MM-DD`, such as `2024-03-01`".into(),
        Ty::DateTime => {
            "write an RFC 3339 datetime with an offset, such as `2024-03-01T09:00:00Z` or \
                         `2024-03-01T09:00:00+01:00`, or with a time zone, such as `2024-03-01T09:00:00[Europe/London]`"
                .into()
        }
        Ty::Duration => {
            "write a duration such as `30m`, `24h`, `2d`, `1w` or `PT30M`, or a whole number of seconds".into()
        }
        Ty::BusinessDays => "declare the field with a type that records can hold".into(),
        Ty::Enum(_) => "write one of the enumeration's values".into(),
        Ty::List(_) | Ty::Set(_) if csv => "write the items in one cell, separated by `;`".into(),
        Ty::List(_) | Ty::Set(_) => "write a list in square brackets, such as `[\"a\", \"b\"]`".into(),
        Ty::Object(_) => "write an object with the fields its schema declares".into(),
    }
}

/// "is not a datetime: `x`" for a value of the wrong form.
fn not(ty: &Ty, raw: Raw<'_>, help: impl Into<String>) -> Bad {
    Bad::new(format!("is not {}: `{}`", expected(ty), shown(raw)), format!("expected {}", expected(ty)), help)
}

fn out_of_range(ty: &Ty, raw: Raw<'_>) -> Bad {
    let help = match ty {
        Ty::Int | Ty::Duration => "whole numbers must be between -9223372036854775808 and 9223372036854775807",
        _ => {
            "decimal numbers and amounts are held exactly: at most 28 significant digits (29 below \
             79228162514264337593543950335) and at most 28 after the point; nothing is rounded"
        }
    };
    Bad::new(
        format!("cannot be held exactly as {}: `{}`", expected(ty), shown(raw)),
        "not exactly representable",
        format!("{help}; see the precision section of docs/language.md"),
    )
}

/// The value as the user wrote it, one line and at most 60 characters, for messages.
pub(crate) fn shown(raw: Raw<'_>) -> String {
    match raw {
        Raw::Str(s) | Raw::Num(s) | Raw::Moment(s) | Raw::Cell(s) => clip(s),
        Raw::Int(i) => i.to_string(),
        Raw::Float(f) => f.to_string(),
        Raw::Bool(b) => b.to_string(),
    }
}

/// Text for a message: on one line (unsafe characters escaped, see `crate::text::escape`),
/// backticks replaced, and cut like every quotation (see `crate::text::clip`).
pub(crate) fn clip(s: &str) -> String {
    crate::text::escape(&crate::text::clip(s)).replace('`', "'")
}

/// The text of a string-like raw value (CSV cells trimmed).
fn text(raw: Raw<'_>) -> Option<&str> {
    match raw {
        Raw::Str(s) | Raw::Moment(s) => Some(s),
        Raw::Cell(s) => Some(s.trim()),
        _ => None,
    }
}

/// A whole number from text as written (a JSON or TOML number): fractions and exponents are refused
/// even when the value is whole (`3.0`, `1e2`), since the field is declared whole.
fn whole(ty: &Ty, raw: Raw<'_>, s: &str) -> Result<i64, Bad> {
    let plain: std::borrow::Cow<'_, str> =
        if s.contains('_') { s.replace('_', "").into() } else { std::borrow::Cow::Borrowed(s) };
    match plain.parse::<i64>() {
        Ok(i) => Ok(i),
        Err(e) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow) => {
            Err(out_of_range(ty, raw))
        }
        Err(_) => Err(not(ty, raw, format!("{}; no fraction or exponent (`3.0`, `1e2`)", help_for(ty, raw)))),
    }
}

fn int(ty: &Ty, raw: Raw<'_>) -> Result<Value, Bad> {
    match raw {
        Raw::Int(i) => i64::try_from(i).map(Value::Int).map_err(|_| out_of_range(ty, raw)),
        Raw::Num(s) => whole(ty, raw, s).map(Value::Int),
        Raw::Cell(s) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(i) => Ok(Value::Int(i)),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
                    ) =>
                {
                    Err(out_of_range(ty, raw))
                }
                Err(_) => Err(not(ty, raw, help_for(ty, raw))),
            }
        }
        _ => Err(not(ty, raw, help_for(ty, raw))),
    }
}

/// A number from a raw value: `None` if it is not numeric, `Some(Err)` if it is but does not fit.
fn number(raw: Raw<'_>) -> Option<Result<Decimal, ()>> {
    match raw {
        Raw::Int(i) => Some(Decimal::try_from_i128_with_scale(i, 0).map_err(|_| ())),
        Raw::Float(f) => Some(float(f)),
        Raw::Num(s) => decimal_text(s),
        Raw::Str(s) | Raw::Cell(s) => decimal_text(s.trim()),
        Raw::Bool(_) | Raw::Moment(_) => None,
    }
}

/// The largest mantissa a [`Decimal`] holds (2^96 - 1), and the most digits after the point.
const MAX_MANTISSA: u128 = (1 << 96) - 1;
const MAX_SCALE: u32 = 28;

/// An exact decimal from its textual form: `None` if it is not a number at all, `Some(Err)` if it is
/// one that a [`Decimal`] cannot hold exactly (too large, or too many digits after the point).
///
/// Accepts `[+-] digits [. digits] [(e|E) [+-] digits]`, with `_` between digits (TOML), and
/// computes the value itself rather than through `Decimal::from_str`/`from_scientific`, which round
/// digits past the 28th: `1.00000000000000000000000000001` must be an error, not `1`. An exponent
/// is fine when the result is exact (`1.5e3` is 1500; `1e-400` is not representable). Trailing zeros
/// past 28 decimal places are dropped only because they do not change the value.
pub(crate) fn decimal_text(s: &str) -> Option<Result<Decimal, ()>> {
    let b = s.as_bytes();
    let (negative, rest) = match b.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, b),
    };
    let (mantissa, exponent) = match rest.iter().position(|c| matches!(c, b'e' | b'E')) {
        Some(i) => (rest.get(..i)?, Some(rest.get(i + 1..)?)),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.iter().position(|&c| c == b'.') {
        Some(i) => (mantissa.get(..i)?, mantissa.get(i + 1..)?),
        None => (mantissa, &[][..]),
    };
    let digits_or_underscores = |p: &[u8]| p.iter().all(|c| c.is_ascii_digit() || *c == b'_');
    if !digits_or_underscores(int) || !digits_or_underscores(frac) || !mantissa.iter().any(u8::is_ascii_digit) {
        return None;
    }
    // The exponent, saturated far beyond anything representable (so `1e99999999999` needs no bignum).
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, e) = match e.split_first() {
                Some((b'-', r)) => (-1, r),
                Some((b'+', r)) => (1, r),
                _ => (1, e),
            };
            if !digits_or_underscores(e) || !e.iter().any(u8::is_ascii_digit) {
                return None;
            }
            let magnitude = e
                .iter()
                .filter(|c| c.is_ascii_digit())
                .fold(0i64, |acc, &c| (acc * 10 + i64::from(c - b'0')).min(1_000_000));
            sign * magnitude
        }
    };
    let frac_digits = frac.iter().filter(|c| c.is_ascii_digit()).count() as i64;
    // Significant digits: the digits of int and frac without leading zeros.
    let all = int.iter().chain(frac).filter(|c| c.is_ascii_digit());
    let significant: Vec<u8> = all.skip_while(|&&c| c == b'0').copied().collect();
    let mut power = exponent - frac_digits; // value = significant × 10^power
    if significant.is_empty() {
        let scale = u32::try_from((-power).clamp(0, i64::from(MAX_SCALE))).unwrap_or(0);
        return Some(Ok(Decimal::new(0, scale)));
    }
    let mut end = significant.len();
    // Too many places after the point: only zeros may go.
    while power < -i64::from(MAX_SCALE) && end > 0 && significant.get(end - 1) == Some(&b'0') {
        end -= 1;
        power += 1;
    }
    if power < -i64::from(MAX_SCALE) {
        return Some(Err(()));
    }
    let kept = significant.get(..end).unwrap_or(&[]);
    let zeros = usize::try_from(power.max(0)).unwrap_or(usize::MAX);
    if kept.len().saturating_add(zeros) > 29 {
        return Some(Err(()));
    }
    let mut m: u128 = 0;
    for &c in kept {
        m = m * 10 + u128::from(c - b'0');
    }
    for _ in 0..zeros {
        m *= 10;
    }
    if m > MAX_MANTISSA {
        return Some(Err(()));
    }
    let scale = u32::try_from((-power).max(0)).unwrap_or(MAX_SCALE);
    let signed = i128::try_from(m).ok()?;
    Some(Decimal::try_from_i128_with_scale(if negative { -signed } else { signed }, scale).map_err(|_| ()))
}

/// A JSON float, through its shortest round-trip decimal form (never through float arithmetic).
fn float(f: f64) -> Result<Decimal, ()> {
    if !f.is_finite() {
        return Err(());
    }
    let mut buf = StackText::<64>::new();
    write!(buf, "{f}").map_err(|_| ())?;
    match decimal_text(buf.as_str()) {
        Some(r) => r,
        None => Err(()),
    }
}

fn money(ty: &Ty, currency: Currency, raw: Raw<'_>) -> Result<Value, Bad> {
    let (amount, code) = match raw {
        Raw::Str(s) | Raw::Cell(s) => {
            let s = s.trim();
            match s.rsplit_once(char::is_whitespace) {
                Some((amount, code)) if code.bytes().any(|b| b.is_ascii_alphabetic()) => {
                    (Raw::Str(amount.trim_end()), Some(code))
                }
                _ => (Raw::Str(s), None),
            }
        }
        other => (other, None),
    };
    if let Some(code) = code {
        match Currency::parse(code) {
            Some(c) if c == currency => {}
            Some(c) => {
                return Err(Bad::new(
                    format!("is in `{c}`, not `{currency}`: `{}`", shown(raw)),
                    format!("expected an amount in `{currency}`"),
                    format!("write the amount in `{currency}`, the field's currency, such as `12.50 {currency}`"),
                ))
            }
            None => return Err(not(ty, raw, help_for(ty, raw))),
        }
    }
    match number(amount) {
        Some(Ok(d)) => match minor_units(currency) {
            // Trailing zeros change nothing (`12.500`); a digit past the currency's smallest unit does.
            Some(places) if d.normalize().scale() > places => Err(Bad::new(
                format!("is finer than `{currency}` can hold: `{}`", shown(raw)),
                format!("more than {places} decimal place{}", if places == 1 { "" } else { "s" }),
                format!(
                    "`{currency}` amounts have at most {places} decimal place{}; nothing is rounded, so write the exact amount",
                    if places == 1 { "" } else { "s" }
                ),
            )),
            _ => Ok(Value::Money(d.into())),
        },
        Some(Err(())) => Err(out_of_range(ty, raw)),
        None => Err(not(ty, raw, help_for(ty, raw))),
    }
}

fn bool_value(ty: &Ty, raw: Raw<'_>) -> Result<Value, Bad> {
    match raw {
        Raw::Bool(b) => Ok(Value::Bool(b)),
        Raw::Cell(s) => {
            let s = s.trim();
            if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes") {
                Ok(Value::Bool(true))
            } else if s.eq_ignore_ascii_case("false") || s.eq_ignore_ascii_case("no") {
                Ok(Value::Bool(false))
            } else {
                Err(not(ty, raw, help_for(ty, raw)))
            }
        }
        _ => Err(not(ty, raw, help_for(ty, raw))),
    }
}

/// A calendar date: `2024-03-01`, and nothing more (no time, offset or zone).
fn date(s: &str) -> Option<Value> {
    let pieces = Pieces::parse(s).ok()?;
    if pieces.time().is_some() || pieces.offset().is_some() || pieces.time_zone_annotation().is_some() {
        return None;
    }
    Some(Value::Date(pieces.date()))
}

/// An instant with an offset or a bracketed time zone, and the offset as written; or, when the field
/// has a declared `zone`, a wall-clock time without either, read in that zone.
///
/// Export spellings are read as they are: a space for the `T`, fractional seconds, an offset
/// without a colon (`+0000`). A wall-clock time that occurs twice in the zone (clocks go back) is
/// its earlier instant; one that does not exist (clocks go forward) is moved forward by the length
/// of the gap (jiff's "compatible" rule, as in RFC 5545 and Temporal): in America/New_York,
/// `2024-03-10T02:30` is 03:30 EDT and `2024-11-03T01:30` is 01:30 EDT, not EST.
fn datetime(ty: &Ty, zone: Option<&TimeZone>, raw: Raw<'_>, s: &str) -> Result<Value, Bad> {
    match plain_datetime(s) {
        Some(v) => Ok(v),
        None => any_datetime(ty, zone, raw, s),
    }
}

/// [`datetime`] of any spelling, through jiff's parser.
fn any_datetime(ty: &Ty, zone: Option<&TimeZone>, raw: Raw<'_>, s: &str) -> Result<Value, Bad> {
    let Ok(pieces) = Pieces::parse(s) else { return Err(not(ty, raw, help_for(ty, raw))) };
    let Some(time) = pieces.time() else { return Err(not(ty, raw, help_for(ty, raw))) };
    if pieces.time_zone_annotation().is_some() {
        // A zone (with or without an offset): jiff checks the offset against the zone's rules.
        return match s.parse::<Zoned>() {
            Ok(z) => Ok(Value::DateTime(z.timestamp(), z.offset().seconds())),
            // jiff's own wording is not ours to show; the likely causes are named instead.
            Err(_) => Err(Bad::new(
                format!("is not a datetime in its zone: `{}`", shown(raw)),
                "not a time in that zone",
                format!(
                    "check the zone name, that the offset agrees with the zone on that date, and that the local time exists there; {}",
                    help_for(ty, raw)
                ),
            )),
        };
    }
    let Some(offset) = pieces.to_numeric_offset() else {
        let local = pieces.date().to_datetime(time);
        if let Some(tz) = zone {
            return match tz.to_ambiguous_zoned(local).compatible() {
                Ok(z) => Ok(Value::DateTime(z.timestamp(), z.offset().seconds())),
                Err(_) => Err(out_of_range(ty, raw)),
            };
        }
        return Err(Bad::new(
            format!("has no offset: `{}`", shown(raw)),
            "no offset or time zone",
            "add `Z` or an offset such as `+01:00`, or a time zone such as `[Europe/London]`, so the instant is exact; \
             or, for an export of local times, declare their zone in the schema (`zone \"Europe/London\"`) \
             or on the field (`opened_at: datetime zone \"Europe/London\"`)",
        ));
    };
    match offset.to_timestamp(pieces.date().to_datetime(time)) {
        Ok(ts) => Ok(Value::DateTime(ts, offset.seconds())),
        Err(_) => Err(out_of_range(ty, raw)),
    }
}

/// The spelling nearly every export writes, `2024-01-26T05:36:20Z` or with an offset `+01:00`,
/// read without jiff's general parser (a tenth of the cost of reading a record went there). Any
/// other text, and any value this is unsure of (a leap second, `-00:00`, a date past the range),
/// is `None`, and the general reading decides, so both readings always agree.
fn plain_datetime(s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let (clock, offset) = match b.len() {
        20 if b.get(19) == Some(&b'Z') => (b.get(..19)?, 0),
        25 => {
            let o = b.get(19..)?;
            let sign = match o.first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if o.get(3) != Some(&b':') {
                return None;
            }
            let (h, m) = (digits(o.get(1..3)?)?, digits(o.get(4..6)?)?);
            if (sign < 0 && h == 0 && m == 0) || h > 23 || m > 59 {
                return None;
            }
            (b.get(..19)?, sign * (h * 3600 + m * 60))
        }
        _ => return None,
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| clock.get(i) != Some(&c)) {
        return None;
    }
    let year = i16::try_from(digits(clock.get(0..4)?)?).ok()?;
    let [month, day, hour, minute, second] =
        [5, 8, 11, 14, 17].map(|i| clock.get(i..i + 2).and_then(digits).and_then(|n| i8::try_from(n).ok()));
    let second = second.filter(|s| *s < 60)?;
    let local = jiff::civil::DateTime::new(year, month?, day?, hour?, minute?, second, 0).ok()?;
    let off = jiff::tz::Offset::from_seconds(offset).ok()?;
    let ts = off.to_timestamp(local).ok()?;
    Some(Value::DateTime(ts, offset))
}

/// The number written by `b`, ASCII digits only.
fn digits(b: &[u8]) -> Option<i32> {
    b.iter().try_fold(0i32, |n, c| c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0')))
}

fn duration(ty: &Ty, raw: Raw<'_>) -> Result<Value, Bad> {
    match raw {
        Raw::Num(s) => whole(ty, raw, s).map(|secs| Value::Duration(SignedDuration::from_secs(secs))),
        Raw::Int(i) => {
            i64::try_from(i).map(|s| Value::Duration(SignedDuration::from_secs(s))).map_err(|_| out_of_range(ty, raw))
        }
        Raw::Str(s) | Raw::Cell(s) => {
            let s = s.trim();
            if let Ok(secs) = s.parse::<i64>() {
                return Ok(Value::Duration(SignedDuration::from_secs(secs)));
            }
            if let Ok(d) = s.parse::<SignedDuration>() {
                return Ok(Value::Duration(d));
            }
            // Days and weeks are calendar units to jiff; in a record they mean 24 and 168 hours.
            match s.parse::<jiff::Span>().map(|span| span.to_duration(SpanRelativeTo::days_are_24_hours())) {
                Ok(Ok(d)) => Ok(Value::Duration(d)),
                _ => Err(not(ty, raw, help_for(ty, raw))),
            }
        }
        _ => Err(not(ty, raw, help_for(ty, raw))),
    }
}

fn enum_value(variants: &[String], raw: Raw<'_>) -> Result<Value, Bad> {
    let s = match raw {
        Raw::Str(s) => s,
        Raw::Cell(s) => s.trim(),
        _ => "",
    };
    if let Some(i) = variants.iter().position(|v| v == s) {
        if let Ok(i) = u32::try_from(i) {
            return Ok(Value::Enum(i));
        }
    }
    let listed = list(variants.iter().map(String::as_str));
    let help = match did_you_mean(s, variants.iter().map(String::as_str)) {
        Some(best) if !s.is_empty() => format!("did you mean `{best}`? the values are {listed}"),
        _ => format!("write one of {listed}"),
    };
    Err(Bad::new(format!("is not one of its values: `{}`", shown(raw)), "unknown value", help))
}

/// "`a`, `b` and `c`", for help texts (at most 12 names, then "and N more").
pub(crate) fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let mut out = String::new();
    let shown_count = names.len().min(12);
    for (i, n) in names.iter().take(shown_count).enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == shown_count && names.len() <= 12 { " and " } else { ", " });
        }
        let _ = write!(out, "`{}`", clip(n));
    }
    if names.len() > 12 {
        let _ = write!(out, " and {} more", names.len() - 12);
    }
    if names.is_empty() {
        out.push_str("(none)");
    }
    out
}

/// The candidate closest to `word`, if it is close enough to be what was meant.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
        let limit = (c.chars().count().max(word.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A small fixed-capacity text buffer, so formatting a float allocates nothing.
struct StackText<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackText<N> {
    fn new() -> Self {
        StackText { buf: [0; N], len: 0 }
    }

    fn as_str(&self) -> &str {
        self.buf.get(..self.len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }
}

impl<const N: usize> std::fmt::Write for StackText<N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(std::fmt::Error)?;
        let dest = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::data::testing::*;
    use jiff::Timestamp;

    fn conv(ty: Ty, raw: Raw<'_>) -> Result<Value, Bad> {
        let p = program(vec![], vec![vec!["open", "closed", "pending"]]);
        scalar(&p, &ty, None, raw)
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn text_accepts_strings_only() {
        assert_eq!(conv(Ty::Text, Raw::Str("hi")), Ok(Value::Text("hi".into())));
        assert_eq!(conv(Ty::Text, Raw::Cell(" hi ")), Ok(Value::Text(" hi ".into())));
        let bad = conv(Ty::Text, Raw::Int(42)).unwrap_err();
        assert_eq!(bad.what, "is not text: `42`");
        assert!(conv(Ty::Text, Raw::Bool(true)).is_err());
        assert!(conv(Ty::Text, Raw::Float(1.5)).is_err());
    }

    #[test]
    fn ints() {
        assert_eq!(conv(Ty::Int, Raw::Int(-7)), Ok(Value::Int(-7)));
        assert_eq!(conv(Ty::Int, Raw::Cell(" 42 ")), Ok(Value::Int(42)));
        assert_eq!(conv(Ty::Int, Raw::Cell("+3")), Ok(Value::Int(3)));
        assert!(conv(Ty::Int, Raw::Int(i128::from(u64::MAX))).unwrap_err().what.starts_with("cannot be held exactly"));
        assert!(conv(Ty::Int, Raw::Cell("99999999999999999999"))
            .unwrap_err()
            .what
            .starts_with("cannot be held exactly"));
        assert_eq!(conv(Ty::Int, Raw::Float(1.5)).unwrap_err().what, "is not a whole number: `1.5`");
        assert!(conv(Ty::Int, Raw::Str("42")).unwrap_err().help.contains("without quotes"));
        assert!(conv(Ty::Int, Raw::Cell("4.2")).is_err());
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(conv(Ty::Dec, Raw::Int(3)), Ok(Value::Dec(dec("3").into())));
        assert_eq!(conv(Ty::Dec, Raw::Float(0.1)), Ok(Value::Dec(dec("0.1").into())));
        assert_eq!(conv(Ty::Dec, Raw::Float(1e21)), Ok(Value::Dec(dec("1000000000000000000000").into())));
        assert_eq!(conv(Ty::Dec, Raw::Str("12.50")), Ok(Value::Dec(dec("12.50").into())));
        assert_eq!(conv(Ty::Dec, Raw::Cell(" -0.125 ")), Ok(Value::Dec(dec("-0.125").into())));
        assert_eq!(conv(Ty::Dec, Raw::Num("1.5e3")), Ok(Value::Dec(dec("1500").into())));
        assert_eq!(conv(Ty::Dec, Raw::Num("1_000.5")), Ok(Value::Dec(dec("1000.5").into())));
        assert!(conv(Ty::Dec, Raw::Num("inf")).is_err());
        assert!(conv(Ty::Dec, Raw::Float(1e300)).unwrap_err().what.starts_with("cannot be held exactly"));
        assert!(conv(Ty::Dec, Raw::Str("99999999999999999999999999999999"))
            .unwrap_err()
            .what
            .starts_with("cannot be held exactly"));
        assert_eq!(conv(Ty::Dec, Raw::Str("twelve")).unwrap_err().what, "is not a decimal number: `twelve`");
        assert!(conv(Ty::Dec, Raw::Str("1.2.3")).is_err());
        assert!(conv(Ty::Dec, Raw::Str("")).is_err());
        assert!(conv(Ty::Dec, Raw::Bool(true)).is_err());
    }

    #[test]
    fn numbers_are_exact_or_refused() {
        let exact = |s: &str| decimal_text(s).unwrap().unwrap();
        assert_eq!(exact("1.2345678901234567890123456789"), dec("1.2345678901234567890123456789"));
        assert_eq!(exact("79228162514264337593543950335"), Decimal::MAX);
        assert_eq!(exact("-79228162514264337593543950335"), Decimal::MIN);
        assert_eq!(exact("1.5e3"), dec("1500"));
        assert_eq!(exact("125E-2"), dec("1.25"));
        assert_eq!(exact("0e-400"), Decimal::ZERO);
        assert_eq!(exact("1.0000000000000000000000000000000"), dec("1.0000000000000000000000000000"));
        assert_eq!(exact("0.0000000000000000000000000001"), dec("0.0000000000000000000000000001"));
        assert_eq!(exact("12.50").scale(), 2);
        for s in [
            "79228162514264337593543950336",
            "18446744073709551616123456789012",
            "1.00000000000000000000000000001",
            "0.00000000000000000000000000001",
            "1e-400",
            "1e400",
            "1e99999999999999999999",
            "123456789012345678901234567890e-1",
        ] {
            assert_eq!(decimal_text(s), Some(Err(())), "{s}");
        }
        for s in ["", "-", "e5", "1e", "1.2.3", "0x10", "1e+-2", "inf", "NaN", "12 GBP"] {
            assert_eq!(decimal_text(s), None, "{s}");
        }
        // Whole numbers from text: no fraction or exponent, and within 64 bits.
        assert_eq!(conv(Ty::Int, Raw::Num("-9223372036854775808")), Ok(Value::Int(i64::MIN)));
        assert!(conv(Ty::Int, Raw::Num("9223372036854775808")).unwrap_err().what.starts_with("cannot be held"));
        assert!(conv(Ty::Int, Raw::Num("3.0")).unwrap_err().what.starts_with("is not a whole number"));
        assert!(conv(Ty::Int, Raw::Num("1e2")).is_err());
        assert_eq!(conv(Ty::Duration, Raw::Num("60")), Ok(Value::Duration(SignedDuration::from_secs(60))));
        assert!(conv(Ty::Duration, Raw::Num("1.5")).is_err());
    }

    #[test]
    fn money_keeps_the_currency_minor_unit() {
        let money = |code: &str, raw| conv(Ty::Money(Currency::parse(code).unwrap()), raw);
        assert!(money("GBP", Raw::Str("0.001 GBP")).unwrap_err().what.starts_with("is finer than `GBP`"));
        assert!(money("GBP", Raw::Num("0.001")).is_err());
        assert_eq!(money("GBP", Raw::Str("0.100 GBP")), Ok(Value::Money(dec("0.100").into())));
        assert!(money("JPY", Raw::Num("1.5")).is_err());
        assert_eq!(money("JPY", Raw::Num("150")), Ok(Value::Money(dec("150").into())));
        assert_eq!(money("KWD", Raw::Str("1.125")), Ok(Value::Money(dec("1.125").into())));
        assert!(money("KWD", Raw::Str("1.1255")).is_err());
        assert_eq!(money("XAU", Raw::Str("0.000001")), Ok(Value::Money(dec("0.000001").into())));
        // 2^64 is held exactly (a float would have made it 18446744073709552000).
        assert_eq!(
            money("GBP", Raw::Num("18446744073709551616")),
            Ok(Value::Money(dec("18446744073709551616").into()))
        );
        assert!(money("GBP", Raw::Num("184467440737095516160000000000"))
            .unwrap_err()
            .what
            .starts_with("cannot be held"));
    }

    #[test]
    fn money_with_and_without_currency() {
        let gbp = Ty::Money(Currency::parse("GBP").unwrap());
        assert_eq!(conv(gbp.clone(), Raw::Str("12.50 GBP")), Ok(Value::Money(dec("12.50").into())));
        assert_eq!(conv(gbp.clone(), Raw::Str("-3 GBP")), Ok(Value::Money(dec("-3").into())));
        assert_eq!(conv(gbp.clone(), Raw::Str("12.50")), Ok(Value::Money(dec("12.50").into())));
        assert_eq!(conv(gbp.clone(), Raw::Cell("7.25 GBP")), Ok(Value::Money(dec("7.25").into())));
        assert_eq!(conv(gbp.clone(), Raw::Int(12)), Ok(Value::Money(dec("12").into())));
        assert_eq!(conv(gbp.clone(), Raw::Float(12.5)), Ok(Value::Money(dec("12.5").into())));
        let bad = conv(gbp.clone(), Raw::Str("12.50 EUR")).unwrap_err();
        assert_eq!(bad.what, "is in `EUR`, not `GBP`: `12.50 EUR`");
        assert!(bad.help.contains("`GBP`"));
        assert!(conv(gbp.clone(), Raw::Str("12.50 pounds")).is_err());
        assert!(conv(gbp.clone(), Raw::Str("GBP")).is_err());
        assert!(conv(gbp, Raw::Bool(true)).is_err());
    }

    #[test]
    fn bools() {
        assert_eq!(conv(Ty::Bool, Raw::Bool(true)), Ok(Value::Bool(true)));
        for (s, b) in [("TRUE", true), ("yes", true), ("No", false), (" false ", false)] {
            assert_eq!(conv(Ty::Bool, Raw::Cell(s)), Ok(Value::Bool(b)), "{s}");
        }
        assert!(conv(Ty::Bool, Raw::Str("true")).is_err());
        assert!(conv(Ty::Bool, Raw::Int(1)).is_err());
        assert!(conv(Ty::Bool, Raw::Cell("1")).unwrap_err().help.contains("`yes`"));
    }

    #[test]
    fn dates() {
        let d = jiff::civil::date(2024, 3, 1);
        assert_eq!(conv(Ty::Date, Raw::Str("2024-03-01")), Ok(Value::Date(d)));
        assert_eq!(conv(Ty::Date, Raw::Moment("2024-03-01")), Ok(Value::Date(d)));
        assert_eq!(conv(Ty::Date, Raw::Cell(" 2024-03-01 ")), Ok(Value::Date(d)));
        assert_eq!(conv(Ty::Date, Raw::Str("2024-02-30")).unwrap_err().what, "is not a date: `2024-02-30`");
        assert!(conv(Ty::Date, Raw::Str("2024-03-01T09:00:00Z")).is_err());
        assert!(conv(Ty::Date, Raw::Str("1 March")).is_err());
        assert!(conv(Ty::Date, Raw::Int(20240301)).is_err());
    }

    #[test]
    fn datetimes_keep_their_offset() {
        assert_eq!(
            conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00Z")),
            Ok(Value::DateTime(ts("2024-03-01T09:00:00Z"), 0))
        );
        assert_eq!(
            conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00+01:00")),
            Ok(Value::DateTime(ts("2024-03-01T08:00:00Z"), 3600))
        );
        assert_eq!(
            conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00-05:30")),
            Ok(Value::DateTime(ts("2024-03-01T14:30:00Z"), -19800))
        );
        assert_eq!(
            conv(Ty::DateTime, Raw::Moment("1979-05-27T07:32:00-08:00")),
            Ok(Value::DateTime(ts("1979-05-27T15:32:00Z"), -28800))
        );
        // A bracketed zone, with or without an offset; summer time in London is +01:00.
        assert_eq!(
            conv(Ty::DateTime, Raw::Str("2024-07-01T09:00:00[Europe/London]")),
            Ok(Value::DateTime(ts("2024-07-01T08:00:00Z"), 3600))
        );
        assert_eq!(
            conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00+00:00[Europe/London]")),
            Ok(Value::DateTime(ts("2024-03-01T09:00:00Z"), 0))
        );
        // An offset that contradicts the zone is rejected.
        assert!(conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00+05:00[Europe/London]")).is_err());
        assert!(conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00[Nowhere/Special]")).is_err());
        let bad = conv(Ty::DateTime, Raw::Str("2024-03-01T09:00:00")).unwrap_err();
        assert_eq!(bad.what, "has no offset: `2024-03-01T09:00:00`");
        assert!(bad.help.contains("add `Z`"));
        assert!(conv(Ty::DateTime, Raw::Moment("1979-05-27T07:32:00")).unwrap_err().help.contains("add `Z`"));
        assert_eq!(conv(Ty::DateTime, Raw::Str("2024-13-01")).unwrap_err().what, "is not a datetime: `2024-13-01`");
        assert!(conv(Ty::DateTime, Raw::Str("2024-03-01")).is_err());
        assert!(conv(Ty::DateTime, Raw::Int(0)).is_err());
        assert!(conv(Ty::DateTime, Raw::Cell("2024-03-01T09:00:00Z")).is_ok());
    }

    fn in_zone(zone: &str, raw: Raw<'_>) -> Result<Value, Bad> {
        let p = program(vec![], vec![]);
        scalar(&p, &Ty::DateTime, Some(&TimeZone::get(zone).unwrap()), raw)
    }

    #[test]
    fn zoneless_datetimes_read_in_the_declared_zone() {
        let ny = "America/New_York";
        // NYC 311 writes local times with milliseconds and no offset; summer time is -04:00.
        assert_eq!(
            in_zone(ny, Raw::Cell("2024-05-27T02:08:51.000")),
            Ok(Value::DateTime(ts("2024-05-27T06:08:51Z"), -4 * 3600))
        );
        // Winter time is -05:00, and a space for the `T` reads the same.
        assert_eq!(
            in_zone(ny, Raw::Str("2024-01-15 09:00:00")),
            Ok(Value::DateTime(ts("2024-01-15T14:00:00Z"), -5 * 3600))
        );
        // The gap (clocks go forward at 02:00 on 10 March 2024): 02:30 moves forward by the hour.
        assert_eq!(
            in_zone(ny, Raw::Cell("2024-03-10T02:30:00")),
            Ok(Value::DateTime(ts("2024-03-10T07:30:00Z"), -4 * 3600))
        );
        // The fold (clocks go back at 02:00 on 3 November 2024): 01:30 is the earlier, EDT, instant.
        assert_eq!(
            in_zone(ny, Raw::Cell("2024-11-03T01:30:00")),
            Ok(Value::DateTime(ts("2024-11-03T05:30:00Z"), -4 * 3600))
        );
        // A value that carries an offset or a zone is still that instant, whatever the declaration.
        assert_eq!(
            in_zone(ny, Raw::Cell("2024-05-27T02:08:51+0000")),
            Ok(Value::DateTime(ts("2024-05-27T02:08:51Z"), 0))
        );
        assert_eq!(
            in_zone(ny, Raw::Str("2024-07-01T09:00:00[Europe/London]")),
            Ok(Value::DateTime(ts("2024-07-01T08:00:00Z"), 3600))
        );
        // TOML's local datetimes too.
        assert_eq!(
            in_zone("Europe/London", Raw::Moment("2024-07-01T09:00:00")),
            Ok(Value::DateTime(ts("2024-07-01T08:00:00Z"), 3600))
        );
        // A date alone is still not a datetime.
        assert!(in_zone(ny, Raw::Cell("2024-05-27")).is_err());
    }

    #[test]
    fn export_spellings_of_instants() {
        // Salesforce: an offset without a colon; others: a space for `T`, fractional seconds.
        assert_eq!(
            conv(Ty::DateTime, Raw::Cell("2024-05-27T02:08:51.000+0000")),
            Ok(Value::DateTime(ts("2024-05-27T02:08:51Z"), 0))
        );
        assert_eq!(
            conv(Ty::DateTime, Raw::Cell("2024-05-27 02:08:51+0530")),
            Ok(Value::DateTime(ts("2024-05-26T20:38:51Z"), 5 * 3600 + 1800))
        );
        assert_eq!(
            conv(Ty::DateTime, Raw::Str("2024-05-27 02:08:51.250Z")),
            Ok(Value::DateTime(ts("2024-05-27T02:08:51.25Z"), 0))
        );
    }

    #[test]
    fn without_a_declared_zone_the_error_names_the_declaration() {
        let bad = conv(Ty::DateTime, Raw::Cell("2024-05-27T02:08:51.000")).unwrap_err();
        assert_eq!(bad.what, "has no offset: `2024-05-27T02:08:51.000`");
        assert!(bad.help.contains("add `Z`"));
        assert!(bad.help.contains("zone \"Europe/London\""), "{}", bad.help);
    }

    #[test]
    fn durations() {
        let secs = |s: i64| Ok(Value::Duration(SignedDuration::from_secs(s)));
        for (s, want) in [
            ("30m", 1800),
            ("24h", 86_400),
            ("2d", 172_800),
            ("1w", 604_800),
            ("90s", 90),
            ("PT30M", 1800),
            ("P1D", 86_400),
            ("1h 30m", 5400),
            ("-5m", -300),
            ("600", 600),
        ] {
            assert_eq!(conv(Ty::Duration, Raw::Str(s)), secs(want), "{s}");
        }
        assert_eq!(conv(Ty::Duration, Raw::Int(45)), secs(45));
        assert_eq!(conv(Ty::Duration, Raw::Cell(" 2d ")), secs(172_800));
        assert!(conv(Ty::Duration, Raw::Str("1 month")).is_err());
        assert!(conv(Ty::Duration, Raw::Str("soon")).unwrap_err().help.contains("`30m`"));
        assert!(conv(Ty::Duration, Raw::Float(1.5)).is_err());
    }

    #[test]
    fn enums_suggest_the_closest_value() {
        assert_eq!(conv(Ty::Enum(0), Raw::Str("closed")), Ok(Value::Enum(1)));
        assert_eq!(conv(Ty::Enum(0), Raw::Cell(" pending ")), Ok(Value::Enum(2)));
        let bad = conv(Ty::Enum(0), Raw::Str("opne")).unwrap_err();
        assert_eq!(bad.what, "is not one of its values: `opne`");
        assert!(bad.help.starts_with("did you mean `open`?"), "{}", bad.help);
        let bad = conv(Ty::Enum(0), Raw::Str("zzz")).unwrap_err();
        assert_eq!(bad.help, "write one of `open`, `closed` and `pending`");
        assert!(conv(Ty::Enum(0), Raw::Str("Open")).unwrap_err().help.starts_with("did you mean `open`?"));
        assert!(conv(Ty::Enum(0), Raw::Int(1)).is_err());
    }

    #[test]
    fn clip_keeps_messages_on_one_line() {
        assert_eq!(clip("a\nb`c"), "a\\nb'c");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), crate::text::MAX_QUOTED + 1);
    }

    proptest::proptest! {
        /// The quick reading of the common spelling agrees with jiff's reading of the same text,
        /// whenever it answers at all, over texts near the common spelling (out-of-range fields,
        /// leap seconds, `-00:00`, lower case letters, stray characters).
        #[test]
        fn plain_datetimes_read_as_jiff_reads_them(
            y in 0u32..10000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..61, s in 0u32..62,
            tail in proptest::prop_oneof!["Z", "z", "[+-][0-2][0-9]:[0-6][0-9]", "[+-]0[0-9][0-5][0-9]", "Z "],
            t in proptest::prop_oneof!["T", "t", " "],
        ) {
            let text = format!("{y:04}-{mo:02}-{d:02}{t}{h:02}:{mi:02}:{s:02}{tail}");
            let ty = Ty::DateTime;
            let general = any_datetime(&ty, None, Raw::Str(&text), &text).ok();
            if let Some(v) = plain_datetime(&text) {
                proptest::prop_assert_eq!(Some(v), general, "{}", text);
            }
        }
    }

    #[test]
    fn plain_datetimes_are_the_common_spellings() {
        for text in ["2024-01-26T05:36:20Z", "2024-02-29T23:59:59+01:00", "1999-12-31T00:00:00-05:30"] {
            assert!(plain_datetime(text).is_some(), "{text}");
        }
        for text in
            ["2024-01-26T05:36:60Z", "2023-02-29T00:00:00Z", "2024-01-26T05:36:20-00:00", "2024-01-26 05:36:20Z"]
        {
            assert!(plain_datetime(text).is_none(), "{text}");
        }
    }
}
