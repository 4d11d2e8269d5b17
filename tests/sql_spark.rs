//! Differential tests of `precept sql --dialect spark`: the SQL it writes, run on Spark in local
//! mode over the same records the engine reads, finds exactly what the engine finds, finding for
//! finding (the cases and the comparison are tests/sql_diff's, shared with DuckDB and PostgreSQL).
//!
//! Spark is driven by tests/spark/run_sql.py with the Python named by `PRECEPT_TEST_SPARK_PYTHON`,
//! or else `target/spark-venv/bin/python`: `.ci/run` makes that venv with PySpark from PyPI
//! (pinned) and installs Java. Without them the tests say so and pass, unless `CI=true`. Starting
//! Spark takes most of the time, so one session, started by the first test that needs it, runs
//! every case of the run, one after the other, each in a database of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;
mod sql_diff;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use precept::sql::Dialect;
use sql_diff::{Engine, Row};

/// The Spark session all cases share: run_sql.py, its pipes, and the folder it works in.
struct Spark {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    dir: PathBuf,
}

/// The session, started on first use; `None` when Spark cannot run here (said once).
fn session() -> &'static Mutex<Option<Spark>> {
    static SPARK: OnceLock<Mutex<Option<Spark>>> = OnceLock::new();
    SPARK.get_or_init(|| Mutex::new(start()))
}

/// The Python that has PySpark.
fn python() -> PathBuf {
    std::env::var_os("PRECEPT_TEST_SPARK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/spark-venv/bin/python"))
}

fn start() -> Option<Spark> {
    let how = "python3 -m venv target/spark-venv && target/spark-venv/bin/pip install pyspark==3.5.3, \
               and apt-get install default-jre-headless";
    if !common::have_tool("java", "apt-get install default-jre-headless") {
        return None;
    }
    let python = python();
    let has_pyspark = Command::new(&python).args(["-c", "import pyspark"]).output().is_ok_and(|o| o.status.success());
    if !common::available(has_pyspark, &format!("{} cannot import pyspark", python.display()), how) {
        return None;
    }
    // Spark's warehouse, its scratch files and its log; run_sql.py removes the folder at the end.
    let dir = tempfile::tempdir().unwrap().keep();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/spark/run_sql.py");
    let log = std::fs::File::create(dir.join("spark.log")).unwrap();
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .current_dir(&dir)
        .env("SPARK_LOCAL_DIRS", dir.join("scratch"))
        .env("PYSPARK_PYTHON", &python)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", python.display()));
    let stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            panic!("Spark did not start:\n{}", log_tail(&dir));
        }
        if let Some(version) = line.trim().strip_prefix("READY ") {
            eprintln!("Spark {version} in local mode");
            break;
        }
    }
    Some(Spark { _child: child, stdin, stdout, dir })
}

/// The end of Spark's log, for a failure's message.
fn log_tail(dir: &std::path::Path) -> String {
    let log = std::fs::read_to_string(dir.join("spark.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Spark, reached through [`session`].
struct SparkEngine;

impl Engine for SparkEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Spark
    }

    fn findings(&self, label: &str, tables: &str, script: &str, inserts: &str) -> Vec<Row> {
        static CASE: AtomicUsize = AtomicUsize::new(0);
        let mut guard = session().lock().unwrap_or_else(|e| e.into_inner());
        let spark = guard.as_mut().expect("a session (the test checks first)");
        let case = CASE.fetch_add(1, Ordering::Relaxed);
        let files = spark.dir.join(format!("case-{case}"));
        std::fs::create_dir_all(&files).unwrap();
        let mut paths = Vec::new();
        for (name, text) in [("tables.sql", tables), ("script.sql", script), ("inserts.sql", inserts)] {
            let path = files.join(name);
            std::fs::write(&path, text).unwrap();
            paths.push(path.display().to_string());
        }
        writeln!(spark.stdin, "precept_case_{case}\t{}", paths.join("\t")).unwrap();
        spark.stdin.flush().unwrap();
        let mut out = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if spark.stdout.read_line(&mut line).unwrap() == 0 {
                panic!("{label}: Spark ended:\n{}", log_tail(&spark.dir));
            }
            let line = line.trim_end();
            if let Some(row) = line.strip_prefix("ROW ") {
                out.push(sql_diff::json_row(row));
            } else if line == "DONE" {
                break;
            } else if let Some(e) = line.strip_prefix("FAIL ") {
                let e: String = serde_json::from_str(e).unwrap_or_else(|_| e.to_string());
                panic!("{label}: Spark stopped: {e}");
            }
        }
        std::fs::remove_dir_all(&files).unwrap();
        out
    }
}

