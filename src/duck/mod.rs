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
//! With role files, questions about staff and roles are asked of the role tables `precept sql
//! --roles` writes, made in DuckDB from the same role files.
//!
//! JSON Lines and CSV files are read by the native reader alone, once, into a normalized copy
//! DuckDB reads instead ([`copy`]): the records, values, diagnostics and lines are the native
//! reader's. Bad input costs only itself, as in the native engine: a record holding a value the
//! native reader could not read is judged by the native engine in its place among DuckDB's
//! findings (read again by the native reader), a record it skips is in no rule, and a Parquet file
//! DuckDB cannot read at all is an error naming it; the other files are checked.

mod again;
mod cases;
pub mod copy;
mod groups;
pub mod load;
pub mod rows;
mod stopped;

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

impl Source {
    /// The file as the native reader reads it: a JSON Lines or CSV file (`None` for Parquet).
    fn record_file(&self) -> Option<crate::data::RecordFile> {
        let format = match self.kind {
            Kind::Jsonl => Format::Jsonl,
            Kind::Csv => Format::Csv,
            Kind::Parquet => return None,
        };
        Some(crate::data::RecordFile {
            origin: crate::data::Origin::Path(self.path.clone()),
            name: self.name.clone(),
            format,
            schema: self.schema,
        })
    }
}

