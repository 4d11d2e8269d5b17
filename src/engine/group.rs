//! Rules over groups of records: each record of a group rule's scope is folded into its group's
//! running totals as it streams past, and the groups are judged once every record has been seen.
//!
//! Memory grows with the number of groups, not of records: a group holds its key, one running total
//! per aggregate and a few sample records to show. Two things are kept per group and period or per
//! value, and say so: a presence rule's periods seen, and a `percentile`'s values (an exact
//! percentile needs them all).
//!
//! The fold is here; `totals` holds the running totals, `keys` the encoding of group keys, and
//! `judge` turns each group into findings at the end.

mod against;
mod judge;
mod keys;
mod totals;

use std::collections::BTreeSet;

// Each record's group key is looked up in the calling thread, which every batch waits for:
// foldhash (randomly seeded, as SipHash is), not SipHash.
use foldhash::{HashMap, HashMapExt};

use jiff::civil::Date;

use super::authority::{Authority, Evidence};
use super::eval::{eval, period_start, vars, Cx};
use super::format;
use super::program::{AggKind, DateUnit, GroupSpec};
use super::value::{Value, Why, V};
pub use super::verdict::{GroupHit, Sample};
use super::Program;
use against::Kept;
/// Which records a group shows with a `require`'s finding: the SQL of `check --engine duckdb`
/// keeps the same ones.
pub(crate) use against::{pulls, wants, Way};
use judge::judge;
#[cfg(feature = "duckdb")]
pub(crate) use judge::{missing_evidence, more_missing_evidence};
use keys::{cmp_keys, encode, owned};
use totals::{empty, fold, Acc};

/// Sample records kept per group, shown with a finding.
pub const MAX_SAMPLES: usize = 3;

/// Missing periods listed per group of a presence rule; the rest are counted on the last one.
pub const MAX_MISSING_SHOWN: usize = 50;

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
    /// The group's first records, shown where no record counts against what failed (a missing
    /// period, a case, `count()`).
    samples: Vec<Sample>,
    /// Per aggregate and way some `require` compares it in ([`RuleGroups::wants`]), the records
    /// that count against it: shown when that comparison fails.
    against: Box<[Kept]>,
    /// Periods with a record, for a presence rule.
    seen: BTreeSet<Date>,
    /// The events of a case, for a case rule.
    events: Vec<super::obligation::Event>,
    /// For a case rule with `version by <expr>` or a deadline read from the data, what that needs
    /// kept per case; boxed and made only when needed, so that other groups stay small.
    extra: Option<Box<CaseExtra>>,
}

/// What a case keeps only when its rule asks for it.
#[derive(Debug, Default)]
struct CaseExtra {
    /// The earliest day `version by <expr>` gave over the case's records.
    version_day: Option<Date>,
    /// What each opening record gave for a deadline read from the data, by [`super::obligation::Event::due`].
    dues: Vec<super::obligation::Due>,
    /// The fields of each opening record the message reads, by [`super::obligation::Event::opening`].
    openings: Vec<Box<[Value]>>,
}

#[derive(Debug, Default)]
struct RuleGroups {
    /// The aggregates and ways the rule's `require`s compare, which each group keeps records
    /// counting against.
    wants: Vec<(usize, Way)>,
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
    /// The group `record` belongs to by `keys`, created if new, with the rule's [`RuleGroups::wants`];
    /// `None` when a key has no value.
    fn group<'k>(
        &mut self,
        scratch: &mut Vec<u8>,
        keys: impl Iterator<Item = &'k super::program::CExpr> + Clone,
        record: &[Value],
        cx: &Cx<'_, '_>,
        spec: &GroupSpec,
    ) -> Option<(&mut Group, &[(usize, Way)])> {
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
                    against: self.wants.iter().map(|_| Kept::default()).collect(),
                    seen: BTreeSet::new(),
                    events: Vec::new(),
                    extra: None,
                });
                self.index.insert(scratch.as_slice().into(), self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        Some((self.groups.get_mut(gi)?, self.wants.as_slice()))
    }
}

