//! Role files (TOML) to the [`Org`] model, keeping the span of every value.
//!
//! A folder of role files is merged: `[actions]`, `[qualifications]` and `[areas]` tables and
//! `[[role]]` and `[[staff]]` arrays may appear in any file. Values of the wrong shape are reported
//! (`precept::role::invalid-definition`) and the rest of the file is still read.
//!
//! Why this walks the TOML tree by hand rather than deserialising with serde, as the settings and
//! waivers are (`crate::diagnostics::toml_read`): role files are the one TOML input that runs to
//! tens of megabytes (an organisation's whole staff), and serde's span-keeping deserialisation of
//! every value measured 1.46x the CPU time of `cargo bench --bench lint` (100,000 staff); the
//! diagnostics were the same either way. The file is over 600 lines for the same reason: each kind
//! of entry (actions, qualifications, areas, roles, staff) is walked and checked here, in one pass.

use std::str::FromStr;

use jiff::civil::Date;
use jiff::SignedDuration;
use rust_decimal::Decimal;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::model::*;
use crate::diagnostics::suggest;
use crate::diagnostics::Diag;
use crate::engine::types::Currency;
use crate::source::{SourceFile, Span};

const INVALID: &str = "precept::role::invalid-definition";

type Value<'i> = Spanned<DeValue<'i>>;

/// Read one role file into `org`, reporting problems into `diags`.
///
/// A file is cut at its top-level headers (`[[role]]`, `[[staff]]`, `[actions]`, ...) and the pieces
/// are parsed in parallel, each on its own: a file of 100,000 staff never becomes one huge TOML
/// tree, and the result is the same as parsing it whole. Files with multi-line strings, where a
/// header-like line could sit inside a string, are parsed whole.
pub fn read_file(file: &SourceFile, org: &mut Org, diags: &mut Vec<Diag>) {
    use rayon::prelude::*;
    let text = file.text.as_ref();
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let chunks = chunks(text, bom);
    let parts: Vec<(Org, Vec<Diag>)> = chunks
        .par_iter()
        .map(|&(start, end)| {
            let mut part = Org::default();
            let mut found = Vec::new();
            read_chunk(file, start, end, &mut part, &mut found);
            (part, found)
        })
        .collect();
    for (part, mut found) in parts {
        org.actions.extend(part.actions);
        org.qualifications.extend(part.qualifications);
        org.areas.extend(part.areas);
        org.roles.extend(part.roles);
        org.staff.extend(part.staff);
        diags.append(&mut found);
    }
}

/// Byte ranges of the pieces of a role file, each starting at a top-level header.
fn chunks(text: &str, start: usize) -> Vec<(usize, usize)> {
    if text.contains("\"\"\"") || text.contains("\'\'\'") {
        return vec![(start, text.len())];
    }
    let mut cuts = vec![start];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let head = line.trim_start();
        let header = ["[[role]]", "[[staff]]", "[actions]", "[qualifications]", "[areas]"].iter().any(|h| {
            head.strip_prefix(h).is_some_and(|rest| rest.trim_start().is_empty() || rest.trim_start().starts_with('#'))
        });
        if header && offset > start {
            cuts.push(offset);
        }
        offset += line.len();
    }
    let mut out = Vec::with_capacity(cuts.len());
    for (i, &c) in cuts.iter().enumerate() {
        out.push((c, cuts.get(i + 1).copied().unwrap_or(text.len())));
    }
    out
}

fn read_chunk(file: &SourceFile, start: usize, end: usize, org: &mut Org, diags: &mut Vec<Diag>) {
    let body = file.text.get(start..end).unwrap_or("");
    let doc = match DeTable::parse(body) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, start));
            return;
        }
    };
    let mut r = Reader { file, base: start, diags };
    // Declarations first, so references in the same file can be checked in any order later.
    for (key, value) in doc.get_ref().iter() {
        let name: &str = key.get_ref().as_ref();
        match name {
            "actions" => r.actions(value, org),
            "qualifications" => r.named(value, &mut org.qualifications, "qualification"),
            "areas" => r.named(value, &mut org.areas, "training area"),
            "role" => r.each(value, "role", |r, t, at| {
                if let Some(role) = r.role(t, at) {
                    org.roles.push(role);
                }
            }),
            "staff" => r.each(value, "staff", |r, t, at| {
                if let Some(s) = r.staff(t, at) {
                    org.staff.push(s);
                }
            }),
            other => {
                let at = r.span(key);
                let known = ["actions", "qualifications", "areas", "role", "staff"];
                let help = suggest::help(other, &known, "table");
                r.invalid(format!("unknown table `{other}` in a role file"), at, "not a role file table", help);
            }
        }
    }
}

