//! A rule over groups of records (`group by`) as SQL: the records in its scope grouped by its key,
//! each aggregate computed exactly as the engine computes it, the groups judged by the rule's
//! `require`s, and, for a presence rule (`expect every ...`), the periods of its range in which a
//! group has no record.
//!
//! One query per rule, in steps named as common table expressions:
//!
//! - `precept_scope`: each record the rule applies to (its `where` true, its version in force on
//!   the record's day), with its key parts `k0, k1, ...`, each aggregate's argument `x0, x1, ...`,
//!   and for a presence rule the period it falls in, `pd`;
//! - `precept_groups`: one row per key with a value in every part (a record with a part missing is
//!   in no group, as in the engine), its record count `n` and aggregates `a0, a1, ...` (a
//!   fraction's denominator `b0, ...` beside it);
//! - for a presence rule, `precept_range` (the range written, or from the first record's period to
//!   the last's, over every record in scope), `precept_periods` (each period of the range that is
//!   expected: worked, for business days, and the rule in force on its first day),
//!   `precept_seen` and `precept_judged` (the groups judged, and the groups the rule expects by
//!   name that have no record at all).
//!
//! A group smaller than the rule's `minimum` is not judged; a group's findings name no record
//! (`record_id` is NULL) but carry its key in `group_key`, written as `precept check` shows it
//! (`team Returns, month 2024-03`). At most the first [`MAX_MISSING_SHOWN`] missing periods of a
//! group are findings, as in the engine.
//!
//! Exactness: counts, sums, least and greatest values are SQL's own. A `share` and an `avg` of
//! numbers are fractions the engine keeps exact, so they are kept as numerator and denominator and
//! never divided (see [`Slot::Ratio`]).

use std::fmt::Write as _;

use super::calendar::TABLE;
use super::dialect::{Dialect, SqlType};
use super::expr::{has_no_answer, scaled_text, Compiler, OverConstant, Slot, Unsupported, FINE_KEY_PLACES};
use super::tables::scalar;
use super::RuleSql;
use crate::engine::group::{MAX_MISSING_SHOWN, MAX_SAMPLES};
use crate::engine::program::{
    AggKind, CExpr, CompiledRule, DateUnit, ExpectedFrom, GroupSpec, Kind, MsgPart, SchemaInfo,
};
use crate::engine::types::Ty;
use crate::engine::Program;

fn no<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

/// An aggregate's columns in `precept_groups`: its value (or numerator) and, for a fraction, its
/// denominator; and the same for a group with no record at all.
struct AggSql {
    value: String,
    den: Option<String>,
    empty: (String, Option<String>),
    slot: Slot,
    /// The slot a message reads, where it is not `slot` (an average of durations).
    shown: Option<Slot>,
}

