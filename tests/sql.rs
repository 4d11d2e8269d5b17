//! `precept sql`: the SQL written for the bundled policies in each dialect (snapshots, reviewed),
//! the rules it leaves out and why, and how the output is written. Whether the SQL finds what the
//! engine finds is tests/sql_duckdb.rs's question (run with `--features duckdb`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod common;

/// The bundled policies with a calendar table of Christmas week 2024 only, so the snapshot shows
/// the table's rows (weekend, bank holidays, cut-offs in GMT) without thousands of them.
fn bundled(dialect: &str) -> common::Run {
    common::precept(&[
        "sql",
        "--no-config",
        "--dialect",
        dialect,
        "--policies",
        "policies",
        "--calendar-from",
        "2024-12-23",
        "--calendar-until",
        "2024-12-31",
    ])
}

/// The rules of the bundled policies that do not compile yet, with the construct named.
const LEFT_OUT: &[(&str, &str)] = &[
    ("act-within-scope", "a question about staff and roles"),
    ("referral-up-the-path", "a question about staff and roles"),
    ("beyond-authority-referred", "a question about staff and roles"),
    ("regulated-advice-qualified", "a question about staff and roles"),
    ("regulated-advice-role-qualified", "a rule over the role files' roles or staff"),
    ("customer-facing-trained", "a rule over the role files' roles or staff"),
];

#[test]
fn the_bundled_policies_in_each_dialect() {
    for dialect in ["duckdb", "postgres", "spark"] {
        let run = bundled(dialect);
        assert_eq!(run.code, 1, "some rules are left out, so the status is 1: {}", run.stderr);
        insta::assert_snapshot!(format!("bundled_{dialect}"), run.stdout);
    }
}

#[test]
fn each_rule_left_out_is_named_with_its_construct() {
    let run = bundled("duckdb");
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("is left out of the SQL")).collect();
    assert_eq!(run.stderr.matches("precept::sql::unsupported").count(), LEFT_OUT.len(), "{}", run.stderr);
    let text = run.stderr.replace("\n  │ ", " ");
    for (rule, construct) in LEFT_OUT {
        let said = format!("rule `{rule}` is left out of the SQL: {construct}");
        assert!(text.contains(&said), "no `{said}` in\n{}", run.stderr);
        // ... and its SELECT is not in the SQL.
        assert!(!run.stdout.contains(&format!("'{rule}' AS rule_id")), "{rule} is in the SQL");
    }
    assert!(!warnings.is_empty());
    // Every other rule is.
    for rule in [
        "answered-promptly",
        "promise-kept",
        "complaint-acknowledged",
        "complaint-resolved",
        "unavailable-alternative-offered",
        "needs-identified",
        "refund-honoured",
        "unavailable-shortfall-reported",
        "fair-trade-certified",
        "refund-approval-over-limit",
        "referral-reasoned",
        "daily-briefing",
        "complaint-escalation-share",
        "complaint-final-response",
        "complaint-logged-as-case",
    ] {
        assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{rule} is missing from the SQL");
    }
}

#[test]
fn every_rule_compiles_clean_when_the_policies_use_only_what_compiles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("policies/house.precept"),
        r#"
schema ticket {
  identified by id
  id: text
  waited: duration
}
code "House rules" {
  level organisational
  rule answered-quickly {
    title "Tickets are answered within an hour"
    for ticket
    require record.waited <= 1h
    message "ticket {record.id} waited {record.waited}"
  }
}
"#,
    )
    .unwrap();
    let run = common::precept_in(dir.path(), &["sql", "--dialect", "postgres"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("CREATE VIEW \"precept_findings\""), "{}", run.stdout);
    assert!(run.stdout.contains("'answered-quickly' AS rule_id"));
    // No rule counts business days, so the calendar table is empty.
    assert!(!run.stdout.contains("INSERT INTO"), "{}", run.stdout);
}

