//! Go to definition and find references, over the symbol table of [`crate::check::index`].

use super::spot::Spot;
use crate::check::index::Symbol;
use crate::source::Span;

/// A place in one of the index's files.
pub type Place = (usize, Span);

/// Where the name at the spot is declared. On an override's own id, the rule it replaces (its
/// own declaration is where the cursor already is).
pub fn definition(spot: &Spot) -> Option<Place> {
    let index = &spot.analysis.index;
    let occ = index.at(spot.fresh_file()?, spot.offset)?;
    let target = match index.replaced(&occ.symbol) {
        Some(parent) if occ.declaration => parent,
        _ => &occ.symbol,
    };
    let def = index.definition(target)?;
    Some((def.file, def.name))
}

/// Every place naming the symbol at the spot; for a rule, the overrides that replace it too (in
/// codes extending its code, however far down).
pub fn references(spot: &Spot, declaration: bool) -> Vec<Place> {
    let index = &spot.analysis.index;
    let Some(occ) = spot.fresh_file().and_then(|f| index.at(f, spot.offset)) else { return Vec::new() };
    let mut symbols = vec![occ.symbol.clone()];
    let mut i = 0;
    while let Some(s) = symbols.get(i).cloned() {
        if matches!(s, Symbol::Rule { .. }) {
            for child in index.overridden_by(&s) {
                if !symbols.contains(child) {
                    symbols.push(child.clone());
                }
            }
        }
        i += 1;
    }
    let mut places: Vec<Place> = symbols
        .iter()
        .flat_map(|s| index.references(s))
        .filter(|o| declaration || !o.declaration || o.symbol != occ.symbol)
        .map(|o| (o.file, o.span))
        .collect();
    places.sort_by_key(|&(f, s)| (f, s.start));
    places.dedup();
    places
}
