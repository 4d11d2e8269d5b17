//! Finding record files: walking the paths given, keeping record formats, assigning each to a schema.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::{GlobSet, GlobSetBuilder};

use super::diags::unreadable;
use super::{codes, convert, Format, Origin, RecordFile};
use crate::diagnostics::Diag;
use crate::engine::Program;
use crate::input::Identity;

/// Walk each path (a file, or a directory walked in file-name order with hidden entries skipped and
/// symbolic links not followed), keep the record files, and assign each to a schema.
///
/// A file goes to the first schema whose `files` globs match its path relative to the directory it was
/// found under, or its file name; when no schema has globs and there is exactly one schema, to that
/// one. Files are returned sorted by name without duplicates, with diagnostics for missing paths
/// (`precept::input::not-found`), files given explicitly in another format
/// (`precept::input::unknown-format`) and files no schema takes (`precept::input::no-schema`).
///
/// ```no_run
/// # fn demo(program: &precept::engine::Program) {
/// let (files, diags) = precept::data::discover(&["records".into()], program);
/// for f in &files {
///     println!("{} -> schema {}", f.name, program.schemas[f.schema].name);
/// }
/// # let _ = diags;
/// # }
/// ```
pub fn discover(paths: &[PathBuf], program: &Program) -> (Vec<RecordFile>, Vec<Diag>) {
    let mut diags = Vec::new();
    let globs = SchemaGlobs::new(program);
    let mut files: Vec<(RecordFile, Option<Identity>)> = Vec::new();
    for path in paths {
        // A path the user names may be a link (followed); a FIFO, socket or device is refused here
        // without being opened, and the file layer checks again when the file is read.
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                diags.push(
                    Diag::error(codes::NOT_FOUND, format!("`{}` does not exist", display(path)))
                        .help("give a record file (.toml, .json, .jsonl, .ndjson or .csv) or a directory of them"),
                );
                continue;
            }
            Err(e) => {
                diags.push(unreadable(&display(path), &e));
                continue;
            }
        };
        if meta.is_dir() {
            for found in crate::input::walk(path, &|p| Format::of(p).is_some() || is_parquet(p), &mut diags) {
                let Some(format) = Format::of(&found.path) else {
                    diags.push(parquet(&found.path, false));
                    continue;
                };
                let rel = found.path.strip_prefix(path).unwrap_or(&found.path).to_path_buf();
                add(found.path, found.id, &rel, format, &globs, &mut files, &mut diags);
            }
        } else if !meta.is_file() {
            diags.push(crate::input::not_a_file(&display(path), &meta.file_type()));
        } else {
            let Some(format) = Format::of(path) else {
                if is_parquet(path) {
                    diags.push(parquet(path, true));
                    continue;
                }
                diags.push(
                    Diag::error(codes::UNKNOWN_FORMAT, format!("`{}` is not a record file format", display(path)))
                        .help("record files end in `.toml`, `.json`, `.jsonl`, `.ndjson` or `.csv`"),
                );
                continue;
            };
            let rel = path.to_path_buf();
            let id = crate::input::identity(&meta);
            add(path.to_path_buf(), id, &rel, format, &globs, &mut files, &mut diags);
        }
    }
    // A link met twice (its folder given twice, or inside another folder given) is noted once.
    let mut noted = HashSet::new();
    diags.retain(|d| d.code != crate::input::SKIPPED_LINK || noted.insert(d.message.clone()));
    files.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    // A file reached twice (the same folder given twice, a file inside a folder also given) is read
    // once. Files are told apart by their identity on disk, which the walk's own `stat` gave:
    // canonicalizing each path costs a `stat` per folder in it, quadratic in a deep tree.
    let mut seen_ids = HashSet::new();
    let mut seen_paths = HashSet::new();
    files.retain(|(f, id)| match id {
        Some(id) => seen_ids.insert(*id),
        None => {
            let path = f.path().unwrap_or(Path::new(&f.name));
            seen_paths.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
        }
    });
    (files.into_iter().map(|(f, _)| f).collect(), diags)
}

