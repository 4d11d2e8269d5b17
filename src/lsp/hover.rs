//! Hover: what a name under the cursor is (a field's type and schema; a rule's title, cite,
//! severity and help; a code's level and parent; a calendar's definition), or a built-in
//! function's signature and doc.

use super::spot::Spot;
use crate::check::index::{Def, Detail, Index, Symbol};
use crate::engine::builtins::BUILTINS;
use crate::source::Span;

/// Markdown about what is at the spot, and the span (in the document) it is about.
pub fn hover(spot: &Spot) -> Option<(String, Span)> {
    if let Some(file) = spot.fresh_file() {
        let index = &spot.analysis.index;
        if let Some(occ) = index.at(file, spot.offset) {
            if let Some(def) = index.definition(&occ.symbol) {
                return Some((describe(index, def), occ.span));
            }
        }
    }
    builtin(spot)
}

/// A built-in function named at the cursor, when a `(` follows the name.
fn builtin(spot: &Spot) -> Option<(String, Span)> {
    let (word, start) = spot.word()?;
    let after = spot.text.get(start + word.len()..)?;
    if !after.trim_start().starts_with('(') {
        return None;
    }
    let text = builtin_doc(word)?;
    Some((text, Span::new(start, start + word.len())))
}

/// The signature and doc of the built-in function `name` (each arity's doc, once).
pub fn builtin_doc(name: &str) -> Option<String> {
    let entries: Vec<_> = BUILTINS.iter().filter(|b| b.name == name).collect();
    let first = entries.first()?;
    let mut docs: Vec<&str> = Vec::new();
    for b in &entries {
        if !docs.contains(&b.doc) {
            docs.push(b.doc);
        }
    }
    let mut text = format!("```precept\n{}\n```\nbuilt-in function\n", first.signature);
    for doc in docs {
        text.push_str(&format!("\n- {doc}"));
    }
    if first.example != first.signature {
        text.push_str(&format!("\n\nfor example `{}`", first.example));
    }
    Some(text)
}

/// Markdown about a declaration.
pub fn describe(index: &Index, def: &Def) -> String {
    match (&def.symbol, &def.detail) {
        (Symbol::Schema(name), Detail::Schema { fields, identified_by }) => {
            let mut text = format!("```precept\nschema {name}\n```\n{fields} field{}", plural(*fields));
            if let Some(id) = identified_by {
                text.push_str(&format!(", identified by `{id}`"));
            }
            text
        }
        (Symbol::Field { schema, path }, Detail::Field { ty, optional, column, .. }) => {
            let name = path.last().map_or("", String::as_str);
            let mut text = format!(
                "```precept\n{name}: {ty}{}\n```\nfield `{}` of schema `{schema}`",
                if *optional { "?" } else { "" },
                path.join(".")
            );
            if *optional {
                text.push_str(" (may be missing)");
            }
            if let Some(column) = column {
                text.push_str(&format!("\n\nCSV column \"{column}\""));
            }
            text
        }
        (Symbol::Calendar(name), Detail::Calendar { file, zone }) => {
            let mut text = format!("```precept\ncalendar {name}\n```\nbusiness calendar");
            if let Some(file) = file {
                text.push_str(&format!(" defined in `{file}`"));
            }
            if let Some(zone) = zone {
                text.push_str(&format!(", zone `{zone}`"));
            }
            text
        }
        (Symbol::Code(name), Detail::Code { level, extends, version, source, clauses }) => {
            let mut text = format!("```precept\ncode \"{name}\"\n```\n");
            let mut lines = Vec::new();
            lines.push(format!("level: {}", level.map_or("(not given)", |l| l.as_str())));
            if let Some(parent) = extends {
                lines.push(format!("extends: \"{parent}\""));
            }
            if let Some(v) = version {
                lines.push(format!("version: {v}"));
            }
            if let Some(s) = source {
                lines.push(format!("source: {s}"));
            }
            let rules =
                index.defs.iter().filter(|d| matches!(&d.symbol, Symbol::Rule { code, .. } if code == name)).count();
            lines.push(format!("{rules} rule{}", plural(rules)));
            if !clauses.is_empty() {
                lines.push(format!("{} clause{} listed", clauses.len(), plural(clauses.len())));
            }
            text.push_str(&lines.join("  \n"));
            text
        }
        (Symbol::Rule { code, id }, Detail::Rule { title, cite, severity, help, schema }) => {
            let mut text = format!("```precept\nrule {id}\n```\n");
            if let Some(title) = title {
                text.push_str(&format!("**{title}**\n\n"));
            }
            let mut lines = vec![format!("code: \"{code}\"")];
            lines.push(match severity {
                Some(s) => format!("severity: {}", s.as_str()),
                None => "severity: error (the default)".to_string(),
            });
            if let Some(schema) = schema {
                lines.push(format!("for: `{schema}`"));
            }
            if let Some(cite) = cite {
                match clause_title(index, code, cite) {
                    Some(title) => lines.push(format!("cite: {cite}, \"{title}\"")),
                    None => lines.push(format!("cite: {cite}")),
                }
            }
            if let Some(help) = help {
                lines.push(format!("help: {help}"));
            }
            if let Some(Symbol::Rule { code: parent, .. }) = index.replaced(&def.symbol) {
                lines.push(format!("overrides the rule of the same id in code \"{parent}\""));
            }
            text.push_str(&lines.join("  \n"));
            text
        }
        _ => String::new(),
    }
}

/// The title code `code` (or a code it extends) gives clause `id`, when it lists it with one.
fn clause_title<'a>(index: &'a Index, code: &str, id: &str) -> Option<&'a str> {
    let mut name = code;
    // A bounded walk up the `extends` chain: a cycle (reported by the checker) cannot loop here.
    for _ in 0..index.defs.len() {
        let (extends, clauses) = index.defs.iter().find_map(|d| match (&d.symbol, &d.detail) {
            (Symbol::Code(n), Detail::Code { extends, clauses, .. }) if n == name => Some((extends, clauses)),
            _ => None,
        })?;
        if let Some((_, title, _)) = clauses.iter().find(|(c, _, _)| c == id) {
            return title.as_deref();
        }
        name = extends.as_deref()?;
    }
    None
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
