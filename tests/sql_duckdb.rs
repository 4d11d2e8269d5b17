//! Differential tests of `precept sql` (only with `--features duckdb`): the SQL it writes for the
//! DuckDB dialect, run on embedded DuckDB over the same records the engine reads, finds exactly what
//! the engine finds, finding for finding: rule, record, requirement, blamed field and the values the
//! message shows.
//!
//! The records go into DuckDB as the engine read them ([`precept::sql::load`]), so the tests compare
//! the rules' evaluation, not two readers. Run over the bundled example (policies/ and
//! fixtures/records/), the fixtures with their own policies, and generated records at the edges of
//! business-day arithmetic: deadlines exactly on the limit and a minute past, cut-offs, weekends,
//! bank holidays, both DST changes, month ends and an instant on another local day than its UTC one.
#![cfg(feature = "duckdb")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use precept::engine::eval::{eval, vars, Cx};
use precept::engine::program::{MsgPart, Program};
use precept::engine::types::Ty;
use precept::engine::value::{Value, V};
use precept::sql::{calendar::Range, compile, Dialect, Options};

/// One finding as both sides give it: rule, record id, requirement (from 1; none for a missing
/// period), blamed field, the message's values as text, and a group rule's group key.
type Row = (String, Option<String>, Option<i64>, String, Vec<Option<String>>, Option<String>);

/// Records read by the engine, per schema, with those holding a value that could not be read left
/// out (they are the engine's undetermined verdicts, which a typed table cannot hold).
fn read(program: &Program, paths: &[PathBuf]) -> BTreeMap<usize, Vec<Box<[Value]>>> {
    let (files, diags) = precept::data::discover(paths, program);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let mut out: BTreeMap<usize, Vec<Box<[Value]>>> = BTreeMap::new();
    for file in &files {
        precept::data::read_file(file, program, 1024, &mut |batch| {
            for r in batch {
                if r.unreadable.is_empty() {
                    out.entry(file.schema).or_default().push(r.values);
                }
            }
        });
    }
    out
}

/// A value's text as the SQL gives it in `message_values`: instants in UTC to the microsecond,
/// durations in microseconds, decimals without trailing zeros.
fn canonical(program: &Program, ty: &Ty, v: V<'_>) -> Option<String> {
    Some(match v {
        V::Text(t) => t.to_string(),
        V::Enum(i) => match ty {
            Ty::Enum(e) => program.enums[*e].variants[i as usize].clone(),
            _ => panic!("an enumeration value of type {ty:?}"),
        },
        V::Int(i) => i.to_string(),
        V::Dec(n) | V::Money(n) => number(n),
        V::Bool(b) => b.to_string(),
        V::Date(d) => d.to_string(),
        V::DateTime(ts, _) => ts.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        V::Duration(d) => d.as_micros().to_string(),
        _ => return None,
    })
}

/// A number as both sides are compared: its decimal expansion when it ends, else the fraction in
/// lowest terms (the SQL writes a share or average as `numerator/denominator`).
fn number(n: precept::engine::num::Num) -> String {
    match n.terminating_places() {
        Some(_) => n.to_decimal(0, 0, 0).0,
        None => format!("{}/{}", n.numer(), n.denom()),
    }
}

