//! The registry of diagnostic codes: every code Precept can emit, with a summary and an explanation.
//!
//! Codes are stable: once released, a code is never renamed or reused. A test checks that every code
//! used in the source is listed here and that every listed code is exercised by a fixture.

/// One registered code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// The code, e.g. `precept::type::unknown-field`.
    pub code: &'static str,
    /// One line.
    pub summary: &'static str,
}

/// Every diagnostic code.
pub const CODES: &[CodeInfo] = &[];
