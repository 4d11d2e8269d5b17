//! Every public item of the library's facade has an example: a doc comment holding a code block
//! (which `cargo test` runs as a doctest). The facade is the files below; everything else in the
//! crate is `#[doc(hidden)]` (see src/lib.rs), and so are items marked so here. Except what the
//! facade re-exports from those hidden modules (`pub use diagnostics::Diag as Diagnostic`): the
//! docs show those types at the crate root, so each re-exported item, and every public method and
//! constant of its own `impl` blocks (looked for in the file that defines it), needs an example
//! too; the rest of those files does not.
//!
//! This reads the source text rather than rustdoc's output (rustdoc's JSON needs nightly): a line
//! starting `pub fn`, `pub struct`, `pub enum`, `pub trait`, `pub type` or `pub const` (and each
//! `fn` of a public trait) is an item; its doc comment is the `///` lines above it, among its
//! attributes. Skipped: `pub(crate)` and `pub(super)` items, items marked `#[doc(hidden)]`, the
//! methods of a hidden type, and anything in a `#[cfg(test)]` or `#[cfg(doctest)]` item.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The facade: the files whose public items the crate root and its public modules show.
const FACADE: &[&str] = &[
    "src/lib.rs",
    "src/api/mod.rs",
    "src/api/policies.rs",
    "src/api/records.rs",
    "src/api/run.rs",
    "src/findings/mod.rs",
    "src/findings/rule.rs",
    "src/findings/summary.rs",
    "src/findings/waivers.rs",
    "src/report/mod.rs",
];

#[test]
fn every_file_of_the_facade_modules_is_scanned() {
    // A file added to `api` or `findings` is part of the facade: it must be in the list above.
    for dir in ["src/api", "src/findings"] {
        let path = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(&path).unwrap() {
            let name = format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(FACADE.contains(&name.as_str()), "{name} is in a facade module but not in FACADE");
        }
    }
}

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

#[test]
fn every_item_the_facade_re_exports_from_hidden_modules_has_an_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |file: &str| {
        let path = format!("{root}/{file}");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
    };
    // Each hidden file, with the names the facade re-exports from it.
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in FACADE {
        for path in re_exports(&read(file)) {
            let (module, name) = resolve(file, &path);
            let Some(defined_in) = module_file(root, &module) else {
                // Not a module of this crate (a dependency's item): its docs are not ours.
                assert!(!module.is_empty(), "{file}: cannot place `pub use {}`", path.join("::"));
                continue;
            };
            if !FACADE.contains(&defined_in.as_str()) {
                wanted.entry(defined_in).or_default().insert(name);
            }
        }
    }
    // The crate root re-exports at least `Diagnostic`, `SourceFile` and `Span` from hidden modules:
    // finding none means the re-exports were not read.
    assert!(wanted.contains_key("src/source.rs"), "re-exports not found: {wanted:?}");
    let mut missing = Vec::new();
    for (file, names) in &wanted {
        let scan = scan_only(&read(file), Some(names));
        let undefined: Vec<&String> = names.difference(&scan.defined).collect();
        assert!(undefined.is_empty(), "re-exported from {file} but not defined there: {undefined:?}");
        missing.extend(scan.missing.into_iter().map(|(line, item)| format!("{file}:{line}: {item}")));
    }
    assert!(
        missing.is_empty(),
        "items the facade re-exports from hidden modules without an example (a doc comment with a ``` block):\n{}",
        missing.join("\n")
    );
}

