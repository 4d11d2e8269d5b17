//! Roles and staff as records of Precept's own `role` and `staff` schemas, so policies can hold
//! rules over them (`for role where ... require ...`).

use super::model::{Role, Staff};
use crate::engine::types::{ShapeId, Ty};
use crate::engine::value::Value;
use crate::engine::Program;

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Missing, text)
}

fn inner_shape(program: &Program, shape: ShapeId, field: &str) -> Option<ShapeId> {
    let f = program.shapes.get(shape)?.fields.iter().find(|f| f.name == field)?;
    match &f.ty {
        Ty::List(inner) => match inner.as_ref() {
            Ty::Object(s) => Some(*s),
            _ => None,
        },
        _ => None,
    }
}

/// Gives a nested object's field values by field name.
type FieldFn<'a> = Box<dyn Fn(&str) -> Value + 'a>;

/// Fill an object of `shape` by field name; fields the function does not know stay missing.
fn object(program: &Program, shape: ShapeId, value: impl Fn(&str, Option<ShapeId>) -> Value) -> Box<[Value]> {
    let Some(s) = program.shapes.get(shape) else { return Box::default() };
    s.fields.iter().map(|f| value(&f.name, inner_shape(program, shape, &f.name))).collect()
}

/// A role as a record of the `role` schema of `shape`.
pub fn role(program: &Program, shape: ShapeId, r: &Role) -> Box<[Value]> {
    object(program, shape, |name, inner| match name {
        "id" => text(&r.id.id),
        "title" => text(&r.title),
        "department" => opt_text(r.department.as_deref()),
        "top" => Value::Bool(r.top),
        "escalates_to" => opt_text(r.escalates_to.as_ref().map(|e| e.id.as_str())),
        "requires" => Value::List(r.requires.iter().map(|q| text(&q.id)).collect()),
        "trained_in" => Value::List(r.trained_in.iter().map(|a| text(&a.id)).collect()),
        "may" => Value::List(
            r.may
                .iter()
                .map(|g| {
                    Value::Object(inner.map_or_else(Box::default, |s| {
                        object(program, s, |n, _| if n == "action" { text(&g.action.id) } else { Value::Missing })
                    }))
                })
                .collect(),
        ),
        _ => Value::Missing,
    })
}

/// A member of staff as a record of the `staff` schema of `shape`.
pub fn staff(program: &Program, shape: ShapeId, s: &Staff) -> Box<[Value]> {
    object(program, shape, |name, inner| {
        let list = |items: Vec<FieldFn<'_>>| {
            Value::List(
                items
                    .into_iter()
                    .map(|f| Value::Object(inner.map_or_else(Box::default, |sh| object(program, sh, |n, _| f(n)))))
                    .collect(),
            )
        };
        match name {
            "id" => text(&s.id.id),
            "name" => text(&s.name),
            "team" => opt_text(s.team.as_deref()),
            "employed_from" => Value::Date(s.employed_from),
            "employed_until" => s.employed_until.map_or(Value::Missing, Value::Date),
            "roles" => list(
                s.roles
                    .iter()
                    .map(|a| {
                        Box::new(move |n: &str| match n {
                            "role" => text(&a.role.id),
                            "from" => Value::Date(a.from),
                            "until" => a.until.map_or(Value::Missing, Value::Date),
                            _ => Value::Missing,
                        }) as FieldFn<'_>
                    })
                    .collect(),
            ),
            "qualifications" => list(
                s.qualifications
                    .iter()
                    .map(|h| {
                        Box::new(move |n: &str| match n {
                            "id" => text(&h.id.id),
                            "issued" => Value::Date(h.issued),
                            "expires" => h.expires.map_or(Value::Missing, Value::Date),
                            _ => Value::Missing,
                        }) as FieldFn<'_>
                    })
                    .collect(),
            ),
            "training" => list(
                s.training
                    .iter()
                    .map(|t| {
                        Box::new(move |n: &str| match n {
                            "area" => text(&t.area.id),
                            "completed" => Value::Date(t.completed),
                            _ => Value::Missing,
                        }) as FieldFn<'_>
                    })
                    .collect(),
            ),
            _ => Value::Missing,
        }
    })
}
