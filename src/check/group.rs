//! Type checking of what only rules over groups of records have: aggregates (`count`, `share`,
//! `sum`, `min`, `max`, `avg`, `percentile`), the group's key, and the date functions that make keys
//! (`day`, `business_day`, `week`, `month`).
//!
//! A group rule's `require` and `message` are checked against a synthetic *group shape*: the key's
//! parts first, then one slot per distinct aggregate. Each aggregate's argument is checked in record
//! scope, with what the rule's `where` proves about every record.

use rust_decimal::Decimal;

use super::expr::{GroupScope, TypeCheck, T};
use crate::ast::{EventKind, Expr, ExprKind, Name, Period, VersionBy};
use crate::engine::builtins::{self, Accepts, Agg, Builtin, Family, Out};
use crate::engine::program::{
    AggKind, Aggregate, CExpr, DateUnit, DueSpec, DueUnit, Expected, ExpectedFrom, GroupKey, GroupSpec, Kind, Limit,
    Presence, Root, SequenceSpec, VersionDate,
};
use crate::engine::types::{Field, Shape, ShapeId, Ty};
use crate::source::Span;

/// What an aggregate call makes, decided from its checked argument.
struct Made {
    kind: AggKind,
    ty: Ty,
    /// It may have no value (a value aggregate of a field that may be missing).
    optional: bool,
}

impl Made {
    /// A count or share: always has a value.
    fn always(kind: AggKind, ty: Ty) -> Made {
        Made { kind, ty, optional: false }
    }
}

