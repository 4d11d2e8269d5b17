//! An aggregate of a quotient by a value read from the record (`avg(record.refund /
//! record.amount)`, `sum(record.paid / record.pieces)`, `max(record.fee / record.hours)`),
//! compiled exactly (sums and averages in DuckDB only).
//!
//! Why it needs its own path: every member has a denominator of its own, so no one denominator
//! serves the group as it does for a quotient by a constant ([`super::OverConstant`]), and SQL's
//! `SUM` or `MIN` of the quotients would round each of them. The engine adds the exact fractions
//! in lowest terms, one record at a time, and orders them exactly. Here each record's value
//! becomes a pair `[numerator, denominator]` of `HUGEINT`s in lowest terms, the denominator
//! above zero ([`Compiler::over_field`]), and the group folds the pairs with DuckDB's
//! `list_reduce`: a sum over the two denominators' least common multiple, reduced by `gcd` at
//! each step, as the engine's; the least or greatest by multiplying across. The group record holds
//! the result as a fraction ([`super::Slot::Ratio`]), compared across and shown like an `avg`.
//!
//! Where the two may differ, the SQL stops rather than answers otherwise: a product across past
//! 128 bits is DuckDB's overflow error (the engine finishes such a sum in arbitrary precision and
//! has an answer if the result fits). A sum's members are folded in file and record order under
//! `precept check --engine duckdb`, as the engine folds them, so a sum whose running total
//! passes 128 bits has no answer in both; `precept sql`, which knows no record order, folds them
//! in the order DuckDB lists them (documented in docs/warehouse.md).
//!
//! PostgreSQL has no lambdas and Spark no `gcd`, so their sums and averages of such quotients are
//! left out; their least and greatest are exact (see [`extreme`]).

use super::{Compiler, Unsupported};
use crate::engine::program::CExpr;
use crate::sql::dialect::Dialect;

/// A decimal, whole number or `HUGEINT` SQL value `x` as `[digits, places]`, both `HUGEINT`:
/// `x` is `digits / 10^places`, read from its text (DuckDB writes a decimal with every place of
/// its type), so that no multiplication by a power of ten can pass the 38 digits of its type.
fn unscaled(x: &str) -> String {
    format!(
        "list_transform([CAST({x} AS VARCHAR)], lambda precept_s: [CAST(replace(precept_s, '.', '') AS HUGEINT), \
         CAST(length(split_part(precept_s, '.', 2)) AS HUGEINT)])[1]"
    )
}

/// 10 to the `HUGEINT` power `k` where `k` is above zero, else 1, exactly (DuckDB's `pow` is a
/// `DOUBLE`).
fn ten_to(k: &str) -> String {
    format!(
        "CASE WHEN {k} > 0 THEN CAST(rpad('1', CAST({k} + 1 AS INTEGER), '0') AS HUGEINT) ELSE CAST(1 AS HUGEINT) END"
    )
}

/// `[n, d]` (`HUGEINT`s, the SQL of a pair `p`'s numerator and denominator) in lowest terms with
/// `d` above zero; NULL when `d` is zero (the record's value has no answer, which the group's
/// no-answer flag carries) or either is NULL.
fn lowest(p: &str) -> String {
    format!(
        "CASE WHEN {p}[1] IS NOT NULL AND {p}[2] <> 0 THEN list_transform([gcd({p}[1], {p}[2]) * sign({p}[2])], \
         lambda precept_g: [{p}[1] // precept_g, {p}[2] // precept_g])[1] END"
    )
}

