//! The registry of diagnostic codes: every code Precept can emit, with a one-line summary.
//!
//! Codes are stable: once released, a code is never renamed or reused. Tests check that every code
//! written in the source is listed here and every listed code is written in the source. Findings use
//! `precept::rule::<rule-id>` and are not listed: their ids belong to the policies.

/// One registered code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The code, e.g. `precept::type::unknown-field`.
    pub code: &'static str,
    /// What it means, in one line.
    pub summary: &'static str,
}

macro_rules! codes {
    ($($code:literal => $summary:literal,)*) => {
        /// Every diagnostic code, sorted.
        pub const CODES: &[CodeInfo] = &[$(CodeInfo { code: $code, summary: $summary },)*];
    };
}

codes! {
    "precept::baseline::invalid" => "a baseline file is not one `precept baseline` wrote",
    "precept::baseline::not-written" => "`precept baseline` did not write a baseline because the input had problems",
    "precept::baseline::stale" => "findings in the baseline no longer occur",
    "precept::case::close-before-open" => "a case's closing record comes with nothing open: before its opening, or after its obligation was closed",
    "precept::code::clause-listed-twice" => "a code lists the same clause twice, or again a clause it inherits from the code it extends",
    "precept::code::extension-cycle" => "codes extend each other in a circle",
    "precept::code::invalid-extension" => "a code extends a code of a level it may not build on",
    "precept::code::unknown-parent" => "a code extends a code that is not declared",
    "precept::code::unlisted-clause" => "a rule cites a clause that its code, which lists its clauses, does not list",
    "precept::config::invalid" => "`precept.toml` has an unknown key or a value of the wrong kind",
    "precept::diff::policies" => "`precept diff` compared nothing: the base or the changed policies cannot be loaded",
    "precept::engine::duckdb" => "`--engine duckdb`: DuckDB could not read a record file, convert a value, or run the rules",
    "precept::engine::not-run" => "`--engine duckdb` did not run a rule, or `--findings` rows cannot hold its findings: it uses a construct that does not compile to SQL yet",
    "precept::engine::rule-stopped" => "`--engine duckdb` stopped a rule on a value past what its numbers hold (38 digits, 64 bits): the rule was not judged there, the other rules were",
    "precept::engine::unreadable-file" => "`--engine duckdb` could not read a record file: a Parquet file that is not one or has a column of the wrong type (not checked), or a JSON Lines or CSV file DuckDB refuses (checked by the native engine, in no rule over groups)",
    "precept::engine::unsupported-file" => "`--engine duckdb` does not read a record file: a JSON or TOML file, a file of a schema with export spellings or zones, or one lacking a required column",
    "precept::findings::columns" => "a findings file given to `--findings` is not an export of `precept_findings`: no header, or a needed column missing or given twice",
    "precept::findings::duplicate-row" => "rows of a findings file given to `--findings` repeat findings read already (a findings history exported twice): they are left out",
    "precept::findings::invalid-row" => "a row of a findings file given to `--findings` cannot be read or does not fit its rule: it is left out",
    "precept::findings::unknown-rule" => "a row of a findings file given to `--findings` names a rule the policies do not have",
    "precept::findings::unnamed-period" => "rows of a presence rule read with `--findings` name no missing period (the rule's message does not show `{group.period}`): they are never known to a baseline",
    "precept::fmt::not-written" => "`precept fmt` did not rewrite a policy file that needs formatting: it is a symbolic link or not a regular file, or writing it failed",
    "precept::input::csv" => "a CSV file could not be read as CSV",
    "precept::input::csv-missing-column" => "a CSV file has no column for a field that rules read",
    "precept::input::csv-row-length" => "a CSV row has more or fewer cells than the header",
    "precept::input::duplicate-column" => "a CSV header names the same column twice",
    "precept::input::duplicate-key" => "a JSON object in a record has the same key twice",
    "precept::input::empty-file" => "a policy or record file is empty",
    "precept::input::invalid-utf8" => "a file is not valid UTF-8",
    "precept::input::invalid-value" => "a record's value does not have the type its schema declares",
    "precept::input::json" => "a JSON or JSON Lines file is not valid JSON",
    "precept::input::missing-field" => "a record lacks a field its schema requires",
    "precept::input::more-problems" => "a record file has more problems than are shown",
    "precept::input::no-records" => "no record files were found under the given paths",
    "precept::input::no-rules" => "the policy folder holds no rules",
    "precept::input::no-schema" => "no schema says which fields a record file has",
    "precept::input::not-a-file" => "an input is a FIFO, socket, device or folder, not a regular file, and was not read",
    "precept::input::not-found" => "a path given on the command line does not exist",
    "precept::input::parquet" => "the native engine does not read Parquet files; `--engine duckdb` does",
    "precept::input::records-not-found" => "a `.json` file has no array of records at the key its schema's `records at` names",
    "precept::input::records-under-key" => "a `.json` file holds its records under a key its schema does not name with `records at`",
    "precept::input::skipped-link" => "a folder walk did not follow a symbolic link",
    "precept::input::toml" => "a TOML file is not valid TOML",
    "precept::input::too-large" => "an input file or record line is larger than its documented limit",
    "precept::input::unknown-format" => "a file's extension is not a record format Precept reads",
    "precept::input::unreadable" => "a file or folder could not be read",
    "precept::lsp::large-folder" => "the language server's workspace folder holds too many files to read as a policy folder; only open files are checked",
    "precept::output::truncated" => "a SARIF report left out results past the 25,000 code scanning accepts",
    "precept::parse::conflicting-clauses" => "a rule both groups records and follows cases, a case rule has a `require`, or one `in any order` has `pauses`, `resumes`, `by` or `until`",
    "precept::parse::duplicate-clause" => "a clause that may appear once is given twice",
    "precept::parse::missing-clause" => "a required clause (`level`, `for`, `require`) is missing",
    "precept::parse::number-out-of-range" => "a number does not fit in 64 bits",
    "precept::parse::syntax" => "the policy text does not follow the grammar",
    "precept::parse::too-deep" => "nesting deeper than the documented limit",
    "precept::parse::unnamed-key" => "a part of a group key that is neither a field nor a function has no `as` name",
    "precept::role::assignment-gap" => "a member of staff is employed on days when they hold no role",
    "precept::role::assignment-overlap" => "a member of staff holds two roles at once",
    "precept::role::duplicate-id" => "two roles, staff, actions, qualifications or areas share an id",
    "precept::role::escalation-cycle" => "roles escalate to each other in a circle",
    "precept::role::invalid-definition" => "a role or staff definition has a value of the wrong shape",
    "precept::role::no-route-to-top" => "a role's escalation path never reaches a top role",
    "precept::role::qualification-expired" => "a role's required qualification expires while the role is held",
    "precept::role::qualification-missing" => "a role is held without a qualification it requires",
    "precept::role::scope-inversion" => "a senior role may do less than a role that escalates to it",
    "precept::role::unheld-role" => "no member of staff holds a role",
    "precept::role::unknown-reference" => "a role, action, qualification or area is referred to but not defined",
    "precept::rule::builtin-name" => "a `let`, `define` or parameter has the name of a built-in function",
    "precept::rule::duplicate-id" => "two rules share an id",
    "precept::rule::duplicate-name" => "a `let`, `define` or parameter is named twice in one rule or code",
    "precept::rule::expansion-too-large" => "written out, definitions used inside each other make an expression too deep or too large",
    "precept::rule::invalid-effective" => "a rule or code is in force until a day before the day it starts",
    "precept::rule::let-order" => "a rule's `let` is used by itself or by a `let` written before it",
    "precept::rule::needless-relaxes" => "an override says it relaxes the inherited rule but is at least as strict",
    "precept::rule::overlapping-versions" => "two versions of one rule are in force on the same day",
    "precept::rule::recursive-definition" => "a code's definitions use themselves, directly or through each other",
    "precept::rule::relaxed-override" => "an override is more lenient than the inherited rule and does not say why",
    "precept::rule::relaxes-nothing" => "a rule says it relaxes an inherited rule but overrides none",
    "precept::rule::reserved-id" => "a rule's id is the name of a `precept::rule::` diagnostic code",
    "precept::rule::undated-schema" => "a rule in force on some days only reads a schema with no `dated by` field",
    "precept::rule::unused-let" => "a `let` or `define` is never used",
    "precept::rule::unverified-override" => "Precept cannot tell whether an override is at least as strict as the inherited rule",
    "precept::rule::version-date-differs" => "versions of a case rule pick the version judging a case by different dates",
    "precept::rule::version-zones-differ" => "versions of one rule take their days in calendars of different time zones",
    "precept::sql::unsupported" => "`precept sql` left a rule out: it uses a construct that does not compile to SQL yet",
    "precept::test::coverage" => "fewer rules are exercised by policy tests than `--min-coverage` asks",
    "precept::test::invalid" => "a policy test file is malformed or names a rule or schema the policies do not have",
    "precept::type::aggregate-outside-group" => "an aggregate (`share`, `sum`, ...) in a rule without `group by`",
    "precept::type::calendar-span" => "months or years are used where a length of time or a number is needed",
    "precept::type::deadline-source" => "a case rule reads its deadline from the opening record, but another schema's records open its cases",
    "precept::type::duplicate-expected-group" => "a presence rule lists an expected group twice",
    "precept::type::duplicate-field" => "a schema field or enumeration value is declared twice",
    "precept::type::duplicate-key" => "two parts of a group key have the same name",
    "precept::type::duplicate-name" => "two schemas or calendars share a name",
    "precept::type::invalid-calendar" => "a business calendar is not usable",
    "precept::type::invalid-glob" => "a schema's `files` pattern is not a valid glob",
    "precept::type::invalid-literal" => "a literal is not a real date, datetime, decimal or amount",
    "precept::type::invalid-regex" => "a `matches` pattern is not a valid regular expression",
    "precept::type::mismatch" => "an operator or clause is given a value of the wrong type",
    "precept::type::mixed-currency" => "amounts in different currencies are combined",
    "precept::type::money-times-money" => "an amount of money is multiplied by an amount of money",
    "precept::type::nested-aggregate" => "an aggregate inside another aggregate",
    "precept::type::never-holds" => "a comparison can never be true",
    "precept::type::never-missing" => "a presence test or default on a field that is never missing",
    "precept::type::no-calendar" => "business days are used in a code without a calendar",
    "precept::type::record-outside-aggregate" => "a group rule reads `record` outside an aggregate, or a case rule's message reads it (the opening record is `opening`)",
    "precept::type::shadowed-name" => "a quantifier, `let`, `define` or parameter reuses a name already in scope",
    "precept::type::unhandled-missing" => "an optional value is used without saying what missing means",
    "precept::type::unknown-calendar" => "a code, a rule or a call (`in nsw`, `day(x, nsw)`) names a calendar that is not declared",
    "precept::type::unknown-field" => "a path names a field its schema does not declare",
    "precept::type::unknown-function" => "a call names a function the language does not have",
    "precept::type::unknown-group-key" => "a presence rule's `for each` names a part the group key does not have",
    "precept::type::unknown-name" => "a name is neither `record`, a quantifier variable nor an expected value",
    "precept::type::unknown-schema" => "a rule's `for` names a schema that is not declared",
    "precept::type::unknown-variant" => "a value compared with an enumeration is not one of its values",
    "precept::type::unknown-zone" => "a `zone` in a schema or on a field, or a date function (`day(x, \"...\")`), names a time zone the bundled database does not know",
    "precept::type::unused-field" => "a schema field is read by no rule",
    "precept::type::wrong-arguments" => "a function is called with the wrong number of arguments",
    "precept::usage::as-of" => "`--as-of` (or `as_of`) is not a date or a datetime, or cannot be placed in time: a wall-clock time or a day with no single zone to read it in",
    "precept::usage::calendar-range" => "`precept sql`'s `--calendar-from` or `--calendar-until` is not a day, or the first comes after the last",
    "precept::usage::engine" => "`--engine duckdb` was asked of a build of Precept without DuckDB (the `duckdb` feature)",
    "precept::usage::explain" => "`precept explain` was given neither a rule of the policies nor a diagnostic code",
    "precept::usage::min-coverage" => "`--min-coverage` is not a percentage",
    "precept::usage::no-as-of" => "rules use `now`, and no evaluation time (`--as-of`) was given",
    "precept::usage::no-roles" => "rules that ask about staff and roles were not run: no role files were given",
    "precept::usage::output" => "a report cannot be written: two to standard output, a file that cannot be created, or standard output failing",
    "precept::usage::output-is-input" => "an output would replace a file the same run reads, or two outputs name one file",
    "precept::usage::threads" => "`--threads` was given an unusable number",
    "precept::waiver::invalid" => "a waiver is malformed: a missing or wrong key",
    "precept::waiver::not-waivable" => "a waiver covers a rule whose code is marked `not waivable`",
    "precept::waiver::unknown-rule" => "a waiver names a rule the policies do not have",
    "precept::waiver::unused" => "a waiver matches no finding",
}

