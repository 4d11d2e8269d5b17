//! Loading a policy folder from disk: the `.precept` files under each root, parsed and checked.
//!
//! This is the one place that reads policy text from the file system; the language core itself
//! ([`crate::syntax`], [`crate::check`]) only sees [`SourceFile`]s. Calendar files named in a policy
//! are read through [`RootLoader`], which refuses any path that leaves the policy root.

use std::path::{Component, Path, PathBuf};

use crate::ast::PolicyFile;
use crate::check::Loader;
use crate::diagnostics::Diag;
use crate::engine::Program;
use crate::source::{line_col, SourceFile, Span};

/// Read a file as text for a policy: invalid UTF-8 is a diagnostic at the first bad byte.
pub fn read_source(path: &Path, name: &str) -> Result<SourceFile, Diag> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diag::error("precept::input::unreadable", format!("cannot read `{name}`: {}", io_reason(&e)))
            .help("check that the path exists and is readable")
    })?;
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

/// The reason of an I/O error without Rust's ` (os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_string(),
        None => s,
    }
}

/// Reads calendar files relative to the policy file that names them, only inside the policy root.
pub struct RootLoader {
    root: PathBuf,
}

impl Loader for RootLoader {
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        let rel = Path::new(path);
        if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_))) {
            return Err("only files inside the policy folder can be read (no absolute paths or `..`)".to_string());
        }
        let base = Path::new(&*from.name).parent().unwrap_or(Path::new(""));
        let full = base.join(rel);
        if !full.starts_with(&self.root) {
            return Err("only files inside the policy folder can be read".to_string());
        }
        let name = crate::text::name(&full);
        read_source(&full, &name).map_err(|d| d.message)
    }
}

/// Every `.precept` file under `root` (or `root` itself when it is a file), sorted by path.
pub fn policy_files(root: &Path) -> Result<Vec<PathBuf>, Diag> {
    let shown = crate::text::name(root);
    if !root.exists() {
        return Err(Diag::error("precept::input::not-found", format!("policy path `{shown}` does not exist"))
            .help("pass the folder holding your `.precept` files with `--policies`"));
    }
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
    {
        match entry {
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "precept") => {
                out.push(e.into_path())
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Diag::error(
                    "precept::input::unreadable",
                    format!("cannot read policy folder `{shown}`: {e}"),
                )
                .help("check the folder's permissions"))
            }
        }
    }
    Ok(out)
}

/// Parse and check every policy under `roots`. Returns the program (if there were no errors) and
/// every diagnostic found, in a stable order.
pub fn load_policies(roots: &[PathBuf]) -> (Option<Program>, Vec<Diag>) {
    load_policies_with(roots, &[])
}

/// [`load_policies`], with some calendars defined by other files than the policies say (a
/// project's `calendars` setting): name and file. A name the policies do not declare is an error.
pub fn load_policies_with(roots: &[PathBuf], calendars: &[(String, PathBuf)]) -> (Option<Program>, Vec<Diag>) {
    let mut diags = Vec::new();
    let mut trees: Vec<PolicyFile> = Vec::new();
    let mut ok = true;
    let mut any = false;
    // The same folder given twice (or a file inside a folder also given) is read once.
    let mut seen: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for root in roots {
        let files = match policy_files(root) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                ok = false;
                continue;
            }
        };
        for path in files {
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen.insert(key) {
                continue;
            }
            any = true;
            let name = crate::text::name(&path);
            let file = match read_source(&path, &name) {
                Ok(f) => f,
                Err(d) => {
                    diags.push(d);
                    ok = false;
                    continue;
                }
            };
            if file.text.trim().is_empty() {
                diags.push(
                    Diag::warning("precept::input::empty-file", format!("policy file `{name}` is empty"))
                        .at(&file, Span::new(0, 0), "nothing here")
                        .help("write a `code`, `schema` or `calendar` in it, or delete it"),
                );
                continue;
            }
            let (tree, mut d) = crate::syntax::parse(&file);
            if tree.is_none() || d.iter().any(Diag::is_error) {
                ok = false;
            }
            diags.append(&mut d);
            trees.extend(tree);
        }
    }
    if !ok {
        crate::diagnostics::sort(&mut diags);
        return (None, diags);
    }
    let loaders: Vec<RootLoader> = roots.iter().map(|r| RootLoader { root: r.clone() }).collect();
    let loader = MultiLoader { roots: &loaders, calendars, used: std::cell::RefCell::new(Vec::new()) };
    let (mut program, mut d) = crate::check::check(&trees, &loader);
    diags.append(&mut d);
    let used = loader.used.into_inner();
    for (name, _) in calendars.iter().filter(|(n, _)| !used.contains(n)) {
        diags.push(
            Diag::error(
                "precept::config::invalid",
                format!("the settings define calendar `{name}`, which the policies do not declare"),
            )
            .help("name a calendar the policies declare (`calendar uk from \"...\"`) under `[calendars]`"),
        );
        program = None;
    }
    let program = program.filter(|p| {
        if p.rules.is_empty() {
            diags.push(
                Diag::error(
                    "precept::input::no-rules",
                    if any { "the policies hold no rules" } else { "no `.precept` files found" },
                )
                .help("pass the folder holding your `.precept` files with `--policies`"),
            );
            false
        } else {
            true
        }
    });
    crate::diagnostics::sort(&mut diags);
    (program, diags)
}

