//! The layout language between the syntax tree and the text, and its printer.
//!
//! The formatter describes a file as [`Doc`]s: text, spaces, places where a line may break, and
//! groups. A group is printed on one line when it fits in [`WIDTH`] columns and holds no comment
//! that must end its line; otherwise every [`Doc::Line`] directly inside it becomes a line break at
//! the current indentation (inner groups decide again for themselves). This is the classic
//! Wadler/Oppen pretty printer, reduced to what one language needs; each group's flat width is
//! worked out when it is built, so printing is linear.
//!
//! Line breaks are requested rather than written: the printer keeps the strongest request (a line
//! break, or a blank line) and writes it before the next text, so two requests never make two
//! breaks, no line ends in a space, and a comment that has to end its line can simply ask for one.

/// The widest a line is made when it can be broken (strings and comments are never broken).
pub const WIDTH: usize = 100;

/// Columns per level of indentation.
pub const INDENT: usize = 2;

/// A piece of layout.
#[derive(Debug, Clone)]
pub enum Doc {
    /// Text without line breaks.
    Text(String),
    /// One space, unless a line break comes first.
    Space,
    /// A space when its group is flat; a line break when it is broken.
    Line,
    /// Nothing when its group is flat; a line break when it is broken.
    SoftLine,
    /// Always a line break.
    HardLine,
    /// A blank line (a line break and one empty line).
    BlankLine,
    /// A comment ending the line it is on, after one space.
    TrailingComment(String),
    /// A comment on a line of its own.
    OwnLineComment(String),
    /// The contents, one indentation level deeper after each line break inside them.
    Indent(Vec<Doc>),
    /// The contents in order.
    Seq(Vec<Doc>),
    /// The contents, flat if they fit (`width` is their flat width; `None` when they cannot be flat).
    Group {
        /// What is in the group.
        items: Vec<Doc>,
        /// The width of the group printed flat, or `None` when it holds a forced line break.
        width: Option<usize>,
    },
}

impl Doc {
    /// A group of `items`, its flat width worked out now.
    pub fn group(items: Vec<Doc>) -> Doc {
        let width = flat_width(&items);
        Doc::Group { items, width }
    }

    /// Text.
    pub fn text(s: impl Into<String>) -> Doc {
        Doc::Text(s.into())
    }
}

/// The flat width of `items`, or `None` when they cannot be flat. A comment ending the line may
/// come last (the line ends there anyway), but nothing may follow it on the same line.
fn flat_width(items: &[Doc]) -> Option<usize> {
    fit(items).map(|(w, _)| w)
}

/// The flat width of `items` and whether they end in a comment that ends the line.
fn fit(items: &[Doc]) -> Option<(usize, bool)> {
    let mut total = 0;
    let mut ends_line = false;
    for d in items {
        let (w, ends) = fit_one(d)?;
        if ends_line && (w > 0 || ends) {
            return None;
        }
        total += w;
        ends_line |= ends;
    }
    Some((total, ends_line))
}

fn fit_one(d: &Doc) -> Option<(usize, bool)> {
    match d {
        Doc::Text(s) => Some((s.chars().count(), false)),
        Doc::Space | Doc::Line => Some((1, false)),
        Doc::SoftLine => Some((0, false)),
        Doc::TrailingComment(_) => Some((0, true)),
        Doc::HardLine | Doc::BlankLine | Doc::OwnLineComment(_) => None,
        Doc::Indent(items) | Doc::Seq(items) => fit(items),
        Doc::Group { items, width } => Some((width.as_ref().copied()?, fit(items)?.1)),
    }
}

/// A requested break, the strongest kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    None,
    Space,
    Line,
    Blank,
}

struct Printer {
    out: String,
    column: usize,
    indent: usize,
    pending: Pending,
    /// The indentation of the line a pending break starts: that of the latest break requested, so
    /// an [`Doc::Indent`] entered after a break does not move the line the break begins.
    pending_indent: usize,
}

