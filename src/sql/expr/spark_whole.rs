//! Whole-number arithmetic Spark SQL lacks, for the sum of quotients by a value of the record
//! ([`super::over_field`]): a greatest common divisor and an exact whole division of numbers of
//! up to 38 digits (`DECIMAL(38, 0)`).
//!
//! Why not Spark's own: it has no `gcd`; its `div` returns a `BIGINT` (19 digits); and its `/`
//! of two `DECIMAL(38, 0)`s is a `DECIMAL(38, 6)`, so a quotient of more than 32 digits stops
//! the query. Both are written with what Spark has: `%` of decimals, which is exact, and `/`
//! only where the quotient is whole and below 10^19.

/// Spark's type for the whole numbers here.
const WHOLE: &str = "DECIMAL(38, 0)";

/// Steps of Euclid's algorithm that reach the greatest common divisor of any two numbers below
/// 10^38: the worst case is two consecutive Fibonacci numbers, and the 184th passes 10^38.
const EUCLID_STEPS: u32 = 190;

/// The greatest common divisor of SQL whole numbers `a` and `b` (at least zero, not both zero),
/// as Euclid finds it: a fixed number of steps ([`EUCLID_STEPS`]) over a pair that stops
/// changing once its second number is zero. `name` tells apart the lambdas of nested calls.
pub fn gcd(a: &str, b: &str, name: &str) -> String {
    let (s, i) = (format!("precept_{name}_s"), format!("precept_{name}_i"));
    format!(
        "aggregate(sequence(1, {EUCLID_STEPS}), named_struct('a', CAST({a} AS {WHOLE}), 'b', CAST({b} AS {WHOLE})), \
         ({s}, {i}) -> CASE WHEN {s}.b = 0 THEN {s} ELSE named_struct('a', {s}.b, 'b', CAST({s}.a % {s}.b AS {WHOLE})) END, \
         {s} -> {s}.a)"
    )
}

/// `a / g` for SQL whole numbers `a` and `g` where `g` (above zero) divides `a`, exactly, of up
/// to 38 digits: with `a = a1 * 10^19 + a0` (from `|a|`'s text) and `r = a1 mod g`, it is
/// `(a1 - r) / g * 10^19 + (r * 10^19 + a0) / g`, two whole quotients below 10^19 (`r` is below
/// both `g` and 10^19, so `r * 10^19 + a0` stays within 38 digits), with `a`'s sign.
pub fn exact_div(a: &str, g: &str, name: &str) -> String {
    let (v, r) = (format!("precept_{name}_v"), format!("precept_{name}_r"));
    let digits = format!("lpad(CAST(CAST(abs({a}) AS {WHOLE}) AS STRING), 38, '0')");
    let high = format!("CAST(substr({digits}, 1, 19) AS {WHOLE})");
    let low = format!("CAST(substr({digits}, 20, 19) AS {WHOLE})");
    let unit = format!("CAST(10000000000000000000 AS {WHOLE})");
    // `{v}`: [a1, a0, g]; `{r}`: a1 mod g.
    format!(
        "transform(array(array({high}, {low}, CAST({g} AS {WHOLE}))), {v} -> transform(array(CAST({v}[0] % {v}[2] AS {WHOLE})), {r} -> \
         CAST(sign({a}) AS {WHOLE}) * (CAST(({v}[0] - {r}) / {v}[2] AS {WHOLE}) * {unit} + CAST(({r} * {unit} + {v}[1]) / {v}[2] AS {WHOLE})))[0])[0]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Fibonacci worst case of Euclid's algorithm fits in the steps given.
    #[test]
    fn euclid_has_steps_enough_for_38_digits() {
        // Euclid on F(k+1), F(k) takes k steps; find the first Fibonacci number of 39 digits.
        let (mut a, mut b, mut k) = (0u128, 1u128, 1u32);
        while b < 10u128.pow(38) {
            (a, b) = (b, a + b);
            k += 1;
        }
        assert!(k <= EUCLID_STEPS, "{k}");
    }
}
