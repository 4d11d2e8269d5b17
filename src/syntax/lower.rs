//! Lowering pest pairs into the typed, spanned syntax tree of [`crate::ast`].
//!
//! Operator precedence is applied here with pest's Pratt parser (loosest first): `implies`, `or`,
//! `and`, `not`, comparisons and tests, `+ -`, `* /`, unary `-`. Expressions deeper than
//! [`MAX_EXPR_DEPTH`] are refused as they are built, so no later recursive step can overflow.

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::parser::Rule;
use crate::ast::*;
use crate::diagnostics::Diag;
use crate::source::{SourceFile, Span};

/// Deepest expression tree a policy may build (operators and operands nested inside each other).
pub const MAX_EXPR_DEPTH: u32 = 256;

/// Longest run of prefix operators (`not not ...`) accepted before the tree is built.
const MAX_PREFIX_RUN: usize = 8;

type Lowered = Result<(Expr, u32), Diag>;

/// Expressions of a node, their greatest depth, and the node's other pairs.
type Children<'i> = (Vec<Expr>, u32, Vec<Pair<'i, Rule>>);

struct Lowerer<'f> {
    file: &'f SourceFile,
    diags: Vec<Diag>,
    pratt: PrattParser<Rule>,
}

/// Lower a parsed `file` pair.
pub fn lower_file(file: &SourceFile, pair: Pair<'_, Rule>) -> (Option<PolicyFile>, Vec<Diag>) {
    let pratt = PrattParser::new()
        .op(Op::infix(Rule::op_implies, Assoc::Right))
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left)
            | Op::infix(Rule::op_not_in, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::infix(Rule::op_starts_with, Assoc::Left)
            | Op::infix(Rule::op_ends_with, Assoc::Left)
            | Op::infix(Rule::op_matches, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg));
    let mut l = Lowerer { file, diags: Vec::new(), pratt };
    let mut out = PolicyFile { source: file.clone(), schemas: Vec::new(), calendars: Vec::new(), codes: Vec::new() };
    for item in pair.into_inner() {
        match item.as_rule() {
            Rule::schema_decl => {
                if let Some(s) = l.schema(item) {
                    out.schemas.push(s);
                }
            }
            Rule::calendar_decl => {
                if let Some(c) = l.calendar(item) {
                    out.calendars.push(c);
                }
            }
            Rule::code_decl => {
                if let Some(c) = l.code(item) {
                    out.codes.push(c);
                }
            }
            _ => {}
        }
    }
    (Some(out), l.diags)
}

/// A pair's span without the trailing whitespace pest includes after a repetition that matched nothing.
fn span(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    let trimmed = p.as_str().trim_end().len();
    Span::new(s.start(), s.start() + trimmed)
}

fn name(p: &Pair<'_, Rule>) -> Name {
    Name { text: p.as_str().to_string(), span: span(p) }
}

fn unescape(raw: &str, template: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            },
            '{' | '}' if template && chars.peek() == Some(&c) => {
                chars.next();
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn string(p: &Pair<'_, Rule>) -> Str {
    let raw = p.clone().into_inner().next().map_or("", |i| i.as_str());
    Str { value: unescape(raw, false), span: span(p) }
}

/// `effective from A until B`: the dates as written, each after its keyword.
fn effective(p: Pair<'_, Rule>) -> Effective {
    let whole = span(&p);
    let mut e = Effective { from: None, until: None, span: whole };
    let mut after = Rule::kw_from;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::kw_from | Rule::kw_until => after = c.as_rule(),
            Rule::date_lit => {
                let d = Some((c.as_str().to_string(), span(&c)));
                if after == Rule::kw_until {
                    e.until = d;
                } else {
                    e.from = d;
                }
            }
            _ => {}
        }
    }
    e
}

fn first_inner<'i>(p: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
    p.clone().into_inner().next()
}

impl<'f> Lowerer<'f> {
    fn duplicate(&mut self, what: &str, first: Span, again: Span) {
        self.diags.push(
            Diag::error("precept::parse::duplicate-clause", format!("`{what}` is given more than once"))
                .at(self.file, again, "given again here")
                .label(first, "first given here")
                .help(format!("keep one `{what}` clause")),
        );
    }