/// The position (from 0) and line of the record whose `precept_row` is `row` in a file of `kind`:
/// in a JSON Lines or CSV file's copy, both as the native reader read them ([`copy::row`]); in
/// Parquet, which has no lines, its row stands in for its line.
pub(crate) fn placed(kind: Kind, row: i64) -> (usize, usize) {
    match kind {
        Kind::Jsonl | Kind::Csv => copy::place(row),
        Kind::Parquet => {
            let n = usize::try_from(row).unwrap_or(1).max(1);
            (n - 1, n)
        }
    }
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
        if d.message.contains(TEMP_SPACE_SPENT) {
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

/// A failure of DuckDB itself.
fn failed(what: &str, e: &duckdb::Error) -> Diag {
    Diag::error("precept::engine::duckdb", format!("DuckDB could not {what}: {e}"))
        .help("check the files with the native engine (`--engine native`)")
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
/// `found` are the problems finding the files. With role files (`org`), questions about staff and
/// roles are asked of role tables made from them, as `precept sql --roles` writes them; rules
/// over the role files' own roles and staff are left to the native engine, which checks the role
/// files in any case.
pub fn check(
    program: &Program,
    (authority, org): (Option<&dyn Authority>, Option<&crate::roles::Org>),
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
        crate::sql::compile_rules(program, &options, &load::CARRY, (crate::sql::lookup::Lookup::Lists, org.is_some()));
    // A rule over the role files' roles or staff is checked natively with the role files.
    let natively = |r: &usize| {
        org.is_some()
            && program.rules.get(*r).and_then(|rule| program.schemas.get(rule.schema)).is_some_and(|s| s.builtin)
    };
    let left_out: Vec<(usize, String)> = compiled.left_out.iter().filter(|(r, _)| !natively(r)).cloned().collect();
    out.diagnostics.extend(not_run(program, &left_out));
    let catalogue = Catalogue::of(program, authority.is_some());
    let org_tables = org.map(|o| crate::sql::roles::script(o, Dialect::DuckDb));
    let tables = (&catalogue, authority, org_tables.as_deref());
    if let Err(d) = run(program, tables, sources, settings, &compiled, consumer, &mut out) {
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

/// How one file's records are checked.
enum Read {
    /// Not at all: a diagnostic says why.
    Not,
    /// By DuckDB, through view `name`; `rescue`: some of its records (a JSON Lines or CSV record
    /// holding a value the native reader could not read) are judged by the native engine instead.
    /// `bad`: some of its records hold a value that did not convert (or, in a copy, that the
    /// native reader could not read): the rules over groups leave them out of the groups that read
    /// it, and the rules of a Parquet file look for them only when so, as it costs them a scan.
    /// `lacks`: some lack a required value. `parts`: the views of the parts of a JSON Lines or CSV
    /// file's copy, in the file's order, when it has more than one, which the rules over single
    /// records read one at a time ([`copy::PART_BYTES`]); empty when they read `name` whole.
    /// `again`: how a Parquet file's records holding a value that did not convert are read again
    /// for the native engine, which judges them (`None` for JSON Lines and CSV, which the native
    /// reader reads again, and where there are none).
    View { name: String, rescue: bool, bad: bool, lacks: bool, parts: Vec<String>, again: Option<load::Again> },
    /// A JSON Lines or CSV file whose copy DuckDB could not read, or that has too many records
    /// or lines for one: judged whole by the native engine, as it reads it.
    Natively,
}

/// Run the rules: the record rules one file at a time (a JSON Lines or CSV file one part of its
/// copy at a time, [`copy::PART_BYTES`]), each file's (part's) findings sorted by record and rule
/// (only the findings are sorted: the file is scanned once per rule, never held), then the group
/// rules over each schema's files together. Every result is streamed, never held whole.
fn run(
    program: &Program,
    (catalogue, authority, org_tables): (&Catalogue, Option<&dyn Authority>, Option<&str>),
    sources: &[Source],
    settings: &Settings,
    compiled: &crate::sql::Rules,
    consumer: &mut Consumer<'_>,
    out: &mut Outcome,
) -> Result<(), Diag> {
    let conn = duckdb::Connection::open_in_memory().map_err(|e| failed("start", &e))?;
    // Lambdas as DuckDB 2.0 takes them by default (`lambda x: ...`; it refuses `x -> ...`), so
    // that the SQL written here runs on it unchanged.
    let mut setup = format!(
        "SET memory_limit = {}; SET temp_directory = {}; SET max_temp_directory_size = {}; SET preserve_insertion_order = true; SET TimeZone = 'UTC'; SET lambda_syntax = 'DISABLE_SINGLE_ARROW';\n",
        load::literal(&settings.memory_limit),
        load::literal(&settings.temp.to_string_lossy()),
        load::literal(&settings.temp_limit),
    );
    if let Some(n) = settings.threads {
        setup.push_str(&format!("SET threads = {n};\n"));
    }
    conn.execute_batch(&setup).map_err(|e| failed("be set up", &e))?;
    // One view per file: a JSON Lines or CSV file's over its copy, a Parquet file's read once to
    // count its records and find the ones DuckDB cannot judge.
    let mut space = Space { used: 0, budget: bytes(&settings.temp_limit).unwrap_or(4 << 30) };
    let reads_of: Vec<Read> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| open(&conn, program, (i, source), settings, &mut space, out))
        .collect::<Result<_, _>>()?;
    // What DuckDB may spill is what the copies left of the run's temporary space.
    let left = space.budget.saturating_sub(space.used) / 1024;
    conn.execute_batch(&format!("SET max_temp_directory_size = '{}KiB';", left.max(1)))
        .map_err(|e| failed("be set up", &e))?;
    calendar_table(&conn, program, &compiled.calendars)?;
    if let Some(script) = org_tables {
        conn.execute_batch(script).map_err(|e| failed("make the role tables", &e))?;
    }
    let d = Dialect::DuckDb;
    // The rules DuckDB runs over single records: the native engine judges a record DuckDB cannot
    // by these only.
    let ran: std::collections::BTreeSet<usize> = compiled.selects.iter().map(|(r, _)| *r).collect();
    let keep = |r: usize| ran.contains(&r);
    for (source, read) in sources.iter().zip(&reads_of) {
        let file = source.record_file();
        let (view, rescue, bad, lacks, parts, again) = match read {
            Read::Not => continue,
            Read::Natively => {
                if let Some(file) = &file {
                    let native =
                        crate::pipeline::Natively::new(program, catalogue, authority, file, consumer.prepare, &keep);
                    native.all(out, &mut *consumer.take);
                }
                continue;
            }
            Read::View { name, rescue, bad, lacks, parts, again } => (name, *rescue, *bad, *lacks, parts, again),
        };
        let rules: Vec<(usize, String)> = compiled
            .selects
            .iter()
            .filter_map(|(r, s)| {
                program.rules.get(*r).filter(|rule| rule.schema == source.schema)?;
                Some((*r, format!("SELECT CAST({r} AS BIGINT) AS precept_rule, * FROM ({s}) AS precept_found")))
            })
            .collect();
        let Some(info) = program.schemas.get(source.schema) else { continue };
        // A Parquet record holding a value that did not convert is read again and judged by the
        // native engine, as a JSON Lines or CSV record holding one the native reader could not
        // read (`rescue`).
        let again = again.as_ref().filter(|_| bad && source.kind == Kind::Parquet && !rules.is_empty());
        let rescue = rescue || again.is_some();
        if rules.is_empty() && !rescue {
            continue;
        }
        // The rules read their schema's table: for now, this one file (one part of its copy at a
        // time, in the file's order, so that each query holds a part's findings, never a file's),
        // less the records judged natively.
        // A file with no such record is read as it is.
        let judged = match source.kind {
            _ if rescue => "NOT (precept_bad OR precept_lacks)",
            Kind::Parquet if lacks => "NOT precept_lacks",
            Kind::Parquet | Kind::Jsonl | Kind::Csv => "TRUE",
        };
        // (A Parquet record lacking a required value is judged by no rule, as the native reader
        // skips such a record.)
        let natively = match source.kind {
            Kind::Parquet => "precept_bad AND NOT precept_lacks",
            Kind::Jsonl | Kind::Csv => "precept_bad OR precept_lacks",
        };
        let slices: Vec<&String> = if parts.is_empty() { vec![view] } else { parts.iter().collect() };
        let what = format!("check `{}`", source.name);
        let mut last = None;
        // A Parquet file's records are named and placed by their file, never read natively.
        let named = crate::data::RecordFile {
            origin: crate::data::Origin::Path(source.path.clone()),
            name: source.name.clone(),
            format: Format::Jsonl,
            schema: source.schema,
        };
        let native = match (&file, rescue) {
            (Some(file), true) => {
                Some(crate::pipeline::Natively::new(program, catalogue, authority, file, consumer.prepare, &keep))
            }
            (None, true) => {
                Some(crate::pipeline::Natively::new(program, catalogue, authority, &named, consumer.prepare, &keep))
            }
            _ => None,
        };
        // The records read again on a connection of their own, while this one streams the findings.
        // (A connection's zone is its own: the values are read in UTC, as on this one.)
        let mut again_conn = match again {
            Some(_) => {
                let c = conn.try_clone().map_err(|e| failed("read a Parquet file again", &e))?;
                c.execute_batch("SET TimeZone = 'UTC';").map_err(|e| failed("read a Parquet file again", &e))?;
                Some(c)
            }
            None => None,
        };
        // The rules DuckDB stopped on this file (a value past what its numbers hold): each is
        // reported, and the file's other rules are judged without it.
        let mut stopped = std::collections::BTreeSet::new();
        let checked = std::thread::scope(|scope| -> Result<(), Diag> {
            let mut reader = None;
            let mut parquet: Option<again::Reader<'_>> = None;
            for (part, slice) in slices.into_iter().enumerate() {
                conn.execute_batch(&format!(
                    "CREATE OR REPLACE VIEW {} AS SELECT * FROM {slice} WHERE {judged};",
                    d.ident(&info.name)
                ))
                .map_err(|e| failed("make the tables", &e))?;
                // Where a record judged natively comes in the file's order: a row of rule -1.
                let rescued = rescue.then(|| {
                    format!(
                        "SELECT CAST(-1 AS BIGINT) AS precept_rule, precept_file, precept_row, CAST(NULL AS VARCHAR) AS record_id, \
                         '' AS field, CAST(NULL AS VARCHAR) AS precept_values, CAST(NULL AS VARCHAR) AS precept_staff, \
                         CAST(NULL AS VARCHAR) AS precept_team, CAST(NULL AS VARCHAR) AS precept_day, \
                         CAST(NULL AS VARCHAR) AS precept_whys FROM {slice} WHERE {natively}"
                    )
                });
                loop {
                    let running: Vec<&str> =
                        rules.iter().filter(|(r, _)| !stopped.contains(r)).map(|(_, s)| s.as_str()).collect();
                    let Some(query) = findings_query(&running, rescued.as_deref()) else { break };
                    // Whether a finding of this query was handed on: a query that stops before
                    // any was is run again without the rules that stop it.
                    let mut handed = false;
                    let ran = stream_raw(&conn, &query, |row| {
                        handed = true;
                        let r = rows::Row::read(row)?;
                        if r.rule < 0 {
                            // A Parquet record DuckDB could not judge: read again, judged natively.
                            if let (Some(native), Some(again)) = (&native, again) {
                                if parquet.is_none() {
                                    if let Some(c) = again_conn.take() {
                                        let what = format!("read `{}` again", source.name);
                                        let start = (program, source.schema);
                                        parquet = Some(again::Reader::start(scope, c, start, again, (what, settings)));
                                    }
                                }
                                let row = usize::try_from(r.row).unwrap_or(0);
                                if let Some(rec) = parquet.as_mut().and_then(|p| p.take(row)) {
                                    hand_on(native.check_at_line(&rec), out, &mut *consumer.take);
                                }
                                return Ok(());
                            }
                            // A record DuckDB could not judge: the native engine reads it and judges it.
                            let (Some(native), Some(file)) = (&native, &file) else { return Ok(()) };
                            let reader = reader.get_or_insert_with(|| Reader::start(scope, file, program));
                            let (ordinal, _) = copy::place(r.row);
                            if let Some(rec) = reader.take(ordinal) {
                                out.records += 1;
                                hand_on(native.check(&rec), out, &mut *consumer.take);
                            }
                            return Ok(());
                        }
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
                    });
                    let Err(e) = ran else { break };
                    let fail = settings.explain(failed(&what, &e));
                    // A query that ran out of room, or stopped after handing on findings, is not
                    // run again: the file is reported unchecked from there.
                    if handed || out_of_room(&e) {
                        return Err(fail);
                    }
                    let left: Vec<(usize, String)> = rules
                        .iter()
                        .filter(|(r, _)| !stopped.contains(r))
                        .filter_map(|(r, s)| Some((*r, findings_query(&[s.as_str()], None)?)))
                        .collect();
                    let alone = stopped::alone(&conn, &left);
                    if alone.is_empty() {
                        return Err(fail);
                    }
                    let from = (part > 0).then(|| part_start(&conn, slice, source.kind)).flatten();
                    for (r, e) in alone {
                        let lost = stopped::Lost::Records(&source.name, from);
                        out.diagnostics.extend(stopped::diag(program, r, lost, &e));
                        stopped.insert(r);
                    }
                }
            }
            // The native reader's diagnostics were reported when the copy was made.
            if let Some(reader) = reader {
                drop(reader.finish());
            }
            if let Some(d) = parquet.and_then(again::Reader::finish) {
                return Err(settings.explain(d));
            }
            Ok(())
        });
        // A file DuckDB stopped on is reported, and the other files are still checked.
        if let Err(d) = checked {
            out.diagnostics.push(d);
        }
    }
    if compiled.groups.is_empty() {
        return Ok(());
    }
    // Each schema's table for the group rules: the union of its files, or an empty table. A
    // record lacking a required value is left out (the native engine skips it); one holding a
    // value that did not convert is in, that value NULL.
    for (schema, info) in program.schemas.iter().enumerate() {
        if info.builtin {
            continue;
        }
        let files: Vec<String> = sources
            .iter()
            .zip(&reads_of)
            .filter(|(s, _)| s.schema == schema)
            .filter_map(|(_, r)| match r {
                Read::View { name, lacks: true, .. } => Some(format!("SELECT * FROM {name} WHERE NOT precept_lacks")),
                Read::View { name, .. } => Some(format!("SELECT * FROM {name}")),
                Read::Not | Read::Natively => None,
            })
            .collect();
        let union = format!("precept_union_{schema}");
        let sql = if files.is_empty() {
            empty_table(program, schema, &union)
        } else {
            format!("CREATE OR REPLACE VIEW {union} AS {};", files.join(" UNION ALL "))
        };
        conn.execute_batch(&sql).map_err(|e| failed("make the tables", &e))?;
    }
    for (r, select) in &compiled.groups {
        let Some(rule) = program.rules.get(*r) else { continue };
        let case = rule.group.as_ref().is_some_and(|g| g.sequence.is_some());
        let query = if case { Some(cases::query(select)) } else { groups::query(program, *r, select) };
        let Some(query) = query else { continue };
        let what = format!("judge the {} of rule `{}`", if case { "cases" } else { "groups" }, rule.id);
        // The tables the rule reads (a case rule's events may come from other schemas too): each
        // schema's records, less those holding a value the rule reads there that did not convert,
        // which are counted as the native engine counts them.
        let tables: Vec<(usize, Vec<String>)> = match rule.group.as_ref().and_then(|g| g.sequence.as_ref()) {
            Some(seq) => {
                let mut schemas: Vec<usize> = seq.events.iter().map(|e| e.schema).collect();
                schemas.push(rule.schema);
                schemas.sort_unstable();
                schemas.dedup();
                schemas.into_iter().map(|s| (s, load::case_reads(program, rule, s))).collect()
            }
            None => vec![(rule.schema, load::group_reads(program, rule))],
        };
        let mut left = 0u64;
        for (schema, reads) in tables {
            let Some(info) = program.schemas.get(schema) else { continue };
            let reads: Vec<String> = reads.iter().map(|n| load::literal(n)).collect();
            let union = format!("precept_union_{schema}");
            // Only where some file of the schema holds such a value: otherwise nothing is read for it.
            let any = sources
                .iter()
                .zip(&reads_of)
                .any(|(s, r)| s.schema == schema && matches!(r, Read::View { bad: true, .. }));
            let bad = if reads.is_empty() || !any {
                "FALSE".to_string()
            } else {
                format!("list_has_any(precept_bad_fields, CAST([{}] AS VARCHAR[]))", reads.join(", "))
            };
            conn.execute_batch(&format!(
                "CREATE OR REPLACE VIEW {} AS SELECT * FROM {union} WHERE NOT ({bad});",
                d.ident(&info.name)
            ))
            .map_err(|e| failed("make the tables", &e))?;
            if bad != "FALSE" {
                let n: i64 = conn
                    .query_row(&format!("SELECT count(*) FROM {union} WHERE {bad}"), [], |row| row.get(0))
                    .map_err(|e| settings.explain(failed(&what, &e)))?;
                left += u64::try_from(n).unwrap_or(0);
            }
        }
        if left > 0 {
            crate::pipeline::add_left_out(program, out, vec![(*r, usize::try_from(left).unwrap_or(usize::MAX))]);
        }
        let mut take = |f: Option<crate::findings::Finding>| {
            if let Some(mut f) = f {
                let texts = (consumer.prepare)(&mut f);
                out.count(&f);
                (consumer.take)(f, texts);
            }
        };
        // Whether a finding was handed on before DuckDB stopped, if it did.
        let mut handed = false;
        let mut tally = crate::engine::obligation::Tally::default();
        let ran = if case {
            stream_raw(&conn, &query, |row| {
                handed = true;
                take(cases::row(program, catalogue, (*r, sources, left), &mut tally, row)?);
                Ok(())
            })
        } else {
            stream_raw(&conn, &query, |row| {
                handed = true;
                take(groups::finding(program, catalogue, (*r, sources, left), row)?);
                Ok(())
            })
        };
        // A rule DuckDB stopped on costs its own findings, never the other rules'.
        if let Err(e) = ran {
            if out_of_room(&e) {
                out.diagnostics.push(settings.explain(failed(&what, &e)));
            } else {
                let why = stopped::first_line(&e.to_string());
                out.diagnostics.extend(stopped::diag(program, *r, stopped::Lost::Groups(handed), &why));
            }
            continue;
        }
        if !case {
            continue;
        }
        // As the native engine reports them: obligations not yet due, those left out, and the
        // closings with nothing open.
        if tally.pending > 0 {
            out.pending.push((rule.id.clone(), tally.pending));
        }
        if tally.left_out > 0 {
            let n = usize::try_from(tally.left_out).unwrap_or(usize::MAX);
            crate::pipeline::add_left_out(program, out, vec![(*r, n)]);
        }
        let more: Vec<(usize, usize)> = match tally.stray_count.checked_sub(tally.strays.len()) {
            Some(n) if n > 0 => vec![(*r, n)],
            _ => Vec::new(),
        };
        let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
        out.diagnostics.extend(crate::pipeline::stray_diags(program, &names, &tally.strays, &more));
    }
    Ok(())
}

/// The run's temporary space: what the copies of the JSON Lines and CSV files took of it, and
/// all of it (DuckDB may spill what they leave).
struct Space {
    used: u64,
    budget: u64,
}

/// Bytes in a DuckDB size such as `4GiB`, `512MB`.
fn bytes(size: &str) -> Option<u64> {
    let size = size.trim();
    let split = size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len());
    let (n, unit) = size.split_at(split);
    let n: u64 = n.parse().ok()?;
    let unit: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// Make file `i`'s view and say how its records are to be checked: a JSON Lines or CSV file is
/// read by the native reader into a copy ([`open_copy`]); a Parquet file is read once to count its
/// records and report what the native engine would (read by no native reader). A file DuckDB
/// cannot read is a diagnostic naming it, and the other files are still checked; only DuckDB's
/// own failures (out of temporary space) stop the run.
fn open(
    conn: &duckdb::Connection,
    program: &Program,
    (i, source): (usize, &Source),
    settings: &Settings,
    space: &mut Space,
    out: &mut Outcome,
) -> Result<Read, Diag> {
    if matches!(source.kind, Kind::Jsonl | Kind::Csv) {
        return open_copy(conn, program, (i, source), settings, space, out);
    }
    let cannot = |e: &duckdb::Error, out: &mut Outcome| -> Result<Read, Diag> {
        let d = settings.explain(failed(&format!("read `{}`", source.name), e));
        if d.code == "precept::engine::duckdb" && d.message.contains("temporary space") {
            return Err(d);
        }
        out.diagnostics.push(unreadable_file(&source.name, e));
        Ok(Read::Not)
    };
    let header: Vec<String> = match parquet_columns(conn, source) {
        Ok(columns) => {
            if let Some(why) = load::wrong_types(program, source.schema, &columns) {
                out.diagnostics.push(unreadable_file(&source.name, &why));
                return Ok(Read::Not);
            }
            columns.into_iter().map(|(name, _)| name).collect()
        }
        Err(e) => {
            out.diagnostics.push(unreadable_file(&source.name, &e));
            return Ok(Read::Not);
        }
    };
    let view = match load::view(program, i, source, &header) {
        Ok(v) => v,
        Err(why) => {
            out.diagnostics.push(read_error(&source.name, &why));
            return Ok(Read::Not);
        }
    };
    let name = format!("precept_file_{i}");
    if let Err(e) = conn.execute_batch(&format!("CREATE VIEW {name} AS {};", view.select)) {
        return cannot(&e, out);
    }
    // One pass: the records, and those DuckDB cannot judge.
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE precept_bad OR precept_lacks), count(*) FILTER (WHERE precept_lacks) FROM {name}"
    );
    let counts =
        conn.query_row(&sql, [], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)));
    let (records, rescue, lacking) = match counts {
        Ok(n) => n,
        Err(e) => {
            let _ = conn.execute_batch(&format!("DROP VIEW IF EXISTS {name};"));
            return cannot(&e, out);
        }
    };
    // A record lacking a required value is skipped, as the native reader would skip it.
    out.records += usize::try_from(records - lacking).unwrap_or(0);
    if let (Some(problems), true) = (&view.problems, rescue > 0) {
        parquet_problems(conn, program, source, problems, settings, out)?;
    }
    let bad = rescue > lacking;
    Ok(Read::View {
        name,
        rescue: false,
        bad,
        lacks: lacking > 0,
        parts: Vec::new(),
        again: view.again.filter(|_| bad),
    })
}

