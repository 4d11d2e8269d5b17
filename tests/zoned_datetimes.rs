//! Zone-less timestamps (`zone "..."` in a schema or on a field) end to end: records on both sides
//! of a daylight-saving gap and fold in a declared zone, a field's own zone over its schema's,
//! export spellings, the diagnostic for an unknown zone, and a property test of the reading of
//! random wall-clock times against a hand model of New York's 2024 clock changes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use proptest::prelude::*;

/// Service requests exported as NYC 311 writes them: local times, no offset. `closed` says its own
/// zone (UTC), over the schema's.
const SCHEMA: &str = r#"
schema request {
  identified by id
  zone "America/New_York"
  id: text
  opened: datetime column "Created Date"
  answered: datetime
  closed: datetime zone "UTC"
}
code "Service" {
  level organisational
  rule answered-within-an-hour { for request
    require hours_between(record.opened, record.answered) <= 1  message "{record.id} was answered late" }
  rule closed-after-opening { for request
    require hours_between(record.opened, record.closed) >= 0  message "{record.id} closed before it opened" }
}
"#;

fn late(csv: &str) -> Vec<String> {
    let engine = common::engine(SCHEMA);
    let (outcome, findings) = common::check(&engine, &[("requests.csv", csv)]);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    let mut ids: Vec<String> =
        findings.iter().map(|f| format!("{} {}", f.rule_id(), f.record_id.clone().unwrap_or_default())).collect();
    ids.sort();
    ids
}

#[test]
fn records_on_both_sides_of_a_gap_and_a_fold() {
    let csv = "id,Created Date,answered,closed\n\
        gap-ok,2024-03-10T01:30:00.000,2024-03-10T03:15:00.000,2024-03-10T12:00:00\n\
        gap-in,2024-03-10T01:40:00.000,2024-03-10T02:30:00.000,2024-03-10T12:00:00\n\
        gap-late,2024-03-10T01:00:00.000,2024-03-10T03:30:00.000,2024-03-10T12:00:00\n\
        fold-ok,2024-11-03T00:45:00.000,2024-11-03T01:30:00.000,2024-11-03T12:00:00\n\
        fold-late,2024-11-03T01:50:00.000,2024-11-03T02:10:00.000,2024-11-03T12:00:00\n\
        plain,2024-05-27 02:08:51,2024-05-27 02:58:51.5,2024-05-27T07:00:00+0000\n\
        closed-early,2024-05-27T02:08:51,2024-05-27T02:10:00,2024-05-27T05:00:00\n\
        instant,2024-05-27T02:08:51-04:00,2024-05-27T07:00:00Z,2024-05-27T08:00:00\n";
    // gap-ok: 01:30 EST to 03:15 EDT is 45 minutes. gap-in: 02:30 does not exist and is read as
    // 03:30 EDT, 50 minutes after 01:40 EST. gap-late: 01:00 EST to 03:30 EDT is 90 minutes.
    // fold-ok: 01:30 is its first (EDT) occurrence, 45 minutes after 00:45. fold-late: 01:50 EDT
    // to 02:10 EST is 80 minutes. closed-early: `closed` is read in UTC (05:00Z), before 06:08Z.
    // instant: values with an offset are those instants (06:08:51Z to 07:00Z is 51 minutes).
    assert_eq!(
        late(csv),
        ["answered-within-an-hour fold-late", "answered-within-an-hour gap-late", "closed-after-opening closed-early",]
    );
}

#[test]
fn without_a_zone_a_wall_clock_time_is_an_input_error_that_names_the_declaration() {
    let engine = common::engine(&SCHEMA.replace("zone \"America/New_York\"", ""));
    let csv = "id,Created Date,answered,closed\nr,2024-05-27T02:08:51.000,2024-05-27T02:08:51Z,2024-05-27T03:00:00\n";
    let (outcome, _) = common::check(&engine, &[("requests.csv", csv)]);
    let d = outcome.diagnostics.iter().find(|d| d.code == "precept::input::invalid-value").expect("an input error");
    assert!(d.message.contains("has no offset"), "{}", d.message);
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("zone \"Europe/London\""), "{help}");
}

