//! Completion: fields after `record.` (and after an element bound by `all(a in record.list: a.`),
//! enumeration values after `==`, `!=`, `contains` and inside `in {`, schema names after `for` and
//! `on`, calendar names after `calendar` and `business days in`, code names in `extends "`, the
//! clauses codes list in `cite "`, and otherwise keywords, built-in functions (with their signatures), schemas and calendars.
//!
//! The context is read from the text before the cursor, not from the syntax tree: while a name is
//! being typed the file does not parse (`record.` alone is a syntax error), so the tree at hand is
//! the file's last good one. Names are looked up in the index, which holds every other file as it
//! is and this one as it last parsed.

use std::sync::OnceLock;

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};
use regex::Regex;

use super::hover::{builtin_doc, describe};
use super::spot::Spot;
use crate::check::index::{Detail, Index, Symbol};
use crate::engine::builtins::BUILTINS;

/// Words of the language offered where no other context applies.
const KEYWORDS: &[&str] = &[
    "schema",
    "identified",
    "by",
    "dated",
    "staff",
    "team",
    "column",
    "accept",
    "allow",
    "unused",
    "fields",
    "list",
    "of",
    "enum",
    "money",
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "duration",
    "calendar",
    "from",
    "zone",
    "working",
    "cutoff",
    "holidays",
    "code",
    "level",
    "industry",
    "organisational",
    "professional",
    "ethical",
    "version",
    "source",
    "extends",
    "not",
    "waivable",
    "relaxes",
    "effective",
    "until",
    "let",
    "define",
    "rule",
    "title",
    "severity",
    "error",
    "warning",
    "info",
    "cite",
    "clause",
    "for",
    "where",
    "require",
    "message",
    "help",
    "group",
    "as",
    "minimum",
    "records",
    "expect",
    "every",
    "each",
    "roles",
    "case",
    "opens",
    "closes",
    "pauses",
    "resumes",
    "on",
    "when",
    "at",
    "within",
    "is",
    "present",
    "missing",
    "otherwise",
    "implies",
    "and",
    "or",
    "in",
    "contains",
    "starts",
    "ends",
    "with",
    "matches",
    "if",
    "then",
    "else",
    "all",
    "any",
    "none",
    "count",
    "business",
    "days",
    "between",
    "true",
    "false",
    "now",
    "record",
    "opening",
];

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

const PATH: &str = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*";

