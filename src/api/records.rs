//! Records handed to an engine: bytes with a name, JSON values, or paths to files and folders.

use std::path::PathBuf;
use std::sync::Arc;

use crate::data::{Format, RecordFile, SchemaGlobs};
use crate::diagnostics::Diag;
use crate::engine::Program;

/// Records to check.
#[derive(Debug, Clone)]
pub enum Records {
    /// Records in memory, named for diagnostics and for choosing their schema (by the schemas'
    /// `files` globs); the format is the name's extension unless given.
    Bytes {
        /// The name shown (`exports/tickets.jsonl`).
        name: String,
        /// The format, or `None` for the name's extension.
        format: Option<Format>,
        /// The content.
        bytes: Arc<[u8]>,
    },
    /// Files and folders on disk, found and assigned schemas as `precept check PATH...` does.
    Paths(Vec<PathBuf>),
    /// A record file already made (its schema chosen).
    File(RecordFile),
}

impl Records {
    /// Records in memory; the format is the name's extension (`.jsonl`, `.ndjson`, `.json`,
    /// `.toml`, `.csv`).
    ///
    /// ```
    /// let r = precept::Records::bytes("tickets.csv", "id,n\nT-1,3\n");
    /// ```
    pub fn bytes(name: impl Into<String>, bytes: impl AsRef<[u8]>) -> Records {
        Records::Bytes { name: name.into(), format: None, bytes: Arc::from(bytes.as_ref()) }
    }

    /// Records in memory in `format`, whatever the name.
    pub fn bytes_as(name: impl Into<String>, format: Format, bytes: impl AsRef<[u8]>) -> Records {
        Records::Bytes { name: name.into(), format: Some(format), bytes: Arc::from(bytes.as_ref()) }
    }

    /// JSON values, one record each, read as the lines of a JSON Lines file named `name`.
    pub fn values(name: impl Into<String>, values: &[serde_json::Value]) -> Records {
        let mut text = String::new();
        for v in values {
            // Compact JSON never holds a line break: one value, one line.
            text.push_str(&v.to_string());
            text.push('\n');
        }
        Records::bytes_as(name, Format::Jsonl, text)
    }

    /// Every record file under these files and folders.
    pub fn paths<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Records {
        Records::Paths(paths.into_iter().map(Into::into).collect())
    }
}

/// The record files of `records`, with their schemas, and the problems met finding them.
pub(super) fn resolve(program: &Program, records: impl IntoIterator<Item = Records>) -> (Vec<RecordFile>, Vec<Diag>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut globs: Option<SchemaGlobs> = None;
    for r in records {
        match r {
            Records::File(f) => files.push(f),
            Records::Paths(paths) => {
                let (found, d) = crate::data::discover(&paths, program);
                files.extend(found);
                diags.extend(d);
            }
            Records::Bytes { name, format, bytes } => {
                let Some(format) = format.or_else(|| Format::of(std::path::Path::new(&name))) else {
                    diags.push(
                        Diag::error(
                            "precept::input::unknown-format",
                            format!("`{name}` is not a record format: name it `.jsonl`, `.json`, `.toml` or `.csv`"),
                        )
                        .help("give the records a name with a record format's extension, or their format"),
                    );
                    continue;
                };
                let globs = globs.get_or_insert_with(|| SchemaGlobs::new(program));
                match globs.schema_for(&name) {
                    Ok(schema) => files.push(RecordFile::from_bytes(name, format, schema, bytes)),
                    Err(d) => diags.push(d),
                }
            }
        }
    }
    (files, diags)
}
