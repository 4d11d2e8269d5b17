//! The common finding drawn without miette, byte for byte as miette draws it.
//!
//! Drawing one finding through miette's graphical handler cost about 130,000 instructions, most
//! of them in its general machinery (spans over many lines, several labels, gutters, a highlighter,
//! text wrapping through boxed word iterators) that the common finding never uses. The common
//! finding is one label on one line of a record's excerpt (JSON Lines and CSV records are one
//! line), a message and perhaps a help text: that shape is drawn here, in the layout of miette
//! 7.6's `GraphicalReportHandler` as `crate::diagnostics::render::handler` sets it up (unicode
//! characters, ANSI colours or none, one line of context, links as text, Precept's word
//! separator). Any other shape (more lines, a label running past its line, a tab, a label of
//! several lines) returns `false` and is left to miette. Texts are wrapped as miette wraps them:
//! a line of plain ASCII by [`wrap_ascii`], textwrap's first-fit algorithm over the same words,
//! anything else by textwrap itself with the options miette passes it.
//!
//! The tests compare this drawing with miette's over generated findings, for every style.

use unicode_width::UnicodeWidthChar;

use super::FindingReport;
use crate::diagnostics::render::Style;

/// Ends a coloured stretch (owo-colors' reset, as miette writes it).
const RESET: &str = "\u{1b}[0m";
/// miette's ANSI theme: error red, warning yellow, advice and help cyan.
const RED: &str = "\u{1b}[31m";
const YELLOW: &str = "\u{1b}[33m";
const CYAN: &str = "\u{1b}[36m";
/// The file and position: cyan, bold, underlined.
const LINK: &str = "\u{1b}[36;1;4m";
/// Line numbers: dimmed.
const DIM: &str = "\u{1b}[2m";
/// The first label's highlight: magenta, bold.
const HIGHLIGHT: &str = "\u{1b}[35;1m";

/// How one severity is drawn: its colour, and the indents of its message's first and later lines
/// (`  × `, `  │ `) with their widths in columns.
struct Severity {
    color: &'static str,
    first: String,
    first_width: usize,
    rest: String,
    rest_width: usize,
}

/// Draws the common finding for one [`Style`].
pub(super) struct Draw {
    color: bool,
    /// The width miette wraps messages and help at: the terminal's, less 2.
    width: usize,
    /// Error, warning, advice.
    severities: [Severity; 3],
    help_first: String,
    help_first_width: usize,
    help_rest: &'static str,
}

