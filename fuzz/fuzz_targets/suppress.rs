//! A waivers file and a baseline file (the same bytes read as each), applied to findings from the
//! bundled fixtures, then the marked findings rendered in every report format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use precept::source::SourceFile;
use precept::suppress::{baseline::Baseline, waivers, Suppressor};

fuzz_target!(|data: &[u8]| {
    // Waivers and baselines are read as UTF-8 text; other bytes are refused before the readers.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (program, policy_diags) = precept_fuzz::program();
    let (base, outcome) = precept_fuzz::fixture_findings();
    let mut diags = Vec::new();
    let waivers = waivers::read(&SourceFile::new("waivers.toml", text), program, &mut diags);
    let baseline = match Baseline::read(&SourceFile::new("baseline.json", text)) {
        Ok(b) => Some(b),
        Err(d) => {
            diags.push(d);
            None
        }
    };
    let suppressor = Suppressor::new(waivers, baseline, precept_fuzz::today());
    let mut findings = base.clone();
    for f in &mut findings {
        suppressor.mark(f);
    }
    let (expired, more) = suppressor.finish();
    findings.extend(expired);
    diags.extend(more);
    let mut outcome = precept::pipeline::Outcome {
        diagnostics: diags,
        files: outcome.files,
        records: outcome.records,
        ..Default::default()
    };
    for f in &findings {
        outcome.count(f);
    }
    precept_fuzz::reports(program, policy_diags, &findings, &outcome);
});
