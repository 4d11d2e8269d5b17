//! The table of built-in functions, and the bodies of the pure ones.
//!
//! Adding a function is adding an entry here (and, for a pure function, its body below it), plus
//! its line in `docs/language.md`: the checker, evaluation, blame, redaction, the explanation of a
//! computation with no answer, and the strictness of overrides all read it from this table.
//!
//! The order is the order the checker lists functions in its help: the questions about roles first
//! (as they were listed before the registry), then the aggregates, then the date functions.

use super::{Accepts, Agg, Builtin, Family, Out, Param, Syntax};
use crate::engine::program::{DateUnit, ScopeFn};

const STAFF: Param = Param::new("staff", Accepts::Staff, 0);
const DAY: Param = Param::new("day", Accepts::Day, 0);
const DATE: Param = Param::new("date", Accepts::Day, 0);
/// An aggregate's argument: the result grows with it.
const CONDITION: Param = Param::new("condition", Accepts::Condition, 1);
const QUANTITY: Param = Param::new("value", Accepts::Quantity, 1);
const ORDERED: Param = Param::new("value", Accepts::Ordered, 1);

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
    Builtin {
        name: "day",
        params: &[DATE],
        result: Out::Date,
        signature: "day(date)",
        example: "day(record.opened_at)",
        doc: "the day a date or datetime falls on (a datetime at the offset it was written with)",
        family: Family::Period(DateUnit::Day),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "business_day",
        params: &[DATE],
        result: Out::Date,
        signature: "business_day(date)",
        example: "business_day(record.opened_at)",
        doc: "the business day a date or datetime counts as received on, by the code's calendar",
        family: Family::Period(DateUnit::BusinessDay(0)),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "week",
        params: &[DATE],
        result: Out::Date,
        signature: "week(date)",
        example: "week(record.opened_at)",
        doc: "the Monday starting the week a date or datetime falls in (shown as `2026-W06`)",
        family: Family::Period(DateUnit::Week),
        blame_first: 0,
        syntax: Syntax::Call,
    },
    Builtin {
        name: "month",
        params: &[DATE],
        result: Out::Date,
        signature: "month(date)",
        example: "month(record.opened_at)",
        doc: "the first day of the month a date or datetime falls in (shown as `2026-02`)",
        family: Family::Period(DateUnit::Month),
        blame_first: 0,
        syntax: Syntax::Call,
    },
];
