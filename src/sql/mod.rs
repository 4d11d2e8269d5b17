//! `precept sql`'s compiler: a checked program's rules as SQL that returns their findings as rows,
//! for running in a warehouse over one table per schema (docs/warehouse.md).
//!
//! [`compile`] writes, for one [`Dialect`]: the calendar table the rules count business days in
//! ([`calendar`]), then one view, `precept_findings`, that unions one `SELECT` per rule. Each
//! `SELECT` reads its schema's table ([`tables`] fixes the mapping), keeps the records the rule
//! applies to (its `where` true, its version in force on the record's day) and breaks (some
//! `require` not true), and gives the finding's rule, code, record, requirement, blamed field and
//! message values. [`expr`] compiles the expressions.
//!
//! A rule with a construct that does not compile is left out, with a `precept::sql::unsupported`
//! warning naming the rule and the construct: never compiled in part, never dropped in silence.
//! Pure: no files, no command line.

pub mod calendar;
pub mod case;
pub mod dialect;
pub mod expr;
pub mod group;
pub mod load;
pub mod lookup;
pub mod message;
pub mod quotient;
pub mod roles;
pub mod tables;

use std::collections::{BTreeMap, BTreeSet};

pub use dialect::Dialect;
use expr::{Compiler, Unsupported};

use crate::diagnostics::Diag;
use crate::engine::program::{CompiledRule, MsgPart, SchemaInfo};
use crate::engine::types::Ty;
use crate::engine::Program;

/// The columns of `precept_findings`, in order.
pub const FINDING_COLUMNS: [&str; 11] = [
    "rule_id",
    "code",
    "level",
    "severity",
    "schema_name",
    "record_id",
    "requirement",
    "field",
    "message",
    "message_values",
    "group_key",
];

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The dialect.
    pub dialect: Dialect,
    /// The days the calendar table covers.
    pub range: calendar::Range,
}

/// The SQL for a program, and what could not be compiled.
#[derive(Debug, Clone)]
pub struct Sql {
    /// The SQL script: the calendar table, then the findings view.
    pub text: String,
    /// One `precept::sql::unsupported` warning per rule left out.
    pub diagnostics: Vec<Diag>,
    /// The ids of the rules compiled (one per version), in order.
    pub compiled: Vec<String>,
}

/// One rule's `SELECT`, and the calendars it reads.
pub(crate) struct RuleSql {
    pub(crate) select: String,
    pub(crate) calendars: BTreeSet<usize>,
}

/// Compile every rule that runs to SQL in `options.dialect`.
pub fn compile(program: &Program, options: &Options) -> Sql {
    compile_with_roles(program, options, None)
}

