//! The DuckDB engine of the differential tests (only with `--features duckdb`): the SQL run on a
//! fresh embedded DuckDB per case. Shared by tests/sql_duckdb.rs and tests/check_duckdb.rs.

use precept::sql::Dialect;

use super::{Engine, Row};

/// A fresh in-memory DuckDB per case.
pub struct DuckDb;

/// A fresh in-memory DuckDB that reads lambdas as DuckDB 2.0 does by default: written `lambda x:
/// ...`, never `x -> ...`, so that SQL written the old way fails the tests.
pub fn connection() -> duckdb::Connection {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch("SET lambda_syntax = 'DISABLE_SINGLE_ARROW';").unwrap();
    conn
}

impl Engine for DuckDb {
    fn dialect(&self) -> Dialect {
        Dialect::DuckDb
    }

    fn findings(&self, label: &str, tables: &str, script: &str, inserts: &str) -> Vec<Row> {
        let conn = connection();
        for (what, sql) in [("tables", tables), ("script", script), ("records", inserts)] {
            conn.execute_batch(sql).unwrap_or_else(|e| panic!("{label}: the {what}: {e}"));
        }
        let mut stmt = conn
            .prepare(
                // Each value marked `v` (`n` for NULL), joined by a unit separator, in order.
                "SELECT rule_id, record_id, requirement, field, \
                 (SELECT string_agg(COALESCE('v' || u.x, 'n'), chr(31) ORDER BY u.i) \
                  FROM (SELECT UNNEST(message_values) AS x, generate_subscripts(message_values, 1) AS i) AS u), \
                 len(message_values), group_key FROM precept_findings",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |row| {
                let rule: String = row.get(0)?;
                let record: Option<String> = row.get(1)?;
                let requirement: Option<i64> = row.get(2)?;
                let field: String = row.get(3)?;
                let values: Option<String> = row.get(4)?;
                let n: i64 = row.get(5)?;
                let key: Option<String> = row.get(6)?;
                Ok((rule, record, requirement, field, values, n, key))
            })
            .unwrap();
        let mut out: Vec<Row> = Vec::new();
        for r in rows {
            let (rule, record, requirement, field, values, n, key) = r.unwrap();
            let values: Vec<Option<String>> = match values {
                Some(v) if n > 0 => {
                    v.split('\u{1f}').map(|x| x.strip_prefix('v').map(str::to_string)).map(super::trim).collect()
                }
                _ => Vec::new(),
            };
            out.push((rule, record, requirement, field, values, key));
        }
        out
    }
}
