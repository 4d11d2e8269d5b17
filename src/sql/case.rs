//! A rule that follows cases (`case by`) as SQL, with window functions: each case's events in
//! the engine's order, its obligations, their paused time and deadlines, and a finding per
//! obligation closed late or still open past its deadline at the end of the data, as
//! [`crate::engine::obligation`] judges them.
//!
//! One query per rule, in steps named as common table expressions:
//!
//! - `precept_events`: one row per record that is an event of the rule (one `SELECT` per event
//!   clause: the rule's own records where its `where` holds, another schema's by their `case`
//!   key), with its case key `k0`, its instant `ts` and its kind (`0` opens, `1` pauses, `2`
//!   resumes, `3` closes: the engine's order of kinds at one instant, so an opening comes first and
//!   a closing last), and `off`, the offset its instant was written with where that counts (a
//!   deadline in calendar months, counted on the opening's own calendar; a rule with versions and
//!   no calendar, whose case's day is read at its first event's offset), else NULL. A record with
//!   no key or no instant is no event, as in the engine. An event whose time is a date is a whole
//!   day: its instant is the day's start in the zone of the rule's calendar (UTC without one), and
//!   `wd` carries the day, so that a deadline in whole days or months counted from an opening on a
//!   date is the end of the day it reaches, and the message shows such days as dates.
//! - `precept_end`: the end of the data, the latest event of the rule's cases (or the evaluation
//!   time, when the settings give one; events after it are not part of the data judged).
//! - `precept_cases`, for a rule with versions: each case's day (its first event's, or its first
//!   opening's with `version by receipt`, over the events of every version of the rule), and only
//!   the cases whose day the version is in force on are judged.
//! - `precept_ordered`: each event of a judged case with its place in the case's replay
//!   (`ROW_NUMBER` by instant, then kind: events equal in both are alike, whichever comes first)
//!   and its *segment*, the closings before it (a windowed `SUM`). An obligation is the first
//!   opening of a segment, closed by the closing that ends the segment: a second opening while one
//!   is open changes nothing, a closing with nothing open (a segment with no opening) judges
//!   nothing, and after a closing a new opening starts a new obligation, exactly the engine's
//!   replay.
//! - `precept_obligations`: one row per segment with its opening and closing.
//! - in any order instead (`precept_matched`): each opening with the first closing at or after
//!   it and the last one before it, matched by either within the deadline counted from the
//!   earlier of the two; one closing may match any number of openings.
//! - for a rule that pauses, `precept_pauses`: each pause of an obligation (the first pausing event
//!   after the opening or the last resumption, to the next resumption, the closing or the end of
//!   the data), summed into the time paused, which moves the deadline on.
//!
//! - for a message that reads the opening record (`opening.<field>`), each event carries the
//!   fields it reads (`o0`, ..., a datetime's offset as `oo0`, ...; NULL but on an opening), which
//!   order tied openings last, as the engine's `tie` does, and each obligation keeps its opening's.
//!
//! A finding names no record (`record_id` is NULL, `field` empty, `requirement` NULL, as `precept
//! check` gives a case no record or requirement) and carries the case's key in `group_key`, shown as
//! `precept check` shows it (`case C-1042`). Its message reads `group.case`, `group.opened`,
//! `group.deadline` and `group.closed` (NULL when still open).

use super::dialect::{Dialect, SqlType};
use super::expr::{Compiler, OpeningColumns, Slot, Unsupported};
use super::group::KeyPart;
use super::lookup;
use super::tables::scalar;
use super::RuleSql;
use crate::ast::EventKind;
use crate::engine::group::MAX_SAMPLES;
use crate::engine::program::{
    CExpr, CompiledRule, DateUnit, DueSpec, DueUnit, GroupSpec, Limit, OpeningFields, Root, SequenceSpec, VersionDate,
    MAX_COUNT,
};
use crate::engine::types::Ty;
use crate::engine::Program;

fn no<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

/// The number a kind of event is ordered by at one instant.
fn kind_number(kind: EventKind) -> u8 {
    match kind {
        EventKind::Opens => 0,
        EventKind::Pauses => 1,
        EventKind::Resumes => 2,
        EventKind::Closes => 3,
    }
}

/// Whether `rule` has versions that decide which cases it judges.
fn versioned(rule: &CompiledRule) -> bool {
    rule.in_force.is_some() || !rule.suspended.is_empty()
}