/// What a family of codes is about: the step of a run that reports it, and where to read more.
pub fn family(code: &str) -> &'static str {
    match code.split("::").nth(1).unwrap_or("") {
        "parse" => "The policy text could not be read as the Precept language. Reported before anything runs; the place shown is in the policy file. The grammar is in grammar/precept.pest and the language in docs/language.md.",
        "type" => "The policy parses but does not make sense: an unknown name, field or function, a type mismatch, a value that may be missing and is not handled. Reported before anything runs; see docs/language.md.",
        "rule" => "A rule or its versions and overrides cannot be used as written (ids, effective dates, layered codes, names given with `let` and `define`). Reported before anything runs; see docs/language.md, \"Versions\", \"Layered codes\" and \"Named values\".",
        "code" => "A code of practice's `extends` cannot be followed. Reported before anything runs; see docs/language.md, \"Layered codes\".",
        "input" => "A record, role or other input file could not be read or does not fit its schema. The file is reported and the other files are still checked; the run exits with status 2.",
        "role" => "A role or staff definition is wrong or inconsistent (`precept lint`). See the README, \"Roles and staff\".",
        "usage" => "The command line asks for something that cannot be done. Nothing is checked; exit status 2.",
        "fmt" => "`precept fmt` could not put a formatted policy file in place; the file is unchanged and the run exits with status 2. See docs/language.md, \"Formatting\".",
        "lsp" => "About the language server (`precept lsp`) and the folder it was started in. See the README, \"Language server\".",
        "output" => "Something about a report itself (docs/reports.md).",
        "waiver" => "A waiver in the waivers file cannot be used, or is unused. See docs/waivers.md.",
        "test" => "About the tests written beside the policies (`precept test`). See docs/testing.md.",
        "config" => "The settings file (`precept.toml`, or `--config`) cannot be used as written. See docs/config.md.",
        "baseline" => "About the baseline given with `--baseline` or written by `precept baseline`. See docs/waivers.md.",
        "case" => "About the records of a case rule (`case by`, `opens`, `closes`): a warning about the data, not the policy; the case is still judged. See docs/language.md.",
        "diff" => "About `precept diff`, which checks the same records with two sets of policies; the message says which side. See docs/diff.md.",
        "sql" => "About `precept sql`, which writes the rules as SQL for a warehouse: a warning, and the rule named is left out of the SQL. See docs/warehouse.md.",
        "findings" => "About findings exported from a warehouse and read back with `precept check --findings` or `precept baseline --findings`: a file or row that cannot be used (the row is left out, the others are read; exit status 2). See docs/warehouse.md, \"Reading findings back\".",
        "engine" => "About `precept check --engine duckdb`: a rule it did not run (a warning; the run then never exits 0), or a file or value DuckDB does not read (exit status 2). See docs/warehouse.md.",
        _ => "",
    }
}

/// The registered code `code`, if there is one.
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_namespaced() {
        for pair in CODES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        for c in CODES {
            assert!(c.code.starts_with("precept::"), "{}", c.code);
            assert_eq!(c.code.split("::").count(), 3, "{}", c.code);
            assert!(!c.summary.ends_with('.'), "{}", c.code);
        }
        assert!(lookup("precept::type::unknown-field").is_some());
        for c in CODES {
            assert!(!family(c.code).is_empty(), "{}: its family is not described", c.code);
        }
    }
}
