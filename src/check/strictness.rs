//! Is an override at least as strict as the inherited rule it replaces?
//!
//! The two rules are walked side by side. Where they differ, the difference is judged by its
//! *polarity*: whether making the value there larger (or the condition there true more often) lets
//! more records pass. A bound on the right of `<=` has positive polarity, so lowering it is
//! stricter; a `where` condition has negative polarity, so widening it (judging more records) is
//! stricter. Literal changes under a known polarity are decided; anything else Precept cannot
//! decide, and says so rather than guess.
//!
//! Polarity stays sound under three-valued logic (see `engine::eval`): `not`, `and`, `or`,
//! `implies` and the quantifiers are monotone in false < unknown < true, an unknown
//! never lets a record pass, and `otherwise` supplies its default for a missing value only, so its
//! default is judged by polarity like any bound and never for a computation with no answer.
//!
//! How a built-in function's result moves with each argument is the registry's to say
//! ([`crate::engine::builtins::polarity`]), so no function is named here.
//!
//! The file is about 600 lines only with its tests (some 110 of them): the walk is one job, and its
//! cases read best beside each other.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ast::{BinaryOp, Event, EventKind, Expr, ExprKind, Quantifier, Rule, Severity, UnaryOp, VersionBy};
use crate::engine::builtins;
use crate::source::Span;

/// A place where the override is more lenient, or could not be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// In the inherited rule.
    pub original: Span,
    /// In the override.
    pub override_: Span,
    /// What changed, for people; empty when the change is just one value for another, which is
    /// best shown as written (`48h` instead of `24h`).
    pub what: String,
}

/// The comparison of an override with the rule it overrides.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Places where the override lets more records (or groups) pass.
    pub looser: Vec<Difference>,
    /// Places Precept cannot judge.
    pub undecided: Vec<Difference>,
}

/// The calendars two rules count in, for telling whether what counts in a calendar (business days,
/// a local day) counts in the same one on both sides: calendars by name, and each one's zone.
#[derive(Debug, Default)]
pub struct Calendars {
    /// The calendar the inherited rule counts in by default (its own, else its code's).
    pub orig: Option<String>,
    /// The calendar the override counts in by default.
    pub over: Option<String>,
    /// Each declared calendar's IANA zone, by calendar name: a local day depends on the zone alone.
    pub zones: std::collections::HashMap<String, String>,
}

impl Calendars {
    /// The calendar business days are counted in on one side: the one named, else the rule's.
    fn business(&self, named: Option<&crate::ast::Name>, orig: bool) -> Option<String> {
        named.map(|n| n.text.clone()).or_else(|| if orig { self.orig.clone() } else { self.over.clone() })
    }

    /// The zone a local day is taken in on one side: of the calendar named, the zone written, else
    /// of the rule's calendar (`None`: at the offset written). A calendar whose zone is unknown
    /// here stands for itself.
    fn zone(&self, named: Option<&Expr>, orig: bool) -> Option<String> {
        let of = |cal: &str| Some(self.zones.get(cal).cloned().unwrap_or_else(|| format!("calendar {cal}")));
        match named.map(|e| &e.kind) {
            Some(ExprKind::Text(z)) => Some(z.clone()),
            Some(ExprKind::Path(names)) => of(&names.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join(".")),
            Some(_) => Some(String::new()),
            None => self.business(None, orig).and_then(|c| of(&c)),
        }
    }
}

/// Compare `over` with the inherited `orig`, both counting in no calendar or one of the same name.
pub fn compare(orig: &Rule, over: &Rule) -> Verdict {
    compare_in(&Calendars::default(), orig, over)
}