/// The completions at the spot.
pub fn complete(spot: &Spot) -> Vec<CompletionItem> {
    static MEMBER: OnceLock<Option<Regex>> = OnceLock::new();
    static VALUE: OnceLock<Option<Regex>> = OnceLock::new();
    static SET: OnceLock<Option<Regex>> = OnceLock::new();
    static SCHEMA: OnceLock<Option<Regex>> = OnceLock::new();
    static CALENDAR: OnceLock<Option<Regex>> = OnceLock::new();
    static EXTENDS: OnceLock<Option<Regex>> = OnceLock::new();
    static CITE: OnceLock<Option<Regex>> = OnceLock::new();
    let mut at = spot.offset.min(spot.text.len());
    while !spot.text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &spot.text[..at];
    let index = &spot.analysis.index;

    if let Some(c) = re(&MEMBER, &format!(r"({PATH})\.\w*$")).and_then(|r| r.captures(before)) {
        let path: Vec<String> = c[1].split('.').map(str::to_string).collect();
        return fields(spot, before, &path);
    }
    let value = re(&VALUE, &format!(r"({PATH})\s*(?:==|!=|\bcontains)\s*\w*$")).and_then(|r| r.captures(before));
    let set = || re(&SET, &format!(r"({PATH})\s+(?:not\s+)?in\s*\{{[^{{}}]*$")).and_then(|r| r.captures(before));
    if let Some(c) = value.or_else(set) {
        let path: Vec<String> = c[1].split('.').map(str::to_string).collect();
        return values(spot, before, &path);
    }
    if re(&SCHEMA, r"\b(?:for|on)\s+\w*$").is_some_and(|r| r.is_match(before)) {
        return named(index, |s| matches!(s, Symbol::Schema(_)), CompletionItemKind::STRUCT);
    }
    if re(&CALENDAR, r"(?:\bcalendar|\bbusiness\s+days?\s+in|\bday\s+in)\s+\w*$").is_some_and(|r| r.is_match(before)) {
        return named(index, |s| matches!(s, Symbol::Calendar(_)), CompletionItemKind::MODULE);
    }
    if re(&EXTENDS, r#"\bextends\s+"[^"\n]*$"#).is_some_and(|r| r.is_match(before)) {
        return named(index, |s| matches!(s, Symbol::Code(_)), CompletionItemKind::MODULE);
    }
    if re(&CITE, r#"\bcite\s+"[^"\n]*$"#).is_some_and(|r| r.is_match(before)) {
        return clauses(index);
    }
    let mut items: Vec<CompletionItem> = KEYWORDS
        .iter()
        .map(|k| CompletionItem {
            label: (*k).to_string(),
            kind: Some(CompletionItemKind::KEYWORD),
            ..Default::default()
        })
        .collect();
    let mut seen = Vec::new();
    for b in BUILTINS {
        if seen.contains(&b.name) {
            continue;
        }
        seen.push(b.name);
        items.push(CompletionItem {
            label: b.name.to_string(),
            kind: Some(CompletionItemKind::FUNCTION),
            detail: Some(b.signature.to_string()),
            documentation: builtin_doc(b.name).map(markdown),
            ..Default::default()
        });
    }
    items.extend(named(index, |s| matches!(s, Symbol::Schema(_)), CompletionItemKind::STRUCT));
    items.extend(named(index, |s| matches!(s, Symbol::Calendar(_)), CompletionItemKind::MODULE));
    items
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
}

/// Every declared symbol `wanted` keeps, by name.
fn named(index: &Index, wanted: impl Fn(&Symbol) -> bool, kind: CompletionItemKind) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = Vec::new();
    for def in index.defs.iter().filter(|d| wanted(&d.symbol)) {
        let label = match &def.symbol {
            Symbol::Schema(n) | Symbol::Calendar(n) | Symbol::Code(n) => n.clone(),
            _ => continue,
        };
        if items.iter().any(|i| i.label == label) {
            continue;
        }
        items.push(CompletionItem {
            label,
            kind: Some(kind),
            documentation: Some(markdown(describe(index, def))),
            ..Default::default()
        });
    }
    items
}

/// Every clause a code lists, once per code, with its title and the code that lists it (the text
/// before the cursor does not say reliably which code it is in, so all codes' are offered).
fn clauses(index: &Index) -> Vec<CompletionItem> {
    let mut items: Vec<CompletionItem> = Vec::new();
    for def in &index.defs {
        let (Symbol::Code(code), Detail::Code { clauses, .. }) = (&def.symbol, &def.detail) else { continue };
        for (id, title, _) in clauses {
            items.push(CompletionItem {
                label: id.clone(),
                kind: Some(CompletionItemKind::REFERENCE),
                detail: title.clone(),
                documentation: Some(markdown(format!("a clause of code \"{code}\""))),
                ..Default::default()
            });
        }
    }
    items
}

/// The fields inside `path` (`record`, `record.customer`, `a` bound to a list of objects).
fn fields(spot: &Spot, before: &str, path: &[String]) -> Vec<CompletionItem> {
    let index = &spot.analysis.index;
    let mut items: Vec<CompletionItem> = Vec::new();
    for (schema, prefix) in resolve(spot, before, path, 0) {
        for def in index.fields(&schema, &prefix) {
            let (Symbol::Field { path, .. }, Detail::Field { ty, optional, .. }) = (&def.symbol, &def.detail) else {
                continue;
            };
            let Some(name) = path.last() else { continue };
            if items.iter().any(|i| i.label == *name) {
                continue;
            }
            items.push(CompletionItem {
                label: name.clone(),
                kind: Some(CompletionItemKind::FIELD),
                detail: Some(format!("{ty}{}", if *optional { "?" } else { "" })),
                documentation: Some(markdown(describe(index, def))),
                ..Default::default()
            });
        }
    }
    items
}

