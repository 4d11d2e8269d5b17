//! The file layer: the one way Precept opens a file it reads (records, policies, roles, waivers,
//! baseline, settings, calendars, policy tests).
//!
//! Precept runs in CI on files other people wrote, so every input goes through [`open`]: it refuses
//! anything that is not a regular file (a FIFO would block the run forever, `/dev/zero` would never
//! end) without opening it for a blocking read, checks the size against a documented limit for its
//! [`Kind`] before reading, and reads with a hard cap so a file that grows while it is read is still
//! bounded. [`read_text`] adds what every text kind shares: a UTF-8 byte-order mark is dropped (so
//! spans and columns are those of the file without it) and invalid UTF-8 is a diagnostic with its
//! line and column.
//!
//! Limits are per run: the CLI sets them once from `--limit` and the settings' `[limits]` table
//! ([`set_limits`]); every reader asks [`limit`]. They live in process-wide atomics rather than in
//! every reader's signature because the policy checker's calendar [`crate::check::Loader`] and the
//! record readers run deep inside the pipeline, on worker threads, long after the flags were read.
//!
//! Line-based record files are read with every line bounded ([`BoundedLines`], in `lines.rs`);
//! folders are walked without following links ([`walk()`], in `walk.rs`). Records given in memory
//! rather than as files take the same limits and the same bounded lines (see
//! [`crate::data::Origin`]).

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::diagnostics::Diag;
use crate::source::{line_col, SourceFile, Span};

mod lines;
pub mod toml_size;
mod walk;

pub use lines::{bounded, BoundedLines};
pub use walk::{identity, show, walk, Found, Identity};

/// What an input is, for its size limit and for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line (record) of a JSON Lines or CSV file.
    RecordLine,
    /// A whole JSON or TOML record file (read whole), or a JSON Lines or CSV file as a whole.
    RecordFile,
    /// A `.precept` policy file.
    Policy,
    /// A role and staff `.toml` file.
    Role,
    /// A waivers file.
    Waivers,
    /// A baseline file.
    Baseline,
    /// The settings, `precept.toml`.
    Settings,
    /// A calendar file.
    Calendar,
    /// A policy test file (`*.test.toml`).
    Test,
}

const MIB: u64 = 1 << 20;
/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Every kind, with its `--limit` key and default in bytes.
///
/// Why these defaults: a record line of 16 MiB is far beyond any real ticket or call (they are a
/// few KiB) yet small enough that a few of them held at once stay well under a CI runner's memory;
/// a whole JSON/TOML record file is parsed in memory (about 3 times its size at peak), so 256 MiB
/// keeps a run under 1 GiB; a hand-written policy file of 4 MiB is some 100,000 lines; role,
/// waiver, calendar and test files are data written or exported by people (16 MiB is hundreds of
/// thousands of entries); a baseline holds one entry per known finding (64 MiB is about 300,000);
/// settings are a screenful (1 MiB).
pub const KINDS: [(Kind, &str, u64); 9] = [
    (Kind::RecordLine, "record-line", 16 * MIB),
    (Kind::RecordFile, "record-file", 256 * MIB),
    (Kind::Policy, "policy", 4 * MIB),
    (Kind::Role, "role", 16 * MIB),
    (Kind::Waivers, "waivers", 16 * MIB),
    (Kind::Baseline, "baseline", 64 * MIB),
    (Kind::Settings, "settings", MIB),
    (Kind::Calendar, "calendar", 16 * MIB),
    (Kind::Test, "test", 16 * MIB),
];

static LIMITS: [AtomicU64; 9] = [
    AtomicU64::new(16 * MIB),
    AtomicU64::new(256 * MIB),
    AtomicU64::new(4 * MIB),
    AtomicU64::new(16 * MIB),
    AtomicU64::new(16 * MIB),
    AtomicU64::new(64 * MIB),
    AtomicU64::new(MIB),
    AtomicU64::new(16 * MIB),
    AtomicU64::new(16 * MIB),
];

