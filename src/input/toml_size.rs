//! How large a TOML file's parsed tree would be, judged from its text before it is parsed: the
//! `toml` crate's tree can be a hundred times the text, so every TOML input (policies' calendars,
//! roles, waivers, settings, records) is refused on this estimate first.

/// An estimate, from above, of the bytes the `toml` crate's document tree takes for `text`: each key
/// (`=`) costs about 576 bytes in it and each array or table element (`{`, `[`, `,`) about 160
/// (measured on files of nothing but tiny values), counted outside strings and comments. The tree
/// can be a hundred times the text, so a TOML record file is refused on this before it is parsed.
pub fn toml_tree_estimate(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut keys, mut elements) = (0usize, 0usize);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'#' => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i = toml_string_end(b, i, c);
                continue;
            }
            b'=' => keys += 1,
            b'{' | b'[' | b',' => elements += 1,
            _ => {}
        }
        i += 1;
    }
    keys.saturating_mul(576).saturating_add(elements.saturating_mul(160)).saturating_add(text.len())
}

/// The offset just past the TOML string opened by quote `q` at `start` (basic or literal, on one
/// line or three-quoted), or the end of the line or text where it is not closed.
fn toml_string_end(b: &[u8], start: usize, q: u8) -> usize {
    let run = |at: usize| b.get(at..).map_or(0, |t| t.iter().take_while(|&&c| c == q).count());
    let triple = run(start) >= 3;
    let mut i = start + if triple { 3 } else { 1 };
    loop {
        match b.get(i) {
            None => return i,
            Some(b'\\') if q == b'"' => i += 2,
            Some(b'\n') if !triple => return i,
            Some(&c) if c == q => {
                if !triple {
                    return i + 1;
                }
                let n = run(i);
                if n >= 3 {
                    // A closing run may be up to five quotes long: two of them end the string.
                    return i + n;
                }
                i += n;
            }
            Some(_) => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys and elements are counted outside strings and comments only.
    #[test]
    fn the_toml_estimate_counts_structure_not_text() {
        let plain = "a = [1, 2, {b = 3}]\n";
        assert_eq!(toml_tree_estimate(plain), 2 * 576 + 4 * 160 + plain.len());
        let quoted = "a = \"x = [1, 2]\" # y = {,,,}\nb = '''[=,'''\nc = \"\"\"=\\\"\"\"\"\"\nd = 'it''\n";
        assert_eq!(toml_tree_estimate(quoted), 4 * 576 + quoted.len());
    }
}
