//! Calendar lookups by position: `precept check --engine duckdb` (DuckDB) and every Spark script.
//!
//! The portable SQL ([`Lookup::Table`]) finds a receipt day, a local day or the `n`-th working day
//! with a correlated subquery over the calendar table (`MIN(idx) ... WHERE day_end >= t`). DuckDB
//! runs such a subquery as a join of every distinct instant of the records with the calendar's
//! days on an inequality: over 1,000,000 records it spilled 9 GB and did not finish in five
//! minutes. Spark does the same at every place a lookup is written (a `BroadcastNestedLoopJoin` of
//! the distinct instants with every working day, an aggregate, a shuffle and a sort-merge join back
//! to the records), and plans each anew: one rule of the generated tests ran seven such joins, and
//! eleven rules over 210 records took about 100 s on two cores. So both read each calendar as
//! lists instead ([`create`]: one row per calendar, each column of the calendar table as a list in
//! day order, and the working days' day and end in `idx` order), fetched by an uncorrelated scalar
//! subquery (one row, computed once per query, not per record) and indexed by position: a day's
//! position is its distance from the first day, and an instant's local day is its UTC date or one
//! of the days either side (no zone is more than 14 hours from UTC). Every lookup is then a few
//! list reads per record, with no join, and the results are those of the table's rows:
//! [`receipt_idx`] is the first working day ending at or after the instant, as in
//! `super::expr`'s subqueries (a day before the instant's local day ends before it; if none of the
//! three days around its UTC date is a working day ending at or after it, the next working day after
//! them is, or none past the range's last working day). A position outside the range reads
//! nothing (NULL), as a subquery finding no row does; tests/sql_lookup.rs holds both forms to the
//! same answers, at the range's first and last days too.
//!
//! The lists hold the calendar table's rows as `precept sql` writes them: every day of the range,
//! none missing. Equality joins on the local day (each instant's local day computed once, then
//! joined to its row) were the other way weighed for Spark: they still need the local day of each
//! instant first (three list reads, or a join on an inequality), and a join per lookup.

use super::dialect::Dialect;

/// How the compiled SQL reads the calendar table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lookup {
    /// Correlated subqueries over the calendar table: DuckDB and PostgreSQL in `precept sql` (Spark
    /// reads lists whatever this says: see [`lists`]).
    #[default]
    Table,
    /// List reads over [`LISTS`] (made by [`create`] once the calendar table is filled): for the
    /// embedded engine, whose records may be far more than DuckDB joins well.
    Lists,
}

/// Whether SQL for `d` read as `lookup` says reads [`LISTS`]: Spark always does (its correlated
/// subqueries are joins, above), DuckDB when asked, PostgreSQL never (it probes the calendar
/// table's indexes, one row per lookup).
pub fn lists(d: Dialect, lookup: Lookup) -> bool {
    match d {
        Dialect::Spark => true,
        Dialect::DuckDb => lookup == Lookup::Lists,
        Dialect::Postgres => false,
    }
}

/// The table of each calendar's days as lists.
pub const LISTS: &str = "precept_calendar_lists";

/// `CREATE TABLE` of [`LISTS`] from the filled calendar table.
pub fn create(d: Dialect) -> String {
    let table = super::calendar::TABLE;
    match d {
        // Spark's `collect_list` keeps no order, so the rows are gathered as structs and sorted by
        // day (the first field) before each column is taken out.
        Dialect::Spark => format!(
            "CREATE TABLE {LISTS} AS SELECT calendar, first_day, \
             transform(days, d -> d.working) AS working, transform(days, d -> d.idx) AS idx, \
             transform(days, d -> d.day_start) AS day_start, transform(days, d -> d.day_end) AS day_end, \
             transform(filter(days, d -> d.working), d -> d.day) AS work_day, \
             transform(filter(days, d -> d.working), d -> d.day_end) AS work_end \
             FROM (SELECT calendar, min(day) AS first_day, \
             array_sort(collect_list(struct(day, working, idx, day_start, day_end))) AS days \
             FROM {table} GROUP BY calendar) AS s;\n"
        ),
        Dialect::DuckDb | Dialect::Postgres => format!(
            "CREATE TABLE {LISTS} AS SELECT calendar, min(day) AS first_day, \
             list(working ORDER BY day) AS working, list(idx ORDER BY day) AS idx, \
             list(day_start ORDER BY day) AS day_start, list(day_end ORDER BY day) AS day_end, \
             list(day ORDER BY day) FILTER (WHERE working) AS work_day, \
             list(day_end ORDER BY day) FILTER (WHERE working) AS work_end \
             FROM {table} GROUP BY calendar;\n"
        ),
    }
}

/// What a script for `d` writes after the calendar table's rows so that its lookups can read
/// lists: [`create`] in Spark, nothing elsewhere (the embedded DuckDB engine makes its own).
pub fn script(d: Dialect) -> String {
    match d {
        Dialect::Spark => create(d),
        Dialect::DuckDb | Dialect::Postgres => String::new(),
    }
}

