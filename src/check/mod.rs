//! Syntax trees to a checked, compiled [`Program`]: names resolved, types checked, paths made slots.
//!
//! Every problem found is collected (never only the first); a program is returned only when there
//! are no errors, so the engine never runs a policy that could misbehave. Warnings (an unused field,
//! a comparison that can never hold) come with the program.

mod expr;
mod group;
pub mod layers;
pub mod strictness;

use std::collections::HashMap;

use crate::ast::{self, CalendarBody, PolicyFile, TypeExpr};
use crate::calendar::Calendar;
use crate::diagnostics::{suggest, Diag};
use crate::engine::program::{CodeInfo, CompiledRule, EventSpec, MsgPart, Override, SchemaInfo};
use crate::engine::types::{Currency, EnumDef, Field, Shape, ShapeId, Ty};
use crate::engine::{format, Program};
use crate::source::{SourceFile, Span};

/// Stands for a calendar a code named but that is not declared (already reported), so that uses of
/// business days in that code are not reported a second time.
const UNKNOWN_CALENDAR: usize = usize::MAX;

/// The name shown for Precept's own declarations.
pub const BUILTIN_NAME: &str = "<built-in>";

/// Precept's own schemas, for rules over job roles and staff (`for role`, `for staff`); filled from
/// role files (see `precept lint`) rather than record files. A policy may declare its own schema of
/// either name instead.
pub const BUILTIN_SCHEMAS: &str = r#"
schema role {
  identified by id
  id: text
  title: text
  department: text?
  top: boolean
  escalates_to: text?
  requires: list of text
  trained_in: list of text
  may: list of { action: text }
}
schema staff {
  identified by id
  id: text
  name: text
  team: text?
  employed_from: date
  employed_until: date?
  roles: list of { role: text, from: date, until: date? }
  qualifications: list of { id: text, issued: date, expires: date? }
  training: list of { area: text, completed: date }
}
"#;

/// Reads files that policies refer to (calendar files), confined to the policy root by the caller.
pub trait Loader {
    /// Load `path`, written in `from`, as a source file; `Err` is a one-line reason.
    fn load(&self, from: &SourceFile, path: &str) -> Result<SourceFile, String>;

    /// A file to define calendar `name` with instead of what the policies say (a project's
    /// settings); `None` to use the policies' own definition.
    fn calendar(&self, _name: &str) -> Option<Result<SourceFile, String>> {
        None
    }
}

/// A loader that refuses every file: for policies that must be self-contained.
pub struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, _from: &SourceFile, path: &str) -> Result<SourceFile, String> {
        Err(format!("cannot read `{path}` here"))
    }
}

/// Check parsed policy files and compile them.
///
/// ```
/// use precept::source::SourceFile;
/// let text = r#"
///   schema ticket { id: text  identified by id  waited: duration }
///   code "House rules" {
///     level organisational
///     rule quick { for ticket require record.waited <= 5m message "waited {record.waited}" }
///   }"#;
/// let file = SourceFile::new("house.precept", text);
/// let (tree, _) = precept::syntax::parse(&file);
/// let (program, diags) = precept::check::check(&tree.into_iter().collect::<Vec<_>>(), &precept::check::NoFiles);
/// assert!(diags.is_empty(), "{diags:?}");
/// assert_eq!(program.map(|p| p.rules.len()), Some(1));
/// ```
pub fn check(files: &[PolicyFile], loader: &dyn Loader) -> (Option<Program>, Vec<Diag>) {
    let mut c = Checker::default();
    for f in files {
        for s in &f.schemas {
            c.schema(&f.source, s);
        }
    }
    let builtin = SourceFile::new(BUILTIN_NAME, BUILTIN_SCHEMAS);
    if let (Some(tree), _) = crate::syntax::parse(&builtin) {
        for s in &tree.schemas {
            if !c.schema_names.contains_key(&s.name.text) {
                c.schema(&builtin, s);
            }
        }
    }
    for f in files {
        for cal in &f.calendars {
            c.calendar(&f.source, cal, loader);
        }
    }
    let mut seen_rules: HashMap<String, Vec<Seen>> = HashMap::new();
    let codes: Vec<(&SourceFile, &ast::Code)> =
        files.iter().flat_map(|f| f.codes.iter().map(move |code| (&f.source, code))).collect();
    let order = layers::order(&codes, &mut c.diags);
    let parents: Vec<Option<usize>> = order.iter().map(|&(_, p)| p).collect();
    c.lineage = layers::Lineage::new(&parents);
    for (i, parent) in order {
        if let Some((file, code)) = codes.get(i) {
            // INVARIANT: the lineage was built from this order, so positions are `c.codes` indices.
            debug_assert_eq!(parent.map(|p| p < c.codes.len()), parent.map(|_| true));
            c.code(file, code, &mut seen_rules);
        }
    }
    c.drop_suspended();
    let has_errors = c.diags.iter().any(Diag::is_error);
    // A rule with errors may not have read all its fields: only a clean policy's unused fields are real.
    if !has_errors {
        c.unused_fields();
    }
    let mut diags = c.diags;
    crate::diagnostics::sort(&mut diags);
    if has_errors {
        return (None, diags);
    }
    let program = Program {
        shapes: c.shapes,
        enums: c.enums,
        schemas: c.schemas,
        calendars: c.calendars,
        codes: c.codes,
        rules: c.rules,
        redacting: false,
        redacted: Vec::new(),
        redacted_names: Vec::new(),
    };
    (Some(program), diags)
}

