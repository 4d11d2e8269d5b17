//! Layered codes: which code extends which, checked, and put in an order where every code comes
//! after the code it extends (so an override always meets the rule it overrides already compiled);
//! then, per override, whether it may replace the inherited rule (see [`super::strictness`]) and
//! on which days the inherited rule stands aside.
//!
//! Which levels may extend which: a code may extend a code of its own level (a sector's code for
//! one trade on the sector's general code; a professional body's specialist code on its general
//! one); an organisational code may also extend an industry, professional or ethical code, since a
//! company's own charter builds on the codes it has signed up to. A code for a whole sector or
//! profession cannot be built on one company's charter, nor on a code of another kind.

use std::collections::HashMap;

use super::{overlaps, strictness, Checker, Range, Seen};
use crate::ast::{self, Code, CodeLevel};
use crate::diagnostics::{suggest, Diag};
use crate::source::{SourceFile, Span};

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

/// Overrides: what an extending code's rule replaces, and whether it may.
impl Checker {
    /// The codes `code` extends, nearest first.
    pub(super) fn ancestors(&self, code: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.parents.get(code).copied().flatten();
        while let Some(p) = at {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            at = self.parents.get(p).copied().flatten();
        }
        out
    }

    /// An inherited rule no longer judges records on the days its override is in force; one
    /// overridden on every day is taken out of the run.
    pub(super) fn suspend(&mut self, rule: usize, days: Range) {
        let Some(r) = self.rules.get_mut(rule) else { return };
        if days == (None, None) {
            // A case rule is listed under every schema its events come from.
            for s in &mut self.schemas {
                s.rules.retain(|&i| i != rule);
                s.group_rules.retain(|&i| i != rule);
            }
        } else {
            r.suspended.push(days);
        }
    }

    /// Check an override against the versions of the inherited rule in force on its days: more
    /// lenient is an error unless it says why (`relaxes`); undecidable is a warning. False when the
    /// override must not run.
    pub(super) fn judge_override(
        &mut self,
        file: &SourceFile,
        code: usize,
        rule: &ast::Rule,
        range: Option<Range>,
        overridden: &[&Seen],
    ) -> bool {
        let child = self.codes.get(code).map(|c| c.name.clone()).unwrap_or_default();
        if overridden.is_empty() {
            if let Some(why) = &rule.relaxes {
                self.diags.push(
                    Diag::error(
                        "precept::rule::relaxes-nothing",
                        format!("rule `{}` says it relaxes an inherited rule, but overrides none", rule.id.text),
                    )
                    .at(file, why.span, "nothing to relax")
                    .help("`relaxes` belongs on a rule that overrides, by id, a rule of the code this code `extends`"),
                );
                return false;
            }
            return true;
        }
        let days = range.unwrap_or((None, None));
        let mut looser = Vec::new();
        let mut undecided = Vec::new();
        for prev in overridden.iter().filter(|p| overlaps(p.in_force.unwrap_or((None, None)), days)) {
            let v = strictness::compare(prev.rule, rule);
            looser.extend(v.looser.into_iter().map(|d| (d, prev.file.clone())));
            undecided.extend(v.undecided.into_iter().map(|d| (d, prev.file.clone())));
        }
        let parent =
            overridden.first().and_then(|p| self.codes.get(p.code)).map(|c| c.name.clone()).unwrap_or_default();
        match &rule.relaxes {
            Some(why) if looser.is_empty() && undecided.is_empty() => {
                self.diags.push(
                    Diag::warning(
                        "precept::rule::needless-relaxes",
                        format!("rule `{}` says it relaxes `{parent}`, but it is at least as strict", rule.id.text),
                    )
                    .at(file, why.span, "not a relaxation")
                    .help("remove `relaxes`: reports would otherwise announce a relaxation that is not there"),
                );
                true
            }
            Some(_) => true,
            None => {
                let ok = looser.is_empty();
                for (d, orig_file) in looser {
                    let what = if d.what.is_empty() {
                        let shown =
                            |f: &SourceFile, s: Span| f.slice(s).split_whitespace().collect::<Vec<_>>().join(" ");
                        format!("`{}` instead of `{}`", shown(file, d.override_), shown(&orig_file, d.original))
                    } else {
                        d.what
                    };
                    self.diags.push(
                        Diag::error(
                            "precept::rule::relaxed-override",
                            format!("rule `{}` in `{child}` is more lenient than the rule it overrides in `{parent}`: {what}", rule.id.text),
                        )
                        .at(file, d.override_, "more lenient than the inherited rule")
                        .note(&orig_file, d.original, "the inherited rule")
                        .help("make the override at least as strict, or state why it may be more lenient with `relaxes \"...\"` (shown in every report)"),
                    );
                }
                for (d, orig_file) in undecided {
                    self.diags.push(
                        Diag::warning(
                            "precept::rule::unverified-override",
                            format!("Precept cannot tell whether rule `{}` in `{child}` is at least as strict as the rule it overrides in `{parent}`: {}", rule.id.text, d.what),
                        )
                        .at(file, d.override_, "compared with the inherited rule")
                        .note(&orig_file, d.original, "the inherited rule")
                        .help("keep the inherited rule's shape and change only its limits, or state `relaxes \"...\"` if it may be more lenient"),
                    );
                }
                ok
            }
        }
    }
}
