//! The role files as tables (`precept sql --roles DIR`), and the questions about staff and roles
//! (`role_of`, `may`, `outranks`, `qualified`, `qualified_for`) compiled against them.
//!
//! The rows are computed here from the same model the engine's [`crate::roles::authority`] reads,
//! so that every rule the engine applies while answering (a day outside someone's employment holds
//! no role; of two overlapping assignments the later-starting one counts; a duplicated id counts
//! once, by its first entry; an escalation cycle ends a path where it would repeat) is settled once,
//! in Rust, and the SQL only looks rows up. Each question is then one correlated subquery (in
//! Spark, map lookups in one row made from the same tables: see [`LISTS`]) whose answer is the
//! engine's, value for value, including unknowns: a question about a missing staff member, action,
//! qualification, area or day is unknown; a missing `may` amount asks only whether the action is
//! allowed. docs/warehouse.md describes the tables.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::dialect::{Dialect, SqlType};
use super::expr::{first_path, Compiler, Unsupported};
use crate::engine::program::{CExpr, ScopeFn};
use crate::engine::types::Ty;
use crate::roles::ladder::Ladder;
use crate::roles::model::{Limit, LimitKind, Org, Staff};

/// The tables, in the order the script creates them.
pub const TABLES: [&str; 8] = [
    "precept_staff",
    "precept_role",
    "precept_assignment",
    "precept_action",
    "precept_role_limit",
    "precept_escalation",
    "precept_qualification",
    "precept_area_requirement",
];

/// Rows of one table, each a list of SQL literals.
type Rows = Vec<Vec<String>>;

/// The `CREATE TABLE`s and `INSERT`s of every role table for `org`, in a deterministic order (the
/// role files' order, which the loader fixes).
pub fn script(org: &Org, d: Dialect) -> String {
    let t = |ty| d.ty(ty);
    let (text, date, dec, int, boolean) =
        (t(SqlType::Text), t(SqlType::Date), t(SqlType::Decimal), t(SqlType::Int), t(SqlType::Bool));
    let columns: [(&str, Vec<String>); 8] = [
        (
            "precept_staff",
            vec![
                format!("staff_id {text} NOT NULL"),
                format!("name {text} NOT NULL"),
                format!("team {text}"),
                format!("employed_from {date} NOT NULL"),
                format!("employed_until {date}"),
            ],
        ),
        (
            "precept_role",
            vec![
                format!("role_id {text} NOT NULL"),
                format!("title {text} NOT NULL"),
                format!("department {text}"),
                format!("escalates_to {text}"),
                format!("top {boolean} NOT NULL"),
            ],
        ),
        (
            "precept_assignment",
            vec![
                format!("staff_id {text} NOT NULL"),
                format!("role_id {text} NOT NULL"),
                format!("from_day {date} NOT NULL"),
                format!("until_day {date}"),
            ],
        ),
        ("precept_action", vec![format!("action {text} NOT NULL"), format!("limit_kind {text} NOT NULL")]),
        (
            "precept_role_limit",
            vec![
                format!("role_id {text} NOT NULL"),
                format!("action {text} NOT NULL"),
                format!("limit_kind {text} NOT NULL"),
                format!("limit_number {dec}"),
                format!("currency {text}"),
                format!("limit_micros {int}"),
            ],
        ),
        (
            "precept_escalation",
            vec![
                format!("role_id {text} NOT NULL"),
                format!("step {int} NOT NULL"),
                format!("senior_id {text} NOT NULL"),
            ],
        ),
        (
            "precept_qualification",
            vec![
                format!("staff_id {text} NOT NULL"),
                format!("qualification {text} NOT NULL"),
                format!("issued {date} NOT NULL"),
                format!("expires {date}"),
            ],
        ),
        ("precept_area_requirement", vec![format!("area {text} NOT NULL"), format!("qualification {text}")]),
    ];
    let rows = rows(org, d);
    let mut out =
        String::from("-- The role files as tables (`--roles`): see docs/warehouse.md, \"Staff and roles\".\n");
    for ((name, cols), rows) in columns.iter().zip(rows) {
        out.push_str(&format!("CREATE TABLE {} (\n  {}\n);\n", d.ident(name), cols.join(",\n  ")));
        for chunk in rows.chunks(500) {
            let values: Vec<String> = chunk.iter().map(|r| format!("({})", r.join(", "))).collect();
            out.push_str(&format!("INSERT INTO {} VALUES\n  {};\n", d.ident(name), values.join(",\n  ")));
        }
    }
    out.push_str(&indexes(d));
    if d == Dialect::Spark {
        out.push_str(&lists());
    }
    out
}

