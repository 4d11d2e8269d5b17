//! Formatting computed values for messages: only on the slow path, when a finding is made.

use std::fmt::Write;

use jiff::tz::Offset;
use jiff::SignedDuration;

use super::num::{self, Num};
use super::program::DateUnit;
use super::types::Ty;
use super::value::V;
use super::Program;

/// Most list items written into a message.
pub const MAX_LIST_SHOWN: usize = 10;

/// Write `v` as a person reads it, using its static type for enumeration names and currencies.
pub fn value(out: &mut String, program: &Program, ty: &Ty, v: V<'_>) {
    let _ = match v {
        V::Missing => write!(out, "(missing)"),
        V::NoAnswer(why) => write!(out, "(no answer: {})", why.as_str()),
        V::Unreadable(_) => write!(out, "(unreadable)"),
        V::Bool(b) => write!(out, "{b}"),
        V::Int(i) => {
            out.push_str(itoa::Buffer::new().format(i));
            Ok(())
        }
        V::Dec(d) => {
            number(out, d, 0, DEC_PLACES);
            Ok(())
        }
        V::Money(m) => {
            money(out, m, if let Ty::Money(c) = ty { Some(*c) } else { None });
            match ty {
                Ty::Money(c) => write!(out, " {c}"),
                _ => Ok(()),
            }
        }
        // A message quotes at most a bounded part of a text value (see `crate::text::clip`).
        V::Text(t) => {
            out.push_str(&crate::text::clip(t));
            Ok(())
        }
        V::Enum(i) => {
            let name = match ty {
                Ty::Enum(e) => program.enums.get(*e).and_then(|e| e.variants.get(i as usize)).map(String::as_str),
                _ => None,
            };
            write!(out, "{}", name.unwrap_or("?"))
        }
        V::Date(d) => write!(out, "{d}"),
        V::DateTime(ts, off) => match Offset::from_seconds(off) {
            Ok(o) => write!(out, "{}", ts.display_with_offset(o)),
            Err(_) => write!(out, "{ts}"),
        },
        V::Duration(d) => {
            write_duration(out, d);
            Ok(())
        }
        V::List(items) => {
            let inner = match ty {
                Ty::List(inner) => inner.as_ref(),
                other => other,
            };
            out.push('[');
            for (i, item) in items.iter().take(MAX_LIST_SHOWN).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value(out, program, inner, item.view());
            }
            if items.len() > MAX_LIST_SHOWN {
                let _ = write!(out, ", ... {} more", items.len() - MAX_LIST_SHOWN);
            }
            out.push(']');
            Ok(())
        }
        V::Object(_) => write!(out, "(object)"),
    };
}

/// A fraction as a percentage: `0.15` as `15%`, `1/8` as `12.5%`, exactly when the expansion ends;
/// `1/3` as `≈33.3%` (rounded to one place, or further to show the first digit of a tiny share).
pub fn percent(out: &mut String, v: V<'_>) {
    let d = match v {
        V::Dec(d) => d,
        V::Int(i) => Num::from(i),
        other => return value(out, &EMPTY, &Ty::Dec, other),
    };
    match d.checked_mul(Num::from(100)) {
        Some(p) => {
            number(out, p, 0, 1);
            out.push('%');
        }
        // Beyond a hundredth of the largest fraction, a share is no percentage anyone reads.
        None => number(out, d, 0, DEC_PLACES),
    }
}

/// Places a decimal that does not end is rounded to (and at least as many significant digits).
const DEC_PLACES: u32 = 10;

/// Write `n` exactly when its decimal expansion ends (with at least `min_places` places);
/// otherwise rounded half away from zero to `places` places (more for a small value, to keep
/// `places` significant digits) and marked [`num::ROUNDED`], so a message never shows a rounded
/// value as if it were the one the rule compared: `0.999 GBP` is never shown as `1.00 GBP`.
pub fn number(out: &mut String, n: Num, min_places: u32, places: u32) {
    let (text, exact) = n.to_decimal(min_places, places, places.max(1));
    if !exact {
        out.push_str(num::ROUNDED);
    }
    out.push_str(&text);
}

/// An amount without its currency code: at least the currency's smallest unit (`11.75`, `3.00`,
/// `150` yen), every further digit an exact amount has (`0.999`), and an amount whose expansion does
/// not end rounded to the smallest unit and marked (`≈3.33`); a currency without a smallest unit
/// (`XAU`) rounds to 10 places, an unknown one (`None`) is taken to have 2.
pub fn money(out: &mut String, m: Num, currency: Option<super::types::Currency>) {
    let (min, places) = match currency.map(crate::engine::types::minor_units) {
        Some(Some(p)) => (p, p),
        Some(None) => (0, DEC_PLACES),
        None => (2, 2),
    };
    number(out, m, min, places);
}

