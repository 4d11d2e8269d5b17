//! Where each schema, field, calendar, code and rule of a set of policies is declared, and every
//! place that names one: the symbol table an editor needs (go to definition, find references,
//! hover), built from the syntax trees alone.
//!
//! Why from the syntax trees and not from the checked [`crate::engine::Program`]: the program
//! exists only when the policies have no error, while an editor asks about policies that are being
//! written and are wrong most of the time. Names are resolved here the way the checker resolves
//! them (`record.a.b` against the rule's schema, a bound element `x` against the list it ranges
//! over, `extends` against code names, an override against the nearest ancestor code declaring the
//! same rule id), but nothing is type-checked: a name that does not resolve is simply not indexed,
//! and the checker reports it.
//!
//! The module knows nothing of editors or protocols: places are byte spans into the files given.

use std::collections::{HashMap, HashSet};

use crate::ast::{
    self, CalendarBody, Code, CodeLevel, Definition, Expr, ExprKind, FieldDecl, PolicyFile, Rule, Severity,
    TemplatePart, TypeExpr, VersionBy,
};
use crate::source::{SourceFile, Span};

/// Something that can be declared once and named elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A record schema, by name.
    Schema(String),
    /// A field of a schema, by its path from the record (`["customer", "kind"]`).
    Field {
        /// The schema's name.
        schema: String,
        /// The field's path, nested fields included.
        path: Vec<String>,
    },
    /// A business calendar, by name.
    Calendar(String),
    /// A code of practice, by name.
    Code(String),
    /// A rule, by the code declaring it and its id (an override is a rule of its own code).
    Rule {
        /// The name of the code it is declared in.
        code: String,
        /// Its id.
        id: String,
    },
}

/// What a declaration says, for showing it (hover) without going back to the syntax tree.
#[derive(Debug, Clone)]
pub enum Detail {
    /// A schema.
    Schema {
        /// How many fields it has at the top level.
        fields: usize,
        /// The field that identifies a record.
        identified_by: Option<String>,
    },
    /// A field.
    Field {
        /// Its type as written (objects shortened to their field names).
        ty: String,
        /// Written with `?`.
        optional: bool,
        /// Its CSV column, when named.
        column: Option<String>,
        /// The values of an enumeration (or of a list of one); empty otherwise.
        variants: Vec<String>,
    },
    /// A calendar.
    Calendar {
        /// `from "file"`, when defined by a file.
        file: Option<String>,
        /// Its zone, when written inline.
        zone: Option<String>,
    },
    /// A code.
    Code {
        /// Its level.
        level: Option<CodeLevel>,
        /// The code it extends.
        extends: Option<String>,
        /// `version "..."`.
        version: Option<String>,
        /// `source "..."`.
        source: Option<String>,
        /// The clauses it lists (`clause "id" "title"`), in order: id, title, the whole item.
        clauses: Vec<(String, Option<String>, Span)>,
    },
    /// A rule.
    Rule {
        /// `title "..."`.
        title: Option<String>,
        /// `cite "..."`.
        cite: Option<String>,
        /// Its severity as written (`None`: the default, error).
        severity: Option<Severity>,
        /// Its help, as written (a template).
        help: Option<String>,
        /// The schema of the records it judges.
        schema: Option<String>,
    },
}

/// A declaration.
#[derive(Debug, Clone)]
pub struct Def {
    /// What is declared.
    pub symbol: Symbol,
    /// The file, as an index into [`Index::files`].
    pub file: usize,
    /// Its name as written in the declaration.
    pub name: Span,
    /// The whole declaration.
    pub span: Span,
    /// What it says.
    pub detail: Detail,
}

/// A place naming a symbol (its declaration's own name included).
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// What is named.
    pub symbol: Symbol,
    /// The file, as an index into [`Index::files`].
    pub file: usize,
    /// The name as written there.
    pub span: Span,
    /// This is the declaration's own name.
    pub declaration: bool,
}

/// The symbol table of a set of policy files.
#[derive(Debug, Default)]
pub struct Index {
    /// The files indexed, in the order given; Precept's own schemas (`role`, `staff`), when the
    /// policies use them without declaring their own, come last under [`super::BUILTIN_NAME`].
    pub files: Vec<SourceFile>,
    /// Every declaration, in the order written.
    pub defs: Vec<Def>,
    /// Every place naming a symbol.
    pub occurrences: Vec<Occurrence>,
    by_symbol: HashMap<Symbol, usize>,
    /// Each override rule and the rule it replaces in an ancestor code.
    replaces: HashMap<Symbol, Symbol>,
}