/// Whether `path` names a Parquet file (by its extension), which only `--engine duckdb` reads.
pub fn is_parquet(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// `precept::input::parquet`: a Parquet file the native engine does not read; an error when it
/// was `named`, a warning when a folder walk found it (the folder's other files are checked).
fn parquet(path: &Path, named: bool) -> Diag {
    let message = format!("`{}` is a Parquet file, which the native engine does not read", display(path));
    let d = if named {
        Diag::error(codes::PARQUET, message)
    } else {
        Diag::warning(codes::PARQUET, format!("{message}: skipped"))
    };
    d.help("check Parquet files with `precept check --engine duckdb`, in a build with DuckDB: `cargo install --locked --path . --features duckdb-bundled`")
}

/// Which schema a record file's records follow, chosen by the file's name: the first schema whose
/// `files` globs match it, or else the one record schema without globs. The globs are compiled
/// once, so one value assigns any number of files: [`discover`] assigns the files it finds with
/// it, and an embedding program its records in memory by the names it gives them.
///
/// ```
/// # fn demo(program: &precept::engine::Program) {
/// let globs = precept::data::SchemaGlobs::new(program);
/// match globs.schema_for("tickets/2024-03.jsonl") {
///     Ok(schema) => println!("schema {}", program.schemas[schema].name),
///     Err(diag) => eprintln!("{}", diag.message),
/// }
/// # }
/// ```
pub struct SchemaGlobs<'p> {
    program: &'p Program,
    /// Each schema's globs; `None` for a schema without globs.
    globs: Vec<Option<GlobSet>>,
}