/// Read JSON Lines or CSV file `i` with the native reader, in one streamed pass, into its copy in
/// the run's temporary folder ([`copy`]), and make its view over the copy: the records are those
/// the native reader accepts, with its values, and its diagnostics are the file's. Those holding a
/// value it could not read are judged by the native engine (`rescue`). A file whose copy cannot be
/// made (beyond 2^31 records or 2^32 lines) is judged natively whole, its records in no rule over
/// groups; copies beyond the run's temporary space stop the run.
fn open_copy(
    conn: &duckdb::Connection,
    program: &Program,
    (i, source): (usize, &Source),
    settings: &Settings,
    space: &mut Space,
    out: &mut Outcome,
) -> Result<Read, Diag> {
    let Some(file) = source.record_file() else { return Ok(Read::Not) };
    let to = |k: usize| settings.temp.join(format!("precept_copy_{i}_{k}.jsonl"));
    let made = match copy::write(program, &file, &to, (&mut space.used, space.budget)) {
        Ok(made) => made,
        Err(copy::Failed::Space) => {
            return Err(Diag::error(
                "precept::engine::duckdb",
                format!(
                    "the copies of the JSON Lines and CSV files DuckDB reads needed more than {} of temporary space, and the run stopped at `{}`",
                    settings.temp_limit, source.name
                ),
            )
            .help("check the files in smaller parts, or with the native engine (`--engine native`); docs/warehouse.md says what DuckDB keeps on disk"))
        }
        Err(copy::Failed::TooLong) => {
            // The parts written so far are removed with the temporary folder.
            out.diagnostics.extend(natively_read(program, source, "it has more than 2^31 records or 2^32 lines"));
            return Ok(Read::Natively);
        }
        Err(copy::Failed::Write(e)) => {
            return Err(Diag::error(
                "precept::engine::duckdb",
                format!("could not write the copy of `{}` DuckDB reads to the temporary folder: {e}", source.name),
            )
            .help("check that `TMPDIR` has room, or check the files with the native engine (`--engine native`)"))
        }
    };
    let view = load::copy_view(program, i, source, &made.parts, made.longest);
    let name = format!("precept_file_{i}");
    let mut sql = format!("CREATE VIEW {name} AS {};", view.select);
    // With more than one part, a view of each too, for the rules over single records.
    let mut parts = Vec::new();
    if made.parts.len() > 1 {
        for (k, part) in made.parts.iter().enumerate() {
            let view = load::copy_view(program, i, source, std::slice::from_ref(part), made.longest);
            let part_name = format!("precept_file_{i}_part_{k}");
            sql.push_str(&format!("\nCREATE VIEW {part_name} AS {};", view.select));
            parts.push(part_name);
        }
    }
    if let Err(e) = conn.execute_batch(&sql) {
        out.diagnostics.extend(natively_read(program, source, &e.to_string()));
        return Ok(Read::Natively);
    }
    out.diagnostics.extend(made.diagnostics);
    // The records judged natively are counted as they are judged.
    out.records += made.records - made.unread;
    let rescue = made.unread > 0;
    Ok(Read::View { name, rescue, bad: rescue, lacks: false, parts, again: None })
}