/// The first and last day something is in force, both included; `None` is unbounded.
pub type Range = (Option<jiff::civil::Date>, Option<jiff::civil::Date>);

/// A rule id already declared: where, in which code, the days its own `effective` gives, and the
/// rule itself (compiled, when it compiled), for overrides in extending codes.
struct Seen<'a> {
    file: SourceFile,
    span: Span,
    code: usize,
    range: Option<Range>,
    /// The days it is in force, its code's days included.
    in_force: Option<Range>,
    rule: &'a ast::Rule,
    compiled: Option<usize>,
}

fn overlaps(a: Range, b: Range) -> bool {
    let starts_before_end = |x: Range, y: Range| match (x.0, y.1) {
        (Some(from), Some(until)) => from <= until,
        _ => true,
    };
    starts_before_end(a, b) && starts_before_end(b, a)
}

fn intersect(a: Range, b: Range) -> Range {
    let from = match (a.0, b.0) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let until = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    (from, until)
}

#[derive(Default)]
struct Checker {
    diags: Vec<Diag>,
    shapes: Vec<Shape>,
    enums: Vec<EnumDef>,
    schemas: Vec<SchemaInfo>,
    schema_names: HashMap<String, usize>,
    calendars: Vec<Calendar>,
    calendar_names: HashMap<String, (usize, SourceFile, Span)>,
    codes: Vec<CodeInfo>,
    /// Which code extends which, directly or not, by index into `codes`.
    lineage: layers::Lineage,
    /// Rules overridden on every day, to take out of the schemas' lists at the end.
    withdrawn: std::collections::HashSet<usize>,
    /// Per rule id, how many of its earlier versions are withdrawn already (a prefix: each override
    /// withdraws every version it inherits), so a chain of overrides does not withdraw them again.
    settled: HashMap<String, usize>,
    rules: Vec<CompiledRule>,
}

impl Checker {
    // ------------------------------------------------------------ schemas

