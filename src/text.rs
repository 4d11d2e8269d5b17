//! Text from inputs, made safe to show: the one place that decides how user-written text (record
//! values, file names, policy text, `message` and `help` strings) is escaped for a terminal or a CI
//! log, and how long a quotation of it may be.
//!
//! Two jobs, kept apart because they happen at different times:
//! - [`clip`] bounds a quotation when a message is *made*, so every report (human, JSON, SARIF,
//!   JUnit, GitHub) carries the same bounded message; the text kept is not otherwise changed, so a
//!   machine report still carries the original characters.
//! - [`escape`] and [`guard`] apply when human text is *shown*: control and invisible format
//!   characters become visible escapes such as `\u{1b}` (so no input can move the cursor, recolour
//!   the terminal, reorder text or hide text), and no line can start a GitHub Actions workflow
//!   command. Escaping happens before colours are added, so Precept's own colours still work.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// The most characters of user text a message quotes; longer text is cut and ends in `…`.
pub const MAX_QUOTED: usize = 80;

/// The most characters a whole message, label or help text keeps, whatever it quotes: a bound
/// for any place that quotes without [`clip`].
pub const MAX_MESSAGE: usize = 2000;

/// True for characters that must not reach a terminal as they are: C0 controls (but tab), DEL,
/// C1 controls, and the invisible or bidirectional format characters that can hide or reorder
/// text (U+061C, U+200B-U+200F, U+2028-U+202E, U+2060-U+206F, U+FEFF, U+FFF9-U+FFFB).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Whether `s` holds an [`is_unsafe`] character other than the ASCII ones in `allowed`, decided from
/// its bytes: human output runs every line it writes through this, and most of it is ASCII
/// or box drawing.
///
/// Every unsafe character outside ASCII starts with one of four bytes in UTF-8 (`C2` for C1
/// controls, `D8` for U+061C, `E2` for U+200B-U+206F, `EF` for U+FEFF and U+FFF9-U+FFFB), so only
/// characters starting with those are decoded and looked at; the answer is the same as asking
/// [`is_unsafe`] of every character.
fn any_unsafe(s: &str, allowed: &[u8]) -> bool {
    let bytes = s.as_bytes();
    // A lead byte's next byte rules most characters out without decoding them: box drawing (E2 94,
    // E2 95), which a human report is full of, is never unsafe.
    let maybe = |i: usize, lead: u8| {
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        match lead {
            0xc2 => next < 0xa0,
            0xd8 => next == 0x9c,
            0xe2 => next == 0x80 || next == 0x81,
            _ => next == 0xbb || next == 0xbf,
        }
    };
    let hit = |i: usize, b: u8| match b {
        0x00..=0x1f | 0x7f => !allowed.contains(&b),
        0xc2 | 0xd8 | 0xe2 | 0xef => {
            maybe(i, b) && s.get(i..).and_then(|rest| rest.chars().next()).is_some_and(is_unsafe)
        }
        _ => false,
    };
    // The text is passed over 16 bytes at a time (a check the compiler makes in a few vector
    // instructions): a block of printable ASCII (a record's text, most of a report) is clear at
    // once; any other can hold an unsafe character only where it has a control byte not allowed,
    // DEL, or a lead byte followed by a byte `maybe` lets through, so the box drawing, middle dots
    // and accented letters of a human report pass nearly as quickly. Only a block with such a byte
    // is read a byte at a time. A character that starts in one block and ends in the next is
    // decoded from its lead byte, and its other bytes are never lead bytes. The bytes after the
    // last whole block are tested as one block too, padded with spaces: a byte at a time, they
    // cost as much as all the blocks before them.
    let (tab, newline, esc) = (allowed.contains(&b'\t'), allowed.contains(&b'\n'), allowed.contains(&0x1b));
    let suspect = |b: u8, next: u8| {
        let control = (b < 0x20) & !(((b == b'\t') & tab) | ((b == b'\n') & newline) | ((b == 0x1b) & esc));
        let lead = ((b == 0xc2) & (next < 0xa0))
            | ((b == 0xd8) & (next == 0x9c))
            | ((b == 0xe2) & ((next & 0xfe) == 0x80))
            | ((b == 0xef) & ((next == 0xbb) | (next == 0xbf)));
        control | (b == 0x7f) | lead
    };
    // A block and the byte after it (each byte's next is in the array).
    let printable = |w: &[u8; 17]| (0..16).fold(true, |all, i| all & (w[i].wrapping_sub(0x20) < 0x5f));
    let clear = |w: &[u8; 17]| printable(w) || !(0..16).fold(false, |any, i| any | suspect(w[i], w[i + 1]));
    let slow = |from: usize, to: usize| (from..to).any(|i| bytes.get(i).is_some_and(|&b| hit(i, b)));
    let mut at = 0;
    while let Some(w) = bytes.get(at..at + 17).and_then(|w| <&[u8; 17]>::try_from(w).ok()) {
        if !clear(w) && slow(at, at + 16) {
            return true;
        }
        at += 16;
    }
    // At most 16 bytes are left, and the last byte of a text is never a lead byte.
    let rest = bytes.get(at..).unwrap_or_default();
    let mut padded = [b' '; 17];
    match padded.get_mut(..rest.len()) {
        Some(head) => head.copy_from_slice(rest),
        None => return slow(at, bytes.len()),
    }
    !clear(&padded) && slow(at, bytes.len())
}

