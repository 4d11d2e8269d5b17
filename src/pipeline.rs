//! The whole `check` job as a library call: find record files, stream them through the engine, and
//! turn hits into located [`Finding`]s, handed to a sink as each file is finished.
//!
//! Records are evaluated in parallel batches; findings keep file order, then record order, then
//! rule order, so reports are byte-identical whatever the thread count. Memory stays flat as files
//! grow: a JSON Lines or CSV file is never held whole, and a finding in one carries only its own
//! line of text.

use std::path::PathBuf;
use std::sync::Arc;

use crate::data::{self, RecordFile};
use crate::diagnostics::Diag;
use crate::engine::authority::{Authority, Evidence};
use crate::engine::blame::{path_text, Step};
use crate::engine::group::{GroupHit, Groups, Sample};
use crate::engine::run::{check_record, Hit};
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// Records per parallel batch: large enough to keep every core busy, small enough that the four
/// batches in flight (read, checked, handed on, and the next being filled) stay a few megabytes.
/// With half its records breaking a rule, a batch holds about 5 KB per record (values, record
/// text, findings and their report texts): 2,048 took the 1,000,000-record run over 100 MiB.
pub const BATCH: usize = 1024;

pub use crate::data::{Select, MAX_DIAGNOSTICS_PER_FILE};

use crate::findings::{Catalogue, Subject};
pub use crate::findings::{Finding, GroupFinding, Outcome, SampleRef, Standing, Tally, UnreadableNote, WaiverNote};

/// Count the records of a batch with findings and with cannot-determine outcomes only; `hits`
/// are in record order.
fn records_seen(tally: &mut Tally, hits: &[crate::engine::run::Hit]) {
    let mut i = 0;
    while let Some(first) = hits.get(i) {
        let same = hits.get(i..).map_or(0, |rest| rest.iter().take_while(|h| h.record == first.record).count());
        let of_record = hits.get(i..i + same).unwrap_or(&[]);
        tally.record_seen(of_record.iter().any(|h| h.unreadable.is_none()));
        i += same.max(1);
    }
}

/// The blame, message and standing of a rule that cannot be determined for `rec` because of its
/// unreadable value `i`: placed at that value, where the input diagnostic is.
fn undetermined(
    program: &Program,
    schema: usize,
    rec: &data::ReadRecord,
    i: u32,
) -> (Vec<Step>, String, Standing, bool) {
    let shape = program.schemas.get(schema).map_or(0, |s| s.shape);
    match rec.unreadable(i) {
        Some(note) => {
            // The value it quotes is hashed when its field is redacted, as in the input diagnostic.
            let mut message = note.message.clone();
            let hidden = crate::engine::redact::problem_message(program, &mut message);
            (
                note.path.clone(),
                format!("cannot be determined: {message}"),
                Standing::Undetermined(UnreadableNote {
                    code: crate::data::codes::INVALID_VALUE,
                    message,
                    field: path_text(program, shape, &note.path),
                }),
                hidden,
            )
        }
        None => (
            Vec::new(),
            "cannot be determined: a value it depends on could not be read".to_string(),
            Standing::Undetermined(UnreadableNote {
                code: crate::data::codes::INVALID_VALUE,
                message: "a value of the record could not be read".to_string(),
                field: String::new(),
            }),
            false,
        ),
    }
}

struct Pending {
    rule: usize,
    subject: Subject,
    ordinal: usize,
    line: usize,
    masks: Vec<String>,
    record_id: Option<String>,
    staff: Option<String>,
    team: Option<String>,
    day: Option<jiff::civil::Date>,
    message: String,
    help: Option<String>,
    blame: Vec<Step>,
    evidence: Vec<Evidence>,
    standing: Standing,
    /// The place it points at is a redacted value that could not be read: shown blank, since no
    /// mask knows the text it was written as.
    hidden: bool,
}

/// Check every record file under `paths` (skipping anything inside `exclude`, such as the policy
/// folders themselves) against `program`, collecting the findings.
pub fn check_paths(
    program: &Program,
    authority: Option<&dyn Authority>,
    paths: &[PathBuf],
    select: &Select,
) -> (Outcome, Vec<Finding>) {
    let mut findings = Vec::new();
    let outcome = check_paths_with(program, authority, paths, select, &mut |f| findings.push(f));
    (outcome, findings)
}

