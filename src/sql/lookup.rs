//! Calendar lookups by position, for `precept check --engine duckdb` (DuckDB only).
//!
//! The portable SQL ([`Lookup::Table`]) finds a receipt day, a local day or the `n`-th working day
//! with a correlated subquery over the calendar table (`MIN(idx) ... WHERE day_end >= t`). DuckDB
//! runs such a subquery as a join of every distinct instant of the records with the calendar's
//! days on an inequality: over 1,000,000 records it spilled 9 GB and did not finish in five
//! minutes. So the embedded engine reads each calendar as lists instead ([`create`]: one row per
//! calendar, each column of the calendar table as a list in day order, and the working days' day
//! and end in `idx` order), fetched by an uncorrelated subquery (one row, joined once) and indexed
//! by position: a day's position is its distance from the first day, and an instant's local day is
//! its UTC date or one of the days either side (no zone is more than 14 hours from UTC). Every
//! lookup is then a few list reads per record, and the results are those of the table's rows:
//! [`receipt_idx`] is the first working day ending at or after the instant, as in
//! `super::expr`'s subqueries (a day before the instant's local day ends before it; if none of the
//! three days around its UTC date is a working day ending at or after it, the next working day after
//! them is). A position outside the range reads nothing (NULL), as a subquery finding no row does.

/// How the compiled SQL reads the calendar table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lookup {
    /// Correlated subqueries over the calendar table: any dialect, any warehouse (`precept sql`).
    #[default]
    Table,
    /// DuckDB list reads over [`LISTS`] (made by [`create`] once the calendar table is filled):
    /// for the embedded engine, whose records may be far more than DuckDB joins well.
    Lists,
}

/// The table of each calendar's days as lists.
pub const LISTS: &str = "precept_calendar_lists";

/// `CREATE TABLE` of [`LISTS`] from the filled calendar table.
pub fn create() -> String {
    format!(
        "CREATE TABLE {LISTS} AS SELECT calendar, min(day) AS first_day, \
         list(working ORDER BY day) AS working, list(idx ORDER BY day) AS idx, \
         list(day_start ORDER BY day) AS day_start, list(day_end ORDER BY day) AS day_end, \
         list(day ORDER BY day) FILTER (WHERE working) AS work_day, \
         list(day_end ORDER BY day) FILTER (WHERE working) AS work_end \
         FROM {} GROUP BY calendar;\n",
        super::calendar::TABLE
    )
}

/// Column `col` of calendar `cal`'s row.
fn column(cal: usize, col: &str) -> String {
    format!("(SELECT {col} FROM {LISTS} WHERE calendar = {cal})")
}

/// Item `pos` (from 1) of list column `col`; NULL outside the list (`list_extract` of 0 is NULL,
/// where a negative position would count from the end).
fn at(cal: usize, col: &str, pos: &str) -> String {
    format!("list_extract({}, greatest(CAST({pos} AS BIGINT), 0))", column(cal, col))
}

/// The position (from 1) of date `day` in calendar `cal`'s lists.
fn pos(cal: usize, day: &str) -> String {
    format!("(date_diff('day', {}, {day}) + 1)", column(cal, "first_day"))
}

/// The working-day index of the day instant `t` counts as received on.
pub fn receipt_idx(cal: usize, t: &str) -> String {
    let p = pos(cal, &format!("CAST({t} AS DATE)"));
    let ends = |k: &str| format!("{} >= {t}", at(cal, "day_end", &format!("{p} {k}")));
    let idx = |k: &str| at(cal, "idx", &format!("{p} {k}"));
    format!(
        "(CASE WHEN {p} < 2 THEN NULL WHEN {} THEN {} WHEN {} THEN {} WHEN {} THEN {} ELSE {} + 1 END)",
        ends("- 1"),
        idx("- 1"),
        ends("+ 0"),
        idx("+ 0"),
        ends("+ 1"),
        idx("+ 1"),
        idx("+ 1"),
    )
}

/// The end (UTC) of the working day of index `k`.
pub fn work_end(cal: usize, k: &str) -> String {
    at(cal, "work_end", k)
}

/// The working day of index `k`.
pub fn work_day(cal: usize, k: &str) -> String {
    at(cal, "work_day", k)
}

/// The working-day index of date `day` (of the last working day on or before it).
pub fn day_idx(cal: usize, day: &str) -> String {
    at(cal, "idx", &pos(cal, day))
}

/// 1 when date `day` is worked, else 0.
pub fn day_worked(cal: usize, day: &str) -> String {
    format!("CASE WHEN {} THEN 1 ELSE 0 END", at(cal, "working", &pos(cal, day)))
}

/// The local day of instant `t`: the last day starting at or before it.
pub fn local_day(cal: usize, t: &str) -> String {
    let u = format!("CAST({t} AS DATE)");
    let p = pos(cal, &u);
    let starts = |k: &str| format!("{} <= {t}", at(cal, "day_start", &format!("{p} {k}")));
    format!(
        "(CASE WHEN {} THEN {u} + 1 WHEN {} THEN {u} WHEN {} THEN {u} - 1 END)",
        starts("+ 1"),
        starts("+ 0"),
        starts("- 1")
    )
}
