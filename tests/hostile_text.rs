//! Hostile text: control, bidirectional and invisible characters, workflow-command lookalikes and
//! huge tokens, from every source Precept quotes (record values, file names, policy `message`,
//! `help` and `title` strings, policy tokens, role files). Human output must show each of them
//! escaped and never start a CI workflow command; machine reports must keep the original text;
//! every quotation must stay bounded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every character the human output must never carry raw (besides our own line breaks): C0 but
/// tab and newline, DEL, C1, and the invisible and bidirectional format characters.
fn hostile_chars() -> Vec<char> {
    let mut out: Vec<char> = (0u32..0x20).filter(|&c| c != 0x09 && c != 0x0a).filter_map(char::from_u32).collect();
    out.push('\u{7f}');
    out.extend((0x80u32..=0x9f).filter_map(char::from_u32));
    out.push('\u{61c}');
    out.extend((0x200bu32..=0x200f).filter_map(char::from_u32));
    out.extend((0x2028u32..=0x202e).filter_map(char::from_u32));
    out.extend((0x2060u32..=0x206f).filter_map(char::from_u32));
    out.push('\u{feff}');
    out.extend((0xfff9u32..=0xfffb).filter_map(char::from_u32));
    out
}

/// Values that try to start a workflow command on a line of their own.
const INJECTIONS: [&str; 4] = ["\n::error::pwned", "\r##[group]pwned", "\r\n  ::warning file=x::pwned", "\n##[error]x"];

/// The hostile characters that may appear in `text`: newline is allowed (our own line breaks),
/// so the injections' newlines are checked by the line-start rule instead.
fn is_hostile(c: char) -> bool {
    c != '\n' && hostile_chars().contains(&c)
}

struct Case {
    dir: PathBuf,
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Run {
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn both(&self) -> String {
        format!("exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.out(), self.err())
    }
}

impl Case {
    fn new(name: &str) -> Case {
        // files on disk: the binary's own output, and file names that are not UTF-8.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile_text").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["policies", "records", "roles", "out"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        Case { dir }
    }

    fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.dir.join(rel), bytes).unwrap();
    }

    /// The inputs' checksums (reports go to `out/`, which is not an input).
    fn inputs(&self) -> Vec<(PathBuf, u64)> {
        ["policies", "records", "roles"].iter().flat_map(|d| common::tree_checksum(&self.dir.join(d))).collect()
    }

    /// Run `precept`, asserting that no input changed and that the human output is clean.
    fn run(&self, args: &[&str]) -> Run {
        let before = self.inputs();
        let out = Command::new(env!("CARGO_BIN_EXE_precept"))
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .output()
            .unwrap();
        let run = Run { code: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr };
        assert_eq!(before, self.inputs(), "an input file changed");
        assert!(!run.err().contains("panicked"), "{}", run.err());
        run
    }

    fn check(&self, extra: &[&str]) -> Run {
        let mut args = vec!["check", "--no-config", "--policies", "policies"];
        args.extend_from_slice(extra);
        args.push("records");
        self.run(&args)
    }
}

/// Human output: valid UTF-8 (file names that are not are escaped), no hostile character, and
/// no line that starts a workflow command.
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"));
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| is_hostile(c)) {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!("{what} carries U+{:04X} raw near: {:?}", c as u32, &text[from..(i + 8).min(text.len())]);
    }
    for line in text.lines() {
        let t = line.trim_start();
        assert!(
            !t.starts_with("::") && !t.starts_with("##["),
            "{what} has a line starting a workflow command: {line:?}"
        );
    }
}

fn assert_human_clean(run: &Run) {
    assert_clean("stdout", &run.stdout);
    assert_clean("stderr", &run.stderr);
}

