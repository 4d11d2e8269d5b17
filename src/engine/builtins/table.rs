//! The table of built-in functions, and the bodies of the pure ones.
//!
//! Adding a function is adding an entry here (and, for a pure function, its body below it), plus
//! its line in `docs/language.md`: the checker, evaluation, blame, redaction, the explanation of a
//! computation with no answer, and the strictness of overrides all read it from this table.
//!
//! The order is the order the checker lists functions in its help: the questions about roles first
//! (as they were listed before the registry), then the aggregates, then the date functions, then
//! the pure functions.

use super::{Accepts, Agg, Builtin, Family, Out, Param, Syntax};
use crate::engine::num::Num;
use crate::engine::program::{DateUnit, ScopeFn};
use crate::engine::value::{Why, V};

const STAFF: Param = Param::new("staff", Accepts::Staff, 0);
const DAY: Param = Param::new("day", Accepts::Day, 0);
const DATE: Param = Param::new("date", Accepts::Day, 0);
/// An aggregate's argument: the result grows with it.
const CONDITION: Param = Param::new("condition", Accepts::Condition, 1);
const QUANTITY: Param = Param::new("value", Accepts::Quantity, 1);
const ORDERED: Param = Param::new("value", Accepts::Ordered, 1);

/// The calendar (or IANA zone) a date function takes its day in: a name, checked by the checker
/// itself, never a value.
const CALENDAR: Param = Param::new("calendar", Accepts::Calendar, 0);
const DAY_SIG: &str = "day(date) or day(date, calendar)";
const BUSINESS_DAY_SIG: &str = "business_day(date) or business_day(date, calendar)";
const WEEK_SIG: &str = "week(date) or week(date, calendar)";
const MONTH_SIG: &str = "month(date) or month(date, calendar)";
const YEAR_SIG: &str = "year(date) or year(date, calendar)";

/// A date function's entry, with or without its calendar argument.
const fn period(
    name: &'static str,
    signature: &'static str,
    example: &'static str,
    doc: &'static str,
    unit: DateUnit,
    named: bool,
) -> Builtin {
    Builtin {
        name,
        params: if named { &[DATE, CALENDAR] } else { &[DATE] },
        result: Out::Date,
        signature,
        example,
        doc,
        family: Family::Period(unit),
        blame_first: 0,
        syntax: Syntax::Call,
    }
}

const MAY: &str = "may(staff, action, amount, on) or may(staff, action, on)";
const COUNT: &str = "count(list), count(a in list: cond), count() or count(condition)";

