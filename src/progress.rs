//! How far the checks of this process have got: files and records done, counted as the pipeline
//! hands each batch on, for a progress indicator to read (the command line's, drawn from a thread
//! of its own).
//!
//! Why process-wide counters rather than a callback: the pipeline's hot path pays one relaxed
//! atomic add per batch of records and per file, and needs no new parameter; the reader polls at
//! its own pace. Two checks running at once in one process (a library caller's threads) add to the
//! same counters, so they say how much work the process has done, not how much one check has.

use std::sync::atomic::{AtomicU64, Ordering};

/// Files and records checked so far by this process.
#[derive(Debug)]
pub struct Counters {
    files: AtomicU64,
    records: AtomicU64,
}

/// The process's counters, added to by [`crate::pipeline`].
pub static CHECKED: Counters = Counters { files: AtomicU64::new(0), records: AtomicU64::new(0) };

impl Counters {
    /// One more record file checked to its end.
    pub fn file_done(&self) {
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    /// `n` more records checked.
    pub fn records_done(&self, n: usize) {
        self.records.fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// (files, records) checked so far.
    ///
    /// ```
    /// let (files, records) = precept::progress::CHECKED.now();
    /// precept::progress::CHECKED.records_done(3);
    /// assert!(precept::progress::CHECKED.now().1 >= records + 3);
    /// # let _ = files;
    /// ```
    pub fn now(&self) -> (u64, u64) {
        (self.files.load(Ordering::Relaxed), self.records.load(Ordering::Relaxed))
    }
}