/// In Spark, the role tables as one row of maps (written by the script after the tables), which
/// every question reads.
pub const LISTS: &str = "precept_role_lists";

/// The alias [`LISTS`] is cross-joined as into a rule's query ([`join`]); its columns are read as
/// `precept_roles.assignments` and so on.
const ALIAS: &str = "precept_roles";

/// `CREATE TABLE` of [`LISTS`] from the filled role tables, in Spark.
///
/// Spark cannot answer a question as the other dialects do, with a correlated subquery over the
/// role tables: it cannot put a subquery inside the higher-order functions (`exists`, `forall`)
/// that read lists of objects, where the bundled questions are asked (one per action of a service
/// record), nor correlate from a subquery nested in another. So, as the calendar is read from
/// `precept_calendar_lists` ([`super::lookup`]), the role tables are gathered into one row of maps,
/// cross-joined into each query that asks about roles ([`join`]), and each question is a few map
/// lookups and higher-order functions over small arrays, with no subquery and no join per
/// question. The maps hold exactly the tables' rows (so the answers are those of the other
/// dialects' subqueries, which read the same rows), keyed by what those subqueries look rows up
/// by:
///
/// - `staff`: each `staff_id` of `precept_staff`, once (to `TRUE`);
/// - `assignments`: each member of staff's `precept_assignment` periods as structs `(from_day,
///   until_day, role_id)` sorted by `from_day` (the periods never overlap, so at most one holds a
///   day);
/// - `limits`: for each role, a map from each action it may take that is in `precept_action` to
///   its limit `(limit_kind, limit_number, currency, limit_micros)` (one row per role and action);
/// - `escalation`: for each role, the roles above it on its escalation path;
/// - `qualifications`: each member of staff's qualifications as `(qualification, issued, expires)`;
/// - `areas`: for each area, the qualifications it requires (empty for one that needs none).
///
/// Each map is made of rows grouped by its key, so no key comes twice (which `map_from_entries`
/// refuses), and an empty table gives an empty map.
fn lists() -> String {
    let d = Dialect::Spark;
    let t = |name: &str| d.ident(name);
    let map = |name: &str, key: &str, value: &str, from: &str| {
        format!("(SELECT map_from_entries(collect_list(struct({key}, {value}))) AS {name} FROM ({from}) AS m)")
    };
    let parts = [
        map("staff", "staff_id", "TRUE", &format!("SELECT DISTINCT staff_id FROM {}", t("precept_staff"))),
        map(
            "assignments",
            "staff_id",
            "held",
            &format!(
                "SELECT staff_id, array_sort(collect_list(struct(from_day, until_day, role_id))) AS held FROM {} GROUP BY staff_id",
                t("precept_assignment")
            ),
        ),
        map(
            "limits",
            "role_id",
            "actions",
            &format!(
                "SELECT g.role_id, map_from_entries(collect_list(struct(g.action, named_struct('limit_kind', g.limit_kind, 'limit_number', g.limit_number, 'currency', g.currency, 'limit_micros', g.limit_micros)))) AS actions FROM {} AS g JOIN {} AS v ON v.action = g.action GROUP BY g.role_id",
                t("precept_role_limit"),
                t("precept_action")
            ),
        ),
        map(
            "escalation",
            "role_id",
            "seniors",
            &format!("SELECT role_id, collect_list(senior_id) AS seniors FROM {} GROUP BY role_id", t("precept_escalation")),
        ),
        map(
            "qualifications",
            "staff_id",
            "held",
            &format!(
                "SELECT staff_id, collect_list(struct(qualification, issued, expires)) AS held FROM {} GROUP BY staff_id",
                t("precept_qualification")
            ),
        ),
        // `collect_list` leaves out the NULL of an area that needs no qualification.
        map(
            "areas",
            "area",
            "needs",
            &format!("SELECT area, collect_list(qualification) AS needs FROM {} GROUP BY area", t("precept_area_requirement")),
        ),
    ];
    let joined: Vec<String> = parts.iter().enumerate().map(|(k, p)| format!("{p} AS m{k}")).collect();
    format!("CREATE TABLE {LISTS} AS SELECT * FROM {};\n", joined.join("\n  CROSS JOIN "))
}

