//! Obligations followed through the events of a case: opened by one event, closed by another,
//! optionally paused and resumed (waiting on the customer), with a deadline counted from the opening
//! and not counting paused time.
//!
//! A case's events are replayed in time order once every record has been read, since record files
//! come in any order. An obligation closed late is a finding; one still open at the end of the data
//! (the latest event of the rule's cases, so a run never depends on the clock), or at the
//! evaluation time when one is given (`--as-of`), is a finding once past its deadline, and is
//! *pending* before it (a deadline exactly at that time has not passed).
//!
//! With an evaluation time the data is judged as it stood then: events after it are not replayed
//! (an obligation closed after it was still open at it).
//!
//! A whole case is judged by the one version of the rule in force on the case's day, read over
//! every version's events ([`CaseStart`]), so two versions never judge one case. A deadline may be
//! read from the opening record ([`Due`]). A closing with nothing open judges nothing and is kept
//! as a [`Stray`], which the run reports as a warning rather than dropping it silently.
//!
//! With `in any order` each opening is instead matched by a closing on either side of it (see
//! `match_in_any_order`). A message reading the opening record (`opening.<field>`) gets the few
//! fields each opening kept ([`opening_fields`]).

use jiff::{SignedDuration, Timestamp};

use super::authority::{Authority, Evidence};
use super::eval::{eval, vars, Cx};
use super::format;
use super::program::{CompiledRule, DueSpec, DueUnit, GroupSpec, Limit, SequenceSpec, VersionDate, MAX_COUNT};
use super::value::Value;
use super::value::V;
use super::verdict::{GroupHit, Sample};
use super::Program;
use crate::ast::EventKind;

/// One event of a case.
#[derive(Debug, Clone, Copy)]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// The UTC offset it was written with, for showing it.
    pub offset: i32,
    /// The day it was, when it was written as a date (a whole day, placed at its start in the
    /// zone of the rule's calendar): it is shown as that date, and a deadline counted from it in
    /// whole days or months is a whole day too.
    pub whole_day: Option<jiff::civil::Date>,
    /// What it does.
    pub kind: EventKind,
    /// Its record's file (by index in the run) and line, to name it in a diagnostic.
    pub place: (u32, u32),
    /// For an opening whose rule reads its deadline from the data: the index of what its record
    /// gave in [`Case::dues`]. Kept apart so that an event stays small when there is none.
    pub due: Option<u32>,
    /// For an opening whose rule's message reads its record (`opening.<field>`): the index of the
    /// fields kept from it in [`Case::openings`].
    pub opening: Option<u32>,
}

/// What an opening record gave for a deadline read from the data (`within record.n business
/// days`, `within record.agreed_time`, `until record.extended_to`, `by record.due_at`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Due {
    /// The span it gave, in place of the rule's literal one.
    pub limit: Option<Limit>,
    /// The date or datetime it gave, as the instant it ends.
    pub until: Option<Timestamp>,
    /// The day it gave, when it gave a date: the deadline is then shown as that date.
    pub until_day: Option<jiff::civil::Date>,
    /// Part of the deadline had no answer (a count below zero or too large, a value that could
    /// not be read): the obligation is left out, neither a finding nor pending.
    pub unknown: bool,
}

