//! Named values and definitions (`let`, `define`), expanded before rules are checked.
//!
//! A `let` in a rule, or a `let` or `define` in a code, is a name for an expression. Each use is
//! replaced by the expression (a `define`'s parameters by the call's arguments), so the type check,
//! the compiled program, evaluation and the strictness check of overrides ([`super::strictness`])
//! all see exactly what a rule written out by hand would say: nothing downstream knows about names.
//! That is what makes an override written with a `let` judged as if it were written out.
//!
//! What expansion must refuse, it refuses here, each with its own diagnostic: a name declared twice
//! in one scope, a name that would hide another (`record`, `group`, an enumeration value, a
//! built-in function, a code's definition, a quantifier's element), a `let` used before it is
//! written, a definition that uses itself (directly or through others), a call with the wrong
//! number of arguments, a name caught by a quantifier that binds the same name, and an expansion
//! past the depth or size any expression may have.
//!
//! Scoping is lexical: a definition's names mean what they meant where it was written. A code sees
//! its own definitions and those of the codes it extends; a definition redefined in an extending
//! code is the new one for the rules written there, and inherited rules keep the meaning they were
//! written with. Definitions from another file are placed, in diagnostics, at their use, since the
//! rule's file cannot point into theirs.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::ast::{self, Definition, Expr, ExprKind, Name, TemplatePart};
use crate::diagnostics::{suggest, Diag};
use crate::engine::builtins;
use crate::source::{SourceFile, Span};
use crate::syntax::MAX_EXPR_DEPTH;

mod tree;

use tree::{children_mut, depth, fold_counts, free_names, names_used, respan, size};

/// Most expression nodes one clause may expand to: far beyond any policy written by hand, and
/// small enough that definitions calling each other (each doubling the size) cannot exhaust memory.
pub const MAX_EXPANDED_NODES: usize = 20_000;

/// A name a use can be replaced by.
#[derive(Clone)]
struct Entry {
    /// The parameters of a `define`; `None` for a `let`.
    params: Option<Vec<String>>,
    /// The expression, its own uses of names already expanded.
    body: Expr,
    /// Where it was written.
    file: SourceFile,
    /// Its name as declared.
    name: Name,
    /// Names its body reads from its surroundings (`record`, enumeration values, parameters).
    free: HashSet<String>,
    /// Could not be expanded (reported where it is declared): rules using it are not checked, so
    /// that one mistake is reported once.
    broken: bool,
    /// Which declaration it is, for the unused warning.
    id: DefId,
    /// What it is called in messages: "`let deadline`" or "`define due`".
    what: &'static str,
}

/// A declaration: (code, index in its definitions), or (code, rule, index in its lets).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum DefId {
    Code(usize, usize),
    Rule(usize, usize, usize),
}

/// Names visible somewhere; entries are shared, since every code extending another starts from a
/// copy of its names.
type Env = HashMap<String, Rc<Entry>>;

/// What the checker knows that expansion needs: names a definition must not take.
pub(super) struct Known<'a> {
    /// Every enumeration value of every schema: a bare name may be one.
    pub variants: &'a HashSet<String>,
    /// Every field name of every schema: a bare one is probably a field missing `record.`.
    pub fields: &'a HashSet<String>,
}

/// Where a definition's body was written, so that diagnostics inside an expanded body can say
/// which rule's use of it they are about.
#[derive(Debug, Clone)]
pub(super) struct DefPlace {
    /// The file it is in.
    pub file: SourceFile,
    /// The body.
    pub span: Span,
    /// `let deadline` or `define due`.
    pub what: String,
    /// A code's definition, which several rules may use (a rule's own `let` needs no saying which
    /// rule it is in).
    pub shared: bool,
}

