//! Precept: codes of practice as typed policies, checked against service records.
pub mod ast;
pub mod calendar;
pub mod diagnostics;
pub mod source;
pub mod syntax;
pub mod check;
pub mod engine;
pub mod workspace;