/// Read the deadline an opening `record` gives.
pub fn read_due(spec: &DueSpec, record: &[Value], cx: &Cx<'_, '_>) -> Due {
    let mut due = Due::default();
    let mut vs = vars();
    if let Some((unit, e)) = &spec.span {
        due.limit = match (unit, eval(e, record, cx, &mut vs)) {
            (DueUnit::Business(cal), V::Int(n)) if (0..=MAX_COUNT).contains(&n) => Some(Limit::Business(n, *cal)),
            (DueUnit::Months, V::Int(n)) if (0..=MAX_COUNT).contains(&n) => Some(Limit::Months(n)),
            (DueUnit::Elapsed, V::Duration(d)) if !d.is_negative() => Some(Limit::Elapsed(d)),
            _ => None,
        };
        due.unknown = due.limit.is_none();
    }
    if let Some(e) = &spec.until {
        match eval(e, record, cx, &mut vs) {
            V::DateTime(ts, _) => due.until = Some(ts),
            V::Date(d) => {
                // A date is a whole day: it ends at the last instant before the next day starts, in
                // the zone of the rule's calendar (UTC without one).
                let zone =
                    spec.calendar.and_then(|c| cx.cals.get(c)).map_or(jiff::tz::TimeZone::UTC, |c| c.zone().clone());
                let end = d
                    .tomorrow()
                    .ok()
                    .and_then(|n| {
                        zone.to_ambiguous_timestamp(n.to_datetime(jiff::civil::Time::midnight())).compatible().ok()
                    })
                    .and_then(|t| t.checked_sub(SignedDuration::from_nanos(1)).ok());
                match end {
                    Some(t) => {
                        due.until = Some(t);
                        due.until_day = Some(d);
                    }
                    None => due.unknown = true,
                }
            }
            // After `within ... until`, a missing date is no extension.
            V::Missing => {}
            _ => due.unknown = true,
        }
    }
    due
}

/// An obligation being replayed.
struct Open {
    opened: Event,
    /// The deadline its opening record gave, if the rule reads one.
    due: Due,
    paused_since: Option<Timestamp>,
    paused: SignedDuration,
    paused_business_days: i64,
}

/// What became of one case's obligations.
pub struct Case<'a> {
    /// The rule.
    pub rule: usize,
    /// The key, as shown.
    pub key: &'a [(String, String)],
    /// The key's value, for the message.
    pub key_value: &'a Value,
    /// The case's events, in any order.
    pub events: Vec<Event>,
    /// The deadlines the case's opening records gave, by [`Event::due`].
    pub dues: &'a [Due],
    /// The fields of the case's opening records the message reads, by [`Event::opening`].
    pub openings: &'a [Box<[Value]>],
    /// What decides the case's day, over every version of the rule (see [`CaseStart`]).
    pub start: CaseStart,
    /// A few of its records.
    pub samples: &'a [Sample],
}

/// The time open obligations are judged at.
#[derive(Debug, Clone, Copy)]
pub enum End {
    /// The end of the data: the latest event of the rule's cases.
    Data(Timestamp),
    /// The evaluation time (`--as-of`), with the offset it is shown at.
    AsOf(Timestamp, i32),
}

impl End {
    fn at(self) -> Timestamp {
        match self {
            End::Data(t) | End::AsOf(t, _) => t,
        }
    }
}

/// A closing event with nothing open: the case had no obligation open when it came (it came
/// before the case's first opening, or after its obligation was closed already).
#[derive(Debug, Clone)]
pub struct Stray {
    /// The rule.
    pub rule: usize,
    /// The case's key, as shown.
    pub key: String,
    /// The closing event.
    pub close: Event,
    /// The case's next opening after it, if any.
    pub next_open: Option<Event>,
    /// The closing of the case's previous obligation, when there was one.
    pub previous_close: Option<Event>,
}

/// Closings with nothing open kept per rule to be named; the rest are only counted.
pub const MAX_STRAYS_KEPT: usize = 20;

/// What judging a rule's cases counted besides its findings.
#[derive(Debug, Default)]
pub struct Tally {
    /// Obligations open at the end of the data but not yet due.
    pub pending: usize,
    /// Obligations whose deadline from the data had no answer.
    pub left_out: u64,
    /// Closings with nothing open: the first [`MAX_STRAYS_KEPT`] in case order.
    pub strays: Vec<Stray>,
    /// Closings with nothing open, all of them.
    pub stray_count: usize,
}

/// What decides a case's day for picking its version, gathered from the events and records each
/// version of the rule kept for the case and merged over every version, so that all of them agree
/// on the day and at most one judges the case.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseStart {
    /// The case's first event of any kind, with its offset.
    pub first: Option<(Timestamp, i32)>,
    /// The case's first opening, with its offset.
    pub first_open: Option<(Timestamp, i32)>,
    /// The earliest day a `version by <expr>` gave over the case's records.
    pub field: Option<jiff::civil::Date>,
}

