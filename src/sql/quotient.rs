//! The text `check` shows for an exact quotient, computed in SQL: what a redacted quotient,
//! average or share is hashed from.
//!
//! The engine keeps a quotient as an exact fraction and shows it as [`Num::to_decimal`] writes it:
//! every digit when the expansion ends (`0.125`, or the 40 places of 1/2^40), else rounded half
//! away from zero to a number of places (more below 1, to keep its significant digits) and marked
//! `≈`. An unredacted quotient needs none of this: the SQL writes `numerator/denominator` and the
//! reader formats it (`crate::sql::message`). A redacted one is hashed in the database, so its text
//! must be the engine's there, to the last digit.
//!
//! The SQL does long division on the two whole numbers the quotient's operands make once their
//! places are evened out: the whole part, then 130 digits after the point, and whether the
//! remainder is then zero. The engine keeps a quotient whose lowest terms fit 128 bits (else it
//! has no answer), so its denominator has at most 127 factors of 2 or 55 of 5: an expansion that
//! ends does so within those digits, and one that does not shows fewer (at most 38 zeros after
//! the point, 10 digits and the one that rounds). PostgreSQL's `NUMERIC` divides exactly at any
//! length; DuckDB and Spark hold 38 digits, so there the digits come one at a time from a loop
//! over the remainder (`list_reduce`, `aggregate`), which takes a divisor of at most 37 digits;
//! an operand past that stops the query with an error that says so (docs/warehouse.md,
//! "Limits"), as an overflow does.
//!
//! [`Num::to_decimal`]: crate::engine::num::Num::to_decimal

use super::dialect::{Dialect, SqlType};

/// Digits after the point the long division writes (see the module's note).
const DIGITS: u32 = 130;

/// Most digits of the divisor, as a whole number with its places, the loops in DuckDB and Spark
/// take: ten times a remainder below it still fits the 38 digits they hold.
const MAX_DIVISOR_DIGITS: u32 = 37;

/// What the query stops with where an operand passes [`MAX_DIVISOR_DIGITS`] (or the dividend 38).
const TOO_LONG: &str =
    "precept: a redacted quotient has an operand of more than 37 digits with its places; check this rule with `precept check`";

/// How a quotient is shown: at least `min` places when exact; else `places`, or more to show `sig`
/// significant digits of a value below 1 (see [`crate::engine::format::number`]).
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    pub min: u32,
    pub places: u32,
    pub sig: u32,
}

