//! `precept explain`: what a rule says (its code, level, clause, days in force, the policy text and
//! help), or what a diagnostic code means.
//!
//! Separate from [`super::check`] because it reads only the policies and checks no records; it
//! shares that command's stderr.

use std::path::PathBuf;

use super::check::Stderr;
use super::{Out, Status};
use crate::diagnostics::Diag;
use crate::text::{escape, guard};

/// `precept explain`: a rule (title, code, level, clause, days in force, the policy text, help) or
/// a diagnostic code (its summary and what its family is about).
pub(super) fn explain(args: super::ExplainArgs) -> Status {
    let mut err = Stderr::open();
    let mut out = Out::new(std::io::stdout().lock());
    let status = explain_to(&args, &mut out, &mut err);
    super::finish_stdout(&mut out, &mut err.out, err.style, status)
}

fn explain_to(args: &super::ExplainArgs, out: &mut Out<std::io::StdoutLock<'static>>, err: &mut Stderr) -> Status {
    let what = args.what.trim();
    if what.starts_with("precept::") {
        let codes = crate::diagnostics::registry::CODES;
        return match crate::diagnostics::registry::lookup(what) {
            Some(info) => {
                let family = crate::diagnostics::registry::family(info.code);
                out.put(&format!("{}\n\n{}.\n\n{family}\n", info.code, crate::report::sarif::capitalise(info.summary)));
                Status::Clean
            }
            None => {
                let names: Vec<&str> = codes.iter().map(|c| c.code).collect();
                err.diag(
                    &Diag::error("precept::usage::explain", format!("`{what}` is not a Precept diagnostic code"))
                        .help(crate::diagnostics::suggest::help(what, &names, "code")),
                );
                Status::Failed
            }
        };
    }
    let policies = if args.policies.is_empty() { vec![PathBuf::from("policies")] } else { args.policies.clone() };
    let (program, diags) = crate::workspace::load_policies(&policies);
    let Some(program) = program else {
        for d in &diags {
            err.diag(d);
        }
        return Status::Failed;
    };
    let versions: Vec<&crate::engine::program::CompiledRule> = program.rules.iter().filter(|r| r.id == what).collect();
    if versions.is_empty() {
        let mut ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        err.diag(
            &Diag::error(
                "precept::usage::explain",
                format!("no rule `{what}` in the policies, and it is not a diagnostic code"),
            )
            .help(crate::diagnostics::suggest::help(what, &ids, "rule")),
        );
        return Status::Failed;
    }
    let running = program.running();
    let mut text = String::new();
    for (n, r) in versions.iter().enumerate() {
        if n > 0 {
            text.push_str("\n---\n\n");
        }
        let code = program.codes.get(r.code);
        let index = program.rules.iter().position(|x| std::ptr::eq(x, *r)).unwrap_or(0);
        text.push_str(&format!("{}: {}\n\n", r.id, escape(&r.title)));
        if let Some(c) = code {
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
        if let Some(o) = &r.overrides {
            let parent = program.codes.get(o.code).map_or("", |c| c.name.as_str());
            match &o.relaxes {
                Some(why) => text.push_str(&format!(
                    "overrides: the rule of the same id in `{parent}`, relaxing it: {}\n",
                    escape(why)
                )),
                None => {
                    text.push_str(&format!("overrides: the rule of the same id in `{parent}`, at least as strictly\n"))
                }
            }
        }
        if !running.contains(&index) {
            text.push_str("note:      an extending code overrides this rule on every day, so it does not run\n");
        }
        if code.is_some_and(|c| c.not_waivable) {
            text.push_str("waivers:   none allowed (the code is `not waivable`)\n");
        }
        let (line, _) = r.file.line_col(r.span.start);
        text.push_str(&format!("policy:    {}:{line}\n\n", escape(&r.file.name)));
        // The rule as written, from the start of its first line, less that line's indent.
        let (_, column) = r.file.line_col(r.span.start);
        let indent = column.saturating_sub(1);
        for (i, l) in r.file.slice(r.span).lines().enumerate() {
            let l = if i == 0 { l } else { l.get(indent.min(l.len() - l.trim_start().len())..).unwrap_or(l) };
            text.push_str("    ");
            text.push_str(&escape(l));
            text.push('\n');
        }
        if let Some(help) = &r.help {
            text.push_str(&format!("\nhelp: {}\n", escape(help)));
        }
    }
    out.put(&guard(&text, false));
    Status::Clean
}
