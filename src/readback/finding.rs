//! One exported row as the [`Finding`] `precept check` makes of the same record or group.
//!
//! The rule is found by the row's `rule_id` among the rules that run; of a rule's versions (and
//! overrides, which share its id), the one whose code and message template the row gives, else
//! the first. What reports show of the rule comes from the policies. A finding is placed at the
//! row: the findings file named by the user and the row's line, with no text of the record.
//!
//! What waivers and baselines match on is rebuilt as `check` makes it: the rule id, the subject
//! (record, group or case), the record id or group key, the field, and a presence rule's missing
//! period (read from the message's `{group.period}` value, where it shows one), and a group's
//! staff and team from the parts of its key.

use std::collections::HashMap;
use std::sync::Arc;

use super::rows::{invalid, Row};
use crate::diagnostics::Diag;
use crate::engine::authority::Evidence;
use crate::engine::program::CompiledRule;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding, GroupFinding, Standing, Subject};
use crate::source::{SourceFile, Span};
use crate::sql::message;

/// The code of a row naming a rule the policies do not have.
pub const UNKNOWN_RULE: &str = "precept::findings::unknown-rule";

/// The code of the warning that a presence rule's rows do not name the period missing.
pub const UNNAMED_PERIOD_CODE: &str = "precept::findings::unnamed-period";

/// The missing period of a presence rule's finding whose row does not name it: not a period's
/// text, so no finding `check` makes has it.
const UNNAMED_PERIOD: &str = "(not named by the row)";

/// Whether `f` is a presence rule's finding whose row did not name the period missing: it cannot
/// be told from the group's other missed periods, so it is never written to a baseline.
pub fn unnamed_period(f: &Finding) -> bool {
    f.evidence.iter().flat_map(|e| e.facts.iter()).any(|(k, v)| *k == "missing" && v == UNNAMED_PERIOD)
}

/// `precept::findings::unnamed-period` for `rule`, whose `count` rows named no period.
pub fn unnamed_period_warning(rule: &CompiledRule, count: usize) -> Diag {
    Diag::warning(
        UNNAMED_PERIOD_CODE,
        format!(
            "{count} row{} of the presence rule `{}` name{} no missing period: a baseline cannot tell them apart, so none is ever known to one",
            if count == 1 { "" } else { "s" },
            rule.id,
            if count == 1 { "s" } else { "" }
        ),
    )
    .at(&rule.file, rule.id_span, "its message does not show `{group.period}`")
    .help("show {group.period} in the rule's message so the warehouse rows name the missing period")
}

/// Why a row makes no finding.
#[derive(Debug)]
pub enum Problem {
    /// No rule of that id runs.
    UnknownRule(Vec<String>),
    /// The row does not fit its rule: why, and what to do.
    Invalid(String, String),
}

impl Problem {
    /// The diagnostic for `row` of `file`.
    pub fn diag(&self, program: &Program, file: &SourceFile, row: &Row) -> Diag {
        match self {
            Problem::UnknownRule(_) if program.rules.iter().any(|r| r.id == row.rule_id) => Diag::error(
                UNKNOWN_RULE,
                format!(
                    "row at line {} of `{}` names the rule `{}`, which the policies have but never run: an override replaces it on every day",
                    row.line, file.name, row.rule_id
                ),
            )
            .at(file, row.span, "this row")
            .help("The rows must be read with the policies the SQL was written from (`--policies`): SQL written from these would have no rows of it."),
            Problem::UnknownRule(ids) => {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                Diag::error(
                    UNKNOWN_RULE,
                    format!(
                        "row at line {} of `{}` names the rule `{}`, which the policies do not have",
                        row.line, file.name, row.rule_id
                    ),
                )
                .at(file, row.span, "this row")
                .help(format!(
                    "{} The rows must be read with the policies the SQL was written from (`--policies`).",
                    crate::diagnostics::suggest::help(&row.rule_id, &ids, "rule")
                ))
            }
            Problem::Invalid(why, help) => invalid(file, row.span, row.line, why, help),
        }
    }
}

