//! Running totals: one per aggregate of a group, folded a record at a time and turned into the
//! aggregate's value at the end, exactly (integers and fractions, never floats).
//!
//! Separate from the grouping in [`super`] because it knows nothing of groups or rules: it is the
//! arithmetic of `count`, `share`, `sum`, `avg`, `min`, `max` and `percentile`.

use std::cmp::Ordering;

use jiff::SignedDuration;
use rust_decimal::Decimal;

use super::keys::owned;
use crate::engine::eval::compare;
use crate::engine::num::Num;
use crate::engine::program::{AggKind, Kind};
use crate::engine::value::{Value, Why, V};

/// A running total.
#[derive(Debug, Clone)]
pub(super) enum Acc {
    /// Records counted.
    Count(u64),
    /// A sum of numbers, money or durations; `None` once it overflows.
    Sum(Option<Total>, u64),
    /// The least or greatest value seen.
    Extreme(Option<Value>),
    /// Every value present, for an exact percentile.
    Values(Vec<Value>),
}

/// An exact total.
#[derive(Debug, Clone, Copy)]
pub(super) enum Total {
    Int(i128),
    Dec(Num),
    Nanos(i128),
}
pub(super) fn empty(kind: AggKind) -> Acc {
    match kind {
        AggKind::Count | AggKind::CountWhere | AggKind::Share => Acc::Count(0),
        AggKind::Sum(k) | AggKind::Avg(k) => Acc::Sum(Some(zero(k)), 0),
        AggKind::Min(_) | AggKind::Max(_) => Acc::Extreme(None),
        AggKind::Percentile(..) => Acc::Values(Vec::new()),
    }
}

fn zero(k: Kind) -> Total {
    match k {
        Kind::Int => Total::Int(0),
        Kind::Duration => Total::Nanos(0),
        _ => Total::Dec(Num::ZERO),
    }
}

pub(super) fn fold(acc: &mut Acc, kind: AggKind, v: V<'_>) {
    match acc {
        Acc::Count(n) => {
            if kind == AggKind::Count || v.is_true() {
                *n += 1;
            }
        }
        Acc::Sum(total, n) => {
            if v == V::Missing {
                return;
            }
            *n += 1;
            *total = match (*total, v) {
                (Some(Total::Int(t)), V::Int(i)) => t.checked_add(i128::from(i)).map(Total::Int),
                (Some(Total::Dec(t)), V::Dec(d) | V::Money(d)) => t.checked_add(d).map(Total::Dec),
                (Some(Total::Nanos(t)), V::Duration(d)) => t.checked_add(d.as_nanos()).map(Total::Nanos),
                _ => None,
            };
        }
        Acc::Extreme(best) => {
            if v == V::Missing {
                return;
            }
            let want = if matches!(kind, AggKind::Min(_)) { Ordering::Less } else { Ordering::Greater };
            let better = match best {
                None => true,
                Some(b) => compare(v, b.view()) == Some(want),
            };
            if better {
                *best = Some(owned(v));
            }
        }
        Acc::Values(vals) => {
            if v != V::Missing {
                vals.push(owned(v));
            }
        }
    }
}