    fn schema(&mut self, file: &SourceFile, s: &ast::Schema) {
        if let Some(&prev) = self.schema_names.get(&s.name.text) {
            let (pf, ps) = self.schemas.get(prev).map(|p| (p.file.clone(), p.span)).unwrap_or((file.clone(), s.span));
            self.diags.push(
                Diag::error("precept::type::duplicate-name", format!("schema `{}` is declared twice", s.name.text))
                    .at(file, s.name.span, "declared again here")
                    .note(&pf, ps, "first declared here")
                    .help("rename one of them; schema names are shared by every policy file"),
            );
            return;
        }
        let shape = self.shape(file, &s.name.text, &s.fields, "");
        let mut id_field = None;
        if let Some(id) = &s.identified_by {
            match self.shapes.get(shape).and_then(|sh| sh.slot(&id.text)) {
                Some(slot) => {
                    let list = matches!(
                        self.shapes.get(shape).and_then(|sh| sh.fields.get(slot)).map(|f| &f.ty),
                        Some(Ty::List(_) | Ty::Object(_))
                    );
                    if list {
                        self.diags.push(
                            Diag::error("precept::type::mismatch", format!("`{}` cannot identify a record", id.text))
                                .at(file, id.span, "a list or object")
                                .help("identify records by a text or number field"),
                        );
                    }
                    if let Some(f) = self.shapes.get_mut(shape).and_then(|sh| sh.fields.get_mut(slot)) {
                        f.used = true;
                    }
                    id_field = Some(slot);
                }
                None => {
                    let names = self.field_names(shape);
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    self.diags.push(
                        Diag::error(
                            "precept::type::unknown-field",
                            format!("unknown field `{}` on schema `{}`", id.text, s.name.text),
                        )
                        .at(file, id.span, "not a field of this schema")
                        .help(suggest::help(&id.text, &names, "field")),
                    );
                }
            }
        }
        let mut date_field = None;
        if let Some(d) = &s.dated_by {
            let slot = self.shapes.get(shape).and_then(|sh| sh.slot(&d.text));
            let field = slot.and_then(|i| self.shapes.get(shape).and_then(|sh| sh.fields.get(i)));
            match field {
                Some(f) if matches!(f.ty, Ty::Date | Ty::DateTime) && !f.optional => date_field = slot,
                Some(_) => self.diags.push(
                    Diag::error("precept::type::mismatch", format!("`{}` cannot date a record", d.text))
                        .at(file, d.span, "not a date or datetime that is always present")
                        .help("date records by a `date` or `datetime` field without `?`, such as the day a case was opened"),
                ),
                None => {
                    let names = self.field_names(shape);
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    self.diags.push(
                        Diag::error("precept::type::unknown-field", format!("unknown field `{}` on schema `{}`", d.text, s.name.text))
                            .at(file, d.span, "not a field of this schema")
                            .help(suggest::help(&d.text, &names, "field")),
                    );
                }
            }
            if let Some(f) = date_field.and_then(|i| self.shapes.get_mut(shape).and_then(|sh| sh.fields.get_mut(i))) {
                f.used = true;
            }
        }
        let staff_field = s
            .staff_by
            .as_ref()
            .and_then(|n| self.text_field(file, shape, &s.name.text, n, "name the member of staff a record is about"));
        let team_field = s
            .team_by
            .as_ref()
            .and_then(|n| self.text_field(file, shape, &s.name.text, n, "name the team a record is about"));
        for g in &s.files {
            if let Err(e) = crate::glob::compile(&g.value) {
                self.diags.push(
                    Diag::error(
                        "precept::type::invalid-glob",
                        format!("invalid file pattern `{}`", crate::glob::shown(&g.value)),
                    )
                    .at(file, g.span, e.to_string())
                    .help("patterns are globs such as `*.jsonl` or `helpdesk/**/*.csv`"),
                );
            }
        }
        self.schema_names.insert(s.name.text.clone(), self.schemas.len());
        self.schemas.push(SchemaInfo {
            name: s.name.text.clone(),
            shape,
            files: s.files.iter().map(|g| g.value.clone()).collect(),
            id_field,
            id_redacted: false,
            date_field,
            staff_field,
            team_field,
            rules: Vec::new(),
            group_rules: Vec::new(),
            builtin: file.name.as_ref() == BUILTIN_NAME,
            file: file.clone(),
            span: s.name.span,
        });
    }

    /// The slot of a text field named by a schema clause (`staff by`, `team by`), reported when it
    /// is not one. The field counts as read: waivers match on it.
    fn text_field(
        &mut self,
        file: &SourceFile,
        shape: ShapeId,
        schema: &str,
        n: &ast::Name,
        what: &str,
    ) -> Option<usize> {
        let slot = self.shapes.get(shape).and_then(|sh| sh.slot(&n.text));
        let Some(slot) = slot else {
            let names = self.field_names(shape);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            self.diags.push(
                Diag::error("precept::type::unknown-field", format!("unknown field `{}` on schema `{schema}`", n.text))
                    .at(file, n.span, "not a field of this schema")
                    .help(suggest::help(&n.text, &names, "field")),
            );
            return None;
        };
        let field = self.shapes.get_mut(shape).and_then(|sh| sh.fields.get_mut(slot))?;
        if field.ty != Ty::Text {
            self.diags.push(
                Diag::error("precept::type::mismatch", format!("`{}` cannot {what}", n.text))
                    .at(file, n.span, "not a text field")
                    .help("name a text field, such as the staff id of the person who handled the record"),
            );
            return None;
        }
        field.used = true;
        Some(slot)
    }

