//! The compiled policy: rules whose field paths are slots, constants parsed, regexes built.
//!
//! The checker in [`crate::check`] builds a [`Program`]; [`super::eval`] runs it. Nothing here refers
//! to a field by name at run time.

use super::builtins::Builtin;
use super::types::{EnumDef, Shape, ShapeId, Ty};
use super::value::Value;
use crate::ast::{CodeLevel, Severity};
use crate::calendar::Calendar;
use crate::source::{SourceFile, Span};

/// Most quantifier variables in scope at once (`all(a in ...: any(b in ...: ...))`).
pub const MAX_VARS: usize = 8;

/// The largest count read from the data that a span is counted from (`record.n business days`,
/// `x + record.n months`, `record.n days`): a million units, beyond any real deadline, so that a
/// corrupt value is no answer rather than a date out of every range or a long computation.
pub const MAX_COUNT: i64 = 1_000_000;

/// A checked, compiled set of codes of practice.
#[derive(Debug, Clone)]
pub struct Program {
    /// Record and nested-object shapes.
    pub shapes: Vec<Shape>,
    /// Enumerations.
    pub enums: Vec<EnumDef>,
    /// Record schemas.
    pub schemas: Vec<SchemaInfo>,
    /// Business calendars: the declared ones first, then one per IANA zone named in a call
    /// (`day(x, "Australia/Sydney")`), which only lends its zone.
    pub calendars: Vec<Calendar>,
    /// How many of [`Program::calendars`] the policies declare (the rest stand for zones named in
    /// calls).
    pub declared_calendars: usize,
    /// Codes of practice.
    pub codes: Vec<CodeInfo>,
    /// Every rule, in a stable order (policy file, then position).
    pub rules: Vec<CompiledRule>,
    /// Some record fields are redacted (see [`super::redact`]): reports mask their values.
    pub redacting: bool,
    /// The redacted fields: schema index and slot path from the record.
    pub redacted: Vec<(usize, Vec<u16>)>,
    /// The redacted field paths as written (`customer.id`).
    pub redacted_names: Vec<String>,
    /// The evaluation time of runs (`--as-of`), set by the engine's options: case rules judge open
    /// obligations at it and `now` stands for it. `None`: the end of the data for cases, and a
    /// rule that uses `now` cannot run.
    pub evaluation: Option<crate::engine::as_of::EvaluationTime>,
}

impl Program {
    /// A program with nothing in it: for reports of a run whose policies could not be loaded.
    pub const fn empty() -> Program {
        Program {
            shapes: Vec::new(),
            enums: Vec::new(),
            schemas: Vec::new(),
            calendars: Vec::new(),
            declared_calendars: 0,
            codes: Vec::new(),
            rules: Vec::new(),
            redacting: false,
            redacted: Vec::new(),
            redacted_names: Vec::new(),
            evaluation: None,
        }
    }

    /// The calendar `rule` counts in (its own, else its code's): its zone is where the rule's days
    /// are taken and its times shown; `None` when it has none (days at the offsets written).
    pub fn calendar_of(&self, rule: &CompiledRule) -> Option<&Calendar> {
        rule.calendar.and_then(|c| self.calendars.get(c))
    }

    /// The indices of the rules that run: every rule except inherited ones an override replaces on
    /// every day.
    pub fn running(&self) -> std::collections::BTreeSet<usize> {
        self.schemas.iter().flat_map(|s| s.rules.iter().chain(s.group_rules.iter())).copied().collect()
    }

    /// The rules that run: every rule except inherited ones an override replaces on every day.
    /// A case rule that a second schema closes is listed under both schemas but is one rule.
    pub fn rules_in_run(&self) -> usize {
        self.running().len()
    }

    /// Every override that states it relaxes the rule it replaces: the override, the code whose
    /// rule it relaxes, and why. Reports show these whatever was found.
    pub fn relaxations(&self) -> impl Iterator<Item = (&CompiledRule, &CodeInfo, &str)> {
        self.rules.iter().filter_map(|r| {
            let o = r.overrides.as_ref()?;
            Some((r, self.codes.get(o.code)?, o.relaxes.as_deref()?))
        })
    }
}

