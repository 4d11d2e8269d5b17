//! `precept check --engine duckdb`: the policies compiled to SQL ([`crate::sql`], DuckDB dialect)
//! and run on embedded DuckDB over JSON Lines, CSV and Parquet files, which DuckDB streams from
//! disk (out of core: its memory is bounded, and it spills to a temporary folder).
//!
//! Each record file is a view in `precept sql`'s table mapping ([`load`]); each compiled rule's
//! `SELECT` runs over its schema's views, and its rows become the same [`Finding`](crate::findings::Finding)s the native
//! engine makes ([`rows`]), in file, record and rule order, so every report and exit status is the
//! native engine's. What differs is documented in docs/warehouse.md ("`precept check --engine
//! duckdb`"): a finding is placed at its record's line (its row in Parquet), with no column and no
//! excerpt of the record's text.
//!
//! A rule the SQL compiler leaves out is not run, and never silently: each is a
//! `precept::engine::not-run` warning in every report, and the run's exit status is never 0.

mod groups;
pub mod load;
pub mod rows;

use std::path::{Path, PathBuf};

use crate::data::{is_parquet, Format, SchemaGlobs};
use crate::diagnostics::Diag;
use crate::engine::authority::Authority;
use crate::engine::Program;
use crate::findings::{Catalogue, Outcome};
use crate::pipeline::Consumer;
use crate::sql::calendar::Range;
use crate::sql::{Dialect, Options};
pub use load::Kind;

/// The code of a rule the DuckDB engine did not run.
pub const NOT_RUN: &str = "precept::engine::not-run";

/// One record file DuckDB reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Where it is.
    pub path: PathBuf,
    /// Its name in findings (the path as found, with `/` separators).
    pub name: String,
    /// How it stores records.
    pub kind: Kind,
    /// Index into [`Program::schemas`].
    pub schema: usize,
}

/// How DuckDB may use the machine.
#[derive(Debug, Clone)]
pub struct Settings {
    /// DuckDB's `memory_limit` (`512MB`): beyond it, DuckDB spills to `temp`.
    pub memory_limit: String,
    /// The folder DuckDB spills to (a fresh temporary folder; removed by the caller).
    pub temp: PathBuf,
    /// Threads; `None`: one per core.
    pub threads: Option<usize>,
    /// DuckDB's `max_temp_directory_size` (`4GiB`): what it may spill to `temp`, so that a run
    /// stops with a diagnostic rather than fill the disk.
    pub temp_limit: String,
}

impl Settings {
    /// `d`, with what to do when DuckDB ran out of the memory or temporary space it was given.
    fn explain(&self, d: Diag) -> Diag {
        if d.message.contains("max_temp_directory_size") {
            Diag::error(
                "precept::engine::duckdb",
                format!(
                    "DuckDB needed more than {} of temporary space beyond its {} of memory, and stopped",
                    self.temp_limit, self.memory_limit
                ),
            )
            .help("check the files in smaller parts, or with the native engine (`--engine native`); docs/warehouse.md says what DuckDB keeps in memory")
        } else {
            d
        }
    }
}

