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

use jiff::{SignedDuration, Timestamp};

use super::authority::{Authority, Evidence};
use super::format;
use super::program::{CompiledRule, GroupSpec, Limit, SequenceSpec};
use super::value::Value;
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
    /// What it does.
    pub kind: EventKind,
}

/// An obligation being replayed.
struct Open {
    opened: Event,
    /// This version of the rule is in force on the day it opened (else another version judges it).
    judged: bool,
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

/// Replay a case's events; push a hit per obligation closed late, or open past its deadline (or
/// never closed, when there is no deadline) at `end`, and return how many are open but not yet due.
pub fn judge(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: &CompiledRule,
    mut case: Case<'_>,
    end: End,
    hits: &mut Vec<GroupHit>,
) -> usize {
    let Some((spec, seq)) = rule.group.as_ref().and_then(|g| Some((g, g.sequence.as_ref()?))) else { return 0 };
    let cx = Judging { program, authority, rule, spec, end };
    if let End::AsOf(at, _) = end {
        case.events.retain(|e| e.at <= at);
    }
    let end_at = end.at();
    case.events.sort_by_key(|e| (e.at, e.kind));
    let mut open: Option<Open> = None;
    let mut pending = 0;
    for ev in &case.events {
        match (ev.kind, open.as_mut()) {
            (EventKind::Opens, None) => {
                let day = super::eval::day(super::value::V::DateTime(ev.at, ev.offset));
                open = Some(Open {
                    opened: *ev,
                    judged: day.is_some_and(|d| super::run::in_force_on(rule, d)),
                    paused_since: None,
                    paused: SignedDuration::ZERO,
                    paused_business_days: 0,
                });
            }
            (EventKind::Pauses, Some(o)) if o.paused_since.is_none() => o.paused_since = Some(ev.at),
            (EventKind::Resumes, Some(o)) => resume(program, seq, o, ev.at),
            (EventKind::Closes, Some(o)) => {
                resume(program, seq, o, ev.at);
                let deadline = deadline(program, seq, o);
                // A deadline too far off to represent is never passed.
                if o.judged && deadline.is_some_and(|d| ev.at > d) {
                    hits.push(cx.hit(&case, o, deadline, Some(*ev)));
                }
                open = None;
            }
            // An event that does not fit (a close with nothing open, a second opening) changes nothing.
            _ => {}
        }
    }
    if let Some(mut o) = open.filter(|o| o.judged) {
        resume(program, seq, &mut o, end_at);
        let deadline = deadline(program, seq, &o);
        match deadline {
            // A deadline exactly at the end (or the evaluation time) has not passed yet.
            Some(d) if end_at <= d => pending += 1,
            // A deadline too far off to represent has not passed either.
            None if seq.limit.is_some() => pending += 1,
            _ => hits.push(cx.hit(&case, &o, deadline, None)),
        }
    }
    pending
}

/// End a pause (if any) at `at`, adding its length to the time not counted.
fn resume(program: &Program, seq: &SequenceSpec, o: &mut Open, at: Timestamp) {
    let Some(since) = o.paused_since.take() else { return };
    o.paused = o.paused.saturating_add(at.duration_since(since));
    if let Some(Limit::Business(_, cal)) = seq.limit {
        if let Some(cal) = program.calendars.get(cal) {
            o.paused_business_days = o.paused_business_days.saturating_add(cal.whole_working_days_between(since, at));
        }
    }
}

/// The deadline, moved on by the time the obligation was paused; `None` without a limit.
fn deadline(program: &Program, seq: &SequenceSpec, o: &Open) -> Option<Timestamp> {
    match seq.limit? {
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
    fn hit(&self, case: &Case<'_>, o: &Open, deadline: Option<Timestamp>, closed: Option<Event>) -> GroupHit {
        let Judging { program, authority, rule, spec, end } = *self;
        let offset = o.opened.offset;
        let shown = |ts: Timestamp, off: i32| {
            let mut s = String::new();
            format::value(&mut s, program, &crate::engine::types::Ty::DateTime, super::value::V::DateTime(ts, off));
            s
        };
        let mut values: Vec<Value> = vec![Value::Missing; spec.sequence.as_ref().map_or(0, |q| q.opened_slot + 3)];
        if let Some(v) = values.get_mut(0) {
            *v = case.key_value.clone();
        }
        if let Some(seq) = &spec.sequence {
            let slot = seq.opened_slot;
            if let Some(v) = values.get_mut(slot) {
                *v = Value::DateTime(o.opened.at, offset);
            }
            if let (Some(v), Some(d)) = (values.get_mut(slot + 1), deadline) {
                *v = Value::DateTime(d, offset);
            }
            if let (Some(v), Some(c)) = (values.get_mut(slot + 2), closed) {
                *v = Value::DateTime(c.at, c.offset);
            }
        }
        let mut facts = vec![("opened", shown(o.opened.at, offset))];
        let mut summary = format!("opened {}", shown(o.opened.at, offset));
        if let Some(d) = deadline {
            facts.push(("deadline", shown(d, offset)));
            summary.push_str(&format!("; due by {}", shown(d, offset)));
        }
        if !o.paused.is_zero() {
            facts.push(("paused", format::duration(o.paused)));
            summary.push_str(&format!(" ({} paused, not counted)", format::duration(o.paused)));
        }
        match (closed, deadline) {
            (Some(c), Some(d)) => {
                facts.push(("closed", shown(c.at, c.offset)));
                facts.push(("late_by", format::duration(c.at.duration_since(d))));
                summary.push_str(&format!(
                    "; closed {}, {} late",
                    shown(c.at, c.offset),
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
        GroupHit {
            rule: case.rule,
            key: case.key.to_vec(),
            require: None,
            message: super::run::message(program, authority, &rule.message, &values),
            evidence: vec![Evidence { summary, facts }],
            samples: case.samples.to_vec(),
        }
    }
}
