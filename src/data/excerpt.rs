//! Lines of a streamed record file, read back when a diagnostic or a finding needs them.
//!
//! JSON Lines and CSV files are never held whole, and a diagnostic or a finding needs only the lines
//! it points at, so that is all that is read: the line itself and, for CSV, the lines a quoted cell
//! runs on to, never more than one record line's limit in all. This is the one reader of a record's
//! lines that knows CSV quoting: the diagnostics of [`super::diags`] and the [`super::Locator`] of
//! findings both read them here, from disk or from memory alike (see [`super::origin`]). Reaching line n reads forward from the
//! nearest checkpoint (one every [`STRIDE`] lines, set as the file is passed), so diagnostics in
//! file order cost one pass over the file between them, and memory stays at the excerpt plus a few
//! bytes per thousand lines, however many lines the file has.

use std::io::{BufRead, Read, SeekFrom};

use super::origin::Seekable;
use super::{Format, RecordFile};

/// A checkpoint is kept every this many lines.
const STRIDE: usize = 1024;

/// Reads excerpts of one file.
pub(crate) struct Excerpts<'f> {
    file: &'f RecordFile,
    /// Open on first use; `None` after the file could not be opened (excerpts are then empty).
    reader: Option<Box<dyn Seekable + Send + 'f>>,
    opened: bool,
    /// The 1-based line the reader is at the start of.
    line: usize,
    /// The reader's byte offset.
    pos: u64,
    /// Byte offset of the start of line `1 + k * STRIDE`, for each `k` passed so far.
    checkpoints: Vec<u64>,
    /// CSV: a line whose quotes are not balanced continues on the next.
    quoted: bool,
}

impl<'f> Excerpts<'f> {
    /// Excerpts of `file`; for CSV, whose records may run over several lines, an excerpt holds the
    /// lines a quoted cell runs on to.
    pub(crate) fn new(file: &'f RecordFile) -> Excerpts<'f> {
        Excerpts {
            file,
            reader: None,
            opened: false,
            line: 1,
            pos: 0,
            checkpoints: vec![0],
            quoted: file.format == Format::Csv,
        }
    }

    /// The text of 1-based `line` (with, for CSV, the lines that continue its record), with its
    /// line ending, invalid UTF-8 replaced and a byte-order mark dropped, at most the `record-line`
    /// limit long. Empty if there is no such line or the file cannot be read.
    pub(crate) fn read(&mut self, line: usize) -> String {
        let line = line.max(1);
        let max = crate::input::limit(crate::input::Kind::RecordLine);
        let Some(()) = self.seek_line(line) else { return String::new() };
        let mut bytes = Vec::new();
        // Whether a quote is open at the end of `bytes`: counted line by line as lines are added,
        // so a record of many lines costs its length, not its length times its lines.
        let mut open = false;
        loop {
            let start = bytes.len();
            let room = max.saturating_sub(bytes.len() as u64);
            let Some(reader) = self.reader.as_mut().filter(|_| room > 0) else { break };
            match reader.by_ref().take(room).read_until(b'\n', &mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    self.pos += n as u64;
                    if bytes.last() == Some(&b'\n') {
                        self.line += 1;
                        self.mark();
                    } else {
                        // Cut at the limit inside a line: where the reader is is no longer a line start.
                        self.reader = None;
                        self.opened = false;
                        break;
                    }
                }
            }
            let quotes = bytes.get(start..).unwrap_or(&[]).iter().filter(|&&b| b == b'"').count();
            open ^= !quotes.is_multiple_of(2);
            if !self.quoted || !open {
                break;
            }
        }
        if line == 1 {
            crate::input::strip_bom(&mut bytes);
        }
        match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// Put the reader at the start of `line`; `None` if the file cannot be read or is shorter.
    fn seek_line(&mut self, line: usize) -> Option<()> {
        if !self.opened || self.reader.is_none() || line < self.line {
            self.open_at(line)?;
        }
        while self.line < line {
            let reader = self.reader.as_mut()?;
            let buf = reader.fill_buf().ok()?;
            if buf.is_empty() {
                return None;
            }
            let (step, ended) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            reader.consume(step);
            self.pos += step as u64;
            if ended {
                self.line += 1;
                self.mark();
            }
        }
        Some(())
    }

    /// Open the file (again) at the last checkpoint at or before `line`.
    fn open_at(&mut self, line: usize) -> Option<()> {
        self.opened = true;
        self.reader = None;
        let mut reader = self.file.seekable()?;
        let k = ((line - 1) / STRIDE).min(self.checkpoints.len().saturating_sub(1));
        let at = self.checkpoints.get(k).copied().unwrap_or(0);
        reader.seek(SeekFrom::Start(at)).ok()?;
        self.reader = Some(reader);
        self.line = k * STRIDE + 1;
        self.pos = at;
        Some(())
    }

    /// Keep a checkpoint if the reader has just reached the first line of a new stride.
    fn mark(&mut self) {
        if (self.line - 1).is_multiple_of(STRIDE) && (self.line - 1) / STRIDE == self.checkpoints.len() {
            self.checkpoints.push(self.pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same content on disk and in memory (the disk copy lives as long as the folder).
    fn both(dir: &tempfile::TempDir, name: &str, format: Format, bytes: &[u8]) -> [RecordFile; 2] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        [RecordFile::from_path(path, format, 0), RecordFile::from_bytes(name, format, 0, bytes.to_vec())]
    }

    /// Every line comes back as it is in the file, in any order of asking, across checkpoints.
    #[test]
    fn lines_come_back_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let lines: Vec<String> = (0..5000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let text = format!("\u{feff}{}", lines.concat());
        for file in both(&dir, "a.jsonl", Format::Jsonl, text.as_bytes()) {
            let mut ex = Excerpts::new(&file);
            let mut rng = fastrand::Rng::with_seed(1);
            for _ in 0..300 {
                let n = rng.usize(1..=5002);
                let want = lines.get(n - 1).cloned().unwrap_or_default();
                assert_eq!(ex.read(n), want, "line {n}");
            }
            assert!(ex.checkpoints.len() <= 5);
        }
    }

    /// A CSV record with a quoted line break comes back whole.
    #[test]
    fn a_quoted_cell_continues_the_excerpt() {
        let dir = tempfile::tempdir().unwrap();
        for file in both(&dir, "a.csv", Format::Csv, b"id,note\n1,\"two\nlines\"\n2,x\n") {
            let mut ex = Excerpts::new(&file);
            assert_eq!(ex.read(2), "1,\"two\nlines\"\n");
            assert_eq!(ex.read(4), "2,x\n");
            assert_eq!(ex.read(1), "id,note\n");
        }
    }
}
