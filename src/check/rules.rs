//! One rule: its `for` scope, its `where`, its `require` conditions, its groups or cases, and its
//! message, type-checked over its schema and compiled into a [`CompiledRule`].
//!
//! Separate from [`super::codes`], which decides whether and on which days a rule is checked; this
//! file checks what the rule says.

use super::{expr, group, opening, Checker, Range};
use crate::ast;
use crate::diagnostics::Diag;
use crate::engine::program::{CompiledRule, EventSpec, MsgPart};
use crate::source::SourceFile;

impl Checker {
    pub(super) fn rule(
        &mut self,
        file: &SourceFile,
        code: usize,
        calendar: Option<usize>,
        rule: &ast::Rule,
        in_force: Option<Range>,
    ) -> Option<usize> {
        let Some(scope) = &rule.scope else {
            self.diags.push(
                Diag::error("precept::parse::missing-clause", format!("rule `{}` has no `for` clause", rule.id.text))
                    .at(file, rule.id.span, "which records does it apply to?")
                    .help("add `for <schema>` (optionally `where <condition>`) to say which records the rule checks"),
            );
            return None;
        };
        if let (Some(g), Some(c)) = (&rule.group, &rule.sequence) {
            self.diags.push(
                Diag::error("precept::parse::conflicting-clauses", format!("rule `{}` both groups records and follows cases", rule.id.text))
                    .at(file, c.span, "follows cases")
                    .label(g.span, "groups records")
                    .help("a rule judges each record, groups of records (`group by`) or cases (`case by`): split it into two rules"),
            );
            return None;
        }
        if let (Some(c), Some(r)) = (&rule.sequence, rule.requires.first()) {
            self.diags.push(
                Diag::error("precept::parse::conflicting-clauses", format!("rule `{}` follows cases, so it has no `require`", rule.id.text))
                    .at(file, r.span, "nothing to require of a case")
                    .label(c.span, "follows cases")
                    .help("a case rule requires that each obligation is closed in time; put other conditions in a rule of their own"),
            );
            return None;
        }
        if rule.requires.is_empty() && rule.sequence.is_none() && rule.group.as_ref().is_none_or(|g| g.expect.is_none())
        {
            self.diags.push(
                Diag::error(
                    "precept::parse::missing-clause",
                    format!("rule `{}` has no `require` clause", rule.id.text),
                )
                .at(file, rule.id.span, "requires nothing")
                .help("add `require <condition>`: what must hold for every record in scope (or, in a rule with `group by`, for every group; or `expect every day of ...`)"),
            );
        }
        let schema = self.schema_named(file, &scope.schema)?;
        if in_force.is_some() && self.schemas.get(schema).is_some_and(|s| s.date_field.is_none()) {
            let at = rule.effective.as_ref().map_or(rule.id.span, |e| e.span);
            self.diags.push(
                Diag::error(
                    "precept::rule::undated-schema",
                    format!(
                        "rule `{}` has days in force, but schema `{}` does not say which field dates a record",
                        rule.id.text, scope.schema.text
                    ),
                )
                .at(file, at, "in force on some days only")
                .help("add `dated by <field>` to the schema, naming a date or datetime field that is never missing"),
            );
            return None;
        }
        let range = rule.group.as_ref().and_then(|g| g.expect.as_ref()).map(|x| {
            let e = ast::Effective { from: x.from.clone(), until: x.until.clone(), span: x.span };
            self.effective(file, &e)
        });
        // Events read from other schemas are checked first, each over its own schema.
        let mut foreign: Vec<(usize, usize, Option<group::CheckedEvent>)> = Vec::new();
        let mut foreign_now = false;
        for (i, ev) in rule.sequence.iter().flat_map(|s| s.events.iter()).enumerate() {
            let Some(other) = ev.schema.as_ref().filter(|n| n.text != scope.schema.text) else { continue };
            let Some(idx) = self.schema_named(file, other) else {
                foreign.push((i, 0, None));
                continue;
            };
            let other_shape = self.schemas.get(idx).map_or(0, |s| s.shape);
            let cals = expr::Calendars {
                names: &self.calendar_names,
                list: &mut self.calendars,
                zones: &mut self.zone_calendars,
            };
            let mut tc =
                expr::TypeCheck::new(file, &mut self.shapes, &self.enums, other_shape, calendar, &mut self.diags)
                    .with_calendars(cals);
            let checked = group::event(&mut tc, ev, true);
            foreign_now |= tc.uses_now;
            foreign.push((i, idx, checked));
        }
        let shape = self.schemas.get(schema).map_or(0, |s| s.shape);
        let cals =
            expr::Calendars { names: &self.calendar_names, list: &mut self.calendars, zones: &mut self.zone_calendars };
        let mut tc = expr::TypeCheck::new(file, &mut self.shapes, &self.enums, shape, calendar, &mut self.diags)
            .with_calendars(cals);
        let filter = scope.filter.as_ref().and_then(|f| tc.condition(f, "the `where` condition"));
        // A `let` no clause uses is still type-checked, over one record (see `check::lets`); in a
        // group rule it could as well be about the group, so there it is only warned about.
        for l in rule.lets.iter().filter(|_| rule.group.is_none()) {
            tc.display(&l.value);
        }
        let mut group_ok = true;
        let mut group = rule.group.as_ref().map(|g| {
            let (spec, ok) = group::compile(&mut tc, g, range.flatten());
            group_ok = ok && !matches!(range, Some(None));
            spec
        });
        if let Some(seq) = &rule.sequence {
            let key = tc.group_key(&seq.key).map(|(c, ty, _)| (c, ty));
            let mut events = Vec::new();
            for (i, ev) in seq.events.iter().enumerate() {
                let checked = match foreign.iter_mut().find(|f| f.0 == i) {
                    Some((_, idx, checked)) => checked.take().map(|c| (*idx, c)),
                    None => group::event(&mut tc, ev, false).map(|c| (schema, c)),
                };
                let Some((on, c)) = checked else {
                    group_ok = false;
                    continue;
                };
                if let (Some((_, want)), Some((_, got)), Some(k)) = (&key, &c.key, &ev.key) {
                    if want != got {
                        let (w, g) = (tc.ty_name(want), tc.ty_name(got));
                        tc.err(
                            "precept::type::mismatch",
                            format!("this case key is {g}, but the rule's cases are keyed by {w}"),
                            k.span,
                            format!("this is {g}"),
                        )
                        .with_help(
                            "the key of another schema's records must have the type of the rule's own `case by` key",
                        );
                        group_ok = false;
                    }
                }
                events.push(EventSpec { kind: ev.kind, schema: on, when: c.when, at: c.at, key: c.key.map(|k| k.0) });
            }
            match key.filter(|_| group_ok).and_then(|k| group::compile_case(&mut tc, seq, k, events, schema)) {
                Some(spec) => group = Some(spec),
                None => group_ok = false,
            }
        }
        tc.aggregates_read();
        let mut require_aggs = Vec::new();
        let requires: Vec<_> = rule
            .requires
            .iter()
            .map(|r| {
                let c = tc.condition(r, "a `require` condition");
                require_aggs.push(tc.aggregates_read());
                c
            })
            .collect();
        let mut message = Vec::new();
        let mut message_ok = true;
        // A case rule's message reads the record that opened the obligation as `opening`.
        let openers: Vec<usize> = group
            .iter()
            .flat_map(|g| g.sequence.iter())
            .flat_map(|q| q.events.iter())
            .filter(|e| e.kind == ast::EventKind::Opens)
            .map(|e| e.schema)
            .collect();
        // Bound only for a message or help that reads it: binding builds a shape of every
        // opening schema's fields, which a rule that never reads `opening` should not pay for.
        let reads_opening = [&rule.message, &rule.help].into_iter().flatten().any(|t| {
            t.parts.iter().any(|p| matches!(p, ast::TemplatePart::Hole(e) if super::lets::reads_name(e, opening::NAME)))
        });
        let mut opening = if openers.is_empty() || !reads_opening {
            None
        } else {
            opening::Scope::bind(&mut tc, &self.schemas, &openers)
        };
        match &rule.message {
            Some(t) => match template(&mut tc, &mut opening, t) {
                Some(parts) => message = parts,
                None => message_ok = false,
            },
            None => {
                let text = rule
                    .title
                    .as_ref()
                    .map_or_else(|| format!("rule `{}` does not hold", rule.id.text), |t| t.value.clone());
                message.push(MsgPart::Text(text));
            }
        }
        // The help is checked like the message, over the same names; one with no holes stays the
        // rule's one text, shared by its findings.
        let help = rule.help.as_ref().map(|t| {
            let parts = if t.parts.iter().any(|p| matches!(p, ast::TemplatePart::Hole(_))) {
                template(&mut tc, &mut opening, t)
            } else {
                Some(Vec::new())
            };
            (as_written(file, t), parts)
        });
        let help_ok = help.as_ref().is_none_or(|h| h.1.is_some());
        let (help, help_parts) = match help {
            Some((text, parts)) => (Some(text), parts.unwrap_or_default()),
            None => (None, Vec::new()),
        };
        if let (Some(o), Some(q)) = (opening, group.as_mut().and_then(|g| g.sequence.as_mut())) {
            q.opening = o.finish(&mut tc);
        }
        let uses_roles = tc.uses_roles;
        let uses_now = tc.uses_now || foreign_now;
        let group = group.map(|mut g| {
            g.aggs = tc.take_aggregates();
            g.require_aggs = require_aggs;
            g
        });
        let filter_ok = scope.filter.is_none() || filter.is_some();
        if !filter_ok || !message_ok || !help_ok || !group_ok || requires.iter().any(Option::is_none) {
            return None;
        }
        let index = self.rules.len();
        if let Some(s) = self.schemas.get_mut(schema) {
            if group.is_some() {
                s.group_rules.push(index);
            } else {
                s.rules.push(index);
            }
        }
        // A case rule also reads the records of the other schemas its events come from.
        let others = group.iter().flat_map(|g| g.sequence.iter()).flat_map(|q| q.events.iter()).map(|e| e.schema);
        for other in others.filter(|&o| o != schema).collect::<std::collections::BTreeSet<_>>() {
            if let Some(s) = self.schemas.get_mut(other) {
                s.group_rules.push(index);
            }
        }
        self.rules.push(CompiledRule {
            id: rule.id.text.clone(),
            title: rule.title.as_ref().map_or_else(|| rule.id.text.clone(), |t| t.value.clone()),
            severity: rule.severity.map_or(ast::Severity::Error, |s| s.0),
            cite: rule.cite.as_ref().map(|c| c.value.clone()),
            help_parts,
            help,
            code,
            schema,
            filter,
            requires: requires.into_iter().flatten().collect(),
            message,
            file: file.clone(),
            id_span: rule.id.span,
            span: rule.span,
            require_spans: rule.requires.iter().map(|r| r.span).collect(),
            uses_roles,
            uses_now,
            in_force,
            suspended: Vec::new(),
            overrides: None,
            calendar: calendar.filter(|&c| c != super::UNKNOWN_CALENDAR),
            group,
        });
        Some(index)
    }
}