/// The diagnostic of a JSON Lines or CSV file DuckDB could not read, whose records the native
/// engine reads and judges instead (its own diagnostics say what is wrong, at the line); its
/// records are then in no rule over groups, which this says when its schema has such rules.
fn natively_read(program: &Program, source: &Source, why: &str) -> Option<Diag> {
    let info = program.schemas.get(source.schema)?;
    if info.group_rules.is_empty() {
        return None;
    }
    Some(
        Diag::error(
            "precept::engine::unreadable-file",
            format!(
                "DuckDB could not read `{}` ({why}): its records were checked by the native engine, but are in no rule over groups",
                source.name
            ),
        )
        .help("correct the problems reported in the file, or check it with the native engine (`--engine native`)"),
    )
}

/// A file DuckDB could not read at all (a Parquet file that is not one, or with a column of a
/// type that does not convert to the field's): an error naming it; the other files are checked.
fn unreadable_file(name: &str, e: &dyn std::fmt::Display) -> Diag {
    Diag::error("precept::engine::unreadable-file", format!("DuckDB could not read `{name}`: {e}"))
        .help("give the file the columns and types the schema names (docs/warehouse.md, \"The tables\"); the file was not checked")
}

/// The values of Parquet file `source` that did not convert, and the required ones absent, each a
/// diagnostic at the file and row as the native reader reports a record's (`precept::input::*`),
/// at most [`crate::pipeline::MAX_DIAGNOSTICS_PER_FILE`] of them, the rest counted.
fn parquet_problems(
    conn: &duckdb::Connection,
    program: &Program,
    source: &Source,
    sql: &str,
    settings: &Settings,
    out: &mut Outcome,
) -> Result<(), Diag> {
    let what = format!("read `{}`", source.name);
    let mut shown = 0usize;
    let mut more = 0usize;
    stream(conn, sql, &what, settings, |row| {
        if shown >= crate::pipeline::MAX_DIAGNOSTICS_PER_FILE {
            more += 1;
            return Ok(());
        }
        shown += 1;
        let at: i64 = row.get(0)?;
        let field: String = row.get(1)?;
        let value: Option<String> = row.get(2)?;
        let line = usize::try_from(at).unwrap_or(1).max(1);
        let place = crate::source::SourceFile::excerpt(source.name.as_str(), std::sync::Arc::<str>::from(""), line);
        let d = match value {
            Some(v) => Diag::error(
                "precept::input::invalid-value",
                format!("`{field}` is not {}: `{}`", what_it_is(program, source.schema, &field), clip(&v)),
            )
            .at(&place, crate::source::Span::new(0, 0), format!("row {line}"))
            .help("write the value in the column's type (docs/warehouse.md, \"The tables\"); rules over single records that depend on this value cannot be determined for the record"),
            None => Diag::error("precept::input::missing-field", format!("record is missing required field `{field}`"))
                .at(&place, crate::source::Span::new(0, 0), format!("row {line}"))
                .help("give the record a value, or declare the field optional with `?` in the schema; the record was skipped"),
        };
        out.diagnostics.push(d);
        Ok(())
    })?;
    if more > 0 {
        out.diagnostics.push(
            Diag::error(
                "precept::input::more-problems",
                format!("{more} more problems in `{}` are not shown", source.name),
            )
            .help("correct the ones shown and check again"),
        );
    }
    Ok(())
}

