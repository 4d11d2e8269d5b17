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
//!   no key or no instant is no event, as in the engine.
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
//! A finding names no record (`record_id` is NULL, `field` empty, `requirement` NULL, as `precept
//! check` gives a case no record or requirement) and carries the case's key in `group_key`, shown as
//! `precept check` shows it (`case C-1042`). Its message reads `group.case`, `group.opened`,
//! `group.deadline` and `group.closed` (NULL when still open).

use super::dialect::{Dialect, SqlType};
use super::expr::{Compiler, Slot, Unsupported};
use super::lookup;
use super::tables::scalar;
use super::RuleSql;
use crate::ast::EventKind;
use crate::engine::program::{CExpr, CompiledRule, DateUnit, GroupSpec, Limit, Root, SequenceSpec, VersionDate};
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
    roles: bool,
) -> Result<RuleSql, Unsupported> {
    if seq.due.is_some() {
        return no("a case's deadline read from its opening record (`within record...`, `until`, `by`)");
    }
    if !seq.opening.read.is_empty() {
        return no("the opening record in a case rule's message (`opening.<field>`)");
    }
    let has_pauses = seq.events.iter().any(|e| matches!(e.kind, EventKind::Pauses | EventKind::Resumes));
    let [key] = spec.keys.as_slice() else { return no("a case key of several parts") };
    let Some(key_ty) =
        scalar(&key.ty).filter(|_| matches!(key.ty, Ty::Text | Ty::Enum(_) | Ty::Int | Ty::Bool | Ty::Date))
    else {
        return no("a case key of this type (shown as `check` shows it)");
    };

    // The offsets events were written with are carried where they count: a deadline in months is
    // counted on the opening's own calendar, and without a calendar a case's day is read at its
    // first event's offset.
    let months = matches!(seq.limit, Some(Limit::Months(_)));
    let offsets = months || (versioned(rule) && rule.calendar.is_none());
    let mut calendars = std::collections::BTreeSet::new();
    let own = events(program, rule, d, roles, offsets, &mut calendars)?;
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
            all.push(events(program, v, d, roles, offsets, &mut calendars)?);
        }
        let (first, first_off) = match &seq.version {
            VersionDate::FirstEvent => ("s.first_at", "s.first_off"),
            VersionDate::Receipt => (
                "COALESCE(s.first_open, s.first_at)",
                "CASE WHEN s.first_open IS NULL THEN s.first_off ELSE s.open_off END",
            ),
            VersionDate::Field(_) => return no("`version by` an expression"),
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
        let all = all.join("\n      UNION ALL\n      ");
        let firsts = "SELECT k0, MIN(ts) AS first_at, MIN(CASE WHEN kind = 0 THEN ts END) AS first_open";
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
    let order = "PARTITION BY e.k0 ORDER BY e.ts, e.kind";
    with.push(format!(
        "precept_ordered AS (\n    SELECT e.k0, e.ts, e.kind, e.off,\n      ROW_NUMBER() OVER ({order}) AS pos,\n      COALESCE(SUM(CASE WHEN e.kind = 3 THEN 1 ELSE 0 END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seg\n    FROM precept_events AS e{judged}\n  )"
    ));
    if !seq.any_order {
        with.push(
            "precept_obligations AS (\n    SELECT k0, seg, MIN(CASE WHEN kind = 0 THEN pos END) AS open_pos, MIN(CASE WHEN kind = 0 THEN ts END) AS open_at, MAX(CASE WHEN kind = 3 THEN ts END) AS close_at\n    FROM precept_ordered GROUP BY k0, seg\n  )"
                .into(),
        );
    }

    // Time paused: each pause runs from the first pausing event after the opening (or after the
    // last resumption) to the next resumption, else to the closing, else to the end of the data.
    let paused = if has_pauses {
        with.push(format!(
            "precept_clock AS (\n    SELECT o.k0, o.seg, p.ts, p.kind,\n      COALESCE(SUM(CASE WHEN p.kind = 2 THEN 1 ELSE 0 END) OVER (PARTITION BY o.k0, o.seg ORDER BY p.pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS run\n    FROM precept_obligations AS o JOIN precept_ordered AS p ON p.k0 = o.k0 AND p.seg = o.seg AND p.pos > o.open_pos AND p.kind IN (1, 2)\n  ),\n  precept_spans AS (\n    SELECT q.k0, q.seg, q.p_from, COALESCE(q.p_to, o.close_at, n.e) AS p_to FROM (\n      SELECT k0, seg, run, MIN(CASE WHEN kind = 1 THEN ts END) AS p_from, MIN(CASE WHEN kind = 2 THEN ts END) AS p_to\n      FROM precept_clock GROUP BY k0, seg, run\n    ) AS q JOIN precept_obligations AS o ON o.k0 = q.k0 AND o.seg = q.seg CROSS JOIN precept_end AS n\n    WHERE q.p_from IS NOT NULL\n  ),\n  precept_pauses AS (\n    SELECT x.k0, x.seg, CAST(SUM(x.us) AS BIGINT) AS us, CAST(SUM(x.bd) AS BIGINT) AS bd FROM (\n      SELECT s.k0, s.seg, {} - {} AS us, {} AS bd FROM precept_spans AS s\n    ) AS x GROUP BY x.k0, x.seg\n  )",
            d.epoch_us("s.p_to"),
            d.epoch_us("s.p_from"),
            paused_business_days(d, seq.limit, &mut calendars),
        ));
        "COALESCE(p.us, 0)"
    } else {
        "0"
    };
    let mut pause_join =
        if has_pauses { "\n    LEFT JOIN precept_pauses AS p ON p.k0 = o.k0 AND p.seg = o.seg" } else { "" }
            .to_string();
    if months {
        // The opening's offset, for counting its months.
        pause_join.push_str("\n    LEFT JOIN precept_ordered AS f ON f.k0 = o.k0 AND f.pos = o.open_pos");
    }

    if seq.any_order {
        with.push(any_order(program, seq.limit, info, d, months, &mut calendars)?);
    } else {
        // The deadline, from the opening, moved on by the time paused.
        let deadline = match seq.limit {
            Some(Limit::Business(n, cal)) if has_pauses => {
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
            _ => deadline(program, seq.limit, info, d, ("o.open_at", "f.off"), paused, &mut calendars)?,
        };
        with.push(format!(
        "precept_judged AS (\n    SELECT o.k0, o.open_at, o.close_at, {deadline} AS due, n.e\n    FROM precept_obligations AS o CROSS JOIN precept_end AS n{pause_join}\n    WHERE o.open_pos IS NOT NULL\n  )"
    ));
    }
    // Closed after the deadline, or still open at the end past it (a deadline exactly at the end
    // has not passed); without a deadline, still open at all. In any order, an opening matched by
    // neither closing beside it.
    let late = if seq.any_order {
        any_order_late(d, seq.limit.is_some())
    } else if seq.limit.is_some() {
        "(r.close_at IS NOT NULL AND r.close_at > r.due) OR (r.close_at IS NULL AND r.e > r.due)".into()
    } else {
        "r.close_at IS NULL".into()
    };

    // The group record the message reads: the case, then opened, deadline and closed.
    let mut slots = vec![Slot::Value("r.k0".into(), key.ty.clone())];
    while slots.len() < seq.opened_slot {
        slots.push(Slot::Value(format!("CAST(NULL AS {})", d.ty(SqlType::Text)), Ty::Text));
    }
    slots.push(Slot::Value("r.open_at".into(), Ty::DateTime));
    slots.push(Slot::Value("r.due".into(), Ty::DateTime));
    slots.push(Slot::Value("r.close_at".into(), Ty::DateTime));
    let mut c = Compiler::new(program, d, info.shape);
    c.roles = roles;
    c.group = Some(slots);
    let (template, values) = super::message(&mut c, rule)?;
    calendars.extend(c.calendars);
    let group_key = super::group::group_key(d, spec, &[key_ty])?;
    let text = d.ty(SqlType::Text);
    let values = d.text_list(&values);
    let roles_join = super::roles::join(d, roles, &[&values]);
    let select = format!(
        "SELECT * FROM (\n  WITH {}\n  SELECT\n{}  CAST(NULL AS {text}) AS record_id,\n  CAST(NULL AS BIGINT) AS requirement,\n  '' AS field,\n  {} AS message,\n  {values} AS message_values,\n  {group_key} AS group_key\n  FROM precept_judged AS r{roles_join}\n  WHERE {late}\n) AS precept_rule",
        with.join(",\n  "),
        super::identity(program, rule, info, d),
        d.text(&template),
    );
    Ok(RuleSql { select, calendars })
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
fn any_order(
    program: &Program,
    limit: Option<Limit>,
    info: &crate::engine::program::SchemaInfo,
    d: Dialect,
    months: bool,
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<String, Unsupported> {
    let due = deadline(program, limit, info, d, ("m.open_at", "m.off"), "0", calendars)?;
    let before_due = deadline(program, limit, info, d, ("m.before_at", "b.off"), "0", calendars)?;
    let order = "PARTITION BY o.k0 ORDER BY o.ts, o.kind";
    // In months, the deadline from the closing before is counted at that closing's offset: the
    // last closing before the opening, found by its place.
    let (before_pos, before_join) = if months {
        (
            format!(",\n      MAX(CASE WHEN o.kind = 3 THEN o.pos END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_pos"),
            "\n    LEFT JOIN precept_ordered AS b ON b.k0 = m.k0 AND b.pos = m.before_pos",
        )
    } else {
        (String::new(), "")
    };
    Ok(format!(
        "precept_matched AS (\n    SELECT o.k0, o.kind, o.off, o.ts AS open_at,\n      MIN(CASE WHEN o.kind = 3 THEN o.ts END) OVER ({order} ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS close_at,\n      MAX(CASE WHEN o.kind = 3 THEN o.ts END) OVER ({order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_at{before_pos}\n    FROM precept_ordered AS o\n  ),\n  precept_judged AS (\n    SELECT m.k0, m.open_at, m.close_at, m.before_at, {due} AS due, {before_due} AS before_due, n.e\n    FROM precept_matched AS m CROSS JOIN precept_end AS n{before_join}\n    WHERE m.kind = 0\n  )"
    ))
}

/// When an opening in any order is a finding: matched by neither the first closing after it
/// (by its deadline) nor the last closing before it (the opening by that closing's deadline), and
/// either closed late or, past its deadline, still open at the end; without a deadline, any
/// closing matches.
fn any_order_late(d: Dialect, has_limit: bool) -> String {
    if !has_limit {
        return "r.close_at IS NULL AND r.before_at IS NULL".into();
    }
    let after = d.is_true("r.close_at IS NOT NULL AND r.close_at <= r.due");
    let before = d.is_true("r.before_at IS NOT NULL AND r.open_at <= r.before_due");
    format!("NOT {after} AND NOT {before} AND (r.close_at IS NOT NULL OR {})", d.is_true("r.e > r.due"))
}

/// The civil day instant `at` has at offset `off` (seconds east of UTC; NULL is UTC, as a NULL
/// offset column is), as the engine reads a datetime's day at the offset it was written with.
fn written_day(d: Dialect, at: &str, off: &str) -> String {
    format!("CAST({} AS DATE)", d.from_epoch_us(&format!("{} + COALESCE({off}, 0) * 1000000", d.epoch_us(at))))
}

/// The group record's slot `i`, as an expression.
fn slot(i: u16) -> CExpr {
    CExpr::Field(Root::Record, Box::new([i]))
}

/// One `SELECT` per event clause of `rule`, as a `UNION ALL`: key `k0`, instant `ts`, `kind`, and
/// `off`, the offset the instant was written with in seconds east of UTC (when `offsets`, else NULL).
/// `roles`: the role tables are written too, so a `where` or `when` may ask about roles.
fn events(
    program: &Program,
    rule: &CompiledRule,
    d: Dialect,
    roles: bool,
    offsets: bool,
    calendars: &mut std::collections::BTreeSet<usize>,
) -> Result<String, Unsupported> {
    let Some(spec) = &rule.group else { return no("a case rule with no cases") };
    let Some(seq) = &spec.sequence else { return no("a case rule with no events") };
    let Some(key) = spec.keys.first() else { return no("a case rule with no key") };
    let as_of = program.evaluation.as_ref().map(|e| super::calendar::timestamp_literal(e.at));
    let mut selects = Vec::new();
    for ev in &seq.events {
        let Some(info) = program.schemas.get(ev.schema) else { return no("an event of no schema") };
        if info.builtin {
            return no("events read from the role files");
        }
        let mut c = Compiler::new(program, d, info.shape);
        c.roles = roles;
        if c.ty_of(&ev.at) != Some(Ty::DateTime) {
            return no("an event whose time is a date or cannot be told to be a datetime");
        }
        let at = c.expr(&ev.at, None)?;
        let off = if offsets { c.offset_of(&ev.at)? } else { "CAST(NULL AS BIGINT)".into() };
        let k = c.expr(ev.key.as_ref().unwrap_or(&key.expr), enum_id(&key.ty))?;
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
        calendars.extend(std::mem::take(&mut c.calendars));
        let filter = filter.join(" AND ");
        selects.push(format!(
            "SELECT {k} AS k0, {at} AS ts, {} AS kind, {off} AS off FROM {} AS r{} WHERE {filter}",
            kind_number(ev.kind),
            d.ident(&info.name),
            super::roles::join(d, roles, &[&k, &at, &off, &filter]),
        ));
    }
    if selects.is_empty() {
        return no("a case rule with no events");
    }
    Ok(selects.join("\n    UNION ALL\n    "))
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