/// The rules that run, by id, in the program's order.
pub struct Rules {
    by_id: HashMap<String, Vec<usize>>,
    ids: Vec<String>,
}

impl Rules {
    /// Of `program`.
    pub fn new(program: &Program) -> Rules {
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for i in program.running() {
            if let Some(r) = program.rules.get(i) {
                by_id.entry(r.id.clone()).or_default().push(i);
            }
        }
        let mut ids: Vec<String> = by_id.keys().cloned().collect();
        ids.sort();
        Rules { by_id, ids }
    }

    /// The rule `row` is a finding of: of the versions with its id, the first whose code, schema
    /// and message template agree with what the row gives.
    fn pick<'p>(&self, program: &'p Program, row: &Row) -> Result<(usize, &'p CompiledRule), Problem> {
        let Some(found) = self.by_id.get(&row.rule_id) else {
            return Err(Problem::UnknownRule(self.ids.clone()));
        };
        let versions: Vec<(usize, &CompiledRule)> =
            found.iter().filter_map(|&i| program.rules.get(i).map(|r| (i, r))).collect();
        let agrees = |r: &CompiledRule| {
            let code = program.codes.get(r.code).map(|c| c.name.as_str());
            let schema = program.schemas.get(r.schema).map(|s| s.name.as_str());
            row.code.as_deref().is_none_or(|c| Some(c) == code)
                && row.schema_name.as_deref().is_none_or(|s| Some(s) == schema)
                && row.message.as_deref().is_none_or(|m| m == message::template(r))
        };
        versions
            .iter()
            .find(|(_, r)| agrees(r))
            .or_else(|| versions.iter().find(|(_, r)| message::holes(r) == row.values.len()))
            .or(versions.first())
            .copied()
            .ok_or_else(|| Problem::UnknownRule(self.ids.clone()))
    }

    /// The finding of `row` and the index of its rule in [`Program::rules`], the `index`-th row (from 0) of the findings file `name`.
    ///
    /// # Errors
    ///
    /// A [`Problem`] when the row names no rule that runs or does not fit it.
    pub fn finding(
        &self,
        program: &Program,
        catalogue: &Catalogue,
        name: &Arc<str>,
        index: usize,
        row: &Row,
    ) -> Result<(usize, Finding), Problem> {
        let (i, rule) = self.pick(program, row)?;
        let info = catalogue.rule(i).cloned().ok_or_else(|| Problem::UnknownRule(self.ids.clone()))?;
        let want = message::holes(rule);
        if row.values.len() != want {
            return Err(Problem::Invalid(
                format!(
                    "its `message_values` has {} values where the message of `{}` shows {want}",
                    row.values.len(),
                    rule.id
                ),
                "read the rows with the policies the SQL was written from; write the SQL again after the policies change".into(),
            ));
        }
        if let Some(&bad) = message::unreadable(program, rule, &row.values).first() {
            return Err(Problem::Invalid(
                format!(
                    "its message value {} (`{}`) is not a value of its type",
                    bad + 1,
                    row.values.get(bad).cloned().flatten().unwrap_or_default()
                ),
                "export the values as the view gives them (docs/warehouse.md, `message_values`), not reformatted"
                    .into(),
            ));
        }
        let mut f = Finding {
            rule: Some(info),
            subject: Subject::Record,
            file: SourceFile::excerpt(Arc::clone(name), Arc::<str>::from(""), row.line),
            span: Span::new(0, 0),
            line: row.line,
            column: 1,
            end: (row.line, 1),
            record_index: index,
            record_id: row.record_id.clone(),
            help: None,
            message: message::message(program, rule, &row.values),
            field: row.field.clone(),
            staff: None,
            team: None,
            day: None,
            standing: Standing::Active,
            evidence: Vec::new(),
            group: None,
        };
        if let Some(spec) = &rule.group {
            let Some(key_text) = row.group_key.clone() else {
                return Err(Problem::Invalid(
                    format!("`{}` is a rule over groups, and the row has no `group_key`", rule.id),
                    "export the `group_key` column: it names the group".into(),
                ));
            };
            let names: Vec<&str> = spec.keys.iter().map(|k| k.name.as_str()).collect();
            let key = match spec.sequence {
                // A case's key has one part, shown as `case C-1042`; its finding is the case's,
                // named by the key's value alone, as `check` names it.
                Some(_) => {
                    let name = names.first().copied().unwrap_or_default();
                    let value = key_text.strip_prefix(&format!("{name} ")).unwrap_or(&key_text).to_string();
                    f.record_id = Some(value.clone());
                    vec![(name.to_string(), value)]
                }
                None => {
                    f.record_id = Some(key_text.clone());
                    parts(&names, &key_text)
                }
            };
            f.subject = if spec.sequence.is_some() { Subject::Case } else { Subject::Group };
            f.field = String::new();
            (f.staff, f.team) = staff_and_team(program, rule, &key);
            if let (None, Some(presence)) = (&row.requirement, &spec.presence) {
                let shown = spec.period_slot.and_then(|slot| message::period(rule, slot, presence.unit, &row.values));
                f.evidence.push(match shown {
                    Some(shown) => Evidence {
                        summary: format!("no record in the period {shown}"),
                        facts: vec![("missing", shown)],
                    },
                    // The missed periods of one group cannot be told apart: each is given a period
                    // no baseline entry holds (`check` names a real one, and `baseline --findings`
                    // leaves these out), so none is ever hidden by another's entry.
                    None => Evidence {
                        summary: "no record in a period the row does not name".to_string(),
                        facts: vec![("missing", UNNAMED_PERIOD.to_string())],
                    },
                });
            }
            f.group = Some(GroupFinding { key, samples: Vec::new() });
        }
        Ok((i, f))
    }
}