/// The visible form the docs promise for `c`.
fn escaped(c: char) -> String {
    match c {
        '\0' => "\\0".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

const SCHEMA: &str = "schema s { id: text identified by id  n: integer  note: text? }\n";

#[test]
fn record_values_in_finding_messages_are_escaped_and_kept_whole_in_json() {
    let c = Case::new("record-values");
    c.write(
        "policies/p.precept",
        format!("{SCHEMA}code \"C\" {{ level industry rule r {{ for s require record.n > 0 message \"note: {{record.note}}\" }} }}\n"),
    );
    let mut values: Vec<String> = hostile_chars().iter().map(|ch| format!("a{ch}b")).collect();
    values.extend(INJECTIONS.iter().map(|s| s.to_string()));
    let mut lines = String::new();
    for (i, v) in values.iter().enumerate() {
        // `note` comes before `n`, so the snippet's underline must allow for the escapes before it.
        let rec = serde_json::json!({"id": format!("r{i}"), "note": v});
        let mut text = rec.to_string();
        text.insert_str(text.len() - 1, ", \"n\": 0");
        lines.push_str(&text);
        lines.push('\n');
    }
    c.write("records/a.jsonl", &lines);
    c.write("records/b.jsonl", "{\"id\": \"ok\", \"n\": 1}\n");

    let run = c.check(&[]);
    assert_eq!(run.code, 1, "{}", run.both());
    assert_human_clean(&run);
    let out = run.out();
    assert_eq!(out.matches("precept::rule::r").count(), values.len(), "{out}");
    assert!(out.contains(&format!("checked {} records in 2 files", values.len() + 1)), "both files are read: {out}");
    for ch in hostile_chars().into_iter().filter(|&ch| ch != '\n') {
        assert!(out.contains(&format!("note: a{}b", escaped(ch))), "U+{:04X} not escaped: {out}", ch as u32);
    }

    // The JSON report carries each value exactly.
    let json = c.check(&["--format", "json"]);
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let messages: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    for v in &values {
        assert!(messages.contains(&format!("note: {v}").as_str()), "{v:?} not kept in {messages:?}");
    }
}

#[test]
fn carets_point_at_the_labelled_text_after_escapes() {
    // Each hostile character (and a wide character) in a policy string before the labelled name:
    // the underline must start under `nope` in the escaped line shown.
    let c = Case::new("carets");
    let mut chars = hostile_chars();
    chars.extend(['日', '\u{301}']);
    c.write("policies/schema.precept", SCHEMA);
    for (i, ch) in chars.iter().enumerate() {
        c.write(
            format!("policies/p{i:03}.precept"),
            format!(
                "\ncode \"C{i}\" {{ level industry rule r{i} {{ title \"x{ch}y\" for s require record.nope > 0 }} }}\n"
            ),
        );
    }
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 1}\n");
    let run = c.check(&[]);
    assert_eq!(run.code, 2, "{}", run.both());
    assert_human_clean(&run);
    let err = run.err();
    let lines: Vec<&str> = err.lines().collect();
    let mut checked = 0;
    for (n, line) in lines.iter().enumerate() {
        let Some(at) = line.find("│ code \"C") else { continue };
        let shown = &line[at + "│ ".len()..];
        let under = lines[n + 1];
        let under = &under[under.find('·').unwrap() + '·'.len_utf8() + 1..];
        let width = |s: &str| {
            s.chars()
                .map(|c| {
                    if c == '日' {
                        2
                    } else if c == '\u{301}' {
                        0
                    } else {
                        1
                    }
                })
                .sum::<usize>()
        };
        let want = width(&shown[..shown.find("nope").unwrap_or_else(|| panic!("{line}\n{err}"))]);
        let got = width(&under[..under.find(['─', '┬']).unwrap()]);
        assert_eq!(got, want, "caret off under:\n{line}\n{}", lines[n + 1]);
        checked += 1;
    }
    assert_eq!(checked, chars.len(), "{err}");
    assert_eq!(err.matches("precept::type::unknown-field").count(), chars.len());
    // The place is given in characters of the original line, whatever the escapes shown.
    for (i, ch) in chars.iter().enumerate() {
        let line = format!(
            "code \"C{i}\" {{ level industry rule r{i} {{ title \"x{ch}y\" for s require record.nope > 0 }} }}"
        );
        let col = line[..line.find("nope").unwrap()].chars().count() + 1;
        assert!(err.contains(&format!("p{i:03}.precept:2:{col}]")), "p{i:03}.precept:2:{col}: {err}");
    }
}

#[test]
fn file_names_with_escapes_newlines_and_bytes_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let c = Case::new("file-names");
    c.write(
        "policies/p.precept",
        format!("{SCHEMA}code \"C\" {{ level industry rule r {{ for s require record.n > 0 }} }}\n"),
    );
    let names: Vec<&[u8]> = vec![
        b"a\x1b[31mred.jsonl",
        b"b\n::error::pwned.jsonl",
        b"c\xff\xfe.jsonl",
        b"d\r##[group]x.jsonl",
        b"e\xe2\x80\xaeevil.jsonl",
        b"f\xc2\x9b2J.jsonl",
    ];
    for name in &names {
        let path = c.dir.join("records").join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, "{\"id\": \"x\", \"n\": 0}\n").unwrap();
    }
    // A file whose name is no JSON Lines name: an input diagnostic that quotes the name.
    std::fs::write(c.dir.join("records").join(std::ffi::OsStr::from_bytes(b"g\x1b]0;t\x07\xff.jsonl")), "x").unwrap();
    let run = c.check(&[]);
    assert_human_clean(&run);
    let out = run.out();
    assert_eq!(out.matches("precept::rule::r").count(), names.len(), "{}", run.both());
    for shown in [
        "records/a\\u{1b}[31mred.jsonl",
        "records/b\\n::error::pwned.jsonl",
        "records/c\\xff\\xfe.jsonl",
        "records/d\\r##[group]x.jsonl",
        "records/e\\u{202e}evil.jsonl",
        "records/f\\u{9b}2J.jsonl",
    ] {
        assert!(out.contains(&format!("[{shown}:1:")), "{shown} not shown with a place: {out}");
    }
    let err = run.err();
    assert!(err.contains("g\\u{1b}]0;t\\u{7}\\xff"), "{}", run.both());
    assert_eq!(run.code, 2, "{}", run.both());
}