    /// The schema `name` names, reported (with "did you mean") when there is none.
    fn schema_named(&mut self, file: &SourceFile, name: &ast::Name) -> Option<usize> {
        if let Some(&i) = self.schema_names.get(&name.text) {
            return Some(i);
        }
        let mut names: Vec<&str> = self.schema_names.keys().map(String::as_str).collect();
        names.sort_unstable();
        let help = suggest::help(&name.text, &names, "schema");
        self.diags.push(
            Diag::error("precept::type::unknown-schema", format!("unknown schema `{}`", name.text))
                .at(file, name.span, "no schema of this name")
                .help(help),
        );
        None
    }

    fn field_names(&self, shape: ShapeId) -> Vec<String> {
        self.shapes.get(shape).map(|s| s.fields.iter().map(|f| f.name.clone()).collect()).unwrap_or_default()
    }

    fn shape(&mut self, file: &SourceFile, owner: &str, fields: &[ast::FieldDecl], prefix: &str) -> ShapeId {
        let id = self.shapes.len();
        self.shapes.push(Shape { fields: Vec::new() });
        let mut out: Vec<Field> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for f in fields {
            if let Some(first) = seen.get(f.name.text.as_str()) {
                self.diags.push(
                    Diag::error(
                        "precept::type::duplicate-field",
                        format!("field `{}` is declared twice in `{owner}`", f.name.text),
                    )
                    .at(file, f.name.span, "declared again here")
                    .label(*first, "first declared here")
                    .help("remove one of the declarations"),
                );
                continue;
            }
            seen.insert(&f.name.text, f.name.span);
            let path = if prefix.is_empty() { f.name.text.clone() } else { format!("{prefix}.{}", f.name.text) };
            let ty = self.type_expr(file, owner, &f.ty, &path);
            let column = f.column.as_ref().map_or_else(|| path.clone(), |c| c.value.clone());
            out.push(Field {
                name: f.name.text.clone(),
                ty,
                optional: f.optional,
                column,
                used: false,
                file: file.clone(),
                span: f.name.span,
            });
        }
        if let Some(s) = self.shapes.get_mut(id) {
            s.fields = out;
        }
        id
    }

    fn type_expr(&mut self, file: &SourceFile, owner: &str, t: &TypeExpr, path: &str) -> Ty {
        match t {
            TypeExpr::Scalar(s, _) => match s {
                ast::ScalarType::Text => Ty::Text,
                ast::ScalarType::Integer => Ty::Int,
                ast::ScalarType::Decimal => Ty::Dec,
                ast::ScalarType::Boolean => Ty::Bool,
                ast::ScalarType::Date => Ty::Date,
                ast::ScalarType::DateTime => Ty::DateTime,
                ast::ScalarType::Duration => Ty::Duration,
            },
            TypeExpr::Money(cur, span) => match Currency::parse(&cur.text) {
                Some(c) => Ty::Money(c),
                None => {
                    self.diags.push(
                        Diag::error("precept::type::invalid-literal", format!("`{}` is not a currency code", cur.text))
                            .at(file, *span, "expected three capital letters")
                            .help("write an ISO 4217 code such as `GBP`, `EUR` or `USD`"),
                    );
                    Ty::Money(Currency(*b"XXX"))
                }
            },
            TypeExpr::Enum(variants, _) => {
                let mut names: Vec<String> = Vec::new();
                for v in variants {
                    if names.contains(&v.text) {
                        self.diags.push(
                            Diag::error(
                                "precept::type::duplicate-field",
                                format!("enumeration value `{}` is listed twice", v.text),
                            )
                            .at(file, v.span, "listed again here")
                            .help("remove the repeated value"),
                        );
                    } else {
                        names.push(v.text.clone());
                    }
                }
                self.enums.push(EnumDef { variants: names });
                Ty::Enum(self.enums.len() - 1)
            }
            TypeExpr::List(inner, _) => Ty::List(Box::new(self.type_expr(file, owner, inner, path))),
            TypeExpr::Object(fields, _) => Ty::Object(self.shape(file, owner, fields, path)),
        }
    }

