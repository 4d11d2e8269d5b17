//! Applying every rule to a batch of records, in parallel, with findings in input order.
//!
//! Records that hold cost no allocation; a broken rule becomes a [`Hit`] with its message formatted
//! and the blamed field's path, which the reader later turns into a line and column.

use rayon::prelude::*;

use super::blame::{blame, Step};
use super::eval::{eval, vars};
use super::format;
use super::program::MsgPart;
use super::value::Value;
use super::Program;

/// One rule broken by one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index into [`Program::rules`].
    pub rule: usize,
    /// Index of the record in the batch.
    pub record: usize,
    /// Which `require` clause failed (0-based).
    pub require: usize,
    /// The rule's message with the record's values filled in.
    pub message: String,
    /// The field most to blame, as a path of steps from the record.
    pub blame: Vec<Step>,
}

/// Check one record against the rules of its schema, appending hits for record index `index`.
pub fn check_record(program: &Program, schema: usize, index: usize, record: &[Value], out: &mut Vec<Hit>) {
    let Some(info) = program.schemas.get(schema) else { return };
    let cals = program.calendars.as_slice();
    for &ri in &info.rules {
        let Some(rule) = program.rules.get(ri) else { continue };
        let mut vs = vars();
        if let Some(f) = &rule.filter {
            if !eval(f, record, cals, &mut vs).is_true() {
                continue;
            }
        }
        let failed = rule.requires.iter().position(|r| !eval(r, record, cals, &mut vs).is_true());
        if let Some(req) = failed {
            let path = rule.requires.get(req).and_then(|r| blame(r, record, cals)).unwrap_or_default();
            out.push(Hit {
                rule: ri,
                record: index,
                require: req,
                message: message(program, &rule.message, record),
                blame: path,
            });
        }
    }
}

/// Format a rule's message for a record.
pub fn message(program: &Program, parts: &[MsgPart], record: &[Value]) -> String {
    let mut out = String::new();
    let mut vs = vars();
    for p in parts {
        match p {
            MsgPart::Text(t) => out.push_str(t),
            MsgPart::Hole(e, ty) => {
                let v = eval(e, record, &program.calendars, &mut vs);
                format::value(&mut out, program, ty, v);
            }
        }
    }
    out
}

/// Check a batch of records of one schema in parallel; hits come back in record order, then rule
/// order, whatever the number of threads.
pub fn check_batch<R: AsRef<[Value]> + Sync>(program: &Program, schema: usize, records: &[R]) -> Vec<Hit> {
    let mut hits = records
        .par_iter()
        .enumerate()
        .fold(Vec::new, |mut acc, (i, r)| {
            check_record(program, schema, i, r.as_ref(), &mut acc);
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    // INVARIANT: output order is record order then rule order, independent of how rayon split the work.
    hits.sort_by_key(|h| (h.record, h.rule));
    hits
}
