//! The findings of a rule over groups of records, as the native engine makes them: placed at the
//! clause the group broke in the policy file, named by the group's key, and in its order (by rule,
//! then key as the engine orders keys, a `require`'s finding before the missing periods, those by
//! day). A missing period's evidence is the engine's own, fact for fact, so that its fingerprint
//! (which includes the period missing) matches a baseline or waiver the native engine wrote. What
//! the SQL gives no way to know is left out, as docs/warehouse.md says: a `require`'s evidence
//! (the figures it read) and the help with values filled in; neither is part of a fingerprint.
//! The sample records are the engine's: the SQL keeps the same few per group (see
//! `crate::sql::group`).

use jiff::civil::Date;

use crate::engine::authority::Evidence;
use crate::engine::group::{missing_evidence, more_missing_evidence};
use crate::engine::program::GroupSpec;
use crate::engine::verdict::{GroupHit, Sample};
use crate::engine::Program;
use crate::findings::{Catalogue, Finding};

use super::Source;

/// The query over group rule `rule`'s compiled `select` (with the columns that place its findings)
/// that gives its findings in the native engine's order; `None` for a rule that is not over groups.
pub(super) fn query(program: &Program, rule: usize, select: &str) -> Option<String> {
    let spec = program.rules.get(rule)?.group.as_ref()?;
    let mut order: Vec<String> = (0..spec.keys.len()).map(|i| format!("precept_sort_{i} NULLS FIRST")).collect();
    order.push("requirement IS NULL".into());
    order.push("precept_period".into());
    Some(format!(
        "SELECT CAST(requirement AS BIGINT), CAST(to_json(message_values) AS VARCHAR), CAST(to_json(precept_key) AS VARCHAR), \
         CAST(precept_period AS VARCHAR), CAST(precept_range[1] AS VARCHAR), CAST(precept_range[2] AS VARCHAR), \
         CAST(precept_records AS BIGINT), CAST(precept_more AS BIGINT), CAST(to_json(precept_samples) AS VARCHAR), \
         CAST(to_json(precept_why) AS VARCHAR) \
         FROM ({select}) AS precept_groups ORDER BY {}",
        order.join(", ")
    ))
}

/// The finding of one row of [`query`]'s result for rule `rule`.
///
/// # Errors
///
/// DuckDB's, for a value of the wrong type.
pub(super) fn finding(
    program: &Program,
    catalogue: &Catalogue,
    (rule, sources, left_out): (usize, &[Source], u64),
    row: &duckdb::Row<'_>,
) -> Result<Option<Finding>, duckdb::Error> {
    let requirement: Option<i64> = row.get(0)?;
    let values: Option<String> = row.get(1)?;
    let key: Option<String> = row.get(2)?;
    let Some(compiled) = program.rules.get(rule) else { return Ok(None) };
    let Some(spec) = compiled.group.as_ref() else { return Ok(None) };
    let mut values: Vec<Option<String>> = values.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
    // A value with no answer, as the native engine shows it.
    super::rows::answered(&mut values, &row.get::<_, Option<String>>(9)?.unwrap_or_default());
    let shown: Vec<Option<String>> = key.and_then(|k| serde_json::from_str(&k).ok()).unwrap_or_default();
    // A part with no value (of a group expected by name, with no record) is not shown.
    let key = spec.keys.iter().zip(shown).filter_map(|(k, v)| Some((k.name.clone(), v?))).collect();
    let mut hit = GroupHit {
        rule,
        key,
        require: requirement.and_then(|k| usize::try_from(k).ok()?.checked_sub(1)),
        message: crate::sql::message::message(program, compiled, &values),
        help: None,
        evidence: missing(spec, row)?,
        samples: samples(row.get(8)?, sources),
        values: Vec::new(),
        opening: None,
    };
    // The records left out of the rule's groups, as the engine says on each finding.
    crate::engine::group::left_out_evidence(std::slice::from_mut(&mut hit), left_out);
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    Ok(crate::pipeline::group_finding(program, catalogue, &names, hit))
}

/// One record a finding shows, as the SQL gives it: its file's index, its `precept_row`, its id.
#[derive(serde::Deserialize)]
struct Shown {
    f: usize,
    n: usize,
    id: Option<String>,
}

/// The records a finding shows (a JSON list of [`Shown`], or null), placed as the native engine
/// places them: a JSON Lines or CSV record at its line, a Parquet file's row.
pub(super) fn samples(json: Option<String>, sources: &[Source]) -> Vec<Sample> {
    let shown: Vec<Shown> = json.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default();
    shown
        .into_iter()
        .filter_map(|s| {
            let source = sources.get(s.f)?;
            let (ordinal, line) = super::placed(source.kind, i64::try_from(s.n).ok()?);
            Some(Sample { file: s.f, ordinal, line, id: s.id })
        })
        .collect()
}

/// The evidence of a presence rule's missing period, as the engine gives it (see
/// [`crate::engine::group::missing_evidence`]); none for a `require`'s finding, or where a column
/// does not read as the query makes it.
fn missing(spec: &GroupSpec, row: &duckdb::Row<'_>) -> Result<Vec<Evidence>, duckdb::Error> {
    let date = |i: usize| -> Result<Option<Date>, duckdb::Error> {
        Ok(row.get::<_, Option<String>>(i)?.and_then(|t| t.parse().ok()))
    };
    let (Some(p), Some(day), Some(from), Some(until)) = (spec.presence.as_ref(), date(3)?, date(4)?, date(5)?) else {
        return Ok(Vec::new());
    };
    let records: Option<i64> = row.get(6)?;
    let more: Option<i64> = row.get(7)?;
    let records = records.and_then(|n| u64::try_from(n).ok()).filter(|&n| n > 0);
    let by = p.expected.as_ref().map(|e| &e.from);
    let mut evidence = vec![missing_evidence(p.unit, day, (from, until), records, by)];
    // The last period listed of a group that misses more says how many more.
    if let Some(more) = more.and_then(|m| usize::try_from(m).ok()).filter(|&m| m > 0) {
        evidence.push(more_missing_evidence(more, until));
    }
    Ok(evidence)
}