impl TypeCheck<'_> {
    /// Start checking a group rule's `require` and `message`: `group` names the group shape, and
    /// records are read only inside aggregates.
    pub(super) fn enter_group(&mut self, shape: ShapeId, fixed: usize, periods: Vec<(u16, DateUnit)>) {
        let record_present = std::mem::take(&mut self.present);
        self.group = Some(GroupScope {
            shape,
            aggs: Vec::new(),
            fixed,
            record_present,
            inside: false,
            periods,
            read: Vec::new(),
            case: false,
            may_be_missing: Vec::new(),
        });
    }

    /// The aggregates read since the last call, each once, in the order first read.
    pub(super) fn aggregates_read(&mut self) -> Vec<usize> {
        self.group.as_mut().map(|g| std::mem::take(&mut g.read)).unwrap_or_default()
    }

    /// The aggregates the rule's group-level expressions use, in slot order.
    pub(super) fn take_aggregates(&mut self) -> Vec<Aggregate> {
        self.group.as_mut().map(|g| std::mem::take(&mut g.aggs)).unwrap_or_default()
    }

    /// A part of a group key: a value of a type that can be compared and shown.
    pub(super) fn group_key(&mut self, e: &Expr) -> Option<(CExpr, Ty, Option<DateUnit>)> {
        let t = self.value(e, None)?;
        match t.ty {
            Ty::Text | Ty::Int | Ty::Dec | Ty::Money(_) | Ty::Bool | Ty::Date | Ty::DateTime | Ty::Enum(_) => {}
            _ => {
                let n = self.ty_name(&t.ty);
                self.err("precept::type::mismatch", format!("records cannot be grouped by {n}"), e.span, format!("this is {n}"))
                    .with_help("group by text, a number, an enumeration, or a date (`day(...)`, `week(...)`, `month(...)`, `business_day(...)`)");
                return None;
            }
        }
        let unit = match (&e.kind, &t.e) {
            (ExprKind::Call(..), CExpr::DatePart(u @ (DateUnit::Week | DateUnit::Month | DateUnit::Year), _, _)) => {
                Some(*u)
            }
            _ => None,
        };
        Some((t.e, t.ty, unit))
    }

    /// The date or datetime that places a record in a presence rule's periods.
    pub(super) fn dating(&mut self, e: &Expr) -> Option<CExpr> {
        let t = self.value(e, None)?;
        if !matches!(t.ty, Ty::Date | Ty::DateTime) {
            let n = self.ty_name(&t.ty);
            self.err(
                "precept::type::mismatch",
                format!("a presence rule counts records by a date, not {n}"),
                e.span,
                format!("this is {n}"),
            )
            .with_help("write `expect every business day of record.held_at`, naming a date or datetime field");
            return None;
        }
        Some(t.e)
    }

    /// A message hole shown specially: a share or percentage as a percentage, a week or month key as
    /// the week or month.
    pub(super) fn hole_style(&self, e: &Expr) -> Option<Option<DateUnit>> {
        match &e.kind {
            ExprKind::Percent(_) => Some(None),
            ExprKind::Call(f, _) if builtins::find(&f.text).is_some_and(|b| b.result == Out::Share) => Some(None),
            ExprKind::Path(names) if names.len() == 2 && names.first().is_some_and(|n| n.text == "group") => {
                let g = self.group.as_ref()?;
                let slot = self.shapes.get(g.shape)?.slot(&names.get(1)?.text)?;
                g.periods.iter().find(|(s, _)| usize::from(*s) == slot).map(|(_, u)| Some(*u))
            }
            _ => None,
        }
    }

    /// `count()` (every record of the group) or `count(cond)` (those where it holds).
    pub(super) fn count_group(&mut self, cond: Option<&Expr>, span: Span) -> Option<T> {
        match cond {
            None => self.aggregate(None, span, false, |_, _| Some(Made::always(AggKind::Count, Ty::Int))),
            Some(c) => self.aggregate(Some(c), span, false, |tc, t| {
                tc.need_condition(t, c, Agg::Count).then_some(Made::always(AggKind::CountWhere, Ty::Int))
            }),
        }
    }

    /// `share(...)`, `sum(...)`, ..., and the date functions, found in the registry as `b`.
    pub(super) fn group_call(&mut self, f: &Name, b: &'static Builtin, args: &[Expr], span: Span) -> Option<T> {
        let agg = match b.family {
            Family::Aggregate(agg) => agg,
            Family::Period(unit) => return self.date_part(f, b, unit, args, span),
            Family::Role(_) | Family::Pure(_) => return None,
        };
        if builtins::overload(&f.text, args.len()).is_none() {
            let help = match agg {
                Agg::Percentile => format!("write `{}`", b.example),
                _ => {
                    let sig = |a| builtins::of_aggregate(a).map_or("", |b| b.signature);
                    format!("write `{}` or `{}`", sig(Agg::Share), sig(Agg::Sum))
                }
            };
            self.wrong_arguments(f, args.len(), span, help);
            return None;
        }
        let arg = args.first();
        match agg {
            Agg::Count => self.count_group(arg, span),
            Agg::Share => self.aggregate(arg, span, false, |tc, t| {
                arg.is_some_and(|a| tc.need_condition(t, a, Agg::Share))
                    .then_some(Made::always(AggKind::Share, Ty::Dec))
            }),
            Agg::Percentile => {
                let p = self.percentile_rank(args.get(1))?;
                self.numeric(f, arg, span, move |k| AggKind::Percentile(k, p), false)
            }
            Agg::Sum => self.numeric(f, arg, span, AggKind::Sum, false),
            Agg::Avg => self.numeric(f, arg, span, AggKind::Avg, false),
            Agg::Min => self.numeric(f, arg, span, AggKind::Min, true),
            Agg::Max => self.numeric(f, arg, span, AggKind::Max, true),
        }
    }

    fn date_part(&mut self, f: &Name, b: &Builtin, unit: DateUnit, args: &[Expr], span: Span) -> Option<T> {
        let (arg, named) = match args {
            [arg] => (arg, None),
            [arg, cal] => (arg, Some(cal)),
            _ => {
                self.wrong_arguments(f, args.len(), span, format!("write `{}`", b.example));
                return None;
            }
        };
        let t = self.value(arg, None);
        // The calendar (or zone) named, resolved now so that evaluation holds only an index.
        let zone = match named {
            None => Ok(None),
            Some(cal) => self.calendar_argument(f, unit, cal).map(Some).ok_or(()),
        };
        let t = t?;
        let accepts = b.params.first().map_or(Accepts::Day, |p| p.accepts);
        if !accepts.fits(&t.ty) {
            let n = self.ty_name(&t.ty);
            self.err(
                "precept::type::mismatch",
                format!("`{}` needs {}, not {n}", f.text, accepts.want()),
                arg.span,
                format!("this is {n}"),
            )
            .with_help(format!("write `{}`", b.example));
            return None;
        }
        let named = zone.ok()?;
        let (unit, zone) = match unit {
            DateUnit::BusinessDay(_) => {
                let cal = match named {
                    Some(c) => c,
                    None => self.need_calendar(span)?,
                };
                (DateUnit::BusinessDay(cal), Some(cal))
            }
            u => (u, named.or_else(|| self.calendar())),
        };
        Some(T::new(CExpr::DatePart(unit, zone, Box::new(t.e)), Ty::Date))
    }

    /// The second argument of a date function: a calendar's name, or (but for `business_day`,
    /// which needs working days) an IANA zone written as text.
    fn calendar_argument(&mut self, f: &Name, unit: DateUnit, cal: &Expr) -> Option<usize> {
        match &cal.kind {
            ExprKind::Path(names) if names.len() == 1 => names.first().and_then(|n| self.named_calendar(n)),
            ExprKind::Text(zone) if !matches!(unit, DateUnit::BusinessDay(_)) => self.zone_named(zone, cal.span),
            ExprKind::Text(_) => {
                self.err(
                    "precept::type::mismatch",
                    "`business_day` counts in a calendar, not in a time zone",
                    cal.span,
                    "a time zone has no working days",
                )
                .with_help("name a declared calendar: `business_day(record.opened_at, nsw)`");
                None
            }
            _ => {
                self.err(
                    "precept::type::mismatch",
                    format!("the second argument of `{}` names the calendar to take the day in", f.text),
                    cal.span,
                    "not a calendar",
                )
                .with_help(format!(
                    "write a calendar's name (`{0}(record.opened_at, nsw)`) or an IANA zone (`{0}(record.opened_at, \"Australia/Sydney\")`)",
                    f.text
                ));
                None
            }
        }
    }

    fn percentile_rank(&mut self, p: Option<&Expr>) -> Option<Decimal> {
        let p = p?;
        let rank = match &p.kind {
            ExprKind::Integer(n) => Some(Decimal::from(*n)),
            // Exactly, or not at all: `from_str` would round a rank of more than 28 places
            // (`50.000000000000000000000000000001` to 50), and the rank would be another's.
            // Zeros past the last digit change nothing.
            ExprKind::Decimal(s) => {
                let exact = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s };
                Decimal::from_str_exact(exact).ok()
            }
            _ => None,
        };
        match rank {
            Some(r) if r > Decimal::ZERO && r <= Decimal::ONE_HUNDRED => Some(r),
            _ => {
                self.err(
                    "precept::type::mismatch",
                    "a percentile's rank is a number above 0 and at most 100, of at most 28 decimal places",
                    p.span,
                    "not a rank",
                )
                .with_help("write e.g. `percentile(record.first_response_at - record.opened_at, 95)`");
                None
            }
        }
    }

    /// `sum`, `avg` and `percentile` of numbers, money or durations; `min` and `max` of those or of
    /// dates and datetimes. Missing values are left out.
    fn numeric(
        &mut self,
        f: &Name,
        arg: Option<&Expr>,
        span: Span,
        make: impl Fn(Kind) -> AggKind,
        ordered: bool,
    ) -> Option<T> {
        let name = f.text.clone();
        // A value aggregate leaves out records where its argument has no value, so an optional field
        // (or arithmetic on one) needs no default there.
        self.aggregate(arg, span, true, |tc, t| {
            let k = match &t.ty {
                Ty::Int => Kind::Int,
                Ty::Dec => Kind::Dec,
                Ty::Money(_) => Kind::Money,
                Ty::Duration => Kind::Duration,
                Ty::Date if ordered => Kind::Date,
                Ty::DateTime if ordered => Kind::DateTime,
                other => {
                    let n = tc.ty_name(other);
                    let what = if ordered { "numbers, money, durations, dates or datetimes" } else { "numbers, money or durations" };
                    let at = arg.map_or(span, |a| a.span);
                    tc.err("precept::type::mismatch", format!("`{name}` takes {what}, not {n}"), at, format!("this is {n}"))
                        .with_help("aggregate a field such as `record.claim.amount` or a duration such as `record.resolved_at - record.opened_at`");
                    return None;
                }
            };
            let kind = make(k);
            let ty = match (kind, &t.ty) {
                (AggKind::Avg(_), Ty::Int) => Ty::Dec,
                (_, ty) => ty.clone(),
            };
            // A sum of nothing is zero; the other aggregates have no value when no record had one.
            Some(Made { kind, ty, optional: t.optional && kind != AggKind::Sum(k) })
        })
    }

    /// Check an aggregate's argument in record scope and give it a slot in the group shape (the same
    /// slot for the same aggregate written twice, as in a `require` and its `message`).
    ///
    /// `result` decides, from the checked argument, what is made; `lenient` lets the argument be
    /// missing (value aggregates leave such records out).
    fn aggregate(
        &mut self,
        arg: Option<&Expr>,
        span: Span,
        lenient: bool,
        result: impl FnOnce(&mut Self, &T) -> Option<Made>,
    ) -> Option<T> {
        let text = self.file.slice(span).split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(g) = self.group.as_mut() else {
            let name = text.split('(').next().unwrap_or_default().to_string();
            self.err(
                "precept::type::aggregate-outside-group",
                format!("`{name}` sums up a group of records"),
                span,
                "this rule judges single records",
            )
            .with_help("add `group by <key>` to the rule (e.g. `group by record.team`) to judge groups of records");
            return None;
        };
        if g.case {
            let name = text.split('(').next().unwrap_or_default().to_string();
            self.err(
                "precept::type::aggregate-outside-group",
                format!("`{name}` sums up a group of records, and a rule that follows cases has none"),
                span,
                "not in a case rule",
            )
            .with_help(
                "a case rule's message can show `group.case`, `group.opened`, `group.deadline` and `group.closed`",
            );
            return None;
        }
        if g.inside {
            self.err("precept::type::nested-aggregate", "an aggregate cannot be inside another", span, "nested here")
                .with_help("aggregate each record's own values: `share(record.escalated == true)`, `avg(record.resolved_at - record.opened_at)`");
            return None;
        }
        if let Some(i) = g.aggs.iter().position(|a| a.text == text) {
            if !g.read.contains(&i) {
                g.read.push(i);
            }
            let slot = g.fixed + i;
            let field = self.shapes.get(g.shape).and_then(|s| s.fields.get(slot))?;
            let key = (Root::Record, vec![u16::try_from(slot).ok()?]);
            let mut t = T::new(CExpr::Field(Root::Record, Box::new([u16::try_from(slot).ok()?])), field.ty.clone());
            // Written again after `avg(x) is present and ...`, it is known to have a value.
            t.optional = field.optional && !self.is_proven(&key);
            t.key = Some(key);
            return Some(t);
        }
        g.inside = true;
        let record_present = g.record_present.clone();
        let group_present = std::mem::replace(&mut self.present, record_present);
        let was = std::mem::replace(&mut self.lenient, lenient);
        let let_through = std::mem::replace(&mut self.missing_let_through, false);
        let checked = arg.map(|a| self.check(a, None));
        self.lenient = was;
        // An optional value read on the way (`record.a / record.b`, `b` optional) leaves its
        // record out, as a missing argument does, so the aggregate may have no value.
        let lets_missing_through = std::mem::replace(&mut self.missing_let_through, let_through);
        self.present = group_present;
        let g = self.group.as_mut()?;
        g.inside = false;
        let (arg_e, Made { kind, ty, optional }) = match checked {
            None => (None, result(self, &T::new(CExpr::Const(crate::engine::value::Value::Missing), Ty::Int))?),
            Some(None) => return None,
            Some(Some(t)) => {
                let made = result(self, &t)?;
                (Some(t.e), made)
            }
        };
        let g = self.group.as_mut()?;
        let slot = g.fixed + g.aggs.len();
        if lets_missing_through && !optional && !matches!(kind, AggKind::Sum(_)) && lenient {
            g.may_be_missing.push(slot);
        }
        g.read.push(g.aggs.len());
        g.aggs.push(Aggregate { kind, arg: arg_e, ty: ty.clone(), text: text.clone(), redacted: false });
        let shape = g.shape;
        let file = self.file.clone();
        if let Some(s) = self.shapes.get_mut(shape) {
            s.fields.push(Field {
                name: text,
                ty: ty.clone(),
                optional,
                column: String::new(),
                zone: None,
                used: true,
                spelling: None,
                file,
                span,
            });
        }
        let step = u16::try_from(slot).ok()?;
        let mut t = T::new(CExpr::Field(Root::Record, Box::new([step])), ty);
        t.optional = optional;
        t.key = Some((Root::Record, vec![step]));
        Some(t)
    }

    /// An aggregate's condition: true or false for every record.
    fn need_condition(&mut self, t: &T, e: &Expr, agg: Agg) -> bool {
        let what = builtins::of_aggregate(agg).map_or("", |b| b.name);
        if t.ty != Ty::Bool {
            let n = self.ty_name(&t.ty);
            self.err(
                "precept::type::mismatch",
                format!("`{what}` counts records where a condition holds, not {n}"),
                e.span,
                format!("this is {n}"),
            )
            .with_help(format!("write e.g. `{what}(record.escalated == true)`"));
            return false;
        }
        self.need_value(t, e)
    }
}

