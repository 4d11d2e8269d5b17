//! Redaction: record fields (customer ids, names) that must not reach a report or a CI log. Every
//! value a message, a group key or a record id would show from such a field is shown instead as a
//! stable short hash, so the same customer still matches across runs and reports.

use sha2::{Digest, Sha256};

mod toml_values;

use super::program::{CExpr, HiddenAs, MsgPart, Root};
use super::types::{ShapeId, Ty};
use super::Program;

/// `redacted:3f2a9c1b`: the first 32 bits of the SHA-256 of the value as it would have been shown.
pub fn hash(shown: &str) -> String {
    let digest = Sha256::digest(shown.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("redacted:{hex}")
}

/// Every field path of a shape, through nested objects (not into lists): `customer.id`.
pub fn field_paths(program: &Program, shape: ShapeId) -> Vec<String> {
    let mut out = Vec::new();
    let Some(s) = program.shapes.get(shape) else { return out };
    for f in &s.fields {
        out.push(f.name.clone());
        if let Ty::Object(inner) = f.ty {
            out.extend(field_paths(program, inner).into_iter().map(|p| format!("{}.{p}", f.name)));
        }
    }
    out
}

fn resolve(program: &Program, shape: ShapeId, path: &str) -> Option<Vec<u16>> {
    let mut steps = Vec::new();
    let mut current = shape;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, name) in parts.iter().enumerate() {
        let s = program.shapes.get(current)?;
        let slot = s.slot(name)?;
        steps.push(u16::try_from(slot).ok()?);
        match (&s.fields.get(slot)?.ty, i + 1 < parts.len()) {
            (Ty::Object(inner), true) => current = *inner,
            (_, true) => return None,
            (_, false) => {}
        }
    }
    Some(steps)
}

/// Whether `e` reads any of the record paths `targets` (or an object holding one).
fn reads(e: &CExpr, targets: &[Vec<u16>]) -> bool {
    reads_from(e, Root::Record, targets)
}

/// [`reads`], for paths from `root` (a case message's `opening` is a variable).
fn reads_from(e: &CExpr, root: Root, targets: &[Vec<u16>]) -> bool {
    if let CExpr::Field(r, steps) = e {
        let steps: &[u16] = steps;
        if *r == root && targets.iter().any(|t| t.starts_with(steps) || steps.starts_with(t)) {
            return true;
        }
    }
    e.children().any(|c| reads_from(c, root, targets))
}

/// The redacted paths a case rule's message reads through `opening`, as paths from it: a field of
/// any opening schema that is redacted (or holds a redacted field) is redacted in the message.
fn opening_targets(rule: &super::program::CompiledRule, targets: &[(usize, Vec<u16>)]) -> Vec<Vec<u16>> {
    let Some(q) = rule.group.as_ref().and_then(|g| g.sequence.as_ref()) else { return Vec::new() };
    let mut out = Vec::new();
    for (schema, slots) in &q.opening.from {
        for (_, steps) in targets.iter().filter(|(t, _)| t == schema) {
            let Some((first, rest)) = steps.split_first() else { continue };
            for (k, _) in slots.iter().enumerate().filter(|(_, s)| *s == first) {
                if let Some(&slot) = q.opening.read.get(k) {
                    out.push(std::iter::once(slot).chain(rest.iter().copied()).collect());
                }
            }
        }
    }
    out
}

/// The values a record holds in redacted fields, as they would be shown (and so as they may
/// appear in the record's text): what a report must mask.
pub fn values_to_mask(program: &Program, schema: usize, record: &[super::value::Value]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(info) = program.schemas.get(schema) else { return out };
    for (_, steps) in program.redacted.iter().filter(|(s, _)| *s == schema) {
        // The field's own type, so an enumeration shows as its name.
        let mut ty = Ty::Object(info.shape);
        for step in steps {
            let field = match ty {
                Ty::Object(shape) => program.shapes.get(shape).and_then(|s| s.fields.get(usize::from(*step))),
                _ => None,
            };
            ty = field.map_or(Ty::Text, |f| f.ty.clone());
        }
        let v = super::eval::follow(super::value::V::Object(record), steps);
        let mut shown = String::new();
        match v {
            super::value::V::Missing | super::value::V::List(_) | super::value::V::Object(_) => continue,
            super::value::V::Text(t) => shown.push_str(t),
            other => super::format::value(&mut shown, program, &ty, other),
        }
        if !shown.is_empty() {
            out.push(shown);
        }
    }
    out
}