/// A record schema.
#[derive(Debug, Clone)]
pub struct SchemaInfo {
    /// Its name.
    pub name: String,
    /// Its top-level shape.
    pub shape: ShapeId,
    /// `files` globs, as written; empty means "any record file" when there is one schema.
    pub files: Vec<String>,
    /// `records at "data.items"`: the keys leading to the array a `.json` file holds its records
    /// in; empty when the file is a record or an array of records.
    pub records_at: Vec<String>,
    /// The identifying field's slot.
    pub id_field: Option<usize>,
    /// The slot of the date or datetime field that dates a record (`dated by`).
    pub date_field: Option<usize>,
    /// The identifying field is redacted: record ids are shown as a hash.
    pub id_redacted: bool,
    /// The slot of the text field naming the member of staff a record is about (`staff by`).
    pub staff_field: Option<usize>,
    /// The slot of the text field naming the team a record is about (`team by`).
    pub team_field: Option<usize>,
    /// Rules that judge each of its records, by index into [`Program::rules`].
    pub rules: Vec<usize>,
    /// Rules that judge groups of its records, by index into [`Program::rules`].
    pub group_rules: Vec<usize>,
    /// One of Precept's own schemas (`role`, `staff`), read from role files rather than record files.
    pub builtin: bool,
    /// Where it was declared.
    pub file: SourceFile,
    /// Where it was declared.
    pub span: Span,
}

/// A code of practice.
#[derive(Debug, Clone)]
pub struct CodeInfo {
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: CodeLevel,
    /// `version`.
    pub version: Option<String>,
    /// `source`.
    pub source: Option<String>,
    /// No waiver may cover its rules (`not waivable`).
    pub not_waivable: bool,
    /// The clauses it lists itself (`clause "..."`), in the order written, each once. An extending
    /// code inherits its parent's list too (see `parent`); these are only its own.
    pub clauses: Vec<ClauseInfo>,
    /// The code it extends, by index into [`Program::codes`] (always an earlier one).
    pub parent: Option<usize>,
    /// Where it was declared.
    pub file: SourceFile,
    /// Where it was declared.
    pub span: Span,
}

/// A clause a code lists (`clause "DISP 1.6.2R" "Acknowledge a complaint promptly"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseInfo {
    /// Its id, as rules `cite` it.
    pub id: String,
    /// Its short title, when the code gives one.
    pub title: Option<String>,
}

/// One rule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Severity of its findings.
    pub severity: Severity,
    /// The clause it implements.
    pub cite: Option<String>,
    /// What to do about a finding, as written (holes and all, when it has any).
    pub help: Option<String>,
    /// The help's parts, when it has holes to fill in per finding; empty when it has none (or no
    /// help), so that every finding shares the one text in `help` and nothing is formatted.
    pub help_parts: Vec<MsgPart>,
    /// Index into [`Program::codes`].
    pub code: usize,
    /// Index into [`Program::schemas`].
    pub schema: usize,
    /// Records the rule applies to.
    pub filter: Option<CExpr>,
    /// Conditions that must all hold.
    pub requires: Vec<CExpr>,
    /// The finding's message.
    pub message: Vec<MsgPart>,
    /// The policy file.
    pub file: SourceFile,
    /// The rule id in the policy file (the related label of a finding).
    pub id_span: Span,
    /// The whole rule in the policy file (for `precept explain`).
    pub span: Span,
    /// Each `require` clause in the policy file.
    pub require_spans: Vec<Span>,
    /// It asks about staff and roles, so it can only be judged when role files are given.
    pub uses_roles: bool,
    /// It reads `now`, so it can only be judged at an evaluation time (`--as-of`).
    pub uses_now: bool,
    /// The first and last day (both included) this version is in force, judged on the day of the
    /// schema's `dated by` field; `None` when always in force.
    pub in_force: Option<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)>,
    /// Days on which an override in an extending code judges instead of this rule.
    pub suspended: Vec<(Option<jiff::civil::Date>, Option<jiff::civil::Date>)>,
    /// The inherited rule this one overrides, when it is an override.
    pub overrides: Option<Override>,
    /// The calendar the rule counts in (its own `calendar`, else its code's), by index into
    /// [`Program::calendars`]: the zone of its local days (the `dated by` day that picks its
    /// version, `day(...)` without a calendar named) and of the times its messages show. `None`:
    /// no calendar anywhere, so days are taken at the offset each datetime was written with.
    pub calendar: Option<usize>,
    /// For a rule over groups of records: how they are grouped and summed up. Its `requires` and
    /// `message` then read the group record (keys, then aggregates), not a record.
    pub group: Option<GroupSpec>,
}