/// Compile a rule's `group by`, `minimum` and `expect` clauses, and set `tc` up to check its
/// `require` and `message` against the group; false when something was reported.
pub(super) fn compile(
    tc: &mut TypeCheck<'_>,
    g: &crate::ast::Group,
    range: Option<crate::check::Range>,
) -> (GroupSpec, bool) {
    let mut ok = true;
    let mut keys: Vec<GroupKey> = Vec::new();
    for (name, e) in &g.keys {
        if keys.iter().any(|k| k.name == name.text) || name.text == "period" {
            tc.err("precept::type::duplicate-key", format!("the group key has two parts named `{}`", name.text), name.span, "named again here")
                .with_help("name each part of the key differently with `as` (`period` names the missing period of a presence rule)");
            ok = false;
            continue;
        }
        match tc.group_key(e) {
            Some((expr, ty, period)) => {
                keys.push(GroupKey { name: name.text.clone(), expr, ty, period, redacted: false })
            }
            None => {
                // Reported at the key: `group.<name>` is not reported again at each use.
                tc.silence(super::expr::About::Field("group".into(), name.text.clone()));
                ok = false
            }
        }
    }
    let presence = g.expect.as_ref().and_then(|x| {
        let on = tc.dating(&x.on);
        // Periods are counted in the calendar named (`every business day in nsw`), else the rule's;
        // a record's day is its local day in that calendar's zone.
        let named = match &x.calendar {
            Some(n) => tc.named_calendar(n).map(Some),
            None => Some(None),
        };
        let unit = named.and_then(|named| {
            let zone = named.or_else(|| tc.calendar());
            match x.period {
                Period::Day => Some((DateUnit::Day, zone)),
                Period::BusinessDay => {
                    let cal = match named {
                        Some(c) => c,
                        None => tc.need_calendar(x.span)?,
                    };
                    Some((DateUnit::BusinessDay(cal), Some(cal)))
                }
                Period::Week => Some((DateUnit::Week, zone)),
                Period::Month => Some((DateUnit::Month, zone)),
                Period::Year => Some((DateUnit::Year, zone)),
            }
        });
        match (on, unit) {
            (Some(on), Some((unit, zone))) => {
                let expected = match x.groups.as_ref().map(|e| expected(tc, &keys, e)) {
                    Some(Some(e)) => Some(e),
                    Some(None) => {
                        ok = false;
                        return None;
                    }
                    None => None,
                };
                Some(Presence {
                    unit,
                    zone,
                    on,
                    from: range.and_then(|r| r.0),
                    until: range.and_then(|r| r.1),
                    expected,
                    span: x.span,
                })
            }
            _ => {
                ok = false;
                None
            }
        }
    });
    let file = tc.file.clone();
    let mut fields: Vec<Field> = keys
        .iter()
        .map(|k| Field {
            name: k.name.clone(),
            ty: k.ty.clone(),
            optional: false,
            column: String::new(),
            zone: None,
            used: true,
            spelling: None,
            file: file.clone(),
            span: g.span,
        })
        .collect();
    let period_slot = presence.as_ref().map(|p| {
        let ty = Ty::Date;
        fields.push(Field {
            name: "period".into(),
            ty,
            optional: true,
            column: String::new(),
            zone: None,
            used: true,
            spelling: None,
            file: file.clone(),
            span: p.span,
        });
        fields.len() - 1
    });
    let mut periods: Vec<(u16, DateUnit)> =
        keys.iter().enumerate().filter_map(|(i, k)| Some((u16::try_from(i).ok()?, k.period?))).collect();
    if let (Some(slot), Some(p)) = (period_slot, &presence) {
        if let (Ok(s), DateUnit::Week | DateUnit::Month | DateUnit::Year) = (u16::try_from(slot), p.unit) {
            periods.push((s, p.unit));
        }
    }
    let fixed = fields.len();
    tc.shapes.push(Shape { fields });
    let shape = tc.shapes.len() - 1;
    tc.enter_group(shape, fixed, periods);
    let spec = GroupSpec {
        keys,
        aggs: Vec::new(),
        require_aggs: Vec::new(),
        minimum: g.minimum.map(|m| m.0),
        presence,
        period_slot,
        shape,
        sequence: None,
        span: g.span,
    };
    (spec, ok)
}