/// The mask for `value` in a record's text: `#` and the start of its hash, exactly as many bytes
/// as the value, so everything else in the text (and every span into it) stays where it was.
pub fn mask_token(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(value.as_bytes());
    let hex = digest.iter().flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
    let mut out = String::with_capacity(value.len().max(1));
    out.push('#');
    out.extend(hex.map(char::from).chain(std::iter::repeat('#')).take(value.len().saturating_sub(1)));
    out
}

/// Mask every occurrence of `values` in `text` (longer values first, so a value inside another is
/// masked as part of it).
pub fn mask(text: &str, values: &[String]) -> String {
    let mut values: Vec<&String> = values.iter().filter(|v| !v.is_empty() && text.contains(v.as_str())).collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let mut out = text.to_string();
    for v in values {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), &mask_token(v));
        }
    }
    out
}

/// `text` with everything but `span` blanked (line breaks kept, every other byte a space, so every
/// place in it stays where it was), and any redacted `values` inside the span masked.
///
/// Blanking works byte by byte (a character of several bytes becomes as many spaces, which keeps
/// every later byte offset valid): it runs once per finding of a redacting run.
pub fn only_span(text: &str, span: crate::source::Span, values: &[String]) -> String {
    let span = span.clamp(text.len());
    let kept = text.get(span.start..span.end).map(|t| mask(t, values)).unwrap_or_default();
    let bytes = text.as_bytes();
    let blank = |b: &u8| if matches!(b, b'\n' | b'\r') { *b } else { b' ' };
    let mut shown: Vec<u8> = Vec::with_capacity(text.len());
    shown.extend(bytes.get(..span.start).unwrap_or(&[]).iter().map(blank));
    shown.extend_from_slice(kept.as_bytes());
    shown.extend(bytes.get(span.end..).unwrap_or(&[]).iter().map(blank));
    // Blanks at the end of a line show nothing, and no place after them needs keeping.
    let mut out: Vec<u8> = Vec::with_capacity(shown.len());
    for line in shown.split_inclusive(|&b| b == b'\n') {
        let body = line.iter().rposition(|b| !matches!(b, b'\n' | b'\r')).map_or(0, |i| i + 1);
        let (body, ending) = line.split_at(body);
        let end = body.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        out.extend_from_slice(body.get(..end).unwrap_or(&[]));
        out.extend_from_slice(ending);
    }
    // Every byte outside `kept` is a space or a line break, and `kept` is whole characters.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `text` (the part of a record a finding points at) with its values blanked when it holds more
/// than one: a whole JSON object or array keeps its keys and punctuation, a table of `key = value`
/// lines its keys, a CSV row its commas. A redacted value can be written there in a form no mask
/// matches (escaped in JSON, a datetime with another offset, a CSV date as the export wrote it),
/// so none is shown. A single value is returned as it is, for [`mask`] to mask. The result has
/// the same length, byte for byte, so every place in it stays where it was.
pub fn blank_values(text: &str) -> String {
    let b = text.as_bytes();
    let blank = |c: u8| if matches!(c, b'\n' | b'\r') { c } else { b' ' };
    let trimmed = text.trim_start();
    let mut out: Vec<u8> = b.to_vec();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            if c == b'"' {
                let end = crate::data::scan::skip_string(b, i).unwrap_or(b.len());
                let next = crate::data::scan::skip_ws(b, end);
                if b.get(next) != Some(&b':') {
                    out.iter_mut().take(end).skip(i).for_each(|o| *o = blank(*o));
                }
                i = end;
                continue;
            }
            if !matches!(c, b'{' | b'}' | b'[' | b']' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
                if let Some(o) = out.get_mut(i) {
                    *o = blank(c);
                }
            }
            i += 1;
        }
    } else if text.trim_end().contains('\n') {
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let keep = line.find('=').map_or(0, |i| i + 1);
            out.iter_mut().take(start + line.len()).skip(start + keep).for_each(|o| *o = blank(*o));
            start += line.len();
        }
    } else if crate::data::scan::csv_cells(text, 0).0.len() > 1 {
        out.iter_mut().filter(|o| **o != b',').for_each(|o| *o = blank(*o));
    } else {
        return text.to_string();
    }
    // Only ASCII bytes were kept or written, and blanking replaced whole characters' bytes.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`blank_values`] for the text of a TOML record: its table headers, keys and `=` are kept (and
/// the keys inside inline tables), every value blanked. `statement` says the text starts where a
/// header or `key = value` line may (a whole record), not after a `=` (one field's value: kept
/// when it is a single value, for [`mask`]). Same length, byte for byte.
///
/// ```
/// use precept::engine::redact::blank_toml_values;
/// assert_eq!(blank_toml_values("[[record]]", true), "[[record]]");
/// assert_eq!(blank_toml_values("who = { id = \"C-1\" }", true), "who = { id =       }");
/// ```
pub fn blank_toml_values(text: &str, statement: bool) -> String {
    toml_values::blank(text, statement)
}

