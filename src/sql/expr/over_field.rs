//! An aggregate of a quotient by a value read from the record (`avg(record.refund /
//! record.amount)`, `sum(record.paid / record.pieces)`, `max(record.fee / record.hours)`),
//! compiled exactly in every dialect: `min`, `max`, `percentile`, `sum` and `avg`.
//!
//! Why it needs its own path: every member has a denominator of its own, so no one denominator
//! serves the group as it does for a quotient by a constant ([`super::OverConstant`]), and SQL's
//! `SUM` or `MIN` of the quotients would round each of them. The engine adds the exact fractions
//! in lowest terms, one record at a time, and orders them exactly. Here each record's value
//! becomes a pair `[numerator, denominator]` of whole numbers, the denominator above zero
//! ([`Compiler::over_field`]). DuckDB folds a group's pairs with `list_reduce` ([`sum`]: each
//! step a sum in lowest terms, as the engine's; [`extreme`]); PostgreSQL, which has no lambdas,
//! orders them by an exact key for the least and greatest, and sums them with an aggregate of its
//! own the script creates ([`QSUM`]), each step the same sum in lowest terms; Spark folds them
//! as DuckDB does ([`spark_sum`]), with a greatest common divisor and an exact division of its
//! own ([`spark_whole`]), and sorts them for a percentile; DuckDB, whose lists
//! sort only by a key, ranks them by their `DOUBLE`s and exactly among the closest. The group record
//! holds the result as a fraction ([`super::Slot::Ratio`]), compared across and shown like an
//! `avg`.
//!
//! Where the SQL and the engine may differ (docs/warehouse.md, "Limits of each dialect"): a
//! DuckDB sum whose running total passes 128 bits has no answer, as the engine's has, where a
//! `DOUBLE` estimate shows it, and otherwise stops the query (DuckDB's overflow error) where a
//! product before `gcd` passes them; its members are folded in file and record order under
//! `precept check --engine duckdb`, as the engine folds them, and in the order DuckDB lists them
//! in `precept sql`, which knows no record order. A DuckDB result between 10^38 and 2^127 in
//! lowest terms stops the query too (the group record holds `DECIMAL(38, 0)`s).
//!
//! PostgreSQL's sums fold in the order its aggregate is given the group's rows, which `precept
//! sql` does not set (it knows no record order): a sum whose running total passes the engine's 128
//! bits on the way but not at the end may have an answer in one order and none in another. Why a
//! fold and not the numerators over the least common multiple of the denominators (tried first):
//! that sum could not tell a running total past 128 bits from the end, a different verdict from
//! the engine's in any order, and on a large group of real amounts the multiple grew past what
//! `NUMERIC` holds, in time quadratic in the group; each step of the fold holds numbers below
//! 2^256.

// Public (hidden) only for a test: its documentation is written for this crate's readers, and
// links to the private items it explains.
#![allow(rustdoc::private_intra_doc_links)]

use super::{spark_whole, Compiler, Unsupported};
use crate::engine::program::CExpr;
use crate::sql::dialect::Dialect;

/// A decimal, whole number or `HUGEINT` SQL value `x` as `[digits, places]`, both `HUGEINT`:
/// `x` is `digits / 10^places`, read from its text (DuckDB writes a decimal with every place of
/// its type), its places' trailing zeros dropped first (`12.3000000000` is `123` and 1), so that
/// the power of ten [`Compiler::over_field`] evens the two parts' places with is no larger than
/// their values need (a numerator of 10 places over a denominator of 30 multiplied 10^20 too many).
fn unscaled(x: &str) -> String {
    format!(
        "list_transform([CAST({x} AS VARCHAR)], lambda precept_r: list_transform([CASE WHEN contains(precept_r, '.') \
         THEN rtrim(precept_r, '0') ELSE precept_r END], lambda precept_s: [CAST(replace(precept_s, '.', '') AS HUGEINT), \
         CAST(length(split_part(precept_s, '.', 2)) AS HUGEINT)])[1])[1]"
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
    /// lowest terms in DuckDB and PostgreSQL, and in Spark for a sum or an average, `summed`,
    /// whose running total is kept in lowest terms), NULL where it has no value or no answer;
    /// `None` where `e` is no such fraction.
    pub fn over_field(&mut self, e: &CExpr, summed: bool) -> Result<Option<String>, Unsupported> {
        if !self.value_divides(e) {
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
            // A function the script creates ([`pg_script`]): a call over the same operands is
            // one expression, so that the planner computes identical aggregates of it once (the
            // no-answer flag calls it again).
            Dialect::Postgres => pg_pair(&f.num, &f.den),
            // Whole already, once made so ([`Compiler::integral`]), its places in the denominator.
            Dialect::Spark => {
                let f = self.integral(f)?.flat();
                let (n, d) = (f.num, f.den);
                let pair = format!(
                    "CASE WHEN ({n}) IS NOT NULL AND ({d}) <> 0 THEN array(CASE WHEN ({d}) < 0 THEN -({n}) ELSE {n} END, abs({d})) END"
                );
                if summed {
                    spark_lowest(&pair)
                } else {
                    pair
                }
            }
        }))
    }
}