/// Re-exports are read as the compiler reads them: groups, renames, paths from the crate root, from
/// the module itself and from its parent; and placed in the files that define them.
#[test]
fn re_exports_are_read_and_placed() {
    let source = r#"
//! ```
//! pub use not::This;
//! ```
pub use api::{Engine, Options, Status};
pub use diagnostics::Diag as Diagnostic;
pub use diagnostics::{Label as DiagnosticLabel, Level as DiagnosticLevel};
pub use crate::diagnostics::render::Style;
pub use engine::{
    authority::Evidence,
    program::Program,
};
use ast::Internal;
pub(crate) use ast::Crate;
"#;
    let paths: Vec<String> = re_exports(source).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "api::Engine",
            "api::Options",
            "api::Status",
            "diagnostics::Diag",
            "diagnostics::Label",
            "diagnostics::Level",
            "crate::diagnostics::render::Style",
            "engine::authority::Evidence",
            "engine::program::Program",
        ]
    );
    let placed = |file: &str, path: &str| {
        let (module, name) = resolve(file, &path.split("::").map(str::to_string).collect::<Vec<_>>());
        (module.join("::"), name)
    };
    assert_eq!(placed("src/lib.rs", "ast::Severity"), ("ast".into(), "Severity".into()));
    assert_eq!(
        placed("src/report/mod.rs", "crate::diagnostics::render::Style"),
        ("diagnostics::render".into(), "Style".into())
    );
    assert_eq!(placed("src/findings/mod.rs", "rule::RuleInfo"), ("findings::rule".into(), "RuleInfo".into()));
    assert_eq!(
        placed("src/api/records.rs", "super::policies::PolicySource"),
        ("api::policies".into(), "PolicySource".into())
    );
    assert_eq!(placed("src/api/records.rs", "self::inner::X"), ("api::records::inner".into(), "X".into()));
    let root = env!("CARGO_MANIFEST_DIR");
    let file = |module: &[&str]| module_file(root, &module.iter().map(|m| m.to_string()).collect::<Vec<_>>());
    assert_eq!(file(&["source"]).as_deref(), Some("src/source.rs"));
    assert_eq!(file(&["diagnostics"]).as_deref(), Some("src/diagnostics/mod.rs"));
    assert_eq!(file(&["engine", "authority"]).as_deref(), Some("src/engine/authority.rs"));
    assert_eq!(file(&[]).as_deref(), Some("src/lib.rs"));
    assert_eq!(file(&["serde_json"]), None);
}

/// Scanning only re-exported names takes those items and their `impl` blocks' public methods and
/// constants, and nothing else of the file.
#[test]
fn a_scan_of_re_exported_names_reads_only_those() {
    let source = r#"
/// Re-exported, with an example.
///
/// ```
/// ```
pub struct Shown;

impl Shown {
    /// No example.
    pub fn method(&self) {}

    /// No example.
    pub const LIMIT: usize = 3;

    /// Not public.
    fn private(&self) {}

    /// Hidden.
    #[doc(hidden)]
    pub fn hidden(&self) {}
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

/// Re-exported under another name, without an example.
pub enum Renamed {
    A,
}

/// Not re-exported.
pub struct Internal;

impl Internal {
    pub fn method(&self) {}
}

pub fn free_function() {}

pub mod inner {
    /// Not the re-exported one: a namesake in a nested module.
    pub struct Shown;
}
"#;
    let names: BTreeSet<String> = ["Shown", "Renamed", "Absent"].iter().map(|n| n.to_string()).collect();
    let scan = scan_only(source, Some(&names));
    let found: Vec<&str> = scan.missing.iter().map(|(_, item)| item.as_str()).collect();
    assert_eq!(found, ["pub fn method(&self) {}", "pub const LIMIT: usize = 3;", "pub enum Renamed {"]);
    assert_eq!(scan.checked, 4);
    let defined: Vec<&str> = scan.defined.iter().map(String::as_str).collect();
    assert_eq!(defined, ["Renamed", "Shown"]);
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
    let scan = scan_only(source, None);
    (scan.checked, scan.missing)
}

/// What a scan saw.
#[derive(Debug, Default)]
struct Scan {
    /// How many items it checked.
    checked: usize,
    /// Those without an example, as (1-based line, the item's first line).
    missing: Vec<(usize, String)>,
    /// Of the names it was asked about, those it found defined at the top of the file.
    defined: BTreeSet<String>,
}

/// The public items of `source` and those without an example; with `only`, just the items of those
/// names defined at the top of the file, and the public methods and constants of their `impl`
/// blocks there (a re-export brings nothing else of a hidden file into the docs).
fn scan_only(source: &str, only: Option<&BTreeSet<String>>) -> Scan {
    let lines: Vec<&str> = source.lines().collect();
    let code: Vec<String> = code_only(source).lines().map(str::to_string).collect();
    let hidden_types = hidden_types(&lines);
    let mut scan = Scan::default();
    let mut depth = 0usize;
    // Blocks being skipped (their contents are not facade), public traits being read and, with
    // `only`, `impl` blocks of the names asked about, each by the depth at which they close.
    let mut skip_until: Option<usize> = None;
    let mut traits: Vec<usize> = Vec::new();
    let mut impls: Vec<usize> = Vec::new();
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
            let in_trait = traits.last() == Some(&depth.saturating_sub(1)) && is_fn(trimmed);
            let wanted = match only {
                None => is_public_item(trimmed),
                Some(names) => {
                    let named = depth == 0 && item_name(trimmed).is_some_and(|n| names.contains(n));
                    if named {
                        scan.defined.extend(item_name(trimmed).map(str::to_string));
                    }
                    if depth == 0 && opens > closes && impl_of(trimmed).is_some_and(|t| names.contains(t)) {
                        impls.push(depth);
                    }
                    let in_impl = impls.last() == Some(&depth.saturating_sub(1)) && depth > 0;
                    named || (in_impl && is_public_item(trimmed))
                }
            };
            if starts_item && excluded {
                if opens > closes {
                    skip_until = Some(depth);
                }
            } else if wanted || in_trait {
                scan.checked += 1;
                if !has_example(&lines, i) {
                    scan.missing.push((i + 1, trimmed.to_string()));
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
        while impls.last().is_some_and(|&d| depth <= d) && closes > 0 {
            impls.pop();
        }
    }
    scan
}

fn is_public_item(line: &str) -> bool {
    item_name(line).is_some()
}

/// The name of the public item a line declares (`pub struct Diag {` is `Diag`).
fn item_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("pub ")?;
    let rest = rest.strip_prefix("const ").filter(|r| r.starts_with("fn ")).unwrap_or(rest);
    let rest = ["fn ", "struct ", "enum ", "trait ", "type ", "const "].iter().find_map(|k| rest.strip_prefix(k))?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The paths a file re-exports (`pub use a::{B, c::D as E};` gives `a::B` and `a::c::D`), each
/// as its segments; comments and strings (doc examples) are not read.
fn re_exports(source: &str) -> Vec<Vec<String>> {
    let code = code_only(source);
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("pub use ") {
        let starts_line = rest[..at].chars().next_back().is_none_or(|c| c == '\n' || c == ' ');
        let statement = &rest[at + "pub use ".len()..];
        let Some(end) = statement.find(';') else { break };
        if starts_line {
            let tree = statement[..end].split_whitespace().collect::<Vec<_>>().join(" ");
            expand(&tree, &mut Vec::new(), &mut paths);
        }
        rest = &statement[end..];
    }
    paths
}

/// The paths of a use tree (`a::{B, c::D as E}`), after `prefix`, into `out`.
fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let depth_before = prefix.len();
    let mut rest = tree.trim();
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.strip_suffix('}').unwrap_or_else(|| panic!("unbalanced use tree `{tree}`"));
            for part in split_top(group) {
                expand(part, prefix, out);
            }
            break;
        }
        match rest.split_once("::") {
            Some((segment, tail)) if !segment.contains('{') => {
                prefix.push(segment.to_string());
                rest = tail;
            }
            _ => {
                assert!(rest != "*", "a glob re-export (`{}::*`) cannot be checked item by item", prefix.join("::"));
                let name = rest.split_once(" as ").map_or(rest, |(name, _)| name);
                let mut path = prefix.clone();
                path.push(name.to_string());
                out.push(path);
                break;
            }
        }
    }
    prefix.truncate(depth_before);
}

