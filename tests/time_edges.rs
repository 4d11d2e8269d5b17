//! Edges where the evaluation time, local days, deadlines from the data and case versions meet
//! (issue 13): each test is a defect found in review of the merged work, kept so it stays fixed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

fn codes(engine: &precept::Engine) -> Vec<String> {
    engine.warnings().iter().map(|d| d.code.to_string()).collect()
}

#[test]
fn case_times_in_messages_stay_datetimes_that_a_message_can_compute_with() {
    // Opened and answered on dates: the evidence shows the days, and `group.closed - group.opened`
    // and `business days between(group.opened, group.closed)` still compute.
    let engine = common::engine(
        r#"schema ev {
  identified by id
  id: text
  case: text
  status: text
  on: date
}
calendar uk  { zone "Europe/London" working mon, tue, wed, thu, fri }
code "C" {
  level industry
  calendar uk
  rule answered {
    for ev
    case by record.case
    opens when record.status == "received" at record.on
    closes when record.status == "answered" at record.on
    within 14 days
    message "case {group.case}: {group.closed - group.opened} taken, {business days between(group.opened, group.closed)} business days, late by {group.closed - group.deadline}"
  }
}
"#,
    );
    let recs = "{\"id\":\"1\",\"case\":\"A\",\"status\":\"received\",\"on\":\"2024-07-01\"}\n\
                {\"id\":\"2\",\"case\":\"A\",\"status\":\"answered\",\"on\":\"2024-07-20\"}\n";
    let (_, findings) = common::check(&engine, &[("ev.jsonl", recs)]);
    let f = findings.first().expect("one finding");
    assert_eq!(f.message, "case A: 19d taken, 15 business days, late by 4d");
    assert_eq!(f.evidence[0].summary, "opened 2024-07-01; due by 2024-07-15; closed 2024-07-20, 4d late");
}

#[test]
fn a_pause_moves_a_whole_day_deadline_later_never_earlier() {
    // Both opened on 1 July, `within 14 days`: due by the end of 15 July. NOPAUSE answers at 20:00
    // that day; PAUSED waited an hour on the customer, so it has an hour more, and answers at
    // 20:00 too. Neither is late.
    let engine = common::engine(
        r#"schema ev {
  identified by id
  id: text
  case: text
  status: text
  on: date
  t: datetime?
}
calendar uk  { zone "Europe/London" working mon, tue, wed, thu, fri }
code "C" {
  level industry
  calendar uk
  rule answered {
    for ev
    case by record.case
    opens when record.status == "received" at record.on
    pauses when record.status == "waiting" and record.t is present at record.t
    resumes when record.status == "replied" and record.t is present at record.t
    closes when record.status == "answered" and record.t is present at record.t
    within 14 days
  }
}
"#,
    );
    let (_, findings) = common::check(
        &engine,
        &[(
            "ev.jsonl",
            r#"{"id":"1","case":"NOPAUSE","status":"received","on":"2024-07-01"}
{"id":"2","case":"NOPAUSE","status":"answered","on":"2024-07-15","t":"2024-07-15T20:00:00+01:00"}
{"id":"3","case":"PAUSED","status":"received","on":"2024-07-01"}
{"id":"4","case":"PAUSED","status":"waiting","on":"2024-07-03","t":"2024-07-03T10:00:00+01:00"}
{"id":"5","case":"PAUSED","status":"replied","on":"2024-07-03","t":"2024-07-03T11:00:00+01:00"}
{"id":"6","case":"PAUSED","status":"answered","on":"2024-07-15","t":"2024-07-15T20:00:00+01:00"}
"#,
        )],
    );
    assert!(findings.is_empty(), "{:?}", findings.iter().map(|f| &f.message).collect::<Vec<_>>());
}

#[test]
fn an_override_replacing_a_deadline_from_the_data_with_a_span_is_not_taken_as_stricter() {
    let engine = common::engine(
        r#"schema ev {
  identified by id
  id: text
  case: text
  status: text
  at: datetime
  due_at: datetime
}
code "National" {
  level industry
  rule answered {
    for ev
    case by record.case
    opens when record.status == "received" at record.at
    closes when record.status == "answered" at record.at
    by record.due_at
  }
}
code "Branch" {
  level organisational
  extends "National"
  rule answered {
    for ev
    case by record.case
    opens when record.status == "received" at record.at
    closes when record.status == "answered" at record.at
    within 520 weeks
  }
}
"#,
    );
    assert!(codes(&engine).contains(&"precept::rule::unverified-override".to_string()), "{:?}", codes(&engine));
}

#[test]
fn an_override_taking_its_days_in_another_zone_is_not_taken_as_stricter() {
    let engine = common::engine(
        r#"schema ev {
  identified by id
  id: text
  case: text
  status: text
  on: date
  at_time: datetime
}
calendar uk  { zone "Europe/London" working mon, tue, wed, thu, fri }
calendar la  { zone "America/Los_Angeles" working mon, tue, wed, thu, fri }
code "National" {
  level industry
  calendar uk
  rule answered {
    for ev
    case by record.case
    opens when record.status == "received" at record.on
    closes when record.status == "answered" at record.at_time
    within 14 days
  }
}
code "Branch" {
  level organisational
  extends "National"
  rule answered {
    calendar la
    for ev
    case by record.case
    opens when record.status == "received" at record.on
    closes when record.status == "answered" at record.at_time
    within 14 days
  }
}
"#,
    );
    let w = engine.warnings();
    let shown = common::rendered(w);
    assert!(
        w.iter().any(|d| d.code == "precept::rule::unverified-override") && shown.contains("America/Los_Angeles"),
        "{shown}"
    );
}

#[test]
fn a_zone_named_in_a_call_does_not_stop_a_date_as_of() {
    let engine = common::engine(
        r#"schema t {
  identified by id
  id: text
  at: datetime
}
calendar uk  { zone "Europe/London" working mon, tue, wed, thu, fri }
code "C" {
  level industry
  calendar uk
  rule syd-month {
    for t
    group by month(record.at, "Australia/Sydney")
    require count() <= 500
  }
}
"#,
    )
    .with_options(precept::Options { as_of: Some("2026-06-30".parse().unwrap()), ..Default::default() });
    let at = engine.evaluation_time().expect("a date as-of is placed in the calendar's zone").expect("given");
    assert_eq!(at.zone.as_deref(), Some("Europe/London"));
}
