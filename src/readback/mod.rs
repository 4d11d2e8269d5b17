//! Findings read back from a warehouse: the rows of `precept sql`'s `precept_findings` view,
//! exported as CSV (with a header) or JSON Lines, made into the [`Finding`]s `precept check` makes
//! of the same records, so the same reports, waivers, baselines and exit statuses apply.
//!
//! [`rows`] reads a file's rows (each at its line, for diagnostics and for placing findings);
//! [`finding`] rebuilds each against the compiled policies: the rule's title, code, level,
//! severity, help and citations come from the policies, the row gives only which rule, which
//! record or group, the field blamed and the message's values. A row the policies cannot place
//! is a diagnostic naming the file and row; the other rows are still read.
//! Pure: the caller reads the files (docs/warehouse.md, "Reading findings back").

pub mod finding;
pub mod rows;

use std::sync::Arc;

use crate::diagnostics::Diag;
use crate::engine::authority::Authority;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding, Outcome};
use crate::pipeline::Consumer;
use crate::source::SourceFile;

/// The code of a file holding rows of findings read already (from it or an earlier file).
pub const DUPLICATE_ROW: &str = "precept::findings::duplicate-row";

/// Hand the findings of every row of `files` (the exported rows, read whole) to `consumer`, in
/// the order of `order` (never the rows' order, which a warehouse does not keep); `found` are
/// the problems reading them so far. A row whose finding was read already (a findings history
/// exported twice) is left out, with a warning per file. The outcome counts the records the rows
/// name as the records checked: the rows hold only records with findings.
pub fn check(
    program: &Program,
    authority: Option<&dyn Authority>,
    files: &[SourceFile],
    found: Vec<Diag>,
    consumer: &mut Consumer<'_>,
) -> Outcome {
    let mut out = Outcome {
        diagnostics: found,
        files: files.len(),
        evaluation: program.evaluation.clone(),
        ..Outcome::default()
    };
    let catalogue = Catalogue::of(program, authority.is_some());
    let rules = finding::Rules::new(program);
    let mut records = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut unnamed: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    let mut made: Vec<(Order, Finding)> = Vec::new();
    for file in files {
        let name: Arc<str> = Arc::clone(&file.name);
        let mut duplicates: Vec<rows::Row> = Vec::new();
        for (index, row) in rows::read(file, &mut out.diagnostics).into_iter().enumerate() {
            let (rule, f) = match rules.finding(program, &catalogue, &name, index, &row) {
                Ok(found) => found,
                Err(problem) => {
                    out.diagnostics.push(problem.diag(program, file, &row));
                    continue;
                }
            };
            if finding::unnamed_period(&f) {
                // Rows of missed periods the rows do not name are alike: each is kept.
                *unnamed.entry(rule).or_default() += 1;
            } else if !seen.insert(f.fingerprint()) {
                duplicates.push(row);
                continue;
            }
            if f.group.is_none() {
                // A record is counted once however many rules it breaks.
                let key = match &f.record_id {
                    Some(id) => (row.schema_name.clone().unwrap_or_default(), id.clone(), String::new(), 0),
                    None => (String::new(), String::new(), name.to_string(), index),
                };
                if records.insert(key) {
                    out.records += 1;
                    out.tally.record_seen(true);
                }
            }
            made.push((order(program, rule, &f), f));
        }
        if let Some(first) = duplicates.first() {
            out.diagnostics.push(duplicate_rows(file, first, duplicates.len()));
        }
    }
    let named: std::collections::HashSet<&str> = made
        .iter()
        .map(|(_, f)| f.rule_id())
        .chain(unnamed.keys().filter_map(|&i| program.rules.get(i).map(|r| r.id.as_str())))
        .collect();
    out.diagnostics.extend(not_run(program, &named, authority.is_some()));
    for (&i, &count) in &unnamed {
        if let Some(rule) = program.rules.get(i) {
            out.diagnostics.push(finding::unnamed_period_warning(rule, count));
        }
    }
    made.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, mut f) in made {
        let texts = (consumer.prepare)(&mut f);
        out.count(&f);
        (consumer.take)(f, texts);
    }
    crate::diagnostics::sort(&mut out.diagnostics);
    out
}