/// Compile group rule `rule` (not one that follows cases) of schema `info`. With `placed` (for
/// `precept check --engine duckdb`), each finding also gives the columns it is placed and ordered
/// by as the engine places them ([`placing`]).
pub(crate) fn compile(
    program: &Program,
    rule: &CompiledRule,
    spec: &GroupSpec,
    info: &SchemaInfo,
    (d, lookup): (Dialect, super::lookup::Lookup),
    placed: bool,
    roles: bool,
) -> Result<RuleSql, Unsupported> {
    if let Some(p) = &spec.presence {
        if !roles && p.expected.as_ref().is_some_and(|e| e.from == ExpectedFrom::Roles) {
            return no(super::NO_ROLES);
        }
    }
    let mut c = Compiler::new(program, d, info.shape);
    c.roles = roles;
    c.lookup = lookup;
    let scope = super::scope(&mut c, rule, info)?;
    let text = d.ty(SqlType::Text);

    // precept_scope: each record's key parts, aggregated values and period.
    let mut cols = Vec::new();
    let mut key_types = Vec::new();
    for (i, k) in spec.keys.iter().enumerate() {
        let Some(sql) = scalar(&k.ty) else { return no("a group key that is a list or object") };
        let (e, fine) = c.key(&k.expr, &k.ty, "group")?;
        cols.push(format!("{e} AS k{i}"));
        key_types.push(KeyPart { sql, fine });
    }
    // The places each aggregate's values are scaled by (Spark's sums and averages of decimal
    // arithmetic, summed as whole numbers: [`Compiler::summand`]).
    let mut scales = Vec::new();
    // Each aggregate of a quotient by a constant: what it aggregates, over what ([`OverConstant`]).
    let mut overs: Vec<Option<OverConstant>> = Vec::new();
    // The aggregates some member of which may have no answer (a division, a date moved past the
    // last held): column `z{j}`, 1 where the record's has none, so that the aggregate has none
    // (NULL) as the engine's has none, never a value made of the other members.
    let mut unanswered = Vec::new();
    // The aggregates of quotients by a value of the record, whose `x{j}` is each record's exact
    // fraction as a pair ([`Compiler::over_field`]).
    let mut pairs = Vec::new();
    // The aggregates of datetimes whose offset is carried as `o{j}` ([`kept_offset`]).
    let mut kept_offsets = Vec::new();
    let first_agg = spec.keys.len() + usize::from(spec.period_slot.is_some());
    // The least or greatest datetimes whose offset may be read: in a rule with no calendar, one
    // its `require`s or message read.
    let no_calendar = program.calendar_of(rule).is_none();
    let offset_read =
        |j: usize| no_calendar && rule.requires.iter().chain(message_exprs(rule)).any(|e| reads_slot(e, first_agg + j));
    // The aggregates a redacted value of the message reads, hashed as the engine shows them: where
    // one has no answer, `(no answer: ...)` with its reason.
    let hashed =
        |j: usize| rule.message.iter().any(|p| matches!(p, MsgPart::Redacted(e, _) if reads_slot(e, first_agg + j)));
    for (j, agg) in spec.aggs.iter().enumerate() {
        let Some(a) = &agg.arg else {
            scales.push(None);
            overs.push(None);
            continue;
        };
        let no_answer = if has_no_answer(d, a) { Some(c.no_answer(a)?) } else { None };
        let over = match agg.kind {
            AggKind::Sum(Kind::Dec | Kind::Money)
            | AggKind::Avg(Kind::Dec | Kind::Money)
            | AggKind::Min(Kind::Dec | Kind::Money)
            | AggKind::Max(Kind::Dec | Kind::Money)
            | AggKind::Percentile(Kind::Dec | Kind::Money, _) => c.over_constant(a)?,
            _ => None,
        };
        // A quotient by a value of the record: each record's exact fraction, a pair.
        let pair = match agg.kind {
            AggKind::Sum(Kind::Dec | Kind::Money) | AggKind::Avg(Kind::Dec | Kind::Money) if over.is_none() => {
                c.over_field(a, true)?
            }
            AggKind::Min(Kind::Dec | Kind::Money) | AggKind::Max(Kind::Dec | Kind::Money) if over.is_none() => {
                c.over_field(a, false)?
            }
            AggKind::Percentile(Kind::Dec | Kind::Money, _) if over.is_none() => c.over_field(a, false)?,
            _ => None,
        };
        // A record's fraction past the engine's 128 bits has no answer (PostgreSQL's `NUMERIC`
        // holds it; DuckDB's `HUGEINT` and Spark's 38 digits stop the query).
        let past = pair.as_deref().and_then(|p| super::expr::over_field::past_held(d, p));
        let flags: Vec<String> = no_answer.into_iter().chain(past).collect();
        if !flags.is_empty() {
            cols.push(format!("CASE WHEN {} THEN 1 ELSE 0 END AS z{j}", flags.join(" OR ")));
            unanswered.push(j);
            // Why the record's value has none, in the engine's words, for the group's message
            // (`check --engine duckdb`: [`whys`]).
            if placed || hashed(j) {
                let why = c.no_answer_why(a)?.unwrap_or_else(|| d.text(crate::engine::value::Why::Overflow.as_str()));
                cols.push(format!("{why} AS w{j}"));
            }
        }
        if let Some(o) = &over {
            cols.push(format!("{} AS x{j}", o.num));
            scales.push(None);
            overs.push(over);
            continue;
        }
        overs.push(None);
        if let Some(pair) = pair {
            cols.push(format!("{pair} AS x{j}"));
            scales.push(None);
            pairs.push(j);
            continue;
        }
        let summed = match agg.kind {
            AggKind::Sum(Kind::Dec | Kind::Money) | AggKind::Avg(Kind::Dec | Kind::Money) => c.summand(a)?,
            // (The least or greatest of sums of decimals Spark keeps exact as they are.)
            AggKind::Min(Kind::Dec | Kind::Money) | AggKind::Max(Kind::Dec | Kind::Money)
                if c.multiplies_decimal(a) =>
            {
                c.summand(a)?
            }
            _ => None,
        };
        let (x, scale) = match summed {
            Some((whole, places)) => (whole, Some(places)),
            None => (c.expr(a, None)?, None),
        };
        cols.push(format!("{x} AS x{j}"));
        scales.push(scale);
        // The least or greatest of datetimes keeps the offset of the record it was taken from,
        // as the engine keeps it: its day is read there, and `check --engine duckdb` shows it
        // there. Where that offset cannot be told (a computed datetime the SQL does not follow),
        // nothing is carried and what asks for it is left out.
        if matches!(agg.kind, AggKind::Min(_) | AggKind::Max(_)) && agg.ty == Ty::DateTime && offset_read(j) {
            if let Ok(off) = c.offset_of(a) {
                cols.push(format!("{off} AS o{j}"));
                kept_offsets.push(j);
            }
        }
    }
    if let Some(p) = &spec.presence {
        let unit = if matches!(p.unit, DateUnit::BusinessDay(_)) { DateUnit::Day } else { p.unit };
        cols.push(format!("{} AS pd", c.expr(&CExpr::DatePart(unit, p.zone, Box::new(p.on.clone())), None)?));
    }
    if placed {
        // Where each record is, and its id, for the records a finding shows.
        cols.push(format!(
            "r.precept_file AS precept_f, r.precept_row AS precept_n, {} AS precept_id",
            record_id(&mut c, info)?
        ));
    }
    if cols.is_empty() {
        cols.push("1 AS one".into());
    }
    let where_ = if scope.is_empty() { String::new() } else { format!("\n    WHERE {}", scope.join("\n      AND ")) };
    let cols = cols.join(", ");
    let roles_join = super::joins(d, roles, &[&cols, &where_]);
    let mut with = vec![format!(
        "precept_scope AS (\n    SELECT {cols}\n    FROM {} AS r{roles_join}{where_}\n  )",
        d.ident(&info.name)
    )];

    // precept_groups: one row per key, its count and aggregates.
    let keys: Vec<String> = (0..spec.keys.len()).map(|i| format!("k{i}")).collect();
    let aggs = spec
        .aggs
        .iter()
        .zip(&scales)
        .zip(&overs)
        .enumerate()
        .map(|(j, ((a, scale), over))| match over {
            Some(o) => over_constant(d, j, a.kind, o),
            None if pairs.contains(&j) => over_field(d, j, a.kind, placed),
            None => aggregate(d, j, a.kind, &a.ty, *scale),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut gcols: Vec<String> = keys.clone();
    gcols.push("COUNT(*) AS n".into());
    // Why each aggregate has no answer, where it may have none (`check --engine duckdb`): the
    // first member with none, in file and record order, as the engine tells it; else a sum or
    // average of quotients by a value of the record whose total passed 128 bits.
    let mut ys: Vec<Option<String>> = vec![None; aggs.len()];
    // Those columns, each with its NULL (for a group expected by name with no record), placed
    // after the samples.
    let mut told: Vec<(String, String)> = Vec::new();
    if placed {
        let overflow = d.text(crate::engine::value::Why::Overflow.as_str());
        for (j, a) in aggs.iter().enumerate() {
            let mut arms = Vec::new();
            if unanswered.contains(&j) {
                arms.push(format!(
                    "WHEN MAX(z{j}) = 1 THEN arg_min(w{j}, [precept_f, precept_n]) FILTER (WHERE z{j} = 1)"
                ));
            }
            if summed_pair(spec, &pairs, j) {
                arms.push(format!("WHEN COUNT(x{j}) > 0 AND ({}) IS NULL THEN {overflow}", a.value));
            }
            if !arms.is_empty() {
                told.push((
                    format!("CASE {} END AS y{j}", arms.join(" ")),
                    format!("CAST(NULL AS {})", d.ty(SqlType::Text)),
                ));
                ys[j] = Some(format!("r.y{j}"));
            }
            // The first member with no answer, which a finding shows first (as the engine does).
            if unanswered.contains(&j) {
                told.push((
                    format!(
                        "arg_min({SAMPLE}, [precept_f, precept_n]) FILTER (WHERE z{j} = 1) AS precept_unanswered_{j}"
                    ),
                    format!("CAST(NULL AS {SAMPLE_TYPE})"),
                ));
            }
        }
    }
    for &j in &kept_offsets {
        let min = spec.aggs.get(j).is_some_and(|a| matches!(a.kind, AggKind::Min(_)));
        told.push((format!("{} AS c{j}", kept_offset(d, j, min, placed)), "CAST(NULL AS BIGINT)".into()));
    }
    // Whether each aggregate that may have no answer has none (`u{j}`, 1 if so), which
    // `otherwise`, `is present` and `is missing` tell from a missing value, as the engine does:
    // a member with none, or a total past the engine's 128 bits (SQL NULL over values present).
    // A group expected by name with no record has an answer (0). Written only where something
    // asks; with why (`v{j}`) where a redacted value reads it: the first member's reason in file
    // and record order (`check --engine duckdb`), else the least of the members' reasons as
    // text (a table has no record order), else `overflow` for a total past 128 bits.
    let asked: Vec<&CExpr> = rule.requires.iter().chain(message_exprs(rule)).collect();
    let mut unsure = Vec::new();
    let text_null = format!("CAST(NULL AS {text})");
    for (j, a) in aggs.iter().enumerate() {
        if !hashed(j) && !asked.iter().any(|e| tells_missing(e, first_agg + j)) {
            continue;
        }
        let (mut when, mut why) = (Vec::new(), Vec::new());
        if unanswered.contains(&j) {
            when.push(format!("MAX(z{j}) = 1"));
            let first = if placed {
                format!("arg_min(w{j}, [precept_f, precept_n]) FILTER (WHERE z{j} = 1)")
            } else {
                format!("MIN(w{j}) FILTER (WHERE z{j} = 1)")
            };
            why.push(format!("WHEN MAX(z{j}) = 1 THEN {first}"));
        }
        if summed_pair(spec, &pairs, j) || pg_summed(d, spec, j) {
            let past = format!("(COUNT(x{j}) > 0 AND ({}) IS NULL)", a.value);
            why.push(format!("WHEN {past} THEN {}", d.text(crate::engine::value::Why::Overflow.as_str())));
            when.push(past);
        }
        if when.is_empty() {
            continue;
        }
        told.push((format!("CASE WHEN {} THEN 1 ELSE 0 END AS u{j}", when.join(" OR ")), "0".into()));
        let reason = if hashed(j) {
            told.push((format!("CASE {} END AS v{j}", why.join(" ")), text_null.clone()));
            format!("r.v{j}")
        } else {
            "NULL".to_string()
        };
        unsure.push((j, reason));
    }
    for (j, a) in aggs.iter().enumerate() {
        if unanswered.contains(&j) {
            gcols.push(format!("CASE WHEN MAX(z{j}) = 1 THEN NULL ELSE {} END AS a{j}", a.value));
            if let Some(den) = &a.den {
                gcols.push(format!("{den} AS b{j}"));
            }
            continue;
        }
        gcols.push(format!("{} AS a{j}", a.value));
        if let Some(den) = &a.den {
            gcols.push(format!("{den} AS b{j}"));
        }
    }
    // The records a finding shows, as the engine keeps them ([`samples`]).
    let wants =
        crate::engine::group::wants(&rule.requires, spec.keys.len() + usize::from(spec.period_slot.is_some()), spec);
    let kept = if placed { samples(spec, &wants, &pairs) } else { Vec::new() };
    gcols.extend(kept.iter().cloned());
    gcols.extend(told.iter().map(|(col, _)| col.clone()));
    let present: Vec<String> = keys.iter().map(|k| format!("{k} IS NOT NULL")).collect();
    let (filter, group_by) = if keys.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" WHERE {}", present.join(" AND ")), format!(" GROUP BY {}", keys.join(", ")))
    };
    with.push(format!(
        "precept_groups AS (\n    SELECT {} FROM precept_scope{filter}{group_by}\n  )",
        gcols.join(", ")
    ));

    // The group record the `require`s and message read: keys, period, aggregates.
    let mut slots: Vec<Slot> =
        spec.keys.iter().zip(&key_types).enumerate().map(|(i, (k, part))| part.slot(d, i, &k.ty)).collect();
    if spec.period_slot.is_some() {
        slots.push(Slot::Value("r.pm".into(), Ty::Date));
    }
    slots.extend(aggs.iter().map(|a| a.slot.clone()));
    let first = spec.keys.len() + usize::from(spec.period_slot.is_some());
    // A key or an aggregate of products of decimals has up to 20 places in DuckDB and
    // PostgreSQL, which the `require`s' choices between values and a redacted hole reading it take
    // account of ([`Compiler::fine_slots`]); Spark's is a whole number of its places, exact.
    // (Asked of the aggregates' arguments before the group record is set: they read the record.)
    if d != Dialect::Spark {
        let keys = key_types.iter().enumerate().filter(|(_, part)| part.fine).map(|(i, _)| i);
        let aggs = spec
            .aggs
            .iter()
            .enumerate()
            .filter(|(j, a)| !pairs.contains(j) && a.arg.as_ref().is_some_and(|x| c.multiplies_places(x)))
            .map(|(j, _)| first + j);
        c.fine_slots = keys.chain(aggs).collect();
        // The places DuckDB gives each aggregate: its argument's (`sum(record.a * 1.5)` has 11).
        c.slot_places = spec
            .aggs
            .iter()
            .zip(&overs)
            .enumerate()
            .filter_map(|(j, (a, over))| match over {
                Some(o) => Some((first + j, o.places)),
                None if pairs.contains(&j) => Some((first + j, 0)),
                None => Some((first + j, c.duck_places(a.arg.as_ref()?))),
            })
            .collect();
    }
    c.group = Some(slots);
    let slot = |j: usize| u16::try_from(first + j).ok();
    c.group_unanswered =
        unsure.iter().filter_map(|(j, why)| Some((slot(*j)?, format!("(r.u{j} = 1)"), why.clone()))).collect();
    c.group_offsets = kept_offsets.iter().filter_map(|&j| Some((slot(j)?, format!("r.c{j}")))).collect();
    // `check` shows a group's datetimes at the offset each was written with where the rule has
    // no calendar; `check --engine duckdb` does too. (`precept sql` shows them as UTC instants,
    // as it does a case's.)
    c.written_in_messages = placed && program.calendar_of(rule).is_none();
    let mut holds = Vec::new();
    let mut which = Vec::new();
    // The records shown with a `require`'s finding: those that count against the first
    // comparison in it that does not hold (else its first), or the group's first records.
    let mut shown = Vec::new();
    for (k, r) in rule.requires.iter().enumerate() {
        let t = d.is_true(&c.expr(r, None)?);
        which.push(format!("WHEN NOT {t} THEN {}", k + 1));
        holds.push(t.clone());
        if placed {
            let pulls = crate::engine::group::pulls(r, first, spec);
            let mut cases = Vec::new();
            for p in &pulls {
                let Some(i) = wants.iter().position(|w| *w == (p.agg, p.way)) else { continue };
                let cmp = d.is_true(&c.expr(p.cmp, None)?);
                cases.push(format!(
                    "WHEN {cmp} = {} THEN r.precept_against_{i}",
                    if p.negated { "TRUE" } else { "FALSE" }
                ));
            }
            let fallback = pulls
                .first()
                .and_then(|p| wants.iter().position(|w| *w == (p.agg, p.way)))
                .map_or("r.precept_first".to_string(), |i| format!("r.precept_against_{i}"));
            let pick =
                if cases.is_empty() { fallback } else { format!("CASE {} ELSE {fallback} END", cases.join(" ")) };
            // The members with no answer of the aggregates the `require` reads come first, in the
            // order it reads them, each record once and at most [`MAX_SAMPLES`] in all.
            let first_unanswered: Vec<String> = spec
                .require_aggs
                .get(k)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|j| unanswered.contains(j))
                .map(|j| format!("r.precept_unanswered_{j}"))
                .collect();
            let pick = if first_unanswered.is_empty() {
                pick
            } else {
                let all = format!(
                    "list_concat(list_filter([{}], lambda precept_s: precept_s IS NOT NULL), COALESCE({pick}, []))",
                    first_unanswered.join(", ")
                );
                format!(
                    "list_filter({all}, lambda precept_s, precept_i: NOT list_contains(({all})[1:precept_i - 1], precept_s))[1:{MAX_SAMPLES}]"
                )
            };
            shown.push(format!("WHEN NOT {t} THEN {pick}"));
        }
    }
    // A message reads an average of durations as the duration it is (to the microsecond, as
    // every duration the SQL shows), not as the fraction the `require`s compare.
    c.group = c.group.take().map(|slots| {
        slots
            .into_iter()
            .enumerate()
            .map(|(i, s)| match aggs.get(i.wrapping_sub(first)).and_then(|a| a.shown.clone()) {
                Some(shown) if i >= first => shown,
                _ => s,
            })
            .collect()
    });
    let (template, values) = super::message(&mut c, rule)?;
    let group_key = group_key(d, spec, &key_types)?;
    let placing = if placed { placing(program, d, spec, &key_types)? } else { String::new() };
    // The message's values and the requirements may ask about roles: in Spark the role lists are
    // joined to the group's row ([`super::joins`]).
    let values_sql = d.text_list(&values);
    let message_join = super::joins(d, roles, &[&values_sql]);
    let whys =
        if placed { format!(",\n  {} AS precept_why", d.text_list(&whys(d, rule, first, &ys))) } else { String::new() };
    let columns = |requirement: &str, samples: &str| {
        let samples = if placed { format!(",\n  {samples} AS precept_samples{whys}") } else { String::new() };
        format!(
            "SELECT\n{}  CAST(NULL AS {text}) AS record_id,\n  {requirement} AS requirement,\n  '' AS field,\n  {} AS message,\n  {} AS message_values,\n  {group_key} AS group_key{placing}{samples}",
            super::identity(program, rule, info, d),
            d.text(&template),
            d.text_list(&values),
        )
    };
    let minimum = spec.minimum.map(|m| format!(" WHERE n >= {m}")).unwrap_or_default();
    let mut selects = Vec::new();
    if !holds.is_empty() {
        selects.push(format!(
            "{}\n  FROM (SELECT g.*, CAST(NULL AS DATE) AS pm{} FROM precept_groups AS g{}) AS r{}\n  WHERE NOT ({})",
            columns(
                &format!("CAST(CASE {} END AS BIGINT)", which.join(" ")),
                &if shown.is_empty() { "NULL".to_string() } else { format!("CASE {} END", shown.join(" ")) }
            ),
            if placed { ", CAST(NULL AS BIGINT) AS precept_more" } else { "" },
            minimum.replace("n >=", "g.n >="),
            super::joins(d, roles, &[&values_sql, &holds.join(" AND ")]),
            holds.join(" AND ")
        ));
    }
    if let Some(p) = &spec.presence {
        let none: Vec<String> = (0..kept.len())
            .map(|_| format!("CAST(NULL AS {SAMPLES})"))
            .chain(told.iter().map(|(_, null)| null.clone()))
            .collect();
        with.extend(presence(&mut c, rule, spec, p, &aggs, &key_types, (&minimum, &none))?);
        let nulls = if keys.is_empty() {
            "1".to_string()
        } else {
            keys.iter().map(|k| format!("j.{k}")).collect::<Vec<_>>().join(", ")
        };
        let joined: Vec<String> =
            keys.iter().map(|k| format!("s.{k} = j.{k}")).chain(["s.pd = pe.day".into()]).collect();
        selects.push(format!(
            "{}\n  FROM (\n    SELECT j.*, pe.day AS pm, ROW_NUMBER() OVER (PARTITION BY {nulls} ORDER BY pe.day) AS precept_nth{}\n    FROM precept_judged AS j CROSS JOIN precept_periods AS pe\n    WHERE NOT EXISTS (SELECT 1 FROM precept_seen AS s WHERE {})\n  ) AS r{message_join}\n  WHERE r.precept_nth <= {MAX_MISSING_SHOWN}",
            columns("CAST(NULL AS BIGINT)", "r.precept_first"),
            // On the last period listed, how many more the group misses, for its evidence.
            if placed {
                format!(
                    ", CASE WHEN ROW_NUMBER() OVER (PARTITION BY {nulls} ORDER BY pe.day) = {MAX_MISSING_SHOWN} \
                     THEN COUNT(*) OVER (PARTITION BY {nulls}) - {MAX_MISSING_SHOWN} END AS precept_more"
                )
            } else {
                String::new()
            },
            joined.join(" AND ")
        ));
    }
    if selects.is_empty() {
        return no("a group rule with no `require` and no `expect`");
    }
    let body = selects.join("\n  UNION ALL\n  ");
    let select = format!("SELECT * FROM (\n  WITH {}\n  {body}\n) AS precept_rule", with.join(",\n  "));
    Ok(RuleSql { select, calendars: c.calendars })
}

