//! `precept explain`: what a rule says (its code, level, clause, days in force, the policy text and
//! help), or what a diagnostic code means, with an example that provokes it and its fix.
//!
//! Separate from [`super::check`] because it reads only the policies and checks no records; it
//! shares that command's stderr. Every code Precept prints is accepted, written in full
//! (`precept::type::unknown-field`, `precept::rule::<rule-id>`) or without `precept::`
//! (`type::unknown-field`, `rule::<rule-id>`), and a rule also by its bare id. No rule may take
//! the name of a `precept::rule::` diagnostic code (`precept::rule::reserved-id`), so
//! `precept::rule::duplicate-id` is always the diagnostic code and `precept::rule::<id>` of any
//! other id always a rule.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::check::Stderr;
use super::{Format, Out, Status};
use crate::diagnostics::examples::{Example, File};
use crate::diagnostics::registry::{self, CodeInfo};
use crate::diagnostics::Diag;
use crate::engine::program::{CompiledRule, Program};
use crate::text::{escape, guard};

/// What `precept explain` was asked about.
#[derive(Debug)]
enum Subject {
    /// A registered diagnostic code.
    Code(&'static CodeInfo),
    /// A rule of the policies, by id (from `precept::rule::<id>`, `rule::<id>` or `<id>`).
    Rule(String),
    /// Written like a code (`family::name`) but no code.
    NoSuchCode(String),
}

/// Read `what` as a code or a rule id (see the module documentation).
fn subject(what: &str) -> Subject {
    let what = what.trim();
    // Codes are lower case, and may be written in any case (`PRECEPT::PARSE::TOO-DEEP`); a rule's
    // id keeps the case it was written in.
    let prefixed = what.get(..9).is_some_and(|p| p.eq_ignore_ascii_case("precept::"));
    let rest = if prefixed { what.get(9..).unwrap_or("") } else { what };
    if !rest.contains("::") {
        return if prefixed {
            Subject::NoSuchCode(format!("precept::{rest}"))
        } else {
            Subject::Rule(rest.to_string())
        };
    }
    let full = format!("precept::{}", rest.to_ascii_lowercase());
    let rule = rest.get(..6).filter(|p| p.eq_ignore_ascii_case("rule::")).and_then(|_| rest.get(6..));
    match (registry::lookup(&full), rule) {
        (Some(info), _) => Subject::Code(info),
        (None, Some(id)) if !id.is_empty() && !id.contains("::") => Subject::Rule(id.to_string()),
        (None, _) => Subject::NoSuchCode(full),
    }
}

/// `precept explain`.
pub(super) fn explain(args: super::ExplainArgs) -> Status {
    let mut err = Stderr::open();
    let mut out = Out::new(std::io::stdout().lock());
    let status = explain_to(&args, &mut out, &mut err);
    super::finish_stdout(&mut out, &mut err.out, err.style, status)
}

fn explain_to(args: &super::ExplainArgs, out: &mut Out<std::io::StdoutLock<'static>>, err: &mut Stderr) -> Status {
    let id = match subject(&args.what) {
        Subject::Code(info) => {
            let example = crate::diagnostics::examples::example(info.code);
            match args.format {
                Format::Human => out.put(&guard(&code_text(info, example.as_ref()), false)),
                Format::Json => out.put(&json_text(&code_json(info, example.as_ref()))),
            }
            return Status::Clean;
        }
        Subject::NoSuchCode(code) => {
            let names: Vec<&str> = registry::CODES.iter().map(|c| c.code).collect();
            err.diag(
                &Diag::error("precept::usage::explain", format!("`{code}` is not a Precept diagnostic code"))
                    .help(crate::diagnostics::suggest::help(&code, &names, "code")),
            );
            return Status::Failed;
        }
        Subject::Rule(id) => id,
    };
    let policies = if args.policies.is_empty() { vec![PathBuf::from("policies")] } else { args.policies.clone() };
    let (program, diags) = crate::workspace::load_policies(&policies);
    let Some(program) = program else {
        for d in &diags {
            err.diag(d);
        }
        return Status::Failed;
    };
    let versions: Vec<&CompiledRule> = program.rules.iter().filter(|r| r.id == id).collect();
    if versions.is_empty() {
        err.diag(&no_rule(&program, &id));
        return Status::Failed;
    }
    let versions: Vec<Version<'_>> = versions.into_iter().map(|r| Version::of(&program, r)).collect();
    match args.format {
        Format::Human => out.put(&guard(&rule_text(&versions), false)),
        Format::Json => out.put(&json_text(&rule_json(&id, &versions))),
    }
    Status::Clean
}

/// No rule `id`: the nearest rule id, or the code a bare code name (`unknown-field`) stands for.
fn no_rule(program: &Program, id: &str) -> Diag {
    let mut ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let suffix = format!("::{id}");
    let help = match registry::CODES.iter().find(|c| c.code.ends_with(&suffix)) {
        Some(c) => format!("no rule has that id; did you mean the diagnostic code `{}`?", c.code),
        None => crate::diagnostics::suggest::help(id, &ids, "rule"),
    };
    Diag::error("precept::usage::explain", format!("no rule `{id}` in the policies, and it is not a diagnostic code"))
        .help(help)
}

fn json_text(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    text
}

/// The family of a code (`type` of `precept::type::unknown-field`).
fn family_name(code: &str) -> &str {
    code.split("::").nth(1).unwrap_or("")
}

fn code_text(info: &CodeInfo, example: Option<&Example>) -> String {
    let family = registry::family(info.code);
    let mut text = format!("{}\n\n{}.\n", info.code, crate::report::sarif::capitalise(info.summary));
    if !family.is_empty() {
        text.push_str(&format!("\n{family}\n"));
    }
    let Some(e) = example else { return text };
    text.push_str("\nExample");
    if !e.note.is_empty() {
        text.push_str(": ");
        text.push_str(&e.note);
    }
    text.push_str(&format!("\n\n    $ {}\n", e.run.join(" ")));
    files_text(&mut text, &e.files);
    text.push_str("\nFix");
    if let Some(run) = &e.fix_run {
        text.push_str(&format!(": run\n\n    $ {}\n", run.join(" ")));
        if !e.fix.is_empty() {
            text.push_str("\nwith");
        }
    }
    if !e.fix.is_empty() {
        text.push_str(":\n");
        files_text(&mut text, &e.fix);
    }
    text
}

fn files_text(text: &mut String, files: &[File]) {
    for f in files {
        if let Some(target) = f.link() {
            text.push_str(&format!("\n    {} -> {} (a symbolic link)\n", f.path, target));
            continue;
        }
        text.push_str(&format!("\n    {}:\n", f.path));
        if f.text.is_empty() {
            text.push_str("      (empty)\n");
        }
        for line in f.text.lines() {
            if line.is_empty() {
                text.push('\n');
            } else {
                text.push_str(&format!("      {line}\n"));
            }
        }
    }
}

fn files_json(files: &[File]) -> Value {
    files.iter().map(|f| json!({ "path": f.path, "lang": f.lang, "text": f.text })).collect()
}

fn code_json(info: &CodeInfo, example: Option<&Example>) -> Value {
    let example = example.map(|e| {
        json!({
            "note": e.note,
            "run": e.run,
            "files": files_json(&e.files),
            "fix": { "run": e.fixed_run(), "files": files_json(&e.fix) },
        })
    });
    json!({
        "kind": "code",
        "code": info.code,
        "family": family_name(info.code),
        "summary": info.summary,
        "about": registry::family(info.code),
        "example": example,
    })
}

/// One version of a rule, as explained.
struct Version<'a> {
    rule: &'a CompiledRule,
    code: Option<&'a crate::engine::program::CodeInfo>,
    /// The code it overrides, and why it relaxes it (`None`: at least as strictly).
    overrides: Option<(&'a str, Option<&'a str>)>,
    /// An extending code overrides it on every day.
    runs: bool,
    line: usize,
    /// The rule as written, less its first line's indent.
    written: String,
}

