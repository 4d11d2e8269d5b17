//! Findings that do not fail a run: waived ones (a waiver covers them, with a justification, an
//! approver and an expiry date) and known ones (in the baseline given). They are still reported,
//! marked as such; only active findings count towards `--fail-on`.
//!
//! This sits between the pipeline and the reports: it reads the waivers and the baseline, marks
//! each finding as it passes, and at the end says what it noticed (waivers that matched nothing,
//! expired waivers, baseline entries that no longer occur).

pub mod baseline;
pub mod waivers;

use jiff::civil::Date;

use crate::ast::{CodeLevel, Severity};
use crate::diagnostics::Diag;
use crate::pipeline::{Finding, Standing, WaiverNote};

/// The id of the finding an expired waiver is.
pub const EXPIRED_WAIVER: &str = "expired-waiver";

/// Marks findings as waived or baselined during a run.
pub struct Suppressor {
    waivers: Vec<(waivers::Waiver, usize)>,
    baseline: Option<baseline::Baseline>,
    today: Date,
    /// Fields are redacted: name baseline entries by fingerprint, not by record.
    pub redacting: bool,
}

impl Suppressor {
    /// From the waivers and baseline given; `today` decides which waivers have expired.
    pub fn new(waivers: Vec<waivers::Waiver>, baseline: Option<baseline::Baseline>, today: Date) -> Suppressor {
        Suppressor { waivers: waivers.into_iter().map(|w| (w, 0)).collect(), baseline, today, redacting: false }
    }

    /// Whether there is a baseline (SARIF then says which results are new).
    pub fn has_baseline(&self) -> bool {
        self.baseline.is_some()
    }

    /// Decide a finding's standing: waived by the first waiver in force that covers it, else
    /// baselined if known, else active. An expired waiver waives nothing.
    pub fn mark(&mut self, f: &mut Finding) {
        for (w, uses) in &mut self.waivers {
            if w.covers(f) {
                *uses += 1;
                if w.expires >= self.today {
                    // Still known to the baseline, so its entry is not reported as gone.
                    if let Some(b) = self.baseline.as_mut() {
                        b.contains(f);
                    }
                    f.standing = Standing::Waived(WaiverNote {
                        justification: w.justification.clone(),
                        approver: w.approver.clone(),
                        expires: w.expires.to_string(),
                        place: w.place(),
                    });
                    return;
                }
            }
        }
        if self.baseline.as_mut().is_some_and(|b| b.contains(f)) {
            f.standing = Standing::Baselined;
        }
    }

    /// After the run: a finding for each expired waiver (it waives nothing, and must be renewed or
    /// removed), and warnings for waivers that matched nothing and baseline entries that are gone.
    pub fn finish(&self) -> (Vec<Finding>, Vec<Diag>) {
        let mut findings = Vec::new();
        let mut diags = Vec::new();
        for (w, uses) in &self.waivers {
            if w.expires < self.today {
                let (line, column) = w.file.line_col(w.span.start);
                let what = w.record.as_ref().map(|r| format!(" for {r}")).unwrap_or_default();
                findings.push(Finding {
                    rule: usize::MAX,
                    rule_id: EXPIRED_WAIVER.to_string(),
                    code_name: "Precept waivers".to_string(),
                    level: CodeLevel::Organisational,
                    severity: Severity::Error,
                    file: w.file.clone(),
                    first_line: 1,
                    span: w.span,
                    line,
                    column,
                    record_index: 0,
                    record_id: Some(format!("{}{what}", w.rule)),
                    subject: "waiver",
                    message: format!(
                        "the waiver of `{}`{what} expired on {} and waives nothing now ({} finding{} it would cover); approved by {}",
                        w.rule,
                        w.expires,
                        uses,
                        if *uses == 1 { "" } else { "s" },
                        w.approver
                    ),
                    field: String::new(),
                    staff: w.staff.clone(),
                    team: w.team.clone(),
                    standing: Standing::Active,
                    masks: Vec::new(),
                    evidence: Vec::new(),
                    group: None,
                });
            } else if *uses == 0 {
                diags.push(
                    Diag::warning("precept::waiver::unused", format!("the waiver of `{}` matches no finding", w.rule))
                        .at(&w.file, w.span, "waives nothing")
                        .help("remove it if what it waived has been fixed, or correct what it names (record, staff, team, files)"),
                );
            }
        }
        if let Some(d) = self.baseline.as_ref().and_then(|b| b.stale(self.redacting)) {
            diags.push(d);
        }
        (findings, diags)
    }
}
