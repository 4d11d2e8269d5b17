//! The folder walk benchmark: finding record files in a deep, wide tree must be linear in the
//! entries walked (it once canonicalized every path, a `stat` per folder of each path, so 10,000
//! nested folders with 200,000 files did not finish in 15 minutes).
//!
//! `cargo bench --bench walk` builds a chain of nested folders (default depth 1,500: deeper paths
//! pass the system's path length limit) holding, spread over every level, the record files
//! (default 200,000: ten times a large helpdesk export), then times `precept::data::discover`
//! over it. Set `PRECEPT_BENCH_WALK=DEPTH,FILES` to change the sizes. Not run in CI.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let (depth, files) = std::env::var("PRECEPT_BENCH_WALK")
        .ok()
        .and_then(|v| {
            let (d, f) = v.split_once(',')?;
            Some((d.trim().parse().ok()?, f.trim().parse().ok()?))
        })
        .unwrap_or((1_500usize, 200_000usize));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("r");
    let mut levels: Vec<PathBuf> = Vec::with_capacity(depth);
    let mut at = root.clone();
    for _ in 0..depth.max(1) {
        at.push("d");
        levels.push(at.clone());
    }
    std::fs::create_dir_all(levels.last().unwrap()).unwrap();
    let started = Instant::now();
    for i in 0..files {
        let level = &levels[i % levels.len()];
        std::fs::write(level.join(format!("{i}.jsonl")), "{}\n").unwrap();
    }
    eprintln!("built {depth} nested folders with {files} files in {:.1?}", started.elapsed());
    let policy = precept::source::SourceFile::new("bench.precept", "schema ticket { id: text }\n");
    let (tree, _) = precept::syntax::parse(&policy);
    let (program, _) = precept::check::check(&tree.into_iter().collect::<Vec<_>>(), &precept::check::NoFiles);
    let program = program.expect("the benchmark policy compiles");
    let started = Instant::now();
    let (found, diags) = precept::data::discover(&[root], &program);
    let took = started.elapsed();
    assert_eq!(found.len(), files, "{:?}", diags.first());
    println!(
        "walk depth={depth} files={files}: {took:.2?} ({:.1} µs per file)",
        took.as_micros() as f64 / files as f64
    );
}