/// An override of an inherited rule.
#[derive(Debug, Clone)]
pub struct Override {
    /// Index into [`Program::codes`] of the code whose rule is overridden.
    pub code: usize,
    /// `relaxes "why"`: the stated reason this override is more lenient.
    pub relaxes: Option<String>,
}

/// How a group rule groups records and what it computes over each group.
#[derive(Debug, Clone)]
pub struct GroupSpec {
    /// The parts of the key: name, expression over a record, type and how to show it.
    pub keys: Vec<GroupKey>,
    /// Aggregates, in the group record's slots after the keys.
    pub aggs: Vec<Aggregate>,
    /// For each `require`, the aggregates it reads (indices into `aggs`): the evidence it shows.
    pub require_aggs: Vec<Vec<usize>>,
    /// Groups with fewer records are not judged.
    pub minimum: Option<u64>,
    /// For a presence rule: every period of the range must have a record, per group.
    pub presence: Option<Presence>,
    /// The slot of `group.period` (the missing period in a presence finding), after the keys.
    pub period_slot: Option<usize>,
    /// The group shape: keys, `period` or the obligation's `opened`, `deadline` and `closed`, then
    /// aggregates.
    pub shape: ShapeId,
    /// For a rule that follows cases: the events of each case's obligation and its deadline.
    pub sequence: Option<SequenceSpec>,
    /// The `group by` clause in the policy file.
    pub span: Span,
}

/// One part of a group's key.
#[derive(Debug, Clone)]
pub struct GroupKey {
    /// Its name (`group.<name>`).
    pub name: String,
    /// Computed from each record.
    pub expr: CExpr,
    /// Its type, for showing it.
    pub ty: Ty,
    /// Shown as a week or month rather than the day that starts it.
    pub period: Option<DateUnit>,
    /// Read from a redacted field: shown as a hash.
    pub redacted: bool,
}

/// What an aggregate computes over a group's records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AggKind {
    /// `count()`: records in the group.
    Count,
    /// `count(cond)`: records where the condition holds.
    CountWhere,
    /// `share(cond)`: the fraction of records where the condition holds.
    Share,
    /// `sum(x)`.
    Sum(Kind),
    /// `min(x)`.
    Min(Kind),
    /// `max(x)`.
    Max(Kind),
    /// `avg(x)`: the mean of the values present.
    Avg(Kind),
    /// `percentile(x, p)`: the nearest-rank `p`th percentile of the values present.
    Percentile(Kind, rust_decimal::Decimal),
}

/// An aggregate in a group rule.
#[derive(Debug, Clone)]
pub struct Aggregate {
    /// What it computes.
    pub kind: AggKind,
    /// Its argument, over a record (`None` for `count()`).
    pub arg: Option<CExpr>,
    /// Its result type.
    pub ty: Ty,
    /// As written, for evidence.
    pub text: String,
    /// Reads a redacted field: its value is shown as a hash.
    pub redacted: bool,
}

