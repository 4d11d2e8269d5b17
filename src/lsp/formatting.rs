//! Formatting through `precept fmt` — NOT WIRED YET.
//!
//! The formatter (`precept::formatter::format_text`) is being written on another branch. Once it
//! is merged, wiring it is:
//!
//! 1. in `server::capabilities`, set `document_formatting_provider: Some(OneOf::Left(true))`;
//! 2. in `Server::request`, answer `lsp_types::request::Formatting::METHOD` with the result of
//!    `crate::formatter::format_text(&SourceFile::new(name, doc_text))`: `Ok(text)` turned into one `TextEdit` replacing the whole document
//!    (range from `Position::default()` to `Lines::position(text, text.len(), enc)`), or `null`
//!    when the text is already formatted, and `null` for `Err` (the diagnostics are shown already);
//! 3. a test in `tests/lsp.rs` that formats a badly laid out policy.
//!
//! Until then the server does not advertise formatting, so no editor asks for it; this module
//! holds no code on purpose (nothing here pretends to format).