/// A record judged natively (whether it has a finding, and its findings): counted in `out`, its
/// findings handed to `take`.
fn hand_on(
    (seen, found): (Option<bool>, Vec<(crate::findings::Finding, Vec<String>)>),
    out: &mut Outcome,
    take: &mut dyn FnMut(crate::findings::Finding, Vec<String>),
) {
    if let Some(seen) = seen {
        out.tally.record_seen(seen);
    }
    for (f, texts) in found {
        out.count(&f);
        take(f, texts);
    }
}

/// What a value of field `field` (a dotted path) of `schema` must be, for a diagnostic.
fn what_it_is(program: &Program, schema: usize, field: &str) -> &'static str {
    use crate::engine::types::Ty;
    // An element of a list, named by its index (`stamps[1]`): what the list's elements are.
    let element = field.strip_suffix(']').and_then(|f| f.rsplit_once('[')).map(|(list, _)| list);
    let ty = program.schemas.get(schema).and_then(|s| field_type(program, s.shape, element.unwrap_or(field)));
    match (ty, element) {
        (Some(Ty::List(inner)), Some(_)) => what_a_value_is(&inner),
        (Some(ty), None) => what_a_value_is(&ty),
        _ => "a value of its type",
    }
}

/// What a value of type `ty` must be, for a diagnostic.
fn what_a_value_is(ty: &crate::engine::types::Ty) -> &'static str {
    use crate::engine::types::Ty;
    match ty {
        Ty::Int => "a whole number",
        Ty::Dec => "a decimal of at most 10 places",
        Ty::Money(_) => "an amount of at most 10 places",
        Ty::Bool => "true or false",
        Ty::Date => "a date",
        Ty::DateTime => "a datetime",
        Ty::Duration => "a duration",
        Ty::Enum(_) => "one of its values",
        Ty::List(_) => "a list of values of its type",
        _ => "a value of its type",
    }
}