/// Column `col` of calendar `cal`'s row.
fn column(cal: usize, col: &str) -> String {
    format!("{COLUMN_AT}{col} FROM {LISTS} WHERE calendar = {cal})")
}

/// How [`column`]'s subquery begins.
const COLUMN_AT: &str = "(SELECT ";

/// How the alias of a calendar's row joined to a query begins ([`alias`]).
const ALIAS: &str = "precept_cal_";

/// The alias a query joined to calendar `cal`'s row of [`LISTS`] reads it by ([`hoisted`]).
fn alias(cal: usize) -> String {
    format!("{ALIAS}{cal}")
}

/// `sql` with each read of a calendar's lists ([`column`]'s subquery) made a column of that
/// calendar's row joined to the query ([`join`]): for the body of a higher-order function's
/// lambda in Spark, where Spark 4 and Databricks refuse a subquery unless a setting allows it (as
/// the role maps are read, [`super::roles`]). Outside lambdas the subqueries stay: they are
/// computed once per query, and every query that reads them has them whatever its joins. Text
/// literals and quoted names are left as they are, whatever they hold.
pub fn hoisted(sql: &str) -> String {
    let tail = format!(" FROM {LISTS} WHERE calendar = ");
    let mut out = String::with_capacity(sql.len());
    for (code, part) in pieces(sql) {
        if !code {
            out.push_str(part);
            continue;
        }
        let mut rest = part;
        while let Some(at) = rest.find(COLUMN_AT) {
            let (before, from) = rest.split_at(at);
            out.push_str(before);
            let read = from.get(COLUMN_AT.len()..).and_then(|r| {
                let (col, after) = r.split_once(&tail)?;
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                let cal: usize = after.get(..digits)?.parse().ok()?;
                let after = after.get(digits..)?.strip_prefix(')')?;
                let plain = col.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                plain.then(|| (format!("{}.{col}", alias(cal)), after))
            });
            match read {
                Some((column, after)) => {
                    out.push_str(&column);
                    rest = after;
                }
                None => {
                    out.push_str(COLUMN_AT);
                    rest = from.get(COLUMN_AT.len()..).unwrap_or("");
                }
            }
        }
        out.push_str(rest);
    }
    out
}

/// The joins a query over records needs for the calendar rows its `parts` read by alias
/// ([`hoisted`]): each a cross join of one row, in calendar order.
pub fn join(parts: &[&str]) -> String {
    let mut cals = std::collections::BTreeSet::new();
    for (_, code) in parts.iter().flat_map(|p| pieces(p)).filter(|(code, _)| *code) {
        let mut rest = code;
        while let Some(at) = rest.find(ALIAS) {
            let after = rest.get(at + ALIAS.len()..).unwrap_or("");
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if after.get(digits..).is_some_and(|a| a.starts_with('.')) {
                if let Some(cal) = after.get(..digits).and_then(|n| n.parse::<usize>().ok()) {
                    cals.insert(cal);
                }
            }
            rest = after;
        }
    }
    cals.into_iter()
        .map(|c| format!(" CROSS JOIN (SELECT * FROM {LISTS} WHERE calendar = {c}) AS {}", alias(c)))
        .collect()
}

/// `sql` cut into its code and its quoted parts (text literals in `'`, with `\` escaping the next
/// character as Spark reads them and `''` as two literals side by side; names in backquotes or
/// double quotes), in order: `(true, code)` or `(false, quoted)`.
fn pieces(sql: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let (mut start, mut quote, mut escaped) = (0, None::<char>, false);
    for (i, c) in sql.char_indices() {
        match quote {
            None if matches!(c, '\'' | '`' | '"') => {
                out.push((true, &sql[start..i]));
                (start, quote) = (i, Some(c));
            }
            None => {}
            Some(_) if escaped => escaped = false,
            Some('\'') if c == '\\' => escaped = true,
            Some(q) if c == q => {
                out.push((false, &sql[start..i + c.len_utf8()]));
                (start, quote) = (i + c.len_utf8(), None);
            }
            Some(_) => {}
        }
    }
    out.push((quote.is_none(), &sql[start..]));
    out.retain(|(_, p)| !p.is_empty());
    out
}

/// Item `pos` (from 1) of list column `col`; NULL outside the list (DuckDB's `list_extract` of 0 is
/// NULL, where a negative position would count from the end; Spark's `get` counts from 0 and is
/// NULL outside the list, even in ANSI mode, where `element_at` would fail).
fn at(d: Dialect, cal: usize, col: &str, pos: &str) -> String {
    match d {
        Dialect::Spark => format!("get({}, CAST({pos} AS INT) - 1)", column(cal, col)),
        Dialect::DuckDb | Dialect::Postgres => {
            format!("list_extract({}, greatest(CAST({pos} AS BIGINT), 0))", column(cal, col))
        }
    }
}