/// 2^127 a little raised (by 10^-9 of it), as a `DOUBLE`: a value whose `DOUBLE` estimate (a
/// few roundings, each within 10^-15 of it) reaches this is at least 2^127, so the engine's
/// fraction holding it has no answer.
const PAST_HELD: &str = "1.7014118363061043e38";

/// -2^127, which a `HUGEINT` holds and the engine's numerators do not.
const HUGEINT_MIN: &str = "CAST('-170141183460469231731687303715884105728' AS HUGEINT)";

/// The sum of the pairs in SQL list `pairs` (no NULL among them), as a pair in lowest terms:
/// `[0, 1]` for none; NULL (no answer) once a running total's lowest terms pass the engine's
/// 128 bits, as the engine's sum has none then, whatever follows.
///
/// Each step adds `a/b` and `c/d` as Knuth does fractions in lowest terms: with `g = gcd(b, d)`,
/// `t = a * (d / g) + c * (b / g)` and `h = gcd(t, g)`, the sum is `(t / h) / ((b / g) * (d /
/// h))`, in lowest terms. Its denominator is at least `(b / g) * (d / g)` and its numerator at
/// least `t / g` in size: where either's `DOUBLE` estimate passes 2^127 ([`PAST_HELD`]), the
/// sum has no answer without computing it. Otherwise it is computed in `HUGEINT`s, which stop
/// the query only where `t` passes 128 bits and `t / h` may not (on a large group of real
/// amounts, often: the engine's sum has no answer there too, but the estimate cannot tell).
pub fn sum(pairs: &str) -> String {
    let dbl = |x: &str| format!("CAST({x} AS DOUBLE)");
    let (a1, a2, b1, b2) = ("precept_a[1]", "precept_a[2]", "precept_b[1]", "precept_b[2]");
    let (q1, q2) = ("precept_q[1]", "precept_q[2]");
    let far = past_held_step(a1, b1, q1, q2);
    let exact = format!(
        "list_transform([{a1} * {q2} + {b1} * {q1}], lambda precept_t: list_transform([gcd(precept_t, precept_g)], \
         lambda precept_h: CASE WHEN {} * ({} / {}) >= {PAST_HELD} OR precept_t // precept_h = {HUGEINT_MIN} THEN NULL \
         ELSE [precept_t // precept_h, {q1} * ({b2} // precept_h)] END)[1])[1]",
        dbl(q1),
        dbl(b2),
        dbl("precept_h")
    );
    let add = format!(
        "lambda precept_a, precept_b: CASE WHEN precept_a IS NOT NULL THEN list_transform([gcd({a2}, {b2})], lambda precept_g: \
         list_transform([[{a2} // precept_g, {b2} // precept_g]], lambda precept_q: CASE WHEN ({far}) THEN NULL ELSE {exact} END)[1])[1] END"
    );
    format!("list_reduce(list_prepend([CAST(0 AS HUGEINT), CAST(1 AS HUGEINT)], {pairs}), {add})")
}

