//! Findings read back from a warehouse: the rows of `precept sql`'s `precept_findings` view,
//! exported as CSV (with a header) or JSON Lines, made into the [`Finding`]s `precept check` makes
//! of the same records, so the same reports, waivers, baselines and exit statuses apply.
//!
//! [`rows`] reads a file's rows (each at its line, for diagnostics and for placing findings);
//! [`finding`] rebuilds each against the compiled policies: the rule's title, code, level,
//! severity, help and citations come from the policies, the row gives only which rule, which
//! record or group, the field blamed and the message's values. A row the policies cannot place
//! is a diagnostic naming the file and row; the other rows are still read.
//! Pure: the caller reads the files (docs/warehouse.md, "Reading findings back").

pub mod finding;
pub mod rows;

use std::sync::Arc;

use crate::diagnostics::Diag;
use crate::engine::authority::Authority;
use crate::engine::Program;
use crate::findings::{Catalogue, Outcome};
use crate::pipeline::Consumer;
use crate::source::SourceFile;

/// Hand the findings of every row of `files` (the exported rows, read whole) to `consumer`, in
/// file and row order; `found` are the problems reading them so far. The outcome counts the
/// records the rows name as the records checked: the rows hold only records with findings.
pub fn check(
    program: &Program,
    authority: Option<&dyn Authority>,
    files: &[SourceFile],
    found: Vec<Diag>,
    consumer: &mut Consumer<'_>,
) -> Outcome {
    let mut out = Outcome {
        diagnostics: found,
        files: files.len(),
        evaluation: program.evaluation.clone(),
        ..Outcome::default()
    };
    let catalogue = Catalogue::of(program, authority.is_some());
    let rules = finding::Rules::new(program);
    let mut records = std::collections::HashSet::new();
    for file in files {
        let name: Arc<str> = Arc::clone(&file.name);
        for (index, row) in rows::read(file, &mut out.diagnostics).into_iter().enumerate() {
            let mut f = match rules.finding(program, &catalogue, &name, index, &row) {
                Ok(f) => f,
                Err(problem) => {
                    out.diagnostics.push(problem.diag(file, &row));
                    continue;
                }
            };
            if f.group.is_none() {
                // A record is counted once however many rules it breaks.
                let key = match &f.record_id {
                    Some(id) => (row.schema_name.clone().unwrap_or_default(), id.clone(), String::new(), 0),
                    None => (String::new(), String::new(), name.to_string(), index),
                };
                if records.insert(key) {
                    out.records += 1;
                    out.tally.record_seen(true);
                }
            }
            let texts = (consumer.prepare)(&mut f);
            out.count(&f);
            (consumer.take)(f, texts);
        }
    }
    crate::diagnostics::sort(&mut out.diagnostics);
    out
}
