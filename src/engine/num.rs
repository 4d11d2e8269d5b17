//! Exact numbers: the arithmetic behind `decimal` and `money`, used by evaluation and aggregates.
//!
//! Every decimal and every amount of money is a fraction in lowest terms whose numerator and
//! denominator are each below 2^127 (about 1.7 × 10^38). Why a fraction and not a wider decimal:
//! a fixed-point decimal must round some quotient (`1 / 3`), and any fixed number of places must
//! round some product (`0.000000000000001 * 0.000000000000001`) or sum
//! (`9223372036854775807 + 0.0000000001`); a verdict would then depend on rounding the policy never
//! asked for. A fraction holds every sum, difference, product and quotient exactly; a result whose
//! lowest terms do not fit has **no answer** (like an integer overflow), never a rounded one.
//!
//! Why not an arbitrary-precision number throughout: evaluation is the hot path (millions of
//! records) and must not allocate. A [`Num`] is `Copy`, 32 bytes, and the common case (money with
//! two places, small decimals, whole numbers) is a few 128-bit operations and a gcd of small
//! numbers. Only a sum whose cross products overflow 128 bits (values of about 19 digits over
//! denominators of about 19 digits) takes a slow path through `num-bigint`, which decides exactly
//! whether the result fits; comparisons never allocate (a 256-bit cross product is computed by hand).

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;

/// An exact rational number: a decimal, an amount of money (its currency is in the type), or a
/// quotient of either.
// INVARIANT: `d >= 1`, gcd(|n|, d) == 1, and `n != i128::MIN` (so `-n` always fits). Lowest terms
// make equal values equal field by field, which `PartialEq`, `Hash` and group keys rely on.
//
// `packed(8)`: an `i128` is aligned to 16 bytes, which would make every record value 48 bytes; at 8
// a value is 40. Fields are only ever copied out, never borrowed, as packing requires.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, packed(8))]
pub struct Num {
    n: i128,
    d: i128,
}

impl Num {
    /// Zero.
    pub const ZERO: Num = Num { n: 0, d: 1 };
    /// One.
    pub const ONE: Num = Num { n: 1, d: 1 };

    /// `n / d` in lowest terms; `None` when `d` is zero or the value's lowest terms do not fit.
    pub fn ratio(n: i128, d: i128) -> Option<Num> {
        if d == 0 {
            return None;
        }
        Num::from_parts((n < 0) != (d < 0), n.unsigned_abs(), d.unsigned_abs())
    }

    /// A whole number held in 128 bits; `None` only for `i128::MIN`.
    pub fn from_i128(n: i128) -> Option<Num> {
        (n != i128::MIN).then_some(Num { n, d: 1 })
    }

    /// A count.
    pub fn from_u64(n: u64) -> Num {
        Num { n: i128::from(n), d: 1 }
    }

    /// True for zero (a divisor that gives no answer).
    pub fn is_zero(self) -> bool {
        self.n == 0
    }

    /// The numerator in lowest terms (carries the sign).
    pub fn numer(self) -> i128 {
        self.n
    }

    /// The denominator in lowest terms (at least 1).
    pub fn denom(self) -> i128 {
        self.d
    }

    /// The value as a whole number, when it is one.
    pub fn to_integer(self) -> Option<i128> {
        (self.d == 1).then_some(self.n)
    }

    /// Reduce `±n / d` and check that it fits.
    fn from_parts(negative: bool, n: u128, d: u128) -> Option<Num> {
        if d == 0 {
            return None;
        }
        let g = gcd(n, d);
        let (n, d) = (n / g, d / g);
        let n = i128::try_from(n).ok()?;
        let d = i128::try_from(d).ok()?;
        Some(Num { n: if negative { -n } else { n }, d })
    }

    /// A numerator and denominator already in lowest terms (`d >= 1`), checked against the bounds.
    fn lowest(n: i128, d: i128) -> Option<Num> {
        (n != i128::MIN && d >= 1).then_some(Num { n, d })
    }

    /// Parse the decimal text of a literal or a limit: an optional sign, digits, and optionally a
    /// point and more digits (`12`, `-0.125`, `50.00`). Exact, or `None` when the text is not such a
    /// number or its value does not fit.
    pub fn parse(text: &str) -> Option<Num> {
        let (negative, whole, frac) = decimal_parts(text)?;
        // Trailing zeros after the point change nothing, so they cannot make a value not fit.
        let frac = frac.trim_end_matches('0');
        let mut n: u128 = 0;
        for b in whole.bytes().chain(frac.bytes()) {
            n = n.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
        }
        let d = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        Num::from_parts(negative, n, d)
    }

