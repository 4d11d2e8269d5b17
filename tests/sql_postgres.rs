//! Differential tests of `precept sql --dialect postgres`: the SQL it writes, run on a PostgreSQL
//! server over the same records the engine reads, finds exactly what the engine finds, finding for
//! finding (the cases and the comparison are tests/sql_diff's, shared with DuckDB and Spark).
//!
//! The server is named by `PRECEPT_TEST_POSTGRES`, a libpq connection string
//! (`postgresql://user:password@localhost:5432/db`) whose role may create schemas; `.ci/run`
//! installs Debian's `postgresql`, starts its cluster and sets it. Without it the tests say so and
//! pass, unless `CI=true`. The script goes through `psql` (PostgreSQL's own client, installed with
//! the server) rather than a Rust driver: `precept sql`'s output is a script for `psql` to run as
//! a user would, and the tests add no dependency to the build. Each case runs in a schema of its
//! own, dropped after it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;
mod sql_diff;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use precept::sql::Dialect;
use sql_diff::{Engine, Row};

/// The server named by `PRECEPT_TEST_POSTGRES`.
struct Postgres {
    url: String,
}

/// The server to run on, or `None` (after a message; a failure under CI) when there is none.
fn server() -> Option<Postgres> {
    let how = "apt-get install postgresql, start the cluster, create a role and a database, and set \
               PRECEPT_TEST_POSTGRES to their connection string";
    let url = std::env::var("PRECEPT_TEST_POSTGRES").ok().filter(|u| !u.is_empty());
    if !common::available(url.is_some(), "PRECEPT_TEST_POSTGRES is not set", how)
        || !common::have_tool("psql", "apt-get install postgresql-client")
    {
        return None;
    }
    let url = url?;
    let up = psql(&url, "SELECT 1").is_ok();
    if !common::available(up, &format!("the PostgreSQL server of PRECEPT_TEST_POSTGRES ({url}) does not answer"), how) {
        return None;
    }
    Some(Postgres { url })
}

/// Run `sql` with `psql`, stopping at the first error; the rows it prints, unaligned, one a line.
fn psql(url: &str, sql: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.sql");
    std::fs::write(&file, sql).unwrap();
    let out = Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(&file)
        // Without JIT: the view's expressions are large (a rule over a list of objects asking about
        // roles is tens of kilobytes), and on the tests' small tables PostgreSQL spent nearly all of
        // a query compiling them (the bundled example's view with its role files took 28 s, and
        // 0.2 s without; docs/warehouse.md, "Limits of each dialect").
        // A `DateStyle` other than the default ISO one, so that no date the SQL writes as text
        // depends on it.
        .env("PGOPTIONS", "--client-min-messages=warning -c jit=off -c datestyle=SQL,DMY")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Engine for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn findings(&self, label: &str, tables: &str, script: &str, inserts: &str) -> Vec<Row> {
        static CASE: AtomicUsize = AtomicUsize::new(0);
        let schema = format!("precept_test_{}_{}", std::process::id(), CASE.fetch_add(1, Ordering::Relaxed));
        let run = format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\nSET search_path TO {schema};\n\
             {tables}\n{script}\n{inserts}\n\
             SELECT json_build_array(rule_id, record_id, requirement, field, message_values, group_key) FROM precept_findings;\n"
        );
        let out = psql(&self.url, &run);
        // Dropped whether the case ran or not.
        let _ = psql(&self.url, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE;"));
        let out = out.unwrap_or_else(|e| panic!("{label}: PostgreSQL stopped: {e}"));
        out.lines().filter(|l| !l.is_empty()).map(sql_diff::json_row).collect()
    }
}

#[test]
fn the_bundled_example_gives_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::bundled_example(&pg);
    }
}

#[test]
fn fixtures_with_their_own_policies_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::fixtures_with_their_own_policies(&pg);
    }
}

#[test]
fn generated_records_at_the_edges_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_edges(&pg, &sql_diff::ALL_ZONES);
    }
}

#[test]
fn the_bundled_example_with_its_role_files_gives_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::bundled_example_with_roles(&pg);
    }
}

#[test]
fn generated_role_files_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_roles(&pg);
    }
}