/// The average of the pairs in SQL list `pairs`, `n` of them (above zero), from their sum `s`
/// ([`sum`]), as a pair in lowest terms: NULL where the sum has no answer or the average's lowest
/// terms pass the engine's 128 bits (its denominator, the sum's times `n` over their common
/// factor).
pub fn average(s: &str, n: &str) -> String {
    format!(
        "list_transform([{s}], lambda precept_s: list_transform([gcd(precept_s[1], CAST({n} AS HUGEINT))], lambda precept_h: \
         CASE WHEN CAST(precept_s[2] AS DOUBLE) * (CAST({n} AS DOUBLE) / CAST(precept_h AS DOUBLE)) < {PAST_HELD} \
         THEN [precept_s[1] // precept_h, precept_s[2] * (CAST({n} AS HUGEINT) // precept_h)] END)[1])[1]"
    )
}

/// In Spark, pair `p` (SQL, `[numerator, denominator]` of whole numbers, the denominator above
/// zero, or NULL) in lowest terms, by [`spark_whole`]'s greatest common divisor and exact
/// division.
fn spark_lowest(p: &str) -> String {
    let q = "precept_w";
    let g = "precept_wg";
    format!(
        "transform(array({p}), {q} -> CASE WHEN {q} IS NOT NULL THEN transform(array({}), {g} -> array({}, {}))[0] END)[0]",
        spark_whole::gcd(&format!("abs({q}[0])"), &format!("{q}[1]"), "w"),
        spark_whole::exact_div(&format!("{q}[0]"), g, "wn"),
        spark_whole::exact_div(&format!("{q}[1]"), g, "wd")
    )
}

/// Whether a step of [`sum`] or [`spark_sum`], adding `a1 / (q1 * g)` and `b1 / (q2 * g)` (`g`
/// is `precept_g`), has a result past the engine's 128 bits, as its `DOUBLE` estimate shows
/// before anything is multiplied: its denominator is at least `q1 * q2`, its numerator at least
/// `(a1 * q2 + b1 * q1) / g` in size, each estimated within 10^-15 of it.
fn past_held_step(a1: &str, b1: &str, q1: &str, q2: &str) -> String {
    let dbl = |x: &str| format!("CAST({x} AS DOUBLE)");
    // The numerator's two terms, estimated, and how far their sum's estimate may be off.
    let (ta, tb) = (format!("{} * {}", dbl(a1), dbl(q2)), format!("{} * {}", dbl(b1), dbl(q1)));
    format!(
        "{} * {} >= {PAST_HELD} OR abs({ta} + {tb}) - 1e-15 * (abs({ta}) + abs({tb})) >= {PAST_HELD} * {}",
        dbl(q1),
        dbl(q2),
        dbl("precept_g")
    )
}

/// In Spark, the sum of the pairs in SQL array `pairs` (in lowest terms, no NULL among them) as
/// a pair in lowest terms, as [`sum`] is in DuckDB: each step Knuth's sum in lowest terms, with
/// [`spark_whole`]'s greatest common divisor and exact division (Spark has neither), in
/// `DECIMAL(38, 0)`s; NULL (no answer) once a running total's lowest terms pass the engine's
/// 128 bits, where a `DOUBLE` estimate shows it before multiplying; a product of more than 38
/// digits otherwise stops the query, as does a total between 10^38 and 2^127.
pub fn spark_sum(pairs: &str) -> String {
    use spark_whole::{exact_div, gcd};
    let dbl = |x: &str| format!("CAST({x} AS DOUBLE)");
    let whole = |x: &str| format!("CAST({x} AS DECIMAL(38, 0))");
    let (a1, a2, b1, b2) = ("precept_a[0]", "precept_a[1]", "precept_b[0]", "precept_b[1]");
    let (q1, q2) = ("precept_q[0]", "precept_q[1]");
    let far = past_held_step(a1, b1, q1, q2);
    let exact = format!(
        "transform(array({}), precept_t -> transform(array({}), precept_h -> \
         CASE WHEN {} * ({} / {}) >= {PAST_HELD} THEN NULL ELSE array({}, {}) END)[0])[0]",
        whole(&format!("{a1} * {q2} + {b1} * {q1}")),
        gcd("abs(precept_t)", "precept_g", "h"),
        dbl(q1),
        dbl(b2),
        dbl("precept_h"),
        exact_div("precept_t", "precept_h", "t"),
        whole(&format!("{q1} * {}", exact_div(b2, "precept_h", "b")))
    );
    let add = format!(
        "(precept_a, precept_b) -> CASE WHEN precept_a IS NOT NULL THEN transform(array({}), precept_g -> \
         transform(array(array({}, {})), precept_q -> CASE WHEN ({far}) THEN NULL ELSE {exact} END)[0])[0] END",
        gcd(a2, b2, "g"),
        exact_div(a2, "precept_g", "qa"),
        exact_div(b2, "precept_g", "qb")
    );
    let zero = format!("array({}, {})", whole("0"), whole("1"));
    format!("aggregate({pairs}, {zero}, {add})")
}

