//! An aggregate of a quotient by a constant (`sum(record.fee / 100)`, `avg(record.paid / 7)`,
//! `min(-(record.cost / 2.5))`, `avg(record.score / 5 * 100)`), compiled exactly.
//!
//! Why it needs its own path: SQL would round each member's quotient, where the engine sums,
//! averages and orders the exact fractions. A value that is a product of values (at most two)
//! multiplied and divided by constants only is `x * p / q`, `x` the product of its values and
//! `p/q` (in lowest terms, `q` above zero) the product of its constants: every member is over the
//! same denominator `q`, so the aggregate is one of the numerators `x * p` over `q`: their sum,
//! their least or greatest, the one at a rank, ordered as the values are since `q` is above
//! zero. The group record then holds it as a fraction
//! ([`Slot::Ratio`]), compared across and shown as the engine shows it. A quotient by a field
//! (`sum(record.a / record.n)`), whose members have denominators of their own, is still left out.

use super::{Compiler, Unsupported};
use crate::engine::num::Num;
use crate::engine::program::{Arith, CExpr, Kind};
use crate::engine::value::Value;
use crate::sql::dialect::{Dialect, SqlType};

/// What the members of a group add up, or are ordered by: `num` (the `x{j}` column of each
/// record) over `den`, a whole number above zero, constant, `num` scaled by `10^scale` (Spark's
/// whole numbers, as [`Compiler::summand`] makes them).
pub struct OverConstant {
    /// Each record's numerator.
    pub num: String,
    /// The numerator's type.
    pub num_ty: SqlType,
    /// The denominator, constant.
    pub den: String,
    /// The places the numerator is scaled by.
    pub scale: u32,
    /// The places DuckDB gives the numerator: those of the dividend made a quotient's operand.
    pub places: u32,
}

impl Compiler<'_> {
    /// `e` as an [`OverConstant`] when it is a constant times at most two values that divide
    /// nothing, at least one constant a divisor (`record.a / 7`, `-(record.a / 2.5)`,
    /// `record.score / 5 * 100`, `(record.a / 100) * record.b`); `None` otherwise.
    pub fn over_constant(&mut self, e: &CExpr) -> Result<Option<OverConstant>, Unsupported> {
        let mut factors = Vec::new();
        let Some(k) = split(e, &mut factors) else { return Ok(None) };
        // No divisor written (`sum(record.a * 2)`): the value is summed as it is.
        if !divides(e) || k.is_zero() || factors.len() > 2 || factors.iter().any(|f| self.value_divides(f)) {
            return Ok(None);
        }
        let (p, q) = (k.numer(), k.denom());
        // The product of the values, and the places DuckDB gives it.
        let (num, num_ty, scale, places) = if self.dialect == Dialect::Spark {
            // Whole, so that no product drops places: the product of the whole numbers, and the
            // places they are scaled by.
            let mut nums = Vec::new();
            let mut scale = 0;
            for f in &factors {
                let x = self.fraction(f)?;
                let x = self.over_one(x, f)?;
                let x = self.integral(x)?;
                // A denominator that is not 1 reads the record (a choice or default of decimal
                // arithmetic): not one over the group.
                if !is_one(&x.den) {
                    return Ok(None);
                }
                nums.push(format!("({})", x.num));
                scale += x.scale;
            }
            if scale > super::MAX_SCALE {
                return Ok(None);
            }
            let num = if nums.is_empty() { "CAST(1 AS DECIMAL(38, 0))".to_string() } else { nums.join(" * ") };
            (num, SqlType::Int, scale, 0)
        } else {
            if factors.iter().map(|f| self.decimal_factors(f)).sum::<u32>() > 2 {
                return Ok(None);
            }
            let mut places = 0;
            let mut parts = Vec::new();
            for f in &factors {
                places += if self.multiplies_places(f) { super::FINE_KEY_PLACES } else { 10 };
                parts.push(self.quotient_operand(f)?);
            }
            let num = match parts.as_slice() {
                [] => "CAST(1 AS DECIMAL(38, 10))".to_string(),
                [x] => x.clone(),
                [x, y] => format!("(({x}) * ({y}))"),
                _ => return Ok(None),
            };
            (num, SqlType::Decimal, 0, places.max(10))
        };
        if places > super::FINE_KEY_PLACES {
            return Ok(None);
        }
        // The value is `x * p / q`, `q` above zero: `x * p` over `q`.
        let whole = |n: u128| format!("CAST({n} AS DECIMAL(38, 0))");
        let num = if p.unsigned_abs() == 1 { num } else { format!("(({num}) * {})", whole(p.unsigned_abs())) };
        let num = if p < 0 { format!("(-({num}))") } else { num };
        let den = whole(q.unsigned_abs());
        Ok(Some(OverConstant { num, num_ty, den, scale, places }))
    }
}

/// `e` as a constant times `factors` (values that are not constants), the constant returned;
/// `None` when `e` is not such a product (a sum, a choice, a quotient by a value) or the constant
/// does not fit.
fn split<'e>(e: &'e CExpr, factors: &mut Vec<&'e CExpr>) -> Option<Num> {
    if let Some(c) = constant(e) {
        return Some(c);
    }
    match e {
        CExpr::ToDec(x) => split(x, factors),
        // (Whole-number arithmetic is one value: the engine's overflows past 64 bits, where the
        // product folded here would not.)
        CExpr::Neg(Kind::Dec | Kind::Money, x) => split(x, factors).map(|k| -k),
        CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, x, c) => {
            let c = constant(c).filter(|c| !c.is_zero())?;
            split(x, factors)?.checked_div(c)
        }
        CExpr::Arith(Arith::Mul(Kind::Dec | Kind::Money), a, b) => {
            let ka = split(a, factors)?;
            ka.checked_mul(split(b, factors)?)
        }
        _ => {
            factors.push(e);
            Some(Num::ONE)
        }
    }
}