/// Compile a message or help template: each hole type-checked as a value to show (reading
/// `opening` in a case rule); `None` when a hole is wrong (reported).
fn template(
    tc: &mut expr::TypeCheck<'_>,
    opening: &mut Option<opening::Scope>,
    t: &ast::Template,
) -> Option<Vec<MsgPart>> {
    let mut parts = Vec::with_capacity(t.parts.len());
    let mut ok = true;
    for part in &t.parts {
        match part {
            ast::TemplatePart::Text(s) => parts.push(MsgPart::Text(s.clone())),
            ast::TemplatePart::Hole(e) => {
                let style = tc.hole_style(e);
                let shown = tc.display(e).filter(|(c, _)| opening.as_mut().is_none_or(|o| o.hole(tc, c, e.span)));
                match (shown, style) {
                    (Some((c, _)), Some(None)) => parts.push(MsgPart::Percent(c)),
                    (Some((c, _)), Some(Some(unit))) => parts.push(MsgPart::Period(c, unit)),
                    (Some((c, ty)), None) => parts.push(MsgPart::Hole(c, ty)),
                    (None, _) => ok = false,
                }
            }
        }
    }
    ok.then_some(parts)
}

/// A template as the policy writes it (string escapes undone, braces doubled, holes as written):
/// a help with no holes is its text, exactly as before help could have holes.
fn as_written(file: &SourceFile, t: &ast::Template) -> String {
    let has_holes = t.parts.iter().any(|p| matches!(p, ast::TemplatePart::Hole(_)));
    let mut out = String::new();
    for part in &t.parts {
        match part {
            ast::TemplatePart::Text(s) => {
                if has_holes {
                    out.push_str(&s.replace('{', "{{").replace('}', "}}"));
                } else {
                    out.push_str(s);
                }
            }
            ast::TemplatePart::Hole(e) => {
                out.push('{');
                out.push_str(file.slice(e.span));
                out.push('}');
            }
        }
    }
    out
}
