//! `precept check --engine duckdb`'s calendar lookups by position (src/sql/lookup.rs) against the
//! calendar table's own definition (docs/warehouse.md, "The calendar table"), which `precept sql`
//! runs as subqueries: for calendars from UTC-11 to UTC+14, with and without a cut-off, over
//! daylight-saving changes and holidays, every instant sampled (and every cut-off, a microsecond
//! either side) gets the same receipt day, local day and `n` business days later, and every date
//! the same working day on or after it and `n` business days either side.

#![cfg(feature = "duckdb")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::calendar::Calendar;
use precept::sql::calendar::{self, Range};
use precept::sql::{lookup, Dialect};

const CALENDARS: [(&str, &str); 5] = [
    ("Europe/London", "zone = \"Europe/London\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\ncutoff = \"17:00\"\nholidays = [2024-03-29, 2024-04-01, 2024-12-25, 2024-12-26]\n"),
    ("Pacific/Kiritimati", "zone = \"Pacific/Kiritimati\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\ncutoff = \"09:30\"\n"),
    ("Pacific/Pago_Pago", "zone = \"Pacific/Pago_Pago\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\n"),
    ("Pacific/Auckland", "zone = \"Pacific/Auckland\"\nworking_days = [\"mon\", \"wed\", \"fri\"]\ncutoff = \"23:30\"\nholidays = [2024-04-05]\n"),
    ("America/New_York", "zone = \"America/New_York\"\nworking_days = [\"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\ncutoff = \"00:30\"\n"),
];

/// The number of rows of `sql` (a `SELECT` of mismatches), and of `all` (what was compared).
fn count(conn: &duckdb::Connection, sql: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM ({sql})"), [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}\n{sql}"))
}