impl Index {
    /// Index `files`.
    ///
    /// ```
    /// use precept::check::index::{Index, Symbol};
    /// use precept::source::SourceFile;
    /// let text = r#"
    ///   schema ticket { identified by id  id: text  waited: duration }
    ///   code "House" { level organisational
    ///     rule quick { for ticket require record.waited <= 5m message "waited {record.waited}" } }
    ///   code "Branch" { level organisational extends "House"
    ///     rule quick { for ticket require record.waited <= 2m message "waited {record.waited}" } }"#;
    /// let (tree, _) = precept::syntax::parse(&SourceFile::new("house.precept", text));
    /// let index = Index::build(&tree.into_iter().collect::<Vec<_>>());
    /// let waited = Symbol::Field { schema: "ticket".into(), path: vec!["waited".into()] };
    /// // Declared once, read in both rules' requirements and messages.
    /// assert_eq!(index.references(&waited).filter(|o| !o.declaration).count(), 4);
    /// let branch = Symbol::Rule { code: "Branch".into(), id: "quick".into() };
    /// assert_eq!(index.replaced(&branch), Some(&Symbol::Rule { code: "House".into(), id: "quick".into() }));
    /// ```
    pub fn build(files: &[PolicyFile]) -> Index {
        let mut ix = Index::default();
        for (i, f) in files.iter().enumerate() {
            ix.files.push(f.source.clone());
            for s in &f.schemas {
                ix.schema(i, &f.source, s);
            }
            for c in &f.calendars {
                ix.calendar(i, c);
            }
        }
        // Precept's own schemas, for rules over roles and staff, unless the policies declare one
        // of the same name.
        let builtin = SourceFile::new(super::BUILTIN_NAME, super::BUILTIN_SCHEMAS);
        if let (Some(tree), _) = crate::syntax::parse(&builtin) {
            let file = ix.files.len();
            ix.files.push(builtin.clone());
            for s in &tree.schemas {
                if !ix.by_symbol.contains_key(&Symbol::Schema(s.name.text.clone())) {
                    ix.schema(file, &builtin, s);
                }
            }
        }
        let codes: Vec<(usize, &Code)> =
            files.iter().enumerate().flat_map(|(i, f)| f.codes.iter().map(move |c| (i, c))).collect();
        for &(i, code) in &codes {
            ix.code(i, code);
        }
        for &(i, code) in &codes {
            ix.code_body(i, code);
        }
        ix.overrides(&codes);
        ix
    }

    /// The declaration of `symbol`, if it is declared.
    pub fn definition(&self, symbol: &Symbol) -> Option<&Def> {
        self.by_symbol.get(symbol).and_then(|&i| self.defs.get(i))
    }