/// Check every record file under `paths` against `program`, handing each finding to `sink` in
/// file, record and rule order as soon as its file is done.
///
/// Rules that ask about staff and roles need an `authority` (the role files); without one they are
/// not run, and a warning names them so the gap is never silent.
pub fn check_paths_with(
    program: &Program,
    authority: Option<&dyn Authority>,
    paths: &[PathBuf],
    select: &Select,
    sink: &mut dyn FnMut(Finding),
) -> Outcome {
    let (mut files, diagnostics) = data::discover(paths, program);
    files.retain(|f| select.keeps(f.place(), &f.name));
    check_files(program, authority, files, diagnostics, sink)
}

/// Check the record `files` (each already assigned its schema) against `program`, with the
/// problems found finding them; findings go to `sink` in file, record and rule order.
pub fn check_files(
    program: &Program,
    authority: Option<&dyn Authority>,
    files: Vec<RecordFile>,
    diagnostics: Vec<Diag>,
    sink: &mut dyn FnMut(Finding),
) -> Outcome {
    let mut take = |f: Finding, _: Vec<String>| sink(f);
    check_files_with(
        program,
        authority,
        files,
        diagnostics,
        &mut Consumer { prepare: &|_| Vec::new(), take: &mut take },
    )
}

/// Check the record `files` against `program`, as [`check_files`], each finding prepared on a
/// worker thread and then taken in order by `consumer`.
pub fn check_files_with(
    program: &Program,
    authority: Option<&dyn Authority>,
    files: Vec<RecordFile>,
    diagnostics: Vec<Diag>,
    consumer: &mut Consumer<'_>,
) -> Outcome {
    let rules = Catalogue::of(program, authority.is_some());
    let mut out =
        Outcome { diagnostics, files: files.len(), evaluation: program.evaluation.clone(), ..Outcome::default() };
    if program.evaluation.is_none() {
        // `now` has no value without an evaluation time, and is never the clock: nothing is judged.
        if let Some(d) = crate::engine::as_of::no_as_of(program) {
            out.diagnostics.push(d);
            crate::diagnostics::sort(&mut out.diagnostics);
            return out;
        }
    }
    if authority.is_none() {
        if let Some(d) = roles_needed(program) {
            out.diagnostics.push(d);
        }
    }
    let mut groups = Groups::new(program);
    for (index, file) in files.iter().enumerate() {
        check_file(program, &rules, authority, (index, file), &mut groups, &mut out, consumer);
        crate::progress::CHECKED.file_done();
    }
    if !groups.is_empty() {
        add_left_out(program, &mut out, groups.left_out());
        let judged = groups.finish(program, authority);
        add_left_out(program, &mut out, judged.left_out);
        out.pending =
            judged.pending.into_iter().filter_map(|(r, n)| Some((program.rules.get(r)?.id.clone(), n))).collect();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        out.diagnostics.extend(stray_diags(program, &names, &judged.strays, &judged.more_strays));
        for hit in judged.hits {
            if let Some(mut f) = group_finding(program, &rules, &names, hit) {
                let texts = (consumer.prepare)(&mut f);
                out.count(&f);
                (consumer.take)(f, texts);
            }
        }
    }
    no_records(&mut out, "`.jsonl`, `.json`, `.toml` or `.csv`");
    crate::diagnostics::sort(&mut out.diagnostics);
    out
}

/// `precept::input::no-records` when a run checked no record and nothing else failed: nothing
/// could be checked, which is not a clean run. `formats` names the files the engine reads.
pub(crate) fn no_records(out: &mut Outcome, formats: &str) {
    if out.records == 0 && !out.diagnostics.iter().any(Diag::is_error) {
        let message = if out.files == 0 {
            "no record files found".to_string()
        } else {
            format!("no records found in {} record files", out.files)
        };
        out.diagnostics.push(
            Diag::error("precept::input::no-records", message)
                .help(format!("pass files or folders holding {formats} records")),
        );
    }
}

/// Count the records each group rule left out (a value they needed could not be read), by rule id;
/// versions of one rule add up.
pub(crate) fn add_left_out(program: &Program, out: &mut Outcome, left_out: Vec<(usize, usize)>) {
    for (ri, n) in left_out {
        let Some(rule) = program.rules.get(ri) else { continue };
        match out.left_out.iter_mut().find(|(id, _)| *id == rule.id) {
            Some((_, m)) => *m += n,
            None => out.left_out.push((rule.id.clone(), n)),
        }
    }
}

