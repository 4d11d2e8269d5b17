//! Policy text -> `syntax::parse` -> `check::check` (no files may be read), and every diagnostic
//! rendered as the human report would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use precept::diagnostics::render::{render, Style};
use precept::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    // Policy files are read as UTF-8 text; other bytes are refused before the parser sees them.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("fuzz.precept", text);
    let (tree, mut diags) = precept::syntax::parse(&file);
    if let Some(tree) = tree {
        let (program, more) = precept::check::check(&[tree], &precept::check::NoFiles);
        diags.extend(more);
        if let Some(program) = program {
            let catalogue = precept::findings::Catalogue::of(&program, true);
            let summary = precept::findings::Summary::of(catalogue.into(), &Default::default());
            std::hint::black_box(precept::report::human::relaxations(&summary));
        }
    }
    for d in &diags {
        std::hint::black_box(render(d, Style::plain()));
        std::hint::black_box(d.location());
    }
});
