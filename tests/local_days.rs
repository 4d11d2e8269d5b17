//! Local days (issue 13, item 2): `day`, `week`, `month`, `year` and `business_day` of a datetime,
//! the `dated by` day that picks a rule's version, presence periods and a case rule's opening day
//! are taken in the zone of the rule's calendar, or of a calendar or zone named in the call; without
//! any calendar, at the offset written. A UTC export's 23:30Z in British summer time is the next
//! day in London. Messages show times in the calendar's zone.
//!
//! The property test compares the engine's local day of a UTC instant near midnight in
//! Europe/London, across both changes of the clocks, with an independent model of the UK rule
//! (summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
//! October).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::{Engine, Records};
use proptest::prelude::*;

const CALENDARS: &str = r#"
calendar uk {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
}
calendar nsw {
  zone "Australia/Sydney"
  working mon, tue, wed, thu, fri
}
schema event { identified by id  dated by at  id: text  at: datetime }
"#;

/// The findings of `policy` (after [`CALENDARS`] unless it declares its own) over JSON lines
/// `records`: (rule, record or group, message). The policy must load with no diagnostic.
fn findings(policy: &str, records: &str) -> Vec<(String, String, String)> {
    let text = if policy.contains("calendar uk {") { policy.to_string() } else { format!("{CALENDARS}\n{policy}") };
    let engine = Engine::from_sources([("p.precept", text.as_str())]).unwrap_or_else(|d| panic!("{d:#?}"));
    let run = engine.check([Records::bytes("e.jsonl", records)]);
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    run.findings
        .iter()
        .map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default(), f.message.clone()))
        .collect()
}

/// The group keys a rule `group by <key>` finds for `records` (every group is a finding).
fn keys(calendar: &str, key: &str, records: &str) -> Vec<String> {
    let policy = format!(
        "code \"c\" {{ level industry {calendar} rule k {{ for event group by {key} as k require count() < 1 }} }}"
    );
    findings(&policy, records).into_iter().map(|(_, k, _)| k).collect()
}

/// 23:30 UTC on Sunday 30 June 2024 is 00:30 on Monday 1 July in London (British summer time).
const LATE_JUNE: &str = r#"{"id": "1", "at": "2024-06-30T23:30:00Z"}"#;

#[test]
fn a_utc_instant_late_in_the_evening_is_on_the_next_london_day() {
    assert_eq!(keys("calendar uk", "day(record.at)", LATE_JUNE), ["k 2024-07-01"]);
    assert_eq!(keys("calendar uk", "week(record.at)", LATE_JUNE), ["k 2024-W27"]);
    assert_eq!(keys("calendar uk", "month(record.at)", LATE_JUNE), ["k 2024-07"]);
    // Friday 5 July 23:30Z is Saturday 00:30 in London: received on Monday 8 July.
    let friday = r#"{"id": "1", "at": "2024-07-05T23:30:00Z"}"#;
    assert_eq!(keys("calendar uk", "business_day(record.at)", friday), ["k 2024-07-08"]);
    assert_eq!(keys("calendar uk", "day(record.at)", friday), ["k 2024-07-06"]);
    // Written at another offset, the same instant is the same day: only the instant counts.
    let written = r#"{"id": "1", "at": "2024-06-30T19:30:00-04:00"}"#;
    assert_eq!(keys("calendar uk", "day(record.at)", written), ["k 2024-07-01"]);
    // In winter London is on UTC: 23:30Z on 31 December is still 2024.
    let new_year = r#"{"id": "1", "at": "2024-12-31T23:30:00Z"}"#;
    assert_eq!(keys("calendar uk", "year(record.at)", new_year), ["k 2024"]);
    assert_eq!(keys("calendar uk", "year(record.at, nsw)", new_year), ["k 2025"]);
    // A date is a whole day and stays itself, whatever the zone.
    let policy = "code \"c\" { level industry calendar nsw rule k { for event group by day(2024-07-01) as k require count() < 1 } }";
    assert_eq!(findings(policy, LATE_JUNE)[0].1, "k 2024-07-01");
}