/// Whether aggregate `j` sums or averages quotients by a value of the record (`pairs`), which has
/// no answer where a running total passes 128 bits.
fn summed_pair(spec: &GroupSpec, pairs: &[usize], j: usize) -> bool {
    pairs.contains(&j) && spec.aggs.get(j).is_some_and(|a| matches!(a.kind, AggKind::Sum(_) | AggKind::Avg(_)))
}

/// Whether aggregate `j` is, in PostgreSQL, a sum or average of numbers or money, which has no
/// answer where it passes the engine's 128 bits ([`pg_held`]).
fn pg_summed(d: Dialect, spec: &GroupSpec, j: usize) -> bool {
    d == Dialect::Postgres
        && spec.aggs.get(j).is_some_and(|a| {
            matches!(a.kind, AggKind::Sum(Kind::Dec | Kind::Money) | AggKind::Avg(Kind::Dec | Kind::Money))
        })
}

/// Whether `e` asks `otherwise`, `is present` or `is missing` of a value that reads slot `slot`
/// of the group's record, or asks a question about staff and roles of one.
fn tells_missing(e: &CExpr, slot: usize) -> bool {
    match e {
        CExpr::Otherwise(x, _) | CExpr::Present(x, _) if reads_slot(x, slot) => true,
        // A question about staff and roles: an argument with no answer leaves it without one,
        // where a missing `may` amount is not asked about.
        CExpr::Scope(_, args) if args.iter().any(|a| reads_slot(a, slot)) => true,
        _ => e.children().any(|c| tells_missing(c, slot)),
    }
}

