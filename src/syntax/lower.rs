//! Lowering pest pairs into the typed, spanned syntax tree of [`crate::ast`].
//!
//! Operator precedence is applied here with pest's Pratt parser (loosest first): `implies`, `or`,
//! `and`, `not`, comparisons and tests, `+ -`, `* /`, unary `-`. Expressions deeper than
//! [`MAX_EXPR_DEPTH`] are refused as they are built, so no later recursive step can overflow.
//!
//! The lowering is split by what it reads: `declarations` (schemas, calendars, codes), `rules` (a
//! rule's clauses and message) and `expressions`; this file holds the entry point and the helpers
//! they share.

mod declarations;
mod definitions;
mod expressions;
mod rules;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::parser::Rule;
use crate::ast::*;
use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// Deepest expression tree a policy may build (operators and operands nested inside each other).
pub const MAX_EXPR_DEPTH: u32 = 256;

struct Lowerer<'f> {
    file: &'f SourceFile,
    diags: Vec<Diag>,
    pratt: PrattParser<Rule>,
}

/// Lower a parsed `file` pair.
pub fn lower_file(file: &SourceFile, pair: Pair<'_, Rule>) -> (Option<PolicyFile>, Vec<Diag>) {
    let pratt = PrattParser::new()
        .op(Op::infix(Rule::op_implies, Assoc::Right))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::infix(Rule::op_starts_with, Assoc::Left)
            | Op::infix(Rule::op_ends_with, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg));
    let mut l = Lowerer { file, diags: Vec::new(), pratt };
    let mut out = PolicyFile { source: file.clone(), schemas: Vec::new(), calendars: Vec::new(), codes: Vec::new() };
    for item in pair.into_inner() {
        match item.as_rule() {
            Rule::schema_decl => {
                if let Some(s) = l.schema(item) {
                    out.schemas.push(s);
                }
            }
            Rule::calendar_decl => {
                if let Some(c) = l.calendar(item) {
                    out.calendars.push(c);
                }
            }
            Rule::code_decl => {
                if let Some(c) = l.code(item) {
                    out.codes.push(c);
                }
            }
            _ => {}
        }
    }
    (Some(out), l.diags)
}

/// A pair's span without the trailing whitespace pest includes after a repetition that matched nothing.
fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    let trimmed = p.as_str().trim_end().len();
    Span::new(s.start(), s.start() + trimmed)
}

fn name(p: &Pair<'_, Rule>) -> Name {
    Name { text: p.as_str().to_string(), span: span(p) }
}

/// The calendar named by `in nsw` (a `calendar_in` pair).
fn calendar_in(p: &Pair<'_, Rule>) -> Option<Name> {
    p.clone().into_inner().find(|x| x.as_rule() == Rule::ident).map(|i| name(&i))
}

fn unescape(raw: &str, template: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            },
            '{' | '}' if template && chars.peek() == Some(&c) => {
                chars.next();
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn string(p: &Pair<'_, Rule>) -> Str {
    let raw = p.clone().into_inner().next().map_or("", |i| i.as_str());
    Str { value: unescape(raw, false), span: span(p) }
}

/// `effective from A until B`: the dates as written, each after its keyword.
fn effective(p: Pair<'_, Rule>) -> Effective {
    let whole = span(&p);
    let mut e = Effective { from: None, until: None, span: whole };
    let mut after = Rule::kw_from;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_from | Rule::kw_until => after = c.as_rule(),
            Rule::date_lit => {
                let d = Some((c.as_str().to_string(), span(&c)));
                if after == Rule::kw_until {
                    e.until = d;
                } else {
                    e.from = d;
                }
            }
            _ => {}
        }
    }
    e
}

fn first_inner<'i>(p: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
    p.clone().into_inner().next()
}

impl<'f> Lowerer<'f> {
    fn duplicate(&mut self, what: &str, first: Span, again: Span) {
        self.diags.push(
            Diag::error("precept::parse::duplicate-clause", format!("`{what}` is given more than once"))
                .at(self.file, again, "given again here")
                .label(first, "first given here")
                .help(format!("keep one `{what}` clause")),
        );
    }

    fn set_once<T>(&mut self, slot: &mut Option<T>, value: T, what: &str, first_span: impl Fn(&T) -> Span, at: Span) {
        match slot {
            Some(existing) => {
                let first = first_span(existing);
                self.duplicate(what, first, at);
            }
            None => *slot = Some(value),
        }
    }
}
