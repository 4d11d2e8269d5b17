//! The compiled policy and its evaluation over records: pure, no I/O.
//!
//! [`program`] holds what the checker produces; [`eval`] evaluates one expression over one record;
//! [`run`] applies every rule to a batch of records in parallel and returns findings in input order;
//! [`group`] folds records into the groups of rules over groups (and the cases of rules that follow
//! cases) and judges them at the end; [`obligation`] replays a case's events; [`num`] is the exact
//! arithmetic of decimals and money; [`builtins`] is the one registry of built-in functions.

pub mod as_of;
pub mod authority;
pub mod blame;
pub mod builtins;
pub mod eval;
pub mod format;
pub mod group;
pub mod months;
pub mod num;
pub mod obligation;
pub mod pattern;
pub mod program;
pub mod redact;
pub mod run;
pub mod types;
pub mod unanswered;
pub mod value;
pub mod verdict;

pub use program::Program;
