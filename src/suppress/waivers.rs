//! The waivers file: findings a compliance officer has accepted for a time, each with what it
//! covers, why, who approved it and until when.
//!
//! ```toml
//! [[waiver]]
//! rule = "answered-promptly"          # required: the rule id
//! record = "EQ-2009"                  # optional: one record (or group or case) by its id
//! staff = "amara.okafor"              # optional: records about this member of staff (`staff by`)
//! team = "Returns"                    # optional: records about this team (`team by`)
//! files = "legacy/**/*.csv"           # optional: record files matching this glob
//! justification = "..."               # required
//! approver = "Priya Sharma, Head of Compliance"   # required
//! expires = 2026-12-31                # required: the last day it waives
//! ```

use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::toml_read::{self, Field, Table, Tables};
use crate::diagnostics::{suggest, Diag};
use crate::engine::Program;
use crate::findings::Finding;
use crate::source::{SourceFile, Span};

const INVALID: &str = "precept::waiver::invalid";

/// A waivers file as written.
#[derive(Deserialize)]
struct Written {
    waiver: Tables<Entry>,
}

/// One `[[waiver]]` as written; the field order is the order "did you mean" lists the keys in.
#[derive(Deserialize)]
struct Entry {
    rule: Field<String>,
    record: Field<String>,
    staff: Field<String>,
    team: Field<String>,
    files: Field<String>,
    justification: Field<String>,
    approver: Field<String>,
    expires: Field<toml::value::Date>,
}

/// One waiver, checked.
#[derive(Debug)]
pub struct Waiver {
    /// The rule id it covers.
    pub rule: String,
    /// Only this record, group or case.
    pub record: Option<String>,
    /// Only records about this member of staff.
    pub staff: Option<String>,
    /// Only records about this team.
    pub team: Option<String>,
    /// Only record files matching this glob.
    pub files: Option<(String, crate::glob::Pattern)>,
    /// Why.
    pub justification: String,
    /// Who approved it.
    pub approver: String,
    /// The last day it waives.
    pub expires: Date,
    /// The file it is in and the whole `[[waiver]]` entry.
    pub file: SourceFile,
    /// See `file`.
    pub span: Span,
}

impl Waiver {
    /// Whether it covers `f` (whatever the date).
    pub fn covers(&self, f: &Finding) -> bool {
        f.rule_id() == self.rule
            && self.record.as_ref().is_none_or(|r| f.record_id.as_ref() == Some(r))
            && self.staff.as_ref().is_none_or(|s| f.staff.as_ref() == Some(s))
            && self.team.as_ref().is_none_or(|t| f.team.as_ref() == Some(t))
            && self.files.as_ref().is_none_or(|(_, m)| m.is_match(f.file.name.replace('\\', "/")))
    }

    /// `waivers.toml:12`.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file.name, self.file.line_col(self.span.start).0)
    }
}

/// Read a waivers file; problems (bad TOML, a missing justification, an unknown rule, a rule its
/// code does not allow to be waived) are diagnostics, and such a waiver waives nothing.
pub fn read(file: &SourceFile, program: &Program, diags: &mut Vec<Diag>) -> Vec<Waiver> {
    let doc = match toml_read::parse::<Written>(&file.text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, 0));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    // Keys in the file's order (`waiver` among the unknown ones), as diagnostics were always given.
    let entries = doc.fields.and_then(|w| w.waiver);
    let mut unknown = doc.unknown.keys.iter().peekable();
    while let Some(key) = unknown.next_if(|k| entries.is_none() || k.get_ref().as_str() < "waiver") {
        unknown_table(file, key, doc.unknown.known, diags);
    }
    if let Some(value) = entries {
        match value.get_ref().get() {
            None => diags.push(
                Diag::error(INVALID, "`waiver` must be an array of tables")
                    .at(file, toml_read::span(&value, 0), "not `[[waiver]]`")
                    .help("write one `[[waiver]]` section per waiver"),
            ),
            Some(items) => {
                for item in items {
                    let at = toml_read::span(item, 0);
                    if let Some(w) = waiver(file, item.get_ref(), at, program, diags) {
                        out.push(w);
                    }
                }
            }
        }
    }
    for key in unknown {
        unknown_table(file, key, doc.unknown.known, diags);
    }
    out
}

fn unknown_table(file: &SourceFile, key: &Spanned<String>, known: &[&str], diags: &mut Vec<Diag>) {
    let name = key.get_ref();
    diags.push(
        Diag::error(INVALID, format!("unknown table `{name}` in a waivers file"))
            .at(file, toml_read::span(key, 0), "not a waivers table")
            .help(suggest::help(name, known, "table")),
    );
}