/// In Spark, the average of the pairs summed in `s` ([`spark_sum`]), `n` of them (above zero),
/// as [`average`] is in DuckDB.
pub fn spark_average(s: &str, n: &str) -> String {
    use spark_whole::{exact_div, gcd};
    let count = format!("CAST({n} AS DECIMAL(38, 0))");
    format!(
        "transform(array({s}), precept_s -> transform(array({}), precept_h -> \
         CASE WHEN CAST(precept_s[1] AS DOUBLE) * (CAST({count} AS DOUBLE) / CAST(precept_h AS DOUBLE)) < {PAST_HELD} \
         THEN array({}, CAST(precept_s[1] * {} AS DECIMAL(38, 0))) END)[0])[0]",
        gcd("abs(precept_s[0])", &count, "s"),
        exact_div("precept_s[0]", "precept_h", "sn"),
        exact_div(&count, "precept_h", "sc")
    )
}

/// 2^127: the engine's fractions hold numerators and denominators below it in lowest terms.
const HELD: &str = "170141183460469231731687303715884105728";

/// PostgreSQL's function making a record's pair: `precept_pair(n, d)` is `n / d` (two
/// `NUMERIC`s) as `[numerator, denominator]`, whole numbers in lowest terms (`gcd`) with the
/// denominator above zero, NULL when either is NULL or `d` is zero. Both are first multiplied by
/// 10 to the places they have together (`NUMERIC` has no bound), which makes them whole and
/// leaves the fraction as it was.
pub const PAIR: &str = "precept_pair";

/// In PostgreSQL, the pair of `n / d` (SQL of numbers) in lowest terms ([`PAIR`]).
pub fn pg_pair(n: &str, d: &str) -> String {
    format!("{PAIR}(CAST({n} AS NUMERIC), CAST({d} AS NUMERIC))")
}

/// PostgreSQL's function telling whether a `NUMERIC` (a decimal, of any places) is held by the
/// engine: its lowest terms, `m / 10^s` reduced, below 2^127 both.
pub const HELD_FN: &str = "precept_held";

/// PostgreSQL's function giving back a `NUMERIC` the engine holds ([`HELD_FN`]), else NULL.
pub const KEPT_DECIMAL_FN: &str = "precept_kept";

/// PostgreSQL's function giving back numerator `n` of fraction `n / d` where the engine holds
/// the fraction (its lowest terms below 2^127) or `d` is zero (which the SQL tells as a division
/// by zero), else NULL.
pub const KEPT_FN: &str = "precept_kept_fraction";

/// PostgreSQL's function telling whether a pair (in lowest terms) passes the engine's 128 bits
/// ([`past_held`]); NULL for a NULL pair.
const PAST: &str = "precept_past_held";

/// PostgreSQL's aggregate summing pairs `[numerator, denominator]` (`NUMERIC[]`, in lowest terms,
/// the denominator above zero) as the engine does.
pub const QSUM: &str = "precept_qsum";

