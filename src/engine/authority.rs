//! What rules may ask about staff and their job roles, without the engine knowing how roles are
//! written down.
//!
//! Policies call `role_of`, `may`, `outranks`, `qualified` and `qualified_for`; the engine evaluates
//! their arguments and puts the question to an [`Authority`], which the caller supplies (Precept's
//! own is built from role files in [`crate::roles`]). Keeping the engine behind this trait means the
//! language core depends on no file format, and a test can answer with a table.
//!
//! Questions about a day use the civil date: a datetime argument is taken on the date it has at the
//! UTC offset it was written with, which is the local date the member of staff saw.

use super::num::Num;
use jiff::civil::Date;
use jiff::SignedDuration;

use super::types::Currency;

/// A quantity an action was taken for, to compare with a role's limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// Money in a currency.
    Money(Num, Currency),
    /// A plain number: a percentage or a count, according to the action's kind of limit.
    Number(Num),
    /// A length of time.
    Duration(SignedDuration),
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Money(d, c) => {
                let mut shown = String::new();
                super::format::money(&mut shown, *d, Some(*c));
                write!(f, "{shown} {c}")
            }
            Amount::Number(d) => write!(f, "{d}"),
            Amount::Duration(d) => f.write_str(&super::format::duration(*d)),
        }
    }
}

/// One question a rule puts about staff and roles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Query<'a> {
    /// `may(staff, action, amount?, on)`: the role `staff` held on `on` may take `action`, for
    /// `amount` if one is given.
    May {
        /// Staff id.
        staff: &'a str,
        /// Action name.
        action: &'a str,
        /// The amount, when the record gives one.
        amount: Option<Amount>,
        /// The day.
        on: Date,
    },
    /// `outranks(senior, junior, on)`: on `on`, the role `senior` held is above the role `junior`
    /// held on the junior's escalation path.
    Outranks {
        /// Who is meant to be senior (the one referred to).
        senior: &'a str,
        /// Who referred.
        junior: &'a str,
        /// The day.
        on: Date,
    },
    /// `qualified(staff, qualification, on)`: a current qualification on that day.
    Qualified {
        /// Staff id.
        staff: &'a str,
        /// Qualification id.
        qualification: &'a str,
        /// The day.
        on: Date,
    },
    /// `qualified_for(staff, area, on)`: every qualification the area requires, current that day.
    QualifiedFor {
        /// Staff id.
        staff: &'a str,
        /// Training or advice area id.
        area: &'a str,
        /// The day.
        on: Date,
    },
}

/// Why a question had the answer it had: shown under a finding so the reader sees the facts the
/// rule was judged on (the staff member, the role that day, the limit, the amount, the path up).
///
/// ```
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  team: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule few-long-waits { title "At most one long wait per team" severity warning for ticket
/// #       group by record.team  require count(record.waited > 30m) <= 1
/// #       message "team {group.team} had {count(record.waited > 30m)} long waits" } }
/// # "#)]).unwrap();
/// let tickets = "id,team,waited\nT-1,Returns,20m\nT-2,Returns,3h\nT-3,Returns,90m\n";
/// let run = engine.check([precept::Records::bytes("tickets.csv", tickets)]);
/// let evidence = &run.findings[0].evidence[0];
/// assert_eq!(evidence.summary, "count(record.waited > 30m): 2 of 3 records");
/// let value = evidence.facts.iter().find(|(name, _)| *name == "value").map(|(_, v)| v.as_str());
/// assert_eq!(value, Some("2"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Evidence {
    /// One sentence, for people.
    pub summary: String,
    /// The facts, by name, in a fixed order, for machines (`staff`, `on`, `role`, `limit`, ...).
    pub facts: Vec<(&'static str, String)>,
}

/// Answers questions about staff and their roles on a given day.
pub trait Authority: Sync {
    /// The id of the role `staff` held on `on`, if they were a member of staff holding one.
    fn role_of(&self, staff: &str, on: Date) -> Option<&str>;
    /// The answer to a yes-or-no question; someone unknown has no authority and no qualification.
    fn judge(&self, q: &Query<'_>) -> bool;
    /// The facts behind the answer to `q`; only asked for records that broke a rule.
    fn explain(&self, q: &Query<'_>) -> Evidence;
    /// The teams of the staff employed on some day from `from` to `until` (both included), each
    /// once, sorted: the groups a presence rule `for each team in roles` expects. An authority
    /// that knows no teams has none.
    fn teams(&self, from: Date, until: Date) -> Vec<String> {
        let _ = (from, until);
        Vec::new()
    }
}
