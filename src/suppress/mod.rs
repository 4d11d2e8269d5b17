//! Findings that do not fail a run: waived ones (a waiver covers them, with a justification, an
//! approver and an expiry date) and known ones (in the baseline given). They are still reported,
//! marked as such; only active findings count towards `--fail-on`.
//!
//! This sits between the pipeline and the reports: it reads the waivers and the baseline, marks
//! each finding as it passes, and at the end says what it noticed (waivers that matched nothing,
//! expired waivers, baseline entries that no longer occur).

pub mod baseline;
mod listing;
pub mod waivers;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::civil::Date;

use crate::diagnostics::Diag;
use crate::findings::{Finding, Standing, Subject, WaiverNote};

/// The id of the finding an expired waiver is.
pub const EXPIRED_WAIVER: &str = crate::findings::expired_waiver::ID;

/// Marks findings as waived or baselined during a run.
pub struct Suppressor {
    /// Each waiver, the findings it covered, and its line and column in its file. Counted
    /// atomically: findings are marked on the worker threads that make them, in any order, and
    /// only the counts are read, after the run.
    waivers: Vec<(waivers::Waiver, AtomicUsize, (usize, usize))>,
    /// Waivers by rule id, and by rule and record id for those naming a record, in file order: a
    /// finding is compared only with the waivers of its rule (comparing every finding with every
    /// waiver is quadratic in a large waivers file).
    by_rule: HashMap<String, Vec<usize>>,
    /// Rule id, then record id: looked up by the finding's own texts, allocating nothing.
    by_record: HashMap<String, HashMap<String, Vec<usize>>>,
    baseline: Option<baseline::Baseline>,
    today: Date,
    /// Fields are redacted: name baseline entries by fingerprint, not by record.
    pub redacting: bool,
}

impl Suppressor {
    /// From the waivers and baseline given; `today` decides which waivers have expired.
    pub fn new(waivers: Vec<waivers::Waiver>, baseline: Option<baseline::Baseline>, today: Date) -> Suppressor {
        let places = places(&waivers);
        let mut by_rule: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_record: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        for (i, w) in waivers.iter().enumerate() {
            match &w.record {
                Some(r) => by_record.entry(w.rule.clone()).or_default().entry(r.clone()).or_default().push(i),
                None => by_rule.entry(w.rule.clone()).or_default().push(i),
            }
        }
        let waivers = waivers.into_iter().zip(places).map(|(w, p)| (w, AtomicUsize::new(0), p)).collect();
        Suppressor { waivers, by_rule, by_record, baseline, today, redacting: false }
    }

    /// The waivers that may cover `f`, in file order: those of its rule, then those naming its
    /// record, merged (each list is in file order already).
    fn candidates(&self, f: &Finding) -> impl Iterator<Item = usize> + '_ {
        let general = self.by_rule.get(f.rule_id()).map(Vec::as_slice).unwrap_or_default();
        let named = match &f.record_id {
            Some(r) => self.by_record.get(f.rule_id()).and_then(|m| m.get(r.as_str())).map(Vec::as_slice),
            None => None,
        }
        .unwrap_or_default();
        Merged { a: general, b: named }
    }

    /// Whether there is a baseline (SARIF then says which results are new).
    pub fn has_baseline(&self) -> bool {
        self.baseline.is_some()
    }

    /// Decide a finding's standing: waived by the first waiver in force that covers it, else
    /// baselined if known, else active. An expired waiver waives nothing.
    pub fn mark(&self, f: &mut Finding) {
        // A rule that cannot be determined is not a finding: nothing to waive or know from before.
        if f.standing.is_undetermined() {
            return;
        }
        if self.waivers.is_empty() && self.baseline.is_none() {
            return;
        }
        for i in self.candidates(f) {
            let Some((w, uses, (line, _))) = self.waivers.get(i) else { continue };
            if w.covers(f) {
                uses.fetch_add(1, Ordering::Relaxed);
                if w.expires >= self.today {
                    // Still known to the baseline, so its entry is not reported as gone.
                    if let Some(b) = self.baseline.as_ref() {
                        b.contains(f);
                    }
                    f.standing = Standing::Waived(WaiverNote {
                        justification: w.justification.clone(),
                        approver: w.approver.clone(),
                        expires: w.expires.to_string(),
                        place: format!("{}:{line}", w.file.name),
                    });
                    return;
                }
            }
        }
        if self.baseline.as_ref().is_some_and(|b| b.contains(f)) {
            f.standing = Standing::Baselined;
        }
    }

    /// After the run: a finding for each expired waiver (it waives nothing, and must be renewed or
    /// removed), and warnings for waivers that matched nothing and baseline entries that are gone.
    pub fn finish(&self) -> (Vec<Finding>, Vec<Diag>) {
        let mut findings = Vec::new();
        let mut diags = Vec::new();
        for (w, uses, (line, column)) in &self.waivers {
            let (line, column) = (*line, *column);
            let uses = &uses.load(Ordering::Relaxed);
            if w.expires < self.today {
                let what = w.record.as_ref().map(|r| format!(" for {r}")).unwrap_or_default();
                let mut file = w.file.clone();
                file.first_line = 1;
                findings.push(Finding {
                    rule: None,
                    subject: Subject::ExpiredWaiver,
                    file,
                    span: w.span,
                    line,
                    column,
                    end: w.file.line_col(w.span.end),
                    record_index: 0,
                    record_id: Some(format!("{}{what}", w.rule)),
                    message: format!(
                        "the waiver of `{}`{what} expired on {} and waives nothing now ({} finding{} it would cover); approved by {}",
                        w.rule,
                        w.expires,
                        uses,
                        if *uses == 1 { "" } else { "s" },
                        w.approver
                    ),
                    help: None,
                    field: String::new(),
                    staff: w.staff.clone(),
                    team: w.team.clone(),
                    day: None,
                    standing: Standing::Active,
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

/// The 1-based line and column of each waiver (as [`crate::source::line_col`] gives them), counting
/// lines on from the waiver before it in the same file rather than from the start of the file.
fn places(waivers: &[waivers::Waiver]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(waivers.len());
    // The text (by address, alive while the waivers are), an offset in it, and the line there.
    let mut at: Option<(*const u8, usize, usize)> = None;
    for w in waivers {
        let text: &str = &w.file.text;
        let mut offset = w.span.start.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (from, first) = match at {
            Some((p, o, l)) if std::ptr::eq(p, text.as_ptr()) && o <= offset => (o, l),
            _ => (0, 1),
        };
        let line = first + text.get(from..offset).map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count());
        let before = text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        out.push((line, column));
        at = Some((text.as_ptr(), offset, line));
    }
    out
}

/// Two ascending lists of indices as one ascending sequence.
struct Merged<'a> {
    a: &'a [usize],
    b: &'a [usize],
}

impl Iterator for Merged<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let list = if take_a { &mut self.a } else { &mut self.b };
        let (&first, rest) = list.split_first()?;
        *list = rest;
        Some(first)
    }
}