/// The codes with every rule's names expanded, in the order given; rules that could not be
/// expanded are left out (their problems are in `diags`). Also where definitions are, and the
/// (file, span, code) of diagnostics reported here that the type check would report again.
pub(super) struct Expansion {
    pub codes: Vec<ast::Code>,
    pub places: Vec<DefPlace>,
    pub claimed: Vec<(SourceFile, Span, &'static str)>,
}

/// Expand the definitions of `codes`.
pub(super) fn expand(codes: &[(&SourceFile, &ast::Code)], known: &Known<'_>, diags: &mut Vec<Diag>) -> Expansion {
    let mut x = Expander {
        known,
        diags,
        used: HashSet::new(),
        broken: HashSet::new(),
        claimed: Vec::new(),
        places: Vec::new(),
    };
    let mut envs: Vec<Option<Env>> = vec![None; codes.len()];
    let mut out = Vec::with_capacity(codes.len());
    for i in 0..codes.len() {
        x.code_env(codes, i, &mut envs);
    }
    for (i, (file, code)) in codes.iter().enumerate() {
        let env = envs.get(i).cloned().flatten().unwrap_or_default();
        let mut c = (*code).clone();
        c.rules = code.rules.iter().enumerate().filter_map(|(r, rule)| x.rule(file, &env, i, r, rule)).collect();
        out.push(c);
    }
    x.unused_definitions(codes);
    Expansion { codes: out, places: x.places, claimed: x.claimed }
}

struct Expander<'k, 'd> {
    known: &'k Known<'k>,
    diags: &'d mut Vec<Diag>,
    used: HashSet<DefId>,
    /// Definitions that could not be expanded (reported), which are not also called unused.
    broken: HashSet<DefId>,
    claimed: Vec<(SourceFile, Span, &'static str)>,
    places: Vec<DefPlace>,
}

/// The state of one walk over an expression.
struct Walk<'e> {
    file: &'e SourceFile,
    env: &'e Env,
    /// Names declared later in the same rule (a `let` may use only those before it).
    later: &'e [Definition],
    /// Quantifier elements bound around the current place.
    bound: Vec<Name>,
    /// Something could not be expanded (reported).
    failed: bool,
    /// A broken definition is used (reported at the definition).
    broken: bool,
    /// Nodes made so far, against [`MAX_EXPANDED_NODES`].
    nodes: usize,
    /// How deep the walk is in the expression it expands.
    depth: usize,
    /// The expression (or definition) being expanded, where expanding too far is reported: the
    /// node that passes the limit may be inside a body written elsewhere.
    site: Span,
    /// Whether a name that is not defined here but is close to one is reported (not while a
    /// body's parameters are replaced: its other names were looked at when it was expanded).
    suggest: bool,
    /// The definitions this walk used.
    used: Vec<DefId>,
}

impl<'e> Walk<'e> {
    fn new(file: &'e SourceFile, env: &'e Env, later: &'e [Definition]) -> Walk<'e> {
        Walk {
            file,
            env,
            later,
            bound: Vec::new(),
            failed: false,
            broken: false,
            nodes: 0,
            depth: 0,
            site: Span::default(),
            suggest: true,
            used: Vec::new(),
        }
    }
}

/// Every name reserved for something else, with what it is.
fn reserved(name: &str, known: &Known<'_>) -> Option<String> {
    match name {
        "record" => Some("`record`, the record being judged".into()),
        "group" => Some("`group`, the group or case being judged".into()),
        "opening" => Some("`opening`, the record that opened a case (in a case rule's message)".into()),
        _ if builtins::find(name).is_some() => Some(format!("the built-in function `{name}`")),
        _ if known.variants.contains(name) => Some(format!("the enumeration value `{name}`")),
        _ => None,
    }
}

impl Expander<'_, '_> {
    fn error(&mut self, code: &'static str, message: String, file: &SourceFile, span: Span, label: &str) -> &mut Diag {
        self.diags.push(Diag::error(code, message).at(file, span, label));
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    /// The names code `i` sees, computed once: its parent's, then its own over them. The chain of
    /// `extends` is followed without recursion, however long it is.
    fn code_env(&mut self, codes: &[(&SourceFile, &ast::Code)], i: usize, envs: &mut [Option<Env>]) {
        let parent_of = |c: usize| {
            let code = codes.get(c)?.1;
            let p = code.extends.as_ref()?;
            codes.iter().position(|(_, x)| x.name.value == p.value)
        };
        // From `i` up to the first code whose names are known, or that extends nothing; a circle of
        // `extends` (reported by `layers`) just ends it.
        let mut chain = vec![i];
        let mut seen: HashSet<usize> = HashSet::from([i]);
        while let Some(&last) = chain.last() {
            if envs.get(last).is_some_and(Option::is_some) {
                break;
            }
            match parent_of(last) {
                Some(p) if seen.insert(p) => chain.push(p),
                _ => break,
            }
        }
        let mut inherited = Env::new();
        for &c in chain.iter().rev() {
            if let Some(Some(env)) = envs.get(c) {
                inherited = env.clone();
                continue;
            }
            let Some((file, code)) = codes.get(c) else { continue };
            let env = self.own_definitions(file, c, code, std::mem::take(&mut inherited));
            if let Some(slot) = envs.get_mut(c) {
                *slot = Some(env.clone());
            }
            inherited = env;
        }
    }

    /// Add code `ci`'s own definitions to what it inherits, each expanded (in any order, each
    /// once, refusing circles).
    fn own_definitions(&mut self, file: &SourceFile, ci: usize, code: &ast::Code, inherited: Env) -> Env {
        let mut own: Vec<(usize, &Definition)> = Vec::new();
        let mut refused = Vec::new();
        for (di, d) in code.definitions.iter().enumerate() {
            let what = if d.params.is_some() { "define" } else { "let" };
            if let Some((_, first)) = own.iter().find(|(_, o)| o.name.text == d.name.text) {
                let first = first.name.span;
                self.error(
                    "precept::rule::duplicate-name",
                    format!("`{}` is defined twice in this code", d.name.text),
                    file,
                    d.name.span,
                    "defined again",
                )
                .with_label(first, "first defined here")
                .with_help("give each definition of a code its own name");
                continue;
            }
            if let Some(taken) = reserved(&d.name.text, self.known) {
                self.reserved_name(file, &d.name, &taken, what);
                continue;
            }
            if self.params_ok(file, d, &inherited, &code.definitions) {
                own.push((di, d));
            } else {
                refused.push(di);
            }
        }
        // Each own definition, expanded in the names it sees: its code's (own ones expanded first,
        // as they are met) over the inherited ones.
        let mut env = inherited;
        // Uses of a definition refused for its parameters are not reported again.
        for di in refused {
            if let Some(d) = code.definitions.get(di) {
                self.broken_entry(file, ci, di, d, &mut env);
            }
        }
        let mut state: HashMap<usize, bool> = HashMap::new(); // true: done; false: being expanded
        let order: Vec<usize> = own.iter().map(|(di, _)| *di).collect();
        // Each own definition by name (the first, when a name is given twice).
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        for (di, d) in &own {
            by_name.entry(d.name.text.as_str()).or_insert(*di);
        }
        for &di in &order {
            self.own_definition(file, ci, code, di, &by_name, &mut env, &mut state, &mut Vec::new());
        }
        env
    }

    /// Expand own definition `di` of code `ci` into `env`, first any own definition it uses.
    #[allow(clippy::too_many_arguments, reason = "one recursive walk over a code's definitions")]
    fn own_definition(
        &mut self,
        file: &SourceFile,
        ci: usize,
        code: &ast::Code,
        di: usize,
        by_name: &HashMap<&str, usize>,
        env: &mut Env,
        state: &mut HashMap<usize, bool>,
        path: &mut Vec<usize>,
    ) {
        let Some(d) = code.definitions.get(di) else { return };
        match state.get(&di) {
            Some(true) => return,
            Some(false) => {
                // A circle: reported once, at the definition where it closes.
                let from = path.iter().position(|&p| p == di).unwrap_or(0);
                let circle: Vec<String> = path
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .chain(std::iter::once(&di))
                    .filter_map(|&p| code.definitions.get(p).map(|x| format!("`{}`", x.name.text)))
                    .collect();
                let message = if circle.len() <= 2 {
                    format!("`{}` uses itself", d.name.text)
                } else {
                    format!("definitions use each other in a circle: {}", circle.join(" uses "))
                };
                self.error("precept::rule::recursive-definition", message, file, d.name.span, "defined through itself")
                    .with_help("a definition is written out where it is used, so it cannot use itself, directly or through others; write the repeated part out");
                self.broken_entry(file, ci, di, d, env);
                state.insert(di, true);
                return;
            }
            None => {}
        }
        if path.len() > MAX_EXPR_DEPTH as usize {
            // Definitions each using the next, deeper than any expression may nest.
            self.too_large(file, d.name.span);
            self.broken_entry(file, ci, di, d, env);
            state.insert(di, true);
            return;
        }
        state.insert(di, false);
        path.push(di);
        // First the own definitions this one uses, so that its body can be expanded in full.
        for name in names_used(&d.value) {
            if d.params.as_ref().is_some_and(|ps| ps.iter().any(|p| p.text == name)) {
                continue;
            }
            if let Some(&other) = by_name.get(name.as_str()) {
                if state.get(&other) != Some(&true) {
                    self.own_definition(file, ci, code, other, by_name, env, state, path);
                }
            }
        }
        path.pop();
        if state.get(&di) == Some(&true) {
            // Reported as part of a circle while its uses were expanded.
            return;
        }
        let params: Option<Vec<String>> = d.params.as_ref().map(|ps| ps.iter().map(|p| p.text.clone()).collect());
        // Inside its body, its parameters stand for themselves (they are replaced at each call).
        let mut w = Walk::new(file, env, &[]);
        w.bound = d.params.clone().unwrap_or_default();
        w.site = d.name.span;
        let body = self.walk(&mut w, &d.value);
        let (broken, used) = (w.failed || w.broken, std::mem::take(&mut w.used));
        let mut free = free_names(&body);
        for p in params.iter().flatten() {
            free.remove(p);
        }
        let id = DefId::Code(ci, di);
        self.used.extend(used.into_iter().filter(|u| *u != id));
        let what = if params.is_some() { "define" } else { "let" };
        if broken {
            self.broken.insert(id);
        }
        self.places.push(DefPlace {
            file: file.clone(),
            span: d.value.span,
            what: format!("{what} {}", d.name.text),
            shared: true,
        });
        env.insert(
            d.name.text.clone(),
            Rc::new(Entry { free, params, body, file: file.clone(), name: d.name.clone(), broken, id, what }),
        );
        state.insert(di, true);
    }

    fn broken_entry(&mut self, file: &SourceFile, ci: usize, di: usize, d: &Definition, env: &mut Env) {
        self.broken.insert(DefId::Code(ci, di));
        env.insert(
            d.name.text.clone(),
            Rc::new(Entry {
                params: d.params.as_ref().map(|ps| ps.iter().map(|p| p.text.clone()).collect()),
                body: d.value.clone(),
                file: file.clone(),
                name: d.name.clone(),
                free: HashSet::new(),
                broken: true,
                id: DefId::Code(ci, di),
                what: if d.params.is_some() { "define" } else { "let" },
            }),
        );
    }

    /// A `define`'s parameters: each named once, none hiding `record`, `group` or a definition.
    fn params_ok(&mut self, file: &SourceFile, d: &Definition, inherited: &Env, siblings: &[Definition]) -> bool {
        let mut ok = true;
        let mut seen: Vec<&Name> = Vec::new();
        for p in d.params.iter().flatten() {
            if let Some(first) = seen.iter().find(|s| s.text == p.text) {
                let first = first.span;
                self.error(
                    "precept::rule::duplicate-name",
                    format!("parameter `{}` is named twice", p.text),
                    file,
                    p.span,
                    "named again",
                )
                .with_label(first, "first named here")
                .with_help("give each parameter its own name");
                ok = false;
            } else if let Some(taken) = reserved(&p.text, self.known) {
                self.reserved_name(file, p, &taken, "parameter");
                ok = false;
            } else if inherited.contains_key(&p.text) || siblings.iter().any(|s| s.name.text == p.text) {
                self.error(
                    "precept::type::shadowed-name",
                    format!("parameter `{}` has the name of a definition of this code", p.text),
                    file,
                    p.span,
                    "hides the definition",
                )
                .with_help("name the parameter differently, so that the definition's body reads unambiguously");
                ok = false;
            }
            seen.push(p);
        }
        ok
    }

    fn reserved_name(&mut self, file: &SourceFile, n: &Name, taken: &str, what: &str) {
        let code = if builtins::find(&n.text).is_some() {
            "precept::rule::builtin-name"
        } else {
            "precept::type::shadowed-name"
        };
        self.error(code, format!("{what} `{}` would hide {taken}", n.text), file, n.span, "name already taken")
            .with_help("choose another name; names of definitions must not hide `record`, `group`, a built-in function or an enumeration value");
    }

    /// Expand rule `ri` of code `ci`: its lets, then every expression of its clauses. `None` when
    /// something could not be expanded (reported).
    fn rule(&mut self, file: &SourceFile, code_env: &Env, ci: usize, ri: usize, rule: &ast::Rule) -> Option<ast::Rule> {
        let mut env = code_env.clone();
        let mut ok = true;
        let mut declared: Vec<&Definition> = Vec::new();
        for (li, l) in rule.lets.iter().enumerate() {
            if let Some(first) = declared.iter().find(|d| d.name.text == l.name.text) {
                let first = first.name.span;
                self.error(
                    "precept::rule::duplicate-name",
                    format!("`let {}` is written twice in rule `{}`", l.name.text, rule.id.text),
                    file,
                    l.name.span,
                    "written again",
                )
                .with_label(first, "first written here")
                .with_help("give each `let` of a rule its own name");
                ok = false;
                continue;
            }
            if let Some(taken) = reserved(&l.name.text, self.known) {
                self.reserved_name(file, &l.name, &taken, "let");
                ok = false;
                continue;
            }
            if let Some(def) = code_env.get(&l.name.text) {
                let same_file = def.file.name == file.name;
                let d = self
                    .error(
                        "precept::type::shadowed-name",
                        format!("`let {}` would hide the code's `{} {}`", l.name.text, def.what, l.name.text),
                        file,
                        l.name.span,
                        "hides the code's definition",
                    )
                    .with_help("choose another name for the rule's `let`, or use the code's definition");
                if same_file {
                    d.labels.push(crate::diagnostics::Label {
                        span: def.name.span,
                        text: "the code's definition".into(),
                        primary: false,
                    });
                }
                ok = false;
                continue;
            }
            declared.push(l);
            let later = rule.lets.get(li..).unwrap_or_default();
            let mut w = Walk::new(file, &env, later);
            w.site = l.name.span;
            let body = self.walk(&mut w, &l.value);
            self.used.extend(w.used.iter().copied());
            ok &= !w.failed;
            self.places.push(DefPlace {
                file: file.clone(),
                span: l.value.span,
                what: format!("let {}", l.name.text),
                shared: false,
            });
            env.insert(
                l.name.text.clone(),
                Rc::new(Entry {
                    params: None,
                    free: free_names(&body),
                    body,
                    file: file.clone(),
                    name: l.name.clone(),
                    broken: w.failed || w.broken,
                    id: DefId::Rule(ci, ri, li),
                    what: "let",
                }),
            );
        }
        let mut out = rule.clone();
        let mut w = Walk::new(file, &env, &[]);
        self.clauses(&mut w, &mut out);
        ok &= !w.failed && !w.broken;
        self.used.extend(w.used.iter().copied());
        // A let used only by other lets is used.
        let used_lets: HashSet<usize> = self
            .used
            .iter()
            .filter_map(|u| match *u {
                DefId::Rule(c, r, l) if c == ci && r == ri => Some(l),
                _ => None,
            })
            .collect();
        out.lets = Vec::new();
        // A rule whose names could not be expanded has its problems reported already.
        let lets = if ok { rule.lets.as_slice() } else { &[] };
        for (li, l) in lets.iter().enumerate() {
            if used_lets.contains(&li) || !declared.iter().any(|d| std::ptr::eq(*d, l)) {
                continue;
            }
            self.diags.push(
                Diag::warning("precept::rule::unused-let", format!("`let {}` is never used", l.name.text))
                    .at(file, l.name.span, "not used")
                    .help("use it in the rule's `where`, `require`, message or help (`{name}`), or remove it"),
            );
            // Unused, it is still type-checked on its own (see `check::rules`).
            if let Some(e) = env.get(&l.name.text) {
                out.lets.push(Definition { name: l.name.clone(), params: None, value: e.body.clone(), span: l.span });
            }
        }
        ok.then_some(out)
    }

    /// Expand every expression of a rule's clauses in place.
    fn clauses(&mut self, w: &mut Walk<'_>, r: &mut ast::Rule) {
        let mut exprs: Vec<&mut Expr> = Vec::new();
        if let Some(f) = r.scope.as_mut().and_then(|s| s.filter.as_mut()) {
            exprs.push(f);
        }
        exprs.extend(r.requires.iter_mut());
        if let Some(g) = r.group.as_mut() {
            exprs.extend(g.keys.iter_mut().map(|(_, e)| e));
            if let Some(x) = g.expect.as_mut() {
                exprs.push(&mut x.on);
            }
        }
        if let Some(s) = r.sequence.as_mut() {
            exprs.push(&mut s.key);
            for ev in &mut s.events {
                exprs.extend(ev.when.as_mut());
                exprs.push(&mut ev.at);
                exprs.extend(ev.key.as_mut());
            }
            if let Some((e, _)) = s.within.as_mut() {
                exprs.push(e);
            }
            if let Some(u) = s.until.as_mut() {
                exprs.push(&mut u.at);
            }
            if let Some((ast::VersionBy::Field(e), _)) = s.version.as_mut() {
                exprs.push(e);
            }
        }
        // The message's holes and the help's: a `let` may be read in either.
        for t in r.message.iter_mut().chain(r.help.iter_mut()) {
            for p in &mut t.parts {
                if let TemplatePart::Hole(e) = p {
                    exprs.push(e);
                }
            }
        }
        for e in exprs {
            w.nodes = 0;
            w.site = e.span;
            *e = self.walk(w, e);
        }
    }

    /// `e` with every name in `w.env` replaced by what it names.
    fn walk(&mut self, w: &mut Walk<'_>, e: &Expr) -> Expr {
        w.nodes += 1;
        if w.nodes > MAX_EXPANDED_NODES || w.depth > MAX_EXPR_DEPTH as usize {
            if !w.failed {
                self.too_large(w.file, w.site);
            }
            w.failed = true;
            return e.clone();
        }
        w.depth += 1;
        let out = self.walk_node(w, e);
        w.depth -= 1;
        out
    }

    fn walk_node(&mut self, w: &mut Walk<'_>, e: &Expr) -> Expr {
        let kind = match &e.kind {
            ExprKind::Path(names) => return self.path(w, names, e),
            ExprKind::Call(f, args) => {
                let args: Vec<Expr> = args.iter().map(|a| self.walk(w, a)).collect();
                return self.call(w, f, args, e);
            }
            ExprKind::Quantifier(q, var, list, cond) => {
                let list = self.walk(w, list);
                self.binder(w, var);
                w.bound.push(var.clone());
                let cond = self.walk(w, cond);
                w.bound.pop();
                ExprKind::Quantifier(*q, var.clone(), Box::new(list), Box::new(cond))
            }
            ExprKind::Count(var, list, cond) => {
                let list = self.walk(w, list);
                if let Some(v) = var {
                    self.binder(w, v);
                    w.bound.push(v.clone());
                }
                let cond = cond.as_ref().map(|c| Box::new(self.walk(w, c)));
                if var.is_some() {
                    w.bound.pop();
                }
                ExprKind::Count(var.clone(), Box::new(list), cond)
            }
            other => {
                let mut k = other.clone();
                for child in children_mut(&mut k) {
                    *child = self.walk(w, child);
                }
                k
            }
        };
        Expr { kind, span: e.span }
    }

    /// A quantifier's element must not hide a definition.
    fn binder(&mut self, w: &mut Walk<'_>, var: &Name) {
        if let Some(def) = w.env.get(&var.text) {
            let what = def.what;
            self.error(
                "precept::type::shadowed-name",
                format!("`{}` would hide `{what} {}`", var.text, var.text),
                w.file,
                var.span,
                "already a name here",
            )
            .with_help("choose another name for the element");
            w.failed = true;
        }
    }

    fn path(&mut self, w: &mut Walk<'_>, names: &[Name], e: &Expr) -> Expr {
        let Some(first) = names.first() else { return e.clone() };
        if w.bound.iter().any(|b| b.text == first.text) {
            return e.clone();
        }
        let Some(entry) = w.env.get(&first.text).cloned() else {
            self.not_defined(w, first, false);
            return e.clone();
        };
        w.used.push(entry.id);
        if entry.broken {
            w.broken = true;
            return e.clone();
        }
        if let Some(ps) = &entry.params {
            let n = ps.len();
            self.error(
                "precept::type::wrong-arguments",
                format!(
                    "`{}` is a definition with {n} parameter{}: call it",
                    first.text,
                    if n == 1 { "" } else { "s" }
                ),
                w.file,
                first.span,
                "not called",
            )
            .with_help(format!("write `{}({})`", first.text, ps.join(", ")));
            w.failed = true;
            return e.clone();
        }
        self.capture(w, &entry, first.span);
        let body = self.placed(w, &entry, e.span);
        if names.len() == 1 {
            return body;
        }
        // `customer.kind` where `let customer = record.customer`: the path goes on.
        match body.kind {
            ExprKind::Path(mut inner) => {
                for n in &mut inner {
                    n.span = first.span;
                }
                inner.extend(names.iter().skip(1).cloned());
                Expr { kind: ExprKind::Path(inner), span: e.span }
            }
            _ => {
                self.error(
                    "precept::type::unknown-field",
                    format!("`{}` is a computed value, not an object with fields", first.text),
                    w.file,
                    e.span,
                    "no fields to read",
                )
                .with_help("fields can be read through a `let` only when it names a field path, like `let customer = record.customer`");
                w.failed = true;
                e.clone()
            }
        }
    }

    fn call(&mut self, w: &mut Walk<'_>, f: &Name, args: Vec<Expr>, e: &Expr) -> Expr {
        let Some(entry) = w.env.get(&f.text).cloned() else {
            if builtins::find(&f.text).is_none() {
                self.not_defined(w, f, true);
            }
            return Expr { kind: ExprKind::Call(f.clone(), args), span: e.span };
        };
        w.used.push(entry.id);
        if entry.broken {
            w.broken = true;
            return e.clone();
        }
        let Some(params) = &entry.params else {
            self.error(
                "precept::type::wrong-arguments",
                format!("`{}` is a value, not a function", f.text),
                w.file,
                e.span,
                "called",
            )
            .with_help(format!("`{}` is a `let`: write `{}` without arguments", f.text, f.text));
            w.failed = true;
            return e.clone();
        };
        if params.len() != args.len() {
            let n = params.len();
            self.error(
                "precept::type::wrong-arguments",
                format!("`{}` takes {n} argument{}, not {}", f.text, if n == 1 { "" } else { "s" }, args.len()),
                w.file,
                e.span,
                "wrong number of arguments",
            )
            .with_help(format!("write `{}({})`", f.text, params.join(", ")));
            w.failed = true;
            return e.clone();
        }
        self.capture(w, &entry, f.span);
        let body = self.placed(w, &entry, e.span);
        // The parameters, replaced by the arguments in the (already expanded) body.
        let mut env = Env::new();
        for (p, a) in params.iter().zip(args) {
            env.insert(
                p.clone(),
                Rc::new(Entry {
                    params: None,
                    free: free_names(&a),
                    body: a,
                    file: w.file.clone(),
                    name: Name { text: p.clone(), span: f.span },
                    broken: false,
                    id: entry.id,
                    what: "argument",
                }),
            );
        }
        let mut inner = Walk::new(w.file, &env, &[]);
        inner.nodes = w.nodes;
        inner.depth = w.depth;
        inner.site = w.site;
        inner.suggest = false;
        let mut out = self.walk_args(&mut inner, &body, &entry, f.span);
        w.nodes = inner.nodes;
        w.failed |= inner.failed;
        fold_counts(&mut out);
        out
    }

    /// Replace a body's parameters by arguments: the body's own quantifiers must not catch a name
    /// an argument reads.
    fn walk_args(&mut self, w: &mut Walk<'_>, body: &Expr, def: &Entry, call: Span) -> Expr {
        let out = self.walk(w, body);
        if w.failed && !def.file.name.eq(&w.file.name) {
            // Reported at the body's place, which is in another file: also say which call.
            if let Some(d) = self.diags.last_mut() {
                d.labels.push(crate::diagnostics::Label { span: call, text: "in this call".into(), primary: false });
            }
        }
        out
    }

    /// The body of `entry` as placed at a use: its own spans when it is written in the use's file,
    /// else the use's span throughout (the use's file cannot point into another).
    fn placed(&mut self, w: &mut Walk<'_>, entry: &Entry, at: Span) -> Expr {
        let mut body = entry.body.clone();
        w.nodes += size(&body);
        if w.nodes > MAX_EXPANDED_NODES {
            if !w.failed {
                self.too_large(w.file, w.site);
            }
            w.failed = true;
        }
        if entry.file.name != w.file.name {
            respan(&mut body, at);
        }
        if depth(&body) + w.depth > MAX_EXPR_DEPTH as usize {
            if !w.failed {
                self.too_large(w.file, w.site);
            }
            w.failed = true;
        }
        body
    }

    /// A name that a definition's body reads must mean the same at the use: a quantifier around
    /// the use that binds it would catch it.
    fn capture(&mut self, w: &mut Walk<'_>, entry: &Entry, at: Span) {
        if let Some(b) = w.bound.iter().rev().find(|b| entry.free.contains(&b.text)) {
            let (b, name) = (b.clone(), entry.name.text.clone());
            self.error(
                "precept::type::shadowed-name",
                format!("`{}` here would change what `{name}` reads", b.text),
                w.file,
                b.span,
                &format!("`{name}` reads a `{}` of its own", b.text),
            )
            .with_label(at, format!("`{name}` used here"))
            .with_help("choose another name for the element");
            w.failed = true;
        }
    }

    /// A name that is not a definition here: a `let` written later, or (when close to one) a
    /// misspelt definition; anything else is left to the type check.
    fn not_defined(&mut self, w: &mut Walk<'_>, n: &Name, called: bool) {
        let later = w.later.iter().find(|l| l.name.text == n.text);
        if let Some(l) = later.filter(|_| reserved(&n.text, self.known).is_none()) {
            let own = w.later.first().is_some_and(|f| std::ptr::eq(f, l));
            let message = if own {
                format!("`let {}` uses itself", n.text)
            } else {
                format!("`{}` is used before its `let`", n.text)
            };
            let span = l.name.span;
            self.error("precept::rule::let-order", message, w.file, n.span, "not defined yet")
                .with_label(span, "written here")
                .with_help("a `let` may use only the lets written before it: move it below the ones it uses");
            w.failed = true;
            return;
        }
        if !w.suggest {
            return;
        }
        if !called
            && (n.text == "record"
                || n.text == "group"
                || n.text == "opening"
                || self.known.variants.contains(&n.text)
                || self.known.fields.contains(&n.text))
        {
            return;
        }
        // Sorted: of names equally near, the suggestion is the same on every run.
        let mut names: Vec<&str> =
            w.env.iter().filter(|(_, e)| e.params.is_some() == called).map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if let Some(near) = suggest::closest(&n.text, names) {
            let what = w.env.get(near).map_or("let", |e| e.what);
            let code = if called { "precept::type::unknown-function" } else { "precept::type::unknown-name" };
            let kind = if called { "function" } else { "name" };
            self.error(code, format!("unknown {kind} `{}`", n.text), w.file, n.span, "not defined here")
                .with_help(format!("did you mean `{near}` (`{what} {near}`)?"));
            self.claimed.push((w.file.clone(), n.span, code));
            w.failed = true;
        }
    }

    fn too_large(&mut self, file: &SourceFile, at: Span) {
        self.error(
            "precept::rule::expansion-too-large",
            format!("written out, this expression is deeper than {MAX_EXPR_DEPTH} levels or larger than {MAX_EXPANDED_NODES} parts"),
            file,
            at,
            "expands too far",
        )
        .with_help("definitions are written out where they are used; nest fewer definitions inside each other, or split the condition into separate `require` clauses");
    }

    /// Warn about code-level definitions no rule of the code, or of a code extending it, uses.
    fn unused_definitions(&mut self, codes: &[(&SourceFile, &ast::Code)]) {
        for (ci, (file, code)) in codes.iter().enumerate() {
            for (di, d) in code.definitions.iter().enumerate() {
                if self.used.contains(&DefId::Code(ci, di)) || self.broken.contains(&DefId::Code(ci, di)) {
                    continue;
                }
                // A definition that was refused (a duplicate, a reserved name) is reported already.
                let first = code.definitions.iter().position(|x| x.name.text == d.name.text) == Some(di);
                if !first || reserved(&d.name.text, self.known).is_some() {
                    continue;
                }
                let what = if d.params.is_some() { "define" } else { "let" };
                self.diags.push(
                    Diag::warning(
                        "precept::rule::unused-let",
                        format!("`{what} {}` is never used by the rules of this code", d.name.text),
                    )
                    .at(file, d.name.span, "not used")
                    .help("use it in a rule of this code (or of a code that extends it), or remove it"),
                );
            }
        }
    }
}

impl super::Checker {
    /// Expand the names of `codes`, knowing the schemas (already checked).
    pub(super) fn expand(&mut self, codes: &[(&SourceFile, &ast::Code)]) -> Expansion {
        let variants: HashSet<String> = self.enums.iter().flat_map(|e| e.variants.iter().cloned()).collect();
        let fields: HashSet<String> =
            self.shapes.iter().flat_map(|s| s.fields.iter().map(|f| f.name.clone())).collect();
        expand(codes, &Known { variants: &variants, fields: &fields }, &mut self.diags)
    }