/// `precept::case::close-before-open`: a warning per closing with nothing open (before its case's
/// opening, after its obligation was closed, or in a case never opened), naming the case and the
/// records, for the first [`crate::engine::obligation::MAX_STRAYS_KEPT`] per rule; `more` counts the
/// rest per rule, each count one more warning.
pub(crate) fn stray_diags(
    program: &Program,
    files: &[&str],
    strays: &[crate::engine::obligation::Stray],
    more: &[(usize, usize)],
) -> Vec<Diag> {
    const CODE: &str = "precept::case::close-before-open";
    let mut out = Vec::new();
    for st in strays {
        let Some(rule) = program.rules.get(st.rule) else { continue };
        // As in the rule's findings: times in the zone of its calendar, a day written as a date
        // as that date.
        let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
        let when = |e: &crate::engine::obligation::Event| {
            use crate::engine::{types::Ty, value::V};
            let mut s = String::new();
            match e.whole_day {
                Some(d) => crate::engine::format::value(&mut s, program, &Ty::Date, V::Date(d)),
                None => crate::engine::format::value(
                    &mut s,
                    program,
                    &Ty::DateTime,
                    crate::engine::run::in_zone(V::DateTime(e.at, e.offset), zone),
                ),
            }
            let file = files.get(e.place.0 as usize).copied().unwrap_or("?");
            format!("{s} ({file} line {})", e.place.1)
        };
        let (what, help) = match (&st.previous_close, &st.next_open) {
            (Some(prev), _) => (
                format!("is closed again at {}, after its obligation was closed at {}", when(&st.close), when(prev)),
                "a second closing record of a case (a repeated response) discharges nothing; nothing is judged from it",
            ),
            (None, Some(open)) => (
                format!("is closed at {}, before it is opened at {}", when(&st.close), when(open)),
                "the closing does not count for the later opening, whose obligation is judged without it; check the two records' times (a time zone or a typing error?)",
            ),
            (None, None) => (
                format!("is closed at {}, but never opened", when(&st.close)),
                "no record of the case opens it, so nothing is judged; check the rule's `opens` clause against this case's records",
            ),
        };
        out.push(
            Diag::warning(CODE, format!("case {} of rule `{}` {what}", st.key, rule.id))
                .at(&rule.file, rule.id_span, format!("case {}", st.key))
                .help(help),
        );
    }
    for &(ri, n) in more {
        let Some(rule) = program.rules.get(ri) else { continue };
        out.push(
            Diag::warning(CODE, format!("{n} more closings with nothing open in cases of rule `{}`", rule.id))
                .at(&rule.file, rule.id_span, "not shown")
                .help("the first ones are shown above"),
        );
    }
    out
}

/// The warning for rules over records that ask about roles, when no role files were given.
fn roles_needed(program: &Program) -> Option<Diag> {
    let skipped: Vec<&crate::engine::program::CompiledRule> = program
        .rules
        .iter()
        .filter(|r| r.uses_roles && program.schemas.get(r.schema).is_some_and(|s| !s.builtin))
        .collect();
    let first = skipped.first()?;
    let names: Vec<String> = skipped.iter().map(|r| format!("`{}`", r.id)).collect();
    Some(
        Diag::warning(
            "precept::usage::no-roles",
            format!(
                "{} rule{} not checked: {} ask{} about staff and roles, and no role files were given",
                skipped.len(),
                if skipped.len() == 1 { " was" } else { "s were" },
                names.join(", "),
                if skipped.len() == 1 { "s" } else { "" },
            ),
        )
        .at(&first.file, first.id_span, "needs role files")
        .help("pass the folder of role and staff files with `--roles DIR`"),
    )
}

