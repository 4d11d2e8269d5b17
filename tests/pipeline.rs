//! The pipelined check over files of many batches: every report is byte-identical whatever the
//! thread count, and each finding's place (line, column, the record's text) is the one an
//! independent model of the file gives, in JSON Lines and CSV alike, with bad records, blank lines,
//! quoted line breaks and redaction among them.
//!
//! The files here hold several of the check's batches (4,096 records), so batches are read, checked
//! and handed on while others are in flight; the fixtures are all smaller than one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

const POLICY: &str = r#"
schema ticket {
  identified by id
  team by team
  id: text
  team: text
  opened_at: datetime
  answered_at: datetime
  note: text?
  customer: text
}
code "House rules" {
  level organisational
  rule answered-within-the-hour {
    for ticket
    require record.answered_at <= record.opened_at + 1h
    message "ticket {record.id} of {record.customer} was answered at {record.answered_at}"
  }
  rule note-is-short {
    severity warning
    for ticket
    require record.note is missing or not (record.note contains "too long")
    message "ticket {record.id} has a long note"
  }
  rule team-is-known {
    for ticket
    require record.team in { "Returns", "Delivery" }
    message "ticket {record.id} is in team {record.team}"
  }
}
"#;

/// Records kept by the model: the line each starts on, and its text as a finding shows it.
struct Model {
    records: Vec<(usize, String, String)>,
}

/// `n` seeded records as JSON Lines or CSV, about half breaking a rule, with blank lines, records
/// that cannot be read, CSV cells quoted over two lines, and non-ASCII text; the model keeps the
/// line and text of each record that is read.
fn records(n: usize, csv: bool, seed: u64) -> (String, Model) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = String::new();
    let mut line = 1;
    let mut model = Model { records: Vec::new() };
    if csv {
        out.push_str("id,team,opened_at,answered_at,note,customer\n");
        line += 1;
    }
    for i in 0..n {
        if rng.u8(..50) == 0 {
            out.push('\n');
            line += 1;
        }
        let id = format!("T-{i}");
        let team = if rng.u8(..6) == 0 { "Réception" } else { ["Returns", "Delivery"][rng.usize(..2)] };
        let minutes = if rng.bool() { rng.u32(61..300) } else { rng.u32(0..60) };
        let answered = format!("2026-03-02T{:02}:{:02}:00Z", 9 + minutes / 60, minutes % 60);
        let note = match rng.u8(..8) {
            0 => "a note that is far too long",
            1 => "two\nlines",
            2 => "ok",
            _ => "",
        };
        let bad = rng.u16(..400) == 0;
        let (text, lines) = if csv {
            let opened = if bad { "not a time".to_string() } else { "2026-03-02T09:00:00Z".to_string() };
            let note_cell = if note.contains('\n') || note.contains(',') { format!("\"{note}\"") } else { note.into() };
            let text = format!("{id},{team},{opened},{answered},{note_cell},C-{}", rng.u32(..1000));
            let lines = 1 + note.matches('\n').count();
            (text, lines)
        } else {
            let note_field = if note.is_empty() { String::new() } else { format!(",\"note\":{note:?}") };
            let text = if bad {
                format!("{{\"id\":\"{id}\",\"team\":")
            } else {
                format!(
                    "{{\"id\":\"{id}\",\"team\":\"{team}\",\"opened_at\":\"2026-03-02T09:00:00Z\",\"answered_at\":\"{answered}\"{note_field},\"customer\":\"C-{}\"}}",
                    rng.u32(..1000)
                )
            };
            (text, 1)
        };
        // A record that cannot be read has no findings; one with an unreadable value is still
        // kept (its other rules are judged), and is placed like any other.
        if !bad || csv {
            model.records.push((line, id, text.clone()));
        }
        out.push_str(&text);
        out.push('\n');
        line += lines;
    }
    (out, model)
}

fn setup(dir: &Path, files: &[(&str, &str)], redact: bool) {
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::write(dir.join("policies/p.precept"), POLICY).unwrap();
    std::fs::create_dir_all(dir.join("records")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join("records").join(name), text).unwrap();
    }
    if redact {
        std::fs::write(dir.join("precept.toml"), "redact = [\"customer\"]\n").unwrap();
    }
}