impl Compiler<'_> {
    /// Value `e` (a number or an amount divided by a value of the record) as the SQL of its exact
    /// fraction `[numerator, denominator]`, whole numbers with the denominator above zero (in
    /// lowest terms in DuckDB), NULL where it has no value or no answer; `None` where `e` is no
    /// such fraction, or, for a sum or an average (`summed`), outside DuckDB.
    pub fn over_field(&mut self, e: &CExpr, summed: bool) -> Result<Option<String>, Unsupported> {
        if !self.value_divides(e) || (summed && self.dialect == Dialect::Spark) {
            return Ok(None);
        }
        let Some(f) = self.fraction(e)? else { return Ok(None) };
        Ok(Some(match self.dialect {
            Dialect::DuckDb => {
                // `num / den` with `num = a / 10^i` and `den = b / 10^j` is `a * 10^j` over `b * 10^i`.
                let (i, j) = ("precept_p[1][2]", "precept_p[2][2]");
                let whole = format!(
                    "[precept_p[1][1] * {}, precept_p[2][1] * {}]",
                    ten_to(&format!("{j} - {i}")),
                    ten_to(&format!("{i} - {j}"))
                );
                format!(
                    "list_transform([[{}, {}]], lambda precept_p: list_transform([{whole}], lambda precept_q: {})[1])[1]",
                    unscaled(&f.num),
                    unscaled(&f.den),
                    lowest("precept_q")
                )
            }
            // Both multiplied by 10 to the places they have together (`NUMERIC` has no bound),
            // which makes them whole and leaves the fraction as it was.
            Dialect::Postgres => format!(
                "(SELECT CASE WHEN p.n IS NOT NULL AND p.d <> 0 THEN ARRAY[trunc(sign(p.d) * p.n * p.t), trunc(abs(p.d) * p.t)] END \
                 FROM (SELECT q.n, q.d, power(CAST(10 AS NUMERIC), scale(q.n) + scale(q.d)) AS t \
                 FROM (SELECT CAST({} AS NUMERIC) AS n, CAST({} AS NUMERIC) AS d) AS q) AS p)",
                f.num, f.den
            ),
            // Whole already, once made so ([`Compiler::integral`]), its places in the denominator.
            Dialect::Spark => {
                let f = self.integral(f)?.flat();
                let (n, d) = (f.num, f.den);
                format!(
                    "CASE WHEN ({n}) IS NOT NULL AND ({d}) <> 0 THEN array(CASE WHEN ({d}) < 0 THEN -({n}) ELSE {n} END, abs({d})) END"
                )
            }
        }))
    }
}

/// The sum of the pairs in SQL list `pairs` (no NULL among them), as a pair in lowest terms:
/// `[0, 1]` for none.
pub fn sum(pairs: &str) -> String {
    // a/b + c/d over the least common multiple of b and d: with g = gcd(b, d), (a * (d / g) +
    // c * (b / g)) / (b / g * d), then in lowest terms.
    let add = "lambda precept_a, precept_b: list_transform([gcd(precept_a[2], precept_b[2])], lambda precept_g: \
               list_transform([[precept_a[1] * (precept_b[2] // precept_g) + precept_b[1] * (precept_a[2] // precept_g), \
               (precept_a[2] // precept_g) * precept_b[2]]], lambda precept_t: list_transform([gcd(precept_t[1], precept_t[2])], \
               lambda precept_h: [precept_t[1] // precept_h, precept_t[2] // precept_h])[1])[1])[1]";
    format!("list_reduce(list_prepend([CAST(0 AS HUGEINT), CAST(1 AS HUGEINT)], {pairs}), {add})")
}

/// PostgreSQL's aggregate of the least common multiple of whole `NUMERIC`s (its `lcm` folded),
/// which the script creates when a rule sums or averages quotients by a value of the record.
pub const LCM: &str = "precept_lcm";

/// `CREATE AGGREGATE` for [`LCM`] (PostgreSQL 14 or later: `lcm` is 13's, `OR REPLACE` 14's).
pub fn pg_lcm_aggregate() -> String {
    format!("CREATE OR REPLACE AGGREGATE {LCM}(NUMERIC) (SFUNC = lcm, STYPE = NUMERIC, INITCOND = '1');\n")
}

/// 2^127: the engine's fractions hold numerators and denominators below it in lowest terms, and
/// a sum or average whose lowest terms do not has no answer.
const HELD: &str = "170141183460469231731687303715884105728";