/// The expressions `rule`'s message shows, redacted or not.
fn message_exprs(rule: &CompiledRule) -> impl Iterator<Item = &CExpr> {
    rule.message.iter().filter_map(|part| match part {
        MsgPart::Text(_) => None,
        MsgPart::Hole(e, _) | MsgPart::Percent(e) | MsgPart::Period(e, _) | MsgPart::Redacted(e, _) => Some(e),
    })
}

/// Whether `e` reads slot `slot` of the group's record.
fn reads_slot(e: &CExpr, slot: usize) -> bool {
    use crate::engine::program::Root;
    matches!(e, CExpr::Field(Root::Record, steps) if matches!(&**steps, [s] if usize::from(*s) == slot))
        || e.children().any(|c| reads_slot(c, slot))
}

/// For each value of `rule`'s message, in the order of [`super::message`]'s: why it has no answer
/// (the engine's words, as SQL text), NULL where it has one or where that is not known here, for
/// `check --engine duckdb` to show it as the native engine does (`(no answer: overflow)`).
/// `ys[j]` is the SQL of why aggregate `j` has none (NULL where it has one), `first` the slot of
/// the first aggregate. A value made only of aggregates, constants and arithmetic has the first
/// unanswered operand's reason, read left to right, as the engine passes an operand's lack of an
/// answer up before a missing one (a date moved or the time between two included), through
/// `otherwise` and `is present` too; any other value (a choice, a division of its own) is left
/// NULL, shown as missing, as docs/warehouse.md says.
fn whys(d: Dialect, rule: &crate::engine::program::CompiledRule, first: usize, ys: &[Option<String>]) -> Vec<String> {
    use crate::engine::program::{Arith, Root};
    fn reads(e: &CExpr, first: usize, ys: &[Option<String>], out: &mut Vec<String>) -> bool {
        match e {
            CExpr::Const(_) => true,
            CExpr::Field(Root::Record, steps) => {
                if let [slot] = &**steps {
                    if let Some(Some(y)) = usize::from(*slot).checked_sub(first).and_then(|j| ys.get(j)) {
                        out.push(y.clone());
                    }
                }
                true
            }
            // (A date or instant moved past the last held, or the time between two, has no
            // answer of its own too, which the SQL does not tell from a missing operand: that
            // one is shown as missing.)
            CExpr::Arith(
                Arith::Add(_)
                | Arith::Sub(_)
                | Arith::Mul(_)
                | Arith::Later
                | Arith::Earlier
                | Arith::DateLater
                | Arith::DateEarlier
                | Arith::Elapsed
                | Arith::DaysBetween,
                a,
                b,
            ) => reads(a, first, ys, out) && reads(b, first, ys, out),
            CExpr::Neg(_, x) | CExpr::ToDec(x) | CExpr::Present(x, _) => reads(x, first, ys, out),
            // The default is read only where the value is missing, so a lack of an answer is
            // the value's, else the default's.
            CExpr::Otherwise(x, dflt) => reads(x, first, ys, out) && reads(dflt, first, ys, out),
            _ => false,
        }
    }
    let null = format!("CAST(NULL AS {})", d.ty(super::dialect::SqlType::Text));
    let mut out = Vec::new();
    for e in super::shown_values(rule) {
        let mut read = Vec::new();
        out.push(match e {
            Some(e) if reads(e, first, ys, &mut read) && !read.is_empty() => format!("COALESCE({})", read.join(", ")),
            _ => null.clone(),
        });
    }
    out
}

/// The type of a list of records a finding shows: each record's file (its index in the run), row
/// (from 1) and id.
const SAMPLES: &str = "STRUCT(f BIGINT, n BIGINT, id VARCHAR)[]";

/// One record a finding shows, as [`SAMPLES`] holds it.
const SAMPLE: &str = "{'f': precept_f, 'n': precept_n, 'id': precept_id}";

/// The type of [`SAMPLE`].
const SAMPLE_TYPE: &str = "STRUCT(f BIGINT, n BIGINT, id VARCHAR)";

/// The columns of `precept_groups` (for `check --engine duckdb` only) holding the records a
/// group's findings show, as the engine keeps them (`crate::engine::group`): `precept_first`,
/// the group's first records in file and record order; and for each aggregate and way some
/// `require` compares it in (`wants`), `precept_against_{i}`, the records that count against it:
/// for `share(c)` and `count(c)` the first where `c` goes against it, for a value the worst ones
/// (largest for `High`, smallest for `Low`), the earlier read first among equals. Each holds at
/// most [`MAX_SAMPLES`] records, so a group's memory stays bounded.
fn samples(spec: &GroupSpec, wants: &[(usize, crate::engine::group::Way)], pairs: &[usize]) -> Vec<String> {
    use crate::engine::group::Way;
    let record = SAMPLE;
    let mut out = vec![format!("arg_min({record}, [precept_f, precept_n], {MAX_SAMPLES}) AS precept_first")];
    for (i, (agg, way)) in wants.iter().enumerate() {
        let kind = spec.aggs.get(*agg).map(|a| a.kind);
        let x = format!("x{agg}");
        // A pair (a quotient by a value of the record) is ordered by its value as a `DOUBLE`:
        // which records are shown, not the verdict, rests on it (docs/warehouse.md).
        let v =
            if pairs.contains(agg) { format!("CAST({x}[1] AS DOUBLE) / CAST({x}[2] AS DOUBLE)") } else { x.clone() };
        let kept = match (kind, way) {
            (Some(AggKind::Share | AggKind::CountWhere), Way::High) => {
                format!("arg_min({record}, [precept_f, precept_n], {MAX_SAMPLES}) FILTER (WHERE {x} = TRUE)")
            }
            (Some(AggKind::Share | AggKind::CountWhere), Way::Low) => {
                format!("arg_min({record}, [precept_f, precept_n], {MAX_SAMPLES}) FILTER (WHERE {x} = FALSE)")
            }
            (Some(AggKind::Count) | None, _) => format!("CAST(NULL AS {SAMPLES})"),
            (Some(_), Way::High) => format!(
                "arg_max({record}, {{'v': {v}, 'f': -precept_f, 'n': -precept_n}}, {MAX_SAMPLES}) FILTER (WHERE {x} IS NOT NULL)"
            ),
            (Some(_), Way::Low) => format!(
                "arg_min({record}, {{'v': {v}, 'f': precept_f, 'n': precept_n}}, {MAX_SAMPLES}) FILTER (WHERE {x} IS NOT NULL)"
            ),
        };
        out.push(format!("{kept} AS precept_against_{i}"));
    }
    out
}

/// The offset kept with the least (`min`) or greatest instant `x{j}` of a group, from its
/// records' offsets `o{j}`. The engine keeps the first of equal instants in record order, which
/// `check --engine duckdb` (`placed`) follows by file and row; a warehouse table has no record
/// order, so there the one written with the smaller offset is kept (docs/warehouse.md).
fn kept_offset(d: Dialect, j: usize, min: bool, placed: bool) -> String {
    let (x, o) = (format!("x{j}"), format!("o{j}"));
    let present = format!("FILTER (WHERE {x} IS NOT NULL)");
    match (d, min) {
        (Dialect::DuckDb, true) if placed => {
            format!("arg_min({o}, {{'v': {x}, 'f': precept_f, 'n': precept_n}}) {present}")
        }
        (Dialect::DuckDb, false) if placed => {
            format!("arg_max({o}, {{'v': {x}, 'f': -precept_f, 'n': -precept_n}}) {present}")
        }
        (Dialect::DuckDb, true) => format!("arg_min({o}, {{'v': {x}, 'o': {o}}}) {present}"),
        (Dialect::DuckDb, false) => format!("arg_max({o}, {{'v': {x}, 'o': -{o}}}) {present}"),
        (Dialect::Postgres, _) => {
            format!("(array_agg({o} ORDER BY {x}{}, {o}) {present})[1]", if min { "" } else { " DESC" })
        }
        (Dialect::Spark, true) => format!("min_by({o}, struct({x}, {o})) {present}"),
        (Dialect::Spark, false) => format!("max_by({o}, struct({x}, -{o})) {present}"),
    }
}