/// `precept sql` reads the settings `check` reads: a field the settings redact is never written
/// into the SQL's findings (its text is hashed as `check` hashes it, and a rule that would show a
/// value the SQL cannot hash so is left out, and said), and `--no-config` ignores them.
#[test]
fn settings_redact_fields_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("house")).unwrap();
    std::fs::write(
        dir.path().join("house/house.precept"),
        r#"
schema ticket {
  identified by id
  id: text
  email: text
  waited: duration
  at: datetime
  rate: decimal
}
code "House rules" {
  level organisational
  rule answered-quickly {
    for ticket
    require record.waited <= 1h
    message "ticket {record.id} of {record.email} waited {record.waited} from {record.at} at {record.rate}"
  }
}
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("precept.toml"), "policies = [\"house\"]\nredact = [\"email\"]\n").unwrap();
    let run = common::precept_in(dir.path(), &["sql", "--dialect", "duckdb"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(
        run.stdout.contains(
            "('redacted:' || substr(sha256(COALESCE(substr(r.\"email\", 1, 80) || CASE WHEN length(r.\"email\") > 80"
        ),
        "{}",
        run.stdout
    );
    // A duration is hashed as `check` words it (`1d 2h 1m`).
    std::fs::write(dir.path().join("precept.toml"), "policies = [\"house\"]\nredact = [\"waited\"]\n").unwrap();
    let run = common::precept_in(dir.path(), &["sql", "--dialect", "duckdb"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("concat_ws(' ', "), "{}", run.stdout);
    // A redacted datetime moved by a constant may have no answer (past the last instant the
    // engine holds), which the SQL tells, and hashes as `check` words it.
    let policy = std::fs::read_to_string(dir.path().join("house/house.precept")).unwrap();
    let policy = policy.replace("{record.at}", "{record.at + 1h}");
    std::fs::write(dir.path().join("house/house.precept"), &policy).unwrap();
    std::fs::write(dir.path().join("precept.toml"), "policies = [\"house\"]\nredact = [\"at\"]\n").unwrap();
    let run = common::precept_in(dir.path(), &["sql", "--dialect", "duckdb"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("'(no answer: ' || 'date out of range' || ')'"), "{}", run.stdout);
    // A redacted product of two decimals is hashed from its 20 places, as the engine keeps them.
    let squared = policy.replace("{record.rate}", "{record.rate * record.rate}");
    std::fs::write(dir.path().join("house/house.precept"), &squared).unwrap();
    std::fs::write(dir.path().join("precept.toml"), "policies = [\"house\"]\nredact = [\"rate\"]\n").unwrap();
    let run = common::precept_in(dir.path(), &["sql", "--dialect", "duckdb"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("AS DECIMAL(38, 20)) AS VARCHAR)"), "{}", run.stdout);
    // One of three decimals may have 30 places, more than the SQL's decimals hold: left out.
    let policy = policy.replace("{record.rate}", "{record.rate * record.rate * record.rate}");
    std::fs::write(dir.path().join("house/house.precept"), policy).unwrap();
    let run = common::precept_in(dir.path(), &["sql", "--dialect", "duckdb"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.replace("\n  │ ", " ").contains("a redacted product of three decimals"), "{}", run.stderr);
    assert!(!run.stdout.contains("'answered-quickly' AS rule_id"), "{}", run.stdout);
    let ignored = common::precept_in(dir.path(), &["sql", "--no-config", "--policies", "house", "--dialect", "duckdb"]);
    assert_eq!((ignored.code, ignored.stderr.as_str()), (0, ""));
    assert!(ignored.stdout.contains("'answered-quickly' AS rule_id"), "{}", ignored.stdout);
    // A field the settings name that no schema has is refused, as in `check`.
    std::fs::write(dir.path().join("precept.toml"), "policies = [\"house\"]\nredact = [\"emial\"]\n").unwrap();
    let typo = common::precept_in(dir.path(), &["sql", "--dialect", "duckdb"]);
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert!(typo.stderr.contains("`redact` names `emial`"), "{}", typo.stderr);
}

#[test]
fn the_sql_goes_to_a_file_but_never_over_a_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("findings.sql");
    let path = out.to_str().unwrap();
    let run = common::precept(&["sql", "--dialect", "duckdb", "--output", path, "--calendar-until", "2000-01-31"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("-- Precept's findings as SQL (duckdb dialect)"));
    assert!(written.trim_end().ends_with(';'));
    // Nothing but the file is left in the folder (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let policy = dir.path().join("policies/house.precept");
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    let text = std::fs::read_to_string(common::root().join("policies/ethical/fair-trade-pledge.precept")).unwrap();
    std::fs::write(&policy, &text).unwrap();
    std::fs::copy(common::root().join("policies/schema.precept"), dir.path().join("policies/schema.precept")).unwrap();
    std::fs::create_dir(dir.path().join("policies/calendars")).unwrap();
    std::fs::copy(common::root().join("policies/calendars/uk.toml"), dir.path().join("policies/calendars/uk.toml"))
        .unwrap();
    let run = common::precept_in(
        dir.path(),
        &["sql", "--dialect", "duckdb", "--policies", "policies", "--output", "policies/house.precept"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("precept::usage::output-is-input"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), text, "the policy file is untouched");
}

#[test]
fn a_calendar_range_that_is_not_days_or_is_empty_is_refused() {
    for args in [["--calendar-from", "2026-13-01"], ["--calendar-until", "1999-12-31"]] {
        let run = common::precept(&["sql", "--dialect", "duckdb", args[0], args[1]]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("precept::usage::calendar-range"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn braces_in_a_message_are_doubled_and_now_is_named_as_what_does_not_compile() {
    let engine = precept::Engine::from_sources([(
        "house.precept",
        r#"
schema ticket {
  identified by id
  id: text
  opened_at: datetime
}
code "House rules" {
  level organisational
  rule braces {
    title "A message with braces"
    for ticket
    require record.id != "O'Brien"
    message "ticket {record.id} is {{not}} O'Brien"
  }
  rule recent {
    title "Opened in the last day"
    for ticket
    require record.opened_at >= now - 24h
    message "ticket {record.id} is old"
  }
}
"#,
    )])
    .unwrap();
    let options = precept::sql::Options {
        dialect: precept::sql::Dialect::DuckDb,
        range: precept::sql::calendar::Range::default(),
    };
    let sql = precept::sql::compile(engine.program(), &options);
    assert_eq!(sql.compiled, ["braces"]);
    assert!(sql.text.contains("'ticket {0} is {{not}} O''Brien' AS message"), "{}", sql.text);
    assert!(sql.text.contains("(r.\"id\" <> 'O''Brien')"), "{}", sql.text);
    assert_eq!(sql.diagnostics.len(), 1);
    let d = &sql.diagnostics[0];
    assert_eq!(d.code, "precept::sql::unsupported");
    assert_eq!(
        d.message,
        "rule `recent` is left out of the SQL: `now` (without `--as-of`) does not compile to SQL yet"
    );
    assert!(d.help.as_deref().is_some_and(|h| h.contains("--as-of")), "{d:?}");
    // With an evaluation time (`precept sql --as-of`), `now` is that instant, a constant of the SQL.
    let mut program = engine.program().clone();
    let as_of: precept::api::AsOf = "2026-06-30T17:00:00+01:00".parse().unwrap();
    program.evaluation = Some(as_of.resolve(None, false).unwrap());
    let sql = precept::sql::compile(&program, &options);
    assert_eq!(sql.compiled, ["braces", "recent"]);
    assert!(sql.diagnostics.is_empty(), "{:?}", sql.diagnostics);
    assert!(sql.text.contains("TIMESTAMP '2026-06-30 16:00:00"), "{}", sql.text);
}

/// Group rules in each dialect (snapshots, reviewed): keys shown as `check` shows them (a week, a
/// month), a fraction compared across rather than divided, a percentile by nearest rank, a
/// presence rule by week with a group expected by name; and a construct of a group rule that does
/// not compile (an `avg` of durations in arithmetic) named.
#[test]
fn group_rules_in_each_dialect() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("policies/groups.precept"),
        r#"
schema visit {
  identified by id
  id: text
  team: text
  on: date
  late: boolean
  score: integer?
  wait: duration?
  rate: decimal
}
code "Groups" {
  level organisational
  rule few-late {
    title "Few late visits a team and month; a fair score"
    for visit
    group by record.team, month(record.on)
    minimum 3 records
    require share(record.late) <= 25% and (avg(record.score) is missing or avg(record.score) >= 3)
    require percentile(record.wait, 90) is missing or percentile(record.wait, 90) <= 2h
    message "team {group.team} in {group.month}: {share(record.late)} late, mean score {avg(record.score)}"
  }
  rule weekly {
    title "Each team has a visit every week"
    for visit
    group by record.team
    expect every week of record.on for each team in "A", "B"
    message "team {group.team} had no visit in {group.period}"
  }
  rule mean-wait {
    title "Mean wait under an hour"
    for visit
    group by record.team
    require avg(record.wait) is missing or avg(record.wait) / 2 <= 1h
    message "team {group.team}"
  }
  rule top-squared-rate {
    title "Squared rates under 100"
    for visit
    group by record.team
    require max(record.rate * record.rate) < 100
    message "team {group.team}: {max(record.rate * record.rate)}"
  }
  rule by-squared-rate {
    title "Few visits at each squared rate"
    for visit
    group by record.rate * record.rate as squared
    require count() < 10
  }
}
"#,
    )
    .unwrap();
    for dialect in ["duckdb", "postgres", "spark"] {
        let run =
            common::precept_in(dir.path(), &["sql", "--no-config", "--policies", "policies", "--dialect", dialect]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let text = run.stderr.replace("\n  │ ", " ");
        assert!(
            text.contains("rule `mean-wait` is left out of the SQL: a share or average (in Spark, also a sum of decimal arithmetic, a least or greatest product of decimals, or a key that multiplies decimals) computed with"),
            "{}",
            run.stderr
        );
        assert!(!run.stdout.contains("'mean-wait' AS rule_id"));
        // A key that multiplies decimals is held at its 20 places, never rounded to the
        // tables' 10 (where keys the engine tells apart would fall together).
        assert!(!text.contains("rule `by-squared-rate` is left out"), "{}", run.stderr);
        assert!(run.stdout.contains("'by-squared-rate' AS rule_id"));
        let held = if dialect == "spark" { "AS DECIMAL(38, 0)) AS k0" } else { "AS DECIMAL(38, 20)) AS k0" };
        assert!(run.stdout.contains(held), "{dialect}: no `{held}` in the SQL");
        // The greatest of products of decimals keeps all 20 places: in Spark, which keeps 6 of a
        // product, as the greatest of their whole numbers of places.
        assert!(!text.contains("rule `top-squared-rate` is left out"), "{}", run.stderr);
        assert!(run.stdout.contains("'top-squared-rate' AS rule_id"));
        insta::assert_snapshot!(format!("groups_{dialect}"), run.stdout);
    }
}

/// The bundled policies with the bundled role files, as the README checks them.
fn bundled_with_roles(dialect: &str) -> common::Run {
    common::precept(&[
        "sql",
        "--no-config",
        "--dialect",
        dialect,
        "--policies",
        "policies",
        "--roles",
        "fixtures/org",
        "--calendar-from",
        "2024-12-23",
        "--calendar-until",
        "2024-12-31",
    ])
}

/// With `--roles`, every rule of the bundled policies compiles for DuckDB.
#[test]
fn with_role_files_the_questions_about_roles_compile() {
    let run = bundled_with_roles("duckdb");
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // Asked on datetimes, at the offsets they were written with (their offset columns).
    for rule in [
        "regulated-advice-role-qualified",
        "customer-facing-trained",
        "act-within-scope",
        "referral-up-the-path",
        "regulated-advice-qualified",
        "beyond-authority-referred",
    ] {
        assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{rule} is missing from the SQL");
    }
    // The offset columns those questions read are named under the expected table, with the rules.
    for said in [
        "--   \"opened_at.offset\" is read by act-within-scope, referral-up-the-path, beyond-authority-referred, regulated-advice-qualified.",
        "--   \"at.offset\" of the objects in \"referrals\" is read by act-within-scope, referral-up-the-path, beyond-authority-referred.",
        "--   \"at.offset\" of the objects in \"actions\" is read by act-within-scope.",
        "--   \"at.offset\" of the objects in \"advice\" is read by regulated-advice-qualified.",
    ] {
        assert!(run.stdout.contains(said), "no `{said}` in\n{}", run.stdout);
    }
    // Every role table, created and filled, before the view that reads them.
    let view = run.stdout.find("CREATE VIEW").unwrap();
    for table in precept::sql::roles::TABLES {
        let created = run.stdout.find(&format!("CREATE TABLE \"{table}\"")).unwrap_or_else(|| panic!("no {table}"));
        assert!(created < view);
        assert!(run.stdout.contains(&format!("INSERT INTO \"{table}\" VALUES")), "{table} has no rows");
    }
    assert!(run.stdout.contains("('amara.okafor', 'team-leader', DATE '2025-09-01', NULL)"), "{}", run.stdout);
    // Precept's own `role` schema, a table created and filled from the role files (not expected).
    assert!(run.stdout.contains("CREATE TABLE \"role\" ("), "{}", run.stdout);
    assert!(run.stdout.contains("INSERT INTO \"role\" VALUES"), "{}", run.stdout);
    assert!(!run.stdout.contains("--   CREATE TABLE \"role\""), "{}", run.stdout);
}

#[test]
fn without_role_files_a_question_about_roles_says_to_pass_them() {
    let run = bundled("duckdb");
    let text = run.stderr.replace("\n  │ ", " ").replace("\n        ", " ");
    assert!(
        text.contains(
            "rule `act-within-scope` is left out of the SQL: a question about staff and roles (without `--roles`)"
        ),
        "{}",
        run.stderr
    );
    assert!(text.contains("pass the role files with `--roles DIR`"), "{}", run.stderr);
    assert!(!run.stdout.contains("precept_assignment"), "no role tables without --roles");
}

/// Role files with values that need quoting, an open-ended assignment, an escalation cycle and
/// limits of every kind, and the tables written for them in each dialect (snapshots, reviewed).
#[test]
fn role_tables_in_each_dialect() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("roles.toml"),
        r#"
[actions]
refund = { limit = "money", currency = "GBP", description = "refund" }
discount = { limit = "percent", description = "discount" }
replacement = { limit = "count", description = "replacement" }
extend = { limit = "duration", description = "extend" }
apology = { limit = "none", description = "apology" }

[qualifications]
cert = { title = "Cert" }

[areas]
credit = { title = "Credit", requires = ["cert"] }
open = { title = "Open" }

[[role]]
id = "advisor"
title = "O'Brien's \\ advisor"
department = "Service"
escalates_to = "lead"
[role.may]
refund = "50.00 GBP"
discount = "12.5%"
replacement = 2
extend = "48h"
apology = true

[[role]]
id = "lead"
title = "Lead"
escalates_to = "chief"
[role.may]
refund = "500.00 GBP"

[[role]]
id = "chief"
title = "Chief"
escalates_to = "lead"

[[staff]]
id = "ann"
name = "Ann O'Neil"
team = "Returns"
employed = { from = 2024-01-01, until = 2024-12-31 }
roles = [
  { role = "advisor", from = 2023-06-01, until = 2024-03-31 },
  { role = "lead", from = 2024-04-01 },
]
qualifications = [{ id = "cert", issued = 2024-02-01, expires = 2025-01-31 }]

[[staff]]
id = "bo"
name = "Bo"
employed = { from = 2024-01-01 }
roles = [{ role = "chief", from = 2024-01-01 }]
"#,
    )
    .unwrap();
    let mut org = precept::roles::Org::default();
    let mut diags = Vec::new();
    let text = std::fs::read_to_string(dir.path().join("roles.toml")).unwrap();
    precept::roles::read::read_file(&precept::SourceFile::new("roles.toml", text), &mut org, &mut diags);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    for d in precept::sql::Dialect::ALL {
        insta::assert_snapshot!(format!("role_tables_{}", d.name()), precept::sql::roles::script(&org, d));
    }
}

/// A role file the loader refuses is the diagnostic `check` gives, and nothing is written.
#[test]
fn a_role_file_that_cannot_be_read_stops_the_sql_as_it_stops_check() {
    let dir = tempfile::tempdir().unwrap();
    let roles = dir.path().join("org");
    std::fs::create_dir_all(&roles).unwrap();
    std::fs::write(
        roles.join("staff.toml"),
        "[[staff]]\nid = \"a\"\nname = \"A\"\nemployed = { from = 2024-01-01 }\nroles = [{ role = \"x\", from = 2024-03-01, until = 2024-02-01 }]\n",
    )
    .unwrap();
    let roles = roles.to_str().unwrap();
    let sql = common::precept(&["sql", "--no-config", "--dialect", "duckdb", "--roles", roles]);
    assert_eq!(sql.code, 2, "{}", sql.stderr);
    assert_eq!(sql.stdout, "");
    let check = common::precept(&["check", "--no-config", "--roles", roles, "fixtures/records"]);
    let code = "precept::role::invalid-definition";
    assert!(sql.stderr.contains(code) && check.stderr.contains(code), "{}\n{}", sql.stderr, check.stderr);
    let said = "assignment to `x` ends (2024-02-01) before it starts (2024-03-01)";
    assert!(sql.stderr.contains(said) && check.stderr.contains(said), "{}\n{}", sql.stderr, check.stderr);
}

/// fixtures/cases: both rules' messages read the opening record (one of them matches in any
/// order); both compile, with no rule left out (their findings: tests/sql_diff).
#[test]
fn case_rules_that_read_their_opening_record_compile() {
    let run = common::precept(&["sql", "--no-config", "--dialect", "duckdb", "--policies", "fixtures/cases"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("left out"), "{}", run.stderr);
    for rule in ["refund-approved", "complaint-answered"] {
        assert!(run.stdout.contains(&format!("'{rule}'")), "no `{rule}` in the SQL");
    }
}

/// A case rule closed by another schema's records in calendar months reads both tables and the
/// offsets of both (its opening's, to count the months, and its events'): the script names both
/// tables as expected, and each offset column under its own.
#[test]
fn a_case_rule_in_months_names_the_offsets_of_every_table_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cases.precept"),
        r#"
schema case_event {
  identified by id
  dated by at
  id: text
  case: text
  status: enum { logged, other }
  at: datetime
}

schema intake {
  identified by id
  dated by opened_at
  id: text
  opened_at: datetime
}

code "Cases" {
  level organisational
  rule logged-in-a-month {
    title "Logged within a month"
    for intake
    case by record.id
    opens at record.opened_at
    closes on case_event when record.status == logged at record.at case record.case
    within 1 month
    message "{group.case} not logged by {group.deadline}"
  }
}
"#,
    )
    .unwrap();
    let policies = dir.path().to_string_lossy().to_string();
    let run = common::precept(&["sql", "--no-config", "--dialect", "postgres", "--policies", &policies]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for said in [
        "--   CREATE TABLE \"case_event\" (",
        "--   CREATE TABLE \"intake\" (",
        "--   \"at.offset\" is read by logged-in-a-month.",
        "--   \"opened_at.offset\" is read by logged-in-a-month.",
    ] {
        assert!(run.stdout.contains(said), "no `{said}` in\n{}", run.stdout);
    }
}

/// In Spark a calendar lookup inside `all`, `any`, `none` or `count` reads the calendar's lists as
/// columns of its row joined to the query: no subquery is inside a higher-order function's lambda
/// (Spark 4 and Databricks refuse one), and the query joins each calendar it reads once.
#[test]
fn calendar_lookups_inside_spark_lambdas_are_no_subqueries() {
    let dir = tempfile::tempdir().unwrap();
    let calendar = "zone = \"Europe/London\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n";
    std::fs::write(dir.path().join("london.toml"), calendar).unwrap();
    std::fs::write(dir.path().join("sydney.toml"), calendar.replace("Europe/London", "Australia/Sydney")).unwrap();
    std::fs::write(
        dir.path().join("parcels.precept"),
        r#"
schema parcel {
  identified by id
  dated by at
  id: text
  at: datetime
  by: text?
  items: list of { packed: datetime?, by: text?, parts: list of { at: datetime? }? }?
}
calendar london from "london.toml"
calendar sydney from "sydney.toml"
code "C" {
  level organisational
  calendar london
  rule packed-soon {
    title "t"
    for parcel where record.items is present
    require all(i in record.items: i.packed is missing or i.packed <= record.at + 2 business days)
    require none(i in record.items: i.parts is present and any(p in i.parts: p.at is present and day(p.at, sydney) == day(record.at)))
    message "{record.id} {count(i in record.items: i.packed is present and business days between(record.at, i.packed) > 1)}"
  }
  rule packed-by-staff {
    title "t"
    for parcel where record.items is present
    require all(i in record.items: i.by is missing or i.packed is missing or ((role_of(i.by, i.packed + 1 business days) otherwise "none") != "x" and not qualified(i.by, "cert", i.packed + 2 business days)))
    message "{record.id}"
  }
  rule received-by-staff {
    title "t"
    for parcel where record.by is present
    require (role_of(record.by, record.at + 1 business days) otherwise "none") != "x"
    require qualified(record.by, "cert", record.at + 2 business days in sydney)
    message "{record.id}"
  }
}
"#,
    )
    .unwrap();
    let policies = dir.path().to_str().unwrap();
    let run = common::precept(&[
        "sql",
        "--no-config",
        "--dialect",
        "spark",
        "--policies",
        policies,
        "--roles",
        "fixtures/org",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sql = &run.stdout;
    let mut lambdas = 0;
    for (at, _) in sql.match_indices(" -> ") {
        // The lambda's body: up to the parenthesis that closes the call it is an argument of.
        let mut depth = 0i32;
        let body: String = sql[at + 4..]
            .chars()
            .take_while(|c| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth >= 0
            })
            .collect();
        assert!(!body.contains("SELECT"), "a subquery inside a lambda: {body}");
        lambdas += usize::from(body.contains("precept_cal_"));
    }
    assert!(lambdas >= 5, "{lambdas} lambdas read a calendar");
    // Each rule's query joins each calendar it reads in a lambda once: `packed-soon` both, the
    // question about staff in a list the first, the questions about the record's staff both.
    for (cal, queries) in [(0, 3), (1, 2)] {
        let join =
            format!("CROSS JOIN (SELECT * FROM precept_calendar_lists WHERE calendar = {cal}) AS precept_cal_{cal}");
        assert_eq!(sql.matches(&join).count(), queries, "{join}");
    }
}

/// Only Spark's lambdas read a calendar's lists as a joined row: in the other dialects no text,
/// however it is quoted (a backslash ends a literal there, where Spark would read an escape),
/// makes the SQL join one.
#[test]
fn text_that_looks_like_a_joined_calendar_joins_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.precept"),
        r#"
schema ticket {
  identified by id
  id: text
  a: text
  b: text
}
code "C" {
  level organisational
  rule odd-texts {
    title "t"
    for ticket
    require record.a != "x\\" and record.b != "precept_cal_7.y" and record.b != "it's precept_cal_3.idx"
    message "{record.id}"
  }
}
"#,
    )
    .unwrap();
    for dialect in ["duckdb", "postgres", "spark"] {
        let run =
            common::precept(&["sql", "--no-config", "--dialect", dialect, "--policies", dir.path().to_str().unwrap()]);
        assert_eq!(run.code, 0, "{dialect}: {}", run.stderr);
        assert!(run.stdout.contains("odd-texts"), "{dialect}");
        assert!(!run.stdout.contains("AS precept_cal_"), "{dialect} joins a calendar row:\n{}", run.stdout);
    }
}

/// A deadline read from the opening record compiles in a case rule whose events are dates, in
/// order, in any order and with pauses (the differential tests compare their findings), in every
/// dialect.
#[test]
fn deadlines_read_from_date_openings_compile_in_order_in_any_order_and_paused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    let rule = |id: &str, extra: &str| {
        format!(
            "  rule {id} {{\n    title \"t\"\n    for day_event\n    case by record.case\n    opens when record.status == received at record.on\n{extra}    closes when record.status == answered at record.on\n    within record.agreed otherwise 2 days\n    message \"{{group.case}} due {{group.deadline}}\"\n  }}\n"
        )
    };
    let policy = format!(
        "schema day_event {{\n  identified by id\n  id: text\n  case: text\n  status: enum {{ received, waiting, replied, answered }}\n  on: date\n  agreed: duration?\n}}\ncode \"Days\" {{\n  level organisational\n{}{}{}}}\n",
        rule("in-order", ""),
        rule("either-way", "    in any order\n"),
        rule(
            "paused",
            "    pauses when record.status == waiting at record.on\n    resumes when record.status == replied at record.on\n"
        ),
    );
    std::fs::write(dir.path().join("policies/days.precept"), policy).unwrap();
    for dialect in ["duckdb", "postgres", "spark"] {
        let run = common::precept_in(dir.path(), &["sql", "--dialect", dialect]);
        assert_eq!(run.code, 0, "{dialect}: {}", run.stderr);
        assert!(!run.stderr.contains("precept::sql::unsupported"), "{dialect}: {}", run.stderr);
        for rule in ["in-order", "either-way", "paused"] {
            assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{dialect}: {rule} is not in the SQL");
        }
    }
}

/// A case key that multiplies two decimals compiles, held at its 20 places as such a group key
/// is, so that two cases the engine tells apart never fall together; in Spark, which keeps 6
/// places of a product of decimals, a doubled decimal is held as the whole number of its places.
/// A key that multiplies three decimals (30 places) is left out, with the events' keys held
/// alike.
#[test]
fn case_keys_that_multiply_decimals_compile_but_three() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    let rule = |id: &str, key: &str| {
        format!(
            "  rule {id} {{\n    title \"t\"\n    for event\n    case by {key}\n    opens when record.status == received at record.at\n    closes when record.status == answered at record.at\n    within 2 days\n    message \"{{group.case}} due {{group.deadline}}\"\n  }}\n"
        )
    };
    let policy = format!(
        "schema event {{\n  identified by id\n  id: text\n  status: enum {{ received, answered }}\n  at: datetime\n  rate: decimal\n  part: decimal\n}}\ncode \"Cases\" {{\n  level organisational\n{}{}{}{}}}\n",
        rule("by-product", "record.rate * record.part"),
        rule("by-rate", "record.rate"),
        rule("by-doubled-rate", "record.rate * 2"),
        rule("by-cube", "record.rate * record.part * record.rate"),
    );
    std::fs::write(dir.path().join("policies/cases.precept"), policy).unwrap();
    for dialect in ["duckdb", "postgres", "spark"] {
        let run = common::precept_in(dir.path(), &["sql", "--dialect", dialect]);
        assert_eq!(run.code, 1, "{dialect}: {}", run.stderr);
        let text = run.stderr.replace("\n  │ ", " ");
        let said = if dialect == "spark" {
            "rule `by-cube` is left out of the SQL: a product of decimals with more than 20 decimal places in Spark"
        } else {
            "rule `by-cube` is left out of the SQL: a case key that multiplies three decimals (it may have more than 20 places)"
        };
        assert!(text.contains(said), "{dialect}: no `{said}` in\n{}", run.stderr);
        assert!(!run.stdout.contains("'by-cube' AS rule_id"), "{dialect}: by-cube is in the SQL");
        assert_eq!(run.stderr.matches("precept::sql::unsupported").count(), 1, "{dialect}: {}", run.stderr);
        for rule in ["by-product", "by-rate", "by-doubled-rate"] {
            assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{dialect}: {rule} is not in the SQL");
        }
    }
}

/// Moves whose lack of an answer the SQL follows (a date moved past the last held) compile under
/// business days, `business days between` and `x in list`, which pass an operand's lack of an
/// answer on, and so does `otherwise` after a move by business days (NULL only past the calendar
/// table's range, which must cover the data) and after a count with a move inside, whose lack of
/// an answer the SQL follows element by element.
#[test]
fn moves_under_business_days_and_otherwise_after_a_move_in_a_quantifier_compile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("policies/london.toml"),
        "zone = \"Europe/London\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\ncutoff = \"17:00\"\n",
    )
    .unwrap();
    let policy = r#"calendar london from "london.toml"

schema deal {
  identified by id
  id: text
  on: date
  at: datetime
  days: list of date
}

code "Moves" {
  level organisational
  calendar london

  rule after-moved {
    title "t"
    for deal
    require (record.on + 1d) + 2 business days > 2024-06-01
    message "{record.id}"
  }
  rule between-moved {
    title "t"
    for deal
    require business days between(record.at + 1h, record.at + 30d) <= 30
    message "{record.id}"
  }
  rule listed-moved {
    title "t"
    for deal
    require (record.on + 1d) in record.days
    message "{record.id}"
  }
  rule otherwise-business {
    title "t"
    for deal
    require ((record.on + 2 business days) otherwise 2024-01-01) > 2024-06-01
    message "{record.id}"
  }
  rule otherwise-in-a-list {
    title "t"
    for deal
    require (count(d in record.days: d + 1d > 2024-06-01) otherwise 0) > 0
    message "{record.id}"
  }
}
"#;
    std::fs::write(dir.path().join("policies/moves.precept"), policy).unwrap();
    for dialect in ["duckdb", "postgres", "spark"] {
        let run = common::precept_in(dir.path(), &["sql", "--dialect", dialect]);
        let text = run.stderr.replace("\n  │ ", " ");
        assert!(!text.contains("precept::sql::unsupported"), "{dialect}: {}", run.stderr);
        for rule in ["after-moved", "between-moved", "listed-moved", "otherwise-business", "otherwise-in-a-list"] {
            assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{dialect}: {rule} is not in the SQL");
        }
    }
}

/// A folder with `text` as its one policy file, `policies/q.precept`.
fn quotient_policy(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/q.precept"), text).unwrap();
    dir
}

/// `precept sql` over `dir`'s policies in each dialect: the dialect, the run, and its standard
/// error with miette's wrapped lines joined.
fn in_each_dialect(dir: &tempfile::TempDir) -> Vec<(&'static str, common::Run, String)> {
    ["duckdb", "postgres", "spark"]
        .into_iter()
        .map(|dialect| {
            let run =
                common::precept_in(dir.path(), &["sql", "--no-config", "--policies", "policies", "--dialect", dialect]);
            let text = run.stderr.replace("\n  │ ", " ");
            (dialect, run, text)
        })
        .collect()
}

/// A quotient divided again compiles in every dialect; in DuckDB, whose quotients are of
/// `DECIMAL(38, 10)`s, one beside a third quotient or a product of decimals is left out (its
/// places would pass the 38 DuckDB allows when it binds the SQL, stopping every rule's query),
/// and compiles elsewhere.
#[test]
fn quotients_divided_again_compile_but_three_deep_in_duckdb() {
    let dir = quotient_policy(
        r#"schema claim {
  identified by id
  id: text
  paid: money GBP
  pieces: integer
  rate: decimal
}
code "Quotients" {
  level organisational
  rule twice {
    title "t"
    for claim
    require record.paid / record.pieces / 2 <= 1.50 GBP
    message "{record.paid / (record.pieces / 2)}"
  }
  rule three-deep {
    title "t"
    for claim
    require record.paid / record.pieces / 2 / 3 <= 1.50 GBP
  }
  rule three-shown {
    title "t"
    for claim
    require record.pieces > 0
    message "{record.paid / record.pieces / 2 + record.paid / 4}"
  }
  rule beside-a-product {
    title "t"
    for claim
    require record.paid / record.pieces / 2 <= record.paid * record.rate
  }
}
"#,
    );
    for (dialect, run, text) in in_each_dialect(&dir) {
        assert!(run.stdout.contains("'twice' AS rule_id"), "{dialect}: {}", run.stderr);
        for rule in ["three-deep", "three-shown", "beside-a-product"] {
            let said = format!("rule `{rule}` is left out of the SQL: in DuckDB, more than two quotients");
            assert_eq!(text.contains(&said), dialect == "duckdb", "{dialect}: {}", run.stderr);
            assert_eq!(run.stdout.contains(&format!("'{rule}' AS rule_id")), dialect != "duckdb", "{dialect}");
        }
        assert_eq!(run.code, if dialect == "duckdb" { 1 } else { 0 }, "{dialect}: {}", run.stderr);
    }
}

/// A quotient of a product of decimals is held at the product's 20 places in every dialect; in
/// DuckDB, one beside another quotient or another value of more than 10 places is left out (a
/// product across would need 40 places, past the 38 DuckDB allows when it binds the SQL), and
/// compiles elsewhere. A quotient of three decimals multiplied (30 places) is left out in every
/// dialect.
#[test]
fn quotients_of_products_keep_their_places_or_are_left_out() {
    let dir = quotient_policy(
        r#"schema claim {
  identified by id
  id: text
  hours: decimal
  rate: decimal
  n: integer
}
code "Quotients of products" {
  level organisational
  rule alone {
    title "t"
    for claim
    require record.rate * record.hours / record.n <= 1.5
    message "{record.rate * record.hours / record.n}"
  }
  rule beside-a-product {
    title "t"
    for claim
    require record.rate * record.hours / record.n <= record.rate * record.rate
  }
  rule beside-a-quotient {
    title "t"
    for claim
    require record.n > 0
    message "{record.rate * record.hours / record.n + record.hours / record.n}"
  }
  rule three-decimals {
    title "t"
    for claim
    require record.rate * record.hours * record.rate / record.n <= 1
  }
}
"#,
    );
    for (dialect, run, text) in in_each_dialect(&dir) {
        assert!(run.stdout.contains("'alone' AS rule_id"), "{dialect}: {}", run.stderr);
        if dialect != "spark" {
            assert!(run.stdout.contains("AS DECIMAL(38, 20))"), "{dialect}: {}", run.stdout);
        }
        for rule in ["beside-a-product", "beside-a-quotient"] {
            let said =
                format!("rule `{rule}` is left out of the SQL: in DuckDB, a quotient with a product of decimals");
            assert_eq!(text.contains(&said), dialect == "duckdb", "{dialect}: {}", run.stderr);
            assert_eq!(run.stdout.contains(&format!("'{rule}' AS rule_id")), dialect != "duckdb", "{dialect}");
        }
        let three = match dialect {
            "spark" => "a product of decimals with more than 20 decimal places in Spark",
            _ => "a quotient of a product of three decimals",
        };
        assert!(text.contains(&format!("rule `three-decimals` is left out of the SQL: {three}")), "{dialect}: {text}");
        assert!(!run.stdout.contains("'three-decimals' AS rule_id"), "{dialect}");
        assert_eq!(run.code, 1, "{dialect}: {}", run.stderr);
    }
}