/// Write `c` in its visible form: `\0`, `\n`, `\r`, or `\u{XX}` (lowercase hex, as Rust writes it).
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\0' => out.push_str("\\0"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// User text for a person: every [`is_unsafe`] character (newlines too) in its visible form.
/// Backslashes are left alone, so text that is already escaped is not escaped twice.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !any_unsafe(s, b"\t") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], but line breaks stay: for text of several lines of our own (a help text, a
/// rule as written), where only what is inside each line came from the user.
pub fn escape_lines(s: &str) -> Cow<'_, str> {
    if !any_unsafe(s, b"\t\n") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c != '\n' && is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as text for messages and reports: valid UTF-8 as it is (escaped later, when shown), and
/// each byte that is not UTF-8 as `\xHH`, where a lossy conversion would hide which name it was.
pub fn path(p: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in p.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().into_owned()
    }
}

/// A path as the name of a file in reports: [`path`] with `/` as the separator on every platform.
pub fn name(p: &Path) -> String {
    let text = path(p);
    if std::path::MAIN_SEPARATOR == '/' {
        text
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// User text to quote in a message: at most [`MAX_QUOTED`] characters, then `…`. Cut on a
/// character boundary; otherwise unchanged (escaping is for showing, see [`escape`]).
pub fn clip(s: &str) -> Cow<'_, str> {
    clip_to(s, MAX_QUOTED)
}

/// A message, label or help text with every backtick-quoted part (the house style quotes all
/// user text so) cut to [`MAX_QUOTED`] characters and the whole to [`MAX_MESSAGE`]: the bound
/// every diagnostic gets when it is made, whichever site forgot to [`clip`] what it quoted.
pub fn bound(text: String) -> String {
    let long_quote = {
        let mut parts = text.split('`');
        // Odd parts are inside backticks; an unclosed last quote is bounded by the whole.
        let _ = parts.next();
        let mut found = false;
        while let (Some(inside), Some(_)) = (parts.next(), parts.clone().next()) {
            if inside.len() > MAX_QUOTED && inside.chars().nth(MAX_QUOTED).is_some() {
                found = true;
                break;
            }
            let _ = parts.next();
        }
        found
    };
    let text = if long_quote {
        let pieces: Vec<&str> = text.split('`').collect();
        let last = pieces.len() - 1;
        let mut out = String::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                out.push('`');
            }
            // Odd pieces are quoted, unless the last one is an unclosed quote.
            if i % 2 == 1 && i < last {
                out.push_str(&clip(piece));
            } else {
                out.push_str(piece);
            }
        }
        out
    } else {
        text
    };
    match clip_to(&text, MAX_MESSAGE) {
        Cow::Borrowed(_) => text,
        Cow::Owned(cut) => cut,
    }
}

/// `s` cut to at most `max` characters, then `…`.
pub fn clip_to(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => {
            let mut out = String::with_capacity(at + 3);
            out.push_str(s.get(..at).unwrap_or(""));
            out.push('…');
            Cow::Owned(out)
        }
    }
}

