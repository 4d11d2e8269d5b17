//! Precept's diagnostics as the protocol's: the primary label is the range, the code is the
//! diagnostic code, the help follows the message, and the other labels and the related notes
//! (the first of two duplicates, the rule an override replaces) are related information.

use lsp_types::{Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri};

use super::position::{Encoding, Lines};
use crate::diagnostics::{Diag, Level};
use crate::source::SourceFile;

/// `d` as the protocol's diagnostic; `uri_of` gives the URI of a file by its shown name (`None`
/// for a file with no place on disk, whose notes are then left out).
pub fn convert(d: &Diag, enc: Encoding, uri_of: &dyn Fn(&str) -> Option<Uri>) -> Diagnostic {
    let primary = d.labels.iter().find(|l| l.primary).or(d.labels.first());
    let range = match (&d.file, primary) {
        (Some(file), Some(label)) => Lines::new(&file.text).range(&file.text, label.span, enc),
        _ => Range::default(),
    };
    let mut message = d.message.clone();
    if let Some(label) = primary.filter(|l| !l.text.is_empty() && l.text != d.message) {
        message.push_str(&format!("\n{}", label.text));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let mut related = Vec::new();
    if let Some(file) = &d.file {
        for label in d.labels.iter().filter(|l| !l.primary && !l.text.is_empty()) {
            if let Some(location) = location(file, label.span, enc, uri_of) {
                related.push(DiagnosticRelatedInformation { location, message: label.text.clone() });
            }
        }
    }
    for note in &d.related {
        let Some(file) = &note.file else { continue };
        let Some(label) = note.labels.iter().find(|l| l.primary).or(note.labels.first()) else { continue };
        if let Some(location) = location(file, label.span, enc, uri_of) {
            let message = if label.text.is_empty() || label.text == note.message {
                note.message.clone()
            } else {
                format!("{}: {}", note.message, label.text)
            };
            related.push(DiagnosticRelatedInformation { location, message });
        }
    }
    Diagnostic {
        range,
        severity: Some(match d.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
            Level::Advice => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("precept".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn location(
    file: &SourceFile,
    span: crate::source::Span,
    enc: Encoding,
    uri_of: &dyn Fn(&str) -> Option<Uri>,
) -> Option<Location> {
    let uri = uri_of(&file.name)?;
    let lines = Lines::new(&file.text);
    Some(Location { uri, range: lines.range(&file.text, span, enc) })
}
