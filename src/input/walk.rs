//! Walking folders for input files: in file-name order, hidden entries skipped, symbolic links
//! never followed, and each file known by its identity on disk.

use std::path::Path;

use super::{not_a_file, skipped_link, unreadable};
use crate::diagnostics::Diag;

/// A file's identity on its device, to read a file reached by two paths once. Cheap (one `stat`
/// the walk already made), unlike canonicalizing every path, which costs a `stat` per folder of the
/// path and made deep trees quadratic.
pub type Identity = (u64, u64);

/// The identity of the file `meta` describes, where the platform has one.
pub fn identity(meta: &std::fs::Metadata) -> Option<Identity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// A file found by [`walk`].
#[derive(Debug, Clone)]
pub struct Found {
    /// Its path (the root joined with the path below it).
    pub path: std::path::PathBuf,
    /// Its identity, if known.
    pub id: Option<Identity>,
}

/// Walk `root` in file-name order, hidden entries skipped, symbolic links never followed, keeping
/// the files `wanted` accepts (by path). A wanted name that is a FIFO, socket or device is refused
/// ([`super::NOT_A_FILE`]); each symbolic link met is reported once as advice ([`super::SKIPPED_LINK`]), since
/// the walk never enters it there can be no loop; an entry that cannot be read is
/// `precept::input::unreadable`. The walk is linear in the entries below `root`.
pub fn walk(root: &Path, wanted: &dyn Fn(&Path) -> bool, diags: &mut Vec<Diag>) -> Vec<Found> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let name = show(e.path().unwrap_or(root));
                let err = e.into_io_error().unwrap_or_else(|| std::io::Error::other("a loop of links"));
                diags.push(unreadable(&name, &err));
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            diags.push(skipped_link(&show(entry.path())));
            continue;
        }
        if !wanted(entry.path()) {
            continue;
        }
        if !ft.is_file() {
            diags.push(not_a_file(&show(entry.path()), &ft));
            continue;
        }
        let id = entry.metadata().ok().as_ref().and_then(identity);
        out.push(Found { path: entry.into_path(), id });
    }
    out
}

/// A path as shown to the user, with `/` separators.
pub fn show(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