impl Kind {
    fn index(self) -> usize {
        KINDS.iter().position(|(k, _, _)| *k == self).unwrap_or(0)
    }

    /// The key of this kind in `--limit KEY=SIZE` and in `[limits]`.
    pub fn key(self) -> &'static str {
        KINDS.get(self.index()).map_or("", |(_, k, _)| k)
    }

    /// The kind named by a `--limit` key.
    pub fn from_key(key: &str) -> Option<Kind> {
        KINDS.iter().find(|(_, k, _)| *k == key).map(|(kind, _, _)| *kind)
    }

    /// What such a file is called in messages.
    fn noun(self) -> &'static str {
        match self {
            Kind::RecordLine => "record line",
            Kind::RecordFile => "record file",
            Kind::Policy => "policy file",
            Kind::Role => "role file",
            Kind::Waivers => "waivers file",
            Kind::Baseline => "baseline",
            Kind::Settings => "settings file",
            Kind::Calendar => "calendar file",
            Kind::Test => "policy test file",
        }
    }
}

/// The size limit in bytes for `kind` in this run.
pub fn limit(kind: Kind) -> u64 {
    LIMITS.get(kind.index()).map_or(u64::MAX, |a| a.load(Ordering::Relaxed))
}

/// Set the size limit for `kind` for the rest of the run.
pub fn set_limit(kind: Kind, bytes: u64) {
    if let Some(a) = LIMITS.get(kind.index()) {
        a.store(bytes, Ordering::Relaxed);
    }
}

/// Set several limits (from `--limit` and `[limits]`).
pub fn set_limits(limits: &[(Kind, u64)]) {
    for (kind, bytes) in limits {
        set_limit(*kind, *bytes);
    }
}

/// Parse a size: a whole number of bytes, or with a unit `KiB`, `MiB`, `GiB` (also `K`, `M`, `G`,
/// `KB`, `MB`, `GB`, all powers of 1024, any case).
///
/// ```
/// assert_eq!(precept::input::parse_size("64MiB"), Some(64 << 20));
/// assert_eq!(precept::input::parse_size("1024"), Some(1024));
/// assert_eq!(precept::input::parse_size("lots"), None);
/// ```
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// A size for messages: `16 MiB`, `512 KiB`, `100 bytes`.
pub fn show_size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// The diagnostic for an input past its limit (a file, or with `line` a record line).
pub fn too_large(kind: Kind, name: &str, line: Option<usize>) -> Diag {
    let max = show_size(limit(kind));
    let key = kind.key();
    let message = match line {
        Some(l) => format!("line {l} of `{name}` is longer than the {} limit of {max}", kind.noun()),
        None => format!("`{name}` is larger than the {} limit of {max}", kind.noun()),
    };
    let skipped = if line.is_some() { "the line was skipped; " } else { "" };
    Diag::error(TOO_LARGE, message).help(format!(
        "{skipped}raise the limit with `--limit {key}=SIZE` or `{key} = \"SIZE\"` under `[limits]` in `precept.toml`"
    ))
}

/// Code: the input is a FIFO, socket, device or folder where a file was wanted.
pub const NOT_A_FILE: &str = "precept::input::not-a-file";
/// Code: the input is larger than its limit.
pub const TOO_LARGE: &str = "precept::input::too-large";
/// Code: a symbolic link in a folder walk was not followed.
pub const SKIPPED_LINK: &str = "precept::input::skipped-link";

