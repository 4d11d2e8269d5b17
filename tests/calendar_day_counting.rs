//! Counting from the calendar day (issue 13, item 8) beside counting from the received day, and
//! business days counted in a calendar named where they are counted (item 3).
//!
//! `record.opened_at + 3 business days` counts from the day the item is received (after the cutoff,
//! at a weekend or on a holiday, the next working day) and ends at the cutoff;
//! `day(record.opened_at) + 3 business days` is the 3rd working day strictly after the local day it
//! was opened, a date.
//! The property test compares both with a day-by-day walk over a Monday-to-Friday calendar with a
//! few holidays.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use std::sync::OnceLock;

use jiff::civil::{date, Date};
use precept::{Engine, Records};
use proptest::prelude::*;

const POLICY: &str = r#"
calendar uk {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2024-12-25, 2024-12-26, 2025-01-01
}
calendar nsw {
  zone "Australia/Sydney"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2024-12-25, 2024-12-26, 2025-01-01, 2024-12-09
}
schema ticket { identified by id  id: text  opened_at: datetime  answered_at: datetime }
code "House rules" {
  level organisational
  calendar uk
  rule received-day {
    for ticket
    require record.answered_at <= record.opened_at + 3 business days
    message "{record.id} due {record.opened_at + 3 business days}"
  }
  rule calendar-day {
    for ticket
    require day(record.answered_at) <= day(record.opened_at) + 3 business days
    message "{record.id} due {day(record.opened_at) + 3 business days}"
  }
}
"#;

/// The findings of `policy` over CSV `records`: (rule, record, message).
fn findings(policy: &str, records: &str) -> Vec<(String, String, String)> {
    let engine = Engine::from_sources([("p.precept", policy)]).unwrap_or_else(|d| panic!("{d:#?}"));
    let run = engine.check([Records::bytes("t.csv", records)]);
    assert!(run.diagnostics.is_empty(), "{:#?}", run.diagnostics);
    run.findings
        .iter()
        .map(|f| (f.rule_id().to_string(), f.record_id.clone().unwrap_or_default(), f.message.clone()))
        .collect()
}

fn row(s: (&str, &str, &str)) -> (String, String, String) {
    (s.0.to_string(), s.1.to_string(), s.2.to_string())
}

#[test]
fn saturday_and_after_the_cutoff_count_differently_from_the_day() {
    // Friday 6 December 2024 10:00 is received that day: both forms end on Wednesday 11.
    // Friday 18:00 (after the cutoff) and Saturday 09:00 are received on Monday 9: counted from the
    // received day they are due Thursday 12, from the calendar day Wednesday 11.
    let csv = "id,opened_at,answered_at\n\
               FRI-AM,2024-12-06T10:00:00Z,2024-12-12T09:00:00Z\n\
               FRI-PM,2024-12-06T18:00:00Z,2024-12-12T09:00:00Z\n\
               SAT,2024-12-07T09:00:00Z,2024-12-12T09:00:00Z\n\
               SAT-WED,2024-12-07T09:00:00Z,2024-12-11T23:00:00Z\n";
    assert_eq!(
        findings(POLICY, csv),
        [
            row(("received-day", "FRI-AM", "FRI-AM due 2024-12-11T17:00:00+00:00")),
            row(("calendar-day", "FRI-AM", "FRI-AM due 2024-12-11")),
            row(("calendar-day", "FRI-PM", "FRI-PM due 2024-12-11")),
            row(("calendar-day", "SAT", "SAT due 2024-12-11")),
        ]
    );
}

#[test]
fn the_day_itself_is_never_counted_and_holidays_are_skipped() {
    // Christmas Eve, then two holidays: the 1st business day after 24 December is the 27th; after
    // Christmas Day (a holiday, itself not counted either way) too; after the 27th, the 30th.
    let policy = POLICY.replace(
        "require day(record.answered_at) <= day(record.opened_at) + 3 business days",
        "require day(record.answered_at) <= day(record.opened_at) + 1 business day",
    );
    let policy =
        policy.replace("due {day(record.opened_at) + 3 business days}", "due {day(record.opened_at) + 1 business day}");
    let csv = "id,opened_at,answered_at\n\
               EVE,2024-12-24T08:00:00Z,2024-12-30T09:00:00Z\n\
               XMAS,2024-12-25T08:00:00Z,2024-12-30T09:00:00Z\n\
               FRI,2024-12-27T08:00:00Z,2024-12-30T09:00:00Z\n";
    let got: Vec<_> = findings(&policy, csv).into_iter().filter(|f| f.0 == "calendar-day").collect();
    assert_eq!(
        got,
        [row(("calendar-day", "EVE", "EVE due 2024-12-27")), row(("calendar-day", "XMAS", "XMAS due 2024-12-27"))]
    );
}

