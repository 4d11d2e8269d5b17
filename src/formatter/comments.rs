//! Finding the comments a policy's syntax tree leaves out.
//!
//! The grammar skips `//` comments silently, so the tree has no node for them. They can only lie in
//! the gaps between tokens (strings and the text of message templates are tokens, so a `//` inside
//! a URL in a message is never mistaken for one). Each comment found remembers how it sat in the
//! text, which is all the formatter needs to put it back in the same place: after a token on the
//! same line (a trailing comment) or on a line of its own, and whether a blank line came before it.

use crate::source::Span;
use crate::syntax::tree::{Node, Rule};

/// One `// ...` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Where it is, from the `//` to the end of its line (the line break not included).
    pub span: Span,
    /// The comment's text, trailing whitespace removed.
    pub text: String,
    /// The end of the token it follows on the same line, if it does: a trailing comment.
    pub after_token: Option<usize>,
    /// A blank line separates it from whatever came before (a token or another comment).
    pub blank_before: bool,
}

/// The spans of the tokens of `root`, in source order. Strings and percentages are single tokens
/// (their insides are text, not syntax); so is the literal text between a template's holes.
pub fn tokens(root: &Node) -> Vec<Span> {
    let mut out = Vec::new();
    collect(root, &mut out);
    out
}

fn collect(n: &Node, out: &mut Vec<Span>) {
    if n.children.is_empty() || matches!(n.rule, Rule::string | Rule::percent_lit) {
        out.push(n.span);
    } else {
        for c in &n.children {
            collect(c, out);
        }
    }
}

/// Every comment of `text`, in order, found in the gaps between `tokens` (in source order).
pub fn comments(text: &str, tokens: &[Span]) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut gap_start = 0;
    let mut prev_token: Option<usize> = None;
    for t in tokens.iter().copied().chain(std::iter::once(Span::new(text.len(), text.len()))) {
        scan_gap(text, gap_start, t.start.max(gap_start), prev_token, &mut out);
        gap_start = gap_start.max(t.end);
        prev_token = Some(t.end);
    }
    out
}

/// The comments between `start` and `end`; `prev_token` is where the token before the gap ends.
fn scan_gap(text: &str, start: usize, end: usize, prev_token: Option<usize>, out: &mut Vec<Comment>) {
    let Some(gap) = text.get(start..end) else { return };
    let mut line_breaks = 0;
    let mut i = 0;
    let bytes = gap.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line_breaks += 1;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let len = gap[i..].find('\n').unwrap_or(gap.len() - i);
                let body = &gap[i..i + len];
                let first = out.is_empty() && prev_token.is_none();
                out.push(Comment {
                    span: Span::new(start + i, start + i + len),
                    text: body.trim_end().to_string(),
                    // The first thing in the gap after a token, on its line.
                    after_token: if line_breaks == 0 { prev_token } else { None },
                    blank_before: line_breaks >= 2 && !first,
                });
                line_breaks = 0;
                i += len;
            }
            _ => i += 1,
        }
    }
}

/// Whether the text between `start` and `end` (whitespace only) holds a blank line.
pub fn blank_line_between(text: &str, start: usize, end: usize) -> bool {
    text.get(start..end).is_some_and(|g| g.bytes().filter(|&b| b == b'\n').count() >= 2)
}