#[test]
fn a_zone_on_a_nested_object_or_list_applies_inside_it() {
    let engine = common::engine(
        r#"schema s {
  identified by id
  id: text
  visit: { at: datetime, left: datetime zone "UTC" } zone "Europe/London"
  calls: list of datetime zone "Asia/Kolkata"
}
code "C" { level organisational
  rule r { for s require hours_between(record.visit.at, record.visit.left) == 1
    and all(c in record.calls: hours_between(c, record.visit.left) == 2.5) message "{record.id}" } }"#,
    );
    // `visit.at` 10:00 BST is 09:00Z, an hour before `visit.left`, read in its own zone (UTC) as
    // 10:00Z; the call at 13:00 in Kolkata (+05:30) is 07:30Z, 2.5 hours before it.
    let ok = r#"{"id": "ok", "visit": {"at": "2024-07-01T10:00:00", "left": "2024-07-01 10:00:00"}, "calls": ["2024-07-01T13:00:00"]}"#;
    let (outcome, findings) = common::check(&engine, &[("s.jsonl", format!("{ok}\n"))]);
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
    assert!(findings.is_empty(), "{:?}", findings.iter().map(|f| &f.message).collect::<Vec<_>>());
}

#[test]
fn a_zone_on_a_field_without_datetimes_is_a_mismatch() {
    let diags = precept::Engine::from_sources([(
        "p.precept",
        "schema s { identified by id id: text zone \"UTC\" t: datetime }\ncode \"C\" { level organisational rule r { for s require record.t > 2024-01-01T00:00:00Z message \"m\" } }",
    )])
    .unwrap_err();
    assert!(diags
        .iter()
        .any(|d| d.code == "precept::type::mismatch" && d.message.contains("has a zone but no datetime")));
}

#[test]
fn an_unknown_zone_is_a_diagnostic() {
    let policy = SCHEMA.replace("\"America/New_York\"", "\"America/Gotham\"");
    let diags = precept::Engine::from_sources([("p.precept", policy.as_str())]).unwrap_err();
    assert!(diags.iter().any(|d| d.code == "precept::type::unknown-zone"));
    insta::assert_snapshot!(common::rendered(&diags));
}

/// Seconds from 2024-01-01T00:00:00 (as if UTC) of New York's 2024 clock changes, in UTC: summer
/// time from 2024-03-10T07:00Z (02:00 EST) to 2024-11-03T06:00Z (02:00 EDT).
const EPOCH_2024: i64 = 1_704_067_200;
const DST_START: i64 = 1_710_054_000;
const DST_END: i64 = 1_730_613_600;

/// The instant (Unix seconds) of a New York wall-clock time given as Unix seconds "as if UTC", by
/// the documented rule: a time in the fold is its earlier instant; a time in the gap is read with
/// the offset before the change (so it moves forward by the gap).
fn model(wall: i64) -> i64 {
    let edt = wall + 4 * 3600;
    let est = wall + 5 * 3600;
    let edt_ok = (DST_START..DST_END).contains(&edt);
    let est_ok = !(DST_START..DST_END).contains(&est);
    match (edt_ok, est_ok) {
        (true, _) => edt,
        (false, true) => est,
        (false, false) => est,
    }
}

fn wall_text(wall: i64, style: u8) -> String {
    let t = jiff::Timestamp::from_second(wall).unwrap().to_zoned(jiff::tz::TimeZone::UTC).datetime();
    let base = t.strftime("%Y-%m-%d").to_string();
    let clock = t.strftime("%H:%M:%S").to_string();
    match style % 3 {
        0 => format!("{base}T{clock}"),
        1 => format!("{base} {clock}"),
        _ => format!("{base}T{clock}.000"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn wall_clock_times_read_as_the_model_says(
        times in proptest::collection::vec((0u8..3, 0i64..86_400, 0u8..4, 0i64..366), 1..40),
    ) {
        let engine = common::engine(
            "schema s { identified by id zone \"America/New_York\" id: text t: datetime u: datetime }\n\
             code \"C\" { level organisational rule same { for s require hours_between(record.t, record.u) == 0 message \"{record.id}\" } }",
        );
        let mut csv = String::from("id,t,u\n");
        for (i, (day, second, style, other)) in times.iter().enumerate() {
            // Mostly the days the clocks change, so both the gap and the fold are drawn often.
            let day_start = match day {
                0 => DST_START - 7 * 3600,
                1 => DST_END - 6 * 3600,
                _ => EPOCH_2024 + other * 86_400,
            };
            let wall = day_start - (day_start - EPOCH_2024) % 86_400 + second;
            let instant = jiff::Timestamp::from_second(model(wall)).unwrap();
            csv.push_str(&format!("r{i},{},{instant}\n", wall_text(wall, *style)));
        }
        let (outcome, findings) = common::check(&engine, &[("s.csv", csv.as_str())]);
        prop_assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        prop_assert!(findings.is_empty(), "{}\n{:?}", csv, findings.iter().map(|f| &f.message).collect::<Vec<_>>());
    }
}