/// What a file system entry is, for "is not a regular file (a FIFO)".
pub fn describe(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

/// The diagnostic for an entry that is not a regular file.
pub fn not_a_file(name: &str, ft: &std::fs::FileType) -> Diag {
    Diag::error(NOT_A_FILE, format!("`{name}` is not a regular file ({})", describe(ft)))
        .help("give a regular file; FIFOs, sockets and devices are never read, so a run cannot block on them")
}

/// The advice that a folder walk did not follow a symbolic link.
pub fn skipped_link(name: &str) -> Diag {
    Diag::new(SKIPPED_LINK, crate::diagnostics::Level::Advice, format!("skipped symbolic link `{name}`"))
        .help("folder walks do not follow links; name the file itself to read it")
}

/// The diagnostic for an I/O error.
pub(crate) fn unreadable(name: &str, err: &std::io::Error) -> Diag {
    let reason = io_reason(err);
    Diag::error("precept::input::unreadable", format!("cannot read `{name}`: {reason}"))
        .help("check that the path exists and is readable")
}

/// Open `path` for reading as a `kind` input, shown as `name`.
///
/// Refuses (with [`NOT_A_FILE`]) anything that is not a regular file, checking before the file is
/// opened and again on the open handle, and opening without blocking, so a FIFO swapped in between
/// cannot hang the run. A symbolic link is followed only when `named` (the user gave this path);
/// a file found by walking a folder or named by another file must not be a link at all. The size is
/// checked against the limit for `kind` ([`TOO_LARGE`]) before anything is read; [`read_bytes`]
/// also caps the read itself.
pub fn open(path: &Path, kind: Kind, name: &str, named: bool) -> Result<std::fs::File, Diag> {
    let meta = if named { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) };
    let meta = meta.map_err(|e| unreadable(name, &e))?;
    if !meta.is_file() {
        return Err(not_a_file(name, &meta.file_type()));
    }
    // A streamed file (JSON Lines, CSV: opened as `RecordLine`) has no whole-file limit.
    if kind != Kind::RecordLine && meta.len() > limit(kind) {
        return Err(too_large(kind, name, None));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO put in place after the check above returns at once instead of
        // waiting for a writer. O_NOFOLLOW: a path that was not a link when checked is not one now.
        let mut flags = libc::O_NONBLOCK;
        if !named {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = options.open(path).map_err(|e| unreadable(name, &e))?;
    let meta = file.metadata().map_err(|e| unreadable(name, &e))?;
    if !meta.is_file() {
        return Err(not_a_file(name, &meta.file_type()));
    }
    Ok(file)
}

/// Open `path` ([`open`]) and read it whole, never more than the limit for `kind`.
pub fn read_bytes(path: &Path, kind: Kind, name: &str, named: bool) -> Result<Vec<u8>, Diag> {
    let file = open(path, kind, name, named)?;
    let max = limit(kind);
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| unreadable(name, &e))?;
    if bytes.len() as u64 > max {
        return Err(too_large(kind, name, None));
    }
    Ok(bytes)
}

/// Drop a UTF-8 byte-order mark at the start of `bytes`; returns how many bytes were dropped.
pub fn strip_bom(bytes: &mut Vec<u8>) -> usize {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
        3
    } else {
        0
    }
}

/// Read a text input of `kind` ([`read_bytes`]): a byte-order mark is dropped, so every span and
/// column is that of the file without it, and invalid UTF-8 is `precept::input::invalid-utf8` at
/// the first bad byte, with its line and column.
pub fn read_text(path: &Path, kind: Kind, name: &str, named: bool) -> Result<SourceFile, Diag> {
    let mut bytes = read_bytes(path, kind, name, named)?;
    strip_bom(&mut bytes);
    let file = text_of(bytes, name)?;
    if matches!(kind, Kind::Role | Kind::Waivers | Kind::Settings | Kind::Calendar | Kind::Test) {
        if let Some(d) = toml_too_large(kind, &file) {
            return Err(d);
        }
    }
    Ok(file)
}

