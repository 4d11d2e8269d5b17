//! The progress indicator of a long check: one line on stderr, redrawn a few times a second, with
//! the files and records done and records per second.
//!
//! It appears only when stderr is a terminal, the run is not in CI (`CI` set, as GitHub, GitLab and
//! most CI services set it) and `--quiet` was not given, and only once the check has run for
//! [`AFTER`]: a short run draws nothing. Off a terminal not one byte of it is written, so logs and
//! captured stderr are the same with or without it. It never touches a report: the counts are read
//! from [`crate::progress::CHECKED`], which the pipeline adds to per batch, by a thread of its own.
//! When a report streams to the same terminal on stdout, the line is cleared around each write
//! ([`Progress::around_stdout`]), so the two never mix.

use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a check runs before the indicator appears.
pub const AFTER: Duration = Duration::from_secs(2);

/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(150);

/// Whether the indicator may be drawn at all: stderr is a `terminal`, `ci` (the `CI` variable) does
/// not say this is CI, and not `quiet`.
pub fn allowed(terminal: bool, ci: Option<&str>, quiet: bool) -> bool {
    terminal && !quiet && !in_ci(ci)
}

/// Whether the indicator shows after a check has run for `elapsed` (see [`allowed`]).
pub fn shows(terminal: bool, ci: Option<&str>, quiet: bool, elapsed: Duration) -> bool {
    allowed(terminal, ci, quiet) && elapsed >= AFTER
}

/// `CI` set to anything but empty, `false` or `0` (some services set `CI=true`, others `CI=1`;
/// `CI=false` is how a user says "not CI").
fn in_ci(ci: Option<&str>) -> bool {
    ci.map(str::trim).is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0")
}

/// The line shown: `files` of `total` files and `records` records done after `elapsed`.
pub fn line(files: u64, total: usize, records: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { records as f64 / seconds } else { 0.0 };
    format!(
        "checked {} of {total} file{}, {} record{} ({} records/s, {}s)",
        files.min(total as u64),
        if total == 1 { "" } else { "s" },
        grouped(records),
        if records == 1 { "" } else { "s" },
        grouped(rate.round() as u64),
        elapsed.as_secs()
    )
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A running indicator (or none, when not [`allowed`]); cleared by [`Progress::finish`] or when
/// dropped.
pub(super) struct Progress {
    running: Option<Running>,
}

struct Running {
    bar: ProgressBar,
    stop: mpsc::Sender<()>,
    ticker: Option<std::thread::JoinHandle<()>>,
    /// stdout is the terminal too: report writes clear the line first.
    stdout_shared: bool,
}

impl Progress {
    /// Start watching a check of `total` record files.
    pub(super) fn start(total: usize, quiet: bool) -> Progress {
        let (terminal, ci) = (std::io::stderr().is_terminal(), std::env::var("CI").ok());
        if !allowed(terminal, ci.as_deref(), quiet) {
            return Progress { running: None };
        }
        let style =
            ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
        // Hidden until `AFTER`: nothing is drawn by a short run.
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(style);
        let (stop, stopped) = mpsc::channel::<()>();
        let shown = bar.clone();
        let (files0, records0) = crate::progress::CHECKED.now();
        let began = Instant::now();
        let ticker = std::thread::Builder::new()
            .name("precept-progress".into())
            .spawn(move || {
                let mut visible = false;
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    let elapsed = began.elapsed();
                    if !visible && shows(terminal, ci.as_deref(), quiet, elapsed) {
                        shown.set_draw_target(ProgressDrawTarget::stderr());
                        visible = true;
                    }
                    if visible {
                        let (files, records) = crate::progress::CHECKED.now();
                        shown.set_message(line(
                            files.saturating_sub(files0),
                            total,
                            records.saturating_sub(records0),
                            elapsed,
                        ));
                        shown.tick();
                    }
                }
            })
            .ok();
        Progress { running: Some(Running { bar, stop, ticker, stdout_shared: std::io::stdout().is_terminal() }) }
    }

    /// Run `write`, which writes to stdout, with the line cleared first when stdout is the same
    /// terminal (and drawn again after).
    pub(super) fn around_stdout<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.running {
            Some(r) if r.stdout_shared => r.bar.suspend(write),
            _ => write(),
        }
    }

    /// Stop and clear the line, before the run's last words are written.
    pub(super) fn finish(&mut self) {
        if let Some(mut r) = self.running.take() {
            let _ = r.stop.send(());
            if let Some(t) = r.ticker.take() {
                let _ = t.join();
            }
            r.bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_only_on_a_terminal_outside_ci_without_quiet_after_two_seconds() {
        let long = Duration::from_secs(3);
        assert!(shows(true, None, false, long));
        assert!(!shows(true, None, false, Duration::from_millis(1999)), "a short run draws nothing");
        assert!(!shows(false, None, false, long), "stderr not a terminal");
        assert!(!shows(true, None, true, long), "--quiet");
        for ci in ["true", "1", "yes", "TRUE"] {
            assert!(!shows(true, Some(ci), false, long), "CI={ci}");
        }
        for not_ci in ["", "false", "0", "False"] {
            assert!(shows(true, Some(not_ci), false, long), "CI={not_ci:?}");
        }
    }

    #[test]
    fn the_line_says_files_records_and_rate() {
        assert_eq!(
            line(3, 12, 1_234_567, Duration::from_secs(10)),
            "checked 3 of 12 files, 1,234,567 records (123,457 records/s, 10s)"
        );
        assert_eq!(line(0, 1, 1, Duration::ZERO), "checked 0 of 1 file, 1 record (0 records/s, 0s)");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
    }
}
