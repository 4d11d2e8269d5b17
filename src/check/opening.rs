//! `opening.<field>` in a case rule's message: the fields of the record that opened the case's
//! obligation.
//!
//! A case can be opened by records of several schemas (`opens when ...` and `opens on other_schema
//! ...`), so the message is checked against a shape of its own holding every field any of them
//! has. A field that one opening schema lacks, or has with another type, is reported where the
//! message reads it: the message must read the same thing whichever record opened the case. Only
//! the fields read are kept with each opening (see [`OpeningFields`]).

use super::expr::TypeCheck;
use crate::engine::program::{CExpr, OpeningFields, Root, SchemaInfo};
use crate::engine::types::{Field, Shape, ShapeId, Ty};
use crate::source::Span;

/// The name a case rule's message reads the opening record by.
pub(super) const NAME: &str = "opening";

/// `opening` while a case rule's message is checked.
pub(super) struct Scope {
    /// The quantifier-variable slot `opening` is bound to (read as `Root::Var`).
    var: u8,
    /// The opening schemas: index, name and shape.
    schemas: Vec<(usize, String, ShapeId)>,
    /// The message's own shape: every field of any opening schema, by name.
    shape: ShapeId,
    /// Per slot of that shape, why it cannot be read: the first opening schema that lacks it or
    /// has it with another type.
    partial: Vec<Option<String>>,
    /// Slots read so far.
    read: Vec<u16>,
}

impl Scope {
    /// Bind `opening` for the message of a case rule whose cases are opened by records of
    /// `openers` (schema indices, in clause order, repeats allowed).
    pub(super) fn bind(tc: &mut TypeCheck<'_>, all: &[SchemaInfo], openers: &[usize]) -> Option<Scope> {
        let mut schemas: Vec<(usize, String, ShapeId)> = Vec::new();
        for &i in openers {
            if schemas.iter().all(|s| s.0 != i) {
                let s = all.get(i)?;
                schemas.push((i, s.name.clone(), s.shape));
            }
        }
        let mut fields: Vec<Field> = Vec::new();
        let mut partial: Vec<Option<String>> = Vec::new();
        // The schema each field was first met on, to name it when another has another type.
        let mut origin: Vec<String> = Vec::new();
        // Where each field name is in `fields`: a wide schema is bound in time linear in its width.
        let mut at_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (n, (_, name, shape)) in schemas.iter().enumerate() {
            let Some(own) = tc.shapes.get(*shape).map(|s| s.fields.clone()) else { continue };
            for f in &own {
                match at_name.get(&f.name).copied() {
                    Some(at) => {
                        let alike = fields.get(at).is_some_and(|g| same_type(tc, &g.ty, &f.ty, 0));
                        let (Some(g), Some(p)) = (fields.get_mut(at), partial.get_mut(at)) else { continue };
                        g.optional |= f.optional;
                        if !alike && p.is_none() {
                            let first = origin.get(at).cloned().unwrap_or_default();
                            let (a, b) = (tc.ty_name(&g.ty), tc.ty_name(&f.ty));
                            *p = Some(format!("it is {a} on schema `{first}` but {b} on schema `{name}`"));
                        }
                    }
                    None => {
                        // A field first met on a later schema is lacking on the first one.
                        let lacking = schemas.first().filter(|_| n > 0).map(|s| s.1.clone());
                        partial.push(lacking.map(|s| format!("schema `{s}` has no such field")));
                        at_name.insert(f.name.clone(), fields.len());
                        fields.push(Field { used: true, ..f.clone() });
                        origin.push(name.clone());
                    }
                }
            }
            // Fields the others have and this one lacks.
            let has: std::collections::HashSet<&str> = own.iter().map(|f| f.name.as_str()).collect();
            for (g, p) in fields.iter().zip(partial.iter_mut()) {
                if p.is_none() && !has.contains(g.name.as_str()) {
                    *p = Some(format!("schema `{name}` has no such field"));
                }
            }
        }
        tc.shapes.push(Shape { fields });
        let shape = tc.shapes.len() - 1;
        let var = u8::try_from(tc.vars.len()).ok()?;
        tc.vars.push((NAME.to_string(), Ty::Object(shape)));
        Some(Scope { var, schemas, shape, partial, read: Vec::new() })
    }