impl Draw {
    pub(super) fn new(style: Style) -> Draw {
        let color = style.color;
        let paint = |code: &'static str| if color { (code, RESET) } else { ("", "") };
        let severity = |code: &'static str, icon: &str| {
            let (on, off) = paint(code);
            let first = format!("  {on}{icon}{off} ");
            let rest = format!("  {on}│{off} ");
            Severity {
                color: on,
                first_width: textwrap::core::display_width(&first),
                rest_width: textwrap::core::display_width(&rest),
                first,
                rest,
            }
        };
        let (on, off) = paint(CYAN);
        let help_first = format!("{on}  help: {off}");
        Draw {
            color,
            width: style.width.saturating_sub(2),
            severities: [severity(RED, "×"), severity(YELLOW, "⚠"), severity(CYAN, "☞")],
            help_first_width: textwrap::core::display_width(&help_first),
            help_first,
            help_rest: "        ",
        }
    }

    /// `code` when drawing in colour, else nothing.
    fn on(&self, code: &'static str) -> &'static str {
        if self.color {
            code
        } else {
            ""
        }
    }

    fn severity(&self, s: miette::Severity) -> &Severity {
        match s {
            miette::Severity::Error => &self.severities[0],
            miette::Severity::Warning => &self.severities[1],
            miette::Severity::Advice => &self.severities[2],
        }
    }

    /// Appends the finding's report to `out` as miette's `render_report` writes it, and says so;
    /// or, for a finding of another shape than the common one, leaves `out` as it was and returns
    /// false (the caller then asks miette).
    pub(super) fn report(&self, out: &mut String, r: &FindingReport) -> bool {
        let Some(x) = Excerpt::of(r) else {
            return false;
        };
        let severity = self.severity(r.severity);
        let off = self.on(RESET);
        // The header: the code, then a blank line.
        out.push_str(severity.color);
        out.push_str(&r.code);
        out.push_str(off);
        out.push_str("\n\n");
        // The message, wrapped.
        self.wrap(
            out,
            &r.message,
            (severity.first.as_str(), severity.first_width),
            (severity.rest.as_str(), severity.rest_width),
        );
        // The excerpt: its place, the line, the underline and the label.
        let linum = r.source.line0() + 1;
        let digits = count_digits(linum);
        push_n(out, ' ', digits + 2);
        out.push_str("╭─[");
        out.push_str(self.on(LINK));
        out.push_str(r.source.name());
        out.push(':');
        push_number(out, linum);
        out.push(':');
        push_number(out, r.source.column(x.start) + 1);
        out.push_str(off);
        out.push_str("]\n ");
        out.push_str(self.on(DIM));
        push_number(out, linum);
        out.push_str(off);
        out.push_str(" │ ");
        out.push_str(x.line);
        out.push('\n');
        let (start, end) = x.columns();
        let middle = (start + end) / 2;
        let highlight = self.on(HIGHLIGHT);
        push_n(out, ' ', digits + 1);
        out.push_str(" · ");
        out.push_str(highlight);
        push_n(out, ' ', start);
        push_n(out, '─', middle - start);
        out.push(if x.start == x.end { '▲' } else { '┬' });
        push_n(out, '─', end - middle - 1);
        out.push_str(off);
        out.push('\n');
        push_n(out, ' ', digits + 1);
        out.push_str(" · ");
        push_n(out, ' ', middle);
        out.push_str(highlight);
        out.push_str("╰── ");
        out.push_str(highlight);
        out.push_str(&r.label);
        out.push_str(off);
        out.push_str(off);
        out.push('\n');
        push_n(out, ' ', digits + 2);
        out.push_str("╰────\n");
        // The help, wrapped (the rule's own help comes wrapped already).
        match (&r.help_drawn, &r.help) {
            (Some(drawn), _) => out.push_str(drawn),
            (None, Some(help)) => self.help(out, help),
            (None, None) => {}
        }
        true
    }

    /// Appends a finding's help as its report ends: `help: `, the text wrapped, a line break.
    pub(super) fn help(&self, out: &mut String, help: &str) {
        let first = (self.help_first.as_str(), self.help_first_width);
        self.wrap(out, help, first, (self.help_rest, self.help_rest.len()));
    }

    /// Appends a note with no source, code or help (a finding's evidence) as miette draws a
    /// related diagnostic of severity advice: a blank line, `Advice: `, and the message wrapped.
    pub(super) fn advice(&self, out: &mut String, message: &str) {
        out.push_str("\nAdvice: \n");
        let advice = &self.severities[2];
        self.wrap(out, message, (advice.first.as_str(), advice.first_width), (advice.rest.as_str(), advice.rest_width));
    }

    /// Appends `text` wrapped at the width, its first line after `first`'s indent and the others
    /// after `rest`'s, and a line break: what miette writes with `textwrap::fill` and `writeln!`.
    fn wrap(&self, out: &mut String, text: &str, first: (&str, usize), rest: (&str, usize)) {
        if printable_prefix(text.as_bytes()) == text.len() {
            wrap_ascii(out, text, self.width, first, rest);
        } else {
            let options = textwrap::Options::new(self.width)
                .initial_indent(first.0)
                .subsequent_indent(rest.0)
                .break_words(true)
                .word_separator(textwrap::WordSeparator::Custom(crate::diagnostics::render::words));
            out.push_str(&textwrap::fill(text, options));
        }
        out.push('\n');
    }
}

/// The one line a common finding's excerpt shows, and its label's span in it.
struct Excerpt<'a> {
    /// The line, without its line break.
    line: &'a str,
    /// The label's span: byte offsets in `line`.
    start: usize,
    end: usize,
}

