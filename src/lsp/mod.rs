//! `precept lsp`: a language server over stdio, for editors.
//!
//! It offers what `precept check` and `precept lint` know, as the user types: the diagnostics of
//! the whole policy folder and of the role files (with the editor's unsaved text), hover, go to
//! definition, find references, completion and an outline. The language core knows nothing of
//! the protocol: names and places come from [`crate::check::index`], diagnostics are the checker's
//! own [`crate::diagnostics::Diag`]s, converted at the edge.
//!
//! One module per job: [`transport`] (framing on stdio), [`server`] (the loop and its state),
//! [`project`] (which files a workspace folder holds, parsed, checked and linted), [`documents`]
//! and [`position`] (open texts; UTF-16 positions to byte offsets), [`diagnostics`], [`hover`],
//! [`navigate`] (definition and references), [`completion`], [`symbols`], and [`formatting`]
//! (through `precept fmt`'s formatter).

pub mod completion;
pub mod diagnostics;
pub mod documents;
pub mod formatting;
pub mod hover;
pub mod navigate;
pub mod position;
pub mod project;
pub mod server;
pub mod spot;
pub mod symbols;
pub mod transport;

pub use server::run;