/// Spark, or `None` (after a message; a failure under CI) when it cannot run here.
fn spark() -> Option<SparkEngine> {
    let up = session().lock().unwrap_or_else(|e| e.into_inner()).is_some();
    up.then_some(SparkEngine)
}

#[test]
fn fixtures_with_their_own_policies_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::fixtures_with_their_own_policies(&spark);
    }
}

#[test]
fn generated_records_at_the_edges_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        // Two zones, one in each hemisphere (the other two run on DuckDB and PostgreSQL): Spark
        // plans each rule's expressions for minutes' worth of CPU on two cores, so the four zones'
        // 48 rules would add minutes to CI for arithmetic the two already cover.
        sql_diff::generated_edges(&spark, &["london", "sydney"]);
    }
}

/// The bundled example, with its role files: the role tables and their maps
/// (`precept_role_lists`) run on Spark as written, and every rule that compiles is compared, those
/// asking about roles inside `all` included. One run with the role files rather than a second
/// without them: every rule that compiles without them compiles with them, and a Spark run of the
/// example takes minutes on two cores.
#[test]
fn the_bundled_example_with_its_role_files_gives_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::bundled_example_with_roles(&spark);
    }
}

/// The generated role files at the edges of every question about staff and roles (unknown
/// staff, days outside employment, overlapping assignments, roles the files do not define, an
/// escalation cycle, limits by kind and currency, qualifications expiring on the day, areas
/// needing none, one or two), asked of records and inside `all`: Spark's map lookups answer as the
/// engine does.
#[test]
fn generated_role_files_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_roles(&spark);
    }
}

/// Questions about roles in a group rule's `where`, `require` and message and a case rule's `opens
/// when`: each of those queries joins the role maps' row.
#[test]
fn generated_role_groups_and_cases_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_role_groups(&spark);
    }
}

#[test]
fn generated_cases_at_the_edges_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_cases(&spark, &["london"]);
    }
}

/// Case rules whose deadlines are read from the opening record, ties at one instant included.
#[test]
fn generated_due_cases_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_due_cases(&spark, &["london"]);
    }
}

/// Calendar lookups inside `any`, `all`, `none` and `count`.
#[test]
fn calendar_lookups_in_quantifiers_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_list_lookups(&spark, &["london", "sydney"]);
    }
}

/// Case rules whose messages read the opening record (`opening.<field>`).
#[test]
fn generated_cases_reading_their_openings_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_opened_cases(&spark, &["london"]);
    }
}

/// Case rules without a calendar, at the offsets their events were written with.
#[test]
fn generated_cases_written_at_offsets_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_cases_written(&spark);
    }
}

/// Calendars for [`calendar_lookups_by_position_agree_with_the_native_calendar_in_spark`]: the
/// zones furthest from UTC either way (where an instant's local day is a day off its UTC date),
/// both hemispheres' DST changes, cut-offs early and late, none, and odd working weeks.
const LOOKUP_CALENDARS: [&str; 5] = [
    "zone = \"Europe/London\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\ncutoff = \"17:00\"\nholidays = [2024-03-29, 2024-04-01, 2024-12-25, 2024-12-26]\n",
    "zone = \"Pacific/Kiritimati\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\ncutoff = \"09:30\"\n",
    "zone = \"Pacific/Pago_Pago\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\n",
    "zone = \"Pacific/Auckland\"\nworking_days = [\"mon\", \"wed\", \"fri\"]\ncutoff = \"23:30\"\nholidays = [2024-04-05]\n",
    "zone = \"America/New_York\"\nworking_days = [\"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\ncutoff = \"00:30\"\n",
];

