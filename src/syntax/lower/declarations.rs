//! Declarations: schemas with their fields and types, calendars, and codes with their clauses.
//!
//! Separate from [`super::rules`] and [`super::expressions`]: these are the outer items of a policy
//! file, read clause by clause; a code hands each of its rules to the rule lowering.

use pest::iterators::Pair;

use super::{effective, first_inner, name, span, string, Lowerer};
use crate::ast::*;
use crate::syntax::parser::Rule;

impl Lowerer<'_> {
    // ------------------------------------------------------------ schemas

    pub(super) fn schema(&mut self, p: Pair<'_, Rule>) -> Option<Schema> {
        let whole = span(&p);
        let mut name_ = None;
        let mut files = Vec::new();
        let mut identified_by: Option<Name> = None;
        let mut dated_by: Option<Name> = None;
        let mut staff_by: Option<Name> = None;
        let mut team_by: Option<Name> = None;
        let mut zone: Option<Str> = None;
        let mut records_at: Option<Str> = None;
        let mut accept = Vec::new();
        let mut allow_unused = None;
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
                Rule::zone_clause => {
                    let at = span(&c);
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut zone, s, "zone", |s| s.span, at);
                    }
                }
                Rule::records_at_clause => {
                    let at = span(&c);
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(&mut records_at, s, "records at", |s| s.span, at);
                    }
                }
                Rule::accept_clause => accept.extend(spellings(c)),
                Rule::allow_unused_fields_clause => {
                    let at = span(&c);
                    self.set_once(&mut allow_unused, at, "allow unused fields", |s| *s, at);
                }
                Rule::field_decl => fields.push(self.field(c)),
                _ => {}
            }
        }
        Some(Schema {
            name: name_?,
            files,
            identified_by,
            dated_by,
            staff_by,
            team_by,
            zone,
            records_at,
            accept,
            allow_unused,
            fields,
            span: whole,
        })
    }

    fn field(&mut self, p: Pair<'_, Rule>) -> FieldDecl {
        let whole = span(&p);
        let mut fname = Name { text: String::new(), span: whole };
        let mut ty = TypeExpr::Scalar(ScalarType::Text, whole);
        let mut optional = false;
        let mut column = None;
        let mut zone = None;
        let mut accept: Option<(Vec<Accept>, crate::source::Span)> = None;
        let mut separator = None;
        let mut custom = None;
        let mut allow_unused = None;
        for c in p.into_inner() {
            let at = span(&c);
            match c.as_rule() {
                Rule::field_name => fname = name(&c),
                Rule::optional_mark => optional = true,
                Rule::column_clause | Rule::zone_clause | Rule::separated_clause => {
                    let (slot, what) = match c.as_rule() {
                        Rule::column_clause => (&mut column, "column"),
                        Rule::zone_clause => (&mut zone, "zone"),
                        _ => (&mut separator, "separated by"),
                    };
                    if let Some(s) = c.into_inner().find(|x| x.as_rule() == Rule::string) {
                        let s = string(&s);
                        self.set_once(slot, s, what, |s| s.span, at);
                    }
                }
                Rule::accept_clause => {
                    let found = (spellings(c), at);
                    self.set_once(&mut accept, found, "accept", |a| a.1, at);
                }
                Rule::custom_clause => {
                    let mut parts = c.into_inner().filter(|x| matches!(x.as_rule(), Rule::digits | Rule::string));
                    let id = parts.next().map(|x| match x.as_rule() {
                        Rule::digits => Str { value: x.as_str().to_string(), span: span(&x) },
                        _ => string(&x),
                    });
                    let key = parts.next().map(|x| string(&x));
                    if let Some(id) = id {
                        self.set_once(&mut custom, CustomField { id, key, span: at }, "custom field", |c| c.span, at);
                    }
                }
                Rule::allow_unused_clause => self.set_once(&mut allow_unused, at, "allow unused", |s| *s, at),
                Rule::colon | Rule::comma => {}
                _ => ty = self.type_expr(c),
            }
        }
        let accept = accept.map(|a| a.0).unwrap_or_default();
        FieldDecl { name: fname, ty, optional, column, zone, accept, separator, custom, allow_unused, span: whole }
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
                let variants = p
                    .into_inner()
                    .filter(|x| x.as_rule() == Rule::enum_variant)
                    .filter_map(|v| {
                        let mut inner = v.into_inner();
                        let vname = name(&inner.find(|x| x.as_rule() == Rule::ident)?);
                        let code = inner.find(|x| matches!(x.as_rule(), Rule::string | Rule::digits)).map(|x| match x
                            .as_rule()
                        {
                            Rule::digits => Str { value: x.as_str().to_string(), span: span(&x) },
                            _ => string(&x),
                        });
                        Some(Variant { name: vname, code })
                    })
                    .collect();
                TypeExpr::Enum(variants, s)
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

    pub(super) fn calendar(&mut self, p: Pair<'_, Rule>) -> Option<CalendarDecl> {
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

    // ------------------------------------------------------------ codes

    pub(super) fn code(&mut self, p: Pair<'_, Rule>) -> Option<Code> {
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
            clauses: Vec::new(),
            definitions: Vec::new(),
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
                Rule::clause_decl => {
                    let mut texts = c.into_inner().filter(|x| x.as_rule() == Rule::string).map(|x| string(&x));
                    if let Some(id) = texts.next() {
                        code.clauses.push(ClauseDecl { id, title: texts.next(), span: at });
                    }
                }
                Rule::rule_decl => {
                    if let Some(r) = self.rule(c) {
                        code.rules.push(r);
                    }
                }
                Rule::let_clause | Rule::define_clause => {
                    if let Some(d) = self.definition(c) {
                        code.definitions.push(d);
                    }
                }
                _ => {}
            }
        }
        code.name = cname?;
        Some(code)
    }
}

/// The spellings of an `accept` clause, in the order written.
fn spellings(p: Pair<'_, Rule>) -> Vec<Accept> {
    p.into_inner()
        .filter_map(|s| match s.as_rule() {
            Rule::truth_spelling => {
                let mut texts = s.into_inner().filter(|x| x.as_rule() == Rule::string).map(|x| string(&x));
                Some(Accept::Truth(texts.next()?, texts.next()?))
            }
            Rule::numbers_spelling => Some(Accept::NumbersInStrings(span(&s))),
            Rule::empty_spelling => Some(Accept::EmptyAsMissing(span(&s))),
            _ => None,
        })
        .collect()
}