/// The record's id as text, for the records a finding shows (NULL where the schema names none).
pub(super) fn record_id(c: &mut Compiler<'_>, info: &SchemaInfo) -> Result<String, Unsupported> {
    let d = c.dialect;
    let Some(slot) = info.id_field else { return Ok(format!("CAST(NULL AS {})", d.ty(SqlType::Text))) };
    let Ok(slot) = u16::try_from(slot) else { return no("a field the schema does not have") };
    let (col, _, ty) = c.field(&[slot])?;
    match scalar(&ty) {
        Some(st) => Ok(d.to_text(&col, st)),
        None => no("a record id that is not a single value"),
    }
}

/// Aggregate `j` over `x{j}` as the engine folds it; with `scale`, `x{j}` is a whole number of
/// that many places (Spark's decimal arithmetic, see [`Compiler::summand`]), summed, averaged or
/// ordered as one.
fn aggregate(d: Dialect, j: usize, kind: AggKind, ty: &Ty, scale: Option<u32>) -> Result<AggSql, Unsupported> {
    let x = format!("x{j}");
    // A sum of decimals keeps every place: a product of two has 20 (DuckDB's `DECIMAL(38, 20)`,
    // PostgreSQL's `NUMERIC` of any scale), which `DECIMAL(38, 10)` would round.
    let dec = match d {
        Dialect::DuckDb => None,
        Dialect::Postgres => Some("NUMERIC"),
        Dialect::Spark => Some(d.ty(SqlType::Decimal)),
    };
    let summed = |sum: String| match dec {
        Some(dec) => format!("CAST({sum} AS {dec})"),
        None => sum,
    };
    if let (Some(scale), AggKind::Sum(_) | AggKind::Avg(_) | AggKind::Min(_) | AggKind::Max(_)) = (scale, kind) {
        let whole = "DECIMAL(38, 0)";
        let slot = |den: String| Slot::Ratio { num: format!("r.a{j}"), den, num_ty: SqlType::Int, scale };
        return Ok(match kind {
            // The least or greatest of whole numbers of the same places is that of the values.
            AggKind::Min(_) | AggKind::Max(_) => AggSql {
                value: format!("CAST({}({x}) AS {whole})", if matches!(kind, AggKind::Min(_)) { "MIN" } else { "MAX" }),
                den: None,
                empty: (format!("CAST(NULL AS {whole})"), None),
                slot: slot("1".into()),
                shown: None,
            },
            AggKind::Sum(_) => AggSql {
                value: format!("CAST(COALESCE(SUM({x}), 0) AS {whole})"),
                den: None,
                empty: (format!("CAST(0 AS {whole})"), None),
                slot: slot("1".into()),
                shown: None,
            },
            _ => AggSql {
                value: format!("CAST(SUM({x}) AS {whole})"),
                den: Some(format!("COUNT({x})")),
                empty: (format!("CAST(NULL AS {whole})"), Some("CAST(0 AS BIGINT)".into())),
                slot: slot(format!("r.b{j}")),
                shown: None,
            },
        });
    }
    let value = |v: String, empty: &str| AggSql {
        value: v,
        den: None,
        empty: (empty.to_string(), None),
        slot: Slot::Value(format!("r.a{j}"), ty.clone()),
        shown: None,
    };
    // A condition missing for some member leaves `count(...)` and `share(...)` without a value.
    let counted =
        format!("CASE WHEN COUNT({x}) = COUNT(*) THEN CAST(SUM(CASE WHEN {x} THEN 1 ELSE 0 END) AS BIGINT) END");
    Ok(match kind {
        AggKind::Count => value("COUNT(*)".into(), "CAST(0 AS BIGINT)"),
        AggKind::CountWhere => value(counted, "CAST(0 AS BIGINT)"),
        AggKind::Share => AggSql {
            value: counted,
            den: Some("COUNT(*)".into()),
            empty: ("CAST(0 AS BIGINT)".into(), Some("CAST(0 AS BIGINT)".into())),
            slot: Slot::Ratio { num: format!("r.a{j}"), den: format!("r.b{j}"), num_ty: SqlType::Int, scale: 0 },
            shown: None,
        },
        AggKind::Sum(_) => match ty {
            Ty::Int | Ty::Duration => value(format!("CAST(COALESCE(SUM({x}), 0) AS BIGINT)"), "CAST(0 AS BIGINT)"),
            Ty::Dec | Ty::Money(_) => {
                let sum = format!("COALESCE(SUM({x}), 0)");
                let sum = pg_held(d, &sum, "1", None, summed(sum.clone()));
                value(sum, &format!("CAST(0 AS {})", d.ty(SqlType::Decimal)))
            }
            _ => return no("a sum of this type"),
        },
        // The engine's average of durations is their sum in nanoseconds divided by their count,
        // truncated toward zero to the nanosecond. The SQL's durations are microseconds, so that
        // is `trunc(1000 * s / n)` nanoseconds for a sum `s` of `n`, computed without a product
        // that could overflow as `1000 * trunc(s / n) + trunc(1000 * (s mod n) / n)` (the two
        // terms have the sign of `s`, so truncating each truncates the sum). It is a fraction of
        // a microsecond, `a/1000`, so that a `require` compares it exactly; a message shows it
        // truncated to the microsecond, as the engine's value of it is (`trunc(s / n)`).
        AggKind::Avg(Kind::Duration) => {
            let s = format!("CAST(SUM({x}) AS BIGINT)");
            let n = format!("NULLIF(COUNT({x}), 0)");
            let whole = d.int_div(&s, &n);
            let rest = d.int_div(&format!("1000 * ({s} % {n})"), &n);
            AggSql {
                value: format!("CAST(1000 * {whole} + {rest} AS BIGINT)"),
                den: Some(format!("CAST(CASE WHEN COUNT({x}) > 0 THEN 1000 ELSE 0 END AS BIGINT)")),
                empty: ("CAST(NULL AS BIGINT)".into(), Some("CAST(0 AS BIGINT)".into())),
                slot: Slot::Ratio { num: format!("r.a{j}"), den: format!("r.b{j}"), num_ty: SqlType::Int, scale: 0 },
                shown: Some(Slot::Value(d.int_div(&format!("r.a{j}"), "1000"), Ty::Duration)),
            }
        }
        // The mean of the values present, a fraction; none present: no value.
        AggKind::Avg(k) => {
            let (num, num_ty) = match k {
                Kind::Int => (format!("CAST(SUM({x}) AS BIGINT)"), SqlType::Int),
                Kind::Dec | Kind::Money => {
                    let sum = format!("SUM({x})");
                    (pg_held(d, &sum, "1", Some(&format!("COUNT({x})")), summed(sum.clone())), SqlType::Decimal)
                }
                _ => return no("the average of values of this type"),
            };
            AggSql {
                value: num,
                den: Some(format!("COUNT({x})")),
                empty: (format!("CAST(NULL AS {})", d.ty(num_ty)), Some("CAST(0 AS BIGINT)".into())),
                slot: Slot::Ratio { num: format!("r.a{j}"), den: format!("r.b{j}"), num_ty, scale: 0 },
                shown: None,
            }
        }
        // The checker lets `min`, `max` and `percentile` take only the types below (not
        // enumerations, booleans or text for `percentile`); the others stay left out here.
        AggKind::Min(_) | AggKind::Max(_) => {
            let f = if matches!(kind, AggKind::Min(_)) { "MIN" } else { "MAX" };
            let st = match ty {
                Ty::Int | Ty::Duration | Ty::Dec | Ty::Money(_) | Ty::Date | Ty::DateTime | Ty::Text => scalar(ty),
                _ => None,
            };
            let Some(st) = st else {
                return no("the least or greatest of values of this type (enumerations, booleans)");
            };
            let arg = if *ty == Ty::Text { d.bytewise(&x) } else { x };
            value(format!("{f}({arg})"), &format!("CAST(NULL AS {})", d.ty(st)))
        }
        AggKind::Percentile(_, p) => {
            let Some(st) = scalar(ty).filter(|_| matches!(ty, Ty::Int | Ty::Duration | Ty::Dec | Ty::Money(_))) else {
                return no("`percentile` of values of this type");
            };
            value(percentile(d, &x, p)?, &format!("CAST(NULL AS {})", d.ty(st)))
        }
    })
}