/// Print `doc` as text ending in one line break (or as nothing, if it holds no text).
pub fn print(doc: &Doc) -> String {
    let mut p = Printer { out: String::new(), column: 0, indent: 0, pending: Pending::None, pending_indent: 0 };
    p.doc(doc, false);
    if !p.out.is_empty() {
        p.out.push('\n');
    }
    p.out
}

/// Print `doc` on one line, every group flat (for a template hole, which holds no comment).
pub fn print_flat(doc: &Doc) -> String {
    let mut p = Printer { out: String::new(), column: 0, indent: 0, pending: Pending::None, pending_indent: 0 };
    p.doc(doc, true);
    p.out
}

impl Printer {
    fn request(&mut self, what: Pending) {
        if what >= Pending::Line {
            self.pending_indent = self.indent;
        }
        self.pending = self.pending.max(what);
    }

    /// The column the next text would start at.
    fn next_column(&self) -> usize {
        match self.pending {
            Pending::None => self.column,
            Pending::Space => self.column + 1,
            Pending::Line | Pending::Blank => self.pending_indent,
        }
    }

    fn write(&mut self, s: &str) {
        match self.pending {
            // Nothing is written before the first text: a file never starts with a blank line.
            Pending::Line | Pending::Blank if self.out.is_empty() => {}
            Pending::Line | Pending::Blank => {
                self.out.push('\n');
                if self.pending == Pending::Blank {
                    self.out.push('\n');
                }
                self.out.extend(std::iter::repeat_n(' ', self.pending_indent));
                self.column = self.pending_indent;
            }
            Pending::Space if self.column > 0 => {
                self.out.push(' ');
                self.column += 1;
            }
            Pending::Space | Pending::None => {}
        }
        self.pending = Pending::None;
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn doc(&mut self, d: &Doc, flat: bool) {
        match d {
            Doc::Text(s) => self.write(s),
            Doc::Space => self.request(Pending::Space),
            Doc::Line if flat => self.request(Pending::Space),
            Doc::Line | Doc::HardLine => self.request(Pending::Line),
            Doc::SoftLine if flat => {}
            Doc::SoftLine => self.request(Pending::Line),
            Doc::BlankLine => self.request(Pending::Blank),
            Doc::TrailingComment(c) => {
                self.request(Pending::Space);
                self.write(c);
                self.request(Pending::Line);
            }
            Doc::OwnLineComment(c) => {
                self.request(Pending::Line);
                self.write(c);
                self.request(Pending::Line);
            }
            Doc::Indent(items) => {
                self.indent += INDENT;
                for i in items {
                    self.doc(i, flat);
                }
                self.indent -= INDENT;
            }
            Doc::Seq(items) => {
                for i in items {
                    self.doc(i, flat);
                }
            }
            Doc::Group { items, width } => {
                let fits = flat || width.is_some_and(|w| self.next_column() + w <= WIDTH);
                for i in items {
                    self.doc(i, fits);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_that_fits_stays_on_one_line_and_one_that_does_not_breaks_at_each_line() {
        let words = |n: usize| (0..n).flat_map(|i| [Doc::text(format!("w{i:03}")), Doc::Line]).collect::<Vec<_>>();
        assert_eq!(print(&Doc::group(words(3))), "w000 w001 w002\n");
        let long = print(&Doc::group(words(30)));
        assert_eq!(long.lines().count(), 30);
        assert!(long.lines().all(|l| l.len() == 4), "{long}");
    }

    #[test]
    fn a_comment_breaks_its_group_and_requests_never_double_up() {
        let d = Doc::group(vec![
            Doc::text("a"),
            Doc::TrailingComment("// why".into()),
            Doc::Line,
            Doc::HardLine,
            Doc::text("b"),
        ]);
        assert_eq!(print(&d), "a // why\nb\n");
    }

    #[test]
    fn no_line_ends_in_a_space_and_indentation_follows_the_text() {
        let d = Doc::Seq(vec![
            Doc::text("x {"),
            Doc::Indent(vec![Doc::HardLine, Doc::text("y"), Doc::Space, Doc::HardLine]),
            Doc::HardLine,
            Doc::text("}"),
        ]);
        assert_eq!(print(&d), "x {\n  y\n}\n");
    }
}
