//! What the page needs of every finding, kept in memory bounded by the policies and the distinct
//! values seen, never by the number of findings: counts by dimension (for the charts and the
//! filters) and by rule (for the clause matrix).

use std::collections::HashMap;

use crate::findings::{Finding, Standing};

/// Distinct values one dimension keeps (teams, staff, months...); findings of further values are
/// counted together as "others", so a column of unique values cannot grow the report's memory.
pub const MAX_VALUES: usize = 500;

/// Findings of one value: active ones, and the rest (waived or baselined).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Neither waived nor baselined: what fails a run.
    pub active: usize,
    /// Waived or known from the baseline.
    pub settled: usize,
}

impl Split {
    /// Both together.
    pub fn total(self) -> usize {
        self.active + self.settled
    }
}

/// Findings counted by the values of one dimension, at most [`MAX_VALUES`] of them.
#[derive(Debug, Default)]
pub struct Counts {
    by: HashMap<String, Split>,
    /// Findings of values past the first [`MAX_VALUES`].
    pub others: Split,
    /// Some findings had values past the first [`MAX_VALUES`] (how many such values there were
    /// is not kept: that would take the memory the cap saves).
    pub overflowed: bool,
    /// Findings with no value in this dimension (no team named, no date).
    pub none: usize,
}

impl Counts {
    /// Count one finding of `value` (`None`: it has none).
    pub fn add(&mut self, value: Option<&str>, active: bool) {
        let Some(value) = value else {
            self.none += 1;
            return;
        };
        let slot = if self.by.contains_key(value) || self.by.len() < MAX_VALUES {
            match self.by.get_mut(value) {
                Some(slot) => slot,
                None => self.by.entry(value.to_string()).or_default(),
            }
        } else {
            self.overflowed = true;
            &mut self.others
        };
        if active {
            slot.active += 1;
        } else {
            slot.settled += 1;
        }
    }

    /// The values with their counts, most findings first (ties by value).
    pub fn by_count(&self) -> Vec<(&str, Split)> {
        let mut all: Vec<(&str, Split)> = self.by.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        all.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| a.0.cmp(b.0)));
        all
    }

    /// The values with their counts, in the values' order (months: oldest first).
    pub fn by_value(&self) -> Vec<(&str, Split)> {
        let mut all: Vec<(&str, Split)> = self.by.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// The values seen, sorted: a filter's choices.
    pub fn values(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.by.keys().map(String::as_str).collect();
        all.sort_unstable();
        all
    }

    /// No finding had a value.
    pub fn is_empty(&self) -> bool {
        self.by.is_empty()
    }
}

/// One rule's outcomes, for the clause matrix.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RuleOutcomes {
    /// Active findings.
    pub active: usize,
    /// Findings a waiver covers.
    pub waived: usize,
    /// Findings known from the baseline.
    pub baselined: usize,
    /// Cannot-determine outcomes.
    pub undetermined: usize,
}

/// A rule's findings under one clause: code index, rule id, clause.
pub type RuleKey = (Option<usize>, String, Option<String>);

/// Everything counted.
#[derive(Debug, Default)]
pub struct Tally {
    /// By severity (`error`...), code level, code, rule, team, member of staff, month and standing.
    pub severity: Counts,
    pub level: Counts,
    pub code: Counts,
    pub rule: Counts,
    pub team: Counts,
    pub staff: Counts,
    pub month: Counts,
    pub standing: Counts,
    /// By code (its index, `None` for expired waivers), rule id and the clause the finding's
    /// version of the rule cites (versions of a rule can cite different clauses).
    pub rules: HashMap<RuleKey, RuleOutcomes>,
    /// Findings and cannot-determine outcomes seen.
    pub seen: usize,
}

/// How the page names a standing (the filter's values).
pub fn standing_name(s: &Standing) -> &'static str {
    match s {
        Standing::Active => "active",
        Standing::Waived(_) => "waived",
        Standing::Baselined => "baselined",
        Standing::Undetermined(_) => "cannot determine",
    }
}

/// The team and member of staff of `f` as the page shows them: hashed where their field is
/// redacted.
pub fn who(f: &Finding) -> (Option<String>, Option<String>) {
    let (staff_hidden, team_hidden) = f.rule.as_ref().map_or((false, false), |r| (r.staff_redacted, r.team_redacted));
    let shown = |v: &Option<String>, hidden: bool| {
        v.as_ref().map(|v| if hidden { crate::engine::redact::hash(v) } else { v.clone() })
    };
    (shown(&f.team, team_hidden), shown(&f.staff, staff_hidden))
}

impl Tally {
    /// Count `f`.
    pub fn add(&mut self, f: &Finding) {
        self.seen += 1;
        let key = (
            f.rule.as_ref().map(|r| r.code_index),
            f.rule_id().to_string(),
            f.rule.as_ref().and_then(|r| r.cite.clone()),
        );
        let outcomes = self.rules.entry(key).or_default();
        match &f.standing {
            Standing::Active => outcomes.active += 1,
            Standing::Waived(_) => outcomes.waived += 1,
            Standing::Baselined => outcomes.baselined += 1,
            Standing::Undetermined(_) => outcomes.undetermined += 1,
        }
        self.standing.add(Some(standing_name(&f.standing)), true);
        // The charts count findings; a cannot-determine outcome is not one.
        if f.standing.is_undetermined() {
            return;
        }
        let active = f.standing == Standing::Active;
        let (team, staff) = who(f);
        self.severity.add(Some(f.severity().as_str()), active);
        self.level.add(Some(f.level().as_str()), active);
        self.code.add(Some(f.code_name()), active);
        self.rule.add(Some(f.rule_id()), active);
        self.team.add(team.as_deref(), active);
        self.staff.add(staff.as_deref(), active);
        let month = f.day.map(|d| format!("{:04}-{:02}", d.year(), d.month()));
        self.month.add(month.as_deref(), active);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_past_the_cap_are_counted_as_others() {
        let mut c = Counts::default();
        for i in 0..MAX_VALUES + 10 {
            c.add(Some(&format!("v{i}")), true);
        }
        c.add(Some("v0"), false);
        c.add(None, true);
        assert_eq!(c.by_count().len(), MAX_VALUES);
        assert_eq!((c.others.active, c.overflowed, c.none), (10, true, 1));
        assert_eq!(c.by_count()[0], ("v0", Split { active: 1, settled: 1 }));
    }
}
