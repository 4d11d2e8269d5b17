//! Which field made a requirement fail: the slow path run only for a record that broke a rule.
//!
//! The answer is a path of steps (field slots and list indices) that the readers in [`crate::data`]
//! turn back into a line and column in the record file.

use super::builtins;
use super::eval::{eval, Cx, Vars};
use super::program::{CExpr, Quant, Root, ScopeFn};
use super::value::{Value, V};

/// One step from a record to a value inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// A field slot of an object.
    Field(u16),
    /// An element of a list.
    Index(u32),
}

struct Ctx<'a> {
    record: &'a [Value],
    cx: Cx<'a, 'static>,
    /// Where each bound variable's element sits in the record (on the stack: a finding's blame
    /// should not pay for an allocation per variable the rule might bind).
    var_paths: [Option<Vec<Step>>; super::program::MAX_VARS],
}

/// The path to the field most to blame for `e` not holding, if it reads one.
pub fn blame<'a>(e: &'a CExpr, record: &'a [Value], cx: Cx<'a, 'static>) -> Option<Vec<Step>> {
    let mut vars = super::eval::vars();
    let mut ctx = Ctx { record, cx, var_paths: Default::default() };
    failing(&mut ctx, e, &mut vars)
}

/// Blame inside an expression that evaluated to something other than `true`.
fn failing<'a>(ctx: &mut Ctx<'a>, e: &'a CExpr, vars: &mut Vars<'a>) -> Option<Vec<Step>> {
    match e {
        CExpr::And(a, b) => {
            if eval(a, ctx.record, &ctx.cx, vars).is_true() {
                failing(ctx, b, vars)
            } else {
                failing(ctx, a, vars)
            }
        }
        CExpr::Implies(_, b) => failing(ctx, b, vars),
        CExpr::Or(a, b) => failing(ctx, a, vars).or_else(|| failing(ctx, b, vars)),
        CExpr::If(c, a, b) => match eval(c, ctx.record, &ctx.cx, vars) {
            V::Bool(true) => failing(ctx, a, vars),
            V::Bool(false) => failing(ctx, b, vars),
            _ => first_field(ctx, c, vars),
        },
        CExpr::Quant(q, var, list, cond) => {
            let list_path = first_field(ctx, list, vars);
            let V::List(items) = eval(list, ctx.record, &ctx.cx, vars) else { return list_path };
            if *q == Quant::Any {
                return list_path;
            }
            let slot = *var as usize;
            for (i, item) in items.iter().enumerate() {
                if let Some(s) = vars.get_mut(slot) {
                    *s = item.view();
                }
                let holds = eval(cond, ctx.record, &ctx.cx, vars).is_true();
                let bad = if *q == Quant::All { !holds } else { holds };
                if bad {
                    let elem = list_path.clone().map(|mut p| {
                        p.push(Step::Index(i as u32));
                        p
                    });
                    if let Some(s) = ctx.var_paths.get_mut(slot) {
                        *s = elem.clone();
                    }
                    let inner = if *q == Quant::All { failing(ctx, cond, vars) } else { first_field(ctx, cond, vars) };
                    return inner.or(elem);
                }
            }
            list_path
        }
        _ => first_field(ctx, e, vars),
    }
}

/// The first field (in source order) that an expression reads. Most expressions are walked through
/// [`CExpr::children`]; the cases below are those where another order says more.
fn first_field<'a>(ctx: &mut Ctx<'a>, e: &'a CExpr, vars: &mut Vars<'a>) -> Option<Vec<Step>> {
    match e {
        CExpr::Field(root, steps) => {
            let mut base = match root {
                Root::Record => Vec::new(),
                Root::Var(i) => ctx.var_paths.get(*i as usize).cloned().flatten()?,
            };
            base.extend(steps.iter().map(|&s| Step::Field(s)));
            Some(base)
        }
        CExpr::Var(i) => ctx.var_paths.get(*i as usize).cloned().flatten(),
        // The value tested, not the members of the set.
        CExpr::InSet(_, x, _, _) => first_field(ctx, x, vars),
        // The branches before the condition that chose between them.
        CExpr::If(c, a, b) => {
            first_field(ctx, a, vars).or_else(|| first_field(ctx, b, vars)).or_else(|| first_field(ctx, c, vars))
        }
        // The list, not its elements' condition (whose variable is bound to no element here).
        CExpr::Quant(_, _, list, _) | CExpr::Count(list, _) => first_field(ctx, list, vars),
        // The argument the answer turns on (see the registry's `blame_first`), except that a `may`
        // about someone who held no role that day blames them.
        CExpr::Scope(f, args) => {
            let first = match f {
                ScopeFn::May { .. } if !holds_a_role(ctx, args, vars) => 0,
                f => builtins::of_scope(*f).map_or(0, |b| b.blame_first),
            };
            in_order(ctx, first, args, vars)
        }
        CExpr::Call(f, args) => in_order(ctx, f.blame_first, args, vars),
        _ => e.children().find_map(|c| first_field(ctx, c, vars)),
    }
}

/// The first field read by argument `first`, else by the others in order.
fn in_order<'a>(ctx: &mut Ctx<'a>, first: usize, args: &'a [CExpr], vars: &mut Vars<'a>) -> Option<Vec<Step>> {
    let order = std::iter::once(first).chain(0..args.len());
    order.filter_map(|i| args.get(i)).find_map(|a| first_field(ctx, a, vars))
}

/// Whether the member of staff a `may` question is about (its first argument, on its last) held a
/// role that day: if not, it is they who are to blame, not the amount.
fn holds_a_role<'a>(ctx: &Ctx<'a>, args: &'a [CExpr], vars: &mut Vars<'a>) -> bool {
    match (args.first(), args.last(), ctx.cx.authority) {
        (Some(staff), Some(day), Some(auth)) => {
            let staff = eval(staff, ctx.record, &ctx.cx, vars);
            let day = super::eval::day(eval(day, ctx.record, &ctx.cx, vars));
            match (staff, day) {
                (V::Text(s), Some(d)) => auth.role_of(s, d).is_some(),
                _ => true,
            }
        }
        _ => true,
    }
}

/// A blamed path as a person writes it, from the record's shape: `acknowledged_at`,
/// `actions[2].amount` (list positions from 0). Empty for the record as a whole.
pub fn path_text(program: &super::Program, shape: super::types::ShapeId, steps: &[Step]) -> String {
    use super::types::Ty;
    let mut out = String::with_capacity(32);
    let top = Ty::Object(shape);
    let mut ty = &top;
    for step in steps {
        match step {
            Step::Field(slot) => {
                let field = match ty {
                    Ty::Object(s) => program.shapes.get(*s).and_then(|s| s.fields.get(usize::from(*slot))),
                    _ => None,
                };
                let Some(field) = field else { break };
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&field.name);
                ty = &field.ty;
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(itoa::Buffer::new().format(*i));
                out.push(']');
                if let Ty::List(inner) = ty {
                    ty = inner;
                }
            }
        }
    }
    out
}