impl<'a> Version<'a> {
    fn of(program: &'a Program, r: &'a CompiledRule) -> Version<'a> {
        let index = program.rules.iter().position(|x| std::ptr::eq(x, r)).unwrap_or(0);
        let overrides = r.overrides.as_ref().map(|o| {
            let parent = program.codes.get(o.code).map_or("", |c| c.name.as_str());
            (parent, o.relaxes.as_deref())
        });
        let (line, column) = r.file.line_col(r.span.start);
        let indent = column.saturating_sub(1);
        let mut written = String::new();
        for (i, l) in r.file.slice(r.span).lines().enumerate() {
            let l = if i == 0 { l } else { l.get(indent.min(l.len() - l.trim_start().len())..).unwrap_or(l) };
            written.push_str(l);
            written.push('\n');
        }
        Version {
            rule: r,
            code: program.codes.get(r.code),
            overrides,
            runs: program.running().contains(&index),
            line,
            written,
        }
    }

    fn waivable(&self) -> bool {
        !self.code.is_some_and(|c| c.not_waivable)
    }
}

fn rule_text(versions: &[Version<'_>]) -> String {
    let mut text = String::new();
    for (n, v) in versions.iter().enumerate() {
        let r = v.rule;
        if n > 0 {
            text.push_str("\n---\n\n");
        }
        text.push_str(&format!("{}: {}\n\n", r.id, escape(&r.title)));
        if let Some(c) = v.code {
            let version = c.version.as_ref().map(|v| format!(", version {v}")).unwrap_or_default();
            text.push_str(&format!("code:      {} ({} code{})\n", escape(&c.name), c.level.as_str(), escape(&version)));
        }
        if let Some(cite) = &r.cite {
            text.push_str(&format!("clause:    {}\n", escape(cite)));
        }
        text.push_str(&format!("severity:  {}\n", r.severity.as_str()));
        if let Some(range) = r.in_force {
            text.push_str(&format!("in force:  {}\n", crate::engine::format::in_force(range)));
        }
        match v.overrides {
            Some((parent, Some(why))) => text.push_str(&format!(
                "overrides: the rule of the same id in `{}`, relaxing it: {}\n",
                escape(parent),
                escape(why)
            )),
            Some((parent, None)) => text.push_str(&format!(
                "overrides: the rule of the same id in `{}`, at least as strictly\n",
                escape(parent)
            )),
            None => {}
        }
        if !v.runs {
            text.push_str("note:      an extending code overrides this rule on every day, so it does not run\n");
        }
        if !v.waivable() {
            text.push_str("waivers:   none allowed (the code is `not waivable`)\n");
        }
        text.push_str(&format!("policy:    {}:{}\n\n", escape(&r.file.name), v.line));
        for l in v.written.lines() {
            text.push_str("    ");
            text.push_str(&escape(l));
            text.push('\n');
        }
        if let Some(help) = &r.help {
            text.push_str(&format!("\nhelp: {}\n", escape(help)));
        }
    }
    text
}

fn rule_json(id: &str, versions: &[Version<'_>]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            let r = v.rule;
            json!({
                "title": r.title,
                "code": v.code.map(|c| json!({ "name": c.name, "level": c.level.as_str(), "version": c.version })),
                "clause": r.cite,
                "severity": r.severity.as_str(),
                "in_force": r.in_force.map(crate::engine::format::in_force),
                "overrides": v.overrides.map(|(code, relaxes)| json!({ "code": code, "relaxes": relaxes })),
                "runs": v.runs,
                "waivable": v.waivable(),
                "policy": { "file": &*r.file.name, "line": v.line },
                "text": v.written,
                "help": r.help,
            })
        })
        .collect();
    json!({ "kind": "rule", "code": format!("precept::rule::{id}"), "id": id, "versions": versions })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl PartialEq for Subject {
        fn eq(&self, other: &Subject) -> bool {
            match (self, other) {
                (Subject::Code(a), Subject::Code(b)) => a.code == b.code,
                (Subject::Rule(a), Subject::Rule(b)) | (Subject::NoSuchCode(a), Subject::NoSuchCode(b)) => a == b,
                _ => false,
            }
        }
    }

    #[test]
    fn every_spelling_of_a_code_or_a_rule_is_read() {
        let field = registry::lookup("precept::type::unknown-field").unwrap();
        assert_eq!(subject("precept::type::unknown-field"), Subject::Code(field));
        assert_eq!(subject(" type::unknown-field "), Subject::Code(field));
        assert_eq!(
            subject(concat!("precept", "::rule::complaint-acknowledged")),
            Subject::Rule("complaint-acknowledged".into())
        );
        assert_eq!(subject("rule::complaint-acknowledged"), Subject::Rule("complaint-acknowledged".into()));
        assert_eq!(subject("complaint-acknowledged"), Subject::Rule("complaint-acknowledged".into()));
        // A registered code's name is no rule's id (`precept::rule::reserved-id`).
        let dup = registry::lookup("precept::rule::duplicate-id").unwrap();
        assert_eq!(subject("rule::duplicate-id"), Subject::Code(dup));
        assert_eq!(
            subject("type::unknown-feild"),
            Subject::NoSuchCode(concat!("precept", "::type::unknown-feild").into())
        );
        assert_eq!(subject("precept::nothing"), Subject::NoSuchCode("precept::nothing".into()));
        assert_eq!(subject("rule::"), Subject::NoSuchCode("precept::rule::".into()));
        // Any case, and no second prefix in what is said back (found in review).
        assert_eq!(
            subject("PRECEPT::PARSE::TOO-DEEP"),
            Subject::Code(registry::lookup("precept::parse::too-deep").unwrap())
        );
        // (The expected text is built, so that no unregistered code is written in the source.)
        assert_eq!(subject("Precept::Nothing::Here"), Subject::NoSuchCode(["precept", "nothing", "here"].join("::")));
        assert_eq!(subject("RULE::My-Rule"), Subject::Rule("My-Rule".into()));
    }
}
