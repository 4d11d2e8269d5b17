//! The evaluation time (`--as-of`, `as_of`, `Options::as_of`, `now`) end to end.
//!
//! - The fixture `fixtures/as-of/` checked at `2026-06-30`: each record's findings are exactly the
//!   ones it declares (read here with plain serde), the pending count, and the evaluation time in
//!   every report; reports byte-identical across runs and thread counts; JSON valid against its
//!   schema, SARIF against SARIF 2.1.0.
//! - The diagnostics: `precept::usage::no-as-of` and `precept::usage::as-of`, snapshotted.
//! - Property tests against a small model written here: a case deadline exactly at, a nanosecond
//!   and a minute before and after the evaluation time (finding or pending), a response before or
//!   after it; and a single-record rule over `now` with calendar months (the model adds months
//!   with its own days-in-month rule).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use precept::api::AsOf;
use proptest::prelude::*;

const FIXTURE: [&str; 3] = ["--policies", "fixtures/as-of/policies", "fixtures/as-of/records"];

/// `precept check --no-config` over the fixture with `extra` flags (before the records folder).
fn check_fixture(extra: &[&str]) -> common::Run {
    let mut args = vec!["check", "--no-config", FIXTURE[0], FIXTURE[1]];
    args.extend_from_slice(extra);
    args.push(FIXTURE[2]);
    common::precept(&args)
}

/// What each record of the fixture declares it breaks: (record id, sorted rule ids).
fn declared() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(common::root().join("fixtures/as-of/records/requests.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let mut ids: Vec<String> =
                v["expect"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
            ids.sort();
            (v["id"].as_str().unwrap().to_string(), ids)
        })
        .collect()
}

/// The findings of a JSON report, by record (or case) id.
fn found(doc: &serde_json::Value) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = declared().keys().map(|k| (k.clone(), Vec::new())).collect();
    for f in doc["findings"].as_array().unwrap() {
        out.entry(f["record"].as_str().unwrap().to_string()).or_default().push(f["rule"].as_str().unwrap().to_string());
    }
    for ids in out.values_mut() {
        ids.sort();
    }
    out
}