#[test]
fn policy_titles_messages_and_help_are_escaped() {
    let c = Case::new("policy-strings");
    let mut rules = String::new();
    let mut strings: Vec<String> =
        hostile_chars().iter().filter(|&&ch| ch != '\0').map(|ch| format!("x{ch}y")).collect();
    // A policy string writes a line break as `\n`; raw CR and the rest are written as they are.
    strings.extend(["\\n::error::pwned".to_string(), "\r##[group]pwned".to_string(), "a\\n##[error]b".to_string()]);
    for (i, s) in strings.iter().enumerate() {
        rules.push_str(&format!(
            "rule r{i} {{ title \"t{s}\" for s require record.n > 0 message \"m{s} {{record.id}}\" help \"h{s}\" }}\n"
        ));
    }
    c.write("policies/p.precept", format!("{SCHEMA}code \"C\" {{ level industry\n{rules}}}\n"));
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 0}\n");
    let run = c.check(&[]);
    assert_eq!(run.code, 1, "{}", run.both());
    assert_human_clean(&run);
    let out = run.out();
    assert_eq!(out.matches("precept::rule::r").count(), strings.len(), "{out}");
    assert!(out.contains("\\u{1b}") && out.contains("\\u{202e}") && out.contains("\\r##[group]pwned"), "{out}");

    // `explain` shows the title, the rule as written and the help, escaped.
    for i in [0, 26, strings.len() - 3, strings.len() - 2] {
        let run = c.run(&["explain", &format!("r{i}"), "--policies", "policies"]);
        assert_eq!(run.code, 0, "{}", run.both());
        assert_human_clean(&run);
        assert!(run.out().contains(&format!("r{i}: t")), "{}", run.out());
    }
}

#[test]
fn tokens_in_malformed_policies_are_escaped_where_they_are_quoted_and_drawn() {
    let c = Case::new("tokens");
    // A carriage return is white space in a policy, so it is no token.
    let chars: Vec<char> = hostile_chars().into_iter().filter(|&c| c != '\r').collect();
    for (i, ch) in chars.iter().enumerate() {
        c.write(format!("policies/p{i:03}.precept"), format!("schema s{i} {{ id: text }}\nschema t{i} {ch} {{ }}\n"));
    }
    c.write("records/a.jsonl", "{\"id\": \"a\"}\n");
    let run = c.check(&[]);
    assert_eq!(run.code, 2, "{}", run.both());
    assert_human_clean(&run);
    let err = run.err();
    assert_eq!(err.matches("precept::parse::syntax").count(), chars.len(), "{err}");
    for (i, ch) in chars.iter().enumerate() {
        assert!(err.contains(&format!("p{i:03}.precept:2:")), "no place for p{i:03}: {err}");
        // The token is drawn escaped, with the caret under the escape.
        let line = format!("│ schema t{i} {} {{ }}", escaped(*ch));
        let n = err.lines().position(|l| l.ends_with(&line)).unwrap_or_else(|| panic!("{line} not drawn: {err}"));
        let drawn = err.lines().nth(n).unwrap();
        let under = err.lines().nth(n + 1).unwrap();
        let col = |s: &str, pat: &str| s[..s.find(pat).unwrap()].chars().count();
        let at = col(drawn, "│") + 2 + format!("schema t{i} ").len();
        assert_eq!(col(under, "─").min(col(under, "┬")), at, "\n{drawn}\n{under}");
    }
}