struct Reader<'a> {
    file: &'a SourceFile,
    /// Where this piece starts in the file: added to every span.
    base: usize,
    diags: &'a mut Vec<Diag>,
}

impl Reader<'_> {
    fn span<T>(&self, v: &Spanned<T>) -> Span {
        let r = v.span();
        Span::new(r.start + self.base, r.end + self.base)
    }

    fn place(&self, span: Span) -> Place {
        Place { file: self.file.clone(), span }
    }

    fn invalid(&mut self, message: String, at: Span, label: &str, help: impl Into<String>) {
        self.diags.push(Diag::error(INVALID, message).at(self.file, at, label).help(help));
    }

    fn each(&mut self, value: &Value<'_>, what: &str, mut f: impl FnMut(&mut Self, &DeTable<'_>, Span)) {
        match value.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    let at = self.span(item);
                    match item.get_ref() {
                        DeValue::Table(t) => f(self, t, at),
                        _ => self.invalid(
                            format!("a `{what}` entry must be a table"),
                            at,
                            "not a table",
                            format!("write `[[{what}]]` sections"),
                        ),
                    }
                }
            }
            _ => {
                let at = self.span(value);
                self.invalid(
                    format!("`{what}` must be an array of tables"),
                    at,
                    "not `[[...]]`",
                    format!("write `[[{what}]]` sections"),
                );
            }
        }
    }

    fn actions(&mut self, value: &Value<'_>, org: &mut Org) {
        let DeValue::Table(t) = value.get_ref() else {
            let at = self.span(value);
            return self.invalid(
                "`actions` must be a table".into(),
                at,
                "not a table",
                "write `[actions]` with one entry per action",
            );
        };
        for (key, v) in t.iter() {
            let id: &str = key.get_ref().as_ref();
            let at = self.span(key);
            let DeValue::Table(def) = v.get_ref() else {
                let vs = self.span(v);
                self.invalid(
                    format!("action `{id}` must be a table"),
                    vs,
                    "not a table",
                    "write `refund = { limit = \"money\", currency = \"GBP\" }`",
                );
                continue;
            };
            self.known_keys(def, &["limit", "currency", "description"], &format!("action `{id}`"));
            let limit = self.string(def, "limit");
            let kind = match limit.as_ref().map(|(s, _)| s.as_str()) {
                Some("money") => match self.string(def, "currency") {
                    Some((c, span)) => match Currency::parse(&c) {
                        Some(c) => LimitKind::Money(c),
                        None => {
                            self.invalid(
                                format!("`{c}` is not a currency code"),
                                span,
                                "not a currency",
                                "write a three-letter code such as `GBP`",
                            );
                            continue;
                        }
                    },
                    None => {
                        self.invalid(
                            format!("money action `{id}` has no `currency`"),
                            at,
                            "which currency?",
                            "add `currency = \"GBP\"`",
                        );
                        continue;
                    }
                },
                Some("percent") => LimitKind::Percent,
                Some("count") => LimitKind::Count,
                Some("duration") => LimitKind::Duration,
                Some("none") | None => LimitKind::None,
                Some(other) => {
                    let span = limit.as_ref().map_or(at, |l| l.1);
                    let help = suggest::help(other, &["money", "percent", "count", "duration", "none"], "limit kind");
                    self.invalid(format!("`{other}` is not a kind of limit"), span, "unknown kind", help);
                    continue;
                }
            };
            org.actions.push(ActionDef { id: id.to_string(), kind, place: self.place(at) });
        }
    }

    fn named(&mut self, value: &Value<'_>, out: &mut Vec<Named>, what: &str) {
        let DeValue::Table(t) = value.get_ref() else {
            let at = self.span(value);
            return self.invalid(
                format!("the {what}s must be a table"),
                at,
                "not a table",
                format!("write one `id = {{ title = \"...\" }}` entry per {what}"),
            );
        };
        for (key, entry) in t.iter() {
            let at = self.span(key);
            let mut requires = Vec::new();
            match entry.get_ref() {
                DeValue::Table(e) => {
                    // Only an area can need qualifications: advice in it is regulated.
                    let known: &[&str] = if what == "training area" {
                        &["title", "description", "requires"]
                    } else {
                        &["title", "description"]
                    };
                    self.known_keys(e, known, &format!("{what} `{}`", key.get_ref()));
                    if what == "training area" {
                        requires = self.refs(e, "requires");
                    }
                }
                _ => {
                    let at = self.span(entry);
                    self.invalid(
                        format!("{what} `{}` must be a table", key.get_ref()),
                        at,
                        "not a table",
                        format!("write `{} = {{ title = \"...\" }}`", key.get_ref()),
                    );
                }
            }
            out.push(Named { id: key.get_ref().to_string(), place: self.place(at), requires });
        }
    }

    /// Report keys a table of this kind does not have: a misspelt key would otherwise be ignored
    /// silently (a misspelt `requires` would drop a qualification check).
    fn known_keys(&mut self, t: &DeTable<'_>, known: &[&str], what: &str) {
        for (key, _) in t.iter() {
            let k: &str = key.get_ref().as_ref();
            if !known.contains(&k) {
                let at = self.span(key);
                let help = suggest::help(k, known, "key");
                self.invalid(format!("unknown key `{k}` in {what}"), at, "not a key of this table", help);
            }
        }
    }

    fn string(&mut self, t: &DeTable<'_>, key: &str) -> Option<(String, Span)> {
        let v = t.get(key)?;
        let at = self.span(v);
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), at)),
            _ => {
                self.invalid(format!("`{key}` must be text"), at, "not text", format!("write `{key} = \"...\"`"));
                None
            }
        }
    }

    fn required_string(&mut self, t: &DeTable<'_>, key: &str, owner: Span, what: &str) -> Option<(String, Span)> {
        if t.get(key).is_none() {
            self.invalid(format!("{what} has no `{key}`"), owner, "incomplete", format!("add `{key} = \"...\"`"));
            return None;
        }
        self.string(t, key)
    }

    fn date(&mut self, t: &DeTable<'_>, key: &str) -> Option<(Date, Span)> {
        let v = t.get(key)?;
        let at = self.span(v);
        let text = match v.get_ref() {
            DeValue::Datetime(d) => d.to_string(),
            DeValue::String(s) => s.to_string(),
            _ => String::new(),
        };
        match text.parse::<Date>() {
            Ok(d) if text.len() == 10 => Some((d, at)),
            _ => {
                self.invalid(
                    format!("`{key}` must be a date"),
                    at,
                    "not a date",
                    format!("write `{key} = 2024-03-01`"),
                );
                None
            }
        }
    }

    fn refs(&mut self, t: &DeTable<'_>, key: &str) -> Vec<Ref> {
        let Some(v) = t.get(key) else { return Vec::new() };
        let at = self.span(v);
        let DeValue::Array(items) = v.get_ref() else {
            self.invalid(
                format!("`{key}` must be a list of ids"),
                at,
                "not a list",
                format!("write `{key} = [\"...\"]`"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let at = self.span(item);
            match item.get_ref() {
                DeValue::String(s) => out.push(Ref { id: s.to_string(), place: self.place(at) }),
                _ => self.invalid(
                    format!("`{key}` must list ids as text"),
                    at,
                    "not text",
                    format!("write `{key} = [\"...\"]`"),
                ),
            }
        }
        out
    }

    fn role(&mut self, t: &DeTable<'_>, at: Span) -> Option<Role> {
        let (id, id_span) = self.required_string(t, "id", at, "a role")?;
        let known =
            ["id", "title", "department", "escalates_to", "top", "requires", "trained_in", "may", "description"];
        self.known_keys(t, &known, &format!("role `{id}`"));
        let title = self.required_string(t, "title", id_span, &format!("role `{id}`")).map(|x| x.0).unwrap_or_default();
        let department = self.string(t, "department").map(|x| x.0);
        let escalates_to = self.string(t, "escalates_to").map(|(s, sp)| Ref { id: s, place: self.place(sp) });
        let top = match t.get("top") {
            None => false,
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => *b,
                _ => {
                    let vs = self.span(v);
                    self.invalid(
                        "`top` must be true or false".into(),
                        vs,
                        "not a boolean",
                        "write `top = true` on a role with no senior",
                    );
                    false
                }
            },
        };
        if let (true, Some(e)) = (top, &escalates_to) {
            self.invalid(
                format!("top role `{id}` also escalates to `{}`", e.id),
                e.place.span,
                "a top role has no senior",
                "remove `escalates_to`, or `top = true`",
            );
        }
        let requires = self.refs(t, "requires");
        let trained_in = self.refs(t, "trained_in");
        let mut may = Vec::new();
        if let Some(v) = t.get("may") {
            match v.get_ref() {
                DeValue::Table(grants) => {
                    for (key, value) in grants.iter() {
                        let ks = self.span(key);
                        let vs = self.span(value);
                        if let Some(limit) = self.limit(value.get_ref(), vs) {
                            may.push(Grant {
                                action: Ref { id: key.get_ref().to_string(), place: self.place(ks) },
                                limit,
                            });
                        }
                    }
                }
                _ => {
                    let vs = self.span(v);
                    self.invalid(
                        format!("`may` of role `{id}` must be a table"),
                        vs,
                        "not a table",
                        "write `[role.may]` with one line per action",
                    );
                }
            }
        }
        Some(Role {
            id: Ref { id, place: self.place(id_span) },
            title,
            department,
            escalates_to,
            top,
            requires,
            trained_in,
            may,
        })
    }

    /// A limit as written; checked against the action's kind later, when all files are read.
    fn limit(&mut self, v: &DeValue<'_>, at: Span) -> Option<Limit> {
        let help = "write `true`, an amount like `\"50.00 GBP\"`, a percentage like `\"10%\"`, a count like `3`, or a duration like `\"48h\"`";
        let limit = match v {
            DeValue::Boolean(true) => Some(Limit::Allowed),
            DeValue::Boolean(false) => return None,
            DeValue::Integer(i) => i.as_str().parse::<i64>().ok().map(Limit::Count),
            DeValue::String(s) => parse_limit(s),
            _ => None,
        };
        if limit.is_none() {
            self.invalid("not a limit".into(), at, "not a limit", help);
        }
        limit
    }

    fn staff(&mut self, t: &DeTable<'_>, at: Span) -> Option<Staff> {
        let (id, id_span) = self.required_string(t, "id", at, "a staff entry")?;
        let known = ["id", "name", "team", "employed", "roles", "qualifications", "training"];
        self.known_keys(t, &known, &format!("staff `{id}`"));
        let name = self.required_string(t, "name", id_span, &format!("staff `{id}`")).map(|x| x.0).unwrap_or_default();
        let team = self.string(t, "team").map(|x| x.0);
        let (employed_from, employed_until, employed) = match t.get("employed") {
            Some(v) => {
                let vs = self.span(v);
                match v.get_ref() {
                    DeValue::Table(e) => {
                        self.known_keys(e, &["from", "until"], &format!("the employment of staff `{id}`"));
                        let from = self.date(e, "from");
                        let until = self.date(e, "until");
                        match from {
                            Some((f, _)) => (f, until.map(|u| u.0), self.place(vs)),
                            None => {
                                self.invalid(
                                    format!("staff `{id}` has no employment start"),
                                    vs,
                                    "needs `from`",
                                    "write `employed = { from = 2020-01-06 }`",
                                );
                                return None;
                            }
                        }
                    }
                    _ => {
                        self.invalid(
                            "`employed` must be a table".into(),
                            vs,
                            "not a table",
                            "write `employed = { from = 2020-01-06 }`",
                        );
                        return None;
                    }
                }
            }
            None => {
                self.invalid(
                    format!("staff `{id}` has no `employed` period"),
                    id_span,
                    "when were they employed?",
                    "add `employed = { from = 2020-01-06 }` (and `until` if they have left)",
                );
                return None;
            }
        };
        let mut roles = Vec::new();
        let mut incomplete = false;
        let mut qualifications = Vec::new();
        let mut training = Vec::new();
        for (key, list) in [("roles", 0), ("qualifications", 1), ("training", 2)] {
            let Some(v) = t.get(key) else { continue };
            let DeValue::Array(items) = v.get_ref() else {
                let vs = self.span(v);
                self.invalid(
                    format!("`{key}` must be a list of tables"),
                    vs,
                    "not a list",
                    format!("write `{key} = [{{ ... }}]`"),
                );
                continue;
            };
            for item in items.iter() {
                let is = self.span(item);
                let DeValue::Table(e) = item.get_ref() else {
                    self.invalid(
                        format!("each of `{key}` must be a table"),
                        is,
                        "not a table",
                        format!("write `{key} = [{{ ... }}]`"),
                    );
                    continue;
                };
                let keys: &[&str] = match list {
                    0 => &["role", "from", "until"],
                    1 => &["id", "issued", "expires"],
                    _ => &["area", "completed"],
                };
                self.known_keys(e, keys, &format!("a `{key}` entry of staff `{id}`"));
                match list {
                    0 => {
                        let role = self.required_string(e, "role", is, "a role assignment");
                        let from = self.date(e, "from");
                        let until = self.date(e, "until");
                        let (Some((role, rs)), Some((from, _))) = (role, from) else {
                            incomplete = true;
                            if e.get("from").is_none() {
                                self.invalid(
                                    "a role assignment has no `from` date".into(),
                                    is,
                                    "from when?",
                                    "write `{ role = \"...\", from = 2024-01-01 }`",
                                );
                            }
                            continue;
                        };
                        if let Some((u, us)) = until {
                            if u < from {
                                incomplete = true;
                                self.invalid(
                                    format!("assignment to `{role}` ends ({u}) before it starts ({from})"),
                                    us,
                                    "before `from`",
                                    "swap the dates, or correct `until`",
                                );
                                continue;
                            }
                        }
                        roles.push(Assignment {
                            role: Ref { id: role, place: self.place(rs) },
                            from,
                            until: until.map(|u| u.0),
                            place: self.place(is),
                        });
                    }
                    1 => {
                        let q = self.required_string(e, "id", is, "a qualification");
                        let issued = self.date(e, "issued");
                        let expires = self.date(e, "expires");
                        match (q, issued) {
                            (Some((q, qs)), Some((issued, _))) => qualifications.push(Held {
                                id: Ref { id: q, place: self.place(qs) },
                                issued,
                                expires: expires.map(|x| x.0),
                                place: self.place(is),
                            }),
                            (Some(_), None) => self.invalid(
                                "a qualification has no `issued` date".into(),
                                is,
                                "issued when?",
                                "add `issued = 2024-01-01`",
                            ),
                            _ => {}
                        }
                    }
                    _ => {
                        let a = self.required_string(e, "area", is, "a training entry");
                        let done = self.date(e, "completed");
                        if let (Some((a, as_)), Some((completed, _))) = (a, done) {
                            training.push(Training { area: Ref { id: a, place: self.place(as_) }, completed });
                        }
                    }
                }
            }
        }
        Some(Staff {
            id: Ref { id, place: self.place(id_span) },
            name,
            team,
            employed_from,
            employed_until,
            employed,
            roles,
            qualifications,
            training,
            incomplete,
        })
    }
}

