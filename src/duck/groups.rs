//! The findings of a rule over groups of records, as the native engine makes them: placed at the
//! clause the group broke in the policy file, named by the group's key, and in its order (by rule,
//! then key as the engine orders keys, a `require`'s finding before the missing periods, those by
//! day). What the SQL gives no way to know is left out, as docs/warehouse.md says: the sample
//! records and the evidence.

use crate::engine::verdict::GroupHit;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding};

/// The query over group rule `rule`'s compiled `select` (with the columns that place its findings)
/// that gives its findings in the native engine's order; `None` for a rule that is not over groups.
pub(super) fn query(program: &Program, rule: usize, select: &str) -> Option<String> {
    let spec = program.rules.get(rule)?.group.as_ref()?;
    let mut order: Vec<String> = (0..spec.keys.len()).map(|i| format!("precept_sort_{i} NULLS FIRST")).collect();
    order.push("requirement IS NULL".into());
    order.push("precept_period".into());
    Some(format!(
        "SELECT CAST(requirement AS BIGINT), CAST(to_json(message_values) AS VARCHAR), CAST(to_json(precept_key) AS VARCHAR) \
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
    rule: usize,
    row: &duckdb::Row<'_>,
) -> Result<Option<Finding>, duckdb::Error> {
    let requirement: Option<i64> = row.get(0)?;
    let values: Option<String> = row.get(1)?;
    let key: Option<String> = row.get(2)?;
    let Some(compiled) = program.rules.get(rule) else { return Ok(None) };
    let Some(spec) = compiled.group.as_ref() else { return Ok(None) };
    let values: Vec<Option<String>> = values.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
    let shown: Vec<Option<String>> = key.and_then(|k| serde_json::from_str(&k).ok()).unwrap_or_default();
    // A part with no value (of a group expected by name, with no record) is not shown.
    let key = spec.keys.iter().zip(shown).filter_map(|(k, v)| Some((k.name.clone(), v?))).collect();
    let hit = GroupHit {
        rule,
        key,
        require: requirement.and_then(|k| usize::try_from(k).ok()?.checked_sub(1)),
        message: crate::sql::message::message(program, compiled, &values),
        help: None,
        evidence: Vec::new(),
        samples: Vec::new(),
        values: Vec::new(),
    };
    Ok(crate::pipeline::group_finding(program, catalogue, &[], hit))
}