/// Human output, just before it is written: a last line of defence for text that reached it
/// without [`escape`] (every unsafe character but newline and tab is escaped; ESC too unless
/// `color`, when Precept's own colour codes must pass), and a guard so that no line starts a
/// GitHub Actions workflow command (`::` or `##[` after leading spaces and colour codes, which the
/// runner skips): its first character is written escaped, as `\u{3a}` or `\u{23}`.
pub fn guard(s: &str, color: bool) -> Cow<'_, str> {
    let bad = |c: char| c != '\n' && c != '\t' && is_unsafe(c) && !(color && c == '\u{1b}');
    if !needs_guard(s, color) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let at = command_start(line);
        for (j, c) in line.char_indices() {
            if Some(j) == at || bad(c) {
                push_escaped(&mut out, c);
            } else {
                out.push(c);
            }
        }
    }
    Cow::Owned(out)
}

/// Whether [`guard`] changes `s`: an unsafe character (found a byte at a time, see
/// [`any_unsafe`]), or a line that starts a workflow command. It runs over every line a human
/// report writes.
fn needs_guard(s: &str, color: bool) -> bool {
    any_unsafe(s, if color { b"\t\n\x1b" } else { b"\t\n" }) || lines(s).any(|l| command_start(l).is_some())
}

/// `s` split at each `\n`, as `str::split('\n')` splits it, the line breaks found by the memchr
/// crate's vector search: splitting the human report's text a line at a time was a quarter of what
/// guarding it cost.
fn lines(s: &str) -> impl Iterator<Item = &str> {
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', s.as_bytes()).map(Some).chain(std::iter::once(None));
    ends.map(move |end| {
        let end = end.unwrap_or(s.len());
        let line = s.get(from..end).unwrap_or("");
        from = end + 1;
        line
    })
}

/// Where a line would start a workflow command (`::name` or `##[name]`), skipping the leading
/// whitespace and ANSI colour sequences a log reader ignores.
fn command_start(line: &str) -> Option<usize> {
    let mut rest = line;
    loop {
        // ASCII white space a byte at a time (a human report's lines start with dozens of spaces),
        // then whatever white space `str::trim_start` trims beyond it (a vertical tab, and white
        // space outside ASCII).
        let ascii = rest.bytes().take_while(u8::is_ascii_whitespace).count();
        let trimmed = rest.get(ascii..).map_or(rest, str::trim_start);
        if let Some(after) = trimmed.strip_prefix("\u{1b}[") {
            let end = after.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
            rest = after.get(end + 1..)?;
        } else {
            rest = trimmed;
            break;
        }
    }
    (rest.starts_with("::") || rest.starts_with("##[")).then(|| line.len() - rest.len())
}

/// A few lines of a file, made ready to draw as a snippet: escaped, long lines cut to a window
/// around the labelled places, and every span and column moved to match the text shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text to draw: whole lines of the original, escaped and perhaps cut.
    pub text: String,
    /// 0-based line of the original text where `text` starts.
    pub line0: usize,
    /// The spans asked for, as byte ranges of `text`.
    pub spans: Vec<(usize, usize)>,
    /// For each span, the 0-based column (in characters of the original text) where it starts.
    pub columns: Vec<usize>,
}

/// Characters shown on either side of a labelled place on a long line.
const SIDE: usize = 60;
/// Lines longer than this (in characters) are cut to a window around their labelled places.
const LONG_LINE: usize = 240;
/// The most characters of one labelled span drawn on a line; the rest is cut.
const LONG_SPAN: usize = 120;
/// Context lines drawn above and below the labelled lines (miette draws one).
const CONTEXT: usize = 1;

/// Prepare the lines of `text` that `spans` touch, plus one line of context each side.
pub fn snippet(text: &str, spans: &[(usize, usize)]) -> Snippet {
    snippet_with(text, spans, &|start| text.get(..start).map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count()))
}

