//! Applying every rule to a batch of records, in parallel, with findings in input order.
//!
//! Records that hold cost no allocation; a broken rule becomes a [`Hit`] with its message formatted
//! and the blamed field's path, which the reader later turns into a line and column.

use std::cell::RefCell;

use super::authority::{Authority, Evidence};
use super::blame::{blame, Step};
use super::eval::{eval, vars, Cx};
use super::format;
use super::program::{CExpr, CompiledRule, HiddenAs, MsgPart, SchemaInfo};
use super::value::{Value, V};
use super::Program;

/// One rule broken by one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into [`Program::rules`].
    pub rule: usize,
    /// Index of the record in the batch.
    pub record: usize,
    /// Which `require` clause failed (0-based).
    pub require: usize,
    /// The rule's message with the record's values filled in.
    pub message: String,
    /// The rule's help with the record's values filled in, when it has holes (see [`help`]).
    pub help: Option<String>,
    /// The field most to blame, as a path of steps from the record.
    pub blame: Vec<Step>,
    /// The facts about staff and roles the rule was judged on, for rules that ask about them.
    pub evidence: Vec<Evidence>,
    /// `Some(i)` when the rule *cannot be determined* for the record rather than broken: its outcome
    /// depends on the value that could not be read, [`Value::Unreadable`]`(i)`. Not a finding; the
    /// message is then empty and the blame is the reader's to give.
    pub unreadable: Option<u32>,
}

/// Evidence shown per finding at most; a rule over many actions could otherwise list dozens.
pub const MAX_EVIDENCE: usize = 6;

/// Check one record against the rules of its schema, appending hits for record index `index`.
///
/// Rules that ask about staff and roles are skipped when there is no `authority` to answer: the
/// caller says so once, rather than every record failing for want of an answer.
pub fn check_record(
    program: &Program,
    authority: Option<&dyn Authority>,
    schema: usize,
    index: usize,
    record: &[Value],
    out: &mut Vec<Hit>,
) {
    let Some(info) = program.schemas.get(schema) else { return };
    let cx = Cx::of(program, authority);
    let mut day = None;
    // Rule ids found undetermined by an unreadable date: one outcome per rule, not per version.
    let mut undated: Vec<&str> = Vec::new();
    for &ri in &info.rules {
        let Some(rule) = program.rules.get(ri) else { continue };
        if let Some(i) = unreadable_day(rule, authority, info, record) {
            // A version whose `where` does not hold judges nothing, whatever the day.
            let filter = rule.filter.as_ref().map(|f| eval(f, record, &cx, &mut vars()));
            if filter.is_some_and(|v| !matches!(v, V::Bool(true) | V::Unreadable(_))) {
                continue;
            }
            if !undated.contains(&rule.id.as_str()) {
                undated.push(&rule.id);
                out.push(undetermined(ri, index, 0, i, help(program, authority, rule, record)));
            }
            continue;
        }
        if !applies(rule, authority, info, record, &program.calendars, &mut day) {
            continue;
        }
        let mut vs = vars();
        // Three outcomes: a `where` that cannot be read leaves open whether the rule applies, which
        // matters only if a requirement fails; a requirement that cannot be read leaves the rule
        // open unless another one fails.
        let mut open_filter = None;
        if let Some(f) = &rule.filter {
            match eval(f, record, &cx, &mut vs) {
                V::Bool(true) => {}
                V::Unreadable(i) => open_filter = Some(i),
                _ => continue,
            }
        }
        let mut open_require = None;
        let mut failed = None;
        for (req, r) in rule.requires.iter().enumerate() {
            match eval(r, record, &cx, &mut vs) {
                V::Bool(true) => {}
                V::Unreadable(i) => {
                    open_require.get_or_insert((req, i));
                }
                // Whether it had no answer, so that the culprit is looked for only then (looking
                // evaluates the requirement again).
                v => {
                    failed = Some((req, matches!(v, V::NoAnswer(_))));
                    break;
                }
            }
        }
        match (failed.map(|(req, _)| req), open_filter, open_require) {
            (Some(req), Some(i), _) => {
                out.push(undetermined(ri, index, req, i, help(program, authority, rule, record)));
                continue;
            }
            (None, _, Some((req, i))) => {
                out.push(undetermined(ri, index, req, i, help(program, authority, rule, record)));
                continue;
            }
            _ => {}
        }
        if let Some((req, unanswered)) = failed {
            // A requirement that failed because a computation had no answer names that computation
            // and blames its field (the divisor of a division by zero).
            let culprit = rule
                .requires
                .get(req)
                .filter(|_| unanswered)
                .and_then(|r| super::unanswered::find(program, info.shape, r, record, cx));
            let path = culprit
                .as_ref()
                .and_then(|c| c.path.clone())
                .or_else(|| rule.requires.get(req).and_then(|r| blame(r, record, cx)))
                .unwrap_or_default();
            let mut evidence = if rule.uses_roles { explain(program, authority, ri, req, record) } else { Vec::new() };
            if let Some(c) = culprit {
                evidence.insert(0, c.evidence());
                evidence.truncate(MAX_EVIDENCE);
            }
            out.push(Hit {
                rule: ri,
                record: index,
                require: req,
                message: message(program, authority, rule, record),
                help: help(program, authority, rule, record),
                blame: path,
                evidence,
                unreadable: None,
            });
        }
    }
}

