//! `let name = expr` and `define name(a, b) = expr`: named expressions, lowered as written. Their
//! names are resolved and expanded by `check::lets`, which knows every scope they are used in.

use pest::iterators::Pair;

use super::{name, span, Lowerer};
use crate::ast::Definition;
use crate::syntax::parser::Rule;

impl Lowerer<'_> {
    /// A `let_clause` or `define_clause`; `None` when its expression could not be lowered (that is
    /// reported).
    pub(super) fn definition(&mut self, p: Pair<'_, Rule>) -> Option<Definition> {
        let whole = span(&p);
        let is_define = p.as_rule() == Rule::define_clause;
        let mut dname = None;
        let mut params = Vec::new();
        let mut value = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident if dname.is_none() => dname = Some(name(&c)),
                Rule::ident => params.push(name(&c)),
                Rule::expr => match self.expr(c) {
                    Ok((e, _)) => value = Some(e),
                    Err(d) => self.diags.push(d),
                },
                _ => {}
            }
        }
        Some(Definition { name: dname?, params: is_define.then_some(params), value: value?, span: whole })
    }
}
