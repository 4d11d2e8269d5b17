//! `precept fmt`'s promises over every policy file in the repository: the formatted text parses to
//! the same tree (up to spans), keeps every comment in order, and formatting it again changes
//! nothing. Files that do not parse (the malformed fixtures) are skipped, and counted, so the test
//! cannot pass by skipping everything.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::path::Path;

use precept::formatter::verify::check_promises;
use precept::source::SourceFile;

fn policy_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["policies", "examples", "fixtures", "benches", "tests", "docs"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name().into_iter().flatten() {
            if entry.path().extension().is_some_and(|e| e == "precept") {
                out.push(entry.into_path());
            }
        }
    }
    out
}

#[test]
fn every_policy_in_the_repository_formats_to_the_same_tree_with_its_comments_and_idempotently() {
    let mut formatted = 0;
    let mut refused = Vec::new();
    let mut failures = Vec::new();
    for path in policy_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile::new(path.display().to_string(), text);
        match check_promises(&file) {
            Ok(Some(_)) => formatted += 1,
            Ok(None) => refused.push(path),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(formatted > 100, "only {formatted} files formatted");
    // Only the deliberately malformed fixtures are refused.
    for path in &refused {
        assert!(path.to_string_lossy().contains("fixtures/parse/err/"), "{} does not parse", path.display());
    }
}
