//! Differential tests of `precept sql` (only with `--features duckdb`): the SQL it writes for the
//! DuckDB dialect, run on embedded DuckDB over the same records the engine reads, finds exactly what
//! the engine finds, finding for finding: rule, record, requirement, blamed field and the values the
//! message shows. The cases and the comparison are tests/sql_diff's, shared with PostgreSQL and
//! Spark: the bundled example (policies/ and fixtures/records/), the fixtures with their own
//! policies, and generated records at the edges of business-day arithmetic in several zones.
#![cfg(feature = "duckdb")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod sql_diff;

use precept::sql::Dialect;
use sql_diff::{Engine, Row};

/// A fresh in-memory DuckDB per case.
struct DuckDb;

impl Engine for DuckDb {
    fn dialect(&self) -> Dialect {
        Dialect::DuckDb
    }

    fn findings(&self, label: &str, tables: &str, script: &str, inserts: &str) -> Vec<Row> {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        for (what, sql) in [("tables", tables), ("script", script), ("records", inserts)] {
            conn.execute_batch(sql).unwrap_or_else(|e| panic!("{label}: the {what}: {e}"));
        }
        let mut stmt = conn
            .prepare(
                // Each value marked `v` (`n` for NULL), joined by a unit separator, in order.
                "SELECT rule_id, record_id, requirement, field, \
                 (SELECT string_agg(COALESCE('v' || u.x, 'n'), chr(31) ORDER BY u.i) \
                  FROM (SELECT UNNEST(message_values) AS x, generate_subscripts(message_values, 1) AS i) AS u), \
                 len(message_values) FROM precept_findings",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |row| {
                let rule: String = row.get(0)?;
                let record: Option<String> = row.get(1)?;
                let requirement: i64 = row.get(2)?;
                let field: String = row.get(3)?;
                let values: Option<String> = row.get(4)?;
                let n: i64 = row.get(5)?;
                Ok((rule, record, requirement, field, values, n))
            })
            .unwrap();
        let mut out: Vec<Row> = Vec::new();
        for r in rows {
            let (rule, record, requirement, field, values, n) = r.unwrap();
            let values: Vec<Option<String>> = match values {
                Some(v) if n > 0 => {
                    v.split('\u{1f}').map(|x| x.strip_prefix('v').map(str::to_string)).map(sql_diff::trim).collect()
                }
                _ => Vec::new(),
            };
            out.push((rule, record, requirement, field, values));
        }
        out
    }
}

#[test]
fn the_bundled_example_gives_the_same_findings_in_duckdb() {
    sql_diff::bundled_example(&DuckDb);
}

#[test]
fn fixtures_with_their_own_policies_give_the_same_findings_in_duckdb() {
    sql_diff::fixtures_with_their_own_policies(&DuckDb);
}

#[test]
fn generated_records_at_the_edges_give_the_same_findings_in_duckdb() {
    sql_diff::generated_edges(&DuckDb, &sql_diff::ALL_ZONES);
}
