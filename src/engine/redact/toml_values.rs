//! Blanking the values of a TOML record's text, keeping what says where they were: table headers
//! (`[[record]]`, `[record.customer]`), keys, `=`, and the brackets, braces and commas of arrays
//! and inline tables. Strings (of every kind), numbers, dates and booleans become spaces, and so do
//! comments (a comment can hold anything). Every byte keeps its place (line breaks stay).
//!
//! The text is a record's part of a file, not always a whole document, so nothing here may fail:
//! what cannot be read as a key is blanked to the end of its line.

/// The blanked text of `text`, read from a statement's start (`statement`: a header or `key =
/// value` lines) or as one value (an array or inline table; a lone scalar is kept, for the masks).
pub fn blank(text: &str, statement: bool) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    if statement {
        let mut s = Scan { b, out: &mut out, i: 0 };
        s.statements();
    } else {
        let start = skip_ws(b, 0);
        if !matches!(b.get(start), Some(b'[' | b'{')) {
            return text.to_string();
        }
        let mut s = Scan { b, out: &mut out, i: start };
        s.value();
        // Anything after the value (a comment, a stray part) is blanked too.
        let rest = s.i;
        s.blank_to(rest, b.len());
    }
    // Only whole characters were blanked (each byte of one a space) and nothing else changed.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

struct Scan<'a> {
    b: &'a [u8],
    out: &'a mut Vec<u8>,
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Blank bytes `from..to`, line breaks kept.
    fn blank_to(&mut self, from: usize, to: usize) {
        for o in self.out.iter_mut().take(to).skip(from) {
            if !matches!(*o, b'\n' | b'\r') {
                *o = b' ';
            }
        }
    }

    /// Blank from here to the end of the line.
    fn blank_line(&mut self) {
        let end = self.b.iter().skip(self.i).position(|&c| c == b'\n').map_or(self.b.len(), |n| self.i + n);
        self.blank_to(self.i, end);
        self.i = end;
    }

    /// Spaces, tabs, line breaks and comments (blanked), as between statements or array items.
    fn gap(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.i += 1,
                Some(b'#') => self.blank_line(),
                _ => return,
            }
        }
    }

    /// Headers and `key = value` lines to the end.
    fn statements(&mut self) {
        loop {
            self.gap();
            match self.peek() {
                None => return,
                Some(b'[') => {
                    // A header: kept to its closing bracket, then the rest of its line blanked.
                    let close = self.b.iter().skip(self.i).position(|&c| c == b']' || c == b'\n');
                    let Some(n) = close.filter(|&n| self.b.get(self.i + n) == Some(&b']')) else {
                        self.blank_line();
                        continue;
                    };
                    self.i += n + 1;
                    if self.peek() == Some(b']') {
                        self.i += 1;
                    }
                    self.blank_line();
                }
                Some(_) => {
                    if self.key() {
                        self.value();
                    }
                    // A comment or anything left on the line.
                    self.blank_line();
                }
            }
        }
    }

    /// A key and its `=`, kept; false (the line blanked) when no `=` follows a key.
    fn key(&mut self) -> bool {
        let start = self.i;
        loop {
            match self.peek() {
                Some(b'=') => {
                    self.i += 1;
                    return true;
                }
                Some(q @ (b'"' | b'\'')) => {
                    let Some(end) = string_end(self.b, self.i, q) else { break };
                    self.i = end;
                }
                Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b' ' | b'\t') => self.i += 1,
                _ => break,
            }
        }
        self.i = start;
        self.blank_line();
        false
    }

    /// One value: strings and scalars blanked, arrays and inline tables read through.
    fn value(&mut self) {
        self.i = skip_ws(self.b, self.i);
        match self.peek() {
            Some(b'[') => {
                self.i += 1;
                loop {
                    self.gap();
                    match self.peek() {
                        None => return,
                        Some(b']') => {
                            self.i += 1;
                            return;
                        }
                        Some(b',') => self.i += 1,
                        Some(_) => {
                            let before = self.i;
                            self.value();
                            if self.i == before {
                                // Nothing a value starts with: blank it and go on.
                                self.blank_to(self.i, self.i + 1);
                                self.i += 1;
                            }
                        }
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                loop {
                    self.i = skip_ws(self.b, self.i);
                    match self.peek() {
                        None | Some(b'\n') => return,
                        Some(b'}') => {
                            self.i += 1;
                            return;
                        }
                        Some(b',') => self.i += 1,
                        Some(_) => {
                            if !self.key() {
                                return;
                            }
                            self.value();
                        }
                    }
                }
            }
            Some(q @ (b'"' | b'\'')) => {
                let end = string_end(self.b, self.i, q).unwrap_or(self.b.len());
                self.blank_to(self.i, end);
                self.i = end;
            }
            _ => {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b']' | b'}' | b'\n' | b'\r' | b'#') {
                        break;
                    }
                    self.i += 1;
                }
                self.blank_to(start, self.i);
            }
        }
    }
}