/// Every built-in function, one entry per arity.
pub static BUILTINS: &[Builtin] = &[
    // ------------------------------------------------------------ questions about staff and roles
    // The argument blamed first is the one the answer turns on: the amount against a limit, else
    // the action, else the person asked about.
    Builtin {
        name: "may",
        params: &[STAFF, Param::new("action", Accepts::Label, 0), Param::optional("amount", Accepts::Amount, 0), DAY],
        result: Out::Bool,
        signature: MAY,
        example: MAY,
        doc: "whether the role `staff` held that day may take `action`, with `amount` within its limit",
        family: Family::Role(ScopeFn::May { amount: true, currency: None }),
        blame_first: 2,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "may",
        params: &[STAFF, Param::new("action", Accepts::Label, 0), DAY],
        result: Out::Bool,
        signature: MAY,
        example: MAY,
        doc: "whether the role `staff` held that day may take `action` at all",
        family: Family::Role(ScopeFn::May { amount: false, currency: None }),
        blame_first: 1,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "outranks",
        params: &[STAFF, STAFF, DAY],
        result: Out::Bool,
        signature: "outranks(senior, junior, on)",
        example: "outranks(senior, junior, on)",
        doc: "whether `senior`'s role that day is above `junior`'s on `junior`'s escalation path",
        family: Family::Role(ScopeFn::Outranks),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "qualified",
        params: &[STAFF, Param::new("qualification", Accepts::Label, 0), DAY],
        result: Out::Bool,
        signature: "qualified(staff, qualification, on)",
        example: "qualified(staff, qualification, on)",
        doc: "whether `staff` holds the qualification, current that day",
        family: Family::Role(ScopeFn::Qualified),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "qualified_for",
        params: &[STAFF, Param::new("area", Accepts::Label, 0), DAY],
        result: Out::Bool,
        signature: "qualified_for(staff, area, on)",
        example: "qualified_for(staff, area, on)",
        doc: "whether `staff` holds every qualification the area requires, each current that day",
        family: Family::Role(ScopeFn::QualifiedFor),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "role_of",
        params: &[STAFF, DAY],
        result: Out::Text { may_be_missing: true },
        signature: "role_of(staff, on)",
        example: "role_of(staff, on)",
        doc: "the id of the role `staff` held that day; missing for someone with no role then",
        family: Family::Role(ScopeFn::RoleOf),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    // ------------------------------------------------------------ aggregates (rules over groups)
    Builtin {
        name: "count",
        params: &[],
        result: Out::Int,
        signature: COUNT,
        example: "count()",
        doc: "the group's records",
        family: Family::Aggregate(Agg::Count),
        blame_first: 0,
        syntax: Syntax::Own,
    },
    Builtin {
        name: "count",
        params: &[CONDITION],
        result: Out::Int,
        signature: COUNT,
        example: "count(record.escalated == true)",
        doc: "the group's records where `condition` holds",
        family: Family::Aggregate(Agg::Count),
        blame_first: 0,
        syntax: Syntax::Own,
    },
    Builtin {
        name: "share",
        params: &[CONDITION],
        result: Out::Share,
        signature: "share(condition)",
        example: "share(record.escalated == true)",
        doc: "the exact fraction of the group's records where `condition` holds, shown as a percentage",
        family: Family::Aggregate(Agg::Share),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "sum",
        params: &[QUANTITY],
        result: Out::LikeArgument,
        signature: "sum(value)",
        example: "sum(record.refund)",
        doc: "the exact total of the values present (0 when there are none)",
        family: Family::Aggregate(Agg::Sum),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "min",
        params: &[ORDERED],
        result: Out::LikeArgument,
        signature: "min(value)",
        example: "min(record.opened_at)",
        doc: "the least value present; missing when there is none",
        family: Family::Aggregate(Agg::Min),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "max",
        params: &[ORDERED],
        result: Out::LikeArgument,
        signature: "max(value)",
        example: "max(record.resolved_at - record.opened_at)",
        doc: "the greatest value present; missing when there is none",
        family: Family::Aggregate(Agg::Max),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "avg",
        params: &[QUANTITY],
        result: Out::LikeArgument,
        signature: "avg(value)",
        example: "avg(record.resolved_at - record.opened_at)",
        doc: "the exact mean of the values present (of durations, to the nanosecond); missing when none",
        family: Family::Aggregate(Agg::Avg),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "percentile",
        params: &[QUANTITY, Param::new("rank", Accepts::Rank, 0)],
        result: Out::LikeArgument,
        signature: "percentile(value, p)",
        example: "percentile(value, 95)",
        doc: "the nearest-rank `p`th percentile of the values present; missing when none",
        family: Family::Aggregate(Agg::Percentile),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    // ------------------------------------------------------------ dates (group keys and periods)
    // Each takes the calendar (or, but for `business_day`, an IANA zone) to take the day in as an
    // optional second argument; without it, the rule's calendar (see docs/language.md).
    period(
        "day",
        DAY_SIG,
        "day(record.opened_at)",
        "the day a date or datetime falls on (a datetime on its local day in the rule's calendar's zone)",
        DateUnit::Day,
        false,
    ),
    period(
        "day",
        DAY_SIG,
        "day(record.opened_at, nsw)",
        "the day a datetime falls on in the zone of the calendar (or IANA zone) named",
        DateUnit::Day,
        true,
    ),
    period(
        "business_day",
        BUSINESS_DAY_SIG,
        "business_day(record.opened_at)",
        "the business day a date or datetime counts as received on, by the rule's calendar",
        DateUnit::BusinessDay(0),
        false,
    ),
    period(
        "business_day",
        BUSINESS_DAY_SIG,
        "business_day(record.opened_at, nsw)",
        "the business day a date or datetime counts as received on, by the calendar named",
        DateUnit::BusinessDay(0),
        true,
    ),
    period(
        "week",
        WEEK_SIG,
        "week(record.opened_at)",
        "the Monday starting the week a date or datetime falls in (shown as `2026-W06`)",
        DateUnit::Week,
        false,
    ),
    period(
        "week",
        WEEK_SIG,
        "week(record.opened_at, nsw)",
        "the Monday starting the week, in the zone of the calendar (or IANA zone) named",
        DateUnit::Week,
        true,
    ),
    period(
        "month",
        MONTH_SIG,
        "month(record.opened_at)",
        "the first day of the month a date or datetime falls in (shown as `2026-02`)",
        DateUnit::Month,
        false,
    ),
    period(
        "month",
        MONTH_SIG,
        "month(record.opened_at, nsw)",
        "the first day of the month, in the zone of the calendar (or IANA zone) named",
        DateUnit::Month,
        true,
    ),
    period(
        "year",
        YEAR_SIG,
        "year(record.opened_at)",
        "the first day of the year a date or datetime falls in (shown as `2026`)",
        DateUnit::Year,
        false,
    ),
    period(
        "year",
        YEAR_SIG,
        "year(record.opened_at, nsw)",
        "the first day of the year, in the zone of the calendar (or IANA zone) named",
        DateUnit::Year,
        true,
    ),
    // ------------------------------------------------------------ pure functions
    // The end is blamed first: `hours_between(record.opened_at, record.resolved_at) <= 48` breaks
    // by a late resolution as `record.resolved_at - record.opened_at <= 48h` does.
    Builtin {
        name: "hours_between",
        params: &[Param::new("start", Accepts::DateTime, -1), Param::new("end", Accepts::DateTime, 1)],
        result: Out::Dec,
        signature: "hours_between(start, end)",
        example: "hours_between(record.opened_at, record.resolved_at)",
        doc: "the time from `start` to `end` in hours, an exact decimal (negative when `end` is earlier)",
        family: Family::Pure(hours_between),
        blame_first: 1,
        syntax: Syntax::Call,
    },
    // The end is blamed first, as for `hours_between`: `months_between(a, b) <= 3` breaks by a
    // late `b`.
    Builtin {
        name: "months_between",
        params: &[Param::new("start", Accepts::Day, -1), Param::new("end", Accepts::Day, 1)],
        result: Out::Int,
        signature: "months_between(start, end)",
        example: "months_between(record.received_at, record.resolved_at)",
        doc: "the whole calendar months from the day of `start` to the day of `end` (negative when `end` is earlier)",
        family: Family::Pure(months_between),
        blame_first: 1,
        syntax: Syntax::Call,
    },
];

/// Nanoseconds in an hour.
const NANOS_PER_HOUR: i128 = 3_600_000_000_000;

/// `hours_between(start, end)`: `end - start` in hours, exactly. A duration is whole nanoseconds,
/// so its hours are that many nanoseconds over 3,600,000,000,000: a fraction in lowest terms like
/// any decimal (see [`Num`]), never rounded, so 20 minutes is exactly one third of an hour (shown
/// `≈0.3333333333`) and 90 minutes is 1.5. Any two datetimes Precept holds are less than 10^22
/// nanoseconds apart, so there is always an answer.
fn hours_between<'a>(args: &[V<'a>]) -> V<'a> {
    match args {
        [V::DateTime(start, _), V::DateTime(end, _)] => {
            let nanos = end.duration_since(*start).as_nanos();
            Num::ratio(nanos, NANOS_PER_HOUR).map_or(V::NoAnswer(Why::Overflow), V::Dec)
        }
        _ => V::Missing,
    }
}

