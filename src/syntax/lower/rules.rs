//! Rules: a rule's clauses (scope, `require`, `group by`, `case by` and its events, `expect`,
//! `minimum`, `within`, the metadata) and its message template.
//!
//! Separate from [`super::declarations`] because a rule has many clauses, some of which only make
//! sense together (`minimum` needs `group by`, events need `case by`); those checks live here.

use pest::iterators::Pair;

use super::{calendar_in, effective, first_inner, name, span, string, unescape, Lowerer};
use crate::ast::*;
use crate::diagnostics::Diag;
use crate::source::Span;
use crate::syntax::parser::Rule;

impl Lowerer<'_> {
    pub(super) fn rule(&mut self, p: Pair<'_, Rule>) -> Option<crate::ast::Rule> {
        let whole = span(&p);
        let mut id = None;
        let mut r = crate::ast::Rule {
            id: Name { text: String::new(), span: whole },
            title: None,
            severity: None,
            cite: None,
            effective: None,
            relaxes: None,
            calendar: None,
            scope: None,
            group: None,
            sequence: None,
            requires: Vec::new(),
            message: None,
            help: None,
            lets: Vec::new(),
            span: whole,
        };
        let mut minimum: Option<(u64, Span)> = None;
        let mut expect: Option<Expect> = None;
        let mut events: Vec<Event> = Vec::new();
        let mut within: Option<(Option<Expr>, Option<Until>, Span)> = None;
        let mut version: Option<(VersionBy, Span)> = None;
        let mut any_order: Option<Span> = None;
        for c in p.into_inner() {
            let at = span(&c);
            match c.as_rule() {
                Rule::rule_id => id = Some(name(&c)),
                Rule::relaxes_clause => {
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut r.relaxes, s, "relaxes", |s| s.span, at);
                    }
                }
                Rule::group_clause => {
                    let g = self.group(c);
                    self.set_once(&mut r.group, g, "group by", |g| g.span, at);
                }
                Rule::minimum_clause => {
                    let n = c.into_inner().find(|x| x.as_rule() == Rule::digits).and_then(|d| d.as_str().parse().ok());
                    match n {
                        Some(n) => self.set_once(&mut minimum, (n, at), "minimum", |m| m.1, at),
                        None => self.diags.push(self.out_of_range(at)),
                    }
                }
                Rule::expect_clause => {
                    if let Some(e) = self.expect_clause(c) {
                        self.set_once(&mut expect, e, "expect", |e| e.span, at);
                    }
                }
                Rule::case_clause => {
                    if let Some(x) = c.into_inner().find(|x| x.as_rule() == Rule::expr) {
                        match self.expr(x) {
                            Ok((key, _)) => {
                                let seq = Sequence {
                                    key,
                                    events: Vec::new(),
                                    within: None,
                                    until: None,
                                    version: None,
                                    any_order: None,
                                    span: at,
                                };
                                self.set_once(&mut r.sequence, seq, "case by", |s| s.span, at);
                            }
                            Err(d) => self.diags.push(d),
                        }
                    }
                }
                Rule::event_clause => {
                    if let Some(e) = self.event(c) {
                        events.push(e);
                    }
                }
                Rule::within_clause => {
                    // `within <span> [until <date>]` or `by <date>`.
                    let inner: Vec<_> = c.into_inner().collect();
                    let alone = inner.first().is_some_and(|x| x.as_rule() == Rule::kw_by);
                    let mut exprs = inner.into_iter().filter(|x| x.as_rule() == Rule::expr);
                    let (span_expr, until_expr) =
                        if alone { (None, exprs.next()) } else { (exprs.next(), exprs.next()) };
                    let mut ok = true;
                    let mut lowered = |x: Option<Pair<'_, Rule>>, diags: &mut Vec<Diag>| match x.map(|x| self.expr(x)) {
                        Some(Ok((e, _))) => Some(e),
                        Some(Err(d)) => {
                            diags.push(d);
                            ok = false;
                            None
                        }
                        None => None,
                    };
                    let mut diags = Vec::new();
                    let span_e = lowered(span_expr, &mut diags);
                    let until_e = lowered(until_expr, &mut diags);
                    self.diags.extend(diags);
                    if ok {
                        let until_e = until_e.map(|e| Until { at: e, alone, span: at });
                        self.set_once(&mut within, (span_e, until_e, at), "within", |w| w.2, at);
                    }
                }
                Rule::version_by_clause => {
                    let inner: Vec<_> = c.into_inner().collect();
                    let by = if inner.iter().any(|x| x.as_rule() == Rule::kw_receipt) {
                        Some(VersionBy::Receipt)
                    } else {
                        match inner.into_iter().find(|x| x.as_rule() == Rule::expr).map(|x| self.expr(x)) {
                            Some(Ok((e, _))) => Some(VersionBy::Field(e)),
                            Some(Err(d)) => {
                                self.diags.push(d);
                                None
                            }
                            None => None,
                        }
                    };
                    if let Some(by) = by {
                        self.set_once(&mut version, (by, at), "version by", |v| v.1, at);
                    }
                }
                Rule::any_order_clause => self.set_once(&mut any_order, at, "in any order", |s| *s, at),
                Rule::uses_calendar_clause => {
                    if let Some(n) = c.into_inner().find(|x| x.as_rule() == Rule::ident) {
                        let n = name(&n);
                        self.set_once(&mut r.calendar, n, "calendar", |n| n.span, at);
                    }
                }
                Rule::title_clause => {
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut r.title, s, "title", |s| s.span, at);
                    }
                }
                Rule::cite_clause => {
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut r.cite, s, "cite", |s| s.span, at);
                    }
                }
                Rule::help_clause => {
                    if let Some(t) = c.into_inner().find(|x| x.as_rule() == Rule::template) {
                        let t = self.template(t);
                        self.set_once(&mut r.help, t, "help", |t| t.span, at);
                    }
                }
                Rule::effective_clause => {
                    let e = effective(c);
                    self.set_once(&mut r.effective, e, "effective", |e| e.span, at);
                }
                Rule::severity_clause => {
                    let sev = c.into_inner().find(|x| x.as_rule() == Rule::severity).and_then(|s| first_inner(&s));
                    let severity = match sev.map(|k| k.as_rule()) {
                        Some(Rule::kw_warning) => Severity::Warning,
                        Some(Rule::kw_info) => Severity::Info,
                        _ => Severity::Error,
                    };
                    self.set_once(&mut r.severity, (severity, at), "severity", |s| s.1, at);
                }
                Rule::scope_clause => {
                    let mut schema = None;
                    let mut filter = None;
                    for x in c.into_inner() {
                        match x.as_rule() {
                            Rule::ident => schema = Some(name(&x)),
                            Rule::expr => match self.expr(x) {
                                Ok((e, _)) => filter = Some(e),
                                Err(d) => self.diags.push(d),
                            },
                            _ => {}
                        }
                    }
                    if let Some(schema) = schema {
                        let scope = Scope { schema, filter, span: at };
                        self.set_once(&mut r.scope, scope, "for", |s| s.span, at);
                    }
                }
                Rule::require_clause => {
                    if let Some(x) = c.into_inner().find(|x| x.as_rule() == Rule::expr) {
                        match self.expr(x) {
                            Ok((e, _)) => r.requires.push(e),
                            Err(d) => self.diags.push(d),
                        }
                    }
                }
                Rule::let_clause => {
                    if let Some(d) = self.definition(c) {
                        r.lets.push(d);
                    }
                }
                Rule::message_clause => {
                    if let Some(t) = c.into_inner().find(|x| x.as_rule() == Rule::template) {
                        let t = self.template(t);
                        self.set_once(&mut r.message, t, "message", |t| t.span, at);
                    }
                }
                _ => {}
            }
        }
        match &mut r.sequence {
            Some(seq) => {
                seq.events = events;
                if let Some((span_e, until, at)) = within {
                    seq.within = span_e.map(|e| (e, at));
                    seq.until = until;
                }
                seq.version = version;
                seq.any_order = any_order;
            }
            None => {
                let stray = events
                    .first()
                    .map(|e| (e.kind.as_str(), e.span))
                    .into_iter()
                    .chain(within.map(|w| (if w.0.is_none() { "by" } else { "within" }, w.2)))
                    .chain(version.map(|v| ("version by", v.1)))
                    .chain(any_order.map(|s| ("in any order", s)));
                for (what, at) in stray {
                    self.diags.push(
                        Diag::error(
                            "precept::parse::missing-clause",
                            format!("`{what}` is for rules that follow cases"),
                        )
                        .at(self.file, at, "this rule has no `case by`")
                        .help("add `case by <key>` (e.g. `case by record.complaint_id`) to follow each case's records"),
                    );
                }
            }
        }
        match &mut r.group {
            Some(g) => {
                g.minimum = minimum;
                g.expect = expect;
            }
            None => {
                let stray = minimum.map(|m| ("minimum", m.1)).into_iter().chain(expect.map(|e| ("expect", e.span)));
                for (what, at) in stray {
                    self.diags.push(
                        Diag::error(
                            "precept::parse::missing-clause",
                            format!("`{what}` is for rules over groups of records"),
                        )
                        .at(self.file, at, "this rule has no `group by`")
                        .help("add `group by <key>` (e.g. `group by record.team`) to judge groups of records"),
                    );
                }
            }
        }
        r.id = id?;
        Some(r)
    }

    fn group(&mut self, p: Pair<'_, Rule>) -> Group {
        let whole = span(&p);
        let mut keys = Vec::new();
        for k in p.into_inner().filter(|x| x.as_rule() == Rule::group_key) {
            let mut inner = k.into_inner();
            let Some(x) = inner.find(|x| x.as_rule() == Rule::expr) else { continue };
            let given = inner.find(|x| x.as_rule() == Rule::ident).map(|n| name(&n));
            match self.expr(x) {
                Ok((e, _)) => {
                    // Unnamed parts are named for their last field or their function.
                    let derived = match &e.kind {
                        ExprKind::Path(names) => names.last().map(|n| Name { text: n.text.clone(), span: e.span }),
                        ExprKind::Call(f, _) => Some(Name { text: f.text.clone(), span: e.span }),
                        _ => None,
                    };
                    match given.or(derived) {
                        Some(n) => keys.push((n, e)),
                        None => self.diags.push(
                            Diag::error("precept::parse::unnamed-key", "this part of the group key needs a name")
                                .at(self.file, e.span, "name it with `as`")
                                .help("write e.g. `group by record.amount > 50.00 GBP as large`; fields and functions are named for themselves"),
                        ),
                    }
                }
                Err(d) => self.diags.push(d),
            }
        }
        Group { keys, minimum: None, expect: None, span: whole }
    }

    fn event(&mut self, p: Pair<'_, Rule>) -> Option<Event> {
        let whole = span(&p);
        let mut kind = EventKind::Opens;
        let mut schema = None;
        let mut exprs = Vec::new();
        // Which expression comes next: `when`, `at` or `case`.
        let mut slot = Rule::kw_at;
        let (mut when, mut at, mut key) = (None, None, None);
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::event_kind => {
                    kind = match first_inner(&c).map(|k| k.as_rule()) {
                        Some(Rule::kw_closes) => EventKind::Closes,
                        Some(Rule::kw_pauses) => EventKind::Pauses,
                        Some(Rule::kw_resumes) => EventKind::Resumes,
                        _ => EventKind::Opens,
                    }
                }
                Rule::ident => schema = Some(name(&c)),
                Rule::kw_when | Rule::kw_at | Rule::kw_case => slot = c.as_rule(),
                Rule::expr => match self.expr(c) {
                    Ok((e, _)) => match slot {
                        Rule::kw_when => when = Some(e),
                        Rule::kw_case => key = Some(e),
                        _ => at = Some(e),
                    },
                    Err(d) => {
                        self.diags.push(d);
                        exprs.push(());
                    }
                },
                _ => {}
            }
        }
        if !exprs.is_empty() {
            return None;
        }
        Some(Event { kind, schema, when, at: at?, key, span: whole })
    }

    fn expect_clause(&mut self, p: Pair<'_, Rule>) -> Option<Expect> {
        let whole = span(&p);
        let mut period = Period::Day;
        let mut calendar = None;
        let mut on = None;
        let mut from = None;
        let mut until = None;
        let mut groups = None;
        let mut after = Rule::kw_from;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::expected_groups => groups = expected_groups(c),
                Rule::period => {
                    let words: Vec<Pair<'_, Rule>> = c.into_inner().collect();
                    calendar = words.iter().find(|w| w.as_rule() == Rule::calendar_in).and_then(calendar_in);
                    period = match words.first().map(Pair::as_rule) {
                        Some(Rule::kw_business) => Period::BusinessDay,
                        Some(Rule::kw_week) => Period::Week,
                        Some(Rule::kw_month) => Period::Month,
                        Some(Rule::kw_year) => Period::Year,
                        _ => Period::Day,
                    };
                }
                Rule::expr => match self.expr(c) {
                    Ok((e, _)) => on = Some(e),
                    Err(d) => {
                        self.diags.push(d);
                        return None;
                    }
                },
                Rule::kw_from | Rule::kw_until => after = c.as_rule(),
                Rule::date_lit => {
                    let d = Some((c.as_str().to_string(), span(&c)));
                    if after == Rule::kw_until {
                        until = d;
                    } else {
                        from = d;
                    }
                }
                _ => {}
            }
        }
        Some(Expect { period, calendar, on: on?, from, until, groups, span: whole })
    }

    fn template(&mut self, p: Pair<'_, Rule>) -> Template {
        let whole = span(&p);
        let mut parts = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::template_text => parts.push(TemplatePart::Text(unescape(c.as_str(), true))),
                Rule::template_hole => {
                    if let Some(x) = c.into_inner().find(|x| x.as_rule() == Rule::expr) {
                        match self.expr(x) {
                            Ok((e, _)) => parts.push(TemplatePart::Hole(e)),
                            Err(d) => self.diags.push(d),
                        }
                    }
                }
                _ => {}
            }
        }
        Template { parts, span: whole }
    }
}

/// `for each team in "a", "b"` or `for each team in roles`.
fn expected_groups(p: Pair<'_, Rule>) -> Option<ExpectedGroups> {
    let whole = span(&p);
    let mut key = None;
    let mut listed = Vec::new();
    let mut roles = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::ident => key = Some(name(&c)),
            Rule::string => listed.push(string(&c)),
            Rule::kw_roles => roles = Some(span(&c)),
            _ => {}
        }
    }
    let from = match roles {
        Some(s) => ExpectedFrom::Roles(s),
        None => ExpectedFrom::Listed(listed),
    };
    Some(ExpectedGroups { key: key?, from, span: whole })
}
