-- Precept's findings as SQL (postgres dialect), written by `precept sql`; see docs/warehouse.md.
-- Reads one table per schema; the view precept_findings gives one row per finding.
--
-- Expected table:
--   CREATE TABLE "service_record" (
--     "id" TEXT NOT NULL,
--     "kind" TEXT NOT NULL,
--     "channel" TEXT NOT NULL,
--     "customer.kind" TEXT NOT NULL,
--     "customer.id" TEXT NOT NULL,
--     "customer.department" TEXT,
--     "handled_by" TEXT NOT NULL,
--     "team" TEXT,
--     "status" TEXT NOT NULL,
--     "opened_at" TIMESTAMP NOT NULL,
--     "acknowledged_at" TIMESTAMP,
--     "first_response_at" TIMESTAMP,
--     "promised_at" TIMESTAMP,
--     "delivered_at" TIMESTAMP,
--     "resolved_at" TIMESTAMP,
--     "closed_at" TIMESTAMP,
--     "needs" TEXT[],
--     "needs_confirmed_at" TIMESTAMP,
--     "outcome" TEXT,
--     "escalated" BOOLEAN,
--     "ombudsman_ref" TEXT,
--     "product_available" BOOLEAN,
--     "claim.type" TEXT,
--     "claim.amount" DECIMAL(38, 10),
--     "actions" JSONB,
--     "referrals" JSONB,
--     "advice" JSONB,
--     "items" JSONB
--   );

CREATE TABLE "precept_calendar" (
  calendar BIGINT NOT NULL,
  day DATE NOT NULL,
  working BOOLEAN NOT NULL,
  idx BIGINT NOT NULL,
  day_start TIMESTAMP NOT NULL,
  day_end TIMESTAMP
);
CREATE INDEX precept_calendar_day ON "precept_calendar" (calendar, day);
CREATE INDEX precept_calendar_idx ON "precept_calendar" (calendar, idx);
CREATE INDEX precept_calendar_day_start ON "precept_calendar" (calendar, day_start);
CREATE INDEX precept_calendar_day_end ON "precept_calendar" (calendar, day_end);
ANALYZE "precept_calendar";

CREATE VIEW "precept_findings" AS
SELECT
  'answered-promptly' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r."id" AS record_id,
  CAST(CASE WHEN NOT ((((CAST(EXTRACT(EPOCH FROM r."first_response_at") * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT)) <= CASE WHEN (((r."channel" = 'phone')) IS TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r."channel" = 'phone')) IS FALSE) THEN CASE WHEN (((r."channel" = 'web_chat')) IS TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r."channel" = 'web_chat')) IS FALSE) THEN CASE WHEN (((r."channel" = 'store')) IS TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r."channel" = 'store')) IS FALSE) THEN CAST(86400000000 AS BIGINT) END END END)) IS TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((CAST(EXTRACT(EPOCH FROM r."first_response_at") * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT)) <= CASE WHEN (((r."channel" = 'phone')) IS TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r."channel" = 'phone')) IS FALSE) THEN CASE WHEN (((r."channel" = 'web_chat')) IS TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r."channel" = 'web_chat')) IS FALSE) THEN CASE WHEN (((r."channel" = 'store')) IS TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r."channel" = 'store')) IS FALSE) THEN CAST(86400000000 AS BIGINT) END END END)) IS TRUE) THEN 'first_response_at' END, '') AS field,
  '{0} contact {1} waited {2} for a first response (opened {3}, answered {4}); limit {5}' AS message,
  CAST(ARRAY[r."channel", r."id", CAST((CAST(EXTRACT(EPOCH FROM r."first_response_at") * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT)) AS TEXT), to_char(r."opened_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(r."first_response_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), CAST(CASE WHEN (((r."channel" = 'phone')) IS TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r."channel" = 'phone')) IS FALSE) THEN CASE WHEN (((r."channel" = 'web_chat')) IS TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r."channel" = 'web_chat')) IS FALSE) THEN CASE WHEN (((r."channel" = 'store')) IS TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r."channel" = 'store')) IS FALSE) THEN CAST(86400000000 AS BIGINT) END END END AS TEXT)] AS TEXT[]) AS message_values
