//! `precept.toml`: a project's settings, so CI runs `precept check` with no flags.
//!
//! Found by walking up from the working directory (the first `precept.toml` met), or named with
//! `--config`. Paths in it are relative to its own folder. Flags given on the command line win over
//! it. Unknown keys are errors, with "did you mean".
//!
//! ```toml
//! policies = ["policies"]
//! roles = ["fixtures/org"]
//! records = ["fixtures/records"]
//! include = ["*.jsonl", "*.csv"]          # record files must match one (default: all)
//! exclude = ["**/archive/**"]             # record and role files must match none of these
//! fail_on = "error"                       # or "warning", "info"
//! outputs = ["human", "sarif=precept.sarif"]
//! waivers = "waivers.toml"
//! baseline = "precept-baseline.json"
//! redact = ["customer.id"]                # shown as a stable short hash in every report
//!
//! [calendars]                             # calendars defined by these files, not the policies'
//! uk = "calendars/uk-2026.toml"
//!
//! [limits]                                # input size limits (see docs/config.md)
//! record-line = "64MiB"
//! ```

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::output::Spec;
use crate::ast::Severity;
use crate::diagnostics::{suggest, Diag};
use crate::source::{SourceFile, Span};

/// The file name looked for.
pub const FILE_NAME: &str = "precept.toml";

const INVALID: &str = "precept::config::invalid";

const KEYS: [&str; 13] = [
    "policies",
    "roles",
    "records",
    "include",
    "exclude",
    "fail_on",
    "outputs",
    "waivers",
    "baseline",
    "redact",
    "as_of",
    "calendars",
    "limits",
];

/// The settings read.
#[derive(Debug, Default)]
pub struct Config {
    /// The settings file itself (never read as records).
    pub path: PathBuf,
    /// Policy folders.
    pub policies: Vec<PathBuf>,
    /// Role folders.
    pub roles: Vec<PathBuf>,
    /// Record files or folders.
    pub records: Vec<PathBuf>,
    /// Globs a record or role file must match one of.
    pub include: Vec<crate::glob::Pattern>,
    /// Globs no record or role file may match.
    pub exclude: Vec<crate::glob::Pattern>,
    /// The fail level.
    pub fail_on: Option<Severity>,
    /// Reports.
    pub outputs: Vec<Spec>,
    /// The waivers file.
    pub waivers: Option<PathBuf>,
    /// The baseline.
    pub baseline: Option<PathBuf>,
    /// Record fields shown as a hash in reports.
    pub redact: Vec<String>,
    /// The day waivers are judged on.
    pub as_of: Option<String>,
    /// Calendars defined by these files instead of the policies' own: name and file.
    pub calendars: Vec<(String, PathBuf)>,
    /// Input size limits from `[limits]` (`--limit` flags win over them).
    pub limits: Vec<(crate::input::Kind, u64)>,
}

/// The config to use: `explicit` (from `--config`), else the first `precept.toml` walking up from
/// the working directory, else none. Problems with it are diagnostics; a run does not go on
/// without the settings it was meant to have.
pub fn load(explicit: Option<&Path>) -> Result<Option<Config>, Vec<Diag>> {
    let (path, base) = match explicit {
        Some(p) => (p.to_path_buf(), p.parent().map(Path::to_path_buf).unwrap_or_default()),
        None => match find() {
            Some(found) => found,
            None => return Ok(None),
        },
    };
    let shown = crate::text::name(&path);
    // Through the file layer like every input: only a regular file, within the `settings` limit
    // (which only `--limit` can raise: `[limits]` is read from this very file), a byte-order mark
    // dropped, invalid UTF-8 reported with its line and column.
    let file = crate::input::read_text(&path, crate::input::Kind::Settings, &shown, true).map_err(|d| {
        let d = if std::fs::symlink_metadata(&path).is_err() {
            Diag::error("precept::input::not-found", format!("cannot read the config `{shown}`: it does not exist"))
                .help("give the path of a `precept.toml` with `--config`")
        } else {
            d
        };
        vec![d]
    })?;
    let mut diags = Vec::new();
    let mut config = parse(&file, &base, &mut diags);
    config.path = path;
    if diags.is_empty() {
        Ok(Some(config))
    } else {
        Err(diags)
    }
}

/// Walk up from the working directory for `precept.toml`: its path and its folder, both relative
/// to the working directory (`precept.toml` and ``; `../precept.toml` and `..`).
fn find() -> Option<(PathBuf, PathBuf)> {
    let cwd = std::env::current_dir().ok()?;
    let mut rel = PathBuf::new();
    for dir in cwd.ancestors() {
        // Any entry of that name, so that a FIFO or a folder called `precept.toml` is reported
        // (by the file layer) rather than silently passed over for one further up.
        if std::fs::symlink_metadata(dir.join(FILE_NAME)).is_ok() {
            return Some((rel.join(FILE_NAME), rel));
        }
        rel.push("..");
    }
    None
}

