//! Names in expressions: field paths from `record`, `group` or a quantifier's element, and bare
//! enumeration values where an enumeration is expected.

use super::{About, TypeCheck, T};
use crate::ast::Name;
use crate::diagnostics::suggest;
use crate::engine::program::{CExpr, Root};
use crate::engine::types::Ty;
use crate::engine::value::Value;
use crate::source::Span;

impl TypeCheck<'_> {
    pub(super) fn variant(&mut self, id: usize, name: &str, span: Span) -> Option<T> {
        let variants: Vec<&str> =
            self.enums.get(id).map(|e| e.variants.iter().map(String::as_str).collect()).unwrap_or_default();
        match variants.iter().position(|v| *v == name) {
            Some(i) => Some(T::new(CExpr::Const(Value::Enum(i as u32)), Ty::Enum(id))),
            None => {
                let about = About::Variant(id, name.to_string());
                if self.reported_before(&about, span) {
                    return None;
                }
                let help = suggest::help(name, &variants, "value");
                self.err(
                    "precept::type::unknown-variant",
                    format!("`{name}` is not a value of this enumeration, so this can never hold"),
                    span,
                    "no such value",
                )
                .with_help(help);
                self.remember(about);
                None
            }
        }
    }

    pub(super) fn path(&mut self, names: &[Name], span: Span, hint: Option<&Ty>) -> Option<T> {
        let first = names.first()?;
        let group_level = self.group.as_ref().filter(|g| !g.inside).map(|g| g.shape);
        let (root, mut ty) = if first.text == "record" && group_level.is_some() {
            if self.reported_before(&About::RecordInGroup, first.span) {
                return None;
            }
            let (what, help) = if self.group.as_ref().is_some_and(|g| g.case) {
                (
                    "a rule that follows cases judges obligations, not single records",
                    "read the record that opened the obligation as `opening.<field>`, and the case as `group.case`, `group.opened`, `group.deadline`, `group.closed`",
                )
            } else {
                (
                    "a group rule judges groups, not single records",
                    "read records inside an aggregate (`count(...)`, `share(...)`, `sum(...)`, `avg(...)`, ...) and the group's key as `group.<name>`",
                )
            };
            self.err("precept::type::record-outside-aggregate", what, first.span, "which record?").with_help(help);
            self.remember(About::RecordInGroup);
            return None;
        } else if let (Some(shape), "group") = (group_level, first.text.as_str()) {
            (Root::Record, Ty::Object(shape))
        } else if first.text == "record" {
            (Root::Record, Ty::Object(self.record))
        } else if let Some(slot) = self.vars.iter().rposition(|(n, _)| *n == first.text) {
            let ty = self.vars.get(slot).map(|v| v.1.clone())?;
            (Root::Var(u8::try_from(slot).ok()?), ty)
        } else if names.len() == 1 {
            if let Some(Ty::Enum(id)) = hint {
                return self.variant(*id, &first.text, span);
            }
            return self.unknown_name(first, true);
        } else {
            return self.unknown_name(first, false);
        };
        let mut steps: Vec<u16> = Vec::new();
        let mut optional = false;
        let mut prefix_end = first.span.end;
        for n in names.iter().skip(1) {
            let Ty::Object(shape) = ty else {
                let what = self.ty_name(&ty);
                let prefix = self.src(Span::new(span.start, prefix_end));
                self.err(
                    "precept::type::unknown-field",
                    format!("`{prefix}` is {what} and has no field `{}`", n.text),
                    n.span,
                    "no such field",
                )
                .with_help("only objects have fields");
                return None;
            };
            let Some(slot) = self.shapes.get(shape).and_then(|s| s.slot(&n.text)) else {
                let prefix = self.src(Span::new(span.start, prefix_end));
                let about = About::Field(prefix.clone(), n.text.clone());
                if self.reported_before(&about, n.span) {
                    return None;
                }
                let names: Vec<String> = self
                    .shapes
                    .get(shape)
                    .map(|s| s.fields.iter().map(|f| f.name.clone()).collect())
                    .unwrap_or_default();
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let help = suggest::help(&n.text, &names, "field");
                self.err(
                    "precept::type::unknown-field",
                    format!("unknown field `{}` on `{prefix}`", n.text),
                    n.span,
                    "no such field",
                )
                .with_help(help);
                self.remember(about);
                return None;
            };
            let field = self.shapes.get_mut(shape).and_then(|s| s.fields.get_mut(slot))?;
            field.used = true;
            ty = field.ty.clone();
            let field_optional = field.optional;
            steps.push(u16::try_from(slot).ok()?);
            if field_optional && !self.is_proven(&(root, steps.clone())) {
                optional = true;
            }
            prefix_end = n.span.end;
        }
        let key = (root, steps.clone());
        if self.is_proven(&key) {
            optional = false;
        }
        let e = match root {
            Root::Var(v) if steps.is_empty() && !matches!(ty, Ty::Object(_)) => CExpr::Var(v),
            _ => CExpr::Field(root, steps.into_boxed_slice()),
        };
        Some(T { e, ty, optional, key: Some(key), t: Vec::new(), f: Vec::new() })
    }

    /// Report a name that is neither `record`, a quantifier's element nor (where one is expected) an
    /// enumeration value; `bare` when it stands alone rather than starting a path.
    fn unknown_name(&mut self, first: &Name, bare: bool) -> Option<T> {
        let about = About::Name(first.text.clone());
        if self.reported_before(&about, first.span) {
            return None;
        }
        let on_record = bare && self.shapes.get(self.record).and_then(|s| s.slot(&first.text)).is_some();
        let names = ["record"].into_iter().chain(self.vars.iter().map(|(n, _)| n.as_str()));
        let help = match (on_record, suggest::closest(&first.text, names)) {
            (true, _) => format!("did you mean `record.{}`?", first.text),
            // `group` names a group only where there is one: a `group.` path in a rule over
            // single records (or in the `where`, before the records are grouped).
            _ if first.text == "group" && !bare => "`group` names the group in the `require` and `message` of a rule with `group by` (or `case by`); this part judges single records: read their fields as `record.<field>`".to_string(),
            (false, Some(c)) => format!("did you mean `{c}`?"),
            (false, None) if bare => "fields are read through `record` (`record.kind`); enumeration values are written bare only where an enumeration is expected".to_string(),
            (false, None) => "paths start with `record` or a quantifier's element name".to_string(),
        };
        self.err(
            "precept::type::unknown-name",
            format!("unknown name `{}`", first.text),
            first.span,
            "not defined here",
        )
        .with_help(help);
        self.remember(about);
        None
    }
}