/// The obligation a case rule follows through each case's records.
#[derive(Debug, Clone)]
pub struct SequenceSpec {
    /// The events that open, pause, resume and close it.
    pub events: Vec<EventSpec>,
    /// How long it may stay open (paused time not counted); `None`: only that it is closed.
    pub limit: Option<Limit>,
    /// A deadline read from each case's opening record; with [`SequenceSpec::limit`] too, the
    /// limit is the span and this the `until`.
    pub due: Option<DueSpec>,
    /// The date that picks the version judging each case.
    pub version: VersionDate,
    /// The slot of `group.opened`; `deadline` and `closed` follow it.
    pub opened_slot: usize,
    /// The fields of the opening record the message reads (`{opening.customer_name}`), kept with
    /// each opening; empty when it reads none.
    pub opening: OpeningFields,
    /// `in any order`: each opening is matched by a closing of its case before or after it (see
    /// [`crate::engine::obligation`]).
    pub any_order: bool,
}

/// Which fields of an opening record a case rule's message reads, as `opening.<field>`.
///
/// The message is checked against a shape of its own (every field the opening schemas have), so
/// one message serves cases opened by records of several schemas; only the fields it reads are
/// copied from each opening record, so a case keeps a few values per opening, not the record.
#[derive(Debug, Clone, Default)]
pub struct OpeningFields {
    /// Slots of the message's opening shape that it reads, in order.
    pub read: Vec<u16>,
    /// The number of slots of that shape: the object the message reads is this wide.
    pub width: usize,
    /// Per opening schema (by index), the slot of its records holding each field in `read`.
    pub from: Vec<(usize, Vec<u16>)>,
    /// The quantifier-variable slot the message reads `opening` from.
    pub var: u8,
    /// The message's opening shape (the type of `opening`), for what reads the fields apart
    /// from the engine (`precept sql`).
    pub shape: crate::engine::types::ShapeId,
}

/// A case rule's deadline read from each case's opening record: `within record.n business days`,
/// `within record.agreed_time`, `until record.extended_to`, `by record.due_at`.
#[derive(Debug, Clone)]
pub struct DueSpec {
    /// The span, when it is read from the record: its kind and the count (an integer, or a
    /// duration for [`DueUnit::Elapsed`]).
    pub span: Option<(DueUnit, CExpr)>,
    /// A date or datetime of the record; the deadline is the later of it and the span's. A date
    /// stands for the end of that day in the zone of the rule's calendar (UTC without one).
    pub until: Option<CExpr>,
    /// The calendar whose zone ends a date's day.
    pub calendar: Option<usize>,
}

/// The kind of span a [`DueSpec`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueUnit {
    /// Elapsed time (the expression gives a duration).
    Elapsed,
    /// Business days of a calendar (by index).
    Business(usize),
    /// Calendar months.
    Months,
}

/// The date that picks which version of a case rule judges a case: the whole case is judged by
/// the one version in force on its day, so two versions never judge the same case.
#[derive(Debug, Clone)]
pub enum VersionDate {
    /// The day of the case's first event of any kind (the default).
    FirstEvent,
    /// `version by receipt`: the day of the case's first opening.
    Receipt,
    /// `version by <expr>`: the earliest day this gives over the case's records of the rule's
    /// own schema.
    Field(CExpr),
}

/// One kind of event of a case.
#[derive(Debug, Clone)]
pub struct EventSpec {
    /// What it does to the obligation.
    pub kind: crate::ast::EventKind,
    /// The schema of the records that are such events.
    pub schema: usize,
    /// Only records where this holds.
    pub when: Option<CExpr>,
    /// When it happened (a date or datetime).
    pub at: CExpr,
    /// The case it belongs to, for another schema's records (the rule's key otherwise).
    pub key: Option<CExpr>,
}

/// An obligation's deadline, from its opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Elapsed time.
    Elapsed(jiff::SignedDuration),
    /// Business days of a calendar (by index).
    Business(i64, usize),
    /// Calendar months (a year is 12), added to the opening as `x + N months` adds them.
    Months(i64),
}