/// The outcome of a rule that cannot be determined for a record, because of unreadable value `i`.
/// Its help is filled in all the same (a value that could not be read shows as `(unreadable)`):
/// what to do about the record does not wait for the verdict.
fn undetermined(rule: usize, record: usize, require: usize, i: u32, help: Option<String>) -> Hit {
    Hit {
        rule,
        record,
        require,
        message: String::new(),
        help,
        blame: Vec::new(),
        evidence: Vec::new(),
        unreadable: Some(i),
    }
}

/// A rule in force on some days only, for a record whose own day (its schema's `date` field) could
/// not be read: which version judges it, if any, cannot be told. The unreadable value's index.
fn unreadable_day(
    rule: &CompiledRule,
    authority: Option<&dyn Authority>,
    info: &SchemaInfo,
    record: &[Value],
) -> Option<u32> {
    if (rule.in_force.is_none() && rule.suspended.is_empty())
        || (rule.uses_roles && authority.is_none())
        || rule.group.as_ref().is_some_and(|g| g.sequence.is_some())
    {
        return None;
    }
    match info.date_field.and_then(|s| record.get(s)) {
        Some(Value::Unreadable(i)) => Some(*i),
        _ => None,
    }
}

/// Whether `rule` judges `record` at all: it can be answered (rules about roles need an
/// authority), and the version is in force on the record's day and not suspended by an override.
///
/// The record's day is its `dated by` field's local day in the zone of the rule's calendar (see
/// [`super::eval::local_day`]), so a UTC export's 23:30Z in British summer time is judged by the
/// version in force on the next London day. `day` caches it across the rules of one record, with
/// the calendar it was taken in: read only when a rule with versions asks, and again only for a
/// rule counting in another calendar.
pub fn applies(
    rule: &CompiledRule,
    authority: Option<&dyn Authority>,
    info: &SchemaInfo,
    record: &[Value],
    cals: &[crate::calendar::Calendar],
    day: &mut Option<(Option<usize>, Option<jiff::civil::Date>)>,
) -> bool {
    if rule.uses_roles && authority.is_none() {
        return false;
    }
    if rule.in_force.is_none() && rule.suspended.is_empty() {
        return true;
    }
    // A rule that follows cases picks its version by each case's opening, not by each record.
    if rule.group.as_ref().is_some_and(|g| g.sequence.is_some()) {
        return true;
    }
    let d = match *day {
        Some((zone, d)) if zone == rule.calendar => d,
        _ => {
            let zone = rule.calendar.and_then(|c| cals.get(c));
            let d = info.date_field.and_then(|s| record.get(s)).and_then(|v| super::eval::local_day(v.view(), zone));
            *day = Some((rule.calendar, d));
            d
        }
    };
    match d {
        Some(d) => in_force_on(rule, d),
        // An undated record is judged only by rules in force on every day.
        None => rule.in_force.is_none() && rule.suspended.is_empty(),
    }
}

/// Whether this version of `rule` judges on day `d`: within its days and not suspended by an
/// override.
pub fn in_force_on(rule: &CompiledRule, d: jiff::civil::Date) -> bool {
    let within = |(from, until): (Option<jiff::civil::Date>, Option<jiff::civil::Date>)| {
        from.is_none_or(|f| d >= f) && until.is_none_or(|u| d <= u)
    };
    rule.in_force.is_none_or(within) && !rule.suspended.iter().any(|&r| within(r))
}

/// Evaluate a broken rule's `where` and failing `require` again, noting the facts behind every
/// question they asked about staff and roles.
fn explain(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: usize,
    require: usize,
    record: &[Value],
) -> Vec<Evidence> {
    let Some(rule) = program.rules.get(rule) else { return Vec::new() };
    let trace = RefCell::new(Vec::new());
    let cx = Cx { trace: Some(&trace), ..Cx::of(program, authority) };
    let mut vs = vars();
    if let Some(f) = &rule.filter {
        eval(f, record, &cx, &mut vs);
    }
    if let Some(r) = rule.requires.get(require) {
        eval(r, record, &cx, &mut vs);
    }
    let mut evidence = trace.into_inner();
    evidence.truncate(MAX_EVIDENCE);
    evidence
}