/// The `CREATE` statements for the functions of this module that PostgreSQL SQL `sql` calls
/// ([`PAIR`], [`PAST`], [`QSUM`]), each only when called, so that a script with none of these
/// aggregates creates nothing. They are `PL/pgSQL` (`gcd` of `NUMERIC`s is PostgreSQL 13's, `OR
/// REPLACE AGGREGATE` 12's; the script as a whole needs 14): written as subqueries in the SQL, a
/// record's pair was computed again for every place that read it, and the planner could not tell
/// two aggregates of it were one (70 s for a group average over 100,000 records, against about
/// one); a `LANGUAGE sql` step cost 8 µs a record, a `PL/pgSQL` one 1 µs. The aggregate is left
/// `PARALLEL UNSAFE` (no combine step), so a query reading it runs without parallel workers.
///
/// [`QSUM`]'s step adds `a/b` and `c/d` as the engine and [`sum`] do (Knuth's sum in lowest
/// terms: `g = gcd(b, d)`, `t = a * (d / g) + c * (b / g)`, `h = gcd(t, g)`, the sum `(t / h) /
/// ((b / g) * (d / h))`), exact in `NUMERIC`; the state becomes NULL (no answer), and stays so,
/// once a running total's lowest terms pass the engine's 128 bits, as the engine's sum has none
/// then whatever follows. A NULL pair (no value) is passed over.
pub fn pg_script(sql: &str) -> String {
    let called = |f: &str| sql.contains(&format!("{f}("));
    let mut out = String::new();
    if called(PAIR) || called(KEPT_FN) {
        out.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {PAIR}(n NUMERIC, d NUMERIC) RETURNS NUMERIC[] LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$\n\
             DECLARE t NUMERIC; g NUMERIC;\n\
             BEGIN\n\
             IF d = 0 THEN RETURN NULL; END IF;\n\
             t := power(CAST(10 AS NUMERIC), scale(n) + scale(d));\n\
             n := trunc(n * t); d := trunc(d * t); g := gcd(n, d) * sign(d);\n\
             RETURN ARRAY[div(n, g), div(d, g)];\n\
             END $$;\n"
        ));
    }
    if called(KEPT_DECIMAL_FN) {
        out.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {KEPT_DECIMAL_FN}(x NUMERIC) RETURNS NUMERIC LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$\n\
             BEGIN IF {HELD_FN}(x) THEN RETURN x; END IF; RETURN NULL; END $$;\n"
        ));
    }
    if called(KEPT_FN) {
        out.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {KEPT_FN}(n NUMERIC, d NUMERIC) RETURNS NUMERIC LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$\n\
             BEGIN IF d = 0 OR NOT {PAST}({PAIR}(n, d)) THEN RETURN n; END IF; RETURN NULL; END $$;\n"
        ));
    }
    if called(HELD_FN) || called(KEPT_DECIMAL_FN) {
        out.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {HELD_FN}(x NUMERIC) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$\n\
             DECLARE t NUMERIC; n NUMERIC; g NUMERIC;\n\
             BEGIN\n\
             x := trim_scale(x);\n\
             t := power(CAST(10 AS NUMERIC), scale(x));\n\
             n := trunc(x * t); t := trunc(t); g := gcd(n, t);\n\
             RETURN abs(div(n, g)) < {HELD} AND div(t, g) < {HELD};\n\
             END $$;\n"
        ));
    }
    if called(PAST) || called(KEPT_FN) {
        out.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {PAST}(p NUMERIC[]) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$\n\
             BEGIN RETURN abs(p[1]) >= {HELD} OR p[2] >= {HELD}; END $$;\n"
        ));
    }
    if called(QSUM) {
        let step = format!("{QSUM}_step");
        out.push_str(&format!(
            "CREATE OR REPLACE FUNCTION {step}(s NUMERIC[], x NUMERIC[]) RETURNS NUMERIC[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$\n\
             DECLARE g NUMERIC; t NUMERIC; h NUMERIC; n NUMERIC; d NUMERIC;\n\
             BEGIN\n\
             IF x IS NULL THEN RETURN s; END IF;\n\
             IF s IS NULL THEN RETURN NULL; END IF;\n\
             g := gcd(s[2], x[2]);\n\
             t := s[1] * div(x[2], g) + x[1] * div(s[2], g);\n\
             h := gcd(t, g); n := div(t, h); d := div(s[2], g) * div(x[2], h);\n\
             IF abs(n) < {HELD} AND d < {HELD} THEN RETURN ARRAY[n, d]; END IF;\n\
             RETURN NULL;\n\
             END $$;\n\
             CREATE OR REPLACE AGGREGATE {QSUM}(NUMERIC[]) (SFUNC = {step}, STYPE = NUMERIC[], INITCOND = '{{0,1}}');\n"
        ));
    }
    out
}

