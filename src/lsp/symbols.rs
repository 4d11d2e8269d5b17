//! Document symbols: the outline of a policy file (codes with their clauses and rules, schemas with
//! their fields, calendars).

use lsp_types::{DocumentSymbol, SymbolKind};

use super::position::{Encoding, Lines};
use crate::check::index::{Def, Detail, Index, Symbol};

/// The outline of the index's file `file`, in the order written.
pub fn outline(index: &Index, file: usize, enc: Encoding) -> Vec<DocumentSymbol> {
    let Some(source) = index.files.get(file) else { return Vec::new() };
    let lines = Lines::new(&source.text);
    let make = |def: &Def, name: String, kind: SymbolKind, detail: Option<String>, children: Vec<DocumentSymbol>| {
        #[allow(deprecated)] // `deprecated` is a required field of the type, superseded by `tags`.
        DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: lines.range(&source.text, def.span, enc),
            selection_range: lines.range(&source.text, def.name, enc),
            children: (!children.is_empty()).then_some(children),
        }
    };
    let here: Vec<&Def> = index.defs.iter().filter(|d| d.file == file).collect();
    let mut out = Vec::new();
    for def in &here {
        match (&def.symbol, &def.detail) {
            (Symbol::Code(name), Detail::Code { level, clauses, .. }) => {
                let listed = clauses.iter().map(|(id, title, span)| {
                    let range = lines.range(&source.text, *span, enc);
                    #[allow(deprecated)] // as in `make`
                    DocumentSymbol {
                        name: id.clone(),
                        detail: title.clone(),
                        kind: SymbolKind::CONSTANT,
                        tags: None,
                        deprecated: None,
                        range,
                        selection_range: range,
                        children: None,
                    }
                });
                let rules: Vec<DocumentSymbol> = listed
                    .chain(
                        here.iter()
                            .filter(|d| matches!(&d.symbol, Symbol::Rule { code, .. } if code == name))
                            .filter_map(|d| match (&d.symbol, &d.detail) {
                                (Symbol::Rule { id, .. }, Detail::Rule { title, .. }) => {
                                    Some(make(d, id.clone(), SymbolKind::METHOD, title.clone(), Vec::new()))
                                }
                                _ => None,
                            }),
                    )
                    .collect();
                out.push(make(def, name.clone(), SymbolKind::MODULE, level.map(|l| l.as_str().to_string()), rules));
            }
            (Symbol::Schema(name), _) => {
                let fields = here
                    .iter()
                    .filter_map(|d| match (&d.symbol, &d.detail) {
                        (Symbol::Field { schema, path }, Detail::Field { ty, .. })
                            if schema == name && path.len() == 1 =>
                        {
                            Some(make(d, path[0].clone(), SymbolKind::FIELD, Some(ty.clone()), Vec::new()))
                        }
                        _ => None,
                    })
                    .collect();
                out.push(make(def, name.clone(), SymbolKind::STRUCT, None, fields));
            }
            (Symbol::Calendar(name), _) => out.push(make(def, name.clone(), SymbolKind::OBJECT, None, Vec::new())),
            _ => {}
        }
    }
    out.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    out
}
