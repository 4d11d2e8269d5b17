//! Text from records and policies made safe for HTML: markup characters become references, and
//! characters that could hide or reorder text, or that HTML forbids, become visible or `�`.
//!
//! Every string a report takes from a record, a policy, a file name or a waiver goes through
//! [`text`] or [`lines`] before it reaches the page; the same escaping serves element content and
//! double- or single-quoted attribute values, so no value can close an element (`</script>`,
//! `</style>`), open a tag or end an attribute.

use std::fmt::Write as _;

/// One line of user text, for element content or an attribute: line breaks and other control or
/// bidirectional characters in their visible form (as the human report shows them), then escaped.
pub fn text(s: &str) -> String {
    markup(&crate::text::escape(s))
}

/// User text of several lines (a record's excerpt): line breaks kept, everything else as [`text`].
pub fn lines(s: &str) -> String {
    markup(&crate::text::escape_lines(s))
}

/// `&`, `<`, `>`, `"` and `'` as character references; noncharacters and controls HTML does not
/// allow (those the visible escapes above leave) as U+FFFD.
fn markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Code points the HTML standard forbids in a document: controls other than whitespace, and
/// noncharacters.
fn forbidden(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && c != '\n' && c != '\t')
        || (0x7F..=0x9F).contains(&n)
        || (0xFDD0..=0xFDEF).contains(&n)
        || (n & 0xFFFE) == 0xFFFE
        || c == '\r'
}

/// A number with thousands separated by thin spaces (`1 000 000`), for tables people read.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        let _ = write!(out, "{d}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_closing_tags_cannot_escape() {
        let hostile = "</script><script>alert(1)</script>\"' onload=x </style>&";
        let out = text(hostile);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('"') && !out.contains('\''));
        assert_eq!(out, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39; onload=x &lt;/style&gt;&amp;");
    }

    #[test]
    fn lines_keep_breaks_and_controls_are_visible_or_replaced() {
        assert_eq!(lines("a\nb"), "a\nb");
        assert!(!text("a\nb").contains('\n'));
        assert!(!text("a\u{202E}b").contains('\u{202E}'));
        assert_eq!(markup("x\u{FFFF}\u{FDD0}\u{1FFFE}\r"), "x\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1\u{202F}000");
        assert_eq!(count(1_000_000), "1\u{202F}000\u{202F}000");
    }
}