/// What a query whose SQL is `parts` joins to its record table (`FROM t AS r{join}`): in Spark with
/// the role tables written (`roles`), when it reads [`ALIAS`], [`LISTS`] as [`ALIAS`]; nothing
/// otherwise, and nothing in the other dialects, whose questions are subqueries. (Text that only
/// looks like a read, in a literal or a column's name, joins the one row for nothing.)
pub(crate) fn join(d: Dialect, roles: bool, parts: &[&str]) -> String {
    let read = format!("{ALIAS}.");
    if d == Dialect::Spark && roles && parts.iter().any(|p| p.contains(&read)) {
        format!(" CROSS JOIN {LISTS} AS {ALIAS}")
    } else {
        String::new()
    }
}

/// Column `col` of [`LISTS`], as a query joined to it reads it.
fn list(col: &str) -> String {
    format!("{ALIAS}.{col}")
}

/// In Spark, the value of map column `col` of [`LISTS`] at `key` (NULL for a key it does not hold).
fn at(col: &str, key: &str) -> String {
    format!("element_at({}, {key})", list(col))
}

/// In Spark, assignment `h` (a struct of [`LISTS`]' `assignments`) holds its role on `day`.
fn spark_holding(h: &str, day: &str) -> String {
    format!("{h}.from_day <= {day} AND ({h}.until_day IS NULL OR {day} <= {h}.until_day)")
}

/// In Spark, whether `cond` holds for some element of the array `l` (each bound as `x`): false,
/// not unknown, for a missing array or when `cond` is unknown for all, as `EXISTS` answers.
fn spark_exists(l: &str, x: &str, cond: &str) -> String {
    format!("coalesce(exists({l}, {x} -> ({}) <=> TRUE), FALSE)", super::dialect::lambda(cond))
}

/// The columns each question looks a role table up by, as `(table, columns)`.
const LOOKUPS: [(&str, &str); 8] = [
    ("precept_staff", "staff_id"),
    ("precept_assignment", "staff_id, from_day"),
    ("precept_assignment", "role_id"),
    ("precept_action", "action"),
    ("precept_role_limit", "role_id, action"),
    ("precept_escalation", "role_id, senior_id"),
    ("precept_qualification", "staff_id, qualification"),
    ("precept_area_requirement", "area"),
];

/// In PostgreSQL, the indexes the questions' correlated subqueries probe, and `ANALYZE` of every
/// role table once its rows are in: without them each question reads whole tables, once per
/// record and rule, as the calendar table did (see [`super::calendar::analyze`]). DuckDB plans
/// these subqueries as joins instead, and Spark reads [`LISTS`].
fn indexes(d: Dialect) -> String {
    if d != Dialect::Postgres {
        return String::new();
    }
    let mut out = String::new();
    for (k, (table, cols)) in LOOKUPS.iter().enumerate() {
        out.push_str(&format!("CREATE INDEX {table}_{k} ON {} ({cols});\n", d.ident(table)));
    }
    for table in TABLES {
        out.push_str(&format!("ANALYZE {};\n", d.ident(table)));
    }
    out
}

fn date(d: Date) -> String {
    format!("DATE '{d}'")
}

fn opt_date(d: Option<Date>) -> String {
    d.map_or_else(|| "NULL".to_string(), date)
}

fn opt_text(d: Dialect, s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_string(), |s| d.text(s))
}

/// The largest magnitude `DECIMAL(38, 10)` holds.
const DECIMAL_MAX: &str = "9999999999999999999999999999.9999999999";

/// A limit as `DECIMAL(38, 10)`, rounded down at the tenth place: every amount SQL holds has at most
/// ten places, so `amount <= limit` is then exactly the engine's comparison. A limit beyond the
/// type's range is held at its end, which no amount the type holds passes (above) or reaches (below).
fn limit_decimal(n: Decimal) -> String {
    let bound = Decimal::from_i128_with_scale(10_000_000_000_000_000_000_000_000_000, 0);
    let held = if n >= bound {
        DECIMAL_MAX.to_string()
    } else if n <= -bound {
        format!("-{DECIMAL_MAX}")
    } else {
        n.round_dp_with_strategy(10, rust_decimal::RoundingStrategy::ToNegativeInfinity).normalize().to_string()
    };
    format!("CAST('{held}' AS DECIMAL(38, 10))")
}