/// Compare `over` with the inherited `orig`, each counting in its calendar in `c`: what counts in
/// another calendar (business days, a local day in another zone) is another computation, which
/// Precept cannot judge stricter.
pub fn compare_in(c: &Calendars, orig: &Rule, over: &Rule) -> Verdict {
    let mut v = Verdict::default();
    // Every day the rules take (the `dated by` day that picks a version, a case's day, a deadline
    // counted from a date, the end of a date from the data) is a local day in the rule's calendar's
    // zone: in another zone it is another day, whatever the expressions say.
    let (za, zb) = (c.zone(None, true), c.zone(None, false));
    if za != zb {
        let name = |z: Option<String>| z.unwrap_or_else(|| "the offsets written".into());
        v.undecided.push(Difference {
            original: orig.id.span,
            override_: over.id.span,
            what: format!("it takes its days in {} instead of {}", name(zb), name(za)),
        });
    }
    // A rule that does not say is an error.
    let (a, sa) = orig.severity.unwrap_or((Severity::Error, orig.id.span));
    let (b, sb) = over.severity.unwrap_or((Severity::Error, over.id.span));
    // Error < warning < info: a later severity is milder.
    if b > a {
        v.looser.push(Difference {
            original: sa,
            override_: sb,
            what: format!("severity {} instead of {}", b.as_str(), a.as_str()),
        });
    }
    if let (Some(a), Some(b)) = (&orig.scope, &over.scope) {
        if a.schema.text != b.schema.text {
            v.undecided.push(Difference {
                original: a.schema.span,
                override_: b.schema.span,
                what: "it checks records of another schema".into(),
            });
        }
        // For a rule over single records, judging more records is stricter. For groups and cases a
        // `where` changes what is counted (a share's denominator, what counts as a briefing, which
        // records open a case), which can go either way.
        let single = orig.group.is_none() && orig.sequence.is_none();
        match (&a.filter, &b.filter) {
            (Some(x), Some(y)) => walk(c, &mut v, x, y, if single { -1 } else { 0 }),
            (Some(x), None) if !single => v.undecided.push(Difference {
                original: x.span,
                override_: b.span,
                what: "it counts records the inherited rule leaves out".into(),
            }),
            // Dropping the `where` of a rule over single records judges every record.
            (Some(_), None) => {}
            (None, Some(y)) => {
                let d = Difference {
                    original: a.span,
                    override_: y.span,
                    what: "it judges only some of the records the inherited rule judges".into(),
                };
                if single {
                    v.looser.push(d);
                } else {
                    v.undecided.push(d);
                }
            }
            (None, None) => {}
        }
    }
    sequence(c, &mut v, orig, over);
    match (&orig.group, &over.group) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            let same_keys =
                a.keys.len() == b.keys.len() && a.keys.iter().zip(b.keys.iter()).all(|((_, x), (_, y))| same(c, x, y));
            if !same_keys {
                v.undecided.push(Difference {
                    original: a.span,
                    override_: b.span,
                    what: "it groups records differently".into(),
                });
            }
            match (a.minimum, b.minimum) {
                (Some((m, sm)), Some((n, sn))) if n > m => v.looser.push(Difference {
                    original: sm,
                    override_: sn,
                    what: format!("it leaves groups of fewer than {n} records unjudged, not fewer than {m}"),
                }),
                (None, Some((n, sn))) => v.looser.push(Difference {
                    original: a.span,
                    override_: sn,
                    what: format!("it leaves groups of fewer than {n} records unjudged"),
                }),
                _ => {}
            }
            match (&a.expect, &b.expect) {
                (Some(x), Some(y))
                    if x.period != y.period
                        || !same(c, &x.on, &y.on)
                        || !same_periods(c, x, y)
                        || x.from.as_ref().map(|d| &d.0) != y.from.as_ref().map(|d| &d.0)
                        || x.until.as_ref().map(|d| &d.0) != y.until.as_ref().map(|d| &d.0) =>
                {
                    v.undecided.push(Difference {
                        original: x.span,
                        override_: y.span,
                        what: "it expects records in other periods".into(),
                    })
                }
                (Some(x), None) => v.looser.push(Difference {
                    original: x.span,
                    override_: b.span,
                    what: "it no longer expects a record in every period".into(),
                }),
                _ => {}
            }
            // The groups a presence rule names (`for each team in ...`).
            if let Some((looser, original, override_, what)) =
                a.expect.as_ref().zip(b.expect.as_ref()).and_then(|(x, y)| super::group::expected_change(x, y))
            {
                let d = Difference { original, override_, what };
                if looser {
                    v.looser.push(d)
                } else {
                    v.undecided.push(d)
                }
            }
        }
        (Some(a), None) => v.undecided.push(Difference {
            original: a.span,
            override_: over.id.span,
            what: "it no longer judges groups".into(),
        }),
        (None, Some(b)) => v.undecided.push(Difference {
            original: orig.id.span,
            override_: b.span,
            what: "it judges groups instead of records".into(),
        }),
    }
    // Each inherited requirement must be kept by some requirement of the override, at least as
    // strictly; extra requirements only add strictness.
    for r in &orig.requires {
        let mut best: Option<Verdict> = None;
        for s in &over.requires {
            let mut t = Verdict::default();
            walk(c, &mut t, r, s, 1);
            let better = match &best {
                None => true,
                Some(b) => rank(&t) < rank(b),
            };
            if better {
                best = Some(t);
            }
        }
        let fewer = over.requires.len() < orig.requires.len();
        match best {
            Some(t) if !(fewer && rank(&t) != (0, 0)) => {
                v.looser.extend(t.looser);
                v.undecided.extend(t.undecided);
            }
            _ => v.looser.push(Difference {
                original: r.span,
                override_: over.id.span,
                what: "it drops this requirement".into(),
            }),
        }
    }
    v
}