/// An instant from a datetime, with the offset it was written at; a date counts from its start in
/// `zone` (the rule's calendar's, UTC without one) and is kept as the whole day it is.
fn instant(
    v: V<'_>,
    zone: Option<&crate::calendar::Calendar>,
) -> Option<(jiff::Timestamp, i32, Option<jiff::civil::Date>)> {
    match v {
        V::DateTime(ts, off) => Some((ts, off, None)),
        V::Date(d) => {
            let tz = zone.map_or(jiff::tz::TimeZone::UTC, |c| c.zone().clone());
            let z = d.to_zoned(tz).ok()?;
            Some((z.timestamp(), z.offset().seconds(), Some(d)))
        }
        _ => None,
    }
}

/// The running state of every group rule in a run.
#[derive(Debug)]
pub struct Groups {
    rules: Vec<(usize, RuleGroups)>,
    scratch: Vec<u8>,
    /// Per rule index, the index of the first rule with its id: versions (and overrides) of one
    /// case rule share what decides each case's day.
    canon: Vec<usize>,
    /// For case rules with versions, by canonical rule index and encoded case key: what decides
    /// each case's day, over the events of every version (kept even where a version keeps none).
    starts: HashMap<usize, HashMap<Box<[u8]>, super::obligation::CaseStart>>,
}