    /// The quotient of two decimal texts (each as [`Num::parse`] reads one), exact, in lowest
    /// terms; `None` when either is not such a text, `denominator` is zero, or the quotient's
    /// lowest terms do not fit. Either text may pass 128 bits: a database writes a quotient's
    /// parts as it computed them, unreduced (PostgreSQL's `NUMERIC` has no bound), and a value
    /// the engine holds may be written as `8999999999999999993.40000000000000000057/9`.
    pub fn parse_ratio(numerator: &str, denominator: &str) -> Option<Num> {
        if let (Some(n), Some(d)) = (Num::parse(numerator), Num::parse(denominator)) {
            return n.checked_div(d);
        }
        big_ratio(numerator, denominator)
    }

    /// `self + o`, exact; `None` when the sum's lowest terms do not fit.
    #[inline]
    pub fn checked_add(self, o: Num) -> Option<Num> {
        if self.d == o.d {
            if let Some(n) = self.n.checked_add(o.n) {
                // Same denominator (money in pence, whole numbers): only a common factor of the new
                // numerator and the denominator is left to take out.
                return if self.d == 1 { Num::lowest(n, 1) } else { Num::ratio(n, self.d) };
            }
            return big_add(self, o);
        }
        // Knuth's method (TAOCP 4.5.1): keeps the numbers small, and its result is in lowest terms.
        let g = gcd(self.d.unsigned_abs(), o.d.unsigned_abs()) as i128;
        let (sd, od) = (self.d / g, o.d / g);
        let fast = || {
            let t = self.n.checked_mul(od)?.checked_add(o.n.checked_mul(sd)?)?;
            let g2 = gcd(t.unsigned_abs(), g.unsigned_abs()) as i128;
            Num::lowest(t / g2, sd.checked_mul(o.d / g2)?)
        };
        fast().or_else(|| big_add(self, o))
    }

    /// `self - o`, exact; `None` when the difference's lowest terms do not fit.
    #[inline]
    pub fn checked_sub(self, o: Num) -> Option<Num> {
        self.checked_add(-o)
    }

    /// `self * o`, exact; `None` when the product's lowest terms do not fit.
    #[inline]
    pub fn checked_mul(self, o: Num) -> Option<Num> {
        if self.d == 1 && o.d == 1 {
            return Num::lowest(self.n.checked_mul(o.n)?, 1);
        }
        // Cancelling across first leaves the product in lowest terms, so an overflow here means
        // the exact product itself does not fit.
        let g1 = gcd(self.n.unsigned_abs(), o.d.unsigned_abs()) as i128;
        let g2 = gcd(o.n.unsigned_abs(), self.d.unsigned_abs()) as i128;
        let n = (self.n / g1).checked_mul(o.n / g2)?;
        let d = (self.d / g2).checked_mul(o.d / g1)?;
        Num::lowest(n, d)
    }

    /// `self / o`, exact (`1 / 3` is one third, not 0.333…); `None` when `o` is zero or the
    /// quotient's lowest terms do not fit.
    #[inline]
    pub fn checked_div(self, o: Num) -> Option<Num> {
        if o.n == 0 {
            return None;
        }
        // The reciprocal of a fraction in lowest terms is in lowest terms.
        let recip = if o.n < 0 { Num { n: -o.d, d: -o.n } } else { Num { n: o.d, d: o.n } };
        self.checked_mul(recip)
    }

    /// The decimal expansion's length after the point, when it ends (the denominator has no prime
    /// factor but 2 and 5).
    pub fn terminating_places(self) -> Option<u32> {
        let mut d = self.d.unsigned_abs();
        let twos = d.trailing_zeros();
        d >>= twos;
        let mut fives = 0;
        while d.is_multiple_of(5) {
            d /= 5;
            fives += 1;
        }
        (d == 1).then_some(twos.max(fives))
    }