/// The type of field `path` (dotted) of shape `shape`.
fn field_type(program: &Program, shape: usize, path: &str) -> Option<crate::engine::types::Ty> {
    use crate::engine::types::Ty;
    let (first, rest) = match path.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (path, None),
    };
    let f = program.shapes.get(shape)?.fields.iter().find(|f| f.name == first)?;
    match (rest, &f.ty) {
        (None, ty) => Some(ty.clone()),
        (Some(rest), Ty::Object(inner)) => field_type(program, *inner, rest),
        _ => None,
    }
}

/// At most 80 characters of `s`, for a diagnostic.
fn clip(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(79).collect::<String>())
    }
}

/// Records a reading thread hands on one batch at a time, in the order of a key that grows
/// through the file (a record's position, or its line): the batch being taken from and the
/// channel of the next, so at most two batches are held. What both readers of records share: the
/// native reader's ([`Reader`]) and the Parquet reader's again ([`again::Reader`]).
struct Batches {
    next: std::sync::mpsc::Receiver<Vec<crate::data::ReadRecord>>,
    batch: std::collections::VecDeque<crate::data::ReadRecord>,
}

impl Batches {
    fn new(next: std::sync::mpsc::Receiver<Vec<crate::data::ReadRecord>>) -> Batches {
        Batches { next, batch: std::collections::VecDeque::new() }
    }

