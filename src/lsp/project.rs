//! One workspace folder as `precept check` and `precept lint` see it: its policy files parsed and
//! checked together, its role files linted together, with the text of the files open in the editor
//! in place of what is on disk.
//!
//! Which files: a `precept.toml` at the folder's top names the policy and role folders (and the
//! calendars defined by other files), as it does for `precept check`; without one, every
//! `.precept` file under the folder is a policy and every `.toml` file that declares roles, staff,
//! actions, qualifications or areas is a role file (what `precept lint FOLDER` would read, less
//! the calendars, tests and settings that are not role files).
//!
//! A file that does not parse any more is checked as it last parsed, so that one unfinished line
//! does not take away the diagnostics, definitions and hovers of every other file; its own
//! diagnostics are then its syntax errors alone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::ast::PolicyFile;
use crate::check::index::Index;
use crate::check::Loader;
use crate::diagnostics::{Diag, Level};
use crate::input::Kind;
use crate::source::SourceFile;

/// The texts of the documents open in the editor, by path.
pub type Overlay = HashMap<PathBuf, String>;

/// What files a workspace folder holds, found once and again only when files are created, deleted
/// or saved (a walk per keystroke would cost more than the check).
#[derive(Debug, Default, Clone)]
struct Listing {
    policies: Vec<PathBuf>,
    /// Folders whose `.precept` files are policies (new files opened in them count).
    policy_roots: Vec<PathBuf>,
    roles: Vec<PathBuf>,
    /// Calendars defined by other files (a `precept.toml`'s `[calendars]`).
    calendars: Vec<(String, PathBuf)>,
    /// Problems with the settings or the walk.
    diags: Vec<Diag>,
}

/// One workspace folder.
#[derive(Debug)]
pub struct Project {
    /// The folder.
    pub root: PathBuf,
    /// A folder the editor opened a file from, outside every workspace folder: only the policy
    /// files open in it are read (walking it could mean walking a whole disk).
    loose: bool,
    listing: Option<Listing>,
    /// Each policy file's tree as it last parsed.
    last_good: HashMap<PathBuf, PolicyFile>,
    /// The latest analysis.
    pub analysis: Analysis,
}

/// What an analysis found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Symbols of the policies (those that do not parse as they last did).
    pub index: Index,
    /// The path of each of the index's files (`None` for Precept's own schemas).
    pub index_paths: Vec<Option<PathBuf>>,
    /// Files whose current text does not parse: the index holds their last good text.
    pub stale: Vec<PathBuf>,
    /// Every diagnostic by the path of the file it is in.
    pub diags: HashMap<PathBuf, Vec<Diag>>,
}

impl Analysis {
    /// The index's number for the file at `path`, and whether the index holds its current text.
    pub fn file(&self, path: &Path) -> Option<(usize, bool)> {
        let i = self.index_paths.iter().position(|p| p.as_deref() == Some(path))?;
        Some((i, !self.stale.iter().any(|s| s == path)))
    }

    /// The path of the index's file `i`.
    pub fn path(&self, i: usize) -> Option<&Path> {
        self.index_paths.get(i).and_then(|p| p.as_deref())
    }
}

impl Project {
    /// A project for the folder `root` (an absolute path).
    pub fn new(root: PathBuf) -> Project {
        Project { root, loose: false, listing: None, last_good: HashMap::new(), analysis: Analysis::default() }
    }

    /// A project for the folder of a file opened from outside every workspace folder.
    pub fn loose(root: PathBuf) -> Project {
        Project { loose: true, ..Project::new(root) }
    }

    /// Whether `path` is this project's: inside its folder; for a loose project (a file opened from
    /// outside every workspace folder), directly in its folder, so that it never takes in the
    /// files of a workspace folder below it (they would be checked twice, and apart from their
    /// own schemas).
    pub fn holds(&self, path: &Path) -> bool {
        if self.loose {
            path.parent() == Some(self.root.as_path())
        } else {
            path.starts_with(&self.root)
        }
    }