/// `for each team in "a", "b"` / `for each team in roles`: the part of the key named, which must
/// be text (teams are named by text), and the groups listed, each once. Expecting the teams of the
/// role files makes the rule one that needs them (`--roles`), like a question about roles.
fn expected(tc: &mut TypeCheck<'_>, keys: &[GroupKey], e: &crate::ast::ExpectedGroups) -> Option<Expected> {
    let Some(part) = keys.iter().position(|k| k.name == e.key.text) else {
        let names: Vec<String> = keys.iter().map(|k| format!("`{}`", k.name)).collect();
        let near = crate::diagnostics::suggest::closest(&e.key.text, keys.iter().map(|k| k.name.as_str()));
        let help = match near {
            Some(n) => format!("did you mean `{n}`? The parts of the group key are {}", names.join(", ")),
            None => format!(
                "the parts of the group key are {}; name one with `as` in `group by` to refer to it",
                names.join(", ")
            ),
        };
        tc.err(
            "precept::type::unknown-group-key",
            format!("the group key has no part named `{}`", e.key.text),
            e.key.span,
            "not a part of the key",
        )
        .with_help(help);
        return None;
    };
    let ty = keys.get(part).map(|k| k.ty.clone())?;
    if ty != Ty::Text {
        let n = tc.ty_name(&ty);
        tc.err(
            "precept::type::mismatch",
            format!("expected groups are named by text, but the key part `{}` is {n}", e.key.text),
            e.key.span,
            format!("this part is {n}"),
        )
        .with_help("name a part of the key that is text, such as `record.team`");
        return None;
    }
    let from = match &e.from {
        crate::ast::ExpectedFrom::Roles(_) => {
            tc.uses_roles = true;
            ExpectedFrom::Roles
        }
        crate::ast::ExpectedFrom::Listed(names) => {
            let mut listed: Vec<String> = Vec::new();
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            for n in names {
                if !seen.insert(n.value.as_str()) {
                    tc.warn(
                        "precept::type::duplicate-expected-group",
                        format!("the group `{}` is expected twice", n.value),
                        n.span,
                        "listed again here",
                        "list each expected group once",
                    );
                    continue;
                }
                listed.push(n.value.clone());
            }
            ExpectedFrom::Listed(listed)
        }
    };
    Some(Expected { part, from })
}