/// Spark's calendar lookups by position (src/sql/lookup.rs, the arrays of
/// `precept_calendar_lists`) against the engine's own calendar, the independent model: for
/// calendars from UTC-11 to UTC+14, every instant sampled through 2024 (and every working day's
/// end in March and April, a microsecond either side) has the engine's receipt day, local day and
/// `n` business days later, and every day of 2024 the engine's working day on or after it and `n`
/// business days either side. tests/sql_lookup.rs checks the same SQL's DuckDB form against the
/// calendar table's subqueries.
#[test]
fn calendar_lookups_by_position_agree_with_the_native_calendar_in_spark() {
    use precept::calendar::Calendar;
    use precept::sql::calendar::{self, timestamp_literal, Range};
    use precept::sql::lookup;
    let Some(spark) = spark() else { return };
    let d = Dialect::Spark;
    let range = Range { from: jiff::civil::date(2023, 10, 1), until: jiff::civil::date(2025, 3, 31) };
    let micros = |t: jiff::Timestamp| jiff::Timestamp::from_microsecond(t.as_microsecond()).unwrap();
    let shown = |t: Option<jiff::Timestamp>| t.map(|t| micros(t).strftime("%Y-%m-%d %H:%M:%S%.6f").to_string());
    let mut script = String::from("SET TIME ZONE 'UTC';\nSET spark.sql.ansi.enabled=true;\n");
    script.push_str(&calendar::create(d));
    let mut inserts = Vec::new();
    let mut want = Vec::new();
    let mut selects = Vec::new();
    const AFTER: [i64; 4] = [-3, -1, 2, 5];
    for (c, toml) in LOOKUP_CALENDARS.iter().enumerate() {
        let cal = Calendar::from_toml(toml).unwrap();
        let zone = cal.zone().iana_name().unwrap_or("?").to_string();
        script.push_str(&calendar::rows(d, c, &cal, range));
        let start: jiff::Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let mut instants: Vec<jiff::Timestamp> =
            (0..790).map(|i| start + jiff::SignedDuration::from_mins(667 * i)).collect();
        for day in calendar::days(&cal, range) {
            if day.working && day.day >= jiff::civil::date(2024, 3, 1) && day.day <= jiff::civil::date(2024, 4, 30) {
                let end = day.end.unwrap();
                instants.extend([-1, 0, 1].map(|k| end + jiff::SignedDuration::from_micros(k)));
            }
        }
        for t in instants {
            inserts.push(format!("({c}, {}, NULL)", timestamp_literal(t)));
            let mut values =
                vec![shown(cal.add_business_days(t, 0)), Some(cal.zone().to_datetime(t).date().to_string())];
            values.extend([1, 3].map(|n| shown(cal.add_business_days(t, n))));
            want.push((
                "instant".to_string(),
                Some(format!("{zone} {}", shown(Some(t)).unwrap())),
                None,
                String::new(),
                values,
                None,
            ));
        }
        for day in (0..366).map(|i| jiff::civil::date(2024, 1, 1) + jiff::Span::new().days(i)) {
            inserts.push(format!("({c}, NULL, DATE '{day}')"));
            let on_or_after = std::iter::successors(Some(day), |x| x.tomorrow().ok()).find(|x| cal.is_working_day(*x));
            let mut values = vec![on_or_after.map(|x| x.to_string())];
            values.extend(AFTER.map(|n| cal.business_days_after(day, n).map(|x| x.to_string())));
            want.push(("date".to_string(), Some(format!("{zone} {day}")), None, String::new(), values, None));
        }
        // The SQL the compiler writes for each lookup (src/sql/expr.rs), read as text.
        let ts = |x: &str| format!("date_format({x}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')");
        let receipt = lookup::receipt_idx(d, c, "t");
        let mut got =
            vec![ts(&lookup::work_end(d, c, &receipt)), format!("CAST({} AS STRING)", lookup::local_day(d, c, "t"))];
        got.extend([1, 3].map(|n| ts(&lookup::work_end(d, c, &format!("{receipt} + {n}")))));
        selects.push(format!(
            "SELECT 'instant' AS rule_id, concat('{zone} ', {}) AS record_id, CAST(NULL AS BIGINT) AS requirement, '' AS field, array({}) AS message_values, CAST(NULL AS STRING) AS group_key FROM lookups WHERE cal = {c} AND t IS NOT NULL",
            ts("t"),
            got.join(", ")
        ));
        let (idx, worked) = (lookup::day_idx(d, c, "d"), lookup::day_worked(d, c, "d"));
        let mut got = vec![format!("CAST({} AS STRING)", lookup::work_day(d, c, &format!("{idx} + 1 - {worked}")))];
        got.extend(AFTER.map(|n| {
            let k = if n > 0 { format!("{idx} + {n}") } else { format!("{idx} - {worked} + {}", n + 1) };
            format!("CAST({} AS STRING)", lookup::work_day(d, c, &k))
        }));
        selects.push(format!(
            "SELECT 'date' AS rule_id, concat('{zone} ', CAST(d AS STRING)) AS record_id, CAST(NULL AS BIGINT) AS requirement, '' AS field, array({}) AS message_values, CAST(NULL AS STRING) AS group_key FROM lookups WHERE cal = {c} AND d IS NOT NULL",
            got.join(", ")
        ));
    }
    script.push_str(&lookup::create(d));
    script.push_str(&format!("CREATE VIEW precept_findings AS\n{};\n", selects.join("\nUNION ALL\n")));
    let tables = "CREATE TABLE lookups (cal BIGINT, t TIMESTAMP, d DATE);\n";
    let inserts: String =
        inserts.chunks(500).map(|rows| format!("INSERT INTO lookups VALUES\n  {};\n", rows.join(",\n  "))).collect();
    let mut got = spark.findings("calendar lookups", tables, &script, &inserts);
    got.sort();
    want.sort();
    assert!(want.len() > 5000, "only {} lookups compared", want.len());
    if got != want {
        let wrong: Vec<(&sql_diff::Row, Option<&sql_diff::Row>)> = want
            .iter()
            .filter(|w| !got.contains(w))
            .map(|w| (w, got.iter().find(|g| g.0 == w.0 && g.1 == w.1)))
            .take(5)
            .collect();
        panic!("{} rows from Spark, {} wanted; the first wrong (wanted, got): {wrong:#?}", got.len(), want.len());
    }
}

