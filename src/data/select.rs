//! Which record files a run reads: the settings' `include` and `exclude` globs, and the folders
//! whose files are never records (the policies, roles, settings, waivers and baseline).

use std::path::PathBuf;

/// Which of the files found are read: not inside `skip` folders (the policy and role folders
/// themselves), matching one `include` glob if there are any, and no `exclude` glob. Globs are
/// matched against the file's path as shown (relative to where Precept runs, with `/`) and against
/// its file name.
#[derive(Debug, Default, Clone)]
pub struct Select {
    /// Folders whose files are never records.
    pub skip: Vec<PathBuf>,
    /// At least one must match, when there are any.
    pub include: Vec<crate::glob::Pattern>,
    /// None may match.
    pub exclude: Vec<crate::glob::Pattern>,
}

impl Select {
    /// Skip only these folders.
    pub fn skipping(skip: &[PathBuf]) -> Select {
        Select { skip: skip.to_vec(), ..Select::default() }
    }

    /// Whether a file at `path`, shown as `name`, is read.
    pub fn keeps(&self, path: &std::path::Path, name: &str) -> bool {
        // `./records/x.jsonl` is inside `records`: compare without `.` components.
        let plain = |p: &std::path::Path| -> PathBuf {
            p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect()
        };
        let here = plain(path);
        if self.skip.iter().any(|x| !x.as_os_str().is_empty() && here.starts_with(plain(x))) {
            return false;
        }
        let name = name.replace('\\', "/");
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let hit = |g: &crate::glob::Pattern| g.is_match(&name) || g.is_match(&file);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }
}
