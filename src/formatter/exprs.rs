//! The layout of expressions.
//!
//! An expression is written on one line when it fits. When it does not, it breaks before the
//! operators that bind loosest in it (`implies`, then `or`, then `and`, then comparisons, then
//! `+ -`, then `* /`), one operand per line, indented one level under the clause; the operands are
//! laid out the same way in turn. An `if` chain breaks before each `else`; a call, a set or an
//! enumeration that does not fit puts one item per line between its brackets.
//!
//! Parentheses are kept exactly as written, never added or removed: they are part of how the
//! author chose to read the expression, and keeping them means the layout can never change what
//! an expression means. Only whitespace and comments move.

use super::builder::Fmt;
use super::doc::Doc;
use crate::syntax::tree::{Node, Rule};

/// How loosely an infix operator binds (0 loosest), or `None` for a node that is not one.
fn looseness(r: Rule) -> Option<u8> {
    Some(match r {
        Rule::op_implies => 0,
        Rule::op_or => 1,
        Rule::op_and => 2,
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_not_in
        | Rule::op_in
        | Rule::op_contains
        | Rule::op_starts_with
        | Rule::op_ends_with
        | Rule::op_matches => 3,
        Rule::op_add | Rule::op_sub => 4,
        Rule::op_mul | Rule::op_div => 5,
        _ => return None,
    })
}