/// The aggregate's value for a group of `records` records.
pub(super) fn result(acc: &mut Acc, kind: AggKind, records: u64) -> Value {
    match (acc, kind) {
        (Acc::Count(n), AggKind::Share) => {
            if records == 0 {
                Value::Missing
            } else {
                Num::ratio(i128::from(*n), i128::from(records)).map_or(Value::Missing, Value::Dec)
            }
        }
        (Acc::Count(n), _) => i64::try_from(*n).map_or(Value::NoAnswer(Why::Overflow), Value::Int),
        (Acc::Sum(Some(t), _), AggKind::Sum(k)) => total(*t, k, 1),
        (Acc::Sum(Some(t), n), AggKind::Avg(k)) if *n > 0 => total(*t, k, *n),
        // A total too large to hold has no answer; the average of no values has no value.
        (Acc::Sum(None, _), _) => Value::NoAnswer(Why::Overflow),
        (Acc::Sum(..), _) => Value::Missing,
        (Acc::Extreme(best), _) => best.take().unwrap_or(Value::Missing),
        (Acc::Values(vals), AggKind::Percentile(_, p)) => {
            if vals.is_empty() {
                return Value::Missing;
            }
            vals.sort_by(|a, b| compare(a.view(), b.view()).unwrap_or(Ordering::Equal));
            let rank = nearest_rank(p, vals.len());
            vals.get(rank.min(vals.len()).max(1) - 1).cloned().unwrap_or(Value::Missing)
        }
        (Acc::Values(_), _) => Value::Missing,
    }
}

/// The nearest rank of percentile `p` (above 0, at most 100) among `n` values: the least `r` with
/// at least `p`% of them at or below the `r`-th, `ceil(p * n / 100)`, counted in whole numbers.
/// In decimals (`p / 100 * n`, 28 significant digits) a product past them was rounded, and the
/// rank could fall one short: `percentile(x, 88.88888888888888888888888889)` of 9 values is
/// exactly 8 and a little over, the 9th, where the decimal product rounded it to the 8th.
fn nearest_rank(p: Decimal, n: usize) -> usize {
    // p = m / 10^s, so the rank is ceil(m * n / (100 * 10^s)); 100 * 10^28 fits in 128 bits.
    let m = p.mantissa().unsigned_abs();
    let den = 100u128 * 10u128.pow(p.scale());
    let n128 = n as u128;
    let rank = match m.checked_mul(n128) {
        Some(x) => x.div_ceil(den),
        // m below 2^96 and n below 2^64: past 128 bits only for groups of billions of values.
        None => {
            let x = num_bigint::BigUint::from(m) * num_bigint::BigUint::from(n128);
            let den = num_bigint::BigUint::from(den);
            let q = (&x + &den - 1u32) / den;
            u128::try_from(q).unwrap_or(u128::MAX)
        }
    };
    usize::try_from(rank).unwrap_or(usize::MAX).max(1)
}