    // ------------------------------------------------------------ calendars

    fn calendar(&mut self, file: &SourceFile, cal: &ast::CalendarDecl, loader: &dyn Loader) {
        if let Some((_, pf, ps)) = self.calendar_names.get(&cal.name.text) {
            let (pf, ps) = (pf.clone(), *ps);
            self.diags.push(
                Diag::error("precept::type::duplicate-name", format!("calendar `{}` is declared twice", cal.name.text))
                    .at(file, cal.name.span, "declared again here")
                    .note(&pf, ps, "first declared here")
                    .help("rename one of them; calendar names are shared by every policy file"),
            );
            return;
        }
        let built = match (loader.calendar(&cal.name.text), &cal.body) {
            (Some(src), _) => src.and_then(|src| Calendar::from_toml(&src.text).map_err(|e| format!("{}: {e}", src.name))).map_err(|e| {
                Diag::error("precept::type::invalid-calendar", format!("the settings' file for calendar `{}` cannot be used", cal.name.text))
                    .at(file, cal.name.span, e)
                    .help("the file named under `[calendars]` in the settings has `zone`, `working_days`, and optionally `cutoff` and `holidays`")
            }),
            (None, CalendarBody::File(path)) => match loader.load(file, &path.value) {
                Ok(src) => Calendar::from_toml(&src.text).map_err(|e| {
                    Diag::error("precept::type::invalid-calendar", format!("invalid calendar file `{}`", path.value))
                        .at(file, path.span, e)
                        .help("a calendar file has `zone`, `working_days`, and optionally `cutoff` and `holidays`")
                }),
                Err(e) => Err(Diag::error(
                    "precept::type::invalid-calendar",
                    format!("cannot read calendar file `{}`", path.value),
                )
                .at(file, path.span, e)
                .help("calendar files are found relative to the policy file, inside the policy folder")),
            },
            (None, CalendarBody::Inline { zone, working, cutoff, holidays }) => {
                self.inline_calendar(file, cal, zone.as_ref(), working, cutoff.as_ref(), holidays)
            }
        };
        match built {
            Ok(c) => {
                self.calendar_names.insert(cal.name.text.clone(), (self.calendars.len(), file.clone(), cal.name.span));
                self.calendars.push(c);
            }
            Err(d) => {
                // Known by name, so a code using it is not also told the calendar does not exist.
                self.calendar_names.insert(cal.name.text.clone(), (UNKNOWN_CALENDAR, file.clone(), cal.name.span));
                self.diags.push(d);
            }
        }
    }

    fn inline_calendar(
        &mut self,
        file: &SourceFile,
        cal: &ast::CalendarDecl,
        zone: Option<&ast::Str>,
        working: &[ast::Name],
        cutoff: Option<&ast::Name>,
        holidays: &[ast::Name],
    ) -> Result<Calendar, Diag> {
        let help = "a calendar has `zone \"Europe/London\"`, `working mon, tue, wed, thu, fri`, optionally `cutoff 17:00` and `holidays 2024-12-25, ...`";
        let Some(zone) = zone else {
            return Err(Diag::error(
                "precept::type::invalid-calendar",
                format!("calendar `{}` has no `zone`", cal.name.text),
            )
            .at(file, cal.name.span, "needs a time zone")
            .help(help));
        };
        let mut dates = Vec::new();
        for h in holidays {
            match h.text.parse::<jiff::civil::Date>() {
                Ok(d) => dates.push(d),
                Err(_) => {
                    return Err(Diag::error("precept::type::invalid-literal", format!("`{}` is not a date", h.text))
                        .at(file, h.span, "not a real date")
                        .help("write dates as `YYYY-MM-DD`"))
                }
            }
        }
        let days: Vec<&str> = working.iter().map(|w| w.text.as_str()).collect();
        Calendar::new(&zone.value, &days, cutoff.map(|c| c.text.as_str()), &dates).map_err(|e| {
            use crate::calendar::CalendarError as E;
            let span = match &e {
                E::UnknownZone(_) => zone.span,
                E::BadCutoff(_) => cutoff.map_or(cal.name.span, |c| c.span),
                E::BadWeekday(w) => {
                    working.iter().find(|x| x.text.trim() == w.trim()).map_or(cal.name.span, |x| x.span)
                }
                _ => cal.name.span,
            };
            Diag::error("precept::type::invalid-calendar", format!("invalid calendar `{}`: {e}", cal.name.text))
                .at(file, span, e.to_string())
                .help(help)
        })
    }

