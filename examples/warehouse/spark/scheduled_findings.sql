-- A scheduled query (Databricks SQL, or a job's SQL task; daily): appends the findings the view
-- precept_findings gives today to precept_findings_history, with the instant they were found.
-- precept_findings.sql (written by `precept sql --dialect spark`) must have been run once in this
-- schema; docs/warehouse.md, "A scheduled query on Spark or Databricks".

-- A scheduled query runs in a session of its own: the view reads TIMESTAMPs as UTC instants and
-- needs ANSI arithmetic, as precept_findings.sql's own first lines set.
SET TIME ZONE 'UTC';
SET spark.sql.ansi.enabled=true;

CREATE TABLE IF NOT EXISTS precept_findings_history (
  found_at TIMESTAMP,
  rule_id STRING,
  code STRING,
  level STRING,
  severity STRING,
  schema_name STRING,
  record_id STRING,
  requirement BIGINT,
  field STRING,
  message STRING,
  message_values ARRAY<STRING>
);

INSERT INTO precept_findings_history
SELECT current_timestamp() AS found_at, f.*
FROM precept_findings AS f;