    /// Forget which files there are: files were created, deleted or saved.
    pub fn relist(&mut self) {
        self.listing = None;
    }

    /// Whether `path` is one of the files this project reads (so a change to it is re-analysed).
    pub fn reads(&self, path: &Path) -> bool {
        match &self.listing {
            None => self.holds(path),
            Some(l) => {
                l.policies.iter().any(|p| p == path)
                    || l.roles.iter().any(|p| p == path)
                    || l.calendars.iter().any(|(_, p)| p == path)
                    || self.analysis.index.files.iter().any(|f| self.root.join(&*f.name) == path)
                    || (is_policy(path) && l.policy_roots.iter().any(|r| path.starts_with(r)) && self.holds(path))
            }
        }
    }

    /// Parse, check and lint everything again, open documents as the editor has them.
    pub fn analyze(&mut self, overlay: &Overlay) {
        let listing = match &self.listing {
            Some(l) => l.clone(),
            None => {
                let l = if self.loose {
                    Listing { policy_roots: vec![self.root.clone()], ..Listing::default() }
                } else {
                    list(&self.root)
                };
                self.listing = Some(l.clone());
                l
            }
        };
        let mut names: HashMap<String, PathBuf> = HashMap::new();
        let mut diags: Vec<Diag> = listing.diags.clone();
        // Policy files: those on disk, and new ones open in a policy folder.
        let mut policies = listing.policies.clone();
        for path in overlay.keys() {
            let inside =
                if self.loose { self.holds(path) } else { listing.policy_roots.iter().any(|r| path.starts_with(r)) };
            if is_policy(path) && inside && !policies.contains(path) {
                policies.push(path.clone());
            }
        }
        policies.sort();
        let mut trees = Vec::new();
        let mut tree_paths = Vec::new();
        let mut stale = Vec::new();
        for path in &policies {
            let name = self.name(path);
            names.insert(name.clone(), path.clone());
            let file = match text_of(path, &name, Kind::Policy, overlay) {
                Ok(f) => f,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            if let Some(d) = crate::workspace::empty_policy(&file, &name) {
                diags.push(d);
                self.last_good.remove(path);
                continue;
            }
            let (tree, mut d) = crate::syntax::parse(&file);
            let broken = tree.is_none() || d.iter().any(Diag::is_error);
            diags.append(&mut d);
            match tree {
                Some(tree) if !broken => {
                    self.last_good.insert(path.clone(), tree.clone());
                    trees.push(tree);
                    tree_paths.push(Some(path.clone()));
                }
                _ => {
                    stale.push(path.clone());
                    if let Some(old) = self.last_good.get(path) {
                        trees.push(old.clone());
                        tree_paths.push(Some(path.clone()));
                    }
                }
            }
        }
        self.last_good.retain(|p, _| policies.contains(p));
        let loader = OverlayLoader {
            root: &self.root,
            roots: &listing.policy_roots,
            names: RefCell::new(names),
            overlay,
            calendars: &listing.calendars,
        };
        let (_, checked) = crate::check::check(&trees, &loader);
        let mut names = loader.names.into_inner();
        // What the checker says inside a file that no longer parses is about its old text.
        let stale_names: Vec<String> = stale.iter().map(|p| self.name(p)).collect();
        diags.extend(
            checked.into_iter().filter(|d| !d.file.as_ref().is_some_and(|f| stale_names.contains(&f.name.to_string()))),
        );
        self.lint(&listing, overlay, &mut names, &mut diags);

        let index = Index::build(&trees);
        let mut index_paths = tree_paths;
        index_paths.resize(index.files.len(), None);
        let mut by_path: HashMap<PathBuf, Vec<Diag>> = HashMap::new();
        // Problems that are in no file (a policy folder that cannot be read) are shown at the top
        // of the first policy file, or of the settings; advice with no place (a link skipped by
        // the walk) is not worth a mark in the editor.
        let fallback = policies.first().cloned().unwrap_or_else(|| self.root.join(crate::cli::config::FILE_NAME));
        for d in diags {
            let path = match &d.file {
                Some(f) => names.get(&*f.name).cloned().or_else(|| {
                    let p = self.root.join(&*f.name);
                    p.exists().then_some(p)
                }),
                None if d.level == Level::Advice => None,
                None => Some(fallback.clone()),
            };
            if let Some(path) = path {
                by_path.entry(path).or_default().push(d);
            }
        }
        for path in policies.iter().chain(&listing.roles) {
            by_path.entry(path.clone()).or_default();
        }
        self.analysis = Analysis { index, index_paths, stale, diags: by_path };
    }

    /// `precept lint` over the role files.
    fn lint(&self, listing: &Listing, overlay: &Overlay, names: &mut HashMap<String, PathBuf>, diags: &mut Vec<Diag>) {
        if listing.roles.is_empty() {
            return;
        }
        let mut org = crate::roles::Org::default();
        for path in &listing.roles {
            let name = self.name(path);
            names.insert(name.clone(), path.clone());
            match text_of(path, &name, Kind::Role, overlay) {
                Ok(file) => crate::workspace::read_roles(&file, &mut org, diags),
                Err(d) => diags.push(d),
            }
        }
        diags.extend(crate::roles::lint::lint(&org, jiff::Zoned::now().date()));
    }

    /// The name a file is shown with: its path from the project's folder.
    fn name(&self, path: &Path) -> String {
        crate::text::name(path.strip_prefix(&self.root).unwrap_or(path))
    }
}

fn is_policy(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "precept")
}