/// Whether SQL denominator `den` is 1: a product of ones, as [`Compiler::integral`] writes a
/// whole value's.
fn is_one(den: &str) -> bool {
    let mut numbers = den.split(['(', ')', ' ', '*']).filter(|t| !t.is_empty()).peekable();
    numbers.peek().is_some() && numbers.all(|t| t == "1")
}

/// Whether `e` divides, as [`split`] reads it: a quotient in it that `split` folds into its
/// constant. (A product without one is summed as it is, not as a fraction.)
fn divides(e: &CExpr) -> bool {
    match e {
        CExpr::Arith(Arith::Div(_) | Arith::MoneyRatio, _, _) => true,
        CExpr::ToDec(x) | CExpr::Neg(_, x) => divides(x),
        CExpr::Arith(Arith::Mul(_), a, b) => divides(a) || divides(b),
        _ => false,
    }
}

/// The value of `e` when it is a number or an amount written in the policy, or a product or
/// quotient of them (`3 / -2`).
fn constant(e: &CExpr) -> Option<Num> {
    // Whole numbers as the engine computes them: in 64 bits, no answer past them.
    let whole = |x: &CExpr| i64::try_from(constant(x)?.to_integer()?).ok();
    match e {
        CExpr::Const(Value::Int(n)) => Num::from_i128(i128::from(*n)),
        CExpr::Const(Value::Dec(n) | Value::Money(n)) => Some(*n),
        CExpr::ToDec(x) => constant(x),
        CExpr::Neg(Kind::Int, x) => Num::from_i128(i128::from(whole(x)?.checked_neg()?)),
        CExpr::Neg(_, x) => constant(x).map(|n| -n),
        CExpr::Arith(Arith::Mul(Kind::Int), a, b) => Num::from_i128(i128::from(whole(a)?.checked_mul(whole(b)?)?)),
        CExpr::Arith(Arith::Mul(_), a, b) => constant(a)?.checked_mul(constant(b)?),
        CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, a, b) => {
            constant(a)?.checked_div(constant(b).filter(|c| !c.is_zero())?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{constant, divides, is_one, split};
    use crate::engine::num::Num;
    use crate::engine::program::{Arith, CExpr, Kind, Root};
    use crate::engine::value::Value;

    fn field() -> CExpr {
        CExpr::Field(Root::Record, vec![0].into_boxed_slice())
    }

    fn div(x: CExpr, c: CExpr) -> CExpr {
        CExpr::Arith(Arith::Div(Kind::Dec), Box::new(x), Box::new(c))
    }

    #[test]
    fn a_product_with_constant_divisors_splits_into_its_values_and_a_constant() {
        let c = Num::parse("-7.125").unwrap();
        let e = CExpr::Neg(Kind::Dec, Box::new(div(field(), CExpr::Const(Value::Dec(c)))));
        let mut factors = Vec::new();
        assert_eq!(split(&e, &mut factors), Num::ratio(8, 57));
        assert_eq!(factors.len(), 1);
        assert!(matches!(factors[0], CExpr::Field(..)));
        // `record.x / 5 * 100` is twenty times the field.
        let scaled = CExpr::Arith(
            Arith::Mul(Kind::Dec),
            Box::new(div(field(), CExpr::Const(Value::Int(5)))),
            Box::new(CExpr::Const(Value::Int(100))),
        );
        let mut factors = Vec::new();
        assert_eq!(split(&scaled, &mut factors), Num::from_i128(20));
        assert!(divides(&scaled));
        // A divisor read from the record is not constant; nor is a zero one.
        assert!(split(&div(field(), field()), &mut Vec::new()).is_none());
        assert!(split(&div(field(), CExpr::Const(Value::Int(0))), &mut Vec::new()).is_none());
        assert!(constant(&field()).is_none());
        assert_eq!(constant(&div(CExpr::Const(Value::Int(3)), CExpr::Const(Value::Int(-2)))), Num::ratio(-3, 2));
        // Whole numbers overflow past 64 bits, as in the engine; a product of them is one value.
        let big = || CExpr::Const(Value::Int(4_000_000_000_000_000_000));
        let whole = CExpr::Arith(Arith::Mul(Kind::Int), Box::new(big()), Box::new(CExpr::Const(Value::Int(3))));
        assert!(constant(&whole).is_none());
        let read = CExpr::Arith(Arith::Mul(Kind::Int), Box::new(field()), Box::new(CExpr::Const(Value::Int(3))));
        let mut factors = Vec::new();
        let halved = div(CExpr::ToDec(Box::new(read)), CExpr::Const(Value::Int(2)));
        assert_eq!(split(&halved, &mut factors), Num::ratio(1, 2));
        assert!(matches!(factors.as_slice(), [CExpr::Arith(Arith::Mul(Kind::Int), ..)]));
        assert!(is_one("((1) * (1))") && is_one("1"));
        assert!(!is_one("11") && !is_one("") && !is_one("(1) * (r.x)") && !is_one("((1) * (10))"));
    }
}