impl CaseStart {
    /// What one version's events (in any order) and `version by` day say. Of events at one
    /// instant, the smallest offset is taken, whatever the order they were read in (it decides
    /// the day where the rule has no calendar).
    pub fn of(events: &[Event], field: Option<jiff::civil::Date>) -> CaseStart {
        let earliest = |it: &mut dyn Iterator<Item = &Event>| it.map(|e| (e.at, e.offset)).min();
        CaseStart {
            first: earliest(&mut events.iter()),
            first_open: earliest(&mut events.iter().filter(|e| e.kind == EventKind::Opens)),
            field,
        }
    }

    /// Both together: the earliest of each (at one instant, the smallest offset).
    pub fn merge(&mut self, other: CaseStart) {
        let min = |a: Option<(Timestamp, i32)>, b: Option<(Timestamp, i32)>| match (a, b) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        self.first = min(self.first, other.first);
        self.first_open = min(self.first_open, other.first_open);
        self.field = match (self.field, other.field) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
    }

    /// A day the case's day can only come before, as more events come in, or `None`: the day
    /// itself without its fallback (a `version by receipt` case with no opening yet may still get
    /// one, later than its first event).
    pub fn bound(&self, by: &VersionDate, zone: Option<&crate::calendar::Calendar>) -> Option<jiff::civil::Date> {
        let day = |(at, off): (Timestamp, i32)| super::eval::local_day(V::DateTime(at, off), zone);
        match by {
            VersionDate::FirstEvent => self.first.and_then(day),
            VersionDate::Receipt => self.first_open.and_then(day),
            VersionDate::Field(_) => self.field,
        }
    }

    /// The day that picks the version (see [`VersionDate`]): the case's first event's by default,
    /// its first opening's for `version by receipt` (its first event's when it has none), the
    /// earliest a `version by <expr>` gave (its first event's when none gave one). Days are local
    /// days in the zone of the rule's calendar (`zone`).
    pub fn day(&self, by: &VersionDate, zone: Option<&crate::calendar::Calendar>) -> Option<jiff::civil::Date> {
        let day = |(at, off): (Timestamp, i32)| super::eval::local_day(V::DateTime(at, off), zone);
        let first = self.first.and_then(day);
        match by {
            VersionDate::FirstEvent => first,
            VersionDate::Receipt => self.first_open.and_then(day).or(first),
            VersionDate::Field(_) => self.field.or(first),
        }
    }
}

