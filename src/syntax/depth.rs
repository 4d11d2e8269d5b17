//! A lexical pre-pass that refuses deeply nested text before pest sees it.
//!
//! pest and the lowering both recurse once per nesting level, so `((((...` a hundred thousand deep
//! would overflow the stack. Counting brackets first (outside comments and string text, inside
//! message holes) turns that into an ordinary diagnostic pointing at the bracket that goes too deep.
//!
//! Two constructs nest without brackets, because the grammar reads what follows them as a whole
//! operand: `a otherwise b otherwise c ...` and `if a then b else if c then ...`. Their keywords
//! are counted too, from the start of each clause (or after a comma; an operator ends a chain of
//! `otherwise`, which holds one operand) and along every bracket level that contains them, so a chain of twenty thousand is refused here rather than overflowing the
//! stack in the parser (a release build did, from about 20,000; a debug build from about 1,000).

use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// Deepest bracket nesting a policy may use (`(`, `[`, `{`, message holes included).
pub const MAX_NESTING: usize = 32;

/// Most `otherwise` and `if` keywords an expression may chain without brackets, counted along every
/// bracket level that contains them: far beyond any written policy, and far below the depth at
/// which the parser's recursion is a risk on a 2 MiB thread stack in a debug build.
pub const MAX_CHAIN: usize = 64;

/// Words after which an expression starts afresh: the clauses that hold one.
const CLAUSE_WORDS: &[&[u8]] =
    &[b"require", b"message", b"help", b"let", b"define", b"rule", b"where", b"within", b"when", b"case", b"expect"];

/// Infix operators written as words: each ends the operand an `otherwise` holds.
const OPERATOR_WORDS: &[&[u8]] =
    &[b"and", b"or", b"implies", b"in", b"contains", b"starts", b"ends", b"matches", b"then", b"else"];

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Code,
    Str,
}