/// The record files DuckDB reads: the JSON Lines and CSV `files` the native engine found (a `.json`
/// or `.toml` record file among them is `precept::engine::unsupported-file`: check it with the
/// native engine), and the `.parquet` files under `paths` (named, or found in folders), in name
/// order. `found` are the problems finding the files: those about Parquet files are dropped, as
/// this engine reads them.
pub fn sources(
    files: Vec<crate::data::RecordFile>,
    found: &mut Vec<Diag>,
    paths: &[PathBuf],
    program: &Program,
    select: &crate::data::Select,
) -> Vec<Source> {
    found.retain(|d| d.code != "precept::input::parquet");
    let mut out = Vec::new();
    for f in files {
        let Some(path) = f.path() else { continue };
        let kind = match f.format {
            Format::Jsonl => Kind::Jsonl,
            Format::Csv => Kind::Csv,
            Format::Json | Format::Toml => {
                found.push(unsupported_file(&f.name, "DuckDB reads JSON Lines, CSV and Parquet record files"));
                continue;
            }
        };
        out.push(Source { path: path.to_path_buf(), name: f.name.clone(), kind, schema: f.schema });
    }
    let globs = SchemaGlobs::new(program);
    let mut add = |path: PathBuf, rel: &Path, found: &mut Vec<Diag>| {
        let name = crate::text::name(&path);
        if !select.keeps(&path, &name) {
            return;
        }
        match globs.schema_for(&crate::text::name(rel)) {
            Ok(schema) => out.push(Source { path, name, kind: Kind::Parquet, schema }),
            Err(d) => found.push(d),
        }
    };
    for p in paths {
        if p.is_dir() {
            for file in crate::input::walk(p, &|f| is_parquet(f), found) {
                let rel = file.path.strip_prefix(p).unwrap_or(&file.path).to_path_buf();
                add(file.path.clone(), &rel, found);
            }
        } else if is_parquet(p) && p.is_file() {
            add(p.clone(), p, found);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    // One file reached twice (named and in its folder, through `./` or a link) is read once.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|s| seen.insert(std::fs::canonicalize(&s.path).unwrap_or_else(|_| s.path.clone())));
    out
}

/// The `.parquet` files under `paths` (named, or found in folders): what a report must never be
/// written over (the command line's guard; [`sources`] says which of them are read).
pub fn parquet_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut ignored = Vec::new();
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            out.extend(crate::input::walk(p, &|f| is_parquet(f), &mut ignored).into_iter().map(|f| f.path));
        } else if is_parquet(p) && p.is_file() {
            out.push(p.clone());
        }
    }
    out
}

fn unsupported_file(name: &str, why: &str) -> Diag {
    Diag::error("precept::engine::unsupported-file", format!("`{name}` is not read by `--engine duckdb`: {why}"))
        .help("check this file with the native engine (`precept check`, or `--engine native`)")
}

/// A failure of DuckDB itself (a file it cannot read, a value it cannot convert).
/// A record of `source` (its view `name`) that lacks a value its schema requires stops the run
/// (exit status 2), as the native engine's `precept::input::missing-field` is an error: judged as
/// unknown instead, it could leave a rule's `where` unmet and the run clean. One pass over the file.
fn missing_required(conn: &duckdb::Connection, program: &Program, source: &Source, name: &str) -> Result<(), Diag> {
    let required = load::required(program, source.schema);
    if required.is_empty() {
        return Ok(());
    }
    let d = Dialect::DuckDb;
    let counts: Vec<String> =
        required.iter().map(|c| format!("count(*) FILTER (WHERE {} IS NULL)", d.ident(c))).collect();
    let sql = format!("SELECT {} FROM {name}", counts.join(", "));
    let what = format!("read `{}`", source.name);
    let missing: Vec<i64> = conn
        .query_row(&sql, [], |row| (0..required.len()).map(|i| row.get::<_, i64>(i)).collect())
        .map_err(|e| failed(&what, &e))?;
    let lacking: Vec<String> =
        required.iter().zip(&missing).filter(|(_, n)| **n > 0).map(|(c, n)| format!("`{c}` ({n} records)")).collect();
    if lacking.is_empty() {
        return Ok(());
    }
    Err(Diag::error(
        "precept::engine::duckdb",
        format!("records of `{}` lack values the schema requires: {}", source.name, lacking.join(", ")),
    )
    .help("the native engine (`--engine native`) reports each such record and checks the rest"))
}

fn failed(what: &str, e: &duckdb::Error) -> Diag {
    Diag::error("precept::engine::duckdb", format!("DuckDB could not {what}: {e}"))
        .help("a value DuckDB cannot convert is named above; the native engine (`--engine native`) reads such records one by one and reports each")
}

/// `precept::engine::not-run` for each rule left out of the SQL.
fn not_run(program: &Program, left_out: &[(usize, String)]) -> Vec<Diag> {
    left_out
        .iter()
        .filter_map(|(i, what)| {
            let rule = program.rules.get(*i)?;
            Some(
                Diag::warning(NOT_RUN, format!("rule `{}` was not run: {what} does not compile to SQL yet", rule.id))
                    .at(&rule.file, rule.id_span, "not run by DuckDB")
                    .help("check this rule with the native engine (`--engine native`, the default); docs/warehouse.md lists what compiles to SQL"),
            )
        })
        .collect()
}