/// `months_between(start, end)`: whole calendar months between the two days, each a date or the
/// date a datetime has at the offset it was written with (see [`crate::engine::months`] for the
/// end-of-month rule it shares with `+ N months`).
fn months_between<'a>(args: &[V<'a>]) -> V<'a> {
    match args {
        [a, b] => match (crate::engine::eval::day(*a), crate::engine::eval::day(*b)) {
            (Some(x), Some(y)) => {
                crate::engine::months::months_between(x, y).map_or(V::NoAnswer(Why::OutOfRange), V::Int)
            }
            _ => V::Missing,
        },
        _ => V::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> V<'static> {
        let z: jiff::Zoned = s.parse().unwrap();
        V::DateTime(z.timestamp(), z.offset().seconds())
    }

    fn hours(a: &str, b: &str) -> V<'static> {
        hours_between(&[at(a), at(b)])
    }

    #[test]
    fn hours_between_is_the_exact_fraction_of_an_hour() {
        let dec = |n, d| V::Dec(Num::ratio(n, d).unwrap());
        assert_eq!(hours("2024-03-01T09:00:00+00:00[UTC]", "2024-03-01T10:30:00+00:00[UTC]"), dec(3, 2));
        assert_eq!(hours("2024-03-01T09:00:00+00:00[UTC]", "2024-03-01T09:20:00+00:00[UTC]"), dec(1, 3));
        assert_eq!(hours("2024-03-01T10:30:00+00:00[UTC]", "2024-03-01T09:00:00+00:00[UTC]"), dec(-3, 2));
        // One nanosecond is one 3,600,000,000,000th of an hour, not zero.
        assert_eq!(
            hours("2024-03-01T09:00:00+00:00[UTC]", "2024-03-01T09:00:00.000000001+00:00[UTC]"),
            dec(1, NANOS_PER_HOUR)
        );
        // The same instant written at two offsets is no time apart; across a change of clocks the
        // hours are the hours that passed (23 on the day London springs forward).
        assert_eq!(hours("2024-03-01T10:00:00+01:00[+01:00]", "2024-03-01T09:00:00+00:00[UTC]"), dec(0, 1));
        assert_eq!(
            hours("2024-03-31T00:00:00+00:00[Europe/London]", "2024-04-01T00:00:00+01:00[Europe/London]"),
            dec(23, 1)
        );
        // The widest span jiff holds has an answer.
        let (lo, hi) = (V::DateTime(jiff::Timestamp::MIN, 0), V::DateTime(jiff::Timestamp::MAX, 0));
        assert!(matches!(hours_between(&[lo, hi]), V::Dec(d) if d > Num::from(170_000_000)));
        assert_eq!(hours_between(&[V::Missing, hi]), V::Missing);
    }
}
