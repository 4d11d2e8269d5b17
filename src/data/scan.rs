//! Byte-level scanners over record text: where values, keys, cells and lines start and end.
//!
//! The parsers (serde_json, toml, csv) give values but not always their places; these small scanners
//! find places without building anything. They never recurse (a value nested 10,000 deep is just a
//! counter), never index out of bounds, and on malformed input simply stop early.

use crate::source::Span;

/// Byte offset of the start of 1-based `line` (the end of the text if there is no such line).
pub(crate) fn line_start(text: &str, line: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text.get(start..).and_then(|s| s.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    start
}

/// The span of 1-based `line`, without its line ending.
pub(crate) fn line_span(text: &str, line: usize) -> Span {
    let start = line_start(text, line);
    let rest = text.get(start..).unwrap_or("");
    let mut len = rest.find('\n').unwrap_or(rest.len());
    if rest.as_bytes().get(..len).is_some_and(|l| l.ends_with(b"\r")) {
        len -= 1;
    }
    Span::new(start, start + len)
}

/// The byte offset serde_json means by a 1-based line and a byte column in `text`.
pub(crate) fn json_error_offset(text: &str, line: usize, column: usize) -> usize {
    (line_start(text, line) + column.saturating_sub(1)).min(text.len())
}

/// The first offset at or after `pos` that is not JSON whitespace.
pub(crate) fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while let Some(c) = b.get(pos) {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            pos += 1;
        } else {
            break;
        }
    }
    pos
}

/// The end of the JSON string whose opening quote is at `pos` (one past the closing quote).
pub(crate) fn skip_string(b: &[u8], pos: usize) -> Option<usize> {
    if b.get(pos) != Some(&b'"') {
        return None;
    }
    // Strings are most of a record's bytes: jump to the next quote or backslash (memchr's
    // vectorised search) rather than stepping through every byte.
    let mut i = pos + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        match b.get(i)? {
            b'"' => return Some(i + 1),
            _ => i += 2,
        }
    }
}

/// The end of the JSON value starting at `pos` (which must not be whitespace).
pub(crate) fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => skip_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        b',' | b':' | b'}' | b']' => None,
        _ => {
            let mut i = pos;
            while let Some(c) = b.get(i) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            Some(i)
        }
    }
}

/// The elements of the JSON array starting at `pos`, as byte ranges; `None` if it is not a well-formed
/// array at the top level (its elements are not checked).
pub(crate) fn array_elements(b: &[u8], pos: usize) -> Option<Vec<(usize, usize)>> {
    if b.get(pos) != Some(&b'[') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = skip_ws(b, pos + 1);
    if b.get(i) == Some(&b']') {
        return Some(out);
    }
    loop {
        let end = skip_value(b, i)?;
        out.push((i, end));
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// The span of the `n`-th element of the JSON array starting at `pos`.
pub(crate) fn array_element(b: &[u8], pos: usize, n: usize) -> Option<Span> {
    if b.get(pos) != Some(&b'[') {
        return None;
    }
    let mut i = skip_ws(b, pos + 1);
    if b.get(i) == Some(&b']') {
        return None;
    }
    let mut k = 0;
    loop {
        let end = skip_value(b, i)?;
        if k == n {
            return Some(Span::new(i, end));
        }
        k += 1;
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            _ => return None,
        }
    }
}

/// One member of a JSON object: the key's span (with quotes), the key's text, the value's span.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Member<'t> {
    pub key: Span,
    pub name: std::borrow::Cow<'t, str>,
    pub value: Span,
}

/// The members of the JSON object starting at `pos`, in order; stops quietly at malformed input.
pub(crate) fn object_members(text: &str, pos: usize) -> Vec<Member<'_>> {
    object_scan(text, pos).0
}

/// [`object_members`], and the byte just past the object's closing `}` (`None` when the scan
/// stopped before it): one pass over a record gives both its members and its extent, which placing
/// a finding otherwise found with a second pass ([`skip_value`]).
pub(crate) fn object_scan(text: &str, pos: usize) -> (Vec<Member<'_>>, Option<usize>) {
    let b = text.as_bytes();
    let mut out = Vec::new();
    if b.get(pos) != Some(&b'{') {
        return (out, None);
    }
    let mut i = skip_ws(b, pos + 1);
    if b.get(i) == Some(&b'}') {
        return (out, Some(i + 1));
    }
    while b.get(i) == Some(&b'"') {
        let Some(key_end) = skip_string(b, i) else { break };
        let raw = text.get(i..key_end).unwrap_or("\"\"");
        let name = match raw.get(1..raw.len().saturating_sub(1)) {
            Some(inner) if !inner.contains('\\') => std::borrow::Cow::Borrowed(inner),
            _ => std::borrow::Cow::Owned(serde_json::from_str::<String>(raw).unwrap_or_default()),
        };
        let colon = skip_ws(b, key_end);
        if b.get(colon) != Some(&b':') {
            break;
        }
        let v = skip_ws(b, colon + 1);
        let Some(v_end) = skip_value(b, v) else { break };
        out.push(Member { key: Span::new(i, key_end), name, value: Span::new(v, v_end) });
        i = skip_ws(b, v_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (out, Some(i + 1)),
            _ => break,
        }
    }
    (out, None)
}