/// Every report of a run with `threads` threads, by format.
fn reports(dir: &Path, threads: &str) -> Vec<(String, Vec<u8>)> {
    let out = dir.join(format!("out-{threads}"));
    std::fs::create_dir_all(&out).unwrap();
    let formats = ["human", "json", "sarif", "junit", "github"];
    let mut args = vec!["check".to_string(), "--as-of".into(), "2026-06-01".into(), "--threads".into(), threads.into()];
    for f in formats {
        args.push("--output".into());
        args.push(format!("{f}={}", out.join(f).display()));
    }
    args.push("records".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = common::precept_in(dir, &args);
    // Some records cannot be read: that is exit 2, findings or not.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("precept::input::json") || run.stderr.contains("precept::input::invalid-value"));
    formats
        .iter()
        .map(|f| {
            let text = std::fs::read(out.join(f)).unwrap();
            // JUnit says when the run happened: the one difference allowed between runs.
            let text = if *f == "junit" {
                let s = String::from_utf8(text).unwrap();
                let at = s.find("timestamp=\"").map(|i| i + 11).unwrap();
                format!("{}{}", &s[..at], &s[at + 19..]).into_bytes()
            } else {
                text
            };
            (f.to_string(), text)
        })
        .collect()
}

#[test]
fn reports_are_byte_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (jsonl, _) = records(9_000, false, 1);
    let (csv, _) = records(5_000, true, 2);
    setup(dir.path(), &[("a.jsonl", &jsonl), ("b.csv", &csv)], true);
    let one = reports(dir.path(), "1");
    for threads in ["2", "7"] {
        for ((format, a), (_, b)) in one.iter().zip(reports(dir.path(), threads)) {
            assert!(a == &b, "the {format} report differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn findings_are_placed_where_the_model_says() {
    let dir = tempfile::tempdir().unwrap();
    let (jsonl, jsonl_model) = records(10_000, false, 3);
    let (csv, csv_model) = records(10_000, true, 4);
    setup(dir.path(), &[("a.jsonl", &jsonl), ("b.csv", &csv)], false);
    let engine_run = common::precept_in(
        dir.path(),
        &["check", "--as-of", "2026-06-01", "--threads", "2", "--format", "json", "records"],
    );
    let doc: serde_json::Value = serde_json::from_str(&engine_run.stdout).unwrap();
    assert!(doc["findings"].as_array().is_some_and(|f| f.len() > 5_000), "{}", engine_run.stderr);
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.len() > 5_000, "about half the records break a rule: {}", findings.len());
    let mut checked = 0;
    for (file, model) in [("a.jsonl", &jsonl_model), ("b.csv", &csv_model)] {
        let by_id: std::collections::HashMap<&str, &(usize, String, String)> =
            model.records.iter().map(|r| (r.1.as_str(), r)).collect();
        let mut last = 0;
        for f in findings.iter().filter(|f| f["file"].as_str().unwrap().ends_with(file)) {
            let id = f["record"].as_str().unwrap();
            let (line, _, text) = by_id[id];
            let at = f["line"].as_u64().unwrap() as usize;
            // The blamed value is on the record's first line, or a later one for a quoted cell.
            let lines = text.matches('\n').count();
            assert!(at >= *line && at <= line + lines, "{file} {id}: line {at}, the record starts on {line}");
            assert!(at >= last, "{file}: findings in record order");
            last = at;
            let field = match f["rule"].as_str().unwrap() {
                // Cannot be determined: placed at the value that could not be read.
                _ if !f["cannot_determine"].is_null() => "opened_at",
                "answered-within-the-hour" => "answered_at",
                "note-is-short" => "note",
                _ => "team",
            };
            // The column points at the blamed value in the record's own text.
            let shown: String = text
                .split('\n')
                .nth(at - line)
                .unwrap()
                .chars()
                .skip(f["column"].as_u64().unwrap() as usize - 1)
                .collect();
            let value = if file.ends_with(".csv") {
                match field {
                    "team" => text.split(',').nth(1).unwrap().to_string(),
                    "opened_at" => text.split(',').nth(2).unwrap().to_string(),
                    "answered_at" => text.split(',').nth(3).unwrap().to_string(),
                    _ => shown.split(',').next().unwrap().to_string(),
                }
            } else {
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                serde_json::to_string(&v[field]).unwrap()
            };
            assert!(
                shown.starts_with(value.split('\n').next().unwrap()),
                "{file} {id} {field}: `{shown}` does not start with `{value}`"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, findings.len());
}

/// Rows reported instead of read (of the wrong length here) cost their own bytes once: a file with
/// a long run of them, then good rows and such rows in turn, is checked in time linear in its
/// length, and its good rows are all read.
#[test]
fn rows_reported_between_good_rows_cost_their_own_bytes() {
    let mut csv = String::from("id,team,opened_at,answered_at,note,customer\n");
    for i in 0..240_000 {
        if i >= 200_000 && i % 2 == 0 {
            csv.push_str(&format!("T-{i},Returns,2026-03-02T09:00:00Z,2026-03-02T09:10:00Z,,C-1\n"));
        } else {
            csv.push_str(&format!("T-{i},Returns,one field too many,2026-03-02T09:00:00Z,x,,C-1\n"));
        }
    }
    let engine = common::engine(POLICY);
    let start = std::time::Instant::now();
    let run = engine.check(common::records(&[("t.csv", &csv)]));
    assert_eq!(run.summary.records, 20_000);
    assert!(run.findings.is_empty());
    assert!(run.diagnostics.iter().any(|d| d.code == "precept::input::csv-row-length"));
    // Quadratic before the fix: minutes at this size in a debug build; a few seconds now.
    assert!(start.elapsed() < std::time::Duration::from_secs(60), "took {:?}", start.elapsed());
}

/// A library caller may check from inside the pool's own threads (`par_iter` over more sets of
/// records than the pool has threads): the check then reads in turn rather than waiting on a
/// reader whose parsing the busy pool cannot serve, and gives the same findings.
#[test]
fn checks_from_inside_the_thread_pool_finish() {
    use rayon::prelude::*;
    let sets: Vec<String> =
        (0..rayon::current_num_threads() as u64 + 1).map(|i| records(300, false, 10 + i).0).collect();
    let engine = common::engine(POLICY);
    let alone: Vec<usize> =
        sets.iter().map(|r| engine.check(common::records(&[("a.jsonl", r)])).findings.len()).collect();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let found: Vec<usize> =
            sets.par_iter().map(|r| engine.check(common::records(&[("a.jsonl", r)])).findings.len()).collect();
        let _ = done.send(found);
    });
    let found = wait.recv_timeout(std::time::Duration::from_secs(120)).expect("the checks finish");
    assert_eq!(found, alone);
    assert!(found.iter().all(|n| *n > 50));
}

/// CSV rows are split on one worker while the chunk before is converted on another: rows reported
/// at the edges of the 1,024-row chunks (a row of the wrong width, a value that cannot be read)
/// are each reported at their own line, and every other row is checked, once.
#[test]
fn csv_rows_reported_at_chunk_edges_are_each_reported_once() {
    let mut csv = String::from("id,team,opened_at,answered_at,note,customer\n");
    let (short, unreadable) = ([1023, 1024, 2047, 2048, 3071], [1022, 2049]);
    for i in 0..4_000 {
        if short.contains(&i) {
            csv.push_str("T-short,Returns\n");
        } else if unreadable.contains(&i) {
            csv.push_str(&format!("T-{i},Returns,not a time,2026-03-02T09:10:00Z,,C-1\n"));
        } else {
            // Every row but the reported ones is answered late: one finding each.
            csv.push_str(&format!("T-{i},Returns,2026-03-02T09:00:00Z,2026-03-02T11:00:00Z,,C-1\n"));
        }
    }
    let engine = common::engine(POLICY);
    let run = engine.check(common::records(&[("t.csv", &csv)]));
    assert_eq!(run.summary.records, 4_000 - short.len());
    let late = |undetermined: bool| {
        run.findings
            .iter()
            .filter(|f| f.rule_id() == "answered-within-the-hour" && f.standing.is_undetermined() == undetermined)
            .count()
    };
    assert_eq!(late(false), 4_000 - short.len() - unreadable.len());
    // A row whose opening time cannot be read cannot be judged by the rule that reads it.
    assert_eq!(late(true), unreadable.len());
    // The line of each reported row: the header is line 1, row `i` is line `i + 2`.
    let lines = |code: &str| -> Vec<usize> {
        let mut lines: Vec<usize> = run
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .filter_map(|d| Some(d.file.as_ref()?.line_col(d.labels.first()?.span.start).0))
            .collect();
        lines.sort_unstable();
        lines
    };
    assert_eq!(lines("precept::input::csv-row-length"), short.map(|i| i + 2).to_vec(), "{:?}", run.diagnostics);
    assert_eq!(lines("precept::input::invalid-value"), unreadable.map(|i| i + 2).to_vec(), "{:?}", run.diagnostics);
}