    /// The record whose `key` is `wanted`, skipping those before it; `None` when the next record
    /// is past it (none has that key) or there is none.
    fn take(
        &mut self,
        key: impl Fn(&crate::data::ReadRecord) -> usize,
        wanted: usize,
    ) -> Option<crate::data::ReadRecord> {
        loop {
            while let Some(rec) = self.batch.front() {
                match key(rec).cmp(&wanted) {
                    std::cmp::Ordering::Less => {
                        self.batch.pop_front();
                    }
                    std::cmp::Ordering::Equal => return self.batch.pop_front(),
                    std::cmp::Ordering::Greater => return None,
                }
            }
            self.batch = self.next.recv().ok()?.into();
        }
    }
}

/// The native reader of one file, on a thread of its own, handing its records on one batch at a
/// time, for the records DuckDB could not judge.
struct Reader<'s> {
    batches: Batches,
    thread: std::thread::ScopedJoinHandle<'s, Vec<Diag>>,
}

impl<'s> Reader<'s> {
    fn start<'e>(
        scope: &'s std::thread::Scope<'s, 'e>,
        file: &'e crate::data::RecordFile,
        program: &'e Program,
    ) -> Reader<'s> {
        let (send, batches) = std::sync::mpsc::sync_channel(1);
        let thread = scope.spawn(move || {
            crate::data::read_file(file, program, crate::pipeline::BATCH, &mut |batch| {
                // Once the receiver is gone, the rest of the file is read for its diagnostics only.
                let _ = send.send(batch);
            })
        });
        Reader { batches: Batches::new(batches), thread }
    }

    /// The record of the file at `ordinal` (from 0), skipping those before it; `None` when the
    /// native reader skipped it too (it reports why).
    fn take(&mut self, ordinal: usize) -> Option<crate::data::ReadRecord> {
        self.batches.take(|rec| rec.ordinal, ordinal)
    }

    /// The reader's diagnostics, once it has read the whole file.
    fn finish(self) -> Vec<Diag> {
        drop(self.batches);
        self.thread.join().unwrap_or_else(|_| {
            vec![Diag::error("precept::engine::duckdb", "the native reader stopped unexpectedly")
                .help("check the file with the native engine (`--engine native`)")]
        })
    }
}