fn total(t: Total, k: Kind, n: u64) -> Value {
    match t {
        Total::Int(i) if n == 1 => i64::try_from(i).map_or(Value::NoAnswer(Why::Overflow), Value::Int),
        // An average is exact (`avg(1, 1, 2)` is four thirds), as a fraction.
        Total::Int(i) => Num::ratio(i, i128::from(n)).map_or(Value::NoAnswer(Why::Overflow), Value::Dec),
        Total::Dec(d) => match d.checked_div(Num::from_u64(n)) {
            Some(d) if k == Kind::Money => Value::Money(d),
            Some(d) => Value::Dec(d),
            None => Value::NoAnswer(Why::Overflow),
        },
        Total::Nanos(x) => {
            let x = x / i128::from(n);
            let secs = i64::try_from(x / 1_000_000_000);
            let nanos = i32::try_from(x % 1_000_000_000);
            match (secs, nanos) {
                (Ok(s), Ok(ns)) => Value::Duration(SignedDuration::new(s, ns)),
                _ => Value::NoAnswer(Why::Overflow),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(values: &[i64], p: i64) -> Value {
        let mut acc = Acc::Values(values.iter().map(|&v| Value::Int(v)).collect());
        result(&mut acc, AggKind::Percentile(Kind::Int, Decimal::from(p)), values.len() as u64)
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v = [15, 20, 35, 40, 50];
        assert_eq!(pct(&v, 5), Value::Int(15));
        assert_eq!(pct(&v, 30), Value::Int(20));
        assert_eq!(pct(&v, 40), Value::Int(20));
        assert_eq!(pct(&v, 50), Value::Int(35));
        assert_eq!(pct(&v, 100), Value::Int(50));
    }

    #[test]
    fn a_rank_past_28_digits_is_not_rounded_down() {
        let v: Vec<i64> = (1..=9).collect();
        let mut acc = Acc::Values(v.iter().map(|&v| Value::Int(v)).collect());
        let p = Decimal::from_str_exact("88.88888888888888888888888889").unwrap_or_default();
        // 9 times p% is 8.0000000000000000000000000001: the 9th value.
        assert_eq!(result(&mut acc, AggKind::Percentile(Kind::Int, p), 9), Value::Int(9));
        assert_eq!(nearest_rank(Decimal::ONE_HUNDRED, usize::MAX), usize::MAX);
        assert_eq!(nearest_rank(Decimal::new(1, 28), usize::MAX), 1);
        // Past 128 bits: p's 28 digits times the most values a group could hold.
        assert_eq!(nearest_rank(p, usize::MAX), 16_397_105_843_297_379_214);
    }

    use proptest::prelude::{Just, Strategy};

    proptest::proptest! {
        /// The rank against a model that counts instead of dividing: the least `r` whose `r / n`
        /// is at least `p / 100`, compared as whole numbers of any size.
        #[test]
        fn ranks_are_the_least_that_reach_p_percent(
            (m, s) in (0u32..=28).prop_flat_map(|s| (1u128..=(100 * 10u128.pow(s)).min(Decimal::MAX.mantissa() as u128), Just(s))),
            n in 1usize..300,
        ) {
            use num_bigint::BigUint;
            let p = Decimal::from_i128_with_scale(i128::try_from(m).unwrap_or(1), s);
            let (m, s) = (BigUint::from(p.mantissa().unsigned_abs()), p.scale());
            let reaches = |r: usize| BigUint::from(r) * 100u32 * BigUint::from(10u32).pow(s) >= &m * BigUint::from(n);
            let model = (1..=n).find(|&r| reaches(r)).unwrap_or(n);
            proptest::prop_assert_eq!(nearest_rank(p, n), model);
        }

        /// The same, for the ranks decimals got wrong: `p` of 26 to 28 places whose `p * n /
        /// 100` is a whole number `k` and a few units of the last place.
        #[test]
        fn ranks_just_past_a_whole_number_are_the_next(s in 26u32..=28, n in 2u128..300, k in 1u128..300) {
            use num_bigint::BigUint;
            let den = 100 * 10u128.pow(s);
            let r = (n - (k * den) % n) % n;
            let m = (k * den + r) / n;
            proptest::prop_assume!(k < n && r > 0 && m <= Decimal::MAX.mantissa() as u128);
            let p = Decimal::from_i128_with_scale(i128::try_from(m).unwrap_or(1), s);
            let n = n as usize;
            let reaches = |r: usize| BigUint::from(r) * BigUint::from(den) >= BigUint::from(m) * BigUint::from(n);
            let model = (1..=n).find(|&r| reaches(r)).unwrap_or(n);
            proptest::prop_assert_eq!(model, k as usize + 1);
            proptest::prop_assert_eq!(nearest_rank(p, n), model);
        }
    }

    #[test]
    fn shares_and_averages_are_exact() {
        let mut share = Acc::Count(0);
        for b in [true, false, false] {
            fold(&mut share, AggKind::Share, V::Bool(b));
        }
        assert_eq!(result(&mut share, AggKind::Share, 3), Value::Dec(Num::ratio(1, 3).unwrap_or(Num::ZERO)));
        let mut avg = empty(AggKind::Avg(Kind::Duration));
        for s in [60, 120, 0] {
            fold(&mut avg, AggKind::Avg(Kind::Duration), V::Duration(SignedDuration::from_secs(s)));
        }
        fold(&mut avg, AggKind::Avg(Kind::Duration), V::Missing);
        assert_eq!(result(&mut avg, AggKind::Avg(Kind::Duration), 4), Value::Duration(SignedDuration::from_secs(60)));
    }
}