/// In PostgreSQL, `value` where the sum `sum / den` (`sum`, SQL, of decimals or of the
/// numerators of quotients by a constant `den`; `1` for decimals) is held by the engine, and so
/// is the average `sum / avg_den` when that is given: their lowest terms below 2^127, as the
/// engine's sum and average have no answer past them, where `NUMERIC` has no bound; else NULL
/// (no answer). In the other dialects, `value` (their 38 digits stop the query first). The sum
/// is checked once made: a running total past 128 bits on the way and back is not seen (see
/// docs/warehouse.md).
fn pg_held(d: Dialect, sum: &str, den: &str, avg_den: Option<&str>, value: String) -> String {
    use super::expr::over_field::{past_held, pg_pair};
    if d != Dialect::Postgres {
        return value;
    }
    let past = |den: &str| past_held(d, &pg_pair(sum, den)).unwrap_or_else(|| "FALSE".into());
    let mut fails = past(den);
    if let Some(a) = avg_den {
        fails = format!("{fails} OR {}", past(a));
    }
    format!("CASE WHEN NOT ({fails}) THEN {value} END")
}

/// Aggregate `kind` of a quotient by a constant ([`OverConstant`]), column `x{j}` holding each
/// record's numerator: the numerators' sum, least, greatest or value at a rank over the constant
/// denominator (an average's over the denominator times the values counted), a fraction the
/// group record holds as [`Slot::Ratio`]. The denominator is above zero and the numerators are
/// ordered as the values are, so the least numerator is the least value's.
fn over_constant(d: Dialect, j: usize, kind: AggKind, o: &OverConstant) -> Result<AggSql, Unsupported> {
    let x = format!("x{j}");
    let num = match (d, o.num_ty) {
        (_, SqlType::Int) => "DECIMAL(38, 0)",
        (Dialect::Postgres, _) => "NUMERIC",
        (Dialect::DuckDb | Dialect::Spark, _) => "",
    };
    let typed = |v: String| if num.is_empty() { v } else { format!("CAST({v} AS {num})") };
    // (At the numerator's own places: a presence rule's union with it would round it to fewer.)
    let null = match (num.is_empty(), d) {
        (true, Dialect::DuckDb) => format!("CAST(NULL AS DECIMAL(38, {}))", o.places),
        (true, _) => format!("CAST(NULL AS {})", d.ty(o.num_ty)),
        (false, _) => format!("CAST(NULL AS {num})"),
    };
    // (In PostgreSQL, NULL where the sum or average passes the engine's 128 bits: [`pg_held`].)
    let (value, den, empty) = match kind {
        AggKind::Sum(_) => {
            let sum = format!("COALESCE(SUM({x}), 0)");
            (pg_held(d, &sum, &o.den, None, typed(sum.clone())), o.den.clone(), typed("0".into()))
        }
        // No value present: no average (a numerator of NULL over 0).
        AggKind::Avg(_) => {
            let (sum, avg_den) = (format!("SUM({x})"), format!("({}) * COUNT({x})", o.den));
            (pg_held(d, &sum, &o.den, Some(&avg_den), typed(sum.clone())), avg_den, null)
        }
        AggKind::Min(_) => (typed(format!("MIN({x})")), o.den.clone(), null),
        AggKind::Max(_) => (typed(format!("MAX({x})")), o.den.clone(), null),
        AggKind::Percentile(_, p) => (typed(percentile(d, &x, p)?), o.den.clone(), null),
        _ => return no("this aggregate of a quotient"),
    };
    let empty_den = if matches!(kind, AggKind::Avg(_)) { "CAST(0 AS DECIMAL(38, 0))".into() } else { o.den.clone() };
    Ok(AggSql {
        value,
        den: Some(den),
        empty: (empty, Some(empty_den)),
        slot: Slot::Ratio {
            num: format!("r.a{j}"),
            den: format!("r.b{j}"),
            num_ty: if num == "DECIMAL(38, 0)" { SqlType::Int } else { o.num_ty },
            scale: o.scale,
        },
        shown: None,
    })
}

/// Aggregate `kind` of a quotient by a value of the record, column `x{j}` holding each record's
/// exact fraction as a pair ([`Compiler::over_field`]): the pairs' sum, or their sum over the
/// values counted, or their least, greatest or percentile, as a fraction of whole numbers the group
/// record holds as [`Slot::Ratio`]. With `ordered` (`check --engine duckdb`, which knows each
/// record's file and row) a sum is folded in file and record order, as the engine folds it.
fn over_field(d: Dialect, j: usize, kind: AggKind, ordered: bool) -> Result<AggSql, Unsupported> {
    use super::expr::over_field::{average, extreme, pg_sum, spark_average, spark_sum, sum};
    let x = format!("x{j}");
    let order = if ordered { " ORDER BY precept_f, precept_n" } else { "" };
    // (`collect_list` leaves out NULLs.)
    let pairs = match d {
        Dialect::Spark => format!("collect_list({x})"),
        _ => format!("COALESCE(list({x}{order}) FILTER (WHERE {x} IS NOT NULL), [])"),
    };
    let spark = d == Dialect::Spark;
    let sum = |p: &str| if spark { spark_sum(p) } else { sum(p) };
    let average = |s: &str, n: &str| if spark { spark_average(s, n) } else { average(s, n) };
    // A pair's numerator and denominator (Spark's arrays count from 0).
    let (n1, n2) = if d == Dialect::Spark { (0, 1) } else { (1, 2) };
    // (PostgreSQL's whole numbers of many places stay `NUMERIC`, of no bound, not made to fit 38
    // digits.)
    let whole = |v: &str| format!("CAST({v} AS {})", if d == Dialect::Postgres { "NUMERIC" } else { "DECIMAL(38, 0)" });
    let present = format!("COUNT({x}) > 0");
    let (value, den, empty) = match kind {
        // PostgreSQL, with no lambdas, folds them with an aggregate the script creates.
        AggKind::Sum(_) | AggKind::Avg(_) if d == Dialect::Postgres => {
            let avg = matches!(kind, AggKind::Avg(_));
            let (n, den) = pg_sum(&x, avg);
            (whole(&n), whole(&den), if avg { (whole("NULL"), whole("0")) } else { (whole("0"), whole("1")) })
        }
        AggKind::Sum(_) => {
            let s = sum(&pairs);
            (whole(&format!("({s})[{n1}]")), whole(&format!("({s})[{n2}]")), (whole("0"), whole("1")))
        }
        // No value present: no average (a numerator of NULL over 0).
        AggKind::Avg(_) => {
            let a = average(&sum(&pairs), &format!("COUNT({x})"));
            (
                whole(&format!("CASE WHEN {present} THEN ({a})[{n1}] END")),
                whole(&format!("CASE WHEN {present} THEN ({a})[{n2}] ELSE 0 END")),
                (whole("NULL"), whole("0")),
            )
        }
        AggKind::Min(_) | AggKind::Max(_) => {
            let (n, den) = extreme(d, &x, matches!(kind, AggKind::Min(_)));
            (whole(&n), whole(&den), (whole("NULL"), whole("1")))
        }
        AggKind::Percentile(_, p) => {
            let (n, den) = super::expr::over_field::percentile(d, &x, &rank(d, &x, p)?);
            (whole(&n), whole(&den), (whole("NULL"), whole("1")))
        }
        _ => return no("this aggregate of a quotient by a value of the record"),
    };
    Ok(AggSql {
        value,
        den: Some(den),
        empty: (empty.0, Some(empty.1)),
        slot: Slot::Ratio { num: format!("r.a{j}"), den: format!("r.b{j}"), num_ty: SqlType::Int, scale: 0 },
        shown: None,
    })
}

/// The most decimal places of a percentile's `p` the SQL ranks by in one product: `m * n` (`m`
/// below 10^20, `n` the records of a group) stays within the 38 digits every dialect counts
/// exactly. A `p` of more places (up to the language's 28) is ranked in two halves
/// ([`finer_rank`]).
const PERCENTILE_PLACES: u32 = 18;

/// The digits of `m` (a `p` of more than [`PERCENTILE_PLACES`] places) below this power of ten
/// are multiplied by `n` apart from those above it, so that neither product passes 38 digits.
const PERCENTILE_SPLIT: u32 = 15;

/// The rank of the nearest-rank `p`th percentile among the values of `x` present, as the engine
/// takes it: `ceil(p / 100 * n)` (at least 1, at most `n`) of the `n` values sorted, counted
/// exactly in whole numbers (`p` is `m / 10^s`, so the rank is `(m * n + D - 1) div D` with `D =
/// 100 * 10^s`), of 38 digits.
fn rank(d: Dialect, x: &str, p: rust_decimal::Decimal) -> Result<String, Unsupported> {
    let (m, scale) = (p.mantissa(), p.scale());
    let den = 10i128.checked_pow(scale).and_then(|t| t.checked_mul(100)).filter(|_| m >= 0);
    let Some(den) = den else {
        return no("a percentile below zero");
    };
    let n = format!("COUNT({x})");
    let whole = match d {
        Dialect::DuckDb => "HUGEINT",
        Dialect::Postgres => "NUMERIC",
        Dialect::Spark => "DECIMAL(38, 0)",
    };
    let rank = if scale <= PERCENTILE_PLACES {
        super::expr::whole_quotient(d, &format!("CAST({m} AS {whole}) * {n} + {}", den - 1), &den.to_string())
    } else {
        finer_rank(d, whole, &n, m, scale)
    };
    Ok(format!("GREATEST(1, LEAST({n}, {rank}))"))
}