/// A presence rule's period and range.
#[derive(Debug, Clone)]
pub struct Presence {
    /// The period counted in.
    pub unit: DateUnit,
    /// The calendar in whose zone a record's day is taken (see [`CExpr::DatePart`]).
    pub zone: Option<usize>,
    /// The date or datetime placing a record in a period.
    pub on: CExpr,
    /// First day of the range; by default the first record's.
    pub from: Option<jiff::civil::Date>,
    /// Last day of the range; by default the last record's.
    pub until: Option<jiff::civil::Date>,
    /// `for each team in ...`: the groups expected, so that one with no record at all is reported.
    pub expected: Option<Expected>,
    /// The `expect` clause in the policy file.
    pub span: Span,
}

/// The groups a presence rule expects, by one text part of its key.
#[derive(Debug, Clone)]
pub struct Expected {
    /// The part of the key (by index) they are values of.
    pub part: usize,
    /// Where they come from.
    pub from: ExpectedFrom,
}

/// Where a presence rule's expected groups come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedFrom {
    /// Written in the policy, each once, in the order written.
    Listed(Vec<String>),
    /// The teams of the staff employed at some time in the range, from the role files.
    Roles,
}

/// A unit of the calendar a date falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    /// The calendar day.
    Day,
    /// The business day something counts as received on, by calendar index.
    BusinessDay(usize),
    /// The week (Monday to Sunday), as its Monday.
    Week,
    /// The month, as its first day.
    Month,
    /// The year, as its first day.
    Year,
}

/// A piece of a message.
#[derive(Debug, Clone)]
pub enum MsgPart {
    /// Literal text.
    Text(String),
    /// A value, formatted according to its type.
    Hole(CExpr, Ty),
    /// A fraction shown as a percentage (`share(...)`, `5%`).
    Percent(CExpr),
    /// A date shown as the week or month it starts.
    Period(CExpr, DateUnit),
    /// A value from a redacted field, shown as a stable short hash of the text its hole would
    /// show.
    Redacted(CExpr, HiddenAs),
}

/// How a redacted hole's value is written before it is hashed: as the hole would show it, so
/// that a month shown in a message hashes as the group's key does (`2024-03`), and a share as
/// `20%`.
#[derive(Debug, Clone)]
pub enum HiddenAs {
    /// A value, formatted according to its type.
    Value(Ty),
    /// A fraction shown as a percentage.
    Percent,
    /// A date shown as the week or month it starts.
    Period(DateUnit),
}

/// Where a field path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Root {
    /// The record being checked.
    Record,
    /// A quantifier variable, by depth.
    Var(u8),
}

/// The kind of operands of a comparison or arithmetic, decided by the checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Booleans.
    Bool,
    /// Whole numbers.
    Int,
    /// Decimals (whole numbers converted first).
    Dec,
    /// Money in one currency.
    Money,
    /// Text.
    Text,
    /// Enumeration variants.
    Enum,
    /// Dates.
    Date,
    /// Instants.
    DateTime,
    /// Durations.
    Duration,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// Arithmetic, typed by the checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// Same-kind addition (numbers, money, durations).
    Add(Kind),
    /// Same-kind subtraction.
    Sub(Kind),
    /// Multiplication of a number, money or duration by a number.
    Mul(Kind),
    /// Division of a number, money or duration by a number.
    Div(Kind),
    /// Money / money gives a decimal ratio.
    MoneyRatio,
    /// Instant - instant gives a duration.
    Elapsed,
    /// Date - date gives a duration in whole days.
    DaysBetween,
    /// Instant + duration.
    Later,
    /// Instant - duration.
    Earlier,
    /// Date + duration (whole days).
    DateLater,
    /// Date - duration (whole days).
    DateEarlier,
}

/// Text tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    /// `contains`.
    Contains,
    /// `starts with`.
    StartsWith,
    /// `ends with`.
    EndsWith,
}

/// Quantifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    /// Every element.
    All,
    /// Some element.
    Any,
    /// No element.
    None,
}