/// For a TOML `file` of `kind`: the diagnostic if its document tree would take more than four
/// times the limit for `kind` once parsed. The `toml` crate's tree can be a hundred times the text
/// for tiny values (`x = [{},{},...]`), so this is judged from the text before parsing (see
/// [`toml_size::toml_tree_estimate`]).
pub fn toml_too_large(kind: Kind, file: &SourceFile) -> Option<Diag> {
    let budget = limit(kind).saturating_mul(4);
    if u64::try_from(toml_size::toml_tree_estimate(&file.text)).unwrap_or(u64::MAX) <= budget {
        return None;
    }
    let (max, key) = (show_size(budget), kind.key());
    Some(
        Diag::error(TOO_LARGE, format!("`{}` would take more than {max} in memory once parsed", file.name))
            .at(file, Span::new(0, 0), "this file")
            .help(format!(
                "a TOML {} may take four times its limit once parsed, and tiny values take far more memory than their text; the file was not read: split it, or raise the limit with `--limit {key}=SIZE` or `{key} = \"SIZE\"` under `[limits]` in `precept.toml`",
                kind.noun()
            )),
    )
}

/// Bytes as a source file; invalid UTF-8 is a diagnostic at the first bad byte.
pub fn text_of(bytes: Vec<u8>, name: &str) -> Result<SourceFile, Diag> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // Offsets shift after replacement, but everything before the first bad byte is unchanged.
            let file = SourceFile::new(name, lossy);
            let (line, col) = line_col(&file.text, at);
            Err(Diag::error(
                "precept::input::invalid-utf8",
                format!("`{name}` is not valid UTF-8 (line {line}, column {col})"),
            )
            .at(&file, Span::new(at, at + 1), "invalid byte here")
            .help("save the file as UTF-8"))
        }
    }
}

/// A diagnostic as the one-line reason a calendar [`crate::check::Loader`] gives: its message,
/// and for a file past its limit how to raise it.
pub fn reason(d: Diag) -> String {
    match d.help {
        Some(help) if d.code == TOO_LARGE => format!("{}; {help}", d.message),
        _ => d.message,
    }
}

/// Open a line-based record file (JSON Lines, CSV) through [`open`], buffered and with every line
/// bounded by the `record-line` limit ([`BoundedLines`]).
pub fn open_lines(path: &Path, name: &str) -> Result<std::io::BufReader<BoundedLines<std::fs::File>>, Diag> {
    Ok(bounded(open(path, Kind::RecordLine, name, true)?))
}

/// An I/O error as a short reason for a diagnostic: the OS's words without the `(os error N)`.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_string(),
        None => s,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_show() {
        for (text, want) in [("0", 0), ("1k", 1024), ("2 MiB", 2 << 20), ("3GB", 3 << 30), ("7b", 7)] {
            assert_eq!(parse_size(text), Some(want), "{text}");
        }
        for bad in ["", "MiB", "-1", "1.5MiB", "1TiB", "99999999999999999999G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        assert_eq!(show_size(16 << 20), "16 MiB");
        assert_eq!(show_size(2048), "2 KiB");
        assert_eq!(show_size(100), "100 bytes");
        for (kind, key, _) in KINDS {
            assert_eq!(Kind::from_key(key), Some(kind));
            assert_eq!(kind.key(), key);
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        for (path, what) in [
            (Path::new("/dev/zero"), "a character device"),
            (Path::new("/dev/null"), "a character device"),
            (dir.path(), "a folder"),
        ] {
            let e = read_bytes(path, Kind::Waivers, "x", true).unwrap_err();
            assert_eq!(e.code, NOT_A_FILE);
            assert!(e.message.contains(what), "{}", e.message);
        }
    }

    #[test]
    fn a_bom_is_dropped_and_bad_utf8_has_a_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"\xEF\xBB\xBFab\ncd").unwrap();
        assert_eq!(&*read_text(&p, Kind::Policy, "a", true).unwrap().text, "ab\ncd");
        std::fs::write(&p, b"ab\nc\xFFd").unwrap();
        let e = read_text(&p, Kind::Policy, "a", true).unwrap_err();
        assert!(e.message.contains("line 2, column 2"), "{}", e.message);
    }
}
