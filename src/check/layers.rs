//! Layered codes: which code extends which, checked, and put in an order where every code comes
//! after the code it extends (so an override always meets the rule it overrides already compiled).
//!
//! Which levels may extend which: a code may extend a code of its own level (a sector's code for
//! one trade on the sector's general code; a professional body's specialist code on its general
//! one); an organisational code may also extend an industry, professional or ethical code, since a
//! company's own charter builds on the codes it has signed up to. A code for a whole sector or
//! profession cannot be built on one company's charter, nor on a code of another kind.

use std::collections::HashMap;

use crate::ast::{Code, CodeLevel};
use crate::diagnostics::{suggest, Diag};
use crate::source::SourceFile;

/// Whether a code of level `child` may extend one of level `parent`.
pub fn may_extend(child: CodeLevel, parent: CodeLevel) -> bool {
    child == parent || child == CodeLevel::Organisational
}

/// The codes in an order where parents come first, each with the position (in that order) of the
/// code it extends; broken `extends` (unknown, cyclic, wrong level) are reported and ignored.
pub fn order<'a>(codes: &[(&'a SourceFile, &'a Code)], diags: &mut Vec<Diag>) -> Vec<(usize, Option<usize>)> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, (_, c)) in codes.iter().enumerate() {
        by_name.entry(c.name.value.as_str()).or_insert(i);
    }
    // The code each one extends, by index into `codes`, once checked.
    let mut parent: Vec<Option<usize>> = vec![None; codes.len()];
    for (i, (file, c)) in codes.iter().enumerate() {
        let Some(ext) = &c.extends else { continue };
        let Some(&p) = by_name.get(ext.value.as_str()) else {
            let names: Vec<&str> = by_name.keys().copied().filter(|n| *n != c.name.value).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            diags.push(
                Diag::error(
                    "precept::code::unknown-parent",
                    format!("code `{}` extends `{}`, which is not declared", c.name.value, ext.value),
                )
                .at(file, ext.span, "no code of this name")
                .help(suggest::help(&ext.value, &sorted, "code")),
            );
            continue;
        };
        let (pfile, pc) = codes[p];
        let (cl, pl) = (c.level.map(|l| l.0), pc.level.map(|l| l.0));
        if let (Some(cl), Some(pl)) = (cl, pl) {
            if !may_extend(cl, pl) {
                diags.push(
                    Diag::error(
                        "precept::code::invalid-extension",
                        format!("`{}` ({}) cannot extend `{}` ({})", c.name.value, cl.as_str(), pc.name.value, pl.as_str()),
                    )
                    .at(file, ext.span, format!("`{}` is {}", pc.name.value, pl.as_str()))
                    .note(pfile, pc.name.span, format!("declared `level {}` here", pl.as_str()))
                    .help("a code may extend a code of its own level, and an organisational code may extend any code; see docs/language.md, \"Layered codes\""),
                );
                continue;
            }
        }
        parent[i] = Some(p);
    }
    // Break cycles: each code on a cycle is reported once, at its `extends`, and extends nothing.
    for start in 0..codes.len() {
        let mut path = vec![start];
        let mut at = start;
        while let Some(p) = parent[at] {
            if p == start {
                let names: Vec<String> = path
                    .iter()
                    .chain(std::iter::once(&start))
                    .map(|&i| format!("`{}`", codes[i].1.name.value))
                    .collect();
                let (file, c) = codes[start];
                if let Some(ext) = &c.extends {
                    diags.push(
                        Diag::error(
                            "precept::code::extension-cycle",
                            format!("codes extend each other in a circle: {}", names.join(" extends ")),
                        )
                        .at(file, ext.span, "this closes the circle")
                        .help("a code builds on another that does not, in turn, build on it; remove one `extends`"),
                    );
                }
                parent[start] = None;
                break;
            }
            if path.contains(&p) {
                break;
            }
            path.push(p);
            at = p;
        }
    }
    // Parents first; otherwise the order written.
    let mut placed: Vec<Option<usize>> = vec![None; codes.len()];
    let mut out = Vec::with_capacity(codes.len());
    fn place(
        i: usize,
        parent: &[Option<usize>],
        placed: &mut Vec<Option<usize>>,
        out: &mut Vec<(usize, Option<usize>)>,
    ) {
        if placed[i].is_some() {
            return;
        }
        let p = parent[i];
        if let Some(p) = p {
            place(p, parent, placed, out);
        }
        placed[i] = Some(out.len());
        out.push((i, p.and_then(|p| placed[p])));
    }
    for i in 0..codes.len() {
        place(i, &parent, &mut placed, &mut out);
    }
    out
}