/// Replay a case's events; push a hit per obligation closed late, or open past its deadline (or
/// never closed, when there is no deadline) at `end`, and count in `tally` those open but not yet
/// due, those whose deadline had no answer, and closings with nothing open.
///
/// The whole case is judged by the one version of the rule in force on its day (see
/// [`CaseStart::day`]), so two versions never judge one case, whenever each obligation opened.
pub fn judge(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: &CompiledRule,
    mut case: Case<'_>,
    end: End,
    hits: &mut Vec<GroupHit>,
    tally: &mut Tally,
) {
    let Some((spec, seq)) = rule.group.as_ref().and_then(|g| Some((g, g.sequence.as_ref()?))) else { return };
    let cx = Judging { program, authority, rule, spec, end };
    if let End::AsOf(at, _) = end {
        case.events.retain(|e| e.at <= at);
    }
    let end_at = end.at();
    // Ties (events at one instant and of one kind) are broken by what the events carry, never by
    // the order they were read in, so the verdict does not depend on the order of the files or of
    // the records in them (see [`tie`]).
    let (dues, openings) = (case.dues, case.openings);
    case.events.sort_by(|a, b| (a.at, a.kind).cmp(&(b.at, b.kind)).then_with(|| tie(dues, openings, a, b)));
    // The version is the one in force on the case's day, a local day in the rule's calendar's zone.
    let zone = program.calendar_of(rule);
    if !case.start.day(&seq.version, zone).is_some_and(|d| super::run::in_force_on(rule, d)) {
        return;
    }
    if seq.any_order {
        match_in_any_order(&cx, &case, end_at, hits, tally);
        return;
    }
    let has_deadline = seq.limit.is_some() || seq.due.is_some();
    let mut open: Option<Open> = None;
    let mut previous_close: Option<Event> = None;
    for (i, ev) in case.events.iter().enumerate() {
        match (ev.kind, open.as_mut()) {
            (EventKind::Opens, None) => {
                let due = ev.due.and_then(|i| case.dues.get(i as usize)).copied().unwrap_or_default();
                open = Some(Open {
                    opened: *ev,
                    due,
                    paused_since: None,
                    paused: SignedDuration::ZERO,
                    paused_business_days: 0,
                });
            }
            (EventKind::Pauses, Some(o)) if o.paused_since.is_none() => o.paused_since = Some(ev.at),
            (EventKind::Resumes, Some(o)) => resume(program, seq, o, ev.at),
            (EventKind::Closes, Some(o)) => {
                resume(program, seq, o, ev.at);
                if o.due.unknown {
                    tally.left_out += 1;
                } else {
                    let due = deadline(program, rule, seq, o);
                    // A deadline too far off to represent is never passed.
                    if due.is_some_and(|(d, _)| ev.at > d) {
                        hits.push(cx.hit(&case, o, due, Some(*ev)));
                    }
                }
                open = None;
                previous_close = Some(*ev);
            }
            (EventKind::Closes, None) => {
                tally.stray_count += 1;
                if tally.strays.len() < MAX_STRAYS_KEPT {
                    let key = case.key.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", ");
                    let next_open =
                        case.events.get(i + 1..).and_then(|r| r.iter().find(|e| e.kind == EventKind::Opens)).copied();
                    tally.strays.push(Stray { rule: case.rule, key, close: *ev, next_open, previous_close });
                }
            }
            // A second opening while one is open, or a pause or resumption with nothing open,
            // changes nothing: the obligation already runs, or there is none to stop.
            _ => {}
        }
    }
    if let Some(mut o) = open {
        if o.due.unknown {
            tally.left_out += 1;
            return;
        }
        resume(program, seq, &mut o, end_at);
        let due = deadline(program, rule, seq, &o);
        match due {
            // A deadline exactly at the end (or the evaluation time) has not passed yet.
            Some((d, _)) if end_at <= d => tally.pending += 1,
            // A deadline too far off to represent has not passed either.
            None if has_deadline => tally.pending += 1,
            _ => hits.push(cx.hit(&case, &o, due, None)),
        }
    }
}

/// The order of two events at one instant and of one kind, by what they carry: for two openings,
/// which of them opens the obligation (the first) decides its deadline and what its message shows.
/// Known deadlines come before those with no answer, then the shorter span read from the record,
/// then the earlier date or instant read from it (none first), then an instant before a whole day
/// (written as a date), then the smaller offset it was written with, then the fields of the
/// opening record the message reads, each in the language's order (missing last). Events equal in
/// all of these are alike: whichever comes first changes nothing. So the order of the records
/// read never changes a verdict, and `precept sql` orders a case's events the same way.
fn tie(dues: &[Due], openings: &[Box<[Value]>], a: &Event, b: &Event) -> std::cmp::Ordering {
    let due = |e: &Event| e.due.and_then(|i| dues.get(i as usize)).copied().unwrap_or_default();
    let key = |d: Due| (d.unknown, d.limit.map(limit_order), d.until, d.until_day);
    let opening = |e: &Event| e.opening.and_then(|i| openings.get(i as usize));
    key(due(a))
        .cmp(&key(due(b)))
        .then_with(|| a.whole_day.is_some().cmp(&b.whole_day.is_some()))
        .then_with(|| a.offset.cmp(&b.offset))
        .then_with(|| match (opening(a), opening(b)) {
            (Some(x), Some(y)) => x
                .iter()
                .zip(y.iter())
                .map(|(v, w)| value_order(v, w))
                .find(|o| o.is_ne())
                .unwrap_or(x.len().cmp(&y.len())),
            (x, y) => x.is_some().cmp(&y.is_some()),
        })
}

/// A span read from a record as one number to order by: a duration in nanoseconds, else the
/// count (one rule's spans are all of one kind).
fn limit_order(l: Limit) -> i128 {
    match l {
        Limit::Elapsed(d) => d.as_nanos(),
        Limit::Business(n, _) | Limit::Months(n) => i128::from(n),
    }
}

