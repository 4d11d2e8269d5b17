//! The run's waivers as reports list them ([`WaiverEntry`]): every waiver read, with the findings
//! it covered, whether it has expired, and its record, staff and team hashed where the field they
//! match is redacted.

use std::sync::atomic::Ordering;

use super::Suppressor;
use crate::engine::redact;
use crate::engine::Program;
use crate::findings::WaiverEntry;

impl Suppressor {
    /// Every waiver, in file order, once the run is over (the counts are then final).
    pub fn entries(&self, program: &Program) -> Vec<WaiverEntry> {
        self.waivers
            .iter()
            .map(|(w, uses, (line, _))| {
                let hidden = Hidden::of(program, &w.rule);
                WaiverEntry {
                    rule: w.rule.clone(),
                    record: w.record.as_deref().map(|r| shown(r, hidden.record)),
                    staff: w.staff.as_deref().map(|s| shown(s, hidden.staff)),
                    team: w.team.as_deref().map(|t| shown(t, hidden.team)),
                    files: w.files.as_ref().map(|(glob, _)| glob.clone()),
                    justification: w.justification.clone(),
                    approver: w.approver.clone(),
                    expires: w.expires.to_string(),
                    place: format!("{}:{line}", w.file.name),
                    findings: uses.load(Ordering::Relaxed),
                    expired: w.expires < self.today,
                }
            })
            .collect()
    }
}

/// Which of a waiver's values match a redacted field, over every version of its rule.
#[derive(Default)]
struct Hidden {
    record: bool,
    staff: bool,
    team: bool,
}

impl Hidden {
    fn of(program: &Program, rule: &str) -> Hidden {
        let mut out = Hidden::default();
        let mut any = false;
        for r in program.rules.iter().filter(|r| r.id == rule) {
            any = true;
            let Some(s) = program.schemas.get(r.schema) else { continue };
            let slot = |field: Option<usize>| field.is_some_and(|f| redact::slot_redacted(program, r.schema, f));
            out.record |= s.id_redacted;
            out.staff |= slot(s.staff_field);
            out.team |= slot(s.team_field);
            // A group or case rule's findings are named by their key, and its staff and team are
            // parts of that key: hashed in findings when a part is redacted, so hashed here too.
            if r.group.as_ref().is_some_and(|g| g.keys.iter().any(|k| k.redacted)) {
                out.record = true;
                out.staff = true;
                out.team = true;
            }
        }
        if !any && program.redacting {
            // A waiver of no rule the run knows: nothing says which fields it names, so hide all.
            return Hidden { record: true, staff: true, team: true };
        }
        out
    }
}

/// `value`, or its hash when its field is redacted (a value already written as a hash, as a waiver
/// of a redacted record id must be to match, is shown as it is).
fn shown(value: &str, hidden: bool) -> String {
    if hidden && !is_hash(value) {
        redact::hash(value)
    } else {
        value.to_string()
    }
}

/// `redacted:` and eight lowercase hex digits, as [`redact::hash`] writes.
fn is_hash(value: &str) -> bool {
    value
        .strip_prefix("redacted:")
        .is_some_and(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_kept_and_values_hashed() {
        let hash = redact::hash("C-1");
        assert!(is_hash(&hash));
        assert_eq!(shown(&hash, true), hash);
        assert_eq!(shown("C-1", true), hash);
        assert_eq!(shown("C-1", false), "C-1");
        assert!(!is_hash("redacted:C-1"));
    }
}