/// A group's key as `check` shows it (`team Returns, month 2024-03`) in its parts, by the names
/// of the key's parts in order (a part with no value is left out of the text).
fn parts(names: &[&str], text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    for (i, name) in names.iter().enumerate() {
        let Some(after) = rest.strip_prefix(&format!("{name} ")) else { continue };
        // The value runs to the next part that follows: `, name ` of a later part.
        let end = names.iter().skip(i + 1).filter_map(|n| after.find(&format!(", {n} "))).min().unwrap_or(after.len());
        out.push(((*name).to_string(), after.get(..end).unwrap_or(after).to_string()));
        rest = after.get(end..).unwrap_or("").trim_start_matches(", ");
    }
    out
}

/// The member of staff and the team a group is about, as `check` says: the part of its key
/// named `staff` or `team`, or named as the schema's `staff by` or `team by` field.
fn staff_and_team(
    program: &Program,
    rule: &CompiledRule,
    key: &[(String, String)],
) -> (Option<String>, Option<String>) {
    let schema = program.schemas.get(rule.schema);
    let field_name = |slot: Option<usize>| {
        let shape = program.shapes.get(schema?.shape)?;
        Some(shape.fields.get(slot?)?.name.clone())
    };
    let (staff_name, team_name) =
        (field_name(schema.and_then(|s| s.staff_field)), field_name(schema.and_then(|s| s.team_field)));
    let part = |names: [Option<&str>; 2]| {
        key.iter().find(|(k, _)| names.iter().flatten().any(|n| n == k)).map(|(_, v)| v.clone())
    };
    (part([Some("staff"), staff_name.as_deref()]), part([Some("team"), team_name.as_deref()]))
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn a_key_is_split_at_the_names_of_its_parts() {
        assert_eq!(
            parts(&["team", "month"], "team Returns, North, month 2024-03"),
            vec![("team".into(), "Returns, North".into()), ("month".into(), "2024-03".into())]
        );
        assert_eq!(parts(&["team", "month"], "month 2024-03"), vec![("month".into(), "2024-03".into())]);
        assert_eq!(parts(&["team"], "team A"), vec![("team".into(), "A".into())]);
    }
}
