"""Runs `precept sql --dialect spark` scripts on Spark in local mode, for tests/sql_spark.rs.

One Spark session serves every case of a test run, since starting one takes most of the time:
the test starts this script once and sends it one case per line on standard input,

    <database>\t<tables.sql>\t<script.sql>\t<inserts.sql>

and for each case this script creates the database, runs the tables' CREATE TABLEs, then the
script exactly as `precept sql` wrote it (its SET lines included), then the records' INSERTs, and
prints every row of precept_findings as `ROW [rule_id, record_id, requirement, field,
message_values, group_key]` (JSON), then `DONE`, or `FAIL <message>` when Spark refused a statement. Spark's
own logging goes to standard error.

Before each case the session is put back to a zone that is not UTC and to Spark's default
non-ANSI arithmetic, so a case only passes if the script's own SET lines do their work.

Usage: run_sql.py WORK_DIR (the warehouse goes in WORK_DIR/warehouse; WORK_DIR is removed when
standard input ends)
"""

import json
import os
import shutil
import sys

from pyspark.sql import SparkSession


def statements(text):
    """The statements of a SQL script, split at semicolons outside quotes, backquotes and `--`
    comments (Spark's string literals escape with backslashes)."""
    out, cur, i, quote = [], [], 0, None
    while i < len(text):
        c = text[i]
        if quote:
            cur.append(c)
            if c == "\\" and quote == "'" and i + 1 < len(text):
                cur.append(text[i + 1])
                i += 1
            elif c == quote:
                quote = None
        elif c in "'`":
            quote = c
            cur.append(c)
        elif c == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif c == ";":
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur).strip())
    return [s for s in out if s]


def forget_parses(spark):
    """Empties the caches Spark's SQL parser keeps of everything it has parsed.

    ANTLR, which Spark 3.5's parser is made with, caches what it learns from each statement in
    tables shared by every parser and never emptied (Spark 4 adds settings for this, SPARK-47404).
    The scripts of a test run are large and alike in few places, so over a run the tables grew to
    most of the heap (a heap histogram: gigabytes of `ATNConfig` and `DFAState`), and the last
    case spent minutes in garbage collection. Clearing them between cases costs only the next
    parse's warm-up.
    """
    jvm = spark._jvm
    runtime = jvm.org.antlr.v4.runtime
    lexer = jvm.org.apache.spark.sql.catalyst.parser.SqlBaseLexer(runtime.CharStreams.fromString(""))
    parser = jvm.org.apache.spark.sql.catalyst.parser.SqlBaseParser(runtime.CommonTokenStream(lexer))
    lexer.getInterpreter().clearDFA()
    parser.getInterpreter().clearDFA()


def run(spark, path):
    with open(path, encoding="utf-8") as f:
        for statement in statements(f.read()):
            spark.sql(statement)


def main():
    work = sys.argv[1]
    warehouse = os.path.join(work, "warehouse")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("precept-sql-test")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # The bundled example's view is one query of dozens of window sorts in one task; with 4g
        # Spark once failed to find a page for one of them (UNABLE_TO_ACQUIRE_MEMORY) on a loaded
        # machine, where the same view had passed before.
        .config("spark.driver.memory", "6g")
        .config("spark.sql.shuffle.partitions", "2")
        # CREATE TABLE without USING makes a data source table (Parquet), as without Hive.
        .config("spark.sql.legacy.createHiveTableByDefault", "false")
        # A view showing redacted aggregates of quotients by a field nests Euclid's steps deeper
        # than the analyzer's default 100 passes resolve (docs/warehouse.md, "Limits of each
        # dialect").
        .config("spark.sql.analyzer.maxIterations", "1000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    print("READY " + spark.version, flush=True)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        database, tables, script, inserts = line.split("\t")
        try:
            spark.sql("SET TIME ZONE 'Asia/Kolkata'")
            spark.sql("SET spark.sql.ansi.enabled=false")
            spark.sql(f"CREATE DATABASE {database}")
            spark.sql(f"USE {database}")
            run(spark, tables)
            run(spark, script)
            run(spark, inserts)
            rows = spark.sql(
                "SELECT rule_id, record_id, requirement, field, message_values, group_key FROM precept_findings"
            ).collect()
            for r in rows:
                values = None if r[4] is None else list(r[4])
                print("ROW " + json.dumps([r[0], r[1], r[2], r[3], values, r[5]]), flush=False)
            print("DONE", flush=True)
        except Exception as e:  # Spark's errors, reported to the test rather than ending the session.
            print("FAIL " + json.dumps(str(e)), flush=True)
        finally:
            spark.sql("USE default")
            spark.sql(f"DROP DATABASE IF EXISTS {database} CASCADE")
            forget_parses(spark)
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