/// Compile case rule `rule` of schema-info `info`.
pub(crate) fn compile(
    program: &Program,
    rule: &CompiledRule,
    spec: &GroupSpec,
    seq: &SequenceSpec,
    info: &crate::engine::program::SchemaInfo,
    d: Dialect,
    (roles, placed): (bool, bool),
) -> Result<RuleSql, Unsupported> {
    if placed && d != Dialect::DuckDb {
        return no("findings placed for `check --engine duckdb` in another dialect");
    }
    let due = seq.due.as_ref();
    // The fields of the opening record the message reads, carried with each opening as the
    // deadline it gives is (`o0`, `o1`, ..., and `oo0`, ... for a datetime's offset).
    let carried = carried(program, &seq.opening, placed)?;
    let has_pauses = seq.events.iter().any(|e| matches!(e.kind, EventKind::Pauses | EventKind::Resumes));
    let [key] = spec.keys.as_slice() else { return no("a case key of several parts") };
    // (The checker gives a case one key, an expression grouped by as `group by` would be.)
    let Some(key_ty) = scalar(&key.ty)
        .filter(|_| matches!(key.ty, Ty::Text | Ty::Enum(_) | Ty::Int | Ty::Bool | Ty::Date | Ty::Dec | Ty::Money(_)))
    else {
        return no("a case key of this type (shown as `check` shows it)");
    };

    // The offsets events were written with are carried where they count: a deadline in months is
    // counted on the opening's own calendar, and without a calendar a case's day is read at its
    // first event's offset.
    let months = matches!(seq.limit, Some(Limit::Months(_)))
        || due.is_some_and(|x| matches!(x.span, Some((DueUnit::Months, _))));
    // With a deadline from the data, tied openings are ordered by their offsets too (as the
    // engine's `tie`), so they are carried.
    // So are they when the message reads the opening record, whose fields order tied openings
    // after their offsets.
    // And for `check --engine duckdb` (`placed`), whose evidence shows each time as written.
    let offsets =
        months || due.is_some() || (versioned(rule) && rule.calendar.is_none()) || !carried.is_empty() || placed;
    // Events written as dates: each a whole day, placed at its start in the zone of the rule's
    // calendar (UTC without one), shown as the date, and a deadline in whole days or months
    // counted from an opening written so is the end of a day, shown as that day.
    let dates = date_events(program, seq, d);
    let whole = whole_day_limit(seq.limit);
    if dates {
        if due.is_some() && has_pauses && seq.any_order {
            return no(
                "a deadline read from the opening record in a case rule `in any order` with pauses and an event whose time is a date",
            );
        }
        if whole && has_pauses && seq.any_order {
            return no("a deadline in whole days or months from an opening written as a date, moved on by a pause, in a case rule `in any order`");
        }
    }
    let mut calendars = std::collections::BTreeSet::new();
    let (own, fine) = events(program, rule, d, (roles, placed), (offsets, dates, due), &seq.opening, &mut calendars)?;
    let key_part = KeyPart { sql: key_ty, fine };
    let as_of = program.evaluation.as_ref().map(|e| super::calendar::timestamp_literal(e.at));
    let mut with = vec![format!("precept_events AS (\n    {own}\n  )")];
    with.push(match &as_of {
        Some(t) => format!("precept_end AS (\n    SELECT {t} AS e\n  )"),
        None => "precept_end AS (\n    SELECT MAX(ts) AS e FROM precept_events\n  )".into(),
    });

    // Which cases this version judges: those whose day it is in force on, the day read over the
    // events of every version of the rule.
    let mut judged = String::new();
    if versioned(rule) {
        let mut all = Vec::new();
        // The versions that run: an inherited version an override replaces on every day is not
        // run by the engine, so its events decide no case's day there either.
        let running = program.running();
        let versions = program.rules.iter().enumerate().filter(|(i, v)| running.contains(i) && v.id == rule.id);
        for (_, v) in versions.filter(|(_, v)| versioned(v)) {
            let fields = OpeningFields::default();
            let (events, held) =
                events(program, v, d, (roles, false), (offsets, false, None), &fields, &mut calendars)?;
            if held != fine {
                return no(MIXED_KEYS);
            }
            all.push(events);
        }
        let (first, first_off) = match &seq.version {
            VersionDate::FirstEvent => ("s.first_at", "s.first_off"),
            VersionDate::Receipt => (
                "COALESCE(s.first_open, s.first_at)",
                "CASE WHEN s.first_open IS NULL THEN s.first_off ELSE s.open_off END",
            ),
            // `version by <expr>`: the earliest day it gives over the case's events of the
            // rule's own schema (`vd`), else the first event's.
            VersionDate::Field(_) => ("s.first_at", "s.first_off"),
        };
        // The local day in the rule's calendar's zone; without a calendar, at the offset the
        // first event (or opening) was written with, as the engine reads a datetime's day.
        let day = match rule.calendar {
            Some(cal) => {
                let mut c = Compiler::new(program, d, info.shape);
                c.group = Some(vec![Slot::Value(first.into(), Ty::DateTime)]);
                let day = c.expr(&CExpr::DatePart(DateUnit::Day, Some(cal), Box::new(slot(0))), None)?;
                calendars.extend(c.calendars);
                day
            }
            None => written_day(d, first, first_off),
        };
        let by_field = matches!(seq.version, VersionDate::Field(_));
        let day = if by_field { format!("COALESCE(s.first_vd, {day})") } else { day };
        let all = all.join("\n      UNION ALL\n      ");
        let firsts = format!(
            "SELECT k0, MIN(ts) AS first_at, MIN(CASE WHEN kind = 0 THEN ts END) AS first_open{}",
            if by_field { ", MIN(vd) AS first_vd" } else { "" }
        );
        let inner = if rule.calendar.is_some() {
            format!("{firsts}\n      FROM (\n      {all}\n      ) AS v GROUP BY k0")
        } else {
            // The offsets of the first event and first opening, read from the rows at the
            // earliest instant (two written at one instant with different offsets are a limit,
            // docs/warehouse.md).
            format!(
                "{firsts},\n        MIN(CASE WHEN ts = first_any THEN off END) AS first_off, MIN(CASE WHEN kind = 0 AND ts = first_opening THEN off END) AS open_off\n      FROM (\n        SELECT v.*, MIN(ts) OVER (PARTITION BY k0) AS first_any, MIN(CASE WHEN kind = 0 THEN ts END) OVER (PARTITION BY k0) AS first_opening FROM (\n      {all}\n        ) AS v\n      ) AS v GROUP BY k0"
            )
        };
        with.push(format!("precept_cases AS (\n    SELECT s.k0, {day} AS cday FROM (\n      {inner}\n    ) AS s\n  )"));
        judged = format!("\n    WHERE e.k0 IN (SELECT k0 FROM precept_cases WHERE {})", in_force(d, rule, "cday"));
    }
    // At one instant and of one kind, events are ordered by what they carry, as the engine's
    // `tie` orders them (never by read order, which a table lacks): a known deadline from the data
    // before none, the shorter span, the earlier date, an instant before a whole day, the smaller
    // offset. Rows equal in all of these are alike.
    let mut order = "PARTITION BY e.k0 ORDER BY e.ts, e.kind".to_string();
    if due.is_some() {
        order.push_str(", e.du, e.dn NULLS FIRST, e.dt NULLS FIRST");
    }
    if dates {
        order.push_str(", CASE WHEN e.wd IS NULL THEN 0 ELSE 1 END");
    }
    if offsets {
        order.push_str(", e.off NULLS FIRST");
    }
    for c in &carried {
        order.push_str(&c.order(program, d));
    }
    // Alike events in the order the engine read them (file, then record), which names the same
    // records in `check --engine duckdb`'s warnings about closings with nothing open.
    if placed {
        order.push_str(", e.pf, e.pr");
    }
    let mut wd = if dates { " e.wd," } else { "" }.to_string();
    if due.is_some() {
        wd.push_str(" e.du, e.dn, e.dt, e.dd,");
    }
    for c in &carried {
        wd.push_str(&c.select("e"));
        wd.push(',');
    }
    if placed {
        wd.push_str(" e.pf, e.pr, e.pid,");
    }
    with.push(format!(
        "precept_ordered AS (\n    SELECT e.k0, e.ts, e.kind, e.off,{wd}\n      ROW_NUMBER() OVER ({order}) AS pos,\n      COALESCE(SUM(CASE WHEN e.kind = 3 THEN 1 ELSE 0 END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seg\n    FROM precept_events AS e{judged}\n  )"
    ));
    if !seq.any_order {
        // The closing's day, when written as a date (a segment has one closing, its last event).
        let mut close_wd = if dates { ", MAX(CASE WHEN kind = 3 THEN wd END) AS close_wd" } else { "" }.to_string();
        if placed {
            // Where the closing is among the case's events, for its offset and record.
            close_wd.push_str(", MAX(CASE WHEN kind = 3 THEN pos END) AS close_pos");
        }
        with.push(format!(
            "precept_obligations AS (\n    SELECT k0, seg, MIN(CASE WHEN kind = 0 THEN pos END) AS open_pos, MIN(CASE WHEN kind = 0 THEN ts END) AS open_at, MAX(CASE WHEN kind = 3 THEN ts END) AS close_at{close_wd}\n    FROM precept_ordered GROUP BY k0, seg\n  )"
        ));
    }

    // Time paused: each pause runs from the first pausing event after the opening (or after the
    // last resumption) to the next resumption, else to the closing, else to the end of the data.
    let paused = if has_pauses {
        with.push(format!(
            "precept_clock AS (\n    SELECT o.k0, o.seg, p.ts, p.kind,\n      COALESCE(SUM(CASE WHEN p.kind = 2 THEN 1 ELSE 0 END) OVER (PARTITION BY o.k0, o.seg ORDER BY p.pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS run\n    FROM precept_obligations AS o JOIN precept_ordered AS p ON p.k0 = o.k0 AND p.seg = o.seg AND p.pos > o.open_pos AND p.kind IN (1, 2)\n  ),\n  precept_spans AS (\n    SELECT q.k0, q.seg, q.p_from, COALESCE(q.p_to, o.close_at, n.e) AS p_to FROM (\n      SELECT k0, seg, run, MIN(CASE WHEN kind = 1 THEN ts END) AS p_from, MIN(CASE WHEN kind = 2 THEN ts END) AS p_to\n      FROM precept_clock GROUP BY k0, seg, run\n    ) AS q JOIN precept_obligations AS o ON o.k0 = q.k0 AND o.seg = q.seg CROSS JOIN precept_end AS n\n    WHERE q.p_from IS NOT NULL\n  ),\n  precept_pauses AS (\n    SELECT x.k0, x.seg, CAST(SUM(x.us) AS BIGINT) AS us, CAST(SUM(x.bd) AS BIGINT) AS bd FROM (\n      SELECT s.k0, s.seg, {} - {} AS us, {} AS bd FROM precept_spans AS s\n    ) AS x GROUP BY x.k0, x.seg\n  )",
            d.epoch_us("s.p_to"),
            d.epoch_us("s.p_from"),
            paused_business_days(d, effective_limit(seq), &mut calendars),
        ));
        "COALESCE(p.us, 0)"
    } else {
        "0"
    };
    let mut pause_join =
        if has_pauses { "\n    LEFT JOIN precept_pauses AS p ON p.k0 = o.k0 AND p.seg = o.seg" } else { "" }
            .to_string();
    if months || dates || due.is_some() || !carried.is_empty() || placed {
        // The opening's offset, for counting its months; its day, when written as a date; the
        // deadline it gives; the fields the message reads.
        pause_join.push_str("\n    LEFT JOIN precept_ordered AS f ON f.k0 = o.k0 AND f.pos = o.open_pos");
    }

    // Whether the deadline may be the end of a day moved on by a pause (`due_nano`).
    let mut nano_deadline = false;
    if seq.any_order {
        let whole_days = if dates { Some(rule.calendar) } else { None };
        let judged =
            any_order(program, (seq.limit, due), info, d, (months, whole_days, &carried, placed), &mut calendars)?;
        with.push(judged);
    } else {
        // The deadline, from the opening, moved on by the time paused.
        let deadline = match (due, seq.limit) {
            (Some(x), _) => {
                let span = span_deadline(program, Some(x), seq.limit, info, d, (FROM_OPENING, paused), &mut calendars)?;
                with_until(d, x, "f", span)
            }
            (None, Some(Limit::Business(n, cal))) if has_pauses => {
                // The receipt day's index, plus the count and the whole working days paused.
                let table = d.ident(super::calendar::TABLE);
                calendars.insert(cal);
                let lists = lookup::lists(d, lookup::Lookup::Table);
                let receipt = if lists {
                    lookup::receipt_idx(d, cal, "o.open_at")
                } else {
                    d.nearest(
                        "c.idx",
                        "c.day_end",
                        false,
                        &format!("{table} c WHERE c.calendar = {cal} AND c.working AND c.day_end >= o.open_at"),
                    )
                };
                pause_join.push_str("\n    LEFT JOIN precept_receipt AS t ON t.k0 = o.k0 AND t.seg = o.seg");
                with.push(format!("precept_receipt AS (\n    SELECT o.k0, o.seg, {receipt} AS rcpt FROM precept_obligations AS o WHERE o.open_pos IS NOT NULL\n  )"));
                let k = format!("t.rcpt + {n} + COALESCE(p.bd, 0)");
                if lists {
                    lookup::work_end(d, cal, &k)
                } else {
                    format!(
                        "(SELECT MIN(c.day_end) FROM {table} c WHERE c.calendar = {cal} AND c.working AND c.idx = {k})"
                    )
                }
            }
            (None, _) => deadline(program, seq.limit, info, d, ("o.open_at", "f.off"), paused, &mut calendars)?,
        };
        // From an opening written as a date, a deadline in whole days or months is the end of the
        // day it reaches (the last instant before the next day starts, in the calendar's zone),
        // shown as that day; moved on by a pause, an instant (the engine's a nanosecond before the
        // SQL's plus the time paused: `due_nano`).
        let mut nano = None;
        let (deadline, days) = if dates {
            let date = d.ty(SqlType::Date);
            match due {
                // A deadline read from the opening record: its span moved on by the time paused,
                // as the rule's own (a whole day reached, then an instant), a date from the
                // record not.
                Some(x) => {
                    let span =
                        span_deadline(program, Some(x), seq.limit, info, d, (FROM_OPENING, paused), &mut calendars)?;
                    let read = x.span.as_ref().map(|(unit, _)| *unit);
                    let whole = day_reached(d, (read, seq.limit), rule.calendar, ("f.wd", "f.dn"), &mut calendars);
                    let mut moved_end = None;
                    let (span, span_day) = match (span, whole) {
                        (Some(s), Some((when, end, day))) => {
                            let (end, still) = if has_pauses {
                                moved_end = Some(format!("({when} AND {paused} <> 0)"));
                                (
                                    d.from_epoch_us(&format!("CAST({} + {paused} AS BIGINT)", d.epoch_us(&end))),
                                    format!("({when} AND {paused} = 0)"),
                                )
                            } else {
                                (end, when.clone())
                            };
                            (
                                Some(format!("CASE WHEN {when} THEN {end} ELSE {s} END")),
                                format!("CASE WHEN {still} THEN {day} END"),
                            )
                        }
                        (span, _) => (span, format!("CAST(NULL AS {date})")),
                    };
                    // The end of a day moved on is the deadline unless a later date from the
                    // record is.
                    nano = match (moved_end, &x.until, &span) {
                        (Some(m), None, _) => Some(m),
                        (Some(m), Some(_), Some(s)) => {
                            Some(format!("({m} AND NOT (f.dt IS NOT NULL AND ({s} IS NULL OR f.dt > {s})))"))
                        }
                        _ => None,
                    };
                    let nano_col = match &nano {
                        Some(n) => format!(", CASE WHEN {n} THEN 1 ELSE 0 END AS due_nano"),
                        None => String::new(),
                    };
                    // The day shown is the date from the data where it is the deadline (the later
                    // of it and the span's, the span's on a tie), else the span's day.
                    let due_wd = match (&x.until, &span) {
                        (None, _) => span_day,
                        (Some(_), None) => "f.dd".to_string(),
                        (Some(_), Some(s)) => {
                            format!("CASE WHEN f.dt IS NOT NULL AND ({s} IS NULL OR f.dt > {s}) THEN f.dd ELSE {span_day} END")
                        }
                    };
                    (
                        with_until(d, x, "f", span),
                        format!(", f.wd AS open_wd, {due_wd} AS due_wd, o.close_wd{nano_col}"),
                    )
                }
                None => match day_reached(d, (None, seq.limit), rule.calendar, ("f.wd", "f.dn"), &mut calendars) {
                    Some((when, end, day)) if has_pauses => {
                        // Every pause is whole microseconds (between instants that are), so the
                        // end moved on still passes exactly where the engine's does.
                        let moved = d.from_epoch_us(&format!("CAST({} + {paused} AS BIGINT)", d.epoch_us(&end)));
                        let still = format!("({when} AND {paused} = 0)");
                        nano = Some(format!("({when} AND {paused} <> 0)"));
                        (
                            format!("CASE WHEN {when} THEN {moved} ELSE {deadline} END"),
                            format!(
                                ", f.wd AS open_wd, CASE WHEN {still} THEN {day} END AS due_wd, o.close_wd, CASE WHEN {} THEN 1 ELSE 0 END AS due_nano",
                                nano.as_deref().unwrap_or("FALSE")
                            ),
                        )
                    }
                    Some((when, end, day)) => (
                        format!("CASE WHEN {when} THEN {end} ELSE {deadline} END"),
                        format!(", f.wd AS open_wd, CASE WHEN {when} THEN {day} END AS due_wd, o.close_wd"),
                    ),
                    None => (deadline, format!(", f.wd AS open_wd, CAST(NULL AS {date}) AS due_wd, o.close_wd")),
                },
            }
        } else if due.is_some_and(|x| until_is_date(program, x, info, d)) {
            // A date from the data (`until`, `by` a date) is a whole day, shown as that date
            // where it is the deadline (the later of it and the span's).
            let span = span_deadline(program, due, seq.limit, info, d, (FROM_OPENING, paused), &mut calendars)?;
            let later = match span {
                Some(s) => format!("(f.dt IS NOT NULL AND ({s} IS NULL OR f.dt > {s}))"),
                None => "f.dt IS NOT NULL".into(),
            };
            (deadline, format!(", CASE WHEN {later} THEN f.dd END AS due_wd"))
        } else {
            (deadline, String::new())
        };
        nano_deadline = nano.is_some();
        // An obligation whose deadline from the data has no answer is left out, as in the engine.
        let known = if due.is_some() { " AND f.du = 0" } else { "" };
        let mut days: String =
            std::iter::once(days).chain(carried.iter().map(|c| format!(",{}", c.select("f")))).collect();
        let mut known = known.to_string();
        if placed {
            // Whether the deadline is the end of a working day (from a span of business days,
            // not a later instant read from the record): the engine's is a nanosecond before the
            // next day, the SQL's a microsecond, which `check --engine duckdb` puts right.
            let business = matches!(effective_limit(seq), Some(Limit::Business(..)));
            let ends_day = match due {
                Some(x) if business && x.until.is_some() => {
                    let span = span_deadline(program, due, seq.limit, info, d, (FROM_OPENING, paused), &mut calendars)?;
                    match span {
                        Some(s) => format!("(f.dt IS NULL OR NOT ({s} IS NULL OR f.dt > {s}))"),
                        None => "FALSE".into(),
                    }
                }
                _ => if business { "TRUE" } else { "FALSE" }.into(),
            };
            days.push_str(&format!(", {ends_day} AS pend"));
            // `check --engine duckdb` counts the obligations left out (as `pknown` false) and
            // shows each time as written: the opening's and closing's offsets, the time paused.
            let k = if due.is_some() { "f.du = 0" } else { "TRUE" };
            days.push_str(&format!(
                ", o.seg AS pseq, {k} AS pknown, f.off AS open_off, CAST({paused} AS BIGINT) AS pus, z.off AS close_off"
            ));
            pause_join.push_str("\n    LEFT JOIN precept_ordered AS z ON z.k0 = o.k0 AND z.pos = o.close_pos");
            known.clear();
        }
        with.push(format!(
        "precept_judged AS (\n    SELECT o.k0, o.open_at, o.close_at, {deadline} AS due, n.e{days}\n    FROM precept_obligations AS o CROSS JOIN precept_end AS n{pause_join}\n    WHERE o.open_pos IS NOT NULL{known}\n  )"
    ));
    }
    // Closed after the deadline, or still open at the end past it (a deadline exactly at the end
    // has not passed); without a deadline, still open at all. In any order, an opening matched by
    // neither closing beside it.
    let late = if seq.any_order {
        any_order_late(d, seq.limit.is_some() || due.is_some_and(|x| x.span.is_some()), due.is_some())
    } else if seq.limit.is_some() || due.is_some() {
        "(r.close_at IS NOT NULL AND r.close_at > r.due) OR (r.close_at IS NULL AND r.e > r.due)".into()
    } else {
        "r.close_at IS NULL".into()
    };

    // The group record the message reads: the case, then opened, deadline and closed.
    let mut slots = vec![key_part.slot(d, 0, &key.ty)];
    while slots.len() < seq.opened_slot {
        slots.push(Slot::Value(format!("CAST(NULL AS {})", d.ty(SqlType::Text)), Ty::Text));
    }
    slots.push(Slot::Value("r.open_at".into(), Ty::DateTime));
    slots.push(Slot::Value("r.due".into(), Ty::DateTime));
    slots.push(Slot::Value("r.close_at".into(), Ty::DateTime));
    let mut c = Compiler::new(program, d, info.shape);
    c.roles = roles;
    c.group = Some(slots);
    // A key that multiplies decimals has up to 20 places, which a redacted hole shows.
    if key_part.fine && d != Dialect::Spark {
        c.fine_slots = vec![0];
    }
    // `check` shows a case's datetimes at the offset each was written with where the rule has no
    // calendar; `check --engine duckdb` does too. (`precept sql` shows them as UTC instants.)
    if placed && program.calendar_of(rule).is_none() {
        c.written_in_messages = true;
        let at = |k: usize| u16::try_from(seq.opened_slot + k).ok();
        for (k, off) in ["r.open_off", "r.open_off", "r.close_off"].into_iter().enumerate() {
            if let Some(slot) = at(k) {
                c.group_offsets.push((slot, off.into()));
            }
        }
    }
    if !carried.is_empty() {
        c.opening = Some(OpeningColumns {
            var: seq.opening.var,
            shape: seq.opening.shape,
            columns: carried
                .iter()
                .map(|x| (x.slot, format!("r.o{}", x.n), x.offset().then(|| format!("r.oo{}", x.n))))
                .collect(),
            unread: carried.iter().filter(|x| x.unread).map(|x| (x.slot, format!("r.ou{}", x.n))).collect(),
        });
    }
    if !dates && due.is_some_and(|x| until_is_date(program, x, info, d)) {
        if let Ok(slot) = u16::try_from(seq.opened_slot + 1) {
            c.whole_days.push((slot, "r.due_wd".into()));
        }
    }
    if dates {
        let at = |k: usize| u16::try_from(seq.opened_slot + k).ok();
        for (k, col) in ["r.open_wd", "r.due_wd", "r.close_wd"].into_iter().enumerate() {
            if let Some(slot) = at(k) {
                c.whole_days.push((slot, col.into()));
            }
        }
    }
    let (template, values) = super::message(&mut c, rule)?;
    calendars.extend(c.calendars);
    let group_key = super::group::group_key(d, spec, &[key_part])?;
    let text = d.ty(SqlType::Text);
    let values = d.text_list(&values);
    let roles_join = super::joins(d, roles, &[&values]);
    if placed {
        let has_limit = seq.limit.is_some() || due.is_some_and(|x| x.span.is_some());
        let pending = if seq.any_order { any_order_pending(d, has_limit) } else { "r.close_at IS NULL".into() };
        let shown = Shown {
            identity: super::identity(program, rule, info, d),
            template: d.text(&template),
            values,
            group_key,
            key: super::group::key_columns(program, d, spec, &[key_part])?,
        };
        let days =
            Days { dates, due: dates || due.is_some_and(|x| until_is_date(program, x, info, d)), nano: nano_deadline };
        let select = placed_select(d, with, &shown, (&late, &pending), days, seq.any_order);
        return Ok(RuleSql { select, calendars });
    }
    let select = format!(
        "SELECT * FROM (\n  WITH {}\n  SELECT\n{}  CAST(NULL AS {text}) AS record_id,\n  CAST(NULL AS BIGINT) AS requirement,\n  '' AS field,\n  {} AS message,\n  {values} AS message_values,\n  {group_key} AS group_key\n  FROM precept_judged AS r{roles_join}\n  WHERE {late}\n) AS precept_rule",
        with.join(",\n  "),
        super::identity(program, rule, info, d),
        d.text(&template),
    );
    Ok(RuleSql { select, calendars })
}