/// A key that one JSON object names twice: its unescaped name and both keys' spans (with quotes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    pub name: String,
    pub first: Span,
    pub second: Span,
}

/// Every key named twice within one object, anywhere in the JSON value `text` (each later repeat is
/// paired with the first). Keys are compared after unescaping, so `"a"` and `"\u0061"` are the same
/// key. The slow path, run only on a record whose key hashes collided while it was parsed: it
/// allocates freely but never recurses, and stops quietly at malformed input.
pub(crate) fn duplicate_keys(text: &str) -> Vec<DuplicateKey> {
    use std::borrow::Cow;
    use std::collections::hash_map::{Entry, HashMap};
    /// An open object (its keys so far, and whether a key comes next) or an open array.
    enum Frame<'t> {
        Object(HashMap<Cow<'t, str>, Span>, bool),
        Array,
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                let Some(end) = skip_string(b, i) else { break };
                if let Some(Frame::Object(keys, expect_key @ true)) = stack.last_mut() {
                    *expect_key = false;
                    let raw = text.get(i..end).unwrap_or("\"\"");
                    let name = match raw.get(1..raw.len().saturating_sub(1)) {
                        Some(inner) if !inner.contains('\\') => Cow::Borrowed(inner),
                        _ => Cow::Owned(serde_json::from_str::<String>(raw).unwrap_or_default()),
                    };
                    let here = Span::new(i, end);
                    match keys.entry(name) {
                        Entry::Occupied(e) => {
                            out.push(DuplicateKey { name: e.key().to_string(), first: *e.get(), second: here });
                        }
                        Entry::Vacant(e) => {
                            e.insert(here);
                        }
                    }
                }
                i = end;
                continue;
            }
            b'{' => stack.push(Frame::Object(HashMap::new(), true)),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object(_, expect_key)) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The spans of the cells of the CSV record starting at `pos` (quotes included), and where the record
/// ends. Follows the `csv` crate's defaults: `,` between cells, `"` quotes, `""` inside quotes.
pub(crate) fn csv_cells(text: &str, pos: usize) -> (Vec<Span>, usize) {
    let b = text.as_bytes();
    let mut cells = Vec::new();
    let mut i = pos;
    let mut start = pos;
    let mut quoted = false;
    loop {
        match b.get(i) {
            None => {
                cells.push(Span::new(start, i));
                return (cells, i);
            }
            Some(b'"') if quoted => {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
            Some(b'"') if i == start => quoted = true,
            Some(_) if quoted => {}
            Some(b',') => {
                cells.push(Span::new(start, i));
                start = i + 1;
            }
            Some(b'\n') => {
                let end = if i > start && b.get(i - 1) == Some(&b'\r') { i - 1 } else { i };
                cells.push(Span::new(start, end));
                return (cells, i + 1);
            }
            Some(_) => {}
        }
        i += 1;
    }
}

/// The text of a CSV cell, without its quotes.
pub(crate) fn csv_unquote(cell: &str) -> String {
    match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => cell.to_string(),
    }
}

/// The value at the key path `keys` from the JSON object starting at `pos` (the last of a key
/// named twice, as records are read): its span, or `None` if a key on the way is absent or not in
/// an object. With no keys, the value at `pos`.
pub(crate) fn json_path(text: &str, pos: usize, keys: &[String]) -> Option<Span> {
    let b = text.as_bytes();
    let mut at = Span::new(pos, skip_value(b, pos)?);
    for key in keys {
        let members = object_members(text, at.start);
        at = members.iter().rev().find(|m| m.name == key.as_str())?.value;
    }
    Some(at)
}