FROM "service_record" AS r
WHERE (((((r."customer.kind" = 'external') AND (r."channel" <> 'self_service')) AND (r."first_response_at" IS NOT NULL))) IS TRUE)
  AND NOT (((((CAST(EXTRACT(EPOCH FROM r."first_response_at") * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT)) <= CASE WHEN (((r."channel" = 'phone')) IS TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r."channel" = 'phone')) IS FALSE) THEN CASE WHEN (((r."channel" = 'web_chat')) IS TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r."channel" = 'web_chat')) IS FALSE) THEN CASE WHEN (((r."channel" = 'store')) IS TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r."channel" = 'store')) IS FALSE) THEN CAST(86400000000 AS BIGINT) END END END)) IS TRUE))
UNION ALL
SELECT
  'complaint-resolved' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r."id" AS record_id,
  CAST(CASE WHEN NOT (((r."resolved_at" <= (TIMESTAMP '1970-01-01 00:00:00' + (CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT) + CAST(4838400000000 AS BIGINT)) * INTERVAL '1 microsecond'))) IS TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT (((r."resolved_at" <= (TIMESTAMP '1970-01-01 00:00:00' + (CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT) + CAST(4838400000000 AS BIGINT)) * INTERVAL '1 microsecond'))) IS TRUE) THEN 'resolved_at' END, '') AS field,
  'complaint {0} took {1} to resolve (opened {2}, resolved {3}); limit 8 weeks' AS message,
  CAST(ARRAY[r."id", CAST((CAST(EXTRACT(EPOCH FROM r."resolved_at") * 1000000 AS BIGINT) - CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT)) AS TEXT), to_char(r."opened_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(r."resolved_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')] AS TEXT[]) AS message_values
FROM "service_record" AS r
WHERE ((((r."kind" = 'complaint') AND (r."resolved_at" IS NOT NULL))) IS TRUE)
  AND NOT ((((r."resolved_at" <= (TIMESTAMP '1970-01-01 00:00:00' + (CAST(EXTRACT(EPOCH FROM r."opened_at") * 1000000 AS BIGINT) + CAST(4838400000000 AS BIGINT)) * INTERVAL '1 microsecond'))) IS TRUE))
UNION ALL
SELECT
  'unresolved-told-ombudsman' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r."id" AS record_id,
  CAST(CASE WHEN NOT ((((r."ombudsman_ref" IS NOT NULL) AND (r."ombudsman_ref" ~ '^DL-[0-9]{6}$'))) IS TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r."ombudsman_ref" IS NOT NULL) AND (r."ombudsman_ref" ~ '^DL-[0-9]{6}$'))) IS TRUE) THEN 'ombudsman_ref' END, '') AS field,
  'complaint {0} was closed unresolved with deadlock reference `{1}`; expected `DL-` followed by six digits' AS message,
  CAST(ARRAY[r."id", r."ombudsman_ref"] AS TEXT[]) AS message_values
FROM "service_record" AS r
WHERE (((((r."outcome" IS NOT NULL) AND (r."outcome" = 'unresolved')) AND (r."kind" = 'complaint'))) IS TRUE)
  AND NOT (((((r."ombudsman_ref" IS NOT NULL) AND (r."ombudsman_ref" ~ '^DL-[0-9]{6}$'))) IS TRUE))