/// How an override's `for each` compares with the inherited presence rule's: `Some((looser,
/// original, override, what))` when it expects fewer groups (looser) or groups that cannot be
/// compared before a run (the teams of the role files against a list, or by another key part).
pub(super) fn expected_change(
    x: &crate::ast::Expect,
    y: &crate::ast::Expect,
) -> Option<(bool, crate::source::Span, crate::source::Span, String)> {
    use crate::ast::ExpectedFrom as F;
    let (a, b) = match (&x.groups, &y.groups) {
        (None, _) => return None,
        (Some(a), None) => {
            return Some((true, a.span, y.span, "it no longer expects the groups `for each` names".into()));
        }
        (Some(a), Some(b)) => (a, b),
    };
    if a.key.text != b.key.text {
        return Some((false, a.key.span, b.key.span, "it expects groups by another part of the key".into()));
    }
    match (&a.from, &b.from) {
        (F::Roles(_), F::Roles(_)) => None,
        (F::Listed(xs), F::Listed(ys)) => {
            let kept: std::collections::HashSet<&str> = ys.iter().map(|m| m.value.as_str()).collect();
            let dropped: Vec<String> =
                xs.iter().filter(|n| !kept.contains(n.value.as_str())).map(|n| format!("`{}`", n.value)).collect();
            (!dropped.is_empty())
                .then(|| (true, a.span, b.span, format!("it no longer expects {}", dropped.join(", "))))
        }
        _ => Some((
            false,
            a.span,
            b.span,
            "which teams the role files name cannot be compared with a list before a run".into(),
        )),
    }
}

