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
use crate::input::{Found, Kind};
use crate::source::{SourceFile, Span};

/// Read an input file of `kind` as text, through the file layer ([`crate::input::read_text`]):
/// only a regular file, within its size limit, a byte-order mark dropped, invalid UTF-8 a
/// diagnostic at the first bad byte. `path` was named by the user or found by a folder walk that
/// has already refused links, so a link given by name is followed.
pub fn read_source(path: &Path, name: &str, kind: crate::input::Kind) -> Result<SourceFile, Diag> {
    crate::input::read_text(path, kind, name, true)
}

pub use crate::input::io_reason;

/// Reads calendar files relative to the policy file that names them, only inside the policy root:
/// a path that leaves the root, by `..`, by being absolute, or through a symbolic link that points
/// out of it, is refused, so a policy cannot make Precept read (and quote) a file elsewhere.
pub struct RootLoader {
    root: PathBuf,
    /// The root with every link resolved, made once, to compare resolved calendar paths against.
    real_root: Option<PathBuf>,
}

impl RootLoader {
    /// A loader for the policy root `root`.
    pub fn new(root: PathBuf) -> RootLoader {
        let real_root = std::fs::canonicalize(&root).ok();
        RootLoader { root, real_root }
    }
}

impl Loader for RootLoader {
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        self.load_beside(Path::new(&*from.name), path)
    }
}

impl RootLoader {
    /// Read `path`, relative to the folder of the policy file at `from` (its path on disk: a
    /// display name is escaped, and so is no path for a folder whose name is not UTF-8).
    fn load_beside(&self, from: &Path, path: &str) -> Result<SourceFile, String> {
        let rel = Path::new(path);
        if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_))) {
            return Err("only files inside the policy folder can be read (no absolute paths or `..`)".to_string());
        }
        let base = from.parent().unwrap_or(Path::new(""));
        let full = base.join(rel);
        if !full.starts_with(&self.root) {
            return Err("only files inside the policy folder can be read".to_string());
        }
        let name = crate::text::name(&full);
        // Resolve links once, then read the resolved path without following any link, so what is
        // read is what was checked to be inside the root.
        let real = match std::fs::canonicalize(&full) {
            Ok(r) => r,
            Err(e) => return Err(format!("cannot read `{name}`: {}", io_reason(&e))),
        };
        if !self.real_root.as_ref().is_some_and(|root| real.starts_with(root)) {
            return Err(format!("`{name}` is a link to a file outside the policy folder, which is not read"));
        }
        crate::input::read_text(&real, Kind::Calendar, &name, false).map_err(crate::input::reason)
    }
}

/// The warning for a policy file with nothing in it (blank or only whitespace), which `check` and
/// the language server both give; `None` for a file with text.
pub fn empty_policy(file: &SourceFile, name: &str) -> Option<Diag> {
    file.text.trim().is_empty().then(|| {
        Diag::warning("precept::input::empty-file", format!("policy file `{name}` is empty"))
            .at(file, Span::new(0, 0), "nothing here")
            .help("write a `code`, `schema` or `calendar` in it, or delete it")
    })
}

