//! Rules DuckDB stops on: when a query stops (a value past the 38 digits of its decimals or the 64
//! bits of its whole numbers, where the engine's exact value still has an answer), finding the
//! rules that stop it alone, so that each costs its own findings and never another rule's.
//!
//! Why not catch the error value by value (DuckDB's `TRY`): it turns the error into NULL, which the
//! SQL reads as a computation with no answer, a finding the engine may not make; a rule DuckDB
//! cannot judge is reported instead, and checked with the native engine.

use crate::diagnostics::Diag;
use crate::engine::Program;

/// The code of a rule DuckDB stopped on.
pub const RULE_STOPPED: &str = "precept::engine::rule-stopped";

/// What a stopped rule was not judged on.
pub enum Lost<'a> {
    /// The records of file `.0`, from line `.1` on (all of them when `None`).
    Records(&'a str, Option<usize>),
    /// Its groups or cases: all of them, or (`true`) those after the findings already reported.
    Groups(bool),
}

/// Each of `queries` (a rule and its findings query) run alone to its end, and the rules whose
/// query DuckDB stops, each with why (the first line of DuckDB's error).
pub fn alone(conn: &duckdb::Connection, queries: &[(usize, String)]) -> Vec<(usize, String)> {
    queries
        .iter()
        .filter_map(|(r, sql)| {
            let e = super::stream_raw(conn, sql, |_| Ok(())).err()?;
            Some((*r, first_line(&e.to_string())))
        })
        .collect()
}

/// DuckDB's error as it reads on one line: its first (the rest repeats the query it stopped),
/// less its advice to change the query, which is Precept's to write, not the user's.
pub fn first_line(e: &str) -> String {
    let line = e.lines().next().unwrap_or_default();
    let line = line.split(" You might want to").next().unwrap_or(line);
    line.trim().to_string()
}

/// `precept::engine::rule-stopped`: DuckDB stopped rule `rule` (why: `e`) and did not judge it on
/// what `lost` says; an error, as findings of it may be missing, at the rule.
pub fn diag(program: &Program, rule: usize, lost: Lost<'_>, e: &str) -> Option<Diag> {
    let rule = program.rules.get(rule)?;
    let id = &rule.id;
    let message = match lost {
        Lost::Records(file, None) => format!("DuckDB stopped rule `{id}` on `{file}`, and did not judge it there: {e}"),
        Lost::Records(file, Some(line)) => format!(
            "DuckDB stopped rule `{id}` on `{file}` at the part from line {line}: its findings before that line are reported, none after: {e}"
        ),
        Lost::Groups(false) => format!("DuckDB stopped rule `{id}`, and did not judge its groups: {e}"),
        Lost::Groups(true) => {
            format!("DuckDB stopped rule `{id}` part way: only its findings before it stopped are reported: {e}")
        }
    };
    Some(
        Diag::error(RULE_STOPPED, message)
            .at(&rule.file, rule.id_span, "stopped by DuckDB")
            .help("the other rules were judged; check this rule with the native engine (`--engine native`), whose exact numbers hold what DuckDB's cannot; docs/warehouse.md lists DuckDB's limits"),
    )
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn the_error_is_its_first_line() {
        assert_eq!(
            first_line("Binder Error: no such column\n\nLINE 1: SELECT x FROM t\n              ^"),
            "Binder Error: no such column"
        );
        assert_eq!(
            first_line("Out of Range Error: Overflow in multiplication of DECIMAL(38) (2 * 3). You might want to add an explicit cast"),
            "Out of Range Error: Overflow in multiplication of DECIMAL(38) (2 * 3)."
        );
        assert_eq!(first_line(""), "");
    }
}