/// The values of the enumeration field at `path`.
fn values(spot: &Spot, before: &str, path: &[String]) -> Vec<CompletionItem> {
    let index = &spot.analysis.index;
    let Some((last, parent)) = path.split_last() else { return Vec::new() };
    let mut items: Vec<CompletionItem> = Vec::new();
    for (schema, mut prefix) in resolve(spot, before, parent, 0) {
        prefix.push(last.clone());
        let symbol = Symbol::Field { schema: schema.clone(), path: prefix.clone() };
        let Some(Detail::Field { variants, .. }) = index.definition(&symbol).map(|d| &d.detail) else { continue };
        for v in variants {
            if !items.iter().any(|i| i.label == *v) {
                items.push(CompletionItem {
                    label: v.clone(),
                    kind: Some(CompletionItemKind::ENUM_MEMBER),
                    detail: Some(format!("value of `{}` ({schema})", prefix.join("."))),
                    ..Default::default()
                });
            }
        }
    }
    items
}

/// The schemas and field paths `path` may stand for: `record...` in the rule being written, or an
/// element bound by `x in <list>` earlier in the text.
fn resolve(spot: &Spot, before: &str, path: &[String], depth: usize) -> Vec<(String, Vec<String>)> {
    let Some((head, rest)) = path.split_first() else { return Vec::new() };
    if head == "record" || head == "opening" {
        return schemas_here(spot, before).into_iter().map(|s| (s, rest.to_vec())).collect();
    }
    if depth > 8 {
        return Vec::new();
    }
    // `all(a in record.actions: a.` — the last binding of the name before the cursor.
    let Ok(binding) = Regex::new(&format!(r"\b{}\s+in\s+({PATH})\s*:", regex::escape(head))) else { return Vec::new() };
    let Some(c) = binding.captures_iter(before).last() else { return Vec::new() };
    let list: Vec<String> = c[1].split('.').map(str::to_string).collect();
    resolve(spot, before, &list, depth + 1)
        .into_iter()
        .map(|(schema, mut prefix)| {
            prefix.extend(rest.iter().cloned());
            (schema, prefix)
        })
        .collect()
}

/// The schema of the rule the cursor is in: its `for` clause, read from the text (the rule may
/// not parse yet), else the index's rule around the cursor; every schema when neither says.
fn schemas_here(spot: &Spot, before: &str) -> Vec<String> {
    static RULE: OnceLock<Option<Regex>> = OnceLock::new();
    static FOR: OnceLock<Option<Regex>> = OnceLock::new();
    let index = &spot.analysis.index;
    let known = |name: &str| index.definition(&Symbol::Schema(name.to_string())).is_some();
    if let (Some(rule), Some(scope)) = (re(&RULE, r"\brule\s+[\w-]+\s*\{"), re(&FOR, r"\bfor\s+([A-Za-z_]\w*)")) {
        if let Some(start) = rule.find_iter(before).last().map(|m| m.end()) {
            let after = &spot.text[start..];
            let end = rule.find(after).map_or(after.len(), |m| m.start());
            if let Some(c) = scope.captures_iter(&after[..end]).find(|c| known(&c[1])) {
                return vec![c[1].to_string()];
            }
        }
    }
    if let Some(file) = spot.fresh_file() {
        if let Some(Detail::Rule { schema: Some(s), .. }) = index.rule_at(file, spot.offset).map(|d| &d.detail) {
            return vec![s.clone()];
        }
    }
    index
        .defs
        .iter()
        .filter_map(|d| match &d.symbol {
            Symbol::Schema(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}
