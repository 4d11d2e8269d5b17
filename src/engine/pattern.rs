//! A `matches` pattern as evaluation runs it.
//!
//! `regex::Regex` answers each question through its meta engine: a strategy picked per search, a
//! lazy DFA whose cache is taken from a pool (slowly, with a lock, on any thread but the one that
//! first used it) and given back. A findings-heavy run asks short texts (handler names, ticket
//! references) several questions each, and those searches were a twentieth of its time. A
//! pattern small enough is therefore also built into a fully compiled DFA, which is shared
//! read-only by every thread and answers with one pass over the text; the `Regex` stays for the
//! patterns that are not (a DFA is never built past [`DFA_LIMIT`] bytes), for texts the DFA gives
//! up on (a Unicode word boundary beside a non-ASCII letter) and for its source text.

use regex::Regex;
use regex_automata::dfa::{dense, Automaton};
use regex_automata::Input;

/// The most memory a pattern's DFA, or the building of it, may take. Past it the pattern is
/// searched by its `Regex` alone, so a pattern that explodes into states costs nothing extra.
pub const DFA_LIMIT: usize = 1 << 20;

/// A compiled `matches` pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    /// Boxed: a DFA's header is hundreds of bytes, and every node of a compiled expression would
    /// be as large as this pattern.
    dfa: Option<Box<dense::DFA<Vec<u32>>>>,
}

impl Pattern {
    /// The pattern for `regex`, with a DFA when one fits in [`DFA_LIMIT`]. Out of line: the
    /// builder's locals would otherwise sit in the frame of the type checker's recursion.
    #[inline(never)]
    pub fn new(regex: Regex) -> Pattern {
        let config = dense::Config::new()
            .dfa_size_limit(Some(DFA_LIMIT))
            .determinize_size_limit(Some(DFA_LIMIT))
            // ASCII texts get an answer; the DFA quits on a non-ASCII one, which the `Regex` answers.
            .unicode_word_boundary(true);
        let dfa = dense::Builder::new().configure(config).build(regex.as_str()).ok().map(Box::new);
        Pattern { regex, dfa }
    }

    /// Whether `text` holds a match anywhere, as [`Regex::is_match`] says.
    #[inline]
    pub fn is_match(&self, text: &str) -> bool {
        match self.dfa.as_ref().map(|d| d.try_search_fwd(&Input::new(text).earliest(true))) {
            Some(Ok(found)) => found.is_some(),
            _ => self.regex.is_match(text),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }

    /// Whether a DFA answers for it (tests and benchmarks check that the fast path is taken).
    pub fn has_dfa(&self) -> bool {
        self.dfa.is_some()
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
        assert!(std::mem::size_of::<Pattern>() <= std::mem::size_of::<Regex>() + std::mem::size_of::<usize>());
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
