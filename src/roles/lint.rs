//! `precept lint`: checks of role and staff definitions on their own, every problem at once.
//!
//! Escalation paths are a graph in which each role has at most one senior, so cycles and roles with
//! no route to a top role are found in one linear walk, not by comparing pairs.

use std::collections::HashMap;

use jiff::civil::Date;

use super::model::*;
use crate::diagnostics::suggest;
use crate::diagnostics::Diag;

/// Check an organisation as of a date (open-ended assignments must hold their qualifications
/// until then).
pub fn lint(org: &Org, as_of: Date) -> Vec<Diag> {
    let mut out = Vec::new();
    let actions = index(org.actions.iter().map(|a| (a.id.as_str(), &a.place)), "action", &mut out);
    let quals = index(org.qualifications.iter().map(|q| (q.id.as_str(), &q.place)), "qualification", &mut out);
    let areas = index(org.areas.iter().map(|a| (a.id.as_str(), &a.place)), "training area", &mut out);
    let roles = index(org.roles.iter().map(|r| (r.id.id.as_str(), &r.id.place)), "role", &mut out);
    index(org.staff.iter().map(|s| (s.id.id.as_str(), &s.id.place)), "staff member", &mut out);

    for role in &org.roles {
        references(role, &roles, &actions, &quals, &areas, org, &mut out);
    }
    for area in &org.areas {
        for q in &area.requires {
            if !quals.contains_key(q.id.as_str()) {
                unknown(&mut out, q, "qualification", &quals);
            }
        }
    }
    escalation(org, &roles, &mut out);
    scope_inversion(org, &roles, &actions, &mut out);
    let mut held = vec![false; org.roles.len()];
    for s in &org.staff {
        staff(s, org, &roles, &quals, &areas, as_of, &mut held, &mut out);
    }
    for (i, role) in org.roles.iter().enumerate() {
        // A second role with the same id is reported as a duplicate, not as unheld.
        let first = roles.get(role.id.id.as_str()).copied().unwrap_or(i);
        if first == i && !held.get(i).copied().unwrap_or(true) {
            out.push(
                Diag::warning("precept::role::unheld-role", format!("no one holds role `{}`", role.id.id))
                    .at(&role.id.place.file, role.id.place.span, "never assigned")
                    .help("assign it to a member of staff, or remove it if the organisation no longer has it"),
            );
        }
    }
    crate::diagnostics::sort(&mut out);
    out
}

/// Ids to their first position; a second use of an id is a duplicate.
fn index<'o>(
    items: impl Iterator<Item = (&'o str, &'o Place)>,
    what: &str,
    out: &mut Vec<Diag>,
) -> HashMap<&'o str, usize> {
    let mut seen: HashMap<&str, (usize, &Place)> = HashMap::new();
    for (i, (id, place)) in items.enumerate() {
        match seen.get(id) {
            Some((_, first)) => out.push(
                Diag::error("precept::role::duplicate-id", format!("{what} `{id}` is defined twice"))
                    .at(&place.file, place.span, "defined again here")
                    .note(&first.file, first.span, "first defined here")
                    .help(format!("give each {what} its own id, or merge the two definitions")),
            ),
            None => {
                seen.insert(id, (i, place));
            }
        }
    }
    seen.into_iter().map(|(k, (i, _))| (k, i)).collect()
}

fn unknown(out: &mut Vec<Diag>, r: &Ref, what: &str, known: &HashMap<&str, usize>) {
    let mut names: Vec<&str> = known.keys().copied().collect();
    names.sort_unstable();
    out.push(
        Diag::error("precept::role::unknown-reference", format!("unknown {what} `{}`", r.id))
            .at(&r.place.file, r.place.span, format!("no {what} of this id"))
            .help(suggest::help(&r.id, &names, what)),
    );
}

