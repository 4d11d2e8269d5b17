//! Findings and diagnostics to output: [`human`] (miette reports and a summary line) and [`json`].
//!
//! Reports are pure functions of the outcome: no clocks, no paths of this machine beyond those the
//! user gave, no thread-dependent order.

pub mod human;
pub mod json;

use std::collections::BTreeMap;

use crate::ast::CodeLevel;
use crate::engine::Program;
use crate::pipeline::Outcome;

/// Counts for the summary line and the JSON summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
    /// Rules applied.
    pub rules: usize,
    /// Codes of practice loaded.
    pub codes: usize,
    /// Findings by severity (error, warning, info).
    pub by_severity: [usize; 3],
    /// Findings by code level, in level order.
    pub by_level: BTreeMap<CodeLevel, usize>,
}

impl Summary {
    /// The counts of an outcome.
    pub fn of(program: &Program, outcome: &Outcome) -> Summary {
        Summary {
            files: outcome.files,
            records: outcome.records,
            rules: program.rules.len(),
            codes: program.codes.len(),
            by_severity: outcome.by_severity,
            by_level: outcome.by_level.clone(),
        }
    }

    /// Total findings.
    pub fn findings(&self) -> usize {
        self.by_severity.iter().sum()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