/// The position (from 1) of date `day` in calendar `cal`'s lists.
fn pos(d: Dialect, cal: usize, day: &str) -> String {
    match d {
        Dialect::Spark => format!("(datediff({day}, {}) + 1)", column(cal, "first_day")),
        Dialect::DuckDb | Dialect::Postgres => format!("(date_diff('day', {}, {day}) + 1)", column(cal, "first_day")),
    }
}

/// The working-day index of the day instant `t` counts as received on.
pub fn receipt_idx(d: Dialect, cal: usize, t: &str) -> String {
    let p = pos(d, cal, &format!("CAST({t} AS DATE)"));
    let ends = |k: &str| format!("{} >= {t}", at(d, cal, "day_end", &format!("{p} {k}")));
    let idx = |k: &str| at(d, cal, "idx", &format!("{p} {k}"));
    // Past the three days, the next working day: none when it is beyond the range's last working
    // day (its end cannot be read), as the table's subquery finds no row.
    let next = format!("{} + 1", idx("+ 1"));
    format!(
        "(CASE WHEN {p} < 0 THEN NULL WHEN {} THEN {} WHEN {} THEN {} WHEN {} THEN {} WHEN {} IS NOT NULL THEN {next} END)",
        ends("- 1"),
        idx("- 1"),
        ends("+ 0"),
        idx("+ 0"),
        ends("+ 1"),
        idx("+ 1"),
        at(d, cal, "work_end", &next),
    )
}

/// The end (UTC) of the working day of index `k`.
pub fn work_end(d: Dialect, cal: usize, k: &str) -> String {
    at(d, cal, "work_end", k)
}

/// The working day of index `k`.
pub fn work_day(d: Dialect, cal: usize, k: &str) -> String {
    at(d, cal, "work_day", k)
}

/// The working-day index of date `day` (of the last working day on or before it).
pub fn day_idx(d: Dialect, cal: usize, day: &str) -> String {
    at(d, cal, "idx", &pos(d, cal, day))
}

/// 1 when date `day` is worked, else 0.
pub fn day_worked(d: Dialect, cal: usize, day: &str) -> String {
    format!("CASE WHEN {} THEN 1 ELSE 0 END", at(d, cal, "working", &pos(d, cal, day)))
}

/// The instant (UTC) date `day` starts at in calendar `cal`'s zone.
pub fn day_start(d: Dialect, cal: usize, day: &str) -> String {
    at(d, cal, "day_start", &pos(d, cal, day))
}

/// The local day of instant `t`: the last day starting at or before it.
pub fn local_day(d: Dialect, cal: usize, t: &str) -> String {
    let u = format!("CAST({t} AS DATE)");
    let p = pos(d, cal, &u);
    let starts = |k: &str| format!("{} <= {t}", at(d, cal, "day_start", &format!("{p} {k}")));
    let (next, prev) = match d {
        Dialect::Spark => (format!("date_add({u}, 1)"), format!("date_sub({u}, 1)")),
        Dialect::DuckDb | Dialect::Postgres => (format!("{u} + 1"), format!("{u} - 1")),
    };
    format!(
        "(CASE WHEN {} THEN {next} WHEN {} THEN {u} WHEN {} THEN {prev} END)",
        starts("+ 1"),
        starts("+ 0"),
        starts("- 1")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lambda_reads_the_calendar_lists_as_joined_columns() {
        let sql = format!(
            "get({}, {} - 1) >= u1.at AND {} = 'x'",
            column(0, "work_end"),
            column(12, "first_day"),
            column(3, "idx")
        );
        let h = hoisted(&sql);
        assert_eq!(h, "get(precept_cal_0.work_end, precept_cal_12.first_day - 1) >= u1.at AND precept_cal_3.idx = 'x'");
        assert_eq!(
            join(&[&h, "precept_cal_0.idx"]),
            " CROSS JOIN (SELECT * FROM precept_calendar_lists WHERE calendar = 0) AS precept_cal_0 CROSS JOIN (SELECT * FROM precept_calendar_lists WHERE calendar = 3) AS precept_cal_3 CROSS JOIN (SELECT * FROM precept_calendar_lists WHERE calendar = 12) AS precept_cal_12"
        );
        assert_eq!(join(&["no calendar read", "precept_cal_x.y"]), "");
    }

    #[test]
    fn quoted_text_and_names_are_left_as_they_are() {
        let read = column(0, "idx");
        for quoted in [format!("'{read}'"), format!("'it\\'s {read}'"), format!("`{read}`"), format!("\"{read}\"")] {
            let sql = format!("{quoted} = {read}");
            assert_eq!(hoisted(&sql), format!("{quoted} = precept_cal_0.idx"), "{sql}");
        }
        assert_eq!(join(&["'precept_cal_4.idx' = r.`precept_cal_5.x`"]), "");
        // Not a read of the lists: left alone.
        let other = "(SELECT idx FROM precept_calendar WHERE calendar = 0)";
        assert_eq!(hoisted(other), other);
    }
}
