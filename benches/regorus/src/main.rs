//! Peer comparison: the same per-record rules checked by Precept and by Rego on regorus, over the
//! same JSON Lines file, with the verdicts compared rule by rule and the speeds side by side.
//!
//! The rules are `policy/rules.precept` (copied from the bundled and benchmark policies, same ids)
//! and `policy/rules.rego` (one Rego rule per Precept rule, collecting `[rule id, record id]`
//! pairs). For each file given (default: `target/bench-data/heavy-200000.jsonl` under the
//! repository), this program times, with the same number of threads on every side,
//! - **precept**: `precept::Engine` checking the file from disk (reading, parsing, evaluating,
//!   locating and formatting every finding's message), on rayon's pool;
//! - **regorus, interpreter per record**: the file read, each line parsed into a regorus `Value`
//!   and evaluated as `input` on its own (how an admission controller or API gateway calls Rego),
//!   the lines split between threads, each with its own clone of the engine;
//! - **regorus, interpreter batch**: each thread parses its share of the lines into one
//!   `input.records` array and evaluates the rules once over all of it (how a Rego user checks a
//!   data set in one query);
//! - **regorus, rvm per record**: as per record, on regorus's virtual machine (the rules compiled
//!   to its bytecode once, one VM per thread);
//!
//! then prints, per rule, how many records each side found breaking it, and whether the two sides
//! found the very same records. It exits with status 1 when any rule's verdicts differ, and 2 when
//! it cannot run (a missing file, a policy that does not compile).
//!
//! Usage: `cargo run --release --manifest-path benches/regorus/Cargo.toml -- [--threads N] [--runs K] [FILE.jsonl...]`

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::rvm::vm::{ExecutionMode, RegoVM};
use regorus::Value;
use std::sync::Arc;

// The `precept` command's allocator, used by both sides alike.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The entry point of `policy/rules.rego`: the set of `[rule id, record id]` pairs found.
const VIOLATIONS: &str = "data.precept.bench.violations";

/// Record ids that break each rule, sorted: what both sides must agree on.
type Verdicts = BTreeMap<String, Vec<String>>;

/// One side's result on one file: its verdicts, the records it read, and its best time.
struct Timed {
    verdicts: Verdicts,
    records: usize,
    seconds: f64,
    /// CPU time (user and system, every thread) of the fastest run: steadier than the wall clock
    /// on a machine shared with other work.
    cpu_seconds: f64,
}