fn references(
    role: &Role,
    roles: &HashMap<&str, usize>,
    actions: &HashMap<&str, usize>,
    quals: &HashMap<&str, usize>,
    areas: &HashMap<&str, usize>,
    org: &Org,
    out: &mut Vec<Diag>,
) {
    if let Some(e) = &role.escalates_to {
        if !roles.contains_key(e.id.as_str()) {
            unknown(out, e, "role", roles);
        }
    }
    for q in &role.requires {
        if !quals.contains_key(q.id.as_str()) {
            unknown(out, q, "qualification", quals);
        }
    }
    for a in &role.trained_in {
        if !areas.contains_key(a.id.as_str()) {
            unknown(out, a, "training area", areas);
        }
    }
    for g in &role.may {
        match actions.get(g.action.id.as_str()).and_then(|&i| org.actions.get(i)) {
            None => unknown(out, &g.action, "action", actions),
            Some(def) => {
                let fits = matches!(
                    (def.kind, g.limit),
                    (_, Limit::Allowed)
                        | (LimitKind::Percent, Limit::Percent(_))
                        | (LimitKind::Count, Limit::Count(_))
                        | (LimitKind::Duration, Limit::Duration(_))
                ) || matches!((def.kind, g.limit), (LimitKind::Money(c), Limit::Money(_, d)) if c == d);
                if !fits {
                    let expected = match def.kind {
                        LimitKind::Money(c) => format!("an amount in {c}, like `\"50.00 {c}\"`"),
                        LimitKind::Percent => "a percentage, like `\"10%\"`".to_string(),
                        LimitKind::Count => "a whole number, like `3`".to_string(),
                        LimitKind::Duration => "a duration, like `\"48h\"`".to_string(),
                        LimitKind::None => "`true`".to_string(),
                    };
                    out.push(
                        Diag::error(
                            "precept::role::invalid-definition",
                            format!("role `{}` gives `{}` a limit of the wrong kind", role.id.id, g.action.id),
                        )
                        .at(
                            &g.action.place.file,
                            g.action.place.span,
                            format!("`{}` takes {}", g.action.id, def.kind.as_str()),
                        )
                        .note(&def.place.file, def.place.span, "the action is declared here")
                        .help(format!("write {expected}, or `true` for no limit")),
                    );
                }
            }
        }
    }
}

/// Cycles and dead ends in one walk: each role has at most one senior.
fn escalation(org: &Org, roles: &HashMap<&str, usize>, out: &mut Vec<Diag>) {
    let n = org.roles.len();
    let next: Vec<Option<usize>> =
        org.roles.iter().map(|r| r.escalates_to.as_ref().and_then(|e| roles.get(e.id.as_str()).copied())).collect();
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state = vec![0u8; n];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..n {
        if state.get(start) != Some(&0) {
            continue;
        }
        path.clear();
        let mut cur = Some(start);
        while let Some(i) = cur {
            match state.get(i) {
                Some(0) => {
                    state[i] = 1;
                    path.push(i);
                    cur = next.get(i).copied().flatten();
                }
                Some(1) => {
                    // Back on this walk's own path: the part of the path from `i` is a cycle.
                    let at = path.iter().position(|&p| p == i).unwrap_or(0);
                    cycle(org, path.get(at..).unwrap_or(&[]), out);
                    break;
                }
                _ => break,
            }
        }
        for &p in &path {
            state[p] = 2;
        }
    }
    // Dead ends: a role that is not top and has no senior (unknown seniors are reported already).
    // `below[r]`: how many roles' paths end at `r`, each path's end found once and shared by every
    // role on it (walking each path in full is quadratic in a chain's length).
    let ends = path_ends(&next);
    let mut below: Vec<usize> = vec![0; n];
    for (start, end) in ends.iter().enumerate() {
        if let Some(b) = end.filter(|&e| e != start).and_then(|e| below.get_mut(e)) {
            *b += 1;
        }
    }
    for (i, role) in org.roles.iter().enumerate() {
        if role.top || role.escalates_to.is_some() {
            continue;
        }
        let under = below.get(i).copied().unwrap_or(0);
        let also = match under {
            0 => String::new(),
            1 => ", nor does the role that escalates to it".to_string(),
            n => format!(", nor do the {n} roles that escalate to it"),
        };
        out.push(
            Diag::error("precept::role::no-route-to-top", format!("role `{}` has no route up to a top role{also}", role.id.id))
                .at(&role.id.place.file, role.id.place.span, "not a top role, and escalates to no one")
                .help("add `escalates_to = \"...\"` naming its senior, or mark it `top = true` if nothing is referred beyond it"),
        );
    }
}

/// For each role, the role with no senior its escalation path ends at; `None` when the path runs into
/// a cycle. Linear: each role is walked past once, iteratively (a chain of any length needs no stack).
fn path_ends(next: &[Option<usize>]) -> Vec<Option<usize>> {
    // Outer `None`: not known yet.
    let mut end: Vec<Option<Option<usize>>> = vec![None; next.len()];
    let mut on_walk = vec![false; next.len()];
    let mut walk: Vec<usize> = Vec::new();
    for start in 0..next.len() {
        walk.clear();
        let mut cur = start;
        let found = loop {
            if let Some(known) = end.get(cur).copied().flatten() {
                break known;
            }
            if on_walk.get(cur).copied().unwrap_or(true) {
                // Back on this walk: a cycle, which no path through it gets out of.
                break None;
            }
            on_walk[cur] = true;
            walk.push(cur);
            match next.get(cur).copied().flatten() {
                Some(s) => cur = s,
                None => break Some(cur),
            }
        };
        for &w in &walk {
            end[w] = Some(found);
            on_walk[w] = false;
        }
    }
    end.into_iter().map(Option::flatten).collect()
}