/// The text `check` shows for `num / den`, where `num` and `den` are SQL texts of the two
/// numbers as the database writes them (`-12.5000000000`, `3`); NULL where either is NULL or
/// `den` is zero (a quotient with no answer, which the caller tells apart first).
pub fn text(d: Dialect, num: &str, den: &str, shown: Shown) -> String {
    let int = match d {
        Dialect::DuckDb => "HUGEINT",
        Dialect::Postgres => "NUMERIC",
        Dialect::Spark => "DECIMAL(38, 0)",
    };
    let str_ty = d.ty(SqlType::Text);
    // 1. Each text without trailing zeros after its point (so that evening the places out adds
    //    as few digits as it can).
    let trimmed = |t: &str| {
        format!(
            "CASE WHEN {} > 0 THEN {} ELSE {t} END",
            find_point(d, t),
            d.trim_trailing(&d.trim_trailing(t, "0"), ".")
        )
    };
    let stage0 = [("a", num.to_string()), ("b", den.to_string())];
    let stage1 = [("a", trimmed("precept_qt.a")), ("b", trimmed("precept_qt.b"))];
    // 2. Their digits, the one with fewer places padded with zeros: two whole numbers in the
    //    same ratio.
    let places = |t: &str| format!("CASE WHEN {p} > 0 THEN length({t}) - {p} ELSE 0 END", p = find_point(d, t));
    let most = format!("greatest({}, {})", places("precept_qx.a"), places("precept_qx.b"));
    let digits = |t: &str| {
        let bare = format!("replace({}, '.', '')", d.trim_leading(t, "-"));
        format!("{bare} || repeat('0', {most} - {})", places(t))
    };
    let stage2 = [
        ("n", digits("precept_qx.a")),
        ("d", digits("precept_qx.b")),
        ("neg", "((precept_qx.a LIKE '-%') <> (precept_qx.b LIKE '-%'))".to_string()),
    ];
    // 3. The whole numbers, the long division, and whether it ended.
    let whole = |t: &str| format!("CAST({t} AS {int})");
    let long = match d {
        // `NUMERIC` divides exactly at any length: the remainder times 10^130 over the divisor.
        Dialect::Postgres => vec![
            ("q", format!("CAST(div(precept_qz.n, precept_qz.d) AS {str_ty})")),
            ("big", format!("(mod(precept_qz.n, precept_qz.d) * CAST('1' || repeat('0', {DIGITS}) AS NUMERIC))")),
            ("d", "precept_qz.d".to_string()),
            ("neg", "precept_qz.neg".to_string()),
        ],
        // One digit a step: ten times the remainder over the divisor, the remainder kept.
        Dialect::DuckDb => {
            let start = "{'r': precept_qz.n % precept_qz.d, 's': ''}";
            let step = "{'r': (precept_qacc.r * 10) % precept_qz.d, 's': precept_qacc.s || CAST((precept_qacc.r * 10) // precept_qz.d AS VARCHAR)}";
            vec![
                ("q", format!("CAST(precept_qz.n // precept_qz.d AS {str_ty})")),
                (
                    "l",
                    format!("list_reduce(list_transform(range({DIGITS}), lambda precept_qi: {start}), lambda precept_qacc, precept_qi: {step}, {start})"),
                ),
                ("neg", "precept_qz.neg".to_string()),
            ]
        }
        // Spark's `div` of decimals gives a `BIGINT` and wraps past 2^63 (even in ANSI mode),
        // so the whole part comes from the same loop: the dividend's digits one by one, then
        // zeros; every quotient digit is below ten.
        Dialect::Spark => {
            let width = "length(precept_qy.n)";
            let start = format!("named_struct('r', CAST(0 AS {int}), 's', CAST('' AS STRING))");
            let next = format!(
                "(precept_qacc.r * 10 + CAST(IF(precept_qi <= {width}, substr(precept_qy.n, precept_qi, 1), '0') AS INT))"
            );
            let step = format!(
                "named_struct('r', CAST({next} % precept_qz.d AS {int}), 's', concat(precept_qacc.s, CAST({next} div precept_qz.d AS STRING)))"
            );
            vec![
                ("w", width.to_string()),
                (
                    "l",
                    format!(
                        "aggregate(sequence(1, {width} + {DIGITS}), {start}, (precept_qacc, precept_qi) -> {step})"
                    ),
                ),
                ("neg", "precept_qz.neg".to_string()),
            ]
        }
    };
    let digits_after = match d {
        Dialect::Postgres => [
            ("q", "precept_ql.q".to_string()),
            ("s", format!("lpad(CAST(div(precept_ql.big, precept_ql.d) AS {str_ty}), {DIGITS}, '0')")),
            ("done", "(mod(precept_ql.big, precept_ql.d) = 0)".to_string()),
            ("neg", "precept_ql.neg".to_string()),
        ],
        // The whole part's digits, bare of leading zeros, and the 130 after them.
        Dialect::Spark => [
            (
                "q",
                format!(
                    "CASE WHEN {bare} = '' THEN '0' ELSE {bare} END",
                    bare = d.trim_leading("substr(precept_ql.l.s, 1, precept_ql.w)", "0")
                ),
            ),
            ("s", "substr(precept_ql.l.s, precept_ql.w + 1)".to_string()),
            ("done", "(precept_ql.l.r = 0)".to_string()),
            ("neg", "precept_ql.neg".to_string()),
        ],
        Dialect::DuckDb => [
            ("q", "precept_ql.q".to_string()),
            ("s", "precept_ql.l.s".to_string()),
            ("done", "(precept_ql.l.r = 0)".to_string()),
            ("neg", "precept_ql.neg".to_string()),
        ],
    };
    let shown_text = shown_text(d, shown);
    let divided = d.bind("precept_ql", &long, &d.bind("precept_qw", &digits_after, &shown_text));
    // (The divisor's digits, bare of leading zeros, are at most 37, and the dividend's 38: the
    // loops multiply a remainder by ten within the 38 digits.)
    let stage3 = [
        ("n", whole("precept_qy.n")),
        ("d", format!("NULLIF({}, 0)", whole("precept_qy.d"))),
        ("neg", "precept_qy.neg".into()),
    ];
    let mut body = d.bind("precept_qz", &stage3, &divided);
    if d != Dialect::Postgres {
        let long = |t: &str, most: u32| format!("length({}) > {most}", d.trim_leading(t, "0"));
        let stop = match d {
            Dialect::Spark => format!("raise_error({})", d.text(TOO_LONG)),
            _ => format!("error({})", d.text(TOO_LONG)),
        };
        body = format!(
            "CASE WHEN {} OR {} THEN CAST({stop} AS {str_ty}) ELSE {body} END",
            long("precept_qy.n", 38),
            long("precept_qy.d", MAX_DIVISOR_DIGITS)
        );
    }
    d.bind("precept_qt", &stage0, &d.bind("precept_qx", &stage1, &d.bind("precept_qy", &stage2, &body)))
}