    /// Every place naming `symbol`, its declaration included.
    pub fn references<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences.iter().filter(move |o| o.symbol == *symbol)
    }

    /// The innermost name at byte `offset` of file `file` (a cursor just after a name is on it).
    pub fn at(&self, file: usize, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.file == file && o.span.start <= offset && offset <= o.span.end)
            .min_by_key(|o| o.span.len())
    }

    /// For an override, the rule it replaces (in the nearest ancestor code declaring that id).
    pub fn replaced(&self, rule: &Symbol) -> Option<&Symbol> {
        self.replaces.get(rule)
    }

    /// The rules that override `rule` directly.
    pub fn overridden_by<'a>(&'a self, rule: &'a Symbol) -> impl Iterator<Item = &'a Symbol> + 'a {
        self.replaces.iter().filter(move |(_, parent)| *parent == rule).map(|(child, _)| child)
    }

    /// The fields directly inside `path` of `schema` (the top-level fields for an empty path).
    pub fn fields<'a>(&'a self, schema: &'a str, path: &'a [String]) -> impl Iterator<Item = &'a Def> + 'a {
        self.defs.iter().filter(move |d| match &d.symbol {
            Symbol::Field { schema: s, path: p } => s == schema && p.len() == path.len() + 1 && p.starts_with(path),
            _ => false,
        })
    }

    /// The innermost rule declared around byte `offset` of file `file`.
    pub fn rule_at(&self, file: usize, offset: usize) -> Option<&Def> {
        self.defs
            .iter()
            .filter(|d| d.file == file && matches!(d.symbol, Symbol::Rule { .. }))
            .find(|d| d.span.start <= offset && offset <= d.span.end)
    }

    fn declare(&mut self, symbol: Symbol, file: usize, name: Span, span: Span, detail: Detail) {
        self.occurrences.push(Occurrence { symbol: symbol.clone(), file, span: name, declaration: true });
        // The first declaration wins, as in the checker (a second one is its error).
        if !self.by_symbol.contains_key(&symbol) {
            self.by_symbol.insert(symbol.clone(), self.defs.len());
        }
        self.defs.push(Def { symbol, file, name, span, detail });
    }

    fn name(&mut self, symbol: Symbol, file: usize, span: Span) {
        if self.by_symbol.contains_key(&symbol) {
            self.occurrences.push(Occurrence { symbol, file, span, declaration: false });
        }
    }

    fn schema(&mut self, file: usize, source: &SourceFile, s: &ast::Schema) {
        let detail =
            Detail::Schema { fields: s.fields.len(), identified_by: s.identified_by.as_ref().map(|n| n.text.clone()) };
        self.declare(Symbol::Schema(s.name.text.clone()), file, s.name.span, s.span, detail);
        self.fields_of(file, source, &s.name.text, &[], &s.fields);
        for by in [&s.identified_by, &s.dated_by, &s.staff_by, &s.team_by].into_iter().flatten() {
            let symbol = Symbol::Field { schema: s.name.text.clone(), path: vec![by.text.clone()] };
            self.name(symbol, file, by.span);
        }
    }

    fn fields_of(&mut self, file: usize, source: &SourceFile, schema: &str, parent: &[String], fields: &[FieldDecl]) {
        for f in fields {
            let mut path = parent.to_vec();
            path.push(f.name.text.clone());
            let detail = Detail::Field {
                ty: type_text(source, &f.ty),
                optional: f.optional,
                column: f.column.as_ref().map(|c| c.value.clone()),
                variants: variants(&f.ty),
            };
            let symbol = Symbol::Field { schema: schema.to_string(), path: path.clone() };
            self.declare(symbol, file, f.name.span, f.span, detail);
            if let Some(inner) = object_fields(&f.ty) {
                self.fields_of(file, source, schema, &path, inner);
            }
        }
    }

    fn calendar(&mut self, file: usize, c: &ast::CalendarDecl) {
        let detail = match &c.body {
            CalendarBody::File(path) => Detail::Calendar { file: Some(path.value.clone()), zone: None },
            CalendarBody::Inline { zone, .. } => {
                Detail::Calendar { file: None, zone: zone.as_ref().map(|z| z.value.clone()) }
            }
        };
        self.declare(Symbol::Calendar(c.name.text.clone()), file, c.name.span, c.span, detail);
    }

    fn code(&mut self, file: usize, code: &Code) {
        let detail = Detail::Code {
            level: code.level.map(|(l, _)| l),
            extends: code.extends.as_ref().map(|e| e.value.clone()),
            version: code.version.as_ref().map(|v| v.value.clone()),
            source: code.source.as_ref().map(|s| s.value.clone()),
            clauses: code
                .clauses
                .iter()
                .map(|c| (c.id.value.clone(), c.title.as_ref().map(|t| t.value.clone()), c.span))
                .collect(),
        };
        self.declare(Symbol::Code(code.name.value.clone()), file, inside_quotes(code.name.span), code.span, detail);
    }

    fn code_body(&mut self, file: usize, code: &Code) {
        let name = &code.name.value;
        if let Some(parent) = &code.extends {
            self.name(Symbol::Code(parent.value.clone()), file, inside_quotes(parent.span));
        }
        if let Some(cal) = &code.calendar {
            self.name(Symbol::Calendar(cal.text.clone()), file, cal.span);
        }
        // A code's own `let`s and `define`s are shared by its rules: their fields are those of the
        // schema its rules judge (the first rule's, when they judge several).
        let schema = code.rules.iter().find_map(|r| r.scope.as_ref().map(|s| s.schema.text.clone()));
        let cx = Cx { file, schema, vars: Vec::new() };
        for d in &code.definitions {
            self.definition_body(&cx, d);
        }
        for rule in &code.rules {
            self.rule(file, name, rule);
        }
    }

    fn definition_body(&mut self, cx: &Cx, d: &Definition) {
        let mut cx = cx.clone();
        for p in d.params.iter().flatten() {
            cx.vars.push((p.text.clone(), None));
        }
        self.expr(&cx, &d.value);
    }

    fn rule(&mut self, file: usize, code: &str, rule: &Rule) {
        let schema = rule.scope.as_ref().map(|s| s.schema.text.clone());
        let detail = Detail::Rule {
            title: rule.title.as_ref().map(|t| t.value.clone()),
            cite: rule.cite.as_ref().map(|c| c.value.clone()),
            severity: rule.severity.map(|(s, _)| s),
            help: rule.help.as_ref().map(|h| self.text(file, h.span)),
            schema: schema.clone(),
        };
        let symbol = Symbol::Rule { code: code.to_string(), id: rule.id.text.clone() };
        self.declare(symbol, file, rule.id.span, rule.span, detail);
        if let Some(cal) = &rule.calendar {
            self.name(Symbol::Calendar(cal.text.clone()), file, cal.span);
        }
        let cx = Cx { file, schema, vars: Vec::new() };
        if let Some(scope) = &rule.scope {
            self.name(Symbol::Schema(scope.schema.text.clone()), file, scope.schema.span);
            if let Some(filter) = &scope.filter {
                self.expr(&cx, filter);
            }
        }
        for d in &rule.lets {
            self.definition_body(&cx, d);
        }
        if let Some(group) = &rule.group {
            for (_, key) in &group.keys {
                self.expr(&cx, key);
            }
            if let Some(expect) = &group.expect {
                if let Some(cal) = &expect.calendar {
                    self.name(Symbol::Calendar(cal.text.clone()), file, cal.span);
                }
                self.expr(&cx, &expect.on);
            }
        }
        if let Some(seq) = &rule.sequence {
            self.expr(&cx, &seq.key);
            for event in &seq.events {
                let mut own = cx.clone();
                if let Some(schema) = &event.schema {
                    self.name(Symbol::Schema(schema.text.clone()), file, schema.span);
                    own.schema = Some(schema.text.clone());
                }
                for e in event.when.iter().chain([&event.at]).chain(event.key.iter()) {
                    self.expr(&own, e);
                }
            }
            if let Some((within, _)) = &seq.within {
                self.expr(&cx, within);
            }
            if let Some(until) = &seq.until {
                self.expr(&cx, &until.at);
            }
            if let Some((VersionBy::Field(e), _)) = &seq.version {
                self.expr(&cx, e);
            }
        }
        for e in &rule.requires {
            self.expr(&cx, e);
        }
        for template in rule.message.iter().chain(rule.help.iter()) {
            for part in &template.parts {
                if let TemplatePart::Hole(e) = part {
                    self.expr(&cx, e);
                }
            }
        }
    }

    fn text(&self, file: usize, span: Span) -> String {
        self.files.get(file).map(|f| f.slice(span).to_string()).unwrap_or_default()
    }

    fn expr(&mut self, cx: &Cx, e: &Expr) {
        match &e.kind {
            ExprKind::Path(names) => self.path(cx, names),
            ExprKind::BusinessDays(_, cal) => self.calendar_name(cx, cal.as_ref()),
            ExprKind::BusinessDaysOf(inner, cal) => {
                self.expr(cx, inner);
                self.calendar_name(cx, cal.as_ref());
            }
            ExprKind::BusinessBetween(a, b, cal) => {
                self.expr(cx, a);
                self.expr(cx, b);
                self.calendar_name(cx, cal.as_ref());
            }
            ExprKind::MonthsOf(inner, _) | ExprKind::DurationOf(inner, _) | ExprKind::Unary(_, inner) => {
                self.expr(cx, inner);
            }
            ExprKind::Presence(inner, _) => self.expr(cx, inner),
            ExprKind::Set(items) => items.iter().for_each(|i| self.expr(cx, i)),
            ExprKind::Binary(_, a, b) | ExprKind::Otherwise(a, b) => {
                self.expr(cx, a);
                self.expr(cx, b);
            }
            ExprKind::If(c, a, b) => {
                self.expr(cx, c);
                self.expr(cx, a);
                self.expr(cx, b);
            }
            ExprKind::Quantifier(_, var, list, cond) => {
                self.expr(cx, list);
                let inner = cx.binding(var, list);
                self.expr(&inner, cond);
            }
            ExprKind::Count(var, list, cond) => {
                self.expr(cx, list);
                match (var, cond) {
                    (Some(var), Some(cond)) => {
                        let inner = cx.binding(var, list);
                        self.expr(&inner, cond);
                    }
                    (_, Some(cond)) => self.expr(cx, cond),
                    _ => {}
                }
            }
            ExprKind::Call(_, args) => {
                for a in args {
                    // A date function's last argument may name a calendar.
                    match &a.kind {
                        ExprKind::Path(names) if names.len() == 1 && !cx.bound(&names[0].text) => {
                            let symbol = Symbol::Calendar(names[0].text.clone());
                            if self.by_symbol.contains_key(&symbol) {
                                self.name(symbol, cx.file, names[0].span);
                            }
                        }
                        _ => self.expr(cx, a),
                    }
                }
            }
            ExprKind::Integer(_)
            | ExprKind::Decimal(_)
            | ExprKind::Money(..)
            | ExprKind::Text(_)
            | ExprKind::Bool(_)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::Duration(_)
            | ExprKind::Months(_)
            | ExprKind::CountAll
            | ExprKind::Percent(_)
            | ExprKind::Now => {}
        }
    }

    fn calendar_name(&mut self, cx: &Cx, cal: Option<&ast::Name>) {
        if let Some(cal) = cal {
            self.name(Symbol::Calendar(cal.text.clone()), cx.file, cal.span);
        }
    }

    /// `record.a.b` (or `opening.a.b`) against the rule's schema; `x.a` against the list `x`
    /// ranges over.
    fn path(&mut self, cx: &Cx, names: &[ast::Name]) {
        let Some((head, rest)) = names.split_first() else { return };
        let (schema, prefix) = match cx.vars.iter().rev().find(|(v, _)| *v == head.text) {
            Some((_, Some(bound))) => (bound.0.clone(), bound.1.clone()),
            Some((_, None)) => return,
            None if head.text == "record" || head.text == "opening" => match &cx.schema {
                Some(s) => (s.clone(), Vec::new()),
                None => return,
            },
            None => return,
        };
        let mut path = prefix;
        for n in rest {
            path.push(n.text.clone());
            let symbol = Symbol::Field { schema: schema.clone(), path: path.clone() };
            if !self.by_symbol.contains_key(&symbol) {
                return;
            }
            self.name(symbol, cx.file, n.span);
        }
    }

    /// Link each override to the rule it replaces: the same id in the nearest ancestor code.
    fn overrides(&mut self, codes: &[(usize, &Code)]) {
        let by_name: HashMap<&str, &Code> = codes.iter().map(|(_, c)| (c.name.value.as_str(), *c)).rev().collect();
        for (_, code) in codes {
            for rule in &code.rules {
                let mut seen = HashSet::new();
                let mut parent = code.extends.as_ref().map(|e| e.value.as_str());
                while let Some(name) = parent {
                    if !seen.insert(name) {
                        break;
                    }
                    let Some(p) = by_name.get(name) else { break };
                    if p.rules.iter().any(|r| r.id.text == rule.id.text) {
                        let own = Symbol::Rule { code: code.name.value.clone(), id: rule.id.text.clone() };
                        let replaced = Symbol::Rule { code: name.to_string(), id: rule.id.text.clone() };
                        self.replaces.insert(own, replaced);
                        break;
                    }
                    parent = p.extends.as_ref().map(|e| e.value.as_str());
                }
            }
        }
    }
}