/// [`compile`], with the role files' tables written after the calendar table when `org` is given
/// (`precept sql --roles DIR`), so that questions about staff and roles compile against them.
pub fn compile_with_roles(program: &Program, options: &Options, org: Option<&crate::roles::Org>) -> Sql {
    let d = options.dialect;
    let running = program.running();
    let mut selects = Vec::new();
    let mut calendars = BTreeSet::new();
    let mut schemas = BTreeSet::new();
    let mut diagnostics = Vec::new();
    let mut compiled = Vec::new();
    // Each compiled rule's schema, id and `SELECT`, for the offset columns it reads.
    let mut read = Vec::new();
    // The tables of Precept's own `role` and `staff` schemas, filled from the role files.
    let builtin: BTreeMap<usize, Result<String, String>> = match org {
        Some(org) => (0..program.schemas.len())
            .filter(|s| program.schemas.get(*s).is_some_and(|i| i.builtin))
            .map(|s| (s, roles::builtin_table(program, s, org, d)))
            .collect(),
        None => BTreeMap::new(),
    };
    for (i, rule) in program.rules.iter().enumerate() {
        if !running.contains(&i) {
            continue;
        }
        if let Some(Err(what)) = builtin.get(&rule.schema) {
            diagnostics.push(unsupported(rule, what));
            continue;
        }
        match compile_rule(program, rule, (d, lookup::Lookup::Table), &[], org.is_some()) {
            Ok(r) => {
                read.push((rule.schema, rule.id.clone(), r.select.clone()));
                selects.push(r.select);
                calendars.extend(r.calendars);
                schemas.insert(rule.schema);
                // A case rule reads the tables of the schemas its events come from too
                // (`closes on case_event ...`): each is an expected table of the script.
                let events = rule.group.as_ref().and_then(|g| g.sequence.as_ref()).map(|q| q.events.as_slice());
                schemas.extend(events.unwrap_or_default().iter().map(|e| e.schema));
                compiled.push(rule.id.clone());
            }
            Err(Unsupported(what)) => diagnostics.push(unsupported(rule, &what)),
        }
    }
    let mut text = format!(
        "-- Precept's findings as SQL ({} dialect), written by `precept sql`; see docs/warehouse.md.\n\
         -- Reads one table per schema; the view precept_findings gives one row per finding.\n",
        d.name()
    );
    if d == Dialect::Spark {
        // Spark reads and shows `TIMESTAMP`s in the session's zone, and outside ANSI mode wraps an
        // integer overflow and turns a decimal one into NULL: the engine does neither.
        text.push_str("SET TIME ZONE 'UTC';\nSET spark.sql.ansi.enabled=true;\n");
    }
    for s in schemas.iter().filter(|s| !builtin.contains_key(s)) {
        text.push_str("--\n-- Expected table:\n");
        for line in tables::create_table(program, *s, d).unwrap_or_default().lines() {
            text.push_str(&format!("--   {line}\n"));
        }
        text.push_str(&offsets_read(program, *s, d, &read));
    }
    text.push('\n');
    text.push_str(&calendar::create(d));
    text.push_str(&calendar_rows(program, &calendars, options));
    text.push_str(&calendar::analyze(d));
    text.push_str(&lookup::script(d));
    if d == Dialect::Postgres {
        text.push_str(&expr::over_field::pg_script(&selects.concat()));
    }
    if let Some(org) = org {
        text.push('\n');
        text.push_str(&roles::script(org, d));
        for s in &schemas {
            if let Some(Ok(table)) = builtin.get(s) {
                text.push_str(table);
            }
        }
    }
    text.push('\n');
    text.push_str(&format!("CREATE VIEW {} AS\n", d.ident("precept_findings")));
    if selects.is_empty() {
        text.push_str(&empty_select(d));
    } else {
        text.push_str(&selects.join("\nUNION ALL\n"));
    }
    text.push_str(";\n");
    Sql { text, diagnostics, compiled }
}

/// Comments after schema `schema`'s expected table naming which of its offset columns
/// ([`tables::offset_column`]) the compiled rules read (`read`: each rule's schema, id and
/// `SELECT`), and by which rules: only those need filling; the others may be left out of the table.
/// Nothing for a schema with no datetime.
fn offsets_read(program: &Program, schema: usize, d: Dialect, read: &[(usize, String, String)]) -> String {
    // Each offset as the comment names it, and the texts a `SELECT` reading it contains: a column's
    // name, or a list's column and its objects' field (a struct field is read by its name as
    // text in DuckDB, as a name in Spark).
    let mut offsets: Vec<(String, Vec<String>)> = tables::columns(program, schema, d)
        .into_iter()
        .filter(|c| c.offset)
        .map(|c| (d.ident(&c.name), vec![d.ident(&c.name)]))
        .collect();
    for (list, field) in tables::list_offsets(program, schema) {
        let named = format!("{} of the objects in {}", d.ident(&field), d.ident(&list));
        offsets.push((named, vec![d.ident(&list), d.text(&field), d.ident(&field)]));
    }
    if offsets.is_empty() {
        return String::new();
    }
    let mut lines = Vec::new();
    for (named, texts) in &offsets {
        let reads = |select: &str| match texts.as_slice() {
            [column] => select.contains(column.as_str()),
            [list, quoted, ident] => {
                select.contains(list.as_str())
                    && (select.contains(quoted.as_str()) || select.contains(&format!(".{ident}")))
            }
            _ => false,
        };
        let mut rules: Vec<&str> = Vec::new();
        // A rule of another schema reads this one's table too when its cases close (or open) on
        // this schema's records, offsets with them (a deadline in months).
        let table = program.schemas.get(schema).map(|i| format!("FROM {} AS", d.ident(&i.name)));
        let of_here =
            |s: usize, select: &str| s == schema || table.as_ref().is_some_and(|t| select.contains(t.as_str()));
        for (_, id, _) in read.iter().filter(|(s, _, select)| of_here(*s, select) && reads(select)) {
            if !rules.contains(&id.as_str()) {
                rules.push(id);
            }
        }
        if !rules.is_empty() {
            lines.push(format!("--   {named} is read by {}.\n", rules.join(", ")));
        }
    }
    if lines.is_empty() {
        return "--   No rule here reads an offset column: they may be left out.\n".into();
    }
    format!("--   Offsets read (the offset columns not named may be left out):\n{}", lines.concat())
}

