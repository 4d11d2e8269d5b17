//! Rules over groups of records: each record of a group rule's scope is folded into its group's
//! running totals as it streams past, and the groups are judged once every record has been seen.
//!
//! Memory grows with the number of groups, not of records: a group holds its key, one running total
//! per aggregate and a few sample records to show. Two things are kept per group and period or per
//! value, and say so: a presence rule's periods seen, and a `percentile`'s values (an exact
//! percentile needs them all).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use jiff::SignedDuration;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::num::Num;

use super::authority::{Authority, Evidence};
use super::eval::{compare, eval, period_start, vars, Cx};
use super::format;
use super::program::{AggKind, CompiledRule, DateUnit, GroupSpec, Kind, MsgPart};
use super::value::{Value, Why, V};
pub use super::verdict::{GroupHit, Sample};
use super::Program;

/// Sample records kept per group, shown with a finding.
pub const MAX_SAMPLES: usize = 3;

/// Missing periods listed per group of a presence rule; the rest are counted on the last one.
pub const MAX_MISSING_SHOWN: usize = 50;

/// A running total.
#[derive(Debug, Clone)]
enum Acc {
    /// Records counted.
    Count(u64),
    /// A sum of numbers, money or durations; `None` once it overflows.
    Sum(Option<Total>, u64),
    /// The least or greatest value seen.
    Extreme(Option<Value>),
    /// Every value present, for an exact percentile.
    Values(Vec<Value>),
}

/// An exact total.
#[derive(Debug, Clone, Copy)]
enum Total {
    Int(i128),
    Dec(Num),
    Nanos(i128),
}

/// Why an aggregate has no value whatever its other members: one of its members had none.
///
/// An aggregate never counts a member with no answer as false or zero, nor leaves it out: a
/// `count`, `share`, `sum`, `avg`, `min`, `max` or `percentile` with such a member has no answer
/// itself, so a `require` whose outcome depends on it does not hold, and the finding names the
/// computation and the record.
#[derive(Debug, Clone)]
enum Gap {
    /// The first member whose condition or value had no answer.
    NoAnswer {
        /// Why.
        why: Why,
        /// The computation that had none, as written for that record.
        what: String,
        /// The record.
        sample: Sample,
    },
    /// A member of `count(cond)` or `share(cond)` whose condition was missing (it is not known
    /// whether it counts). The checker makes a condition say what a missing value means, so this
    /// is rare.
    Missing,
}

#[derive(Debug)]
struct Group {
    key: Box<[Value]>,
    records: u64,
    accs: Box<[Acc]>,
    /// Per aggregate, a member that leaves it without a value.
    gaps: Box<[Option<Gap>]>,
    samples: Vec<Sample>,
    /// Periods with a record, for a presence rule.
    seen: BTreeSet<Date>,
    /// The events of a case, for a case rule.
    events: Vec<super::obligation::Event>,
}

#[derive(Debug, Default)]
struct RuleGroups {
    index: HashMap<Box<[u8]>, usize>,
    groups: Vec<Group>,
    /// The first and last day with a record, for a presence rule's default range.
    first: Option<Date>,
    last: Option<Date>,
    /// The latest event of any case: the end of the data, for a case rule.
    end: Option<jiff::Timestamp>,
    /// Records left out of every group because a value they needed (their group's key, the time
    /// of an event or a period, a value aggregated, the `where`, or the day choosing the version)
    /// could not be read: which group they belong to, or what they add, cannot be told.
    left_out: u64,
}

