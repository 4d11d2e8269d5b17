//! The folder tree shows the pipeline, and no module reaches up it: text -> syntax tree -> checked
//! program and evaluation -> findings -> orchestration -> waived or baselined -> reports -> the
//! library API -> the command line. Each top-level module of `src/` has a layer; a `crate::x` path
//! in a module may name only modules of its own layer or below. A module added to `src/` must be
//! given a layer here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::BTreeMap;
use std::path::Path;

/// Layers, bottom first.
const LAYERS: &[&[&str]] = &[
    // Text and places, and what every step shares.
    &["text", "source", "glob", "calendar", "progress"],
    &["diagnostics", "ast", "input"],
    // Text -> syntax tree.
    &["syntax"],
    // Syntax tree -> checked, compiled program; its evaluation over records and role files.
    &["check", "engine", "data", "roles", "formatter"],
    // Findings as values; rules as SQL (`precept sql`).
    &["findings", "sql"],
    // Orchestration: a check over files and folders (by the engine, or by DuckDB: `duck`; or
    // findings exported from a warehouse read back: `readback`); policy folders read from disk.
    &["pipeline", "workspace", "duck", "readback"],
    // Waived or baselined.
    &["suppress"],
    // Reports.
    &["report"],
    // The library API, and the policy tests run through it.
    &["api", "policytest"],
    // The command line, and the language server it runs.
    &["cli", "output_file", "lsp"],
];

/// Items the crate root re-exports, by the module they come from.
const ROOT: &[(&str, &str)] = &[
    ("Engine", "api"),
    ("Records", "api"),
    ("Run", "api"),
    ("Options", "api"),
    ("Status", "api"),
    ("Diagnostic", "api"),
    ("PolicySource", "api"),
    ("Severity", "ast"),
    ("Format", "data"),
    ("Finding", "findings"),
    ("Standing", "findings"),
    ("Subject", "findings"),
    ("Summary", "findings"),
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The modules each top-level module names with `crate::`, outside comments.
fn imports(src: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src).into_iter().map(|e| e.expect("src/ can be read")) {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let module = ROOT.iter().find(|(item, _)| *item == name).map_or(name.clone(), |(_, m)| m.to_string());
                if module != top {
                    out.entry(top.clone()).or_default().push((module, format!("{}:{}", rel.display(), n + 1)));
                }
            }
        }
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, deps) in imports(&src) {
        let Some(mine) = layer(&module) else {
            wrong.push(format!("`{module}` has no layer in tests/layers.rs"));
            continue;
        };
        for (dep, at) in deps {
            match layer(&dep) {
                None => wrong.push(format!("{at}: `crate::{dep}` is not a module with a layer")),
                Some(theirs) if theirs > mine => {
                    wrong.push(format!("{at}: `{module}` (layer {mine}) imports `{dep}` (layer {theirs}), above it"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_an_import_from_above() {
    // The scan must find what it looks for: `report` does import `findings`, below it, and a
    // made-up import from `report` of `cli` would be caught.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = imports(&src);
    assert!(found.get("report").is_some_and(|d| d.iter().any(|(m, _)| m == "findings")));
    assert!(layer("cli") > layer("report"));
}