/// `12.5000000000` as `12.5`, `3.00` as `3`: decimals compared by value; `3/40` by value too.
fn trim(s: Option<String>) -> Option<String> {
    use precept::engine::num::Num;
    let s = s.map(|s| match s.split_once('/') {
        Some((n, d)) => match (Num::parse(n), Num::parse(d)) {
            (Some(n), Some(d)) => number(n.checked_div(d).unwrap()),
            _ => s,
        },
        None => s,
    });
    s.map(|s| {
        let numeric = s.parse::<f64>().is_ok() && s.contains('.') && !s.contains('T');
        if numeric {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    })
}

/// The engine's findings for the compiled rules.
fn native(program: &Program, records: &BTreeMap<usize, Vec<Box<[Value]>>>, compiled: &[String]) -> Vec<Row> {
    let mut out = Vec::new();
    for (&schema, rs) in records {
        let shape = program.schemas[schema].shape;
        for (i, values) in rs.iter().enumerate() {
            let mut hits = Vec::new();
            precept::engine::run::check_record(program, None, schema, i, values, &mut hits);
            for h in hits {
                let rule = &program.rules[h.rule];
                if !compiled.contains(&rule.id) {
                    continue;
                }
                assert!(h.unreadable.is_none());
                let shown = shown_values(program, rule, values);
                out.push((
                    rule.id.clone(),
                    precept::data::record_id(program, schema, values),
                    Some(h.require as i64 + 1),
                    precept::engine::blame::path_text(program, shape, &h.blame),
                    shown,
                    None,
                ));
            }
        }
    }
    out.extend(native_groups(program, records, compiled));
    out.sort();
    out
}

/// The message's values for `values` (a record, or a group's values), as both sides compare them.
fn shown_values(
    program: &Program,
    rule: &precept::engine::program::CompiledRule,
    values: &[Value],
) -> Vec<Option<String>> {
    let cx = Cx::of(program, None);
    rule.message
        .iter()
        .filter_map(|p| {
            let (e, ty) = match p {
                MsgPart::Text(_) => return None,
                MsgPart::Hole(e, ty) => (e, ty.clone()),
                MsgPart::Percent(e) => (e, Ty::Dec),
                MsgPart::Period(e, _) => (e, Ty::Date),
                MsgPart::Redacted(e, ty) => (e, ty.clone()),
            };
            Some(trim(canonical(program, &ty, eval(e, values, &cx, &mut vars()))))
        })
        .collect()
}

/// The engine's findings of the compiled group rules: every record folded into its groups, then
/// the groups judged, each finding with its group's key as `check` shows it.
fn native_groups(program: &Program, records: &BTreeMap<usize, Vec<Box<[Value]>>>, compiled: &[String]) -> Vec<Row> {
    use precept::engine::group::{Groups, Sample};
    let mut groups = Groups::new(program);
    for (&schema, rs) in records {
        for (i, values) in rs.iter().enumerate() {
            let mut sample = || Sample { file: 0, ordinal: i, line: i + 1, id: None };
            groups.add(program, None, schema, values, (0, i + 1), &mut sample);
        }
    }
    let mut out = Vec::new();
    for h in groups.finish(program, None).hits {
        let rule = &program.rules[h.rule];
        if !compiled.contains(&rule.id) {
            continue;
        }
        let key = h.key.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        out.push((
            rule.id.clone(),
            None,
            h.require.map(|r| r as i64 + 1),
            String::new(),
            shown_values(program, rule, &h.values),
            Some(key),
        ));
    }
    out
}

/// The findings the SQL gives on DuckDB, over the same records.
fn duckdb(program: &Program, records: &BTreeMap<usize, Vec<Box<[Value]>>>, sql: &str) -> Vec<Row> {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    for (schema, s) in program.schemas.iter().enumerate() {
        if s.builtin {
            continue;
        }
        let ddl = precept::sql::tables::create_table(program, schema, Dialect::DuckDb).unwrap();
        // The fields no rule reads are not read at all, so the test's tables let them be empty.
        conn.execute_batch(&ddl.replace(" NOT NULL", "")).unwrap();
    }
    for (&schema, rs) in records {
        let refs: Vec<&[Value]> = rs.iter().map(|r| r.as_ref()).collect();
        for chunk in refs.chunks(500) {
            let insert = precept::sql::load::insert(program, schema, chunk, Dialect::DuckDb).unwrap();
            conn.execute_batch(&insert).unwrap_or_else(|e| panic!("{e}\n{insert}"));
        }
    }
    conn.execute_batch(sql).unwrap_or_else(|e| panic!("{e}"));
    let mut stmt = conn
        .prepare(
            // Each value marked `v` (`n` for NULL), joined by a unit separator, in order.
            "SELECT rule_id, record_id, requirement, field, \
             (SELECT string_agg(COALESCE('v' || u.x, 'n'), chr(31) ORDER BY u.i) \
              FROM (SELECT UNNEST(message_values) AS x, generate_subscripts(message_values, 1) AS i) AS u), \
             len(message_values), group_key FROM precept_findings",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |row| {
            let rule: String = row.get(0)?;
            let record: Option<String> = row.get(1)?;
            let requirement: Option<i64> = row.get(2)?;
            let field: String = row.get(3)?;
            let values: Option<String> = row.get(4)?;
            let n: i64 = row.get(5)?;
            let key: Option<String> = row.get(6)?;
            Ok((rule, record, requirement, field, values, n, key))
        })
        .unwrap();
    let mut out: Vec<Row> = Vec::new();
    for r in rows {
        let (rule, record, requirement, field, values, n, key) = r.unwrap();
        let values: Vec<Option<String>> = match values {
            Some(v) if n > 0 => v.split('\u{1f}').map(|x| x.strip_prefix('v').map(str::to_string)).map(trim).collect(),
            _ => Vec::new(),
        };
        out.push((rule, record, requirement, field, values, key));
    }
    out.sort();
    out
}

/// Compile `policies`, run both sides over `records`, and require the same findings; the number of
/// findings compared, so that a case that compares nothing is noticed.
fn same_findings(policies: &Path, records: &[PathBuf]) -> usize {
    same_rows(policies, records).len()
}

/// [`same_findings`], giving the findings compared.
fn same_rows(policies: &Path, records: &[PathBuf]) -> Vec<Row> {
    let (program, diags) = precept::workspace::load_policies(&[policies.to_path_buf()]);
    let program = program.unwrap_or_else(|| panic!("{diags:?}"));
    let range = Range { from: jiff::civil::date(2022, 1, 1), until: jiff::civil::date(2028, 12, 31) };
    let sql = compile(&program, &Options { dialect: Dialect::DuckDb, range });
    assert!(!sql.compiled.is_empty(), "no rule of {} compiles", policies.display());
    let records = read(&program, records);
    let want = native(&program, &records, &sql.compiled);
    let got = duckdb(&program, &records, &sql.text);
    if want != got {
        let missing: Vec<&Row> = want.iter().filter(|r| !got.contains(r)).collect();
        let extra: Vec<&Row> = got.iter().filter(|r| !want.contains(r)).collect();
        panic!(
            "{}: the SQL's findings differ\nonly the engine's: {missing:#?}\nonly the SQL's: {extra:#?}",
            policies.display()
        );
    }
    want
}

#[test]
fn the_bundled_example_gives_the_same_findings_in_duckdb() {
    let root = common::root();
    let n = same_findings(&root.join("policies"), &[root.join("fixtures/records")]);
    assert!(n > 5, "only {n} findings compared");
}

#[test]
fn fixtures_with_their_own_policies_give_the_same_findings_in_duckdb() {
    let root = common::root();
    for dir in ["fixtures/shared-clock", "fixtures/exports"] {
        let dir = root.join(dir);
        same_findings(&dir.join("policies"), &[dir.join("records")]);
    }
}

/// A calendar with a cut-off and bank holidays over both DST changes of 2024, and rules at the
/// edges of business-day, elapsed-time, month and local-day arithmetic.
const POLICY: &str = r#"
calendar london from "london.toml"

schema ticket {
  identified by id
  dated by opened_at
  id: text
  opened_at: datetime
  answered_at: datetime?
  opened_on: date
  answered_on: date?
  renewed_on: date?
  tags: list of text?
}

code "Edges" {
  level organisational
  calendar london

  rule answered-in-two-business-days {
    title "Answered by the end of the second business day"
    for ticket where record.answered_at is present
    require record.answered_at <= record.opened_at + 2 business days
    message "{record.id} opened {record.opened_at}, answered {record.answered_at}, due {record.opened_at + 2 business days}, {business days between(record.opened_at, record.answered_at)} business days"
  }

  rule answered-same-business-day {
    title "Answered by the end of the day it counts as received"
    for ticket
    require record.answered_at is present and record.answered_at <= record.opened_at + 0 business days
    message "{record.id} due {record.opened_at + 0 business days}"
  }

  rule counted-in-business-days {
    title "At most one business day between opening and answer"
    for ticket where record.answered_at is present
    require business days between(record.opened_at, record.answered_at) <= 1
    message "{record.id}: {business days between(record.opened_at, record.answered_at)}"
  }

  rule dated-in-three-business-days {
    title "Answered within three business days of the day opened"
    for ticket where record.answered_on is present
    require record.answered_on <= record.opened_on + 3 business days
    message "{record.id} due {record.opened_on + 3 business days}"
  }

  rule answered-within-36-hours {
    title "Answered within 36 hours, counted in exact hours"
    for ticket where record.answered_at is present
    require hours_between(record.opened_at, record.answered_at) <= 36 and 1 / 3 < hours_between(record.opened_at, record.answered_at)
    message "{record.id} took {hours_between(record.opened_at, record.answered_at)} hours"
  }

  rule within-48-hours {
    title "Answered within 48 hours"
    severity warning
    for ticket where record.answered_at is present
    require record.answered_at - record.opened_at <= 48h
    message "{record.id} took {record.answered_at - record.opened_at}"
  }

  rule renewed-within-a-month {
    title "Renewed within a calendar month"
    for ticket where record.renewed_on is present
    require record.renewed_on <= record.opened_on + 1 month
    message "{record.id} renewed {record.renewed_on}, due {record.opened_on + 1 month}"
  }

  rule answered-in-the-month-opened {
    title "Answered in the month it was opened, London time"
    for ticket where record.answered_at is present
    require month(record.answered_at) == month(record.opened_at)
    message "{record.id} opened in {month(record.opened_at)}, answered in {month(record.answered_at)}"
  }

  rule triaged {
    title "Tickets not marked as spam are tagged, one tag being triaged"
    for ticket where record.tags is present and none(t in record.tags: t == "spam")
    require count(record.tags) >= 1 and "triaged" in record.tags
    message "{record.id} has {count(record.tags)} tags, {count(t in record.tags: t starts with "p")} of them priorities"
  }

  rule prioritised {
    title "A tagged ticket has a priority tag"
    for ticket where record.tags is present
    require any(t in record.tags: t starts with "p")
    message "{record.id} has no priority"
  }

  rule no-x-or-spam {
    title "No ticket is tagged x or spam"
    for ticket where record.tags is present
    require all(t in record.tags: t != "x") and none(t in record.tags: t == "spam")
    message "{record.id} is tagged x or spam"
  }

  rule summer-rule {
    title "In force for tickets opened on London days of summer time 2024 only"
    effective from 2024-03-31 until 2024-10-26
    for ticket
    require record.opened_on == day(record.opened_at)
    message "{record.id} opened on {day(record.opened_at)}, dated {record.opened_on}"
  }
}
"#;

const CALENDAR: &str = r#"
zone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
cutoff = "17:00"
holidays = [2024-03-29, 2024-04-01, 2024-05-06, 2024-08-26, 2024-12-25, 2024-12-26, 2025-01-01]
"#;

#[test]
fn generated_records_at_the_edges_give_the_same_findings_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/edges.precept"), POLICY).unwrap();
    std::fs::write(dir.path().join("policies/london.toml"), CALENDAR).unwrap();
    let cal = precept::calendar::Calendar::from_toml(CALENDAR).unwrap();
    // Openings around cut-offs, weekends, bank holidays, both DST changes, month ends and the
    // midnights where London's day is not UTC's.
    let openings = [
        "2024-03-28T16:59:00Z", // Thursday before Good Friday, before the cut-off (GMT)
        "2024-03-28T17:00:00Z", // exactly the cut-off
        "2024-03-28T17:01:00Z", // a minute past: received on Tuesday after Easter Monday
        "2024-03-30T12:00:00Z", // Saturday before the clocks go forward
        "2024-03-31T00:30:00Z", // the night of the change (GMT)
        "2024-03-31T23:30:00Z", // 00:30 BST on Easter Monday
        "2024-06-28T15:59:00Z", // Friday 16:59 BST
        "2024-06-28T16:00:00Z", // Friday 17:00 BST
        "2024-06-30T23:30:00Z", // 00:30 BST on 1 July: another month in London than in UTC
        "2024-10-25T16:00:00Z", // Friday 17:00 BST before the clocks go back
        "2024-10-27T01:30:00Z", // in the repeated hour
        "2024-10-28T16:59:59Z", // Monday 16:59:59 GMT
        "2024-12-24T16:00:00Z", // Christmas Eve, then two bank holidays
        "2024-12-31T23:59:00Z", // New Year's Eve, then a bank holiday
        "2024-01-31T10:00:00Z", // month end
        "2024-02-29T10:00:00Z", // leap day
    ];
    let mut lines = Vec::new();
    for (i, at) in openings.iter().enumerate() {
        let opened: jiff::Timestamp = at.parse().unwrap();
        let day = cal.zone().to_datetime(opened).date();
        let due = cal.add_business_days(opened, 2).unwrap();
        let same_day = cal.add_business_days(opened, 0).unwrap();
        let dated_due = cal.business_days_after(day, 3).unwrap();
        let month_end = day.last_of_month();
        let answers = [
            (due, "on-the-deadline"),
            (due + jiff::SignedDuration::from_mins(1), "a-minute-late"),
            (due - jiff::SignedDuration::from_mins(1), "a-minute-early"),
            (same_day, "same-day"),
            (same_day + jiff::SignedDuration::from_secs(1), "a-second-past-the-day"),
            (opened + jiff::SignedDuration::from_hours(48), "48-hours"),
        ];
        for (j, (answered, what)) in answers.iter().enumerate() {
            let answered_on = [dated_due, dated_due.tomorrow().unwrap(), month_end][j % 3];
            let renewed_on = [
                day.checked_add(jiff::Span::new().months(1)).unwrap(),
                day.checked_add(jiff::Span::new().months(1).days(1)).unwrap(),
                month_end,
            ][j % 3];
            // Missing, empty, and lists with and without the values the rules look for.
            let tags = [
                serde_json::json!([]),
                serde_json::json!(["spam"]),
                serde_json::json!(["triaged", "p1"]),
                serde_json::json!(["x", "triaged"]),
                serde_json::json!(["p2"]),
                serde_json::Value::Null,
            ][(i + j) % 6]
                .clone();
            lines.push(serde_json::json!({
                "id": format!("T-{i}-{what}"),
                "opened_at": opened.to_string(),
                "answered_at": answered.to_string(),
                "opened_on": if j == 4 { day.yesterday().unwrap().to_string() } else { day.to_string() },
                "answered_on": answered_on.to_string(),
                "renewed_on": renewed_on.to_string(),
                "tags": tags,
            }));
        }
        // Never answered: missing values in `where` and `require`.
        lines.push(serde_json::json!({"id": format!("T-{i}-open"), "opened_at": opened.to_string(), "opened_on": day.to_string()}));
    }
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/tickets.jsonl"), text).unwrap();
    let n = same_findings(&dir.path().join("policies"), &[dir.path().join("records")]);
    assert!(n > 50, "only {n} findings compared");
}

