//! Responsiveness of `precept lsp` (`cargo bench --bench lsp`): the time from a `didChange` on a
//! bundled policy file to the `publishDiagnostics` that answers it, for the bundled `policies/`
//! folder as the workspace (five policy files and a calendar, parsed, checked and indexed again on
//! every change). The target is under 50 ms (issue 16).
//!
//! The server is the release binary `cargo bench` builds, driven over stdio by the tests' client
//! (`tests/common/lsp_client.rs`). The edits alternate between the file as it is and the file with
//! an unknown field in it, so every other change brings a new diagnostic and the next one clears
//! it: each round trip covers a real change of the diagnostics. `PRECEPT_BENCH_EDITS` sets the
//! number of timed edits (default 200, after 20 untimed ones). Prints the median, the 90th
//! percentile, the fastest and the slowest. Not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/lsp_client.rs"]
mod lsp_client;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lsp_client::{uri, Client};
use serde_json::json;

const WARM_UP: usize = 20;
const TARGET_MS: f64 = 50.0;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let edits: usize = std::env::var("PRECEPT_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
    let path = root.join("industry/retail-customer-service-code.precept");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("record.kind", "record.kinds", 1);
    assert_ne!(text, broken);
    let file = uri(&path);

    let mut client = Client::start(env!("CARGO_BIN_EXE_precept"), &root);
    client.initialize(&root);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "precept", "version": 1, "text": text}}),
    );
    client.diagnostics(&file);
    let mut times: Vec<Duration> = Vec::with_capacity(edits);
    for i in 0..WARM_UP + edits {
        let next = if i % 2 == 0 { &broken } else { &text };
        client.backlog.clear();
        let start = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": file, "version": i + 2}, "contentChanges": [{"text": next}]}),
        );
        let diags = client.diagnostics(&file);
        let took = start.elapsed();
        assert_eq!(diags.len(), if i % 2 == 0 { 1 } else { 0 }, "edit {i}: {diags:?}");
        if i >= WARM_UP {
            times.push(took);
        }
    }
    client.shutdown();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let median = ms(at(0.5));
    println!("precept lsp: didChange -> publishDiagnostics, bundled policies/ ({} edits)", times.len());
    println!(
        "  median {median:.2} ms   p90 {:.2} ms   fastest {:.2} ms   slowest {:.2} ms   target < {TARGET_MS} ms: {}",
        ms(at(0.9)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        if median < TARGET_MS { "met" } else { "NOT met" }
    );
}