/// The rows of the calendar table for `calendars`, each after a comment naming its zone.
fn calendar_rows(program: &Program, calendars: &BTreeSet<usize>, options: &Options) -> String {
    let mut text = String::new();
    for c in calendars {
        let Some(cal) = program.calendars.get(*c) else { continue };
        let zone = cal.zone().iana_name().unwrap_or("a fixed offset");
        text.push_str(&format!("-- Calendar {c}: {zone}, {} to {}.\n", options.range.from, options.range.until));
        text.push_str(&calendar::rows(options.dialect, *c, cal, options.range));
    }
    text
}

/// The rules one by one, for an engine that runs them itself (`precept check --engine duckdb`)
/// rather than a script for a warehouse: the calendars it reads, and each compiled rule's `SELECT`
/// by its index in [`Program::rules`], with the record table's `carry` columns passed through
/// unchanged (where the record is: its file and row).
#[derive(Debug, Clone)]
pub struct Rules {
    /// The calendars the rules read (indexes into [`Program::calendars`]), whose days the
    /// calendar table must hold ([`calendar::days`]).
    pub calendars: BTreeSet<usize>,
    /// Each compiled rule over single records (one per version): its index in
    /// [`Program::rules`], and its `SELECT`, whose columns are [`FINDING_COLUMNS`] then the
    /// carried ones.
    pub selects: Vec<(usize, String)>,
    /// Each compiled rule over groups of records: its index, and its `SELECT`, whose columns are
    /// [`FINDING_COLUMNS`] then those that place its findings (`precept_key`,
    /// `precept_sort_0, ...`, `precept_period`: see [`group`]).
    pub groups: Vec<(usize, String)>,
    /// Each running rule left out: its index, and the construct that does not compile.
    pub left_out: Vec<(usize, String)>,
}

/// Compile every running rule on its own, as [`compile`] does, carrying the `carry` columns of
/// each record table into its findings, with calendar lookups read as `lookup` says, and with
/// questions about roles compiled against the role tables when `roles` (`--roles`).
pub fn compile_rules(
    program: &Program,
    options: &Options,
    carry: &[&str],
    (lookup, roles): (lookup::Lookup, bool),
) -> Rules {
    let running = program.running();
    let mut calendars = BTreeSet::new();
    let mut selects = Vec::new();
    let mut groups = Vec::new();
    let mut left_out = Vec::new();
    for (i, rule) in program.rules.iter().enumerate() {
        if !running.contains(&i) {
            continue;
        }
        match compile_rule(program, rule, (options.dialect, lookup), carry, roles) {
            Ok(r) => {
                calendars.extend(r.calendars);
                if rule.group.is_some() {
                    groups.push((i, r.select));
                } else {
                    selects.push((i, r.select));
                }
            }
            Err(Unsupported(what)) => left_out.push((i, what)),
        }
    }
    Rules { calendars, selects, groups, left_out }
}

