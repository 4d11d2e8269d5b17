//! Where a record file's bytes come from: a file on disk, read through the file layer
//! ([`crate::input`]), or bytes in memory (an embedding program's records, a policy test's inline
//! records).
//!
//! Every reader, the excerpts behind diagnostics and the locator of findings open a record file
//! here and nowhere else, so records in memory are read by the very code that reads them from disk:
//! the same size limits, the same dropped byte-order mark, the same bounded lines, and so the same
//! diagnostics, byte for byte. Bytes in memory are never copied whole again: streamed formats read
//! them through a `&[u8]`, and a file read whole borrows them.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::PathBuf;
use std::sync::Arc;

use super::RecordFile;
use crate::diagnostics::Diag;
use crate::input::{self, BoundedLines, Kind};

/// Where a record file's content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk, opened through the file layer: a regular file only, within its limits.
    Path(PathBuf),
    /// The whole content, in memory.
    Bytes(Arc<[u8]>),
}

/// A record file's bytes as a stream (see [`RecordFile::stream`]).
pub(crate) type Stream<'f> = Box<dyn Read + Send + 'f>;

/// A record file's lines, each bounded by the `record-line` limit (see [`RecordFile::lines`]).
pub(crate) type Lines<'f> = BufReader<BoundedLines<Stream<'f>>>;

/// A buffered reader that can also seek: what excerpts read lines back with.
pub(crate) trait Seekable: BufRead + Seek {}
impl<T: BufRead + Seek> Seekable for T {}

impl RecordFile {
    /// The file's bytes from the start, with no limit on the whole (a streamed file has none; each
    /// line is bounded by [`RecordFile::lines`]). `name` is how an error opening it names the file.
    pub(crate) fn stream(&self, name: &str) -> Result<Stream<'_>, Diag> {
        Ok(match &self.origin {
            Origin::Path(path) => Box::new(input::open(path, Kind::RecordLine, name, true)?),
            Origin::Bytes(bytes) => Box::new(&bytes[..]),
        })
    }

    /// A line-based file (JSON Lines, CSV) as buffered lines, no line longer than the
    /// `record-line` limit ever held (such a line reads as blank; see [`BoundedLines`]).
    pub(crate) fn lines(&self) -> Result<Lines<'_>, Diag> {
        Ok(input::bounded(self.stream(&self.name)?))
    }

    /// The whole content, for a file read whole (JSON, TOML): never more than the `record-file`
    /// limit, past which it is [`input::TOO_LARGE`]. Bytes in memory are borrowed, not copied.
    pub(crate) fn bytes(&self) -> Result<Cow<'_, [u8]>, Diag> {
        match &self.origin {
            Origin::Path(path) => Ok(Cow::Owned(input::read_bytes(path, Kind::RecordFile, &self.name, true)?)),
            Origin::Bytes(bytes) if bytes.len() as u64 > input::limit(Kind::RecordFile) => {
                Err(input::too_large(Kind::RecordFile, &self.name, None))
            }
            Origin::Bytes(bytes) => Ok(Cow::Borrowed(&bytes[..])),
        }
    }

    /// The content opened to be read back from any place (excerpts of a streamed file); `None` if
    /// it cannot be opened.
    pub(crate) fn seekable(&self) -> Option<Box<dyn Seekable + Send + '_>> {
        Some(match &self.origin {
            Origin::Path(path) => {
                let file = input::open(path, Kind::RecordLine, &input::show(path), true).ok()?;
                Box::new(BufReader::with_capacity(64 * 1024, file))
            }
            Origin::Bytes(bytes) => Box::new(std::io::Cursor::new(&bytes[..])),
        })
    }

    /// The whole text, for showing findings in a file read whole: invalid UTF-8 replaced (it has
    /// been reported), the byte-order mark dropped (every reader drops it, so spans are into the
    /// text without it), never more than the `record-file` limit of it, and empty if it cannot be
    /// read.
    pub(crate) fn text(&self) -> String {
        let mut bytes = Vec::new();
        let read = self.stream(&self.name).ok().map(|s| s.take(input::limit(Kind::RecordFile)).read_to_end(&mut bytes));
        if !matches!(read, Some(Ok(_))) {
            return String::new();
        }
        input::strip_bom(&mut bytes);
        match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        }
    }
}

/// `bytes` without a leading UTF-8 byte-order mark (which every reader drops, so spans and columns
/// are those of the text without it); borrowed bytes stay borrowed.
pub(crate) fn without_bom(bytes: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)),
        Cow::Owned(mut v) => {
            input::strip_bom(&mut v);
            Cow::Owned(v)
        }
    }
}