fn waiver(file: &SourceFile, t: &Table<Entry>, at: Span, program: &Program, diags: &mut Vec<Diag>) -> Option<Waiver> {
    let Some(e) = &t.fields else {
        diags.push(
            Diag::error(INVALID, "a waiver must be a table")
                .at(file, at, "not a table")
                .help("write one `[[waiver]]` section per waiver"),
        );
        return None;
    };
    let before = diags.len();
    for key in &t.unknown.keys {
        let k = key.get_ref();
        diags.push(
            Diag::error(INVALID, format!("unknown key `{k}` in a waiver"))
                .at(file, toml_read::span(key, 0), "not a waiver key")
                .help(suggest::help(k, t.unknown.known, "key")),
        );
    }
    let missing = |name: &str| {
        Diag::error(INVALID, format!("this waiver has no `{name}`")).at(file, at, format!("needs `{name}`")).help(
            "every waiver names its rule, a justification, an approver and an expiry date (`expires = 2026-12-31`)",
        )
    };
    let mut text = |name: &str, field: &Field<String>, required: bool| -> Option<(String, Span)> {
        let Some(v) = field else {
            if required {
                diags.push(missing(name));
            }
            return None;
        };
        match v.get_ref().get() {
            Some(s) if !s.trim().is_empty() => Some((s.clone(), toml_read::span(v, 0))),
            _ => {
                diags.push(
                    Diag::error(INVALID, format!("a waiver's `{name}` must be non-empty text"))
                        .at(file, toml_read::span(v, 0), "not text")
                        .help(format!("write `{name} = \"...\"`")),
                );
                None
            }
        }
    };
    let rule = text("rule", &e.rule, true);
    let record = text("record", &e.record, false);
    let staff = text("staff", &e.staff, false);
    let team = text("team", &e.team, false);
    let files = text("files", &e.files, false);
    let justification = text("justification", &e.justification, true);
    let approver = text("approver", &e.approver, true);
    let expires = match &e.expires {
        Some(v) => {
            // A local date only: `toml::value::Date` refuses a time or an offset, and text.
            let d = v.get_ref().get().and_then(toml_read::date);
            if d.is_none() {
                diags.push(
                    Diag::error(INVALID, "a waiver's `expires` must be a date")
                        .at(file, toml_read::span(v, 0), "not a date")
                        .help("write `expires = 2026-12-31` (a TOML date, without quotes): the last day it waives"),
                );
            }
            d
        }
        None => {
            diags.push(missing("expires"));
            None
        }
    };
    let files = files.and_then(|(g, span)| match crate::glob::compile(&g) {
        Ok(glob) => Some((g, glob)),
        Err(e) => {
            diags.push(
                Diag::error(INVALID, format!("invalid file pattern `{}`", crate::glob::shown(&g)))
                    .at(file, span, e.to_string())
                    .help("patterns are globs such as `legacy/**/*.csv`"),
            );
            None
        }
    });
    let (rule, rule_span) = rule?;
    let rules: Vec<&crate::engine::program::CompiledRule> = program.rules.iter().filter(|r| r.id == rule).collect();
    if rules.is_empty() {
        let mut ids: Vec<&str> = program.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        diags.push(
            Diag::error(
                "precept::waiver::unknown-rule",
                format!("the waiver names rule `{rule}`, which the policies do not have"),
            )
            .at(file, rule_span, "no rule of this id")
            .help(suggest::help(&rule, &ids, "rule")),
        );
        return None;
    }
    if let Some(code) = rules.iter().filter_map(|r| program.codes.get(r.code)).find(|c| c.not_waivable) {
        diags.push(
            Diag::error(
                "precept::waiver::not-waivable",
                format!("rule `{rule}` may not be waived: its code, `{}`, says so", code.name),
            )
            .at(file, rule_span, "not waivable")
            .note(&code.file, code.span, "declared `not waivable` here")
            .help("fix what the findings point at instead; a code marked `not waivable` accepts no exceptions"),
        );
        return None;
    }
    if diags.len() > before {
        return None;
    }
    Some(Waiver {
        rule,
        record: record.map(|r| r.0),
        staff: staff.map(|s| s.0),
        team: team.map(|t| t.0),
        files,
        justification: justification?.0,
        approver: approver?.0,
        expires: expires?,
        file: file.clone(),
        span: at,
    })
}
