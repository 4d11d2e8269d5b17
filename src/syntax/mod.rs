//! Text to syntax tree: the pest parser, its error messages in words, and the lowering to [`crate::ast`].
//!
//! This is the only module that sees pest types. Everything it returns carries [`crate::source::Span`]s.

pub(crate) mod depth;
mod errors;
mod lower;
pub mod parser;

pub use depth::MAX_NESTING;
pub use lower::MAX_EXPR_DEPTH;

use pest::Parser;

use crate::ast::PolicyFile;
use crate::diagnostics::Diag;
use crate::source::SourceFile;

/// Parse one policy file. On success the tree may still come with diagnostics (such as a clause given
/// twice); on a syntax error there is no tree and the error says what was expected where.
///
/// ```
/// use precept::source::SourceFile;
/// let file = SourceFile::new("p.precept", "code \"House rules\" { level organisational }");
/// let (tree, diags) = precept::syntax::parse(&file);
/// assert!(diags.is_empty());
/// assert_eq!(tree.map(|t| t.codes.len()), Some(1));
/// ```
pub fn parse(file: &SourceFile) -> (Option<PolicyFile>, Vec<Diag>) {
    if let Err(d) = depth::check_nesting(file) {
        return (None, vec![d]);
    }
    match parser::PreceptParser::parse(parser::Rule::file, &file.text) {
        Ok(mut pairs) => match pairs.next() {
            Some(pair) => lower::lower_file(file, pair),
            None => (None, Vec::new()),
        },
        Err(e) => (None, vec![errors::from_pest(file, &e)]),
    }
}