fn cycle(org: &Org, members: &[usize], out: &mut Vec<Diag>) {
    let Some(&first) = members.iter().min_by_key(|&&i| org.roles.get(i).map(|r| r.id.id.as_str())) else { return };
    let Some(role) = org.roles.get(first) else { return };
    let names: Vec<&str> = members.iter().filter_map(|&i| org.roles.get(i)).map(|r| r.id.id.as_str()).collect();
    let mut shown = names.clone();
    if let Some(&f) = names.first() {
        shown.push(f);
    }
    let mut d =
        Diag::error("precept::role::escalation-cycle", format!("roles escalate in a circle: {}", shown.join(" -> ")))
            .help("break the circle: one of these roles must escalate to a more senior role, or be a top role");
    // The primary label is on the first role of the circle by id, so the report does not depend on
    // where the walk entered it; every other hop is a label (same file) or a note (another file).
    let hop = |i: usize| org.roles.get(i).and_then(|r| r.escalates_to.as_ref().map(|e| (r, e)));
    if let Some((r, e)) = hop(first) {
        d = d.at(&e.place.file, e.place.span, format!("`{}` escalates to `{}`", r.id.id, e.id));
    }
    for &i in members.iter().filter(|&&i| i != first) {
        let Some((r, e)) = hop(i) else { continue };
        let text = format!("`{}` escalates to `{}`", r.id.id, e.id);
        if d.file.as_ref().is_some_and(|f| f.name == e.place.file.name) {
            d = d.label(e.place.span, text);
        } else {
            d = d.note(&e.place.file, e.place.span, text);
        }
    }
    if d.file.is_none() {
        d = d.at(&role.id.place.file, role.id.place.span, "in a circle");
    }
    out.push(d);
}

fn scope_inversion(org: &Org, roles: &HashMap<&str, usize>, actions: &HashMap<&str, usize>, out: &mut Vec<Diag>) {
    for role in &org.roles {
        let Some(senior) =
            role.escalates_to.as_ref().and_then(|e| roles.get(e.id.as_str())).and_then(|&i| org.roles.get(i))
        else {
            continue;
        };
        // Unknown actions are reported once, as unknown references, not again here.
        for g in role.may.iter().filter(|g| actions.contains_key(g.action.id.as_str())) {
            match senior.may.iter().find(|s| s.action.id == g.action.id) {
                None => out.push(
                    Diag::error(
                        "precept::role::scope-inversion",
                        format!("`{}` may `{}`, but its senior `{}` may not", role.id.id, g.action.id, senior.id.id),
                    )
                    .at(&g.action.place.file, g.action.place.span, format!("`{}` may `{}` {}", role.id.id, g.action.id, g.limit))
                    .note(&senior.id.place.file, senior.id.place.span, format!("`{}` may not `{}`", senior.id.id, g.action.id))
                    .help("a case beyond a role is referred to its senior, who must be able to act on it: give the senior the action too"),
                ),
                Some(s) if !s.limit.covers(&g.limit) => out.push(
                    Diag::error(
                        "precept::role::scope-inversion",
                        format!(
                            "`{}` may `{}` {}, more than its senior `{}` ({})",
                            role.id.id, g.action.id, g.limit, senior.id.id, s.limit
                        ),
                    )
                    .at(&g.action.place.file, g.action.place.span, format!("`{}`: {}", role.id.id, g.limit))
                    .note(&s.action.place.file, s.action.place.span, format!("`{}`: {}", senior.id.id, s.limit))
                    .help("raise the senior's limit to at least the junior's, or lower the junior's"),
                ),
                Some(_) => {}
            }
        }
    }
}