/// Group rules over every aggregate that compiles, keys of each kind shown (text, enumeration,
/// whole number, boolean, day, week, month), minimum sizes, and presence rules by day, business
/// day, week and month, with groups expected by name and a version in force part of the range.
const GROUP_POLICY: &str = r#"
calendar london from "london.toml"

schema visit {
  identified by id
  dated by at
  id: text
  at: datetime
  on: date
  team: text?
  kind: enum { call, letter, visit }
  floor: integer?
  urgent: boolean?
  late: boolean?
  amount: money GBP?
  score: integer?
  rate: decimal?
  wait: duration?
}

code "Groups" {
  level organisational
  calendar london

  rule late-share {
    title "At most a quarter of a team's visits in a London month are late"
    for visit where record.team is present
    group by record.team, month(record.at)
    minimum 3 records
    require share(record.late otherwise false) <= 25%
    message "team {group.team} in {group.month}: {count(record.late otherwise false)} of {count()} late ({share(record.late otherwise false)})"
  }

  rule late-counted {
    title "At most two late visits per kind and week, unknowns counting against"
    for visit
    group by record.kind, week(record.at)
    require count(record.late otherwise true) <= 2
    message "{group.kind} in {group.week}: {count(record.late otherwise true)} late"
  }

  rule amounts {
    title "Amounts and waits per team"
    for visit where record.team is present
    group by record.team
    require sum(record.amount) <= 100.00 GBP
    require avg(record.amount) is missing or avg(record.amount) <= 20.50 GBP
    require max(record.wait) is missing or max(record.wait) <= 2h
    require percentile(record.wait, 90) is missing or percentile(record.wait, 90) <= 170m
    require percentile(record.score, 12.5) is missing or percentile(record.score, 12.5) >= 0
    require min(record.on) >= 2024-03-03
    message "team {group.team}: sum {sum(record.amount)}, mean {avg(record.amount)}, longest {max(record.wait)}, first {min(record.on)}, last {max(record.at)}, p90 {percentile(record.wait, 90)}, p50 {percentile(record.amount, 50)}, p1 {percentile(record.score, 1)}, p100 {percentile(record.rate, 100)}"
  }

  rule scores {
    title "Mean score per floor and urgency at least 3"
    for visit where record.floor is present and record.urgent is present
    group by record.floor, record.urgent
    require avg(record.score) is missing or avg(record.score) >= 3
    require avg(record.rate) is missing or avg(record.rate) > 0.3
    message "floor {group.floor} urgent {group.urgent}: mean score {avg(record.score)}, mean rate {avg(record.rate)}, {count()} visits"
  }

  rule daily-by-day {
    title "At most four visits a London day"
    for visit
    group by day(record.at)
    require count() <= 4
    message "{count()} visits on {group.day}"
  }

  rule every-business-day {
    title "Each team has a visit every business day"
    for visit where record.team is present
    group by record.team
    expect every business day of record.at for each team in "A", "B", "Ghost"
    message "team {group.team} had no visit on {group.period} ({count()} visits in all)"
  }

  rule every-week-in-force {
    title "Each kind has a visit every week of April to June 2024"
    effective from 2024-04-15
    for visit where record.floor is present and record.floor == 1
    group by record.kind
    minimum 2 records
    expect every week of record.on from 2024-04-01 until 2024-06-30
    message "{group.kind} had no visit in {group.period}"
  }

  rule every-month {
    title "Each team and kind has a visit every month, and few late"
    for visit where record.team is present
    group by record.team, record.kind
    expect every month of record.at for each team in "A", "Z"
    require count(record.late otherwise false) <= 3
    message "team {group.team} {group.kind} in {group.period}: {share(record.late otherwise false)} late"
  }

  rule every-day {
    title "Some visit every day of a range"
    for visit where record.urgent is present and record.urgent
    group by record.urgent
    expect every day of record.on from 2024-03-25 until 2024-04-05
    message "no urgent visit on {group.period}"
  }
}
"#;