impl<'a> Excerpt<'a> {
    /// The excerpt of a finding of the common shape: the text shown is one line (perhaps with its
    /// line break), with no tab (miette expands tabs) and no escape character (miette skips colour
    /// codes when measuring), and the label, one line itself, starts on that line and ends on it.
    fn of(r: &'a FindingReport) -> Option<Excerpt<'a>> {
        let text = r.source.text();
        let line = text.strip_suffix('\n').unwrap_or(text);
        if line.bytes().any(|b| matches!(b, b'\n' | b'\r' | b'\t' | 0x1b)) || r.label.contains('\n') {
            return None;
        }
        let (start, len) = r.span;
        let end = start.checked_add(len)?;
        let fits = start < line.len() && end <= line.len();
        (fits && line.is_char_boundary(start) && line.is_char_boundary(end)).then_some(Excerpt { line, start, end })
    }

    /// The columns the label's underline starts at and ends before, as miette counts them: every
    /// character its Unicode width (a control character none), an empty span one column.
    fn columns(&self) -> (usize, usize) {
        let start = width(&self.line[..self.start]);
        let end = if self.start == self.end { start + 1 } else { width(&self.line[..self.end]).max(start + 1) };
        (start, end)
    }
}

/// Columns of `s` as miette measures a line without tabs or escapes: with unicode-width 0.1.
fn width(s: &str) -> usize {
    // Printable ASCII is a column a byte; only the rest is decoded and measured, in one pass.
    let mut columns = 0;
    let mut rest = s;
    loop {
        let at = printable_prefix(rest.as_bytes());
        columns += at;
        // After printable ASCII, so on a character's first byte.
        let Some(tail) = rest.get(at..) else { break };
        let mut chars = tail.chars();
        match chars.next() {
            Some(c) => columns += c.width().unwrap_or(0),
            None => break,
        }
        rest = chars.as_str();
    }
    columns
}

/// How many bytes of printable ASCII `bytes` starts with, tested 16 at a time (a check the
/// compiler makes in a few vector instructions): a record's line, measured up to its label for
/// every finding, is hundreds of them.
fn printable_prefix(bytes: &[u8]) -> usize {
    let printable = |b: &u8| (0x20..0x7f).contains(b);
    let (blocks, _) = bytes.as_chunks::<16>();
    let whole = 16 * blocks.iter().take_while(|block| block.iter().fold(true, |all, b| all & printable(b))).count();
    whole + bytes.get(whole..).map_or(0, |rest| rest.iter().take_while(|b| printable(b)).count())
}

fn count_digits(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

fn push_number(out: &mut String, n: usize) {
    let mut buffer = itoa::Buffer::new();
    out.push_str(buffer.format(n));
}

/// Appends `n` copies of `c`, a run at a time: an underline can be hundreds of columns long.
fn push_n(out: &mut String, c: char, n: usize) {
    const SPACES: &str = "                                                                ";
    const BARS: &str = "────────────────────────────────────────────────────────────────";
    let run = match c {
        ' ' => SPACES,
        '─' => BARS,
        _ => {
            out.extend(std::iter::repeat_n(c, n));
            return;
        }
    };
    // Both runs are 64 characters of one width in bytes.
    let size = run.len() / 64;
    let mut left = n;
    while left > 0 {
        let take = left.min(64);
        out.push_str(&run[..take * size]);
        left -= take;
    }
}

/// A stretch of a line that wrapping keeps whole: `text` bytes `start..end`, then its spaces
/// until `spaces_end`.
#[derive(Clone, Copy)]
struct Fragment {
    start: usize,
    end: usize,
    spaces_end: usize,
}

/// `line` (printable ASCII only, so a byte is a column) wrapped as `textwrap::fill` wraps it with
/// miette's options (Precept's word separator, which splits ASCII at spaces; hyphen splitting;
/// words longer than a line broken; first fit), each line after its indent and followed by a line
/// break but the last.
///
/// As textwrap does: words are runs of characters other than space with the spaces after them;
/// a word is split after each hyphen between two letters or digits; a piece wider than a later
/// line is broken into pieces that fill one; an empty piece goes first (the first line's indent is
/// not empty); and each piece goes on the current line if it fits there (the widths of the pieces
/// and spaces before it on the line, plus its own) or starts the next line. A line is the text
/// from its first piece to the end of its last, without the spaces after it.
fn wrap_ascii(out: &mut String, line: &str, width: usize, first: (&str, usize), rest: (&str, usize)) {
    let first_width = width.saturating_sub(first.1);
    let rest_width = width.saturating_sub(rest.1);
    let bytes = line.as_bytes();
    // The line being filled: where it starts, how far its last piece goes, its columns so far.
    let mut from = 0;
    let mut to = 0;
    let mut filled = 0;
    let mut lines = 0;
    let mut place = |out: &mut String, f: Fragment| {
        let limit = if lines == 0 { first_width } else { rest_width };
        if filled + (f.end - f.start) > limit {
            out.push_str(if lines == 0 { first.0 } else { rest.0 });
            out.push_str(&line[from..to]);
            out.push('\n');
            lines += 1;
            from = f.start;
            filled = 0;
        }
        filled += f.spaces_end - f.start;
        to = f.end;
    };
    let mut at = 0;
    while at < bytes.len() {
        let end = bytes[at..].iter().position(|&b| b == b' ').map_or(bytes.len(), |i| at + i);
        let spaces_end = bytes[end..].iter().position(|&b| b != b' ').map_or(bytes.len(), |i| end + i);
        // Split after hyphens between letters or digits.
        let mut piece = at;
        for i in at + 1..end.saturating_sub(1) {
            if bytes[i] == b'-' && bytes[i - 1].is_ascii_alphanumeric() && bytes[i + 1].is_ascii_alphanumeric() {
                broken(out, &mut place, Fragment { start: piece, end: i + 1, spaces_end: i + 1 }, rest_width);
                piece = i + 1;
            }
        }
        broken(out, &mut place, Fragment { start: piece, end, spaces_end }, rest_width);
        at = spaces_end;
    }
    out.push_str(if lines == 0 { first.0 } else { rest.0 });
    out.push_str(&line[from..to]);
}

/// Places `f`, first broken into pieces of `limit` columns if it is wider (at least one column a
/// piece), the spaces after it going with the last.
fn broken(out: &mut String, place: &mut impl FnMut(&mut String, Fragment), f: Fragment, limit: usize) {
    if f.end - f.start <= limit {
        place(out, f);
        return;
    }
    let step = limit.max(1);
    let mut start = f.start;
    while f.end - start > step {
        place(out, Fragment { start, end: start + step, spaces_end: start + step });
        start += step;
    }
    place(out, Fragment { start, end: f.end, spaces_end: f.spaces_end });
}

#[cfg(test)]
mod tests;
