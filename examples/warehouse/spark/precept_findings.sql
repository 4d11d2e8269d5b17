-- Precept's findings as SQL (spark dialect), written by `precept sql`; see docs/warehouse.md.
-- Reads one table per schema; the view precept_findings gives one row per finding.
SET TIME ZONE 'UTC';
SET spark.sql.ansi.enabled=true;
--
-- Expected table:
--   CREATE TABLE `service_record` (
--     `id` STRING NOT NULL,
--     `kind` STRING NOT NULL,
--     `channel` STRING NOT NULL,
--     `customer.kind` STRING NOT NULL,
--     `customer.id` STRING NOT NULL,
--     `customer.department` STRING,
--     `handled_by` STRING NOT NULL,
--     `team` STRING,
--     `status` STRING NOT NULL,
--     `opened_at` TIMESTAMP NOT NULL,
--     `acknowledged_at` TIMESTAMP,
--     `first_response_at` TIMESTAMP,
--     `promised_at` TIMESTAMP,
--     `delivered_at` TIMESTAMP,
--     `resolved_at` TIMESTAMP,
--     `closed_at` TIMESTAMP,
--     `needs` ARRAY<STRING>,
--     `needs_confirmed_at` TIMESTAMP,
--     `outcome` STRING,
--     `escalated` BOOLEAN,
--     `ombudsman_ref` STRING,
--     `product_available` BOOLEAN,
--     `claim.type` STRING,
--     `claim.amount` DECIMAL(38, 10),
--     `actions` ARRAY<STRUCT<`type`: STRING, `amount`: DECIMAL(38, 10), `by`: STRING, `at`: TIMESTAMP, `approved_by`: STRING>>,
--     `referrals` ARRAY<STRUCT<`to`: STRING, `at`: TIMESTAMP, `reason`: STRING>>,
--     `advice` ARRAY<STRUCT<`area`: STRING, `by`: STRING, `at`: TIMESTAMP>>,
--     `items` ARRAY<STRUCT<`fair_trade`: BOOLEAN, `supplier_certified`: BOOLEAN>>
--   );

CREATE TABLE `precept_calendar` (
  calendar BIGINT NOT NULL,
  day DATE NOT NULL,
  working BOOLEAN NOT NULL,
  idx BIGINT NOT NULL,
  day_start TIMESTAMP NOT NULL,
  day_end TIMESTAMP
);

CREATE VIEW `precept_findings` AS
SELECT
  'refund-honoured' AS rule_id,
  'Fair Trade and Fair Treatment Pledge' AS code,
  'ethical' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT ((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (((u1.`type` = 'refund') AND (u1.`amount` IS NOT NULL)) AND (u1.`amount` > CAST('0' AS DECIMAL(38, 10))))) END)) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (((u1.`type` = 'refund') AND (u1.`amount` IS NOT NULL)) AND (u1.`amount` > CAST('0' AS DECIMAL(38, 10))))) END)) <=> TRUE) THEN 'actions' END, '') AS field,
  '{0} {1} has the outcome `refunded` but no refund of a positive amount is recorded (handled by {2})' AS message,
  CAST(array(r.`kind`, r.`id`, r.`handled_by`) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE ((((r.`outcome` IS NOT NULL) AND (r.`outcome` = 'refunded'))) <=> TRUE)
  AND NOT (((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (((u1.`type` = 'refund') AND (u1.`amount` IS NOT NULL)) AND (u1.`amount` > CAST('0' AS DECIMAL(38, 10))))) END)) <=> TRUE))