impl RuleGroups {
    /// The group `record` belongs to by `keys`, created if new; `None` when a key has no value.
    fn group<'k>(
        &mut self,
        scratch: &mut Vec<u8>,
        keys: impl Iterator<Item = &'k super::program::CExpr> + Clone,
        record: &[Value],
        cx: &Cx<'_, '_>,
        spec: &GroupSpec,
    ) -> Option<&mut Group> {
        let mut vs = vars();
        scratch.clear();
        for k in keys.clone() {
            if !encode(scratch, eval(k, record, cx, &mut vs)) {
                return None;
            }
        }
        let gi = match self.index.get(scratch.as_slice()) {
            Some(&gi) => gi,
            None => {
                let key = keys.map(|k| owned(eval(k, record, cx, &mut vs))).collect();
                let accs = spec.aggs.iter().map(|a| empty(a.kind)).collect();
                self.groups.push(Group {
                    key,
                    records: 0,
                    accs,
                    gaps: spec.aggs.iter().map(|_| None).collect(),
                    samples: Vec::new(),
                    seen: BTreeSet::new(),
                    events: Vec::new(),
                });
                self.index.insert(scratch.as_slice().into(), self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        self.groups.get_mut(gi)
    }
}

/// An instant from a datetime (a date counts from its midnight, UTC).
fn instant(v: V<'_>) -> Option<(jiff::Timestamp, i32)> {
    match v {
        V::DateTime(ts, off) => Some((ts, off)),
        V::Date(d) => d.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| (z.timestamp(), 0)),
        _ => None,
    }
}

/// The running state of every group rule in a run.
#[derive(Debug)]
pub struct Groups {
    rules: Vec<(usize, RuleGroups)>,
    scratch: Vec<u8>,
}

impl Groups {
    /// Empty totals for every group rule of `program`.
    pub fn new(program: &Program) -> Groups {
        let rules = program
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.group.is_some())
            .map(|(i, _)| (i, RuleGroups::default()))
            .collect();
        Groups { rules, scratch: Vec::new() }
    }

    /// True when no rule judges groups: the caller can skip the fold.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Fold one record of `schema` into the groups of every group rule it is in scope of; `sample`
    /// names the record, and is called only for the few records a group keeps to show.
    pub fn add(
        &mut self,
        program: &Program,
        authority: Option<&dyn Authority>,
        schema: usize,
        record: &[Value],
        sample: &mut dyn FnMut() -> Sample,
    ) {
        let Some(info) = program.schemas.get(schema) else { return };
        if info.group_rules.is_empty() {
            return;
        }
        let cx = Cx::with(program.calendars.as_slice(), authority);
        let mut day = None;
        for &ri in &info.group_rules {
            let Some(rule) = program.rules.get(ri) else { continue };
            let Some(spec) = &rule.group else { continue };
            let Ok(at) = self.rules.binary_search_by_key(&ri, |(i, _)| *i) else { continue };
            let Some((_, rg)) = self.rules.get_mut(at) else { continue };
            let versioned = (rule.in_force.is_some() || !rule.suspended.is_empty()) && spec.sequence.is_none();
            let day_unreadable =
                info.date_field.and_then(|s| record.get(s)).is_some_and(|v| matches!(v, Value::Unreadable(_)));
            if versioned && day_unreadable {
                rg.left_out += 1;
                continue;
            }
            if !super::run::applies(rule, authority, info, record, &mut day) {
                continue;
            }
            let own = rule.schema == schema;
            let mut vs = vars();
            if let (true, Some(f)) = (own, &rule.filter) {
                match eval(f, record, &cx, &mut vs) {
                    V::Bool(true) => {}
                    V::Unreadable(_) => {
                        rg.left_out += 1;
                        continue;
                    }
                    _ => continue,
                }
            }
            if unreadable_input(spec, schema, record, &cx) {
                rg.left_out += 1;
                continue;
            }
            match &spec.sequence {
                Some(seq) => {
                    for ev in seq.events.iter().filter(|e| e.schema == schema) {
                        if ev.when.as_ref().is_some_and(|w| !eval(w, record, &cx, &mut vs).is_true()) {
                            continue;
                        }
                        let Some((ts, offset)) = instant(eval(&ev.at, record, &cx, &mut vs)) else { continue };
                        // An obligation this version would not judge (it opened on a day another
                        // version is in force) is not kept: a case rule in force from 2026 keeps
                        // nothing for the complaints of 2024.
                        if ev.kind == crate::ast::EventKind::Opens
                            && !super::eval::day(V::DateTime(ts, offset))
                                .is_some_and(|d| super::run::in_force_on(rule, d))
                        {
                            continue;
                        }
                        let key = match (&ev.key, spec.keys.first()) {
                            (Some(k), _) => k,
                            (None, Some(k)) => &k.expr,
                            (None, None) => continue,
                        };
                        let Some(g) = rg.group(&mut self.scratch, std::iter::once(key), record, &cx, spec) else {
                            continue;
                        };
                        g.events.push(super::obligation::Event { at: ts, offset, kind: ev.kind });
                        // A sample is made (its id read) only while the case still takes one.
                        if g.samples.len() < MAX_SAMPLES {
                            let s = sample();
                            if !g.samples.iter().any(|x| x.file == s.file && x.ordinal == s.ordinal) {
                                g.samples.push(s);
                            }
                        }
                        rg.end = Some(rg.end.map_or(ts, |e: jiff::Timestamp| e.max(ts)));
                    }
                }
                None => {
                    let keys = spec.keys.iter().map(|k| &k.expr);
                    let Some(g) = rg.group(&mut self.scratch, keys, record, &cx, spec) else { continue };
                    g.records += 1;
                    let mut sampled = None;
                    for ((acc, gap), agg) in g.accs.iter_mut().zip(g.gaps.iter_mut()).zip(spec.aggs.iter()) {
                        let v = agg.arg.as_ref().map_or(V::Missing, |a| eval(a, record, &cx, &mut vs));
                        if sampled.is_none() && matches!(agg.kind, AggKind::Share | AggKind::CountWhere) {
                            sampled = Some(v.is_true());
                        }
                        match v {
                            V::NoAnswer(why) => {
                                // The first member with no answer is the one shown (the slow path
                                // that names its computation runs once per aggregate and group).
                                if !matches!(gap, Some(Gap::NoAnswer { .. })) {
                                    let culprit = agg
                                        .arg
                                        .as_ref()
                                        .and_then(|a| super::unanswered::find(program, info.shape, a, record, cx));
                                    let (why, what) = culprit.map_or((why, agg.text.clone()), |c| (c.why, c.text));
                                    *gap = Some(Gap::NoAnswer { why, what, sample: sample() });
                                }
                            }
                            V::Missing if matches!(agg.kind, AggKind::Share | AggKind::CountWhere) => {
                                if gap.is_none() {
                                    *gap = Some(Gap::Missing);
                                }
                            }
                            v => fold(acc, agg.kind, v),
                        }
                    }
                    if g.samples.len() < MAX_SAMPLES && sampled.unwrap_or(true) {
                        g.samples.push(sample());
                    }
                    if let Some(p) = &spec.presence {
                        // A record counts on its own day: a briefing held on a Saturday does not cover Monday.
                        let unit = if matches!(p.unit, DateUnit::BusinessDay(_)) { DateUnit::Day } else { p.unit };
                        if let Some(d) = period_start(unit, eval(&p.on, record, &cx, &mut vs), &program.calendars) {
                            g.seen.insert(d);
                            rg.first = Some(rg.first.map_or(d, |f| f.min(d)));
                            rg.last = Some(rg.last.map_or(d, |l| l.max(d)));
                        }
                    }
                }
            }
        }
    }

    /// Judge every group, once all records are in: hits by rule, then key, then period; and, per
    /// case rule, the obligations still open but not yet due.
    pub fn finish(self, program: &Program, authority: Option<&dyn Authority>) -> (Vec<GroupHit>, Vec<(usize, usize)>) {
        let mut hits = Vec::new();
        let mut pending = Vec::new();
        for (ri, mut rg) in self.rules {
            let Some(rule) = program.rules.get(ri) else { continue };
            let Some(spec) = &rule.group else { continue };
            rg.groups.sort_by(|a, b| cmp_keys(&a.key, &b.key));
            if spec.sequence.is_some() {
                let Some(end) = rg.end else { continue };
                let before = hits.len();
                let mut open = 0;
                for g in rg.groups {
                    let key = shown_key(program, spec, &g.key);
                    let Some(key_value) = g.key.first() else { continue };
                    let case = super::obligation::Case {
                        rule: ri,
                        key: &key,
                        key_value,
                        events: g.events,
                        samples: &g.samples,
                    };
                    open += super::obligation::judge(program, authority, rule, case, end, &mut hits);
                }
                if open > 0 {
                    pending.push((ri, open));
                }
                left_out_evidence(hits.get_mut(before..).unwrap_or_default(), rg.left_out);
                continue;
            }
            let range = spec.presence.as_ref().map(|p| {
                let unit = if matches!(p.unit, DateUnit::BusinessDay(_)) { DateUnit::Day } else { p.unit };
                let from = p.from.or(rg.first).map(|d| period_start(unit, V::Date(d), &program.calendars));
                (from.flatten(), p.until.or(rg.last))
            });
            let before = hits.len();
            for g in rg.groups {
                if spec.minimum.is_some_and(|m| g.records < m) {
                    continue;
                }
                judge(program, authority, ri, rule, spec, g, range, &mut hits);
            }
            left_out_evidence(hits.get_mut(before..).unwrap_or_default(), rg.left_out);
        }
        (hits, pending)
    }

    /// Records left out of each group rule's groups because a value they needed could not be
    /// read, by rule index (rules that left none out are not listed).
    pub fn left_out(&self) -> Vec<(usize, usize)> {
        self.rules
            .iter()
            .filter(|(_, rg)| rg.left_out > 0)
            .map(|(ri, rg)| (*ri, usize::try_from(rg.left_out).unwrap_or(usize::MAX)))
            .collect()
    }
}