/// The text of `path`: the editor's if it is open, else the disk's (through the file layer).
fn text_of(path: &Path, name: &str, kind: Kind, overlay: &Overlay) -> Result<SourceFile, Diag> {
    match overlay.get(path) {
        Some(text) => Ok(SourceFile::new(name, text.as_str())),
        None => crate::input::read_text(path, kind, name, true),
    }
}

/// The files of the folder `root`.
/// The code of the warning given for a workspace folder too large to read.
const LARGE_FOLDER: &str = "precept::lsp::large-folder";

/// Files and folders a workspace folder without a `precept.toml` may hold before the server stops
/// reading it as a policy folder (a project with policies, fixtures and role files holds a few
/// hundred).
const MAX_WALKED: usize = 20_000;

/// Whether `root` holds more than [`MAX_WALKED`] entries, counted as the walk for policies goes
/// (hidden entries skipped, links not followed), and stopping as soon as it knows.
fn too_large(root: &Path) -> bool {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .take(MAX_WALKED + 1)
        .count()
        > MAX_WALKED
}

fn list(root: &Path) -> Listing {
    let mut l = Listing::default();
    let settings = root.join(crate::cli::config::FILE_NAME);
    let config = if settings.is_file() {
        match crate::cli::config::load(Some(&settings)) {
            Ok(c) => c,
            Err(mut d) => {
                l.diags.append(&mut d);
                None
            }
        }
    } else {
        None
    };
    if !settings.is_file() && too_large(root) {
        // A home folder or `/` opened by an editor: walking it would hold up every answer for
        // minutes (and again after every save), so only the files open in the editor are read.
        l.policy_roots = vec![root.to_path_buf()];
        l.diags.push(
            Diag::warning(
                LARGE_FOLDER,
                format!(
                    "the workspace folder `{}` holds more than {MAX_WALKED} files and folders; only open policy files are checked",
                    crate::text::name(root)
                ),
            )
            .help("open the folder that holds your policies, or put a `precept.toml` naming them (`policies = [\"policies\"]`) at the top of this one"),
        );
        return l;
    }
    let config = config.unwrap_or_default();
    l.policy_roots = if config.policies.is_empty() { vec![root.to_path_buf()] } else { config.policies.clone() };
    l.calendars = config.calendars.clone();
    for r in &l.policy_roots {
        let (found, mut d) = crate::workspace::policy_files(r);
        l.diags.append(&mut d);
        l.policies.extend(found.into_iter().map(|f| f.path));
    }
    l.policies.sort();
    l.policies.dedup();
    if config.roles.is_empty() {
        let mut ignored = Vec::new();
        let tomls = crate::input::walk(root, &|p| p.extension().is_some_and(|e| e == "toml"), &mut ignored);
        l.roles = tomls.into_iter().map(|f| f.path).filter(|p| declares_roles(p)).collect();
    } else {
        let mut ignored = Vec::new();
        // The same walk `precept check` makes of the role folders.
        for r in &config.roles {
            if r.is_dir() {
                let found = crate::input::walk(r, &|p| p.extension().is_some_and(|e| e == "toml"), &mut ignored);
                l.roles.extend(found.into_iter().map(|f| f.path));
            } else {
                l.roles.push(r.clone());
            }
        }
    }
    l.roles.sort();
    l.roles.dedup();
    l
}