/// Questions about roles in a group rule and a case rule (the queries other than a single record's).
#[test]
fn generated_role_groups_and_cases_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_role_groups(&pg);
    }
}

#[test]
fn generated_cases_at_the_edges_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_cases(&pg, &sql_diff::ALL_ZONES);
    }
}

/// Case rules whose deadlines are read from the opening record, ties at one instant included.
#[test]
fn generated_due_cases_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_due_cases(&pg, &sql_diff::ALL_ZONES);
    }
}

/// Calendar lookups inside `any`, `all`, `none` and `count`.
#[test]
fn calendar_lookups_in_quantifiers_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_list_lookups(&pg, &["london", "sydney"]);
    }
}

/// Case rules whose messages read the opening record (`opening.<field>`).
#[test]
fn generated_cases_reading_their_openings_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_opened_cases(&pg, &["london", "sydney"]);
    }
}

/// Case rules without a calendar, at the offsets their events were written with.
#[test]
fn generated_cases_written_at_offsets_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_cases_written(&pg);
    }
}

#[test]
fn datetimes_read_at_their_written_offset_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_offsets(&pg);
    }
}

#[test]
fn redacted_values_give_the_same_hashes_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_redaction(&pg);
    }
}

#[test]
fn lists_of_objects_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_lists(&pg);
    }
}

/// Counts read from the record (`record.n days`, `record.years years`), their edges without an
/// answer told from missing counts, as the engine tells them.
#[test]
fn counts_read_from_the_record_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_counts(&pg);
    }
}

/// Redacted decimals, amounts and durations hashed as `check` shows them.
#[test]
fn redacted_numbers_give_the_same_hashes_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_redacted_numbers(&pg);
    }
}

/// Sums, averages, least and greatest of quotients by a value of the record: exact fractions,
/// with no answer for a sum whose running total passes the engine's 128 bits (on the way too) and
/// for a record's quotient past them.
#[test]
fn aggregates_of_quotients_by_a_field_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_field_quotients(&pg);
        sql_diff::generated_field_percentiles(&pg);
        sql_diff::field_quotients_past_held(&pg);
    }
}

/// Sums, products and quotients of decimals past the engine's 128 bits: no answer, as in the
/// engine, where `NUMERIC` holds them.
#[test]
fn decimals_past_128_bits_have_no_answer_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::decimals_past_held(&pg);
    }
}

/// Quotients under `if`, before `otherwise` and asked `is present`: a division by zero told from a
/// missing operand.
#[test]
fn quotients_told_from_missing_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_quotients(&pg);
    }
}

#[test]
fn group_values_of_every_type_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_groups(&pg);
    }
}

/// Durations divided by whole numbers: exact to the nanosecond, with no answer for a zero divisor.
#[test]
fn durations_divided_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_duration_division(&pg);
    }
}

/// Case rules whose events are written as dates, in every zone and with none.
#[test]
fn cases_written_as_dates_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_date_cases(&pg, &sql_diff::ALL_ZONES);
    }
}

/// Lists of every type shown in messages, as the engine shows them.
#[test]
fn lists_shown_in_messages_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_lists_shown(&pg);
    }
}

/// Redacted computations, with no answer hashed as the engine words it.
#[test]
fn redacted_computations_give_the_same_hashes_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_redacted_computations(&pg);
    }
}

/// Redacted quotients, averages and shares, hashed from `check`'s text of the exact value.
#[test]
fn redacted_quotients_give_the_same_hashes_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_redacted_quotients(&pg);
    }
}