/// Check `sources` with DuckDB, handing each finding to `consumer` in file, record and rule order;
/// `found` are the problems finding the files. Rules that need role files are left out as the
/// SQL leaves them out.
pub fn check(
    program: &Program,
    authority: Option<&dyn Authority>,
    sources: &[Source],
    found: Vec<Diag>,
    settings: &Settings,
    consumer: &mut Consumer<'_>,
) -> Outcome {
    let mut out = Outcome {
        diagnostics: found,
        files: sources.len(),
        evaluation: program.evaluation.clone(),
        ..Outcome::default()
    };
    let range = calendar_range();
    let options = Options { dialect: Dialect::DuckDb, range };
    let compiled =
        crate::sql::compile_rules(program, &options, &load::CARRY, (crate::sql::lookup::Lookup::Lists, false));
    out.diagnostics.extend(not_run(program, &compiled.left_out));
    let catalogue = Catalogue::of(program, authority.is_some());
    if let Err(d) = run(program, &catalogue, sources, settings, &compiled, consumer, &mut out) {
        out.diagnostics.push(d);
    }
    crate::pipeline::no_records(&mut out, "`.jsonl`, `.csv` or `.parquet`");
    crate::diagnostics::sort(&mut out.diagnostics);
    out
}

/// The days the calendar table covers: wide enough for records of this century and their
/// deadlines (a record outside it is judged as docs/warehouse.md says).
fn calendar_range() -> Range {
    Range { from: jiff::civil::date(1990, 1, 1), until: jiff::civil::date(2079, 12, 31) }
}