#[test]
fn group_rules_give_the_same_findings_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/groups.precept"), GROUP_POLICY).unwrap();
    std::fs::write(dir.path().join("policies/london.toml"), CALENDAR).unwrap();
    let start: jiff::Timestamp = "2024-03-01T08:00:00Z".parse().unwrap();
    let zone = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let mut lines = Vec::new();
    // A deterministic spread over four months: teams (one missing), kinds, late or not or
    // unknown, amounts with pence, waits, scores and rates with missing values, and instants at
    // London midnights, so that a UTC day is not the London one.
    for i in 0..400u64 {
        let at = start + jiff::SignedDuration::from_mins(i64::try_from((i * 7919) % (120 * 24 * 60)).unwrap());
        let at = if i % 13 == 0 {
            at - jiff::SignedDuration::from_mins(at.as_second() / 60 % 1440) - jiff::SignedDuration::from_mins(30)
        } else {
            at
        };
        let team = ["A", "B", "C", "A", "B", ""][usize::try_from(i % 6).unwrap()];
        let kind = ["call", "letter", "visit"][usize::try_from(i % 3).unwrap()];
        let mut r = serde_json::json!({
            "id": format!("V-{i:03}"),
            "at": at.to_string(),
            "on": zone.to_datetime(at).date().to_string(),
            "kind": kind,
        });
        let o = r.as_object_mut().unwrap();
        if !team.is_empty() {
            o.insert("team".into(), team.into());
        }
        if i % 5 != 0 {
            o.insert("floor".into(), (i % 4).into());
        }
        if i % 7 != 0 {
            o.insert("urgent".into(), (i % 2 == 0).into());
        }
        if i % 11 != 0 {
            o.insert("late".into(), (i % 4 == 1).into());
        }
        if i % 3 != 1 {
            o.insert("amount".into(), format!("{}.{:02}", i % 37, (i * 17) % 100).into());
            o.insert("score".into(), (i % 6).into());
            o.insert("rate".into(), format!("0.{}", (i * 3) % 10).into());
        }
        if i % 4 != 3 {
            o.insert("wait".into(), format!("{}m", (i * 13) % 200).into());
        }
        lines.push(r);
    }
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/visits.jsonl"), text).unwrap();
    let rows = same_rows(&dir.path().join("policies"), &[dir.path().join("records")]);
    // Every rule found something, so none is compared in vain; presence findings and those of
    // requirements both.
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *by_rule.entry(r.0.as_str()).or_default() += 1;
        assert!(r.5.is_some(), "a group finding with no key: {r:?}");
    }
    for rule in [
        "late-share",
        "late-counted",
        "amounts",
        "scores",
        "daily-by-day",
        "every-business-day",
        "every-week-in-force",
        "every-month",
        "every-day",
    ] {
        assert!(by_rule.contains_key(rule), "{rule} found nothing: {by_rule:?}");
    }
    assert!(rows.iter().any(|r| r.2.is_none()) && rows.iter().any(|r| r.2.is_some()));
}