/// A total order on the values of one field, for breaking ties: the language's order, a datetime's
/// offset (or a decimal's places) after its value, a missing value last, and values the language does not order (lists,
/// objects) by how they are held.
fn value_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Missing, Value::Missing) => return Ordering::Equal,
        (Value::Missing, _) => return Ordering::Greater,
        (_, Value::Missing) => return Ordering::Less,
        _ => {}
    }
    // Values equal in the language's order may still be written differently (a datetime at
    // another offset, a decimal with more places), which a message shows: then by how they are held.
    let held = || format!("{a:?}").cmp(&format!("{b:?}"));
    match super::eval::compare(a.view(), b.view()) {
        Some(o) => o.then_with(held),
        None => held(),
    }
}

/// `in any order`: judge each opening of a case on its own, matched by a closing of the case on
/// either side of it. A closing after the opening matches it when it comes by the deadline counted
/// from the opening (the usual deadline); a closing before it, when the opening comes by the
/// deadline counted from that closing; without a deadline, any closing matches. One closing may
/// match any number of openings. An opening not matched is a finding when a closing came after it
/// (too late: it is shown as closed late by the first one) or when its deadline has passed at
/// `end_at`; before that it is pending, as an open obligation is. `events` are in time order.
fn match_in_any_order(
    cx: &Judging<'_>,
    case: &Case<'_>,
    end_at: Timestamp,
    hits: &mut Vec<GroupHit>,
    tally: &mut Tally,
) {
    let Judging { program, rule, spec, .. } = *cx;
    let Some(seq) = spec.sequence.as_ref() else { return };
    let closings: Vec<&Event> = case.events.iter().filter(|e| e.kind == EventKind::Closes).collect();
    let from = |opened: Event, due: Due| Open {
        opened,
        due,
        paused_since: None,
        paused: SignedDuration::ZERO,
        paused_business_days: 0,
    };
    for x in case.events.iter().filter(|e| e.kind == EventKind::Opens) {
        let due = x.due.and_then(|i| case.dues.get(i as usize)).copied().unwrap_or_default();
        if due.unknown {
            tally.left_out += 1;
            continue;
        }
        let o = from(*x, due);
        let span = limit(seq, &o);
        // A closing at the same instant as the opening comes after it.
        let i = closings.partition_point(|c| c.at < x.at);
        let after = closings.get(i).copied();
        let before = i.checked_sub(1).and_then(|j| closings.get(j)).copied();
        let due_at = deadline(program, rule, seq, &o);
        // A deadline too far off to represent is never passed.
        let in_time = |d: Option<(Timestamp, Option<jiff::civil::Date>)>, at: Timestamp| d.is_none_or(|(d, _)| at <= d);
        if after.is_some_and(|y| span.is_none() || in_time(due_at, y.at)) {
            continue;
        }
        if before.is_some_and(|y| span.is_none() || in_time(deadline(program, rule, seq, &from(*y, due)), x.at)) {
            continue;
        }
        let mut hit = match (after, due_at) {
            (Some(y), _) => cx.hit(case, &o, due_at, Some(*y)),
            // Not yet due at the end (or the evaluation time); a deadline too far off to represent
            // is never due.
            (None, Some((d, _))) if end_at <= d => {
                tally.pending += 1;
                continue;
            }
            (None, None) if span.is_some() => {
                tally.pending += 1;
                continue;
            }
            (None, _) => cx.hit(case, &o, due_at, None),
        };
        if let Some(y) = before {
            hit.evidence.push(earlier_closing(program, rule, y, x));
        }
        hits.push(hit);
    }
}

/// Evidence that a closing came before an opening it could not match, being too long before it.
pub fn earlier_closing(program: &Program, rule: &CompiledRule, y: &Event, x: &Event) -> Evidence {
    let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
    let mut at = String::new();
    match y.whole_day {
        Some(d) => format::value(&mut at, program, &crate::engine::types::Ty::Date, Value::Date(d).view()),
        None => {
            let v = Value::DateTime(y.at, zone.map_or(y.offset, |z| z.to_offset(y.at).seconds()));
            format::value(&mut at, program, &crate::engine::types::Ty::DateTime, v.view());
        }
    }
    let before = format::duration(x.at.duration_since(y.at));
    Evidence {
        summary: format!(
            "the case's closest earlier closing, {at}, came {before} before the opening: more than the deadline allows"
        ),
        facts: vec![("closed_before", at), ("before_by", before)],
    }
}

