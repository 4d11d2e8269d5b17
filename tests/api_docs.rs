//! Every public item of the library's facade has an example: a doc comment holding a code block
//! (which `cargo test` runs as a doctest). The facade is the files below; everything else in the
//! crate is `#[doc(hidden)]` (see src/lib.rs), and so are items marked so here.
//!
//! This reads the source text rather than rustdoc's output (rustdoc's JSON needs nightly): a line
//! starting `pub fn`, `pub struct`, `pub enum`, `pub trait`, `pub type` or `pub const` (and each
//! `fn` of a public trait) is an item; its doc comment is the `///` lines above it, among its
//! attributes. Skipped: `pub(crate)` and `pub(super)` items, items marked `#[doc(hidden)]`, the
//! methods of a hidden type, and anything in a `#[cfg(test)]` or `#[cfg(doctest)]` item.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::HashSet;

/// The facade: the files whose public items the crate root and its public modules show.
const FACADE: &[&str] = &[
    "src/lib.rs",
    "src/api/mod.rs",
    "src/api/policies.rs",
    "src/api/records.rs",
    "src/findings/mod.rs",
    "src/findings/rule.rs",
    "src/findings/summary.rs",
    "src/report/mod.rs",
];

#[test]
fn every_public_item_of_the_facade_has_an_example() {
    let mut missing = Vec::new();
    for file in FACADE {
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        let (items, without) = scan(&text);
        // Every facade file but lib.rs (which only declares modules and re-exports) has items: a
        // scan that sees none there is broken, not satisfied.
        assert!(items > 0 || *file == "src/lib.rs", "no public items found in {file}");
        missing.extend(without.into_iter().map(|(line, item)| format!("{file}:{line}: {item}")));
    }
    assert!(
        missing.is_empty(),
        "public items without an example (a doc comment with a ``` block) in the facade:\n{}",
        missing.join("\n")
    );
}

/// The scan finds what it should: an undocumented item, one documented without an example, a trait
/// method; and leaves alone what it should.
#[test]
fn the_scan_reports_items_without_examples_and_only_those() {
    let source = r#"
/// Documented, with an example.
///
/// ```
/// assert!(true);
/// ```
#[derive(Debug)]
pub struct Good;

/// Documented, but no example.
pub struct NoExample;

pub fn undocumented() {}

/// Only a text block.
///
/// ```text
/// not Rust
/// ```
pub const TEXT_ONLY: u8 = 0;

/// Generic, hidden.
#[doc(hidden)]
pub struct Wrapper<'a>(&'a str);

impl<'a, T: Into<Option<&'a str>>> From<T> for Wrapper<'a> {
    fn from(_: T) -> Self {
        Wrapper("")
    }
}

impl<'a> Wrapper<'a> {
    pub fn of_a_hidden_generic_type() {}
}

pub(crate) fn internal() {}

/// Hidden.
#[doc(hidden)]
pub struct Hidden;

impl Hidden {
    pub fn of_a_hidden_type() {}
}

impl Good {
    /// A method without an example; `{` in a string: "{".
    pub fn method(&self) -> char {
        '{'
    }
}

/// A trait, with an example.
///
/// ```
/// ```
pub trait Shown {
    /// No example.
    fn required(&self);
}

#[cfg(test)]
mod tests {
    pub fn in_tests() {}
}
"#;
    let found: Vec<String> = items_without_example(source).into_iter().map(|(_, item)| item).collect();
    assert_eq!(
        found,
        [
            "pub struct NoExample;",
            "pub fn undocumented() {}",
            "pub const TEXT_ONLY: u8 = 0;",
            "pub fn method(&self) -> char {",
            "fn required(&self);",
        ]
    );
}

/// The public items of `source` without an example, as (1-based line, the item's first line).
fn items_without_example(source: &str) -> Vec<(usize, String)> {
    scan(source).1
}