/// The rows of each table of [`TABLES`], in order.
fn rows(org: &Org, d: Dialect) -> [Rows; 8] {
    // The first entry of an id is the one the engine reads, as its directory indexes them.
    let mut role_ix: HashMap<&str, usize> = HashMap::new();
    for (i, r) in org.roles.iter().enumerate() {
        role_ix.entry(r.id.id.as_str()).or_insert(i);
    }
    let first_role = |i: usize, id: &str| role_ix.get(id) == Some(&i);
    let mut seen_staff = BTreeSet::new();
    let staff: Vec<&Staff> = org.staff.iter().filter(|s| seen_staff.insert(s.id.id.as_str())).collect();

    // Every entry: the teams a presence rule expects are those of all of them, as in the engine.
    let staff_rows = org
        .staff
        .iter()
        .map(|s| {
            vec![
                d.text(&s.id.id),
                d.text(&s.name),
                opt_text(d, s.team.as_deref()),
                date(s.employed_from),
                opt_date(s.employed_until),
            ]
        })
        .collect();
    let role_rows = org
        .roles
        .iter()
        .enumerate()
        .filter(|(i, r)| first_role(*i, &r.id.id))
        .map(|(_, r)| {
            vec![
                d.text(&r.id.id),
                d.text(&r.title),
                opt_text(d, r.department.as_deref()),
                opt_text(d, r.escalates_to.as_ref().map(|e| e.id.as_str())),
                if r.top { "TRUE" } else { "FALSE" }.to_string(),
            ]
        })
        .collect();
    let assignment_rows = staff
        .iter()
        .flat_map(|s| holdings(s).into_iter().map(|(from, until, role)| (s.id.id.as_str(), from, until, role)))
        .map(|(s, from, until, role)| vec![d.text(s), d.text(role), date(from), opt_date(until)])
        .collect();
    // The engine keeps the vocabulary in a map: of two entries of an action, the last counts.
    let mut actions: BTreeMap<&str, LimitKind> = BTreeMap::new();
    for a in &org.actions {
        actions.insert(a.id.as_str(), a.kind);
    }
    let action_rows = actions.iter().map(|(a, k)| vec![d.text(a), d.text(k.as_str())]).collect();
    let mut limit_rows = Vec::new();
    for (_, r) in org.roles.iter().enumerate().filter(|(i, r)| first_role(*i, &r.id.id)) {
        let mut granted = BTreeSet::new();
        for g in &r.may {
            // The engine reads a role's first grant of an action.
            if !granted.insert(g.action.id.as_str()) {
                continue;
            }
            let (kind, number, currency, micros) = match g.limit {
                Limit::Allowed => ("allowed", None, None, None),
                Limit::Money(n, c) => ("money", Some(n), Some(c.to_string()), None),
                Limit::Percent(n) => ("percent", Some(n), None, None),
                Limit::Count(n) => ("count", Some(Decimal::from(n)), None, None),
                Limit::Duration(t) => ("duration", None, None, Some(floor_micros(t))),
            };
            limit_rows.push(vec![
                d.text(&r.id.id),
                d.text(&g.action.id),
                d.text(kind),
                number.map_or_else(|| "NULL".to_string(), limit_decimal),
                opt_text(d, currency.as_deref()),
                micros.map_or_else(|| "NULL".to_string(), |m| format!("CAST({m} AS BIGINT)")),
            ]);
        }
    }
    // Who is above whom, as the engine's ladder says: seniors by the first role of their id.
    let senior: Vec<Option<usize>> =
        org.roles.iter().map(|r| r.escalates_to.as_ref().and_then(|e| role_ix.get(e.id.as_str()).copied())).collect();
    let ladder = Ladder::new(senior);
    let mut escalation_rows = Vec::new();
    for (j, r) in org.roles.iter().enumerate().filter(|(j, r)| first_role(*j, &r.id.id)) {
        let above = ladder.path(j).filter(|&s| s != j && ladder.above(s, j));
        for (step, s) in above.enumerate() {
            let Some(senior) = org.roles.get(s) else { continue };
            escalation_rows.push(vec![d.text(&r.id.id), format!("{}", step + 1), d.text(&senior.id.id)]);
        }
    }
    let qualification_rows = staff
        .iter()
        .flat_map(|s| s.qualifications.iter().map(move |q| (s, q)))
        .map(|(s, q)| vec![d.text(&s.id.id), d.text(&q.id.id), date(q.issued), opt_date(q.expires)])
        .collect();
    // Areas too are a map in the engine: of two entries of an area, the last counts. An area that
    // needs no qualification has one row with none, so that it is known.
    let mut areas: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &org.areas {
        areas.insert(a.id.as_str(), a.requires.iter().map(|q| q.id.as_str()).collect());
    }
    let mut area_rows = Vec::new();
    for (area, needs) in &areas {
        if needs.is_empty() {
            area_rows.push(vec![d.text(area), "NULL".to_string()]);
        }
        for q in needs {
            area_rows.push(vec![d.text(area), d.text(q)]);
        }
    }
    [staff_rows, role_rows, assignment_rows, action_rows, limit_rows, escalation_rows, qualification_rows, area_rows]
}