/// The expected table refuses a list with a NULL element (the engine cannot read such a record,
/// and a query has no *cannot be determined*), of values, of objects or of lists (`JSONB`, at
/// every level), and takes an empty list and an element's field that is NULL; and an offset the
/// engine cannot hold, alone or in a list of them.
#[test]
fn the_expected_tables_refuse_a_null_element_in_postgres() {
    let Some(pg) = server() else { return };
    let schema = format!("precept_test_{}_nulls", std::process::id());
    let tables = sql_diff::expected_tables(sql_diff::LISTED_POLICY, Dialect::Postgres);
    let run = |rows: &str| {
        psql(
            &pg.url,
            &format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE;\nCREATE SCHEMA {schema};\nSET search_path TO {schema};\n{tables}\n{rows}\nSELECT count(*) FROM \"order\";\n"
            ),
        )
    };
    let stamps = |at: &str, calls: &str| {
        format!("TIMESTAMP '2024-03-01 00:00:00', {at}, ARRAY[TIMESTAMP '2024-03-01 00:00:00', TIMESTAMP '2024-03-02 00:00:00'], {calls}")
    };
    let none = stamps("NULL", "NULL");
    let good = format!(
        "INSERT INTO \"order\" VALUES ('a', ARRAY[1, 2], '[{{\"sku\": \"x\"}}, {{\"sku\": null}}]', '[[1], []]', {}), ('b', ARRAY[]::BIGINT[], '[]', '[]', NULL, NULL, NULL, NULL);",
        stamps("93599", "ARRAY[-93599, NULL]")
    );
    let result = run(&good);
    for bad in [
        format!("INSERT INTO \"order\" VALUES ('c', ARRAY[1, NULL], '[]', '[]', {none});"),
        format!("INSERT INTO \"order\" VALUES ('c', ARRAY[1], '[{{\"sku\": \"x\"}}, null]', '[]', {none});"),
        format!("INSERT INTO \"order\" VALUES ('c', ARRAY[1], '[]', '[[1], null]', {none});"),
        format!("INSERT INTO \"order\" VALUES ('c', ARRAY[1], '[]', '[[1, null]]', {none});"),
        format!("INSERT INTO \"order\" VALUES ('c', ARRAY[1], '[]', '[]', {});", stamps("93600", "NULL")),
        format!("INSERT INTO \"order\" VALUES ('c', ARRAY[1], '[]', '[]', {});", stamps("0", "ARRAY[0, -93600]")),
    ] {
        let bad = bad.as_str();
        let err = run(bad).expect_err(bad);
        assert!(err.contains("violates check constraint"), "{err}");
    }
    let _ = psql(&pg.url, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE;"));
    assert_eq!(result.unwrap().trim(), "2");
}

/// An `if`'s choice (`Dialect::case_truth`) on a condition that holds, does not, or is unknown,
/// written as a typed value, a bare `NULL` (of no type in PostgreSQL, where `NULL = TRUE` does
/// not resolve) and a `CASE` that gives one.
#[test]
fn a_choice_on_an_unknown_condition_takes_its_default_in_postgres() {
    let Some(pg) = server() else { return };
    let d = Dialect::Postgres;
    let cases = [
        ("TRUE", "1"),
        ("(1 > 2)", "2"),
        ("CAST(NULL AS BOOLEAN)", "3"),
        ("NULL", "3"),
        ("CASE WHEN 1 > 2 THEN TRUE END", "3"),
        (&d.case_truth("NULL", "FALSE", "TRUE", None), "3"),
    ];
    for (c, want) in cases {
        let sql = format!("SELECT {};", d.case_truth(c, "1", "2", Some("3")));
        assert_eq!(psql(&pg.url, &sql).map(|r| r.trim().to_string()), Ok(want.to_string()), "{sql}");
    }
}

/// Products of decimals by constants, and of four decimal columns (left out where the dialect's
/// decimals cannot hold their places).
#[test]
fn constant_products_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_constant_products(&pg);
    }
}

/// Shares, averages and quotients against decimals of ten places: exact, never rounded.
#[test]
fn fine_decimals_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_fine_decimals(&pg);
    }
}

/// Dates and instants moved by constant spans and months past the last the engine holds, where
/// it has no answer, as the engine tells it.
#[test]
fn moves_past_the_last_date_held_give_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::generated_far_moves(&pg);
    }
}

/// Exploration (ignored): generated arithmetic, each rule on its own (`SEED`, `LARGE`).
#[test]
#[ignore]
fn explore_generated_arithmetic() {
    if let Some(pg) = server() {
        sql_diff::arith::explore(&pg);
    }
}

/// Generated arithmetic over decimals, whole numbers and amounts (sums, products, quotients,
/// choices, a group's aggregates), each rule compared on its own ([`sql_diff::arith`]).
#[test]
fn generated_arithmetic_gives_the_same_findings_in_postgres() {
    if let Some(pg) = server() {
        sql_diff::arith::generated_arithmetic(&pg, 7, 100);
    }
}