#[test]
fn without_a_calendar_the_day_is_the_one_written() {
    let policy = r#"
schema event { identified by id  dated by at  id: text  at: datetime }
code "c" { level industry rule k { for event group by day(record.at) as k require count() < 1 } }
"#;
    let engine = Engine::from_sources([("p.precept", policy)]).unwrap();
    let run = engine.check([Records::bytes(
        "e.jsonl",
        "{\"id\": \"1\", \"at\": \"2024-06-30T23:30:00Z\"}\n{\"id\": \"2\", \"at\": \"2024-06-30T20:30:00-04:00\"}\n",
    )]);
    let keys: Vec<_> = run.findings.iter().map(|f| f.record_id.clone().unwrap()).collect();
    // 20:30 at -04:00 is 00:30Z on 1 July, but its day is the one written.
    assert_eq!(keys, ["k 2024-06-30"]);
    // A zone named in the call needs no calendar declared.
    let named = policy.replace("day(record.at)", "day(record.at, \"Europe/London\")");
    let engine = Engine::from_sources([("p.precept", named.as_str())]).unwrap();
    let run = engine.check([Records::bytes("e.jsonl", LATE_JUNE)]);
    assert_eq!(run.findings[0].record_id.as_deref(), Some("k 2024-07-01"));
}

#[test]
fn a_call_can_take_the_day_in_another_calendar_or_zone() {
    // 14:30Z on 30 June is 00:30 on 1 July in Sydney (winter there, +10:00), still 30 June in London.
    let at = r#"{"id": "1", "at": "2024-06-30T14:30:00Z"}"#;
    assert_eq!(keys("calendar uk", "day(record.at)", at), ["k 2024-06-30"]);
    assert_eq!(keys("calendar uk", "day(record.at, nsw)", at), ["k 2024-07-01"]);
    assert_eq!(keys("calendar uk", "day(record.at, \"Australia/Sydney\")", at), ["k 2024-07-01"]);
    assert_eq!(keys("calendar uk", "month(record.at, \"Australia/Sydney\")", at), ["k 2024-07"]);
    // A rule's own calendar is its default, over its code's.
    let policy = "code \"c\" { level industry calendar uk rule k { calendar nsw for event group by day(record.at) as k require count() < 1 } }";
    assert_eq!(findings(policy, at)[0].1, "k 2024-07-01");
    // Monday 1 July 00:30 in Sydney is a working day there: received that day.
    assert_eq!(keys("calendar uk", "business_day(record.at, nsw)", at), ["k 2024-07-01"]);
    assert_eq!(keys("calendar uk", "business_day(record.at)", at), ["k 2024-07-01"]);
}

#[test]
fn the_version_of_a_rule_is_picked_by_the_local_day() {
    let policy = r#"
code "c" {
  level industry
  calendar uk
  rule r { effective until 2024-06-30 for event require record.id == "none" message "old" }
  rule r { effective from 2024-07-01 for event require record.id == "none" message "new at {record.at}" }
}
"#;
    // 23:30Z on 30 June is 1 July in London: the new version judges it, and its message shows the
    // time in London, with its offset there.
    assert_eq!(findings(policy, LATE_JUNE), [("r".into(), "1".into(), "new at 2024-07-01T00:30:00+01:00".into())]);
    let earlier = r#"{"id": "1", "at": "2024-06-30T22:30:00Z"}"#;
    assert_eq!(findings(policy, earlier), [("r".into(), "1".into(), "old".into())]);
}

#[test]
fn presence_periods_take_each_record_on_its_local_day() {
    let policy = r#"
code "c" {
  level industry
  calendar uk
  rule daily { for event group by "all" as g expect every day of record.at from 2024-06-29 until 2024-07-01 message "{group.period}" }
  rule yearly { for event group by "all" as g expect every year of record.at from 2024-01-01 until 2025-12-31 message "{group.period}" }
}
"#;
    let records =
        "{\"id\": \"1\", \"at\": \"2024-06-29T12:00:00Z\"}\n{\"id\": \"2\", \"at\": \"2024-06-30T23:30:00Z\"}\n";
    let got: Vec<_> = findings(policy, records).into_iter().map(|(r, _, m)| (r, m)).collect();
    // The second record is on 1 July in London, so 30 June has none; 2025 has none either.
    assert_eq!(got, [("daily".to_string(), "2024-06-30".to_string()), ("yearly".to_string(), "2025".to_string())]);
}