impl<'p> SchemaGlobs<'p> {
    /// The globs of every schema of `program`. The checker has already reported invalid globs
    /// (`precept::type::invalid-glob`), so one that slips through is left out here.
    pub fn new(program: &'p Program) -> SchemaGlobs<'p> {
        let globs = program
            .schemas
            .iter()
            .map(|schema| {
                if schema.files.is_empty() {
                    return None;
                }
                let mut builder = GlobSetBuilder::new();
                for glob in schema.files.iter().filter_map(|g| crate::glob::check(g).ok()) {
                    builder.add(glob);
                }
                Some(builder.build().unwrap_or_else(|_| GlobSet::empty()))
            })
            .collect();
        SchemaGlobs { program, globs }
    }

    /// The schema (an index into [`Program::schemas`]) for a record file named `name`, matched as
    /// [`discover`] matches a path below the folder it walks: the whole name, or its last part.
    /// When no schema takes it, the error is `precept::input::no-schema`, as from [`discover`].
    pub fn schema_for(&self, name: &str) -> Result<usize, Diag> {
        self.find(Path::new(name)).ok_or_else(|| no_schema(name, self.program))
    }

    /// The schema for a file at `rel` (below the folder it was found in, or as given), if any.
    fn find(&self, rel: &Path) -> Option<usize> {
        let program = self.program;
        let rel_text = display(rel);
        let file_name = rel.file_name().map(Path::new);
        for (i, set) in self.globs.iter().enumerate() {
            let Some(set) = set else { continue };
            if program.schemas.get(i).is_some_and(|s| s.builtin) {
                continue;
            }
            if set.is_match(&rel_text) || file_name.is_some_and(|n| set.is_match(n)) {
                return Some(i);
            }
        }
        // The one record schema without `files` globs takes every record file no other schema
        // claims (with two such schemas it would be a guess); Precept's own schemas for role files
        // never take record files.
        let mut catch_all = program
            .schemas
            .iter()
            .enumerate()
            .filter(|(i, s)| !s.builtin && self.globs.get(*i).is_some_and(Option::is_none))
            .map(|(i, _)| i);
        match (catch_all.next(), catch_all.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }
}

fn add(
    path: PathBuf,
    id: Option<Identity>,
    rel: &Path,
    format: Format,
    globs: &SchemaGlobs<'_>,
    files: &mut Vec<(RecordFile, Option<Identity>)>,
    diags: &mut Vec<Diag>,
) {
    let name = display(&path);
    match globs.find(rel) {
        Some(schema) => files.push((RecordFile { origin: Origin::Path(path), name, format, schema }, id)),
        None => diags.push(no_schema(&name, globs.program)),
    }
}

fn no_schema(name: &str, program: &Program) -> Diag {
    let help = if program.schemas.is_empty() {
        "the policies declare no schema; declare one with a `files` glob that matches this file".to_string()
    } else {
        let schemas: Vec<String> = program
            .schemas
            .iter()
            .filter(|s| !s.builtin)
            .map(|s| {
                if s.files.is_empty() {
                    format!("`{}` (no `files` globs)", s.name)
                } else {
                    let globs: Vec<String> = s.files.iter().map(|g| format!("`{}`", convert::clip(g))).collect();
                    format!("`{}` (files {})", s.name, globs.join(", "))
                }
            })
            .collect();
        format!("add a `files` glob that matches this file to one of the schemas: {}", schemas.join(", "))
    };
    Diag::error(codes::NO_SCHEMA, format!("no schema matches record file `{name}`")).help(help)
}

/// A path as shown to the user, with `/` separators.
fn display(path: &Path) -> String {
    crate::text::name(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::data::testing::*;
    use crate::engine::types::Ty;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.json",
            "a.JSONL",
            "c.csv",
            "notes.txt",
            "sub/d.toml",
            "sub/e.ndjson",
            ".hidden/x.json",
            "sub/.y.json",
            "tickets/t1.jsonl",
            "calls/c1.csv",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        dir
    }

    fn names(files: &[RecordFile], root: &Path) -> Vec<(String, Format, usize)> {
        let prefix = format!("{}/", display(root));
        files.iter().map(|f| (f.name.trim_start_matches(&prefix).to_string(), f.format, f.schema)).collect()
    }

    #[test]
    fn one_schema_without_globs_takes_everything() {
        let dir = tree();
        let p = program(vec![vec![field("id", Ty::Text)]], vec![]);
        let (files, diags) = discover(&[dir.path().to_path_buf()], &p);
        assert!(diags.is_empty(), "{diags:?}");
        let got: Vec<String> = names(&files, dir.path()).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(
            got,
            vec!["a.JSONL", "b.json", "c.csv", "calls/c1.csv", "sub/d.toml", "sub/e.ndjson", "tickets/t1.jsonl"]
        );
        assert_eq!(files[0].format, Format::Jsonl);
        assert_eq!(files[0].path(), Some(dir.path().join("a.JSONL").as_path()));
    }

    #[test]
    fn globs_assign_schemas() {
        let dir = tree();
        let mut p = program(vec![vec![field("id", Ty::Text)]], vec![]);
        let mut calls = schema("calls", 0);
        calls.files = vec!["calls/*.csv".into()];
        p.schemas[0].files = vec!["tickets/**".into(), "*.ndjson".into(), "[".into()];
        p.schemas.push(calls);
        let (files, diags) = discover(&[dir.path().to_path_buf(), dir.path().join("sub/e.ndjson")], &p);
        let got = names(&files, dir.path());
        assert_eq!(
            got,
            vec![
                ("calls/c1.csv".into(), Format::Csv, 1),
                ("sub/e.ndjson".into(), Format::Jsonl, 0),
                ("tickets/t1.jsonl".into(), Format::Jsonl, 0)
            ]
        );
        let codes_seen: Vec<&str> = diags.iter().map(|d| &*d.code).collect();
        assert_eq!(codes_seen, vec![codes::NO_SCHEMA; 4]);
        let no = &diags[0];
        assert!(no.message.starts_with("no schema matches record file `"), "{}", no.message);
        assert!(no.help.as_deref().unwrap().contains("`calls` (files `calls/*.csv`)"), "{:?}", no.help);
    }

    #[test]
    fn explicit_files_missing_paths_and_unknown_formats() {
        let dir = tree();
        let p = program(vec![vec![field("id", Ty::Text)]], vec![]);
        let paths = vec![
            dir.path().join("notes.txt"),
            dir.path().join("nope.json"),
            dir.path().join("b.json"),
            dir.path().join(".hidden/x.json"),
        ];
        let (files, diags) = discover(&paths, &p);
        assert_eq!(
            names(&files, dir.path()).into_iter().map(|(n, _, _)| n).collect::<Vec<_>>(),
            vec![".hidden/x.json", "b.json"]
        );
        let got: Vec<&str> = diags.iter().map(|d| &*d.code).collect();
        assert_eq!(got, vec![codes::UNKNOWN_FORMAT, codes::NOT_FOUND]);
        assert!(diags.iter().all(|d| d.help.is_some()));
    }

    #[test]
    fn duplicates_are_removed() {
        let dir = tree();
        let p = program(vec![vec![field("id", Ty::Text)]], vec![]);
        let (files, _) = discover(&[dir.path().join("sub"), dir.path().join("sub/d.toml"), dir.path().join("sub")], &p);
        assert_eq!(files.len(), 2);
    }

    #[test]
    fn two_schemas_without_globs_need_globs() {
        let dir = tree();
        let mut p = program(vec![vec![field("id", Ty::Text)]], vec![]);
        p.schemas.push(schema("other", 0));
        let (files, diags) = discover(&[dir.path().join("b.json")], &p);
        assert!(files.is_empty());
        assert_eq!(diags[0].code, *codes::NO_SCHEMA);
        assert!(diags[0].help.as_deref().unwrap().contains("`other` (no `files` globs)"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let dir = tree();
        std::os::unix::fs::symlink(dir.path().join("sub"), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("b.json"), dir.path().join("l.json")).unwrap();
        let p = program(vec![vec![field("id", Ty::Text)]], vec![]);
        let (files, _) = discover(&[dir.path().to_path_buf()], &p);
        assert!(files.iter().all(|f| !f.name.contains("link/") && !f.name.ends_with("l.json")));
    }
}