fn span_of<T>(v: &Spanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

fn parse(file: &SourceFile, base: &Path, diags: &mut Vec<Diag>) -> Config {
    let mut c = Config::default();
    let doc = match DeTable::parse(&file.text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, 0));
            return c;
        }
    };
    let at = |p: &str| if base.as_os_str().is_empty() { PathBuf::from(p) } else { base.join(p) };
    for (key, value) in doc.get_ref().iter() {
        let k: &str = key.get_ref().as_ref();
        let mut bad = |what: &str, example: &str| {
            diags.push(
                Diag::error(INVALID, format!("`{k}` must be {what}"))
                    .at(file, span_of(value), "here")
                    .help(format!("write `{k} = {example}`")),
            );
        };
        match k {
            "policies" | "roles" | "records" | "include" | "exclude" | "redact" | "outputs" => {
                let Some(list) = strings(value) else {
                    bad("a list of text", "[\"...\"]");
                    continue;
                };
                match k {
                    "policies" => c.policies = list.iter().map(|(s, _)| at(s)).collect(),
                    "roles" => c.roles = list.iter().map(|(s, _)| at(s)).collect(),
                    "records" => c.records = list.iter().map(|(s, _)| at(s)).collect(),
                    "redact" => c.redact = list.into_iter().map(|(s, _)| s).collect(),
                    "outputs" => {
                        for (s, span) in list {
                            // A report file is relative to the config's folder too.
                            match s.parse::<Spec>() {
                                Ok(mut spec) => {
                                    spec.path = spec.path.map(|p| at(&p.to_string_lossy()));
                                    c.outputs.push(spec);
                                }
                                Err(e) => diags.push(
                                    Diag::error(INVALID, format!("output `{s}`: {e}"))
                                        .at(file, span, "not a report")
                                        .help("write `outputs = [\"human\", \"sarif=precept.sarif\"]`"),
                                ),
                            }
                        }
                    }
                    _ => {
                        for (s, span) in list {
                            match crate::glob::compile(&s) {
                                Ok(g) if k == "include" => c.include.push(g),
                                Ok(g) => c.exclude.push(g),
                                Err(e) => diags.push(
                                    Diag::error(INVALID, format!("invalid file pattern `{}`", crate::glob::shown(&s)))
                                        .at(file, span, e.to_string())
                                        .help("patterns are globs such as `*.jsonl` or `**/archive/**`"),
                                ),
                            }
                        }
                    }
                }
            }
            "waivers" | "baseline" | "as_of" => match value.get_ref() {
                DeValue::String(s) => match k {
                    "waivers" => c.waivers = Some(at(s)),
                    "baseline" => c.baseline = Some(at(s)),
                    _ => c.as_of = Some(s.to_string()),
                },
                _ => bad("text", "\"...\""),
            },
            "calendars" => match value.get_ref() {
                DeValue::Table(t) => {
                    for (name, file_v) in t.iter() {
                        match file_v.get_ref() {
                            DeValue::String(p) => c.calendars.push((name.get_ref().to_string(), at(p))),
                            _ => diags.push(
                                Diag::error(INVALID, format!("calendar `{}` must name a file", name.get_ref()))
                                    .at(file, span_of(file_v), "not a file name")
                                    .help("write `[calendars]` then `uk = \"calendars/uk-2026.toml\"`"),
                            ),
                        }
                    }
                }
                _ => bad("a table of calendar files by name", "{ uk = \"calendars/uk-2026.toml\" }"),
            },
            "limits" => match value.get_ref() {
                DeValue::Table(t) => {
                    for (name, size_v) in t.iter() {
                        let key: &str = name.get_ref().as_ref();
                        let Some(kind) = crate::input::Kind::from_key(key) else {
                            let keys: Vec<&str> = crate::input::KINDS.iter().map(|(_, k, _)| *k).collect();
                            diags.push(
                                Diag::error(INVALID, format!("unknown limit `{key}` in `{}`", file.name))
                                    .at(file, span_of(name), "not a limit")
                                    .help(suggest::help(key, &keys, "limit")),
                            );
                            continue;
                        };
                        let size = match size_v.get_ref() {
                            DeValue::String(s) => crate::input::parse_size(s),
                            DeValue::Integer(i) => i.as_str().parse::<u64>().ok(),
                            _ => None,
                        };
                        match size {
                            Some(n) => c.limits.push((kind, n)),
                            None => diags.push(
                                Diag::error(INVALID, format!("limit `{key}` must be a size"))
                                    .at(file, span_of(size_v), "not a size")
                                    .help(format!(
                                        "write `{key} = \"64MiB\"` (units: KiB, MiB, GiB) or a number of bytes"
                                    )),
                            ),
                        }
                    }
                }
                _ => bad("a table of sizes by input kind", "{ record-line = \"64MiB\" }"),
            },
            "fail_on" => match value.get_ref() {
                DeValue::String(s) if s == "error" => c.fail_on = Some(Severity::Error),
                DeValue::String(s) if s == "warning" => c.fail_on = Some(Severity::Warning),
                DeValue::String(s) if s == "info" => c.fail_on = Some(Severity::Info),
                _ => bad("`\"error\"`, `\"warning\"` or `\"info\"`", "\"warning\""),
            },
            other => diags.push(
                Diag::error(INVALID, format!("unknown key `{other}` in `{}`", file.name))
                    .at(file, span_of(key), "not a setting")
                    .help(suggest::help(other, &KEYS, "key")),
            ),
        }
    }
    c
}

/// A list of strings (a single string counts as a list of one), with their places.
fn strings(v: &Spanned<DeValue<'_>>) -> Option<Vec<(String, Span)>> {
    match v.get_ref() {
        DeValue::String(s) => Some(vec![(s.to_string(), span_of(v))]),
        DeValue::Array(items) => items
            .iter()
            .map(|i| match i.get_ref() {
                DeValue::String(s) => Some((s.to_string(), span_of(i))),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}