/// One event clause, checked over its records' schema: `when` a condition, `at` a date or datetime,
/// and, for another schema's records, `case` the key they belong to (with its type).
pub(super) fn event(tc: &mut TypeCheck<'_>, e: &crate::ast::Event, foreign: bool) -> Option<CheckedEvent> {
    let mark = tc.present.len();
    let when = match &e.when {
        Some(w) => Some(tc.condition(w, "an event's `when` condition")?),
        None => None,
    };
    let at = tc.dating(&e.at);
    let key = match (&e.key, foreign) {
        (Some(k), true) => tc.group_key(k).map(|(c, ty, _)| Some((c, ty))),
        (None, false) => Some(None),
        (None, true) => {
            tc.err("precept::parse::missing-clause", "records of another schema must say which case they belong to", e.span, "which case?")
                .with_help("end the clause with `case <key>`, e.g. `closes on resolution at record.sent_at case record.complaint_id`");
            None
        }
        (Some(k), false) => {
            tc.err(
                "precept::parse::missing-clause",
                "the rule's own records belong to the case its `case by` names",
                k.span,
                "not needed here",
            )
            .with_help("remove `case ...` here; it is for events read from another schema (`on <schema>`)");
            None
        }
    };
    tc.present.truncate(mark);
    Some(CheckedEvent { when, at: at?, key: key? })
}

/// An event clause, checked.
pub(super) struct CheckedEvent {
    pub when: Option<CExpr>,
    pub at: CExpr,
    pub key: Option<(CExpr, Ty)>,
}