/// In PostgreSQL, the sum (or with `avg`, the average) of a group's pairs `x` ([`QSUM`]), as SQL
/// of its numerator and denominator in lowest terms: NULL (no answer) where a running total or
/// the average passes the engine's 128 bits; an average of no values is NULL over 0.
pub fn pg_sum(x: &str, avg: bool) -> (String, String) {
    let s = format!("{QSUM}({x})");
    if !avg {
        return (format!("({s})[1]"), format!("({s})[2]"));
    }
    // The sum over the values counted, cancelled across as the engine divides: `n / g` over `d *
    // (count / g)` with `g = gcd(n, count)`.
    let count = format!("CAST(COUNT({x}) AS NUMERIC)");
    let g = format!("gcd(({s})[1], {count})");
    let d = format!("({s})[2] * div({count}, {g})");
    (
        format!("CASE WHEN {count} > 0 AND {d} < {HELD} THEN div(({s})[1], {g}) END"),
        format!("CASE WHEN {count} > 0 THEN {d} ELSE 0 END"),
    )
}

/// In PostgreSQL, SQL true where pair `pair` (in lowest terms) passes the engine's 128 bits: the
/// record's value has no answer there, where `NUMERIC` holds it. `None` in the other dialects,
/// whose `HUGEINT` or 38 digits stop the query first.
pub fn past_held(d: Dialect, pair: &str) -> Option<String> {
    (d == Dialect::Postgres).then(|| format!("COALESCE({PAST}({pair}), FALSE)"))
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
        Dialect::Postgres => pg_at(x, least, "1"),
        // In lowest terms once found (Spark's pairs are not), so that arithmetic on it, multiplied
        // across, holds what the engine's does.
        Dialect::Spark => {
            let l = format!("collect_list({x})");
            let e = spark_lowest(&format!(
                "CASE WHEN size({l}) > 0 THEN aggregate(slice({l}, 2, size({l}) - 1), {l}[0], (precept_a, precept_b) -> \
                 CASE WHEN {} THEN precept_b ELSE precept_a END) END",
                below(d, "precept_b", "precept_a", op)
            ));
            (format!("({e})[0]"), format!("COALESCE(({e})[1], 1)"))
        }
    }
}

/// In PostgreSQL, the pair at rank `at` (SQL, from 1) of a group's pairs `x` sorted (ascending
/// with `up`, else descending), as SQL of its numerator and its denominator (1 for none), by
/// `trunc(n * 10^77 / d)`, exact in `NUMERIC` ([`extreme`]).
fn pg_at(x: &str, up: bool, at: &str) -> (String, String) {
    let order = if up { "" } else { " DESC" };
    let e = format!(
        "(array_agg({x} ORDER BY div({x}[1] * power(CAST(10 AS NUMERIC), 77), {x}[2]){order}) FILTER (WHERE {x} IS NOT NULL))"
    );
    // (`array_agg` of arrays is an array of two dimensions.)
    (format!("{e}[{at}][1]"), format!("COALESCE({e}[{at}][2], 1)"))
}

/// The nearest-rank percentile of a group's pairs `x`, the pair at rank `at` (SQL:
/// `crate::sql::group`'s rank of the percentile among the values present) of them sorted by
/// value, exactly, as SQL of its numerator and denominator (NULL over 1 for none): PostgreSQL by
/// its exact key ([`pg_at`]), Spark with `array_sort` and a comparison of two pairs at a time
/// ([`below`]), DuckDB by their `DOUBLE`s and then exactly among the closest ([`duck_at`]).
pub fn percentile(d: Dialect, x: &str, at: &str) -> (String, String) {
    match d {
        // An array subscript is an `integer` in PostgreSQL, never a `bigint`.
        Dialect::Postgres => pg_at(x, true, &format!("CAST({at} AS INTEGER)")),
        Dialect::Spark => {
            let (l, r) = ("precept_l", "precept_r");
            let e = spark_lowest(&format!(
                "try_element_at(array_sort(collect_list({x}), ({l}, {r}) -> CASE WHEN {} THEN -1 WHEN {} THEN 1 ELSE 0 END), \
                 CAST({at} AS INT))",
                below(d, l, r, "<"),
                below(d, l, r, ">")
            ));
            (format!("({e})[0]"), format!("COALESCE(({e})[1], 1)"))
        }
        Dialect::DuckDb => {
            let e = duck_at(x, at);
            (format!("({e})[1]"), format!("COALESCE(({e})[2], 1)"))
        }
    }
}