/// The joins a query over records needs for what `parts` (its SQL) read as columns of a joined
/// row: the role maps in Spark ([`roles::join`]), and the calendar lists read inside a Spark
/// lambda ([`lookup::join`]; only Spark's lambdas read them so, and only Spark's quoting is what
/// it reads past).
pub(crate) fn joins(d: Dialect, roles: bool, parts: &[&str]) -> String {
    let calendars = if d == Dialect::Spark { lookup::join(parts) } else { String::new() };
    format!("{}{calendars}", roles::join(d, roles, parts))
}

/// What a rule that asks about roles is left out for when no role files are given.
pub(crate) const NO_ROLES: &str = "a question about staff and roles (without `--roles`)";

/// What a rule that uses `now` is left out for when no evaluation time is given.
pub(crate) const NO_AS_OF: &str = "`now` (without `--as-of`)";

/// What a rule over Precept's own `role` or `staff` schema is left out for without role files.
const NO_ROLE_RECORDS: &str = "a rule over the role files' roles or staff (without `--roles`)";

/// `precept::sql::unsupported` for a rule left out because of `what`.
fn unsupported(rule: &CompiledRule, what: &str) -> Diag {
    let d = Diag::warning(
        "precept::sql::unsupported",
        format!("rule `{}` is left out of the SQL: {what} does not compile to SQL yet", rule.id),
    )
    .at(&rule.file, rule.id_span, "this rule");
    if what == NO_ROLES || what == NO_ROLE_RECORDS {
        d.help("pass the role files with `--roles DIR` (as to `precept check`): their tables are then written with the SQL, and the question compiles against them")
    } else if what == NO_AS_OF {
        d.help("give the evaluation time with `--as-of` (as to `precept check`): `now` is then that time, written into the SQL")
    } else {
        d.help("check this rule with `precept check`; docs/warehouse.md lists what compiles to SQL")
    }
}

/// A findings view with no rows, of the right columns.
fn empty_select(d: Dialect) -> String {
    use dialect::SqlType;
    let text = d.ty(SqlType::Text);
    let cols: Vec<String> = FINDING_COLUMNS
        .iter()
        .map(|c| match *c {
            "requirement" => format!("CAST(NULL AS BIGINT) AS {c}"),
            "message_values" => format!("{} AS {c}", d.text_list(&[])),
            _ => format!("CAST(NULL AS {text}) AS {c}"),
        })
        .collect();
    format!("SELECT {} WHERE 1 = 0", cols.join(", "))
}