#[test]
fn a_case_opens_on_its_local_day_and_whole_day_deadlines_show_as_dates() {
    let policy = r#"
calendar uk { zone "Europe/London" working mon, tue, wed, thu, fri }
schema step { identified by id  dated by at  id: text  case: text  status: enum { received, answered }  at: datetime  on: date }
code "c" {
  level industry
  calendar uk
  rule new-cases {
    effective from 2024-07-01
    for step
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within 2 days
    message "{group.case} opened {group.opened}, due {group.deadline}"
  }
  rule by-date {
    for step
    case by record.case
    opens when record.status == received at record.on
    closes when record.status == answered at record.on
    within 1 month
    message "{group.case} opened {group.opened}, due {group.deadline}"
  }
}
"#;
    let records = r#"{"id": "1", "case": "A", "status": "received", "at": "2024-06-30T23:30:00Z", "on": "2024-01-31"}
{"id": "2", "case": "A", "status": "answered", "at": "2024-07-04T09:00:00Z", "on": "2024-03-01"}
{"id": "3", "case": "B", "status": "received", "at": "2024-06-30T22:30:00Z", "on": "2024-01-31"}
{"id": "4", "case": "B", "status": "answered", "at": "2024-07-04T09:00:00Z", "on": "2024-02-29"}
"#;
    let got = findings(policy, records);
    // Case A opened on 1 July in London, in force; case B on 30 June, not followed. By date, A was
    // due by the end of 29 February (31 January + 1 month) and answered on 1 March; B in time.
    assert_eq!(
        got,
        [
            (
                "new-cases".to_string(),
                "A".to_string(),
                "A opened 2024-07-01T00:30:00+01:00, due 2024-07-03T00:30:00+01:00".to_string()
            ),
            ("by-date".to_string(), "A".to_string(), "A opened 2024-01-31, due 2024-02-29".to_string()),
        ],
        "{got:#?}"
    );
}

#[test]
fn an_override_in_another_calendar_needs_relaxes_unless_provably_the_same() {
    let base = r#"
calendar uk { zone "Europe/London" working mon, tue, wed, thu, fri cutoff 17:00 }
calendar scotland { zone "Europe/London" working mon, tue, wed, thu, fri cutoff 17:00 holidays 2025-01-02 }
calendar nsw { zone "Australia/Sydney" working mon, tue, wed, thu, fri }
schema event { identified by id  id: text  at: datetime  done: datetime }
code "parent" {
  level industry
  calendar uk
  rule fast { for event require record.done <= record.at + 2 business days }
  rule same-day { for event require day(record.done) == day(record.at) }
}
code "child" {
  level organisational
  extends "parent"
  calendar uk
  OVERRIDE
}
"#;
    let warnings = |over: &str| -> Vec<String> {
        let text = base.replace("OVERRIDE", over);
        let engine = Engine::from_sources([("p.precept", text.as_str())]).unwrap_or_else(|d| panic!("{d:#?}"));
        engine.warnings().iter().map(|d| d.code.to_string()).collect()
    };
    let unverified = ["precept::rule::unverified-override".to_string()];
    // Another calendar, by the rule's clause or in the literal: not shown as strict.
    assert_eq!(
        warnings("rule fast { calendar scotland for event require record.done <= record.at + 2 business days }"),
        unverified
    );
    assert_eq!(
        warnings("rule fast { for event require record.done <= record.at + 2 business days in scotland }"),
        unverified
    );
    assert_eq!(
        warnings("rule fast { for event require record.done <= record.at + 1 business day in scotland }"),
        unverified
    );
    // Stated as a relaxation, it is accepted.
    assert!(warnings("rule fast { calendar scotland relaxes \"Scottish holidays\" for event require record.done <= record.at + 2 business days }").is_empty());
    // Naming the calendar the inherited rule counted in anyway is the same computation.
    assert!(warnings("rule fast { for event require record.done <= record.at + 1 business day in uk }").is_empty());
    // A day in another zone is another day; in the same zone (by calendar or by name), the same.
    let same =
        |call: &str| format!("rule same-day {{ for event require day(record.done{call}) == day(record.at{call}) }}");
    assert_eq!(warnings(&same(", nsw")), [unverified[0].clone(), unverified[0].clone()]);
    assert!(warnings(&same(", uk")).is_empty());
    assert!(warnings(&same(", scotland")).is_empty(), "same zone as uk");
    assert!(warnings(&same(", \"Europe/London\"")).is_empty());
    // The rule's own calendar in another zone makes `day(x)` another day too, and every other day
    // the rule takes (the one that picks its version, say).
    assert_eq!(
        warnings("rule same-day { calendar nsw for event require day(record.done) == day(record.at) }"),
        [unverified[0].clone(), unverified[0].clone(), unverified[0].clone()]
    );
    // The same rule in the same calendar is the same rule.
    assert!(warnings("rule same-day { for event require day(record.done) == day(record.at) }").is_empty());
}

