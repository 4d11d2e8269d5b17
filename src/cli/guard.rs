//! Outputs never replace inputs: before a report or baseline is written, each output path is
//! compared with every file the run reads (settings, policies and the files beside them, roles,
//! waivers, baseline, calendars, records) and with the other outputs.
//!
//! Files are compared by identity (device and inode on Unix), not by spelling, so
//! `./records/../records/a.jsonl`, a symbolic link and a hard link are all caught. Identity is read
//! from metadata only: nothing is opened, so a FIFO cannot block the check (`same-file`'s
//! `Handle` opens the file, which would).

use std::path::{Path, PathBuf};

use crate::diagnostics::Diag;

/// The code of an output that is also an input, or two outputs naming one file.
pub const OUTPUT_IS_INPUT: &str = "precept::usage::output-is-input";

/// The identity of an existing file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    #[cfg(not(unix))]
    path: PathBuf,
}

impl FileId {
    /// The file `path` leads to (following links), if it exists.
    pub fn of(path: &Path) -> Option<FileId> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId { dev: meta.dev(), ino: meta.ino() })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            std::fs::canonicalize(path).ok().map(|path| FileId { path })
        }
    }
}

pub use crate::report::Holds;

/// One output of a run.
#[derive(Debug, Clone)]
pub struct Output {
    /// The path as given.
    pub path: PathBuf,
    /// What it is, for messages: `the json report's output`.
    pub role: String,
    holds: Holds,
    id: Option<FileId>,
    /// The path made absolute through its folder, for two outputs that do not exist yet.
    key: PathBuf,
}

impl Output {
    /// An output at `path`.
    pub fn new(path: &Path, role: impl Into<String>, holds: Holds) -> Output {
        let key = match (path.parent(), path.file_name()) {
            (Some(dir), Some(name)) => {
                let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
                std::fs::canonicalize(dir).map(|d| d.join(name)).unwrap_or_else(|_| path.to_path_buf())
            }
            _ => path.to_path_buf(),
        };
        Output { path: path.to_path_buf(), role: role.into(), holds, id: FileId::of(path), key }
    }

    /// Whether the file exists now (only then can it be an input).
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// Whether the input at `input` is this output's file.
    pub fn is(&self, input: &FileId) -> bool {
        self.id.as_ref() == Some(input)
    }

    /// The problem with this output being `input`, read as `input_role`.
    pub fn conflict(&self, input: &Path, input_role: &str) -> Diag {
        let shown = show(&self.path);
        let input_shown = show(input);
        let message = if shown == input_shown {
            format!("`{shown}` is both {input_role} and {}", self.role)
        } else {
            format!("`{input_shown}` is both {input_role} and, as `{shown}`, {}", self.role)
        };
        Diag::error(OUTPUT_IS_INPUT, message)
            .help("write it somewhere else: Precept never replaces a file the same run reads")
    }

    /// Whether `path` (this output's file, found among the records) already holds what this output
    /// writes: a report or baseline an earlier run left there, which is not a record file.
    pub fn left_by_an_earlier_run(&self, path: &Path) -> bool {
        use std::io::Read;
        let mut start = Vec::with_capacity(128);
        let read = std::fs::File::open(path).and_then(|f| f.take(128).read_to_end(&mut start));
        read.is_ok() && self.holds.begins(&start)
    }
}

fn show(path: &Path) -> String {
    crate::text::name(path)
}

/// Outputs that name one file: the index of every output involved (none of them is written:
/// which one was meant cannot be known), and a problem for each pair.
pub fn duplicates(outputs: &[Output]) -> (Vec<usize>, Vec<Diag>) {
    let mut involved = Vec::new();
    let mut problems = Vec::new();
    for (i, o) in outputs.iter().enumerate() {
        let earlier =
            outputs.iter().enumerate().take(i).find(|(_, e)| e.key == o.key || (e.id.is_some() && e.id == o.id));
        if let Some((n, e)) = earlier {
            let message = if show(&e.path) == show(&o.path) {
                format!("`{}` is both {} and {}", show(&o.path), e.role, o.role)
            } else {
                format!("`{}` ({}) and `{}` ({}) are the same file", show(&e.path), e.role, show(&o.path), o.role)
            };
            problems.push(Diag::error(OUTPUT_IS_INPUT, message).help("give each report a file of its own"));
            involved.extend([n, i]);
        }
    }
    (involved, problems)
}

/// The files a run reads that are known before any record is: each with its role in messages.
#[derive(Debug, Default)]
pub struct Inputs {
    files: Vec<(PathBuf, String)>,
}

impl Inputs {
    /// A file read as `role` (`the waivers file`).
    pub fn file(&mut self, path: &Path, role: impl Into<String>) {
        self.files.push((path.to_path_buf(), role.into()));
    }

    /// Every file under each policy root (as the policy walk sees them: hidden entries skipped):
    /// `.precept` files are policies; calendars and tests live beside them and are read too.
    pub fn policy_roots(&mut self, roots: &[PathBuf]) {
        for root in roots {
            for path in walk(root) {
                if path.extension().is_some_and(|x| x == "precept") {
                    self.file(&path, "a policy file read");
                } else {
                    self.file(&path, format!("a file in the policy folder `{}`", show(root)));
                }
            }
        }
    }