/// What a case finding's row shows, in SQL: its first columns (`rule_id` to `schema_name`), its
/// message's template and values, its key as `group_key`, and the columns that name and order it.
struct Shown {
    identity: String,
    template: String,
    values: String,
    group_key: String,
    key: String,
}

/// Which days `precept_judged` carries: `dates`, those of the opening and the closing
/// (`open_wd`, `close_wd`) and of the deadline; `due`, that of the deadline (`due_wd`).
#[derive(Clone, Copy)]
struct Days {
    dates: bool,
    due: bool,
    /// Whether the deadline may be the end of a day moved on by a pause (`due_nano`): the
    /// engine's is then a nanosecond before the SQL's plus the pause.
    nano: bool,
}

/// The rule's rows for `check --engine duckdb` (DuckDB only), from the steps `with`: one per
/// obligation that is a finding (`precept_what` 0, with its message's values and the case's
/// first records, `precept_samples`), still open but not yet due (1) or left out because its
/// deadline has no answer (2), and one per closing with nothing open (3), ordered within the case
/// by `precept_seq`. `precept_at` holds, as JSON, what the engine's evidence shows: for an
/// obligation, when it opened, was due (and whether that is the end of a working day), closed
/// (and the closing before it, in any order), how long it was paused and the end of the data; for
/// a closing with nothing open, the closing, the case's next opening and the closing of its last
/// obligation, each with its offset, day and record.
fn placed_select(
    d: Dialect,
    mut with: Vec<String>,
    shown: &Shown,
    (late, pending): (&str, &str),
    days: Days,
    any_order: bool,
) -> String {
    let us = |x: &str| d.epoch_us(x);
    let day = |has: bool, col: &str| if has { format!("CAST({col} AS VARCHAR)") } else { "NULL".to_string() };
    // An event as the evidence reads it (NULL where there is none): its instant, offset and day,
    // and where its record is.
    let event = |a: &str, ts: &str, wd: bool| {
        format!(
            "CASE WHEN {ts} IS NULL THEN NULL ELSE {{'t': {}, 'o': {a}.off, 'd': {}, 'f': {a}.pf, 'n': {a}.pr}} END",
            us(ts),
            day(wd, &format!("{a}.wd"))
        )
    };
    with.push(format!(
        "precept_samples AS (\n    SELECT k0, arg_min({{'f': pf, 'n': pr, 'id': pid}}, [pf, pr], {MAX_SAMPLES}) AS ps\n    FROM (SELECT DISTINCT k0, pf, pr, pid FROM precept_ordered) AS x GROUP BY k0\n  )"
    ));
    let before = if any_order {
        format!(
            "CASE WHEN r.before_at IS NULL THEN NULL ELSE {{'t': {}, 'o': r.before_off, 'd': {}}} END",
            us("r.before_at"),
            day(days.dates, "r.before_wd")
        )
    } else {
        "NULL".into()
    };
    let at = format!(
        "CAST(to_json({{'open': {{'t': {}, 'o': r.open_off, 'd': {}}}, 'due': CASE WHEN r.due IS NULL THEN NULL ELSE {{'t': {}, 'd': {}, 'e': r.pend, 'n': {}}} END, 'close': CASE WHEN r.close_at IS NULL THEN NULL ELSE {{'t': {}, 'o': r.close_off, 'd': {}}} END, 'before': {before}, 'paused': r.pus, 'end': {}}}) AS VARCHAR)",
        us("r.open_at"),
        day(days.dates, "r.open_wd"),
        us("r.due"),
        day(days.due, "r.due_wd"),
        if days.nano { "r.due_nano = 1" } else { "FALSE" },
        us("r.close_at"),
        day(days.dates, "r.close_wd"),
        us("r.e"),
    );
    let Shown { identity, template, values, group_key, key } = shown;
    let columns = |values: &str, what: &str, samples: &str, at: &str| {
        format!(
            "SELECT\n{identity}  CAST(NULL AS VARCHAR) AS record_id,\n  CAST(NULL AS BIGINT) AS requirement,\n  '' AS field,\n  {template} AS message,\n  {values} AS message_values,\n  {group_key} AS group_key{key},\n  CAST({what} AS BIGINT) AS precept_what,\n  CAST(r.pseq AS BIGINT) AS precept_seq,\n  {samples} AS precept_samples,\n  {at} AS precept_at"
        )
    };
    let mut arms = vec![format!(
        "{}\n  FROM (\n    SELECT r.*, CASE WHEN NOT r.pknown THEN 2 WHEN {} THEN 0 WHEN {} THEN 1 END AS pwhat FROM precept_judged AS r\n  ) AS r LEFT JOIN precept_samples AS s ON s.k0 = r.k0\n  WHERE r.pwhat IS NOT NULL",
        columns(&format!("CASE WHEN r.pwhat = 0 THEN {values} END"), "r.pwhat", "CASE WHEN r.pwhat = 0 THEN s.ps END", &at),
        d.is_true(late),
        d.is_true(pending),
    )];
    if !any_order {
        // A closing with nothing open: a segment of the case with no opening. The closing of the
        // case's last obligation before it, and its next opening, by their places.
        with.push(
            "precept_strays AS (\n    SELECT s.k0, s.seg AS pseq, s.close_pos,\n      (SELECT MAX(q.close_pos) FROM precept_obligations AS q WHERE q.k0 = s.k0 AND q.seg < s.seg AND q.open_pos IS NOT NULL) AS prev_pos,\n      (SELECT MIN(x.pos) FROM precept_ordered AS x WHERE x.k0 = s.k0 AND x.kind = 0 AND x.pos > s.close_pos) AS next_pos\n    FROM precept_obligations AS s WHERE s.open_pos IS NULL AND s.close_pos IS NOT NULL\n  )"
                .into(),
        );
        let at = format!(
            "CAST(to_json({{'close': {}, 'next': {}, 'prev': {}}}) AS VARCHAR)",
            event("c", "c.ts", days.dates),
            event("x", "x.ts", days.dates),
            event("v", "v.ts", days.dates)
        );
        arms.push(format!(
            "{}\n  FROM precept_strays AS r\n    LEFT JOIN precept_ordered AS c ON c.k0 = r.k0 AND c.pos = r.close_pos\n    LEFT JOIN precept_ordered AS x ON x.k0 = r.k0 AND x.pos = r.next_pos\n    LEFT JOIN precept_ordered AS v ON v.k0 = r.k0 AND v.pos = r.prev_pos",
            columns("CAST(NULL AS VARCHAR[])", "3", "NULL", &at)
        ));
    }
    format!("SELECT * FROM (\n  WITH {}\n  {}\n) AS precept_rule", with.join(",\n  "), arms.join("\n  UNION ALL\n  "))
}