UNION ALL
SELECT
  'answered-promptly' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT ((((unix_micros(r.`first_response_at`) - unix_micros(r.`opened_at`)) <= CASE WHEN (((r.`channel` = 'phone')) <=> TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r.`channel` = 'phone')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'web_chat')) <=> TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r.`channel` = 'web_chat')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'store')) <=> TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r.`channel` = 'store')) <=> FALSE) THEN CAST(86400000000 AS BIGINT) END END END)) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((unix_micros(r.`first_response_at`) - unix_micros(r.`opened_at`)) <= CASE WHEN (((r.`channel` = 'phone')) <=> TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r.`channel` = 'phone')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'web_chat')) <=> TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r.`channel` = 'web_chat')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'store')) <=> TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r.`channel` = 'store')) <=> FALSE) THEN CAST(86400000000 AS BIGINT) END END END)) <=> TRUE) THEN 'first_response_at' END, '') AS field,
  '{0} contact {1} waited {2} for a first response (opened {3}, answered {4}); limit {5}' AS message,
  CAST(array(r.`channel`, r.`id`, CAST((unix_micros(r.`first_response_at`) - unix_micros(r.`opened_at`)) AS STRING), date_format(r.`opened_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\''), date_format(r.`first_response_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\''), CAST(CASE WHEN (((r.`channel` = 'phone')) <=> TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r.`channel` = 'phone')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'web_chat')) <=> TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r.`channel` = 'web_chat')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'store')) <=> TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r.`channel` = 'store')) <=> FALSE) THEN CAST(86400000000 AS BIGINT) END END END AS STRING)) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE (((((r.`customer.kind` = 'external') AND (r.`channel` <> 'self_service')) AND (r.`first_response_at` IS NOT NULL))) <=> TRUE)
  AND NOT (((((unix_micros(r.`first_response_at`) - unix_micros(r.`opened_at`)) <= CASE WHEN (((r.`channel` = 'phone')) <=> TRUE) THEN CAST(300000000 AS BIGINT) WHEN (((r.`channel` = 'phone')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'web_chat')) <=> TRUE) THEN CAST(600000000 AS BIGINT) WHEN (((r.`channel` = 'web_chat')) <=> FALSE) THEN CASE WHEN (((r.`channel` = 'store')) <=> TRUE) THEN CAST(900000000 AS BIGINT) WHEN (((r.`channel` = 'store')) <=> FALSE) THEN CAST(86400000000 AS BIGINT) END END END)) <=> TRUE))
UNION ALL
SELECT
  'unavailable-alternative-offered' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT ((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (u1.`type` = 'alternative')) END)) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (u1.`type` = 'alternative')) END)) <=> TRUE) THEN 'actions' END, '') AS field,
  'the product on {0} {1} was unavailable and the record shows no alternative offered' AS message,
  CAST(array(r.`kind`, r.`id`) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE ((((r.`product_available` IS NOT NULL) AND (r.`product_available` = FALSE))) <=> TRUE)
  AND NOT (((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (u1.`type` = 'alternative')) END)) <=> TRUE))
