//! Group keys: a key's parts encoded as bytes to find its group in one lookup, kept as owned
//! values to show, and ordered so groups are judged (and reported) in key order.
//!
//! Separate from the grouping in [`super`] because the encoding must hold on its own: equal keys,
//! and only they, encode equally.

use std::cmp::Ordering;

use crate::engine::eval::compare;
use crate::engine::value::{Value, V};

/// Append a key part's bytes: a tag, then its value, so equal keys (and only they) encode equally.
/// False for a part with no value.
pub(super) fn encode(out: &mut Vec<u8>, v: V<'_>) -> bool {
    match v {
        V::Missing | V::NoAnswer(_) | V::Unreadable(_) | V::List(_) | V::Object(_) => return false,
        V::Bool(b) => out.extend([1, u8::from(b)]),
        V::Int(i) => {
            out.push(2);
            out.extend(i.to_le_bytes());
        }
        V::Dec(d) | V::Money(d) => {
            // Lowest terms: equal values have equal parts.
            out.push(3);
            out.extend(d.numer().to_le_bytes());
            out.extend(d.denom().to_le_bytes());
        }
        V::Text(t) => {
            out.push(4);
            out.extend((t.len() as u64).to_le_bytes());
            out.extend(t.as_bytes());
        }
        V::Enum(e) => {
            out.push(5);
            out.extend(e.to_le_bytes());
        }
        V::Date(d) => {
            out.push(6);
            out.extend(d.year().to_le_bytes());
            out.extend([d.month() as u8, d.day() as u8]);
        }
        V::DateTime(ts, _) => {
            out.push(7);
            out.extend(ts.as_nanosecond().to_le_bytes());
        }
        V::Duration(d) => {
            out.push(8);
            out.extend(d.as_nanos().to_le_bytes());
        }
    }
    true
}

/// An owned copy of a scalar value.
pub(super) fn owned(v: V<'_>) -> Value {
    match v {
        V::Missing => Value::Missing,
        V::NoAnswer(w) => Value::NoAnswer(w),
        V::Unreadable(i) => Value::Unreadable(i),
        V::Bool(b) => Value::Bool(b),
        V::Int(i) => Value::Int(i),
        V::Dec(d) => Value::Dec(d),
        V::Money(m) => Value::Money(m),
        V::Text(t) => Value::Text(t.into()),
        V::Enum(e) => Value::Enum(e),
        V::Date(d) => Value::Date(d),
        V::DateTime(t, o) => Value::DateTime(t, o),
        V::Duration(d) => Value::Duration(d),
        V::List(l) => Value::List(l.into()),
        V::Object(o) => Value::Object(o.into()),
    }
}

pub(super) fn cmp_keys(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        match compare(x.view(), y.view()) {
            Some(Ordering::Equal) | None => {}
            Some(o) => return o,
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn equal_keys_encode_equally() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode(&mut a, V::Dec(Decimal::new(150, 2).into()));
        encode(&mut b, V::Dec(Decimal::new(15, 1).into()));
        assert_eq!(a, b);
        let (mut c, mut d) = (Vec::new(), Vec::new());
        encode(&mut c, V::Text("ab"));
        encode(&mut c, V::Text("c"));
        encode(&mut d, V::Text("a"));
        encode(&mut d, V::Text("bc"));
        assert_ne!(c, d);
    }
}