    /// Check a rule (see `check::rules`); a problem found inside a definition's body, which many
    /// rules may share, also says which rule it was checked for.
    pub(super) fn rule_in_context(
        &mut self,
        file: &SourceFile,
        code: usize,
        calendar: Option<usize>,
        rule: &ast::Rule,
        in_force: Option<super::Range>,
    ) -> Option<usize> {
        let mark = self.diags.len();
        let compiled = self.rule(file, code, calendar, rule, in_force);
        let mut again = vec![false; self.diags.len().saturating_sub(mark)];
        for (d, again) in self.diags.iter_mut().skip(mark).zip(again.iter_mut()) {
            let Some(primary) = d.labels.iter().find(|l| l.primary).map(|l| l.span) else { continue };
            let inside = self.definitions.iter().find(|p| {
                p.shared
                    && p.file.name == file.name
                    && d.file.as_ref().is_some_and(|f| f.name == file.name)
                    && p.span.start <= primary.start
                    && primary.end <= p.span.end
            });
            if let Some(place) = inside {
                // The same problem at the same place, for another rule that uses the definition
                // alike: said once, for the first rule (a problem that differs by schema says so
                // in its message, and is kept).
                let key = (file.name.to_string(), primary, d.code.to_string(), d.message.clone());
                if !self.shared_said.insert(key) {
                    *again = true;
                    continue;
                }
                d.message = format!("{} (in `{}`, as rule `{}` uses it)", d.message, place.what, rule.id.text);
                d.labels.push(crate::diagnostics::Label {
                    span: rule.id.span,
                    text: format!("checked for this rule's use of `{}`", place.what),
                    primary: false,
                });
            }
        }
        let mut flags = again.into_iter();
        let mut index = 0;
        self.diags.retain(|_| {
            index += 1;
            index <= mark || !flags.next().unwrap_or(false)
        });
        compiled
    }
}

/// Report each problem once: a definition used in several places is checked at each, and a
/// problem inside its body is the same problem every time. Also drops what the type check says
/// again about a name expansion already reported (`claimed`).
pub(super) fn once(diags: &mut Vec<Diag>, claimed: &[(SourceFile, Span, &'static str)]) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut said: HashSet<(String, Span, String)> = HashSet::new();
    diags.retain(|d| {
        let primary = d.labels.iter().find(|l| l.primary).map(|l| l.span);
        let file = d.file.as_ref().map(|f| f.name.to_string()).unwrap_or_default();
        if let Some(span) = primary {
            let key = (file.clone(), span, d.code.to_string());
            let is_claimed = claimed.iter().any(|(f, s, c)| *f.name == *file && *s == span && *c == d.code);
            if is_claimed && !said.insert(key) {
                return false;
            }
        }
        seen.insert(identity(d))
    });
}

/// What makes two diagnostics the same for [`once`]: everything but the file's text, which is
/// compared by name (every diagnostic of one file holds the same text), so that many rules sharing
/// one mistake cost a hash lookup each, not a comparison with every diagnostic before them.
fn identity(d: &Diag) -> String {
    use std::fmt::Write as _;
    let mut key = format!("{}\u{0}{:?}\u{0}{}\u{0}", d.code, d.level, d.message);
    if let Some(file) = &d.file {
        key.push_str(&file.name);
    }
    for l in &d.labels {
        let _ = write!(key, "\u{0}{}:{}:{}:{}", l.span.start, l.span.end, l.primary, l.text);
    }
    if let Some(help) = &d.help {
        let _ = write!(key, "\u{0}help {help}");
    }
    for r in &d.related {
        let _ = write!(key, "\u{0}related {}", identity(r));
    }
    key
}

/// Whether `e` reads the name `name` anywhere (as a path's first name or a call): for instance
/// whether a message reads `opening`, so that only such a rule binds it.
pub(super) fn reads_name(e: &ast::Expr, name: &str) -> bool {
    tree::names_used(e).iter().any(|n| n == name)
}