UNION ALL
SELECT
  'complaint-resolved' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT (((r.`resolved_at` <= timestamp_micros(unix_micros(r.`opened_at`) + CAST(4838400000000 AS BIGINT)))) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT (((r.`resolved_at` <= timestamp_micros(unix_micros(r.`opened_at`) + CAST(4838400000000 AS BIGINT)))) <=> TRUE) THEN 'resolved_at' END, '') AS field,
  'complaint {0} took {1} to resolve (opened {2}, resolved {3}); limit 8 weeks' AS message,
  CAST(array(r.`id`, CAST((unix_micros(r.`resolved_at`) - unix_micros(r.`opened_at`)) AS STRING), date_format(r.`opened_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\''), date_format(r.`resolved_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\'')) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE ((((r.`kind` = 'complaint') AND (r.`resolved_at` IS NOT NULL))) <=> TRUE)
  AND NOT ((((r.`resolved_at` <= timestamp_micros(unix_micros(r.`opened_at`) + CAST(4838400000000 AS BIGINT)))) <=> TRUE))
UNION ALL
SELECT
  'unresolved-told-ombudsman' AS rule_id,
  'Retail Customer Service Code' AS code,
  'industry' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT ((((r.`ombudsman_ref` IS NOT NULL) AND (r.`ombudsman_ref` RLIKE '^DL-[0-9]{6}$'))) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r.`ombudsman_ref` IS NOT NULL) AND (r.`ombudsman_ref` RLIKE '^DL-[0-9]{6}$'))) <=> TRUE) THEN 'ombudsman_ref' END, '') AS field,
  'complaint {0} was closed unresolved with deadlock reference `{1}`; expected `DL-` followed by six digits' AS message,
  CAST(array(r.`id`, r.`ombudsman_ref`) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE (((((r.`outcome` IS NOT NULL) AND (r.`outcome` = 'unresolved')) AND (r.`kind` = 'complaint'))) <=> TRUE)
  AND NOT (((((r.`ombudsman_ref` IS NOT NULL) AND (r.`ombudsman_ref` RLIKE '^DL-[0-9]{6}$'))) <=> TRUE))
UNION ALL
SELECT
  'unavailable-shortfall-reported' AS rule_id,
  'Northbrook Stores Service Charter' AS code,
  'organisational' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT ((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (u1.`type` = 'shortfall_report')) END)) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (u1.`type` = 'shortfall_report')) END)) <=> TRUE) THEN 'actions' END, '') AS field,
  'the product on {0} {1} was unavailable and no shortfall was reported (handled by {2})' AS message,
  CAST(array(r.`kind`, r.`id`, r.`handled_by`) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE ((((r.`product_available` IS NOT NULL) AND (r.`product_available` = FALSE))) <=> TRUE)
  AND NOT (((((r.`actions` IS NOT NULL) AND CASE WHEN r.`actions` IS NOT NULL THEN exists(r.`actions`, u1 -> (u1.`type` = 'shortfall_report')) END)) <=> TRUE))
UNION ALL
SELECT
  'promise-kept' AS rule_id,
  'Northbrook Stores Service Charter' AS code,
  'organisational' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT (((((r.`promised_at` IS NOT NULL) AND (r.`delivered_at` IS NOT NULL)) AND (r.`delivered_at` <= timestamp_micros(unix_micros(r.`promised_at`) + CAST(900000000 AS BIGINT))))) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT (((((r.`promised_at` IS NOT NULL) AND (r.`delivered_at` IS NOT NULL)) AND (r.`delivered_at` <= timestamp_micros(unix_micros(r.`promised_at`) + CAST(900000000 AS BIGINT))))) <=> TRUE) THEN CASE WHEN ((((r.`promised_at` IS NOT NULL) AND (r.`delivered_at` IS NOT NULL))) <=> TRUE) THEN 'delivered_at' ELSE CASE WHEN (((r.`promised_at` IS NOT NULL)) <=> TRUE) THEN 'delivered_at' ELSE 'promised_at' END END END, '') AS field,
  '{0} {1} was promised for the slot starting {2} and happened {3}, after the slot ended' AS message,
  CAST(array(r.`kind`, r.`id`, date_format(r.`promised_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\''), date_format(r.`delivered_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\'')) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE (((r.`kind` IN ('callback', 'appointment', 'delivery'))) <=> TRUE)
  AND NOT ((((((r.`promised_at` IS NOT NULL) AND (r.`delivered_at` IS NOT NULL)) AND (r.`delivered_at` <= timestamp_micros(unix_micros(r.`promised_at`) + CAST(900000000 AS BIGINT))))) <=> TRUE))
UNION ALL
SELECT
  'needs-identified' AS rule_id,
  'Institute of Customer Service Practitioners: Member Code' AS code,
  'professional' AS level,
  'warning' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT ((((r.`needs` IS NOT NULL) AND (CASE WHEN r.`needs` IS NOT NULL THEN CAST(size(r.`needs`) AS BIGINT) END > CAST(0 AS BIGINT)))) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT ((((r.`needs` IS NOT NULL) AND (CASE WHEN r.`needs` IS NOT NULL THEN CAST(size(r.`needs`) AS BIGINT) END > CAST(0 AS BIGINT)))) <=> TRUE) THEN 'needs' END, '') AS field,
  '{0} {1} was closed by {2} with no customer needs recorded' AS message,
  CAST(array(r.`kind`, r.`id`, r.`handled_by`) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE (((r.`status` = 'closed')) <=> TRUE)
  AND NOT (((((r.`needs` IS NOT NULL) AND (CASE WHEN r.`needs` IS NOT NULL THEN CAST(size(r.`needs`) AS BIGINT) END > CAST(0 AS BIGINT)))) <=> TRUE))
UNION ALL
SELECT
  'needs-confirmed-before-close' AS rule_id,
  'Institute of Customer Service Practitioners: Member Code' AS code,
  'professional' AS level,
  'error' AS severity,
  'service_record' AS schema_name,
  r.`id` AS record_id,
  CAST(CASE WHEN NOT (((((r.`needs_confirmed_at` IS NOT NULL) AND (r.`closed_at` IS NOT NULL)) AND (r.`needs_confirmed_at` <= r.`closed_at`))) <=> TRUE) THEN 1 END AS BIGINT) AS requirement,
  COALESCE(CASE WHEN NOT (((((r.`needs_confirmed_at` IS NOT NULL) AND (r.`closed_at` IS NOT NULL)) AND (r.`needs_confirmed_at` <= r.`closed_at`))) <=> TRUE) THEN CASE WHEN ((((r.`needs_confirmed_at` IS NOT NULL) AND (r.`closed_at` IS NOT NULL))) <=> TRUE) THEN 'needs_confirmed_at' ELSE CASE WHEN (((r.`needs_confirmed_at` IS NOT NULL)) <=> TRUE) THEN 'closed_at' ELSE 'needs_confirmed_at' END END END, '') AS field,
  '{0} {1} was closed {2}; the customer confirmed their needs were met {3}' AS message,
  CAST(array(r.`kind`, r.`id`, date_format(r.`closed_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\''), date_format(r.`needs_confirmed_at`, 'yyyy-MM-dd\'T\'HH:mm:ss.SSSSSS\'Z\'')) AS ARRAY<STRING>) AS message_values
FROM `service_record` AS r
WHERE (((r.`status` = 'closed')) <=> TRUE)
  AND NOT ((((((r.`needs_confirmed_at` IS NOT NULL) AND (r.`closed_at` IS NOT NULL)) AND (r.`needs_confirmed_at` <= r.`closed_at`))) <=> TRUE));