/// Format a rule's message for a record (or a group's or case's values). A time is shown in the
/// zone of the rule's calendar, with its offset there (as written when the rule has no calendar).
pub fn message(program: &Program, authority: Option<&dyn Authority>, rule: &CompiledRule, record: &[Value]) -> String {
    message_with_days(program, authority, rule, record, &[], None)
}

/// A rule's help for a record (or a group's or case's values), when it has holes to fill in;
/// `None` when it has none, and every finding shows the rule's one text.
pub fn help(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: &CompiledRule,
    record: &[Value],
) -> Option<String> {
    help_with_days(program, authority, rule, record, &[], None)
}

/// [`help`], with the days and opening record of [`message_with_days`].
pub fn help_with_days(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: &CompiledRule,
    record: &[Value],
    days: &[(u16, jiff::civil::Date)],
    opening: Option<(u8, &[Value])>,
) -> Option<String> {
    if rule.help_parts.is_empty() {
        return None;
    }
    Some(fill(program, authority, rule, &rule.help_parts, record, days, opening))
}

/// [`message`], with some slots standing for whole days: a case's opening, deadline or closing
/// written as a date is a datetime (so a message can compute with it), but `{group.deadline}`
/// written on its own shows the day, not the last instant of it. `opening` is a case's opening
/// record as the message reads it (`opening.<field>`), with the variable slot it is read from.
pub fn message_with_days(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: &CompiledRule,
    record: &[Value],
    days: &[(u16, jiff::civil::Date)],
    opening: Option<(u8, &[Value])>,
) -> String {
    fill(program, authority, rule, &rule.message, record, days, opening)
}

/// Fill in a message's or help's `parts` for a record: each value formatted by its type, a time
/// in the zone of the rule's calendar, a redacted value as its hash.
fn fill(
    program: &Program,
    authority: Option<&dyn Authority>,
    rule: &CompiledRule,
    parts: &[MsgPart],
    record: &[Value],
    days: &[(u16, jiff::civil::Date)],
    opening: Option<(u8, &[Value])>,
) -> String {
    // Most messages are a line: one allocation, not a string grown several times.
    let mut out = String::with_capacity(160);
    let mut vs = vars();
    if let Some((var, fields)) = opening {
        if let Some(v) = vs.get_mut(usize::from(var)) {
            *v = V::Object(fields);
        }
    }
    let cx = Cx::of(program, authority);
    let zone = program.calendar_of(rule).map(crate::calendar::Calendar::zone);
    for p in parts {
        match p {
            MsgPart::Text(t) => out.push_str(t),
            MsgPart::Hole(e, ty) => {
                let day = match e {
                    CExpr::Field(super::program::Root::Record, steps) => match steps.as_ref() {
                        [slot] => days.iter().find(|(s, _)| s == slot).map(|(_, d)| *d),
                        _ => None,
                    },
                    _ => None,
                };
                match day {
                    Some(d) => format::value(&mut out, program, &crate::engine::types::Ty::Date, V::Date(d)),
                    None => format::value(&mut out, program, ty, in_zone(eval(e, record, &cx, &mut vs), zone)),
                }
            }
            MsgPart::Percent(e) => format::percent(&mut out, eval(e, record, &cx, &mut vs)),
            MsgPart::Period(e, unit) => format::period(&mut out, *unit, eval(e, record, &cx, &mut vs)),
            MsgPart::Redacted(e, how) => {
                let mut shown = String::new();
                let v = eval(e, record, &cx, &mut vs);
                match how {
                    HiddenAs::Value(ty) => format::value(&mut shown, program, ty, v),
                    HiddenAs::Percent => format::percent(&mut shown, v),
                    HiddenAs::Period(unit) => format::period(&mut shown, *unit, v),
                }
                out.push_str(&super::redact::hash(&shown));
            }
        }
    }
    out
}

/// A datetime as shown in `zone`: the same instant, at the offset the zone has then.
pub fn in_zone<'a>(v: V<'a>, zone: Option<&jiff::tz::TimeZone>) -> V<'a> {
    match (v, zone) {
        (V::DateTime(ts, _), Some(z)) => V::DateTime(ts, z.to_offset(ts).seconds()),
        (v, _) => v,
    }
}
