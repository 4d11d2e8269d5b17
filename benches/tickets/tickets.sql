-- The records of benches/duckdb_parquet.rs and tests/check_duckdb.rs: `{records}` tickets opened
-- every 37 seconds from 2024 on, in the table mapping of docs/warehouse.md (UTC `TIMESTAMP`s,
-- durations in microseconds, a dotted `customer.kind` column); about 2% answered late, a few
-- urgent ones waiting too long, some refunds too large.
SELECT 'T-' || i AS id,
       CASE WHEN i % 97 = 0 THEN 'temp-' || (i % 13) ELSE 'agent-' || (i % 211) END AS agent,
       TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 37) AS opened_at,
       CASE WHEN i % 10 = 9 THEN NULL
            ELSE TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i * 37 + CASE WHEN i % 50 = 0 THEN 400000 ELSE (i * 7919) % 90000 END)
       END AS answered_at,
       CAST(((i * 104729) % 4000) AS BIGINT) * 1000000 AS waited,
       i % 7 = 0 AS urgent,
       CASE WHEN i % 20 = 0 THEN CAST((i % 700) AS DECIMAL(38, 10)) + 0.5 ELSE NULL END AS refund,
       CASE WHEN i % 3 = 0 THEN 'business' ELSE 'retail' END AS "customer.kind"
FROM range({records}) AS t(i)