/// The nearest-rank `p`th percentile of the values of `x` present: the value at [`rank`] of them
/// sorted.
fn percentile(d: Dialect, x: &str, p: rust_decimal::Decimal) -> Result<String, Unsupported> {
    let at = rank(d, x, p)?;
    Ok(match d {
        Dialect::DuckDb => format!("(list({x} ORDER BY {x}) FILTER (WHERE {x} IS NOT NULL))[{at}]"),
        // An array subscript is an `integer` in PostgreSQL, never a `bigint`.
        Dialect::Postgres => {
            format!("(array_agg({x} ORDER BY {x}) FILTER (WHERE {x} IS NOT NULL))[CAST({at} AS INTEGER)]")
        }
        Dialect::Spark => format!("try_element_at(array_sort(collect_list({x})), CAST({at} AS INT))"),
    })
}

/// `ceil(m * n / (100 * 10^scale))` for a `scale` past [`PERCENTILE_PLACES`] (`m` below 2^96,
/// under 10^29), where `m * n` may pass 38 digits: with `m = hi * 10^k + lo` (`k` the
/// [`PERCENTILE_SPLIT`]), `lo * n = b1 * 10^k + b0` and `a = hi * n + b1`, `m * n` is
/// `a * 10^k + b0`, and since `D = e * 10^k`, its quotient by `D` is `a div e`, with a remainder
/// whenever `a mod e` or `b0` is not zero. Each product stays below 10^34 for `n` below 2^63.
fn finer_rank(d: Dialect, whole: &str, n: &str, m: i128, scale: u32) -> String {
    let k = 10i128.pow(PERCENTILE_SPLIT);
    let (hi, lo) = (m / k, m % k);
    // 10^(scale + 2 - k): scale is more than 18, so at least 10^6.
    let e = 10i128.pow(scale + 2 - PERCENTILE_SPLIT);
    let low = format!("(CAST({lo} AS {whole}) * {n})");
    let a = format!("(CAST({hi} AS {whole}) * {n} + {})", super::expr::whole_quotient(d, &low, &k.to_string()));
    format!(
        "({} + CASE WHEN {a} % {e} > 0 OR {low} % {k} > 0 THEN 1 ELSE 0 END)",
        super::expr::whole_quotient(d, &a, &e.to_string())
    )
}

/// The group's key as `precept check` shows it: each part with a value as `name value`, joined by
/// `, `.
pub(crate) fn group_key(d: Dialect, spec: &GroupSpec, types: &[KeyPart]) -> Result<String, Unsupported> {
    let mut parts = Vec::new();
    for ((i, k), shown) in spec.keys.iter().enumerate().zip(shown_parts(d, spec, types)?) {
        let x = format!("r.k{i}");
        parts.push(format!("CASE WHEN {x} IS NOT NULL THEN {} || {shown} END", d.text(&format!("{} ", k.name))));
    }
    Ok(if parts.is_empty() { "''".into() } else { format!("concat_ws(', ', {})", parts.join(", ")) })
}

/// Each part of the group's key (`r.k0`, ...) as `precept check` shows its value.
fn shown_parts(d: Dialect, spec: &GroupSpec, types: &[KeyPart]) -> Result<Vec<String>, Unsupported> {
    let mut parts = Vec::new();
    for (i, (k, part)) in spec.keys.iter().zip(types).enumerate() {
        let x = format!("r.k{i}");
        parts.push(match (k.period, &k.ty) {
            (Some(unit), _) => period_text(d, unit, &x),
            (None, Ty::Text) => d.clipped(&x, crate::text::MAX_QUOTED),
            (None, Ty::Enum(_) | Ty::Int | Ty::Bool | Ty::Date) => d.to_text(&x, part.sql),
            (None, Ty::Dec) => part.decimal_text(d, &x, 0),
            (None, Ty::Money(cur)) => {
                let places = crate::engine::types::minor_units(*cur).unwrap_or(0);
                format!("{} || {}", part.decimal_text(d, &x, places), d.text(&format!(" {cur}")))
            }
            // The checker groups by no other type (not durations, nor datetimes but by their day,
            // week, month or year).
            _ => return no("a group key of this type (shown as `check` shows it)"),
        });
        // A key read from a redacted field shows the hash of what it would have shown.
        if k.redacted {
            if let Some(last) = parts.last_mut() {
                *last = d.redacted(last);
            }
        }
    }
    Ok(parts)
}

/// How one part of a group's or case's key is held: its SQL type, and for a decimal, whether it
/// is held at [`FINE_KEY_PLACES`] places ([`Compiler::key`]).
#[derive(Clone, Copy)]
pub(crate) struct KeyPart {
    pub sql: SqlType,
    pub fine: bool,
}

impl KeyPart {
    /// The slot the requirements and the message read part `i` of the key (of type `ty`) from.
    /// Spark's fine key is the whole number of its places, read as the exact fraction it is.
    pub fn slot(self, d: Dialect, i: usize, ty: &Ty) -> Slot {
        let x = format!("r.k{i}");
        if self.fine && d == Dialect::Spark {
            return Slot::Ratio { num: x, den: "1".into(), num_ty: SqlType::Int, scale: FINE_KEY_PLACES };
        }
        Slot::Value(x, ty.clone())
    }

    /// The part's SQL type.
    fn ty(self, d: Dialect) -> String {
        match (self.fine, d) {
            (true, Dialect::Spark) => "DECIMAL(38, 0)".into(),
            (true, _) => format!("DECIMAL(38, {FINE_KEY_PLACES})"),
            (false, _) => d.ty(self.sql).into(),
        }
    }

    /// Decimal key part `x` as the engine shows it, with at least `places` places.
    fn decimal_text(self, d: Dialect, x: &str, places: u32) -> String {
        match (self.fine, d) {
            (true, Dialect::Spark) => scaled_text(d, x, FINE_KEY_PLACES, places),
            (true, _) => decimal_text(d, x, places, FINE_KEY_PLACES),
            (false, _) => decimal_text(d, x, places, 10),
        }
    }
}

/// Decimal `x` as the engine shows a decimal or an amount: exactly, with no trailing zeros past
/// `places` places (`12.5`, `3`; `3.00` for 2). The SQL's decimals have `scale` places (the
/// tables' 10, or 20 for a key that multiplies decimals), so each text has all of them and only
/// trailing zeros are taken off.
pub(crate) fn decimal_text(d: Dialect, x: &str, places: u32, scale: u32) -> String {
    let t = d.to_text(&format!("CAST({x} AS DECIMAL(38, {scale}))"), SqlType::Decimal);
    if places == 0 {
        return d.trim_trailing(&d.trim_trailing(&t, "0"), ".");
    }
    // The digits up to `places` kept, the rest without its trailing zeros.
    let keep = format!("length({t}) - {}", scale.saturating_sub(places));
    format!("(substr({t}, 1, {keep}) || {})", d.trim_trailing(&format!("substr({t}, {keep} + 1)"), "0"))
}

/// The columns `precept check --engine duckdb` places and orders a group's findings by (DuckDB
/// only): `precept_key` and `precept_sort_0, ...` ([`key_columns`]); `precept_period`, the missing
/// period (NULL for a `require`'s finding, which comes first); and for the evidence of a missing
/// period, `precept_range` (its first and last day), `precept_records` and, on the last period
/// listed, `precept_more` (how many more periods the group misses).
fn placing(program: &Program, d: Dialect, spec: &GroupSpec, types: &[KeyPart]) -> Result<String, Unsupported> {
    if d != Dialect::DuckDb {
        return no("findings placed for `check --engine duckdb` in another dialect");
    }
    let mut out = key_columns(program, d, spec, types)?;
    out.push_str(",\n  r.pm AS precept_period");
    // What a missing period's evidence says, as the engine says it: the range, the group's record
    // count, how many more periods it misses past those listed.
    let range = if spec.presence.is_some() {
        "(SELECT f FROM precept_range), (SELECT u FROM precept_range)"
    } else {
        "CAST(NULL AS DATE), CAST(NULL AS DATE)"
    };
    let _ = write!(out, ",\n  [{range}] AS precept_range,\n  r.n AS precept_records,\n  r.precept_more");
    Ok(out)
}

