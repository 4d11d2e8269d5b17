//! Role files (TOML) to the [`Org`] model, keeping the span of every value.
//!
//! A folder of role files is merged: `[actions]`, `[qualifications]` and `[areas]` tables and
//! `[[role]]` and `[[staff]]` arrays may appear in any file. Values of the wrong shape are reported
//! (`precept::role::invalid-definition`) and the rest of the file is still read.
//!
//! serde reads a file into the structs of `roles/written.rs` (every value lenient, every place and
//! unknown key kept: [`crate::diagnostics::toml_read`]); the checks here give each problem its own
//! words, all of them at once.

use std::str::FromStr;

use jiff::civil::Date;
use jiff::SignedDuration;
use rust_decimal::Decimal;
use toml::Spanned;

use super::model::*;
use super::written::*;
use crate::diagnostics::suggest;
use crate::diagnostics::toml_read::{self, Field, Table, Tables, UnknownKeys};
use crate::diagnostics::Diag;
use crate::engine::types::Currency;
use crate::source::{SourceFile, Span};

const INVALID: &str = "precept::role::invalid-definition";

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
    let doc = match toml_read::parse::<Written>(body) {
        Ok(d) => d,
        Err(e) => {
            diags.push(crate::diagnostics::toml_syntax(file, &e, start));
            return;
        }
    };
    let mut r = Reader { file, base: start, diags: Vec::new() };
    // Problems go out in the order of the top-level keys they are about (alphabetical, as the
    // parsed table holds them), the order they were always given in.
    let mut sections: Vec<(&str, Vec<Diag>)> = Vec::new();
    for key in &doc.unknown.keys {
        let at = r.span(key);
        let help = suggest::help(key.get_ref(), doc.unknown.known, "table");
        r.invalid(format!("unknown table `{}` in a role file", key.get_ref()), at, "not a role file table", help);
        sections.push((key.get_ref(), std::mem::take(&mut r.diags)));
    }
    if let Some(w) = doc.fields {
        r.actions(w.actions, org);
        sections.push(("actions", std::mem::take(&mut r.diags)));
        r.named(w.qualifications, &mut org.qualifications, "qualification", |_| None);
        sections.push(("qualifications", std::mem::take(&mut r.diags)));
        r.named(w.areas, &mut org.areas, "training area", |a| a.requires);
        sections.push(("areas", std::mem::take(&mut r.diags)));
        r.tables(w.role, Array::Sections("role"), |r, t, unknown, at| {
            if let Some(role) = r.role(t, &unknown, at) {
                org.roles.push(role);
            }
        });
        sections.push(("role", std::mem::take(&mut r.diags)));
        r.tables(w.staff, Array::Sections("staff"), |r, t, unknown, at| {
            if let Some(s) = r.staff(t, &unknown, at) {
                org.staff.push(s);
            }
        });
        sections.push(("staff", std::mem::take(&mut r.diags)));
    }
    sections.sort_by(|a, b| a.0.cmp(b.0));
    diags.extend(sections.into_iter().flat_map(|(_, d)| d));
}

/// How an array of tables is written, for the words of a problem with it: `[[role]]` sections, or
/// a list such as `roles = [{ ... }]`.
#[derive(Clone, Copy)]
enum Array<'a> {
    Sections(&'a str),
    List(&'a str),
}

impl Array<'_> {
    fn help(self) -> String {
        match self {
            Array::Sections(what) => format!("write `[[{what}]]` sections"),
            Array::List(key) => format!("write `{key} = [{{ ... }}]`"),
        }
    }
}

struct Reader<'a> {
    file: &'a SourceFile,
    /// Where this piece starts in the file: added to every span.
    base: usize,
    diags: Vec<Diag>,
}

