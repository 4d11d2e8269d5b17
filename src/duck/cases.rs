//! The findings of a rule that follows cases, as the native engine makes them, from the rows its
//! compiled SQL gives in `check --engine duckdb` (see `crate::sql::case`'s `placed_select`): one
//! per obligation that is a finding, pending or left out, and one per closing with nothing open.
//! The evidence is the engine's own ([`case_evidence`]), made from the instants, offsets and days
//! the SQL carries; the records a finding shows are the case's first, as the engine keeps them;
//! the closings with nothing open are the engine's warnings, naming the same records.
//!
//! Instants in SQL are whole microseconds. The one place the engine is finer is the end of a
//! whole day (a nanosecond before the next day starts, where the SQL has a microsecond before): a
//! deadline shown as a day is put back at the engine's instant, so how late an obligation was is
//! the engine's to the nanosecond.

use jiff::{SignedDuration, Timestamp};

use super::Source;
use crate::ast::EventKind;
use crate::engine::obligation::{case_evidence, earlier_closing, End, Event, Stray, Tally, MAX_STRAYS_KEPT};
use crate::engine::program::{CExpr, MsgPart, Root};
use crate::engine::verdict::GroupHit;
use crate::engine::Program;
use crate::findings::{Catalogue, Finding};

/// The query over case rule `rule`'s compiled `select` that gives its rows in the order the
/// engine judges them: the obligations left out first (every finding says how many there were),
/// then by case key as the engine orders keys, then within the case.
pub(super) fn query(select: &str) -> String {
    format!(
        "SELECT CAST(precept_what AS BIGINT), CAST(to_json(message_values) AS VARCHAR), CAST(to_json(precept_key) AS VARCHAR), \
         CAST(to_json(precept_samples) AS VARCHAR), precept_at \
         FROM ({select}) AS precept_cases \
         ORDER BY CASE WHEN precept_what = 2 THEN 0 ELSE 1 END, precept_sort_0 NULLS FIRST, precept_seq, precept_what"
    )
}

/// An event as the SQL gives it (`precept_at`): its instant in microseconds, offset, day when it
/// was written as a date, and its record's file and row.
#[derive(serde::Deserialize)]
struct At {
    t: i64,
    o: Option<i64>,
    d: Option<String>,
    f: Option<usize>,
    n: Option<i64>,
}

/// A deadline as the SQL gives it: its instant, its day when it is a whole day, and whether it is
/// the end of a working day.
#[derive(serde::Deserialize)]
struct Due {
    t: i64,
    d: Option<String>,
    e: Option<bool>,
    /// The end of a day moved on by a pause: the engine's is 999 nanoseconds later.
    n: Option<bool>,
}

/// What an obligation's row says for its evidence.
#[derive(serde::Deserialize)]
struct Obligation {
    open: At,
    due: Option<Due>,
    close: Option<At>,
    before: Option<At>,
    paused: Option<i64>,
    end: Option<i64>,
}

/// What a closing with nothing open's row says.
#[derive(serde::Deserialize)]
struct Closing {
    close: Option<At>,
    next: Option<At>,
    prev: Option<At>,
}

/// The instant `us` microseconds after the epoch.
fn instant(us: i64) -> Option<Timestamp> {
    Timestamp::from_microsecond(us).ok()
}

/// The engine's end of the working day whose end the SQL gives as `t` (a microsecond before
/// the next day where the calendar has no cut-off; the cut-off itself where it has one), in the
/// calendar the rule counts business days in; `t` where it is no such end.
fn working_day_end(program: &Program, rule: &crate::engine::program::CompiledRule, t: Timestamp) -> Timestamp {
    use crate::engine::program::{DueUnit, Limit};
    let seq = rule.group.as_ref().and_then(|g| g.sequence.as_ref());
    let cal = match (seq.and_then(|q| q.due.as_ref()).and_then(|x| x.span.as_ref()), seq.and_then(|q| q.limit)) {
        (Some(&(DueUnit::Business(cal), _)), _) | (None, Some(Limit::Business(_, cal))) => cal,
        _ => return t,
    };
    let Some(cal) = program.calendars.get(cal) else { return t };
    let end = t.to_zoned(cal.zone().clone()).date();
    match cal.day_end(end) {
        Some(e) if e >= t && e.duration_since(t) < SignedDuration::from_micros(1) => e,
        _ => t,
    }
}

/// A day as the SQL writes it (`2026-03-02`).
fn day(text: Option<&str>) -> Option<jiff::civil::Date> {
    text?.parse().ok()
}

/// The event `at` is, of `kind`, placed in its file as the native engine places it.
fn event(at: &At, kind: EventKind, sources: &[Source]) -> Option<Event> {
    let place = match (at.f.and_then(|f| Some((f, sources.get(f)?))), at.n) {
        (Some((f, source)), Some(n)) => {
            let (_, line) = super::placed(source.kind, n);
            (u32::try_from(f).unwrap_or(u32::MAX), u32::try_from(line).unwrap_or(u32::MAX))
        }
        _ => (0, 0),
    };
    Some(Event {
        at: instant(at.t)?,
        offset: at.o.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
        whole_day: day(at.d.as_deref()),
        kind,
        place,
        due: None,
        opening: None,
    })
}