/// No calendar lookups: a few hundred stamps, every datetime read at its written offset.
#[test]
fn datetimes_read_at_their_written_offset_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_offsets(&spark);
    }
}

/// Redacted values hashed by Spark's `sha2`, as the engine hashes them.
#[test]
fn redacted_values_give_the_same_hashes_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_redaction(&spark);
    }
}

/// Lists of objects holding every kind of field, nested objects and lists inside elements.
#[test]
fn lists_of_objects_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_lists(&spark);
    }
}

/// Counts read from the record (`record.n days`, `record.years years`), their edges without an
/// answer told from missing counts, as the engine tells them.
#[test]
fn counts_read_from_the_record_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_counts(&spark);
    }
}

/// Redacted decimals, amounts and durations hashed as `check` shows them.
#[test]
fn redacted_numbers_give_the_same_hashes_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_redacted_numbers(&spark);
    }
}

/// Sums, averages, least, greatest and percentiles of quotients by a value of the record: exact
/// fractions, sums kept in lowest terms without a `gcd` of Spark's own.
#[test]
fn aggregates_of_quotients_by_a_field_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_field_quotients(&spark);
        sql_diff::generated_field_percentiles(&spark);
    }
}

/// Quotients under `if`, before `otherwise` and asked `is present`: a division by zero told from a
/// missing operand.
#[test]
fn quotients_told_from_missing_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_quotients(&spark);
    }
}

/// Averages of durations, keys, least, greatest and percentiles of every type.
#[test]
fn group_values_of_every_type_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_groups(&spark);
    }
}

/// Durations divided by whole numbers: exact to the nanosecond, with no answer for a zero divisor.
#[test]
fn durations_divided_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_duration_division(&spark);
    }
}

/// Case rules whose events are written as dates, in London and with no calendar.
#[test]
fn cases_written_as_dates_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_date_cases(&spark, &["london"]);
    }
}

/// Lists of every type shown in messages, as the engine shows them.
#[test]
fn lists_shown_in_messages_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_lists_shown(&spark);
    }
}

/// Redacted computations, with no answer hashed as the engine words it.
#[test]
fn redacted_computations_give_the_same_hashes_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_redacted_computations(&spark);
    }
}

/// Redacted quotients, averages and shares, hashed from `check`'s text of the exact value.
#[test]
fn redacted_quotients_give_the_same_hashes_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_redacted_quotients(&spark);
    }
}

/// Products of decimals by constants, and of four decimal columns (left out where the dialect's
/// decimals cannot hold their places).
#[test]
fn constant_products_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_constant_products(&spark);
    }
}

/// Shares, averages and quotients against decimals of ten places: exact, never rounded.
#[test]
fn fine_decimals_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_fine_decimals(&spark);
    }
}

/// Dates and instants moved by constant spans and months past the last the engine holds, where
/// it has no answer, as the engine tells it.
#[test]
fn moves_past_the_last_date_held_give_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::generated_far_moves(&spark);
    }
}

/// Generated arithmetic over decimals, whole numbers and amounts (sums, products, quotients,
/// choices, a group's aggregates), each rule compared on its own ([`sql_diff::arith`]); fewer
/// rules than on DuckDB and PostgreSQL, each being a Spark query of its own.
#[test]
fn generated_arithmetic_gives_the_same_findings_in_spark() {
    if let Some(spark) = spark() {
        sql_diff::arith::generated_arithmetic(&spark, 7, 25);
    }
}

/// Exploration (ignored): generated arithmetic, each rule on its own (`SEED`, `LARGE`).
#[test]
#[ignore]
fn explore_generated_arithmetic() {
    if let Some(spark) = spark() {
        sql_diff::arith::explore(&spark);
    }
}