/// The UK's summer time, from the law rather than a database: from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October the clocks are one hour ahead.
mod model {
    /// Days from 1970-01-01 to `y-m-d` (proleptic Gregorian).
    pub fn days(y: i64, m: i64, d: i64) -> i64 {
        let mut n = 0;
        for year in 1970..y {
            n += if leap(year) { 366 } else { 365 };
        }
        for month in 1..m {
            n += month_len(y, month);
        }
        n + d - 1
    }

    pub fn leap(y: i64) -> bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }

    pub fn month_len(y: i64, m: i64) -> i64 {
        match m {
            2 if leap(y) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The last Sunday of month `m`, as a day number (1970-01-01 was a Thursday).
    pub fn last_sunday(y: i64, m: i64) -> i64 {
        let last = days(y, m, month_len(y, m));
        let weekday = (last + 3).rem_euclid(7); // 0 = Monday
        last - (weekday + 1) % 7
    }

    /// The London civil date of a UTC instant, as (year, month, day).
    pub fn london_date(secs: i64, year: i64) -> (i64, i64, i64) {
        let start = last_sunday(year, 3) * 86_400 + 3_600;
        let end = last_sunday(year, 10) * 86_400 + 3_600;
        let local = if (start..end).contains(&secs) { secs + 3_600 } else { secs };
        let mut n = local.div_euclid(86_400);
        let mut y = 1970;
        while n >= if leap(y) { 366 } else { 365 } {
            n -= if leap(y) { 366 } else { 365 };
            y += 1;
        }
        let mut m = 1;
        while n >= month_len(y, m) {
            n -= month_len(y, m);
            m += 1;
        }
        (y, m, n + 1)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Instants within two hours of UTC midnight, on days around both changes of the clocks (and
    /// ordinary summer and winter days), land on the model's London day.
    #[test]
    fn the_local_day_follows_the_uk_summer_time_rule(
        year in 2019i64..2030,
        pick in 0usize..4,
        offset_days in -3i64..=3,
        minutes in -120i64..120,
    ) {
        let base = match pick {
            0 => model::last_sunday(year, 3),
            1 => model::last_sunday(year, 10),
            2 => model::days(year, 7, 15),
            _ => model::days(year, 1, 15),
        };
        let secs = (base + offset_days) * 86_400 + minutes * 60;
        let at = jiff::Timestamp::from_second(secs).unwrap();
        let record = format!("{{\"id\": \"1\", \"at\": \"{at}\"}}");
        let (y, m, d) = model::london_date(secs, year);
        prop_assert_eq!(keys("calendar uk", "day(record.at)", &record), [format!("k {y:04}-{m:02}-{d:02}")]);
    }
}
