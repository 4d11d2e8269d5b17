//! File patterns (globs) from settings, waivers and schemas, compiled so that no pattern can crash a run.
//!
//! Every glob Precept accepts from a user goes through [`compile`]. globset turns a glob into a regular
//! expression and, in `Glob::compile_matcher`, `expect`s that expression to compile; it does not when
//! braces nest deeper than the regex parser's nesting limit (250 groups, which about 120 nested `{...}`
//! reach) or when the expression outgrows the regex size limit (huge alternations). Its translation is
//! also recursive in the nesting depth. So the cause is met in two layers: a pattern is first checked
//! for length and brace nesting against documented bounds (far above any real file pattern), and is
//! then compiled through `GlobSetBuilder::build`, which returns globset's errors instead of panicking;
//! either failure is a [`GlobError`] that the caller reports at the pattern's place.

use std::fmt;

use globset::{Glob, GlobSet, GlobSetBuilder};

/// The longest pattern accepted, in bytes.
pub const MAX_LEN: usize = 1024;
/// The deepest nesting of `{...}` alternations accepted.
pub const MAX_NESTING: usize = 16;

/// A compiled file pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    set: GlobSet,
}

impl Pattern {
    /// Whether `path` (with `/` separators) matches.
    pub fn is_match(&self, path: impl AsRef<std::path::Path>) -> bool {
        self.set.is_match(path)
    }
}

/// Why a pattern was not accepted: a short label for the pattern's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError(pub String);

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pattern for a message: at most 60 characters, then an ellipsis (a 100,000-byte pattern is not
/// quoted whole into every report).
pub fn shown(pattern: &str) -> String {
    let mut out: String = pattern.chars().take(60).map(|c| if c == '`' { '\'' } else { c }).collect();
    if pattern.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

/// Compile one glob for matching, never panicking.
///
/// ```
/// assert!(precept::glob::compile("records/**/*.jsonl").is_ok_and(|p| p.is_match("records/a/b.jsonl")));
/// let deep = format!("{}a{}", "{".repeat(250), "}".repeat(250));
/// assert!(precept::glob::compile(&deep).is_err());
/// ```
pub fn compile(pattern: &str) -> Result<Pattern, GlobError> {
    let glob = check(pattern)?;
    let mut builder = GlobSetBuilder::new();
    builder.add(glob);
    match builder.build() {
        Ok(set) => Ok(Pattern { set }),
        Err(_) => Err(GlobError("too complex to compile".to_string())),
    }
}

/// Check a glob's syntax and bounds without compiling it (for the policy checker, which reports bad
/// schema patterns before any file is looked for).
pub fn check(pattern: &str) -> Result<Glob, GlobError> {
    if pattern.len() > MAX_LEN {
        return Err(GlobError(format!("longer than {MAX_LEN} bytes")));
    }
    if nesting(pattern) > MAX_NESTING {
        return Err(GlobError(format!("`{{...}}` nested deeper than {MAX_NESTING}")));
    }
    Glob::new(pattern).map_err(|e| GlobError(e.kind().to_string()))
}

/// The deepest nesting of braces, counting every `{` and `}` whatever surrounds it. This is an
/// upper bound on the nesting globset sees (a brace in a character class or after a backslash is
/// literal to globset, but counted here), so no spelling can slip past the bound: reading classes
/// and escapes exactly as globset does is where a bypass would hide (`[\]` is a whole class to
/// globset, not an escaped `]`).
fn nesting(pattern: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in pattern.chars() {
        match c {
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_patterns_match() {
        for (g, path, hit) in [
            ("*.jsonl", "a.jsonl", true),
            ("**/archive/**", "x/archive/y.csv", true),
            ("{a,b}/*.csv", "b/x.csv", true),
            ("{a,{b,c}}/*.csv", "d/x.csv", false),
            ("[{]x", "{x", true),
        ] {
            assert_eq!(compile(g).unwrap().is_match(path), hit, "{g} {path}");
        }
    }

    #[test]
    fn every_nesting_depth_is_an_answer_never_a_panic() {
        for depth in 1..=300 {
            let g = format!("{}a{}", "{".repeat(depth), "}".repeat(depth));
            let got = compile(&g);
            assert_eq!(got.is_ok(), depth <= MAX_NESTING, "depth {depth}");
        }
        // Nested alternations with several branches at every level still compile at the bound.
        let mut g = String::from("x");
        for i in 0..MAX_NESTING {
            g = format!("{{{g},y{i},z{i}}}");
        }
        assert!(compile(&g).is_ok());
    }

    #[test]
    fn long_and_wide_patterns_are_bounded() {
        assert!(compile(&"a".repeat(MAX_LEN)).is_ok());
        assert!(compile(&"a".repeat(MAX_LEN + 1)).is_err());
        let wide = format!("{{{}}}", (0..200).map(|i| format!("n{i}")).collect::<Vec<_>>().join(","));
        assert!(compile(&wide).is_ok_and(|p| p.is_match("n199")));
        assert!(compile(&"**/".repeat(300)).is_ok());
        assert!(compile(&"*?[a-z]".repeat(140)).is_ok());
        assert!(compile("{a,b").is_err());
        assert!(compile("[z-a]").is_err());
    }

    /// Every brace counts, so no class or escape spelling hides nesting from the bound.
    #[test]
    fn every_brace_counts_whatever_surrounds_it() {
        assert_eq!(nesting("[{{{{]"), 4);
        assert_eq!(nesting("\\{\\{\\{"), 3);
        assert_eq!(nesting("{a,{b}}"), 2);
        for prefix in ["", "[\\]", "[", "\\", "[!]", "[]]"] {
            let deep = format!("{prefix}{}x{}", "{".repeat(200), "}".repeat(200));
            assert!(compile(&deep).is_err(), "{prefix}");
        }
    }
}
