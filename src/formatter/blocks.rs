//! The layout of declarations and clauses: one clause per line, bodies indented between braces,
//! lists that break one item per line.
//!
//! Most clauses are a run of tokens separated by single spaces; [`Fmt::seq`] lays out any node that
//! way, with the few exceptions (no space before `,` `:` `?` `)`, none around `.` and `/`, none after
//! `(` or a unary minus) decided by the neighbouring rules, and hands the constructs with a layout
//! of their own (bodies, expressions, templates, bracketed lists) to their functions.

use super::builder::{Fmt, Spacing};
use super::doc::Doc;
use crate::syntax::tree::{Node, Rule};

/// Clauses whose comma-separated items break one per line when the clause is too long.
fn is_list_clause(r: Rule) -> bool {
    matches!(
        r,
        Rule::files_clause
            | Rule::accept_clause
            | Rule::working_clause
            | Rule::holidays_clause
            | Rule::group_clause
            | Rule::expected_groups
    )
}

/// Nodes laid out as their source text.
pub fn is_token(n: &Node) -> bool {
    n.children.is_empty() || matches!(n.rule, Rule::string | Rule::percent_lit | Rule::any_order_clause)
}

/// What separates two neighbouring parts of a clause.
fn separator(prev: Rule, next: Rule) -> Option<Doc> {
    let tight_before = matches!(
        next,
        Rule::comma
            | Rule::rparen
            | Rule::lparen
            | Rule::dot
            | Rule::colon
            | Rule::optional_mark
            | Rule::duration_short
            | Rule::slash
    );
    let tight_after = matches!(prev, Rule::lparen | Rule::dot | Rule::slash | Rule::op_neg);
    if tight_before || tight_after {
        None
    } else {
        Some(Doc::Space)
    }
}

