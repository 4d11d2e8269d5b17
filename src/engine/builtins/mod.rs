//! The built-in functions, in one registry: every function a policy can call is one entry of
//! [`table::BUILTINS`], and everything else asks the registry rather than naming functions itself.
//!
//! An entry says what the checker needs (name, arity, argument and result types, the signature its
//! diagnostics show, a one-line doc), what the engine needs (how it evaluates, which argument blame
//! points at first), what the strictness of overrides needs (how the result moves with each
//! argument), and whether it asks about staff and roles (only those make a rule need role files).
//!
//! Why one table and not a trait with one implementation per function: the functions fall into four
//! families whose evaluation is machinery of its own (questions put to the authority on roles,
//! aggregates folded over a group, date keys, and pure functions of their arguments' values), so an
//! entry names its family and a pure function brings its body. A function with more than one arity
//! whose arguments differ (`may` with or without an amount) has one entry per arity: overloads.
//!
//! The module sits in `engine` (below `check`), so the checker and the evaluator read the same
//! table and the engine never imports the checker.

mod evaluate;
pub mod table;

pub use evaluate::{ask, call, period_start};
pub use table::BUILTINS;

use super::program::{DateUnit, ScopeFn};
use super::types::Ty;
use super::value::V;

/// The most arguments a pure function takes: evaluation holds them in a fixed array, so that a
/// call allocates nothing.
pub const MAX_ARGS: usize = 4;

/// How a pure function computes its value from its arguments' values. It is called only when every
/// argument has a value (a missing argument, one with no answer or one that could not be read makes
/// the call unknown, as for any operator); it returns [`V::NoAnswer`] when there is no answer.
pub type PureFn = for<'a> fn(&[V<'a>]) -> V<'a>;

/// One built-in function (one arity of it).
#[derive(Debug)]
pub struct Builtin {
    /// The name written in policies.
    pub name: &'static str,
    /// Its arguments, in the order written; their number is this entry's arity.
    pub params: &'static [Param],
    /// What it gives.
    pub result: Out,
    /// How it is written, as diagnostics and help show it (`outranks(senior, junior, on)`); the
    /// same for every arity of a function.
    pub signature: &'static str,
    /// A call as a policy would write it, for help where a bare signature says too little
    /// (`day(record.opened_at)`, `percentile(value, 95)`).
    pub example: &'static str,
    /// What it gives, in one line.
    pub doc: &'static str,
    /// How it is checked and evaluated.
    pub family: Family,
    /// The argument blamed first for a requirement that fails because of the call (the one the
    /// answer turns on); the others follow in order.
    pub blame_first: usize,
    /// Written `name(arguments)`, or with a grammar of its own.
    pub syntax: Syntax,
}

/// One argument of a built-in function.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// What diagnostics call it (`the day given to ...`).
    pub name: &'static str,
    /// The types it takes.
    pub accepts: Accepts,
    /// It may be missing, and the function then answers without it (only `may`'s amount). Pure
    /// functions take no such argument: a missing argument leaves their result unknown.
    pub optional: bool,
    /// How the result moves as this argument grows, for judging whether an override is at least
    /// as strict (see [`crate::check::strictness`]): 1 with it, -1 against it, 0 when Precept does
    /// not judge it (a change there is compared exactly).
    pub polarity: i8,
}

impl Param {
    /// A required argument.
    pub const fn new(name: &'static str, accepts: Accepts, polarity: i8) -> Param {
        Param { name, accepts, optional: false, polarity }
    }

    /// An argument that may be missing.
    pub const fn optional(name: &'static str, accepts: Accepts, polarity: i8) -> Param {
        Param { name, accepts, optional: true, polarity }
    }
}

/// The types an argument takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    /// A member of staff's id: text.
    Staff,
    /// Text, or an enumeration value taken by its name: an action, a qualification, an area.
    Label,
    /// An amount against a limit: money, a number or a duration.
    Amount,
    /// A day: a date, or a datetime taken on its local day (see [`crate::engine::eval::local_day`]).
    Day,
    /// An instant.
    DateTime,
    /// A condition over each record of a group.
    Condition,
    /// Numbers, money or durations (summed, averaged, ranked).
    Quantity,
    /// Numbers, money, durations, dates or datetimes (the least or greatest).
    Ordered,
    /// A percentile's rank: a number above 0 and at most 100, written as a literal.
    Rank,
    /// The name of a calendar, or an IANA zone as text (`nsw`, `"Australia/Sydney"`): which
    /// calendar a date function takes its day in. Checked as a name, never as a value.
    Calendar,
}

impl Accepts {
    /// Whether a value of type `ty` may be given.
    pub fn fits(self, ty: &Ty) -> bool {
        match self {
            Accepts::Staff => *ty == Ty::Text,
            Accepts::Label => matches!(ty, Ty::Text | Ty::Enum(_)),
            Accepts::Amount | Accepts::Quantity => matches!(ty, Ty::Money(_) | Ty::Int | Ty::Dec | Ty::Duration),
            Accepts::Day => matches!(ty, Ty::Date | Ty::DateTime),
            Accepts::DateTime => *ty == Ty::DateTime,
            Accepts::Condition => *ty == Ty::Bool,
            Accepts::Ordered => {
                matches!(ty, Ty::Money(_) | Ty::Int | Ty::Dec | Ty::Duration | Ty::Date | Ty::DateTime)
            }
            Accepts::Rank => matches!(ty, Ty::Int | Ty::Dec),
            Accepts::Calendar => false,
        }
    }

