//! Writing report and baseline files without destroying anything.
//!
//! Precept often runs as root in CI, so what an output path names decides how it is written:
//!
//! - nothing yet, a regular file, or a link to a regular file: a temporary file
//!   (`.precept-*.tmp`) beside the file (beside the link's *target*, so the link stays a link) is
//!   renamed over it once complete, so a reader sees the old file or the new one, never half of one;
//! - a character device or a FIFO (`/dev/stdout`, a named pipe), or a link to one: opened and
//!   written in place, never renamed over (renaming a file over `/dev/null` would replace the
//!   device for the whole machine);
//! - a folder, a socket, a block device (writing would overwrite a disk) or a link that leads
//!   nowhere: refused, with a reason.
//!
//! Missing folders above an output path are created ([`make_parents`]), one at a time and each as
//! a real folder: a folder that exists, or a link that exists and leads to a folder, is used as it
//! is (the user wrote that path), but a link that leads nowhere is never created through (its
//! target could be anywhere on the machine), nothing created is ever a link, and a path that climbs
//! out of a missing folder with `..` is refused.
//!
//! A problem names the path asked for and never the temporary file ([`reason`]): that name means
//! nothing to the user and changes every run.
//!
//! Temporary files in progress are registered, so that SIGINT, SIGTERM or SIGHUP
//! ([`remove_temporary_files_on_signal`]) remove them before the process ends as the signal would
//! end it: a report is complete or absent, and no `.precept-*.tmp` is left behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What an output path names now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing.
    Nothing,
    /// A regular file.
    File,
    /// A folder.
    Folder,
    /// A named pipe.
    Fifo,
    /// A character device (`/dev/null`, a terminal).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// A socket.
    Socket,
    /// A link that leads nowhere.
    DanglingLink,
}

/// How an output path is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Write a temporary file beside this path and rename it over the path when complete.
    Atomic(PathBuf),
    /// Open this path and write it as it is: it is a device or a FIFO, never replaced.
    InPlace(PathBuf),
}

impl Found {
    /// What `path` names, following links (a link's own kind only matters when it leads nowhere).
    /// Only metadata is read: nothing is opened, so a FIFO cannot block this.
    pub fn of(path: &Path) -> std::io::Result<Found> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(Found::of_type(m.file_type())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => Ok(Found::DanglingLink),
                _ => Ok(Found::Nothing),
            },
            Err(e) => Err(e),
        }
    }

    fn of_type(t: std::fs::FileType) -> Found {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return Found::Fifo;
            }
            if t.is_char_device() {
                return Found::CharDevice;
            }
            if t.is_block_device() {
                return Found::BlockDevice;
            }
            if t.is_socket() {
                return Found::Socket;
            }
        }
        if t.is_dir() {
            Found::Folder
        } else {
            Found::File
        }
    }

    /// How a path naming this is written, or why it is not (a reason for a message).
    pub fn decide(self) -> Result<Writing, &'static str> {
        match self {
            Found::Nothing | Found::File => Ok(Writing::Atomic),
            Found::Fifo | Found::CharDevice => Ok(Writing::InPlace),
            Found::Folder => Err("it is a folder"),
            Found::BlockDevice => Err("it is a block device, and writing would overwrite what it holds"),
            Found::Socket => Err("it is a socket"),
            Found::DanglingLink => Err("it is a link to a file that does not exist"),
        }
    }
}

/// The two ways of writing an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    /// Temporary file and rename.
    Atomic,
    /// Open and write.
    InPlace,
}