/// The span an obligation is given: the one its opening record gave, else the rule's.
fn limit(seq: &SequenceSpec, o: &Open) -> Option<Limit> {
    o.due.limit.or(seq.limit)
}

/// End a pause (if any) at `at`, adding its length to the time not counted.
fn resume(program: &Program, seq: &SequenceSpec, o: &mut Open, at: Timestamp) {
    let Some(since) = o.paused_since.take() else { return };
    o.paused = o.paused.saturating_add(at.duration_since(since));
    if let Some(Limit::Business(_, cal)) = limit(seq, o) {
        if let Some(cal) = program.calendars.get(cal) {
            o.paused_business_days = o.paused_business_days.saturating_add(cal.whole_working_days_between(since, at));
        }
    }
}

/// The deadline, moved on by the time the obligation was paused, and then the later of that and a
/// date from the data (which a pause does not move); `None` without either. With it, the day it
/// falls on when it is a whole day: an obligation opened on a date (not at a time), with a span in
/// whole days or months, is due by the end of a day (the last instant of that day in the zone of
/// the rule's calendar), shown as that date rather than as a midnight when nothing paused it; so is
/// a date from the data.
fn deadline(
    program: &Program,
    rule: &CompiledRule,
    seq: &SequenceSpec,
    o: &Open,
) -> Option<(Timestamp, Option<jiff::civil::Date>)> {
    let span = match limit(seq, o) {
        None => None,
        Some(l) => {
            match whole_day_deadline(program, rule, l, o).or_else(|| Some((span_deadline(program, l, o)?, None))) {
                Some(d) => Some(d),
                // Too far off to represent: never passed, whatever the date from the data.
                None => return None,
            }
        }
    };
    let until = o.due.until.map(|u| (u, o.due.until_day));
    match (span, until) {
        (Some(d), Some(u)) => Some(if u.0 > d.0 { u } else { d }),
        (d, u) => d.or(u),
    }
}

/// The end of the day a whole-day span reaches from an opening written as a date, with that day.
fn whole_day_deadline(
    program: &Program,
    rule: &CompiledRule,
    limit: Limit,
    o: &Open,
) -> Option<(Timestamp, Option<jiff::civil::Date>)> {
    let day = o.opened.whole_day?;
    let due = match limit {
        Limit::Elapsed(d) if d.as_secs() % 86_400 == 0 && d.subsec_nanos() == 0 => {
            day.checked_add(jiff::Span::new().days(d.as_secs() / 86_400)).ok()
        }
        Limit::Months(n) => super::months::add_months(day, n),
        _ => None,
    }?;
    let tz = program.calendar_of(rule).map_or(jiff::tz::TimeZone::UTC, |c| c.zone().clone());
    let next = due.tomorrow().ok()?.to_zoned(tz).ok()?.timestamp();
    let end = next.checked_sub(SignedDuration::from_nanos(1)).ok()?;
    // Paused time moves the end of that day on by as long as the pause lasted; it is then an
    // instant, no longer a whole day.
    if o.paused.is_zero() {
        Some((end, Some(due)))
    } else {
        Some((end.checked_add(o.paused).ok()?, None))
    }
}

/// The deadline a span gives, from the opening, moved on by the time paused.
fn span_deadline(program: &Program, limit: Limit, o: &Open) -> Option<Timestamp> {
    match limit {
        Limit::Elapsed(d) => o.opened.at.checked_add(d.saturating_add(o.paused)).ok(),
        Limit::Business(n, cal) => {
            program.calendars.get(cal)?.add_business_days(o.opened.at, n + o.paused_business_days)
        }
        // The month is counted from the opening on its own offset's calendar; a pause then moves the
        // deadline on by the time it lasted, as for elapsed time.
        Limit::Months(n) => super::months::add_months_at(o.opened.at, o.opened.offset, n)?.checked_add(o.paused).ok(),
    }
}

