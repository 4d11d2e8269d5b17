//! The formatter's state while it walks a syntax tree: the text, the comments not yet placed, and
//! the one way a token becomes layout, which is also where comments are put back.
//!
//! Tokens are laid out in source order, and every token first takes the comments written before it
//! and then the comment written after it on its line. So a comment can move only within the
//! whitespace between its neighbouring tokens, never past one, and none can be dropped: whatever
//! is left when the file ends is written at the end.

use super::comments::{self, Comment};
use super::doc::Doc;
use crate::source::Span;
use crate::syntax::tree::{Node, Rule};

/// How the blank lines before an item of a body (or of the file) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// The first item after `{`: no blank line before it.
    First,
    /// A later item: one blank line where the source had one or more.
    Keep,
    /// A top-level declaration after another: always one blank line.
    Force,
}

/// The walk's state.
pub struct Fmt<'a> {
    /// The source text.
    pub text: &'a str,
    comments: Vec<Comment>,
    next: usize,
    /// The end of the last token or comment placed.
    last_end: usize,
    /// Set while a template hole is laid out: the hole holds no comment, and the comment after the
    /// template belongs after the whole template, not after the hole's last token.
    pub quiet: bool,
}

impl<'a> Fmt<'a> {
    /// A walk over `root`, parsed from `text`.
    pub fn new(text: &'a str, root: &Node) -> Fmt<'a> {
        let tokens = comments::tokens(root);
        let comments = comments::comments(text, &tokens);
        Fmt { text, comments, next: 0, last_end: 0, quiet: false }
    }

    /// The source text of `span`.
    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// A token as its source text, with the comments around it.
    pub fn token(&mut self, n: &Node) -> Doc {
        let text = match n.rule {
            // One token that may have been written with tabs or several spaces between its words.
            Rule::any_order_clause => "in any order",
            _ => self.slice(n.span),
        };
        self.text_at(n.span, text.to_string())
    }

    /// `text` standing for the source at `span`, with the comments around it.
    pub fn text_at(&mut self, span: Span, text: String) -> Doc {
        if self.quiet {
            return Doc::Text(text);
        }
        let mut out = self.before(span.start);
        out.push(Doc::Text(text));
        self.last_end = self.last_end.max(span.end);
        // A comment inside the span (in a template hole written out verbatim) stays inside it.
        while self.comments.get(self.next).is_some_and(|c| c.span.start < span.end) {
            self.next += 1;
        }
        if let Some(c) =
            self.comments.get(self.next).filter(|c| c.after_token.is_some_and(|e| (span.start..=span.end).contains(&e)))
        {
            out.push(Doc::TrailingComment(c.text.clone()));
            self.last_end = c.span.end;
            self.next += 1;
        }
        Doc::Seq(out)
    }

    /// Whether a comment lies inside `span`.
    pub fn has_comment_within(&self, span: Span) -> bool {
        self.comments[self.next..].iter().take_while(|c| c.span.start < span.end).any(|c| c.span.start >= span.start)
    }

    /// The comments written before `pos` not placed yet, each on its own line (or ending the line
    /// of the token it followed, when that token was left out, as a trailing comma is).
    pub fn before(&mut self, pos: usize) -> Vec<Doc> {
        let mut out = Vec::new();
        while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < pos) {
            out.push(match c.after_token {
                Some(_) => Doc::TrailingComment(c.text.clone()),
                None => Doc::OwnLineComment(c.text.clone()),
            });
            self.last_end = c.span.end;
            self.next += 1;
        }
        out
    }

    /// The line breaks and comments that come before an item starting at `start`: it starts a
    /// line, after its own-line comments, with blank lines as `spacing` says.
    pub fn item_start(&mut self, start: usize, spacing: Spacing) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut first = true;
        while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < start) {
            if c.after_token.is_some() {
                out.push(Doc::TrailingComment(c.text.clone()));
            } else {
                let blank = match spacing {
                    Spacing::First if first => false,
                    Spacing::Force if first => true,
                    _ => c.blank_before,
                };
                out.push(if blank { Doc::BlankLine } else { Doc::HardLine });
                out.push(Doc::OwnLineComment(c.text.clone()));
                first = false;
            }
            self.last_end = c.span.end;
            self.next += 1;
        }
        let blank = match spacing {
            Spacing::First if first => false,
            Spacing::Force if first => true,
            _ => comments::blank_line_between(self.text, self.last_end, start),
        };
        out.push(if blank { Doc::BlankLine } else { Doc::HardLine });
        out
    }

    /// The comments left before `end` (the closing brace of a body, or the end of the file), each
    /// on its own line, keeping one blank line where the source had one.
    pub fn closing(&mut self, end: usize, spacing: Spacing) -> Vec<Doc> {
        let mut out = Vec::new();
        let mut first = true;
        while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < end) {
            if c.after_token.is_some() {
                out.push(Doc::TrailingComment(c.text.clone()));
            } else {
                let blank = c.blank_before && !(first && spacing == Spacing::First);
                out.push(if blank { Doc::BlankLine } else { Doc::HardLine });
                out.push(Doc::OwnLineComment(c.text.clone()));
                first = false;
            }
            self.last_end = c.span.end;
            self.next += 1;
        }
        out
    }
}