/// In DuckDB, the pair at rank `at` (SQL, from 1) of a group's pairs `x` in their exact order, or
/// NULL for none. DuckDB sorts a list only by a key, and no key of its types orders every two
/// fractions the engine holds, so the pairs are sorted by their values as `DOUBLE`s, and the
/// answer is looked for among the pairs whose `DOUBLE`s are within 10^-12 of the one at `at`:
/// the pair at `at` in the exact order is among them (a `DOUBLE` is within 4 * 10^-16 of its
/// pair's value, so the two orders differ only between pairs that close: were the exact one
/// further below, `at` pairs would be exactly at or below it and so, as `DOUBLE`s, below the
/// one at `at`). Of those candidates (each value once: DuckDB's pairs are in lowest terms, so
/// equal values are identical pairs) it is the one with fewer than `at` pairs exactly below it
/// and at least `at` at or below it, counted over the whole group with [`below`]. Each count
/// reads every pair, so this costs the group's size for each distinct candidate: one, unless
/// the values are as close as that.
fn duck_at(x: &str, at: &str) -> String {
    let dbl = |p: &str| format!("(CAST({p}[1] AS DOUBLE) / CAST({p}[2] AS DOUBLE))");
    let (l, k, c, y) = ("precept_l", "precept_k", "precept_c", "precept_y");
    let (dc, dk) = (dbl(c), dbl(&format!("{l}[{k}]")));
    let near = format!("abs({dc} - {dk}) <= 1e-12 * greatest(abs({dc}), abs({dk}))");
    let below_c = below(Dialect::DuckDb, y, c, "<");
    format!(
        "list_transform([list({x} ORDER BY {}) FILTER (WHERE {x} IS NOT NULL)], lambda {l}: \
         list_transform([CAST({at} AS BIGINT)], lambda {k}: \
         list_filter(list_distinct(list_filter({l}, lambda {c}: {near})), lambda {c}: \
         list_transform([len(list_filter({l}, lambda {y}: {below_c}))], lambda precept_lo: \
         precept_lo < {k} AND {k} <= precept_lo + len(list_filter({l}, lambda {y}: {y} = {c})))[1])[1])[1])[1]",
        dbl(x)
    )
}

/// Whether pair `b` is `op` (`<`, `>`) pair `a`, exactly, for DuckDB's and Spark's lambdas: by
/// their values as `DOUBLE`s where those are apart by more than 10^-12 of the larger (each is
/// within 4 * 10^-16 of its value, relatively: two roundings to a `DOUBLE` and a division, so
/// their order is the values'), else by the sign of the difference of the products across
/// ([`cross_sign`], in limbs: the products pass the 38 digits or 128 bits the database holds,
/// which stopped the query when they were multiplied as they are). Identical pairs are told
/// first (DuckDB's pairs are in lowest terms, so equal values are identical pairs; Spark's are
/// not, and theirs reach the products, which are equal). `b` and `a` are SQL of the dialect's
/// arrays `[numerator, denominator]`, whole numbers, the denominator above zero. Public for
/// tests/sql_duckdb.rs, which holds it to exact fractions.
pub fn below(d: Dialect, b: &str, a: &str, op: &str) -> String {
    let (n, m) = if d == Dialect::Spark { (0, 1) } else { (1, 2) };
    let v = |p: &str| format!("(CAST({p}[{n}] AS DOUBLE) / CAST({p}[{m}] AS DOUBLE))");
    let (va, vb) = (v(a), v(b));
    let across =
        cross_sign(d, [&format!("{b}[{n}]"), &format!("{a}[{m}]"), &format!("{a}[{n}]"), &format!("{b}[{m}]")]);
    format!(
        "CASE WHEN {b}[{n}] = {a}[{n}] AND {b}[{m}] = {a}[{m}] THEN FALSE \
         WHEN abs({vb} - {va}) > 1e-12 * greatest(abs({va}), abs({vb})) THEN {vb} {op} {va} \
         ELSE sign({b}[{n}]) * ({across}) {op} 0 END"
    )
}

/// Digits of each limb [`cross_sign`] splits a whole number into: three of them hold the 39
/// digits of any numerator or denominator (below 2^127 in DuckDB, 10^38 in Spark), and a product
/// of two limbs, 26 digits, and a sum of three such, fit any whole type of 38 digits.
const LIMB: usize = 13;

