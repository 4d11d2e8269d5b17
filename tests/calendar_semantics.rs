//! The two calendar behaviours docs/language.md states in "Calendars: what a business day is",
//! pinned through the library (`precept::Engine`, policy and records in memory) against a small
//! model written here (never against the engine):
//!
//! - `business days between(a, b)` when `b`'s received day is before `a`'s: minus the working days
//!   after `b`'s received day up to and including `a`'s (0 for the same received day);
//! - a cutoff in a DST gap ends the day at that clock time read with the offset before the change;
//!   a cutoff in a DST fold ends it at the first occurrence.
//!
//! Each run is checked twice: once with the model's answers in the records (every `require` must
//! hold: exit 0, no finding), once with wrong answers (every record must fail, and the value the
//! engine printed must be the model's), so neither half can pass by checking nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::HashMap;

use jiff::civil::{date, Date};

const SCHEMA: &str = r#"
schema s {
  identified by id
  id: text
  a: datetime
  b: datetime
  n: integer
}
"#;

/// Compiles the policy (with `calendar`), checks `records` (JSON Lines) twice (model answers, then
/// wrong ones) and returns what the engine printed for each record id. Asserts the runs' statuses
/// (as the command line's exit statuses), that nothing was diagnosed and that every record was
/// judged.
fn engine_values(calendar: &str, records: &[(String, String, String, i64)]) -> HashMap<String, i64> {
    let policy = format!(
        "{SCHEMA}\n{calendar}\n\ncode \"Test\" {{\n  level industry\n  calendar c\n  rule between {{\n    for s\n    require business days between(record.a, record.b) == record.n\n    message \"{{record.id}} gives {{business days between(record.a, record.b)}}\"\n  }}\n}}\n"
    );
    let engine = common::engine(&policy);
    let mut out = HashMap::new();
    for wrong in [false, true] {
        let lines: String = records
            .iter()
            .map(|(id, a, b, n)| {
                let n = if wrong { n + 1000 } else { *n };
                format!("{{\"id\":\"{id}\",\"a\":\"{a}\",\"b\":\"{b}\",\"n\":{n}}}\n")
            })
            .collect();
        let run = engine.check(common::records(&[("r.jsonl", lines)]));
        assert!(run.diagnostics.is_empty(), "{}", common::rendered(&run.diagnostics));
        let findings = &run.findings;
        if !wrong {
            assert_eq!(run.status(), precept::Status::Clean, "the model's answers must all hold: {findings:#?}");
            assert!(findings.is_empty());
            continue;
        }
        assert_eq!(run.status(), precept::Status::Findings);
        assert_eq!(findings.len(), records.len(), "every record is judged once");
        for f in findings {
            let (id, value) = f.message.split_once(" gives ").unwrap();
            out.insert(id.to_string(), value.parse().unwrap());
        }
    }
    out
}

/// Day `i` after Monday 2024-12-16, as a date.
fn day(i: i64) -> Date {
    date(2024, 12, 16).checked_add(jiff::Span::new().days(i)).unwrap()
}

/// The model of December 2024 in London (GMT, so local time is UTC): Monday to Friday, 17:00
/// cutoff, holidays on days 9 and 10 (25 and 26 December). An instant is (day, second of day).
fn working(d: i64) -> bool {
    d.rem_euclid(7) < 5 && d != 9 && d != 10
}

fn received((d, secs): (i64, i64)) -> i64 {
    if working(d) && secs <= 17 * 3600 {
        return d;
    }
    (d + 1..).find(|&n| working(n)).unwrap()
}

/// Working days in `(from, to]`, as the docs define the count; negative when `to` is first.
fn model_between(a: (i64, i64), b: (i64, i64)) -> i64 {
    let (ra, rb) = (received(a), received(b));
    if rb >= ra {
        (ra + 1..=rb).filter(|&d| working(d)).count() as i64
    } else {
        -((rb + 1..=ra).filter(|&d| working(d)).count() as i64)
    }
}