/// A group rule's finding, placed at the clause it broke in the policy file.
pub(crate) fn group_finding(program: &Program, rules: &Catalogue, files: &[&str], hit: GroupHit) -> Option<Finding> {
    let rule = program.rules.get(hit.rule)?;
    let spec = rule.group.as_ref()?;
    let span = match hit.require {
        Some(r) => rule.require_spans.get(r).copied().unwrap_or(spec.span),
        None => spec.presence.as_ref().map_or(spec.span, |p| p.span),
    };
    // A case is named by its key alone; a group by each part of its key.
    let case = spec.sequence.is_some();
    let key = match hit.key.as_slice() {
        [(_, v)] if case => v.clone(),
        parts => parts.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "),
    };
    let samples = hit
        .samples
        .into_iter()
        .map(|s| SampleRef {
            file: files.get(s.file).map(|f| f.to_string()).unwrap_or_default(),
            line: s.line,
            record: s.id,
        })
        .collect();
    // A group keyed by the schema's staff or team field (or a part named `staff` or `team`) is
    // about that member of staff or team, for waivers.
    let schema = program.schemas.get(rule.schema);
    let field_name = |slot: Option<usize>| {
        let shape = program.shapes.get(schema?.shape)?;
        Some(shape.fields.get(slot?)?.name.as_str())
    };
    let (staff_name, team_name) =
        (field_name(schema.and_then(|s| s.staff_field)), field_name(schema.and_then(|s| s.team_field)));
    let part = |names: [Option<&str>; 2]| {
        hit.key.iter().find(|(k, _)| names.iter().flatten().any(|n| n == k)).map(|(_, v)| v.clone())
    };
    let (staff, team) = (part([Some("staff"), staff_name]), part([Some("team"), team_name]));
    let p = Pending {
        rule: hit.rule,
        subject: if case { Subject::Case } else { Subject::Group },
        ordinal: 0,
        line: 0,
        masks: Vec::new(),
        staff,
        team,
        day: None,
        record_id: Some(key),
        message: hit.message,
        help: hit.help,
        blame: Vec::new(),
        evidence: hit.evidence,
        standing: Standing::Active,
        hidden: false,
    };
    let mut f = finding(program, rules, p, rule.file.clone(), span, false)?;
    f.group = Some(GroupFinding { key: hit.key, samples });
    Some(f)
}

/// What a check does with each finding, in two steps: [`Consumer::prepare`] runs on a worker thread
/// as soon as the finding is made (to mark its standing and write its text in each report, the
/// costly part), and [`Consumer::take`] on one thread, in file, record and rule order, with what
/// `prepare` made (to count it and append the texts). Splitting them is what lets findings be
/// formatted on every core while reports stay byte-identical whatever the thread count.
pub struct Consumer<'a> {
    /// On any thread, as soon as a finding is made.
    pub prepare: &'a (dyn Fn(&mut Finding) -> Vec<String> + Sync),
    /// In order, on the thread that called the check.
    pub take: &'a mut dyn FnMut(Finding, Vec<String>),
}

/// One record checked: whether it has a finding (`None`: nothing at all), its findings placed and
/// prepared, and those still to be placed (in a file read whole).
type RecordDone = (Option<bool>, Vec<(Finding, Vec<String>)>, Vec<Pending>);

/// Where the findings of one file are placed and how they are handed on.
struct Place<'a> {
    program: &'a Program,
    rules: &'a Catalogue,
    authority: Option<&'a dyn Authority>,
    file: &'a RecordFile,
    name: Arc<str>,
    prepare: &'a (dyn Fn(&mut Finding) -> Vec<String> + Sync),
    /// The rules whose outcomes are kept (`None`: all): `--engine duckdb` judges here only the
    /// records DuckDB could not, and only by the rules DuckDB runs.
    keep: Option<&'a (dyn Fn(usize) -> bool + Sync)>,
}