/// Where, in a JSON object that is not a record of the schema (it has none of the schema's keys),
/// an array of objects is: the key path of the first such array, breadth first and at most three
/// keys deep, and the span of its key. This is how exports wrap their records (`{"result": [...]}`,
/// `{"data": {"items": [...]}}`); keys holding a `.` are passed over, since a path cannot name them.
pub(crate) fn wrapped_records(text: &str, pos: usize) -> Option<(Vec<String>, Span)> {
    let b = text.as_bytes();
    let mut level: Vec<(Vec<String>, usize)> = vec![(Vec::new(), pos)];
    for _ in 0..3 {
        let mut next = Vec::new();
        for (path, at) in &level {
            for m in object_members(text, *at) {
                if m.name.contains('.') || m.name.is_empty() {
                    continue;
                }
                let mut keys = path.clone();
                keys.push(m.name.to_string());
                match b.get(m.value.start) {
                    Some(b'[') => {
                        let first = skip_ws(b, m.value.start + 1);
                        if b.get(first) == Some(&b'{') {
                            return Some((keys, m.key));
                        }
                    }
                    Some(b'{') => next.push((keys, m.value.start)),
                    _ => {}
                }
            }
        }
        level = next;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn values_and_arrays() {
        let t = br#"[ {"a": "]}\""}, [1, [2]], 3 , "x" ]"#;
        let els = array_elements(t, 0).unwrap();
        let got: Vec<&str> = els.iter().map(|&(s, e)| std::str::from_utf8(&t[s..e]).unwrap()).collect();
        assert_eq!(got, vec![r#"{"a": "]}\""}"#, "[1, [2]]", "3", "\"x\""]);
        assert_eq!(array_element(t, 0, 2).map(|s| (s.start, s.end)), Some((27, 28)));
        assert!(array_element(t, 0, 9).is_none());
        assert!(array_elements(b"[1 2]", 0).is_none());
        assert!(array_elements(b"[1, ", 0).is_none());
        assert_eq!(array_elements(b"[ ]", 0).unwrap().len(), 0);
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(skip_value(deep.as_bytes(), 0), Some(deep.len()));
        assert_eq!(skip_value(&deep.as_bytes()[..1000], 0), None);
    }

    #[test]
    fn members_decode_escaped_keys() {
        let t = r#"{"a": 1, "b\u0063": {"x": [1]}, "d" : "e"}"#;
        let m = object_members(t, 0);
        let names: Vec<&str> = m.iter().map(|m| m.name.as_ref()).collect();
        assert_eq!(names, vec!["a", "bc", "d"]);
        assert_eq!(&t[m[1].value.start..m[1].value.end], r#"{"x": [1]}"#);
        assert_eq!(&t[m[2].key.start..m[2].key.end], r#""d""#);
    }

    #[test]
    fn object_scan_ends_where_skip_value_does() {
        for t in [r#"{}"#, r#"{ }"#, r#"{"a": 1}"#, r#"{"a": {"}": "}"}, "b": [1, {}] } "#, r#"{"a": 1 , "b" :2}"#] {
            let (members, end) = object_scan(t, 0);
            assert_eq!(end, skip_value(t.as_bytes(), 0), "{t}");
            assert_eq!(members, object_members(t, 0), "{t}");
        }
        // Stopped before the closing brace: no end, the members read so far.
        for t in [r#"{"a": 1"#, r#"{"a": 1,"#, r#"{"a" 1}"#, r#"{1: 2}"#, r#"[1]"#] {
            assert_eq!(object_scan(t, 0).1, None, "{t}");
        }
        assert_eq!(object_scan(r#"{"a": 1, "b""#, 0).0.len(), 1);
    }

    #[test]
    fn duplicate_keys_at_any_depth() {
        let t = r#"{"a": 1, "b": {"x": [{"y": 1, "\u0079": 2}], "x": 3}, "a": {"a": 1}, "a": 4}"#;
        let got: Vec<(String, &str, &str)> = duplicate_keys(t)
            .into_iter()
            .map(|d| (d.name, &t[d.first.start..d.first.end], &t[d.second.start..d.second.end]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("y".to_string(), r#""y""#, r#""\u0079""#),
                ("x".to_string(), r#""x""#, r#""x""#),
                ("a".to_string(), r#""a""#, r#""a""#),
                ("a".to_string(), r#""a""#, r#""a""#),
            ]
        );
        // Strings that are values, and keys of sibling objects, are not duplicates.
        assert!(duplicate_keys(r#"{"a": "a", "b": [{"a": 1}, {"a": 2}], "c": {"a": "b"}}"#).is_empty());
        // Cut-off input still answers for what it has.
        assert_eq!(duplicate_keys(r##"{"a": 1, "a""##).len(), 1);
        assert!(duplicate_keys(r#"{"a": "#).is_empty());
    }

    #[test]
    fn csv_cells_respect_quotes() {
        let t = "a,\"b,\"\"c\"\"\",,d\r\nnext";
        let (cells, end) = csv_cells(t, 0);
        let got: Vec<&str> = cells.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(got, vec!["a", "\"b,\"\"c\"\"\"", "", "d"]);
        assert_eq!(&t[end..], "next");
        assert_eq!(csv_unquote("\"b,\"\"c\"\"\""), "b,\"c\"");
        let (cells, _) = csv_cells("x,\"multi\nline\",y", 0);
        assert_eq!(cells.len(), 3);
    }

    #[test]
    fn lines() {
        let t = "ab\r\ncd\n\nef";
        assert_eq!(line_start(t, 4), 8);
        assert_eq!(line_start(t, 9), t.len());
        assert_eq!(line_span(t, 1), Span::new(0, 2));
        assert_eq!(line_span(t, 3), Span::new(7, 7));
        assert_eq!(json_error_offset(t, 2, 2), 5);
    }
}