/// Run the rules: the record rules one file at a time, each file's findings sorted by record
/// and rule (only the findings are sorted: the file is scanned once per rule, never held), then the
/// group rules over each schema's files together. Every result is streamed, never held whole.
fn run(
    program: &Program,
    catalogue: &Catalogue,
    sources: &[Source],
    settings: &Settings,
    compiled: &crate::sql::Rules,
    consumer: &mut Consumer<'_>,
    out: &mut Outcome,
) -> Result<(), Diag> {
    let conn = duckdb::Connection::open_in_memory().map_err(|e| failed("start", &e))?;
    let mut setup = format!(
        "SET memory_limit = {}; SET temp_directory = {}; SET max_temp_directory_size = {}; SET preserve_insertion_order = true; SET TimeZone = 'UTC';\n",
        load::literal(&settings.memory_limit),
        load::literal(&settings.temp.to_string_lossy()),
        load::literal(&settings.temp_limit),
    );
    if let Some(n) = settings.threads {
        setup.push_str(&format!("SET threads = {n};\n"));
    }
    setup.push_str(load::MACROS);
    conn.execute_batch(&setup).map_err(|e| failed("be set up", &e))?;
    // One view per file.
    let mut views: Vec<Option<String>> = vec![None; sources.len()];
    for (i, source) in sources.iter().enumerate() {
        if let Err(why) = load::readable(program, source) {
            out.diagnostics.push(unsupported_file(&source.name, &why));
            continue;
        }
        let header = match source.kind {
            Kind::Csv => csv_header(&source.path).map_err(|why| read_error(&source.name, &why))?,
            Kind::Parquet => parquet_columns(&conn, source)?,
            Kind::Jsonl => Vec::new(),
        };
        match load::view(program, i, source, &header) {
            Ok(select) => {
                let name = format!("precept_file_{i}");
                conn.execute_batch(&format!("CREATE VIEW {name} AS {select};"))
                    .map_err(|e| failed(&format!("read `{}`", source.name), &e))?;
                missing_required(&conn, program, source, &name).map_err(|d| settings.explain(d))?;
                if let Some(v) = views.get_mut(i) {
                    *v = Some(name);
                }
            }
            Err(why) => out.diagnostics.push(read_error(&source.name, &why)),
        }
    }
    calendar_table(&conn, program, &compiled.calendars)?;
    count_records(&conn, &views, out).map_err(|d| settings.explain(d))?;
    let d = Dialect::DuckDb;
    for (source, view) in sources.iter().zip(&views) {
        let Some(view) = view else { continue };
        let rules: Vec<String> = compiled
            .selects
            .iter()
            .filter(|(r, _)| program.rules.get(*r).is_some_and(|rule| rule.schema == source.schema))
            .map(|(r, s)| format!("SELECT CAST({r} AS BIGINT) AS precept_rule, * FROM ({s})"))
            .collect();
        let Some(info) = program.schemas.get(source.schema) else { continue };
        if rules.is_empty() {
            continue;
        }
        // The rules read their schema's table: for now, this one file.
        conn.execute_batch(&format!("CREATE OR REPLACE VIEW {} AS SELECT * FROM {view};", d.ident(&info.name)))
            .map_err(|e| failed("make the tables", &e))?;
        let query = format!(
            "SELECT precept_rule, precept_file, precept_row, record_id, field, CAST(to_json(message_values) AS VARCHAR), \
             precept_staff, precept_team, CAST(precept_day AS VARCHAR) FROM ({}) ORDER BY precept_row, precept_rule",
            rules.join("\nUNION ALL\n")
        );
        let what = format!("check `{}`", source.name);
        let mut last = None;
        stream(&conn, &query, &what, settings, |row| {
            let r = rows::Row::read(row)?;
            if last != Some(r.row) {
                out.tally.record_seen(true);
                last = Some(r.row);
            }
            if let Some(mut f) = rows::finding(program, catalogue, source, r) {
                let texts = (consumer.prepare)(&mut f);
                out.count(&f);
                (consumer.take)(f, texts);
            }
            Ok(())
        })?;
    }
    if compiled.groups.is_empty() {
        return Ok(());
    }
    // Each schema's table for the group rules: the union of its files, or an empty table.
    for (schema, info) in program.schemas.iter().enumerate() {
        if info.builtin {
            continue;
        }
        let files: Vec<String> = sources
            .iter()
            .zip(&views)
            .filter(|(s, _)| s.schema == schema)
            .filter_map(|(_, v)| v.as_ref().map(|v| format!("SELECT * FROM {v}")))
            .collect();
        let sql = if files.is_empty() {
            empty_table(program, schema)
        } else {
            format!("CREATE OR REPLACE VIEW {} AS {};", d.ident(&info.name), files.join(" UNION ALL "))
        };
        conn.execute_batch(&sql).map_err(|e| failed("make the tables", &e))?;
    }
    for (r, select) in &compiled.groups {
        let Some(query) = groups::query(program, *r, select) else { continue };
        let what = format!("judge the groups of rule `{}`", program.rules.get(*r).map_or("", |x| x.id.as_str()));
        stream(&conn, &query, &what, settings, |row| {
            if let Some(mut f) = groups::finding(program, catalogue, *r, row)? {
                let texts = (consumer.prepare)(&mut f);
                out.count(&f);
                (consumer.take)(f, texts);
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Run `sql`, handing each row of its result to `each` as DuckDB makes it: the result is
/// streamed, never held whole.
fn stream(
    conn: &duckdb::Connection,
    sql: &str,
    what: &str,
    settings: &Settings,
    mut each: impl FnMut(&duckdb::Row<'_>) -> Result<(), duckdb::Error>,
) -> Result<(), Diag> {
    let fail = |e: &duckdb::Error| settings.explain(failed(what, e));
    let mut stmt = conn.prepare(sql).map_err(|e| fail(&e))?;
    // Executed as a stream; its chunks are then read one by one through `raw_query`.
    drop(stmt.stream_arrow([]).map_err(|e| fail(&e))?);
    let mut rows = stmt.raw_query();
    loop {
        match rows.next() {
            Ok(Some(row)) => each(row).map_err(|e| fail(&e))?,
            Ok(None) => return Ok(()),
            Err(e) => return Err(fail(&e)),
        }
    }
}

/// The calendar table, its rows appended rather than written as SQL (which DuckDB would take
/// seconds to parse for decades of days).
fn calendar_table(
    conn: &duckdb::Connection,
    program: &Program,
    calendars: &std::collections::BTreeSet<usize>,
) -> Result<(), Diag> {
    use duckdb::types::{TimeUnit, Value};
    let fail = |e: duckdb::Error| failed("make the calendar table", &e);
    conn.execute_batch(&crate::sql::calendar::create(Dialect::DuckDb)).map_err(fail)?;
    let mut app = conn.appender(crate::sql::calendar::TABLE).map_err(fail)?;
    let epoch = jiff::civil::date(1970, 1, 1);
    let instant = |ts: Option<jiff::Timestamp>| match ts {
        Some(t) => Value::Timestamp(TimeUnit::Microsecond, t.as_microsecond()),
        None => Value::Null,
    };
    for &c in calendars {
        let Some(cal) = program.calendars.get(c) else { continue };
        for d in crate::sql::calendar::days(cal, calendar_range()) {
            let day = (d.day - epoch).get_days();
            let row = [
                Value::BigInt(i64::try_from(c).unwrap_or(0)),
                Value::Date32(day),
                Value::Boolean(d.working),
                Value::BigInt(d.idx),
                instant(d.start),
                instant(d.end),
            ];
            app.append_row(duckdb::appender_params_from_iter(row)).map_err(fail)?;
        }
    }
    app.flush().map_err(fail)?;
    conn.execute_batch(&crate::sql::lookup::create(crate::sql::Dialect::DuckDb)).map_err(fail)
}

/// The number of records in each file.
fn count_records(conn: &duckdb::Connection, views: &[Option<String>], out: &mut Outcome) -> Result<(), Diag> {
    let all: Vec<String> = views.iter().flatten().map(|v| format!("SELECT count(*) AS n FROM {v}")).collect();
    if all.is_empty() {
        return Ok(());
    }
    let sql = format!("SELECT CAST(sum(n) AS BIGINT) FROM ({})", all.join(" UNION ALL "));
    let n: i64 = conn.query_row(&sql, [], |row| row.get(0)).map_err(|e| failed("count the records", &e))?;
    out.records = usize::try_from(n).unwrap_or(0);
    Ok(())
}

/// A schema with no files: an empty table of its columns, so that its rules find nothing.
fn empty_table(program: &Program, schema: usize) -> String {
    let d = Dialect::DuckDb;
    let Some(info) = program.schemas.get(schema) else { return String::new() };
    let mut cols: Vec<String> = crate::sql::tables::columns(program, schema, d)
        .iter()
        .map(|c| format!("{} {}", d.ident(&c.name), c.ty))
        .collect();
    cols.extend(
        [
            "precept_file BIGINT",
            "precept_row BIGINT",
            "precept_staff VARCHAR",
            "precept_team VARCHAR",
            "precept_day DATE",
        ]
        .map(String::from),
    );
    format!("CREATE TABLE {} ({});", d.ident(&info.name), cols.join(", "))
}

fn read_error(name: &str, why: &str) -> Diag {
    Diag::error("precept::engine::unsupported-file", format!("`{name}` cannot be read by `--engine duckdb`: {why}"))
        .help("give the file the columns the schema names (docs/warehouse.md, \"The tables\"), or check it with the native engine")
}

/// A CSV file's header, each name trimmed, as the native reader matches columns.
fn csv_header(path: &Path) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_path(path).map_err(|e| e.to_string())?;
    let header = reader.headers().map_err(|e| e.to_string())?;
    Ok(header.iter().map(|h| h.trim().to_string()).collect())
}

/// The columns a Parquet file has, from its metadata.
fn parquet_columns(conn: &duckdb::Connection, source: &Source) -> Result<Vec<String>, Diag> {
    let sql = format!(
        "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({}))",
        load::literal(&source.path.to_string_lossy())
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| failed(&format!("read `{}`", source.name), &e))?;
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(|e| failed(&format!("read `{}`", source.name), &e))?;
    names.collect::<Result<Vec<_>, _>>().map_err(|e| failed(&format!("read `{}`", source.name), &e))
}
