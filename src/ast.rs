//! The syntax tree: what the author wrote, owned and typed, every node with its [`Span`].
//!
//! Produced by [`crate::syntax`] from pest pairs and consumed by [`crate::check`]. Nothing here is
//! resolved or checked yet; names are still text.

use crate::source::{SourceFile, Span};

/// A name as written, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text of the name.
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal, unescaped, with its place (including the quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str {
    /// The unescaped value.
    pub value: String,
    /// Where it was written.
    pub span: Span,
}

/// One parsed policy file.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The file it came from.
    pub source: SourceFile,
    /// Record schemas declared in it.
    pub schemas: Vec<Schema>,
    /// Business calendars declared in it.
    pub calendars: Vec<CalendarDecl>,
    /// Codes of practice declared in it.
    pub codes: Vec<Code>,
}

/// `schema name { ... }`.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Its name.
    pub name: Name,
    /// `files` globs choosing which record files it reads.
    pub files: Vec<Str>,
    /// The field that identifies a record.
    pub identified_by: Option<Name>,
    /// The field whose day decides which version of a rule is in force for a record.
    pub dated_by: Option<Name>,
    /// The field naming the member of staff a record is about.
    pub staff_by: Option<Name>,
    /// The field naming the team a record is about.
    pub team_by: Option<Name>,
    /// `zone "..."`: the zone of its datetimes written without an offset.
    pub zone: Option<Str>,
    /// `records at "result"`: the key (dotted path) of the array a `.json` file holds its records in.
    pub records_at: Option<Str>,
    /// `accept ...`: spellings every field of the schema accepts (where they fit its type).
    pub accept: Vec<Accept>,
    /// `allow unused fields`: none of its fields is an unused-field warning.
    pub allow_unused: Option<Span>,
    /// Its fields.
    pub fields: Vec<FieldDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// `name: type? column "..."`.
#[derive(Debug, Clone)]
pub struct FieldDecl {
    /// The field name.
    pub name: Name,
    /// Its type.
    pub ty: TypeExpr,
    /// Written with `?`: may be missing.
    pub optional: bool,
    /// CSV column name, when it differs from the field path.
    pub column: Option<Str>,
    /// `zone "..."`: the zone of its datetimes written without an offset (nested ones included).
    pub zone: Option<Str>,
    /// `accept ...`: spellings this field accepts beyond its format's defaults.
    pub accept: Vec<Accept>,
    /// `separated by " "`: the separator of a list's items in one CSV cell.
    pub separator: Option<Str>,
    /// `custom field 360001`: read, in JSON, from an `{id, value}` array by id.
    pub custom: Option<CustomField>,
    /// `allow unused`: no unused-field warning for it (nor for the fields inside it).
    pub allow_unused: Option<Span>,
    /// The whole declaration.
    pub span: Span,
}

/// A spelling of values declared with `accept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accept {
    /// `"Y"/"N"`: the texts of true and false.
    Truth(Str, Str),
    /// `numbers in strings`.
    NumbersInStrings(Span),
    /// `empty as missing`.
    EmptyAsMissing(Span),
}

impl Accept {
    /// Where it was written.
    pub fn span(&self) -> Span {
        match self {
            Accept::Truth(t, f) => Span::new(t.span.start, f.span.end),
            Accept::NumbersInStrings(s) | Accept::EmptyAsMissing(s) => *s,
        }
    }
}

/// `custom field 360001 in "custom_fields"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// The id, as written (digits, or a string's value).
    pub id: Str,
    /// The key of the array, when not `custom_fields`.
    pub key: Option<Str>,
    /// The whole clause.
    pub span: Span,
}

/// One value of an enumeration, with the code an export writes for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Its name.
    pub name: Name,
    /// `= 2` or `= "O"`: its code in records.
    pub code: Option<Str>,
}