/// Gives each policy file the loader of the policy root it was found under, and the calendar
/// files the settings put in place of the policies' own.
struct MultiLoader<'a> {
    roots: &'a [RootLoader],
    calendars: &'a [(String, PathBuf)],
    used: std::cell::RefCell<Vec<String>>,
}

impl Loader for MultiLoader<'_> {
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        let owner = self.roots.iter().find(|l| Path::new(&*from.name).starts_with(&l.root));
        match owner {
            Some(l) => l.load(from, path),
            None => Err("only files inside the policy folder can be read".to_string()),
        }
    }

    fn calendar(&self, name: &str) -> Option<Result<SourceFile, String>> {
        let (_, path) = self.calendars.iter().find(|(n, _)| n == name)?;
        self.used.borrow_mut().push(name.to_string());
        let shown = crate::text::name(path);
        Some(
            std::fs::read_to_string(path)
                .map(|t| SourceFile::new(shown, t))
                .map_err(|e| format!("cannot read `{}`: {e}", crate::text::path(path))),
        )
    }
}

/// Read every `.toml` role file under `paths` (files or folders, sorted, hidden entries skipped)
/// into one organisation. Returns the organisation, the number of files read, and diagnostics.
pub fn load_org(paths: &[PathBuf]) -> (crate::roles::Org, usize, Vec<Diag>) {
    load_org_selected(paths, &crate::pipeline::Select::default())
}

/// [`load_org`], reading only the role files `select` keeps (a config's include and exclude globs).
pub fn load_org_selected(paths: &[PathBuf], select: &crate::pipeline::Select) -> (crate::roles::Org, usize, Vec<Diag>) {
    let mut org = crate::roles::Org::default();
    let mut diags = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    for root in paths {
        let shown = crate::text::name(root);
        if !root.exists() {
            diags.push(
                Diag::error("precept::input::not-found", format!("role path `{shown}` does not exist"))
                    .help("pass the folder holding your role and staff `.toml` files"),
            );
            continue;
        }
        let walk = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            match entry {
                Ok(e)
                    if e.file_type().is_file()
                        && (e.depth() == 0 || e.path().extension().is_some_and(|x| x == "toml")) =>
                {
                    files.insert(e.into_path());
                }
                Ok(_) => {}
                Err(e) => diags.push(
                    Diag::error("precept::input::unreadable", format!("cannot read `{shown}`: {e}"))
                        .help("check the folder's permissions"),
                ),
            }
        }
    }
    files.retain(|p| select.keeps(p, &p.to_string_lossy()));
    for path in &files {
        let name = crate::text::name(path);
        match read_source(path, &name) {
            Ok(file) if file.text.trim().is_empty() => diags.push(
                Diag::warning("precept::input::empty-file", format!("role file `{name}` is empty"))
                    .at(&file, Span::new(0, 0), "nothing here")
                    .help("write `[[role]]` or `[[staff]]` entries in it, or delete it"),
            ),
            Ok(file) => crate::roles::read::read_file(&file, &mut org, &mut diags),
            Err(d) => diags.push(d),
        }
    }
    (org, files.len(), diags)
}

// The write side lives in `crate::output_file` (atomic or in-place writing, cleanup on signals);
// re-exported so callers that write through `workspace` keep working.
pub use crate::output_file::{write_atomically, AtomicFile};