/// A duration in whole microseconds, rounded down (an amount is whole microseconds, so `amount <=
/// limit` stays exact).
fn floor_micros(t: jiff::SignedDuration) -> i64 {
    let us = t.as_micros();
    let whole = i64::try_from(us).unwrap_or(if us < 0 { i64::MIN } else { i64::MAX });
    if t.subsec_nanos() < 0 && t.subsec_nanos() % 1000 != 0 {
        whole.saturating_sub(1)
    } else {
        whole
    }
}

/// The role `s` holds on `on`, as the engine's directory answers it: none outside employment; of
/// the assignments covering the day, the one that starts last (the later in the file of two that
/// start together).
fn held(s: &Staff, on: Date) -> Option<&str> {
    if on < s.employed_from || s.employed_until.is_some_and(|u| on > u) {
        return None;
    }
    let mut sorted: Vec<_> = s.roles.iter().collect();
    sorted.sort_by_key(|a| a.from);
    sorted.iter().rev().find(|a| a.from <= on && a.until.is_none_or(|u| on <= u)).map(|a| a.role.id.as_str())
}

/// The periods `s` holds each role, as [`held`] answers day by day: the answer changes only where
/// employment or an assignment starts or ends, so it is asked once per such day, and equal answers
/// that follow one another are one period. The periods never overlap; `None` ends one still held.
fn holdings(s: &Staff) -> Vec<(Date, Option<Date>, &str)> {
    let within = |d: Date| d >= s.employed_from && s.employed_until.is_none_or(|u| d <= u);
    let mut points = BTreeSet::new();
    points.insert(s.employed_from);
    for a in &s.roles {
        points.insert(a.from);
        if let Some(next) = a.until.and_then(|u| u.tomorrow().ok()) {
            points.insert(next);
        }
    }
    let points: Vec<Date> = points.into_iter().filter(|d| within(*d)).collect();
    let mut out: Vec<(Date, Option<Date>, &str)> = Vec::new();
    for (k, &start) in points.iter().enumerate() {
        let end = match points.get(k + 1) {
            Some(next) => next.yesterday().ok(),
            None => s.employed_until,
        };
        let Some(role) = held(s, start) else { continue };
        match out.last_mut() {
            Some(last) if last.2 == role && last.1.and_then(|u| u.tomorrow().ok()) == Some(start) => last.1 = end,
            _ => out.push((start, end, role)),
        }
    }
    out
}

/// The table of Precept's own `role` or `staff` schema (`schema`), created and filled with the
/// role files' roles or staff as the engine reads them as records (every entry, in the files'
/// order), for the rules over them (`for role`, `for staff`). `Err` names what cannot be written.
pub fn builtin_table(program: &crate::engine::Program, schema: usize, org: &Org, d: Dialect) -> Result<String, String> {
    let info = program.schemas.get(schema).ok_or("a schema the program does not have")?;
    let records: Vec<Box<[crate::engine::value::Value]>> = match info.name.as_str() {
        "role" => org.roles.iter().map(|r| crate::roles::records::role(program, info.shape, r)).collect(),
        "staff" => org.staff.iter().map(|s| crate::roles::records::staff(program, info.shape, s)).collect(),
        other => return Err(format!("Precept's own schema `{other}`")),
    };
    let create = super::tables::create_table(program, schema, d).ok_or("a table of no columns")?;
    let refs: Vec<&[crate::engine::value::Value]> = records.iter().map(|r| r.as_ref()).collect();
    let mut out =
        format!("-- The role files' {} as records of Precept's own `{}` schema.\n{create}", info.name, info.name);
    for chunk in refs.chunks(500) {
        let insert = super::load::insert(program, schema, chunk, d)
            .map_err(|e| format!("a value of the role files' `{}` records ({})", info.name, e.0))?;
        out.push_str(&insert);
    }
    Ok(out)
}