/// One row of [`query`]'s result for case rule `rule`: a finding, or a count in `tally`.
/// `left_out`: the records left out of the rule's cases (a value they needed did not convert).
///
/// # Errors
///
/// DuckDB's, for a value of the wrong type.
pub(super) fn row(
    program: &Program,
    catalogue: &Catalogue,
    (rule, sources, left_out): (usize, &[Source], u64),
    tally: &mut Tally,
    row: &duckdb::Row<'_>,
) -> Result<Option<Finding>, duckdb::Error> {
    let what: i64 = row.get(0)?;
    let Some(compiled) = program.rules.get(rule) else { return Ok(None) };
    let Some(spec) = compiled.group.as_ref() else { return Ok(None) };
    // The case's key (each part's name and value as shown), and what `precept_at` says: read only
    // for a finding or a closing with nothing open.
    let key = || -> Result<Vec<(String, String)>, duckdb::Error> {
        let key: Option<String> = row.get(2)?;
        let shown: Vec<Option<String>> = key.and_then(|k| serde_json::from_str(&k).ok()).unwrap_or_default();
        Ok(spec.keys.iter().zip(shown).filter_map(|(k, v)| Some((k.name.clone(), v?))).collect())
    };
    let at = || row.get::<_, Option<String>>(4);
    match what {
        1 => tally.pending += 1,
        2 => tally.left_out += 1,
        3 => {
            tally.stray_count += 1;
            if tally.strays.len() < MAX_STRAYS_KEPT {
                let Some(c) = at()?.and_then(|a| serde_json::from_str::<Closing>(&a).ok()) else { return Ok(None) };
                let Some(close) = c.close.as_ref().and_then(|x| event(x, EventKind::Closes, sources)) else {
                    return Ok(None);
                };
                tally.strays.push(Stray {
                    rule,
                    key: key()?.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", "),
                    close,
                    next_open: c.next.as_ref().and_then(|x| event(x, EventKind::Opens, sources)),
                    previous_close: c.prev.as_ref().and_then(|x| event(x, EventKind::Closes, sources)),
                });
            }
        }
        0 => {
            let Some(o) = at()?.and_then(|a| serde_json::from_str::<Obligation>(&a).ok()) else { return Ok(None) };
            let Some(opened) = event(&o.open, EventKind::Opens, sources) else { return Ok(None) };
            // A deadline that is a whole day or the end of a working day ends a nanosecond before
            // the next day, in the engine; the SQL's ends a microsecond before.
            let due = o.due.and_then(|d| {
                let t = instant(d.t)?;
                let whole = day(d.d.as_deref());
                let t = match (whole, d.e) {
                    (Some(_), _) => t.checked_add(SignedDuration::from_nanos(999)).ok()?,
                    (None, _) if d.n == Some(true) => t.checked_add(SignedDuration::from_nanos(999)).ok()?,
                    (None, Some(true)) => working_day_end(program, compiled, t),
                    (None, _) => t,
                };
                Some((t, whole))
            });
            let closed = o.close.as_ref().and_then(|x| event(x, EventKind::Closes, sources));
            let end = match &program.evaluation {
                Some(e) => End::AsOf(e.at, e.offset),
                None => match o.end.and_then(instant) {
                    Some(t) => End::Data(t),
                    None => return Ok(None),
                },
            };
            let paused = SignedDuration::from_micros(o.paused.unwrap_or(0));
            let mut evidence = vec![case_evidence(program, compiled, (&opened, paused), due, closed, end)];
            if let Some(y) = o.before.as_ref().and_then(|x| event(x, EventKind::Closes, sources)) {
                evidence.push(earlier_closing(program, compiled, &y, &opened));
            }
            let values: Option<String> = row.get(1)?;
            let mut values: Vec<Option<String>> =
                values.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
            as_the_engine_shows(program, compiled, (&opened, due, closed), &mut values);
            let mut hit = GroupHit {
                rule,
                key: key()?,
                require: None,
                message: crate::sql::message::message(program, compiled, &values),
                help: None,
                evidence,
                samples: super::groups::samples(row.get(3)?, sources),
                values: Vec::new(),
                opening: None,
            };
            crate::engine::group::left_out_evidence(std::slice::from_mut(&mut hit), left_out + tally.left_out);
            let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
            return Ok(crate::pipeline::group_finding(program, catalogue, &names, hit));
        }
        _ => {}
    }
    Ok(None)
}

/// A deadline as the engine has it: its instant, and its day when it is a whole day.
type Deadline = (Timestamp, Option<jiff::civil::Date>);

/// `{group.opened}`, `{group.deadline}` and `{group.closed}` among a case finding's message
/// `values` as the engine shows them: at the offset the opening (the closing) was written with
/// where the rule has no calendar (the SQL's are in UTC), and a deadline at the end of a day to
/// the nanosecond. Whole days stay the dates the SQL shows.
fn as_the_engine_shows(
    program: &Program,
    rule: &crate::engine::program::CompiledRule,
    (opened, due, closed): (&Event, Option<Deadline>, Option<Event>),
    values: &mut [Option<String>],
) {
    let Some(seq) = rule.group.as_ref().and_then(|g| g.sequence.as_ref()) else { return };
    let shown = |ts: Timestamp, off: i32| {
        let mut s = String::new();
        let v = crate::engine::value::Value::DateTime(ts, off);
        crate::engine::format::value(&mut s, program, &crate::engine::types::Ty::DateTime, v.view());
        s
    };
    let times = [
        opened.whole_day.is_none().then(|| shown(opened.at, opened.offset)),
        due.and_then(|(t, day)| day.is_none().then(|| shown(t, opened.offset))),
        closed.and_then(|c| c.whole_day.is_none().then(|| shown(c.at, c.offset))),
    ];
    let holes = rule.message.iter().filter(|p| !matches!(p, MsgPart::Text(_)));
    for (part, v) in holes.zip(values.iter_mut()) {
        let MsgPart::Hole(CExpr::Field(Root::Record, path), _) = part else { continue };
        let [slot] = path.as_ref() else { continue };
        let Some(k) = usize::from(*slot).checked_sub(seq.opened_slot) else { continue };
        if let (Some(Some(t)), true) = (times.get(k), v.is_some()) {
            *v = Some(t.clone());
        }
    }
}