    /// Write the value in decimal for people to read, and whether what was written is exact.
    ///
    /// A value whose expansion ends is written exactly, with at least `min_places` places (money
    /// shows its pence: `3.50`). One that does not end (`1/3`) is rounded half away from zero to
    /// `places` places, or further when needed to show `sig` significant digits of a small value
    /// (`1/3 × 10^-20`), and the caller marks it as rounded.
    pub fn to_decimal(self, min_places: u32, places: u32, sig: u32) -> (String, bool) {
        let (p, exact) = match self.terminating_places() {
            Some(p) => (p.max(min_places), true),
            // Significant digits matter only below 1: `≈3.33` has enough of them.
            None if self.n.unsigned_abs() >= self.d.unsigned_abs() => (places, false),
            None => (places.max(self.leading_zeros().saturating_add(sig)), false),
        };
        let scale = BigInt::from(10u8).pow(p);
        let m = BigInt::from(self.n.unsigned_abs()) * scale;
        let d = BigInt::from(self.d);
        let mut q = &m / &d;
        if !exact && (&m % &d) * 2u8 >= d {
            q += 1u8;
        }
        let digits = q.to_string();
        let p = p as usize;
        let mut out = String::with_capacity(digits.len() + 3);
        if self.n < 0 && digits.bytes().any(|b| b != b'0') {
            out.push('-');
        }
        if digits.len() <= p {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', p - digits.len()));
            out.push_str(&digits);
        } else {
            let (int, frac) = digits.split_at(digits.len() - p);
            out.push_str(int);
            if p > 0 {
                out.push('.');
                out.push_str(frac);
            }
        }
        (out, exact)
    }

    /// Zeros between the point and the first significant digit of a value below 1 (0 otherwise).
    fn leading_zeros(self) -> u32 {
        let (n, d) = (self.n.unsigned_abs(), self.d.unsigned_abs());
        if n == 0 || n >= d {
            return 0;
        }
        let (n, d) = (BigInt::from(n), BigInt::from(d));
        let mut zeros = 0;
        let mut scaled = n * 10u8;
        while scaled < d {
            scaled *= 10u8;
            zeros += 1;
        }
        zeros
    }
}

impl From<i64> for Num {
    fn from(i: i64) -> Num {
        Num { n: i128::from(i), d: 1 }
    }
}

/// Readers hold a record's decimal text in a `rust_decimal::Decimal` first (at most 96 bits and 28
/// places, see `crate::data::convert`), which always fits.
impl From<rust_decimal::Decimal> for Num {
    fn from(v: rust_decimal::Decimal) -> Num {
        let d = 10u128.pow(v.scale().min(28));
        Num::from_parts(v.is_sign_negative(), v.mantissa().unsigned_abs(), d).unwrap_or(Num::ZERO)
    }
}

/// `-x` always fits: the numerator is never `i128::MIN`.
impl std::ops::Neg for Num {
    type Output = Num;
    #[inline]
    fn neg(self) -> Num {
        Num { n: -self.n, d: self.d }
    }
}

impl std::str::FromStr for Num {
    type Err = ();
    fn from_str(s: &str) -> Result<Num, ()> {
        Num::parse(s).ok_or(())
    }
}

impl Ord for Num {
    #[inline]
    fn cmp(&self, o: &Num) -> Ordering {
        if self.d == o.d {
            let (a, b) = (self.n, o.n);
            return a.cmp(&b);
        }
        match self.n.signum().cmp(&o.n.signum()) {
            Ordering::Equal => {}
            other => return other,
        }
        if let (Some(a), Some(b)) = (self.n.checked_mul(o.d), o.n.checked_mul(self.d)) {
            return a.cmp(&b);
        }
        // Same sign, and a cross product beyond 128 bits: compare the magnitudes in 256 bits.
        let a = mul_wide(self.n.unsigned_abs(), o.d.unsigned_abs());
        let b = mul_wide(o.n.unsigned_abs(), self.d.unsigned_abs());
        if self.n < 0 {
            b.cmp(&a)
        } else {
            a.cmp(&b)
        }
    }
}

impl PartialOrd for Num {
    #[inline]
    fn partial_cmp(&self, o: &Num) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Exact decimal when the expansion ends, else `≈` and ten places (or ten significant digits).
impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, exact) = self.to_decimal(0, 10, 10);
        if !exact {
            f.write_str(ROUNDED)?;
        }
        f.write_str(&s)
    }
}

/// `n/d`, to tell apart values that display alike.
impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.d == 1 {
            write!(f, "{}", { self.n })
        } else {
            write!(f, "{}/{}", { self.n }, { self.d })
        }
    }
}

/// What marks a value shown rounded: it is never to be read as the exact value.
pub const ROUNDED: &str = "≈";

