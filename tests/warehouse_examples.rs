//! The warehouse examples of docs/warehouse.md are what `precept sql` writes today for the bundled
//! policies, with the commands the docs give (run from the repository's root, which reads its
//! precept.toml): examples/warehouse/dbt/models/precept_findings.sql (PostgreSQL, a dbt model)
//! and examples/warehouse/spark/precept_findings.sql (Spark). When a policy or the compiler
//! changes, rerun the command the failure names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

/// `precept sql --dialect <dialect>` with the example's calendar range, on standard output.
fn written(dialect: &str) -> String {
    let run = common::precept(&[
        "sql",
        "--dialect",
        dialect,
        "--calendar-from",
        "2023-01-01",
        "--calendar-until",
        "2027-12-31",
    ]);
    // 1: the bundled group rules are left out of the SQL, each with a warning.
    assert!(run.code == 0 || run.code == 1, "precept sql failed: {}", run.stderr);
    run.stdout
}

fn up_to_date(dialect: &str, example: &str) -> String {
    let path = common::root().join(example);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let now = written(dialect);
    assert!(now.contains("CREATE VIEW"), "{now}");
    assert!(
        committed == now,
        "{example} is not what `precept sql` writes today; from the repository's root run\n  \
         precept sql --dialect {dialect} --calendar-from 2023-01-01 --calendar-until 2027-12-31 --output {example}"
    );
    committed
}

#[test]
fn the_dbt_model_is_what_precept_sql_writes_for_postgres() {
    let model = up_to_date("postgres", "examples/warehouse/dbt/models/precept_findings.sql");
    // dbt renders a model with Jinja: none of its delimiters may appear.
    for jinja in ["{{", "{%", "{#"] {
        assert!(!model.contains(jinja), "the model holds `{jinja}`, which dbt would read as Jinja");
    }
}

#[test]
fn the_spark_example_is_what_precept_sql_writes_for_spark() {
    let script = up_to_date("spark", "examples/warehouse/spark/precept_findings.sql");
    assert!(script.contains("SET TIME ZONE 'UTC';"));
}
