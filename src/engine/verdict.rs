//! What judging a group or a case gives: the group or case that broke a rule, with the records to
//! show for it. Shared by [`super::group`] and [`super::obligation`].

use super::authority::Evidence;

/// A record of a group, as shown with a finding: where it is and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Index of its file in the run.
    pub file: usize,
    /// Its 0-based position in the file.
    pub ordinal: usize,
    /// The 1-based line where it starts.
    pub line: usize,
    /// Its id, where the schema names one.
    pub id: Option<String>,
}

/// A group that broke a group rule.
#[derive(Debug, Clone)]
pub struct GroupHit {
    /// Index into [`Program::rules`](super::Program::rules).
    pub rule: usize,
    /// The group's key: each part's name and value, as shown.
    pub key: Vec<(String, String)>,
    /// The `require` that failed, or `None` for a period with no record in a presence rule.
    pub require: Option<usize>,
    /// The rule's message with the group's values.
    pub message: String,
    /// The rule's help with the group's values, when it has holes to fill in.
    pub help: Option<String>,
    /// The figures the group was judged on: each aggregate, or the missing period.
    pub evidence: Vec<Evidence>,
    /// A few of the group's records (for a share, ones the condition held for).
    pub samples: Vec<Sample>,
    /// The group's values as its message reads them (keys, period, aggregates), so that a caller
    /// can read each value apart from the message's wording (`precept sql`'s differential tests).
    pub values: Vec<crate::engine::value::Value>,
    /// For a case rule whose message reads the record that opened the obligation
    /// (`opening.<field>`): that record as the message reads it, as wide as the message's opening
    /// shape, the fields it does not read missing; `None` otherwise.
    pub opening: Option<Vec<crate::engine::value::Value>>,
}
