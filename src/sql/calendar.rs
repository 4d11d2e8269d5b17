//! The calendar table: every day of a range, per business calendar, with what SQL needs to count
//! business days exactly as [`crate::calendar::Calendar`] does.
//!
//! The rows are computed here, by the same calendar code the engine runs, rather than by SQL date
//! functions: time zones, DST changes, cut-offs and holidays then mean in the warehouse exactly
//! what they mean natively, and no dialect needs time-zone support. Per calendar and day:
//!
//! - `working`: the day is worked (a working weekday, not a holiday);
//! - `idx`: how many working days of the range fall on or before it, so the `n`-th working day
//!   after a working day is the working day whose `idx` is `n` more;
//! - `day_start`: the instant (UTC) the local day starts, so an instant's local day is the last
//!   day starting at or before it;
//! - `day_end`: for a working day, the instant (UTC) it ends (its cut-off, or the last microsecond
//!   before the next day), so a receipt day is the first working day ending at or after an instant.

use jiff::civil::Date;

use super::dialect::{Dialect, SqlType};
use crate::calendar::Calendar;

/// The table's name.
pub const TABLE: &str = "precept_calendar";

/// The range of days the calendar table covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub until: Date,
}

impl Default for Range {
    /// 2000 to 2049: wide enough for service histories, small enough to write (about 18,000 rows
    /// per calendar).
    fn default() -> Range {
        Range { from: jiff::civil::date(2000, 1, 1), until: jiff::civil::date(2049, 12, 31) }
    }
}

/// An instant as a SQL timestamp literal in UTC, to the microsecond (rounded down).
pub fn timestamp_literal(ts: jiff::Timestamp) -> String {
    let us = ts.as_microsecond();
    let whole = jiff::Timestamp::from_microsecond(us).unwrap_or(ts);
    format!("TIMESTAMP '{}'", whole.strftime("%Y-%m-%d %H:%M:%S%.6f"))
}

/// `CREATE TABLE` for the calendar table, and in PostgreSQL the indexes its lookups probe (each
/// finds one row by calendar and one of its columns: without them every lookup reads the whole
/// table, once per record and rule). DuckDB and Spark join on it instead.
pub fn create(dialect: Dialect) -> String {
    let mut out = table(dialect);
    if dialect == Dialect::Postgres {
        for col in ["day", "idx", "day_start", "day_end"] {
            out.push_str(&format!("CREATE INDEX {TABLE}_{col} ON {} (calendar, {col});\n", dialect.ident(TABLE)));
        }
    }
    out
}

fn table(dialect: Dialect) -> String {
    let t = |ty| dialect.ty(ty);
    format!(
        "CREATE TABLE {} (\n  calendar BIGINT NOT NULL,\n  day DATE NOT NULL,\n  working BOOLEAN NOT NULL,\n  idx BIGINT NOT NULL,\n  day_start {} NOT NULL,\n  day_end {}\n);\n",
        dialect.ident(TABLE),
        t(SqlType::Timestamp),
        t(SqlType::Timestamp),
    )
}

/// In PostgreSQL, `ANALYZE` of the calendar table once its rows are in: until its statistics are
/// gathered (by autovacuum, later) the planner may read the whole table for every lookup rather
/// than probe its indexes, which made a query over a few hundred records take minutes.
pub fn analyze(dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!("ANALYZE {};\n", dialect.ident(TABLE)),
        Dialect::DuckDb | Dialect::Spark => String::new(),
    }
}

/// One row of the calendar table (see the module's documentation), instants to the microsecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    /// The local day.
    pub day: Date,
    /// Whether it is worked.
    pub working: bool,
    /// Working days of the range up to and including it.
    pub idx: i64,
    /// The instant it starts.
    pub start: Option<jiff::Timestamp>,
    /// For a working day, the instant it ends.
    pub end: Option<jiff::Timestamp>,
}

/// Calendar `cal`'s days over `range`, in order.
pub fn days(cal: &Calendar, range: Range) -> Vec<Day> {
    let micros = |ts: jiff::Timestamp| jiff::Timestamp::from_microsecond(ts.as_microsecond()).unwrap_or(ts);
    let mut out = Vec::new();
    let mut idx: i64 = 0;
    let mut day = range.from;
    while day <= range.until {
        let working = cal.is_working_day(day);
        if working {
            idx += 1;
        }
        let start = cal.day_start(day).map(micros);
        let end = if working { cal.day_end(day).map(micros) } else { None };
        out.push(Day { day, working, idx, start, end });
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// `INSERT` statements holding calendar `index`'s days over `range`, 500 rows each.
pub fn rows(dialect: Dialect, index: usize, cal: &Calendar, range: Range) -> String {
    let mut out = String::new();
    let mut values = Vec::new();
    for d in days(cal, range) {
        let literal = |ts: Option<jiff::Timestamp>| ts.map_or_else(|| "NULL".to_string(), timestamp_literal);
        values.push(format!(
            "({index}, DATE '{}', {}, {}, {}, {})",
            d.day,
            d.working,
            d.idx,
            literal(d.start),
            literal(d.end)
        ));
        if values.len() == 500 {
            flush(dialect, &mut values, &mut out);
        }
    }
    flush(dialect, &mut values, &mut out);
    out
}

fn flush(dialect: Dialect, values: &mut Vec<String>, out: &mut String) {
    if values.is_empty() {
        return;
    }
    out.push_str(&format!("INSERT INTO {} VALUES\n  {};\n", dialect.ident(TABLE), values.join(",\n  ")));
    values.clear();
}