/// Set up a case rule: its key (`group.case`), the obligation's slots (`group.opened`,
/// `group.deadline`, `group.closed`) and its deadline; `tc` then checks the message against it.
pub(super) fn compile_case(
    tc: &mut TypeCheck<'_>,
    seq: &crate::ast::Sequence,
    key: (CExpr, Ty),
    events: Vec<crate::engine::program::EventSpec>,
    own: usize,
) -> Option<GroupSpec> {
    let (limit, span) = match &seq.within {
        None => (None, None),
        Some((e, span)) => match &e.kind {
            ExprKind::Duration(secs) => (Some(Limit::Elapsed(jiff::SignedDuration::from_secs(*secs))), None),
            ExprKind::BusinessDays(n, named) => {
                (Some(Limit::Business(*n, tc.calendar_for(named.as_ref(), *span)?)), None)
            }
            ExprKind::Months(n) => (Some(Limit::Months(*n)), None),
            _ => (None, Some(due_span(tc, e)?)),
        },
    };
    let until = match &seq.until {
        None => None,
        Some(u) => Some(due_date(tc, u)?),
    };
    let due = (span.is_some() || until.is_some()).then(|| DueSpec { span, until, calendar: tc.calendar() });
    // A deadline from the data is read from the record that opens the case, so that record must be
    // one of the rule's own, whose fields the clause names.
    if due.is_some() {
        if let Some(foreign) =
            seq.events.iter().zip(events.iter()).find(|(_, e)| e.kind == EventKind::Opens && e.schema != own)
        {
            let at = seq.within.as_ref().map(|w| w.1).or(seq.until.as_ref().map(|u| u.span)).unwrap_or(seq.span);
            tc.err(
                "precept::type::deadline-source",
                "this deadline is read from the opening record, but cases are opened by records of another schema",
                at,
                "read from `record`",
            )
            .with_label(foreign.0.span, "opened by another schema's records")
            .with_help("open the rule's cases with its own records (`opens when ... at record.at`), or write the deadline as a literal");
            return None;
        }
    }
    let version = match &seq.version {
        None => VersionDate::FirstEvent,
        Some((VersionBy::Receipt, _)) => VersionDate::Receipt,
        Some((VersionBy::Field(e), _)) => VersionDate::Field(date_of(tc, e, "`version by` picks a version by a date")?),
    };
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    if let Some(at) = seq.any_order {
        any_order_fits(tc, seq, &kinds, at)?;
    }
    for (need, example) in [
        (EventKind::Opens, "opens when record.status == received at record.at"),
        (EventKind::Closes, "closes when record.status == answered at record.at"),
    ] {
        if !kinds.contains(&need) {
            tc.err(
                "precept::parse::missing-clause",
                format!("a rule that follows cases needs a `{}` clause", need.as_str()),
                seq.span,
                format!("no `{}`", need.as_str()),
            )
            .with_help(format!(
                "say which records {} each case's obligation, e.g. `{example}`",
                if need == EventKind::Opens { "open" } else { "close" }
            ));
            return None;
        }
    }
    let file = tc.file.clone();
    let field = |name: &str, ty: Ty, optional: bool| Field {
        name: name.into(),
        ty,
        optional,
        column: String::new(),
        zone: None,
        used: true,
        spelling: None,
        file: file.clone(),
        span: seq.span,
    };
    let fields = vec![
        field("case", key.1.clone(), false),
        field("opened", Ty::DateTime, false),
        field("deadline", Ty::DateTime, true),
        field("closed", Ty::DateTime, true),
    ];
    let fixed = fields.len();
    tc.shapes.push(Shape { fields });
    let shape = tc.shapes.len() - 1;
    tc.enter_group(shape, fixed, Vec::new());
    if let Some(g) = tc.group.as_mut() {
        g.case = true;
    }
    Some(GroupSpec {
        keys: vec![GroupKey { name: "case".into(), expr: key.0, ty: key.1, period: None, redacted: false }],
        aggs: Vec::new(),
        require_aggs: Vec::new(),
        minimum: None,
        presence: None,
        period_slot: None,
        shape,
        sequence: Some(SequenceSpec {
            events,
            limit,
            due,
            version,
            opened_slot: 1,
            opening: Default::default(),
            any_order: seq.any_order.is_some(),
        }),
        // Findings are labelled at the deadline when there is one.
        span: seq.within.as_ref().map_or(seq.span, |w| w.1),
    })
}

/// `in any order` matches each opening with a closing on either side of it, within a span: there
/// is no clock to stop (`pauses`, `resumes`) and no date to meet (`by`, `until`), since a closing
/// before the opening would meet any date after it.
fn any_order_fits(tc: &mut TypeCheck<'_>, seq: &crate::ast::Sequence, kinds: &[EventKind], at: Span) -> Option<()> {
    let clock = seq.events.iter().zip(kinds).find(|(_, k)| matches!(k, EventKind::Pauses | EventKind::Resumes));
    let (span, what) = match (clock, &seq.until) {
        (Some((e, k)), _) => (e.span, format!("`{}`", k.as_str())),
        (None, Some(u)) => (u.span, if u.alone { "`by`".to_string() } else { "`until`".to_string() }),
        (None, None) => return Some(()),
    };
    tc.err(
        "precept::parse::conflicting-clauses",
        format!("a rule that matches in any order cannot have {what}"),
        span,
        "not with `in any order`",
    )
    .with_label(at, "matches in any order")
    .with_help("`in any order` pairs each opening with a closing before or after it, within a span (`within 2 business days`); remove this clause, or `in any order` to follow the obligation's clock")
    ;
    None
}