/// `a, b::{c, d}, e` split at its top-level commas.
fn split_top(group: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (at, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&group[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&group[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// The module (from the crate root) and the name a `pub use` path in `file` refers to.
fn resolve(file: &str, path: &[String]) -> (Vec<String>, String) {
    let mut module = module_of(file);
    let (name, segments) = path.split_last().unwrap_or_else(|| panic!("an empty path in {file}"));
    let mut segments = segments.iter().peekable();
    if segments.peek().is_some_and(|s| *s == "crate") {
        module.clear();
        segments.next();
    }
    for segment in segments {
        match segment.as_str() {
            "self" => {}
            "super" => {
                module.pop();
            }
            other => module.push(other.to_string()),
        }
    }
    (module, name.clone())
}

/// The module a source file is (`src/api/mod.rs` is `api`, `src/findings/rule.rs` is
/// `findings::rule`).
fn module_of(file: &str) -> Vec<String> {
    let path = file.strip_prefix("src/").unwrap_or(file).trim_end_matches(".rs");
    let mut module: Vec<String> = path.split('/').map(str::to_string).collect();
    if module.last().is_some_and(|m| m == "mod" || m == "lib") {
        module.pop();
    }
    module
}

/// The file (relative to the crate) that holds `module`, if it is one of this crate's.
fn module_file(root: &str, module: &[String]) -> Option<String> {
    if module.is_empty() {
        return Some("src/lib.rs".to_string());
    }
    let base = format!("src/{}", module.join("/"));
    [format!("{base}.rs"), format!("{base}/mod.rs")]
        .into_iter()
        .find(|file| std::path::Path::new(&format!("{root}/{file}")).is_file())
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
