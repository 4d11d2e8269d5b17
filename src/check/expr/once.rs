//! One problem, one diagnostic: what a rule gets wrong is reported once, however often the rule
//! repeats it.
//!
//! A misspelt field read in `where`, `require` and the message, a `group.<key>` in a rule without
//! `group by`, an unknown function called twice or an optional field compared unguarded in three
//! places is one mistake with one fix. The first use is reported; each later use in the same rule
//! adds a label "also here" to that diagnostic instead of a diagnostic of its own (up to
//! [`MAX_ALSO`] labels). A problem found before any use (a group key that could not be checked)
//! silences its uses without a label: the diagnostic at its cause says it all.
//!
//! Expressions built from an erroneous one are not reported either: the checker returns `None` for
//! an expression with an error, and every operator returns `None` without a diagnostic when an
//! operand is `None` (the "poison" of the error).

use super::TypeCheck;
use crate::source::Span;

/// The most "also here" labels one diagnostic gets; the rest of the uses are left unmarked.
const MAX_ALSO: usize = 4;

/// What a problem is about, so its repetitions in a rule can be recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::check) enum About {
    /// A name that is not defined (`group` in a rule over records, a misspelt element name).
    Name(String),
    /// A field that does not exist: the path it was read from, then the field (`record`, `acknowleged_at`).
    Field(String, String),
    /// A function that does not exist.
    Function(String),
    /// A value an enumeration does not have: the enumeration and the value.
    Variant(usize, String),
    /// An optional value used where a value is needed, by the expression as written.
    Missing(String),
    /// A record read outside an aggregate in a rule over groups.
    RecordInGroup,
}

/// A problem reported in this rule, and the diagnostic that reports it (`None`: silenced, its
/// cause reported elsewhere).
pub(in crate::check) struct Reported {
    about: About,
    diag: Option<usize>,
    also: usize,
}

impl TypeCheck<'_> {
    /// Whether `about` was already reported in this rule; if so, `span` is marked on its
    /// diagnostic. Callers return `None` without a diagnostic when it was.
    pub(super) fn reported_before(&mut self, about: &About, span: Span) -> bool {
        let Some(r) = self.reported.iter_mut().find(|r| r.about == *about) else { return false };
        if let Some(d) = r.diag.and_then(|i| self.diags.get_mut(i)) {
            if r.also < MAX_ALSO && d.labels.iter().all(|l| l.span != span) {
                d.with_label(span, "also here");
                r.also += 1;
            }
        }
        true
    }

    /// Remember that the diagnostic just reported is about `about`.
    pub(super) fn remember(&mut self, about: About) {
        let diag = self.diags.len().checked_sub(1);
        self.reported.push(Reported { about, diag, also: 0 });
    }

    /// Silence `about` in this rule: its cause is reported already (a group key that could not be
    /// checked makes every `group.<key>` unknown).
    pub(in crate::check) fn silence(&mut self, about: About) {
        self.reported.push(Reported { about, diag: None, also: 0 });
    }
}