/// [`snippet`], with the count of line breaks before a byte offset given by the caller: counting
/// from the start of a large file for every diagnostic would make many diagnostics on one file
/// quadratic, so a caller that draws many keeps an index of the file's lines.
pub fn snippet_with(text: &str, spans: &[(usize, usize)], lines_before: &dyn Fn(usize) -> usize) -> Snippet {
    let len = text.len();
    let floor = |mut i: usize| {
        i = i.min(len);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let spans: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(s, e)| {
            let (s, e) = (floor(s.min(e)), floor(s.max(e)));
            (s, e)
        })
        .collect();
    let lo = spans.iter().map(|s| s.0).min().unwrap_or(0);
    let hi = spans.iter().map(|s| s.1).max().unwrap_or(0);
    // Whole lines around the spans, with context. The line breaks are looked for with the memchr
    // crate's vector search: a record's line is hundreds of bytes, searched for every finding.
    let before = |t: &str| memchr::memrchr(b'\n', t.as_bytes());
    let after = |t: &str| memchr::memchr(b'\n', t.as_bytes());
    let mut start = text.get(..lo).and_then(before).map_or(0, |i| i + 1);
    for _ in 0..CONTEXT {
        if start == 0 {
            break;
        }
        start = text.get(..start - 1).and_then(before).map_or(0, |i| i + 1);
    }
    let mut end = text.get(hi..).and_then(after).map_or(len, |i| hi + i);
    for _ in 0..CONTEXT {
        if end >= len {
            break;
        }
        end = text.get(end + 1..).and_then(after).map_or(len, |i| end + 1 + i);
    }
    // Keep the last line's line break, so a last context line that is empty is still drawn.
    if end < len {
        end += 1;
    }
    let line0 = lines_before(start);

    // Every boundary that must be found again in the text shown.
    let mut targets: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    targets.sort_unstable();
    targets.dedup();
    let mut mapped: Vec<(usize, usize)> = Vec::with_capacity(targets.len());
    let mut next = 0;
    let mut out = String::new();
    let mut line_start = start;
    for (n, line) in lines(text.get(start..end).unwrap_or("")).enumerate() {
        if n > 0 {
            out.push('\n');
            line_start += 1;
        }
        let line_end = line_start + line.len();
        // A carriage return ending a line is the line ending, not text worth showing.
        let body_end = if line.ends_with('\r') { line_end - 1 } else { line_end };
        let parts = keep(text, line_start, body_end, &spans);
        for (k, &(from, to)) in parts.iter().enumerate() {
            if k > 0 || from > line_start {
                out.push('…');
            }
            // Boundaries in the cut part point at the cut.
            while targets.get(next).is_some_and(|&t| t < from) {
                mapped.push((targets[next], out.len()));
                next += 1;
            }
            let part = text.get(from..to).unwrap_or("");
            if any_unsafe(part, b"\t") {
                for (i, c) in part.char_indices() {
                    while targets.get(next).is_some_and(|&t| t <= from + i) {
                        mapped.push((targets[next], out.len()));
                        next += 1;
                    }
                    if is_unsafe(c) {
                        push_escaped(&mut out, c);
                    } else {
                        out.push(c);
                    }
                }
            } else {
                // Nothing to escape (nearly always): the part is copied whole, and each boundary
                // in it lands as far into the copy as it was into the part.
                let at = out.len();
                out.push_str(part);
                while let Some(&t) = targets.get(next).filter(|&&t| t < to) {
                    mapped.push((t, at + t.saturating_sub(from)));
                    next += 1;
                }
            }
            while targets.get(next).is_some_and(|&t| t <= to) {
                mapped.push((targets[next], out.len()));
                next += 1;
            }
        }
        if parts.last().is_some_and(|&(_, to)| to < body_end) {
            out.push('…');
        }
        while targets.get(next).is_some_and(|&t| t <= line_end) {
            mapped.push((targets[next], out.len()));
            next += 1;
        }
        line_start = line_end;
    }
    while let Some(&t) = targets.get(next) {
        mapped.push((t, out.len()));
        next += 1;
    }
    let find = |t: usize| mapped.iter().find(|m| m.0 == t).map_or(out.len(), |m| m.1);
    let columns = spans
        .iter()
        .map(|&(s, _)| {
            let ls = text.get(..s).and_then(|t| memchr::memrchr(b'\n', t.as_bytes())).map_or(0, |i| i + 1);
            text.get(ls..s).map_or(0, |t| t.chars().count())
        })
        .collect();
    let spans = spans.iter().map(|&(s, e)| (find(s), find(e))).collect();
    Snippet { text: out, line0, spans, columns }
}