#[test]
fn business_days_between_is_negative_when_the_second_is_received_first() {
    let calendar = "calendar c {\n  zone \"Europe/London\"\n  working mon, tue, wed, thu, fri\n  cutoff 17:00\n  holidays 2024-12-25, 2024-12-26\n}";
    // Instants over three weeks: every 5 hours, and on each day either side of the cutoff.
    let mut instants: Vec<(i64, i64)> = (0..18 * 24 / 5).map(|k| (k * 5 / 24, (k * 5 % 24) * 3600)).collect();
    for d in 0..18 {
        instants.extend([(d, 17 * 3600), (d, 17 * 3600 + 1), (d, 0)]);
    }
    let text = |(d, s): (i64, i64)| format!("{}T{:02}:{:02}:{:02}Z", day(d), s / 3600, s / 60 % 60, s % 60);
    let mut records = Vec::new();
    let mut want = HashMap::new();
    for (i, &a) in instants.iter().enumerate() {
        for (j, &b) in instants.iter().enumerate() {
            // Both orders, so the sign and the same-day zero are checked together.
            let id = format!("r{i}-{j}");
            let n = model_between(a, b);
            want.insert(id.clone(), n);
            records.push((id, text(a), text(b), n));
        }
    }
    let reversed = records.iter().filter(|r| r.3 < 0).count();
    assert!(reversed > 1000, "only {reversed} cases with the second received first");
    let got = engine_values(calendar, &records);
    assert_eq!(got.len(), want.len());
    for (id, n) in &want {
        assert_eq!(got[id], *n, "{id}");
    }
    // The docs' own examples, by hand: Tuesday then the Monday before, then the Friday before,
    // then across the two Christmas holidays (Friday 27th against Monday 23rd), then Saturday 10:00 against the Friday 18:00 before it.
    let examples = [
        ((8, 36000), (7, 36000), -1),
        ((8, 36000), (4, 36000), -2),
        ((11, 36000), (7, 36000), -2),
        ((5, 36000), (4, 18 * 3600), 0),
    ];
    for (a, b, n) in examples {
        assert_eq!(model_between(a, b), n, "the model disagrees with the docs");
    }
}

/// One cutoff that falls in a gap or fold: the calendar, the day before (worked, received before
/// the cutoff), the day of the change, and the instant (UTC) the docs say the day ends.
struct DstCase {
    zone: &'static str,
    cutoff: String,
    /// A UTC instant on the day before the change, before that day's cutoff.
    before: &'static str,
    /// The day of the change.
    day: Date,
    /// Where the documented reading puts the end of that day, in UTC seconds of the day.
    ends_at: i64,
}

#[test]
fn a_cutoff_in_a_dst_gap_or_fold_ends_the_day_where_the_docs_say() {
    // Europe/London: 2025-03-30 01:00 GMT jumps to 02:00 BST (gap: 01:00-01:59 do not exist);
    // 2025-10-26 02:00 BST falls back to 01:00 GMT (fold: 01:00-01:59 happen twice).
    // America/New_York: 2025-03-09 02:00 EST jumps to 03:00 EDT; 2025-11-02 02:00 EDT falls
    // back to 01:00 EST. Gap: the clock time with the offset before (GMT +0, EST -5). Fold: the
    // first occurrence (BST +1, EDT -4).
    let mut cases = Vec::new();
    for (h, m) in [(1, 0), (1, 15), (1, 30), (1, 59)] {
        let cutoff = format!("{h:02}:{m:02}");
        let local = h * 3600 + m * 60;
        cases.push(DstCase {
            zone: "Europe/London",
            cutoff: cutoff.clone(),
            before: "2025-03-29T00:00:00Z",
            day: date(2025, 3, 30),
            ends_at: local,
        });
        cases.push(DstCase {
            zone: "Europe/London",
            cutoff,
            before: "2025-10-24T23:00:00Z",
            day: date(2025, 10, 26),
            ends_at: local - 3600,
        });
    }
    for (h, m) in [(2, 0), (2, 30), (2, 59)] {
        let cutoff = format!("{h:02}:{m:02}");
        cases.push(DstCase {
            zone: "America/New_York",
            cutoff,
            before: "2025-03-08T05:00:00Z",
            day: date(2025, 3, 9),
            ends_at: h * 3600 + m * 60 + 5 * 3600,
        });
    }
    for (h, m) in [(1, 0), (1, 30), (1, 59)] {
        let cutoff = format!("{h:02}:{m:02}");
        cases.push(DstCase {
            zone: "America/New_York",
            cutoff,
            before: "2025-11-01T04:00:00Z",
            day: date(2025, 11, 2),
            ends_at: h * 3600 + m * 60 + 4 * 3600,
        });
    }
    for case in &cases {
        // Every day worked, so the day after the change is the next working day.
        let calendar = format!(
            "calendar c {{\n  zone \"{}\"\n  working mon, tue, wed, thu, fri, sat, sun\n  cutoff {}\n}}",
            case.zone, case.cutoff
        );
        // Every minute from 00:00Z to 08:00Z on the change's date, and each second around the
        // documented end. In these zones all of it is after the day before's cutoff, so each
        // instant is received on the change's day up to its end, else on the next day.
        let mut secs: Vec<i64> = (0..8 * 60).map(|k| k * 60).collect();
        secs.extend((-3..=3).map(|k| case.ends_at + k).filter(|s| *s >= 0));
        let mut records = Vec::new();
        let mut want = HashMap::new();
        for s in secs {
            let t = format!("{}T{:02}:{:02}:{:02}Z", case.day, s / 3600, s / 60 % 60, s % 60);
            let id = format!("t{s}");
            let n = if s <= case.ends_at { 1 } else { 2 };
            want.insert(id.clone(), n);
            records.push((id, case.before.to_string(), t, n));
        }
        let got = engine_values(&calendar, &records);
        for (id, n) in &want {
            assert_eq!(got[id], *n, "{} cutoff {} on {}: {id}", case.zone, case.cutoff, case.day);
        }
    }
}
