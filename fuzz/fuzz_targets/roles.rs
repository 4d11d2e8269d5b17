//! A role file: read (`roles::read`), linted (`roles::lint`) and checked against the bundled
//! policies' rules over roles and staff, then rendered in every report format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use precept::pipeline::Outcome;
use precept::roles::authority::Directory;
use precept::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    // Role files are read as UTF-8 text; other bytes are refused before the reader sees them.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (program, policy_diags) = precept_fuzz::program();
    let file = SourceFile::new("roles.toml", text);
    let mut org = precept::roles::Org::default();
    let mut diags = Vec::new();
    precept::roles::read::read_file(&file, &mut org, &mut diags);
    diags.extend(precept::roles::lint::lint(&org, precept_fuzz::today()));
    let directory = Directory::new(&org);
    let mut outcome = Outcome { diagnostics: diags, files: 1, ..Outcome::default() };
    let mut findings = Vec::new();
    precept::pipeline::check_org(program, &org, Some(&directory), &mut outcome, &mut |f| findings.push(f));
    precept_fuzz::reports(program, policy_diags, &findings, &outcome);
});