/// A week as `2026-W03` (ISO 8601), a month as `2026-01` and a year as `2026`, from the day that
/// starts it.
pub fn period(out: &mut String, unit: DateUnit, v: V<'_>) {
    let _ = match (unit, v) {
        (DateUnit::Week, V::Date(d)) => {
            let w = d.iso_week_date();
            write!(out, "{}-W{:02}", w.year(), w.week())
        }
        (DateUnit::Month, V::Date(d)) => write!(out, "{}-{:02}", d.year(), d.month()),
        (DateUnit::Year, V::Date(d)) => write!(out, "{}", d.year()),
        (_, V::Date(d)) => write!(out, "{d}"),
        (_, other) => {
            value(out, &EMPTY, &Ty::Date, other);
            Ok(())
        }
    };
}

/// A program with nothing in it, for values whose formatting needs no enumeration names.
static EMPTY: Program = Program::empty();

/// A duration as `2d 3h 5m`: whole units, largest first, seconds only when there are some.
pub fn duration(d: SignedDuration) -> String {
    let mut out = String::new();
    write_duration(&mut out, d);
    out
}

/// [`duration`], written at the end of `out` (no text of its own: it is on every finding of a
/// rule whose message shows a wait).
pub fn write_duration(out: &mut String, d: SignedDuration) {
    let mut secs = d.as_secs();
    if secs < 0 {
        out.push('-');
        secs = secs.saturating_neg();
    }
    let parts = [(secs / 86_400, 'd'), (secs % 86_400 / 3_600, 'h'), (secs % 3_600 / 60, 'm'), (secs % 60, 's')];
    let mut any = false;
    for (i, (n, unit)) in parts.into_iter().enumerate() {
        // Seconds are shown when there are some, or when nothing else was (`0s`).
        if n > 0 || (i == 3 && !any) {
            if any {
                out.push(' ');
            }
            out.push_str(itoa::Buffer::new().format(n));
            out.push(unit);
            any = true;
        }
    }
}

/// `from 2026-01-01 until 2026-12-31`, `from 2026-01-01`, `until 2025-12-31`, or `always`.
pub fn in_force(r: (Option<jiff::civil::Date>, Option<jiff::civil::Date>)) -> String {
    match r {
        (Some(f), Some(u)) => format!("from {f} until {u}"),
        (Some(f), None) => format!("from {f}"),
        (None, Some(u)) => format!("until {u}"),
        (None, None) => "always".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_their_currency_places_and_mark_rounding() {
        let cur = |c: &str| super::super::types::Currency::parse(c);
        let n = |s: &str| s.parse::<Num>().unwrap_or(Num::ZERO);
        let third = |s: &str| n(s).checked_div(Num::from(3)).unwrap_or(Num::ZERO);
        for (amount, currency, shown) in [
            (n("3"), "GBP", "3.00"),
            (n("0.999"), "GBP", "0.999"),
            (n("-12.5"), "GBP", "-12.50"),
            (third("10"), "GBP", "≈3.33"),
            (third("-2"), "GBP", "≈-0.67"),
            (third("0.0001"), "GBP", "≈0.000033"),
            (n("150"), "JPY", "150"),
            (third("10"), "JPY", "≈3"),
            (n("1.125"), "KWD", "1.125"),
            (third("1"), "KWD", "≈0.333"),
            (third("1"), "XAU", "≈0.3333333333"),
            (n("0.5"), "XAU", "0.5"),
        ] {
            let mut out = String::new();
            money(&mut out, amount, cur(currency));
            assert_eq!(out, shown, "{amount:?} {currency}");
        }
        let mut out = String::new();
        percent(&mut out, V::Dec(Num::ratio(1, 3).unwrap_or(Num::ZERO)));
        assert_eq!(out, "≈33.3%");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(SignedDuration::from_secs(0)), "0s");
        assert_eq!(duration(SignedDuration::from_secs(90)), "1m 30s");
        assert_eq!(duration(SignedDuration::from_secs(26 * 3600 + 60)), "1d 2h 1m");
        assert_eq!(duration(SignedDuration::from_secs(-3600)), "-1h");
    }
}
