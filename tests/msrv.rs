//! `rust-version` in Cargo.toml must be true for the committed Cargo.lock: no crate the project
//! builds may need a newer compiler than the one Cargo.toml (and the README) promise. A crate
//! update that raises the bar fails this test instead of failing a user's first build.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// A `rust-version` as comparable numbers: `1.88` and `1.88.0` are the same version.
fn parse_version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> =
        text.split('.').map(|p| p.parse().unwrap_or_else(|_| panic!("`{text}` is not a rust-version"))).collect();
    parts.resize(3, 0);
    parts
}

/// Whether `cargo metadata` could run here; absent it, the check fails under CI and is skipped
/// with a message otherwise (the pattern of `common::have_tool`).
fn metadata() -> Option<Value> {
    let cargo = env!("CARGO");
    // The host's triple, so the graph is the one `cargo test` builds here: `cargo test` downloads
    // only the crates of the platform it builds for, so without `--filter-platform` an offline
    // `cargo metadata` would want other platforms' crates (`windows-sys`, ...) that a clean
    // machine has never fetched. CI on another platform checks that platform's graph.
    let host = Command::new(cargo)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("host: ").map(str::to_string)));
    let out = host.as_ref().and_then(|host| {
        // `--locked`: the committed Cargo.lock as it is, never re-resolved. `--offline`: the lock
        // names every crate and `cargo test` has already fetched the host's ones, so no network
        // is needed beyond what `cargo test` itself needed.
        Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--locked", "--offline"])
            .args(["--filter-platform", host])
            .current_dir(common::root())
            .output()
            .ok()
    });
    let failure = match &out {
        None => format!("`{cargo}` could not be run"),
        Some(o) if !o.status.success() => {
            format!("`cargo metadata` failed: {}", String::from_utf8_lossy(&o.stderr).trim())
        }
        Some(o) => return Some(serde_json::from_slice(&o.stdout).expect("cargo metadata prints JSON")),
    };
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(!ci, "{failure}, and CI=true: the rust-version check must run in CI");
    eprintln!("skipping the rust-version check: {failure}");
    None
}

/// The packages `cargo build` and `cargo test` compile: everything reachable from `precept` through
/// normal and build dependencies, plus `precept`'s own dev-dependencies (they are compiled by
/// `cargo test`, the README's test command, so they count) and what those reach in turn. The
/// dev-dependencies of dependencies are never built, so they do not count.
fn built_packages(meta: &Value) -> BTreeSet<String> {
    let resolve = &meta["resolve"];
    let root = resolve["root"].as_str().expect("a root package").to_string();
    let nodes: HashMap<&str, &Value> =
        resolve["nodes"].as_array().expect("resolve nodes").iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root.clone()];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        for dep in nodes[id.as_str()]["deps"].as_array().unwrap() {
            let kinds = dep["dep_kinds"].as_array().unwrap();
            // `kind` is null for a normal dependency, "build" or "dev" otherwise.
            let used = kinds.iter().any(|k| k["kind"].as_str() != Some("dev") || id == root);
            if used {
                stack.push(dep["pkg"].as_str().unwrap().to_string());
            }
        }
    }
    seen
}

#[test]
fn rust_version_covers_every_locked_crate_built_and_the_readme_says_it() {
    let Some(meta) = metadata() else { return };
    let packages: HashMap<&str, &Value> =
        meta["packages"].as_array().expect("packages").iter().map(|p| (p["id"].as_str().unwrap(), p)).collect();
    let built = built_packages(&meta);
    let root = meta["resolve"]["root"].as_str().unwrap();
    let claimed = packages[root]["rust_version"].as_str().expect("Cargo.toml states a rust-version").to_string();

    // A graph this small would mean the walk lost its way, and the check below could not fail.
    assert!(built.len() > 50, "only {} packages found in the build graph", built.len());
    assert!(built.iter().any(|id| packages[id.as_str()]["name"] == "jsonschema"), "dev-deps walked");

    let mut needs: Vec<(Vec<u64>, String)> = built
        .iter()
        .filter(|id| id.as_str() != root)
        .filter_map(|id| {
            let p = packages[id.as_str()];
            let rv = p["rust_version"].as_str()?;
            Some((parse_version(rv), format!("{} {} needs {rv}", p["name"].as_str()?, p["version"].as_str()?)))
        })
        .collect();
    needs.sort();
    let (_, why) = needs.last().expect("some locked crate states a rust-version");
    let too_new: Vec<&str> =
        needs.iter().filter(|(v, _)| v > &parse_version(&claimed)).map(|(_, why)| why.as_str()).collect();
    assert!(
        too_new.is_empty(),
        "Cargo.toml says rust-version = \"{claimed}\", but the locked crates need more: {too_new:?}"
    );
    // Only "not lower" is checked: the project's own code may need a newer compiler than any crate
    // it uses, which no lock file shows. Today the highest need is printed for whoever bumps it.
    eprintln!("rust-version = \"{claimed}\"; highest locked need: {why}");

    // The README's promise to a new user is the same version.
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let said: Vec<&str> = regex::Regex::new(r"\b(\d+\.\d+(?:\.\d+)?) or later\b")
        .unwrap()
        .captures_iter(&readme)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert!(!said.is_empty(), "README.md does not say which Rust version it needs (`X.Y or later`)");
    for s in said {
        assert_eq!(parse_version(s), parse_version(&claimed), "README.md says Rust {s} or later");
    }
}