    // ------------------------------------------------------------ codes and rules

    fn code<'a>(&mut self, file: &SourceFile, code: &'a ast::Code, seen: &mut HashMap<String, Vec<Seen<'a>>>) {
        let level = match code.level {
            Some((l, _)) => l,
            None => {
                self.diags.push(
                    Diag::error("precept::parse::missing-clause", format!("code `{}` has no `level`", code.name.value))
                        .at(file, code.name.span, "needs a level")
                        .help("add `level industry`, `level organisational`, `level professional` or `level ethical`"),
                );
                ast::CodeLevel::Organisational
            }
        };
        let calendar = match &code.calendar {
            Some(n) => match self.calendar_names.get(&n.text) {
                Some((i, _, _)) => Some(*i),
                None => {
                    let names: Vec<String> = self.calendar_names.keys().cloned().collect();
                    let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
                    names.sort_unstable();
                    self.diags.push(
                        Diag::error("precept::type::unknown-calendar", format!("unknown calendar `{}`", n.text))
                            .at(file, n.span, "no calendar of this name")
                            .help(suggest::help(&n.text, &names, "calendar")),
                    );
                    Some(UNKNOWN_CALENDAR)
                }
            },
            // A code that names none uses the only calendar declared (even a broken one, already reported).
            None if self.calendar_names.len() == 1 => self.calendar_names.values().next().map(|(i, _, _)| *i),
            None => None,
        };
        let code_index = self.codes.len();
        self.codes.push(CodeInfo {
            name: code.name.value.clone(),
            level,
            version: code.version.as_ref().map(|v| v.value.clone()),
            source: code.source.as_ref().map(|v| v.value.clone()),
            not_waivable: code.not_waivable.is_some(),
            file: file.clone(),
            span: code.name.span,
        });
        let code_range = code.effective.as_ref().and_then(|e| self.effective(file, e));
        for rule in &code.rules {
            let own = rule.effective.as_ref().map(|e| self.effective(file, e));
            if matches!(own, Some(None)) {
                continue;
            }
            let own = own.flatten();
            let earlier = seen.get(&rule.id.text).map(Vec::as_slice).unwrap_or_default();
            // Two rules may share an id only as versions (in the same code, each with its own
            // `effective` days, never both in force on one day) or as an override of a rule
            // inherited from a code this one extends.
            //
            // INVARIANT: every earlier version is of a code that is the last one's or above it (a
            // version is kept only when all before it are inherited or its own code's), so when the
            // last is above this code, all are; when it is this code, only the versions at the end
            // may clash. Looking at no more than that keeps a long chain of overrides linear.
            let lineage = &self.lineage;
            let skip = match earlier.last().map(|p| p.code) {
                Some(last) if lineage.is_ancestor(last, code_index) => earlier.len(),
                Some(last) if last == code_index => {
                    earlier.iter().rposition(|p| p.code != code_index).map_or(0, |i| i + 1)
                }
                _ => 0,
            };
            let mut clash = false;
            let others: Vec<&Seen> =
                earlier.iter().skip(skip).filter(|p| !lineage.is_ancestor(p.code, code_index)).collect();
            for prev in others {
                match (own, prev.range) {
                    (Some(a), Some(b)) if prev.code == code_index && !overlaps(a, b) => {}
                    (Some(a), Some(b)) if prev.code == code_index => {
                        clash = true;
                        self.diags.push(
                            Diag::error(
                                "precept::rule::overlapping-versions",
                                format!("two versions of rule `{}` are in force on the same days", rule.id.text),
                            )
                            .at(
                                file,
                                rule.effective.as_ref().map_or(rule.id.span, |e| e.span),
                                format!("in force {}", format::in_force(a)),
                            )
                            .note(&prev.file, prev.span, format!("also in force {}", format::in_force(b)))
                            .help("end the earlier version the day before the next one starts (`effective until ...`)"),
                        );
                    }
                    _ => {
                        clash = true;
                        self.diags.push(
                            Diag::error("precept::rule::duplicate-id", format!("rule id `{}` is used twice", rule.id.text))
                                .at(file, rule.id.span, "used again here")
                                .note(&prev.file, prev.span, "first used here")
                                .help("rule ids are stable names for findings and must be unique across all policy files; versions of one rule go in the same code, each with `effective from ... until ...`"),
                        );
                    }
                }
                if clash {
                    break;
                }
            }
            if clash {
                continue;
            }
            let range = match (own, code_range) {
                (Some(a), Some(b)) => Some(intersect(a, b)),
                (a, b) => a.or(b),
            };
            // The rule overridden is the nearest ancestor's with a version in force on some of the
            // override's days (a nearer one may define the rule only on other days).
            let days = range.unwrap_or((None, None));
            let in_force_then = |p: &&Seen| overlaps(p.in_force.unwrap_or((None, None)), days);
            // Versions further down the list are of codes further down the chain (the invariant
            // above), so the nearest is the last that is inherited; one code's versions are together.
            let inherited = |p: &&Seen| self.lineage.is_ancestor(p.code, code_index);
            let at = earlier
                .iter()
                .rposition(|p| inherited(&p) && in_force_then(&p))
                .or_else(|| earlier.iter().rposition(|p| inherited(&p)));
            let nearest = at.and_then(|i| earlier.get(i)).map(|p| p.code);
            let overridden: Vec<&Seen> = match (at, nearest) {
                (Some(i), Some(n)) => {
                    let from = earlier.get(..i).and_then(|e| e.iter().rposition(|p| p.code != n)).map_or(0, |k| k + 1);
                    earlier.iter().skip(from).take_while(|p| p.code == n).collect()
                }
                _ => Vec::new(),
            };
            // Versions withdrawn already (on every day, by an earlier override) stay withdrawn.
            let settled = self.settled.get(&rule.id.text).copied().unwrap_or(0);
            let suspend: Vec<usize> =
                earlier.iter().skip(settled).filter(|p| inherited(p)).filter_map(|p| p.compiled).collect();
            let relaxes_ok = self.judge_override(file, code_index, rule, range, &overridden);
            let compiled = if relaxes_ok { self.rule(file, code_index, calendar, rule, range) } else { None };
            if let Some(idx) = compiled {
                if let Some(parent) = nearest {
                    if let Some(r) = self.rules.get_mut(idx) {
                        r.overrides =
                            Some(Override { code: parent, relaxes: rule.relaxes.as_ref().map(|r| r.value.clone()) });
                    }
                }
                for old in suspend {
                    self.suspend(old, range.unwrap_or((None, None)));
                }
                if range.is_none_or(|r| r == (None, None)) {
                    // Every inherited version is withdrawn now: the versions before this code's own.
                    let upto = earlier.iter().rposition(|p| p.code != code_index).map_or(0, |i| i + 1);
                    self.settled.insert(rule.id.text.clone(), upto.max(settled));
                }
            }
            seen.entry(rule.id.text.clone()).or_default().push(Seen {
                file: file.clone(),
                span: rule.effective.as_ref().map_or(rule.id.span, |e| e.span),
                code: code_index,
                range: own,
                in_force: range,
                rule,
                compiled,
            });
        }
    }

    /// The days an `effective` clause gives, both included; `None` (reported) when a date is not real
    /// or the first comes after the last.
    fn effective(&mut self, file: &SourceFile, e: &ast::Effective) -> Option<Range> {
        let mut day = |d: &Option<(String, Span)>| -> Result<Option<jiff::civil::Date>, ()> {
            match d {
                None => Ok(None),
                Some((text, span)) => text.parse::<jiff::civil::Date>().map(Some).map_err(|_| {
                    self.diags.push(
                        Diag::error("precept::type::invalid-literal", format!("`{text}` is not a real date"))
                            .at(file, *span, "no such date")
                            .help("write dates as `YYYY-MM-DD`"),
                    );
                }),
            }
        };
        let (from, until) = (day(&e.from).ok()?, day(&e.until).ok()?);
        if let (Some(f), Some(u)) = (from, until) {
            if f > u {
                self.diags.push(
                    Diag::error(
                        "precept::rule::invalid-effective",
                        format!("in force from {f} until {u}: it ends before it starts"),
                    )
                    .at(file, e.span, "never in force")
                    .help("`until` is the last day in force and must not come before `from`"),
                );
                return None;
            }
        }
        Some((from, until))
    }

    fn rule(
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
        for (i, ev) in rule.sequence.iter().flat_map(|s| s.events.iter()).enumerate() {
            let Some(other) = ev.schema.as_ref().filter(|n| n.text != scope.schema.text) else { continue };
            let Some(idx) = self.schema_named(file, other) else {
                foreign.push((i, 0, None));
                continue;
            };
            let other_shape = self.schemas.get(idx).map_or(0, |s| s.shape);
            let mut tc =
                expr::TypeCheck::new(file, &mut self.shapes, &self.enums, other_shape, calendar, &mut self.diags);
            let checked = group::event(&mut tc, ev, true);
            foreign.push((i, idx, checked));
        }
        let shape = self.schemas.get(schema).map_or(0, |s| s.shape);
        let mut tc = expr::TypeCheck::new(file, &mut self.shapes, &self.enums, shape, calendar, &mut self.diags);
        let filter = scope.filter.as_ref().and_then(|f| tc.condition(f, "the `where` condition"));
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
            match key.filter(|_| group_ok).and_then(|k| group::compile_case(&mut tc, seq, k, events)) {
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
        match &rule.message {
            Some(t) => {
                for part in &t.parts {
                    match part {
                        ast::TemplatePart::Text(s) => message.push(MsgPart::Text(s.clone())),
                        ast::TemplatePart::Hole(e) => {
                            let style = tc.hole_style(e);
                            match (tc.display(e), style) {
                                (Some((c, _)), Some(None)) => message.push(MsgPart::Percent(c)),
                                (Some((c, _)), Some(Some(unit))) => message.push(MsgPart::Period(c, unit)),
                                (Some((c, ty)), None) => message.push(MsgPart::Hole(c, ty)),
                                (None, _) => message_ok = false,
                            }
                        }
                    }
                }
            }
            None => {
                let text = rule
                    .title
                    .as_ref()
                    .map_or_else(|| format!("rule `{}` does not hold", rule.id.text), |t| t.value.clone());
                message.push(MsgPart::Text(text));
            }
        }
        let uses_roles = tc.uses_roles;
        let group = group.map(|mut g| {
            g.aggs = tc.take_aggregates();
            g.require_aggs = require_aggs;
            g
        });
        let filter_ok = scope.filter.is_none() || filter.is_some();
        if !filter_ok || !message_ok || !group_ok || requires.iter().any(Option::is_none) {
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
            help: rule.help.as_ref().map(|h| h.value.clone()),
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
            in_force,
            suspended: Vec::new(),
            overrides: None,
            group,
        });
        Some(index)
    }

    // ------------------------------------------------------------ unused fields

    fn unused_fields(&mut self) {
        let mut reported = Vec::new();
        for s in self.schemas.iter().filter(|s| !s.builtin) {
            self.unused_in(s.shape, &s.name, "", &mut reported);
        }
        self.diags.extend(reported);
    }

    fn unused_in(&self, shape: ShapeId, schema: &str, prefix: &str, out: &mut Vec<Diag>) {
        let Some(sh) = self.shapes.get(shape) else { return };
        for f in &sh.fields {
            let path = if prefix.is_empty() { f.name.clone() } else { format!("{prefix}.{}", f.name) };
            if !f.used {
                out.push(
                    Diag::warning("precept::type::unused-field", format!("field `{path}` of schema `{schema}` is not read by any rule"))
                        .at(&f.file, f.span, "never read")
                        .help("remove it from the schema, or write a rule that reads it; keys a schema does not declare are ignored in records"),
                );
                continue;
            }
            let mut ty = &f.ty;
            while let Ty::List(inner) = ty {
                ty = inner;
            }
            if let Ty::Object(inner) = ty {
                self.unused_in(*inner, schema, &path, out);
            }
        }
    }
}
