//! The pest parser generated from `grammar/precept.pest`.

#![allow(missing_docs)]

use pest_derive::Parser;

/// The generated parser; its `Rule` enum names every grammar rule.
#[derive(Parser)]
#[grammar = "../grammar/precept.pest"]
pub struct PreceptParser;