#[expect(clippy::too_many_arguments, reason = "one walk over a staff member needs every index")]
fn staff(
    s: &Staff,
    org: &Org,
    roles: &HashMap<&str, usize>,
    quals: &HashMap<&str, usize>,
    areas: &HashMap<&str, usize>,
    as_of: Date,
    held: &mut [bool],
    out: &mut Vec<Diag>,
) {
    for q in &s.qualifications {
        if !quals.contains_key(q.id.id.as_str()) {
            unknown(out, &q.id, "qualification", quals);
        }
    }
    for t in &s.training {
        if !areas.contains_key(t.area.id.as_str()) {
            unknown(out, &t.area, "training area", areas);
        }
    }
    let mut assignments: Vec<&Assignment> = s.roles.iter().collect();
    assignments.sort_by_key(|a| a.from);
    for a in &assignments {
        match roles.get(a.role.id.as_str()) {
            None => unknown(out, &a.role, "role", roles),
            Some(&i) => {
                if let Some(h) = held.get_mut(i) {
                    *h = true;
                }
                if let Some(role) = org.roles.get(i) {
                    qualifications(s, a, role, as_of, out);
                }
            }
        }
    }
    if s.incomplete {
        // An assignment could not be read: its days would look like a gap or hide an overlap.
        return;
    }
    for pair in assignments.windows(2) {
        let [a, b] = pair else { continue };
        if a.until.is_none_or(|u| u >= b.from) {
            let until = a.until.map_or("open-ended".to_string(), |u| format!("until {u}"));
            out.push(
                Diag::error(
                    "precept::role::assignment-overlap",
                    format!(
                        "`{}` holds `{}` ({until}) and `{}` (from {}) at once",
                        s.id.id, a.role.id, b.role.id, b.from
                    ),
                )
                .at(&b.place.file, b.place.span, "starts while the other is held")
                .label(a.place.span, "still held")
                .help("end the earlier assignment the day before the next one starts"),
            );
        }
    }
    // Days of employment with no role.
    let mut covered_to: Option<Date> = None;
    let mut gaps: Vec<(Date, Option<Date>)> = Vec::new();
    let mut cursor = s.employed_from;
    let mut open = false;
    for a in &assignments {
        if a.from > cursor {
            gaps.push((cursor, a.from.yesterday().ok()));
        }
        match a.until {
            None => {
                open = true;
                break;
            }
            Some(u) => {
                if covered_to.is_none_or(|c| u > c) {
                    covered_to = Some(u);
                    cursor = u.tomorrow().unwrap_or(u);
                }
            }
        }
    }
    if !open {
        match s.employed_until {
            Some(end) if cursor <= end => gaps.push((cursor, Some(end))),
            None => gaps.push((cursor, None)),
            _ => {}
        }
    }
    for (from, until) in gaps {
        if until.is_some_and(|u| u < from) {
            continue;
        }
        let period = match until {
            Some(u) if u == from => format!("on {from}"),
            Some(u) => format!("from {from} to {u}"),
            None => format!("from {from} on"),
        };
        out.push(
            Diag::error("precept::role::assignment-gap", format!("`{}` is employed but holds no role {period}", s.id.id))
                .at(&s.employed.file, s.employed.span, "employed")
                .help("every day of employment needs a role, so the scope of what they may do is known; add the missing assignment"),
        );
    }
}

fn qualifications(s: &Staff, a: &Assignment, role: &Role, as_of: Date, out: &mut Vec<Diag>) {
    let end = a.until.unwrap_or(as_of.max(a.from));
    for q in &role.requires {
        let held: Vec<&Held> = s.qualifications.iter().filter(|h| h.id.id == q.id).collect();
        let good = held.iter().any(|h| h.issued <= a.from && h.expires.is_none_or(|e| e >= end));
        if good {
            continue;
        }
        let period = match a.until {
            Some(u) => format!("{} to {u}", a.from),
            None => format!("from {}", a.from),
        };
        let expired = held
            .iter()
            .filter(|h| h.issued <= a.from)
            .filter_map(|h| h.expires.map(|e| (e, h)))
            .max_by_key(|(e, _)| *e);
        let d = match expired {
            Some((e, h)) => Diag::error(
                "precept::role::qualification-expired",
                format!("`{}` holds `{}` ({period}) but their `{}` expired on {e}", s.id.id, role.id.id, q.id),
            )
            .at(&h.place.file, h.place.span, format!("expires {e}"))
            .label(a.place.span, format!("holds `{}` {period}", role.id.id)),
            None => {
                let later = held.iter().map(|h| h.issued).min();
                let why = later.map_or(String::new(), |d| format!(" (issued only on {d})"));
                Diag::error(
                    "precept::role::qualification-missing",
                    format!("`{}` holds `{}` ({period}) without the required `{}`{why}", s.id.id, role.id.id, q.id),
                )
                .at(&a.place.file, a.place.span, format!("requires `{}`", q.id))
            }
        };
        out.push(
            d.note(&q.place.file, q.place.span, format!("`{}` requires `{}`", role.id.id, q.id))
                .help("renew or obtain the qualification for the whole assignment, or move the person to a role that does not need it"),
        );
    }
}