#[test]
fn a_count_can_name_the_calendar_it_counts_in() {
    let policy = r#"
calendar uk { zone "Europe/London" working mon, tue, wed, thu, fri cutoff 17:00 }
calendar nsw { zone "Australia/Sydney" working mon, tue, wed, thu, fri cutoff 17:00 holidays 2024-12-09 }
schema ticket { identified by id  id: text  opened_at: datetime  answered_at: datetime }
code "House rules" {
  level organisational
  calendar uk
  rule in-nsw {
    for ticket
    require record.answered_at <= record.opened_at + 1 business day in nsw
    message "{record.id}: {business days between(record.opened_at, record.answered_at) in nsw} in nsw, {business days between(record.opened_at, record.answered_at)} in uk, nsw day {business_day(record.answered_at, nsw)}"
  }
  rule day-in-nsw {
    for ticket
    require day(record.answered_at, nsw) <= day(record.opened_at, nsw) + 1 business day in nsw
    message "{record.id} due {day(record.opened_at, nsw) + 1 business day in nsw}"
  }
}
"#;
    // Opened Friday 6 December 10:00 in Sydney (23:00Z on the 5th); Monday 9 is a holiday in nsw
    // only, so it is due Tuesday 10 17:00 in Sydney (06:00Z). A, answered at 03:00 on Tuesday in
    // Sydney, is in time; B, at 18:00 on Tuesday in Sydney, is not (received there on Wednesday 11).
    // Counted from the calendar day in Sydney, both were answered on Tuesday 10: in time.
    let csv = "id,opened_at,answered_at\n\
               A,2024-12-05T23:00:00Z,2024-12-09T16:00:00Z\n\
               B,2024-12-05T23:00:00Z,2024-12-10T07:00:00Z\n";
    assert_eq!(findings(policy, csv), [row(("in-nsw", "B", "B: 2 in nsw, 2 in uk, nsw day 2024-12-11"))]);
    // Without `in nsw`, the code's calendar counts: Monday 9 is worked in London, and B (received
    // after London's Thursday cutoff, so on Friday) is due Monday 17:00 there.
    let uk = policy
        .replace("+ 1 business day in nsw\n    message \"{record.id}:", "+ 1 business day\n    message \"{record.id}:");
    let got: Vec<_> = findings(&uk, csv).into_iter().map(|(r, id, _)| (r, id)).collect();
    assert_eq!(got, [("in-nsw".to_string(), "B".to_string())]);
}

#[test]
fn a_count_read_from_the_data_counts_from_a_date_and_in_a_named_calendar() {
    // The same two questions with the number of business days taken from the record (item 6):
    // from the received day in `nsw`, and from the calendar day in `uk`.
    let policy = r#"
calendar uk { zone "Europe/London" working mon, tue, wed, thu, fri cutoff 17:00 }
calendar nsw { zone "Australia/Sydney" working mon, tue, wed, thu, fri cutoff 17:00 holidays 2024-12-09 }
schema ticket { identified by id  id: text  opened_at: datetime  answered_at: datetime  days: integer }
code "House rules" {
  level organisational
  calendar uk
  rule agreed-in-nsw {
    for ticket
    require record.answered_at <= record.opened_at + record.days business days in nsw
    message "{record.id} due {record.opened_at + record.days business days in nsw}"
  }
  rule agreed-from-the-day {
    for ticket
    require day(record.answered_at) <= day(record.opened_at) + record.days business days
    message "{record.id} due {day(record.opened_at) + record.days business days}"
  }
}
"#;
    // Opened Saturday 7 December 2024, 09:00 in London (20:00 in Sydney): one business day agreed.
    // In nsw it counts as received on Tuesday 10 (Monday 9 is a holiday there), so it is due
    // Wednesday 11 17:00 in Sydney (06:00Z). From the London calendar day (Saturday 7) the first
    // working day after it is Monday 9. A answers Monday 9 at 12:00 in London (in time for both);
    // B answers Tuesday 10 at 12:00 in London (23:00 in Sydney): late from the day, in time in nsw;
    // C answers Wednesday 11 at 08:00 in London (19:00 in Sydney): late for both.
    let csv = "id,opened_at,answered_at,days\n\
               A,2024-12-07T09:00:00Z,2024-12-09T12:00:00Z,1\n\
               B,2024-12-07T09:00:00Z,2024-12-10T12:00:00Z,1\n\
               C,2024-12-07T09:00:00Z,2024-12-11T08:00:00Z,1\n";
    let mut got = findings(policy, csv);
    got.sort();
    assert_eq!(
        got,
        [
            row(("agreed-from-the-day", "B", "B due 2024-12-09")),
            row(("agreed-from-the-day", "C", "C due 2024-12-09")),
            row(("agreed-in-nsw", "C", "C due 2024-12-11T06:00:00+00:00")),
        ]
    );
}