/// What judging a case rule's cases needs.
struct Judging<'a> {
    program: &'a Program,
    authority: Option<&'a dyn Authority>,
    rule: &'a CompiledRule,
    spec: &'a GroupSpec,
    /// The end of the data, or the evaluation time.
    end: End,
}

impl Judging<'_> {
    /// The finding for an obligation closed late (`closed`), or open at the end of the data.
    fn hit(
        &self,
        case: &Case<'_>,
        o: &Open,
        due: Option<(Timestamp, Option<jiff::civil::Date>)>,
        closed: Option<Event>,
    ) -> GroupHit {
        let Judging { program, authority, rule, spec, end } = *self;
        let deadline = due.map(|(d, _)| d);
        let offset = o.opened.offset;
        // Times are shown in the zone of the rule's calendar (as written without one), whole days
        // as the dates they are.
        let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
        // The slots are datetimes, as `group.opened`, `group.deadline` and `group.closed` are typed,
        // so a message can compute with them; the evidence shows whole days as dates.
        let value_of = |ts: Timestamp, off: i32| Value::DateTime(ts, zone.map_or(off, |z| z.to_offset(ts).seconds()));
        let due_day = due.and_then(|(_, d)| d);
        let mut values: Vec<Value> = vec![Value::Missing; spec.sequence.as_ref().map_or(0, |q| q.opened_slot + 3)];
        if let Some(v) = values.get_mut(0) {
            *v = case.key_value.clone();
        }
        // Which of those slots stand for whole days, for the message to show as dates.
        let mut days: Vec<(u16, jiff::civil::Date)> = Vec::new();
        if let Some(seq) = &spec.sequence {
            let slot = seq.opened_slot;
            let at = |k: usize| u16::try_from(slot + k).ok();
            let whole = [(0, o.opened.whole_day), (1, due_day), (2, closed.and_then(|c| c.whole_day))];
            days.extend(whole.iter().filter_map(|&(k, d)| Some((at(k)?, d?))));
            if let Some(v) = values.get_mut(slot) {
                *v = value_of(o.opened.at, offset);
            }
            if let (Some(v), Some(d)) = (values.get_mut(slot + 1), deadline) {
                *v = value_of(d, offset);
            }
            if let (Some(v), Some(c)) = (values.get_mut(slot + 2), closed) {
                *v = value_of(c.at, c.offset);
            }
        }
        let evidence = case_evidence(program, rule, (&o.opened, o.paused), due, closed, end);
        let opening = opening_record(spec, case, &o.opened);
        let read = opening.as_ref().map(|(var, r)| (*var, r.as_slice()));
        GroupHit {
            rule: case.rule,
            key: case.key.to_vec(),
            require: None,
            message: super::run::message_with_days(program, authority, rule, &values, &days, read),
            help: super::run::help_with_days(program, authority, rule, &values, &days, read),
            evidence: vec![evidence],
            samples: case.samples.to_vec(),
            values: values.to_vec(),
            opening: opening.map(|(_, r)| r),
        }
    }
}