impl Groups {
    /// Empty totals for every group rule of `program`.
    pub fn new(program: &Program) -> Groups {
        let rules = program
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let spec = r.group.as_ref()?;
                let first = spec.keys.len() + usize::from(spec.period_slot.is_some());
                Some((i, RuleGroups { wants: against::wants(&r.requires, first, spec), ..RuleGroups::default() }))
            })
            .collect();
        let canon = program
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| program.rules.iter().position(|o| o.id == r.id).unwrap_or(i))
            .collect();
        Groups { rules, scratch: Vec::new(), canon, starts: HashMap::new() }
    }

    /// True when no rule judges groups: the caller can skip the fold.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Fold one record of `schema` into the groups of every group rule it is in scope of; `sample`
    /// names the record, and is called only for the few records a group keeps to show; `place` is
    /// its file (by index in the run) and line, kept with each event of a case to name it.
    pub fn add(
        &mut self,
        program: &Program,
        authority: Option<&dyn Authority>,
        schema: usize,
        record: &[Value],
        place: (usize, usize),
        sample: &mut dyn FnMut() -> Sample,
    ) {
        let Some(info) = program.schemas.get(schema) else { return };
        if info.group_rules.is_empty() {
            return;
        }
        let cx = Cx::of(program, authority);
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
            if !super::run::applies(rule, authority, info, record, &program.calendars, &mut day) {
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
                        let zone = program.calendar_of(rule);
                        let at = eval(&ev.at, record, &cx, &mut vs);
                        let Some((ts, offset, whole_day)) = instant(at, zone) else { continue };
                        // Events after the evaluation time are not part of the data judged: not
                        // replayed, and not counted for the day that picks a case's version.
                        if program.evaluation.as_ref().is_some_and(|e| ts > e.at) {
                            continue;
                        }
                        let due = match (&seq.due, ev.kind) {
                            (Some(d), crate::ast::EventKind::Opens) => {
                                Some(super::obligation::read_due(d, record, &cx))
                            }
                            _ => None,
                        };
                        // Days are local days in the zone of the rule's calendar.
                        let version_day = match (&seq.version, own) {
                            (super::program::VersionDate::Field(e), true) => {
                                super::eval::local_day(eval(e, record, &cx, &mut vs), zone)
                            }
                            _ => None,
                        };
                        let key = match (&ev.key, spec.keys.first()) {
                            (Some(k), _) => k,
                            (None, Some(k)) => &k.expr,
                            (None, None) => continue,
                        };
                        let place =
                            (u32::try_from(place.0).unwrap_or(u32::MAX), u32::try_from(place.1).unwrap_or(u32::MAX));
                        let event = super::obligation::Event {
                            at: ts,
                            offset,
                            whole_day,
                            kind: ev.kind,
                            place,
                            due: None,
                            opening: None,
                        };
                        // Which version judges a case is decided by the whole case (its first
                        // event, by default) over every version, once all are in. A version in
                        // force from a day the case's day is already before never judges it, so it
                        // keeps nothing of it: a case rule in force from 2026 keeps nothing for the
                        // complaints of 2024.
                        if rule.in_force.is_some() || !rule.suspended.is_empty() {
                            self.scratch.clear();
                            if !encode(&mut self.scratch, eval(key, record, &cx, &mut vs)) {
                                continue;
                            }
                            // The end of the data counts every event of the rule's cases.
                            rg.end = Some(rg.end.map_or(ts, |e: jiff::Timestamp| e.max(ts)));
                            let canon = self.canon.get(ri).copied().unwrap_or(ri);
                            let cases = self.starts.entry(canon).or_default();
                            let one = super::obligation::CaseStart::of(std::slice::from_ref(&event), version_day);
                            let start = match cases.get_mut(self.scratch.as_slice()) {
                                Some(s) => s,
                                None => cases.entry(self.scratch.as_slice().into()).or_default(),
                            };
                            start.merge(one);
                            let from = rule.in_force.and_then(|r| r.0);
                            if start.bound(&seq.version, zone).is_some_and(|d| from.is_some_and(|f| d < f)) {
                                continue;
                            }
                        }
                        let Some((g, _)) = rg.group(&mut self.scratch, std::iter::once(key), record, &cx, spec) else {
                            continue;
                        };
                        let due = due.map(|d| {
                            let dues = &mut g.extra.get_or_insert_with(Box::default).dues;
                            dues.push(d);
                            u32::try_from(dues.len() - 1).unwrap_or(u32::MAX)
                        });
                        let opening = super::obligation::opening_fields(seq, ev.kind, schema, record).map(|kept| {
                            let openings = &mut g.extra.get_or_insert_with(Box::default).openings;
                            openings.push(kept);
                            u32::try_from(openings.len() - 1).unwrap_or(u32::MAX)
                        });
                        g.events.push(super::obligation::Event { due, opening, ..event });
                        if let Some(d) = version_day {
                            let x = g.extra.get_or_insert_with(Box::default);
                            x.version_day = Some(x.version_day.map_or(d, |v| v.min(d)));
                        }
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
                    // A presence rule's period: a record counts on its own day (a briefing held on
                    // a Saturday does not cover Monday). The default range runs over every record
                    // in scope, those in no group (their key has no value) included.
                    let period = spec.presence.as_ref().and_then(|p| {
                        let unit = if matches!(p.unit, DateUnit::BusinessDay(_)) { DateUnit::Day } else { p.unit };
                        period_start(unit, p.zone, eval(&p.on, record, &cx, &mut vs), &program.calendars)
                    });
                    if let Some(d) = period {
                        rg.first = Some(rg.first.map_or(d, |f| f.min(d)));
                        rg.last = Some(rg.last.map_or(d, |l| l.max(d)));
                    }
                    let keys = spec.keys.iter().map(|k| &k.expr);
                    let Some((g, wants)) = rg.group(&mut self.scratch, keys, record, &cx, spec) else { continue };
                    g.records += 1;
                    // The record named once, however many of the group's lists keep it.
                    let mut named: Option<Sample> = None;
                    let mut name = || named.get_or_insert_with(&mut *sample).clone();
                    for (ai, ((acc, gap), agg)) in
                        g.accs.iter_mut().zip(g.gaps.iter_mut()).zip(spec.aggs.iter()).enumerate()
                    {
                        let v = agg.arg.as_ref().map_or(V::Missing, |a| eval(a, record, &cx, &mut vs));
                        for (kept, (_, way)) in g.against.iter_mut().zip(wants.iter()).filter(|(_, (a, _))| *a == ai) {
                            kept.offer(agg.kind, *way, v, &mut name);
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
                                    *gap = Some(Gap::NoAnswer { why, what, sample: name() });
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
                    if g.samples.len() < MAX_SAMPLES {
                        g.samples.push(name());
                    }
                    if let Some(d) = period {
                        g.seen.insert(d);
                    }
                }
            }
        }
    }

    /// Judge every group, once all records are in: hits by rule, then key, then period; and, per
    /// case rule, the obligations still open but not yet due, those whose deadline from the data
    /// had no answer, and the closings with nothing open.
    pub fn finish(self, program: &Program, authority: Option<&dyn Authority>) -> Judged {
        let mut hits = Vec::new();
        let mut pending = Vec::new();
        let mut left_out = Vec::new();
        let mut strays = Vec::new();
        let mut more_strays = Vec::new();
        for (ri, mut rg) in self.rules {
            let Some(rule) = program.rules.get(ri) else { continue };
            let Some(spec) = &rule.group else { continue };
            if spec.sequence.is_some() {
                // With an evaluation time, open obligations are judged at it; else at the end of
                // the data (the latest event of the rule's cases), so a run never reads the clock.
                let end = match &program.evaluation {
                    Some(e) => super::obligation::End::AsOf(e.at, e.offset),
                    None => match rg.end {
                        Some(end) => super::obligation::End::Data(end),
                        None => continue,
                    },
                };
                // A case's day: over every version of the rule when it has versions, else its own.
                let canon = self.canon.get(ri).copied().unwrap_or(ri);
                let shared = self.starts.get(&canon);
                let mut starts = vec![super::obligation::CaseStart::default(); rg.groups.len()];
                for (bytes, &gi) in &rg.index {
                    let (Some(g), Some(s)) = (rg.groups.get(gi), starts.get_mut(gi)) else { continue };
                    *s = match shared.and_then(|c| c.get(bytes)) {
                        Some(x) => *x,
                        None => {
                            super::obligation::CaseStart::of(&g.events, g.extra.as_ref().and_then(|x| x.version_day))
                        }
                    };
                }
                let mut cases: Vec<(Group, super::obligation::CaseStart)> = rg.groups.into_iter().zip(starts).collect();
                cases.sort_by(|a, b| cmp_keys(&a.0.key, &b.0.key));
                let before = hits.len();
                let mut tally = super::obligation::Tally::default();
                for (g, start) in cases {
                    let key = shown_key(program, spec, &g.key);
                    let Some(key_value) = g.key.first() else { continue };
                    let case = super::obligation::Case {
                        rule: ri,
                        key: &key,
                        key_value,
                        events: g.events,
                        start,
                        dues: g.extra.as_ref().map_or(&[][..], |x| x.dues.as_slice()),
                        openings: g.extra.as_ref().map_or(&[][..], |x| x.openings.as_slice()),
                        samples: &g.samples,
                    };
                    super::obligation::judge(program, authority, rule, case, end, &mut hits, &mut tally);
                }
                if tally.pending > 0 {
                    pending.push((ri, tally.pending));
                }
                if tally.left_out > 0 {
                    left_out.push((ri, usize::try_from(tally.left_out).unwrap_or(usize::MAX)));
                }
                if tally.stray_count > tally.strays.len() {
                    more_strays.push((ri, tally.stray_count - tally.strays.len()));
                }
                strays.extend(tally.strays);
                left_out_evidence(hits.get_mut(before..).unwrap_or_default(), rg.left_out + tally.left_out);
                continue;
            }
            rg.groups.sort_by(|a, b| cmp_keys(&a.key, &b.key));
            let range = spec.presence.as_ref().map(|p| {
                let unit = if matches!(p.unit, DateUnit::BusinessDay(_)) { DateUnit::Day } else { p.unit };
                let from = p.from.or(rg.first).map(|d| period_start(unit, None, V::Date(d), &program.calendars));
                (from.flatten(), p.until.or(rg.last))
            });
            if let (Some(e), Some((Some(from), Some(until)))) =
                (spec.presence.as_ref().and_then(|p| p.expected.as_ref()), range)
            {
                let absent = absent_groups(e, &rg.groups, authority, (from, until), spec.keys.len());
                let made: Vec<Group> = absent
                    .into_iter()
                    .map(|key| Group {
                        key,
                        records: 0,
                        accs: spec.aggs.iter().map(|a| empty(a.kind)).collect(),
                        gaps: spec.aggs.iter().map(|_| None).collect(),
                        samples: Vec::new(),
                        against: rg.wants.iter().map(|_| Kept::default()).collect(),
                        seen: BTreeSet::new(),
                        events: Vec::new(),
                        extra: None,
                    })
                    .collect();
                rg.groups.extend(made);
                rg.groups.sort_by(|a, b| cmp_keys(&a.key, &b.key));
            }
            let before = hits.len();
            for g in rg.groups {
                // An expected group with no record at all is always judged: the rule names it.
                if g.records > 0 && spec.minimum.is_some_and(|m| g.records < m) {
                    continue;
                }
                judge(program, authority, (ri, &rg.wants), rule, spec, g, range, &mut hits);
            }
            left_out_evidence(hits.get_mut(before..).unwrap_or_default(), rg.left_out);
        }
        Judged { hits, pending, left_out, strays, more_strays }
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

/// What judging every group and case gives.
#[derive(Debug, Default)]
pub struct Judged {
    /// Findings, by rule, then key, then period.
    pub hits: Vec<GroupHit>,
    /// Per case rule (by index), the obligations open at the end but not yet due.
    pub pending: Vec<(usize, usize)>,
    /// Per case rule (by index), the obligations left out because the deadline their opening
    /// record gave had no answer (a count below zero or too large, a value that could not be read).
    pub left_out: Vec<(usize, usize)>,
    /// Closing events with nothing open, in rule and case order.
    pub strays: Vec<super::obligation::Stray>,
    /// Per case rule (by index), the closings with nothing open beyond those in `strays`.
    pub more_strays: Vec<(usize, usize)>,
}

/// The keys of the groups a presence rule expects that have no record at all: the expected values
/// of the key's part no group has, in the order listed (the teams of the role files: those of the
/// staff employed at some time in `range`, sorted), with every other part of the key missing.
/// None without role files, where a rule expecting their teams does not run.
fn absent_groups(
    e: &super::program::Expected,
    groups: &[Group],
    authority: Option<&dyn Authority>,
    range: (Date, Date),
    parts: usize,
) -> Vec<Box<[Value]>> {
    let names = match &e.from {
        super::program::ExpectedFrom::Listed(names) => names.clone(),
        super::program::ExpectedFrom::Roles => authority.map(|a| a.teams(range.0, range.1)).unwrap_or_default(),
    };
    let present: BTreeSet<&str> = groups
        .iter()
        .filter_map(|g| match g.key.get(e.part) {
            Some(Value::Text(t)) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    names
        .into_iter()
        .filter(|n| !present.contains(n.as_str()))
        .map(|n| {
            (0..parts).map(|i| if i == e.part { Value::Text(n.as_str().into()) } else { Value::Missing }).collect()
        })
        .collect()
}

/// Say on each finding of a group rule how many records were left out of its groups.
pub(crate) fn left_out_evidence(hits: &mut [GroupHit], left_out: u64) {
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
        // The day picking the version is read from the rule's own records: first among the schemas
        // of its events, since a case rule's key is its own records' (the rest say `case ...`).
        let own = seq.events.iter().any(|e| e.schema == schema && e.key.is_none());
        if let (super::program::VersionDate::Field(e), true) = (&seq.version, own) {
            if bad(e) {
                return true;
            }
        }
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