/// Case rules: a shorter `within` is stricter; each event clause is compared with the inherited
/// one of its kind. Opening more obligations or resuming their clocks more often is stricter;
/// closing or pausing them more readily is more lenient, as is a pause the inherited rule did not
/// allow.
fn sequence(c: &Calendars, v: &mut Verdict, orig: &Rule, over: &Rule) {
    let (Some(a), Some(b)) = (&orig.sequence, &over.sequence) else {
        if let (Some(a), None) = (&orig.sequence, &over.sequence) {
            v.undecided.push(Difference {
                original: a.span,
                override_: over.id.span,
                what: "it no longer follows cases".into(),
            });
        }
        if let (None, Some(b)) = (&orig.sequence, &over.sequence) {
            v.undecided.push(Difference {
                original: orig.id.span,
                override_: b.span,
                what: "it follows cases instead".into(),
            });
        }
        return;
    };
    walk(c, v, &a.key, &b.key, 0);
    // With a fixed deadline, every opening the inherited rule judges in time is matched in any
    // order too (by the same closing), and a closing before an opening counts as well: only ever
    // more lenient. With a deadline read from each opening record, it is not: in order, a second
    // opening while a case is open is not judged, in any order it is, by its own (perhaps
    // shorter) deadline; so adding or dropping it either way cannot be judged.
    let fixed = a.within.as_ref().is_none_or(|(x, _)| literal(x).is_some())
        && b.within.as_ref().is_none_or(|(y, _)| literal(y).is_some());
    match (a.any_order, b.any_order) {
        (None, Some(at)) if fixed => v.looser.push(Difference {
            original: a.span,
            override_: at,
            what: "it also accepts a closing before the opening (`in any order`)".into(),
        }),
        (None, Some(at)) => v.undecided.push(Difference {
            original: a.span,
            override_: at,
            what: "it matches in any order, and its deadline is read from the data".into(),
        }),
        (Some(at), None) if !fixed => v.undecided.push(Difference {
            original: at,
            override_: b.span,
            what: "it no longer matches in any order, and its deadline is read from the data".into(),
        }),
        _ => {}
    }
    match (&a.within, &b.within) {
        // A span read from the data is judged like any expression: the same field is the same
        // deadline, and anything else against a literal cannot be judged.
        (Some((x, _)), Some((y, _))) => walk(c, v, x, y, 1),
        (Some((_, sx)), None) if b.until.is_some() => v.undecided.push(Difference {
            original: *sx,
            override_: b.until.as_ref().map_or(b.span, |u| u.span),
            what: "its deadline is a date from the data".into(),
        }),
        (Some((_, sx)), None) => {
            v.looser.push(Difference { original: *sx, override_: b.span, what: "it drops the deadline".into() })
        }
        // A deadline where there was none only adds to what is required.
        _ => {}
    }
    // `until` only ever moves a deadline later; `by` alone is the deadline.
    match (&a.until, &b.until) {
        (Some(x), Some(y)) if x.alone == y.alone => walk(c, v, &x.at, &y.at, 1),
        (Some(x), Some(y)) => v.undecided.push(Difference {
            original: x.span,
            override_: y.span,
            what: "it reads its deadline from the data differently".into(),
        }),
        (None, Some(y)) if !y.alone && a.within.is_some() => v.looser.push(Difference {
            original: a.within.as_ref().map_or(a.span, |w| w.1),
            override_: y.span,
            what: "it extends the deadline to a date from the data".into(),
        }),
        (Some(x), None) if x.alone && b.within.is_none() => {
            v.looser.push(Difference { original: x.span, override_: b.span, what: "it drops the deadline".into() })
        }
        // A date from the data replaced by a span: which comes first depends on the data.
        (Some(x), None) if x.alone => v.undecided.push(Difference {
            original: x.span,
            override_: b.within.as_ref().map_or(b.span, |w| w.1),
            what: "it replaces a deadline from the data with a span".into(),
        }),
        _ => {}
    }
    let same_version = match (&a.version, &b.version) {
        (None, None) | (Some((VersionBy::Receipt, _)), Some((VersionBy::Receipt, _))) => true,
        (Some((VersionBy::Field(x), _)), Some((VersionBy::Field(y), _))) => same(c, x, y),
        _ => false,
    };
    if !same_version {
        v.undecided.push(Difference {
            original: a.version.as_ref().map_or(a.span, |x| x.1),
            override_: b.version.as_ref().map_or(b.span, |x| x.1),
            what: "it picks the version judging a case by another date".into(),
        });
    }
    for kind in [EventKind::Opens, EventKind::Pauses, EventKind::Resumes, EventKind::Closes] {
        let xs: Vec<&Event> = a.events.iter().filter(|e| e.kind == kind).collect();
        let ys: Vec<&Event> = b.events.iter().filter(|e| e.kind == kind).collect();
        // Polarity of "this event happens more often".
        let pol: i8 = match kind {
            EventKind::Opens | EventKind::Resumes => -1,
            EventKind::Pauses | EventKind::Closes => 1,
        };
        if xs.len() != ys.len() {
            let (original, override_) = (xs.first().map_or(a.span, |e| e.span), ys.first().map_or(b.span, |e| e.span));
            let what = format!("it has other `{}` clauses", kind.as_str());
            match (xs.is_empty(), pol > 0) {
                // A pause (or another way to close) the inherited rule did not allow.
                (true, true) => v.looser.push(Difference { original, override_, what }),
                _ => v.undecided.push(Difference { original, override_, what }),
            }
            continue;
        }
        for (x, y) in xs.iter().zip(ys.iter()) {
            if x.schema.as_ref().map(|n| &n.text) != y.schema.as_ref().map(|n| &n.text) {
                v.undecided.push(Difference {
                    original: x.span,
                    override_: y.span,
                    what: "it reads events of another schema".into(),
                });
                continue;
            }
            walk(c, v, &x.at, &y.at, 0);
            match (&x.key, &y.key) {
                (Some(p), Some(q)) => walk(c, v, p, q, 0),
                (None, None) => {}
                _ => v.undecided.push(Difference {
                    original: x.span,
                    override_: y.span,
                    what: "it matches cases differently".into(),
                }),
            }
            match (&x.when, &y.when) {
                (Some(p), Some(q)) => walk(c, v, p, q, pol),
                (None, None) => {}
                (Some(p), None) => {
                    let d = Difference {
                        original: p.span,
                        override_: y.span,
                        what: format!("its `{}` counts every record", kind.as_str()),
                    };
                    if pol > 0 {
                        v.looser.push(d)
                    } else {
                        v.undecided.push(d)
                    }
                }
                (None, Some(q)) => {
                    let d = Difference {
                        original: x.span,
                        override_: q.span,
                        what: format!("its `{}` counts only some records", kind.as_str()),
                    };
                    if pol < 0 {
                        v.looser.push(d)
                    } else {
                        v.undecided.push(d)
                    }
                }
            }
        }
    }
}

