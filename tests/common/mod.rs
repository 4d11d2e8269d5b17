//! Helpers shared by the integration tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root (tests run from here, so paths in output are relative and stable).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `path` relative to the project root, with `/` separators.
pub fn rel(path: &Path) -> PathBuf {
    path.strip_prefix(root()).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// The codes a fixture says it expects: every `precept::...` after `expect:` in its comments.
pub fn expected_codes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(i) = line.find("expect:") else { continue };
        for word in line[i + 7..].split(|c: char| c.is_whitespace() || c == ',') {
            let word = word.trim_matches(|c: char| c == '`' || c == '(' || c == ')');
            if word.starts_with("precept::") {
                out.push(word.to_string());
            }
        }
    }
    out
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr together, as one snapshot.
    pub fn snapshot(&self) -> String {
        format!("exit: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Run `precept` with `args` from the project root, no colour.
pub fn precept(args: &[&str]) -> Run {
    precept_in(&root(), args)
}

/// Run `precept` with `args` from `dir`, no colour, and a fixed `SOURCE_DATE_EPOCH` so reports
/// that carry a timestamp (JUnit) are the same in every run.
pub fn precept_in(dir: &Path, args: &[&str]) -> Run {
    precept_in_env(dir, args, &[])
}

/// As [`precept_in`], with these variables set in its environment as well.
pub fn precept_in_env(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_precept"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        // Snapshots are laid out at 80 columns whatever the terminal running the tests says.
        .env_remove("COLUMNS")
        .envs(vars.iter().copied())
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Whether an external tool a test needs (beyond Rust) is on this machine. Plain `cargo test`
/// skips the check with a message when it is absent; under CI (`CI=true`, where `.ci/run` installs
/// it) its absence fails the test, so a green CI run never hides a skipped check.
pub fn have_tool(name: &str, installed_by: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok();
    available(found, &format!("`{name}` is not installed"), installed_by)
}

/// Whether something a test needs beyond Rust (a tool, a database server) is `found`; when it is
/// not, `missing` says what is wrong and `set_up_by` how to set it up. As [`have_tool`]: plain
/// `cargo test` skips with a message, under CI (`CI=true`, where `.ci/run` sets it up) the test
/// fails.
pub fn available(found: bool, missing: &str, set_up_by: &str) -> bool {
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "{missing}, and CI=true: `.ci/run` sets it up ({set_up_by})");
        eprintln!("skipping: {missing} ({set_up_by}; `.ci/run` does it)");
    }
    found
}

/// A checksum of every regular file under `dir` (path and bytes), so a test can assert that a run
/// changed none of its inputs.
pub fn tree_checksum(dir: &Path) -> Vec<(PathBuf, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        if e.file_type().is_file() {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(e.path()).unwrap_or_default().hash(&mut h);
            out.push((e.path().to_path_buf(), h.finish()));
        }
    }
    out
}

/// Make a FIFO at `path` (through libc, so no `mkfifo` command is needed on the machine).
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}: {}", path.display(), std::io::Error::last_os_error());
}

/// An engine over one policy given as text, named `p.precept` (as a policy file of that name would
/// be shown); panics with its diagnostics, rendered, if it does not compile.
pub fn engine(policy: &str) -> precept::Engine {
    engine_from(&[("p.precept", policy)])
}

/// An engine over policies (and the calendar files they name) given as text, each with its name;
/// panics with the diagnostics, rendered, if they do not compile.
pub fn engine_from(sources: &[(&str, &str)]) -> precept::Engine {
    precept::Engine::from_sources(sources.iter().copied()).unwrap_or_else(|diags| panic!("{}", rendered(&diags)))
}

/// Diagnostics as the command line shows them, without colour, one after another.
pub fn rendered(diags: &[precept::Diagnostic]) -> String {
    let shown: Vec<String> = diags
        .iter()
        .map(|d| precept::diagnostics::render::render(d, precept::diagnostics::render::Style::plain()))
        .collect();
    shown.join("\n")
}

/// Records in memory, each named as the file would be below the folder a check walks (which is
/// what schemas' `files` globs match and what findings and diagnostics show), in name order, as
/// the walk of a folder gives them.
pub fn records<B: AsRef<[u8]>>(records: &[(&str, B)]) -> Vec<precept::Records> {
    let mut sorted: Vec<&(&str, B)> = records.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted.into_iter().map(|(name, bytes)| precept::Records::bytes(*name, bytes)).collect()
}

/// Check records in memory (see [`records`]) with `engine`: the outcome (counts and the problems
/// with the input, without the policies' warnings) and the findings, as `pipeline::check_paths`
/// gives them for a folder of files.
pub fn check<B: AsRef<[u8]>>(
    engine: &precept::Engine,
    recs: &[(&str, B)],
) -> (precept::findings::Outcome, Vec<precept::Finding>) {
    let mut findings = Vec::new();
    let outcome = engine.check_each(records(recs), &mut |f| findings.push(f));
    (outcome, findings)
}

/// Run `cmd` to its end, as `Command::output` does, and measure the processor time it used (user
/// and system, all its threads), for tests that bound how long a run may take.
///
/// Why processor time rather than the clock: CI runs the test binaries while the next ones build on
/// the same two cores, and a run that takes 3 s alone took 47 s of wall time there. The processor
/// time a run uses barely changes with load, so a bound on it catches a blow-up without failing
/// on a busy machine. On Linux it is read from `/proc/<pid>/stat` every 20 ms while the child runs
/// (the last 20 ms may be missed); elsewhere the wall time stands in for it. A hang that uses no
/// processor time (a deadlock) is caught by `wall_limit`, after which the child is killed.
pub fn output_with_cpu(
    cmd: &mut Command,
    wall_limit: std::time::Duration,
) -> (std::process::Output, std::time::Duration) {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("the binary runs");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stat = format!("/proc/{}/stat", child.id());
    let ticks = clock_ticks();
    let mut cpu: Option<Duration> = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the binary") {
            break status;
        }
        if let Some(used) = std::fs::read_to_string(&stat).ok().and_then(|s| stat_cpu(&s, ticks)) {
            cpu = Some(used);
        }
        if start.elapsed() > wall_limit {
            let _ = child.kill();
            panic!("still running after {:?} (processor time so far {cpu:?})", start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = std::process::Output {
        status,
        stdout: stdout.join().expect("stdout read"),
        stderr: stderr.join().expect("stderr read"),
    };
    (output, cpu.unwrap_or_else(|| start.elapsed()))
}

/// User plus system time from a `/proc/<pid>/stat` line: fields 14 and 15, counted after the
/// command name in parentheses (which may itself hold spaces and parentheses).
pub fn stat_cpu(line: &str, ticks_per_second: u64) -> Option<std::time::Duration> {
    let rest = &line[line.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(std::time::Duration::from_millis((utime + stime) * 1000 / ticks_per_second.max(1)))
}

/// The kernel's clock ticks per second for `/proc` times (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// The processor time the calling thread has used so far (Linux: `/proc/thread-self/schedstat`,
/// in nanoseconds), or `None` elsewhere. For bounds on work that runs on the calling thread alone
/// (compiling policies), which, unlike wall time, a busy machine barely changes.
pub fn thread_cpu() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(nanos))
}