    fn set_once<T>(&mut self, slot: &mut Option<T>, value: T, what: &str, first_span: impl Fn(&T) -> Span, at: Span) {
        match slot {
            Some(existing) => {
                let first = first_span(existing);
                self.duplicate(what, first, at);
            }
            None => *slot = Some(value),
        }
    }

    // ------------------------------------------------------------ schemas

    fn schema(&mut self, p: Pair<'_, Rule>) -> Option<Schema> {
        let whole = span(&p);
        let mut name_ = None;
        let mut files = Vec::new();
        let mut identified_by: Option<Name> = None;
        let mut dated_by: Option<Name> = None;
        let mut staff_by: Option<Name> = None;
        let mut team_by: Option<Name> = None;
        let mut fields = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name_ = Some(name(&c)),
                Rule::files_clause => {
                    files.extend(c.into_inner().filter(|x| x.as_rule() == Rule::string).map(|x| string(&x)));
                }
                Rule::identified_clause => {
                    let at = span(&c);
                    if let Some(id) = c.into_inner().find(|x| x.as_rule() == Rule::field_name) {
                        let n = name(&id);
                        self.set_once(&mut identified_by, n, "identified by", |n| n.span, at);
                    }
                }
                Rule::dated_clause => {
                    let at = span(&c);
                    if let Some(f) = c.into_inner().find(|x| x.as_rule() == Rule::field_name) {
                        let n = name(&f);
                        self.set_once(&mut dated_by, n, "dated by", |n| n.span, at);
                    }
                }
                Rule::staff_clause | Rule::team_clause => {
                    let at = span(&c);
                    let (slot, what) = if c.as_rule() == Rule::staff_clause {
                        (&mut staff_by, "staff by")
                    } else {
                        (&mut team_by, "team by")
                    };
                    if let Some(f) = c.into_inner().find(|x| x.as_rule() == Rule::field_name) {
                        let n = name(&f);
                        self.set_once(slot, n, what, |n| n.span, at);
                    }
                }
                Rule::field_decl => fields.push(self.field(c)),
                _ => {}
            }
        }
        Some(Schema { name: name_?, files, identified_by, dated_by, staff_by, team_by, fields, span: whole })
    }

    fn field(&mut self, p: Pair<'_, Rule>) -> FieldDecl {
        let whole = span(&p);
        let mut fname = Name { text: String::new(), span: whole };
        let mut ty = TypeExpr::Scalar(ScalarType::Text, whole);
        let mut optional = false;
        let mut column = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::field_name => fname = name(&c),
                Rule::optional_mark => optional = true,
                Rule::column_clause => {
                    column = c.into_inner().find(|x| x.as_rule() == Rule::string).map(|x| string(&x))
                }
                Rule::colon | Rule::comma => {}
                _ => ty = self.type_expr(c),
            }
        }
        FieldDecl { name: fname, ty, optional, column, span: whole }
    }

    fn type_expr(&mut self, p: Pair<'_, Rule>) -> TypeExpr {
        let s = span(&p);
        match p.as_rule() {
            Rule::list_type => {
                let inner = p.into_inner().find(|x| !matches!(x.as_rule(), Rule::kw_list | Rule::kw_of));
                let elem = inner.map_or(TypeExpr::Scalar(ScalarType::Text, s), |i| self.type_expr(i));
                TypeExpr::List(Box::new(elem), s)
            }
            Rule::object_type => {
                let fields =
                    p.into_inner().filter(|x| x.as_rule() == Rule::field_decl).map(|f| self.field(f)).collect();
                TypeExpr::Object(fields, s)
            }
            Rule::enum_type => {
                TypeExpr::Enum(p.into_inner().filter(|x| x.as_rule() == Rule::ident).map(|x| name(&x)).collect(), s)
            }
            Rule::money_type => {
                let cur = p
                    .into_inner()
                    .find(|x| x.as_rule() == Rule::currency)
                    .map_or(Name { text: String::new(), span: s }, |c| name(&c));
                TypeExpr::Money(cur, s)
            }
            _ => {
                let kw = first_inner(&p).map(|k| k.as_rule());
                let scalar = match kw {
                    Some(Rule::kw_integer) => ScalarType::Integer,
                    Some(Rule::kw_decimal) => ScalarType::Decimal,
                    Some(Rule::kw_boolean) => ScalarType::Boolean,
                    Some(Rule::kw_date) => ScalarType::Date,
                    Some(Rule::kw_datetime) => ScalarType::DateTime,
                    Some(Rule::kw_duration) => ScalarType::Duration,
                    _ => ScalarType::Text,
                };
                TypeExpr::Scalar(scalar, s)
            }
        }
    }

    // ------------------------------------------------------------ calendars

    fn calendar(&mut self, p: Pair<'_, Rule>) -> Option<CalendarDecl> {
        let whole = span(&p);
        let mut cname = None;
        let mut body = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => cname = Some(name(&c)),
                Rule::calendar_file => {
                    body = c.into_inner().find(|x| x.as_rule() == Rule::string).map(|s| CalendarBody::File(string(&s)));
                }
                Rule::calendar_body => {
                    let mut zone: Option<Str> = None;
                    let mut working = Vec::new();
                    let mut cutoff: Option<Name> = None;
                    let mut holidays = Vec::new();
                    for item in c.into_inner() {
                        let at = span(&item);
                        match item.as_rule() {
                            Rule::zone_clause => {
                                if let Some(s) = item.into_inner().find(|x| x.as_rule() == Rule::string) {
                                    let s = string(&s);
                                    self.set_once(&mut zone, s, "zone", |s| s.span, at);
                                }
                            }
                            Rule::working_clause => working
                                .extend(item.into_inner().filter(|x| x.as_rule() == Rule::ident).map(|x| name(&x))),
                            Rule::cutoff_clause => {
                                if let Some(t) = item.into_inner().find(|x| x.as_rule() == Rule::time_lit) {
                                    let t = name(&t);
                                    self.set_once(&mut cutoff, t, "cutoff", |t| t.span, at);
                                }
                            }
                            Rule::holidays_clause => holidays
                                .extend(item.into_inner().filter(|x| x.as_rule() == Rule::date_lit).map(|x| name(&x))),
                            _ => {}
                        }
                    }
                    body = Some(CalendarBody::Inline { zone, working, cutoff, holidays });
                }
                _ => {}
            }
        }
        Some(CalendarDecl { name: cname?, body: body?, span: whole })
    }

    // ------------------------------------------------------------ codes and rules

    fn code(&mut self, p: Pair<'_, Rule>) -> Option<Code> {
        let whole = span(&p);
        let mut cname = None;
        let mut code = Code {
            name: Str { value: String::new(), span: whole },
            level: None,
            version: None,
            source: None,
            calendar: None,
            effective: None,
            extends: None,
            not_waivable: None,
            rules: Vec::new(),
            span: whole,
        };
        for c in p.into_inner() {
            let at = span(&c);
            match c.as_rule() {
                Rule::string => cname = Some(string(&c)),
                Rule::level_clause => {
                    let lvl = c.into_inner().find(|x| x.as_rule() == Rule::level).and_then(|l| first_inner(&l));
                    let level = match lvl.map(|k| k.as_rule()) {
                        Some(Rule::kw_industry) => CodeLevel::Industry,
                        Some(Rule::kw_professional) => CodeLevel::Professional,
                        Some(Rule::kw_ethical) => CodeLevel::Ethical,
                        _ => CodeLevel::Organisational,
                    };
                    self.set_once(&mut code.level, (level, at), "level", |l| l.1, at);
                }
                Rule::version_clause => {
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut code.version, s, "version", |s| s.span, at);
                    }
                }
                Rule::source_clause => {
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut code.source, s, "source", |s| s.span, at);
                    }
                }
                Rule::uses_calendar_clause => {
                    if let Some(n) = c.into_inner().find(|x| x.as_rule() == Rule::ident) {
                        let n = name(&n);
                        self.set_once(&mut code.calendar, n, "calendar", |n| n.span, at);
                    }
                }
                Rule::effective_clause => {
                    let e = effective(c);
                    self.set_once(&mut code.effective, e, "effective", |e| e.span, at);
                }
                Rule::waivable_clause => {
                    self.set_once(&mut code.not_waivable, at, "not waivable", |s| *s, at);
                }
                Rule::extends_clause => {
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut code.extends, s, "extends", |s| s.span, at);
                    }
                }
                Rule::rule_decl => {
                    if let Some(r) = self.rule(c) {
                        code.rules.push(r);
                    }
                }
                _ => {}
            }
        }
        code.name = cname?;
        Some(code)
    }

    fn rule(&mut self, p: Pair<'_, Rule>) -> Option<crate::ast::Rule> {
        let whole = span(&p);
        let mut id = None;
        let mut r = crate::ast::Rule {
            id: Name { text: String::new(), span: whole },
            title: None,
            severity: None,
            cite: None,
            effective: None,
            relaxes: None,
            scope: None,
            group: None,
            sequence: None,
            requires: Vec::new(),
            message: None,
            help: None,
            span: whole,
        };
        let mut minimum: Option<(u64, Span)> = None;
        let mut expect: Option<Expect> = None;
        let mut events: Vec<Event> = Vec::new();
        let mut within: Option<(Expr, Span)> = None;
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
                                let seq = Sequence { key, events: Vec::new(), within: None, span: at };
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
                    if let Some(x) =
                        c.into_inner().find(|x| matches!(x.as_rule(), Rule::business_lit | Rule::duration_lit))
                    {
                        match self.primary(x) {
                            Ok((e, _)) => self.set_once(&mut within, (e, at), "within", |w| w.1, at),
                            Err(d) => self.diags.push(d),
                        }
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
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut r.help, s, "help", |s| s.span, at);
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
                seq.within = within;
            }
            None => {
                let stray = events
                    .first()
                    .map(|e| (e.kind.as_str(), e.span))
                    .into_iter()
                    .chain(within.map(|w| ("within", w.1)));
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
        let mut on = None;
        let mut from = None;
        let mut until = None;
        let mut after = Rule::kw_from;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::period => {
                    let words: Vec<Rule> = c.into_inner().map(|w| w.as_rule()).collect();
                    period = match words.as_slice() {
                        [Rule::kw_business, ..] => Period::BusinessDay,
                        [Rule::kw_week] => Period::Week,
                        [Rule::kw_month] => Period::Month,
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
        Some(Expect { period, on: on?, from, until, span: whole })
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

    // ------------------------------------------------------------ expressions

    fn too_deep(&self, at: Span) -> Diag {
        Diag::error("precept::parse::too-deep", format!("expression nested deeper than {MAX_EXPR_DEPTH} levels"))
            .at(self.file, at, "too deep from here")
            .help("split the condition into separate `require` clauses; a long chain of `or` comparisons is shorter as `x in {a, b, c}`")
    }

    fn node(&self, kind: ExprKind, span: Span, depth: u32) -> Lowered {
        if depth > MAX_EXPR_DEPTH {
            return Err(self.too_deep(span));
        }
        Ok((Expr { kind, span }, depth))
    }

    fn expr(&self, p: Pair<'_, Rule>) -> Lowered {
        let mut run = 0usize;
        for c in p.clone().into_inner() {
            if matches!(c.as_rule(), Rule::op_not | Rule::op_neg) {
                run += 1;
                if run > MAX_PREFIX_RUN {
                    return Err(Diag::error(
                        "precept::parse::too-deep",
                        format!("more than {MAX_PREFIX_RUN} prefix operators in a row"),
                    )
                    .at(self.file, span(&c), "too many here")
                    .help("`not not x` is `x`: remove the repeated operators"));
                }
            } else {
                run = 0;
            }
        }
        self.pratt
            .map_primary(|prim| self.postfixed(prim))
            .map_prefix(|op, rhs| {
                let (rhs, d) = rhs?;
                let s = span(&op).to(rhs.span);
                let uop = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                self.node(ExprKind::Unary(uop, Box::new(rhs)), s, d + 1)
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, dl) = lhs?;
                let (rhs, dr) = rhs?;
                let s = lhs.span.to(rhs.span);
                let bop = match op.as_rule() {
                    Rule::op_implies => BinaryOp::Implies,
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_not_in => BinaryOp::NotIn,
                    Rule::op_contains => BinaryOp::Contains,
                    Rule::op_starts_with => BinaryOp::StartsWith,
                    Rule::op_ends_with => BinaryOp::EndsWith,
                    Rule::op_matches => BinaryOp::Matches,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    _ => BinaryOp::Div,
                };
                self.node(ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)), s, dl.max(dr) + 1)
            })
            .parse(p.into_inner())
    }

    fn postfixed(&self, p: Pair<'_, Rule>) -> Lowered {
        let mut inner = p.into_inner();
        let Some(first) = inner.next() else {
            return Err(Diag::error("precept::parse::syntax", "expected an expression"));
        };
        let (mut e, mut d) = self.primary(first)?;
        for post in inner {
            let at = span(&post);
            let s = e.span.to(at);
            match post.as_rule() {
                Rule::op_is_present | Rule::op_is_missing => {
                    let present = post.as_rule() == Rule::op_is_present;
                    (e, d) = self.node(ExprKind::Presence(Box::new(e), present), s, d + 1)?;
                }
                Rule::op_otherwise => {
                    let Some(def) = post.into_inner().find(|x| x.as_rule() == Rule::postfixed) else { continue };
                    let (def, dd) = self.postfixed(def)?;
                    let s = s.to(def.span);
                    (e, d) = self.node(ExprKind::Otherwise(Box::new(e), Box::new(def)), s, d.max(dd) + 1)?;
                }
                _ => {}
            }
        }
        Ok((e, d))
    }

    fn exprs<'i>(&self, p: Pair<'i, Rule>) -> Result<Children<'i>, Diag> {
        let mut out = Vec::new();
        let mut depth = 0;
        let mut rest = Vec::new();
        for c in p.into_inner() {
            if c.as_rule() == Rule::expr {
                let (e, d) = self.expr(c)?;
                depth = depth.max(d);
                out.push(e);
            } else {
                rest.push(c);
            }
        }
        Ok((out, depth, rest))
    }

    fn primary(&self, p: Pair<'_, Rule>) -> Lowered {
        let s = span(&p);
        let rule = p.as_rule();
        let text = p.as_str();
        match rule {
            Rule::paren_expr => {
                let (mut es, d, _) = self.exprs(p)?;
                let e = es.pop().ok_or_else(|| self.too_deep(s))?;
                Ok((Expr { kind: e.kind, span: s }, d))
            }
            Rule::if_expr => {
                let (es, d, _) = self.exprs(p)?;
                let mut it = es.into_iter();
                match (it.next(), it.next(), it.next()) {
                    (Some(c), Some(a), Some(b)) => {
                        self.node(ExprKind::If(Box::new(c), Box::new(a), Box::new(b)), s, d + 1)
                    }
                    _ => Err(self.too_deep(s)),
                }
            }
            Rule::quantifier => {
                let inner: Vec<_> = p.clone().into_inner().collect();
                let kind =
                    inner.iter().find(|x| x.as_rule() == Rule::quant_kind).and_then(first_inner).map(|k| k.as_rule());
                let q = match kind {
                    Some(Rule::kw_any) => Quantifier::Any,
                    Some(Rule::kw_none) => Quantifier::None,
                    _ => Quantifier::All,
                };
                let var = inner.iter().find(|x| x.as_rule() == Rule::ident).map(name);
                let (es, d, _) = self.exprs(p)?;
                let mut it = es.into_iter();
                match (var, it.next(), it.next()) {
                    (Some(v), Some(list), Some(cond)) => {
                        self.node(ExprKind::Quantifier(q, v, Box::new(list), Box::new(cond)), s, d + 1)
                    }
                    _ => Err(self.too_deep(s)),
                }
            }
            Rule::count_expr => {
                let inner: Vec<_> = p.into_inner().collect();
                if let Some(binding) = inner.iter().find(|x| x.as_rule() == Rule::count_binding) {
                    let var = binding.clone().into_inner().find(|x| x.as_rule() == Rule::ident).map(|x| name(&x));
                    let (mut list, dl, _) = self.exprs(binding.clone())?;
                    let cond = inner.iter().find(|x| x.as_rule() == Rule::expr).cloned();
                    let (cond, dc) = match cond {
                        Some(c) => self.expr(c)?,
                        None => return Err(self.too_deep(s)),
                    };
                    match (var, list.pop()) {
                        (Some(v), Some(l)) => {
                            self.node(ExprKind::Count(Some(v), Box::new(l), Some(Box::new(cond))), s, dl.max(dc) + 1)
                        }
                        _ => Err(self.too_deep(s)),
                    }
                } else {
                    let list = inner.into_iter().find(|x| x.as_rule() == Rule::expr);
                    match list {
                        Some(l) => {
                            let (l, d) = self.expr(l)?;
                            self.node(ExprKind::Count(None, Box::new(l), None), s, d + 1)
                        }
                        None => Ok((Expr { kind: ExprKind::CountAll, span: s }, 1)),
                    }
                }
            }
            Rule::call_expr => {
                let (es, d, rest) = self.exprs(p)?;
                match rest.iter().find(|x| x.as_rule() == Rule::ident) {
                    Some(f) => self.node(ExprKind::Call(name(f), es), s, d + 1),
                    None => Err(self.too_deep(s)),
                }
            }
            Rule::business_between => {
                let (es, d, _) = self.exprs(p)?;
                let mut it = es.into_iter();
                match (it.next(), it.next()) {
                    (Some(a), Some(b)) => self.node(ExprKind::BusinessBetween(Box::new(a), Box::new(b)), s, d + 1),
                    _ => Err(self.too_deep(s)),
                }
            }
            Rule::set_lit => {
                let (es, d, _) = self.exprs(p)?;
                self.node(ExprKind::Set(es), s, d + 1)
            }
            Rule::money_lit => {
                let mut amount = String::new();
                let mut cur = Name { text: String::new(), span: s };
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::number_text => amount = c.as_str().to_string(),
                        Rule::currency => cur = name(&c),
                        _ => {}
                    }
                }
                Ok((Expr { kind: ExprKind::Money(amount, cur), span: s }, 1))
            }
            Rule::business_lit => {
                let n = self.number(p.into_inner().find(|x| x.as_rule() == Rule::digits), s)?;
                Ok((Expr { kind: ExprKind::BusinessDays(n), span: s }, 1))
            }
            Rule::duration_lit => {
                let inner: Vec<_> = p.into_inner().collect();
                let n = self.number(inner.iter().find(|x| x.as_rule() == Rule::digits).cloned(), s)?;
                let unit = inner
                    .iter()
                    .find(|x| matches!(x.as_rule(), Rule::duration_short | Rule::duration_word))
                    .map_or("s", |u| u.as_str());
                let per = match unit.chars().next() {
                    Some('m') => 60,
                    Some('h') => 3_600,
                    Some('d') => 86_400,
                    Some('w') => 604_800,
                    _ => 1,
                };
                let secs = n.checked_mul(per).ok_or_else(|| self.out_of_range(s))?;
                Ok((Expr { kind: ExprKind::Duration(secs), span: s }, 1))
            }
            Rule::datetime_lit => Ok((Expr { kind: ExprKind::DateTime(text.to_string()), span: s }, 1)),
            Rule::date_lit => Ok((Expr { kind: ExprKind::Date(text.to_string()), span: s }, 1)),
            Rule::decimal_lit => Ok((Expr { kind: ExprKind::Decimal(text.to_string()), span: s }, 1)),
            Rule::percent_lit => {
                Ok((Expr { kind: ExprKind::Percent(text.trim_end_matches('%').to_string()), span: s }, 1))
            }
            Rule::integer_lit => {
                let n = text.parse::<i64>().map_err(|_| self.out_of_range(s))?;
                Ok((Expr { kind: ExprKind::Integer(n), span: s }, 1))
            }
            Rule::string => Ok((Expr { kind: ExprKind::Text(string(&p).value), span: s }, 1)),
            Rule::bool_lit => {
                let v = first_inner(&p).is_some_and(|k| k.as_rule() == Rule::kw_true);
                Ok((Expr { kind: ExprKind::Bool(v), span: s }, 1))
            }
            _ => {
                let names: Vec<Name> = p
                    .into_inner()
                    .filter(|x| matches!(x.as_rule(), Rule::ident | Rule::field_name))
                    .map(|x| name(&x))
                    .collect();
                Ok((Expr { kind: ExprKind::Path(names), span: s }, 1))
            }
        }
    }

    fn number(&self, p: Option<Pair<'_, Rule>>, at: Span) -> Result<i64, Diag> {
        p.and_then(|d| d.as_str().parse::<i64>().ok()).ok_or_else(|| self.out_of_range(at))
    }

    fn out_of_range(&self, at: Span) -> Diag {
        Diag::error("precept::parse::number-out-of-range", "number is too large")
            .at(self.file, at, "too large")
            .help("numbers must fit in a 64-bit integer")
    }
}
