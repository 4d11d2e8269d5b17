//! Calls of built-in functions that the checker refuses, and what it says: every diagnostic about a
//! call (an unknown name, the wrong number of arguments, an argument of the wrong type) for each
//! family of functions in the registry (`src/engine/builtins`), word for word, so that moving the
//! functions into one registry changed no text. Policies are checked in memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use precept::source::SourceFile;

const SCHEMA: &str = r#"
calendar uk {
  zone "Europe/London"
  working mon, tue, wed, thu, fri
  cutoff 17:00
}
schema t {
  identified by id
  id: text
  by: text
  team: text
  kind: enum { refund, apology }
  amount: money GBP
  n: integer
  at: datetime
  on: date
  waited: duration
  escalated: boolean
  later: datetime?
}
"#;

/// The diagnostics of one rule: `require` over a record, or over groups when `group` is given.
fn diagnose(require: &str, group: Option<&str>) -> Vec<(String, String, Option<String>)> {
    let rule = match group {
        None => format!("rule r {{ for t require {require} message \"m\" }}"),
        Some(key) => format!("rule r {{ for t group by {key} require {require} message \"m\" }}"),
    };
    let text = format!("{SCHEMA}\ncode \"C\" {{\n  level industry\n  calendar uk\n  {rule}\n}}\n");
    let file = SourceFile::new("p.precept", text.as_str());
    let (tree, diags) = precept::syntax::parse(&file);
    assert!(diags.is_empty(), "{require}: {:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
    let (_, diags) = precept::check::check(&tree.into_iter().collect::<Vec<_>>(), &precept::check::NoFiles);
    diags.into_iter().map(|d| (d.code.to_string(), d.message, d.help)).collect()
}

/// `require` (over groups of `record.team` when `group`), the code, message and help of its one
/// error.
const CASES: &[(&str, bool, &str, &str, &str)] = &[
    // unknown functions
    (
        "may_do(record.by, \"refund\", record.at)",
        false,
        "precept::type::unknown-function",
        "unknown function `may_do`",
        "did you mean `may`? It is written `may(staff, action, amount, on) or may(staff, action, on)`; the functions are `may`, `outranks`, `qualified`, `qualified_for`, `role_of`, `share`, `sum`, `min`, `max`, `avg`, `percentile`, `day`, `business_day`, `week`, `month`, `year`, `hours_between`, `months_between`; `count(...)` and `business days between(...)` are written as themselves",
    ),
    (
        "zzz(record.n) == 1",
        false,
        "precept::type::unknown-function",
        "unknown function `zzz`",
        "the functions are `may`, `outranks`, `qualified`, `qualified_for`, `role_of`, `share`, `sum`, `min`, `max`, `avg`, `percentile`, `day`, `business_day`, `week`, `month`, `year`, `hours_between`, `months_between`; `count(...)` and `business days between(...)` are written as themselves",
    ),
    (
        "summ(2) > 1",
        true,
        "precept::type::unknown-function",
        "unknown function `summ`",
        "did you mean `sum`? It is written `sum(value)`; the functions are `may`, `outranks`, `qualified`, `qualified_for`, `role_of`, `share`, `sum`, `min`, `max`, `avg`, `percentile`, `day`, `business_day`, `week`, `month`, `year`, `hours_between`, `months_between`; `count(...)` and `business days between(...)` are written as themselves",
    ),
    // questions about roles
    (
        "outranks(record.by, record.by)",
        false,
        "precept::type::wrong-arguments",
        "`outranks` takes 3 arguments, not 2",
        "write `outranks(senior, junior, on)`",
    ),
    (
        "may(record.by, refund)",
        false,
        "precept::type::wrong-arguments",
        "`may` takes 3 or 4 arguments, not 2",
        "write `may(staff, action, amount, on) or may(staff, action, on)`",
    ),
    (
        "qualified_for(record.by, \"credit\", 3d)",
        false,
        "precept::type::mismatch",
        "the day given to `qualified_for` must be a date or datetime, not a duration",
        "write `qualified_for(staff, area, on)`",
    ),
    (
        "may(record.by, record.kind, record.escalated, record.at)",
        false,
        "precept::type::mismatch",
        "the amount given to `may` must be money, a number or a duration, not a boolean",
        "write `may(staff, action, amount, on) or may(staff, action, on)`",
    ),
    (
        "outranks(record.kind, record.by, record.on)",
        false,
        "precept::type::mismatch",
        "the staff given to `outranks` must be text (a staff id), not an enumeration (`refund`, `apology`)",
        "write `outranks(senior, junior, on)`",
    ),
    (
        "qualified(record.by, record.n, record.on)",
        false,
        "precept::type::mismatch",
        "the qualification given to `qualified` must be text or an enumeration value, not an integer",
        "write `qualified(staff, qualification, on)`",
    ),
    (
        "(role_of(record.by, record.at) otherwise \"none\") == record.on",
        false,
        "precept::type::mismatch",
        "cannot compare text with a date",
        "both sides of `==` must have the same type",
    ),
    // aggregates
    (
        "percentile(record.waited) <= 1h",
        true,
        "precept::type::wrong-arguments",
        "`percentile` takes 2 arguments, not 1",
        "write `percentile(value, 95)`",
    ),
    (
        "percentile(record.waited, 50.000000000000000000000000000001) <= 1h",
        true,
        "precept::type::mismatch",
        "a percentile's rank is a number above 0 and at most 100, of at most 28 decimal places",
        "write e.g. `percentile(record.first_response_at - record.opened_at, 95)`",
    ),
    (
        "sum(record.amount, record.amount) <= 1.00 GBP",
        true,
        "precept::type::wrong-arguments",
        "`sum` takes 1 argument, not 2",
        "write `share(condition)` or `sum(value)`",
    ),
    (
        "share(record.n) <= 5%",
        true,
        "precept::type::mismatch",
        "`share` counts records where a condition holds, not an integer",
        "write e.g. `share(record.escalated == true)`",
    ),
    (
        "count(record.n) <= 5",
        true,
        "precept::type::mismatch",
        "`count` counts records where a condition holds, not an integer",
        "write e.g. `count(record.escalated == true)`",
    ),
    (
        "sum(record.on) is present",
        true,
        "precept::type::mismatch",
        "`sum` takes numbers, money or durations, not a date",
        "aggregate a field such as `record.claim.amount` or a duration such as `record.resolved_at - record.opened_at`",
    ),
    (
        "max(record.by) is present",
        true,
        "precept::type::mismatch",
        "`max` takes numbers, money, durations, dates or datetimes, not text",
        "aggregate a field such as `record.claim.amount` or a duration such as `record.resolved_at - record.opened_at`",
    ),
    (
        "avg(record.n) > 1",
        false,
        "precept::type::aggregate-outside-group",
        "`avg` sums up a group of records",
        "add `group by <key>` to the rule (e.g. `group by record.team`) to judge groups of records",
    ),
    // date functions
    (
        "week(record.at, record.at, record.at) == record.on",
        false,
        "precept::type::wrong-arguments",
        "`week` takes 1 or 2 arguments, not 3",
        "write `week(record.opened_at)`",
    ),
    (
        "month(record.n) == record.on",
        false,
        "precept::type::mismatch",
        "`month` needs a date or datetime, not an integer",
        "write `month(record.opened_at)`",
    ),
    // pure functions
    (
        "hours_betwen(record.at, record.at) > 1",
        false,
        "precept::type::unknown-function",
        "unknown function `hours_betwen`",
        "did you mean `hours_between`? It is written `hours_between(start, end)`; the functions are `may`, `outranks`, `qualified`, `qualified_for`, `role_of`, `share`, `sum`, `min`, `max`, `avg`, `percentile`, `day`, `business_day`, `week`, `month`, `year`, `hours_between`, `months_between`; `count(...)` and `business days between(...)` are written as themselves",
    ),
    (
        "hours_between(record.at) > 1",
        false,
        "precept::type::wrong-arguments",
        "`hours_between` takes 2 arguments, not 1",
        "write `hours_between(start, end)`",
    ),
    (
        "hours_between(record.on, record.at) > 1",
        false,
        "precept::type::mismatch",
        "the start given to `hours_between` must be a datetime, not a date",
        "write `hours_between(start, end)`",
    ),
    (
        "hours_between(record.at, record.later) > 1",
        false,
        "precept::type::unhandled-missing",
        "`record.later` may be missing and this does not say what that means",
        "say what a missing value means: `record.later is present and ...`, `record.later is missing or ...`, or `record.later otherwise <default>`",
    ),
    (
        "hours_between(record.at, record.at)",
        false,
        "precept::type::mismatch",
        "a `require` condition must be true or false, not a decimal",
        "compare it with something, e.g. `record.amount <= 50.00 GBP`",
    ),
];

#[test]
fn diagnostics_of_calls_say_what_they_said_before_the_registry() {
    let mut wrong = Vec::new();
    for &(require, group, code, message, help) in CASES {
        let diags = diagnose(require, group.then_some("record.team"));
        let errors: Vec<_> = diags.iter().filter(|(c, _, _)| c != "precept::type::unused-field").collect();
        let want = (code.to_string(), message.to_string(), Some(help.to_string()));
        if errors.len() != 1 || *errors[0] != want {
            wrong.push(format!("`{require}`:\n  want {want:?}\n  got  {errors:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_questions_about_roles_make_a_rule_need_role_files() {
    let text = format!(
        "{SCHEMA}\ncode \"C\" {{\n  level industry\n  calendar uk\n  \
         rule asks {{ for t require may(record.by, record.kind, record.amount, record.at) message \"m\" }}\n  \
         rule dates {{ for t group by week(record.at) require count() >= 1 message \"m\" }}\n  \
         rule plain {{ for t require record.n >= 0 message \"m\" }}\n}}\n"
    );
    let file = SourceFile::new("p.precept", text.as_str());
    let (tree, _) = precept::syntax::parse(&file);
    let (program, diags) = precept::check::check(&tree.into_iter().collect::<Vec<_>>(), &precept::check::NoFiles);
    assert!(!diags.iter().any(|d| d.is_error()), "{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
    let program = program.unwrap();
    let roles: Vec<(&str, bool)> = program.rules.iter().map(|r| (r.id.as_str(), r.uses_roles)).collect();
    assert_eq!(roles, [("asks", true), ("dates", false), ("plain", false)]);
}
