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
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostics::{suggest, Diag};
use crate::engine::Program;
use crate::pipeline::Finding;
use crate::source::{SourceFile, Span};

const INVALID: &str = "precept::waiver::invalid";

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
    let doc = match DeTable::parse(&file.text) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, 0));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        let name: &str = key.get_ref().as_ref();
        let key_span = span_of(key);
        if name != "waiver" {
            diags.push(
                Diag::error(INVALID, format!("unknown table `{name}` in a waivers file"))
                    .at(file, key_span, "not a waivers table")
                    .help(suggest::help(name, &["waiver"], "table")),
            );
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            diags.push(
                Diag::error(INVALID, "`waiver` must be an array of tables")
                    .at(file, span_of(value), "not `[[waiver]]`")
                    .help("write one `[[waiver]]` section per waiver"),
            );
            continue;
        };
        for item in items.iter() {
            let DeValue::Table(t) = item.get_ref() else {
                diags.push(
                    Diag::error(INVALID, "a waiver must be a table")
                        .at(file, span_of(item), "not a table")
                        .help("write one `[[waiver]]` section per waiver"),
                );
                continue;
            };
            if let Some(w) = waiver(file, t, span_of(item), program, diags) {
                out.push(w);
            }
        }
    }
    out
}

fn span_of<T>(v: &Spanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

const KEYS: [&str; 8] = ["rule", "record", "staff", "team", "files", "justification", "approver", "expires"];

fn waiver(file: &SourceFile, t: &DeTable<'_>, at: Span, program: &Program, diags: &mut Vec<Diag>) -> Option<Waiver> {
    let before = diags.len();
    for (key, _) in t.iter() {
        let k: &str = key.get_ref().as_ref();
        if !KEYS.contains(&k) {
            diags.push(
                Diag::error(INVALID, format!("unknown key `{k}` in a waiver"))
                    .at(file, span_of(key), "not a waiver key")
                    .help(suggest::help(k, &KEYS, "key")),
            );
        }
    }
    let mut text = |name: &str, required: bool| -> Option<(String, Span)> {
        match t.get(name) {
            Some(v) => match v.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => Some((s.to_string(), span_of(v))),
                _ => {
                    diags.push(
                        Diag::error(INVALID, format!("a waiver's `{name}` must be non-empty text"))
                            .at(file, span_of(v), "not text")
                            .help(format!("write `{name} = \"...\"`")),
                    );
                    None
                }
            },
            None if required => {
                diags.push(
                    Diag::error(INVALID, format!("this waiver has no `{name}`"))
                        .at(file, at, format!("needs `{name}`"))
                        .help("every waiver names its rule, a justification, an approver and an expiry date (`expires = 2026-12-31`)"),
                );
                None
            }
            None => None,
        }
    };
    let rule = text("rule", true);
    let record = text("record", false);
    let staff = text("staff", false);
    let team = text("team", false);
    let files = text("files", false);
    let justification = text("justification", true);
    let approver = text("approver", true);
    let expires = match t.get("expires") {
        Some(v) => match v.get_ref() {
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                let d = d.date?;
                Date::new(i16::try_from(d.year).ok()?, i8::try_from(d.month).ok()?, i8::try_from(d.day).ok()?).ok()
            }
            _ => None,
        }
        .or_else(|| {
            diags.push(
                Diag::error(INVALID, "a waiver's `expires` must be a date")
                    .at(file, span_of(v), "not a date")
                    .help("write `expires = 2026-12-31` (a TOML date, without quotes): the last day it waives"),
            );
            None
        }),
        None => {
            diags.push(Diag::error(INVALID, "this waiver has no `expires`").at(file, at, "needs `expires`").help(
                "every waiver names its rule, a justification, an approver and an expiry date (`expires = 2026-12-31`)",
            ));
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