/// The parts of the line `from..to` to show: all of it when short, else windows of [`SIDE`]
/// characters around each span that touches it (a long span is cut after [`LONG_SPAN`]).
///
/// In an ASCII line (most records) a character is a byte, so the windows are counted in bytes, not
/// by decoding hundreds of characters for each finding drawn.
fn keep(text: &str, from: usize, to: usize, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let line = text.get(from..to).unwrap_or("");
    if line.len() <= LONG_LINE {
        return vec![(from, to)];
    }
    let ascii = line.is_ascii();
    if !ascii && line.chars().nth(LONG_LINE).is_none() {
        return vec![(from, to)];
    }
    // The start of the `n`th character before `at` (`from` if there are fewer).
    let back = |at: usize, n: usize| match ascii {
        true if at >= from + n.max(1) => at - n.max(1),
        true => from,
        false => text
            .get(from..at)
            .and_then(|t| t.char_indices().rev().nth(n.saturating_sub(1)))
            .map_or(from, |(i, _)| from + i),
    };
    // The start of the character `n` characters after `at` (`to` if there are fewer).
    let ahead = |at: usize, n: usize| match ascii {
        true if at < to && n < to - at => at + n,
        true => to,
        false => text.get(at..to).and_then(|t| t.char_indices().nth(n)).map_or(to, |(i, _)| at + i),
    };
    windows(from, to, spans, &back, &ahead)
}

