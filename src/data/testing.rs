//! Test helpers: programs built by hand, record files in temporary directories.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers fail loudly")]

use super::{Format, ReadRecord, RecordFile};
use crate::diagnostics::Diag;
use crate::engine::program::SchemaInfo;
use crate::engine::types::{EnumDef, Field, Shape, Ty};
use crate::engine::Program;
use crate::source::{SourceFile, Span};

/// A used, required field read from the column of its own name.
pub(crate) fn field(name: &str, ty: Ty) -> Field {
    Field {
        name: name.into(),
        ty,
        optional: false,
        column: name.into(),
        zone: None,
        used: true,
        spelling: None,
        file: SourceFile::new("schema.precept", ""),
        span: Span::default(),
    }
}

/// The field, optional.
pub(crate) fn opt(mut f: Field) -> Field {
    f.optional = true;
    f
}

/// The field, read by no rule.
pub(crate) fn unused(mut f: Field) -> Field {
    f.used = false;
    f
}

/// A schema over `shape` with no globs.
pub(crate) fn schema(name: &str, shape: usize) -> SchemaInfo {
    SchemaInfo {
        name: name.into(),
        shape,
        files: vec![],
        records_at: vec![],
        id_field: None,
        id_redacted: false,
        date_field: None,
        staff_field: None,
        team_field: None,
        rules: vec![],
        group_rules: vec![],
        builtin: false,
        file: SourceFile::new("schema.precept", "schema"),
        span: Span::new(0, 6),
    }
}

/// A program with these shapes (columns default to dotted paths, as the checker does) and enums, and one
/// schema `records` over shape 0.
pub(crate) fn program(shapes: Vec<Vec<Field>>, enums: Vec<Vec<&str>>) -> Program {
    let mut shapes: Vec<Shape> = shapes.into_iter().map(|fields| Shape { fields }).collect();
    dotted_columns(&mut shapes, 0, "");
    Program {
        shapes,
        enums: enums.into_iter().map(|v| EnumDef { variants: v.into_iter().map(String::from).collect() }).collect(),
        schemas: vec![schema("records", 0)],
        calendars: vec![],
        declared_calendars: 0,
        codes: vec![],
        rules: vec![],
        redacting: false,
        redacted: vec![],
        redacted_names: vec![],
        evaluation: None,
    }
}

fn dotted_columns(shapes: &mut [Shape], shape: usize, prefix: &str) {
    let Some(s) = shapes.get_mut(shape) else { return };
    let mut nested = Vec::new();
    for f in &mut s.fields {
        if f.column == f.name {
            f.column = format!("{prefix}{}", f.name);
        }
        if let Ty::Object(inner) = f.ty {
            nested.push((inner, format!("{prefix}{}.", f.name)));
        }
    }
    for (inner, p) in nested {
        dotted_columns(shapes, inner, &p);
    }
}

/// A record file in its own temporary directory (kept alive by the value).
pub(crate) struct Temp {
    pub file: RecordFile,
    _dir: tempfile::TempDir,
}

pub(crate) fn temp_bytes(format: Format, bytes: &[u8]) -> Temp {
    let dir = tempfile::tempdir().unwrap();
    let ext = match format {
        Format::Toml => "toml",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Csv => "csv",
    };
    let path = dir.path().join(format!("records.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    let mut file = RecordFile::from_path(path, format, 0);
    file.name = format!("records.{ext}");
    Temp { file, _dir: dir }
}

pub(crate) fn temp_file(format: Format, text: &str) -> Temp {
    temp_bytes(format, text.as_bytes())
}

/// Every record of a file, in one list, and its diagnostics.
pub(crate) fn read_all(file: &RecordFile, program: &Program) -> (Vec<ReadRecord>, Vec<Diag>) {
    let mut records = Vec::new();
    let diags = super::read_file(file, program, 2, &mut |batch| records.extend(batch));
    (records, diags)
}

pub(crate) fn read_str(program: &Program, format: Format, text: &str) -> (Vec<ReadRecord>, Vec<Diag>) {
    let t = temp_file(format, text);
    read_all(&t.file, program)
}

/// The text under a diagnostic's primary label.
pub(crate) fn label_text(d: &Diag) -> String {
    let file = d.file.as_ref().unwrap();
    let label = d.labels.iter().find(|l| l.primary).unwrap();
    file.slice(label.span).to_string()
}