/// A type as written.
#[derive(Debug, Clone)]
pub enum TypeExpr {
    /// `text`, `integer`, ...
    Scalar(ScalarType, Span),
    /// `money GBP`.
    Money(Name, Span),
    /// `enum { a, b }`, `enum { open = 2 }`.
    Enum(Vec<Variant>, Span),
    /// `list of T`.
    List(Box<TypeExpr>, Span),
    /// `{ fields }`.
    Object(Vec<FieldDecl>, Span),
}

/// The built-in scalar types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    /// `text`.
    Text,
    /// `integer`.
    Integer,
    /// `decimal`.
    Decimal,
    /// `boolean`.
    Boolean,
    /// `date`.
    Date,
    /// `datetime`.
    DateTime,
    /// `duration`.
    Duration,
}

/// `calendar name { ... }` or `calendar name from "file.toml"`.
#[derive(Debug, Clone)]
pub struct CalendarDecl {
    /// Its name.
    pub name: Name,
    /// Where its definition is.
    pub body: CalendarBody,
    /// The whole declaration.
    pub span: Span,
}

/// The definition of a calendar.
#[derive(Debug, Clone)]
pub enum CalendarBody {
    /// Written inline.
    Inline {
        /// `zone "..."`.
        zone: Option<Str>,
        /// `working mon, tue, ...`.
        working: Vec<Name>,
        /// `cutoff 17:00`, as text and place.
        cutoff: Option<Name>,
        /// `holidays 2024-12-25, ...`, as text and place.
        holidays: Vec<Name>,
    },
    /// `from "path"`.
    File(Str),
}

/// The four levels of codes of practice.
///
/// ```
/// use precept::CodeLevel;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,40m\n",
/// # );
///
/// let run = engine.check([tickets]);
/// let levels: Vec<CodeLevel> = run.findings.iter().map(|f| f.level()).collect();
/// assert_eq!(levels, [CodeLevel::Industry, CodeLevel::Organisational]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeLevel {
    /// Alike for every business in a sector.
    Industry,
    /// One company's own charter.
    Organisational,
    /// Drawn up by a professional body.
    Professional,
    /// Fair trade, fair treatment.
    Ethical,
}

impl CodeLevel {
    /// The keyword for this level.
    ///
    /// ```
    /// use precept::CodeLevel;
    /// assert_eq!(CodeLevel::Organisational.as_str(), "organisational");
    /// assert_eq!(CodeLevel::Industry.as_str(), "industry");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CodeLevel::Industry => "industry",
            CodeLevel::Organisational => "organisational",
            CodeLevel::Professional => "professional",
            CodeLevel::Ethical => "ethical",
        }
    }
}

/// `code "name" { ... }`.
#[derive(Debug, Clone)]
pub struct Code {
    /// Its name.
    pub name: Str,
    /// `level ...`.
    pub level: Option<(CodeLevel, Span)>,
    /// `version "..."`.
    pub version: Option<Str>,
    /// `source "..."`.
    pub source: Option<Str>,
    /// `calendar name`.
    pub calendar: Option<Name>,
    /// `effective from ... until ...`: when the whole code is in force.
    pub effective: Option<Effective>,
    /// `extends "name"`: the code whose rules this one inherits.
    pub extends: Option<Str>,
    /// `not waivable`: where it was said, if it was.
    pub not_waivable: Option<Span>,
    /// `clause "id" "title"`: the clauses the code lists, in the order written.
    pub clauses: Vec<ClauseDecl>,
    /// `let` and `define`: named expressions shared by its rules (and by codes extending it).
    pub definitions: Vec<Definition>,
    /// Its rules.
    pub rules: Vec<Rule>,
    /// The whole declaration.
    pub span: Span,
}

/// `clause "DISP 1.6.2R" "Acknowledge a complaint promptly"`: a clause a code lists, so that one no
/// rule cites shows as a gap, and a rule citing one not listed is caught.
#[derive(Debug, Clone)]
pub struct ClauseDecl {
    /// The clause's id, as the code numbers it and as rules `cite` it.
    pub id: Str,
    /// Its short title, when one is given.
    pub title: Option<Str>,
    /// The whole item.
    pub span: Span,
}

