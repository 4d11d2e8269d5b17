//! Syntax trees to a checked, compiled [`Program`]: names resolved, types checked, paths made slots.
//!
//! Every problem found is collected (never only the first); a program is returned only when there
//! are no errors, so the engine never runs a policy that could misbehave. Warnings (an unused field,
//! a comparison that can never hold) come with the program.
//!
//! The checker's work is split by step, in the order [`check`] runs them: `schemas` (fields and
//! types), `calendars`, `lets` (names given with `let` and `define` written out where they are
//! used, so that nothing after it sees a name), `codes` (levels, days in force, versions and
//! overrides, with [`layers`]; the clauses a code lists, with `clauses`), then `rules` (each rule's conditions, groups and message, with
//! `expr` and `group`).

mod calendars;
mod clauses;
mod codes;
mod expr;
mod group;
pub mod index;
pub mod layers;
mod lets;
mod opening;
mod reserved;
mod rules;
mod schemas;
pub mod strictness;

use std::collections::HashMap;

use crate::ast::{self, PolicyFile};
use crate::calendar::Calendar;
use crate::diagnostics::Diag;
use crate::engine::program::{CodeInfo, CompiledRule, SchemaInfo};
use crate::engine::types::{EnumDef, Shape};
use crate::engine::Program;
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
    let written: Vec<(&SourceFile, &ast::Code)> =
        files.iter().flat_map(|f| f.codes.iter().map(move |code| (&f.source, code))).collect();
    // Names (`let`, `define`) are written out where they are used before anything else reads a rule.
    let expansion = c.expand(&written);
    c.definitions = expansion.places;
    let codes: Vec<(&SourceFile, &ast::Code)> =
        written.iter().zip(&expansion.codes).map(|((file, _), code)| (*file, code)).collect();
    let order = layers::order(&codes, &mut c.diags);
    let parents: Vec<Option<usize>> = order.iter().map(|&(_, p)| p).collect();
    c.lineage = layers::Lineage::new(&parents);
    for (i, parent) in order {
        if let Some((file, code)) = codes.get(i) {
            // INVARIANT: the lineage was built from this order, so positions are `c.codes` indices.
            debug_assert_eq!(parent.map(|p| p < c.codes.len()), parent.map(|_| true));
            c.code(file, code, parent, &mut seen_rules);
        }
    }
    c.drop_suspended();
    let has_errors = c.diags.iter().any(Diag::is_error);
    // A rule with errors may not have read all its fields: only a clean policy's unused fields are real.
    if !has_errors {
        c.unused_fields();
    }
    let mut diags = c.diags;
    lets::once(&mut diags, &expansion.claimed);
    crate::diagnostics::sort(&mut diags);
    if has_errors {
        return (None, diags);
    }
    let program = Program {
        shapes: c.shapes,
        enums: c.enums,
        schemas: c.schemas,
        declared_calendars: c.calendars.len() - c.zone_calendars.len().min(c.calendars.len()),
        calendars: c.calendars,
        codes: c.codes,
        rules: c.rules,
        redacting: false,
        redacted: Vec::new(),
        redacted_names: Vec::new(),
        evaluation: None,
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
    /// The calendar it counts in (its own, else its code's).
    calendar: Option<usize>,
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
    /// Calendars standing for an IANA zone named in a call (`day(x, "Australia/Sydney")`), by zone.
    zone_calendars: HashMap<String, usize>,
    codes: Vec<CodeInfo>,
    /// Per code (by index into `codes`), the clauses its rules may cite: its own and inherited.
    listed: Vec<std::rc::Rc<clauses::Listed>>,
    /// Which code extends which, directly or not, by index into `codes`.
    lineage: layers::Lineage,
    /// Rules overridden on every day, to take out of the schemas' lists at the end.
    withdrawn: std::collections::HashSet<usize>,
    /// Per rule id, how many of its earlier versions are withdrawn already (a prefix: each override
    /// withdraws every version it inherits), so a chain of overrides does not withdraw them again.
    settled: HashMap<String, usize>,
    rules: Vec<CompiledRule>,
    /// Fields declared `allow unused` (shape, slot), and whole shapes of schemas declared `allow
    /// unused fields` (shape, `None`): never an unused-field warning.
    allow_unused: std::collections::HashSet<(crate::engine::types::ShapeId, Option<usize>)>,
    /// Where the bodies of `let`s and `define`s are, to say which rule a problem inside one is in.
    definitions: Vec<lets::DefPlace>,
    /// Problems inside shared definitions already reported (file, place, code, message), so a
    /// mistake in a code's `let` is reported once however many rules use it.
    shared_said: std::collections::HashSet<(String, crate::source::Span, String, String)>,
}