/// The kind of span an obligation's deadline counts (its count aside): the one read from the
/// opening record, else the rule's, as the engine's `limit`.
fn effective_limit(seq: &SequenceSpec) -> Option<Limit> {
    match seq.due.as_ref().and_then(|x| x.span.as_ref()) {
        Some((DueUnit::Business(cal), _)) => Some(Limit::Business(0, *cal)),
        Some((DueUnit::Months, _)) => Some(Limit::Months(0)),
        Some((DueUnit::Elapsed, _)) => Some(Limit::Elapsed(jiff::SignedDuration::ZERO)),
        None => seq.limit,
    }
}

/// Whether the date or instant a deadline reads from the opening record (`until`, `by`) is a date.
fn until_is_date(program: &Program, x: &DueSpec, info: &crate::engine::program::SchemaInfo, d: Dialect) -> bool {
    x.until.as_ref().is_some_and(|u| Compiler::new(program, d, info.shape).ty_of(u) == Some(Ty::Date))
}

/// The columns an event carries for a deadline read from its record (`x`), NULL but for an
/// opening: `du`, 1 where part of it has no answer (a count below zero or above the largest, a
/// negative or missing span, a date or instant moved past the last held: the engine's
/// `read_due`), else 0; `dn`, the span's count (or
/// microseconds); `dt`, the instant a date or datetime from the record ends (a date at the end of
/// its day in the zone of the rule's calendar: a microsecond before the next day starts, which
/// every instant here, whole microseconds, passes exactly when it passes the engine's nanosecond
/// before); `dd`, that date.
fn due_columns(
    c: &mut Compiler<'_>,
    x: &DueSpec,
    kind: EventKind,
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<String, Unsupported> {
    let d = c.dialect;
    let (ts, date) = (d.ty(SqlType::Timestamp), d.ty(SqlType::Date));
    let none = |t: &str| format!("CAST(NULL AS {t})");
    if kind != EventKind::Opens {
        return Ok(format!(", 0 AS du, {} AS dn, {} AS dt, {} AS dd", none("BIGINT"), none(ts), none(date)));
    }
    // A date or instant from the record that has no answer (moved past the last day held) leaves
    // the deadline without one, as the engine's `read_due`: never read as no extension.
    let until_none = match &x.until {
        Some(e) => c.no_answer(e)?,
        None => "FALSE".into(),
    };
    let (du, dn) = match &x.span {
        Some((unit, e)) => {
            let v = c.expr(e, None)?;
            let held = match unit {
                DueUnit::Elapsed => format!("{v} >= 0"),
                DueUnit::Business(_) | DueUnit::Months => format!("{v} BETWEEN 0 AND {MAX_COUNT}"),
            };
            let dn = format!("CAST(CASE WHEN {held} THEN {v} END AS BIGINT)");
            (format!("CASE WHEN {held} AND NOT {until_none} THEN 0 ELSE 1 END"), dn)
        }
        None => (format!("CASE WHEN {until_none} THEN 1 ELSE 0 END"), none("BIGINT")),
    };
    let (dt, dd) = match &x.until {
        None => (none(ts), none(date)),
        Some(e) => match c.ty_of(e) {
            Some(Ty::DateTime) => (c.expr(e, None)?, none(date)),
            Some(Ty::Date) => {
                let day = c.expr(e, None)?;
                let next = day_start(d, x.calendar, &d.add_days(&day, "1"), calendars);
                (d.from_epoch_us(&format!("{} - 1", d.epoch_us(&next))), day)
            }
            _ => return no("a deadline read from the record that cannot be told to be a date or a datetime"),
        },
    };
    Ok(format!(", {du} AS du, {dn} AS dn, {dt} AS dt, {dd} AS dd"))
}

/// The columns a deadline is counted from: the instant, the offset it was written with, and the
/// opening row carrying what its record gave (`dn`, `dt`).
#[derive(Clone, Copy)]
struct Counted<'a> {
    at: &'a str,
    off: &'a str,
    opening: &'a str,
}