#[test]
fn lookups_by_position_agree_with_the_calendar_table() {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let range = Range { from: jiff::civil::date(2023, 10, 1), until: jiff::civil::date(2025, 3, 31) };
    let mut sql = String::from("SET TimeZone = 'UTC';\n");
    sql.push_str(&calendar::create(Dialect::DuckDb));
    for (i, (_, toml)) in CALENDARS.iter().enumerate() {
        let cal = Calendar::from_toml(toml).unwrap();
        sql.push_str(&calendar::rows(Dialect::DuckDb, i, &cal, range));
    }
    sql.push_str(&lookup::create(Dialect::DuckDb));
    // Instants every 11 hours 7 minutes through 2024, and each working day's end in March and April
    // (London's and Auckland's clocks change), a microsecond either side.
    sql.push_str(
        "CREATE TABLE instants AS
           SELECT TIMESTAMP '2024-01-01 00:00:00' + to_minutes(667 * i) AS t FROM range(790) AS s(i)
           UNION ALL SELECT day_end + to_microseconds(k) FROM precept_calendar, range(-1, 2) AS o(k)
             WHERE working AND day >= DATE '2024-03-01' AND day <= DATE '2024-04-30'
           -- The range's first and last UTC days, every 20 minutes: where a lookup reads the
           -- lists' first or last day (and the day beyond, which is none).
           UNION ALL SELECT TIMESTAMP '2023-10-01 00:00:00' + to_minutes(20 * i) FROM range(216) AS s(i)
           UNION ALL SELECT TIMESTAMP '2025-03-29 00:00:00' + to_minutes(20 * i) FROM range(216) AS s(i);
         CREATE TABLE dates AS SELECT DATE '2024-01-01' + CAST(i AS INTEGER) AS d FROM range(366) AS s(i)
           UNION ALL SELECT DATE '2023-10-01' + CAST(i AS INTEGER) FROM range(3) AS s(i)
           UNION ALL SELECT DATE '2025-03-29' + CAST(i AS INTEGER) FROM range(3) AS s(i);",
    );
    conn.execute_batch(&sql).unwrap();
    let table = "precept_calendar";
    let mut compared = 0;
    for (c, (zone, _)) in CALENDARS.iter().enumerate() {
        let receipt =
            format!("(SELECT MIN(x.idx) FROM {table} x WHERE x.calendar = {c} AND x.working AND x.day_end >= t)");
        let local = format!("(SELECT MAX(x.day) FROM {table} x WHERE x.calendar = {c} AND x.day_start <= t)");
        let end_of = |k: &str| {
            format!("(SELECT MIN(x.day_end) FROM {table} x WHERE x.calendar = {c} AND x.working AND x.idx = {k})")
        };
        let day_of = |k: &str| {
            format!("(SELECT MIN(x.day) FROM {table} x WHERE x.calendar = {c} AND x.working AND x.idx = {k})")
        };
        let idx_of = format!("(SELECT MIN(x.idx) FROM {table} x WHERE x.calendar = {c} AND x.day = d)");
        let worked = format!(
            "(SELECT MIN(CASE WHEN x.working THEN 1 ELSE 0 END) FROM {table} x WHERE x.calendar = {c} AND x.day = d)"
        );
        let mut checks = vec![
            ("instants", "receipt day".to_string(), receipt.clone(), lookup::receipt_idx(Dialect::DuckDb, c, "t")),
            ("instants", "local day".to_string(), local, lookup::local_day(Dialect::DuckDb, c, "t")),
            (
                "dates",
                "working day on or after".to_string(),
                day_of(&format!("{idx_of} + 1 - {worked}")),
                lookup::work_day(
                    Dialect::DuckDb,
                    c,
                    &format!(
                        "{} + 1 - {}",
                        lookup::day_idx(Dialect::DuckDb, c, "d"),
                        lookup::day_worked(Dialect::DuckDb, c, "d")
                    ),
                ),
            ),
        ];
        for n in [-3i64, -1, 0, 1, 2, 5] {
            checks.push((
                "instants",
                format!("{n} business days after"),
                end_of(&format!("{receipt} + {n}")),
                lookup::work_end(
                    Dialect::DuckDb,
                    c,
                    &format!("{} + {n}", lookup::receipt_idx(Dialect::DuckDb, c, "t")),
                ),
            ));
            if n == 0 {
                continue;
            }
            let (want, got) = if n > 0 {
                (format!("{idx_of} + {n}"), format!("{} + {n}", lookup::day_idx(Dialect::DuckDb, c, "d")))
            } else {
                (
                    format!("{idx_of} - {worked} + {}", n + 1),
                    format!(
                        "{} - {} + {}",
                        lookup::day_idx(Dialect::DuckDb, c, "d"),
                        lookup::day_worked(Dialect::DuckDb, c, "d"),
                        n + 1
                    ),
                )
            };
            checks.push((
                "dates",
                format!("date {n} business days"),
                day_of(&want),
                lookup::work_day(Dialect::DuckDb, c, &got),
            ));
        }
        for (from, what, want, got) in checks {
            let rows = format!("SELECT *, {want} AS want, {got} AS got FROM {from}");
            let wrong = count(&conn, &format!("SELECT * FROM ({rows}) WHERE want IS DISTINCT FROM got"));
            if wrong > 0 {
                let sample: Vec<String> = conn
                    .prepare(&format!(
                        "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM ({rows}) WHERE want IS DISTINCT FROM got LIMIT 5"
                    ))
                    .unwrap()
                    .query_map([], |r| {
                        Ok(format!(
                            "{:?} want {:?} got {:?}",
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, Option<String>>(2)?
                        ))
                    })
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                panic!("{zone}: {what}: {wrong} differ, such as {sample:#?}");
            }
            // Answers, not only NULLs on both sides.
            assert!(count(&conn, &format!("SELECT * FROM ({rows}) WHERE got IS NOT NULL")) > 200, "{what}");
            compared += 1;
        }
    }
    assert_eq!(compared, CALENDARS.len() * 14);
}