/// Severity of a rule's findings.
///
/// ```
/// use precept::{Severity, Status};
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "Industry code" { level industry
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// #   code "House rules" { level organisational
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// # let tickets = precept::Records::bytes(
/// #     "tickets.csv",
/// #     "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,40m\n",
/// # );
///
/// let run = engine.check([tickets]);
/// let severities: Vec<Severity> = run.findings.iter().map(|f| f.severity()).collect();
/// assert_eq!(severities, [Severity::Error, Severity::Warning]);
/// assert_eq!(run.status(), Status::Findings);
/// // Ordered from the worst: by default a run fails on errors only, so warnings alone pass.
/// assert!(Severity::Error < Severity::Warning && Severity::Warning < Severity::Info);
/// assert_eq!(run.fail_on, Severity::Error);
/// let run = engine.check([precept::Records::bytes("tickets.csv", "id,team,waited\nT-4,Sales,45m\nT-5,Sales,50m\n")]);
/// assert_eq!(run.findings[0].severity(), Severity::Warning);
/// assert_eq!(run.status(), Status::Clean);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Breaks the code; fails the run.
    Error,
    /// Should be looked at.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// The keyword for this severity.
    ///
    /// ```
    /// use precept::Severity;
    /// assert_eq!(Severity::Warning.as_str(), "warning");
    /// assert_eq!(Severity::Info.as_str(), "info");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// `rule id { ... }`.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its stable id.
    pub id: Name,
    /// `title "..."`.
    pub title: Option<Str>,
    /// `severity ...`.
    pub severity: Option<(Severity, Span)>,
    /// `cite "..."`.
    pub cite: Option<Str>,
    /// `effective from ... until ...`: when this version of the rule is in force.
    pub effective: Option<Effective>,
    /// `relaxes "why"`: an override that is knowingly more lenient than the rule it replaces.
    pub relaxes: Option<Str>,
    /// `calendar name`: the business calendar this rule counts in, instead of its code's.
    pub calendar: Option<Name>,
    /// `for schema where ...`.
    pub scope: Option<Scope>,
    /// `group by ...`: the rule judges groups of records rather than each record.
    pub group: Option<Group>,
    /// `case by ...`: the rule follows obligations through the records of each case.
    pub sequence: Option<Sequence>,
    /// `require ...` clauses, all of which must hold.
    pub requires: Vec<Expr>,
    /// `message "..."`.
    pub message: Option<Template>,
    /// `help "..."`: a template like the message, filled in per finding.
    pub help: Option<Template>,
    /// `let name = expr`: named values of this rule, in the order written. Once `check::lets` has
    /// written them out where they are used, only the lets nothing uses are left, so that they are
    /// still type-checked.
    pub lets: Vec<Definition>,
    /// The whole declaration.
    pub span: Span,
}

