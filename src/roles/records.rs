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

fn opt_date(d: Option<jiff::civil::Date>) -> Value {
    d.map_or(Value::Missing, Value::Date)
}

/// The slots of an object of `shape`, filled by field name; fields not named stay missing, so a
/// policy's own `role` or `staff` schema may declare fewer fields than Precept knows.
fn fill(program: &Program, shape: ShapeId, named: Vec<(&str, Value)>) -> Box<[Value]> {
    let Some(s) = program.shapes.get(shape) else { return Box::default() };
    s.fields
        .iter()
        .map(|f| named.iter().find(|(n, _)| *n == f.name).map_or(Value::Missing, |(_, v)| v.clone()))
        .collect()
}

/// The shape of the objects in list field `field` of `shape`, if it is a list of objects.
fn element_shape(program: &Program, shape: ShapeId, field: &str) -> Option<ShapeId> {
    let f = program.shapes.get(shape)?.fields.iter().find(|f| f.name == field)?;
    match &f.ty {
        Ty::List(inner) => match inner.as_ref() {
            Ty::Object(s) => Some(*s),
            _ => None,
        },
        _ => None,
    }
}

/// A list of objects for list field `field`, one per item.
fn objects<T>(
    program: &Program,
    shape: ShapeId,
    field: &str,
    items: &[T],
    named: impl Fn(&T) -> Vec<(&'static str, Value)>,
) -> Value {
    let Some(inner) = element_shape(program, shape, field) else { return Value::Missing };
    Value::List(items.iter().map(|i| Value::Object(fill(program, inner, named(i)))).collect())
}

/// A role as a record of the `role` schema of `shape`.
pub fn role(program: &Program, shape: ShapeId, r: &Role) -> Box<[Value]> {
    let named = vec![
        ("id", text(&r.id.id)),
        ("title", text(&r.title)),
        ("department", opt_text(r.department.as_deref())),
        ("top", Value::Bool(r.top)),
        ("escalates_to", opt_text(r.escalates_to.as_ref().map(|e| e.id.as_str()))),
        ("requires", Value::List(r.requires.iter().map(|q| text(&q.id)).collect())),
        ("trained_in", Value::List(r.trained_in.iter().map(|a| text(&a.id)).collect())),
        ("may", objects(program, shape, "may", &r.may, |g| vec![("action", text(&g.action.id))])),
    ];
    fill(program, shape, named)
}

/// A member of staff as a record of the `staff` schema of `shape`.
pub fn staff(program: &Program, shape: ShapeId, s: &Staff) -> Box<[Value]> {
    let named = vec![
        ("id", text(&s.id.id)),
        ("name", text(&s.name)),
        ("team", opt_text(s.team.as_deref())),
        ("employed_from", Value::Date(s.employed_from)),
        ("employed_until", opt_date(s.employed_until)),
        (
            "roles",
            objects(program, shape, "roles", &s.roles, |a| {
                vec![("role", text(&a.role.id)), ("from", Value::Date(a.from)), ("until", opt_date(a.until))]
            }),
        ),
        (
            "qualifications",
            objects(program, shape, "qualifications", &s.qualifications, |h| {
                vec![("id", text(&h.id.id)), ("issued", Value::Date(h.issued)), ("expires", opt_date(h.expires))]
            }),
        ),
        (
            "training",
            objects(program, shape, "training", &s.training, |t| {
                vec![("area", text(&t.area.id)), ("completed", Value::Date(t.completed))]
            }),
        ),
    ];
    fill(program, shape, named)
}