/// `carry`: columns of the record table passed through after [`FINDING_COLUMNS`] (what
/// `precept check --engine duckdb` needs to place a finding); a rule over groups carries none,
/// and gives instead the columns its findings are placed by ([`group::compile`]'s `placed`).
/// `roles`: the role tables are written too (`--roles`).
fn compile_rule(
    program: &Program,
    rule: &CompiledRule,
    (d, lookup): (Dialect, lookup::Lookup),
    carry: &[&str],
    roles: bool,
) -> Result<RuleSql, Unsupported> {
    if rule.uses_roles && !roles {
        return Err(Unsupported(NO_ROLES.into()));
    }
    if rule.uses_now && program.evaluation.is_none() {
        return Err(Unsupported(NO_AS_OF.into()));
    }
    let Some(info) = program.schemas.get(rule.schema) else {
        return Err(Unsupported("a rule of no schema".into()));
    };
    if info.builtin && !roles {
        return Err(Unsupported(NO_ROLE_RECORDS.into()));
    }
    // `check --engine duckdb` has no views of the role files: the native engine checks them.
    if info.builtin && !carry.is_empty() {
        return Err(Unsupported("a rule over the role files' roles or staff, in `check --engine duckdb`".into()));
    }
    if let Some(spec) = &rule.group {
        if let Some(seq) = &spec.sequence {
            return case::compile(program, rule, spec, seq, info, d, (roles, !carry.is_empty()));
        }
        return group::compile(program, rule, spec, info, (d, lookup), !carry.is_empty(), roles);
    }
    let mut c = Compiler::new(program, d, info.shape);
    c.roles = roles;
    c.lookup = lookup;
    c.written_in_messages = program.calendar_of(rule).is_none();
    let mut filter = scope(&mut c, rule, info)?;
    let mut holds = Vec::new();
    let mut which = Vec::new();
    let mut blame = Vec::new();
    for (k, r) in rule.requires.iter().enumerate() {
        let t = d.is_true(&c.expr(r, None)?);
        which.push(format!("WHEN NOT {t} THEN {}", k + 1));
        blame.push(format!("WHEN NOT {t} THEN {}", c.blame_requirement(r)?));
        holds.push(t);
    }
    if holds.is_empty() {
        return Err(Unsupported("a rule with no `require`".into()));
    }
    filter.push(format!("NOT ({})", holds.join(" AND ")));
    let (template, values) = message(&mut c, rule)?;
    let record_id = match info.id_field {
        Some(slot) => {
            let Ok(slot) = u16::try_from(slot) else {
                return Err(Unsupported("a field the schema does not have".into()));
            };
            let (col, _, ty) = c.field(&[slot])?;
            let text = match tables::scalar(&ty) {
                Some(st) => d.to_text(&col, st),
                None => return Err(Unsupported("a record id that is not a single value".into())),
            };
            // A redacted id is its hash, as `check` shows it ([`crate::data::record_id`]), for the
            // types whose SQL text is `check`'s text of them.
            match (info.id_redacted, &ty) {
                (false, _) => text,
                (true, Ty::Text | Ty::Enum(_) | Ty::Int | Ty::Bool | Ty::Date) => d.redacted(&text),
                (true, _) => {
                    return Err(Unsupported(
                        "a redacted record id that is not text, a whole number, a boolean or a date".into(),
                    ))
                }
            }
        }
        None => format!("CAST(NULL AS {})", d.ty(dialect::SqlType::Text)),
    };
    let mut carried: String = carry.iter().map(|c| format!(",\n  r.{0} AS {0}", d.ident(c))).collect();
    // For `check --engine duckdb`, which shows a value with no answer as the native engine does
    // (`(no answer: division by zero)`): why each value has none, NULL where it has one.
    if !carry.is_empty() {
        let whys = no_answer_whys(&mut c, rule)?;
        carried.push_str(&format!(",\n  {} AS precept_why", d.text_list(&whys)));
    }
    let (which, blame, values, filter) =
        (which.join(" "), blame.join(" "), d.text_list(&values), filter.join("\n  AND "));
    let roles_join = joins(d, roles, &[&which, &blame, &values, &filter]);
    let select = format!(
        "SELECT\n{}  {record_id} AS record_id,\n  CAST(CASE {which} END AS BIGINT) AS requirement,\n  COALESCE(CASE {blame} END, '') AS field,\n  {} AS message,\n  {values} AS message_values,\n  CAST(NULL AS {}) AS group_key{carried}\nFROM {} AS r{roles_join}\nWHERE {filter}",
        identity(program, rule, info, d),
        d.text(&template),
        d.ty(dialect::SqlType::Text),
        d.ident(&info.name),
    );
    Ok(RuleSql { select, calendars: c.calendars })
}

/// The first columns of a rule's findings (`rule_id` to `schema_name`), one a line, each ending
/// with a comma.
pub(crate) fn identity(program: &Program, rule: &CompiledRule, info: &SchemaInfo, d: Dialect) -> String {
    let code = program.codes.get(rule.code);
    format!(
        "  {} AS rule_id,\n  {} AS code,\n  {} AS level,\n  {} AS severity,\n  {} AS schema_name,\n",
        d.text(&rule.id),
        d.text(code.map_or("", |c| c.name.as_str())),
        d.text(code.map_or("", |c| c.level.as_str())),
        d.text(rule.severity.as_str()),
        d.text(&info.name),
    )
}

