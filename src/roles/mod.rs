//! Staff roles and job scope: role files read into a model, and `precept lint` over them.
//!
//! This sits beside the record pipeline: [`read`] turns role files into an [`model::Org`] with a
//! span on every value, and [`lint`] checks it on its own (references, escalation paths, scope
//! inversions, assignments, qualifications), reporting every problem at once.

pub mod authority;
pub(crate) mod ladder;
pub mod lint;
pub mod model;
pub mod read;
pub mod records;

pub use model::Org;
