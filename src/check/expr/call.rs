//! Calls of built-in functions, checked from the registry in [`crate::engine::builtins`]: an unknown
//! name (with "did you mean" and the list of functions), the number of arguments, and each
//! argument's type against the entry's descriptors. Questions about roles and pure functions are
//! compiled here; aggregates and date functions go on to `check::group`, which types them by their
//! argument.

use super::{About, TypeCheck, T};
use crate::ast::{Expr, Name};
use crate::diagnostics::suggest;
use crate::engine::builtins::{self, Builtin, Family, Syntax};
use crate::engine::program::{CExpr, ScopeFn};
use crate::engine::types::Ty;
use crate::source::Span;

impl TypeCheck<'_> {
    /// `f(args)`.
    pub(super) fn call(&mut self, f: &Name, args: &[Expr], span: Span) -> Option<T> {
        let Some(first) = builtins::find(&f.text) else { return self.unknown_function(f, args) };
        if matches!(first.family, Family::Aggregate(_) | Family::Period(_)) {
            return self.group_call(f, first, args, span);
        }
        let Some(b) = builtins::overload(&f.text, args.len()) else {
            self.wrong_arguments(f, args.len(), span, format!("write `{}`", first.signature));
            return None;
        };
        if b.asks_about_roles() {
            self.uses_roles = true;
        }
        let checked = self.arguments(b, args)?;
        match b.family {
            Family::Role(func) => self.role_question(b, func, checked),
            _ => {
                let out = checked.into_iter().map(|t| t.e).collect();
                Some(T::new(CExpr::Call(b, out), b.result.ty()?))
            }
        }
    }

    /// Report a call of a function that does not exist, with the closest name (if any is close) and
    /// every function of the registry.
    fn unknown_function(&mut self, f: &Name, args: &[Expr]) -> Option<T> {
        let about = About::Function(f.text.clone());
        if self.reported_before(&about, f.span) {
            for a in args {
                self.check(a, None);
            }
            return None;
        }
        // Every function the registry has, so the help is never out of date; the closest first.
        let written =
            |syntax: Syntax| builtins::names().filter(move |n| builtins::find(n).is_some_and(|b| b.syntax == syntax));
        let calls: Vec<String> = written(Syntax::Call).map(|n| format!("`{n}`")).collect();
        let own: Vec<String> = written(Syntax::Own).map(|n| format!("`{n}(...)`")).collect();
        let all = format!(
            "the functions are {}; {} and `business days between(...)` are written as themselves",
            calls.join(", "),
            own.join(", ")
        );
        let help = match suggest::closest(&f.text, builtins::names()) {
            Some(near) => {
                let sig = builtins::find(near).map_or("", |b| b.signature);
                format!("did you mean `{near}`? It is written `{sig}`; {all}")
            }
            None => all,
        };
        self.err(
            "precept::type::unknown-function",
            format!("unknown function `{}`", f.text),
            f.span,
            "no function of this name",
        )
        .with_help(help);
        self.remember(about);
        for a in args {
            self.check(a, None);
        }
        None
    }

    /// Report a call with a number of arguments the function has no entry for.
    pub(in crate::check) fn wrong_arguments(&mut self, f: &Name, given: usize, span: Span, help: String) {
        let arities = builtins::arities(&f.text);
        let plural = if arities == [1] { "" } else { "s" };
        let takes = arities.iter().map(usize::to_string).collect::<Vec<_>>().join(" or ");
        self.err(
            "precept::type::wrong-arguments",
            format!("`{}` takes {takes} argument{plural}, not {given}", f.text),
            span,
            "wrong number of arguments",
        )
        .with_help(help);
    }

    /// Check each argument against its descriptor; an argument that may be missing is checked without
    /// demanding a value.
    fn arguments(&mut self, b: &Builtin, args: &[Expr]) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(args.len());
        let mut ok = true;
        for (a, p) in args.iter().zip(b.params) {
            let t = if p.optional { self.check(a, None) } else { self.value(a, None) };
            let Some(t) = t else {
                ok = false;
                continue;
            };
            if !p.accepts.fits(&t.ty) {
                let n = self.ty_name(&t.ty);
                self.err(
                    "precept::type::mismatch",
                    format!("the {} given to `{}` must be {}, not {n}", p.name, b.name, p.accepts.want()),
                    a.span,
                    format!("this is {n}"),
                )
                .with_help(format!("write `{}`", b.signature));
                ok = false;
                continue;
            }
            out.push(t);
        }
        ok.then_some(out)
    }

    /// A question about staff and roles, compiled to one the run's authority answers: enumeration
    /// values are asked by name, and a `may` amount in money carries its currency.
    fn role_question(&mut self, b: &Builtin, mut func: ScopeFn, args: Vec<T>) -> Option<T> {
        let mut out = Vec::with_capacity(args.len());
        for t in args {
            if let (ScopeFn::May { amount, .. }, Ty::Money(c)) = (func, &t.ty) {
                func = ScopeFn::May { amount, currency: Some(*c) };
            }
            let e = match &t.ty {
                Ty::Enum(id) => {
                    let names = self.enums.get(*id).map(|d| d.variants.iter().map(|v| v.as_str().into()).collect());
                    CExpr::EnumText(names.unwrap_or_default(), Box::new(t.e))
                }
                _ => t.e,
            };
            out.push(e);
        }
        let mut t = T::new(CExpr::Scope(func, out.into_boxed_slice()), b.result.ty()?);
        // Someone with no role that day has none: the rule must say what that means.
        t.optional = b.result.may_be_missing();
        Some(t)
    }
}