impl Place<'_> {
    /// Check one record on the worker thread that has just parsed it (its values still in that
    /// core's cache), and place and prepare its findings from the record's own text kept while
    /// reading, so nothing here waits for another record or reads the file again.
    fn check(&self, rec: &data::ReadRecord) -> RecordDone {
        let mut hits = Vec::new();
        check_record(self.program, self.authority, self.file.schema, 0, &rec.values, &mut hits);
        if let Some(keep) = self.keep {
            hits.retain(|h| keep(h.rule));
        }
        if hits.is_empty() {
            return (None, Vec::new(), Vec::new());
        }
        // Rule order within the record, whatever order the rules were judged in.
        hits.sort_by_key(|h| h.rule);
        let seen = hits.iter().any(|h| h.unreadable.is_none());
        let pending = self.pending(rec, hits);
        let Some(raw) = &rec.raw else { return (Some(seen), Vec::new(), pending) };
        let source = data::locator::record_source(self.name.clone(), rec.line, raw);
        // The record is scanned once for all its findings.
        let mut scanned = Default::default();
        let found = pending
            .into_iter()
            .filter_map(|p| {
                let span = data::locator::span_in_record(
                    self.program,
                    self.file,
                    (raw.header(), raw.keys_at()),
                    &source,
                    &p.blame,
                    &mut scanned,
                );
                let toml = self.file.format == data::Format::Toml;
                let mut f = finding(self.program, self.rules, p, source.clone(), span, toml)?;
                let texts = (self.prepare)(&mut f);
                Some((f, texts))
            })
            .collect();
        (Some(seen), found, Vec::new())
    }

    /// The findings of record `rec` from its `hits`, to be placed. The record's id, staff and team
    /// are cloned for every finding but its last, which takes them: most records that break a rule
    /// break one.
    fn pending(&self, rec: &data::ReadRecord, hits: Vec<Hit>) -> Vec<Pending> {
        let (program, schema) = (self.program, self.file.schema);
        let (mut staff, mut team) = data::staff_and_team(program, schema, &rec.values);
        let mut masks = if program.redacting {
            crate::engine::redact::values_to_mask(program, schema, &rec.values)
        } else {
            Vec::new()
        };
        let mut record_id = data::record_id(program, schema, &rec.values);
        let day = record_day(program, schema, &rec.values);
        let last = hits.len().saturating_sub(1);
        let mut out = Vec::with_capacity(hits.len());
        for (i, hit) in hits.into_iter().enumerate() {
            let (blame, message, standing, hidden) = match hit.unreadable {
                None => (hit.blame, hit.message, Standing::Active, false),
                Some(u) => undetermined(program, schema, rec, u),
            };
            let own = |text: &mut Option<String>| if i == last { text.take() } else { text.clone() };
            out.push(Pending {
                rule: hit.rule,
                subject: Subject::Record,
                ordinal: rec.ordinal,
                line: rec.line,
                masks: if i == last { std::mem::take(&mut masks) } else { masks.clone() },
                staff: own(&mut staff),
                team: own(&mut team),
                day,
                record_id: own(&mut record_id),
                message,
                help: hit.help,
                blame,
                evidence: hit.evidence,
                standing,
                hidden,
            });
        }
        out
    }
}

/// The in-order part of a batch: count its records, fold them into the rules over groups, and
/// hand its findings on.
#[allow(clippy::too_many_arguments)]
fn consume(
    place: &Place<'_>,
    index: usize,
    (batch, done): (Vec<data::ReadRecord>, Vec<RecordDone>),
    groups: &mut Groups,
    out: &mut Outcome,
    take: &mut dyn FnMut(Finding, Vec<String>),
    whole: &mut Vec<Pending>,
    free: Option<&std::sync::mpsc::SyncSender<Vec<data::ReadRecord>>>,
) {
    let (program, file) = (place.program, place.file);
    out.records += batch.len();
    crate::progress::CHECKED.records_done(batch.len());
    if !groups.is_empty() {
        for rec in &batch {
            groups.add(program, place.authority, file.schema, &rec.values, (index, rec.line), &mut || Sample {
                file: index,
                ordinal: rec.ordinal,
                line: rec.line,
                id: data::record_id(program, file.schema, &rec.values),
            });
        }
    }
    // Freed elsewhere when there is a thread for it (see `check_file`).
    match free {
        // (Should that thread be gone, the batch comes back in the error, freed with it here.)
        Some(free) => drop(free.send(batch)),
        None => drop(batch),
    }
    for (seen, found, mut later) in done {
        if let Some(seen) = seen {
            out.tally.record_seen(seen);
        }
        for (f, texts) in found {
            out.count(&f);
            take(f, texts);
        }
        whole.append(&mut later);
    }
}