/// Whether two presence rules count their periods in the same calendar (business days) or zone.
fn same_periods(c: &Calendars, x: &crate::ast::Expect, y: &crate::ast::Expect) -> bool {
    if x.period == crate::ast::Period::BusinessDay {
        return c.business(x.calendar.as_ref(), true) == c.business(y.calendar.as_ref(), false);
    }
    let named = |e: &crate::ast::Expect| {
        e.calendar.as_ref().map(|n| Expr { kind: ExprKind::Path(vec![n.clone()]), span: n.span })
    };
    c.zone(named(x).as_ref(), true) == c.zone(named(y).as_ref(), false)
}

fn rank(v: &Verdict) -> (usize, usize) {
    (v.looser.len(), v.undecided.len())
}

/// Structurally equal, ignoring where things were written.
fn same(c: &Calendars, a: &Expr, b: &Expr) -> bool {
    let mut v = Verdict::default();
    walk(c, &mut v, a, b, 0);
    v.looser.is_empty() && v.undecided.is_empty()
}

/// Compare `a` (inherited) with `b` (override) at a position of polarity `pol`: +1 when a larger
/// value or a condition true more often lets more pass, -1 the reverse, 0 when any change counts.
fn walk(c: &Calendars, v: &mut Verdict, a: &Expr, b: &Expr, pol: i8) {
    use ExprKind as K;
    let undecided = |v: &mut Verdict, what: &str| {
        v.undecided.push(Difference { original: a.span, override_: b.span, what: what.to_string() });
    };
    match (&a.kind, &b.kind) {
        (K::Path(x), K::Path(y)) => {
            if x.len() != y.len() || x.iter().zip(y.iter()).any(|(p, q)| p.text != q.text) {
                undecided(v, "it reads another field");
            }
        }
        (K::Set(x), K::Set(y)) => set(c, v, a, b, x, y, pol),
        (K::Unary(op, x), K::Unary(op2, y)) if op == op2 => {
            let inner = match op {
                UnaryOp::Not | UnaryOp::Neg => -pol,
            };
            walk(c, v, x, y, inner);
        }
        (K::Binary(op, x1, y1), K::Binary(op2, x2, y2)) if op == op2 => {
            let (l, r) = sides(*op, pol);
            walk(c, v, x1, x2, l);
            walk(c, v, y1, y2, r);
        }
        // `x` against `x + d` (or `x - d`): the same as a bound of zero against `d`.
        (_, K::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), x2, d)) if same(c, a, x2) && literal(d).is_some() => {
            let sign = if *op == BinaryOp::Add { pol } else { -pol };
            if sign != 0 && literal(d).is_some_and(|n| n.value != Decimal::ZERO) {
                let larger = literal(d).is_some_and(|n| n.value > Decimal::ZERO);
                if larger == (sign > 0) {
                    v.looser.push(Difference {
                        original: a.span,
                        override_: b.span,
                        what: format!("it allows `{}` more", d_text(d)),
                    });
                }
            } else if sign == 0 {
                undecided(v, "it changes a value whose direction Precept cannot judge");
            }
        }
        // A conjunction is at least as strict as either side.
        (_, K::Binary(BinaryOp::And, x, y)) if pol > 0 => {
            let mut vx = Verdict::default();
            walk(c, &mut vx, a, x, pol);
            let mut vy = Verdict::default();
            walk(c, &mut vy, a, y, pol);
            let best = if rank(&vx) <= rank(&vy) { vx } else { vy };
            v.looser.extend(best.looser);
            v.undecided.extend(best.undecided);
        }
        (K::Presence(x, p), K::Presence(y, q)) if p == q => walk(c, v, x, y, 0),
        (K::Otherwise(x1, d1), K::Otherwise(x2, d2)) => {
            walk(c, v, x1, x2, 0);
            walk(c, v, d1, d2, pol);
        }
        (K::If(c1, t1, e1), K::If(c2, t2, e2)) => {
            walk(c, v, c1, c2, 0);
            walk(c, v, t1, t2, pol);
            walk(c, v, e1, e2, pol);
        }
        (K::Quantifier(q1, n1, l1, c1), K::Quantifier(q2, n2, l2, c2)) if q1 == q2 && n1.text == n2.text => {
            walk(c, v, l1, l2, 0);
            walk(c, v, c1, c2, if *q1 == Quantifier::None { -pol } else { pol });
        }
        (K::Count(n1, l1, c1), K::Count(n2, l2, c2))
            if n1.as_ref().map(|n| &n.text) == n2.as_ref().map(|n| &n.text) =>
        {
            walk(c, v, l1, l2, 0);
            match (c1, c2) {
                (Some(x), Some(y)) => walk(c, v, x, y, pol),
                (None, None) => {}
                _ => undecided(v, "it counts other things"),
            }
        }
        (K::CountAll, K::CountAll) => {}
        (K::BusinessBetween(x1, y1, n1), K::BusinessBetween(x2, y2, n2)) => {
            if c.business(n1.as_ref(), true) != c.business(n2.as_ref(), false) {
                undecided(v, "it counts business days in another calendar");
                return;
            }
            walk(c, v, x1, x2, -pol);
            walk(c, v, y1, y2, pol);
        }
        // A date function: the same day only in the same zone (or, for `business_day`, the same
        // calendar), whether named in the call or the rule's.
        (K::Call(f, xs), K::Call(g, ys))
            if f.text == g.text
                && builtins::find(&f.text).is_some_and(|b| matches!(b.family, builtins::Family::Period(_))) =>
        {
            let business = f.text == "business_day";
            let same_calendar = if business {
                let name = |xs: &[Expr]| match xs.get(1).map(|e| &e.kind) {
                    Some(ExprKind::Path(n)) => n.first().cloned(),
                    _ => None,
                };
                c.business(name(xs).as_ref(), true) == c.business(name(ys).as_ref(), false)
            } else {
                c.zone(xs.get(1), true) == c.zone(ys.get(1), false)
            };
            if !same_calendar {
                undecided(v, "it takes the day in another calendar or zone");
                return;
            }
            match (xs.first(), ys.first()) {
                (Some(x), Some(y)) => walk(c, v, x, y, 0),
                _ => undecided(v, "it is written differently"),
            }
        }
        // A count read from the data, in the same unit (and, for business days, the same
        // calendar): a larger count allows more.
        (K::BusinessDaysOf(x, n1), K::BusinessDaysOf(y, n2)) => {
            if c.business(n1.as_ref(), true) != c.business(n2.as_ref(), false) {
                undecided(v, "it counts business days in another calendar");
                return;
            }
            walk(c, v, x, y, pol);
        }
        (K::MonthsOf(x, p), K::MonthsOf(y, q)) if p == q => walk(c, v, x, y, pol),
        (K::DurationOf(x, p), K::DurationOf(y, q)) if p == q => walk(c, v, x, y, pol),
        (K::Call(f, xs), K::Call(g, ys)) if f.text == g.text && xs.len() == ys.len() => {
            // The registry says how the result moves with each argument: aggregates grow with their
            // argument, the questions about roles are compared exactly.
            for (i, (x, y)) in xs.iter().zip(ys.iter()).enumerate() {
                walk(c, v, x, y, pol * builtins::polarity(&f.text, xs.len(), i));
            }
        }
        (K::BusinessDays(_, n1), K::BusinessDays(_, n2))
            if c.business(n1.as_ref(), true) != c.business(n2.as_ref(), false) =>
        {
            undecided(v, "it counts business days in another calendar");
        }
        _ => match (literal(a), literal(b)) {
            (Some(x), Some(y)) if x.unit == y.unit => {
                if x.value != y.value {
                    if pol == 0 {
                        undecided(v, "it changes a value whose direction Precept cannot judge");
                    } else if (y.value > x.value) == (pol > 0) {
                        v.looser.push(Difference { original: a.span, override_: b.span, what: String::new() });
                    }
                }
            }
            (Some(x), Some(y)) if x.unit != y.unit => undecided(v, "it compares a different kind of value"),
            _ if simple_equal(a, b) => {}
            _ => undecided(v, "it is written differently"),
        },
    }
}

