//! An aggregate of a quotient by a constant (`sum(record.fee / 100)`, `avg(record.paid / 7)`,
//! `min(-(record.cost / 2.5))`), compiled exactly.
//!
//! Why it needs its own path: SQL would round each member's quotient, where the engine sums,
//! averages and orders the exact fractions. With a constant divisor `c = p/q` (in lowest terms,
//! not zero), every member is `x * q / p` over the same denominator, so the aggregate is one of
//! the numerators `x * q` over `|p|`: their sum, their least or greatest, the one at a rank, with
//! the numerator's sign turned where `p` is below zero so that the denominator stays above zero
//! and the numerators are ordered as the values are. The group record then holds it as a fraction
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
    /// `e` as an [`OverConstant`] when it is a quotient by a constant other than zero (or such a
    /// quotient negated) whose dividend divides nothing; `None` otherwise.
    pub fn over_constant(&mut self, e: &CExpr) -> Result<Option<OverConstant>, Unsupported> {
        let Some((x, c, negated)) = split(e) else { return Ok(None) };
        if self.value_divides(x) || c.is_zero() {
            return Ok(None);
        }
        let (p, q) = (c.numer(), c.denom());
        let (num, num_ty, scale, den) = if self.dialect == Dialect::Spark {
            // Whole, so that no product drops places.
            let f = self.fraction(x)?;
            let f = self.over_one(f, x)?;
            let f = self.integral(f)?;
            let ty = if f.num_whole { SqlType::Int } else { SqlType::Decimal };
            (f.num, ty, f.scale, Some(f.den).filter(|d| d != "1"))
        } else {
            (self.quotient_operand(x)?, SqlType::Decimal, 0, None)
        };
        let places = if self.multiplies_places(x) { super::FINE_KEY_PLACES } else { 10 };
        let whole = |n: u128| format!("CAST({n} AS DECIMAL(38, 0))");
        let num = if q == 1 { num } else { format!("(({num}) * {})", whole(q.unsigned_abs())) };
        let num = if (p < 0) != negated { format!("(-({num}))") } else { num };
        let den = match den {
            Some(d) => format!("(({d}) * {})", whole(p.unsigned_abs())),
            None => whole(p.unsigned_abs()),
        };
        Ok(Some(OverConstant { num, num_ty, den, scale, places }))
    }
}

/// `e` as dividend, constant divisor and whether the quotient is negated.
fn split(e: &CExpr) -> Option<(&CExpr, Num, bool)> {
    match e {
        CExpr::ToDec(x) => split(x),
        CExpr::Neg(_, x) => split(x).map(|(x, c, negated)| (x, c, !negated)),
        CExpr::Arith(Arith::Div(Kind::Dec | Kind::Money) | Arith::MoneyRatio, x, c) => Some((x, constant(c)?, false)),
        _ => None,
    }
}

/// The value of `e` when it is a number or an amount written in the policy.
fn constant(e: &CExpr) -> Option<Num> {
    match e {
        CExpr::Const(Value::Int(n)) => Num::from_i128(i128::from(*n)),
        CExpr::Const(Value::Dec(n) | Value::Money(n)) => Some(*n),
        CExpr::ToDec(x) => constant(x),
        CExpr::Neg(_, x) => constant(x).map(|n| -n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{constant, split};
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
    fn a_quotient_by_a_constant_splits_into_its_dividend_and_divisor() {
        let c = Num::parse("-7.125");
        let e = CExpr::Neg(Kind::Dec, Box::new(div(field(), CExpr::Const(Value::Dec(c.unwrap())))));
        let (x, got, negated) = split(&e).unwrap();
        assert!(matches!(x, CExpr::Field(..)));
        assert_eq!(got, Num::parse("-7.125").unwrap());
        assert!(negated);
        let whole = div(field(), CExpr::Neg(Kind::Int, Box::new(CExpr::ToDec(Box::new(CExpr::Const(Value::Int(4)))))));
        assert_eq!(split(&whole).map(|(_, c, n)| (c, n)), Some((Num::from_i128(-4).unwrap(), false)));
        // A divisor read from the record is not constant.
        assert!(split(&div(field(), field())).is_none());
        assert!(constant(&field()).is_none());
    }
}