/// Run `sql`, handing each row of its result to `each` as DuckDB makes it: the result is
/// streamed, never held whole.
fn stream(
    conn: &duckdb::Connection,
    sql: &str,
    what: &str,
    settings: &Settings,
    each: impl FnMut(&duckdb::Row<'_>) -> Result<(), duckdb::Error>,
) -> Result<(), Diag> {
    stream_raw(conn, sql, each).map_err(|e| settings.explain(failed(what, &e)))
}

/// [`stream`], with DuckDB's error as it gave it.
fn stream_raw(
    conn: &duckdb::Connection,
    sql: &str,
    mut each: impl FnMut(&duckdb::Row<'_>) -> Result<(), duckdb::Error>,
) -> Result<(), duckdb::Error> {
    let mut stmt = conn.prepare(sql)?;
    // Executed as a stream; its chunks are then read one by one through `raw_query`.
    drop(stmt.stream_arrow([])?);
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        each(row)?;
    }
    Ok(())
}

/// Whether DuckDB stopped for want of memory or temporary space, not over a rule: running the
/// rules again one by one would only spill again.
fn out_of_room(e: &duckdb::Error) -> bool {
    let e = e.to_string();
    e.contains(TEMP_SPACE_SPENT) || e.contains("Out of Memory")
}

/// What DuckDB's error says when it spilled all the temporary space it was given.
const TEMP_SPACE_SPENT: &str = "max_temp_directory_size";

/// The query of one part of a file's findings: the rules' `selects` (each a rule's rows), and
/// `rescued`, the records judged natively, in record and rule order; `None` when there is neither.
fn findings_query(selects: &[&str], rescued: Option<&str>) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if !selects.is_empty() {
        parts.push(format!(
            "SELECT precept_rule, precept_file, precept_row, record_id, field, CAST(to_json(message_values) AS VARCHAR) AS precept_values, \
             precept_staff, precept_team, CAST(precept_day AS VARCHAR) AS precept_day, \
             CAST(to_json(precept_why) AS VARCHAR) AS precept_whys FROM ({})",
            selects.join("\nUNION ALL\n")
        ));
    }
    parts.extend(rescued.map(str::to_string));
    (!parts.is_empty())
        .then(|| format!("SELECT * FROM ({}) ORDER BY precept_row, precept_rule", parts.join("\nUNION ALL\n")))
}

/// The line (the row, in Parquet) of the first record of part `slice` of a file of `kind`.
fn part_start(conn: &duckdb::Connection, slice: &str, kind: Kind) -> Option<usize> {
    let row: Option<i64> =
        conn.query_row(&format!("SELECT min(precept_row) FROM {slice}"), [], |row| row.get(0)).ok()?;
    Some(placed(kind, row?).1)
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

/// A schema with no files: an empty table `name` of its columns, so that its rules find nothing.
fn empty_table(program: &Program, schema: usize, name: &str) -> String {
    let d = Dialect::DuckDb;
    if program.schemas.get(schema).is_none() {
        return String::new();
    }
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
            "precept_bad BOOLEAN",
            "precept_lacks BOOLEAN",
            "precept_bad_fields VARCHAR[]",
            "precept_unheld_fields VARCHAR[]",
        ]
        .map(String::from),
    );
    format!("CREATE TABLE {name} ({});", cols.join(", "))
}

fn read_error(name: &str, why: &str) -> Diag {
    Diag::error("precept::engine::unsupported-file", format!("`{name}` cannot be read by `--engine duckdb`: {why}"))
        .help("give the file the columns the schema names (docs/warehouse.md, \"The tables\"), or check it with the native engine")
}

/// The columns a Parquet file has, and their types, from its metadata.
fn parquet_columns(conn: &duckdb::Connection, source: &Source) -> Result<Vec<(String, String)>, duckdb::Error> {
    let sql = format!(
        "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({}))",
        load::literal(&source.path.to_string_lossy())
    );
    let mut stmt = conn.prepare(&sql)?;
    let names = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
    names.collect()
}