/// `within <expr>` that is not a literal: a span read from the opening record, by its type (a
/// number of business days, a duration, or calendar months).
fn due_span(tc: &mut TypeCheck<'_>, e: &Expr) -> Option<(DueUnit, CExpr)> {
    if crate::check::expr::month_like(e) {
        let t = tc.months_count(e)?;
        return tc.need_value(&t, e).then_some((DueUnit::Months, t.e));
    }
    let t = tc.value(e, None)?;
    match t.ty {
        Ty::BusinessDays => Some((DueUnit::Business(tc.calendar_of_count(e)?), t.e)),
        Ty::Duration => Some((DueUnit::Elapsed, t.e)),
        other => {
            let n = tc.ty_name(&other);
            let help = if other == Ty::Int {
                "say what the number counts: `within record.agreed_days business days`, `within record.n days`, `within record.n months`"
            } else {
                "`within` takes a duration, a number of business days or calendar months; a date or datetime deadline is written `by record.due_at` (or `within ... until record.extended_to`)"
            };
            tc.err(
                "precept::type::mismatch",
                format!("`within` needs a span of time, not {n}"),
                e.span,
                format!("this is {n}"),
            )
            .with_help(help);
            None
        }
    }
}

/// `until <expr>` or `by <expr>`: a date or datetime of the opening record. After `within` it may
/// be missing (no extension); alone it is the deadline, so a missing value must be handled.
fn due_date(tc: &mut TypeCheck<'_>, u: &crate::ast::Until) -> Option<CExpr> {
    if u.alone {
        return date_of(tc, &u.at, "a deadline is a date or datetime");
    }
    let t = tc.check(&u.at, None)?;
    if !matches!(t.ty, Ty::Date | Ty::DateTime) {
        let n = tc.ty_name(&t.ty);
        tc.err(
            "precept::type::mismatch",
            format!("`until` needs a date or datetime, not {n}"),
            u.at.span,
            format!("this is {n}"),
        )
        .with_help("write `within 8 weeks until record.extended_to`, naming a date or datetime field");
        return None;
    }
    Some(t.e)
}

/// A date or datetime that is never missing (a missing one must be given a default).
fn date_of(tc: &mut TypeCheck<'_>, e: &Expr, what: &str) -> Option<CExpr> {
    let t = tc.value(e, None)?;
    if !matches!(t.ty, Ty::Date | Ty::DateTime) {
        let n = tc.ty_name(&t.ty);
        tc.err("precept::type::mismatch", format!("{what}, not {n}"), e.span, format!("this is {n}"))
            .with_help("name a date or datetime field of the rule's records, e.g. `record.received_at`");
        return None;
    }
    Some(t.e)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

    use crate::check::strictness::{compare, Verdict};
    use crate::source::SourceFile;

    /// An override `over` of the presence rule `orig`, both `for x group by record.t expect every
    /// day of record.at` followed by the text given.
    fn verdict(orig: &str, over: &str) -> Verdict {
        let rule = |tail: &str| format!("for x group by record.t expect every day of record.at{tail}");
        let text = format!("code \"a\" {{ level industry rule r {{ {} }} rule s {{ {} }} }}", rule(orig), rule(over));
        let src = SourceFile::new("t.precept", text);
        let (tree, diags) = crate::syntax::parse(&src);
        assert!(diags.is_empty(), "{diags:?}");
        let rules: Vec<crate::ast::Rule> = tree.unwrap().codes.into_iter().flat_map(|c| c.rules).collect();
        compare(&rules[0], &rules[1])
    }

    #[test]
    fn an_override_expecting_fewer_groups_is_looser_and_more_is_stricter() {
        let both = r#" for each t in "A", "B""#;
        let v = verdict(both, both);
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        let v = verdict(both, r#" for each t in "B", "C", "A""#);
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        let v = verdict(both, r#" for each t in "B""#);
        assert_eq!(v.looser.len(), 1, "{v:?}");
        assert_eq!(v.looser[0].what, "it no longer expects `A`");
        let v = verdict(both, "");
        assert_eq!(v.looser.len(), 1, "{v:?}");
        assert!(verdict("", both).looser.is_empty());
        let v = verdict(both, " for each t in roles");
        assert!(v.looser.is_empty() && v.undecided.len() == 1, "{v:?}");
        let v = verdict(" for each t in roles", " for each t in roles");
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
    }
}