/// Say on each finding of a group rule how many records were left out of its groups.
fn left_out_evidence(hits: &mut [GroupHit], left_out: u64) {
    if left_out == 0 {
        return;
    }
    for h in hits {
        h.evidence.push(Evidence {
            summary: format!(
                "{left_out} record{} left out of this rule's groups: a value {} needed (a group key, a time or a value aggregated) could not be read",
                if left_out == 1 { " was" } else { "s were" },
                if left_out == 1 { "it" } else { "each" }
            ),
            facts: vec![("left_out", left_out.to_string())],
        });
    }
}

/// Whether a value a group rule reads from `record` to place it in a group or a case, or to fold
/// into it, could not be read: its key parts, every aggregated value, a presence rule's day, a
/// case's events' conditions, times and keys. Such a record is left out of the rule's groups.
fn unreadable_input<'a>(spec: &'a GroupSpec, schema: usize, record: &'a [Value], cx: &Cx<'a, '_>) -> bool {
    let bad = |e: &'a super::program::CExpr| {
        let mut vs = vars();
        matches!(eval(e, record, cx, &mut vs), V::Unreadable(_))
    };
    if let Some(seq) = &spec.sequence {
        return seq.events.iter().filter(|e| e.schema == schema).any(|ev| {
            ev.when.as_ref().is_some_and(bad)
                || bad(&ev.at)
                || ev.key.as_ref().or(spec.keys.first().map(|k| &k.expr)).is_some_and(bad)
        });
    }
    spec.keys.iter().any(|k| bad(&k.expr))
        || spec.aggs.iter().filter_map(|a| a.arg.as_ref()).any(bad)
        || spec.presence.as_ref().is_some_and(|p| bad(&p.on))
}