/// An obligation's deadline counted from its opening (`o.open_at`, its opening's row `f`).
const FROM_OPENING: Counted<'static> = Counted { at: "o.open_at", off: "f.off", opening: "f" };

/// The deadline a span gives an obligation counted from `from`, moved on by `paused`
/// microseconds (and, in business days, `p.bd` whole working days paused): the span read from the
/// opening record (`dn` of `from.opening`) when `due` reads one, else the rule's `limit`; `None`
/// with neither.
#[allow(clippy::too_many_arguments)]
fn span_deadline(
    program: &Program,
    due: Option<&DueSpec>,
    limit: Option<Limit>,
    info: &crate::engine::program::SchemaInfo,
    d: Dialect,
    (from, paused): (Counted<'_>, &str),
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<Option<String>, Unsupported> {
    let (unit, n) = match (due.and_then(|x| x.span.as_ref()), limit) {
        (Some((unit, _)), _) => (*unit, format!("{}.dn", from.opening)),
        (None, Some(Limit::Business(n, cal))) => (DueUnit::Business(cal), n.to_string()),
        (None, Some(Limit::Months(n))) => (DueUnit::Months, n.to_string()),
        (None, Some(l @ Limit::Elapsed(_))) => {
            return Ok(Some(deadline(program, Some(l), info, d, (from.at, from.off), paused, calendars)?))
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(match unit {
        DueUnit::Elapsed => d.from_epoch_us(&format!("CAST({} + {n} + {paused} AS BIGINT)", d.epoch_us(from.at))),
        DueUnit::Months => {
            let day = written_day(d, from.at, from.off);
            let days = d.days_between(&d.add_months_by(&day, &n), &day);
            d.from_epoch_us(&format!("CAST({} + {days} * 86400000000 + {paused} AS BIGINT)", d.epoch_us(from.at)))
        }
        // The count and the whole working days paused, from the opening, as the engine's
        // `add_business_days(opened, n + paused_business_days)`.
        DueUnit::Business(cal) => {
            let count = if paused == "0" { n } else { format!("({n} + COALESCE(p.bd, 0))") };
            let mut c = Compiler::new(program, d, info.shape);
            c.group = Some(vec![Slot::Value(from.at.into(), Ty::DateTime), Slot::Value(count, Ty::Int)]);
            let x = c.expr(&CExpr::AddBusinessDaysBy(Box::new(slot(0)), Box::new(slot(1)), cal), None)?;
            calendars.extend(c.calendars);
            x
        }
    }))
}

/// The deadline with a date or instant read from the opening record (`dt` of the opening's row
/// `opening`): the later of it and the span's (`span`), which a pause does not move; the span's
/// alone where the record gives none (`within ... until` a missing date is no extension), as the
/// engine's `deadline`.
fn with_until(d: Dialect, x: &DueSpec, opening: &str, span: Option<String>) -> String {
    let dt = format!("{opening}.dt");
    match (x.until.is_some(), span) {
        (true, Some(s)) => {
            format!("CASE WHEN {dt} IS NULL THEN {s} WHEN {s} IS NULL OR {dt} > {s} THEN {dt} ELSE {s} END")
        }
        (true, None) => dt,
        (false, Some(s)) => s,
        (false, None) => format!("CAST(NULL AS {})", d.ty(SqlType::Timestamp)),
    }
}

/// The whole working days each pause lasted, for a deadline in business days (the engine's
/// [`crate::calendar::Calendar::whole_working_days_between`]: the working days strictly between
/// the local days it started and ended on), else 0. The calendar table's `idx` less `working` is
/// the working days strictly before a day, which grows with the day, so each is one lookup of the
/// local day's row (in Spark read from [`super::lookup`]'s lists, as every lookup there).
fn paused_business_days(d: Dialect, limit: Option<Limit>, calendars: &mut std::collections::BTreeSet<usize>) -> String {
    let Some(Limit::Business(_, cal)) = limit else { return "CAST(0 AS BIGINT)".into() };
    calendars.insert(cal);
    if lookup::lists(d, lookup::Lookup::Table) {
        let (end, start) = (lookup::local_day(d, cal, "s.p_to"), lookup::local_day(d, cal, "s.p_from"));
        let before_end = format!("({} - {})", lookup::day_idx(d, cal, &end), lookup::day_worked(d, cal, &end));
        return format!("GREATEST(0, {before_end} - {})", lookup::day_idx(d, cal, &start));
    }
    let table = d.ident(super::calendar::TABLE);
    let day_of = |col: &str, t: &str| {
        d.nearest(col, "c.day_start", true, &format!("{table} c WHERE c.calendar = {cal} AND c.day_start <= {t}"))
    };
    let before_end = day_of("c.idx - CASE WHEN c.working THEN 1 ELSE 0 END", "s.p_to");
    let through_start = day_of("c.idx", "s.p_from");
    format!("GREATEST(0, {before_end} - {through_start})")
}

/// The deadline of an obligation opened at `at` (a SQL instant) written with offset `off` (SQL
/// seconds east of UTC; read only for months) under `limit`, moved on by `paused` microseconds;
/// NULL without a limit.
fn deadline(
    program: &Program,
    limit: Option<Limit>,
    info: &crate::engine::program::SchemaInfo,
    d: Dialect,
    (at, off): (&str, &str),
    paused: &str,
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<String, Unsupported> {
    Ok(match limit {
        None => format!("CAST(NULL AS {})", d.ty(SqlType::Timestamp)),
        Some(Limit::Elapsed(span)) => {
            if span.subsec_nanos() % 1000 != 0 {
                return no("a deadline finer than a microsecond");
            }
            let us = span.as_micros();
            d.from_epoch_us(&format!("CAST({} + {us} + {paused} AS BIGINT)", d.epoch_us(at)))
        }
        Some(Limit::Business(n, cal)) => {
            let mut c = Compiler::new(program, d, info.shape);
            c.group = Some(vec![Slot::Value(at.into(), Ty::DateTime)]);
            let x = c.expr(&CExpr::AddBusinessDays(Box::new(slot(0)), n, cal), None)?;
            calendars.extend(c.calendars);
            x
        }
        // Counted on the opening's own calendar (its day at the offset it was written with): the
        // local date moves by the months, the wall-clock time and the offset stay, so the instant
        // moves by whole days of 24 hours; then the time paused moves it on, as the engine's
        // `add_months_at` and pauses do.
        Some(Limit::Months(n)) => {
            let day = written_day(d, at, off);
            let days = d.days_between(&d.add_months(&day, n), &day);
            d.from_epoch_us(&format!("CAST({} + {days} * 86400000000 + {paused} AS BIGINT)", d.epoch_us(at)))
        }
    })
}

/// `in any order`: each opening with the first closing at or after it (at the same instant a
/// closing comes after the opening) and the last closing before it, and the deadlines counted
/// from the opening (`due`) and from that earlier closing (`before_due`).
///
/// `dates`: some event's time is a date (with the rule's calendar): then an opening or an earlier
/// closing written as a date is due, in whole days or months, by the end of the day reached, as
/// in the engine, and the opening, the deadline and the closing after carry their days
/// (`open_wd`, `due_wd`, `close_wd`) for the message.
///
/// With a deadline read from the opening record (`read`: a span, the only deadline the checker
/// lets a rule in any order read), each opening carries what its record gave (`du`, `dn`), and
/// the deadline counted from the closing before it is counted with the opening's span too, as the
/// engine counts it; an opening whose deadline has no answer is left out.
fn any_order(
    program: &Program,
    (limit, read): (Option<Limit>, Option<&DueSpec>),
    info: &crate::engine::program::SchemaInfo,
    d: Dialect,
    (months, dates, carried, placed): (bool, Option<Option<usize>>, &[Carried], bool),
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<String, Unsupported> {
    // The fields of each opening the message reads, and what its record gave its deadline.
    let (mut fields, mut judged): (String, String) =
        carried.iter().map(|c| (format!(",{}", c.select("o")), format!(",{}", c.select("m")))).unzip();
    let (mut due, mut before_due) = match read {
        None => (
            deadline(program, limit, info, d, ("m.open_at", "m.off"), "0", calendars)?,
            deadline(program, limit, info, d, ("m.before_at", "b.off"), "0", calendars)?,
        ),
        // (The checker gives a rule in any order no `until` or `by`: only a span is read.)
        Some(x) if x.until.is_some() => return no("a date read from the opening record in a case rule `in any order`"),
        Some(x) => {
            fields.push_str(", o.du, o.dn");
            let from_opening = Counted { at: "m.open_at", off: "m.off", opening: "m" };
            let from_before = Counted { at: "m.before_at", off: "b.off", opening: "m" };
            let span = span_deadline(program, Some(x), limit, info, d, (from_opening, "0"), calendars)?;
            let before = span_deadline(program, Some(x), limit, info, d, (from_before, "0"), calendars)?;
            judged.push_str(", m.du");
            (with_until(d, x, "m", span), with_until(d, x, "m", before))
        }
    };
    let mut days = String::new();
    if let Some(cal) = dates {
        let date = d.ty(SqlType::Date);
        let mut due_wd = format!("CAST(NULL AS {date})");
        // The end of the day reached from an event written as a date (`wd`), when the span
        // reaches one: the rule's, or the opening's own read from its record (`m.dn`, also for
        // the deadline counted from the closing before it).
        let unit = read.and_then(|x| x.span.as_ref()).map(|(unit, _)| *unit);
        let mut whole = |wd: &str| day_reached(d, (unit, limit), cal, (wd, "m.dn"), calendars);
        if let Some((when, end, day)) = whole("m.wd") {
            due = format!("CASE WHEN {when} THEN {end} ELSE {due} END");
            due_wd = format!("CASE WHEN {when} THEN {day} END");
        }
        if let Some((when, end, _)) = whole("b.wd") {
            before_due = format!("CASE WHEN {when} THEN {end} ELSE {before_due} END");
        }
        days = format!(", m.wd AS open_wd, {due_wd} AS due_wd, a.wd AS close_wd");
    }
    let order = "PARTITION BY o.k0 ORDER BY o.ts, o.kind";
    // In months, the deadline from the closing before is counted at that closing's offset: the
    // last closing before the opening, found by its place; with dates, its day, and the day of
    // the first closing at or after the opening.
    let (mut before_pos, before_join) = if dates.is_some() || placed {
        (
            format!(
                ",\n      MAX(CASE WHEN o.kind = 3 THEN o.pos END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_pos,\n      MIN(CASE WHEN o.kind = 3 THEN o.pos END) OVER ({order} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS after_pos{}",
                if dates.is_some() { ", o.wd" } else { "" }
            ),
            "\n    LEFT JOIN precept_ordered AS b ON b.k0 = m.k0 AND b.pos = m.before_pos\n    LEFT JOIN precept_ordered AS a ON a.k0 = m.k0 AND a.pos = m.after_pos",
        )
    } else if months || read.is_some_and(|x| matches!(x.span, Some((DueUnit::Months, _)))) {
        (
            format!(",\n      MAX(CASE WHEN o.kind = 3 THEN o.pos END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_pos"),
            "\n    LEFT JOIN precept_ordered AS b ON b.k0 = m.k0 AND b.pos = m.before_pos",
        )
    } else {
        (String::new(), "")
    };
    if placed {
        // For `check --engine duckdb`: the opening's place in the case, whether its deadline has
        // an answer, the offsets of it and of the closings on either side (and the earlier one's
        // day), as the evidence shows them.
        before_pos.push_str(", o.pos AS open_pos");
        let k = if read.is_some() { "m.du = 0" } else { "TRUE" };
        let before_wd = if dates.is_some() { ", b.wd AS before_wd" } else { "" };
        let business = matches!(read.and_then(|x| x.span.as_ref()).map(|(u, _)| *u), Some(DueUnit::Business(_)))
            || (read.is_none() && matches!(limit, Some(Limit::Business(..))));
        let business = if business { "TRUE" } else { "FALSE" };
        judged.push_str(&format!(
            ", {business} AS pend, m.open_pos AS pseq, {k} AS pknown, m.off AS open_off, CAST(0 AS BIGINT) AS pus, a.off AS close_off, b.off AS before_off{before_wd}"
        ));
    }
    Ok(format!(
        "precept_matched AS (\n    SELECT o.k0, o.kind, o.off, o.ts AS open_at{fields},\n      MIN(CASE WHEN o.kind = 3 THEN o.ts END) OVER ({order} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS close_at,\n      MAX(CASE WHEN o.kind = 3 THEN o.ts END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_at{before_pos}\n    FROM precept_ordered AS o\n  ),\n  precept_judged AS (\n    SELECT m.k0, m.open_at, m.close_at, m.before_at, {due} AS due, {before_due} AS before_due, n.e{days}{judged}\n    FROM precept_matched AS m CROSS JOIN precept_end AS n{before_join}\n    WHERE m.kind = 0\n  )"
    ))
}

/// When an opening in any order is a finding: matched by neither the first closing after it
/// (by its deadline) nor the last closing before it (the opening by that closing's deadline), and
/// either closed late or, past its deadline, still open at the end; without a deadline, any
/// closing matches. With a span read from the record (`read`), an opening whose span has no answer
/// is left out.
/// When an opening in any order matched by no closing is still pending: no closing after it and,
/// as it is not late, its deadline not passed (never, without a deadline: it is then late).
fn any_order_pending(d: Dialect, has_limit: bool) -> String {
    if !has_limit {
        return "FALSE".into();
    }
    let after = d.is_true("r.close_at IS NOT NULL AND r.close_at <= r.due");
    let before = d.is_true("r.before_at IS NOT NULL AND r.open_at <= r.before_due");
    format!("NOT {after} AND NOT {before} AND r.close_at IS NULL")
}

fn any_order_late(d: Dialect, has_limit: bool, read: bool) -> String {
    let known = if read { "r.du = 0 AND " } else { "" };
    if !has_limit {
        return format!("{known}r.close_at IS NULL AND r.before_at IS NULL");
    }
    let after = d.is_true("r.close_at IS NOT NULL AND r.close_at <= r.due");
    let before = d.is_true("r.before_at IS NOT NULL AND r.open_at <= r.before_due");
    format!("{known}NOT {after} AND NOT {before} AND (r.close_at IS NOT NULL OR {})", d.is_true("r.e > r.due"))
}

/// The civil day instant `at` has at offset `off` (seconds east of UTC; NULL is UTC, as a NULL
/// offset column is), as the engine reads a datetime's day at the offset it was written with.
fn written_day(d: Dialect, at: &str, off: &str) -> String {
    format!("CAST({} AS DATE)", d.from_epoch_us(&format!("{} + COALESCE({off}, 0) * 1000000", d.epoch_us(at))))
}

/// Whether an event of `seq` has a time that is a date.
fn date_events(program: &Program, seq: &SequenceSpec, d: Dialect) -> bool {
    seq.events.iter().any(|ev| {
        program
            .schemas
            .get(ev.schema)
            .is_some_and(|info| Compiler::new(program, d, info.shape).ty_of(&ev.at) == Some(Ty::Date))
    })
}

/// Whether `limit` counts whole days or months, which from an opening written as a date reach the
/// end of a day (the engine's `whole_day_deadline`).
fn whole_day_limit(limit: Option<Limit>) -> bool {
    match limit {
        Some(Limit::Elapsed(span)) => span.as_secs() % 86_400 == 0 && span.subsec_nanos() == 0,
        Some(Limit::Months(_)) => true,
        _ => false,
    }
}

/// For a deadline counted from an event written as a date (`wd`, its day in SQL): when it reaches
/// the end of a day (SQL condition: the event is a date and the span is whole days or months, as
/// the engine's `whole_day_deadline`), that end (SQL instant) and the day (SQL date). The span is
/// the one read from the opening record when there is one (`read`: its unit, the count in column
/// `dn`), else the rule's `limit`; `None` for spans that never reach a day's end (hours, business
/// days).
fn day_reached(
    d: Dialect,
    (read, limit): (Option<DueUnit>, Option<Limit>),
    cal: Option<usize>,
    (wd, dn): (&str, &str),
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Option<(String, String, String)> {
    const DAY_US: &str = "86400000000";
    let present = format!("{wd} IS NOT NULL");
    let (when, day) = match (read, limit) {
        (Some(DueUnit::Elapsed), _) => {
            (format!("{present} AND MOD({dn}, {DAY_US}) = 0"), d.add_days(wd, &d.int_div(dn, DAY_US)))
        }
        (Some(DueUnit::Months), _) => (present, d.add_months_by(wd, dn)),
        (None, Some(Limit::Elapsed(span))) if whole_day_limit(limit) => {
            (present, d.add_days(wd, &(span.as_secs() / 86_400).to_string()))
        }
        (None, Some(Limit::Months(n))) => (present, d.add_months(wd, n)),
        _ => return None,
    };
    let next = day_start(d, cal, &d.add_days(&day, "1"), calendars);
    // The engine's end is a nanosecond before the next day; every instant here is whole
    // microseconds, so one a microsecond before is passed by exactly the same instants.
    Some((when, d.from_epoch_us(&format!("{} - 1", d.epoch_us(&next))), day))
}

/// The instant date `day` (SQL) starts at in calendar `cal`'s zone, read from the calendar table
/// (NULL outside its range); in UTC without a calendar.
fn day_start(d: Dialect, cal: Option<usize>, day: &str, calendars: &mut std::collections::BTreeSet<usize>) -> String {
    let Some(cal) = cal else {
        return d.from_epoch_us(&format!("{} * 86400000000", d.days_between(day, "DATE '1970-01-01'")));
    };
    calendars.insert(cal);
    if lookup::lists(d, lookup::Lookup::Table) {
        lookup::day_start(d, cal, day)
    } else {
        format!(
            "(SELECT c.day_start FROM {} c WHERE c.calendar = {cal} AND c.day = {day})",
            d.ident(super::calendar::TABLE)
        )
    }
}

/// The group record's slot `i`, as an expression.
fn slot(i: u16) -> CExpr {
    CExpr::Field(Root::Record, Box::new([i]))
}

/// One `SELECT` per event clause of `rule`, as a `UNION ALL`: key `k0`, instant `ts`, `kind`, and
/// `off`, the offset the instant was written with in seconds east of UTC (when `offsets`, else NULL),
/// and, when `dates`, `wd`: the day an event written as a date is (else NULL).
/// `roles`: the role tables are written too, so a `where` or `when` may ask about roles.
/// `placed` (for `check --engine duckdb`): each event carries where its record is (`pf`, its
/// file; `pr`, its row) and its id (`pid`), for the records a finding shows and names.
/// Why a case rule whose events' keys are held at different places is left out.
const MIXED_KEYS: &str = "a case key that multiplies decimals in some events and not in others (or in some versions of the rule and not in others)";

fn events(
    program: &Program,
    rule: &CompiledRule,
    d: Dialect,
    (roles, placed): (bool, bool),
    (offsets, dates, due): (bool, bool, Option<&DueSpec>),
    opening: &OpeningFields,
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<(String, bool), Unsupported> {
    let carried = carried(program, opening, placed)?;
    let Some(spec) = &rule.group else { return no("a case rule with no cases") };
    let Some(seq) = &spec.sequence else { return no("a case rule with no events") };
    let Some(key) = spec.keys.first() else { return no("a case rule with no key") };
    let as_of = program.evaluation.as_ref().map(|e| super::calendar::timestamp_literal(e.at));
    let mut selects = Vec::new();
    let mut fine = None;
    for ev in &seq.events {
        let Some(info) = program.schemas.get(ev.schema) else { return no("an event of no schema") };
        if info.builtin {
            return no("events read from the role files");
        }
        let mut c = Compiler::new(program, d, info.shape);
        c.roles = roles;
        let (at, off, wd) = match c.ty_of(&ev.at) {
            Some(Ty::DateTime) => {
                let off = if offsets { c.offset_of(&ev.at)? } else { "CAST(NULL AS BIGINT)".into() };
                (c.expr(&ev.at, None)?, off, format!("CAST(NULL AS {})", d.ty(SqlType::Date)))
            }
            // A whole day, at its start in the calendar's zone, at that zone's offset then.
            Some(Ty::Date) => {
                let day = c.expr(&ev.at, None)?;
                let at = day_start(d, rule.calendar, &day, calendars);
                let midnight = format!("{} * 86400000000", d.days_between(&day, "DATE '1970-01-01'"));
                let off = if offsets {
                    format!("CAST(({midnight} - {}) / 1000000 AS BIGINT)", d.epoch_us(&at))
                } else {
                    "CAST(NULL AS BIGINT)".into()
                };
                (at, off, day)
            }
            _ => return no("an event whose time cannot be told to be a date or a datetime"),
        };
        let mut wd = if dates { format!(", {wd} AS wd") } else { String::new() };
        if let Some(x) = due {
            wd.push_str(&due_columns(&mut c, x, ev.kind, calendars)?);
        }
        // The fields the message reads, from an opening record (NULL on other events).
        let from = opening.from.iter().find(|(s, _)| *s == ev.schema).map(|(_, slots)| slots.as_slice());
        for x in &carried {
            let source = from.and_then(|f| f.get(x.n)).filter(|_| ev.kind == EventKind::Opens);
            wd.push_str(&x.columns(&mut c, source.copied())?);
        }
        if placed {
            let id = super::group::record_id(&mut c, info)?;
            wd.push_str(&format!(", r.precept_file AS pf, r.precept_row AS pr, {id} AS pid"));
        }
        let key_expr = ev.key.as_ref().unwrap_or(&key.expr);
        let (k, held) = c.key(key_expr, &key.ty, "case")?;
        // Every event's key held alike, or keys the engine finds equal would differ.
        if *fine.get_or_insert(held) != held {
            return no(MIXED_KEYS);
        }
        let mut filter = vec![format!("{k} IS NOT NULL"), format!("{at} IS NOT NULL")];
        if ev.schema == rule.schema {
            if let Some(f) = &rule.filter {
                filter.push(d.is_true(&c.expr(f, None)?));
            }
        }
        if let Some(w) = &ev.when {
            filter.push(d.is_true(&c.expr(w, None)?));
        }
        if let Some(t) = &as_of {
            filter.push(format!("{at} <= {t}"));
        }
        // For `version by <expr>`, the day it gives on a record of the rule's own schema: a
        // datetime's local day in the rule's calendar's zone (without one, at the offset it was
        // written with), as the engine reads it.
        // (Only then: the column is in every version's events or in none, as the checker has
        // every version of a rule pick its cases by the same date.)
        let vd = match &seq.version {
            VersionDate::Field(e) if ev.schema == rule.schema => format!(
                ", {} AS vd",
                c.expr(&CExpr::DatePart(DateUnit::Day, rule.calendar, Box::new(e.clone())), None)?
            ),
            VersionDate::Field(_) => format!(", CAST(NULL AS {}) AS vd", d.ty(SqlType::Date)),
            _ => String::new(),
        };
        calendars.extend(std::mem::take(&mut c.calendars));
        let filter = filter.join(" AND ");
        selects.push(format!(
            "SELECT {k} AS k0, {at} AS ts, {} AS kind, {off} AS off{wd}{vd} FROM {} AS r{} WHERE {filter}",
            kind_number(ev.kind),
            d.ident(&info.name),
            super::joins(d, roles, &[&k, &at, &off, &wd, &vd, &filter]),
        ));
    }
    if selects.is_empty() {
        return no("a case rule with no events");
    }
    Ok((selects.join("\n    UNION ALL\n    "), fine.unwrap_or(false)))
}

fn enum_id(ty: &Ty) -> Option<crate::engine::types::EnumId> {
    match ty {
        Ty::Enum(e) => Some(*e),
        _ => None,
    }
}

/// Whether `rule`'s version is in force on day `day` (a SQL date), as
/// [`crate::engine::run::in_force_on`]: within its days and not suspended by an override.
fn in_force(d: Dialect, rule: &CompiledRule, day: &str) -> String {
    let within = |(from, until): (Option<jiff::civil::Date>, Option<jiff::civil::Date>)| {
        let mut parts = vec![format!("{day} IS NOT NULL")];
        if let Some(f) = from {
            parts.push(format!("{day} >= DATE '{f}'"));
        }
        if let Some(u) = until {
            parts.push(format!("{day} <= DATE '{u}'"));
        }
        format!("({})", parts.join(" AND "))
    };
    let mut parts = vec![format!("{day} IS NOT NULL")];
    if let Some(r) = rule.in_force {
        parts.push(d.is_true(&within(r)));
    }
    for s in &rule.suspended {
        parts.push(format!("NOT {}", d.is_true(&within(*s))));
    }
    parts.join(" AND ")
}

/// A field of the opening record that a case rule's message reads (`opening.<field>`), carried
/// with each event as column `o{n}` (NULL but on an opening), and a datetime's offset as `oo{n}`.
/// In `check --engine duckdb`, also whether the value did not convert, as `ou{n}`: the engine
/// shows such a value as `(unreadable)`, where SQL has only NULL.
struct Carried {
    /// Its place among the fields read.
    n: usize,
    /// Its slot in the message's opening shape.
    slot: u16,
    /// Its type.
    ty: Ty,
    /// Its SQL type.
    sql: SqlType,
    /// Whether `ou{n}` is carried (`check --engine duckdb`, whose tables list the fields of each
    /// record that did not convert in `precept_bad_fields`).
    unread: bool,
}

/// The fields of the opening record that `opening` says the message reads, in order; only single
/// values are carried.
fn carried(program: &Program, opening: &OpeningFields, placed: bool) -> Result<Vec<Carried>, Unsupported> {
    let mut out = Vec::new();
    for (n, &slot) in opening.read.iter().enumerate() {
        let field = program.shapes.get(opening.shape).and_then(|s| s.fields.get(usize::from(slot)));
        let Some(field) = field else { return no("a field of the opening record the schema does not have") };
        let Some(sql) = scalar(&field.ty) else {
            return no("a list or an object of the opening record in a case rule's message");
        };
        out.push(Carried { n, slot, ty: field.ty.clone(), sql, unread: placed });
    }
    if opening.from.iter().any(|(_, slots)| slots.len() != out.len()) {
        return no("a field of the opening record that an opening schema lacks");
    }
    Ok(out)
}

impl Carried {
    /// Whether its offset is carried too (a datetime's).
    fn offset(&self) -> bool {
        matches!(self.ty, Ty::DateTime)
    }

    /// Its columns as `alias` has them, in a select list: ` e.o0` (and `, e.oo0`).
    fn select(&self, alias: &str) -> String {
        let n = self.n;
        let mut out = format!(" {alias}.o{n}");
        if self.offset() {
            out.push_str(&format!(", {alias}.oo{n}"));
        }
        if self.unread {
            out.push_str(&format!(", {alias}.ou{n}"));
        }
        out
    }

    /// Its columns on an event: from field `source` of the event's record (an opening's), else NULL.
    fn columns(&self, c: &mut Compiler<'_>, source: Option<u16>) -> Result<String, Unsupported> {
        let d = c.dialect;
        let ty = d.ty(self.sql);
        let n = self.n;
        let (value, offset, unread) = match source {
            Some(slot) => {
                let field = self::slot(slot);
                let v = c.expr(&field, enum_id(&self.ty))?;
                let off = if self.offset() { Some(c.offset_of(&field)?) } else { None };
                let name = c.program.shapes.get(c.shape).and_then(|sh| sh.fields.get(usize::from(slot)));
                let Some(name) = name.map(|f| f.name.as_str()) else {
                    return no("a field of the opening record the schema does not have");
                };
                // Not one the native reader read and the table cannot hold (`crate::duck::copy`).
                let unread = format!(
                    "(list_contains(r.precept_bad_fields, {n}) AND NOT list_contains(r.precept_unheld_fields, {n}))",
                    n = d.text(name)
                );
                (format!("CAST({v} AS {ty})"), off, unread)
            }
            None => (
                format!("CAST(NULL AS {ty})"),
                self.offset().then(|| "CAST(NULL AS BIGINT)".to_string()),
                "FALSE".to_string(),
            ),
        };
        let mut out = format!(", {value} AS o{n}");
        if let Some(off) = offset {
            out.push_str(&format!(", {off} AS oo{n}"));
        }
        if self.unread {
            out.push_str(&format!(", {unread} AS ou{n}"));
        }
        Ok(out)
    }

    /// Its part of the order of tied events, as the engine's `tie` compares the fields an opening
    /// keeps: by the language's order (variants as declared, texts byte by byte), a missing value
    /// last, then a datetime by how it is held (its offset's digits, as the engine compares the
    /// values' texts).
    fn order(&self, program: &Program, d: Dialect) -> String {
        let col = format!("e.o{}", self.n);
        let key = match &self.ty {
            Ty::Enum(id) => match program.enums.get(*id) {
                Some(def) => {
                    let arms: Vec<String> =
                        def.variants.iter().enumerate().map(|(i, v)| format!("WHEN {} THEN {i}", d.text(v))).collect();
                    format!("CASE {col} {} END", arms.join(" "))
                }
                None => col.clone(),
            },
            Ty::Text => d.bytewise(&col),
            _ => col.clone(),
        };
        let mut out = format!(", {key} NULLS LAST");
        // A value that did not convert comes after every value and before a missing one, as the
        // engine orders them (it orders the values it cannot compare by how they are held).
        if self.unread {
            out.push_str(&format!(", CASE WHEN e.ou{} THEN 0 ELSE 1 END", self.n));
        }
        if self.offset() {
            let held = format!(
                "CASE WHEN {col} IS NOT NULL THEN {} || ')' END",
                d.to_text(&format!("COALESCE(e.oo{}, 0)", self.n), SqlType::Int)
            );
            out.push_str(&format!(", {} NULLS LAST", d.bytewise(&held)));
        }
        out
    }
}