    /// The role files under each root (the root itself, or `.toml` files in it).
    pub fn role_roots(&mut self, roots: &[PathBuf]) {
        for root in roots {
            for path in walk(root) {
                if path == *root || path.extension().is_some_and(|x| x == "toml") {
                    self.file(&path, "a role file read");
                }
            }
        }
    }

    /// For each output that is one of these files: its index and the problem.
    pub fn against(&self, outputs: &[Output]) -> Vec<(usize, Diag)> {
        let mut out = Vec::new();
        if !outputs.iter().any(Output::exists) {
            return out;
        }
        for (i, o) in outputs.iter().enumerate().filter(|(_, o)| o.exists()) {
            let hit = self.files.iter().find(|(p, _)| FileId::of(p).is_some_and(|id| o.is(&id)));
            if let Some((path, role)) = hit {
                out.push((i, o.conflict(path, role)));
            }
        }
        out
    }
}

/// Every file under `root` (or `root` itself), hidden entries skipped and links not followed, as
/// Precept's own walks see them.
fn walk(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// Record files that are outputs: the problems (with the output's index), and which record files
/// are instead reports or baselines an earlier run of the same command left there (not records,
/// so not read).
pub fn records(outputs: &[Output], files: &[crate::data::RecordFile]) -> (Vec<(usize, Diag)>, Vec<usize>) {
    let mut problems = Vec::new();
    let mut earlier = Vec::new();
    if !outputs.iter().any(Output::exists) {
        return (problems, earlier);
    }
    for (n, f) in files.iter().enumerate() {
        let Some(path) = f.path() else { continue };
        let Some(id) = FileId::of(path) else { continue };
        for (i, o) in outputs.iter().enumerate().filter(|(_, o)| o.is(&id)) {
            if o.left_by_an_earlier_run(path) {
                earlier.push(n);
            } else {
                problems.push((i, o.conflict(path, "a record file read")));
            }
        }
    }
    (problems, earlier)
}

/// [`records`] for files read by their path alone (`--engine duckdb`'s Parquet files, which the
/// native reader never lists): each output that is one of them, as (output, problem).
#[cfg(feature = "duckdb")]
pub fn paths(outputs: &[Output], paths: &[PathBuf]) -> Vec<(usize, Diag)> {
    let mut problems = Vec::new();
    if !outputs.iter().any(Output::exists) {
        return problems;
    }
    for path in paths {
        let Some(id) = FileId::of(path) else { continue };
        for (i, o) in outputs.iter().enumerate().filter(|(_, o)| o.is(&id)) {
            problems.push((i, o.conflict(path, "a record file read")));
        }
    }
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn earlier_reports_are_known_by_how_they_begin() {
        let json = "{\n  \"version\": 1,\n  \"findings\": [\n";
        assert!(Holds::JsonDocument.begins(json.as_bytes()));
        assert!(Holds::JsonDocument.begins(b"{\n  \"version\": 12,\n  \"findings\": []"));
        for record in
            ["{\"version\": 1, \"findings\": []}", "{\n  \"version\": 1,\n  \"id\": 2", "", "{\"id\":\"a\"}\n"]
        {
            assert!(!Holds::JsonDocument.begins(record.as_bytes()), "{record}");
            assert!(!Holds::Sarif.begins(record.as_bytes()));
            assert!(!Holds::Junit.begins(record.as_bytes()));
            assert!(!Holds::Text.begins(record.as_bytes()));
        }
    }

    #[test]
    fn spellings_and_links_of_one_file_are_one_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("records")).unwrap();
        let file = dir.path().join("records/a.jsonl");
        std::fs::write(&file, "{}\n").unwrap();
        let odd = dir.path().join("records/../records/./a.jsonl");
        let hard = dir.path().join("hard.jsonl");
        std::fs::hard_link(&file, &hard).unwrap();
        let mut spellings = vec![odd, hard];
        #[cfg(unix)]
        {
            let soft = dir.path().join("soft.jsonl");
            std::os::unix::fs::symlink(&file, &soft).unwrap();
            spellings.push(soft);
        }
        for s in spellings {
            let o = Output::new(&s, "the json report's output", Holds::JsonDocument);
            let mut inputs = Inputs::default();
            inputs.file(&file, "the waivers file");
            let hits = inputs.against(std::slice::from_ref(&o));
            assert_eq!(hits.len(), 1, "{}", s.display());
            assert!(hits[0].1.message.contains("the waivers file"), "{}", hits[0].1.message);
            let other = Output::new(&file, "the sarif report's output", Holds::Sarif);
            let (involved, problems) = duplicates(&[o, other]);
            assert_eq!((involved, problems.len()), (vec![0, 1], 1));
        }
        let new_a = Output::new(&dir.path().join("new.json"), "a", Holds::Text);
        let new_b = Output::new(&dir.path().join("records/../new.json"), "b", Holds::Text);
        assert_eq!(duplicates(&[new_a, new_b]).0, vec![0, 1], "files that do not exist yet, by folder");
    }
}
