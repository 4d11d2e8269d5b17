//! Hostile input: each case is a diagnostic with a location and exit 2, never a panic or a hang.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

struct Case {
    dir: PathBuf,
}

impl Case {
    fn new(name: &str) -> Case {
        // files on disk: each case runs the binary (its exit status, never a panic or a hang).
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("policies")).unwrap();
        std::fs::create_dir_all(dir.join("records")).unwrap();
        let policy = "schema s { id: text identified by id  n: integer }\n\
                      code \"C\" { level industry rule r { for s require record.n > 0 } }\n";
        std::fs::write(dir.join("policies/p.precept"), policy).unwrap();
        Case { dir }
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.dir.join(rel), bytes).unwrap();
    }

    /// Runs the check; a hostile input may cost at most 20 s of processor time (the largest case
    /// here used 8 s in a debug build on a loaded machine), and the run is stopped as hung after 5 minutes.
    fn run(&self) -> common::Run {
        let (out, cpu) = common::output_with_cpu(
            Command::new(env!("CARGO_BIN_EXE_precept"))
                .args(["check", "--no-config", "--policies", "policies", "records"])
                .current_dir(&self.dir)
                .env("NO_COLOR", "1"),
            Duration::from_secs(300),
        );
        assert!(cpu < Duration::from_secs(20), "used {cpu:?} of processor time");
        let run = common::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }
}

fn assert_diag(run: &common::Run, code: &str, place: &str) {
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains(code), "expected {code}:\n{}", run.stderr);
    assert!(run.stderr.contains(place), "expected a location `{place}`:\n{}", run.stderr);
}

#[test]
fn a_hundred_thousand_nested_parentheses() {
    let c = Case::new("parens");
    let deep = format!(
        "schema s {{ id: text identified by id }}\ncode \"C\" {{ level industry rule r {{ for s require {}true{} }} }}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    c.write("policies/p.precept", deep);
    c.write("records/r.jsonl", "{\"id\": \"a\"}\n");
    let run = c.run();
    assert_diag(&run, "precept::parse::too-deep", "p.precept:2:");
}

#[test]
fn a_hundred_thousand_chained_operators_and_prefixes() {
    let c = Case::new("chain");
    let chain = vec!["record.n"; 50_000].join(" + ");
    let nots = "not ".repeat(100_000);
    let p = format!(
        "schema s {{ id: text identified by id n: integer }}\ncode \"C\" {{ level industry rule r {{ for s require {chain} > 0 }} rule q {{ for s require {nots} true }} }}\n"
    );
    c.write("policies/p.precept", p);
    c.write("records/r.jsonl", "{\"id\": \"a\", \"n\": 1}\n");
    let run = c.run();
    assert_diag(&run, "precept::parse::too-deep", "p.precept:2:");
}

/// `otherwise` and `else if` nest without brackets: twenty thousand of either overflowed the stack
/// of a release build (and a thousand that of a debug build) before the pre-pass counted them.
#[test]
fn twenty_thousand_chained_otherwise_and_else_if() {
    for (name, expr) in [
        ("otherwise", vec!["record.m"; 20_000].join(" otherwise ") + " > 0"),
        ("else-if", format!("{}true{}", "if record.n > 0 then true else ".repeat(20_000), "")),
    ] {
        let c = Case::new(&format!("chain-{name}"));
        let p = format!(
            "schema s {{ id: text identified by id n: integer m: integer? }}\ncode \"C\" {{ level industry rule r {{ for s require {expr} }} }}\n"
        );
        c.write("policies/p.precept", p);
        c.write("records/r.jsonl", "{\"id\": \"a\", \"n\": 1}\n");
        let run = c.run();
        assert_diag(&run, "precept::parse::too-deep", "p.precept:2:");
        assert!(run.stderr.contains("chained in one expression"), "{name}: {}", run.stderr);
    }
}

#[test]
fn invalid_utf8_in_a_policy() {
    let c = Case::new("utf8-policy");
    c.write("policies/p.precept", b"schema s { id: text }\n// caf\xe9\n");
    c.write("records/r.jsonl", "{\"id\": \"a\", \"n\": 1}\n");
    let run = c.run();
    assert_diag(&run, "precept::input::invalid-utf8", "p.precept:2:");
}

#[test]
fn invalid_utf8_in_a_record() {
    let c = Case::new("utf8-record");
    c.write("records/r.jsonl", b"{\"id\": \"a\", \"n\": 1}\n{\"id\": \"caf\xe9\", \"n\": 1}\n");
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("r.jsonl:2:"), "{}", run.stderr);
}

#[test]
fn empty_files() {
    let c = Case::new("empty");
    c.write("policies/empty.precept", "");
    c.write("records/empty.jsonl", "");
    let run = c.run();
    assert!(run.stderr.contains("precept::input::empty-file"), "{}", run.stderr);
    assert!(run.stderr.contains("empty.jsonl"), "{}", run.stderr);
    // Both files are empty: nothing could be checked.
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::input::no-records"), "{}", run.stderr);
}

