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
    // Break cycles: each cycle is reported once, at the `extends` of its first code (in the order
    // written), which then extends nothing. Each code has at most one parent, so one walk over the
    // codes finds every cycle (comparing walks pairwise took minutes on a 10,000-code chain).
    for (first, members) in cycles(&parent) {
        let names: Vec<String> = members
            .iter()
            .chain(std::iter::once(&first))
            .filter_map(|&i| codes.get(i))
            .map(|(_, c)| format!("`{}`", c.name.value))
            .collect();
        if let Some((file, c)) = codes.get(first) {
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
        }
        parent[first] = None;
    }
    // Parents first; otherwise the order written. Iterative: a chain of any length needs no stack.
    let mut placed: Vec<Option<usize>> = vec![None; codes.len()];
    let mut out = Vec::with_capacity(codes.len());
    let mut pending: Vec<usize> = Vec::new();
    for i in 0..codes.len() {
        // The codes above `i` not placed yet, nearest first; cycles are broken, so this ends.
        let mut at = Some(i);
        while let Some(a) = at.filter(|&a| placed[a].is_none()) {
            pending.push(a);
            at = parent[a];
        }
        while let Some(a) = pending.pop() {
            placed[a] = Some(out.len());
            out.push((a, parent[a].and_then(|p| placed[p])));
        }
    }
    out
}

/// The cycles of a graph where each node has at most one parent: for each, its smallest node and
/// its members in order from that node along the parent links, sorted by that node.
fn cycles(parent: &[Option<usize>]) -> Vec<(usize, Vec<usize>)> {
    // 0 not seen, 1 on the current walk, 2 done.
    let mut state = vec![0u8; parent.len()];
    let mut walk: Vec<usize> = Vec::new();
    let mut found = Vec::new();
    for start in 0..parent.len() {
        walk.clear();
        let mut at = Some(start);
        while let Some(i) = at {
            match state.get(i).copied() {
                Some(0) => {
                    state[i] = 1;
                    walk.push(i);
                    at = parent[i];
                }
                Some(1) => {
                    let from = walk.iter().rposition(|&w| w == i).unwrap_or(0);
                    let mut members = walk.get(from..).unwrap_or(&[]).to_vec();
                    let low = members.iter().enumerate().min_by_key(|(_, &m)| m).map_or(0, |(k, _)| k);
                    members.rotate_left(low);
                    if let Some(&first) = members.first() {
                        found.push((first, members));
                    }
                    break;
                }
                _ => break,
            }
        }
        for &w in &walk {
            state[w] = 2;
        }
    }
    found.sort_by_key(|(first, _)| *first);
    found
}

/// Which code is above which, by position in the order [`order`] gives (parents first), in linear
/// space: each code's pre-order number and subtree size in the forest of `extends`, so "is `a` an
/// ancestor of `c`" is one comparison, not a walk up a chain that may be 100,000 codes long.
#[derive(Debug, Default)]
pub struct Lineage {
    enter: Vec<usize>,
    size: Vec<usize>,
}

impl Lineage {
    /// From each position's parent position (always an earlier position).
    pub fn new(parent: &[Option<usize>]) -> Lineage {
        let n = parent.len();
        let valid = |i: usize| parent.get(i).copied().flatten().filter(|&p| p < i);
        let mut size = vec![1usize; n];
        for i in (0..n).rev() {
            if let Some(p) = valid(i) {
                size[p] += size[i];
            }
        }
        let mut enter = vec![0usize; n];
        // The next free number inside each code's subtree, as its children are numbered in order.
        let mut free = vec![0usize; n];
        let mut clock = 0usize;
        for i in 0..n {
            match valid(i) {
                Some(p) => {
                    enter[i] = free[p];
                    free[p] += size[i];
                }
                None => {
                    enter[i] = clock;
                    clock += size[i];
                }
            }
            free[i] = enter[i] + 1;
        }
        Lineage { enter, size }
    }

    /// Whether the code at position `a` is above (extended, directly or not, by) the one at `c`.
    pub fn is_ancestor(&self, a: usize, c: usize) -> bool {
        match (self.enter.get(a), self.enter.get(c), self.size.get(a)) {
            (Some(&ea), Some(&ec), Some(&sa)) => ea < ec && ec < ea + sa,
            _ => false,
        }
    }
}

/// Overrides: what an extending code's rule replaces, and whether it may.
impl Checker {
    /// An inherited rule no longer judges records on the days its override is in force; one
    /// overridden on every day is taken out of the run.
    pub(super) fn suspend(&mut self, rule: usize, days: Range) {
        let Some(r) = self.rules.get_mut(rule) else { return };
        if days == (None, None) {
            // Taken out of the schemas' lists once every code is checked ([`Checker::drop_suspended`]):
            // removing it from every list here, override by override, was quadratic in a long chain.
            self.withdrawn.insert(rule);
        } else {
            r.suspended.push(days);
        }
    }

    /// Take the rules overridden on every day out of the schemas' lists (a case rule is listed under
    /// every schema its events come from).
    pub(super) fn drop_suspended(&mut self) {
        if self.withdrawn.is_empty() {
            return;
        }
        let gone = &self.withdrawn;
        for s in &mut self.schemas {
            s.rules.retain(|i| !gone.contains(i));
            s.group_rules.retain(|i| !gone.contains(i));
        }
    }

    /// Check an override against the versions of the inherited rule in force on its days: more
    /// lenient is an error unless it says why (`relaxes`); undecidable is a warning. False when the
    /// override must not run.
    /// The calendars an inherited rule and its override count in, by name, with every declared
    /// calendar's zone, for [`strictness::compare_in`].
    fn strictness_calendars(&self, orig: Option<usize>, over: Option<usize>) -> strictness::Calendars {
        let name = |i: Option<usize>| {
            let i = i?;
            self.calendar_names.iter().find(|(_, (j, _, _))| *j == i).map(|(n, _)| n.clone())
        };
        let zones = self
            .calendar_names
            .iter()
            .filter_map(|(n, (i, _, _))| {
                let zone = self.calendars.get(*i)?.zone().iana_name()?;
                Some((n.clone(), zone.to_owned()))
            })
            .collect();
        strictness::Calendars { orig: name(orig), over: name(over), zones }
    }

    pub(super) fn judge_override(
        &mut self,
        file: &SourceFile,
        code: usize,
        rule: &ast::Rule,
        calendar: Option<usize>,
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
            let v = strictness::compare_in(&self.strictness_calendars(prev.calendar, calendar), prev.rule, rule);
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