/// Polarity of each side of an infix operator at polarity `pol`.
fn sides(op: BinaryOp, pol: i8) -> (i8, i8) {
    match op {
        BinaryOp::And | BinaryOp::Or | BinaryOp::Add => (pol, pol),
        BinaryOp::Implies => (-pol, pol),
        BinaryOp::Sub => (pol, -pol),
        // `x <= y` holds more often as `y` grows or `x` shrinks.
        BinaryOp::Lt | BinaryOp::Le => (-pol, pol),
        BinaryOp::Gt | BinaryOp::Ge => (pol, -pol),
        // A larger set admits more values.
        BinaryOp::In => (0, pol),
        BinaryOp::NotIn => (0, -pol),
        _ => (0, 0),
    }
}

fn set(c: &Calendars, v: &mut Verdict, a: &Expr, b: &Expr, x: &[Expr], y: &[Expr], pol: i8) {
    let added: Vec<&Expr> = y.iter().filter(|e| !x.iter().any(|o| same(c, o, e))).collect();
    let removed = x.iter().any(|o| !y.iter().any(|e| same(c, o, e)));
    let grows = !added.is_empty();
    let looser = match pol {
        p if p > 0 => grows,
        p if p < 0 => removed,
        _ => grows || removed,
    };
    if pol == 0 && looser {
        v.undecided.push(Difference { original: a.span, override_: b.span, what: "it changes a set".into() });
    } else if looser {
        v.looser.push(Difference {
            original: a.span,
            override_: b.span,
            what: if pol > 0 {
                "it allows more values".into()
            } else {
                "it leaves out values the inherited rule covers".into()
            },
        });
    }
}