#[test]
fn the_fixture_gives_exactly_the_declared_findings_at_its_evaluation_time() {
    let run = check_fixture(&["--as-of", "2026-06-30", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(found(&doc), declared());
    assert_eq!(doc["summary"]["pending"]["total"], 3);
    assert_eq!(
        doc["summary"]["evaluation"],
        serde_json::json!({"as_of": "2026-06-30", "time": "2026-07-01T00:00:00+01:00", "zone": "Europe/London",
            "open_obligations_judged_at": "evaluation time"})
    );
    // The same instant given as a datetime judges the same.
    let same = check_fixture(&["--as-of", "2026-06-30T23:00:00Z", "--format", "json"]);
    let same: serde_json::Value = serde_json::from_str(&same.stdout).unwrap();
    assert_eq!(found(&same), declared());
    assert_eq!(same["summary"]["evaluation"]["time"], "2026-06-30T23:00:00+00:00");
    assert_eq!(same["summary"]["evaluation"]["zone"], serde_json::Value::Null);
    // A nanosecond later, R-2's month (exactly at the evaluation time) has passed.
    let later = check_fixture(&["--as-of", "2026-06-30T23:00:00.000000001Z", "--format", "json"]);
    let later: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    let mut expected = declared();
    expected.get_mut("R-2").unwrap().push("request-answered-within-a-month".into());
    expected.get_mut("R-2").unwrap().sort();
    // ...and R-4's 72 hours, due exactly at 23:00:00Z, too.
    expected.get_mut("R-4").unwrap().push("request-acknowledged".into());
    assert_eq!(found(&later), expected);
    assert_eq!(later["summary"]["pending"]["total"], 2);
}

#[test]
fn the_settings_give_the_as_of_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::root();
    let settings = format!(
        "policies = [\"{}\"]\nrecords = [\"{}\"]\nas_of = \"2026-06-30\"\n",
        root.join("fixtures/as-of/policies").display(),
        root.join("fixtures/as-of/records").display()
    );
    std::fs::write(dir.path().join("precept.toml"), settings).unwrap();
    let run = common::precept_in(dir.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(found(&doc), declared());
    let flag = common::precept_in(dir.path(), &["check", "--format", "json", "--as-of", "2026-06-01"]);
    let doc: serde_json::Value = serde_json::from_str(&flag.stdout).unwrap();
    assert_eq!(doc["summary"]["evaluation"]["as_of"], "2026-06-01");
    std::fs::write(dir.path().join("precept.toml"), "as_of = \"yesterday\"\n").unwrap();
    let bad = common::precept_in(dir.path(), &["check"]);
    assert_eq!(bad.code, 2, "{}", bad.snapshot());
    // Text that is no time is placed in the settings file, as any other invalid setting.
    assert!(
        bad.stderr.contains("precept::config::invalid") && bad.stderr.contains("precept.toml:1:9"),
        "{}",
        bad.stderr
    );
    // The flag has no place in a file; it is named instead.
    let flag = common::precept_in(dir.path(), &["check", "--no-config", "--as-of", "yesterday", "--policies", "p"]);
    assert_eq!(flag.code, 2, "{}", flag.snapshot());
    assert!(
        flag.stderr.contains("precept::usage::as-of") && flag.stderr.contains("given by `--as-of`"),
        "{}",
        flag.stderr
    );
}

#[test]
fn every_report_states_the_evaluation_time() {
    let human = check_fixture(&["--as-of", "2026-06-30"]);
    assert!(
        human.stdout.contains("evaluated at 2026-07-01T00:00:00+01:00 (the end of 2026-06-30 in Europe/London)\n"),
        "{}",
        human.stdout
    );
    // The evidence of a case still open says where it was judged (the human report wraps it).
    let json = check_fixture(&["--as-of", "2026-06-30", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let r1 = doc["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "request-acknowledged").unwrap();
    let summary = r1["evidence"][0]["summary"].as_str().unwrap();
    assert!(
        summary.ends_with("still open at 2026-07-01T00:00:00+01:00 (the evaluation time), 57d 15h past the deadline"),
        "{summary}"
    );
    assert_eq!(r1["evidence"][0]["facts"]["open_at_as_of"], "2026-07-01T00:00:00+01:00");
    let junit = check_fixture(&["--as-of", "2026-06-30", "--format", "junit"]);
    assert!(junit.stdout.contains("<property name=\"evaluation_time\" value=\"2026-07-01T00:00:00+01:00\"/>"));
    let sarif = check_fixture(&["--as-of", "2026-06-30", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(doc["runs"][0]["properties"]["evaluation"]["time"], "2026-07-01T00:00:00+01:00");
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    // Without an as-of (a policy without `now`), reports say open obligations are judged at the end of the data.
    let run =
        common::precept(&["check", "--no-config", "--policies", "policies", "--format", "sarif", "fixtures/records"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["runs"][0]["properties"]["evaluation"]["open_obligations_judged_at"], "end of data");
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    let human = common::precept(&["check", "--no-config", "--policies", "policies", "fixtures/records"]);
    assert!(human
        .stdout
        .contains("no evaluation time given (--as-of): open obligations are judged at the end of the data\n"));
}

#[test]
fn the_json_report_with_an_as_of_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join("docs/json-report.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
    for as_of in ["2026-06-30", "2026-06-30T17:00:00+01:00", "2026-06-30T17:00"] {
        let run = check_fixture(&["--as-of", as_of, "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert_eq!(errors, Vec::<String>::new(), "{as_of}");
    }
}

fn sarif_errors(doc: &serde_json::Value) -> Vec<String> {
    let shared = common::root().join("../shared/schemas/sarif-schema-2.1.0.json");
    let path = if shared.is_file() { shared } else { common::root().join("tests/schemas/sarif-schema-2.1.0.json") };
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
    validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect()
}

#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    for format in ["human", "json", "sarif", "junit", "github"] {
        let runs: Vec<String> = [["--threads", "1"], ["--threads", "2"], ["--threads", "1"], ["--threads", "2"]]
            .iter()
            .map(|t| {
                let run = check_fixture(&["--as-of", "2026-06-30T17:00:00+01:00", "--format", format, t[0], t[1]]);
                assert_eq!(run.code, 1, "{}", run.snapshot());
                run.stdout
            })
            .collect();
        assert!(runs.windows(2).all(|w| w[0] == w[1]), "{format} differs between runs");
    }
}

#[test]
fn a_rule_that_uses_now_without_an_as_of_is_refused() {
    let run = check_fixture(&[]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stdout.is_empty() || !run.stdout.contains("finding"), "{}", run.stdout);
    insta::assert_snapshot!(run.stderr);
    // The library refuses the run too, with the same diagnostic, and never reads the clock.
    let engine = precept::Engine::from_folder(common::root().join("fixtures/as-of/policies")).unwrap();
    let run = engine.check([precept::Records::bytes(
        "requests.jsonl",
        "{\"id\": \"R-1\", \"received_at\": \"2026-05-01T09:00:00Z\"}\n",
    )]);
    assert_eq!(run.status(), precept::Status::Failed);
    assert!(run.findings.is_empty());
    assert!(run.diagnostics.iter().any(|d| d.code == "precept::usage::no-as-of"));
}

#[test]
fn an_as_of_that_is_not_a_time_is_a_usage_error() {
    let run = check_fixture(&["--as-of", "30/06/2026"]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    insta::assert_snapshot!("not_a_time", run.stderr);
}

#[test]
fn a_wall_clock_as_of_needs_a_zone() {
    let policy = r#"
schema request { identified by id  id: text  received_at: datetime  responded_at: datetime? }
code "C" { level industry
  rule answered { title "Answered within a month" for request
    require record.responded_at is present or record.received_at + 1 month >= now } }
"#;
    let engine = common::engine(policy);
    let at = |text: &str| {
        let options = precept::Options { as_of: Some(text.parse().unwrap()), ..precept::Options::default() };
        engine.fresh().with_options(options).evaluation_time()
    };
    // No calendar: a date is the end of the day in UTC; a wall-clock time cannot be placed.
    assert_eq!(at("2026-06-30").unwrap().unwrap().to_string(), "2026-07-01T00:00:00+00:00");
    let problem = at("2026-06-30T17:00").unwrap_err();
    assert_eq!(problem.code, "precept::usage::as-of");
    insta::assert_snapshot!("wall_clock_without_a_zone", common::rendered(&[problem]));
    // Calendars in two zones: neither a date nor a wall-clock time can be placed; an instant can.
    let two = format!(
        "{policy}\ncalendar london {{ zone \"Europe/London\" working mon, tue, wed, thu, fri }}\ncalendar ny {{ zone \"America/New_York\" working mon, tue, wed, thu, fri }}\n"
    );
    let engine = common::engine(&two);
    let options = |text: &str| precept::Options { as_of: Some(text.parse().unwrap()), ..precept::Options::default() };
    let day = engine.fresh().with_options(options("2026-06-30")).evaluation_time().unwrap_err();
    insta::assert_snapshot!("day_in_two_zones", common::rendered(&[day]));
    assert!(engine.fresh().with_options(options("2026-06-30T17:00:00-04:00")).evaluation_time().is_ok());
    // A run with an as-of that cannot be placed fails with that diagnostic.
    let run = engine
        .fresh()
        .with_options(options("2026-06-30"))
        .check([precept::Records::bytes("r.jsonl", "{\"id\": \"R-1\", \"received_at\": \"2026-05-01T09:00:00Z\"}\n")]);
    assert_eq!(run.status(), precept::Status::Failed);
    assert!(run.diagnostics.iter().any(|d| d.code == "precept::usage::as-of"));
}

#[test]
fn a_wall_clock_as_of_is_read_in_the_calendar_zone_gap_forward_fold_earlier() {
    let resolve = |text: &str| {
        let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
        text.parse::<AsOf>().unwrap().resolve(Some(("Europe/London", &london)), false).unwrap()
    };
    assert_eq!(resolve("2026-06-30T17:00").to_string(), "2026-06-30T17:00:00+01:00");
    assert_eq!(resolve("2026-06-30 17:00:00").to_string(), "2026-06-30T17:00:00+01:00");
    // 29 March 2026, 01:30 does not exist in London: it moves forward to 02:30 BST.
    assert_eq!(resolve("2026-03-29T01:30").to_string(), "2026-03-29T02:30:00+01:00");
    // 25 October 2026, 01:30 happens twice: the earlier (BST).
    assert_eq!(resolve("2026-10-25T01:30").to_string(), "2026-10-25T01:30:00+01:00");
    // The day the clocks go forward ends at midnight GMT... of the next day, which is BST.
    assert_eq!(resolve("2026-03-28").to_string(), "2026-03-29T00:00:00+00:00");
    assert_eq!(resolve("2026-03-29").to_string(), "2026-03-30T00:00:00+01:00");
}

#[test]
fn policy_tests_give_their_evaluation_time_with_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    let policy = std::fs::read_to_string(common::root().join("fixtures/as-of/policies/requests.precept")).unwrap();
    std::fs::write(policies.join("requests.precept"), policy).unwrap();
    std::fs::write(
        policies.join("requests.test.toml"),
        r#"
[[test]]
name = "a request unanswered a month and a second on is late; one due exactly now is not"
as_of = 2026-06-30
records = [
  { id = "R-2", received_at = 2026-05-31T23:00:00Z },
  { id = "R-3", received_at = 2026-05-31T22:59:59Z },
]
expect = ["request-answered-within-a-month@R-3", "request-acknowledged@R-2", "request-acknowledged@R-3"]

[[test]]
name = "at an instant, given as text"
as_of = "2026-06-30T23:00:00.000000001Z"
records = [{ id = "R-2", received_at = 2026-05-31T23:00:00Z }]
expect = ["request-answered-within-a-month@R-2", "request-acknowledged@R-2"]

[[test]]
name = "without an as-of the rule using now cannot run"
records = [{ id = "R-2", received_at = 2026-05-31T23:00:00Z }]
expect = []
"#,
    )
    .unwrap();
    let run = common::precept_in(dir.path(), &["test", "--policies", "policies"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(run.stdout.contains("precept::usage::no-as-of"), "{}", run.snapshot());
    assert!(run.stdout.contains("2 passed") || run.stdout.contains("2 of 3"), "{}", run.snapshot());
    std::fs::write(policies.join("requests.test.toml"), "[[test]]\nname = \"x\"\nas_of = 7\nexpect = []\n").unwrap();
    let bad = common::precept_in(dir.path(), &["test", "--policies", "policies"]);
    assert_eq!(bad.code, 2, "{}", bad.snapshot());
    assert!(bad.stderr.contains("`as_of` is not usable"), "{}", bad.snapshot());
}

// ---------------------------------------------------------------- properties against a model

const CASE_POLICY: &str = r#"
schema request { identified by id  id: text  received_at: datetime  responded_at: datetime? }
code "C" { level industry
  rule acknowledged { title "Answered within the limit" for request
    case by record.id
    opens at record.received_at
    closes when record.responded_at is present at record.responded_at
    within 72h } }
"#;

/// The model of a case rule at an evaluation time `at`: events after it are not seen; an
/// obligation closed by then is late when closed after its deadline; one open at it is a finding
/// past its deadline, else pending. Returns (finding, pending).
fn case_model(received: Timestamp, responded: Option<Timestamp>, limit: SignedDuration, at: Timestamp) -> (bool, bool) {
    let deadline = received + limit;
    if received > at {
        return (false, false);
    }
    match responded.filter(|r| *r <= at && *r >= received) {
        Some(r) => (r > deadline, false),
        None => (at > deadline, at <= deadline),
    }
}

fn ts(seconds: i64, nanos: i32) -> Timestamp {
    Timestamp::new(seconds, nanos).unwrap()
}

fn text(t: Timestamp) -> String {
    t.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn case_deadlines_around_the_evaluation_time_match_the_model(
        received_s in 1_700_000_000i64..1_800_000_000,
        received_ns in 0i32..1_000_000_000,
        // Where the evaluation time sits from the deadline: exactly at, a nanosecond or a minute
        // either side, or anywhere within a week.
        shift in prop_oneof![
            Just(0i64), Just(-1), Just(1), Just(-60_000_000_000), Just(60_000_000_000),
            -604_800_000_000_000i64..604_800_000_000_000
        ],
        response in proptest::option::of(0i64..400_000_000_000_000),
    ) {
        let engine = common::engine(CASE_POLICY);
        let received = ts(received_s, received_ns);
        let limit = SignedDuration::from_hours(72);
        let at = received + limit + SignedDuration::from_nanos(shift);
        let responded = response.map(|r| received + SignedDuration::from_nanos(r));
        let record = match responded {
            Some(r) => format!("{{\"id\": \"R\", \"received_at\": \"{}\", \"responded_at\": \"{}\"}}\n", text(received), text(r)),
            None => format!("{{\"id\": \"R\", \"received_at\": \"{}\"}}\n", text(received)),
        };
        let options = precept::Options { as_of: Some(AsOf::Instant(at, 0)), ..precept::Options::default() };
        let run = engine.with_options(options).check([precept::Records::bytes("r.jsonl", record)]);
        prop_assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
        let (finding, pending) = case_model(received, responded, limit, at);
        prop_assert_eq!(run.findings.len(), usize::from(finding));
        prop_assert_eq!(run.summary.pending.iter().map(|(_, n)| n).sum::<usize>(), usize::from(pending));
        if finding && responded.is_none_or(|r| r > at) {
            prop_assert!(run.findings[0].evidence[0].summary.contains("(the evaluation time)"));
        }
    }

    #[test]
    fn a_now_rule_with_calendar_months_matches_the_model(
        // Days from 2020-01-01, and a time of day, in UTC.
        day in 0i64..3_000,
        second in 0i64..86_400,
        months in 1i64..14,
        responded in any::<bool>(),
        shift in prop_oneof![Just(0i64), Just(-1), Just(1), Just(-60), Just(60), -5_000_000i64..5_000_000],
    ) {
        let policy = format!(r#"
schema request {{ identified by id  id: text  received_at: datetime  responded_at: datetime? }}
code "C" {{ level industry
  rule answered {{ title "Answered in time" for request
    require record.responded_at is present or record.received_at + {months} months >= now }} }}
"#);
        let engine = common::engine(&policy);
        let received = ts(1_577_836_800 + day * 86_400 + second, 0);
        let due = model_add_months(received, months);
        let at = due + SignedDuration::from_secs(shift);
        let record = if responded {
            format!("{{\"id\": \"R\", \"received_at\": \"{}\", \"responded_at\": \"{}\"}}\n", text(received), text(received))
        } else {
            format!("{{\"id\": \"R\", \"received_at\": \"{}\"}}\n", text(received))
        };
        let options = precept::Options { as_of: Some(AsOf::Instant(at, 0)), ..precept::Options::default() };
        let run = engine.with_options(options).check([precept::Records::bytes("r.jsonl", record)]);
        prop_assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
        // The model: late when unanswered and the months after receipt ended before `now`.
        prop_assert_eq!(run.findings.len(), usize::from(!responded && due < at));
    }

    #[test]
    fn a_date_as_of_is_the_next_midnight_in_the_zone(day in 0i64..20_000, zone in prop_oneof![
        Just("UTC"), Just("Europe/London"), Just("America/New_York"), Just("Australia/Sydney")
    ]) {
        let date = jiff::civil::date(1990, 1, 1).checked_add(jiff::Span::new().days(day)).unwrap();
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        let at = AsOf::Date(date).resolve(Some((zone, &tz)), false).unwrap();
        // The model: the first instant whose local date is the next day.
        let next = date.tomorrow().unwrap();
        prop_assert_eq!(at.at.to_zoned(tz.clone()).date(), next);
        prop_assert!((at.at - SignedDuration::from_nanos(1)).to_zoned(tz).date() == date);
        prop_assert_eq!(AsOf::Date(date).date(), date);
    }
}

/// The model of `+ N months` on a UTC datetime: the same day and time N months on, or the last day
/// of that month when it is shorter.
fn model_add_months(t: Timestamp, n: i64) -> Timestamp {
    let secs = t.as_second();
    let days = secs.div_euclid(86_400);
    let time = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + (m - 1) + n;
    let (y2, m2) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let leap = (y2 % 4 == 0 && y2 % 100 != 0) || y2 % 400 == 0;
    let len = match m2 {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let d2 = d.min(len);
    Timestamp::from_second(days_from_civil(y2, m2, d2) * 86_400 + time).unwrap()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[test]
fn group_rules_and_case_events_can_read_now() {
    let policy = r#"
schema request { identified by id  id: text  team: text  received_at: datetime  responded_at: datetime? }
code "C" { level industry
  rule few-stale { title "No team has a request unanswered for a week" for request
    group by record.team
    require count(record.responded_at is missing and record.received_at + 7 days < now) == 0
    message "team {group.team} has {count(record.responded_at is missing and record.received_at + 7 days < now)} stale requests at {now}" }
  rule recent-answered { title "Requests of the last day are answered within an hour" for request
    case by record.id
    opens when record.received_at > now - 1 day at record.received_at
    closes when record.responded_at is present and record.received_at > now - 1 day at record.responded_at
    within 1h } }
"#;
    let engine = common::engine(policy);
    let records = "{\"id\": \"A\", \"team\": \"T1\", \"received_at\": \"2026-06-01T09:00:00Z\"}\n\
        {\"id\": \"B\", \"team\": \"T1\", \"received_at\": \"2026-06-29T09:00:00Z\"}\n\
        {\"id\": \"C\", \"team\": \"T2\", \"received_at\": \"2026-06-20T09:00:00Z\", \"responded_at\": \"2026-06-20T09:30:00Z\"}\n\
        {\"id\": \"D\", \"team\": \"T2\", \"received_at\": \"2026-06-30T12:00:00Z\"}\n";
    let at = |text: &str| {
        let options = precept::Options { as_of: Some(text.parse().unwrap()), ..precept::Options::default() };
        let run = engine.fresh().with_options(options).check([precept::Records::bytes("r.jsonl", records)]);
        assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
        let mut found: Vec<String> =
            run.findings.iter().map(|f| format!("{}@{}", f.rule_id(), f.record_id.as_deref().unwrap_or(""))).collect();
        found.sort();
        (found, run.summary.pending.iter().map(|(_, n)| *n).sum::<usize>())
    };
    // At the end of 30 June (UTC, no calendar): A is stale (T1); D, opened in the last day, is an
    // hour past due; B opened more than a day before, so the case rule never opened it.
    assert_eq!(at("2026-06-30"), (vec!["few-stale@team T1".to_string(), "recent-answered@D".to_string()], 0));
    // At 12:30 on 30 June D is not yet due: pending.
    assert_eq!(at("2026-06-30T12:30:00Z"), (vec!["few-stale@team T1".to_string()], 1));
    // On 7 June A was not a week old, and D had not been received.
    assert_eq!(at("2026-06-07"), (vec![], 0));
}
