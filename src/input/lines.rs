//! Line-based record files (JSON Lines, CSV) read with every line bounded: however long a line in
//! the file is, no more than the `record-line` limit of it is ever held.

use std::io::Read;

use super::BOM;

/// A reader of a line-based file (JSON Lines, CSV) that never holds a line longer than `max`
/// bytes: such a line is passed on as an empty line (so every later line keeps its number and
/// a reader skips it as blank) and its number is kept for the reader to report
/// ([`BoundedLines::take_too_long`]). Memory stays within about twice `max`, however long a line
/// in the file is. A UTF-8 byte-order mark at the start is dropped.
pub struct BoundedLines<R> {
    inner: R,
    max: usize,
    /// 1-based number of the line being read.
    line: usize,
    /// Whole lines ready to hand out, from `pos`.
    pending: Vec<u8>,
    pos: usize,
    /// The start of the current line, not yet known to end within `max`.
    current: Vec<u8>,
    /// Inside a line already known to be too long: dropping bytes until its end.
    skipping: bool,
    raw: Box<[u8]>,
    eof: bool,
    /// Nothing passed on yet (a byte-order mark may come).
    at_start: bool,
    /// The first bytes, while too few to tell whether they are a byte-order mark.
    head: Vec<u8>,
    /// Lines dropped for being longer than `max`, not yet taken by [`BoundedLines::take_too_long`].
    too_long: Vec<usize>,
}

impl<R: Read> BoundedLines<R> {
    /// Wrap `inner`, passing on no line longer than `max` bytes (line break not counted).
    pub fn new(inner: R, max: u64) -> BoundedLines<R> {
        BoundedLines {
            inner,
            max: usize::try_from(max).unwrap_or(usize::MAX),
            line: 1,
            pending: Vec::new(),
            pos: 0,
            current: Vec::new(),
            skipping: false,
            raw: vec![0u8; 1 << 16].into_boxed_slice(),
            eof: false,
            at_start: true,
            head: Vec::new(),
            too_long: Vec::new(),
        }
    }

    /// The numbers of the lines dropped since the last call, in order.
    pub fn take_too_long(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.too_long)
    }

    /// Read from `inner` until at least one whole line (or the end) is pending.
    fn refill(&mut self) -> std::io::Result<()> {
        self.pending.clear();
        self.pos = 0;
        while self.pending.is_empty() && !self.eof {
            let n = match self.inner.read(&mut self.raw) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
                self.current.append(&mut self.head);
                if !self.skipping {
                    self.pending.append(&mut self.current);
                }
                break;
            }
            let owned: Vec<u8>;
            let mut rest = self.raw.get(..n).unwrap_or(&[]);
            // A byte-order mark at the very start is dropped, so every reader of the file (and the
            // locator of its findings) sees the same text and the same columns as without it.
            if self.at_start {
                let mut head = std::mem::take(&mut self.head);
                head.extend_from_slice(rest);
                if head.len() < BOM.len() && BOM.starts_with(&head) {
                    // Too few bytes to tell yet.
                    self.head = head;
                    continue;
                }
                self.at_start = false;
                if head.starts_with(BOM) {
                    head.drain(..BOM.len());
                }
                owned = head;
                rest = &owned;
            }
            while !rest.is_empty() {
                // A vectorised search: this loop sees every byte of every line-based record file.
                let newline = memchr::memchr(b'\n', rest);
                let (seg, after) = match newline {
                    Some(i) => (rest.get(..i).unwrap_or(&[]), rest.get(i + 1..).unwrap_or(&[])),
                    None => (rest, &[][..]),
                };
                if !self.skipping {
                    if self.current.len() + seg.len() > self.max {
                        self.too_long.push(self.line);
                        self.current = Vec::new();
                        self.skipping = true;
                    } else if newline.is_some() && self.current.is_empty() {
                        self.pending.extend_from_slice(seg);
                    } else {
                        self.current.extend_from_slice(seg);
                        if newline.is_some() {
                            if self.pending.is_empty() {
                                // A long line is moved, not copied: one copy of it is held.
                                std::mem::swap(&mut self.pending, &mut self.current);
                            } else {
                                self.pending.append(&mut self.current);
                            }
                        }
                    }
                }
                if newline.is_some() {
                    self.pending.push(b'\n');
                    self.line += 1;
                    self.skipping = false;
                }
                rest = after;
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for BoundedLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.pending.len() {
            self.refill()?;
        }
        let avail = self.pending.get(self.pos..).unwrap_or(&[]);
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

/// A line-based record (JSON Lines, CSV) read from `inner`, buffered and with every line bounded
/// by the `record-line` limit ([`BoundedLines`]): the same reader whether the records are on disk
/// or in memory, so both give the same lines, line numbers and diagnostics.
pub fn bounded<R: Read>(inner: R) -> std::io::BufReader<BoundedLines<R>> {
    std::io::BufReader::with_capacity(1 << 16, BoundedLines::new(inner, super::limit(super::Kind::RecordLine)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_dropped_and_lines_keep_their_numbers() {
        // Every split of the input into reads, and lines on both sides of the limit.
        let with_bom = b"\xEF\xBB\xBFab\nabcdef\n\nabcd\nabcde\nxyz";
        for (text, chunk) in (1..30).flat_map(|c| [(&with_bom[..], c), (&with_bom[3..], c)]) {
            struct Slow<'a>(&'a [u8], usize);
            impl Read for Slow<'_> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    let n = self.1.min(self.0.len()).min(buf.len());
                    buf[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let mut r = BoundedLines::new(Slow(text, chunk), 4);
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            assert_eq!(out, b"ab\n\n\nabcd\n\nxyz", "chunk {chunk}");
            assert_eq!(r.take_too_long(), vec![2, 5], "chunk {chunk}");
        }
    }
}