/// A number-like literal: its value in a common unit per kind, so like can be compared with like.
struct Lit {
    unit: &'static str,
    value: Decimal,
    text: String,
}

fn literal(e: &Expr) -> Option<Lit> {
    let (unit, value, text) = match &e.kind {
        ExprKind::Integer(n) => ("number", Decimal::from(*n), n.to_string()),
        ExprKind::Decimal(s) => ("number", Decimal::from_str(s).ok()?, s.clone()),
        ExprKind::Percent(s) => ("number", Decimal::from_str(s).ok()? / Decimal::ONE_HUNDRED, format!("{s}%")),
        ExprKind::Money(s, c) => (money_unit(&c.text), Decimal::from_str(s).ok()?, format!("{s} {}", c.text)),
        ExprKind::Duration(secs) => ("duration", Decimal::from(*secs), d_text(e)),
        ExprKind::BusinessDays(n, _) => ("business days", Decimal::from(*n), format!("{n} business days")),
        ExprKind::Months(n) => ("months", Decimal::from(*n), format!("{n} months")),
        ExprKind::Unary(UnaryOp::Neg, x) => {
            let l = literal(x)?;
            (l.unit, -l.value, format!("-{}", l.text))
        }
        _ => return None,
    };
    Some(Lit { unit, value, text })
}

fn money_unit(c: &str) -> &'static str {
    match c {
        "GBP" => "GBP",
        "EUR" => "EUR",
        "USD" => "USD",
        _ => "money",
    }
}

fn d_text(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Duration(s) => crate::engine::format::duration(jiff::SignedDuration::from_secs(*s)),
        ExprKind::BusinessDays(n, _) => format!("{n} business days"),
        ExprKind::Months(n) => format!("{n} months"),
        _ => literal(e).map(|l| l.text).unwrap_or_default(),
    }
}