/// Check bracket nesting and unbracketed chains; `Err` carries the diagnostic for the first
/// bracket past [`MAX_NESTING`] or the first keyword past [`MAX_CHAIN`].
pub fn check_nesting(file: &SourceFile) -> Result<(), Diag> {
    let bytes = file.text.as_bytes();
    // Each entry says what the bracket interrupted (code or a string: a template hole) and the
    // chain as it was, which the bracket's contents start from and its closing restores.
    let mut stack: Vec<(Mode, Chain)> = Vec::new();
    let mut mode = Mode::Code;
    let mut chain = Chain::default();
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
                    stack.push((Mode::Code, chain));
                    chain = chain.inside();
                    if stack.len() > MAX_NESTING {
                        return Err(too_deep(file, Span::new(i, i + 1)));
                    }
                }
                b')' | b']' | b'}' => {
                    if let Some((prev, before)) = stack.pop() {
                        mode = prev;
                        chain = before;
                    }
                }
                b',' => chain = chain.afresh(),
                // An operator ends the operand an `otherwise` holds (`/` of a comment is above).
                b'+' | b'-' | b'*' | b'/' | b'<' | b'>' | b'=' | b'!' => chain.otherwise = 0,
                b if is_word(b) => {
                    let end = i + bytes.get(i..).map_or(0, |rest| rest.iter().take_while(|&&c| is_word(c)).count());
                    let word = bytes.get(i..end).unwrap_or(&[]);
                    // A word that merely ends in a keyword (`tariff`), or a field named like one
                    // (`record.message`), is not one.
                    let before = i.checked_sub(1).and_then(|j| bytes.get(j)).copied();
                    let keyword = before.is_none_or(|c| !is_word(c) && c != b'.');
                    if keyword && CLAUSE_WORDS.contains(&word) {
                        chain = chain.afresh();
                    } else if keyword && OPERATOR_WORDS.contains(&word) {
                        chain.otherwise = 0;
                    } else if keyword && (word == b"otherwise" || word == b"if") {
                        if word == b"if" {
                            chain.ifs += 1;
                        } else {
                            chain.otherwise += 1;
                        }
                        if chain.depth() > MAX_CHAIN {
                            return Err(too_long_chain(file, Span::new(i, end)));
                        }
                    }
                    i = end;
                    continue;
                }
                _ => {}
            },
            Mode::Str => match b {
                b'\\' => i += 1,
                b'"' => mode = Mode::Code,
                b'{' if bytes.get(i + 1) == Some(&b'{') => i += 1,
                b'}' if bytes.get(i + 1) == Some(&b'}') => i += 1,
                b'{' => {
                    stack.push((Mode::Str, chain));
                    chain = chain.inside();
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

/// How deep the parser is nested by unbracketed keywords at a place: `if`s whose `else` takes the
/// rest of the expression, the `otherwise`s chained on the current operand, and what the
/// brackets around the place had when they opened.
#[derive(Clone, Copy, Default)]
struct Chain {
    outer: usize,
    ifs: usize,
    otherwise: usize,
}

impl Chain {
    fn depth(self) -> usize {
        self.outer + self.ifs + self.otherwise
    }

    /// Inside a bracket opened here.
    fn inside(self) -> Chain {
        Chain { outer: self.depth(), ifs: 0, otherwise: 0 }
    }

    /// At the start of a clause or after a comma: a new expression.
    fn afresh(self) -> Chain {
        Chain { outer: self.outer, ifs: 0, otherwise: 0 }
    }
}

/// A byte of a word (an identifier or keyword).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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

fn too_long_chain(file: &SourceFile, span: Span) -> Diag {
    Diag::error("precept::parse::too-deep", format!("more than {MAX_CHAIN} `otherwise` and `if` chained in one expression"))
        .at(file, span, "one too many here")
        .help("each `otherwise` and `else if` nests the rest of the expression inside it: bracket parts of the chain, or split the condition into separate `require` clauses")
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

    fn chain(n: usize, word: &str) -> String {
        format!("rule r {{ require {} }}", vec!["x"; n + 1].join(&format!(" {word} ")))
    }

    #[test]
    fn chains_are_refused_past_the_limit_and_brackets_and_clauses_start_afresh() {
        for word in ["otherwise", "if"] {
            assert!(check_nesting(&SourceFile::new("t", chain(MAX_CHAIN, word))).is_ok(), "{word}");
            let err = check_nesting(&SourceFile::new("t", chain(MAX_CHAIN + 1, word))).err();
            assert_eq!(err.map(|d| d.code.to_string()), Some("precept::parse::too-deep".to_string()), "{word}");
        }
        // A bracket's contents stop counting when it closes; a clause or a comma starts afresh.
        let bracketed = format!("rule r {{ require {} }}", vec!["(a otherwise b)"; 200].join(" and "));
        assert!(check_nesting(&SourceFile::new("t", bracketed)).is_ok());
        let clauses = vec!["require a otherwise b"; 200].join("\n");
        assert!(check_nesting(&SourceFile::new("t", format!("rule r {{ {clauses} }}"))).is_ok());
        let args = format!("rule r {{ require f({}) }}", vec!["a otherwise b"; 200].join(", "));
        assert!(check_nesting(&SourceFile::new("t", args)).is_ok());
        // A flat sum of terms with defaults is not a chain; a field named like a clause word does
        // not start a clause.
        let sum = format!("rule r {{ require {} >= 0 }}", vec!["record.a otherwise 0"; 200].join(" + "));
        assert!(check_nesting(&SourceFile::new("t", sum)).is_ok());
        let words = format!("rule r {{ require {} }}", vec!["record.a otherwise 0"; 200].join(" and "));
        assert!(check_nesting(&SourceFile::new("t", words)).is_ok());
        let field = format!("rule r {{ require {} }}", vec!["record.message"; 200].join(" otherwise "));
        assert!(check_nesting(&SourceFile::new("t", field)).is_err());
        // `else` takes the rest of the expression: `if`s chained by operators still nest.
        let ifs = format!("rule r {{ require {} }}", vec!["if a then b else false"; 200].join(" and "));
        assert!(check_nesting(&SourceFile::new("t", ifs)).is_err());
        // Words that merely contain a keyword, comments and strings do not count.
        let words = format!("rule r {{ require {} }}", vec!["gift otherwise_x"; 200].join(" + "));
        assert!(check_nesting(&SourceFile::new("t", words)).is_ok());
        let text = format!("rule r {{ message \"{}\" // {} \n }}", "if ".repeat(200), "otherwise ".repeat(200));
        assert!(check_nesting(&SourceFile::new("t", text)).is_ok());
        // Along nested brackets the counts add up: the parser's recursion does too.
        let nested = |levels: usize| {
            let text = format!(
                "rule r {{ require {}x{} }}",
                "a otherwise b otherwise c otherwise (".repeat(levels),
                ")".repeat(levels)
            );
            check_nesting(&SourceFile::new("t", text)).map_err(|d| d.message)
        };
        assert!(nested(MAX_CHAIN / 3).is_ok());
        assert!(nested(MAX_CHAIN / 3 + 1).is_err_and(|m| m.contains("chained")));
    }
}