/// The greatest common divisor (binary gcd); `gcd(0, x) == x`.
#[inline]
fn gcd(a: u128, b: u128) -> u128 {
    if a == 0 || b == 0 {
        return a | b;
    }
    if let (Ok(a), Ok(b)) = (u64::try_from(a), u64::try_from(b)) {
        return u128::from(gcd64(a, b));
    }
    let shift = (a | b).trailing_zeros();
    let (mut a, mut b) = (a >> a.trailing_zeros(), b);
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

#[inline]
fn gcd64(a: u64, b: u64) -> u64 {
    let shift = (a | b).trailing_zeros();
    let (mut a, mut b) = (a >> a.trailing_zeros(), b);
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// The full 256-bit product of two 128-bit numbers, as (high, low) halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    let ll = a_lo * b_lo;
    let lh = a_lo * b_hi;
    let hl = a_hi * b_lo;
    let hh = a_hi * b_hi;
    let mid = (ll >> 64) + (lh & MASK) + (hl & MASK);
    let lo = (ll & MASK) | (mid << 64);
    let hi = hh + (lh >> 64) + (hl >> 64) + (mid >> 64);
    (hi, lo)
}

/// A sum whose cross products overflow 128 bits, computed exactly; `None` when it does not fit.
#[cold]
fn big_add(a: Num, b: Num) -> Option<Num> {
    let n = BigInt::from(a.n) * BigInt::from(b.d) + BigInt::from(b.n) * BigInt::from(a.d);
    let d = BigInt::from(a.d) * BigInt::from(b.d);
    let g = big_gcd(n.magnitude().clone().into(), d.clone());
    let (n, d) = (n / &g, d / g);
    Num::lowest(i128::try_from(&n).ok()?, i128::try_from(&d).ok()?)
}

/// The sign, whole digits and digits after the point of a decimal text (`-12.50` is `(true,
/// "12", "50")`): an optional sign, digits, and optionally a point and more digits; `None` for
/// anything else.
fn decimal_parts(text: &str) -> Option<(bool, &str, &str)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (body.contains('.') && frac.is_empty()) {
        return None;
    }
    Some((negative, whole, frac))
}

/// A decimal text as a whole number and its places (`-12.50` is `(-1250, 2)`), as [`Num::parse`]
/// reads it; any length.
fn big_decimal(text: &str) -> Option<(BigInt, usize)> {
    let (negative, whole, frac) = decimal_parts(text)?;
    let digits: Vec<u8> = whole.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let n = BigInt::from_radix_be(num_bigint::Sign::Plus, &digits, 10)?;
    Some((if negative { -n } else { n }, frac.len()))
}

/// The longest part of a quotient [`Num::parse_ratio`] reads (with its sign and point): far more
/// than any unreduced part of a value the engine holds needs.
const MAX_RATIO_DIGITS: usize = 1_000;

/// [`Num::parse_ratio`] of texts that do not both fit: `(a / 10^p) / (b / 10^q)` is
/// `(a * 10^q) / (b * 10^p)`, reduced.
#[cold]
fn big_ratio(numerator: &str, denominator: &str) -> Option<Num> {
    // The parts of a quotient the engine holds, written unreduced, run to tens of digits; a text
    // read from a file may be of any length, and exact arithmetic on it grows with its square.
    if numerator.len().max(denominator.len()) > MAX_RATIO_DIGITS {
        return None;
    }
    let ((a, p), (b, q)) = (big_decimal(numerator)?, big_decimal(denominator)?);
    let ten = BigInt::from(10u8);
    let n = a * ten.pow(u32::try_from(q).ok()?);
    let d = b * ten.pow(u32::try_from(p).ok()?);
    if d == BigInt::from(0u8) {
        return None;
    }
    let negative = (n.sign() == num_bigint::Sign::Minus) != (d.sign() == num_bigint::Sign::Minus);
    let (n, d): (BigInt, BigInt) = (n.magnitude().clone().into(), d.magnitude().clone().into());
    let g = big_gcd(n.clone(), d.clone());
    let (n, d) = (i128::try_from(&(n / &g)).ok()?, i128::try_from(&(d / g)).ok()?);
    Num::lowest(if negative { -n } else { n }, d)
}