    /// What it takes, for a diagnostic (`must be a date or datetime`).
    pub fn want(self) -> &'static str {
        match self {
            Accepts::Staff => "text (a staff id)",
            Accepts::Label => "text or an enumeration value",
            Accepts::Amount => "money, a number or a duration",
            Accepts::Day => "a date or datetime",
            Accepts::DateTime => "a datetime",
            Accepts::Condition => "true or false",
            Accepts::Quantity => "numbers, money or durations",
            Accepts::Ordered => "numbers, money, durations, dates or datetimes",
            Accepts::Rank => "a number above 0 and at most 100",
            Accepts::Calendar => "a calendar's name or an IANA zone like \"Australia/Sydney\"",
        }
    }
}

/// What a built-in function gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    /// True or false.
    Bool,
    /// Text; `may_be_missing` when there may be none (`role_of` for someone with no role).
    Text {
        /// The rule must say what no value means.
        may_be_missing: bool,
    },
    /// A whole number.
    Int,
    /// An exact decimal.
    Dec,
    /// A fraction of records, an exact decimal shown as a percentage.
    Share,
    /// A date.
    Date,
    /// A value of its argument's type (an integer's average is a decimal), missing when no record
    /// had one.
    LikeArgument,
}

impl Out {
    /// Its type, when it does not depend on the arguments.
    pub fn ty(self) -> Option<Ty> {
        match self {
            Out::Bool => Some(Ty::Bool),
            Out::Text { .. } => Some(Ty::Text),
            Out::Int => Some(Ty::Int),
            Out::Dec | Out::Share => Some(Ty::Dec),
            Out::Date => Some(Ty::Date),
            Out::LikeArgument => None,
        }
    }

    /// Whether a call with every argument present may still have no value.
    pub fn may_be_missing(self) -> bool {
        matches!(self, Out::Text { may_be_missing: true })
    }
}

/// How a built-in function is checked and evaluated.
#[derive(Debug, Clone, Copy)]
pub enum Family {
    /// A question about staff and roles: compiled to [`super::program::CExpr::Scope`] and put to
    /// the run's [`super::authority::Authority`] by [`ask`]. A rule that asks one needs role files.
    Role(ScopeFn),
    /// An aggregate over a group's records, only in rules over groups: checked in
    /// `check::group`, given a slot of the group record, and folded by [`super::group`].
    Aggregate(Agg),
    /// The date starting the unit a date or datetime falls in: compiled to
    /// [`super::program::CExpr::DatePart`] and evaluated by [`period_start`].
    Period(DateUnit),
    /// A function of its arguments' values: compiled to [`super::program::CExpr::Call`] and
    /// evaluated by [`call`], which hands this body the values once every argument has one.
    Pure(PureFn),
}

/// The aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// `count()`, `count(condition)`.
    Count,
    /// `share(condition)`.
    Share,
    /// `sum(value)`.
    Sum,
    /// `min(value)`.
    Min,
    /// `max(value)`.
    Max,
    /// `avg(value)`.
    Avg,
    /// `percentile(value, rank)`.
    Percentile,
}

/// How a call is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `name(arguments)`.
    Call,
    /// A grammar of its own (`count` also binds an element: `count(a in list: cond)`), so the
    /// name is a keyword and never reaches the checker as a call.
    Own,
}

impl Builtin {
    /// It asks about staff and roles, so a rule that calls it is judged only with role files.
    pub fn asks_about_roles(&self) -> bool {
        matches!(self.family, Family::Role(_))
    }

    /// Its number of arguments.
    pub fn arity(&self) -> usize {
        self.params.len()
    }
}

/// The first entry named `name`.
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The entry named `name` that takes `arity` arguments.
pub fn overload(name: &str, arity: usize) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name && b.arity() == arity)
}

/// The numbers of arguments `name` takes, fewest first.
pub fn arities(name: &str) -> Vec<usize> {
    let mut out: Vec<usize> = BUILTINS.iter().filter(|b| b.name == name).map(Builtin::arity).collect();
    out.sort_unstable();
    out
}

/// Every function's name once, in the order listed.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().filter(|b| find(b.name).is_some_and(|first| std::ptr::eq(first, *b))).map(|b| b.name)
}

/// The entry of a question about roles (the arity of `may` follows from whether it has an amount).
pub fn of_scope(f: ScopeFn) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| match (b.family, f) {
        (Family::Role(ScopeFn::May { amount: listed, .. }), ScopeFn::May { amount, .. }) => listed == amount,
        (Family::Role(g), f) => g == f,
        _ => false,
    })
}

/// The entry of a date function.
pub fn of_period(unit: DateUnit) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| match (b.family, unit) {
        (Family::Period(DateUnit::BusinessDay(_)), DateUnit::BusinessDay(_)) => true,
        (Family::Period(u), unit) => u == unit,
        _ => false,
    })
}