#[test]
fn role_file_values_in_lint_output_are_escaped() {
    let c = Case::new("roles");
    let mut roles = String::from("[areas]\nok = { title = \"t\" }\n");
    let mut n = 0;
    for ch in hostile_chars() {
        let v: String = format!("x{ch}y").chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
        roles.push_str(&format!(
            "[[role]]\nid = \"r{n}\"\ntitle = \"{v}\"\ndepartment = \"D\"\ntop = true\ntrained_in = [\"{v}\"]\n"
        ));
        n += 1;
    }
    for inj in INJECTIONS {
        let v: String = inj.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
        roles.push_str(&format!(
            "[[role]]\nid = \"r{n}\"\ntitle = \"T\"\ndepartment = \"D\"\ntop = true\ntrained_in = [\"{v}\"]\n"
        ));
        n += 1;
    }
    c.write("roles/r.toml", roles);
    let run = c.run(&["lint", "roles"]);
    assert_eq!(run.code, 1, "{}", run.both());
    assert_human_clean(&run);
    let out = run.out();
    assert_eq!(out.matches("precept::role::unknown-reference").count(), n, "{out}");
    assert!(out.contains("r.toml:"), "{out}");
    assert!(out.contains("linted"), "{out}");
}

/// A human report's messages on one line again (miette wraps them at 80 columns).
fn unwrapped(s: &str) -> String {
    s.replace("\n  │ ", "")
}

/// The size of what a report says about the huge value: every report stays small.
fn assert_small(what: &str, bytes: usize) {
    assert!(bytes < 64 * 1024, "{what} is {bytes} bytes");
}

#[test]
fn a_ten_megabyte_token_in_a_policy_is_quoted_clipped_in_every_report() {
    let c = Case::new("huge-token");
    let token = "z".repeat(10_000_000);
    c.write("policies/p.precept", format!("schema s {{ id: text }}\n{token}\n"));
    c.write("records/a.jsonl", "{\"id\": \"a\"}\n");
    let outputs = ["json=out/r.json", "sarif=out/r.sarif", "junit=out/r.xml", "github=out/r.txt", "human=out/r.human"];
    // Past the default policy-size limit (4 MiB): raised, so the token itself reaches the parser.
    let mut args = vec!["--limit", "policy=16MiB"];
    for o in outputs {
        args.extend(["--output", o]);
    }
    let run = c.check(&args);
    assert_eq!(run.code, 2, "{}", run.err().chars().take(2000).collect::<String>());
    assert_human_clean(&run);
    assert_small("stderr", run.stderr.len());
    let err = run.err();
    assert!(err.contains("precept::parse::syntax") || err.contains("precept::type::"), "{err}");
    assert!(err.contains("p.precept:2:"), "{err}");
    assert!(unwrapped(&err).contains(&format!("`{}…`", "z".repeat(80))), "{err}");
    for name in ["r.json", "r.sarif", "r.xml", "r.txt"] {
        let path = c.dir.join("out").join(name);
        let len = std::fs::metadata(&path).map(|m| m.len() as usize).unwrap_or(0);
        assert!(len > 0, "{name} was not written");
        assert_small(name, len);
    }
}