#[test]
fn a_csv_row_with_too_few_fields() {
    let c = Case::new("csv-short");
    c.write("records/r.csv", "id,n\na,1\nb\nc,-1\n");
    let run = c.run();
    assert_diag(&run, "precept::input::csv-row-length", "r.csv:3:");
    // The row after the short one is still checked.
    assert!(run.stdout.contains("record `c`"), "{}", run.stdout);
}

#[test]
fn a_json_file_nested_ten_thousand_deep() {
    let c = Case::new("json-deep");
    // Deep where a record is expected, and deep inside a record under a key no rule reads.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    c.write("records/r.json", deep);
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("r.json:1:2"), "{}", run.stderr);
    let deep = format!("[{{\"id\": \"a\", \"n\": 1, \"x\": {}{}}}]", "[".repeat(10_000), "]".repeat(10_000));
    c.write("records/r.json", deep);
    let run = c.run();
    // Skipped without recursion (the key is not declared), or refused with a diagnostic: never a crash.
    assert!(run.code == 0 || run.stderr.contains("precept::input::json"), "{}", run.snapshot());
}

#[test]
fn a_toml_file_nested_deep() {
    let c = Case::new("toml-deep");
    let deep = format!("id = \"a\"\nn = 1\nx = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    c.write("records/r.toml", deep);
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("r.toml"), "{}", run.stderr);
}

#[test]
fn a_file_full_of_bad_rows_is_summarised() {
    let c = Case::new("many-bad-rows");
    let mut csv = String::from("id,n\n");
    for i in 0..1000 {
        csv.push_str(&format!("r{i},not-a-number\n"));
    }
    c.write("records/r.csv", csv);
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert_eq!(run.stderr.matches("precept::input::invalid-value").count(), 50);
    assert!(run.stderr.contains("precept::input::more-problems"), "{}", run.stderr);
    assert!(run.stderr.contains("950 more problems in `records/r.csv` are not shown"), "{}", run.stderr);
}

#[test]
fn crlf_csv_points_at_the_right_lines() {
    let c = Case::new("csv-crlf");
    c.write("records/r.csv", "id,n\r\na,1\r\nb,0\r\nc,abc\r\nd,2\r\n");
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    // `b` breaks the rule on line 3; `c` has a bad number on line 4.
    assert!(run.stdout.contains("records/r.csv:3:3"), "{}", run.stdout);
    assert!(run.stderr.contains("records/r.csv:4:3"), "{}", run.stderr);
}

#[test]
fn csv_lines_after_blank_lines_and_quoted_line_breaks() {
    let c = Case::new("csv-multiline");
    c.write("records/r.csv", "id,n\r\n\r\na,1\r\n\"b\r\nb\",0\r\n\r\nc,0\r\n");
    let run = c.run();
    assert_eq!(run.code, 1, "{}", run.snapshot());
    // `b` starts on line 4 and its `n` is on line 5; `c` is on line 7.
    assert!(run.stdout.contains("records/r.csv:5:4"), "{}", run.stdout);
    assert!(run.stdout.contains("records/r.csv:7:3"), "{}", run.stdout);
}

#[test]
fn a_file_that_is_not_a_record_format() {
    let c = Case::new("unknown-format");
    c.write("records/notes.txt", "not records");
    let out = Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(["check", "--no-config", "--policies", "policies", "records/notes.txt"])
        .current_dir(&c.dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("precept::input::unknown-format"), "{stderr}");
}

#[test]
fn a_record_file_no_schema_takes() {
    let c = Case::new("no-schema");
    let policy = "schema a { files \"*.jsonl\" id: text identified by id n: integer }\n\
                  schema b { files \"*.csv\" id: text identified by id n: integer }\n\
                  code \"C\" { level industry rule r { for a require record.n > 0 } rule q { for b require record.n > 0 } }\n";
    c.write("policies/p.precept", policy);
    c.write("records/r.jsonl", "{\"id\": \"a\", \"n\": 1}\n");
    c.write("records/r.toml", "id = \"b\"\nn = 1\n");
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::input::no-schema"), "{}", run.stderr);
    assert!(run.stdout.contains("checked 1 record"), "{}", run.stdout);
}

#[test]
fn policies_without_rules() {
    let c = Case::new("no-rules");
    c.write("policies/p.precept", "schema s { id: text identified by id }\n");
    c.write("records/r.jsonl", "{\"id\": \"a\"}\n");
    let run = c.run();
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains("precept::input::no-rules"), "{}", run.stderr);
}

/// The processor time the bounds above rest on is read from the right fields of `/proc/<pid>/stat`.
#[test]
fn stat_cpu_reads_user_and_system_time_after_the_name() {
    let line = "4242 (pre cept) (x)) R 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 3 0";
    assert_eq!(common::stat_cpu(line, 100), Some(std::time::Duration::from_secs(3)));
}
