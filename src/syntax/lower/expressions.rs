//! Expressions: operators by precedence with the Pratt parser built in [`super::lower_file`],
//! postfix tests (`is present`, `otherwise`), and every kind of primary expression and literal.
//!
//! Separate because this is the recursive part of the lowering: every function here returns the
//! depth of what it built, so a tree deeper than [`super::MAX_EXPR_DEPTH`] is refused as it is built.

use pest::iterators::Pair;

use super::{calendar_in, first_inner, name, span, string, Lowerer, MAX_EXPR_DEPTH};
use crate::ast::*;
use crate::diagnostics::Diag;
use crate::source::Span;
use crate::syntax::parser::Rule;

/// Longest run of prefix operators (`not not ...`) accepted before the tree is built.
const MAX_PREFIX_RUN: usize = 8;

type Lowered = Result<(Expr, u32), Diag>;

/// Expressions of a node, their greatest depth, and the node's other pairs.
type Children<'i> = (Vec<Expr>, u32, Vec<Pair<'i, Rule>>);

impl Lowerer<'_> {
    fn too_deep(&self, at: Span) -> Diag {
        Diag::error("precept::parse::too-deep", format!("expression nested deeper than {MAX_EXPR_DEPTH} levels"))
            .at(self.file, at, "too deep from here")
            .help("split the condition into separate `require` clauses; a long chain of `or` comparisons is shorter as `x in {a, b, c}`")
    }

    fn node(&self, kind: ExprKind, span: Span, depth: u32) -> Lowered {
        if depth > MAX_EXPR_DEPTH {
            return Err(self.too_deep(span));
        }
        Ok((Expr { kind, span }, depth))
    }

    pub(super) fn expr(&self, p: Pair<'_, Rule>) -> Lowered {
        let mut run = 0usize;
        for c in p.clone().into_inner() {
            if matches!(c.as_rule(), Rule::op_not | Rule::op_neg) {
                run += 1;
                if run > MAX_PREFIX_RUN {
                    return Err(Diag::error(
                        "precept::parse::too-deep",
                        format!("more than {MAX_PREFIX_RUN} prefix operators in a row"),
                    )
                    .at(self.file, span(&c), "too many here")
                    .help("`not not x` is `x`: remove the repeated operators"));
                }
            } else {
                run = 0;
            }
        }
        self.pratt
            .map_primary(|prim| self.postfixed(prim))
            .map_prefix(|op, rhs| {
                let (rhs, d) = rhs?;
                let s = span(&op).to(rhs.span);
                let uop = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                self.node(ExprKind::Unary(uop, Box::new(rhs)), s, d + 1)
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, dl) = lhs?;
                let (rhs, dr) = rhs?;
                let s = lhs.span.to(rhs.span);
                let bop = match op.as_rule() {
                    Rule::op_implies => BinaryOp::Implies,
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_not_in => BinaryOp::NotIn,
                    Rule::op_contains => BinaryOp::Contains,
                    Rule::op_starts_with => BinaryOp::StartsWith,
                    Rule::op_ends_with => BinaryOp::EndsWith,
                    Rule::op_matches => BinaryOp::Matches,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    _ => BinaryOp::Div,
                };
                self.node(ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)), s, dl.max(dr) + 1)
            })
            .parse(p.into_inner())
    }

    fn postfixed(&self, p: Pair<'_, Rule>) -> Lowered {
        let mut inner = p.into_inner();
        let Some(first) = inner.next() else {
            return Err(Diag::error("precept::parse::syntax", "expected an expression"));
        };
        let (mut e, mut d) = self.primary(first)?;
        for post in inner {
            let at = span(&post);
            let s = e.span.to(at);
            match post.as_rule() {
                Rule::op_is_present | Rule::op_is_missing => {
                    let present = post.as_rule() == Rule::op_is_present;
                    (e, d) = self.node(ExprKind::Presence(Box::new(e), present), s, d + 1)?;
                }
                Rule::op_otherwise => {
                    let Some(def) = post.into_inner().find(|x| x.as_rule() == Rule::postfixed) else { continue };
                    let (def, dd) = self.postfixed(def)?;
                    let s = s.to(def.span);
                    (e, d) = self.node(ExprKind::Otherwise(Box::new(e), Box::new(def)), s, d.max(dd) + 1)?;
                }
                Rule::op_business_count => {
                    let cal =
                        post.into_inner().find(|x| x.as_rule() == Rule::calendar_in).and_then(|c| calendar_in(&c));
                    (e, d) = self.node(ExprKind::BusinessDaysOf(Box::new(e), cal), s, d + 1)?;
                }
                Rule::op_calendar_count => {
                    let years = post.as_str().trim_start().starts_with('y');
                    (e, d) = self.node(ExprKind::MonthsOf(Box::new(e), years), s, d + 1)?;
                }
                Rule::op_duration_count => {
                    let per = match post.as_str().trim_start().chars().next() {
                        Some('m') => 60,
                        Some('h') => 3_600,
                        Some('d') => 86_400,
                        Some('w') => 604_800,
                        _ => 1,
                    };
                    (e, d) = self.node(ExprKind::DurationOf(Box::new(e), per), s, d + 1)?;
                }
                _ => {}
            }
        }
        Ok((e, d))
    }

    fn exprs<'i>(&self, p: Pair<'i, Rule>) -> Result<Children<'i>, Diag> {
        let mut out = Vec::new();
        let mut depth = 0;
        let mut rest = Vec::new();
        for c in p.into_inner() {
            if c.as_rule() == Rule::expr {
                let (e, d) = self.expr(c)?;
                depth = depth.max(d);
                out.push(e);
            } else {
                rest.push(c);
            }
        }
        Ok((out, depth, rest))
    }

    pub(super) fn primary(&self, p: Pair<'_, Rule>) -> Lowered {
        let s = span(&p);
        let rule = p.as_rule();
        let text = p.as_str();
        match rule {
            Rule::paren_expr => {
                let (mut es, d, _) = self.exprs(p)?;
                let e = es.pop().ok_or_else(|| self.too_deep(s))?;
                Ok((Expr { kind: e.kind, span: s }, d))
            }
            Rule::if_expr => {
                let (es, d, _) = self.exprs(p)?;
                let mut it = es.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(c), Some(a), Some(b)) => {
                        self.node(ExprKind::If(Box::new(c), Box::new(a), Box::new(b)), s, d + 1)
                    }
                    _ => Err(self.too_deep(s)),
                }
            }
            Rule::quantifier => {
                let inner: Vec<_> = p.clone().into_inner().collect();
                let kind =
                    inner.iter().find(|x| x.as_rule() == Rule::quant_kind).and_then(first_inner).map(|k| k.as_rule());
                let q = match kind {
                    Some(Rule::kw_any) => Quantifier::Any,
                    Some(Rule::kw_none) => Quantifier::None,
                    _ => Quantifier::All,
                };
                let var = inner.iter().find(|x| x.as_rule() == Rule::ident).map(name);
                let (es, d, _) = self.exprs(p)?;
                let mut it = es.into_iter();
                match (var, it.next(), it.next()) {
                    (Some(v), Some(list), Some(cond)) => {
                        self.node(ExprKind::Quantifier(q, v, Box::new(list), Box::new(cond)), s, d + 1)
                    }
                    _ => Err(self.too_deep(s)),
                }
            }
            Rule::count_expr => {
                let inner: Vec<_> = p.into_inner().collect();
                if let Some(binding) = inner.iter().find(|x| x.as_rule() == Rule::count_binding) {
                    let var = binding.clone().into_inner().find(|x| x.as_rule() == Rule::ident).map(|x| name(&x));
                    let (mut list, dl, _) = self.exprs(binding.clone())?;
                    let cond = inner.iter().find(|x| x.as_rule() == Rule::expr).cloned();
                    let (cond, dc) = match cond {
                        Some(c) => self.expr(c)?,
                        None => return Err(self.too_deep(s)),
                    };
                    match (var, list.pop()) {
                        (Some(v), Some(l)) => {
                            self.node(ExprKind::Count(Some(v), Box::new(l), Some(Box::new(cond))), s, dl.max(dc) + 1)
                        }
                        _ => Err(self.too_deep(s)),
                    }
                } else {
                    let list = inner.into_iter().find(|x| x.as_rule() == Rule::expr);
                    match list {
                        Some(l) => {
                            let (l, d) = self.expr(l)?;
                            self.node(ExprKind::Count(None, Box::new(l), None), s, d + 1)
                        }
                        None => Ok((Expr { kind: ExprKind::CountAll, span: s }, 1)),
                    }
                }
            }
            Rule::call_expr => {
                let (es, d, rest) = self.exprs(p)?;
                match rest.iter().find(|x| x.as_rule() == Rule::ident) {
                    Some(f) => self.node(ExprKind::Call(name(f), es), s, d + 1),
                    None => Err(self.too_deep(s)),
                }
            }
            Rule::business_between => {
                let (es, d, rest) = self.exprs(p)?;
                let cal = rest.iter().find(|x| x.as_rule() == Rule::calendar_in).and_then(calendar_in);
                let mut it = es.into_iter();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => self.node(ExprKind::BusinessBetween(Box::new(a), Box::new(b), cal), s, d + 1),
                    _ => Err(self.too_deep(s)),
                }
            }
            Rule::set_lit => {
                let (es, d, _) = self.exprs(p)?;
                self.node(ExprKind::Set(es), s, d + 1)
            }
            Rule::money_lit => {
                let mut amount = String::new();
                let mut cur = Name { text: String::new(), span: s };
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::number_text => amount = c.as_str().to_string(),
                        Rule::currency => cur = name(&c),
                        _ => {}
                    }
                }
                Ok((Expr { kind: ExprKind::Money(amount, cur), span: s }, 1))
            }
            Rule::business_lit => {
                let inner: Vec<_> = p.into_inner().collect();
                let n = self.number(inner.iter().find(|x| x.as_rule() == Rule::digits).cloned(), s)?;
                let cal = inner.iter().find(|x| x.as_rule() == Rule::calendar_in).and_then(calendar_in);
                Ok((Expr { kind: ExprKind::BusinessDays(n, cal), span: s }, 1))
            }
            Rule::calendar_lit => {
                let inner: Vec<_> = p.into_inner().collect();
                let n = self.number(inner.iter().find(|x| x.as_rule() == Rule::digits).cloned(), s)?;
                let years = inner.iter().any(|x| x.as_rule() == Rule::calendar_word && x.as_str().starts_with('y'));
                let months = if years { n.checked_mul(12) } else { Some(n) };
                let Some(months) = months else { return Err(self.out_of_range(s)) };
                Ok((Expr { kind: ExprKind::Months(months), span: s }, 1))
            }
            Rule::duration_lit => {
                let inner: Vec<_> = p.into_inner().collect();
                let n = self.number(inner.iter().find(|x| x.as_rule() == Rule::digits).cloned(), s)?;
                let unit = inner
                    .iter()
                    .find(|x| matches!(x.as_rule(), Rule::duration_short | Rule::duration_word))
                    .map_or("s", |u| u.as_str());
                let per = match unit.chars().next() {
                    Some('m') => 60,
                    Some('h') => 3_600,
                    Some('d') => 86_400,
                    Some('w') => 604_800,
                    _ => 1,
                };
                let secs = n.checked_mul(per).ok_or_else(|| self.out_of_range(s))?;
                Ok((Expr { kind: ExprKind::Duration(secs), span: s }, 1))
            }
            Rule::datetime_lit => Ok((Expr { kind: ExprKind::DateTime(text.to_string()), span: s }, 1)),
            Rule::date_lit => Ok((Expr { kind: ExprKind::Date(text.to_string()), span: s }, 1)),
            Rule::decimal_lit => Ok((Expr { kind: ExprKind::Decimal(text.to_string()), span: s }, 1)),
            Rule::percent_lit => {
                Ok((Expr { kind: ExprKind::Percent(text.trim_end_matches('%').to_string()), span: s }, 1))
            }
            Rule::integer_lit => {
                let n = text.parse::<i64>().map_err(|_| self.out_of_range(s))?;
                Ok((Expr { kind: ExprKind::Integer(n), span: s }, 1))
            }
            Rule::string => Ok((Expr { kind: ExprKind::Text(string(&p).value), span: s }, 1)),
            Rule::now_lit => Ok((Expr { kind: ExprKind::Now, span: s }, 1)),
            Rule::bool_lit => {
                let v = first_inner(&p).is_some_and(|k| k.as_rule() == Rule::kw_true);
                Ok((Expr { kind: ExprKind::Bool(v), span: s }, 1))
            }
            _ => {
                let names: Vec<Name> = p
                    .into_inner()
                    .filter(|x| matches!(x.as_rule(), Rule::ident | Rule::field_name))
                    .map(|x| name(&x))
                    .collect();
                Ok((Expr { kind: ExprKind::Path(names), span: s }, 1))
            }
        }
    }

    fn number(&self, p: Option<Pair<'_, Rule>>, at: Span) -> Result<i64, Diag> {
        p.and_then(|d| d.as_str().parse::<i64>().ok()).ok_or_else(|| self.out_of_range(at))
    }

    pub(super) fn out_of_range(&self, at: Span) -> Diag {
        Diag::error("precept::parse::number-out-of-range", "number is too large")
            .at(self.file, at, "too large")
            .help("numbers must fit in a 64-bit integer")
    }
}