/// A compiled expression. Children are boxed; evaluation walks the tree without allocating.
#[derive(Debug, Clone)]
pub enum CExpr {
    /// A constant.
    Const(Value),
    /// A field path from the record or a variable.
    Field(Root, Box<[u16]>),
    /// A whole quantifier variable (a list element that is not an object).
    Var(u8),
    /// `not`.
    Not(Box<CExpr>),
    /// Unary minus.
    Neg(Kind, Box<CExpr>),
    /// `and`.
    And(Box<CExpr>, Box<CExpr>),
    /// `or`.
    Or(Box<CExpr>, Box<CExpr>),
    /// `implies`.
    Implies(Box<CExpr>, Box<CExpr>),
    /// Comparison.
    Cmp(CmpOp, Kind, Box<CExpr>, Box<CExpr>),
    /// Whole numbers to decimal.
    ToDec(Box<CExpr>),
    /// Arithmetic.
    Arith(Arith, Box<CExpr>, Box<CExpr>),
    /// `x in {set}`; negated for `not in`.
    InSet(Kind, Box<CExpr>, Box<[CExpr]>, bool),
    /// `x in list`; negated for `not in`.
    InList(Kind, Box<CExpr>, Box<CExpr>, bool),
    /// Text tests.
    Text(TextOp, Box<CExpr>, Box<CExpr>),
    /// `matches "regex"`.
    Matches(Box<CExpr>, super::pattern::Pattern),
    /// `x + N business days`, by calendar index: of a datetime, the end of the Nth working day
    /// after the day it counts as received on (a datetime); of a date, the Nth working day after
    /// that date (a date).
    AddBusinessDays(Box<CExpr>, i64, usize),
    /// `x + N months` (or `x - N months`, `N years` as `12 × N`): calendar months added to a date
    /// or datetime, negative to subtract (see [`super::months`] for the end-of-month rule).
    AddMonths(Box<CExpr>, i64),
    /// `business days between(a, b)`, by calendar index.
    BusinessBetween(Box<CExpr>, Box<CExpr>, usize),
    /// `record.n business days`, `record.n months`, `record.n days`: a count read from the data,
    /// checked (no answer below zero or above [`MAX_COUNT`]) and put in its unit.
    Counted(CountUnit, Box<CExpr>),
    /// `x + <count> business days` where the count is not a literal (read from the data), by
    /// calendar index; a count below zero or above [`MAX_COUNT`] is no answer.
    AddBusinessDaysBy(Box<CExpr>, Box<CExpr>, usize),
    /// `x + <count> months` (or `-`, when the flag is set) where the count is not a literal; a
    /// count below zero or above [`MAX_COUNT`] is no answer. The end-of-month rule of
    /// [`super::months`] applies.
    AddMonthsBy(Box<CExpr>, Box<CExpr>, bool),
    /// `x is present` (true) / `x is missing` (false).
    Present(Box<CExpr>, bool),
    /// `x otherwise default`.
    Otherwise(Box<CExpr>, Box<CExpr>),
    /// `if c then a else b`.
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    /// Quantifier binding variable `u8` to each element of the list.
    Quant(Quant, u8, Box<CExpr>, Box<CExpr>),
    /// `count(list)` or `count(x in list: cond)`.
    Count(Box<CExpr>, Option<(u8, Box<CExpr>)>),
    /// An enumeration value as its name, for questions about roles (`may(a.by, a.type, ...)`).
    EnumText(Box<[Box<str>]>, Box<CExpr>),
    /// A question about staff and roles, put to the run's [`super::authority::Authority`].
    Scope(ScopeFn, Box<[CExpr]>),
    /// `day(x)`, `business_day(x)`, `week(x)`, `month(x)`, `year(x)`: the date starting the unit `x`
    /// falls in, a datetime taken on its local day in the zone of the calendar with this index
    /// (`None`: at the offset it was written with).
    DatePart(DateUnit, Option<usize>, Box<CExpr>),
    /// A pure built-in function (see [`super::builtins`]) of its arguments, in the order written.
    Call(&'static Builtin, Box<[CExpr]>),
    /// `now`: the evaluation time (`--as-of`), a datetime.
    Now,
}

impl CExpr {
    /// The expressions directly inside this one, in the order evaluation reads them. Redaction,
    /// blame and the search for a computation with no answer walk the tree through this alone, so
    /// a new kind of expression is listed here and nowhere else.
    pub fn children(&self) -> Children<'_> {
        fn few(a: [Option<&CExpr>; 3]) -> Children<'_> {
            a.into_iter().flatten().chain([].iter())
        }
        fn then<'a>(a: Option<&'a CExpr>, rest: &'a [CExpr]) -> Children<'a> {
            [a, None, None].into_iter().flatten().chain(rest.iter())
        }
        match self {
            CExpr::Const(_) | CExpr::Field(..) | CExpr::Var(_) | CExpr::Now => few([None; 3]),
            CExpr::Not(x)
            | CExpr::Neg(_, x)
            | CExpr::ToDec(x)
            | CExpr::Matches(x, _)
            | CExpr::AddBusinessDays(x, _, _)
            | CExpr::AddMonths(x, _)
            | CExpr::Present(x, _)
            | CExpr::Counted(_, x)
            | CExpr::EnumText(_, x)
            | CExpr::DatePart(_, _, x) => few([Some(x), None, None]),
            CExpr::And(a, b)
            | CExpr::Or(a, b)
            | CExpr::Implies(a, b)
            | CExpr::Cmp(_, _, a, b)
            | CExpr::Arith(_, a, b)
            | CExpr::InList(_, a, b, _)
            | CExpr::Text(_, a, b)
            | CExpr::BusinessBetween(a, b, _)
            | CExpr::AddBusinessDaysBy(a, b, _)
            | CExpr::AddMonthsBy(a, b, _)
            | CExpr::Otherwise(a, b)
            | CExpr::Quant(_, _, a, b) => few([Some(a), Some(b), None]),
            CExpr::InSet(_, x, set, _) => then(Some(x), set),
            CExpr::If(c, a, b) => few([Some(c), Some(a), Some(b)]),
            CExpr::Count(list, cond) => few([Some(list), cond.as_ref().map(|(_, c)| c.as_ref()), None]),
            CExpr::Scope(_, args) | CExpr::Call(_, args) => then(None, args),
        }
    }
}