fn no<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

/// The SQL of a question's day: a date, or the day a datetime has at the offset it was written
/// with (its offset column), as the engine takes it, not its UTC day, which differs near
/// midnight (`2024-03-01T00:30:00+01:00` is asked about 1 March).
fn day_of(c: &mut Compiler<'_>, e: &CExpr) -> Result<String, Unsupported> {
    match c.ty_of(e) {
        Some(Ty::Date) => c.expr(e, None),
        Some(Ty::DateTime) => c.written_day(e),
        _ => no("a question about staff and roles on a day whose type cannot be told"),
    }
}

/// `h` holds its role on `day`, for the member of staff `staff`.
fn holding(h: &str, staff: &str, day: &str) -> String {
    format!("{h}.staff_id = {staff} AND {h}.from_day <= {day} AND ({h}.until_day IS NULL OR {day} <= {h}.until_day)")
}

/// The role `staff` held on `day` (NULL for none), as a scalar subquery (in Spark, the one
/// assignment holding the day, read from [`LISTS`]).
fn role_of(d: Dialect, staff: &str, day: &str) -> String {
    if d == Dialect::Spark {
        let held = format!(
            "filter({}, precept_h -> {})",
            at("assignments", staff),
            super::dialect::lambda(&spark_holding("precept_h", day))
        );
        return format!("get({held}, 0).role_id");
    }
    format!(
        "(SELECT MAX(precept_h.role_id) FROM {} precept_h WHERE {})",
        d.ident("precept_assignment"),
        holding("precept_h", staff, day)
    )
}

/// What kind of amount a `may` question compares with its action's limit.
enum AmountKind {
    Money(String),
    Number,
    Duration,
    /// Of no kind a limit takes: the question asks only whether the action is allowed.
    Other,
}

fn amount_kind(c: &Compiler<'_>, f: ScopeFn, e: &CExpr) -> Result<AmountKind, Unsupported> {
    use crate::engine::value::Value;
    if let ScopeFn::May { currency: Some(cur), .. } = f {
        return Ok(AmountKind::Money(cur.to_string()));
    }
    let ty = match e {
        CExpr::Const(Value::Int(_)) => Some(Ty::Int),
        CExpr::Const(Value::Dec(_)) | CExpr::ToDec(_) => Some(Ty::Dec),
        CExpr::Const(Value::Duration(_)) => Some(Ty::Duration),
        CExpr::Const(Value::Text(_)) | CExpr::Const(Value::Bool(_)) => Some(Ty::Text),
        _ => c.ty_of(e),
    };
    Ok(match ty {
        Some(Ty::Int | Ty::Dec) => AmountKind::Number,
        Some(Ty::Duration) => AmountKind::Duration,
        Some(Ty::Money(_)) => return no("a `may` amount in money of no known currency"),
        Some(_) => AmountKind::Other,
        None => return no("a `may` amount whose type cannot be told"),
    })
}