impl Reader<'_> {
    fn span<T>(&self, v: &Spanned<T>) -> Span {
        toml_read::span(v, self.base)
    }

    fn place(&self, span: Span) -> Place {
        Place { file: self.file.clone(), span }
    }

    fn invalid(&mut self, message: String, at: Span, label: &str, help: impl Into<String>) {
        self.diags.push(Diag::error(INVALID, message).at(self.file, at, label).help(help));
    }

    /// An array of tables: each one goes to `f`; a value that is not an array, or an entry that is
    /// not a table, is reported in the words of how such an array is written.
    fn tables<T>(&mut self, field: Tables<T>, how: Array<'_>, mut f: impl FnMut(&mut Self, T, UnknownKeys, Span)) {
        let Some(v) = field else { return };
        let at = self.span(&v);
        let Some(items) = v.into_inner().0 else {
            let (message, label) = match how {
                Array::Sections(what) => (format!("`{what}` must be an array of tables"), "not `[[...]]`"),
                Array::List(key) => (format!("`{key}` must be a list of tables"), "not a list"),
            };
            return self.invalid(message, at, label, how.help());
        };
        for item in items {
            let at = self.span(&item);
            match item.into_inner() {
                Table { fields: Some(t), unknown } => f(self, t, unknown, at),
                Table { fields: None, .. } => {
                    let message = match how {
                        Array::Sections(what) => format!("a `{what}` entry must be a table"),
                        Array::List(key) => format!("each of `{key}` must be a table"),
                    };
                    self.invalid(message, at, "not a table", how.help());
                }
            }
        }
    }

    fn actions(&mut self, field: Declared<ActionDecl>, org: &mut Org) {
        let Some(v) = field else { return };
        let vs = self.span(&v);
        let Some(entries) = v.into_inner().0 else {
            let help = "write `[actions]` with one entry per action";
            return self.invalid("`actions` must be a table".into(), vs, "not a table", help);
        };
        for (key, value) in entries {
            let at = self.span(&key);
            let id = key.into_inner();
            let vs = self.span(&value);
            let Table { fields: Some(def), unknown } = value.into_inner() else {
                let help = "write `refund = { limit = \"money\", currency = \"GBP\" }`";
                self.invalid(format!("action `{id}` must be a table"), vs, "not a table", help);
                continue;
            };
            self.unknown_keys(&unknown, || format!("action `{id}`"));
            let limit = self.text(def.limit, "limit");
            let kind = match limit.as_ref().map(|(s, _)| s.as_str()) {
                Some("money") => match self.text(def.currency, "currency") {
                    Some((c, span)) => match Currency::parse(&c) {
                        Some(c) => LimitKind::Money(c),
                        None => {
                            let help = "write a three-letter code such as `GBP`";
                            self.invalid(format!("`{c}` is not a currency code"), span, "not a currency", help);
                            continue;
                        }
                    },
                    None => {
                        let message = format!("money action `{id}` has no `currency`");
                        self.invalid(message, at, "which currency?", "add `currency = \"GBP\"`");
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
            org.actions.push(ActionDef { id, kind, place: self.place(at) });
        }
    }

    /// Qualifications or training areas; `requires` gives the qualifications an entry needs, if its
    /// kind can need any.
    fn named<T>(&mut self, field: Declared<T>, out: &mut Vec<Named>, what: &str, requires: impl Fn(T) -> Refs) {
        let Some(v) = field else { return };
        let vs = self.span(&v);
        let Some(entries) = v.into_inner().0 else {
            let help = format!("write one `id = {{ title = \"...\" }}` entry per {what}");
            return self.invalid(format!("the {what}s must be a table"), vs, "not a table", help);
        };
        for (key, entry) in entries {
            let at = self.span(&key);
            let id = key.into_inner();
            let es = self.span(&entry);
            let refs = match entry.into_inner() {
                Table { fields: Some(e), unknown } => {
                    self.unknown_keys(&unknown, || format!("{what} `{id}`"));
                    self.refs(requires(e), "requires")
                }
                Table { fields: None, .. } => {
                    let help = format!("write `{id} = {{ title = \"...\" }}`");
                    self.invalid(format!("{what} `{id}` must be a table"), es, "not a table", help);
                    Vec::new()
                }
            };
            out.push(Named { id, place: self.place(at), requires: refs });
        }
    }

    /// Report keys a table of this kind does not have: a misspelt key would otherwise be ignored
    /// silently (a misspelt `requires` would drop a qualification check).
    fn unknown_keys(&mut self, unknown: &UnknownKeys, what: impl FnOnce() -> String) {
        if unknown.keys.is_empty() {
            return;
        }
        let what = what();
        for key in &unknown.keys {
            let (k, at) = (key.get_ref(), self.span(key));
            let help = suggest::help(k, unknown.known, "key");
            self.invalid(format!("unknown key `{k}` in {what}"), at, "not a key of this table", help);
        }
    }

    fn text(&mut self, field: Field<String>, key: &str) -> Option<(String, Span)> {
        let v = field?;
        let at = self.span(&v);
        let text = v.into_inner().0;
        if text.is_none() {
            self.invalid(format!("`{key}` must be text"), at, "not text", format!("write `{key} = \"...\"`"));
        }
        Some((text?, at))
    }

    fn required_text(&mut self, field: Field<String>, key: &str, owner: Span, what: &str) -> Option<(String, Span)> {
        if field.is_none() {
            self.invalid(format!("{what} has no `{key}`"), owner, "incomplete", format!("add `{key} = \"...\"`"));
        }
        self.text(field, key)
    }

    fn date(&mut self, field: DateField, key: &str) -> Option<(Date, Span)> {
        let v = field?;
        let at = self.span(&v);
        let date = match v.get_ref().get() {
            Some(DateWritten::Toml(d)) => toml_read::date(d),
            Some(DateWritten::Text(s)) if s.len() == 10 => s.parse::<Date>().ok(),
            _ => None,
        };
        if date.is_none() {
            let help = format!("write `{key} = 2024-03-01`");
            self.invalid(format!("`{key}` must be a date"), at, "not a date", help);
        }
        Some((date?, at))
    }

    fn refs(&mut self, field: Refs, key: &str) -> Vec<Ref> {
        let Some(v) = field else { return Vec::new() };
        let at = self.span(&v);
        let help = format!("write `{key} = [\"...\"]`");
        let Some(items) = v.into_inner().0 else {
            self.invalid(format!("`{key}` must be a list of ids"), at, "not a list", help);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let at = self.span(&item);
            match item.into_inner().0 {
                Some(id) => out.push(Ref { id, place: self.place(at) }),
                None => self.invalid(format!("`{key}` must list ids as text"), at, "not text", help.clone()),
            }
        }
        out
    }

    fn role(&mut self, e: RoleEntry, unknown: &UnknownKeys, at: Span) -> Option<Role> {
        let (id, id_span) = self.required_text(e.id, "id", at, "a role")?;
        self.unknown_keys(unknown, || format!("role `{id}`"));
        let title =
            self.required_text(e.title, "title", id_span, &format!("role `{id}`")).map(|x| x.0).unwrap_or_default();
        let department = self.text(e.department, "department").map(|x| x.0);
        let escalates_to =
            self.text(e.escalates_to, "escalates_to").map(|(s, sp)| Ref { id: s, place: self.place(sp) });
        let top = match e.top {
            None => false,
            Some(v) => v.get_ref().get().copied().unwrap_or_else(|| {
                let (vs, help) = (self.span(&v), "write `top = true` on a role with no senior");
                self.invalid("`top` must be true or false".into(), vs, "not a boolean", help);
                false
            }),
        };
        if let (true, Some(e)) = (top, &escalates_to) {
            self.invalid(
                format!("top role `{id}` also escalates to `{}`", e.id),
                e.place.span,
                "a top role has no senior",
                "remove `escalates_to`, or `top = true`",
            );
        }
        let requires = self.refs(e.requires, "requires");
        let trained_in = self.refs(e.trained_in, "trained_in");
        let mut may = Vec::new();
        if let Some(v) = e.may {
            let vs = self.span(&v);
            match v.into_inner().0 {
                Some(grants) => {
                    for (key, value) in grants {
                        let (ks, vs) = (self.span(&key), self.span(&value));
                        if let Some(limit) = self.limit(value.get_ref().get(), vs) {
                            may.push(Grant { action: Ref { id: key.into_inner(), place: self.place(ks) }, limit });
                        }
                    }
                }
                None => {
                    let help = "write `[role.may]` with one line per action";
                    self.invalid(format!("`may` of role `{id}` must be a table"), vs, "not a table", help);
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
    fn limit(&mut self, v: Option<&LimitWritten>, at: Span) -> Option<Limit> {
        let help = "write `true`, an amount like `\"50.00 GBP\"`, a percentage like `\"10%\"`, a count like `3`, or a duration like `\"48h\"`";
        let limit = match v {
            Some(LimitWritten::Flag(true)) => Some(Limit::Allowed),
            Some(LimitWritten::Flag(false)) => return None,
            Some(LimitWritten::Count(n)) => Some(Limit::Count(*n)),
            Some(LimitWritten::Text(s)) => parse_limit(s),
            None => None,
        };
        if limit.is_none() {
            self.invalid("not a limit".into(), at, "not a limit", help);
        }
        limit
    }

    fn staff(&mut self, e: StaffEntry, unknown: &UnknownKeys, at: Span) -> Option<Staff> {
        let (id, id_span) = self.required_text(e.id, "id", at, "a staff entry")?;
        self.unknown_keys(unknown, || format!("staff `{id}`"));
        let name =
            self.required_text(e.name, "name", id_span, &format!("staff `{id}`")).map(|x| x.0).unwrap_or_default();
        let team = self.text(e.team, "team").map(|x| x.0);
        let Some(employed) = e.employed else {
            let help = "add `employed = { from = 2020-01-06 }` (and `until` if they have left)";
            self.invalid(format!("staff `{id}` has no `employed` period"), id_span, "when were they employed?", help);
            return None;
        };
        let vs = self.span(&employed);
        let help = "write `employed = { from = 2020-01-06 }`";
        let Table { fields: Some(period), unknown } = employed.into_inner() else {
            self.invalid("`employed` must be a table".into(), vs, "not a table", help);
            return None;
        };
        self.unknown_keys(&unknown, || format!("the employment of staff `{id}`"));
        let from = self.date(period.from, "from");
        let employed_until = self.date(period.until, "until").map(|u| u.0);
        let Some((employed_from, _)) = from else {
            self.invalid(format!("staff `{id}` has no employment start"), vs, "needs `from`", help);
            return None;
        };
        let mut roles = Vec::new();
        let mut incomplete = false;
        let mut qualifications = Vec::new();
        let mut training = Vec::new();
        let entry_of = |key: &str| format!("a `{key}` entry of staff `{id}`");
        self.tables(e.roles, Array::List("roles"), |r, a, unknown, is| {
            r.unknown_keys(&unknown, || entry_of("roles"));
            let no_from = a.from.is_none();
            let role = r.required_text(a.role, "role", is, "a role assignment");
            let from = r.date(a.from, "from");
            let until = r.date(a.until, "until");
            let (Some((role, rs)), Some((from, _))) = (role, from) else {
                incomplete = true;
                if no_from {
                    let help = "write `{ role = \"...\", from = 2024-01-01 }`";
                    r.invalid("a role assignment has no `from` date".into(), is, "from when?", help);
                }
                return;
            };
            if let Some((u, us)) = until.filter(|(u, _)| *u < from) {
                incomplete = true;
                let message = format!("assignment to `{role}` ends ({u}) before it starts ({from})");
                return r.invalid(message, us, "before `from`", "swap the dates, or correct `until`");
            }
            let until = until.map(|u| u.0);
            roles.push(Assignment { role: Ref { id: role, place: r.place(rs) }, from, until, place: r.place(is) });
        });
        self.tables(e.qualifications, Array::List("qualifications"), |r, q, unknown, is| {
            r.unknown_keys(&unknown, || entry_of("qualifications"));
            let held = r.required_text(q.id, "id", is, "a qualification");
            let issued = r.date(q.issued, "issued");
            let expires = r.date(q.expires, "expires").map(|x| x.0);
            match (held, issued) {
                (Some((q, qs)), Some((issued, _))) => qualifications.push(Held {
                    id: Ref { id: q, place: r.place(qs) },
                    issued,
                    expires,
                    place: r.place(is),
                }),
                (Some(_), None) => r.invalid(
                    "a qualification has no `issued` date".into(),
                    is,
                    "issued when?",
                    "add `issued = 2024-01-01`",
                ),
                _ => {}
            }
        });
        self.tables(e.training, Array::List("training"), |r, t, unknown, is| {
            r.unknown_keys(&unknown, || entry_of("training"));
            let area = r.required_text(t.area, "area", is, "a training entry");
            let done = r.date(t.completed, "completed");
            if let (Some((a, as_)), Some((completed, _))) = (area, done) {
                training.push(Training { area: Ref { id: a, place: r.place(as_) }, completed });
            }
        });
        Some(Staff {
            id: Ref { id, place: self.place(id_span) },
            name,
            team,
            employed_from,
            employed_until,
            employed: self.place(vs),
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

    fn read(text: &str) -> (Org, Vec<Diag>) {
        let (mut org, mut diags) = (Org::default(), Vec::new());
        read_file(&SourceFile::new("roles.toml", text), &mut org, &mut diags);
        (org, diags)
    }

    #[test]
    fn a_count_is_read_in_the_base_it_is_written_in() {
        // Read as written digits once (`0x10` was 10, `0xff` not a limit); now as TOML means them.
        let (org, diags) =
            read("[[role]]\nid = \"a\"\ntitle = \"A\"\ntop = true\n[role.may]\nx = 0x10\ny = 0o17\nz = 1_000\n");
        assert!(diags.is_empty(), "{diags:?}");
        let limits: Vec<Limit> = org.roles[0].may.iter().map(|g| g.limit).collect();
        assert_eq!(limits, [Limit::Count(16), Limit::Count(15), Limit::Count(1000)]);
    }

    #[test]
    fn empty_files_and_pieces_read_as_nothing() {
        for text in ["", "# only a comment\n", "[actions]\n", "[[role]]\n[[staff]]\n"] {
            let (org, diags) = read(text);
            assert!(org.actions.is_empty() && org.roles.is_empty() && org.staff.is_empty(), "{text}");
            let expected = usize::from(text.contains("[[role]]")) * 2;
            assert_eq!(diags.len(), expected, "{text}: {diags:?}");
        }
    }
}