/// A record problem's message made safe to show: when it is about a redacted field, the value it
/// quotes is hashed. Returns whether it is about one. Messages name the field first and quote the
/// value last: "`customer.id` is not text: `20417`". The same message is also what a rule that
/// cannot be determined because of that value says, in every report.
pub fn problem_message(program: &Program, message: &mut String) -> bool {
    if !program.redacting {
        return false;
    }
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let about_redacted = quoted.first().is_some_and(|path| {
        program
            .redacted_names
            .iter()
            .any(|r| *path == r || path.starts_with(&format!("{r}.")) || path.starts_with(&format!("{r}[")))
    });
    if about_redacted && quoted.len() >= 2 {
        if let Some(value) = quoted.last() {
            let shown = format!("`{value}`");
            if let Some(at) = message.rfind(&shown) {
                let hashed = format!("`{}`", hash(value));
                message.replace_range(at..at + shown.len(), &hashed);
            }
        }
    }
    about_redacted
}

/// A problem with a record file, made safe to show when fields are redacted: the record's text is
/// blanked but for the places the problem points at (all of it, when the problem is with a
/// redacted field), and the value a problem quotes for a redacted field is hashed.
pub fn diagnostic(program: &Program, d: &mut crate::diagnostics::Diag) {
    if !program.redacting || !d.code.starts_with("precept::input") {
        return;
    }
    let about_redacted = problem_message(program, &mut d.message);
    if let Some(file) = &d.file {
        let keep: Vec<crate::source::Span> =
            if about_redacted { Vec::new() } else { d.labels.iter().map(|l| l.span).collect() };
        let mut out = String::with_capacity(file.text.len());
        for (i, c) in file.text.char_indices() {
            if c == '\n' || c == '\r' || keep.iter().any(|s| i >= s.start && i < s.end) {
                out.push(c);
            } else {
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
        d.file = Some(file.with_text(out));
    }
}

impl Program {
    /// Redact the record fields at `paths` (dotted, from the record: `customer.id`) in every
    /// schema that has them; returns the paths no schema has.
    pub fn redact(&mut self, paths: &[String]) -> Vec<String> {
        let mut unknown = Vec::new();
        let mut targets: Vec<(usize, Vec<u16>)> = Vec::new();
        for p in paths {
            let mut found = false;
            for (i, s) in self.schemas.iter().enumerate().filter(|(_, s)| !s.builtin) {
                if let Some(steps) = resolve(self, s.shape, p) {
                    targets.push((i, steps));
                    found = true;
                }
            }
            if !found {
                unknown.push(p.clone());
            }
        }
        if !targets.is_empty() {
            self.redacting = true;
            self.redacted_names.extend(paths.iter().filter(|p| !unknown.contains(p)).cloned());
        }
        self.redacted.extend(targets.iter().cloned());
        for (i, s) in self.schemas.iter_mut().enumerate() {
            let mine: Vec<&Vec<u16>> = targets.iter().filter(|(t, _)| *t == i).map(|(_, p)| p).collect();
            if s.id_field.is_some_and(|id| mine.iter().any(|p| p.first().is_some_and(|f| usize::from(*f) == id))) {
                s.id_redacted = true;
            }
        }
        for rule in &mut self.rules {
            let mine: Vec<Vec<u16>> =
                targets.iter().filter(|(t, _)| *t == rule.schema).map(|(_, p)| p.clone()).collect();
            let opening = opening_targets(rule, &targets);
            if !opening.is_empty() {
                let var = rule.group.as_ref().and_then(|g| g.sequence.as_ref()).map_or(0, |q| q.opening.var);
                hide(&mut rule.message, |e| reads_from(e, Root::Var(var), &opening));
                hide(&mut rule.help_parts, |e| reads_from(e, Root::Var(var), &opening));
            }
            if mine.is_empty() {
                continue;
            }
            // In a group rule the message reads the group record: a key part or an aggregate
            // computed from a redacted field is redacted there.
            let group_slots: Option<Vec<Vec<u16>>> = rule.group.as_mut().map(|g| {
                let mut slots = Vec::new();
                for (i, k) in g.keys.iter_mut().enumerate() {
                    if reads(&k.expr, &mine) {
                        k.redacted = true;
                        slots.push(vec![u16::try_from(i).unwrap_or(u16::MAX)]);
                    }
                }
                let first =
                    g.keys.len() + usize::from(g.period_slot.is_some()) + if g.sequence.is_some() { 3 } else { 0 };
                for (i, a) in g.aggs.iter_mut().enumerate() {
                    if a.arg.as_ref().is_some_and(|e| reads(e, &mine)) {
                        a.redacted = true;
                        slots.push(vec![u16::try_from(first + i).unwrap_or(u16::MAX)]);
                    }
                }
                slots
            });
            let targets = group_slots.unwrap_or(mine);
            hide(&mut rule.message, |e| reads(e, &targets));
            hide(&mut rule.help_parts, |e| reads(e, &targets));
        }
        unknown
    }
}

/// Show the holes of a message (or help) whose expression `hidden` picks as hashes.
fn hide(message: &mut [MsgPart], hidden: impl Fn(&CExpr) -> bool) {
    for part in message {
        let hide = matches!(part, MsgPart::Hole(e, _) | MsgPart::Percent(e) | MsgPart::Period(e, _) if hidden(e));
        if hide {
            let old = std::mem::replace(part, MsgPart::Text(String::new()));
            *part = match old {
                MsgPart::Hole(e, ty) => MsgPart::Redacted(e, HiddenAs::Value(ty)),
                MsgPart::Percent(e) => MsgPart::Redacted(e, HiddenAs::Percent),
                MsgPart::Period(e, unit) => MsgPart::Redacted(e, HiddenAs::Period(unit)),
                other => other,
            };
        }
    }
}

/// Whether the top-level field in `slot` of schema `schema` is redacted (or a field inside it):
/// for the fields a schema names for reports (`staff by`, `team by`, `dated by`).
pub fn slot_redacted(program: &Program, schema: usize, slot: usize) -> bool {
    program.redacted.iter().any(|(s, path)| *s == schema && path.first().is_some_and(|f| usize::from(*f) == slot))
}

#[cfg(test)]
mod tests {
    /// The blanking as first written, character by character: the model `only_span` must match.
    fn only_span_model(text: &str, span: crate::source::Span, values: &[String]) -> String {
        let span = span.clamp(text.len());
        let kept = text.get(span.start..span.end).map(|t| mask(t, values)).unwrap_or_default();
        let mut out = String::new();
        for (i, c) in text.char_indices() {
            if i == span.start {
                out.push_str(&kept);
            }
            if i >= span.start && i < span.end {
                continue;
            }
            if c == '\n' || c == '\r' {
                out.push(c);
            } else {
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
        if span.start >= text.len() {
            out.push_str(&kept);
        }
        out.split_inclusive('\n')
            .map(|l| {
                let body = l.trim_end_matches(['\n', '\r']);
                format!("{}{}", body.trim_end_matches(' '), &l[body.len()..])
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn only_span_matches_the_model(text in "[a-c é\r\n\"]{0,40}", a in 0usize..45, b in 0usize..45) {
            let (a, b) = (a.min(text.len()), b.min(text.len()));
            let on_chars = |i: usize| text.is_char_boundary(i);
            proptest::prop_assume!(on_chars(a) && on_chars(b));
            let span = crate::source::Span::new(a, b);
            let values = vec!["ab".to_string(), "é".to_string()];
            proptest::prop_assert_eq!(only_span(&text, span, &values), only_span_model(&text, span, &values));
        }
    }

    use super::*;

    #[test]
    fn masking_keeps_everything_else_where_it_was() {
        let text = r#"{"id": "A-1", "customer": {"id": "C-20417"}, "waited": "10m"}"#;
        let masked = mask(text, &["C-20417".to_string()]);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("C-20417"));
        assert_eq!(masked.find("\"10m\""), text.find("\"10m\""));
        assert_eq!(mask_token("C-20417"), mask_token("C-20417"));
        assert!(mask_token("C-20417").starts_with('#') && hash("C-20417").contains(&mask_token("C-20417")[1..]));
    }

    #[test]
    fn only_the_offending_value_is_left_in_the_text() {
        use crate::source::Span;
        let text = "{\"id\": \"C-1\", \"name\": \"Zoë\", \"waited\": \"10m\"}\nnext";
        let at = text.find("\"10m\"").unwrap();
        let out = only_span(text, Span::new(at, at + 5), &[]);
        assert_eq!(&out[at..at + 5], "\"10m\"");
        assert!(!out.contains("C-1") && !out.contains("Zo"));
        assert!(out.ends_with('\n'), "{out:?}");
        let masked = only_span(text, Span::new(8, 13), &["C-1".to_string()]);
        assert!(!masked.contains("C-1"), "{masked}");
    }

    #[test]
    fn the_hash_is_short_stable_and_hides_the_value() {
        assert_eq!(hash("C-20417"), hash("C-20417"));
        assert_ne!(hash("C-20417"), hash("C-20418"));
        assert!(hash("C-20417").starts_with("redacted:") && hash("C-20417").len() == 17);
        assert!(!hash("C-20417").contains("20417"));
    }
}