/// The expressions directly inside one ([`CExpr::children`]): up to three, then any number from
/// a slice, so walking a tree (blame runs per finding) allocates nothing.
pub type Children<'a> =
    std::iter::Chain<std::iter::Flatten<std::array::IntoIter<Option<&'a CExpr>, 3>>, std::slice::Iter<'a, CExpr>>;

/// The unit a count read from the data is put in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountUnit {
    /// Business days (the count itself).
    BusinessDays,
    /// Calendar months, this many per unit counted (12 for years).
    Months(i64),
    /// A duration, this many seconds per unit counted.
    Seconds(i64),
}

/// The questions about staff and roles a rule can ask; arguments in the order written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeFn {
    /// `role_of(staff, on)`: text, missing for someone with no role that day.
    RoleOf,
    /// `may(staff, action, on)` or `may(staff, action, amount, on)`; the amount's currency when it
    /// is money.
    May {
        /// An amount argument is given.
        amount: bool,
        /// Its currency, when it is money.
        currency: Option<super::types::Currency>,
    },
    /// `outranks(senior, junior, on)`.
    Outranks,
    /// `qualified(staff, qualification, on)`.
    Qualified,
    /// `qualified_for(staff, area, on)`.
    QualifiedFor,
}

impl ScopeFn {
    /// The name written in policies, from the registry of built-in functions.
    pub fn name(self) -> &'static str {
        super::builtins::of_scope(self).map_or("", |b| b.name)
    }
}
