//! The library API against the command line's own path: policies given as text behave as the same
//! policies read from their folder (calendar files included), records read from a reader as the
//! same bytes (an input over its limit: tests/api_limits.rs, since limits are process-wide).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};

use precept::{Engine, Records};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, named by its path below it, sorted.
fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().extension().is_some_and(|x| x == "precept" || x == "toml"))
        .filter(|e| !e.path().to_string_lossy().ends_with(".test.toml"))
        .map(|e| {
            let name = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// What a run found, as text that does not depend on how the policy files were named.
fn shown(run: &precept::Run) -> Vec<String> {
    run.findings
        .iter()
        .map(|f| {
            // A group's finding is placed in the policy file, named as it was given.
            let file = f.file.name.rsplit_once("policies/").map_or(&*f.file.name, |(_, rest)| rest);
            format!("{} {file}:{}:{} {:?} {}", f.rule_id(), f.line, f.column, f.record_id, f.message)
        })
        .collect()
}

#[test]
fn policies_as_text_check_as_the_same_policies_from_their_folder() {
    let folder = Engine::from_folder(root().join("policies")).expect("the bundled policies compile");
    let sources = files_under(&root().join("policies"));
    assert!(sources.iter().any(|(n, _)| n == "calendars/uk.toml"), "the calendar file is among the sources");
    let text = Engine::from_sources(sources).expect("the same policies as text compile");
    let records = || {
        let dir = root().join("fixtures/records");
        let mut named: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| precept::Format::of(p).is_some())
            .map(|p| {
                (format!("fixtures/records/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read(&p).unwrap())
            })
            .collect();
        named.sort();
        named.into_iter().map(|(n, b)| Records::bytes(n, b)).collect::<Vec<_>>()
    };
    let a = folder.check(records());
    let b = text.check(records());
    assert!(!a.findings.is_empty());
    assert_eq!(shown(&a), shown(&b));
    assert_eq!(a.summary.tally, b.summary.tally);
    assert_eq!(a.summary.records, b.summary.records);
}

#[test]
fn a_calendar_named_by_a_policy_but_not_given_is_a_diagnostic() {
    let policy = "calendar uk from \"calendars/uk.toml\"\nschema t { identified by id  id: text }\ncode \"C\" { level ethical calendar uk rule r { title \"R\" for t require record.id != \"x\" message \"m\" } }\n";
    let problems = Engine::from_sources([("p.precept", policy)]).unwrap_err();
    assert!(problems.iter().any(|d| d.message.contains("calendars/uk.toml")), "{problems:?}");
    // `..` never leaves the sources given, whatever they hold.
    let policy = policy.replace("calendars/uk.toml", "../uk.toml");
    let problems = Engine::from_sources([("p.precept", policy.as_str()), ("uk.toml", "")]).unwrap_err();
    assert!(
        problems.iter().any(|d| d.labels.iter().any(|l| l.text.contains("no absolute paths or `..`"))),
        "{problems:?}"
    );
}

#[test]
fn records_from_a_reader_are_the_same_bytes() {
    let engine = Engine::from_folder(root().join("policies")).unwrap();
    let bytes = std::fs::read(root().join("fixtures/records/complaints-2024.jsonl")).unwrap();
    let name = "fixtures/records/complaints-2024.jsonl";
    let read = Records::read(name, precept::Format::Jsonl, std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(shown(&engine.check([read])), shown(&engine.check([Records::bytes(name, bytes.clone())])));
}