UNION ALL
SELECT
  'promise-kept' AS rule_id,
  'Northbrook Stores Service Charter' AS code,
  'organisational' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r."id" AS record_id,
  CAST(CASE WHEN NOT (((((r."promised_at" IS NOT NULL) AND (r."delivered_at" IS NOT NULL)) AND (r."delivered_at" <= (TIMESTAMP '1970-01-01 00:00:00' + (CAST(EXTRACT(EPOCH FROM r."promised_at") * 1000000 AS BIGINT) + CAST(900000000 AS BIGINT)) * INTERVAL '1 microsecond')))) IS TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT (((((r."promised_at" IS NOT NULL) AND (r."delivered_at" IS NOT NULL)) AND (r."delivered_at" <= (TIMESTAMP '1970-01-01 00:00:00' + (CAST(EXTRACT(EPOCH FROM r."promised_at") * 1000000 AS BIGINT) + CAST(900000000 AS BIGINT)) * INTERVAL '1 microsecond')))) IS TRUE) THEN CASE WHEN ((((r."promised_at" IS NOT NULL) AND (r."delivered_at" IS NOT NULL))) IS TRUE) THEN 'delivered_at' ELSE CASE WHEN (((r."promised_at" IS NOT NULL)) IS TRUE) THEN 'delivered_at' ELSE 'promised_at' END END END, '') AS field,
  '{0} {1} was promised for the slot starting {2} and happened {3}, after the slot ended' AS message,
  CAST(ARRAY[r."kind", r."id", to_char(r."promised_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(r."delivered_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')] AS TEXT[]) AS message_values
FROM "service_record" AS r
WHERE (((r."kind" IN ('callback', 'appointment', 'delivery'))) IS TRUE)
  AND NOT ((((((r."promised_at" IS NOT NULL) AND (r."delivered_at" IS NOT NULL)) AND (r."delivered_at" <= (TIMESTAMP '1970-01-01 00:00:00' + (CAST(EXTRACT(EPOCH FROM r."promised_at") * 1000000 AS BIGINT) + CAST(900000000 AS BIGINT)) * INTERVAL '1 microsecond')))) IS TRUE))
UNION ALL
SELECT
  'needs-identified' AS rule_id,
  'Institute of Customer Service Practitioners: Member Code' AS code,
  'professional' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r."id" AS record_id,
  CAST(CASE WHEN NOT ((((r."needs" IS NOT NULL) AND (CASE WHEN r."needs" IS NOT NULL THEN CAST(COALESCE(cardinality(r."needs"), 0) AS BIGINT) END > CAST(0 AS BIGINT)))) IS TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r."needs" IS NOT NULL) AND (CASE WHEN r."needs" IS NOT NULL THEN CAST(COALESCE(cardinality(r."needs"), 0) AS BIGINT) END > CAST(0 AS BIGINT)))) IS TRUE) THEN 'needs' END, '') AS field,
  '{0} {1} was closed by {2} with no customer needs recorded' AS message,
  CAST(ARRAY[r."kind", r."id", r."handled_by"] AS TEXT[]) AS message_values
FROM "service_record" AS r
WHERE (((r."status" = 'closed')) IS TRUE)
  AND NOT (((((r."needs" IS NOT NULL) AND (CASE WHEN r."needs" IS NOT NULL THEN CAST(COALESCE(cardinality(r."needs"), 0) AS BIGINT) END > CAST(0 AS BIGINT)))) IS TRUE))
UNION ALL
SELECT
  'needs-confirmed-before-close' AS rule_id,
  'Institute of Customer Service Practitioners: Member Code' AS code,
  'professional' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r."id" AS record_id,
  CAST(CASE WHEN NOT (((((r."needs_confirmed_at" IS NOT NULL) AND (r."closed_at" IS NOT NULL)) AND (r."needs_confirmed_at" <= r."closed_at"))) IS TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT (((((r."needs_confirmed_at" IS NOT NULL) AND (r."closed_at" IS NOT NULL)) AND (r."needs_confirmed_at" <= r."closed_at"))) IS TRUE) THEN CASE WHEN ((((r."needs_confirmed_at" IS NOT NULL) AND (r."closed_at" IS NOT NULL))) IS TRUE) THEN 'needs_confirmed_at' ELSE CASE WHEN (((r."needs_confirmed_at" IS NOT NULL)) IS TRUE) THEN 'closed_at' ELSE 'needs_confirmed_at' END END END, '') AS field,
  '{0} {1} was closed {2}; the customer confirmed their needs were met {3}' AS message,
  CAST(ARRAY[r."kind", r."id", to_char(r."closed_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(r."needs_confirmed_at", 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')] AS TEXT[]) AS message_values
FROM "service_record" AS r
WHERE (((r."status" = 'closed')) IS TRUE)
  AND NOT ((((((r."needs_confirmed_at" IS NOT NULL) AND (r."closed_at" IS NOT NULL)) AND (r."needs_confirmed_at" <= r."closed_at"))) IS TRUE));