struct Args {
    files: Vec<PathBuf>,
    threads: usize,
    runs: usize,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Repository root and this crate's folder, wherever the program is started from.
fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo_root() -> PathBuf {
    let root = crate_dir().join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

fn parse_args() -> Result<Args, String> {
    let mut files = Vec::new();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut runs = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|&n: &usize| n > 0)
                .ok_or_else(|| format!("{name} takes a positive whole number"))
        };
        match a.as_str() {
            "--threads" => threads = number("--threads")?,
            "--runs" => runs = number("--runs")?,
            "-h" | "--help" => {
                println!(
                    "usage: precept-regorus-bench [--threads N] [--runs K] [FILE.jsonl...]\n\
                     Checks each JSON Lines file of service records with the rules of\n\
                     benches/regorus/policy in Precept and in Rego (regorus), compares the records\n\
                     each rule finds, and prints records/s and the speed ratio.\n\
                     --threads N  threads for both sides (default: every core)\n\
                     --runs K     time each side K times and keep the fastest (default 1)"
                );
                std::process::exit(0);
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}` (try --help)")),
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        files.push(repo_root().join("target/bench-data/heavy-200000.jsonl"));
    }
    Ok(Args { files, threads, runs })
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    for file in &args.files {
        if !file.is_file() {
            return Err(format!(
                "no records file {}\n  make the findings-heavy file with the benchmark's generator:\n    \
                 cargo bench --bench check -- --generate heavy 200000 target/bench-data/heavy-200000.jsonl\n  \
                 or give another JSON Lines file of service records on the command line",
                file.display()
            ));
        }
    }
    // Precept's parallel work runs on rayon's global pool: as many threads as regorus gets.
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()
        .map_err(|e| format!("cannot start {} threads: {e}", args.threads))?;
    let engine = precept_engine()?;
    let rego = rego_engine()?;
    let mut all_equal = true;
    for file in &args.files {
        all_equal &= compare(file, &engine, &rego, &args)?;
    }
    Ok(all_equal)
}

/// The Precept rules over the bundled schema (`policies/schema.precept`, with its calendar).
fn precept_engine() -> Result<precept::Engine, String> {
    let policies = repo_root().join("policies");
    precept::Engine::from_folders(
        &[policies.join("schema.precept"), crate_dir().join("policy")],
        &[("uk".to_string(), policies.join("calendars/uk.toml"))],
    )
    .map_err(|problems| {
        let shown: Vec<String> = problems.iter().filter(|d| d.is_error()).map(|d| format!("{d:?}")).collect();
        format!("the Precept rules do not compile:\n{}", shown.join("\n"))
    })
}

fn rego_engine() -> Result<Rego, String> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy_from_file(crate_dir().join("policy/rules.rego"))
        .map_err(|e| format!("the Rego rules do not compile: {e}"))?;
    let vm_program = engine
        .clone()
        .compile_with_entrypoint(&VIOLATIONS.into())
        .map_err(|e| e.to_string())
        .and_then(|policy| Compiler::compile_from_policy(&policy, &[VIOLATIONS]).map_err(|e| e.to_string()))
        .map_err(|e| format!("regorus cannot compile the rules for its VM: {e}"));
    Ok(Rego { engine, vm_program })
}

/// Time `side` `runs` times; keep the verdicts of the first run and the fastest time.
fn best_of(runs: usize, mut side: impl FnMut() -> Result<(Verdicts, usize), String>) -> Result<Timed, String> {
    let mut best: Option<Timed> = None;
    for _ in 0..runs {
        let (start, cpu_start) = (Instant::now(), cpu_time());
        let (verdicts, records) = side()?;
        let (seconds, cpu_seconds) = (start.elapsed().as_secs_f64(), cpu_time() - cpu_start);
        match &mut best {
            Some(b) if b.seconds <= seconds => {}
            Some(b) => (b.seconds, b.cpu_seconds) = (seconds, cpu_seconds),
            None => best = Some(Timed { verdicts, records, seconds, cpu_seconds }),
        }
    }
    best.ok_or_else(|| "no run".to_string())
}

fn compare(file: &Path, engine: &precept::Engine, rego: &Rego, args: &Args) -> Result<bool, String> {
    println!("{}", file.display());
    let precept = best_of(args.runs, || check_precept(engine, file))?;
    let mut sides = vec![("precept (Engine::check_each)", precept)];
    for mode in [Mode::PerRecord, Mode::Batch, Mode::Vm] {
        match rego.ready(mode) {
            Ok(()) => sides.push((mode.name(), best_of(args.runs, || check_rego(rego, file, args.threads, mode))?)),
            Err(why) => println!("{} left out: {why}", mode.name()),
        }
    }
    let precept = &sides[0].1;

    // Every rule of the policy, those nothing broke too, and any id a side made up.
    let ids: Vec<String> = engine.catalogue().rules.iter().map(|r| r.id.to_string()).collect();
    let rules: BTreeSet<&String> = ids.iter().chain(sides.iter().flat_map(|(_, t)| t.verdicts.keys())).collect();
    let none = Vec::new();
    let mut all_equal = sides.iter().all(|(_, t)| t.records == precept.records);
    print!("{:<34}", "rule");
    for (name, _) in &sides {
        print!(" {:>12}", column(name));
    }
    println!("  same records?");
    for rule in rules {
        let found = |t: &Timed| t.verdicts.get(rule).unwrap_or(&none).clone();
        let p = found(precept);
        let mut differences = Vec::new();
        print!("{rule:<34}");
        for (name, t) in &sides {
            let r = found(t);
            print!(" {:>12}", r.len());
            if let Some(d) = first_difference(&p, &r) {
                differences.push(format!("{name}: {d}"));
            }
        }
        all_equal &= differences.is_empty();
        if differences.is_empty() {
            println!("  yes");
        } else {
            println!("  NO ({})", differences.join("; "));
        }
    }
    let total = |t: &Timed| t.verdicts.values().map(Vec::len).sum::<usize>();
    print!("{:<34}", "findings");
    for (_, t) in &sides {
        print!(" {:>12}", total(t));
    }
    println!();
    let broken = precept.verdicts.values().flatten().collect::<BTreeSet<_>>().len();
    println!(
        "records {}; breaking at least one rule: {broken} ({:.1}%)",
        precept.records,
        100.0 * broken as f64 / precept.records.max(1) as f64
    );
    println!();
    println!(
        "{:<34} {:>7} {:>9} {:>12} {:>7} {:>9} {:>7}",
        "side", "threads", "seconds", "records/s", "ratio", "cpu s", "ratio"
    );
    for (name, t) in &sides {
        println!(
            "{:<34} {:>7} {:>9.3} {:>12.0} {:>6.1}x {:>9.3} {:>6.1}x",
            name,
            args.threads,
            t.seconds,
            t.records as f64 / t.seconds,
            t.seconds / precept.seconds,
            t.cpu_seconds,
            t.cpu_seconds / precept.cpu_seconds
        );
    }
    let fastest = sides[1..].iter().min_by(|a, b| a.1.seconds.total_cmp(&b.1.seconds));
    if let Some((name, rego)) = fastest {
        println!(
            "speed ratio precept/regorus ({name}, regorus's fastest way): {:.1}x wall clock, {:.1}x CPU time",
            rego.seconds / precept.seconds,
            rego.cpu_seconds / precept.cpu_seconds
        );
    }
    if !all_equal {
        println!("VERDICTS DIFFER: Precept and Rego do not find the same records");
    }
    println!();
    Ok(all_equal)
}

/// CPU seconds this process has used so far, all threads, user and system.
fn cpu_time() -> f64 {
    // SAFETY: `getrusage` only writes the `rusage` it is given, which is zeroed and ours.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; RUSAGE_SELF is always a valid `who`.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// A side's column heading in the table of verdicts.
fn column(side: &str) -> &'static str {
    if side == Mode::PerRecord.name() {
        "rego/record"
    } else if side == Mode::Batch.name() {
        "rego/batch"
    } else if side == Mode::Vm.name() {
        "rego/rvm"
    } else {
        "precept"
    }
}

/// The first record id in one list and not the other, with the side that has it.
fn first_difference(precept: &[String], rego: &[String]) -> Option<String> {
    let (p, r): (BTreeSet<&String>, BTreeSet<&String>) = (precept.iter().collect(), rego.iter().collect());
    p.difference(&r)
        .next()
        .map(|id| format!("{id} only in precept"))
        .or_else(|| r.difference(&p).next().map(|id| format!("{id} only in rego")))
}

/// Precept as a library user calls it: the file from disk, every finding handed to a sink.
fn check_precept(engine: &precept::Engine, file: &Path) -> Result<(Verdicts, usize), String> {
    let mut verdicts = Verdicts::new();
    let outcome = engine.check_each([precept::Records::paths([file])], &mut |f| {
        let ids = verdicts.entry(f.rule_id().to_string()).or_default();
        ids.push(f.record_id.unwrap_or_default());
    });
    if let Some(d) = outcome.diagnostics.first() {
        return Err(format!("Precept reported a problem with the records: {d:?}"));
    }
    for ids in verdicts.values_mut() {
        ids.sort_unstable();
    }
    Ok((verdicts, outcome.records))
}

#[derive(Clone, Copy)]
enum Mode {
    /// The interpreter, one record per `input`.
    PerRecord,
    /// The interpreter, one `input.records` array per thread.
    Batch,
    /// regorus's virtual machine (RVM): the rules compiled to its bytecode, one record per `input`.
    Vm,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::PerRecord => "regorus, interpreter per record",
            Mode::Batch => "regorus, interpreter batch",
            Mode::Vm => "regorus, rvm per record",
        }
    }
}

/// The Rego rules, for the interpreter and (when regorus can compile them) for its VM.
struct Rego {
    engine: regorus::Engine,
    vm_program: Result<Arc<Program>, String>,
}

impl Rego {
    fn ready(&self, mode: Mode) -> Result<(), String> {
        match (mode, &self.vm_program) {
            (Mode::Vm, Err(why)) => Err(why.clone()),
            _ => Ok(()),
        }
    }
}

/// regorus over the file: read it, split its lines into one contiguous share per thread, and
/// evaluate each share with its own engine or VM (neither is shared between threads).
fn check_rego(rego: &Rego, file: &Path, threads: usize, mode: Mode) -> Result<(Verdicts, usize), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let share = lines.len().div_ceil(threads).max(1);
    let results: Vec<Result<Verdicts, String>> = std::thread::scope(|s| {
        let workers: Vec<_> = lines
            .chunks(share)
            .map(|chunk| {
                s.spawn(move || match (mode, &rego.vm_program) {
                    (Mode::PerRecord, _) => rego_per_record(&mut rego.engine.clone(), chunk),
                    (Mode::Batch, _) => rego_batch(&mut rego.engine.clone(), chunk),
                    (Mode::Vm, Ok(program)) => rvm_per_record(program, chunk),
                    (Mode::Vm, Err(why)) => Err(why.clone()),
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a regorus thread panicked".into()))).collect()
    });
    let mut verdicts = Verdicts::new();
    for r in results {
        for (rule, mut ids) in r? {
            verdicts.entry(rule).or_default().append(&mut ids);
        }
    }
    for ids in verdicts.values_mut() {
        ids.sort_unstable();
    }
    Ok((verdicts, lines.len()))
}

fn rvm_per_record(program: &Arc<Program>, lines: &[&str]) -> Result<Verdicts, String> {
    let mut vm = RegoVM::new();
    vm.set_execution_mode(ExecutionMode::RunToCompletion);
    vm.load_program(Arc::clone(program));
    let mut verdicts = Verdicts::new();
    for line in lines {
        vm.set_input(input_of(vec![parse_line(line)?])?);
        let found = vm.execute().map_err(|e| format!("regorus rvm: {e}"))?;
        collect(&found, &mut verdicts)?;
    }
    Ok(verdicts)
}

/// `{"records": [...]}`: the input shape `rules.rego` reads.
fn input_of(records: Vec<Value>) -> Result<Value, String> {
    let mut input = Value::new_object();
    input.as_object_mut().map_err(|e| e.to_string())?.insert(Value::from("records"), Value::from(records));
    Ok(input)
}

fn parse_line(line: &str) -> Result<Value, String> {
    Value::from_json_str(line).map_err(|e| format!("a line is not JSON: {e}"))
}

fn rego_per_record(engine: &mut regorus::Engine, lines: &[&str]) -> Result<Verdicts, String> {
    let mut verdicts = Verdicts::new();
    for line in lines {
        engine.set_input(input_of(vec![parse_line(line)?])?);
        let found = engine.eval_rule(VIOLATIONS.to_string()).map_err(|e| format!("regorus: {e}"))?;
        collect(&found, &mut verdicts)?;
    }
    Ok(verdicts)
}

fn rego_batch(engine: &mut regorus::Engine, lines: &[&str]) -> Result<Verdicts, String> {
    let records = lines.iter().map(|l| parse_line(l)).collect::<Result<Vec<_>, _>>()?;
    engine.set_input(input_of(records)?);
    let found = engine.eval_rule(VIOLATIONS.to_string()).map_err(|e| format!("regorus: {e}"))?;
    let mut verdicts = Verdicts::new();
    collect(&found, &mut verdicts)?;
    Ok(verdicts)
}

/// Adds `violations` (a set of `[rule id, record id]`; undefined when nothing broke a rule) to `into`.
fn collect(found: &Value, into: &mut Verdicts) -> Result<(), String> {
    if *found == Value::Undefined {
        return Ok(());
    }
    let pairs = found.as_set().map_err(|e| format!("`violations` is not a set: {e}"))?;
    for pair in pairs.iter() {
        let text = |v: &Value| v.as_string().map(|s| s.to_string()).map_err(|e| format!("`violations` holds {v}: {e}"));
        match pair.as_array().map(|a| a.as_slice()) {
            Ok([rule, id]) => into.entry(text(rule)?).or_default().push(text(id)?),
            _ => return Err(format!("`violations` holds {pair}, not a [rule id, record id] pair")),
        }
    }
    Ok(())
}