#[test]
fn a_case_deadline_and_a_presence_rule_can_name_their_calendar() {
    let policy = r#"
calendar uk { zone "Europe/London" working mon, tue, wed, thu, fri cutoff 17:00 holidays 2025-01-01 }
calendar scotland { zone "Europe/London" working mon, tue, wed, thu, fri cutoff 17:00 holidays 2025-01-01, 2025-01-02 }
schema step { identified by id  id: text  case: text  status: enum { received, answered }  at: datetime }
code "House rules" {
  level organisational
  calendar uk
  rule answered {
    for step
    case by record.case
    opens when record.status == received at record.at
    closes when record.status == answered at record.at
    within 1 business day in scotland
  }
  rule daily {
    for step
    group by "all" as g
    expect every business day in scotland of record.at from 2024-12-30 until 2025-01-03
    message "{group.period}"
  }
}
"#;
    // Received Tuesday 31 December; 1 January is a holiday in both, 2 January in Scotland only:
    // due Friday 3 January 17:00 in Scotland, so an answer on the 3rd is in time.
    let csv = "id,case,status,at\n\
               1,A,received,2024-12-30T10:00:00Z\n\
               2,A,answered,2024-12-31T10:00:00Z\n\
               3,B,received,2024-12-31T10:00:00Z\n\
               4,B,answered,2025-01-03T10:00:00Z\n";
    assert_eq!(findings(policy, csv), []);
    // Counted in `uk`, where 2 January is worked: B is late (due Thursday 17:00) and the 2nd has no
    // record.
    let uk = policy.replace(" in scotland", "");
    let got = findings(&uk, csv);
    assert_eq!(
        got.iter().map(|(r, id, _)| (r.as_str(), id.as_str())).collect::<Vec<_>>(),
        [("answered", "B"), ("daily", "g all")],
        "{got:?}"
    );
    assert_eq!(got[1].2, "2025-01-02");
}

/// The model: a Monday-to-Friday calendar with the holidays of [`POLICY`]'s `uk`, walked day by day.
mod model {
    use jiff::civil::{date, Date, Weekday};

    pub fn worked(d: Date) -> bool {
        let holiday = [date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1)].contains(&d);
        !holiday && !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The `n`-th worked day strictly after `d`.
    pub fn nth_after(d: Date, n: i64) -> Date {
        let (mut d, mut left) = (d, n);
        while left > 0 {
            d = d.tomorrow().unwrap();
            if worked(d) {
                left -= 1;
            }
        }
        d
    }

    /// The day something arriving at local `minute` of day `d` is received: that day when it is
    /// worked and the minute is at or before 17:00, else the next worked day.
    pub fn received(d: Date, minute: i64) -> Date {
        if worked(d) && minute <= 17 * 60 {
            return d;
        }
        nth_after(d, 1)
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let policy = r#"
calendar uk {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
  holidays 2024-12-25, 2024-12-26, 2025-01-01
}
schema ticket { identified by id  id: text  opened_at: datetime }
code "House rules" {
  level organisational
  calendar uk
  rule show {
    for ticket
    require record.id == "none"
    message "{day(record.opened_at) + 1 business day}|{day(record.opened_at) + 4 business days}|{record.opened_at + 1 business day}|{record.opened_at + 4 business days}"
  }
}
"#;
        Engine::from_sources([("p.precept", policy)]).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// In winter (London on UTC), an item opened at any minute of a day from November to February,
    /// across Christmas and New Year: the calendar-day count never looks at the time or the
    /// receipt, the received-day count starts from the received day and ends at 17:00.
    #[test]
    fn received_day_and_calendar_day_counting_match_a_day_by_day_walk(day in 0i64..110, minute in 0i64..1440) {
        let d: Date = date(2024, 11, 1).checked_add(jiff::Span::new().days(day)).unwrap();
        let at = d.at(i8::try_from(minute / 60).unwrap(), i8::try_from(minute % 60).unwrap(), 0, 0);
        let opened = format!("{}Z", at.strftime("%Y-%m-%dT%H:%M:%S"));
        let run = engine().check([Records::bytes("t.csv", format!("id,opened_at\nX,{opened}\n"))]);
        prop_assert!(run.diagnostics.is_empty());
        let message = run.findings.first().map(|f| f.message.clone()).unwrap_or_default();
        let r = model::received(d, minute);
        let at17 = |d: Date| format!("{d}T17:00:00+00:00");
        let want = format!(
            "{}|{}|{}|{}",
            model::nth_after(d, 1),
            model::nth_after(d, 4),
            at17(model::nth_after(r, 1)),
            at17(model::nth_after(r, 4))
        );
        prop_assert_eq!(message, want, "opened {}", opened);
    }
}