/// A question about staff and roles, against the role tables: unknown when an argument is missing
/// (except a `may` amount), else the engine's answer.
pub(crate) fn question(c: &mut Compiler<'_>, f: ScopeFn, args: &[CExpr]) -> Result<String, Unsupported> {
    if !c.roles {
        return no(super::NO_ROLES);
    }
    // A computation that divides, reads a count from the record or moves a date by a span or
    // months is told from missing ([`Compiler::no_answer`]: the question then has none, as in the
    // engine).
    let d = c.dialect;
    let t = |name: &str| d.ident(name);
    let (Some(first), Some(last)) = (args.first(), args.last()) else {
        return no("a question about staff and roles without its arguments");
    };
    let staff = c.expr(first, None)?;
    let day = day_of(c, last)?;
    let middle: Vec<&CExpr> = args.get(1..args.len() - 1).unwrap_or_default().iter().collect();
    let mut known = vec![staff.clone(), day.clone()];
    let answer = match (f, middle.as_slice()) {
        (ScopeFn::RoleOf, []) => role_of(d, &staff, &day),
        (ScopeFn::May { amount, .. }, [action, rest @ ..]) if rest.len() == usize::from(amount) => {
            let action = c.expr(action, None)?;
            known.push(action.clone());
            // The limit row: `g` in the subquery, a lambda's variable in Spark.
            let g = if d == Dialect::Spark { "precept_g" } else { "g" };
            let within = match rest.first() {
                None => String::new(),
                Some(n) => {
                    let kind = amount_kind(c, f, n)?;
                    let n = c.expr(n, None)?;
                    match kind {
                        AmountKind::Money(cur) => format!(
                            " AND ({n} IS NULL OR {g}.limit_kind <> 'money' OR ({g}.currency = {} AND {n} <= {g}.limit_number))",
                            d.text(&cur)
                        ),
                        AmountKind::Number => {
                            format!(" AND ({n} IS NULL OR {g}.limit_kind NOT IN ('percent', 'count') OR {n} <= {g}.limit_number)")
                        }
                        AmountKind::Duration => {
                            format!(" AND ({n} IS NULL OR {g}.limit_kind <> 'duration' OR {n} <= {g}.limit_micros)")
                        }
                        AmountKind::Other => String::new(),
                    }
                }
            };
            if d == Dialect::Spark {
                // The limit of the action for the role held that day, if it has one: a map lookup.
                let limit = format!("array(element_at({}, {action}))", at("limits", "precept_h.role_id"));
                spark_exists(
                    &at("assignments", &staff),
                    "precept_h",
                    &format!(
                        "{} AND {}",
                        spark_holding("precept_h", &day),
                        spark_exists(&limit, g, &format!("{g} IS NOT NULL{within}"))
                    ),
                )
            } else {
                format!(
                    "EXISTS (SELECT 1 FROM {} h JOIN {} g ON g.role_id = h.role_id JOIN {} v ON v.action = g.action WHERE {} AND g.action = {action}{within})",
                    t("precept_assignment"),
                    t("precept_role_limit"),
                    t("precept_action"),
                    holding("h", &staff, &day),
                )
            }
        }
        (ScopeFn::Outranks, [junior]) => {
            let junior = c.expr(junior, None)?;
            known.push(junior.clone());
            if d == Dialect::Spark {
                // The senior's role that day is on the path above the junior's.
                let above = format!("array_contains({}, precept_hs.role_id)", at("escalation", "precept_hj.role_id"));
                let junior_held = spark_exists(
                    &at("assignments", &junior),
                    "precept_hj",
                    &format!("{} AND {above}", spark_holding("precept_hj", &day)),
                );
                let senior_held = spark_exists(
                    &at("assignments", &staff),
                    "precept_hs",
                    &format!("{} AND {junior_held}", spark_holding("precept_hs", &day)),
                );
                format!("({staff} <> {junior} AND {senior_held})")
            } else {
                format!(
                "({staff} <> {junior} AND EXISTS (SELECT 1 FROM {a} hs JOIN {e} e ON e.senior_id = hs.role_id JOIN {a} hj ON hj.role_id = e.role_id WHERE {} AND {}))",
                holding("hs", &staff, &day),
                holding("hj", &junior, &day),
                a = t("precept_assignment"),
                e = t("precept_escalation"),
            )
            }
        }
        (ScopeFn::Qualified, [q]) => {
            let q = c.expr(q, None)?;
            known.push(q.clone());
            current(d, &staff, &q, &day)
        }
        (ScopeFn::QualifiedFor, [area]) => {
            let area = c.expr(area, None)?;
            known.push(area.clone());
            if d == Dialect::Spark {
                // Known staff, a known area, and every qualification it needs current.
                let needs = at("areas", &area);
                return Ok(known_answer(
                    &known,
                    &format!(
                        "({} IS NOT NULL AND {needs} IS NOT NULL AND forall({needs}, precept_aq -> {}))",
                        at("staff", &staff),
                        super::dialect::lambda(&current(d, &staff, "precept_aq", &day))
                    ),
                ));
            }
            let needs = t("precept_area_requirement");
            format!(
                "(EXISTS (SELECT 1 FROM {} st WHERE st.staff_id = {staff}) AND EXISTS (SELECT 1 FROM {needs} ar WHERE ar.area = {area}) AND NOT EXISTS (SELECT 1 FROM {needs} ar WHERE ar.area = {area} AND ar.qualification IS NOT NULL AND NOT {}))",
                t("precept_staff"),
                current(d, &staff, "ar.qualification", &day),
            )
        }
        _ => return no(format!("`{}` with other arguments than it takes", f.name())),
    };
    Ok(known_answer(&known, &answer))
}

