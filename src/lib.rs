//! Precept: codes of practice as typed policies, checked against service records.
//!
//! The pipeline runs one way, one module per step:
//! text ([`source`]) -> syntax tree ([`syntax`], [`ast`]) -> checked, compiled policy ([`check`],
//! [`engine::program`]) -> evaluation over streamed records ([`data`], [`engine`]) -> findings
//! ([`pipeline`]) -> waived or baselined ([`suppress`]) -> reports ([`report`]). [`diagnostics`]
//! carries problems found at any step;
//! [`calendar`] is the business-day arithmetic the engine uses; [`workspace`] reads policy folders
//! from disk; [`policytest`] runs the tests written beside policies; [`cli`] is the command line. The language core (`syntax`, `check`, `engine`) does no
//! I/O and knows nothing of the command line or output formats.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

pub mod api;
pub mod ast;
pub mod calendar;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod data;
pub mod diagnostics;
pub mod engine;
pub mod findings;
pub mod glob;
pub mod input;
#[cfg(feature = "cli")]
pub mod output_file;
pub mod pipeline;
pub mod policytest;
pub mod report;
pub mod roles;
pub mod source;
pub mod suppress;
pub mod syntax;
pub mod text;
pub mod workspace;

pub use api::{Diagnostic, Engine, Options, PolicySource, Records, Run, Status};
pub use ast::Severity;
pub use data::Format;
pub use findings::{Finding, Standing, Subject, Summary};
