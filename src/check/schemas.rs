//! Schemas: a schema's fields and their types, the fields that identify, date and name the staff and
//! team of a record, its file patterns; and, once every rule is checked, the fields no rule reads.
//!
//! Separate from the rules because it knows nothing of expressions: it builds the shapes and
//! enumerations that the rules' type checks then read.

use std::collections::HashMap;

use jiff::tz::TimeZone;

use super::{Checker, BUILTIN_NAME};
use crate::ast::{self, TypeExpr};
use crate::diagnostics::{suggest, Diag};
use crate::engine::program::SchemaInfo;
use crate::engine::types::{Currency, Custom, EnumDef, Field, Shape, ShapeId, Spelling, Ty};
use crate::source::{SourceFile, Span};

impl Checker {
    pub(super) fn schema(&mut self, file: &SourceFile, s: &ast::Schema) {
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
        let zone = s.zone.as_ref().and_then(|z| self.zone(file, z));
        let shape = self.shape(file, &s.name.text, &s.fields, "", zone.as_ref(), &s.accept);
        if s.allow_unused.is_some() {
            self.allow_unused.insert((shape, None));
        }
        let records_at = match &s.records_at {
            Some(at) => {
                let keys: Vec<String> = at.value.split('.').map(str::to_string).collect();
                if keys.iter().any(String::is_empty) {
                    self.diags.push(
                        Diag::error("precept::type::invalid-literal", format!("`{}` is not a key path", at.value))
                            .at(file, at.span, "an empty key")
                            .help("name the key the records are under, such as `\"result\"`, or keys joined by `.`, such as `\"data.items\"`"),
                    );
                }
                keys
            }
            None => Vec::new(),
        };
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
            records_at,
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
    pub(super) fn schema_named(&mut self, file: &SourceFile, name: &ast::Name) -> Option<usize> {
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

    /// The zone a `zone "..."` clause names, resolved once here so that reading a record never looks
    /// a zone up; reported when the bundled time zone database does not know it.
    fn zone(&mut self, file: &SourceFile, z: &ast::Str) -> Option<TimeZone> {
        match TimeZone::get(&z.value) {
            Ok(tz) => Some(tz),
            Err(_) => {
                self.diags.push(
                    Diag::error("precept::type::unknown-zone", format!("unknown time zone `{}`", z.value))
                        .at(file, z.span, "not in the time zone database")
                        .help(
                            "name an IANA time zone such as `\"Europe/London\"`, `\"America/New_York\"` or `\"UTC\"`",
                        ),
                );
                None
            }
        }
    }

    /// Whether values of `ty` include datetimes, which a `zone` on the field would apply to.
    fn holds_datetime(&self, ty: &Ty) -> bool {
        match ty {
            Ty::DateTime => true,
            Ty::List(inner) | Ty::Set(inner) => self.holds_datetime(inner),
            Ty::Object(shape) => {
                self.shapes.get(*shape).is_some_and(|s| s.fields.iter().any(|f| self.holds_datetime(&f.ty)))
            }
            _ => false,
        }
    }

    /// The fields of a schema or nested object; `zone` is the one its datetimes without an offset
    /// are read in unless a field names its own, and `accept` the spellings its schema (or an
    /// enclosing field) declares for all its fields.
    fn shape(
        &mut self,
        file: &SourceFile,
        owner: &str,
        fields: &[ast::FieldDecl],
        prefix: &str,
        zone: Option<&TimeZone>,
        accept: &[ast::Accept],
    ) -> ShapeId {
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
            let own = f.zone.as_ref().and_then(|z| self.zone(file, z));
            let zone = own.or_else(|| zone.cloned());
            let mut codes = Vec::new();
            let down: Vec<ast::Accept> = accept.iter().chain(&f.accept).cloned().collect();
            let ty = self.type_expr(file, owner, &f.ty, &path, zone.as_ref(), &down, &mut codes);
            let spelling = self.spelling(file, f, &ty, accept, codes);
            if let (Some(z), false) = (&f.zone, self.holds_datetime(&ty)) {
                self.diags.push(
                    Diag::error("precept::type::mismatch", format!("`{}` has a zone but no datetime", f.name.text))
                        .at(file, z.span, "nothing here is read in this zone")
                        .help("write `zone` after a `datetime` field (or a list or object that holds one), or in the schema for all its datetimes"),
                );
            }
            let column = f.column.as_ref().map_or_else(|| path.clone(), |c| c.value.clone());
            if f.allow_unused.is_some() {
                self.allow_unused.insert((id, Some(out.len())));
            }
            out.push(Field {
                name: f.name.text.clone(),
                ty,
                optional: f.optional,
                column,
                zone,
                used: false,
                spelling,
                file: file.clone(),
                span: f.name.span,
            });
        }
        self.custom_fields_once(file, fields, &out);
        if let Some(s) = self.shapes.get_mut(id) {
            s.fields = out;
        }
        id
    }

    /// The type a field declares; the codes its enumeration values are written as go to `codes`.
    #[allow(clippy::too_many_arguments, reason = "the context of one field, passed down to nested objects")]
    fn type_expr(
        &mut self,
        file: &SourceFile,
        owner: &str,
        t: &TypeExpr,
        path: &str,
        zone: Option<&TimeZone>,
        accept: &[ast::Accept],
        codes: &mut Vec<(Box<str>, u32)>,
    ) -> Ty {
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
                for variant in variants {
                    let v = &variant.name;
                    if names.contains(&v.text) {
                        self.diags.push(
                            Diag::error(
                                "precept::type::duplicate-field",
                                format!("enumeration value `{}` is listed twice", v.text),
                            )
                            .at(file, v.span, "listed again here")
                            .help("remove the repeated value"),
                        );
                        continue;
                    }
                    if let Some(code) = &variant.code {
                        if codes.iter().any(|(c, _)| **c == *code.value) {
                            self.diags.push(
                                Diag::error(
                                    "precept::type::duplicate-field",
                                    format!("the code `{}` stands for two values", crate::text::clip(&code.value)),
                                )
                                .at(file, code.span, "given again here")
                                .help("give each enumeration value its own code"),
                            );
                        } else if let Ok(i) = u32::try_from(names.len()) {
                            codes.push((code.value.clone().into_boxed_str(), i));
                        }
                    }
                    names.push(v.text.clone());
                }
                self.enums.push(EnumDef { variants: names });
                Ty::Enum(self.enums.len() - 1)
            }
            TypeExpr::List(inner, _) => {
                Ty::List(Box::new(self.type_expr(file, owner, inner, path, zone, accept, codes)))
            }
            TypeExpr::Object(fields, _) => Ty::Object(self.shape(file, owner, fields, path, zone, accept)),
        }
    }

    /// How a field's values are spelled: the schema's (or an enclosing field's) `accept` where it
    /// fits the field's type, the field's own (reported where it does not fit), its enumeration's
    /// codes, its list separator and its custom-field place. `None` when it declares none of these.
    fn spelling(
        &mut self,
        file: &SourceFile,
        f: &ast::FieldDecl,
        ty: &Ty,
        inherited: &[ast::Accept],
        codes: Vec<(Box<str>, u32)>,
    ) -> Option<Box<Spelling>> {
        let mut elem = ty;
        while let Ty::List(inner) = elem {
            elem = inner;
        }
        let object = matches!(elem, Ty::Object(_));
        let numeric = matches!(elem, Ty::Int | Ty::Dec | Ty::Money(_) | Ty::Duration);
        let mut sp = Spelling { codes, ..Spelling::default() };
        let apply = |this: &mut Self, a: &ast::Accept, own: bool, sp: &mut Spelling| {
            let fits = match a {
                ast::Accept::Truth(..) => *elem == Ty::Bool,
                ast::Accept::NumbersInStrings(_) => numeric,
                ast::Accept::EmptyAsMissing(_) => !object,
            };
            if !fits {
                // An object field passes its spellings on to its fields; elsewhere a spelling that
                // cannot apply is a mistake only where the field itself declares it.
                if own && !object {
                    let what = match a {
                        ast::Accept::Truth(..) => "spells booleans",
                        ast::Accept::NumbersInStrings(_) => "is for integers, decimals, amounts and durations",
                        ast::Accept::EmptyAsMissing(_) => "is for values",
                    };
                    this.diags.push(
                        Diag::error("precept::type::mismatch", format!("`{}` cannot accept this spelling", f.name.text))
                            .at(file, a.span(), format!("this {what}"))
                            .help("declare a spelling of the field's own type: `\"Y\"/\"N\"` for a boolean, `numbers in strings` for a number, `empty as missing` for any value"),
                    );
                }
                return;
            }
            match a {
                ast::Accept::Truth(t, fl) => {
                    if t.value == fl.value {
                        this.diags.push(
                            Diag::error(
                                "precept::type::invalid-literal",
                                format!("`{}` cannot spell both true and false", crate::text::clip(&t.value)),
                            )
                            .at(file, a.span(), "the same text twice")
                            .help("write the text of true first, then the text of false: `\"Y\"/\"N\"`"),
                        );
                        return;
                    }
                    sp.truths.push(t.value.clone().into_boxed_str());
                    sp.falsehoods.push(fl.value.clone().into_boxed_str());
                }
                ast::Accept::NumbersInStrings(_) => sp.numbers_in_strings = true,
                ast::Accept::EmptyAsMissing(_) => sp.empty_is_missing = true,
            }
        };
        for a in inherited {
            apply(self, a, false, &mut sp);
        }
        for a in &f.accept {
            apply(self, a, true, &mut sp);
        }
        if let Some(sep) = &f.separator {
            let list_of_scalars = matches!(ty, Ty::List(inner) if !matches!(**inner, Ty::List(_) | Ty::Object(_)));
            if !list_of_scalars {
                self.diags.push(
                    Diag::error("precept::type::mismatch", format!("`{}` is not a list a CSV cell can hold", f.name.text))
                        .at(file, sep.span, "a separator for a list of values")
                        .help("write `separated by` after `list of text` (or another list of values), such as `tags: list of text separated by \" \"`"),
                );
            } else if sep.value.is_empty() {
                self.diags.push(
                    Diag::error("precept::type::invalid-literal", "a list separator cannot be empty")
                        .at(file, sep.span, "empty")
                        .help("name the text between items, such as `\" \"`, `\",\"` or `\";\"`"),
                );
            } else {
                sp.separator = Some(sep.value.clone().into_boxed_str());
            }
        }
        if let Some(c) = &f.custom {
            let key = c.key.as_ref().map_or("custom_fields", |k| k.value.as_str());
            sp.custom = Some(Custom { key: key.into(), id: c.id.value.clone().into_boxed_str() });
        }
        (sp != Spelling::default()).then(|| Box::new(sp))
    }

    /// Two custom fields of one object read from the same id, or a declared field of the name of
    /// the array they are read from (which would hide them), are reported.
    fn custom_fields_once(&mut self, file: &SourceFile, decls: &[ast::FieldDecl], fields: &[Field]) {
        for (i, f) in fields.iter().enumerate() {
            let Some(c) = f.custom() else { continue };
            let decl = decls.iter().find(|d| d.name.text == f.name).and_then(|d| d.custom.as_ref());
            let Some(decl) = decl else { continue };
            if fields.iter().take(i).any(|g| g.custom() == Some(c)) {
                self.diags.push(
                    Diag::error(
                        "precept::type::duplicate-field",
                        format!("custom field `{}` is declared twice", crate::text::clip(&c.id)),
                    )
                    .at(file, decl.span, "declared again here")
                    .help("read each custom field into one field"),
                );
            }
            if let Some(g) = fields.iter().find(|g| g.custom().is_none() && *g.name == *c.key) {
                self.diags.push(
                    Diag::error(
                        "precept::type::duplicate-field",
                        format!("field `{}` hides the custom fields read from it", g.name),
                    )
                    .at(file, decl.span, format!("read from `{}`", crate::text::clip(&c.key)))
                    .label(g.span, "declared as a field here")
                    .help("remove that field, or read the custom fields from another key with `in \"...\"`"),
                );
            }
        }
    }

    pub(super) fn unused_fields(&mut self) {
        let mut reported = Vec::new();
        for s in self.schemas.iter().filter(|s| !s.builtin) {
            self.unused_in(s.shape, &s.name, "", &mut reported);
        }
        self.diags.extend(reported);
    }

    fn unused_in(&self, shape: ShapeId, schema: &str, prefix: &str, out: &mut Vec<Diag>) {
        let Some(sh) = self.shapes.get(shape) else { return };
        if self.allow_unused.contains(&(shape, None)) {
            return;
        }
        for (slot, f) in sh.fields.iter().enumerate() {
            if self.allow_unused.contains(&(shape, Some(slot))) {
                continue;
            }
            let path = if prefix.is_empty() { f.name.clone() } else { format!("{prefix}.{}", f.name) };
            if !f.used {
                out.push(
                    Diag::warning("precept::type::unused-field", format!("field `{path}` of schema `{schema}` is not read by any rule"))
                        .at(&f.file, f.span, "never read")
                        .help("remove it from the schema, or write a rule that reads it (keys a schema does not declare are ignored in records); to keep it, write `allow unused` after its type, or `allow unused fields` in the schema"),
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
