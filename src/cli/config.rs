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
//! allow = ["precept::type::unused-field"] # warnings of these codes are not reported
//!
//! [calendars]                             # calendars defined by these files, not the policies'
//! uk = "calendars/uk-2026.toml"
//!
//! [limits]                                # input size limits (see docs/config.md)
//! record-line = "64MiB"
//! ```

use std::path::{Path, PathBuf};

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::output::Spec;
use crate::ast::Severity;
use crate::diagnostics::toml_read::{self, Field, Keyed, Loose};
use crate::diagnostics::{suggest, Diag};
use crate::source::{SourceFile, Span};

/// The file name looked for.
pub const FILE_NAME: &str = "precept.toml";

const INVALID: &str = "precept::config::invalid";

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
    /// Codes of warnings not to report (`allow = ["precept::type::unused-field"]`); errors are
    /// reported whatever this says.
    pub allow: Vec<String>,
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

/// `precept.toml` as written; the field order is the order "did you mean" lists the keys in.
#[derive(Deserialize)]
struct Written {
    policies: Field<Texts>,
    roles: Field<Texts>,
    records: Field<Texts>,
    include: Field<Texts>,
    exclude: Field<Texts>,
    fail_on: Field<String>,
    outputs: Field<Texts>,
    waivers: Field<String>,
    baseline: Field<String>,
    redact: Field<Texts>,
    allow: Field<Texts>,
    as_of: Field<String>,
    calendars: Field<Keyed<Spanned<Loose<String>>>>,
    limits: Field<Keyed<Spanned<Loose<Size>>>>,
}

/// A list of text, each with its place; a single text counts as a list of one (its place is the
/// value's). A visitor rather than `#[serde(untagged)]`: an untagged enum buffers the value, and
/// the places of the list's items are lost in the buffer.
enum Texts {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = Texts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("text or a list of text")
            }
            fn visit_str<E>(self, s: &str) -> Result<Texts, E> {
                Ok(Texts::One(s.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Texts, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element()? {
                    out.push(s);
                }
                Ok(Texts::Many(out))
            }
        }
        d.deserialize_any(Either)
    }
}

/// A size limit: `"64MiB"` or a number of bytes.
#[derive(Deserialize)]
#[serde(untagged)]
enum Size {
    Text(String),
    Bytes(u64),
}

/// Problems found, each with the top-level key it is about: they are given in the order of those
/// keys (alphabetical, as the parsed table holds them), the order they were always given in.
struct Found<'f> {
    file: &'f SourceFile,
    diags: Vec<(String, Diag)>,
}

impl Found<'_> {
    fn push(&mut self, key: &str, d: Diag) {
        self.diags.push((key.to_string(), d));
    }

    fn wrong<T>(&mut self, key: &str, v: &Spanned<T>, what: &str, example: &str) {
        let d = Diag::error(INVALID, format!("`{key}` must be {what}"))
            .at(self.file, toml_read::span(v, 0), "here")
            .help(format!("write `{key} = {example}`"));
        self.push(key, d);
    }

    /// The texts of a list setting, each with its place.
    fn list<'v>(&mut self, key: &str, field: &'v Field<Texts>) -> Vec<(&'v str, Span)> {
        let Some(v) = field else { return Vec::new() };
        match v.get_ref().get() {
            Some(Texts::One(s)) => vec![(s.as_str(), toml_read::span(v, 0))],
            Some(Texts::Many(items)) => items.iter().map(|s| (s.get_ref().as_str(), toml_read::span(s, 0))).collect(),
            None => {
                self.wrong(key, v, "a list of text", "[\"...\"]");
                Vec::new()
            }
        }
    }

    fn text<'v>(&mut self, key: &str, field: &'v Field<String>) -> Option<&'v str> {
        let v = field.as_ref()?;
        let s = v.get_ref().get().map(String::as_str);
        if s.is_none() {
            self.wrong(key, v, "text", "\"...\"");
        }
        s
    }
}

