//! The baseline: the findings known when Precept was adopted, by fingerprint, so a run fails only
//! on new ones and says which known ones have gone (so the file can shrink).
//!
//! The file is JSON written by `precept baseline`, sorted, one finding per line:
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     {"fingerprint":"3f2a...","rule":"complaint-acknowledged","record":"CS-1002","field":"acknowledged_at","file":"records/complaints.jsonl","message":"..."}
//!   ]
//! }
//! ```
//!
//! Only `fingerprint` is matched on; the rest is there for people reading the file.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diag;
use crate::findings::Finding;
use crate::source::SourceFile;

/// One known finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// What it is matched on.
    pub fingerprint: String,
    /// For people: the rule, record, field, file and message when it was recorded.
    pub rule: String,
    /// See `rule`.
    pub record: Option<String>,
    /// See `rule`.
    #[serde(default)]
    pub field: String,
    /// See `rule`.
    #[serde(default)]
    pub file: String,
    /// See `rule`.
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    findings: Vec<Entry>,
}

/// The baseline document for `findings` (waived findings are not in it: their waivers cover them).
pub fn write(findings: &[Finding]) -> String {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            fingerprint: f.fingerprint(),
            rule: f.rule_id().to_string(),
            record: f.record_id.clone(),
            field: f.field.clone(),
            file: f.file.name.to_string(),
            message: f.message.clone(),
        })
        .collect();
    entries.sort_by(|a, b| (&a.rule, &a.record, &a.fingerprint).cmp(&(&b.rule, &b.record, &b.fingerprint)));
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let mut out = String::from("{\n  \"version\": 1,\n  \"findings\": [");
    for (i, e) in entries.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(e).unwrap_or_else(|_| "{}".to_string()));
    }
    out.push_str(if entries.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
    out
}

/// A baseline read for a run: which entries have been seen again.
#[derive(Debug)]
pub struct Baseline {
    /// Each entry, and whether it occurred again (set from the worker threads that mark findings).
    entries: BTreeMap<String, (Entry, AtomicBool)>,
    file: String,
}

impl Clone for Baseline {
    fn clone(&self) -> Baseline {
        let entries = self
            .entries
            .iter()
            .map(|(k, (e, seen))| (k.clone(), (e.clone(), AtomicBool::new(seen.load(Ordering::Relaxed)))))
            .collect();
        Baseline { entries, file: self.file.clone() }
    }
}

impl Baseline {
    /// Read a baseline file; a malformed one is a diagnostic.
    pub fn read(file: &SourceFile) -> Result<Baseline, Diag> {
        let doc: Document = serde_json::from_str(&file.text).map_err(|e| {
            let offset = crate::data::scan::json_error_offset(&file.text, e.line(), e.column());
            Diag::error("precept::baseline::invalid", format!("the baseline is not a Precept baseline: {e}"))
                .at(file, crate::source::Span::new(offset, offset), "here")
                .help("write it with `precept baseline --file FILE`; it is JSON with `version` and `findings`")
        })?;
        if doc.version != 1 {
            return Err(Diag::error(
                "precept::baseline::invalid",
                format!("baseline version {} is not one this Precept reads", doc.version),
            )
            .help("write it again with `precept baseline`"));
        }
        let entries = doc.findings.into_iter().map(|e| (e.fingerprint.clone(), (e, AtomicBool::new(false)))).collect();
        Ok(Baseline { entries, file: file.name.to_string() })
    }

    /// Whether `f` is in the baseline (and note that it still occurs).
    pub fn contains(&self, f: &Finding) -> bool {
        match self.entries.get(&f.fingerprint()) {
            Some((_, seen)) => {
                seen.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Entries that no longer occur, as one warning (naming a few), so the baseline can shrink.
    /// With fields redacted they are named by fingerprint: a baseline written before redaction
    /// was turned on would otherwise print record ids.
    pub fn stale(&self, redacting: bool) -> Option<Diag> {
        let gone: Vec<&Entry> =
            self.entries.values().filter(|(_, seen)| !seen.load(Ordering::Relaxed)).map(|(e, _)| e).collect();
        if gone.is_empty() {
            return None;
        }
        let shown: Vec<String> = gone
            .iter()
            .take(5)
            .map(|e| match &e.record {
                _ if redacting => {
                    format!("`{}` (fingerprint {})", e.rule, e.fingerprint.get(..8).unwrap_or(&e.fingerprint))
                }
                Some(r) => format!("`{}` on {r}", e.rule),
                None => format!("`{}` in {}", e.rule, e.file),
            })
            .collect();
        let more =
            if gone.len() > shown.len() { format!(" and {} more", gone.len() - shown.len()) } else { String::new() };
        Some(
            Diag::warning(
                "precept::baseline::stale",
                format!(
                    "{} of the findings in the baseline `{}` no longer occur: {}{more}",
                    gone.len(),
                    self.file,
                    shown.join(", ")
                ),
            )
            .help("they were fixed (or their records are gone): run `precept baseline` again to drop them, so they cannot come back unnoticed"),
        )
    }
}
