//! Findings for people who read a run rather than fix it (managers, auditors): one self-contained
//! HTML file to open and forward. It holds the run, charts of the findings by severity, level,
//! code, rule, team, member of staff and month (inline SVG), the clause traceability matrix, a
//! findings table that can be sorted and filtered, every waiver given and the relaxations
//! the policies state.
//!
//! No request of any kind: style and script are inline, and the page's Content-Security-Policy
//! allows nothing else. Every string from a record, a policy or a file name is escaped
//! ([`escape`]); values from redacted fields arrive hashed in the findings, and the team and
//! member of staff are hashed here when their field is redacted.
//!
//! Memory is bounded: every finding is counted (in `tally`), but only the first [`MAX_ROWS`] are
//! kept as rows of the table, and the page says how many are not listed.

mod chart;
mod csp;
pub mod escape;
mod page;
mod row;
mod tally;

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{End, Format, Holds, Options, Prepare, Report};
use crate::findings::Finding;

/// Findings (and cannot-determine outcomes) listed in the table; the rest are counted only.
pub const MAX_ROWS: usize = 1000;

/// The format: `--output html=PATH`.
pub const FORMAT: Format = Format { name: "html", holds: Holds::Text, make };

fn make(_: &Options) -> Box<dyn Report> {
    Box::new(Html::default())
}

/// The HTML report, written whole at the end (its charts come before its table).
#[derive(Default)]
struct Html {
    tally: tally::Tally,
    rows: Vec<String>,
}

/// Makes rows on the check's worker threads, but only about as many as the table lists: findings
/// arrive there in any order, so the rows it makes may not be the first ones, and
/// [`Report::prepared`] makes any listed row it was not handed. A run of a million findings formats
/// about a thousand rows, not a million.
struct Rows {
    made: AtomicUsize,
}

impl Prepare for Rows {
    fn prepare(&self, f: &Finding) -> String {
        if self.made.fetch_add(1, Ordering::Relaxed) < MAX_ROWS {
            row::row(f)
        } else {
            String::new()
        }
    }
}

impl Report for Html {
    fn finding(&mut self, f: &Finding) -> String {
        self.prepared(f, String::new())
    }

    fn preparer(&self) -> Option<Box<dyn Prepare>> {
        Some(Box::new(Rows { made: AtomicUsize::new(0) }))
    }

    fn prepared(&mut self, f: &Finding, text: String) -> String {
        self.tally.add(f);
        if self.rows.len() < MAX_ROWS {
            // A row is never empty: an empty text is one the preparer did not make.
            self.rows.push(if text.is_empty() { row::row(f) } else { text });
        }
        String::new()
    }

    fn finish(&mut self, end: &End<'_>) -> String {
        page::Page { end, tally: &self.tally, rows: &self.rows, failed: false }.render()
    }

    fn failed(&mut self, end: &End<'_>) -> String {
        page::Page { end, tally: &tally::Tally::default(), rows: &[], failed: true }.render()
    }
}
