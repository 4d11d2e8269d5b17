//! The formatter: a policy file's text in the one canonical layout (`precept fmt`, and the language
//! server's formatting).
//!
//! It works on the concrete syntax tree ([`crate::syntax::tree`]), so every token is written back
//! exactly as the author wrote it (names, strings, numbers, dates, parentheses); only the whitespace
//! between tokens is decided here, and the comments the grammar skips are put back between the same
//! tokens they were written between. Hence the formatted text parses to the same syntax tree, and
//! formatting it again changes nothing. The layout rules are in `docs/language.md` ("Formatting"):
//! two spaces per level, one clause per line, lines broken at [`doc::WIDTH`] columns.
//!
//! The steps: [`comments`] finds the comments, `builder` places tokens and comments, `blocks`
//! lays out declarations and clauses, `exprs` expressions, and [`doc`] prints the layout.

mod blocks;
mod builder;
pub mod comments;
pub mod doc;
mod exprs;
pub mod verify;

use crate::diagnostics::Diag;
use crate::source::SourceFile;
use crate::syntax;

/// `file`'s text in the canonical layout, or the diagnostics that say why it does not parse (a
/// file that does not parse is never formatted: its text is not known to be a policy).
///
/// "Parses" means the grammar accepts it and it lowers to a syntax tree. What the lowering reports
/// about a tree it still builds (a clause given twice, `minimum` without `group by`, a number too
/// large) does not stop formatting: every token is kept, so those stay exactly as they were, and an
/// editor can tidy a policy while such a mistake is still in it.
///
/// ```
/// use precept::source::SourceFile;
/// let file = SourceFile::new("p.precept", "code \"c\"{level industry // the top\n}");
/// let text = precept::formatter::format_text(&file).unwrap();
/// assert_eq!(text, "code \"c\" {\n  level industry // the top\n}\n");
/// assert!(precept::formatter::format_text(&SourceFile::new("p.precept", "code {")).is_err());
/// ```
pub fn format_text(file: &SourceFile) -> Result<String, Vec<Diag>> {
    let (tree, diags) = syntax::parse(file);
    let unreadable = |d: &Diag| matches!(d.code.as_ref(), "precept::parse::syntax" | "precept::parse::too-deep");
    if tree.is_none() || diags.iter().any(unreadable) {
        return Err(diags.into_iter().filter(Diag::is_error).collect());
    }
    let root = syntax::tree::concrete(file).map_err(|d| vec![d])?;
    let mut fmt = builder::Fmt::new(&file.text, &root);
    let layout = fmt.file(&root);
    Ok(doc::print(&layout))
}