fn parse(file: &SourceFile, base: &Path, diags: &mut Vec<Diag>) -> Config {
    let mut c = Config::default();
    let doc = match toml_read::parse::<Written>(&file.text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, 0));
            return c;
        }
    };
    let mut found = Found { file, diags: Vec::new() };
    for key in &doc.unknown.keys {
        let k = key.get_ref();
        let d = Diag::error(INVALID, format!("unknown key `{k}` in `{}`", file.name))
            .at(file, toml_read::span(key, 0), "not a setting")
            .help(suggest::help(k, doc.unknown.known, "key"));
        found.push(k, d);
    }
    let Some(w) = &doc.fields else { return c };
    let at = |p: &str| if base.as_os_str().is_empty() { PathBuf::from(p) } else { base.join(p) };
    c.policies = found.list("policies", &w.policies).iter().map(|(s, _)| at(s)).collect();
    c.roles = found.list("roles", &w.roles).iter().map(|(s, _)| at(s)).collect();
    c.records = found.list("records", &w.records).iter().map(|(s, _)| at(s)).collect();
    c.redact = found.list("redact", &w.redact).iter().map(|(s, _)| s.to_string()).collect();
    for (code, span) in found.list("allow", &w.allow) {
        if crate::diagnostics::registry::lookup(code).is_some() {
            c.allow.push(code.to_string());
            continue;
        }
        let codes: Vec<&str> = crate::diagnostics::registry::CODES.iter().map(|c| c.code).collect();
        found.push(
            "allow",
            Diag::error(INVALID, format!("`allow` names `{}`, which is no diagnostic code", crate::text::clip(code)))
                .at(file, span, "not a code")
                .help(suggest::help(code, &codes, "code")),
        );
    }
    for (s, span) in found.list("outputs", &w.outputs) {
        // A report file is relative to the config's folder too.
        match s.parse::<Spec>() {
            Ok(mut spec) => {
                spec.path = spec.path.map(|p| at(&p.to_string_lossy()));
                c.outputs.push(spec);
            }
            Err(e) => found.push(
                "outputs",
                Diag::error(INVALID, format!("output `{s}`: {e}"))
                    .at(file, span, "not a report")
                    .help("write `outputs = [\"human\", \"sarif=precept.sarif\"]`"),
            ),
        }
    }
    for (key, globs) in [("include", &mut c.include), ("exclude", &mut c.exclude)] {
        let field = if key == "include" { &w.include } else { &w.exclude };
        for (s, span) in found.list(key, field) {
            match crate::glob::compile(s) {
                Ok(g) => globs.push(g),
                Err(e) => found.push(
                    key,
                    Diag::error(INVALID, format!("invalid file pattern `{}`", crate::glob::shown(s)))
                        .at(file, span, e.to_string())
                        .help("patterns are globs such as `*.jsonl` or `**/archive/**`"),
                ),
            }
        }
    }
    c.waivers = found.text("waivers", &w.waivers).map(at);
    c.baseline = found.text("baseline", &w.baseline).map(at);
    c.as_of = found.text("as_of", &w.as_of).map(str::to_string);
    // Text that is no time at all is reported here, at its place in the file; where a day or a
    // wall-clock time falls is told later, against the policies' calendars.
    if let (Some(text), Some(v)) = (&c.as_of, &w.as_of) {
        if text.parse::<crate::engine::as_of::AsOf>().is_err() {
            found.wrong("as_of", v, "a date or a datetime", "\"2026-06-30\"");
            c.as_of = None;
        }
    }
    if let Some(v) = &w.fail_on {
        match v.get_ref().get().map(String::as_str) {
            Some("error") => c.fail_on = Some(Severity::Error),
            Some("warning") => c.fail_on = Some(Severity::Warning),
            Some("info") => c.fail_on = Some(Severity::Info),
            _ => found.wrong("fail_on", v, "`\"error\"`, `\"warning\"` or `\"info\"`", "\"warning\""),
        }
    }
    let calendars = w.calendars.as_ref().and_then(|v| {
        let table = v.get_ref().get();
        if table.is_none() {
            found.wrong("calendars", v, "a table of calendar files by name", "{ uk = \"calendars/uk-2026.toml\" }");
        }
        table
    });
    for (name, path) in calendars.into_iter().flatten() {
        match path.get_ref().get() {
            Some(p) => c.calendars.push((name.get_ref().clone(), at(p))),
            None => found.push(
                "calendars",
                Diag::error(INVALID, format!("calendar `{}` must name a file", name.get_ref()))
                    .at(file, toml_read::span(path, 0), "not a file name")
                    .help("write `[calendars]` then `uk = \"calendars/uk-2026.toml\"`"),
            ),
        }
    }
    let limits = w.limits.as_ref().and_then(|v| {
        let table = v.get_ref().get();
        if table.is_none() {
            found.wrong("limits", v, "a table of sizes by input kind", "{ record-line = \"64MiB\" }");
        }
        table
    });
    for (name, size) in limits.into_iter().flatten() {
        let key = name.get_ref().as_str();
        let Some(kind) = crate::input::Kind::from_key(key) else {
            let keys: Vec<&str> = crate::input::KINDS.iter().map(|(_, k, _)| *k).collect();
            found.push(
                "limits",
                Diag::error(INVALID, format!("unknown limit `{key}` in `{}`", file.name))
                    .at(file, toml_read::span(name, 0), "not a limit")
                    .help(suggest::help(key, &keys, "limit")),
            );
            continue;
        };
        let bytes = match size.get_ref().get() {
            Some(Size::Text(s)) => crate::input::parse_size(s),
            Some(Size::Bytes(n)) => Some(*n),
            None => None,
        };
        match bytes {
            Some(n) => c.limits.push((kind, n)),
            None => found.push(
                "limits",
                Diag::error(INVALID, format!("limit `{key}` must be a size"))
                    .at(file, toml_read::span(size, 0), "not a size")
                    .help(format!("write `{key} = \"64MiB\"` (units: KiB, MiB, GiB) or a number of bytes")),
            ),
        }
    }
    found.diags.sort_by(|a, b| a.0.cmp(&b.0));
    diags.extend(found.diags.into_iter().map(|(_, d)| d));
    c
}