/// `let name = expr` (in a rule or a code) or `define name(a, b) = expr` (in a code): a name for an
/// expression, expanded where it is used (see `check::lets`).
#[derive(Debug, Clone)]
pub struct Definition {
    /// Its name.
    pub name: Name,
    /// `define`'s parameters; `None` for a `let`.
    pub params: Option<Vec<Name>>,
    /// The expression it names.
    pub value: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `group by k1, k2 as name`, with the group rule's other clauses.
#[derive(Debug, Clone)]
pub struct Group {
    /// The parts of the key, each with its name.
    pub keys: Vec<(Name, Expr)>,
    /// `minimum N records`: smaller groups are not judged.
    pub minimum: Option<(u64, Span)>,
    /// `expect every <period> of <expr>`: a presence rule.
    pub expect: Option<Expect>,
    /// The `group by` clause.
    pub span: Span,
}

/// `case by key`, with the events that open, close, pause and resume each case's obligation.
#[derive(Debug, Clone)]
pub struct Sequence {
    /// The case key, over the rule's own records.
    pub key: Expr,
    /// The events, in the order written.
    pub events: Vec<Event>,
    /// `within 8 weeks` or `within 3 business days`: the deadline from the opening. Read from the
    /// opening record when it is not a literal (`within record.agreed_days business days`).
    pub within: Option<(Expr, Span)>,
    /// `until record.extended_to` after `within`, or `by record.due_at` alone: a deadline that is a
    /// date or datetime of the opening record.
    pub until: Option<Until>,
    /// `version by receipt` or `version by record.received_at`: the date that picks the version of
    /// the rule judging a case (by default the case's first event).
    pub version: Option<(VersionBy, Span)>,
    /// `in any order`: an opening is matched by a closing before or after it.
    pub any_order: Option<Span>,
    /// The `case by` clause.
    pub span: Span,
}

/// A deadline that is a date or datetime of the opening record.
#[derive(Debug, Clone)]
pub struct Until {
    /// The date or datetime.
    pub at: Expr,
    /// `by <expr>`: the only deadline, so it must have a value; after `within ... until` a missing
    /// value leaves the span alone to decide.
    pub alone: bool,
    /// The clause.
    pub span: Span,
}

/// The date that picks which version of a case rule judges a case.
#[derive(Debug, Clone)]
pub enum VersionBy {
    /// `version by receipt`: the case's first opening event.
    Receipt,
    /// `version by record.received_at`: the earliest such date of the case's own records.
    Field(Expr),
}

/// What an event does to an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    /// Starts the obligation (and its clock).
    Opens,
    /// Stops the clock (waiting on the customer).
    Pauses,
    /// Starts the clock again.
    Resumes,
    /// Discharges the obligation.
    Closes,
}

impl EventKind {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Opens => "opens",
            EventKind::Pauses => "pauses",
            EventKind::Resumes => "resumes",
            EventKind::Closes => "closes",
        }
    }
}

/// `opens [on schema] [when cond] at time [case key]`.
#[derive(Debug, Clone)]
pub struct Event {
    /// What it does.
    pub kind: EventKind,
    /// Records of another schema (the rule's own when absent).
    pub schema: Option<Name>,
    /// Only records where this holds.
    pub when: Option<Expr>,
    /// When it happened.
    pub at: Expr,
    /// For another schema's records: the case they belong to.
    pub key: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// The periods a presence rule counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Every calendar day.
    Day,
    /// Every business day of the code's calendar.
    BusinessDay,
    /// Every week (Monday to Sunday).
    Week,
    /// Every calendar month.
    Month,
    /// Every calendar year.
    Year,
}

impl Period {
    /// As written after `every`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::BusinessDay => "business day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
        }
    }
}

/// `expect every business day of record.held_at from D until D`.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The period.
    pub period: Period,
    /// `every business day in nsw of ...`: the calendar its periods are counted in, instead of the
    /// rule's or code's.
    pub calendar: Option<Name>,
    /// The date or datetime that places a record in a period.
    pub on: Expr,
    /// First day of the range, as written; by default the first record's.
    pub from: Option<(String, Span)>,
    /// Last day of the range, as written; by default the last record's.
    pub until: Option<(String, Span)>,
    /// `for each team in ...`: the groups expected, including those with no record at all.
    pub groups: Option<ExpectedGroups>,
    /// The whole clause.
    pub span: Span,
}

/// `for each team in "complaints", "retail"` / `for each team in roles`.
#[derive(Debug, Clone)]
pub struct ExpectedGroups {
    /// The part of the group key they are values of.
    pub key: Name,
    /// Where the values come from.
    pub from: ExpectedFrom,
    /// The whole `for each ...`.
    pub span: Span,
}

/// Where a presence rule's expected groups come from.
#[derive(Debug, Clone)]
pub enum ExpectedFrom {
    /// Written in the policy.
    Listed(Vec<Str>),
    /// `roles`: the teams of the staff in the role files (`--roles`), at `Span`.
    Roles(Span),
}