/// The windows of the long line `from..to` around each span that touches it, characters counted
/// by `back` (the start of the `n`th character before a place) and `ahead` (of the `n`th after).
fn windows(
    from: usize,
    to: usize,
    spans: &[(usize, usize)],
    back: &dyn Fn(usize, usize) -> usize,
    ahead: &dyn Fn(usize, usize) -> usize,
) -> Vec<(usize, usize)> {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in spans {
        if e < from || s > to {
            continue;
        }
        let (s, e) = (s.max(from), e.min(to));
        let shown_end = ahead(s, LONG_SPAN).min(e);
        let part = (back(s, SIDE), ahead(shown_end, SIDE));
        match parts.last_mut() {
            Some(last) if part.0 <= last.1 => last.1 = last.1.max(part.1),
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        parts.push((from, ahead(from, SIDE * 2)));
    }
    parts.sort_unstable();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`needs_guard`] answers, the plain way: an unsafe character, or a line that starts a
    /// workflow command.
    fn needs_guard_model(s: &str, color: bool) -> bool {
        let bad = |c: char| c != '\n' && c != '\t' && is_unsafe(c) && !(color && c == '\u{1b}');
        s.chars().any(bad) || s.split('\n').any(|l| command_start(l).is_some())
    }

    /// Every character of the planes where unsafe ones are (and a few past them), at every place in
    /// a 16-byte block and across two, is found unsafe by the byte check exactly when
    /// [`is_unsafe`] says so.
    #[test]
    fn every_character_is_judged_as_is_unsafe_judges_it() {
        let chars = (0..0x3000_u32).chain(0xfe00..0x1_0000).chain([0x1_f980, 0x10_fffd]).filter_map(char::from_u32);
        for c in chars {
            for pad in 0..17 {
                // In the short last block, read a byte at a time, and in whole blocks, passed over
                // 16 bytes at a time.
                for tail in [2, 20] {
                    let s = format!("{}{c}{}", "a".repeat(pad), "b".repeat(tail));
                    assert_eq!(any_unsafe(&s, b""), is_unsafe(c) || c == '\t', "{c:?} after {pad}");
                    // Box drawing around it, as in a human report.
                    let s = format!("{}{c}{}", "│".repeat(pad), "─".repeat(tail));
                    assert_eq!(any_unsafe(&s, b""), is_unsafe(c) || c == '\t', "{c:?} after {pad} │");
                }
            }
        }
    }

    /// [`keep`] counted in characters throughout: from the start of every character of the line.
    fn keep_model(text: &str, from: usize, to: usize, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let line = &text[from..to];
        let starts: Vec<usize> = line.char_indices().map(|(i, _)| from + i).chain([to]).collect();
        let chars = starts.len() - 1;
        if chars <= LONG_LINE {
            return vec![(from, to)];
        }
        // Which character starts at `b` (the count of those before it).
        let index = |b: usize| starts.partition_point(|&s| s < b);
        let back = |at: usize, n: usize| starts[index(at).saturating_sub(n.max(1))];
        let ahead = |at: usize, n: usize| starts[(index(at) + n).min(chars)];
        windows(from, to, spans, &back, &ahead)
    }

    proptest::proptest! {
        /// The windows of a long line are the same whether counted in bytes (an ASCII line) or in
        /// characters, for spans anywhere in it, at its ends and past them.
        #[test]
        fn an_ascii_line_is_cut_where_counting_characters_cuts_it(
            before in 0_usize..400,
            line_len in 0_usize..700,
            accented in proptest::bool::ANY,
            raw_spans in proptest::collection::vec((0_usize..800, 0_usize..300), 0..3),
        ) {
            let body: String = (0..line_len).map(|i| if accented && i % 7 == 3 { 'é' } else { 'a' }).collect();
            let text = format!("{}\n{body}\nafter", "x".repeat(before));
            let (from, to) = (before + 1, before + 1 + body.len());
            let mut spans: Vec<(usize, usize)> = raw_spans
                .iter()
                .map(|&(s, n)| {
                    let mut s = (from + s).min(text.len());
                    while !text.is_char_boundary(s) {
                        s -= 1;
                    }
                    let mut e = (s + n).min(text.len());
                    while !text.is_char_boundary(e) {
                        e -= 1;
                    }
                    (s, e)
                })
                .collect();
            spans.sort_unstable();
            proptest::prop_assert_eq!(keep(&text, from, to, &spans), keep_model(&text, from, to, &spans));
        }
    }

    proptest::proptest! {
        /// Where a workflow command starts is found past white space as `str::trim_start` has it,
        /// whatever mix of ASCII and other white space and colour codes comes first.
        #[test]
        fn a_command_is_found_past_any_white_space(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                " ", "\t", "\u{b}", "\u{c}", "\r", "\u{85}", "\u{a0}", "\u{3000}", "\u{2028}", "\u{1b}[31m",
                "\u{1b}[", "::", "##[", ":", "a", "é",
            ]), 0..12),
        ) {
            let line: String = parts.concat();
            let model = {
                let mut rest = line.as_str();
                loop {
                    let trimmed = rest.trim_start();
                    match trimmed.strip_prefix("\u{1b}[") {
                        Some(after) => {
                            match after.find(|c: char| !(c.is_ascii_digit() || c == ';')).and_then(|e| after.get(e + 1..)) {
                                Some(next) => rest = next,
                                None => break None,
                            }
                        }
                        None => {
                            break (trimmed.starts_with("::") || trimmed.starts_with("##["))
                                .then(|| line.len() - trimmed.len())
                        }
                    }
                }
            };
            proptest::prop_assert_eq!(command_start(&line), model, "{:?}", line);
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_guard_check_agrees_with_the_plain_one(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", " ", "\n", "\t", "\u{1b}", "\u{1b}[31m", "::", "##[", ":", "#", "\r", "\0", "\u{7f}",
                "\u{85}", "\u{9f}", "\u{a0}", "é", "\u{61c}", "\u{200b}", "\u{2028}", "\u{202e}", "\u{2060}",
                "│", "╭─", "×", "\u{feff}", "\u{fffa}", "\u{fffd}", "日本", "🦀", "\u{3000}",
            ]), 0..24),
            color in proptest::bool::ANY,
        ) {
            let s: String = parts.concat();
            proptest::prop_assert_eq!(needs_guard(&s, color), needs_guard_model(&s, color), "{:?}", s);
        }
    }

    proptest::proptest! {
        /// The byte-at-a-time check and the escapes built on it agree with asking [`is_unsafe`]
        /// of every character, and a snippet's text is the escape of its lines.
        #[test]
        fn the_byte_check_agrees_with_the_character_one(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", " ", "\n", "\t", "\r", "\u{1b}", "\0", "\u{7f}", "\u{80}", "\u{85}", "\u{9f}", "\u{a0}",
                "é", "\u{61b}", "\u{61c}", "\u{61d}", "\u{200a}", "\u{200b}", "\u{200f}", "\u{2010}", "\u{2019}",
                "\u{2027}", "\u{2028}", "\u{202e}", "\u{202f}", "\u{205f}", "\u{2060}", "\u{206f}", "\u{2070}",
                "│", "╭─", "×", "\u{fefe}", "\u{feff}", "\u{fff8}", "\u{fff9}", "\u{fffb}", "\u{fffc}", "\u{fffd}",
                "日本", "🦀", "\u{3000}", "ï»¿",
            ]), 0..24),
        ) {
            let s: String = parts.concat();
            let model = |allowed: &[char]| s.chars().any(|c| is_unsafe(c) && !allowed.contains(&c));
            proptest::prop_assert_eq!(any_unsafe(&s, b"\t"), model(&[]), "{:?}", s);
            proptest::prop_assert_eq!(any_unsafe(&s, b"\t\n"), model(&['\n']), "{:?}", s);
            proptest::prop_assert_eq!(any_unsafe(&s, b"\t\n\x1b"), model(&['\n', '\u{1b}']), "{:?}", s);
            let escaped: String = s.chars().map(|c| if is_unsafe(c) { let mut e = String::new(); push_escaped(&mut e, c); e } else { c.to_string() }).collect();
            proptest::prop_assert_eq!(escape(&s).into_owned(), escaped);
            let lines: Vec<String> = s.split('\n').map(|l| escape(l).into_owned()).collect();
            proptest::prop_assert_eq!(escape_lines(&s).into_owned(), lines.join("\n"));
        }
    }

    #[test]
    fn lines_are_split_as_str_split_splits_them() {
        for s in ["", "\n", "a", "a\n", "\na", "a\nb", "a\n\nb\n", "é\n│\n\n"] {
            assert_eq!(lines(s).collect::<Vec<_>>(), s.split('\n').collect::<Vec<_>>(), "{s:?}");
        }
    }

    #[test]
    fn escapes_every_unsafe_class() {
        assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("x\r\ny\0"), "x\\r\\ny\\0");
        assert_eq!(escape("\u{202e}evil\u{feff}"), "\\u{202e}evil\\u{feff}");
        assert_eq!(escape("\u{85}\u{7f}"), "\\u{85}\\u{7f}");
        assert_eq!(escape("tab\tstays é 日本"), "tab\tstays é 日本");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn clip_cuts_on_a_character_boundary() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(100);
        let c = clip(&long);
        assert_eq!(c.chars().count(), MAX_QUOTED + 1);
        assert!(c.ends_with('…'));
        assert_eq!(clip(&"x".repeat(MAX_QUOTED)), "x".repeat(MAX_QUOTED));
    }

    #[test]
    fn every_quotation_in_a_message_is_bounded() {
        let long = "t".repeat(10_000);
        let m = bound(format!("expected `{{`, found `{long}` in `x`"));
        assert_eq!(m, format!("expected `{{`, found `{}…` in `x`", "t".repeat(MAX_QUOTED)));
        let open = bound(format!("a `b` `{long}"));
        assert_eq!(open.chars().count(), MAX_MESSAGE + 1);
        assert_eq!(bound("plain `short`".to_string()), "plain `short`");
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        let s = guard("ok\n  ::error::pwned\n##[group]x\nfine :: here\n\u{1b}[31m::warning::x", true);
        assert_eq!(s, "ok\n  \\u{3a}:error::pwned\n\\u{23}#[group]x\nfine :: here\n\u{1b}[31m\\u{3a}:warning::x");
        assert_eq!(guard("a\u{1b}b\rc", false), "a\\u{1b}b\\rc");
    }

    #[test]
    fn snippet_spans_follow_the_escapes() {
        let text = "one\nx\u{1b}y = `bad`\nthree\nfour";
        let at = text.find("`bad`").unwrap();
        let s = snippet(text, &[(at, at + 5)]);
        assert_eq!(s.text, "one\nx\\u{1b}y = `bad`\nthree\n");
        assert_eq!(s.line0, 0);
        let (a, b) = s.spans[0];
        assert_eq!(&s.text[a..b], "`bad`");
        assert_eq!(s.columns, vec![6]);
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{}TARGET{}\nnext", "a".repeat(10_000_000), "b".repeat(10_000));
        let at = text.find("TARGET").unwrap();
        let s = snippet(&text, &[(at, at + 6)]);
        assert!(s.text.len() < 1000, "{}", s.text.len());
        let (a, b) = s.spans[0];
        assert_eq!(&s.text[a..b], "TARGET");
        assert!(s.text.starts_with('…'));
        assert_eq!(s.columns, vec![10_000_000]);
    }
}
