//! Precept checks what staff did for customers against the codes of practice they work to.
//!
//! Codes of practice are written as rules in a small, typed policy language (`docs/language.md`);
//! Precept checks the policies before anything runs, then streams service records (CSV, JSON, JSON
//! Lines, TOML) through them and reports every broken rule as a [`Finding`] that points at the
//! offending field of the record and at the rule it broke. The `precept` command line is one client
//! of this library; [`Engine`] is the way in for any other.
//!
//! # Example
//!
//! Compile a policy given as text, check records given as bytes, read the findings as values and
//! render a report:
//!
//! ```
//! use precept::{Engine, Records, Status, Subject};
//!
//! let policy = r#"
//! schema ticket {
//!   identified by id
//!   id: text
//!   waited: duration
//! }
//! code "House rules" {
//!   level organisational
//!   rule answered-quickly {
//!     title "Tickets are answered within an hour"
//!     for ticket
//!     require record.waited <= 1h
//!     message "ticket {record.id} waited {record.waited}"
//!   }
//! }
//! "#;
//! // Each policy has a name, shown in diagnostics; `Err` would hold every problem found in it.
//! let engine = Engine::from_sources([("house.precept", policy)]).expect("the policy compiles");
//!
//! // Records in memory: the format is the name's extension (here CSV).
//! let run = engine.check([Records::bytes("tickets.csv", "id,waited\nT-1,20m\nT-2,3h\n")]);
//!
//! assert_eq!(run.findings.len(), 1);
//! let finding = &run.findings[0];
//! assert_eq!(finding.subject, Subject::Record);
//! assert_eq!(finding.rule_id(), "answered-quickly");
//! assert_eq!(finding.record_id.as_deref(), Some("T-2"));
//! assert_eq!((finding.line, finding.field.as_str()), (3, "waited"));
//! assert_eq!(finding.message, "ticket T-2 waited 3h");
//! assert_eq!((run.summary.records, run.summary.clean_records()), (2, 1));
//! assert!(run.diagnostics.is_empty());
//! assert_eq!(run.status(), Status::Findings);
//!
//! // Any format in `report::FORMATS` renders the whole run.
//! let text = run.report("human", "2026-01-01T00:00:00").expect("a known format");
//! assert!(text.contains("ticket T-2 waited 3h"));
//! assert!(text.contains("checked 2 records in 1 file"));
//! ```
//!
//! # How it works
//!
//! One way through, one step per module: policy text is parsed into a syntax tree, checked (names,
//! types, missing values) and compiled into a program; records are read and evaluated against it;
//! each broken rule becomes a [`Finding`] (waived or baselined by the engine's settings); reports
//! ([`report::Report`], one per format in [`report::FORMATS`]) are written from findings and the
//! run's [`Summary`] alone. Problems at any step are [`Diagnostic`]s, values with a stable code.
//!
//! # What is public
//!
//! The items at the crate root (chiefly [`Engine`], [`Records`], [`Run`] and [`Finding`]), the
//! [`findings`] module (findings, their rules and the counts) and the [`report`] module (the report
//! trait and its formats). The other modules are public only so that the command line, the tests,
//! the benchmarks and the fuzz targets can reach them: they are hidden from these docs and carry no
//! stability promise.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs)]

// The facade: documented, with an example on every item.
pub mod api;
pub mod findings;
pub mod report;

// Internals: `pub` for the binary, the integration tests, the benchmarks and the fuzz targets, but
// hidden from the docs and with no stability promise; embedders use the facade above and the
// re-exports below.
#[doc(hidden)]
pub mod ast;
#[doc(hidden)]
pub mod calendar;
#[doc(hidden)]
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod data;
#[doc(hidden)]
pub mod diagnostics;
#[doc(hidden)]
#[cfg(feature = "duckdb")]
pub mod duck;
#[doc(hidden)]
pub mod engine;
#[doc(hidden)]
pub mod formatter;
#[doc(hidden)]
pub mod glob;
#[doc(hidden)]
pub mod input;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod lsp;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod output_file;
#[doc(hidden)]
pub mod pipeline;
#[doc(hidden)]
pub mod policytest;
#[doc(hidden)]
pub mod progress;
// Findings exported from a warehouse read back into the reports (docs/warehouse.md).
#[doc(hidden)]
pub mod readback;
#[doc(hidden)]
pub mod roles;
#[doc(hidden)]
pub mod source;
// Rules compiled to SQL for a warehouse (`precept sql`, docs/warehouse.md): internal until its
// interface settles with the DuckDB engine.
#[doc(hidden)]
pub mod sql;
#[doc(hidden)]
pub mod suppress;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod text;
#[doc(hidden)]
pub mod workspace;

// Shown on the front page as the crate's own items (they are the API), not as re-exports.
#[doc(inline)]
pub use api::{AsOf, Engine, EvaluationTime, Options, PolicySource, Records, Run, Status};
// Types the facade's signatures and fields name, re-exported so an embedder can name them without
// reaching into the hidden modules.
pub use ast::{CodeLevel, Severity};
pub use data::Format;
pub use diagnostics::Diag as Diagnostic;
pub use diagnostics::{Label as DiagnosticLabel, Level as DiagnosticLevel};
pub use engine::authority::Evidence;
#[doc(inline)]
pub use findings::{Finding, Standing, Subject, Summary};
/// The date and time library of [`Options::as_of`] and of record values: jiff, re-exported so an
/// embedder names the same version.
pub use jiff;
pub use source::{SourceFile, Span};

/// Compiles the README's Rust examples as doctests, so the "Embedding Precept" example cannot go
/// stale (every untagged code block in README.md is Rust).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