/// Leaves that are equal as written (text, booleans, dates).
fn simple_equal(a: &Expr, b: &Expr) -> bool {
    use ExprKind as K;
    match (&a.kind, &b.kind) {
        (K::Text(x), K::Text(y)) | (K::Date(x), K::Date(y)) | (K::DateTime(x), K::DateTime(y)) => x == y,
        (K::Bool(x), K::Bool(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn rules(text: &str) -> Vec<Rule> {
        let src = SourceFile::new("t.precept", text);
        let (tree, diags) = crate::syntax::parse(&src);
        assert!(diags.is_empty(), "{diags:?}");
        tree.map(|t| t.codes.into_iter().flat_map(|c| c.rules).collect()).unwrap_or_default()
    }

    fn verdict(orig: &str, over: &str) -> Verdict {
        let text = format!("code \"a\" {{ level industry rule r {{ {orig} }} rule s {{ {over} }} }}");
        let rs = rules(&text);
        compare(&rs[0], &rs[1])
    }

    #[test]
    fn a_lower_bound_is_stricter_and_a_higher_one_looser() {
        let orig = "for x require record.a <= record.b + 3 business days";
        assert!(verdict(orig, "for x require record.a <= record.b + 2 business days").looser.is_empty());
        let v = verdict(orig, "for x require record.a <= record.b + 5 business days");
        assert_eq!(v.looser.len(), 1, "{v:?}");
        assert!(v.looser[0].what.is_empty(), "shown as written");
    }

    #[test]
    fn shares_limits_and_sets_are_judged_by_direction() {
        let orig = "for x group by record.t require share(record.e) <= 10%";
        assert!(verdict(orig, "for x group by record.t require share(record.e) <= 5%").looser.is_empty());
        assert_eq!(verdict(orig, "for x group by record.t require share(record.e) <= 12.5%").looser.len(), 1);
        let orig = "for x require record.c in {a, b, c}";
        assert!(verdict(orig, "for x require record.c in {a, b}").looser.is_empty());
        assert_eq!(verdict(orig, "for x require record.c in {a, b, c, d}").looser.len(), 1);
        let orig = "for x require record.c not in {a, b}";
        assert_eq!(verdict(orig, "for x require record.c not in {a}").looser.len(), 1);
    }

    #[test]
    fn a_wider_where_is_stricter_and_a_narrower_one_looser() {
        let orig = "for x where record.amount > 50.00 GBP require record.ok == true";
        assert!(verdict(orig, "for x where record.amount > 20.00 GBP require record.ok == true").looser.is_empty());
        assert_eq!(verdict(orig, "for x where record.amount > 80.00 GBP require record.ok == true").looser.len(), 1);
    }

    #[test]
    fn grace_added_to_a_deadline_is_looser_and_milder_severity_too() {
        let orig = "severity error for x require record.done <= record.due";
        let v = verdict(orig, "severity error for x require record.done <= record.due + 15m");
        assert_eq!(v.looser.len(), 1, "{v:?}");
        let v = verdict(orig, "severity warning for x require record.done <= record.due");
        assert_eq!(v.looser.len(), 1);
        assert!(verdict(orig, "severity error for x require record.done <= record.due - 1h").looser.is_empty());
    }

    #[test]
    fn extra_requirements_are_stricter_and_dropped_ones_looser() {
        let orig = "for x require record.a == true";
        let v = verdict(orig, "for x require record.a == true require record.b == true");
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        let v = verdict(orig, "for x require record.a == true and record.b == true");
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        let v = verdict("for x require record.a == true require record.b == true", "for x require record.a == true");
        assert_eq!(v.looser.len(), 1);
    }

    #[test]
    fn case_rules_are_judged_by_their_deadline_and_events() {
        let base = "for e case by record.case opens when record.s == received at record.at closes when record.s == answered at record.at";
        assert!(verdict(&format!("{base} within 8 weeks"), &format!("{base} within 6 weeks")).looser.is_empty());
        assert_eq!(verdict(&format!("{base} within 8 weeks"), &format!("{base} within 12 weeks")).looser.len(), 1);
        assert_eq!(verdict(&format!("{base} within 8 weeks"), base).looser.len(), 1);
        let paused = format!("{base} pauses when record.s == waiting at record.at within 8 weeks");
        assert_eq!(verdict(&format!("{base} within 8 weeks"), &paused).looser.len(), 1, "a new pause is looser");
        let closes_more = "for e case by record.case opens when record.s == received at record.at closes when record.s in {answered, closed} at record.at within 8 weeks";
        let closes = "for e case by record.case opens when record.s == received at record.at closes when record.s in {answered} at record.at within 8 weeks";
        assert_eq!(verdict(closes, closes_more).looser.len(), 1, "closing more readily is looser");
        assert!(verdict(closes_more, closes).looser.is_empty());
    }

    #[test]
    fn matching_in_any_order_is_looser_and_ceasing_to_is_not() {
        let base = "for e case by record.case opens when record.s == received at record.at closes when record.s == answered at record.at";
        let (ordered, any) = (format!("{base} within 8 weeks"), format!("{base} in any order within 8 weeks"));
        let v = verdict(&ordered, &any);
        assert_eq!(v.looser.len(), 1, "{v:?}");
        assert!(v.looser.iter().any(|d| d.what.contains("in any order")), "{v:?}");
        let v = verdict(&any, &ordered);
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        assert!(verdict(&any, &any).looser.is_empty());
    }

    #[test]
    fn deadlines_from_the_data_are_stricter_only_when_trivially_so() {
        let base = "for e case by record.case opens when record.s == received at record.at closes when record.s == answered at record.at";
        let lit = format!("{base} within 15 business days");
        let data = format!("{base} within record.agreed business days");
        let other = format!("{base} within record.other business days");
        let v = verdict(&lit, &data);
        assert!(v.looser.is_empty() && v.undecided.len() == 1, "literal against data is not judged: {v:?}");
        let v = verdict(&data, &lit);
        assert!(v.looser.is_empty() && v.undecided.len() == 1, "data against literal is not judged: {v:?}");
        let v = verdict(&data, &data);
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "the same field is the same deadline: {v:?}");
        assert_eq!(verdict(&data, &other).undecided.len(), 1);
        let with_default = |n: u32| format!("{base} within (record.agreed otherwise {n}) business days");
        assert!(verdict(&with_default(15), &with_default(10)).looser.is_empty());
        assert_eq!(verdict(&with_default(10), &with_default(15)).looser.len(), 1, "a later default is looser");
        let months = |n: &str| format!("{base} within record.{n} months");
        assert!(verdict(&months("n"), &months("n")).undecided.is_empty());
        let v = verdict(&format!("{base} within 1 month"), &months("n"));
        assert_eq!(v.undecided.len(), 1, "{v:?}");
        let time = format!("{base} within record.agreed_time");
        assert_eq!(verdict(&format!("{base} within 8 weeks"), &time).undecided.len(), 1);
        // An extension only moves the deadline later; `by` in place of a span cannot be judged.
        let extended = format!("{base} within 8 weeks until record.extended_to");
        let v = verdict(&format!("{base} within 8 weeks"), &extended);
        assert_eq!(v.looser.len(), 1, "{v:?}");
        assert!(verdict(&extended, &format!("{base} within 8 weeks")).looser.is_empty(), "dropping one is stricter");
        assert!(verdict(&extended, &extended).undecided.is_empty());
        let by = format!("{base} by record.due_at");
        let v = verdict(&format!("{base} within 8 weeks"), &by);
        assert!(v.looser.is_empty() && v.undecided.len() == 1, "{v:?}");
        assert_eq!(verdict(&by, base).looser.len(), 1, "dropping `by` drops the deadline");
    }

    #[test]
    fn picking_versions_by_another_date_is_undecided() {
        let base = "for e case by record.case opens when record.s == received at record.at closes when record.s == answered at record.at within 8 weeks";
        assert!(verdict(base, base).undecided.is_empty());
        let receipt = format!("{base} version by receipt");
        assert_eq!(verdict(base, &receipt).undecided.len(), 1);
        assert!(verdict(&receipt, &receipt).undecided.is_empty());
        let field = format!("{base} version by record.received_at");
        assert!(verdict(&field, &field).undecided.is_empty());
        assert_eq!(verdict(&receipt, &field).undecided.len(), 1);
    }

    #[test]
    fn a_default_severity_is_error_and_a_where_on_groups_is_undecided() {
        assert_eq!(
            verdict("for x require record.a == true", "severity info for x require record.a == true").looser.len(),
            1
        );
        let v = verdict(
            "for x where record.k == complaint group by record.t require share(record.e) <= 5%",
            "for x group by record.t require share(record.e) <= 5%",
        );
        assert!(v.looser.is_empty() && v.undecided.len() == 1, "{v:?}");
        let v = verdict(
            "for x group by record.t expect every day of record.at from 2026-01-01 until 2026-01-31",
            "for x group by record.t expect every day of record.at from 2026-01-01 until 2026-01-31",
        );
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        assert_eq!(
            verdict("for x require record.a == true", "for x where record.b == true require record.a == true")
                .looser
                .len(),
            1
        );
    }

    /// Compare with the inherited rule counting in `orig` and the override in `over` (calendars
    /// `uk` and `scotland` in London, `nsw` in Sydney).
    fn verdict_in(orig: &str, over: &str, cals: (&str, &str)) -> Verdict {
        let text = format!("code \"a\" {{ level industry rule r {{ {orig} }} rule s {{ {over} }} }}");
        let rs = rules(&text);
        let zones = [("uk", "Europe/London"), ("scotland", "Europe/London"), ("nsw", "Australia/Sydney")];
        let c = Calendars {
            orig: Some(cals.0.to_string()),
            over: Some(cals.1.to_string()),
            zones: zones.iter().map(|(n, z)| (n.to_string(), z.to_string())).collect(),
        };
        compare_in(&c, &rs[0], &rs[1])
    }

    #[test]
    fn what_counts_in_another_calendar_or_zone_is_undecided_unless_provably_the_same() {
        let orig = "for x require record.a <= record.b + 3 business days";
        let v = verdict_in(orig, orig, ("uk", "scotland"));
        assert!(v.looser.is_empty() && v.undecided.len() == 1, "{v:?}");
        assert!(verdict_in(orig, orig, ("uk", "uk")).undecided.is_empty());
        // Fewer business days, but in another calendar: still not shown stricter.
        let v = verdict_in(orig, "for x require record.a <= record.b + 2 business days in scotland", ("uk", "uk"));
        assert_eq!(v.undecided.len(), 1, "{v:?}");
        let v = verdict_in(orig, "for x require record.a <= record.b + 2 business days in uk", ("uk", "scotland"));
        assert!(v.looser.is_empty() && v.undecided.is_empty(), "{v:?}");
        let between = "for x require business days between(record.b, record.a) <= 3";
        let v =
            verdict_in(between, "for x require business days between(record.b, record.a) in nsw <= 3", ("uk", "uk"));
        assert_eq!(v.undecided.len(), 1, "{v:?}");
        // A day depends on the zone alone.
        let day = "for x require day(record.a) == day(record.b)";
        assert!(verdict_in(day, day, ("uk", "scotland")).undecided.is_empty());
        // In another zone: each day, and the rule's other days (its version's, say).
        assert_eq!(verdict_in(day, day, ("uk", "nsw")).undecided.len(), 3);
        // Naming London in the calls keeps those days, but not the rule's own.
        let named = "for x require day(record.a, \"Europe/London\") == day(record.b, uk)";
        assert_eq!(verdict_in(day, named, ("uk", "nsw")).undecided.len(), 1);
        let bd = "for x require business_day(record.a) <= business_day(record.b)";
        assert_eq!(verdict_in(bd, bd, ("uk", "scotland")).undecided.len(), 2);
        let named = "for x require business_day(record.a, uk) <= business_day(record.b, uk)";
        assert!(verdict_in(bd, named, ("uk", "scotland")).undecided.is_empty());
        // Presence periods in another calendar.
        let expect = "for x group by record.t expect every business day of record.at";
        let v =
            verdict_in(expect, "for x group by record.t expect every business day in nsw of record.at", ("uk", "uk"));
        assert_eq!(v.undecided.len(), 1, "{v:?}");
    }

    #[test]
    fn what_cannot_be_judged_is_undecided_not_guessed() {
        let v = verdict("for x require record.a matches \"^A\"", "for x require record.a matches \"^B\"");
        assert!(v.looser.is_empty());
        assert_eq!(v.undecided.len(), 1);
        let v = verdict("for x require record.a == 1", "for x require record.a == 2");
        assert_eq!(v.undecided.len(), 1);
    }
}