/// Where a finding comes in the reports: findings about records first, by schema (in the
/// policies' order), record id and rule (in the policies' order) and field; then those about
/// groups and cases, by rule, key and missing period. The rows' own order breaks no tie but
/// between findings that are otherwise alike.
type Order = (u8, usize, String, usize, String, String, usize);

fn order(program: &Program, rule: usize, f: &Finding) -> Order {
    let id = f.record_id.clone().unwrap_or_default();
    let missing = f.evidence.iter().flat_map(|e| e.facts.iter()).find(|(k, _)| *k == "missing");
    let missing = missing.map(|(_, v)| v.clone()).unwrap_or_default();
    match f.group {
        None => {
            let schema = program.rules.get(rule).map_or(usize::MAX, |r| r.schema);
            (0, schema, id, rule, f.field.clone(), String::new(), f.record_index)
        }
        Some(_) => (1, rule, id, 0, missing, String::new(), f.record_index),
    }
}

/// `precept::findings::duplicate-row` for `file`, whose `count` rows (the first `first`) repeat
/// findings read already.
fn duplicate_rows(file: &SourceFile, first: &rows::Row, count: usize) -> Diag {
    Diag::warning(
        DUPLICATE_ROW,
        format!(
            "{count} row{} of `{}` (the first at line {}) repeat{} a finding read already, and {} left out",
            if count == 1 { "" } else { "s" },
            file.name,
            first.line,
            if count == 1 { "s" } else { "" },
            if count == 1 { "is" } else { "are" }
        ),
    )
    .at(file, first.span, "read already")
    .help("export each finding once: a findings history holds a run's rows each time it is appended; select one run (`WHERE found_at = ...`)")
}

/// The code of a rule the rows cannot hold findings of: `--engine duckdb`'s, and as there, the
/// run's exit status is then never 0.
pub const NOT_RUN: &str = "precept::engine::not-run";

/// `precept::engine::not-run` for each rule that runs but that `precept sql` leaves out of the
/// SQL of some dialect, when no row names it (a row shows the SQL the rows came from did run
/// it). Which dialect wrote the rows is not known, so a rule left out of any one is named.
/// `roles`: role files were given, so the SQL is taken to have been written with them too
/// (`precept sql --roles`), and questions about roles to have compiled where they can.
fn not_run(program: &Program, named: &std::collections::HashSet<&str>, roles: bool) -> Vec<Diag> {
    use crate::sql::{calendar::Range, compile_rules, Dialect, Options};
    // What is left out does not depend on the days of the calendar table.
    let day = jiff::civil::date(2000, 1, 1);
    let mut left: std::collections::BTreeMap<usize, (String, Vec<&str>)> = std::collections::BTreeMap::new();
    let dialects = [Dialect::DuckDb, Dialect::Postgres, Dialect::Spark];
    for dialect in dialects {
        let options = Options { dialect, range: Range { from: day, until: day } };
        let rules = compile_rules(program, &options, &[], (crate::sql::lookup::Lookup::Table, roles));
        for (i, what) in rules.left_out {
            left.entry(i).or_insert_with(|| (what, Vec::new())).1.push(dialect.name());
        }
    }
    left.into_iter()
        .filter_map(|(i, (what, by))| {
            let rule = program.rules.get(i)?;
            if named.contains(rule.id.as_str()) {
                return None;
            }
            let of = if by.len() == dialects.len() { String::new() } else { format!(" of {}", by.join(" and ")) };
            Some(
                Diag::warning(
                    NOT_RUN,
                    format!("rule `{}` was not run: {what} does not compile to the SQL{of} yet, so the rows hold no findings of it", rule.id),
                )
                .at(&rule.file, rule.id_span, "not in the SQL")
                .help("check this rule's records with `precept check` (the native engine); docs/warehouse.md lists what compiles to SQL"),
            )
        })
        .collect()
}
