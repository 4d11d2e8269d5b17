//! A run's counts: findings by severity, level and standing ([`Tally`]), what the run read and the
//! problems it met ([`Outcome`]), and the [`Summary`] every report ends with.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Catalogue, Finding, Standing};
use crate::ast::{CodeLevel, Severity};
use crate::diagnostics::Diag;

/// What a check run found, apart from the findings themselves (which go to the sink as they are
/// found, so a run never holds them all).
#[derive(Debug, Default)]
pub struct Outcome {
    /// Problems with the input files, in a stable order.
    pub diagnostics: Vec<Diag>,
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
    /// The findings, counted.
    pub tally: Tally,
    /// Obligations still open at the end of the data but not yet due, by rule id: not findings.
    pub pending: Vec<(String, usize)>,
    /// Records left out of a group or case rule's groups because a value they needed could not be
    /// read, by rule id.
    pub left_out: Vec<(String, usize)>,
}

/// Findings counted by severity, level and standing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Findings by severity: error, warning, info.
    pub by_severity: [usize; 3],
    /// Findings by code level.
    pub by_level: BTreeMap<CodeLevel, usize>,
    /// Active findings (neither waived nor in the baseline) by severity: what `--fail-on` looks at.
    pub active: [usize; 3],
    /// Findings a waiver covers.
    pub waived: usize,
    /// Findings in the baseline given.
    pub baselined: usize,
    /// Cannot-determine outcomes (not findings, not in any count above): a rule whose outcome
    /// depends on a value that could not be read.
    pub undetermined: usize,
    /// Records with at least one finding (at any standing).
    pub records_with_findings: usize,
    /// Records with no finding but at least one cannot-determine outcome.
    pub records_undetermined: usize,
}

impl Tally {
    /// Total findings.
    pub fn findings(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// True when at least one active finding is at `level` or more severe (`--fail-on`).
    pub fn fails_at(&self, level: Severity) -> bool {
        self.active.iter().take(slot(level) + 1).any(|&n| n > 0)
    }

    /// Count a finding (at any standing), or a cannot-determine outcome.
    pub fn count(&mut self, f: &Finding) {
        if f.standing.is_undetermined() {
            self.undetermined += 1;
            return;
        }
        let i = slot(f.severity());
        self.by_severity[i] += 1;
        *self.by_level.entry(f.level()).or_insert(0) += 1;
        self.stand(i, &f.standing);
    }

    /// A finding counted as active turned out to be waived or baselined.
    pub fn recount(&mut self, severity: Severity, standing: &Standing) {
        let i = slot(severity);
        if !matches!(standing, Standing::Active | Standing::Undetermined(_)) {
            self.active[i] = self.active[i].saturating_sub(1);
            self.stand(i, standing);
        }
    }

    fn stand(&mut self, i: usize, standing: &Standing) {
        match standing {
            Standing::Active => self.active[i] += 1,
            Standing::Waived(_) => self.waived += 1,
            Standing::Baselined => self.baselined += 1,
            Standing::Undetermined(_) => self.undetermined += 1,
        }
    }

    /// Count one record's outcomes: `any_finding` when at least one of them is a finding, else
    /// they are all cannot-determine outcomes.
    pub fn record_seen(&mut self, any_finding: bool) {
        if any_finding {
            self.records_with_findings += 1;
        } else {
            self.records_undetermined += 1;
        }
    }
}

impl Outcome {
    /// Total findings.
    pub fn findings(&self) -> usize {
        self.tally.findings()
    }

    /// True when at least one finding has error severity.
    pub fn has_error_findings(&self) -> bool {
        self.tally.by_severity[0] > 0
    }

    /// True when at least one active finding is at `level` or more severe (`--fail-on`).
    pub fn fails_at(&self, level: Severity) -> bool {
        self.tally.fails_at(level)
    }

    /// Count a finding (at any standing).
    pub fn count(&mut self, f: &Finding) {
        self.tally.count(f);
    }

    /// A finding counted as active turned out to be waived or baselined.
    pub fn recount(&mut self, severity: Severity, standing: &Standing) {
        self.tally.recount(severity, standing);
    }
}

fn slot(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// What every report ends with: the counts of the run and what it ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Record files read.
    pub files: usize,
    /// Records checked.
    pub records: usize,
    /// Rules applied.
    pub rules: usize,
    /// Codes of practice loaded.
    pub codes: usize,
    /// The findings, counted.
    pub tally: Tally,
    /// Obligations open at the end of the data but not yet due, by rule id.
    pub pending: Vec<(String, usize)>,
    /// Records left out of group and case rules (a value they needed could not be read), by rule id.
    pub left_out: Vec<(String, usize)>,
    /// The policies' rules and codes, as reports list them.
    pub catalogue: Arc<Catalogue>,
}

impl Summary {
    /// The counts of an outcome, over the rules of `catalogue`.
    pub fn of(catalogue: Arc<Catalogue>, outcome: &Outcome) -> Summary {
        Summary {
            files: outcome.files,
            records: outcome.records,
            rules: catalogue.running.len(),
            codes: catalogue.codes.len(),
            tally: outcome.tally.clone(),
            pending: outcome.pending.clone(),
            left_out: outcome.left_out.clone(),
            catalogue,
        }
    }

    /// Total findings.
    pub fn findings(&self) -> usize {
        self.tally.findings()
    }

    /// Records with no finding and no rule that cannot be determined.
    pub fn clean_records(&self) -> usize {
        self.records.saturating_sub(self.tally.records_with_findings + self.tally.records_undetermined)
    }
}