/// `answer` where every argument in `known` is, else unknown.
fn known_answer(known: &[String], answer: &str) -> String {
    let known: Vec<String> = known.iter().map(|k| format!("{k} IS NOT NULL")).collect();
    format!("CASE WHEN {} THEN {answer} END", known.join(" AND "))
}

/// `staff` holds qualification `q`, current on `day`.
fn current(d: Dialect, staff: &str, q: &str, day: &str) -> String {
    if d == Dialect::Spark {
        return spark_exists(
            &at("qualifications", staff),
            "precept_q",
            &format!("precept_q.qualification = {q} AND precept_q.issued <= {day} AND (precept_q.expires IS NULL OR {day} <= precept_q.expires)"),
        );
    }
    format!(
        "EXISTS (SELECT 1 FROM {} q WHERE q.staff_id = {staff} AND q.qualification = {q} AND q.issued <= {day} AND (q.expires IS NULL OR {day} <= q.expires))",
        d.ident("precept_qualification")
    )
}

/// The field a question blames, as the engine picks it: the argument the answer turns on first,
/// then the others in order; except that a `may` about someone who held no role that day blames
/// them.
pub(crate) fn blame_path(c: &Compiler<'_>, f: ScopeFn, args: &[CExpr]) -> Result<Option<String>, Unsupported> {
    let order = |first: usize| -> Result<Option<String>, Unsupported> {
        for a in std::iter::once(first).chain(0..args.len()).filter_map(|i| args.get(i)) {
            if let Some(p) = first_path(c, a)? {
                return Ok(Some(p));
            }
        }
        Ok(None)
    };
    let first = crate::engine::builtins::of_scope(f).map_or(0, |b| b.blame_first);
    let usual = order(first)?;
    let (ScopeFn::May { .. }, Some(u), Some(s)) = (f, usual.clone(), order(0)?) else { return Ok(usual) };
    if u == s {
        return Ok(usual);
    }
    let (Some(staff), Some(day)) = (args.first(), args.last()) else { return Ok(usual) };
    // Compiling the arguments again only names subqueries; what they read is already counted.
    let mut again = c.clone();
    let staff = again.expr(staff, None)?;
    let day = day_of(&mut again, day)?;
    let role = role_of(c.dialect, &staff, &day);
    Ok(Some(format!("CASE WHEN {staff} IS NOT NULL AND {day} IS NOT NULL AND {role} IS NULL THEN {s} ELSE {u} END")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a Spark query that reads the role maps, with the role tables written, joins them: a
    /// script without `--roles` has no such table, and the other dialects ask by subquery.
    #[test]
    fn only_spark_queries_reading_the_maps_join_them() {
        let reads = format!("{} IS NULL", at("staff", "r.`by`"));
        assert_eq!(join(Dialect::Spark, true, &["x", &reads]), " CROSS JOIN precept_role_lists AS precept_roles");
        assert_eq!(join(Dialect::Spark, true, &["r.`by` IS NULL"]), "");
        assert_eq!(join(Dialect::Spark, false, &[&reads]), "");
        assert_eq!(join(Dialect::DuckDb, true, &[&reads]), "");
        assert_eq!(join(Dialect::Postgres, true, &[&reads]), "");
    }

    /// The periods agree with [`held`] on every day around the assignments.
    #[test]
    fn holdings_agree_with_the_day_by_day_answer() {
        let file = crate::source::SourceFile::new(
            "staff.toml",
            r#"
[[staff]]
id = "a"
name = "A"
employed = { from = 2024-01-10, until = 2024-03-31 }
roles = [
  { role = "x", from = 2024-01-01, until = 2024-02-10 },
  { role = "y", from = 2024-02-01 },
  { role = "x", from = 2024-02-01, until = 2024-02-05 },
  { role = "z", from = 2024-03-01, until = 2024-03-01 },
]
"#,
        );
        let mut org = Org::default();
        let mut diags = Vec::new();
        crate::roles::read::read_file(&file, &mut org, &mut diags);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        let s = &org.staff[0];
        let periods = holdings(s);
        let mut day = jiff::civil::date(2023, 12, 25);
        while day < jiff::civil::date(2024, 4, 10) {
            let from_periods =
                periods.iter().find(|(f, u, _)| *f <= day && u.is_none_or(|u| day <= u)).map(|(_, _, r)| *r);
            assert_eq!(from_periods, held(s, day), "{day}: {periods:?}");
            day = day.tomorrow().unwrap_or(day);
        }
    }
}