/// Whether a TOML file declares roles, staff or their vocabulary (a top-level `[[role]]`,
/// `[[staff]]`, `[actions]`, `[qualifications]` or `[areas]`), rather than being a calendar, a
/// test, waivers or settings.
fn declares_roles(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    text.lines()
        .map(str::trim)
        .any(|l| matches!(l, "[[role]]" | "[[staff]]" | "[actions]" | "[qualifications]" | "[areas]"))
}

/// Reads calendar files named by policies, from the editor's text when open, else from disk, with
/// the refusals of a policy folder on disk (`crate::workspace::RootLoader`): no absolute path, no
/// `..`, nothing outside the policy folders (links resolved).
struct OverlayLoader<'a> {
    root: &'a Path,
    roots: &'a [PathBuf],
    /// Every file read, by its shown name, to place the diagnostics inside it.
    names: RefCell<HashMap<String, PathBuf>>,
    overlay: &'a Overlay,
    calendars: &'a [(String, PathBuf)],
}

impl OverlayLoader<'_> {
    fn read(&self, full: &Path) -> Result<SourceFile, String> {
        let name = crate::text::name(full.strip_prefix(self.root).unwrap_or(full));
        self.names.borrow_mut().insert(name.clone(), full.to_path_buf());
        if let Some(text) = self.overlay.get(full) {
            return Ok(SourceFile::new(name, text.as_str()));
        }
        crate::input::read_text(full, Kind::Calendar, &name, false).map_err(crate::input::reason)
    }
}

impl Loader for OverlayLoader<'_> {
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        let rel = Path::new(path);
        if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_))) {
            return Err("only files inside the policy folder can be read (no absolute paths or `..`)".to_string());
        }
        let from = self.names.borrow().get(&*from.name).cloned().unwrap_or_else(|| self.root.join(&*from.name));
        let base = from.parent().unwrap_or(self.root);
        let full = base.join(rel);
        let Some(root) = self.roots.iter().find(|r| full.starts_with(r)) else {
            return Err("only files inside the policy folder can be read".to_string());
        };
        if !self.overlay.contains_key(&full) {
            let real = std::fs::canonicalize(&full).map_err(|e| {
                format!("cannot read `{}`: {}", crate::text::name(rel), crate::workspace::io_reason(&e))
            })?;
            if !std::fs::canonicalize(root).is_ok_and(|r| real.starts_with(r)) {
                return Err(format!("`{path}` is a link to a file outside the policy folder, which is not read"));
            }
        }
        self.read(&full)
    }

    fn calendar(&self, name: &str) -> Option<Result<SourceFile, String>> {
        let (_, path) = self.calendars.iter().find(|(n, _)| n == name)?;
        Some(self.read(path))
    }
}
