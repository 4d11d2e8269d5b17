//! Rule ids that are taken: the names of the `precept::rule::` diagnostic codes.
//!
//! A finding of rule `x` is printed as `precept::rule::x`, and `precept explain` takes every code
//! Precept prints. Were a rule allowed the id `unused-let`, `precept::rule::unused-let` would name
//! both it and a diagnostic code, in explain, in SARIF's rule list and in `allow` lists; so the id
//! is refused where the rule is written, once, with the code it would collide with.

use crate::diagnostics::registry;
use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// The error for rule id `id` at `span` in `file` when it is the name of a `precept::rule::` code.
pub(super) fn rule_id(file: &SourceFile, id: &str, span: Span) -> Option<Diag> {
    let code = registry::CODES.iter().find(|c| c.code.strip_prefix("precept::rule::") == Some(id))?;
    Some(
        Diag::error(
            "precept::rule::reserved-id",
            format!("rule id `{id}` is reserved: `{}` is a diagnostic code", code.code),
        )
        .at(file, span, "reserved")
        .help(format!(
            "give the rule another id (such as `{id}-rule`): findings are printed as `precept::rule::<id>`, and this one could not be told from the diagnostic ({})",
            code.summary
        )),
    )
}