/// What names mean where an expression is: the file, the schema `record` is, and the elements
/// bound by quantifiers and parameters (with the field path of the list they range over, when
/// known).
#[derive(Debug, Clone)]
struct Cx {
    file: usize,
    schema: Option<String>,
    vars: Vec<(String, Option<FieldAt>)>,
}

/// A field path in a schema: what a bound element stands for.
type FieldAt = (String, Vec<String>);

impl Cx {
    fn bound(&self, name: &str) -> bool {
        self.vars.iter().any(|(v, _)| v == name)
    }

    /// This context with `var` bound to the elements of `list` (a field path when `list` is one).
    fn binding(&self, var: &ast::Name, list: &Expr) -> Cx {
        let target = match &list.kind {
            ExprKind::Path(names) => names.split_first().and_then(|(head, rest)| {
                let rest: Vec<String> = rest.iter().map(|n| n.text.clone()).collect();
                match self.vars.iter().rev().find(|(v, _)| *v == head.text) {
                    Some((_, Some((schema, prefix)))) => {
                        Some((schema.clone(), prefix.iter().cloned().chain(rest).collect()))
                    }
                    Some((_, None)) => None,
                    None if head.text == "record" || head.text == "opening" => self.schema.clone().map(|s| (s, rest)),
                    None => None,
                }
            }),
            _ => None,
        };
        let mut cx = self.clone();
        cx.vars.push((var.text.clone(), target));
        cx
    }
}