/// A group's key as shown: each part's name and value.
fn shown_key(program: &Program, spec: &GroupSpec, key: &[Value]) -> Vec<(String, String)> {
    spec.keys
        .iter()
        .zip(key.iter())
        .map(|(k, v)| {
            let mut s = String::new();
            match k.period {
                Some(unit) => format::period(&mut s, unit, v.view()),
                None => format::value(&mut s, program, &k.ty, v.view()),
            }
            if k.redacted {
                s = super::redact::hash(&s);
            }
            (k.name.clone(), s)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn judge(
    program: &Program,
    authority: Option<&dyn Authority>,
    ri: usize,
    rule: &CompiledRule,
    spec: &GroupSpec,
    mut g: Group,
    range: Option<(Option<Date>, Option<Date>)>,
    hits: &mut Vec<GroupHit>,
) {
    let cx = Cx::with(program.calendars.as_slice(), authority);
    let mut values: Vec<Value> = g.key.to_vec();
    if spec.period_slot.is_some() {
        values.push(Value::Missing);
    }
    for ((acc, gap), agg) in g.accs.iter_mut().zip(g.gaps.iter()).zip(spec.aggs.iter()) {
        values.push(match gap {
            Some(Gap::NoAnswer { why, .. }) => Value::NoAnswer(*why),
            Some(Gap::Missing) => Value::Missing,
            None => result(acc, agg.kind, g.records),
        });
    }
    let key = shown_key(program, spec, &g.key);
    let mut vs = vars();
    let failed = rule.requires.iter().position(|r| !eval(r, &values, &cx, &mut vs).is_true());
    if let Some(req) = failed {
        // The figures the failing requirement read, in the order it read them.
        let first = spec.keys.len() + usize::from(spec.period_slot.is_some());
        let read = spec.require_aggs.get(req).map(Vec::as_slice).unwrap_or_default();
        let evidence = read
            .iter()
            .filter_map(|&i| {
                let agg = spec.aggs.get(i)?;
                Some(match g.gaps.get(i).cloned().flatten() {
                    Some(gap) => gap_evidence(agg, &gap, g.records),
                    None => aggregate_evidence(program, agg, values.get(first + i)?, g.records),
                })
            })
            .collect();
        // The records whose computations had no answer come first among those shown.
        let unanswered = read.iter().filter_map(|&i| match g.gaps.get(i) {
            Some(Some(Gap::NoAnswer { sample, .. })) => Some(sample),
            _ => None,
        });
        let mut samples: Vec<Sample> = Vec::new();
        for s in unanswered.chain(g.samples.iter()) {
            if samples.len() < MAX_SAMPLES && !samples.iter().any(|x| x.file == s.file && x.ordinal == s.ordinal) {
                samples.push(s.clone());
            }
        }
        hits.push(GroupHit {
            rule: ri,
            key: key.clone(),
            require: Some(req),
            message: message(program, authority, &rule.message, &values),
            evidence,
            samples,
        });
    }
    let (Some(p), Some((Some(from), Some(until))), Some(slot)) = (&spec.presence, range, spec.period_slot) else {
        return;
    };
    let mut day = from;
    let mut missing = 0usize;
    while day <= until {
        // A period is expected when it is worked (for business days) and the rule is in force on
        // its first day (not before its `effective from`, nor while an override judges instead).
        let expected = match p.unit {
            DateUnit::BusinessDay(c) => program.calendars.get(c).is_some_and(|cal| cal.is_working_day(day)),
            _ => true,
        } && super::run::in_force_on(rule, day);
        let absent = expected && !g.seen.contains(&day);
        missing += usize::from(absent);
        if absent && missing <= MAX_MISSING_SHOWN {
            if let Some(v) = values.get_mut(slot) {
                *v = Value::Date(day);
            }
            let mut shown = String::new();
            format::period(&mut shown, p.unit, V::Date(day));
            let what = match p.unit {
                DateUnit::BusinessDay(_) => "business day",
                DateUnit::Day => "day",
                DateUnit::Week => "week",
                DateUnit::Month => "month",
            };
            let weekday = if matches!(p.unit, DateUnit::Day | DateUnit::BusinessDay(_)) {
                format!(" ({:?})", day.weekday())
            } else {
                String::new()
            };
            hits.push(GroupHit {
                rule: ri,
                key: key.clone(),
                require: None,
                message: message(program, authority, &rule.message, &values),
                evidence: vec![Evidence {
                    summary: format!(
                        "no record in the {what} {shown}{weekday}, one of the {what}s from {from} to {until}; the group has {} record{} in all",
                        g.records,
                        if g.records == 1 { "" } else { "s" }
                    ),
                    facts: vec![
                        ("missing", shown),
                        ("period", what.to_string()),
                        ("from", from.to_string()),
                        ("until", until.to_string()),
                        ("records", g.records.to_string()),
                    ],
                }],
                samples: g.samples.clone(),
            });
        }
        let Some(next) = next_period(p.unit, day) else { break };
        day = next;
        // Past the periods listed, what is left is counted rather than walked, where the rule is
        // in force on every day (otherwise each period must be asked).
        if missing >= MAX_MISSING_SHOWN && rule.in_force.is_none() && rule.suspended.is_empty() && day <= until {
            let expected = periods_in(p.unit, day, until, &program.calendars);
            let seen = g.seen.range(day..=until).filter(|d| is_period(p.unit, **d, &program.calendars)).count();
            missing += expected.saturating_sub(seen);
            break;
        }
    }
    // A long gap (or a range written too wide) is summed up rather than listed day by day.
    if missing > MAX_MISSING_SHOWN {
        let more = missing - MAX_MISSING_SHOWN;
        if let Some(last) = hits.last_mut() {
            last.evidence.push(Evidence {
                summary: format!(
                    "{more} more periods up to {until} have no record for this group; they are not listed"
                ),
                facts: vec![("more_missing", more.to_string())],
            });
        }
    }
}

/// The periods of `unit` from `from` (the start of one) to `until`, both included.
fn periods_in(unit: DateUnit, from: Date, until: Date, cals: &[crate::calendar::Calendar]) -> usize {
    let days = until.since(from).ok().map_or(0, |s| i64::from(s.get_days())) + 1;
    let n = match unit {
        DateUnit::Day => days,
        DateUnit::BusinessDay(c) => cals.get(c).map_or(0, |cal| cal.working_days_in(from, until)),
        DateUnit::Week => (days + 6) / 7,
        DateUnit::Month => {
            let months = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month());
            months(until) - months(from) + 1
        }
    };
    usize::try_from(n.max(0)).unwrap_or(0)
}

/// Whether a day a record was seen on is a period of `unit` (a record on a weekend is not a
/// business day; weeks and months are kept by their first day already).
fn is_period(unit: DateUnit, d: Date, cals: &[crate::calendar::Calendar]) -> bool {
    match unit {
        DateUnit::BusinessDay(c) => cals.get(c).is_some_and(|cal| cal.is_working_day(d)),
        _ => true,
    }
}

fn next_period(unit: DateUnit, d: Date) -> Option<Date> {
    match unit {
        DateUnit::Day | DateUnit::BusinessDay(_) => d.tomorrow().ok(),
        DateUnit::Week => d.checked_add(jiff::Span::new().weeks(1)).ok(),
        DateUnit::Month => d.checked_add(jiff::Span::new().months(1)).ok(),
    }
}

fn message(program: &Program, authority: Option<&dyn Authority>, parts: &[MsgPart], values: &[Value]) -> String {
    super::run::message(program, authority, parts, values)
}

/// The evidence for an aggregate one of whose members leaves it without a value.
fn gap_evidence(agg: &super::program::Aggregate, gap: &Gap, records: u64) -> Evidence {
    match gap {
        Gap::NoAnswer { why, what, sample } => {
            let id = sample.id.as_ref().map(|i| format!(" (`{i}`)")).unwrap_or_default();
            Evidence {
                summary: format!(
                    "{} has no answer: `{what}` had none ({}) for the record at line {}{id}, and a member with no answer is never counted as false or zero",
                    agg.text,
                    why.as_str(),
                    sample.line
                ),
                facts: vec![
                    ("aggregate", agg.text.clone()),
                    ("no_answer", what.clone()),
                    ("reason", why.as_str().to_string()),
                    ("line", sample.line.to_string()),
                    ("records", records.to_string()),
                ],
            }
        }
        Gap::Missing => Evidence {
            summary: format!("{} has no value: its condition is missing for a record of the group", agg.text),
            facts: vec![
                ("aggregate", agg.text.clone()),
                ("value", "(missing)".into()),
                ("records", records.to_string()),
            ],
        },
    }
}

fn aggregate_evidence(program: &Program, agg: &super::program::Aggregate, v: &Value, records: u64) -> Evidence {
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let mut shown = String::new();
    // The aggregate itself had no answer (a total too large to hold).
    if let Value::NoAnswer(why) = v {
        return Evidence {
            summary: format!("{} has no answer ({}) over {records} record{}", agg.text, why.as_str(), plural(records)),
            facts: vec![
                ("aggregate", agg.text.clone()),
                ("no_answer", agg.text.clone()),
                ("reason", why.as_str().to_string()),
                ("records", records.to_string()),
            ],
        };
    }
    match agg.kind {
        AggKind::Count => Evidence {
            summary: format!("{}: {records} record{}", agg.text, plural(records)),
            facts: vec![("aggregate", agg.text.clone()), ("value", records.to_string())],
        },
        AggKind::CountWhere => {
            format::value(&mut shown, program, &agg.ty, v.view());
            Evidence {
                summary: format!("{}: {shown} of {records} record{}", agg.text, plural(records)),
                facts: vec![("aggregate", agg.text.clone()), ("value", shown), ("records", records.to_string())],
            }
        }
        AggKind::Share => {
            format::percent(&mut shown, v.view());
            let numerator = match v {
                // Exact: the share is the count over `records`.
                Value::Dec(d) => {
                    d.checked_mul(Num::from_u64(records)).map_or_else(|| "0".to_string(), |n| n.to_string())
                }
                _ => "0".to_string(),
            };
            Evidence {
                summary: format!("{}: {numerator} of {records} record{} ({shown})", agg.text, plural(records)),
                facts: vec![
                    ("aggregate", agg.text.clone()),
                    ("numerator", numerator),
                    ("denominator", records.to_string()),
                    ("rate", shown),
                ],
            }
        }
        _ => {
            format::value(&mut shown, program, &agg.ty, v.view());
            if agg.redacted {
                shown = super::redact::hash(&shown);
            }
            Evidence {
                summary: format!("{} = {shown} over {records} record{}", agg.text, plural(records)),
                facts: vec![("aggregate", agg.text.clone()), ("value", shown), ("records", records.to_string())],
            }
        }
    }
}

fn empty(kind: AggKind) -> Acc {
    match kind {
        AggKind::Count | AggKind::CountWhere | AggKind::Share => Acc::Count(0),
        AggKind::Sum(k) | AggKind::Avg(k) => Acc::Sum(Some(zero(k)), 0),
        AggKind::Min(_) | AggKind::Max(_) => Acc::Extreme(None),
        AggKind::Percentile(..) => Acc::Values(Vec::new()),
    }
}

fn zero(k: Kind) -> Total {
    match k {
        Kind::Int => Total::Int(0),
        Kind::Duration => Total::Nanos(0),
        _ => Total::Dec(Num::ZERO),
    }
}

fn fold(acc: &mut Acc, kind: AggKind, v: V<'_>) {
    match acc {
        Acc::Count(n) => {
            if kind == AggKind::Count || v.is_true() {
                *n += 1;
            }
        }
        Acc::Sum(total, n) => {
            if v == V::Missing {
                return;
            }
            *n += 1;
            *total = match (*total, v) {
                (Some(Total::Int(t)), V::Int(i)) => t.checked_add(i128::from(i)).map(Total::Int),
                (Some(Total::Dec(t)), V::Dec(d) | V::Money(d)) => t.checked_add(d).map(Total::Dec),
                (Some(Total::Nanos(t)), V::Duration(d)) => t.checked_add(d.as_nanos()).map(Total::Nanos),
                _ => None,
            };
        }
        Acc::Extreme(best) => {
            if v == V::Missing {
                return;
            }
            let want = if matches!(kind, AggKind::Min(_)) { Ordering::Less } else { Ordering::Greater };
            let better = match best {
                None => true,
                Some(b) => compare(v, b.view()) == Some(want),
            };
            if better {
                *best = Some(owned(v));
            }
        }
        Acc::Values(vals) => {
            if v != V::Missing {
                vals.push(owned(v));
            }
        }
    }
}

/// The aggregate's value for a group of `records` records.
fn result(acc: &mut Acc, kind: AggKind, records: u64) -> Value {
    match (acc, kind) {
        (Acc::Count(n), AggKind::Share) => {
            if records == 0 {
                Value::Missing
            } else {
                Num::ratio(i128::from(*n), i128::from(records)).map_or(Value::Missing, Value::Dec)
            }
        }
        (Acc::Count(n), _) => i64::try_from(*n).map_or(Value::NoAnswer(Why::Overflow), Value::Int),
        (Acc::Sum(Some(t), _), AggKind::Sum(k)) => total(*t, k, 1),
        (Acc::Sum(Some(t), n), AggKind::Avg(k)) if *n > 0 => total(*t, k, *n),
        // A total too large to hold has no answer; the average of no values has no value.
        (Acc::Sum(None, _), _) => Value::NoAnswer(Why::Overflow),
        (Acc::Sum(..), _) => Value::Missing,
        (Acc::Extreme(best), _) => best.take().unwrap_or(Value::Missing),
        (Acc::Values(vals), AggKind::Percentile(_, p)) => {
            if vals.is_empty() {
                return Value::Missing;
            }
            vals.sort_by(|a, b| compare(a.view(), b.view()).unwrap_or(Ordering::Equal));
            // Nearest rank: the smallest value with at least p% of the values at or below it.
            let n = Decimal::from(vals.len());
            let rank = (p / Decimal::ONE_HUNDRED * n).ceil().to_usize().unwrap_or(1).max(1);
            vals.get(rank.min(vals.len()) - 1).cloned().unwrap_or(Value::Missing)
        }
        (Acc::Values(_), _) => Value::Missing,
    }
}

fn total(t: Total, k: Kind, n: u64) -> Value {
    match t {
        Total::Int(i) if n == 1 => i64::try_from(i).map_or(Value::NoAnswer(Why::Overflow), Value::Int),
        // An average is exact (`avg(1, 1, 2)` is four thirds), as a fraction.
        Total::Int(i) => Num::ratio(i, i128::from(n)).map_or(Value::NoAnswer(Why::Overflow), Value::Dec),
        Total::Dec(d) => match d.checked_div(Num::from_u64(n)) {
            Some(d) if k == Kind::Money => Value::Money(d),
            Some(d) => Value::Dec(d),
            None => Value::NoAnswer(Why::Overflow),
        },
        Total::Nanos(x) => {
            let x = x / i128::from(n);
            let secs = i64::try_from(x / 1_000_000_000);
            let nanos = i32::try_from(x % 1_000_000_000);
            match (secs, nanos) {
                (Ok(s), Ok(ns)) => Value::Duration(SignedDuration::new(s, ns)),
                _ => Value::NoAnswer(Why::Overflow),
            }
        }
    }
}

/// Append a key part's bytes: a tag, then its value, so equal keys (and only they) encode equally.
/// False for a part with no value.
fn encode(out: &mut Vec<u8>, v: V<'_>) -> bool {
    match v {
        V::Missing | V::NoAnswer(_) | V::Unreadable(_) | V::List(_) | V::Object(_) => return false,
        V::Bool(b) => out.extend([1, u8::from(b)]),
        V::Int(i) => {
            out.push(2);
            out.extend(i.to_le_bytes());
        }
        V::Dec(d) | V::Money(d) => {
            // Lowest terms: equal values have equal parts.
            out.push(3);
            out.extend(d.numer().to_le_bytes());
            out.extend(d.denom().to_le_bytes());
        }
        V::Text(t) => {
            out.push(4);
            out.extend((t.len() as u64).to_le_bytes());
            out.extend(t.as_bytes());
        }
        V::Enum(e) => {
            out.push(5);
            out.extend(e.to_le_bytes());
        }
        V::Date(d) => {
            out.push(6);
            out.extend(d.year().to_le_bytes());
            out.extend([d.month() as u8, d.day() as u8]);
        }
        V::DateTime(ts, _) => {
            out.push(7);
            out.extend(ts.as_nanosecond().to_le_bytes());
        }
        V::Duration(d) => {
            out.push(8);
            out.extend(d.as_nanos().to_le_bytes());
        }
    }
    true
}

/// An owned copy of a scalar value.
fn owned(v: V<'_>) -> Value {
    match v {
        V::Missing => Value::Missing,
        V::NoAnswer(w) => Value::NoAnswer(w),
        V::Unreadable(i) => Value::Unreadable(i),
        V::Bool(b) => Value::Bool(b),
        V::Int(i) => Value::Int(i),
        V::Dec(d) => Value::Dec(d),
        V::Money(m) => Value::Money(m),
        V::Text(t) => Value::Text(t.into()),
        V::Enum(e) => Value::Enum(e),
        V::Date(d) => Value::Date(d),
        V::DateTime(t, o) => Value::DateTime(t, o),
        V::Duration(d) => Value::Duration(d),
        V::List(l) => Value::List(l.into()),
        V::Object(o) => Value::Object(o.into()),
    }
}

fn cmp_keys(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        match compare(x.view(), y.view()) {
            Some(Ordering::Equal) | None => {}
            Some(o) => return o,
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(values: &[i64], p: i64) -> Value {
        let mut acc = Acc::Values(values.iter().map(|&v| Value::Int(v)).collect());
        result(&mut acc, AggKind::Percentile(Kind::Int, Decimal::from(p)), values.len() as u64)
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let v = [15, 20, 35, 40, 50];
        assert_eq!(pct(&v, 5), Value::Int(15));
        assert_eq!(pct(&v, 30), Value::Int(20));
        assert_eq!(pct(&v, 40), Value::Int(20));
        assert_eq!(pct(&v, 50), Value::Int(35));
        assert_eq!(pct(&v, 100), Value::Int(50));
    }

    #[test]
    fn shares_and_averages_are_exact() {
        let mut share = Acc::Count(0);
        for b in [true, false, false] {
            fold(&mut share, AggKind::Share, V::Bool(b));
        }
        assert_eq!(result(&mut share, AggKind::Share, 3), Value::Dec(Num::ratio(1, 3).unwrap_or(Num::ZERO)));
        let mut avg = empty(AggKind::Avg(Kind::Duration));
        for s in [60, 120, 0] {
            fold(&mut avg, AggKind::Avg(Kind::Duration), V::Duration(SignedDuration::from_secs(s)));
        }
        fold(&mut avg, AggKind::Avg(Kind::Duration), V::Missing);
        assert_eq!(result(&mut avg, AggKind::Avg(Kind::Duration), 4), Value::Duration(SignedDuration::from_secs(60)));
    }

    #[test]
    fn equal_keys_encode_equally() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode(&mut a, V::Dec(Decimal::new(150, 2).into()));
        encode(&mut b, V::Dec(Decimal::new(15, 1).into()));
        assert_eq!(a, b);
        let (mut c, mut d) = (Vec::new(), Vec::new());
        encode(&mut c, V::Text("ab"));
        encode(&mut c, V::Text("c"));
        encode(&mut d, V::Text("a"));
        encode(&mut d, V::Text("bc"));
        assert_ne!(c, d);
    }
}