/// In PostgreSQL, the sum (or with `avg`, the average) of a group's pairs `x`, each record's
/// `l` being the least common multiple of the group's denominators ([`LCM`] over the group), as
/// SQL of its numerator and denominator in lowest terms: `NUMERIC` has no bound, so the sum is
/// exact, and it has no answer (NULL) where the engine's lowest terms do not fit its 128 bits.
/// (The engine adds in record order and has none as soon as a running total does not fit; a sum
/// whose running total passes 2^127 but whose end does not has a value here: "Limits".)
pub fn pg_sum(x: &str, l: &str, avg: bool) -> (String, String) {
    let s = format!("COALESCE(SUM({x}[1] * div({l}, {x}[2])), 0)");
    let m = format!("COALESCE(MAX({l}), 1)");
    let g = format!("gcd({s}, {m})");
    let (n, d) = (format!("div({s}, {g})"), format!("div({m}, {g})"));
    let fits = |v: &str| format!("abs({v}) < {HELD}");
    if !avg {
        return (format!("CASE WHEN {} AND {} THEN {n} END", fits(&n), fits(&d)), d);
    }
    // The average: the sum over the values counted, in lowest terms.
    let count = format!("COUNT({x})");
    let h = format!("gcd({n}, {count})");
    let (an, ad) = (format!("div({n}, {h})"), format!("{d} * div({count}, {h})"));
    (
        format!("CASE WHEN {count} > 0 AND {} AND {} AND {} THEN {an} END", fits(&n), fits(&d), fits(&ad)),
        format!("CASE WHEN {count} > 0 THEN {ad} ELSE 0 END"),
    )
}

/// The least (`least`) or greatest of the pairs `x` of a group (NULL for none), as SQL of its
/// numerator and its denominator (1 for none). DuckDB and Spark compare the pairs two at a time
/// ([`below`]); PostgreSQL, which has no lambdas, orders them by `trunc(n * 10^77 / d)`, exact in
/// `NUMERIC`, which tells apart any two fractions the engine holds (numerator and denominator
/// below 2^127 in lowest terms: they differ by more than 2^-254, above 10^-77).
pub fn extreme(d: Dialect, x: &str, least: bool) -> (String, String) {
    let op = if least { "<" } else { ">" };
    match d {
        Dialect::DuckDb => {
            let e = format!(
                "CASE WHEN COUNT({x}) > 0 THEN list_reduce(list({x}) FILTER (WHERE {x} IS NOT NULL), lambda precept_a, precept_b: \
                 CASE WHEN {} THEN precept_b ELSE precept_a END) END",
                below(d, "precept_b", "precept_a", op)
            );
            (format!("({e})[1]"), format!("COALESCE(({e})[2], 1)"))
        }
        Dialect::Postgres => {
            let order = if least { "" } else { " DESC" };
            let e = format!(
                "(array_agg({x} ORDER BY div({x}[1] * power(CAST(10 AS NUMERIC), 77), {x}[2]){order}) FILTER (WHERE {x} IS NOT NULL))"
            );
            (format!("{e}[1][1]"), format!("COALESCE({e}[1][2], 1)"))
        }
        Dialect::Spark => {
            let l = format!("collect_list({x})");
            let e = format!(
                "CASE WHEN size({l}) > 0 THEN aggregate(slice({l}, 2, size({l}) - 1), {l}[0], (precept_a, precept_b) -> \
                 CASE WHEN {} THEN precept_b ELSE precept_a END) END",
                below(d, "precept_b", "precept_a", op)
            );
            (format!("({e})[0]"), format!("COALESCE(({e})[1], 1)"))
        }
    }
}

/// Whether pair `b` is `op` (`<`, `>`) pair `a`, exactly, for DuckDB's and Spark's lambdas: by
/// their values as `DOUBLE`s where those are apart by more than 10^-12 of the larger (each is
/// within 4 * 10^-16 of its value, relatively: two roundings to a `DOUBLE` and a division, so
/// their order is the values'), else by multiplying across,
/// whole numbers that may pass the 38 digits or 128 bits the database holds and stop the query.
/// Multiplying across alone stopped on pairs of amounts of eleven digits over divisors of ten
/// places that are far apart.
fn below(d: Dialect, b: &str, a: &str, op: &str) -> String {
    let (n, m) = if d == Dialect::Spark { (0, 1) } else { (1, 2) };
    let v = |p: &str| format!("(CAST({p}[{n}] AS DOUBLE) / CAST({p}[{m}] AS DOUBLE))");
    let (va, vb) = (v(a), v(b));
    format!(
        "CASE WHEN abs({vb} - {va}) > 1e-12 * greatest(abs({va}), abs({vb})) THEN {vb} {op} {va} \
         ELSE {b}[{n}] * {a}[{m}] {op} {a}[{n}] * {b}[{m}] END"
    )
}
