//! What a finding carries about the rule it breaks, so that a report needs only findings and the
//! run's [`Summary`](super::Summary), never the compiled program.
//!
//! One [`RuleInfo`] is built per compiled rule when a run starts and shared by every finding of that
//! rule (an `Arc` clone per finding, no copies of titles or help texts).

use std::sync::Arc;

use crate::ast::{CodeLevel, Severity};
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// A rule's metadata, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule's id (versions of a rule, and an override and the rule it replaces, share it).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The name of the code of practice it belongs to.
    pub code: String,
    /// That code's position among the run's codes (reports group rules by code in this order).
    pub code_index: usize,
    /// That code's level.
    pub level: CodeLevel,
    /// The severity of its findings.
    pub severity: Severity,
    /// The clause it implements, as written after `cite`.
    pub cite: Option<String>,
    /// What to do about a finding.
    pub help: Option<String>,
    /// The first and last day this version is in force, when it is not always in force.
    pub in_force: Option<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)>,
    /// The policy file the rule is in.
    pub file: SourceFile,
    /// The rule's id in that file.
    pub id_span: Span,
    /// 1-based line and column of the id in the policy file.
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// When this rule overrides an inherited one: the parent code, and the reason it relaxes it.
    pub overrides: Option<Overrides>,
}

/// An override of an inherited rule, as reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrides {
    /// The code of practice whose rule is overridden.
    pub code: String,
    /// `relaxes "why"`: the stated reason the override is more lenient.
    pub relaxes: Option<String>,
}

/// A code of practice, as reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: CodeLevel,
    /// Its `version`, when it states one.
    pub version: Option<String>,
}

/// Everything a report needs to know about a run's policies: each rule's metadata (by position in
/// the program), which rules run, the codes, and the rules skipped for want of role files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// One entry per compiled rule, in the program's order.
    pub rules: Vec<Arc<RuleInfo>>,
    /// Positions in `rules` of the rules that run (an inherited rule that an override replaces on
    /// every day does not), ascending.
    pub running: Vec<usize>,
    /// Each code of practice, in the program's order.
    pub codes: Vec<CodeEntry>,
    /// Ids of rules not run because they ask about roles and no role files were given.
    pub skipped: Vec<String>,
}

impl Catalogue {
    /// The metadata of `program`'s rules. `roles_given` says whether role files were given: if
    /// not, rules over records that ask about roles are listed as skipped.
    pub fn of(program: &Program, roles_given: bool) -> Catalogue {
        let rules = program
            .rules
            .iter()
            .map(|r| {
                let code = program.codes.get(r.code);
                let (line, column) = r.file.line_col(r.id_span.start);
                Arc::new(RuleInfo {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    code: code.map(|c| c.name.clone()).unwrap_or_default(),
                    code_index: r.code,
                    level: code.map_or(CodeLevel::Organisational, |c| c.level),
                    severity: r.severity,
                    cite: r.cite.clone(),
                    help: r.help.clone(),
                    in_force: r.in_force,
                    file: r.file.clone(),
                    id_span: r.id_span,
                    line,
                    column,
                    overrides: r.overrides.as_ref().map(|o| Overrides {
                        code: program.codes.get(o.code).map(|c| c.name.clone()).unwrap_or_default(),
                        relaxes: o.relaxes.clone(),
                    }),
                })
            })
            .collect();
        let skipped = if roles_given {
            Vec::new()
        } else {
            let mut ids: Vec<String> = Vec::new();
            for r in &program.rules {
                if r.uses_roles && !ids.contains(&r.id) {
                    ids.push(r.id.clone());
                }
            }
            ids
        };
        Catalogue {
            rules,
            running: program.running().into_iter().collect(),
            codes: program
                .codes
                .iter()
                .map(|c| CodeEntry { name: c.name.clone(), level: c.level, version: c.version.clone() })
                .collect(),
            skipped,
        }
    }

    /// The metadata of the rule at position `index` in the program.
    pub fn rule(&self, index: usize) -> Option<&Arc<RuleInfo>> {
        self.rules.get(index)
    }

    /// The rules that run, in the program's order (versions of one rule each listed).
    pub fn running(&self) -> impl Iterator<Item = &Arc<RuleInfo>> {
        self.running.iter().filter_map(|&i| self.rules.get(i))
    }

    /// Every override that states why it relaxes the rule it replaces, in the program's order:
    /// reports show these whatever was found, so a relaxed code never passes unnoticed.
    pub fn relaxations(&self) -> impl Iterator<Item = (&RuleInfo, &str, &str)> {
        self.rules.iter().filter_map(|r| {
            let o = r.overrides.as_ref()?;
            Some((r.as_ref(), o.code.as_str(), o.relaxes.as_deref()?))
        })
    }
}