/// A condition over a list's elements that divides, reads a count from them or moves a date
/// compiles in every dialect, and so does a function asked of such a computation and `otherwise`
/// after a quantifier over one (the SQL tells which has no answer, as the engine does).
#[test]
fn quantifiers_and_functions_over_computations_that_may_have_no_answer_compile() {
    let dir = quotient_policy(
        r#"schema basket {
  identified by id
  id: text
  opened: date
  closed: date
  n: integer
  lines: list of { qty: integer, price: money GBP, days: integer, at: date? }
}
code "Baskets" {
  level organisational
  rule unit-prices {
    title "t"
    for basket
    require all(l in record.lines: l.price / l.qty <= 5.00 GBP)
    require count(l in record.lines: record.opened + l.days days > record.closed) == 0
    message "{record.id}: {count(l in record.lines: l.price / l.qty > 1.00 GBP)}"
  }
  rule months-moved {
    title "t"
    for basket
    require months_between(record.opened + record.n months, record.closed) <= 3
  }
  rule moved-inside {
    title "t"
    for basket
    require all(l in record.lines: (l.at otherwise record.opened) + 1 month > record.closed) otherwise false
  }
}
"#,
    );
    for (dialect, run, text) in in_each_dialect(&dir) {
        for rule in ["unit-prices", "months-moved", "moved-inside"] {
            assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{dialect}: {text}");
        }
        assert!(!text.contains("precept::sql::unsupported"), "{dialect}: {text}");
        assert_eq!(run.code, 0, "{dialect}: {text}");
    }
}

