//! A `matches` pattern as evaluation runs it.
//!
//! `regex::Regex` answers each question through its meta engine: a strategy picked per search, a
//! lazy DFA whose cache is taken from a pool (slowly, with a lock, on any thread but the one that
//! first used it) and given back. A findings-heavy run asks short texts (handler names, ticket
//! references) several questions each, and those searches were a twentieth of its time. A
//! pattern small enough is therefore also built into a fully compiled DFA, which is shared
//! read-only by every thread and answers with one pass over the text. The `Regex` stays for its
//! source text, for the patterns whose DFA would pass [`DFA_LIMIT`] bytes, and for the texts the
//! DFA gives up on: with a Unicode word boundary (`\b`, `\B`) in the pattern, any text in which
//! the DFA reads a non-ASCII byte before it can answer.

use std::sync::Arc;

use regex::Regex;
use regex_automata::dfa::{dense, Automaton};
use regex_automata::Input;

/// The most memory one pattern's DFA, or the building of it, may take; past it the building stops
/// and the pattern is searched by its `Regex` alone. Every use of `matches` in the policies builds
/// its own (a `let` is copied into each use), so a policy's patterns take at most this much each,
/// beside what each `Regex` holds; the patterns rules are written with (a reference format, a name
/// shape) take a few kilobytes.
pub const DFA_LIMIT: usize = 1 << 17;

/// A compiled `matches` pattern: one pointer, so that every node of a compiled expression stays
/// the size it was, and a clone shares the DFA rather than copying it.
#[derive(Debug, Clone)]
pub struct Pattern(Arc<Compiled>);

#[derive(Debug)]
struct Compiled {
    regex: Regex,
    dfa: Option<dense::DFA<Vec<u32>>>,
}

impl Pattern {
    /// The pattern for `regex`, with a DFA when one fits in [`DFA_LIMIT`]. Out of line: the
    /// builder's locals would otherwise sit in the frame of the type checker's recursion.
    #[inline(never)]
    pub fn new(regex: Regex) -> Pattern {
        let config = dense::Config::new()
            .dfa_size_limit(Some(DFA_LIMIT))
            .determinize_size_limit(Some(DFA_LIMIT))
            // A Unicode word boundary is built to answer ASCII texts; the DFA quits on the others.
            .unicode_word_boundary(true);
        let dfa = dense::Builder::new().configure(config).build(regex.as_str()).ok();
        Pattern(Arc::new(Compiled { regex, dfa }))
    }

    /// Whether `text` holds a match anywhere, as [`Regex::is_match`] says. Out of line, so that
    /// the search's state is not part of the evaluator's frame.
    #[inline(never)]
    pub fn is_match(&self, text: &str) -> bool {
        let Compiled { regex, dfa } = &*self.0;
        match dfa.as_ref().map(|d| d.try_search_fwd(&Input::new(text).earliest(true))) {
            Some(Ok(found)) => found.is_some(),
            _ => regex.is_match(text),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.0.regex.as_str()
    }

    /// Whether a DFA answers for it (tests check that the fast path is taken).
    pub fn has_dfa(&self) -> bool {
        self.0.dfa.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pattern(p: &str) -> Pattern {
        Pattern::new(Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}")))
    }

    #[test]
    fn small_patterns_get_a_dfa_and_a_pattern_stays_small() {
        assert!(pattern("^[a-z]+[.][a-z]+$").has_dfa());
        assert!(pattern(r"\bREF-[0-9]{4}\b").has_dfa());
        // Sixty Unicode word characters in a row make a DFA far past the limit.
        assert!(!pattern(r"\w{60}[0-9]").has_dfa());
        assert_eq!(std::mem::size_of::<Pattern>(), std::mem::size_of::<usize>());
        // A `matches` node is no larger than a constant's: the pattern adds nothing to every node.
        let constant = std::mem::size_of::<crate::engine::value::Value>() + std::mem::size_of::<usize>();
        assert!(std::mem::size_of::<crate::engine::program::CExpr>() <= constant);
    }

    #[test]
    fn a_unicode_word_boundary_beside_a_non_ascii_letter_is_answered_by_the_regex() {
        let p = pattern(r"\bcafé\b");
        assert!(p.has_dfa());
        assert!(p.is_match("un café noir"));
        assert!(!p.is_match("cafés"));
        assert!(!p.is_match("décafé"));
    }

    proptest! {
        /// The DFA answers as the regex crate does, on texts over a small alphabet with letters,
        /// digits, a dot, a space and non-ASCII letters.
        #[test]
        fn answers_as_the_regex_crate_does(
            p in prop::sample::select(vec![
                "^[a-z]+[.][a-z]+$", "^[A-Z]{2}-[0-9]+$", r"\bab\b", r"\Bé", "(?i)^AB", "a|é$", "^$", "",
                r"(?m)^b", r"[^a-z]", r"\d{2,}", "é+", r"^\w+$", r"\s",
            ]),
            text in "[abAB1. é\n]{0,12}",
        ) {
            let re = Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            prop_assert_eq!(Pattern::new(re.clone()).is_match(&text), re.is_match(&text), "{} on {:?}", p, text);
        }
    }
}
