//! Findings and diagnostics to output: [`human`] (miette reports and a summary line) and [`json`].
//!
//! Reports are pure functions of the outcome: no clocks, no paths of this machine beyond those the
//! user gave, no thread-dependent order.

pub mod human;
pub mod json;

use std::collections::BTreeMap;

use crate::ast::{CodeLevel, Severity};
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
    /// Count an outcome.
    pub fn of(program: &Program, outcome: &Outcome) -> Summary {
        let mut by_severity = [0; 3];
        let mut by_level = BTreeMap::new();
        for f in &outcome.findings {
            let i = match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            };
            by_severity[i] += 1;
            *by_level.entry(f.level).or_insert(0) += 1;
        }
        Summary {
            files: outcome.files,
            records: outcome.records,
            rules: program.rules.len(),
            codes: program.codes.len(),
            by_severity,
            by_level,
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