/// How many public items `source` has, and those without an example.
fn scan(source: &str) -> (usize, Vec<(usize, String)>) {
    let lines: Vec<&str> = source.lines().collect();
    let code: Vec<String> = code_only(source).lines().map(str::to_string).collect();
    let hidden_types = hidden_types(&lines);
    let mut missing = Vec::new();
    let mut checked = 0;
    let mut depth = 0usize;
    // Blocks being skipped (their contents are not facade) and public traits being read, each by
    // the depth at which they close.
    let mut skip_until: Option<usize> = None;
    let mut traits: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let opens = code[i].matches('{').count();
        let closes = code[i].matches('}').count();
        if skip_until.is_none() {
            let attrs = attributes_above(&lines, i);
            let starts_item = !trimmed.starts_with('#') && !trimmed.starts_with("//") && !trimmed.is_empty();
            let excluded = attrs.iter().any(|a| {
                a.starts_with("#[cfg(test)]") || a.starts_with("#[cfg(doctest)]") || a.starts_with("#[doc(hidden)]")
            }) || impl_of(trimmed).is_some_and(|t| hidden_types.contains(t));
            if starts_item && excluded {
                if opens > closes {
                    skip_until = Some(depth);
                }
            } else if is_public_item(trimmed) || (traits.last() == Some(&depth.saturating_sub(1)) && is_fn(trimmed)) {
                checked += 1;
                if !has_example(&lines, i) {
                    missing.push((i + 1, trimmed.to_string()));
                }
                if trimmed.starts_with("pub trait ") && opens > closes {
                    traits.push(depth);
                }
            }
        }
        depth = (depth + opens).saturating_sub(closes);
        if skip_until.is_some_and(|d| depth <= d) && opens + closes > 0 {
            skip_until = None;
        }
        while traits.last().is_some_and(|&d| depth <= d) && closes > 0 {
            traits.pop();
        }
    }
    (checked, missing)
}

fn is_public_item(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("pub ") else { return false };
    let rest = rest.strip_prefix("const fn ").map_or(rest, |_| "fn ");
    ["fn ", "struct ", "enum ", "trait ", "type ", "const "].iter().any(|k| rest.starts_with(k))
}

fn is_fn(line: &str) -> bool {
    line.starts_with("fn ")
}

/// The type an `impl` line is for (`impl Foo {`, `impl<T: Into<U>> Trait for Foo<T> {`).
fn impl_of(line: &str) -> Option<&str> {
    let mut rest = line.strip_prefix("impl")?;
    if rest.starts_with('<') {
        // Skip the impl's generic parameters, however nested.
        let mut depth = 0usize;
        let end = rest.char_indices().find_map(|(at, c)| {
            match c {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                _ => {}
            }
            (depth == 0).then_some(at + 1)
        })?;
        rest = &rest[end..];
    }
    let rest = rest.rsplit_once(" for ").map_or(rest, |(_, ty)| ty);
    rest.trim_start().split(|c: char| !(c.is_alphanumeric() || c == '_')).next()
}

/// Names of the types marked `#[doc(hidden)]`.
fn hidden_types(lines: &[&str]) -> HashSet<String> {
    let mut names = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(rest) = ["pub struct ", "pub enum ", "pub trait "].iter().find_map(|k| t.strip_prefix(k)) else {
            continue;
        };
        if attributes_above(lines, i).iter().any(|a| a.starts_with("#[doc(hidden)]")) {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            names.insert(name);
        }
    }
    names
}

/// The attribute lines directly above line `i` (through its doc comment).
fn attributes_above<'a>(lines: &[&'a str], i: usize) -> Vec<&'a str> {
    lines[..i]
        .iter()
        .rev()
        .map(|l| l.trim_start())
        .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
        .filter(|l| l.starts_with("#["))
        .collect()
}

/// Whether the doc comment above line `i` holds a Rust code block: one whose opening fence has no
/// language, or `rust`, as rustdoc runs them (a closing fence is not an opening one).
fn has_example(lines: &[&str], i: usize) -> bool {
    let above =
        lines[..i].iter().rev().map(|l| l.trim_start()).take_while(|l| l.starts_with("#[") || l.starts_with("///"));
    let mut doc: Vec<&str> = above.filter_map(|l| l.strip_prefix("///")).map(str::trim).collect();
    doc.reverse();
    let mut in_block = false;
    for line in doc {
        let Some(info) = line.strip_prefix("```") else { continue };
        if !in_block && (info.is_empty() || info.split(',').any(|w| w.trim() == "rust")) {
            return true;
        }
        in_block = !in_block;
    }
    false
}

/// `source` with the text of comments, strings and character literals blanked (newlines kept), so
/// braces can be counted.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                out.push(blank(chars[i]));
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i) {
            // A raw string: r"...", r#"..."#, ...
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() && !(chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#'))) {
                j += 1;
            }
            let end = (j + 1 + hashes).min(chars.len());
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal (not a lifetime).
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '\'' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}