/// The sign of `|w| * x - |y| * z` (SQL whole numbers, `x` and `z` above zero), exactly, where
/// the products may pass the 38 digits or 128 bits the database holds: [`below`]'s comparison of
/// two fractions of the same sign whose values are too close for their `DOUBLE`s to order them.
/// Each number is split into three limbs of [`LIMB`] digits (from its text, so no division of
/// 38 digits is needed), the difference of the products is written in base 10^13 as five
/// coefficients of at most 27 digits, and carried from the lowest up with whole division (which
/// may truncate toward zero: each remainder then keeps its coefficient's sign, smaller than one
/// unit of the next); the sign is that of the highest part not zero.
fn cross_sign(d: Dialect, [w, x, y, z]: [&str; 4]) -> String {
    let (bind, at, ty, text) = match d {
        Dialect::Spark => ("transform", 0, "DECIMAL(38, 0)", "STRING"),
        _ => ("list_transform", 1, "HUGEINT", "VARCHAR"),
    };
    // `body` over `name` bound to SQL `value`.
    let let_in = |value: &str, name: &str, body: &str| match d {
        Dialect::Spark => format!("{bind}(array({value}), {name} -> {body})[{at}]"),
        _ => format!("{bind}([{value}], lambda {name}: {body})[{at}]"),
    };
    let width = 3 * LIMB;
    let limbs = |v: &str| {
        let digits = format!("lpad(CAST(CAST(abs({v}) AS {ty}) AS {text}), {width}, '0')");
        (0..3).map(move |i| format!("CAST(substr({digits}, {}, {LIMB}) AS {ty})", i * LIMB + 1)).collect::<Vec<_>>()
    };
    // A list (DuckDB) or an array (Spark) of `items`.
    let list = |items: &[String]| match d {
        Dialect::Spark => format!("array({})", items.join(", ")),
        _ => format!("[{}]", items.join(", ")),
    };
    let all: Vec<String> = [w, x, y, z].into_iter().flat_map(limbs).collect();
    // `precept_v` holds the twelve limbs, most significant first: w at 0..3, x at 3..6, y at 6..9, z at 9..12.
    let l = |i: usize| format!("precept_v[{}]", i + at);
    // The coefficient of 10^(13 * k) in `|w| * x`, less that of `|y| * z`.
    let coefficient = |k: usize| {
        let mut terms = Vec::new();
        for i in 0..3usize {
            for j in 0..3usize {
                // Limb i is of 10^(13 * (2 - i)).
                if (2 - i) + (2 - j) == k {
                    terms.push(format!("{} * {} - {} * {}", l(i), l(3 + j), l(6 + i), l(9 + j)));
                }
            }
        }
        format!("({})", terms.join(" + "))
    };
    let unit = format!("CAST(1{} AS {ty})", "0".repeat(LIMB));
    let r: Vec<String> = (0..5).map(coefficient).collect();
    let coefficients = list(&r);
    let rr = |k: usize| format!("precept_r[{}]", k + at);
    let whole_div = |t: &str| match d {
        Dialect::Spark => format!("CAST(({t}) div {unit} AS {ty})"),
        _ => format!("(({t}) // {unit})"),
    };
    // Carried from the lowest coefficient: `precept_t[k]` is coefficient k plus the carry into
    // it, the whole quotient of the one below by 10^13 (each written out once: binding each in
    // a lambda of its own made DuckDB bind the lambdas inside it again for each, 2^k times).
    let mut carried = vec![rr(0)];
    for k in 1..5 {
        let below = carried[k - 1].clone();
        carried.push(format!("{} + {}", rr(k), whole_div(&below)));
    }
    let carries = list(&carried);
    let t = |k: usize| format!("precept_t[{}]", k + at);
    let rem = |k: usize| format!("({} - {} * {unit})", t(k), whole_div(&t(k)));
    let body = format!(
        "CASE WHEN {t4} <> 0 THEN sign({t4}) WHEN {r3} <> 0 THEN sign({r3}) WHEN {r2} <> 0 THEN sign({r2}) \
         WHEN {r1} <> 0 THEN sign({r1}) ELSE sign({r0}) END",
        t4 = t(4),
        r3 = rem(3),
        r2 = rem(2),
        r1 = rem(1),
        r0 = rem(0)
    );
    let body = let_in(&carries, "precept_t", &body);
    let values = list(&all);
    let_in(&values, "precept_v", &let_in(&coefficients, "precept_r", &body))
}