/// A quoted name's span without its quotes.
fn inside_quotes(span: Span) -> Span {
    if span.len() >= 2 {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}

/// The fields of an object type, or of a list of objects.
fn object_fields(ty: &TypeExpr) -> Option<&[FieldDecl]> {
    match ty {
        TypeExpr::Object(fields, _) => Some(fields),
        TypeExpr::List(inner, _) => object_fields(inner),
        _ => None,
    }
}

/// The values of an enumeration, or of a list of one.
fn variants(ty: &TypeExpr) -> Vec<String> {
    match ty {
        TypeExpr::Enum(values, _) => values.iter().map(|v| v.name.text.clone()).collect(),
        TypeExpr::List(inner, _) => variants(inner),
        _ => Vec::new(),
    }
}

/// A type as written, an object shortened to its field names.
fn type_text(source: &SourceFile, ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Object(fields, _) => {
            let names: Vec<&str> = fields.iter().map(|f| f.name.text.as_str()).collect();
            format!("{{ {} }}", names.join(", "))
        }
        TypeExpr::List(inner, _) => format!("list of {}", type_text(source, inner)),
        TypeExpr::Scalar(_, span) | TypeExpr::Money(_, span) | TypeExpr::Enum(_, span) => {
            source.slice(*span).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> Index {
        let (tree, diags) = crate::syntax::parse(&SourceFile::new("p.precept", text));
        assert!(diags.is_empty(), "{diags:?}");
        Index::build(&tree.into_iter().collect::<Vec<_>>())
    }

    const POLICY: &str = r#"
calendar uk { zone "Europe/London" working mon, tue }
schema ticket {
  identified by id
  id: text
  customer: { kind: enum { external, internal } }
  actions: list of { kind: text }
}
code "House" { level industry calendar uk
  rule r1 { for ticket require all(a in record.actions: a.kind != "x") and record.customer.kind == external
    message "m {record.id}" }
}
code "Branch" { level organisational extends "House"
  rule r1 { for ticket require record.id != "" message "m" }
}
"#;

    #[test]
    fn fields_of_bound_elements_and_nested_objects_are_resolved() {
        let ix = index(POLICY);
        let kind = Symbol::Field { schema: "ticket".into(), path: vec!["actions".into(), "kind".into()] };
        let uses: Vec<&str> =
            ix.references(&kind).filter(|o| !o.declaration).map(|o| ix.files[o.file].slice(o.span)).collect();
        assert_eq!(uses, ["kind"]);
        let nested = Symbol::Field { schema: "ticket".into(), path: vec!["customer".into(), "kind".into()] };
        assert_eq!(ix.references(&nested).count(), 2);
        let Some(Detail::Field { variants, .. }) = ix.definition(&nested).map(|d| &d.detail) else { panic!("a field") };
        assert_eq!(variants, &["external", "internal"]);
        // `identified by id` names the field.
        let id = Symbol::Field { schema: "ticket".into(), path: vec!["id".into()] };
        assert_eq!(ix.references(&id).filter(|o| !o.declaration).count(), 3);
    }

    #[test]
    fn codes_calendars_and_overrides_are_linked() {
        let ix = index(POLICY);
        let house = Symbol::Code("House".into());
        let places: Vec<&str> = ix.references(&house).map(|o| ix.files[o.file].slice(o.span)).collect();
        assert_eq!(places, ["House", "House"]);
        assert_eq!(ix.references(&Symbol::Calendar("uk".into())).count(), 2);
        let parent = Symbol::Rule { code: "House".into(), id: "r1".into() };
        let children: Vec<&Symbol> = ix.overridden_by(&parent).collect();
        assert_eq!(children, [&Symbol::Rule { code: "Branch".into(), id: "r1".into() }]);
        assert_eq!(ix.replaced(&parent), None);
        let at = POLICY.find("rule r1").map(|i| i + 6).unwrap_or(0);
        assert_eq!(ix.at(0, at).map(|o| &o.symbol), Some(&parent));
        assert!(ix.rule_at(0, at).is_some());
    }
}