impl Config {
    /// Whether `d` is shown: every error is, and a warning or note unless `allow` names its code.
    pub fn shows(&self, d: &Diag) -> bool {
        d.is_error() || !self.allow.iter().any(|a| *a == *d.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Config, Vec<Diag>) {
        let mut diags = Vec::new();
        let c = parse(&SourceFile::new("precept.toml", text), Path::new(""), &mut diags);
        (c, diags)
    }

    #[test]
    fn sizes_are_text_or_a_number_of_bytes_in_any_base() {
        // Read as written digits once (`0x40` was 40 bytes, `0xff` not a size); now as TOML means them.
        let (c, diags) =
            read("[limits]\nrecord-line = 0x40\nrole = \"2MiB\"\npolicy = 18446744073709551615\nwaivers = 1_000\n");
        assert!(diags.is_empty(), "{diags:?}");
        let kinds = |k: &str| crate::input::Kind::from_key(k).unwrap();
        assert_eq!(
            c.limits,
            [
                (kinds("policy"), u64::MAX),
                (kinds("record-line"), 64),
                (kinds("role"), 2 << 20),
                (kinds("waivers"), 1000)
            ]
        );
    }

    #[test]
    fn an_empty_file_sets_nothing_and_a_single_text_is_a_list_of_one() {
        let (c, diags) = read("");
        assert!(diags.is_empty() && c.policies.is_empty() && c.fail_on.is_none() && c.limits.is_empty());
        let (c, diags) = read("policies = \"p\"\nredact = []\nfail_on = \"info\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.policies, [PathBuf::from("p")]);
        assert_eq!(c.fail_on, Some(Severity::Info));
    }
}