/// `"50.00 GBP"`, `"10%"`, `"48h"` (`s`, `m`, `h`, `d`, `w`).
pub fn parse_limit(s: &str) -> Option<Limit> {
    let s = s.trim();
    if let Some(p) = s.strip_suffix('%') {
        return Decimal::from_str(p.trim()).ok().map(Limit::Percent);
    }
    if let Some((amount, cur)) = s.rsplit_once(' ') {
        return Some(Limit::Money(Decimal::from_str(amount.trim()).ok()?, Currency::parse(cur.trim())?));
    }
    let unit = s.chars().last()?;
    let per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let n: i64 = s.get(..s.len() - 1)?.trim().parse().ok()?;
    Some(Limit::Duration(SignedDuration::from_secs(n.checked_mul(per)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_by_their_form() {
        assert!(matches!(parse_limit("50.00 GBP"), Some(Limit::Money(_, _))));
        assert_eq!(parse_limit("10%"), Some(Limit::Percent(Decimal::new(10, 0))));
        assert_eq!(parse_limit("48h"), Some(Limit::Duration(SignedDuration::from_hours(48))));
        assert_eq!(parse_limit("2d"), Some(Limit::Duration(SignedDuration::from_hours(48))));
        assert_eq!(parse_limit("lots"), None);
        assert_eq!(parse_limit("50.00 gbp"), None);
    }
}