#[test]
fn fixtures_with_group_rules_give_the_same_findings_in_duckdb() {
    let root = common::root();
    let dir = root.join("fixtures/expected-groups");
    let n = same_findings(&dir.join("policies"), &[dir.join("records")]);
    assert!(n > 0, "no finding compared");
}

/// Quotients compared and shown, exactly, with divisors of both signs and zero (no answer).
const DIVISION_POLICY: &str = r#"
schema claim {
  identified by id
  id: text
  paid: money GBP
  asked: money GBP?
  parts: integer
  done: integer?
  rate: decimal?
}

code "Quotients" {
  level organisational

  rule paid-share {
    title "At most half of what was asked is paid"
    for claim where record.asked is present
    require record.paid / record.asked <= 0.5
    message "{record.id} paid {record.paid / record.asked} of {record.asked}"
  }

  rule parts-done {
    title "A third of the parts done, by a rate"
    for claim where record.done is present and record.rate is present
    require record.done / record.parts >= 1 / 3 and record.paid / record.parts < 2.50 GBP and record.done / record.rate != record.parts / 3
    message "{record.id}: {record.done / record.parts} done, {record.paid / record.parts} a part"
  }
}
"#;

#[test]
fn quotients_give_the_same_findings_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/q.precept"), DIVISION_POLICY).unwrap();
    let mut lines = Vec::new();
    for i in 0..120i64 {
        let mut r = serde_json::json!({
            "id": format!("C-{i:03}"),
            "paid": format!("{}.{:02}", i % 17 - 4, (i * 7) % 100),
            "parts": i % 7 - 3,
        });
        let o = r.as_object_mut().unwrap();
        if i % 9 != 0 {
            o.insert("asked".into(), format!("{}.{:02}", i % 11 - 2, (i * 3) % 100 * (i % 2)).into());
        }
        if i % 5 != 0 {
            o.insert("done".into(), (i % 4 - 1).into());
            o.insert("rate".into(), format!("{}.{}", i % 3 - 1, i % 10).into());
        }
        lines.push(r);
    }
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::create_dir_all(dir.path().join("records")).unwrap();
    std::fs::write(dir.path().join("records/claims.jsonl"), text).unwrap();
    let rows = same_rows(&dir.path().join("policies"), &[dir.path().join("records")]);
    for rule in ["paid-share", "parts-done"] {
        assert!(rows.iter().filter(|r| r.0 == rule).count() > 5, "{rule} found little: {rows:?}");
    }
}