impl Fmt<'_> {
    /// An `expr` node: operands (with their prefix operators) joined by infix operators.
    pub fn expr(&mut self, n: &Node) -> Doc {
        self.expr_indented(n, true)
    }

    /// An `expr` node whose continuation lines are indented one level (`indent`), or aligned with
    /// its first line, when that line is already indented under what it belongs to.
    fn expr_indented(&mut self, n: &Node, indent: bool) -> Doc {
        let mut operands: Vec<&[Node]> = Vec::new();
        let mut operators: Vec<&Node> = Vec::new();
        let mut start = 0;
        for (i, c) in n.children.iter().enumerate() {
            if looseness(c.rule).is_some() {
                operands.push(&n.children[start..i]);
                operators.push(c);
                start = i + 1;
            }
        }
        operands.push(&n.children[start..]);
        self.chain(&operands, &operators, indent)
    }

    /// Operands joined by operators, split at the loosest of them; the operands between two such
    /// operators are a chain of their own.
    fn chain(&mut self, operands: &[&[Node]], operators: &[&Node], indent: bool) -> Doc {
        let Some(loosest) = operators.iter().filter_map(|o| looseness(o.rule)).min() else {
            return match operands.first() {
                Some(parts) => self.operand(parts),
                None => Doc::Seq(Vec::new()),
            };
        };
        let mut first = None;
        let mut rest = Vec::new();
        let mut seg_start = 0;
        let mut joined_by: Option<&Node> = None;
        let mut first_is_chain = false;
        for i in 0..=operators.len() {
            let ends_here = i == operators.len() || looseness(operators[i].rule) == Some(loosest);
            if !ends_here {
                continue;
            }
            // In source order: the operator before this operand, then the operand.
            let op = joined_by.map(|op| self.seq(op));
            let seg = self.chain(&operands[seg_start..=i], &operators[seg_start..i], true);
            match op {
                None => {
                    first_is_chain = i > seg_start || !closes_on_its_own_line(operands[seg_start]);
                    first = Some(seg);
                }
                Some(op) => rest.extend([Doc::Line, op, Doc::Space, seg]),
            }
            joined_by = operators.get(i).copied();
            seg_start = i + 1;
        }
        // The first operand's continuation lines go one level deeper than this chain's operators,
        // as the later operands' do, so a line's depth always shows which operator it belongs to;
        // except a call or a set, whose items are indented under it and whose closing bracket
        // starts a line of its own.
        let first = first.unwrap_or(Doc::Seq(Vec::new()));
        let mut items = vec![if first_is_chain { Doc::Indent(vec![first]) } else { first }];
        items.push(if indent { Doc::Indent(rest) } else { Doc::Seq(rest) });
        Doc::group(items)
    }

    /// Prefix operators then an operand with its postfix operators.
    fn operand(&mut self, parts: &[Node]) -> Doc {
        let mut out = Vec::new();
        for p in parts {
            match p.rule {
                Rule::op_neg => out.push(self.token(p)),
                Rule::op_not => {
                    out.push(self.seq(p));
                    out.push(Doc::Space);
                }
                _ => out.push(self.seq(p)),
            }
        }
        Doc::Seq(out)
    }

    /// An operand and its postfix operators (`is present`, `otherwise 0`, `business days`).
    ///
    /// A bare integer counted in days, months or business days with a tab or a line break before
    /// the unit (`2<tab>days`) is a count of a number, not the literal `2 days` (a literal allows
    /// only spaces there, and is checked and lowered differently): it is written `(2) days`, which
    /// parses to the same tree, so that laying it out never changes what it means.
    pub fn postfixed(&mut self, n: &Node) -> Doc {
        let counted = n.children.get(1).is_some_and(|p| {
            matches!(p.rule, Rule::op_business_count | Rule::op_calendar_count | Rule::op_duration_count)
        });
        let mut out = Vec::new();
        for (i, c) in n.children.iter().enumerate() {
            if i > 0 {
                out.push(Doc::Space);
            }
            if i == 0 && counted && c.rule == Rule::integer_lit {
                out.push(Doc::Seq(vec![Doc::Text("(".into()), self.seq(c), Doc::Text(")".into())]));
            } else {
                out.push(self.seq(c));
            }
        }
        Doc::Seq(out)
    }

    /// `( expr )`, written `(expr)`.
    pub fn parenthesised(&mut self, n: &Node) -> Doc {
        let out = n.children.iter().map(|c| self.seq(c)).collect();
        Doc::Seq(out)
    }

    /// `if c then a else if d then b else e`: one line if it fits, else each `else` on a new line.
    pub fn if_chain(&mut self, n: &Node) -> Doc {
        let mut first = Vec::new();
        let mut rest = Vec::new();
        let mut at = n;
        loop {
            let [kw_if, cond, kw_then, then, kw_else, otherwise] = at.children.as_slice() else {
                let parts = self.run(&at.children, false);
                if first.is_empty() {
                    first.push(parts);
                } else {
                    rest.push(parts);
                }
                break;
            };
            let line = vec![
                self.token(kw_if),
                Doc::Space,
                self.seq(cond),
                Doc::Space,
                self.token(kw_then),
                Doc::Space,
                self.seq(then),
            ];
            if first.is_empty() {
                first = line;
            } else {
                rest.extend(line);
            }
            rest.extend([Doc::Line, self.token(kw_else), Doc::Space]);
            match else_if(otherwise) {
                Some(inner) => at = inner,
                None => {
                    rest.push(self.seq(otherwise));
                    break;
                }
            }
        }
        first.push(Doc::Indent(rest));
        Doc::group(first)
    }

    /// `all(a in list: cond)`, `count(a in list: cond)`: when too long, the condition goes on the
    /// next line, indented, so the binding stays with its list.
    pub fn bound(&mut self, n: &Node) -> Doc {
        let Some(colon) = n.children.iter().position(|c| c.rule == Rule::colon) else {
            return self.run(&n.children, false);
        };
        let Some((close, body)) = n.children[colon + 1..].split_last() else {
            return self.run(&n.children, false);
        };
        let mut items = vec![self.run(&n.children[..=colon], false)];
        let mut inner = vec![Doc::Line];
        for b in body {
            inner.push(if b.rule == Rule::expr { self.expr_indented(b, false) } else { self.seq(b) });
        }
        items.push(Doc::Indent(inner));
        items.push(self.token(close));
        Doc::group(items)
    }

    /// Items between brackets separated by commas (a set, a call's arguments, an enumeration's
    /// values, a definition's parameters), after `head` (a call's name, `enum`). Flat if it fits,
    /// else one item per line; `padded` puts spaces inside the brackets (`enum { a, b }`). A comma
    /// after the last item is dropped.
    pub fn delimited(&mut self, bracketed: &[Node], head: &[Node], padded: bool) -> Doc {
        let mut out = Vec::new();
        if !head.is_empty() {
            out.push(self.run(head, false));
            if padded {
                out.push(Doc::Space);
            }
        }
        let [open, inner @ .., close] = bracketed else {
            out.push(self.run(bracketed, false));
            return Doc::Seq(out);
        };
        out.push(self.token(open));
        let mut items = Vec::new();
        let count = inner.iter().filter(|c| c.rule != Rule::comma).count();
        let mut seen = 0;
        for c in inner {
            if c.rule == Rule::comma {
                if seen < count {
                    items.push(self.token(c));
                    items.push(Doc::Line);
                }
                continue;
            }
            if seen == 0 {
                items.push(if padded { Doc::Line } else { Doc::SoftLine });
            }
            items.push(self.seq(c));
            seen += 1;
        }
        let mut group = vec![Doc::Indent(items)];
        if count > 0 {
            group.push(if padded { Doc::Line } else { Doc::SoftLine });
        }
        group.push(self.token(close));
        out.push(Doc::group(group));
        Doc::Seq(out)
    }
}

/// Whether an operand is a call or a set (nothing before it, nothing after): broken, its items are
/// indented under it and its closing bracket starts a line of its own.
fn closes_on_its_own_line(parts: &[Node]) -> bool {
    let [postfixed] = parts else { return false };
    let [primary] = postfixed.children.as_slice() else { return false };
    matches!(primary.rule, Rule::call_expr | Rule::set_lit)
}

/// The `if` that is the whole `else` branch (`else if ...`), if it is one.
fn else_if(e: &Node) -> Option<&Node> {
    let [postfixed] = e.children.as_slice() else { return None };
    let [primary] = postfixed.children.as_slice() else { return None };
    (primary.rule == Rule::if_expr).then_some(primary)
}