/// Where the string opening at `i` with quote `q` ends (after its closing quotes), for basic
/// (`"…"`, with escapes), literal (`'…'`) and multi-line (`"""…"""`, `'''…'''`) strings; a
/// one-line string left open ends at its line's end, and `None` is a multi-line one left open.
fn string_end(b: &[u8], i: usize, q: u8) -> Option<usize> {
    let triple = b.get(i..i + 3).is_some_and(|t| t.iter().all(|&c| c == q));
    let mut j = i + if triple { 3 } else { 1 };
    while let Some(&c) = b.get(j) {
        if c == b'\\' && q == b'"' {
            j += 2;
            continue;
        }
        if c == b'\n' && !triple {
            // Unterminated on its line: it ends there (what follows is read anew).
            return Some(j);
        }
        if c == q {
            if !triple {
                return Some(j + 1);
            }
            if b.get(j..j + 3).is_some_and(|t| t.iter().all(|&c| c == q)) {
                // A closing run may hold up to two quotes of the string itself (`""""`).
                let mut end = j + 3;
                while b.get(end) == Some(&q) && end < j + 5 {
                    end += 1;
                }
                return Some(end);
            }
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keys_and_equals_are_kept() {
        assert_eq!(blank("[[record]]", true), "[[record]]");
        assert_eq!(blank("[record.customer] # note", true), "[record.customer]       ");
        assert_eq!(
            blank("id = \"T-1\"\ncustomer = { name = \"Jane\", age = 42 }\n", true),
            "id =      \ncustomer = { name =       , age =    }\n"
        );
        assert_eq!(
            blank("tags = [\"a\", 'b', { k = 1979-05-27T07:32:00Z }]", true),
            "tags = [   ,    , { k =                      }]"
        );
        assert_eq!(blank("\"quoted key\" = true", true), "\"quoted key\" =     ");
        assert_eq!(blank("note = \"\"\"two\nlines \\\"\"\"\" ok\"\"\"", true), "note =       \n                 ");
    }

    #[test]
    fn a_value_alone_is_kept_unless_it_holds_values() {
        assert_eq!(blank("\"T-1\"", false), "\"T-1\"");
        assert_eq!(blank("[1, 2]", false), "[ ,  ]");
        assert_eq!(blank("{ a = \"x\" } # c", false), "{ a =     }    ");
    }

    #[test]
    fn what_is_not_a_key_is_blanked() {
        assert_eq!(blank("stray \"x\"\nid = 1", true), "         \nid =  ");
        assert_eq!(blank("[unclosed", true), "         ");
        assert_eq!(blank("k = \"unterminated\nnext = 2", true), "k =              \nnext =  ");
    }

    /// A value of a record, each leaf holding the marker `SECRET` (strings: in any of TOML's
    /// spellings, as the `toml` crate chooses them) or the digits `7777` (numbers, dates).
    fn leaf() -> impl proptest::strategy::Strategy<Value = ::toml::Value> {
        use proptest::prelude::*;
        prop_oneof![
            "[a-z \"'\\\n#=,\\[\\]{}]{0,8}".prop_map(|s| ::toml::Value::String(format!("SECRET{s}SECRET"))),
            (0i64..1000).prop_map(|n| ::toml::Value::Integer(77770000 + n)),
            Just(::toml::Value::Boolean(true)),
            Just(
                "7777-07-07"
                    .parse::<::toml::value::Datetime>()
                    .map(::toml::Value::Datetime)
                    .unwrap_or(::toml::Value::Integer(7777))
            ),
        ]
    }

    fn value() -> impl proptest::strategy::Strategy<Value = ::toml::Value> {
        use proptest::prelude::*;
        leaf().prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(::toml::Value::Array),
                proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                    .prop_map(|m| ::toml::Value::Table(m.into_iter().collect())),
            ]
        })
    }

    /// Every key of `v`, at any depth.
    fn keys(v: &::toml::Value, out: &mut Vec<String>) {
        match v {
            ::toml::Value::Table(t) => {
                for (k, v) in t {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            ::toml::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }

    proptest::proptest! {
        /// Against the `toml` crate's writing of a record (an independent model of the syntax):
        /// no value is left, every key is, and every byte keeps its place.
        #[test]
        fn no_value_is_left_and_every_key_is(record in proptest::collection::btree_map("[a-z]{1,6}", value(), 1..5)) {
            let table: ::toml::Table = record.into_iter().collect();
            let text = ::toml::to_string(&table).unwrap_or_default();
            let shown = blank(&text, true);
            proptest::prop_assert_eq!(shown.len(), text.len());
            proptest::prop_assert_eq!(
                shown.match_indices('\n').map(|(i, _)| i).collect::<Vec<_>>(),
                text.match_indices('\n').map(|(i, _)| i).collect::<Vec<_>>()
            );
            proptest::prop_assert!(!shown.contains("SECRET") && !shown.contains("7777"), "{}\n{}", text, shown);
            let mut all = Vec::new();
            keys(&::toml::Value::Table(table), &mut all);
            for k in all {
                proptest::prop_assert!(shown.contains(&k), "key `{}` lost:\n{}\n{}", k, text, shown);
            }
        }
    }
}