/// The columns that name and order a group's or a case's findings in `check --engine duckdb`
/// (DuckDB only): `precept_key`, each part of the key (`r.k0`, ...) as shown (NULL for a part
/// with no value, as for a group expected by name), and `precept_sort_0, ...`, each part as the
/// engine orders keys (an enumeration by its variants' order, text byte by byte).
pub(super) fn key_columns(
    program: &Program,
    d: Dialect,
    spec: &GroupSpec,
    types: &[KeyPart],
) -> Result<String, Unsupported> {
    let shown = shown_parts(d, spec, types)?;
    let parts: Vec<String> =
        shown.iter().enumerate().map(|(i, s)| format!("CASE WHEN r.k{i} IS NOT NULL THEN {s} END")).collect();
    let mut out = format!(",\n  CAST([{}] AS VARCHAR[]) AS precept_key", parts.join(", "));
    for (i, k) in spec.keys.iter().enumerate() {
        let x = format!("r.k{i}");
        let sort = match &k.ty {
            Ty::Enum(e) => {
                let variants: Vec<String> =
                    program.enums.get(*e).map(|v| v.variants.iter().map(|n| d.text(n)).collect()).unwrap_or_default();
                format!("list_position([{}], {x})", variants.join(", "))
            }
            _ => x,
        };
        let _ = write!(out, ",\n  {sort} AS precept_sort_{i}");
    }
    Ok(out)
}

/// A period's start `x` as the engine shows the period: `2024-W05`, `2024-03`, `2024`, a day.
pub(crate) fn period_text(d: Dialect, unit: DateUnit, x: &str) -> String {
    match (unit, d) {
        (DateUnit::Week, Dialect::DuckDb) => format!("strftime({x}, '%G-W%V')"),
        (DateUnit::Week, Dialect::Postgres) => format!("to_char({x}, 'IYYY-\"W\"IW')"),
        (DateUnit::Week, Dialect::Spark) => {
            format!(
                "concat(CAST(year(date_add({x}, 3)) AS STRING), '-W', lpad(CAST(weekofyear({x}) AS STRING), 2, '0'))"
            )
        }
        (DateUnit::Month, Dialect::DuckDb) => format!("strftime({x}, '%Y-%m')"),
        (DateUnit::Month, Dialect::Postgres) => format!("to_char({x}, 'YYYY-MM')"),
        (DateUnit::Month, Dialect::Spark) => format!("date_format({x}, 'yyyy-MM')"),
        (DateUnit::Year, _) => format!("CAST(EXTRACT(YEAR FROM {x}) AS {})", d.ty(SqlType::Text)),
        (DateUnit::Day | DateUnit::BusinessDay(_), _) => d.to_text(x, SqlType::Date),
    }
}

/// The first day of the period of `unit` that `day` is in.
fn period_start(unit: DateUnit, day: jiff::civil::Date) -> jiff::civil::Date {
    match unit {
        DateUnit::Day | DateUnit::BusinessDay(_) => day,
        DateUnit::Week => {
            let back = i64::from(day.weekday().to_monday_zero_offset());
            day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
        }
        DateUnit::Month => day.first_of_month(),
        DateUnit::Year => day.first_of_year(),
    }
}

/// Rows `0, 1, ..., n` as a select-list item.
fn series(d: Dialect, n: &str) -> String {
    match d {
        Dialect::DuckDb => format!("UNNEST(generate_series(0, {n}))"),
        Dialect::Postgres => format!("generate_series(0, {n})"),
        // `sequence` takes bounds of one type.
        Dialect::Spark => format!("explode(sequence(0, CAST({n} AS INT)))"),
    }
}

/// Date `x` plus `n` (a SQL whole number) months.
fn add_months(d: Dialect, x: &str, n: &str) -> String {
    match d {
        Dialect::DuckDb => format!("CAST({x} + to_months(CAST({n} AS INTEGER)) AS DATE)"),
        Dialect::Postgres => format!("CAST({x} + make_interval(months => CAST({n} AS INTEGER)) AS DATE)"),
        Dialect::Spark => format!("add_months({x}, CAST({n} AS INT))"),
    }
}

/// A presence rule's steps: its range, the periods expected, the periods each group has a record
/// in, and the groups judged (those of `minimum` records or more, and those expected by name that
/// have none).
fn presence(
    c: &mut Compiler<'_>,
    rule: &CompiledRule,
    spec: &GroupSpec,
    p: &crate::engine::program::Presence,
    aggs: &[AggSql],
    key_types: &[KeyPart],
    (minimum, samples): (&str, &[String]),
) -> Result<Vec<String>, Unsupported> {
    let d = c.dialect;
    let unit = if matches!(p.unit, DateUnit::BusinessDay(_)) { DateUnit::Day } else { p.unit };
    let from = p.from.map_or("m.lo".to_string(), |f| format!("DATE '{}'", period_start(unit, f)));
    let until = p.until.map_or("m.hi".to_string(), |u| format!("DATE '{u}'"));
    let range = format!(
        "precept_range AS (\n    SELECT {from} AS f, {until} AS u FROM (SELECT MIN(pd) AS lo, MAX(pd) AS hi FROM precept_scope) AS m\n  )"
    );
    let k = "ks.k";
    let day = match unit {
        DateUnit::Week => d.add_days("rg.f", &format!("{k} * 7")),
        DateUnit::Month => add_months(d, "rg.f", k),
        DateUnit::Year => add_months(d, "rg.f", &format!("{k} * 12")),
        DateUnit::Day | DateUnit::BusinessDay(_) => d.add_days("rg.f", k),
    };
    let mut expected = vec!["pe.day <= pe.u".to_string()];
    if let DateUnit::BusinessDay(cal) = p.unit {
        c.calendars.insert(cal);
        expected.push(format!(
            "EXISTS (SELECT 1 FROM {} AS cw WHERE cw.calendar = {cal} AND cw.day = pe.day AND cw.working)",
            d.ident(TABLE)
        ));
    }
    // The rule in force on the period's first day.
    let within = |(f, u): (Option<jiff::civil::Date>, Option<jiff::civil::Date>)| {
        let mut w = Vec::new();
        if let Some(f) = f {
            w.push(format!("pe.day >= DATE '{f}'"));
        }
        if let Some(u) = u {
            w.push(format!("pe.day <= DATE '{u}'"));
        }
        if w.is_empty() {
            "TRUE".to_string()
        } else {
            format!("({})", w.join(" AND "))
        }
    };
    if let Some(r) = rule.in_force {
        expected.push(within(r));
    }
    for s in &rule.suspended {
        expected.push(format!("NOT {}", within(*s)));
    }
    let periods = format!(
        "precept_periods AS (\n    SELECT pe.day FROM (\n      SELECT {day} AS day, rg.u AS u\n      FROM (SELECT {} AS k FROM precept_range) AS ks CROSS JOIN precept_range AS rg\n    ) AS pe\n    WHERE {}\n  )",
        series(d, &d.days_between("u", "f")),
        expected.join(" AND ")
    );
    let keys: Vec<String> = (0..spec.keys.len()).map(|i| format!("k{i}")).collect();
    let mut seen_cols = keys.clone();
    seen_cols.push("pd".into());
    let present: Vec<String> = seen_cols.iter().map(|k| format!("{k} IS NOT NULL")).collect();
    let seen = format!(
        "precept_seen AS (\n    SELECT DISTINCT {} FROM precept_scope WHERE {}\n  )",
        seen_cols.join(", "),
        present.join(" AND ")
    );
    // Columns of precept_groups, in order, for the groups expected by name with no record.
    let mut judged = format!("precept_judged AS (\n    SELECT * FROM precept_groups{minimum}");
    if let Some(e) = &p.expected {
        let names: Vec<String> = match &e.from {
            ExpectedFrom::Listed(names) => names.iter().map(|n| d.text(n)).collect(),
            // The teams of the staff employed on some day of the range, as the engine expects them.
            ExpectedFrom::Roles => vec!["et.name".to_string()],
        };
        let teams = format!(
            " FROM (SELECT DISTINCT st.team AS name FROM {} AS st CROSS JOIN precept_range AS rg WHERE st.team IS NOT NULL AND st.employed_from <= rg.u AND (st.employed_until IS NULL OR st.employed_until >= rg.f)) AS et",
            d.ident("precept_staff")
        );
        for name in &names {
            let mut cols = Vec::new();
            for (i, part) in key_types.iter().enumerate() {
                let value = if i == e.part { name.as_str() } else { "NULL" };
                cols.push(format!("CAST({value} AS {})", part.ty(d)));
            }
            cols.push("CAST(0 AS BIGINT)".into());
            for a in aggs {
                cols.push(a.empty.0.clone());
                if let Some(den) = &a.empty.1 {
                    cols.push(den.clone());
                }
            }
            // A group with no record shows none.
            cols.extend(samples.iter().cloned());
            let from = match &e.from {
                ExpectedFrom::Listed(_) => " FROM (SELECT 1 AS one) AS o".to_string(),
                ExpectedFrom::Roles => teams.clone(),
            };
            let _ = write!(
                judged,
                "\n    UNION ALL SELECT {}{from} WHERE NOT EXISTS (SELECT 1 FROM precept_groups AS g WHERE g.k{} = {name})",
                cols.join(", "),
                e.part,
            );
        }
    }
    judged.push_str("\n  )");
    Ok(vec![range, periods, seen, judged])
}
