//! Staff roles and the staff who hold them, as read from role files: every value keeps its place.

use jiff::civil::Date;
use jiff::SignedDuration;
use rust_decimal::Decimal;

use crate::engine::types::Currency;
use crate::source::{SourceFile, Span};

/// Where something was written.
#[derive(Debug, Clone)]
pub struct Place {
    /// The role file.
    pub file: SourceFile,
    /// The span in it.
    pub span: Span,
}

/// What kind of limit an action takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// An amount of money in one currency.
    Money(Currency),
    /// A percentage.
    Percent,
    /// A whole number per case.
    Count,
    /// A length of time.
    Duration,
    /// Allowed or not, no limit.
    None,
}

impl LimitKind {
    /// The word used in role files.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Money(_) => "money",
            LimitKind::Percent => "percent",
            LimitKind::Count => "count",
            LimitKind::Duration => "duration",
            LimitKind::None => "none",
        }
    }
}

/// A limit a role may act up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd)]
pub enum Limit {
    /// Allowed, without a limit.
    Allowed,
    /// Up to an amount.
    Money(Decimal, Currency),
    /// Up to a percentage.
    Percent(Decimal),
    /// Up to a count.
    Count(i64),
    /// Up to a length of time.
    Duration(SignedDuration),
}

impl Limit {
    /// True when `self` allows at least as much as `other` (limits of different kinds never compare).
    pub fn covers(&self, other: &Limit) -> bool {
        match (self, other) {
            (Limit::Allowed, _) => true,
            (Limit::Money(a, c), Limit::Money(b, d)) => c == d && a >= b,
            (Limit::Percent(a), Limit::Percent(b)) => a >= b,
            (Limit::Count(a), Limit::Count(b)) => a >= b,
            (Limit::Duration(a), Limit::Duration(b)) => a >= b,
            _ => false,
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Allowed => f.write_str("without limit"),
            Limit::Money(a, c) => write!(f, "up to {a} {c}"),
            Limit::Percent(p) => write!(f, "up to {p}%"),
            Limit::Count(n) => write!(f, "up to {n}"),
            Limit::Duration(d) => write!(f, "up to {}", crate::engine::format::duration(*d)),
        }
    }
}

/// An entry of the action vocabulary.
#[derive(Debug, Clone)]
pub struct ActionDef {
    /// Its name.
    pub id: String,
    /// The limit it takes.
    pub kind: LimitKind,
    /// Where it was declared.
    pub place: Place,
}

/// A declared qualification or training area.
#[derive(Debug, Clone)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// Where it was declared.
    pub place: Place,
    /// For an area where advice is regulated: the qualifications an adviser must hold.
    pub requires: Vec<Ref>,
}

/// A reference by id, with the place it was written.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The id referred to.
    pub id: String,
    /// Where.
    pub place: Place,
}

/// An action a role may take.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The action.
    pub action: Ref,
    /// Up to what.
    pub limit: Limit,
}

/// A job role.
#[derive(Debug, Clone)]
pub struct Role {
    /// Its id (place: the id value).
    pub id: Ref,
    /// Its title.
    pub title: String,
    /// Its department.
    pub department: Option<String>,
    /// Its senior.
    pub escalates_to: Option<Ref>,
    /// A top role has no senior.
    pub top: bool,
    /// Qualifications it requires.
    pub requires: Vec<Ref>,
    /// Areas it must be trained in.
    pub trained_in: Vec<Ref>,
    /// What it may do.
    pub may: Vec<Grant>,
}

/// A period a staff member held a role, both ends inclusive.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// The role.
    pub role: Ref,
    /// First day.
    pub from: Date,
    /// Last day; `None` while it lasts.
    pub until: Option<Date>,
    /// The whole entry.
    pub place: Place,
}

/// A qualification a staff member holds.
#[derive(Debug, Clone)]
pub struct Held {
    /// The qualification.
    pub id: Ref,
    /// When it was issued.
    pub issued: Date,
    /// When it expires, if it does.
    pub expires: Option<Date>,
    /// The whole entry.
    pub place: Place,
}

/// Training a staff member completed.
#[derive(Debug, Clone)]
pub struct Training {
    /// The area.
    pub area: Ref,
    /// When.
    pub completed: Date,
}

/// A member of staff.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Their id (place: the id value).
    pub id: Ref,
    /// Their name.
    pub name: String,
    /// Their team.
    pub team: Option<String>,
    /// First day employed.
    pub employed_from: Date,
    /// Last day employed, if they have left.
    pub employed_until: Option<Date>,
    /// Where the employment period is written.
    pub employed: Place,
    /// Role assignments.
    pub roles: Vec<Assignment>,
    /// Qualifications held.
    pub qualifications: Vec<Held>,
    /// Training completed.
    pub training: Vec<Training>,
    /// An assignment could not be read (and was reported), so gaps and overlaps are not judged.
    pub incomplete: bool,
}

/// Everything in a folder of role files.
#[derive(Debug, Clone, Default)]
pub struct Org {
    /// The action vocabulary.
    pub actions: Vec<ActionDef>,
    /// Declared qualifications.
    pub qualifications: Vec<Named>,
    /// Declared training areas.
    pub areas: Vec<Named>,
    /// Job roles.
    pub roles: Vec<Role>,
    /// Staff.
    pub staff: Vec<Staff>,
}
