//! Records handed to an engine: bytes with a name, JSON values, or paths to files and folders.

use std::path::PathBuf;
use std::sync::Arc;

use crate::data::{Format, RecordFile, SchemaGlobs};
use crate::diagnostics::Diag;
use crate::engine::Program;

/// Records to check: bytes in memory with a name, JSON values, or files and folders on disk.
///
/// ```
/// use precept::Records;
/// # let engine = precept::Engine::from_sources([("house.precept", r#"
/// #   schema ticket { identified by id  id: text  waited: duration }
/// #   code "House rules" { level organisational
/// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
/// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
/// # "#)]).unwrap();
/// let run = engine.check([
///     Records::bytes("monday.csv", "id,waited\nT-1,3h\n"),
///     Records::values("tuesday.jsonl", &[serde_json::json!({"id": "T-2", "waited": "2h"})]),
///     Records::bytes_as("wednesday-export", precept::Format::Csv, "id,waited\nT-3,90m\n"),
/// ]);
/// assert_eq!(run.findings.len(), 3);
/// assert_eq!(run.summary.files, 3);
/// ```
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
    /// Files and folders on disk, found and assigned schemas as `precept check PATH...` does; the
    /// engine's own policy and role folders are never read as records.
    Paths(Vec<PathBuf>),
    /// A record file already made (its schema chosen): for the command line; record files are not
    /// part of the public API.
    #[doc(hidden)]
    File(RecordFile),
}

impl Records {
    /// Records in memory; the format is the name's extension (`.jsonl`, `.ndjson`, `.json`,
    /// `.toml`, `.csv`).
    ///
    /// ```
    /// use precept::Records;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([Records::bytes("tickets.csv", "id,waited\nT-1,3h\n")]);
    /// assert_eq!(run.findings[0].file.name.as_ref(), "tickets.csv");
    /// // The name also picks the schema, by the schemas' `files` globs.
    /// let run = engine.check([Records::bytes("tickets.xlsx", "")]);
    /// assert_eq!(run.diagnostics[0].code, "precept::input::unknown-format");
    /// ```
    pub fn bytes(name: impl Into<String>, bytes: impl AsRef<[u8]>) -> Records {
        Records::Bytes { name: name.into(), format: None, bytes: Arc::from(bytes.as_ref()) }
    }

    /// Records in memory in `format`, whatever the name.
    ///
    /// ```
    /// use precept::{Format, Records};
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let run = engine.check([Records::bytes_as("from-the-api", Format::Jsonl, r#"{"id": "T-1", "waited": "3h"}"#)]);
    /// assert_eq!(run.findings[0].record_id.as_deref(), Some("T-1"));
    /// ```
    pub fn bytes_as(name: impl Into<String>, format: Format, bytes: impl AsRef<[u8]>) -> Records {
        Records::Bytes { name: name.into(), format: Some(format), bytes: Arc::from(bytes.as_ref()) }
    }

    /// Records read from `reader` (a socket, standard input, a decompressor) to its end, in
    /// `format`. They are held in memory, so at most the `record-file` size limit is read (256 MiB
    /// unless raised): a larger input is `Err` with the `precept::input::too-large` diagnostic, as a
    /// file that size would be; a read that fails is `Err` naming the reason.
    ///
    /// ```
    /// let input = std::io::Cursor::new("{\"id\": \"T-1\"}\n");
    /// let records = precept::Records::read("stdin.jsonl", precept::Format::Jsonl, input).unwrap();
    /// assert!(matches!(records, precept::Records::Bytes { .. }));
    /// ```
    pub fn read(name: impl Into<String>, format: Format, reader: impl std::io::Read) -> Result<Records, Diag> {
        use std::io::Read as _;
        let name = name.into();
        let max = crate::input::limit(crate::input::Kind::RecordFile);
        let mut bytes = Vec::new();
        if let Err(e) = reader.take(max.saturating_add(1)).read_to_end(&mut bytes) {
            return Err(Diag::error(
                "precept::input::unreadable",
                format!("cannot read `{name}`: {}", crate::input::io_reason(&e)),
            )
            .help("check the source the records come from"));
        }
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max {
            return Err(crate::input::too_large(crate::input::Kind::RecordFile, &name, None));
        }
        Ok(Records::Bytes { name, format: Some(format), bytes: Arc::from(bytes) })
    }

    /// JSON values, one record each, read as the lines of a JSON Lines file named `name` (so a
    /// finding's line is the value's position, from 1).
    ///
    /// ```
    /// use serde_json::json;
    /// # let engine = precept::Engine::from_sources([("house.precept", r#"
    /// #   schema ticket { identified by id  id: text  waited: duration }
    /// #   code "House rules" { level organisational
    /// #     rule answered-quickly { title "Tickets are answered within an hour" for ticket
    /// #       require record.waited <= 1h  message "ticket {record.id} waited {record.waited}" } }
    /// # "#)]).unwrap();
    /// let values = [json!({"id": "T-1", "waited": "20m"}), json!({"id": "T-2", "waited": "3h"})];
    /// let run = engine.check([precept::Records::values("tickets.jsonl", &values)]);
    /// assert_eq!((run.findings[0].line, run.findings[0].record_id.as_deref()), (2, Some("T-2")));
    /// ```
    pub fn values(name: impl Into<String>, values: &[serde_json::Value]) -> Records {
        Records::bytes_as(name, Format::Jsonl, crate::data::jsonl_of(values))
    }

    /// Every record file under these files and folders (as `precept check PATH...` finds them:
    /// hidden files skipped, links not followed).
    ///
    /// ```
    /// let dir = env!("CARGO_MANIFEST_DIR");
    /// let engine = precept::Engine::from_folder(format!("{dir}/policies"))
    ///     .expect("the bundled policies compile")
    ///     .with_roles_from(&[format!("{dir}/fixtures/org").into()]);
    /// let run = engine.check([precept::Records::paths([format!("{dir}/fixtures/records")])]);
    /// assert!(run.summary.files > 1);
    /// assert!(run.findings.iter().any(|f| f.rule_id() == "complaint-resolved"));
    /// ```
    pub fn paths<P: Into<PathBuf>>(paths: impl IntoIterator<Item = P>) -> Records {
        Records::Paths(paths.into_iter().map(Into::into).collect())
    }
}

/// The record files of `records`, with their schemas, and the problems met finding them.
pub(super) fn resolve(
    program: &Program,
    records: impl IntoIterator<Item = Records>,
    select: &crate::data::Select,
) -> (Vec<RecordFile>, Vec<Diag>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut globs: Option<SchemaGlobs> = None;
    for r in records {
        match r {
            Records::File(f) => files.push(f),
            Records::Paths(paths) => {
                let (found, d) = crate::data::discover(&paths, program);
                files.extend(found.into_iter().filter(|f| select.keeps(f.place(), &f.name)));
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