/// A redacted decimal, amount or duration computed in a message is written into the SQL a
/// bounded number of times: no dialect can name a value inside an expression, and text built by
/// repeating its operand at every step (43 times for a decimal) made a view of ten such values
/// that Spark's analyser ran out of a 6 GiB heap on.
#[test]
fn redacted_computations_are_written_a_bounded_number_of_times() {
    let dir = quotient_policy(
        r#"schema payment {
  identified by id
  id: text
  paid: money GBP
  wait: duration
  rate: decimal
}
code "Redacted" {
  level organisational
  rule shown {
    title "t"
    for payment
    require record.id == "none"
    message "{record.paid * 2} {record.wait + 1h} {record.rate * 3}"
  }
}
"#,
    );
    std::fs::write(
        dir.path().join("precept.toml"),
        "policies = [\"policies\"]\nredact = [\"paid\", \"wait\", \"rate\"]\n",
    )
    .unwrap();
    for dialect in ["duckdb", "postgres", "spark"] {
        let run = common::precept_in(dir.path(), &["sql", "--dialect", dialect]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{dialect}");
        let view = &run.stdout[run.stdout.find("CREATE VIEW").unwrap()..];
        // Spark's amounts are whole numbers of their places, read twice; a duration's text
        // reads its seconds once per unit.
        for (field, most) in [("paid", 10), ("wait", 8), ("rate", 10)] {
            let uses = view.matches(&format!("`{field}`")).count() + view.matches(&format!("\"{field}\"")).count();
            assert!((1..=most).contains(&uses), "{dialect}: {field} is written {uses} times:\n{view}");
        }
    }
}

