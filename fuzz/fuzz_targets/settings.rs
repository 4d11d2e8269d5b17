//! A settings file (`precept.toml`), loaded as `--config` would load it; its globs are then used to
//! select files, and every problem is rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use precept::diagnostics::render::{render, Style};

fuzz_target!(|data: &[u8]| {
    // `config::load` reads from a path: the input goes to this process's scratch file.
    let path = precept_fuzz::write_scratch("precept.toml", data);
    match precept::cli::config::load(Some(&path)) {
        Ok(Some(config)) => {
            let select = precept::pipeline::Select {
                skip: config.policies.clone(),
                include: config.include.clone(),
                exclude: config.exclude.clone(),
            };
            for name in ["records/a.jsonl", "archive/2024/b.csv", "c.toml", "./x/y/z.json"] {
                std::hint::black_box(select.keeps(std::path::Path::new(name), name));
            }
        }
        Ok(None) => {}
        Err(diags) => {
            for d in &diags {
                std::hint::black_box(render(d, Style::plain()));
                std::hint::black_box(d.location());
            }
        }
    }
});