/// The evidence of an obligation closed late (`closed`) or open at `end` past its deadline (or
/// never closed): when it opened (`opened`, with the time it was paused), its deadline (with the
/// day it is when it is a whole day), when it closed and how late. Times are shown in the zone of
/// the rule's calendar (as written without one), whole days as the dates they are. Public so that
/// `check --engine duckdb` says of the obligations its SQL judges what the engine says.
pub fn case_evidence(
    program: &Program,
    rule: &CompiledRule,
    (opened, paused): (&Event, SignedDuration),
    due: Option<(Timestamp, Option<jiff::civil::Date>)>,
    closed: Option<Event>,
    end: End,
) -> Evidence {
    let deadline = due.map(|(d, _)| d);
    let due_day = due.and_then(|(_, d)| d);
    let offset = opened.offset;
    let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
    let shown_day = |ts: Timestamp, off: i32, day: Option<jiff::civil::Date>| {
        let mut s = String::new();
        match day {
            Some(d) => format::value(&mut s, program, &crate::engine::types::Ty::Date, Value::Date(d).view()),
            None => {
                let v = Value::DateTime(ts, zone.map_or(off, |z| z.to_offset(ts).seconds()));
                format::value(&mut s, program, &crate::engine::types::Ty::DateTime, v.view());
            }
        }
        s
    };
    let shown = |ts: Timestamp, off: i32| shown_day(ts, off, None);
    let opened = shown_day(opened.at, offset, opened.whole_day);
    let mut facts = vec![("opened", opened.clone())];
    let mut summary = format!("opened {opened}");
    if let Some(d) = deadline {
        facts.push(("deadline", shown_day(d, offset, due_day)));
        summary.push_str(&format!("; due by {}", shown_day(d, offset, due_day)));
    }
    if !paused.is_zero() {
        facts.push(("paused", format::duration(paused)));
        summary.push_str(&format!(" ({} paused, not counted)", format::duration(paused)));
    }
    match (closed, deadline) {
        (Some(c), Some(d)) => {
            facts.push(("closed", shown_day(c.at, c.offset, c.whole_day)));
            facts.push(("late_by", format::duration(c.at.duration_since(d))));
            summary.push_str(&format!(
                "; closed {}, {} late",
                shown_day(c.at, c.offset, c.whole_day),
                format::duration(c.at.duration_since(d))
            ));
        }
        (None, Some(d)) => match end {
            End::Data(end) => {
                facts.push(("open_at_end", shown(end, offset)));
                facts.push(("late_by", format::duration(end.duration_since(d))));
                summary.push_str(&format!(
                    "; still open when the data ends ({}), {} past the deadline",
                    shown(end, offset),
                    format::duration(end.duration_since(d))
                ));
            }
            End::AsOf(at, at_offset) => {
                facts.push(("open_at_as_of", shown(at, at_offset)));
                facts.push(("late_by", format::duration(at.duration_since(d))));
                summary.push_str(&format!(
                    "; still open at {} (the evaluation time), {} past the deadline",
                    shown(at, at_offset),
                    format::duration(at.duration_since(d))
                ));
            }
        },
        _ => match end {
            End::Data(end) => {
                facts.push(("open_at_end", shown(end, offset)));
                summary.push_str(&format!("; never closed (the data ends {})", shown(end, offset)));
            }
            End::AsOf(at, at_offset) => {
                facts.push(("open_at_as_of", shown(at, at_offset)));
                summary.push_str(&format!("; still open at {} (the evaluation time)", shown(at, at_offset)));
            }
        },
    }
    Evidence { summary, facts }
}

/// The fields an opening record of `schema` keeps for its rule's message (`opening.<field>`), or
/// `None` when the event is no opening or the message reads none.
pub fn opening_fields(seq: &SequenceSpec, kind: EventKind, schema: usize, record: &[Value]) -> Option<Box<[Value]>> {
    if kind != EventKind::Opens || seq.opening.read.is_empty() {
        return None;
    }
    let (_, slots) = seq.opening.from.iter().find(|(s, _)| *s == schema)?;
    Some(slots.iter().map(|&s| record.get(usize::from(s)).cloned().unwrap_or(Value::Missing)).collect())
}

/// The opening record as a case rule's message reads it (`opening.<field>`): as wide as the
/// message's opening shape, with the fields it reads from what the opening kept, the rest missing.
/// `None` when the message reads none.
fn opening_record(spec: &GroupSpec, case: &Case<'_>, opened: &Event) -> Option<(u8, Vec<Value>)> {
    let fields = &spec.sequence.as_ref()?.opening;
    if fields.read.is_empty() {
        return None;
    }
    let mut record = vec![Value::Missing; fields.width];
    let kept = opened.opening.and_then(|i| case.openings.get(i as usize));
    for (slot, v) in fields.read.iter().zip(kept.into_iter().flat_map(|k| k.iter())) {
        if let Some(x) = record.get_mut(usize::from(*slot)) {
            *x = v.clone();
        }
    }
    Some((fields.var, record))
}
