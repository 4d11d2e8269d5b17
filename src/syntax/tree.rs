//! The concrete syntax tree: every named grammar rule the parser matched, in order, with its span.
//!
//! The typed tree of [`crate::ast`] keeps what a policy means; tools that must give the text back
//! (the formatter) need what was written: every keyword, comma and parenthesis. This tree is that,
//! owned and free of pest's borrowed pairs, so such tools never handle pest types themselves.

use pest::iterators::Pair;
use pest::Parser;

pub use super::parser::Rule;
use super::{depth, errors, parser};
use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// One matched grammar rule: its [`Rule`], where it was written, and the rules matched inside it.
/// A node with no children is a token (a keyword, a name, a literal, a punctuation mark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Which grammar rule matched.
    pub rule: Rule,
    /// Where, without the whitespace pest may count after a repetition that matched nothing.
    pub span: Span,
    /// The named rules matched inside it, in source order.
    pub children: Vec<Node>,
}

/// The concrete syntax tree of a whole file (its root is [`Rule::file`]), or the syntax error.
///
/// ```
/// use precept::source::SourceFile;
/// use precept::syntax::tree::{concrete, Rule};
/// let file = SourceFile::new("p.precept", "code \"c\" { level industry }");
/// let root = concrete(&file).unwrap();
/// assert_eq!(root.rule, Rule::file);
/// assert_eq!(root.children[0].rule, Rule::code_decl);
/// ```
pub fn concrete(file: &SourceFile) -> Result<Node, Diag> {
    depth::check_nesting(file)?;
    let mut pairs = parser::PreceptParser::parse(Rule::file, &file.text).map_err(|e| errors::from_pest(file, &e))?;
    // INVARIANT: a successful parse of `file` yields exactly one `file` pair.
    match pairs.next() {
        Some(pair) => Ok(node(pair)),
        None => Ok(Node { rule: Rule::file, span: Span::new(0, 0), children: Vec::new() }),
    }
}

/// Nesting is bounded by [`depth::MAX_NESTING`] brackets, so this recursion is too.
fn node(pair: Pair<'_, Rule>) -> Node {
    let rule = pair.as_rule();
    let s = pair.as_span();
    let children: Vec<Node> = pair.clone().into_inner().map(node).collect();
    // Tokens are exact (the text of a template may end in a space); only a rule with rules inside
    // may have whitespace counted after its last one.
    let text = if children.is_empty() { pair.as_str() } else { pair.as_str().trim_end() };
    let span = Span::new(s.start(), s.start() + text.len());
    Node { rule, span, children }
}