/// `otherwise`, `is present` and `is missing` of a group's aggregate that may have no answer (a
/// member's date moved past the last held, a sum of quotients by a value of the record) compile
/// in every dialect: the group's row says whether each such aggregate has no answer, which SQL's
/// NULL does not tell from a missing value (what they find is compared with the engine's in
/// tests/sql_diff, `defaults` of the quotients by a field).
#[test]
fn otherwise_and_presence_of_a_group_value_with_no_answer_compile() {
    let group_rule = |id: &str, require: &str| {
        format!("  rule {id} {{\n    title \"t\"\n    for deal\n    group by record.team\n    require {require}\n    message \"{{group.team}}\"\n  }}\n")
    };
    let policy = format!(
        "schema deal {{\n  identified by id\n  id: text\n  team: text\n  until: date\n  paid: decimal\n  parts: decimal\n}}\ncode \"C\" {{\n  level organisational\n{}{}{}{}}}\n",
        group_rule("default-date", "(max(record.until + 30d) otherwise 2000-01-01) < 2030-01-01"),
        group_rule("missing-date", "max(record.until + 30d) is missing or max(record.until + 30d) < 2030-01-01"),
        group_rule("default-sum", "(min(record.paid / record.parts) otherwise 0) < 100"),
        group_rule("plain-default", "(max(record.until) otherwise 2000-01-01) < 2030-01-01"),
    );
    let dir = quotient_policy(&policy);
    for (dialect, run, _) in in_each_dialect(&dir) {
        assert_eq!(run.code, 0, "{dialect}: {}", run.stderr);
        for rule in ["default-date", "missing-date", "default-sum", "plain-default"] {
            assert!(run.stdout.contains(&format!("'{rule}' AS rule_id")), "{dialect}: {rule} is not in the SQL");
        }
        // Each aggregate that may have no answer carries whether it has none.
        assert!(run.stdout.contains(" AS u0"), "{dialect}: no flag of an aggregate with no answer");
    }
}