#[test]
fn a_ten_megabyte_value_in_a_record_is_quoted_clipped_in_every_report() {
    let c = Case::new("huge-value");
    c.write(
        "policies/p.precept",
        format!("{SCHEMA}code \"C\" {{ level industry rule r {{ for s require record.n > 0 message \"note {{record.note}}\" }} }}\n"),
    );
    let huge = "y".repeat(10_000_000);
    // A finding quoting the value, and an invalid value quoted in an input error.
    c.write(
        "records/a.jsonl",
        format!("{{\"id\": \"a\", \"note\": \"{huge}\", \"n\": 0}}\n{{\"id\": \"b\", \"n\": \"{huge}\"}}\n"),
    );
    c.write("records/b.jsonl", "{\"id\": \"c\", \"n\": 0}\n");
    let outputs = ["json=out/r.json", "sarif=out/r.sarif", "junit=out/r.xml", "github=out/r.txt", "human=out/r.human"];
    let mut args = vec![];
    for o in outputs {
        args.extend(["--output", o]);
    }
    let run = c.check(&args);
    assert_eq!(run.code, 2, "{}", run.err().chars().take(2000).collect::<String>());
    assert_human_clean(&run);
    assert_small("stderr", run.stderr.len());
    let err = run.err();
    assert!(err.contains("precept::input::invalid-value"), "{err}");
    assert!(err.contains("a.jsonl:2:"), "{err}");
    let human = std::fs::read_to_string(c.dir.join("out/r.human")).unwrap();
    assert_clean("human report", human.as_bytes());
    assert_small("human report", human.len());
    // Two findings (records `a` and `c`) and one rule that cannot be determined (record `b`, whose `n`
    // could not be read): the other file is still checked, and so is the record with the bad value.
    assert_eq!(human.matches("precept::rule::r").count(), 3, "the other file is still checked: {human}");
    assert_eq!(human.matches("cannot determine `r`").count(), 1, "{human}");
    assert!(unwrapped(&human).contains(&format!("note{}…", "y".repeat(80))), "{human}");
    for name in ["r.json", "r.sarif", "r.xml", "r.txt"] {
        let text = std::fs::read_to_string(c.dir.join("out").join(name)).unwrap();
        assert_small(name, text.len());
        assert!(text.contains(&format!("{}…", "y".repeat(80))), "{name} does not show the clipped value");
    }
}

#[test]
fn snapshots_of_the_escaped_form() {
    let c = Case::new("snapshots");
    c.write(
        "policies/p.precept",
        format!(
            "{SCHEMA}code \"C\" {{ level industry rule r {{ title \"evil\u{202e}title\" for s require record.n > 0 message \"note {{record.note}}\" help \"see\\n::error::x\" }} }}\n"
        ),
    );
    c.write("records/a.jsonl", "{\"id\": \"a\u{202e}b\", \"note\": \"\\u001b[2J\\r\\n::error::pwned\", \"n\": 0}\n");
    let run = c.check(&[]);
    assert_eq!(run.code, 1);
    assert_human_clean(&run);
    insta::assert_snapshot!("finding", run.both());

    let c = Case::new("snapshots-parse");
    c.write("policies/p.precept", "schema s { id: text }\nschema \u{202e}t { }\n");
    c.write("records/a.jsonl", "{\"id\": \"a\"}\n");
    let run = c.check(&[]);
    assert_eq!(run.code, 2);
    assert_human_clean(&run);
    insta::assert_snapshot!("parse_error", run.both());
}

#[test]
fn wrapped_help_lines_never_start_a_workflow_command() {
    // miette wraps help text at 80 columns and indents the next lines with spaces only, which a
    // runner skips: with every padding, some wrap puts `::error::` or `##[group]` first on a line.
    let c = Case::new("wrapped-help");
    let mut rules = String::new();
    let n = 70;
    for k in 0..n {
        let pad = "x".repeat(k);
        rules.push_str(&format!(
            "rule r{k} {{ for s require record.n > 0 help \"{pad} ::error::pwned {pad} ##[group]pwned\" }}\n"
        ));
    }
    c.write("policies/p.precept", format!("{SCHEMA}code \"C\" {{ level industry\n{rules}}}\n"));
    c.write("records/a.jsonl", "{\"id\": \"a\", \"n\": 0}\n");
    let run = c.check(&[]);
    assert_eq!(run.code, 1, "{}", run.both());
    assert_human_clean(&run);
    let out = run.out();
    assert_eq!(out.matches("precept::rule::r").count(), n, "{out}");
    // The guard fired (the first character written escaped), and the text is otherwise whole.
    assert!(out.contains("\\u{3a}:error::pwned"), "{out}");
    assert!(out.contains("\\u{23}#[group]pwned"), "{out}");
}