/// How `path` is written (see the module documentation), or why it cannot be.
pub fn plan(path: &Path) -> Result<Plan, String> {
    let found = Found::of(path).map_err(|e| crate::input::io_reason(&e))?;
    match found.decide()? {
        Writing::InPlace => Ok(Plan::InPlace(path.to_path_buf())),
        // A link to a regular file: replace the file it leads to, and keep the link.
        Writing::Atomic if found == Found::File && is_link(path) => {
            std::fs::canonicalize(path).map(Plan::Atomic).map_err(|e| crate::input::io_reason(&e))
        }
        Writing::Atomic => Ok(Plan::Atomic(path.to_path_buf())),
    }
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The bytes a report file gathers before each write: a report of many findings is hundreds of
/// megabytes, written a finding at a time (8 KiB, the default, was a write call every ten
/// findings of the JSON report).
const BUFFER: usize = 256 * 1024;

/// An output being written, by [`plan`]: atomically, or in place for a device or FIFO.
pub enum OutputFile {
    /// A temporary file renamed into place on [`OutputFile::commit`].
    Atomic(AtomicFile),
    /// A device or FIFO, written as we go.
    InPlace(std::io::BufWriter<std::fs::File>),
}

impl OutputFile {
    /// Start writing `path`. A FIFO needs a reader within [`FIFO_WAIT`]: where `> fifo` in a shell
    /// would wait for one for ever (a CI job hung on a named pipe left where a report goes), this
    /// is an error then. Missing folders above `path` are made first ([`make_parents`]). `Err` is
    /// a reason for a message.
    pub fn create(path: &Path) -> Result<OutputFile, String> {
        make_parents(path)?;
        match plan(path)? {
            Plan::Atomic(target) => AtomicFile::create(&target).map(OutputFile::Atomic).map_err(|e| reason(&e)),
            Plan::InPlace(p) => open_in_place(&p).map(|f| OutputFile::InPlace(std::io::BufWriter::new(f))),
        }
    }

    /// Finish: rename the temporary file into place, or flush the device.
    pub fn commit(self) -> std::io::Result<()> {
        match self {
            OutputFile::Atomic(f) => f.commit(),
            OutputFile::InPlace(mut w) => w.flush(),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            OutputFile::Atomic(f) => f.write(buf),
            OutputFile::InPlace(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            OutputFile::Atomic(f) => f.flush(),
            OutputFile::InPlace(w) => w.flush(),
        }
    }
}

/// How long a FIFO output may wait for a process to read it.
pub const FIFO_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Open a device or FIFO for writing without blocking: opening a FIFO that no process reads fails
/// (`ENXIO`) at once, and is tried again for up to [`FIFO_WAIT`] (a reader started just after the
/// run is fine); once open, writes block as usual, so a slow reader loses nothing.
fn open_in_place(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let start = std::time::Instant::now();
    let file = loop {
        match options.open(path) {
            Ok(f) => break f,
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                if start.elapsed() >= FIFO_WAIT {
                    return Err(format!(
                        "it is a named pipe (FIFO) that no process read within {} s; start the reader first",
                        FIFO_WAIT.as_secs()
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(crate::input::io_reason(&e)),
        }
    };
    #[cfg(unix)]
    {
        let flags = rustix::fs::fcntl_getfl(&file).map_err(|e| crate::input::io_reason(&e.into()))?;
        rustix::fs::fcntl_setfl(&file, flags - rustix::fs::OFlags::NONBLOCK)
            .map_err(|e| crate::input::io_reason(&e.into()))?;
    }
    Ok(file)
}

/// Create the folders above `path` that do not exist yet, outermost first (see the module
/// documentation for what is refused). `Err` is a reason for a message, naming the folder.
pub fn make_parents(path: &Path) -> Result<(), String> {
    let mut missing = Vec::new();
    let mut at = path.parent();
    while let Some(dir) = at.filter(|d| !d.as_os_str().is_empty()) {
        match std::fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => break,
            Ok(m) if m.file_type().is_symlink() => match std::fs::metadata(dir) {
                Ok(t) if t.is_dir() => break,
                Ok(_) => return Err(format!("`{}` is not a folder", crate::text::path(dir))),
                Err(_) => {
                    return Err(format!(
                        "`{}` is a link that leads nowhere, and no folder is created through one",
                        crate::text::path(dir)
                    ))
                }
            },
            Ok(_) => return Err(format!("`{}` is not a folder", crate::text::path(dir))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(dir);
                at = dir.parent();
            }
            // A file above it (`file/sub` when `file` is one): that file is the reason, not `dir`.
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Err(not_a_folder_above(dir)
                    .unwrap_or_else(|| format!("`{}` cannot be read: {}", crate::text::path(dir), reason(&e))));
            }
            Err(e) => return Err(format!("`{}` cannot be read: {}", crate::text::path(dir), reason(&e))),
        }
    }
    // `a/missing/..`: where `..` leads depends on folders that do not exist yet. Refused before
    // any folder is made.
    if let Some(dir) = missing.iter().find(|d| d.file_name().is_none()) {
        return Err(format!(
            "`{}` climbs out of a folder that does not exist; name the folder without `..`",
            crate::text::path(dir)
        ));
    }
    for dir in missing.into_iter().rev() {
        match std::fs::create_dir(dir) {
            Ok(()) => {}
            // Made meanwhile by another process: used if it is a real folder (checked below).
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create the folder `{}`: {}", crate::text::path(dir), reason(&e))),
        }
        // Never a link put in its place since: what is written below it stays below it.
        if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
            return Err(format!(
                "`{}` is not a folder Precept created, and is not written through",
                crate::text::path(dir)
            ));
        }
    }
    Ok(())
}

/// The nearest folder above `dir` that exists but is not a folder (a file, or a link to one), as a
/// reason: `` `notes.txt` is not a folder ``.
fn not_a_folder_above(dir: &Path) -> Option<String> {
    dir.ancestors()
        .skip(1)
        .filter(|d| !d.as_os_str().is_empty())
        .find(|d| std::fs::metadata(d).is_ok_and(|m| !m.is_dir()))
        .map(|d| format!("`{}` is not a folder", crate::text::path(d)))
}

/// Why an operation on an output failed, in words, without the name of any temporary file: the
/// `tempfile` crate adds ` at path "/dir/.precept-Xy12.tmp"` to its errors, a name that means
/// nothing to the user (the message names the path they asked for instead).
pub fn reason(e: &std::io::Error) -> String {
    let text = crate::input::io_reason(e);
    match text.find(" at path ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// Write `bytes` to `path` as [`OutputFile`] does: atomically, or in place for a device or FIFO.
/// `Err` is a reason for a message.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = OutputFile::create(path)?;
    file.write_all(bytes).map_err(|e| reason(&e))?;
    file.commit().map_err(|e| reason(&e))
}

/// The temporary files being written now, removed on a signal. Every change happens under this
/// lock, together with the file operation it records (creating, renaming into place, removing),
/// so a signal sees each file either in progress (and removes it) or done.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_progress() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while holding the lock leaves the list as valid as before.
    IN_PROGRESS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A file written atomically: to a temporary file in the same folder, renamed over `path` by
/// [`AtomicFile::commit`], so a reader sees the old file or the new one, never half of one (and a
/// file never committed leaves no trace). A new file gets ordinary permissions (`rw-r--r--`), a
/// replaced one keeps its own. Use [`OutputFile`] for a path given by a user: this renames over
/// whatever `path` is.
pub struct AtomicFile {
    // INVARIANT: `Some` until committed or dropped.
    temp: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
    path: PathBuf,
    /// Putting a large file on disk while it is still being written.
    writeback: Writeback,
}

/// Bytes written between two requests to put a file being written on disk.
const WRITEBACK_EVERY: u64 = 8 << 20;

/// A large file's bytes are put on disk while the rest is being written, so that committing it
/// waits only for the last few MiB (on a disk slower than the writer, for what the syncs have not
/// caught up with): `commit` syncs the file before renaming it, and with a report of a million
/// findings (1.4 GB over five formats) that wait was a fifth of the run, with every core idle.
/// Every [`WRITEBACK_EVERY`] bytes a thread of the file's own is asked to sync what has reached
/// the file so far (all but at most the write buffer's [`BUFFER`] bytes); the writer never waits
/// for it (a request while one is queued is dropped: the next sync covers it). No thread is
/// started for a file smaller than that. std has no way to start writeback without waiting
/// (`sync_file_range`), hence the thread.
struct Writeback {
    every: u64,
    written: u64,
    /// `written` when the last sync was asked for.
    asked: u64,
    syncer: Syncer,
    /// How the thread syncs: [`std::fs::File::sync_data`], another in the tests.
    sync: fn(&std::fs::File) -> std::io::Result<()>,
}

/// The thread that syncs a file being written, and how to ask it to.
enum Syncer {
    NotStarted,
    Started(Box<(std::sync::mpsc::SyncSender<()>, std::thread::JoinHandle<std::io::Result<()>>)>),
    /// Starting it failed: the file is synced at commit only.
    Unavailable,
}

impl Writeback {
    fn new(every: u64) -> Writeback {
        Writeback { every, written: 0, asked: 0, syncer: Syncer::NotStarted, sync: std::fs::File::sync_data }
    }

    /// `n` more bytes were written to `file`.
    fn wrote(&mut self, n: usize, file: &std::fs::File) {
        self.written = self.written.saturating_add(n as u64);
        if self.written - self.asked < self.every {
            return;
        }
        self.asked = self.written;
        if let Syncer::NotStarted = self.syncer {
            self.syncer = Self::start(file, self.sync).map_or(Syncer::Unavailable, |s| Syncer::Started(Box::new(s)));
        }
        if let Syncer::Started(syncer) = &self.syncer {
            // Full: a sync is queued, which covers these bytes too. Gone: it failed, and
            // `finish` says so.
            let _ = syncer.0.try_send(());
        }
    }

    fn start(
        file: &std::fs::File,
        sync: fn(&std::fs::File) -> std::io::Result<()>,
    ) -> Option<(std::sync::mpsc::SyncSender<()>, std::thread::JoinHandle<std::io::Result<()>>)> {
        let file = file.try_clone().ok()?;
        let (ask, asked) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("precept-writeback".into())
            .spawn(move || asked.into_iter().try_for_each(|()| sync(&file)))
            .ok()?;
        Some((ask, thread))
    }

    /// Wait for the syncs asked for; an error of any of them is the file's.
    fn finish(&mut self) -> std::io::Result<()> {
        let Syncer::Started(syncer) = std::mem::replace(&mut self.syncer, Syncer::NotStarted) else { return Ok(()) };
        let (ask, thread) = *syncer;
        drop(ask);
        thread.join().unwrap_or_else(|_| Err(std::io::Error::other("putting the file on disk failed")))
    }
}

impl AtomicFile {
    /// Start writing `path`.
    pub fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut list = in_progress();
        let temp = tempfile::Builder::new().prefix(".precept-").suffix(".tmp").tempfile_in(dir)?;
        list.push(temp.path().to_path_buf());
        Ok(AtomicFile {
            temp: Some(std::io::BufWriter::with_capacity(BUFFER, temp)),
            path: path.to_path_buf(),
            writeback: Writeback::new(WRITEBACK_EVERY),
        })
    }

    /// Put the file in place.
    pub fn commit(mut self) -> std::io::Result<()> {
        let Some(writer) = self.temp.take() else { return Ok(()) };
        let temp = match writer.into_inner() {
            Ok(t) => t,
            Err(e) => {
                let (error, writer) = e.into_parts();
                // Dropped with `self`, which removes the temporary file.
                self.temp = Some(writer);
                return Err(error);
            }
        };
        let ready = self.writeback.finish().and_then(|()| temp.as_file().sync_all()).and_then(|()| {
            let perms = match std::fs::metadata(&self.path) {
                Ok(m) => {
                    keep_owner(temp.as_file(), &m);
                    Some(m.permissions())
                }
                Err(_) => ordinary_permissions(temp.as_file()),
            };
            perms.map_or(Ok(()), |p| temp.as_file().set_permissions(p))
        });
        let mut list = in_progress();
        let temp_path = temp.path().to_path_buf();
        list.retain(|p| *p != temp_path);
        // Renamed into place, or removed (dropping a temporary file removes it), under the lock.
        let result = match ready {
            Ok(()) => temp.persist(&self.path).map(drop).map_err(|e| e.error),
            Err(e) => {
                drop(temp);
                Err(e)
            }
        };
        drop(list);
        result
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(writer) = self.temp.take() {
            let mut list = in_progress();
            let path = writer.get_ref().path().to_path_buf();
            list.retain(|p| *p != path);
            // Dropping the temporary file removes it; under the lock, so a signal never races it.
            drop(writer);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.temp {
            Some(w) => {
                let n = w.write(buf)?;
                self.writeback.wrote(n, w.get_ref().as_file());
                Ok(n)
            }
            None => Err(std::io::Error::other("the file was already put in place")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.temp {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

/// Write `bytes` to `path` atomically (see [`AtomicFile`]).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Give the file replacing one the old file's owner and group, so a report a run as root
/// rewrites stays its owner's. Only root may give a file away; for anyone else the owner is theirs
/// already (or cannot be changed, as with any editor's save), so a failure is no error.
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let (uid, gid) = (old.uid(), old.gid());
    if file.metadata().is_ok_and(|m| m.uid() == uid && m.gid() == gid) {
        return;
    }
    let _ = std::os::unix::fs::fchown(file, Some(uid), Some(gid));
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) {}

/// The permissions of an ordinary new file (`rw-r--r--`); elsewhere the temporary file's own.
#[cfg(unix)]
fn ordinary_permissions(_: &std::fs::File) -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// The permissions of an ordinary new file; elsewhere the temporary file's own.
#[cfg(not(unix))]
fn ordinary_permissions(file: &std::fs::File) -> Option<std::fs::Permissions> {
    file.metadata().ok().map(|m| m.permissions())
}

/// On SIGINT, SIGTERM or SIGHUP: remove every temporary file in progress, then end the process
/// as the signal would have (a shell shows status 130 for SIGINT, 143 for SIGTERM). A report
/// renamed into place before the signal stays; one in progress never appears. Call once, early;
/// where signals cannot be watched the run goes on without this.
pub fn remove_temporary_files_on_signal() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        let _ = std::thread::Builder::new().name("precept-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Held until the process ends, so nothing is created or renamed into place after.
                let list = in_progress();
                for path in list.iter() {
                    let _ = std::fs::remove_file(path);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_fifos_are_written_in_place_and_never_renamed_over() {
        for (found, writing) in [
            (Found::Nothing, Ok(Writing::Atomic)),
            (Found::File, Ok(Writing::Atomic)),
            (Found::CharDevice, Ok(Writing::InPlace)),
            (Found::Fifo, Ok(Writing::InPlace)),
        ] {
            assert_eq!(found.decide(), writing, "{found:?}");
        }
        for refused in [Found::Folder, Found::BlockDevice, Found::Socket, Found::DanglingLink] {
            assert!(refused.decide().is_err(), "{refused:?}");
        }
    }

    /// Only metadata is read here: nothing is opened or written.
    #[cfg(unix)]
    #[test]
    fn real_devices_are_planned_in_place() {
        for dev in ["/dev/null", "/dev/full", "/dev/zero"] {
            if Path::new(dev).exists() {
                assert_eq!(Found::of(Path::new(dev)).unwrap(), Found::CharDevice, "{dev}");
                assert_eq!(plan(Path::new(dev)), Ok(Plan::InPlace(PathBuf::from(dev))), "{dev}");
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_is_followed_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_output(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let dangling = dir.path().join("nowhere.json");
        std::os::unix::fs::symlink(dir.path().join("missing/x"), &dangling).unwrap();
        assert!(write_output(&dangling, b"x").unwrap_err().contains("does not exist"));
        assert!(write_output(dir.path(), b"x").unwrap_err().contains("folder"));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left.len(), 3, "no temporary file left: {left:?}");
    }

    #[test]
    fn missing_folders_are_created_and_reasons_never_name_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c/report.json");
        write_output(&deep, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&deep).unwrap(), "{}");
        // A folder that is a file: refused, naming it.
        let under_file = dir.path().join("a/b/c/report.json/x.json");
        let e = write_output(&under_file, b"x").unwrap_err();
        assert!(e.contains("report.json` is not a folder"), "{e}");
        // Climbing out of a missing folder.
        let e = write_output(&dir.path().join("new/../r.json"), b"x").unwrap_err();
        assert!(e.contains("climbs out"), "{e}");
        assert!(!dir.path().join("new").exists());
        // The temporary file's name never reaches a reason, even when tempfile puts it there.
        let e = AtomicFile::create(&dir.path().join("nowhere/r.json")).err().unwrap();
        assert!(!reason(&e).contains(".precept-") && !reason(&e).contains("at path"), "{}", reason(&e));
        let made = std::io::Error::other("No space left on device at path \"/x/.precept-Ab12.tmp\"");
        assert_eq!(reason(&made), "No space left on device");
    }

    #[cfg(unix)]
    #[test]
    fn no_folder_is_created_through_a_link_that_leads_nowhere() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("out")).unwrap();
        let e = write_output(&dir.path().join("out/sub/r.json"), b"x").unwrap_err();
        assert!(e.contains("leads nowhere"), "{e}");
        assert!(!elsewhere.exists(), "nothing made where the link points");
        // A link to a folder that exists is followed, as the shell would.
        std::fs::create_dir(&elsewhere).unwrap();
        write_output(&dir.path().join("out/sub/r.json"), b"x").unwrap();
        assert!(elsewhere.join("sub/r.json").is_file());
    }

    #[test]
    fn a_file_never_committed_leaves_nothing_and_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create(&dir.path().join("r.json")).unwrap();
        f.write_all(b"half").unwrap();
        let temp = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()).next().unwrap();
        assert!(temp.file_name().unwrap().to_string_lossy().starts_with(".precept-"));
        assert!(in_progress().contains(&temp));
        assert!(temp.exists());
        drop(f);
        assert!(!temp.exists());
        assert!(!in_progress().contains(&temp));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// A file put on disk while it is written (a sync asked for every 1,000 bytes here) holds
    /// exactly what was written once committed, and one never committed still leaves nothing.
    /// Four times [`BUFFER`] is written, so most of it reaches the file while syncs run.
    #[test]
    fn a_file_synced_while_written_is_whole_when_committed_and_gone_when_not() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..4 * BUFFER as u32).map(|i| (i % 251) as u8).collect();
        let path = dir.path().join("r.json");
        let mut f = AtomicFile::create(&path).unwrap();
        f.writeback = Writeback::new(1_000);
        for piece in bytes.chunks(777) {
            f.write_all(piece).unwrap();
        }
        assert!(matches!(f.writeback.syncer, Syncer::Started(_)), "no sync was asked for");
        f.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);

        let mut f = AtomicFile::create(&dir.path().join("half.json")).unwrap();
        f.writeback = Writeback::new(1_000);
        for piece in bytes.chunks(777) {
            f.write_all(piece).unwrap();
        }
        drop(f);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("r.json")]);
    }

    /// Write four times [`BUFFER`] to `f` with a sync asked for every 64 KiB, so that bytes reach
    /// the file while syncs run; the bytes written.
    fn write_with_syncs(f: &mut AtomicFile, sync: fn(&std::fs::File) -> std::io::Result<()>) -> Vec<u8> {
        let bytes: Vec<u8> = (0..4 * BUFFER as u32).map(|i| (i % 251) as u8).collect();
        f.writeback = Writeback::new(64 * 1024);
        f.writeback.sync = sync;
        for piece in bytes.chunks(777) {
            f.write_all(piece).unwrap();
        }
        bytes
    }

    /// Every sync asked for has ended when `commit` returns (it waits for the thread), and the
    /// syncs ran on a file that held bytes.
    #[test]
    fn commit_waits_for_every_sync_asked_for() {
        use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        static ENDED: AtomicUsize = AtomicUsize::new(0);
        static LONGEST: AtomicU64 = AtomicU64::new(0);
        fn slow(f: &std::fs::File) -> std::io::Result<()> {
            STARTED.fetch_add(1, SeqCst);
            LONGEST.fetch_max(f.metadata()?.len(), SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            f.sync_data()?;
            ENDED.fetch_add(1, SeqCst);
            Ok(())
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let mut f = AtomicFile::create(&path).unwrap();
        let bytes = write_with_syncs(&mut f, slow);
        f.commit().unwrap();
        assert!(STARTED.load(SeqCst) > 0, "no sync ran");
        assert_eq!(STARTED.load(SeqCst), ENDED.load(SeqCst), "commit returned while a sync ran");
        assert!(LONGEST.load(SeqCst) > 0, "no sync saw any bytes");
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    /// A sync that fails fails the commit with its error, and nothing is put in place.
    #[test]
    fn a_failed_sync_fails_the_commit_and_leaves_nothing() {
        fn failing(_: &std::fs::File) -> std::io::Result<()> {
            Err(std::io::Error::other("the disk went away"))
        }
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create(&dir.path().join("r.json")).unwrap();
        write_with_syncs(&mut f, failing);
        assert_eq!(f.commit().unwrap_err().to_string(), "the disk went away");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// Dropping a file never committed does not wait for a sync in progress, and leaves nothing.
    #[test]
    fn dropping_an_uncommitted_file_does_not_wait_for_its_sync() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        static RELEASED: AtomicBool = AtomicBool::new(false);
        static ENDED: AtomicUsize = AtomicUsize::new(0);
        // Held until the test releases it (or ten seconds, so that nothing hangs).
        fn held(_: &std::fs::File) -> std::io::Result<()> {
            STARTED.fetch_add(1, SeqCst);
            let since = std::time::Instant::now();
            while !RELEASED.load(SeqCst) && since.elapsed() < std::time::Duration::from_secs(10) {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            ENDED.fetch_add(1, SeqCst);
            Ok(())
        }
        let dir = tempfile::tempdir().unwrap();
        let mut f = AtomicFile::create(&dir.path().join("half.json")).unwrap();
        write_with_syncs(&mut f, held);
        let since = std::time::Instant::now();
        while STARTED.load(SeqCst) == 0 && since.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::yield_now();
        }
        assert!(STARTED.load(SeqCst) > 0, "no sync ran");
        drop(f);
        // Had the drop waited for the sync, the sync would have ended (it ends only once released).
        assert_eq!(ENDED.load(SeqCst), 0, "the drop waited for the sync");
        RELEASED.store(true, SeqCst);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// A replaced file keeps its owner, group and mode (run as root, who alone can give a file
    /// away; as anyone else the owner cannot differ, and the test says it was skipped).
    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_owner_group_and_mode() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        if std::os::unix::fs::chown(&path, Some(4321), Some(4321)).is_err() {
            eprintln!("skipped: only root can give a file to another owner");
            return;
        }
        for round in 0..3 {
            write_output(&path, format!("new {round}").as_bytes()).unwrap();
            let m = std::fs::metadata(&path).unwrap();
            assert_eq!((m.uid(), m.gid(), m.mode() & 0o777), (4321, 4321, 0o640), "round {round}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("new {round}"));
        }
    }
}