    /// Note which fields of `opening` a message hole (`span`) compiled to `e` reads; false, with a
    /// diagnostic, when one of them is not read the same way from every opening schema.
    pub(super) fn hole(&mut self, tc: &mut TypeCheck<'_>, e: &CExpr, span: Span) -> bool {
        let mut slots = Vec::new();
        reads(e, self.var, &mut slots);
        let mut ok = true;
        for slot in slots {
            if let Some(Some(why)) = self.partial.get(usize::from(slot)) {
                let name =
                    tc.shapes.get(self.shape).and_then(|s| s.fields.get(usize::from(slot))).map(|f| f.name.clone());
                let name = name.unwrap_or_default();
                let (code, label) = if why.contains("has no such field") {
                    ("precept::type::unknown-field", "not on every record that opens a case")
                } else {
                    ("precept::type::mismatch", "not one type on every record that opens a case")
                };
                tc.err(code, format!("`opening.{name}` cannot be read from every record that opens a case: {why}"), span, label)
                    .with_help(format!(
                        "the message reads the record that opened each case, of any of the opening schemas ({}): read a field they all have, with one type",
                        self.schemas.iter().map(|s| format!("`{}`", s.1)).collect::<Vec<_>>().join(", ")
                    ));
                ok = false;
            } else if !self.read.contains(&slot) {
                self.read.push(slot);
            }
        }
        ok
    }

    /// Unbind `opening`; what each opening must keep for the message, with the opening schemas'
    /// fields read marked used (so they are read from the files and not reported unused).
    pub(super) fn finish(mut self, tc: &mut TypeCheck<'_>) -> OpeningFields {
        tc.vars.truncate(usize::from(self.var));
        self.read.sort_unstable();
        let names: Vec<String> = self
            .read
            .iter()
            .filter_map(|&s| {
                tc.shapes.get(self.shape).and_then(|x| x.fields.get(usize::from(s))).map(|f| f.name.clone())
            })
            .collect();
        let mut from = Vec::new();
        for (i, _, shape) in &self.schemas {
            let Some(fields) = tc.shapes.get_mut(*shape).map(|s| &mut s.fields) else { continue };
            let mut slots = Vec::new();
            for n in &names {
                if let Some(at) = fields.iter().position(|f| &f.name == n) {
                    if let Some(f) = fields.get_mut(at) {
                        f.used = true;
                    }
                    slots.push(u16::try_from(at).unwrap_or(u16::MAX));
                }
            }
            from.push((*i, slots));
        }
        let width = tc.shapes.get(self.shape).map_or(0, |s| s.fields.len());
        OpeningFields { read: self.read, width, from, var: self.var, shape: self.shape }
    }
}

/// The top-level slots of variable `var` that `e` reads.
fn reads(e: &CExpr, var: u8, out: &mut Vec<u16>) {
    match e {
        CExpr::Field(Root::Var(v), steps) if *v == var => {
            if let Some(&s) = steps.first() {
                out.push(s);
            }
        }
        _ => e.children().for_each(|c| reads(c, var, out)),
    }
}

/// Whether two schemas' fields read alike: the same type, where an object (or an enumeration)
/// declared on each schema is alike when it declares the same fields in the same order (the same
/// values in the same order), since each declaration is its own shape (enumeration) and a message
/// reads the opening's nested values by the first schema's slots.
fn same_type(tc: &TypeCheck<'_>, a: &Ty, b: &Ty, depth: usize) -> bool {
    if a == b {
        return true;
    }
    // Nesting is bounded by the policy's own depth limit; this only guards the recursion.
    if depth > 64 {
        return false;
    }
    match (a, b) {
        (Ty::List(x), Ty::List(y)) | (Ty::Set(x), Ty::Set(y)) => same_type(tc, x, y, depth + 1),
        (Ty::Enum(x), Ty::Enum(y)) => match (tc.enums.get(*x), tc.enums.get(*y)) {
            (Some(x), Some(y)) => x.variants == y.variants,
            _ => false,
        },
        (Ty::Object(x), Ty::Object(y)) => match (tc.shapes.get(*x), tc.shapes.get(*y)) {
            (Some(x), Some(y)) => {
                x.fields.len() == y.fields.len()
                    && x.fields.iter().zip(&y.fields).all(|(f, g)| {
                        f.name == g.name && f.optional == g.optional && same_type(tc, &f.ty, &g.ty, depth + 1)
                    })
            }
            _ => false,
        },
        _ => false,
    }
}