fn check_file(
    program: &Program,
    rules: &Catalogue,
    authority: Option<&dyn Authority>,
    (index, file): (usize, &RecordFile),
    groups: &mut Groups,
    out: &mut Outcome,
    consumer: &mut Consumer<'_>,
) {
    let place = Place {
        program,
        rules,
        authority,
        file,
        name: file.name.as_str().into(),
        prepare: consumer.prepare,
        keep: None,
    };
    let take = &mut *consumer.take;
    // A file read whole (JSON, TOML) has its findings placed once the reader is done with its
    // text, so that it is never held twice.
    let mut whole: Vec<Pending> = Vec::new();
    // On a worker thread of the pool already (a library caller checking from `par_iter`), the
    // reader's parallel parsing could wait for a worker while every worker waits for its reader:
    // the batches are then read, checked and handed on in turn (parsing and checking still
    // parallel).
    let in_turn = rayon::current_num_threads() <= 1 || rayon::current_thread_index().is_some();
    let check = |rec: &data::ReadRecord| place.check(rec);
    let mut diags = if in_turn {
        // One thread: each batch is read, checked and handed on in turn.
        data::read_file_with(file, program, BATCH, &check, &mut |batch, done| {
            consume(&place, index, (batch, done), groups, out, take, &mut whole, None);
        })
    } else {
        // The file is read, parsed and checked on a thread of its own (parsing and checking across
        // the worker threads), one batch ahead; batch k is handed on here, in order, while batch
        // k+1 is being read. The records of a batch handed on are freed on a thread of their own.
        std::thread::scope(|s| {
            let (batches, received) = std::sync::mpsc::sync_channel(0);
            // Freeing a batch's records is a twentieth of a run. Not here, which everything else
            // waits for; nor as a job of the worker pool: a worker waiting for the rest of a
            // chunk's parsing takes other jobs meanwhile, and one that took a batch to free held
            // the chunk (and the other workers) a millisecond. Two batches wait at most, so
            // memory stays bounded however far behind the freeing falls.
            let (freeing, to_free) = std::sync::mpsc::sync_channel::<Vec<data::ReadRecord>>(2);
            s.spawn(move || to_free.into_iter().for_each(drop));
            let reader = s.spawn(|| {
                data::read_file_with(file, program, BATCH, &check, &mut move |batch, done| {
                    // The receiver only goes away when this thread's scope ends.
                    let _ = batches.send((batch, done));
                })
            });
            for batch in received {
                consume(&place, index, batch, groups, out, take, &mut whole, Some(&freeing));
            }
            drop(freeing);
            match reader.join() {
                Ok(diags) => diags,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    };
    out.diagnostics.append(&mut diags);
    let mut locator = data::Locator::new(file);
    for p in whole {
        let at = locator.locate(program, p.ordinal, p.line, &p.blame);
        if let Some(mut f) = finding(program, rules, p, at.file, at.span, file.format == data::Format::Toml) {
            let texts = (place.prepare)(&mut f);
            out.count(&f);
            take(f, texts);
        }
    }
}

/// Records of a streamed `file` (JSON Lines or CSV) judged by the native engine, for `precept
/// check --engine duckdb`: the records whose values DuckDB could not convert, and the files it
/// could not read at all. Only the outcomes of the rules `keep` keeps are made; rules over groups
/// are not judged here.
#[cfg(feature = "duckdb")]
pub(crate) struct Natively<'a> {
    place: Place<'a>,
}

#[cfg(feature = "duckdb")]
impl<'a> Natively<'a> {
    /// For the records of `file`.
    pub(crate) fn new(
        program: &'a Program,
        rules: &'a Catalogue,
        authority: Option<&'a dyn Authority>,
        file: &'a RecordFile,
        prepare: &'a (dyn Fn(&mut Finding) -> Vec<String> + Sync),
        keep: &'a (dyn Fn(usize) -> bool + Sync),
    ) -> Natively<'a> {
        let name = file.name.as_str().into();
        Natively { place: Place { program, rules, authority, file, name, prepare, keep: Some(keep) } }
    }

    /// Judge record `rec`: whether it has a finding (`None`: no outcome at all, `Some(false)`: only
    /// outcomes that cannot be determined), and its findings, placed and prepared, in rule order.
    pub(crate) fn check(&self, rec: &data::ReadRecord) -> (Option<bool>, Vec<(Finding, Vec<String>)>) {
        let (seen, found, _) = self.place.check(rec);
        (seen, found)
    }

    /// Judge record `rec`, which has no text of its own (a Parquet row): as [`Natively::check`],
    /// its findings placed at its line, with no excerpt.
    pub(crate) fn check_at_line(&self, rec: &data::ReadRecord) -> (Option<bool>, Vec<(Finding, Vec<String>)>) {
        let (seen, mut found, pending) = self.place.check(rec);
        let file = SourceFile::excerpt(&*self.place.name, Arc::<str>::from(""), rec.line);
        for p in pending {
            if let Some(mut f) = finding(self.place.program, self.place.rules, p, file.clone(), Span::new(0, 0), false)
            {
                let texts = (self.place.prepare)(&mut f);
                found.push((f, texts));
            }
        }
        (seen, found)
    }

    /// Read and judge every record of the file, in order, counting them in `out` and handing each
    /// finding to `take`; the reader's diagnostics are added to `out`.
    pub(crate) fn all(&self, out: &mut Outcome, take: &mut dyn FnMut(Finding, Vec<String>)) {
        let check = |rec: &data::ReadRecord| self.check(rec);
        let mut diags = data::read_file_with(self.place.file, self.place.program, BATCH, &check, &mut |batch, done| {
            out.records += batch.len();
            for (seen, found) in done {
                if let Some(seen) = seen {
                    out.tally.record_seen(seen);
                }
                for (f, texts) in found {
                    out.count(&f);
                    take(f, texts);
                }
            }
        });
        out.diagnostics.append(&mut diags);
    }
}

/// The finding `p`, at `span` of `file` (`toml`: a TOML record file, whose excerpt keeps its keys
/// when its values are blanked).
fn finding(
    program: &Program,
    rules: &Catalogue,
    p: Pending,
    file: SourceFile,
    span: Span,
    toml: bool,
) -> Option<Finding> {
    let info = rules.rule(p.rule)?.clone();
    let schema = program.rules.get(p.rule).and_then(|r| program.schemas.get(r.schema));
    let span = span.clamp(file.text.len());
    // `line_col` counts from the excerpt's first line, so these are the file's line numbers.
    let (line, column) = file.line_col(span.start);
    // A span within one line ends on it, as many characters on: no second count from the start.
    let end = match file.text.get(span.start..span.end) {
        Some(within) if !within.contains('\n') => (line, column + within.chars().count()),
        _ => file.line_col(span.end),
    };
    // With fields redacted, a record's text keeps only the offending value (its redacted values
    // masked too): the rest of the record may hold what was redacted, in forms a mask would miss.
    // Done here, so no finding handed out ever holds a redacted value.
    let (file, span) = if program.redacting && p.subject == Subject::Record {
        redacted_excerpt(&file, span, &p.masks, p.hidden, toml)
    } else {
        (file, span)
    };
    Some(Finding {
        rule: Some(info),
        subject: p.subject,
        file,
        span,
        line,
        column,
        end,
        record_index: p.ordinal,
        record_id: p.record_id,
        message: p.message,
        help: p.help,
        staff: p.staff,
        team: p.team,
        day: p.day,
        standing: p.standing,
        field: schema.map_or_else(String::new, |s| path_text(program, s.shape, &p.blame)),
        evidence: p.evidence,
        group: None,
    })
}

/// The day of a record, from its schema's `dated by` field: none when it is redacted (a report
/// counting findings by month would show the month of a redacted value).
fn record_day(program: &Program, schema: usize, values: &[crate::engine::value::Value]) -> Option<jiff::civil::Date> {
    let slot = program.schemas.get(schema)?.date_field?;
    if crate::engine::redact::slot_redacted(program, schema, slot) {
        return None;
    }
    crate::engine::eval::day(values.get(slot)?.view())
}

/// Only the lines of the offending value are kept, so blanking the rest moves nothing shown.
fn redacted_excerpt(file: &SourceFile, span: Span, masks: &[String], hidden: bool, toml: bool) -> (SourceFile, Span) {
    let all = &file.text;
    let start = all.get(..span.start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let end = all.get(span.end..).and_then(|t| t.find('\n')).map_or(all.len(), |i| span.end + i);
    let lines = all.get(start..end).unwrap_or("");
    let skipped = all.get(..start).map_or(0, |t| t.matches('\n').count());
    let local = Span::new(span.start - start, span.end - start);
    // A finding about the whole record (a field it lacks) points at all of it: its values are
    // blanked, since one may be written in a form no mask matches.
    let lines = match (lines.get(..local.start), lines.get(local.start..local.end), lines.get(local.end..)) {
        (Some(before), Some(part), Some(after)) => {
            let part = if hidden {
                part.chars()
                    .map(|c| if matches!(c, '\n' | '\r') { c.to_string() } else { " ".repeat(c.len_utf8()) })
                    .collect()
            } else if toml {
                // At a line's start: a whole record (its header or its lines), else one value.
                crate::engine::redact::blank_toml_values(part, before.trim().is_empty())
            } else {
                crate::engine::redact::blank_values(part)
            };
            std::borrow::Cow::Owned(format!("{before}{part}{after}"))
        }
        _ => std::borrow::Cow::Borrowed(lines),
    };
    let shown = crate::engine::redact::only_span(&lines, local, masks);
    let mut out = SourceFile::new(file.name.clone(), shown);
    out.first_line = file.first_line + skipped;
    (out, local)
}

/// Check the roles and staff of `org` against the rules written `for role` and `for staff`,
/// handing each finding to `sink` (labelled at the role's or staff member's id in its file).
pub fn check_org(
    program: &Program,
    org: &crate::roles::Org,
    authority: Option<&dyn Authority>,
    out: &mut Outcome,
    sink: &mut dyn FnMut(Finding),
) {
    let mut take = |f: Finding, _: Vec<String>| sink(f);
    check_org_with(program, org, authority, out, &mut Consumer { prepare: &|_| Vec::new(), take: &mut take });
}

/// Check the roles and staff of `org`, as [`check_org`], each finding prepared and then taken by
/// `consumer`.
pub fn check_org_with(
    program: &Program,
    org: &crate::roles::Org,
    authority: Option<&dyn Authority>,
    out: &mut Outcome,
    consumer: &mut Consumer<'_>,
) {
    let mut sink = |mut f: Finding, out: &mut Outcome| {
        let texts = (consumer.prepare)(&mut f);
        out.count(&f);
        (consumer.take)(f, texts);
    };
    let rules = Catalogue::of(program, authority.is_some());
    let mut groups = Groups::new(program);
    let mut org_files: Vec<String> = Vec::new();
    for (index, schema) in program.schemas.iter().enumerate() {
        if !schema.builtin || (schema.rules.is_empty() && schema.group_rules.is_empty()) {
            continue;
        }
        let entities: Vec<(Box<[crate::engine::value::Value]>, &crate::roles::model::Ref)> = match schema.name.as_str()
        {
            "role" => {
                org.roles.iter().map(|r| (crate::roles::records::role(program, schema.shape, r), &r.id)).collect()
            }
            "staff" => {
                org.staff.iter().map(|s| (crate::roles::records::staff(program, schema.shape, s), &s.id)).collect()
            }
            _ => continue,
        };
        out.records += entities.len();
        // Rules over groups of roles or staff ("no more than ten staff hold one role") fold them
        // here; a sample names the role file it is in.
        for (values, id) in &entities {
            let file = match org_files.iter().position(|f| **f == *id.place.file.name) {
                Some(i) => i,
                None => {
                    org_files.push(id.place.file.name.to_string());
                    org_files.len() - 1
                }
            };
            let line = id.place.file.line_col(id.place.span.start).0;
            groups.add(program, authority, index, values, (file, line), &mut || Sample {
                file,
                ordinal: 0,
                line,
                id: Some(id.id.clone()),
            });
        }
        for (i, (values, id)) in entities.iter().enumerate() {
            let mut hits = Vec::new();
            crate::engine::run::check_record(program, authority, index, i, values, &mut hits);
            records_seen(&mut out.tally, &hits);
            for hit in hits {
                let p = Pending {
                    rule: hit.rule,
                    subject: if schema.name == "role" { Subject::Role } else { Subject::StaffMember },
                    ordinal: i,
                    line: 0,
                    masks: Vec::new(),
                    staff: None,
                    team: None,
                    day: None,
                    record_id: Some(id.id.clone()),
                    message: hit.message,
                    help: hit.help,
                    blame: hit.blame,
                    evidence: hit.evidence,
                    standing: Standing::Active,
                    hidden: false,
                };
                if let Some(f) = finding(program, &rules, p, id.place.file.clone(), id.place.span, false) {
                    sink(f, out);
                }
            }
        }
    }
    add_left_out(program, out, groups.left_out());
    let judged = groups.finish(program, authority);
    add_left_out(program, out, judged.left_out);
    let hits = judged.hits;
    let names: Vec<&str> = org_files.iter().map(String::as_str).collect();
    for hit in hits {
        let builtin =
            program.rules.get(hit.rule).and_then(|r| program.schemas.get(r.schema)).is_some_and(|s| s.builtin);
        if !builtin {
            continue;
        }
        if let Some(f) = group_finding(program, &rules, &names, hit) {
            sink(f, out);
        }
    }
}