/// Every `.precept` file under `root` (or `root` itself when it is a file), sorted by path, and
/// the problems met on the way: a missing root, a folder that cannot be read, a FIFO named
/// `x.precept` (errors), a skipped link (advice).
pub fn policy_files(root: &Path) -> (Vec<Found>, Vec<Diag>) {
    let shown = crate::text::name(root);
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(_) => {
            let d = Diag::error("precept::input::not-found", format!("policy path `{shown}` does not exist"))
                .help("pass the folder holding your `.precept` files with `--policies`");
            return (Vec::new(), vec![d]);
        }
    };
    if !meta.is_dir() {
        return (vec![Found { path: root.to_path_buf(), id: crate::input::identity(&meta) }], Vec::new());
    }
    let mut diags = Vec::new();
    let found = crate::input::walk(root, &|p| p.extension().is_some_and(|x| x == "precept"), &mut diags);
    (found, diags)
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
    // Files are told apart by their identity on disk (one `stat`, made by the walk), not by
    // canonical paths, which cost a `stat` per folder of every path.
    let mut seen_ids = std::collections::HashSet::new();
    let mut seen_paths = std::collections::HashSet::new();
    // Each policy file's path on disk by the name it is shown with.
    let mut paths: std::collections::HashMap<String, PathBuf> = std::collections::HashMap::new();
    for root in roots {
        let (files, mut d) = policy_files(root);
        ok &= !d.iter().any(Diag::is_error);
        diags.append(&mut d);
        for Found { path, id } in files {
            let fresh = match id {
                Some(id) => seen_ids.insert(id),
                None => seen_paths.insert(std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone())),
            };
            if !fresh {
                continue;
            }
            any = true;
            let name = crate::text::name(&path);
            paths.insert(name.clone(), path.clone());
            let file = match read_source(&path, &name, Kind::Policy) {
                Ok(f) => f,
                Err(d) => {
                    diags.push(d);
                    ok = false;
                    continue;
                }
            };
            if let Some(d) = empty_policy(&file, &name) {
                diags.push(d);
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
    let loaders: Vec<RootLoader> = roots.iter().map(|r| RootLoader::new(r.clone())).collect();
    let loader = MultiLoader { roots: &loaders, paths: &paths, calendars, used: std::cell::RefCell::new(Vec::new()) };
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
    /// Each policy file's path on disk by its shown name.
    paths: &'a std::collections::HashMap<String, PathBuf>,
    calendars: &'a [(String, PathBuf)],
    used: std::cell::RefCell<Vec<String>>,
}

impl Loader for MultiLoader<'_> {
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        let from = self.paths.get(&*from.name).map_or_else(|| PathBuf::from(&*from.name), PathBuf::clone);
        let owner = self.roots.iter().find(|l| from.starts_with(&l.root));
        match owner {
            Some(l) => l.load_beside(&from, path),
            None => Err("only files inside the policy folder can be read".to_string()),
        }
    }

    fn calendar(&self, name: &str) -> Option<Result<SourceFile, String>> {
        let (_, path) = self.calendars.iter().find(|(n, _)| n == name)?;
        self.used.borrow_mut().push(name.to_string());
        let shown = crate::text::name(path);
        // Named by the user in the settings, so a link is followed; still only a regular file.
        Some(crate::input::read_text(path, Kind::Calendar, &shown, true).map_err(crate::input::reason))
    }
}

/// Read every `.toml` role file under `paths` (files or folders, sorted, hidden entries skipped)
/// into one organisation. Returns the organisation, the number of files read, and diagnostics.
pub fn load_org(paths: &[PathBuf]) -> (crate::roles::Org, usize, Vec<Diag>) {
    load_org_selected(paths, &crate::data::Select::default())
}

/// [`load_org`], reading only the role files `select` keeps (a config's include and exclude globs).
pub fn load_org_selected(paths: &[PathBuf], select: &crate::data::Select) -> (crate::roles::Org, usize, Vec<Diag>) {
    let mut org = crate::roles::Org::default();
    let mut diags = Vec::new();
    let files = load_org_into(paths, select, &mut org, &mut diags);
    (org, files, diags)
}

/// Read the role files under `paths` that `select` keeps into `org` (merged with what it holds),
/// returning how many files were read.
pub fn load_org_into(
    paths: &[PathBuf],
    select: &crate::data::Select,
    org: &mut crate::roles::Org,
    diags: &mut Vec<Diag>,
) -> usize {
    let mut files = std::collections::BTreeSet::new();
    for root in paths {
        let shown = crate::text::name(root);
        match std::fs::metadata(root) {
            Err(_) => diags.push(
                Diag::error("precept::input::not-found", format!("role path `{shown}` does not exist"))
                    .help("pass the folder holding your role and staff `.toml` files"),
            ),
            // A file named by the user is read whatever its extension; the file layer refuses it
            // if it is not a regular file.
            Ok(m) if !m.is_dir() => {
                files.insert(root.clone());
            }
            Ok(_) => {
                let found = crate::input::walk(root, &|p| p.extension().is_some_and(|x| x == "toml"), diags);
                files.extend(found.into_iter().map(|f| f.path));
            }
        }
    }
    files.retain(|p| select.keeps(p, &p.to_string_lossy()));
    for path in &files {
        let name = crate::text::name(path);
        match read_source(path, &name, Kind::Role) {
            Ok(file) => read_roles(&file, org, diags),
            Err(d) => diags.push(d),
        }
    }
    files.len()
}

/// Read one role file's text into `org`: an empty file is a warning, and a text over the role
/// file limit (or one whose parsed tree would be) is refused, as for a file on disk.
pub fn read_roles(file: &SourceFile, org: &mut crate::roles::Org, diags: &mut Vec<Diag>) {
    if u64::try_from(file.text.len()).unwrap_or(u64::MAX) > crate::input::limit(Kind::Role) {
        diags.push(crate::input::too_large(Kind::Role, &file.name, None));
    } else if let Some(d) = crate::input::toml_too_large(Kind::Role, file) {
        diags.push(d);
    } else if file.text.trim().is_empty() {
        diags.push(
            Diag::warning("precept::input::empty-file", format!("role file `{}` is empty", file.name))
                .at(file, Span::new(0, 0), "nothing here")
                .help("write `[[role]]` or `[[staff]]` entries in it, or delete it"),
        );
    } else {
        crate::roles::read::read_file(file, org, diags);
    }
}