/// Euclid's gcd of two non-negative big numbers, on the slow path only.
fn big_gcd(mut a: BigInt, mut b: BigInt) -> BigInt {
    let zero = BigInt::from(0u8);
    while b != zero {
        let r = &a % &b;
        a = b;
        b = r;
    }
    if a == zero {
        BigInt::from(1u8)
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Num {
        Num::parse(s).unwrap_or(Num::ZERO)
    }

    #[test]
    fn the_issue_examples_are_exact() {
        let big = n("9223372036854775807");
        let tiny = n("0.0000000001");
        assert_ne!(big.checked_add(tiny), Some(big));
        let d = n("0.000000000000001");
        assert!(d.checked_mul(d).is_some_and(|p| p > Num::ZERO));
        let third = Num::ONE.checked_div(Num::from(3i64));
        assert_eq!(third.and_then(|t| t.checked_mul(Num::from(3i64))), Some(Num::ONE));
    }

    /// Quotients written by a database, whose parts may pass 128 bits while the quotient fits;
    /// checked against [`Num::parse`] of the value and against each other.
    #[test]
    fn ratios_of_texts_past_128_bits_are_read_exactly() {
        let max = Num::from_i128(i128::MAX);
        // 2^128 - 2 over 2 is 2^127 - 1, the largest numerator held.
        assert_eq!(Num::parse_ratio("340282366920938463463374607431768211454", "2"), max);
        assert_eq!(Num::parse_ratio("34028236692093846346337460743176821145.4", "0.2"), max);
        assert_eq!(Num::parse_ratio("-340282366920938463463374607431768211454", "2"), max.map(|m| -m));
        assert_eq!(Num::parse_ratio("340282366920938463463374607431768211454", "-2.0"), max.map(|m| -m));
        // One past it does not fit.
        assert_eq!(Num::parse_ratio("340282366920938463463374607431768211456", "2"), None);
        // A numerator of 39 digits with 20 places over 9 (as PostgreSQL writes an average
        // times an average), equal to the fraction of its lowest terms.
        let big = "8999999999999999993.40000000000000000057";
        let third = Num::parse_ratio(big, "9");
        assert_eq!(third, Num::parse_ratio("899999999999999999340000000000000000057", "900000000000000000000"));
        let n3 = third.map(|t| t.checked_mul(Num::from(9i64)));
        assert_eq!(n3, Some(Num::parse_ratio(big, "1")));
        assert_eq!(Num::parse_ratio("1.5", "-0.5"), Some(Num::from(-3i64)));
        assert_eq!(Num::parse_ratio("12", "4"), Some(Num::from(3i64)));
        for (a, b) in [("1", "0"), ("1", "0.000"), ("1e5", "2"), ("", "2"), ("1.", "2"), ("2", "--1"), ("x", "1")] {
            assert_eq!(Num::parse_ratio(a, b), None, "{a}/{b}");
        }
        // Past a thousand characters a part is not read (a file's text may be of any length).
        let long = format!("1{}", "0".repeat(999));
        assert_eq!(Num::parse_ratio(&long, &long), Some(Num::ONE));
        let longer = format!("{long}0");
        assert_eq!(Num::parse_ratio(&longer, &longer), None);
        let huge = "1".repeat(60);
        assert_eq!(Num::parse_ratio(&huge, "0"), None);
        assert_eq!(Num::parse_ratio(&huge, &huge), Some(Num::ONE));
        assert_eq!(Num::parse_ratio(&format!("-{huge}0"), &huge), Some(Num::from(-10i64)));
    }

    #[test]
    fn lowest_terms_make_equal_values_equal() {
        assert_eq!(n("12.50"), n("12.5"));
        assert_eq!(n("0.10"), Num::ratio(1, 10).unwrap_or(Num::ZERO));
        assert_eq!(Num::ratio(-6, -4), Num::ratio(3, 2));
        assert_eq!(Num::ratio(6, -4), Num::ratio(-3, 2));
        assert_eq!(n("-0"), Num::ZERO);
        assert_eq!(Num::from(rust_decimal::Decimal::new(-1250, 2)), n("-12.5"));
    }

    #[test]
    fn results_that_do_not_fit_have_no_answer() {
        let max = Num::from_i128(i128::MAX).unwrap_or(Num::ZERO);
        assert_eq!(max.checked_add(Num::ONE), None);
        assert_eq!((-max).checked_sub(Num::ONE), None);
        assert_eq!(max.checked_mul(Num::from(2i64)), None);
        assert_eq!(Num::ONE.checked_div(Num::ZERO), None);
        let tiny = n("0.00000000000000000001");
        assert_eq!(tiny.checked_mul(tiny), None, "10^-40 needs a denominator of 10^40");
        assert_eq!(Num::from_i128(i128::MIN), None);
        assert_eq!(Num::parse("1.0000000000000000000000000000000000000000000"), Some(Num::ONE));
        assert_eq!(Num::parse("170141183460469231731687303715884105728"), None);
        assert!(Num::parse("170141183460469231731687303715884105727").is_some());
    }

    #[test]
    fn sums_beyond_the_fast_path_are_exact() {
        // Cross products overflow 128 bits, but the sum fits.
        let a = Num::ratio(i128::MAX - 1, 3).unwrap_or(Num::ZERO);
        let b = Num::ratio(-(i128::MAX - 2), 3).unwrap_or(Num::ZERO);
        assert_eq!(a.checked_add(b), Num::ratio(1, 3));
        // 2^127 - 1 is prime: M/6 - M/10 = M/15 fits, though M × 10 does not; 4M/77 does not fit.
        let c = Num::ratio(i128::MAX, 6).unwrap_or(Num::ZERO);
        let e = Num::ratio(-i128::MAX, 10).unwrap_or(Num::ZERO);
        assert_eq!(c.checked_add(e), Num::ratio(i128::MAX, 15));
        let f = Num::ratio(i128::MAX, 7).unwrap_or(Num::ZERO);
        let h = Num::ratio(-i128::MAX, 11).unwrap_or(Num::ZERO);
        assert_eq!(f.checked_add(h), None);
        assert!(c > e && -c < c);
    }

    #[test]
    fn comparisons_are_exact_across_wide_cross_products() {
        let a = Num::ratio(i128::MAX, i128::MAX - 1).unwrap_or(Num::ZERO);
        let b = Num::ratio(i128::MAX - 1, i128::MAX - 2).unwrap_or(Num::ZERO);
        // a = 1 + 1/(M-1) < b = 1 + 1/(M-2).
        assert_eq!(a.cmp(&b), Ordering::Less);
        assert_eq!((-a).cmp(&-b), Ordering::Greater);
        assert_eq!(a.cmp(&a), Ordering::Equal);
    }

    #[test]
    fn gcd_agrees_with_euclid() {
        fn euclid(mut a: u128, mut b: u128) -> u128 {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        }
        let mut x: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834;
        for _ in 0..2000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let (a, b) = (x >> (x % 120) as u32, x.rotate_left(17) >> (x % 97) as u32);
            assert_eq!(gcd(a, b), euclid(a, b), "{a} {b}");
            if let (Some(a6), Some(b6)) = (a.checked_mul(6), b.checked_mul(6)) {
                assert_eq!(gcd(a6, b6), euclid(a6, b6));
            }
        }
    }

    #[test]
    fn a_number_is_32_bytes_aligned_to_8() {
        // Record values hold a `Num` inline: packing keeps them at 40 bytes rather than 48.
        assert_eq!((std::mem::size_of::<Num>(), std::mem::align_of::<Num>()), (32, 8));
    }

    #[test]
    fn wide_products_are_right() {
        assert_eq!(mul_wide(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(mul_wide(1 << 64, 1 << 64), (1, 0));
        assert_eq!(mul_wide(3, 5), (0, 15));
    }

    #[test]
    fn shown_exactly_when_the_expansion_ends() {
        assert_eq!(n("0.999").to_decimal(2, 2, 2), ("0.999".to_string(), true));
        assert_eq!(n("3").to_decimal(2, 2, 2), ("3.00".to_string(), true));
        assert_eq!(n("-0.5").to_decimal(0, 10, 10), ("-0.5".to_string(), true));
        let third = Num::ratio(10, 3).unwrap_or(Num::ZERO);
        assert_eq!(third.to_decimal(2, 2, 2), ("3.33".to_string(), false));
        assert_eq!((-third).to_decimal(0, 10, 10), ("-3.3333333333".to_string(), false));
        let two_thirds = Num::ratio(2, 3).unwrap_or(Num::ZERO);
        assert_eq!(two_thirds.to_decimal(0, 1, 1), ("0.7".to_string(), false));
        let small = Num::ratio(1, 3 * 10i128.pow(20)).unwrap_or(Num::ZERO);
        assert_eq!(small.to_decimal(0, 10, 3), ("0.00000000000000000000333".to_string(), false));
        assert_eq!(n("0.000000000000000000000000000001").to_string(), "0.000000000000000000000000000001");
        assert_eq!(Num::ratio(1, 3).map(|t| t.to_string()), Some("≈0.3333333333".to_string()));
        // Yen have no places: a third of 10 yen is about 3, a third of a yen about 0.3.
        assert_eq!(third.to_decimal(0, 0, 1), ("3".to_string(), false));
        assert_eq!(Num::ratio(1, 3).map(|t| t.to_decimal(0, 0, 1)), Some(("0.3".to_string(), false)));
    }
}
