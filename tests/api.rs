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

const HOUSE: &str = r#"
schema ticket { identified by id  staff by agent  id: text  agent: text  waited: duration }
code "House rules" {
  level organisational
  rule answered-quickly { title "Answered within an hour" for ticket
    require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" }
  rule agent-has-a-role { title "Handled by someone with a role" for ticket
    require role_of(record.agent, 2024-01-01) is present  message "{record.agent} has no role" }
}
"#;

#[test]
fn redacting_a_fresh_engine_leaves_the_one_it_came_from_alone() {
    let engine = Engine::from_sources([("house.precept", HOUSE)]).unwrap();
    let redacted = engine.fresh().redacting(&["id".to_string()]).expect("tickets have an id");
    let records = || [Records::bytes("t.csv", "id,agent,waited\nT-2,ann,3h\n")];
    let plain = engine.check(records());
    let hidden = redacted.check(records());
    assert!(plain.findings.iter().any(|f| f.message.contains("T-2")));
    assert!(!hidden.findings.iter().any(|f| f.message.contains("T-2")));
}

#[test]
fn roles_given_as_text_and_folders_merge_and_none_is_no_roles() {
    let engine = Engine::from_sources([("house.precept", HOUSE)]).unwrap();
    let records = || [Records::bytes("t.csv", "id,agent,waited\nT-1,ann,5m\n")];
    // No role sources at all: rules that ask about roles are not run, and a warning says so.
    let none = engine.fresh().with_roles(Vec::<(String, String)>::new()).check(records());
    assert!(none.diagnostics.iter().any(|d| d.code == "precept::usage::no-roles"), "{:?}", none.diagnostics);
    let roles = "[[role]]\nid = \"agent\"\ntitle = \"Agent\"\n";
    let staff = "[[staff]]\nid = \"ann\"\nname = \"Ann\"\nemployed = { from = 2020-01-01 }\nroles = [ { role = \"agent\", from = 2020-01-01 } ]\n";
    // Roles in one source and staff in another: merged, so `ann` holds `agent`.
    let both = engine.fresh().with_roles([("roles.toml", roles)]).with_roles([("staff.toml", staff)]);
    let run = both.check(records());
    assert!(run.findings.iter().all(|f| f.rule_id() != "agent-has-a-role"), "{:?}", shown(&run));
    // An empty role text is a warning, as an empty file is.
    let empty = engine.fresh().with_roles([("empty.toml", "  \n")]);
    assert!(empty.input_problems().iter().any(|d| d.code == "precept::input::empty-file"));
}

#[test]
fn the_engines_own_folders_are_never_records() {
    // The policy folder holds TOML files (calendars, policy tests); checking from the project's
    // root must not take them for records.
    let engine = Engine::from_folder(root().join("policies")).unwrap().with_roles_from(&[root().join("fixtures/org")]);
    let run = engine.check([Records::paths([root().join("policies"), root().join("fixtures/org")])]);
    assert_eq!(run.summary.files, 0, "{:?}", run.diagnostics);
}

#[test]
fn bad_records_given_in_memory_are_placed_and_the_rest_still_checked() {
    let engine = Engine::from_sources([("house.precept", HOUSE)]).unwrap();
    let run = engine.check([
        Records::bytes("broken.jsonl", "{\"id\": \"B-1\", \"agent\": \"ann\", \"waited\": \"3h\"}\n{not json\n"),
        Records::bytes("notes.txt", "hello"),
        Records::values("values.jsonl", &[serde_json::json!([1, 2])]),
        Records::bytes("good.csv", "id,agent,waited\nG-1,ann,2h\n"),
    ]);
    type Placed<'a> = (&'a str, Option<(&'a str, usize, usize)>);
    let codes: Vec<Placed<'_>> =
        run.diagnostics.iter().filter(|d| d.is_error()).map(|d| (&*d.code, d.location())).collect();
    // The syntax error is placed at its line; the JSON Lines value that is not an object at its own.
    assert!(
        codes
            .iter()
            .any(|(c, at)| *c == "precept::input::json" && at.is_some_and(|(f, l, _)| f == "broken.jsonl" && l == 2)),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .any(|(c, at)| at.is_some_and(|(f, l, _)| f == "values.jsonl" && l == 1)
                && c.starts_with("precept::input::")),
        "{codes:?}"
    );
    assert!(codes.iter().any(|(c, _)| *c == "precept::input::unknown-format"), "{codes:?}");
    // The good records, and the good line of the broken file, are still checked.
    let ids: Vec<&str> = run.findings.iter().filter_map(|f| f.record_id.as_deref()).collect();
    assert!(ids.contains(&"G-1") && ids.contains(&"B-1"), "{ids:?}");
    assert_eq!(run.status(), precept::Status::Failed);
}