/// An `if` whose condition is an `if`, nested: each level writes its condition once, so the SQL
/// grows by about as much at each level (it doubled at each: 566 KB at 10 deep in every dialect,
/// past a gigabyte within the 32 levels a policy may nest), whether the `if` chooses a value, a
/// quotient's parts, a condition's lack of an answer or the field blamed.
#[test]
fn an_if_nested_in_a_condition_writes_it_once_per_level() {
    let policy = |depth: usize| {
        let mut cond = "record.a > 0".to_string();
        let mut value = "record.paid / record.n".to_string();
        for i in 0..depth {
            cond = format!("(if {cond} then record.a > {i} else record.b > {i})");
            // A quotient chosen at each level by a condition that is itself an `if`.
            value = format!(
                "(if (if record.a > {i} then record.b > {i} else record.n > {i}) then {value} else record.paid)"
            );
        }
        quotient_policy(&format!(
            r#"schema t {{ identified by id  id: text  a: integer  b: integer  n: integer  paid: money GBP }}
code "C" {{ level organisational
  rule nested {{ title "t" for t
    require {cond}
    message "{{record.id}}" }}
  rule chosen {{ title "t" for t
    require {value} <= 10.00 GBP
    message "{{record.id}} {{{value}}}" }} }}
"#
        ))
    };
    let sizes = |depth: usize| -> Vec<(&'static str, usize)> {
        in_each_dialect(&policy(depth))
            .into_iter()
            .map(|(dialect, run, stderr)| {
                assert_eq!((run.code, stderr.as_str()), (0, ""), "{dialect}, {depth} deep");
                (dialect, run.stdout.len())
            })
            .collect()
    };
    let (four, eight, twelve) = (sizes(4), sizes(8), sizes(12));
    for ((a, b), c) in four.iter().zip(&eight).zip(&twelve) {
        // The same growth from 8 to 12 levels as from 4 to 8 (within a fifth): linear, where
        // doubling grew it sixteen times over.
        let (first, second) = (b.1 - a.1, c.1 - b.1);
        assert!(second * 5 <= first * 6, "{}: {} -> {} -> {} bytes", a.0, a.1, b.1, c.1);
    }
}
