//! Clauses a code lists (`clause "DISP 1.6.2R" "..."`): each listed once, and every `cite` of the
//! code's rules naming one of them.
//!
//! An extending code inherits its parent's list: its rules may cite the parent's clauses (an
//! override usually cites the clause the rule it replaces cites), and listing an inherited clause
//! again is listing it twice. A code that lists no clause, and inherits none, is not checked, so
//! policies written before clauses could be listed keep working unchanged. A listed clause that no
//! rule cites is no problem of the policy: it is the gap the clause traceability report shows.

use std::collections::HashMap;
use std::rc::Rc;

use super::Checker;
use crate::ast;
use crate::diagnostics::{suggest, Diag};
use crate::engine::program::ClauseInfo;
use crate::source::{SourceFile, Span};

/// The clauses a code may cite: its own and those it inherits, each with where it was listed.
#[derive(Debug, Default)]
pub(super) struct Listed {
    /// Each clause by id: the code listing it (by index), its file and the id's span there.
    by_id: HashMap<String, (usize, SourceFile, Span)>,
    /// The ids in the order listed, the parent's first (for "did you mean").
    order: Vec<String>,
}

impl Checker {
    /// Check code `index`'s own clause list against itself and the list it inherits from `parent`,
    /// and remember the list its rules may cite; returns its own clauses, each once.
    pub(super) fn clauses(
        &mut self,
        file: &SourceFile,
        code: &ast::Code,
        index: usize,
        parent: Option<usize>,
    ) -> Vec<ClauseInfo> {
        let inherited = parent.and_then(|p| self.listed.get(p)).cloned().unwrap_or_default();
        let mut own = Vec::new();
        // A code listing nothing shares its parent's list: a long chain of codes costs no copies.
        let listed = if code.clauses.is_empty() {
            inherited
        } else {
            let mut listed = Listed { by_id: inherited.by_id.clone(), order: inherited.order.clone() };
            for c in &code.clauses {
                if let Some((at, first_file, first)) = listed.by_id.get(&c.id.value) {
                    let diag = Diag::error(
                        "precept::code::clause-listed-twice",
                        format!("clause `{}` is listed twice in code `{}`", c.id.value, code.name.value),
                    )
                    .at(file, c.id.span, "listed again here");
                    let diag = if *at == index {
                        diag.note(first_file, *first, "first listed here")
                            .help("list each clause once; give its title on that one line")
                    } else {
                        let from = self.codes.get(*at).map(|c| c.name.as_str()).unwrap_or_default();
                        diag.note(first_file, *first, format!("listed by `{from}`, which this code extends"))
                            .help("an extending code inherits the clauses of the code it extends, and its rules may cite them; remove this line")
                    };
                    self.diags.push(diag);
                    continue;
                }
                listed.by_id.insert(c.id.value.clone(), (index, file.clone(), c.id.span));
                listed.order.push(c.id.value.clone());
                own.push(ClauseInfo { id: c.id.value.clone(), title: c.title.as_ref().map(|t| t.value.clone()) });
            }
            Rc::new(listed)
        };
        // INVARIANT: codes are checked in order, so `index` is the next position.
        debug_assert_eq!(self.listed.len(), index);
        self.listed.push(listed);
        own
    }

    /// Warn when `rule`, written in code `index`, cites a clause its code does not list (nor
    /// inherit), when the code lists any: a typo in a `cite` would make a clause of its own.
    pub(super) fn cite_listed(&mut self, file: &SourceFile, code: &ast::Code, index: usize, rule: &ast::Rule) {
        let Some(cite) = &rule.cite else { return };
        let Some(listed) = self.listed.get(index) else { return };
        if listed.by_id.is_empty() || listed.by_id.contains_key(&cite.value) {
            return;
        }
        let names: Vec<&str> = listed.order.iter().map(String::as_str).collect();
        let help = match suggest::closest(&cite.value, names.iter().copied()) {
            Some(near) => format!(
                "did you mean `{}`? if `{}` is a clause of the code, list it: `clause \"{}\"`",
                crate::text::clip(near),
                crate::text::clip(&cite.value),
                crate::text::clip(&cite.value)
            ),
            None => {
                let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{}`", crate::text::clip(n))).collect();
                let more = if names.len() > 8 { ", ..." } else { "" };
                format!(
                    "list it in code `{}` (`clause \"{}\"`), or cite one of the clauses it lists: {}{more}",
                    code.name.value,
                    crate::text::clip(&cite.value),
                    shown.join(", ")
                )
            }
        };
        let diag = Diag::warning(
            "precept::code::unlisted-clause",
            format!(
                "rule `{}` cites clause `{}`, which code `{}` does not list",
                rule.id.text, cite.value, code.name.value
            ),
        )
        .at(file, cite.span, "not a listed clause")
        .help(help);
        self.diags.push(diag);
    }
}