/// A rule's message as a template (`{0}`, `{1}`, ... for its values, literal braces doubled) and
/// the SQL text of each value, in order.
pub(crate) fn message(c: &mut Compiler<'_>, rule: &CompiledRule) -> Result<(String, Vec<String>), Unsupported> {
    let mut template = String::new();
    let mut values = Vec::new();
    for part in &rule.message {
        match (part, c.message_value(part)?) {
            (MsgPart::Text(t), _) => template.push_str(&t.replace('{', "{{").replace('}', "}}")),
            (_, Some(v)) => {
                template.push_str(&format!("{{{}}}", values.len()));
                values.push(v);
            }
            (_, None) => {}
        }
    }
    Ok((template, values))
}

/// The computation of each value of `rule`'s message, in the order of [`message`]'s; `None` for
/// a redacted one (whose hash is of what the SQL has).
pub(crate) fn shown_values(rule: &CompiledRule) -> impl Iterator<Item = Option<&crate::engine::program::CExpr>> {
    rule.message.iter().filter_map(|part| match part {
        MsgPart::Text(_) => None,
        MsgPart::Redacted(..) => Some(None),
        MsgPart::Hole(e, _) | MsgPart::Percent(e) | MsgPart::Period(e, _) => Some(Some(e)),
    })
}

/// For each value of `rule`'s message, in the order of [`message`]'s: why it has no answer (the
/// engine's words, `division by zero`), NULL where it has one or is a redacted value (whose hash
/// already says so).
fn no_answer_whys(c: &mut Compiler<'_>, rule: &CompiledRule) -> Result<Vec<String>, Unsupported> {
    let text = c.dialect.ty(dialect::SqlType::Text);
    let mut out = Vec::new();
    for e in shown_values(rule) {
        out.push(match e {
            Some(e) => c.no_answer_why(e)?.unwrap_or_else(|| format!("CAST(NULL AS {text})")),
            None => format!("CAST(NULL AS {text})"),
        });
    }
    Ok(out)
}

/// The conditions that keep the records `rule` judges: its `where` true, and its version in force
/// on the record's local day (an undated record is judged only by rules in force on every day).
pub(crate) fn scope(c: &mut Compiler<'_>, rule: &CompiledRule, info: &SchemaInfo) -> Result<Vec<String>, Unsupported> {
    let d = c.dialect;
    let mut filter = Vec::new();
    if let Some(f) = &rule.filter {
        filter.push(d.is_true(&c.expr(f, None)?));
    }
    // The version in force on the record's day; an undated record is judged only by rules in force
    // on every day.
    if rule.in_force.is_some() || !rule.suspended.is_empty() {
        let Some(slot) = info.date_field else {
            return Err(Unsupported("effective dates of a schema with no `dated by`".into()));
        };
        let day = c.record_day(slot, rule.calendar)?;
        let within = |(from, until): (Option<jiff::civil::Date>, Option<jiff::civil::Date>)| {
            let mut parts = Vec::new();
            if let Some(f) = from {
                parts.push(format!("{day} >= DATE '{f}'"));
            }
            if let Some(u) = until {
                parts.push(format!("{day} <= DATE '{u}'"));
            }
            if parts.is_empty() {
                format!("{day} IS NOT NULL")
            } else {
                format!("({})", parts.join(" AND "))
            }
        };
        if let Some(r) = rule.in_force {
            filter.push(d.is_true(&within(r)));
        } else {
            filter.push(format!("({day} IS NOT NULL)"));
        }
        for s in &rule.suspended {
            filter.push(format!("NOT {}", d.is_true(&within(*s))));
        }
    }
    Ok(filter)
}