/// `effective from 2026-01-01 until 2026-12-31`: first and last day in force, as written.
#[derive(Debug, Clone)]
pub struct Effective {
    /// The first day, if bounded.
    pub from: Option<(String, Span)>,
    /// The last day, if bounded.
    pub until: Option<(String, Span)>,
    /// The whole clause.
    pub span: Span,
}

/// `for schema where condition`.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The schema of the records the rule applies to.
    pub schema: Name,
    /// Only records where this holds.
    pub filter: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// A message or help with `{expression}` holes.
#[derive(Debug, Clone)]
pub struct Template {
    /// Literal text and holes, in order.
    pub parts: Vec<TemplatePart>,
    /// The whole string.
    pub span: Span,
}

/// A piece of a [`Template`].
#[derive(Debug, Clone)]
pub enum TemplatePart {
    /// Literal text, unescaped.
    Text(String),
    /// `{expression}`.
    Hole(Expr),
}

/// An expression with its place.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The expression forms.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// `a.b.c`: a field path or (a single name) an enumeration value.
    Path(Vec<Name>),
    /// `42`.
    Integer(i64),
    /// `12.5`, as written.
    Decimal(String),
    /// `50.00 GBP`: amount as written, currency.
    Money(String, Name),
    /// `"text"`.
    Text(String),
    /// `true`, `false`.
    Bool(bool),
    /// `2024-12-25`, as written.
    Date(String),
    /// `2024-03-01T09:00:00Z`, as written.
    DateTime(String),
    /// `24h`, `8 weeks`: in seconds.
    Duration(i64),
    /// `3 business days`, or `3 business days in nsw` (counted in the calendar named).
    BusinessDays(i64, Option<Name>),
    /// `3 months`, `1 year`: a calendar span in months (a year is 12), not a length of time.
    Months(i64),
    /// `record.agreed_days business days`: a number of business days counted from a value.
    BusinessDaysOf(Box<Expr>, Option<Name>),
    /// `record.n months` (false) or `record.n years` (true): a calendar span counted from a value.
    MonthsOf(Box<Expr>, bool),
    /// `record.n days`, `record.n hours`: a duration counted from a value, in seconds per unit.
    DurationOf(Box<Expr>, i64),
    /// `{a, b}`.
    Set(Vec<Expr>),
    /// Prefix operators.
    Unary(UnaryOp, Box<Expr>),
    /// Infix operators.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x is present` (true) / `x is missing` (false).
    Presence(Box<Expr>, bool),
    /// `x otherwise default`.
    Otherwise(Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `all(x in list: cond)` and friends.
    Quantifier(Quantifier, Name, Box<Expr>, Box<Expr>),
    /// `count(list)` or `count(x in list: cond)`.
    Count(Option<Name>, Box<Expr>, Option<Box<Expr>>),
    /// `count()`: the records in a group.
    CountAll,
    /// `5%`: a share, as the fraction written (`0.05`).
    Percent(String),
    /// `business days between(a, b)`, or `... in nsw` (counted in the calendar named).
    BusinessBetween(Box<Expr>, Box<Expr>, Option<Name>),
    /// `name(arguments)`: a question about staff and roles.
    Call(Name, Vec<Expr>),
    /// `now`: the evaluation time.
    Now,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `implies`.
    Implies,
    /// `or`.
    Or,
    /// `and`.
    And,
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
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `contains`.
    Contains,
    /// `starts with`.
    StartsWith,
    /// `ends with`.
    EndsWith,
    /// `matches`.
    Matches,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Implies => "implies",
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Contains => "contains",
            BinaryOp::StartsWith => "starts with",
            BinaryOp::EndsWith => "ends with",
            BinaryOp::Matches => "matches",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// Which quantifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// Every element.
    All,
    /// At least one element.
    Any,
    /// No element.
    None,
}