/// The entry of an aggregate (its first arity).
pub fn of_aggregate(agg: Agg) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| matches!(b.family, Family::Aggregate(a) if a == agg))
}

/// How the result of `name` with `arity` arguments moves as argument `i` grows (see
/// [`Param::polarity`]); 0 for anything the registry does not know.
pub fn polarity(name: &str, arity: usize, i: usize) -> i8 {
    overload(name, arity).and_then(|b| b.params.get(i)).map_or(0, |p| p.polarity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_once_and_overloads_of_a_name_share_their_signature() {
        let names: Vec<&str> = names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names.len(), sorted.len());
        for b in BUILTINS {
            let first = find(b.name).unwrap();
            assert_eq!(b.signature, first.signature, "{}", b.name);
            assert_eq!(
                arities(b.name).iter().filter(|&&a| a == b.arity()).count(),
                1,
                "{} has two entries of arity {}",
                b.name,
                b.arity()
            );
            assert!(b.blame_first < b.arity().max(1), "{} blames an argument it does not have", b.name);
            assert!(b.params.iter().all(|p| (-1..=1).contains(&p.polarity)), "{}", b.name);
            assert!(!b.doc.is_empty() && b.signature.starts_with(b.name) && b.example.starts_with(b.name));
        }
    }

    #[test]
    fn pure_functions_can_be_evaluated_without_allocating() {
        for b in BUILTINS.iter().filter(|b| matches!(b.family, Family::Pure(_))) {
            assert!(b.arity() <= MAX_ARGS, "{} takes more than {MAX_ARGS} arguments", b.name);
            assert!(b.params.iter().all(|p| !p.optional), "{} takes an optional argument", b.name);
            assert!(b.result.ty().is_some(), "{}'s type must not depend on its arguments", b.name);
            assert_eq!(b.syntax, Syntax::Call);
        }
    }

    #[test]
    fn every_family_member_is_found_from_its_compiled_form() {
        for b in BUILTINS {
            match b.family {
                Family::Role(f) => assert!(std::ptr::eq(of_scope(f).unwrap(), b), "{}", b.name),
                Family::Period(u) => assert_eq!(of_period(u).unwrap().name, b.name),
                Family::Aggregate(a) => assert_eq!(of_aggregate(a).unwrap().name, b.name),
                Family::Pure(_) => {}
            }
            assert_eq!(b.asks_about_roles(), matches!(b.family, Family::Role(_)));
        }
        assert_eq!(of_period(DateUnit::BusinessDay(3)).map(|b| b.name), Some("business_day"));
    }

    /// A pure function for the tests: the sum of two whole numbers.
    static PLUS: Builtin = Builtin {
        name: "plus",
        params: &[Param::new("a", Accepts::Quantity, 1), Param::new("b", Accepts::Quantity, 1)],
        result: Out::Int,
        signature: "plus(a, b)",
        example: "plus(1, 2)",
        doc: "a + b",
        family: Family::Pure(|args| match args {
            [V::Int(a), V::Int(b)] => {
                a.checked_add(*b).map_or(V::NoAnswer(crate::engine::value::Why::Overflow), V::Int)
            }
            _ => V::Missing,
        }),
        blame_first: 0,
        syntax: Syntax::Call,
    };

    #[test]
    fn a_pure_call_with_an_unknown_argument_is_unknown_as_an_operator_is() {
        use crate::engine::eval::{eval, vars, Cx};
        use crate::engine::program::CExpr;
        use crate::engine::value::{Value, Why};
        let run = |a: Value, b: Value| {
            let e = CExpr::Call(&PLUS, Box::new([CExpr::Const(a), CExpr::Const(b)]));
            let mut vs = vars();
            format!("{:?}", eval(&e, &[], &Cx::new(&[]), &mut vs))
        };
        let why = Value::NoAnswer(Why::DivisionByZero);
        assert_eq!(run(Value::Int(2), Value::Int(3)), "Int(5)");
        assert_eq!(run(Value::Int(i64::MAX), Value::Int(1)), "NoAnswer(Overflow)");
        // No answer wins over missing, missing over unreadable; an unreadable argument alone leaves
        // the call unreadable (so a rule that depends on it cannot be determined).
        assert_eq!(run(Value::Missing, why.clone()), "NoAnswer(DivisionByZero)");
        assert_eq!(run(Value::Unreadable(4), Value::Missing), "Missing");
        assert_eq!(run(Value::Unreadable(4), Value::Int(1)), "Unreadable(4)");
        assert_eq!(run(Value::Int(1), Value::Unreadable(5)), "Unreadable(5)");
        let e = CExpr::Call(&PLUS, Box::new([CExpr::Field(crate::engine::program::Root::Record, Box::new([1]))]));
        assert_eq!(e.children().count(), 1);
    }

    #[test]
    fn the_language_reference_lists_every_function() {
        let doc = include_str!("../../../docs/language.md");
        for name in names() {
            assert!(doc.contains(&format!("`{name}(")), "docs/language.md does not show `{name}(...)`");
        }
    }
}
