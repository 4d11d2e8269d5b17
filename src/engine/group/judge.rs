//! Judging a group once every record is in: its `require` conditions over its totals, with the
//! figures each failed one read as evidence, and a presence rule's periods with no record.
//!
//! Separate from the fold in [`super`]: this runs once per group at the end of a run, and is where
//! a group's totals become findings.

use jiff::civil::Date;

use super::against::{self, Way};
use super::totals::result;
use super::{shown_key, Gap, Group, MAX_MISSING_SHOWN, MAX_SAMPLES};
use crate::engine::authority::{Authority, Evidence};
use crate::engine::eval::{eval, vars, Cx};
use crate::engine::format;
use crate::engine::num::Num;
use crate::engine::program::{AggKind, CompiledRule, DateUnit, ExpectedFrom, GroupSpec};
use crate::engine::value::{Value, V};
use crate::engine::verdict::{GroupHit, Sample};
use crate::engine::Program;

#[allow(clippy::too_many_arguments)]
pub(super) fn judge(
    program: &Program,
    authority: Option<&dyn Authority>,
    (ri, wants): (usize, &[(usize, Way)]),
    rule: &CompiledRule,
    spec: &GroupSpec,
    mut g: Group,
    range: Option<(Option<Date>, Option<Date>)>,
    hits: &mut Vec<GroupHit>,
) {
    let cx = Cx::of(program, authority);
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
    // A group with no record at all is one the rule expects by name: its other key parts have no
    // value and are not shown, and with nothing to aggregate only its periods are judged.
    let no_records = g.records == 0;
    let key: Vec<(String, String)> = shown_key(program, spec, &g.key)
        .into_iter()
        .zip(g.key.iter())
        .filter(|(_, v)| !matches!(v, Value::Missing))
        .map(|(shown, _)| shown)
        .collect();
    let mut vs = vars();
    let failed =
        if no_records { None } else { rule.requires.iter().position(|r| !eval(r, &values, &cx, &mut vs).is_true()) };
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
        // Then the records that count against the comparison that failed (for `share(c) >= 70%`,
        // records where `c` is false); where none does (`count() >= 5`), the group's first records.
        let kept = rule
            .requires
            .get(req)
            .and_then(|r| against::failed(r, first, spec, &values, &cx))
            .and_then(|w| wants.iter().position(|x| *x == w))
            .and_then(|i| g.against.get(i));
        let shown: Box<dyn Iterator<Item = &Sample>> = match kept {
            Some(k) => Box::new(k.samples()),
            None => Box::new(g.samples.iter()),
        };
        let mut samples: Vec<Sample> = Vec::new();
        for s in unanswered.chain(shown) {
            if samples.len() < MAX_SAMPLES && !samples.iter().any(|x| x.file == s.file && x.ordinal == s.ordinal) {
                samples.push(s.clone());
            }
        }
        hits.push(GroupHit {
            rule: ri,
            key: key.clone(),
            require: Some(req),
            message: message(program, authority, rule, &values),
            help: crate::engine::run::help(program, authority, rule, &values),
            evidence,
            samples,
            values: values.clone(),
            opening: None,
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
        } && crate::engine::run::in_force_on(rule, day);
        let absent = expected && !g.seen.contains(&day);
        missing += usize::from(absent);
        if absent && missing <= MAX_MISSING_SHOWN {
            if let Some(v) = values.get_mut(slot) {
                *v = Value::Date(day);
            }
            let records = if no_records { None } else { Some(g.records) };
            let by = p.expected.as_ref().map(|e| &e.from);
            hits.push(GroupHit {
                rule: ri,
                key: key.clone(),
                require: None,
                message: message(program, authority, rule, &values),
                help: crate::engine::run::help(program, authority, rule, &values),
                evidence: vec![missing_evidence(p.unit, day, (from, until), records, by)],
                samples: g.samples.clone(),
                values: values.clone(),
                opening: None,
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
            last.evidence.push(more_missing_evidence(more, until));
        }
    }
}

/// The evidence of a presence rule's finding for the period starting on `day`, one of the periods
/// of `unit` in `range`, of a group with `records` records (`None`: a group with no record at all,
/// expected `by` the rule or the role files). Shared with `check --engine duckdb`, which must give
/// the same facts: a finding's fingerprint (for baselines and waivers) includes the period missing.
pub(crate) fn missing_evidence(
    unit: DateUnit,
    day: Date,
    (from, until): (Date, Date),
    records: Option<u64>,
    by: Option<&ExpectedFrom>,
) -> Evidence {
    let mut shown = String::new();
    format::period(&mut shown, unit, V::Date(day));
    let what = match unit {
        DateUnit::BusinessDay(_) => "business day",
        DateUnit::Day => "day",
        DateUnit::Week => "week",
        DateUnit::Month => "month",
        DateUnit::Year => "year",
    };
    let weekday = if matches!(unit, DateUnit::Day | DateUnit::BusinessDay(_)) {
        format!(" ({:?})", day.weekday())
    } else {
        String::new()
    };
    let of_group = match (records, by) {
        (None, Some(ExpectedFrom::Roles)) => {
            "the group has no record at all, and is expected as a team of the role files".to_string()
        }
        (None, _) => "the group has no record at all, and is expected as the rule lists it".to_string(),
        (Some(n), _) => format!("the group has {n} record{} in all", if n == 1 { "" } else { "s" }),
    };
    let mut facts = vec![
        ("missing", shown.clone()),
        ("period", what.to_string()),
        ("from", from.to_string()),
        ("until", until.to_string()),
        ("records", records.unwrap_or(0).to_string()),
    ];
    if records.is_none() {
        let by = match by {
            Some(ExpectedFrom::Roles) => "roles",
            _ => "rule",
        };
        facts.push(("expected_by", by.to_string()));
    }
    Evidence {
        summary: format!(
            "no record in the {what} {shown}{weekday}, one of the {what}s from {from} to {until}; {of_group}"
        ),
        facts,
    }
}

/// The evidence added to a group's last listed missing period when `more` periods up to `until`
/// are missing beyond those listed.
pub(crate) fn more_missing_evidence(more: usize, until: Date) -> Evidence {
    Evidence {
        summary: format!("{more} more periods up to {until} have no record for this group; they are not listed"),
        facts: vec![("more_missing", more.to_string())],
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
        DateUnit::Year => i64::from(until.year()) - i64::from(from.year()) + 1,
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
        DateUnit::Year => d.checked_add(jiff::Span::new().years(1)).ok(),
    }
}

fn message(program: &Program, authority: Option<&dyn Authority>, rule: &CompiledRule, values: &[Value]) -> String {
    crate::engine::run::message(program, authority, rule, values)
}

/// The evidence for an aggregate one of whose members leaves it without a value.
fn gap_evidence(agg: &crate::engine::program::Aggregate, gap: &Gap, records: u64) -> Evidence {
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

fn aggregate_evidence(program: &Program, agg: &crate::engine::program::Aggregate, v: &Value, records: u64) -> Evidence {
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
                shown = crate::engine::redact::hash(&shown);
            }
            Evidence {
                summary: format!("{} = {shown} over {records} record{}", agg.text, plural(records)),
                facts: vec![("aggregate", agg.text.clone()), ("value", shown), ("records", records.to_string())],
            }
        }
    }
}
