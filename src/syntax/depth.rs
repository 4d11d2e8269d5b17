//! A lexical pre-pass that refuses deeply nested text before pest sees it.
//!
//! pest and the lowering both recurse once per nesting level, so `((((...` a hundred thousand deep
//! would overflow the stack. Counting brackets first (outside comments and string text, inside
//! message holes) turns that into an ordinary diagnostic pointing at the bracket that goes too deep.

use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// Deepest bracket nesting a policy may use (`(`, `[`, `{`, message holes included).
pub const MAX_NESTING: usize = 32;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Code,
    Str,
}

/// Check bracket nesting; `Err` carries the diagnostic for the first bracket past [`MAX_NESTING`].
pub fn check_nesting(file: &SourceFile) -> Result<(), Diag> {
    let bytes = file.text.as_bytes();
    // Each entry says what the bracket interrupted: code or a string (a template hole).
    let mut stack: Vec<Mode> = Vec::new();
    let mut mode = Mode::Code;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match mode {
            Mode::Code => match b {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'"' => mode = Mode::Str,
                b'(' | b'[' | b'{' => {
                    stack.push(Mode::Code);
                    if stack.len() > MAX_NESTING {
                        return Err(too_deep(file, Span::new(i, i + 1)));
                    }
                }
                b')' | b']' | b'}' => {
                    if let Some(prev) = stack.pop() {
                        mode = prev;
                    }
                }
                _ => {}
            },
            Mode::Str => match b {
                b'\\' => i += 1,
                b'"' => mode = Mode::Code,
                b'{' if bytes.get(i + 1) == Some(&b'{') => i += 1,
                b'}' if bytes.get(i + 1) == Some(&b'}') => i += 1,
                b'{' => {
                    stack.push(Mode::Str);
                    mode = Mode::Code;
                    if stack.len() > MAX_NESTING {
                        return Err(too_deep(file, Span::new(i, i + 1)));
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    Ok(())
}

/// The byte offset of the innermost bracket still open at the end of the text, if any: where a
/// "missing `}`" error really starts.
pub fn unclosed(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut in_str = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'"' => in_str = true,
                b'(' | b'[' | b'{' => open.push(i),
                b')' | b']' | b'}' => {
                    open.pop();
                }
                _ => {}
            }
        }
        i += 1;
    }
    open.last().copied()
}

/// Where a parse error at byte `at` stands in a message's or help's braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brace {
    /// Inside the `{expression}` hole opened at this byte.
    InHole(usize),
    /// At a `}` in a string's text, which closes no hole.
    Stray,
}

/// Whether byte `at` is inside a template hole or at a lone `}` of string text: a brace meant
/// literally (written `{` rather than `{{`) is reported with how to write it.
pub fn brace_at(text: &str, at: usize) -> Option<Brace> {
    let bytes = text.as_bytes();
    // What each open bracket interrupted, and where it is.
    let mut stack: Vec<(Mode, usize)> = Vec::new();
    let mut mode = Mode::Code;
    let mut i = 0;
    while i < bytes.len() && i < at {
        let b = bytes[i];
        match mode {
            Mode::Code => match b {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'"' => mode = Mode::Str,
                b'(' | b'[' | b'{' => stack.push((Mode::Code, i)),
                b')' | b']' | b'}' => {
                    if let Some((prev, _)) = stack.pop() {
                        mode = prev;
                    }
                }
                _ => {}
            },
            Mode::Str => match b {
                b'\\' => i += 1,
                b'"' | b'\n' => mode = Mode::Code,
                b'{' | b'}' if bytes.get(i + 1) == Some(&b) => i += 1,
                b'{' => {
                    stack.push((Mode::Str, i));
                    mode = Mode::Code;
                }
                _ => {}
            },
        }
        i += 1;
    }
    match (mode, stack.last()) {
        (Mode::Str, _) if bytes.get(at) == Some(&b'}') && bytes.get(at + 1) != Some(&b'}') => Some(Brace::Stray),
        (Mode::Code, Some((Mode::Str, open))) => Some(Brace::InHole(*open)),
        _ => None,
    }
}

fn too_deep(file: &SourceFile, span: Span) -> Diag {
    Diag::error("precept::parse::too-deep", format!("nesting deeper than {MAX_NESTING} levels"))
        .at(file, span, "this bracket is too deep")
        .help("split the condition into simpler parts or separate `require` clauses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_text_passes_and_strings_do_not_count() {
        let f = SourceFile::new("t", "rule x { message \"((((({record.id}\" }");
        assert!(check_nesting(&f).is_ok());
    }

    #[test]
    fn deep_parens_are_refused_at_the_first_bracket_too_deep() {
        let text = "(".repeat(100_000);
        let f = SourceFile::new("t", text);
        let err = check_nesting(&f).err();
        assert_eq!(err.map(|d| d.labels[0].span), Some(Span::new(MAX_NESTING, MAX_NESTING + 1)));
    }
}
