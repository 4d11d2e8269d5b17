//! `precept check --findings` and `precept baseline --findings`: findings exported from a
//! warehouse ([`crate::readback`]) in place of record files, through the same waivers, baseline
//! and reports as a check.

use std::path::PathBuf;

use crate::diagnostics::Diag;
use crate::findings::{Finding, Outcome};
use crate::input::Kind;
use crate::source::SourceFile;

/// The findings files, read whole (each within the record-file size limit); a file that cannot
/// be read is a problem, and the others are still read.
pub(super) fn read(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<Diag>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        match super::check::read_text(p, Kind::RecordFile) {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// Hand the findings of `paths`' rows to `take`, each marked by the engine's waivers and baseline.
pub(super) fn run(
    engine: &crate::Engine,
    paths: &[PathBuf],
    prepare: &(dyn Fn(&Finding) -> Vec<String> + Sync),
    take: &mut dyn FnMut(Finding, Vec<String>),
) -> Outcome {
    let (files, found) = read(paths);
    engine.check_files_by(found, prepare, take, &mut |program, authority, found, consumer| {
        crate::readback::check(program, authority, &files, found, consumer)
    })
}