/// The text of the quotient from its long division, bound as `w` (`q` the whole part's digits,
/// `s` the digits after the point, `done` whether the division ended within them, `neg` its
/// sign), as [`crate::engine::num::Num::to_decimal`] writes it.
fn shown_text(d: Dialect, Shown { min, places, sig }: Shown) -> String {
    let str_ty = d.ty(SqlType::Text);
    // Where the expansion ends, every digit, at least `min` places.
    let ends = format!("length({})", d.trim_trailing("precept_qw.s", "0"));
    let sign = format!("CASE WHEN precept_qw.neg AND NOT (precept_qw.q = '0' AND {ends} = 0) THEN '-' ELSE '' END");
    let exact_places = format!("greatest({ends}, {min})");
    let exact =
        format!("{sign} || precept_qw.q || CASE WHEN {exact_places} > 0 THEN '.' || substr(precept_qw.s, 1, {exact_places}) ELSE '' END");
    // Where it does not, `places`, or below 1 enough for `sig` digits after the zeros.
    let zeros = format!("length(precept_qw.s) - length({})", d.trim_leading("precept_qw.s", "0"));
    let p = format!("CASE WHEN precept_qw.q = '0' THEN greatest({places}, {zeros} + {sig}) ELSE {places} END");
    let cut = [
        ("t", format!("precept_qw.q || substr(precept_qw.s, 1, {p})")),
        ("p", p.clone()),
        ("up", format!("(substr(precept_qw.s, {p} + 1, 1) >= '5')")),
        ("sign", sign),
    ];
    // Rounded up: the trailing nines become zeros and the digit before them one more (all nines:
    // a one before the zeros).
    let nines = format!("(length(precept_qv.t) - length({}))", d.trim_trailing("precept_qv.t", "9"));
    let bumped = format!(
        "CASE WHEN {nines} = length(precept_qv.t) THEN '1' || repeat('0', {nines}) ELSE left(precept_qv.t, length(precept_qv.t) - {nines} - 1) || CAST(CAST(substr(precept_qv.t, length(precept_qv.t) - {nines}, 1) AS INT) + 1 AS {str_ty}) || repeat('0', {nines}) END"
    );
    let rounded = [
        ("t", format!("CASE WHEN precept_qv.up THEN {bumped} ELSE precept_qv.t END")),
        ("p", "precept_qv.p".into()),
        ("sign", "precept_qv.sign".into()),
    ];
    let written = format!(
        "{} || precept_qu.sign || left(precept_qu.t, length(precept_qu.t) - precept_qu.p) || CASE WHEN precept_qu.p > 0 THEN '.' || right(precept_qu.t, precept_qu.p) ELSE '' END",
        d.text(crate::engine::num::ROUNDED)
    );
    let inexact = d.bind("precept_qv", &cut, &d.bind("precept_qu", &rounded, &written));
    format!("CASE WHEN precept_qw.done THEN {exact} ELSE {inexact} END")
}

/// The position of the point in text `t` (1-based; 0 when it has none).
fn find_point(d: Dialect, t: &str) -> String {
    match d {
        Dialect::Spark => format!("instr({t}, '.')"),
        Dialect::DuckDb | Dialect::Postgres => format!("strpos({t}, '.')"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each operand is written once, however often the division reads it: the view stays small
    /// (Spark's memory to analyse it grows with its text).
    #[test]
    fn each_operand_is_written_once() {
        for d in [Dialect::DuckDb, Dialect::Postgres, Dialect::Spark] {
            let sql = text(d, "precept_num_x", "precept_den_y", Shown { min: 2, places: 2, sig: 2 });
            assert_eq!(sql.matches("precept_num_x").count(), 1, "{d:?}: {sql}");
            assert_eq!(sql.matches("precept_den_y").count(), 1, "{d:?}: {sql}");
            // (Its lambdas' and subqueries' names are long, `precept_qx`, so that no column of
            // the record's table is read in their place.)
            assert!(sql.len() < 6_000, "{d:?}: {} bytes", sql.len());
        }
    }
}