impl Fmt<'_> {
    /// The whole file: declarations separated by one blank line, comments kept.
    pub fn file(&mut self, root: &Node) -> Doc {
        let mut out = Vec::new();
        let items = root.children.iter().filter(|c| c.rule != Rule::EOI);
        for (i, item) in items.enumerate() {
            out.extend(self.item_start(item.span.start, if i == 0 { Spacing::Keep } else { Spacing::Force }));
            out.push(self.seq(item));
        }
        out.extend(self.closing(self.text.len() + 1, Spacing::Keep));
        Doc::Seq(out)
    }

    /// Any node, laid out by its rule.
    pub fn seq(&mut self, n: &Node) -> Doc {
        match n.rule {
            _ if is_token(n) => self.token(n),
            Rule::schema_decl | Rule::code_decl | Rule::rule_decl | Rule::calendar_body | Rule::object_type => {
                self.block(n)
            }
            Rule::expr => self.expr(n),
            Rule::postfixed => self.postfixed(n),
            Rule::paren_expr => self.parenthesised(n),
            Rule::if_expr => self.if_chain(n),
            Rule::template => self.template(n),
            Rule::set_lit => self.delimited(&n.children, &[], false),
            Rule::quantifier | Rule::count_expr => self.bound(n),
            Rule::call_expr => self.delimited(&n.children[1..], &n.children[..1], false),
            Rule::enum_type => self.delimited(&n.children[1..], &n.children[..1], true),
            Rule::define_clause => self.define(n),
            Rule::expect_clause => self.expect(n),
            // A comma after a field is allowed, but fields stand one per line without it.
            Rule::field_decl => {
                let keep = match n.children.last() {
                    Some(last) if last.rule == Rule::comma => n.children.len() - 1,
                    _ => n.children.len(),
                };
                self.run(&n.children[..keep], false)
            }
            r => self.run(&n.children, is_list_clause(r)),
        }
    }

    /// Parts laid out one after another with their separators; in a list clause, the items from
    /// the first comma-separated one on form a group that breaks after each comma.
    pub fn run(&mut self, parts: &[Node], list: bool) -> Doc {
        let list_from =
            if list { parts.iter().position(|c| c.rule == Rule::comma).map(|c| c.saturating_sub(1)) } else { None };
        let mut head = Vec::new();
        let mut items = Vec::new();
        let mut prev: Option<Rule> = None;
        for (i, c) in parts.iter().enumerate() {
            let into = if list_from.is_some_and(|l| i >= l) { &mut items } else { &mut head };
            if let Some(p) = prev {
                if p == Rule::comma && list_from.is_some() {
                    into.push(Doc::Line);
                } else if let Some(sep) = separator(p, c.rule) {
                    into.push(sep);
                }
            }
            into.push(self.seq(c));
            prev = Some(c.rule);
        }
        if !items.is_empty() {
            head.push(Doc::group(vec![Doc::Indent(items)]));
        }
        Doc::Seq(head)
    }

    /// A declaration or nested object with a body: what comes before `{`, then the body's items one
    /// per line, indented, and `}` on a line of its own (`{}` when there is nothing inside).
    fn block(&mut self, n: &Node) -> Doc {
        let Some(open) = n.children.iter().position(|c| c.rule == Rule::lbrace) else {
            return self.run(&n.children, false);
        };
        let close = match n.children.last() {
            Some(last) if last.rule == Rule::rbrace && n.children.len() > open + 1 => n.children.len() - 1,
            _ => return self.run(&n.children, false),
        };
        let mut out = Vec::new();
        if open > 0 {
            out.push(self.run(&n.children[..open], false));
            out.push(Doc::Space);
        }
        out.push(self.token(&n.children[open]));
        let items = &n.children[open + 1..close];
        let mut inner = Vec::new();
        for (i, item) in items.iter().enumerate() {
            inner.extend(self.item_start(item.span.start, if i == 0 { Spacing::First } else { Spacing::Keep }));
            inner.push(self.seq(item));
        }
        let rbrace = &n.children[close];
        inner.extend(self.closing(rbrace.span.start, if items.is_empty() { Spacing::First } else { Spacing::Keep }));
        if !inner.is_empty() {
            out.push(Doc::Indent(inner));
            out.push(Doc::HardLine);
        }
        out.push(self.token(rbrace));
        Doc::Seq(out)
    }

    /// `expect every week of x for each team in "a", "b" from D until E`: when too long, the groups
    /// expected and the range each go on a line of their own under the clause.
    fn expect(&mut self, n: &Node) -> Doc {
        let tail = n
            .children
            .iter()
            .position(|c| matches!(c.rule, Rule::expected_groups | Rule::kw_from | Rule::kw_until))
            .unwrap_or(n.children.len());
        let mut parts = vec![self.run(&n.children[..tail], false)];
        let mut rest = Vec::new();
        let mut i = tail;
        while let Some(c) = n.children.get(i) {
            // `from D` and `until E` are one part each; so is the `for each ... in ...` list.
            let len = if c.rule == Rule::expected_groups { 1 } else { 2 };
            let end = (i + len).min(n.children.len());
            let line = if c.rule == Rule::kw_until && n.children[tail].rule != Rule::kw_until {
                Doc::Space
            } else {
                Doc::Line
            };
            rest.push(line);
            rest.push(self.run(&n.children[i..end], false));
            i = end;
        }
        parts.push(Doc::Indent(rest));
        Doc::group(parts)
    }

    /// `define name(a, b) = expr`: the parameters as a call's arguments are.
    fn define(&mut self, n: &Node) -> Doc {
        let Some(open) = n.children.iter().position(|c| c.rule == Rule::lparen) else {
            return self.run(&n.children, false);
        };
        let Some(close) = n.children.iter().position(|c| c.rule == Rule::rparen) else {
            return self.run(&n.children, false);
        };
        let mut out = vec![self.run(&n.children[..open], false)];
        out.push(self.delimited(&n.children[open..=close], &[], false));
        for c in &n.children[close + 1..] {
            out.push(Doc::Space);
            out.push(self.seq(c));
        }
        Doc::Seq(out)
    }

    /// A message or help template: the text as written, each hole's expression laid out on one
    /// line (`{ record.id }` becomes `{record.id}`). A template with a comment inside a hole is
    /// kept exactly as written, comment and all.
    fn template(&mut self, n: &Node) -> Doc {
        if self.has_comment_within(n.span) {
            let text = self.slice(n.span).to_string();
            return self.text_at(n.span, text);
        }
        let lead = self.before(n.span.start);
        self.quiet = true;
        let mut text = String::from("\"");
        for part in &n.children {
            match part.rule {
                Rule::template_hole => {
                    text.push('{');
                    for e in &part.children {
                        let doc = self.expr(e);
                        text.push_str(&super::doc::print_flat(&doc));
                    }
                    text.push('}');
                }
                _ => text.push_str(self.slice(part.span)),
            }
        }
        text.push('"');
        self.quiet = false;
        let mut out = lead;
        out.push(self.text_at(n.span, text));
        Doc::Seq(out)
    }
}
